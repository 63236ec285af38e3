//! Fuzz target: arbitrary bytes, split and interleaved arbitrarily, decoded as MySQL.
#![no_main]

#[path = "proto_input.rs"]
mod proto_input;

use libfuzzer_sys::fuzz_target;
use tcpdialog::proto::Protocol;

fuzz_target!(|data: &[u8]| {
    proto_input::run(Some(Protocol::MySql), data);
});
