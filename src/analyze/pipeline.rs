//! The analysis on two cores. Reading and the TCP stage run on a thread of their own; the protocol decoders
//! are split between the two threads by connection (odd streams there, even ones here), since decoding
//! HTTP costs about as much as reading and the TCP stage together; the caller's work runs here. A bounded
//! channel carries batches of what the TCP stage tells the decoders of this side, and each connection as it
//! is over (decoded already when it is an odd one). Each connection's decoders see the same calls in the same
//! order as on one thread, and connections are handed over in the same order, so the result is the same.

use super::{AnalysedConnection, Streamed};
use crate::capture::{CaptureError, CaptureReader, CaptureSummary};
use crate::proto::tls_crypto::KeyLog;
use crate::proto::{DecodedConnection, DecoderOptions, ProtocolDecoder};
use crate::tcp::{Connection, ConnectionInfo, Direction, Retention, StreamSink, TcpAnalyzer};
use std::cell::RefCell;
use std::ops::ControlFlow;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// A batch is sent once it holds this many events or this many payload bytes.
const BATCH_EVENTS: usize = 1024;
const BATCH_BYTES: usize = 256 * 1024;
/// Batches in flight at most: what the TCP half may run ahead by.
const IN_FLIGHT: usize = 4;

/// One thing the TCP half says, in order.
enum Event {
    Connection(ConnectionInfo),
    /// Payload bytes `start..start + len` of the batch's `bytes`.
    Data {
        conn: usize,
        dir: Direction,
        frame: u64,
        offset: u64,
        start: usize,
        len: usize,
    },
    Gap {
        conn: usize,
        dir: Direction,
        frame: u64,
        offset: u64,
        len: u64,
    },
    End {
        conn: usize,
        dir: Direction,
        frame: u64,
    },
    /// A connection is over: its facts, after the end of both its directions (boxed: events stay small),
    /// and what the decoders made of it when the TCP half decoded it.
    Retired(Box<(Connection, Option<DecodedConnection>)>),
    /// The secrets of a Decryption Secrets Block, for the connections after it.
    KeyLog(Vec<u8>),
}

#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    bytes: Vec<u8>,
}

/// Which half decodes a connection.
fn decoded_there(conn: usize) -> bool {
    conn % 2 == 1
}

/// The TCP half's sink: decodes its own connections and records the others' events into batches.
struct Recorder {
    decoder: ProtocolDecoder,
    batch: Batch,
    to_decoders: SyncSender<Batch>,
    /// The decoding half is gone (its caller stopped): nothing more is worth reading.
    gone: bool,
}

impl Recorder {
    fn push(&mut self, event: Event) {
        self.batch.events.push(event);
        if self.batch.events.len() >= BATCH_EVENTS || self.batch.bytes.len() >= BATCH_BYTES {
            self.send();
        }
    }

    fn send(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        if !batch.events.is_empty() && self.to_decoders.send(batch).is_err() {
            self.gone = true;
        }
    }

    fn retired(&mut self, connection: Connection) {
        let decoded = decoded_there(connection.index).then(|| self.decoder.take(connection.index));
        self.push(Event::Retired(Box::new((connection, decoded))));
    }

    fn key_log(&mut self, bytes: Vec<u8>) {
        self.decoder.add_key_log(KeyLog::parse(&String::from_utf8_lossy(&bytes)).0);
        self.push(Event::KeyLog(bytes));
    }
}

impl StreamSink for Recorder {
    fn connection(&mut self, info: ConnectionInfo) {
        if decoded_there(info.index) {
            self.decoder.connection(info);
        } else {
            self.push(Event::Connection(info));
        }
    }
    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        if decoded_there(conn) {
            self.decoder.data(conn, dir, frame, offset, data);
            return;
        }
        let start = self.batch.bytes.len();
        self.batch.bytes.extend_from_slice(data);
        self.push(Event::Data { conn, dir, frame, offset, start, len: data.len() });
    }
    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        if decoded_there(conn) {
            self.decoder.gap(conn, dir, frame, offset, len);
        } else {
            self.push(Event::Gap { conn, dir, frame, offset, len });
        }
    }
    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        if decoded_there(conn) {
            self.decoder.end(conn, dir, frame);
        } else {
            self.push(Event::End { conn, dir, frame });
        }
    }
}

/// The recorder, shared between the analyzer's sink and what it hands over as it finishes.
struct Shared<'a>(&'a RefCell<Recorder>);

impl StreamSink for Shared<'_> {
    fn connection(&mut self, info: ConnectionInfo) {
        self.0.borrow_mut().connection(info);
    }
    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        self.0.borrow_mut().data(conn, dir, frame, offset, data);
    }
    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        self.0.borrow_mut().gap(conn, dir, frame, offset, len);
    }
    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        self.0.borrow_mut().end(conn, dir, frame);
    }
}

/// Decoders made alike on both halves.
fn decoder_for(options: &DecoderOptions, keep_messages: bool) -> ProtocolDecoder {
    let decoder = ProtocolDecoder::new(options.clone());
    if keep_messages { decoder } else { decoder.summarising() }
}

/// Runs the analysis of `reader`: the TCP half on a new thread, this half's decoders and `each` here.
pub(super) fn run(
    reader: CaptureReader,
    options: &DecoderOptions,
    retention: Retention,
    each: &mut dyn FnMut(AnalysedConnection) -> ControlFlow<()>,
) -> Result<Streamed, CaptureError> {
    let keep_messages = retention.keeps_messages();
    let mut decoder = decoder_for(options, keep_messages);
    let options = options.clone();
    let (to_decoders, from_tcp) = sync_channel(IN_FLIGHT);
    // Decoders hold their state in `Rc`s: the TCP half makes its own.
    let tcp_half =
        std::thread::spawn(move || tcp_half(reader, decoder_for(&options, keep_messages), retention, to_decoders));
    decode(&mut decoder, from_tcp, each);
    let (summary, peak_open_connections, peak_there) = tcp_half.join().expect("the TCP half does not panic")?;
    Ok(Streamed { summary, peak_open_connections, peak_decoders: decoder.peak_decoders() + peak_there })
}

/// Reads every packet through the TCP stage, sending what it says; returns the capture's summary, the peak
/// of live connections and of the decoders there.
fn tcp_half(
    mut reader: CaptureReader,
    decoder: ProtocolDecoder,
    retention: Retention,
    to_decoders: SyncSender<Batch>,
) -> Result<(CaptureSummary, usize, usize), CaptureError> {
    let mut tcp = TcpAnalyzer::retaining(retention);
    let mut sink = Recorder { decoder, batch: Batch::default(), to_decoders, gone: false };
    while let Some(packet) = reader.next() {
        for embedded in reader.take_tls_key_logs() {
            sink.key_log(embedded);
        }
        tcp.push(&packet?, &mut sink);
        let retired: Vec<Connection> = tcp.take_retired().collect();
        for connection in retired {
            sink.retired(connection);
        }
        if sink.gone || tcp.may_stop() {
            break;
        }
    }
    let peak = tcp.peak_open();
    if !sink.gone {
        // The connections still open end one by one, each handed over after the end of its directions.
        let shared = RefCell::new(sink);
        tcp.finish_each(&mut Shared(&shared), &mut |connection| shared.borrow_mut().retired(connection));
        sink = shared.into_inner();
        sink.send();
    }
    Ok((reader.summary().clone(), peak, sink.decoder.peak_decoders()))
}

/// Plays the TCP half's events into this half's decoders, handing each retired connection to `each`.
fn decode(
    decoder: &mut ProtocolDecoder,
    from_tcp: Receiver<Batch>,
    each: &mut dyn FnMut(AnalysedConnection) -> ControlFlow<()>,
) {
    for batch in from_tcp {
        for event in batch.events {
            match event {
                Event::Connection(info) => decoder.connection(info),
                Event::Data { conn, dir, frame, offset, start, len } => {
                    decoder.data(conn, dir, frame, offset, batch.bytes.get(start..start + len).unwrap_or_default());
                }
                Event::Gap { conn, dir, frame, offset, len } => decoder.gap(conn, dir, frame, offset, len),
                Event::End { conn, dir, frame } => decoder.end(conn, dir, frame),
                Event::KeyLog(bytes) => decoder.add_key_log(KeyLog::parse(&String::from_utf8_lossy(&bytes)).0),
                Event::Retired(retired) => {
                    let (connection, decoded) = *retired;
                    let decoded = decoded.unwrap_or_else(|| decoder.take(connection.index));
                    // Returning drops the channel: the TCP half stops at its next batch.
                    if each(AnalysedConnection { connection, decoded }).is_break() {
                        return;
                    }
                }
            }
        }
    }
}
