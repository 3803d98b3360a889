//! What each key of `aksguard.toml` accepts, checked while the document is read into a
//! `Config`.

use super::document::{in_source_order, Doc, Value};
use super::selection::{
    check_surface, is_rule_id, is_rule_selector, rule_shape_message, RuleRef, SURFACE_PREFIX,
};
use super::suggest::closest;
use super::suppression::{is_date, Suppression};
use super::zones::{Archetype, LandingZone, ARCHETYPES};
use super::{ApiServerConfig, BuildConfig, Config, ConfigError, KubernetesConfig};
use globset::{GlobBuilder, GlobMatcher};
use std::collections::HashMap;
use std::ops::Range;
use toml::de::{DeTable, DeValue};

const TOP_KEYS: &[&str] = &[
    "fail-on",
    "select",
    "ignore",
    "exclude",
    "severity",
    "kubernetes",
    "api-server",
    "cluster",
    "build",
    "landing-zone",
    "suppress",
    "governance",
    "baseline",
];
const KUBERNETES_KEYS: &[&str] = &[
    "allowed-registries",
    "minimum-version",
    "sensitivity-label",
    "sensitive-values",
];
const BUILD_KEYS: &[&str] = &["non-root-bases", "scanners"];
const API_SERVER_KEYS: &[&str] = &["min-prefix-length", "require-private"];
const CLUSTER_KEYS: &[&str] = &["require-egress-control"];
const ZONE_KEYS: &[&str] = &["name", "paths", "archetype", "subscription"];
const SUPPRESS_KEYS: &[&str] = &["rule", "resource", "reason", "expires"];
const GOVERNANCE_KEYS: &[&str] = &["unsuppressible"];

impl Doc<'_> {
    pub(super) fn fill(&self, config: &mut Config, table: &DeTable) -> Result<(), ConfigError> {
        let mut refs = Vec::new();
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "fail-on" => config.fail_on = self.severity(name, value)?,
                "baseline" => config.baseline = Some(config.root.join(self.string(name, value)?)),
                "select" => config.select = self.selectors(name, value, &mut refs)?,
                "ignore" => config.ignore = self.selectors(name, value, &mut refs)?,
                "exclude" => {
                    let patterns = self.strings(name, value)?;
                    config.exclude_set = self.glob_set(name, &patterns)?;
                    config.exclude = patterns.iter().map(|(p, _)| p.to_string()).collect();
                }
                "severity" => {
                    for (rule, level) in in_source_order(self.table(name, value)?) {
                        if !is_rule_id(rule.get_ref()) {
                            return Err(self.rule_shape_error(rule.get_ref(), rule.span(), true));
                        }
                        let label = format!("severity.{}", rule.get_ref());
                        let level = self.severity(&label, level)?;
                        refs.push(self.rule_ref(rule.get_ref(), true, rule.span()));
                        config.severity.insert(rule.get_ref().to_string(), level);
                    }
                }
                "kubernetes" => {
                    self.kubernetes(&mut config.kubernetes, self.table(name, value)?)?
                }
                "api-server" => {
                    self.api_server(&mut config.api_server, self.table(name, value)?)?
                }
                "cluster" => {
                    for (key, value) in in_source_order(self.table(name, value)?) {
                        match key.get_ref().as_ref() {
                            "require-egress-control" => {
                                config.cluster.require_egress_control =
                                    self.boolean("require-egress-control", value)?
                            }
                            _ => return Err(self.unknown_key(key, CLUSTER_KEYS, " in [cluster]")),
                        }
                    }
                }
                "build" => self.build(&mut config.build, self.table(name, value)?)?,
                "landing-zone" => {
                    // By name, so a duplicate is found without comparing every zone with
                    // every earlier one (a configuration may declare thousands).
                    let mut first_line: HashMap<String, usize> = config
                        .landing_zones
                        .iter()
                        .map(|zone| (zone.name.clone(), zone.line))
                        .collect();
                    for zone in self.array_of_tables(name, value)? {
                        let zone = self.landing_zone(zone, &first_line)?;
                        first_line.entry(zone.name.clone()).or_insert(zone.line);
                        config.landing_zones.push(zone);
                    }
                }
                "suppress" => {
                    for entry in self.array_of_tables(name, value)? {
                        config.suppress.push(self.suppression(entry, &mut refs)?);
                    }
                }
                "governance" => {
                    for (key, value) in in_source_order(self.table(name, value)?) {
                        match key.get_ref().as_ref() {
                            "unsuppressible" => {
                                config.governance.unsuppressible =
                                    self.selectors("unsuppressible", value, &mut refs)?;
                            }
                            _ => {
                                return Err(self.unknown_key(
                                    key,
                                    GOVERNANCE_KEYS,
                                    " in [governance]",
                                ))
                            }
                        }
                    }
                }
                _ => return Err(self.unknown_key(key, TOP_KEYS, "")),
            }
        }
        refs.sort_by_key(|reference| reference.span.start);
        config.rule_refs = refs;
        Ok(())
    }

    fn kubernetes(&self, out: &mut KubernetesConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "allowed-registries" => {
                    let mut registries = Vec::new();
                    for (entry, span) in self.strings(name, value)? {
                        if let Some(problem) = registry_problem(entry) {
                            return Err(self.error(span, format!("registry `{entry}` {problem}")));
                        }
                        registries.push(entry.to_ascii_lowercase());
                    }
                    out.allowed_registries = Some(registries);
                }
                "minimum-version" => {
                    if let DeValue::Float(number) = value.get_ref() {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`minimum-version` must be a string: write \"{}\" in quotes \
                                 (as a number 1.30 would mean 1.3)",
                                number.as_str()
                            ),
                        ));
                    }
                    let version = self.string(name, value)?;
                    if !is_minor_version(version) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`minimum-version` must be a Kubernetes minor version like \
                                 \"1.32\", found \"{version}\""
                            ),
                        ));
                    }
                    out.minimum_version = Some(version.to_string());
                }
                "sensitivity-label" => {
                    let label = self.non_empty(name, value)?;
                    if label.contains(char::is_whitespace) {
                        return Err(self.error(
                            value.span(),
                            "`sensitivity-label` is a label key and cannot contain whitespace",
                        ));
                    }
                    out.sensitivity_label = label.to_string();
                }
                "sensitive-values" => {
                    out.sensitive_values = self
                        .strings(name, value)?
                        .into_iter()
                        .map(|(text, _)| text.to_string())
                        .collect();
                }
                _ => return Err(self.unknown_key(key, KUBERNETES_KEYS, " in [kubernetes]")),
            }
        }
        Ok(())
    }

    fn build(&self, out: &mut BuildConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "non-root-bases" => {
                    let mut patterns = Vec::new();
                    for (pattern, span) in self.strings(name, value)? {
                        let pattern = pattern.trim().to_ascii_lowercase();
                        if pattern.is_empty() {
                            return Err(self.error(span, "`non-root-bases` has an empty pattern"));
                        }
                        if let Err(error) = globset::Glob::new(&pattern) {
                            return Err(self.error(
                                span,
                                format!(
                                    "invalid glob `{pattern}` in `non-root-bases`: {}",
                                    error.kind()
                                ),
                            ));
                        }
                        patterns.push(pattern);
                    }
                    out.set_non_root_bases(patterns);
                }
                "scanners" => {
                    let mut scanners = Vec::new();
                    for (scanner, span) in self.strings(name, value)? {
                        if scanner.trim().is_empty() {
                            return Err(self.error(span, "`scanners` has an empty entry"));
                        }
                        scanners.push(scanner.trim().to_string());
                    }
                    out.scanners = scanners;
                }
                _ => return Err(self.unknown_key(key, BUILD_KEYS, " in [build]")),
            }
        }
        Ok(())
    }

    fn api_server(&self, out: &mut ApiServerConfig, table: &DeTable) -> Result<(), ConfigError> {
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "min-prefix-length" => {
                    let DeValue::Integer(number) = value.get_ref() else {
                        return Err(self.type_error(name, "an integer", value));
                    };
                    let parsed = i64::from_str_radix(number.as_str(), number.radix()).ok();
                    match parsed
                        .and_then(|n| u8::try_from(n).ok())
                        .filter(|n| *n <= 32)
                    {
                        Some(length) => out.min_prefix_length = length,
                        None => {
                            return Err(self.error(
                                value.span(),
                                format!(
                                    "`min-prefix-length` must be an IPv4 prefix length from 0 \
                                     to 32, found {number}"
                                ),
                            ))
                        }
                    }
                }
                "require-private" => out.require_private = self.boolean(name, value)?,
                _ => return Err(self.unknown_key(key, API_SERVER_KEYS, " in [api-server]")),
            }
        }
        Ok(())
    }

    fn landing_zone(
        &self,
        (table, header): (&DeTable, Range<usize>),
        earlier: &HashMap<String, usize>,
    ) -> Result<LandingZone, ConfigError> {
        let mut name = None;
        let mut paths = None;
        let mut archetype = None;
        let mut subscription = None;
        for (key, value) in in_source_order(table) {
            let key_name: &str = key.get_ref();
            match key_name {
                "name" => {
                    let text = self.non_empty(key_name, value)?;
                    if let Some(first_line) = earlier.get(text) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "duplicate landing zone name `{text}` (first declared on line {}); \
                                 zone names must be unique",
                                first_line
                            ),
                        ));
                    }
                    name = Some(text.to_string());
                }
                "paths" => {
                    let patterns = self.strings(key_name, value)?;
                    if patterns.is_empty() {
                        return Err(self.error(
                            value.span(),
                            "`paths` must list at least one glob, e.g. [\"landing-zones/corp-prod/**\"]",
                        ));
                    }
                    // Checked here, compiled with every zone's in `Config::zone_for`.
                    for (pattern, span) in &patterns {
                        self.glob(key_name, pattern, span.clone())?;
                    }
                    paths = Some(patterns.iter().map(|(p, _)| p.to_string()).collect());
                }
                "archetype" => {
                    let text = self.string(key_name, value)?;
                    let parsed = Archetype::parse(text).ok_or_else(|| {
                        let mut message = format!("unknown archetype `{text}`");
                        if let Some(suggestion) = closest(text, ARCHETYPES, 2) {
                            message.push_str(&format!("; did you mean `{suggestion}`?"));
                        }
                        message.push_str(&format!(" (valid: {})", ARCHETYPES.join(", ")));
                        self.error(value.span(), message)
                    })?;
                    archetype = Some(parsed);
                }
                "subscription" => {
                    let text = self.string(key_name, value)?;
                    if !is_guid(text) {
                        return Err(self.error(
                            value.span(),
                            format!(
                                "`subscription` must be a subscription ID (a GUID like \
                                 11111111-1111-1111-1111-111111111111), found \"{text}\""
                            ),
                        ));
                    }
                    subscription = Some(text.to_ascii_lowercase());
                }
                _ => return Err(self.unknown_key(key, ZONE_KEYS, " in [[landing-zone]]")),
            }
        }
        let name = name
            .ok_or_else(|| self.missing(&header, "name", "landing-zone", "a unique zone name"))?;
        let paths = paths.ok_or_else(|| {
            self.missing(
                &header,
                "paths",
                "landing-zone",
                "globs of the zone's files",
            )
        })?;
        let archetype = archetype.ok_or_else(|| {
            let hint = format!("one of {}", ARCHETYPES.join(", "));
            self.missing(&header, "archetype", "landing-zone", &hint)
        })?;
        Ok(LandingZone {
            name,
            paths,
            archetype,
            subscription,
            line: self.position(header.start).0,
        })
    }

    fn suppression(
        &self,
        (table, header): (&DeTable, Range<usize>),
        refs: &mut Vec<RuleRef>,
    ) -> Result<Suppression, ConfigError> {
        let mut rule = None;
        let mut resource = None;
        let mut reason = None;
        let mut expires = None;
        for (key, value) in in_source_order(table) {
            let name: &str = key.get_ref();
            match name {
                "rule" => {
                    let text = self.string(name, value)?;
                    if !is_rule_id(text) {
                        return Err(self.rule_shape_error(text, value.span(), true));
                    }
                    refs.push(self.rule_ref(text, true, value.span()));
                    rule = Some(text.to_string());
                }
                "resource" => {
                    let pattern = self.non_empty(name, value)?;
                    resource = Some((
                        pattern.to_string(),
                        self.resource_matcher(pattern, value.span())?,
                    ));
                }
                "reason" => reason = Some(self.non_empty(name, value)?.trim().to_string()),
                "expires" => {
                    let day = match value.get_ref() {
                        // An unquoted 2027-06-30 is a TOML date; accept it as written.
                        DeValue::Datetime(datetime)
                            if datetime.time.is_none() && datetime.offset.is_none() =>
                        {
                            datetime.to_string()
                        }
                        DeValue::String(text) => text.to_string(),
                        _ => return Err(self.type_error(name, "a date \"YYYY-MM-DD\"", value)),
                    };
                    if !is_date(&day) {
                        return Err(self.error(
                            value.span(),
                            format!("`expires` must be a date \"YYYY-MM-DD\", found \"{day}\""),
                        ));
                    }
                    expires = Some(day);
                }
                _ => return Err(self.unknown_key(key, SUPPRESS_KEYS, " in [[suppress]]")),
            }
        }
        let rule = rule.ok_or_else(|| {
            self.missing(&header, "rule", "suppress", "the rule ID, e.g. \"K8S003\"")
        })?;
        let (resource, matcher) = resource.ok_or_else(|| {
            self.missing(
                &header,
                "resource",
                "suppress",
                "the resource address; globs allowed",
            )
        })?;
        let reason = reason.ok_or_else(|| {
            self.missing(&header, "reason", "suppress", "why the finding is accepted")
        })?;
        Ok(Suppression {
            rule,
            resource,
            reason,
            expires,
            line: self.position(header.start).0,
            matcher,
        })
    }

    fn resource_matcher(
        &self,
        pattern: &str,
        span: Range<usize>,
    ) -> Result<GlobMatcher, ConfigError> {
        let mut glob = String::with_capacity(pattern.len());
        for c in pattern.chars() {
            match c {
                '*' if glob.ends_with('*') => {}
                '*' | '?' => glob.push(c),
                _ => glob.push_str(&globset::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
        GlobBuilder::new(&glob)
            .literal_separator(false)
            .backslash_escape(false)
            .case_insensitive(true)
            .build()
            .map(|glob| glob.compile_matcher())
            .map_err(|error| {
                self.error(
                    span,
                    format!("invalid resource pattern `{pattern}`: {}", error.kind()),
                )
            })
    }

    fn selectors(
        &self,
        name: &str,
        value: &Value,
        refs: &mut Vec<RuleRef>,
    ) -> Result<Vec<String>, ConfigError> {
        let mut selectors = Vec::new();
        for (text, span) in self.strings(name, value)? {
            if let Some(surface) = text.strip_prefix(SURFACE_PREFIX) {
                if let Err(message) = check_surface(surface) {
                    return Err(self.error(span, message));
                }
                selectors.push(text.to_string());
                continue;
            }
            if !is_rule_selector(text) {
                return Err(self.rule_shape_error(text, span, false));
            }
            refs.push(self.rule_ref(text, false, span));
            selectors.push(text.to_string());
        }
        Ok(selectors)
    }

    fn rule_ref(&self, text: &str, exact: bool, span: Range<usize>) -> RuleRef {
        let (line, column) = self.position(span.start);
        RuleRef {
            text: text.to_string(),
            exact,
            line,
            column,
            span,
        }
    }

    fn rule_shape_error(&self, text: &str, span: Range<usize>, want_id: bool) -> ConfigError {
        self.error(span, rule_shape_message(text, want_id))
    }
}

fn is_guid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_minor_version(text: &str) -> bool {
    text.strip_prefix("1.").is_some_and(|minor| {
        (1..=2).contains(&minor.len()) && minor.bytes().all(|b| b.is_ascii_digit())
    })
}

/// Hosts, `host:port`, or `*.suffix`; a scheme or a path means the user pasted an image
/// reference or URL, which would never match a registry host.
fn registry_problem(entry: &str) -> Option<&'static str> {
    if entry.is_empty() {
        Some("is empty")
    } else if entry.contains("://") {
        Some("has a URL scheme; write the registry host only (e.g. `myacr.azurecr.io`)")
    } else if entry.contains('/') {
        Some("has a path; write the registry host only (e.g. `myacr.azurecr.io`)")
    } else if entry.contains(char::is_whitespace) {
        Some("contains whitespace")
    } else if entry.chars().skip(1).any(|c| c == '*')
        || (entry.starts_with('*') && !entry.starts_with("*."))
    {
        Some("may only use `*` as a whole leading label, as in `*.azurecr.io`")
    } else {
        None
    }
}
