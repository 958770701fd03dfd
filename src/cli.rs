//! The command line (clap definitions only).

use crate::catalog::Selector;
use crate::engine::Level;
use clap::builder::{EnumValueParser, PossibleValue, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::ffi::{OsStr, OsString};
use std::marker::PhantomData;
use std::path::PathBuf;

pub use crate::report::Format;

/// The command line: [`Top`] with every command.
pub type Cli = Top<Command>;

/// The top level of the command line, generic over its commands so that `clawlint check`, the
/// everyday command, can be parsed by a parser that builds only `check`'s arguments (see
/// [`Cli::try_parse_ordered_from`]).
#[derive(Debug, Parser)]
#[command(
    name = "clawlint",
    version,
    about = "Find port, path and credential collisions between OpenClaw gateways before they start",
    propagate_version = true
)]
pub struct Top<C: Subcommand> {
    #[command(subcommand)]
    pub command: C,
    /// When to use colour: auto (on a terminal, unless NO_COLOR is set; FORCE_COLOR or
    /// CLICOLOR_FORCE, set and not 0, force it), always, or never. Every command takes it.
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorChoice,
}

/// `check` alone: what [`Cli::try_parse_ordered_from`] tries first when the first argument is
/// `check` (its help text is never shown: help and every error come from the whole [`Cli`]).
#[derive(Debug, Subcommand)]
enum CheckOnly {
    Check(CheckArgs),
}

impl Cli {
    /// Parses the process's command line (see [`Cli::try_parse_ordered_from`]).
    pub fn try_parse_ordered() -> Result<Cli, clap::Error> {
        Self::try_parse_ordered_from(std::env::args_os())
    }

    /// Parses a command line like [`Parser::try_parse_from`], and also records `check`'s
    /// `-W`, `-D` and `-A` in the order they were given (the last one that selects a rule
    /// sets its level, as with rustc's lint flags), which separate lists would lose.
    ///
    /// Building the whole command (every command's arguments and help) costs more than
    /// parsing with it, so a line whose first argument is `check` is parsed first by a parser
    /// of `check` alone, with the same top-level options; a line it refuses (an error, `--help`,
    /// `--version`) is parsed again by the whole command, so that what is printed is the same.
    pub fn try_parse_ordered_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        if args.get(1).is_some_and(|a| a == "check") {
            if let Ok(top) = parse_ordered::<CheckOnly>(&args) {
                let CheckOnly::Check(check) = top.command;
                return Ok(Cli {
                    command: Command::Check(check),
                    color: top.color,
                });
            }
        }
        parse_ordered::<Command>(&args)
    }

    /// The whole command's parse, without the `check` shortcut (to test that both agree).
    #[doc(hidden)]
    pub fn try_parse_whole_from(args: &[OsString]) -> Result<Cli, clap::Error> {
        parse_ordered::<Command>(args)
    }
}

/// Parses `args` with the commands `C`; `check`'s `-W`, `-D` and `-A` are kept in order.
fn parse_ordered<C: Subcommand + HasCheck>(args: &[OsString]) -> Result<Top<C>, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut matches = Top::<C>::command().try_get_matches_from(args)?;
    // Read before the matches are taken apart (without a copy of them) below.
    let overrides = matches.subcommand_matches("check").map(|sub| {
        let mut ordered: Vec<(usize, Selector, Level)> = Vec::new();
        for (id, level) in [
            ("warn", Level::Warning),
            ("deny", Level::Error),
            ("allow", Level::Off),
        ] {
            let (Some(indices), Some(values)) = (sub.indices_of(id), sub.get_many::<Selector>(id))
            else {
                continue;
            };
            ordered.extend(indices.zip(values).map(|(i, s)| (i, s.clone(), level)));
        }
        ordered.sort_by_key(|(index, _, _)| *index);
        ordered
            .into_iter()
            .map(|(_, s, l)| (s, l))
            .collect::<Vec<_>>()
    });
    let mut top = Top::<C>::from_arg_matches_mut(&mut matches)?;
    if let (Some(check), Some(overrides)) = (top.command.check_mut(), overrides) {
        check.overrides = overrides;
    }
    Ok(top)
}

/// The commands' `check`, if that is the one given.
trait HasCheck {
    fn check_mut(&mut self) -> Option<&mut CheckArgs>;
}

impl HasCheck for Command {
    fn check_mut(&mut self) -> Option<&mut CheckArgs> {
        match self {
            Command::Check(check) => Some(check),
            _ => None,
        }
    }
}

impl HasCheck for CheckOnly {
    fn check_mut(&mut self) -> Option<&mut CheckArgs> {
        let CheckOnly::Check(check) = self;
        Some(check)
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint every gateway on the host and report collisions.
    Check(CheckArgs),
    /// Show each gateway's effective paths, ports and credentials, with their sources.
    Resolve(ResolveArgs),
    /// Print a rule's documentation.
    Rule(RuleArgs),
    /// Write a commented starter clawlint.toml in the current directory.
    Init(InitArgs),
    /// Lint the layout as if a new gateway profile were added; suggest a free port.
    Plan(PlanArgs),
    /// Show the port map of every gateway: listeners, footprints and overlaps.
    Ports(PortsArgs),
    /// Print a shell completion script, e.g. `clawlint completions bash >
    /// ~/.local/share/bash-completion/completions/clawlint`.
    Completions(CompletionsArgs),
    /// Print a man page (roff): clawlint(1), or with a command, e.g. `clawlint man check`,
    /// clawlint-check(1).
    Man(ManArgs),
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// The command whose page to print [default: clawlint itself].
    pub command: Option<String>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The profile to add, as in `openclaw --profile PROFILE onboard`.
    #[arg(long = "add", value_name = "PROFILE")]
    pub profile: String,
    /// The base port it would get (1 to 65535); without it, clawlint suggests one.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub port: Option<u16>,
    /// Environment the new gateway would start with (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    /// Plan a gateway in a container (a compose stack, a quadlet) named PROFILE instead: the
    /// host port to publish its 18789 on (`--port` checks a given one).
    #[arg(long)]
    pub container: bool,
    /// Output: human (the plan as text) or json.
    #[arg(long, value_enum, default_value = "human")]
    pub format: ModelFormat,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format; FMT=PATH writes it to a file instead of standard output. Repeatable, so
    /// one run can write several.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "human", value_parser = OutputParser::<PortsFormat>::new())]
    pub format: Vec<Output<PortsFormat>>,
}

/// The output formats of `clawlint ports`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PortsFormat {
    /// A table per gateway, then the overlaps.
    Human,
    /// The port map as JSON.
    Json,
    /// A picture of the ports (give a file: svg=PATH).
    Svg,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Overwrite an existing clawlint.toml.
    #[arg(long)]
    pub force: bool,
}

/// Where the gateways are.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Config files (each one gateway) and compose files (*.yml, *.yaml) to lint. Without
    /// --home, only these are read.
    #[arg(value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
    /// Home directory to scan for .openclaw, .openclaw-<profile>, .clawdbot and the user's
    /// systemd units and LaunchAgents; repeatable [default: $HOME]
    #[arg(long, value_name = "DIR")]
    pub home: Vec<PathBuf>,
    /// File system root whose system unit dirs (/etc/systemd/system, /Library/LaunchDaemons,
    /// ...) are scanned [default: / when scanning $HOME, else none]
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Settings and declared gateways [default: clawlint.toml in the working directory or above]
    #[arg(long = "config", alias = "manifest", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any clawlint.toml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Never scan $HOME by default: lint only --home dirs, PATHS and gateways declared in
    /// clawlint.toml, and fail (exit 2) when there are none. For hooks and CI, where $HOME is
    /// the committer's or the runner's, not the layout's.
    #[arg(long)]
    pub no_default_home: bool,
    /// The OpenClaw release every gateway runs (e.g. 2026.9.6), over what the layout shows;
    /// configs are validated against its schema [default: detected per gateway, else the
    /// newest known]
    #[arg(long, value_name = "VERSION")]
    pub openclaw_version: Option<String>,
    /// Also read this file or directory, outside the scanned homes and --root (by default a
    /// path the layout points at outside them is reported, not read); repeatable
    #[arg(long, value_name = "PATH")]
    pub allow_outside: Vec<PathBuf>,
    /// Read the key of secret fingerprints from this file (at most 4 KiB; a final line break
    /// is not part of it), so that runs and hosts given the same key print the same
    /// fingerprints; the key is never printed [default: $CLAWLINT_FINGERPRINT_KEY, else a
    /// random key per run]
    #[arg(long, value_name = "PATH")]
    pub fingerprint_key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Pre-upgrade audit: also report what the OpenClaw release VERSION would reject
    /// (CL703) [default when given without a value: the newest known release]
    #[arg(long, value_name = "VERSION", num_args = 0..=1, default_missing_value = "newest")]
    pub target_version: Option<String>,
    /// Output format; FMT=PATH writes it to a file instead of standard output. Repeatable, so
    /// one run can write several.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "human", value_parser = OutputParser::<Format>::new())]
    pub format: Vec<Output<Format>>,
    /// Run only these rules: codes, family prefixes (CL1), names or ALL, comma-separated.
    /// Replaces clawlint.toml's `select`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<Selector>,
    /// Also run these rules: added to clawlint.toml's `select` (or to the defaults, which
    /// turns on a rule that is off by default).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_select: Vec<Selector>,
    /// Do not run these rules. Replaces clawlint.toml's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<Selector>,
    /// Do not run these rules either: added to clawlint.toml's `ignore`.
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub extend_ignore: Vec<Selector>,
    /// Report these rules as warnings (comma-separated, repeatable; with -D and -A, the last
    /// one that names a rule wins, over clawlint.toml).
    #[arg(
        short = 'W',
        long = "warn",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub warn: Vec<Selector>,
    /// Report these rules as errors, which fail the run (comma-separated, repeatable).
    #[arg(
        short = 'D',
        long = "deny",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub deny: Vec<Selector>,
    /// Turn these rules off (comma-separated, repeatable), whatever clawlint.toml says.
    #[arg(
        short = 'A',
        long = "allow",
        value_delimiter = ',',
        value_name = "RULES"
    )]
    pub allow: Vec<Selector>,
    /// -W, -D and -A in the order given (filled by [`Cli::try_parse_ordered_from`]).
    #[arg(skip)]
    pub overrides: Vec<(Selector, Level)>,
    /// Print the findings and nothing else: no summary line, no fix counts.
    #[arg(short, long)]
    pub quiet: bool,
    /// Print how many findings each rule has instead of the findings (FMT=PATH outputs are
    /// still written in full).
    #[arg(long)]
    pub statistics: bool,
    /// Print which clawlint.toml was used and every rule's resulting level, then exit.
    #[arg(long)]
    pub show_settings: bool,
    /// Exit 0 even when errors are found.
    #[arg(long, conflicts_with = "strict")]
    pub exit_zero: bool,
    /// Fail (exit 1) on warnings too, not only on errors; JUnit marks them as failures.
    #[arg(long)]
    pub strict: bool,
    /// In --format junit, a finding below the failing level (a warning or info, unless -D or
    /// --strict makes it fail) is a passing test case with its details, or a skipped one.
    #[arg(long, value_enum, default_value = "passed", value_name = "HOW")]
    pub junit_below_failing: crate::report::JunitBelowFailing,
    /// Apply the safe fixes (findings marked [*]), re-lint and repeat until nothing more is
    /// fixable; then report what remains. Writes only files of the layout, atomically, and
    /// nothing at all when any file cannot be written.
    #[arg(long)]
    pub fix: bool,
    /// With --fix, --fix-only or --diff: apply the unsafe fixes too (they change where
    /// something listens or what it reads).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print the unified diff of what --fix would write, and write nothing.
    #[arg(long, conflicts_with_all = ["fix", "fix_only"])]
    pub diff: bool,
    /// Like --fix, but report only what was fixed, not the findings that remain.
    #[arg(long)]
    pub fix_only: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModelFormat {
    Human,
    Json,
}

#[derive(Debug, Args)]
pub struct ResolveArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output: human (one block per gateway) or json (versioned, every value with its source).
    #[arg(long, value_enum, default_value = "human")]
    pub format: ModelFormat,
}

#[derive(Debug, Args)]
pub struct RuleArgs {
    /// Rule code (CL101) or name (gateway-port-collision).
    #[arg(required_unless_present = "all")]
    pub code: Option<String>,
    /// Every rule.
    #[arg(long, conflicts_with = "code")]
    pub all: bool,
    /// Output: human (the page as text) or json (every field of the page).
    #[arg(long, value_enum, default_value = "human")]
    pub format: ModelFormat,
}

/// `--format FMT` or `--format FMT=PATH`: a format, and the file to write it to instead of
/// standard output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output<F> {
    pub format: F,
    pub path: Option<PathBuf>,
}

/// Parses `FMT[=PATH]`: the format part as clap parses a [`ValueEnum`], so that an unknown
/// format is a usage error listing the valid ones (with a suggestion for a near miss), and
/// `--help` lists them too.
#[derive(Debug, Clone, Copy)]
pub struct OutputParser<F>(PhantomData<F>);

impl<F> OutputParser<F> {
    pub fn new() -> Self {
        OutputParser(PhantomData)
    }
}

impl<F> Default for OutputParser<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: ValueEnum + Clone + Send + Sync + 'static> TypedValueParser for OutputParser<F> {
    type Value = Output<F>;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<Self::Value, clap::Error> {
        // Non-UTF-8 is refused as it was when the option was a `String`.
        let text = clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)?;
        let (format, path) = match text.split_once('=') {
            Some((format, path)) => (format, Some(PathBuf::from(path))),
            None => (text.as_str(), None),
        };
        let format = EnumValueParser::<F>::new().parse_ref(cmd, arg, OsStr::new(format))?;
        Ok(Output { format, path })
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            F::value_variants()
                .iter()
                .filter_map(ValueEnum::to_possible_value),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_ordered_from(std::iter::once("clawlint").chain(args.iter().copied()))
    }

    /// The `check` shortcut parses every line as the whole command does, and leaves the lines
    /// it refuses (errors, help, version) to the whole command, so their text is the same.
    #[test]
    fn the_check_shortcut_agrees_with_the_whole_command() {
        let lines = [
            "check",
            "check --home /h --format json --exit-zero --no-config",
            "check -D CL1,CL2 -A CL105 -W CL1 a b",
            "check --color never --format sarif=x.sarif --format human",
            "check --target-version --select CL101 --fix --unsafe-fixes",
            "check --statistics -q --junit-below-failing skipped",
            "check help",
            "check --help",
            "check -h",
            "check --version",
            "check --no-such-flag",
            "check --format yaml",
            "check --exit-zero --strict",
            "check --config c.toml --no-config",
            "check --diff --fix",
            "check --color",
        ];
        for line in lines {
            let args: Vec<OsString> = std::iter::once("clawlint")
                .chain(line.split(' '))
                .map(OsString::from)
                .collect();
            let shortcut = Cli::try_parse_ordered_from(args.clone());
            let whole = Cli::try_parse_whole_from(&args);
            match (shortcut, whole) {
                (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{line:?}"),
                (Err(a), Err(b)) => {
                    assert_eq!(a.kind(), b.kind(), "{line:?}");
                    assert_eq!(a.render().to_string(), b.render().to_string(), "{line:?}");
                }
                (a, b) => panic!("{line:?}: {:?} vs {:?}", a.is_ok(), b.is_ok()),
            }
        }
    }

    #[test]
    fn lint_levels_keep_their_command_line_order() {
        let Command::Check(args) = parse(&["check", "-D", "CL1,CL2", "-A", "CL105", "-W", "CL1"])
            .unwrap()
            .command
        else {
            panic!("not check");
        };
        let order: Vec<String> = args
            .overrides
            .iter()
            .map(|(s, l)| format!("{s}={}", l.as_str()))
            .collect();
        assert_eq!(
            order,
            ["CL1=error", "CL2=error", "CL105=off", "CL1=warning"]
        );
    }

    #[test]
    fn formats_parse_with_and_without_a_path() {
        let Command::Check(args) =
            parse(&["check", "--format", "json", "--format", "sarif=a=b.sarif"])
                .unwrap()
                .command
        else {
            panic!("not check");
        };
        assert_eq!(
            args.format,
            vec![
                Output {
                    format: Format::Json,
                    path: None
                },
                Output {
                    format: Format::Sarif,
                    path: Some(PathBuf::from("a=b.sarif"))
                },
            ]
        );
        let Command::Check(args) = parse(&["check"]).unwrap().command else {
            panic!("not check");
        };
        assert_eq!(
            args.format,
            vec![Output {
                format: Format::Human,
                path: None
            }]
        );
    }

    #[test]
    fn an_unknown_format_lists_the_valid_ones() {
        let err = parse(&["check", "--format", "yaml=out.yaml"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::InvalidValue);
        let text = err.to_string();
        assert!(
            text.contains("invalid value 'yaml' for '--format <FMT[=PATH]>'"),
            "{text}"
        );
        assert!(
            text.contains(
                "[possible values: human, concise, json, sarif, github, junit, markdown]"
            ),
            "{text}"
        );
        let err = parse(&["ports", "--format", "jsno"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("[possible values: human, json, svg]"), "{err}");
        assert!(err.contains("a similar value exists: 'json'"), "{err}");
    }
}
