//! Checks a config tree against a recorded schema the way OpenClaw's zod schema (from which
//! the JSON Schema was generated) reports it: the same issues at the same paths.
//!
//! Zod's rules that matter here:
//! - a wrong type, a value outside an enum or a union no branch accepts *aborts* that value:
//!   no further checks on it, and the refinements of the objects around it do not run;
//! - unknown keys, ranges, lengths and patterns are reported but do not abort;
//! - a union accepts the first branch without issues; when every branch fails and exactly one
//!   branch failed without aborting, that branch's issues are reported (at their own deeper
//!   paths); otherwise one "Invalid input" at the union.

use super::compiled::{Compiled, Items, TypeSet};
use super::schema::{SchemaTable, Sub};
use super::shape::{Recording, Shape};
use super::{Issue, IssueKind, Seg};
use crate::load::tree::{Node, Value as Tv};
use crate::paths::FastMap as HashMap;
use crate::source::Loc;
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

pub struct Checker<'a> {
    pub table: &'a SchemaTable,
    /// The leaf checks of the check in progress are being recorded ([`super::shape`]): set
    /// outside the check of a scalar, so that only the outermost check of each is recorded.
    recording: Cell<bool>,
    leaf_checks: RefCell<Recording>,
}

/// Issues of one value, and whether one of them aborts.
#[derive(Default)]
pub struct Outcome {
    pub issues: Vec<Issue>,
}

impl Outcome {
    pub fn aborted(&self) -> bool {
        self.issues.iter().any(|i| i.kind.aborts())
    }
}

/// Where a check's issues go: into a list, or nowhere (a probe, which only tells whether
/// there is one, stops at the first and makes none: a union branch that fails is usually
/// discarded, so its messages, paths and expected types are not worth making).
struct Out<'o> {
    /// `None` for a probe.
    issues: Option<&'o mut Vec<Issue>>,
    failed: bool,
}

impl<'o> Out<'o> {
    fn collect(issues: &'o mut Vec<Issue>) -> Self {
        Out {
            issues: Some(issues),
            failed: false,
        }
    }

    fn probe() -> Out<'static> {
        Out {
            issues: None,
            failed: false,
        }
    }

    fn probing(&self) -> bool {
        self.issues.is_none()
    }

    /// A probe that found an issue: nothing more to look for.
    fn settled(&self) -> bool {
        self.failed && self.probing()
    }

    /// An issue, made only when it is kept.
    fn push(&mut self, make: impl FnOnce() -> Issue) {
        self.failed = true;
        if let Some(issues) = self.issues.as_deref_mut() {
            issues.push(make());
        }
    }

    fn append(&mut self, more: &mut Vec<Issue>) {
        if more.is_empty() {
            return;
        }
        self.failed = true;
        match self.issues.as_deref_mut() {
            Some(issues) => issues.append(more),
            None => more.clear(),
        }
    }
}

/// A step of the path to the value being checked, borrowed from the config tree (a member's
/// key) while the check walks it: the path is made owned ([`Seg`]) only for an issue, so that
/// a value checked clean allocates nothing for its path.
#[derive(Debug, Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> Step<'a> {
    fn of(seg: &'a Seg) -> Step<'a> {
        match seg {
            Seg::Key(k) => Step::Key(k),
            Seg::Index(i) => Step::Index(*i),
        }
    }
}

/// The path an issue says, made owned.
fn owned(path: &[Step]) -> Vec<Seg> {
    path.iter()
        .map(|step| match *step {
            Step::Key(k) => Seg::Key(k.to_string()),
            Step::Index(i) => Seg::Index(i),
        })
        .collect()
}

/// Objects and arrays with fewer members than this are checked afresh: looking one up would
/// cost about as much as checking it.
const MEMO_MIN_LEN: usize = 16;

/// A container shared by several configs: the same list in memory (a file many gateways
/// `$include`, [`crate::load::tree::Value`]), kept alive here so that its address is never
/// reused for another one during the run.
#[derive(Clone)]
enum Shared {
    Members(Arc<Vec<crate::load::tree::Member>>),
    Items(Arc<Vec<Node>>),
}

/// Issues the memo holds at most, all entries together: past it, values are checked afresh
/// (a container's issues are kept at each shared container above them, so an adversarial
/// config could otherwise make the memo a multiple of its issues).
const MEMO_MAX_ISSUES: usize = 1 << 16;
/// Entries the memo holds at most.
const MEMO_MAX_ENTRIES: usize = 1 << 16;

impl Shared {
    /// A large container. (Whether another config shares it cannot be told from here: it may
    /// be shared through a container above it.)
    fn of(node: &Node) -> Option<Shared> {
        match &node.value {
            Tv::Object(m) if m.len() >= MEMO_MIN_LEN => Some(Shared::Members(Arc::clone(m))),
            Tv::Array(i) if i.len() >= MEMO_MIN_LEN => Some(Shared::Items(Arc::clone(i))),
            _ => None,
        }
    }

    fn address(&self) -> usize {
        match self {
            Shared::Members(m) => Arc::as_ptr(m) as usize,
            Shared::Items(i) => Arc::as_ptr(i) as usize,
        }
    }
}

/// What checking one value gave: the same subschema, the same container (by address, kept
/// alive), the same location and path give the same issues, message for message.
type MemoKey = (Sub, usize, Loc, Vec<Seg>);

/// The issues of each large shared container already checked in this run: a 1 MiB file a
/// thousand gateways include is checked once per subschema and path, not once per gateway.
/// Installed by [`CheckMemo::during`] (the validation of every gateway of a run); outside it
/// every value is checked afresh.
#[derive(Default)]
pub struct CheckMemo {
    issues: HashMap<MemoKey, (Shared, Vec<Issue>)>,
    /// Issues held, all entries together (at most [`MEMO_MAX_ISSUES`]).
    held: usize,
    /// Checks answered from the memo (tests assert that sharing is used).
    hits: usize,
    /// The clean checks of each config shape seen, replayed on the next config of that shape.
    plans: super::shape::Plans,
    /// Checks answered by replaying a plan (tests assert that plans are used).
    replayed: usize,
}

thread_local! {
    static MEMO: RefCell<Option<CheckMemo>> = const { RefCell::new(None) };
}

impl CheckMemo {
    /// Runs `f` with a memo of its own (an enclosing one is put back afterwards).
    pub fn during<T>(f: impl FnOnce() -> T) -> T {
        let outer = MEMO.with(|m| m.replace(Some(CheckMemo::default())));
        let out = f();
        MEMO.with(|m| m.replace(outer));
        out
    }

    /// How many checks the memo installed on this thread answered so far.
    pub fn hits() -> usize {
        MEMO.with(|m| m.borrow().as_ref().map_or(0, |m| m.hits))
    }

    /// How many whole checks a shape's plan answered so far on this thread.
    pub fn replayed() -> usize {
        MEMO.with(|m| m.borrow().as_ref().map_or(0, |m| m.replayed))
    }

    pub(super) fn installed() -> bool {
        MEMO.with(|m| m.borrow().is_some())
    }
}

impl<'a> Checker<'a> {
    pub fn new(table: &'a SchemaTable) -> Self {
        Checker {
            table,
            recording: Cell::new(false),
            leaf_checks: RefCell::new(Recording::default()),
        }
    }

    /// Checks `node`, at `path`, against `sub`: its issues are appended to `out`. Inside
    /// [`CheckMemo::during`], a config of a shape checked clean before is answered by replaying
    /// that check's leaf checks ([`super::shape`]).
    pub fn check(&self, sub: Sub, node: &Node, path: &[Seg], out: &mut Vec<Issue>) {
        let shape = CheckMemo::installed()
            .then(|| Shape::of(sub, node))
            .flatten();
        self.check_shaped(sub, node, path, shape.as_ref(), out);
    }

    /// [`Checker::check`] of a config whose shape (against `sub`) is made already: `None`
    /// outside [`CheckMemo::during`] or when too large.
    pub(super) fn check_shaped(
        &self,
        sub: Sub,
        node: &Node,
        path: &[Seg],
        shape: Option<&Shape>,
        out: &mut Vec<Issue>,
    ) {
        let mut steps: Vec<Step> = path.iter().map(Step::of).collect();
        let Some(shape) = shape else {
            return self.check_at(sub, node, &mut steps, &mut Out::collect(out));
        };
        let plan = MEMO.with_borrow(|m| m.as_ref().and_then(|m| m.plans.get(shape)));
        if let Some(plan) = plan {
            if plan.replays(shape, |sub, leaf| self.passes(sub, leaf, &mut Vec::new())) {
                MEMO.with_borrow_mut(|m| m.as_mut().map(|m| m.replayed += 1));
                return;
            }
            // A value checks otherwise than the plan's: the whole config is checked.
            return self.check_at(sub, node, &mut steps, &mut Out::collect(out));
        }
        // A shape's first config is checked without a recording: most shapes of a small
        // layout are seen once, and a recording only pays when the shape comes again.
        let seen = MEMO.with_borrow_mut(|m| m.as_mut().is_some_and(|m| m.plans.seen_before(shape)));
        if !seen {
            return self.check_at(sub, node, &mut steps, &mut Out::collect(out));
        }
        let before = out.len();
        self.leaf_checks.replace(Recording::default());
        self.recording.set(true);
        self.check_at(sub, node, &mut steps, &mut Out::collect(out));
        self.recording.set(false);
        let recorded = self.leaf_checks.take();
        if out.len() > before {
            return;
        }
        if let Some(plan) = recorded.plan(shape) {
            MEMO.with_borrow_mut(|m| m.as_mut().map(|m| m.plans.keep(shape, plan)));
        }
    }

    /// A check of a scalar while a check is recorded: its outcome is what a replay tests.
    fn check_leaf_recorded<'n>(
        &self,
        sub: Sub,
        leaf: &'n Node,
        path: &mut Vec<Step<'n>>,
        out: &mut Out,
    ) {
        self.recording.set(false);
        let before = out.issues.as_deref().map(Vec::len);
        // A scalar is never a shared container: `check_at` would check it afresh too.
        self.check_fresh(sub, leaf, path, out);
        let failed = match (before, out.issues.as_deref()) {
            (Some(before), Some(issues)) => issues.len() > before,
            // A probe that was not settled on entry (`check_at`).
            _ => out.failed,
        };
        self.recording.set(true);
        self.leaf_checks
            .borrow_mut()
            .leaf_checked(leaf, sub, !failed);
    }

    /// The recorded check did something a plan cannot replay.
    fn unreplayable(&self) {
        if self.recording.get() {
            self.leaf_checks.borrow_mut().unreplayable = true;
        }
    }

    /// Whether `node` checks against `sub` without any issue (a probe: none is made).
    fn passes<'n>(&self, sub: Sub, node: &'n Node, path: &mut Vec<Step<'n>>) -> bool {
        let mut probe = Out::probe();
        self.check_at(sub, node, path, &mut probe);
        let passes = !probe.failed;
        #[cfg(debug_assertions)]
        self.assert_probe_agrees(sub, node, path, passes);
        passes
    }

    /// Tests and debug builds: a probe says what the full check says (the outermost probe of
    /// each check only: a probe inside the full check is not checked again).
    #[cfg(debug_assertions)]
    fn assert_probe_agrees<'n>(
        &self,
        sub: Sub,
        node: &'n Node,
        path: &mut Vec<Step<'n>>,
        passes: bool,
    ) {
        thread_local! {
            static INSIDE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
        }
        if INSIDE.replace(true) {
            return;
        }
        let mut issues = Vec::new();
        self.check_at(sub, node, path, &mut Out::collect(&mut issues));
        INSIDE.set(false);
        assert_eq!(
            passes,
            issues.is_empty(),
            "probe at {:?}: {issues:?}",
            owned(path)
        );
    }

    fn check_at<'n>(&self, sub: Sub, node: &'n Node, path: &mut Vec<Step<'n>>, out: &mut Out) {
        if out.settled() {
            return;
        }
        if self.recording.get() && !matches!(node.value, Tv::Object(_) | Tv::Array(_)) {
            return self.check_leaf_recorded(sub, node, path, out);
        }
        let Some(shared) = Shared::of(node).filter(|_| CheckMemo::installed()) else {
            return self.check_fresh(sub, node, path, out);
        };
        let key: MemoKey = (sub, shared.address(), node.loc, owned(path));
        let known = MEMO.with(|m| {
            let mut m = m.borrow_mut();
            let memo = m.as_mut()?;
            let (_, issues) = memo.issues.get(&key)?;
            let issues = issues.clone();
            memo.hits += 1;
            Some(issues)
        });
        if let Some(mut issues) = known {
            // Its scalars were not checked: a plan would not check them either.
            self.unreplayable();
            out.append(&mut issues);
            return;
        }
        // A probe of a shared container is a full check: its issues are remembered for the
        // next config that shares it.
        let mut issues = Vec::new();
        self.check_fresh(sub, node, path, &mut Out::collect(&mut issues));
        MEMO.with(|m| {
            if let Some(memo) = m.borrow_mut().as_mut() {
                if memo.held + issues.len() <= MEMO_MAX_ISSUES
                    && memo.issues.len() < MEMO_MAX_ENTRIES
                {
                    memo.held += issues.len();
                    memo.issues.insert(key, (shared, issues.clone()));
                }
            }
        });
        out.append(&mut issues);
    }

    fn check_fresh<'n>(&self, sub: Sub, node: &'n Node, path: &mut Vec<Step<'n>>, out: &mut Out) {
        let schema = match sub {
            Sub::Bool(true) => return,
            Sub::Bool(false) => {
                out.push(|| issue(path, node, IssueKind::Invalid, "Invalid input".into()));
                return;
            }
            Sub::Node(n) => self.table.compiled(n),
        };
        self.check_schema(schema, node, path, out);
    }

    fn check_schema<'n>(
        &self,
        s: &Compiled,
        node: &'n Node,
        path: &mut Vec<Step<'n>>,
        out: &mut Out,
    ) {
        if s.empty {
            return;
        }
        for branch in &s.all_of {
            self.check_at(*branch, node, path, out);
        }
        for branches in &s.unions {
            if !self.union(branches, node, path, out) {
                return;
            }
        }
        if let (Some(types), Some(set)) = (&s.types, s.type_set) {
            if !type_matches(set, node) {
                out.push(|| {
                    let expected = expected_type(types, node);
                    let message = format!(
                        "Invalid input: expected {expected}, received {}",
                        received(node)
                    );
                    let mut i = issue(path, node, IssueKind::Type, message);
                    i.expected = Some(expected);
                    i
                });
                return;
            }
        }
        if s.constant.is_some() || s.options.is_some() {
            // A container compared with a value reads its values, which a shape leaves out.
            // (While recording, a scalar is checked with the recording off.)
            self.unreplayable();
        }
        if let Some(c) = &s.constant {
            if !equals(node, c) {
                out.push(|| {
                    let message = format!("Invalid input: expected {}", c);
                    let mut i = issue(path, node, IssueKind::Value, message);
                    i.expected = Some(c.to_string());
                    i
                });
                return;
            }
        }
        if let Some(options) = &s.options {
            if !options.iter().any(|o| equals(node, o)) {
                out.push(|| {
                    let list: Vec<String> = options.iter().map(|o| o.to_string()).collect();
                    let message = format!("Invalid option: expected one of {}", list.join("|"));
                    let mut i = issue(path, node, IssueKind::Value, message);
                    i.expected = Some(list.join(", "));
                    i
                });
                return;
            }
        }
        match &node.value {
            Tv::Number(n) => self.number(s, *n, node, path, out),
            Tv::String(text) => self.string(s, text, node.loc, path, out),
            Tv::Array(items) => self.array(s, items, node, path, out),
            Tv::Object(_) => self.object(s, node, path, out),
            _ => {}
        }
        if let Some(not) = s.not {
            if !out.settled() && self.passes(not, node, path) {
                out.push(|| issue(path, node, IssueKind::Invalid, "Invalid input".into()));
            }
        }
    }

    /// Returns whether the value may be checked further (the union did not abort).
    fn union<'n>(
        &self,
        branches: &[Sub],
        node: &'n Node,
        path: &mut Vec<Step<'n>>,
        out: &mut Out,
    ) -> bool {
        // Each branch is probed first: the first that passes settles the union, and the
        // issues of the branches before it are never made.
        if branches.is_empty() || branches.iter().any(|b| self.passes(*b, node, path)) {
            return true;
        }
        if out.probing() {
            // Every branch fails: the union reports an issue, whichever it is.
            out.failed = true;
            return false;
        }
        let mut results: Vec<Vec<Issue>> = Vec::with_capacity(branches.len());
        for b in branches {
            let mut inner = Vec::new();
            self.check_at(*b, node, path, &mut Out::collect(&mut inner));
            results.push(inner);
        }
        let nonaborted: Vec<usize> = (0..results.len())
            .filter(|&i| !results[i].iter().any(|x| x.kind.aborts()))
            .collect();
        if nonaborted.len() == 1 {
            out.append(&mut results[nonaborted[0]]);
            return true;
        }
        // The most useful message: what each branch expects at the value itself, or the
        // branch that got furthest into the value.
        let mut expected: Vec<String> = Vec::new();
        for r in &results {
            for i in r.iter().filter(|i| i.path.len() == path.len()) {
                if let Some(e) = &i.expected {
                    if !expected.contains(e) {
                        expected.push(e.clone());
                    }
                }
            }
        }
        let deepest = results
            .iter()
            .flatten()
            .filter(|i| i.path.len() > path.len())
            .max_by_key(|i| i.path.len());
        let mut message = "Invalid input".to_string();
        let mut u = issue(path, node, IssueKind::Union, String::new());
        if !expected.is_empty() {
            message = format!("Invalid input: expected {}", expected.join(" or "));
        }
        if let Some(d) = deepest {
            u.note = Some(format!(
                "closest match: {} ({})",
                d.shown_path_string(),
                d.message
            ));
        }
        u.message = message;
        out.push(|| u);
        false
    }

    fn number(&self, s: &Compiled, n: f64, node: &Node, path: &[Step], out: &mut Out) {
        let mut range = |message: String| out.push(|| issue(path, node, IssueKind::Range, message));
        if let Some(max) = s.maximum {
            if n > max {
                range(format!("Too big: expected number to be <={}", fmt_num(max)));
            }
        }
        if let Some(max) = s.exclusive_maximum {
            if n >= max {
                range(format!("Too big: expected number to be <{}", fmt_num(max)));
            }
        }
        if let Some(min) = s.minimum {
            if n < min {
                range(format!(
                    "Too small: expected number to be >={}",
                    fmt_num(min)
                ));
            }
        }
        if let Some(min) = s.exclusive_minimum {
            if n <= min {
                range(format!(
                    "Too small: expected number to be >{}",
                    fmt_num(min)
                ));
            }
        }
        if let Some(m) = s.multiple_of {
            if m > 0.0 && (n / m).fract() != 0.0 {
                range(format!(
                    "Invalid number: must be a multiple of {}",
                    fmt_num(m)
                ));
            }
        }
    }

    /// The checks of a string value at `loc` (its type already checked).
    fn string(&self, s: &Compiled, text: &str, loc: Loc, path: &[Step], out: &mut Out) {
        // Counted only for a length bound (a walk over the text).
        let len = match (s.max_length, s.min_length) {
            (None, None) => 0,
            _ => text.encode_utf16().count() as u64,
        };
        if let Some(max) = s.max_length {
            if len > max {
                out.push(|| {
                    let message = format!("Too big: expected string to have <={max} characters");
                    issue_at(path, loc, IssueKind::Length, message)
                });
            }
        }
        if let Some(min) = s.min_length {
            if len < min {
                out.push(|| {
                    let message = format!("Too small: expected string to have >={min} characters");
                    issue_at(path, loc, IssueKind::Length, message)
                });
            }
        }
        if let Some(p) = &s.pattern {
            if !out.settled() && !p.is_match(self.table, text) {
                out.push(|| {
                    let message = format!("Invalid string: must match pattern /{}/", p.text);
                    issue_at(path, loc, IssueKind::Pattern, message)
                });
            }
        }
        if let Some(f) = s.format.as_deref() {
            if !format_ok(f, text) {
                out.push(|| issue_at(path, loc, IssueKind::Pattern, format!("Invalid {f}")));
            }
        }
    }

    fn array<'n>(
        &self,
        s: &Compiled,
        items: &'n [Node],
        node: &Node,
        path: &mut Vec<Step<'n>>,
        out: &mut Out,
    ) {
        match &s.items {
            Items::Tuple(subs, extra) => {
                for (i, item) in items.iter().enumerate() {
                    let sub = subs.get(i).copied().or(*extra);
                    if let Some(sub) = sub {
                        path.push(Step::Index(i));
                        self.check_at(sub, item, path, out);
                        path.pop();
                    }
                }
            }
            Items::Each(sub) => {
                for (i, item) in items.iter().enumerate() {
                    path.push(Step::Index(i));
                    self.check_at(*sub, item, path, out);
                    path.pop();
                }
            }
            Items::Unchecked => {}
        }
        let len = items.len() as u64;
        if let Some(max) = s.max_items {
            if len > max {
                out.push(|| {
                    let message = format!("Too big: expected array to have <={max} items");
                    issue(path, node, IssueKind::Length, message)
                });
            }
        }
        if let Some(min) = s.min_items {
            if len < min {
                out.push(|| {
                    let message = format!("Too small: expected array to have >={min} items");
                    issue(path, node, IssueKind::Length, message)
                });
            }
        }
    }

    fn object<'n>(&self, s: &Compiled, node: &'n Node, path: &mut Vec<Step<'n>>, out: &mut Out) {
        for m in node.members() {
            if out.settled() {
                return;
            }
            path.push(Step::Key(&m.key));
            if let Some(sub) = s.property(&m.key) {
                self.check_at(sub, &m.value, path, out);
            } else {
                let mut matched = false;
                for (p, sub) in &s.patterns {
                    if p.is_match(self.table, &m.key) {
                        matched = true;
                        if let Some(sub) = *sub {
                            self.check_at(sub, &m.value, path, out);
                        }
                    }
                }
                if !matched {
                    match s.additional {
                        Some(Sub::Bool(false)) => out.push(|| {
                            // A key shaped like a secret, or too long to read, is not repeated.
                            let shown = crate::redact::shown_key_quoted(&m.key);
                            let message = format!("Unrecognized key: {shown}");
                            let mut i = issue(path, &m.value, IssueKind::UnknownKey, message);
                            i.loc = m.key_loc;
                            i.suggestion = crate::validate::did_you_mean(
                                &m.key,
                                s.property_names().filter(|k| *k != "$schema"),
                            );
                            i
                        }),
                        Some(sub) => {
                            if let Some(names) = s.names {
                                if !self.key_passes(names, m, path, out) {
                                    path.pop();
                                    continue;
                                }
                            }
                            self.check_at(sub, &m.value, path, out);
                        }
                        None => {}
                    }
                }
            }
            path.pop();
        }
        for r in s.required.iter().filter(|r| node.member(r).is_none()) {
            out.push(|| {
                let expected = s
                    .property(r)
                    .map(|sub| self.describe(sub))
                    .unwrap_or_else(|| "a value".to_string());
                let message = format!("Invalid input: expected {expected}, received undefined");
                let mut i = issue(path, node, IssueKind::Required, message);
                i.path.push(Seg::Key(r.to_string()));
                i.loc = crate::validate::open_brace(node);
                i
            });
        }
        let count = node.members().len() as u64;
        if let Some(max) = s.max_properties {
            if count > max {
                out.push(|| {
                    let message = format!("Too big: expected object to have <={max} keys");
                    issue(path, node, IssueKind::Length, message)
                });
            }
        }
        if let Some(min) = s.min_properties {
            if count < min {
                out.push(|| {
                    let message = format!("Too small: expected object to have >={min} keys");
                    issue(path, node, IssueKind::Length, message)
                });
            }
        }
    }

    /// Whether a record's key `m` checks against `propertyNames` (`names`); if not, the issue
    /// says the key's first issue, at the member (`path` ends with its key).
    fn key_passes(
        &self,
        names: Sub,
        m: &crate::load::tree::Member,
        path: &[Step],
        out: &mut Out,
    ) -> bool {
        // Most key schemas are a string's own keywords (`{"type":"string"}`, a pattern): the key
        // is tested as it is, without a string node made for it.
        let strings_only = match names {
            Sub::Bool(accepts) => Some(accepts),
            Sub::Node(n) => {
                let s = self.table.compiled(n);
                s.checks_strings_only().then(|| {
                    let mut probe = Out::probe();
                    self.string(s, &m.key, m.key_loc, &[], &mut probe);
                    !probe.failed
                })
            }
        };
        // Tests and debug builds: the key's own test says what the check of a string node says.
        #[cfg(debug_assertions)]
        if let Some(passes) = strings_only {
            let key_node = Node::new(Tv::String(m.key.clone()), m.key_loc);
            assert_eq!(
                passes,
                self.passes(names, &key_node, &mut Vec::new()),
                "{m:?}"
            );
        }
        if strings_only == Some(true) {
            return true;
        }
        let key_node = Node::new(Tv::String(m.key.clone()), m.key_loc);
        // A string's check walks no member and is never memoised: its probe needs no path (the
        // member's is copied only for the issue).
        if strings_only.is_none() && self.passes(names, &key_node, &mut Vec::new()) {
            return true;
        }
        out.push(|| {
            let mut inner = Vec::new();
            let mut key_path = path.to_vec();
            self.check_at(
                names,
                &key_node,
                &mut key_path,
                &mut Out::collect(&mut inner),
            );
            let message = format!("Invalid key in record: {}", inner[0].message);
            let mut i = issue(path, &m.value, IssueKind::Key, message);
            i.loc = m.key_loc;
            i
        });
        false
    }

    /// A short description of what a schema accepts, for "expected …" messages.
    pub fn describe(&self, sub: Sub) -> String {
        let Sub::Node(n) = sub else {
            return "a value".into();
        };
        let s = self.table.compiled(n);
        if let Some(c) = &s.constant {
            return c.to_string();
        }
        if let Some(e) = &s.options {
            return e
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join("|");
        }
        match s.written_types() {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("|"),
            // `anyOf`, else `oneOf`.
            _ => match s.unions.first() {
                Some(bs) => bs
                    .iter()
                    .map(|b| self.describe(*b))
                    .collect::<Vec<_>>()
                    .join(" | "),
                None => "a value".into(),
            },
        }
    }

    /// The subschema at a path below `sub`, following properties, records and items (the first
    /// union branch that has the key), for suggestions.
    pub fn at_path(&self, sub: Sub, path: &[Seg]) -> Option<Sub> {
        let Some((first, rest)) = path.split_first() else {
            return Some(sub);
        };
        let Sub::Node(n) = sub else {
            return None;
        };
        let s = self.table.compiled(n);
        // `anyOf`, `oneOf`, then `allOf`.
        for b in s.unions.iter().flatten().chain(&s.all_of) {
            if let Some(found) = self.at_path(*b, path) {
                return Some(found);
            }
        }
        let next = match first {
            Seg::Key(k) => s.property(k).or(match s.additional {
                Some(Sub::Bool(false)) | None => None,
                other => other,
            }),
            Seg::Index(_) => match s.items {
                Items::Each(sub) => Some(sub),
                _ => None,
            },
        }?;
        self.at_path(next, rest)
    }
}

fn issue(path: &[Step], node: &Node, kind: IssueKind, message: String) -> Issue {
    issue_at(path, node.loc, kind, message)
}

fn issue_at(path: &[Step], loc: Loc, kind: IssueKind, message: String) -> Issue {
    Issue {
        path: owned(path),
        kind,
        message,
        loc,
        expected: None,
        suggestion: None,
        note: None,
    }
}

/// Whether `node` is of a type in `set` ([`TypeSet`] bits): a number only when finite, an
/// integer a finite number without a fraction.
fn type_matches(set: u8, node: &Node) -> bool {
    let bit = match &node.value {
        Tv::Null => TypeSet::NULL,
        Tv::Bool(_) => TypeSet::BOOLEAN,
        Tv::String(_) => TypeSet::STRING,
        Tv::Array(_) => TypeSet::ARRAY,
        Tv::Object(_) => TypeSet::OBJECT,
        Tv::Number(n) if !n.is_finite() => return false,
        Tv::Number(n) if n.fract() == 0.0 => TypeSet::NUMBER | TypeSet::INTEGER,
        Tv::Number(_) => TypeSet::NUMBER,
    };
    set & bit != 0
}

fn expected_type(types: &Value, node: &Node) -> String {
    let list: Vec<&str> = match types {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    // zod says "int" for a number that is not an integer.
    if list == ["integer"] && matches!(node.value, Tv::Number(_)) {
        return "int".to_string();
    }
    list.iter()
        .map(|t| if *t == "integer" { "number" } else { t })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn received(node: &Node) -> &'static str {
    match node.value {
        Tv::Number(n) if n.is_nan() => "NaN",
        Tv::Number(n) if n.is_infinite() => "Infinity",
        _ => node.type_name(),
    }
}

fn equals(node: &Node, v: &Value) -> bool {
    match (&node.value, v) {
        (Tv::Null, Value::Null) => true,
        (Tv::Bool(a), Value::Bool(b)) => a == b,
        (Tv::String(a), Value::String(b)) => a == b,
        (Tv::Number(a), Value::Number(b)) => b.as_f64() == Some(*a),
        (Tv::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| equals(x, y))
        }
        (Tv::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|m| b.get(m.key.as_str()).is_some_and(|y| equals(&m.value, y)))
        }
        _ => false,
    }
}

fn fmt_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e16 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The formats zod's JSON Schema output uses; lenient where zod's own check is not known.
fn format_ok(format: &str, text: &str) -> bool {
    match format {
        "uri" => text.split_once(':').is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }),
        "email" => text.contains('@'),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::tree::{Member, Node, Value as Tv};
    use crate::source::FileId;

    /// Two configs sharing one large object (as two gateways share an included file): with
    /// the memo, the shared object is checked once, and both get exactly the issues a fresh
    /// check gives.
    #[test]
    fn a_shared_container_is_checked_once_with_the_same_issues() {
        let mut text = String::from("{ env: { vars: {");
        for i in 0..40 {
            text.push_str(&format!(" V{i}: \"v{i}\","));
        }
        // Invalid values inside the shared object: issues must be kept, not only a pass.
        text.push_str(" BAD: 12, WORSE: { x: 1 } } }, gateway: { port: 1 } }");
        let doc = crate::load::json5::parse(&text).unwrap();
        let shared = Node::from_json5(doc.root, FileId(0));
        // A second root: its own members list, the same `env` value (shared, not copied).
        let Tv::Object(members) = &shared.value else {
            panic!("object")
        };
        let mut own: Vec<Member> = members.as_ref().clone();
        own[1].value = Node::new(Tv::Number(2.0), own[1].value.loc);
        let other = Node::new(Tv::object(own), shared.loc);
        let release = super::super::releases::newest();
        let fresh: Vec<_> = [&shared, &other]
            .map(|root| super::super::validate(root, release, false).unwrap().issues)
            .to_vec();
        assert!(!fresh[0].is_empty(), "the shared object has issues");
        let (memoised, hits) = CheckMemo::during(|| {
            let issues: Vec<_> = [&shared, &other]
                .map(|root| super::super::validate(root, release, false).unwrap().issues)
                .to_vec();
            (issues, CheckMemo::hits())
        });
        assert_eq!(memoised, fresh);
        assert!(hits >= 1, "the second config's env.vars came from the memo");
        assert_eq!(CheckMemo::hits(), 0, "no memo outside `during`");
    }
}
