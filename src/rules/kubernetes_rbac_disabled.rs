use super::{catalogue, report_disabled, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS006,
    check,
};

// RBAC defaults to on in azurerm and the AKS API: only an explicit `false` fires
// (Trivy reports clusters that never mention RBAC).
fn check(ctx: &Context, out: &mut Vec<Finding>) {
    report_disabled(
        ctx,
        out,
        &RULE,
        |c| &c.kubernetes_rbac,
        "Kubernetes RBAC is disabled: every authenticated identity can do anything in the cluster",
        |cluster| {
            format!(
                "{} (RBAC is also on when it is absent)",
                spelling::set(cluster, &f::KUBERNETES_RBAC, "true", "true")
            )
        },
        true,
    );
}
