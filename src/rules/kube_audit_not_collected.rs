use super::{catalogue, Context, Rule};
use crate::finding::Finding;
use crate::model::cluster::Cluster;
use crate::model::diagnostics::DiagnosticSetting;
use crate::model::raw::Format;
use std::collections::HashMap;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS019,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let model = ctx.model;
    let mut linked: HashMap<usize, Vec<&DiagnosticSetting>> = HashMap::new();
    // Settings whose target is unknown but that might collect audit logs: they might be
    // any cluster's of their zone or unit.
    let mut undecided: Vec<&DiagnosticSetting> = Vec::new();
    for setting in &model.diagnostic_settings {
        match setting.cluster {
            Some(c) => linked.entry(c).or_default().push(setting),
            None if setting.target.is_unknown() && setting.audit.value != Some(false) => {
                undecided.push(setting)
            }
            None => {}
        }
    }
    for (index, cluster) in model.clusters.iter().enumerate() {
        let settings = linked.get(&index).map(Vec::as_slice).unwrap_or(&[]);
        if settings
            .iter()
            .any(|s| s.audit.is_set() && s.audit.value == Some(true))
        {
            continue;
        }
        // Read through `known()` so that `--unknown warn` names what kept the rule quiet.
        let mut quiet = false;
        for setting in settings.iter().filter(|s| s.audit.is_unknown()) {
            quiet |= setting.audit.known().is_none();
        }
        for setting in undecided
            .iter()
            .filter(|s| s.resource.zone == cluster.landing_zone || s.resource.unit == cluster.unit)
        {
            quiet |= setting.target.known().is_none();
        }
        if quiet {
            continue;
        }
        let name = cluster.name.as_deref().unwrap_or(&cluster.address);
        let evidence = if settings.is_empty() {
            "no diagnostic setting in the scan targets it".to_string()
        } else {
            let described: Vec<String> = settings.iter().map(|s| describe(s)).collect();
            described.join("; ")
        };
        let mut finding = RULE.at(
            cluster,
            cluster.header,
            format!(
                "Cluster `{name}` sends its Kubernetes audit log (`kube-audit` or \
                 `kube-audit-admin`) nowhere: {evidence}. Without it, no container creation \
                 or API call can be traced to the identity that made it"
            ),
            "no diagnostic setting collects this cluster's audit log".to_string(),
            help(cluster, settings.first().copied()),
        );
        for setting in settings {
            finding.notes.push((
                setting.resource.header,
                format!(
                    "diagnostic setting `{}` targets this cluster without an audit category",
                    setting.label()
                ),
            ));
        }
        out.push(finding);
    }
}

fn describe(setting: &DiagnosticSetting) -> String {
    let what = match setting.enabled.as_slice() {
        [] => "enables no log category".to_string(),
        enabled => format!(
            "collects only {}",
            enabled
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    format!("its diagnostic setting `{}` {what}", setting.label())
}

/// What to add, in the cluster file's own syntax.
fn help(cluster: &Cluster, existing: Option<&DiagnosticSetting>) -> String {
    let terraform = cluster.format == Format::Terraform;
    if let Some(setting) = existing.filter(|s| s.resource.format == cluster.format) {
        return if terraform {
            format!(
                "Add `enabled_log {{ category = \"kube-audit-admin\" }}` (or `category_group = \
                 \"audit\"`) to `{}`",
                setting.label()
            )
        } else {
            format!(
                "Add `{{ category: 'kube-audit-admin', enabled: true }}` (or `categoryGroup: \
                 'audit'`) to `properties.logs` of the diagnostic setting `{}`",
                setting.label()
            )
        };
    }
    let name = cluster.name.as_deref().unwrap_or("<cluster name>");
    // Inside a module the cluster is referred to without the `module.x.` prefix.
    let reference = cluster
        .address
        .rfind("azurerm_kubernetes_cluster.")
        .map_or(cluster.address.as_str(), |at| &cluster.address[at..]);
    let block = match cluster.format {
        Format::Terraform => format!(
            "resource \"azurerm_monitor_diagnostic_setting\" \"audit\" {{\n  \
             name                       = \"{name}-audit\"\n  \
             target_resource_id         = {}.id\n  \
             log_analytics_workspace_id = <workspace id>\n\n  \
             enabled_log {{\n    category = \"kube-audit-admin\"\n  }}\n}}",
            reference
        ),
        Format::Bicep => format!(
            "resource audit 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {{\n  \
             name: '{name}-audit'\n  \
             scope: <the cluster's symbolic name>\n  \
             properties: {{\n    workspaceId: <workspace id>\n    logs: [\n      \
             {{\n        category: 'kube-audit-admin'\n        enabled: true\n      }}\n    \
             ]\n  }}\n}}"
        ),
        _ => format!(
            "{{\n  \"type\": \"Microsoft.Insights/diagnosticSettings\",\n  \
             \"apiVersion\": \"2021-05-01-preview\",\n  \
             \"name\": \"{name}-audit\",\n  \
             \"scope\": \"[format('Microsoft.ContainerService/managedClusters/{{0}}', '{name}')]\",\n  \
             \"properties\": {{\n    \"workspaceId\": \"<workspace id>\",\n    \
             \"logs\": [{{ \"category\": \"kube-audit-admin\", \"enabled\": true }}]\n  }}\n}}"
        ),
    };
    format!(
        "Add a diagnostic setting that sends `kube-audit-admin` (or the `audit` category group) \
         to a Log Analytics workspace, storage account or event hub:\n{block}"
    )
}
