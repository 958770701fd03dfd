//! clawlint: a static linter for hosts that run several OpenClaw gateways.
//!
//! The pipeline: discover → load → resolve → rules → suppress → report.

pub mod catalog;
pub mod cli;
mod collections;
pub mod commands;
pub mod config;
pub mod container;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod fix;
pub mod invocation;
pub mod load;
pub mod openclaw;
pub mod paths;
pub mod plan;
pub mod ports;
pub mod redact;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod source;
pub mod validate;
mod words;
#[cfg(test)]
mod xorshift;
