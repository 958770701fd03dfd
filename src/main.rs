//! Thin: parse the command line, run the command, map the result to an exit code.

use clawlint::cli::{Cli, Command};
use clawlint::commands;
use std::process::ExitCode;

/// Most of a large run's time is small allocations (see the dependency's note in Cargo.toml,
/// and why it is built without transparent huge pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in the bundled mimalloc's `mimalloc.h` (v3; v2 numbers it the same).
const MI_OPTION_PURGE_DELAY: std::ffi::c_int = 15;

extern "C" {
    /// mimalloc's own option setter (the `mimalloc` crate declares it only under a feature
    /// that adds a dependency, and names no purge option).
    fn mi_option_set(option: std::ffi::c_int, value: std::ffi::c_long);
}

/// How long, in milliseconds, mimalloc keeps memory freed whole before handing it back to the
/// system. Its default, 1 s, outlives a phase: what resolve and the rules free stayed resident
/// through fix planning, the peak (realistic 10,000: 126.6 -> 117.3 MiB at 10 ms, mixed
/// 132.8 -> 124.0, CPU unchanged; docs/performance.md, "How the release binary is built").
const PURGE_DELAY_MS: std::ffi::c_long = 10;

fn main() -> ExitCode {
    // SAFETY: mimalloc's option setter; it only stores the value, read at its next purge.
    unsafe { mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    let cli = match Cli::try_parse_ordered() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            let code = if err.use_stderr() {
                commands::EXIT_USAGE
            } else {
                commands::EXIT_OK
            };
            return ExitCode::from(code);
        }
    };
    let result = match &cli.command {
        Command::Check(args) => commands::check(args, cli.color),
        Command::Resolve(args) => commands::resolve(args),
        Command::Rule(args) => commands::rule(args),
        Command::Init(args) => commands::init(args),
        Command::Plan(args) => clawlint::plan::command(args, cli.color),
        Command::Ports(args) => commands::ports(args),
        Command::Completions(args) => commands::completions(args.shell),
        Command::Man(args) => commands::man(args.command.as_deref()),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(failure) => {
            eprintln!("clawlint: error: {}", failure.message);
            ExitCode::from(failure.code)
        }
    }
}
