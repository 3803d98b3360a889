#![no_main]
//! Parses and evaluates arbitrary text as a Terraform root's only `.tf` file, then as its
//! only tfvars file (next to an empty `.tf` file, so the variables are evaluated).

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    common::on_worker_stack(|| {
        let _ =
            aksguard::terraform::load_root(vec![(0, "main.tf".into(), text.clone())], vec![]);
        let _ = aksguard::terraform::load_root(
            vec![(0, "main.tf".into(), String::new())],
            vec![(1, "terraform.tfvars".into(), text)],
        );
    });
});
