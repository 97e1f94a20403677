//! Borrowing iteration over PHP arrays, straight over the engine's storage.
//!
//! ext-php-rs's iterator builds a key zval and calls into the engine for
//! every element, which dominated the cost of encoding small terms; the
//! layout of `zend_array` (packed zvals or buckets, holes marked IS_UNDEF)
//! has been stable since PHP 8.2, the oldest version this builds for.

use ext_php_rs::types::{ZendHashTable, ZendStr, Zval};

/// `HASH_FLAG_PACKED` from Zend/zend_hash.h.
const HASH_FLAG_PACKED: u32 = 1 << 2;
/// `IS_UNDEF`: an empty slot left by a deletion.
const IS_UNDEF: u32 = 0;

pub enum Key<'a> {
    Int(i64),
    Str(&'a [u8]),
}

fn is_undef(zv: &Zval) -> bool {
    // SAFETY: reading the type byte of an initialised zval.
    unsafe { zv.u1.type_info & 0xff == IS_UNDEF }
}

fn is_packed(ht: &ZendHashTable) -> bool {
    // SAFETY: `u.flags` is the flags word of a live array.
    unsafe { ht.u.flags & HASH_FLAG_PACKED != 0 }
}

/// The elements in order with their keys.
pub fn entries(ht: &ZendHashTable) -> impl Iterator<Item = (Key<'_>, &Zval)> {
    let used = ht.nNumUsed as usize;
    let packed = is_packed(ht);
    (0..used).filter_map(move |i| {
        if packed {
            // SAFETY: a packed array stores `nNumUsed` zvals at `arPacked`;
            // the borrow of `ht` keeps them alive and unmodified.
            let zv = unsafe { &*ht.__bindgen_anon_1.arPacked.add(i) };
            (!is_undef(zv)).then_some((Key::Int(i as i64), zv))
        } else {
            // SAFETY: a hash array stores `nNumUsed` buckets at `arData`; a
            // bucket's key is null for integer keys or a live zend_string.
            let b = unsafe { &*ht.__bindgen_anon_1.arData.add(i) };
            if is_undef(&b.val) {
                return None;
            }
            // SAFETY: as above, `b.key` is null or a live zend_string of the array.
            let key = match unsafe { b.key.cast::<ZendStr>().as_ref() } {
                Some(s) => Key::Str(s.as_bytes()),
                None => Key::Int(b.h as i64),
            };
            Some((key, &b.val))
        }
    })
}

/// The elements in order.
pub fn values(ht: &ZendHashTable) -> impl Iterator<Item = &Zval> {
    entries(ht).map(|(_, v)| v)
}

/// Whether the keys are 0, 1, 2, ... in order (PHP's `array_is_list`).
pub fn is_list(ht: &ZendHashTable) -> bool {
    if is_packed(ht) && ht.nNumUsed == ht.nNumOfElements {
        return true;
    }
    entries(ht).enumerate().all(|(i, (k, _))| matches!(k, Key::Int(n) if n == i as i64))
}

/// Appends `v`, handing its reference to the array.
pub fn push(ht: &mut ZendHashTable, v: Zval) {
    let mut v = std::mem::ManuallyDrop::new(v);
    // SAFETY: the engine copies the zval into the array, which takes over the
    // reference `v` held; `v` is never dropped, so nothing is released twice.
    unsafe { ext_php_rs::ffi::zend_hash_next_index_insert(ht, &raw mut *v) };
}
