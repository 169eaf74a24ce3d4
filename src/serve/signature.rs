//! `X-Hub-Signature-256`: HMAC-SHA256 of the raw request body with the webhook secret, as `sha256=<hex>`. PURE.
//!
//! The body must be verified exactly as it arrived, before any parsing: re-serialised JSON would not match.
//! The comparison is constant-time (`Mac::verify_slice` compares with `subtle`), so a forger learns nothing from
//! how long a wrong guess took.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Why a delivery's signature was refused. The text is safe to send back: it never contains the secret or the
/// expected signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    #[error("the X-Hub-Signature-256 header is not `sha256=` and 64 hex digits")]
    Malformed,
    #[error("the X-Hub-Signature-256 header does not match the body and the webhook secret")]
    Mismatch,
}

const PREFIX: &str = "sha256=";

fn mac(secret: &[u8]) -> HmacSha256 {
    // HMAC takes keys of any length (long keys are hashed first), so this never fails.
    <HmacSha256 as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"))
}

/// The header value GitHub would send for `body`: `sha256=<64 lowercase hex digits>`.
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = mac(secret);
    mac.update(body);
    format!("{PREFIX}{}", hex::encode(mac.finalize().into_bytes()))
}

/// Checks `header` (the `X-Hub-Signature-256` value, if any) against `body`.
pub fn verify(secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.ok_or(SignatureError::Missing)?.trim();
    let digits = header
        .get(..PREFIX.len())
        .filter(|p| p.eq_ignore_ascii_case(PREFIX))
        .map(|_| &header[PREFIX.len()..])
        .ok_or(SignatureError::Malformed)?;
    // The length is public (always 64), so checking it before the constant-time compare leaks nothing.
    if digits.len() != 64 {
        return Err(SignatureError::Malformed);
    }
    let given = hex::decode(digits).map_err(|_| SignatureError::Malformed)?;
    let mut mac = mac(secret);
    mac.update(body);
    mac.verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example in GitHub's documentation ("Validating webhook deliveries").
    #[test]
    fn matches_githubs_documented_example() {
        let secret = b"It's a Secret to Everybody";
        let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
        assert_eq!(sign(secret, b"Hello, World!"), expected);
        assert_eq!(verify(secret, Some(expected), b"Hello, World!"), Ok(()));
        let upper = expected.to_uppercase().replace("SHA256=", "sha256=");
        assert_eq!(verify(secret, Some(&upper), b"Hello, World!"), Ok(()));
    }

    #[test]
    fn refusals_say_why() {
        let secret = b"s";
        let good = sign(secret, b"{}");
        assert_eq!(verify(secret, None, b"{}"), Err(SignatureError::Missing));
        assert_eq!(
            verify(secret, Some(&good), b"{} "),
            Err(SignatureError::Mismatch)
        );
        assert_eq!(
            verify(b"other", Some(&good), b"{}"),
            Err(SignatureError::Mismatch)
        );
        let sha1 = format!("sha1={}", &good[7..47]);
        for bad in ["", "sha256=", "sha256=xyz", &good[..70], &sha1, "sha256=ä"] {
            assert_eq!(
                verify(secret, Some(bad), b"{}"),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        let nonhex = format!("sha256={}", "g".repeat(64));
        assert_eq!(
            verify(secret, Some(&nonhex), b"{}"),
            Err(SignatureError::Malformed)
        );
    }
}
