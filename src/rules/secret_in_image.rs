use super::{catalogue, Context, Rule};
use crate::build::dockerfile::Word;
use crate::finding::Finding;
use crate::source::Loc;

pub const RULE: Rule = Rule {
    meta: &catalogue::BLD005,
    check,
};

/// Single words of a credential-like name (`DB_PASSWORD`, `sasToken`).
const SECRET_WORDS: &[&str] = &["password", "passwd", "secret", "token", "sas"];
/// Pairs of words (`API_KEY`, `ClientSecret`, `ConnectionStrings__Db`).
const SECRET_PAIRS: &[(&str, &str)] = &[
    ("api", "key"),
    ("access", "key"),
    ("private", "key"),
    ("client", "secret"),
    ("connection", "string"),
    ("connection", "strings"),
];
/// A last word that makes the value a reference to a secret, not the secret itself.
const NOT_THE_SECRET: &[&str] = &[
    "file", "path", "dir", "url", "uri", "name", "endpoint", "header", "type", "length", "ttl",
    "expiry", "location", "id",
];

/// The words of a name: split at `_`, `-`, `.` and lower-to-upper case changes.
fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            previous_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && previous_lower && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

pub fn credential_name(name: &str) -> bool {
    let words = name_words(name);
    if words
        .last()
        .is_some_and(|w| NOT_THE_SECRET.contains(&w.as_str()))
    {
        return false;
    }
    let single = words.iter().any(|w| {
        SECRET_WORDS
            .iter()
            .any(|s| w == s || (*s != "sas" && w.ends_with(s)))
    });
    let pair = words
        .windows(2)
        .any(|p| SECRET_PAIRS.iter().any(|(a, b)| p[0] == *a && p[1] == *b));
    let joined = words.iter().any(|w| {
        SECRET_PAIRS
            .iter()
            .any(|(a, b)| w.ends_with(&format!("{a}{b}")))
    });
    single || pair || joined
}

/// A source file name that holds a private key or credentials.
pub fn credential_file(source: &str) -> bool {
    let name = source
        .trim_end_matches('/')
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(source)
        .to_ascii_lowercase();
    name.starts_with("id_rsa")
        || name.starts_with("id_ed25519")
        || [".pem", ".key", ".pfx", ".p12", ".publishsettings"]
            .iter()
            .any(|ext| name.ends_with(ext))
        || matches!(name.as_str(), ".env" | ".npmrc" | ".pypirc" | "credentials")
}

/// `NAME=value` pairs of an `ENV` or `ARG` (legacy `ENV NAME value` too), with the span.
fn assignments<'a>(keyword: &str, args: &'a [Word]) -> Vec<(&'a str, String, Loc)> {
    match args.first() {
        Some(first) if keyword == "ENV" && !first.text.contains('=') => {
            let value: Vec<&str> = args[1..].iter().map(|w| w.text.as_str()).collect();
            let end = args.last().map_or(first.loc, |w| w.loc);
            vec![(
                first.text.as_str(),
                value.join(" "),
                Loc::new(first.loc.file, first.loc.start as usize, end.end as usize),
            )]
        }
        _ => args
            .iter()
            .filter_map(|w| {
                let (name, value) = w.text.split_once('=')?;
                Some((name, value.to_string(), w.loc))
            })
            .collect(),
    }
}

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for dockerfile in &ctx.model.dockerfiles {
        // Global ARGs (before the first FROM) belong to the first stage's address.
        let mut stage_index = 0usize;
        for (index, instruction) in dockerfile.instructions.iter().enumerate() {
            while dockerfile
                .stages
                .get(stage_index + 1)
                .is_some_and(|s| s.from <= index)
            {
                stage_index += 1;
            }
            let Some(stage) = dockerfile.stages.get(stage_index) else {
                continue;
            };
            match instruction.keyword {
                "ENV" | "ARG" => {
                    for (name, value, at) in assignments(instruction.keyword, &instruction.args) {
                        // A reference to another variable is not a literal secret.
                        if value.is_empty() || value.contains('$') || !credential_name(name) {
                            continue;
                        }
                        let kind = if instruction.keyword == "ENV" {
                            "the value is stored in the image configuration (`docker inspect` shows it)"
                        } else {
                            "the default is recorded in the image history (`docker history` shows it)"
                        };
                        out.push(RULE.on_address(
                            &stage.address,
                            at,
                            format!(
                                "`{} {}` holds a literal credential: {kind}",
                                instruction.keyword,
                                crate::build::printable(name)
                            ),
                            "literal secret".to_string(),
                            "Pass build-time secrets with `RUN --mount=type=secret,id=...` (BuildKit) and runtime secrets through Key Vault and the Secrets Store CSI driver, never as ENV or ARG values".to_string(),
                        ));
                    }
                }
                "COPY" | "ADD" if !instruction.exec_form || instruction.args.len() > 1 => {
                    let sources = &instruction.args[..instruction.args.len().saturating_sub(1)];
                    for source in sources {
                        if source.text.starts_with("<<") || !credential_file(&source.text) {
                            continue;
                        }
                        out.push(RULE.on_address(
                            &stage.address,
                            source.loc,
                            format!(
                                "`{}` puts `{}`, a private key or credentials file, into the image file system",
                                instruction.keyword,
                                crate::build::printable(&source.text)
                            ),
                            "credential file".to_string(),
                            "Mount it only for the step that needs it (`RUN --mount=type=secret`), or deliver it at run time from Key Vault through the Secrets Store CSI driver; a file deleted in a later layer stays in the earlier one".to_string(),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_files() {
        for name in [
            "DB_PASSWORD",
            "NUGET_API_KEY",
            "ConnectionStrings__Db",
            "sasToken",
            "AZURE_CLIENT_SECRET",
            "GITHUB_TOKEN",
            "MYSQL_ROOT_PASSWD",
            "privateKey",
        ] {
            assert!(credential_name(name), "{name}");
        }
        for name in [
            "PASSWORD_FILE",
            "TOKEN_URL",
            "SASL_MECHANISM",
            "KEY_VAULT_NAME",
            "LOG_LEVEL",
            "SECRET_NAME",
        ] {
            assert!(!credential_name(name), "{name}");
        }
        assert!(credential_file("certs/server.pfx") && credential_file(".env"));
        assert!(
            credential_file("/root/.ssh/id_ed25519.pub") && credential_file("deploy/credentials")
        );
        assert!(!credential_file("appsettings.json") && !credential_file(".envrc"));
    }
}
