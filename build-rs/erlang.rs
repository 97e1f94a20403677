//! The Erlang session store (the `peb_session` application in `erlang/src/`),
//! compiled with `erlc` so that the extension carries its beams, their
//! preprocessed forms (for nodes of another OTP release) and its `.app`, and
//! can install them into a stock node (`peb.session.autoload`). Without
//! `erlc` the build still succeeds: the extension then carries no server, and
//! says so when autoload would need it.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The application's resource file: its `modules` are the one list of the
/// modules the extension carries. Nodes get its text as `peb_session.app`.
const APP_FILE: &str = "erlang/src/peb_session.app.src";

/// Where the application's modules are: `<SRC_DIR>/<module>.erl`.
const SRC_DIR: &str = "erlang/src";

/// Writes `beams.rs` into `out`: for each module of the application its
/// beam and its preprocessed forms (so that a node of another OTP can
/// compile it, see `src/session/server.rs`), the OTP release of the erlc
/// that made them, and the `.app` text. Without erlc (or when it fails)
/// nothing is carried.
pub fn embed(out: &Path) {
    println!("cargo:rerun-if-changed={APP_FILE}");
    let app_text = std::fs::read_to_string(APP_FILE).unwrap_or_else(|e| panic!("{APP_FILE}: {e}"));
    let modules = app_modules(&app_text).unwrap_or_else(|e| panic!("{APP_FILE}: {e}"));
    let modules = compile_order(modules);
    for m in &modules {
        println!("cargo:rerun-if-changed={SRC_DIR}/{m}.erl");
    }
    let otp = modules.iter().all(|m| erlc(m, out)).then(|| forms(&modules, out)).flatten();
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
    let app = std::fs::canonicalize(APP_FILE).expect("the .app exists: it was read");
    let code = format!(
        "/// The application's modules: beams and preprocessed forms.\npub const CARRIED: &[Carried] = &[{}];\n\
         /// The OTP release of the erlc that compiled the beams (empty when none).\npub const BUILD_OTP: &str = \"{}\";\n\
         /// The application's resource file, erlang/src/peb_session.app.src.\npub const APP: &str = include_str!(\"{}\");\n",
        entries.join(", "),
        otp.unwrap_or_default(),
        app.display()
    );
    std::fs::write(out.join("beams.rs"), code).expect("OUT_DIR is writable");
}

/// The atoms of the `{modules, [...]}` entry of an `.app` file, in order.
/// A small parse: comments and strings are skipped, and every module must
/// be a plain atom naming a file `erlang/src/<module>.erl`.
fn app_modules(app: &str) -> Result<Vec<String>, String> {
    let text = without_comments_and_strings(app);
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let start = compact.find("{modules,[").ok_or("no {modules, [...]} entry")? + "{modules,[".len();
    let len = compact[start..].find(']').ok_or("the modules list is not closed")?;
    let modules: Vec<String> = compact[start..start + len]
        .split(',')
        .filter(|m| !m.is_empty())
        .map(|m| m.trim_matches('\'').to_string())
        .collect();
    if modules.is_empty() {
        return Err("the modules list is empty".into());
    }
    for m in &modules {
        let plain =
            m.starts_with(|c: char| c.is_ascii_lowercase()) && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return Err(format!("`{m}` is not a module name"));
        }
        if !Path::new(&format!("{SRC_DIR}/{m}.erl")).is_file() {
            return Err(format!("module {m} is listed, but {SRC_DIR}/{m}.erl does not exist"));
        }
    }
    Ok(modules)
}

/// Erlang text with `%` comments removed and string contents emptied (a
/// description may hold any character).
fn without_comments_and_strings(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '"' => {
                out.push_str("\"\"");
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Behaviour modules (those that declare a `-callback`) first: the modules
/// that implement them are compiled against their beams. The others keep
/// the `.app`'s order, which is also the order in which they are loaded.
fn compile_order(modules: Vec<String>) -> Vec<String> {
    let declares_callbacks = |m: &String| {
        std::fs::read_to_string(format!("{SRC_DIR}/{m}.erl"))
            .map(|src| src.lines().any(|l| l.starts_with("-callback")))
            .unwrap_or(false)
    };
    let (mut first, rest): (Vec<String>, Vec<String>) = modules.into_iter().partition(declares_callbacks);
    first.extend(rest);
    first
}

/// Compiles one module into `out`, warnings as errors: a beam that compiles
/// with warnings is not carried. erlc's messages are passed on.
fn erlc(module: &str, out: &Path) -> bool {
    let result = Command::new("erlc")
        .arg("+warnings_as_errors")
        .arg("-pa")
        .arg(out)
        .arg("-o")
        .arg(out)
        .arg(format!("{SRC_DIR}/{module}.erl"))
        .output();
    match result {
        Ok(o) if o.status.success() => true,
        Ok(o) => {
            let messages = String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr);
            for line in messages.lines().filter(|l| !l.trim().is_empty()) {
                println!("cargo:warning=erlc: {line}");
            }
            false
        }
        Err(_) => false,
    }
}

/// Writes each module's preprocessed forms (`epp`, as `erlc -P` sees them)
/// to `OUT_DIR/<module>.forms` as one external term without its version
/// byte, ready to be an rpc argument; returns the OTP release of the `erl`
/// beside `erlc`, which did the preprocessing.
fn forms(modules: &[String], out: &Path) -> Option<String> {
    const SCRIPT: &str = "[Out, Src | Ms] = init:get_plain_arguments(), \
        lists:foreach(fun(M) -> \
            {ok, Fs} = epp:parse_file(filename:join(Src, M ++ \".erl\"), []), \
            [] = [E || {error, _} = E <- Fs], \
            <<131, T/binary>> = term_to_binary(Fs), \
            ok = file:write_file(filename:join(Out, M ++ \".forms\"), T) end, Ms), \
        io:put_chars(erlang:system_info(otp_release)), halt().";
    let output = Command::new(erl())
        .args(["-noshell", "-noinput", "-eval", SCRIPT, "-extra"])
        .arg(out)
        .arg(SRC_DIR)
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
