//! AKS015 end to end, Terraform and Bicep alike: nodes are reported only when a public key
//! is installed and SSH is not disabled, and the message says what is written or defaulted.
//! testdata/aks015/keyed marks where each finding is reported (tests/markers.rs).

mod common;

use common::{check, findings, locate, named, unplaced};

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
    let cluster = "Microsoft.ContainerService/managedClusters/keyed";
    let batch = "Microsoft.ContainerService/managedClusters/agentPools/keyed/batch";
    assert_eq!(
        unplaced(&json, |_| true),
        [
            named("AKS015", bicep, cluster),
            named("AKS015", bicep, batch),
            named(
                "AKS015",
                "testdata/aks015/keyed/main.tf",
                "azurerm_kubernetes_cluster.keyed"
            ),
        ]
        .into(),
        "{json}"
    );
    assert_eq!(findings(&json).len(), 3, "{json}");
    let message = |resource: &str| {
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == bicep && f["resource"] == resource)
            .unwrap()
            .clone()
    };
    // Absent: the default is named as a default, never as written.
    let apps = message(cluster);
    assert_eq!(
        apps["message"],
        "Node pool `apps` accepts SSH with the cluster's public key (`sshAccess` is not set, and the AKS API default is `LocalUser`)"
    );
    // The other place is the cluster's public key.
    let (line, column) = locate(bicep, "publicKeys");
    assert_eq!(apps["related"][0]["line"], line);
    assert_eq!(apps["related"][0]["column"], column);
    assert_eq!(
        message(batch)["message"],
        "Node pool `batch` accepts SSH with the cluster's public key (`sshAccess` is `LocalUser`)"
    );
}
