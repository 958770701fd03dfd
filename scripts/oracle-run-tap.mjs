// Loaded into the real gateway process by scripts/oracle-run.mjs (`node --import <this>?dir=D
// openclaw.mjs gateway run ...`). It changes nothing OpenClaw does; it only records:
//
//   D/listen.jsonl   one line per listen() of any net/http server: what was asked, what was bound
//                    (or the error), so port-0 (ephemeral) listeners are told apart from real ones.
//   D/runtime.json   written once D/go exists and names this process's pid: the runtime's own answers, computed inside the
//                    running gateway with its own module instances and its own process.env:
//                    getRuntimeConfig() fed to resolveBrowserConfig/resolveProfile (the browser
//                    ports and profiles the gateway really uses), and the OPENCLAW_* env it runs with.
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

const dir = new URL(import.meta.url).searchParams.get("dir");
const append = (o) => {
  try {
    fs.appendFileSync(path.join(dir, "listen.jsonl"), JSON.stringify({ pid: process.pid, ...o }) + "\n");
  } catch {}
};

function describe(args) {
  const [a, b] = args;
  if (a && typeof a === "object" && !(a instanceof net.Server)) return { port: a.port ?? null, host: a.host ?? null, path: a.path ?? null };
  if (typeof a === "string" && !/^\d+$/.test(a)) return { path: a };
  return { port: a ?? null, host: typeof b === "string" ? b : null };
}

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const requested = describe(args);
  const onListening = () => {
    const a = this.address();
    append({ event: "listening", requested, address: typeof a === "string" ? { path: a } : a && { address: a.address, port: a.port, family: a.family } });
    this.removeListener("error", onError);
  };
  const onError = (e) => {
    append({ event: "error", requested, code: e?.code ?? null, message: String(e?.message ?? e) });
    this.removeListener("listening", onListening);
  };
  this.once("listening", onListening);
  this.once("error", onError);
  return listen.apply(this, args);
};

async function answer() {
  const entry = process.argv[1] ?? "";
  const dist = path.join(path.dirname(fs.realpathSync(entry)), "dist");
  const pick = (prefix) => {
    const f = fs.readdirSync(dist).find((n) => n.startsWith(prefix) && n.endsWith(".mjs"));
    if (!f) throw new Error(`no ${prefix}*.mjs in ${dist}`);
    return pathToFileURL(path.join(dist, f)).href;
  };
  const out = { pid: process.pid, env: {} };
  for (const k of ["OPENCLAW_GATEWAY_PORT", "OPENCLAW_STATE_DIR", "OPENCLAW_CONFIG_PATH", "OPENCLAW_PROFILE", "OPENCLAW_HOME"]) {
    out.env[k] = process.env[k] ?? null;
  }
  try {
    const io = await import(pick("io.runtime-hPN4FOBi"));
    const cfgMod = await import(pick("config-B1EgZrRC"));
    const cfg = io.r(); // getRuntimeConfig: the config this gateway runs with
    out.gatewayPortConfig = cfg?.gateway?.port ?? null;
    try {
      const resolved = cfgMod.i(cfg?.browser, cfg);
      out.browser = {
        controlPort: resolved.controlPort,
        cdpRange: [resolved.cdpPortRangeStart, resolved.cdpPortRangeEnd],
        extensionRelayPorts: resolved.extensionRelayPorts ?? null,
        profiles: Object.fromEntries(Object.keys(resolved.profiles).map((n) => {
          try {
            const p = cfgMod.s(resolved, n);
            return [n, { driver: p.driver, cdpPort: p.cdpPort, cdpUrl: p.cdpUrl, attachOnly: p.attachOnly }];
          } catch (e) {
            return [n, { error: String(e?.message ?? e) }];
          }
        })),
      };
    } catch (e) {
      out.browser = { error: String(e?.message ?? e) };
    }
  } catch (e) {
    out.tapError = String(e?.stack ?? e);
  }
  fs.writeFileSync(path.join(dir, "runtime.json.tmp"), JSON.stringify(out));
  fs.renameSync(path.join(dir, "runtime.json.tmp"), path.join(dir, "runtime.json"));
}

if (dir) {
  const timer = setInterval(() => {
    let go;
    try { go = fs.readFileSync(path.join(dir, "go"), "utf8").trim(); } catch { return; }
    clearInterval(timer);
    if (go !== String(process.pid)) return; // only the gateway process itself answers
    answer().catch((e) => append({ event: "tap-error", message: String(e?.stack ?? e) }));
  }, 200);
  timer.unref();
}
