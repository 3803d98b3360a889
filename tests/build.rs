//! The build surface end to end: Dockerfiles and CI pipelines under testdata/build, linted
//! by the binary, findings compared as (rule, path, resource); the fixtures mark where each
//! is reported (tests/markers.rs). Fixtures a test writes itself are searched for the text
//! a finding points at.

mod common;

use common::{check, locate, locate_in, named, rows, unplaced, Named, Row};
use std::collections::BTreeSet;

const ROOT: &str = "testdata/build";

fn build_rows(rule: &str) -> BTreeSet<Named> {
    let (code, json) = check(&[ROOT]);
    assert_eq!(code, 1, "{json}");
    assert_eq!(json["errors"].as_array().unwrap().len(), 0, "{json}");
    unplaced(&json, |f| f["rule"] == rule && f["suppressed"] == false)
}

fn stage(path: &str, stage: &str) -> String {
    format!("Dockerfile:{ROOT}/{path}#{stage}")
}

#[test]
fn bld001_final_stage_user() {
    // stages/: the builder runs as root but the final stage sets USER 10001: quiet.
    // root-again/: USER root after USER app in the final stage.
    assert_eq!(
        build_rows("BLD001"),
        BTreeSet::from([named(
            "BLD001",
            "testdata/build/root-again/Dockerfile",
            &stage("root-again/Dockerfile", "0"),
        )])
    );
}

#[test]
fn bld003_registry_patterns_match_whole_labels() {
    // evilazurecr.io is not *.azurecr.io; scratch, stage references and MCR are fine.
    assert_eq!(
        build_rows("BLD003"),
        BTreeSet::from([named(
            "BLD003",
            "testdata/build/lookalike/Containerfile",
            &stage("lookalike/Containerfile", "base"),
        )])
    );
}

#[test]
fn bld004_resolves_from_arg_default() {
    // FROM ${BASE} takes the ARG default (a tag, no digest); scratch and `FROM builder` are
    // not registry images.
    let (_, json) = check(&[ROOT]);
    let found = unplaced(&json, |f| f["rule"] == "BLD004");
    assert_eq!(
        found,
        BTreeSet::from([named(
            "BLD004",
            "testdata/build/stages/Dockerfile",
            &stage("stages/Dockerfile", "builder"),
        )])
    );
    let finding = common::first_of(&json, "BLD004");
    assert_eq!(finding["severity"], "medium");
    assert!(finding["message"]
        .as_str()
        .unwrap()
        .contains("mcr.microsoft.com/oss/go/microsoft/golang:1.22"));
    // The other place is the ARG that gives the default.
    let (line, column) = locate("testdata/build/stages/Dockerfile", "ARG BASE=");
    assert_eq!(finding["related"][0]["line"], line, "{finding}");
    assert_eq!(finding["related"][0]["column"], column, "{finding}");
}

#[test]
fn bld_findings_in_sarif_and_annotations() {
    // Where the JSON report puts the finding (its marker checks that), the other formats do.
    let (_, json) = check(&["testdata/build/root-again"]);
    let finding = common::first_of(&json, "BLD001");
    let (line, column) = (&finding["line"], &finding["column"]);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/build/root-again", "--format", "github"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.contains(&format!(
            "::error file=testdata/build/root-again/Dockerfile,line={line},col={column}"
        )),
        "{text}"
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "testdata/build/root-again", "--format", "sarif"])
        .output()
        .unwrap();
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "BLD001");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (&region["startLine"], &region["startColumn"]),
        (line, column)
    );
}

#[test]
fn broken_dockerfile_is_a_parse_error_and_the_scan_goes_on() {
    let dir = std::env::temp_dir().join(format!("aksguard-build-broken-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    let broken = "FROM ubuntu\nRUNN echo\nRUN <<EOF\nnever closed\n";
    std::fs::write(dir.join("Dockerfile"), broken).unwrap();
    std::fs::write(dir.join("b/Dockerfile"), "FROM ubuntu:24.04\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .current_dir(&dir)
        .args(["check", ".", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{json}");
    let errors: Vec<(String, u64, u64)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // The unknown instruction, and the heredoc that is never closed.
    let at = |needle| {
        let (line, column) = locate_in(broken, needle);
        ("Dockerfile".to_string(), line, column)
    };
    assert_eq!(errors, [at("RUNN"), at("<<EOF")]);
    let found = rows(&json, |f| f["rule"] == "BLD004");
    let (line, column) = locate_in("FROM ubuntu:24.04\n", "ubuntu");
    assert!(found.contains(&(
        "BLD004".to_string(),
        "b/Dockerfile".to_string(),
        line,
        column,
        "Dockerfile:b/Dockerfile#0".to_string()
    )));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bld002_port_package_and_daemon() {
    let file = "testdata/build/ssh/Dockerfile.dev";
    let address = stage("ssh/Dockerfile.dev", "0");
    assert_eq!(
        build_rows("BLD002"),
        // openssh-server on a continuation line, EXPOSE 8080 22/tcp and CMD ["/usr/sbin/sshd"]
        // are three findings on one stage.
        BTreeSet::from([named("BLD002", file, &address)])
    );
    let (_, json) = check(&[ROOT]);
    assert_eq!(rows(&json, |f| f["rule"] == "BLD002").len(), 3, "{json}");
}

#[test]
fn bld005_literal_secrets_and_key_files_with_a_suppression() {
    let file = "testdata/build/secrets/app.Dockerfile";
    let address = stage("secrets/app.Dockerfile", "0");
    // DB_PASSWORD= is empty; the id_rsa copy is suppressed with a reason.
    assert_eq!(
        build_rows("BLD005"),
        BTreeSet::from([named("BLD005", file, &address)])
    );
    let (_, json) = check(&[ROOT]);
    assert_eq!(
        rows(&json, |f| f["rule"] == "BLD005" && f["suppressed"] == false).len(),
        3,
        "{json}"
    );
    // The suppressed one is marked `suppressed` in the fixture.
    assert_eq!(
        unplaced(&json, |f| f["suppressed"] == true),
        BTreeSet::from([named("BLD005", file, &address)])
    );
}

#[test]
fn bld006_unverified_add_and_piped_scripts() {
    let file = "testdata/build/remote/Dockerfile";
    let address = stage("remote/Dockerfile", "0");
    // The ADD with --checksum=sha256: is fine; the heredoc body and the continued RUN are read.
    assert_eq!(
        build_rows("BLD006"),
        BTreeSet::from([named("BLD006", file, &address)])
    );
    let (_, json) = check(&[ROOT]);
    assert_eq!(rows(&json, |f| f["rule"] == "BLD006").len(), 3, "{json}");
}

#[test]
fn bld007_push_needs_a_scan_before_it() {
    let workflow = "testdata/build/.github/workflows/release.yml";
    let azure = "testdata/build/pipelines/azure-pipelines.yml";
    let job = |path: &str, name: &str| format!("workflow:{path}#{name}");
    // GitHub: `publish` needs the scanning job, `custom` uses a [build] scanners action;
    // `hotfix` pushes unscanned; `registry` runs az acr build. Azure: Release/push runs after
    // the Build stage that scans; Hotfix (dependsOn: []) pushes with Docker@2's default
    // buildAndPush; `templated` has a template step before its push (unknown).
    assert_eq!(
        build_rows("BLD007"),
        BTreeSet::from([
            named("BLD007", workflow, &job(workflow, "hotfix")),
            named("BLD007", workflow, &job(workflow, "registry")),
            named("BLD007", azure, &job(azure, "Hotfix/push")),
        ])
    );
    let (_, json) = check(&[ROOT]);
    let acr = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "BLD007" && f["resource"] == job(workflow, "registry"))
        .unwrap();
    let text = format!("{} {}", acr["message"], acr["help"]);
    assert!(
        text.contains("az acr build") && text.contains("ACR008") && text.contains("quarantine"),
        "{text}"
    );
}

#[test]
fn pipelines_are_not_manifests() {
    // A workflow is read as a pipeline: no Kubernetes object and no parse error from it.
    let (_, json) = check(&["testdata/build/.github/workflows/release.yml"]);
    assert_eq!(json["errors"].as_array().unwrap().len(), 0);
    assert!(json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["rule"] == "BLD007"));
    assert_eq!(json["summary"]["files"], 1, "{json}");
}

#[test]
fn non_root_bases_default_and_configured() {
    let dir = std::env::temp_dir().join(format!("aksguard-build-nonroot-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let bases = [
        ("distroless", "gcr.io/distroless/static:nonroot"),
        (
            "chiseled",
            "mcr.microsoft.com/dotnet/runtime:8.0-noble-chiseled",
        ),
        ("own", "lzacr.azurecr.io/base/runtime:2.0"),
    ];
    let text = |from: &str| format!("FROM {from}\nCOPY app /app\n");
    for (sub, from) in bases {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
        std::fs::write(dir.join(sub).join("Dockerfile"), text(from)).unwrap();
    }
    // BLD001 is reported on the FROM of a stage that never sets USER.
    let on_from = |sub: &str| -> Row {
        let from = bases.iter().find(|b| b.0 == sub).unwrap().1;
        let (line, column) = locate_in(&text(from), "FROM");
        let path = format!("{sub}/Dockerfile");
        let stage = format!("Dockerfile:{path}#0");
        ("BLD001".to_string(), path, line, column, stage)
    };
    let run = |dir: &std::path::Path| -> BTreeSet<Row> {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .current_dir(dir)
            .args(["check", ".", "--format", "json", "--select", "BLD001"])
            .output()
            .unwrap();
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        rows(&json, |_| true)
    };
    // The defaults: nonroot tags and Microsoft's chiseled images run as non-root.
    assert_eq!(run(&dir), BTreeSet::from([on_from("own")]));
    // Setting the key replaces the defaults.
    std::fs::write(
        dir.join("aksguard.toml"),
        "[build]\nnon-root-bases = [\"lzacr.azurecr.io/base/*\"]\n",
    )
    .unwrap();
    assert_eq!(
        run(&dir),
        BTreeSet::from([on_from("chiseled"), on_from("distroless")])
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A Jinja-templated workflow (`{% raw %}` lines, as Ansible-rendered CI templates carry)
/// is not YAML: the AG001 says it looks like a template and what to do, at the parser's
/// place, for pipelines and manifests alike; a plain syntax error in a workflow whose only
/// braces are GitHub's `${{ }}` is not called a template.
#[test]
fn a_templated_workflow_is_said_to_be_a_template() {
    let dir = std::env::temp_dir().join(format!("aksguard-build-jinja-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(dir.join("k8s")).unwrap();
    let workflow = "name: deploy\non: push\n\n{% raw %}\njobs:\n  build:\n    runs-on: ${{ inputs.runner }}\n    steps:\n      - run: echo hi\n{% endraw %}\n";
    let manifest = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n{% if privileged %}\n  hostNetwork: true\n{% endif %}\n  containers:\n    - name: web\n      image: nginx\n";
    let broken =
        "name: ci\non: push\njobs:\n  build:\n    runs-on: ${{ inputs.runner }}\n    steps: [\n";
    std::fs::write(dir.join(".github/workflows/deploy.yml"), workflow).unwrap();
    std::fs::write(dir.join("k8s/pod.yaml"), manifest).unwrap();
    std::fs::write(dir.join(".github/workflows/ci.yml"), broken).unwrap();
    let run = |format: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
            .current_dir(&dir)
            .args(["check", ".", "--format", format])
            .output()
            .unwrap()
    };
    let output = run("json");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(2), "{json}");
    let errors: Vec<(String, String, u64, u64, String)> = json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["rule"].as_str().unwrap().to_string(),
                e["path"].as_str().unwrap().to_string(),
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(errors.len(), 3, "{json}");
    let templated = |marker: &str, line: u64| {
        format!("this file looks like a template (`{marker}` on line {line}), which is not YAML until it is rendered: check the rendered output")
    };
    // The `%` of `{% raw %}` (line 4, column 2) is where the YAML parser gives up.
    let (_, path, line, column, message) = &errors[0];
    assert_eq!(
        (path.as_str(), *line, *column),
        (".github/workflows/ci.yml", 7, 1)
    );
    assert!(!message.contains("template"), "{message}");
    let (rule, path, line, column, message) = &errors[1];
    assert_eq!(
        (rule.as_str(), path.as_str(), *line, *column),
        ("AG001", ".github/workflows/deploy.yml", 4, 2)
    );
    assert!(message.contains(&templated("{%", 4)), "{message}");
    let (rule, path, line, column, message) = &errors[2];
    assert_eq!(
        (rule.as_str(), path.as_str(), *line, *column),
        ("AG001", "k8s/pod.yaml", 6, 2)
    );
    assert!(message.contains(&templated("{%", 6)), "{message}");
    let github = String::from_utf8(run("github").stdout).unwrap();
    assert!(
        github.contains(
            "aksguard: AG001 parse-error: .github/workflows/deploy.yml:4:2: unexpected character"
        ),
        "{github}"
    );
    assert!(github.contains(&templated("{%", 4)), "{github}");
    let _ = std::fs::remove_dir_all(&dir);
}
