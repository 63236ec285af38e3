//! `tcpdialog diagram CAPTURE [selection] [style] [--format F] [-o FILE]`; with a graph view
//! (`--view tcptrace|stevens|throughput|rtt|window [--direction c2s|s2c]`), a stream graph of one stream.

use super::options::{DecodingArgs, SelectionArgs, StyleArgs, output_format};
use anyhow::Context as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::analyze::analyze_file_retaining;
use tcpdialog::diagram::{DiagramOptions, Format, View, render, render_graph};
use tcpdialog::dialog::{self, LADDER_CONNECTIONS, OVERVIEW_CONNECTIONS, Selection, analyze_for_diagram, thousands};

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
    /// svg, png, txt, mermaid or html (the packet table view as an HTML table; default: from the extension of
    /// -o, else svg).
    #[arg(long)]
    pub format: Option<Format>,
    /// Write here instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
}

pub fn run(args: DiagramArgs) -> anyhow::Result<ExitCode> {
    let format = output_format(args.format, args.output.as_deref())?;
    let mut options = args.style.diagram_options();
    if options.view.is_graph() {
        let bytes = graph(&args, &options, format)?;
        return write(&args, format, &bytes);
    }
    // An overview is a timeline where the format draws one; elsewhere the view asked for, of fewer connections.
    let timeline_drawn = matches!(format, Format::Svg | Format::Png | Format::Text);
    let can_show = if options.view == View::Timeline { OVERVIEW_CONNECTIONS } else { LADDER_CONNECTIONS };
    let rows = if timeline_drawn { OVERVIEW_CONNECTIONS } else { LADDER_CONNECTIONS };
    let selection = args.selection.selection();
    let decoding = args.decoding.decoder_options()?;
    let drawn = analyze_for_diagram(&args.capture, &decoding, &selection, can_show, rows)?;
    super::print_warnings(&args.capture, &drawn.analysis.summary);
    let mut dialog_options = args.style.dialog_options();
    if let Some(overview) = &drawn.overview {
        dialog_options.title.get_or_insert_with(|| {
            format!("{} of {} TCP connections", thousands(overview.shown as u64), thousands(overview.total as u64))
        });
    }
    let mut dialog = dialog::build(&drawn.analysis, &drawn.selection, &dialog_options)
        .with_context(|| args.capture.display().to_string())?;
    // Drawing needs only the dialog: the analysis (a long stream's segments, most of the memory) goes before
    // the picture (a PNG's pixels) is made.
    let overview = drawn.overview;
    drop(drawn);
    if let Some(overview) = &overview {
        dialog.notes.insert(0, overview.note(&args.capture.display().to_string()));
        if timeline_drawn {
            options.view = View::Timeline;
        }
    }
    let bytes = render(&dialog, &options, format)?;
    write(&args, format, &bytes)
}

/// A stream graph of one stream, read whole: RTT and bytes in flight need every segment, even under --frames.
fn graph(args: &DiagramArgs, options: &DiagramOptions, format: Format) -> anyhow::Result<Vec<u8>> {
    let selection = args.selection.selection();
    let decoding = args.decoding.decoder_options()?;
    let whole = Selection { frames: None, ..selection.clone() };
    let analysis = analyze_file_retaining(&args.capture, &decoding, whole.retention())?;
    super::print_warnings(&args.capture, &analysis.summary);
    let graph = dialog::graph::build(&analysis, &selection, args.style.direction)
        .with_context(|| args.capture.display().to_string())?;
    Ok(render_graph(&graph, options, format)?)
}

fn write(args: &DiagramArgs, format: Format, bytes: &[u8]) -> anyhow::Result<ExitCode> {
    match &args.output {
        Some(path) => write_atomically(path, bytes)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            anyhow::ensure!(
                !(format == Format::Png && stdout.is_terminal()),
                "refusing to write PNG bytes to a terminal; use -o FILE"
            );
            stdout.write_all(bytes).context("writing to stdout")?;
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
