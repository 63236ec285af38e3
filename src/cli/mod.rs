//! Subcommands, one file each; this file only declares the arguments and dispatches.

mod diagram;
mod inspect;
mod options;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Sequence diagrams of TCP dialogs from packet captures, and a static site around them.
#[derive(Debug, Parser)]
#[command(name = "tcpdialog", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Draw the dialog of one capture (SVG, PNG, text or Mermaid).
    Diagram(diagram::DiagramArgs),
    /// Print what tcpdialog understood of a capture: a packet list or JSON.
    Inspect(inspect::InspectArgs),
}

/// Where a site lives when a command works on one.
#[derive(Debug, clap::Args)]
pub struct RootArg {
    /// The site's folder (the one holding `content/` and `captures/`).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Diagram(args) => diagram::run(args),
        Command::Inspect(args) => inspect::run(args),
    }
}

/// Prints capture warnings (a file cut mid-packet, fragments...) to stderr.
fn print_warnings(path: &std::path::Path, summary: &tcpdialog::capture::CaptureSummary) {
    for w in &summary.warnings {
        eprintln!("warning: {}: frame {}: {}", path.display(), w.frame, w.message);
    }
}
