//! Compiles the Erlang session store (the `peb_session` application in
//! `erlang/`) with `erlc` so that the extension carries its beams and its
//! `.app` and can install them into a stock node (`peb.session.autoload`). Without `erlc` the build still
//! succeeds: the extension then carries no beams, and says so when autoload
//! would need them. It also reads the PHP API built against, which fixes
//! the save handler's C layout (`build/php_api.rs`).

#[path = "build/php_api.rs"]
mod php_api;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The modules of the application, in the order they are compiled and
/// loaded (the behaviour the stores implement first).
const MODULES: [&str; 9] = [
    "peb_session_store",
    "peb_session_ets",
    "peb_session_mnesia",
    "peb_session_cluster",
    "peb_session_sup",
    "peb_session_app",
    "peb_session",
    "peb_session_locks",
    "session_handler",
];

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    php_api::configure(&out);
    for m in MODULES {
        println!("cargo:rerun-if-changed=erlang/{m}.erl");
    }
    println!("cargo:rerun-if-changed=erlang/peb_session.app");
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
    let app = std::fs::canonicalize("erlang/peb_session.app").expect("erlang/peb_session.app exists");
    let code = format!(
        "/// The application's modules and their beams.\npub const BEAMS: &[(&str, &[u8])] = &[{}];\n\
         /// The application's resource file, erlang/peb_session.app.\npub const APP: &str = include_str!(\"{}\");\n",
        entries.join(", "),
        app.display()
    );
    std::fs::write(out.join("beams.rs"), code).expect("OUT_DIR is writable");
}

fn erlc(module: &str, out: &Path) -> bool {
    Command::new("erlc")
        .arg("-pa")
        .arg(out)
        .arg("-o")
        .arg(out)
        .arg(format!("erlang/{module}.erl"))
        .status()
        .is_ok_and(|s| s.success())
}
