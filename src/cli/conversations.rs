//! `tcpdialog conversations CAPTURE [--format text|json|csv] [--sort KEY] [--top N]`

use std::path::PathBuf;
use std::process::ExitCode;
use tcpdialog::conversations::{ConversationsError, RowWriter, Sort, write_conversations};
use tcpdialog::conversations::{csv::CsvRows, json::JsonRows, text::TextRows};
use tcpdialog::proto::DecoderOptions;

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
    let options = DecoderOptions { details: false, ..args.decoding.decoder_options()? };
    let stdout = std::io::BufWriter::new(std::io::stdout().lock());
    let capture = args.capture.clone();
    let mut rows: Box<dyn RowWriter> = match args.format {
        ConversationsFormat::Text => Box::new(TextRows::new(stdout, capture)),
        ConversationsFormat::Json => Box::new(JsonRows::new(stdout, capture)),
        ConversationsFormat::Csv => Box::new(CsvRows::new(stdout, capture)),
    };
    let written = write_conversations(&args.capture, &options, args.sort, args.top, rows.as_mut());
    drop(rows);
    match written {
        Ok(summary) => super::print_warnings(&args.capture, &summary),
        // A closed pipe (`| head`) is not an error.
        Err(ConversationsError::Write(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(e.into()),
    }
    Ok(ExitCode::SUCCESS)
}
