//! The one entry point shared by every front end: discover, parse and adapt in parallel,
//! build the model, run the rules in parallel, and order the findings.

use crate::arm;
use crate::config::{Archetype, Config};
use crate::discover::{self, FileKind};
use crate::finding::Finding;
use crate::model::raw::RawResource;
use crate::model::{Model, Zone};
use crate::rules::{self, Context, Settings};
use crate::source::{FileId, Loc, Sources};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Infrastructure files are small; a bigger one is generated or hostile.
pub const MAX_FILE_BYTES: usize = 16 << 20;

/// An engine diagnostic (AG001 parse error) rather than a rule finding.
#[derive(Clone, Debug)]
pub struct Problem {
    pub rule: &'static str,
    pub slug: &'static str,
    pub path: String,
    pub at: Option<Loc>,
    pub message: String,
}

pub struct Scan {
    pub sources: Sources,
    pub findings: Vec<Finding>,
    pub errors: Vec<Problem>,
    pub resources: usize,
    /// Files that were read as Terraform, tfvars, ARM templates or parameters.
    pub files: usize,
    pub duration: Duration,
    /// Wall time of each phase, for `--statistics`.
    pub phases: Vec<(&'static str, Duration)>,
}

enum Unit {
    Terraform {
        files: Vec<FileId>,
        tfvars: Vec<FileId>,
    },
    Arm {
        template: FileId,
        parameters: Option<FileId>,
    },
    Manifests(FileId),
}

/// Editor buffers that stand in for the files on disk at these (absolute) paths: the
/// language server's open documents, or `--fix` trying its edits before writing them.
pub type Buffers = HashMap<PathBuf, String>;

pub fn lint(paths: &[PathBuf], config: &Config) -> Scan {
    lint_with_buffers(paths, config, &Buffers::new())
}

pub fn lint_with_buffers(paths: &[PathBuf], config: &Config, buffers: &Buffers) -> Scan {
    let started = Instant::now();
    let mut phases = Vec::new();
    let mut lap = Instant::now();
    let mut phase = |name: &'static str| {
        phases.push((name, lap.elapsed()));
        lap = Instant::now();
    };
    let found = discover::discover(paths, config);
    phase("discover");
    let mut errors: Vec<Problem> = found
        .missing
        .iter()
        .map(|p| Problem {
            rule: rules::PARSE_ERROR.0,
            slug: rules::PARSE_ERROR.1,
            path: p.display().to_string(),
            at: None,
            message: "no such file or directory".to_string(),
        })
        .collect();

    let read: Vec<(PathBuf, FileKind, Result<String, String>)> = found
        .files
        .par_iter()
        .cloned()
        .map(|(path, kind)| {
            if let Some(text) = buffers.get(&path) {
                return (path, kind, Ok(text.clone()));
            }
            let bytes = if path.as_os_str() == "-" {
                let mut buffer = Vec::new();
                std::io::Read::read_to_end(&mut std::io::stdin(), &mut buffer).map(|_| buffer)
            } else {
                std::fs::read(&path)
            };
            let text = bytes.map_err(|e| e.to_string()).and_then(|bytes| {
                if bytes.len() > MAX_FILE_BYTES {
                    return Err(format!(
                        "the file is {} bytes, more than the {} MiB aksguard reads",
                        bytes.len(),
                        MAX_FILE_BYTES >> 20
                    ));
                }
                if bytes.iter().take(8192).any(|&b| b == 0) {
                    return Err("the file is binary (it contains NUL bytes)".to_string());
                }
                String::from_utf8(bytes).map_err(|e| {
                    format!(
                        "the file is not valid UTF-8 (at byte {})",
                        e.utf8_error().valid_up_to()
                    )
                })
            });
            (path, kind, text)
        })
        .collect();

    let mut sources = Sources::default();
    let mut kinds: Vec<(FileId, FileKind)> = Vec::new();
    for (path, kind, text) in read {
        match text {
            Ok(text) => {
                let id = sources.add(path, text);
                kinds.push((id, kind));
            }
            Err(message) => errors.push(Problem {
                rule: rules::PARSE_ERROR.0,
                slug: rules::PARSE_ERROR.1,
                path: crate::source::display_path(&path),
                at: None,
                message,
            }),
        }
    }

    // JSON files: decide by content which are templates and which are parameters files.
    let json_kinds: Vec<(FileId, Result<arm::JsonKind, arm::ArmError>)> = kinds
        .par_iter()
        .filter(|(_, k)| *k == FileKind::Json)
        .map(|(id, _)| {
            (
                *id,
                arm::classify(&sources.get(*id).text).map_err(|e| e.in_file(*id)),
            )
        })
        .collect();
    let mut templates = Vec::new();
    let mut json_manifests: Vec<FileId> = Vec::new();
    let mut parameter_files: HashMap<PathBuf, FileId> = HashMap::new();
    let mut scanned: HashSet<FileId> = HashSet::new();
    for (id, kind) in json_kinds {
        match kind {
            Ok(arm::JsonKind::Template) => {
                templates.push(id);
                scanned.insert(id);
            }
            Ok(arm::JsonKind::Parameters) => {
                parameter_files.insert(sources.get(id).path.clone(), id);
                scanned.insert(id);
            }
            // Kubernetes objects are sometimes kept as JSON; JSON is YAML.
            Ok(arm::JsonKind::Other) => {
                let text = &sources.get(id).text;
                if text.contains("\"apiVersion\"") && text.contains("\"kind\"") {
                    scanned.insert(id);
                    json_manifests.push(id);
                }
            }
            Err(e) => {
                scanned.insert(id);
                errors.push(problem(&sources, e.loc, e.message));
            }
        }
    }

    let mut units: Vec<Unit> = Vec::new();
    let mut terraform_dirs: BTreeMap<PathBuf, (Vec<FileId>, Vec<FileId>)> = BTreeMap::new();
    let mut manifests: Vec<FileId> = json_manifests;
    for (id, kind) in &kinds {
        let dir = sources
            .get(*id)
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        match kind {
            FileKind::Terraform => terraform_dirs.entry(dir).or_default().0.push(*id),
            FileKind::TfVars => terraform_dirs.entry(dir).or_default().1.push(*id),
            FileKind::Json => {}
            FileKind::Yaml => {
                // Unrendered Helm templates and YAML that is not Kubernetes are skipped quietly.
                if crate::k8s::looks_like_manifests(&sources.get(*id).text) {
                    scanned.insert(*id);
                    manifests.push(*id);
                }
            }
        }
    }
    for (files, mut tfvars) in terraform_dirs.into_values() {
        if files.is_empty() {
            continue;
        }
        // terraform.tfvars first, then *.auto.tfvars in lexical order: later ones win.
        tfvars.sort_by_key(|id| {
            let name = sources.get(*id).path.file_name().map(|n| n.to_os_string());
            (
                name.as_deref() != Some(std::ffi::OsStr::new("terraform.tfvars")),
                name,
            )
        });
        scanned.extend(files.iter().chain(&tfvars));
        units.push(Unit::Terraform { files, tfvars });
    }
    for template in templates {
        let parameters = discover::parameters_file_for(&sources.get(template).path)
            .and_then(|p| parameter_files.get(&p).copied());
        units.push(Unit::Arm {
            template,
            parameters,
        });
    }

    units.extend(manifests.into_iter().map(Unit::Manifests));

    let mut unit_of_file: HashMap<FileId, usize> = HashMap::new();
    for (index, unit) in units.iter().enumerate() {
        match unit {
            Unit::Terraform { files, tfvars } => {
                for id in files.iter().chain(tfvars) {
                    unit_of_file.insert(*id, index);
                }
            }
            Unit::Arm {
                template,
                parameters,
            } => {
                unit_of_file.insert(*template, index);
                if let Some(p) = parameters {
                    unit_of_file.entry(*p).or_insert(index);
                }
            }
            Unit::Manifests(file) => {
                unit_of_file.insert(*file, index);
            }
        }
    }

    phase("read");
    let adapted: Vec<(Vec<RawResource>, Vec<Problem>)> =
        units.par_iter().map(|unit| adapt(unit, &sources)).collect();
    let mut resources = Vec::new();
    for (res, errs) in adapted {
        resources.extend(res);
        errors.extend(errs);
    }

    let (zones, zone_of_file) = landing_zones(config, &sources);
    phase("parse and evaluate");
    let model = Model::build(
        &resources,
        |file| unit_of_file.get(&file).copied().unwrap_or(usize::MAX),
        |file| zone_of_file[file as usize],
        zones,
    );
    let bicep_sources: HashMap<FileId, String> = resources
        .iter()
        .filter(|r| r.compiled_by_bicep)
        .filter_map(|r| {
            let bicep = sources.get(r.file).path.with_extension("bicep");
            bicep
                .is_file()
                .then(|| (r.file, crate::source::display_path(&bicep)))
        })
        .collect();

    let settings = Settings {
        min_prefix_length: config.api_server.min_prefix_length,
        require_private: config.api_server.require_private,
        minimum_version: config.kubernetes.minimum_version.clone(),
        allowed_registries: config.kubernetes.allowed_registries.clone(),
        sensitivity_label: config.kubernetes.sensitivity_label.clone(),
        sensitive_values: config.kubernetes.sensitive_values.clone(),
    };
    let context = Context {
        model: &model,
        settings: &settings,
    };
    phase("model and links");
    let mut findings: Vec<Finding> = rules::ALL
        .par_iter()
        .filter(|rule| config.rule_enabled(rule.id))
        .flat_map_iter(|rule| {
            let mut out = Vec::new();
            (rule.check)(&context, &mut out);
            out
        })
        .collect();
    phase("rules");
    for finding in &mut findings {
        finding.severity = config.severity_for(finding.rule, finding.severity);
        let zone = zone_of_file[finding.at.file as usize];
        finding.landing_zone = model.zones.get(zone).map(|z| z.name.clone());
        if finding.source.is_none() {
            finding.source = bicep_sources.get(&finding.at.file).cloned();
        }
    }
    // The configuration joins the sources only when its [[suppress]] entries can be reported.
    let config_file = match (&config.path, config.suppress.is_empty()) {
        (Some(path), false) => std::fs::read_to_string(path)
            .ok()
            .map(|text| sources.add(path.clone(), text)),
        _ => None,
    };
    let unused = crate::suppress::apply(&mut findings, &sources, &resources, config, config_file);
    findings.extend(
        unused
            .into_iter()
            .filter(|_| config.rule_enabled(crate::suppress::UNUSED.0)),
    );
    findings.sort_by(|a, b| {
        (
            sources.get(a.at.file).display.as_str(),
            a.at.start,
            a.rule,
            &a.resource,
        )
            .cmp(&(
                sources.get(b.at.file).display.as_str(),
                b.at.start,
                b.rule,
                &b.resource,
            ))
    });
    findings.dedup_by(|a, b| a.rule == b.rule && a.at == b.at && a.resource == b.resource);
    if let Some(focus) = &found.focus {
        findings.retain(|f| focus.contains(&sources.get(f.at.file).path));
        errors.retain(|e| {
            e.at.is_none_or(|at| focus.contains(&sources.get(at.file).path))
        });
    }
    errors.sort_by(|a, b| (&a.path, a.at.map(|l| l.start)).cmp(&(&b.path, b.at.map(|l| l.start))));

    phase("suppressions and order");
    Scan {
        files: scanned.len(),
        resources: model.resource_count,
        sources,
        findings,
        errors,
        duration: started.elapsed(),
        phases,
    }
}

fn problem(sources: &Sources, at: Loc, message: String) -> Problem {
    Problem {
        rule: rules::PARSE_ERROR.0,
        slug: rules::PARSE_ERROR.1,
        path: sources.get(at.file).display.clone(),
        at: Some(at),
        message,
    }
}

fn adapt(unit: &Unit, sources: &Sources) -> (Vec<RawResource>, Vec<Problem>) {
    match unit {
        Unit::Terraform { files, tfvars } => {
            let named = |ids: &Vec<FileId>| -> Vec<(FileId, String, String)> {
                ids.iter()
                    .map(|id| {
                        let f = sources.get(*id);
                        let name = f
                            .path
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        (*id, name, f.text.clone())
                    })
                    .collect()
            };
            let (resources, errs) = crate::terraform::load_root(named(files), named(tfvars));
            let problems = errs
                .into_iter()
                .map(|e| problem(sources, e.loc, e.message))
                .collect();
            (resources, problems)
        }
        Unit::Arm {
            template,
            parameters,
        } => {
            let params = parameters.map(|p| {
                let file = sources.get(p);
                let name = file.path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                (p, file.text.as_str(), name)
            });
            match arm::load_template_named(*template, &sources.get(*template).text, params) {
                Ok(resources) => (resources, Vec::new()),
                Err(e) => (Vec::new(), vec![problem(sources, e.loc, e.message)]),
            }
        }
        Unit::Manifests(file) => {
            let (resources, errors) = crate::k8s::load_manifests(*file, &sources.get(*file).text);
            let problems = errors
                .into_iter()
                .map(|e| problem(sources, e.loc, e.message))
                .collect();
            (resources, problems)
        }
    }
}

/// Zones from `[[landing-zone]]` plus a catch-all named after the scan root (the only
/// zone when there is no config).
fn landing_zones(config: &Config, sources: &Sources) -> (Vec<Zone>, Vec<usize>) {
    let mut zones: Vec<Zone> = config
        .landing_zones
        .iter()
        .map(|z| Zone {
            name: z.name.clone(),
            corp: matches!(z.archetype, Archetype::Corp),
            subscription: z.subscription.clone(),
        })
        .collect();
    let root = config.default_zone_name();
    let fallback = zones.len();
    zones.push(Zone {
        name: root,
        corp: false,
        subscription: None,
    });
    let zone_of_file = sources
        .iter()
        .map(|f| {
            config
                .zone_for(&f.path)
                .and_then(|zone| {
                    config
                        .landing_zones
                        .iter()
                        .position(|z| z.name == zone.name)
                })
                .unwrap_or(fallback)
        })
        .collect();
    (zones, zone_of_file)
}
