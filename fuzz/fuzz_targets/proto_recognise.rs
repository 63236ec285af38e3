//! Fuzz target: arbitrary bytes, split and interleaved arbitrarily, decoded recognising the protocol from the bytes.
#![no_main]

#[path = "proto_input.rs"]
mod proto_input;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    proto_input::run(None, data);
});
