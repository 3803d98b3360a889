//! Helm charts whose templates a scan skips as unrendered (`{{ .Values ... }}`): one AG005
//! notice per chart, with the command that renders it for the scan. Sub-charts under a
//! chart's `charts/` are rendered with it, so they count as that chart.

use crate::notice::NotEvaluated;
use crate::source::{FileId, Loc, Sources};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Is this YAML an unrendered Helm template (skipped by the scan)?
pub fn is_unrendered_template(text: &str) -> bool {
    super::is_go_template(text)
}

/// The notices for the charts that the skipped `templates` belong to.
pub fn unrendered_charts(sources: &Sources, templates: &[FileId]) -> Vec<NotEvaluated> {
    // Chart directory -> its skipped templates, in scan order.
    let mut charts: BTreeMap<PathBuf, Vec<FileId>> = BTreeMap::new();
    for id in templates {
        if let Some(chart) = chart_of(&sources.get(*id).path) {
            charts.entry(chart).or_default().push(*id);
        }
    }
    // Only the charts' own files are looked up: most scans have no chart at all.
    let chart_files: HashSet<PathBuf> = charts.keys().map(|d| d.join("Chart.yaml")).collect();
    let by_path: HashMap<&Path, FileId> = sources
        .iter()
        .filter(|_| !chart_files.is_empty())
        .filter(|f| chart_files.contains(&f.path))
        .map(|f| (f.path.as_path(), f.id))
        .collect();
    charts
        .into_iter()
        .map(|(dir, templates)| {
            let chart_file = dir.join("Chart.yaml");
            let manifest = by_path.get(chart_file.as_path()).map(|id| sources.get(*id));
            let name = manifest
                .and_then(|m| top_level(&m.text, "name"))
                .map(|(value, _)| value.to_string())
                .unwrap_or_else(|| {
                    dir.file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default()
                });
            // At the chart's `name:` line, else the first template skipped.
            let at = match manifest {
                Some(m) => match top_level(&m.text, "name") {
                    Some((_, line)) => Loc::new(m.id, line.start, line.end),
                    None => Loc::new(m.id, 0, 0),
                },
                None => Loc::new(templates[0], 0, 0),
            };
            let shown = crate::source::display_path(&dir);
            let shown = if shown.is_empty() {
                ".".to_string()
            } else {
                shown
            };
            let dependencies =
                manifest.is_some_and(|m| top_level(&m.text, "dependencies").is_some());
            let build = if dependencies {
                format!("`helm dependency build {shown}`, then ")
            } else {
                String::new()
            };
            let count = templates.len();
            NotEvaluated {
                at,
                resource: format!("Chart/{name}"),
                message: format!(
                    "Helm chart `{name}` was not rendered, so its {count} template{} {} not \
                     checked: the workloads it deploys were not checked",
                    if count == 1 { "" } else { "s" },
                    if count == 1 { "was" } else { "were" },
                ),
                help: format!(
                    "render it and check the output: {build}`helm template {shown} | aksguard \
                     check -` (with your values files: `-f values-prod.yaml`)"
                ),
            }
        })
        .collect()
}

/// The chart a template belongs to: the nearest directory above it with a `Chart.yaml`
/// whose `templates/` holds it, widened to the parent chart for a sub-chart.
fn chart_of(template: &Path) -> Option<PathBuf> {
    let mut chart = template
        .ancestors()
        .skip(1)
        .find(|dir| dir.file_name().is_some_and(|n| n == "templates"))
        .and_then(Path::parent)
        .filter(|dir| dir.join("Chart.yaml").is_file())?;
    while let Some(parent) = chart
        .parent()
        .filter(|p| p.file_name().is_some_and(|n| n == "charts"))
        .and_then(Path::parent)
        .filter(|p| p.join("Chart.yaml").is_file())
    {
        chart = parent;
    }
    Some(chart.to_path_buf())
}

/// A top-level `key: value` of a YAML file: the value (unquoted) and the line's byte range.
fn top_level<'t>(text: &'t str, key: &str) -> Option<(&'t str, std::ops::Range<usize>)> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end();
        if let Some(value) = content
            .strip_prefix(key)
            .and_then(|rest| rest.strip_prefix(':'))
        {
            let value = value.split(" #").next().unwrap_or("").trim();
            let value = value.trim_matches(|c| c == '"' || c == '\'');
            return Some((value, start..start + content.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_keys_and_their_lines() {
        let text = "apiVersion: v2\nname: \"web\" # the app\ndependencies:\n  - name: redis\n";
        assert_eq!(top_level(text, "name"), Some(("web", 15..36)));
        assert_eq!(top_level(text, "dependencies").map(|(v, _)| v), Some(""));
        assert_eq!(top_level(text, "version"), None);
    }
}
