//! The hardened decoder on untrusted bytes (`peb_decode`, every frame a node sends).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peb::fuzz::decode(data));
