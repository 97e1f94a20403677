//! Property tests of the decoder on hostile input: random bytes, mutations
//! of valid terms, and round trips of random terms through the writer. They
//! run in `cargo test` with fixed seeds, so a failure reproduces.

use super::decode::{MAX_DEPTH, decode, uncompress};
use super::decoded::Term;
use super::encode::Writer;
use super::print::print;
use super::tag;

/// xorshift64*: small, seedable, good enough to drive a fuzzer.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TAGS: &[u8] = &[
    tag::NEW_FLOAT,
    tag::BIT_BINARY,
    tag::ATOM_CACHE_REF,
    tag::NEWER_REFERENCE,
    tag::NEW_PID,
    tag::NEW_PORT,
    tag::SMALL_INTEGER,
    tag::INTEGER,
    tag::FLOAT,
    tag::ATOM,
    tag::REFERENCE,
    tag::PORT,
    tag::PID,
    tag::SMALL_TUPLE,
    tag::LARGE_TUPLE,
    tag::NIL,
    tag::STRING,
    tag::LIST,
    tag::BINARY,
    tag::SMALL_BIG,
    tag::LARGE_BIG,
    tag::NEW_FUN,
    tag::EXPORT,
    tag::NEW_REFERENCE,
    tag::SMALL_ATOM,
    tag::MAP,
    tag::FUN,
    tag::ATOM_UTF8,
    tag::SMALL_ATOM_UTF8,
    tag::V4_PORT,
    tag::COMPRESSED,
    tag::VERSION,
    68,
];

/// Decodes and, when that succeeds, prints: neither may panic.
fn exercise(bytes: &[u8]) {
    if let Ok(plain) = uncompress(bytes)
        && let Ok(term) = decode(&plain)
    {
        let _ = print(&term);
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for _ in 0..200_000 {
        let len = rng.below(48);
        let bytes: Vec<u8> = (0..len)
            .map(|_| match rng.below(4) {
                0 => TAGS[rng.below(TAGS.len())],
                1 => [0, 1, 2, 0xff, 0x7f, 0x80][rng.below(6)],
                _ => rng.next() as u8,
            })
            .collect();
        exercise(&bytes);
    }
}

/// Valid terms of every type, some of them as real Erlang (OTP 25) wrote them.
fn corpus() -> Vec<Vec<u8>> {
    let mut terms: Vec<Vec<u8>> = [
        // Written by erl -sname fx (OTP 25): self(), make_ref(), a port,
        // fun lists:map/2, two anonymous funs, <<1,2,3:5>>, [1,2|3].
        "58640005667840766D00000009000000006B07792C",
        "5A0003640005667840766D6B07792C00018CA8986800024AAB859F",
        "59640005667840766D000000006B07792C",
        "716400056C697374736400036D61706102",
        "700000003D0047C3B1E83A52271EB0E3BD4890AA3BE5000000000000000064000167610062023E1D8F58640005667840766D00000009000000006B07792C",
        "700000003D0147C3B1E83A52271EB0E3BD4890AA3BE5000000010000000064000167610162023E1D8F58640005667840766D00000009000000006B07792C",
        "4D0000000305010218",
        "6C00000002610161026103",
        // Older encodings a peer may still send: PID_EXT, PORT_EXT,
        // NEW_PORT_EXT, REFERENCE_EXT, NEW_REFERENCE_EXT, FLOAT_EXT.
        "67 73016E 00000001 00000002 03",
        "66 73016E 00000005 01",
        "59 73016E 00000005 00000001",
        "65 73016E 00000007 02",
        "72 0002 73016E 01 00000001 00000002",
        "63 312e3530303030303030303030303030303030303030306530300000000000",
    ]
    .iter()
    .map(|h| hex(h))
    .collect();
    let mut w = Writer::default();
    w.tuple_header(6);
    w.int(-5_000_000_000);
    w.float(3.25);
    w.atom("héllo");
    w.string(b"abc");
    w.binary(&[0, 1, 2]);
    w.map_header(1);
    w.atom("k");
    w.list_header(2);
    w.int(1);
    w.nil();
    w.nil();
    terms.push(w.into_bytes());
    terms
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex")).collect()
}

#[test]
fn the_corpus_is_valid() {
    for t in corpus() {
        let term = decode(&t).unwrap_or_else(|e| panic!("{e} in {t:02x?}"));
        assert!(!print(&term).is_empty());
    }
}

#[test]
fn mutated_terms_never_panic() {
    let mut rng = Rng(0xfeed_beef_0000_0042);
    let corpus = corpus();
    for _ in 0..100_000 {
        let mut t = corpus[rng.below(corpus.len())].clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(t.len().max(1));
            match rng.below(5) {
                0 if !t.is_empty() => t[at] = rng.next() as u8,
                1 if !t.is_empty() => t[at] = TAGS[rng.below(TAGS.len())],
                2 => t.insert(at.min(t.len()), rng.next() as u8),
                3 if !t.is_empty() => {
                    t.remove(at);
                }
                _ => t.truncate(at),
            }
        }
        exercise(&t);
    }
}

#[test]
fn nesting_is_bounded_without_overflowing_the_stack() {
    let mut deep = [tag::SMALL_TUPLE, 1].repeat(1_000_000);
    deep.push(tag::NIL);
    assert!(decode(&deep).unwrap_err().reason.contains("nesting deeper"));
    let mut ok = [tag::SMALL_TUPLE, 1].repeat(MAX_DEPTH);
    ok.push(tag::NIL);
    assert!(decode(&ok).is_ok());
}

#[test]
fn counts_are_checked_before_allocating() {
    for bytes in [
        &[tag::LIST, 0x7f, 0xff, 0xff, 0xff, tag::NIL, tag::NIL][..],
        &[tag::LARGE_TUPLE, 0xff, 0xff, 0xff, 0xff],
        &[tag::MAP, 0xff, 0xff, 0xff, 0xff, tag::NIL],
        &[tag::BINARY, 0xff, 0xff, 0xff, 0xff, 1],
        &[tag::LARGE_BIG, 0xff, 0xff, 0xff, 0xff, 0],
    ] {
        assert!(decode(bytes).is_err(), "{bytes:?}");
    }
}

#[test]
fn compressed_terms_inflate_within_the_limit() {
    let plain = vec![tag::NIL];
    let mut z = libflate::zlib::Encoder::new(Vec::new()).expect("encoder");
    std::io::Write::write_all(&mut z, &plain).expect("write");
    let zlib = z.finish().into_result().expect("finish");
    let mut ok = vec![tag::COMPRESSED, 0, 0, 0, 1];
    ok.extend_from_slice(&zlib);
    assert_eq!(uncompress(&ok).unwrap().as_ref(), &plain[..]);
    let mut lie = vec![tag::COMPRESSED, 0, 0, 0, 9];
    lie.extend_from_slice(&zlib);
    assert!(uncompress(&lie).is_err());
    assert!(uncompress(&[tag::COMPRESSED, 0xff, 0xff, 0xff, 0xff, 0x78, 0x9c]).is_err());
}

/// A random term model, written with the writer and compared after decoding.
#[derive(Debug, Clone, PartialEq)]
enum Model {
    Int(i64),
    Float(f64),
    Atom(String),
    Binary(Vec<u8>),
    Tuple(Vec<Model>),
    List(Vec<Model>),
    Map(Vec<(Model, Model)>),
}

fn model(rng: &mut Rng, depth: usize) -> Model {
    let leaf = depth > 4;
    match rng.below(if leaf { 4 } else { 7 }) {
        0 => Model::Int(match rng.below(3) {
            0 => rng.below(300) as i64,
            1 => rng.next() as i32 as i64,
            _ => rng.next() as i64,
        }),
        1 => Model::Float(f64::from_bits(rng.next() >> 2)),
        2 => Model::Atom((0..rng.below(10)).map(|_| ['a', 'Z', 'é', '_', '☃'][rng.below(5)]).collect()),
        3 => Model::Binary((0..rng.below(20)).map(|_| rng.next() as u8).collect()),
        4 => Model::Tuple((0..rng.below(4)).map(|_| model(rng, depth + 1)).collect()),
        5 => Model::List((0..rng.below(4)).map(|_| model(rng, depth + 1)).collect()),
        _ => Model::Map((0..rng.below(3)).map(|_| (model(rng, depth + 1), model(rng, depth + 1))).collect()),
    }
}

fn write(w: &mut Writer, m: &Model) {
    match m {
        Model::Int(i) => w.int(*i),
        Model::Float(f) => w.float(*f),
        Model::Atom(a) => w.atom(a),
        Model::Binary(b) => w.binary(b),
        Model::Tuple(items) => {
            w.tuple_header(items.len());
            items.iter().for_each(|i| write(w, i));
        }
        Model::List(items) => {
            if !items.is_empty() {
                w.list_header(items.len());
                items.iter().for_each(|i| write(w, i));
            }
            w.nil();
        }
        Model::Map(pairs) => {
            w.map_header(pairs.len());
            for (k, v) in pairs {
                write(w, k);
                write(w, v);
            }
        }
    }
}

fn matches(t: &Term, m: &Model) -> bool {
    match (t, m) {
        (Term::Int(a), Model::Int(b)) => a == b,
        (Term::Float(a), Model::Float(b)) => a.to_bits() == b.to_bits(),
        (Term::Atom(a), Model::Atom(b)) => a == b,
        (Term::Binary(a), Model::Binary(b)) => a == b,
        (Term::Tuple(a), Model::Tuple(b)) | (Term::List(a), Model::List(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| matches(x, y))
        }
        (Term::Nil, Model::List(b)) => b.is_empty(),
        (Term::Map(a), Model::Map(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|((k, v), (mk, mv))| matches(k, mk) && matches(v, mv))
        }
        _ => false,
    }
}

#[test]
fn random_terms_round_trip() {
    let mut rng = Rng(0x0123_4567_89ab_cdef);
    for _ in 0..20_000 {
        let m = model(&mut rng, 0);
        let mut w = Writer::default();
        write(&mut w, &m);
        let bytes = w.into_bytes();
        let t = decode(&bytes).unwrap_or_else(|e| panic!("{e} for {m:?}"));
        assert!(matches(&t, &m), "{m:?} decoded as {t:?}");
        let _ = print(&t);
    }
}
