use super::{catalogue, Context, Rule};
use crate::build::{shell, Flavor, Pipeline};
use crate::finding::Finding;
use crate::source::Loc;
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD007,
    check,
};

/// Actions (`uses:` without `@ref`) that scan images.
const SCAN_ACTIONS: &[&str] = &[
    "aquasecurity/trivy-action",
    "anchore/scan-action",
    "microsoft/security-devops-action",
    "azure/container-scan",
];
/// Azure Pipelines tasks (name before `@`) that scan images.
const SCAN_TASKS: &[&str] = &["microsoftsecuritydevops"];

#[derive(Clone, Debug, PartialEq)]
enum Event {
    Scan,
    /// A step written elsewhere (a template, a local action): it may scan.
    Unknown,
    Push {
        at: Loc,
        what: String,
        /// `az acr build`: built and pushed inside the registry.
        in_registry: bool,
    },
}

fn is_expression(text: &str) -> bool {
    text.contains("${{") || text.contains("$(") || text.contains("$[")
}

/// The first key of a step: where it is reported.
fn step_anchor(step: &Value) -> Option<Loc> {
    step.as_map()?.first()?.key_loc.or(step.loc)
}

/// Does a script command or configured scanner entry match these words?
fn scanner_command(command: &shell::Command, scanners: &[String]) -> bool {
    let words: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
    let program = command.program().unwrap_or("");
    let arg = |i: usize| words.get(i).copied().unwrap_or("");
    let builtin = match program {
        "trivy" => matches!(arg(1), "image" | "i"),
        "grype" => true,
        "docker" => arg(1) == "scout" && arg(2) == "cves",
        "snyk" => arg(1) == "container" && arg(2) == "test",
        _ => false,
    };
    builtin
        || scanners.iter().any(|s| {
            let wanted: Vec<&str> = s.split_whitespace().collect();
            !wanted.is_empty()
                && words.len() >= wanted.len()
                && words.iter().zip(&wanted).all(|(a, b)| a == b)
        })
}

fn script_events(script: &str, at: Loc, scanners: &[String], out: &mut Vec<Event>) {
    for command in shell::commands(script) {
        let words: Vec<&str> = command.argv().iter().map(|w| w.text.as_str()).collect();
        let arg = |i: usize| words.get(i).copied().unwrap_or("");
        if scanner_command(&command, scanners) {
            out.push(Event::Scan);
            continue;
        }
        let (what, in_registry) = match command.program().unwrap_or("") {
            "docker" | "podman" if arg(1) == "push" || (arg(1) == "image" && arg(2) == "push") => {
                (format!("{} push", arg(0)), false)
            }
            "docker"
                if (arg(1) == "buildx" && arg(2) == "build" || arg(1) == "build")
                    && words.contains(&"--push") =>
            {
                ("docker buildx build --push".to_string(), false)
            }
            "az" if arg(1) == "acr" && arg(2) == "build" && !words.contains(&"--no-push") => {
                ("az acr build".to_string(), true)
            }
            _ => continue,
        };
        out.push(Event::Push {
            at,
            what,
            in_registry,
        });
    }
}

/// What a step does, in order.
fn step_events(step: &Value, scanners: &[String]) -> Vec<Event> {
    let mut out = Vec::new();
    let Some(at) = step_anchor(step) else {
        return out;
    };
    let configured = |name: &str| {
        scanners.iter().any(|s| {
            let s = s.to_ascii_lowercase();
            name == s || name.split('@').next() == Some(s.split('@').next().unwrap_or(&s))
        })
    };
    if step.get("template").is_some() {
        return vec![Event::Unknown];
    }
    if let Some(uses) = step.get("uses").and_then(Value::as_str) {
        let lower = uses.to_ascii_lowercase();
        let action = lower.split('@').next().unwrap_or(&lower);
        if action.starts_with("./") || is_expression(action) {
            out.push(Event::Unknown);
        } else if SCAN_ACTIONS.contains(&action) || configured(&lower) {
            // trivy-action scanning a file system or IaC is not an image scan.
            let scan_type = step
                .get("with")
                .and_then(|w| w.get("scan-type"))
                .and_then(Value::as_str);
            if scan_type.is_none_or(|t| t == "image" || is_expression(t)) {
                out.push(Event::Scan);
            }
        } else if action == "docker/build-push-action" {
            let push = step.get("with").and_then(|w| w.get("push"));
            if push.and_then(Value::as_bool) == Some(true) {
                out.push(Event::Push {
                    at,
                    what: "docker/build-push-action with `push: true`".to_string(),
                    in_registry: false,
                });
            }
        }
    }
    if let Some(task) = step.get("task").and_then(Value::as_str) {
        let lower = task.to_ascii_lowercase();
        let name = lower.split('@').next().unwrap_or(&lower);
        if SCAN_TASKS.contains(&name) || configured(&lower) {
            out.push(Event::Scan);
        } else if lower == "docker@2" {
            // Docker@2's `command` defaults to buildAndPush.
            let command = step
                .get("inputs")
                .and_then(|i| i.get("command"))
                .map_or(Some("buildAndPush"), Value::as_str);
            if let Some(command) = command.filter(|c| {
                c.eq_ignore_ascii_case("push") || c.eq_ignore_ascii_case("buildAndPush")
            }) {
                out.push(Event::Push {
                    at,
                    what: format!("`Docker@2` with command `{command}`"),
                    in_registry: false,
                });
            }
        }
    }
    let inputs = step.get("with").or(step.get("inputs"));
    let scripts = ["run", "script", "bash", "pwsh", "powershell"]
        .iter()
        .filter_map(|k| step.get(k))
        .chain(
            ["script", "inlineScript", "Inline"]
                .iter()
                .filter_map(|k| inputs.and_then(|i| i.get(k))),
        );
    for script in scripts {
        if let Some(text) = script.as_str() {
            script_events(text, at, scanners, &mut out);
        }
    }
    out
}

fn check_pipeline(ctx: &Context, pipeline: &Pipeline, out: &mut Vec<Finding>) {
    let events: Vec<Vec<Event>> = pipeline
        .jobs
        .iter()
        .map(|job| {
            job.steps
                .iter()
                .flat_map(|s| step_events(s, &ctx.config.build.scanners))
                .collect()
        })
        .collect();
    // A job that scans, runs steps written elsewhere, or is written elsewhere itself.
    let may_scan = |a: usize| {
        pipeline.jobs[a].opaque
            || events[a]
                .iter()
                .any(|e| matches!(e, Event::Scan | Event::Unknown))
    };
    let before = pipeline.ancestors_have(&may_scan);
    for (j, job) in pipeline.jobs.iter().enumerate() {
        if job.opaque || !events[j].iter().any(|e| matches!(e, Event::Push { .. })) {
            continue;
        }
        let mut scanned = before[j];
        let needs = match pipeline.flavor {
            Flavor::GitHub => "`needs:`",
            Flavor::Azure => "`dependsOn:`",
        };
        for event in &events[j] {
            match event {
                Event::Scan | Event::Unknown => scanned = true,
                Event::Push {
                    at,
                    what,
                    in_registry: true,
                } => out.push(RULE.on_address(
                    &job.address,
                    *at,
                    format!(
                        "Job `{}` runs `{what}`, which builds the image inside the registry and pushes it there: no pipeline step can scan it before the push",
                        crate::build::printable(&job.name)
                    ),
                    "built and pushed in the registry".to_string(),
                    "Gate the image in the registry: enable ACR quarantine (ACR008) so nothing can pull it until a scan marks it passed, and scan it (Defender for Containers, or `trivy image` on the quarantined tag) before release; or build in the pipeline, scan, then push".to_string(),
                )),
                Event::Push { at, what, .. } if !scanned => out.push(RULE.on_address(
                    &job.address,
                    *at,
                    format!(
                        "Job `{}` pushes an image ({what}) and no image scan runs before it, in this job or a job it depends on",
                        crate::build::printable(&job.name)
                    ),
                    "push without a scan".to_string(),
                    format!(
                        "Scan the built image before the push and fail on findings (`trivy image --exit-code 1 --severity HIGH,CRITICAL <image>`, `aquasecurity/trivy-action`, `MicrosoftSecurityDevOps@1`), in this job or in a job this one lists in {needs}; declare your own scanner in `[build] scanners`"
                    ),
                )),
                Event::Push { .. } => {}
            }
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for pipeline in &ctx.model.pipelines {
        check_pipeline(ctx, pipeline, out);
    }
}
