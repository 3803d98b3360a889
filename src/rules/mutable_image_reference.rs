use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S011,
    check,
};

/// The tag of an image reference, if any (a registry port is not a tag).
fn tag(image: &str) -> Option<&str> {
    let last = image.rsplit('/').next().unwrap_or(image);
    last.split_once(':').map(|(_, t)| t)
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let Some(entry) = container.value().entry("image") else {
            continue;
        };
        let Some(image) = entry.value.as_str() else {
            continue;
        };
        if image.contains("@sha256:") {
            continue;
        }
        let floating = matches!(tag(image), None | Some("latest"));
        let mut finding = RULE.on_object(
            object,
            entry.key_loc.unwrap_or(container.anchor),
            if floating {
                format!("Container `{}` uses `{image}`, a floating reference: every pull may bring a different image", container.name)
            } else {
                format!("Container `{}` uses `{image}`, a tag that can be moved to another image: pin it by digest", container.name)
            },
            "not pinned by digest",
            "Reference the image by digest (`image@sha256:...`), keeping the tag for readers if you like (`image:1.4.2@sha256:...`)",
        );
        if floating {
            finding.severity = Severity::High;
        }
        out.push(finding);
    }
}
