//! systemd unit files and environment files, read the way systemd reads them.
//!
//! Where OpenClaw has its own reader (the `-` prefix of
//! `EnvironmentFile=`, "last `ExecStart=` wins", "an empty `Environment=` resets") this module
//! does the same. Where OpenClaw simplifies (it has no C escapes, ignores sections, splits env
//! files per line) the module follows systemd instead, because systemd decides what the gateway
//! process really gets; the differences are listed in the comments of the functions concerned.
//!
//! Sources: systemd.syntax(7), systemd.exec(7), systemd.service(7), systemd.unit(7) and the
//! matching systemd code (`config_parse`, `extract_first_word`, `cunescape_one`,
//! `config_parse_exec`, `config_parse_environ`, `parse_env_file_internal`).
//!
//! Everything here works on `&str` and slices only at ASCII bytes it found itself, so no input
//! can make it slice inside a character or panic.

mod env_file;
mod environment;
mod exec;
mod specifiers;
mod unit;
mod words;

pub use env_file::{parse_environment_file, EnvFileEntry};
pub use environment::{
    effective_environment, env_name_is_valid, environment_files, environment_of, glob_literal,
    parse_environment, parse_environment_file_ref, unset_environment,
};
pub use exec::{exec_variables, expand_exec_variables, split_exec, ExecCommand};
pub use specifiers::{expand_specifiers, names_instance, SpecifierContext};
pub use unit::{
    is_systemd_utf8, parse_unit, private_tmp, read_unit, restart_policy, success_exit_status,
    Directive, Section, Stopped, UnitComment, UnitFile, Why,
};

#[cfg(test)]
mod tests;
