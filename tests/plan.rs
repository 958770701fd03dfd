//! `clawlint plan --add PROFILE`: the gateway OpenClaw would create, linted with the
//! layout it joins; a free base port with its reasons; the commands that create it.
//! Run as users run it: the binary, from the repository root, with a clean environment.

mod common;
use common::*;

use serde_json::Value;

const EXAMPLE: &str = "fixtures/example/home";
const CLEAN: &str = "fixtures/ports-custom-profiles-200-apart/home";

fn plan(home: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["plan", "--home", home, "--no-config"];
    args.extend_from_slice(extra);
    clawlint(&args)
}

fn plan_json(home: &str, extra: &[&str]) -> (i32, Value) {
    let mut args = extra.to_vec();
    args.extend(["--format", "json"]);
    let (code, stdout, stderr) = plan(home, &args);
    let value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("JSON output ({e}): {stdout}\n{stderr}"));
    (code, value)
}

fn codes(plan: &Value) -> Vec<String> {
    plan["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

/// Every gateway's footprint and listeners, from `clawlint ports`.
fn layout(home: &str) -> Vec<(String, u64, u64, Vec<u64>)> {
    let (code, stdout, stderr) =
        clawlint(&["ports", "--home", home, "--no-config", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).unwrap();
    v["gateways"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["footprint"][0].as_u64().unwrap(),
                g["footprint"][1].as_u64().unwrap(),
                g["listeners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|l| l["port"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn suggests_the_lowest_port_clear_of_every_footprint() {
    let (code, v) = plan_json(EXAMPLE, &["--add", "work"]);
    assert_eq!(
        code, 0,
        "only a warning (the hash port) involves the new gateway"
    );
    let port = v["suggestedPort"].as_u64().unwrap();
    assert_eq!(port, 18920);
    for (name, start, end, listeners) in layout(EXAMPLE) {
        assert!(
            port + 110 < start || port > end,
            "{port}..{} overlaps {name}'s footprint {start}..{end}",
            port + 110
        );
        for p in listeners {
            assert!(!(port..=port + 110).contains(&p), "{name}'s listener {p}");
        }
    }
    // The reasons: each neighbour that rules out lower candidates, in order.
    let ruled_out: Vec<(String, String)> = v["ruledOut"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["gateway"].as_str().unwrap().to_string(),
                format!("{}..{}", b["ports"][0], b["ports"][1]),
            )
        })
        .collect();
    assert_eq!(
        ruled_out,
        [
            ("default".to_string(), "18789..18899".to_string()),
            ("rescue".to_string(), "18809..18919".to_string())
        ]
    );
    // One port lower would reach rescue's footprint.
    let (_, lower) = plan_json(EXAMPLE, &["--add", "work", "--port", "18919"]);
    assert!(
        codes(&lower).iter().any(|c| c.starts_with("CL1")),
        "{lower}"
    );
}

#[test]
fn the_suggested_port_lints_clean() {
    let (_, v) = plan_json(EXAMPLE, &["--add", "work"]);
    let port = v["suggestedPort"].as_u64().unwrap().to_string();
    let (code, pinned) = plan_json(EXAMPLE, &["--add", "work", "--port", &port]);
    assert_eq!(code, 0);
    assert_eq!(codes(&pinned), Vec::<String>::new(), "{pinned}");
    assert_eq!(pinned["instance"]["gatewayPort"]["kind"], "argument");
    assert_eq!(pinned["port"], v["suggestedPort"]);
}

#[test]
fn without_a_port_the_new_profile_gets_its_hash_port() {
    let (_, v) = plan_json(EXAMPLE, &["--add", "work"]);
    let port = &v["instance"]["gatewayPort"];
    assert_eq!(port["kind"], "profile-hash");
    assert_eq!(port["value"], 41984, "20000 + FNV-1a(\"work\") % 40000");
    assert!(codes(&v).contains(&"CL106".to_string()), "{v}");
    // ...and the commands pin the suggested port instead.
    assert_eq!(v["port"], 18920);
}

#[test]
fn a_port_in_defaults_cdp_range_collides() {
    let (code, v) = plan_json(EXAMPLE, &["--add", "work", "--port", "18800"]);
    assert_eq!(
        code, 1,
        "an error-level finding involves the planned gateway"
    );
    let findings = v["findings"].as_array().unwrap();
    let on_18800 = findings
        .iter()
        .find(|f| f["code"] == "CL102" && f["message"].as_str().unwrap().contains("port 18800"))
        .unwrap_or_else(|| panic!("no CL102 on 18800: {v}"));
    let message = on_18800["message"].as_str().unwrap();
    assert!(message.contains("default's CDP port"), "{message}");
    assert!(message.contains("work's gateway port"), "{message}");
    assert!(
        findings.iter().any(|f| f["code"] == "CL103"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("\"default\"'s CDP port range 18800..18899")),
        "{v}"
    );
    for f in findings {
        let instances: Vec<&str> = f["instances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i.as_str().unwrap())
            .collect();
        assert!(
            instances.contains(&"work"),
            "only findings that involve the new gateway: {f}"
        );
    }
    // It collides, so the commands use the free port, not the one given.
    assert_eq!(v["port"], 18920);
    assert_eq!(v["suggestedPort"], 18920);
}

#[test]
fn an_existing_profile_is_linted_as_it_is() {
    let (code, v) = plan_json(EXAMPLE, &["--add", "rescue", "--port", "30000"]);
    assert_eq!(v["exists"], true);
    assert_eq!(
        v["instance"]["gatewayPort"]["value"], 18809,
        "--port is not applied"
    );
    assert_eq!(v["instance"]["configExists"], true);
    let found = codes(&v);
    for code in ["CL103", "CL105", "CL301"] {
        assert!(found.contains(&code.to_string()), "{code} in {found:?}");
    }
    assert_eq!(code, 1, "CL301 (shared Telegram bot) is an error");
    assert_eq!(v["summary"]["instances"], 3, "no gateway was added");
    assert_eq!(
        v["suggestedPort"], 18900,
        "rescue itself is the one that moves"
    );
    assert_eq!(
        v["commands"],
        serde_json::json!(["openclaw --profile rescue config set gateway.port 18900"])
    );
}

#[test]
fn json_shape() {
    let (_, v) = plan_json(EXAMPLE, &["--add", "work", "--env", "TZ=Europe/Berlin"]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["profile"], "work");
    assert_eq!(v["exists"], false);
    let instance = &v["instance"];
    assert_eq!(instance["name"], "work");
    assert_eq!(instance["stateDir"], "~/.openclaw-work");
    assert_eq!(instance["configPath"], "~/.openclaw-work/openclaw.json");
    assert_eq!(instance["configExists"], false);
    assert_eq!(instance["workspace"], "~/.openclaw-work/workspace");
    assert_eq!(instance["agentDir"], "~/.openclaw-work/agents/main/agent");
    assert_eq!(
        instance["service"]["systemdUnit"],
        "openclaw-gateway-work.service"
    );
    assert_eq!(instance["service"]["launchdLabel"], "ai.openclaw.work");
    assert_eq!(instance["footprint"], serde_json::json!([41984, 42094]));
    assert_eq!(instance["cdpRange"], serde_json::json!([41995, 42094]));
    assert!(instance["listeners"].as_array().unwrap().len() >= 5);
    assert_eq!(v["suggestedPort"], 18920);
    assert_eq!(
        v["commands"],
        serde_json::json!([
            "TZ=Europe/Berlin openclaw --profile work onboard --gateway-port 18920",
            "TZ=Europe/Berlin openclaw --profile work config set gateway.port 18920",
            "TZ=Europe/Berlin openclaw --profile work gateway install --port 18920",
        ])
    );
    for f in v["findings"].as_array().unwrap() {
        for key in [
            "code",
            "name",
            "severity",
            "message",
            "instances",
            "parties",
        ] {
            assert!(f.get(key).is_some(), "{key} in {f}");
        }
    }
    assert_eq!(v["summary"]["instances"], 4);
    assert!(v["otherFindings"].as_u64().unwrap() > 0);
}

#[test]
fn an_empty_neighbourhood_gets_18789() {
    let (code, v) = plan_json(CLEAN, &["--add", "extra"]);
    assert_eq!(code, 0);
    assert_eq!(v["suggestedPort"], 18789);
    assert_eq!(v["ruledOut"], serde_json::json!([]));
}

/// A scratch home: a default gateway at 18789 whose Telegram webhook listens on 18950.
fn home_with_webhook() -> TempDir {
    let home = TempDir::new("plan-webhook");
    let dir = home.join(".openclaw");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("openclaw.json"),
        r#"{
  gateway: { port: 18789 },
  channels: {
    telegram: {
      botToken: "7000000099:AAFakeWebhookTokenForClawlintPlanTests",
      webhookUrl: "https://claw.example.net/telegram-webhook",
      webhookPort: 18950,
    },
  },
}
"#,
    )
    .unwrap();
    home
}

#[test]
fn fixed_listeners_rule_out_a_footprint_too() {
    let home = home_with_webhook();
    let (code, v) = plan_json(home.to_str().unwrap(), &["--add", "rescue"]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["suggestedPort"], 18951);
    let last = v["ruledOut"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["ports"], serde_json::json!([18950, 18950]));
    assert_eq!(last["what"], "Telegram webhook port (account \"default\")");
    let (_, stdout, _) = plan(home.to_str().unwrap(), &["--add", "rescue"]);
    assert!(
        stdout.contains(
            "18789..18899 is default's footprint; 18950 is default's Telegram webhook port (account \"default\"); first free: 18951"
        ),
        "{stdout}"
    );
}

#[test]
fn plan_writes_nothing() {
    let (_, _, _) = plan(EXAMPLE, &["--add", "work"]);
    assert!(!root().join(EXAMPLE).join(".openclaw-work").exists());
}

#[test]
fn bad_arguments_are_usage_errors() {
    let (code, _, stderr) = plan(EXAMPLE, &["--add", "a.b"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid profile name \"a.b\""), "{stderr}");
    let (code, _, stderr) = plan(EXAMPLE, &["--add", "work", "--env", "NOVALUE"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--env expects KEY=VALUE"), "{stderr}");
}

#[test]
fn human_new_profile() {
    let (code, stdout, stderr) = plan(EXAMPLE, &["--add", "work"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("plan_new_profile", stdout);
}

#[test]
fn human_port_in_cdp_range() {
    let (code, stdout, _) = plan(EXAMPLE, &["--add", "work", "--port", "18800"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!("plan_port_in_cdp_range", stdout);
}

#[test]
fn human_existing_profile() {
    let (_, stdout, _) = plan(EXAMPLE, &["--add", "rescue"]);
    insta::assert_snapshot!("plan_existing_profile", stdout);
}

#[test]
fn human_clean_port() {
    let (code, stdout, _) = plan(CLEAN, &["--add", "extra", "--port", "20700"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("plan_clean_port", stdout);
}

#[test]
fn openclaws_own_port_is_kept_when_it_is_clear() {
    // `--profile dev` brings OPENCLAW_GATEWAY_PORT=19001, which is clear here.
    let (code, v) = plan_json(EXAMPLE, &["--add", "dev"]);
    assert_eq!(code, 0);
    assert_eq!(v["instance"]["gatewayPort"]["value"], 19001);
    assert_eq!(v["instance"]["gatewayPort"]["kind"], "env");
    assert_eq!(v["port"], 19001);
    assert_eq!(
        v["suggestedPort"], 18920,
        "still reported: the lowest free base port"
    );
    // The default gateway on a host without one gets 18789, and no --profile.
    let (_, v) = plan_json(CLEAN, &["--add", "default"]);
    assert_eq!(v["profile"], Value::Null);
    assert_eq!(v["port"], 18789);
    assert_eq!(v["commands"][0], "openclaw onboard --gateway-port 18789");
}

#[test]
fn an_existing_gateway_on_its_hash_port_is_pinned_where_it_runs() {
    // ops collides with nothing; only the hash port chose its port: pin it, don't move it.
    let (code, v) = plan_json(EXAMPLE, &["--add", "ops"]);
    assert_eq!(code, 1, "ops shares default's workspace (CL203, an error)");
    assert_eq!(v["exists"], true);
    assert_eq!(v["port"], 55291);
    assert_eq!(
        v["commands"],
        serde_json::json!(["openclaw --profile ops config set gateway.port 55291"])
    );
}

/// One allocator: CL106's help, `plan --add` and the port they both suggest agree, and pinning
/// that port leaves no port finding. Here `ops` sits at 65430, so its CDP range falls back to
/// 18800..18899: a port next to 18789 would be inside it.
#[test]
fn the_help_line_and_plan_suggest_the_same_clean_port() {
    let dir = TempDir::new("one-allocator");
    let home = dir.path().join("home");
    let write = |rel: &str, text: &str| {
        let path = home.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        ".openclaw-ops/openclaw.json",
        "{ gateway: { port: 65430 }, browser: { enabled: true } }\n",
    );
    write(
        ".openclaw-rescue/openclaw.json",
        "{ gateway: { mode: \"local\" } }\n",
    );
    let home_arg = home.to_str().unwrap();

    let (_, json, _) = clawlint(&["check", "--home", home_arg, "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let help = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "CL106")
        .and_then(|f| f["help"].as_str())
        .expect("CL106 fires with a help line")
        .to_string();
    let (_, planned) = plan_json(home_arg, &["--add", "rescue"]);
    let suggested = planned["suggestedPort"]
        .as_u64()
        .expect("plan suggests a port");
    assert!(
        help.contains(&format!("port: {suggested} ")),
        "CL106 says {help:?}, plan says {suggested}"
    );
    assert!(
        !(18800..=18899).contains(&suggested),
        "{suggested} is in ops's CDP range"
    );

    write(
        ".openclaw-rescue/openclaw.json",
        &format!("{{ gateway: {{ mode: \"local\", port: {suggested} }} }}\n"),
    );
    let (_, json, _) = clawlint(&["check", "--home", home_arg, "--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    let port_findings: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("CL1") && f["code"] != "CL104")
        .collect();
    assert!(port_findings.is_empty(), "{port_findings:#?}");
}

/// The official compose stack publishes 18789/18790 beside a native gateway on 18789; the
/// look-alike's stacks publish 127.0.0.1:18900/18901 and 192.0.2.10:18789.
const COMPOSE: &str = "fixtures/containers-compose-official/home";
const COMPOSE_CLEAN: &str = "fixtures/containers-compose-lookalike/home";

#[test]
fn a_new_container_gets_host_ports_nothing_binds_reserves_or_publishes() {
    let (code, value) = plan_json(COMPOSE, &["--add", "tenant-b", "--container"]);
    assert_eq!(code, 0);
    assert_eq!(
        value["hostPort"], 18900,
        "past the native footprint 18789..18899"
    );
    assert_eq!(value["compose"]["ports"][0], "127.0.0.1:18900:18789");
    // 18900 and 18901 are published by acme: the next free pair.
    let (_, value) = plan_json(COMPOSE_CLEAN, &["--add", "tenant-c", "--container"]);
    assert_eq!(value["hostPort"], 18902);
    // A given port that something takes is an error, as check would report it.
    let (code, _) = plan_json(
        COMPOSE_CLEAN,
        &["--add", "t", "--container", "--port", "18900"],
    );
    assert_eq!(code, 1);
    let (code, _) = plan_json(
        COMPOSE_CLEAN,
        &["--add", "t", "--container", "--port", "19500"],
    );
    assert_eq!(code, 0);
}

#[test]
fn a_native_plan_steps_over_published_ports_not_container_footprints() {
    // The look-alike's containers reserve nothing on the host; acme publishes 18900/18901, so
    // a native footprint must start above them.
    let (_, value) = plan_json(COMPOSE_CLEAN, &["--add", "ops"]);
    let suggested = value["suggestion"]["port"]
        .as_u64()
        .or(value["suggestedPort"].as_u64());
    assert_eq!(suggested, Some(18902), "{value}");
}

/// A suggested port is clear of what clawlint knows; a gateway whose ports it cannot know
/// (a compose entry left out, CL409) is named as not avoided, in both plans and formats.
#[test]
fn gateways_with_unverifiable_ports_are_named_as_not_avoided() {
    let home = "fixtures/containers-compose-env-variants-unseen/home";
    let (_, human, _) = plan(home, &["--add", "rescue"]);
    assert!(
        human
            .contains("Not avoided: the ports of \"openclaw_gateway\" cannot be verified (CL409)."),
        "{human}"
    );
    let (_, json) = plan_json(home, &["--add", "rescue"]);
    assert_eq!(
        json["unverifiablePorts"],
        serde_json::json!(["openclaw_gateway"])
    );
    let (_, human, _) = plan(home, &["--add", "acme", "--container"]);
    assert!(
        human.contains("Not avoided: the ports of \"openclaw_gateway\""),
        "{human}"
    );
    // Where every port is known, nothing is said.
    let home = "fixtures/containers-compose-env-variants-makefile-lookalike/home";
    let (_, human, _) = plan(home, &["--add", "rescue"]);
    assert!(!human.contains("Not avoided"), "{human}");
    let (_, json) = plan_json(home, &["--add", "rescue"]);
    assert_eq!(json["unverifiablePorts"], serde_json::json!([]));
}
