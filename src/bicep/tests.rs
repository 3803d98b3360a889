use super::*;
use crate::model::raw::Format;
use crate::value::{Kind, Origin, Referent};
use std::collections::HashMap;

struct NoModules;

impl Files for NoModules {
    fn get(&self, _: &Path) -> Option<(FileId, &str)> {
        None
    }
}

struct InMemory(HashMap<PathBuf, (FileId, String)>);

impl Files for InMemory {
    fn get(&self, path: &Path) -> Option<(FileId, &str)> {
        self.0.get(path).map(|(id, text)| (*id, text.as_str()))
    }
}

fn load_text(text: &str) -> Vec<RawResource> {
    let input = Input {
        file: 0,
        path: Path::new("/repo/main.bicep"),
        text,
    };
    load(input, None, &NoModules).resources
}

fn find<'a>(resources: &'a [RawResource], address: &str) -> &'a RawResource {
    resources
        .iter()
        .find(|r| r.address == address)
        .unwrap_or_else(|| {
            let all: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
            panic!("no {address} in {all:?}")
        })
}

/// `a.b.0.c`: keys, then list indexes.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(value, |v, step| match step.parse::<usize>() {
            Ok(i) => &v.as_list().unwrap_or_else(|| panic!("{step}: {v:?}"))[i],
            Err(_) => v
                .get_ci(step)
                .unwrap_or_else(|| panic!("no {step} in {v:?}")),
        })
}

/// The value of `properties.x` of the one resource of a file with these declarations.
fn property_x(declarations: &str, expression: &str) -> Value {
    let text = format!(
        "{declarations}\nresource r 'Microsoft.Test/things@2024-01-01' = {{\n  name: 'r'\n  properties: {{\n    x: {expression}\n  }}\n}}\n"
    );
    let resources = load_text(&text);
    at(&resources[0].body, "properties.x").clone()
}

fn src(text: &str, loc: Option<Loc>) -> &str {
    let loc = loc.expect("a location");
    &text[loc.start as usize..loc.end as usize]
}

#[test]
fn expressions_evaluate_like_their_compiled_arm() {
    let cases: &[(&str, &str, Value)] = &[
        (
            "param p string = 'a'",
            "'${p}-${1 + 2}'",
            Value::string("a-3", None),
        ),
        ("", "toLower('ABC')", Value::string("abc", None)),
        ("", "contains(['a', 'b'], 'b')", Value::bool(true, None)),
        ("var o = { a: { b: 5 } }", "o.a.b", Value::number(5.0, None)),
        (
            "var o = { a: 1 }",
            "o.?missing ?? 'fallback'",
            Value::string("fallback", None),
        ),
        (
            "var l = [1, 2, 3]",
            "length(l) > 2 && !empty(l)",
            Value::bool(true, None),
        ),
        ("var l = [1, 2, 3]", "l[1]", Value::number(2.0, None)),
        ("", "'Abc' =~ 'aBC'", Value::bool(true, None)),
        (
            "param on bool = false",
            "on ? 'yes' : 'no'",
            Value::string("no", None),
        ),
        ("", "union({ a: 1 }, { b: 2 }).b", Value::number(2.0, None)),
        (
            "var xs = [1, 2, 3]",
            "length(filter(xs, x => x > 1))",
            Value::number(2.0, None),
        ),
        (
            "var xs = ['a']",
            "map(xs, x => '${x}!')[0]",
            Value::string("a!", None),
        ),
        ("", "'''\nraw ${x}'''", Value::string("raw ${x}", None)),
        ("", "'it\\'s'", Value::string("it's", None)),
        (
            "var base = { a: 1, b: 2 }",
            "{ ...base, b: 3 }.b",
            Value::number(3.0, None),
        ),
        (
            "",
            "az.resourceGroup().location == 'x' || true",
            Value::bool(true, None),
        ),
    ];
    for (declarations, expression, expected) in cases {
        let value = property_x(declarations, expression);
        assert_eq!(value.kind, expected.kind, "{declarations} / {expression}");
    }
}

#[test]
fn what_only_the_deployment_knows_is_unknown_never_false() {
    for (declarations, expression) in [
        ("param p bool", "p"),
        ("", "uniqueString(resourceGroup().id)"),
        ("", "resourceGroup().location"),
        ("param p bool", "!p"),
        ("param p bool", "p ? true : false"),
        ("param p bool", "p == true"),
        ("", "undefinedName"),
        ("", "loadJsonContent('x.json').enabled"),
        ("param xs array", "[for x in xs: x]"),
        ("param extra object", "{ ...extra, a: 1 }"),
    ] {
        let value = property_x(declarations, expression);
        assert!(value.is_unknown(), "{expression}: {value:?}");
    }
}

#[test]
fn values_keep_where_they_are_written_and_how_they_got_there() {
    let text = "param admin bool = true\nvar alias = admin\n\nresource r 'Microsoft.Test/things@2024-01-01' = {\n  name: 'r'\n  properties: {\n    a: alias\n    b: 'lit'\n  }\n}\n";
    let resources = load_text(text);
    let body = &resources[0].body;
    let a = at(body, "properties.a");
    assert_eq!(src(text, a.loc), "true");
    assert_eq!(
        a.origin.as_deref(),
        Some(&Origin::ParameterDefault {
            name: "admin".to_string()
        })
    );
    let b = at(body, "properties.b");
    assert_eq!(src(text, b.loc), "'lit'");
    let entry = body
        .get("properties")
        .unwrap()
        .entry("b")
        .expect("an entry");
    assert_eq!(src(text, entry.key_loc), "b: 'lit'");
    assert_eq!(
        src(text, Some(resources[0].header)),
        "'Microsoft.Test/things@2024-01-01'"
    );
}

#[test]
fn resources_have_arm_types_names_and_addresses() {
    let text = r#"
resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks1'
  properties: {}

  resource pool 'agentPools' = {
    name: 'nested'
    properties: {}
  }
}

resource pool2 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = {
  parent: aks
  name: 'byparent'
  properties: {
    clusterId: aks.id
  }
}

resource old 'Microsoft.ContainerRegistry/registries@2023-07-01' existing = {
  name: 'shared'
}

resource off 'Microsoft.ContainerRegistry/registries@2023-07-01' = if (false) {
  name: 'never'
}
"#;
    let resources = load_text(text);
    let addresses: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "Microsoft.ContainerService/managedClusters/aks1",
            "Microsoft.ContainerService/managedClusters/agentPools/aks1/nested",
            "Microsoft.ContainerService/managedClusters/agentPools/aks1/byparent",
            "Microsoft.ContainerRegistry/registries/shared",
        ]
    );
    let pool = find(&resources, addresses[2]);
    assert_eq!(at(&pool.body, "name").as_str(), Some("aks1/byparent"));
    assert!(pool.body.get("parent").is_none());
    assert_eq!(
        at(&pool.body, "properties.clusterId").as_str(),
        Some(
            "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ContainerService/managedClusters/aks1"
        )
    );
    assert_eq!(
        at(&pool.body, "type").as_str(),
        Some("Microsoft.ContainerService/managedClusters/agentPools")
    );
    assert!(find(&resources, addresses[3]).existing);
    assert!(resources.iter().all(|r| r.format == Format::Bicep));
}

#[test]
fn extension_scopes_and_deployment_outputs_read_like_compiled_arm() {
    let text = r#"
resource aks 'Microsoft.ContainerService/managedClusters@2024-02-01' = {
  name: 'aks1'
}
resource acr 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: 'acr1'
}
resource pull 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(acr.id)
  scope: acr
  properties: {
    principalId: aks.properties.identityProfile.kubeletidentity.objectId
  }
}
"#;
    let resources = load_text(text);
    let pull = find(&resources, "Microsoft.Authorization/roleAssignments/?");
    assert_eq!(
        at(&pull.body, "scope").as_str(),
        Some("Microsoft.ContainerRegistry/registries/acr1")
    );
    let principal = at(&pull.body, "properties.principalId");
    let Kind::Unknown(text) = &principal.kind else {
        panic!("{principal:?}")
    };
    assert!(
        text.starts_with("reference('/subscriptions/")
            && text.ends_with("managedClusters/aks1').identityProfile.kubeletidentity.objectId"),
        "{text}"
    );
    let Some(Referent::Deployed { id, path }) = principal.referent.as_deref() else {
        panic!("{principal:?}")
    };
    assert!(id.ends_with("/providers/Microsoft.ContainerService/managedClusters/aks1"));
    assert_eq!(path, "identityProfile.kubeletidentity.objectId");
}

#[test]
fn loops_over_unknown_collections_give_one_instance_with_unknown_names() {
    let text = r#"
param names array
param count int = 2
resource many 'Microsoft.ContainerRegistry/registries@2023-07-01' = [for name in names: {
  name: name
}]
resource counted 'Microsoft.ContainerRegistry/registries@2023-07-01' = [for i in range(0, count): {
  name: 'acr${i}'
}]
"#;
    let resources = load_text(text);
    let addresses: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "Microsoft.ContainerRegistry/registries/?",
            "Microsoft.ContainerRegistry/registries/acr0",
            "Microsoft.ContainerRegistry/registries/acr1",
        ]
    );
}

#[test]
fn a_bicepparam_file_and_a_module_call_give_parameter_values() {
    let main = "param name string = 'default'\nparam sku string\nmodule m './mod.bicep' = {\n  name: 'm'\n  params: {\n    registryName: '${name}-acr'\n    sku: sku\n  }\n}\n";
    let module = "param registryName string\nparam sku string = 'Basic'\nparam optional string?\nresource r 'Microsoft.ContainerRegistry/registries@2023-07-01' = {\n  name: registryName\n  sku: { name: sku }\n  properties: { note: optional }\n}\n";
    let params = "using './main.bicep'\nparam name = 'prod'\nparam sku = 'Premium'\n";
    let files = InMemory(HashMap::from([(
        PathBuf::from("/repo/mod.bicep"),
        (1, module.to_string()),
    )]));
    let resources = load(
        Input {
            file: 0,
            path: Path::new("/repo/main.bicep"),
            text: main,
        },
        Some(Input {
            file: 2,
            path: Path::new("/repo/prod.bicepparam"),
            text: params,
        }),
        &files,
    )
    .resources;
    let registry = find(
        &resources,
        "Microsoft.ContainerRegistry/registries/prod-acr",
    );
    assert_eq!(registry.file, 1);
    let sku = at(&registry.body, "sku.name");
    assert_eq!(sku.as_str(), Some("Premium"));
    assert_eq!(sku.loc.map(|l| l.file), Some(2));
    assert_eq!(
        sku.origin.as_deref(),
        Some(&Origin::AssignedInParameterFile {
            name: "sku".to_string(),
            file: "/repo/prod.bicepparam".to_string()
        })
    );
    // A module call gives every parameter: an optional one that is not passed is null.
    assert!(at(&registry.body, "properties.note").is_null());
    let outline = outline(2, Path::new("/repo/prod.bicepparam"), params);
    assert_eq!(outline.using, Some(PathBuf::from("/repo/main.bicep")));
    let outline = outline_of_main(main);
    assert_eq!(outline.modules, [PathBuf::from("/repo/mod.bicep")]);
}

fn outline_of_main(text: &str) -> Outline {
    outline(0, Path::new("/repo/main.bicep"), text)
}

#[test]
fn a_module_that_calls_itself_ends() {
    let text = "module again './main.bicep' = {\n  name: 'again'\n}\nresource r 'Microsoft.ContainerRegistry/registries@2023-07-01' = {\n  name: 'r'\n}\n";
    let files = InMemory(HashMap::from([(
        PathBuf::from("/repo/main.bicep"),
        (0, text.to_string()),
    )]));
    let input = Input {
        file: 0,
        path: Path::new("/repo/main.bicep"),
        text,
    };
    let resources = load(input, None, &files).resources;
    assert!(!resources.is_empty() && resources.len() <= 32);
}

#[test]
fn syntax_errors_are_located() {
    let text = "param a string = 'x'\nvar b = (1 +\n";
    let outline = outline_of_main(text);
    let error = outline.error.expect("an error");
    assert!(
        error.loc.start as usize >= text.find("var").unwrap(),
        "{error:?}"
    );
}

#[test]
fn deep_nesting_does_not_overflow_a_small_stack() {
    let depth = 20_000;
    let text = format!(
        "var deep = {}1{}\nresource r 'Microsoft.Test/things@2024-01-01' = {{\n  name: 'r'\n  properties: {{\n    x: deep\n  }}\n}}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let _ = outline_of_main(&text);
            load_text(&text).len()
        })
        .unwrap();
    assert_eq!(handle.join().expect("no stack overflow"), 1);
}

#[test]
fn truncated_and_mangled_files_never_panic() {
    let fixtures = [
        include_str!("../../testdata/bicep/loops/main.bicep"),
        include_str!("../../testdata/bicep/modules/main.bicep"),
        include_str!("../../testdata/bicep/params/prod.bicepparam"),
        "var s = 'héllo ${x} wörld\nvar t = '''\nmulti",
    ];
    for text in fixtures {
        for cut in (0..text.len())
            .filter(|i| text.is_char_boundary(*i))
            .step_by(5)
        {
            let truncated = &text[..cut];
            let _ = outline_of_main(truncated);
            let _ = load_text(truncated);
            let swapped = truncated.replace(['{', '('], "[").replace('\'', "$");
            let _ = load_text(&swapped);
        }
    }
}

#[test]
fn a_file_calling_itself_several_times_ends_quickly() {
    let text = "param n int = 0\nmodule a './main.bicep' = {\n  name: 'a'\n}\nmodule b './main.bicep' = [for i in range(0, 3): {\n  name: 'b${i}'\n}]\nmodule c './main.bicep' = if (n == 0) {\n  name: 'c'\n}\nresource r 'Microsoft.ContainerRegistry/registries@2023-07-01' = {\n  name: 'r'\n}\n";
    let files = InMemory(HashMap::from([(
        PathBuf::from("/repo/main.bicep"),
        (0, text.to_string()),
    )]));
    let input = Input {
        file: 0,
        path: Path::new("/repo/main.bicep"),
        text,
    };
    let started = std::time::Instant::now();
    let resources = load(input, None, &files).resources;
    assert!(resources.len() <= 257, "{}", resources.len());
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
}

/// Found by fuzzing: a `parent:` cycle recursed until the stack overflowed.
#[test]
fn a_parent_cycle_ends_on_a_worker_sized_stack() {
    let text = "resource a 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = {\n  parent: b\n  name: 'a'\n}\nresource b 'Microsoft.ContainerService/managedClusters/agentPools@2024-02-01' = {\n  parent: a\n  name: 'b'\n}\nresource c 'Microsoft.ContainerService/managedClusters@2024-02-01' = {\n  parent: c\n  name: 'c'\n}\n".to_string();
    let resources = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || load_text(&text).len())
        .unwrap()
        .join()
        .expect("no stack overflow");
    assert_eq!(resources, 3);
}
