//! Env files beside a compose project that no command clawlint read names: `.env.dev` and
//! `.env.prd` next to `docker-compose.yml`, each meant for `docker compose --env-file .env.dev
//! up` typed by hand. Compose reads such a file only when a command names it, instead of the
//! project's `.env`; so when clawlint found no command that runs the project, a variable one
//! of them sets to another value than the `.env` gives may have either value. An entry whose
//! text, interpolated with one file's variables alone (as compose does with `--env-file`),
//! gives another value than with the `.env` is unverifiable, not the `.env`'s value or the
//! default (the compose reader decides, entry by entry). Beside a `.env`, only a file that
//! sets some of the same variables is taken for another version of it.

use crate::load::{Problem, ProblemKind};
use crate::source::{Loc, SourceMap};
use std::collections::BTreeMap;
use std::path::Path;

/// How many such files clawlint reads beside one project (every read has a budget; real
/// stacks have two to four: dev, staging, prod).
const MAX_VARIANTS: usize = 8;

/// The env files beside a project that a command may name, and what they change.
#[derive(Debug, Default)]
pub struct EnvVariants {
    /// Their file names (`.env.dev`), in name order.
    pub files: Vec<String>,
    /// What each sets (last assignment wins), in the order of `files`: the whole environment
    /// compose interpolates with when a run names it instead of the `.env`.
    values: Vec<BTreeMap<String, String>>,
    /// Each variable a file sets differently from the project's `.env` (or leaves unset
    /// where the `.env` sets it), with those files (indices into `files`).
    varying: BTreeMap<String, Vec<usize>>,
    /// Some file sets COMPOSE_PROJECT_NAME: the runs may be different projects.
    names_project: bool,
    /// The varying variables the project's `.env` sets too (to another value).
    in_dot_env: Vec<String>,
    /// The project has a `.env`.
    has_dot_env: bool,
}

impl EnvVariants {
    /// The variant env files in `dir`, read against `plain` (what the project's `.env`
    /// sets); none that `named_by` (what the services' `env_file:` and `volumes:` entries say)
    /// names. Too many are said at `at`, the compose file.
    #[allow(clippy::too_many_arguments)]
    pub fn read(
        at: Option<Loc>,
        dir: &Path,
        plain: &BTreeMap<String, (String, Loc)>,
        named_by: &[&str],
        host: &super::HostContext,
        env_files: &mut super::EnvFiles,
        sources: &mut SourceMap,
        problems: &mut Vec<Problem>,
    ) -> EnvVariants {
        let mut out = EnvVariants::default();
        let mut files = super::runs::files_beside(dir, is_variant_name, usize::MAX);
        files.retain(|f| {
            let name = f.file_name().unwrap_or_default().to_string_lossy();
            !named_by.iter().any(|text| names_file(text, &name))
        });
        if files.len() > MAX_VARIANTS {
            problems.push(Problem {
                kind: ProblemKind::TooMany,
                message: format!(
                    "{} holds {} env files beside its compose file: clawlint reads the first {MAX_VARIANTS} and not the other {}",
                    crate::paths::display_path(dir),
                    files.len(),
                    files.len() - MAX_VARIANTS
                ),
                loc: at,
            });
            files.truncate(MAX_VARIANTS);
        }
        for path in files {
            let values = super::read_env_file(&path, false, host, env_files, sources, problems);
            let set: BTreeMap<&str, &str> = values
                .iter()
                .map(|(k, v, _)| (k.as_str(), v.as_str()))
                .collect();
            // Beside a `.env`, a file that sets none of its variables is no other version of
            // it (`db.env`, `.ports.env` for other tools): no run would swap one for the other.
            if !plain.is_empty() && !set.keys().any(|k| plain.contains_key(*k)) {
                continue;
            }
            let index = out.files.len();
            out.files.push(file_name(&path));
            out.values.push(
                set.iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            );
            let changed = set
                .iter()
                .filter(|(k, v)| plain.get(**k).is_none_or(|(p, _)| p != **v))
                .map(|(k, _)| *k)
                .chain(
                    plain
                        .keys()
                        .map(String::as_str)
                        .filter(|k| !set.contains_key(k)),
                );
            for name in changed {
                out.varying.entry(name.to_string()).or_default().push(index);
            }
            out.names_project |= set.contains_key("COMPOSE_PROJECT_NAME");
        }
        out.in_dot_env = (out.varying.keys())
            .filter(|k| plain.contains_key(*k))
            .cloned()
            .collect();
        out.has_dot_env = !out.files.is_empty() && crate::paths::host::is_file(&dir.join(".env"));
        out
    }

    /// A file sets `name` to another value than the project's `.env` gives (or leaves it
    /// unset where the `.env` sets it).
    pub fn varies(&self, name: &str) -> bool {
        self.varying.contains_key(name)
    }

    /// Each file's variables: the environment a run that names it interpolates with.
    pub fn environments(&self) -> &[BTreeMap<String, String>] {
        &self.values
    }

    /// Runs may read different env files: two of these, or one and the project's `.env`.
    pub fn several(&self) -> bool {
        self.files.len() + usize::from(self.has_dot_env) >= 2
    }

    /// Whether some file sets COMPOSE_PROJECT_NAME (runs with different files may then be
    /// different projects).
    pub fn names_project(&self) -> bool {
        self.names_project
    }

    /// `${A} and ${B}, which .env.dev and .env.prd set`: what of `vars` varies, and where.
    pub fn why(&self, vars: &[String]) -> Option<String> {
        let varying: Vec<&String> = vars.iter().filter(|v| self.varies(v)).collect();
        let mut files: Vec<usize> = varying
            .iter()
            .flat_map(|v| self.varying[v.as_str()].iter().copied())
            .collect();
        files.sort_unstable();
        files.dedup();
        let first = varying.first()?;
        let names = varying
            .iter()
            .map(|v| format!("${{{v}}}"))
            .collect::<Vec<_>>();
        let files: Vec<String> = files.iter().map(|&i| self.files[i].clone()).collect();
        let verb = match varying.len() {
            1 => format!("reads ${{{first}}}, which"),
            _ => format!("reads {}, which", and_list(&names)),
        };
        let set = if files.len() == 1 { "sets" } else { "set" };
        let unlike = match (
            self.has_dot_env,
            varying.iter().any(|v| self.in_dot_env.contains(v)),
        ) {
            (_, true) => " differently from the project's .env",
            (true, false) => ", and the project's .env does not",
            (false, false) => " (the project has no .env)",
        };
        Some(format!("{verb} {} {set}{unlike}", and_list(&files)))
    }
}

/// `.env.<name>` or `<name>.env`, neither the project's `.env` itself nor a template or a
/// copy (`.env.example`, `.env.bak`): an env file a command may name with `--env-file`.
fn is_variant_name(name: &str) -> bool {
    let stem = match (name.strip_prefix(".env."), name.strip_suffix(".env")) {
        (Some(rest), _) => rest,
        (None, Some(stem)) if !stem.is_empty() && stem != "." => stem,
        _ => return false,
    };
    const NOT_RUN: [&str; 14] = [
        "example", "sample", "template", "tmpl", "tpl", "dist", "defaults", "bak", "backup", "old",
        "orig", "save", "swp", "tmp",
    ];
    let stem = stem.trim_start_matches('.').to_ascii_lowercase();
    !stem.is_empty()
        && !stem.ends_with('~')
        && !NOT_RUN.iter().any(|w| {
            stem == *w || stem.ends_with(&format!(".{w}")) || stem.starts_with(&format!("{w}."))
        })
}

/// Whether `text` (`./secrets.env`, `${SECRETS:-./secrets.env}:/run/secrets/x:ro`) names a
/// file called `name`: `name` as a whole path component.
fn names_file(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(at, _)| {
        let head = &text[..at];
        // A default: `${VAR:-name}`, `${VAR-name}` (a `${` not yet closed before the `-`).
        let default = head.ends_with('-')
            && head
                .rfind("${")
                .is_some_and(|open| !head[open..].contains('}'));
        let before = head.chars().next_back();
        let after = text[at + name.len()..].chars().next();
        (default || before.is_none_or(|c| matches!(c, '/' | '\\' | '=' | ' ')))
            && after.is_none_or(|c| matches!(c, ':' | '}' | ' '))
    })
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.concat(),
    }
}

/// The file's name as output shows it: the layout names it, so one that looks like a secret
/// is shown as its length.
fn file_name(path: &Path) -> String {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    crate::redact::shown(crate::redact::Kind::Path, &name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_named_by_entries() {
        assert!(names_file("./secrets.env", "secrets.env"));
        assert!(names_file(
            "${SECRETS_FILE:-./secrets.env}:/run/secrets/openclaw.env:ro",
            "secrets.env"
        ));
        assert!(names_file("acme.env", "acme.env"));
        assert!(!names_file("./other-secrets.env.bak", "secrets.env"));
        assert!(!names_file("./my.secrets.env", "secrets.env"));
        assert!(!names_file("./other-secrets.env:/x", "secrets.env"));
        assert!(names_file("${S-secrets.env}:/x", "secrets.env"));
        assert!(!names_file("/data:/home/node/.openclaw", ".env.dev"));
    }

    #[test]
    fn variant_names() {
        for name in [
            ".env.dev",
            ".env.prd",
            ".env.production",
            "prod.env",
            "staging.env",
            ".env.local",
        ] {
            assert!(is_variant_name(name), "{name}");
        }
        for name in [
            ".env",
            ".env.example",
            ".env.sample",
            ".env.template",
            "example.env",
            ".env.bak",
            ".env.prod.bak",
            ".env.dev~",
            "env",
            ".envrc",
            "docker-compose.yml",
            ".env.",
        ] {
            assert!(!is_variant_name(name), "{name}");
        }
    }
}
