//! The PHP API the extension is built for, and the layout of the session
//! extension's `ps_module` that goes with it (`src/session/module.rs`).
//!
//! The API number is `PHP_API_VERSION` of the headers `php-config` points
//! to (the same PHP ext-php-rs builds against: `PHP_CONFIG`, else
//! `php-config` on the PATH). It is looked up in [`KNOWN`]; a number not
//! there stops the build, as a layout guessed wrong would crash PHP at the
//! first session. The header `ext/session/php_session.h` is then read, and
//! its `ps_module` fields and `PS_OPEN_ARGS` are checked against what the
//! table says and handed to the unit tests (`OUT_DIR/php_session_h.rs`).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A PHP release the save handler knows.
struct Api {
    /// `PHP_API_VERSION` of `main/php.h` (equal to `ZEND_MODULE_API_NO` of
    /// `Zend/zend_modules.h` in each of these releases).
    number: u32,
    php: &'static str,
    /// `PS_OPEN_ARGS` passes the save path and the session name as
    /// `zend_string *` (else as `const char *`).
    open_zstr: bool,
}

/// The API numbers of php-src's release branches PHP-8.1 to PHP-8.5 and of
/// master after PHP-8.5 was branched (8.6). Across these, `ps_module` has
/// the same ten fields (`s_name`, then open, close, read, write, destroy,
/// gc, create_sid, validate_sid, update_timestamp; the last two since 7.1,
/// gc's `zend_long *nrdels` since 7.1; `int` became `zend_result`, the same
/// size, in 8.0/8.1), and only 8.6 changes a callback: open takes
/// `zend_string *save_path, zend_string *session_name`.
const KNOWN: [Api; 6] = [
    Api { number: 20210902, php: "8.1", open_zstr: false },
    Api { number: 20220829, php: "8.2", open_zstr: false },
    Api { number: 20230831, php: "8.3", open_zstr: false },
    Api { number: 20240924, php: "8.4", open_zstr: false },
    Api { number: 20250925, php: "8.5", open_zstr: false },
    Api { number: 20250926, php: "8.6", open_zstr: true },
];

/// The cfg set when open takes `zend_string *` arguments.
const OPEN_ZSTR_CFG: &str = "php_session_open_zstr";

/// Reads the API of the PHP being built against, sets the cfg of its
/// layout, and writes what the header says for the tests. Panics on an API
/// this table does not know, or on a header that disagrees with the table.
pub fn configure(out: &Path) {
    println!("cargo::rustc-check-cfg=cfg({OPEN_ZSTR_CFG})");
    println!("cargo:rerun-if-env-changed=PHP_CONFIG");
    println!("cargo:rerun-if-changed=build-rs/php_api.rs");
    let include = PathBuf::from(php_config("--include-dir"));
    let api = known_api(&include.join("main/php.h"));
    let (fields, open_args) = check_session_h(&include.join("ext/session/php_session.h"), api);
    if api.open_zstr {
        println!("cargo:rustc-cfg={OPEN_ZSTR_CFG}");
    }
    println!("cargo:rustc-env=PEB_PHP_API={}", api.number);
    println!("cargo:rustc-env=PEB_PHP_RELEASE={}", api.php);
    let code = format!(
        "/// The fields of `ps_module_struct` in the header built against, in order.\n\
         pub const PS_MODULE_FIELDS: &[&str] = &{fields:?};\n\
         /// `PS_OPEN_ARGS` of that header, its whitespace collapsed.\n\
         pub const PS_OPEN_ARGS: &str = {open_args:?};\n"
    );
    std::fs::write(out.join("php_session_h.rs"), code).expect("OUT_DIR is writable");
}

/// The entry of [`KNOWN`] for the API of `php_h`; the build stops on one not there.
fn known_api(php_h: &Path) -> &'static Api {
    println!("cargo:rerun-if-changed={}", php_h.display());
    let number = api_number(php_h);
    let Some(api) = KNOWN.iter().find(|a| a.number == number) else {
        let known: Vec<String> = KNOWN.iter().map(|a| format!("{} (PHP {})", a.number, a.php)).collect();
        panic!(
            "peb does not know PHP API {number} (PHP_API_VERSION of {}): its save handler's ps_module layout is \
             known for {}; add this API to build-rs/php_api.rs after checking ext/session/php_session.h",
            php_h.display(),
            known.join(", ")
        );
    };
    api
}

/// The fields of `ps_module_struct` and `PS_OPEN_ARGS` in `session_h`; the
/// build stops where open's arguments are not what `api` says.
fn check_session_h(session_h: &Path, api: &Api) -> (Vec<String>, String) {
    println!("cargo:rerun-if-changed={}", session_h.display());
    let header = std::fs::read_to_string(session_h)
        .unwrap_or_else(|e| panic!("cannot read {} (PHP's session headers): {e}", session_h.display()));
    let (fields, open_args) = parse_session_h(&header)
        .unwrap_or_else(|| panic!("{} has no ps_module_struct or PS_OPEN_ARGS", session_h.display()));
    let header_zstr = open_args.contains("zend_string *save_path");
    if header_zstr != api.open_zstr {
        panic!(
            "{} declares PS_OPEN_ARGS as `{open_args}`, which is not what build-rs/php_api.rs knows of PHP API {} \
             (PHP {}): the table is wrong for this PHP",
            session_h.display(),
            api.number,
            api.php
        );
    }
    (fields, open_args)
}

fn php_config(arg: &str) -> String {
    let bin = std::env::var_os("PHP_CONFIG").unwrap_or_else(|| "php-config".into());
    let output = Command::new(&bin)
        .arg(arg)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {} {arg} (set PHP_CONFIG or install php-dev): {e}", bin.display()));
    assert!(output.status.success(), "{} {arg} failed", bin.display());
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// `PHP_API_VERSION` of `main/php.h`; `php-config --phpapi` where the header does not say.
fn api_number(php_h: &Path) -> u32 {
    let from_header = std::fs::read_to_string(php_h).ok().and_then(|text| define_value(&text, "PHP_API_VERSION"));
    let text = from_header.unwrap_or_else(|| php_config("--phpapi"));
    text.trim().parse().unwrap_or_else(|_| panic!("PHP's API number is not a number: {text:?}"))
}

/// The value of `#define NAME value` in C text, its whitespace collapsed.
fn define_value(text: &str, name: &str) -> Option<String> {
    let lines = logical_lines(text);
    lines.iter().find_map(|line| {
        let rest = line.trim_start().strip_prefix('#')?.trim_start().strip_prefix("define")?;
        let rest = rest.trim_start().strip_prefix(name)?;
        rest.starts_with(char::is_whitespace).then(|| collapse(rest))
    })
}

/// The lines of C text with backslash continuations joined.
fn logical_lines(text: &str) -> Vec<String> {
    text.replace("\\\r\n", " ").replace("\\\n", " ").lines().map(str::to_string).collect()
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field names of `ps_module_struct` and `PS_OPEN_ARGS`.
fn parse_session_h(text: &str) -> Option<(Vec<String>, String)> {
    let start = text.find("typedef struct ps_module_struct")?;
    let body = &text[start..];
    let body = &body[body.find('{')? + 1..body.find('}')?];
    let fields = body.split(';').map(str::trim).filter(|d| !d.is_empty()).filter_map(field_name).collect();
    Some((fields, define_value(text, "PS_OPEN_ARGS")?))
}

/// The name a C declaration declares: `const char *s_name` or `zend_result (*s_open)(PS_OPEN_ARGS)`.
fn field_name(decl: &str) -> Option<String> {
    let name = match decl.find("(*") {
        Some(i) => &decl[i + 2..i + 2 + decl[i + 2..].find(')')?],
        None => decl.rsplit(|c: char| c.is_whitespace() || c == '*').next()?,
    };
    Some(name.trim().to_string())
}
