//! Landing zones: `[[landing-zone]]` entries and which one a file belongs to.

use super::paths::path_glob;
use super::Config;
use globset::{GlobSet, GlobSetBuilder};
use std::fmt;
use std::path::Path;

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

    pub(super) fn parse(name: &str) -> Option<Archetype> {
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

impl Config {
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
}
