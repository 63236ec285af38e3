//! What the TCP stage keeps in detail: every segment of every connection, or only what a caller will show.
//!
//! Segment metadata is the one part of an analysis that grows with the capture (see [`super::TcpAnalyzer`]).
//! A diagram of one stream of a multi-gigabyte capture needs that stream's segments and nothing of the
//! others, so the caller says what it wants and the analyzer drops the rest as it goes. Connection facts
//! (roles, bytes, who closed first, the handshake RTT) stay complete for every connection; a connection
//! that is not kept also skips reassembly and the protocol decoders.

use super::ConnectionInfo;
use std::fmt;
use std::ops::RangeInclusive;

/// Decides, from its first packet, whether a connection is kept.
type ConnectionFilter = Box<dyn Fn(&ConnectionInfo) -> bool + Send + Sync>;

/// Which connections keep their segments and messages, and which frames of them.
#[derive(Default)]
pub struct Retention {
    connections: Option<ConnectionFilter>,
    frames: Option<RangeInclusive<u64>>,
    /// No segment and no message at all: connection facts and message summaries only.
    summaries_only: bool,
    /// Reading may stop once past `frames` (see [`Retention::stopping`]): with the streams that must have
    /// been seen by then.
    stop: Option<usize>,
}

impl Retention {
    /// Everything: every segment of every connection.
    pub fn all() -> Self {
        Self::default()
    }

    /// No segment and no message of any connection, but every connection's facts and the summary of its
    /// messages (all connections are still decoded): what a view of every connection needs, in memory that
    /// does not grow with the length of the capture.
    pub fn summaries() -> Self {
        Retention { summaries_only: true, ..Self::default() }
    }

    /// Keeps only the connections `keep` accepts; it sees each connection when its first packet arrives (and
    /// again if a segment comes after the connection was retired).
    pub fn connections(mut self, keep: impl Fn(&ConnectionInfo) -> bool + Send + Sync + 'static) -> Self {
        self.connections = Some(Box::new(keep));
        self
    }

    /// Keeps only the segments whose frame number is in `frames` (reassembly and decoding still see them all).
    pub fn frames(mut self, frames: RangeInclusive<u64>) -> Self {
        self.frames = Some(frames);
        self
    }

    /// Lets the reading stop once nothing later can change what is kept: past the last of `frames`, when
    /// every connection that kept a segment is over and retired (its facts and messages final), and once
    /// `streams` streams have been numbered (so that a stream asked for is known to exist). What a diagram of
    /// a few frames of a huge capture needs.
    pub fn stopping(mut self, streams: usize) -> Self {
        self.stop = Some(streams);
        self
    }

    /// Whether reading may stop after `frame`, with `numbered` streams so far and `holding` connections still
    /// holding kept segments.
    pub(crate) fn may_stop(&self, frame: u64, numbered: usize, holding: usize) -> bool {
        let past = self.frames.as_ref().is_some_and(|range| frame > *range.end());
        self.stop.is_some_and(|streams| past && holding == 0 && numbered >= streams)
    }

    pub(crate) fn keeps_connection(&self, info: &ConnectionInfo) -> bool {
        self.connections.as_ref().is_none_or(|keep| keep(info))
    }

    pub(crate) fn keeps_frame(&self, frame: u64) -> bool {
        !self.summaries_only && self.frames.as_ref().is_none_or(|range| range.contains(&frame))
    }

    /// Whether the messages of kept connections are kept (otherwise only their summaries).
    pub fn keeps_messages(&self) -> bool {
        !self.summaries_only
    }
}

impl fmt::Debug for Retention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Retention")
            .field("connections", &self.connections.as_ref().map(|_| "a filter"))
            .field("frames", &self.frames)
            .field("summaries_only", &self.summaries_only)
            .field("stop", &self.stop)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(index: usize, server_port: u16) -> ConnectionInfo {
        ConnectionInfo {
            index,
            client: "127.0.0.1:40000".parse().unwrap(),
            server: format!("127.0.0.1:{server_port}").parse().unwrap(),
        }
    }

    #[test]
    fn all_keeps_everything() {
        let all = Retention::all();
        assert!(all.keeps_connection(&info(7, 443)));
        assert!(all.keeps_frame(1) && all.keeps_frame(u64::MAX));
    }

    #[test]
    fn filters_apply_to_connections_and_frames() {
        let some = Retention::all().connections(|c| c.server.port() == 80).frames(3..=9);
        assert!(some.keeps_connection(&info(0, 80)));
        assert!(!some.keeps_connection(&info(1, 443)));
        assert!(!some.keeps_frame(2) && some.keeps_frame(3) && some.keeps_frame(9) && !some.keeps_frame(10));
    }

    #[test]
    fn reading_stops_past_the_frames_once_nothing_is_held_and_the_streams_were_seen() {
        let stopping = Retention::all().frames(1..=100).stopping(3);
        assert!(!stopping.may_stop(100, 3, 0), "frame 100 is still in the range");
        assert!(!stopping.may_stop(101, 3, 1), "a connection still holds segments");
        assert!(!stopping.may_stop(101, 2, 0), "stream 2 was not seen yet");
        assert!(stopping.may_stop(101, 3, 0));
        assert!(!Retention::all().frames(1..=100).may_stop(101, 3, 0), "only when asked to");
    }

    #[test]
    fn summaries_keep_every_connection_but_no_segment_or_message() {
        let summaries = Retention::summaries();
        assert!(summaries.keeps_connection(&info(3, 80)));
        assert!(!summaries.keeps_frame(1) && !summaries.keeps_messages());
        assert!(Retention::all().keeps_messages());
    }
}
