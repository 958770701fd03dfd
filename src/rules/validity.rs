//! Will it start? (CL7xx) Each gateway's config against the schema and checks of the
//! OpenClaw release that runs it, and of the release the host upgrades to. The verdicts are
//! computed by the validation step (`crate::validate`) and merged into each gateway's start
//! verdict by resolve (`crate::resolve::verdict`), where each offending value is one entry;
//! these rules only report them. A
//! config file several gateways read is reported once, naming all of them.

use super::RuleContext;
use crate::catalog;
use crate::diagnostic::{Finding, Label, Text};
use crate::resolve::verdict::{Start, StartValue, StartVerdict};
use crate::resolve::Instance;
use crate::validate::{Issue, StartOutcome, Validity};
use std::collections::HashMap;

pub fn check(ctx: &RuleContext) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    // (code, loc, message) -> index in `out`: one finding per place, all gateways on it.
    let mut seen: HashMap<(&'static str, Option<crate::source::Loc>, Text), usize> = HashMap::new();
    let mut push = |finding: Finding, inst: &Instance, out: &mut Vec<Finding>| {
        let key = (
            finding.rule.code,
            finding.labels[0].loc,
            finding.message.clone(),
        );
        match seen.get(&key) {
            Some(&at) => out[at].labels.push(Label::new(
                None,
                format!("also read by {}", inst.name),
                Some(&inst.name),
            )),
            None => {
                seen.insert(key, out.len());
                out.push(finding);
            }
        }
    };
    // A config several gateways read is said at the first: one that surely runs before one
    // behind compose profiles that may or may not be enabled (a `--profile cli` sidecar).
    let mut order: Vec<&Instance> = ctx.instances.iter().collect();
    order.sort_by_key(|inst| start_unverifiable(inst));
    for inst in order {
        let starts = inst.start.start != Start::Refuses;
        let shared = SharedFacts::of(inst, ctx.sources);
        // What else the repair changes, said once, with the gateway's first repaired value.
        let mut also = inst
            .validity
            .as_ref()
            .map(|v| &v.verdict.also_changed)
            .filter(|a| !a.is_empty());
        for value in &inst.start.values {
            let mut finding = current(inst, value, starts, &shared);
            if matches!(value.outcome, StartOutcome::Repair { .. }) {
                if let Some(changed) = also.take() {
                    finding = finding.note(format!(
                        "the same repair runs every migration on the whole file: it also {}",
                        changed.join("; ")
                    ));
                }
            }
            push(finding, inst, &mut out);
        }
        let Some(v) = &inst.validity else { continue };
        for finding in disagreeing_releases(inst, v) {
            push(finding, inst, &mut out);
        }
        if let Some(target) = &v.target {
            if let Some(f) = port_moves(inst, v, &target.release) {
                push(f, inst, &mut out);
            }
            for f in upgrade_findings(inst, v, &target.release, shared.plain_json) {
                push(f, inst, &mut out);
            }
        }
    }
    out
}

/// A compose service behind profiles whose enabling clawlint cannot read.
fn start_unverifiable(inst: &Instance) -> bool {
    let profiles = inst.container.as_ref().and_then(|c| c.profiles.as_ref());
    profiles.is_some_and(|p| p.unverifiable().is_some())
}

/// "OpenClaw 2026.9.6" and, when the release is not known, how clawlint chose it.
fn release_words(v: &Validity) -> String {
    match &v.release {
        Some(r) if r.value == v.checked_against => format!("OpenClaw {}", r.value),
        Some(r) => format!(
            "OpenClaw {} (checked against {}'s schema, the nearest recorded)",
            r.value, v.checked_against
        ),
        None => format!(
            "OpenClaw {} (release unknown; the newest known)",
            v.checked_against
        ),
    }
}

fn release_note(v: &Validity) -> String {
    match &v.release {
        Some(r) => format!("release {}: {}", r.value, release_source(&r.origin)),
        None => format!(
            "the layout does not show which OpenClaw release runs this gateway, so clawlint checked against the newest it knows ({}); say which with --openclaw-version or `openclaw-version` under [lint] in clawlint.toml",
            v.checked_against
        ),
    }
}

fn release_source(origin: &crate::resolve::Origin) -> String {
    match origin {
        crate::resolve::Origin::Config(_) => {
            "meta.lastTouchedVersion in the config (the release that last wrote it)".into()
        }
        other => other.summary(),
    }
}

fn issue_words(issue: &Issue) -> String {
    let path = issue.shown_path_string();
    let at = if path.is_empty() {
        "the config root".to_string()
    } else {
        format!("`{path}`")
    };
    let mut msg = format!("{at}: {}", issue.message);
    if let Some(s) = &issue.suggestion {
        msg.push_str(&format!(" (did you mean `{s}`?)"));
    }
    msg
}

fn label_for(issue: &Issue, inst: &Instance) -> Label {
    let text = match issue.kind {
        crate::validate::IssueKind::UnknownKey => "unknown key".to_string(),
        crate::validate::IssueKind::Required => {
            format!("missing `{}`", issue.shown_path_string())
        }
        _ => match &issue.expected {
            Some(e) => format!("expected {e}"),
            None => issue.message.clone(),
        },
    };
    Label::new(
        Some(issue.loc),
        format!("{}: {text}", inst.name),
        Some(&inst.name),
    )
}

fn help_for(issue: &Issue) -> String {
    if let Some(s) = &issue.suggestion {
        return format!("rename it to `{s}`, or remove it");
    }
    match issue.kind {
        crate::validate::IssueKind::UnknownKey => "remove the key (OpenClaw's config schema is strict), or move it where this release expects it".into(),
        crate::validate::IssueKind::Required => "add the missing member".into(),
        crate::validate::IssueKind::Refinement => {
            "change the config as the message says (`openclaw doctor` explains it too)".into()
        }
        crate::validate::IssueKind::Legacy => {
            "run `openclaw doctor --fix` (it migrates legacy keys), or change the config as the message says".into()
        }
        _ => "change the value to one this release accepts".into(),
    }
}

/// What every value of one gateway's start verdict shares: looked up once per gateway, not
/// once per value (a config with 150,000 unknown keys has as many values: a scan of them all
/// for each was quadratic).
struct SharedFacts {
    /// A value is refused because its channel block needs a migration first.
    channel_refusal: bool,
    /// The start fails writing a gateway token into an included file ([`token_write_fails`]).
    token_write_fails: bool,
    /// The config is plain JSON (`JSON.parse` takes it): a rewrite loses no comments.
    plain_json: bool,
}

impl SharedFacts {
    fn of(inst: &Instance, sources: &crate::source::SourceMap) -> SharedFacts {
        let values = &inst.start.values;
        SharedFacts {
            channel_refusal: values.iter().any(|v| {
                v.issue.as_ref().and_then(|i| i.note.as_deref())
                    == Some(crate::validate::repair::CHANNEL_MIGRATION_REFUSED)
            }),
            token_write_fails: values.iter().any(token_write_fails),
            plain_json: sources.file(inst.config_loc.file).plain_json,
        }
    }
}

/// CL701 (refused) and CL702 (repaired at start, rewriting the file): one offending value of
/// the gateway's start verdict.
fn current(inst: &Instance, value: &StartValue, starts: bool, shared: &SharedFacts) -> Finding {
    let v = inst.validity.as_deref();
    let release = v
        .map(release_words)
        .unwrap_or_else(|| "OpenClaw".to_string());
    let words = match &value.issue {
        Some(issue) => issue_words(issue),
        None => value.problem().to_string(),
    };
    let mut f = match &value.outcome {
        StartOutcome::Repair { what } if shared.plain_json => Finding::new(
            &catalog::CONFIG_REWRITTEN_AT_START,
            format!("{release} will start only after rewriting the config file: {words}"),
        )
        .note(format!("at start OpenClaw {what}, then rewrites the file in its own formatting"))
        .help("apply the change yourself (or run `openclaw doctor --fix`) so that the file keeps its layout"),
        StartOutcome::Repair { what } => Finding::new(
            &catalog::CONFIG_REWRITTEN_AT_START,
            format!("{release} will start only after rewriting the config file without its comments: {words}"),
        )
        .note(format!("at start OpenClaw {what}, then rewrites the file as plain JSON: comments, unquoted keys and formatting are lost"))
        .help("apply the change yourself (or run `openclaw doctor --fix`) so that the file keeps its comments"),
        StartOutcome::Refuse { doctor_fixes } => {
            let help = value.issue.as_ref().map(help_for).unwrap_or_else(|| {
                if token_write_fails(value) {
                    "configure a gateway token (`gateway.auth.token`, or `OPENCLAW_GATEWAY_TOKEN` in the gateway's environment), or keep the config in one file".to_string()
                } else {
                    "change the value as the message says".to_string()
                }
            });
            let mut f = Finding::new(
                &catalog::CONFIG_REJECTED,
                format!("{release} will not start with this config: {words}"),
            )
            .help(help);
            if let Some(what) = doctor_fixes {
                let channel_refusal = value.issue.as_ref().and_then(|i| i.note.as_deref())
                    == Some(crate::validate::repair::CHANNEL_MIGRATION_REFUSED);
                f = f.note(if channel_refusal {
                    format!("`openclaw doctor --fix` migrates this ({what}); run it before starting the gateway")
                } else {
                    let running = v.map(|v| {
                        v.release
                            .as_ref()
                            .map_or(v.checked_against, |r| r.value.as_str())
                    });
                    let no_start_repair = running.is_some_and(|r| {
                        !crate::validate::repair::repairs_at_start(r)
                            && !crate::validate::repair::migrates_merged_config(r)
                    });
                    format!("`openclaw doctor --fix` migrates this ({what}); the gateway itself does not, because {}", if no_start_repair { "this release's gateway repairs nothing at start" } else if inst.config_uses_include { "the config uses $include (OpenClaw repairs only single-file configs at start)" } else { "other problems of this config are not repairable" })
                });
            }
            f
        }
    };
    if matches!(value.outcome, StartOutcome::Repair { .. }) && inst.legacy_state_moves {
        f = f
            .note("its state dir is still the legacy ~/.clawdbot: the first start only moves it to ~/.openclaw and exits 1 (\"Refusing to run automatic gateway startup migrations because the selected config changed during startup (config file path changed). Retry startup so the new config can be validated.\"); the next start repairs the config and runs (a supervisor that restarts on failure retries by itself)")
            .help("run `openclaw doctor --fix` once before starting the gateway: it moves the state dir and repairs the config");
    }
    if let (Some(detail), Some(_)) = (&value.detail, &value.issue) {
        f = f.note(detail.clone());
    }
    if let Some(note) = value.issue.as_ref().and_then(|i| i.note.as_ref()) {
        f = f.note(note.clone());
    }
    if value.later {
        f = f.note(
            "`openclaw config validate` reports this once the problems it reports first are fixed",
        );
    }
    // A failed token write is no invalid config: `config validate` accepts it, the start exits 1.
    if !starts && !shared.channel_refusal && !shared.token_write_fails {
        f = f.note("OpenClaw exits with \"Invalid config\" (status 78) until the config is fixed; confirm with `openclaw config validate`");
    }
    let running = v.map(|v| {
        v.release
            .as_ref()
            .map_or(v.checked_against, |r| r.value.as_str())
    });
    // Said of what a migration changes (a missing env var is nothing a migration repairs).
    let migrated = match &value.outcome {
        StartOutcome::Repair { .. } => true,
        StartOutcome::Refuse { doctor_fixes } => doctor_fixes.is_some(),
    };
    if migrated
        && running.is_some_and(|r| {
            crate::validate::releases::compare(
                r,
                crate::validate::repair::LEGACY_START_MIGRATION_UNTIL,
            )
            .is_le()
        })
    {
        f = f.note(crate::validate::repair::LEGACY_START_MIGRATION);
    }
    let label = match &value.issue {
        Some(issue) => label_for(issue, inst),
        None => Label::new(
            Some(value.loc),
            format!("{}: {}", inst.name, value.path),
            Some(&inst.name),
        ),
    };
    f = f.label(label);
    match v {
        Some(v) => f.note(release_note(v)),
        None => f,
    }
}

/// Whether the value is the token a 2026.4.29 start fails to write into a config with $include.
fn token_write_fails(value: &StartValue) -> bool {
    value.detail.as_deref() == Some(crate::validate::repair::INCLUDED_TOKEN_WRITE_FAILS)
}

/// CL704: sources in the layout that name another release than the one clawlint checked the
/// gateway against (`resolve::release`). Not reported when `--openclaw-version` or
/// clawlint.toml says which release runs.
fn disagreeing_releases(inst: &Instance, v: &Validity) -> Vec<Finding> {
    let Some(chosen) = &inst.release else {
        return Vec::new();
    };
    if v.release.as_ref() != Some(chosen) {
        return Vec::new();
    }
    let detected = crate::resolve::release::Detected {
        release: Some(chosen.clone()),
        sources: inst.release_sources.clone(),
    };
    detected
        .disagreeing()
        .into_iter()
        .map(|other| {
            let newer_config = matches!(other.origin, crate::resolve::Origin::Config(_));
            let message = if newer_config {
                format!(
                    "the config was last written by OpenClaw {}, newer than the {} that runs {}: keys that release wrote may be refused",
                    other.value, chosen.value, inst.name
                )
            } else {
                format!(
                    "the layout names two OpenClaw releases for {}: {} ({}) and {} ({}); clawlint checked against {}",
                    inst.name,
                    chosen.value,
                    release_source(&chosen.origin),
                    other.value,
                    release_source(&other.origin),
                    chosen.value
                )
            };
            let mut f = Finding::new(&catalog::RELEASE_SOURCES_DISAGREE, message).label(Label::new(
                other.origin.loc(),
                format!("{}: OpenClaw {}", inst.name, other.value),
                Some(&inst.name),
            ));
            if let Some(loc) = chosen.origin.loc() {
                f = f.label(Label::new(
                    Some(loc),
                    format!("{}: OpenClaw {} (used)", inst.name, chosen.value),
                    Some(&inst.name),
                ));
            }
            f.help(if newer_config {
                "run the release that wrote the config, or check it against this one with `openclaw config validate` before starting"
            } else {
                "make them agree (reinstall the service with `openclaw gateway install --force` after an upgrade, pin the image tag you run), or say which release runs with --openclaw-version"
            })
            .note(format!(
                "clawlint takes the release from the strongest source: the installed package or versioned path the service runs, then the image tag, then OPENCLAW_SERVICE_VERSION, then a global install in the home, then meta.lastTouchedVersion; here {}",
                release_source(&chosen.origin)
            ))
        })
        .collect()
}

/// CL703: a gateway whose port changes with the upgrade, because nothing pins it and the
/// target release gives its named profile another port (18789 before 2026.8.2, its hash port
/// from then on: `validate::defaults`, recorded with `gateway status` on every release).
fn port_moves(inst: &Instance, v: &Validity, target: &str) -> Option<Finding> {
    use crate::resolve::PortKind;
    if !matches!(inst.port_kind, PortKind::ProfileHash | PortKind::Default) {
        return None;
    }
    let profile = inst.profile.as_ref()?;
    let name = crate::openclaw::normalize_profile_name(Some(profile.value.as_str()))?;
    let now = v
        .release
        .as_ref()
        .map(|r| r.value.clone())
        .unwrap_or_else(|| v.checked_against.to_string());
    let defaults = crate::validate::defaults::unpinned_profile_port;
    let (from, to) = (defaults(&now, &name), defaults(target, &name));
    if from == to {
        return None;
    }
    let at = crate::validate::defaults::profile_port_changes_at(&now, target).unwrap_or(target);
    let label = Label::new(
        profile.origin.loc().or(Some(inst.config_loc)),
        format!("{}: profile \"{name}\", no pinned port", inst.name),
        Some(&inst.name),
    );
    Some(
        Finding::new(
            &catalog::UPGRADE_BREAKS_CONFIG,
            format!(
                "after upgrading from {now} to OpenClaw {target}, gateway \"{}\" moves from port {from} to port {to}: nothing pins its port, and from {at} on a named profile runs on its hash port",
                inst.name
            ),
        )
        .label(label)
        .help(format!(
            "pin the port it should keep before upgrading: `gateway.port: {from}` in its config (or `--port {from}` in its service), or move clients to {to}"
        ))
        .note(format!(
            "recorded with `openclaw --profile rescue gateway status` on each release (data/release-defaults.json): 18789 up to 2026.7.35, the hash port 20000 + FNV-1a(name) % 40000 from {at}; the browser ports derived from it move too"
        ))
        .note(release_note(v)),
    )
}

/// The release that runs the gateway, as CL703 names it ("from 2026.3.31").
fn running_words(v: &Validity) -> String {
    v.release
        .as_ref()
        .map(|r| r.value.clone())
        .unwrap_or_else(|| v.checked_against.to_string())
}

/// Whether two start values are the same problem at the same value (each release says it the
/// same way).
fn same_problem(a: &StartValue, b: &StartValue) -> bool {
    a.path == b.path && a.problem() == b.problem()
}

/// CL703 and CL705 at start: when the gateway's start verdict changes with the upgrade (it starts, starts
/// only after rewriting its file, or refuses), one finding at the values that make the
/// difference; then one for each other problem the target release has that the running one
/// does not, with what the target's start does about it. Both start verdicts are decided the
/// same way, each by its own release (`resolve::verdict::decide`).
fn upgrade_findings(inst: &Instance, v: &Validity, target: &str, plain_json: bool) -> Vec<Finding> {
    let Some(then) = inst.target_start.as_deref() else {
        return Vec::new();
    };
    let now = &inst.start;
    let mut out = Vec::new();
    let mut explained: Vec<&StartValue> = Vec::new();
    if now.start != then.start {
        let (f, causes) = start_change(inst, v, target, (now, then), plain_json);
        out.extend(f);
        explained = causes;
    }
    for value in &then.values {
        let known = now.values.iter().any(|c| same_problem(c, value));
        if !known && !explained.iter().any(|c| same_problem(c, value)) {
            out.push(upgrade(inst, v, target, value, plain_json));
        }
    }
    out
}

/// The values of `side` that `other` does not have; all of them when `other` has each (the same
/// problems, judged otherwise by the other release).
fn differing<'a>(side: &'a StartVerdict, other: &StartVerdict) -> Vec<&'a StartValue> {
    let new: Vec<&StartValue> = side
        .values
        .iter()
        .filter(|s| !other.values.iter().any(|o| same_problem(o, s)))
        .collect();
    if new.is_empty() {
        side.values.iter().collect()
    } else {
        new
    }
}

/// What a start that repairs the config loses: a JSON5 file its comments (OpenClaw writes
/// plain JSON), a plain-JSON file only its layout.
fn rewritten(plain_json: bool) -> &'static str {
    match plain_json {
        true => "the config file",
        false => "the config file without its comments",
    }
}

/// How the target release's start verdict reads in a CL703 message.
fn start_words(start: Start, target: &str, plain_json: bool) -> String {
    match start {
        Start::Starts => format!("starts on OpenClaw {target} as written"),
        Start::StartsAfterRepair => format!(
            "will start on OpenClaw {target} only after rewriting {}",
            rewritten(plain_json)
        ),
        Start::Refuses => format!("will not start on OpenClaw {target}"),
    }
}

/// CL703 (worse on the target) or CL705 (better): the gateway's start verdict on the running
/// release (`now`) and on the target (`then`) differ. The finding is at the values that cause it: those of the worse verdict
/// that the better one does not have (a refusal's unrepairable ones first), or all of its
/// values when both releases see the same problems and judge them otherwise (a start guard
/// that repairs what the older release refuses, a token write that fails with `$include`).
/// Returns the finding (none without such a value) and the values it explains.
fn start_change<'a>(
    inst: &Instance,
    v: &Validity,
    target: &str,
    (now, then): (&'a StartVerdict, &'a StartVerdict),
    plain_json: bool,
) -> (Option<Finding>, Vec<&'a StartValue>) {
    let from = running_words(v);
    // Worse: refuses, or rewrites the file where the other starts as written.
    let worse = |a: Start, b: Start| {
        matches!(
            (a, b),
            (Start::Refuses, _) | (Start::StartsAfterRepair, Start::Starts)
        )
    };
    let breaks = worse(then.start, now.start);
    let mut causes = if breaks {
        differing(then, now)
    } else {
        differing(now, then)
    };
    let unrepairable: Vec<&StartValue> = causes
        .iter()
        .copied()
        .filter(|c| matches!(c.outcome, StartOutcome::Refuse { doctor_fixes: None }))
        .collect();
    if !unrepairable.is_empty() && (then.start == Start::Refuses || now.start == Start::Refuses) {
        causes = unrepairable;
    }
    let Some(first) = causes.first() else {
        return (None, causes);
    };
    let why = match &first.issue {
        Some(issue) => issue_words(issue),
        None => first.problem().to_string(),
    };
    let more = match causes.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    let message = format!(
        "gateway \"{}\" {}, {}: {why}{more}",
        inst.name,
        now_words(now.start, &from),
        start_words(then.start, target, plain_json),
    );
    // A regression is CL703 (an error); an upgrade that only makes the start better is CL705,
    // an advisory, so that good news never fails a run (CL701/CL702 already report the config
    // as the current release treats it).
    let rule = if breaks {
        &catalog::UPGRADE_BREAKS_CONFIG
    } else {
        &catalog::UPGRADE_FIXES_START
    };
    let mut f = Finding::new(rule, message);
    for cause in &causes {
        f = f.label(value_label(cause, inst));
    }
    // What the target's start does with the first cause's value, in its words.
    let at_target = then.values.iter().find(|t| same_problem(t, first));
    f = match at_target.map(|t| &t.outcome) {
        Some(StartOutcome::Repair { what }) => f.note(format!(
            "at start OpenClaw {target} {what}, then rewrites the file as plain JSON: comments, unquoted keys and formatting are lost"
        )),
        Some(StartOutcome::Refuse {
            doctor_fixes: Some(what),
        }) => f.note(format!("`openclaw doctor --fix` migrates this: it {what}")),
        Some(StartOutcome::Refuse { doctor_fixes: None }) if first.issue.is_some() => {
            f.note("clawlint knows no `openclaw doctor --fix` migration for this: change it by hand before upgrading")
        }
        _ => f,
    };
    if let StartOutcome::Repair { what } = &first.outcome {
        if !breaks {
            f = f.note(format!(
                "at start OpenClaw {from} {what}, then rewrites the file as plain JSON"
            ));
        }
    }
    if let Some(note) = first.issue.as_ref().and_then(|i| i.note.as_ref()) {
        f = f.note(note.clone());
    }
    if let (Some(detail), Some(_)) = (&first.detail, &first.issue) {
        f = f.note(detail.clone());
    }
    f = f.help(match (breaks, then.start) {
        (true, Start::Refuses) => value_help(first),
        (true, _) => "apply the change yourself before upgrading (or run the target release's `openclaw doctor --fix` before starting it), so that the file keeps its comments".to_string(),
        (false, _) => format!(
            "nothing to change for OpenClaw {target}; until the upgrade, CL701 and CL702 say what OpenClaw {from} does with this config"
        ),
    });
    (Some(f.note(release_note(v))), causes)
}

/// How the running release's start verdict reads in a CL703 message.
fn now_words(start: Start, from: &str) -> String {
    match start {
        Start::Starts => format!("starts on OpenClaw {from}"),
        Start::StartsAfterRepair => {
            format!("starts on OpenClaw {from} after rewriting its config file")
        }
        Start::Refuses => format!("does not start on OpenClaw {from}"),
    }
}

/// The label of one start value: the validation issue's, or the value's path.
fn value_label(value: &StartValue, inst: &Instance) -> Label {
    match &value.issue {
        Some(issue) => label_for(issue, inst),
        None => Label::new(
            Some(value.loc),
            format!("{}: {}", inst.name, value.path),
            Some(&inst.name),
        ),
    }
}

/// What to do about a value a start refuses.
fn value_help(value: &StartValue) -> String {
    match &value.issue {
        Some(issue) => help_for(issue),
        None if token_write_fails(value) => "configure a gateway token (`gateway.auth.token`, or `OPENCLAW_GATEWAY_TOKEN` in the gateway's environment), or keep the config in one file".to_string(),
        None => "change the value as the message says".to_string(),
    }
}

/// CL703: a problem the target release has that the current one does not, with what the
/// target's start does about it.
fn upgrade(
    inst: &Instance,
    v: &Validity,
    target: &str,
    value: &StartValue,
    plain_json: bool,
) -> Finding {
    let now = running_words(v);
    let verdict = match &value.outcome {
        StartOutcome::Repair { what } => {
            format!(
                "will start after rewriting {} (it {what})",
                rewritten(plain_json)
            )
        }
        StartOutcome::Refuse { .. } => "will not start".into(),
    };
    let why = match &value.issue {
        Some(issue) => issue_words(issue),
        None => format!("`{}`: {}", value.path, value.problem()),
    };
    let mut f = Finding::new(
        &catalog::UPGRADE_BREAKS_CONFIG,
        format!("after upgrading from {now} to OpenClaw {target}, the gateway {verdict}: {why}"),
    )
    .label(value_label(value, inst))
    .help(value_help(value));
    match (&value.outcome, &value.issue) {
        (_, None) => {}
        (
            StartOutcome::Refuse {
                doctor_fixes: Some(what),
            }
            | StartOutcome::Repair { what },
            Some(_),
        ) => {
            f = f.note(format!("`openclaw doctor --fix` migrates this: it {what}"));
        }
        (StartOutcome::Refuse { doctor_fixes: None }, Some(_)) => {
            f = f.note("clawlint knows no `openclaw doctor --fix` migration for this: change it by hand before upgrading");
        }
    }
    if let Some(note) = value.issue.as_ref().and_then(|i| i.note.as_ref()) {
        f = f.note(note.clone());
    }
    f.note(release_note(v))
}

#[cfg(test)]
mod tests {
    use crate::catalog::{
        CONFIG_REJECTED, CONFIG_REWRITTEN_AT_START, UPGRADE_BREAKS_CONFIG, UPGRADE_FIXES_START,
    };
    use crate::resolve::{Origin, Sourced};
    use crate::rules::testing::{gateway, host, labels, parties, Host};
    use crate::validate::{Issue, IssueKind, Seg, StartOutcome, Validity, Verdict};

    /// An issue at a member of the gateway's config, by dotted path.
    fn issue(host: &Host, gateway: usize, path: &str, kind: IssueKind, message: &str) -> Issue {
        let root = host.instances[gateway]
            .config_root
            .as_ref()
            .expect("a config");
        let keys: Vec<&str> = path.split('.').collect();
        let node = root.at(&keys).expect("the member is in the config");
        Issue {
            path: keys.iter().map(|k| Seg::Key(k.to_string())).collect(),
            kind,
            message: message.to_string(),
            loc: node.loc,
            expected: None,
            suggestion: crate::validate::did_you_mean(
                keys.last().expect("a key"),
                ["port", "bind"],
            ),
            note: None,
        }
    }

    fn verdict(issues: Vec<(Issue, StartOutcome)>, starts: bool) -> Verdict {
        Verdict {
            release: "2026.9.6".to_string(),
            issues,
            starts,
            later: Vec::new(),
            migrated: Vec::new(),
            also_changed: Vec::new(),
        }
    }

    /// Running 2026.9.6, known from `meta.lastTouchedVersion` in the config.
    fn validity(host: &Host, verdict: Verdict, target: Option<Verdict>) -> Validity {
        let root = host.instances[0].config_root.as_ref().expect("a config");
        let meta = root.at(&["meta", "lastTouchedVersion"]).expect("written");
        Validity {
            release: Some(Sourced::new("2026.9.6".into(), Origin::Config(meta.loc))),
            checked_against: "2026.9.6",
            verdict,
            target: target.map(Box::new),
        }
    }

    fn typo(name: &str) -> crate::rules::testing::Gateway {
        gateway(name)
            .port(18789)
            .set("gateway.prot", "18790")
            .set("meta.lastTouchedVersion", "\"2026.9.6\"")
    }

    /// The typo's key, unknown to the release.
    fn unknown_prot(host: &Host) -> Issue {
        issue(
            host,
            0,
            "gateway.prot",
            IssueKind::UnknownKey,
            "Unrecognized key: \"prot\"",
        )
    }

    /// The running release refuses the typo.
    fn refused(host: &mut Host) {
        let verdict = verdict(
            vec![(
                unknown_prot(host),
                StartOutcome::Refuse { doctor_fixes: None },
            )],
            false,
        );
        host.instances[0].validity = Some(validity(host, verdict, None).into());
        crate::resolve::verdict::decide(&mut host.instances[0]);
    }

    /// The running release deletes the typo at start, rewriting the file.
    fn repaired(host: &mut Host) {
        let repair = StartOutcome::Repair {
            what: "deletes gateway.prot".to_string(),
        };
        let verdict = verdict(vec![(unknown_prot(host), repair)], true);
        host.instances[0].validity = Some(validity(host, verdict, None).into());
        crate::resolve::verdict::decide(&mut host.instances[0]);
    }

    /// The gateway's current verdicts, checked against `target` as well, decided again.
    fn with_target(host: &mut Host, target: Verdict) {
        let current = Validity::clone(host.instances[0].validity.as_deref().expect("set"));
        host.instances[0].validity = Some(
            Validity {
                target: Some(Box::new(target)),
                ..current
            }
            .into(),
        );
        crate::resolve::verdict::decide(&mut host.instances[0]);
    }

    /// The running release accepts the typo; the target release 2026.10.1 refuses it.
    fn refused_after_upgrade(host: &mut Host) {
        let target = Verdict {
            release: "2026.10.1".to_string(),
            ..verdict(
                vec![(
                    unknown_prot(host),
                    StartOutcome::Refuse { doctor_fixes: None },
                )],
                false,
            )
        };
        host.instances[0].validity =
            Some(validity(host, verdict(Vec::new(), true), Some(target)).into());
        crate::resolve::verdict::decide(&mut host.instances[0]);
    }

    #[test]
    fn cl701_an_unknown_key_stops_the_gateway() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let f = host.finding(CONFIG_REJECTED);
        assert_eq!(
            f.message,
            "OpenClaw 2026.9.6 will not start with this config: `gateway.prot`: Unrecognized key: \"prot\" (did you mean `port`?)"
        );
        assert_eq!(labels(&f), ["ops: unknown key"]);
        assert_eq!(f.help.as_deref(), Some("rename it to `port`, or remove it"));
        assert!(
            f.notes.iter().any(|n| n.to_string().contains("status 78")),
            "{:?}",
            f.notes
        );
    }

    #[test]
    fn cl701_one_finding_for_a_file_two_gateways_read() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let mut second = host.instances[0].clone();
        second.name = "rescue".to_string();
        host.instances.push(second);
        let f = host.finding(CONFIG_REJECTED);
        assert_eq!(parties(&f), ["ops", "rescue"]);
        assert_eq!(labels(&f), ["ops: unknown key", "also read by rescue"]);
    }

    /// A config a gateway that surely runs and a sidecar behind compose profiles nobody can
    /// say are enabled both read: said at the one that runs.
    #[test]
    fn cl701_is_said_at_the_gateway_that_surely_runs() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let mut cli = host.instances[0].clone();
        cli.name = "cli".to_string();
        let sidecar = super::super::testing::host([typo("cli").not_started()]);
        let mut container = sidecar.instances[0].container.clone().expect("a container");
        let profiles = container.profiles.as_mut().expect("behind a profile");
        profiles.state = crate::container::ProfileState::Unverifiable("no command found".into());
        cli.container = Some(container);
        host.instances.insert(0, cli);
        let f = host.finding(CONFIG_REJECTED);
        assert_eq!(labels(&f), ["ops: unknown key", "also read by cli"]);
    }

    /// On a release before start-up migrations, the note on them goes with a problem a
    /// migration changes (`doctor --fix` migrates it), not with any refusal.
    #[test]
    fn cl701_says_start_migrations_only_of_what_they_change() {
        let legacy_note = |doctor_fixes: Option<String>| {
            let mut host = host([typo("ops")]);
            let outcome = StartOutcome::Refuse { doctor_fixes };
            let verdict = verdict(vec![(unknown_prot(&host), outcome)], false);
            let old = Validity {
                release: Some(Sourced::new(
                    "2026.2.15".into(),
                    Origin::Default("test".into()),
                )),
                checked_against: "2026.1.30",
                ..validity(&host, verdict, None)
            };
            host.instances[0].validity = Some(old.into());
            crate::resolve::verdict::decide(&mut host.instances[0]);
            let f = host.finding(CONFIG_REJECTED);
            let notes: Vec<String> = f.notes.iter().map(|n| n.to_string()).collect();
            notes
                .iter()
                .any(|n| n.contains("runs its legacy migrations"))
        };
        assert!(!legacy_note(None));
        assert!(legacy_note(Some("renames gateway.prot".to_string())));
    }

    #[test]
    fn cl701_not_for_a_valid_config() {
        let mut host = host([typo("ops")]);
        host.instances[0].validity = Some(validity(&host, verdict(Vec::new(), true), None).into());
        crate::resolve::verdict::decide(&mut host.instances[0]);
        assert!(host.findings(CONFIG_REJECTED).is_empty());
        assert!(host.findings(CONFIG_REWRITTEN_AT_START).is_empty());
    }

    #[test]
    fn cl702_a_repair_that_rewrites_the_file() {
        let mut host = host([typo("ops")]);
        repaired(&mut host);
        let f = host.finding(CONFIG_REWRITTEN_AT_START);
        assert!(
            f.message.starts_with(
                "OpenClaw 2026.9.6 will start only after rewriting the config file without its comments: `gateway.prot`"
            ),
            "{}",
            f.message
        );
        assert_eq!(
            f.notes[0],
            "at start OpenClaw deletes gateway.prot, then rewrites the file as plain JSON: comments, unquoted keys and formatting are lost"
        );
        assert!(host.findings(CONFIG_REJECTED).is_empty());
    }

    #[test]
    fn cl703_the_target_release_refuses_what_this_one_accepts() {
        let mut host = host([typo("ops")]);
        refused_after_upgrade(&mut host);
        let f = host.finding(UPGRADE_BREAKS_CONFIG);
        assert_eq!(
            f.message,
            "gateway \"ops\" starts on OpenClaw 2026.9.6, will not start on OpenClaw 2026.10.1: `gateway.prot`: Unrecognized key: \"prot\" (did you mean `port`?)"
        );
        assert_eq!(labels(&f), ["ops: unknown key"]);
        // One finding: the start change is the new problem's, and a regression is no CL705.
        assert_eq!(host.findings(UPGRADE_BREAKS_CONFIG).len(), 1);
        assert!(host.findings(UPGRADE_FIXES_START).is_empty());
        assert!(f
            .notes
            .iter()
            .any(|n| n.to_string().contains("change it by hand before upgrading")));
    }

    /// The target release deletes at start what this one accepts, rewriting the file: a
    /// JSON5 file loses its comments, a plain-JSON one only its layout, and the CL703
    /// message says which (as CL702's does).
    #[test]
    fn cl703_a_repair_on_the_target_says_what_the_rewrite_loses() {
        let upgrade_with_repair = |plain_json: bool| {
            let mut host = host([typo("ops")]);
            if plain_json {
                let file = host.instances[0].config_loc.file;
                host.sources.set_plain_json(file);
            }
            let repair = StartOutcome::Repair {
                what: "deletes gateway.prot".to_string(),
            };
            let target = Verdict {
                release: "2026.10.1".to_string(),
                ..verdict(vec![(unknown_prot(&host), repair)], true)
            };
            host.instances[0].validity =
                Some(validity(&host, verdict(Vec::new(), true), Some(target)).into());
            crate::resolve::verdict::decide(&mut host.instances[0]);
            host.finding(UPGRADE_BREAKS_CONFIG).message
        };
        let json5 = upgrade_with_repair(false);
        assert!(
            json5.contains("will start on OpenClaw 2026.10.1 only after rewriting the config file without its comments:"),
            "{json5}"
        );
        let plain = upgrade_with_repair(true);
        assert!(
            plain
                .contains("will start on OpenClaw 2026.10.1 only after rewriting the config file:"),
            "{plain}"
        );
    }

    /// The reverse: the running release refuses the typo, the target release deletes it at
    /// start (rewriting the file).
    #[test]
    fn cl705_the_target_release_starts_what_this_one_refuses() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let repair = StartOutcome::Repair {
            what: "deletes gateway.prot".to_string(),
        };
        let target = Verdict {
            release: "2026.10.1".to_string(),
            ..verdict(vec![(unknown_prot(&host), repair)], true)
        };
        with_target(&mut host, target);
        let f = host.finding(UPGRADE_FIXES_START);
        assert_eq!(
            f.message,
            "gateway \"ops\" does not start on OpenClaw 2026.9.6, will start on OpenClaw 2026.10.1 only after rewriting the config file without its comments: `gateway.prot`: Unrecognized key: \"prot\" (did you mean `port`?)"
        );
        assert!(
            f.notes.iter().any(|n| n
                .to_string()
                .starts_with("at start OpenClaw 2026.10.1 deletes gateway.prot")),
            "{:?}",
            f.notes
        );
        assert_eq!(host.findings(UPGRADE_FIXES_START).len(), 1);
        // Good news only: no CL703, whose error would fail the run.
        assert!(host.findings(UPGRADE_BREAKS_CONFIG).is_empty());
    }

    #[test]
    fn cl703_not_for_what_the_current_release_already_reports() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let target = Verdict {
            release: "2026.10.1".to_string(),
            ..host.instances[0]
                .validity
                .as_deref()
                .expect("set")
                .verdict
                .clone()
        };
        with_target(&mut host, target);
        assert!(host.findings(UPGRADE_BREAKS_CONFIG).is_empty());
        assert_eq!(host.findings(CONFIG_REJECTED).len(), 1);
    }

    /// A named profile without a pinned port on 2026.7.35 (port 18789), checked with
    /// `--target-version 2026.9.6`: it moves to its hash port.
    #[test]
    fn cl703_an_unpinned_profile_moves_to_its_hash_port() {
        let mut host = host([gateway("rescue").set("meta.lastTouchedVersion", "\"2026.7.35\"")]);
        let root = host.instances[0].config_root.clone().expect("a config");
        let meta = root.at(&["meta", "lastTouchedVersion"]).expect("written");
        let now = crate::validate::validate(&root, "2026.7.35", true).expect("recorded");
        let target = crate::validate::validate(&root, "2026.9.6", true).expect("recorded");
        host.instances[0].validity = Some(
            Validity {
                release: Some(Sourced::new("2026.7.35".into(), Origin::Config(meta.loc))),
                checked_against: "2026.7.35",
                verdict: now,
                target: Some(Box::new(target)),
            }
            .into(),
        );
        crate::resolve::verdict::decide(&mut host.instances[0]);
        let f = host.finding(UPGRADE_BREAKS_CONFIG);
        assert_eq!(
            f.message,
            "after upgrading from 2026.7.35 to OpenClaw 2026.9.6, gateway \"rescue\" moves from port 18789 to port 23532: nothing pins its port, and from 2026.8.2 on a named profile runs on its hash port"
        );
        assert!(f
            .help
            .as_deref()
            .is_some_and(|h| h.contains("gateway.port: 18789")));
        // Pinned: nothing moves.
        host.instances[0].port_kind = crate::resolve::PortKind::Config;
        assert!(host.findings(UPGRADE_BREAKS_CONFIG).is_empty());
    }

    // The human rendering of `check --select RULE` for each rule's case (ruff's `for_rule`).

    #[test]
    fn cl701_human() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        insta::assert_snapshot!("CL701", host.human(CONFIG_REJECTED));
    }

    #[test]
    fn cl702_human() {
        let mut host = host([typo("ops")]);
        repaired(&mut host);
        insta::assert_snapshot!("CL702", host.human(CONFIG_REWRITTEN_AT_START));
    }

    #[test]
    fn cl703_human() {
        let mut host = host([typo("ops")]);
        refused_after_upgrade(&mut host);
        insta::assert_snapshot!("CL703", host.human(UPGRADE_BREAKS_CONFIG));
    }

    #[test]
    fn cl705_human() {
        let mut host = host([typo("ops")]);
        refused(&mut host);
        let target = Verdict {
            release: "2026.10.1".to_string(),
            ..verdict(Vec::new(), true)
        };
        with_target(&mut host, target);
        insta::assert_snapshot!("CL705", host.human(UPGRADE_FIXES_START));
    }
}
