// Asks OpenClaw's own gateway-start guard whether it would start on the config of $HOME,
// without starting anything: the pre-bootstrap step of `openclaw gateway run`
// (pre-bootstrap-*.mjs guardGatewayRunSelectedConfig) reads the config snapshot and calls
// resolveStartupConfigSnapshot, which either accepts a valid config, repairs an invalid
// single-file config with the legacy doctor migrations (and would rewrite the file as JSON),
// or refuses (the gateway exits "Invalid config").
//
//   OPENCLAW_DIST=<openclaw>/dist node scripts/oracle-start-verdict.mjs
//
// Prints {"starts": bool, "repaired": bool, "changes": [...], "config": <config after repair>}.
// Export letters are this build's mangled names (2026.9.6); the script checks that they are
// functions and fails loudly otherwise. Run it inside `unshare --net --fork`, with HOME set.
import path from "node:path";
const dist = process.env.OPENCLAW_DIST;
const cfg = await import(path.join(dist, "config/config.js"));
const repair = await import(path.join(dist, "automatic-startup-config-repair-BmRc3Y30.mjs"));
const resolveStartupConfigSnapshot = repair.a;
const planAutomaticConfigRepair = repair.i;
if (typeof cfg.readConfigFileSnapshot !== "function" || typeof resolveStartupConfigSnapshot !== "function") {
  throw new Error("this OpenClaw build does not export the start guard where this script expects it");
}
const snapshot = await cfg.readConfigFileSnapshot();
const trusted = resolveStartupConfigSnapshot(snapshot);
let changes = [];
if (trusted && !snapshot.valid) {
  try { changes = planAutomaticConfigRepair(snapshot)?.changes ?? []; } catch (e) { changes = ["(changes unavailable: " + e.message + ")"]; }
}
const out = {
  starts: Boolean(trusted),
  repaired: Boolean(trusted) && !snapshot.valid,
  changes,
};
if (trusted && !snapshot.valid) out.config = trusted.sourceConfig;
process.stdout.write(JSON.stringify(out) + "\n");
