#!/usr/bin/env python3
"""Opens an aksguard HTML report in headless Chromium and prints, as JSON, what its DOM
shows: the matrix, then the findings listed after a real click on one matrix cell, after
typing a severity into the severity filter, after "Clear filters", and at an address whose
fragment filters by a rule (with that rule's references under its first finding); whether
a zone's drawing appears when its heading is clicked; and whether any script of the
scanned text ran. tests/html_report.rs compares it with the
JSON report of the same scan.

    html_report.py REPORT.html --cell ZONE:SURFACE --severity high --rule AKS001
                   --zone ZONE [--screenshot OUT.png]
"""
import argparse
import json
import os
import pathlib
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

LISTED = """(() => ({
  total: Number(document.getElementById('count').dataset.total),
  count: document.getElementById('count').textContent,
  items: [...document.querySelectorAll('#list > li.finding')].map(li => ({
    rule: li.dataset.rule, zone: li.dataset.zone, surface: li.dataset.surface,
    severity: li.dataset.severity, text: li.textContent})),
  hash: location.hash,
}))()"""

MATRIX = """[...document.querySelectorAll('#matrix-table tbody tr')].map(tr => ({
  zone: tr.querySelector('th a').textContent,
  cells: [...tr.querySelectorAll('td')].map(td => ({
    surface: td.dataset.surface, state: td.dataset.state, text: td.innerText,
    counts: td.dataset.counts.split(' ').map(Number)})),
}))"""

# The "References" entries of the first finding of a rule: text and link.
REFERENCES = """(() => {
  const li = [...document.querySelectorAll('#list > li.finding')]
    .find(li => li.dataset.rule === %s);
  if (!li) return null;
  const dt = [...li.querySelectorAll('dt')].find(d => d.textContent === 'References');
  if (!dt) return [];
  return [...dt.nextElementSibling.querySelectorAll('li')].map(x => ({
    text: x.textContent, href: x.querySelector('a') ? x.querySelector('a').href : null}));
})()"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("report")
    parser.add_argument("--cell", required=True, help="ZONE:SURFACE to click")
    parser.add_argument("--severity", required=True)
    parser.add_argument("--rule", required=True)
    parser.add_argument("--zone", required=True, help="zone whose drawing to open")
    parser.add_argument("--also", help="another filter for the address (zone=z&surface=s)")
    parser.add_argument("--screenshot")
    args = parser.parse_args()
    url = pathlib.Path(args.report).resolve().as_uri()
    zone, surface = args.cell.rsplit(":", 1)
    out = {}
    with Browser(width=1100, height=1050) as browser:
        page = browser.page()
        page.navigate(url)
        out["ready"] = page.evaluate("document.documentElement.dataset.ready")
        out["matrix"] = page.evaluate(MATRIX)
        out["scripts"] = page.evaluate("document.scripts.length")
        out["initial"] = page.evaluate(LISTED)
        row = page.evaluate(
            "[...document.querySelectorAll('#matrix-table tbody tr')].findIndex("
            "tr => tr.querySelector('th a').textContent === %s)" % json.dumps(zone))
        page.click("#matrix-table tbody tr:nth-child(%d) td[data-surface=%s]"
                   % (row + 1, json.dumps(surface)))
        out["after_cell"] = page.evaluate(LISTED)
        page.type_into("#f-severity", args.severity[:2])
        out["after_severity"] = page.evaluate(LISTED)
        page.click("#f-clear")
        out["after_clear"] = page.evaluate(LISTED)
        # A drawing: the zone's heading clicked (drawn then, for a report of many zones).
        index = page.evaluate(
            "[...document.querySelectorAll('details.zone')].findIndex("
            "d => d.querySelector('summary').firstChild.textContent.trim() === %s)" % json.dumps(args.zone))
        before = page.evaluate(
            "document.querySelectorAll('details.zone')[%d].querySelectorAll('svg').length" % index)
        page.click("details.zone:nth-of-type(%d) > summary" % (index + 1))
        # The toggle event that draws it is a task of its own: wait for it (at most 5 s).
        out["drawing"] = page.evaluate("""(async () => {
          const d = document.querySelectorAll('details.zone')[%d];
          for (let i = 0; i < 100 && !d.querySelector('svg'); i++) {
            await new Promise(resolve => setTimeout(resolve, 50));
          }
          return {open: d.open, before: %d, svgs: d.querySelectorAll('svg').length,
                  nodes: [...d.querySelectorAll('g.node')].map(g => g.querySelector('text').textContent),
                  cross: d.querySelectorAll('path.link.cross').length,
                  scripts: d.querySelectorAll('script').length};
        })()""" % (index, before))
        if args.screenshot:
            # For the picture: the matrix box shortened so the drawing fits below it, the
            # pointer moved off the cells.
            page.evaluate("document.querySelector('#matrix .scroll').style.maxHeight = '250px'")
            page.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": 1, "y": 1})
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(args.screenshot)
        page.navigate("about:blank")
        page.navigate(url + "#findings?rule=" + args.rule)
        out["from_address"] = page.evaluate(LISTED)
        out["references"] = page.evaluate(REFERENCES % json.dumps(args.rule))
        if args.also:
            page.navigate("about:blank")
            page.navigate(url + "#findings?" + args.also)
            out["also"] = page.evaluate(LISTED)
        out["pwned"] = page.evaluate("window.__pwned || null")
        out["scripts_at_end"] = page.evaluate("document.scripts.length")
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
