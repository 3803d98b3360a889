//! `aksguard.toml`: the project configuration (DESIGN §5, §6).
//!
//! The file is parsed into `toml`'s spanned document tree and validated by hand rather than
//! through `#[derive(Deserialize)]`: serde stops at the first unknown field without saying
//! where the key is or what was meant, and AG004 has to name the line, the column and the
//! closest valid key.

use crate::severity::Severity;
use globset::{GlobBuilder, GlobMatcher, GlobSet, GlobSetBuilder};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use toml::de::{DeString, DeTable, DeValue};
use toml::Spanned;

/// The name `find` looks for.
pub const FILE_NAME: &str = "aksguard.toml";

/// Every value `archetype` accepts. The Cloud Adoption Framework management-group
/// archetypes; only corp, online and sandbox change what the rules expect.
pub const ARCHETYPES: &[&str] = &[
    "corp",
    "online",
    "sandbox",
    "platform",
    "connectivity",
    "identity",
    "management",
    "decommissioned",
];

const TOP_KEYS: &[&str] = &[
    "fail-on",
    "select",
    "ignore",
    "exclude",
    "severity",
    "kubernetes",
    "api-server",
    "cluster",
    "build",
    "landing-zone",
    "suppress",
    "governance",
];
const KUBERNETES_KEYS: &[&str] = &[
    "allowed-registries",
    "minimum-version",
    "sensitivity-label",
    "sensitive-values",
];
const BUILD_KEYS: &[&str] = &["non-root-bases", "scanners"];
const API_SERVER_KEYS: &[&str] = &["min-prefix-length", "require-private"];
const CLUSTER_KEYS: &[&str] = &["require-egress-control"];
const ZONE_KEYS: &[&str] = &["name", "paths", "archetype", "subscription"];
const SUPPRESS_KEYS: &[&str] = &["rule", "resource", "reason", "expires"];
const GOVERNANCE_KEYS: &[&str] = &["unsuppressible"];

#[derive(Clone, Debug)]
pub struct Config {
    /// The file the configuration came from; `None` for the built-in defaults.
    pub path: Option<PathBuf>,
    /// Absolute directory that `exclude` and landing-zone `paths` are relative to: the
    /// config file's directory, or the scan root when there is no file.
    pub root: PathBuf,
    /// Lowest severity that makes the exit code 1. Defaults to `low`: every finding fails
    /// the run except `info`, which stays advisory. Ruff and Checkov fail on any finding;
    /// we keep `info` out because the only info findings (DEF004 cost advice, AG003
    /// "cannot verify") are explicitly not defects. `fail-on = "info"` restores the
    /// fail-on-everything behaviour.
    pub fail_on: Severity,
    /// Rule IDs or prefixes (`AKS`, `K8S0`, `ACR004`, or `ALL`); empty = every rule.
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    /// Glob patterns relative to `root`, as written.
    pub exclude: Vec<String>,
    /// Per-rule severity overrides, keyed by exact rule ID.
    pub severity: BTreeMap<String, Severity>,
    pub kubernetes: KubernetesConfig,
    pub api_server: ApiServerConfig,
    pub cluster: ClusterConfig,
    pub build: BuildConfig,
    /// The zones the file declares, in file order. Empty when none are declared; files no
    /// zone claims belong to the implicit zone named by `default_zone_name`.
    pub landing_zones: Vec<LandingZone>,
    pub suppress: Vec<Suppression>,
    pub governance: Governance,
    exclude_set: GlobSet,
    /// All zones' patterns in one set (pattern index -> zone index), built on first use:
    /// one match per path instead of one per zone, which matters with hundreds of zones.
    zone_set: std::sync::OnceLock<(GlobSet, Vec<usize>)>,
    /// Every rule ID or prefix the file mentions, kept with its position so that
    /// `check_rule_ids` can report an unknown rule where it is written.
    rule_refs: Vec<RuleRef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubernetesConfig {
    /// `None`: the registries the zone declares plus `mcr.microsoft.com` (RULES K8S010).
    /// Entries are lower-cased hosts (optionally `host:port`) or `*.suffix`.
    pub allowed_registries: Option<Vec<String>>,
    /// `"1.NN"`; `None`: the embedded support table decides.
    pub minimum_version: Option<String>,
    pub sensitivity_label: String,
    pub sensitive_values: Vec<String>,
}

impl Default for KubernetesConfig {
    fn default() -> Self {
        KubernetesConfig {
            allowed_registries: None,
            minimum_version: None,
            sensitivity_label: "aksguard.io/sensitivity".to_string(),
            sensitive_values: vec![
                "high".to_string(),
                "confidential".to_string(),
                "restricted".to_string(),
            ],
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildConfig {
    /// Globs of base images that run as a non-root user (BLD001), matched against the
    /// reference as written and fully qualified (`docker.io/library/...`), digest removed.
    pub non_root_bases: Vec<String>,
    /// Extra scan actions, tasks or commands that count as an image scan (BLD007).
    pub scanners: Vec<String>,
}

/// Tags naming a non-root variant, and Microsoft's chiseled Ubuntu images (they run as
/// the `app` user, UID 1654).
pub const DEFAULT_NON_ROOT_BASES: &[&str] = &["*:*nonroot*", "mcr.microsoft.com/*:*chiseled*"];

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            non_root_bases: DEFAULT_NON_ROOT_BASES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            scanners: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiServerConfig {
    /// Authorized IP ranges with a shorter prefix than this are too broad (AKS002).
    pub min_prefix_length: u8,
    /// Every cluster must be private, whatever its zone (AKS003).
    pub require_private: bool,
}

impl Default for ApiServerConfig {
    fn default() -> Self {
        ApiServerConfig {
            min_prefix_length: 16,
            require_private: false,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterConfig {
    /// Every cluster's egress must go through a firewall or appliance, whatever its zone
    /// (AKS021; `corp` zones require it anyway).
    pub require_egress_control: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Archetype {
    Corp,
    Online,
    Sandbox,
    /// platform, connectivity, identity, management or decommissioned: accepted so a
    /// whole Enterprise-Scale tree can be described, but no rule treats them specially.
    Other(String),
}

impl Archetype {
    pub fn as_str(&self) -> &str {
        match self {
            Archetype::Corp => "corp",
            Archetype::Online => "online",
            Archetype::Sandbox => "sandbox",
            Archetype::Other(name) => name,
        }
    }

    fn parse(name: &str) -> Option<Archetype> {
        Some(match name {
            "corp" => Archetype::Corp,
            "online" => Archetype::Online,
            "sandbox" => Archetype::Sandbox,
            _ if ARCHETYPES.contains(&name) => Archetype::Other(name.to_string()),
            _ => return None,
        })
    }
}

impl fmt::Display for Archetype {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug)]
pub struct LandingZone {
    pub name: String,
    /// Glob patterns relative to the config root, as written.
    pub paths: Vec<String>,
    pub archetype: Archetype,
    /// Lower-cased, because Azure compares subscription IDs case-insensitively.
    pub subscription: Option<String>,
    /// 1-based line of the `[[landing-zone]]` header.
    pub line: usize,
}

#[derive(Clone, Debug)]
pub struct Suppression {
    /// An exact rule ID.
    pub rule: String,
    /// Resource address pattern: `*` matches any run of characters, `?` one character,
    /// everything else is literal (so `type.name["key"]` and `[0]` need no escaping).
    /// Compared case-insensitively because ARM resource types are.
    pub resource: String,
    pub reason: String,
    /// `YYYY-MM-DD`; the suppression stops applying after this day.
    pub expires: Option<String>,
    /// 1-based line of the `[[suppress]]` header, where AG002 points.
    pub line: usize,
    pub column: usize,
    matcher: GlobMatcher,
}

impl Suppression {
    pub fn matches(&self, rule: &str, resource: &str) -> bool {
        self.rule == rule && self.matcher.is_match(resource)
    }

    /// `today` is `YYYY-MM-DD` (see `today_utc`); the expiry day itself still counts.
    pub fn is_expired(&self, today: &str) -> bool {
        self.expires.as_deref().is_some_and(|day| day < today)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Governance {
    /// Rule IDs or prefixes that no inline or config suppression may hide.
    pub unsuppressible: Vec<String>,
}

/// A problem in `aksguard.toml` (AG004).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the error is about the whole file (it cannot be read).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    pub message: String,
    /// Byte range of the offending key or value, for miette labels and the LSP.
    pub span: Option<Range<usize>>,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for ConfigError {}

#[derive(Clone, Debug)]
struct RuleRef {
    text: String,
    /// Exact IDs must name a rule; selectors only need to be a prefix of one.
    exact: bool,
    line: usize,
    column: usize,
    span: Range<usize>,
}

impl Config {
    /// The configuration used when no `aksguard.toml` exists. `root` is the scan root (a
    /// file's directory when a single file is scanned).
    pub fn default_for(root: &Path) -> Config {
        let root = absolute(root);
        let root = if root.is_file() {
            root.parent().map(Path::to_path_buf).unwrap_or(root)
        } else {
            root
        };
        Config {
            path: None,
            root,
            fail_on: Severity::Low,
            select: Vec::new(),
            ignore: Vec::new(),
            exclude: Vec::new(),
            severity: BTreeMap::new(),
            kubernetes: KubernetesConfig::default(),
            api_server: ApiServerConfig::default(),
            cluster: ClusterConfig::default(),
            build: BuildConfig::default(),
            landing_zones: Vec::new(),
            suppress: Vec::new(),
            governance: Governance::default(),
            exclude_set: GlobSet::empty(),
            zone_set: std::sync::OnceLock::new(),
            rule_refs: Vec::new(),
        }
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::input::read_text(path).map_err(|error| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {error}"),
            span: None,
        })?;
        Config::parse(&text, path)
    }

    /// Parses `text` as if it were the file at `path` (which need not exist); the LSP uses
    /// this for an unsaved editor buffer.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let doc = Doc::new(path, text);
        let table = DeTable::parse(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            let at = broken_at(text, span.start, error.message());
            let span = if at == span.start { span } else { at..at };
            doc.error(span, format!("invalid TOML: {}", error.message()))
        })?;
        let root = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => absolute(dir),
            _ => absolute(Path::new(".")),
        };
        let mut config = Config::default_for(&root);
        config.path = Some(path.to_path_buf());
        doc.fill(&mut config, table.get_ref())?;
        Ok(config)
    }

    /// Walks up from `start` (a directory, or a file's directory) to the filesystem root
    /// and returns the first `aksguard.toml`.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = absolute(start);
        let dir = if start.is_dir() {
            start.as_path()
        } else {
            start.parent()?
        };
        dir.ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// `--config FILE` when given, else the nearest `aksguard.toml` above `scan_root`, else
    /// the defaults.
    pub fn resolve(scan_root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit
            .map(Path::to_path_buf)
            .or_else(|| Config::find(scan_root))
        {
            Some(path) => Config::load(&path),
            None => Ok(Config::default_for(scan_root)),
        }
    }

    /// Ruff's semantics: the most specific matching selector decides, and `ignore` wins a
    /// tie. Engine diagnostics (`AG…`) are not switched off by a `select` that leaves them
    /// out, because `select = ["AKS"]` must not hide parse errors; `ignore` still works.
    pub fn rule_enabled(&self, id: &str) -> bool {
        let selected = if self.select.is_empty() || id.starts_with("AG") {
            Some(0)
        } else {
            best_match(&self.select, id)
        };
        match (selected, best_match(&self.ignore, id)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(select), Some(ignore)) => select > ignore,
        }
    }

    pub fn severity_for(&self, id: &str, default: Severity) -> Severity {
        self.severity.get(id).copied().unwrap_or(default)
    }

    pub fn is_unsuppressible(&self, id: &str) -> bool {
        best_match(&self.governance.unsuppressible, id).is_some()
    }

    /// `path` is absolute or relative to the working directory. A file is excluded when a
    /// pattern matches it or one of its directories below `root`, so `vendor` and
    /// `vendor/**` both exclude everything in `vendor/`.
    pub fn is_excluded(&self, path: &Path) -> bool {
        self.relative_to_root(path)
            .is_some_and(|relative| matches_path_or_ancestor(&self.exclude_set, &relative))
    }

    /// The first declared zone (in file order) whose `paths` match `path`.
    pub fn zone_for(&self, path: &Path) -> Option<&LandingZone> {
        if self.landing_zones.is_empty() {
            return None;
        }
        let relative = self.relative_to_root(path)?;
        if relative.is_empty() {
            return None;
        }
        let (set, zone_of_pattern) = self.zone_set.get_or_init(|| {
            let mut builder = GlobSetBuilder::new();
            let mut owners = Vec::new();
            for (index, zone) in self.landing_zones.iter().enumerate() {
                for pattern in &zone.paths {
                    // Patterns were validated when the file was read.
                    if let Ok(glob) = path_glob(pattern) {
                        builder.add(glob);
                        owners.push(index);
                    }
                }
            }
            (builder.build().unwrap_or_else(|_| GlobSet::empty()), owners)
        });
        let candidates = std::iter::once(relative.as_str())
            .chain(relative.match_indices('/').map(|(end, _)| &relative[..end]));
        candidates
            .flat_map(|candidate| set.matches(candidate))
            .map(|pattern| zone_of_pattern[pattern])
            .min()
            .map(|index| &self.landing_zones[index])
    }

    /// DESIGN §5: without declared zones the whole scan is one zone named after its root
    /// folder; files that no declared zone claims go there too.
    pub fn default_zone_name(&self) -> String {
        self.root
            .file_name()
            .map(|name| name.to_string_lossy().into_owned())
            .unwrap_or_else(|| "default".to_string())
    }

    /// `path` relative to `root` with `/` separators; `None` when it lies outside.
    pub fn relative_to_root(&self, path: &Path) -> Option<String> {
        let path = absolute(path);
        let relative = match path.strip_prefix(&self.root) {
            Ok(relative) => relative.to_path_buf(),
            // A symlinked checkout (macOS /tmp, a mounted workspace) reaches the same file
            // through different prefixes; compare the real paths before giving up.
            Err(_) => {
                let real_path = path.canonicalize().ok()?;
                let real_root = self.root.canonicalize().ok()?;
                real_path.strip_prefix(real_root).ok()?.to_path_buf()
            }
        };
        let parts: Vec<_> = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy().into_owned())
            .collect();
        Some(parts.join("/"))
    }

    /// Reports, as AG004, the first rule ID or prefix in the file (select, ignore,
    /// [severity], [[suppress]] rule, unsuppressible) that names no rule in `known`. The
    /// parser only checks the shape of IDs because the rule registry lives elsewhere.
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        for reference in &self.rule_refs {
            let found = if reference.exact {
                known.contains(&reference.text.as_str())
            } else {
                reference.text == "ALL" || known.iter().any(|id| id.starts_with(&reference.text))
            };
            if found {
                continue;
            }
            let message = unknown_rule_message(&reference.text, reference.exact, known);
            return Err(ConfigError {
                path: path.clone(),
                line: reference.line,
                column: reference.column,
                message,
                span: Some(reference.span.clone()),
            });
        }
        Ok(())
    }
}

/// Today's date in UTC as `YYYY-MM-DD`, for comparing with `expires`.
pub fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_secs())
        .unwrap_or(0);
    let (year, month, day) = civil_from_days((seconds / 86_400) as i64);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Howard Hinnant's days-to-civil algorithm; avoids a date crate for one conversion.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `surface:<name>` selects every rule of an attack surface (`surface:registry`).
pub const SURFACE_PREFIX: &str = "surface:";

/// A surface selector's name, checked, with the closest name when it is a typo.
fn check_surface(name: &str) -> Result<(), String> {
    if crate::rules::Surface::parse(name).is_some() {
        return Ok(());
    }
    let names = crate::rules::Surface::ALL.map(crate::rules::Surface::as_str);
    let mut message = format!(
        "`{SURFACE_PREFIX}{name}` names no surface; expected one of {}",
        names.map(|n| format!("`{SURFACE_PREFIX}{n}`")).join(", ")
    );
    let lower = name.to_ascii_lowercase();
    if let Some(closest) = closest(&lower, &names, 2) {
        message.push_str(&format!("; did you mean `{SURFACE_PREFIX}{closest}`?"));
    }
    Err(message)
}

/// A surface selector is more specific than `ALL` and less than any ID prefix, so
/// `select = ["surface:node"]` with `ignore = ["AKS015"]` drops AKS015 only.
fn best_match(selectors: &[String], id: &str) -> Option<usize> {
    selectors
        .iter()
        .filter_map(|selector| {
            if selector == "ALL" {
                Some(0)
            } else if let Some(name) = selector.strip_prefix(SURFACE_PREFIX) {
                let surface = crate::rules::Surface::parse(name)?;
                (crate::rules::surface(id) == Some(surface)).then_some(1)
            } else if id.starts_with(selector.as_str()) {
                Some(selector.len())
            } else {
                None
            }
        })
        .max()
}

fn path_glob(pattern: &str) -> Result<globset::Glob, globset::Error> {
    GlobBuilder::new(pattern.strip_prefix("./").unwrap_or(pattern))
        // `*` stays within one directory and `**` crosses them, as in .gitignore; set
        // explicitly so the file means the same on Windows.
        .literal_separator(true)
        .backslash_escape(true)
        .build()
}

fn matches_path_or_ancestor(set: &GlobSet, relative: &str) -> bool {
    if relative.is_empty() {
        return false;
    }
    set.is_match(relative)
        || relative
            .match_indices('/')
            .any(|(end, _)| set.is_match(&relative[..end]))
}

/// Absolute and lexically normalised, without touching the filesystem, so that paths that
/// do not exist yet (an editor buffer) still compare.
fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        match std::env::current_dir() {
            Ok(cwd) => cwd.join(path),
            Err(_) => path.to_path_buf(),
        }
    };
    let mut normal = PathBuf::new();
    for part in joined.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(normal.components().next_back(), Some(Component::Normal(_))) {
                    normal.pop();
                }
            }
            other => normal.push(other.as_os_str()),
        }
    }
    normal
}

/// Shape of a rule selector: an upper-case prefix that starts and ends with a letter
/// (`AKS`, `K8S`, `LZ`) followed by up to three digits. `ALL` selects everything.
fn selector_digits(selector: &str) -> Option<usize> {
    let digits = selector
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    let prefix = &selector[..selector.len() - digits];
    let first = prefix.bytes().next()?;
    let valid = digits <= 3
        && first.is_ascii_uppercase()
        && prefix
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    valid.then_some(digits)
}

fn is_rule_id(text: &str) -> bool {
    selector_digits(text) == Some(3)
}

/// Why `text` is not shaped like a rule ID (or, unless `want_id`, a prefix), with the
/// upper-case spelling when that is one.
fn rule_shape_message(text: &str, want_id: bool) -> String {
    let upper = text.to_ascii_uppercase();
    let fixed = if want_id {
        is_rule_id(&upper)
    } else {
        is_rule_selector(&upper)
    };
    let mut message = if want_id {
        format!("`{text}` is not a rule ID (like `AKS016` or `K8S003`)")
    } else {
        format!("`{text}` is not a rule ID or prefix (like `AKS`, `K8S0` or `ACR004`)")
    };
    if fixed && upper != text {
        message.push_str(&format!("; did you mean `{upper}`?"));
    } else if want_id && is_rule_selector(&upper) {
        message.push_str("; a single rule is meant here, not a prefix");
    }
    message
}

/// Why no rule of `known` is `text` (`exact`) or starts with it, with the closest ID.
fn unknown_rule_message(text: &str, exact: bool, known: &[&str]) -> String {
    let what = if exact {
        "no rule has the ID"
    } else {
        "no rule ID starts with"
    };
    let mut message = format!("{what} `{text}`");
    if let Some(closest) = closest(text, known, 2) {
        message.push_str(&format!("; did you mean `{closest}`?"));
    }
    message
}

/// A `--select` / `--ignore` value checked as the configuration's `select` and `ignore`
/// are: shaped like a rule ID or prefix, and naming at least one rule of `known`.
pub fn check_rule_selector(text: &str, known: &[&str]) -> Result<(), String> {
    if let Some(surface) = text.strip_prefix(SURFACE_PREFIX) {
        return check_surface(surface);
    }
    if !is_rule_selector(text) {
        return Err(rule_shape_message(text, false));
    }
    if text == "ALL" || known.iter().any(|id| id.starts_with(text)) {
        return Ok(());
    }
    Err(unknown_rule_message(text, false, known))
}

fn is_rule_selector(text: &str) -> bool {
    text == "ALL" || selector_digits(text).is_some()
}

fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let number = |range: Range<usize>| -> Option<u32> {
        let part = &text[range];
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())
            .flatten()
    };
    let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days_in_month).contains(&day)
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_minor_version(text: &str) -> bool {
    text.strip_prefix("1.").is_some_and(|minor| {
        (1..=2).contains(&minor.len()) && minor.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Hosts, `host:port`, or `*.suffix`; a scheme or a path means the user pasted an image
/// reference or URL, which would never match a registry host.
fn registry_problem(entry: &str) -> Option<&'static str> {
    if entry.is_empty() {
        Some("is empty")
    } else if entry.contains("://") {
        Some("has a URL scheme; write the registry host only (e.g. `myacr.azurecr.io`)")
    } else if entry.contains('/') {
        Some("has a path; write the registry host only (e.g. `myacr.azurecr.io`)")
    } else if entry.contains(char::is_whitespace) {
        Some("contains whitespace")
    } else if entry.chars().skip(1).any(|c| c == '*')
        || (entry.starts_with('*') && !entry.starts_with("*."))
    {
        Some("may only use `*` as a whole leading label, as in `*.azurecr.io`")
    } else {
        None
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The candidate the user most likely meant: a case or `_`/`-` variant, else the nearest
/// by edit distance within `limit`, else one that starts with what was typed.
fn closest<'c>(typed: &str, candidates: &[&'c str], limit: usize) -> Option<&'c str> {
    let normal = |s: &str| s.to_ascii_lowercase().replace('_', "-");
    let typed_normal = normal(typed);
    if let Some(exact) = candidates.iter().find(|c| normal(c) == typed_normal) {
        return Some(exact);
    }
    let nearest = candidates
        .iter()
        .map(|c| (edit_distance(&typed_normal, &normal(c)), *c))
        .min_by_key(|(distance, _)| *distance)
        .filter(|(distance, _)| *distance <= limit)
        .map(|(_, c)| c);
    // `min-prefix` for `min-prefix-length`, `corporate` for `corp`.
    nearest.or_else(|| {
        candidates.iter().copied().find(|c| {
            let c = normal(c);
            typed_normal.len().min(c.len()) >= 3
                && (c.starts_with(&typed_normal) || typed_normal.starts_with(&c))
        })
    })
}

fn with_article(noun: &str) -> String {
    let article = if noun.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {noun}")
}

fn key_list(keys: &[&str]) -> String {
    keys.iter()
        .map(|key| format!("`{key}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Entries in source order: the map is sorted by key, but the first error reported should
/// be the first one in the file.
fn in_source_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(&'t Spanned<DeString<'i>>, &'t Spanned<DeValue<'i>>)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

type Value<'i> = Spanned<DeValue<'i>>;

/// Where a TOML syntax error is to be fixed, from where the parser stopped (`offset`): an
/// unclosed `[` or `{` is pointed at where it opens, and a missing comma found only on the
/// first token of a line at the end of the line before, which is the line to change.
fn broken_at(text: &str, offset: usize, message: &str) -> usize {
    let offset = offset.min(text.len());
    if message.contains("unclosed") {
        if let Some(open) = unclosed_bracket(&text[..offset]) {
            return open;
        }
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let found_late = message.contains("missing comma") || message.contains("expected `,`");
    if !found_late || offset == 0 || !text[line_start..offset].trim().is_empty() {
        return offset;
    }
    // The end of the last line before this one with something other than a comment.
    let mut end = line_start;
    while end > 0 {
        let start = text[..end - 1].rfind('\n').map_or(0, |i| i + 1);
        let line = &text[start..end - 1];
        let code = line.split('#').next().unwrap_or("").trim_end();
        if !code.trim().is_empty() {
            return start + code.len();
        }
        end = start;
    }
    offset
}

/// The offset of the innermost `[` or `{` still open at the end of `text` (strings and
/// comments skipped; table headers close on their line).
fn unclosed_bracket(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            quote @ (b'"' | b'\'') => {
                let triple = text[i..].starts_with(if quote == b'"' { "\"\"\"" } else { "'''" });
                let delimiter = if triple { 3 } else { 1 };
                i += delimiter;
                while i < bytes.len() {
                    if quote == b'"' && bytes[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if !triple && bytes[i] == b'\n' {
                        break;
                    }
                    if bytes[i] == quote
                        && (!triple || text[i..].starts_with(&text[i..i + 1].repeat(3)))
                    {
                        i += delimiter;
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => open.push(i),
            b']' | b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    open.pop()
}

/// The text being validated, to turn byte spans into errors.
struct Doc<'s> {
    path: &'s Path,
    text: &'s str,
    /// Byte offset of each line's start: every landing zone and suppression records its
    /// line, and counting from the top each time is quadratic in a config with thousands.
    line_starts: Vec<usize>,
}

impl<'s> Doc<'s> {
    fn new(path: &'s Path, text: &'s str) -> Doc<'s> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Doc {
            path,
            text,
            line_starts,
        }
    }

    fn position(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let line_start = self.line_starts[line - 1];
        (line, self.text[line_start..offset].chars().count() + 1)
    }

    fn error(&self, span: Range<usize>, message: impl Into<String>) -> ConfigError {
        let (line, column) = self.position(span.start);
        ConfigError {
            path: self.path.to_path_buf(),
            line,
            column,
            message: message.into(),
            span: Some(span),
        }
    }

    fn rule_ref(&self, text: &str, exact: bool, span: Range<usize>) -> RuleRef {
        let (line, column) = self.position(span.start);
        RuleRef {
            text: text.to_string(),
            exact,
            line,
            column,
            span,
        }
    }

    fn unknown_key(&self, key: &Spanned<DeString>, allowed: &[&str], context: &str) -> ConfigError {
        let mut message = format!("unknown key `{}`{context}", key.get_ref());
        match closest(key.get_ref(), allowed, (key.get_ref().len() / 3).max(1)) {
            Some(suggestion) => message.push_str(&format!("; did you mean `{suggestion}`?")),
            None => message.push_str(&format!("; expected one of {}", key_list(allowed))),
        }
        self.error(key.span(), message)
    }

    fn type_error(&self, name: &str, expected: &str, value: &Value) -> ConfigError {
        let found = value.get_ref().type_str();
        let mut message = format!("`{name}` must be {expected}, found {found}");
        if matches!(value.get_ref(), DeValue::Float(_) | DeValue::Integer(_))
            && expected.contains("string")
        {
            message.push_str(" (put the value in quotes)");
        }
        self.error(value.span(), message)
    }

    fn table<'v, 'i>(
        &self,
        name: &str,
        value: &'v Value<'i>,
    ) -> Result<&'v DeTable<'i>, ConfigError> {
        match value.get_ref() {
            DeValue::Table(table) => Ok(table),
            _ => Err(self.type_error(name, &format!("a table (`[{name}]`)"), value)),
        }
    }

    fn string<'v>(&self, name: &str, value: &'v Value) -> Result<&'v str, ConfigError> {
        match value.get_ref() {
            DeValue::String(text) => Ok(text),
            _ => Err(self.type_error(name, "a string", value)),
        }
    }

    fn boolean(&self, name: &str, value: &Value) -> Result<bool, ConfigError> {
        match value.get_ref() {
            DeValue::Boolean(flag) => Ok(*flag),
            _ => Err(self.type_error(name, "`true` or `false`", value)),
        }
    }

    fn strings<'v>(
        &self,
        name: &str,
        value: &'v Value,
    ) -> Result<Vec<(&'v str, Range<usize>)>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.type_error(name, "an array of strings", value));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) => Ok((text.as_ref(), item.span())),
                other => Err(self.error(
                    item.span(),
                    format!(
                        "`{name}` must be an array of strings; this element is {}",
                        with_article(other.type_str())
                    ),
                )),
            })
            .collect()
    }

    fn non_empty<'v>(&self, name: &str, value: &'v Value) -> Result<&'v str, ConfigError> {
        let text = self.string(name, value)?;
        if text.trim().is_empty() {
            return Err(self.error(value.span(), format!("`{name}` must not be empty")));
        }
        Ok(text)
    }

    fn severity(&self, name: &str, value: &Value) -> Result<Severity, ConfigError> {
        self.string(name, value)?
            .parse()
            .map_err(|message: String| self.error(value.span(), message))
    }

    fn rule_shape_error(&self, text: &str, span: Range<usize>, want_id: bool) -> ConfigError {
        self.error(span, rule_shape_message(text, want_id))
    }

    fn selectors(
        &self,
        name: &str,
        value: &Value,
        refs: &mut Vec<RuleRef>,
    ) -> Result<Vec<String>, ConfigError> {
        let mut selectors = Vec::new();
        for (text, span) in self.strings(name, value)? {
            if let Some(surface) = text.strip_prefix(SURFACE_PREFIX) {
                if let Err(message) = check_surface(surface) {
                    return Err(self.error(span, message));
                }
                selectors.push(text.to_string());
                continue;
            }
            if !is_rule_selector(text) {
                return Err(self.rule_shape_error(text, span, false));
            }
            refs.push(self.rule_ref(text, false, span));
            selectors.push(text.to_string());
        }
        Ok(selectors)
    }

    fn glob(
        &self,
        name: &str,
        pattern: &str,
        span: Range<usize>,
    ) -> Result<globset::Glob, ConfigError> {
        let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
        if pattern.is_empty() {
            return Err(self.error(span, format!("`{name}` has an empty pattern")));
        }
        if pattern.starts_with('/') || pattern.split('/').any(|part| part == "..") {
            return Err(self.error(
                span,
                format!(
                    "`{name}` patterns are relative to the directory of this file and cannot \
                     be absolute or reach outside it with `..`"
                ),
            ));
        }
        path_glob(pattern).map_err(|error| {
            self.error(
                span,
                format!("invalid glob `{pattern}` in `{name}`: {}", error.kind()),
            )
        })
    }

    fn glob_set(
        &self,
        name: &str,
        patterns: &[(&str, Range<usize>)],
    ) -> Result<GlobSet, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for (pattern, span) in patterns {
            builder.add(self.glob(name, pattern, span.clone())?);
        }
        // Each glob compiled on its own above, so a failure here is not the user's pattern.
        builder.build().map_err(|error| {
            let span = patterns.first().map_or(0..0, |(_, span)| span.clone());
            self.error(span, format!("cannot compile `{name}`: {error}"))
        })
    }

    fn fill(&self, config: &mut Config, table: &DeTable) -> Result<(), ConfigError> {
        let mut refs = Vec::new();
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "fail-on" => config.fail_on = self.severity(name, value)?,
                "select" => config.select = self.selectors(name, value, &mut refs)?,
                "ignore" => config.ignore = self.selectors(name, value, &mut refs)?,
                "exclude" => {
                    let patterns = self.strings(name, value)?;
                    config.exclude_set = self.glob_set(name, &patterns)?;
                    config.exclude = patterns.iter().map(|(p, _)| p.to_string()).collect();
                }
                "severity" => {
                    for (rule, level) in in_source_order(self.table(name, value)?) {
                        if !is_rule_id(rule.get_ref()) {
                            return Err(self.rule_shape_error(rule.get_ref(), rule.span(), true));
                        }
                        let label = format!("severity.{}", rule.get_ref());
                        let level = self.severity(&label, level)?;
                        refs.push(self.rule_ref(rule.get_ref(), true, rule.span()));
                        config.severity.insert(rule.get_ref().to_string(), level);
                    }
                }
                "kubernetes" => {
                    self.kubernetes(&mut config.kubernetes, self.table(name, value)?)?
                }
                "api-server" => {
                    self.api_server(&mut config.api_server, self.table(name, value)?)?
                }
                "cluster" => {
                    for (key, value) in in_source_order(self.table(name, value)?) {
                        match key.get_ref().as_ref() {
                            "require-egress-control" => {
                                config.cluster.require_egress_control =
                                    self.boolean("require-egress-control", value)?
                            }
                            _ => return Err(self.unknown_key(key, CLUSTER_KEYS, " in [cluster]")),
                        }
                    }
                }
                "build" => self.build(&mut config.build, self.table(name, value)?)?,
                "landing-zone" => {
                    for zone in self.array_of_tables(name, value)? {
                        let zone = self.landing_zone(zone, &config.landing_zones)?;
                        config.landing_zones.push(zone);
                    }
                }
                "suppress" => {
                    for entry in self.array_of_tables(name, value)? {
                        config.suppress.push(self.suppression(entry, &mut refs)?);
                    }
                }
                "governance" => {
                    for (key, value) in in_source_order(self.table(name, value)?) {
                        match key.get_ref().as_ref() {
                            "unsuppressible" => {
                                config.governance.unsuppressible =
                                    self.selectors("unsuppressible", value, &mut refs)?;
                            }
                            _ => {
                                return Err(self.unknown_key(
                                    key,
                                    GOVERNANCE_KEYS,
                                    " in [governance]",
                                ))
                            }
                        }
                    }
                }
                _ => return Err(self.unknown_key(key, TOP_KEYS, "")),
            }
        }
        refs.sort_by_key(|reference| reference.span.start);
        config.rule_refs = refs;
        Ok(())
    }

    fn array_of_tables<'v, 'i>(
        &self,
        name: &str,
        value: &'v Value<'i>,
    ) -> Result<Vec<(&'v DeTable<'i>, Range<usize>)>, ConfigError> {
        let wrong = || {
            self.error(
                value.span(),
                format!(
                    "`{name}` must be an array of tables: write each entry under its own \
                     `[[{name}]]` header"
                ),
            )
        };
        let DeValue::Array(items) = value.get_ref() else {
            return Err(wrong());
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::Table(table) => Ok((table, item.span())),
                _ => Err(wrong()),
            })
            .collect()
    }

    fn kubernetes(&self, out: &mut KubernetesConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "allowed-registries" => {
                    let mut registries = Vec::new();
                    for (entry, span) in self.strings(name, value)? {
                        if let Some(problem) = registry_problem(entry) {
                            return Err(self.error(span, format!("registry `{entry}` {problem}")));
                        }
                        registries.push(entry.to_ascii_lowercase());
                    }
                    out.allowed_registries = Some(registries);
                }
                "minimum-version" => {
                    if let DeValue::Float(number) = value.get_ref() {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`minimum-version` must be a string: write \"{}\" in quotes \
                                 (as a number 1.30 would mean 1.3)",
                                number.as_str()
                            ),
                        ));
                    }
                    let version = self.string(name, value)?;
                    if !is_minor_version(version) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`minimum-version` must be a Kubernetes minor version like \
                                 \"1.32\", found \"{version}\""
                            ),
                        ));
                    }
                    out.minimum_version = Some(version.to_string());
                }
                "sensitivity-label" => {
                    let label = self.non_empty(name, value)?;
                    if label.contains(char::is_whitespace) {
                        return Err(self.error(
                            value.span(),
                            "`sensitivity-label` is a label key and cannot contain whitespace",
                        ));
                    }
                    out.sensitivity_label = label.to_string();
                }
                "sensitive-values" => {
                    out.sensitive_values = self
                        .strings(name, value)?
                        .into_iter()
                        .map(|(text, _)| text.to_string())
                        .collect();
                }
                _ => return Err(self.unknown_key(key, KUBERNETES_KEYS, " in [kubernetes]")),
            }
        }
        Ok(())
    }

    fn build(&self, out: &mut BuildConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "non-root-bases" => {
                    let mut patterns = Vec::new();
                    for (pattern, span) in self.strings(name, value)? {
                        let pattern = pattern.trim().to_ascii_lowercase();
                        if pattern.is_empty() {
                            return Err(self.error(span, "`non-root-bases` has an empty pattern"));
                        }
                        if let Err(error) = globset::Glob::new(&pattern) {
                            return Err(self.error(
                                span,
                                format!(
                                    "invalid glob `{pattern}` in `non-root-bases`: {}",
                                    error.kind()
                                ),
                            ));
                        }
                        patterns.push(pattern);
                    }
                    out.non_root_bases = patterns;
                }
                "scanners" => {
                    let mut scanners = Vec::new();
                    for (scanner, span) in self.strings(name, value)? {
                        if scanner.trim().is_empty() {
                            return Err(self.error(span, "`scanners` has an empty entry"));
                        }
                        scanners.push(scanner.trim().to_string());
                    }
                    out.scanners = scanners;
                }
                _ => return Err(self.unknown_key(key, BUILD_KEYS, " in [build]")),
            }
        }
        Ok(())
    }

    fn api_server(&self, out: &mut ApiServerConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "min-prefix-length" => {
                    let DeValue::Integer(number) = value.get_ref() else {
                        return Err(self.type_error(name, "an integer", value));
                    };
                    let parsed = i64::from_str_radix(number.as_str(), number.radix()).ok();
                    match parsed
                        .and_then(|n| u8::try_from(n).ok())
                        .filter(|n| *n <= 32)
                    {
                        Some(length) => out.min_prefix_length = length,
                        None => {
                            return Err(self.error(
                                value.span(),
                                format!(
                                    "`min-prefix-length` must be an IPv4 prefix length from 0 \
                                     to 32, found {number}"
                                ),
                            ))
                        }
                    }
                }
                "require-private" => out.require_private = self.boolean(name, value)?,
                _ => return Err(self.unknown_key(key, API_SERVER_KEYS, " in [api-server]")),
            }
        }
        Ok(())
    }

    fn missing(&self, header: &Range<usize>, key: &str, table: &str, hint: &str) -> ConfigError {
        self.error(
            header.clone(),
            format!("missing `{key}` in this [[{table}]] entry ({hint})"),
        )
    }

    fn landing_zone(
        &self,
        (table, header): (&DeTable, Range<usize>),
        earlier: &[LandingZone],
    ) -> Result<LandingZone, ConfigError> {
        let mut name = None;
        let mut paths = None;
        let mut archetype = None;
        let mut subscription = None;
        for (key, value) in in_source_order(table) {
            let key_name: &str = key.get_ref();
            match key_name {
                "name" => {
                    let text = self.non_empty(key_name, value)?;
                    if let Some(first) = earlier.iter().find(|zone| zone.name == text) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "duplicate landing zone name `{text}` (first declared on line {}); \
                                 zone names must be unique",
                                first.line
                            ),
                        ));
                    }
                    name = Some(text.to_string());
                }
                "paths" => {
                    let patterns = self.strings(key_name, value)?;
                    if patterns.is_empty() {
                        return Err(self.error(
                            value.span(),
                            "`paths` must list at least one glob, e.g. [\"landing-zones/corp-prod/**\"]",
                        ));
                    }
                    // Checked here, compiled with every zone's in `Config::zone_for`.
                    for (pattern, span) in &patterns {
                        self.glob(key_name, pattern, span.clone())?;
                    }
                    paths = Some(patterns.iter().map(|(p, _)| p.to_string()).collect());
                }
                "archetype" => {
                    let text = self.string(key_name, value)?;
                    let parsed = Archetype::parse(text).ok_or_else(|| {
                        let mut message = format!("unknown archetype `{text}`");
                        if let Some(suggestion) = closest(text, ARCHETYPES, 2) {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        message.push_str(&format!(" (valid: {})", ARCHETYPES.join(", ")));
                        self.error(value.span(), message)
                    })?;
                    archetype = Some(parsed);
                }
                "subscription" => {
                    let text = self.string(key_name, value)?;
                    if !is_guid(text) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`subscription` must be a subscription ID (a GUID like \
                                 11111111-1111-1111-1111-111111111111), found \"{text}\""
                            ),
                        ));
                    }
                    subscription = Some(text.to_ascii_lowercase());
                }
                _ => return Err(self.unknown_key(key, ZONE_KEYS, " in [[landing-zone]]")),
            }
        }
        let name = name
            .ok_or_else(|| self.missing(&header, "name", "landing-zone", "a unique zone name"))?;
        let paths = paths.ok_or_else(|| {
            self.missing(
                &header,
                "paths",
                "landing-zone",
                "globs of the zone's files",
            )
        })?;
        let archetype = archetype.ok_or_else(|| {
            let hint = format!("one of {}", ARCHETYPES.join(", "));
            self.missing(&header, "archetype", "landing-zone", &hint)
        })?;
        Ok(LandingZone {
            name,
            paths,
            archetype,
            subscription,
            line: self.position(header.start).0,
        })
    }

    fn suppression(
        &self,
        (table, header): (&DeTable, Range<usize>),
        refs: &mut Vec<RuleRef>,
    ) -> Result<Suppression, ConfigError> {
        let mut rule = None;
        let mut resource = None;
        let mut reason = None;
        let mut expires = None;
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "rule" => {
                    let text = self.string(name, value)?;
                    if !is_rule_id(text) {
                        return Err(self.rule_shape_error(text, value.span(), true));
                    }
                    refs.push(self.rule_ref(text, true, value.span()));
                    rule = Some(text.to_string());
                }
                "resource" => {
                    let pattern = self.non_empty(name, value)?;
                    resource = Some((
                        pattern.to_string(),
                        self.resource_matcher(pattern, value.span())?,
                    ));
                }
                "reason" => reason = Some(self.non_empty(name, value)?.trim().to_string()),
                "expires" => {
                    let day = match value.get_ref() {
                        // An unquoted 2027-06-30 is a TOML date; accept it as written.
                        DeValue::Datetime(datetime)
                            if datetime.time.is_none() && datetime.offset.is_none() =>
                        {
                            datetime.to_string()
                        }
                        DeValue::String(text) => text.to_string(),
                        _ => return Err(self.type_error(name, "a date \"YYYY-MM-DD\"", value)),
                    };
                    if !is_date(&day) {
                        return Err(self.error(
                            value.span(),
                            format!("`expires` must be a date \"YYYY-MM-DD\", found \"{day}\""),
                        ));
                    }
                    expires = Some(day);
                }
                _ => return Err(self.unknown_key(key, SUPPRESS_KEYS, " in [[suppress]]")),
            }
        }
        let rule = rule.ok_or_else(|| {
            self.missing(&header, "rule", "suppress", "the rule ID, e.g. \"K8S003\"")
        })?;
        let (resource, matcher) = resource.ok_or_else(|| {
            self.missing(
                &header,
                "resource",
                "suppress",
                "the resource address; globs allowed",
            )
        })?;
        let reason = reason.ok_or_else(|| {
            self.missing(&header, "reason", "suppress", "why the finding is accepted")
        })?;
        let (line, column) = self.position(header.start);
        Ok(Suppression {
            rule,
            resource,
            reason,
            expires,
            line,
            column,
            matcher,
        })
    }

    fn resource_matcher(
        &self,
        pattern: &str,
        span: Range<usize>,
    ) -> Result<GlobMatcher, ConfigError> {
        let mut glob = String::with_capacity(pattern.len());
        for c in pattern.chars() {
            match c {
                '*' if glob.ends_with('*') => {}
                '*' | '?' => glob.push(c),
                _ => glob.push_str(&globset::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        GlobBuilder::new(&glob)
            .literal_separator(false)
            .backslash_escape(false)
            .case_insensitive(true)
            .build()
            .map(|glob| glob.compile_matcher())
            .map_err(|error| {
                self.error(
                    span,
                    format!("invalid resource pattern `{pattern}`: {}", error.kind()),
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DESIGN_EXAMPLE: &str = r#"fail-on = "medium"                 # lowest severity that makes the exit code 1
select = ["AKS", "ACR", "K8S001"]  # prefixes or IDs; default: all stable rules
ignore = ["K8S015"]
exclude = ["**/examples/**"]       # globset patterns, relative to the config file

[severity]                          # per-rule overrides
AKS016 = "info"

[kubernetes]
allowed-registries = ["*.azurecr.io", "mcr.microsoft.com"]  # default: registries the zone
                                                            # declares + mcr.microsoft.com
minimum-version = "1.32"            # else the embedded, dated support table
sensitivity-label = "aksguard.io/sensitivity"
sensitive-values = ["high", "confidential", "restricted"]

[api-server]
min-prefix-length = 16              # authorized ranges wider than this are too broad
require-private = false             # true: every cluster must be private (AKS003)

[[landing-zone]]
name = "corp-prod"
paths = ["landing-zones/corp-prod/**"]
archetype = "corp"                  # corp: private cluster + private registry required
subscription = "11111111-1111-1111-1111-111111111111"   # optional

[[suppress]]                        # for code you cannot annotate (compiled ARM, third-party charts)
rule = "K8S003"
resource = "Deployment/monitoring/node-exporter"   # address; globs allowed
reason = "needs host PID to read /proc"
expires = "2027-06-30"
"#;

    fn root() -> PathBuf {
        if cfg!(windows) {
            PathBuf::from(r"C:\repo")
        } else {
            PathBuf::from("/repo")
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, &root().join(FILE_NAME))
    }

    /// (line, column, message) of the error `text` must produce.
    fn error(text: &str) -> (usize, usize, String) {
        let error = parse(text).expect_err("config should be rejected");
        (error.line, error.column, error.message)
    }

    fn assert_error(text: &str, line: usize, column: usize, needle: &str) {
        let (got_line, got_column, message) = error(text);
        assert_eq!(
            (got_line, got_column),
            (line, column),
            "position of `{message}`"
        );
        assert!(
            message.contains(needle),
            "`{message}` should contain `{needle}`"
        );
    }

    fn unique_temp_dir(name: &str) -> PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "aksguard-config-{name}-{}-{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn design_example_parses() {
        let config = parse(DESIGN_EXAMPLE).unwrap();
        assert_eq!(config.path, Some(root().join(FILE_NAME)));
        assert_eq!(config.root, root());
        assert_eq!(config.fail_on, Severity::Medium);
        assert_eq!(config.select, ["AKS", "ACR", "K8S001"]);
        assert_eq!(config.ignore, ["K8S015"]);
        assert_eq!(config.exclude, ["**/examples/**"]);
        assert_eq!(config.severity.get("AKS016"), Some(&Severity::Info));
        assert_eq!(
            config.kubernetes,
            KubernetesConfig {
                allowed_registries: Some(vec![
                    "*.azurecr.io".to_string(),
                    "mcr.microsoft.com".to_string()
                ]),
                minimum_version: Some("1.32".to_string()),
                ..KubernetesConfig::default()
            }
        );
        assert_eq!(config.api_server, ApiServerConfig::default());
        let [zone] = config.landing_zones.as_slice() else {
            panic!("one zone expected");
        };
        assert_eq!(zone.name, "corp-prod");
        assert_eq!(zone.paths, ["landing-zones/corp-prod/**"]);
        assert_eq!(zone.archetype, Archetype::Corp);
        assert_eq!(
            zone.subscription.as_deref(),
            Some("11111111-1111-1111-1111-111111111111")
        );
        let [waiver] = config.suppress.as_slice() else {
            panic!("one suppression expected");
        };
        assert_eq!(waiver.rule, "K8S003");
        assert_eq!(waiver.resource, "Deployment/monitoring/node-exporter");
        assert_eq!(waiver.reason, "needs host PID to read /proc");
        assert_eq!(waiver.expires.as_deref(), Some("2027-06-30"));
        assert_eq!((waiver.line, waiver.column), (26, 1));
        assert!(waiver.matches("K8S003", "Deployment/monitoring/node-exporter"));
        assert!(!waiver.matches("K8S001", "Deployment/monitoring/node-exporter"));
        assert!(config.governance.unsuppressible.is_empty());
    }

    #[test]
    fn defaults_without_a_file() {
        let config = Config::default_for(&root());
        assert_eq!(config.path, None);
        assert_eq!(config.root, root());
        assert_eq!(config.fail_on, Severity::Low);
        assert!(config.select.is_empty() && config.ignore.is_empty());
        assert!(config.severity.is_empty());
        assert_eq!(config.kubernetes.allowed_registries, None);
        assert_eq!(config.kubernetes.minimum_version, None);
        assert_eq!(
            config.kubernetes.sensitivity_label,
            "aksguard.io/sensitivity"
        );
        assert_eq!(
            config.kubernetes.sensitive_values,
            ["high", "confidential", "restricted"]
        );
        assert_eq!(config.api_server.min_prefix_length, 16);
        assert!(!config.api_server.require_private);
        assert!(!config.cluster.require_egress_control);
        assert!(config.landing_zones.is_empty() && config.suppress.is_empty());
        assert_eq!(config.default_zone_name(), "repo");
        assert!(config.rule_enabled("AKS001") && config.rule_enabled("K8S018"));
        assert!(!config.is_excluded(&root().join("examples/main.tf")));
        assert!(config.zone_for(&root().join("main.tf")).is_none());
        assert_eq!(config.severity_for("AKS016", Severity::Low), Severity::Low);
        // An empty file is the defaults too, but rooted at the file's directory.
        let empty = parse("# nothing\n").unwrap();
        assert_eq!(empty.fail_on, Severity::Low);
        assert_eq!(empty.root, root());
    }

    #[test]
    fn cluster_table() {
        let config = parse("[cluster]\nrequire-egress-control = true\n").unwrap();
        assert!(config.cluster.require_egress_control);
        assert_error(
            "[cluster]\nrequire-egress-control = 1\n",
            2,
            26,
            "`require-egress-control` must be `true` or `false`, found integer",
        );
        assert_error(
            "[cluster]\nrequire-egress = true\n",
            2,
            1,
            "unknown key `require-egress` in [cluster]",
        );
    }

    #[test]
    fn syntax_errors_are_positioned() {
        // Where the broken construct is, not where the parser gave up (AG004 used to
        // point at 2:16, the end of the file, and at the lines below).
        assert_error(
            "fail-on = \"low\"\nselect = [\"AKS\"\n",
            2,
            10,
            "invalid TOML: unclosed array",
        );
        assert_error(
            "fail-on = \"low\"\nignore = [\"AKS016\",\n\n\n[api-server]\n",
            2,
            10,
            "invalid TOML: unclosed array",
        );
        assert_error(
            "ignore = [\"AKS016\" # why\n\nfail-on = \"low\"\n",
            1,
            19,
            "missing comma",
        );
        assert_error(
            "[api-server\nmin-prefix-length = 16\n",
            1,
            1,
            "unclosed table",
        );
        assert_error(
            "api-server = { min-prefix-length = 16\n",
            1,
            14,
            "unclosed inline table",
        );
        assert_error(
            "fail-on = \"low\"\nfail-on = \"high\"\n",
            2,
            1,
            "duplicate key",
        );
    }

    #[test]
    fn build_table_keys_and_values() {
        assert_error(
            "[build]\nscanner = [\"x\"]\n",
            2,
            1,
            "unknown key `scanner` in [build]; did you mean `scanners`?",
        );
        assert_error(
            "[build]\nnon-root-bases = [\"*:*nonroot*\", \"a[\"]\n",
            2,
            34,
            "invalid glob `a[` in `non-root-bases`",
        );
        assert_error(
            "[build]\nscanners = \"trivy\"\n",
            2,
            12,
            "`scanners` must be an array of strings",
        );
        assert_error(
            "[build]\nscanners = [\" \"]\n",
            2,
            13,
            "`scanners` has an empty entry",
        );
        let config = parse("[build]\nnon-root-bases = [\"MyACR.azurecr.io/base/*\"]\nscanners = [\"contoso/scan\"]\n").unwrap();
        assert_eq!(config.build.non_root_bases, ["myacr.azurecr.io/base/*"]);
        assert_eq!(config.build.scanners, ["contoso/scan"]);
        let defaults = parse("").unwrap();
        assert_eq!(defaults.build.non_root_bases, DEFAULT_NON_ROOT_BASES);
    }

    #[test]
    fn unknown_keys_suggest_the_closest() {
        assert_error(
            "select = []\nfail_on = \"high\"\n",
            2,
            1,
            "unknown key `fail_on`; did you mean `fail-on`?",
        );
        assert_error(
            "[landing_zone]\nname = \"a\"\n",
            1,
            2,
            "did you mean `landing-zone`?",
        );
        assert_error(
            "[kubernetes]\nallowed-registry = []\n",
            2,
            1,
            "unknown key `allowed-registry` in [kubernetes]; did you mean `allowed-registries`?",
        );
        assert_error(
            "[api-server]\n  min_prefix_length = 8\n",
            2,
            3,
            "did you mean `min-prefix-length`?",
        );
        assert_error(
            "[[landing-zone]]\nname = \"a\"\npath = [\"a/**\"]\n",
            3,
            1,
            "unknown key `path` in [[landing-zone]]; did you mean `paths`?",
        );
        assert_error(
            "[[suppress]]\nrule = \"AKS005\"\nrul = 1\n",
            3,
            1,
            "unknown key `rul` in [[suppress]]; did you mean `rule`?",
        );
        assert_error(
            "[governance]\nunsupressible = [\"AKS006\"]\n",
            2,
            1,
            "did you mean `unsuppressible`?",
        );
        assert_error(
            "colour = true\n",
            1,
            1,
            "unknown key `colour`; expected one of `fail-on`, `select`",
        );
    }

    #[test]
    fn severity_table_keys_and_values() {
        assert_error(
            "[severity]\nAKS016 = \"info\"\naks017 = \"low\"\n",
            3,
            1,
            "`aks017` is not a rule ID (like `AKS016` or `K8S003`); did you mean `AKS017`?",
        );
        assert_error(
            "[severity]\nAKS = \"low\"\n",
            2,
            1,
            "a single rule is meant here, not a prefix",
        );
        assert_error(
            "[severity]\nAKS016 = \"informational\"\n",
            2,
            10,
            "`informational` is not a severity",
        );
        assert_error(
            "[severity]\nAKS016 = 3\n",
            2,
            10,
            "must be a string, found integer",
        );
        assert_error("fail-on = \"fatal\"\n", 1, 11, "`fatal` is not a severity");
        assert_error("severity = \"low\"\n", 1, 12, "`severity` must be a table");
    }

    #[test]
    fn wrong_types() {
        assert_error(
            "select = \"AKS\"\n",
            1,
            10,
            "`select` must be an array of strings",
        );
        assert_error(
            "ignore = [\"AKS001\", 2]\n",
            1,
            21,
            "this element is an integer",
        );
        assert_error(
            "[api-server]\nrequire-private = \"yes\"\n",
            2,
            19,
            "`require-private` must be `true` or `false`, found string",
        );
        assert_error(
            "[api-server]\nmin-prefix-length = \"16\"\n",
            2,
            21,
            "must be an integer",
        );
        assert_error("kubernetes = 1\n", 1, 14, "`kubernetes` must be a table");
        assert_error(
            "[kubernetes]\nminimum-version = 1.30\n",
            2,
            19,
            "write \"1.30\" in quotes",
        );
        // The mistake the integration check makes: a table instead of an array of tables.
        assert_error(
            "[suppress]\nrul = 1\n",
            1,
            1,
            "write each entry under its own `[[suppress]]` header",
        );
    }

    #[test]
    fn bad_values() {
        assert_error(
            "[api-server]\nmin-prefix-length = 40\n",
            2,
            21,
            "from 0 to 32, found 40",
        );
        assert_error(
            "[api-server]\nmin-prefix-length = -1\n",
            2,
            21,
            "from 0 to 32, found -1",
        );
        assert_error(
            "[kubernetes]\nminimum-version = \"1.32.4\"\n",
            2,
            19,
            "minor version like \"1.32\"",
        );
        assert_error(
            "[kubernetes]\nallowed-registries = [\"mcr.microsoft.com\", \"https://myacr.azurecr.io\"]\n",
            2,
            44,
            "has a URL scheme",
        );
        assert_error(
            "[kubernetes]\nallowed-registries = [\"evil*.azurecr.io\"]\n",
            2,
            23,
            "whole leading label",
        );
        assert_error("select = [\"aks\"]\n", 1, 11, "did you mean `AKS`?");
        assert_error(
            "select = [\"AKS0001\"]\n",
            1,
            11,
            "is not a rule ID or prefix",
        );
        assert_error(
            "exclude = [\"a/**\", \"b/[c\"]\n",
            1,
            20,
            "invalid glob `b/[c`",
        );
        assert_error(
            "exclude = [\"/abs/**\"]\n",
            1,
            12,
            "relative to the directory",
        );
    }

    #[test]
    fn landing_zone_errors() {
        let zone = |body: &str| format!("[[landing-zone]]\n{body}");
        assert_error(
            &zone("name = \"a\"\npaths = [\"a/**\"]\narchetype = \"corporate\"\n"),
            4,
            13,
            "unknown archetype `corporate`; did you mean `corp`? (valid: corp, online, sandbox, platform",
        );
        assert_error(
            &zone("name = \"a\"\npaths = [\"a/{b\"]\narchetype = \"corp\"\n"),
            3,
            10,
            "invalid glob",
        );
        assert_error(
            &zone("name = \"a\"\npaths = []\narchetype = \"corp\"\n"),
            3,
            9,
            "at least one glob",
        );
        assert_error(
            &zone("name = \"a\"\npaths = [\"a/**\"]\narchetype = \"corp\"\nsubscription = \"not-a-guid\"\n"),
            5,
            16,
            "must be a subscription ID",
        );
        assert_error(
            &zone("name = \"a\"\npaths = [\"a/**\"]\n"),
            1,
            1,
            "missing `archetype` in this [[landing-zone]] entry",
        );
        let duplicate = "[[landing-zone]]\nname = \"a\"\npaths = [\"a/**\"]\narchetype = \"corp\"\n\n\
                         [[landing-zone]]\nname = \"a\"\npaths = [\"b/**\"]\narchetype = \"online\"\n";
        assert_error(
            duplicate,
            7,
            8,
            "duplicate landing zone name `a` (first declared on line 1)",
        );
    }

    #[test]
    fn suppression_errors() {
        let entry = |body: &str| format!("\n[[suppress]]\n{body}");
        assert_error(
            &entry("rule = \"K8S003\"\nresource = \"x\"\nreason = \"  \"\n"),
            5,
            10,
            "`reason` must not be empty",
        );
        assert_error(
            &entry("rule = \"K8S003\"\nresource = \"x\"\n"),
            2,
            1,
            "missing `reason`",
        );
        assert_error(
            &entry(
                "rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = \"2027-02-30\"\n",
            ),
            6,
            11,
            "`expires` must be a date \"YYYY-MM-DD\", found \"2027-02-30\"",
        );
        assert_error(
            &entry(
                "rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = \"30/06/2027\"\n",
            ),
            6,
            11,
            "must be a date",
        );
        assert_error(
            &entry("rule = \"K8S\"\nresource = \"x\"\nreason = \"r\"\n"),
            3,
            8,
            "not a rule ID",
        );
        // Unquoted TOML dates are accepted as long as they are dates only.
        let config = parse(&entry(
            "rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = 2028-02-29\n",
        ))
        .unwrap();
        assert_eq!(config.suppress[0].expires.as_deref(), Some("2028-02-29"));
        assert_eq!(config.suppress[0].line, 2);
        assert_error(
            &entry("rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = 2028-02-29T10:00:00\n"),
            6,
            11,
            "must be a date",
        );
    }

    #[test]
    fn columns_count_characters() {
        assert_error(
            "# Zürich — prod\n[kubernetes]\nsensitivity-label = \"ä b\"\n",
            3,
            21,
            "cannot contain whitespace",
        );
        assert_error(
            "[kubernetes]\nsensitive-values = [\"é\", 1]\n",
            2,
            26,
            "this element",
        );
    }

    #[test]
    fn error_display_names_file_line_column() {
        let error = parse("[suppress]\nrul = 1\n").unwrap_err();
        let shown = error.to_string();
        assert!(
            shown.starts_with(&format!("{}:1:1: ", root().join(FILE_NAME).display())),
            "{shown}"
        );
        assert_eq!(error.span, Some(0..10));
        let missing = Config::load(Path::new("/definitely/not/here/aksguard.toml")).unwrap_err();
        assert_eq!(missing.line, 0);
        assert!(missing
            .to_string()
            .contains("cannot read the configuration"));
    }

    #[test]
    fn select_and_ignore_follow_ruff() {
        let config = |select: &[&str], ignore: &[&str]| Config {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
            ..Config::default_for(&root())
        };
        let all = config(&[], &["K8S015"]);
        assert!(all.rule_enabled("AKS001") && !all.rule_enabled("K8S015"));

        let some = config(&["AKS", "ACR", "K8S001"], &["K8S015"]);
        assert!(some.rule_enabled("AKS016") && some.rule_enabled("ACR004"));
        assert!(some.rule_enabled("K8S001") && !some.rule_enabled("K8S002"));
        assert!(!some.rule_enabled("LZ001") && !some.rule_enabled("DEF001"));
        // Engine diagnostics survive a narrow select.
        assert!(some.rule_enabled("AG001"));

        // A more specific select beats a prefix ignore.
        let specific = config(&["AKS001"], &["AKS"]);
        assert!(specific.rule_enabled("AKS001") && !specific.rule_enabled("AKS002"));
        // Surfaces: more specific than ALL, less than any ID prefix.
        let node = config(&["surface:node"], &["AKS016"]);
        assert!(node.rule_enabled("AKS015") && node.rule_enabled("DEF004"));
        assert!(!node.rule_enabled("AKS016") && !node.rule_enabled("AKS005"));
        let no_registry = config(&["ALL"], &["surface:registry"]);
        assert!(!no_registry.rule_enabled("ACR001") && no_registry.rule_enabled("AKS001"));
        assert!(config(&["ACR001"], &["surface:registry"]).rule_enabled("ACR001"));
        assert_error(
            "select = [\"surface:Node\"]\n",
            1,
            11,
            "did you mean `surface:node`?",
        );
        // An ignore beats a less specific select, and wins a tie.
        let ignore_wins = config(&["AKS"], &["AKS00"]);
        assert!(!ignore_wins.rule_enabled("AKS005") && ignore_wins.rule_enabled("AKS016"));
        assert!(!config(&["AKS005"], &["AKS005"]).rule_enabled("AKS005"));
        assert!(config(&["ALL"], &[]).rule_enabled("DEF004"));
        assert!(!config(&[], &["AG002"]).rule_enabled("AG002"));

        let parsed = parse(DESIGN_EXAMPLE).unwrap();
        assert!(parsed.rule_enabled("AKS016") && !parsed.rule_enabled("K8S003"));
        assert_eq!(parsed.severity_for("AKS016", Severity::Low), Severity::Info);
        assert_eq!(parsed.severity_for("AKS017", Severity::Low), Severity::Low);
    }

    #[test]
    fn governance_and_rule_ids() {
        let config = parse(
            "select = [\"AKS\", \"K8S\"]\n[governance]\nunsuppressible = [\"AKS006\", \"K8S0\"]\n",
        )
        .unwrap();
        assert!(config.is_unsuppressible("AKS006") && config.is_unsuppressible("K8S001"));
        assert!(!config.is_unsuppressible("AKS005"));
        let known = ["AKS001", "AKS006", "K8S001", "K8S003"];
        assert!(config.check_rule_ids(&known).is_ok());

        let typo = parse("select = [\"AKS\"]\n\n[severity]\nAKS007 = \"low\"\n").unwrap();
        let error = typo.check_rule_ids(&known).unwrap_err();
        assert_eq!((error.line, error.column), (4, 1));
        assert_eq!(
            error.message,
            "no rule has the ID `AKS007`; did you mean `AKS001`?"
        );
        let prefix = parse("ignore = [\"ACR\"]\n").unwrap();
        let error = prefix.check_rule_ids(&known).unwrap_err();
        assert_eq!((error.line, error.column), (1, 11));
        assert!(error.message.starts_with("no rule ID starts with `ACR`"));
    }

    #[test]
    fn exclude_matches_relative_to_root() {
        let config =
            parse("exclude = [\"**/examples/**\", \"vendor\", \"*.bak.tf\", \"./generated/**\"]\n")
                .unwrap();
        let under = |relative: &str| config.root.join(relative);
        assert!(config.is_excluded(&under("modules/aks/examples/main.tf")));
        assert!(config.is_excluded(&under("examples/main.tf")));
        assert!(config.is_excluded(&under("vendor/chart/templates/x.yaml")));
        assert!(config.is_excluded(&under("old.bak.tf")));
        // `*` does not cross directories.
        assert!(!config.is_excluded(&under("nested/old.bak.tf")));
        assert!(!config.is_excluded(&under("modules/aks/main.tf")));
        assert!(config.is_excluded(&under("modules/../examples/./x.tf")));
        assert!(config.is_excluded(&under("generated/arm/aks.json")));
        assert!(!config.is_excluded(Path::new("/elsewhere/examples/main.tf")));
    }

    #[test]
    fn zone_for_takes_the_first_matching_zone() {
        let config = parse(
            "[[landing-zone]]\nname = \"corp-prod\"\npaths = [\"landing-zones/corp-prod/**\"]\narchetype = \"corp\"\n\n\
             [[landing-zone]]\nname = \"everything-else\"\npaths = [\"landing-zones/*/**\", \"shared\"]\narchetype = \"online\"\n\n\
             [[landing-zone]]\nname = \"hub\"\npaths = [\"hub/**\"]\narchetype = \"connectivity\"\n",
        )
        .unwrap();
        let zone = |relative: &str| {
            config
                .zone_for(&config.root.join(relative))
                .map(|zone| zone.name.as_str())
        };
        assert_eq!(
            zone("landing-zones/corp-prod/terraform/main.tf"),
            Some("corp-prod")
        );
        assert_eq!(
            zone("landing-zones/online-dev/main.tf"),
            Some("everything-else")
        );
        assert_eq!(zone("shared/acr/main.bicep"), Some("everything-else"));
        assert_eq!(zone("hub/main.tf"), Some("hub"));
        assert_eq!(zone("README.md"), None);
        assert_eq!(
            config.landing_zones[2].archetype,
            Archetype::Other("connectivity".to_string())
        );
        assert_eq!(config.default_zone_name(), "repo");
    }

    #[test]
    fn resource_patterns() {
        let config = parse(
            "[[suppress]]\nrule = \"AKS005\"\nresource = \"azurerm_kubernetes_cluster.*\"\nreason = \"r\"\n\n\
             [[suppress]]\nrule = \"ACR002\"\nresource = 'azurerm_container_registry.acr[\"prod\"]'\nreason = \"r\"\nexpires = \"2020-01-01\"\n\n\
             [[suppress]]\nrule = \"ACR004\"\nresource = \"Microsoft.ContainerRegistry/registries/*\"\nreason = \"r\"\n",
        )
        .unwrap();
        let [any_cluster, keyed, arm] = config.suppress.as_slice() else {
            panic!("three suppressions expected");
        };
        assert!(any_cluster.matches("AKS005", "azurerm_kubernetes_cluster.aks"));
        assert!(any_cluster.matches("AKS005", "azurerm_kubernetes_cluster.aks[\"a\"]"));
        assert!(!any_cluster.matches("AKS005", "azurerm_container_registry.acr"));
        assert!(keyed.matches("ACR002", "azurerm_container_registry.acr[\"prod\"]"));
        assert!(!keyed.matches("ACR002", "azurerm_container_registry.acr[\"dev\"]"));
        assert!(arm.matches("ACR004", "microsoft.containerregistry/registries/lzacr"));
        assert!(keyed.is_expired("2026-05-01") && !keyed.is_expired("2020-01-01"));
        assert!(!arm.is_expired("2999-12-31"));
        assert_eq!((keyed.line, arm.line), (6, 12));
    }

    #[test]
    fn find_walks_up() {
        let top = unique_temp_dir("find");
        let nested = top.join("landing-zones/corp/terraform");
        std::fs::create_dir_all(&nested).unwrap();
        let file = nested.join("main.tf");
        std::fs::write(&file, "").unwrap();
        std::fs::write(top.join(FILE_NAME), "fail-on = \"high\"\n").unwrap();

        assert_eq!(Config::find(&nested), Some(top.join(FILE_NAME)));
        assert_eq!(Config::find(&file), Some(top.join(FILE_NAME)));
        let resolved = Config::resolve(&nested, None).unwrap();
        assert_eq!(resolved.fail_on, Severity::High);
        assert_eq!(resolved.root, top);
        assert!(resolved.zone_for(&file).is_none());

        // A closer file wins over the one further up.
        std::fs::write(top.join("landing-zones").join(FILE_NAME), "").unwrap();
        assert_eq!(
            Config::find(&nested),
            Some(top.join("landing-zones").join(FILE_NAME))
        );
        std::fs::remove_dir_all(&top).unwrap();
    }

    #[test]
    fn helpers() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(today_utc().len(), 10);
        assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-13-01"));
        assert!(is_rule_id("K8S001") && is_rule_id("LZ001") && !is_rule_id("AKS"));
        assert!(is_rule_selector("K8S0") && !is_rule_selector("8KS") && !is_rule_selector(""));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn generated_corpus_config_parses() {
        let config = parse(
            "# Landing zones of the synthetic corpus.\n\n[[landing-zone]]\nname = \"lz0000\"\npaths = [\"lz0000/**\"]\n\
             archetype = \"corp\"\nsubscription = \"00000000-1111-4111-8111-111111111111\"\n",
        )
        .unwrap();
        let zone = config
            .zone_for(&config.root.join("lz0000/arm/aks.json"))
            .unwrap();
        assert_eq!(zone.archetype, Archetype::Corp);
    }
}
