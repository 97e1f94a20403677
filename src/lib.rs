//! peb: the PHP-Erlang Bridge as a PHP 8 extension in Rust.
//!
//! `term` is Erlang's external term format (no PHP inside but the value
//! mapping); `php` is everything PHP sees.
#![cfg_attr(windows, feature(abi_vectorcall))]

pub mod node;
pub mod php;
pub mod term;

use ext_php_rs::prelude::*;

#[php_module]
pub fn get_module(module: ModuleBuilder) -> ModuleBuilder {
    php::module(module)
}
