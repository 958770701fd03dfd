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
/// compose stacks (the official file, each publishing its own loopback port; every 50th
/// publishes a native gateway's base port), and a quarter `openclaw fleet` cells in the
/// default gateway's registry (every 97th cell shares a native gateway's bot).
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
        std::fs::create_dir_all(dir.join("config"))?;
        let port = if i % 50 == 49 && natives > 0 {
            base_port(i % natives)
        } else {
            (10_000 + i) as u16
        };
        let compose = "services:\n  openclaw-gateway:\n    image: ${OPENCLAW_IMAGE:-ghcr.io/openclaw/openclaw:latest}\n    environment:\n      HOME: /home/node\n      OPENCLAW_GATEWAY_TOKEN: ${OPENCLAW_GATEWAY_TOKEN}\n    volumes:\n      - ${OPENCLAW_CONFIG_DIR}:/home/node/.openclaw\n    ports:\n      - \"127.0.0.1:${OPENCLAW_GATEWAY_PORT:-18789}:18789\"\n    command: [\"node\", \"dist/index.js\", \"gateway\", \"--bind\", \"lan\", \"--port\", \"18789\"]\n  openclaw-cli:\n    image: ${OPENCLAW_IMAGE:-ghcr.io/openclaw/openclaw:latest}\n    volumes:\n      - ${OPENCLAW_CONFIG_DIR}:/home/node/.openclaw\n    entrypoint: [\"node\", \"dist/index.js\"]\n";
        std::fs::write(dir.join("docker-compose.yml"), compose)?;
        std::fs::write(
            dir.join(".env"),
            format!("OPENCLAW_CONFIG_DIR=./config\nOPENCLAW_GATEWAY_PORT={port}\nOPENCLAW_GATEWAY_TOKEN=stack-{i:08}-secret\n"),
        )?;
        std::fs::write(
            dir.join("config").join("openclaw.json"),
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
