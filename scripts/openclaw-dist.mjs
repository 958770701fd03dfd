// Shared by the extractors that read OpenClaw's own code (scripts/extract-retired-keys.mjs,
// scripts/extract-migrations.mjs): release order, the recorded schemas' paths, importing a name a
// minified dist module exports, a release's migration list, the command line, the installed
// releases, JSON leaves and --check against the checked-in table (review D3: one copy of each).
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
// "a.b.*" -> {segs, type (the first release's, in release order), types (every release's, in
// that order: 2026.1.30 has agents.defaults.model an object, later releases a string or one),
// enumv (the first enum value or const), enums (all of them), minLength (the largest)}.
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
      if (!old) paths.set(key, { segs, type: type ?? "string", types: [type ?? "string"], enumv: s.enum?.[0] ?? s.const, enums: [...enums], minLength: s.minLength ?? 0 });
      else {
        if (!old.types.includes(type ?? "string")) old.types.push(type ?? "string");
        for (const e of enums) if (!old.enums.includes(e)) old.enums.push(e);
        old.minLength = Math.max(old.minLength, s.minLength ?? 0);
      }
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

// ---- what every extractor does the same way ----

// The repository root (scripts/..).
export const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

// `[--check] [--cache DIR] [RELEASE...]`: the extractors' command line.
export function extractorArgs(argv) {
  let cache = "/work/oracle-cache";
  let check = false;
  const wanted = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") check = true;
    else if (argv[i] === "--cache") cache = argv[++i];
    else wanted.push(argv[i]);
  }
  return { cache, check, wanted };
}

// The releases installed under the oracle cache (those named, or all), oldest first; exits 2
// when there is none.
export function installedReleases(cache, wanted) {
  const versions = (wanted.length ? wanted : fs.readdirSync(cache).filter((v) => /^\d+\.\d+\.\d+/.test(v)))
    .filter((v) => fs.existsSync(path.join(cache, v, "node_modules/openclaw/dist")))
    .sort(compare);
  if (versions.length === 0) {
    console.error(`no OpenClaw release installed under ${cache}`);
    process.exit(2);
  }
  return versions;
}

// Every leaf of a JSON value by its dotted path (an empty object or array is a leaf), as JSON.
export function leaves(v, prefix = [], out = new Map()) {
  if (v && typeof v === "object") {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    if (entries.length === 0) out.set(prefix.join("."), JSON.stringify(v));
    for (const [k, x] of entries) leaves(x, [...prefix, k], out);
  } else out.set(prefix.join("."), JSON.stringify(v));
  return out;
}

// A schema path's segments as a probe has them: a record key `*` is "probe", an item `[]` is 0.
export function concrete(segs) {
  return segs.map((s) => (s === "*" ? "probe" : s === "[]" ? "0" : s));
}

// A release's legacy doctor migrations (`LEGACY_CONFIG_MIGRATIONS`, undefined before they were
// exported as a list) and `withoutPluginInstallRecords` (what the start guard strips first).
// With `older`, a release that does not export the list gets what it does have: 2026.1.30's
// unbundled dist/config/legacy.migrations.js (the list, with its ids), else the exported
// `applyLegacyMigrations` (every migration in one call, as `migrateLegacyConfig` runs them),
// listed as one migration of that name.
export async function releaseMigrations(dist, { older = false, readMigrates = false } = {}) {
  const files = distFiles(dist);
  const legacy = files.filter((f) => path.basename(f).startsWith("legacy"));
  let migrations = await importExport(legacy, "LEGACY_CONFIG_MIGRATIONS");
  const strip = Array.isArray(migrations)
    ? await importExport(files.filter((f) => path.basename(f).startsWith("installed-plugin-index-records")), "withoutPluginInstallRecords")
    : undefined;
  if (!Array.isArray(migrations) && readMigrates) {
    // 2026.4.29: the list is not exported, but the config read runs it in memory
    // (`applyRuntimeLegacyConfigMigrations`, not exported either): the doctor migrations
    // (`applyLegacyDoctorMigrations`: the list, then the channel plugins' compatibility
    // migrations), then the runtime compatibility normalizations
    // (`normalizeBaseCompatibilityConfigValues`), composed here as that function composes them.
    const defining = files.filter((f) => fs.readFileSync(f, "utf8").includes("function applyRuntimeLegacyConfigMigrations("));
    const doctor = await importExport(defining, "applyLegacyDoctorMigrations");
    const normalize = await importExport(defining, "normalizeBaseCompatibilityConfigValues");
    if (typeof doctor === "function" && typeof normalize === "function") {
      migrations = [{
        id: "applyRuntimeLegacyConfigMigrations",
        describe: "the release's legacy migrations, run by its config read in memory (this build does not export them one by one)",
        apply(config) {
          const migrated = doctor(config);
          const changes = [...migrated.changes];
          const next = normalize(structuredClone(migrated.next ?? config), changes);
          if (changes.length === 0) return;
          for (const k of Object.keys(config)) delete config[k];
          Object.assign(config, next);
        },
      }];
      migrations.names = idsDefinedIn(defining);
    }
  }
  if (!Array.isArray(migrations) && older) {
    const unbundled = path.join(dist, "config/legacy.migrations.js");
    if (fs.existsSync(unbundled)) migrations = (await import(pathToFileURL(unbundled).href)).LEGACY_CONFIG_MIGRATIONS;
    else {
      const defining = files.filter((f) => fs.readFileSync(f, "utf8").includes("function applyLegacyMigrations("));
      const applyAll = await importExport(defining, "applyLegacyMigrations");
      if (typeof applyAll === "function") {
        // The ids of the migrations it runs, read from the code that defines them (each
        // `{ id: "...", describe: ... }`), so that the keys they name are probed too.
        migrations = [{
          id: "applyLegacyMigrations",
          describe: "the release's legacy migrations, run together (this build does not export them one by one)",
          apply(config, changes) {
            const { next } = applyAll(config);
            if (!next) return;
            for (const k of Object.keys(config)) delete config[k];
            Object.assign(config, next);
          },
        }];
        migrations.names = idsDefinedIn(defining);
      }
    }
  }
  return { files, legacy, migrations: Array.isArray(migrations) ? migrations : undefined, strip };
}

// The ids of the migrations the given files define (each `{ id: "...", describe: ... }`), so
// that the keys they name are probed too.
function idsDefinedIn(files) {
  const names = new Set();
  for (const f of files) for (const [, id] of fs.readFileSync(f, "utf8").matchAll(/\bid: "([^"]+)",\s*describe:/g)) names.add(id);
  return [...names];
}

// Whether the release's config read (every `config validate`, every gateway start) runs the
// legacy migrations in memory on every config and validates the result (2026.4.29:
// `resolveLegacyConfigForRead` -> `applyRuntimeLegacyConfigMigrations(resolvedConfigRaw)`).
export function readMigratesLegacy(dist) {
  return distFiles(dist).some((f) => fs.readFileSync(f, "utf8").includes("applyRuntimeLegacyConfigMigrations(resolvedConfigRaw)"));
}

// Whether the release's config read validates the config without its plugin install records
// (`plugins.installs`, stripped by `migrateAndStripShippedPluginInstallConfigRecords` at
// "config.snapshot.read.plugin-install-migration"; 2026.4.29 on, until the start guard's
// releases moved it into doctor).
export function readStripsInstallRecords(dist) {
  return distFiles(dist).some((f) => fs.readFileSync(f, "utf8").includes('"config.snapshot.read.plugin-install-migration"'));
}

// Whether the release's gateway start migrates legacy config itself before it validates
// (2026.1.30 to 2026.3.31: `migrateLegacyConfig(configSnapshot.parsed)` in startGatewayServer,
// then the file is written). Looks in dist/ and dist/gateway/ (2026.1.30 is unbundled).
export function startMigratesLegacy(dist) {
  const gateway = path.join(dist, "gateway");
  const files = [...distFiles(dist), ...(fs.existsSync(gateway) ? distFiles(gateway) : [])];
  return files.some((f) => fs.readFileSync(f, "utf8").includes("migrateLegacyConfig(configSnapshot.parsed)"));
}

// --check: the checked-in file's entry for each installed release (the newest entry not newer
// than it) must be what was extracted; the file may know more releases. Exits 0 or 1.
export function checkEntries({ file, entries, versions, none, script }) {
  const current = JSON.parse(fs.readFileSync(file, "utf8")).releases;
  const known = Object.keys(current).sort(compare);
  const at = (table, keys, v) => table[[...keys].reverse().find((k) => compare(k, v) <= 0)];
  let bad = 0;
  for (const v of versions) {
    const want = JSON.stringify(at(current, known, v) ?? none);
    const got = JSON.stringify(at(entries, Object.keys(entries).sort(compare), v) ?? none);
    if (want !== got) {
      console.log(`${v}: ${path.relative(repoRoot, file)} differs from the installed release; rerun ${script}`);
      bad++;
    }
  }
  process.exit(bad ? 1 : 0);
}

// Writes a one-release data file generated from the package of `version` (`text`), or with
// `check` compares it with the checked-in one (exit 1 on a difference); `script` is how to
// regenerate it. Used by scripts/extract-env-names.mjs and scripts/extract-model-suppressions.mjs.
export function writeOrCheck({ file, text, check, version, script, count }) {
  if (check) {
    const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (old !== text) {
      console.error(`${path.relative(repoRoot, file)} differs from openclaw@${version}: rerun ${script}`);
      process.exit(1);
    }
    return;
  }
  fs.writeFileSync(file, text);
  console.log(`${count} from openclaw@${version} -> ${path.relative(repoRoot, file)}`);
}

// The command line of a one-release extractor (`[--check] [--cache DIR | PACKAGE_DIR]`): whether
// to check, the installed `openclaw` package (PACKAGE_DIR, else the 2026.9.6 release under the
// cache, default /work/oracle-cache) and its version. Without a package there, a check is
// skipped (exit 0, as tests/common's extractor check expects) and a write fails.
export function onePackage(argv) {
  const check = argv.includes("--check");
  const cacheAt = argv.indexOf("--cache");
  const cache = cacheAt >= 0 ? argv[cacheAt + 1] : "/work/oracle-cache";
  const pkg =
    argv.find((a, i) => !a.startsWith("--") && (cacheAt < 0 || i !== cacheAt + 1)) ??
    path.join(cache, "2026.9.6/node_modules/openclaw");
  if (!fs.existsSync(path.join(pkg, "package.json"))) {
    console.error(`skipped: no openclaw package at ${pkg}`);
    process.exit(check ? 0 : 1);
  }
  const version = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8")).version;
  return { check, pkg, version };
}
