#!/usr/bin/env node
// clawlint's npm launcher: runs the prebuilt binary of this platform, installed by npm from one
// of the optionalDependencies (the esbuild/biome pattern). No install script, no network: if the
// platform package is missing, say why and how to fix it.
"use strict";

const { spawnSync } = require("child_process");
const path = require("path");

// Keep in sync with npm/platforms.json (tests/npm.rs checks it).
const PLATFORMS = {
  "linux-x64-gnu": "@clawlint/cli-linux-x64",
  "linux-x64-musl": "@clawlint/cli-linux-x64-musl",
  "linux-arm64-gnu": "@clawlint/cli-linux-arm64",
  "linux-arm64-musl": "@clawlint/cli-linux-arm64-musl",
  "darwin-x64": "@clawlint/cli-darwin-x64",
  "darwin-arm64": "@clawlint/cli-darwin-arm64",
  "win32-x64": "@clawlint/cli-win32-x64",
};

function isMusl() {
  // glibc's version is in the process report; musl has none.
  try {
    const report = process.report && process.report.getReport();
    const header = report && (typeof report === "string" ? JSON.parse(report) : report).header;
    return !(header && header.glibcVersionRuntime);
  } catch (_) {
    return false;
  }
}

function platformKey() {
  const { platform, arch } = process;
  if (platform === "linux") return `linux-${arch}-${isMusl() ? "musl" : "gnu"}`;
  return `${platform}-${arch}`;
}

function binaryPath() {
  const override = process.env.CLAWLINT_BINARY;
  if (override) return override;
  const key = platformKey();
  const pkg = PLATFORMS[key];
  if (!pkg) {
    fail(
      `clawlint: no prebuilt binary for ${key}. ` +
        "Install from source instead: cargo install --locked clawlint-cli"
    );
  }
  const exe = process.platform === "win32" ? "clawlint.exe" : "clawlint";
  try {
    return require.resolve(`${pkg}/${exe}`);
  } catch (_) {
    fail(
      `clawlint: the package ${pkg} (the binary for ${key}) is not installed.\n` +
        "It is an optional dependency of clawlint: reinstall without --no-optional or " +
        "--omit=optional, and make sure the lock file was not made on another platform " +
        `(npm install ${pkg}@${require(path.join(__dirname, "..", "package.json")).version} adds it).`
    );
  }
}

function fail(message) {
  process.stderr.write(message + "\n");
  process.exit(3);
}

const result = spawnSync(binaryPath(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) fail(`clawlint: cannot run ${result.error.path || "the binary"}: ${result.error.message}`);
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status === null ? 3 : result.status);
