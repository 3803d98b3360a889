// The argv the extension builds, run against the real `aksguard` (AKSGUARD, else the one
// on PATH): a session over stdio initializes and shuts down cleanly, and a missing binary
// is reported by name. Run by ci.sh after compiling: `node --test test/`.
const { test } = require("node:test");
const assert = require("node:assert");
const { spawn } = require("node:child_process");
const { serverCommand, probe } = require("../out/server.js");

const binary = process.env.AKSGUARD || "aksguard";

function frame(message) {
  const body = Buffer.from(JSON.stringify(message));
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`), body]);
}

test("aksguard lsp accepts the argv the extension starts it with", async () => {
  const server = serverCommand(binary);
  assert.deepStrictEqual(server.args, ["lsp", "--stdio"]);
  assert.strictEqual(await probe(server), undefined);
  const child = spawn(server.command, server.args, { stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  child.stdin.write(
    frame({ jsonrpc: "2.0", id: 1, method: "initialize", params: { capabilities: {} } }),
  );
  child.stdin.write(frame({ jsonrpc: "2.0", method: "initialized", params: {} }));
  child.stdin.write(frame({ jsonrpc: "2.0", id: 2, method: "shutdown" }));
  child.stdin.end(frame({ jsonrpc: "2.0", method: "exit" }));
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.strictEqual(code, 0, stderr);
  assert.match(stdout, /"serverInfo":\{"name":"aksguard"/);
  assert.match(stdout, /"id":2,"result":null/);
});

test("a missing binary is reported by the path tried", async () => {
  const reason = await probe(serverCommand("/nonexistent/aksguard"));
  assert.match(reason, /`\/nonexistent\/aksguard` was not found/);
});

test("a binary that rejects the arguments is reported with what it said", async () => {
  // `aksguard rules --stdio`: the same binary, an argv it does not accept.
  const reason = await probe({ command: binary, args: ["rules", "--stdio"] });
  assert.match(reason, /exited with 2: error: unexpected argument '--stdio'/);
});
