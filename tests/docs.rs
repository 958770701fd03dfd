//! Published documents generated from the catalog: `docs/rules/*.md` (one page per rule and an
//! index) and `docs/clawlint.schema.json`. These tests fail when a committed file is stale, and
//! rewrite them with `CLAWLINT_UPDATE_DOCS=1 cargo test --test docs` (so a rule added on
//! another branch shows up here as a stale file until regenerated). The schema is also checked
//! differentially: it accepts exactly what clawlint's own parser accepts.

mod common;
use common::*;

use clawlint::catalog;
use clawlint::report::rule_doc;
use std::collections::BTreeMap;

fn update() -> bool {
    std::env::var_os("CLAWLINT_UPDATE_DOCS").is_some()
}

fn expected_pages() -> BTreeMap<String, String> {
    let mut pages: BTreeMap<String, String> = catalog::ALL
        .iter()
        .map(|r| (format!("{}.md", r.code), rule_doc::page(r)))
        .collect();
    pages.insert("README.md".into(), rule_doc::index(catalog::ALL));
    pages
}

#[test]
fn rule_docs_are_in_sync_with_the_catalog() {
    let dir = root().join("docs/rules");
    let expected = expected_pages();
    if update() {
        // Written in place (other tests read the directory meanwhile); stale pages removed.
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in &expected {
            std::fs::write(dir.join(name), text).unwrap();
        }
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !expected.contains_key(&name) {
                std::fs::remove_file(path).unwrap();
            }
        }
    }
    let mut actual: BTreeMap<String, String> = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).expect("docs/rules exists") {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        actual.insert(name, std::fs::read_to_string(&path).unwrap());
    }
    let stale: Vec<&String> = expected
        .keys()
        .chain(actual.keys())
        .filter(|name| expected.get(*name) != actual.get(*name))
        .collect();
    assert!(
        stale.is_empty(),
        "docs/rules is out of sync with the catalog for {stale:?}: run \
         CLAWLINT_UPDATE_DOCS=1 cargo test --test docs"
    );
}

#[test]
fn every_doc_url_names_a_page_that_exists() {
    for rule in catalog::ALL {
        let url = rule.doc_url();
        let page = url.rsplit_once("/docs/rules/").unwrap().1;
        assert!(root().join("docs/rules").join(page).is_file(), "{url}");
        assert!(
            url.contains(&format!("/blob/v{}/", env!("CARGO_PKG_VERSION"))),
            "a release's reports link that release's pages: {url}"
        );
    }
    let (_, page, _) = clawlint(&["rule", "CL301"]);
    assert!(
        page.contains(&catalog::SHARED_TELEGRAM_TOKEN.doc_url()),
        "{page}"
    );
}

#[test]
fn credential_rules_carry_a_security_severity() {
    for rule in catalog::ALL {
        let secret = rule.family == catalog::Family::Credentials;
        assert_eq!(rule.security_severity().is_some(), secret, "{}", rule.code);
        if let Some(s) = rule.security_severity() {
            assert!((0.1..=10.0).contains(&s), "{}", rule.code);
        }
    }
}

#[test]
fn sarif_rules_link_their_page_and_rate_secrets() {
    let (_, out, _) = clawlint(&[
        "check",
        "--home",
        "fixtures/example/home",
        "--format",
        "sarif",
    ]);
    let sarif: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), catalog::ALL.len());
    for rule in rules {
        let code = rule["id"].as_str().unwrap();
        let info = catalog::find(code).unwrap();
        assert_eq!(rule["helpUri"], info.doc_url().as_str());
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        match info.security_severity() {
            Some(s) => {
                assert_eq!(rule["properties"]["security-severity"], format!("{s:.1}"));
                assert!(tags.contains(&"security"), "{code}: {tags:?}");
            }
            None => {
                assert!(
                    rule["properties"].get("security-severity").is_none(),
                    "{code}"
                );
                assert!(!tags.contains(&"security"), "{code}");
            }
        }
    }
    let cl301 = rules.iter().find(|r| r["id"] == "CL301").unwrap();
    assert_eq!(cl301["properties"]["security-severity"], "7.5");
}

fn schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&clawlint::config::json_schema()).unwrap();
    text.push('\n');
    text
}

#[test]
fn the_published_schema_is_in_sync_with_the_catalog() {
    let path = root().join("docs/clawlint.schema.json");
    let expected = schema_text();
    if update() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/clawlint.schema.json is stale: run CLAWLINT_UPDATE_DOCS=1 cargo test --test docs"
    );
}

/// (clawlint accepts it, the schema accepts it)
fn both(validator: &jsonschema::Validator, toml_text: &str) -> (bool, bool) {
    let parsed = clawlint::config::parse(toml_text, "clawlint.toml").is_ok();
    let value: toml::Value = toml::from_str(toml_text).expect("TOML");
    let json = serde_json::to_value(value).unwrap();
    (parsed, validator.is_valid(&json))
}

#[test]
fn the_schema_accepts_what_clawlint_accepts() {
    let validator = jsonschema::validator_for(&clawlint::config::json_schema())
        .expect("a valid draft-07 schema");
    let mut documents: Vec<(String, String)> =
        vec![("starter".into(), clawlint::config::STARTER.to_string())];
    for entry in std::fs::read_dir(root().join("fixtures")).unwrap() {
        let path = entry.unwrap().path().join("clawlint.toml");
        if path.is_file() {
            documents.push((
                path.display().to_string(),
                std::fs::read_to_string(&path).unwrap(),
            ));
        }
    }
    assert!(documents.len() > 2, "fixtures have clawlint.toml files");
    let real = documents.len();
    let cases = [
        "[lint]\nselect = [\"CL1\"]\nignore = [\"CL105\"]\n",
        "[lint]\nselect = [\"cl1\", \"Shared-Workspace\", \"ALL\", \"all\"]\n",
        "[lint]\nselect = [\"CL8\"]\n",
        "[lint]\nselect = [\"CL\"]\n",
        "[lint]\nselect = [\"CL1015\"]\n",
        "[lint]\nselect = [\"shared\"]\n",
        "[lint]\nselect = [\"\"]\n",
        "[lint]\nextra = true\n",
        "[lint]\nopenclaw-version = \"2026.9.6\"\ntarget-version = \"2026.9.6\"\n",
        "[lint]\ntarget-version = 2026\n",
        "[rules]\nCL106 = \"error\"\nCL3 = \"off\"\nshared-workspace = \"info\"\n",
        "[rules]\nCL999 = \"error\"\n",
        "[rules]\nCL106 = \"loud\"\n",
        "[rules]\nCL106 = \"Error\"\n",
        "[rules]\nCL106 = 2\n",
        "[[ignore]]\nrule = \"CL203\"\ninstances = [\"a\", \"b\"]\nreason = \"on purpose\"\n",
        "[[ignore]]\nrule = \"shared-workspace\"\ninstances = [\"a\", \"b\"]\nreason = \"x\"\n",
        "[[ignore]]\nrule = \"CL203\"\ninstances = [\"a\", \"b\"]\n",
        "[[ignore]]\nrule = \"CL203\"\ninstances = [\"a\", \"b\"]\nreason = \"  \"\n",
        "[[ignore]]\nrule = \"CL2O3\"\ninstances = [\"a\"]\nreason = \"x\"\n",
        "[[ignore]]\nrule = \"CL203\"\ninstances = \"a\"\nreason = \"x\"\n",
        "[[instance]]\nname = \"t\"\nhome = \"/srv/t\"\nprofile = \"t\"\ndev = false\nenv = { OPENCLAW_STATE_DIR = \"/srv/t/s\" }\nargs = [\"--port\", \"20400\"]\ncwd = \"/srv\"\nconfig = \"/srv/t/c.json\"\nservice = \"t.service\"\n",
        "[[instance]]\nhome = \"/srv/t\"\n",
        "[[instance]]\nname = \"t\"\nport = 20400\n",
        "[[instance]]\nname = \"t\"\nenv = { PORT = 1 }\n",
        "[[instance]]\nname = \"t\"\ndev = \"yes\"\n",
        "compose = [\"compose.yaml\"]\n",
        "compose = \"compose.yaml\"\n",
        "unknown = 1\n",
        "",
    ];
    documents.extend(
        cases
            .iter()
            .enumerate()
            .map(|(i, c)| (format!("case {i}"), c.to_string())),
    );
    let mut disagreements = Vec::new();
    for (name, text) in &documents {
        let (parsed, valid) = both(&validator, text);
        if parsed != valid {
            disagreements.push(format!("{name}: clawlint {parsed}, schema {valid}\n{text}"));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    // The real files are accepted by both (not only rejected alike).
    for (name, text) in &documents[..real] {
        assert_eq!(both(&validator, text), (true, true), "{name}");
    }
    // Every rule, by code and by name, in any case.
    for rule in catalog::ALL {
        for selector in [
            rule.code.to_string(),
            rule.name.to_string(),
            rule.name.to_uppercase(),
            rule.code.to_lowercase(),
        ] {
            let text = format!("[rules]\n{selector:?} = \"off\"\n");
            assert_eq!(both(&validator, &text), (true, true), "{text}");
        }
    }
}

/// The README's rule table lists every rule of the catalog, in order, as its page names it
/// (code, name, category, summary): a rule added or reworded shows here.
#[test]
fn the_readme_rule_table_is_the_catalog() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let rows: Vec<&str> = readme.lines().filter(|l| l.starts_with("| `CL")).collect();
    let expected: Vec<String> = catalog::ALL
        .iter()
        .map(|r| {
            format!(
                "| `{}` | {} | {} | {} |",
                r.code,
                r.name,
                r.category.as_str(),
                r.summary().trim()
            )
        })
        .collect();
    assert_eq!(
        rows, expected,
        "README.md's rule table differs from the catalog"
    );
}
