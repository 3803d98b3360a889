//! A scan parses each Terraform file once, however often a module is called and whether a
//! directory is a root or only called as a module. The count of parses is process-wide:
//! this file holds this one test so that no other scan runs beside it.

use aksguard::config::Config;
use aksguard::engine;
use std::path::PathBuf;

#[test]
fn every_terraform_file_is_parsed_once_per_scan() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/parse_once");
    // The module `modules/aks` is called three times (once with `count = 2`), and calls
    // `modules/naming` from each instance; both directories are only called as modules.
    let files = [
        "live/main.tf",
        "live/variables.tf",
        "live/outputs.tf.json",
        "live/terraform.tfvars",
        "modules/aks/main.tf",
        "modules/aks/variables.tf",
        "modules/naming/main.tf",
    ];
    for file in files {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let config = Config::default_for(&dir);
    let before = aksguard::terraform::parses();
    let scan = engine::lint(&engine::Request::new(std::slice::from_ref(&dir), &config));
    let parsed = aksguard::terraform::parses() - before;
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);
    // Every instance was evaluated from the shared trees: the cluster of each of the four
    // (`first`, `second`, `more[0]`, `more[1]`). Where
    // each finding is reported is checked by the fixture's markers (tests/markers.rs).
    let mut clusters: Vec<String> = scan
        .findings
        .iter()
        .filter(|f| f.rule == "AKS004")
        .map(|f| f.resource.clone())
        .collect();
    clusters.sort();
    assert_eq!(
        clusters,
        [
            "module.first.azurerm_kubernetes_cluster.this",
            "module.more[0].azurerm_kubernetes_cluster.this",
            "module.more[1].azurerm_kubernetes_cluster.this",
            "module.second.azurerm_kubernetes_cluster.this",
        ]
    );
    assert_eq!(parsed, files.len(), "Terraform files parsed in one scan");
}
