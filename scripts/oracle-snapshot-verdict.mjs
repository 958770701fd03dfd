// The verdict `openclaw config validate --json` would give, for releases that do not have that
// command (before 2026.3: their `config` has get/set/unset only). From 2026.3 on, `config
// validate --json` is `readConfigFileSnapshot()` printed as {valid, issues}
// (config-cli runConfigValidate); this script calls the same function of the release's own dist,
// the one its CLI's config guard (config-guard-*.js `ensureConfigReady`) uses, and prints the
// same shape. Run it like the CLI: inside `unshare --net --fork`, HOME set to the case's home.
//
//   OPENCLAW_DIST=<openclaw>/dist node scripts/oracle-snapshot-verdict.mjs
//
// Bundled builds (2026.2 on): the module and export letter are found from the config guard's own
// import line (config-guard-*.js). Unbundled builds (2026.1.30: dist/ mirrors src/): the guard is
// cli/program/config-guard.js and imports it by name. The script fails loudly on a build where
// neither is where it expects.
import fs from "node:fs";
import path from "node:path";
const dist = process.env.OPENCLAW_DIST;
const readConfigFileSnapshot = await bundledRead() ?? await unbundledRead();
if (typeof readConfigFileSnapshot !== "function") throw new Error("readConfigFileSnapshot is not a function in " + dist);
// `normalizeConfigIssuePath` (issue-format-*.js, 2026.4.29), as `config validate --json` prints it.
const normalizePath = (p) => (typeof p === "string" && p.trim()) || "<root>";
const snapshot = await readConfigFileSnapshot();
const out = snapshot.valid
  ? { valid: true, path: snapshot.path }
  : { valid: false, path: snapshot.path, issues: (snapshot.issues ?? []).map((i) => ({ path: normalizePath(i.path), message: i.message })) };
if (!snapshot.exists) Object.assign(out, { valid: false, error: "file not found" });
process.stdout.write(JSON.stringify(out) + "\n");
// As the command exits: 1 for an invalid or missing config.
process.exit(out.valid ? 0 : 1);

async function bundledRead() {
  const guard = fs.readdirSync(dist).find((f) => /^config-guard-.*\.js$/.test(f) &&
    /readConfigFileSnapshot/.test(fs.readFileSync(path.join(dist, f), "utf8")));
  if (!guard) return undefined;
  const m = /import \{[^}]*\b(\w+) as readConfigFileSnapshot\b[^}]*\} from "\.\/([^"]+)"/.exec(
    fs.readFileSync(path.join(dist, guard), "utf8"));
  if (!m) throw new Error(guard + " does not import readConfigFileSnapshot");
  return (await import(path.join(dist, m[2])))[m[1]];
}

async function unbundledRead() {
  const guard = path.join(dist, "cli", "program", "config-guard.js");
  if (!fs.existsSync(guard)) throw new Error("no config guard in " + dist);
  const m = /import \{[^}]*\breadConfigFileSnapshot\b[^}]*\} from "([^"]+)"/.exec(fs.readFileSync(guard, "utf8"));
  if (!m) throw new Error(guard + " does not import readConfigFileSnapshot");
  return (await import(path.join(path.dirname(guard), m[1]))).readConfigFileSnapshot;
}
