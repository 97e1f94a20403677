//! The tags PHP gives the request's session (`peb_session_tag()`): kept
//! here until the session's next write carries them, so that tagging costs
//! no round trip of its own; and the rule every tag passes (the store's
//! own, `erlang/src/peb_session_tags.erl`, checks it again). See docs/tags.md.

use std::cell::RefCell;

/// At most this many tags per request (one write carries them all)...
pub const MAX_TAGS: usize = 32;
/// ...each of 1 to this many bytes.
pub const MAX_TAG_BYTES: usize = 255;

#[derive(Default)]
struct Tags {
    /// Not written yet: the next write takes them.
    pending: Vec<Vec<u8>>,
    /// Every tag given to the session open now, written or not, in order.
    given: Vec<Vec<u8>>,
}

thread_local! {
    static TAGS: RefCell<Tags> = RefCell::new(Tags::default());
}

/// Why a tag is refused, in words that follow "Argument #n ($tags) ".
pub fn check(tag: &[u8]) -> Result<(), String> {
    match tag.len() {
        0 => Err("must not be empty".into()),
        n if n > MAX_TAG_BYTES => Err(format!("must be at most {MAX_TAG_BYTES} bytes, {n} given")),
        _ => Ok(()),
    }
}

/// Adds tags (checked already) to the session's next write; those given
/// before are not repeated. Refused whole when the request would pass
/// [`MAX_TAGS`].
pub fn add(tags: Vec<Vec<u8>>) -> Result<(), String> {
    TAGS.with(|t| {
        let mut t = t.borrow_mut();
        let mut new: Vec<Vec<u8>> = Vec::new();
        for tag in tags {
            if !t.given.contains(&tag) && !new.contains(&tag) {
                new.push(tag);
            }
        }
        if t.given.len() + new.len() > MAX_TAGS {
            return Err(format!("a request gives its session at most {MAX_TAGS} tags"));
        }
        t.given.extend(new.iter().cloned());
        t.pending.extend(new);
        Ok(())
    })
}

/// The tags the next write carries, taken.
pub fn take() -> Vec<Vec<u8>> {
    TAGS.with(|t| std::mem::take(&mut t.borrow_mut().pending))
}

pub fn has_pending() -> bool {
    TAGS.with(|t| !t.borrow().pending.is_empty())
}

/// A session opens: it starts with no tags given, unless some wait for a
/// write still (session_regenerate_id() closes and opens the session
/// again between the tags and the write that carries them).
pub fn session_opened() {
    TAGS.with(|t| {
        let mut t = t.borrow_mut();
        if t.pending.is_empty() {
            t.given.clear();
        }
    })
}

/// The tags given to the session open now.
pub fn given() -> Vec<Vec<u8>> {
    TAGS.with(|t| t.borrow().given.clone())
}

/// At the start of a request.
pub fn clear() {
    TAGS.with(|t| *t.borrow_mut() = Tags::default());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_wait_for_the_write_once_each() {
        clear();
        add(vec![b"u:1".to_vec(), b"r".to_vec(), b"u:1".to_vec()]).unwrap();
        add(vec![b"r".to_vec(), b"t".to_vec()]).unwrap();
        assert!(has_pending());
        assert_eq!(take(), vec![b"u:1".to_vec(), b"r".to_vec(), b"t".to_vec()]);
        assert!(!has_pending());
        assert_eq!(given().len(), 3);
        // Given again after the write: not sent twice.
        add(vec![b"r".to_vec()]).unwrap();
        assert!(!has_pending());
        // The next session starts with none.
        session_opened();
        assert!(given().is_empty());
        add(vec![b"r".to_vec()]).unwrap();
        assert!(has_pending());
        // Reopened before the write (session_regenerate_id): still there.
        session_opened();
        assert_eq!(given(), vec![b"r".to_vec()]);
        clear();
        assert!(given().is_empty());
    }

    #[test]
    fn limits() {
        clear();
        assert!(check(b"").is_err());
        assert!(check(&[b'x'; 255]).is_ok());
        assert!(check(&[b'x'; 256]).is_err());
        add((0..32).map(|i| format!("t{i}").into_bytes()).collect()).unwrap();
        assert!(add(vec![b"one more".to_vec()]).is_err());
        assert_eq!(given().len(), 32);
        clear();
    }
}
