//! Erlang-syntax text of a decoded term, for `peb_print_term()` and for map
//! keys that PHP cannot use as they are. Follows `io:format("~p")` where PHP
//! users can meet the difference: atom quoting, float notation, printable
//! strings and binaries. Pids, ports and references carry their node name,
//! since the printing side is not an Erlang node: `#Pid<node@host.85.0>`.

use std::fmt::Write;

use super::bigint;
use super::decode::Reader;
use super::decoded::{OpaqueKind, Term};
use super::tag;

pub fn print(term: &Term) -> String {
    let mut out = String::new();
    write_term(&mut out, term);
    out
}

fn write_term(out: &mut String, term: &Term) {
    match term {
        Term::Int(i) => write!(out, "{i}").expect("string write"),
        Term::BigInt { negative, magnitude } => out.push_str(&bigint::to_decimal(*negative, magnitude)),
        Term::Float(f) => out.push_str(&float(*f)),
        Term::Atom(a) => atom(out, a),
        Term::Str(s) => string_or_list(out, s),
        Term::Binary(b) => binary(out, b),
        Term::BitBinary { data, bits, .. } => bitstring(out, data, *bits),
        Term::Tuple(items) => seq(out, "{", items, None, "}"),
        Term::Nil => out.push_str("[]"),
        Term::List(items) => match printable_chars(items) {
            Some(bytes) => string_or_list(out, &bytes),
            None => seq(out, "[", items, None, "]"),
        },
        Term::ImproperList { items, tail, .. } => seq(out, "[", items, Some(tail), "]"),
        Term::Map(pairs) => {
            out.push_str("#{");
            for (i, (k, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_term(out, k);
                out.push_str(" => ");
                write_term(out, v);
            }
            out.push('}');
        }
        Term::Opaque { kind, raw } => out.push_str(&opaque(*kind, raw)),
    }
}

fn seq(out: &mut String, open: &str, items: &[Term], tail: Option<&Term>, close: &str) {
    out.push_str(open);
    for (i, t) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_term(out, t);
    }
    if let Some(t) = tail {
        out.push('|');
        write_term(out, t);
    }
    out.push_str(close);
}

const RESERVED: &[&str] = &[
    "after", "and", "andalso", "band", "begin", "bnot", "bor", "bsl", "bsr", "bxor", "case", "catch", "cond", "div",
    "end", "fun", "if", "let", "maybe", "not", "of", "or", "orelse", "receive", "rem", "try", "when", "xor",
];

/// Erlang's lowercase Latin-1 letters: a-z and ß-ÿ but ÷.
fn is_lower(c: char) -> bool {
    c.is_ascii_lowercase() || (('\u{df}'..='\u{ff}').contains(&c) && c != '\u{f7}')
}

/// Erlang's name characters: Latin-1 letters (but × and ÷), digits, _ and @.
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '_'
        || c == '@'
        || (('\u{c0}'..='\u{ff}').contains(&c) && c != '\u{d7}' && c != '\u{f7}')
}

fn atom(out: &mut String, a: &str) {
    let bare = a.starts_with(is_lower) && a.chars().all(is_name_char) && !RESERVED.contains(&a);
    if bare {
        out.push_str(a);
        return;
    }
    out.push('\'');
    for c in a.chars() {
        escape_char(out, c, '\'');
    }
    out.push('\'');
}

fn escape_char(out: &mut String, c: char, quote: char) {
    match c {
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        c if c == quote => {
            out.push('\\');
            out.push(c);
        }
        c => out.push(c),
    }
}

fn printable(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| (32..127).contains(&b) || matches!(b, b'\n' | b'\t' | b'\r'))
}

/// A list of character codes Erlang would show as a string.
fn printable_chars(items: &[Term]) -> Option<Vec<u8>> {
    let bytes = items
        .iter()
        .map(|t| match t {
            Term::Int(i) => u8::try_from(*i).ok(),
            _ => None,
        })
        .collect::<Option<Vec<u8>>>()?;
    printable(&bytes).then_some(bytes)
}

fn string_or_list(out: &mut String, s: &[u8]) {
    if printable(s) {
        out.push('"');
        s.iter().for_each(|&b| escape_char(out, char::from(b), '"'));
        out.push('"');
    } else {
        let items: Vec<Term> = s.iter().map(|&b| Term::Int(b.into())).collect();
        seq(out, "[", &items, None, "]");
    }
}

fn binary(out: &mut String, b: &[u8]) {
    if printable(b) {
        out.push_str("<<\"");
        b.iter().for_each(|&c| escape_char(out, char::from(c), '"'));
        out.push_str("\">>");
    } else {
        bitstring(out, b, 8);
    }
}

fn bitstring(out: &mut String, data: &[u8], bits: u8) {
    out.push_str("<<");
    for (i, &b) in data.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if i + 1 == data.len() && bits < 8 {
            write!(out, "{}:{bits}", b >> (8 - bits)).expect("string write");
        } else {
            write!(out, "{b}").expect("string write");
        }
    }
    out.push_str(">>");
}

/// Shortest round-trip digits in the notation OTP picks (its ryu
/// `to_chars`): fixed for moderate exponents, scientific beyond, so that
/// `1.0e10`, `123456.0` and `0.0001` print as `io:format("~p")` does.
pub fn float(f: f64) -> String {
    if !f.is_finite() {
        return format!("{f}");
    }
    let sign = if f.is_sign_negative() { "-" } else { "" };
    if f == 0.0 {
        return format!("{sign}0.0");
    }
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').expect("{:e} has an exponent");
    let exp: i32 = exp.parse().expect("{:e} exponent is an integer");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let olen = digits.len() as i32;
    let ryu_exp = exp - (olen - 1);
    let (lower, upper) = match (olen, exp) {
        (1, _) => (-4, 2),
        (_, 10..) => (-(olen + 2), 2),
        _ => (-(olen + 2), 1),
    };
    let output: u64 = digits.parse().expect("at most 17 digits");
    let beyond_2_53 = (output >= 1 << 53 && ryu_exp == 0)
        || (output > (1 << 52) / 5 && ryu_exp == 1)
        || (output > (1 << 51) / 25 && ryu_exp == 2);
    let body = if (lower..=upper).contains(&ryu_exp) && !beyond_2_53 {
        fixed(&digits, exp)
    } else {
        format!("{}.{}e{exp}", &digits[..1], if olen > 1 { &digits[1..] } else { "0" })
    };
    format!("{sign}{body}")
}

fn fixed(digits: &str, exp: i32) -> String {
    if exp < 0 {
        return format!("0.{}{digits}", "0".repeat((-exp - 1) as usize));
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        format!("{digits}{}.0", "0".repeat(int_len - digits.len()))
    } else {
        format!("{}.{}", &digits[..int_len], &digits[int_len..])
    }
}

/// `#Pid<node.id.serial>`, `#Port<node.id>`, `#Ref<node.w3.w2.w1>`,
/// `fun m:f/a`, `#Fun<module.index.uniq>`.
fn opaque(kind: OpaqueKind, raw: &[u8]) -> String {
    let mut r = Reader::new(raw);
    let parsed = (|| -> Option<String> {
        let t = r.u8().ok()?;
        Some(match kind {
            OpaqueKind::Pid => {
                let node = r.atom().ok()?;
                format!("#Pid<{node}.{}.{}>", r.u32().ok()?, r.u32().ok()?)
            }
            OpaqueKind::Port => {
                let node = r.atom().ok()?;
                let id = if t == tag::V4_PORT { r.u64().ok()? } else { r.u32().ok()?.into() };
                format!("#Port<{node}.{id}>")
            }
            OpaqueKind::Reference => reference(&mut r, t)?,
            OpaqueKind::Fun if t == tag::EXPORT => {
                let (m, f) = (r.atom().ok()?, r.atom().ok()?);
                let arity = match r.term().ok()? {
                    Term::Int(a) => a,
                    _ => return None,
                };
                format!("fun {}:{}/{arity}", quoted(&m), quoted(&f))
            }
            OpaqueKind::Fun => {
                r.u32().ok()?;
                for _ in 0..(1 + 16 + 4 + 4) {
                    r.u8().ok()?;
                }
                let module = r.atom().ok()?;
                let index = print(&r.term().ok()?);
                let uniq = print(&r.term().ok()?);
                format!("#Fun<{}.{index}.{uniq}>", quoted(&module))
            }
        })
    })();
    parsed.unwrap_or_else(|| "#Opaque<>".to_string())
}

fn reference(r: &mut Reader, t: u8) -> Option<String> {
    let words = if t == tag::REFERENCE { 1 } else { r.u16().ok()? };
    let node = r.atom().ok()?;
    match t {
        tag::NEWER_REFERENCE => {
            r.u32().ok()?;
        }
        _ if t != tag::REFERENCE => {
            r.u8().ok()?;
        }
        _ => {}
    }
    let ids: Vec<String> = (0..words).map(|_| r.u32().ok().map(|w| w.to_string())).collect::<Option<_>>()?;
    let ids: Vec<String> = ids.into_iter().rev().collect();
    Some(format!("#Ref<{node}.{}>", ids.join(".")))
}

fn quoted(a: &str) -> String {
    let mut s = String::new();
    atom(&mut s, a);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[test]
    fn floats_like_erlang() {
        let cases = [
            (1.0e10, "1.0e10"),
            (1.0e15, "1.0e15"),
            (123456.0, "123456.0"),
            (0.1, "0.1"),
            (1.0e-5, "1.0e-5"),
            (0.0001, "0.0001"),
            (1.2345678, "1.2345678"),
            (-2.5, "-2.5"),
            (5.0e-324, "5.0e-324"),
            (100.0, "100.0"),
            (1234567890123456789.0, "1.2345678901234568e18"),
            (0.0, "0.0"),
            (-0.0, "-0.0"),
        ];
        for (f, want) in cases {
            assert_eq!(float(f), want, "{f}");
        }
    }

    #[test]
    fn atoms_are_quoted_when_erlang_would() {
        let p = |a: &'static str| print(&Term::Atom(Cow::Borrowed(a)));
        assert_eq!(p("ok"), "ok");
        assert_eq!(p("a@b"), "a@b");
        assert_eq!(p("A"), "'A'");
        assert_eq!(p("and"), "'and'");
        assert_eq!(p("it's"), "'it\\'s'");
        assert_eq!(p(""), "''");
        assert_eq!(p("héllo"), "héllo");
        assert_eq!(p("ÄÖ"), "'ÄÖ'");
        assert_eq!(p("a÷b"), "'a÷b'");
    }

    #[test]
    fn containers() {
        let t = Term::Tuple(vec![
            Term::List(vec![Term::Int(1), Term::Str(b"ab\n")]),
            Term::ImproperList { items: vec![Term::Int(1)], tail: Box::new(Term::Int(2)), raw: b"" },
            Term::Binary(b"a\"b"),
            Term::Binary(&[200]),
            Term::BitBinary { data: &[32], bits: 3, raw: b"" },
            Term::Str(&[1, 2]),
            Term::Nil,
            Term::Tuple(vec![]),
        ]);
        assert_eq!(print(&t), r#"{[1,"ab\n"],[1|2],<<"a\"b">>,<<200>>,<<1:3>>,[1,2],[],{}}"#);
    }
}
