use super::*;
use crate::source::{Loc, SourceFile};
use std::path::PathBuf;

fn lc(text: &str, offset: u32) -> (usize, usize) {
    SourceFile::new(
        0,
        PathBuf::from("t.yaml"),
        "t.yaml".into(),
        text.to_string(),
    )
    .line_col(offset)
}

fn path<'a>(v: &'a Value, steps: &[&str]) -> &'a Value {
    let mut cur = v;
    for s in steps {
        cur = match s.parse::<usize>() {
            Ok(i) => &cur.as_list().unwrap()[i],
            Err(_) => cur.get(s).unwrap_or_else(|| panic!("no {s}")),
        };
    }
    cur
}

fn text_at(text: &str, loc: Loc) -> &str {
    &text[loc.start as usize..loc.end as usize]
}

const HELM: &str = "---
# Source: web/templates/serviceaccount.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: web
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  template:
    spec:
      containers:
        - name: app
          image: nginx:1.25
          securityContext:
            privileged: true
---
# Source: web/templates/clusterrole.yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: web-reader
rules: []
";

#[test]
fn helm_rendered_multi_document() {
    assert!(looks_like_manifests(HELM));
    let (res, errs) = load_manifests(3, HELM);
    assert!(errs.is_empty(), "{errs:?}");
    let kinds: Vec<_> = res.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(kinds, ["ServiceAccount", "Deployment", "ClusterRole"]);
    let addrs: Vec<_> = res.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addrs,
        [
            "ServiceAccount/default/web",
            "Deployment/shop/web",
            "ClusterRole/web-reader"
        ]
    );
    let sources: Vec<_> = res.iter().map(|r| r.source.as_deref().unwrap()).collect();
    assert_eq!(
        sources,
        [
            "web/templates/serviceaccount.yaml",
            "web/templates/deployment.yaml",
            "web/templates/clusterrole.yaml"
        ]
    );
    let d = &res[1];
    assert_eq!(d.format, Format::Kubernetes);
    assert_eq!(d.file, 3);
    assert_eq!(d.name.as_deref(), Some("web"));
    assert_eq!(text_at(HELM, d.header), "kind: Deployment");
    assert_eq!(lc(HELM, d.header.start), (10, 1));

    let sc = path(
        &d.body,
        &[
            "spec",
            "template",
            "spec",
            "containers",
            "0",
            "securityContext",
        ],
    );
    let entry = sc.entry("privileged").unwrap();
    assert_eq!(entry.value.as_bool(), Some(true));
    let key_loc = entry.key_loc.unwrap();
    assert_eq!(text_at(HELM, key_loc), "privileged: true");
    assert_eq!(lc(HELM, key_loc.start), (21, 13));
    let vloc = entry.value.loc.unwrap();
    assert_eq!(text_at(HELM, vloc), "true");
    assert_eq!(lc(HELM, vloc.start), (21, 25));
    // The container list starts at its dash, the map item after it.
    let containers = path(&d.body, &["spec", "template", "spec", "containers"]);
    assert_eq!(lc(HELM, containers.loc.unwrap().start), (18, 9));
    assert!(text_at(HELM, containers.loc.unwrap()).ends_with("privileged: true"));
}

#[test]
fn list_is_unpacked() {
    let text = "apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: api, namespace: prod}
  - apiVersion: v1
    kind: Namespace
    metadata:
      name: prod
";
    assert!(looks_like_manifests(text));
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty());
    let addrs: Vec<_> = res.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(addrs, ["Service/prod/api", "Namespace/prod"]);
    assert_eq!(lc(text, res[0].header.start), (5, 5));
    assert!(res[0].source.is_none());
    // A flow map ends at its brace.
    let meta = res[0].body.get("metadata").unwrap();
    assert_eq!(
        text_at(text, meta.loc.unwrap()),
        "{name: api, namespace: prod}"
    );
}

#[test]
fn anchors_aliases_and_merge_keys() {
    let text = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
x-defaults: &sc
  runAsNonRoot: true
  privileged: false
spec:
  template:
    spec:
      containers:
        - name: a
          securityContext: *sc
        - name: b
          securityContext:
            <<: *sc
            privileged: true
";
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty(), "{errs:?}");
    let c = path(&res[0].body, &["spec", "template", "spec", "containers"]);
    let a = c.as_list().unwrap()[0].get("securityContext").unwrap();
    assert_eq!(a.get("privileged").unwrap().as_bool(), Some(false));
    // The aliased value points where it is written: the anchor.
    assert_eq!(
        lc(text, a.get("runAsNonRoot").unwrap().loc.unwrap().start),
        (6, 17)
    );
    let b = c.as_list().unwrap()[1].get("securityContext").unwrap();
    let keys: Vec<_> = b.as_map().unwrap().iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["runAsNonRoot", "privileged"]);
    assert_eq!(b.get("privileged").unwrap().as_bool(), Some(true));
    assert_eq!(b.get("runAsNonRoot").unwrap().as_bool(), Some(true));
    // A quoted "<<" is an ordinary key.
    let (res, _) = load_manifests(0, "apiVersion: v1\nkind: X\n\"<<\": {a: 1}\n");
    assert!(res[0].body.get("<<").is_some());
}

#[test]
fn billion_laughs_is_an_error_not_a_hang() {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    text.push_str("---\napiVersion: v1\nkind: Secret\nmetadata: {name: ok}\n");
    let start = std::time::Instant::now();
    let (res, errs) = load_manifests(0, &text);
    assert!(start.elapsed().as_secs() < 5);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0]
            .message
            .contains("alias expansion exceeds 100000 nodes"),
        "{}",
        errs[0].message
    );
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].address, "Secret/default/ok");
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    for text in [
        format!("apiVersion: v1\nkind: X\na: {}", "[".repeat(100_000)),
        format!(
            "apiVersion: v1\nkind: X\na: {}1{}",
            "{a: ".repeat(5_000),
            "}".repeat(5_000)
        ),
        {
            let mut s = String::from("apiVersion: v1\nkind: X\n");
            for i in 0..400 {
                s.push_str(&" ".repeat(i));
                s.push_str("k:\n");
            }
            s
        },
    ] {
        let (res, errs) = load_manifests(0, &text);
        assert!(res.is_empty());
        assert_eq!(errs.len(), 1, "{errs:?}");
    }
    let mut block = String::new();
    for i in 0..300 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    let (_, errs) = load_manifests(0, &block);
    assert!(
        errs[0].message.contains("nesting deeper than 256"),
        "{errs:?}"
    );
    assert_eq!(lc(&block, errs[0].loc.start), (257, 257));
}

#[test]
fn broken_document_between_good_ones() {
    let text = "apiVersion: v1
kind: ServiceAccount
metadata:
  name: first
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: broken
 data: [unclosed
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: last
";
    let (res, errs) = load_manifests(0, text);
    let names: Vec<_> = res.iter().map(|r| r.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["first", "last"]);
    assert_eq!(errs.len(), 1);
    assert_eq!(lc(text, errs[0].loc.start).0, 10, "{:?}", errs[0]);
}

#[test]
fn non_ascii_text_gives_byte_offsets() {
    let text = "# Überprüfung — ünïcödé 🚀\napiVersion: v1\nkind: Pod\nmetadata:\n  name: \"pöd\"\n  annotations: {note: \"é\"}\nspec:\n  hostNetwork: true\n";
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty());
    let r = &res[0];
    assert_eq!(r.address, "Pod/default/pöd");
    assert_eq!(text_at(text, r.header), "kind: Pod");
    let e = r.body.get("spec").unwrap().entry("hostNetwork").unwrap();
    assert_eq!(text_at(text, e.key_loc.unwrap()), "hostNetwork: true");
    assert_eq!(lc(text, e.key_loc.unwrap().start), (8, 3));
    let note = path(&r.body, &["metadata", "annotations", "note"]);
    assert_eq!(text_at(text, note.loc.unwrap()), "\"é\"");
}

#[test]
fn non_kubernetes_documents_are_skipped() {
    let text = "name: ci\non: [push]\n---\n---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n---\n- 1\n- 2\n---\nkind: 3\napiVersion: v1\n---\njust text\n";
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty(), "{errs:?}");
    assert_eq!(res.len(), 1);
    assert_eq!(res[0].address, "Namespace/a");
    assert!(!looks_like_manifests("name: ci\non: [push]\n"));
}

#[test]
fn helm_templates_are_not_manifests() {
    let template = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include \"web.fullname\" . }}
  labels:
    {{- include \"web.labels\" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
";
    assert!(!looks_like_manifests(template));
    assert!(!looks_like_manifests(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: x\n{{ if true }}\nspec: {}\n{{ end }}\n"
    ));
    assert!(looks_like_manifests(HELM));
    // Rendered output keeps Prometheus and alertmanager templates in values.
    let rendered = "---
# Source: kps/templates/rules.yaml
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: r
spec:
  groups:
    - rules:
        - annotations:
            description: Pod {{ $labels.pod }} is down
            summary: '{{ $labels.job }} down'
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: am
data:
  t.tmpl: |
    {{ define \"x\" }}
    {{- range .Alerts }}{{ .Labels }}{{ end }}
    {{ end }}
";
    assert!(looks_like_manifests(rendered));
    let (res, errs) = load_manifests(0, rendered);
    assert!(errs.is_empty());
    assert_eq!(res.len(), 2);
}

#[test]
fn scalars_follow_the_core_schema_with_kubectls_booleans() {
    let text = "apiVersion: v1
kind: X
t: true
f: False
q: \"true\"
n1: ~
n2:
n3: null
i: 42
neg: -7
h: 0x1F
o: 0o17
fl: 1.5e3
inf: -.inf
s: yes
ver: 1.2.3
port: '22'
tagged: !!str 5
int: !!int \"7\"
block: |
  line1
  line2

folded: >-
  a
  b
1: numeric key
";
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty(), "{errs:?}");
    let b = &res[0].body;
    let k = |key: &str| &b.get(key).unwrap().kind;
    assert_eq!(k("t"), &Kind::Bool(true));
    assert_eq!(k("f"), &Kind::Bool(false));
    assert_eq!(k("q"), &Kind::String("true".into()));
    assert_eq!(k("s"), &Kind::Bool(true));
    assert_eq!(k("n1"), &Kind::Null);
    assert_eq!(k("n2"), &Kind::Null);
    assert_eq!(k("n3"), &Kind::Null);
    assert_eq!(k("i"), &Kind::Number(42.0));
    assert_eq!(k("neg"), &Kind::Number(-7.0));
    assert_eq!(k("h"), &Kind::Number(31.0));
    assert_eq!(k("o"), &Kind::Number(15.0));
    assert_eq!(k("fl"), &Kind::Number(1500.0));
    assert_eq!(k("inf"), &Kind::Number(f64::NEG_INFINITY));
    assert_eq!(k("ver"), &Kind::String("1.2.3".into()));
    assert_eq!(k("port"), &Kind::String("22".into()));
    assert_eq!(k("tagged"), &Kind::String("5".into()));
    assert_eq!(k("int"), &Kind::Number(7.0));
    assert_eq!(k("block"), &Kind::String("line1\nline2\n".into()));
    assert_eq!(k("folded"), &Kind::String("a b".into()));
    assert_eq!(k("1"), &Kind::String("numeric key".into()));
    let block = b.entry("block").unwrap();
    assert!(text_at(text, block.key_loc.unwrap()).ends_with("line2"));
    let empty = b.entry("n2").unwrap();
    assert_eq!(text_at(text, empty.key_loc.unwrap()), "n2:");
}

#[test]
fn crlf_bom_and_directives() {
    let text = "\u{feff}%YAML 1.2\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: p\r\n---\r\napiVersion: v1\r\nkind: Pod\r\nmetadata:\r\n  name: q\r\n";
    let (res, errs) = load_manifests(0, text);
    assert!(errs.is_empty(), "{errs:?}");
    let names: Vec<_> = res.iter().map(|r| r.name.as_deref().unwrap()).collect();
    assert_eq!(names, ["p", "q"]);
    assert_eq!(text_at(text, res[1].header), "kind: Pod");
    assert!(looks_like_manifests(text));
}

#[test]
fn garbage_never_panics() {
    let seeds = [
        HELM.as_bytes().to_vec(),
        b"a: &x [*x, {b: *x}]\n- ]\n\t\"\\u".to_vec(),
    ];
    let alphabet = b"-:{}[],&*!|>'\"#%?@` \n\t\r\\abc0123~.<";
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    for round in 0..3000 {
        let mut bytes = seeds[round % seeds.len()].clone();
        for _ in 0..(next() % 12 + 1) {
            let pos = (next() as usize) % (bytes.len() + 1);
            match next() % 3 {
                0 if pos < bytes.len() => {
                    bytes.remove(pos);
                }
                1 => bytes.insert(pos, alphabet[(next() as usize) % alphabet.len()]),
                _ => bytes.insert(pos, next() as u8),
            }
        }
        let text = String::from_utf8_lossy(&bytes);
        let (res, errs) = load_manifests(0, &text);
        for r in &res {
            assert!(r.header.end as usize <= text.len());
        }
        for e in &errs {
            assert!(e.loc.start as usize <= text.len());
        }
        looks_like_manifests(&text);
    }
}

/// Runs over the shared corpus (not part of the repo): `cargo test -- --ignored corpus`.
#[test]
#[ignore]
fn corpus_does_not_panic() {
    fn walk(p: &std::path::Path, out: &mut Vec<PathBuf>) {
        if p.is_dir() {
            for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
                walk(&e.path(), out);
            }
        } else if matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")) {
            out.push(p.to_path_buf());
        }
    }
    let mut files = Vec::new();
    for root in ["/work/shared/corpus/real", "/work/shared/corpus/peers"] {
        walk(std::path::Path::new(root), &mut files);
    }
    let mut failing = 0;
    for f in &files {
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
        let (_, errs) = load_manifests(0, &text);
        if !errs.is_empty() {
            failing += 1;
            eprintln!("{}: {}", f.display(), errs[0].message);
        }
    }
    eprintln!("{} files, {failing} with errors", files.len());
}

#[test]
fn a_flow_collection_line_indented_less_than_its_key_is_read_as_kubectl_reads_it() {
    let text = "a:\n  - b: [\n      \"x\", # first\n      \"y\" # second\n    ]\n    c: {\n      k: v\n    }\n    d: 1\n";
    // saphyr alone rejects it.
    assert!(yaml::parse_once(0, text, 0, &[]).1.is_some());
    let (docs, errors) = parse_documents(0, text);
    assert!(errors.is_empty(), "{errors:?}");
    let b = path(&docs[0], &["a", "0", "b"]);
    let items: Vec<_> = b
        .as_list()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(items, ["x", "y"]);
    // Spans still point into the original text, and a quoted scalar's ends at its quote.
    assert_eq!(
        text_at(text, path(&docs[0], &["a", "0", "b", "1"]).loc.unwrap()),
        "\"y\""
    );
    let (flow, _) = parse_documents(0, "a: [ \"x\" , y ]\n");
    assert_eq!(
        path(&flow[0], &["a", "0"]).loc.map(|l| (l.start, l.end)),
        Some((5, 8))
    );
    assert_eq!(path(&docs[0], &["a", "0", "c", "k"]).as_str(), Some("v"));
    assert_eq!(path(&docs[0], &["a", "0", "d"]).as_number(), Some(1.0));
    // Under-indentation in block context stays an error, as in kubectl.
    let (_, errors) = parse_documents(0, "a:\n  b: 1\n c: 2\n");
    assert_eq!(errors.len(), 1);
}

#[test]
fn a_quoted_scalar_continued_less_indented_than_its_item_is_read_as_kubectl_reads_it() {
    let text = "c:\n  - args:\n      - \"run \\\n    --fast\n    now\"\n    k: v\n";
    assert!(yaml::parse_once(0, text, 0, &[]).1.is_some());
    let (docs, errors) = parse_documents(0, text);
    assert!(errors.is_empty(), "{errors:?}");
    // As PyYAML reads it: the escaped line break joins, the plain one folds to a space.
    assert_eq!(
        path(&docs[0], &["c", "0", "args", "0"]).as_str(),
        Some("run --fast now")
    );
    // Spans after the re-indented lines still point into the original text.
    let v = path(&docs[0], &["c", "0", "k"]);
    assert_eq!(text_at(text, v.loc.unwrap()), "v");
    let args = path(&docs[0], &["c", "0", "args", "0"]).loc.unwrap();
    assert_eq!(text_at(text, args), "\"run \\\n    --fast\n    now\"");
}
