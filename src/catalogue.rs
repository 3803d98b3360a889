//! The rule table (also `rules::catalogue`): what each `rules/<ID>.md` says about its rule
//! or engine diagnostic, read by build.rs when the crate is built. The documents are the one place a slug,
//! severity, surface, summary, peer list, fix kind or format list is written; a rule's
//! `.rs` file holds only its check and points at its row (`meta: &catalogue::AKS005`).

use crate::severity::Severity;

/// One rule or engine diagnostic, as its document describes it.
#[derive(Debug)]
pub struct Meta {
    pub id: &'static str,
    pub slug: &'static str,
    /// The default severity (the first word of `**Severity:**`; some rules raise or lower
    /// it per finding, as their document says).
    pub severity: Severity,
    pub surface: Surface,
    /// One line for `aksguard rules` and SARIF's shortDescription (the document's fifth line).
    pub summary: &'static str,
    /// The IDs of equivalent checks in other tools (`**Peers:**`), remarks left out.
    pub peers: &'static [&'static str],
    /// An engine diagnostic (AG00x): about the scan, not the infrastructure.
    pub engine: bool,
    /// What `## Fix safety` promises.
    pub fix: FixKind,
    /// The formats the document's `### Bad` examples show the rule firing on.
    pub formats: &'static [InputFormat],
    /// The whole document: `aksguard rule`, SARIF help, hovers, and the executed examples.
    pub doc: &'static str,
}

/// A handle on an engine diagnostic (AG00x), named after its slug (`PARSE_ERROR`,
/// `MODULE_NOT_EVALUATED`): build.rs writes one for each document marked `**Engine
/// diagnostic**` and nothing else can make one, so the engine names its own problems in
/// code, where a misspelled or undocumented one fails to compile.
#[derive(Clone, Copy, Debug)]
pub struct Diagnostic(&'static Meta);

impl Diagnostic {
    pub const fn meta(self) -> &'static Meta {
        self.0
    }
    pub const fn id(self) -> &'static str {
        self.0.id
    }
    pub const fn slug(self) -> &'static str {
        self.0.slug
    }
    pub const fn severity(self) -> Severity {
        self.0.severity
    }
}

/// Whether a rule offers an automatic fix (the first words of its `## Fix safety`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixKind {
    /// "No automatic fix".
    None,
    /// "Automatic fix": safe or unsafe depending on where the value comes from.
    Automatic,
    /// "Automatic fix (**unsafe**)": always to be reviewed.
    AlwaysUnsafe,
}

/// A kind of input a rule document has a Bad example in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputFormat {
    Terraform,
    Arm,
    Bicep,
    Kubernetes,
    Dockerfile,
    Pipeline,
}

/// The guidance's attack surface a rule guards (build, registry, cluster, node,
/// application), or `engine` for the engine's own diagnostics. The rule document's metadata
/// line (`**Surface:** node`) is the one place it is written; see README "Surfaces".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Surface {
    Build,
    Registry,
    Cluster,
    Node,
    Application,
    Engine,
}

impl Surface {
    pub const ALL: [Surface; 6] = [
        Surface::Build,
        Surface::Registry,
        Surface::Cluster,
        Surface::Node,
        Surface::Application,
        Surface::Engine,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Surface::Build => "build",
            Surface::Registry => "registry",
            Surface::Cluster => "cluster",
            Surface::Node => "node",
            Surface::Application => "application",
            Surface::Engine => "engine",
        }
    }

    pub fn parse(text: &str) -> Option<Surface> {
        Surface::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The row of a rule or engine diagnostic, by ID (any case) or slug.
pub fn find(id: &str) -> Option<&'static Meta> {
    DOCUMENTED
        .iter()
        .copied()
        .find(|m| m.id.eq_ignore_ascii_case(id) || m.slug == id)
}

/// The surface of a rule or engine diagnostic, by ID or slug.
pub fn surface(id: &str) -> Option<Surface> {
    find(id).map(|m| m.surface)
}

include!(concat!(env!("OUT_DIR"), "/catalogue.rs"));
