use aksguard::config::{Config, ConfigError};
use aksguard::severity::Severity;
use aksguard::{engine, report, rules};
use clap::{Parser, Subcommand, ValueEnum};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

// The scan allocates many small values (evaluated trees, strings); mimalloc measured ~25% faster
// than glibc malloc on the 300-zone benchmark. Built without transparent huge pages
// (`no_thp`): a scan touches each new page about once, and zeroing and compacting 2 MiB
// pages for it cost more system time than it saved (5,000 zones: 1.5-1.8 s of system time
// without, 1.8-2.8 s with).
#[global_allocator]
static ALLOCATOR: SmallFirst = SmallFirst;

/// mimalloc, asked as C's `malloc` is whenever the alignment allows: the `mimalloc` crate
/// always calls the aligned entry points, whose checks cost ~20 instructions more per
/// allocation than `mi_malloc` (1.3M allocations in the 300-zone scan). `mi_malloc` aligns to
/// 16 bytes (MI_MAX_ALIGN_SIZE) any block of at least that size, so an alignment up to 16 and
/// no larger than the size is met, the rule std's own `System` allocator uses.
struct SmallFirst;

/// MI_MAX_ALIGN_SIZE in mimalloc's types.h (v2 and v3).
const MALLOC_ALIGN: usize = 16;

unsafe extern "C" {
    fn mi_malloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_zalloc(size: usize) -> *mut std::ffi::c_void;
    fn mi_realloc(p: *mut std::ffi::c_void, new_size: usize) -> *mut std::ffi::c_void;
}

fn malloc_aligned(align: usize, size: usize) -> bool {
    align <= MALLOC_ALIGN && align <= size
}

// SAFETY: each call keeps GlobalAlloc's contract: the pointer comes from mimalloc with the
// layout's alignment (checked by `malloc_aligned`, else mimalloc's aligned calls), and every
// block is freed by `mi_free` (MiMalloc::dealloc), which takes blocks of either kind.
unsafe impl std::alloc::GlobalAlloc for SmallFirst {
    #[inline]
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        if malloc_aligned(layout.align(), layout.size()) {
            unsafe { mi_malloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        if malloc_aligned(layout.align(), layout.size()) {
            unsafe { mi_zalloc(layout.size()).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new_size: usize) -> *mut u8 {
        if malloc_aligned(layout.align(), new_size) {
            unsafe { mi_realloc(ptr.cast(), new_size).cast() }
        } else {
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

/// `mi_option_purge_delay`, by its place in mimalloc's `mi_option_e` (mimalloc.h, v2 and v3):
/// the `mimalloc` crate names only the options it keeps stable.
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

unsafe extern "C" {
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// A `check` never gives freed memory back to the system: mimalloc would otherwise return
/// what a stage freed a second later, and the next stage would take it again as fresh pages
/// for the kernel to fault in and zero (5,000 zones: ~375k minor page faults and 1.6 s of
/// system time with the default delay, ~260k and 1.2 s without purging). The language
/// server keeps the default: it idles between scans.
fn keep_freed_memory() {
    // SAFETY: mi_option_set only stores a number in mimalloc's option table, and any
    // value is valid for this option (-1: never purge).
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[derive(Parser)]
#[command(
    name = "aksguard",
    version,
    about = "AKS security governance linter for Terraform and ARM/Bicep"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint files or directories (default: the current directory).
    Check(Box<CheckArgs>),
    /// List every rule.
    Rules,
    /// Print one rule's documentation (by ID or slug).
    Rule { id: String },
    /// Run the language server on standard input and output (for editors).
    Lsp {
        /// Talk over standard input and output: the only transport, and the default. Accepted
        /// because most clients (vscode-languageclient among them) pass it.
        #[arg(long)]
        stdio: bool,
    },
}

#[derive(clap::Args)]
struct CheckArgs {
    paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    format: OutputFormat,
    /// Configuration file (default: aksguard.toml found by walking up from the first path).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 (overrides `fail-on`).
    #[arg(long)]
    fail_on: Option<Severity>,
    /// Rule IDs or prefixes to run (replaces the configuration's `select`).
    #[arg(long, value_delimiter = ',')]
    select: Vec<String>,
    /// Rule IDs or prefixes to skip.
    #[arg(long, value_delimiter = ',')]
    ignore: Vec<String>,
    /// With `--format markdown`: link each place to URL/<path>#L<line> (e.g.
    /// https://github.com/ORG/REPO/blob/SHA).
    #[arg(long, value_name = "URL")]
    link_base: Option<String>,
    /// Parse errors alone do not make the exit code 2.
    #[arg(long)]
    no_fail_on_parse_error: bool,
    /// Print the time each phase took to standard error.
    #[arg(long)]
    statistics: bool,
    /// Record today's findings in FILE and exit 0; later runs with `--baseline FILE` report
    /// only new ones.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Treat the findings recorded in FILE as known (suppressed, justification "baseline").
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Set a Terraform variable in every root (after all variable files); repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    vars: Vec<(String, String)>,
    /// Read Terraform variables from FILE (`.tfvars` or `.tfvars.json`) for every root,
    /// after the root's own tfvars; repeatable.
    #[arg(long = "var-file", value_name = "FILE")]
    var_files: Vec<PathBuf>,
    /// ARM parameters file for every template scanned (instead of a sibling
    /// `<name>.parameters.json` / `azuredeploy.parameters.json`).
    #[arg(long, value_name = "FILE")]
    parameters: Option<PathBuf>,
    /// Terraform plan JSON (`terraform show -json tfplan > tfplan.json`) of a scanned root:
    /// what the plan knows and static evaluation cannot is taken from it, and findings stay
    /// on the root's files. A plan file in the root's directory is used without this;
    /// repeatable (one per root).
    #[arg(long = "plan", value_name = "FILE")]
    plans: Vec<PathBuf>,
    /// `warn`: report an AG003 (info) finding wherever a rule could not decide because a
    /// value is unknown offline, naming the expression.
    #[arg(long, value_enum, default_value_t = Unknown::Ignore)]
    unknown: Unknown,
    /// Apply the safe fixes, then report what is left.
    #[arg(long, conflicts_with = "diff")]
    fix: bool,
    /// With `--fix` or `--diff`: also the unsafe fixes (values shared through a variable or
    /// parameter, expressions replaced by literals).
    #[arg(long)]
    unsafe_fixes: bool,
    /// Print the fixes as a unified diff and change nothing.
    #[arg(long)]
    diff: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Unknown {
    Ignore,
    Warn,
}

fn parse_var(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{text}`")),
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Human,
    Json,
    Sarif,
    Github,
    AzureDevops,
    Junit,
    Markdown,
    Html,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Rules => {
            let mut table = format!(
                "{:<8} {:<34} {:<9} {:<12} summary\n",
                "id", "slug", "severity", "surface"
            );
            let rows = rules::ALL.iter().map(|r| r.meta);
            for meta in rows.chain(rules::ENGINE_DIAGNOSTICS.iter().copied()) {
                let _ = writeln!(
                    table,
                    "{:<8} {:<34} {:<9} {:<12} {}",
                    meta.id,
                    meta.slug,
                    meta.severity.as_str(),
                    meta.surface.as_str(),
                    meta.summary
                );
            }
            print_text(&table, ExitCode::SUCCESS)
        }
        Command::Rule { id } => match rules::doc(&id) {
            Some(doc) => print_text(doc, ExitCode::SUCCESS),
            None => {
                eprintln!("aksguard: no rule `{id}` (see `aksguard rules`)");
                ExitCode::from(2)
            }
        },
        Command::Check(args) => {
            keep_freed_memory();
            check(*args)
        }
        Command::Lsp { stdio: _ } => match aksguard::lsp::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("aksguard lsp: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn check(args: CheckArgs) -> ExitCode {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let config = match load_config(&args, &paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error[{}]: {}", invalid_config(), shown(&e));
            return ExitCode::from(2);
        }
    };
    let mut config = config;
    if let Some(url) = &args.link_base {
        if let Err(message) = report::markdown::check_link_base(url) {
            eprintln!("aksguard: --link-base: {}", shown(&message));
            return ExitCode::from(2);
        }
    }
    for (option, values) in [("--select", &args.select), ("--ignore", &args.ignore)] {
        for value in values {
            if let Err(message) = aksguard::config::check_rule_selector(value, rules::CATALOGUE_IDS)
            {
                eprintln!(
                    "error[{}]: {option}: {}",
                    invalid_config(),
                    aksguard::report::escape::one_line(&message)
                );
                return ExitCode::from(2);
            }
        }
    }
    // As in Ruff: `--select` replaces the configuration's selection, `--ignore` adds to it.
    if !args.select.is_empty() {
        config.select = args.select.clone();
    }
    config.ignore.extend(args.ignore.iter().cloned());
    let options = engine::Options {
        vars: args.vars.clone(),
        var_files: args.var_files.clone(),
        parameters: args.parameters.clone(),
        plans: args.plans.clone(),
        unknown_warn: args.unknown == Unknown::Warn,
        posture: matches!(args.format, OutputFormat::Html),
        exit_after: !(args.fix || args.diff),
    };
    // A baseline is read before the scan and applied inside it; `--write-baseline` records
    // every finding, so it reads none.
    let baseline = match (
        args.baseline.as_ref().or(config.baseline.as_ref()),
        &args.write_baseline,
    ) {
        (Some(path), None) => match aksguard::baseline::Baseline::load(path) {
            Ok(baseline) => Some(baseline),
            Err(e) => {
                eprintln!("aksguard: {}", shown(&e));
                return ExitCode::from(2);
            }
        },
        _ => None,
    };
    let request = engine::Request::new(&paths, &config)
        .options(&options)
        .baseline(baseline.as_ref());
    let mut scan = engine::lint(&request);
    if args.statistics {
        eprintln!("{:<24} {:>10}", "phase", "ms");
        for (phase, time) in &scan.phases {
            eprintln!("{phase:<24} {:>10.1}", time.as_secs_f64() * 1000.0);
        }
        eprintln!(
            "{:<24} {:>10.1}  ({} files, {} resources)",
            "total",
            scan.duration.as_secs_f64() * 1000.0,
            scan.files,
            scan.resources
        );
        // Not in the phase table's shape (name, number), so scripts reading it skip these.
        for (format, [set, default, unknown, subjects]) in &scan.field_states.by_format {
            eprintln!(
                "security fields, {format}: {set} set, {default} default, {unknown} unknown \
                 ({subjects} clusters, node pools, registries and diagnostic settings)"
            );
        }
        let [settings, linked, unknown] = scan.field_states.diagnostic_settings;
        if settings > 0 {
            eprintln!(
                "diagnostic settings: {settings} ({linked} linked to a cluster, {unknown} with a \
                 target unknown offline)"
            );
        }
    }
    if let Some(path) = &args.write_baseline {
        return match aksguard::baseline::write(path, &scan) {
            Ok(()) => {
                eprintln!(
                    "aksguard: wrote {} finding(s) to the baseline {}",
                    scan.findings.iter().filter(|f| !f.suppressed).count(),
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!(
                    "aksguard: cannot write the baseline {}: {}",
                    shown(&path.display()),
                    shown(&e)
                );
                ExitCode::from(2)
            }
        };
    }
    if args.fix || args.diff {
        match fix(&args, &request, &scan) {
            Ok(Some(relinted)) => scan = relinted,
            Ok(None) => return ExitCode::SUCCESS,
            Err(code) => return code,
        }
    }
    // Said on standard error in every format (the report itself only counts 0 files), so a
    // CI log shows why a run checked nothing.
    if scan.files == 0 && scan.errors.is_empty() {
        eprintln!(
            "aksguard: nothing to scan: no Terraform, ARM, Bicep, Kubernetes, Dockerfile or \
             pipeline file under {}",
            paths
                .iter()
                .map(|p| shown(&p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let written = print_report(|out| match args.format {
        OutputFormat::Json => report::json::write(&scan, out),
        OutputFormat::Sarif => report::sarif::write(&scan, out),
        OutputFormat::Github => report::github::write(&scan, out),
        OutputFormat::AzureDevops => report::azure_devops::write(&scan, out),
        OutputFormat::Junit => report::junit::write(&scan, out),
        OutputFormat::Markdown => out.write_all(
            report::markdown::render(
                &scan,
                &report::markdown::Options {
                    link_base: args.link_base.clone(),
                    baseline: baseline.is_some(),
                },
            )
            .as_bytes(),
        ),
        OutputFormat::Html => out.write_all(
            report::html::render(
                &scan,
                &report::html::Options {
                    baseline: baseline.is_some(),
                },
            )
            .as_bytes(),
        ),
        OutputFormat::Human => report::human::write(&scan, std::io::stdout().is_terminal(), out),
    });
    let fail_on = args.fail_on.unwrap_or(config.fail_on);
    // A lost report is exit code 2 whatever the flags: the gate saw nothing.
    let code = if !written || (!scan.errors.is_empty() && !args.no_fail_on_parse_error) {
        ExitCode::from(2)
    } else if scan
        .findings
        .iter()
        .any(|f| !f.suppressed && f.severity >= fail_on)
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // The process ends here: freeing the scan (every file's text, every finding) one
    // allocation at a time would only delay the exit the system does at once.
    std::mem::forget(scan);
    code
}

/// A note for standard error: paths and messages may carry text of scanned files (a file
/// name from a pre-commit hook, a configuration value), shown with control characters
/// escaped so none reaches the terminal or CI log raw.
/// `AG004 invalid-config`, the code of a configuration or option error.
fn invalid_config() -> String {
    let d = aksguard::catalogue::INVALID_CONFIG;
    format!("{} {}", d.id(), d.slug())
}

fn shown(text: &impl std::fmt::Display) -> String {
    aksguard::report::escape::one_line(&text.to_string()).into_owned()
}

fn load_config(args: &CheckArgs, paths: &[PathBuf]) -> Result<Config, ConfigError> {
    let start = aksguard::discover::absolute(&paths[0]);
    let root = if start.is_file() {
        start.parent().map(|p| p.to_path_buf()).unwrap_or(start)
    } else {
        start
    };
    let config = Config::resolve(&root, args.config.as_deref())?;
    config.check_rule_ids(rules::CATALOGUE_IDS)?;
    Ok(config)
}

/// `--diff` prints the fixes (None: nothing left to report); `--fix` writes them and
/// returns the scan of the fixed files.
fn fix(
    args: &CheckArgs,
    request: &engine::Request,
    scan: &engine::Scan,
) -> Result<Option<engine::Scan>, ExitCode> {
    let at_least = if args.unsafe_fixes {
        aksguard::fix::Applicability::Unsafe
    } else {
        aksguard::fix::Applicability::Safe
    };
    let planned = aksguard::engine::fixes::fix_files(request, scan, at_least);
    for skipped in &planned.not_written {
        eprintln!(
            "aksguard: not written: {}: {}",
            shown(&skipped.display),
            shown(&skipped.reason)
        );
    }
    if args.diff {
        // The diff quotes scanned lines: control characters and CI commands in them are made
        // harmless (such a line no longer applies as a patch, which is the lesser harm).
        let diff = aksguard::engine::fixes::unified_diff(&planned.changes);
        let diff = aksguard::report::escape::source(&diff);
        let shown = aksguard::report::escape::no_commands(&diff, |_| None);
        if !print_report(|out| out.write_all(shown.as_bytes())) {
            return Err(ExitCode::from(2));
        }
        return if planned.changes.is_empty() {
            Ok(None)
        } else {
            Err(ExitCode::from(1))
        };
    }
    let written = aksguard::engine::fixes::write(&planned.changes);
    for skipped in &written.not_written {
        eprintln!(
            "aksguard: not written: {}: {}",
            shown(&skipped.display),
            shown(&skipped.reason)
        );
    }
    for error in &written.errors {
        eprintln!("aksguard: {}", shown(error));
    }
    eprintln!("aksguard: fixed {} file(s)", written.written);
    if !written.errors.is_empty() {
        return Err(ExitCode::from(2));
    }
    Ok(Some(engine::lint(request)))
}

/// Writes a report (or any text the command prints) straight to standard output, flushed.
/// Whether it was written: a closed pipe (`| head`) is not an error worth more than the exit
/// code, any other failure (a full disk) loses the report and is said, for exit code 2.
fn print_report(
    write: impl FnOnce(&mut std::io::StdoutLock<'static>) -> std::io::Result<()>,
) -> bool {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("aksguard: cannot write the report: {e}");
            false
        }
        _ => true,
    }
}

/// Text a command prints, through [`print_report`]: exit code 2 when it was lost.
fn print_text(text: &str, code: ExitCode) -> ExitCode {
    if print_report(|out| out.write_all(text.as_bytes())) {
        code
    } else {
        ExitCode::from(2)
    }
}

#[cfg(test)]
mod tests {
    use std::alloc::{alloc, alloc_zeroed, dealloc, realloc, Layout};

    #[test]
    fn every_block_has_its_layouts_alignment() {
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 7, 8, 12, 16, 24, 40, 48, 100, 1000, 70_000] {
                let Ok(layout) = Layout::from_size_align(size, align) else {
                    continue;
                };
                // SAFETY: sizes are non-zero; each block is freed with its own layout.
                unsafe {
                    let p = alloc(layout);
                    assert!(
                        !p.is_null() && (p as usize).is_multiple_of(align),
                        "{size} {align}"
                    );
                    p.write_bytes(0xAB, size);
                    let grown = realloc(p, layout, size * 3);
                    assert!(
                        (grown as usize).is_multiple_of(align),
                        "realloc {size} {align}"
                    );
                    assert_eq!(*grown.add(size - 1), 0xAB);
                    dealloc(grown, Layout::from_size_align(size * 3, align).unwrap());
                    let z = alloc_zeroed(layout);
                    assert!((z as usize).is_multiple_of(align) && *z.add(size - 1) == 0);
                    dealloc(z, layout);
                }
            }
        }
    }
}
