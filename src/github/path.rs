//! REST paths: the one place that encodes what goes into a URL path.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters kept as they are in a path segment (RFC 3986 unreserved); everything else is percent-encoded,
/// `/` included: `fase/konsept` → `fase%2Fkonsept`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// One path segment, percent-encoded.
pub(crate) fn segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("fase/konsept"), "fase%2Fkonsept");
        assert_eq!(segment("good first issue"), "good%20first%20issue");
        assert_eq!(segment("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(segment("blokkert ✋"), "blokkert%20%E2%9C%8B");
    }
}
