// Extracts, from each installed OpenClaw release up to 2026.3.31, its legacy-config rules (the
// list `findLegacyConfigIssues` walks: LEGACY_CONFIG_RULES, from 2026.3 LEGACY_CONFIG_MIGRATION_RULES,
// the `legacyRules` of each migration) into data/legacy-rules.json, which build.rs compiles
// into a constant table for src/validate/legacy.rs (rebuild after running this). `validateConfigObjectRaw` of these releases checks these rules
// before the schema and, when one matches, reports only them.
//
//   node scripts/extract-legacy-rules.mjs [--check] [--cache DIR] [RELEASE...]
//
// Each rule: its path, its message, whether it needs the value literally in the source file
// (`requireSourceLiteral`) and its `match`, when it has one. A match is code: it is named by its
// source text (MATCHES below lists those clawlint models; a new one fails the extraction), and
// it is run on a fixed battery of values (PROBES), whose results are written next to it, so
// that a test holds clawlint's model of each match to the real one (src/validate/legacy.rs).
// Rules are read from the module that defines them, imported as a copy with the list exported
// (they are module-local). From 2026.4.29 on the rules take plugin doctor rules as well and
// are not extracted (the entry says so).
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { checkEntries, compare, distFiles, extractorArgs, installedReleases, repoRoot as repo } from "./openclaw-dist.mjs";

const { cache, check, wanted } = extractorArgs(process.argv.slice(2));
const out = path.join(repo, "data/legacy-rules.json");
const LAST = "2026.3.31";

// The matches clawlint models (src/validate/legacy.rs `Match`), by their source text.
const MATCHES = {
  '(value) => typeof value === "string"': "string",
  "(value) => hasLegacyThreadBindingTtl(value)": "thread-binding-ttl",
  "(value) => hasLegacyThreadBindingTtlInAccounts(value)": "thread-binding-ttl-in-accounts",
  "(value) => isLegacyGatewayBindHostAlias(value)": "bind-host-alias",
  "(value) => hasLegacyTtsProviderKeys(value)": "tts-provider-keys",
  "(value) => hasLegacyDiscordAccountTtsProviderKeys(value)": "tts-provider-keys-in-accounts",
  "(value) => hasLegacyPluginEntryTtsProviderKeys(value)": "tts-provider-keys-in-plugin-entries",
};
// Values every match is run on (JSON).
const PROBES = [
  "x", "", "0.0.0.0", " LocalHost ", "::1", "[::]", "*", "127.0.0.1", "[::1]", "::", "lan", "loopback", "AUTO", "custom", "10.0.0.1",
  5, true, null, [], {}, ["0.0.0.0"],
  { ttlHours: 1 }, { idleHours: 1 }, { ttlHours: null }, [{ ttlHours: 1 }],
  { a: { threadBindings: { ttlHours: 2 } } }, { a: { threadBindings: {} } }, { a: { threadBindings: [] } }, { a: null },
  { openai: {} }, { providers: { openai: {} } }, { edge: 1 }, { elevenlabs: null }, { microsoft: {} }, { auto: "always" },
  { a: { voice: { tts: { openai: {} } } } }, { a: { voice: { tts: { providers: {} } } } }, { a: { voice: [] } },
  { "voice-call": { config: { tts: { elevenlabs: {} } } } }, { "voice-call": { config: { tts: {} } } }, { other: { config: { tts: { openai: {} } } } },
];

async function rulesOf(dist) {
  const unbundled = path.join(dist, "config/legacy.rules.js");
  if (fs.existsSync(unbundled)) return { rules: (await import(pathToFileURL(unbundled).href)).LEGACY_CONFIG_RULES };
  for (const name of ["LEGACY_CONFIG_MIGRATION_RULES", "LEGACY_CONFIG_RULES"]) {
    const f = distFiles(dist).find((f) => fs.readFileSync(f, "utf8").includes(`const ${name} = `));
    if (!f) continue;
    // A copy of the module that also exports the list, its relative imports made absolute and
    // its packages resolved from the release's node_modules.
    let text = fs.readFileSync(f, "utf8");
    text = text.replace(/(from\s*|import\s*\(\s*|import\s*)"(\.\.?\/[^"]+)"/g, (m, pre, rel) => `${pre}"${pathToFileURL(path.resolve(path.dirname(f), rel)).href}"`);
    text += `\nexport { ${name} as __clawlintRules };\n`;
    const tdir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "clawlint-legacy-"));
    try {
      fs.symlinkSync(path.resolve(dist, "../.."), path.join(tdir, "node_modules"));
      fs.writeFileSync(path.join(tdir, "m.mjs"), text);
      return { rules: (await import(pathToFileURL(path.join(tdir, "m.mjs")).href)).__clawlintRules };
    } finally {
      fs.rmSync(tdir, { recursive: true, force: true });
    }
  }
  return { rules: undefined };
}

const entries = {};
const versions = installedReleases(cache, wanted);
let prev;
for (const v of versions) {
  let entry;
  if (compare(v, LAST) > 0) entry = { notExtracted: "from 2026.4.29 the legacy rules include plugin doctor rules; not modelled" };
  else {
    const { rules } = await rulesOf(path.join(cache, v, "node_modules/openclaw/dist"));
    if (!Array.isArray(rules)) throw new Error(`${v}: no legacy rules found`);
    entry = {
      rules: rules.map((r) => {
        const rule = { path: r.path.join("."), message: r.message };
        if (r.requireSourceLiteral) rule.sourceLiteral = true;
        if (r.match) {
          const src = r.match.toString().replace(/\s+/g, " ").trim();
          const id = MATCHES[src];
          if (!id) throw new Error(`${v}: a legacy rule at ${rule.path} has a match clawlint does not model: ${src}`);
          rule.match = id;
          rule.probes = PROBES.map((p) => (r.match(structuredClone(p), {}) ? "1" : "0")).join("");
        }
        return rule;
      }),
    };
  }
  const text = JSON.stringify(entry);
  if (text !== prev) entries[v] = entry;
  prev = text;
}
if (check) checkEntries({ file: out, entries, versions, none: undefined, script: "scripts/extract-legacy-rules.mjs" });
const about = "The legacy-config rules of each OpenClaw release (findLegacyConfigIssues), checked before the schema by its validateConfigObjectRaw. Generated by scripts/extract-legacy-rules.mjs from node_modules/openclaw/dist; do not edit. An entry holds for its release and later ones up to the next entry. match: clawlint's name of the rule's match function; probes: its result (1/0) on each value of probeValues.";
fs.writeFileSync(out, JSON.stringify({ about, probeValues: PROBES, releases: entries }, null, 1) + "\n");
console.error(`${out}: ${Object.keys(entries).join(", ")}`);
process.exit(0);
