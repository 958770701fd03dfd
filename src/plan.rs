//! `clawlint plan --add PROFILE`: the gateway OpenClaw would create, linted with the rest.
//! (Being written.)

use crate::cli::PlanArgs;
use crate::commands::{failure, Failure, EXIT_INPUT};

pub fn command(_args: &PlanArgs) -> Result<u8, Failure> {
    Err(failure(EXIT_INPUT, "plan is not implemented yet"))
}
