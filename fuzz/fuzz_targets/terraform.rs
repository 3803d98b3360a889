#![no_main]
//! Parses and evaluates arbitrary text as a Terraform root's only `.tf` file, as its only
//! `.tf.json` file, and as its tfvars in both syntaxes (next to an empty `.tf` file, so the
//! variables are evaluated).

mod common;

use aksguard::terraform::{load, Root};
use libfuzzer_sys::fuzz_target;

fn root(files: Vec<(u32, &str, &str)>, tfvars: Vec<(u32, &str, &str)>) -> Root {
    let owned = |list: Vec<(u32, &str, &str)>| {
        list.into_iter()
            .map(|(id, name, text)| (id, name.to_string(), text.to_string()))
            .collect()
    };
    Root {
        files: owned(files),
        tfvars: owned(tfvars),
        ..Root::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    common::on_worker_stack(|| {
        let _ = load(root(vec![(0, "main.tf", &text)], vec![]));
        let _ = load(root(vec![(0, "main.tf.json", &text)], vec![]));
        for vars in ["terraform.tfvars", "terraform.tfvars.json"] {
            let _ = load(root(vec![(0, "main.tf", "")], vec![(1, vars, &text)]));
        }
    });
});
