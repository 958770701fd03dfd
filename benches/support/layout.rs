//! Generates realistic host layouts of N gateways for benchmarks and whole-pipeline fuzzing:
//! named profiles with JSON5 comments, `$include`d channel files, `.env` files with tokens,
//! browser profiles, and a few deliberate collisions (shared ports, tokens, workspaces).

use std::fmt::Write as _;
use std::path::Path;

/// Base ports 120 apart where they fit; past that, gateways are packed 6 apart the way an
/// overfull host ends up, which makes footprints overlap.
fn base_port(i: usize) -> u16 {
    let slots = (65000 - 20000) / 120;
    if i < slots {
        (20000 + i * 120) as u16
    } else {
        (1100 + (i - slots) * 6 % 64000) as u16
    }
}

fn token(i: usize) -> String {
    // Every 97th gateway reuses its neighbour's bot: a real collision to find.
    let bot = if i % 97 == 1 { i - 1 } else { i };
    format!(
        "{}:AAFakeBenchToken{:08}xyzzy",
        7_000_000_000u64 + bot as u64,
        bot
    )
}

fn config(i: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// Tenant gateway t{i}, generated for benchmarks.");
    out.push_str("{\n");
    if i.is_multiple_of(3) {
        out.push_str("  $include: \"./channels.json5\",\n");
    }
    if i % 50 == 7 {
        // Forgot to pin a port: the profile hash decides.
        out.push_str("  // port left to OpenClaw\n");
    } else {
        let port = if i % 211 == 5 {
            base_port(i - 1)
        } else {
            base_port(i)
        };
        let _ = writeln!(
            out,
            "  gateway: {{ port: {port}, auth: {{ token: \"${{GW_TOKEN}}\" }} }},"
        );
    }
    if !i.is_multiple_of(3) {
        let _ = writeln!(
            out,
            "  channels: {{ telegram: {{ botToken: \"${{TG_TOKEN}}\", dmPolicy: \"pairing\" }} }},"
        );
    }
    if i.is_multiple_of(5) {
        out.push_str("  browser: {\n    profiles: {\n");
        for p in 0..3 {
            let _ = writeln!(
                out,
                "      p{p}: {{ cdpPort: {} }},",
                u32::from(base_port(i)) + 12 + p
            );
        }
        out.push_str("      ext: { driver: \"extension\" },\n    },\n  },\n");
    }
    if i % 113 == 3 {
        out.push_str("  agents: { defaults: { workspace: \"~/shared-workspace\" } },\n");
    }
    out.push_str("}\n");
    out
}

/// Writes N gateways under `home` (which must be empty or absent).
pub fn write_layout(home: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let dir = home.join(format!(".openclaw-t{i}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("openclaw.json"), config(i))?;
        let env = format!(
            "# tenant t{i} secrets\nTG_TOKEN={}\nGW_TOKEN=gw-{i:08}-secret\n",
            token(i)
        );
        std::fs::write(dir.join(".env"), env)?;
        if i.is_multiple_of(3) {
            let channels = format!(
                "// channels for t{i}\n{{ channels: {{ telegram: {{ botToken: \"{}\" }} }} }}\n",
                token(i)
            );
            std::fs::write(dir.join("channels.json5"), channels)?;
        }
    }
    Ok(())
}

/// A mixed host of `n` gateways: half native profiles (as [`write_layout`]), a quarter
/// compose stacks (each publishing its own loopback port; every 50th publishes a native
/// gateway's base port), and a quarter `openclaw fleet` cells in the default gateway's
/// registry (every 97th cell shares a native gateway's bot). No two stacks' compose files
/// are the same text, as on a real host: see [`compose_stack`].
pub fn write_mixed_layout(home: &Path, n: usize) -> std::io::Result<()> {
    let stacks = n / 4;
    let cells = n / 4;
    let natives = n.saturating_sub(stacks + cells + 1);
    write_layout(home, natives)?;
    let host = home.join(".openclaw");
    std::fs::create_dir_all(host.join("state"))?;
    std::fs::write(
        host.join("openclaw.json"),
        "// the fleet's host gateway\n{ gateway: { port: 18789 } }\n",
    )?;
    for i in 0..stacks {
        let dir = home.join("stacks").join(format!("s{i}"));
        let port = if i % 50 == 49 && natives > 0 {
            base_port(i % natives)
        } else {
            (10_000 + i) as u16
        };
        let stack = compose_stack(i, port);
        let config = dir.join(&stack.config_dir);
        std::fs::create_dir_all(&config)?;
        std::fs::write(dir.join("docker-compose.yml"), stack.compose)?;
        std::fs::write(dir.join(".env"), stack.dot_env)?;
        std::fs::write(
            config.join("openclaw.json"),
            format!(
                "{{ channels: {{ telegram: {{ botToken: \"{}\" }} }} }}\n",
                token(100_000 + i)
            ),
        )?;
    }
    let db = rusqlite::Connection::open(host.join("state").join("openclaw.sqlite"))
        .map_err(std::io::Error::other)?;
    db.execute_batch(
        "PRAGMA journal_mode=DELETE; CREATE TABLE IF NOT EXISTS fleet_cells (tenant_id TEXT NOT NULL PRIMARY KEY, created_at_ms INTEGER NOT NULL, image TEXT NOT NULL, runtime TEXT NOT NULL, host_port INTEGER NOT NULL, container_name TEXT NOT NULL, data_dir TEXT NOT NULL) STRICT; BEGIN;",
    )
    .map_err(std::io::Error::other)?;
    for i in 0..cells {
        let dir = host.join("fleet").join("cells").join(format!("c{i}"));
        std::fs::create_dir_all(&dir)?;
        let bot = if i % 97 == 96 && natives > 0 {
            token(i % natives)
        } else {
            token(200_000 + i)
        };
        std::fs::write(
            dir.join("openclaw.json"),
            format!("{{ channels: {{ telegram: {{ botToken: \"{bot}\" }} }} }}\n"),
        )?;
        db.execute(
            "INSERT INTO fleet_cells VALUES (?1, 0, 'ghcr.io/openclaw/openclaw:latest', 'docker', ?2, ?3, ?4)",
            rusqlite::params![
                format!("c{i}"),
                19_100 + i as i64,
                format!("openclaw-cell-c{i}"),
                dir.display().to_string()
            ],
        )
        .map_err(std::io::Error::other)?;
    }
    db.execute_batch("COMMIT;").map_err(std::io::Error::other)?;
    Ok(())
}

/// One generated compose stack: its compose file, its `.env`, and the directory (relative to
/// the stack) mounted as the gateway's state dir.
struct ComposeStack {
    compose: String,
    dot_env: String,
    config_dir: String,
}

/// Stack `i`, publishing its gateway on loopback `port`. Three shapes a host's stacks take,
/// each written for its tenant (as docker-setup.sh, a template or a hand edit leaves them),
/// so no two files are the same text: the official file with its variables in `.env`; a
/// templated file with the stack's `name:`, its port and mount written in; a hand-written one
/// with an anchor, a `container_name`, an `env_file` and the long port and mount syntax. Each
/// names its tenant, time zone and log level.
fn compose_stack(i: usize, port: u16) -> ComposeStack {
    const ZONES: [&str; 5] = [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Australia/Sydney",
    ];
    const LEVELS: [&str; 3] = ["info", "debug", "warn"];
    let zone = ZONES[i % ZONES.len()];
    let level = LEVELS[i % LEVELS.len()];
    let secret = format!("stack-{i:08}-secret");
    match i % 3 {
        0 => ComposeStack {
            compose: format!(
                "# Tenant s{i}: the official OpenClaw docker-compose.yml, as docker-setup.sh left it.\n\
                 services:\n  openclaw-gateway:\n    image: ${{OPENCLAW_IMAGE:-ghcr.io/openclaw/openclaw:latest}}\n\
                 \x20   environment:\n      HOME: /home/node\n      TERM: xterm-256color\n      TZ: {zone}\n\
                 \x20     OPENCLAW_LOG_LEVEL: {level}\n      OPENCLAW_GATEWAY_TOKEN: ${{OPENCLAW_GATEWAY_TOKEN}}\n\
                 \x20   volumes:\n      - ${{OPENCLAW_CONFIG_DIR}}:/home/node/.openclaw\n\
                 \x20   ports:\n      - \"127.0.0.1:${{OPENCLAW_GATEWAY_PORT:-18789}}:18789\"\n\
                 \x20   init: true\n    restart: unless-stopped\n\
                 \x20   command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n\
                 \n  openclaw-cli:\n    image: ${{OPENCLAW_IMAGE:-ghcr.io/openclaw/openclaw:latest}}\n\
                 \x20   environment:\n      HOME: /home/node\n      TZ: {zone}\n\
                 \x20   volumes:\n      - ${{OPENCLAW_CONFIG_DIR}}:/home/node/.openclaw\n\
                 \x20   stdin_open: true\n    tty: true\n    entrypoint: [\"node\", \"dist/index.js\"]\n"
            ),
            dot_env: format!(
                "# Written by docker-setup.sh for s{i}.\nOPENCLAW_CONFIG_DIR=./config\n\
                 OPENCLAW_GATEWAY_PORT={port}\nOPENCLAW_GATEWAY_TOKEN={secret}\n"
            ),
            config_dir: "config".to_string(),
        },
        1 => ComposeStack {
            compose: format!(
                "# Rendered from the tenant template for s{i} ({zone}).\n\
                 name: tenant-{i}\n\
                 services:\n  gateway:\n    image: ghcr.io/openclaw/openclaw:latest\n\
                 \x20   restart: unless-stopped\n\
                 \x20   environment:\n      - HOME=/home/node\n      - TZ={zone}\n\
                 \x20     - OPENCLAW_LOG_LEVEL={level}\n      - OPENCLAW_GATEWAY_TOKEN=${{GATEWAY_TOKEN}}\n\
                 \x20   volumes:\n      - ./state-s{i}:/home/node/.openclaw\n\
                 \x20   ports:\n      - \"127.0.0.1:{port}:18789\"\n\
                 \x20   command: [\"node\", \"openclaw.mjs\", \"gateway\", \"--allow-unconfigured\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n"
            ),
            dot_env: format!("GATEWAY_TOKEN={secret}\n"),
            config_dir: format!("state-s{i}"),
        },
        _ => ComposeStack {
            compose: format!(
                "# s{i}: written by hand for tenant {i}; the gateway's port is on loopback only.\n\
                 x-openclaw: &openclaw\n  image: ghcr.io/openclaw/openclaw:latest\n  restart: unless-stopped\n  init: true\n\
                 \nservices:\n  openclaw:\n    <<: *openclaw\n    container_name: s{i}-gateway\n\
                 \x20   env_file:\n      - .env\n\
                 \x20   environment:\n      TZ: {zone}\n      OPENCLAW_LOG_LEVEL: {level}\n\
                 \x20   volumes:\n      - type: bind\n        source: ./data\n        target: /home/node/.openclaw\n\
                 \x20   ports:\n      - target: 18789\n        published: \"{port}\"\n        host_ip: 127.0.0.1\n        protocol: tcp\n\
                 \x20   command: [\"node\", \"openclaw.mjs\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n"
            ),
            dot_env: format!("OPENCLAW_GATEWAY_TOKEN={secret}\nTENANT=s{i}\n"),
            config_dir: "data".to_string(),
        },
    }
}

/// Adversarial: `n` named profiles all on one base port (18789), each with a browser profile
/// pinned at the same CDP port, so every listener of every gateway collides with every other
/// gateway's and every reserved range overlaps every other. Output must grow with the
/// gateways, never with their pairs.
pub fn write_one_port_layout(home: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let dir = home.join(format!(".openclaw-p{i}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("openclaw.json"),
            "// everyone on the default port\n{ gateway: { port: 18789 }, browser: { profiles: { work: { cdpPort: 18850 } } } }\n",
        )?;
    }
    Ok(())
}

/// Adversarial: `n` gateways that all `$include` one shared file of about `kib` KiB (allowed
/// by `OPENCLAW_INCLUDE_ROOTS` in each gateway's `.env`): a file read by every gateway must
/// be read and parsed once.
pub fn write_shared_include_layout(home: &Path, n: usize, kib: usize) -> std::io::Result<()> {
    let shared = home.join("shared");
    std::fs::create_dir_all(&shared)?;
    let mut text = String::from("// shared by every tenant\n{\n  env: { vars: {\n");
    let mut i = 0;
    while text.len() < kib * 1024 {
        let _ = writeln!(
            text,
            "    SHARED_SETTING_{i:06}: \"value {i} of the shared file\","
        );
        i += 1;
    }
    text.push_str("  } },\n  logging: { level: \"info\" },\n}\n");
    std::fs::write(shared.join("common.json5"), text)?;
    for i in 0..n {
        let dir = home.join(format!(".openclaw-s{i}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(
            dir.join("openclaw.json"),
            format!(
                "{{ $include: \"{}/common.json5\", gateway: {{ port: {} }} }}\n",
                shared.display(),
                base_port(i)
            ),
        )?;
        std::fs::write(
            dir.join(".env"),
            format!("OPENCLAW_INCLUDE_ROOTS={}\n", shared.display()),
        )?;
    }
    Ok(())
}

/// Adversarial for fix planning: one gateway whose config holds `n` stale
/// `// clawlint-ignore` comments (each before a key no rule reports on), so `check` finds
/// `n` CL903 findings in one file, each with a fix removing its line. Every removal must cost
/// its own line, never the file's other suppressions or fixes.
pub fn write_stale_ignores_layout(home: &Path, n: usize) -> std::io::Result<()> {
    let dir = home.join(".openclaw-stale");
    std::fs::create_dir_all(&dir)?;
    let mut text = String::from("// a config that outlived its findings\n{\n  gateway: { port: 20000 },\n  env: { vars: {\n");
    for k in 0..n {
        let _ = writeln!(text, "    // clawlint-ignore CL203: fixed long ago ({k})");
        let _ = writeln!(text, "    SETTING_{k:06}: \"value {k}\",");
    }
    text.push_str("  } },\n}\n");
    std::fs::write(dir.join("openclaw.json"), text)
}

/// Adversarial for fix planning: `n` gateways in pairs, each pair sharing a workspace
/// (CL203), an agent dir (CL207) and a sandbox container prefix (CL407), and every gateway
/// pointing a browser profile at a loopback `cdpUrl` of its own without `attachOnly` (CL602):
/// thousands of small findings of one or two gateways each, whose fixes must not each look
/// at every gateway.
pub fn write_pairs_layout(home: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let pair = i / 2;
        let dir = home.join(format!(".openclaw-p{i}"));
        std::fs::create_dir_all(&dir)?;
        let port = base_port(i);
        let cdp = u32::from(port) + 12;
        let config = format!(
            "// gateway {i} of pair {pair}\n{{\n  gateway: {{ port: {port} }},\n  agents: {{\n    defaults: {{\n      workspace: \"~/pair{pair}/workspace\",\n      sandbox: {{ mode: \"all\", scope: \"shared\", docker: {{ containerPrefix: \"pair{pair}-sbx-\" }} }},\n    }},\n    entries: {{ main: {{ agentDir: \"~/pair{pair}/agent\" }} }},\n  }},\n  browser: {{ profiles: {{ mine: {{ cdpUrl: \"http://127.0.0.1:{cdp}\" }} }} }},\n}}\n"
        );
        std::fs::write(dir.join("openclaw.json"), config)?;
    }
    Ok(())
}
