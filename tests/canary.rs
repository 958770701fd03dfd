//! Secret canaries: fixtures/secrets-canary/home puts a distinctive token in every position a
//! credential can take (literal, `${VAR}` and `$VAR` from a state-dir `.env`, a tokenFile, an
//! `$include`d file, a file SecretRef, Discord, Slack bot and app tokens, gateway auth token
//! and password, a token duplicated across gateways so findings point at it, a token on a line
//! shown as context next to a finding, and tokens right next to a syntax error), and in the
//! places a secret can hide beyond those (service files' environment and arguments,
//! `browser.cdpUrl` query tokens and passwords, HTTP auth headers, a literal password starting
//! with `$`, commented-out lines), then runs every output format of `check` and `resolve`
//! (and `ports` and `plan`) and looks for any of them in stdout and stderr.
//!
//! fixtures/secrets-positions/home holds the positions where a value is secret although
//! nothing about its key or shape says so (issue 11): string array items, `env` blocks,
//! keys like `encryptKey`, `pwd` or `key`, malformed `.env` lines, a credential in a
//! `_HOST` URL, a `.env` line missing its newline, `SetCredential=` and `ExecStartPre=`
//! headers, digit-free `--password` arguments in a unit and a `gateway.cmd`, unquoted and
//! backtick tokens on a JSON5 syntax error, CDP URLs with a token in the path or fragment and a
//! webhook URL with a token in its path. clawlint shows a value only when it knows the value is
//! not secret, so none of them may appear either, in any format or command, nor anywhere in
//! any file's text as clawlint would show it.
//!
//! A token counts as leaked when the whole canary, or any 8-character piece of its secret part,
//! appears in the output (after ANSI colour codes are removed): that catches tokens cut by line
//! wrapping or partly masked. The public half of a Telegram token (the bot id before `:`) may be
//! shown; everything after the colon is secret.

use clap::ValueEnum;
use std::path::PathBuf;
use std::process::Command;

const HOME: &str = "fixtures/secrets-canary/home";
const POSITIONS_HOME: &str = "fixtures/secrets-positions/home";
/// The fingerprint key the runs share, so that a test can compute a canary's fingerprint.
const KEY: &str = "clawlint tests";

/// A token in the fixture: where it is, the token as written, and whether clawlint resolves it
/// as a gateway's credential (so its fingerprint must show in `resolve --format json`).
struct Canary {
    position: &'static str,
    token: &'static str,
    resolved: bool,
}

impl Canary {
    /// The part that must never be shown: after the bot id for Telegram tokens.
    fn secret(&self) -> &'static str {
        match self.token.split_once(':') {
            Some((id, rest)) if id.bytes().all(|b| b.is_ascii_digit()) => rest,
            _ => self.token,
        }
    }
}

const fn canary(position: &'static str, token: &'static str, resolved: bool) -> Canary {
    Canary {
        position,
        token,
        resolved,
    }
}

/// Every credential position of the brief: each token the linter reads as a credential (or
/// sees next to a syntax error).
const CANARIES: &[Canary] = &[
    canary(
        "literal telegram botToken in ~/.openclaw/openclaw.json (shared with rescue)",
        "7000000001:CANARY-tglit-1ad9f4dd833a6612",
        true,
    ),
    canary(
        "literal gateway.auth.token in ~/.openclaw and ~/.openclaw-rescue (shared)",
        "CANARY-gwauth-7700de0ed6e140c0",
        true,
    ),
    canary(
        "discord token from a file SecretRef (secrets.providers.vault, ~/secrets/vault.json)",
        "CANARY-dsfile-e9a2ef87a0116573",
        true,
    ),
    canary(
        "slack botToken \"${SLACK_MAIN_BOT_TOKEN}\" from ~/.openclaw/.env (shared with ops's include)",
        "xoxb-CANARY-slkenv-5588219c4d5b8973",
        true,
    ),
    canary(
        "slack appToken \"$SLACK_MAIN_APP\" shorthand from ~/.openclaw/.env",
        "xapp-CANARY-slkappenv-5a8047ded2963e51",
        true,
    ),
    canary(
        "discord token \"$DISCORD_RESCUE\" shorthand from ~/.openclaw-rescue/.env (line after a finding's label)",
        "CANARY-dsenv-133bd1589b6a3002",
        true,
    ),
    canary(
        "slack bot token next to the syntax error in ~/.openclaw-rescue/extra.json5 ($include)",
        "xoxb-CANARY-slkbroken-4df5a8732506c1cc",
        false,
    ),
    canary(
        "slack app token on the syntax error's line in ~/.openclaw-rescue/extra.json5 ($include)",
        "xapp-CANARY-slkbroken-5a6d1f0c93b2e874",
        false,
    ),
    canary(
        "gateway.auth.token on the same line as ops's colliding gateway.port",
        "CANARY-gwctx-ccd607b898726f9a",
        true,
    ),
    canary(
        "slack appToken in ~/.openclaw-ops/channels.json5 ($include)",
        "xapp-CANARY-slkapp-d2f31bf699d047e8",
        true,
    ),
    canary(
        "OPENCLAW_GATEWAY_PASSWORD in ~/.openclaw-ops/.env",
        "CANARY-gwpass-49a2e2ae27e87f15",
        true,
    ),
    canary(
        "telegram tokenFile ~/tokens/ops-telegram.txt",
        "7000000003:CANARY-tgfile-6a2e783aaac24642",
        true,
    ),
    canary(
        "literal telegram botToken right before the syntax error in ~/.openclaw-broken/openclaw.json",
        "7000000009:CANARY-tgbroken-81b28eb0de16f9e8",
        false,
    ),
];

/// Values in the service files: ops's systemd unit (openclaw-gateway-ops.service), on the
/// lines around the `ExecStart=` a CL101 label points at and in its `EnvironmentFile=`, and
/// rescue's LaunchAgent (ai.openclaw.rescue.plist). `openclaw gateway` takes `--token` and
/// `--password` (docs/cli/gateway/running.md), so a service's arguments can hold a secret.
const SERVICE: &[Canary] = &[
    canary(
        "`--token` argument on the unit's ExecStart= line, which a CL101 label points at",
        "CANARY-execarg-9091929394959697",
        false,
    ),
    canary(
        "`--password=` argument in the LaunchAgent's ProgramArguments, next to the string a CL101 label points at",
        "CANARY-plistarg-b0b1b2b3b4b5b6b7",
        false,
    ),
    canary(
        "RESCUE_SPARE in the LaunchAgent's EnvironmentVariables",
        "7000000025:CANARY-plistenv-c0c1c2c3c4c5c6c7",
        false,
    ),
    canary(
        "SLACK_SPARE_TOKEN in the LaunchAgent's EnvironmentVariables",
        "xoxb-CANARY-plistenv2-d0d1d2d3d4d5d6d7",
        false,
    ),
    canary(
        "Environment=OPENCLAW_GATEWAY_TOKEN=... in the unit, the line above ExecStart=",
        "CANARY-unitenv-a1b2c3d4e5f60718",
        false,
    ),
    canary(
        "quoted Environment=\"TG_OPS_UNIT=...\" in the unit, the line below ExecStart=",
        "7000000011:CANARY-unitq-0718e5f6d4c3b2a1",
        false,
    ),
    canary(
        "unquoted DISCORD_OPS=... after a quoted word on the same Environment= line",
        "CANARY-unitds-1b2b3b4b5b6b7b8b",
        false,
    ),
    canary(
        "SLACK_OPS_SPARE in the unit's EnvironmentFile ~/.openclaw-ops/gateway.systemd.env",
        "xoxb-CANARY-envfile-c0ffee00deadbeef",
        false,
    ),
];

/// Credentials inside `browser.cdpUrl`: a hosted CDP service's `?token=` (Browserless and
/// Notte, as OpenClaw's docs/tools/browser/remote.md configure them), shared by main and ops so
/// CL601 fires on it, and a user:password in rescue's URL.
const CDP_URL: &[Canary] = &[
    canary(
        "?token= of the browserless cdpUrl shared by ~/.openclaw and ~/.openclaw-ops (CL601)",
        "CANARY-cdpq-3e9d51a07c2b8f46",
        false,
    ),
    canary(
        "password in rescue's browser.cdpUrl http://admin:PASSWORD@host:9222",
        "CANARY-cdpuser-8b2f6e0d4a1c9357",
        false,
    ),
];

/// Secrets the secret-key list does not recognise: a literal `gateway.auth.password` that
/// starts with `$` (but is no `$VAR` reference: lowercase, a dash), and HTTP auth headers as
/// OpenClaw's docs configure them (`mcp.servers.*.headers.Authorization`,
/// `models.providers.*.headers["cf-aig-authorization"]`, an `x-api-key` header). All sit on
/// the lines around the ones a finding points at.
const OTHER: &[Canary] = &[
    canary(
        "literal gateway.auth.password \"$uper-...\" on the line of rescue's shared auth token (CL305)",
        "CANARY-dollar-0f9e8d7c6b5a4938",
        // Resolved, but as the whole value `$uper-CANARY-…`, so its fingerprint is not this
        // token's.
        false,
    ),
    canary(
        "mcp.servers.docs.headers.Authorization \"Bearer ...\" in ~/.openclaw-ops, the line below a CL601 label",
        "CANARY-bearer-1a2b3c4d5e6f7a8b",
        false,
    ),
    canary(
        "models.providers.corp.headers[\"x-api-key\"] in ~/.openclaw-ops, the line above a CL601 label",
        "CANARY-xapikey-9c8d7e6f5a4b3c2d",
        false,
    ),
    canary(
        "models.providers.corp.headers[\"cf-aig-authorization\"] in ~/.openclaw-ops, the line above a CL601 label",
        "CANARY-cfaig-5e4d3c2b1a0f9e8d",
        false,
    ),
];

/// Tokens that are not credentials OpenClaw reads but that a user left in the files: a
/// commented-out `.env` line next to a line a finding points at.
const COMMENTED: &[Canary] = &[canary(
    "commented-out \"# TG_RESCUE=...\" line in ~/.openclaw-rescue/.env, just above the line a CL101 label points at",
    "7000000002:CANARY-tgold-ac3aaa77e46426a8",
    false,
)];

/// Values in fixtures/secrets-positions/home that are secret although neither their key nor
/// their shape says so: clawlint must show a value only when it knows it is not secret.
const POSITIONS: &[Canary] = &[
    canary(
        "`--token` item of mcp.servers.db.args (a string array)",
        "CANARY-argtok-0a9b8c7d6e5f4a3b",
        false,
    ),
    canary(
        "password in a postgresql:// URL item of mcp.servers.db.args",
        "CANARY-argpg-1f2e3d4c5b6a7980",
        false,
    ),
    canary(
        "env.vars.DATABASE_LINK (no secret word in the key)",
        "CANARY-envvars-4c1e9b7a2d3f8e60",
        false,
    ),
    canary(
        "env.ANALYTICS_WRITE shorthand (no secret word in the key; CL908 points at it)",
        "CANARY-envshort-8e2d4f6a1c3b5d70",
        false,
    ),
    canary("encryptKey", "CANARY-encrk-a1a2a3a4a5a6a7a8", false),
    canary("aesKey", "CANARY-aeskey-b1b2b3b4b5b6b7b8", false),
    canary("accessKey", "CANARY-accsk-c1c2c3c4c5c6c7c8", false),
    canary("pwd", "CANARY-pwdkey-d1d2d3d4d5d6d7d8", false),
    canary("pass", "CANARY-passkey-e1e2e3e4e5e6e7e8", false),
    canary("key", "CANARY-barekey-f1f2f3f4f5f6f7f8", false),
    canary(
        "token in the path of main's cdpUrl (CL601 message and label, resolve)",
        "CANARY-cdppath-2b4d6f8a0c1e3a5c",
        false,
    ),
    canary(
        "token in the fragment of ops's cdpUrl (CL601 label, resolve)",
        "CANARY-cdpfrag-4d6f8a0c2e3b5d7f",
        false,
    ),
    canary(
        "token in the /bot<id>:<token>/ path of a Telegram webhookUrl",
        "CANARY-whkpth-9d8c7b6a5f4e3d2c",
        false,
    ),
    canary(
        "malformed .env line `OPENAI_API_KEY  sk-...` (no `=`)",
        "sk-CANARY-envspc-3a5c7e9b1d2f4a6c",
        false,
    ),
    canary(
        "`KEY:value` .env line",
        "CANARY-envcolon-5b7d9f1a3c4e6a8b",
        false,
    ),
    canary(
        "`\"KEY\"=value` .env line",
        "CANARY-envqtd-7c9e1b3d5f6a8c0d",
        false,
    ),
    canary(
        "password in DB_HOST=postgres://admin:PASSWORD@db (a `_HOST` key)",
        "CANARY-dbhost-9e1a3c5b7d8f0b2d",
        false,
    ),
    canary(
        ".env line missing its newline: OPENCLAW_GATEWAY_PORT=19789OPENCLAW_GATEWAY_TOKEN=... (CL107)",
        "CANARY-nonwln-6e8a0c2b4d5f7b9e",
        false,
    ),
    canary(
        "unquoted token on a JSON5 syntax error's line",
        "xoxb-CANARY-unqtd-8f0b2d4c6e7a9c1e",
        false,
    ),
    canary(
        "backtick-quoted token on a JSON5 syntax error's line",
        "xapp-CANARY-bktck-0a2c4e6d8f9b1d3f",
        false,
    ),
    canary(
        "unit SetCredential=",
        "CANARY-setcred-1b3d5f7e9a0c2e4a",
        false,
    ),
    canary(
        "header in a unit's ExecStartPre= curl -H",
        "CANARY-execpre-3c5e7a9f0b1d3f5b",
        false,
    ),
    canary(
        "digit-free `--password` argument on a unit's ExecStart=",
        "CANARY-qzebrax-unitpwqk",
        false,
    ),
    canary(
        "digit-free value of a unit's BACKUP_UNIT= (a `_UNIT` name anyone may choose)",
        "CANARY-spareunit-xqkzvwplmn",
        false,
    ),
    canary(
        "digit-free `--password` argument in gateway.cmd",
        "CANARY-slpotter-wincmdpwqk",
        false,
    ),
];

/// Every canary of every group, for telling one canary's pieces from another's.
fn all_canaries() -> impl Iterator<Item = &'static Canary> {
    CANARIES
        .iter()
        .chain(SERVICE)
        .chain(CDP_URL)
        .chain(OTHER)
        .chain(COMMENTED)
        .chain(POSITIONS)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every way to run clawlint over the fixture: each `check` format (the list in
/// src/commands.rs `FORMATS`), human output with and without colour, and `resolve`; then
/// `ports` and `plan`, which also print what they resolved. The flag says whether the exit
/// code must be 0 or 1 (for `ports` and `plan` only a crash counts).
fn runs(home: &str) -> Vec<(String, Vec<String>, bool)> {
    let mut runs = Vec::new();
    let check = |extra: &[&str]| {
        let mut args: Vec<String> = ["check", "--home", home, "--no-config"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    };
    for color in ["never", "always"] {
        runs.push((
            format!("check --format human --color {color}"),
            check(&["--format", "human", "--color", color]),
            true,
        ));
    }
    // Every format `check` has, so that a new one is covered as soon as it exists.
    let formats = clawlint::report::Format::value_variants()
        .iter()
        .filter_map(|f| f.to_possible_value())
        .map(|v| v.get_name().to_string())
        .filter(|name| name != "human");
    for format in formats {
        let format = format.as_str();
        runs.push((
            format!("check --format {format}"),
            check(&["--format", format]),
            true,
        ));
    }
    let owned = |args: &[&str]| args.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    for format in ["human", "json"] {
        runs.push((
            format!("resolve --format {format}"),
            owned(&["resolve", "--home", home, "--no-config", "--format", format]),
            true,
        ));
    }
    for format in ["human", "json"] {
        runs.push((
            format!("ports --format {format}"),
            owned(&["ports", "--home", home, "--no-config", "--format", format]),
            false,
        ));
        runs.push((
            format!("plan --add probe --format {format}"),
            owned(&[
                "plan",
                "--add",
                "probe",
                "--home",
                home,
                "--no-config",
                "--format",
                format,
            ]),
            false,
        ));
    }
    // `--diff` shows context lines of the files a fix would change.
    runs.push((
        "check --diff --unsafe-fixes".to_string(),
        check(&["--diff", "--unsafe-fixes"]),
        false,
    ));
    runs
}

fn run(args: &[String]) -> (Option<i32>, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_clawlint"))
        .args(args)
        .current_dir(root())
        .env_clear()
        .env("CLAWLINT_FINGERPRINT_KEY", KEY)
        .output()
        .expect("clawlint runs");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), strip_ansi(&text))
}

/// Removes ANSI escape sequences (CSI `ESC [ ... final` and OSC `ESC ] ... BEL/ST`), which
/// could otherwise split a token in coloured output.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' || (c == '\u{1b}' && chars.peek() == Some(&'\\')) {
                        if c == '\u{1b}' {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Every line of `output` where `canary` shows, whole or as an 8-character piece of its
/// secret part that no other canary has, as "line N: text".
fn leaks_of(canary: &Canary, output: &str) -> Vec<String> {
    let secret: Vec<char> = canary.secret().chars().collect();
    let others: Vec<&str> = all_canaries()
        .filter(|c| c.token != canary.token)
        .map(|c| c.token)
        .collect();
    let pieces: Vec<String> = secret
        .windows(8)
        .map(|w| w.iter().collect::<String>())
        .filter(|p| !others.iter().any(|o| o.contains(p.as_str())))
        .collect();
    assert!(
        pieces.len() >= 8,
        "{} is not distinctive enough",
        canary.token
    );
    output
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(canary.token) || pieces.iter().any(|p| line.contains(p)))
        .map(|(i, line)| format!("    line {}: {}", i + 1, line.trim_end()))
        .collect()
}

fn find_leaks(canaries: &[Canary]) -> Vec<String> {
    find_leaks_in(HOME, canaries)
}

fn find_leaks_in(home: &str, canaries: &[Canary]) -> Vec<String> {
    let mut report = Vec::new();
    for (name, args, strict) in runs(home) {
        let (code, output) = run(&args);
        let ok = match strict {
            true => matches!(code, Some(0) | Some(1)),
            false => code.is_some_and(|c| c != 101),
        };
        assert!(
            ok,
            "`clawlint {}` exited {code:?}:\n{output}",
            args.join(" ")
        );
        for canary in canaries {
            let lines = leaks_of(canary, &output);
            if !lines.is_empty() {
                report.push(format!(
                    "`clawlint {name}` shows the {} ({}):\n{}",
                    canary.position,
                    canary.token,
                    lines.join("\n")
                ));
            }
        }
    }
    report
}

#[test]
fn no_credential_appears_in_any_output() {
    let leaks = find_leaks(CANARIES);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn no_service_file_secret_appears_in_any_output() {
    let leaks = find_leaks(SERVICE);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn no_cdp_url_credential_appears_in_any_output() {
    let leaks = find_leaks(CDP_URL);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn no_secret_under_an_unlisted_key_appears_in_any_output() {
    let leaks = find_leaks(OTHER);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn no_commented_out_token_appears_in_any_output() {
    let leaks = find_leaks(COMMENTED);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

#[test]
fn no_value_of_unknown_secrecy_appears_in_any_output() {
    let leaks = find_leaks_in(POSITIONS_HOME, POSITIONS);
    assert!(
        leaks.is_empty(),
        "{} secret leak(s):\n\n{}",
        leaks.len(),
        leaks.join("\n\n")
    );
}

/// Whatever lines a finding shows, they come from the file's text as shown: so no canary may
/// be left anywhere in any file clawlint read, as it would show it.
#[test]
fn no_canary_is_left_in_any_file_as_shown() {
    use clap::Parser;
    let mut report = Vec::new();
    for home in [HOME, POSITIONS_HOME] {
        let cli = clawlint::cli::Cli::parse_from([
            "clawlint",
            "resolve",
            "--home",
            &root().join(home).display().to_string(),
            "--no-config",
        ]);
        let clawlint::cli::Command::Resolve(args) = cli.command else {
            unreachable!()
        };
        let Ok((inventory, _, _)) = clawlint::commands::load(&args.input) else {
            panic!("{home} does not load")
        };
        for (_, file) in inventory.sources.files() {
            let shown = file.redacted_text();
            for canary in all_canaries() {
                let lines = leaks_of(canary, &shown);
                if !lines.is_empty() {
                    report.push(format!(
                        "{} as shown holds the {} ({}):\n{}",
                        file.path.display(),
                        canary.position,
                        canary.token,
                        lines.join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} leak(s):\n\n{}",
        report.len(),
        report.join("\n\n")
    );
}

/// The fixture really exercises every position: each resolvable canary is resolved (its
/// fingerprint shows in `resolve --format json`), and the findings that show the files fire.
#[test]
fn every_canary_is_read() {
    let (_, json) = run(&[
        "resolve".into(),
        "--home".into(),
        HOME.into(),
        "--no-config".into(),
        "--format".into(),
        "json".into(),
    ]);
    for canary in all_canaries().filter(|c| c.resolved) {
        let fingerprint = clawlint::redact::fingerprint_with_key(KEY, canary.token);
        assert!(
            json.contains(&format!("\"fingerprint\": \"{fingerprint}\"")),
            "{} ({}) was not resolved: no fingerprint {fingerprint} in resolve --format json",
            canary.position,
            canary.token
        );
    }
    let (_, findings) = run(&[
        "check".into(),
        "--home".into(),
        HOME.into(),
        "--no-config".into(),
        "--format".into(),
        "json".into(),
    ]);
    for code in [
        "CL101", "CL301", "CL303", "CL305", "CL501", "CL601", "CL901",
    ] {
        assert!(
            findings.contains(&format!("\"{code}\"")),
            "{code} should fire on the canary fixture"
        );
    }
}

/// Fingerprints are keyed: without `CLAWLINT_FINGERPRINT_KEY` each run draws its own key, so a
/// fingerprint differs from run to run and is not the unsalted SHA-256 a dictionary could
/// confirm; with the same key, runs (and hosts) agree. Within one run equal tokens still match
/// (CL301 and CL305 fire on the fixture above).
#[test]
fn fingerprints_are_keyed_per_run_unless_a_key_is_given() {
    let resolve = |key: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlint"));
        cmd.args(["resolve", "--home", HOME, "--no-config", "--format", "json"])
            .current_dir(root())
            .env_clear();
        if let Some(key) = key {
            cmd.env("CLAWLINT_FINGERPRINT_KEY", key);
        }
        let out = String::from_utf8(cmd.output().unwrap().stdout).unwrap();
        let json: serde_json::Value = serde_json::from_str(&out).unwrap();
        let mut prints = Vec::new();
        collect_fingerprints(&json, &mut prints);
        assert!(prints.len() >= 8, "{prints:?}");
        prints
    };
    let (a, b) = (resolve(None), resolve(None));
    assert!(a.iter().all(|p| !b.contains(p)), "{a:?} {b:?}");
    let unsalted = |s: &str| {
        use sha2::Digest;
        let d = sha2::Sha256::digest(s.as_bytes());
        d[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    for canary in all_canaries() {
        assert!(!a.contains(&unsalted(canary.token)));
    }
    assert_eq!(resolve(Some("shared")), resolve(Some("shared")));
    assert_ne!(resolve(Some("shared")), resolve(Some("other")));
}

fn collect_fingerprints(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("fingerprint", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_fingerprints(v, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_fingerprints(v, out)),
        _ => {}
    }
}

#[test]
fn leak_detection_sees_through_wrapping_and_colour() {
    let canary = &CANARIES[0];
    // The secret cut in two by a line break, inside colour codes.
    let wrapped = "x 7000000001:CANARY-tglit-1ad9\u{1b}[31m\n  │ f4dd833a6612\u{1b}[0m";
    assert!(!leaks_of(canary, &strip_ansi(wrapped)).is_empty());
    // The bot id alone, and a masked token, are fine.
    assert!(leaks_of(canary, "bot 7000000001:…, fingerprint 7f217a2f").is_empty());
    assert!(leaks_of(
        canary,
        "botToken: \"****************************************\""
    )
    .is_empty());
}

/// `--fingerprint-key-file PATH` gives the key as `CLAWLINT_FINGERPRINT_KEY` does (a final line
/// break is not part of it) and wins over it; the key is never printed, also when the file is
/// refused; a FIFO, a missing file and one over 4 KiB are usage errors, not hangs or reads.
#[test]
fn fingerprint_key_file_is_the_key_and_is_never_printed() {
    let dir = std::env::temp_dir().join(format!("clawlint-keyfile-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let key = "KEYFILE-CANARY-7f3a9c2e51d4b8a6";
    let run = |args: &[&str], env_key: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_clawlint"));
        cmd.args(args).current_dir(root()).env_clear();
        if let Some(k) = env_key {
            cmd.env("CLAWLINT_FINGERPRINT_KEY", k);
        }
        let out = cmd.output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !text.contains("KEYFILE-CANARY"),
            "{args:?} printed the key:\n{text}"
        );
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            text,
        )
    };
    let prints = |args: &[&str], env_key: Option<&str>| {
        let (code, stdout, text) = run(args, env_key);
        assert_eq!(code, Some(0), "{text}");
        let mut found = Vec::new();
        collect_fingerprints(&serde_json::from_str(&stdout).unwrap(), &mut found);
        assert!(found.len() >= 8, "{found:?}");
        found
    };
    let file = dir.join("key");
    std::fs::write(&file, format!("{key}\n")).unwrap();
    let file_arg = file.to_str().unwrap();
    let resolve = ["resolve", "--home", HOME, "--no-config", "--format", "json"];
    let with_file: Vec<&str> = resolve
        .iter()
        .copied()
        .chain(["--fingerprint-key-file", file_arg])
        .collect();
    let from_env = prints(&resolve, Some(key));
    assert_eq!(prints(&with_file, None), from_env);
    assert_eq!(
        prints(&with_file, Some("another key")),
        from_env,
        "the file wins"
    );
    // `check` takes it too, in every format that shows fingerprints.
    let (_, check, _) = run(
        &[
            "check",
            "--home",
            HOME,
            "--no-config",
            "--format",
            "json",
            "--fingerprint-key-file",
            file_arg,
        ],
        None,
    );
    let (_, check_env, _) = run(
        &["check", "--home", HOME, "--no-config", "--format", "json"],
        Some(key),
    );
    assert_eq!(check, check_env);
    // Refused files: a usage error naming the file, never its contents.
    let big = dir.join("big");
    std::fs::write(&big, key.repeat(200)).unwrap();
    let empty = dir.join("empty");
    std::fs::write(&empty, "\n").unwrap();
    let fifo = dir.join("fifo");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    for (path, says) in [
        (&big, "larger than 4096 bytes"),
        (&empty, "is empty"),
        (&fifo, "FIFO"),
        (&dir.join("missing"), "does not exist"),
    ] {
        let args: Vec<&str> = resolve
            .iter()
            .copied()
            .chain(["--fingerprint-key-file", path.to_str().unwrap()])
            .collect();
        let (code, _, text) = run(&args, None);
        assert_eq!(code, Some(2), "{text}");
        assert!(
            text.contains("fingerprint key file") && text.contains(says),
            "{text}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The option is in the generated completions and man pages (they come from the same
/// definitions as `--help`).
#[test]
fn fingerprint_key_file_is_in_completions_and_man_pages() {
    for args in [
        &["completions", "bash"][..],
        &["man", "check"],
        &["man", "resolve"],
        &["check", "--help"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_clawlint"))
            .args(args)
            .output()
            .unwrap();
        // roff escapes a hyphen as `\-`.
        let text = String::from_utf8_lossy(&out.stdout).replace("\\-", "-");
        assert!(text.contains("fingerprint-key-file"), "{args:?}:\n{text}");
    }
}

/// Canaries in the container inputs, by position: a compose file and its `.env`, a Podman
/// quadlet and its `EnvironmentFile=`, and an `openclaw fleet` registry (its cells' columns, the
/// other tables of the same database, a cell's own config). Every one is a credential or sits
/// where one can; none is a name or a path clawlint must show (a cell's image, container name
/// and data dir are names and paths, shown by `resolve`).
const CONTAINER: &[(&str, &str)] = &[
    ("compose environment map", "CANARY-cmpmap-3f9e1a7c5b2d8064"),
    (
        "compose environment list item",
        "CANARY-cmplst-8a1c6e2f4d9b7053",
    ),
    (
        "compose ${VAR:-default} default",
        "CANARY-cmpdef-5d7b3a9f1e6c2048",
    ),
    (
        "compose environment under a plain name",
        "CANARY-cmpplain-2e8f6b1d9a4c7035",
    ),
    ("compose command --token", "CANARY-cmpcmd-9c4a2f7e1b6d8053"),
    (
        "compose command --password",
        "CANARYcmppwdxqzvkwjhtrplmnbgf",
    ),
    (
        "compose healthcheck header",
        "CANARY-cmphealth-6b2e9d4f1a7c3085",
    ),
    ("compose label", "CANARY-cmplabel-1f7d3b9e5c2a8046"),
    ("compose .env", "CANARY-cmpdotenv-7e3c9a1f5b2d6048"),
    (
        "compose .env URL password",
        "CANARY-cmpurl-4a8e2c6f1d9b7035",
    ),
    ("quadlet Environment=", "CANARY-qdlenv-2c6a9e1f7b3d5084"),
    (
        "quadlet Environment= plain name",
        "CANARY-qdlplain-8f1b5d9a3e7c2046",
    ),
    ("quadlet Secret=", "CANARY-qdlsecret-5e9b1d7f3a2c6048"),
    ("quadlet PodmanArgs=", "CANARY-qdlpodman-3d7f1b9e5a2c8064"),
    ("quadlet Exec= --token", "CANARY-qdlexec-9a3e7c1f5d2b6048"),
    ("quadlet Exec= --password", "CANARYqdlpwdzxqvkjwhtrplmnbgf"),
    ("quadlet Label=", "CANARY-qdllabel-6c2a8e4f1b9d3075"),
    (
        "quadlet EnvironmentFile",
        "CANARY-qdldotenv-1b5f9d3a7e2c8064",
    ),
    (
        "fleet other table token",
        "CANARY-flttoken-7d1b5f9a3e6c2048",
    ),
    ("fleet secret store", "CANARY-fltstore-2a6e9c1f5b8d3074"),
    ("fleet cell config", "CANARY-fltconfig-8b4f1d7a3e9c2065"),
];

fn container_canary(position: &str) -> &'static str {
    CONTAINER
        .iter()
        .find(|(p, _)| *p == position)
        .map(|(_, t)| *t)
        .unwrap()
}

/// Builds the container layout at test time (the registry is a SQLite file).
fn container_layout(dir: &std::path::Path) -> String {
    let c = container_canary;
    let home = dir.join("home");
    let write = |rel: &str, text: &str| {
        let path = home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "stacks/acme/docker-compose.yml",
        &format!(
            "services:\n  openclaw-gateway:\n    image: ${{OPENCLAW_IMAGE:-openclaw:local}}\n    environment:\n      \
             OPENCLAW_GATEWAY_TOKEN: {}\n      OPENAI_API_KEY: ${{OPENAI_API_KEY:-{}}}\n      TG_OPS_UNIT: {}\n    \
             ports:\n      - \"18789:18789\"\n    labels:\n      com.example.note: {}\n    healthcheck:\n      \
             test: [\"CMD\", \"curl\", \"-H\", \"Authorization: Bearer {}\", \"http://127.0.0.1:18789/\"]\n    \
             command: [\"node\", \"dist/index.js\", \"gateway\", \"--port\", \"18789\", \"--token\", \"{}\", \"--password\", \"{}\"]\n  \
             openclaw-cli:\n    image: openclaw:local\n    environment:\n      - OPENCLAW_GATEWAY_TOKEN={}\n",
            c("compose environment map"),
            c("compose ${VAR:-default} default"),
            c("compose environment under a plain name"),
            c("compose label"),
            c("compose healthcheck header"),
            c("compose command --token"),
            c("compose command --password"),
            c("compose environment list item"),
        ),
    );
    write(
        "stacks/acme/.env",
        &format!(
            "OPENCLAW_IMAGE=ghcr.io/openclaw/openclaw:2026.9.6\nOPENCLAW_GATEWAY_TOKEN={}\nDB_URL=postgres://admin:{}@db:5432/app\n",
            c("compose .env"),
            c("compose .env URL password"),
        ),
    );
    write(
        ".config/containers/systemd/openclaw.container",
        &format!(
            "[Container]\nImage=openclaw:local\nContainerName=openclaw\nEnvironmentFile=%h/.openclaw/.env\n\
             Environment=OPENCLAW_GATEWAY_TOKEN={}\nEnvironment=TG_OPS_UNIT={}\nSecret={},type=env,target=X\n\
             PodmanArgs=--env Y={}\nLabel=note={}\nPublishPort=127.0.0.1:18789:18789\n\
             Exec=node dist/index.js gateway --port 18789 --token {} --password {}\n",
            c("quadlet Environment="),
            c("quadlet Environment= plain name"),
            c("quadlet Secret="),
            c("quadlet PodmanArgs="),
            c("quadlet Label="),
            c("quadlet Exec= --token"),
            c("quadlet Exec= --password"),
        ),
    );
    write(
        ".openclaw/.env",
        &format!("OPENCLAW_GATEWAY_TOKEN={}\n", c("quadlet EnvironmentFile")),
    );
    write(".openclaw/openclaw.json", "{ gateway: { port: 18789 } }\n");
    write(
        ".openclaw/fleet/cells/acme/openclaw.json",
        &format!(
            "{{ gateway: {{ mode: \"local\", auth: {{ token: \"{}\" }} }} }}\n",
            c("fleet cell config")
        ),
    );
    let db_path = home.join(".openclaw/state/openclaw.sqlite");
    std::fs::create_dir_all(db_path.parent().unwrap()).unwrap();
    let db = rusqlite::Connection::open(&db_path).unwrap();
    db.execute_batch(&format!(
        "CREATE TABLE fleet_cells (tenant_id TEXT NOT NULL PRIMARY KEY, created_at_ms INTEGER NOT NULL,
           image TEXT NOT NULL, runtime TEXT NOT NULL, host_port INTEGER NOT NULL,
           container_name TEXT NOT NULL, data_dir TEXT NOT NULL) STRICT;
         INSERT INTO fleet_cells VALUES ('acme', 1, 'ghcr.io/openclaw/openclaw:2026.9.6', 'docker',
           18789, 'openclaw-cell-acme', '{}');
         CREATE TABLE device_auth_tokens (device_id TEXT, role TEXT, token TEXT);
         INSERT INTO device_auth_tokens VALUES ('d', 'operator', '{}');
         CREATE TABLE secret_store_entries (name TEXT, value TEXT);
         INSERT INTO secret_store_entries VALUES ('OPENAI_API_KEY', '{}');",
        home.join(".openclaw/fleet/cells/acme").display(),
        c("fleet other table token"),
        c("fleet secret store"),
    ))
    .unwrap();
    drop(db);
    home.to_str().unwrap().to_string()
}

/// No canary of a compose file, a quadlet or a fleet registry appears in any format of any
/// command, nor in any file's text as clawlint would show it; and the inputs are really read
/// (the compose service, the quadlet and the cell are gateways, on one port).
#[test]
fn no_container_secret_appears_in_any_output() {
    use clap::Parser;
    let dir =
        std::env::temp_dir().join(format!("clawlint-canary-containers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let home = container_layout(&dir);
    let mut report = Vec::new();
    let leaks = |output: &str| -> Vec<String> {
        CONTAINER
            .iter()
            .filter(|(_, token)| {
                let secret: Vec<char> = token["CANARY".len()..].chars().collect();
                output.contains(token)
                    || secret
                        .windows(8)
                        .map(|w| w.iter().collect::<String>())
                        .filter(|p| !p.contains('-'))
                        .any(|p| output.contains(&p))
            })
            .map(|(position, token)| format!("{position} ({token})"))
            .collect()
    };
    let mut names = Vec::new();
    for (name, args, _) in runs(&home) {
        let (code, output) = run(&args);
        assert!(
            code.is_some_and(|c| c != 101),
            "`clawlint {}` exited {code:?}:\n{output}",
            args.join(" ")
        );
        for leak in leaks(&output) {
            report.push(format!("`clawlint {name}` shows the {leak}"));
        }
        names.push(name);
    }
    // `ports --format svg` (a file).
    let svg = dir.join("ports.svg");
    let (code, output) = run(&[
        "ports".into(),
        "--home".into(),
        home.clone(),
        "--no-config".into(),
        "--format".into(),
        format!("svg={}", svg.display()),
    ]);
    assert!(code.is_some_and(|c| c != 101), "{output}");
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    for leak in leaks(&format!("{output}{svg_text}")) {
        report.push(format!("`clawlint ports --format svg` shows the {leak}"));
    }
    // The files as shown.
    let cli =
        clawlint::cli::Cli::parse_from(["clawlint", "resolve", "--home", &home, "--no-config"]);
    let clawlint::cli::Command::Resolve(args) = cli.command else {
        unreachable!()
    };
    let (inventory, _, _) = clawlint::commands::load(&args.input)
        .ok()
        .expect("the layout loads");
    for (_, file) in inventory.sources.files() {
        for leak in leaks(&file.redacted_text()) {
            report.push(format!("{} as shown holds the {leak}", file.path.display()));
        }
    }
    // Really read: the compose service, the quadlet and the fleet cell are gateways, and the
    // collision on 18789 makes findings show their files.
    let gateways: Vec<&str> = inventory
        .instances
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert!(gateways.len() >= 4, "{gateways:?}");
    let (_, json) = run(&[
        "check".into(),
        "--home".into(),
        home.clone(),
        "--no-config".into(),
        "--format".into(),
        "json".into(),
    ]);
    for file in [
        "docker-compose.yml",
        "openclaw.container",
        "openclaw.sqlite",
    ] {
        assert!(json.contains(file), "no finding shows {file}:\n{json}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        report.is_empty(),
        "{} leak(s) over {names:?}:\n{}",
        report.len(),
        report.join("\n")
    );
}
