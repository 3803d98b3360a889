//! `--format html`: one self-contained page (inline CSS and JavaScript, no network, no
//! font or script fetched) for the people who govern landing zones:
//!
//! - a matrix of landing zones × attack surfaces, each cell the count of unsuppressed
//!   findings by severity, or a state that is never mistaken for a pass: *not evaluated*
//!   (an AG005 module or chart in the zone, or every security value of the surface unknown
//!   offline) and *nothing declared*;
//! - per zone, a drawing of its resources and the links the model computed (laid out here,
//!   see `drawing`), inserted when the zone is opened;
//! - the findings, filterable by zone, surface, severity, rule and status, a page at a
//!   time, each with its code excerpt, where its value came from, its fix and its rule's
//!   documentation; suppressed ones with their reason and expiry; with `--baseline`, the
//!   new ones.
//!
//! Everything a scanned file wrote (paths, values, source lines) is escaped for the place
//! it goes: HTML text and attributes, or a JSON string inside the page's data script (no
//! `<`, `>`, `&` or `#` raw in it), and the script shows it with `textContent` only. Control
//! characters are made visible, so the page is also harmless printed to a terminal or log.

use super::{span_lines, LineSpan};
use crate::catalogue::MODULE_NOT_EVALUATED;
use crate::engine::{Problem, Scan};
use crate::notice::NotEvaluated;
use crate::posture::{Posture, ZonePosture};
use crate::rules::Surface;
use crate::severity::Severity;
use crate::source::FileId;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// A baseline was applied: unsuppressed findings are the new ones.
    pub baseline: bool,
}

/// Severities in the order cells and filters show them (most severe first).
pub const SEVERITIES: [Severity; 6] = [
    Severity::Error,
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

fn severity_index(severity: Severity) -> usize {
    SEVERITIES
        .iter()
        .position(|s| *s == severity)
        .unwrap_or(SEVERITIES.len() - 1)
}

/// Lines of context around a finding's lines in its excerpt, and the most lines shown.
const CONTEXT: usize = 1;
const MAX_EXCERPT_LINES: usize = 8;
/// Characters of one source line kept in an excerpt (minified templates have megabytes).
const MAX_LINE_CHARS: usize = 240;
/// Drawings written straight into the page (printable without JavaScript); above this many
/// zones they are kept as data and drawn when a zone is opened.
const INLINE_DRAWINGS: usize = 40;
/// Unreadable files listed in the page (all are counted).
const MAX_ERRORS_LISTED: usize = 2_000;
/// Matrix rows per `<tbody>`: the browser skips laying out the ones off screen.
const ROWS_PER_GROUP: usize = 100;

/// The columns of the matrix: the five surfaces, then aksguard's own notices.
const COLUMNS: [Surface; 6] = Surface::ALL;

fn surface_of(rule: &str) -> Surface {
    // Every rule and engine diagnostic has one (tests/surfaces.rs).
    crate::rules::surface(rule).unwrap_or(Surface::Engine)
}

/// What a matrix cell says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CellState {
    /// Unsuppressed findings.
    Findings,
    /// Something was evaluated and nothing was found.
    Clean,
    /// The zone declares nothing this surface's rules read.
    Nothing,
    /// A module or chart was skipped (AG005), or every value was unknown offline: an
    /// absence of findings means nothing. Counts, if any, are still shown.
    NotEvaluated,
}

impl CellState {
    fn as_str(self) -> &'static str {
        match self {
            CellState::Findings => "findings",
            CellState::Clean => "clean",
            CellState::Nothing => "nothing",
            CellState::NotEvaluated => "not-evaluated",
        }
    }
}

#[derive(Clone, Debug, Default)]
struct Cell {
    counts: [usize; 6],
    /// Why it is not evaluated, for its tooltip.
    not_evaluated: Vec<String>,
    subjects: usize,
    fields: [usize; 3],
}

impl Cell {
    fn total(&self) -> usize {
        self.counts.iter().sum()
    }

    fn state(&self) -> CellState {
        if !self.not_evaluated.is_empty() {
            CellState::NotEvaluated
        } else if self.total() > 0 {
            CellState::Findings
        } else if self.subjects > 0 {
            CellState::Clean
        } else {
            // The engine column has no subjects: zero notices is not a pass of anything.
            CellState::Nothing
        }
    }
}

/// One row of the matrix.
struct Row {
    name: String,
    subscription: Option<String>,
    cells: [Cell; 6],
    /// Files of the zone that could not be read (AG001).
    unreadable: usize,
}

/// The matrix: the zones of the posture (every configured zone, findings or not), and any
/// zone named only by findings (a scan without a posture).
fn matrix(scan: &Scan, posture: Option<&Posture>, zone_of_error: &[Option<usize>]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let add_row = |rows: &mut Vec<Row>, name: &str, zone: Option<&ZonePosture>| {
        let index = rows.len();
        let mut cells: [Cell; 6] = Default::default();
        if let Some(zone) = zone {
            for (s, coverage) in zone.coverage.iter().enumerate() {
                cells[s].subjects = coverage.subjects;
                cells[s].fields = coverage.fields;
                if coverage.all_unknown() {
                    cells[s].not_evaluated.push(format!(
                        "every one of its {} security values is unknown offline",
                        coverage.fields[2]
                    ));
                }
            }
        }
        rows.push(Row {
            name: name.to_string(),
            subscription: zone.and_then(|z| z.subscription.clone()),
            cells,
            unreadable: 0,
        });
        index
    };
    for zone in posture.map(|p| p.zones.as_slice()).unwrap_or(&[]) {
        let index = add_row(&mut rows, &zone.name, Some(zone));
        by_name.entry(zone.name.clone()).or_insert(index);
    }
    for f in scan.findings.iter().filter(|f| !f.suppressed) {
        let name = f.landing_zone.as_deref().unwrap_or("");
        let row = match by_name.get(name) {
            Some(&row) => row,
            None => {
                let row = add_row(&mut rows, name, None);
                by_name.insert(name.to_string(), row);
                row
            }
        };
        let column = COLUMNS
            .iter()
            .position(|c| *c == surface_of(f.rule))
            .unwrap_or(COLUMNS.len() - 1);
        let cells = &mut rows[row].cells;
        cells[column].counts[severity_index(f.severity)] += 1;
        if f.rule == MODULE_NOT_EVALUATED.id() {
            let why = format!(
                "{} was not evaluated ({})",
                f.resource,
                scan.sources.get(f.at.file).display
            );
            // A chart deploys workloads; a module or linked template, Azure resources.
            let surfaces: &[Surface] = if NotEvaluated::is_chart(f) {
                &[Surface::Application]
            } else {
                &[Surface::Registry, Surface::Cluster, Surface::Node]
            };
            for surface in surfaces {
                if let Some(c) = COLUMNS.iter().position(|c| c == surface) {
                    if cells[c].not_evaluated.len() < 5 {
                        cells[c].not_evaluated.push(why.clone());
                    }
                }
            }
        }
    }
    for zone in zone_of_error.iter().flatten() {
        if let Some(row) = rows.get_mut(*zone) {
            row.unreadable += 1;
        }
    }
    // The catch-all zone (named after the scan root, last) only when something lies in it.
    let configured = posture.map_or(0, |p| p.zones.len().saturating_sub(1));
    if configured > 0 {
        let catch_all = &rows[configured];
        let empty = catch_all.unreadable == 0
            && catch_all
                .cells
                .iter()
                .all(|c| c.total() == 0 && c.subjects == 0 && c.not_evaluated.is_empty());
        if empty
            && !scan
                .findings
                .iter()
                .any(|f| f.landing_zone.as_deref() == Some(&catch_all.name))
        {
            rows.remove(configured);
        }
    }
    for row in &mut rows {
        if row.unreadable > 0 {
            let why = format!(
                "{} of the zone's files could not be read (AG001)",
                row.unreadable
            );
            for cell in row.cells.iter_mut().take(5) {
                cell.not_evaluated.push(why.clone());
            }
        }
    }
    rows
}

pub fn render(scan: &Scan, options: &Options) -> String {
    let posture = scan.posture.as_ref();
    // The zone of each unreadable file, by the posture's order (None: not in one).
    let zone_of_error: Vec<Option<usize>> = scan
        .errors
        .iter()
        .map(|e| {
            let zones = posture?;
            let at = e.at?;
            let file = scan.sources.get(at.file);
            zones
                .file_zones
                .get(file.id as usize)
                .copied()
                .filter(|z| *z < zones.zones.len())
        })
        .collect();
    let rows = matrix(scan, posture, &zone_of_error);
    let mut out = String::with_capacity(64 * 1024 + scan.findings.len() * 400);
    let active = scan.findings.iter().filter(|f| !f.suppressed).count();
    let suppressed = scan.findings.len() - active;

    out.push_str(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n\
         <title>aksguard: landing zone posture</title>\n<style>",
    );
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n<svg width=\"0\" height=\"0\" \
         aria-hidden=\"true\"><defs><marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"8\" \
         refY=\"4\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0 0L8 4L0 8z\"/></marker></defs></svg>\n<header>\n<h1>aksguard: landing zone posture</h1>\n");
    let _ = write!(
        out,
        "<p class=\"summary\" id=\"summary\"><b>{}</b> in {} ({} resources, {} landing \
         zones)",
        plural(active, "finding"),
        plural(scan.files, "file"),
        scan.resources,
        rows.len()
    );
    super::push_suppressed(&mut out, options.baseline, suppressed);
    let _ = writeln!(out, ". aksguard {}.</p>", text(env!("CARGO_PKG_VERSION")));
    out.push_str("</header>\n<main>\n");

    problems(&mut out, scan, &zone_of_error, posture);
    if let Some(line) = scan.not_shown.line() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", text(&line));
    }
    matrix_table(&mut out, &rows);
    let drawings = zones_section(&mut out, scan, posture);
    out.push_str(
        "<section id=\"findings\">\n<h2>Findings</h2>\n\
         <form id=\"filters\" class=\"filters\" onsubmit=\"return false\">\n",
    );
    for (id, label) in [
        ("zone", "Landing zone"),
        ("surface", "Surface"),
        ("severity", "Severity"),
        ("rule", "Rule"),
        ("status", "Status"),
    ] {
        let _ = writeln!(
            out,
            "<label>{label} <select id=\"f-{id}\" name=\"{id}\"></select></label>"
        );
    }
    out.push_str(
        "<button type=\"button\" id=\"f-clear\">Clear filters</button>\n</form>\n\
         <p id=\"count\" class=\"count\" aria-live=\"polite\"></p>\n\
         <nav class=\"pager\" id=\"pager-top\"></nav>\n<ol id=\"list\" class=\"list\"></ol>\n\
         <nav class=\"pager\" id=\"pager\"></nav>\n\
         <noscript><p class=\"note\">The list of findings is drawn by the page's script, \
         which is switched off: the matrix above counts them, and <code>aksguard check \
         --format json</code> lists every one.</p></noscript>\n</section>\n",
    );
    out.push_str("</main>\n<script type=\"application/json\" id=\"aksguard-data\">");
    data(&mut out, scan, options, &rows, drawings);
    out.push_str("</script>\n<script>");
    out.push_str(SCRIPT);
    out.push_str("</script>\n</body>\n</html>\n");
    // Belt and braces for a page printed to a CI log: no line of it is a workflow command.
    super::escape::no_commands(&out, |_| None)
}

/// Files that could not be read, first: nothing in them was checked.
fn problems(
    out: &mut String,
    scan: &Scan,
    zone_of_error: &[Option<usize>],
    posture: Option<&Posture>,
) {
    // The finding limit (AG007) is not an unreadable file: it is said on its own.
    let is_limit = |e: &Problem| e.rule == crate::catalogue::FINDING_LIMIT.id();
    for e in scan.errors.iter().filter(|e| is_limit(e)) {
        let _ = writeln!(
            out,
            "<section id=\"limit\" class=\"errors\">\n<h2>Not every finding is shown</h2>\n\
             <p>{} {}: {}</p>\n</section>",
            e.rule,
            e.slug,
            text(&e.message)
        );
    }
    let unreadable: Vec<(&Problem, &Option<usize>)> = scan
        .errors
        .iter()
        .zip(zone_of_error)
        .filter(|(e, _)| !is_limit(e))
        .collect();
    if unreadable.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"errors\" class=\"errors\">\n<h2>{} could not be read</h2>\n\
         <p>Nothing in them was checked: fix them (or exclude them) and scan again.</p>\n<ul>\n",
        plural(unreadable.len(), "file")
    );
    for &(e, zone) in unreadable.iter().take(MAX_ERRORS_LISTED) {
        let place = super::problem_place(scan, e);
        let zone = zone
            .and_then(|z| posture?.zones.get(z))
            .map(|z| format!(" (landing zone {})", text(&z.name)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<li><code>{}</code>{zone}: {} {}: {}</li>",
            text(&place),
            e.rule,
            e.slug,
            text(&e.message)
        );
    }
    if unreadable.len() > MAX_ERRORS_LISTED {
        let _ = writeln!(
            out,
            "<li>and {} more: <code>aksguard check --format json</code> lists them</li>",
            unreadable.len() - MAX_ERRORS_LISTED
        );
    }
    out.push_str("</ul>\n</section>\n");
}

fn matrix_table(out: &mut String, rows: &[Row]) {
    out.push_str(
        "<section id=\"matrix\">\n<h2>Landing zones × attack surfaces</h2>\n\
         <p class=\"legend\">Unsuppressed findings by severity \
         (<span class=\"sev sev-critical\">C</span> critical, \
         <span class=\"sev sev-high\">H</span> high, \
         <span class=\"sev sev-medium\">M</span> medium, \
         <span class=\"sev sev-low\">L</span> low, \
         <span class=\"sev sev-info\">I</span> info). \
         <span class=\"key not-evaluated\">not evaluated</span>: a module or chart was \
         skipped, a file could not be read, or every value was unknown offline, so no \
         finding there means nothing. <span class=\"key clean\">0</span>: evaluated, \
         nothing found. <span class=\"key nothing\">–</span>: nothing of that surface \
         declared. A click on a cell lists its findings.</p>\n\
         <div class=\"scroll\"><table class=\"matrix\" id=\"matrix-table\">\n\
         <thead><tr><th scope=\"col\">landing zone</th>",
    );
    for column in COLUMNS {
        let _ = write!(out, "<th scope=\"col\">{}</th>", column.as_str());
    }
    out.push_str("</tr></thead>\n");
    for (group, chunk) in rows.chunks(ROWS_PER_GROUP).enumerate() {
        out.push_str("<tbody>\n");
        for (i, row) in chunk.iter().enumerate() {
            let index = group * ROWS_PER_GROUP + i;
            let _ = write!(
                out,
                "<tr data-zone=\"{index}\"><th scope=\"row\"><a href=\"#zone-{index}\" \
                 class=\"zone-link\">{}</a>",
                text(&row.name)
            );
            if let Some(subscription) = &row.subscription {
                let _ = write!(out, "<small>{}</small>", text(subscription));
            }
            if row.unreadable > 0 {
                let _ = write!(
                    out,
                    "<small class=\"warn\">{} not read</small>",
                    plural(row.unreadable, "file")
                );
            }
            out.push_str("</th>");
            for (c, column) in COLUMNS.iter().enumerate() {
                cell(out, &row.cells[c], *column);
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table></div>\n</section>\n");
}

fn cell(out: &mut String, cell: &Cell, column: Surface) {
    let state = cell.state();
    let counts: Vec<String> = cell.counts.iter().map(usize::to_string).collect();
    // The tooltip: the counts in words, why not evaluated, what was read. A cell of
    // nothing says so in the legend, not 30,000 times over (5,000 zones).
    let mut title = String::new();
    for (s, count) in cell.counts.iter().enumerate() {
        if *count > 0 {
            let _ = write!(title, "{count} {}, ", SEVERITIES[s].as_str());
        }
    }
    if title.ends_with(", ") {
        title.truncate(title.len() - 2);
        title.push_str(". ");
    }
    for why in &cell.not_evaluated {
        let _ = write!(title, "Not evaluated: {why}. ");
    }
    if column != Surface::Engine && cell.subjects > 0 {
        let [set, default, unknown] = cell.fields;
        let _ = write!(title, "{} read", plural(cell.subjects, "resource"));
        if set + default + unknown > 0 {
            let _ = write!(
                title,
                "; security values: {set} set, {default} default, {unknown} unknown offline"
            );
        }
        title.push('.');
    }
    let _ = write!(
        out,
        "<td data-surface=\"{}\" data-state=\"{}\" data-counts=\"{}\"",
        column.as_str(),
        state.as_str(),
        counts.join(" "),
    );
    if !title.is_empty() {
        let _ = write!(out, " title=\"{}\"", text(title.trim()));
    }
    out.push('>');
    for (s, count) in cell.counts.iter().enumerate() {
        if *count > 0 {
            let severity = SEVERITIES[s].as_str();
            let _ = write!(
                out,
                "<b class=\"sev sev-{severity}\">{count}{}</b>",
                severity[..1].to_ascii_uppercase()
            );
        }
    }
    match state {
        CellState::NotEvaluated => out.push_str("<i class=\"ne\">not evaluated</i>"),
        CellState::Clean => out.push_str("<i class=\"ok\">0</i>"),
        CellState::Nothing if column == Surface::Engine => out.push_str("<i>0</i>"),
        CellState::Nothing => out.push_str("<i>–</i>"),
        CellState::Findings => {}
    }
    out.push_str("</td>");
}

/// One `<details>` per zone: its name, what it declares, and its drawing (inline for a
/// few zones; otherwise kept in the data and drawn when opened). Returns the drawings kept
/// as data.
fn zones_section(out: &mut String, scan: &Scan, posture: Option<&Posture>) -> Vec<String> {
    let Some(posture) = posture else {
        return Vec::new();
    };
    let mut kept = Vec::new();
    let inline = posture.zones.len() <= INLINE_DRAWINGS;
    out.push_str(
        "<section id=\"zones\">\n<h2>Landing zones: resources and links</h2>\n\
         <p class=\"legend\">Clusters with their node pools, registries, private endpoints, \
         AcrPull grants (<span class=\"key cross\">across zones</span> highlighted), \
         Defender plans and diagnostic settings, as aksguard linked them.</p>\n",
    );
    let findings_of = findings_by_resource(scan);
    for (z, zone) in posture.zones.iter().enumerate() {
        let drawing = super::drawing::drawing(zone, &scan.sources, &findings_of);
        let _ = write!(
            out,
            "<details class=\"zone\" id=\"zone-{z}\" data-zone=\"{z}\"{}><summary>{}",
            if inline && !zone.nodes.is_empty() {
                " open"
            } else {
                ""
            },
            text(&zone.name)
        );
        let _ = writeln!(
            out,
            " <small>{}</small></summary>",
            text(&super::drawing::summary(zone))
        );
        match drawing {
            None => {
                out.push_str(super::drawing::NOTHING);
                kept.push("null".to_string());
            }
            Some(drawing) if inline => {
                out.push_str(&super::drawing::svg(&drawing));
                kept.push("null".to_string());
            }
            Some(drawing) => {
                out.push_str("<div class=\"drawing\"></div>");
                kept.push(super::drawing::data(&drawing, js));
            }
        }
        out.push_str("</details>\n");
    }
    out.push_str("</section>\n");
    kept
}

/// Unsuppressed findings per (zone name, resource), for the counts on drawn resources.
fn findings_by_resource(scan: &Scan) -> HashMap<(&str, &str), [usize; 6]> {
    let mut counts: HashMap<(&str, &str), [usize; 6]> = HashMap::new();
    for f in scan.findings.iter().filter(|f| !f.suppressed) {
        let zone = f.landing_zone.as_deref().unwrap_or("");
        counts.entry((zone, f.resource.as_str())).or_default()[severity_index(f.severity)] += 1;
    }
    counts
}

/// The page's data: zones, rules, files with the source lines excerpts need, findings,
/// and the drawings of zones not drawn inline. Compact arrays (a 5,000-zone scan has
/// 50,000 findings); see SCRIPT for the meaning of each position.
fn data(out: &mut String, scan: &Scan, options: &Options, rows: &[Row], drawings: Vec<String>) {
    let zone_index: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.name.as_str(), i))
        .collect();
    let mut files: Vec<FileId> = Vec::new();
    let mut file_index: HashMap<FileId, usize> = HashMap::new();
    let mut lines: Vec<BTreeMap<usize, String>> = Vec::new();
    let mut helps: Vec<&str> = Vec::new();
    let mut help_index: HashMap<&str, usize> = HashMap::new();
    let mut rules: BTreeMap<&str, &str> = BTreeMap::new();

    let mut file_of = |id: FileId, files: &mut Vec<FileId>, lines: &mut Vec<BTreeMap<_, _>>| {
        *file_index.entry(id).or_insert_with(|| {
            files.push(id);
            lines.push(BTreeMap::new());
            files.len() - 1
        })
    };

    let mut findings = String::with_capacity(scan.findings.len() * 300);
    findings.push('[');
    for (n, f) in scan.findings.iter().enumerate() {
        if n > 0 {
            findings.push_str(",\n");
        }
        rules.entry(f.rule).or_insert(f.slug);
        let span = span_lines(&scan.sources, f.at);
        let (line, column, end_line) = (span.line, span.column, span.end_line);
        let file = file_of(f.at.file, &mut files, &mut lines);
        excerpt(scan, f.at.file, line, end_line, &mut lines[file]);
        let zone = f
            .landing_zone
            .as_deref()
            .and_then(|z| zone_index.get(z))
            .map_or(-1, |&z| z as i64);
        let status = match (f.suppressed, f.suppression.as_deref()) {
            (false, _) => 0,
            (true, Some("baseline")) if options.baseline => 2,
            (true, _) => 1,
        };
        let help = *help_index.entry(f.help.trim()).or_insert_with(|| {
            helps.push(f.help.trim());
            helps.len() - 1
        });
        let _ = write!(
            findings,
            "[{zone},{},{},{file},{line},{column},{end_line},{},{},{status},{},{},{},",
            js(f.rule),
            severity_index(f.severity),
            js(f.message.trim()),
            js(&f.resource),
            js_opt(f.suppression.as_deref()),
            js_opt(f.suppression_expires.as_deref()),
            js_opt(f.source.as_deref()),
        );
        findings.push('[');
        for (i, (loc, note)) in f.notes.iter().enumerate() {
            let LineSpan { line, column, .. } = span_lines(&scan.sources, *loc);
            let note_file = file_of(loc.file, &mut files, &mut lines);
            excerpt(scan, loc.file, line, line, &mut lines[note_file]);
            let _ = write!(
                findings,
                "{}[{note_file},{line},{column},{}]",
                if i > 0 { "," } else { "" },
                js(note)
            );
        }
        findings.push_str("],");
        match crate::fix::render(&scan.sources, f) {
            Some(fix) => {
                let _ = write!(
                    findings,
                    "[{},{},[",
                    js(&fix.title),
                    js(fix.applicability.as_str())
                );
                for (i, edit) in fix.edits.iter().enumerate() {
                    let loc = crate::source::Loc::new(edit.file, edit.start, edit.end);
                    let LineSpan { line, column, .. } = span_lines(&scan.sources, loc);
                    let edit_file = file_of(edit.file, &mut files, &mut lines);
                    let _ = write!(
                        findings,
                        "{}[{edit_file},{line},{column},{}]",
                        if i > 0 { "," } else { "" },
                        js(&truncate(&edit.content, 4 * MAX_LINE_CHARS))
                    );
                }
                findings.push_str("]]");
            }
            None => findings.push_str("null"),
        }
        let _ = write!(findings, ",{},{help}]", js(&f.label));
    }
    findings.push(']');

    out.push_str("{\"version\":1,\"baseline\":");
    out.push_str(if options.baseline { "true" } else { "false" });
    out.push_str(",\"severities\":[");
    for (i, s) in SEVERITIES.iter().enumerate() {
        let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, js(s.as_str()));
    }
    out.push_str("],\n\"zones\":[");
    for (i, row) in rows.iter().enumerate() {
        let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, js(&row.name));
    }
    out.push_str("],\n\"rules\":{");
    for (i, (rule, slug)) in rules.iter().enumerate() {
        let _ = write!(
            out,
            "{}{}:[{},{},{},{}]",
            if i > 0 { "," } else { "" },
            js(rule),
            js(slug),
            js(surface_of(rule).as_str()),
            js(&super::sarif::rule_doc_url(rule)),
            references(rule)
        );
    }
    out.push_str("},\n\"files\":[");
    for (i, id) in files.iter().enumerate() {
        let _ = write!(
            out,
            "{}{}",
            if i > 0 { ",\n" } else { "" },
            js(&scan.sources.get(*id).display)
        );
    }
    out.push_str("],\n\"lines\":[");
    for (i, file_lines) in lines.iter().enumerate() {
        out.push_str(if i > 0 { ",\n{" } else { "{" });
        for (j, (line, content)) in file_lines.iter().enumerate() {
            let _ = write!(
                out,
                "{}\"{line}\":{}",
                if j > 0 { "," } else { "" },
                js(content)
            );
        }
        out.push('}');
    }
    out.push_str("],\n\"helps\":[");
    for (i, help) in helps.iter().enumerate() {
        let _ = write!(out, "{}{}", if i > 0 { ",\n" } else { "" }, js(help));
    }
    out.push_str("],\n\"drawings\":[");
    for (i, drawing) in drawings.iter().enumerate() {
        out.push_str(if i > 0 { ",\n" } else { "" });
        out.push_str(drawing);
    }
    out.push_str("],\n\"findings\":");
    out.push_str(&findings);
    out.push('}');
}

/// The rule's compliance references (README "References") for the data script:
/// `[[kind, id, title, source link or ""], ...]`.
fn references(rule: &str) -> String {
    let mut out = String::from("[");
    for (i, r) in crate::rules::references(rule).iter().enumerate() {
        let _ = write!(
            out,
            "{}[{},{},{},{}]",
            if i > 0 { "," } else { "" },
            js(&r.kind.label()),
            js(r.short_id()),
            js(r.title),
            js(&r.source_url().unwrap_or_default())
        );
    }
    out.push(']');
    out
}

/// The lines of `file` around `line..=end_line` into its excerpt table (none of a file
/// outside the scanned paths or holding secrets: its text is never shown).
fn excerpt(
    scan: &Scan,
    file: FileId,
    line: usize,
    end_line: usize,
    into: &mut BTreeMap<usize, String>,
) {
    let source = scan.sources.get(file);
    if !source.text_may_be_shown() {
        return;
    }
    let first = line.saturating_sub(CONTEXT).max(1);
    let last = (end_line + CONTEXT).min(first + MAX_EXCERPT_LINES - 1);
    for n in first..=last {
        if into.contains_key(&n) {
            continue;
        }
        let Some(start) = source.line_start(n) else {
            break;
        };
        let rest = &source.text[start..];
        let end = rest.find('\n').unwrap_or(rest.len());
        let content = rest[..end].trim_end_matches('\r');
        into.insert(n, truncate(&super::escape::source(content), MAX_LINE_CHARS));
    }
}

fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A JSON string that can sit inside a `<script>` element and a log: no `<`, `>`, `&`
/// (no `</script>` or comment can end or start), no `#` (no `##[` logging command), no
/// line separator, no control character or bidirectional override raw.
pub fn js(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    crate::json::write_string(&mut out, text, |c| {
        matches!(c, '<' | '>' | '&' | '#' | '\u{2028}' | '\u{2029}') || super::escape::is_hazard(c)
    });
    out
}

fn js_opt(text: Option<&str>) -> String {
    text.map_or_else(|| "null".to_string(), js)
}

/// Text for HTML content or a quoted attribute: control characters made visible, then
/// `& < > " '` and `#` (no `##[` logging command in a log) as character references.
pub fn text(raw: &str) -> String {
    let visible = super::escape::one_line(raw);
    let mut out = String::with_capacity(visible.len() + 8);
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '#' => out.push_str("&#35;"),
            c => out.push(c),
        }
    }
    out
}

fn plural(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{n} {noun}s"),
    }
}

const CSS: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");

#[cfg(test)]
mod tests;
