// How the extractors probe OpenClaw's migrations: the values a probe gives a key, the one-key
// config it builds, and what a migration did to the probed key (scripts/extract-migrations.mjs,
// scripts/extract-channel-migrations.mjs).
import { leaves } from "../openclaw-dist.mjs";

// Strings a migration's code compares a key's value with (`isLegacyMemorySearchAutoProvider`:
// a provider "auto"; `isUnsupportedSandboxBrowserNetwork`: a network "none"), tried on every
// string key of that name besides its schema's values.
export const VALUE_HINTS = { provider: ["auto"], network: ["none"] };

export const MARK = "clawlint-probe";
// Values of every type some release gives the path (a key one release types as an object and
// an older one as a string is probed with both).
export function sampleValues(info) {
  const values = [];
  for (const type of info.types ?? [info.type]) {
    for (const v of sampleValuesOf({ ...info, type })) if (!values.some((x) => JSON.stringify(x) === JSON.stringify(v))) values.push(v);
  }
  return values;
}

export function sampleValuesOf(info) {
  const values = [];
  for (const e of info.enums ?? []) values.push(e);
  switch (info.type) {
    case "boolean": values.push(true, false); break;
    case "integer": case "number": values.push(7, 0, 70000); break;
    case "object": values.push({ [MARK]: MARK }); break;
    case "array": values.push([MARK]); break;
    case "null": values.push(null); break;
    case "any": values.push(true, 7, MARK, { [MARK]: MARK }, [MARK]); break;
    default: values.push(MARK);
  }
  // A host alias newer releases replace with a bind mode.
  if (info.segs.at(-1) === "bind") values.push("127.0.0.1", "0.0.0.0");
  if (info.type === "string") for (const h of VALUE_HINTS[info.segs.at(-1)] ?? []) if (!values.includes(h)) values.push(h);
  return values;
}

export function build(segs, value, parent) {
  if (segs.length === 0) return value;
  const [head, ...rest] = segs;
  if (head === "[]") {
    const item = build(rest, value);
    // An agent of a roster list has an id (the roster migration keys entries by it).
    return [item && typeof item === "object" && !Array.isArray(item) && parent === "list" ? { id: "probe", ...item } : item];
  }
  return { [head === "*" ? "probe" : head]: build(rest, value, head) };
}

export const display = (segs) => segs.map((s) => (s === "[]" || s === "probe" || /^\d+$/.test(s) ? "*" : s)).join(".");
export const under = (p, target) => p === target || p.startsWith(target + ".");

// What one migration did to the probed key, from the config before and after it.
export function effect(before, after, target, value) {
  const b = leaves(before);
  const a = leaves(after);
  const kept = [...a.keys()].some((p) => under(p, target));
  const added = [...a].filter(([p, v]) => b.get(p) !== v && !(v === "{}" || v === "[]"));
  const gone = [...b.keys()].some((p) => under(p, target) && !a.has(p));
  // A migration that only adds something next to the key (seeding a default) leaves it as it
  // was: nothing about this key is repaired.
  const changed = [...b].some(([p, v]) => under(p, target) && a.get(p) !== v) || [...a.keys()].some((p) => under(p, target) && !b.has(p));
  if (!changed) return undefined;
  if (!kept && added.length === 0) return { kind: "remove" };
  // Where the probed value (or the probed object's member) landed.
  const wantLeaf = typeof value === "object" && value !== null && !Array.isArray(value) ? JSON.stringify(MARK) : undefined;
  if (!kept || gone) {
    const moved = added.filter(([p, v]) => !under(p, target) && (wantLeaf ? v === wantLeaf && p.endsWith("." + MARK) : b.get(target) === v || (Array.isArray(value) && v === JSON.stringify(MARK))));
    if (moved.length === 1) {
      let to = moved[0][0];
      if (wantLeaf) to = to.slice(0, -(MARK.length + 1));
      else if (Array.isArray(value)) to = to.replace(/\.\d+$/, "");
      return { kind: "move", to };
    }
  }
  const to = [...new Set(added.map(([p]) => p).filter((p) => !under(p, target)))].sort();
  if (kept && !gone && added.every(([p]) => !under(p, target)) && to.length === 0) return undefined;
  return { kind: "rewrite", ...(to.length ? { to } : {}) };
}

// The effects no parent's effect already covers: a parent moved or removed whole covers its
// members' identical effects (same kind and migrations, the same relative target).
export function withoutCovered(found) {
  const covers = (p, e) => p !== e && e.from.startsWith(p.from + ".") && p.kind === e.kind && JSON.stringify(p.by) === JSON.stringify(e.by) && (p.kind === "remove" || (p.kind === "move" && typeof e.to === "string" && e.to === p.to + e.from.slice(p.from.length)));
  return found.filter((e) => !found.some((p) => covers(p, e)));
}

// An effect as the data file records it: the key, what happens to it, where it goes, and the
// values that trigger it when not every probed value of the key does.
export function recorded(e) {
  const o = { from: e.from, kind: e.kind };
  if (e.to !== undefined) o.to = e.to;
  if (!e.any && e.values && e.values.length < e.n) o.when = e.values.map((v) => (v === MARK ? "*" : v));
  return o;
}
