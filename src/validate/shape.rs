//! A clean schema check remembered by the config's shape, and replayed on the next config of
//! that shape: most gateways of a host have configs of a few shapes that differ only in their
//! values (ports, tokens, names), and the checker's work on objects and arrays (key lookups,
//! required keys, types, counts, the unions' probes) is the same for each of them.
//!
//! A config's shape is its tree without its values: every object's keys in order, every
//! array's length, every node's JSON kind. Values are never part of it (no secret goes into a
//! key). What a check did with the values is its list of leaf checks: each subschema a scalar
//! was checked against, and whether it passed. Given the same shape, the checker's path
//! through the tree depends only on those outcomes, so a config whose leaf checks all come out
//! as recorded has the recorded result: no issue. Only clean checks are remembered; anything
//! else is checked in full.

use super::schema::Sub;
use crate::load::tree::{Node, Value as Tv};
use crate::paths::{FastMap, FastSet};
use std::hash::BuildHasher;
use std::rc::Rc;

/// A shape's encoding is at most this many bytes (a larger config is checked in full).
const MAX_SHAPE_BYTES: usize = 8 << 10;
/// A plan holds at most this many leaf checks (a check that makes more is not remembered).
const MAX_LEAF_CHECKS: usize = 4096;
/// Plans kept per run: a layout has a few shapes; past this, a new shape is checked in full.
pub(super) const MAX_PLANS: usize = 64;
/// Shapes remembered as seen once (by a hash of the key: a collision only records a check
/// that did not need to be): past this, every new shape is recorded when first seen.
const MAX_SEEN: usize = 1 << 16;

/// A scalar checked against a subschema, by its place among the config's scalars (depth
/// first), and whether it passed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct LeafCheck {
    leaf: u32,
    sub: Sub,
    passed: bool,
}

/// A config's shape, encoded, with its scalars in depth-first order.
pub(super) struct Shape<'n> {
    pub key: Vec<u8>,
    pub leaves: Vec<&'n Node>,
}

impl<'n> Shape<'n> {
    /// The shape of `root` checked against `sub`; `None` when it is too large to remember.
    pub fn of(sub: Sub, root: &'n Node) -> Option<Shape<'n>> {
        let mut shape = Shape {
            key: Vec::with_capacity(256),
            leaves: Vec::with_capacity(32),
        };
        match sub {
            Sub::Node(n) => {
                shape.key.push(0);
                shape.key.extend_from_slice(&n.to_le_bytes());
            }
            Sub::Bool(b) => shape.key.push(1 + u8::from(b)),
        }
        shape.add(root).then_some(shape)
    }

    /// Appends `node`'s shape; false when the encoding grows too large.
    fn add(&mut self, node: &'n Node) -> bool {
        match &node.value {
            Tv::Object(members) => {
                self.key.push(b'o');
                self.push_len(members.len());
                for m in members.iter() {
                    self.push_len(m.key.len());
                    self.key.extend_from_slice(m.key.as_bytes());
                    if self.key.len() > MAX_SHAPE_BYTES || !self.add(&m.value) {
                        return false;
                    }
                }
            }
            Tv::Array(items) => {
                self.key.push(b'a');
                self.push_len(items.len());
                for item in items.iter() {
                    if self.key.len() > MAX_SHAPE_BYTES || !self.add(item) {
                        return false;
                    }
                }
            }
            scalar => {
                self.key.push(match scalar {
                    Tv::Null => b'z',
                    Tv::Bool(_) => b'b',
                    Tv::Number(_) => b'n',
                    _ => b's',
                });
                self.leaves.push(node);
            }
        }
        self.key.len() <= MAX_SHAPE_BYTES
    }

    /// Each scalar's place by its address; `None` when one node is in two places (a list
    /// shared within the config): a test of it is a test of both places, which another config
    /// of the shape may not have alike.
    pub fn places(&self) -> Option<FastMap<*const Node, u32>> {
        let places: FastMap<*const Node, u32> = (self.leaves.iter().enumerate())
            .map(|(at, leaf)| (*leaf as *const Node, at as u32))
            .collect();
        (places.len() == self.leaves.len()).then_some(places)
    }

    /// A count or a key's length: one byte below 255 (almost all), else 255 and four bytes (a
    /// longer one makes the key too large to remember anyway).
    fn push_len(&mut self, n: usize) {
        match u8::try_from(n) {
            Ok(short) if short < u8::MAX => self.key.push(short),
            _ => {
                self.key.push(u8::MAX);
                let n = u32::try_from(n).unwrap_or(u32::MAX);
                self.key.extend_from_slice(&n.to_le_bytes());
            }
        }
    }
}

/// The leaf checks of a check in progress, by the scalars' addresses (see [`Recording::plan`]).
#[derive(Default)]
pub(super) struct Recording {
    checks: Vec<(*const Node, Sub, bool)>,
    /// The check did something this plan cannot replay (it read a container's values, or took
    /// a shared container's issues from the memo without walking it).
    pub unreplayable: bool,
}

impl Recording {
    pub fn leaf_checked(&mut self, leaf: &Node, sub: Sub, passed: bool) {
        if self.checks.len() >= MAX_LEAF_CHECKS {
            self.unreplayable = true;
            return;
        }
        self.checks.push((leaf as *const Node, sub, passed));
    }

    /// The recorded checks by the leaves' places in `shape`. A check of a scalar that is not
    /// one of the config's (a record key checked as a string) is left out: keys are part of the
    /// shape, and so is what a check of one finds.
    pub fn plan(self, shape: &Shape) -> Option<Plan> {
        if self.unreplayable {
            return None;
        }
        let places = shape.places()?;
        let checks = (self.checks.into_iter())
            .filter_map(|(leaf, sub, passed)| {
                let leaf = *places.get(&leaf)?;
                Some(LeafCheck { leaf, sub, passed })
            })
            .collect();
        Some(Plan(checks))
    }
}

/// The leaf checks of a clean check of a shape.
#[derive(Clone)]
pub(super) struct Plan(Rc<[LeafCheck]>);

impl Plan {
    /// Whether every leaf check of the plan comes out on `shape`'s scalars as recorded
    /// (`passes` answers one).
    pub fn replays(&self, shape: &Shape, mut passes: impl FnMut(Sub, &Node) -> bool) -> bool {
        self.0
            .iter()
            .all(|c| passes(c.sub, shape.leaves[c.leaf as usize]) == c.passed)
    }
}

/// The plans of a run, by shape.
#[derive(Default)]
pub(super) struct Plans {
    by_shape: FastMap<Box<[u8]>, Plan>,
    /// Shapes checked once without a recording: recording costs more than it saves on a shape
    /// seen once (one gateway, or a host whose configs all differ).
    seen: FastSet<u64>,
}

impl Plans {
    pub fn get(&self, shape: &Shape) -> Option<Plan> {
        self.by_shape.get(shape.key.as_slice()).cloned()
    }

    /// Whether a config of `shape` was checked before (and it is remembered as seen now).
    pub fn seen_before(&mut self, shape: &Shape) -> bool {
        let hash = self.seen.hasher().hash_one(shape.key.as_slice());
        match self.seen.len() < MAX_SEEN {
            true => !self.seen.insert(hash),
            false => true,
        }
    }

    pub fn keep(&mut self, shape: &Shape, plan: Plan) {
        if self.by_shape.len() < MAX_PLANS {
            self.by_shape.insert(shape.key.as_slice().into(), plan);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::{CheckMemo, Checker};
    use super::super::schema::{table, ReleaseSchema, Sub};
    use super::Shape;
    use crate::load::tree::{Node, Value as Tv};
    use crate::source::FileId;
    use std::sync::Arc;

    /// `node`'s `k`th variant: the same shape, other values in some scalars, chosen to pass and
    /// fail ranges, lengths, patterns, enums and types' integer test.
    fn variant(node: &Node, k: usize, count: &mut usize) -> Node {
        let mut out = node.clone();
        out.value = match &node.value {
            Tv::Object(members) => {
                let mut members = members.as_ref().clone();
                for m in &mut members {
                    m.value = variant(&m.value, k, count);
                }
                Tv::Object(Arc::new(members))
            }
            Tv::Array(items) => Tv::Array(Arc::new(
                items.iter().map(|i| variant(i, k, count)).collect(),
            )),
            scalar => {
                *count += 1;
                // Variant 0 is the config; each other changes every third scalar.
                let pick = if k == 0 || *count % 3 != k % 3 {
                    0
                } else {
                    1 + (k - 1) % 6
                };
                match scalar {
                    Tv::Number(n) => Tv::Number([*n, 0.0, -1.0, 1e9, 1.5, 18789.0, 65536.0][pick]),
                    Tv::String(s) => Tv::String(
                        [
                            s.as_str(),
                            "",
                            "  x  ",
                            "https://example.com/a",
                            "off",
                            "a",
                            "   ",
                        ][pick]
                            .into(),
                    ),
                    Tv::Bool(b) => Tv::Bool(if pick % 2 == 0 { *b } else { !*b }),
                    other => other.clone(),
                }
            }
        };
        out
    }

    /// Every recorded validity case (its main file, as parsed) and its variants.
    fn cases() -> Vec<Node> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/validity/cases");
        let mut configs = Vec::new();
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            // A case of several files is a directory: its parts are cases enough here.
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let Ok(doc) = crate::load::json5::parse(&text) else {
                continue;
            };
            let config = Node::from_json5(doc.root, FileId(0));
            for k in 0..8 {
                configs.push(variant(&config, k, &mut 0));
            }
        }
        assert!(configs.len() > 1000, "{}", configs.len());
        configs
    }

    fn check(checker: &Checker, root: Sub, config: &Node) -> Vec<super::super::Issue> {
        let mut issues = Vec::new();
        checker.check(root, config, &[], &mut issues);
        issues
    }

    /// A shape's first config is checked without a recording, its second recorded, its third
    /// replayed: a layout of one gateway, or of configs that all differ, records nothing.
    #[test]
    fn a_shape_is_recorded_when_it_comes_again() {
        let table = table();
        let checker = Checker::new(table);
        let root = (table.releases().iter())
            .find_map(|(_, r)| match r {
                ReleaseSchema::Root(sub) => Some(*sub),
                ReleaseSchema::Unavailable(_) => None,
            })
            .unwrap();
        let config = cases()
            .into_iter()
            .find(|c| check(&checker, root, c).is_empty() && Shape::of(root, c).is_some())
            .expect("a clean validity case");
        let replays = CheckMemo::during(|| {
            (0..4)
                .map(|_| {
                    assert!(check(&checker, root, &config).is_empty());
                    CheckMemo::replayed()
                })
                .collect::<Vec<_>>()
        });
        assert_eq!(replays, [0, 0, 1, 2]);
    }

    /// Every recorded validity case, and variants of it of the same shape with other values,
    /// checked against every recorded release's schema in one run (plans recorded on one and
    /// replayed on the next): each check has exactly the issues of a check without plans.
    #[test]
    fn replayed_checks_have_the_issues_of_fresh_ones() {
        let configs = cases();
        let table = table();
        let checker = Checker::new(table);
        let roots: Vec<Sub> = (table.releases().iter())
            .filter_map(|(_, r)| match r {
                ReleaseSchema::Root(sub) => Some(*sub),
                ReleaseSchema::Unavailable(_) => None,
            })
            .collect();
        for root in roots {
            let fresh: Vec<_> = configs.iter().map(|c| check(&checker, root, c)).collect();
            let (planned, replayed) = CheckMemo::during(|| {
                let planned: Vec<_> = configs.iter().map(|c| check(&checker, root, c)).collect();
                (planned, CheckMemo::replayed())
            });
            for (at, (fresh, planned)) in fresh.iter().zip(&planned).enumerate() {
                assert_eq!(fresh, planned, "config {at}");
            }
            assert!(replayed > 0, "plans were replayed");
        }
    }

    /// The trimmed strings' issues of every case and its variants, for every release (and
    /// one before and after them all), with the strings remembered for the shape (twice: made,
    /// then used), are a walk's.
    #[test]
    fn remembered_trimmed_strings_give_a_walks_issues() {
        let configs = cases();
        let releases: Vec<&str> = (table().releases().iter())
            .map(|(v, _)| v.as_str())
            .chain(["2026.1.1", "2099.1.1"])
            .collect();
        let mut with_issues = 0;
        for release in releases {
            for config in &configs {
                let mut walked = Vec::new();
                super::super::trimmed::issues(config, release, &mut walked);
                let shape = super::Shape::of(Sub::Bool(true), config).unwrap();
                for _ in 0..2 {
                    let mut shaped = Vec::new();
                    super::super::trimmed::issues_shaped(
                        config,
                        release,
                        Some(&shape),
                        &mut shaped,
                    );
                    assert_eq!(walked, shaped, "{release}");
                }
                with_issues += usize::from(!walked.is_empty());
            }
        }
        assert!(with_issues > 0, "some variants have trimmed issues");
    }
}
