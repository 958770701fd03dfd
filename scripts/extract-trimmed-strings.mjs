// Extracts, from each installed OpenClaw release, the config strings its zod schema trims before
// checking their minimum length (`z.string().trim().min(1)`): a whitespace-only value there is
// rejected ("Too small"), although the JSON schema's `minLength` (which knows nothing of the
// trim) accepts it. Written to data/trimmed-strings.json, which build.rs compiles into a constant
// table for src/validate/trimmed.rs (rebuild after running this).
//
//   node scripts/extract-trimmed-strings.mjs [--check] [--cache DIR] [RELEASE...]
//
// Without RELEASE, every release under the oracle cache (default /work/oracle-cache, each
// installed by scripts/oracle-install-release.sh) is read. --check compares with the checked-in
// file instead of writing it (exit 1 on a difference; tests/migrations.rs runs this).
//
// The trim is code, not schema data, so it is probed: every string path with a `minLength` that
// some recorded release's schema (data/openclaw-schemas.jsonl) has is given, alone in a config,
// as many spaces as its minLength, and the release's own zod schema (`OpenClawSchema`) parses
// it. A "too_small" issue at exactly that path means the value was trimmed first. A release's
// entry is written only when it differs from the previous release's; clawlint uses the newest
// entry not newer than the release it checks.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { checkEntries, concrete, distFiles, extractorArgs, importExport, installedReleases, repoRoot as repo, schemaPaths } from "./openclaw-dist.mjs";

const { cache, check, wanted } = extractorArgs(process.argv.slice(2));
const out = path.join(repo, "data/trimmed-strings.json");

// The release's zod config schema: the module that defines `OpenClawSchema = ` (dist/config/ in
// 2026.1.30's unbundled build).
async function openClawSchema(dist) {
  const nested = path.join(dist, "config");
  const files = [...distFiles(dist), ...(fs.existsSync(nested) ? distFiles(nested) : [])].filter((f) => fs.readFileSync(f, "utf8").includes("OpenClawSchema = "));
  const bundled = await importExport(files, "OpenClawSchema");
  if (bundled) return bundled;
  // An unbundled module exports it by name.
  for (const f of files) {
    const mod = await import(pathToFileURL(f).href);
    if (mod.OpenClawSchema) return mod.OpenClawSchema;
  }
  return undefined;
}

function build(segs, value) {
  if (segs.length === 0) return value;
  const [head, ...rest] = segs;
  if (head === "0") return [build(rest, value)];
  return { [head]: build(rest, value) };
}

async function extract(version, candidates) {
  const schema = await openClawSchema(path.join(cache, version, "node_modules/openclaw/dist"));
  if (!schema || typeof schema.safeParse !== "function") return undefined;
  const trimmed = [];
  for (const [key, info] of candidates) {
    const segs = concrete(info.segs);
    const spaces = " ".repeat(info.minLength);
    let result;
    try {
      result = schema.safeParse(build(segs, spaces));
    } catch {
      continue;
    }
    const at = segs.join(".");
    const issues = result.success ? [] : result.error.issues;
    if (issues.some((i) => i.code === "too_small" && i.path.join(".") === at)) trimmed.push([key, info.minLength]);
  }
  return { strings: Object.fromEntries(trimmed.sort((a, b) => (a[0] < b[0] ? -1 : 1))) };
}

// Every string path some recorded schema gives a minLength (the largest, when several do).
const candidates = new Map();
for (const [key, info] of schemaPaths(repo)) {
  if (info.type === "string" && info.minLength > 0) candidates.set(key, info);
}
const versions = installedReleases(cache, wanted);
const entries = {};
let previous;
for (const v of versions) {
  const e = await extract(v, candidates);
  if (!e) {
    console.error(`${v}: no OpenClawSchema found; no entry`);
    continue;
  }
  console.error(`${v}: ${Object.keys(e.strings).length} of ${candidates.size} strings with a minLength are trimmed first`);
  const key = JSON.stringify(e);
  if (key !== previous) entries[v] = e;
  previous = key;
}
const doc = {
  about:
    "The config strings each OpenClaw release's zod schema trims before checking their minimum length (z.string().trim().min(n)): a value of white space only is rejected there although the JSON schema's minLength accepts it. strings: each such path (dotted, '*' any record key, '[]' any item) with its minimum length. Probed by scripts/extract-trimmed-strings.mjs (each string path with a minLength, alone, as that many spaces, through the release's OpenClawSchema); do not edit. An entry holds for its release and later ones up to the next entry.",
  releases: entries,
};
let text = "{\n \"about\": " + JSON.stringify(doc.about) + ",\n \"releases\": {\n";
text += Object.entries(entries).map(([v, e]) => `  ${JSON.stringify(v)}: {\n   "strings": {${Object.entries(e.strings).map(([s, n]) => "\n    " + JSON.stringify(s) + ": " + n).join(",")}\n   }\n  }`).join(",\n");
text += "\n }\n}\n";
JSON.parse(text);
if (check) checkEntries({ file: out, entries, versions, none: null, script: "scripts/extract-trimmed-strings.mjs" });
fs.writeFileSync(out, text);
console.error(`wrote ${out}`);
