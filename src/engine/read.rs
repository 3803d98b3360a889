//! The first stages: find the files to scan, and read them (in parallel) into the sources.
//! Nothing here parses; what cannot be read is an AG001 problem naming the file.

use super::Request;
use crate::discover::{self, FileKind, FoundFile};
use crate::finding::Problem;
use crate::source::{FileId, Loc, SourceFile, Sources};
use rayon::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;

/// The files discovery found, with the problems of the paths it could not walk.
pub(super) struct Found {
    pub files: Vec<FoundFile>,
    pub focus: Option<discover::Focus>,
    pub errors: Vec<Problem>,
    pub listed: discover::Listed,
}

/// Everything the scan read, before any of it is parsed.
pub(super) struct Read {
    pub sources: Sources,
    /// The scanned files in discovery order, by kind.
    pub kinds: Vec<(FileId, FileKind)>,
    pub errors: Vec<Problem>,
    /// `--var-file`s, in the order given.
    pub var_files: Vec<FileId>,
    /// `--parameters`.
    pub cli_parameters: Option<FileId>,
    /// `--plan`s, in the order given.
    pub cli_plans: Vec<FileId>,
    /// The files named on the command line, when only their findings are shown.
    pub focus: Option<discover::Focus>,
    /// The files found by walking the scanned directories: inside them, with no need to
    /// ask the system where they really are.
    pub walked: Vec<FileId>,
    /// What the walk saw in each directory it listed.
    pub listed: discover::Listed,
}

pub(super) fn discover(request: &Request) -> Found {
    let buffers = request.buffers;
    let mut found = discover::discover(request.paths, request.config);
    // An editor's unsaved buffer is named by a path no file has: its text is the file.
    let (unsaved, missing): (Vec<PathBuf>, Vec<PathBuf>) = std::mem::take(&mut found.missing)
        .into_iter()
        .partition(|p| {
            buffers.is_some_and(|b| b.contains_key(p)) && discover::kind_of(p).is_some()
        });
    found.missing = missing;
    found.files.extend(unsaved.into_iter().filter_map(|path| {
        discover::kind_of(&path).map(|kind| FoundFile {
            path,
            kind,
            walked: false,
        })
    }));
    let mut errors: Vec<Problem> = found
        .missing
        .iter()
        .map(|p| Problem::parse_error(p.display().to_string(), None, "no such file or directory"))
        .collect();
    errors.extend(found.unreadable.iter().map(|(path, reason)| {
        Problem::parse_error(
            crate::source::display_path(path),
            None,
            format!("cannot read this path, so nothing in it was scanned: {reason}"),
        )
    }));
    errors.extend(found.unrecognised.iter().map(|path| {
        Problem::parse_error(
            crate::source::display_path(path),
            None,
            "named on the command line, but aksguard does not check this kind of file, so \
             nothing in it was checked: it reads Terraform (`.tf`, `.tf.json`, `.tfvars`), ARM \
             templates and parameters files (`.json`), Bicep (`.bicep`, `.bicepparam`), \
             Kubernetes manifests and CI pipelines (`.yaml`, `.yml`) and Dockerfiles; name one \
             of those, or a directory",
        )
    }));
    Found {
        files: found.files,
        focus: found.focus,
        errors,
        listed: found.listed,
    }
}

pub(super) fn read(request: &Request, found: Found) -> Read {
    let Found {
        files,
        focus,
        mut errors,
        listed,
    } = found;
    // Each file is indexed (line starts, display path) where it is read, in parallel.
    let read: Vec<ReadFile> = files
        .into_par_iter()
        .map(|FoundFile { path, kind, walked }| {
            if let Some(text) = request.buffers.and_then(|b| b.get(&path)) {
                let text = crate::input::strip_bom(text.clone());
                let file = Ok(SourceFile::indexed(path, text));
                return ReadFile { kind, walked, file };
            }
            let text = if path.as_os_str() == "-" {
                crate::input::read_stdin().map(Arc::from)
            } else {
                crate::input::read_shared_text(&path)
            };
            // Terraform plans are read up to their own, larger limit.
            let text = match text {
                Err(crate::input::ReadError::TooLarge(_)) if kind == FileKind::Json => {
                    crate::input::read_plan_text(&path).map(Arc::from)
                }
                text => text,
            };
            let file = match text {
                Ok(text) => Ok(SourceFile::indexed(path, text)),
                Err(e) => Err((path, Unreadable::from(e))),
            };
            ReadFile { kind, walked, file }
        })
        .collect();

    let mut sources = Sources::default();
    sources.reserve(read.len());
    // Files named by `--var-file` and `--parameters`: read whole, reported like any other.
    let mut read_input = |sources: &mut Sources, path: &PathBuf| -> Option<FileId> {
        match crate::input::read_text(path) {
            Ok(text) => Some(sources.add(discover::absolute(path), text)),
            Err(e) => {
                errors.push(Problem::parse_error(
                    path.display().to_string(),
                    None,
                    format!("cannot read {}: {e}", path.display()),
                ));
                None
            }
        }
    };
    let options = request.options;
    let var_files: Vec<FileId> = options
        .var_files
        .iter()
        .filter_map(|p| read_input(&mut sources, p))
        .collect();
    let cli_parameters: Option<FileId> = options
        .parameters
        .as_ref()
        .and_then(|p| read_input(&mut sources, p));
    let cli_plans: Vec<FileId> = options
        .plans
        .iter()
        .filter_map(|path| match crate::input::read_plan_text(path) {
            Ok(text) => Some(sources.add(discover::absolute(path), text)),
            Err(e) => {
                errors.push(Problem::parse_error(
                    path.display().to_string(),
                    None,
                    format!("cannot read the plan {}: {e}", path.display()),
                ));
                None
            }
        })
        .collect();
    let mut kinds: Vec<(FileId, FileKind)> = Vec::with_capacity(read.len());
    let mut walked = Vec::with_capacity(read.len());
    for ReadFile {
        kind,
        walked: was_walked,
        file,
    } in read
    {
        match file {
            Ok(file) => {
                let id = sources.add_indexed(file);
                kinds.push((id, kind));
                if was_walked {
                    walked.push(id);
                }
            }
            Err((path, Unreadable { message, shown })) => {
                let display = crate::source::display_path(&path);
                let at = shown.map(|(text, offset)| {
                    let id = sources.add(path, text);
                    Loc::new(id, offset, offset + "\u{FFFD}".len())
                });
                errors.push(Problem::parse_error(display, at, message))
            }
        }
    }
    Read {
        sources,
        kinds,
        errors,
        var_files,
        cli_parameters,
        cli_plans,
        focus,
        walked,
        listed,
    }
}

/// A discovered file, read: its text, or its path and why it could not be read.
struct ReadFile {
    kind: FileKind,
    walked: bool,
    file: Result<SourceFile, (PathBuf, Unreadable)>,
}

/// Why a file could not be read as text, and, when part of it can be shown, its lossy text
/// and the byte offset of the problem.
struct Unreadable {
    message: String,
    shown: Option<(String, usize)>,
}

impl From<crate::input::ReadError> for Unreadable {
    fn from(error: crate::input::ReadError) -> Unreadable {
        let message = error.to_string();
        match error {
            crate::input::ReadError::NotUtf8 { lossy, at } => Unreadable {
                message,
                shown: Some((lossy, at)),
            },
            _ => Unreadable {
                message,
                shown: None,
            },
        }
    }
}
