//! `tcpdialog diagram CAPTURE [selection] [style] [--format F] [-o FILE]`

use super::options::{DecodingArgs, SelectionArgs, StyleArgs, output_format};
use anyhow::Context as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::analyze::analyze_file_retaining;
use tcpdialog::diagram::{Format, render};
use tcpdialog::dialog;

#[derive(Debug, clap::Args)]
pub struct DiagramArgs {
    /// A pcap or pcapng file.
    pub capture: PathBuf,
    #[command(flatten)]
    pub selection: SelectionArgs,
    #[command(flatten)]
    pub style: StyleArgs,
    #[command(flatten)]
    pub decoding: DecodingArgs,
    /// svg, png, txt or mermaid (default: from the extension of -o, else svg).
    #[arg(long)]
    pub format: Option<Format>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(args: DiagramArgs) -> anyhow::Result<ExitCode> {
    let format = output_format(args.format, args.output.as_deref())?;
    let selection = args.selection.selection();
    let analysis = analyze_file_retaining(&args.capture, &args.decoding.decoder_options()?, selection.retention())?;
    super::print_warnings(&args.capture, &analysis.summary);
    let dialog = dialog::build(&analysis, &selection, &args.style.dialog_options())
        .with_context(|| args.capture.display().to_string())?;
    let bytes = render(&dialog, &args.style.diagram_options(), format)?;
    match &args.output {
        Some(path) => write_atomically(path, &bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            anyhow::ensure!(
                !(format == Format::Png && stdout.is_terminal()),
                "refusing to write PNG bytes to a terminal; use -o FILE"
            );
            stdout.write_all(&bytes).context("writing to stdout")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes beside the target and renames, so a failed run never leaves half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let name = path.file_name().context("output path has no file name")?;
    let temp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::write(&temp, bytes).with_context(|| format!("writing {}", temp.display()))?;
    std::fs::rename(&temp, path).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
