//! The language server: one state behind a lock, a full re-lint per document version on a
//! blocking thread, diagnostics pushed (or pulled) with their fixes in `data`.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use hardfile_lints::config::Config;
use hardfile_lints::context::{BuildContext, FsContext};
use hardfile_lints::fix::apply_fixes;
use hardfile_lints::shell::ScriptCache;
use hardfile_lints::syntax::{self, Dockerfile};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeActionResponse, ConfigurationItem, Diagnostic,
    DiagnosticOptions, DiagnosticServerCapabilities, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentDiagnosticParams,
    DocumentDiagnosticReport, DocumentDiagnosticReportResult, DocumentSymbolParams,
    DocumentSymbolResponse, FoldingRange, FoldingRangeParams, FoldingRangeProviderCapability,
    FullDocumentDiagnosticReport, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, MessageType, NumberOrString, OneOf, PositionEncodingKind,
    Registration, RelatedFullDocumentDiagnosticReport, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, TextEdit, Uri, WorkspaceEdit,
};
use tower_lsp_server::{Client, LanguageServer};

use crate::analysis::{self, Analysis};
use crate::convert::{CompactEdit, DiagnosticData, Published, SOURCE, Text};
use crate::settings::{ConfigCache, DiagnosticMode, Resolved, Settings};
use crate::transport::{Outbox, OutboxNotification, OutboxParams};
use crate::{hover, outline};

/// The code action kind of "fix all safe findings".
pub const FIX_ALL_KIND: &str = "source.fixAll.hardfile";

/// Glob patterns of files whose change re-lints every open document.
pub const WATCHED_FILES: [&str; 2] = ["**/.hardfile.toml", "**/.dockerignore"];

/// One open document.
#[derive(Debug)]
struct Document {
    text: Text,
    version: i32,
    /// The last analysis and the version it was made for.
    analysis: Option<(i32, Arc<Analysis>)>,
    /// RUN scripts parsed by earlier lints of this document, reused while unchanged.
    scripts: Arc<ScriptCache>,
}

/// What the client told us at initialization that changes how we talk to it.
#[derive(Clone, Copy, Debug, Default)]
struct ClientSupport {
    /// `codeAction/resolve` may fill in `edit`.
    resolve_edit: bool,
    /// `workspace/didChangeWatchedFiles` can be registered dynamically.
    watch_files: bool,
    /// `workspace/configuration` requests are understood.
    configuration: bool,
    /// `workspace/diagnostic/refresh` is understood.
    diagnostic_refresh: bool,
}

#[derive(Debug, Default)]
struct State {
    documents: HashMap<Uri, Document>,
    settings: Settings,
    configs: ConfigCache,
    roots: Vec<PathBuf>,
    support: ClientSupport,
    /// Configuration problems already shown, so each is shown once.
    shown: HashSet<String>,
}

impl State {
    fn resolve(&mut self, uri: &Uri) -> Resolved {
        let path = file_path(uri);
        self.configs
            .resolve(path.as_deref(), &self.roots, &self.settings)
    }
}

/// The path of a `file:` URI.
fn file_path(uri: &Uri) -> Option<PathBuf> {
    uri.to_file_path().map(std::borrow::Cow::into_owned)
}

/// A consistent copy of what one lint needs, taken under the lock.
struct Snapshot {
    uri: Uri,
    text: Text,
    version: i32,
    resolved: Resolved,
    path: Option<PathBuf>,
    scripts: Arc<ScriptCache>,
}

impl Snapshot {
    fn analyze(&self) -> Analysis {
        analysis::analyze(
            &self.text,
            &self.resolved.config,
            &self.uri,
            self.path.as_deref(),
            Some(self.version),
            Some(&self.scripts),
        )
    }
}

/// The hardfile language server.
#[derive(Debug, Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
    /// Held from the version check to the end of a publish, so an older version's
    /// diagnostics can never be published after a newer one's.
    publishing: Arc<tokio::sync::Mutex<()>>,
    /// Where diagnostics serialized by the server itself are parked until their place in the
    /// outgoing stream comes (see [`Outbox`]): they are serialized straight from their types,
    /// not through `serde_json::Value`s as [`Client::publish_diagnostics`] does, which for a
    /// large file cost more than the lint. `None`: publish through the client.
    outbox: Option<Arc<Outbox>>,
}

/// `textDocument/publishDiagnostics`, serialized from borrowed parts.
#[derive(Serialize)]
struct PublishNotification<'a> {
    jsonrpc: &'static str,
    method: &'static str,
    params: PublishParams<'a>,
}

#[derive(Serialize)]
struct PublishParams<'a> {
    uri: &'a Uri,
    version: i32,
    diagnostics: &'a [Published],
}

/// Runs `work` on a blocking thread: linting never stalls the protocol, a panic in it
/// becomes an internal error instead of ending the server, and a cancelled request stops
/// waiting for it.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(work).await.map_err(|err| {
        tracing::error!("request failed: {err}");
        jsonrpc::Error::internal_error()
    })
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            state: Arc::new(Mutex::new(State::default())),
            publishing: Arc::new(tokio::sync::Mutex::new(())),
            outbox: None,
        }
    }

    /// A server that serializes its diagnostics itself and hands them to `outbox`, which
    /// [`crate::transport::pump`] empties into the outgoing stream in order.
    pub fn with_outbox(client: Client, outbox: Arc<Outbox>) -> Self {
        Self {
            outbox: Some(outbox),
            ..Self::new(client)
        }
    }

    /// Publishes the diagnostics of `version`.
    async fn publish(&self, uri: Uri, analysis: &Analysis, version: i32) {
        let Some(outbox) = &self.outbox else {
            let diagnostics = analysis.diagnostics.iter().map(Published::to_lsp).collect();
            self.client
                .publish_diagnostics(uri, diagnostics, Some(version))
                .await;
            return;
        };
        let notification = PublishNotification {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: PublishParams {
                uri: &uri,
                version,
                diagnostics: &analysis.diagnostics,
            },
        };
        match serde_json::to_vec(&notification) {
            Ok(body) => {
                let id = outbox.park(crate::transport::frame(&body));
                self.client
                    .send_notification::<OutboxNotification>(OutboxParams { id })
                    .await;
            }
            Err(err) => tracing::error!("diagnostics not serialized: {err}"),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let mut state = self.lock();
        let resolved = state.resolve(uri);
        let document = state.documents.get(uri)?;
        Some(Snapshot {
            uri: uri.clone(),
            text: document.text.clone(),
            version: document.version,
            resolved,
            path: file_path(uri),
            scripts: Arc::clone(&document.scripts),
        })
    }

    fn pull_mode(&self) -> bool {
        self.lock().settings.diagnostic_mode == Some(DiagnosticMode::Pull)
    }

    /// Lints `uri` in the background, so the notification that asked returns at once and
    /// the next messages are read while the lint runs.
    fn spawn_lint(&self, uri: Uri) {
        self.spawn_lint_retiring(uri, None);
    }

    /// [`Backend::spawn_lint`], freeing `retired` (the analysis of a superseded version) only
    /// after the new diagnostics are out: freeing a large analysis takes a while, and on a
    /// small machine it would compete with the lint for the cores.
    fn spawn_lint_retiring(&self, uri: Uri, retired: Option<Arc<Analysis>>) {
        let backend = self.clone();
        tokio::spawn(async move {
            backend.lint(uri).await;
            if let Some(old) = retired {
                let _ = tokio::task::spawn_blocking(move || drop(old)).await;
            }
        });
    }

    /// Lints the current version of `uri` and publishes the result, unless a newer version
    /// arrives meanwhile (its own lint publishes then).
    async fn lint(&self, uri: Uri) {
        if self.pull_mode() {
            return;
        }
        let Some(snapshot) = self.snapshot(&uri) else {
            return;
        };
        self.show_problems(&snapshot.resolved.problems).await;
        let state = self.state.clone();
        let result = blocking(move || {
            // Skip versions already superseded while this one waited for a thread.
            let current = state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .documents
                .get(&snapshot.uri)
                .map(|d| d.version);
            (current == Some(snapshot.version)).then(|| (snapshot.version, snapshot.analyze()))
        })
        .await;
        let Ok(Some((version, analysis))) = result else {
            return;
        };
        let analysis = Arc::new(analysis);
        let _publishing = self.publishing.lock().await;
        {
            let mut state = self.lock();
            let Some(document) = state.documents.get_mut(&uri) else {
                return;
            };
            if document.version != version {
                return;
            }
            document.analysis = Some((version, Arc::clone(&analysis)));
        }
        self.publish(uri, &analysis, version).await;
    }

    /// The analysis of the current version of `uri`, made now if needed.
    async fn current_analysis(&self, uri: &Uri) -> Result<Option<Arc<Analysis>>> {
        let cached = {
            let state = self.lock();
            let Some(document) = state.documents.get(uri) else {
                return Ok(None);
            };
            document
                .analysis
                .as_ref()
                .filter(|(v, _)| *v == document.version)
                .map(|(_, a)| a.clone())
        };
        if cached.is_some() {
            return Ok(cached);
        }
        let Some(snapshot) = self.snapshot(uri) else {
            return Ok(None);
        };
        let version = snapshot.version;
        let analysis = Arc::new(blocking(move || snapshot.analyze()).await?);
        if let Some(document) = self.lock().documents.get_mut(uri)
            && document.version == version
        {
            document.analysis = Some((version, analysis.clone()));
        }
        Ok(Some(analysis))
    }

    /// Parses the current text of `uri` (for hover, symbols and folding).
    async fn parsed(&self, uri: &Uri) -> Result<Option<(Text, Dockerfile)>> {
        let Some(text) = self.lock().documents.get(uri).map(|d| d.text.clone()) else {
            return Ok(None);
        };
        blocking(move || {
            let file = syntax::parse(&text.text);
            Some((text, file))
        })
        .await
    }

    /// Re-reads configuration and re-lints every open document.
    async fn relint_all(&self) {
        let (uris, pull, refresh) = {
            let mut state = self.lock();
            state.configs.clear();
            state.shown.clear();
            for document in state.documents.values_mut() {
                document.analysis = None;
            }
            (
                state.documents.keys().cloned().collect::<Vec<_>>(),
                state.settings.diagnostic_mode == Some(DiagnosticMode::Pull),
                state.support.diagnostic_refresh,
            )
        };
        if pull {
            if refresh {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        for uri in uris {
            self.spawn_lint(uri);
        }
    }

    async fn show_problems(&self, problems: &[String]) {
        let fresh: Vec<String> = {
            let mut state = self.lock();
            problems
                .iter()
                .filter(|p| state.shown.insert((*p).clone()))
                .cloned()
                .collect()
        };
        for problem in fresh {
            tracing::warn!("{problem}");
            self.client
                .show_message(MessageType::WARNING, format!("hardfile: {problem}"))
                .await;
        }
    }

    /// The whole-document edit applying every safe fix, to a fixpoint.
    async fn fix_all_edit(&self, uri: &Uri) -> Result<Option<WorkspaceEdit>> {
        let Some(snapshot) = self.snapshot(uri) else {
            return Ok(None);
        };
        let uri = uri.clone();
        blocking(move || {
            let context = snapshot
                .path
                .as_deref()
                .and_then(std::path::Path::parent)
                .map(FsContext::new);
            let outcome = match apply_fixes(
                &snapshot.text.text,
                &snapshot.resolved.config,
                context.as_ref().map(|c| c as &dyn BuildContext),
                false,
            ) {
                Ok(outcome) => outcome,
                Err(err) => {
                    tracing::warn!("fix-all refused: {err}");
                    return None;
                }
            };
            if outcome.output == snapshot.text.text {
                return None;
            }
            let edit = TextEdit {
                range: snapshot.text.full_range(),
                new_text: outcome.output,
            };
            Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri, vec![edit])])),
                ..WorkspaceEdit::default()
            })
        })
        .await
    }
}

/// What a deferred fix-all action carries until `codeAction/resolve`.
#[derive(Debug, Serialize, Deserialize)]
struct FixAllData {
    uri: Uri,
    version: i32,
}

/// Whether the client asked for actions of `kind` (`only` is hierarchical: `source`
/// includes `source.fixAll.hardfile`).
fn wanted(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    only.is_none_or(|kinds| {
        kinds.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// Quick fixes for the hardfile diagnostics the client sent back: the rule's fix from their
/// `data`, and the ignore comments computed from `current` (the analysis of `version`, the
/// document's current version; no ignore actions without it).
fn quick_fixes(
    uri: &Uri,
    version: i32,
    diagnostics: &[Diagnostic],
    current: Option<(&Analysis, &Config)>,
) -> Vec<CodeActionOrCommand> {
    let mut fixes = Vec::new();
    let mut ignores = Vec::new();
    let mut file_ignores = Vec::new();
    let mut file_codes: HashSet<String> = HashSet::new();
    for diagnostic in diagnostics {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            continue;
        }
        let Some(data) = diagnostic
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<DiagnosticData>(d).ok())
        else {
            continue;
        };
        // Edits made for another version would land in the wrong place.
        if data.version.is_some_and(|v| v != version) {
            continue;
        }
        let code = match &diagnostic.code {
            Some(NumberOrString::String(code)) => code.clone(),
            Some(NumberOrString::Number(n)) => n.to_string(),
            None => continue,
        };
        if let Some(fix) = data.fix {
            let title = if fix.safe {
                fix.title
            } else {
                format!("(unsafe) {}", fix.title)
            };
            fixes.push(CodeAction {
                title,
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(
                    uri,
                    fix.edits
                        .into_iter()
                        .map(CompactEdit::into_text_edit)
                        .collect(),
                )),
                is_preferred: Some(fix.safe),
                ..CodeAction::default()
            });
        }
        let Some((analysis, config)) = current else {
            continue;
        };
        let offset = analysis.text.offset(diagnostic.range.start);
        let (instruction_edit, file_edit) = analysis::ignore_edits(analysis, config, &code, offset);
        if let Some(edit) = instruction_edit {
            ignores.push(CodeAction {
                title: format!("Ignore {code} for this instruction"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(uri, vec![edit])),
                ..CodeAction::default()
            });
        }
        if let Some(edit) = file_edit
            && file_codes.insert(code.clone())
        {
            file_ignores.push(CodeAction {
                title: format!("Ignore {code} in this file"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(workspace_edit(uri, vec![edit])),
                ..CodeAction::default()
            });
        }
    }
    fixes
        .into_iter()
        .chain(ignores)
        .chain(file_ignores)
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        tracing::debug!("initialize");
        let settings = Settings::from_json(params.initialization_options.as_ref());
        let pull = settings.diagnostic_mode == Some(DiagnosticMode::Pull);
        {
            let mut state = self.lock();
            state.settings = settings;
            let mut roots: Vec<PathBuf> = params
                .workspace_folders
                .iter()
                .flatten()
                .filter_map(|f| file_path(&f.uri))
                .collect();
            #[allow(deprecated)] // older clients send only `rootUri`
            if roots.is_empty()
                && let Some(root) = params.root_uri.as_ref().and_then(file_path)
            {
                roots.push(root);
            }
            state.roots = roots;
            let caps = &params.capabilities;
            let text = caps.text_document.as_ref();
            let workspace = caps.workspace.as_ref();
            state.support = ClientSupport {
                resolve_edit: text
                    .and_then(|t| t.code_action.as_ref())
                    .and_then(|c| c.resolve_support.as_ref())
                    .is_some_and(|r| r.properties.iter().any(|p| p == "edit")),
                watch_files: workspace
                    .and_then(|w| w.did_change_watched_files.as_ref())
                    .and_then(|d| d.dynamic_registration)
                    .unwrap_or(false),
                configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
                diagnostic_refresh: workspace
                    .and_then(|w| w.diagnostics.as_ref())
                    .and_then(|d| d.refresh_support)
                    .unwrap_or(false),
            };
        }
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                            include_text: Some(false),
                        })),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new(FIX_ALL_KIND),
                        ]),
                        resolve_provider: Some(true),
                        ..CodeActionOptions::default()
                    },
                )),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                diagnostic_provider: pull.then(|| {
                    DiagnosticServerCapabilities::Options(DiagnosticOptions {
                        identifier: Some(SOURCE.to_string()),
                        inter_file_dependencies: false,
                        workspace_diagnostics: false,
                        ..DiagnosticOptions::default()
                    })
                }),
                ..ServerCapabilities::default()
            },
            server_info: Some(ServerInfo {
                name: "hardfile".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        tracing::debug!("initialized");
        let support = self.lock().support;
        if support.watch_files {
            let watchers: Vec<Value> = WATCHED_FILES
                .iter()
                .map(|glob| serde_json::json!({ "globPattern": glob }))
                .collect();
            let registration = Registration {
                id: "hardfile-config-watch".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: Some(serde_json::json!({ "watchers": watchers })),
            };
            if let Err(err) = self.client.register_capability(vec![registration]).await {
                tracing::warn!("could not watch configuration files: {err}");
            }
        }
    }

    async fn shutdown(&self) -> Result<()> {
        tracing::debug!("shutdown");
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        tracing::debug!("did_open {:?}", document.uri.as_str());
        self.lock().documents.insert(
            document.uri.clone(),
            Document {
                text: Text::new(document.text),
                version: document.version,
                analysis: None,
                scripts: Arc::default(),
            },
        );
        self.spawn_lint(document.uri);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        tracing::debug!(
            "did_change {:?} v{}",
            uri.as_str(),
            params.text_document.version
        );
        let superseded;
        {
            let mut state = self.lock();
            let Some(document) = state.documents.get_mut(&uri) else {
                tracing::warn!("change for a document that is not open: {:?}", uri.as_str());
                return;
            };
            for change in &params.content_changes {
                document.text.apply_change(change.range, &change.text);
            }
            document.version = params.text_document.version;
            superseded = document.analysis.take().map(|(_, analysis)| analysis);
        }
        self.spawn_lint_retiring(uri, superseded);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        tracing::debug!("did_save {:?}", params.text_document.uri.as_str());
        if let Some(text) = params.text
            && let Some(document) = self.lock().documents.get_mut(&params.text_document.uri)
        {
            document.text = Text::new(text);
            document.analysis = None;
        }
        self.spawn_lint(params.text_document.uri);
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        tracing::debug!("did_close {:?}", uri.as_str());
        let _publishing = self.publishing.lock().await;
        self.lock().documents.remove(&uri);
        if !self.pull_mode() {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        tracing::debug!("did_change_configuration");
        let mut settings = Settings::from_json(Some(&params.settings));
        let support = self.lock().support;
        if settings == Settings::default() && support.configuration {
            // Clients using the pull model send `null` and answer `workspace/configuration`.
            let item = ConfigurationItem {
                scope_uri: None,
                section: Some(SOURCE.to_string()),
            };
            if let Ok(values) = self.client.configuration(vec![item]).await {
                settings = Settings::from_json(values.first());
            }
        }
        {
            let mut state = self.lock();
            // The diagnostic mode is fixed at initialization (it decides the capabilities).
            settings.diagnostic_mode = state.settings.diagnostic_mode;
            state.settings = settings;
        }
        self.relint_all().await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        tracing::debug!(
            "did_change_watched_files ({} changes)",
            params.changes.len()
        );
        self.relint_all().await;
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        tracing::debug!("diagnostic {:?}", uri.as_str());
        let items = self
            .current_analysis(&uri)
            .await?
            .map(|a| a.diagnostics.iter().map(Published::to_lsp).collect())
            .unwrap_or_default();
        Ok(DocumentDiagnosticReportResult::Report(
            DocumentDiagnosticReport::Full(RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            }),
        ))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri;
        tracing::debug!("code_action {:?}", uri.as_str());
        let Some(version) = self.lock().documents.get(&uri).map(|d| d.version) else {
            return Ok(None);
        };
        let only = params.context.only.as_ref();
        let mut actions = Vec::new();
        if wanted(only, CodeActionKind::QUICKFIX.as_str()) {
            let ours = params
                .context
                .diagnostics
                .iter()
                .any(|d| d.source.as_deref() == Some(SOURCE));
            // The parse of this version (cached by its lint) places the ignore comments.
            let current = if ours {
                self.current_analysis(&uri).await?
            } else {
                None
            };
            // Only the configuration: a snapshot would copy the whole text as well.
            let config = current.as_ref().map(|_| self.lock().resolve(&uri).config);
            let current = current.as_deref().zip(config.as_ref());
            actions.extend(quick_fixes(
                &uri,
                version,
                &params.context.diagnostics,
                current,
            ));
        }
        if wanted(only, FIX_ALL_KIND)
            && self
                .current_analysis(&uri)
                .await?
                .is_some_and(|a| a.safe_fixes > 0)
        {
            let mut action = CodeAction {
                title: "Fix all safe hardfile findings".to_string(),
                kind: Some(CodeActionKind::new(FIX_ALL_KIND)),
                ..CodeAction::default()
            };
            if self.lock().support.resolve_edit {
                action.data = serde_json::to_value(FixAllData {
                    uri: uri.clone(),
                    version,
                })
                .ok();
                actions.push(CodeActionOrCommand::CodeAction(action));
            } else if let Some(edit) = self.fix_all_edit(&uri).await? {
                action.edit = Some(edit);
                actions.push(CodeActionOrCommand::CodeAction(action));
            }
        }
        Ok(Some(actions))
    }

    async fn code_action_resolve(&self, mut action: CodeAction) -> Result<CodeAction> {
        tracing::debug!("code_action_resolve {:?}", action.title);
        let Some(data) = action
            .data
            .clone()
            .and_then(|d| serde_json::from_value::<FixAllData>(d).ok())
        else {
            return Ok(action);
        };
        let current = self.lock().documents.get(&data.uri).map(|d| d.version);
        if current == Some(data.version) {
            action.edit = self.fix_all_edit(&data.uri).await?;
        }
        Ok(action)
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let position = params.text_document_position_params;
        let Some((text, file)) = self.parsed(&position.text_document.uri).await? else {
            return Ok(None);
        };
        let offset = text.offset(position.position);
        Ok(hover::hover(&file, &text, offset))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let Some((text, file)) = self.parsed(&params.text_document.uri).await? else {
            return Ok(None);
        };
        Ok(Some(DocumentSymbolResponse::Nested(
            outline::document_symbols(&file, &text),
        )))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        let Some((text, file)) = self.parsed(&params.text_document.uri).await? else {
            return Ok(None);
        };
        Ok(Some(outline::folding_ranges(&file, &text)))
    }
}
