#!/usr/bin/env python3
"""Wall time and peak memory of `aksguard check` on one big Terraform plan JSON.

    bench/plan_scale.py [--bin target/release/aksguard] [--mb 100] [--runs 3] [--seed 7]

Writes (once per size and seed, in the temp directory) a plan as `terraform show -json`
prints it, on one line: `resource_changes` with before, after, after_unknown and
after_sensitive for every resource, `planned_values`, `prior_state` and `configuration`.
The resources are what a big landing-zone root holds: per zone an AKS cluster inside a
module instance, a registry, its private endpoint, an AcrPull role assignment, and about
twenty resources aksguard does not model (virtual networks, subnets, NSGs with rules,
storage accounts, Key Vault secrets, DNS records) that make most of the bytes. A few
changes only delete. Then runs the release binary --runs times with JSON output and
reports the median wall time and the peak resident memory of the runs.

The target (issue 17): a 100 MB plan read in under 2 s and under 1 GiB on the 2-core
development machine. Exit code 1 when it is missed.
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time
import timing

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
SUB = "00000000-0000-0000-0000-000000000001"


def rg(zone):
    return f"/subscriptions/{SUB}/resourceGroups/rg-lz{zone:04d}"


def cluster(rng, zone):
    return {
        "name": f"aks-lz{zone:04d}", "location": "westeurope", "resource_group_name": f"rg-lz{zone:04d}",
        "dns_prefix": f"lz{zone:04d}", "kubernetes_version": "1.33",
        "local_account_disabled": rng.random() < 0.7, "role_based_access_control_enabled": True,
        "azure_policy_enabled": rng.random() < 0.8, "private_cluster_enabled": rng.random() < 0.5,
        "oidc_issuer_enabled": True, "workload_identity_enabled": rng.random() < 0.6,
        "automatic_channel_upgrade": rng.choice(["stable", "patch", None]),
        "node_os_channel_upgrade": rng.choice(["NodeImage", "SecurityPatch", "None"]),
        "sku_tier": "Standard", "support_plan": "KubernetesOfficial",
        "api_server_access_profile": [{"authorized_ip_ranges": [f"203.0.{zone % 250}.0/24"], "subnet_id": None,
                                       "vnet_integration_enabled": False}],
        "azure_active_directory_role_based_access_control": [{"managed": True, "azure_rbac_enabled": True,
                                                              "admin_group_object_ids": [], "tenant_id": None}],
        "key_vault_secrets_provider": [{"secret_rotation_enabled": True, "secret_rotation_interval": "2m"}],
        "microsoft_defender": [{"log_analytics_workspace_id": f"{rg(zone)}/providers/Microsoft.OperationalInsights/workspaces/law"}],
        "network_profile": [{"network_plugin": "azure", "network_policy": "cilium", "network_data_plane": "cilium",
                             "outbound_type": "userDefinedRouting", "load_balancer_sku": "standard",
                             "service_cidr": "10.250.0.0/16", "dns_service_ip": "10.250.0.10"}],
        "default_node_pool": [{"name": "system", "vm_size": "Standard_D4s_v5", "node_count": 3,
                               "os_sku": "AzureLinux", "only_critical_addons_enabled": True,
                               "enable_host_encryption": rng.random() < 0.5, "enable_node_public_ip": False,
                               "node_labels": {"tier": "system"}, "orchestrator_version": "1.33",
                               "zones": ["1", "2", "3"], "max_pods": 110, "os_disk_size_gb": 128}],
        "identity": [{"type": "SystemAssigned", "identity_ids": []}],
        "linux_profile": [], "oms_agent": [], "tags": {"zone": f"lz{zone:04d}", "owner": "platform"},
        "kube_config_raw": "apiVersion: v1\nkind: Config\n" + "x" * 2000,
        "id": f"{rg(zone)}/providers/Microsoft.ContainerService/managedClusters/aks-lz{zone:04d}",
    }


def registry(rng, zone):
    return {"name": f"lz{zone:04d}acr", "location": "westeurope", "resource_group_name": f"rg-lz{zone:04d}",
            "sku": "Premium", "admin_enabled": rng.random() < 0.1, "public_network_access_enabled": rng.random() < 0.3,
            "anonymous_pull_enabled": False, "quarantine_policy_enabled": True,
            "network_rule_bypass_option": "AzureServices", "zone_redundancy_enabled": True,
            "trust_policy": [{"enabled": True}], "retention_policy": [{"enabled": True, "days": 7}],
            "network_rule_set": [], "georeplications": [], "encryption": [], "identity": [], "tags": {}}


def filler(rng, zone, i):
    """A resource aksguard does not model, sized like real ones (NSG rules, subnets...)."""
    kind = rng.choice(["azurerm_network_security_group", "azurerm_subnet", "azurerm_storage_account",
                       "azurerm_key_vault_secret", "azurerm_private_dns_a_record", "azurerm_virtual_network"])
    values = {"name": f"{kind.split('_', 1)[1]}-{zone}-{i}", "location": "westeurope",
              "resource_group_name": f"rg-lz{zone:04d}", "tags": {"zone": f"lz{zone:04d}", "index": str(i)}}
    if kind == "azurerm_network_security_group":
        values["security_rule"] = [{"name": f"rule-{r}", "priority": 100 + r, "direction": "Inbound",
                                    "access": "Allow", "protocol": "Tcp", "source_port_range": "*",
                                    "destination_port_range": str(1000 + r), "source_address_prefix": "10.0.0.0/8",
                                    "destination_address_prefix": "*", "description": "generated rule " * 3}
                                   for r in range(12)]
    elif kind == "azurerm_key_vault_secret":
        values["value"] = "s3cr3t-" + "%032x" % rng.getrandbits(128)
    else:
        values["address_prefixes"] = [f"10.{zone % 250}.{i % 250}.0/24"]
        values["settings"] = {f"k{k}": "v" * 40 for k in range(10)}
    return kind, values


def change(address, kind, name, values, actions, module=None, index=None, unknown=None, sensitive=None):
    rc = {"address": address}
    if module:
        rc["module_address"] = module
    rc.update({"mode": "managed", "type": kind, "name": name})
    if index is not None:
        rc["index"] = index
    rc["provider_name"] = "registry.terraform.io/hashicorp/azurerm"
    before = None if actions == ["create"] else values
    after = None if actions == ["delete"] else values
    rc["change"] = {"actions": actions, "before": before, "after": after,
                    "after_unknown": unknown or {}, "before_sensitive": {} if before else False,
                    "after_sensitive": sensitive or ({} if after else False)}
    return rc


def state_resource(address, kind, name, values, index=None):
    r = {"address": address, "mode": "managed", "type": kind, "name": name}
    if index is not None:
        r["index"] = index
    r.update({"provider_name": "registry.terraform.io/hashicorp/azurerm", "schema_version": 0,
              "values": values, "sensitive_values": {}})
    return r


def generate(path, megabytes, seed):
    rng = random.Random(seed)
    target = megabytes * 1_000_000
    changes, planned, prior, size, zone = [], {}, [], 0, 0
    while size < target:
        zone += 1
        module = f'module.lz["{zone:04d}"]'
        resources = []
        c = cluster(rng, zone)
        resources.append((f"{module}.azurerm_kubernetes_cluster.this", "azurerm_kubernetes_cluster", "this", c,
                          module, {"fqdn": True, "kubelet_identity": True}, {"kube_config_raw": True}))
        r = registry(rng, zone)
        resources.append((f"{module}.azurerm_container_registry.this", "azurerm_container_registry", "this", r,
                          module, {"id": True, "login_server": True}, None))
        pe = {"name": f"pe-lz{zone:04d}acr", "location": "westeurope", "resource_group_name": f"rg-lz{zone:04d}",
              "subnet_id": f"{rg(zone)}/providers/Microsoft.Network/virtualNetworks/vnet/subnets/pe",
              "private_service_connection": [{"name": "acr", "is_manual_connection": False,
                                              "subresource_names": ["registry"]}]}
        resources.append((f"{module}.azurerm_private_endpoint.acr", "azurerm_private_endpoint", "acr", pe, module,
                          {"id": True, "private_service_connection": [{"private_connection_resource_id": True}]}, None))
        ra = {"scope": None, "role_definition_name": "AcrPull", "principal_id": None}
        resources.append((f"{module}.azurerm_role_assignment.pull", "azurerm_role_assignment", "pull", ra, module,
                          {"id": True, "scope": True, "principal_id": True}, None))
        for i in range(20):
            kind, values = filler(rng, zone, i)
            resources.append((f"{module}.{kind}.f[{i}]", kind, "f", values, module, {"id": True},
                              {"value": True} if "value" in values else None))
        for address, kind, name, values, mod, unknown, sensitive in resources:
            roll = rng.random()
            actions = ["no-op"] if roll < 0.6 else ["update"] if roll < 0.8 else ["create"] if roll < 0.97 else ["delete"]
            rc = change(address, kind, name, values, actions, mod, None, unknown, sensitive)
            changes.append(rc)
            if actions != ["delete"]:
                planned.setdefault(mod, []).append(state_resource(address, kind, name, values))
            if actions != ["create"]:
                prior.append(state_resource(address, kind, name, values))
            # Every value is written about four times (before, after, planned, prior).
            size += int((3 * len(json.dumps(values)) + 400) * 1.2)
    child = lambda resources, mod: {"address": mod, "resources": resources}
    module_config = {"resources": [
        {"address": "azurerm_kubernetes_cluster.this", "mode": "managed", "type": "azurerm_kubernetes_cluster",
         "name": "this", "provider_config_key": "lz:azurerm", "expressions": {}, "schema_version": 2},
        {"address": "azurerm_container_registry.this", "mode": "managed", "type": "azurerm_container_registry",
         "name": "this", "provider_config_key": "lz:azurerm", "expressions": {}, "schema_version": 2},
        {"address": "azurerm_private_endpoint.acr", "mode": "managed", "type": "azurerm_private_endpoint",
         "name": "acr", "provider_config_key": "lz:azurerm", "schema_version": 0,
         "expressions": {"private_service_connection": [{"private_connection_resource_id": {
             "references": ["azurerm_container_registry.this.id", "azurerm_container_registry.this"]}}]}},
        {"address": "azurerm_role_assignment.pull", "mode": "managed", "type": "azurerm_role_assignment",
         "name": "pull", "provider_config_key": "lz:azurerm", "schema_version": 0,
         "expressions": {"scope": {"references": ["azurerm_container_registry.this.id", "azurerm_container_registry.this"]},
                         "principal_id": {"references": ["azurerm_kubernetes_cluster.this.kubelet_identity[0].object_id"]}}},
    ]}
    plan = {
        "format_version": "1.2", "terraform_version": "1.7.5", "variables": {"location": {"value": "westeurope"}},
        "planned_values": {"root_module": {"child_modules": [child(r, m) for m, r in planned.items()]}},
        "resource_changes": changes,
        "prior_state": {"format_version": "1.0", "terraform_version": "1.7.5",
                        "values": {"root_module": {"child_modules": [child(prior, "module.lz")]}}},
        "configuration": {"provider_config": {"azurerm": {"name": "azurerm", "version_constraint": "~> 3.100"}},
                          "root_module": {"module_calls": {"lz": {"source": "./lz", "module": module_config,
                                                                 "for_each_expression": {"references": ["local.zones"]}}},
                                          "variables": {"location": {}}}},
        "timestamp": "2026-12-07T08:00:00Z",
    }
    with open(path, "w") as f:
        json.dump(plan, f, separators=(",", ":"))
        f.write("\n")
    return zone


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--mb", type=int, default=100)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}: run `cargo build --release` first")
    directory = os.path.join(tempfile.gettempdir(), f"aksguard-plan-{a.mb}mb-{a.seed}")
    path = os.path.join(directory, "tfplan.json")
    if not os.path.exists(path):
        os.makedirs(directory, exist_ok=True)
        generate(path + ".tmp", a.mb, a.seed)
        os.rename(path + ".tmp", path)
    walls, cpus, peak, summary = [], [], 0, {}
    for _ in range(a.runs):
        one = timing.run([a.bin, "check", ".", "--format", "json"], directory)
        walls.append(one.wall)
        cpus.append(one.cpu)
        if one.code not in (0, 1):
            sys.exit(f"aksguard exited {one.code}: {one.stdout[-400:]} {one.stderr[-400:]}")
        report = json.loads(one.stdout)
        if report["errors"]:
            sys.exit(f"engine errors, e.g. {report['errors'][0]}")
        summary = report["summary"]
        peak = max(peak, one.peak_kib)
    wall = statistics.median(walls)
    size = os.path.getsize(path)
    print(f"plan: {path} ({size / 1e6:,.1f} MB on one line; {summary['resources']} resources, "
          f"{summary['findings']} findings)")
    print(f"  median of {a.runs}: wall {wall * 1000:.0f} ms, {size / 1e6 / wall:,.0f} MB/s, "
          f"CPU (user+sys, all threads) {statistics.median(cpus) * 1000:.0f} ms, "
          f"peak memory {peak / 1024:,.0f} MiB (process start and JSON report included)")
    sys.exit(0 if wall < 2.0 and peak < 1024 * 1024 else 1)


if __name__ == "__main__":
    main()
