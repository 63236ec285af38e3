//! `tcpdialog inspect CAPTURE [--stream N] [--format json|text]`

use anyhow::Context as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::analyze::analyze_file_retaining;
use tcpdialog::inspect::{InspectError, to_json, write_json, write_notes, write_packet_list};
use tcpdialog::proto::DecoderOptions;
use tcpdialog::tcp::Retention;

#[derive(Debug, clap::Args)]
pub struct InspectArgs {
    /// A pcap or pcapng file.
    pub capture: PathBuf,
    /// Only this TCP stream (Wireshark's `tcp.stream` number).
    #[arg(long)]
    pub stream: Option<usize>,
    #[arg(long, value_enum, default_value_t = InspectFormat::Text)]
    pub format: InspectFormat,
    #[command(flatten)]
    pub decoding: super::options::DecodingArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InspectFormat {
    Text,
    Json,
}

pub fn run(args: InspectArgs) -> anyhow::Result<ExitCode> {
    if let (InspectFormat::Json, None) = (args.format, args.stream) {
        return whole_capture_json(&args);
    }
    let retention = match args.stream {
        Some(stream) => Retention::all().connections(move |c| c.index == stream),
        None => Retention::all(),
    };
    let options = DecoderOptions { details: false, ..args.decoding.decoder_options()? };
    let analysis = analyze_file_retaining(&args.capture, &options, retention)?;
    super::print_warnings(&args.capture, &analysis.summary);
    if let Some(stream) = args.stream {
        let count = analysis.connections.len();
        anyhow::ensure!(
            stream < count,
            "{}: stream {stream} does not exist (the capture has {count} TCP stream(s), numbered from 0)",
            args.capture.display()
        );
    }
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        InspectFormat::Text => write_packet_list(&mut stdout, &analysis, args.stream)
            .and_then(|()| write_notes(&mut stdout, &analysis, args.stream)),
        // Streamed: a large capture's JSON is never held whole in memory.
        InspectFormat::Json => serde_json::to_writer_pretty(&mut stdout, &to_json(&analysis, args.stream))
            .map_err(std::io::Error::from)
            .and_then(|()| stdout.write_all(b"\n")),
    };
    match written.and_then(|()| stdout.flush()) {
        // A closed pipe (`| head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("writing to stdout")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON of every stream, written while the capture is read.
fn whole_capture_json(args: &InspectArgs) -> anyhow::Result<ExitCode> {
    let options = DecoderOptions { details: false, ..args.decoding.decoder_options()? };
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = write_json(&mut stdout, &args.capture, &options)
        .and_then(|summary| stdout.flush().map(|()| summary).map_err(InspectError::from));
    match written {
        Ok(summary) => super::print_warnings(&args.capture, &summary),
        // A closed pipe (`| head`) is not an error.
        Err(InspectError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}
