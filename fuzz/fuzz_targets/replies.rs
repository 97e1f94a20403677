//! A link's reply handling: framing, routing to calls, and the session store's reply parsers.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| peb::fuzz::replies(data));
