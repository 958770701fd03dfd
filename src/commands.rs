//! The commands behind the CLI: each returns the exit code.

use crate::catalog::{self, Rule};
use crate::cli::{CheckArgs, ColorChoice, InitArgs, InputArgs, ModelFormat, ResolveArgs, RuleArgs};
use crate::config;
use crate::discover::{discover, Inputs};
use crate::engine::{self, ConfigIgnore, Settings};
use crate::report;
use crate::resolve::Inventory;
use crate::rules::RuleContext;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_INPUT: u8 = 3;

/// A failure that stops a command before it can lint: bad usage or unreadable input.
pub struct Failure {
    pub code: u8,
    pub message: String,
}

pub fn failure(code: u8, message: impl Into<String>) -> Failure {
    Failure {
        code,
        message: message.into(),
    }
}

/// `--config FILE`, or the nearest clawlint.toml, unless `--no-config`.
fn settings_file(args: &InputArgs) -> Result<Option<config::Loaded>, Failure> {
    let path = match (&args.config, args.no_config) {
        (_, true) => None,
        (Some(path), _) => Some(path.clone()),
        (None, false) => std::env::current_dir()
            .ok()
            .and_then(|cwd| config::discover(&cwd)),
    };
    path.map(|p| config::load(&p).map_err(|e| failure(EXIT_USAGE, e.message)))
        .transpose()
}

/// What a home or `--root` that cannot be scanned is instead of a directory, said exactly (a
/// symlink loop is not a missing directory); `None` for a directory.
fn not_a_directory(dir: &std::path::Path) -> Option<String> {
    use crate::load::read;
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => None,
        Ok(_) => Some("is not a directory".to_string()),
        Err(err) if read::is_symlink_loop(&err) => Some(format!("is {}", read::SYMLINK_LOOP)),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            Some(match std::fs::symlink_metadata(dir) {
                Ok(_) => "is a dangling symlink (its target does not exist)".to_string(),
                Err(_) => "does not exist".to_string(),
            })
        }
        Err(err) => Some(format!("cannot be read: {err}")),
    }
}

/// With config files named, only those are read unless `--home` is given too. Scanning the
/// real `$HOME` also scans the real system unit dirs; a given `--home` does not, unless
/// `--root` says where.
fn inputs(args: &InputArgs, settings: Option<&config::Loaded>) -> Result<Inputs, Failure> {
    let default_home = args.home.is_empty() && args.paths.is_empty() && !args.no_default_home;
    let homes: Vec<PathBuf> = if default_home {
        std::env::var_os("HOME")
            .map(PathBuf::from)
            .into_iter()
            .collect()
    } else {
        args.home.clone()
    };
    let root = match (&args.root, default_home) {
        (Some(root), _) => Some(root.clone()),
        (None, true) => Some(PathBuf::from("/")),
        (None, false) => None,
    };
    for dir in homes.iter().chain(root.iter()) {
        if let Some(what) = not_a_directory(dir) {
            return Err(failure(EXIT_INPUT, format!("{} {what}", dir.display())));
        }
        // A home that cannot be listed would look like one without gateways.
        if let Err(err) = std::fs::read_dir(dir) {
            return Err(failure(
                EXIT_INPUT,
                format!("cannot read {}: {err}", dir.display()),
            ));
        }
    }
    for path in &args.paths {
        if !path.is_file() {
            return Err(failure(
                EXIT_INPUT,
                format!(
                    "{} {} does not exist or is not a file",
                    match is_yaml(path) {
                        true => "compose file",
                        false => "config file",
                    },
                    path.display()
                ),
            ));
        }
    }
    let declared: Vec<(config::InstanceDecl, PathBuf)> = settings
        .map(|s| {
            let base = s
                .path
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default();
            s.file
                .instance
                .iter()
                .map(|d| (d.get_ref().clone(), base.clone()))
                .collect()
        })
        .unwrap_or_default();
    if args.no_default_home && homes.is_empty() && args.paths.is_empty() && declared.is_empty() {
        return Err(failure(
            EXIT_USAGE,
            "nothing to lint: --no-default-home needs --home DIR, config files, or [[instance]] \
             entries in clawlint.toml (in a pre-commit hook: args: [--home, path/to/home])",
        ));
    }
    let (compose_files, config_files): (Vec<PathBuf>, Vec<PathBuf>) =
        args.paths.iter().cloned().partition(|p| is_yaml(p));
    let mut compose_files = compose_files;
    if let Some(s) = settings {
        let base = s.path.parent().unwrap_or(std::path::Path::new(""));
        compose_files.extend(s.file.compose.iter().map(|f| base.join(f)));
    }
    let mut layout: Vec<PathBuf> = homes.iter().chain(root.iter()).cloned().collect();
    for path in args.paths.iter().chain(&compose_files) {
        layout.push(path.clone());
        layout.extend(path.parent().map(std::path::Path::to_path_buf));
    }
    layout.extend(declared.iter().map(|(_, base)| base.clone()));
    // The settings file itself: it is read again on each round of `--fix`, after this
    // confinement is in place.
    layout.extend(settings.map(|s| s.path.clone()));
    layout.extend(args.allow_outside.iter().cloned());
    crate::load::layout::confine(&layout);
    crate::paths::set_copied_host(root.as_deref(), &homes);
    Ok(Inputs {
        homes,
        root,
        config_files,
        declared,
        compose_files,
    })
}

/// A compose file named as a path (`.yml`/`.yaml`), not a gateway config.
fn is_yaml(path: &std::path::Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

type Loaded = (
    Inventory,
    Option<config::Loaded>,
    Option<crate::source::FileId>,
);

/// Discovers and resolves every gateway; the settings file joins the source map so that its
/// entries can be pointed at.
pub fn load(args: &InputArgs) -> Result<Loaded, Failure> {
    load_with_target(args, None)
}

/// The release `--openclaw-version` or clawlint.toml names, checked.
fn release_override(
    args: &InputArgs,
    settings: Option<&config::Loaded>,
) -> Result<Option<crate::resolve::Sourced<String>>, Failure> {
    use crate::resolve::{Origin, Sourced};
    let (value, origin) = match (
        &args.openclaw_version,
        settings.and_then(|s| s.file.lint.openclaw_version.as_ref()),
    ) {
        (Some(v), _) => (v.clone(), Origin::Default("--openclaw-version".into())),
        (None, Some(v)) => (
            v.clone(),
            Origin::Default("openclaw-version in clawlint.toml".into()),
        ),
        (None, None) => return Ok(None),
    };
    let v = value.trim().trim_start_matches('v').to_string();
    if !crate::validate::releases::is_release(&v) {
        return Err(failure(
            EXIT_USAGE,
            format!("{value:?} is not an OpenClaw release (like 2026.9.6)"),
        ));
    }
    Ok(Some(Sourced::new(v, origin)))
}

/// Discovers, resolves and validates every gateway; `target` also validates against the
/// release the host upgrades to.
pub fn load_with_target(args: &InputArgs, target: Option<&str>) -> Result<Loaded, Failure> {
    if let Some(path) = &args.fingerprint_key_file {
        crate::redact::use_key_file(path).map_err(|message| failure(EXIT_USAGE, message))?;
    }
    let settings = settings_file(args)?;
    let release = release_override(args, settings.as_ref())?;
    let from_file = settings
        .as_ref()
        .and_then(|s| s.file.lint.target_version.clone());
    let target = match target.map(str::to_string).or(from_file).as_deref() {
        None => None,
        Some("newest") | Some("") => Some(crate::validate::releases::newest().to_string()),
        Some(v) => {
            let v = v.trim().trim_start_matches('v');
            if !crate::validate::releases::is_release(v) {
                return Err(failure(
                    EXIT_USAGE,
                    format!("{v:?} is not an OpenClaw release (like 2026.9.6)"),
                ));
            }
            Some(v.to_string())
        }
    };
    let mut found = discover(&inputs(args, settings.as_ref())?);
    found.release = release.as_ref().map(|r| r.value.clone());
    // Each gateway is validated as soon as it is final, and what fixes read is taken out of
    // its config tree, which nothing reads after that.
    let mut inventory =
        crate::resolve::inventory(found, &crate::validate::Options { release, target });
    crate::load::layout::forget_lookups();
    let file = settings.as_ref().map(|s| {
        let file = inventory
            .sources
            .add(&crate::paths::absolute(&s.path), s.text.clone(), None);
        let shown = crate::redact::scan::settings_toml(&s.text);
        inventory.sources.show(file, shown);
        file
    });
    Ok((inventory, settings, file))
}

/// What `clawlint.toml` says: levels, selections and intended sharing.
pub fn file_settings(
    loaded: Option<&config::Loaded>,
    file: Option<crate::source::FileId>,
) -> Settings {
    let mut settings = Settings::default();
    if let Some(loaded) = loaded {
        settings.select = loaded.file.lint.select.clone();
        settings.ignore = loaded.file.lint.ignore.clone();
        settings.levels = loaded
            .file
            .rules
            .iter()
            .map(|(selector, level)| (selector.clone(), *level))
            .collect();
        settings.ignores = loaded
            .file
            .ignore
            .iter()
            .map(|entry| ConfigIgnore {
                selector: entry.get_ref().rule.clone(),
                rule: entry.get_ref().rule.to_string(),
                instances: entry.get_ref().instances.clone(),
                loc: file.map(|file| crate::source::Loc {
                    file,
                    span: config::span_of(entry),
                }),
            })
            .collect();
    }
    settings
}

/// The file's settings with the command line on top.
fn settings(
    args: &CheckArgs,
    loaded: Option<&config::Loaded>,
    file: Option<crate::source::FileId>,
) -> Settings {
    let mut settings = file_settings(loaded, file);
    if !args.select.is_empty() {
        settings.select = args.select.clone();
    }
    if !args.ignore.is_empty() {
        settings.ignore = args.ignore.clone();
    }
    settings.extend_select = args.extend_select.clone();
    settings.ignore.extend(args.extend_ignore.iter().cloned());
    settings.overrides = args.overrides.clone();
    settings
}

/// Whether to colour output: `--color always|never` decide; with `auto`, `CLICOLOR_FORCE` or
/// `FORCE_COLOR` (set, not empty and not `0`) force colour, `NO_COLOR` (set, not empty) turns
/// it off, and otherwise a terminal gets colour.
pub fn use_color(choice: ColorChoice, to_terminal: bool) -> bool {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let forced = ["CLICOLOR_FORCE", "FORCE_COLOR"]
                .iter()
                .any(|name| env(name).is_some_and(|v| v != "0"));
            forced || (to_terminal && env("NO_COLOR").is_none())
        }
    }
}

/// One lint of the layout: the inventory and its findings, each with its fix when it has one.
fn lint(args: &CheckArgs) -> Result<(Inventory, Vec<crate::diagnostic::Reported>), Failure> {
    let (mut inventory, loaded, file) =
        load_with_target(&args.input, args.target_version.as_deref())?;
    let settings = settings(args, loaded.as_ref(), file);
    let found = crate::rules::run(&RuleContext::new(&inventory));
    // Only the rules compare paths: their keys (8 MB at 10,000 gateways) go before the engine
    // sorts the findings and fix planning runs, whose lists then take the keys' freed memory
    // rather than fresh pages.
    let shared_configs = match plans_fixes(args) {
        true => crate::fix::fixers::shared_config_files(
            &inventory.instances,
            &inventory.sources,
            &inventory.path_keys,
        ),
        false => Default::default(),
    };
    inventory.path_keys = Default::default();
    let mut findings = engine::finish(found, &inventory.sources, &settings);
    if plans_fixes(args) {
        crate::fix::fixers::attach(&mut findings, &inventory.instances, &inventory.sources);
        crate::fix::fixers::refuse_shared_edits(&mut findings, &shared_configs, &inventory.sources);
        // What every output offers, `--diff` shows and `--fix` writes first: the first round.
        crate::fix::first_round(&mut findings, &inventory.sources, fix_mode(args));
    }
    Ok((inventory, findings))
}

/// Whether the run needs each finding's fix (and the notes planning adds): to write or show
/// fixes, or for an output whose format shows them. A run whose outputs are all Markdown
/// summaries (or `--statistics`, which prints counts in place of standard output) skips
/// planning: what it prints is the same either way.
fn plans_fixes(args: &CheckArgs) -> bool {
    args.fix
        || args.fix_only
        || args.diff
        || args
            .format
            .iter()
            .filter(|o| !(args.statistics && o.path.is_none()))
            .any(|o| o.format.shows_fixes())
}

/// The directories of the layout a fix may write in: the scanned homes, the unit root, the
/// directories of the config and compose files named and of the gateways clawlint.toml
/// declares.
fn layout_roots(args: &InputArgs) -> Result<Vec<PathBuf>, Failure> {
    let settings = settings_file(args)?;
    let inputs = inputs(args, settings.as_ref())?;
    let mut roots: Vec<PathBuf> = inputs.homes.clone();
    roots.extend(inputs.root.clone());
    for path in inputs.config_files.iter().chain(&inputs.compose_files) {
        roots.push(
            crate::paths::absolute(path)
                .parent()
                .map(std::path::Path::to_path_buf)
                .unwrap_or_default(),
        );
    }
    // A clawlint.toml in the working directory has an empty parent: that directory.
    roots.extend(
        inputs
            .declared
            .iter()
            .map(|(_, base)| crate::paths::absolute(base)),
    );
    Ok(roots)
}

/// How many rounds of fix, re-lint `--fix` makes before it stops.
const MAX_FIX_ROUNDS: usize = 10;

/// [`MAX_FIX_ROUNDS`]; in a debug build, tests may make it fewer
/// (`CLAWLINT_TEST_FIX_ROUNDS=1`: only the first round, to compare with what the outputs
/// offer). A release build has no such hook.
fn max_fix_rounds() -> usize {
    #[cfg(debug_assertions)]
    if let Some(n) = std::env::var("CLAWLINT_TEST_FIX_ROUNDS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        return n.min(MAX_FIX_ROUNDS);
    }
    MAX_FIX_ROUNDS
}

fn fix_mode(args: &CheckArgs) -> crate::fix::Mode {
    if args.unsafe_fixes {
        crate::fix::Mode::Unsafe
    } else {
        crate::fix::Mode::Safe
    }
}

/// `--diff`: what one round of `--fix` would write, as unified diffs; writes nothing.
fn diff(args: &CheckArgs) -> Result<u8, Failure> {
    let (inventory, findings) = lint(args)?;
    let mode = fix_mode(args);
    let (text, repairs) = crate::fix::diff::render(&findings, &inventory.sources, mode);
    write_output(None, &text)?;
    let hidden = unsafe_hidden(&findings, mode);
    if !args.quiet {
        eprintln!(
            "{}{}",
            match repairs.findings {
                0 => "No fixes available".to_string(),
                1 => "Would fix 1 finding".to_string(),
                n => format!("Would fix {n} findings"),
            },
            hidden
        );
    }
    Ok(if repairs.taken.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// `" (N hidden fixes can be enabled with --unsafe-fixes)"`, when some are.
fn unsafe_hidden(findings: &[crate::diagnostic::Reported], mode: crate::fix::Mode) -> String {
    let n = findings
        .iter()
        .filter_map(|r| r.finding.fix.as_ref())
        .filter(|f| !f.applies(mode))
        .count();
    match n {
        0 => String::new(),
        n => format!(
            " ({n} hidden fix{} can be enabled with --unsafe-fixes)",
            if n == 1 { "" } else { "es" }
        ),
    }
}

/// `--fix`/`--fix-only`: apply, re-lint, repeat until nothing more is fixable (bounded).
/// Returns the final lint and how many fixes were applied.
fn fix(args: &CheckArgs) -> Result<(Inventory, Vec<crate::diagnostic::Reported>, usize), Failure> {
    let roots = layout_roots(&args.input)?;
    let mode = fix_mode(args);
    let mut applied = 0;
    let mut round = 0;
    let mut fixed_last_round: Vec<FixedFinding> = Vec::new();
    loop {
        let (inventory, findings) = lint(args)?;
        let fixes = findings
            .iter()
            .filter_map(|r| r.finding.fix.as_deref())
            .filter(|f| f.applies(mode));
        let (plan, taken) = crate::fix::collect(fixes, &inventory.sources);
        let max_rounds = max_fix_rounds();
        if plan.is_empty() || round == max_rounds {
            if round == max_rounds && !plan.is_empty() {
                eprintln!("clawlint: stopped fixing after {max_rounds} rounds; fixes remain");
            }
            return Ok((inventory, findings, applied));
        }
        // A finding the last round's fix was to end, still there and being fixed again at
        // the same places: that fix changed nothing it was meant to (a write through a link
        // into another gateway's file, rewritten round after round).
        let fixing = fixed_findings(&findings, &taken, &inventory.sources);
        if let Some(again) = fixing.iter().find(|f| fixed_last_round.contains(f)) {
            eprintln!(
                "clawlint: stopped fixing: the fix written for {} ({}) did not end it",
                again.0,
                again.1.join(", ")
            );
            return Ok((inventory, findings, applied));
        }
        fixed_last_round = fixing;
        // Tests only (debug builds): change a file between the read and the write, which
        // `--fix` must notice; a release build has no such hook.
        #[cfg(debug_assertions)]
        if let Some(path) = std::env::var_os("CLAWLINT_TEST_CHANGE_BEFORE_WRITE") {
            use std::io::Write;
            let _ = std::fs::OpenOptions::new()
                .append(true)
                .open(path)
                .and_then(|mut f| f.write_all(b"\n"));
        }
        if let Err(refusal) = crate::fix::write::write_all(&plan, &inventory.sources, &roots) {
            let before = if applied == 0 {
                "no file was changed".to_string()
            } else {
                format!("earlier rounds applied {applied} fixes; this round changed no file")
            };
            return Err(failure(
                EXIT_INPUT,
                format!(
                    "not fixing: {}: {}; {before}",
                    crate::paths::display_path(&refusal.path),
                    refusal.reason
                ),
            ));
        }
        applied += crate::fix::diff::Repairs::new(&findings, taken).findings;
        round += 1;
    }
}

/// A finding a fix is written for: its code, the gateways it names, and where the fix
/// edits (each file and offset).
type FixedFinding = (&'static str, Vec<String>, Vec<(PathBuf, usize)>);

/// The findings the fixes `taken` (their descriptions) are written for.
fn fixed_findings(
    findings: &[crate::diagnostic::Reported],
    taken: &[String],
    sources: &crate::source::SourceMap,
) -> Vec<FixedFinding> {
    let taken: std::collections::HashSet<&str> = taken.iter().map(String::as_str).collect();
    findings
        .iter()
        .filter_map(|r| {
            let fix = r.finding.fix.as_ref()?;
            if !taken.contains(fix.description.as_str()) {
                return None;
            }
            let names = r.finding.named_instances().map(str::to_string).collect();
            let places = fix
                .edits
                .iter()
                .map(|e| (sources.file(e.file).path.clone(), e.span.start()))
                .collect();
            Some((r.finding.rule.code, names, places))
        })
        .collect()
}

pub fn check(args: &CheckArgs, color: ColorChoice) -> Result<u8, Failure> {
    let on_stdout = args.format.iter().filter(|o| o.path.is_none()).count();
    if on_stdout > 1 {
        return Err(failure(
            EXIT_USAGE,
            "more than one --format writes to standard output: give all but one a file \
             (--format FMT=PATH)",
        ));
    }
    if args.show_settings {
        let loaded = settings_file(&args.input)?;
        // The settings file's entries are not pointed at here: no source map is needed.
        let settings = settings(args, loaded.as_ref(), None);
        write_output(None, &show_settings(loaded.as_ref(), &settings))?;
        return Ok(EXIT_OK);
    }
    if args.diff {
        return diff(args);
    }
    let (inventory, findings) = if args.fix || args.fix_only {
        let (inventory, findings, applied) = fix(args)?;
        let remaining = findings.iter().filter(|r| r.finding.fix.is_some()).count();
        let hidden = unsafe_hidden(&findings, fix_mode(args));
        if !args.quiet {
            eprintln!(
                "Fixed {applied} finding{}{}",
                if applied == 1 { "" } else { "s" },
                if remaining > 0 && hidden.is_empty() {
                    format!(" ({remaining} fixable remain)")
                } else {
                    hidden
                }
            );
        }
        if args.fix_only {
            return Ok(EXIT_OK);
        }
        (inventory, findings)
    } else {
        lint(args)?
    };
    // The least severity that fails the run: errors, warnings too with --strict, none with
    // --exit-zero. The exit code and the formats that mark pass and fail (JUnit) agree.
    let failing = match (args.exit_zero, args.strict) {
        (true, _) => None,
        (false, true) => Some(crate::diagnostic::Severity::Warning),
        (false, false) => Some(crate::diagnostic::Severity::Error),
    };
    let context = report::EmitterContext {
        failing,
        junit_below_failing: args.junit_below_failing,
        quiet: args.quiet,
        ..report::EmitterContext::new(&inventory.sources, inventory.instances.len())
    };
    for output in &args.format {
        if args.statistics && output.path.is_none() {
            continue;
        }
        let to_terminal = output.path.is_none() && std::io::stdout().is_terminal();
        let emitter = output.format.emitter(report::human::HumanOptions {
            color: use_color(color, to_terminal),
            width: report::human::DEFAULT_WIDTH,
        });
        write_with(output.path.as_deref(), |out| {
            emitter.emit(out, &findings, &context)
        })?;
    }
    if args.statistics {
        let mut text = statistics(&findings);
        if !args.quiet {
            text.push_str(&report::concise::summary_line(
                &findings,
                inventory.instances.len(),
            ));
        }
        write_output(None, &text)?;
    }
    let fails = findings.iter().any(|f| context.fails(f));
    // The process ends next: freeing thousands of instances one by one is wasted time.
    std::mem::forget(inventory);
    std::mem::forget(findings);
    Ok(if fails { EXIT_FINDINGS } else { EXIT_OK })
}

/// `--statistics`: one line per rule that has findings, most first (ties by code), as ruff
/// prints them: `COUNT\tCODE\tname\t[severity]` (the highest severity among them).
fn statistics(findings: &[crate::diagnostic::Reported]) -> String {
    let mut counts: std::collections::BTreeMap<
        &'static Rule,
        (usize, crate::diagnostic::Severity),
    > = std::collections::BTreeMap::new();
    for reported in findings {
        let entry = counts
            .entry(reported.rule())
            .or_insert((0, reported.severity));
        entry.0 += 1;
        entry.1 = entry.1.max(reported.severity);
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|(a, (n, _)), (b, (m, _))| m.cmp(n).then(a.cmp(b)));
    rows.iter()
        .map(|(rule, (n, severity))| {
            format!(
                "{n}\t{}\t{}\t[{}]\n",
                rule.code,
                rule.name,
                severity.as_str()
            )
        })
        .collect()
}

/// `--show-settings`: the settings file, what the command line added, and every rule's
/// resulting level.
fn show_settings(loaded: Option<&config::Loaded>, settings: &Settings) -> String {
    let mut out = match loaded {
        Some(l) => format!("settings file: {}\n", crate::paths::display_path(&l.path)),
        None => "settings file: none (defaults)\n".to_string(),
    };
    let list = |v: &[catalog::Selector]| match v.is_empty() {
        true => "(none)".to_string(),
        false => v
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    };
    let select = match settings.select.is_empty() {
        true => "(all, at their default levels)".to_string(),
        false => list(&settings.select),
    };
    out.push_str(&format!("select: {select}\n"));
    out.push_str(&format!(
        "extend-select: {}\n",
        list(&settings.extend_select)
    ));
    out.push_str(&format!("ignore: {}\n", list(&settings.ignore)));
    let pairs = |v: &[(catalog::Selector, engine::Level)]| match v.is_empty() {
        true => "(none)".to_string(),
        false => v
            .iter()
            .map(|(s, l)| format!("{s} = {}", l.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    out.push_str(&format!("[rules]: {}\n", pairs(&settings.levels)));
    out.push_str(&format!("-W/-D/-A: {}\n", pairs(&settings.overrides)));
    out.push_str(&format!(
        "intended sharing ([[ignore]] entries): {}\n",
        settings.ignores.len()
    ));
    out.push_str("rules:\n");
    for rule in catalog::ALL {
        let level = settings.severity(*rule).map_or("off", |s| s.as_str());
        let default = rule.default_severity().map_or("off", |s| s.as_str());
        let changed = if level == default { "" } else { " (changed)" };
        out.push_str(&format!(
            "  {} {:<34} {level}{changed}\n",
            rule.code, rule.name
        ));
    }
    out
}

/// Writes `text` to the file named, or to standard output.
pub fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), Failure> {
    write_with(path, |out| out.write_all(text.as_bytes()))
}

/// Runs `write` on the file named (created or truncated), or on standard output. A file that
/// cannot be written is an input failure; a closed pipe on standard output (`| head`) is not
/// an error worth reporting.
pub fn write_with(
    path: Option<&std::path::Path>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Failure> {
    match path {
        Some(path) => {
            let cannot = |e: std::io::Error| {
                failure(EXIT_INPUT, format!("cannot write {}: {e}", path.display()))
            };
            let file = std::fs::File::create(path).map_err(cannot)?;
            let mut out = std::io::BufWriter::new(file);
            write(&mut out).and_then(|()| out.flush()).map_err(cannot)
        }
        // A report that did not reach its reader (a full disk, a closed pipe) must not pass
        // for a clean run.
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write(&mut out)
                .and_then(|()| out.flush())
                .map_err(|e| failure(EXIT_INPUT, format!("cannot write the report: {e}")))
        }
    }
}

/// `clawlint ports`: prints (or writes where told) the port map; the exit code is 0 whatever it
/// shows, since `clawlint check` is the gate. JSON is streamed as it is serialised.
pub fn ports(args: &crate::cli::PortsArgs) -> Result<u8, Failure> {
    use crate::cli::PortsFormat;
    use crate::ports::{map, svg};
    let (inventory, _, _) = load(&args.input)?;
    let map = map::build(&inventory.instances, &inventory.sources);
    for crate::cli::Output { format, path } in &args.format {
        match format {
            PortsFormat::Json => {
                write_with(path.as_deref(), |mut out| map::write_json(&map, &mut out))?
            }
            PortsFormat::Svg => write_with(path.as_deref(), |out| svg::write(&map, out))?,
            PortsFormat::Human => write_with(path.as_deref(), |out| map::write_human(&map, out))?,
        }
    }
    // The process ends next: freeing thousands of instances one by one is wasted time.
    std::mem::forget(map);
    std::mem::forget(inventory);
    Ok(EXIT_OK)
}

pub fn resolve(args: &ResolveArgs) -> Result<u8, Failure> {
    let (inventory, _, _) = load(&args.input)?;
    // Written gateway by gateway through a buffer; values from the layout reach these tables
    // in many places, so each gateway's text is guarded whole before it is written.
    write_with(None, |out| match args.format {
        ModelFormat::Json => {
            report::model::write_json(out, &inventory.instances, &inventory.sources)
        }
        ModelFormat::Human => {
            report::model::write_human(out, &inventory.instances, &inventory.sources)
        }
    })?;
    // The process ends next: freeing thousands of instances one by one is wasted time.
    std::mem::forget(inventory);
    Ok(EXIT_OK)
}

pub fn rule(args: &RuleArgs) -> Result<u8, Failure> {
    let rules: Vec<Rule> = if args.all {
        catalog::ALL.to_vec()
    } else {
        let key = args.code.as_deref().unwrap_or_default();
        vec![catalog::find(key).ok_or_else(|| {
            failure(
                EXIT_USAGE,
                format!("no rule {key:?}; `clawlint rule --all` lists them"),
            )
        })?]
    };
    let text = match args.format {
        ModelFormat::Json => {
            let mut t = serde_json::to_string_pretty(&rules).expect("serializable");
            t.push('\n');
            t
        }
        ModelFormat::Human => rules.iter().map(rule_page).collect::<Vec<_>>().join("\n"),
    };
    write_output(None, &text)?;
    Ok(EXIT_OK)
}

pub fn init(args: &InitArgs) -> Result<u8, Failure> {
    let path = std::path::Path::new(config::FILE_NAME);
    if path.exists() && !args.force {
        return Err(failure(
            EXIT_USAGE,
            format!(
                "{} already exists (use --force to overwrite)",
                config::FILE_NAME
            ),
        ));
    }
    std::fs::write(path, config::STARTER).map_err(|e| {
        failure(
            EXIT_INPUT,
            format!("cannot write {}: {e}", config::FILE_NAME),
        )
    })?;
    eprintln!("wrote {}", config::FILE_NAME);
    Ok(EXIT_OK)
}

/// `clawlint completions SHELL`: the completion script, generated from the clap definitions.
pub fn completions(shell: clap_complete::Shell) -> Result<u8, Failure> {
    use clap::CommandFactory;
    let mut command = crate::cli::Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "clawlint", &mut script);
    write_with(None, |out| out.write_all(&script))?;
    Ok(EXIT_OK)
}

/// `clawlint man [COMMAND]`: a man page generated from the same definitions as `--help`:
/// clawlint(1), or clawlint-COMMAND(1).
pub fn man(command: Option<&str>) -> Result<u8, Failure> {
    use clap::CommandFactory;
    let top = crate::cli::Cli::command();
    let page = match command {
        None => top,
        Some(name) => {
            let sub = top
                .get_subcommands()
                .find(|c| c.get_name() == name)
                .cloned()
                .ok_or_else(|| {
                    failure(
                        EXIT_USAGE,
                        format!("no command {name:?}: `clawlint --help` lists them"),
                    )
                })?;
            // clap's names are 'static; the process prints one page and ends.
            let title: &'static str = Box::leak(format!("clawlint-{name}").into_boxed_str());
            sub.name(title)
                .bin_name(format!("clawlint {name}"))
                .version(env!("CARGO_PKG_VERSION"))
                .display_name(title)
        }
    };
    let mut text = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut text)
        .map_err(|e| failure(EXIT_INPUT, format!("cannot render the man page: {e}")))?;
    write_with(None, |out| out.write_all(&text))?;
    Ok(EXIT_OK)
}

fn rule_page(rule: &Rule) -> String {
    let level = match rule.category.default_severity() {
        Some(s) => s.as_str(),
        None => "off",
    };
    format!(
        "{} {} ({}, {}: {level} by default)\n\n{}\n\n{}\n\nExample:\n{}\nFix:\n{}\nDocumentation: {}\n",
        rule.code,
        rule.name,
        rule.family.as_str(),
        rule.category.as_str(),
        rule.summary(),
        rule.explanation().trim_end(),
        catalog::plain_text(rule.example()),
        catalog::plain_text(rule.fix()),
        rule.doc_url()
    )
}
