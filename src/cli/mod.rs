//! Subcommands, one file each; this file only declares the arguments and dispatches.

mod conversations;
mod diagram;
mod inspect;
mod mdbook;
mod options;
mod prerender;
mod site;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Sequence diagrams of TCP dialogs from packet captures, and a static site around them.
#[derive(Debug, Parser)]
#[command(name = "tcpdialog", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print the peak memory of the run (VmHWM) to stderr at the end: for benchmarks and tests.
    #[arg(long, global = true, hide = true)]
    pub peak_memory: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site: content/ + captures/ -> output/ (swapped in only when everything succeeded).
    Build(site::BuildArgs),
    /// Verify the site as build would (metadata, links, captures, streams) without writing; non-zero on problems.
    Check(RootArg),
    /// Build, serve output/ on 127.0.0.1, rebuild on change and reload the browser.
    Serve(site::ServeArgs),
    /// Write a new site with an example post and capture.
    Init(site::InitArgs),
    /// Draw the dialog of one capture (SVG, PNG, text or Mermaid).
    Diagram(Box<diagram::DiagramArgs>),
    /// Print what tcpdialog understood of a capture: a packet list or JSON.
    Inspect(inspect::InspectArgs),
    /// One line per TCP stream (like Wireshark's Statistics › Conversations): packets, bytes, protocol, first
    /// request, how it closed, trouble, and the command that draws it.
    Conversations(conversations::ConversationsArgs),
    /// mdBook preprocessor: ```tcpdialog blocks of a book become diagrams (command = "tcpdialog mdbook").
    Mdbook(mdbook::MdbookArgs),
    /// Draw every ```tcpdialog block of a folder of markdown into files for Hugo, Jekyll, Zola or any generator.
    Prerender(prerender::PrerenderArgs),
}

/// Where a site lives when a command works on one.
#[derive(Debug, clap::Args)]
pub struct RootArg {
    /// The site's folder (the one holding `content/` and `captures/`).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
}

pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let peak_memory = cli.peak_memory;
    let code = match cli.command {
        Command::Build(args) => site::build(args),
        Command::Check(args) => site::check(args),
        Command::Serve(args) => site::serve(args),
        Command::Init(args) => site::init(args),
        Command::Diagram(args) => diagram::run(*args),
        Command::Inspect(args) => inspect::run(args),
        Command::Conversations(args) => conversations::run(args),
        Command::Mdbook(args) => mdbook::run(args),
        Command::Prerender(args) => prerender::run(args),
    }?;
    if peak_memory {
        print_peak_memory();
    }
    Ok(code)
}

/// `peak memory: 12345 kB` on stderr, from the kernel's high-water mark of the resident set (Linux).
fn print_peak_memory() {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).map_or("unknown", str::trim);
    eprintln!("peak memory: {peak}");
}

/// Prints capture warnings (a file cut mid-packet, fragments...) to stderr.
fn print_warnings(path: &std::path::Path, summary: &tcpdialog::capture::CaptureSummary) {
    for w in &summary.warnings {
        eprintln!("warning: {}", terminal_safe(&format!("{}: frame {}: {}", path.display(), w.frame, w.message)));
    }
}

/// Text for the terminal: control characters (a file name can hold an escape sequence that a terminal would
/// obey) and Unicode direction overrides are shown as `\u{1b}`-style escapes.
pub fn terminal_safe(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c != '\n' && tcpdialog::proto::is_hidden_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}
