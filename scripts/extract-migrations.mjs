// Extracts, from each installed OpenClaw release, what every one of its legacy doctor migrations
// (`LEGACY_CONFIG_MIGRATIONS`, the list `openclaw doctor --fix` and, from 2026.8, the gateway's
// start guard run) does to the config keys it acts on, into data/doctor-migrations.json, which
// src/validate/migrations.rs embeds (one table in code; no hand copies).
//
//   node scripts/extract-migrations.mjs [--check] [--cache DIR] [RELEASE...]
//
// Without RELEASE, every release under the oracle cache (default /work/oracle-cache, each
// installed by scripts/oracle-install-release.sh) is read. --check compares with the checked-in
// file instead of writing it (exit 1 on a difference; tests/migrations.rs runs this).
//
// The migrations are code, not data, so they are *probed*, as scripts/extract-retired-keys.mjs
// probes single-key retirements: every config path some recorded release's schema
// (data/openclaw-schemas.jsonl) accepts, with a value of its old schema type (each enum value,
// and for ports and binds a few values newer releases reject), goes alone through the release's
// own migrations, in order (after `withoutPluginInstallRecords`, as the start guard does). Each
// migration that changes the config is recorded with what it did to the probed key:
//   move     the value is now at `to` (and gone from `from`)
//   remove   the key is gone and nothing else was added or changed
//   rewrite  the key is gone or changed and something else was written (`to`: what was added)
// Objects are probed too (with an unknown member), so that a block moved whole is one move.
// Keys the migrations' code reads that no schema names are probed too (EXTRA_KEYS, and the keys of
// the tables the code lists: tableKeys), with the strings the code compares values with
// (VALUE_HINTS, scripts/lib/probes.mjs). Migrations that act only on several keys together or on values inside a list
// are probed with inputs chosen from their code (COMBOS, CONTEXT_PROBES; the latter's effects
// carry `needs`). A migration no probe triggers is listed with no effect: clawlint then knows
// only that the release has it.
//
// A release's entry is written only when it differs from the previous release's; clawlint uses
// the newest entry not newer than the release it checks. Releases whose migrations are not
// exported as a list are read through what they export when their gateway start migrates
// (up to 2026.3.31: `legacyStart`) or their config read does (2026.4.29: `readMigrates`, the
// whole read migration as one entry, applyRuntimeLegacyConfigMigrations); a release with
// neither gets an empty entry.
import fs from "node:fs";
import path from "node:path";
import { display, effect, sampleValues, build, recorded, withoutCovered } from "./lib/probes.mjs";
import { checkEntries, concrete, distFiles, extractorArgs, installedReleases, leaves, readMigratesLegacy, readStripsInstallRecords, releaseMigrations, repoRoot as repo, schemaPaths, startMigratesLegacy } from "./openclaw-dist.mjs";

const { cache, check, wanted } = extractorArgs(process.argv.slice(2));
const out = path.join(repo, "data/doctor-migrations.json");

// ---- probes ----
// Several keys together: a roster of two agents without `agents.ownership`, a tool policy with
// both `allow` and `alsoAllow`.
const COMBOS = [
  { from: "agents.entries", raw: { agents: { entries: { probe: {}, other: {} } } } },
  { from: "agents.list", raw: { agents: { list: [{ id: "probe" }, { id: "other" }] } } },
  { from: "tools.alsoAllow", raw: { tools: { allow: ["read"], alsoAllow: ["exec"] } } },
];
// Keys no recorded schema names that a migration's own code reads (found by reading each
// migration in 2026.9.6's dist), probed alone like the schema's keys.
const EXTRA_KEYS = [
  // legacy-group-routing->channel-groups: migrateRoutingAllowFrom, migrateRoutingGroupChat,
  // migrateTelegramRequireMention.
  ["routing.allowFrom", "array"],
  ["routing.groupChat.requireMention", "boolean"],
  ["routing.groupChat.historyLimit", "integer"],
  ["routing.groupChat.mentionPatterns", "array"],
  ["channels.telegram.requireMention", "boolean"],
  // feishu.accounts.botName->name: migrateFeishuAccountBotName.
  ["channels.feishu.accounts.*.botName", "string"],
  // mcp.servers.canonicalize: a boolean `disabled` becomes the inverse `enabled` (no schema
  // names it; McpServerSchema's superRefine rejects it, data/mcp-server-refinements.json).
  ["mcp.servers.*.disabled", "boolean"],
];
// Keys the release's code lists in a table (read from its text, so that a release that grows
// the table is probed for the new keys): memory search's flat fields
// (LEGACY_MEMORY_SEARCH_FIELD_MAPPINGS legacyKey), probed alone, and the dead model compat keys
// (DEAD_MODEL_COMPAT_KEYS), which the schemas know and the migration removes only from a model
// with an id (a context probe).
function tableKeys(files, contexts) {
  const keys = new Map();
  for (const f of files) {
    const base = path.basename(f);
    if (!base.startsWith("legacy")) continue;
    const text = fs.readFileSync(f, "utf8");
    const mappings = /LEGACY_MEMORY_SEARCH_FIELD_MAPPINGS = \[([\s\S]*?)\];/.exec(text);
    if (mappings) {
      for (const [, k] of mappings[1].matchAll(/legacyKey:\s*"(\w+)"/g)) {
        keys.set(`memory.search.${k}`, "integer");
        keys.set(`agents.entries.*.memory.search.${k}`, "integer");
      }
    }
    const dead = /DEAD_MODEL_COMPAT_KEYS = \[([^\]]*)\]/.exec(text);
    if (dead) {
      for (const [, k] of dead[1].matchAll(/"(\w+)"/g)) {
        const from = `models.providers.*.models.[].compat.${k}`;
        if (contexts.some((c) => c.from === from)) continue;
        contexts.push({ from, target: `models.providers.probe.models.0.compat.${k}`, raw: { models: { providers: { probe: { models: [{ id: "probe", compat: { [k]: true } }] } } } }, needs: "a model with an id" });
      }
    }
  }
  return keys;
}
// Several keys together whose effect depends on values (`target`: the probed key in `raw`,
// where `from` has a `*`) (a list holding a retired name, a model
// ref the catalog retired, a roster the legacy owner migration completes): the migrations act on
// configs `config validate` accepts, so clawlint does not use these for start verdicts (`needs`
// says what they need); they show that the release's migrations act there. The inputs are chosen
// here from each migration's code; what the migrations make of them is OpenClaw's.
const CONTEXT_PROBES = [
  // tools.suggest-task-name, tools.view-image-name: legacy tool names in a tool policy list.
  { from: "tools.allow", raw: { tools: { allow: ["spawn_task"] } }, needs: 'holds "spawn_task"' },
  { from: "tools.allow", raw: { tools: { allow: ["image"] } }, needs: 'holds "image"' },
  // plugins.openai-codex->plugins.openai: LEGACY_OPENAI_CODEX_PLUGIN_ID in plugins.allow.
  { from: "plugins.allow", raw: { plugins: { allow: ["openai-codex"] } }, needs: 'holds "openai-codex"' },
  // runtime.secrets-egress-proxy-hosts: an entry isValidExactHostname rejects.
  { from: "secrets.egressProxy.allowedHosts", raw: { secrets: { egressProxy: { allowedHosts: ["not a host"] } } }, needs: "holds a string that is not an exact host name" },
  // models.canonical-model-refs: a model ref the catalog retired.
  { from: "agents.defaults.model.primary", raw: { agents: { defaults: { model: { primary: "anthropic/claude-3-opus" } } } }, needs: 'a retired model ref ("anthropic/claude-3-opus")' },
  // agents.defaults.models->agents.defaults.modelPolicy.allow: a default model map without
  // modelPolicy.allow.
  { from: "agents.defaults.models", raw: { agents: { defaults: { models: { "openai/gpt-5": {} } } } }, needs: 'a model map with a known model ref ("openai/gpt-5") and no agents.defaults.modelPolicy.allow' },
  // agents.defaults.models.vllm...qwenThinkingFormat: QWEN_THINKING_FORMAT_KEYS in a vllm model's params.
  { from: "agents.defaults.models.*.params.qwenThinkingFormat", raw: { agents: { defaults: { models: { "vllm/qwen3": { params: { qwenThinkingFormat: "chat-template" } } } } } }, target: "agents.defaults.models.vllm/qwen3.params.qwenThinkingFormat", needs: 'a "vllm/…" model key and a value normalizeLegacyVllmQwenThinkingFormat knows ("chat-template")' },
  // models.providers.*.models.*.contextWindow-stale: a STALE_CONTEXT_WINDOW_FIXES entry.
  { from: "models.providers.*.models.[].contextWindow", raw: { models: { providers: { deepseek: { models: [{ id: "deepseek-v4-flash", contextWindow: 200000 }] } } } }, target: "models.providers.deepseek.models.0.contextWindow", needs: "a model and contextWindow STALE_CONTEXT_WINDOW_FIXES lists (deepseek/deepseek-v4-flash, 200000)" },
  // tools.profile-configured-sections-alsoAllow: a profile, an allow list and a configured
  // section (CONFIGURED_TOOL_SECTION_GRANTS) whose grants the profile filters.
  { from: "tools.profile", raw: { tools: { profile: "messaging", allow: ["exec"], exec: { security: "full" } } }, needs: "a tools.profile other than full, a tools.allow granting a tool of a configured tools.exec or tools.fs section that the profile does not" },
  // runtime.legacy-system-agent-owner: an explicit roster of two agents, one of them main,
  // without agents.defaults.systemAgent (which it writes).
  { from: "agents.defaults.systemAgent", raw: { agents: { ownership: "explicit", entries: { main: {}, other: {} } } }, needs: 'agents.ownership "explicit", two or more agents, one of them "main", no agents.defaults.systemAgent' },
];
async function extract(version, candidates) {
  const dist = path.join(cache, version, "node_modules/openclaw/dist");
  // Releases that do not export the list are read only when their gateway start runs the
  // migrations (up to 2026.3.31) or their config read does (2026.4.29).
  const legacyStart = startMigratesLegacy(dist);
  const readMigrates = !legacyStart && readMigratesLegacy(dist);
  const readStrips = readStripsInstallRecords(dist);
  const { files, migrations, strip } = await releaseMigrations(dist, { older: legacyStart, readMigrates });
  if (!migrations) return undefined;
  // The keys a migration's own id names ("heartbeat->agents.defaults.heartbeat",
  // "channels.webchat-remove"): many predate the oldest recorded schema.
  const all = new Map(candidates);
  // (A release read through applyLegacyMigrations lists the ids of the migrations it runs as
  // `names`.)
  for (const id of [...migrations.map((m) => m.id), ...(migrations.names ?? [])]) {
    const from = String(id).split("->")[0].replace(/-(remove|removed|retired|ignored)$/, "");
    if (!/^[A-Za-z_][\w]*(\.([A-Za-z_][\w]*|\*))*$/.test(from) || all.has(from)) continue;
    const segs = from.split(".").map((s) => (s === "*" ? "*" : s));
    all.set(from, { segs, type: "any", enums: [] });
  }
  // effects[id] = Map(key -> effect)
  const effects = new Map();
  let probes = 0;
  for (const [, info] of all) {
    const samples = sampleValues(info);
    for (const value of samples) {
      const raw = build(info.segs, value);
      const target = concrete(info.segs).join(".");
      let next = strip ? strip(structuredClone(raw)) : structuredClone(raw);
      next = structuredClone(next);
      probes++;
      // Every migration that changes something on this one-key config (the effect is what the
      // whole list leaves: a key moved twice is one move, to where it ends).
      // Fast path: most probes are left as they were. Run the list once on a copy; when nothing
      // threw and the result is the probe unchanged, no migration has an effect here (the step
      // by step run below would find the same: effect() needs a change). Otherwise run it step
      // by step to learn which migrations changed it.
      const start = JSON.stringify(next);
      let quiet = true;
      const trial = structuredClone(next);
      const ctx = structuredClone(raw);
      for (const m of migrations) {
        try {
          m.apply(trial, [], { authoredRaw: ctx, resolvedRaw: ctx });
        } catch {
          quiet = false;
          break;
        }
      }
      if (quiet && JSON.stringify(trial) === start) continue;
      const by = [];
      // The text after one migration is the text before the next (one stringify per migration).
      let before = start;
      for (const m of migrations) {
        const saved = structuredClone(next);
        try {
          m.apply(next, [], { authoredRaw: raw, resolvedRaw: raw });
        } catch {
          next = saved;
          continue;
        }
        const after = JSON.stringify(next);
        if (after !== before) by.push(m.id);
        before = after;
      }
      if (by.length === 0) continue;
      const e = effect(raw, next, target, value);
      if (!e) continue;
      const rec = { from: display(info.segs), ...e, by };
      if (rec.to !== undefined) rec.to = Array.isArray(rec.to) ? [...new Set(rec.to.map((t) => display(t.split("."))))] : display(rec.to.split("."));
      const map = effects;
      const key = JSON.stringify(rec);
      const old = map.get(key);
      // The values that trigger it (objects and arrays stand for any value of their type).
      const when = typeof value !== "object" || value === null ? value : undefined;
      if (!old) map.set(key, { ...rec, values: when === undefined ? undefined : [when], any: when === undefined, n: samples.filter((v) => typeof v !== "object" || v === null).length });
      else if (when === undefined) old.any = true;
      else if (!old.any && old.values && !old.values.some((v) => JSON.stringify(v) === JSON.stringify(when))) old.values.push(when);
    }
  }
  // Probes of several keys, for migrations that act on a combination (the inputs are chosen
  // here; what the migrations make of them is still OpenClaw's).
  const runAll = (raw) => {
    let next = structuredClone(raw);
    // The migrations get copies of the authored config: one may write to what it is given.
    const authored = structuredClone(raw);
    const by = [];
    for (const m of migrations) {
      const before = JSON.stringify(next);
      try {
        m.apply(next, [], { authoredRaw: authored, resolvedRaw: authored });
      } catch {
        next = JSON.parse(before);
        continue;
      }
      if (JSON.stringify(next) !== before) by.push(m.id);
    }
    return { next, by };
  };
  for (const c of [...COMBOS, ...CONTEXT_PROBES]) {
    const target = c.target ?? c.from;
    let { next, by } = runAll(c.raw);
    const segs0 = target.split(".");
    const present = segs0.slice(0, -1).reduce((o, k) => o?.[k], c.raw)?.[segs0.at(-1)] !== undefined;
    if (c.needs && present) {
      // What the migrations do to the probe's context without the probed key (a model with an
      // id gets seeded as the default model) is not the key's effect: left out.
      const base = structuredClone(c.raw);
      const segs = target.split(".");
      const parent = segs.slice(0, -1).reduce((o, k) => o?.[k], base);
      if (parent && typeof parent === "object") delete parent[segs.at(-1)];
      const b = runAll(base);
      const baseAdded = leaves(b.next);
      const was = leaves(base);
      const after = leaves(next);
      for (const [p, v] of baseAdded) if (was.get(p) !== v && after.get(p) === v) {
        // Drop the leaf from the result, as if the context's own migration had not run.
        const ks = p.split(".");
        const holder = ks.slice(0, -1).reduce((o, k) => o?.[k], next);
        if (holder && typeof holder === "object" && !Array.isArray(holder)) delete holder[ks.at(-1)];
      }
      const kept = by.filter((id) => !b.by.includes(id));
      if (kept.length > 0) by = kept;
    }
    if (by.length === 0) continue;
    const e = effect(c.raw, next, target, undefined);
    if (!e) continue;
    const rec = { from: display(c.from.split(".")), ...e, by };
    if (Array.isArray(rec.to)) rec.to = [...new Set(rec.to.map((t) => display(t.split("."))))];
    else if (rec.to !== undefined) rec.to = display(rec.to.split("."));
    if (c.needs) rec.needs = c.needs;
    effects.set(JSON.stringify(rec), { ...rec, any: true });
  }
  const found = [...effects.values()];
  const kept = withoutCovered(found);
  const list = kept
    .map((e) => {
      const o = recorded(e);
      if (e.needs) o.needs = e.needs;
      o.by = e.by;
      return o;
    })
    .sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  const migrationList = migrations.map((m) => ({ id: m.id, describe: m.describe ?? "" }));
  // The gateway's start guard (automatic-startup-config-repair-*), when the release has one:
  // it runs these migrations at start; whether it first strips plugin install records
  // (`plugins.installs`, withoutPluginInstallRecords) as doctor does.
  const guard = files.find((f) => path.basename(f).startsWith("automatic-startup-config-repair"));
  const startGuard = guard ? { stripsPluginInstallRecords: fs.readFileSync(guard, "utf8").includes("withoutPluginInstallRecords") } : null;
  return { startGuard, ...(legacyStart ? { legacyStart } : {}), ...(readMigrates ? { readMigrates } : {}), ...(readStrips ? { readStripsInstallRecords: true } : {}), migrations: migrationList, effects: list, probes };
}

const versions = installedReleases(cache, wanted);
const candidates = schemaPaths(repo);
// The keys the migrations' code reads that no schema names (EXTRA_KEYS, and the tables of every
// release read here), probed in every release alike.
const extra = new Map(EXTRA_KEYS);
for (const v of versions) for (const [k, t] of tableKeys(distFiles(path.join(cache, v, "node_modules/openclaw/dist")), CONTEXT_PROBES)) extra.set(k, t);
for (const [k, type] of extra) if (!candidates.has(k)) candidates.set(k, { segs: k.split("."), type, enums: [] });
const entries = {};
let previous;
for (const v of versions) {
  const e = await extract(v, candidates);
  if (!e) {
    // After releases that had an entry, an empty one: this release's migrations are not
    // known, not those of the entry before it.
    console.error(`${v}: no exported LEGACY_CONFIG_MIGRATIONS and no start migration; ${previous ? "an empty entry" : "no entry"}`);
    if (previous) {
      const empty = { startGuard: null, migrations: [], effects: [] };
      const key = JSON.stringify(empty);
      if (key !== previous) entries[v] = empty;
      previous = key;
    }
    continue;
  }
  const covered = new Set(e.effects.flatMap((x) => x.by));
  const none = e.migrations.filter((m) => !covered.has(m.id)).map((m) => m.id);
  console.error(`${v}: ${e.migrations.length} migrations, ${e.migrations.length - none.length} seen changing a probed key (${e.probes} probes, ${e.effects.length} effects); not triggered: ${none.join(", ") || "none"}`);
  const entry = { startGuard: e.startGuard, ...(e.legacyStart ? { legacyStart: true } : {}), ...(e.readMigrates ? { readMigrates: true } : {}), ...(e.readStripsInstallRecords ? { readStripsInstallRecords: true } : {}), migrations: e.migrations, effects: e.effects };
  const key = JSON.stringify(entry);
  if (key !== previous) entries[v] = entry;
  previous = key;
}
// One migration or effect per line: small diffs when a release changes one migration.
function render(doc) {
  let s = "{\n \"about\": " + JSON.stringify(doc.about) + ",\n \"releases\": {\n";
  const rel = Object.keys(doc.releases);
  rel.forEach((v, i) => {
    const r = doc.releases[v];
    s += `  ${JSON.stringify(v)}: {\n   "startGuard": ${JSON.stringify(r.startGuard)},\n${r.legacyStart ? '   "legacyStart": true,\n' : ""}${r.readMigrates ? '   "readMigrates": true,\n' : ""}${r.readStripsInstallRecords ? '   "readStripsInstallRecords": true,\n' : ""}   "migrations": [\n`;
    s += r.migrations.map((m) => "    " + JSON.stringify(m)).join(",\n") + "\n   ],\n   \"effects\": [\n";
    s += r.effects.map((m) => "    " + JSON.stringify(m)).join(",\n") + "\n   ]\n";
    s += "  }" + (i + 1 < rel.length ? "," : "") + "\n";
  });
  return s + " }\n}\n";
}
const doc = {
  about:
    "What each OpenClaw release's legacy doctor migrations (LEGACY_CONFIG_MIGRATIONS, in order) do to the config keys they act on, probed one key at a time. Generated by scripts/extract-migrations.mjs from node_modules/openclaw/dist; do not edit. An entry holds for its release and later ones up to the next entry. startGuard: null when the release's gateway does not repair its config at start, else whether its start guard first strips plugin install records. legacyStart: the release's gateway start itself migrates a config its legacy rules flag (migrateLegacyConfig, up to 2026.3.31) and writes the file when the result validates; such a release's migrations may be one entry, applyLegacyMigrations, when its build does not export them one by one. readMigrates: the release's config read (config validate, gateway start) runs its legacy migrations in memory on every config and validates the result (2026.4.29, whose migrations are one entry, applyRuntimeLegacyConfigMigrations); the file is not rewritten. readStripsInstallRecords: the release's config read validates the config without plugins.installs. migrations: the release's list, in order. effects: what the whole list does to a config holding one key: from (a path, '*' any key or index), kind (move: the value goes to `to`; remove: the key is deleted; rewrite: the key is replaced or changed, `to` lists what was written), when (the values that trigger it, when not every probed value does; '*' any other string), needs (for a probe of several keys or of values inside a list: what else it held, in words; clawlint lists these and does not use them for start verdicts), by (the migrations that changed the config, in order). A migration in no effect's `by` needs inputs no probe tried.",
  releases: entries,
};
const text = render(doc);
JSON.parse(text);
if (check) checkEntries({ file: out, entries, versions, none: null, script: "scripts/extract-migrations.mjs" });
fs.writeFileSync(out, text);
console.error(`wrote ${out}`);
