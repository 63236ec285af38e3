//! The `tcpdialog` command line: parses arguments and calls the library. No pipeline logic lives here.

#![forbid(unsafe_code)]

mod cli;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", cli::terminal_safe(&format!("{err:#}")));
            ExitCode::from(1)
        }
    }
}
