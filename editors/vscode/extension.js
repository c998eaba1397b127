// hardfile for VS Code: starts `hardfile lsp` for Dockerfiles and Containerfiles.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function settings() {
  const config = vscode.workspace.getConfiguration("hardfile");
  const out = {};
  for (const key of ["profile", "select", "extendSelect", "ignore", "severity"]) {
    const value = config.get(key);
    if (value !== null && value !== undefined) {
      out[key] = value;
    }
  }
  return out;
}

async function activate(context) {
  const command = vscode.workspace.getConfiguration("hardfile").get("path") || "hardfile";
  const serverOptions = {
    command,
    args: ["lsp"],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [
      { scheme: "file", language: "dockerfile" },
      { scheme: "untitled", language: "dockerfile" },
    ],
    initializationOptions: { hardfile: settings() },
    synchronize: {
      configurationSection: "hardfile",
      fileEvents: vscode.workspace.createFileSystemWatcher("**/{.hardfile.toml,.dockerignore}"),
    },
  };
  client = new LanguageClient("hardfile", "hardfile", serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand("hardfile.restart", async () => {
      await client.restart();
    })
  );
  await client.start();
}

async function deactivate() {
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
