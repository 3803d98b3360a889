//! CI pipelines → jobs with their steps and dependencies: GitHub Actions workflows
//! (`jobs.<id>`, `needs:`) and Azure Pipelines (`stages`/`jobs`/`steps`, `dependsOn:`,
//! deployment strategies). The YAML comes from the span-aware reader of `crate::yaml`.

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
    /// Azure stages whose jobs all run before this one (indices into `stage_jobs`).
    pub depends_on_stages: Vec<usize>,
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
    /// The jobs of each Azure stage.
    pub stage_jobs: Vec<Vec<usize>>,
}

impl Pipeline {
    /// For every job: does a job it depends on (transitively) have `property`, or is
    /// something it depends on unknown? One walk for the whole pipeline, iterative, so deep
    /// or wide dependency graphs cost linear time and no stack; a cycle (which the CI system
    /// rejects) adds nothing.
    pub fn ancestors_have(&self, property: &dyn Fn(usize) -> bool) -> Vec<bool> {
        let jobs = self.jobs.len();
        // Nodes: jobs, then stages (a stage has the property when one of its jobs has it
        // or inherits it).
        let nodes = jobs + self.stage_jobs.len();
        let preds = |n: usize| -> Vec<usize> {
            if n < jobs {
                let job = &self.jobs[n];
                job.depends_on
                    .iter()
                    .copied()
                    .chain(job.depends_on_stages.iter().map(|s| jobs + s))
                    .filter(|&p| p < nodes)
                    .collect()
            } else {
                self.stage_jobs[n - jobs].clone()
            }
        };
        // Whether the node or what it depends on has the property.
        let own = |n: usize| n < jobs && (property(n) || self.jobs[n].depends_unknown);
        let mut done: Vec<Option<bool>> = vec![None; nodes];
        let mut inherited = vec![false; nodes];
        let mut on_stack = vec![false; nodes];
        for root in 0..nodes {
            if done[root].is_some() {
                continue;
            }
            let mut stack = vec![(root, false)];
            while let Some((n, expanded)) = stack.pop() {
                if done[n].is_some() {
                    continue;
                }
                let p = preds(n);
                if !expanded {
                    on_stack[n] = true;
                    stack.push((n, true));
                    for q in p {
                        if done[q].is_none() && !on_stack[q] {
                            stack.push((q, false));
                        }
                    }
                    continue;
                }
                on_stack[n] = false;
                let from_preds = p.iter().any(|&q| done[q] == Some(true));
                inherited[n] = from_preds;
                done[n] = Some(own(n) || from_preds);
            }
        }
        (0..jobs)
            .map(|j| inherited[j] || self.jobs[j].depends_unknown)
            .collect()
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

/// The jobs of a pipeline document and the jobs of each Azure stage; `path` is the file as
/// reports show it.
pub fn load(file: FileId, doc: &Value, path: &str, flavor: Flavor) -> (Vec<Job>, Vec<Vec<usize>>) {
    let fallback = doc.loc.unwrap_or(Loc::new(file, 0, 0));
    let address = |name: &str| format!("workflow:{path}#{name}");
    match flavor {
        Flavor::GitHub => {
            let Some(jobs) = doc.get("jobs").and_then(Value::as_map) else {
                return (Vec::new(), Vec::new());
            };
            let index: HashMap<&str, usize> = jobs
                .iter()
                .enumerate()
                .map(|(i, e)| (e.key.as_str(), i))
                .collect();
            let jobs = jobs
                .iter()
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
                        depends_on_stages: Vec::new(),
                        depends_unknown,
                        // A job that calls a reusable workflow runs steps written elsewhere.
                        opaque: job.get("uses").is_some(),
                    }
                })
                .collect();
            (jobs, Vec::new())
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

fn azure(
    doc: &Value,
    address: &dyn Fn(&str) -> String,
    fallback: Loc,
) -> (Vec<Job>, Vec<Vec<usize>>) {
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
                        depends_on_stages: Vec::new(),
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
                depends_on_stages: Vec::new(),
                depends_unknown: template,
                opaque: false,
            },
            needs: Some(Vec::new()),
            stage: usize::MAX,
        });
    }
    // Resolve job names within their stage (through an index: a file may hold thousands of
    // jobs), and stage dependencies to stages; a stage's jobs are listed once, per stage.
    let short = |p: &Pending| -> String {
        p.job
            .name
            .rsplit_once('/')
            .map_or(p.job.name.clone(), |(_, n)| n.to_string())
    };
    let mut job_index: HashMap<(usize, String), usize> = HashMap::new();
    for (j, p) in pending.iter().enumerate() {
        job_index.entry((p.stage, short(p))).or_insert(j);
    }
    let mut stage_index: HashMap<&str, usize> = HashMap::new();
    for (i, (name, _, _)) in stages.iter().enumerate() {
        stage_index.entry(name.as_str()).or_insert(i);
    }
    let mut stage_jobs: Vec<Vec<usize>> = vec![Vec::new(); stages.len()];
    for (j, p) in pending.iter().enumerate() {
        if let Some(list) = stage_jobs.get_mut(p.stage) {
            list.push(j);
        }
    }
    let mut resolved: Vec<(Vec<usize>, Vec<usize>, bool)> = Vec::with_capacity(pending.len());
    for p in &pending {
        let mut deps = Vec::new();
        let mut stage_deps = Vec::new();
        let mut unknown = false;
        match &p.needs {
            None => unknown = true,
            Some(list) => {
                for n in list {
                    match job_index.get(&(p.stage, n.clone())) {
                        Some(&j) => deps.push(j),
                        None => unknown = true,
                    }
                }
            }
        }
        if let Some((_, depends, _)) = stages.get(p.stage) {
            match depends {
                None => unknown = true,
                Some(list) => {
                    for s in list {
                        match stage_index.get(s.as_str()) {
                            Some(&si) => {
                                unknown |= stages[si].2;
                                stage_deps.push(si);
                            }
                            None => unknown = true,
                        }
                    }
                }
            }
        }
        resolved.push((deps, stage_deps, unknown));
    }
    let jobs = pending
        .into_iter()
        .zip(resolved)
        .map(|(p, (deps, stage_deps, unknown))| Job {
            depends_on: deps,
            depends_on_stages: stage_deps,
            depends_unknown: p.job.depends_unknown || unknown,
            ..p.job
        })
        .collect();
    (jobs, stage_jobs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pipeline(text: &str, flavor: Flavor) -> Pipeline {
        let (docs, errors) = crate::yaml::parse_documents(0, text);
        assert!(errors.is_empty());
        let (jobs, stage_jobs) = load(0, &docs[0], "ci.yml", flavor);
        Pipeline {
            file: 0,
            zone: 0,
            flavor,
            jobs,
            stage_jobs,
        }
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
        let p = pipeline(
            "on: push\njobs:\n  scan:\n    runs-on: x\n    steps: [{run: trivy image x}]\n  push:\n    needs: [scan]\n    steps:\n      - run: docker push x\n  later:\n    needs: push\n    uses: ./.github/workflows/r.yml\n  alone:\n    steps: []\n",
            Flavor::GitHub,
        );
        assert_eq!(p.jobs.len(), 4);
        assert_eq!(p.jobs[1].depends_on, vec![0]);
        assert!(p.jobs[2].opaque);
        assert_eq!(p.jobs[1].address, "workflow:ci.yml#push");
        // Only `scan` has the property: `push` and `later` (through `push`) inherit it.
        assert_eq!(p.ancestors_have(&|j| j == 0), [false, true, true, false]);
    }

    #[test]
    fn azure_stages_and_deployments() {
        let p = pipeline(
            "stages:\n- stage: Build\n  jobs:\n  - job: scan\n    steps: [{script: grype x}]\n- stage: Release\n  jobs:\n  - deployment: push\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n          - script: docker push x\n  - job: other\n    dependsOn: $(x)\n",
            Flavor::Azure,
        );
        assert_eq!(p.jobs[1].name, "Release/push");
        assert_eq!(p.jobs[1].steps.len(), 1);
        assert_eq!(p.jobs[1].depends_on_stages, vec![0]);
        assert!(!p.jobs[1].depends_unknown);
        assert!(p.jobs[2].depends_unknown);
        assert_eq!(p.ancestors_have(&|j| j == 0), [false, true, true]);
    }

    #[test]
    fn long_chains_and_cycles_are_walked_without_recursion() {
        let mut text = String::from("on: push\njobs:\n  j0:\n    steps: []\n");
        for i in 1..10_000 {
            text.push_str(&format!("  j{i}:\n    needs: j{}\n    steps: []\n", i - 1));
        }
        text.push_str("  a:\n    needs: b\n  b:\n    needs: a\n");
        let p = pipeline(&text, Flavor::GitHub);
        let have = p.ancestors_have(&|j| j == 0);
        assert!(have[9_999] && !have[0]);
        assert!(!have[10_000] && !have[10_001]);
    }
}
