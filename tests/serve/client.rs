//! A minimal HTTP/1.1 client over one keep-alive TCP connection, for `tests/serve.rs` and `examples/serve_load.rs`.
//!
//! Written out rather than taken from a crate so the tests control every byte (a body larger than the server's
//! limit, a body sent in two halves around a shutdown) and so the load test measures the server, not a client's
//! pool. Only what the server under test sends back is understood: `Content-Length` bodies.
#![allow(dead_code)]

use std::io;
use std::net::SocketAddr;

use portfolio_sync::serve::sign;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// One answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The body as JSON (`null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The `status` field of the server's JSON answer.
    pub fn outcome(&self) -> String {
        self.json()["status"].as_str().unwrap_or("").to_string()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A webhook delivery as GitHub would send it.
#[derive(Debug, Clone)]
pub struct Hook {
    pub event: String,
    pub delivery: String,
    pub body: Vec<u8>,
    /// `None`: no signature header. `Some(s)`: this header value.
    pub signature: Option<String>,
}

impl Hook {
    /// Signed with `secret`, as GitHub does.
    pub fn signed(secret: &[u8], event: &str, delivery: &str, body: impl Into<Vec<u8>>) -> Hook {
        let body = body.into();
        Hook {
            event: event.into(),
            delivery: delivery.into(),
            signature: Some(sign(secret, &body)),
            body,
        }
    }

    /// The request head (everything before the body).
    pub fn head(&self) -> Vec<u8> {
        let mut head = format!(
            "POST /webhook HTTP/1.1\r\nhost: localhost\r\nuser-agent: GitHub-Hookshot/test\r\n\
             content-type: application/json\r\ncontent-length: {}\r\nx-github-event: {}\r\n\
             x-github-delivery: {}\r\n",
            self.body.len(),
            self.event,
            self.delivery
        );
        if let Some(sig) = &self.signature {
            head.push_str(&format!("x-hub-signature-256: {sig}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }
}

pub struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    pub async fn connect(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn {
            stream: BufReader::new(stream),
        })
    }

    /// Sends `hook` and reads the answer.
    pub async fn send(&mut self, hook: &Hook) -> io::Result<Reply> {
        let mut request = hook.head();
        request.extend_from_slice(&hook.body);
        self.write(&request).await?;
        self.read_reply().await
    }

    pub async fn get(&mut self, path: &str) -> io::Result<Reply> {
        self.write(format!("GET {path} HTTP/1.1\r\nhost: localhost\r\n\r\n").as_bytes())
            .await?;
        self.read_reply().await
    }

    /// Writes raw bytes (a request, or part of one).
    pub async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        let stream = self.stream.get_mut();
        stream.write_all(bytes).await?;
        stream.flush().await
    }

    pub async fn read_reply(&mut self) -> io::Result<Reply> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let mut line = String::new();
        if self.stream.read_line(&mut line).await? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the server closed the connection",
            ));
        }
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status line"))?;
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let text = line.trim_end();
            if text.is_empty() {
                break;
            }
            let (name, value) = text
                .split_once(':')
                .ok_or_else(|| bad("a header without ':'"))?;
            headers.push((name.trim().to_lowercase(), value.trim().to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .and_then(|(_, v)| v.parse().ok())
            .ok_or_else(|| bad("no content-length"))?;
        let mut body = vec![0; length];
        self.stream.read_exact(&mut body).await?;
        Ok(Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// Sends one hook on a fresh connection.
pub async fn send(addr: SocketAddr, hook: &Hook) -> io::Result<Reply> {
    Conn::connect(addr).await?.send(hook).await
}
