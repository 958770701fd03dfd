//! The pipeline's boundaries, checked on the source: no stage imports against the flow
//! (discover -> load -> resolve -> rules -> engine -> report), and rules stay pure.

mod common;
use common::root;

/// Every `.rs` file under `src/<dir>`, with its text.
fn sources(dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("src").join(dir)];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
    assert!(!out.is_empty(), "src/{dir} has no sources");
    out
}

fn assert_none(dir: &str, forbidden: &[&str], why: &str) {
    let mut hits = Vec::new();
    for (path, text) in sources(dir) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for word in forbidden {
                if code.contains(word) {
                    hits.push(format!("{path}:{}: {word}", n + 1));
                }
            }
        }
    }
    assert!(hits.is_empty(), "{why}:\n{}", hits.join("\n"));
}

#[test]
fn rules_never_touch_the_file_system_or_parse() {
    assert_none(
        "rules",
        &[
            "std::fs",
            "fs::",
            "File::",
            "canonical_key",
            "canonicalize",
            "symlink_metadata",
            "json5::parse",
            "crate::load::read",
        ],
        "a rule compares what resolve computed (path keys included); it never reads or parses",
    );
}

#[test]
fn loaders_never_judge_and_reporters_never_reach_into_rules() {
    assert_none(
        "load",
        &[
            "crate::rules",
            "crate::engine",
            "crate::report",
            "crate::catalog",
        ],
        "load must not use rules, the engine or reporters",
    );
    assert_none(
        "report",
        &["crate::rules", "crate::engine::settings"],
        "report must not use rule internals or decide levels",
    );
}

#[test]
fn the_catalog_and_the_source_map_sit_at_the_bottom() {
    for (file, deps) in [
        ("catalog.rs", &["crate::"][..]),
        (
            "source",
            &[
                "crate::diagnostic",
                "crate::catalog",
                "crate::engine",
                "crate::rules",
            ][..],
        ),
    ] {
        let text = if file.ends_with(".rs") {
            vec![(
                file.to_string(),
                std::fs::read_to_string(root().join("src").join(file)).unwrap(),
            )]
        } else {
            sources(file)
        };
        for (path, text) in text {
            for dep in deps {
                let uses = text
                    .lines()
                    .any(|l| l.split("//").next().unwrap_or("").contains(dep));
                assert!(
                    !uses,
                    "{path} depends on {dep}: it must sit below every stage"
                );
            }
        }
    }
}
