// Extracts, from each installed OpenClaw release, the keys of an MCP server block
// (`mcp.servers.<name>`) that its zod schema's refinement rejects by name although the JSON
// schema accepts them (`McpServerSchema` is not strict), into data/mcp-server-refinements.json,
// which src/validate/extra.rs embeds through build.rs (one table in code; no hand copies).
//
//   node scripts/extract-mcp-refinements.mjs [--check] [--cache DIR] [RELEASE...]
//
// Without RELEASE, every release under the oracle cache (default /work/oracle-cache, each
// installed by scripts/oracle-install-release.sh) is read. --check compares with the checked-in
// file instead of writing it (exit 1 on a difference; tests/migrations.rs runs this).
//
// The source is the text of the dist module that defines `McpServerSchema = ` (zod-schema-*,
// io-* in 2026.3): the body of its `.superRefine((data, ctx) => { ... })`, up to the next
// top-level declaration. Each check is read in the form the code writes it:
//   legacyKeys      `for (const key of [ "a", "b", ... ]) if (Object.hasOwn(data, key))`
//                   -> "Unrecognized key: \"a\"", reported at the server
//   unsupported     `if (Object.hasOwn(data, "k")) { ... message: `unsupported key "k"; ...` }`
//                   -> reported at the key
//   codexLegacyKeys `if (codex && Object.hasOwn(codex, "k"))` on `const codex = data.codex`
//                   -> "Unrecognized key: \"k\"" at codex.k. zod hands the refinement the
//                   PARSED codex object, which keeps only the members its (strict) schema
//                   declares, so this fires only in a release whose codex schema declares k.
//   perRequester    the checks under `if (data.oauth?.identity === "per-requester")`, by the
//                   message each adds: requiresOauthAuth, noAuthProfileId, requiresUrl,
//                   noCommandOrStdio
//   stdioCommand    `if (data.transport === "stdio" && (typeof data.command !== "string" ||
//                   data.command.trim().length === 0))` -> at transport
// and, for every release with an MCP block, unknownKeysContinue (see unknownKeysContinue()):
// whether an unknown key of a strict object lets the refinements of the objects around it run.
// Every `ctx.addIssue(` of the body must belong to one of these, or the extractor fails (a new
// check must be read, not skipped). A release whose schema has no refinement (the keys are
// declared members, or there is no MCP block) has empty lists. A release's entry is written only
// when it differs from the previous release's; clawlint uses the newest entry not newer than the
// release it checks.
import fs from "node:fs";
import path from "node:path";
import { checkEntries, distFiles, extractorArgs, installedReleases, repoRoot as repo } from "./openclaw-dist.mjs";

const { cache, check, wanted } = extractorArgs(process.argv.slice(2));
const out = path.join(repo, "data/mcp-server-refinements.json");
const NONE = { legacyKeys: [], unsupported: [], codexLegacyKeys: [], perRequester: [], stdioCommand: false, unknownKeysContinue: true };

// The text of `McpServerSchema`'s definition: from `McpServerSchema = ` to the next line that
// starts a top-level declaration (or a region comment).
function schemaText(dist) {
  for (const f of distFiles(dist)) {
    const text = fs.readFileSync(f, "utf8");
    const at = text.search(/(^|\n)const McpServerSchema = /);
    if (at < 0) continue;
    const rest = text.slice(at + 1);
    const end = rest.slice(1).search(/\n(const|let|var|function|export|\/\/#(end)?region) /);
    return { file: path.basename(f), text: end < 0 ? rest : rest.slice(0, end + 1) };
  }
  return undefined;
}

// The strings of a JSON-like array literal starting at `text[i]` ("[").
function stringArray(text, i) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j++) {
    if (text[j] === "[") depth++;
    else if (text[j] === "]" && --depth === 0) break;
  }
  const body = text.slice(i + 1, j);
  const items = [...body.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`));
  // Anything but strings, commas and white space: not a plain list (fail loudly).
  if (body.replace(/"((?:[^"\\]|\\.)*)"/g, "").replace(/[\s,]/g, "") !== "") {
    throw new Error(`not a list of strings: [${body}]`);
  }
  return items;
}

// Whether the zod that parses the release's config lets a parse go on past an unknown key of a
// strict object: its `$ZodObject` pushes `unrecognized_keys` with `continue: true` (zod 4.6 on).
// Without it, the issue aborts the enclosing objects' parses and no refinement of theirs runs
// (zod 4.4: 2026.5.28 to 2026.8.2). The `$ZodObject` is the one the module defining
// McpServerSchema imports (bundled into dist, up to three imports away), else node_modules/zod's.
function unknownKeysContinue(version, schemaFile) {
  const dist = path.join(cache, version, "node_modules/openclaw/dist");
  let files = schemaFile ? [path.join(dist, schemaFile)] : [];
  const seen = new Set();
  let zod;
  for (let depth = 0; depth < 4 && !zod && files.length; depth++) {
    const next = [];
    for (const f of files) {
      if (seen.has(f) || !fs.existsSync(f)) continue;
      seen.add(f);
      const text = fs.readFileSync(f, "utf8");
      if (text.includes('$constructor("$ZodObject"')) {
        zod = { file: f, text };
        break;
      }
      for (const m of text.matchAll(/from "(\.\/[^"]+)"/g)) next.push(path.join(path.dirname(f), m[1]));
    }
    files = next;
  }
  if (!zod) {
    const f = path.join(cache, version, "node_modules/zod/v4/core/schemas.js");
    if (!fs.existsSync(f)) return undefined;
    zod = { file: f, text: fs.readFileSync(f, "utf8") };
  }
  const pushes = [...zod.text.matchAll(/code: "unrecognized_keys",/g)].map((m) => zod.text.slice(m.index, m.index + 400).split("});")[0]);
  const continuing = pushes.filter((p) => /continue: true/.test(p)).length;
  if (pushes.length === 0 || (continuing !== 0 && continuing !== pushes.length)) {
    throw new Error(`${version}: ${zod.file}: ${pushes.length} unrecognized_keys issues, ${continuing} with continue: true; read them`);
  }
  return continuing === pushes.length;
}

function extract(version) {
  const found = schemaText(path.join(cache, version, "node_modules/openclaw/dist"));
  if (!found) return { ...NONE };
  const cont = unknownKeysContinue(version, found.file);
  const none = { ...NONE, unknownKeysContinue: cont };
  const refine = found.text.indexOf(".superRefine(");
  if (refine < 0) return { ...none, file: `${found.file} (no superRefine)` };
  const body = found.text.slice(refine);
  const legacyKeys = [];
  for (const m of body.matchAll(/for \(const (\w+) of \[/g)) {
    const list = stringArray(body, m.index + m[0].length - 1);
    const after = body.slice(m.index + m[0].length - 1);
    const close = after.indexOf("]");
    // Only the loop that rejects the key when the server has it.
    if (new RegExp(`^\\]\\)\\s*if \\(Object\\.hasOwn\\(data, ${m[1]}\\)\\)`).test(after.slice(close))) legacyKeys.push(...list);
  }
  const unsupported = [];
  for (const m of body.matchAll(/if \(Object\.hasOwn\(data, "(\w+)"\)\)/g)) {
    // The issue a few lines on names it an unsupported key.
    const next = body.slice(m.index, m.index + 800);
    if (next.includes(`unsupported key \\"${m[1]}\\"`) || next.includes(`unsupported key "${m[1]}"`)) unsupported.push(m[1]);
  }
  const codexLegacyKeys = [];
  if (/const codex = data\.codex;/.test(body)) {
    for (const m of body.matchAll(/if \(codex && Object\.hasOwn\(codex, "(\w+)"\)\) ctx\.addIssue\(/g)) codexLegacyKeys.push(m[1]);
  }
  const perRequester = [];
  const pr = body.indexOf('if (data.oauth?.identity === "per-requester") {');
  if (pr >= 0) {
    const block = body.slice(pr, pr + 2000);
    const checks = {
      requiresOauthAuth: ['if (data.auth !== "oauth")', 'message: "oauth.identity \\"per-requester\\" requires auth: \\"oauth\\""'],
      noAuthProfileId: ["if (data.oauth.authProfileId)", 'message: "oauth.authProfileId cannot be used with oauth.identity \\"per-requester\\""'],
      requiresUrl: ["if (!data.url)", 'message: "oauth.identity \\"per-requester\\" requires an HTTP server URL"'],
      noCommandOrStdio: ['if (data.command !== void 0 || data.transport === "stdio")', 'message: "oauth.identity \\"per-requester\\" cannot be combined with a command or \\"stdio\\" transport"'],
    };
    for (const [id, [cond, message]] of Object.entries(checks)) {
      const at = block.indexOf(cond);
      if (at >= 0 && block.slice(at, at + 400).includes(message)) perRequester.push(id);
    }
  }
  const stdioCommand =
    body.includes('if (data.transport === "stdio" && (typeof data.command !== "string" || data.command.trim().length === 0)) ctx.addIssue(') &&
    body.includes('message: "\\"stdio\\" transport requires a non-empty command",\n\t\tpath: ["transport"]');
  // Every issue the refinement adds is one of the checks read above.
  const added = [...body.matchAll(/ctx\.addIssue\(/g)].length;
  const read = (legacyKeys.length ? 1 : 0) + unsupported.length + codexLegacyKeys.length + perRequester.length + (stdioCommand ? 1 : 0);
  if (added !== read) throw new Error(`${version}: ${found.file}: McpServerSchema's superRefine adds ${added} issues, ${read} of them read; read the new check`);
  return { legacyKeys, unsupported, codexLegacyKeys, perRequester, stdioCommand, unknownKeysContinue: cont, file: found.file };
}

const versions = installedReleases(cache, wanted);
const entries = {};
let previous;
for (const v of versions) {
  const { file, ...entry } = extract(v);
  console.error(
    `${v}: ${file ?? "no McpServerSchema"}: ${entry.legacyKeys.length} legacy keys, unsupported: ${entry.unsupported.join(", ") || "none"}, codex: ${entry.codexLegacyKeys.join(", ") || "none"}, per-requester: ${entry.perRequester.join(", ") || "none"}, stdio command: ${entry.stdioCommand}, unknown keys continue: ${entry.unknownKeysContinue}`,
  );
  const key = JSON.stringify(entry);
  if (key !== previous) entries[v] = entry;
  previous = key;
}
const doc = {
  about:
    "The checks each OpenClaw release's McpServerSchema superRefine makes on an MCP server block (mcp.servers.<name>) beyond its JSON schema. Generated by scripts/extract-mcp-refinements.mjs from node_modules/openclaw/dist; do not edit. An entry holds for its release and later ones up to the next entry. legacyKeys: 'Unrecognized key: \"k\"', reported at the server; unsupported: 'unsupported key \"k\"; use ...', reported at the key; codexLegacyKeys: 'Unrecognized key: \"k\"' at codex.k, only when the release's codex schema declares k (the refinement sees the parsed codex object); perRequester: the checks made when oauth.identity is \"per-requester\" (requiresOauthAuth, noAuthProfileId, requiresUrl, noCommandOrStdio); stdioCommand: transport \"stdio\" requires a non-empty command; unknownKeysContinue: whether the release's zod goes on past an unknown key of a strict object (zod 4.6 on) or aborts the enclosing objects' parses, so that none of their refinements (these or any other) runs (zod 4.4).",
  releases: entries,
};
if (check) checkEntries({ file: out, entries, versions, none: NONE, script: "scripts/extract-mcp-refinements.mjs" });
fs.writeFileSync(out, JSON.stringify(doc, null, 1) + "\n");
console.error(`wrote ${out}`);
