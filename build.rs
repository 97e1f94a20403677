//! Compiles the Erlang session store (the `peb_session` application in
//! `erlang/`) with `erlc` so that the extension carries its beams, their
//! preprocessed forms (for nodes of another OTP release) and its `.app`, and
//! can install them into a stock node (`peb.session.autoload`). Without
//! `erlc` the build still succeeds: the extension then carries no server, and
//! says so when autoload would need it.

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
    for m in MODULES {
        println!("cargo:rerun-if-changed=erlang/{m}.erl");
    }
    println!("cargo:rerun-if-changed=erlang/peb_session.app");
    embed_erlang(&MODULES, &out);
}

/// Writes `beams.rs`: for each module its beam and its preprocessed forms
/// (so that a node of another OTP can compile it, see
/// `src/session/server.rs`), the OTP release of the erlc that made them, and
/// the `.app` text. Without erlc (or when it fails) nothing is carried.
fn embed_erlang(modules: &[&str], out: &Path) {
    let otp = modules.iter().all(|m| erlc(m, out)).then(|| forms(modules, out)).flatten();
    if otp.is_none() {
        println!(
            "cargo:warning=erlc is missing or failed: this build carries no Erlang session server (autoload disabled)"
        );
    }
    let entries: Vec<String> = match otp {
        Some(_) => modules
            .iter()
            .map(|m| {
                let d = out.display();
                format!(
                    "Carried {{ module: \"{m}\", beam: include_bytes!(\"{d}/{m}.beam\"), forms: include_bytes!(\"{d}/{m}.forms\") }}"
                )
            })
            .collect(),
        None => Vec::new(),
    };
    let app = std::fs::canonicalize("erlang/peb_session.app").expect("erlang/peb_session.app exists");
    let code = format!(
        "/// The application's modules: beams and preprocessed forms.\npub const CARRIED: &[Carried] = &[{}];\n\
         /// The OTP release of the erlc that compiled the beams (empty when none).\npub const BUILD_OTP: &str = \"{}\";\n\
         /// The application's resource file, erlang/peb_session.app.\npub const APP: &str = include_str!(\"{}\");\n",
        entries.join(", "),
        otp.unwrap_or_default(),
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

/// Writes each module's preprocessed forms (`epp`, as `erlc -P` sees them)
/// to `OUT_DIR/<module>.forms` as one external term without its version
/// byte, ready to be an rpc argument; returns the OTP release of the `erl`
/// beside `erlc`, which did the preprocessing.
fn forms(modules: &[&str], out: &Path) -> Option<String> {
    const SCRIPT: &str = "[Out | Ms] = init:get_plain_arguments(), \
        lists:foreach(fun(M) -> \
            {ok, Fs} = epp:parse_file(\"erlang/\" ++ M ++ \".erl\", []), \
            [] = [E || {error, _} = E <- Fs], \
            <<131, T/binary>> = term_to_binary(Fs), \
            ok = file:write_file(filename:join(Out, M ++ \".forms\"), T) end, Ms), \
        io:put_chars(erlang:system_info(otp_release)), halt().";
    let output = Command::new(erl())
        .args(["-noshell", "-noinput", "-eval", SCRIPT, "-extra"])
        .arg(out)
        .args(modules)
        .output()
        .ok()?;
    let otp = String::from_utf8(output.stdout).ok()?;
    (output.status.success() && !otp.is_empty() && otp.bytes().all(|b| b.is_ascii_digit())).then_some(otp)
}

/// The `erl` of the same installation as the `erlc` on the PATH.
fn erl() -> PathBuf {
    let beside = std::env::var_os("PATH")
        .and_then(|path| std::env::split_paths(&path).map(|d| d.join("erlc")).find(|p| p.is_file()))
        .and_then(|erlc| std::fs::canonicalize(erlc).ok())
        .map(|erlc| erlc.with_file_name("erl"));
    beside.filter(|p| p.is_file()).unwrap_or_else(|| "erl".into())
}
