#![no_main]
//! Writes arbitrary bytes to a file and reads it back through the one bounded reader every
//! scanned file goes through (regular-file check, size before reading, BOM, NUL and UTF-8),
//! then hands what it accepts to the Kubernetes/pipeline YAML loader, the ARM classifier and
//! the Dockerfile parser, the formats detected by content.

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("aksguard-fuzz-reader-{}", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let read = aksguard::input::read_text(&path);
    let _ = std::fs::remove_file(&path);
    // The reader and the in-memory decoding agree on every input.
    assert_eq!(
        read.as_ref().ok(),
        aksguard::input::text(data.to_vec()).as_ref().ok()
    );
    if let Ok(text) = read {
        common::on_worker_stack(|| {
            let _ = aksguard::k8s::load_manifests(0, &text);
            let _ = aksguard::arm::classify(&text);
            let _ = aksguard::build::dockerfile::parse(0, &text);
        });
    }
});
