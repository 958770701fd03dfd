//! The machine formats (concise, github, sarif, junit) as CI sees them: the built binary is
//! run on the bundled example from the repository root with a clean environment, and each
//! output is pinned by an insta snapshot. SARIF is validated against the official SARIF
//! 2.1.0 schema (tests/data/sarif-schema-2.1.0.json, see tests/data/sarif-schema-2.1.0.md),
//! JUnit is parsed as XML, and every fixture's output goes through the same checks.

mod common;
use common::*;

use serde_json::Value;

const HOME: &str = "fixtures/example/home";

/// Secrets in the example's files: no format may ever print them.
const EXAMPLE_SECRETS: &[&str] = &["AAFakeMainBotTokenForClawlintDocs01", "gw-main-2f8c1d9e"];

fn example(format: &str) -> String {
    let (code, stdout, stderr) = clawlint(&["check", "--home", HOME, "--format", format]);
    assert_eq!(code, 1, "the example has errors: {stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    for secret in EXAMPLE_SECRETS {
        assert!(!stdout.contains(secret), "{format} output shows a secret");
    }
    stdout
}

/// `check` on every fixture with its clawlint.toml, as tests/fixtures.rs runs them.
fn each_fixture(format: &str) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root().join("fixtures").join(n).join("home").is_dir())
        .collect();
    names.sort();
    assert!(!names.is_empty());
    names
        .into_iter()
        .map(|name| {
            let mut args = vec![
                "check".to_string(),
                "--format".to_string(),
                format.to_string(),
            ];
            args.extend(common::fixture_args(&name));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let (code, stdout, stderr) = clawlint(&args);
            assert!(code == 0 || code == 1, "{name}: exit {code}: {stderr}");
            (name, stdout)
        })
        .collect()
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!("concise", example("concise"));
}

#[test]
fn github_snapshot() {
    let text = example("github");
    for line in text.lines() {
        assert!(
            line.starts_with("::error ")
                || line.starts_with("::warning ")
                || line.starts_with("::notice "),
            "not a workflow command: {line}"
        );
    }
    insta::assert_snapshot!("github", text);
}

#[test]
fn junit_snapshot() {
    let text = example("junit");
    assert_well_formed_junit(&text);
    insta::assert_snapshot!("junit", text);
}

/// The full log is validated below; the snapshot keeps the rule list to one line per rule
/// (their pages are pinned by the rule tests), and the version out, so that a release or
/// a reworded rule page does not churn it.
#[test]
fn sarif_snapshot() {
    let mut log: Value = serde_json::from_str(&example("sarif")).expect("SARIF is JSON");
    let driver = &mut log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    driver["version"] = "[version]".into();
    driver["semanticVersion"] = "[version]".into();
    let first_rule = driver["rules"][0].clone();
    let rules: Vec<Value> = driver["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            Value::String(format!(
                "{} {} {} {}",
                r["id"].as_str().unwrap(),
                r["name"].as_str().unwrap(),
                r["defaultConfiguration"]["level"].as_str().unwrap(),
                r["properties"]["tags"][0].as_str().unwrap()
            ))
        })
        .collect();
    driver["rules"] = Value::Array(rules);
    insta::assert_json_snapshot!("sarif", log);
    // One rule in full, to show the shape of a rule's description and help.
    assert_eq!(first_rule["id"], "CL101");
    for key in ["shortDescription", "fullDescription"] {
        assert!(first_rule[key]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
    }
    assert!(first_rule["help"]["text"]
        .as_str()
        .unwrap()
        .starts_with("Fix:\n"));
    assert!(first_rule["help"]["markdown"]
        .as_str()
        .unwrap()
        .starts_with("**Fix**\n\n"));
}

fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    // Draft 4 knows the format `uri` but not `uri-reference` (added in draft 6), which the
    // schema uses for artifact URIs: check those as RFC 3986 references here.
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .with_format("uri-reference", is_uri_reference)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

/// RFC 3986 `URI-reference`, as far as characters go: no space or other character that must
/// be percent-encoded, every `%` starting an escape, and no scheme-like first segment in a
/// relative reference.
fn is_uri_reference(text: &str) -> bool {
    let bytes = text.as_bytes();
    let chars_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b.is_ascii_alphanumeric()
            || b"-._~!$&'()*+,;=:@/?#".contains(&b)
            || (b == b'%'
                && bytes
                    .get(i + 1..i + 3)
                    .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
    });
    let scheme_ok = match text.split_once(':') {
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        _ => true,
    };
    chars_ok && scheme_ok
}

fn assert_valid_sarif(validator: &jsonschema::Validator, name: &str, text: &str) -> Value {
    let log: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{name}: invalid SARIF:\n{}",
        errors.join("\n")
    );
    // What GitHub code scanning demands beyond the schema: every result has a location
    // with a URI, and URIs below the checkout are relative to it.
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let locations = result["locations"].as_array().unwrap();
        assert!(!locations.is_empty(), "{name}: result without location");
        let related = result["relatedLocations"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for location in locations.iter().chain(&related) {
            let artifact = &location["physicalLocation"]["artifactLocation"];
            let uri = artifact["uri"].as_str().unwrap();
            assert_eq!(artifact["uriBaseId"], "%SRCROOT%", "{name}: {uri}");
            assert!(uri.starts_with("fixtures/"), "{name}: {uri}");
        }
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(result["partialFingerprints"]["clawlintFindingHash/v1"].is_string());
    }
    log
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    let log = assert_valid_sarif(&validator, "example", &example("sarif"));
    let run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(run["tool"]["driver"]["name"], "clawlint");
    assert_eq!(
        run["tool"]["driver"]["rules"].as_array().unwrap().len(),
        clawlint::catalog::ALL.len()
    );
    // The validator is not vacuous: a bad level and a bad URI are both caught.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"] = "a b/c d".into();
    assert!(!validator.is_valid(&broken));
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"] = "fixtures/100%.json".into();
    assert!(!validator.is_valid(&broken));
    // Stable: a second run is byte-for-byte the same.
    assert_eq!(example("sarif"), example("sarif"));

    for (name, text) in each_fixture("sarif") {
        assert_valid_sarif(&validator, &name, &text);
    }

    // No findings at all is still a valid log, with every rule described.
    let (code, text, stderr) = clawlint(&[
        "check", "--home", HOME, "--select", "CL101", "--format", "sarif",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let log = assert_valid_sarif(&validator, "no findings", &text);
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

/// A finding none of whose parties is in a file cannot be a code-scanning alert (GitHub
/// rejects the whole upload); it is kept as a notification of its rule.
#[test]
fn sarif_keeps_unlocated_findings_as_notifications() {
    let validator = sarif_validator();
    let (_, json, _) = clawlint(&[
        "check",
        "--home",
        "fixtures/paths-env-state-redirect/home",
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&json).unwrap();
    let unlocated = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["parties"]
                .as_array()
                .unwrap()
                .iter()
                .all(|p| p.get("file").is_none())
        })
        .count();
    let (_, text, _) = clawlint(&[
        "check",
        "--home",
        "fixtures/paths-env-state-redirect/home",
        "--format",
        "sarif",
    ]);
    let log = assert_valid_sarif(&validator, "paths-env-state-redirect", &text);
    let run = &log["runs"][0];
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(notifications.len(), unlocated);
    assert_eq!(
        run["results"].as_array().unwrap().len() + notifications.len(),
        json["findings"].as_array().unwrap().len()
    );
    for n in &notifications {
        assert!(n["associatedRule"]["id"].is_string() && n["message"]["text"].is_string());
    }
}

/// Checks that the text is well-formed XML and has the JUnit shape dashboards read; returns
/// the number of test cases and of failures.
fn assert_well_formed_junit(text: &str) -> (usize, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let (mut cases, mut failures, mut suites) = (0, 0, 0);
    let mut stack: Vec<String> = Vec::new();
    loop {
        let event = reader
            .read_event()
            .unwrap_or_else(|e| panic!("bad XML: {e}\n{text}"));
        let (tag, empty) = match &event {
            Event::Start(e) => (Some(e.clone()), false),
            Event::Empty(e) => (Some(e.clone()), true),
            Event::End(_) => {
                stack.pop();
                (None, false)
            }
            Event::Text(t) => {
                t.decode().expect("text decodes");
                (None, false)
            }
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(tag) = tag {
            let name = String::from_utf8(tag.name().as_ref().to_vec()).unwrap();
            for attribute in tag.attributes() {
                let attribute = attribute.expect("attribute parses");
                attribute
                    .normalized_value(quick_xml::XmlVersion::Explicit1_0)
                    .expect("attribute value unescapes");
            }
            let parent = stack.last().map(String::as_str);
            match name.as_str() {
                "testsuites" => assert_eq!(parent, None),
                "testsuite" => {
                    assert_eq!(parent, Some("testsuites"));
                    suites += 1;
                }
                "testcase" => {
                    assert_eq!(parent, Some("testsuite"));
                    cases += 1;
                }
                "failure" => {
                    assert_eq!(parent, Some("testcase"));
                    failures += 1;
                }
                "system-out" | "skipped" => assert_eq!(parent, Some("testcase")),
                "properties" => assert_eq!(parent, Some("testsuite")),
                "property" => assert_eq!(parent, Some("properties")),
                other => panic!("unexpected element {other}"),
            }
            if !empty {
                stack.push(name);
            }
        }
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    assert_eq!(suites, 1);
    assert!(text.contains(&format!(
        "<testsuite name=\"clawlint\" tests=\"{cases}\" failures=\"{failures}\""
    )));
    (cases, failures)
}

#[test]
fn junit_is_well_formed_for_every_fixture() {
    let (cases, failures) = assert_well_formed_junit(&example("junit"));
    let json: Value = serde_json::from_str(&example("json")).unwrap();
    let findings = json["findings"].as_array().unwrap();
    assert_eq!(cases, findings.len());
    // Only what fails the run (errors) is a failure: the dashboard agrees with the exit code.
    assert_eq!(
        failures,
        findings.iter().filter(|f| f["severity"] == "error").count()
    );
    for (name, text) in each_fixture("junit") {
        assert!(text.starts_with("<?xml"), "{name}");
        assert_well_formed_junit(&text);
    }
    let (code, text, stderr) = clawlint(&[
        "check", "--home", HOME, "--select", "CL101", "--format", "junit",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(assert_well_formed_junit(&text), (1, 0));
    assert!(text.contains("<testcase classname=\"clawlint\" name=\"clawlint\"/>"));
}

#[test]
fn github_and_concise_hold_for_every_fixture() {
    for (name, text) in each_fixture("github") {
        for line in text.lines() {
            let (command, rest) = line.split_once(' ').unwrap_or((line, ""));
            assert!(
                ["::error", "::warning", "::notice"].contains(&command),
                "{name}: {line}"
            );
            let (properties, _message) = rest.split_once("::").expect("a message");
            for property in properties.split(',') {
                let (key, _) = property.split_once('=').expect("key=value");
                assert!(
                    ["file", "line", "col", "endLine", "endColumn", "title"].contains(&key),
                    "{name}: {property}"
                );
            }
        }
    }
    for (name, text) in each_fixture("concise") {
        let last = text.lines().last().unwrap_or_default();
        assert!(last.contains(" checked: "), "{name}: {last}");
    }
}

#[test]
fn several_formats_in_one_run() {
    let dir = TempDir::new("formats");
    let json_path = dir.join("x.json");
    let sarif_path = dir.join("y.sarif");
    let json_arg = format!("json={}", json_path.display());
    let sarif_arg = format!("sarif={}", sarif_path.display());
    let (code, stdout, stderr) = clawlint(&[
        "check", "--home", HOME, "--format", &json_arg, "--format", &sarif_arg, "--format",
        "concise",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(stdout, example("concise"));
    let json = std::fs::read_to_string(&json_path).expect("json written");
    let sarif = std::fs::read_to_string(&sarif_path).expect("sarif written");
    assert_eq!(json, example("json"));
    assert_eq!(sarif, example("sarif"));
    assert_valid_sarif(&sarif_validator(), "written", &sarif);
}
