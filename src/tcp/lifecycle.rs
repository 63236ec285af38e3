//! When a connection is over, so that its state can be freed while the capture goes on.
//!
//! A connection is over once both FINs are acknowledged, or after a RST. It is not handed over at once: a
//! segment may still come (a FIN retransmitted because the last ACK was lost, data in flight meeting a RST),
//! and Wireshark puts it in the same `tcp.stream`. So a connection that is over lingers for [`LINGER`] of
//! capture time after its last segment, keeping its analysis state, and is then retired: its facts are handed
//! over and only its entry in the stream table stays (to number a later segment of the same ports like
//! Wireshark does). A new SYN on the same ports retires the old connection at once: nothing can reach it after.

use super::Direction;
use crate::capture::TcpPacket;
use std::time::Duration;

/// How long a connection that is over waits for a late segment before it is retired (capture time).
pub const LINGER: Duration = Duration::from_secs(1);

/// What a connection has done towards its end.
#[derive(Debug, Default, Clone)]
pub(super) struct Ending {
    /// Absolute sequence number just past each direction's FIN, once sent (indexed by [`Direction::index`]).
    fin_end: [Option<u32>; 2],
    fin_acked: [bool; 2],
    reset: bool,
}

impl Ending {
    /// Takes one segment sent in `dir`.
    pub fn observe(&mut self, dir: Direction, tcp: &TcpPacket) {
        if tcp.flags.rst() {
            self.reset = true;
        }
        if tcp.flags.fin() {
            let syn = u32::from(tcp.flags.syn());
            self.fin_end[dir.index()] = Some(tcp.seq.wrapping_add(tcp.payload_len).wrapping_add(syn).wrapping_add(1));
        }
        let peer = dir.reverse().index();
        if let Some(end) = self.fin_end[peer] {
            // Sequence space wraps: "at or past the FIN" is a signed difference.
            if tcp.flags.ack() && (tcp.ack.wrapping_sub(end) as i32) >= 0 {
                self.fin_acked[peer] = true;
            }
        }
    }

    /// Both FINs acknowledged, or reset.
    pub fn is_over(&self) -> bool {
        self.reset || self.fin_acked == [true, true]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::{TcpFlags, TcpOptions};

    fn segment(flags: u16, seq: u32, ack: u32, len: u32) -> TcpPacket {
        TcpPacket {
            src: "10.0.0.1:1000".parse().unwrap(),
            dst: "10.0.0.2:80".parse().unwrap(),
            seq,
            ack,
            flags: TcpFlags(flags),
            window: 100,
            options: TcpOptions::default(),
            payload_len: len,
            payload: Vec::new(),
        }
    }

    const ACK: u16 = TcpFlags::ACK;
    const FIN: u16 = TcpFlags::FIN | TcpFlags::ACK;
    use Direction::{ClientToServer as C2S, ServerToClient as S2C};

    #[test]
    fn over_once_both_fins_are_acknowledged() {
        let mut ending = Ending::default();
        ending.observe(C2S, &segment(FIN, 100, 500, 10)); // FIN after 10 bytes: 111 acks it
        ending.observe(S2C, &segment(FIN, 500, 110, 0)); // does not ack the client's FIN yet
        assert!(!ending.is_over());
        ending.observe(S2C, &segment(ACK, 501, 111, 0));
        assert!(!ending.is_over(), "the server's FIN is not acknowledged");
        ending.observe(C2S, &segment(ACK, 111, 501, 0));
        assert!(ending.is_over());
    }

    #[test]
    fn over_after_a_reset_and_across_the_sequence_wrap() {
        let mut reset = Ending::default();
        reset.observe(S2C, &segment(TcpFlags::RST, 0, 0, 0));
        assert!(reset.is_over());
        let mut wrap = Ending::default();
        wrap.observe(C2S, &segment(FIN, u32::MAX, 0, 0)); // the FIN's end wraps to 0
        wrap.observe(S2C, &segment(FIN, 7, u32::MAX, 0)); // does not reach the client's FIN yet
        wrap.observe(C2S, &segment(ACK, 0, 8, 0));
        assert!(!wrap.is_over());
        wrap.observe(S2C, &segment(ACK, 8, 3, 0));
        assert!(wrap.is_over());
    }
}
