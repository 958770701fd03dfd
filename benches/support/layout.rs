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
