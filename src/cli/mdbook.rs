//! `tcpdialog mdbook [supports RENDERER] [--css]`: the mdBook preprocessor (see `integrate::mdbook`).

use anyhow::Context as _;
use std::io::Write as _;
use std::process::ExitCode;
use tcpdialog::integrate::{self, mdbook};

#[derive(Debug, clap::Args)]
pub struct MdbookArgs {
    #[command(subcommand)]
    pub command: Option<MdbookCommand>,
    /// Print the figures' stylesheet (for `additional-css` in book.toml) and exit.
    #[arg(long)]
    pub css: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum MdbookCommand {
    /// Asked by mdBook: exit 0 if the figures suit this renderer (html), 1 if not.
    Supports { renderer: String },
}

pub fn run(args: MdbookArgs) -> anyhow::Result<ExitCode> {
    if let Some(MdbookCommand::Supports { renderer }) = args.command {
        return Ok(if mdbook::supports(&renderer) { ExitCode::SUCCESS } else { ExitCode::from(1) });
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    if args.css {
        stdout.write_all(integrate::CSS.as_bytes()).context("writing to stdout")?;
    } else {
        for warning in mdbook::run(std::io::stdin().lock(), &mut stdout)? {
            eprintln!("warning: {}", super::terminal_safe(&warning.to_string()));
        }
    }
    stdout.flush().context("writing to stdout")?;
    Ok(ExitCode::SUCCESS)
}
