use super::{catalogue, Context, Rule};
use crate::build::dockerfile::{split_reference, ImageReference};
use crate::build::Base;
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD004,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for dockerfile in &ctx.model.dockerfiles {
        for stage in &dockerfile.stages {
            let (Base::Image(reference), Some(word)) = (&stage.base, &stage.image) else {
                continue;
            };
            let ImageReference {
                repository,
                tag,
                digest,
            } = split_reference(reference);
            if digest.is_some_and(|d| d.starts_with("sha256:")) {
                continue;
            }
            let floating = tag.is_none_or(|t| t == "latest");
            let (message, severity) = if floating {
                (
                    format!(
                        "Base image `{}` has no tag or `:latest`: every build may get a different image",
                        crate::build::printable(reference)
                    ),
                    Severity::High,
                )
            } else {
                (
                    format!(
                        "Base image `{}` is pinned by tag only: the tag can be moved to another image",
                        crate::build::printable(reference)
                    ),
                    Severity::Medium,
                )
            };
            let mut finding = RULE.on_address(
                &stage.address,
                word.loc,
                message,
                "not pinned by digest".to_string(),
                format!(
                    "Pin the digest: `FROM {}{}@sha256:<digest>` (`docker buildx imagetools inspect` or `az acr repository show-manifests` shows it), and let Dependabot or Renovate move it",
                    crate::build::printable(repository),
                    tag.map(|t| format!(":{t}")).unwrap_or_default()
                ),
            );
            finding.severity = severity;
            if let Some((loc, name)) = &stage.via_arg {
                finding
                    .notes
                    .push((*loc, format!("image from the default of `ARG {name}`")));
            }
            out.push(finding);
        }
    }
}
