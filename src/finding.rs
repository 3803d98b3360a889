use crate::severity::Severity;
use crate::source::Loc;

/// One reported problem. Locations stay byte spans until a reporter renders them.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    pub message: String,
    pub at: Loc,
    /// Text of the primary label ("set to false here", "absent: defaults to ...").
    pub label: String,
    /// Secondary locations: where a value came from ("variable default").
    pub notes: Vec<(Loc, String)>,
    pub help: String,
    pub resource: String,
    pub landing_zone: Option<String>,
    /// The helm template or `.bicep` file the finding really belongs to.
    pub source: Option<String>,
    pub suppressed: bool,
    /// Why it is suppressed: the reason written with the suppression, or "baseline".
    pub suppression: Option<String>,
    /// What would resolve it, rendered into edits at the edge (`fix::render`).
    pub remedy: Option<crate::fix::Remedy>,
}

impl Finding {
    /// Attach a rule's remedy (none when a change cannot be expressed as a literal).
    pub fn with_remedy(mut self, remedy: Option<crate::fix::Remedy>) -> Finding {
        self.remedy = remedy;
        self
    }
}
