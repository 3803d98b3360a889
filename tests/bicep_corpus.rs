//! Every `.bicep` file under a directory must parse without error (the real-world corpus
//! lives outside the repository, so this is opt-in):
//!
//! ```sh
//! BICEP_CORPUS=../shared/corpus/real cargo test --test bicep_corpus -- --ignored --nocapture
//! ```
//! `.bicepparam` files are checked too.

use aksguard::bicep::syntax;
use walkdir::WalkDir;

#[test]
#[ignore = "needs BICEP_CORPUS pointing at a directory of .bicep files"]
fn every_corpus_bicep_file_parses() {
    let root = std::env::var("BICEP_CORPUS").unwrap_or_else(|_| "../shared/corpus/real".into());
    let mut total = 0;
    let mut failed = Vec::new();
    for entry in WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let path = entry.path();
        let is_bicep = path
            .extension()
            .is_some_and(|e| e == "bicep" || e == "bicepparam");
        if !is_bicep {
            continue;
        }
        total += 1;
        let text = std::fs::read_to_string(path).expect("readable");
        let tree = syntax::parse(&text).expect("a tree");
        if let Some(error) = syntax::first_error(&tree) {
            let at = error.start_position();
            failed.push(format!(
                "{}:{}:{}: {}",
                path.display(),
                at.row + 1,
                at.column + 1,
                error.to_sexp().chars().take(80).collect::<String>()
            ));
        }
    }
    for f in &failed {
        println!("{f}");
    }
    println!(
        "{} of {total} .bicep and .bicepparam files parse",
        total - failed.len()
    );
    assert!(total > 0, "no Bicep files under {root}");
    assert!(failed.is_empty(), "{} files fail to parse", failed.len());
}

/// How many AKS and ACR security fields of the corpus's Bicep roots resolve to a value,
/// stay at their default, or stay unknown (roots: files no other corpus file calls as a
/// module; modules are followed):
///
/// ```sh
/// BICEP_CORPUS=../shared/corpus/real cargo test --test bicep_corpus -- --ignored --nocapture
/// ```
#[test]
#[ignore = "needs BICEP_CORPUS pointing at a directory of .bicep files"]
fn corpus_security_fields_resolve() {
    use aksguard::bicep::{self, Files, Input};
    use aksguard::model::cluster::lower_cluster;
    use aksguard::model::field::{Field, State};
    use aksguard::model::registry::lower_registry;
    use std::collections::{HashMap, HashSet};
    use std::path::{Path, PathBuf};

    struct Corpus(HashMap<PathBuf, (u32, String)>);
    impl Files for Corpus {
        fn get(&self, path: &Path) -> Option<(u32, &str)> {
            self.0.get(path).map(|(id, text)| (*id, text.as_str()))
        }
    }
    let root = std::env::var("BICEP_CORPUS").unwrap_or_else(|_| "../shared/corpus/real".into());
    let root = std::fs::canonicalize(root).expect("corpus directory");
    let mut files = HashMap::new();
    for entry in WalkDir::new(&root)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.path().extension().is_some_and(|e| e == "bicep") {
            let text = std::fs::read_to_string(entry.path()).expect("readable");
            let id = files.len() as u32;
            files.insert(entry.path().to_path_buf(), (id, text));
        }
    }
    let called: HashSet<PathBuf> = files
        .iter()
        .flat_map(|(path, (id, text))| bicep::outline(*id, path, text).modules)
        .collect();
    let corpus = Corpus(files);
    // Set, default, unknown.
    let mut counts = [0usize; 3];
    fn count<T>(counts: &mut [usize; 3], field: &Field<T>) {
        let slot = match field.state {
            State::Set => 0,
            State::Default => 1,
            State::Unknown => 2,
        };
        counts[slot] += 1;
    }
    for (path, (id, text)) in &corpus.0 {
        if called.contains(path) {
            continue;
        }
        let input = Input {
            file: *id,
            path,
            text,
        };
        for res in bicep::load(input, None, &corpus).resources {
            if res.existing {
                continue;
            }
            if res
                .kind
                .eq_ignore_ascii_case("Microsoft.ContainerService/managedClusters")
            {
                let c = lower_cluster(&res);
                for f in [
                    &c.private_cluster,
                    &c.entra_integration,
                    &c.entra_managed,
                    &c.azure_rbac,
                    &c.local_accounts_disabled,
                    &c.kubernetes_rbac,
                    &c.azure_policy,
                    &c.workload_identity,
                    &c.oidc_issuer,
                    &c.keyvault_csi,
                    &c.keyvault_rotation,
                    &c.defender,
                    &c.ssh_key,
                ] {
                    count(&mut counts, f);
                }
                for f in [
                    &c.network_policy,
                    &c.upgrade_channel,
                    &c.node_os_channel,
                    &c.kubernetes_version,
                    &c.support_plan,
                ] {
                    count(&mut counts, f);
                }
                count(&mut counts, &c.authorized_ip_ranges);
            } else if res
                .kind
                .eq_ignore_ascii_case("Microsoft.ContainerRegistry/registries")
            {
                let r = lower_registry(&res, 0, 0);
                for f in [&r.admin_user, &r.anonymous_pull] {
                    count(&mut counts, f);
                }
                for f in [
                    &r.sku,
                    &r.public_network,
                    &r.default_action,
                    &r.content_trust,
                    &r.retention,
                    &r.quarantine,
                ] {
                    count(&mut counts, f);
                }
            }
        }
    }
    println!(
        "AKS/ACR security fields from Bicep: {} set, {} default (absent), {} unknown",
        counts[0], counts[1], counts[2]
    );
    assert!(counts[0] > 0);
}
