//! The build script: the PHP API built against, which fixes the save
//! handler's C layout (`build-rs/php_api.rs`), and the Erlang session store the
//! extension carries (`build-rs/erlang.rs`; not `build/`, which phpize owns and
//! `phpize --clean` removes).

#[path = "build-rs/erlang.rs"]
mod erlang;
#[path = "build-rs/php_api.rs"]
mod php_api;

use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    php_api::configure(&out);
    erlang::embed(&out);
}
