// Generates the differential config set in tests/validity/cases/ (run once; the cases are
// committed, and their OpenClaw verdicts are recorded by scripts/record-validity.sh).
//
//   node scripts/validity-cases.mjs RAW_SCHEMA_2026.9.6.json OUT_DIR
//
// Three kinds of case:
//   rw-*   real-world shapes (reduced from public configs cited in fixtures/SOURCES.md, tokens
//          faked) and the keys the validity issue lists (written by hand below);
//   gen-*  generated from the schema: for leaves spread over every top-level section, one config
//          with a valid value and one with a value of the wrong type / out of range / not in the
//          enum / not matching the pattern (parents filled in with what `required` asks);
//   mut-*  mutations: a known key misspelt (unknown key, did-you-mean), a key moved one level
//          up or down, an object where a scalar goes, and legacy keys of older releases.
// Deterministic: a fixed-seed PRNG picks the leaves.
import fs from "node:fs";
import path from "node:path";

const [schemaPath, outDir] = process.argv.slice(2);
const schema = JSON.parse(fs.readFileSync(schemaPath, "utf8"));
fs.mkdirSync(outDir, { recursive: true });
let seed = 1234567;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const cases = new Map();
const add = (name, text) => {
  if (cases.has(name)) throw new Error("duplicate case " + name);
  cases.set(name, text);
};
const json = (v) => JSON.stringify(v, null, 2) + "\n";

// ---- hand-written: real-world shapes and the keys ----
const hand = {
  "rw-railway-telegram-lan": `// Shape of a Railway/Docker start script's heredoc (Alzxcvb/openclaw-telegram-bot start.sh)
{
  "agents": { "defaults": { "model": { "primary": "anthropic/claude-sonnet-4-5-20250929" } } },
  "channels": { "telegram": { "enabled": true, "dmPolicy": "open", "allowFrom": ["*"], "streamMode": "partial" } },
  "gateway": { "bind": "lan" }
}
`,
  "rw-golden-config-2026-1-30": `// Shape of Alfred-ai-assistant/openclaw-golden-config openclaw.json (written by 2026.1.30)
{
  "meta": { "lastTouchedVersion": "2026.1.30", "lastTouchedAt": "2026-02-06T21:00:00.000Z" },
  "wizard": { "lastRunAt": "2026-02-02T20:18:57.371Z", "lastRunVersion": "2026.1.30", "lastRunCommand": "doctor", "lastRunMode": "local" },
  "agents": {
    "defaults": {
      "model": { "primary": "moonshot/kimi-k2.5", "fallbacks": [] },
      "memorySearch": { "enabled": true, "provider": "local", "local": { "modelPath": "Xenova/all-MiniLM-L6-v2" } },
      "compaction": { "memoryFlush": { "enabled": true } },
      "typingMode": "instant",
      "maxConcurrent": 4,
      "subagents": { "maxConcurrent": 8 }
    }
  },
  "messages": { "ackReactionScope": "group-mentions", "groupChat": { "historyLimit": 8 } },
  "commands": { "native": "auto", "nativeSkills": "auto" },
  "channels": { "telegram": { "enabled": true, "dmPolicy": "pairing", "dmHistoryLimit": 8, "groupPolicy": "open", "streamMode": "off" } },
  "gateway": { "mode": "local", "bind": "loopback", "auth": { "mode": "token", "token": "fake-token-0001" } },
  "plugins": { "entries": { "telegram": { "enabled": true } } }
}
`,
  "rw-coolify-ollama": `// Shape of 35c0b4r/openclaw-coolify openclaw.json
{
  "gateway": { "mode": "local", "port": 18789, "bind": "lan", "auth": { "mode": "token" },
    "controlUi": { "enabled": true, "allowedOrigins": ["https://claw.example.com"] } },
  "models": { "providers": { "ollama": { "baseUrl": "http://192.168.110.146:11434", "apiKey": "ollama-local", "api": "ollama", "timeoutSeconds": 300,
    "models": [ { "id": "qwen3:8b", "name": "qwen3:8b", "input": ["text"], "contextTokens": 32768, "params": { "num_ctx": 32768, "keep_alive": "15m" } } ] } } },
  "agents": { "defaults": { "model": { "primary": "ollama/qwen3:8b" } } }
}
`,
  "rw-coolify-ollama-no-params": `// rw-coolify-ollama without the per-model params
{
  "gateway": { "mode": "local", "port": 18789, "bind": "lan", "auth": { "mode": "token" } },
  "models": { "providers": { "ollama": { "baseUrl": "http://192.168.110.146:11434", "apiKey": "ollama-local", "api": "ollama",
    "models": [ { "id": "qwen3:8b", "name": "qwen3:8b", "input": ["text"] } ] } } },
  "agents": { "defaults": { "model": { "primary": "ollama/qwen3:8b" } } }
}
`,
  "rw-multi-agent-list-2026-2": `// Shape of Bluewasabe/openclaw openclaw.json (agents.list roster, written by 2026.2.14)
{
  "logging": { "level": "info", "consoleLevel": "info", "consoleStyle": "pretty" },
  "models": { "mode": "merge", "providers": { "ollama": { "baseUrl": "http://ollama:11434", "apiKey": "ollama-local", "api": "ollama",
    "models": [ { "id": "qwen3:8b", "name": "Qwen 3 8B", "reasoning": false, "input": ["text"], "cost": { "input": 0, "output": 0, "cacheRead": 0, "cacheWrite": 0 }, "contextWindow": 32768, "maxTokens": 8192 } ] } } },
  "agents": {
    "defaults": { "model": { "primary": "ollama/qwen3:8b" }, "subagents": { "maxConcurrent": 2, "maxSpawnDepth": 1, "maxChildrenPerAgent": 5 } },
    "list": [
      { "id": "main", "default": true, "workspace": "~/.openclaw/workspace", "identity": { "name": "Main", "emoji": "🤖" }, "sandbox": { "mode": "off", "workspaceAccess": "rw" } },
      { "id": "coder", "name": "Coder", "skills": ["coding-agent"], "tools": { "allow": ["read", "write", "edit", "exec"] }, "sandbox": { "mode": "off", "workspaceAccess": "rw" } }
    ]
  },
  "commands": { "native": "auto", "nativeSkills": "auto" },
  "gateway": { "port": 18789, "mode": "local", "controlUi": { "enabled": true, "allowedOrigins": ["http://localhost:5173"] }, "auth": { "mode": "token" } },
  "meta": { "lastTouchedVersion": "2026.2.14", "lastTouchedAt": "2026-02-15T12:56:19.057Z" }
}
`,
  "rw-agents-list-no-default": `// Multi-agent roster without a default marker and without agents.ownership
{ "agents": { "list": [ { "id": "home" }, { "id": "work" } ] } }
`,
  "rw-agents-entries-no-ownership": `// agents.entries with two agents and no agents.ownership
{ "agents": { "entries": { "home": {}, "work": {} } } }
`,
  "rw-agents-entries-ownership": `// the same with agents.ownership
{ "agents": { "ownership": "explicit", "entries": { "home": {}, "work": {} } } }
`,
  "rw-agents-entries-default-marker": `// one legacy default=true marker instead of ownership
{ "agents": { "entries": { "home": { "default": true }, "work": {} } } }
`,
  "rw-agents-entries-two-defaults": `{ "agents": { "entries": { "home": { "default": true }, "work": { "default": true } } } }
`,
  "rw-agents-entries-empty": `{ "agents": { "entries": {} } }
`,
  "rw-agents-ownership-and-default": `{ "agents": { "ownership": "explicit", "entries": { "home": { "default": true }, "work": {} } } }
`,
  "rw-agents-entries-bad-id": `{ "agents": { "entries": { "Bad Id!": {} } } }
`,
  "rw-meta-last-touched-at": `{ "meta": { "lastTouchedVersion": "2026.3.2", "lastTouchedAt": "2026-03-04T10:00:00.000Z" }, "gateway": { "port": 19001 } }
`,
  "rw-meta-version-only": `{ "meta": { "lastTouchedVersion": "2026.9.6" }, "gateway": { "port": 19001 } }
`,
  "rw-tailscale-reset-on-exit": `{ "gateway": { "port": 18789, "tailscale": { "mode": "off", "resetOnExit": false } } }
`,
  "rw-tailscale-serve-lan": `{ "gateway": { "bind": "lan", "tailscale": { "mode": "serve" } } }
`,
  "rw-tailscale-serve-loopback": `{ "gateway": { "bind": "loopback", "tailscale": { "mode": "serve" } } }
`,
  "rw-commands-owner-display": `{ "commands": { "native": "auto", "ownerDisplay": "raw" } }
`,
  "rw-plugins-installs": `{ "plugins": { "entries": { "telegram": { "enabled": true } }, "installs": { "voice-call": { "source": "npm", "spec": "@openclaw/voice-call" } } } }
`,
  "rw-memory-search-defaults": `{ "agents": { "defaults": { "memorySearch": { "enabled": true, "provider": "openai" } } } }
`,
  "rw-ui-assistant": `{ "ui": { "assistant": { "name": "Clawd", "avatar": "🦞" } } }
`,
  "rw-control-ui-allow-insecure-auth": `{ "gateway": { "controlUi": { "enabled": true, "allowInsecureAuth": true } } }
`,
  "rw-tools-web-search-api-key": `{ "tools": { "web": { "search": { "enabled": true, "provider": "brave", "apiKey": "fake-brave-key-0001" } } } }
`,
  "rw-env-shorthand": `// the env shorthand: variables directly under env
{ "env": { "OPENROUTER_API_KEY": "sk-or-fake-0001", "vars": { "GROQ_API_KEY": "gsk-fake-0001" } } }
`,
  "rw-env-vars": `{ "env": { "vars": { "OPENROUTER_API_KEY": "sk-or-fake-0001" }, "shellEnv": { "enabled": false } } }
`,
  "rw-env-shorthand-number": `{ "env": { "CPU_CORES": 4 } }
`,
  "rw-port-out-of-range": `{ "gateway": { "port": 70000 } }
`,
  "rw-port-zero": `{ "gateway": { "port": 0 } }
`,
  "rw-port-string": `{ "gateway": { "port": "18789" } }
`,
  "rw-port-env-string": `{ "gateway": { "port": "\${GATEWAY_PORT}" } }
`,
  "rw-port-float": `{ "gateway": { "port": 18789.5 } }
`,
  "rw-port-null": `{ "gateway": { "port": null } }
`,
  "rw-port-negative": `{ "gateway": { "port": -1 } }
`,
  "rw-port-max": `{ "gateway": { "port": 65535 } }
`,
  "rw-cdp-port-range-start": `{ "browser": { "enabled": true, "cdpPortRangeStart": 19000 } }
`,
  "rw-browser-profiles": `{ "browser": { "enabled": true, "defaultProfile": "work", "profiles": { "work": { "cdpPort": 18850, "color": "#FF4500" }, "remote": { "cdpUrl": "http://10.0.0.5:9222", "color": "#00AA00" } } } }
`,
  "rw-browser-profile-no-port": `{ "browser": { "profiles": { "work": { "color": "#FF4500" } } } }
`,
  "rw-browser-profile-bad-color": `{ "browser": { "profiles": { "work": { "cdpPort": 18850, "color": "orange" } } } }
`,
  "rw-root-unknown-keys": `// a config from another tool's template: unknown top-level sections
{ "identity": { "role": "assistant" }, "model": { "provider": "ollama" }, "gateway": { "port": 18789 } }
`,
  "rw-schema-key": `{ "$schema": "https://example.com/openclaw.schema.json", "gateway": { "port": 18789 } }
`,
  "rw-empty": `{}
`,
  "rw-telegram-accounts": `{ "channels": { "telegram": { "enabled": true, "accounts": { "main": { "botToken": "123456:fake-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" }, "alerts": { "botToken": "654321:fake-token-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "webhookUrl": "https://bot.example.com/tg", "webhookSecret": "fake-secret", "webhookPort": 8787 } } } } }
`,
  "rw-telegram-accounts-array": `// accounts as an array, as some guides write it
{ "channels": { "telegram": { "accounts": [ { "token": "fake-token", "enabled": true } ] } } }
`,
  "rw-unknown-channel": `{ "channels": { "foochan": { "enabled": true } } }
`,
  "rw-telegram-typo": `{ "channels": { "telegram": { "enabled": true, "botTokn": "123456:fake-token-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" } } }
`,
  "rw-gateway-auth-token-ref": `{ "gateway": { "auth": { "mode": "token", "token": { "source": "env", "provider": "default", "id": "OPENCLAW_GATEWAY_TOKEN" } } } }
`,
  "rw-gateway-auth-token-ref-bad-id": `{ "gateway": { "auth": { "mode": "token", "token": { "source": "env", "provider": "default", "id": "lower_case" } } } }
`,
  "rw-gateway-auth-bad-mode": `{ "gateway": { "auth": { "mode": "tokens" } } }
`,
  "rw-gateway-bind-ip": `// bind as an address, as older guides wrote it
{ "gateway": { "bind": "127.0.0.1", "port": 18789 } }
`,
  "rw-gateway-token-top": `// gateway.token at the top of gateway (another tool's shape)
{ "gateway": { "bind": "loopback", "port": 18789, "token": "fake-token" } }
`,
  "rw-bindings-unknown-agent": `{ "agents": { "entries": { "main": {} } }, "bindings": [ { "agentId": "work", "match": { "channel": "telegram" } } ] }
`,
  "rw-bindings-known-agent": `{ "agents": { "entries": { "main": {} } }, "bindings": [ { "agentId": "main", "match": { "channel": "telegram" } } ] }
`,
  "rw-logging-file": `{ "logging": { "level": "debug", "file": "/var/log/openclaw/gw.log" } }
`,
  "rw-logging-bad-level": `{ "logging": { "level": "verbose" } }
`,
  "rw-models-provider-no-models": `{ "models": { "providers": { "local": { "baseUrl": "http://127.0.0.1:8080/v1", "api": "openai-completions" } } } }
`,
  "rw-skills-entries": `{ "skills": { "entries": { "weather": { "enabled": true } } } }
`,
  "rw-hooks-token": `{ "hooks": { "enabled": true, "token": "fake-hook-token", "path": "/hooks" } }
`,
  "rw-sandbox-docker": `{ "agents": { "defaults": { "sandbox": { "mode": "non-main", "scope": "shared", "docker": { "image": "openclaw-sandbox:bookworm-slim", "containerPrefix": "oc-main-" } } } } }
`,
  "rw-cron": `{ "cron": { "enabled": true } }
`,
  "rw-session-scope": `{ "session": { "scope": "per-sender", "reset": { "mode": "daily", "atHour": 4 } } }
`,
  "rw-session-bad-hour": `{ "session": { "reset": { "mode": "daily", "atHour": 25 } } }
`,
  "rw-messages-queue": `{ "messages": { "queue": { "mode": "collect", "debounceMs": 1000, "cap": 20 } } }
`,
  "rw-messages-queue-bad-mode": `{ "messages": { "queue": { "mode": "batch" } } }
`,
  "rw-top-level-array": `[]
`,
  "rw-agents-list-single": `{ "agents": { "list": [ { "id": "main", "identity": { "name": "Samantha", "emoji": "🦥" } } ] } }
`,
  "rw-identity-avatar-home": `{ "agents": { "entries": { "main": { "identity": { "avatar": "~/avatar.png" } } } } }
`,
  "rw-heartbeat-unknown-agent": `{ "agents": { "defaults": { "heartbeat": { "agentId": "ghost" } }, "entries": { "main": {} } } }
`,
  "rw-mcp-servers": `{ "mcp": { "servers": { "fs": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"] } } } }
`,
  "rw-update-channel": `{ "update": { "channel": "stable" } }
`,
  "rw-update-bad-channel": `{ "update": { "channel": "nightly" } }
`,
  "rw-discovery-mdns": `{ "discovery": { "mdns": { "mode": "off" } } }
`,
  "rw-trailing-commas-json5": `// JSON5 with comments, unquoted keys, single quotes and trailing commas
{
  gateway: { port: 20000, bind: 'loopback', },
  agents: { defaults: { workspace: '~/work', }, },
}
`,
};
for (const [name, text] of Object.entries(hand)) add(name, text);

// Include cases: directories with openclaw.json and parts (written below as multi-file maps).
const includeCases = {
  "inc-valid-split": { "openclaw.json": `{ "$include": "./gateway.json5", "agents": { "defaults": { "workspace": "~/w" } } }\n`, "gateway.json5": `{ gateway: { port: 20000, bind: "loopback" } }\n` },
  "inc-unknown-key-in-part": { "openclaw.json": `{ "$include": "./gateway.json5" }\n`, "gateway.json5": `{ gateway: { port: 20000, bogusKey: true } }\n` },
  "inc-nested-subtree": { "openclaw.json": `{ "gateway": { "$include": "./gw.json5" } }\n`, "gw.json5": `{ port: 20001, bind: "lan" }\n` },
  "inc-nested-full-root": { "openclaw.json": `{ "gateway": { "$include": "./full.json5" } }\n`, "full.json5": `{ gateway: { port: 20001 } }\n` },
  "inc-array-merge-override": { "openclaw.json": `{ "$include": ["./a.json5", "./b.json5"], "gateway": { "port": 20300 } }\n`, "a.json5": `{ gateway: { port: 20100, trustedProxies: ["10.0.0.1"] } }\n`, "b.json5": `{ gateway: { port: 70000, trustedProxies: ["10.0.0.2"] } }\n` },
  "inc-bad-type-in-part": { "openclaw.json": `{ "$include": "./a.json5" }\n`, "a.json5": `{ logging: { level: 5 } }\n` },
  "inc-legacy-in-part": { "openclaw.json": `{ "$include": "./a.json5" }\n`, "a.json5": `{ meta: { lastTouchedAt: "2026-01-01T00:00:00Z" } }\n` },
  "inc-env-shorthand-in-part": { "openclaw.json": `{ "$include": "./env.json5" }\n`, "env.json5": `{ env: { FOO_KEY: "bar" } }\n` },
};

// ---- generated from the schema ----
const isObj = (s) => s && typeof s === "object" && !Array.isArray(s);
function typeOf(s) {
  if (!isObj(s)) return undefined;
  if (Array.isArray(s.type)) return s.type[0];
  return s.type;
}
// A valid value for a schema (simple cases only; undefined when unsure).
function validValue(s, depth = 0) {
  if (!isObj(s) || depth > 6) return undefined;
  if ("const" in s) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  if (s.anyOf) { for (const b of s.anyOf) { const v = validValue(b, depth + 1); if (v !== undefined) return v; } return undefined; }
  if (s.oneOf) return validValue(s.oneOf[0], depth + 1);
  switch (typeOf(s)) {
    case "boolean": return true;
    case "integer": case "number": {
      let lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? Math.floor(s.exclusiveMinimum) + 1 : 0);
      let hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? Math.ceil(s.exclusiveMaximum) - 1 : lo + 100);
      if (hi > 1e9) hi = lo + 100;
      return Math.max(lo, Math.min(hi, lo + 1));
    }
    case "string": {
      if (s.pattern || s.format) return undefined;
      const n = Math.max(1, s.minLength ?? 1);
      return "x".repeat(Math.min(n, s.maxLength ?? n));
    }
    case "array": {
      if ((s.minItems ?? 0) === 0) return [];
      const v = validValue(s.items, depth + 1);
      return v === undefined ? undefined : Array(s.minItems).fill(v);
    }
    case "object": {
      const out = {};
      for (const r of s.required ?? []) {
        const v = validValue(s.properties?.[r], depth + 1);
        if (v === undefined) return undefined;
        out[r] = v;
      }
      return out;
    }
  }
  return undefined;
}
// Invalid values of a few kinds for a leaf schema.
function invalidValues(s) {
  const out = [];
  const t = typeOf(s);
  if (Array.isArray(s.enum)) out.push(["enum", s.enum.every((x) => typeof x === "string") ? "not-a-valid-choice" : 987654]);
  if (t === "boolean") out.push(["type", "yes"]);
  if (t === "integer" || t === "number") {
    out.push(["type", "12"]);
    if (s.maximum !== undefined && s.maximum < 1e9) out.push(["max", s.maximum + 1]);
    if (s.minimum !== undefined) out.push(["min", s.minimum - 1]);
    else if (s.exclusiveMinimum !== undefined) out.push(["min", s.exclusiveMinimum]);
    if (t === "integer") out.push(["int", (s.minimum ?? 1) + 0.5]);
  }
  if (t === "string") {
    out.push(["type", 42]);
    if (s.pattern) out.push(["pattern", " bad value !"]);
    if (s.minLength) out.push(["minlen", ""]);
  }
  if (t === "array") out.push(["type", "not-an-array"]);
  if (t === "object") out.push(["type", "not-an-object"]);
  return out;
}
// Leaves reachable through plain objects, with the path of schemas down to them.
const leaves = [];
function walk(s, p, chain) {
  if (!isObj(s) || p.length > 5) return;
  if (typeOf(s) === "object" && isObj(s.properties)) {
    for (const [k, sub] of Object.entries(s.properties)) {
      if (k === "$schema") continue;
      walk(sub, [...p, k], [...chain, s]);
    }
    return;
  }
  if (p.length >= 2 && ["boolean", "integer", "number", "string", "array"].includes(typeOf(s)) || (p.length >= 2 && Array.isArray(s.enum))) leaves.push({ path: p, schema: s, chain });
}
walk(schema, [], []);
// Build a config that sets path to value, filling each parent's required members.
function build(path, chain, value) {
  const root = {};
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    const parent = chain[i];
    for (const r of parent.required ?? []) {
      if (r === path[i]) continue;
      const v = validValue(parent.properties?.[r]);
      if (v === undefined) return undefined;
      cur[r] = v;
    }
    if (i === path.length - 1) cur[path[i]] = value;
    else cur = cur[path[i]] = {};
  }
  return root;
}
// Spread the picks over the top-level sections.
const bySection = new Map();
for (const l of leaves) {
  if (l.path[0] === "plugins" && l.path[1] === "entries") continue;
  const key = l.path[0];
  if (!bySection.has(key)) bySection.set(key, []);
  bySection.get(key).push(l);
}
let gen = 0;
for (const [section, list] of [...bySection.entries()].sort()) {
  const picks = Math.min(list.length, 3);
  const chosen = new Set();
  while (chosen.size < picks) chosen.add(Math.floor(rand() * list.length));
  for (const i of [...chosen].sort((a, b) => a - b)) {
    const leaf = list[i];
    const id = leaf.path.join(".");
    const good = validValue(leaf.schema);
    if (good !== undefined) {
      const cfg = build(leaf.path, leaf.chain, good);
      if (cfg) { add(`gen-valid-${id}`, json(cfg)); gen++; }
    }
    const bad = invalidValues(leaf.schema);
    if (bad.length) {
      const [kind, v] = bad[Math.floor(rand() * bad.length)];
      const cfg = build(leaf.path, leaf.chain, v);
      if (cfg) { add(`gen-${kind}-${id}`, json(cfg)); gen++; }
    }
  }
}

// ---- mutations: misspelt keys (did-you-mean), misplaced keys, objects for scalars ----
function misspell(k) {
  const r = rand();
  if (k.length > 3 && r < 0.35) { const i = 1 + Math.floor(rand() * (k.length - 2)); return k.slice(0, i) + k.slice(i + 1); }
  if (r < 0.6) return k.length > 1 ? k[0].toUpperCase() === k[0] ? k.toLowerCase() : k.slice(0, -1) + k.slice(-1).toUpperCase() : k + "s";
  if (r < 0.8) return k + "s";
  return k.replace(/([A-Z])/, (m) => "_" + m.toLowerCase()) === k ? k + "_" : k.replace(/([A-Z])/, (m) => "_" + m.toLowerCase());
}
const objects = [];
(function walkObjects(s, p, chain) {
  if (!isObj(s) || p.length > 4) return;
  if (typeOf(s) === "object" && isObj(s.properties) && s.additionalProperties === false) {
    objects.push({ path: p, schema: s, chain });
    for (const [k, sub] of Object.entries(s.properties)) walkObjects(sub, [...p, k], [...chain, s]);
  }
})(schema, [], []);
const seenObj = new Set();
let mut = 0;
while (mut < 45 && seenObj.size < objects.length) {
  const o = objects[Math.floor(rand() * objects.length)];
  const id = o.path.join(".") || "root";
  if (seenObj.has(id)) continue;
  seenObj.add(id);
  const keys = Object.keys(o.schema.properties).filter((k) => k !== "$schema");
  if (!keys.length) continue;
  const k = keys[Math.floor(rand() * keys.length)];
  const wrong = misspell(k);
  if (keys.includes(wrong)) continue;
  const v = validValue(o.schema.properties[k]);
  if (v === undefined) continue;
  let cfg;
  if (o.path.length === 0) cfg = { [wrong]: v };
  else {
    cfg = build(o.path, o.chain, {});
    if (!cfg) continue;
    let cur = cfg;
    for (const seg of o.path) cur = cur[seg];
    const filled = validValue(o.schema);
    if (filled === undefined) continue;
    Object.assign(cur, filled, { [wrong]: v });
  }
  add(`mut-typo-${id}.${wrong}`, json(cfg));
  mut++;
}
// scalar where an object goes, and object where a scalar goes, on top-level sections
for (const section of ["gateway", "agents", "channels", "browser", "logging", "session", "tools", "messages", "hooks", "models"]) {
  add(`mut-scalar-for-object-${section}`, json({ [section]: true }));
}
for (const [p, v] of [["gateway.bind", { mode: "lan" }], ["gateway.mode", { value: "local" }], ["logging.level", ["info"]], ["agents.defaults.workspace", { path: "~/w" }], ["browser.enabled", { on: true }]]) {
  const parts = p.split(".");
  const cfg = {};
  let cur = cfg;
  parts.slice(0, -1).forEach((seg) => (cur = cur[seg] = {}));
  cur[parts.at(-1)] = v;
  add(`mut-object-for-scalar-${p}`, json(cfg));
}

// ---- legacy keys: every top-level key or gateway/agents.defaults key of the oldest release
// that the newest no longer has (needs the older schema; optional third argument) ----
const oldPath = process.argv[4];
if (oldPath && fs.existsSync(oldPath)) {
  const old = JSON.parse(fs.readFileSync(oldPath, "utf8"));
  const pairs = [[[], old, schema]];
  for (const k of ["gateway", "agents", "browser", "tools", "commands", "channels", "session", "messages", "logging", "hooks", "ui", "plugins"]) {
    if (old.properties?.[k] && schema.properties?.[k]) pairs.push([[k], old.properties[k], schema.properties[k]]);
  }
  if (old.properties?.agents?.properties?.defaults && schema.properties?.agents?.properties?.defaults) pairs.push([["agents", "defaults"], old.properties.agents.properties.defaults, schema.properties.agents.properties.defaults]);
  let legacy = 0;
  for (const [p, o, n] of pairs) {
    for (const [k, sub] of Object.entries(o.properties ?? {})) {
      if (n.properties?.[k] || legacy >= 40) continue;
      const v = validValue(sub);
      if (v === undefined) continue;
      const cfg = {};
      let cur = cfg;
      p.forEach((seg) => (cur = cur[seg] = {}));
      cur[k] = v;
      add(`legacy-${[...p, k].join(".")}`, json(cfg));
      legacy++;
    }
  }
}

for (const [name, text] of cases) fs.writeFileSync(path.join(outDir, `${name}.json5`), text);
for (const [name, files] of Object.entries(includeCases)) {
  fs.mkdirSync(path.join(outDir, name), { recursive: true });
  for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(outDir, name, f), text);
}
console.error(`${cases.size + Object.keys(includeCases).length} cases (${gen} generated, ${mut} typos)`);
