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
