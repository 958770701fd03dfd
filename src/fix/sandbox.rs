//! CL407's fix (unsafe): give one of the gateways that share the Docker sandbox container
//! `openclaw-sbx-shared` (scope `shared`) container prefixes of its own, in
//! `agents.defaults.sandbox` of its config: `docker.containerPrefix` `<name>-sbx-` and
//! `browser.containerPrefix` `<name>-sbx-browser-` (facts §4.3: the containers are
//! `<prefix>shared`, so distinct prefixes are distinct containers). The gateway moved is the
//! one most likely added later; its name is a profile name, which Docker accepts in a
//! container name.
//!
//! Unsafe: that gateway's agents then run tools in new containers; what the shared one holds
//! (installed packages, files) stays there.

use super::index::{Readers, Reading};
use super::moves::Planner;
use super::{Applicability, Edit, Fix};
use crate::diagnostic::Finding;
use crate::load::json5::{self, Value};
use crate::paths::FastSet;
use crate::ports::allocate;
use crate::resolve::model::Instance;
use crate::source::{Loc, SourceMap};

/// The fix of a CL407 finding, or why there is none. What it asks of the other gateways (the
/// containers they share, the configs they read) is the planner's, built once per run.
pub fn fix(f: &Finding, planner: &mut Planner) -> Result<Fix, String> {
    let (instances, sources) = (planner.instances, planner.sources);
    let pool: Vec<usize> = f
        .instances()
        .iter()
        .filter_map(|n| planner.index_of(n))
        .collect();
    let taken = planner.shared_containers();
    let readers = planner.readers(Reading::Config);
    let mut reasons = Vec::new();
    let mut movers = allocate::Movers::new(instances, &pool);
    while let Some((mover, why)) = movers.take() {
        match edits(mover, instances, sources, taken, readers) {
            Ok((edits, docker, browser)) => {
                return Ok(Fix {
                    applicability: Applicability::Unsafe,
                    description: format!(
                        "give \"{}\" sandbox containers of its own ({docker}shared, {browser}shared): {why}; its agents then start new sandbox containers, and what the shared one holds stays with the other gateway",
                        instances[mover].name
                    ),
                    edits,
                })
            }
            Err(reason) => reasons.push(format!(
                "\"{}\" cannot be given its own: {reason}",
                instances[mover].name
            )),
        }
    }
    if reasons.is_empty() {
        reasons.push("no gateway's sandbox is set in a config clawlint can edit".into());
    }
    Err(reasons.join("; "))
}

type Edits = (Vec<Edit>, String, String);

fn edits(
    mover: usize,
    instances: &[Instance],
    sources: &SourceMap,
    taken: &FastSet<&str>,
    readers: &Readers,
) -> Result<Edits, String> {
    let inst = &instances[mover];
    let name = &inst.name;
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !valid || inst.container.is_some() {
        return Err(format!(
            "its name \"{name}\" is not a profile name clawlint can put in a container name"
        ));
    }
    let docker = format!("{name}-sbx-");
    let browser = format!("{name}-sbx-browser-");
    for prefix in [&docker, &browser] {
        if taken.contains(format!("{prefix}shared").as_str()) {
            return Err(format!("{prefix}shared is already a gateway's sandbox"));
        }
    }
    let loc = inst
        .config_facts
        .as_ref()
        .and_then(|c| c.sandbox)
        .ok_or("its config has no agents.defaults.sandbox to put the prefixes in")?;
    if readers.other_than(loc.file, mover).is_some() {
        return Err(format!(
            "{} is another gateway's config too",
            crate::paths::display_path(&sources.file(loc.file).path)
        ));
    }
    let text = &sources.file(loc.file).text;
    let doc = json5::parse(text).map_err(|_| "its config no longer parses")?;
    let object = super::fixers::node_with_span(&doc.root, loc.span)
        .ok_or("clawlint cannot find agents.defaults.sandbox")?;
    if !matches!(object.value, Value::Object(_)) {
        return Err("agents.defaults.sandbox is not an object".into());
    }
    let mut out = Vec::new();
    let mut inserted: Vec<String> = Vec::new();
    for (block, prefix) in [("docker", &docker), ("browser", &browser)] {
        let key = super::fixers::key(text, object, "containerPrefix");
        match object.get(block) {
            Some(b) if matches!(b.value, Value::Object(_)) => match b.get("containerPrefix") {
                Some(p) => {
                    let raw = &text[p.span.start()..p.span.end()];
                    if !raw.starts_with(['"', '\'']) || raw.len() < 2 {
                        return Err(format!("{block}.containerPrefix is not a quoted string"));
                    }
                    out.push(Edit {
                        file: loc.file,
                        span: crate::load::json5::Span::new(p.span.start() + 1, p.span.end() - 1),
                        replacement: prefix.clone(),
                    });
                }
                None => {
                    let (span, r) =
                        super::fixers::insert_member(text, b, &format!("{key}: \"{prefix}\""))
                            .ok_or(format!("clawlint cannot add containerPrefix to {block}"))?;
                    out.push(Edit {
                        file: loc.file,
                        span,
                        replacement: r,
                    });
                }
            },
            Some(_) => return Err(format!("agents.defaults.sandbox.{block} is not an object")),
            None => inserted.push(format!(
                "{}: {{ {key}: \"{prefix}\" }}",
                super::fixers::key(text, object, block)
            )),
        }
    }
    // The blocks the object lacks go in as one member list, first in the object.
    if !inserted.is_empty() {
        let (span, r) = super::fixers::insert_member(text, object, &inserted.join(", "))
            .ok_or("clawlint cannot add to agents.defaults.sandbox")?;
        out.push(Edit {
            file: loc.file,
            span,
            replacement: r,
        });
    }
    for e in &out {
        if super::fixers::overlaps_secret(
            sources,
            Loc {
                file: e.file,
                span: e.span,
            },
        ) {
            return Err("the edit would touch a secret".into());
        }
    }
    out.sort_by_key(|e| (e.span.start(), e.span.end()));
    Ok((out, docker, browser))
}
