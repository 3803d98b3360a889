//! The language server driven in-process over an in-memory connection, as an editor
//! would: diagnostics with rule, line and column (UTF-16), quick fixes, hover, clearing
//! after an edit, AG001 on a broken buffer, config reload, and a clean shutdown.

use lsp_server::{Connection, Message, Notification, Request, RequestId};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;
use std::time::Duration;

// The `é` before the finding on its line makes UTF-16 columns differ from byte columns.
const MAIN_TF: &str = r#"resource "azurerm_kubernetes_cluster" "aks" {
  name                   = "cluster"
  location               = "westeurope"
  azure_policy_enabled   = true
  /* é */ local_account_disabled = false
  default_node_pool {
    name    = "system"
    vm_size = "Standard_D4s_v5"
  }
}
"#;

struct Client {
    connection: Connection,
    server: Option<JoinHandle<Result<(), String>>>,
    next_id: i32,
}

impl Client {
    fn start(root: &Path, capabilities: Value) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || aksguard::lsp::serve(&server_side));
        let mut client = Client {
            connection: client_side,
            server: Some(server),
            next_id: 0,
        };
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": uri(root), "capabilities": capabilities}),
        );
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        client.notify("initialized", json!({}));
        client
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection
            .sender
            .send(Message::Notification(Notification::new(
                method.to_string(),
                params,
            )))
            .unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection
            .sender
            .send(Message::Request(Request::new(
                id.clone(),
                method.to_string(),
                params,
            )))
            .unwrap();
        loop {
            match self.receive() {
                Message::Response(response) if response.id == id => {
                    assert!(response.error.is_none(), "{:?}", response.error);
                    return response.result.unwrap_or(Value::Null);
                }
                _ => continue,
            }
        }
    }

    fn receive(&self) -> Message {
        self.connection
            .receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    /// The next diagnostics published for `uri` (others are skipped).
    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        loop {
            if let Message::Notification(n) = self.receive() {
                if n.method == "textDocument/publishDiagnostics" && n.params["uri"] == uri {
                    return n.params["diagnostics"].as_array().unwrap().clone();
                }
            }
        }
    }

    fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let server = self.server.take().unwrap();
        assert_eq!(server.join().unwrap(), Ok(()));
    }
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// A scratch directory, removed when the test ends (passed or failed).
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("aksguard-lsp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("main.tf"), MAIN_TF).unwrap();
    Scratch(dir)
}

/// The 0-based line and UTF-16 character where `needle` is written in `text` (it must be
/// there once), as the protocol counts them: where a test expects a diagnostic or an edit
/// in a buffer it wrote itself.
fn at(text: &str, needle: &str) -> (u64, u64) {
    let mut hits = text.match_indices(needle).map(|(i, _)| i);
    let found = hits
        .next()
        .unwrap_or_else(|| panic!("`{needle}` in {text}"));
    assert!(hits.next().is_none(), "`{needle}` more than once in {text}");
    let before = &text[..found];
    let line = before.matches('\n').count() as u64;
    let start = before.rfind('\n').map_or(0, |n| n + 1);
    (line, before[start..].encode_utf16().count() as u64)
}

/// (rule, line, character) of the diagnostic of `rule` expected where `needle` is written.
fn expected(rule: &str, text: &str, needle: &str) -> (String, u64, u64) {
    let (line, character) = at(text, needle);
    (rule.to_string(), line, character)
}

/// (rule, line, character) of each diagnostic, 0-based as the protocol counts.
fn located(diagnostics: &[Value]) -> Vec<(String, u64, u64)> {
    let mut out: Vec<_> = diagnostics
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["range"]["start"]["character"].as_u64().unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn open(client: &Client, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}),
    );
}

fn change(client: &Client, uri: &str, version: i32, text: &str) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
    );
}

#[test]
fn diagnostics_quick_fix_hover_clear_and_broken_buffer() {
    let dir = scratch("session");
    let mut client = Client::start(&dir, json!({}));
    let main = uri(&dir.join("main.tf"));
    open(&client, &main, MAIN_TF);
    let diagnostics = client.diagnostics(&main);
    let found = located(&diagnostics);
    assert!(
        found.contains(&expected("AKS005", MAIN_TF, "local_account_disabled")),
        "{found:?}"
    );
    // AKS007 is satisfied; the header carries findings on absent attributes.
    assert!(!found.iter().any(|f| f.0 == "AKS007"), "{found:?}");
    let local_accounts = diagnostics.iter().find(|d| d["code"] == "AKS005").unwrap();
    // To the end of the value.
    let (line, character) = at(MAIN_TF, "false");
    assert_eq!(
        local_accounts["range"]["end"],
        json!({"line": line, "character": character + "false".len() as u64})
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": main}, "range": local_accounts["range"],
               "context": {"diagnostics": [local_accounts], "only": ["quickfix"]}}),
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix");
    let edits = &action["edit"]["changes"][&main];
    assert_eq!(edits[0]["newText"], "true");
    assert_eq!(
        edits[0]["range"],
        json!({"start": {"line": 4, "character": 35}, "end": {"line": 4, "character": 40}})
    );

    // A client that strips `data` still gets the fix, from what was published.
    let mut stripped = local_accounts.clone();
    stripped.as_object_mut().unwrap().remove("data");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": main}, "range": stripped["range"],
               "context": {"diagnostics": [stripped]}}),
    );
    assert_eq!(actions[0]["edit"]["changes"][&main][0]["newText"], "true");

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": main}, "position": {"line": 4, "character": 12}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    // The finding under the cursor: message, the rule's first paragraph, the fix, a link.
    assert!(
        text.starts_with("**AKS005** local-accounts-enabled · high\n\nLocal accounts"),
        "{text}"
    );
    assert!(
        text.contains("Reports an AKS cluster whose local accounts are not disabled"),
        "{text}"
    );
    assert!(
        text.contains(
            "**Quick fix (unsafe: review the change):** Set `local_account_disabled = true`"
        ),
        "{text}"
    );
    assert!(text.contains("/blob/main/rules/AKS005.md)"), "{text}");
    assert!(text.contains("`aksguard rule AKS005`"), "{text}");
    // Not the whole rule document (examples and all), nor a path of this repository.
    assert!(!text.contains("## Examples"), "{text}");
    assert!(!text.contains("seed/"), "{text}");
    assert!(text.len() < 2_000, "{} characters: {text}", text.len());
    assert_eq!(hover["range"], local_accounts["range"]);

    // The resource header carries every finding on an absent attribute: one in full, the
    // others a line each, still short.
    let header = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": main}, "position": {"line": 0, "character": 12}}),
    );
    let text = header["contents"]["value"].as_str().unwrap();
    let on_header = diagnostics
        .iter()
        .filter(|d| d["range"]["start"]["line"] == 0)
        .count();
    assert!(on_header >= 3, "{diagnostics:?}");
    // The hover lists a few others and counts the rest ("and N more").
    let more: usize = text
        .split("\n- and ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .map_or(0, |n| n.parse().unwrap());
    assert_eq!(
        text.matches("\n- **").count() + more,
        on_header - 1,
        "{text}"
    );
    assert!(text.len() < 4_000, "{} characters: {text}", text.len());
    let nothing = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": main}, "position": {"line": 2, "character": 4}}),
    );
    assert_eq!(nothing, Value::Null);

    let fixed = MAIN_TF.replace("= false", "= true");
    change(&client, &main, 2, &fixed);
    let found = located(&client.diagnostics(&main));
    assert!(!found.iter().any(|f| f.0 == "AKS005"), "{found:?}");

    change(&client, &main, 3, &MAIN_TF[..120]);
    let found = located(&client.diagnostics(&main));
    assert!(found.iter().any(|f| f.0 == "AG001"), "{found:?}");
    client.shutdown();
}

#[test]
fn editing_aksguard_toml_reloads_the_configuration() {
    let dir = scratch("config");
    let client = Client::start(&dir, json!({}));
    let main = uri(&dir.join("main.tf"));
    open(&client, &main, MAIN_TF);
    assert!(located(&client.diagnostics(&main))
        .iter()
        .any(|f| f.0 == "AKS005"));

    let config = dir.join("aksguard.toml");
    std::fs::write(&config, "ignore = [\"AKS005\"]\n").unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 1}]}),
    );
    let found = located(&client.diagnostics(&main));
    assert!(!found.iter().any(|f| f.0 == "AKS005"), "{found:?}");
    assert!(!found.is_empty(), "other rules still run: {found:?}");

    // An unsaved, broken buffer of the config: AG004 on it, the defaults apply meanwhile.
    let config_uri = uri(&config);
    let broken_config = "ignore = [\"AKS005\"]\nfail-on = \"sometimes\"\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": config_uri, "languageId": "toml", "version": 1,
               "text": broken_config}}),
    );
    let problems = located(&client.diagnostics(&config_uri));
    assert_eq!(
        problems,
        vec![expected("AG004", broken_config, "\"sometimes\"")]
    );
    let found = located(&client.diagnostics(&main));
    assert!(found.iter().any(|f| f.0 == "AKS005"), "{found:?}");
    client.shutdown();
}

/// The real binary over stdio, framed as an editor frames it: the probe's path in CI.
#[test]
fn the_binary_serves_over_stdio_and_exits_cleanly() {
    use std::io::{BufRead, BufReader, Read, Write};
    let dir = scratch("stdio");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .arg("lsp")
        .current_dir(&*dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start aksguard lsp");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut send = |message: Value| {
        let body = message.to_string();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    };
    let mut receive = || -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            stdout.read_line(&mut line).unwrap();
            let line = line.trim();
            if line.is_empty() {
                break;
            }
            if let Some(value) = line.strip_prefix("Content-Length:") {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        stdout.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    };
    send(json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                "params": {"processId": null, "rootUri": uri(&dir), "capabilities": {}}}));
    assert_eq!(receive()["id"], 1);
    send(json!({"jsonrpc": "2.0", "method": "initialized", "params": {}}));
    let main = uri(&dir.join("main.tf"));
    send(
        json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument":
                {"uri": main, "languageId": "terraform", "version": 1, "text": MAIN_TF}}}),
    );
    let published = receive();
    assert_eq!(published["method"], "textDocument/publishDiagnostics");
    let found = located(published["params"]["diagnostics"].as_array().unwrap());
    assert!(
        found.contains(&expected("AKS005", MAIN_TF, "local_account_disabled")),
        "{found:?}"
    );
    send(json!({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": null}));
    assert_eq!(receive()["id"], 2);
    send(json!({"jsonrpc": "2.0", "method": "exit", "params": null}));
    assert!(child.wait().unwrap().success());
}

/// Units are linked: a manifest may pull from the registry another folder of the landing
/// zone declares. The editor must report what `aksguard check` at the workspace root does.
#[test]
fn a_change_is_linted_with_the_rest_of_the_workspace_as_context() {
    let dir = scratch("workspace");
    std::fs::remove_file(dir.join("main.tf")).unwrap();
    std::fs::create_dir_all(dir.join("registry")).unwrap();
    std::fs::create_dir_all(dir.join("apps")).unwrap();
    std::fs::write(
        dir.join("registry/main.tf"),
        "resource \"azurerm_container_registry\" \"acr\" {\n  name = \"shopacr\"\n  sku  = \"Premium\"\n}\n",
    )
    .unwrap();
    let manifest = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: shopacr.azurecr.io/web@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
";
    std::fs::write(dir.join("apps/web.yaml"), manifest).unwrap();
    let client = Client::start(&dir, json!({}));
    let web = uri(&dir.join("apps/web.yaml"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": web, "languageId": "yaml", "version": 1, "text": manifest}}),
    );
    let found = located(&client.diagnostics(&web));
    assert!(
        found.contains(&expected("K8S002", manifest, "name: app")),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.0 == "K8S010"),
        "the zone's own registry is trusted: {found:?}"
    );
    client.shutdown();
}

#[test]
fn fix_all_offers_every_safe_fix_of_the_document_at_once() {
    let dir = scratch("fix-all");
    let mut client = Client::start(&dir, json!({}));
    let main = uri(&dir.join("main.tf"));
    open(&client, &main, MAIN_TF);
    client.diagnostics(&main);
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": main},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 10, "character": 0}},
               "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.aksguard");
    let edits = actions[0]["edit"]["changes"][&main].as_array().unwrap();
    let lines: Vec<u64> = edits
        .iter()
        .map(|e| e["range"]["start"]["line"].as_u64().unwrap())
        .collect();
    // AKS005's fix is unsafe here (no Entra ID block): not part of "every safe fix".
    assert!(!lines.contains(&4), "{edits:?}");
    assert!(edits.len() >= 2, "{edits:?}");
    // Applied as an editor applies them, the safe fixes give what `aksguard check --fix`
    // writes: attributes added to a block at its indentation, all of them in one go.
    let fixed = apply(MAIN_TF, edits);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["check", "--fix", "."])
        .current_dir(&*dir)
        .output()
        .unwrap();
    let cli = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    assert_ne!(cli, MAIN_TF, "{output:?}");
    // Except AKS005, which `--fix` takes in a second pass: it is safe once the Entra ID
    // block is in (the editor's next lint offers it).
    assert_eq!(
        fixed,
        cli.replace(
            "local_account_disabled = true",
            "local_account_disabled = false"
        )
    );
    assert!(
        fixed.contains("    vm_size = \"Standard_D4s_v5\"\n    os_sku = \"AzureLinux\"\n"),
        "{fixed}"
    );
    client.shutdown();
}

/// `edits` (LSP text edits, ASCII lines) applied to `text` as the protocol says: against
/// the original text, insertions at one point in the order given.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let character = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = &text[start..];
        start
            + line_text
                .char_indices()
                .nth(character)
                .map_or(line_text.len(), |(i, _)| i)
    };
    let mut spans: Vec<(usize, usize, usize, &str)> = edits
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                i,
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.2)));
    let mut out = text.to_string();
    for (start, end, _, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// `aksguard lsp --stdio` (the argv vscode-languageclient and most clients use) over real
/// pipes, fed malformed frames between good ones: each gets a JSON-RPC error and the
/// session goes on to a clean shutdown.
#[test]
fn the_stdio_server_answers_malformed_input_and_keeps_serving() {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::process::{Command, Stdio};

    fn frame(body: &[u8]) -> Vec<u8> {
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(body);
        out
    }
    fn read_message(out: &mut impl BufRead) -> Value {
        let mut length = 0;
        loop {
            let mut line = String::new();
            assert!(
                out.read_line(&mut line).unwrap() > 0,
                "the server closed its output"
            );
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(n) = line.strip_prefix("Content-Length: ") {
                length = n.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        out.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    let mut server = Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["lsp", "--stdio"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = server.stdin.take().unwrap();
    let mut output = BufReader::new(server.stdout.take().unwrap());
    let initialize =
        br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#;
    let malformed: [(&str, Vec<u8>, i64); 8] = [
        ("invalid JSON", frame(b"{\"jsonrpc\":"), -32700),
        (
            "a batch",
            frame(br#"[{"jsonrpc":"2.0","id":9,"method":"shutdown"}]"#),
            -32600,
        ),
        (
            "a lone surrogate",
            frame(br#"{"jsonrpc":"2.0","method":"x","params":"\udc00"}"#),
            -32700,
        ),
        ("invalid UTF-8", frame(b"{\"a\":\"\xc3\x28\"}"), -32700),
        (
            "a negative length",
            b"Content-Length: -1\r\n\r\n{}".to_vec(),
            -32700,
        ),
        (
            "a length that is no number",
            b"Content-Length: ten\r\n\r\n{}".to_vec(),
            -32700,
        ),
        (
            "a length no one can allocate",
            b"Content-Length: 99999999999999\r\n\r\n{}".to_vec(),
            -32700,
        ),
        ("no method", frame(br#"{"jsonrpc":"2.0","id":4}"#), -32600),
    ];
    // Before `initialize` and after it.
    for (what, bytes, code) in &malformed {
        input.write_all(bytes).unwrap();
        input.flush().unwrap();
        let reply = read_message(&mut output);
        assert_eq!(reply["error"]["code"], *code, "{what}: {reply}");
    }
    input.write_all(&frame(initialize)).unwrap();
    input.flush().unwrap();
    let reply = read_message(&mut output);
    assert_eq!(reply["id"], 1, "{reply}");
    assert_eq!(reply["result"]["serverInfo"]["name"], "aksguard");
    for (what, bytes, code) in &malformed {
        input.write_all(bytes).unwrap();
        input.flush().unwrap();
        let reply = read_message(&mut output);
        assert_eq!(reply["error"]["code"], *code, "{what}: {reply}");
        assert_eq!(reply["jsonrpc"], "2.0");
    }
    input
        .write_all(&frame(br#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#))
        .unwrap();
    input.flush().unwrap();
    let reply = read_message(&mut output);
    assert_eq!(reply["id"], 2, "{reply}");
    input
        .write_all(&frame(br#"{"jsonrpc":"2.0","method":"exit"}"#))
        .unwrap();
    drop(input);
    let status = server.wait().unwrap();
    let mut stderr = String::new();
    server
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "{status}: {stderr}");
}

#[test]
fn dockerfiles_and_pipelines_get_diagnostics_and_hover() {
    let dir = scratch("build");
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    let dockerfile = dir.join("Dockerfile");
    let workflow = dir.join(".github/workflows/ci.yml");
    // On disk both are clean; the open buffers are what gets linted.
    let pinned = "FROM mcr.microsoft.com/azurelinux/distroless/base:3.0@sha256:1f4a7d0c3e6b9f2a5d8c1e4b7a0d3f6c9e2b5a8d1c4f7e0b3a6d9c2f5e8b1a4d\n";
    std::fs::write(&dockerfile, format!("{pinned}USER 10001\n")).unwrap();
    std::fs::write(&workflow, "on: push\njobs: {}\n").unwrap();
    let mut client = Client::start(&dir, json!({}));
    let docker_uri = uri(&dockerfile);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": docker_uri, "languageId": "dockerfile", "version": 1,
               "text": format!("{pinned}USER root\n")}}),
    );
    let found = located(&client.diagnostics(&docker_uri));
    let opened = format!("{pinned}USER root\n");
    assert_eq!(found, [expected("BLD001", &opened, "USER root")]);
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": docker_uri}, "position": {"line": 1, "character": 6}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.starts_with("**BLD001** image-runs-as-root · high"),
        "{text}"
    );

    let workflow_uri = uri(&workflow);
    let pushing = "on: push\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker push lzprodacr.azurecr.io/web:1\n";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": workflow_uri, "languageId": "yaml", "version": 1, "text": pushing}}),
    );
    let found = located(&client.diagnostics(&workflow_uri));
    assert_eq!(found, [expected("BLD007", pushing, "run: docker push")]);
    client.shutdown();
}

/// A buffer never saved (VS Code's `untitled:Untitled-1`) is linted from its text by its
/// language, and its quick fixes edit that buffer.
#[test]
fn an_unsaved_buffer_gets_diagnostics_and_fixes() {
    let dir = scratch("untitled");
    let mut client = Client::start(&dir, json!({}));
    let untitled = "untitled:Untitled-1";
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": untitled, "languageId": "terraform", "version": 1,
                                "text": MAIN_TF}}),
    );
    let diagnostics = client.diagnostics(untitled);
    let found = located(&diagnostics);
    assert!(
        found.contains(&expected("AKS005", MAIN_TF, "local_account_disabled")),
        "{found:?}"
    );
    let local_accounts = diagnostics.iter().find(|d| d["code"] == "AKS005").unwrap();
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": untitled}, "range": local_accounts["range"],
               "context": {"diagnostics": [local_accounts], "only": ["quickfix"]}}),
    );
    assert_eq!(
        actions[0]["edit"]["changes"][untitled][0]["newText"], "true",
        "{actions}"
    );
    // Its edits are its own: the file on disk with the same text is not involved.
    change(&client, untitled, 2, &MAIN_TF.replace("= false", "= true"));
    let found = located(&client.diagnostics(untitled));
    assert!(!found.iter().any(|f| f.0 == "AKS005"), "{found:?}");
    client.shutdown();
}

/// The ARM AKS006 fix edits the parameter default the value comes from, and its title says
/// so (it used to read "Remove `enableRBAC: false`").
#[test]
fn a_fix_title_says_what_the_fix_does() {
    let dir = scratch("title");
    let arm = dir.join("aks.json");
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "enableRBAC": { "type": "bool", "defaultValue": false }
  },
  "resources": [
    {
      "type": "Microsoft.ContainerService/managedClusters",
      "apiVersion": "2025-10-01",
      "name": "aks",
      "location": "westeurope",
      "properties": { "enableRBAC": "[parameters('enableRBAC')]" }
    }
  ]
}
"#;
    std::fs::write(&arm, text).unwrap();
    let mut client = Client::start(&dir, json!({}));
    let arm_uri = uri(&arm);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": arm_uri, "languageId": "json", "version": 1, "text": text}}),
    );
    let diagnostics = client.diagnostics(&arm_uri);
    let rbac = diagnostics
        .iter()
        .find(|d| d["code"] == "AKS006")
        .unwrap_or_else(|| panic!("{diagnostics:?}"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": arm_uri}, "range": rbac["range"],
               "context": {"diagnostics": [rbac], "only": ["quickfix"]}}),
    );
    assert_eq!(
        actions[0]["title"],
        "AKS006: Set the parameter `enableRBAC` default to `true` (unsafe: review the change)"
    );
    let edit = &actions[0]["edit"]["changes"][&arm_uri][0];
    assert_eq!(edit["newText"], "true");
    // On the parameter's default.
    let (line, character) = at(text, "false");
    assert_eq!(
        edit["range"]["start"],
        json!({"line": line, "character": character}),
        "{edit}"
    );
    client.shutdown();
}

/// The configuration's `baseline` hides what it knows in the editor as `aksguard check`
/// does on the command line: the same findings, shown or not, in both.
#[test]
fn a_baselined_finding_is_hidden_in_the_editor_as_on_the_command_line() {
    let dir = scratch("baseline");
    std::fs::write(dir.join("aksguard.toml"), "baseline = \"baseline.json\"\n").unwrap();
    // Paths in a baseline are as `aksguard check` displays them from where it runs: the
    // server runs here too.
    let path = aksguard::source::display_path(&dir.join("main.tf"));
    let baseline = json!({"version": 1, "findings": [
        {"rule": "AKS005", "path": path, "resource": "azurerm_kubernetes_cluster.aks"}
    ]});
    std::fs::write(dir.join("baseline.json"), baseline.to_string()).unwrap();

    let cli = std::process::Command::new(env!("CARGO_BIN_EXE_aksguard"))
        .args(["check", "--format", "json"])
        .arg(&*dir)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&cli.stdout).unwrap();
    let reported = |rule: &str| {
        report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == rule && f["suppressed"] != true)
    };
    assert!(!reported("AKS005"), "{report}");
    assert!(reported("AKS001"), "{report}");

    let client = Client::start(&dir, json!({}));
    let main = uri(&dir.join("main.tf"));
    open(&client, &main, MAIN_TF);
    let found = located(&client.diagnostics(&main));
    assert!(!found.iter().any(|f| f.0 == "AKS005"), "{found:?}");
    assert!(
        found.contains(&expected("AKS001", MAIN_TF, "resource")),
        "{found:?}"
    );
    client.shutdown();
}
