//! Baselines: accept today's findings and report only new ones. Keyed by rule + path +
//! resource address (not line), so edits elsewhere in a file do not churn the baseline.

use crate::finding::Scan;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::path::Path;

type Key = (String, String, String);

fn key(scan: &Scan, finding: &crate::finding::Finding) -> Key {
    (
        finding.rule.to_string(),
        scan.sources.get(finding.at.file).display.clone(),
        finding.resource.clone(),
    )
}

/// Writes every unsuppressed finding of the scan (one entry per finding, so two findings
/// of the same key need two entries).
pub fn write(path: &Path, scan: &Scan) -> std::io::Result<()> {
    let mut entries: Vec<Key> = scan
        .findings
        .iter()
        .filter(|f| !f.suppressed)
        .map(|f| key(scan, f))
        .collect();
    entries.sort();
    let findings: Vec<Value> = entries
        .into_iter()
        .map(|(rule, path, resource)| json!({"rule": rule, "path": path, "resource": resource}))
        .collect();
    let document = json!({"version": 1, "findings": findings});
    let mut text = serde_json::to_string_pretty(&document).unwrap_or_default();
    text.push('\n');
    std::fs::write(path, text)
}

/// A baseline as read: how many findings of each key it accepts.
#[derive(Clone, Debug, Default)]
pub struct Baseline {
    known: HashMap<Key, usize>,
}

impl Baseline {
    /// Reads a baseline written by [`write`].
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = crate::input::read_text(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let document: Value = serde_json::from_str(&text).map_err(|e| {
            format!(
                "{}:{}:{}: not a baseline: {e}",
                path.display(),
                e.line(),
                e.column()
            )
        })?;
        let mut known: HashMap<Key, usize> = HashMap::new();
        for entry in document["findings"].as_array().into_iter().flatten() {
            let field = |name: &str| entry[name].as_str().unwrap_or("").to_string();
            *known
                .entry((field("rule"), field("path"), field("resource")))
                .or_default() += 1;
        }
        Ok(Baseline { known })
    }

    /// Marks the findings of the scan the baseline knows as suppressed ("baseline"), and
    /// returns how many.
    pub fn apply(&self, scan: &mut Scan) -> usize {
        let mut known = self.known.clone();
        let mut matched = 0;
        for index in 0..scan.findings.len() {
            if scan.findings[index].suppressed {
                continue;
            }
            let k = key(scan, &scan.findings[index]);
            if let Some(count) = known.get_mut(&k).filter(|c| **c > 0) {
                *count -= 1;
                matched += 1;
                let finding = &mut scan.findings[index];
                finding.suppressed = true;
                finding.suppression = Some("baseline".to_string());
            }
        }
        // Findings left out of a scan of named files: the ones the baseline knows are not
        // counted as not shown.
        let mut hidden = std::mem::take(&mut scan.not_shown.hidden);
        hidden.retain(|f| {
            let k = key(scan, f);
            match known.get_mut(&k).filter(|c| **c > 0) {
                Some(count) => {
                    *count -= 1;
                    false
                }
                None => true,
            }
        });
        scan.not_shown.findings = hidden.len();
        scan.not_shown.hidden = hidden;
        matched
    }
}
