//! What each arrow says and how it stands out, and which arrows are drawn: shared by every format.
//!
//! The wording follows Wireshark's Info column (`[PSH, ACK] Seq=1 Ack=1 Len=79`, `[TCP Retransmission]`) so a
//! reader can put the diagram next to the packet list.

use super::Labels;
use super::format::{bytes, seconds, thousands};
use crate::dialog::{Dialog, Event, Fold, FoldKind};
use crate::tcp::AnalysisFlag;

/// At most this many arrows are drawn; a larger dialog shows its first [`HEAD_ARROWS`] and its last arrows
/// around a note saying how many were left out.
pub const MAX_ARROWS: usize = 400;
pub const HEAD_ARROWS: usize = 300;
/// A segment completing more messages than this lists the first `MAX_STACKED - 1` and how many more.
pub const MAX_STACKED: usize = 4;

/// How an arrow stands out: by colour, by a symbol, and by words (never colour alone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Retransmissions (plain, fast, spurious): dashed red arrow, `↻`.
    Retransmission,
    /// Connection reset: red arrow ending in `✕`.
    Reset,
    /// Zero window and its probes: red, `⚠`.
    ZeroWindow,
    /// Duplicate ACKs, out-of-order and lost segments: amber, `⚠`.
    Warning,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Retransmission => "↻",
            Mark::Reset => "✕",
            Mark::ZeroWindow | Mark::Warning => "⚠",
        }
    }
    /// One-line explanation for legends.
    pub fn meaning(self) -> &'static str {
        match self {
            Mark::Retransmission => "retransmission (dashed)",
            Mark::Reset => "connection reset (RST)",
            Mark::ZeroWindow => "zero window: receiver full",
            Mark::Warning => "dup ACK, out-of-order or lost segment",
        }
    }
}

/// The texts of one arrow.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrowText {
    /// The big label: the application message, the fold summary, an analysis tag, or the TCP flags.
    pub main: String,
    /// True when `main` is an application message or a fold summary (drawn bold).
    pub main_is_message: bool,
    /// `main` as the ladder stacks it above the arrow: one line per message (at most [`MAX_STACKED`], the last
    /// saying `+N more`), else the one line of `main`.
    pub lines: Vec<String>,
    /// The small label: flags, numbers and tags, per [`Labels`]; may be empty.
    pub detail: String,
    pub mark: Option<Mark>,
}

/// The mark of a message that was decrypted with the key log, in the text formats.
pub const LOCK: &str = "🔒";

/// What the padlock on an arrow means.
pub const DECRYPTED_NOTE: &str = "decrypted with the key log: the wire carried only TLS records here";

/// What the text formats write for message `i` of an arrow: the padlock first when it was decrypted.
pub fn message_text(event: &Event, i: usize) -> String {
    let message = event.messages.get(i).map_or("", String::as_str);
    if event.decrypted.get(i) == Some(&true) { format!("{LOCK} {message}") } else { message.to_string() }
}

/// The lines that explain a diagram beyond its arrows, in the text formats: what the padlock means when
/// `decrypted` arrows are shown, then the dialog's notes.
pub fn notes(dialog: &Dialog, decrypted: bool) -> Vec<String> {
    let lock = decrypted.then(|| format!("{LOCK} {DECRYPTED_NOTE}"));
    lock.into_iter().chain(dialog.notes.iter().map(|n| format!("! {n}"))).collect()
}

/// What the arrow of `event` says.
pub fn arrow_text(event: &Event, labels: Labels) -> ArrowText {
    let mark = mark(event);
    let tags: Vec<String> = event.analysis.iter().filter(|f| is_notable(**f, labels)).map(|f| f.label()).collect();
    let flags = event.flags.bracketed();
    let numbers = numbers(event, labels);
    if let Some((fold, first, last)) = duplicate_acks(event) {
        let main = format!("{} ({} segments)", duplicate_ack_range(event, first, last), thousands(fold.segments));
        let flags_and_numbers = if numbers.is_empty() { flags } else { format!("{flags} {numbers}") };
        let detail = format!("{flags_and_numbers}, frames {}–{}", event.frame, fold.last_frame);
        return ArrowText { lines: vec![main.clone()], main, main_is_message: false, detail, mark };
    }
    if let Some(fold) = event.fold.as_ref().filter(|f| f.kind == FoldKind::Probes) {
        let main = format!("… {}, {}", fold.flagged.describe().join(", "), seconds(fold.duration));
        let detail = format!("frames {}–{}", event.frame, fold.last_frame);
        return ArrowText { lines: vec![main.clone()], main, main_is_message: false, detail, mark };
    }
    if let Some(fold) = &event.fold {
        let main =
            format!("… {} segments, {}, {}", thousands(fold.segments), bytes(fold.bytes), seconds(fold.duration));
        let mut detail = match labels {
            Labels::Flags => format!("frames {}–{}", event.frame, fold.last_frame),
            _ => format!("frames {}–{}, {} ACKs back", event.frame, fold.last_frame, thousands(fold.acks)),
        };
        let flagged = fold.flagged.describe();
        if !flagged.is_empty() {
            detail.push_str(&format!("; folded {}", flagged.join(", ")));
        }
        return ArrowText { lines: vec![main.clone()], main, main_is_message: true, detail, mark };
    }
    let flags_and_numbers = if numbers.is_empty() { flags } else { format!("{flags} {numbers}") };
    if !event.messages.is_empty() {
        let tag_prefix: String = tags.iter().map(|t| format!("[{t}] ")).collect();
        return ArrowText {
            main: event.messages.join(", "),
            main_is_message: true,
            lines: stacked(&event.messages),
            detail: format!("{tag_prefix}{flags_and_numbers}"),
            mark,
        };
    }
    match tags.split_first() {
        Some((first, rest)) => {
            let more: String = rest.iter().map(|t| format!("[{t}] ")).collect();
            ArrowText {
                main: first.clone(),
                main_is_message: false,
                lines: vec![first.clone()],
                detail: format!("{more}{flags_and_numbers}"),
                mark,
            }
        }
        None => ArrowText {
            lines: vec![flags_and_numbers.clone()],
            main: flags_and_numbers,
            main_is_message: false,
            detail: String::new(),
            mark,
        },
    }
}

/// One line per message; past [`MAX_STACKED`], the first ones and `+N more` (tooltips and the other formats
/// keep them all).
fn stacked(messages: &[String]) -> Vec<String> {
    if messages.len() <= MAX_STACKED {
        return messages.to_vec();
    }
    let kept = MAX_STACKED - 1;
    let mut lines: Vec<String> = messages.iter().take(kept).cloned().collect();
    lines.push(format!("+{} more", messages.len() - kept));
    lines
}

/// `Seq=1 Ack=1 Len=79` (and `Win=` and the SACK blocks under [`Labels::Full`]); empty under [`Labels::Flags`].
pub fn numbers(event: &Event, labels: Labels) -> String {
    let ack = if event.flags.ack() { format!(" Ack={}", event.ack) } else { String::new() };
    match labels {
        Labels::Flags => String::new(),
        Labels::Seq => format!("Seq={}{ack} Len={}", event.seq, event.len),
        Labels::Full => {
            let sack = crate::tcp::sack_edges(&event.options.sack_blocks, event.sack_base);
            format!("Seq={}{ack} Win={} Len={}{sack}", event.seq, event.window, event.len)
        }
    }
}

/// Wireshark's Info column for a segment without a message: `35604 → 18080 [SYN] Seq=0 Win=65495 Len=0`.
pub fn info(event: &Event) -> String {
    info_text(event, true)
}

/// [`info`] without the ports, for places that already name both sockets (`[SYN] Seq=0 Win=65495 Len=0`).
pub fn info_without_ports(event: &Event) -> String {
    info_text(event, false)
}

fn info_text(event: &Event, with_ports: bool) -> String {
    let ports = with_ports.then(|| (event.src.port(), event.dst.port()));
    if let Some((fold, first, last)) = duplicate_acks(event) {
        let count = thousands(fold.segments);
        let body = event.columns.application.clone().unwrap_or_else(|| event.summary(ports).to_string());
        let range = duplicate_ack_range(event, first, last);
        return format!("[{range}] {count} × {body} (frames {}–{})", event.frame, fold.last_frame);
    }
    match &event.fold {
        Some(fold) if fold.kind == FoldKind::Probes => {
            format!("… {} (frames {}–{})", fold.flagged.describe().join(", "), event.frame, fold.last_frame)
        }
        Some(fold) => {
            let flagged: String = fold.flagged.describe().iter().map(|f| format!(", {f}")).collect();
            format!(
                "… {} segments, {}, {} (frames {}–{}{flagged})",
                thousands(fold.segments),
                bytes(fold.bytes),
                seconds(fold.duration),
                event.frame,
                fold.last_frame
            )
        }
        None => event.columns.info(&event.analysis, &event.summary(ports)),
    }
}

/// `TCP Dup ACK 182#1–#7`: a burst of duplicate ACKs of the ACK in frame 182, as Wireshark numbers them.
pub fn duplicate_ack_range(event: &Event, first: u32, last: u32) -> String {
    let of = event.duplicate_of().map(|frame| frame.to_string()).unwrap_or_default();
    format!("TCP Dup ACK {of}#{first}–#{last}")
}

/// The fold of an arrow standing for a burst of duplicate ACKs, with the burst's first and last numbers.
pub fn duplicate_acks(event: &Event) -> Option<(&Fold, u32, u32)> {
    let fold = event.fold.as_ref()?;
    match fold.kind {
        FoldKind::DuplicateAcks { first, last } => Some((fold, first, last)),
        FoldKind::Transfer | FoldKind::Probes => None,
    }
}

/// Whether the arrow stands for a folded transfer (drawn thick).
pub fn is_transfer(event: &Event) -> bool {
    event.fold.as_ref().is_some_and(|f| f.kind == FoldKind::Transfer)
}

/// Whether an analysis flag is worth a tag at this label level (window updates and keep-alives only in Full).
fn is_notable(flag: AnalysisFlag, labels: Labels) -> bool {
    labels == Labels::Full
        || !matches!(
            flag,
            AnalysisFlag::WindowUpdate
                | AnalysisFlag::KeepAlive
                | AnalysisFlag::KeepAliveAck
                | AnalysisFlag::WindowFull
        )
}

/// The mark of an arrow, the most serious first.
pub fn mark(event: &Event) -> Option<Mark> {
    use AnalysisFlag as F;
    let has = |pred: fn(&AnalysisFlag) -> bool| event.analysis.iter().any(pred);
    let flagged = event.fold.as_ref().map(|f| f.flagged).unwrap_or_default();
    if event.flags.rst() {
        Some(Mark::Reset)
    } else if flagged.retransmissions > 0 {
        Some(Mark::Retransmission)
    } else if flagged.zero_windows + flagged.probes > 0 {
        Some(Mark::ZeroWindow)
    } else if flagged.lost + flagged.duplicate_acks > 0 {
        Some(Mark::Warning)
    } else if has(|f| matches!(f, F::Retransmission | F::FastRetransmission | F::SpuriousRetransmission)) {
        Some(Mark::Retransmission)
    } else if has(|f| matches!(f, F::ZeroWindow | F::ZeroWindowProbe | F::ZeroWindowProbeAck)) {
        Some(Mark::ZeroWindow)
    } else if has(|f| matches!(f, F::DuplicateAck { .. } | F::OutOfOrder | F::LostSegment | F::AckedUnseenSegment)) {
        Some(Mark::Warning)
    } else {
        None
    }
}

/// Which events are drawn: all of them, or the first and last ones around an omitted middle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// Indices into [`Dialog::events`], ascending.
    pub events: Vec<usize>,
    /// The omitted middle, if any: it sits just before `events[at]`.
    pub omitted: Option<Omitted>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Omitted {
    pub at: usize,
    pub count: usize,
    pub first_frame: u64,
    pub last_frame: u64,
}

impl Omitted {
    /// `12 345 arrows not drawn (frames 301–12 645): the diagram shows at most 400`
    pub fn note(&self) -> String {
        format!(
            "{} arrows not drawn (frames {}–{}): diagrams show at most {MAX_ARROWS}",
            thousands(self.count as u64),
            self.first_frame,
            self.last_frame
        )
    }
}

/// Chooses the arrows to draw, bounded by [`MAX_ARROWS`].
pub fn shown(dialog: &Dialog) -> Shown {
    let total = dialog.events.len();
    if total <= MAX_ARROWS {
        return Shown { events: (0..total).collect(), omitted: None };
    }
    let tail_start = total - (MAX_ARROWS - HEAD_ARROWS);
    let frame = |i: usize| dialog.events.get(i).map_or(0, |e| e.frame);
    let omitted = Omitted {
        at: HEAD_ARROWS,
        count: tail_start - HEAD_ARROWS,
        first_frame: frame(HEAD_ARROWS),
        last_frame: dialog.events.get(tail_start - 1).map_or(0, |e| e.fold.as_ref().map_or(e.frame, |f| f.last_frame)),
    };
    Shown { events: (0..HEAD_ARROWS).chain(tail_start..total).collect(), omitted: Some(omitted) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Columns;
    use crate::capture::TcpFlags;

    fn event(flags: u16, messages: &[&str]) -> Event {
        Event {
            conn: 0,
            frame: 4,
            frame_len: 202,
            src: "127.0.0.1:35604".parse().unwrap(),
            dst: "127.0.0.1:18080".parse().unwrap(),
            time: 0.000084,
            from: 0,
            to: 1,
            flags: TcpFlags(flags),
            seq: 1,
            ack: 1,
            len: 136,
            window: 65536,
            options: Default::default(),
            sack_base: 0,
            messages: messages.iter().map(|m| m.to_string()).collect(),
            columns: Columns { application: (!messages.is_empty()).then(|| messages.join(", ")), ..Default::default() },
            analysis: vec![],
            fold: None,
            decrypted: Vec::new(),
        }
    }

    #[test]
    fn a_request_reads_like_wireshark() {
        let e = event(TcpFlags::PSH | TcpFlags::ACK, &["GET / HTTP/1.1"]);
        let seq = arrow_text(&e, Labels::Seq);
        assert_eq!(seq.main, "GET / HTTP/1.1");
        assert_eq!(seq.detail, "[PSH, ACK] Seq=1 Ack=1 Len=136");
        assert_eq!(arrow_text(&e, Labels::Flags).detail, "[PSH, ACK]");
        assert_eq!(arrow_text(&e, Labels::Full).detail, "[PSH, ACK] Seq=1 Ack=1 Win=65536 Len=136");
        assert_eq!(info(&e), "GET / HTTP/1.1");
    }

    #[test]
    fn a_syn_has_no_ack_number_and_its_flags_are_the_main_label() {
        let mut e = event(TcpFlags::SYN, &[]);
        e.seq = 0;
        e.len = 0;
        let text = arrow_text(&e, Labels::Seq);
        assert_eq!(text.main, "[SYN] Seq=0 Len=0");
        assert!(!text.main_is_message);
        assert_eq!(info(&e), "35604 → 18080 [SYN] Seq=0 Win=65536 Len=0");
        assert_eq!(info_without_ports(&e), "[SYN] Seq=0 Win=65536 Len=0");
    }

    #[test]
    fn every_message_of_a_segment_gets_its_own_line() {
        let e = event(TcpFlags::PSH | TcpFlags::ACK, &["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"]);
        let text = arrow_text(&e, Labels::Seq);
        assert_eq!(text.lines, ["GET /a HTTP/1.1", "GET /b HTTP/1.1", "GET /c HTTP/1.1"]);
        assert_eq!(text.main, "GET /a HTTP/1.1, GET /b HTTP/1.1, GET /c HTTP/1.1");
        let five = event(
            TcpFlags::PSH | TcpFlags::ACK,
            &["Magic", "SETTINGS[0]", "WINDOW_UPDATE[0]", "HEADERS[1]", "DATA[1]"],
        );
        let text = arrow_text(&five, Labels::Seq);
        assert_eq!(text.lines, ["Magic", "SETTINGS[0]", "WINDOW_UPDATE[0]", "+2 more"]);
        assert_eq!(info_without_ports(&five), "Magic, SETTINGS[0], WINDOW_UPDATE[0], HEADERS[1], DATA[1]");
        let four = event(TcpFlags::ACK, &["a", "b", "c", "d"]);
        assert_eq!(arrow_text(&four, Labels::Seq).lines, ["a", "b", "c", "d"]);
    }

    #[test]
    fn analysis_flags_become_tags_and_marks() {
        let mut e = event(TcpFlags::ACK, &[]);
        e.analysis = vec![AnalysisFlag::DuplicateAck { number: 1, of_frame: 3 }];
        let text = arrow_text(&e, Labels::Seq);
        assert_eq!(text.main, "TCP Dup ACK 3#1");
        assert_eq!(text.mark, Some(Mark::Warning));
        let mut r = event(TcpFlags::RST | TcpFlags::ACK, &[]);
        r.analysis = vec![AnalysisFlag::Retransmission];
        assert_eq!(mark(&r), Some(Mark::Reset));
        r.flags = TcpFlags(TcpFlags::PSH | TcpFlags::ACK);
        r.messages = vec!["GET / HTTP/1.1".into()];
        assert_eq!(arrow_text(&r, Labels::Seq).detail, "[TCP Retransmission] [PSH, ACK] Seq=1 Ack=1 Len=136");
    }

    #[test]
    fn a_burst_of_duplicate_acks_says_how_many_and_stays_marked() {
        let mut e = event(TcpFlags::ACK, &[]);
        e.len = 0;
        e.analysis = vec![AnalysisFlag::DuplicateAck { number: 1, of_frame: 3 }];
        e.fold = Some(Fold {
            kind: FoldKind::DuplicateAcks { first: 1, last: 7 },
            segments: 7,
            acks: 0,
            bytes: 0,
            duration: 0.0005,
            last_frame: 10,
            flagged: Default::default(),
        });
        let text = arrow_text(&e, Labels::Seq);
        assert_eq!(text.main, "TCP Dup ACK 3#1–#7 (7 segments)");
        assert_eq!(text.detail, "[ACK] Seq=1 Ack=1 Len=0, frames 4–10");
        assert_eq!(text.mark, Some(Mark::Warning));
        assert!(!is_transfer(&e), "drawn as a flagged arrow, not a thick transfer");
        assert_eq!(info(&e), "[TCP Dup ACK 3#1–#7] 7 × 35604 → 18080 [ACK] Seq=1 Ack=1 Win=65536 Len=0 (frames 4–10)");
    }

    #[test]
    fn a_fold_is_summarised() {
        let mut e = event(TcpFlags::ACK, &[]);
        e.fold = Some(Fold {
            kind: FoldKind::Transfer,
            segments: 3412,
            acks: 1706,
            bytes: 4_800_000,
            duration: 0.41,
            last_frame: 5000,
            flagged: Default::default(),
        });
        let text = arrow_text(&e, Labels::Seq);
        assert_eq!(text.main, "… 3 412 segments, 4.8 MB, 0.41 s");
        assert_eq!(text.detail, "frames 4–5000, 1 706 ACKs back");
    }
}
