// Packs the JSON Schemas that `openclaw config schema --json` printed for several releases into
// one small, deduplicated file, data/openclaw-schemas.jsonl, which build.rs compiles into
// constant tables for src/validate/compiled.rs (rebuild after packing).
//
//   node scripts/pack-schemas.mjs OUT.jsonl RELEASES.json [--keep]
//
// --keep: OUT's releases and nodes stay as they are (node numbers too); the releases of
// RELEASES.json are added to them (or replace one of the same version), their nodes interned
// into OUT's, so one release is added without recording the others again.
//
// RELEASES.json maps each release to either {"schema": "path/to/raw.json"} or
// {"unavailable": "why"} (for releases whose CLI has no `config schema`).
//
// Output: line 1 is a header {"format":1,"releases":{V:{"root":N}|{"unavailable":…}}}; line
// N+2 is node N. A node is one subschema with its annotations (title, description, examples,
// default, …) dropped and every child subschema replaced by its node number, so a subtree that
// several places or several releases share is stored once. `$ref`s ("#/$defs/x", which in these
// schemas are relative to the embedded plugin schema that declares `$defs`) become {"$ref": N}.
// Nodes are plain JSON, one per line, so clawlint parses only the nodes a config reaches.
import fs from "node:fs";

const [out, releasesPath, keep] = process.argv.slice(2);
const releases = JSON.parse(fs.readFileSync(releasesPath, "utf8"));

const ANNOTATIONS = new Set(["title", "description", "examples", "default", "markdownDescription", "$comment", "readOnly", "writeOnly", "deprecated", "$schema", "$id"]);
const MAP_OF_SCHEMAS = new Set(["properties", "patternProperties", "definitions", "$defs", "dependencies"]);
const ONE_SCHEMA = new Set(["additionalProperties", "additionalItems", "not", "if", "then", "else", "propertyNames", "contains", "items"]);
const LIST_OF_SCHEMAS = new Set(["anyOf", "oneOf", "allOf"]);

const nodes = [];
const index = new Map();
function intern(node) {
  const key = JSON.stringify(node);
  let n = index.get(key);
  if (n === undefined) {
    n = nodes.length;
    nodes.push(key);
    index.set(key, n);
  }
  return n;
}

// defsStack: innermost first, each a map name -> raw subschema, for resolving "#/$defs/x".
function pack(schema, defsStack, refsInProgress) {
  if (typeof schema === "boolean") return schema;
  if (!schema || typeof schema !== "object" || Array.isArray(schema)) throw new Error("not a schema: " + JSON.stringify(schema).slice(0, 80));
  const defs = schema.$defs || schema.definitions;
  const stack = defs ? [defs, ...defsStack] : defsStack;
  if (typeof schema.$ref === "string") {
    const m = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(schema.$ref);
    if (!m) throw new Error("unsupported $ref " + schema.$ref);
    const target = stack.map((d) => d[m[1]]).find((x) => x !== undefined);
    if (target === undefined) throw new Error("unresolved $ref " + schema.$ref);
    if (refsInProgress.has(target)) throw new Error("recursive $ref " + schema.$ref);
    refsInProgress.add(target);
    const packed = pack(target, stack, refsInProgress);
    refsInProgress.delete(target);
    const rest = Object.keys(schema).filter((k) => k !== "$ref" && !ANNOTATIONS.has(k));
    if (rest.length === 0) return packed;
    const { $ref, ...others } = schema;
    return intern({ allOf: [packed, pack(others, stack, refsInProgress)] });
  }
  const node = {};
  // zod's JSON Schema is of the parsed *output*: a member with a default is listed in
  // `required` although the input may omit it. Only members without a default are required.
  const optionalByDefault = (name) => {
    const p = schema.properties?.[name];
    return p && typeof p === "object" && "default" in p;
  };
  for (const [k, v] of Object.entries(schema)) {
    if (k === "required" && Array.isArray(v)) {
      const required = v.filter((name) => !optionalByDefault(name));
      if (required.length) node.required = required;
      continue;
    }
    if (ANNOTATIONS.has(k) && (typeof v !== "object" || v === null || k === "default" || k === "examples")) continue;
    if (k === "$defs" || k === "definitions") continue; // inlined where referenced
    if (MAP_OF_SCHEMAS.has(k) && v && typeof v === "object" && !Array.isArray(v)) {
      node[k] = Object.fromEntries(Object.entries(v).map(([name, s]) => [name, Array.isArray(s) ? s : pack(s, stack, refsInProgress)]));
    } else if (ONE_SCHEMA.has(k) && !Array.isArray(v)) {
      node[k] = pack(v, stack, refsInProgress);
    } else if ((LIST_OF_SCHEMAS.has(k) || k === "items") && Array.isArray(v)) {
      node[k] = v.map((s) => pack(s, stack, refsInProgress));
    } else {
      node[k] = v;
    }
  }
  return intern(node);
}

const header = { format: 1, releases: {} };
if (keep === "--keep") {
  const [first, ...lines] = fs.readFileSync(out, "utf8").split("\n").filter((l) => l !== "");
  Object.assign(header, JSON.parse(first));
  for (const line of lines) {
    index.set(line, nodes.length);
    nodes.push(line);
  }
}
for (const [version, entry] of Object.entries(releases)) {
  if (entry.schema) {
    const raw = JSON.parse(fs.readFileSync(entry.schema, "utf8"));
    header.releases[version] = { root: pack(raw, [], new Set()) };
  } else {
    header.releases[version] = { unavailable: entry.unavailable };
  }
}
fs.writeFileSync(out, [JSON.stringify(header), ...nodes].join("\n") + "\n");
console.error(`${out}: ${nodes.length} nodes, ${fs.statSync(out).size} bytes, ${Object.keys(header.releases).length} releases`);
