//! peb: the PHP-Erlang Bridge as a PHP 8 extension in Rust.
//!
//! `term` is Erlang's external term format (no PHP inside but the value
//! mapping); `node` one link to a node; `php` everything PHP sees;
//! `session` the save handler.
#![cfg_attr(windows, feature(abi_vectorcall))]

#[cfg(any(test, feature = "fuzz"))]
#[doc(hidden)]
pub mod fuzz;
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
        let builder = php::module(ModuleBuilder::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")));
        let (mut entry, _startup, owned) = match builder.try_into() {
            Ok(built) => built,
            // Only a NUL inside the static names above could fail; none is there.
            Err(_) => std::process::abort(),
        };
        entry.deps = DEPS.0.as_ptr();
        (entry, owned)
    })
}
