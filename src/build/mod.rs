//! The build attack surface: Dockerfiles and the CI pipelines that build and push images.

pub mod dockerfile;
pub mod pipeline;
pub mod shell;

use crate::source::{FileId, Loc};
pub use dockerfile::{Base, Dockerfile, Stage};
pub use pipeline::{Flavor, Job, Pipeline};

/// `Dockerfile`, `Dockerfile.*`, `*.Dockerfile`, `Containerfile` (and `Containerfile.*`).
pub fn is_dockerfile(path: &std::path::Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".dockerignore") || lower.ends_with(".containerignore") {
        return false;
    }
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.")
        || lower.ends_with(".dockerfile")
}

/// A name or value from a scanned file, cut short for a message.
pub fn printable(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// A problem that stops the build of a file (AG001).
pub struct BuildError {
    pub loc: Loc,
    pub message: String,
}

/// Parse a Dockerfile into instructions and stages.
pub fn load_dockerfile(
    file: FileId,
    text: &str,
    path: &str,
    zone: usize,
) -> (Dockerfile, Vec<BuildError>) {
    let (instructions, errors) = dockerfile::parse(file, text);
    let mut errors: Vec<BuildError> = errors
        .into_iter()
        .map(|e| BuildError {
            loc: e.loc,
            message: e.message,
        })
        .collect();
    if let Some(first) = instructions
        .iter()
        .find(|i| i.keyword != "ARG")
        .filter(|i| i.keyword != "FROM")
    {
        errors.push(BuildError {
            loc: first.keyword_loc,
            message: format!(
                "`{}` before the first `FROM`: only `ARG` may come before it",
                first.keyword
            ),
        });
    } else if !instructions.iter().any(|i| i.keyword == "FROM") {
        errors.push(BuildError {
            loc: Loc::new(file, 0, 0),
            message: "no `FROM` instruction: this Dockerfile has no build stage".to_string(),
        });
    }
    let stages = dockerfile::stages(&instructions, path);
    (
        Dockerfile {
            file,
            zone,
            instructions,
            stages,
        },
        errors,
    )
}

/// Read a pipeline file (GitHub Actions when it lies in `.github/workflows`).
pub fn load_pipeline(
    file: FileId,
    text: &str,
    path: &std::path::Path,
    display: &str,
    zone: usize,
) -> (Pipeline, Vec<BuildError>) {
    let flavor = if pipeline::is_pipeline_path(path)
        && !path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.to_ascii_lowercase().starts_with("azure-pipelines"))
    {
        Flavor::GitHub
    } else {
        Flavor::Azure
    };
    let (docs, errors) = crate::yaml::parse_documents(file, text);
    let (jobs, stage_jobs) = docs
        .first()
        .map(|doc| pipeline::load(file, doc, display, flavor))
        .unwrap_or_default();
    (
        Pipeline {
            file,
            zone,
            flavor,
            jobs,
            stage_jobs,
        },
        errors
            .into_iter()
            .map(|e| BuildError {
                loc: e.loc,
                message: e.message,
            })
            .collect(),
    )
}

/// The shell commands an instruction runs, word offsets in the file: a shell-form `RUN`
/// line, its heredoc bodies, an exec form (`["sh", "-c", "..."]` read as that script).
pub fn instruction_commands(instruction: &dockerfile::Instruction) -> Vec<shell::Command> {
    let file_offsets = |mut commands: Vec<shell::Command>, map: &dyn Fn(usize) -> usize| {
        for c in &mut commands {
            for w in &mut c.words {
                w.start = map(w.start);
                w.end = map(w.end);
            }
        }
        commands
    };
    let mut out = Vec::new();
    if instruction.exec_form {
        let args = &instruction.args;
        let shell_c = args.len() >= 3
            && matches!(
                args[0].text.rsplit('/').next(),
                Some("sh" | "bash" | "ash" | "dash" | "zsh")
            )
            && args[1].text == "-c";
        if shell_c {
            let script = &args[2];
            // The string's text starts after its opening quote (exact without escapes).
            let start = script.loc.start as usize + 1;
            out.extend(file_offsets(shell::commands(&script.text), &|o| start + o));
        } else {
            out.push(shell::Command {
                words: args
                    .iter()
                    .map(|w| shell::Word {
                        text: w.text.clone(),
                        start: w.loc.start as usize,
                        end: w.loc.end as usize,
                    })
                    .collect(),
                piped: false,
            });
        }
    } else {
        let commands = shell::commands(&instruction.text);
        out.extend(file_offsets(commands, &|o| {
            instruction.loc_in_text(o, o).start as usize
        }));
    }
    if instruction.keyword == "RUN" {
        for heredoc in &instruction.heredocs {
            let start = heredoc.body_start;
            out.extend(file_offsets(shell::commands(&heredoc.body), &|o| start + o));
        }
    }
    out
}

/// The span of words `first..=last` of a command.
pub fn words_loc(file: FileId, first: &shell::Word, last: &shell::Word) -> Loc {
    Loc::new(file, first.start, last.end)
}
