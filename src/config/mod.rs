//! `aksguard.toml`: the project configuration (DESIGN §5, §6).
//!
//! The file is parsed into `toml`'s spanned document tree and validated by hand rather than
//! through `#[derive(Deserialize)]`: serde stops at the first unknown field without saying
//! where the key is or what was meant, and AG004 has to name the line, the column and the
//! closest valid key.
//!
//! `file` finds and reads it, `document` turns the TOML tree into typed reads with
//! positions, `schema` says what each key accepts; what the result means is in `selection`
//! (rules on and off, severities), `paths` (exclude), `zones` and `suppression`.

mod document;
mod file;
mod paths;
mod schema;
mod selection;
mod suggest;
mod suppression;
#[cfg(test)]
mod tests;
mod zones;

pub use selection::check_rule_selector;
pub use suppression::{today_utc, Suppression};
pub use zones::{Archetype, LandingZone};

use crate::severity::Severity;
use globset::{GlobSet, GlobSetBuilder};
use paths::absolute;
use selection::RuleRef;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The name `find` looks for.
pub const FILE_NAME: &str = "aksguard.toml";

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
    /// `baseline = "FILE"`, relative to the configuration's directory: the baseline the
    /// command line (unless `--baseline` names another) and the language server both apply.
    pub baseline: Option<PathBuf>,
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

#[derive(Clone, Debug)]
pub struct BuildConfig {
    /// Globs of base images that run as a non-root user (BLD001), matched against the
    /// reference as written and fully qualified (`docker.io/library/...`), digest removed.
    non_root_bases: Vec<String>,
    /// Extra scan actions, tasks or commands that count as an image scan (BLD007).
    pub scanners: Vec<String>,
    /// `non_root_bases` compiled, once per configuration rather than once per image.
    non_root_set: GlobSet,
}

impl BuildConfig {
    /// Sets `non_root_bases`, already checked to be valid globs.
    fn set_non_root_bases(&mut self, patterns: Vec<String>) {
        let mut builder = GlobSetBuilder::new();
        for pattern in &patterns {
            if let Ok(glob) = globset::Glob::new(pattern) {
                builder.add(glob);
            }
        }
        self.non_root_set = builder.build().unwrap_or_else(|_| GlobSet::empty());
        self.non_root_bases = patterns;
    }

    /// Does `image` (lower-case, digest removed) match a `non-root-bases` glob?
    pub fn is_non_root_base(&self, image: &str) -> bool {
        self.non_root_set.is_match(image)
    }
}

/// Tags naming a non-root variant, and Microsoft's chiseled Ubuntu images (they run as
/// the `app` user, UID 1654).
pub const DEFAULT_NON_ROOT_BASES: &[&str] = &["*:*nonroot*", "mcr.microsoft.com/*:*chiseled*"];

impl Default for BuildConfig {
    fn default() -> Self {
        let mut build = BuildConfig {
            non_root_bases: Vec::new(),
            scanners: Vec::new(),
            non_root_set: GlobSet::empty(),
        };
        build.set_non_root_bases(
            DEFAULT_NON_ROOT_BASES
                .iter()
                .map(|s| s.to_string())
                .collect(),
        );
        build
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
            baseline: None,
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
}
