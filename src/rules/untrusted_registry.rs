use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::model::Model;

pub use crate::build::dockerfile::registry_host;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S010,
    check,
};

/// Exact host, or `*.suffix` matching whole labels (`evilazurecr.io` is not `*.azurecr.io`).
pub fn allowed(host: &str, pattern: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let bare = host.split(':').next().unwrap_or(host);
    match pattern.strip_prefix("*.") {
        Some(suffix) => bare
            .strip_suffix(suffix)
            .is_some_and(|rest| rest.len() > 1 && rest.ends_with('.')),
        None => host == pattern || bare == pattern,
    }
}

/// Whether the registry `host` is allowed for a file of landing zone `zone`: the
/// `[kubernetes] allowed-registries` patterns, else the registries the zone declares plus
/// `mcr.microsoft.com`. Returns (allowed, the allowed list as shown to the user); None when
/// it cannot be decided (a registry of the zone has an unknown name and `host` is an
/// `azurecr.io` registry). BLD003 shares this with K8S010.
pub fn zone_allows(ctx: &Context, zone: usize, host: &str) -> Option<(bool, String)> {
    let model = ctx.model;
    match &ctx.config.kubernetes.allowed_registries {
        Some(patterns) => Some((
            patterns.iter().any(|p| allowed(host, p)),
            patterns.join(", "),
        )),
        None => {
            let zone_registries: Vec<Option<String>> =
                Model::in_zone(&model.index.registries_by_zone, zone)
                    .iter()
                    .map(|&i| &model.registries[i])
                    .map(|r| {
                        r.name
                            .as_ref()
                            .map(|n| format!("{}.azurecr.io", n.to_ascii_lowercase()))
                    })
                    .collect();
            // A registry of the zone whose name is not known might be this one.
            if host.ends_with(".azurecr.io") && zone_registries.iter().any(Option::is_none) {
                return None;
            }
            let mut list: Vec<String> = zone_registries.into_iter().flatten().collect();
            list.push("mcr.microsoft.com".to_string());
            Some((list.iter().any(|p| allowed(host, p)), list.join(", ")))
        }
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        let Some(entry) = container.value().entry("image") else {
            continue;
        };
        let Some(image) = entry.value.as_str() else {
            continue;
        };
        let host = registry_host(image);
        let Some((ok, list)) = zone_allows(ctx, object.zone, &host) else {
            continue;
        };
        if ok {
            continue;
        }
        out.push(RULE.on_object(
            object,
            entry.key_loc.unwrap_or(container.anchor),
            format!("Container `{}` pulls `{image}` from `{host}`, which is not an allowed registry (allowed: {list})", container.name),
            "image from an untrusted registry",
            "Import the image into the landing zone's own registry (`az acr import`) and reference it there, or add the registry to `[kubernetes] allowed-registries`",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_patterns() {
        assert_eq!(registry_host("nginx"), "docker.io");
        assert_eq!(registry_host("library/nginx:1.27"), "docker.io");
        assert_eq!(
            registry_host("myacr.azurecr.io/web@sha256:ab"),
            "myacr.azurecr.io"
        );
        assert_eq!(registry_host("localhost:5000/x"), "localhost:5000");
        assert!(allowed("myacr.azurecr.io", "*.azurecr.io"));
        assert!(!allowed("evilazurecr.io", "*.azurecr.io"));
        assert!(!allowed("azurecr.io", "*.azurecr.io"));
        assert!(allowed("mcr.microsoft.com", "mcr.microsoft.com"));
    }
}
