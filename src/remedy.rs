//! What a rule asks for to resolve a finding (a [`Remedy`]: these fields should hold these
//! literals), kept with the finding. It is data only, below every stage: `fix` renders it
//! into edits in the file's own syntax, because only the edge has the source text.

use crate::origin::Origin;
use crate::source::Loc;
use std::sync::Arc;

/// A literal a remedy asks for, rendered by each syntax in its own way.
#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Bool(bool),
    Str(String),
}

impl From<bool> for Literal {
    fn from(value: bool) -> Literal {
        Literal::Bool(value)
    }
}

impl Literal {
    pub fn str(text: &str) -> Literal {
        Literal::Str(text.to_string())
    }
}

/// Where a change lands.
#[derive(Clone, Debug, PartialEq)]
pub enum Target {
    /// The attribute is written: `at` spans `key = value` (or `"key": value`, `key: value`,
    /// or the value alone where a finding is reported at a module call); `written` is
    /// where the value is, when a variable or parameter carried it from elsewhere, and
    /// `origin` how it got to the attribute.
    Written {
        at: Loc,
        written: Option<Loc>,
        origin: Option<Arc<Origin>>,
    },
    /// The attribute is absent: add `path` (dotted, as spelled in this format) to the block
    /// or object that starts at `anchor`, creating the missing intermediate blocks.
    Absent { anchor: Loc, path: String },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Change {
    pub target: Target,
    pub value: Literal,
}

impl Change {
    /// Replace the value of the entry written at `at` (`key: value`).
    pub fn written(at: Loc, value: Literal) -> Change {
        Change {
            target: Target::Written {
                at,
                written: None,
                origin: None,
            },
            value,
        }
    }

    /// Add `path` below the mapping entry (or block) at `anchor`.
    pub fn absent(anchor: Loc, path: &str, value: Literal) -> Change {
        Change {
            target: Target::Absent {
                anchor,
                path: path.to_string(),
            },
            value,
        }
    }
}

/// What a rule asks for to resolve one finding: every change it needs, so applying the fix
/// really makes the finding go away (AKS009 needs both workload identity and OIDC).
#[derive(Clone, Debug, PartialEq)]
pub struct Remedy {
    pub title: String,
    pub changes: Vec<Change>,
    /// Why the author must look before applying, even where the value is a literal (the
    /// change is rejected by Azure without another one): makes the fix unsafe at best.
    pub review: Option<&'static str>,
}

impl Remedy {
    /// None when any change cannot be expressed: a partial fix would leave the finding.
    pub fn new(title: impl Into<String>, changes: Vec<Option<Change>>) -> Option<Remedy> {
        let changes: Option<Vec<Change>> = changes.into_iter().collect();
        let changes = changes?;
        (!changes.is_empty()).then(|| Remedy {
            title: title.into(),
            changes,
            review: None,
        })
    }

    pub fn needs_review(mut self, reason: &'static str) -> Remedy {
        self.review = Some(reason);
        self
    }
}
