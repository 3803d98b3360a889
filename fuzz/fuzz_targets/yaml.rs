#![no_main]
//! Loads arbitrary text as a (multi-document) Kubernetes manifest file.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    common::on_worker_stack(|| {
        let _ = aksguard::k8s::load_manifests(0, &text);
    });
});
