//! Compiles the Erlang session store (the `peb_session` application in
//! `erlang/`) with `erlc` so that the extension carries its beams and its
//! `.app` and can install them into a stock node (`peb.session.autoload`). Without `erlc` the build still
//! succeeds: the extension then carries no beams, and says so when autoload
//! would need them.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    embed_erlang(&out);
}

/// The application's resource file: its `modules` are the one list of the
/// modules the extension carries.
const APP_FILE: &str = "erlang/peb_session.app";

/// Writes `beams.rs` into `out`: the beams of the application's modules
/// (compiled there) and the text of its `.app`.
fn embed_erlang(out: &Path) {
    println!("cargo:rerun-if-changed={APP_FILE}");
    let app_text = std::fs::read_to_string(APP_FILE).unwrap_or_else(|e| panic!("{APP_FILE}: {e}"));
    let modules = app_modules(&app_text).unwrap_or_else(|e| panic!("{APP_FILE}: {e}"));
    let modules = compile_order(modules);
    for m in &modules {
        println!("cargo:rerun-if-changed=erlang/{m}.erl");
    }
    let compiled = modules.iter().all(|m| erlc(m, out));
    if !compiled {
        println!(
            "cargo:warning=erlc is missing or failed: this build carries no Erlang session server (autoload disabled)"
        );
    }
    let entries: Vec<String> = if compiled {
        modules.iter().map(|m| format!("(\"{m}\", include_bytes!(\"{}/{m}.beam\"))", out.display())).collect()
    } else {
        Vec::new()
    };
    let app = std::fs::canonicalize(APP_FILE).expect("the .app exists: it was read");
    let code = format!(
        "/// The application's modules and their beams.\npub const BEAMS: &[(&str, &[u8])] = &[{}];\n\
         /// The application's resource file, erlang/peb_session.app.\npub const APP: &str = include_str!(\"{}\");\n",
        entries.join(", "),
        app.display()
    );
    std::fs::write(out.join("beams.rs"), code).expect("OUT_DIR is writable");
}

/// The atoms of the `{modules, [...]}` entry of an `.app` file, in order.
/// A small parse: comments and strings are skipped, and every module must
/// be a plain atom naming a file `erlang/<module>.erl`.
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
        let plain = m.starts_with(|c: char| c.is_ascii_lowercase())
            && m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !plain {
            return Err(format!("`{m}` is not a module name"));
        }
        if !Path::new(&format!("erlang/{m}.erl")).is_file() {
            return Err(format!("module {m} is listed, but erlang/{m}.erl does not exist"));
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
        std::fs::read_to_string(format!("erlang/{m}.erl"))
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
        .arg(format!("erlang/{module}.erl"))
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
