#!/usr/bin/env python3
"""Size of `aksguard check --format html` and how fast Chromium shows it, on a generated
landing-zone corpus (5,000 zones: tens of thousands of findings).

    bench/html_first_paint.py --corpus DIR [--bin target/release/aksguard] [--runs 3]
                              [--out report.html]
    bench/html_first_paint.py --html report.html   # measure a report already written

Writes the report once (timing aksguard), then opens it --runs times in Debian's headless
Chromium through the DevTools protocol (tests/browser/cdp.py) and reports the medians of:
first contentful paint (the header and matrix on screen), DOMContentLoaded, the page's own
"aksguard-ready" mark (the findings' data parsed and their first page drawn: the page is
usable), the load event; then, on a loaded page, how long a click on a matrix cell takes to
filter and redraw the findings list, and how long opening a zone takes to make its drawing.
Times are from the start of navigation, in ms, on a local file (no network).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
sys.path.insert(0, os.path.join(root, "tests", "browser"))
from cdp import Browser  # noqa: E402

TIMINGS = """(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  const ready = performance.getEntriesByName('aksguard-ready')[0];
  return {fcp: paint ? paint.startTime : null, dcl: nav.domContentLoadedEventEnd,
          ready: ready ? ready.startTime : null, load: nav.loadEventEnd,
          nodes: document.getElementsByTagName('*').length,
          findings: JSON.parse(document.getElementById('aksguard-data').textContent).findings.length};
})()"""

# A click on the cell with the most findings of the first row that has any, timed around
# the synchronous filter and redraw.
FILTER = """(() => {
  const cell = [...document.querySelectorAll('#matrix-table td[data-state=findings]')][0];
  const t = performance.now();
  cell.click();
  return {ms: performance.now() - t, total: Number(document.getElementById('count').dataset.total)};
})()"""

DRAW = """(() => {
  const d = document.querySelector('details.zone');
  const t = performance.now();
  d.open = true;
  return new Promise(resolve => requestAnimationFrame(() => setTimeout(() => resolve({
    ms: performance.now() - t, svgs: d.querySelectorAll('svg').length}), 0)));
})()"""


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(root, "target", "release", "aksguard"))
    ap.add_argument("--corpus", help="a landing-zone corpus with aksguard.toml")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", help="keep the report here (default: a temporary file)")
    ap.add_argument("--html", help="measure this report instead of writing one")
    args = ap.parse_args()
    if not args.corpus and not args.html:
        ap.error("--corpus or --html is needed")

    written = None
    if args.html:
        out = args.html
    else:
        out = args.out or os.path.join(tempfile.gettempdir(), f"aksguard-bench-{os.getpid()}.html")
        with open(out, "wb") as report:
            start = time.perf_counter()
            code = subprocess.run([os.path.abspath(args.bin), "check", ".", "--format", "html"],
                                  cwd=args.corpus, stdout=report).returncode
            written = time.perf_counter() - start
        if code not in (0, 1):
            sys.exit(f"aksguard exited {code}")
    size = os.path.getsize(out)
    url = pathlib.Path(out).resolve().as_uri()
    samples = []
    with Browser(width=1280, height=900, timeout=300) as browser:
        for _ in range(args.runs):
            page = browser.page()
            page.navigate(url)
            timing = page.evaluate(TIMINGS)
            timing["filter"] = page.evaluate(FILTER)
            timing["draw"] = page.evaluate(DRAW)
            samples.append(timing)
            page.send("Page.close")
    if not args.out and not args.html:
        os.remove(out)

    def median(key, sub=None):
        values = [s[key][sub] if sub else s[key] for s in samples]
        return statistics.median(v for v in values if v is not None)

    first = samples[0]
    print(f"report: {size / 1e6:.1f} MB, {first['findings']} findings, "
          f"{first['nodes']} DOM elements"
          + (f", written in {written * 1000:.0f} ms" if written is not None else ""))
    print(f"{'first contentful paint':<28}{median('fcp'):>8.0f} ms")
    print(f"{'DOMContentLoaded':<28}{median('dcl'):>8.0f} ms")
    print(f"{'aksguard-ready':<28}{median('ready'):>8.0f} ms")
    print(f"{'load':<28}{median('load'):>8.0f} ms")
    print(f"{'filter by a cell':<28}{median('filter', 'ms'):>8.0f} ms "
          f"({first['filter']['total']} findings listed)")
    print(f"{'draw a zone':<28}{median('draw', 'ms'):>8.0f} ms")
    print(f"{size / 1e6:.1f} MB; first paint {median('fcp'):.0f} ms, usable "
          f"{median('ready'):.0f} ms, filter {median('filter', 'ms'):.0f} ms "
          f"(median of {args.runs}, headless Chromium)")


if __name__ == "__main__":
    main()
