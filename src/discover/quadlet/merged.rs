//! A `.container` with its drop-ins merged in, as Podman's generator looks its keys up
//! (pkg/systemd/parser/unitfile.go): `UnitFile.Merge` appends each drop-in's lines to the
//! unit's groups of the same name, so a key's lines are the unit's, then each drop-in's in
//! the order merged; `LookupAll` restarts its list at an empty value (`PublishPort=` drops
//! the ports before it), `Lookup` takes the last line's value with trailing white space and
//! one pair of surrounding double quotes dropped.

use super::podman;
use crate::discover::systemd;
use crate::load::json5::Span;
use std::path::{Path, PathBuf};

/// One file of a merged unit: the quadlet itself or one drop-in.
#[derive(Debug)]
pub struct Part {
    pub path: PathBuf,
    pub text: String,
    pub parsed: podman::Parsed,
    /// Where systemd fails the service the generator writes from this file's lines, if it
    /// does (see `refused_by_systemd`).
    pub stopped: Option<systemd::Stopped>,
}

impl Part {
    /// `bytes`: the file, whose text Podman's parser took as `parsed`.
    pub fn new(path: &Path, bytes: &[u8], parsed: podman::Parsed) -> Part {
        let (text, unit) = systemd::read_unit(bytes);
        Part {
            path: path.to_path_buf(),
            text,
            parsed,
            stopped: unit.stopped,
        }
    }
}

/// A line of a merged unit: which part it is from, and the line.
pub type Found<'a> = (usize, &'a podman::Line);

/// The unit's parts in merge order: the quadlet first, then its drop-ins.
#[derive(Clone, Copy)]
pub struct Merged<'a> {
    pub parts: &'a [Part],
}

impl<'a> Merged<'a> {
    pub fn of(parts: &'a [Part]) -> Self {
        Merged { parts }
    }

    fn lines(&self, group: &'a str, key: &'a str) -> impl Iterator<Item = Found<'a>> + 'a {
        self.parts.iter().enumerate().flat_map(move |(i, part)| {
            part.parsed
                .lines
                .iter()
                .filter(move |l| l.group == group && l.key == key)
                .map(move |l| (i, l))
        })
    }

    /// `LookupAll`: every value of `key`, from the last empty one on.
    pub fn all(&self, group: &'a str, key: &'a str) -> Vec<Found<'a>> {
        let mut out = Vec::new();
        for found in self.lines(group, key) {
            if found.1.value.is_empty() {
                out.clear();
            } else {
                out.push(found);
            }
        }
        out
    }

    /// `LookupLast`: the last line of `key`, empty or not.
    pub fn last(&self, group: &'a str, key: &'a str) -> Option<Found<'a>> {
        self.lines(group, key).last()
    }

    /// `Lookup`: the last value of `key`, trailing white space and one pair of surrounding
    /// double quotes dropped.
    pub fn lookup(&self, group: &'a str, key: &'a str) -> Option<(String, Found<'a>)> {
        let found = self.last(group, key)?;
        let value = found.1.value.trim_end();
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(inner) if value.len() >= 2 => inner,
            _ => value,
        };
        Some((value.to_string(), found))
    }

    /// The first `[group]` header, in the quadlet or else in the first drop-in with one.
    pub fn header(&self, group: &str) -> Option<(usize, Span)> {
        self.parts.iter().enumerate().find_map(|(i, part)| {
            part.parsed
                .headers
                .iter()
                .find(|h| h.name == group)
                .map(|h| (i, h.span))
        })
    }
}
