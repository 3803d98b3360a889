//! The evaluated value tree every format adapter produces. Each node remembers where it was
//! written (`loc`) and, when it travelled through a variable or parameter, what that was
//! (`origin`), so a finding can say "variable default at variables.tf:12"; an unknown value
//! also remembers which resource attribute it reads (`referent`), so links between
//! resources follow it wherever it travelled.

pub use crate::origin::{Origin, Referent};
use crate::source::Loc;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    pub kind: Kind,
    /// Where this value is written in the source (for computed values: the expression).
    pub loc: Option<Loc>,
    /// How the value reached its use: a variable default, a parameter file, a module
    /// argument... (None for a literal written where it is used).
    pub origin: Option<Arc<Origin>>,
    /// Unknown values only: the resource attribute it stands for, when known.
    pub referent: Option<Arc<Referent>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<Value>),
    Map(Vec<Entry>),
    /// Cannot be known offline; holds the expression text (e.g. `azurerm_kubernetes_cluster.aks.id`).
    Unknown(String),
}

/// One attribute, property or nested block. Keys may repeat (repeated HCL blocks).
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: String,
    /// The whole attribute (`key = value`), property (`"key": value`) or block header.
    pub key_loc: Option<Loc>,
    pub value: Value,
}

impl Value {
    pub fn new(kind: Kind, loc: Option<Loc>) -> Value {
        Value {
            kind,
            loc,
            origin: None,
            referent: None,
        }
    }
    pub fn null() -> Value {
        Value::new(Kind::Null, None)
    }
    /// Unknown as `expr`, of which at most [`MAX_UNKNOWN_TEXT`] bytes are kept: the text
    /// only names what is unknown, and a hostile file's expressions can be megabytes long.
    pub fn unknown(expr: impl Into<String>, loc: Option<Loc>) -> Value {
        let mut text = expr.into();
        if text.len() > MAX_UNKNOWN_TEXT {
            let mut end = MAX_UNKNOWN_TEXT;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            text.push('…');
            text.shrink_to_fit();
        }
        Value::new(Kind::Unknown(text), loc)
    }
    pub fn string(s: impl Into<String>, loc: Option<Loc>) -> Value {
        Value::new(Kind::String(s.into()), loc)
    }
    pub fn bool(b: bool, loc: Option<Loc>) -> Value {
        Value::new(Kind::Bool(b), loc)
    }
    pub fn number(n: f64, loc: Option<Loc>) -> Value {
        Value::new(Kind::Number(n), loc)
    }
    pub fn list(items: Vec<Value>, loc: Option<Loc>) -> Value {
        Value::new(Kind::List(items), loc)
    }
    pub fn map(entries: Vec<Entry>, loc: Option<Loc>) -> Value {
        Value::new(Kind::Map(entries), loc)
    }
    /// An unknown value that stands for `referent` (a resource's `id`, ...).
    pub fn unknown_referring(
        expr: impl Into<String>,
        loc: Option<Loc>,
        referent: Referent,
    ) -> Value {
        Value {
            referent: Some(Arc::new(referent)),
            ..Value::unknown(expr, loc)
        }
    }
    pub fn with_origin(mut self, origin: Origin) -> Value {
        self.origin = Some(Arc::new(origin));
        self
    }
    /// Sets the origin unless the value already travelled some other way.
    pub fn with_origin_if_none(mut self, origin: impl FnOnce() -> Origin) -> Value {
        if self.origin.is_none() {
            self.origin = Some(Arc::new(origin()));
        }
        self
    }
    pub fn at(mut self, loc: Option<Loc>) -> Value {
        self.loc = loc;
        self
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, Kind::Unknown(_))
    }
    pub fn is_null(&self) -> bool {
        matches!(self.kind, Kind::Null)
    }
    /// True when the value or anything inside it is unknown.
    pub fn has_unknown(&self) -> bool {
        match &self.kind {
            Kind::Unknown(_) => true,
            Kind::List(items) => items.iter().any(Value::has_unknown),
            Kind::Map(entries) => entries.iter().any(|e| e.value.has_unknown()),
            _ => false,
        }
    }

    /// Booleans, and the strings "true"/"false" (Terraform converts; ARM add-on configs use strings).
    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            Kind::Bool(b) => Some(*b),
            Kind::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Kind::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_number(&self) -> Option<f64> {
        match &self.kind {
            Kind::Number(n) => Some(*n),
            Kind::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
    pub fn as_list(&self) -> Option<&[Value]> {
        match &self.kind {
            Kind::List(items) => Some(items),
            _ => None,
        }
    }
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            Kind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// Scalar rendered as text (numbers without a trailing `.0`), as Terraform's tostring does.
    pub fn to_text(&self) -> Option<String> {
        match &self.kind {
            Kind::String(s) => Some(s.clone()),
            Kind::Bool(b) => Some(b.to_string()),
            Kind::Number(n) => Some(format_number(*n)),
            _ => None,
        }
    }

    /// First entry with this exact key.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key == key)
    }
    /// First entry whose key matches ignoring ASCII case (ARM property names).
    pub fn entry_ci(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.eq_ignore_ascii_case(key))
    }
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entry(key).map(|e| &e.value)
    }
    pub fn get_ci(&self, key: &str) -> Option<&Value> {
        self.entry_ci(key).map(|e| &e.value)
    }
    /// All entries with this exact key (repeated blocks).
    pub fn entries<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.as_map()
            .unwrap_or(&[])
            .iter()
            .filter(move |e| e.key == key)
    }

    /// The value as plain JSON, unknowns as null (for debugging and `json()` round trips).
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "bool",
            Kind::Number(_) => "number",
            Kind::String(_) => "string",
            Kind::List(_) => "list",
            Kind::Map(_) => "object",
            Kind::Unknown(_) => "unknown",
        }
    }
}

/// The most of an unknown value's expression text kept (see [`Value::unknown`]).
pub const MAX_UNKNOWN_TEXT: usize = 1024;

pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// Lazily evaluated named values (ARM and Bicep parameters, variables, references), each
/// computed once; a name asked for while it is being computed is a cycle, and unknown.
pub struct Memo<K> {
    slots: RefCell<std::collections::HashMap<K, Option<Value>>>,
}

impl<K> Default for Memo<K> {
    fn default() -> Memo<K> {
        Memo {
            slots: Default::default(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Memo<K> {
    /// The value of `key`, computed by `compute` the first time. None while it is being
    /// computed (a cycle), and when `compute` gives up (nothing is remembered then).
    pub fn resolve(&self, key: K, compute: impl FnOnce() -> Option<Value>) -> Option<Value> {
        if let Some(slot) = self.slots.borrow().get(&key) {
            return slot.clone();
        }
        self.slots.borrow_mut().insert(key.clone(), None);
        let value = compute();
        match &value {
            Some(v) => {
                self.slots.borrow_mut().insert(key, Some(v.clone()));
            }
            None => {
                self.slots.borrow_mut().remove(&key);
            }
        }
        value
    }
}

/// The evaluation budget one root (a Terraform root, an ARM template, a Bicep file and
/// everything it calls) shares, the same for every evaluator. It bounds two things:
///
/// - **Value size.** No computed value may exceed [`MAX_VALUE`] units (see [`weight`]):
///   65,536 elements or 4 MiB of text. Doubling a string or list in a chain of variables
///   stops there instead of asking for gigabytes.
/// - **Work.** Every expression step, every value node produced or copied and every 64
///   bytes of text is a unit. Each expression (a resource property, a variable, a local,
///   a parameter default) gets its own allowance of [`EXPRESSION_WORK`] units, out of
///   [`ROOT_WORK`] for the whole root; once the root's work is spent each further
///   expression still gets [`LATE_EXPRESSION_WORK`], up to [`HARD_WORK`] in all.
///
/// Every root of a scan also draws on one [`ScanBudget`], so that a scan of many roots
/// that each spend their whole budget is bounded in time and memory as one root is.
///
/// Literals are never charged, so a value written in the file is always known however
/// much work the rest of the root (or the scan) did; what runs out makes only the
/// expression that ran out unknown, and that expression is reported ([`Budget::take_stops`]).
pub struct Budget {
    spent: Cell<u64>,
    /// The current expression's work so far and allowance (None outside any expression).
    frame: Cell<Option<Frame>>,
    stops: RefCell<Vec<Stop>>,
    /// Stops not kept (past [`MAX_STOPS`], or past the scan's [`SCAN_STOPS`]).
    more_stops: Cell<usize>,
    /// Resource instances produced so far, against [`MAX_RESOURCES`].
    resources: Cell<usize>,
    scan: Arc<ScanBudget>,
    /// Work and kept units not yet added to the scan's (added in batches: the scan's
    /// counters are shared between threads).
    unflushed_work: Cell<u64>,
    unflushed_kept: Cell<u64>,
}

#[derive(Clone, Copy)]
struct Frame {
    used: u64,
    allowance: u64,
    /// The allowance is what the scan had left, less than the root would give.
    by_scan: bool,
}

/// Units of value size and work: one per node, one per 64 bytes of text.
pub const TEXT_BYTES_PER_UNIT: usize = 64;
/// The largest value an expression may compute, in units.
pub const MAX_VALUE: usize = 1 << 16;
/// The work one expression may do while the root's work lasts.
pub const EXPRESSION_WORK: u64 = 1_000_000;
/// The work one root may do before expressions get only [`LATE_EXPRESSION_WORK`].
pub const ROOT_WORK: u64 = 8_000_000;
/// The work one expression may do once [`ROOT_WORK`] is spent: enough for references and
/// small function calls, so one runaway file cannot make another resource unknown.
pub const LATE_EXPRESSION_WORK: u64 = 10_000;
/// Past this, only literals are evaluated (and loops of blocks, dynamic blocks and module
/// instances stop).
pub const HARD_WORK: u64 = ROOT_WORK + 2_000_000;
/// Resource instances one root may produce, loops, nested deployments and modules together.
pub const MAX_RESOURCES: usize = 20_000;
/// Evaluation limits reported per root; the rest are counted in one last message.
const MAX_STOPS: usize = 20;

/// The work every root of a scan may do together before expressions get only
/// [`LATE_EXPRESSION_WORK`]: eight roots' worth, a few seconds, many times what the
/// largest real scans spend.
pub const SCAN_WORK: u64 = 8 * ROOT_WORK;
/// Past this much work in the scan, only literals are evaluated.
pub const SCAN_HARD_WORK: u64 = SCAN_WORK + 2 * ROOT_WORK;
/// The evaluated values a scan keeps, in units (see [`weight`]): expression results and
/// the instances loops copy. At most about 256 MiB of text or 1 GiB of value nodes; past
/// it only literals are evaluated and loops produce no further copies.
pub const SCAN_KEPT: u64 = 4_000_000;
/// Evaluation limits listed across a scan; the rest are counted in one message
/// ([`ScanBudget::unlisted`]).
pub const SCAN_STOPS: usize = 2_000;
/// Units a root adds to the scan's counters at a time.
const FLUSH_UNITS: u64 = 1 << 16;

/// What every root of one scan shares, whichever thread evaluates it: the work done, the
/// evaluated values kept and the evaluation limits listed. Which roots get the last of
/// it depends on the order they are evaluated in; every root still evaluates its
/// literals, and what was not evaluated is reported.
#[derive(Default, Debug)]
pub struct ScanBudget {
    work: AtomicU64,
    kept: AtomicU64,
    listed_stops: AtomicUsize,
    unlisted_stops: AtomicUsize,
    unlisted_roots: AtomicUsize,
    /// Module files instantiated so far: a module called again (from any root) is a copy.
    modules: std::sync::Mutex<std::collections::HashSet<crate::source::FileId>>,
    /// Module files parsed again for evaluation (their trees were not kept for the scan).
    parsed_again: std::sync::Mutex<std::collections::HashSet<crate::source::FileId>>,
}

impl ScanBudget {
    pub fn new() -> Arc<ScanBudget> {
        Arc::new(ScanBudget::default())
    }

    /// The allowance a new expression gets from the scan.
    fn allowance(&self) -> u64 {
        if self.kept_spent() {
            return 0;
        }
        let work = self.work.load(Ordering::Relaxed);
        if work < SCAN_WORK {
            EXPRESSION_WORK
                .min(SCAN_WORK - work)
                .max(LATE_EXPRESSION_WORK)
        } else if work < SCAN_HARD_WORK {
            LATE_EXPRESSION_WORK
        } else {
            0
        }
    }

    fn kept_spent(&self) -> bool {
        self.kept.load(Ordering::Relaxed) > SCAN_KEPT
    }

    /// Takes one listing of an evaluation limit: false past [`SCAN_STOPS`].
    fn list_stop(&self) -> bool {
        self.listed_stops.fetch_add(1, Ordering::Relaxed) < SCAN_STOPS
    }

    /// The work spent and the units kept by the roots evaluated so far.
    pub fn spent(&self) -> (u64, u64) {
        (
            self.work.load(Ordering::Relaxed),
            self.kept.load(Ordering::Relaxed),
        )
    }

    /// The message for the evaluation limits not listed (past [`SCAN_STOPS`]), if any.
    pub fn unlisted(&self) -> Option<String> {
        let stops = self.unlisted_stops.load(Ordering::Relaxed);
        let roots = self.unlisted_roots.load(Ordering::Relaxed);
        (stops > 0).then(|| {
            format!(
                "evaluation limit: {stops} more expressions in {roots} roots (Terraform \
                 directories, ARM templates, Bicep files) stopped at evaluation limits and are \
                 not listed: a scan lists at most {SCAN_STOPS}; what they compute is unknown, \
                 so rules that read it cannot decide (scan fewer paths at a time to see them)"
            )
        })
    }
}

/// An expression that evaluation stopped at: reported as AG001 at `loc`.
#[derive(Clone, Debug, PartialEq)]
pub struct Stop {
    pub loc: Loc,
    pub message: String,
}

/// Why a value was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// Larger than [`MAX_VALUE`].
    TooLarge,
    /// The expression's (or, outside expressions, the root's) work is spent.
    Exhausted,
    /// Nested deeper than the evaluator follows (the depth it stops at).
    TooDeep(usize),
    /// A function that compares every element with every other was given more than this
    /// many.
    TooManyToCompare(usize),
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::new()
    }
}

impl Budget {
    /// A budget for one root evaluated on its own (a scan of its own).
    pub fn new() -> Budget {
        Budget::within(ScanBudget::new())
    }

    /// A budget for one root of the scan `scan`.
    pub fn within(scan: Arc<ScanBudget>) -> Budget {
        Budget {
            spent: Cell::new(0),
            frame: Cell::new(None),
            stops: RefCell::new(Vec::new()),
            more_stops: Cell::new(0),
            resources: Cell::new(0),
            scan,
            unflushed_work: Cell::new(0),
            unflushed_kept: Cell::new(0),
        }
    }

    /// Counts one resource instance (a `count`/`copy`/loop instance, a nested deployment's
    /// resource, a module's resource); false past [`MAX_RESOURCES`]: the caller stops
    /// producing them and says so ([`resources_message`]). Not limited by work: a resource
    /// whose properties are literals is checked however much work the rest of the root did.
    pub fn resource(&self) -> bool {
        let n = self.resources.get() + 1;
        self.resources.set(n);
        n <= MAX_RESOURCES
    }

    /// May a loop (or a module called more than once) produce another copy of what it
    /// produced once already? False once the scan's kept values ([`SCAN_KEPT`]) are spent:
    /// the caller stops and says so ([`copies_message`]). The first instance of everything
    /// written is always produced: it is bounded by the input.
    pub fn copy(&self) -> bool {
        !self.scan.kept_spent()
    }

    /// True the first time the scan instantiates the module whose first file is `file`;
    /// its later instances are copies (see [`Budget::copy`]).
    pub fn first_use(&self, file: crate::source::FileId) -> bool {
        let mut modules = self
            .scan
            .modules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        modules.insert(file)
    }

    /// True the first time the scan parses the module file `file` again (its syntax tree was
    /// not kept): once per file is what the scan would have parsed anyway; a caller charges
    /// the later parses as work.
    pub fn first_parse(&self, file: crate::source::FileId) -> bool {
        let mut parsed = self
            .scan
            .parsed_again
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        parsed.insert(file)
    }

    /// Counts `value` as kept for the rest of the scan: an expression's result, or a copy a
    /// loop made.
    pub fn keep(&self, value: &Value) {
        let kept = self.unflushed_kept.get() + weight(value, MAX_VALUE) as u64;
        if kept >= FLUSH_UNITS {
            self.scan.kept.fetch_add(kept, Ordering::Relaxed);
            self.unflushed_kept.set(0);
        } else {
            self.unflushed_kept.set(kept);
        }
    }

    /// Starts evaluating one expression with its own allowance; it ends when the returned
    /// guard is dropped (the enclosing expression's allowance is then in force again, not
    /// charged for this one's work).
    pub fn expression(&self) -> Expression<'_> {
        let spent = self.spent.get();
        let root = if spent < ROOT_WORK {
            EXPRESSION_WORK
                .min(ROOT_WORK - spent)
                .max(LATE_EXPRESSION_WORK)
        } else if spent < HARD_WORK {
            LATE_EXPRESSION_WORK
        } else {
            0
        };
        let scan = self.scan.allowance();
        let outer = self.frame.replace(Some(Frame {
            used: 0,
            allowance: root.min(scan),
            by_scan: scan < root,
        }));
        Expression {
            budget: self,
            outer,
        }
    }

    /// Records `units` of work: false once the current expression's allowance is spent
    /// (outside any expression: once [`HARD_WORK`], or the scan's [`SCAN_HARD_WORK`], is).
    pub fn spend(&self, units: u64) -> bool {
        let spent = self.spent.get().saturating_add(units);
        self.spent.set(spent);
        let unflushed = self.unflushed_work.get().saturating_add(units);
        if unflushed >= FLUSH_UNITS {
            self.scan.work.fetch_add(unflushed, Ordering::Relaxed);
            self.unflushed_work.set(0);
        } else {
            self.unflushed_work.set(unflushed);
        }
        match self.frame.get() {
            Some(mut frame) => {
                frame.used = frame.used.saturating_add(units);
                self.frame.set(Some(frame));
                frame.used <= frame.allowance
            }
            None => !self.past_hard_work(),
        }
    }

    fn past_hard_work(&self) -> bool {
        self.spent.get() > HARD_WORK
            || self.scan.work.load(Ordering::Relaxed) > SCAN_HARD_WORK
            || self.scan.kept_spent()
    }

    /// Is the current expression's allowance (outside expressions, the root's or the
    /// scan's) spent?
    pub fn exhausted(&self) -> bool {
        match self.frame.get() {
            Some(frame) => frame.used > frame.allowance,
            None => self.past_hard_work(),
        }
    }

    /// Charges the work of producing or copying `value`; refuses a value larger than
    /// [`MAX_VALUE`].
    pub fn charge(&self, value: &Value) -> Result<(), Limit> {
        let units = weight(value, MAX_VALUE);
        if !self.spend(units as u64) {
            return Err(Limit::Exhausted);
        }
        if units > MAX_VALUE {
            return Err(Limit::TooLarge);
        }
        Ok(())
    }

    /// A value written as an array or object literal: not charged (its elements are, when
    /// computed), but held to the size limit like any other.
    pub fn check_size(&self, value: &Value) -> Result<(), Limit> {
        if weight(value, MAX_VALUE) > MAX_VALUE {
            return Err(Limit::TooLarge);
        }
        Ok(())
    }

    /// Records that evaluation stopped at `loc` (once per place).
    pub fn stop(&self, loc: Option<Loc>, message: String) {
        let Some(loc) = loc else { return };
        let mut stops = self.stops.borrow_mut();
        if stops.iter().any(|s| s.loc == loc) {
            return;
        }
        if stops.len() >= MAX_STOPS || !self.scan.list_stop() {
            self.more_stops.set(self.more_stops.get() + 1);
            return;
        }
        stops.push(Stop { loc, message });
    }

    /// Records a limit reached by the expression `text` at `loc`, with the standard message
    /// (for work, the scan's when the scan's work or kept values were what ran out).
    pub fn stop_at(&self, loc: Option<Loc>, text: &str, limit: Limit) {
        let by_scan = match self.frame.get() {
            Some(frame) => frame.by_scan,
            None => {
                self.scan.work.load(Ordering::Relaxed) > SCAN_HARD_WORK || self.scan.kept_spent()
            }
        };
        if limit == Limit::Exhausted && by_scan {
            self.stop(loc, scan_limit_message(text));
        } else {
            self.stop(loc, limit_message(text, limit));
        }
    }

    /// The places evaluation stopped at, in the order met; when more than [`MAX_STOPS`]
    /// were met, the last one says how many more. When none could be listed because the
    /// scan listed [`SCAN_STOPS`] already, they are counted in [`ScanBudget::unlisted`].
    pub fn take_stops(&self) -> Vec<Stop> {
        let mut stops = self.stops.take();
        let more = self.more_stops.replace(0);
        if more > 0 {
            match stops.last_mut() {
                Some(last) => last.message.push_str(&format!(
                    " ({more} more expressions stopped at evaluation limits in this root are \
                     not listed)"
                )),
                None => {
                    self.scan.unlisted_stops.fetch_add(more, Ordering::Relaxed);
                    self.scan.unlisted_roots.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        stops
    }
}

impl Drop for Budget {
    fn drop(&mut self) {
        let work = self.unflushed_work.replace(0);
        self.scan.work.fetch_add(work, Ordering::Relaxed);
        let kept = self.unflushed_kept.replace(0);
        self.scan.kept.fetch_add(kept, Ordering::Relaxed);
    }
}

/// The message for an expression left unevaluated because the scan's budget is spent.
pub fn scan_limit_message(text: &str) -> String {
    format!(
        "evaluation limit: `{}` is not evaluated: the scan's evaluation budget (work for about \
         {} expressions, {} MiB of evaluated values) is spent by the roots evaluated before \
         this one; it is left unknown, so rules that read it cannot decide (scan fewer paths \
         at a time, or simplify the loops and functions of the most expensive roots)",
        shorten(text),
        SCAN_WORK / EXPRESSION_WORK,
        (SCAN_KEPT as usize * TEXT_BYTES_PER_UNIT) >> 20
    )
}

/// The message for a loop or module whose further copies are not produced because the
/// scan keeps as many evaluated values as it may.
pub fn copies_message(what: &str) -> String {
    format!(
        "evaluation limit: {what} is not copied further: the scan keeps at most {} MiB of \
         evaluated values, and loops and module instances used them up; its instances past \
         the first ones are not checked (scan fewer paths at a time)",
        (SCAN_KEPT as usize * TEXT_BYTES_PER_UNIT) >> 20
    )
}

/// The message for an expression evaluation stopped at: what happened and what it means.
pub fn limit_message(text: &str, limit: Limit) -> String {
    let expression = shorten(text);
    match limit {
        Limit::TooLarge => format!(
            "evaluation limit: `{expression}` computes a value larger than {} elements or {} MiB \
             of text; it is left unknown, so rules that read it cannot decide (aksguard bounds \
             values to stay fast and safe on hostile input)",
            MAX_VALUE,
            (MAX_VALUE * TEXT_BYTES_PER_UNIT) >> 20
        ),
        Limit::Exhausted => format!(
            "evaluation limit: `{expression}` needs more evaluation work than one expression \
             may do; it is left unknown, so rules that read it cannot decide (aksguard bounds \
             the work of each expression to stay fast on hostile input; simplify the loops \
             or functions it nests)"
        ),
        Limit::TooManyToCompare(most) => format!(
            "evaluation limit: `{expression}` compares every element with every other and is \
             given more than {most}; it is left unknown, so rules that read it cannot decide"
        ),
        Limit::TooDeep(depth) => format!(
            "evaluation limit: `{expression}` nests expressions, names or module calls more \
             than {depth} levels deep; what lies deeper is left unknown, so rules that read it \
             cannot decide"
        ),
    }
}

/// The message for a loop or call whose further resource instances are not produced.
pub fn resources_message(what: &str) -> String {
    format!(
        "evaluation limit: {what} would produce more than {MAX_RESOURCES} resource instances in \
         this root; the instances past the limit are not checked"
    )
}

/// At most 80 characters of an expression's first line, for a message.
pub fn shorten(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    let mut out: String = line.chars().take(80).collect();
    if out.len() < text.trim().len() {
        out.push('…');
    }
    out
}

/// The current expression, while it is being evaluated (see [`Budget::expression`]).
pub struct Expression<'b> {
    budget: &'b Budget,
    outer: Option<Frame>,
}

impl Expression<'_> {
    /// Did this expression spend its allowance?
    pub fn ran_out(&self) -> bool {
        matches!(self.budget.frame.get(), Some(frame) if frame.used > frame.allowance)
    }
}

impl Drop for Expression<'_> {
    fn drop(&mut self) {
        self.budget.frame.set(self.outer);
    }
}

/// A value's size in units: one per node and per 64 bytes of text (keys included), counted
/// only up to a little past `limit`.
pub fn weight(value: &Value, limit: usize) -> usize {
    let text = |s: &str| s.len() / TEXT_BYTES_PER_UNIT;
    let mut stack = match &value.kind {
        Kind::List(_) | Kind::Map(_) => vec![value],
        Kind::String(s) | Kind::Unknown(s) => return 1 + text(s),
        _ => return 1,
    };
    let mut total = 0;
    while let Some(v) = stack.pop() {
        total += 1;
        match &v.kind {
            Kind::String(s) | Kind::Unknown(s) => total += text(s),
            Kind::List(items) => stack.extend(items),
            Kind::Map(entries) => {
                for e in entries {
                    total += text(&e.key);
                    stack.push(&e.value);
                }
            }
            _ => {}
        }
        if total > limit {
            break;
        }
    }
    total
}

thread_local! {
    /// Set by a function that refused to build a value past [`MAX_VALUE`]; the evaluator
    /// that called it reports the call ([`take_refused`]).
    static REFUSED: Cell<Option<Limit>> = const { Cell::new(None) };
}

/// For functions whose result can grow faster than their arguments (`replace`, `join`,
/// `format`, `padLeft`, `range`): `None` (and the refusal remembered) when a result of
/// `bytes` bytes of text and `items` elements would exceed [`MAX_VALUE`].
pub fn room_for(bytes: usize, items: usize) -> Option<()> {
    let units = (bytes / TEXT_BYTES_PER_UNIT).saturating_add(items);
    if units > MAX_VALUE {
        REFUSED.with(|r| r.set(Some(Limit::TooLarge)));
        return None;
    }
    Some(())
}

/// For functions that compare every element with every other: `None` (and the refusal
/// remembered) when given more than `most` elements.
pub fn few_enough_to_compare(elements: usize, most: usize) -> Option<()> {
    if elements > most {
        REFUSED.with(|r| r.set(Some(Limit::TooManyToCompare(most))));
        return None;
    }
    Some(())
}

/// The limit a function refused a result for since the last call, if any (clears it).
pub fn take_refused() -> Option<Limit> {
    REFUSED.with(|r| r.replace(None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expression_that_runs_out_does_not_spend_the_next_ones_allowance() {
        let budget = Budget::new();
        {
            let _first = budget.expression();
            assert!(!budget.spend(EXPRESSION_WORK + 1));
            assert!(budget.exhausted());
        }
        let second = budget.expression();
        assert!(budget.spend(1000));
        assert!(!second.ran_out());
    }

    #[test]
    fn past_the_roots_work_expressions_still_get_a_small_allowance_then_none() {
        let budget = Budget::new();
        while budget.spent.get() < ROOT_WORK {
            let _e = budget.expression();
            budget.spend(EXPRESSION_WORK + 1);
        }
        {
            let _late = budget.expression();
            assert!(budget.spend(LATE_EXPRESSION_WORK));
            assert!(!budget.spend(1));
        }
        budget.spent.set(HARD_WORK);
        let _none = budget.expression();
        assert!(!budget.spend(1));
        // Resources are still produced (their literals are known).
        assert!(budget.resource());
    }

    #[test]
    fn values_past_the_size_limit_are_refused() {
        let budget = Budget::new();
        let text = "x".repeat(MAX_VALUE * TEXT_BYTES_PER_UNIT);
        assert_eq!(
            budget.charge(&Value::string(text, None)),
            Err(Limit::TooLarge)
        );
        let items = vec![Value::null(); MAX_VALUE];
        assert_eq!(
            budget.check_size(&Value::list(items, None)),
            Err(Limit::TooLarge)
        );
        assert_eq!(room_for(MAX_VALUE * TEXT_BYTES_PER_UNIT + 64, 0), None);
        assert_eq!(take_refused(), Some(Limit::TooLarge));
        assert_eq!(take_refused(), None);
        assert_eq!(few_enough_to_compare(10, 9), None);
        assert_eq!(take_refused(), Some(Limit::TooManyToCompare(9)));
    }

    #[test]
    fn stops_are_kept_once_per_place_and_counted_past_the_limit() {
        let budget = Budget::new();
        budget.stop_at(Some(Loc::new(0, 0, 1)), "x", Limit::Exhausted);
        for i in 0..(MAX_STOPS + 5) {
            let loc = Some(Loc::new(0, i, i + 1));
            budget.stop_at(loc, "x", Limit::Exhausted);
        }
        let stops = budget.take_stops();
        assert_eq!(stops.len(), MAX_STOPS);
        assert!(stops[MAX_STOPS - 1].message.contains("5 more expressions"));
    }

    #[test]
    fn the_roots_of_a_scan_share_its_work() {
        let scan = ScanBudget::new();
        let first = Budget::within(scan.clone());
        let second = Budget::within(scan.clone());
        {
            let _e = first.expression();
            first.spend(SCAN_WORK);
        }
        drop(first);
        // Past the scan's work, a root that did nothing yet gets the small allowance...
        {
            let late = second.expression();
            assert!(second.spend(LATE_EXPRESSION_WORK));
            assert!(!second.spend(1));
            assert!(late.ran_out());
        }
        // ...and past its hard limit, none: the expression is reported as the scan's.
        Budget::within(scan.clone()).spend(SCAN_HARD_WORK);
        {
            let _none = second.expression();
            assert!(!second.spend(1));
            second.stop_at(Some(Loc::new(0, 0, 1)), "local.x", Limit::Exhausted);
        }
        let stops = second.take_stops();
        assert!(
            stops[0].message.contains("the scan's evaluation budget"),
            "{stops:?}"
        );
        // Literals are never charged, so they need no allowance; copies stop only at the
        // kept values' limit.
        assert!(second.copy());
    }

    #[test]
    fn a_scan_keeps_a_bounded_amount_of_evaluated_values() {
        let scan = ScanBudget::new();
        let budget = Budget::within(scan.clone());
        let text = Value::string("x".repeat(MAX_VALUE * TEXT_BYTES_PER_UNIT - 64), None);
        let mut kept = 0;
        while budget.copy() {
            budget.keep(&text);
            kept += 1;
        }
        // Within one flush of the limit.
        assert_eq!(kept as u64, SCAN_KEPT / MAX_VALUE as u64 + 1);
        let _e = budget.expression();
        assert!(!budget.spend(1));
        assert!(!Budget::within(scan).copy());
    }

    #[test]
    fn a_scan_lists_a_bounded_number_of_stops_and_counts_the_rest() {
        let scan = ScanBudget::new();
        let mut listed = 0;
        for root in 0..(SCAN_STOPS / MAX_STOPS + 3) {
            let budget = Budget::within(scan.clone());
            for i in 0..MAX_STOPS {
                budget.stop_at(Some(Loc::new(root as u32, i, i + 1)), "x", Limit::Exhausted);
            }
            listed += budget.take_stops().len();
        }
        assert_eq!(listed, SCAN_STOPS);
        let message = scan.unlisted().unwrap();
        assert!(
            message.contains(&format!("{} more expressions in 3 roots", 3 * MAX_STOPS)),
            "{message}"
        );
        assert!(ScanBudget::new().unlisted().is_none());
    }

    #[test]
    fn a_module_file_is_used_first_once_per_scan() {
        let scan = ScanBudget::new();
        assert!(Budget::within(scan.clone()).first_use(7));
        assert!(!Budget::within(scan.clone()).first_use(7));
        assert!(Budget::within(scan).first_use(8));
    }

    #[test]
    fn unknown_values_keep_a_bounded_part_of_their_text() {
        let long = format!("local.{}", "é".repeat(MAX_UNKNOWN_TEXT));
        let Kind::Unknown(text) = Value::unknown(long.clone(), None).kind else {
            panic!("not unknown");
        };
        assert!(text.len() <= MAX_UNKNOWN_TEXT + '…'.len_utf8());
        assert!(text.ends_with('…') && long.starts_with(text.trim_end_matches('…')));
        let short = Value::unknown("var.x", None);
        assert_eq!(short.kind, Kind::Unknown("var.x".to_string()));
    }
}
