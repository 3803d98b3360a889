use super::{catalogue, report_disabled, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS007,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    report_disabled(
        ctx,
        out,
        &RULE,
        |c| &c.azure_policy,
        "The Azure Policy add-on is not enabled: pod security and registry policies cannot be enforced in the cluster",
        |cluster| spelling::set(cluster, &f::AZURE_POLICY, "true", "true"),
        true,
    );
}
