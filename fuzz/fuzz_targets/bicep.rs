#![no_main]
//! Parses and evaluates arbitrary text as a Bicep file that calls itself as a module and is
//! its own `.bicepparam` file, with its tree kept for the calls or parsed again for each.

mod common;

use aksguard::bicep::{self, Files, Input};
use aksguard::source::FileId;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

/// The input as every module it calls, parsed once (as the engine shares trees).
struct Itself<'a>(&'a str, Option<bicep::Tree>);

impl Files for Itself<'_> {
    fn get(&self, _: &Path) -> Option<(FileId, &str)> {
        Some((0, self.0))
    }
    fn tree(&self, _: FileId) -> Option<&bicep::Tree> {
        self.1.as_ref()
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    common::on_worker_stack(|| {
        let path = Path::new("/fuzz/main.bicep");
        let outline = bicep::outline(0, path, &text);
        // An odd-length input's tree is not kept, as the scan drops the trees past its
        // budget: each module call then parses the file again, charged as evaluation work.
        let kept = outline.tree.filter(|_| text.len() % 2 == 0);
        let itself = Itself(&text, kept);
        let input = Input {
            file: 0,
            path,
            text: &text,
        };
        let _ = bicep::load(input, None, &itself);
        let _ = bicep::load(input, Some(input), &itself);
    });
});
