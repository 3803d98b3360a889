use super::{catalogue, Context, Rule};
use crate::build::dockerfile::{split_reference, ImageReference};
use crate::build::{Base, Dockerfile};
use crate::finding::Finding;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD001,
    check,
};

/// Does the base image run as a non-root user by itself (`[build] non-root-bases`)?
pub fn non_root_base(ctx: &Context, reference: &str) -> bool {
    let ImageReference {
        repository, tag, ..
    } = split_reference(reference);
    let written = match tag {
        Some(tag) => format!("{repository}:{tag}"),
        None => repository.to_string(),
    }
    .to_ascii_lowercase();
    let build = &ctx.config.build;
    build.is_non_root_base(&written)
        || build.is_non_root_base(&crate::build::dockerfile::qualified(&written))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for dockerfile in &ctx.model.dockerfiles {
        check_file(ctx, dockerfile, out);
    }
}

fn check_file(ctx: &Context, dockerfile: &Dockerfile, out: &mut Vec<Finding>) {
    let Some(last) = dockerfile.final_stage() else {
        return;
    };
    let help = "Add `USER 10001` (a numeric non-root UID, so Kubernetes `runAsNonRoot` can verify it) after the last step that needs root, or build on a base that runs as non-root (`[build] non-root-bases`)";
    let mut stage = last;
    // A stage reference always names an earlier stage, so the walk ends.
    loop {
        let user = dockerfile
            .stage_instructions(stage)
            .iter()
            .rev()
            .find(|i| i.keyword == "USER");
        if let Some(user) = user {
            let Some(word) = user.args.first() else {
                return;
            };
            if word.text.contains('$') {
                return; // set from a build argument or variable: unknown
            }
            let name = word.text.split(':').next().unwrap_or("");
            if name == "root" || name == "0" {
                out.push(RULE.on_address(
                    &last.address,
                    user.at,
                    format!(
                        "The image's final stage runs as `{}`: a process that escapes the container is root on the node's kernel",
                        crate::build::printable(&word.text)
                    ),
                    "runs as root".to_string(),
                    help.to_string(),
                ));
            }
            return;
        }
        match &stage.base {
            Base::Stage(parent) if *parent < stage.index => stage = &dockerfile.stages[*parent],
            Base::Image(reference) if non_root_base(ctx, reference) => return,
            Base::Image(_) | Base::Scratch => {
                let from = &dockerfile.instructions[last.from];
                out.push(RULE.on_address(
                    &last.address,
                    from.at,
                    "No stage of the final image sets `USER`, and its base is not known to run as non-root: the container runs as root".to_string(),
                    "no USER: runs as root".to_string(),
                    help.to_string(),
                ));
                return;
            }
            _ => return,
        }
    }
}
