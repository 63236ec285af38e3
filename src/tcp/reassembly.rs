//! Reassembly of one direction's byte stream, delivered to a [`StreamSink`] in stream order.
//!
//! Offsets count from the first byte after the SYN (or, without a SYN, from the first segment seen), as 64-bit
//! numbers so streams longer than 4 GiB keep counting. Each byte is delivered once: retransmitted and
//! overlapping bytes already delivered are skipped. A segment that arrives ahead of a hole waits in a buffer
//! until the hole is filled; the frame given with the bytes is the one whose arrival made them contiguous.
//!
//! Holes are reported with [`StreamSink::gap`]: bytes cut by a snaplen (the segment's wire length exceeds what
//! the capture holds), and segments never captured, once it is clear they will not come: when the waiting
//! buffer would exceed [`MAX_PENDING_BYTES`], when the direction is reset, and at the end of the capture.
//! Memory is thus bounded by the waiting buffer; delivered bytes are never kept.

use super::{Direction, StreamSink};
use std::collections::BTreeMap;

/// Out-of-order bytes kept per direction while waiting for a hole to fill; beyond this the hole is declared lost.
pub const MAX_PENDING_BYTES: usize = 1 << 20;

/// A segment that arrived ahead of a hole.
#[derive(Debug)]
struct Pending {
    /// End offset on the wire (start + TCP length), which may exceed the captured bytes.
    end: u64,
    data: Vec<u8>,
}

/// Where a segment sits in the stream, as computed by the caller from its sequence number.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    pub frame: u64,
    /// Sequence number of the first payload byte (after the SYN's, if any).
    pub seq: u32,
    /// TCP payload length on the wire.
    pub len: u32,
}

/// One direction's reassembly state.
#[derive(Debug)]
pub struct Reassembler {
    conn: usize,
    dir: Direction,
    /// Next offset the sink expects, and the sequence number that offset has.
    next_offset: u64,
    next_seq: u32,
    pending: BTreeMap<u64, Pending>,
    pending_bytes: usize,
    /// Offset just past the last byte, once a FIN has said where the stream ends.
    fin_offset: Option<u64>,
    ended: bool,
}

impl Reassembler {
    /// A direction whose first byte has sequence number `first_seq`.
    pub fn new(conn: usize, dir: Direction, first_seq: u32) -> Self {
        Reassembler {
            conn,
            dir,
            next_offset: 0,
            next_seq: first_seq,
            pending: BTreeMap::new(),
            pending_bytes: 0,
            fin_offset: None,
            ended: false,
        }
    }

    /// Takes a segment's payload (`data` = the captured part) and, with `fin`, the end of the stream.
    pub fn segment(&mut self, at: Placement, data: &[u8], fin: bool, sink: &mut dyn StreamSink) {
        if self.ended {
            return;
        }
        let start = self.offset_of(at.seq);
        let end = start + i64::from(at.len);
        if fin && end >= 0 {
            self.fin_offset.get_or_insert(end.unsigned_abs());
        }
        if at.len > 0 && end > 0 {
            // Bytes before offset 0 (sent before the capture's idea of the start) are dropped.
            let skip = usize::try_from(start.min(0).unsigned_abs()).unwrap_or(usize::MAX);
            let data = data.get(skip.min(data.len())..).unwrap_or_default();
            let start = start.max(0).unsigned_abs();
            self.accept(start, end.unsigned_abs(), at.frame, data, sink);
        }
        self.end_if_complete(at.frame, sink);
    }

    /// The connection was reset: whatever waits is delivered after a gap, and the direction ends.
    pub fn reset(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        self.flush(frame, sink);
        self.finish_direction(frame, sink);
    }

    /// End of capture: delivers what waits (after gaps) and ends the direction at `frame`.
    pub fn close(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        self.reset(frame, sink);
    }

    /// Stream offset of a sequence number, relative to the delivery point (negative: before the stream start).
    fn offset_of(&self, seq: u32) -> i64 {
        let delta = seq.wrapping_sub(self.next_seq) as i32;
        i64::try_from(self.next_offset).unwrap_or(i64::MAX).saturating_add(i64::from(delta))
    }

    fn accept(&mut self, start: u64, end: u64, frame: u64, data: &[u8], sink: &mut dyn StreamSink) {
        if end <= self.next_offset {
            return; // entirely delivered already: a retransmission
        }
        if start <= self.next_offset {
            self.deliver(start, end, frame, data, sink);
            self.drain(frame, sink);
            return;
        }
        let keep = self.pending.get(&start).is_none_or(|p| p.end < end);
        if keep {
            if let Some(old) = self.pending.insert(start, Pending { end, data: data.to_vec() }) {
                self.pending_bytes -= old.data.len();
            }
            self.pending_bytes += data.len();
        }
        // Too much waiting: the hole before the first waiting segment is not coming.
        while self.pending_bytes > MAX_PENDING_BYTES {
            let Some(first) = self.pending.keys().next().copied() else {
                break;
            };
            self.skip_to(first, frame, sink);
            self.drain(frame, sink);
        }
    }

    /// Delivers the part of `[start, end)` at or after the delivery point; `data` holds its captured bytes.
    fn deliver(&mut self, start: u64, end: u64, frame: u64, data: &[u8], sink: &mut dyn StreamSink) {
        let captured_end = start + data.len() as u64;
        if captured_end > self.next_offset {
            let from = usize::try_from(self.next_offset - start).unwrap_or(usize::MAX);
            if let Some(new) = data.get(from..) {
                sink.data(self.conn, self.dir, frame, self.next_offset, new);
            }
            self.advance_to(captured_end);
        }
        if end > self.next_offset {
            // The capture holds fewer bytes than were sent (snaplen).
            sink.gap(self.conn, self.dir, frame, self.next_offset, end - self.next_offset);
            self.advance_to(end);
        }
    }

    /// Delivers waiting segments that have become contiguous.
    fn drain(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        while let Some(entry) = self.pending.first_entry() {
            if *entry.key() > self.next_offset {
                break;
            }
            let start = *entry.key();
            let pending = entry.remove();
            self.pending_bytes -= pending.data.len();
            self.deliver(start, pending.end, frame, &pending.data, sink);
        }
    }

    /// Declares `[next_offset, to)` lost.
    fn skip_to(&mut self, to: u64, frame: u64, sink: &mut dyn StreamSink) {
        if to > self.next_offset {
            sink.gap(self.conn, self.dir, frame, self.next_offset, to - self.next_offset);
            self.advance_to(to);
        }
    }

    /// Delivers everything waiting, declaring the holes before it lost.
    fn flush(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        while let Some(first) = self.pending.keys().next().copied() {
            self.skip_to(first, frame, sink);
            self.drain(frame, sink);
        }
        if let Some(fin) = self.fin_offset {
            self.skip_to(fin, frame, sink);
        }
    }

    fn advance_to(&mut self, offset: u64) {
        let step = offset.saturating_sub(self.next_offset);
        // Sequence numbers wrap modulo 2^32: only the low 32 bits of the step matter.
        self.next_seq = self.next_seq.wrapping_add(step as u32);
        self.next_offset = offset.max(self.next_offset);
    }

    fn end_if_complete(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        if self.fin_offset.is_some_and(|fin| self.next_offset >= fin) {
            self.finish_direction(frame, sink);
        }
    }

    fn finish_direction(&mut self, frame: u64, sink: &mut dyn StreamSink) {
        if !self.ended {
            self.ended = true;
            self.pending.clear();
            self.pending_bytes = 0;
            sink.end(self.conn, self.dir, frame);
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::tcp::ConnectionInfo;

    /// Records what a sink is told, as text lines, for assertions that read like the stream.
    #[derive(Default)]
    pub(crate) struct Recorder {
        pub lines: Vec<String>,
    }

    impl StreamSink for Recorder {
        fn connection(&mut self, info: ConnectionInfo) {
            self.lines.push(format!("conn {} {} {}", info.index, info.client, info.server));
        }
        fn data(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, data: &[u8]) {
            let text = String::from_utf8_lossy(data);
            self.lines.push(format!("data {conn} {} f{frame} @{offset} {text}", dir.short()));
        }
        fn gap(&mut self, conn: usize, dir: Direction, frame: u64, offset: u64, len: u64) {
            self.lines.push(format!("gap {conn} {} f{frame} @{offset}+{len}", dir.short()));
        }
        fn end(&mut self, conn: usize, dir: Direction, frame: u64) {
            self.lines.push(format!("end {conn} {} f{frame}", dir.short()));
        }
    }

    const ISN: u32 = 4_294_967_290; // wraps after 6 bytes

    fn feed(r: &mut Reassembler, sink: &mut Recorder, frame: u64, offset: u32, text: &str) {
        let at = Placement { frame, seq: ISN.wrapping_add(offset), len: text.len() as u32 };
        r.segment(at, text.as_bytes(), false, sink);
    }

    #[test]
    fn in_order_bytes_are_delivered_as_they_come_across_the_sequence_wrap() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ClientToServer, ISN);
        feed(&mut r, &mut sink, 1, 0, "hello ");
        feed(&mut r, &mut sink, 2, 6, "world");
        assert_eq!(sink.lines, ["data 0 c2s f1 @0 hello ", "data 0 c2s f2 @6 world"]);
    }

    #[test]
    fn out_of_order_waits_and_retransmitted_overlap_is_delivered_once() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(1, Direction::ServerToClient, ISN);
        feed(&mut r, &mut sink, 1, 0, "abc");
        feed(&mut r, &mut sink, 2, 6, "ghi");
        feed(&mut r, &mut sink, 3, 0, "abc"); // retransmission
        feed(&mut r, &mut sink, 4, 2, "cdef"); // overlaps both sides of the hole
        assert_eq!(sink.lines, ["data 1 s2c f1 @0 abc", "data 1 s2c f4 @3 def", "data 1 s2c f4 @6 ghi"]);
    }

    #[test]
    fn snaplen_cut_payload_is_a_gap_and_fin_ends_the_direction() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ClientToServer, 100);
        r.segment(Placement { frame: 5, seq: 100, len: 10 }, b"GET", false, &mut sink);
        r.segment(Placement { frame: 6, seq: 110, len: 0 }, b"", true, &mut sink);
        r.segment(Placement { frame: 7, seq: 110, len: 0 }, b"", true, &mut sink); // FIN again: ignored
        assert_eq!(sink.lines, ["data 0 c2s f5 @0 GET", "gap 0 c2s f5 @3+7", "end 0 c2s f6"]);
    }

    #[test]
    fn a_fin_before_the_last_data_waits_for_it() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ClientToServer, 0);
        r.segment(Placement { frame: 1, seq: 3, len: 0 }, b"", true, &mut sink);
        r.segment(Placement { frame: 2, seq: 0, len: 3 }, b"end", false, &mut sink);
        assert_eq!(sink.lines, ["data 0 c2s f2 @0 end", "end 0 c2s f2"]);
    }

    #[test]
    fn a_hole_that_never_fills_is_a_gap_at_the_end() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ServerToClient, 0);
        r.segment(Placement { frame: 1, seq: 5, len: 2 }, b"xy", false, &mut sink);
        r.close(9, &mut sink);
        r.close(10, &mut sink);
        assert_eq!(sink.lines, ["gap 0 s2c f9 @0+5", "data 0 s2c f9 @5 xy", "end 0 s2c f9"]);
    }

    #[test]
    fn too_much_waiting_data_declares_the_hole_lost() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ServerToClient, 0);
        let chunk = vec![b'z'; 64 * 1024];
        let chunks = MAX_PENDING_BYTES / chunk.len() + 1;
        for i in 0..chunks {
            let seq = 10 + (i * chunk.len()) as u32;
            r.segment(Placement { frame: i as u64 + 1, seq, len: chunk.len() as u32 }, &chunk, false, &mut sink);
        }
        assert_eq!(sink.lines.first().map(String::as_str), Some("gap 0 s2c f17 @0+10"));
        assert_eq!(sink.lines.len(), 1 + chunks);
        assert!(r.pending.is_empty());
    }

    #[test]
    fn bytes_from_before_the_stream_start_are_dropped() {
        let mut sink = Recorder::default();
        let mut r = Reassembler::new(0, Direction::ClientToServer, 1000);
        r.segment(Placement { frame: 1, seq: 996, len: 6 }, b"oldnew", false, &mut sink);
        assert_eq!(sink.lines, ["data 0 c2s f1 @0 ew"]);
    }
}
