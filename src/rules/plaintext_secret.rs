use super::{catalogue, containers, Context, Rule};
use crate::finding::Finding;
use crate::severity::Severity;
use crate::value::Value;

pub const RULE: Rule = Rule {
    meta: &catalogue::K8S012,
    check,
};

const NAME_HINTS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "API_KEY",
    "ACCESS_KEY",
    "PRIVATE_KEY",
    "ACCOUNT_KEY",
    "CONNECTION_STRING",
    "CONNECTIONSTRING",
    "CREDENTIAL",
];
const VALUE_HINTS: &[&str] = &[
    "accountkey=",
    "password=",
    "pwd=",
    "sharedaccesskey=",
    "-----begin",
];

/// A literal that looks like a credential: by its variable name or by its content.
pub fn looks_secret(name: &str, value: &str) -> bool {
    let value_trimmed = value.trim();
    if value_trimmed.is_empty() {
        return false;
    }
    let lower = value_trimmed.to_ascii_lowercase();
    if VALUE_HINTS.iter().any(|h| lower.contains(h)) {
        return true;
    }
    // Paths, booleans and numbers next to a credential-like name are settings, not secrets.
    if value_trimmed.starts_with('/')
        || matches!(lower.as_str(), "true" | "false" | "yes" | "no")
        || value_trimmed.parse::<f64>().is_ok()
    {
        return false;
    }
    let upper = name.to_ascii_uppercase().replace('-', "_");
    NAME_HINTS.iter().any(|h| upper.contains(h))
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for (_, object, container) in containers(ctx.model) {
        for env in container
            .value()
            .get("env")
            .and_then(Value::as_list)
            .unwrap_or(&[])
        {
            let (Some(name), Some(value_entry)) =
                (env.get("name").and_then(Value::as_str), env.entry("value"))
            else {
                continue;
            };
            let Some(value) = value_entry.value.as_str() else {
                continue;
            };
            if !looks_secret(name, value) {
                continue;
            }
            out.push(RULE.on_object(
                object,
                value_entry.key_loc.unwrap_or(container.anchor),
                format!("Container `{}` gets the credential `{name}` as a literal in the manifest: everyone who can read the chart or the pod spec can read it", container.name),
                "plaintext credential",
                "Keep the secret in Key Vault and mount it with the Secrets Store CSI driver (`SecretProviderClass`), or at least reference a Secret with `valueFrom.secretKeyRef`",
            ));
        }
    }
    for object in ctx.model.objects.iter().filter(|o| o.kind == "Secret") {
        let non_empty = |key: &str| {
            object
                .entry(&[key])
                .filter(|e| !e.value.as_map().is_some_and(<[_]>::is_empty))
        };
        let Some(entry) = non_empty("data").or_else(|| non_empty("stringData")) else {
            continue;
        };
        let mut finding = RULE.on_object(
            object,
            object.header,
            format!("Secret `{}` carries its values in the manifest (`{}`): base64 is not encryption, and the values live in git and the chart", object.name, entry.key),
            "secret values in the manifest",
            "Keep secrets in Key Vault and sync them with a `SecretProviderClass` (Secrets Store CSI driver) instead of committing Secret objects",
        );
        finding.severity = Severity::Medium;
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn credential_shapes() {
        assert!(looks_secret(
            "DB_CONNECTION_STRING",
            "Server=tcp:db;Password=x;"
        ));
        assert!(looks_secret("API_TOKEN", "abc123"));
        assert!(looks_secret(
            "ANYTHING",
            "DefaultEndpointsProtocol=https;AccountKey=abc"
        ));
        assert!(!looks_secret("LOG_LEVEL", "info"));
        assert!(!looks_secret("TOKEN_FILE", "/var/run/secrets/token"));
        assert!(!looks_secret("SECRET_ROTATION_ENABLED", "true"));
    }
}
