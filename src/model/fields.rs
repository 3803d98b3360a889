//! The one fields table: every model field with its Terraform attribute names (all azurerm
//! majors; the current name first, then older spellings that are still read), its ARM property path, and what an absent
//! attribute means, with the source of that default. Peers guess defaults inside their
//! adapters (Trivy's RBAC default is wrong); here they live in one reviewed place.

#[derive(Clone, Copy, Debug)]
pub enum DefaultValue {
    Bool(bool),
    Str(&'static str),
    EmptyList,
    EmptyMap,
    /// Absent has no value to compare (e.g. `kubernetes_version`: latest at creation).
    NoValue,
}

pub struct FieldSpec {
    pub name: &'static str,
    pub terraform: &'static [&'static str],
    pub arm: &'static [&'static str],
    pub terraform_default: DefaultValue,
    /// azurerm 5.x changed the default (OIDC issuer on).
    pub terraform_v5_default: Option<DefaultValue>,
    pub arm_default: DefaultValue,
    pub source: &'static str,
}

impl FieldSpec {
    /// How to name the field when it is absent: the spelling of that provider version
    /// (azurerm 4.0 renamed some attributes), the ARM path below `properties`.
    pub fn absent_name(&self, arm: bool, major: Option<u8>) -> &'static str {
        let Some(first) = self.paths(arm).first() else {
            return self.name;
        };
        if arm {
            return first.strip_prefix("properties.").unwrap_or(first);
        }
        if major == Some(3) {
            if let Some(old) = RENAMED_IN_4.iter().find(|(new, _)| new == first) {
                return old.1;
            }
        }
        first
    }

    /// The azurerm 3.x name of an attribute azurerm 4.0 renamed.
    pub fn renamed_from(&self) -> Option<&'static str> {
        let newest = self.terraform.first()?;
        RENAMED_IN_4
            .iter()
            .find(|(new, _)| new == newest)
            .map(|(_, old)| *old)
    }

    pub fn paths(&self, arm: bool) -> &'static [&'static str] {
        if arm {
            self.arm
        } else {
            self.terraform
        }
    }

    /// The part of `source` that speaks of this format: sources read
    /// "azurerm: ...; AKS API: ...".
    pub fn source_for(&self, arm: bool) -> &'static str {
        // Read for every field of every resource: a byte scan, not a substring search.
        let mut wanted = None;
        let mut rest = self.source;
        loop {
            let end = memchr::memchr_iter(b';', rest.as_bytes())
                .find(|&at| rest.as_bytes().get(at + 1) == Some(&b' '));
            let part = &rest[..end.unwrap_or(rest.len())];
            if part.starts_with("AKS API") == arm {
                if wanted.is_some() {
                    return self.source;
                }
                wanted = Some(part);
            }
            match end {
                Some(at) => rest = &rest[at + 2..],
                None => return wanted.unwrap_or(self.source),
            }
        }
    }

    /// `major` None means the newest provider (RULES: newest names when absent).
    pub fn default_for(&self, arm: bool, major: Option<u8>) -> DefaultValue {
        if arm {
            return self.arm_default;
        }
        match (self.terraform_v5_default, major) {
            (Some(d), None) => d,
            (Some(d), Some(m)) if m >= 5 => d,
            _ => self.terraform_default,
        }
    }
}

/// azurerm 4.0 renames: (4.x name, 3.x name).
const RENAMED_IN_4: &[(&str, &str)] = &[
    ("automatic_upgrade_channel", "automatic_channel_upgrade"),
    ("node_os_upgrade_channel", "node_os_channel_upgrade"),
    ("host_encryption_enabled", "enable_host_encryption"),
    ("node_public_ip_enabled", "enable_node_public_ip"),
];

macro_rules! field {
    ($ident:ident, $name:literal, tf: [$($tf:literal),*], arm: [$($arm:literal),*],
     default: $tfd:expr, $(v5: $v5:expr,)? arm_default: $armd:expr, source: $src:literal) => {
        pub const $ident: FieldSpec = FieldSpec {
            name: $name,
            terraform: &[$($tf),*],
            arm: &[$($arm),*],
            terraform_default: $tfd,
            terraform_v5_default: field!(@v5 $($v5)?),
            arm_default: $armd,
            source: $src,
        };
    };
    (@v5) => { None };
    (@v5 $v5:expr) => { Some($v5) };
}

use DefaultValue::*;

// ---- azurerm_kubernetes_cluster / Microsoft.ContainerService/managedClusters
field!(PRIVATE_CLUSTER, "private_cluster",
    tf: ["private_cluster_enabled"],
    arm: ["properties.apiServerAccessProfile.enablePrivateCluster"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: private_cluster_enabled defaults to false; AKS API: absent means a public API server");
field!(AUTHORIZED_IP_RANGES, "authorized_ip_ranges",
    tf: ["api_server_access_profile.authorized_ip_ranges", "api_server_authorized_ip_ranges"],
    arm: ["properties.apiServerAccessProfile.authorizedIPRanges", "properties.apiServerAuthorizedIPRanges"],
    default: EmptyList, arm_default: EmptyList,
    source: "azurerm and AKS API: no authorized ranges unless given (api_server_authorized_ip_ranges before azurerm 3.39)");
field!(AAD_BLOCK, "entra_integration",
    tf: ["azure_active_directory_role_based_access_control"],
    arm: ["properties.aadProfile"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: no Entra ID integration without the azure_active_directory_role_based_access_control block; AKS API: no Entra ID integration without aadProfile");
field!(AAD_MANAGED, "entra_managed",
    tf: ["azure_active_directory_role_based_access_control.managed"],
    arm: ["properties.aadProfile.managed"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm 3.x: managed defaults to false (4.x: the block is always managed); AKS API: aadProfile.managed defaults to false");
field!(AZURE_RBAC, "azure_rbac",
    tf: ["azure_active_directory_role_based_access_control.azure_rbac_enabled"],
    arm: ["properties.aadProfile.enableAzureRBAC"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: azure_rbac_enabled defaults to false; AKS API: enableAzureRBAC defaults to false");
field!(LOCAL_ACCOUNTS_DISABLED, "local_accounts_disabled",
    tf: ["local_account_disabled"],
    arm: ["properties.disableLocalAccounts"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: local_account_disabled defaults to false; AKS API: disableLocalAccounts defaults to false");
field!(KUBERNETES_RBAC, "kubernetes_rbac",
    tf: ["role_based_access_control_enabled", "role_based_access_control.enabled"],
    arm: ["properties.enableRBAC"],
    default: Bool(true), arm_default: Bool(true),
    source: "azurerm: role_based_access_control_enabled defaults to true; AKS API: enableRBAC defaults to true");
field!(AZURE_POLICY, "azure_policy",
    tf: ["azure_policy_enabled", "addon_profile.azure_policy.enabled"],
    arm: ["properties.addonProfiles.azurepolicy.enabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: azure_policy_enabled has no default (off); AKS API: add-ons are off unless enabled");
field!(NETWORK_POLICY, "network_policy",
    tf: ["network_profile.network_policy"],
    arm: ["properties.networkProfile.networkPolicy"],
    default: Str("none"), arm_default: Str("none"),
    source: "azurerm and AKS API: no network policy engine unless network_policy is set");
field!(WORKLOAD_IDENTITY, "workload_identity",
    tf: ["workload_identity_enabled"],
    arm: ["properties.securityProfile.workloadIdentity.enabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: workload_identity_enabled defaults to false; AKS API: off unless enabled");
field!(OIDC_ISSUER, "oidc_issuer",
    tf: ["oidc_issuer_enabled"],
    arm: ["properties.oidcIssuerProfile.enabled"],
    default: Bool(false), v5: Bool(true), arm_default: Bool(false),
    source: "azurerm 3.x/4.x: oidc_issuer_enabled defaults to false, 5.0 turns it on by default; AKS API: off unless enabled");
field!(KEYVAULT_CSI, "keyvault_csi",
    tf: ["key_vault_secrets_provider"],
    arm: ["properties.addonProfiles.azureKeyvaultSecretsProvider.enabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: the key_vault_secrets_provider block enables the add-on; AKS API: off unless enabled");
field!(KEYVAULT_ROTATION, "keyvault_rotation",
    tf: ["key_vault_secrets_provider.secret_rotation_enabled"],
    arm: ["properties.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: secret_rotation_enabled defaults to false; AKS API: enableSecretRotation defaults to \"false\"");
field!(UPGRADE_CHANNEL, "upgrade_channel",
    tf: ["automatic_upgrade_channel", "automatic_channel_upgrade"],
    arm: ["properties.autoUpgradeProfile.upgradeChannel"],
    default: Str("none"), arm_default: Str("none"),
    source: "azurerm: automatic_channel_upgrade (3.x) / automatic_upgrade_channel (4.x+) unset means none; AKS API: upgradeChannel defaults to none");
field!(NODE_OS_CHANNEL, "node_os_channel",
    tf: ["node_os_upgrade_channel", "node_os_channel_upgrade"],
    arm: ["properties.autoUpgradeProfile.nodeOSUpgradeChannel"],
    default: Str("NodeImage"), arm_default: Str("NodeImage"),
    source: "azurerm: node_os_channel_upgrade (3.x) / node_os_upgrade_channel (4.x+) default to NodeImage; AKS API: nodeOSUpgradeChannel defaults to NodeImage");
field!(KUBERNETES_VERSION, "kubernetes_version",
    tf: ["kubernetes_version"],
    arm: ["properties.kubernetesVersion"],
    default: NoValue, arm_default: NoValue,
    source: "absent: the latest supported version at creation");
field!(SUPPORT_PLAN, "support_plan",
    tf: ["support_plan"],
    arm: ["properties.supportPlan"],
    default: Str("KubernetesOfficial"), arm_default: Str("KubernetesOfficial"),
    source: "azurerm and AKS API: support plan defaults to KubernetesOfficial");
field!(DEFENDER, "defender",
    tf: ["microsoft_defender"],
    arm: ["properties.securityProfile.defender.securityMonitoring.enabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: the microsoft_defender block enables the sensor; AKS API: securityMonitoring is off unless enabled");
field!(SSH_KEY, "ssh_key",
    tf: ["linux_profile.ssh_key"],
    arm: ["properties.linuxProfile.ssh.publicKeys"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: no SSH key unless linux_profile.ssh_key is given");
field!(OUTBOUND_TYPE, "outbound_type",
    tf: ["network_profile.outbound_type"],
    arm: ["properties.networkProfile.outboundType"],
    default: Str("loadBalancer"), arm_default: Str("loadBalancer"),
    source: "azurerm: network_profile.outbound_type defaults to loadBalancer; AKS API: networkProfile.outboundType defaults to loadBalancer (a public Standard Load Balancer for egress)");
field!(DEFAULT_NODE_POOL, "default_node_pool",
    tf: ["default_node_pool"],
    arm: ["properties.agentPoolProfiles"],
    default: NoValue, arm_default: NoValue,
    source: "the cluster's inline pools");

// ---- node pools: inline (`default_node_pool`, `agentPoolProfiles[]`) and separate
// (`azurerm_kubernetes_cluster_node_pool`, `managedClusters/agentPools` under `properties`)
field!(POOL_NAME, "name", tf: ["name"], arm: ["name"],
    default: NoValue, arm_default: NoValue, source: "required");
field!(POOL_MODE, "mode", tf: ["mode"], arm: ["mode"],
    default: Str("User"), arm_default: Str("User"),
    source: "azurerm: node pool mode defaults to User (the default_node_pool is always System); AKS API: the first inline profile is the System pool when mode is absent");
field!(POOL_OS_TYPE, "os_type", tf: ["os_type"], arm: ["osType"],
    default: Str("Linux"), arm_default: Str("Linux"),
    source: "azurerm and AKS API: os_type defaults to Linux");
field!(POOL_OS_SKU, "os_sku", tf: ["os_sku"], arm: ["osSKU"],
    default: Str("Ubuntu"), arm_default: Str("Ubuntu"),
    source: "azurerm and AKS API: os_sku defaults to Ubuntu for Linux pools");
field!(POOL_HOST_ENCRYPTION, "host_encryption",
    tf: ["host_encryption_enabled", "enable_host_encryption"], arm: ["enableEncryptionAtHost"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: enable_host_encryption (3.x) / host_encryption_enabled (4.x+) default to false; AKS API: enableEncryptionAtHost defaults to false");
field!(POOL_PUBLIC_IP, "node_public_ip",
    tf: ["node_public_ip_enabled", "enable_node_public_ip"], arm: ["enableNodePublicIP"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: enable_node_public_ip (3.x) / node_public_ip_enabled (4.x+) default to false; AKS API: enableNodePublicIP defaults to false");
field!(POOL_VERSION, "orchestrator_version", tf: ["orchestrator_version"], arm: ["orchestratorVersion"],
    default: NoValue, arm_default: NoValue,
    source: "absent: the control plane's version");
field!(POOL_TAINTS, "node_taints", tf: ["node_taints"], arm: ["nodeTaints"],
    default: EmptyList, arm_default: EmptyList, source: "no taints unless given");
field!(POOL_LABELS, "node_labels", tf: ["node_labels"], arm: ["nodeLabels"],
    default: EmptyMap, arm_default: EmptyMap,
    source: "no labels but those AKS adds to every node (`agentpool`, `kubernetes.azure.com/agentpool`, ...) unless given");
field!(POOL_CRITICAL_ADDONS_ONLY, "only_critical_addons",
    tf: ["only_critical_addons_enabled"], arm: [],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: only_critical_addons_enabled defaults to false; AKS API: no CriticalAddonsOnly taint unless given");
field!(POOL_SSH_ACCESS, "ssh_access", tf: [], arm: ["securityProfile.sshAccess"],
    default: NoValue, arm_default: Str("LocalUser"),
    source: "AKS API: securityProfile.sshAccess defaults to LocalUser (SSH on)");

// ---- azurerm_container_registry / Microsoft.ContainerRegistry/registries
field!(REGISTRY_SKU, "sku", tf: ["sku"], arm: ["sku.name"],
    default: NoValue, arm_default: NoValue,
    source: "required by azurerm and the ACR API");
field!(REGISTRY_PUBLIC_NETWORK, "public_network_access",
    tf: ["public_network_access_enabled"], arm: ["properties.publicNetworkAccess"],
    default: Str("true"), arm_default: Str("Enabled"),
    source: "azurerm: public_network_access_enabled defaults to true; ACR API: publicNetworkAccess defaults to Enabled");
field!(REGISTRY_DEFAULT_ACTION, "network_default_action",
    tf: ["network_rule_set.default_action"], arm: ["properties.networkRuleSet.defaultAction"],
    default: Str("Allow"), arm_default: Str("Allow"),
    source: "azurerm: network_rule_set.default_action defaults to Allow; ACR API: networkRuleSet.defaultAction defaults to Allow");
field!(REGISTRY_ADMIN, "admin_user", tf: ["admin_enabled"], arm: ["properties.adminUserEnabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: admin_enabled defaults to false; ACR API: adminUserEnabled defaults to false");
field!(REGISTRY_ANONYMOUS_PULL, "anonymous_pull",
    tf: ["anonymous_pull_enabled"], arm: ["properties.anonymousPullEnabled"],
    default: Bool(false), arm_default: Bool(false),
    source: "azurerm: anonymous_pull_enabled defaults to false; ACR API: anonymousPullEnabled defaults to false");
field!(REGISTRY_TRUST, "content_trust",
    tf: ["trust_policy_enabled", "trust_policy.enabled"], arm: ["properties.policies.trustPolicy.status"],
    default: Str("false"), arm_default: Str("disabled"),
    source: "azurerm: trust_policy { enabled } (3.x) / trust_policy_enabled (4.x) default to false, 5.0 removed Docker Content Trust; ACR API: trustPolicy.status defaults to disabled");
field!(REGISTRY_RETENTION, "retention",
    tf: ["retention_policy_in_days", "retention_policy.enabled"], arm: ["properties.policies.retentionPolicy.status"],
    default: Str("false"), arm_default: Str("disabled"),
    source: "azurerm: retention_policy { enabled } (3.x) / retention_policy_in_days (4.x+) unset means no retention; ACR API: retentionPolicy.status defaults to disabled");
field!(REGISTRY_QUARANTINE, "quarantine",
    tf: ["quarantine_policy_enabled"], arm: ["properties.policies.quarantinePolicy.status"],
    default: Str("false"), arm_default: Str("disabled"),
    source: "azurerm: quarantine_policy_enabled defaults to false; ACR API: quarantinePolicy.status defaults to disabled");
field!(REGISTRY_BYPASS, "trusted_services_bypass",
    tf: ["network_rule_bypass_option"], arm: ["properties.networkRuleBypassOptions"],
    default: Str("AzureServices"), arm_default: Str("AzureServices"),
    source: "azurerm: network_rule_bypass_option defaults to AzureServices; ACR API: networkRuleBypassOptions defaults to AzureServices");

// ---- azurerm_security_center_subscription_pricing / Microsoft.Security/pricings
field!(PRICING_PLAN, "plan", tf: ["resource_type"], arm: ["name"],
    default: Str("VirtualMachines"), arm_default: NoValue,
    source: "azurerm: resource_type defaults to VirtualMachines (a pricing without it is Defender for Servers); ARM: the pricing's name is the plan");
field!(PRICING_TIER, "tier", tf: ["tier"], arm: ["properties.pricingTier"],
    default: NoValue, arm_default: NoValue,
    source: "required by azurerm and the Security API");

// ---- azurerm_monitor_diagnostic_setting / Microsoft.Insights/diagnosticSettings log entries
field!(DIAGNOSTIC_LOG_ENABLED, "log_enabled",
    tf: ["log.enabled"], arm: ["properties.logs.enabled"],
    default: Bool(true), arm_default: Bool(false),
    source: "azurerm 3.x: log { enabled } defaults to true (enabled_log blocks are always on); AKS API: Azure Monitor requires logs[].enabled, an entry without it collects nothing");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_format_reads_its_own_part_of_the_source() {
        let by_split = |source: &'static str, arm: bool| {
            let wanted: Vec<&str> = source
                .split("; ")
                .filter(|part| part.starts_with("AKS API") == arm)
                .collect();
            match wanted.as_slice() {
                [one] => *one,
                _ => source,
            }
        };
        for source in [
            "azurerm: a defaults to false; AKS API: absent means public",
            "azurerm and AKS API: none unless given (x; y before 3.39)",
            "AKS API: first; azurerm: second; AKS API: third",
            "azurerm: one;two; AKS API: three;",
            "",
            "; ",
            "AKS API: only",
        ] {
            for arm in [false, true] {
                let spec = FieldSpec {
                    source,
                    ..PRIVATE_CLUSTER
                };
                assert_eq!(
                    spec.source_for(arm),
                    by_split(source, arm),
                    "{source:?} {arm}"
                );
            }
        }
        assert_eq!(
            PRIVATE_CLUSTER.source_for(true),
            "AKS API: absent means a public API server"
        );
        assert_eq!(
            PRIVATE_CLUSTER.source_for(false),
            "azurerm: private_cluster_enabled defaults to false"
        );
    }
}
