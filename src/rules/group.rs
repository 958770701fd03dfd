//! Finding what gateways share, by sorting and grouping: never all pairs.

use crate::diagnostic::{write_listed, Label, Text, Wording, Words};
use crate::paths::FastMap;
use crate::resolve::{Instance, Origin};
use crate::source::Loc;
use std::fmt::Write as _;
use std::hash::Hash;

/// Groups `(key, instance index, party)` items by key and keeps the groups that span at
/// least two different gateways. Groups come out in key order; parties in input order.
pub fn shared_across_instances<K: Ord + Hash, T>(
    items: Vec<(K, usize, T)>,
) -> Vec<(K, Vec<(usize, T)>)> {
    // Most keys belong to one gateway (its own state dir, token, port): one hash pass finds
    // the keys two gateways hold, and only their items are sorted. Sorting every item
    // compared each key about log2(n) times (13 at 10,000 gateways), as bytes.
    let shared = spanning_two_instances(&items);
    // Sorted in place without a stable sort's scratch copy: each item's place in the input
    // breaks ties, so the order is the stable sort's.
    let mut items: Vec<(K, usize, usize, T)> = items
        .into_iter()
        .enumerate()
        .filter(|(at, _)| shared[*at])
        .map(|(at, (key, instance, party))| (key, instance, at, party))
        .collect();
    items.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut groups: Vec<(K, Vec<(usize, T)>)> = Vec::new();
    for (key, instance, _, party) in items {
        match groups.last_mut() {
            Some((last, parties)) if *last == key => parties.push((instance, party)),
            _ => groups.push((key, vec![(instance, party)])),
        }
    }
    groups
}

/// For each item, whether its key is also held by another gateway than its own.
fn spanning_two_instances<K: Eq + Hash, T>(items: &[(K, usize, T)]) -> Vec<bool> {
    // Each distinct key's slot: its first gateway, and whether another holds it too. Items
    // keep their key's slot, so each key is hashed once.
    let mut slot_of: FastMap<&K, usize> =
        FastMap::with_capacity_and_hasher(items.len(), Default::default());
    let mut slots: Vec<(usize, bool)> = Vec::with_capacity(items.len());
    let mut item_slots = Vec::with_capacity(items.len());
    for (key, instance, _) in items {
        let slot = *slot_of.entry(key).or_insert_with(|| {
            slots.push((*instance, false));
            slots.len() - 1
        });
        slots[slot].1 |= slots[slot].0 != *instance;
        item_slots.push(slot);
    }
    item_slots.into_iter().map(|slot| slots[slot].1).collect()
}

/// A party on the place its value came from: `rescue: browser control port 18789 = 18787 + 2`.
/// A party whose value came from no file says where it came from instead. `what` is written
/// straight into the label's text (most callers pass `format_args!`, no string of its own).
pub fn party(instance: &Instance, what: impl std::fmt::Display, origin: &Origin) -> Label {
    Label::new(
        party_loc(instance, origin),
        Text::written(|out| write_party(out, instance, what, origin)),
        Some(&instance.name),
    )
}

/// A party's words: `rescue: what`, then where its value came from when no file shows it.
pub fn write_party(
    out: &mut String,
    instance: &Instance,
    what: impl std::fmt::Display,
    origin: &Origin,
) -> std::fmt::Result {
    out.words(&instance.name).words(": ");
    write!(out, "{what}")?;
    write_whence(out, origin)
}

/// The end of a party's words: where its value came from, when no file shows it, or how it
/// was derived from one that a file shows.
pub fn write_whence(out: &mut String, origin: &Origin) -> std::fmt::Result {
    match (origin, origin.loc(), origin.formula()) {
        (Origin::Substituted(s), _, _) => {
            out.words(" (from ${").words(&s.var).words("})");
            Ok(())
        }
        (_, None, _) => write!(out, " ({})", origin.summary()),
        (_, Some(_), Some(formula)) => {
            out.words(" = ");
            formula.write_words(out);
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Where a party is shown: where its value came from. A value from no file is shown at the
/// gateway's config, where it would be set.
pub fn party_loc(instance: &Instance, origin: &Origin) -> Option<Loc> {
    origin
        .loc()
        .or(instance.config_exists.then_some(instance.config_loc))
}

/// The party, plus the `.env` line or unit line that set the variable it came through.
pub fn parties(instance: &Instance, what: &str, origin: &Origin) -> Vec<Label> {
    let mut out = vec![party(instance, what, origin)];
    if let Some((var, loc)) = origin.set_through() {
        out.push(Label::new(
            Some(loc),
            format!("{}: {var} set here", instance.name),
            Some(&instance.name),
        ));
    }
    out
}

/// [`names`], written into `out`.
pub fn write_names(out: &mut String, instances: &[&Instance]) {
    write_listed(out, instances.iter().map(|i| ["\"", i.name.as_str(), "\""]));
}

/// `"a" and "b"`, `"a", "b" and "c"`; past [`crate::diagnostic::NAMED`] gateways, a count of the rest.
pub fn names(instances: &[&Instance]) -> String {
    let mut out = String::new();
    write_names(&mut out, instances);
    out
}

/// "both" for two gateways, "all" for more: the word before the verb they share.
pub fn both_or_all(count: usize) -> &'static str {
    if count > 2 {
        "all"
    } else {
        "both"
    }
}

/// The distinct instances of a group, in order (a set, so that a group of thousands stays
/// linear).
pub fn distinct<'a, T>(instances: &'a [Instance], parties: &[(usize, T)]) -> Vec<&'a Instance> {
    let mut seen = std::collections::HashSet::new();
    parties
        .iter()
        .filter(|(i, _)| seen.insert(*i))
        .map(|(i, _)| &instances[*i])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_need_two_instances() {
        let items = vec![
            (5, 0, "a"),
            (5, 0, "b"),
            (7, 1, "c"),
            (7, 2, "d"),
            (9, 3, "e"),
        ];
        let groups = shared_across_instances(items);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].0, 7);
        assert_eq!(groups[0].1, vec![(1, "c"), (2, "d")]);
    }

    /// The definition: every item sorted by key (stably), grouped, and the groups of one
    /// gateway dropped.
    fn by_sorting_all(items: Vec<(u8, usize, usize)>) -> Vec<(u8, Vec<(usize, usize)>)> {
        let mut items = items;
        items.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut groups: Vec<(u8, Vec<(usize, usize)>)> = Vec::new();
        for (key, instance, party) in items {
            match groups.last_mut() {
                Some((last, parties)) if *last == key => parties.push((instance, party)),
                _ => groups.push((key, vec![(instance, party)])),
            }
        }
        groups.retain(|(_, parties)| parties.iter().any(|(i, _)| *i != parties[0].0));
        groups
    }

    #[test]
    fn long_lists_name_the_first_and_count_the_rest() {
        use crate::diagnostic::{listed, NAMED};
        let items = ["a", "b", "c", "d", "e", "f", "g"];
        let of = |n: usize| listed(items[..n].iter().copied());
        assert_eq!(of(0), "");
        assert_eq!(of(1), "a");
        assert_eq!(of(2), "a and b");
        assert_eq!(of(3), "a, b and c");
        assert_eq!(of(NAMED), "a, b, c, d and e");
        assert_eq!(of(NAMED + 1), "a, b, c, d and 2 more");
        assert_eq!(of(7), "a, b, c, d and 3 more");
        let mut quoted = String::new();
        write_listed(&mut quoted, items.iter().map(|i| ["\"", *i, "\""]));
        assert_eq!(quoted, "\"a\", \"b\", \"c\", \"d\" and 3 more");
    }

    #[test]
    fn groups_are_those_of_sorting_every_item() {
        let mut rng = crate::xorshift::Rng(0x9e37);
        for round in 0..400 {
            let len = rng.below(40) as usize;
            // Few keys and few gateways: groups of one gateway, of several, and keys held
            // twice by one gateway all come up; gateways in any order (not only the input's).
            let keys = 1 + rng.below(12);
            let gateways = 1 + rng.below(8);
            let items: Vec<(u8, usize, usize)> = (0..len)
                .map(|party| (rng.below(keys) as u8, rng.below(gateways) as usize, party))
                .collect();
            assert_eq!(
                shared_across_instances(items.clone()),
                by_sorting_all(items.clone()),
                "round {round}: {items:?}"
            );
        }
    }
}
