//! The whole pipeline on one fuzz input, shared by the `pipeline` fuzz target and tests/pipeline_fuzz_corpus.rs.
//!
//! The input is a capture file's bytes. They are analysed, a few selections of it become dialogs, and every
//! dialog is rendered in every view and text format. Besides "no panic, no hang", it checks what must hold
//! for any input: each arrow stands for a segment the analysis has, analysing only what a selection retains
//! gives the same dialog, SVG and HTML parse as XML with unique ids and finite coordinates, Mermaid keeps
//! payload text from breaking its syntax, text output is one line per line, and rendering is deterministic.

use std::collections::BTreeSet;
use std::io::Cursor;
use tcpdialog::analyze::{CaptureAnalysis, analyze_reader};
use tcpdialog::diagram::{self, DiagramOptions, Format, Labels, Spacing, Theme, TimeUnit, View};
use tcpdialog::dialog::{self, Dialog, DialogOptions, Selection};
use tcpdialog::proto::DecoderOptions;
use tcpdialog::tcp::Retention;

/// Every (view, format) pair `diagram::render` supports, except PNG: one PNG costs ~100 ms (resvg), the
/// rest of the pipeline a few ms, so it would cut the fuzzer's speed twentyfold. PNG renders the same layout
/// as SVG, which is checked.
const RENDERINGS: [(View, Format); 7] = [
    (View::Ladder, Format::Svg),
    (View::Ladder, Format::Text),
    (View::Ladder, Format::Mermaid),
    (View::Timeline, Format::Svg),
    (View::Timeline, Format::Text),
    (View::Table, Format::Html),
    (View::Table, Format::Text),
];

/// What one input went through, for the replay test to check that real captures exercise every stage.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The capture was readable far enough to analyse.
    pub analysed: bool,
    pub dialogs: usize,
    pub events: usize,
    pub renderings: usize,
}

/// Runs the pipeline on `data` and panics on any broken invariant.
pub fn run(data: &[u8]) -> Outcome {
    let mut outcome = Outcome::default();
    let Ok(analysis) = analyse(data, Retention::all()) else {
        return outcome;
    };
    outcome.analysed = true;
    check_analysis(&analysis);
    // Selections often give the same dialog (stream 0 of a one-connection capture): render each once.
    let mut rendered: Vec<Dialog> = Vec::new();
    for selection in selections(&analysis) {
        let options = DialogOptions::default();
        let built = dialog::build(&analysis, &selection, &options);
        let retained = analyse(data, selection.retention()).expect("the same bytes analysed twice");
        assert_eq!(
            dialog::build(&retained, &selection, &options),
            built,
            "{selection:?}: retaining only the selection changes the dialog"
        );
        let Ok(dialog) = built else {
            continue;
        };
        check_dialog(&analysis, &selection, &dialog);
        outcome.dialogs += 1;
        outcome.events += dialog.events.len();
        if !rendered.contains(&dialog) {
            outcome.renderings += render_all(&dialog);
            rendered.push(dialog);
        }
    }
    outcome
}

fn analyse(data: &[u8], retention: Retention) -> Result<CaptureAnalysis, tcpdialog::capture::CaptureError> {
    analyze_reader("fuzz-input", Cursor::new(data.to_vec()), &DecoderOptions::default(), retention)
}

/// All streams, the first stream, and the middle third of the frames.
fn selections(analysis: &CaptureAnalysis) -> Vec<Selection> {
    let packets = analysis.summary.packets;
    let first = packets / 3 + 1;
    let last = (packets * 2 / 3).max(first);
    vec![
        Selection::default(),
        Selection { streams: vec![0], ..Default::default() },
        Selection { frames: Some((first, last)), ..Default::default() },
    ]
}

fn check_analysis(analysis: &CaptureAnalysis) {
    let packets = analysis.summary.packets;
    for (index, connection) in analysis.connections.iter().enumerate() {
        assert_eq!(connection.index, index, "connections are listed by tcp.stream");
        let frames: Vec<u64> = connection.segments.iter().map(|s| s.frame).collect();
        assert!(frames.windows(2).all(|w| w[0] < w[1]), "stream {index}: segments out of frame order {frames:?}");
        assert!(frames.iter().all(|&f| (1..=packets).contains(&f)), "stream {index}: frame beyond {packets}");
    }
    let ends: Vec<u64> = analysis.messages.iter().map(|m| m.end_frame).collect();
    assert!(ends.windows(2).all(|w| w[0] <= w[1]), "messages not ordered by end frame: {ends:?}");
    for m in &analysis.messages {
        assert!(m.frame <= m.end_frame && m.end_frame <= packets, "message frames out of range: {m:?}");
        assert!(m.conn < analysis.connections.len(), "message of a stream that does not exist: {m:?}");
    }
}

fn check_dialog(analysis: &CaptureAnalysis, selection: &Selection, dialog: &Dialog) {
    let shown: BTreeSet<usize> = dialog.connections.iter().copied().collect();
    for event in &dialog.events {
        let connection = analysis.connections.get(event.conn);
        assert!(shown.contains(&event.conn), "frame {}: arrow of a stream not shown", event.frame);
        assert!(
            connection.is_some_and(|c| c.segments.iter().any(|s| s.frame == event.frame)),
            "frame {}: no segment of stream {} has this frame",
            event.frame,
            event.conn
        );
        assert!(event.from < dialog.participants.len() && event.to < dialog.participants.len());
        assert!(event.time.is_finite() && event.time >= 0.0, "frame {}: time {}", event.frame, event.time);
        if let Some(fold) = &event.fold {
            assert!(fold.last_frame >= event.frame, "frame {}: fold ends before it starts", event.frame);
            assert!(fold.duration.is_finite() && fold.duration >= 0.0, "frame {}: fold {fold:?}", event.frame);
        }
        if let Some((first, last)) = selection.frames {
            assert!((first..=last).contains(&event.frame), "frame {} outside {first}..={last}", event.frame);
        }
        if !selection.streams.is_empty() {
            assert!(selection.streams.contains(&event.conn), "frame {}: stream not selected", event.frame);
        }
    }
    let frames: Vec<u64> = dialog.events.iter().map(|e| e.frame).collect();
    assert!(frames.windows(2).all(|w| w[0] < w[1]), "arrows out of frame order: {frames:?}");
    for phase in &dialog.phases {
        assert!(phase.first <= phase.last && phase.last < dialog.events.len(), "phase out of range: {phase:?}");
        assert!(shown.contains(&phase.conn), "phase of a stream not shown: {phase:?}");
    }
}

/// Renders `dialog` every supported way, with plain and with every non-default option; returns how many outputs.
fn render_all(dialog: &Dialog) -> usize {
    let plain = DiagramOptions::default();
    let full = DiagramOptions {
        labels: Labels::Full,
        theme: Theme::Auto,
        spacing: Spacing::Time,
        id_prefix: "fuzz 2".into(),
        time_unit: TimeUnit::Millis,
        link_to_table: true,
        ..Default::default()
    };
    let mut outputs = 0;
    for options in [plain, full] {
        for (view, format) in RENDERINGS {
            let options = DiagramOptions { view, ..options.clone() };
            let bytes = render(dialog, &options, format);
            let text = String::from_utf8(bytes).unwrap_or_else(|e| panic!("{view:?} {format:?}: not UTF-8: {e}"));
            match format {
                Format::Svg | Format::Html => check_xml(&text, view, format),
                Format::Mermaid => check_mermaid(&text),
                Format::Text => check_text(&text, view),
                Format::Png => {}
            }
            outputs += 1;
        }
    }
    outputs
}

/// Renders twice and checks both outputs are the same bytes.
fn render(dialog: &Dialog, options: &DiagramOptions, format: Format) -> Vec<u8> {
    let render = || {
        diagram::render(dialog, options, format)
            .unwrap_or_else(|e| panic!("{:?} {format:?} is supported but failed: {e}", options.view))
    };
    let bytes = render();
    assert!(bytes == render(), "{:?} {format:?}: two renderings differ", options.view);
    bytes
}

/// Coordinate attributes of our SVG elements: they must be finite numbers.
const NUMERIC_ATTRIBUTES: [&str; 10] = ["x", "y", "width", "height", "x1", "y1", "x2", "y2", "rx", "font-size"];

fn check_xml(text: &str, view: View, format: Format) {
    // The HTML table is a fragment of sibling elements: give it a root.
    let document = if format == Format::Html { format!("<div>{text}</div>") } else { text.to_string() };
    let tree = roxmltree::Document::parse(&document)
        .unwrap_or_else(|e| panic!("{view:?} {format:?} does not parse as XML: {e}\n{text}"));
    let mut ids = BTreeSet::new();
    for node in tree.descendants().filter(|n| n.is_element()) {
        if let Some(id) = node.attribute("id") {
            assert!(ids.insert(id), "{view:?} {format:?}: id {id:?} used twice");
        }
        for name in NUMERIC_ATTRIBUTES {
            if let Some(value) = node.attribute(name) {
                let number: f64 =
                    value.parse().unwrap_or_else(|_| panic!("{view:?} {format:?}: {name}={value:?} is not a number"));
                assert!(number.is_finite(), "{view:?} {format:?}: {name}={value:?}");
            }
        }
        if let Some(points) = node.attribute("points") {
            let finite = points.split([' ', ',']).filter(|p| !p.is_empty()).all(|p| p.parse::<f64>().is_ok());
            assert!(finite, "{view:?} {format:?}: points={points:?}");
        }
    }
}

/// Every line is a statement Mermaid's grammar expects, with payload text reduced to entity codes.
fn check_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("sequenceDiagram"));
    for line in lines {
        let statement = line.strip_prefix("    ").unwrap_or_else(|| panic!("Mermaid line not indented: {line:?}"));
        let known = ["title ", "participant p", "Note over p0,p"].iter().any(|s| statement.starts_with(s))
            || (statement.starts_with('p') && statement[1..].starts_with(|c: char| c.is_ascii_digit()));
        assert!(known, "not a Mermaid statement: {line:?}");
        let bare = without_entities(statement);
        assert!(!bare.contains([';', '#', '%', '{', '}']), "Mermaid line with a raw special character: {line:?}");
    }
}

/// `text` without Mermaid entity codes (`#35;`, `#lt;`).
fn without_entities(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(hash) = rest.find('#') {
        out.push_str(&rest[..hash]);
        let after = &rest[hash + 1..];
        let code = after.find(';').filter(|&end| end > 0 && after[..end].chars().all(|c| c.is_ascii_alphanumeric()));
        match code {
            Some(end) => rest = &after[end + 1..],
            None => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Text output goes to terminals: nothing from the payload may move the cursor or end a line early.
fn check_text(text: &str, view: View) {
    if let Some(c) = text.chars().find(|&c| c.is_control() && c != '\n') {
        panic!("{view:?} text contains control character {c:?}:\n{text}");
    }
}
