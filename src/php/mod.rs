//! The PHP face of the bridge: its functions (`codec`, `link`; the
//! session's own are `session::tag_functions`), the resources PHP code
//! holds, the php.ini settings, the PHP values mapped to and from terms
//! (`from_php`, `to_php`) and the argument checks (`args`). Nothing here
//! imports `session`: the save handler builds on this module, not the
//! reverse.
//! The module's lifecycle hooks are wired in `lib.rs`, beside the session's.

pub mod args;
pub mod array;
pub mod codec;
pub mod errors;
pub mod from_php;
pub mod ini;
pub mod link;
pub mod resources;
pub mod to_php;

use ext_php_rs::builders::ModuleBuilder;

/// MINIT: resource types and settings. No runtime, thread or socket is
/// made here: php-fpm forks after MINIT.
pub fn startup(module_number: i32) {
    resources::register(module_number);
    resources::register_link(module_number);
    ini::register(module_number);
}

/// RINIT: each request starts with no error.
pub fn request_start() {
    errors::clear();
}

/// RSHUTDOWN: the request's links close.
pub fn request_end() {
    link::request_end();
}

/// Adds the PHP functions to the module.
pub fn functions(module: ModuleBuilder) -> ModuleBuilder {
    link::functions(codec::functions(module))
}
