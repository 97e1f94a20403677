//! Which session ids may reach the store: PHP's own alphabet for them
//! (`a-z A-Z 0-9 , -`, what `php_session_valid_key` accepts) and at most
//! 256 characters (`PS_MAX_SID_LENGTH`). PHP itself only strips a few
//! dangerous characters from an id a client sends and leaves the rest to
//! the handler (the files handler refuses them the same way), so an id
//! outside this set is refused here, before any byte of it goes to a node.

/// `PS_MAX_SID_LENGTH` of `ext/session/php_session.h`.
pub const MAX_LEN: usize = 256;

/// Whether PHP would accept `id` as a session id.
pub fn is_valid(id: &[u8]) -> bool {
    !id.is_empty() && id.len() <= MAX_LEN && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b',' | b'-'))
}

/// `Ok` for an id PHP accepts; else why not, fit for a warning (the id itself is not repeated).
pub fn check(id: &[u8]) -> Result<(), String> {
    if is_valid(id) {
        return Ok(());
    }
    Err(format!(
        "the session id is {} bytes long or holds characters other than a-z, A-Z, 0-9, ',' and '-' \
         (at most {MAX_LEN}); it was not sent to the node",
        id.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_alphabet_only() {
        assert!(is_valid(b"abcXYZ019,-"));
        assert!(is_valid(&[b'a'; MAX_LEN]));
        for bad in [&b""[..], b"a b", b"a\0b", b"a'b", b"../x", b"\xc3\xa9", b"a_b", b"a.b", &[b'a'; MAX_LEN + 1]] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn a_refusal_says_why_without_the_id() {
        assert_eq!(check(b"abc-,9"), Ok(()));
        let e = check(b"evil'id").unwrap_err();
        assert!(e.starts_with("the session id is 7 bytes long or holds characters other than"), "{e}");
        assert!(!e.contains("evil"), "{e}");
    }
}
