//! Compiles the Erlang session server (`erlang/session_handler.erl`) with
//! `erlc` so that the extension carries its beams and can install them into
//! a stock node (`peb.session.autoload`). Without `erlc` the build still
//! succeeds: the extension then carries no beams, and says so when autoload
//! would need them.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The modules of the server, in the order they are loaded.
const MODULES: [&str; 1] = ["session_handler"];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for m in MODULES {
        println!("cargo:rerun-if-changed=erlang/{m}.erl");
    }
    let compiled = MODULES.iter().all(|m| erlc(m, &out));
    if !compiled {
        println!(
            "cargo:warning=erlc is missing or failed: this build carries no Erlang session server (autoload disabled)"
        );
    }
    let entries: Vec<String> = if compiled {
        MODULES.iter().map(|m| format!("(\"{m}\", include_bytes!(\"{}/{m}.beam\"))", out.display())).collect()
    } else {
        Vec::new()
    };
    let code = format!(
        "/// The server's modules and their beams.\npub const BEAMS: &[(&str, &[u8])] = &[{}];\n",
        entries.join(", ")
    );
    std::fs::write(out.join("beams.rs"), code).expect("OUT_DIR is writable");
}

fn erlc(module: &str, out: &Path) -> bool {
    Command::new("erlc").arg("-o").arg(out).arg(format!("erlang/{module}.erl")).status().is_ok_and(|s| s.success())
}
