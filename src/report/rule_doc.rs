//! Rule pages as Markdown, published under `docs/rules/` (one page per rule and an index), at
//! stable URLs that SARIF's `helpUri`, the `markdown` summary and `clawlint rule` link to.
//! They are generated from the catalog (`src/catalog.rs` and its `rules/CODE.toml` pages):
//! `tests/docs.rs` fails when the committed pages are stale, and rewrites them with
//! `CLAWLINT_UPDATE_DOCS=1 cargo test --test docs`.

use crate::catalog::Rule;

/// `docs/rules/CODE.md`.
pub fn page(rule: &Rule) -> String {
    let level = rule.default_severity().map_or("off", |s| s.as_str());
    let mut out = format!(
        "# {} {}\n\n{}\n\n",
        rule.code,
        rule.name,
        rule.summary().trim()
    );
    let security = rule.security_severity();
    out.push_str("| family | category | default level |");
    if security.is_some() {
        out.push_str(" security severity |");
    }
    out.push_str("\n|---|---|---|");
    if security.is_some() {
        out.push_str("---|");
    }
    out.push_str(&format!(
        "\n| {} | {} | {level} |",
        rule.family.as_str(),
        rule.category.as_str()
    ));
    if let Some(s) = security {
        out.push_str(&format!(" {s:.1} |"));
    }
    out.push_str("\n\n## What it finds\n\n");
    out.push_str(rule.explanation().trim());
    out.push_str("\n\n## Example\n\n");
    out.push_str(rule.example().trim());
    out.push_str("\n\n## Fix\n\n");
    out.push_str(rule.fix().trim());
    out.push_str(&format!(
        "\n\n## Configure\n\n\
         ```toml\n\
         # clawlint.toml\n\
         [rules]\n\
         {name} = \"{level}\"   # error | warning | info | off\n\
         ```\n\n\
         On the command line: `-D {code}` (error), `-W {code}` (warning), `-A {code}` (off), \
         `--extend-select {code}`; the name `{name}` works wherever the code does. An intended \
         case: `clawlint-ignore {code}: reason` in a comment on the line a finding points at, \
         or an `[[ignore]]` entry in `clawlint.toml`.\n\n\
         `clawlint rule {code}` prints this page.\n",
        code = rule.code,
        name = rule.name,
    ));
    out
}

/// `docs/rules/README.md`: every rule, linked.
pub fn index(rules: &[Rule]) -> String {
    let mut out = String::from(
        "# clawlint rules\n\n\
         Generated from the catalog (`src/catalog.rs`, `rules/*.toml`) by \
         `CLAWLINT_UPDATE_DOCS=1 cargo test --test docs`. Families: 1xx ports, 2xx paths, \
         3xx credentials, 4xx services, 5xx includes and env, 6xx browser, 7xx config validity, \
         9xx clawlint's own. Categories set the default level: correctness (error), suspicious \
         (warning), advisory (info), pedantic (off).\n\n\
         | code | name | category | summary |\n|---|---|---|---|\n",
    );
    for rule in rules {
        out.push_str(&format!(
            "| [`{}`]({}.md) | {} | {} | {} |\n",
            rule.code,
            rule.code,
            rule.name,
            rule.category.as_str(),
            rule.summary().trim()
        ));
    }
    out
}
