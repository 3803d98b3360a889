//! An empty cluster in each format comes out all-defaults, per provider major version:
//! the fields table decides what absent means, not the adapters.

use aksguard::config::Config;
use aksguard::engine;
use aksguard::model::cluster::lower_cluster;
use aksguard::model::field::State;
use aksguard::model::raw::RawResource;
use aksguard::source::Sources;

fn terraform_cluster(major: Option<u8>) -> RawResource {
    let versions = match major {
        Some(m) => format!(
            "terraform {{\n  required_providers {{\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = \"~> {m}.0\"\n    }}\n  }}\n}}\n"
        ),
        None => String::new(),
    };
    let text = format!("{versions}resource \"azurerm_kubernetes_cluster\" \"aks\" {{\n}}\n");
    let mut sources = Sources::default();
    let id = sources.add("main.tf".into(), text.clone());
    let aksguard::terraform::Loaded {
        mut resources,
        errors,
        ..
    } = aksguard::terraform::load(aksguard::terraform::Root {
        files: vec![aksguard::terraform::parse(id, "main.tf", text).map(std::sync::Arc::new)],
        ..Default::default()
    });
    assert!(errors.is_empty());
    assert_eq!(resources.len(), 1);
    resources.remove(0)
}

fn arm_cluster() -> RawResource {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {"type": "Microsoft.ContainerService/managedClusters", "apiVersion": "2025-10-01", "name": "aks", "properties": {}}
  ]
}"#;
    let mut resources =
        aksguard::arm::load_template(0, text, None).unwrap_or_else(|e| panic!("{}", e.message));
    assert_eq!(resources.len(), 1);
    resources.remove(0)
}

#[test]
fn empty_terraform_cluster_is_all_defaults() {
    for major in [Some(3), Some(4), Some(5), None] {
        let res = terraform_cluster(major);
        let c = lower_cluster(&res);
        let oidc_default = major.is_none_or(|m| m >= 5);
        let bools = [
            (&c.private_cluster, false),
            (&c.entra_integration, false),
            (&c.entra_managed, false),
            (&c.azure_rbac, false),
            (&c.local_accounts_disabled, false),
            (&c.kubernetes_rbac, true),
            (&c.azure_policy, false),
            (&c.workload_identity, false),
            (&c.oidc_issuer, oidc_default),
            (&c.keyvault_csi, false),
            (&c.keyvault_rotation, false),
            (&c.defender, false),
            (&c.ssh_key, false),
        ];
        for (field, want) in bools {
            assert_eq!(
                field.state,
                State::Default,
                "{} on azurerm {major:?}",
                field.attribute
            );
            assert_eq!(
                field.value,
                Some(want),
                "{} on azurerm {major:?}",
                field.attribute
            );
            assert_eq!(
                field.at, res.header,
                "{} anchors on the resource header",
                field.attribute
            );
        }
        assert_eq!(c.network_policy.value.as_deref(), Some("none"));
        assert_eq!(c.upgrade_channel.value.as_deref(), Some("none"));
        assert_eq!(c.node_os_channel.value.as_deref(), Some("NodeImage"));
        assert_eq!(c.support_plan.value.as_deref(), Some("KubernetesOfficial"));
        assert_eq!(c.kubernetes_version.state, State::Default);
        assert_eq!(c.kubernetes_version.value, None);
        assert_eq!(c.authorized_ip_ranges.value, Some(vec![]));
        assert_eq!(c.outbound_type.state, State::Default);
        assert_eq!(c.outbound_type.value.as_deref(), Some("loadBalancer"));
        assert!(c.pools.is_empty());
    }
}

#[test]
fn empty_arm_cluster_is_all_defaults() {
    let res = arm_cluster();
    let c = lower_cluster(&res);
    let bools = [
        (&c.private_cluster, false),
        (&c.entra_managed, false),
        (&c.azure_rbac, false),
        (&c.local_accounts_disabled, false),
        (&c.kubernetes_rbac, true),
        (&c.azure_policy, false),
        (&c.workload_identity, false),
        (&c.oidc_issuer, false),
        (&c.keyvault_csi, false),
        (&c.keyvault_rotation, false),
        (&c.defender, false),
    ];
    for (field, want) in bools {
        assert_eq!(field.state, State::Default, "{}", field.attribute);
        assert_eq!(field.value, Some(want), "{}", field.attribute);
        assert_eq!(
            field.at, res.header,
            "{} anchors on the `type` property",
            field.attribute
        );
    }
    assert_eq!(c.network_policy.value.as_deref(), Some("none"));
    assert_eq!(c.upgrade_channel.value.as_deref(), Some("none"));
    assert_eq!(c.node_os_channel.value.as_deref(), Some("NodeImage"));
    assert_eq!(c.authorized_ip_ranges.value, Some(vec![]));
    assert_eq!(c.outbound_type.state, State::Default);
    assert_eq!(c.outbound_type.value.as_deref(), Some("loadBalancer"));
}

/// What the defaults mean for the rules: RBAC on and NodeImage are not findings; a public,
/// unrestricted API server and disabled local-account hardening are.
#[test]
fn empty_clusters_fire_only_where_the_default_is_insecure() {
    let dir = std::env::temp_dir().join(format!("aksguard-defaults-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("main.tf"),
        "resource \"azurerm_kubernetes_cluster\" \"aks\" {\n}\n",
    )
    .unwrap();
    let config = Config::default_for(&dir);
    let scan = engine::lint(&engine::Request::new(std::slice::from_ref(&dir), &config));
    let rules: Vec<&str> = scan.findings.iter().map(|f| f.rule).collect();
    for fired in [
        "AKS001", "AKS004", "AKS005", "AKS007", "AKS008", "AKS009", "AKS010", "AKS011", "AKS014",
    ] {
        assert!(
            rules.contains(&fired),
            "{fired} should fire on an empty cluster: {rules:?}"
        );
    }
    for quiet in [
        "AKS002", "AKS003", "AKS006", "AKS012", "AKS013", "AKS015", "AKS018", "AKS020", "AKS021",
    ] {
        assert!(
            !rules.contains(&quiet),
            "{quiet} must not fire on an empty cluster"
        );
    }
    for finding in &scan.findings {
        let aksguard::report::LineSpan { line, column, .. } =
            aksguard::report::span_lines(&scan.sources, finding.at);
        assert_eq!(
            (line, column),
            (1, 1),
            "{} anchors on the resource header",
            finding.rule
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bicep lowers into the ARM shape, so the ARM defaults apply, anchored on the resource's
/// type string in the `.bicep` file.
#[test]
fn empty_bicep_cluster_is_all_defaults() {
    let text = "resource aks 'Microsoft.ContainerService/managedClusters@2025-10-01' = {\n  name: 'aks'\n  properties: {}\n}\n";
    let input = aksguard::bicep::Input {
        file: 0,
        path: std::path::Path::new("/main.bicep"),
        text,
    };
    struct NoModules;
    impl aksguard::bicep::Files for NoModules {
        fn get(&self, _: &std::path::Path) -> Option<(aksguard::source::FileId, &str)> {
            None
        }
    }
    let resources = aksguard::bicep::load(input, None, &NoModules).resources;
    assert_eq!(resources.len(), 1);
    let res = &resources[0];
    assert_eq!(
        &text[res.header.start as usize..res.header.end as usize],
        "'Microsoft.ContainerService/managedClusters@2025-10-01'"
    );
    let c = lower_cluster(res);
    let bools = [
        (&c.private_cluster, false),
        (&c.entra_managed, false),
        (&c.azure_rbac, false),
        (&c.local_accounts_disabled, false),
        (&c.kubernetes_rbac, true),
        (&c.azure_policy, false),
        (&c.workload_identity, false),
        (&c.oidc_issuer, false),
        (&c.keyvault_csi, false),
        (&c.keyvault_rotation, false),
        (&c.defender, false),
    ];
    for (field, want) in bools {
        assert_eq!(field.state, State::Default, "{}", field.attribute);
        assert_eq!(field.value, Some(want), "{}", field.attribute);
        assert_eq!(field.at, res.header, "{}", field.attribute);
    }
    assert_eq!(c.network_policy.value.as_deref(), Some("none"));
    assert_eq!(c.upgrade_channel.value.as_deref(), Some("none"));
    assert_eq!(c.authorized_ip_ranges.value, Some(vec![]));
}

/// A pool that says nothing about public IPs has none, in every format and provider major.
#[test]
fn empty_node_pools_have_no_public_ips() {
    for major in [Some(3), Some(4), None] {
        let mut res = terraform_cluster(major);
        res.kind = "azurerm_kubernetes_cluster_node_pool".to_string();
        let pool = aksguard::model::cluster::lower_node_pool(&res);
        assert_eq!(pool.public_ip.state, State::Default);
        assert_eq!(pool.public_ip.value, Some(false));
        let name = if major == Some(3) {
            "enable_node_public_ip"
        } else {
            "node_public_ip_enabled"
        };
        assert_eq!(pool.public_ip.attribute, name, "azurerm {major:?}");
    }
    let mut res = arm_cluster();
    res.kind = "Microsoft.ContainerService/managedClusters/agentPools".to_string();
    let pool = aksguard::model::cluster::lower_node_pool(&res);
    assert_eq!(pool.public_ip.state, State::Default);
    assert_eq!(pool.public_ip.value, Some(false));
    assert_eq!(pool.public_ip.attribute, "enableNodePublicIP");
}
