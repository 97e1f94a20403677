//! peb: the PHP-Erlang Bridge as a PHP 8 extension in Rust.
//!
//! `term` is Erlang's external term format (no PHP inside); `node` one
//! link to a node; `php` the PHP functions, resources and settings, and
//! the mapping of PHP values; `session` the save handler; `info` what
//! phpinfo() shows. This file is the module entry PHP loads, and wires the
//! lifecycle hooks of `php` and `session` into it.
#![cfg_attr(windows, feature(abi_vectorcall))]

#[cfg(any(test, feature = "fuzz"))]
#[doc(hidden)]
pub mod fuzz;
pub mod info;
pub mod node;
pub mod php;
pub mod session;
pub mod term;

use ext_php_rs::builders::ModuleBuilder;
use ext_php_rs::ffi::_zend_module_dep;
use ext_php_rs::zend::{ModuleEntry, StaticModuleEntry};

/// The extensions peb needs loaded before it: the save handler registers
/// itself with `session`.
struct Deps([_zend_module_dep; 2]);

// SAFETY: static, immutable, pointers to static strings only.
unsafe impl Sync for Deps {}

/// `MODULE_DEP_REQUIRED` of `zend_modules.h`.
const MODULE_DEP_REQUIRED: u8 = 1;

static DEPS: Deps = Deps([
    _zend_module_dep {
        name: c"session".as_ptr(),
        rel: std::ptr::null(),
        version: std::ptr::null(),
        type_: MODULE_DEP_REQUIRED,
    },
    _zend_module_dep { name: std::ptr::null(), rel: std::ptr::null(), version: std::ptr::null(), type_: 0 },
]);

/// The module entry PHP loads. Written by hand, not with `#[php_module]`,
/// because ext-php-rs cannot declare dependencies; peb registers no class
/// or constant, so the builder's own startup work is not needed.
#[unsafe(no_mangle)]
pub extern "C" fn get_module() -> *mut ModuleEntry {
    static ENTRY: StaticModuleEntry = StaticModuleEntry::new();
    ENTRY.get_or_init(|| {
        let builder = module(ModuleBuilder::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")));
        let (mut entry, _startup, owned) = match builder.try_into() {
            Ok(built) => built,
            // Only a NUL inside the static names above could fail; none is there.
            Err(_) => std::process::abort(),
        };
        entry.deps = DEPS.0.as_ptr();
        (entry, owned)
    })
}

/// The lifecycle hooks, phpinfo and the functions.
fn module(module: ModuleBuilder) -> ModuleBuilder {
    let module = module
        .startup_function(startup)
        .request_startup_function(request_startup)
        .request_shutdown_function(request_shutdown)
        .info_function(info::info);
    session::functions(php::functions(module))
}

/// MINIT: resource types, settings and the save handler.
extern "C" fn startup(_ty: i32, module_number: i32) -> i32 {
    php::startup(module_number);
    session::register();
    0
}

/// RINIT: each request starts with no error and no session write in flight.
extern "C" fn request_startup(_ty: i32, _module_number: i32) -> i32 {
    php::request_start();
    session::request_start();
    0
}

/// RSHUTDOWN: the request's links close; the session's writes are confirmed.
extern "C" fn request_shutdown(_ty: i32, _module_number: i32) -> i32 {
    php::request_end();
    session::request_end();
    0
}
