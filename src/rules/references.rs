//! The compliance references of a rule: the Azure Policy built-in definitions, Microsoft
//! cloud security benchmark (MCSB) controls and CIS Azure Kubernetes Service Benchmark items
//! that ask for the same thing. They are written once, in the `## References` section of
//! the rule document, and read from there by `aksguard rule`, SARIF and the HTML report.
//!
//! The section is a list, one bullet per reference (README "References"):
//!
//! ```text
//! - Azure Policy: `/providers/Microsoft.Authorization/policyDefinitions/<guid>` — <display name> (source: <where>; looked up <YYYY-MM-DD>)
//! - MCSB: NS-2 — <control title> (source: <where>; looked up <YYYY-MM-DD>)
//! - CIS AKS 1.8.0: 5.4.1 — <item title> (source: <where>; looked up <YYYY-MM-DD>)
//! - CIS AKS 1.8.0: none — <why no item applies>
//! ```
//!
//! Each kind a rule has no reference of is said, with the reason, so an absent reference is
//! never mistaken for a forgotten one. Other text in the section (an introduction, notes)
//! is not a bullet and is left alone.

use std::fmt;
use std::sync::OnceLock;

/// Where a reference comes from: the three catalogues the guidance's readers audit against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind<'a> {
    /// An Azure Policy built-in definition.
    AzurePolicy,
    /// A Microsoft cloud security benchmark control.
    Mcsb,
    /// An item of the CIS Azure Kubernetes Service Benchmark, of this version.
    CisAks(&'a str),
}

impl<'a> Kind<'a> {
    fn parse(label: &'a str) -> Option<Kind<'a>> {
        match label {
            "Azure Policy" => Some(Kind::AzurePolicy),
            "MCSB" => Some(Kind::Mcsb),
            _ => {
                let version = label.strip_prefix("CIS AKS ")?;
                is_version(version).then_some(Kind::CisAks(version))
            }
        }
    }

    /// The label written in the document: `Azure Policy`, `MCSB`, `CIS AKS 1.8.0`.
    pub fn label(self) -> String {
        match self {
            Kind::AzurePolicy => "Azure Policy".to_string(),
            Kind::Mcsb => "MCSB".to_string(),
            Kind::CisAks(version) => format!("CIS AKS {version}"),
        }
    }
}

impl fmt::Display for Kind<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// One reference of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference<'a> {
    pub kind: Kind<'a>,
    /// The full Azure Policy definition ID
    /// (`/providers/Microsoft.Authorization/policyDefinitions/<guid>`), the MCSB control
    /// (`NS-2`) or the CIS item number (`5.4.1`).
    pub id: &'a str,
    /// The policy's display name, the control's or the item's title.
    pub title: &'a str,
    /// Where it was looked up: repository, commit and file, or the document.
    pub source: &'a str,
    /// When it was looked up (`YYYY-MM-DD`).
    pub looked_up: &'a str,
}

impl<'a> Reference<'a> {
    /// The identifier without its path: the policy's GUID, the control, the item.
    pub fn short_id(&self) -> &'a str {
        match self.kind {
            Kind::AzurePolicy => self.id.rsplit('/').next().unwrap_or(self.id),
            _ => self.id,
        }
    }

    /// The SARIF `properties.tags` entry: `azure-policy/<guid>`, `mcsb/NS-2`,
    /// `cis-aks-1.8.0/5.4.1` (README "References").
    pub fn tag(&self) -> String {
        match self.kind {
            Kind::AzurePolicy => format!("azure-policy/{}", self.short_id()),
            Kind::Mcsb => format!("mcsb/{}", self.id),
            Kind::CisAks(version) => format!("cis-aks-{version}/{}", self.id),
        }
    }

    /// A link to the source file when the source names a GitHub repository, commit and
    /// file (`owner/name@commit \`path\``), the form every reference of aksguard's own
    /// documents uses.
    pub fn source_url(&self) -> Option<String> {
        let (repository, rest) = self.source.split_once('@')?;
        if repository.split('/').count() != 2
            || !repository
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "/-_.".contains(c))
        {
            return None;
        }
        let (commit, rest) = rest.split_once(' ')?;
        if commit.len() < 7 || !commit.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let path = rest.strip_prefix('`')?.split('`').next()?;
        if path.is_empty() {
            return None;
        }
        let path: String = path
            .chars()
            .map(|c| match c {
                ' ' => "%20".to_string(),
                '#' => "%23".to_string(),
                '?' => "%3F".to_string(),
                c => c.to_string(),
            })
            .collect();
        Some(format!(
            "https://github.com/{repository}/blob/{commit}/{path}"
        ))
    }
}

/// A kind of reference a rule has none of, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Absence<'a> {
    pub kind: Kind<'a>,
    pub reason: &'a str,
}

/// The parsed `## References` section.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct References<'a> {
    pub found: Vec<Reference<'a>>,
    pub absent: Vec<Absence<'a>>,
}

/// A bullet of the section that does not follow the format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based, in the document.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The references of a rule or engine diagnostic (by ID or slug), from its document; none
/// for an unknown rule or a section that does not parse (tests/rule_docs.rs checks that
/// every document has one that does).
pub fn references(id: &str) -> Vec<Reference<'static>> {
    // Parsed once: a report asks for the references of a rule once per finding.
    static PARSED: OnceLock<Vec<(&'static str, Vec<Reference<'static>>)>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        let rules = super::ALL.iter().map(|r| (r.id, r.doc));
        let engine = super::ENGINE_DIAGNOSTICS.iter().map(|d| (d.id, d.doc));
        rules
            .chain(engine)
            .map(|(id, doc)| (id, parse(doc).map(|r| r.found).unwrap_or_default()))
            .collect()
    });
    let canonical = super::find(id).map(|r| r.id).or_else(|| {
        super::ENGINE_DIAGNOSTICS
            .iter()
            .find(|d| d.id.eq_ignore_ascii_case(id) || d.slug == id)
            .map(|d| d.id)
    });
    canonical
        .and_then(|canonical| parsed.iter().find(|(id, _)| *id == canonical))
        .map(|(_, found)| found.clone())
        .unwrap_or_default()
}

const POLICY_PREFIX: &str = "/providers/Microsoft.Authorization/policyDefinitions/";
const SEPARATOR: &str = " — ";

/// Reads the `## References` section of a rule document. A document without one has no
/// references (`Ok` and empty): whether every document must have one is for the tests to
/// say, not for the reader.
pub fn parse(doc: &str) -> Result<References<'_>, ParseError> {
    let mut references = References::default();
    let mut inside = false;
    let mut fenced = false;
    for (index, line) in doc.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if let Some(title) = trimmed.strip_prefix("## ") {
            inside = title.trim() == "References";
            continue;
        }
        if !inside {
            continue;
        }
        let Some(bullet) = trimmed.strip_prefix("- ") else {
            continue;
        };
        let error = |message: String| ParseError {
            line: index + 1,
            message,
        };
        let (label, rest) = bullet
            .split_once(": ")
            .ok_or_else(|| error(format!("expected `<kind>: ...`, found `{bullet}`")))?;
        let kind = Kind::parse(label).ok_or_else(|| {
            error(format!(
                "unknown kind `{label}` (expected `Azure Policy`, `MCSB` or `CIS AKS <version>`)"
            ))
        })?;
        if rest.trim_end_matches([' ', '—']) == "none" {
            return Err(error(format!("`{label}: none` must say why")));
        }
        let (id, rest) = rest
            .split_once(SEPARATOR)
            .ok_or_else(|| error(format!("expected `<id> — <title>` after `{label}:`")))?;
        if id == "none" {
            references.absent.push(Absence {
                kind,
                reason: rest.trim(),
            });
            continue;
        }
        let id = match kind {
            Kind::AzurePolicy => {
                let id = id
                    .strip_prefix('`')
                    .and_then(|id| id.strip_suffix('`'))
                    .unwrap_or(id);
                let guid = id.strip_prefix(POLICY_PREFIX).ok_or_else(|| {
                    error(format!(
                        "a policy is its full definition ID, `{POLICY_PREFIX}<guid>`: `{id}`"
                    ))
                })?;
                if !is_guid(guid) {
                    return Err(error(format!("`{guid}` is not a full lowercase GUID")));
                }
                id
            }
            Kind::Mcsb if !is_control(id) => {
                return Err(error(format!("`{id}` is not an MCSB control (`NS-2`)")));
            }
            Kind::CisAks(_) if !is_item(id) => {
                return Err(error(format!("`{id}` is not a CIS item number (`5.4.1`)")));
            }
            _ => id,
        };
        let (title, provenance) = rest
            .strip_suffix(')')
            .and_then(|rest| rest.rsplit_once(" (source: "))
            .ok_or_else(|| {
                error("a reference ends with `(source: ...; looked up YYYY-MM-DD)`".to_string())
            })?;
        let (source, looked_up) = provenance
            .rsplit_once("; looked up ")
            .ok_or_else(|| error("the source must say `; looked up YYYY-MM-DD`".to_string()))?;
        if !is_date(looked_up) {
            return Err(error(format!("`{looked_up}` is not a date (YYYY-MM-DD)")));
        }
        if title.trim().is_empty() || source.trim().is_empty() {
            return Err(error("empty title or source".to_string()));
        }
        references.found.push(Reference {
            kind,
            id,
            title: title.trim(),
            source: source.trim(),
            looked_up,
        });
    }
    Ok(references)
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(group, length)| {
            group.len() == length
                && group
                    .chars()
                    .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
        })
}

/// `NS-2`, `PV-10`: two capitals, a dash, a number.
fn is_control(text: &str) -> bool {
    let Some((domain, number)) = text.split_once('-') else {
        return false;
    };
    domain.len() == 2
        && domain.chars().all(|c| c.is_ascii_uppercase())
        && (1..=2).contains(&number.len())
        && number.chars().all(|c| c.is_ascii_digit())
}

/// `5.4.1`: numbers joined by dots, at least two.
fn is_item(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.chars().all(|c| c.is_ascii_digit()))
}

fn is_version(text: &str) -> bool {
    is_item(text)
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# X001 example\n\n## Fix safety\n\nNo automatic fix.\n\n## References\n\nLooked up from public sources.\n\n\
- Azure Policy: `/providers/Microsoft.Authorization/policyDefinitions/0e246bcf-5f6f-4f87-bc6f-775d4712c7ea` — Authorized IP ranges should be defined on Kubernetes Services (source: Azure/azure-policy@f4a50bacae07 `built-in-policies/policyDefinitions/Security Center/ASC_EnableIpRanges_KubernetesService_Audit.json`, version 2.0.1; looked up 2026-12-07)\n\
- MCSB: NS-2 — Secure cloud native services with network controls (source: the initiative (v57.56.0); looked up 2026-12-07)\n\
- CIS AKS 1.8.0: none — no item asks for it\n";

    #[test]
    fn reads_each_kind_and_the_absences() {
        let refs = parse(DOC).unwrap();
        assert_eq!(refs.found.len(), 2);
        let policy = &refs.found[0];
        assert_eq!(policy.kind, Kind::AzurePolicy);
        assert_eq!(policy.short_id(), "0e246bcf-5f6f-4f87-bc6f-775d4712c7ea");
        assert_eq!(
            policy.title,
            "Authorized IP ranges should be defined on Kubernetes Services"
        );
        assert_eq!(policy.looked_up, "2026-12-07");
        assert_eq!(
            policy.tag(),
            "azure-policy/0e246bcf-5f6f-4f87-bc6f-775d4712c7ea"
        );
        assert_eq!(
            policy.source_url().unwrap(),
            "https://github.com/Azure/azure-policy/blob/f4a50bacae07/built-in-policies/policyDefinitions/Security%20Center/ASC_EnableIpRanges_KubernetesService_Audit.json"
        );
        let control = &refs.found[1];
        assert_eq!((control.kind, control.id), (Kind::Mcsb, "NS-2"));
        assert_eq!(control.tag(), "mcsb/NS-2");
        // A parenthesis inside the source does not end it early.
        assert_eq!(control.source, "the initiative (v57.56.0)");
        assert_eq!(control.source_url(), None);
        assert_eq!(
            refs.absent,
            vec![Absence {
                kind: Kind::CisAks("1.8.0"),
                reason: "no item asks for it"
            }]
        );
    }

    #[test]
    fn cis_items_carry_the_benchmark_version_in_their_tag() {
        let doc = "## References\n\n- CIS AKS 1.8.0: 5.4.1 — Restrict Access to the Control Plane Endpoint (source: aquasecurity/kube-bench@a73ce378418c `cfg/aks-1.8/managedservices.yaml`; looked up 2026-12-07)\n";
        let refs = parse(doc).unwrap();
        assert_eq!(refs.found[0].tag(), "cis-aks-1.8.0/5.4.1");
        assert_eq!(refs.found[0].kind.label(), "CIS AKS 1.8.0");
    }

    #[test]
    fn a_policy_must_be_its_full_definition_id() {
        let doc = "## References\n- Azure Policy: 0e246bcf — Authorized IP ranges (source: x; looked up 2026-12-07)\n";
        let error = parse(doc).unwrap_err();
        assert_eq!(error.line, 2);
        assert!(error.message.contains("full definition ID"), "{error}");
        let short = "## References\n- Azure Policy: `/providers/Microsoft.Authorization/policyDefinitions/0e246bcf` — A (source: x; looked up 2026-12-07)\n";
        assert!(parse(short).unwrap_err().message.contains("GUID"));
    }

    #[test]
    fn rejects_what_does_not_follow_the_format() {
        for (bullet, expected) in [
            (
                "- Checkov: CKV_AZURE_6 — x (source: y; looked up 2026-12-07)",
                "unknown kind",
            ),
            (
                "- MCSB: network — x (source: y; looked up 2026-12-07)",
                "not an MCSB control",
            ),
            (
                "- CIS AKS 1.8.0: five — x (source: y; looked up 2026-12-07)",
                "not a CIS item",
            ),
            ("- MCSB: NS-2 — x (source: y)", "looked up"),
            ("- MCSB: NS-2 — x", "(source:"),
            (
                "- MCSB: NS-2 — x (source: y; looked up yesterday)",
                "not a date",
            ),
            ("- MCSB: none — ", "must say why"),
            ("- MCSB NS-2", "expected `<kind>: ...`"),
        ] {
            let doc = format!("## References\n\n{bullet}\n");
            let error = parse(&doc).unwrap_err();
            assert!(error.message.contains(expected), "{bullet}: {error}");
            assert_eq!(error.line, 3, "{bullet}");
        }
    }

    #[test]
    fn only_the_references_section_is_read() {
        let doc = "## Why\n\n- MCSB: nonsense\n\n## References\n\n```text\n- not: a bullet\n```\n\n## Later\n\n- Checkov: x\n";
        assert_eq!(parse(doc).unwrap(), References::default());
        assert_eq!(parse("# no section\n").unwrap(), References::default());
    }

    #[test]
    fn references_are_found_by_id_or_slug() {
        assert!(references("NOPE999").is_empty());
        let by_id = references("AKS001");
        assert_eq!(by_id, references("aks001"));
        assert_eq!(by_id, references("public-api-server-unrestricted"));
        assert_eq!(
            by_id[0].id,
            "/providers/Microsoft.Authorization/policyDefinitions/0e246bcf-5f6f-4f87-bc6f-775d4712c7ea"
        );
        assert!(references("AG001").is_empty());
        assert!(references("parse-error").is_empty());
    }
}
