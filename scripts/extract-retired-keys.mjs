// Extracts, from each installed OpenClaw release, the config keys its legacy doctor migrations
// *remove* (retire) without moving their value anywhere, into data/retired-keys.json, which
// src/validate/retired.rs embeds (one list in code; no hand copies).
//
//   node scripts/extract-retired-keys.mjs [--check] [--cache DIR] [RELEASE...]
//
// Without RELEASE, every release under the oracle cache (default /work/oracle-cache, each
// installed by scripts/oracle-install-release.sh) is read. --check compares with the checked-in
// file instead of writing it (exit 1 on a difference; tests/retired_keys.rs runs this).
//
// Two sources per release, both from node_modules/openclaw/dist:
// 1. The four arrays of `legacy-*.{js,mjs}` (OpenClaw's src/commands/doctor/shared/legacy-
//    config-migrations.runtime.*.ts), read as the literals they are:
//    RETIRED_TUNING_PATHS and TIER_EVAL_RETIRED_ROOT_PATHS (from the config root), and
//    RETIRED_AGENT_TUNING_PATHS and TIER_EVAL_RETIRED_AGENT_PATHS (under agents.defaults and
//    each agent entry). "*" matches any key or index.
// 2. The single-key retirements, which OpenClaw writes as code (`delete ui.assistant`), not
//    data: every config path that some recorded release's schema (data/openclaw-schemas.jsonl)
//    accepts, and every path a migration's `legacyRules` names, is *probed*: a config holding
//    only that key (with a value of its old schema type) goes through the release's own
//    `LEGACY_CONFIG_MIGRATIONS` (each `apply`, in order, as `applyLegacyDoctorMigrations` runs
//    them) after its `withoutPluginInstallRecords` (what the start guard strips first). A path
//    is retired when the key is gone afterwards and nothing was added or changed (parents may be
//    left empty or deleted). Paths the arrays already cover are not repeated.
//
// A release's entry is written only when it differs from the previous release's; clawlint uses
// the newest entry not newer than the release it checks. Releases without these migrations
// (before 2026.5) have an empty entry.
import fs from "node:fs";
import path from "node:path";
import { checkEntries, concrete as probePath, extractorArgs, installedReleases, leaves, releaseMigrations, repoRoot as repo, schemaPaths as recordedPaths } from "./openclaw-dist.mjs";

const { cache, check, wanted } = extractorArgs(process.argv.slice(2));
const out = path.join(repo, "data/retired-keys.json");

// ---- reading the dist ----
// The literal `const NAME = [ ... ];` in a file, parsed.
function arrayLiteral(text, name) {
  const at = text.indexOf(`const ${name} = [`);
  if (at < 0) return undefined;
  let i = text.indexOf("[", at);
  const start = i;
  let depth = 0;
  let inString = false;
  for (; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === "[") depth++;
    else if (c === "]" && --depth === 0) break;
  }
  return JSON.parse(text.slice(start, i + 1));
}

// ---- probing ----
function sampleValue(info) {
  if (info.enumv !== undefined) return info.enumv;
  switch (info.type) {
    case "boolean": return true;
    case "integer": case "number": return 1;
    case "object": return { probe: 1 };
    case "array": return ["probe"];
    case "null": return null;
    default: return "probe";
  }
}

function build(segs, value) {
  if (segs.length === 0) return value;
  const [head, ...rest] = segs;
  if (head === "[]") return [build(rest, value)];
  return { [head === "*" ? "probe" : head]: build(rest, value) };
}

const concrete = (segs) => probePath(segs).join(".");

function removes(pipeline, segs, value) {
  const input = build(segs, value);
  let result;
  try {
    result = pipeline(structuredClone(input));
  } catch {
    return false;
  }
  const target = concrete(segs);
  const before = leaves(input);
  for (const [p, v] of leaves(result)) {
    if (p === target || p.startsWith(target + ".")) return false; // still there
    if ((target.startsWith(p + ".") || p === "") && (v === "{}" || v === "[]")) continue; // an emptied parent
    if (before.get(p) !== v) return false; // something added or changed
  }
  return true;
}

const display = (segs) => segs.map((s) => (s === "[]" ? "*" : s)).join(".");

function covered(segs, arrays) {
  // A pattern covers its path and everything below it (the issue is reported at the key).
  const matches = (pattern, path) => pattern.length <= path.length && pattern.every((p, i) => p === "*" || p === path[i]);
  const norm = segs.map((s) => (s === "[]" ? "*" : s));
  if (arrays.root.some((p) => matches(p, norm))) return true;
  let rest;
  if (norm[0] === "agents" && norm[1] === "defaults") rest = norm.slice(2);
  else if (norm[0] === "agents" && (norm[1] === "list" || norm[1] === "entries")) rest = norm.slice(3);
  return rest !== undefined && arrays.agent.some((p) => matches(p, rest));
}

async function extract(version, candidates) {
  const { files, migrations, strip } = await releaseMigrations(path.join(cache, version, "node_modules/openclaw/dist"));
  const root = [];
  const agent = [];
  const sources = {};
  for (const f of files) {
    if (!path.basename(f).startsWith("legacy")) continue;
    const text = fs.readFileSync(f, "utf8");
    for (const [name, into] of [
      ["RETIRED_TUNING_PATHS", root],
      ["TIER_EVAL_RETIRED_ROOT_PATHS", root],
      ["RETIRED_AGENT_TUNING_PATHS", agent],
      ["TIER_EVAL_RETIRED_AGENT_PATHS", agent],
    ]) {
      const found = arrayLiteral(text, name);
      if (found && !sources[name]) {
        sources[name] = path.basename(f);
        into.push(...found);
      }
    }
  }
  const arrays = { root, agent };
  const single = [];
  if (migrations) {
    const pipeline = (raw) => {
      let next = strip ? strip(raw) : raw;
      next = structuredClone(next);
      const changes = [];
      for (const m of migrations) m.apply(next, changes, { authoredRaw: raw, resolvedRaw: raw });
      return next;
    };
    const all = new Map(candidates);
    for (const m of migrations) {
      for (const rule of m.legacyRules ?? []) {
        if (Array.isArray(rule.path) && rule.path.length > 0 && !all.has(rule.path.join("."))) all.set(rule.path.join("."), { segs: rule.path, type: "any" });
      }
    }
    for (const [, info] of all) {
      if (covered(info.segs, arrays)) continue;
      const values = info.type === "any" ? [true, 1, "probe", { probe: 1 }] : [sampleValue(info)];
      if (values.some((v) => removes(pipeline, info.segs, v))) single.push(display(info.segs));
    }
  }
  const dedupe = (list) => [...new Map(list.map((p) => [p.join("."), p.join(".")])).values()];
  // A retirement below a retired parent is implied by the parent.
  single.sort();
  const singles = single.filter((p) => !single.some((q) => p.startsWith(q + ".")));
  return {
    root: dedupe(root),
    agent: dedupe(agent),
    single: singles,
    migrations: migrations ? migrations.length : 0,
    sources,
  };
}

const versions = installedReleases(cache, wanted);
const candidates = recordedPaths(repo);
const entries = {};
let previous;
for (const v of versions) {
  const e = await extract(v, candidates);
  const key = JSON.stringify([e.root, e.agent, e.single]);
  console.error(`${v}: ${e.root.length} root + ${e.agent.length} agent paths, ${e.single.length} single-key retirements (${e.migrations} migrations probed)`);
  if (key !== previous) entries[v] = { root: e.root, agent: e.agent, single: e.single };
  previous = key;
}
const doc = {
  about:
    "Config keys each OpenClaw release's doctor migrations remove (retire) without moving their value. Generated by scripts/extract-retired-keys.mjs from node_modules/openclaw/dist; do not edit. An entry holds for its release and later ones up to the next entry. root: paths from the config root; agent: paths under agents.defaults and each agent; single: the other retirements (probed). '*' is any key or index.",
  releases: entries,
};
const text = JSON.stringify(doc, null, 1) + "\n";
if (check) checkEntries({ file: out, entries, versions, none: { root: [], agent: [], single: [] }, script: "scripts/extract-retired-keys.mjs" });
fs.writeFileSync(out, text);
console.error(`wrote ${out}`);
