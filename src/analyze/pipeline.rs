//! The two halves of an analysis on two cores: reading and the TCP stage on a thread of their own, the
//! protocol decoders and the caller's work on the calling thread, joined by a bounded channel of batches of
//! what the TCP stage tells its [`StreamSink`]. The decoders see the same calls in the same order as on one
//! thread, so the result is the same; the profile of a million-packet capture splits about evenly there.

use super::{AnalysedConnection, Streamed};
use crate::capture::{CaptureError, CaptureReader, CaptureSummary};
use crate::proto::ProtocolDecoder;
use crate::proto::tls_crypto::KeyLog;
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
    /// A connection is over: its facts, after the end of both its directions (boxed: events stay small).
    Retired(Box<Connection>),
    /// The secrets of a Decryption Secrets Block, for the connections after it.
    KeyLog(Vec<u8>),
}

#[derive(Default)]
struct Batch {
    events: Vec<Event>,
    bytes: Vec<u8>,
}

/// The TCP half's sink: records events into batches and sends them.
struct Recorder {
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
}

impl StreamSink for Recorder {
    fn connection(&mut self, info: ConnectionInfo) {
        self.push(Event::Connection(info));
    }
    fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
        let start = self.batch.bytes.len();
        self.batch.bytes.extend_from_slice(data);
        self.push(Event::Data { conn, dir, frame, offset, start, len: data.len() });
    }
    fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
        self.push(Event::Gap { conn, dir, frame, offset, len });
    }
    fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
        self.push(Event::End { conn, dir, frame });
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

/// Runs the analysis of `reader`: the TCP half on a new thread, the decoders and `each` here.
pub(super) fn run(
    reader: CaptureReader,
    mut decoder: ProtocolDecoder,
    retention: Retention,
    each: &mut dyn FnMut(AnalysedConnection) -> ControlFlow<()>,
) -> Result<Streamed, CaptureError> {
    let (to_decoders, from_tcp) = sync_channel(IN_FLIGHT);
    let tcp_half = std::thread::spawn(move || tcp_half(reader, retention, to_decoders));
    decode(&mut decoder, from_tcp, each);
    let (summary, peak_open_connections) = tcp_half.join().expect("the TCP half does not panic")?;
    Ok(Streamed { summary, peak_open_connections, peak_decoders: decoder.peak_decoders() })
}

/// Reads every packet through the TCP stage, sending what it says; returns the capture's summary and the
/// peak of live connections.
fn tcp_half(
    mut reader: CaptureReader,
    retention: Retention,
    to_decoders: SyncSender<Batch>,
) -> Result<(CaptureSummary, usize), CaptureError> {
    let mut tcp = TcpAnalyzer::retaining(retention);
    let mut sink = Recorder { batch: Batch::default(), to_decoders, gone: false };
    while let Some(packet) = reader.next() {
        for embedded in reader.take_tls_key_logs() {
            sink.push(Event::KeyLog(embedded));
        }
        tcp.push(&packet?, &mut sink);
        for connection in tcp.take_retired() {
            sink.push(Event::Retired(Box::new(connection)));
        }
        if sink.gone || tcp.may_stop() {
            break;
        }
    }
    let peak = tcp.peak_open();
    if !sink.gone {
        // The connections still open end one by one, each recorded after the end of its directions.
        let shared = RefCell::new(sink);
        tcp.finish_each(&mut Shared(&shared), &mut |connection| {
            shared.borrow_mut().push(Event::Retired(Box::new(connection)));
        });
        shared.into_inner().send();
    }
    Ok((reader.summary().clone(), peak))
}

/// Plays the TCP half's events into the decoders, handing each retired connection to `each`.
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
                Event::Retired(connection) => {
                    let connection = *connection;
                    let decoded = decoder.take(connection.index);
                    // Returning drops the channel: the TCP half stops at its next batch.
                    if each(AnalysedConnection { connection, decoded }).is_break() {
                        return;
                    }
                }
            }
        }
    }
}
