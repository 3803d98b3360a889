//! CI pipelines → jobs with their steps and dependencies: GitHub Actions workflows
//! (`jobs.<id>`, `needs:`) and Azure Pipelines (`stages`/`jobs`/`steps`, `dependsOn:`,
//! deployment strategies). The YAML comes from the span-aware reader of `k8s::yaml`.

use crate::source::{FileId, Loc};
use crate::value::Value;
use std::collections::HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    GitHub,
    Azure,
}

#[derive(Clone, Debug)]
pub struct Job {
    /// GitHub `jobs.<id>`; Azure the job name, `<stage>/<job>` inside stages.
    pub name: String,
    /// `workflow:<path>#<name>`.
    pub address: String,
    pub at: Loc,
    /// The steps in order, as written.
    pub steps: Vec<Value>,
    /// Jobs this one runs after, directly (indices).
    pub depends_on: Vec<usize>,
    /// A dependency that cannot be resolved offline (a template, an expression, a name
    /// defined elsewhere): what runs before this job is not fully known.
    pub depends_unknown: bool,
    /// The job's steps are not written here (an Azure job template, a reusable workflow).
    pub opaque: bool,
}

#[derive(Clone, Debug)]
pub struct Pipeline {
    pub file: FileId,
    pub zone: usize,
    pub flavor: Flavor,
    pub jobs: Vec<Job>,
}

impl Pipeline {
    /// The jobs `job` depends on, transitively, and whether any link is unknown.
    pub fn ancestors(&self, job: usize) -> (Vec<usize>, bool) {
        let mut seen = vec![false; self.jobs.len()];
        let mut stack = self.jobs[job].depends_on.clone();
        let mut unknown = self.jobs[job].depends_unknown;
        let mut out = Vec::new();
        while let Some(j) = stack.pop() {
            if j >= seen.len() || std::mem::replace(&mut seen[j], true) {
                continue;
            }
            out.push(j);
            unknown |= self.jobs[j].depends_unknown;
            stack.extend(self.jobs[j].depends_on.iter().copied());
        }
        (out, unknown)
    }
}

/// Is this path a GitHub workflow or an Azure Pipelines file by its name alone?
pub fn is_pipeline_path(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    if !yaml {
        return false;
    }
    if lower.starts_with("azure-pipelines") {
        return true;
    }
    let mut parents = path.components().rev().skip(1);
    let workflows = parents.next().is_some_and(|c| c.as_os_str() == "workflows");
    workflows && parents.next().is_some_and(|c| c.as_os_str() == ".github")
}

/// YAML under `.azure-pipelines/` or `.pipelines/`: a pipeline when its content says so.
pub fn in_pipeline_dir(path: &std::path::Path) -> bool {
    path.components()
        .any(|c| c.as_os_str() == ".azure-pipelines" || c.as_os_str() == ".pipelines")
}

/// Top-level `steps:`, `jobs:` or `stages:`.
pub fn has_pipeline_keys(text: &str) -> bool {
    text.lines()
        .any(|l| l.starts_with("steps:") || l.starts_with("jobs:") || l.starts_with("stages:"))
}

fn is_expression(text: &str) -> bool {
    text.contains("${{") || text.contains("$[") || text.contains("$(")
}

/// Names in `needs:` / `dependsOn:` (a string or a list of strings); None when any is not
/// known offline.
fn names(value: &Value) -> Option<Vec<String>> {
    match &value.kind {
        crate::value::Kind::String(s) if !is_expression(s) => Some(vec![s.clone()]),
        crate::value::Kind::List(items) => items
            .iter()
            .map(|i| i.as_str().filter(|s| !is_expression(s)).map(str::to_string))
            .collect(),
        crate::value::Kind::Null => Some(Vec::new()),
        _ => None,
    }
}

fn anchor(item: &Value, fallback: Loc) -> Loc {
    item.as_map()
        .and_then(|e| e.first())
        .and_then(|e| e.key_loc)
        .or(item.loc)
        .unwrap_or(fallback)
}

/// The jobs of a pipeline document; `path` is the file as reports show it.
pub fn load(file: FileId, doc: &Value, path: &str, flavor: Flavor) -> Vec<Job> {
    let fallback = doc.loc.unwrap_or(Loc::new(file, 0, 0));
    let address = |name: &str| format!("workflow:{path}#{name}");
    match flavor {
        Flavor::GitHub => {
            let Some(jobs) = doc.get("jobs").and_then(Value::as_map) else {
                return Vec::new();
            };
            let index: HashMap<&str, usize> = jobs
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.as_str(), i))
                .collect();
            jobs.iter()
                .map(|entry| {
                    let job = &entry.value;
                    let (depends_on, depends_unknown) = match job.get("needs").map(names) {
                        None => (Vec::new(), false),
                        Some(None) => (Vec::new(), true),
                        Some(Some(list)) => {
                            let found: Vec<usize> = list
                                .iter()
                                .filter_map(|n| index.get(n.as_str()).copied())
                                .collect();
                            let missing = found.len() != list.len();
                            (found, missing)
                        }
                    };
                    Job {
                        name: entry.key.clone(),
                        address: address(&entry.key),
                        at: entry.key_loc.unwrap_or(fallback),
                        steps: job
                            .get("steps")
                            .and_then(Value::as_list)
                            .map(<[Value]>::to_vec)
                            .unwrap_or_default(),
                        depends_on,
                        depends_unknown,
                        // A job that calls a reusable workflow runs steps written elsewhere.
                        opaque: job.get("uses").is_some(),
                    }
                })
                .collect()
        }
        Flavor::Azure => azure(doc, &address, fallback),
    }
}

struct Pending {
    job: Job,
    /// Unresolved job names within the same stage.
    needs: Option<Vec<String>>,
    stage: usize,
}

fn azure(doc: &Value, address: &dyn Fn(&str) -> String, fallback: Loc) -> Vec<Job> {
    let mut pending: Vec<Pending> = Vec::new();
    // Stages: (name, dependsOn names or None when unknown, opaque).
    let mut stages: Vec<(String, Option<Vec<String>>, bool)> = Vec::new();
    let job_items =
        |list: &[Value], stage: Option<&str>, stage_index: usize, out: &mut Vec<Pending>| {
            for item in list {
                let (name, opaque) = if let Some(n) = item.get("job").or(item.get("deployment")) {
                    (n.to_text().unwrap_or_else(|| "Job".to_string()), false)
                } else if item.get("template").is_some() {
                    ("template".to_string(), true)
                } else {
                    continue;
                };
                let name = match stage {
                    Some(s) => format!("{s}/{name}"),
                    None => name,
                };
                let mut steps: Vec<Value> = item
                    .get("steps")
                    .and_then(Value::as_list)
                    .map(<[Value]>::to_vec)
                    .unwrap_or_default();
                // Deployment jobs: strategy.<runOnce|rolling|canary>.<hook>.steps, in run order.
                if let Some(strategy) = item.get("strategy").and_then(Value::as_map) {
                    for kind in strategy {
                        for hook in ["preDeploy", "deploy", "routeTraffic", "postRouteTraffic"] {
                            if let Some(list) = kind
                                .value
                                .get(hook)
                                .and_then(|h| h.get("steps"))
                                .and_then(Value::as_list)
                            {
                                steps.extend(list.iter().cloned());
                            }
                        }
                        if let Some(on) = kind.value.get("on").and_then(Value::as_map) {
                            for outcome in on {
                                if let Some(list) =
                                    outcome.value.get("steps").and_then(Value::as_list)
                                {
                                    steps.extend(list.iter().cloned());
                                }
                            }
                        }
                    }
                }
                let needs = match item.get("dependsOn") {
                    None => Some(Vec::new()),
                    Some(v) => names(v),
                };
                out.push(Pending {
                    job: Job {
                        address: address(&name),
                        name,
                        at: anchor(item, fallback),
                        steps,
                        depends_on: Vec::new(),
                        depends_unknown: false,
                        opaque,
                    },
                    needs,
                    stage: stage_index,
                });
            }
        };
    if let Some(list) = doc.get("stages").and_then(Value::as_list) {
        for (i, stage) in list.iter().enumerate() {
            let Some(name) = stage.get("stage").and_then(Value::to_text) else {
                // A stage template: its jobs are written elsewhere.
                stages.push((format!("template#{i}"), Some(Vec::new()), true));
                continue;
            };
            // Without dependsOn a stage runs after the one before it.
            let depends = match stage.get("dependsOn") {
                None => Some(stages.last().map(|s| vec![s.0.clone()]).unwrap_or_default()),
                Some(v) => names(v),
            };
            stages.push((name.clone(), depends, false));
            if let Some(jobs) = stage.get("jobs").and_then(Value::as_list) {
                job_items(jobs, Some(&name), stages.len() - 1, &mut pending);
            }
        }
    } else if let Some(jobs) = doc.get("jobs").and_then(Value::as_list) {
        job_items(jobs, None, usize::MAX, &mut pending);
    } else if let Some(steps) = doc.get("steps").and_then(Value::as_list) {
        // A steps template (parameters, no trigger or pool) runs inside a job written elsewhere.
        let template = doc.get("parameters").is_some()
            && ["trigger", "pr", "pool", "schedules", "resources"]
                .iter()
                .all(|k| doc.get(k).is_none());
        pending.push(Pending {
            job: Job {
                name: "__default".to_string(),
                address: address("__default"),
                at: doc
                    .entry("steps")
                    .and_then(|e| e.key_loc)
                    .unwrap_or(fallback),
                steps: steps.to_vec(),
                depends_on: Vec::new(),
                depends_unknown: template,
                opaque: false,
            },
            needs: Some(Vec::new()),
            stage: usize::MAX,
        });
    }
    // Resolve job names within their stage, and stage dependencies to those stages' jobs.
    let short = |p: &Pending| -> String {
        p.job
            .name
            .rsplit_once('/')
            .map_or(p.job.name.clone(), |(_, n)| n.to_string())
    };
    let mut resolved: Vec<(Vec<usize>, bool)> = Vec::with_capacity(pending.len());
    for p in &pending {
        let mut deps = Vec::new();
        let mut unknown = false;
        match &p.needs {
            None => unknown = true,
            Some(list) => {
                for n in list {
                    match pending
                        .iter()
                        .position(|q| q.stage == p.stage && short(q) == *n)
                    {
                        Some(j) => deps.push(j),
                        None => unknown = true,
                    }
                }
            }
        }
        if let Some((_, stage_deps, _)) = stages.get(p.stage) {
            match stage_deps {
                None => unknown = true,
                Some(list) => {
                    for s in list {
                        match stages.iter().position(|(n, _, _)| n == s) {
                            Some(si) => {
                                unknown |= stages[si].2;
                                deps.extend(
                                    pending
                                        .iter()
                                        .enumerate()
                                        .filter(|(_, q)| q.stage == si)
                                        .map(|(j, _)| j),
                                );
                            }
                            None => unknown = true,
                        }
                    }
                }
            }
        }
        resolved.push((deps, unknown));
    }
    pending
        .into_iter()
        .zip(resolved)
        .map(|(p, (deps, unknown))| Job {
            depends_on: deps,
            depends_unknown: p.job.depends_unknown || unknown,
            ..p.job
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jobs(text: &str, flavor: Flavor) -> Vec<Job> {
        let (docs, errors) = crate::k8s::parse_documents(0, text);
        assert!(errors.is_empty());
        load(0, &docs[0], "ci.yml", flavor)
    }

    #[test]
    fn paths() {
        use std::path::Path;
        assert!(is_pipeline_path(Path::new("r/.github/workflows/ci.yml")));
        assert!(is_pipeline_path(Path::new("azure-pipelines.yaml")));
        assert!(is_pipeline_path(Path::new("x/azure-pipelines-release.yml")));
        assert!(!is_pipeline_path(Path::new("r/workflows/ci.yml")));
        assert!(!is_pipeline_path(Path::new("r/.github/dependabot.yml")));
        assert!(in_pipeline_dir(Path::new(
            "r/.pipelines/templates/build.yml"
        )));
    }

    #[test]
    fn github_needs() {
        let got = jobs(
            "on: push\njobs:\n  scan:\n    runs-on: x\n    steps: [{run: trivy image x}]\n  push:\n    needs: [scan]\n    steps:\n      - run: docker push x\n  later:\n    needs: push\n    uses: ./.github/workflows/r.yml\n",
            Flavor::GitHub,
        );
        assert_eq!(got.len(), 3);
        assert_eq!(got[1].depends_on, vec![0]);
        let pipeline = Pipeline {
            file: 0,
            zone: 0,
            flavor: Flavor::GitHub,
            jobs: got.clone(),
        };
        assert_eq!(pipeline.ancestors(2), (vec![1, 0], false));
        assert!(got[2].opaque);
        assert_eq!(got[1].address, "workflow:ci.yml#push");
    }

    #[test]
    fn azure_stages_and_deployments() {
        let got = jobs(
            "stages:\n- stage: Build\n  jobs:\n  - job: scan\n    steps: [{script: grype x}]\n- stage: Release\n  jobs:\n  - deployment: push\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n          - script: docker push x\n  - job: other\n    dependsOn: $(x)\n",
            Flavor::Azure,
        );
        assert_eq!(got[1].name, "Release/push");
        assert_eq!(got[1].steps.len(), 1);
        assert_eq!(got[1].depends_on, vec![0]);
        assert!(!got[1].depends_unknown);
        assert!(got[2].depends_unknown);
    }
}
