//! The `wave-studio` binary: the app with no arguments, headless
//! subcommands otherwise.

use std::process::ExitCode;

fn main() -> ExitCode {
    wave_studio::cli::main()
}
