//! Registry modules (`br:` and `br/<alias>:` references) as Bicep restores them: `bicep
//! build`, `bicep restore`, `az deployment` and the Bicep editor extension all download a
//! module once into a local cache, as the ARM template it was published as. aksguard never
//! downloads anything; it reads that cache when the module is there, and treats the module
//! as unknown (as before) when it is not.
//!
//! The cache layout is the Bicep CLI's (`OciArtifactRegistry.GetArtifactDirectory`):
//! `<cache root>/br/<registry, lowercase, ':' as '$'>/<repository, '/' as '$'>/<tag, with
//! its upper-case letters encoded>/main.json`, or `.../<digest, ':' as '#'>/main.json`.
//! The cache root is `cacheRootDirectory` of the nearest `bicepconfig.json`, else
//! `~/.bicep`. Aliases come from `moduleAliases.br` of that file, plus the built-in
//! `public` (`mcr.microsoft.com/bicep`).

use crate::value::Value;
use std::path::{Path, PathBuf};

/// What a `br:` / `br/<alias>:` reference names.
#[derive(Debug, PartialEq)]
struct Reference {
    registry: String,
    repository: String,
    version: Version,
}

#[derive(Debug, PartialEq)]
enum Version {
    Tag(String),
    Digest(String),
}

/// Is this module path a registry reference (`br:...` or `br/alias:...`)?
pub fn is_registry_reference(reference: &str) -> bool {
    let lower = reference.to_ascii_lowercase();
    lower.starts_with("br:") || lower.starts_with("br/")
}

/// The restored `main.json` of a registry module referenced from the Bicep file `from`,
/// when the cache holds it.
pub fn cached_module(from: &Path, reference: &str) -> Option<PathBuf> {
    let config = BicepConfig::nearest(from);
    let parsed = parse(reference, &config)?;
    let root = config.cache_root.or_else(default_cache_root)?;
    let file = artifact_directory(&root, &parsed).join("main.json");
    file.is_file().then_some(file)
}

fn artifact_directory(cache_root: &Path, reference: &Reference) -> PathBuf {
    let registry = reference.registry.replace(':', "$").to_ascii_lowercase();
    let repository = reference.repository.replace('/', "$");
    let version = match &reference.version {
        Version::Tag(tag) => encode_tag(tag),
        Version::Digest(digest) => digest.replace(':', "#"),
    };
    cache_root
        .join("br")
        .join(registry)
        .join(repository)
        .join(version)
}

/// Tags are case-sensitive but file systems may not be: Bicep appends `$` and a hex mask
/// of the upper-case positions (none for an all-lower-case tag such as `0.11.1`).
fn encode_tag(tag: &str) -> String {
    let mut mask = [0u64; 2];
    for (i, c) in tag.chars().enumerate().take(128) {
        if c.is_uppercase() {
            mask[i / 64] |= 1 << (i % 64);
        }
    }
    let mut out = format!("{tag}$");
    let mut leading_zeros = false;
    for part in mask.iter().rev() {
        if *part != 0 || leading_zeros {
            if leading_zeros {
                out.push_str(&format!("{part:016x}"));
            } else {
                out.push_str(&format!("{part:x}"));
            }
            leading_zeros = true;
        }
    }
    out
}

fn parse(reference: &str, config: &BicepConfig) -> Option<Reference> {
    let (scheme, rest) = reference.split_once(':')?;
    let (registry, path_and_version) = match scheme.to_ascii_lowercase().as_str() {
        "br" => rest.split_once('/')?,
        alias_scheme => {
            let alias = alias_scheme.strip_prefix("br/")?;
            let (registry, prefix) = config.alias(alias)?;
            let path_and_version = match prefix {
                Some(prefix) => format!("{}/{rest}", prefix.trim_end_matches('/')),
                None => rest.to_string(),
            };
            return split_version(&registry, &path_and_version);
        }
    };
    split_version(registry, path_and_version)
}

fn split_version(registry: &str, path_and_version: &str) -> Option<Reference> {
    let (repository, version) = match path_and_version.split_once('@') {
        Some((repository, digest)) => (repository, Version::Digest(digest.to_string())),
        None => {
            let (repository, tag) = path_and_version.rsplit_once(':')?;
            (repository, Version::Tag(tag.to_string()))
        }
    };
    if registry.is_empty() || repository.is_empty() {
        return None;
    }
    Some(Reference {
        registry: registry.to_string(),
        repository: repository.to_string(),
        version,
    })
}

fn default_cache_root() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").or_else(|| std::env::var_os("USERPROFILE"))?;
    Some(PathBuf::from(home).join(".bicep"))
}

/// The parts of `bicepconfig.json` that decide where a registry module is cached.
#[derive(Default)]
struct BicepConfig {
    /// `moduleAliases.br`: alias -> (registry, module path prefix).
    aliases: Vec<(String, String, Option<String>)>,
    cache_root: Option<PathBuf>,
}

impl BicepConfig {
    /// The nearest `bicepconfig.json` at or above the Bicep file's directory, as Bicep
    /// looks it up; an unreadable one counts as absent.
    fn nearest(from: &Path) -> BicepConfig {
        let mut dir = from.parent();
        while let Some(d) = dir {
            let candidate = d.join("bicepconfig.json");
            if candidate.is_file() {
                return crate::input::read_text(&candidate)
                    .ok()
                    .and_then(|text| crate::json::value(0, &text).ok())
                    .map(|value| BicepConfig::from_value(&value, d))
                    .unwrap_or_default();
            }
            dir = d.parent();
        }
        BicepConfig::default()
    }

    fn from_value(value: &Value, dir: &Path) -> BicepConfig {
        let mut aliases = Vec::new();
        let br = value.get("moduleAliases").and_then(|m| m.get("br"));
        for entry in br.and_then(Value::as_map).unwrap_or(&[]) {
            if let Some(registry) = entry.value.get("registry").and_then(Value::as_str) {
                let prefix = entry
                    .value
                    .get("modulePath")
                    .and_then(Value::as_str)
                    .map(str::to_string);
                aliases.push((entry.key.clone(), registry.to_string(), prefix));
            }
        }
        let cache_root = value
            .get("cacheRootDirectory")
            .and_then(Value::as_str)
            .map(|root| match root.strip_prefix("~/") {
                Some(rest) => default_cache_root()
                    .and_then(|bicep| bicep.parent().map(|home| home.join(rest)))
                    .unwrap_or_else(|| PathBuf::from(root)),
                // A relative root is taken from the configuration file's directory.
                None => super::eval::resolve_relative(&dir.join("bicepconfig.json"), root),
            });
        BicepConfig {
            aliases,
            cache_root,
        }
    }

    fn alias(&self, name: &str) -> Option<(String, Option<String>)> {
        if let Some((_, registry, prefix)) = self.aliases.iter().find(|(a, _, _)| a == name) {
            return Some((registry.clone(), prefix.clone()));
        }
        (name == "public").then(|| ("mcr.microsoft.com".to_string(), Some("bicep".to_string())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(reference: &str) -> String {
        let parsed = parse(reference, &BicepConfig::default()).unwrap();
        artifact_directory(Path::new("/c"), &parsed)
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn public_alias_and_explicit_registry_map_to_the_bicep_cache_layout() {
        assert_eq!(
            dir("br/public:avm/res/container-service/managed-cluster:0.11.1"),
            "/c/br/mcr.microsoft.com/bicep$avm$res$container-service$managed-cluster/0.11.1$"
        );
        assert_eq!(
            dir("br:Contoso.azurecr.io:443/modules/aks:v1"),
            "/c/br/contoso.azurecr.io$443/modules$aks/v1$"
        );
        assert_eq!(
            dir("br:contoso.azurecr.io/aks@sha256:abc"),
            "/c/br/contoso.azurecr.io/aks/sha256#abc"
        );
    }

    #[test]
    fn upper_case_tag_letters_are_encoded_as_a_mask() {
        assert_eq!(encode_tag("v1"), "v1$");
        assert_eq!(encode_tag("V1"), "V1$1");
        assert_eq!(encode_tag("aB"), "aB$2");
        let long = format!("{}X", "a".repeat(64));
        assert_eq!(encode_tag(&long), format!("{long}$10000000000000000"));
    }

    #[test]
    fn configured_aliases_and_cache_root() {
        let config = crate::json::value(
            0,
            r#"{ // comments are allowed
              "cacheRootDirectory": "cache",
              "moduleAliases": {"br": {"corp": {"registry": "corp.azurecr.io", "modulePath": "infra/modules"}}}
            }"#,
        )
        .unwrap();
        let config = BicepConfig::from_value(&config, Path::new("/repo"));
        assert_eq!(config.cache_root, Some(PathBuf::from("/repo/cache")));
        let parsed = parse("br/corp:aks:2.0.0", &config).unwrap();
        assert_eq!(parsed.registry, "corp.azurecr.io");
        assert_eq!(parsed.repository, "infra/modules/aks");
        assert_eq!(parse("br/unknown:aks:1", &config), None);
        assert!(is_registry_reference("br/public:x:1"));
        assert!(!is_registry_reference("./aks.bicep"));
    }
}
