//! CL108's fix (unsafe): publish a container on the free host port its help already names
//! ([`crate::ports::allocate::FreeHostPorts`], kept on the finding as
//! [`super::Suggested::HostPort`]), by editing the host side of the entry that publishes it
//! and nothing else: a compose `ports:` item in the short syntax (`"18789:18789"`,
//! `"127.0.0.1:18789:18789"`, `"[::1]:18789:18789/tcp"`) or the long syntax (`published:`),
//! or a quadlet's `PublishPort=`. The port inside the container stays as it is.
//!
//! A host port written as `${VAR}` is edited where the value comes from: the project's
//! `.env` line when it sets VAR (compose reads it for interpolation), else the default of
//! `${VAR:-N}`/`${VAR-N}`. Anything else (a range, a YAML anchor other services share, a
//! fleet cell, whose port is fixed when it is created) gets no fix, with the reason.
//!
//! A quadlet the package manager owns is not edited: the change goes into a new drop-in
//! ([`super::packaged`]).
//!
//! Unsafe: the container then listens on another host port, so whatever reached it on the
//! old one (a reverse proxy, a bookmarked Control UI, paired nodes) must follow.

use super::moves::Planner;
use super::{Applicability, Edit, Fix, Suggested};
use crate::container::{Engine, HostText};
use crate::load::json5::Span;
use crate::source::{Loc, SourceMap};

/// The fix for a CL108 finding whose help suggests a free host port, or why there is none.
/// `None` when the finding suggests nothing (no free port was found). What every fix asks
/// (who publishes an entry) the planner builds once per run; where a compose entry writes
/// its host port discovery recorded when it parsed the file.
pub fn fix(suggested: &Suggested, planner: &mut Planner) -> Result<Fix, String> {
    let Suggested::HostPort {
        instance,
        engine,
        entry,
        from,
        to,
        container_port,
    } = suggested;
    let (instances, sources) = (planner.instances, planner.sources);
    if *engine == Engine::Fleet {
        return Err(format!(
            "a fleet cell's host port is fixed when it is created: recreate it with `openclaw fleet create {} --port {to}`",
            planner
                .index_of(instance)
                .and_then(|i| instances[i].container.as_ref())
                .map_or("TENANT", |c| c.service.as_str())
        ));
    }
    let publishers = planner.publishers(*entry);
    // One entry for several services: a YAML anchor (`<<: *ports`), or a namespace they
    // share (`network_mode: service:X`, X's `ports:`). One edit would move them all.
    let sharing: Vec<&str> = publishers
        .iter()
        .map(|&(i, _)| instances[i].name.as_str())
        .filter(|name| name != instance)
        .collect();
    if !sharing.is_empty() {
        let shared_namespace = publishers.iter().any(|&(i, _)| {
            let network = instances[i].container.as_ref().map(|c| &c.network);
            matches!(network, Some(crate::container::Network::Shared(_)))
        });
        let how = match shared_namespace {
            true => "the network namespace they share",
            false => "a shared anchor",
        };
        return Err(format!(
            "the entry that publishes it also publishes \"{}\" ({how}): moving one would move both",
            sharing.join("\", \"")
        ));
    }
    let published = publishers
        .first()
        .and_then(|&(i, k)| instances[i].container.as_ref()?.published.get(k));
    let vars: Vec<(String, Option<Loc>)> = published.map(|p| p.vars.clone()).unwrap_or_default();
    let env_files: Vec<String> = publishers
        .first()
        .and_then(|&(i, _)| instances[i].container.as_ref())
        .map(|c| c.env_files.clone())
        .unwrap_or_default();
    let file = entry.file;
    let text = &sources.file(file).text;
    let (field, what) = match engine {
        Engine::Compose => {
            compose_host_field(text, published.map_or(HostText::Entry, |p| p.host_text))?
        }
        // An Unraid template's `<Config Type="Port">` value is the host port itself (its
        // `Default` when the value is empty: then the value is where it goes).
        Engine::Unraid => {
            let raw = text
                .get(entry.span.start()..entry.span.end())
                .ok_or("clawlint cannot find the entry in its file")?;
            let before = text[..entry.span.start()].trim_end();
            if before.ends_with("Default=\"") || before.ends_with("Default='") {
                return Err(
                    "its host port is the Port's Default (its value is empty): set the value in the Docker tab's Edit page".into(),
                );
            }
            if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
                return Err(format!(
                    "its host port is not written as a number ({raw}), which clawlint does not rewrite"
                ));
            }
            (entry.span, "<Config Type=\"Port\">")
        }
        _ => {
            let raw = text
                .get(entry.span.start()..entry.span.end())
                .ok_or("clawlint cannot find the entry in its file")?;
            if raw.contains(['%', '$']) {
                return Err(format!(
                    "its host port is written with a specifier or variable ({raw}), which clawlint does not rewrite"
                ));
            }
            let host = short_host_field(raw)?;
            let what = match engine {
                Engine::DockerRun | Engine::PodmanRun => "-p",
                _ => "PublishPort=",
            };
            (shift(host, entry.span.start()), what)
        }
    };
    let file_name = sources.file(file).shown_path();
    let entry_name = format!("the {what} entry in {file_name}");
    let (loc, place) =
        host_port_place(sources, file, field, *from, &entry_name, &vars, &env_files)?;
    if super::fixers::overlaps_secret(sources, loc) {
        return Err("the edit would touch a secret".into());
    }
    let container = publishers
        .first()
        .and_then(|&(i, _)| instances[i].container.as_deref());
    // A file the stack manager writes anew at each deploy (Portainer's stack.env, TrueNAS's
    // rendered compose file): the edit would be undone by the next deploy, so none is made.
    let edited = &sources.file(loc.file).path;
    if let Some(kept) = container.and_then(|c| crate::discover::kept_by_manager(c, edited)) {
        let what = match vars.as_slice() {
            [(name, _)] if loc.file != file => format!("{name}={to}"),
            _ => format!("its host port to {to}"),
        };
        return Err(format!(
            "{} writes {} anew each time it deploys the project, so an edit there would not last: set {what} in {}, and redeploy",
            kept.manager,
            sources.file(loc.file).shown_path(),
            kept.change_in,
        ));
    }
    let packaged =
        container.and_then(|c| super::packaged::edit(c, sources, *entry, loc.span, *to, &place));
    let (edit, place) = match packaged {
        Some(made) => made?,
        None => (
            Edit {
                file: loc.file,
                span: loc.span,
                replacement: to.to_string(),
            },
            place,
        ),
    };
    Ok(Fix {
        applicability: Applicability::Unsafe,
        description: format!(
            "publish \"{instance}\" on host port {to} instead of {from} ({place}); the port inside the container stays {container_port}; recreate the container and point what reached it on {from} (a reverse proxy, the Control UI URL, paired nodes) at {to}"
        ),
        edits: vec![edit],
    })
}

fn shift(span: Span, by: usize) -> Span {
    Span::new(span.start() + by, span.end() + by)
}

/// The span of the host side of a compose `ports:` item, from where discovery found it
/// written ([`HostText`]): in a short-syntax string, the field before the container port; in
/// the long syntax, `published:`'s value.
fn compose_host_field(text: &str, host: HostText) -> Result<(Span, &'static str), String> {
    let (inner, what) = match host {
        HostText::Short(inner) => (inner, "ports:"),
        HostText::Published(inner) => (inner, "ports: published:"),
        HostText::NoPublished => return Err("the entry has no published: host port".into()),
        HostText::NotAsWritten => {
            return Err(
                "the entry is written with escapes or over several lines, which clawlint does not rewrite"
                    .into(),
            )
        }
        HostText::Entry => return Err("clawlint cannot find the entry in its file".into()),
    };
    let host = match what {
        "ports:" => short_host_field(&text[inner.start()..inner.end()])?,
        _ => Span::new(0, inner.end() - inner.start()),
    };
    Ok((shift(host, inner.start()), what))
}

/// In `[HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]` (variables not yet substituted), the
/// span of HOST_PORT. `:` inside `${...}` and `[...]` does not separate fields.
fn short_host_field(raw: &str) -> Result<Span, String> {
    let mut fields: Vec<Span> = Vec::new();
    let (mut depth, mut bracket, mut start) = (0usize, false, 0usize);
    let bytes = raw.as_bytes();
    let mut end = raw.len();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' if i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b'}' if depth > 0 => depth -= 1,
            b'[' if depth == 0 => bracket = true,
            b']' if depth == 0 => bracket = false,
            b'/' if depth == 0 && !bracket => {
                end = i;
                break;
            }
            b':' if depth == 0 && !bracket => {
                fields.push(Span::new(start, i));
                start = i + 1;
            }
            _ => {}
        }
    }
    fields.push(Span::new(start, end));
    match fields.len() {
        1 => Err("the entry names no host port (the runtime picks one)".into()),
        n => Ok(fields[n - 2]),
    }
}

/// Where the host port written in `field` of `file` is set, and what to call that place:
/// its digits; or, for `${VAR}`, the env file line that sets VAR (the project's `.env`, or
/// what `--env-file` or `COMPOSE_ENV_FILES` names: `env_files`, as output names them), else
/// the default.
fn host_port_place(
    sources: &SourceMap,
    file: crate::source::FileId,
    field: Span,
    port: u16,
    entry: &str,
    vars: &[(String, Option<Loc>)],
    env_files: &[String],
) -> Result<(Loc, String), String> {
    let text = &sources.file(file).text;
    let raw = &text[field.start()..field.end()];
    let digits = port.to_string();
    if raw.trim() == digits {
        let at = field.start() + raw.find(&digits).unwrap_or(0);
        return Ok((
            Loc {
                file,
                span: Span::new(at, at + digits.len()),
            },
            format!("\"{raw}\", the host side of {entry}"),
        ));
    }
    if raw.contains('-') && !raw.contains('$') {
        return Err(format!(
            "it publishes the range {raw}: give it another range by hand"
        ));
    }
    let Some((name, default)) = variable(raw) else {
        return Err(format!(
            "its host port is written as {raw:?}, which clawlint does not rewrite"
        ));
    };
    // Where discover found the value compose interpolates with: the project's `.env`, an
    // `--env-file`, or the environment of what runs compose (the last is not rewritten).
    let set_at = vars
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, at)| *at);
    if let Some(at) = set_at {
        let env_file = at.file;
        let env_text = &sources.file(env_file).text;
        let parsed = crate::load::dotenv::parse(env_text);
        let effective = parsed.effective();
        let Some(set) = effective
            .into_iter()
            .find(|e| e.key == name && e.span == at.span)
        else {
            return run_environment(sources, text, at, &name, port, raw, entry);
        };
        {
            if set.value.trim() != digits {
                return Err(format!(
                    "its host port comes from {name} in {}, which does not say {port}",
                    sources.file(env_file).shown_path()
                ));
            }
            let uses = variable_uses(text, &name);
            if uses > 1 {
                return Err(format!(
                    "its host port comes from {name} in {}, and the compose file uses {name} elsewhere too: changing it would move those as well",
                    sources.file(env_file).shown_path()
                ));
            }
            let value = Span::new(set.key_span.end(), set.span.end());
            let found = env_text[value.start()..value.end()]
                .match_indices(&digits)
                .map(|(i, _)| value.start() + i)
                .find(|&i| {
                    let b = env_text.as_bytes();
                    let digit_before = i > 0 && b[i - 1].is_ascii_digit();
                    let digit_after = b.get(i + digits.len()).is_some_and(u8::is_ascii_digit);
                    !digit_before && !digit_after
                })
                .ok_or_else(|| format!("clawlint cannot find {port} where {name} is set"))?;
            return Ok((
                Loc {
                    file: env_file,
                    span: Span::new(found, found + digits.len()),
                },
                format!(
                    "{name} in {}, which \"{raw}\", the host side of {entry}, reads",
                    sources.file(env_file).shown_path()
                ),
            ));
        }
    }
    match default {
        Some(d) if d.1 == digits => Ok((
            Loc {
                file,
                span: shift(d.0, field.start()),
            },
            format!("the default in \"{raw}\", the host side of {entry}: {}, and one set in the shell that runs compose would still win", unset_in(env_files, &name)),
        )),
        _ => Err(format!(
            "its host port comes from ${{{name}}}, which {} sets to {port}",
            match env_files {
                [] => "neither an env file (compose reads none) nor a default".to_string(),
                [one] => format!("neither {one} nor a default"),
                [first @ .., last] => format!("neither {}, {last} nor a default", first.join(", ")),
            }
        )),
    }
}

/// `the project's .env does not set NAME`, `neither a.env nor b.env sets NAME`, or that
/// compose reads no env file: the env files compose interpolates with, named.
fn unset_in(env_files: &[String], name: &str) -> String {
    match env_files {
        [] => format!("compose reads no env file and nothing sets {name}"),
        [one] => format!("{one} does not set {name}"),
        [first @ .., last] => format!("neither {} nor {last} sets {name}", first.join(", ")),
    }
}

/// The host port set in the environment of what runs compose: a unit's `Environment=NAME=N`,
/// a script's `export NAME=N` or `NAME=N docker compose …` on the line clawlint read it from.
/// The digits are rewritten there when that is the only place the unit or script reads NAME
/// and the compose file uses it once; else no fix, and why.
fn run_environment(
    sources: &SourceMap,
    compose_text: &str,
    at: Loc,
    name: &str,
    port: u16,
    raw: &str,
    entry: &str,
) -> Result<(Loc, String), String> {
    let path = sources.file(at.file).shown_path();
    let text = &sources.file(at.file).text;
    let found: Vec<Span> =
        super::pins::scan_for(text, port, Some(super::pins::line_of(text, at.span)), name)
            .into_iter()
            .filter(|(_, what)| *what == name)
            .map(|(span, _)| span)
            .collect();
    let [span] = found[..] else {
        return Err(format!(
            "its host port comes from {name}, set in {path} (the environment docker compose runs with), where clawlint cannot find {name}={port} written once"
        ));
    };
    if variable_uses(text, name) > 0 || variable_uses(compose_text, name) > 1 {
        return Err(format!(
            "its host port comes from {name}, set in {path} (the environment docker compose runs with), and {name} is read elsewhere too: changing it would move those as well"
        ));
    }
    Ok((
        Loc {
            file: at.file,
            span,
        },
        format!("{name} in {path}, the environment docker compose runs with, which \"{raw}\", the host side of {entry}, reads"),
    ))
}

/// How many times `text` reads the variable `name` (`$NAME`, `${NAME...}`) outside comment
/// lines. Each `$` is found by a byte search; whether a read's line is a comment (`#` its
/// first non-blank) is found once per line, the text between reads looked at once: a line of
/// megabytes of reads stays linear.
fn variable_uses(text: &str, name: &str) -> usize {
    let mut count = 0;
    // The line of the last read: whether it is a comment, and how far the text was looked at.
    let mut comment = text.trim_start().starts_with('#');
    let mut looked_to = 0;
    for (at, _) in text.match_indices('$') {
        let rest = &text[at + 1..];
        let rest = rest.strip_prefix('{').unwrap_or(rest);
        let reads = rest.strip_prefix(name).is_some_and(|after| {
            !after.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric())
        });
        if !reads {
            continue;
        }
        if let Some(newline) = text[looked_to..at].rfind('\n') {
            // The `$` is no blank, so the line's first non-blank is at or before it.
            comment = text[looked_to + newline + 1..]
                .trim_start()
                .starts_with('#');
        }
        looked_to = at;
        count += usize::from(!comment);
    }
    count
}

/// `${NAME}`, `$NAME`, `${NAME:-N}`, `${NAME-N}` filling the whole field: the name, and the
/// default's span (relative to `raw`) and text.
fn variable(raw: &str) -> Option<(String, Option<(Span, String)>)> {
    let is_name = |s: &str| {
        s.chars()
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && s.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    };
    if let Some(name) = raw.strip_prefix('$').filter(|n| is_name(n)) {
        return Some((name.to_string(), None));
    }
    let inner = raw.strip_prefix("${")?.strip_suffix('}')?;
    let name_len = inner
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(inner.len());
    let (name, rest) = inner.split_at(name_len);
    if !is_name(name) {
        return None;
    }
    if rest.is_empty() {
        return Some((name.to_string(), None));
    }
    let default = rest.strip_prefix(":-").or_else(|| rest.strip_prefix('-'))?;
    if default.is_empty() || !default.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let start = 2 + name.len() + (rest.len() - default.len());
    Some((
        name.to_string(),
        Some((Span::new(start, start + default.len()), default.to_string())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The planner's work for every CL108 fix of `check` on `n` compose stacks, two on each
    /// host port, per gateway: who else publishes an entry is looked up, not searched for.
    fn publish_work_per_gateway(n: usize) -> f64 {
        use crate::ports::allocate::work;
        use crate::rules::testing::{gateway, host};
        let host = host((0..n).map(|i| {
            gateway(&format!("s{i:04}")).published("127.0.0.1", 20_000 + (i / 2) as u16, 18789)
        }));
        let mut findings = crate::engine::run(&host.ctx(), &Default::default());
        let before = work::done();
        super::super::fixers::attach(&mut findings, &host.instances, &host.sources);
        let fixes = findings
            .iter()
            .filter_map(|r| r.finding.fix.as_ref())
            .filter(|f| f.description.starts_with("publish "))
            .count();
        assert!(fixes >= n / 2, "{fixes} fixes for {n} stacks");
        (work::done() - before) as f64 / n as f64
    }

    #[test]
    fn planning_published_ports_is_linear() {
        let (small, large) = (publish_work_per_gateway(100), publish_work_per_gateway(400));
        assert!(
            large <= small * 1.25,
            "{small:.0} steps per gateway at 100 stacks, {large:.0} at 400"
        );
    }

    fn host(raw: &str) -> &str {
        let s = short_host_field(raw).unwrap();
        &raw[s.start()..s.end()]
    }

    #[test]
    fn the_host_field_of_every_short_syntax() {
        assert_eq!(host("18789:18789"), "18789");
        assert_eq!(host("127.0.0.1:18789:18789"), "18789");
        assert_eq!(host("[::1]:18789:18789/tcp"), "18789");
        assert_eq!(host("::1:18789:18789"), "18789");
        assert_eq!(
            host("${OPENCLAW_GATEWAY_PORT:-18789}:18789"),
            "${OPENCLAW_GATEWAY_PORT:-18789}"
        );
        assert_eq!(
            host("${IP:-127.0.0.1}:${P:-18789}:18789/udp"),
            "${P:-18789}"
        );
        assert!(short_host_field("18789").is_err());
    }

    #[test]
    fn variable_uses_skip_comments_and_longer_names() {
        let text = "# OPENCLAW_GATEWAY_PORT ${OPENCLAW_GATEWAY_PORT}\nports: [\"${OPENCLAW_GATEWAY_PORT:-1}:1\"]\ncommand: --port $OPENCLAW_GATEWAY_PORT ${OPENCLAW_GATEWAY_PORT_X}\n";
        assert_eq!(variable_uses(text, "OPENCLAW_GATEWAY_PORT"), 2);
    }

    /// Counted from each `$`, the reads are those counted line by line, whatever the line
    /// ends, blanks and comments around them.
    #[test]
    fn variable_uses_agree_with_a_count_by_lines() {
        fn by_lines(text: &str, name: &str) -> usize {
            text.lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .map(|line| {
                    line.match_indices('$')
                        .filter(|(i, _)| {
                            let rest = &line[i + 1..];
                            let rest = rest.strip_prefix('{').unwrap_or(rest);
                            rest.strip_prefix(name).is_some_and(|after| {
                                !after.starts_with(|c: char| c == '_' || c.is_ascii_alphanumeric())
                            })
                        })
                        .count()
                })
                .sum()
        }
        let pieces = [
            "$P", "${P}", "${P:-1}", "$PX", "$P_", "${PX}", "#", " ", "\t", "\n", "\r\n", "\r",
            "$", "{", "x", "\u{a0}", "# $P", "P", "$$P",
        ];
        let mut rng = crate::xorshift::Rng(0x7e57);
        for _ in 0..3000 {
            let len = rng.below(12) as usize;
            let text: String = (0..len)
                .map(|_| pieces[rng.below(pieces.len() as u64) as usize])
                .collect();
            assert_eq!(variable_uses(&text, "P"), by_lines(&text, "P"), "{text:?}");
        }
    }

    #[test]
    fn variables_and_their_defaults() {
        let (name, default) = variable("${OPENCLAW_GATEWAY_PORT:-18789}").unwrap();
        assert_eq!(name, "OPENCLAW_GATEWAY_PORT");
        let (span, text) = default.unwrap();
        assert_eq!(
            &"${OPENCLAW_GATEWAY_PORT:-18789}"[span.start()..span.end()],
            "18789"
        );
        assert_eq!(text, "18789");
        let (_, default) = variable("${P-2}").unwrap();
        assert_eq!(default.unwrap().1, "2");
        assert_eq!(variable("$P").unwrap(), ("P".to_string(), None));
        assert!(variable("${P:?required}").is_none());
        assert!(variable("${P:-${Q}}").is_none());
        assert!(variable("x${P}").is_none());
    }
}
