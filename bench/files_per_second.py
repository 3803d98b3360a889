#!/usr/bin/env python3
"""Files per second of `aksguard check` on a generated landing-zone corpus.

    bench/files_per_second.py [--bin target/release/aksguard] [--zones 300] [--seed 7] [--runs 5]
                              [--generator ../shared/bench/gen_corpus.py] [--corpus DIR]

Generates the corpus once (or uses --corpus), runs the release binary --runs times with
JSON output, and reports the median wall time, files/s and resources/s, plus the engine's
own duration from the JSON summary. Wall time includes process start and output.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--zones", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--generator", default=os.path.join(root, "..", "shared", "bench", "gen_corpus.py"))
    ap.add_argument("--corpus")
    a = ap.parse_args()
    if not os.path.exists(a.bin):
        sys.exit(f"no binary at {a.bin}: run `cargo build --release` first")
    corpus = a.corpus
    if corpus is None:
        corpus = os.path.join(tempfile.gettempdir(), f"aksguard-bench-{a.zones}-{a.seed}")
        if not os.path.exists(os.path.join(corpus, "expected.json")):
            if not os.path.exists(a.generator):
                sys.exit(f"no corpus generator at {a.generator}: pass --generator or --corpus")
            subprocess.run([sys.executable, a.generator, corpus, "--zones", str(a.zones), "--seed", str(a.seed)],
                           check=True, stdout=subprocess.DEVNULL)
    walls, engine = [], []
    summary = {}
    for _ in range(a.runs):
        start = time.perf_counter()
        p = subprocess.run([a.bin, "check", ".", "--format", "json"], cwd=corpus, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        if p.returncode not in (0, 1):
            sys.exit(f"aksguard exited {p.returncode}: {p.stderr[-400:]}")
        summary = json.loads(p.stdout)["summary"]
        engine.append(summary["duration_ms"] / 1000)
    wall = statistics.median(walls)
    files = summary["files"]
    print(f"corpus: {corpus} ({files} files, {summary['resources']} resources, {summary['findings']} findings)")
    print(f"median of {a.runs}: wall {wall * 1000:.1f} ms, engine {statistics.median(engine) * 1000:.1f} ms")
    print(f"{files / wall:,.0f} files/s, {summary['resources'] / wall:,.0f} resources/s (wall clock, process start included)")


if __name__ == "__main__":
    main()
