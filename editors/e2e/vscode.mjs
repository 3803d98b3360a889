// Drives a real VS Code (code-server) in headless Chromium with the packaged extension
// installed: the Problems panel must list exactly the findings `aksguard check` reports for
// the open files, and a quick fix must remove the finding it fixes. Run by vscode.sh, which
// installs everything; the environment names the pieces:
//   AKSGUARD     the aksguard binary          VSIX        the packaged extension
//   CODE_SERVER  code-server's entry script   WORK        a scratch directory
//   SCREENSHOT   where to save the picture    EXAMPLE     the directory to open (copied)
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, sep } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`vscode.mjs: ${name} is not set (run editors/e2e/vscode.sh)`);
  return value;
};
const aksguard = env("AKSGUARD");
const work = env("WORK");
const codeServer = env("CODE_SERVER");
const screenshot = env("SCREENSHOT");

function log(message) {
  process.stdout.write(`vscode e2e: ${message}\n`);
}

function fail(message) {
  throw new Error(message);
}

async function until(what, check, timeoutMs = 60000) {
  const started = Date.now();
  let last;
  while (Date.now() - started < timeoutMs) {
    last = await check();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  fail(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

// --- the workspace and what the CLI says about it -------------------------------------

const folder = join(work, "example");
cpSync(env("EXAMPLE"), folder, { recursive: true });
const check = spawnSync(aksguard, ["check", ".", "--format", "json"], {
  cwd: folder,
  encoding: "utf8",
});
if (check.status !== 1) fail(`aksguard check exited ${check.status}: ${check.stderr}`);
const report = JSON.parse(check.stdout);
// (file, line, column, first line of the message), as the Problems panel shows them.
const key = (file, line, column, message) => `${file}:${line}:${column} ${message}`;
const expected = report.findings
  .filter((f) => !f.suppressed)
  .map((f) => key(f.path.split(/[\\/]/).join("/"), f.line, f.column, f.message));
for (const e of report.errors) {
  fail(`the example has a parse error, which this test does not expect: ${JSON.stringify(e)}`);
}
const files = [...new Set(report.findings.map((f) => f.path.split(/[\\/]/).join("/")))].sort();
log(`aksguard check: ${expected.length} findings in ${files.join(", ")}`);

// --- code-server with the extension -----------------------------------------------------

const userData = join(work, "user-data");
const extensions = join(work, "extensions");
mkdirSync(join(userData, "User"), { recursive: true });
// The session starts with a wrong aksguard.path, as a user who has not installed it yet.
const missing = "/nonexistent/aksguard";
const settings = (path) =>
  writeFileSync(
  join(userData, "User", "settings.json"),
  JSON.stringify(
    {
      "aksguard.path": path,
      "security.workspace.trust.enabled": false,
      "workbench.startupEditor": "none",
      "workbench.editor.enablePreview": false,
      "workbench.tips.enabled": false,
      "workbench.colorTheme": "Default Light Modern",
      "extensions.autoCheckUpdates": false,
      "extensions.autoUpdate": false,
      "extensions.ignoreRecommendations": true,
      "telemetry.telemetryLevel": "off",
      "update.mode": "none",
      "files.autoSave": "off",
      "editor.minimap.enabled": false,
      "chat.commandCenter.enabled": false,
      // No schema downloads: the test machine has no network, and its warning is not ours.
      "json.schemaDownload.enable": false,
    },
    null,
    2,
  ),
);
settings(missing);
// Everything code-server writes stays in WORK.
const serverEnv = {
  ...process.env,
  XDG_CONFIG_HOME: join(work, "config"),
  XDG_DATA_HOME: join(work, "data"),
  XDG_CACHE_HOME: join(work, "cache"),
};
const common = [
  "--user-data-dir",
  userData,
  "--extensions-dir",
  extensions,
  "--config",
  join(work, "code-server.yaml"),
];
const install = spawnSync(
  process.execPath,
  [codeServer, ...common, "--install-extension", env("VSIX")],
  { env: serverEnv, encoding: "utf8" },
);
if (install.status !== 0) fail(`installing the .vsix failed: ${install.stdout}${install.stderr}`);
log(`installed ${env("VSIX")}`);

const port = await freePort();
const server = spawn(
  process.execPath,
  [
    codeServer,
    ...common,
    "--auth",
    "none",
    "--bind-addr",
    `127.0.0.1:${port}`,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--ignore-last-opened",
    folder,
  ],
  { env: serverEnv, stdio: ["ignore", "pipe", "pipe"] },
);
let serverLog = "";
server.stdout.on("data", (d) => (serverLog += d));
server.stderr.on("data", (d) => (serverLog += d));

let browser;
let page;
try {
  await until(
    "code-server to answer",
    async () => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    60000,
  );
  log(`code-server on port ${port}`);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => log(`page error: ${e.message}`));
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  await page.waitForSelector(".explorer-folders-view, .explorer-viewlet", { timeout: 60000 });
  log("workbench loaded");

  // A failed start says why, with the path tried; fixing aksguard.path restarts the
  // server without reloading the window.
  const toast = await until("the message that the server cannot start", () =>
    page.evaluate(() =>
      [...document.querySelectorAll(".notification-toast .notification-list-item-message")]
        .map((m) => m.innerText)
        .find((t) => t.startsWith("aksguard: cannot start")),
    ),
  );
  if (!toast.includes(`\`${missing}\` was not found`)) fail(`the message does not name the path: ${toast}`);
  log(`failed start reported: ${toast}`);
  // As a user would: the setting changed in the settings editor, then the command.
  await page.keyboard.press("Escape");
  await command("Preferences: Open User Settings (JSON)");
  await page.waitForSelector('.tab[aria-label^="settings.json"]', { timeout: 20000 });
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(readFileSync(join(userData, "User", "settings.json"), "utf8").replace(JSON.stringify(missing), JSON.stringify(aksguard)));
  await page.keyboard.press("Control+S");
  await page.waitForTimeout(1000);
  await command("aksguard: Restart server");
  log("aksguard.path fixed in the settings, server restarted");

  // Runs a command from the palette by clicking the row whose label starts with its name.
  // Enter on the first row is not enough: on a loaded machine it ran whichever command was
  // listed before the filter caught up, and the palette's loose matching ranks "File:
  // Compare New Untitled Text Files" beside "File: New Untitled Text File".
  async function command(name) {
    await page.keyboard.press("F1");
    await page.waitForSelector(".quick-input-widget input", { state: "visible" });
    await page.keyboard.type(name);
    const row = `.quick-input-widget .quick-input-list .monaco-list-row[aria-label^=${JSON.stringify(name)}]`;
    await page.waitForSelector(row, { state: "visible", timeout: 20000 });
    await page.click(row);
    await page.waitForTimeout(300);
  }

  async function openFile(path) {
    const name = path.split("/").pop();
    await page.keyboard.press("Control+P");
    await page.waitForSelector(".quick-input-widget input", { state: "visible" });
    await page.keyboard.type(path);
    await until(`quick open to find ${path}`, () =>
      page.evaluate(
        (name) =>
          document
            .querySelector(".quick-input-list .monaco-list-row")
            ?.getAttribute("aria-label")
            ?.includes(name),
        name,
      ),
    );
    await page.keyboard.press("Enter");
    await page.waitForSelector(`.tab[aria-label^="${name}"]`, { timeout: 20000 });
    await page.waitForSelector(".quick-input-widget", { state: "hidden" });
  }

  for (const file of files) {
    await openFile(file);
    log(`opened ${file}`);
  }

  // The Problems panel, read from its rows: a file row, then its markers.
  await command("View: Focus Problems (Errors, Warnings, Infos)");
  await page.waitForSelector(".markers-panel", { timeout: 20000 });
  await command("View: Toggle Maximized Panel");
  // The tree only renders the rows in view: a tall window shows them all.
  await page.setViewportSize({ width: 1400, height: 4000 });

  // The Problems tree's rows in order: a file row (name, and its folder as description),
  // then its markers, each possibly followed by rows of related locations.
  async function problems() {
    const rows = await page.evaluate(() =>
      [...document.querySelectorAll(".markers-panel .monaco-list-row")].map((row) => ({
        label: row.getAttribute("aria-label") || "",
        name: row.querySelector(".label-name")?.innerText || "",
        folder: row.querySelector(".label-description")?.innerText || "",
        marker: /\[Ln \d+, Col \d+\]/.test(row.innerText),
      })),
    );
    const out = [];
    let file = "";
    for (const row of rows) {
      if (!row.marker) {
        file = row.folder ? `${row.folder}/${row.name}` : row.name;
        continue;
      }
      // "Error: <message> at line L and character C.<related> generated by <source>"
      const m = row.label.match(
        /^(?:Error|Warning|Info|Hint): ([\s\S]*) at line (\d+) and character (\d+)\.[\s\S]* generated by (\S+)$/,
      );
      if (!m) continue; // a related location under a marker
      if (m[4] !== "aksguard") continue; // another extension's problem
      out.push(key(file, Number(m[2]), Number(m[3]), m[1].split("\n")[0]));
    }
    return out;
  }

  const wanted = [...expected].sort();
  let shown = [];
  await until(
    `the Problems panel to show the ${wanted.length} findings of aksguard check`,
    async () => {
      shown = (await problems()).sort();
      return JSON.stringify(shown) === JSON.stringify(wanted);
    },
    90000,
  ).catch(async (e) => {
    log(`Problems rows: ${JSON.stringify((await problems()).slice(0, 4), null, 1)}`);
    const missing = wanted.filter((w) => !shown.includes(w));
    const extra = shown.filter((s) => !wanted.includes(s));
    fail(`${e.message}\nmissing: ${JSON.stringify(missing, null, 1)}\nextra: ${JSON.stringify(extra, null, 1)}`);
  });
  log(`Problems panel: the same ${shown.length} findings as aksguard check`);

  // The picture: an editor with squiggles above the Problems panel.
  await page.setViewportSize({ width: 1400, height: 900 });
  await command("View: Toggle Maximized Panel");
  const target = report.findings.find(
    (f) => f.rule === "AKS012" && f.path.endsWith("main.tf"),
  ) || fail("the example has no AKS012 finding in main.tf to fix");
  const targetFile = target.path.split(/[\\/]/).join("/");
  await openFile(targetFile);
  await page.keyboard.press("Control+G");
  await page.keyboard.type(`${target.line}:${target.column}`);
  await page.keyboard.press("Enter");
  await until("squiggles in the editor", () =>
    page.evaluate(() => document.querySelectorAll(".squiggly-error, .squiggly-warning").length > 0),
  );
  await page.waitForTimeout(500);
  await page.screenshot({ path: screenshot });
  log(`screenshot: ${screenshot}`);

  // The quick fix at the cursor (Ctrl+. and the preferred action).
  await page.keyboard.press("Control+.");
  await page.waitForSelector(".action-widget", { state: "visible", timeout: 20000 });
  const offered = await page.evaluate(() =>
    [...document.querySelectorAll(".action-widget .monaco-list-row")].map((r) => r.innerText),
  );
  log(`quick fixes offered: ${JSON.stringify(offered)}`);
  const index = offered.findIndex((t) => t.startsWith("AKS012:"));
  if (index < 0) fail(`no AKS012 quick fix among ${JSON.stringify(offered)}`);
  for (let i = 0; i < index; i++) await page.keyboard.press("ArrowDown");
  await page.keyboard.press("Enter");
  const fixed = key(targetFile, target.line, target.column, target.message);
  await page.setViewportSize({ width: 1400, height: 4000 });
  await command("View: Toggle Maximized Panel");
  await until(`the fixed AKS012 finding to leave the Problems panel`, async () => {
    shown = await problems();
    return !shown.includes(fixed) && shown.length === expected.length - 1;
  });
  log(`quick fix applied: ${shown.length} findings left, AKS012 gone`);

  // A new, never-saved buffer in Terraform mode gets its findings too.
  await command("View: Toggle Maximized Panel");
  await command("File: New Untitled Text File");
  await page.waitForSelector('.tab[aria-label^="Untitled-1"]', { timeout: 20000 });
  await command("Change Language Mode");
  // Typing before the language picker replaces the palette would put the keys in the buffer.
  await until("the language picker", () =>
    page.evaluate(() =>
      /language/i.test(
        document.querySelector(".quick-input-widget input")?.getAttribute("placeholder") || "",
      ),
    ),
  );
  await page.keyboard.type("Terraform");
  await until("Terraform among the languages", () =>
    page.evaluate(() =>
      document
        .querySelector(".quick-input-list .monaco-list-row.focused")
        ?.getAttribute("aria-label")
        ?.startsWith("Terraform"),
    ),
  );
  await page.keyboard.press("Enter");
  await page.waitForSelector(".quick-input-widget", { state: "hidden" });
  const scratch =
    'resource "azurerm_kubernetes_cluster" "scratch" {\n  local_account_disabled = false\n}\n';
  await page.keyboard.insertText(scratch);
  const buffer = () =>
    page.evaluate(() =>
      document.querySelector(".editor-group-container.active .view-lines")?.innerText || "",
    );
  await until("the scratch text in the untitled buffer", async () =>
    (await buffer()).replace(/\s+/g, " ").includes("local_account_disabled = false"),
  );
  await command("View: Toggle Maximized Panel");
  const unsaved = await until("a finding in the unsaved buffer", async () =>
    // VS Code names an untitled buffer after its first line.
    (await problems()).find(
      (p) =>
        !files.some((f) => p.startsWith(`${f}:`)) &&
        p.includes(":2:3 Local accounts are enabled"),
    ),
  ).catch(async (e) => {
    const rows = await problems();
    fail(`${e.message}\nbuffer: ${JSON.stringify(await buffer())}\nProblems rows: ${JSON.stringify(rows.filter((p) => !files.some((f) => p.startsWith(`${f}:`))), null, 1)}`);
  });
  log(`unsaved buffer: ${unsaved}`);
  log("passed");
} catch (error) {
  const failed = screenshot.replace(/\.png$/, "") + "-failed.png";
  await page?.screenshot({ path: failed }).then(() => log(`screenshot of the failure: ${failed}`));
  log(`code-server output:\n${serverLog.slice(-4000)}`);
  throw error;
} finally {
  await browser?.close();
  server.kill("SIGTERM");
}
