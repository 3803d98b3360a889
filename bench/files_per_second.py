#!/usr/bin/env python3
"""Files per second, CPU time, phase times and peak memory of `aksguard check` on generated
corpora.

    bench/files_per_second.py [--bin target/release/aksguard] [--zones 300[,1000,5000]]
                              [--seed 7] [--runs 5] [--generator ../shared/bench/gen_corpus.py]
                              [--corpus DIR] [--formats json[,human,sarif]] [--target SECONDS]

For each corpus size: generates the corpus once (or uses --corpus), runs the release binary
--runs times per output format (the JSON runs with --statistics), and reports the median
wall time, the median CPU time (user + system, all threads: the figure that does not depend
on what else the machine runs), files/s, resources/s, the median time of each engine phase,
and the peak resident memory of the runs. Wall time includes process start and writing the
report. The load average before and after is printed with the figures: on a shared machine
a wall time means little without it. With --target, exits 1 when a median wall time is at
or past that many seconds.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time
import timing

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def corpus_for(zones, seed, generator):
    path = os.path.join(tempfile.gettempdir(), f"aksguard-bench-{zones}-{seed}")
    if not os.path.exists(os.path.join(path, "expected.json")):
        if not os.path.exists(generator):
            sys.exit(f"no corpus generator at {generator}: pass --generator or --corpus")
        subprocess.run([sys.executable, generator, path, "--zones", str(zones), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def measure(binary, corpus, runs, fmt="json"):
    walls, cpus, phases, summary, peak = [], [], {}, {}, 0
    for _ in range(runs):
        args = ["--statistics"] if fmt == "json" else []
        one = timing.run([binary, "check", ".", "--format", fmt] + args, corpus)
        walls.append(one.wall)
        cpus.append(one.cpu)
        stdout, stderr = one.stdout, one.stderr
        if one.code not in (0, 1):
            sys.exit(f"aksguard exited {one.code}: {stderr[-400:]}")
        peak = max(peak, one.peak_kib)
        if fmt != "json":
            continue
        summary = json.loads(stdout)["summary"]
        for line in stderr.splitlines()[1:]:
            parts = line.rsplit(None, 1)
            if len(parts) == 2 and not line.startswith("total"):
                try:
                    ms = float(parts[1])
                except ValueError:
                    continue  # not a phase line (e.g. the security field counts)
                phases.setdefault(parts[0].strip(), []).append(ms)
    return (statistics.median(walls), statistics.median(cpus),
            {k: statistics.median(v) for k, v in phases.items()}, summary, peak)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--zones", default="300")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--generator", default=os.path.join(root, "..", "shared", "bench", "gen_corpus.py"))
    ap.add_argument("--corpus")
    ap.add_argument("--formats", default="json",
                    help="output formats to time, comma-separated (json first gives the counts)")
    ap.add_argument("--target", type=float, help="exit 1 when a median wall time is this or more")
    a = ap.parse_args()
    # The runs start in the corpus directory: a relative --bin is the caller's.
    a.bin = os.path.abspath(a.bin)
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}: run `cargo build --release` first")
    formats = [f for f in a.formats.split(",") if f]
    if "json" not in formats:
        formats.insert(0, "json")
    sizes = [None] if a.corpus else [int(z) for z in a.zones.split(",")]
    missed = False
    for zones in sizes:
        corpus = a.corpus or corpus_for(zones, a.seed, a.generator)
        load_before = os.getloadavg()[0]
        for fmt in formats:
            wall, cpu, phases, counts, peak = measure(a.bin, corpus, a.runs, fmt)
            if fmt == "json":
                summary = counts
                files = summary["files"]
                print(f"corpus: {corpus} ({files} files, {summary['resources']} resources, "
                      f"{summary['findings']} findings)")
                print(f"  phases (median of {a.runs}, json): "
                      + ", ".join(f"{k} {v:.1f} ms" for k, v in phases.items()))
            print(f"  --format {fmt}: median of {a.runs}: wall {wall:.2f} s, CPU {cpu:.2f} s "
                  f"(user + system), {files / wall:,.0f} files/s, "
                  f"{summary['resources'] / wall:,.0f} resources/s, peak memory "
                  f"{peak / 1024:,.0f} MiB")
            missed |= a.target is not None and wall >= a.target
        print(f"  load average (1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
              f"on {os.cpu_count()} CPUs")
    if missed:
        sys.exit(f"a median wall time is {a.target} s or more")


if __name__ == "__main__":
    main()
