//! The PHP face of the extension: functions, resources, phpinfo.

pub mod args;
pub mod array;
pub mod codec;
pub mod errors;
pub mod from_php;
pub mod info;
pub mod ini;
pub mod link;
pub mod resources;
pub mod to_php;

use ext_php_rs::builders::ModuleBuilder;

/// MINIT: resource types, settings and the save handler. No runtime, thread or socket is made here:
/// php-fpm forks after MINIT.
pub extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    resources::register(module_number);
    resources::register_link(module_number);
    ini::register(module_number);
    crate::session::register();
    0
}

/// RINIT: each request starts with no error.
pub extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    errors::clear();
    crate::session::request_start();
    0
}

/// RSHUTDOWN: the request's links close; the session's writes are confirmed.
pub extern "C" fn request_shutdown(_ty: i32, _module_number: i32) -> i32 {
    link::request_end();
    crate::session::request_end();
    0
}

pub fn module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .startup_function(startup)
        .request_startup_function(request_startup)
        .request_shutdown_function(request_shutdown)
        .info_function(info::info);
    link::functions(codec::functions(module))
}
