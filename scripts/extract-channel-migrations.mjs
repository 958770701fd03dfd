// Extracts, from the installed OpenClaw release (2026.9.6), what its channel plugins' own doctor
// migrations do to the config keys they act on, into data/channel-doctor-migrations.json, which
// build.rs compiles into src/validate/migrations.rs's table beside the core migrations
// (scripts/extract-migrations.mjs, data/doctor-migrations.json).
//
//   node scripts/extract-channel-migrations.mjs [--check] [--cache DIR | PACKAGE_DIR]
//
// What the start runs (2026.9.6, read from its dist): the start repair
// (automatic-startup-config-repair-*.mjs `planConfigRepair`) calls `applyLegacyDoctorMigrations`
// (io.snapshot-*.mjs), which runs LEGACY_CONFIG_MIGRATIONS and then
// `applyChannelDoctorCompatibilityMigrations`: for every channel the raw config has a block for
// (`listDoctorConfiguredChannelIds`, enabled or not), the channel's bundled doctor contract
// (extensions/<id>/doctor-contract-api.js, else the bootstrap channel plugin's
// `doctor.normalizeCompatibilityConfig`), and, with plugin contracts (the start repair that
// validates with the plugins; not the pre-bootstrap read's `resolveStartupConfigSnapshot`), the
// plugin doctor contracts of the channels, plugin entries and providers the config names
// (`applyPluginDoctorCompatibilityMigrations`: an installed plugin's contract, else the bundled
// channel's dist/config-doctor/<id>.js `normalizeCompatibilityConfig`, whether the plugin is
// enabled or not). Those are code, so they are probed as the core ones are: every `channels.*`
// key some recorded schema (data/openclaw-schemas.jsonl) accepts, with a value of its type,
// goes alone through the core list and then through the release's own
// `applyChannelDoctorCompatibilityMigrations` with plugin contracts; what the channel stage
// changes is recorded per key (move / remove / rewrite, as scripts/lib/probes.mjs's `effect`
// says), with the channel whose plugin did it (`by`) and whether the stage does it without plugin contracts too
// (`preBootstrap`: the bundled contract-api ones, e.g. telegram's). Not probed: what needs
// several keys or a value the probes do not try (signal's httpUrl, whose migration leaves a URL
// it cannot place as it is; signal's httpHost/httpPort, which it moves beside an account).
import fs from "node:fs";
import path from "node:path";
import { build, display, effect, recorded, sampleValues, withoutCovered } from "./lib/probes.mjs";
import { concrete, distFiles, importExport, onePackage, releaseMigrations, repoRoot as repo, schemaPaths, writeOrCheck } from "./openclaw-dist.mjs";

const { check, pkg, version } = onePackage(process.argv.slice(2));
const out = path.join(repo, "data/channel-doctor-migrations.json");
const dist = path.join(pkg, "dist");
// The plugins' doctor code reads the state dir and plugin index of $HOME: a scratch one.
const home = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "clawlint-channel-migrations-"));
process.env.HOME = home;
process.env.OPENCLAW_STATE_DIR = path.join(home, ".openclaw");
process.on("exit", () => fs.rmSync(home, { recursive: true, force: true }));
{
  const channelStage = await importExport(distFiles(dist), "applyChannelDoctorCompatibilityMigrations");
  if (!channelStage) {
    console.error(`openclaw@${version}: no applyChannelDoctorCompatibilityMigrations in its dist`);
    process.exit(1);
  }
  const { migrations, strip } = await releaseMigrations(dist);
  const core = (raw) => {
    const next = strip ? strip(structuredClone(raw)) : structuredClone(raw);
    for (const m of migrations ?? []) {
      const saved = JSON.stringify(next);
      try {
        m.apply(next, [], { authoredRaw: raw, resolvedRaw: raw });
      } catch {
        for (const k of Object.keys(next)) delete next[k];
        Object.assign(next, JSON.parse(saved));
      }
    }
    return next;
  };
  const effects = new Map();
  let probes = 0;
  for (const [key, info] of schemaPaths(repo)) {
    if (info.segs[0] !== "channels" || info.segs.length < 3) continue;
    const channel = info.segs[1];
    if (channel === "*" || channel === "defaults") continue;
    const samples = sampleValues(info);
    for (const value of samples) {
      const raw = build(info.segs, value);
      const target = concrete(info.segs).join(".");
      const before = core(raw);
      const start = JSON.stringify(before);
      probes++;
      const withPlugins = channelStage(structuredClone(before), { pluginContracts: true });
      if (JSON.stringify(withPlugins.next) === start) continue;
      const e = effect(before, withPlugins.next, target, value);
      if (!e) continue;
      const bare = channelStage(structuredClone(before), { pluginContracts: false });
      const preBootstrap = JSON.stringify(bare.next) === JSON.stringify(withPlugins.next);
      const rec = { from: display(info.segs), ...e, by: [channel], preBootstrap };
      if (rec.to !== undefined) rec.to = Array.isArray(rec.to) ? [...new Set(rec.to.map((t) => display(t.split("."))))] : display(rec.to.split("."));
      const k = JSON.stringify(rec);
      const old = effects.get(k);
      const when = typeof value !== "object" || value === null ? value : undefined;
      const n = samples.filter((v) => typeof v !== "object" || v === null).length;
      if (!old) effects.set(k, { ...rec, values: when === undefined ? undefined : [when], any: when === undefined, n, key });
      else if (when === undefined) old.any = true;
      else if (!old.any && !old.values.some((v) => JSON.stringify(v) === JSON.stringify(when))) old.values.push(when);
    }
  }
  const found = [...effects.values()];
  const kept = withoutCovered(found);
  const list = kept
    .map((e) => {
      const o = recorded(e);
      o.by = e.by;
      o.preBootstrap = e.preBootstrap;
      return o;
    })
    .sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : JSON.stringify(x) < JSON.stringify(y) ? -1 : 1));
  const doc = {
    about:
      "What the channel plugins' own doctor migrations of one OpenClaw release (applyChannelDoctorCompatibilityMigrations: each configured channel's bundled doctor contract and, with plugin contracts, its plugin's normalizeCompatibilityConfig) do to the config keys they act on, probed one key at a time after the core migrations (data/doctor-migrations.json). The gateway's start repair runs them after the core list, in channel id order, whether the channel or its plugin is enabled or not. Generated by scripts/extract-channel-migrations.mjs from node_modules/openclaw/dist; do not edit. It holds for `release` and later ones. effects: as in data/doctor-migrations.json (from, kind, to, when, by: the channel); preBootstrap: the channel stage does it without plugin contracts too (a bundled doctor contract), as the pre-bootstrap read's repair does.",
    release: version,
    effects: list,
  };
  let text = "{\n \"about\": " + JSON.stringify(doc.about) + ",\n \"release\": " + JSON.stringify(version) + ",\n \"effects\": [\n";
  text += list.map((e) => "  " + JSON.stringify(e)).join(",\n") + "\n ]\n}\n";
  JSON.parse(text);
  console.error(`openclaw@${version}: ${probes} probes, ${list.length} effects of ${new Set(list.map((e) => e.by[0])).size} channel plugins`);
  writeOrCheck({ file: out, text, check, version, script: "scripts/extract-channel-migrations.mjs", count: `${list.length} channel migration effects` });
}
