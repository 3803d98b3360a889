//! `--format markdown`: the summary for pull requests and job summaries, against a golden
//! file (testdata/markdown.expected.md; `AKSGUARD_BLESS=1` rewrites it) and under GitHub's
//! 65,536-character limit on a generated scan of thousands of findings.

use std::path::Path;
use std::process::Command;

fn markdown(args: &[&str], dir: &Path) -> (i32, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .args(["--format", "markdown"])
        .output()
        .expect("run aksguard");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8"),
    )
}

const BASE: &str = "https://github.com/example/infra/blob/0123abc";

#[test]
fn markdown_summary_matches_the_golden_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, got) = markdown(&["testdata/markdown", "--link-base", BASE], root);
    assert_eq!(code, 2, "a parse error makes the exit code 2\n{got}");
    let golden = root.join("testdata/markdown.expected.md");
    if std::env::var_os("AKSGUARD_BLESS").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(got, expected, "run with AKSGUARD_BLESS=1 to accept");

    // What the golden file must show, whatever else changes in it.
    assert!(got.contains(
        "[testdata/markdown/terraform/main\\.tf:6](https://github.com/example/infra/blob/0123abc/testdata/markdown/terraform/main.tf#L6)"
    ));
    assert!(got.contains("| high | [AKS005]("), "{got}");
    assert!(got.contains("### Not evaluated"), "{got}");
    assert!(got.contains("module\\.network"), "{got}");
    assert!(got.contains("### Could not be read"), "{got}");
    assert!(got.contains("testdata/markdown/arm/broken\\.json"), "{got}");
    // The cluster named with markup in the ARM file shows as text.
    let markup = got
        .replace("<details>", "")
        .replace("</details>", "")
        .replace("<summary>", "")
        .replace("</summary>", "");
    for (at, _) in markup.match_indices('<') {
        assert!(
            at > 0 && &markup[at - 1..at] == "\\",
            "raw < at {at}: {got}"
        );
    }
    assert!(!got.contains("](https://evil"), "{got}");
    assert!(!got.contains("@octocat"), "{got}");
    assert!(got.contains("\\<img src\\=x"), "{got}");
}

#[test]
fn markdown_with_a_baseline_lists_only_new_findings() {
    let dir = std::env::temp_dir().join(format!("aksguard-md-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let tf = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/markdown/terraform/main.tf"),
    )
    .unwrap();
    std::fs::write(dir.join("main.tf"), &tf).unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(&dir)
        .args(["check", ".", "--write-baseline", "baseline.json"])
        .status()
        .unwrap();
    assert!(status.success());
    // One new finding: SSH keys on the nodes (AKS015) at line 9's block.
    let changed = tf.replace(
        "  default_node_pool {",
        "  linux_profile {\n    admin_username = \"azureuser\"\n    ssh_key {\n      key_data = \"ssh-rsa AAAAB3NzaC1yc2E\"\n    }\n  }\n\n  default_node_pool {",
    );
    std::fs::write(dir.join("main.tf"), changed).unwrap();
    let (code, got) = markdown(&[".", "--baseline", "baseline.json"], &dir);
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 1, "{got}");
    assert!(got.contains("### New findings"), "{got}");
    let rows: Vec<&str> = got
        .lines()
        .filter(|l| l.starts_with("| medium | [AKS015]"))
        .collect();
    assert_eq!(rows.len(), 1, "{got}");
    assert!(rows[0].contains("| main\\.tf:11 |"), "{}", rows[0]);
    assert!(
        !got.contains("[AKS005]"),
        "known findings are not listed\n{got}"
    );
}

#[test]
fn markdown_stays_under_the_comment_limit_and_counts_what_it_leaves_out() {
    let dir = std::env::temp_dir().join(format!("aksguard-md-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut tf = String::new();
    for i in 0..600 {
        tf.push_str(&format!(
            "resource \"azurerm_kubernetes_cluster\" \"c{i}\" {{\n  name = \"c{i}\"\n  \
             local_account_disabled = false\n}}\n\nmodule \"m{i}\" {{\n  source = \"Azure/aks/azurerm\"\n}}\n\n"
        ));
    }
    std::fs::write(dir.join("main.tf"), tf).unwrap();
    let (code, got) = markdown(&["."], &dir);
    let json = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(&dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert_eq!(code, 1);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let findings = json["findings"].as_array().unwrap();
    let notices = findings.iter().filter(|f| f["rule"] == "AG005").count();
    assert_eq!(notices, 600);
    let total = findings.len();
    assert!(total > 5_000, "{total}");

    assert!(
        got.chars().count() < 65_536,
        "{} characters",
        got.chars().count()
    );
    // The counts table covers everything, shown or not.
    assert!(
        got.contains(&format!(" **{total}** |\n")),
        "{}",
        &got[..2000]
    );
    // Every finding is either a row or counted as left out; every notice likewise.
    let rows = got
        .lines()
        .filter(|l| l.starts_with("| ") && l.contains("| ["))
        .count();
    let items = got
        .lines()
        .filter(|l| l.starts_with("- ") && l.contains("module\\.m"))
        .count();
    let warning = got
        .lines()
        .find(|l| l.starts_with("> Not shown here"))
        .expect("says what was left out");
    let number = |what: &str| -> usize {
        warning
            .split(", ")
            .flat_map(|part| part.split(": "))
            .find(|part| part.contains(what))
            .map(|part| part.split(' ').next().unwrap().parse().unwrap())
            .unwrap_or(0)
    };
    assert_eq!(rows + number("finding"), total - notices, "{warning}");
    assert_eq!(items + number("not-evaluated"), notices, "{warning}");
    assert!(rows > 0 && items > 0);
}
