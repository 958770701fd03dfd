//! One start verdict per gateway: does `openclaw gateway run` start it, start it only after
//! repairing and rewriting its config file, or refuse it? And, for each offending config
//! value, once, what the start does with it.
//!
//! Two things know about a value: the release's validation (`crate::validate`: the schema and
//! OpenClaw's checks beyond it, with the migrations that repair at start) and what resolve
//! computes from the values it uses (the port, the `env` block, the browser: [`StartFact`]s,
//! which know the value the gateway then really uses). They are merged here by the value's
//! path, so a value is one [`StartValue`], reported once. A start repairs only when every
//! offending value is repairable, the config is one file (no `$include`) and nothing else
//! stops the gateway (an unparsable file, a failed include, an invalid profile name);
//! otherwise it refuses them all (OpenClaw 2026.9.6 `resolveStartupConfigSnapshot`,
//! openclaw-facts.md §3.8).

use super::config_facts;
use super::startup::StartFact;
use super::Instance;
use crate::load::tree::{Lookups, Node, Value};
use crate::load::ProblemKind;
use crate::source::{Loc, SourceMap};
use crate::validate::repair::Behaviour;
use crate::validate::{self, Issue, StartOutcome};
use std::sync::Arc;

/// What `openclaw gateway run` does with a gateway's config.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// It starts on the config as written.
    Starts,
    /// It repairs the config, rewrites the file as JSON (comments lost), and starts.
    StartsAfterRepair,
    /// It refuses ("Invalid config", exit 78) or fails before binding anything.
    Refuses,
}

impl Start {
    pub fn id(self) -> &'static str {
        match self {
            Start::Starts => "starts",
            Start::StartsAfterRepair => "startsAfterRepair",
            Start::Refuses => "refuses",
        }
    }
}

/// One offending config value and what the start does with it.
#[derive(Debug, Clone, PartialEq)]
pub struct StartValue {
    /// The value's path, as OpenClaw prints it.
    pub path: String,
    /// Where it is: the key of an unknown key, the value otherwise.
    pub loc: Loc,
    /// The release's validation issue at this value (`None` when only resolve knows it).
    pub issue: Option<Issue>,
    /// What resolve knows is wrong with it, when it knows (`StartFact::problem`).
    pub detail: Option<String>,
    /// Repair (with what it does and the value then used) or refusal (with what `openclaw
    /// doctor --fix` would do, when a migration repairs it).
    pub outcome: StartOutcome,
    /// `config validate` reports it only once the problems it reports first are fixed.
    pub later: bool,
}

impl StartValue {
    /// The path as a message may print it: a key of it that looks like a secret, or is too
    /// long to read, as `redact::shown_key` shows it (the paths only resolve makes are its own).
    pub fn shown_path(&self) -> String {
        match &self.issue {
            Some(issue) => issue.shown_path_string(),
            None => self.path.clone(),
        }
    }

    /// What is wrong, in words: OpenClaw's message when validation flagged it.
    pub fn problem(&self) -> &str {
        match (&self.issue, &self.detail) {
            (Some(issue), _) => &issue.message,
            (None, Some(detail)) => detail,
            (None, None) => "",
        }
    }
}

/// The start verdict of one gateway.
#[derive(Debug, Clone, PartialEq)]
pub struct StartVerdict {
    pub start: Start,
    /// The offending config values, each once, in the order OpenClaw reports them.
    pub values: Vec<StartValue>,
    /// What else stops the gateway (an unparsable file, a failed include, an invalid profile
    /// name, a pending state dir move): the messages of those problems, which their own
    /// rules report.
    pub other: Vec<String>,
}

impl Default for StartVerdict {
    fn default() -> Self {
        StartVerdict {
            start: Start::Starts,
            values: Vec::new(),
            other: Vec::new(),
        }
    }
}

/// One release's verdict on a gateway's config, as a start verdict is decided from it: the
/// validation's verdict, the release that runs (whose start behaviour applies) and the recorded
/// release whose schema it was checked against.
#[derive(Clone, Copy)]
struct Judged<'a> {
    verdict: &'a validate::Verdict,
    /// What the release that runs does at start.
    running: Behaviour,
    checked_against: &'a str,
}

impl<'a> Judged<'a> {
    /// The verdict of the release that runs the gateway.
    fn current(v: &'a validate::Validity) -> Self {
        Judged {
            verdict: &v.verdict,
            running: Behaviour::of(running(v)),
            checked_against: v.checked_against,
        }
    }

    /// The verdict of the release `--target-version` names (`Verdict::release` is that
    /// release; `validate::validity`).
    fn target(v: &'a validate::Validity) -> Option<Self> {
        let t = v.target.as_deref()?;
        Some(Judged {
            verdict: t,
            running: Behaviour::of(&t.release),
            checked_against: validate::releases::schema_for(&t.release),
        })
    }
}

/// Decides the start verdict of a gateway from its start facts, its problems and, when the
/// validation step ran, its release's verdict on the config; sets `start`, `refusal` and
/// (a refused gateway binds nothing) `listeners`. With a target release (`--target-version`),
/// also the start verdict the same gateway gets once it runs that release (`target_start`),
/// decided the same way from that release's verdict and start behaviour.
pub fn decide(inst: &mut Instance) {
    let current = inst.validity.as_deref().map(Judged::current);
    let target = inst
        .validity
        .as_deref()
        .and_then(Judged::target)
        .map(|t| Box::new(start_verdict(inst, Some(t))));
    let verdict = start_verdict(inst, current);
    // A value the start refuses or repairs is reported as such, not also as a value
    // rejected where it is used (CL904). (Most gateways have none: nothing to look up.)
    if let Some(root) = inst
        .config_root
        .as_ref()
        .filter(|_| !verdict.values.is_empty())
    {
        let mut lookups = Lookups::default();
        let spans = Enclosing::new(verdict.values.iter().flat_map(|v| {
            let node = node_at(root, &v.path, &mut lookups).map(|n| n.loc);
            [Some(v.loc), node].into_iter().flatten()
        }));
        inst.problems.retain(|p| {
            p.kind != ProblemKind::InvalidValue || !p.loc.is_some_and(|l| spans.encloses(l))
        });
    }
    inst.refusal = match verdict.start {
        Start::Refuses => verdict.other.first().cloned().or_else(|| {
            verdict
                .values
                .iter()
                .find(|v| !v.later)
                .or(verdict.values.first())
                .map(|v| {
                    let problem = v.detail.as_deref().unwrap_or(v.problem());
                    format!("{}: {problem}", v.shown_path())
                })
        }),
        _ => None,
    };
    if verdict.start == Start::Refuses {
        inst.listeners.clear();
        inst.container_listeners.clear();
    }
    inst.start = verdict;
    inst.target_start = target;
}

/// The start verdict of a gateway under one release's verdict (`None`: not validated).
fn start_verdict(inst: &Instance, validity: Option<Judged>) -> StartVerdict {
    // Releases before 2026.9.6 have no startup repair (`validate::repair::classify`).
    let repairs_at_start = validity.is_none_or(|v| v.running.repairs_at_start());
    let mut facts: Vec<Option<&StartFact>> = inst.start_facts.iter().map(Some).collect();
    let mut values = Vec::new();
    if let Some(v) = validity {
        let current = v.verdict.issues.iter().map(|i| (i, false));
        let later = v.verdict.later.iter().map(|i| (i, true));
        // What the config read migrated in memory: 2026.3.31's start migrates it too (and may
        // write the file); a later release's read (2026.4.29's legacy migrations, the plugin
        // install records 2026.4.29 to 2026.7.35 leave out) does it at every start, in
        // memory, so nothing is left for the start to do.
        let start_migrates = v.running.migrates_merged_config;
        let migrated = v
            .verdict
            .migrated
            .iter()
            .filter(|_| start_migrates)
            .map(|i| (i, false));
        for ((issue, outcome), later) in current.chain(migrated).chain(later) {
            let path = issue.path_string();
            let fact = facts
                .iter_mut()
                .find(|f| f.is_some_and(|f| f.path == path))
                .and_then(Option::take);
            let from_validation = match outcome {
                StartOutcome::Repair { what } => Some(what.clone()),
                StartOutcome::Refuse { doctor_fixes } => doctor_fixes.clone(),
            };
            // The release's validation decides whether it is repairable; resolve knows
            // better what the repair leads to (the port the gateway then runs on).
            let repair =
                from_validation.map(|what| fact.and_then(|f| f.repair.clone()).unwrap_or(what));
            values.push((
                StartValue {
                    path,
                    loc: issue.loc,
                    issue: Some(issue.clone()),
                    detail: fact.map(|f| f.problem.clone()),
                    outcome: StartOutcome::Refuse { doctor_fixes: None },
                    later,
                },
                repair,
            ));
        }
    }
    // What resolve knows about a value is 2026.9.6's behaviour (the env shorthand, a retired
    // CDP range key); an older release's validation decides alone what it refuses (its
    // schema may accept the value).
    // Except `gateway.port` out of range: from 2026.5.28 on the gateway checks it itself and
    // refuses ("Invalid gateway.port in config. Set gateway.port to a number from 1 to
    // 65535", exit 78; recorded: tests/validity/started/2026.7.35.json rw-port-out-of-range).
    // (Asked of the schema's release, and only of a fact at `gateway.port`: most have none.)
    let checks_port = |v: Judged| Behaviour::of(v.checked_against).checks_port_range;
    let facts = facts.into_iter().flatten().filter(|f| {
        validity.is_none_or(|v| repairs_at_start || (f.path == "gateway.port" && checks_port(v)))
    });
    for fact in facts {
        let repair = fact.repair.clone().filter(|_| repairs_at_start);
        values.push((
            StartValue {
                path: fact.path.clone(),
                loc: fact.loc,
                issue: None,
                detail: Some(fact.problem.clone()),
                outcome: StartOutcome::Refuse { doctor_fixes: None },
                later: false,
            },
            repair,
        ));
    }
    let other: Vec<String> = inst
        .problems
        .iter()
        .filter(|p| p.kind.stops_gateway())
        .map(|p| p.message.clone())
        .collect();
    let single_file = !inst.config_uses_include;
    // A release whose config read migrates the merged config (2026.3.31) starts a config with
    // $include too; the file is rewritten only by the token write of its start.
    let merged = !single_file && validity.is_some_and(|v| v.running.migrates_merged_config);
    let mut start = if !other.is_empty() {
        Start::Refuses
    } else if values.is_empty() {
        Start::Starts
    } else if (single_file || merged)
        && values.iter().all(|(_, r)| r.is_some())
        && validity.is_none_or(|v| v.verdict.starts)
    {
        Start::StartsAfterRepair
    } else {
        Start::Refuses
    };
    // Up to 2026.1.30: a gateway in token mode without a token does not start.
    let token_required = validity.is_some_and(|v| v.running.requires_configured_token)
        && start != Start::Refuses
        && writes_generated_token(inst)
        && !tailscale_identity_allowed(inst);
    if token_required {
        values.push((
            StartValue {
                path: "gateway.auth.token".into(),
                loc: token_loc(inst),
                issue: None,
                detail: Some(validate::repair::TOKEN_REQUIRED.into()),
                outcome: StartOutcome::Refuse { doctor_fixes: None },
                later: false,
            },
            None,
        ));
        start = Start::Refuses;
    }
    // 2026.2.26 to 2026.4.29: a gateway that starts without a configured token writes the
    // one it generates into its config file; with $include, that write flattens the config
    // or fails (`validate::repair::IncludedTokenWrite`).
    let token_write = validity
        .and_then(|v| v.running.included_token_write)
        .filter(|_| start != Start::Refuses && writes_generated_token(inst));
    if let Some(included) = token_write {
        let fails = !single_file && included == validate::repair::IncludedTokenWrite::Fails;
        let (detail, what) = if fails {
            (validate::repair::INCLUDED_TOKEN_WRITE_FAILS, None)
        } else if single_file {
            (
                validate::repair::NO_GATEWAY_TOKEN,
                Some(validate::repair::GENERATED_TOKEN_WRITE.to_string()),
            )
        } else {
            (
                validate::repair::NO_GATEWAY_TOKEN,
                Some(format!(
                    "{}{}",
                    validate::repair::GENERATED_TOKEN_WRITE,
                    validate::repair::INCLUDED_CONFIG_FLATTENED
                )),
            )
        };
        values.push((
            StartValue {
                path: "gateway.auth.token".into(),
                loc: token_loc(inst),
                issue: None,
                detail: Some(detail.into()),
                outcome: StartOutcome::Refuse { doctor_fixes: None },
                later: false,
            },
            what,
        ));
        start = if fails {
            Start::Refuses
        } else {
            Start::StartsAfterRepair
        };
        if !fails && single_file {
            values.extend(read_migrations_written(validity));
        }
    }
    if merged && start == Start::StartsAfterRepair {
        if token_write.is_some() {
            // The migrated values (the token's own value says the write already).
            for (value, repair) in &mut values {
                if let (Some(what), Some(_)) = (repair, &value.issue) {
                    what.push_str(validate::repair::MERGED_CONFIG_REWRITE);
                }
            }
        } else {
            // Migrated in memory at every start, the file untouched: the gateway starts as
            // written and 2026.3.31's own `config validate` accepts it too.
            values.clear();
            start = Start::Starts;
        }
    }
    let values: Vec<StartValue> = values
        .into_iter()
        .map(|(mut value, repair)| {
            value.outcome = match (start, repair) {
                (Start::StartsAfterRepair, Some(what)) => StartOutcome::Repair { what },
                (_, repair) => StartOutcome::Refuse {
                    doctor_fixes: repair,
                },
            };
            value
        })
        .collect();
    StartVerdict {
        start,
        values,
        other,
    }
}

/// The release that runs the gateway (the one checked against when unknown).
fn running(v: &validate::Validity) -> &str {
    v.release
        .as_ref()
        .map_or(v.checked_against, |r| r.value.as_str())
}

/// Whether the gateway's start generates a gateway token and writes it, with the whole config
/// it runs on, into the config file (2026.3.31 `ensureGatewayStartupAuth` with `persist`:
/// the auth mode resolves to "token" and no token is configured). The mode is
/// `gateway.auth.mode` when set, else "password" when a password is (config or
/// `OPENCLAW_GATEWAY_PASSWORD`), else "token" (`resolveGatewayAuth`); a token is a non-blank
/// string or a SecretRef object in `gateway.auth.token`, or `OPENCLAW_GATEWAY_TOKEN`.
fn writes_generated_token(inst: &Instance) -> bool {
    let Some(root) = &inst.config_root else {
        return false;
    };
    let set = |key: &str, var: &str| {
        root.at(&["gateway", "auth", key])
            .is_some_and(|n| match &n.value {
                Value::String(s) => !s.trim_matches(crate::paths::is_js_whitespace).is_empty(),
                Value::Object(_) => true,
                _ => false,
            })
            || inst.env.value(var).is_some()
    };
    let token = set("token", "OPENCLAW_GATEWAY_TOKEN");
    match root
        .at(&["gateway", "auth", "mode"])
        .and_then(Node::as_str)
        .filter(|m| !m.is_empty())
    {
        Some(mode) => mode == "token" && !token,
        None => !set("password", "OPENCLAW_GATEWAY_PASSWORD") && !token,
    }
}

/// Whether the gateway's token auth accepts Tailscale identity instead of a token
/// (`gateway.auth.allowTailscale`, by default on with `gateway.tailscale.mode: "serve"`; 2026.1.30
/// gateway/auth.js `resolveGatewayAuth`), so that a release that needs a token starts without one.
fn tailscale_identity_allowed(inst: &Instance) -> bool {
    let Some(root) = &inst.config_root else {
        return false;
    };
    match root
        .at(&["gateway", "auth", "allowTailscale"])
        .map(|n| &n.value)
    {
        Some(Value::Bool(allowed)) => *allowed,
        _ => {
            root.at(&["gateway", "tailscale", "mode"])
                .and_then(Node::as_str)
                == Some("serve")
        }
    }
}

/// What 2026.4.29's config read migrated in memory (`Verdict::migrated`), which its token write
/// then writes into the file with the token: each as a value the start repairs. (2026.3.31's
/// are start values already; later releases write no token.) Recorded:
/// tests/validity/started/2026.4.29.json (old-heartbeat-top-level, rw-gateway-bind-ip,
/// rw-plugins-installs, ... rewritten migrated, with the token).
fn read_migrations_written(validity: Option<Judged>) -> Vec<(StartValue, Option<String>)> {
    let Some(v) = validity.filter(|v| !v.running.migrates_merged_config) else {
        return Vec::new();
    };
    v.verdict
        .migrated
        .iter()
        .map(|(issue, outcome)| {
            let what = match outcome {
                StartOutcome::Refuse {
                    doctor_fixes: Some(what),
                }
                | StartOutcome::Repair { what } => what.as_str(),
                StartOutcome::Refuse { doctor_fixes: None } => {
                    validate::repair::INSTALL_RECORDS_MOVED
                }
            };
            (
                StartValue {
                    path: issue.path_string(),
                    loc: issue.loc,
                    issue: Some(issue.clone()),
                    detail: None,
                    outcome: StartOutcome::Refuse { doctor_fixes: None },
                    later: false,
                },
                Some(format!(
                    "{what}{}",
                    validate::repair::READ_MIGRATION_WRITTEN
                )),
            )
        })
        .collect()
}

/// Where the generated token goes: the configured (blank) token, else the `gateway.auth` or
/// `gateway` object, else the config's root.
fn token_loc(inst: &Instance) -> Loc {
    let Some(root) = &inst.config_root else {
        return inst.config_loc;
    };
    if let Some(token) = root.at(&["gateway", "auth", "token"]) {
        return token.loc;
    }
    let holder = root
        .at(&["gateway", "auth"])
        .or_else(|| root.at(&["gateway"]))
        .unwrap_or(root);
    validate::open_brace(holder)
}

/// Places (the start verdict's values), asked whether one of them holds a given place: a
/// binary search, not a scan, as a hostile config may have as many values refused as values
/// rejected where used (100,000 each: 10^10 comparisons with a scan).
struct Enclosing {
    /// By file, then start.
    places: Vec<Loc>,
    /// The furthest end of `places[..=i]` within `places[i]`'s file.
    furthest_end: Vec<usize>,
}

impl Enclosing {
    fn new(places: impl IntoIterator<Item = Loc>) -> Self {
        let mut places: Vec<Loc> = places.into_iter().collect();
        places.sort_unstable_by_key(|l| (l.file, l.span.start()));
        let mut furthest_end = Vec::with_capacity(places.len());
        for (i, l) in places.iter().enumerate() {
            let before = match i.checked_sub(1) {
                Some(p) if places[p].file == l.file => furthest_end[p],
                _ => 0,
            };
            furthest_end.push(before.max(l.span.end()));
        }
        Enclosing {
            places,
            furthest_end,
        }
    }

    /// Whether `inner` lies inside one of the places (same file, starting at or before it and
    /// ending at or after it).
    fn encloses(&self, inner: Loc) -> bool {
        let key = (inner.file, inner.span.start());
        let upto = self
            .places
            .partition_point(|l| (l.file, l.span.start()) <= key);
        upto.checked_sub(1).is_some_and(|last| {
            self.places[last].file == inner.file && self.furthest_end[last] >= inner.span.end()
        })
    }
}

/// The node at a dotted path (array indices as numbers).
fn node_at<'a>(root: &'a Node, path: &str, lookups: &mut Lookups<'a>) -> Option<&'a Node> {
    let mut node = root;
    for seg in path.split('.') {
        node = match &node.value {
            Value::Object(_) => lookups.get(node, seg)?,
            Value::Array(items) => items.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// The validation step: checks each gateway's config against the schema of its release (and
/// of the target release, when asked), then decides its start verdict. Gateways without a
/// usable config are not validated: a missing config runs on defaults, an unreadable or
/// unparsable one is reported by the loader (and stops the gateway).
/// A large part of a config that several gateways share (an include) is checked once per run.
pub fn apply(instances: &mut [Instance], options: &validate::Options) {
    validate::check::CheckMemo::during(|| {
        for inst in instances.iter_mut() {
            validate_one(inst, options);
        }
    });
}

fn validate_one(inst: &mut Instance, options: &validate::Options) {
    inst.validity = validate::validity(inst, options).map(shared_validity);
    decide(inst);
}

/// `validity`, shared with the gateways before it whose configs passed the same check: a clean
/// validity says only which release checked it, and most gateways of a host share one. Those
/// with issues are their own. One list per thread, as [`crate::diagnostic::shared_name`]'s
/// table, of at most [`SHARED_VALIDITIES`].
fn shared_validity(validity: validate::Validity) -> Arc<validate::Validity> {
    const SHARED_VALIDITIES: usize = 16;
    thread_local! {
        static CLEAN: std::cell::RefCell<Vec<Arc<validate::Validity>>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let verdict = &validity.verdict;
    let clean = verdict.issues.is_empty()
        && verdict.later.is_empty()
        && verdict.migrated.is_empty()
        && validity.target.is_none();
    if !clean {
        return Arc::new(validity);
    }
    CLEAN.with(|list| {
        let mut list = list.borrow_mut();
        if let Some(same) = list.iter().find(|v| ***v == validity) {
            return Arc::clone(same);
        }
        let shared = Arc::new(validity);
        if list.len() < SHARED_VALIDITIES {
            list.push(Arc::clone(&shared));
        }
        shared
    })
}

/// The validation step of a run, one gateway at a time ([`apply`]'s check and verdict), ending
/// with the gateway's config tree: what later stages read of it is taken out
/// ([`config_facts::take`]) and the tree is dropped. The inventory runs it on each gateway as
/// soon as that gateway is final, so that a run holds one gateway's tree at a time, not every
/// gateway's. Run inside [`validate::check::CheckMemo::during`], as [`apply`] is.
pub struct Validation<'a> {
    options: &'a validate::Options,
    urls: config_facts::UrlWalk,
}

impl<'a> Validation<'a> {
    pub fn new(options: &'a validate::Options) -> Self {
        Validation {
            options,
            urls: config_facts::UrlWalk::default(),
        }
    }

    /// Validates a final gateway, decides its start verdict and drops its tree.
    pub fn finish(&mut self, inst: &mut Instance, sources: &SourceMap) {
        validate_one(inst, self.options);
        config_facts::take(inst, sources, &mut self.urls);
    }
}

#[cfg(test)]
mod tests {
    use super::Enclosing;
    use crate::source::{FileId, Loc, Span};

    fn loc(file: u32, start: usize, end: usize) -> Loc {
        Loc {
            file: FileId(file),
            span: Span::new(start, end),
        }
    }

    /// The search answers as the scan it replaced (`inner` within some place: same file,
    /// starting at or after its start, ending at or before its end), on random places in three
    /// files, nested, overlapping, equal and empty ones among them.
    #[test]
    fn enclosing_answers_as_a_scan_of_every_place() {
        let mut rng = crate::xorshift::Rng(0x2545_f491_4f6c_dd1d);
        let random = |rng: &mut crate::xorshift::Rng| {
            let start = rng.below(200) as usize;
            loc(rng.below(3) as u32, start, start + rng.below(30) as usize)
        };
        for round in 0..200 {
            let places: Vec<Loc> = (0..round % 23).map(|_| random(&mut rng)).collect();
            let enclosing = Enclosing::new(places.iter().copied());
            for _ in 0..50 {
                let inner = random(&mut rng);
                let scan = places.iter().any(|o| {
                    inner.file == o.file
                        && inner.span.start() >= o.span.start()
                        && inner.span.end() <= o.span.end()
                });
                assert_eq!(enclosing.encloses(inner), scan, "{inner:?} in {places:?}");
            }
        }
        // A long place before a short one keeps holding what follows the short one.
        let enclosing = Enclosing::new([loc(0, 0, 100), loc(0, 10, 12), loc(1, 50, 60)]);
        assert!(enclosing.encloses(loc(0, 20, 30)));
        assert!(!enclosing.encloses(loc(1, 20, 30)));
        assert!(!enclosing.encloses(loc(0, 90, 101)));
        assert!(!Enclosing::new([]).encloses(loc(0, 0, 0)));
    }
}
