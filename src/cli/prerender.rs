//! `tcpdialog prerender CONTENT_DIR --out DIR [--captures DIR] [--png] [--table] [--hugo]`

use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::integrate::prerender::{self, PrerenderOptions};

#[derive(Debug, clap::Args)]
pub struct PrerenderArgs {
    /// The folder of markdown files whose ```tcpdialog blocks are drawn (searched recursively).
    pub content: PathBuf,
    /// Where the diagrams and manifest.json go.
    #[arg(long)]
    pub out: PathBuf,
    /// Where the blocks' captures are.
    #[arg(long, default_value = "captures")]
    pub captures: PathBuf,
    /// Also a PNG of every drawn diagram.
    #[arg(long)]
    pub png: bool,
    /// Also every packet table as an HTML fragment (NAME.table.html).
    #[arg(long)]
    pub table: bool,
    /// Also write Hugo's code-block render hook into this folder (a Hugo site; --out must be inside it).
    #[arg(long)]
    pub hugo: bool,
}

pub fn run(args: PrerenderArgs) -> anyhow::Result<ExitCode> {
    let options = PrerenderOptions {
        content: args.content,
        out: args.out,
        captures: args.captures,
        png: args.png,
        table: args.table,
        hugo: args.hugo.then(|| PathBuf::from(".")),
        cache_root: PathBuf::from("."),
    };
    let entries = prerender::prerender(&options)?;
    for entry in &entries {
        eprintln!("{}:{}: {} ({})", entry.source, entry.line, entry.name, entry.capture);
    }
    eprintln!("prerendered {} diagram(s) into {}", entries.len(), options.out.display());
    Ok(ExitCode::SUCCESS)
}
