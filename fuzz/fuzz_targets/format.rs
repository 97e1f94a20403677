//! The format-string encoder (`peb_encode`): a format and the values for it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peb::fuzz::format(data));
