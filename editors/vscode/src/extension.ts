// Starts `aksguard lsp --stdio` for the files aksguard reads. Everything else (diagnostics,
// quick fixes, hover, reloading aksguard.toml) is the server's job, so other editors get
// the same.
import * as vscode from "vscode";
import { DocumentSelector, LanguageClient, LanguageClientOptions } from "vscode-languageclient/node";
import { describe, probe, serverCommand } from "./server";

let client: LanguageClient | undefined;
let output: vscode.OutputChannel | undefined;

// By pattern as well as by language: without the HashiCorp Terraform or Bicep extension a
// .tf or .bicep file has no such language. Unsaved buffers are matched by language.
const languages = [
  "terraform",
  "terraform-vars",
  "bicep",
  "bicep-params",
  "json",
  "jsonc",
  "yaml",
  "dockerfile",
];
const documentSelector: DocumentSelector = [
  ...languages.map((language) => ({ scheme: "file", language })),
  { scheme: "file", pattern: "**/*.{tf,tfvars,bicep,bicepparam,json,yaml,yml}" },
  { scheme: "file", pattern: "**/{Dockerfile,Dockerfile.*,*.Dockerfile,Containerfile,Containerfile.*}" },
  { scheme: "file", pattern: "**/aksguard.toml" },
  ...languages.map((language) => ({ scheme: "untitled", language })),
];

async function start(): Promise<void> {
  const server = serverCommand(vscode.workspace.getConfiguration("aksguard").get<string>("path"));
  output ??= vscode.window.createOutputChannel("aksguard");
  // A missing binary or one that rejects the arguments would otherwise crash five times
  // and end in a message that hides why.
  const problem = await probe(server);
  if (problem) {
    failed(server.command, problem);
    return;
  }
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel: output,
    synchronize: {
      // A saved aksguard.toml changes every result: the server re-lints on this event.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/aksguard.toml"),
    },
  };
  client = new LanguageClient("aksguard", "aksguard", server, clientOptions);
  try {
    await client.start();
  } catch (error) {
    failed(describe(server), `${error}; its standard error is in Output › aksguard`);
  }
}

function failed(command: string, reason: string): void {
  output?.appendLine(`cannot start ${command}: ${reason}`);
  const settings = "Open Settings";
  const restart = "Restart server";
  void vscode.window
    .showErrorMessage(
      `aksguard: cannot start the language server: ${reason}. Install aksguard or set ` +
        `aksguard.path, then run "aksguard: Restart server".`,
      settings,
      restart,
    )
    .then((choice) => {
      if (choice === settings) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "aksguard.path");
      } else if (choice === restart) {
        void vscode.commands.executeCommand("aksguard.restart");
      }
    });
}

async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (!old) {
    return;
  }
  // A client that never started or gave up after crashes rejects stop(): it is discarded
  // all the same.
  try {
    await old.stop(2000);
  } catch {
    // nothing to stop
  }
  try {
    await old.dispose(2000);
  } catch {
    // already disposed
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(
    vscode.commands.registerCommand("aksguard.restart", async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("aksguard.path")) {
        await vscode.commands.executeCommand("aksguard.restart");
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}
