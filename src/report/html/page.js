"use strict";
// The findings list, its filters and the zone drawings of an aksguard HTML report. Text
// from scanned files is only ever set with textContent (there is no innerHTML here).
(function () {
  var D = JSON.parse(document.getElementById("aksguard-data").textContent);
  var F = D.findings;
  var SEV = D.severities;
  var SURFACES = ["build", "registry", "cluster", "node", "application", "engine"];
  var PAGE = 50;
  // Positions in a finding (src/report/html.rs, fn data).
  var ZONE = 0, RULE = 1, SEVERITY = 2, FILE = 3, LINE = 4, COLUMN = 5, END = 6, MESSAGE = 7,
    RESOURCE = 8, STATUS = 9, REASON = 10, EXPIRES = 11, SOURCE = 12, NOTES = 13, FIX = 14,
    LABEL = 15, HELP = 16;
  var OPEN = D.baseline ? "new" : "open";
  var state = { zone: "", surface: "", severity: "", rule: "", status: OPEN, page: 1 };
  var zoneIndex = {};
  D.zones.forEach(function (z, i) { zoneIndex[z] = i; });

  function $(id) { return document.getElementById(id); }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function options(select, items) {
    var frag = document.createDocumentFragment();
    items.forEach(function (item) {
      var o = document.createElement("option");
      o.value = item[0];
      o.textContent = item[1];
      frag.appendChild(o);
    });
    select.appendChild(frag);
  }
  function plural(n, noun) { return n.toLocaleString("en") + " " + noun + (n === 1 ? "" : "s"); }
  function place(file, line, column) {
    return D.files[file] + ":" + line + (column ? ":" + column : "");
  }

  options($("f-zone"), [["", "all zones"]].concat(D.zones.map(function (z) { return [z, z]; })));
  options($("f-surface"), [["", "all surfaces"]].concat(SURFACES.map(function (s) { return [s, s]; })));
  options($("f-severity"), [["", "all severities"]].concat(SEV.map(function (s) { return [s, s]; })));
  options($("f-rule"), [["", "all rules"]].concat(Object.keys(D.rules).sort().map(function (r) {
    return [r, r + " " + D.rules[r][0]];
  })));
  var statuses = [[OPEN, D.baseline ? "new since the baseline" : "not suppressed"],
    ["suppressed", "suppressed"]];
  if (D.baseline) statuses.push(["baseline", "known to the baseline"]);
  statuses.push(["all", "all"]);
  options($("f-status"), statuses);

  function matches(f) {
    if (state.zone !== "" && f[ZONE] !== zoneIndex[state.zone]) return false;
    if (state.surface !== "" && D.rules[f[RULE]][1] !== state.surface) return false;
    if (state.severity !== "" && SEV[f[SEVERITY]] !== state.severity) return false;
    if (state.rule !== "" && f[RULE] !== state.rule) return false;
    switch (state.status) {
      case OPEN: return f[STATUS] === 0;
      case "suppressed": return f[STATUS] === 1;
      case "baseline": return f[STATUS] === 2;
      default: return true;
    }
  }

  function excerpt(f) {
    var lines = D.lines[f[FILE]];
    if (!lines) return null;
    var pre = el("pre", "excerpt");
    var any = false;
    Object.keys(lines).map(Number).sort(function (a, b) { return a - b; }).forEach(function (n) {
      if (n < f[LINE] - 1 || n > f[END] + 1) return;
      var row = el("span", n >= f[LINE] && n <= f[END] ? "hit" : "");
      row.appendChild(el("i", "", n));
      row.appendChild(document.createTextNode(lines[n]));
      pre.appendChild(row);
      any = true;
    });
    return any ? pre : null;
  }

  function item(dl, term, value) {
    dl.appendChild(el("dt", "", term));
    var dd = el("dd");
    if (typeof value === "string") dd.textContent = value; else dd.appendChild(value);
    dl.appendChild(dd);
  }

  function finding(f) {
    var rule = D.rules[f[RULE]];
    var severity = SEV[f[SEVERITY]];
    var li = el("li", "finding s-" + severity + (f[STATUS] ? " suppressed" : ""));
    li.dataset.rule = f[RULE];
    li.dataset.severity = severity;
    li.dataset.zone = f[ZONE] >= 0 ? D.zones[f[ZONE]] : "";
    li.dataset.surface = rule[1];
    var h = el("h3");
    h.appendChild(el("span", "sev sev-" + severity, severity));
    var a = el("a", "rule", f[RULE]);
    a.href = rule[2];
    a.title = "the rule's documentation";
    h.appendChild(a);
    h.appendChild(document.createTextNode(" " + rule[0] + ": " + f[MESSAGE]));
    if (f[STATUS] === 0 && D.baseline) h.appendChild(el("span", "tag new", "new"));
    if (f[STATUS] === 1) h.appendChild(el("span", "tag", "suppressed"));
    if (f[STATUS] === 2) h.appendChild(el("span", "tag", "known to the baseline"));
    li.appendChild(h);
    var where = [place(f[FILE], f[LINE], f[COLUMN])];
    if (f[RESOURCE]) where.push(f[RESOURCE]);
    if (f[ZONE] >= 0) where.push("landing zone " + D.zones[f[ZONE]]);
    where.push(rule[1]);
    li.appendChild(el("div", "where mono", where.join(" · ")));
    var pre = excerpt(f);
    if (pre) li.appendChild(pre);
    var dl = el("dl");
    if (f[LABEL]) item(dl, "Here", f[LABEL]);
    if (f[NOTES].length) {
      var ul = el("ul");
      f[NOTES].forEach(function (n) {
        var line = D.lines[n[0]] && D.lines[n[0]][n[1]];
        var li2 = el("li", "", place(n[0], n[1], n[2]) + ": " + n[3]);
        if (line) li2.appendChild(el("code", "", "  " + line.trim()));
        ul.appendChild(li2);
      });
      item(dl, "Value from", ul);
    }
    if (f[SOURCE]) item(dl, "Source", f[SOURCE]);
    if (f[FIX]) {
      var fix = el("div");
      fix.appendChild(el("div", "", f[FIX][0] + " (" + f[FIX][1] + "; aksguard check --fix" +
        (f[FIX][1] === "safe" ? "" : " --unsafe-fixes") + ")"));
      f[FIX][2].forEach(function (e) {
        fix.appendChild(el("code", "", place(e[0], e[1], e[2]) + ": " + e[3]));
        fix.appendChild(el("br"));
      });
      item(dl, "Fix", fix);
    }
    var help = D.helps[f[HELP]];
    if (help) item(dl, "How to fix", help);
    if (rule[3].length) {
      var refs = el("ul", "refs");
      rule[3].forEach(function (r) {
        var li2 = el("li", "", r[0] + " ");
        var id = el(r[3] ? "a" : "span", "mono", r[1]);
        if (r[3]) {
          id.href = r[3];
          id.title = "where this reference was looked up";
        }
        li2.appendChild(id);
        li2.appendChild(document.createTextNode(" \u2014 " + r[2]));
        refs.appendChild(li2);
      });
      item(dl, "References", refs);
    }
    if (f[STATUS] !== 0) {
      var why = f[REASON] === "baseline" ? "known to the baseline" : (f[REASON] || "no reason given");
      if (f[EXPIRES]) why += " (until " + f[EXPIRES] + ")";
      item(dl, "Suppressed", why);
    }
    li.appendChild(dl);
    return li;
  }

  function describe() {
    var parts = [];
    if (state.zone !== "") parts.push("landing zone " + state.zone);
    if (state.surface !== "") parts.push("surface " + state.surface);
    if (state.severity !== "") parts.push("severity " + state.severity);
    if (state.rule !== "") parts.push("rule " + state.rule);
    var status = statuses.filter(function (s) { return s[0] === state.status; })[0];
    parts.push(status ? status[1] : state.status);
    return parts.join(", ");
  }

  function pager(nav, pages) {
    nav.textContent = "";
    if (pages <= 1) return;
    var prev = el("button", "", "‹ previous");
    prev.type = "button";
    prev.disabled = state.page <= 1;
    prev.onclick = function () { state.page--; render(true); };
    var next = el("button", "", "next ›");
    next.type = "button";
    next.disabled = state.page >= pages;
    next.onclick = function () { state.page++; render(true); };
    nav.appendChild(prev);
    nav.appendChild(el("span", "", "page " + state.page + " of " + pages));
    nav.appendChild(next);
  }

  function render(scroll, all) {
    var shown = F.filter(matches);
    var pages = Math.max(1, Math.ceil(shown.length / PAGE));
    state.page = Math.min(Math.max(1, state.page), pages);
    var from = all ? 0 : (state.page - 1) * PAGE;
    var to = all ? Math.min(shown.length, all) : Math.min(shown.length, from + PAGE);
    var list = $("list");
    list.textContent = "";
    var frag = document.createDocumentFragment();
    for (var i = from; i < to; i++) frag.appendChild(finding(shown[i]));
    list.appendChild(frag);
    var count = $("count");
    count.dataset.total = shown.length;
    count.textContent = shown.length === 0 ? "No findings match: " + describe() + "." :
      "Showing " + (from + 1) + "–" + to + " of " + plural(shown.length, "finding") + ": " +
      describe() + ".";
    pager($("pager-top"), all ? 1 : pages);
    pager($("pager"), all ? 1 : pages);
    ["zone", "surface", "severity", "rule", "status"].forEach(function (k) {
      $("f-" + k).value = state[k];
    });
    var query = ["zone", "surface", "severity", "rule", "status"].filter(function (k) {
      return state[k] !== "" && !(k === "status" && state[k] === OPEN);
    }).map(function (k) { return k + "=" + encodeURIComponent(state[k]); });
    if (state.page > 1) query.push("page=" + state.page);
    if (history.replaceState && (query.length || location.hash.indexOf("#findings?") === 0)) {
      history.replaceState(null, "", query.length ? "#findings?" + query.join("&") :
        location.pathname + location.search);
    }
    if (scroll) $("findings").scrollIntoView();
  }

  function fromHash() {
    if (location.hash.indexOf("#findings?") !== 0) return false;
    location.hash.slice("#findings?".length).split("&").forEach(function (pair) {
      var kv = pair.split("=");
      var key = kv[0], value = decodeURIComponent(kv.slice(1).join("="));
      if (key === "page") state.page = parseInt(value, 10) || 1;
      else if (Object.prototype.hasOwnProperty.call(state, key)) state[key] = value;
    });
    return true;
  }

  ["zone", "surface", "severity", "rule", "status"].forEach(function (k) {
    $("f-" + k).addEventListener("change", function (e) {
      state[k] = e.target.value;
      state.page = 1;
      render(false);
    });
  });
  $("f-clear").addEventListener("click", function () {
    state = { zone: "", surface: "", severity: "", rule: "", status: OPEN, page: 1 };
    render(false);
  });

  // A matrix cell lists its findings; a zone name opens its drawing.
  $("matrix-table").addEventListener("click", function (e) {
    var td = e.target.closest("td");
    if (!td) return;
    var row = td.closest("tr");
    state.zone = D.zones[Number(row.dataset.zone)];
    state.surface = td.dataset.surface;
    state.severity = "";
    state.rule = "";
    state.status = OPEN;
    state.page = 1;
    render(true);
  });

  // A zone's drawing from its layout (src/report/drawing.rs, fn data): the same SVG the
  // page carries inline for a few zones, made when the zone is opened.
  var NS = "http://www.w3.org/2000/svg";
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(NS, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function drawSvg(d) {
    var svg = svgEl("svg", { "class": "map", viewBox: "0 0 " + d[0] + " " + d[1],
      width: d[0], height: d[1], role: "img" });
    svg.appendChild(svgEl("title", {}, d[2]));
    d[3].forEach(function (l) {
      svg.appendChild(svgEl("path", { "class": "link " + l[0], d: l[1], "marker-end": "url(#arrow)" }));
      if (l[2]) {
        var cross = / cross$/.test(l[0]) ? " cross" : "";
        svg.appendChild(svgEl("text", { "class": "link-label" + cross, x: l[3], y: l[4] }, l[2]));
      }
    });
    d[4].forEach(function (n) {
      var g = svgEl("g", { "class": "node " + n[0], transform: "translate(" + n[1] + "," + n[2] + ")" });
      g.appendChild(svgEl("title", {}, n[6]));
      g.appendChild(svgEl("rect", { width: n[3], height: 40, rx: 5 }));
      g.appendChild(svgEl("text", { x: 8, y: 16, "class": "label" }, n[4]));
      g.appendChild(svgEl("text", { x: 8, y: 32, "class": "detail" }, n[5]));
      if (n[8] > 0) {
        var badge = svgEl("g", { "class": "badge sev-" + SEV[n[7]] });
        badge.appendChild(svgEl("circle", { cx: n[3] - 4, cy: 0, r: 10 }));
        badge.appendChild(svgEl("text", { x: n[3] - 4, y: 4 }, n[8]));
        g.appendChild(badge);
      }
      svg.appendChild(g);
    });
    if (d[5]) svg.appendChild(svgEl("text", { "class": "more", x: 10, y: d[1] - 10 }, d[5]));
    return svg;
  }
  function draw(details) {
    var z = Number(details.dataset.zone);
    var box = details.querySelector(".drawing");
    if (box && !box.firstChild && D.drawings[z]) box.appendChild(drawSvg(D.drawings[z]));
  }
  document.addEventListener("toggle", function (e) {
    if (e.target.matches && e.target.matches("details.zone") && e.target.open) draw(e.target);
  }, true);
  function openZone() {
    var m = /^#zone-(\d+)$/.exec(location.hash);
    var details = m && $("zone-" + m[1]);
    if (details) { details.open = true; draw(details); }
  }
  window.addEventListener("hashchange", openZone);

  // Printing shows the filtered findings, not only the page on screen.
  window.addEventListener("beforeprint", function () { render(false, 2000); });
  window.addEventListener("afterprint", function () { render(false); });

  var fromLink = fromHash();
  render(false);
  openZone();
  if (fromLink) $("findings").scrollIntoView();
  document.documentElement.dataset.ready = "true";
  // For bench/html_first_paint.py: when the findings list is usable.
  if (window.performance && performance.mark) performance.mark("aksguard-ready");
})();
