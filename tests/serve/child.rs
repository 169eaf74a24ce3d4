//! `portfolio-sync serve` as a child process (the built binary), for what only a process shows: its resident memory,
//! and what survives a SIGKILL. On 127.0.0.1, on a port the kernel picks; every wait is bounded.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

pub struct Server {
    child: std::process::Child,
    pub addr: SocketAddr,
    log: Arc<(Mutex<Vec<String>>, Condvar)>,
}

impl Server {
    /// Starts `serve --snapshot snapshot` with `config`, the webhook `secret` and `env`, and waits (at most 60 s) until
    /// it listens.
    pub fn start(config: &Path, snapshot: &Path, secret: &str, env: &[(&str, String)]) -> Server {
        let mut command = Command::new(env!("CARGO_BIN_EXE_portfolio-sync"));
        // The server's settings are the defaults and `env`, whatever the environment of the test run says.
        for name in [
            "PORTFOLIO_SYNC_LOG",
            "PORTFOLIO_SYNC_QUEUE",
            "PORTFOLIO_SYNC_MAX_CONNECTIONS",
            "PORTFOLIO_SYNC_HEADER_TIMEOUT",
            "PORTFOLIO_SYNC_BODY_TIMEOUT",
            "PORTFOLIO_SYNC_CONCURRENCY",
            "PORTFOLIO_SYNC_DRAIN",
            "PORTFOLIO_SYNC_TEST_DELAY_MS",
            "PORTFOLIO_SYNC_CONFIG",
        ] {
            command.env_remove(name);
        }
        let mut child = command
            .arg("--config")
            .arg(config)
            .args(["serve", "--listen", "127.0.0.1:0", "--snapshot"])
            .arg(snapshot)
            .env("PORTFOLIO_SYNC_WEBHOOK_SECRET", secret)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the portfolio-sync binary starts");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new((Mutex::new(Vec::new()), Condvar::new()));
        let writer = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let (lines, changed) = &*writer;
                lines.lock().unwrap().push(line);
                changed.notify_all();
            }
        });
        let mut server = Server {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            log,
        };
        let line = server.wait_for(
            |l| l.contains("listening for GitHub webhooks"),
            Duration::from_secs(60),
        );
        let addr = line
            .as_deref()
            .and_then(|l| l.split_whitespace().find_map(|w| w.strip_prefix("addr=")))
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => server.addr = addr,
            None => panic!("the server did not start listening:\n{}", server.log_text()),
        }
        server
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The first log line (from the start) matching `matches`, waiting at most `timeout` for it.
    pub fn wait_for(&self, matches: impl Fn(&str) -> bool, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        let (lines, changed) = &*self.log;
        let mut lines = lines.lock().unwrap();
        loop {
            if let Some(line) = lines.iter().find(|l| matches(l)) {
                return Some(line.clone());
            }
            let left = deadline.checked_duration_since(Instant::now())?;
            lines = changed.wait_timeout(lines, left).unwrap().0;
        }
    }

    /// How many log lines match `matches` so far.
    pub fn count(&self, matches: impl Fn(&str) -> bool) -> usize {
        self.log
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|l| matches(l))
            .count()
    }

    pub fn log_text(&self) -> String {
        self.log.0.lock().unwrap().join("\n")
    }

    /// Resident memory in KiB, from /proc (Linux only: `None` elsewhere).
    pub fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }

    /// SIGTERM, and waits (at most `timeout`) for the exit; its status code.
    pub fn terminate(mut self, timeout: Duration) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status();
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
