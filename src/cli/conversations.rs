//! `tcpdialog conversations CAPTURE [--format text|json|csv] [--sort KEY] [--top N]`

use anyhow::Context as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::conversations::{Sort, conversations, csv, json, text};

#[derive(Debug, clap::Args)]
pub struct ConversationsArgs {
    /// A pcap or pcapng file.
    pub capture: PathBuf,
    #[arg(long, value_enum, default_value_t = ConversationsFormat::Text)]
    pub format: ConversationsFormat,
    /// Order of the rows: start, packets, bytes, duration or problems (most troubled first).
    #[arg(long, default_value = "start")]
    pub sort: Sort,
    /// Only the first N rows (after sorting).
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub decoding: super::options::DecodingArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ConversationsFormat {
    Text,
    Json,
    Csv,
}

pub fn run(args: ConversationsArgs) -> anyhow::Result<ExitCode> {
    let found = conversations(&args.capture, &args.decoding.decoder_options()?, args.sort, args.top)?;
    super::print_warnings(&args.capture, &found.summary);
    let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        ConversationsFormat::Text => text::write_text(&mut stdout, &found),
        ConversationsFormat::Csv => csv::write_csv(&mut stdout, &found),
        ConversationsFormat::Json => serde_json::to_writer_pretty(&mut stdout, &json::to_json(&found))
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
