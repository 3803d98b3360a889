#![no_main]
//! Classifies and evaluates arbitrary text as an ARM deployment template.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    common::on_worker_stack(|| {
        let _ = aksguard::arm::classify(&text);
        let _ = aksguard::arm::load_template(0, &text, None);
    });
});
