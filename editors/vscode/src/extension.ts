// Starts `aksguard lsp` for the files aksguard reads. Everything else (diagnostics, quick
// fixes, hover, reloading aksguard.toml) is the server's job, so other editors get the same.
import * as vscode from "vscode";
import {
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  TransportKind,
} from "vscode-languageclient/node";

let client: LanguageClient | undefined;

function createClient(): LanguageClient {
  const command = vscode.workspace.getConfiguration("aksguard").get<string>("path") || "aksguard";
  const serverOptions: ServerOptions = { command, args: ["lsp"], transport: TransportKind.stdio };
  const clientOptions: LanguageClientOptions = {
    // By pattern as well as language: .tf files have no language without a Terraform
    // extension installed.
    documentSelector: [
      { scheme: "file", language: "terraform" },
      { scheme: "file", pattern: "**/*.{tf,tfvars}" },
      { scheme: "file", language: "bicep" },
      { scheme: "file", language: "json" },
      { scheme: "file", language: "jsonc" },
      { scheme: "file", language: "yaml" },
      { scheme: "file", pattern: "**/aksguard.toml" },
    ],
    synchronize: {
      // A saved aksguard.toml changes every result: the server re-lints on this event.
      fileEvents: vscode.workspace.createFileSystemWatcher("**/aksguard.toml"),
    },
  };
  return new LanguageClient("aksguard", "aksguard", serverOptions, clientOptions);
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  client = createClient();
  context.subscriptions.push(
    vscode.commands.registerCommand("aksguard.restart", async () => {
      await client?.stop();
      client = createClient();
      await client.start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("aksguard.path")) {
        await vscode.commands.executeCommand("aksguard.restart");
      }
    }),
  );
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `aksguard: cannot start \`aksguard lsp\` (${error}). Install aksguard or set aksguard.path.`,
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
