//! The resource types PHP code holds, and the only place that registers,
//! creates and reads them.
//!
//! Links ("PHP-Erlang Bridge", mypeb's name) hold a [`LinkHandle`].
//! Every term-like resource carries a [`TermValue`]: a complete term with its
//! version byte. Pids, references, ports and funs get their own type names
//! (as mypeb's "Erlang Pid") so that PHP code can tell them apart with
//! `get_resource_type()`; all of them decode, print and encode the same way.

use std::ffi::{CStr, c_char, c_int, c_void};
use std::sync::atomic::{AtomicI32, Ordering};

use ext_php_rs::ffi::zend_resource;
use ext_php_rs::types::Zval;

use std::cell::RefCell;
use std::rc::Rc;

use crate::node::Link;
use crate::term::{OpaqueKind, tag};

type Dtor = Option<unsafe extern "C" fn(*mut zend_resource)>;

unsafe extern "C" {
    fn zend_register_list_destructors_ex(ld: Dtor, pld: Dtor, type_name: *const c_char, module_number: c_int) -> c_int;
    fn zend_register_resource(rsrc_pointer: *mut c_void, rsrc_type: c_int) -> *mut zend_resource;
}

/// A term held by PHP code.
#[derive(Debug, Clone)]
pub struct TermValue {
    /// The whole term in external format, starting with the version byte 131.
    external: Box<[u8]>,
    /// Whether PHP asked for the version byte (`peb_vencode`): the term is
    /// the same either way, this only records where it came from.
    pub versioned: bool,
}

impl TermValue {
    /// `term` is one complete term without version byte.
    pub fn from_term(term: &[u8], versioned: bool) -> Self {
        let mut external = Vec::with_capacity(term.len() + 1);
        external.push(tag::VERSION);
        external.extend_from_slice(term);
        TermValue { external: external.into_boxed_slice(), versioned }
    }

    /// `external` starts with the version byte 131.
    pub fn from_external(external: Vec<u8>, versioned: bool) -> Self {
        debug_assert_eq!(external.first(), Some(&tag::VERSION));
        TermValue { external: external.into_boxed_slice(), versioned }
    }

    /// The term without version byte.
    pub fn term(&self) -> &[u8] {
        &self.external[1..]
    }

    /// The term with version byte, as `term_to_binary/1` gives it.
    pub fn external(&self) -> &[u8] {
        &self.external
    }
}

/// The resource types of this extension that hold a [`TermValue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Term,
    Pid,
    Reference,
    Port,
    Fun,
}

impl Kind {
    const ALL: [Kind; 5] = [Kind::Term, Kind::Pid, Kind::Reference, Kind::Port, Kind::Fun];

    fn type_name(self) -> &'static CStr {
        match self {
            Kind::Term => c"Erlang Term",
            Kind::Pid => c"Erlang Pid",
            Kind::Reference => c"Erlang Reference",
            Kind::Port => c"Erlang Port",
            Kind::Fun => c"Erlang Fun",
        }
    }

    pub fn of_opaque(kind: OpaqueKind) -> Kind {
        match kind {
            OpaqueKind::Pid => Kind::Pid,
            OpaqueKind::Port => Kind::Port,
            OpaqueKind::Reference => Kind::Reference,
            OpaqueKind::Fun => Kind::Fun,
        }
    }

    fn id(self) -> &'static AtomicI32 {
        static IDS: [AtomicI32; 5] = [const { AtomicI32::new(-1) }; 5];
        &IDS[self as usize]
    }
}

unsafe extern "C" fn drop_term_value(res: *mut zend_resource) {
    // SAFETY: PHP calls this once per resource of our types; `ptr` is null or
    // the Box we leaked in `new_resource`.
    unsafe {
        let ptr = (*res).ptr.cast::<TermValue>();
        if !ptr.is_null() {
            drop(Box::from_raw(ptr));
            (*res).ptr = std::ptr::null_mut();
        }
    }
}

/// Registers the resource types; called once from MINIT.
pub fn register(module_number: i32) {
    for kind in Kind::ALL {
        // SAFETY: MINIT runs single-threaded; the type name is a static C string
        // that PHP keeps a pointer to.
        let id = unsafe {
            zend_register_list_destructors_ex(Some(drop_term_value), None, kind.type_name().as_ptr(), module_number)
        };
        kind.id().store(id, Ordering::Relaxed);
    }
}

/// A new request-scoped resource owning `value`.
pub fn new_resource(kind: Kind, value: TermValue) -> Zval {
    let ptr = Box::into_raw(Box::new(value)).cast::<c_void>();
    let mut zv = Zval::new();
    // SAFETY: the type id was registered in MINIT with a destructor that frees
    // exactly this Box; the new resource's single reference goes to the zval.
    unsafe {
        let res = zend_register_resource(ptr, kind.id().load(Ordering::Relaxed));
        zv.set_resource(res);
    }
    zv
}

/// The term held by `zv`, if it is one of this extension's term resources.
pub fn term_of(zv: &Zval) -> Option<(Kind, &TermValue)> {
    let res = zv.dereference().resource()?;
    // SAFETY: `resource()` returns a live resource owned by the zval we borrow.
    let (ty, ptr) = unsafe { ((*res).type_, (*res).ptr.cast::<TermValue>()) };
    let kind = Kind::ALL.into_iter().find(|k| k.id().load(Ordering::Relaxed) == ty)?;
    // SAFETY: resources of our types hold a TermValue until their destructor
    // nulls the pointer; the borrow of `zv` keeps the resource alive.
    unsafe { ptr.as_ref() }.map(|v| (kind, v))
}

/// The name PHP gives the resource's type, for error messages.
pub fn type_name_of(zv: &Zval) -> String {
    if link_of(zv).is_some() {
        return "resource (PHP-Erlang Bridge)".to_string();
    }
    match term_of(zv) {
        Some((kind, _)) => format!("resource ({})", kind.type_name().to_string_lossy()),
        None => "resource".to_string(),
    }
}

/// What a link resource holds: the link (None once closed) and, for a
/// persistent one, how to find it again in the registry.
pub struct LinkHandle {
    pub link: RefCell<Option<std::sync::Arc<Link>>>,
    /// Node and cookie of a persistent link.
    pub persistent: Option<(String, String)>,
}

fn link_type() -> &'static AtomicI32 {
    static ID: AtomicI32 = AtomicI32::new(-1);
    &ID
}

unsafe extern "C" fn drop_link_handle(res: *mut zend_resource) {
    // SAFETY: PHP calls this once per link resource; `ptr` is null or the Box
    // leaked in `new_link_resource`.
    unsafe {
        let ptr = (*res).ptr.cast::<Rc<LinkHandle>>();
        if !ptr.is_null() {
            drop(Box::from_raw(ptr));
            (*res).ptr = std::ptr::null_mut();
        }
    }
}

/// Registers the link resource type; called once from MINIT.
pub fn register_link(module_number: i32) {
    // SAFETY: as in `register`.
    let id = unsafe {
        zend_register_list_destructors_ex(Some(drop_link_handle), None, c"PHP-Erlang Bridge".as_ptr(), module_number)
    };
    link_type().store(id, Ordering::Relaxed);
}

pub fn new_link_resource(handle: Rc<LinkHandle>) -> Zval {
    let ptr = Box::into_raw(Box::new(handle)).cast::<c_void>();
    let mut zv = Zval::new();
    // SAFETY: as in `new_resource`, for the link type and its destructor.
    unsafe {
        let res = zend_register_resource(ptr, link_type().load(Ordering::Relaxed));
        zv.set_resource(res);
    }
    zv
}

/// The handle behind a link resource.
pub fn link_of(zv: &Zval) -> Option<Rc<LinkHandle>> {
    let res = zv.dereference().resource()?;
    // SAFETY: a live resource owned by the zval we borrow; ours hold an
    // Rc<LinkHandle> until their destructor nulls the pointer.
    unsafe {
        if (*res).type_ != link_type().load(Ordering::Relaxed) {
            return None;
        }
        (*res).ptr.cast::<Rc<LinkHandle>>().as_ref().cloned()
    }
}

/// The pid `~p` encodes for a link resource: the link's own.
pub fn link_pid(zv: &Zval) -> Option<Vec<u8>> {
    let handle = link_of(zv)?;
    let link = handle.link.borrow();
    link.as_ref().map(|l| l.self_pid().to_vec())
}
