//! `aksguard lsp`: a language server on stdio that calls the same `engine` as the CLI.
//!
//! Built on rust-analyzer's synchronous `lsp-server` (as Ruff's server is) rather than
//! tower-lsp: a lint is a short CPU-bound call with rayon inside, so an async runtime
//! would only add tokio and locking around state that one loop owns anyway.
//!
//! Open buffers are laid over the files on disk. A change re-lints the workspace folder
//! that holds the changed file, not only its unit: units are linked (a manifest's allowed
//! registries are the ones its landing zone declares elsewhere, LZ and DEF rules look across
//! the zone), so linting a unit alone would report what the CLI does not. Changes that
//! arrive together are linted once. Every open document of the folder is republished, empty
//! lists included, so fixed findings disappear. Diagnostics carry their fix in `data`, so a
//! quick fix needs no second lint.

mod position;
pub mod transport;

pub use position::Encoding;

use crate::baseline::Baseline;
use crate::config::{Config, ConfigError};
use crate::engine::{self, Buffers, Scan};
use crate::finding::Finding;
use crate::fix::{self, Applicability};
use crate::rules;
use crate::severity::Severity;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as notify, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticRelatedInformation,
    DiagnosticSeverity, DidChangeTextDocumentParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover, HoverContents, HoverParams,
    HoverProviderCapability, InitializeParams, InitializeResult, Location, MarkupContent,
    MarkupKind, MessageType, NumberOrString, Position, PublishDiagnosticsParams, Range,
    Registration, RegistrationParams, ServerCapabilities, ServerInfo, ShowMessageParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

const CONFIG_FILE: &str = "aksguard.toml";

/// Serve on standard input and output until the client says `exit`.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = transport::stdio();
    let served = serve(&connection);
    drop(connection);
    // Everything answered is written before the process exits.
    io_threads.join();
    served
}

/// Serve on any connection (stdio, or an in-memory pair in tests).
pub fn serve(connection: &Connection) -> Result<(), String> {
    let (id, params) = initialize(connection)?;
    let encoding = Encoding::negotiate(
        params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let capabilities = ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, fix_all_kind()]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let result = InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "aksguard".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    // `initialized` is not waited for: the main loop ignores it, and a client that sends
    // something else first is served rather than dropped.
    let _ = connection
        .sender
        .send(Message::Response(Response::new_ok(id, result)));
    let watch_config = params
        .capabilities
        .workspace
        .and_then(|w| w.did_change_watched_files)
        .and_then(|w| w.dynamic_registration)
        == Some(true);
    #[allow(deprecated)] // root_uri: older clients send only that
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| position::path_of(&folder.uri))
        .chain(params.root_uri.as_ref().and_then(position::path_of))
        .collect();
    roots.sort();
    roots.dedup();
    let mut server = Server {
        connection,
        encoding,
        roots,
        stale: Vec::new(),
        documents: HashMap::new(),
        published: HashMap::new(),
        broken_configs: HashSet::new(),
        next_request: 0,
    };
    if watch_config {
        server.watch_config_files();
    }
    server.main_loop()
}

/// Wait for an `initialize` request with parameters we can read; other requests are
/// answered "not initialized", notifications dropped, as the protocol says.
fn initialize(connection: &Connection) -> Result<(RequestId, InitializeParams), String> {
    for message in &connection.receiver {
        match message {
            Message::Request(request) if request.method == req::Initialize::METHOD => {
                match serde_json::from_value::<InitializeParams>(request.params) {
                    Ok(params) => return Ok((request.id, params)),
                    Err(e) => {
                        let _ = connection
                            .sender
                            .send(Message::Response(invalid(request.id, e)));
                    }
                }
            }
            Message::Request(request) => {
                let _ = connection.sender.send(Message::Response(Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server expects `initialize` first".to_string(),
                )));
            }
            Message::Notification(n) if n.method == notify::Exit::METHOD => {
                return Err("the client exited before initializing".to_string())
            }
            Message::Notification(_) | Message::Response(_) => {}
        }
    }
    Err("the client closed the connection before initializing".to_string())
}

struct Document {
    uri: Uri,
    text: String,
    /// A buffer never saved (`untitled:`): linted alone, at a path no file has.
    untitled: bool,
}

/// A fix as carried in a diagnostic's `data`: already in the client's coordinates.
#[derive(Serialize, Deserialize)]
struct FixData {
    title: String,
    applicability: String,
    edits: Vec<(Uri, TextEdit)>,
}

struct Server<'a> {
    connection: &'a Connection,
    encoding: Encoding,
    /// Workspace folders: the scope a change re-lints.
    roots: Vec<PathBuf>,
    /// Scopes changed since the last lint, linted once the queue is empty.
    stale: Vec<PathBuf>,
    /// Open documents by absolute path.
    documents: HashMap<PathBuf, Document>,
    /// What was last published per open document: hover and code actions read it.
    published: HashMap<PathBuf, Vec<Diagnostic>>,
    /// Configuration files that currently carry an AG004 diagnostic.
    broken_configs: HashSet<PathBuf>,
    next_request: i32,
}

impl Server<'_> {
    fn main_loop(&mut self) -> Result<(), String> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(request) => {
                    // Answers (hover, quick fixes) must see the latest text.
                    self.lint_stale();
                    if request.method == req::Shutdown::METHOD {
                        // Answered; a client that then closes the pipe instead of sending
                        // `exit` (Neovim on quit) has still ended the session cleanly.
                        let _ = self.connection.handle_shutdown(&request);
                        return Ok(());
                    }
                    let response = self.request(request);
                    self.send(Message::Response(response));
                }
                Message::Notification(notification) => {
                    if notification.method == notify::Exit::METHOD {
                        return Ok(());
                    }
                    self.notification(notification);
                }
                // Answers to our own requests (capability registration): nothing to do.
                Message::Response(_) => {}
            }
            if self.connection.receiver.is_empty() {
                self.lint_stale();
            }
        }
        Ok(())
    }

    fn lint_stale(&mut self) {
        let mut scopes = std::mem::take(&mut self.stale);
        scopes.sort();
        scopes.dedup();
        for scope in scopes {
            self.lint_scope(&scope);
        }
    }

    /// The workspace folder holding `path` (the innermost), else its directory.
    fn scope_of(&self, path: &Path) -> Option<PathBuf> {
        if self.documents.get(path).is_some_and(|d| d.untitled) {
            return Some(path.to_path_buf());
        }
        self.roots
            .iter()
            .filter(|root| path.starts_with(root))
            .max_by_key(|root| root.components().count())
            .cloned()
            .or_else(|| path.parent().map(Path::to_path_buf))
    }

    fn send(&self, message: Message) {
        // The client is gone when this fails; the receive loop ends on its own then.
        let _ = self.connection.sender.send(message);
    }

    fn notify<N: notify::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        match request.method.as_str() {
            req::CodeActionRequest::METHOD => {
                match serde_json::from_value::<CodeActionParams>(request.params) {
                    Ok(params) => Response::new_ok(id, self.code_actions(params)),
                    Err(e) => invalid(id, e),
                }
            }
            req::HoverRequest::METHOD => {
                match serde_json::from_value::<HoverParams>(request.params) {
                    Ok(params) => Response::new_ok(id, self.hover(params)),
                    Err(e) => invalid(id, e),
                }
            }
            method => Response::new_err(
                id,
                ErrorCode::MethodNotFound as i32,
                format!("aksguard does not handle {method}"),
            ),
        }
    }

    fn notification(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let params = notification.params;
        match method.as_str() {
            notify::DidOpenTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidOpenTextDocumentParams>(params) {
                    self.open(
                        p.text_document.uri,
                        &p.text_document.language_id,
                        p.text_document.text,
                    );
                }
            }
            notify::DidChangeTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidChangeTextDocumentParams>(params) {
                    let text = self.changed_text(&p);
                    self.update(p.text_document.uri, text);
                }
            }
            notify::DidSaveTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidSaveTextDocumentParams>(params) {
                    self.update(p.text_document.uri, p.text);
                }
            }
            notify::DidCloseTextDocument::METHOD => {
                if let Ok(p) = serde_json::from_value::<DidCloseTextDocumentParams>(params) {
                    self.close(&p.text_document.uri);
                }
            }
            // Only `aksguard.toml` is watched: any change may alter every result.
            notify::DidChangeWatchedFiles::METHOD => self.relint_all(),
            _ => {}
        }
    }

    /// The new text of a changed document: full-text changes replace it, ranged ones (from
    /// clients that ignore our FULL sync) are applied in order.
    fn changed_text(&self, params: &DidChangeTextDocumentParams) -> Option<String> {
        let path = self.path_of(&params.text_document.uri)?;
        let mut text = self.documents.get(&path)?.text.clone();
        for change in &params.content_changes {
            match change.range {
                None => text = change.text.clone(),
                Some(range) => {
                    let start = position::offset(&text, range.start, self.encoding);
                    let end = position::offset(&text, range.end, self.encoding).max(start);
                    text.replace_range(start..end, &change.text);
                }
            }
        }
        Some(text)
    }

    /// The path a document is linted at: its file, or for an unsaved buffer a path under
    /// a directory that does not exist, named after the buffer with the extension of its
    /// language, so the engine reads it as that kind of file.
    fn path_of(&self, uri: &Uri) -> Option<PathBuf> {
        position::path_of(uri).or_else(|| {
            self.documents
                .iter()
                .find(|(_, doc)| doc.untitled && doc.uri == *uri)
                .map(|(path, _)| path.clone())
        })
    }

    fn uri_of(&self, path: &Path) -> Option<Uri> {
        match self.documents.get(path) {
            Some(doc) => Some(doc.uri.clone()),
            None => position::uri_of(path),
        }
    }

    fn open(&mut self, uri: Uri, language: &str, text: String) {
        if position::path_of(&uri).is_none() && uri.as_str().starts_with("untitled:") {
            let Some(extension) = untitled_extension(language) else {
                return;
            };
            let name: String = uri.as_str()["untitled:".len()..]
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '-' {
                        c
                    } else {
                        '_'
                    }
                })
                .take(64)
                .collect();
            let path = untitled_dir().join(format!("{name}.{extension}"));
            self.documents.retain(|_, doc| doc.uri != uri);
            self.documents.insert(
                path.clone(),
                Document {
                    uri,
                    text,
                    untitled: true,
                },
            );
            self.stale.push(path);
            return;
        }
        self.update(uri, Some(text));
    }

    fn update(&mut self, uri: Uri, text: Option<String>) {
        let Some(path) = self.path_of(&uri) else {
            return;
        };
        if let Some(text) = text {
            let untitled = self.documents.get(&path).is_some_and(|d| d.untitled);
            self.documents.insert(
                path.clone(),
                Document {
                    uri,
                    text,
                    untitled,
                },
            );
        }
        if is_config(&path) {
            self.relint_all();
        } else {
            self.lint_around(&path);
        }
    }

    fn close(&mut self, uri: &Uri) {
        let Some(path) = self.path_of(uri) else {
            return;
        };
        let untitled = self.documents.remove(&path).is_some_and(|d| d.untitled);
        self.published.remove(&path);
        self.notify::<notify::PublishDiagnostics>(PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: Vec::new(),
            version: None,
        });
        // The file on disk now stands in for the closed buffer.
        if untitled {
            return;
        }
        if is_config(&path) {
            self.relint_all();
        } else {
            self.lint_around(&path);
        }
    }

    fn relint_all(&mut self) {
        let scopes: Vec<PathBuf> = self
            .documents
            .keys()
            .filter(|p| !is_config(p))
            .filter_map(|p| self.scope_of(p))
            .collect();
        self.stale.extend(scopes);
    }

    fn lint_around(&mut self, path: &Path) {
        if let Some(scope) = self.scope_of(path) {
            self.stale.push(scope);
        }
    }

    /// Lint `scope` as `aksguard check` would and publish for each open document in it,
    /// empty lists included.
    fn lint_scope(&mut self, scope: &Path) {
        let targets: Vec<PathBuf> = self
            .documents
            .iter()
            .filter(|(p, doc)| {
                p.starts_with(scope) && !is_config(p) && (doc.untitled || p.is_file())
            })
            .map(|(p, _)| p.clone())
            .collect();
        if targets.is_empty() {
            return;
        }
        // An unsaved buffer takes the configuration of the first workspace folder.
        let config_dir = match self.documents.get(scope) {
            Some(doc) if doc.untitled => self
                .roots
                .first()
                .cloned()
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| scope.to_path_buf()),
            _ => scope.to_path_buf(),
        };
        let config = self.config_for(&config_dir);
        let buffers: Buffers = self
            .documents
            .iter()
            .map(|(path, doc)| (path.clone(), doc.text.clone()))
            .collect();
        let paths = [scope.to_path_buf()];
        // The configuration's baseline hides what it knows, as `aksguard check` does.
        let baseline = match config.baseline.as_deref().map(Baseline::load) {
            Some(Ok(baseline)) => Some(baseline),
            Some(Err(message)) => {
                self.show(
                    MessageType::WARNING,
                    format!("aksguard: the baseline is not applied: {message}"),
                );
                None
            }
            None => None,
        };
        let scan = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            engine::lint(
                &engine::Request::new(&paths, &config)
                    .buffers(&buffers)
                    .baseline(baseline.as_ref()),
            )
        }));
        let Ok(scan) = scan else {
            self.show(
                MessageType::ERROR,
                format!("aksguard failed while linting {}", scope.display()),
            );
            return;
        };
        for target in targets {
            let diagnostics = self.diagnostics_for(&scan, &target);
            let Some(doc) = self.documents.get(&target) else {
                continue;
            };
            self.notify::<notify::PublishDiagnostics>(PublishDiagnosticsParams {
                uri: doc.uri.clone(),
                diagnostics: diagnostics.clone(),
                version: None,
            });
            self.published.insert(target, diagnostics);
        }
    }

    /// The configuration for files in `dir`: the nearest `aksguard.toml` (its open buffer
    /// when it has one); a broken one is shown as AG004 on that file and the defaults apply.
    fn config_for(&mut self, dir: &Path) -> Config {
        let Some(path) = Config::find(dir) else {
            return Config::default_for(dir);
        };
        let loaded = match self.documents.get(&path) {
            Some(doc) => Config::parse(&doc.text, &path),
            None => Config::load(&path),
        }
        .and_then(|config| {
            config.check_rule_ids(rules::CATALOGUE_IDS)?;
            Ok(config)
        });
        match loaded {
            Ok(config) => {
                if self.broken_configs.remove(&path) {
                    self.publish_config_error(&path, None);
                }
                config
            }
            Err(error) => {
                self.broken_configs.insert(path.clone());
                self.publish_config_error(&path, Some(&error));
                Config::default_for(dir)
            }
        }
    }

    fn publish_config_error(&self, path: &Path, error: Option<&ConfigError>) {
        let Some(uri) = position::uri_of(path) else {
            return;
        };
        let diagnostics = error
            .map(|error| {
                let line = error.line.saturating_sub(1) as u32;
                let character = error.column.saturating_sub(1) as u32;
                let at = Position { line, character };
                vec![Diagnostic {
                    range: Range { start: at, end: at },
                    severity: Some(DiagnosticSeverity::ERROR),
                    code: Some(NumberOrString::String(
                        crate::catalogue::INVALID_CONFIG.id().to_string(),
                    )),
                    source: Some("aksguard".to_string()),
                    message: format!("{} (the defaults apply until it is fixed)", error.message),
                    ..Diagnostic::default()
                }]
            })
            .unwrap_or_default();
        self.notify::<notify::PublishDiagnostics>(PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        });
    }

    fn diagnostics_for(&self, scan: &Scan, target: &Path) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = scan
            .findings
            .iter()
            .filter(|f| !f.suppressed && scan.sources.get(f.at.file).path == target)
            .map(|f| self.finding_diagnostic(scan, f))
            .collect();
        let display = crate::source::display_path(target);
        for error in &scan.errors {
            let range = match error.at {
                Some(at) if scan.sources.get(at.file).path == target => {
                    let text = &scan.sources.get(at.file).text;
                    position::range(text, at.start as usize, at.end as usize, self.encoding)
                }
                None if error.path == display => Range::default(),
                _ => continue,
            };
            out.push(Diagnostic {
                range,
                severity: Some(DiagnosticSeverity::ERROR),
                code: Some(NumberOrString::String(error.rule.to_string())),
                source: Some("aksguard".to_string()),
                message: error.message.clone(),
                ..Diagnostic::default()
            });
        }
        out
    }

    fn finding_diagnostic(&self, scan: &Scan, finding: &Finding) -> Diagnostic {
        let file = scan.sources.get(finding.at.file);
        let range = position::range(
            &file.text,
            finding.at.start as usize,
            finding.at.end as usize,
            self.encoding,
        );
        let related: Vec<DiagnosticRelatedInformation> = finding
            .notes
            .iter()
            .filter_map(|(loc, note)| {
                let source = scan.sources.get(loc.file);
                Some(DiagnosticRelatedInformation {
                    location: Location {
                        uri: self.uri_of(&source.path)?,
                        range: position::range(
                            &source.text,
                            loc.start as usize,
                            loc.end as usize,
                            self.encoding,
                        ),
                    },
                    message: note.clone(),
                })
            })
            .collect();
        let data = fix::render(&scan.sources, finding)
            .filter(|fix| fix.applicability != Applicability::DisplayOnly)
            .and_then(|fix| self.fix_data(scan, &fix))
            .and_then(|data| serde_json::to_value(data).ok());
        Diagnostic {
            range,
            severity: Some(severity(finding.severity)),
            code: Some(NumberOrString::String(finding.rule.to_string())),
            // Editors show the rule ID as a link to its documentation.
            code_description: crate::report::sarif::rule_doc_url(finding.rule)
                .parse::<Uri>()
                .ok()
                .map(|href| CodeDescription { href }),
            source: Some("aksguard".to_string()),
            message: format!("{}\nhelp: {}", finding.message, finding.help),
            related_information: (!related.is_empty()).then_some(related),
            data,
            ..Diagnostic::default()
        }
    }

    fn fix_data(&self, scan: &Scan, fix: &fix::Fix) -> Option<FixData> {
        let edits = fix
            .edits
            .iter()
            .map(|edit| {
                let source = scan.sources.get(edit.file);
                let uri = self.uri_of(&source.path)?;
                let range = position::range(&source.text, edit.start, edit.end, self.encoding);
                Some((
                    uri,
                    TextEdit {
                        range,
                        new_text: edit.content.clone(),
                    },
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(FixData {
            title: fix.title.clone(),
            applicability: fix.applicability.as_str().to_string(),
            edits,
        })
    }

    // lsp-types keys `WorkspaceEdit::changes` by `Uri`, whose lazily filled parse cache
    // does not take part in hashing.
    #[allow(clippy::mutable_key_type)]
    fn code_actions(&self, params: CodeActionParams) -> Vec<CodeActionOrCommand> {
        let path = self.path_of(&params.text_document.uri);
        let published = path
            .as_ref()
            .and_then(|p| self.published.get(p))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        // The client echoes our diagnostics with their data; some strip `data`, so what we
        // published for that range stands in.
        let mut diagnostics: Vec<Diagnostic> = params
            .context
            .diagnostics
            .iter()
            .filter(|d| d.source.as_deref() == Some("aksguard"))
            .map(|d| match d.data {
                Some(_) => d.clone(),
                None => published
                    .iter()
                    .find(|p| p.range == d.range && p.code == d.code)
                    .cloned()
                    .unwrap_or_else(|| d.clone()),
            })
            .collect();
        if params.context.diagnostics.is_empty() {
            diagnostics = published
                .iter()
                .filter(|d| overlaps(d.range, params.range))
                .cloned()
                .collect();
        }
        let wants = |kind: &CodeActionKind| {
            params
                .context
                .only
                .as_ref()
                .is_none_or(|only| only.iter().any(|o| kind.as_str().starts_with(o.as_str())))
        };
        let mut actions = Vec::new();
        for diagnostic in diagnostics
            .into_iter()
            .filter(|_| wants(&CodeActionKind::QUICKFIX))
        {
            let Some(data) = diagnostic
                .data
                .clone()
                .and_then(|d| serde_json::from_value::<FixData>(d).ok())
            else {
                continue;
            };
            let rule = match &diagnostic.code {
                Some(NumberOrString::String(rule)) => rule.clone(),
                _ => String::new(),
            };
            let safe = data.applicability == Applicability::Safe.as_str();
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for (uri, edit) in data.edits {
                changes.entry(uri).or_default().push(edit);
            }
            let title = if safe {
                format!("{rule}: {}", data.title)
            } else {
                format!("{rule}: {} (unsafe: review the change)", data.title)
            };
            actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                is_preferred: Some(safe),
                ..CodeAction::default()
            }));
        }
        // After the quick fixes, as editors list them in order.
        if wants(&fix_all_kind()) {
            actions.extend(fix_all(published));
        }
        actions
    }

    /// What the finding under the cursor is, why it matters and what fixes it, in a few
    /// lines; the full rule text is a link away. The narrowest finding comes first; others
    /// on the same spot get a line each.
    fn hover(&self, params: HoverParams) -> Option<Hover> {
        let at = params.text_document_position_params.position;
        let path = self.path_of(&params.text_document_position_params.text_document.uri)?;
        let published = self.published.get(&path)?;
        let mut here: Vec<&Diagnostic> =
            published.iter().filter(|d| contains(d.range, at)).collect();
        let span = |d: &Diagnostic| {
            (
                d.range.end.line - d.range.start.line,
                d.range.end.character.abs_diff(d.range.start.character),
            )
        };
        here.sort_by_key(|d| span(d));
        let first = *here.first()?;
        let mut text = hover_section(first);
        let others = &here[1..];
        if !others.is_empty() {
            text.push_str("\n\n---\n\nAlso here:");
            for other in others.iter().take(HOVER_OTHERS) {
                let id = code_of(other).unwrap_or_default();
                let message = other.message.lines().next().unwrap_or_default();
                text.push_str(&format!("\n- **{id}**: {}", shorten(message, 200)));
            }
            if others.len() > HOVER_OTHERS {
                text.push_str(&format!(
                    "\n- and {} more (the Problems list has them all)",
                    others.len() - HOVER_OTHERS
                ));
            }
        }
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(first.range),
        })
    }

    fn watch_config_files(&mut self) {
        self.next_request += 1;
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "aksguard-config".to_string(),
                method: notify::DidChangeWatchedFiles::METHOD.to_string(),
                register_options: Some(serde_json::json!({
                    "watchers": [{"globPattern": format!("**/{CONFIG_FILE}")}]
                })),
            }],
        };
        self.send(Message::Request(Request::new(
            RequestId::from(format!("aksguard-{}", self.next_request)),
            req::RegisterCapability::METHOD.to_string(),
            params,
        )));
    }

    fn show(&self, typ: MessageType, message: String) {
        self.notify::<notify::ShowMessage>(ShowMessageParams { typ, message });
    }
}

/// Where unsaved buffers are placed for the engine: a directory that is never created.
fn untitled_dir() -> PathBuf {
    std::env::temp_dir().join(format!("aksguard-unsaved-{}", std::process::id()))
}

/// The file extension that makes the engine read a buffer in `language` (an LSP language
/// identifier) as that kind of file.
fn untitled_extension(language: &str) -> Option<&'static str> {
    Some(match language {
        "terraform" | "hcl" => "tf",
        "terraform-vars" => "tfvars",
        "bicep" => "bicep",
        "bicep-params" => "bicepparam",
        "json" | "jsonc" | "arm-template" => "json",
        "yaml" | "helm" => "yaml",
        "dockerfile" => "Dockerfile",
        _ => return None,
    })
}

/// Findings named in one line each after the first in a hover.
const HOVER_OTHERS: usize = 8;

fn code_of(diagnostic: &Diagnostic) -> Option<&str> {
    match &diagnostic.code {
        Some(NumberOrString::String(id)) => Some(id),
        _ => None,
    }
}

/// One finding in a hover: its message, the rule's first paragraph, the fix (the quick
/// fix's title when there is one, else the doc's first paragraph on fixing it), and the
/// link to the full rule text.
fn hover_section(diagnostic: &Diagnostic) -> String {
    let id = code_of(diagnostic).unwrap_or_default();
    let rule = rules::find(id);
    let title = match rule {
        Some(rule) => format!("**{id}** {} · {}", rule.slug, rule.severity.as_str()),
        None => format!("**{id}**"),
    };
    let mut out = format!("{title}\n\n{}", diagnostic.message.replace('\n', "\n\n"));
    let Some(rule) = rule else {
        return out;
    };
    let doc = rule.doc;
    if let Some(summary) = crate::report::sarif::section(doc, "What it checks").map(first_paragraph)
    {
        out.push_str(&format!("\n\n{}", shorten(summary, 700)));
    }
    let quick_fix = diagnostic
        .data
        .clone()
        .and_then(|d| serde_json::from_value::<FixData>(d).ok());
    match quick_fix {
        Some(fix) if fix.applicability == Applicability::Safe.as_str() => {
            out.push_str(&format!("\n\n**Quick fix:** {}", fix.title));
        }
        Some(fix) => out.push_str(&format!(
            "\n\n**Quick fix (unsafe: review the change):** {}",
            fix.title
        )),
        None => {
            if let Some(fix) = crate::report::sarif::section(doc, "Fix").map(first_paragraph) {
                out.push_str(&format!("\n\n**Fix:** {}", shorten(fix, 500)));
            }
        }
    }
    out.push_str(&format!(
        "\n\n[Full documentation]({}) (the same text as `aksguard rule {id}`)",
        crate::report::sarif::rule_doc_url(id)
    ));
    out
}

fn first_paragraph(text: &str) -> &str {
    text.split("\n\n").next().unwrap_or(text).trim()
}

/// At most `max` characters, cut at a word with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.aksguard")
}

/// Every safe fix of the document in one edit (`source.fixAll`, e.g. on save). As with
/// `--fix`, a fix touching one already taken waits: the next lint offers it again.
#[allow(clippy::mutable_key_type)] // see code_actions
fn fix_all(published: &[Diagnostic]) -> Option<CodeActionOrCommand> {
    let key = |p: Position| (p.line, p.character);
    let mut taken: Vec<(Uri, TextEdit)> = Vec::new();
    for data in published
        .iter()
        .filter_map(|d| serde_json::from_value::<FixData>(d.data.clone()?).ok())
        .filter(|data| data.applicability == Applicability::Safe.as_str())
    {
        // Insertions at one point all fit: the client applies them in the order given,
        // as `--fix` writes them (several attributes added to one block in one go).
        let insertion = |e: &TextEdit| e.range.start == e.range.end;
        let fits = data.edits.iter().all(|(uri, edit)| {
            taken.iter().all(|(other_uri, other)| {
                other_uri != uri
                    || other == edit
                    || key(other.range.end) < key(edit.range.start)
                    || key(edit.range.end) < key(other.range.start)
                    || insertion(other) && insertion(edit) && other.range.start == edit.range.start
            })
        });
        if fits {
            for (uri, edit) in data.edits {
                if !taken.iter().any(|(u, e)| *u == uri && *e == edit) {
                    taken.push((uri, edit));
                }
            }
        }
    }
    if taken.is_empty() {
        return None;
    }
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for (uri, edit) in taken {
        changes.entry(uri).or_default().push(edit);
    }
    Some(CodeActionOrCommand::CodeAction(CodeAction {
        title: "aksguard: apply every safe fix".to_string(),
        kind: Some(fix_all_kind()),
        edit: Some(WorkspaceEdit {
            changes: Some(changes),
            ..WorkspaceEdit::default()
        }),
        ..CodeAction::default()
    }))
}

fn invalid(id: RequestId, error: serde_json::Error) -> Response {
    Response::new_err(
        id,
        ErrorCode::InvalidParams as i32,
        format!("invalid parameters: {error}"),
    )
}

fn is_config(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n == CONFIG_FILE)
}

fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Critical | Severity::High | Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

fn contains(range: Range, at: Position) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(range.start) <= key(at) && key(at) <= key(range.end)
}

fn overlaps(a: Range, b: Range) -> bool {
    let key = |p: Position| (p.line, p.character);
    key(a.start) <= key(b.end) && key(b.start) <= key(a.end)
}
