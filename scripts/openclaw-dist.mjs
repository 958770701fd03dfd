// Shared by the extractors that read OpenClaw's own code (scripts/extract-retired-keys.mjs,
// scripts/extract-migrations.mjs): release order, the recorded schemas' paths, and importing a
// name a minified dist module exports.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

export function compare(a, b) {
  const pa = a.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  }
  return 0;
}

// Every path any recorded release's schema (data/openclaw-schemas.jsonl) accepts:
// "a.b.*" -> {segs, type, enumv (the first enum value or const), enums (all of them)}.
export function schemaPaths(repo) {
  const lines = fs.readFileSync(path.join(repo, "data/openclaw-schemas.jsonl"), "utf8").split("\n");
  const header = JSON.parse(lines[0]);
  const node = (n) => (typeof n === "number" ? JSON.parse(lines[n + 1]) : n);
  const paths = new Map();
  const walk = (n, segs, depth, seen) => {
    const s = node(n);
    if (!s || typeof s !== "object" || depth > 9) return;
    if (typeof n === "number") {
      if (seen.has(n)) return;
      seen = new Set(seen).add(n);
    }
    if (s.$ref !== undefined) return walk(s.$ref, segs, depth, seen);
    for (const k of ["anyOf", "oneOf", "allOf"]) for (const b of s[k] ?? []) walk(b, segs, depth, seen);
    const type = Array.isArray(s.type) ? s.type[0] : s.type;
    if (segs.length > 0 && (type || s.enum || s.const !== undefined)) {
      const key = segs.join(".");
      const enums = s.enum ?? (s.const !== undefined ? [s.const] : []);
      const old = paths.get(key);
      if (!old) paths.set(key, { segs, type: type ?? "string", enumv: s.enum?.[0] ?? s.const, enums: [...enums] });
      else for (const e of enums) if (!old.enums.includes(e)) old.enums.push(e);
    }
    for (const [k, c] of Object.entries(s.properties ?? {})) walk(c, [...segs, k], depth + 1, seen);
    if (s.additionalProperties && typeof s.additionalProperties !== "boolean") walk(s.additionalProperties, [...segs, "*"], depth + 1, seen);
    if (s.items && !Array.isArray(s.items)) walk(s.items, [...segs, "[]"], depth + 1, seen);
  };
  for (const r of Object.values(header.releases)) if (r.root !== undefined) walk(r.root, [], 0, new Set());
  return paths;
}

export function distFiles(dist) {
  return fs.readdirSync(dist).filter((f) => /\.(m?js)$/.test(f)).map((f) => path.join(dist, f));
}

// The name a module exports `local` as (minified: `export { f as n }`).
export function exportedAs(text, local) {
  const m = /export\s*\{([^}]*)\}\s*;?\s*$/.exec(text);
  if (!m) return undefined;
  for (const part of m[1].split(",")) {
    const [l, e] = part.trim().split(/\s+as\s+/);
    if (l === local) return e ?? l;
  }
  return undefined;
}

export async function importExport(files, local) {
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    if (!text.includes(local)) continue;
    const name = exportedAs(text, local);
    if (name === undefined) continue;
    const mod = await import(pathToFileURL(f).href);
    if (mod[name] !== undefined) return mod[name];
  }
  return undefined;
}
