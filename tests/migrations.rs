//! data/doctor-migrations.json (what each OpenClaw release's doctor migrations do to each key:
//! move, remove, rewrite) must be what scripts/extract-migrations.mjs reads from the OpenClaw
//! releases installed in the oracle cache ($ORACLE_CACHE, default /work/oracle-cache), and it
//! must list every migration of each release. The comparison is skipped, with a message, where
//! no release is installed (CI has no oracle cache); the listing checks always run.

mod common;

#[test]
fn migrations_match_the_installed_releases() {
    common::extractor_matches_installed_releases("scripts/extract-migrations.mjs", "migrations");
}

/// data/channel-doctor-migrations.json (what the channel plugins' own doctor migrations, which
/// the start repair runs after the core list, do to each key) must be what
/// scripts/extract-channel-migrations.mjs reads from the installed 2026.9.6 release.
#[test]
fn channel_migrations_match_the_installed_release() {
    common::extractor_matches_installed_releases(
        "scripts/extract-channel-migrations.mjs",
        "channel-migrations",
    );
}

/// Every effect names migrations of its release's list, and the releases OpenClaw's doctor
/// grew with are all there (2026.9.6: 82 migrations, 2026.8.2: 72).
#[test]
fn every_migration_is_listed_and_every_effect_names_one() {
    use clawlint::validate::migrations::{for_release, TABLE};
    for r in TABLE {
        for e in r.effects() {
            for id in e.by().iter() {
                assert!(
                    r.migrations().any(|(m, _)| m == id),
                    "{}: {} names unknown migration {id}",
                    r.since(),
                    e.from()
                );
            }
        }
    }
    assert_eq!(for_release("2026.9.6").unwrap().migrations().len(), 82);
    assert_eq!(for_release("2026.8.2").unwrap().migrations().len(), 72);
    // Every migration of 2026.8.2 and 2026.9.6 is seen at work on a probe (scripts/
    // extract-migrations.mjs probes the keys their code reads, not only the schema's).
    for release in ["2026.8.2", "2026.9.6"] {
        let r = for_release(release).unwrap();
        let unseen: Vec<&str> = r
            .migrations()
            .filter(|(id, _)| !r.effects().iter().any(|e| e.by().iter().any(|b| b == *id)))
            .map(|(id, _)| id)
            .collect();
        assert!(
            unseen.is_empty(),
            "{release}: never seen at work: {unseen:?}"
        );
    }
}

/// data/mcp-server-refinements.json (the MCP server keys each release's `McpServerSchema`
/// superRefine rejects by name) must be what scripts/extract-mcp-refinements.mjs reads from the
/// installed releases.
#[test]
fn mcp_server_refinements_match_the_installed_releases() {
    common::extractor_matches_installed_releases(
        "scripts/extract-mcp-refinements.mjs",
        "mcp-refinements",
    );
}

/// The MCP legacy keys are per release: 2026.8.2 and 2026.9.6 reject `client_cert` and
/// `disabled` (which the JSON schema accepts); 2026.7.35 declares `client_cert` and accepts
/// unknown server keys, so the same config is valid there.
#[test]
fn mcp_server_keys_are_rejected_per_release() {
    use clawlint::validate::extra::mcp_server_refinements_for;
    let keys =
        |r: &str| mcp_server_refinements_for(r).map(|t| (t.legacy_keys.len(), t.unsupported));
    assert_eq!(keys("2026.7.35"), Some((0, &[][..])));
    assert_eq!(keys("2026.8.2"), Some((8, &["disabled"][..])));
    assert_eq!(keys("2026.9.6"), Some((8, &["disabled"][..])));
    let text = r#"{ "mcp": { "servers": { "files": { "url": "https://mcp.example.test/", "client_cert": "/c.pem", "disabled": true } } } }"#;
    let doc = clawlint::load::json5::parse(text).unwrap();
    let root = clawlint::load::tree::Node::from_json5(doc.root, clawlint::source::FileId(0));
    let paths = |r: &str| -> Vec<String> {
        clawlint::validate::validate(&root, r, true)
            .unwrap()
            .issues
            .iter()
            .map(|(i, _)| i.report_path())
            .collect()
    };
    assert_eq!(
        paths("2026.9.6"),
        ["mcp.servers.files", "mcp.servers.files.disabled"]
    );
    assert_eq!(paths("2026.8.2"), paths("2026.9.6"));
    assert!(paths("2026.7.35").is_empty(), "{:?}", paths("2026.7.35"));
    // The canonical spelling is accepted everywhere.
    let good = r#"{ "mcp": { "servers": { "files": { "url": "https://mcp.example.test/", "clientCert": "/c.pem", "enabled": false } } } }"#;
    let doc = clawlint::load::json5::parse(good).unwrap();
    let root = clawlint::load::tree::Node::from_json5(doc.root, clawlint::source::FileId(0));
    for r in ["2026.7.35", "2026.8.2", "2026.9.6"] {
        assert!(
            clawlint::validate::validate(&root, r, true)
                .unwrap()
                .valid(),
            "{r}"
        );
    }
}

/// data/trimmed-strings.json (the config strings each release's zod schema trims before their
/// minimum length) must be what scripts/extract-trimmed-strings.mjs probes from the installed
/// releases.
#[test]
fn trimmed_strings_match_the_installed_releases() {
    common::extractor_matches_installed_releases(
        "scripts/extract-trimmed-strings.mjs",
        "trimmed-strings",
    );
}
