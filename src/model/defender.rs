//! Microsoft Defender for Cloud plans (pricings), and the virtual machines DEF004 counts.

use super::field::{Field, Reader};
use super::fields as f;
use super::raw::{Format, RawResource};
use super::Resource;
use crate::value::{Kind, Value};

pub const TF_PRICING: &str = "azurerm_security_center_subscription_pricing";
pub const ARM_PRICING: &str = "Microsoft.Security/pricings";
pub const REGISTRY_SCANNING_EXTENSION: &str = "ContainerRegistriesVulnerabilityAssessments";

#[derive(Debug)]
pub struct Pricing {
    pub resource: Resource,
    pub plan: Field<String>,
    pub tier: Field<String>,
    /// Registry vulnerability assessment for a Containers plan: Some(true/false) when known.
    pub registry_scanning: Option<bool>,
}

impl Pricing {
    pub fn is_plan(&self, plan: &str) -> bool {
        self.plan
            .known()
            .is_some_and(|p| p.eq_ignore_ascii_case(plan))
    }
    pub fn standard(&self) -> Option<bool> {
        self.tier
            .known()
            .map(|t| t.eq_ignore_ascii_case("Standard"))
    }
}

pub fn lower_pricing(res: &RawResource, unit: usize, zone: usize) -> Pricing {
    let arm = res.format != Format::Terraform;
    let reader = Reader {
        root: &res.body,
        header: res.header,
        arm,
    };
    let mut plan = reader.string(&f::PRICING_PLAN, res.provider_major);
    if arm {
        // Nested under a subscription deployment the name can carry a parent prefix.
        if let Some(name) = plan.value.as_deref().and_then(|n| n.rsplit('/').next()) {
            plan.value = Some(name.to_string());
        }
    }
    let tier = reader.string(&f::PRICING_TIER, res.provider_major);
    let registry_scanning = if arm {
        // ARM enables a plan's extensions unless they are listed as disabled.
        match res
            .body
            .get_ci("properties")
            .and_then(|p| p.get_ci("extensions"))
        {
            None => Some(true),
            Some(v) => match v.as_list() {
                Some(items) => {
                    let entry = items.iter().find(|e| {
                        e.get_ci("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(REGISTRY_SCANNING_EXTENSION))
                    });
                    match entry {
                        None => Some(true),
                        Some(e) => e.get_ci("isEnabled").and_then(Value::as_bool),
                    }
                }
                None => None,
            },
        }
    } else {
        // azurerm: an omitted `extension` block means the extension is disabled.
        let mut known = true;
        let mut found = false;
        for entry in res.body.entries("extension") {
            match entry.value.get("name").map(|v| &v.kind) {
                Some(Kind::String(n)) if n.eq_ignore_ascii_case(REGISTRY_SCANNING_EXTENSION) => {
                    found = true
                }
                Some(Kind::String(_)) => {}
                _ => known = false,
            }
        }
        if found {
            Some(true)
        } else if known {
            Some(false)
        } else {
            None
        }
    };
    Pricing {
        resource: Resource::new(res, unit, zone),
        plan,
        tier,
        registry_scanning,
    }
}

/// Any virtual machine or scale set other than AKS nodes (DEF004).
pub fn is_virtual_machine(kind: &str) -> bool {
    (kind.starts_with("azurerm_") && kind.contains("virtual_machine"))
        || kind
            .to_ascii_lowercase()
            .starts_with("microsoft.compute/virtualmachine")
}
