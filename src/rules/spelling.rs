//! How rule help names a field: spelled from the fields table in the subject's format
//! (the newest azurerm name, with the 3.x one it replaced; the ARM path below
//! `properties`), so help cannot name an attribute the reader does not read.

use super::Subject;
use crate::model::fields::FieldSpec;
use crate::model::raw::Format;

fn arm(subject: &dyn Subject) -> bool {
    subject.format() != Format::Terraform
}

/// The field's attribute as written in the subject's format: `network_profile.network_policy`,
/// `networkProfile.networkPolicy`.
pub fn name(subject: &dyn Subject, field: &FieldSpec) -> String {
    field.absent_name(arm(subject), None).to_string()
}

/// The last segment of a dotted name (`aadProfile.managed` -> `managed`).
pub fn last(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// The field set to a value, in backticks: Terraform `network_profile { network_policy =
/// "cilium" }` (with `(azurerm 3.x: `old_name`)` after a renamed attribute), ARM and Bicep
/// `networkProfile.networkPolicy: "cilium"`. The value is given as each format writes it.
pub fn assignment(subject: &dyn Subject, field: &FieldSpec, terraform: &str, arm: &str) -> String {
    let path = name(subject, field);
    if self::arm(subject) {
        return format!("`{path}: {arm}`");
    }
    let mut segments = path.rsplit('.');
    let last = segments.next().unwrap_or_default();
    let mut written = format!("{last} = {terraform}");
    for block in segments {
        written = format!("{block} {{ {written} }}");
    }
    match field.renamed_from() {
        Some(old) => format!("`{written}` (azurerm 3.x: `{old}`)"),
        None => format!("`{written}`"),
    }
}

/// "Set " and the [`assignment`].
pub fn set(subject: &dyn Subject, field: &FieldSpec, terraform: &str, arm: &str) -> String {
    format!("Set {}", assignment(subject, field, terraform, arm))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::fields as f;

    struct In(Format);

    impl Subject for In {
        fn address(&self) -> &str {
            "x"
        }
        fn format(&self) -> Format {
            self.0
        }
    }

    #[test]
    fn help_spells_each_field_as_its_format_writes_it() {
        let (tf, bicep) = (In(Format::Terraform), In(Format::Bicep));
        assert_eq!(
            set(&tf, &f::NETWORK_POLICY, "\"cilium\"", "'cilium'"),
            "Set `network_profile { network_policy = \"cilium\" }`"
        );
        assert_eq!(
            set(&bicep, &f::NETWORK_POLICY, "\"cilium\"", "'cilium'"),
            "Set `networkProfile.networkPolicy: 'cilium'`"
        );
        assert_eq!(
            set(&tf, &f::POOL_HOST_ENCRYPTION, "true", "true"),
            "Set `host_encryption_enabled = true` (azurerm 3.x: `enable_host_encryption`)"
        );
        assert_eq!(
            name(&In(Format::Arm), &f::REGISTRY_SKU),
            "sku.name",
            "paths outside `properties` keep their root"
        );
        assert_eq!(
            name(&tf, &f::AUTHORIZED_IP_RANGES),
            "api_server_access_profile.authorized_ip_ranges"
        );
    }
}
