//! The command line (clap definitions only).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "clawlint",
    version,
    about = "Find port, path and credential collisions between OpenClaw gateways before they start",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
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
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The profile to add, as in `openclaw --profile PROFILE onboard`.
    #[arg(long = "add", value_name = "PROFILE")]
    pub profile: String,
    /// The base port it would get; without it, clawlint suggests one.
    #[arg(long)]
    pub port: Option<u16>,
    /// Environment the new gateway would start with (repeatable).
    #[arg(long = "env", value_name = "K=V")]
    pub env: Vec<String>,
    #[arg(long, value_enum, default_value = "human")]
    pub format: ModelFormat,
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
}

#[derive(Debug, Args)]
pub struct PortsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output: human (a table), json, or svg=PATH (a picture of the ports). Repeatable.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "human")]
    pub format: Vec<String>,
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
    /// Config files to lint (each one gateway). Without --home, only these are read.
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
    /// Output format: human, concise, json, sarif, github or junit; FMT=PATH writes it to a
    /// file. Repeatable, so one run can write several.
    #[arg(long, value_name = "FMT[=PATH]", default_value = "human")]
    pub format: Vec<String>,
    /// Run only these rules: codes, family prefixes (CL1) or names, comma-separated.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,
    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,
    /// Report these rules as warnings.
    #[arg(short = 'W', value_name = "CODE")]
    pub warn: Vec<String>,
    /// Report these rules as errors.
    #[arg(short = 'D', value_name = "CODE")]
    pub deny: Vec<String>,
    /// Exit 0 even when errors are found.
    #[arg(long)]
    pub exit_zero: bool,
    /// When to use colour in human output.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    pub color: ColorChoice,
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
    #[arg(long, value_enum, default_value = "human")]
    pub format: ModelFormat,
}
