//! Files read and text printed: what aksguard opens, and what reaches a terminal or CI log.

use crate::harness::{Run, Scratch};
use serde_json::Value;

const FORMATS: [&str; 6] = ["human", "json", "sarif", "github", "azure-devops", "junit"];

const PRIVILEGED_POD: &str = "apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
    - name: c
      image: nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000
      securityContext:
        privileged: true
";

const CLUSTER_WITH_LOCAL_ACCOUNTS: &str =
    "resource \"azurerm_kubernetes_cluster\" \"a\" {\n  local_account_disabled = false\n}\n";

/// (rule, path, line, column) of every finding in a JSON report.
fn places(json: &Value) -> Vec<(String, String, u64, u64)> {
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["path"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn has(json: &Value, rule: &str, path: &str, line: u64, column: u64) -> bool {
    places(json).contains(&(rule.to_string(), path.to_string(), line, column))
}

/// The AG001 errors of a JSON report: (path, message).
fn errors(json: &Value) -> Vec<(String, String)> {
    json["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["rule"], "AG001", "{e}");
            (
                e["path"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn everything(run: &Run) -> String {
    format!("{}{}", run.stdout(), run.stderr())
}

#[test]
fn a_directory_symlink_loop_ends() {
    let scratch = Scratch::new("symlink-loop");
    scratch.write("main.tf", CLUSTER_WITH_LOCAL_ACCOUNTS);
    scratch.symlink("loop/again", "..");
    let run = scratch.check(&[".", "--format", "json", "--select", "AKS005"]);
    let json = run.json();
    assert_eq!(run.code, 1, "{json}");
    assert!(has(&json, "AKS005", "main.tf", 2, 3), "{json}");
}

#[test]
fn no_text_of_a_file_outside_the_scan_is_ever_printed() {
    let scratch = Scratch::new("outside-module");
    scratch.write("secret/token.txt", "SECRET-TOKEN-4242\n");
    scratch.write("secret/creds.json", "{ \"a\": SECRET-TOKEN-4242 }\n");
    scratch.write("secret/creds.bicep", "SECRET-TOKEN-4242 = {\n");
    scratch.write(
        "repo/main.bicep",
        "module a '../secret/token.txt' = { name: 'a' }\n\
         module b '../secret/creds.bicep' = { name: 'b' }\n\
         module c '/proc/self/environ' = { name: 'c' }\n\
         module d 'environ.bicep' = { name: 'd' }\n",
    );
    scratch.symlink("repo/environ.bicep", "/proc/self/environ");
    scratch.write("repo/deploy.bicepparam", "using '../secret/token.txt'\n");
    scratch.write(
        "repo/arm.bicep",
        "module e '../secret/creds.json' = { name: 'e' }\n",
    );
    for format in FORMATS {
        let run = scratch.check(&["repo", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", everything(&run));
        let out = everything(&run);
        assert!(!out.contains("SECRET-TOKEN"), "{format}: {out}");
        assert!(!out.contains("HOME="), "{format}: the environment: {out}");
    }
    let json = scratch.check(&["repo", "--format", "json"]).json();
    let errors = errors(&json);
    let said = |path: &str, words: &[&str]| {
        errors
            .iter()
            .any(|(p, m)| p == path && words.iter().all(|w| m.contains(w)))
    };
    assert!(
        said(
            "repo/main.bicep",
            &[
                "secret/token.txt",
                "is not a .bicep, .json or .bicepparam file"
            ]
        ),
        "{errors:?}"
    );
    assert!(
        said(
            "repo/deploy.bicepparam",
            &["secret/token.txt", "is not a .bicep"]
        ),
        "{errors:?}"
    );
    assert!(
        said(
            "repo/main.bicep",
            &["/proc/self/environ", "is not a .bicep"]
        ),
        "{errors:?}"
    );
    assert!(
        said("repo/main.bicep", &["repo/environ.bicep", "/proc or /sys"]),
        "{errors:?}"
    );
    // A Bicep module outside the scan that does not parse: the place, never the text.
    assert!(
        said(
            "secret/creds.bicep",
            &["outside the scanned paths", "line 1, column 1"]
        ),
        "{errors:?}"
    );
}

/// What a file named like this (or a value like this) could make a CI runner do.
const INJECTED_NAME: &str =
    "a\n::error title=x::PWNED\n##vso[task.setvariable variable=PWNED]1\n\u{1b}[2Jb.yaml";

/// No line of `output` is a command the renderer did not mean to write.
fn assert_no_injected_command(format: &str, output: &str) {
    for line in output.lines() {
        let trimmed = line.trim_start();
        let ours = match format {
            "github" => ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| trimmed.starts_with(p)),
            _ => false,
        };
        assert!(
            !trimmed.starts_with("::") || ours,
            "{format}: a workflow command: {line:?}"
        );
        let lower = line.to_ascii_lowercase();
        for (at, _) in lower.match_indices("##vso[") {
            assert!(
                format == "azure-devops" && at == 0 && line.starts_with("##vso[task.logissue "),
                "{format}: a logging command: {line:?}"
            );
        }
        assert!(!line.contains("##["), "{format}: a v1 command: {line:?}");
    }
    for c in output.chars() {
        assert!(
            !c.is_control() || c == '\n' || c == '\t',
            "{format}: control character {c:?} in {output:?}"
        );
    }
}

#[test]
fn file_names_and_values_cannot_inject_ci_commands_or_terminal_escapes() {
    let scratch = Scratch::new("inject");
    scratch.write(
        INJECTED_NAME,
        [
            "# \u{1b}]8;;https://evil.example\u{7}docs\u{1b}]8;;\u{7} ##vso[task.complete result=Succeeded]\n",
            PRIVILEGED_POD,
            "    - name: \"x\\e[2J\\n::error::PWNED\\u0085##[set-output name=a]b\"\n",
            "      image: \"nginx:latest\\e]0;title\\a\\n##vso[task.setvariable variable=PWNED]1\"\n",
        ]
        .concat(),
    );
    for format in FORMATS {
        let run = scratch.check(&[".", "--format", format]);
        assert_eq!(run.code, 1, "{format}: {}", everything(&run));
        assert_no_injected_command(format, &run.stdout());
        assert_no_injected_command(format, &run.stderr());
    }
    // The report still names the file and the place, escaped.
    let json = scratch.check(&[".", "--format", "json"]).json();
    let path = INJECTED_NAME.to_string();
    assert!(has(&json, "K8S001", &path, 11, 9), "{json}");
    let human = scratch.check(&[".", "--format", "human"]).stdout();
    assert!(
        human.contains("a\\n::error title=x::PWNED\\n##vso\\[task.setvariable"),
        "the name is shown with its line breaks escaped: {human}"
    );
}

#[test]
fn a_giant_neighbouring_line_is_not_printed_with_every_finding() {
    let scratch = Scratch::new("giant-line");
    let giant = format!("# {}\n", "x".repeat(15 << 20));
    let pod = PRIVILEGED_POD.replace(
        "        privileged: true\n",
        &format!("        privileged: true\n{giant}"),
    );
    scratch.write("pod.yaml", &pod);
    let run = scratch.check(&[".", "--format", "human"]);
    assert_eq!(run.code, 1, "{}", run.stderr());
    assert!(
        run.stdout_bytes < 200_000,
        "{} bytes of output",
        run.stdout_bytes
    );
    let text = run.stdout();
    assert!(
        text.contains("K8S001") && text.contains("privileged: true"),
        "the finding keeps its snippet, without the long line: {}",
        &text[..text.len().min(4000)]
    );
    let json = scratch.check(&[".", "--format", "json"]).json();
    assert!(has(&json, "K8S001", "pod.yaml", 10, 9), "{json}");
}

#[test]
fn a_byte_order_mark_hides_nothing() {
    let scratch = Scratch::new("bom");
    let bom = "\u{FEFF}";
    scratch.write("k8s/pod.yaml", format!("{bom}{PRIVILEGED_POD}"));
    scratch.write(
        "tf/main.tf",
        format!(
            "{bom}resource \"azurerm_kubernetes_cluster\" \"a\" {{\n  local_account_disabled = var.disabled\n}}\n"
        ),
    );
    scratch.write(
        "tf/variables.tf",
        format!("{bom}variable \"disabled\" {{}}\n"),
    );
    scratch.write("tf/terraform.tfvars", format!("{bom}disabled = false\n"));
    scratch.write(
        "arm/aks.json",
        format!(
            "{bom}{{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"contentVersion\": \"1.0.0.0\",\n  \"resources\": [\n    {{\n      \"type\": \"Microsoft.ContainerService/managedClusters\",\n      \"apiVersion\": \"2024-02-01\",\n      \"name\": \"aks\",\n      \"location\": \"westeurope\",\n      \"properties\": {{\n        \"disableLocalAccounts\": false\n      }}\n    }}\n  ]\n}}\n"
        ),
    );
    let run = scratch.check(&[".", "--format", "json", "--select", "K8S001,AKS005"]);
    let json = run.json();
    assert_eq!(run.code, 1, "{json}");
    assert!(errors(&json).is_empty(), "{json}");
    assert!(has(&json, "K8S001", "k8s/pod.yaml", 10, 9), "{json}");
    assert!(has(&json, "AKS005", "tf/main.tf", 2, 3), "{json}");
    assert!(has(&json, "AKS005", "arm/aks.json", 11, 9), "{json}");

    let stdin = format!("{bom}{PRIVILEGED_POD}").into_bytes();
    let run = scratch.check_with_stdin(
        &["-", "--format", "json", "--select", "K8S001"],
        Some(stdin),
    );
    let json = run.json();
    assert_eq!(run.code, 1, "{json}");
    assert!(has(&json, "K8S001", "-", 10, 9), "{json}");
}

#[test]
fn an_unlistable_or_over_long_path_is_an_error_not_nothing_to_scan() {
    let scratch = Scratch::new("long-path");
    // Deeper than PATH_MAX: made one directory at a time relative to the last one, as only
    // that works.
    std::fs::create_dir_all(scratch.path().join("deep")).unwrap();
    let segment = std::ffi::CString::new("d".repeat(200)).unwrap();
    let main_tf = std::ffi::CString::new("main.tf").unwrap();
    let deep = std::ffi::CString::new(scratch.path().join("deep").to_str().unwrap()).unwrap();
    // SAFETY: plain *at calls on descriptors opened and closed here.
    unsafe {
        let mut dir = libc::open(deep.as_ptr(), libc::O_DIRECTORY | libc::O_RDONLY);
        assert!(dir >= 0);
        for _ in 0..25 {
            assert_eq!(libc::mkdirat(dir, segment.as_ptr(), 0o755), 0);
            let next = libc::openat(dir, segment.as_ptr(), libc::O_DIRECTORY | libc::O_RDONLY);
            assert!(next >= 0);
            libc::close(dir);
            dir = next;
        }
        let file = libc::openat(dir, main_tf.as_ptr(), libc::O_CREAT | libc::O_WRONLY, 0o644);
        assert!(file >= 0);
        let text = CLUSTER_WITH_LOCAL_ACCOUNTS.as_bytes();
        assert_eq!(
            libc::write(file, text.as_ptr().cast(), text.len()),
            text.len() as isize
        );
        libc::close(file);
        libc::close(dir);
    }
    for format in ["human", "json"] {
        let run = scratch.check(&["deep", "--format", format]);
        assert_eq!(run.code, 2, "{format}: {}", everything(&run));
        assert!(
            everything(&run).contains("File name too long"),
            "{format}: {}",
            everything(&run)
        );
        assert!(
            !run.stderr().contains("nothing to scan"),
            "{}",
            run.stderr()
        );
    }
    let long_name = "n".repeat(300);
    let run = scratch.check(&[&long_name, "--format", "json"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    assert!(
        errors(&json)
            .iter()
            .any(|(p, m)| p == &long_name && m.contains("File name too long")),
        "{json}"
    );
}

#[test]
fn select_and_ignore_are_checked_like_the_configuration() {
    let scratch = Scratch::new("select");
    scratch.write("main.tf", CLUSTER_WITH_LOCAL_ACCOUNTS);
    let run = scratch.check(&[".", "--select", "AKS0O5"]);
    assert_eq!(run.code, 2, "{}", everything(&run));
    assert!(
        run.stderr()
            .contains("--select: no rule ID starts with `AKS0O5`; did you mean `AKS005`?"),
        "{}",
        run.stderr()
    );
    let run = scratch.check(&[".", "--ignore", "K8S001,aks005"]);
    assert_eq!(run.code, 2, "{}", everything(&run));
    assert!(
        run.stderr()
            .contains("--ignore: `aks005` is not a rule ID or prefix")
            && run.stderr().contains("did you mean `AKS005`?"),
        "{}",
        run.stderr()
    );
    let run = scratch.check(&[".", "--select", "AKS00,ALL", "--format", "json"]);
    assert_eq!(
        run.code,
        1,
        "valid selectors still work: {}",
        everything(&run)
    );
}

#[test]
fn a_linked_file_is_scanned_inside_and_named_when_it_leads_outside() {
    let scratch = Scratch::new("linked");
    scratch.write("outside/secret.tf", "SECRET-TOKEN-4242 {\n");
    scratch.write("repo/shared/cluster.tf", CLUSTER_WITH_LOCAL_ACCOUNTS);
    scratch.symlink("repo/env/main.tf", "../shared/cluster.tf");
    scratch.symlink("repo/env/leak.tf", "../../outside/secret.tf");
    let run = scratch.check(&["repo", "--format", "json", "--select", "AKS005"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    assert!(has(&json, "AKS005", "repo/env/main.tf", 2, 3), "{json}");
    assert!(
        has(&json, "AKS005", "repo/shared/cluster.tf", 2, 3),
        "{json}"
    );
    assert!(
        errors(&json).iter().any(|(p, m)| p == "repo/env/leak.tf"
            && m.contains("a symbolic link to outside the scanned paths")),
        "{json}"
    );
    assert!(!run.stdout().contains("SECRET-TOKEN"), "{json}");
}

/// Every side file aksguard opens, as a FIFO (reading blocks forever) and as a symlink to
/// `/dev/zero` (never ends): each is refused at once with an error naming it.
#[test]
fn side_files_that_never_end_are_refused() {
    for (name, special) in [("fifo", None), ("zero", Some("/dev/zero"))] {
        let scratch = Scratch::new(&format!("side-{name}"));
        scratch.write("main.tf", CLUSTER_WITH_LOCAL_ACCOUNTS);
        scratch.write(
            "main.bicep",
            "module m 'special.bicep' = { name: 'm' }\nmodule r 'br:example.azurecr.io/aks:1' = { name: 'r' }\n",
        );
        let make = |path: &str| match special {
            None => scratch.fifo(path),
            Some(target) => scratch.symlink(path, target),
        };
        for path in [
            "vars.tfvars",
            "parameters.json",
            "aksguard.toml",
            "special.bicep",
            "bicepconfig.json",
            ".terraform/modules/modules.json",
            "named.tf",
        ] {
            make(path);
        }
        let cases: [(&[&str], &str); 4] = [
            (&["main.tf", "--var-file", "vars.tfvars"], "vars.tfvars"),
            (
                &["main.tf", "--parameters", "parameters.json"],
                "parameters.json",
            ),
            (&["main.tf", "--config", "aksguard.toml"], "aksguard.toml"),
            (&["named.tf"], "named.tf"),
        ];
        for (args, culprit) in cases {
            let mut args = args.to_vec();
            args.extend(["--format", "json"]);
            let run = scratch.check(&args);
            assert_eq!(run.code, 2, "{name} {args:?}: {}", everything(&run));
            let out = everything(&run);
            assert!(
                out.contains(culprit) && (out.contains("a FIFO") || out.contains("a device")),
                "{name} {args:?}: {out}"
            );
        }
        // The module manifest, the Bicep module and bicepconfig.json are read during the scan.
        let run = scratch.check(&[".", "--format", "json"]);
        let json = run.json();
        assert_eq!(run.code, 2, "{name}: {json}");
        assert!(has(&json, "AKS005", "main.tf", 2, 3), "{name}: {json}");
        assert!(
            errors(&json)
                .iter()
                .any(|(p, m)| p == "main.bicep" && m.contains("special.bicep")),
            "{name}: {json}"
        );
        assert!(
            errors(&json)
                .iter()
                .any(|(p, m)| p == ".terraform/modules/modules.json"
                    && m.contains("not evaluated")
                    && (m.contains("a FIFO") || m.contains("a device"))),
            "{name}: {json}"
        );
    }
}

/// Files over 16 MiB are refused by their size, before a byte is read: a sparse file of
/// 3 GiB would not fit in memory.
#[test]
fn a_huge_file_is_refused_by_its_size() {
    let scratch = Scratch::new("huge");
    scratch.write("main.tf", CLUSTER_WITH_LOCAL_ACCOUNTS);
    for name in ["huge.tf", "huge.tfvars"] {
        let file = std::fs::File::create(scratch.path().join(name)).unwrap();
        file.set_len(3 << 30).unwrap();
    }
    let run = scratch.check(&[".", "--format", "json", "--var-file", "huge.tfvars"]);
    let json = run.json();
    assert_eq!(run.code, 2, "{json}");
    let errors = errors(&json);
    for name in ["huge.tf", "huge.tfvars"] {
        assert!(
            errors
                .iter()
                .any(|(p, m)| p.ends_with(name) && m.contains("more than the 16 MiB")),
            "{name}: {errors:?}"
        );
    }
    assert!(has(&json, "AKS005", "main.tf", 2, 3), "{json}");
}

/// Just under 16 MiB of each input format, made of one value as long as it can be (the
/// worst case for snippets) beside a finding: every report stays small.
#[test]
fn a_file_just_under_the_size_limit_is_scanned_in_every_format() {
    if !crate::harness::release() {
        // Fifteen seconds a run in the debug build; .ci/run runs it on the release build.
        eprintln!("skipped on the debug build: run with AKSGUARD_BIN=target/release/aksguard");
        return;
    }
    let scratch = Scratch::new("sixteen");
    let long = "x".repeat((16 << 20) - 4096);
    scratch.write(
        "tf/main.tf",
        format!("{CLUSTER_WITH_LOCAL_ACCOUNTS}locals {{\n  long = \"{long}\"\n}}\n"),
    );
    scratch.write(
        "arm/aks.json",
        format!(
            "{{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\", \"contentVersion\": \"1.0.0.0\", \"variables\": {{\"long\": \"{long}\"}}, \"resources\": [{{\"type\": \"Microsoft.ContainerService/managedClusters\", \"apiVersion\": \"2024-02-01\", \"name\": \"aks\", \"location\": \"westeurope\", \"properties\": {{\"disableLocalAccounts\": false}}}}]}}\n"
        ),
    );
    scratch.write(
        "k8s/pod.yaml",
        format!("{PRIVILEGED_POD}      env:\n        - name: LONG\n          value: \"{long}\"\n"),
    );
    scratch.write(
        "bicep/main.bicep",
        format!(
            "var long = '{long}'\nresource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {{\n  name: 'aks'\n  location: 'westeurope'\n  properties: {{\n    disableLocalAccounts: false\n  }}\n}}\n"
        ),
    );
    for format in FORMATS {
        let run = scratch.check(&[".", "--format", format, "--select", "AKS005,K8S001"]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr());
        // SARIF carries every rule's documentation (800 KB) whatever was found.
        let budget = if format == "sarif" { 1_000_000 } else { 0 } + 100_000;
        assert!(
            run.stdout_bytes < budget,
            "{format}: {} bytes of output",
            run.stdout_bytes
        );
    }
    let json = scratch
        .check(&[".", "--format", "json", "--select", "AKS005,K8S001"])
        .json();
    assert!(has(&json, "AKS005", "tf/main.tf", 2, 3), "{json}");
    assert!(has(&json, "K8S001", "k8s/pod.yaml", 10, 9), "{json}");
    assert!(
        places(&json)
            .iter()
            .any(|(rule, path, ..)| rule == "AKS005" && path == "arm/aks.json"),
        "{json}"
    );
    assert!(
        places(&json)
            .iter()
            .any(|(rule, path, ..)| rule == "AKS005" && path == "bicep/main.bicep"),
        "{json}"
    );
}

/// 16 MB of small pods (103,000 of them, about ten findings each): a million findings would
/// need more than 2 GiB. The scan keeps the first 250,000 and says, as an error, how many
/// more it did not report, as AG007 finding-limit in every format (exit 2: not everything
/// could be shown).
#[test]
fn a_file_of_many_small_workloads_is_bounded() {
    if !crate::harness::release() {
        eprintln!("skipped on the debug build: run with AKSGUARD_BIN=target/release/aksguard");
        return;
    }
    let scratch = Scratch::new("many-pods");
    let mut text = String::new();
    let mut i = 0;
    while text.len() < 16_000_000 {
        text.push_str(&format!(
            "---\n{}",
            PRIVILEGED_POD.replace("name: p\n", &format!("name: p{i}\n"))
        ));
        i += 1;
    }
    scratch.write("pods.yaml", text);
    // The limit is said first in the human report (before 100 MB of findings).
    let run = scratch.check(&["."]);
    assert_eq!(run.code, 2, "{}", run.stderr());
    let head: String = run.stdout().lines().take(5).collect::<Vec<_>>().join("\n");
    assert!(head.contains("AG007 finding-limit"), "{head}");
    assert!(!head.contains("AG001"), "not a parse error: {head}");
    assert!(head.contains("more findings are not reported"), "{head}");
    // JSON and SARIF are written while they are serialized: within the same bounds. (They
    // are 200 and 400 MB, past what the harness keeps of standard output.)
    for format in ["json", "sarif"] {
        assert_eq!(scratch.check(&[".", "--format", format]).code, 2);
    }
    let run = scratch.check(&[".", "--format", "markdown"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stdout().contains("; **not every finding is shown**")
            && run
                .stdout()
                .contains("\n> [!WARNING]\n> \\.: AG007 finding-limit: ")
            && !run.stdout().contains("could not be read"),
        "{}",
        run.stdout()
    );
    for format in ["github", "azure-devops"] {
        let run = scratch.check(&[".", "--format", format]);
        assert_eq!(run.code, 2);
        assert!(
            run.stdout().contains("aksguard: AG007 finding-limit: .: "),
            "{format}"
        );
    }
}

/// A template Bicep compiled, with a parameter its parameters file sets to `false`.
const COMPILED_TEMPLATE: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "metadata": { "_generator": { "name": "bicep", "version": "0.30.23.60470" } },
  "parameters": { "disableLocalAccounts": { "type": "bool", "defaultValue": true } },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2024-05-01",
      "name": "aks",
      "location": "westeurope",
      "properties": {
        "disableLocalAccounts": "[parameters('disableLocalAccounts')]"
      }
    }
  ]
}
"#;

const LOCAL_ACCOUNTS_PARAMETERS: &str = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "contentVersion": "1.0.0.0",
  "parameters": { "disableLocalAccounts": { "value": false } }
}
"#;

/// The files beside a template are told from what the walk listed, not asked of the system
/// again: a `<stem>.parameters.<env>.json` is applied when it is the only environment, and
/// a compiled template names its `.bicep` source. A name the configuration excludes still
/// counts, as it does when the system is asked.
#[test]
fn files_beside_a_template_count_even_when_excluded() {
    let scratch = Scratch::new("beside");
    scratch.write("arm/aks.json", COMPILED_TEMPLATE);
    scratch.write("arm/aks.parameters.dev.json", LOCAL_ACCOUNTS_PARAMETERS);
    // (path, line, column, source) of each AKS005.
    let aks005 = |scratch: &Scratch| {
        let json = scratch
            .check(&[".", "--format", "json", "--select", "AKS005"])
            .json();
        assert!(errors(&json).is_empty(), "{json}");
        json["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["path"].as_str().unwrap().to_string(),
                    f["line"].as_u64().unwrap(),
                    f["column"].as_u64().unwrap(),
                    f["source"].as_str().map(str::to_string),
                )
            })
            .collect::<Vec<_>>()
    };
    let found = |source: Option<&str>| {
        vec![(
            "arm/aks.json".to_string(),
            13,
            9,
            source.map(str::to_string),
        )]
    };
    assert_eq!(aks005(&scratch), found(None));
    // Two environments: neither is applied, and the default keeps local accounts off.
    scratch.write("arm/aks.parameters.prod.json", LOCAL_ACCOUNTS_PARAMETERS);
    assert_eq!(aks005(&scratch), Vec::new());
    scratch.write(
        "aksguard.toml",
        "exclude = [\"arm/*.prod.json\", \"arm/*.bicep\"]\n",
    );
    assert_eq!(aks005(&scratch), Vec::new());
    std::fs::remove_file(scratch.path().join("arm/aks.parameters.prod.json")).unwrap();
    scratch.write("arm/aks.bicep", "param location string\n");
    assert_eq!(aks005(&scratch), found(Some("arm/aks.bicep")));
}
