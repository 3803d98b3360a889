//! Never a false "clean": code the real tool accepts is read (never AG001), and what
//! aksguard cannot evaluate offline is announced (AG005 module-not-evaluated). Every
//! assertion names the rule, file, line, column and resource, and the exit code.

mod common;

use common::{check, row, rows};

#[test]
fn repeated_object_keys_are_read_as_terraform_does_the_later_one_wins() {
    let (code, json) = check(&["testdata/repeated_keys"]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    assert_eq!(json["summary"]["resources"], 3);
    // `local_account_disabled = true` then `= false`: false wins, so AKS005 fires; the
    // registry's `{ "admin" = false, admin = true }` is an admin user enabled.
    assert_eq!(
        rows(&json, |f| ["AKS005", "ACR004"]
            .contains(&f["rule"].as_str().unwrap())),
        [
            row(
                "ACR004",
                "testdata/repeated_keys/hcl/main.tf",
                31,
                3,
                "azurerm_container_registry.acr"
            ),
            row(
                "AKS005",
                "testdata/repeated_keys/hcl/main.tf",
                18,
                3,
                "azurerm_kubernetes_cluster.aks"
            ),
            row(
                "AKS005",
                "testdata/repeated_keys/json/main.tf.json",
                15,
                9,
                "azurerm_kubernetes_cluster.aks"
            ),
        ]
        .into_iter()
        .collect()
    );
}
