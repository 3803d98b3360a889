#![no_main]
//! Parses arbitrary text as an `aksguard.toml`.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    common::on_worker_stack(|| {
        let path = std::path::Path::new("/tmp/aksguard.toml");
        let _ = aksguard::config::Config::parse(&text, path);
    });
});
