use super::selection::{is_rule_id, is_rule_selector};
use super::suggest::edit_distance;
use super::suppression::{civil_from_days, is_date};
use super::*;
use std::path::Path;

const DESIGN_EXAMPLE: &str = r#"fail-on = "medium"                 # lowest severity that makes the exit code 1
select = ["AKS", "ACR", "K8S001"]  # prefixes or IDs; default: all stable rules
ignore = ["K8S015"]
exclude = ["**/examples/**"]       # globset patterns, relative to the config file

[severity]                          # per-rule overrides
AKS016 = "info"

[kubernetes]
allowed-registries = ["*.azurecr.io", "mcr.microsoft.com"]  # default: registries the zone
                                                        # declares + mcr.microsoft.com
minimum-version = "1.32"            # else the embedded, dated support table
sensitivity-label = "aksguard.io/sensitivity"
sensitive-values = ["high", "confidential", "restricted"]

[api-server]
min-prefix-length = 16              # authorized ranges wider than this are too broad
require-private = false             # true: every cluster must be private (AKS003)

[[landing-zone]]
name = "corp-prod"
paths = ["landing-zones/corp-prod/**"]
archetype = "corp"                  # corp: private cluster + private registry required
subscription = "11111111-1111-1111-1111-111111111111"   # optional

[[suppress]]                        # for code you cannot annotate (compiled ARM, third-party charts)
rule = "K8S003"
resource = "Deployment/monitoring/node-exporter"   # address; globs allowed
reason = "needs host PID to read /proc"
expires = "2027-06-30"
"#;

fn root() -> PathBuf {
    if cfg!(windows) {
        PathBuf::from(r"C:\repo")
    } else {
        PathBuf::from("/repo")
    }
}

fn parse(text: &str) -> Result<Config, ConfigError> {
    Config::parse(text, &root().join(FILE_NAME))
}

/// (line, column, message) of the error `text` must produce.
fn error(text: &str) -> (usize, usize, String) {
    let error = parse(text).expect_err("config should be rejected");
    (error.line, error.column, error.message)
}

fn assert_error(text: &str, line: usize, column: usize, needle: &str) {
    let (got_line, got_column, message) = error(text);
    assert_eq!(
        (got_line, got_column),
        (line, column),
        "position of `{message}`"
    );
    assert!(
        message.contains(needle),
        "`{message}` should contain `{needle}`"
    );
}

fn unique_temp_dir(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let dir = std::env::temp_dir().join(format!(
        "aksguard-config-{name}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn design_example_parses() {
    let config = parse(DESIGN_EXAMPLE).unwrap();
    assert_eq!(config.path, Some(root().join(FILE_NAME)));
    assert_eq!(config.root, root());
    assert_eq!(config.fail_on, Severity::Medium);
    assert_eq!(config.select, ["AKS", "ACR", "K8S001"]);
    assert_eq!(config.ignore, ["K8S015"]);
    assert_eq!(config.exclude, ["**/examples/**"]);
    assert_eq!(config.severity.get("AKS016"), Some(&Severity::Info));
    assert_eq!(
        config.kubernetes,
        KubernetesConfig {
            allowed_registries: Some(vec![
                "*.azurecr.io".to_string(),
                "mcr.microsoft.com".to_string()
            ]),
            minimum_version: Some("1.32".to_string()),
            ..KubernetesConfig::default()
        }
    );
    assert_eq!(config.api_server, ApiServerConfig::default());
    let [zone] = config.landing_zones.as_slice() else {
        panic!("one zone expected");
    };
    assert_eq!(zone.name, "corp-prod");
    assert_eq!(zone.paths, ["landing-zones/corp-prod/**"]);
    assert_eq!(zone.archetype, Archetype::Corp);
    assert_eq!(
        zone.subscription.as_deref(),
        Some("11111111-1111-1111-1111-111111111111")
    );
    let [waiver] = config.suppress.as_slice() else {
        panic!("one suppression expected");
    };
    assert_eq!(waiver.rule, "K8S003");
    assert_eq!(waiver.resource, "Deployment/monitoring/node-exporter");
    assert_eq!(waiver.reason, "needs host PID to read /proc");
    assert_eq!(waiver.expires.as_deref(), Some("2027-06-30"));
    assert_eq!(waiver.line, 26);
    assert!(waiver.matches("K8S003", "Deployment/monitoring/node-exporter"));
    assert!(!waiver.matches("K8S001", "Deployment/monitoring/node-exporter"));
    assert!(config.governance.unsuppressible.is_empty());
}

#[test]
fn defaults_without_a_file() {
    let config = Config::default_for(&root());
    assert_eq!(config.path, None);
    assert_eq!(config.root, root());
    assert_eq!(config.fail_on, Severity::Low);
    assert!(config.select.is_empty() && config.ignore.is_empty());
    assert!(config.severity.is_empty());
    assert_eq!(config.kubernetes.allowed_registries, None);
    assert_eq!(config.kubernetes.minimum_version, None);
    assert_eq!(
        config.kubernetes.sensitivity_label,
        "aksguard.io/sensitivity"
    );
    assert_eq!(
        config.kubernetes.sensitive_values,
        ["high", "confidential", "restricted"]
    );
    assert_eq!(config.api_server.min_prefix_length, 16);
    assert!(!config.api_server.require_private);
    assert!(!config.cluster.require_egress_control);
    assert!(config.landing_zones.is_empty() && config.suppress.is_empty());
    assert_eq!(config.default_zone_name(), "repo");
    assert!(config.rule_enabled("AKS001") && config.rule_enabled("K8S018"));
    assert!(!config.is_excluded(&root().join("examples/main.tf")));
    assert!(config.zone_for(&root().join("main.tf")).is_none());
    assert_eq!(config.severity_for("AKS016", Severity::Low), Severity::Low);
    // An empty file is the defaults too, but rooted at the file's directory.
    let empty = parse("# nothing\n").unwrap();
    assert_eq!(empty.fail_on, Severity::Low);
    assert_eq!(empty.root, root());
}

#[test]
fn cluster_table() {
    let config = parse("[cluster]\nrequire-egress-control = true\n").unwrap();
    assert!(config.cluster.require_egress_control);
    assert_error(
        "[cluster]\nrequire-egress-control = 1\n",
        2,
        26,
        "`require-egress-control` must be `true` or `false`, found integer",
    );
    assert_error(
        "[cluster]\nrequire-egress = true\n",
        2,
        1,
        "unknown key `require-egress` in [cluster]",
    );
}

#[test]
fn syntax_errors_are_positioned() {
    // Where the broken construct is, not where the parser gave up (AG004 used to
    // point at 2:16, the end of the file, and at the lines below).
    assert_error(
        "fail-on = \"low\"\nselect = [\"AKS\"\n",
        2,
        10,
        "invalid TOML: unclosed array",
    );
    assert_error(
        "fail-on = \"low\"\nignore = [\"AKS016\",\n\n\n[api-server]\n",
        2,
        10,
        "invalid TOML: unclosed array",
    );
    assert_error(
        "ignore = [\"AKS016\" # why\n\nfail-on = \"low\"\n",
        1,
        19,
        "missing comma",
    );
    assert_error(
        "[api-server\nmin-prefix-length = 16\n",
        1,
        1,
        "unclosed table",
    );
    assert_error(
        "api-server = { min-prefix-length = 16\n",
        1,
        14,
        "unclosed inline table",
    );
    assert_error(
        "fail-on = \"low\"\nfail-on = \"high\"\n",
        2,
        1,
        "duplicate key",
    );
}

#[test]
fn build_table_keys_and_values() {
    assert_error(
        "[build]\nscanner = [\"x\"]\n",
        2,
        1,
        "unknown key `scanner` in [build]; did you mean `scanners`?",
    );
    assert_error(
        "[build]\nnon-root-bases = [\"*:*nonroot*\", \"a[\"]\n",
        2,
        34,
        "invalid glob `a[` in `non-root-bases`",
    );
    assert_error(
        "[build]\nscanners = \"trivy\"\n",
        2,
        12,
        "`scanners` must be an array of strings",
    );
    assert_error(
        "[build]\nscanners = [\" \"]\n",
        2,
        13,
        "`scanners` has an empty entry",
    );
    let config = parse(
        "[build]\nnon-root-bases = [\"MyACR.azurecr.io/base/*\"]\nscanners = [\"contoso/scan\"]\n",
    )
    .unwrap();
    assert_eq!(config.build.non_root_bases, ["myacr.azurecr.io/base/*"]);
    assert_eq!(config.build.scanners, ["contoso/scan"]);
    let defaults = parse("").unwrap();
    assert_eq!(defaults.build.non_root_bases, DEFAULT_NON_ROOT_BASES);
}

#[test]
fn unknown_keys_suggest_the_closest() {
    assert_error(
        "select = []\nfail_on = \"high\"\n",
        2,
        1,
        "unknown key `fail_on`; did you mean `fail-on`?",
    );
    assert_error(
        "[landing_zone]\nname = \"a\"\n",
        1,
        2,
        "did you mean `landing-zone`?",
    );
    assert_error(
        "[kubernetes]\nallowed-registry = []\n",
        2,
        1,
        "unknown key `allowed-registry` in [kubernetes]; did you mean `allowed-registries`?",
    );
    assert_error(
        "[api-server]\n  min_prefix_length = 8\n",
        2,
        3,
        "did you mean `min-prefix-length`?",
    );
    assert_error(
        "[[landing-zone]]\nname = \"a\"\npath = [\"a/**\"]\n",
        3,
        1,
        "unknown key `path` in [[landing-zone]]; did you mean `paths`?",
    );
    assert_error(
        "[[suppress]]\nrule = \"AKS005\"\nrul = 1\n",
        3,
        1,
        "unknown key `rul` in [[suppress]]; did you mean `rule`?",
    );
    assert_error(
        "[governance]\nunsupressible = [\"AKS006\"]\n",
        2,
        1,
        "did you mean `unsuppressible`?",
    );
    assert_error(
        "colour = true\n",
        1,
        1,
        "unknown key `colour`; expected one of `fail-on`, `select`",
    );
}

#[test]
fn severity_table_keys_and_values() {
    assert_error(
        "[severity]\nAKS016 = \"info\"\naks017 = \"low\"\n",
        3,
        1,
        "`aks017` is not a rule ID (like `AKS016` or `K8S003`); did you mean `AKS017`?",
    );
    assert_error(
        "[severity]\nAKS = \"low\"\n",
        2,
        1,
        "a single rule is meant here, not a prefix",
    );
    assert_error(
        "[severity]\nAKS016 = \"informational\"\n",
        2,
        10,
        "`informational` is not a severity",
    );
    assert_error(
        "[severity]\nAKS016 = 3\n",
        2,
        10,
        "must be a string, found integer",
    );
    assert_error("fail-on = \"fatal\"\n", 1, 11, "`fatal` is not a severity");
    assert_error("severity = \"low\"\n", 1, 12, "`severity` must be a table");
}

#[test]
fn wrong_types() {
    assert_error(
        "select = \"AKS\"\n",
        1,
        10,
        "`select` must be an array of strings",
    );
    assert_error(
        "ignore = [\"AKS001\", 2]\n",
        1,
        21,
        "this element is an integer",
    );
    assert_error(
        "[api-server]\nrequire-private = \"yes\"\n",
        2,
        19,
        "`require-private` must be `true` or `false`, found string",
    );
    assert_error(
        "[api-server]\nmin-prefix-length = \"16\"\n",
        2,
        21,
        "must be an integer",
    );
    assert_error("kubernetes = 1\n", 1, 14, "`kubernetes` must be a table");
    assert_error(
        "[kubernetes]\nminimum-version = 1.30\n",
        2,
        19,
        "write \"1.30\" in quotes",
    );
    // The mistake the integration check makes: a table instead of an array of tables.
    assert_error(
        "[suppress]\nrul = 1\n",
        1,
        1,
        "write each entry under its own `[[suppress]]` header",
    );
}

#[test]
fn bad_values() {
    assert_error(
        "[api-server]\nmin-prefix-length = 40\n",
        2,
        21,
        "from 0 to 32, found 40",
    );
    assert_error(
        "[api-server]\nmin-prefix-length = -1\n",
        2,
        21,
        "from 0 to 32, found -1",
    );
    assert_error(
        "[kubernetes]\nminimum-version = \"1.32.4\"\n",
        2,
        19,
        "minor version like \"1.32\"",
    );
    assert_error(
        "[kubernetes]\nallowed-registries = [\"mcr.microsoft.com\", \"https://myacr.azurecr.io\"]\n",
        2,
        44,
        "has a URL scheme",
    );
    assert_error(
        "[kubernetes]\nallowed-registries = [\"evil*.azurecr.io\"]\n",
        2,
        23,
        "whole leading label",
    );
    assert_error("select = [\"aks\"]\n", 1, 11, "did you mean `AKS`?");
    assert_error(
        "select = [\"AKS0001\"]\n",
        1,
        11,
        "is not a rule ID or prefix",
    );
    assert_error(
        "exclude = [\"a/**\", \"b/[c\"]\n",
        1,
        20,
        "invalid glob `b/[c`",
    );
    assert_error(
        "exclude = [\"/abs/**\"]\n",
        1,
        12,
        "relative to the directory",
    );
}

#[test]
fn landing_zone_errors() {
    let zone = |body: &str| format!("[[landing-zone]]\n{body}");
    assert_error(
        &zone("name = \"a\"\npaths = [\"a/**\"]\narchetype = \"corporate\"\n"),
        4,
        13,
        "unknown archetype `corporate`; did you mean `corp`? (valid: corp, online, sandbox, platform",
    );
    assert_error(
        &zone("name = \"a\"\npaths = [\"a/{b\"]\narchetype = \"corp\"\n"),
        3,
        10,
        "invalid glob",
    );
    assert_error(
        &zone("name = \"a\"\npaths = []\narchetype = \"corp\"\n"),
        3,
        9,
        "at least one glob",
    );
    assert_error(
        &zone("name = \"a\"\npaths = [\"a/**\"]\narchetype = \"corp\"\nsubscription = \"not-a-guid\"\n"),
        5,
        16,
        "must be a subscription ID",
    );
    assert_error(
        &zone("name = \"a\"\npaths = [\"a/**\"]\n"),
        1,
        1,
        "missing `archetype` in this [[landing-zone]] entry",
    );
    let duplicate = "[[landing-zone]]\nname = \"a\"\npaths = [\"a/**\"]\narchetype = \"corp\"\n\n\
                     [[landing-zone]]\nname = \"a\"\npaths = [\"b/**\"]\narchetype = \"online\"\n";
    assert_error(
        duplicate,
        7,
        8,
        "duplicate landing zone name `a` (first declared on line 1)",
    );
}

#[test]
fn suppression_errors() {
    let entry = |body: &str| format!("\n[[suppress]]\n{body}");
    assert_error(
        &entry("rule = \"K8S003\"\nresource = \"x\"\nreason = \"  \"\n"),
        5,
        10,
        "`reason` must not be empty",
    );
    assert_error(
        &entry("rule = \"K8S003\"\nresource = \"x\"\n"),
        2,
        1,
        "missing `reason`",
    );
    assert_error(
        &entry("rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = \"2027-02-30\"\n"),
        6,
        11,
        "`expires` must be a date \"YYYY-MM-DD\", found \"2027-02-30\"",
    );
    assert_error(
        &entry("rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = \"30/06/2027\"\n"),
        6,
        11,
        "must be a date",
    );
    assert_error(
        &entry("rule = \"K8S\"\nresource = \"x\"\nreason = \"r\"\n"),
        3,
        8,
        "not a rule ID",
    );
    // Unquoted TOML dates are accepted as long as they are dates only.
    let config = parse(&entry(
        "rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = 2028-02-29\n",
    ))
    .unwrap();
    assert_eq!(config.suppress[0].expires.as_deref(), Some("2028-02-29"));
    assert_eq!(config.suppress[0].line, 2);
    assert_error(
        &entry(
            "rule = \"K8S003\"\nresource = \"x\"\nreason = \"r\"\nexpires = 2028-02-29T10:00:00\n",
        ),
        6,
        11,
        "must be a date",
    );
}

#[test]
fn columns_count_characters() {
    assert_error(
        "# Zürich — prod\n[kubernetes]\nsensitivity-label = \"ä b\"\n",
        3,
        21,
        "cannot contain whitespace",
    );
    assert_error(
        "[kubernetes]\nsensitive-values = [\"é\", 1]\n",
        2,
        26,
        "this element",
    );
}

#[test]
fn error_display_names_file_line_column() {
    let error = parse("[suppress]\nrul = 1\n").unwrap_err();
    let shown = error.to_string();
    assert!(
        shown.starts_with(&format!("{}:1:1: ", root().join(FILE_NAME).display())),
        "{shown}"
    );
    assert_eq!(error.span, Some(0..10));
    let missing = Config::load(Path::new("/definitely/not/here/aksguard.toml")).unwrap_err();
    assert_eq!(missing.line, 0);
    assert!(missing
        .to_string()
        .contains("cannot read the configuration"));
}

#[test]
fn select_and_ignore_follow_ruff() {
    let config = |select: &[&str], ignore: &[&str]| Config {
        select: select.iter().map(|s| s.to_string()).collect(),
        ignore: ignore.iter().map(|s| s.to_string()).collect(),
        ..Config::default_for(&root())
    };
    let all = config(&[], &["K8S015"]);
    assert!(all.rule_enabled("AKS001") && !all.rule_enabled("K8S015"));

    let some = config(&["AKS", "ACR", "K8S001"], &["K8S015"]);
    assert!(some.rule_enabled("AKS016") && some.rule_enabled("ACR004"));
    assert!(some.rule_enabled("K8S001") && !some.rule_enabled("K8S002"));
    assert!(!some.rule_enabled("LZ001") && !some.rule_enabled("DEF001"));
    // Engine diagnostics survive a narrow select.
    assert!(some.rule_enabled("AG001"));

    // A more specific select beats a prefix ignore.
    let specific = config(&["AKS001"], &["AKS"]);
    assert!(specific.rule_enabled("AKS001") && !specific.rule_enabled("AKS002"));
    // Surfaces: more specific than ALL, less than any ID prefix.
    let node = config(&["surface:node"], &["AKS016"]);
    assert!(node.rule_enabled("AKS015") && node.rule_enabled("DEF004"));
    assert!(!node.rule_enabled("AKS016") && !node.rule_enabled("AKS005"));
    let no_registry = config(&["ALL"], &["surface:registry"]);
    assert!(!no_registry.rule_enabled("ACR001") && no_registry.rule_enabled("AKS001"));
    assert!(config(&["ACR001"], &["surface:registry"]).rule_enabled("ACR001"));
    assert_error(
        "select = [\"surface:Node\"]\n",
        1,
        11,
        "did you mean `surface:node`?",
    );
    // An ignore beats a less specific select, and wins a tie.
    let ignore_wins = config(&["AKS"], &["AKS00"]);
    assert!(!ignore_wins.rule_enabled("AKS005") && ignore_wins.rule_enabled("AKS016"));
    assert!(!config(&["AKS005"], &["AKS005"]).rule_enabled("AKS005"));
    assert!(config(&["ALL"], &[]).rule_enabled("DEF004"));
    assert!(!config(&[], &["AG002"]).rule_enabled("AG002"));

    let parsed = parse(DESIGN_EXAMPLE).unwrap();
    assert!(parsed.rule_enabled("AKS016") && !parsed.rule_enabled("K8S003"));
    assert_eq!(parsed.severity_for("AKS016", Severity::Low), Severity::Info);
    assert_eq!(parsed.severity_for("AKS017", Severity::Low), Severity::Low);
}

#[test]
fn governance_and_rule_ids() {
    let config = parse(
        "select = [\"AKS\", \"K8S\"]\n[governance]\nunsuppressible = [\"AKS006\", \"K8S0\"]\n",
    )
    .unwrap();
    assert!(config.is_unsuppressible("AKS006") && config.is_unsuppressible("K8S001"));
    assert!(!config.is_unsuppressible("AKS005"));
    let known = ["AKS001", "AKS006", "K8S001", "K8S003"];
    assert!(config.check_rule_ids(&known).is_ok());

    let typo = parse("select = [\"AKS\"]\n\n[severity]\nAKS007 = \"low\"\n").unwrap();
    let error = typo.check_rule_ids(&known).unwrap_err();
    assert_eq!((error.line, error.column), (4, 1));
    assert_eq!(
        error.message,
        "no rule has the ID `AKS007`; did you mean `AKS001`?"
    );
    let prefix = parse("ignore = [\"ACR\"]\n").unwrap();
    let error = prefix.check_rule_ids(&known).unwrap_err();
    assert_eq!((error.line, error.column), (1, 11));
    assert!(error.message.starts_with("no rule ID starts with `ACR`"));
}

#[test]
fn exclude_matches_relative_to_root() {
    let config =
        parse("exclude = [\"**/examples/**\", \"vendor\", \"*.bak.tf\", \"./generated/**\"]\n")
            .unwrap();
    let under = |relative: &str| config.root.join(relative);
    assert!(config.is_excluded(&under("modules/aks/examples/main.tf")));
    assert!(config.is_excluded(&under("examples/main.tf")));
    assert!(config.is_excluded(&under("vendor/chart/templates/x.yaml")));
    assert!(config.is_excluded(&under("old.bak.tf")));
    // `*` does not cross directories.
    assert!(!config.is_excluded(&under("nested/old.bak.tf")));
    assert!(!config.is_excluded(&under("modules/aks/main.tf")));
    assert!(config.is_excluded(&under("modules/../examples/./x.tf")));
    assert!(config.is_excluded(&under("generated/arm/aks.json")));
    assert!(!config.is_excluded(Path::new("/elsewhere/examples/main.tf")));
}

#[test]
fn zone_for_takes_the_first_matching_zone() {
    let config = parse(
        "[[landing-zone]]\nname = \"corp-prod\"\npaths = [\"landing-zones/corp-prod/**\"]\narchetype = \"corp\"\n\n\
         [[landing-zone]]\nname = \"everything-else\"\npaths = [\"landing-zones/*/**\", \"shared\"]\narchetype = \"online\"\n\n\
         [[landing-zone]]\nname = \"hub\"\npaths = [\"hub/**\"]\narchetype = \"connectivity\"\n",
    )
    .unwrap();
    let zone = |relative: &str| {
        config
            .zone_for(&config.root.join(relative))
            .map(|zone| zone.name.as_str())
    };
    assert_eq!(
        zone("landing-zones/corp-prod/terraform/main.tf"),
        Some("corp-prod")
    );
    assert_eq!(
        zone("landing-zones/online-dev/main.tf"),
        Some("everything-else")
    );
    assert_eq!(zone("shared/acr/main.bicep"), Some("everything-else"));
    assert_eq!(zone("hub/main.tf"), Some("hub"));
    assert_eq!(zone("README.md"), None);
    assert_eq!(
        config.landing_zones[2].archetype,
        Archetype::Other("connectivity".to_string())
    );
    assert_eq!(config.default_zone_name(), "repo");
}

#[test]
fn resource_patterns() {
    let config = parse(
        "[[suppress]]\nrule = \"AKS005\"\nresource = \"azurerm_kubernetes_cluster.*\"\nreason = \"r\"\n\n\
         [[suppress]]\nrule = \"ACR002\"\nresource = 'azurerm_container_registry.acr[\"prod\"]'\nreason = \"r\"\nexpires = \"2020-01-01\"\n\n\
         [[suppress]]\nrule = \"ACR004\"\nresource = \"Microsoft.ContainerRegistry/registries/*\"\nreason = \"r\"\n",
    )
    .unwrap();
    let [any_cluster, keyed, arm] = config.suppress.as_slice() else {
        panic!("three suppressions expected");
    };
    assert!(any_cluster.matches("AKS005", "azurerm_kubernetes_cluster.aks"));
    assert!(any_cluster.matches("AKS005", "azurerm_kubernetes_cluster.aks[\"a\"]"));
    assert!(!any_cluster.matches("AKS005", "azurerm_container_registry.acr"));
    assert!(keyed.matches("ACR002", "azurerm_container_registry.acr[\"prod\"]"));
    assert!(!keyed.matches("ACR002", "azurerm_container_registry.acr[\"dev\"]"));
    assert!(arm.matches("ACR004", "microsoft.containerregistry/registries/lzacr"));
    assert!(keyed.is_expired("2026-05-01") && !keyed.is_expired("2020-01-01"));
    assert!(!arm.is_expired("2999-12-31"));
    assert_eq!((keyed.line, arm.line), (6, 12));
}

#[test]
fn find_walks_up() {
    let top = unique_temp_dir("find");
    let nested = top.join("landing-zones/corp/terraform");
    std::fs::create_dir_all(&nested).unwrap();
    let file = nested.join("main.tf");
    std::fs::write(&file, "").unwrap();
    std::fs::write(top.join(FILE_NAME), "fail-on = \"high\"\n").unwrap();

    assert_eq!(Config::find(&nested), Some(top.join(FILE_NAME)));
    assert_eq!(Config::find(&file), Some(top.join(FILE_NAME)));
    let resolved = Config::resolve(&nested, None).unwrap();
    assert_eq!(resolved.fail_on, Severity::High);
    assert_eq!(resolved.root, top);
    assert!(resolved.zone_for(&file).is_none());

    // A closer file wins over the one further up.
    std::fs::write(top.join("landing-zones").join(FILE_NAME), "").unwrap();
    assert_eq!(
        Config::find(&nested),
        Some(top.join("landing-zones").join(FILE_NAME))
    );
    std::fs::remove_dir_all(&top).unwrap();
}

#[test]
fn helpers() {
    assert_eq!(civil_from_days(0), (1970, 1, 1));
    assert_eq!(civil_from_days(19_782), (2024, 2, 29));
    assert_eq!(today_utc().len(), 10);
    assert!(is_date("2024-02-29") && !is_date("2023-02-29") && !is_date("2024-13-01"));
    assert!(is_rule_id("K8S001") && is_rule_id("LZ001") && !is_rule_id("AKS"));
    assert!(is_rule_selector("K8S0") && !is_rule_selector("8KS") && !is_rule_selector(""));
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn generated_corpus_config_parses() {
    let config = parse(
        "# Landing zones of the synthetic corpus.\n\n[[landing-zone]]\nname = \"lz0000\"\npaths = [\"lz0000/**\"]\n\
         archetype = \"corp\"\nsubscription = \"00000000-1111-4111-8111-111111111111\"\n",
    )
    .unwrap();
    let zone = config
        .zone_for(&config.root.join("lz0000/arm/aks.json"))
        .unwrap();
    assert_eq!(zone.archetype, Archetype::Corp);
}
