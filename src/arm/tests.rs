use super::*;
use crate::value::{Kind, Referent};

const GEN_AKS: &str = include_str!("../../testdata/arm/aks.json");
const GEN_AKS_PUBLIC: &str = include_str!("../../testdata/arm/aks_public.json");
const GEN_ACR: &str = include_str!("../../testdata/arm/acr.json");
const GEN_ACR_NO_PE: &str = include_str!("../../testdata/arm/acr_no_pe.json");

fn load(text: &str) -> Vec<RawResource> {
    load_template(0, text, None).unwrap_or_else(|e| panic!("{e:?}"))
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

/// `a.b.0.c`: case-insensitive keys, numeric list indexes.
fn at<'a>(value: &'a Value, path: &str) -> &'a Value {
    path.split('.')
        .fold(value, |v, step| match step.parse::<usize>() {
            Ok(i) => &v
                .as_list()
                .unwrap_or_else(|| panic!("{step}: not a list: {v:?}"))[i],
            Err(_) => v
                .get_ci(step)
                .unwrap_or_else(|| panic!("no {step} in {v:?}")),
        })
}

fn src(text: &str, loc: Option<Loc>) -> &str {
    let loc = loc.expect("a location");
    &text[loc.start as usize..loc.end as usize]
}

fn origin(v: &Value) -> String {
    v.origin
        .as_ref()
        .map_or("<none>".to_string(), |o| o.to_string())
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_list()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect()
}

/// A template whose single resource has `properties.x` = `expression` (JSON text).
fn template_with(parameters: &str, variables: &str, expression: &str) -> String {
    format!(
        r#"{{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {{ {parameters} }},
  "variables": {{ {variables} }},
  "resources": [ {{ "type": "Microsoft.Test/things", "name": "t", "properties": {{ "x": {expression} }} }} ]
}}"#
    )
}

fn eval_with(parameters: &str, variables: &str, expression: &str) -> Value {
    let text = template_with(parameters, variables, expression);
    let resources = load(&text);
    at(&resources[0].body, "properties.x").clone()
}

fn eval(expression: &str) -> Value {
    eval_with("", "", &format!("\"{expression}\""))
}

// ---------------------------------------------------------------- corpus template shapes

#[test]
fn generated_cluster_template() {
    let resources = load(GEN_AKS);
    assert_eq!(resources.len(), 1);
    let cluster = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/lz0000-aks",
    );
    assert_eq!(cluster.format, Format::Arm);
    assert_eq!(cluster.kind, "Microsoft.ContainerService/managedClusters");
    assert_eq!(cluster.name.as_deref(), Some("lz0000-aks"));
    assert!(cluster.compiled_by_bicep);
    assert!(!cluster.existing);
    assert_eq!(
        src(GEN_AKS, Some(cluster.header)),
        r#""type": "Microsoft.ContainerService/managedClusters""#
    );

    let private = at(
        &cluster.body,
        "properties.apiServerAccessProfile.enablePrivateCluster",
    );
    assert_eq!(private.kind, Kind::Bool(true));
    assert_eq!(origin(private), "parameter `enablePrivateCluster` default");
    assert_eq!(src(GEN_AKS, private.loc), "true");
    assert!(GEN_AKS[..private.loc.unwrap().start as usize].ends_with("\"defaultValue\": "));

    // Private: the if() picks createArray(), computed at the expression.
    let ranges = at(
        &cluster.body,
        "properties.apiServerAccessProfile.authorizedIPRanges",
    );
    assert_eq!(ranges.kind, Kind::List(vec![]));
    assert!(src(GEN_AKS, ranges.loc).starts_with("\"[if(parameters('enablePrivateCluster')"));

    let entry = at(&cluster.body, "properties.apiServerAccessProfile")
        .entry_ci("authorizedIPRanges")
        .unwrap();
    assert!(src(GEN_AKS, entry.key_loc).starts_with("\"authorizedIPRanges\": \"[if("));

    let channel = at(
        &cluster.body,
        "properties.autoUpgradeProfile.upgradeChannel",
    );
    assert_eq!(channel.as_str(), Some("patch"));
    assert_eq!(origin(channel), "variable `upgradeChannel`");
    assert_eq!(src(GEN_AKS, channel.loc), "\"patch\"");

    let location = at(&cluster.body, "location");
    assert_eq!(
        location.kind,
        Kind::Unknown("resourceGroup().location".into())
    );
    assert_eq!(origin(location), "parameter `location` default");

    let workspace = at(
        &cluster.body,
        "properties.securityProfile.defender.logAnalyticsWorkspaceResourceId",
    );
    assert_eq!(
        workspace.kind,
        Kind::Unknown("parameters('workspaceId')".into())
    );
    assert_eq!(
        src(GEN_AKS, workspace.loc),
        "\"[parameters('workspaceId')]\""
    );

    let pool = at(&cluster.body, "properties.agentPoolProfiles.0");
    assert_eq!(at(pool, "enableEncryptionAtHost").kind, Kind::Bool(false));
    assert_eq!(
        strings(at(pool, "nodeTaints")),
        ["CriticalAddonsOnly=true:NoSchedule"]
    );
    assert_eq!(
        at(
            &cluster.body,
            "properties.addonProfiles.azureKeyvaultSecretsProvider.config.enableSecretRotation"
        )
        .as_str(),
        Some("true")
    );
}

#[test]
fn generated_public_cluster_passes_the_ranges_through() {
    let resources = load(GEN_AKS_PUBLIC);
    let cluster = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/lz0004-aks",
    );
    let private = at(
        &cluster.body,
        "properties.apiServerAccessProfile.enablePrivateCluster",
    );
    assert_eq!(private.kind, Kind::Bool(false));
    let ranges = at(
        &cluster.body,
        "properties.apiServerAccessProfile.authorizedIPRanges",
    );
    assert_eq!(strings(ranges), ["0.0.0.0/0"]);
    assert_eq!(origin(ranges), "parameter `authorizedIpRanges` default");
    assert_eq!(
        src(GEN_AKS_PUBLIC, ranges.as_list().unwrap()[0].loc),
        "\"0.0.0.0/0\""
    );
}

#[test]
fn generated_registry_template_with_inner_scope_deployment() {
    let resources = load(GEN_ACR);
    assert_eq!(resources.len(), 3);
    let registry = find(
        &resources,
        "Microsoft.ContainerRegistry/registries/lz0000acr",
    );
    assert!(registry.compiled_by_bicep);
    assert_eq!(
        at(&registry.body, "properties.publicNetworkAccess").as_str(),
        Some("Disabled")
    );
    assert_eq!(
        origin(at(&registry.body, "name")),
        "parameter `registryName` default"
    );

    let deployment = find(
        &resources,
        "Microsoft.Resources/deployments/acr-private-endpoint",
    );
    // The inline template is not repeated in the deployment's body.
    let template = at(&deployment.body, "properties.template");
    assert_eq!(template.kind, Kind::Unknown(INLINE_TEMPLATE.into()));
    assert!(src(GEN_ACR, template.loc).starts_with('{'));
    let passed = at(&deployment.body, "properties.parameters.subnetId.value");
    assert_eq!(origin(passed), "parameter `subnetId` default");

    let endpoint = find(
        &resources,
        "Microsoft.Network/privateEndpoints/lz0000acr-pe",
    );
    assert_eq!(endpoint.file, 0);
    assert!(endpoint.compiled_by_bicep);
    let connection = at(
        &endpoint.body,
        "properties.privateLinkServiceConnections.0.properties",
    );
    let target = at(connection, "privateLinkServiceId");
    let id = target.as_str().unwrap();
    assert!(
        id.to_lowercase()
            .ends_with("/providers/microsoft.containerregistry/registries/lz0000acr"),
        "{id}"
    );
    assert_eq!(id.rsplit('/').next(), Some("lz0000acr"));
    assert!(id.split('/').any(is_placeholder_segment));
    assert_eq!(
        origin(target),
        "parameter `registryId` passed by deployment `acr-private-endpoint`"
    );
    assert!(src(GEN_ACR, target.loc)
        .starts_with("\"[resourceId('Microsoft.ContainerRegistry/registries'"));
    assert_eq!(strings(at(connection, "groupIds")), ["registry"]);

    // Passed through two hops, the subnet keeps the outer default's location and origin.
    let subnet = at(&endpoint.body, "properties.subnet.id");
    assert!(subnet.as_str().unwrap().ends_with("/subnets/pe"));
    assert_eq!(origin(subnet), "parameter `subnetId` default");
    assert!(src(GEN_ACR, subnet.loc).starts_with("\"/subscriptions/00000000-"));

    // The inner template's resourceGroup() is unknown, not the outer location.
    assert!(at(&endpoint.body, "location").is_unknown());

    let resources = load(GEN_ACR_NO_PE);
    assert_eq!(resources.len(), 1);
    assert_eq!(
        resources[0].address,
        "Microsoft.ContainerRegistry/registries/lz0004acr"
    );
}

// ---------------------------------------------------------------- JSON surface

#[test]
fn comments_trailing_commas_and_bom() {
    let text = "\u{feff}{
  // a line comment
  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",
  /* a block
     comment */
  \"resources\": [
    {
      \"type\": \"Microsoft.Test/things\", // trailing
      \"name\": \"a\",
    },
  ],
}";
    let resources = load(text);
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].address, "Microsoft.Test/things/a");
    assert_eq!(
        src(text, Some(resources[0].header)),
        "\"type\": \"Microsoft.Test/things\""
    );
    assert_eq!(src(text, at(&resources[0].body, "name").loc), "\"a\"");
    assert_eq!(classify(text), Ok(JsonKind::Template));
}

#[test]
fn property_names_and_functions_are_case_insensitive() {
    let text = r#"{
  "$Schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "Parameters": { "ClusterName": { "Type": "string", "DefaultValue": "c1" } },
  "VARIABLES": { "Private": true },
  "Resources": [ {
    "TYPE": "Microsoft.ContainerService/managedClusters",
    "NAME": "[PARAMETERS('clustername')]",
    "Properties": { "apiServerAccessProfile": { "enablePrivateCluster": "[Variables('PRIVATE')]" } }
  } ]
}"#;
    let resources = load(text);
    let cluster = find(&resources, "Microsoft.ContainerService/managedClusters/c1");
    let private = at(
        &cluster.body,
        "properties.apiserveraccessprofile.ENABLEPRIVATECLUSTER",
    );
    assert_eq!(private.kind, Kind::Bool(true));
    assert_eq!(origin(private), "variable `Private`");
    assert_eq!(classify(text), Ok(JsonKind::Template));
}

#[test]
fn escaped_bracket_is_a_literal() {
    assert_eq!(
        eval("[[not an expression]").as_str(),
        Some("[not an expression]")
    );
    assert_eq!(eval("[[").as_str(), Some("[["));
    assert_eq!(eval("[x").as_str(), Some("[x"));
    assert!(eval("[this is not valid(]").is_unknown());
}

#[test]
fn malformed_templates_are_errors_with_locations() {
    let text = "{\n  \"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\",\n  \"resources\": [ { \"type\": \"a\" \"name\": \"b\" } ]\n}";
    let err = load_template(7, text, None).unwrap_err();
    assert_eq!(err.loc.file, 7);
    let offset = err.loc.start as usize;
    let line = text[..offset].matches('\n').count() + 1;
    assert_eq!(line, 3, "{err:?}");
    // Right after the value that lacks its comma, one character wide.
    assert!(
        text[..offset].ends_with("\"type\": \"a\""),
        "{err:?} at {:?}",
        &text[offset..]
    );
    assert_eq!(err.loc.end, err.loc.start + 1);
    assert_eq!(err.message, "Expected comma");

    // Looks like ARM: an error. Unrelated broken JSON: not our business.
    let syntax = classify(text).unwrap_err();
    assert_eq!(syntax.in_file(3).loc, Loc::new(3, syntax.start, syntax.end));
    assert_eq!(classify("{ \"parameters\": { \"a\": "), Ok(JsonKind::Other));
    assert!(classify("{ \"$schema\": \"…/deploymentParameters.json#\", ").is_err());

    let unterminated = "\u{feff}{ \"resources\": [";
    let err = load_template(0, unterminated, None).unwrap_err();
    assert!(err.loc.start as usize <= unterminated.len());

    let not_object = "[1, 2]";
    let err = load_template(0, not_object, None).unwrap_err();
    assert_eq!(err.loc, Loc::new(0, 0, 6));
    assert!(load_template(0, "", None).is_err());
}

#[test]
fn classification() {
    let params = r#"{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#", "parameters": { "a": { "value": 1 } } }"#;
    assert_eq!(classify(params), Ok(JsonKind::Parameters));
    let bare_params = r#"{ "contentVersion": "1.0.0.0", "parameters": { "a": { "value": 1 }, "b": { "reference": {} } } }"#;
    assert_eq!(classify(bare_params), Ok(JsonKind::Parameters));
    let bare_template = r#"{ "contentVersion": "1.0.0.0", "resources": [] }"#;
    assert_eq!(classify(bare_template), Ok(JsonKind::Template));
    assert_eq!(
        classify(r#"{ "name": "x", "dependencies": {} }"#),
        Ok(JsonKind::Other)
    );
    assert_eq!(classify(r#"{ "resources": [] }"#), Ok(JsonKind::Other));
    assert_eq!(
        classify(r#"{ "$schema": "https://json.schemastore.org/bicepconfig", "parameters": {} }"#),
        Ok(JsonKind::Other)
    );
    assert_eq!(classify(r#"["parameters"]"#), Ok(JsonKind::Other));
    assert_eq!(classify("not json at all, resources"), Ok(JsonKind::Other));
    let policy = r#"{ "properties": { "parameters": { "effect": { "type": "String" } }, "policyRule": {} } }"#;
    assert_eq!(classify(policy), Ok(JsonKind::Other));
}

// ---------------------------------------------------------------- parameters and variables

#[test]
fn parameters_file_overrides_defaults() {
    let template = template_with(
        r#""enabled": { "type": "bool", "defaultValue": true }, "secret": { "type": "securestring" }, "other": { "type": "string", "defaultValue": "d" }"#,
        "",
        r#"{ "enabled": "[parameters('enabled')]", "secret": "[parameters('secret')]", "other": "[parameters('other')]" }"#,
    );
    let params = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
  "parameters": {
    "Enabled": { "value": false },
    "secret": { "reference": { "keyVault": { "id": "/subscriptions/x" }, "secretName": "s" } },
    "undeclared": { "value": 1 }
  }
}"#;
    let resources =
        load_template_named(0, &template, Some((1, params, "main.parameters.json"))).unwrap();
    let x = at(&resources[0].body, "properties.x");
    let enabled = at(x, "enabled");
    assert_eq!(enabled.kind, Kind::Bool(false));
    assert_eq!(
        origin(enabled),
        "parameter `Enabled` in main.parameters.json"
    );
    assert_eq!(enabled.loc.unwrap().file, 1);
    assert_eq!(src(params, enabled.loc), "false");
    let secret = at(x, "secret");
    assert!(secret.is_unknown());
    assert!(origin(secret).contains("Key Vault"));
    assert_eq!(at(x, "other").as_str(), Some("d"));
    assert_eq!(origin(at(x, "other")), "parameter `other` default");

    let resources = load_template(0, &template, Some((1, params))).unwrap();
    let enabled = at(&resources[0].body, "properties.x.enabled");
    assert_eq!(
        origin(enabled),
        "parameter `Enabled` in the parameters file"
    );

    let err = load_template(0, &template, Some((1, "{ \"parameters\": "))).unwrap_err();
    assert_eq!(err.loc.file, 1);
}

#[test]
fn parameter_defaults_can_be_expressions() {
    let x = eval_with(
        r#""base": { "type": "string", "defaultValue": "aks" }, "name": { "type": "string", "defaultValue": "[format('{0}-prod', parameters('base'))]" }, "same": { "type": "string", "defaultValue": "[parameters('base')]" }"#,
        "",
        r#"["[parameters('name')]", "[parameters('same')]", "[toUpper(parameters('same'))]"]"#,
    );
    let items = x.as_list().unwrap();
    assert_eq!(items[0].as_str(), Some("aks-prod"));
    assert_eq!(origin(&items[0]), "parameter `name` default");
    // Passed through twice: the location and origin are where the text is written.
    assert_eq!(origin(&items[1]), "parameter `base` default");
    assert_eq!(items[2].as_str(), Some("AKS"));
    assert_eq!(items[2].origin, None);
}

#[test]
fn variables_are_lazy_with_cycles_and_copy() {
    let x = eval_with(
        r#""n": { "type": "int", "defaultValue": 3 }"#,
        r#""a": "[variables('b')]", "b": "[variables('a')]", "obj": { "inner": { "flag": true } },
           "copy": [ { "name": "disks", "count": "[parameters('n')]", "input": { "lun": "[copyIndex('disks')]", "name": "[format('d{0}', copyIndex('disks', 1))]" } } ]"#,
        r#"{ "cycle": "[variables('a')]", "deep": "[variables('obj').inner.flag]", "disks": "[variables('disks')]", "missing": "[variables('nope')]" }"#,
    );
    assert!(at(&x, "cycle").is_unknown());
    let deep = at(&x, "deep");
    assert_eq!(deep.kind, Kind::Bool(true));
    assert_eq!(origin(deep), "variable `obj`");
    let disks = at(&x, "disks").as_list().unwrap();
    assert_eq!(disks.len(), 3);
    assert_eq!(at(&disks[2], "lun").as_number(), Some(2.0));
    assert_eq!(at(&disks[2], "name").as_str(), Some("d3"));
    assert!(at(&x, "missing").is_unknown());
}

#[test]
fn nullable_parameters_not_passed_are_null_only_when_all_values_are_known() {
    let module = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "endpoints": { "type": "array", "nullable": true } },
  "resources": [ { "type": "Microsoft.Network/privateEndpoints", "name": "[format('pe{0}', copyIndex())]",
    "copy": { "name": "pe", "count": "[length(coalesce(parameters('endpoints'), createArray()))]" } } ]
}"#;
    // Standalone: whoever deploys it may pass the parameter.
    let resources = load(module);
    assert_eq!(resources.len(), 1);
    assert_eq!(resources[0].address, "Microsoft.Network/privateEndpoints/?");

    // With a parameters file that leaves it out, or called by a template that does not
    // pass it, it is null.
    let params = r#"{ "parameters": {} }"#;
    assert!(load_template(0, module, Some((1, params)))
        .unwrap()
        .is_empty());
    let caller = format!(
        r#"{{ "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "resources": [ {{ "type": "Microsoft.Resources/deployments", "name": "m",
    "properties": {{ "expressionEvaluationOptions": {{ "scope": "inner" }}, "parameters": {{}}, "template": {module} }} }} ] }}"#
    );
    let resources = load(&caller);
    assert_eq!(resources.len(), 1, "only the deployment itself");
}

// ---------------------------------------------------------------- resources

#[test]
fn language_version_2_symbolic_resources() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "languageVersion": "2.0",
  "resources": {
    "acr": { "type": "Microsoft.ContainerRegistry/registries", "existing": true, "name": "shared" },
    "pool": { "type": "Microsoft.ContainerService/managedClusters/agentPools", "name": "[format('{0}/{1}', 'c', 'p')]", "properties": { "count": 2 } },
    "off": { "condition": false, "type": "Microsoft.Test/things", "name": "off" },
    "notAResource": "text"
  }
}"#;
    let resources = load(text);
    assert_eq!(resources.len(), 2);
    let acr = find(&resources, "Microsoft.ContainerRegistry/registries/shared");
    assert!(acr.existing);
    let pool = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/agentPools/c/p",
    );
    assert_eq!(pool.name.as_deref(), Some("c/p"));
    assert!(!pool.existing);
}

#[test]
fn child_resources_take_the_parent_type_and_name() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "cluster": { "type": "string", "defaultValue": "aks1" } },
  "resources": [ {
    "type": "Microsoft.ContainerService/managedClusters",
    "name": "[parameters('cluster')]",
    "resources": [
      { "type": "agentPools", "name": "user", "properties": { "osSKU": "AzureLinux" },
        "resources": [ { "type": "grandchildren", "name": "g" } ] },
      { "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations", "name": "aks1/default" },
      { "type": "Microsoft.ContainerService/managedClusters/maintenanceConfigurations", "name": "short" }
    ]
  } ]
}"#;
    let resources = load(text);
    assert_eq!(resources.len(), 5);
    let pool = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/agentPools/aks1/user",
    );
    assert_eq!(
        pool.kind,
        "Microsoft.ContainerService/managedClusters/agentPools"
    );
    assert_eq!(pool.name.as_deref(), Some("aks1/user"));
    assert_eq!(
        at(&pool.body, "properties.osSKU").as_str(),
        Some("AzureLinux")
    );
    find(
        &resources,
        "Microsoft.ContainerService/managedClusters/agentPools/grandchildren/aks1/user/g",
    );
    find(
        &resources,
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations/aks1/default",
    );
    find(
        &resources,
        "Microsoft.ContainerService/managedClusters/maintenanceConfigurations/aks1/short",
    );
    // The parent's body keeps its children as written.
    let cluster = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/aks1",
    );
    assert_eq!(
        at(&cluster.body, "resources.0.type").as_str(),
        Some("agentPools")
    );
}

#[test]
fn copy_loops_and_conditions() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": {
    "names": { "type": "array", "defaultValue": [ "a", "b", "c" ] },
    "unknownCount": { "type": "int" },
    "deploy": { "type": "bool", "defaultValue": false }
  },
  "resources": [
    { "type": "Microsoft.Test/loop", "name": "[parameters('names')[copyIndex()]]",
      "copy": { "name": "loop", "count": "[length(parameters('names'))]" },
      "properties": { "position": "[copyIndex(1)]", "named": "[copyIndex('loop')]",
        "copy": [ { "name": "items", "count": 2, "input": "[concat(parameters('names')[copyIndex()], '-', copyIndex('items'))]" } ] } },
    { "type": "Microsoft.Test/unknown", "name": "[concat('u', copyIndex())]", "copy": { "name": "u", "count": "[parameters('unknownCount')]" } },
    { "type": "Microsoft.Test/huge", "name": "h", "copy": { "name": "h", "count": 100000 } },
    { "type": "Microsoft.Test/none", "name": "n", "copy": { "name": "n", "count": 0 } },
    { "type": "Microsoft.Test/conditional", "name": "off", "condition": "[parameters('deploy')]" },
    { "type": "Microsoft.Test/conditional", "name": "maybe", "condition": "[parameters('unknownCount')]" }
  ]
}"#;
    let resources = load(text);
    let addresses: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "Microsoft.Test/loop/a",
            "Microsoft.Test/loop/b",
            "Microsoft.Test/loop/c",
            "Microsoft.Test/unknown/?",
            "Microsoft.Test/huge/h",
            "Microsoft.Test/conditional/maybe",
        ]
    );
    let second = &resources[1];
    assert_eq!(
        at(&second.body, "properties.position").as_number(),
        Some(2.0)
    );
    assert_eq!(at(&second.body, "properties.named").as_number(), Some(1.0));
    assert_eq!(
        strings(at(&second.body, "properties.items")),
        ["b-0", "b-1"]
    );
    assert!(resources[3].name.is_none());
}

#[test]
fn nested_deployment_outer_scope_uses_outer_names() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "registry": { "type": "string", "defaultValue": "acr1" } },
  "variables": { "suffix": "-pe" },
  "resources": [ {
    "type": "Microsoft.Resources/deployments",
    "name": "outer",
    "properties": {
      "mode": "Incremental",
      "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": { "registry": { "type": "string", "defaultValue": "ignored" } },
        "resources": [ {
          "type": "Microsoft.Network/privateEndpoints",
          "name": "[concat(parameters('registry'), variables('suffix'))]",
          "properties": { "target": "[resourceId('Microsoft.ContainerRegistry/registries', parameters('registry'))]" }
        },
        { "type": "Microsoft.Resources/deployments", "name": "linked", "properties": { "templateLink": { "uri": "https://x" } } } ]
      }
    }
  } ]
}"#;
    let resources = load(text);
    let addresses: Vec<&str> = resources.iter().map(|r| r.address.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "Microsoft.Resources/deployments/outer",
            "Microsoft.Network/privateEndpoints/acr1-pe",
            "Microsoft.Resources/deployments/linked",
        ]
    );
    let target = at(&resources[1].body, "properties.target")
        .as_str()
        .unwrap();
    assert!(target.ends_with("/registries/acr1"));
}

#[test]
fn nested_deployment_inner_scope_gets_passed_parameters() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "parameters": { "private": { "type": "bool", "defaultValue": true } },
  "variables": { "v": "outer-variable" },
  "resources": [ {
    "type": "Microsoft.Resources/deployments",
    "name": "module",
    "properties": {
      "expressionEvaluationOptions": { "scope": "Inner" },
      "parameters": {
        "enablePrivate": { "value": "[parameters('private')]" },
        "computed": { "value": "[concat('x', 'y')]" }
      },
      "template": {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "parameters": {
          "enablePrivate": { "type": "bool" },
          "computed": { "type": "string" },
          "own": { "type": "string", "defaultValue": "inner-default" }
        },
        "variables": { "v": "inner-variable" },
        "resources": [ {
          "type": "Microsoft.ContainerService/managedClusters",
          "name": "[parameters('own')]",
          "properties": {
            "apiServerAccessProfile": { "enablePrivateCluster": "[parameters('enablePrivate')]" },
            "computed": "[parameters('computed')]",
            "variable": "[variables('v')]"
          }
        } ]
      }
    }
  } ]
}"#;
    let resources = load(text);
    let cluster = find(
        &resources,
        "Microsoft.ContainerService/managedClusters/inner-default",
    );
    let private = at(
        &cluster.body,
        "properties.apiServerAccessProfile.enablePrivateCluster",
    );
    assert_eq!(private.kind, Kind::Bool(true));
    assert_eq!(origin(private), "parameter `private` default");
    assert_eq!(src(text, private.loc), "true");
    let computed = at(&cluster.body, "properties.computed");
    assert_eq!(computed.as_str(), Some("xy"));
    assert_eq!(
        origin(computed),
        "parameter `computed` passed by deployment `module`"
    );
    assert_eq!(src(text, computed.loc), "\"[concat('x', 'y')]\"");
    assert_eq!(
        at(&cluster.body, "properties.variable").as_str(),
        Some("inner-variable")
    );
}

// ---------------------------------------------------------------- expressions

#[test]
fn expression_functions() {
    let cases: &[(&str, &str)] = &[
        ("[format('{0}-{1}', 'a', 1)]", "\"a-1\""),
        ("[concat('a', 'b', string(2))]", "\"ab2\""),
        ("[toLower('ABC')]", "\"abc\""),
        ("[if(equals(1, 1), 'yes', 'no')]", "\"yes\""),
        ("[if(not(true()), 'yes', 'no')]", "\"no\""),
        ("[and(true(), false())]", "false"),
        ("[or(false(), true())]", "true"),
        ("[coalesce(null(), null(), 'c')]", "\"c\""),
        ("[length(createArray(1, 2, 3))]", "3"),
        ("[empty(createObject())]", "true"),
        ("[contains(createArray('a', 'b'), 'b')]", "true"),
        ("[union(createArray(1, 2), createArray(2, 3))]", "[1,2,3]"),
        ("[union(createObject('a', 1), createObject('b', 2)).b]", "2"),
        ("[last(split('/a/b/c', '/'))]", "\"c\""),
        ("[first(createArray('x', 'y'))]", "\"x\""),
        ("[json('{\"a\": [1, true]}').a[1]]", "true"),
        ("[bool('true')]", "true"),
        ("[int('42')]", "42"),
        ("[add(1, mul(2, 3))]", "7"),
        ("[sub(10, div(7, 2))]", "7"),
        ("[mod(7, 3)]", "1"),
        ("[greater(2, 1)]", "true"),
        ("[lessOrEquals('a', 'b')]", "true"),
        ("[range(1, 3)]", "[1,2,3]"),
        ("[take(skip(createArray(1, 2, 3, 4), 1), 2)]", "[2,3]"),
        ("[replace('a-b', '-', '_')]", "\"a_b\""),
        ("[substring('abcdef', 2, 3)]", "\"cde\""),
        ("[trim('  x ')]", "\"x\""),
        ("[startsWith('Microsoft', 'micro')]", "true"),
        ("[endsWith('abc', 'C')]", "true"),
        ("[indexOf('abc', 'c')]", "2"),
        ("[min(createArray(3, 1, 2))]", "1"),
        ("[max(3, 1, 2)]", "3"),
        ("[array('x')]", "[\"x\"]"),
        ("[string(createObject('k', createArray(1)))]", "\"{\\\"k\\\":[1]}\""),
        ("[items(createObject('b', 1, 'a', 2))[0].key]", "\"a\""),
        ("[objectKeys(createObject('b', 1))]", "[\"b\"]"),
        ("[tryGet(createObject('a', 1), 'b')]", "null"),
        ("[map(createArray(1, 2), lambda('x', mul(lambdaVariables('x'), 10)))]", "[10,20]"),
        ("[filter(createArray(1, 2, 3), lambda('x', greater(lambdaVariables('x'), 1)))]", "[2,3]"),
        ("[reduce(createArray(1, 2, 3), 0, lambda('acc', 'x', add(lambdaVariables('acc'), lambdaVariables('x'))))]", "6"),
        ("[sort(createArray(3, 1, 2), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]", "[1,2,3]"),
        ("[toObject(createArray('a', 'b'), lambda('x', lambdaVariables('x')), lambda('x', true())).b]", "true"),
        ("[createArray(1, 2)[1]]", "2"),
    ];
    for (expression, expected) in cases {
        let value = eval(&expression.replace('"', "\\\""));
        let rendered = functions::display(&value).map(|s| match value.kind {
            Kind::String(_) => format!("\"{}\"", s.replace('"', "\\\"")),
            Kind::Bool(b) => b.to_string(),
            Kind::Null => "null".to_string(),
            _ => s,
        });
        assert_eq!(
            rendered.as_deref(),
            Some(*expected),
            "{expression}: {value:?}"
        );
    }
}

#[test]
fn unknowns_spread_except_where_decided() {
    let unknown_param = r#""u": { "type": "string" }, "b": { "type": "bool" }"#;
    let x = eval_with(
        unknown_param,
        "",
        r#"{
      "concat": "[concat('a', parameters('u'))]",
      "ifKnown": "[if(true(), 'a', parameters('u'))]",
      "ifUnknown": "[if(parameters('b'), 'a', 'b')]",
      "ifSame": "[if(parameters('b'), 'a', 'a')]",
      "andShort": "[and(false(), parameters('b'))]",
      "orShort": "[or(parameters('b'), true())]",
      "andUnknown": "[and(true(), parameters('b'))]",
      "coalesceUnknown": "[coalesce(parameters('u'), 'x')]",
      "coalesceKnown": "[coalesce(null(), 'x', parameters('u'))]",
      "reference": "[reference('x').outputs.id.value]",
      "listKeys": "[listKeys('x', '2020-01-01').keys[0].value]",
      "guid": "[guid('a')]",
      "unknownFunction": "[frobnicate(1)]",
      "userFunction": "[ns.missing(1)]",
      "rgName": "[resourceGroup().name]",
      "subscriptionId": "[subscription().subscriptionId]",
      "copyIndexOutside": "[copyIndex()]",
      "list": "[createArray('a', parameters('u'))]"
    }"#,
    );
    let text = |key: &str| match &at(&x, key).kind {
        Kind::Unknown(t) => t.clone(),
        other => panic!("{key}: {other:?}"),
    };
    assert_eq!(text("concat"), "concat('a', parameters('u'))");
    assert_eq!(at(&x, "ifKnown").as_str(), Some("a"));
    assert_eq!(text("ifUnknown"), "if(parameters('b'), 'a', 'b')");
    assert_eq!(at(&x, "ifSame").as_str(), Some("a"));
    assert_eq!(at(&x, "andShort").kind, Kind::Bool(false));
    assert_eq!(at(&x, "orShort").kind, Kind::Bool(true));
    text("andUnknown");
    text("coalesceUnknown");
    assert_eq!(at(&x, "coalesceKnown").as_str(), Some("x"));
    assert_eq!(text("reference"), "reference('x').outputs.id.value");
    text("listKeys");
    text("guid");
    assert_eq!(text("unknownFunction"), "frobnicate(1)");
    text("userFunction");
    assert_eq!(text("rgName"), "resourceGroup().name");
    assert_eq!(text("subscriptionId"), "subscription().subscriptionId");
    text("copyIndexOutside");
    let list = at(&x, "list").as_list().unwrap();
    assert_eq!(list[0].as_str(), Some("a"));
    assert!(list[1].is_unknown());
}

#[test]
fn user_defined_functions() {
    let text = r#"{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "functions": [ { "namespace": "__bicep", "members": {
    "name": { "parameters": [ { "name": "prefix", "type": "string" } ], "output": { "type": "string", "value": "[format('{0}-acr', parameters('prefix'))]" } } } } ],
  "resources": [ { "type": "Microsoft.ContainerRegistry/registries", "name": "[__bicep.name('lz1')]" } ]
}"#;
    let resources = load(text);
    assert_eq!(
        resources[0].address,
        "Microsoft.ContainerRegistry/registries/lz1-acr"
    );
}

#[test]
fn resource_ids_match_by_last_segment() {
    let x = eval_with(
        r#""registryName": { "type": "string", "defaultValue": "acr1" }"#,
        "",
        r#"{ "id": "[resourceId('Microsoft.ContainerRegistry/registries', parameters('registryName'))]",
             "name": "[last(split(resourceId('Microsoft.ContainerRegistry/registries', parameters('registryName')), '/'))]",
             "other": "[resourceId('sub-1', 'rg-1', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'pe')]",
             "role": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '7f951dda-4ed3-4680-a7ca-43fe172d538d')]" }"#,
    );
    assert_eq!(
        at(&x, "id").as_str(),
        Some("/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ContainerRegistry/registries/acr1")
    );
    assert_eq!(at(&x, "name").as_str(), Some("acr1"));
    assert_eq!(
        at(&x, "other").as_str(),
        Some("/subscriptions/sub-1/resourceGroups/rg-1/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe")
    );
    assert!(at(&x, "role")
        .as_str()
        .unwrap()
        .ends_with("/roleDefinitions/7f951dda-4ed3-4680-a7ca-43fe172d538d"));
    assert!(is_placeholder_segment(SUBSCRIPTION_PLACEHOLDER));
    assert!(!is_placeholder_segment("rg-1"));
}

// ---------------------------------------------------------------- robustness

#[test]
fn hostile_input_does_not_panic() {
    let deep_expression = format!("\"[{}1{}]\"", "add(1, ".repeat(500), ")".repeat(500));
    assert!(eval_with("", "", &deep_expression).is_unknown());

    let chain: Vec<String> = (0..300)
        .map(|i| format!("\"v{i}\": \"[variables('v{}')]\"", i + 1))
        .collect();
    let x = eval_with("", &chain.join(","), "\"[variables('v0')]\"");
    assert!(x.is_unknown());

    let deep_json = format!("{}1{}", "[".repeat(400), "]".repeat(400));
    let _ = eval_with("", "", &deep_json);

    // Deep JSON inside variables that reference each other from the innermost level.
    let deep_chain: Vec<String> = (0..100)
        .map(|i| {
            let open = "{\"k\": [".repeat(100);
            let close = "]}".repeat(100);
            format!("\"d{i}\": {open}\"[variables('d{}')]\"{close}", i + 1)
        })
        .collect();
    let _ = eval_with("", &deep_chain.join(","), "\"[variables('d0')]\"");

    // Deep expressions in variables that reference each other from the innermost call.
    let call_chain: Vec<String> = (0..100)
        .map(|i| {
            let open = "if(true(), ".repeat(60);
            let close = ", 0)".repeat(60);
            format!("\"c{i}\": \"[{open}variables('c{}'){close}]\"", i + 1)
        })
        .collect();
    let _ = eval_with("", &call_chain.join(","), "\"[variables('c0')]\"");

    let self_nesting = r#"{ "resources": [ { "type": "Microsoft.Resources/deployments", "name": "d",
        "properties": { "template": { "resources": [ { "type": "Microsoft.Resources/deployments", "name": "e",
        "properties": { "template": { "resources": [] } } } ] } } } ] }"#;
    assert_eq!(load(self_nesting).len(), 2);

    let weird = [
        "\"[substring('abc', 5)]\"",
        "\"[createArray(1)[5]]\"",
        "\"[createArray(1)[-1]]\"",
        "\"[range(0, -1)]\"",
        "\"[padLeft('x', 100000000, '0')]\"",
        "\"[format('{99999999999999999999}', 1)]\"",
        "\"[copyIndex('x', 'y')]\"",
        "\"[parameters(1)]\"",
        "\"[if(true())]\"",
        "\"[]\"",
        "\"[ ]\"",
        "\"[union(createArray(1), createObject())]\"",
        "\"[json('not json')]\"",
        "\"[sort(range(0, 1000), lambda('a', 'b', less(lambdaVariables('a'), lambdaVariables('b'))))]\"",
        "\"[map(createArray(1), lambda(1, 2))]\"",
        "\"[lambdaVariables('nothing')]\"",
        "\"[int('99999999999999999999999')]\"",
        "\"[add(1e308, 1e308)]\"",
    ];
    for expression in weird {
        let _ = eval_with("", "", expression);
    }

    // Truncations and byte damage of a real template: errors or results, never a panic.
    for (i, _) in GEN_ACR.char_indices().step_by(7) {
        let _ = load_template(0, &GEN_ACR[..i], None);
        let _ = classify(&GEN_ACR[..i]);
        let mut damaged = GEN_ACR.to_string();
        damaged.replace_range(
            i..i + GEN_ACR[i..].chars().next().map_or(0, char::len_utf8),
            "'",
        );
        let _ = load_template(0, &damaged, None);
    }
}

/// Every `.json` of the real corpus either is not a template or loads without a panic.
/// `cargo test -- --ignored real_corpus --nocapture` (needs /work/shared/corpus/real).
#[test]
#[ignore]
fn real_corpus() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    walk(std::path::Path::new("/work/shared/corpus/real"), &mut files);
    files.sort();
    let (mut templates, mut resources, mut unknown_names) = (0, 0, 0);
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        match classify(&text) {
            Ok(JsonKind::Template) => {
                templates += 1;
                let loaded = load_template(0, &text, None)
                    .unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
                resources += loaded.len();
                unknown_names += loaded.iter().filter(|r| r.name.is_none()).count();
                println!("{:4} resources  {}", loaded.len(), path.display());
            }
            Ok(kind) => println!("{kind:?}  {}", path.display()),
            Err(e) => println!("ERROR {e:?}  {}", path.display()),
        }
    }
    println!(
        "{} files, {templates} templates, {resources} resources, {unknown_names} unnamed",
        files.len()
    );
}

#[test]
fn blueprint_template_artifact_is_a_template() {
    let text = r#"{
  "kind": "template",
  "type": "Microsoft.Blueprint/blueprints/artifacts",
  "name": "aks",
  "properties": {
    "template": {
      "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
      "contentVersion": "1.0.0.0",
      "resources": [
        {"type": "Microsoft.ContainerService/managedClusters", "name": "aks1", "properties": {}}
      ]
    },
    "parameters": {}
  }
}"#;
    assert_eq!(classify(text).unwrap(), JsonKind::Template);
    let resources = load_template(0, text, None).unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(
        resources[0].address,
        "Microsoft.ContainerService/managedClusters/aks1"
    );
}

#[test]
fn a_copy_count_arm_would_reject_is_reported_and_the_resource_still_checked() {
    let text = r#"{
  "resources": [
    {
      "type": "Microsoft.ContainerRegistry/registries",
      "name": "[concat('acr', copyIndex())]",
      "copy": { "name": "registries", "count": 100000 },
      "sku": { "name": "Premium" }
    }
  ]
}"#;
    let (resources, limits) =
        load_template_reporting(0, text, None, &crate::value::ScanBudget::new()).unwrap();
    assert_eq!(resources.len(), 1);
    assert_eq!(limits.len(), 1);
    assert!(
        limits[0].message.contains("copy count 100000"),
        "{}",
        limits[0].message
    );
    assert_eq!(src(text, Some(limits[0].loc)), "100000");
}

#[test]
fn what_reference_reads_is_kept_as_a_typed_referent() {
    let principal = eval(
        "[reference(resourceId('Microsoft.ContainerService/managedClusters', 'aks1'), '2024-02-01').identityProfile.kubeletidentity.objectId]",
    );
    assert!(principal.is_unknown(), "{principal:?}");
    assert_eq!(
        principal.referent.as_deref(),
        Some(&Referent::deployed(
            "/subscriptions/{subscription().subscriptionId}/resourceGroups/{resourceGroup().name}/providers/Microsoft.ContainerService/managedClusters/aks1",
            "identityProfile.kubeletidentity.objectId"
        ))
    );
    // Indexed, or computed from, what the deployment returns: nothing is claimed.
    let indexed = eval("[reference('x').outputs['id']]");
    assert!(
        indexed.is_unknown() && indexed.referent.is_none(),
        "{indexed:?}"
    );
}

#[test]
fn contains_ci_finds_the_needle_in_any_case_anywhere() {
    let windows = |text: &str, needle: &str| {
        text.as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
    };
    for text in [
        "",
        "d",
        "deploymentTemplate",
        "xxDEPLOYMENTtemplate",
        "{\"$schema\": \"https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#\"}",
        "deploymentTemplat",
        "ddeploymentTemplate",
        "é deploymenttemplatE",
        "Resources",
    ] {
        for needle in ["deploymentTemplate", "resources", "d"] {
            assert_eq!(super::contains_ci(text, needle), windows(text, needle), "{text:?} {needle:?}");
        }
    }
}
