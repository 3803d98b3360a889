//! A scan parses each JSON file once: deciding whether it is a template or a parameters
//! file, evaluating it (once per module instance that deploys it), asking whether Bicep
//! compiled it and comparing a compiled template with its `.bicep` twin all read the same
//! tree. The trees go once evaluation is done, so they do not sit beside the model and the
//! report: rendering the fixes parses a file again only where a fix adds a property, once
//! for all of them. The count of parses is process-wide: this file holds this one test so
//! that no other scan runs beside it.

use aksguard::config::Config;
use aksguard::engine;
use std::path::PathBuf;

#[test]
fn every_json_file_is_parsed_once_per_scan() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    // Templates and parameters files, templates Bicep compiled (with and without their
    // `.bicep` source beside them, one with symbolic names) and a template a Bicep module
    // loop deploys twice.
    let dirs: Vec<PathBuf> = [
        "testdata/arm",
        "testdata/armparams/named",
        "testdata/twins",
        "testdata/json_parse_once",
    ]
    .iter()
    .map(|d| root.join(d))
    .collect();
    let config = Config::default_for(&root.join("testdata/json_parse_once"));
    let before = aksguard::json::parses();
    let scan = engine::lint(&engine::Request::new(&dirs, &config));
    let parsed = aksguard::json::parses() - before;
    // Every report renders the fix of every finding.
    let fixes: Vec<_> = scan
        .findings
        .iter()
        .map(|f| (f, aksguard::fix::render(&scan.sources, f)))
        .collect();
    let parsed_for_fixes = aksguard::json::parses() - before - parsed;
    assert!(scan.errors.is_empty(), "{:?}", scan.errors);

    let json_files = scan
        .sources
        .iter()
        .filter(|f| f.path.extension().is_some_and(|e| e == "json"))
        .count();
    assert_eq!(json_files, 12, "JSON files read");

    // Both instances of the looped module are reported in the template, each with the
    // fix that adds `disableLocalAccounts` to the cluster's properties.
    let cluster = "testdata/json_parse_once/cluster.json";
    let mut local_accounts: Vec<(String, usize, usize, String, String)> = fixes
        .iter()
        .filter(|(f, _)| {
            f.rule == "AKS005" && scan.sources.get(f.at.file).display.ends_with(cluster)
        })
        .map(|(f, fix)| {
            let file = scan.sources.get(f.at.file);
            let (line, column) = file.line_col(f.at.start);
            let edit = &fix.as_ref().expect("a fix").edits[0];
            let (edit_line, _) = scan.sources.get(edit.file).line_col(edit.start as u32);
            (
                f.rule.to_string(),
                line,
                column,
                f.resource.clone(),
                format!("line {edit_line}: {:?}", edit.content),
            )
        })
        .collect();
    local_accounts.sort();
    let fix = r#"line 27: ",\n        \"disableLocalAccounts\": true""#.to_string();
    assert_eq!(
        local_accounts,
        [
            (
                "AKS005".to_string(),
                12,
                7,
                "Microsoft.ContainerService/managedClusters/east-aks".to_string(),
                fix.clone()
            ),
            (
                "AKS005".to_string(),
                12,
                7,
                "Microsoft.ContainerService/managedClusters/west-aks".to_string(),
                fix
            ),
        ]
    );
    assert_eq!(parsed, json_files, "JSON files parsed in one scan");

    // The files where a fix adds a property (its edit inserts), each parsed once more
    // however many fixes it takes; no other fix parses.
    let inserted: std::collections::BTreeSet<String> = fixes
        .iter()
        .filter_map(|(_, fix)| fix.as_ref())
        .flat_map(|fix| &fix.edits)
        .filter(|edit| edit.start == edit.end)
        .map(|edit| scan.sources.get(edit.file).display.clone())
        .filter(|path| path.ends_with(".json"))
        .collect();
    assert!(
        inserted.iter().any(|path| path.ends_with(cluster)),
        "{inserted:?}"
    );
    assert_eq!(parsed_for_fixes, inserted.len(), "{inserted:?}");
}
