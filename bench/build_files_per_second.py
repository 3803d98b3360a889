#!/usr/bin/env python3
"""Wall time of `aksguard check` on the build surface: Dockerfiles and CI pipelines.

    bench/build_files_per_second.py [--bin target/release/aksguard] [--dockerfiles 10000]
                                    [--workflows 1000] [--runs 5] [--seed 7]

Writes a corpus (once per size and seed, in the temp directory) of multi-stage Dockerfiles
(continuations, heredocs, ARG-before-FROM, exec forms; some with violations) and
pipelines (GitHub Actions workflows and Azure Pipelines files, with needs/dependsOn,
scans and pushes) spread over 100 landing zones, then runs the release binary --runs times
with JSON output and reports the median wall time (process start and JSON report
included), files/s and peak memory. The target: 10,000 Dockerfiles and 1,000 workflow files
in under a second on the 2-core development machine.
"""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time
import timing

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
DIGEST = "@sha256:" + "ab" * 32
ZONES = 100


def dockerfile(rng, zone):
    registry = f"lz{zone:03d}acr.azurecr.io"
    base = rng.choice([f"{registry}/base/golang:1.22", "mcr.microsoft.com/oss/go/microsoft/golang:1.22",
                       "golang:1.22", "docker.io/library/golang"])
    final = rng.choice([f"{registry}/base/static:2.0", "gcr.io/distroless/static:nonroot",
                        "mcr.microsoft.com/dotnet/aspnet:8.0-jammy-chiseled", "alpine:3.20", "scratch"])
    digest = DIGEST if rng.random() < 0.7 else ""
    lines = ["# syntax=docker/dockerfile:1.7", f"ARG BASE={base}{digest}", "ARG APP=web",
             "FROM --platform=$BUILDPLATFORM ${BASE} AS build", "WORKDIR /src",
             "COPY go.mod go.sum ./", "RUN --mount=type=cache,target=/go/pkg/mod \\",
             "    go mod download \\", "    && go mod verify"]
    if rng.random() < 0.2:
        lines += ["RUN <<EOF", "set -e", "curl -fsSL https://example.com/install.sh | sh", "EOF"]
    if rng.random() < 0.1:
        lines.append("ADD https://example.com/tool.tar.gz /tmp/")
    lines += ["COPY . .", "RUN CGO_ENABLED=0 go build -o /out/${APP} ./cmd/${APP}", "",
              "FROM build AS test", "RUN go test ./...", "",
              f"FROM {final}{DIGEST if final != 'scratch' else ''} AS final",
              "COPY --from=build /out/web /app"]
    if rng.random() < 0.1:
        lines.append("ENV DB_PASSWORD=Pr0duction-Passw0rd!")
    lines.append("EXPOSE 8080" + (" 22" if rng.random() < 0.05 else ""))
    if rng.random() < 0.8:
        lines.append(rng.choice(["USER 10001:10001", "USER app", "USER root"]))
    lines.append('ENTRYPOINT ["/app"]')
    return "\n".join(lines) + "\n"


def github(rng, zone):
    registry = f"lz{zone:03d}acr.azurecr.io"
    scan = "      - run: trivy image --exit-code 1 " + registry + "/web:${{ github.sha }}\n" if rng.random() < 0.8 else ""
    return ("name: release\non:\n  push:\n    branches: [main]\njobs:\n"
            "  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
            f"      - run: docker build -t {registry}/web:${{{{ github.sha }}}} .\n" + scan +
            "  publish:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: docker/build-push-action@v6\n        with:\n          push: true\n"
            f"          tags: {registry}/web:${{{{ github.sha }}}}\n")


def azure(rng, zone):
    scan = "          - script: grype lz{z:03d}acr.azurecr.io/web:$(Build.BuildId)\n".format(z=zone) if rng.random() < 0.8 else ""
    return ("trigger: [main]\npool:\n  vmImage: ubuntu-latest\nstages:\n  - stage: Build\n    jobs:\n"
            "      - job: build\n        steps:\n          - task: Docker@2\n            inputs:\n"
            "              command: build\n              repository: web\n" + scan +
            "  - stage: Release\n    jobs:\n      - deployment: push\n        environment: prod\n"
            "        strategy:\n          runOnce:\n            deploy:\n              steps:\n"
            "                - task: Docker@2\n                  inputs:\n                    command: push\n"
            "                    repository: web\n")


def corpus_for(dockerfiles, workflows, seed):
    path = os.path.join(tempfile.gettempdir(), f"aksguard-build-bench-{dockerfiles}-{workflows}-{seed}")
    done = os.path.join(path, ".complete")
    if os.path.exists(done):
        return path
    rng = random.Random(seed)
    config = []
    for z in range(ZONES):
        config += ["[[landing-zone]]", f'name = "lz{z:03d}"', f'paths = ["lz{z:03d}/**"]', 'archetype = "online"', ""]
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "aksguard.toml"), "w") as fh:
        fh.write("\n".join(config))
    for i in range(dockerfiles):
        zone = i % ZONES
        d = os.path.join(path, f"lz{zone:03d}", f"svc{i:05d}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "Dockerfile"), "w") as fh:
            fh.write(dockerfile(rng, zone))
    for i in range(workflows):
        zone = i % ZONES
        if i % 2:
            d = os.path.join(path, f"lz{zone:03d}", f"repo{i:04d}", ".github", "workflows")
            name, text = "release.yml", github(rng, zone)
        else:
            d = os.path.join(path, f"lz{zone:03d}", f"repo{i:04d}")
            name, text = "azure-pipelines.yml", azure(rng, zone)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w") as fh:
            fh.write(text)
    open(done, "w").close()
    return path


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--dockerfiles", type=int, default=10_000)
    ap.add_argument("--workflows", type=int, default=1_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}: run `cargo build --release` first")
    corpus = corpus_for(a.dockerfiles, a.workflows, a.seed)
    walls, peak, summary = [], 0, {}
    for _ in range(a.runs):
        one = timing.run([a.bin, "check", ".", "--format", "json"], corpus)
        walls.append(one.wall)
        if one.code not in (0, 1):
            sys.exit(f"aksguard exited {one.code}: {one.stderr[-400:]}")
        report = json.loads(one.stdout)
        if report["errors"]:
            sys.exit(f"engine errors, e.g. {report['errors'][0]}")
        summary = report["summary"]
        peak = max(peak, one.peak_kib)
    wall = statistics.median(walls)
    files = summary["files"]
    print(f"corpus: {corpus} ({a.dockerfiles} Dockerfiles, {a.workflows} pipelines; "
          f"{files} files, {summary['resources']} stages and jobs, {summary['findings']} findings)")
    print(f"  median of {a.runs}: wall {wall * 1000:.1f} ms, {files / wall:,.0f} files/s, "
          f"peak memory {peak / 1024:,.0f} MiB (process start and JSON report included)")
    sys.exit(0 if wall < 1.0 else 1)


if __name__ == "__main__":
    main()
