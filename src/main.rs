//! Thin: parse the command line, run the command, map the result to an exit code.

use clawlint::cli::{Cli, Command};
use clawlint::commands;
use std::process::ExitCode;

/// Most of a large run's time is small allocations (see the dependency's note in Cargo.toml,
/// and why it is built without transparent huge pages).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
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
