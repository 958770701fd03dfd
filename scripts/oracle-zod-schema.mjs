// The JSON Schema of openclaw.json for releases whose CLI has no `config schema` (before 2026.3):
// what their own config read validates with, `OpenClawSchema` (the zod schema), converted as
// their gateway's `config.schema` method converts it (gateway-cli-*.js `buildBaseConfigSchema`:
// `OpenClawSchema.toJSONSchema({ target: "draft-07", unrepresentable: "any" })`), without the
// step that method adds for the Control UI (`stripChannelSchema`, which empties `channels`:
// the config read checks the core channels, 2026.2.26's `ChannelsSchema` members), and with
// the channel ids of its bundled plugins added (below).
//
//   OPENCLAW_DIST=<openclaw>/dist node scripts/oracle-zod-schema.mjs > schema.json
//
// Bundled builds (2026.2): the module and export letter are read from the gateway CLI's own
// import line. Unbundled builds (2026.1.30: dist/ mirrors src/): config/schema.js, where
// buildBaseConfigSchema lives, imports it by name from ./zod-schema.js. The script fails loudly
// on a build where neither is where it expects.
import fs from "node:fs";
import path from "node:path";
const dist = process.env.OPENCLAW_DIST;
const schema = await bundledSchema() ?? await unbundledSchema();
if (typeof schema?.toJSONSchema !== "function") throw new Error("no zod OpenClawSchema in " + dist);
const json = schema.toJSONSchema({ target: "draft-07", unrepresentable: "any" });
json.title = "OpenClawConfig";
// The channels of the release's bundled channel plugins (extensions/*/openclaw.plugin.json
// `channels`): known ids whose blocks the config read does not check (no schema), so each is
// an empty (accept-anything) member; an id neither core nor a plugin's is unknown.
const channels = json.properties?.channels;
const extensions = path.join(dist, "..", "extensions");
for (const ext of fs.existsSync(extensions) ? fs.readdirSync(extensions).sort() : []) {
  const manifest = path.join(extensions, ext, "openclaw.plugin.json");
  if (!channels?.properties || !fs.existsSync(manifest)) continue;
  for (const id of JSON.parse(fs.readFileSync(manifest, "utf8")).channels ?? []) {
    channels.properties[id] ??= {};
  }
}
process.stdout.write(JSON.stringify(json) + "\n");
process.exit(0);

async function bundledSchema() {
  const cli = fs.readdirSync(dist).find((f) => /^gateway-cli-.*\.js$/.test(f) &&
    /function buildBaseConfigSchema/.test(fs.readFileSync(path.join(dist, f), "utf8")));
  if (!cli) return undefined;
  const m = /import \{[^}]*\b(\w+) as OpenClawSchema\b[^}]*\} from "\.\/([^"]+)"/.exec(
    fs.readFileSync(path.join(dist, cli), "utf8"));
  if (!m) throw new Error(cli + " does not import OpenClawSchema");
  return (await import(path.join(dist, m[2])))[m[1]];
}

async function unbundledSchema() {
  const builder = path.join(dist, "config", "schema.js");
  if (!fs.existsSync(builder)) throw new Error("no gateway CLI or config/schema.js with buildBaseConfigSchema in " + dist);
  const text = fs.readFileSync(builder, "utf8");
  if (!/function buildBaseConfigSchema/.test(text)) throw new Error(builder + " has no buildBaseConfigSchema");
  const m = /import \{[^}]*\bOpenClawSchema\b[^}]*\} from "\.\/([^"]+)"/.exec(text);
  if (!m) throw new Error(builder + " does not import OpenClawSchema");
  return (await import(path.join(dist, "config", m[1]))).OpenClawSchema;
}
