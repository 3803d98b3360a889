//! Registry and git modules as `terraform init` installs them: into
//! `<root>/.terraform/modules/`, listed in `modules.json` with the key of each call (`aks`,
//! and `aks.network` for a call inside that module) and its directory, relative to the
//! root. aksguard never downloads a module; when a CI job or a developer has run
//! `terraform init`, the installed copy is evaluated like a local module, and otherwise the
//! module stays unknown.

use std::path::{Component, Path, PathBuf};

/// What `terraform init` recorded for a root in `modules.json`: every installed module
/// (key, directory), and, when the file is there but cannot be used (a FIFO, a device,
/// over 16 MiB, not JSON), the file and why: its modules then count as not installed,
/// which the scan must say.
#[derive(Default)]
pub struct Manifest {
    pub modules: Vec<(String, PathBuf)>,
    pub unreadable: Option<(PathBuf, String)>,
}

/// The root's `modules.json`, read once; empty without `terraform init` (one look at the
/// disk, as most roots of a scan have none, and none when the walk saw no `.terraform`
/// in the root).
pub fn manifest(root: &Path, listed: &crate::discover::Listed) -> Manifest {
    let terraform = root.join(".terraform");
    if !listed.may_exist(&terraform) {
        return Manifest::default();
    }
    let path = terraform.join("modules").join("modules.json");
    if std::fs::symlink_metadata(&path).is_err() {
        return Manifest::default();
    }
    let json = crate::input::read_text(&path)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            serde_json::from_str::<serde_json::Value>(&text)
                .map_err(|e| format!("it is not JSON (line {}, column {})", e.line(), e.column()))
        });
    match json {
        Ok(json) => Manifest {
            modules: listed_modules(root, &json),
            unreadable: None,
        },
        Err(reason) => Manifest {
            modules: Vec::new(),
            unreadable: Some((path, reason)),
        },
    }
}

/// Every installed module of the root: (key, directory). Empty without `terraform init`.
pub fn installed_modules(root: &Path) -> Vec<(String, PathBuf)> {
    manifest(root, &crate::discover::Listed::default()).modules
}

fn listed_modules(root: &Path, json: &serde_json::Value) -> Vec<(String, PathBuf)> {
    let Some(modules) = json.get("Modules").and_then(|m| m.as_array()) else {
        return Vec::new();
    };
    modules
        .iter()
        .filter_map(|m| {
            let key = m.get("Key")?.as_str()?;
            let dir = m.get("Dir")?.as_str()?;
            // The root itself is listed with an empty key.
            (!key.is_empty())
                .then(|| (key.to_string(), crate::discover::normalize(&root.join(dir))))
        })
        .filter(|(_, dir)| dir.is_dir())
        .collect()
}

/// The `modules.json` key of a module call: the names of the module blocks that lead to
/// it, without instance keys (`module.aks["a"].module.net.` + `sub` -> `aks.net.sub`).
pub fn call_key(prefix: &str, name: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    let mut rest = prefix;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(&after[..end]);
        rest = &after[end..];
        if rest.starts_with('[') {
            // Skip the instance key, which may itself contain dots (`["a.b"]`).
            rest = match rest.find("].") {
                Some(close) => &rest[close + 1..],
                None => "",
            };
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    names.push(name);
    names.join(".")
}

/// Does this path lie in a module `terraform init` installed (`.terraform/modules/...`)?
pub fn is_installed(path: &Path) -> bool {
    let mut components = path.components().peekable();
    while let Some(component) = components.next() {
        if component == Component::Normal(".terraform".as_ref())
            && components.peek() == Some(&Component::Normal("modules".as_ref()))
        {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_keys_drop_instance_keys() {
        assert_eq!(call_key("", "aks"), "aks");
        assert_eq!(call_key("module.aks.", "net"), "aks.net");
        assert_eq!(
            call_key("module.aks[\"a.b\"].module.net[0].", "sub"),
            "aks.net.sub"
        );
    }

    #[test]
    fn installed_paths() {
        assert!(is_installed(Path::new("/r/.terraform/modules/aks/main.tf")));
        assert!(!is_installed(Path::new("/r/modules/aks/main.tf")));
    }
}
