use super::{catalogue, set_field, spelling, Context, Rule};
use crate::finding::Finding;
use crate::model::fields as f;
use crate::model::raw::Format;
use crate::remedy::{Change, Literal, Remedy};

pub const RULE: Rule = Rule {
    meta: &catalogue::AKS010,
    check,
};

fn check(ctx: &Context, out: &mut Vec<Finding>) {
    for cluster in &ctx.model.clusters {
        let rotate = || Literal::str("true");
        let (field, message) = if cluster.keyvault_csi.known() == Some(&false) {
            (&cluster.keyvault_csi, "The Key Vault Secrets Store CSI driver add-on is not enabled: secrets end up in manifests or Kubernetes Secrets")
        } else if cluster.keyvault_csi.known() == Some(&true)
            && cluster.keyvault_rotation.known() == Some(&false)
        {
            (&cluster.keyvault_rotation, "The Key Vault Secrets Store CSI driver does not rotate secrets: rotated Key Vault secrets never reach the pods")
        } else {
            continue;
        };
        let title = "Enable secret rotation";
        let remedy = if std::ptr::eq(field, &cluster.keyvault_rotation) {
            set_field(cluster, field, true.into(), rotate(), title)
        } else if cluster.format == Format::Terraform && field.is_default() {
            // The block's presence is the add-on: add it with rotation on.
            Remedy::new(
                title,
                vec![Some(Change::absent(
                    field.at,
                    "key_vault_secrets_provider.secret_rotation_enabled",
                    true.into(),
                ))],
            )
        } else {
            // ARM needs `enabled` and the rotation flag together; not one literal.
            None
        };
        out.push(
            RULE.at_field(
                cluster,
                field,
                message.to_string(),
                match cluster.format {
                    Format::Terraform => format!(
                        "Add {}",
                        spelling::assignment(cluster, &f::KEYVAULT_ROTATION, "true", "")
                    ),
                    _ => {
                        // `addonProfiles.azureKeyvaultSecretsProvider.enabled` and
                        // `...config.enableSecretRotation`: one object sets both.
                        let enabled = spelling::name(cluster, &f::KEYVAULT_CSI);
                        let (addon, enabled) = enabled.rsplit_once('.').unwrap_or(("", &enabled));
                        let rotation = spelling::name(cluster, &f::KEYVAULT_ROTATION);
                        let (config, rotation) = rotation
                            .strip_prefix(addon)
                            .and_then(|r| r.trim_start_matches('.').split_once('.'))
                            .unwrap_or(("config", "enableSecretRotation"));
                        format!(
                        "Set `{addon}: {{ {enabled}: true, {config}: {{ {rotation}: \"true\" }} }}`"
                    )
                    }
                },
            )
            .with_remedy(remedy),
        );
    }
}
