#!/usr/bin/env python3
"""Time of `aksguard check --format json` on one file holding N container registries that
leave out the attributes ACR rules ask for, so every finding has a fix that adds a property
(the ARM template or Bicep file is parsed to place it). Fix rendering must grow with the
file, not with the file times the findings.

    bench/fix_scaling.py [--bin target/release/aksguard] [--registries 4000,8000] [--runs 3]
                         [--syntax arm[,bicep,terraform]]

Prints, per syntax and size: the file size, the findings with a fix, and the median wall
time.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def template(registries):
    resources = [{
        "type": "Microsoft.ContainerRegistry/registries",
        "apiVersion": "2023-07-01",
        "name": f"acr{i:05d}",
        "location": "westeurope",
        "sku": {"name": "Premium"},
        "properties": {"adminUserEnabled": False},
    } for i in range(registries)]
    return json.dumps({
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    }, indent=2)


def bicep(registries):
    return "".join(
        f"resource acr{i} 'Microsoft.ContainerRegistry/registries@2023-07-01' = {{\n"
        f"  name: 'acr{i:05d}'\n  location: 'westeurope'\n  sku: {{\n    name: 'Premium'\n  }}\n"
        f"  properties: {{\n    adminUserEnabled: false\n  }}\n}}\n"
        for i in range(registries))


def terraform(registries):
    return "".join(
        f'resource "azurerm_container_registry" "acr{i}" {{\n'
        f'  name                = "acr{i:05d}"\n  resource_group_name = "rg"\n'
        f'  location            = "westeurope"\n  sku                 = "Premium"\n}}\n'
        for i in range(registries))


WRITERS = {"arm": ("registries.json", template), "bicep": ("registries.bicep", bicep),
           "terraform": ("registries.tf", terraform)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    parser.add_argument("--registries", default="4000,8000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--syntax", default="arm")
    args = parser.parse_args()
    for syntax in args.syntax.split(","):
        name, write = WRITERS[syntax]
        for n in [int(x) for x in args.registries.split(",")]:
            measure(args, syntax, name, write, n)


def measure(args, syntax, name, write, n):
    with tempfile.TemporaryDirectory() as dir:
        path = os.path.join(dir, name)
        with open(path, "w") as f:
            f.write(write(n))
        walls, fixes = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            run = subprocess.run([args.bin, "check", name, "--format", "json"],
                                 cwd=dir, capture_output=True, text=True)
            walls.append(time.perf_counter() - start)
            if run.returncode not in (0, 1):
                sys.exit(f"aksguard exited {run.returncode}: {run.stderr[-400:]}")
            fixes = sum(1 for f in json.loads(run.stdout)["findings"] if "fix" in f)
        size = os.path.getsize(path)
        print(f"{syntax}: {n} registries, {size / 2**20:.1f} MiB, {fixes} fixes: "
              f"median {statistics.median(walls):.2f} s over {args.runs} run(s)")


if __name__ == "__main__":
    main()
