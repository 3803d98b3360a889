// The command line the extension starts, apart from the VS Code API so that a plain Node
// test (test/server.test.js) runs it against the real binary.
import { execFile } from "child_process";

export interface ServerCommand {
  command: string;
  args: string[];
}

// `--stdio` is passed by us, not by vscode-languageclient (no `transport` is set, so it
// appends nothing): the argv is exactly this, and the test checks the server accepts it.
export function serverCommand(path: string | undefined): ServerCommand {
  const command = path && path.trim() !== "" ? path.trim() : "aksguard";
  return { command, args: ["lsp", "--stdio"] };
}

export function describe(server: ServerCommand): string {
  return [server.command, ...server.args].join(" ");
}

// Whether the executable exists and accepts our arguments: with `--help` after them the
// argument parser checks them and exits 0, without starting a session. Resolves to
// undefined when it does, else to the reason in words (the error, and the program's own
// standard error when it ran).
export function probe(server: ServerCommand, timeoutMs = 15000): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(
      server.command,
      [...server.args, "--help"],
      { timeout: timeoutMs, windowsHide: true },
      (error, _stdout, stderr) => {
        if (!error) {
          resolve(undefined);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          resolve(`\`${server.command}\` was not found (not a file, and not a program on PATH)`);
        } else if (code === "EACCES") {
          resolve(`\`${server.command}\` is not an executable file`);
        } else {
          const said = String(stderr).trim().split("\n").slice(0, 6).join("\n");
          const how = error.killed ? "did not answer in time" : `exited with ${error.code}`;
          resolve(`\`${describe(server)}\` ${how}${said ? `: ${said}` : ""}`);
        }
      },
    );
  });
}
