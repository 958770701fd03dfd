#!/usr/bin/env node
// Builds clawlint's npm packages from release binaries, in the esbuild/biome pattern:
//
//   clawlint                        the launcher (bin/clawlint.js) with every platform package
//                                   as an optionalDependency; npm installs only the one whose
//                                   os/cpu/libc match. No install script, no download.
//   @clawlint/cli-<platform>        one prebuilt binary each (npm/platforms.json)
//
// Usage:
//   node npm/build.mjs --version 0.1.0 --binaries DIR --out DIR [--platform KEY]...
//
// DIR/<rust target>/clawlint[.exe] are the binaries (as the release workflow lays them out).
// With --platform, only those platform packages are built (the main package always lists
// all of them). Then `npm pack` or `npm publish` each directory under --out, platform
// packages first.
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const platforms = JSON.parse(readFileSync(join(here, "platforms.json"), "utf8"));

function usage(message) {
  process.stderr.write(`npm/build.mjs: ${message}\n` +
    "usage: node npm/build.mjs --version X.Y.Z --binaries DIR --out DIR [--platform KEY]...\n" +
    `platforms: ${platforms.map((p) => p.key).join(", ")}\n`);
  process.exit(2);
}

const args = { platform: [] };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const flag = argv[i];
  const value = argv[i + 1];
  if (!["--version", "--binaries", "--out", "--platform"].includes(flag)) usage(`unknown argument ${flag}`);
  if (value === undefined) usage(`${flag} needs a value`);
  i++;
  if (flag === "--platform") args.platform.push(value);
  else args[flag.slice(2)] = value;
}
if (!args.version || !args.out) usage("--version and --out are required");
if (!/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(args.version)) usage(`not a semver version: ${args.version}`);
for (const key of args.platform) {
  if (!platforms.some((p) => p.key === key)) usage(`unknown platform ${key}`);
}
const wanted = args.platform.length ? platforms.filter((p) => args.platform.includes(p.key)) : platforms;
if (wanted.length && !args.binaries) usage("--binaries is required to build platform packages");

const root = join(here, "..");
const cargoToml = readFileSync(join(root, "Cargo.toml"), "utf8");
const description = /^description = "(.*)"$/m.exec(cargoToml)[1];
const common = {
  version: args.version,
  description,
  license: "MIT",
  homepage: "https://github.com/clawlint/clawlint",
  repository: { type: "git", url: "git+https://github.com/clawlint/clawlint.git" },
  keywords: ["openclaw", "linter", "gateway", "ports", "ci"],
};

function writeJson(file, value) {
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

rmSync(args.out, { recursive: true, force: true });
mkdirSync(args.out, { recursive: true });

// The main package.
const main = join(args.out, "clawlint");
mkdirSync(join(main, "bin"), { recursive: true });
copyFileSync(join(here, "clawlint", "bin", "clawlint.js"), join(main, "bin", "clawlint.js"));
chmodSync(join(main, "bin", "clawlint.js"), 0o755);
copyFileSync(join(here, "clawlint", "README.md"), join(main, "README.md"));
writeJson(join(main, "package.json"), {
  name: "clawlint",
  ...common,
  bin: { clawlint: "bin/clawlint.js" },
  files: ["bin/clawlint.js", "README.md"],
  engines: { node: ">=14.18" },
  optionalDependencies: Object.fromEntries(platforms.map((p) => [p.package, args.version])),
});

// One package per platform binary.
for (const p of wanted) {
  const exe = p.os === "win32" ? "clawlint.exe" : "clawlint";
  const binary = join(args.binaries, p.target, exe);
  if (!existsSync(binary)) usage(`missing binary for ${p.key}: ${binary}`);
  const dir = join(args.out, p.package.replace("@clawlint/", ""));
  mkdirSync(dir, { recursive: true });
  copyFileSync(binary, join(dir, exe));
  chmodSync(join(dir, exe), 0o755);
  writeFileSync(join(dir, "README.md"),
    `# ${p.package}\n\nThe \`clawlint\` binary for ${p.key} (${p.target}). ` +
    "Install `clawlint` instead: it depends on this package on matching platforms.\n");
  writeJson(join(dir, "package.json"), {
    name: p.package,
    ...common,
    description: `The clawlint binary for ${p.key}`,
    files: [exe, "README.md"],
    os: [p.os],
    cpu: [p.cpu],
    ...(p.libc ? { libc: [p.libc] } : {}),
    preferUnplugged: true,
  });
}

process.stdout.write(`built clawlint ${args.version}: main + ${wanted.map((p) => p.key).join(", ") || "no platform"} in ${args.out}\n`);
