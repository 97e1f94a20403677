//! mypeb's format strings: `~a ~s ~b ~i ~l ~u ~f ~d ~p ~P ~v`, `[...]` for a
//! list and `{...}` for a tuple. Spaces and commas between items mean
//! nothing. Parsing is separate from encoding so that a malformed format is
//! refused whole, before a byte is written.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive {
    /// `~a`
    Atom,
    /// `~s`
    Str,
    /// `~b`
    Binary,
    /// `~i`, `~l`
    Int,
    /// `~u`
    Unsigned,
    /// `~f`, `~d`
    Float,
    /// `~p`: the pid of a link resource.
    LinkPid,
    /// `~P`: a pid or other term resource from a decode.
    Resource,
    /// `~v`: any PHP value, by its type.
    Value,
}

impl Directive {
    fn from_char(c: char) -> Option<Self> {
        Some(match c {
            'a' => Self::Atom,
            's' => Self::Str,
            'b' => Self::Binary,
            'i' | 'l' => Self::Int,
            'u' => Self::Unsigned,
            'f' | 'd' => Self::Float,
            'p' => Self::LinkPid,
            'P' => Self::Resource,
            'v' => Self::Value,
            _ => return None,
        })
    }
}

/// One item of a format, with the byte offset where it starts (for errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Scalar { directive: Directive, letter: char, pos: usize },
    List { items: Vec<Item>, pos: usize },
    Tuple { items: Vec<Item>, pos: usize },
}

impl Item {
    pub fn pos(&self) -> usize {
        match self {
            Item::Scalar { pos, .. } | Item::List { pos, .. } | Item::Tuple { pos, .. } => *pos,
        }
    }

    /// How the item is named in error messages: `~i`, `[...]`, `{...}`.
    pub fn describe(&self) -> String {
        match self {
            Item::Scalar { letter, .. } => format!("~{letter}"),
            Item::List { .. } => "[...]".into(),
            Item::Tuple { .. } => "{...}".into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError {
    pub pos: usize,
    pub reason: String,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at position {} of the format", self.reason, self.pos)
    }
}

/// Deepest bracket nesting a format may have.
pub const MAX_FORMAT_DEPTH: usize = 256;

/// Parses a format that describes exactly one term.
pub fn parse(format: &str) -> Result<Item, FormatError> {
    let mut p = Parser { chars: format.char_indices().peekable(), len: format.len(), depth: 0 };
    let items = p.items(None)?;
    match items.len() {
        1 => Ok(items.into_iter().next().expect("one item")),
        0 => Err(FormatError { pos: 0, reason: "the format describes no term".into() }),
        _ => Err(FormatError {
            pos: items[1].pos(),
            reason: "the format describes more than one term (wrap them in [...] or {...})".into(),
        }),
    }
}

/// Formats parsed in this thread; most programs use a handful.
const CACHE_SIZE: usize = 256;

#[derive(Default)]
struct Cache {
    /// The format used last: a loop encoding with one format skips hashing.
    last: Option<(Rc<str>, Rc<Item>)>,
    seen: HashMap<Rc<str>, Rc<Item>>,
}

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(Cache::default());
}

/// [`parse`], remembering the formats already seen (bounded; errors are not kept).
pub fn parse_cached(format: &str) -> Result<Rc<Item>, FormatError> {
    let hit = CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if let Some((f, item)) = &c.last
            && **f == *format
        {
            return Some(item.clone());
        }
        let (f, item) = c.seen.get_key_value(format).map(|(f, i)| (f.clone(), i.clone()))?;
        c.last = Some((f, item.clone()));
        Some(item)
    });
    if let Some(item) = hit {
        return Ok(item);
    }
    let item = Rc::new(parse(format)?);
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        if c.seen.len() >= CACHE_SIZE {
            c.seen.clear();
        }
        let f: Rc<str> = format.into();
        c.seen.insert(f.clone(), item.clone());
        c.last = Some((f, item.clone()));
    });
    Ok(item)
}

struct Parser<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    len: usize,
    depth: usize,
}

impl Parser<'_> {
    /// Items up to the closing bracket `close` (or the end when `None`).
    fn items(&mut self, close: Option<(char, usize)>) -> Result<Vec<Item>, FormatError> {
        let mut items = Vec::new();
        loop {
            let Some((pos, c)) = self.chars.next() else {
                return match close {
                    None => Ok(items),
                    Some((c, open)) => {
                        let bracket = if c == ']' { '[' } else { '{' };
                        Err(FormatError { pos: open, reason: format!("'{bracket}' is never closed") })
                    }
                };
            };
            match c {
                ' ' | '\t' | '\r' | '\n' | ',' => {}
                '~' => items.push(self.directive(pos)?),
                '[' | '{' => items.push(self.container(c, pos)?),
                ']' | '}' => {
                    return match close {
                        Some((want, _)) if want == c => Ok(items),
                        _ => Err(FormatError { pos, reason: format!("unexpected '{c}'") }),
                    };
                }
                other => return Err(FormatError { pos, reason: format!("unexpected '{other}'") }),
            }
        }
    }

    fn directive(&mut self, pos: usize) -> Result<Item, FormatError> {
        match self.chars.next() {
            Some((_, letter)) => match Directive::from_char(letter) {
                Some(directive) => Ok(Item::Scalar { directive, letter, pos }),
                None => Err(FormatError { pos, reason: format!("unknown directive '~{letter}'") }),
            },
            None => Err(FormatError { pos: self.len.min(pos), reason: "'~' at the end of the format".into() }),
        }
    }

    fn container(&mut self, open: char, pos: usize) -> Result<Item, FormatError> {
        if self.depth >= MAX_FORMAT_DEPTH {
            return Err(FormatError { pos, reason: format!("brackets nested deeper than {MAX_FORMAT_DEPTH}") });
        }
        self.depth += 1;
        let close = if open == '[' { ']' } else { '}' };
        let items = self.items(Some((close, pos)));
        self.depth -= 1;
        let items = items?;
        Ok(if open == '[' { Item::List { items, pos } } else { Item::Tuple { items, pos } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_containers() {
        let item = parse("{~i,{~a,[~s,~d]}}").unwrap();
        let Item::Tuple { items, pos: 0 } = item else { panic!() };
        assert_eq!(items.len(), 2);
        assert!(matches!(items[1], Item::Tuple { pos: 4, .. }));
    }

    #[test]
    fn empty_containers() {
        assert_eq!(parse("[]").unwrap(), Item::List { items: vec![], pos: 0 });
        assert_eq!(parse(" { } ").unwrap(), Item::Tuple { items: vec![], pos: 1 });
    }

    #[test]
    fn errors_name_the_position() {
        assert_eq!(parse("[~a,~x]").unwrap_err().pos, 4);
        assert_eq!(parse("[~a").unwrap_err().reason, "'[' is never closed");
        assert_eq!(parse("[~a}").unwrap_err().pos, 3);
        assert_eq!(parse("~a~a").unwrap_err().pos, 2);
        assert_eq!(parse("").unwrap_err().pos, 0);
        assert_eq!(parse("x").unwrap_err().pos, 0);
        assert!(parse("~").is_err());
        assert!(parse(&"[".repeat(1000)).is_err());
    }
}
