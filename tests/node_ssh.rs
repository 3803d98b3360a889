//! AKS015 end to end, Terraform and Bicep alike: nodes are reported only when a public key
//! is installed and SSH is not disabled, and the message says what is written or defaulted.

mod common;

use common::{check, findings, row};

#[test]
fn no_key_is_silent_in_every_format() {
    let (code, json) = check(&["testdata/aks015/keyless", "--select", "AKS015"]);
    assert_eq!(code, 0, "{json}");
    assert!(findings(&json).is_empty(), "{json}");
}

#[test]
fn a_key_with_ssh_left_on_is_reported_on_each_pool() {
    let (code, json) = check(&["testdata/aks015/keyed", "--select", "AKS015"]);
    assert_eq!(code, 1, "{json}");
    let bicep = "testdata/aks015/keyed/main.bicep";
    assert_eq!(
        findings(&json),
        [
            row(
                "AKS015",
                bicep,
                29,
                9,
                "Microsoft.ContainerService/managedClusters/keyed"
            ),
            row(
                "AKS015",
                bicep,
                46,
                7,
                "Microsoft.ContainerService/managedClusters/agentPools/keyed/batch"
            ),
            row(
                "AKS015",
                "testdata/aks015/keyed/main.tf",
                9,
                5,
                "azurerm_kubernetes_cluster.keyed"
            ),
        ]
        .into(),
        "{json}"
    );
    let message = |line: u64| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == bicep && f["line"] == line)
            .unwrap()
            .clone()
    };
    // Absent: the default is named as a default, never as written.
    let apps = message(29);
    assert_eq!(
        apps["message"],
        "Node pool `apps` accepts SSH with the cluster's public key (`sshAccess` is not set, and the AKS API default is `LocalUser`)"
    );
    assert_eq!(apps["related"][0]["line"], 11);
    assert_eq!(apps["related"][0]["column"], 9);
    assert_eq!(
        message(46)["message"],
        "Node pool `batch` accepts SSH with the cluster's public key (`sshAccess` is `LocalUser`)"
    );
}
