//! Replays the fuzz corpus (`fuzz/corpus/<target>/`) and every input that
//! once crashed a target (`fuzz/regressions/<target>/`) through the same
//! functions the cargo-fuzz targets call, so that `cargo test` checks on
//! any machine, without nightly Rust or cargo-fuzz, what the fuzzer found.

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            run(&std::fs::read(&path).unwrap());
            count += 1;
        }
    }
    assert!(count > 0, "no corpus for {target} in {}", root.display());
}

#[test]
fn decode_corpus() {
    replay("decode", super::decode);
}

#[test]
fn format_corpus() {
    replay("format", super::format);
}

#[test]
fn replies_corpus() {
    replay("replies", super::replies);
}
