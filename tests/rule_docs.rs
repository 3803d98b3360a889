//! Every rule's documentation is also its test: each `### Bad ...` / `### Good ...` example
//! is written to a scratch directory and linted; the findings of the documented rule must be
//! exactly the lines marked `<- RULEID` (at the line's first non-blank column).
//!
//! Fixes too: the rule's fixes applied to each Bad example must leave files that parse and
//! no finding of the rule; a `### Fixed: X` example must be exactly what fixing `### Bad: X`
//! gives; and the doc's `## Fix safety` section must say whether there is a fix, truly.

use aksguard::config::Config;
use aksguard::engine;
use aksguard::fix::{self, Applicability};
use aksguard::report::{span_lines, LineSpan};
use aksguard::rules::{self, FixKind, InputFormat};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

struct Example {
    heading: String,
    files: Vec<(String, String, String)>, // (file name, language, text)
}

fn examples(doc: &str) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    let mut lines = doc.lines();
    while let Some(line) = lines.next() {
        if let Some(heading) = line.strip_prefix("### ") {
            out.push(Example {
                heading: heading.trim().to_string(),
                files: Vec::new(),
            });
            continue;
        }
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let info = info.trim();
        if info.is_empty() {
            continue;
        }
        let mut words = info.split_whitespace();
        let language = words.next().unwrap_or("").to_string();
        let named = words
            .find_map(|w| w.strip_prefix("file="))
            .map(str::to_string);
        let mut text = String::new();
        for body in lines.by_ref() {
            if body.starts_with("```") {
                break;
            }
            text.push_str(body);
            text.push('\n');
        }
        let default_name = match language.as_str() {
            "hcl" | "terraform" => "main.tf",
            "json" | "jsonc" => "template.json",
            "bicep" => "main.bicep",
            "toml" => "aksguard.toml",
            "yaml" | "yml" => "manifest.yaml",
            "dockerfile" => "Dockerfile",
            _ => continue,
        };
        if let Some(example) = out.last_mut() {
            example.files.push((
                named.unwrap_or_else(|| default_name.to_string()),
                language,
                text,
            ));
        }
    }
    out.into_iter().filter(|e| !e.files.is_empty()).collect()
}

/// Lines marked `<- RULE` expect a finding at their first non-blank column, or at column N
/// with `<- RULE column N` (a Dockerfile finding on an argument, such as `FROM`'s image).
fn expected(files: &[(String, String, String)], rule: &str) -> BTreeSet<(String, usize, usize)> {
    let marker = format!("<- {rule}");
    let mut out = BTreeSet::new();
    for (name, _, text) in files {
        for (i, line) in text.lines().enumerate() {
            if let Some(at) = line.find(&marker) {
                let column = line[at + marker.len()..]
                    .trim_start()
                    .strip_prefix("column ")
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or_else(|| line.chars().take_while(|c| c.is_whitespace()).count() + 1);
                out.insert((name.clone(), i + 1, column));
            }
        }
    }
    out
}

/// The text written to disk: a Dockerfile has no trailing comments, so its `# <- RULE`
/// markers go (only `#`: a URL's `//` is not a comment there).
fn on_disk(language: &str, text: &str) -> String {
    if language != "dockerfile" {
        return text.to_string();
    }
    let mut out = String::new();
    for line in text.lines() {
        let kept = match line.find("<- ") {
            Some(marker) => line[..marker]
                .rfind('#')
                .map_or(line, |c| line[..c].trim_end()),
            None => line,
        };
        out.push_str(kept);
        out.push('\n');
    }
    out
}

fn scratch(rule: &str, index: usize) -> PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("aksguard-doc-{}", std::process::id()))
        .join(format!("{rule}-{index}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, rule: &str) -> (BTreeSet<(String, usize, usize)>, Vec<String>) {
    let config_path = dir.join("aksguard.toml");
    let config = if config_path.exists() {
        Config::load(&config_path).unwrap_or_else(|e| panic!("{e}"))
    } else {
        Config::default_for(dir)
    };
    let paths = [dir.to_path_buf()];
    let scan = engine::lint(&engine::Request::new(&paths, &config));
    let errors = scan
        .errors
        .iter()
        .map(|e| format!("{}: {}", e.path, e.message))
        .collect();
    let found = scan
        .findings
        .iter()
        .filter(|f| f.rule == rule)
        .map(|f| {
            let LineSpan { line, column, .. } = span_lines(&scan.sources, f.at);
            let name = scan
                .sources
                .get(f.at.file)
                .path
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (name, line, column)
        })
        .collect();
    (found, errors)
}

#[test]
fn every_rule_doc_example_holds() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        let examples = examples(rule.doc);
        let has = |kind: &str, lang: &[&str]| {
            examples.iter().any(|e| {
                e.heading.starts_with(kind) && e.files.iter().any(|f| lang.contains(&f.1.as_str()))
            })
        };
        // Bad examples per format: `every_rule_doc_has_bad_examples_in_its_family_formats`.
        // Workload rules are documented on manifests, build rules on Dockerfiles or
        // pipelines; infrastructure rules in Terraform and ARM (and Bicep, Bad only).
        let missing = if rule.id.starts_with("K8S") {
            (!has("Good", &["yaml", "yml"])).then_some("YAML")
        } else if rule.id == "BLD007" {
            (!has("Good", &["yaml", "yml"])).then_some("pipeline YAML")
        } else if rule.id.starts_with("BLD") {
            (!has("Good", &["dockerfile"])).then_some("a Dockerfile")
        } else {
            (!has("Good", &["hcl", "terraform"]) || !has("Good", &["json", "jsonc"]))
                .then_some("Terraform and in ARM")
        };
        if let Some(formats) = missing {
            failures.push(format!("{}: needs a Good example in {formats}", rule.id));
        }
        for (index, example) in examples.iter().enumerate() {
            let dir = scratch(rule.id, index);
            for (name, language, text) in &example.files {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, on_disk(language, text)).unwrap();
            }
            let want = expected(&example.files, rule.id);
            let bad = example.heading.starts_with("Bad");
            if bad && want.is_empty() {
                failures.push(format!(
                    "{} `{}`: a Bad example needs `<- {}` markers",
                    rule.id, example.heading, rule.id
                ));
            }
            if !bad && !want.is_empty() {
                failures.push(format!(
                    "{} `{}`: only Bad examples carry markers",
                    rule.id, example.heading
                ));
            }
            let (got, errors) = run(&dir, rule.id);
            if !errors.is_empty() {
                failures.push(format!(
                    "{} `{}`: engine errors {errors:?}",
                    rule.id, example.heading
                ));
            }
            if got != want {
                failures.push(format!(
                    "{} `{}`: expected (file, line, column) {want:?}, got {got:?}",
                    rule.id, example.heading
                ));
            }
        }
        let _ = std::fs::remove_dir_all(
            std::env::temp_dir().join(format!("aksguard-doc-{}", std::process::id())),
        );
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The formats a rule family is documented in: a `### Bad` example in each shows where the
/// rule fires (build.rs reads the formats from the examples' code blocks).
fn family_formats(id: &str) -> &'static [InputFormat] {
    match id {
        "BLD007" => &[InputFormat::Pipeline],
        _ if id.starts_with("BLD") => &[InputFormat::Dockerfile],
        _ if id.starts_with("K8S") => &[InputFormat::Kubernetes],
        // AKS, ACR, LZ, DEF: the infrastructure, in each IaC format aksguard reads.
        _ => &[InputFormat::Terraform, InputFormat::Arm, InputFormat::Bicep],
    }
}

#[test]
fn every_rule_doc_has_bad_examples_in_its_family_formats() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        for format in family_formats(rule.id) {
            if !rule.formats.contains(format) {
                failures.push(format!(
                    "rules/{}.md: needs a `### Bad: ...` example in {format:?} (a ```{} block)",
                    rule.id,
                    match format {
                        InputFormat::Terraform => "hcl",
                        InputFormat::Arm => "json",
                        InputFormat::Bicep => "bicep",
                        InputFormat::Dockerfile => "dockerfile",
                        InputFormat::Kubernetes | InputFormat::Pipeline => "yaml",
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// `scripts/new-rule` writes a document of TODOs: each one is a step left to do.
#[test]
fn rule_docs_have_no_todo_left() {
    for meta in rules::catalogue::DOCUMENTED {
        let left: Vec<&str> = meta.doc.lines().filter(|l| l.contains("TODO")).collect();
        assert!(
            left.is_empty(),
            "rules/{}.md still has TODOs to complete (CONTRIBUTING.md):\n{}",
            meta.id,
            left.join("\n")
        );
    }
}

#[test]
fn docs_start_with_id_and_slug() {
    for rule in rules::ALL {
        let first = rule.doc.lines().next().unwrap_or("");
        assert_eq!(
            first,
            format!("# {} {}", rule.id, rule.slug),
            "first line of rules/{}.md",
            rule.id
        );
    }
}

/// `aksguard rule ID`, SARIF `help` and hovers show these docs to users: the guidance is
/// cited by its public title and link, never by a file of this repository (which a user of
/// the binary does not have).
#[test]
fn docs_cite_the_guidance_by_title_and_link_not_by_repository_file() {
    const GUIDANCE: &str =
        "[*Security for AKS*](https://learn.microsoft.com/azure/cloud-adoption-framework/scenarios/app-platform/aks/security)";
    for rule in rules::ALL {
        for internal in ["seed/", "zh-TW.txt", "DESIGN.md", "RULES.md", "STYLE.md"] {
            assert!(
                !rule.doc.contains(internal),
                "rules/{}.md cites `{internal}`, a file users do not have",
                rule.id
            );
        }
        // A doc quoting the guidance's Chinese text names where the quote comes from.
        if rule.doc.contains('「') {
            assert!(
                rule.doc.contains(GUIDANCE),
                "rules/{}.md quotes the guidance without citing {GUIDANCE}",
                rule.id
            );
        }
    }
}

/// The line without its `# <- RULE` / `// <- RULE` marker comment.
fn without_markers(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let line = match line.find("<- ") {
            Some(marker) => {
                let before = &line[..marker];
                let comment = before.rfind("//").or_else(|| before.rfind('#'));
                comment.map_or(line, |c| line[..c].trim_end())
            }
            None => line,
        };
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[test]
fn fixes_resolve_their_findings_and_match_the_fixed_examples() {
    let mut failures = Vec::new();
    for rule in rules::ALL {
        // build.rs read the kind from `## Fix safety` (a document without one does not build).
        let claims_fix = rule.fix != FixKind::None;
        let examples = examples(rule.doc);
        let mut applied_any = false;
        for (index, example) in examples.iter().enumerate() {
            let Some(name) = example.heading.strip_prefix("Bad: ") else {
                continue;
            };
            // Not `scratch`: the other test removes its root while this one runs.
            let dir = std::env::temp_dir()
                .join(format!("aksguard-docfix-{}", std::process::id()))
                .join(format!("{}-{index}", rule.id));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (file, language, text) in &example.files {
                let path = dir.join(file);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, on_disk(language, text)).unwrap();
            }
            let mut config = match dir.join("aksguard.toml") {
                path if path.exists() => Config::load(&path).unwrap(),
                _ => Config::default_for(&dir),
            };
            config.select = vec![rule.id.to_string()];
            let paths = [dir.clone()];
            let request = engine::Request::new(&paths, &config);
            let scan = engine::lint(&request);
            let fixes: Vec<_> = scan
                .findings
                .iter()
                .filter(|f| f.rule == rule.id)
                .filter_map(|f| fix::render(&scan.sources, f))
                .collect();
            if !claims_fix && !fixes.is_empty() {
                failures.push(format!(
                    "{} `{}`: the doc says no automatic fix, but the rule offers one",
                    rule.id, example.heading
                ));
            }
            if rule.fix == FixKind::AlwaysUnsafe
                && fixes.iter().any(|f| f.applicability == Applicability::Safe)
            {
                failures.push(format!(
                    "{} `{}`: the doc says the fix is always unsafe, but a safe one is offered",
                    rule.id, example.heading
                ));
            }
            if fixes
                .iter()
                .all(|f| f.applicability == Applicability::DisplayOnly)
            {
                continue;
            }
            applied_any = true;
            let planned =
                aksguard::engine::fixes::fix_files(&request, &scan, Applicability::Unsafe);
            if !planned.not_written.is_empty() {
                failures.push(format!(
                    "{} `{}`: fixed files not written: {:?}",
                    rule.id, example.heading, planned.not_written
                ));
            }
            let written = aksguard::engine::fixes::write(&planned.changes);
            assert!(
                written.errors.is_empty() && written.not_written.is_empty(),
                "{written:?}"
            );
            let (left, errors) = run(&dir, rule.id);
            if !left.is_empty() || !errors.is_empty() {
                failures.push(format!(
                    "{} `{}`: after the fixes still {left:?}, errors {errors:?}",
                    rule.id, example.heading
                ));
            }
            let wanted = format!("Fixed: {name}");
            if let Some(fixed) = examples.iter().find(|e| e.heading == wanted) {
                for (file, _, expected) in &fixed.files {
                    let got = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
                    if without_markers(&got) != *expected {
                        failures.push(format!(
                            "{} `{}`: {file} after the fixes is\n{}\nnot\n{expected}",
                            rule.id,
                            fixed.heading,
                            without_markers(&got)
                        ));
                    }
                }
            }
        }
        if claims_fix && !applied_any {
            failures.push(format!(
                "{}: the doc claims an automatic fix but no Bad example gets one",
                rule.id
            ));
        }
        for fixed in examples.iter().filter(|e| e.heading.starts_with("Fixed: ")) {
            let bad = format!("Bad: {}", &fixed.heading["Fixed: ".len()..]);
            if !examples.iter().any(|e| e.heading == bad) {
                failures.push(format!(
                    "{} `{}`: no `### {bad}` to fix",
                    rule.id, fixed.heading
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("aksguard-docfix-{}", std::process::id())),
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The engine diagnostics' documentation (`rules/AG00x.md`) holds too: each Bad example
/// gives exactly the marked diagnostics (findings, or errors for AG001 and AG004), each
/// Good example none, and no example gives any other engine error.
#[test]
fn every_engine_diagnostic_doc_example_holds() {
    let mut failures = Vec::new();
    for diagnostic in rules::ENGINE_DIAGNOSTICS {
        let id = diagnostic.id;
        let doc = diagnostic.doc;
        if doc.lines().next() != Some(format!("# {id} {}", diagnostic.slug).as_str()) {
            failures.push(format!(
                "rules/{id}.md must start with `# {id} {}`",
                diagnostic.slug
            ));
        }
        if diagnostic.fix != FixKind::None {
            failures.push(format!(
                "{id}: `## Fix safety` must say \"No automatic fix\""
            ));
        }
        let examples = examples(doc);
        if !examples.iter().any(|e| e.heading.starts_with("Good")) {
            failures.push(format!("{id}: needs a Good example"));
        }
        for (index, example) in examples.iter().enumerate() {
            let dir = std::env::temp_dir()
                .join(format!("aksguard-engdoc-{}", std::process::id()))
                .join(format!("{id}-{index}"));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            for (name, _, text) in &example.files {
                let path = dir.join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let want = expected(&example.files, id);
            if example.heading.starts_with("Bad") == want.is_empty() {
                failures.push(format!(
                    "{id} `{}`: Bad examples and only they carry markers",
                    example.heading
                ));
            }
            let mut got = BTreeSet::new();
            let mut others = Vec::new();
            let config_path = dir.join("aksguard.toml");
            let config = if config_path.exists() {
                match Config::load(&config_path) {
                    Ok(config) => config,
                    Err(e) => {
                        got.insert(("aksguard.toml".to_string(), e.line, e.column));
                        Config::default_for(&dir)
                    }
                }
            } else {
                Config::default_for(&dir)
            };
            let options = engine::Options {
                unknown_warn: id == "AG003",
                ..engine::Options::default()
            };
            let scan = engine::lint(
                &engine::Request::new(std::slice::from_ref(&dir), &config).options(&options),
            );
            let name = |file| {
                scan.sources
                    .get(file)
                    .path
                    .strip_prefix(&dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            };
            for f in scan
                .findings
                .iter()
                .filter(|f| f.rule == id && !f.suppressed)
            {
                let LineSpan { line, column, .. } = span_lines(&scan.sources, f.at);
                got.insert((name(f.at.file), line, column));
            }
            for e in &scan.errors {
                match e.at.filter(|_| e.rule == id) {
                    Some(at) => {
                        let LineSpan { line, column, .. } = span_lines(&scan.sources, at);
                        got.insert((name(at.file), line, column));
                    }
                    None => others.push(format!("{}: {}", e.path, e.message)),
                }
            }
            if got != want || !others.is_empty() {
                failures.push(format!(
                    "{id} `{}`: expected {want:?}, got {got:?}, other errors {others:?}",
                    example.heading
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(
        std::env::temp_dir().join(format!("aksguard-engdoc-{}", std::process::id())),
    );
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Every rule and engine diagnostic has a `## References` section that parses (README
/// "References"), says for each of the three catalogues either what it references or why
/// nothing, cites every policy by its full definition ID, and dates each line. The Azure
/// Policy definitions the **Peers:** line names by prefix are among the references.
#[test]
fn every_doc_has_sourced_dated_references() {
    use aksguard::rules::references::{self, Kind};
    let docs = rules::ALL
        .iter()
        .map(|r| (r.id, r.doc))
        .chain(rules::ENGINE_DIAGNOSTICS.iter().map(|d| (d.id, d.doc)));
    let mut failures = Vec::new();
    let mut count = 0;
    for (id, doc) in docs {
        count += 1;
        if !doc.contains("\n## References\n") {
            failures.push(format!("rules/{id}.md: no `## References` section"));
            continue;
        }
        let refs = match references::parse(doc) {
            Ok(refs) => refs,
            Err(e) => {
                failures.push(format!("rules/{id}.md: {e}"));
                continue;
            }
        };
        let said = |kind: fn(&Kind) -> bool| {
            (
                refs.found.iter().any(|r| kind(&r.kind)),
                refs.absent.iter().any(|a| kind(&a.kind)),
            )
        };
        for (name, kind) in [
            (
                "Azure Policy",
                (|k: &Kind| *k == Kind::AzurePolicy) as fn(&Kind) -> bool,
            ),
            ("MCSB", |k: &Kind| *k == Kind::Mcsb),
            ("CIS AKS", |k: &Kind| matches!(k, Kind::CisAks(_))),
        ] {
            match said(kind) {
                (false, false) => failures.push(format!(
                    "rules/{id}.md: no {name} reference and no `{name}: none — <why>`"
                )),
                (true, true) => failures.push(format!(
                    "rules/{id}.md: {name} references and a `none` line"
                )),
                _ => {}
            }
        }
        for r in &refs.found {
            if !r.source.contains('@') || r.source_url().is_none() {
                failures.push(format!(
                    "rules/{id}.md: {} {}: the source must be `owner/repo@commit \\`path\\``",
                    r.kind, r.id
                ));
            }
        }
        let peers = doc.lines().nth(2).unwrap_or("");
        for prefix in peers.split("Azure Policy ").skip(1) {
            let prefix: String = prefix
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
            // "Azure Policy add-on" in the guidance part is not a definition.
            if prefix.len() != 8 {
                continue;
            }
            if !refs
                .found
                .iter()
                .any(|r| r.kind == Kind::AzurePolicy && r.short_id().starts_with(&prefix))
            {
                failures.push(format!(
                    "rules/{id}.md: Peers cite Azure Policy {prefix}, References do not"
                ));
            }
        }
        // A policy named anywhere in the section, a `none` reason included, is named by its
        // full GUID, not by the 8-digit prefix RULES.md uses.
        let section = &doc[doc.find("\n## References\n").unwrap_or(0)..];
        for token in section.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
            if token.len() == 8
                && token.chars().all(|c| c.is_ascii_hexdigit())
                && token.chars().any(|c| c.is_ascii_digit())
            {
                failures.push(format!(
                    "rules/{id}.md: `{token}` in References: name a policy by its full GUID"
                ));
            }
        }
        if rules::references(id) != refs.found {
            failures.push(format!("rules::references({id}) differs from its doc"));
        }
    }
    assert_eq!(count, 67, "every rule and engine diagnostic");
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
