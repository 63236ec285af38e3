//! `tcpdialog build`, `check`, `serve` and `init`: the site commands.

use super::RootArg;
use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::site::{self, BuildOptions};

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Also render drafts (into `drafts/`, never listed).
    #[arg(long)]
    pub drafts: bool,
    /// Override the config's base_url (e.g. `/my-project/` for a GitHub Pages project site).
    #[arg(long)]
    pub base_url: Option<String>,
    /// Ignore and do not update the diagram cache.
    #[arg(long)]
    pub no_cache: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub root: RootArg,
    /// Port on 127.0.0.1.
    #[arg(long, default_value_t = 8000)]
    pub port: u16,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder for the new site (created; must be empty if it exists).
    pub dir: PathBuf,
}

pub fn build(args: BuildArgs) -> anyhow::Result<ExitCode> {
    let options = BuildOptions {
        drafts: args.drafts,
        base_url: args.base_url,
        no_cache: args.no_cache,
        quiet: args.quiet,
        ..BuildOptions::default()
    };
    let report = site::build(&args.root.root, &options)?;
    for warning in &report.warnings {
        eprintln!("warning: {}", super::terminal_safe(&warning.to_string()));
    }
    eprintln!(
        "built {} post(s), {} page(s), {} diagram(s) ({} from cache): {} files in {}",
        report.posts,
        report.pages,
        report.diagrams,
        report.cached_diagrams,
        report.files,
        args.root.root.join("output").display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn check(args: RootArg) -> anyhow::Result<ExitCode> {
    let report = site::check(&args.root)?;
    for warning in &report.warnings {
        eprintln!("warning: {}", super::terminal_safe(&warning.to_string()));
    }
    for error in &report.errors {
        eprintln!("error: {}", super::terminal_safe(&error.to_string()));
    }
    eprintln!(
        "checked {} post(s), {} page(s), {} diagram(s): {} problem(s)",
        report.posts,
        report.pages,
        report.diagrams,
        report.errors.len()
    );
    Ok(if report.is_ok() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

pub fn serve(args: ServeArgs) -> anyhow::Result<ExitCode> {
    site::serve(&args.root.root, args.port)?;
    Ok(ExitCode::SUCCESS)
}

pub fn init(args: InitArgs) -> anyhow::Result<ExitCode> {
    site::init(&args.dir)?;
    eprintln!(
        "created a new site in {dir}; build it with: tcpdialog build --root {dir}\n\
         it publishes itself from CI: push it to GitHub (.github/workflows/publish.yml, then set Settings > Pages > \
         Source to GitHub Actions) or GitLab (.gitlab-ci.yml)",
        dir = args.dir.display(),
    );
    Ok(ExitCode::SUCCESS)
}
