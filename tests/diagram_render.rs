//! Diagrams of real captures: golden files for every view and format, and the properties every diagram must
//! have (valid self-contained XML, escaping, determinism, one arrow per dialog event, bounded size).

mod diagram_support;

use diagram_support::{dialog_of, repo_path, synthetic};
use tcpdialog::diagram::{DiagramOptions, Format, Labels, Spacing, Theme, TimeUnit, View, Width, render};
use tcpdialog::dialog::Dialog;

fn options(view: View) -> DiagramOptions {
    DiagramOptions { view, ..Default::default() }
}

fn text_of(dialog: &Dialog, options: &DiagramOptions, format: Format) -> String {
    String::from_utf8(render(dialog, options, format).expect("renders")).expect("UTF-8")
}

fn svg(dialog: &Dialog, options: &DiagramOptions) -> String {
    text_of(dialog, options, Format::Svg)
}

/// Every `<text>` of an SVG, as a reader sees it (entities decoded).
fn svg_texts(document: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(document).expect("the SVG is well-formed XML");
    doc.descendants().filter(|n| n.has_tag_name("text")).map(|n| n.text().unwrap_or_default().to_string()).collect()
}

/// Arrow groups: the links whose id is `{prefix}-a{frame}`.
fn arrow_ids(document: &str, prefix: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(document).expect("well-formed");
    let start = format!("{prefix}-a");
    doc.descendants().filter_map(|n| n.attribute("id")).filter(|id| id.starts_with(&start)).map(String::from).collect()
}

// ---- golden files -------------------------------------------------------------------------------------------

#[test]
fn golden_http_close_in_every_format() {
    let dialog = dialog_of("captures/http-close.pcap");
    insta::assert_snapshot!("http_close_ladder_svg", svg(&dialog, &options(View::Ladder)));
    insta::assert_snapshot!("http_close_ladder_text", text_of(&dialog, &options(View::Ladder), Format::Text));
    insta::assert_snapshot!("http_close_ladder_mermaid", text_of(&dialog, &options(View::Ladder), Format::Mermaid));
    insta::assert_snapshot!("http_close_table_html", text_of(&dialog, &options(View::Table), Format::Html));
    insta::assert_snapshot!("http_close_table_text", text_of(&dialog, &options(View::Table), Format::Text));
}

#[test]
fn golden_keepalive_ladder_and_timeline() {
    let dialog = dialog_of("captures/http-keepalive.pcap");
    insta::assert_snapshot!("keepalive_ladder_text", text_of(&dialog, &options(View::Ladder), Format::Text));
    insta::assert_snapshot!("keepalive_timeline_svg", svg(&dialog, &options(View::Timeline)));
    insta::assert_snapshot!("keepalive_timeline_text", text_of(&dialog, &options(View::Timeline), Format::Text));
}

#[test]
fn golden_page_load_timeline_and_websocket_ladder() {
    let page = dialog_of("captures/page-load.pcap");
    insta::assert_snapshot!("page_load_timeline_svg", svg(&page, &options(View::Timeline)));
    insta::assert_snapshot!("page_load_timeline_text", text_of(&page, &options(View::Timeline), Format::Text));
    let ws = dialog_of("captures/websocket.pcap");
    insta::assert_snapshot!("websocket_ladder_text", text_of(&ws, &options(View::Ladder), Format::Text));
    insta::assert_snapshot!("websocket_ladder_mermaid", text_of(&ws, &options(View::Ladder), Format::Mermaid));
}

#[test]
fn golden_label_levels_spacing_and_themes() {
    let dialog = dialog_of("captures/http-close.pcap");
    let flags = DiagramOptions { labels: Labels::Flags, ..Default::default() };
    insta::assert_snapshot!("http_close_ladder_flags_text", text_of(&dialog, &flags, Format::Text));
    let full = DiagramOptions { labels: Labels::Full, time_unit: TimeUnit::Millis, ..Default::default() };
    insta::assert_snapshot!("http_close_ladder_full_ms_text", text_of(&dialog, &full, Format::Text));
    let keepalive = dialog_of("captures/http-keepalive.pcap");
    let auto_time =
        DiagramOptions { theme: Theme::Auto, spacing: Spacing::Time, id_prefix: "ka".into(), ..Default::default() };
    insta::assert_snapshot!("keepalive_ladder_auto_time_svg", svg(&keepalive, &auto_time));
}

// ---- what the diagrams say, checked against tshark ------------------------------------------------------------

/// Rows of a `*.tshark.tsv` expectation file: frame number -> (Protocol, Info).
fn tshark_rows(path: &str) -> Vec<(u64, String, String)> {
    let text = std::fs::read_to_string(repo_path(path)).expect("expectation file");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (frame, protocol, info) = (column("frame.number"), column("_ws.col.Protocol"), column("_ws.col.Info"));
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            (cells[frame].parse().unwrap(), cells[protocol].to_string(), cells[info].trim().to_string())
        })
        .collect()
}

#[test]
fn packet_table_agrees_with_tshark() {
    let dialog = dialog_of("captures/http-close.pcap");
    let table = text_of(&dialog, &options(View::Table), Format::Text);
    let expected = tshark_rows("captures/http-close.pcap.tshark.tsv");
    assert_eq!(dialog.events.len(), expected.len(), "one row per frame (nothing folded here)");
    for (frame, protocol, info) in expected {
        let row = table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(&frame.to_string()))
            .unwrap_or_else(|| panic!("frame {frame} missing from\n{table}"));
        if protocol == "TCP" && !info.contains("reassembled PDU") {
            // tshark's Info goes on with the TCP options; ours stops after Len=.
            let ours = row.split_once("TCP").map(|(_, rest)| rest.trim_start()).unwrap();
            let ours = ours.split_once(char::is_whitespace).map(|(_, info)| info.trim()).unwrap();
            assert!(info.starts_with(ours), "frame {frame}: tshark says {info:?}, we say {ours:?}");
        } else if protocol == "HTTP" {
            let message = info.split("  ").next().unwrap().trim();
            assert!(row.contains(message), "frame {frame}: tshark says {info:?}, row is {row:?}");
            assert!(row.contains("HTTP"), "frame {frame}: protocol column");
        }
    }
}

#[test]
fn every_event_is_one_arrow_with_its_labels() {
    for capture in [
        "captures/http-close.pcap",
        "captures/http-keepalive.pcap",
        "captures/websocket.pcap",
        "captures/page-load.pcap",
    ] {
        let dialog = dialog_of(capture);
        let document = svg(&dialog, &options(View::Ladder));
        let ids = arrow_ids(&document, "d");
        let expected: Vec<String> = dialog.events.iter().map(|e| format!("d-a{}", e.frame)).collect();
        assert_eq!(ids, expected, "{capture}: one arrow per event, in order");
        let texts = svg_texts(&document);
        for message in dialog.events.iter().flat_map(|e| &e.messages) {
            assert!(texts.iter().any(|t| t.contains(message.as_str())), "{capture}: label {message:?} missing");
        }
        for phase in &dialog.phases {
            let first_word = phase.label.split_whitespace().next().unwrap();
            assert!(texts.iter().any(|t| t.contains(first_word)), "{capture}: phase {:?} not named", phase.label);
        }
        let text = text_of(&dialog, &options(View::Ladder), Format::Text);
        let mermaid = text_of(&dialog, &options(View::Ladder), Format::Mermaid);
        let arrows_in_mermaid =
            mermaid.lines().filter(|l| l.starts_with("    p") && !l.starts_with("    participant")).count();
        assert_eq!(arrows_in_mermaid, dialog.events.len(), "{capture}: Mermaid arrows");
        for event in &dialog.events {
            let frame_line = text.lines().any(|l| l.split_whitespace().next() == Some(&event.frame.to_string()));
            assert!(frame_line, "{capture}: frame {} missing from the text ladder", event.frame);
        }
    }
}

#[test]
fn a_segment_completing_several_messages_lists_each_on_its_own_line() {
    // h2c frame 10 carries Magic, SETTINGS, SETTINGS ACK and WINDOW_UPDATE; tls13 frame 6 carries six records
    // (tshark: `tshark -r captures/tls13.pcap -Y frame.number==6` lists Server Hello and five more).
    let h2c = dialog_of("captures/h2c-upgrade.pcap");
    let frame10 = h2c.events.iter().find(|e| e.frame == 10).unwrap();
    assert_eq!(frame10.messages.len(), 4, "{:?}", frame10.messages);
    let document = svg(&h2c, &options(View::Ladder));
    let texts = svg_texts(&document);
    assert!(texts.iter().any(|t| t == "Magic"), "Magic has a line of its own");
    assert!(texts.iter().any(|t| t == "SETTINGS[0] [ACK]"));
    assert!(texts.iter().any(|t| t == "HTTP/1.1 101 Switching Protocols"));
    assert!(!texts.iter().any(|t| t.starts_with("HTTP/1.1 101 Switching Protocols,")), "not joined with commas");
    let doc = roxmltree::Document::parse(&document).unwrap();
    let tooltip = doc.descendants().find(|n| n.attribute("id") == Some("d-a10")).unwrap();
    let title = tooltip.descendants().find(|n| n.has_tag_name("title")).unwrap().text().unwrap();
    assert!(title.ends_with(&frame10.messages.join(", ")), "the tooltip keeps every message: {title}");
    let text = text_of(&h2c, &options(View::Ladder), Format::Text);
    assert!(text.lines().any(|l| l.trim_start_matches([' ', '|']).starts_with("WINDOW_UPDATE[0]")), "{text}");

    let tls = dialog_of("captures/tls13.pcap");
    let frame6 = tls.events.iter().find(|e| e.frame == 6).unwrap();
    assert_eq!(frame6.messages.len(), 6, "{:?}", frame6.messages);
    let texts = svg_texts(&svg(&tls, &options(View::Ladder)));
    let more = format!("+{} more", frame6.messages.len() - 3);
    assert!(texts.contains(&more), "{more} missing from {texts:?}");
    assert!(texts.iter().any(|t| t == "Change Cipher Spec"));
}

#[test]
fn tooltips_name_the_sockets_once() {
    let dialog = dialog_of("captures/http-close.pcap");
    let document = svg(&dialog, &options(View::Ladder));
    assert!(document.contains("<title>Frame 5, 0.000168 s: 127.0.0.1:18080 → 127.0.0.1:53010 [ACK] Seq=1"));
    assert!(!document.contains("18080 → 53010"));
}

#[test]
fn the_legend_explains_the_flags_that_appear_and_http_close_reads_like_the_article() {
    let dialog = dialog_of("captures/http-close.pcap");
    let texts = svg_texts(&svg(&dialog, &options(View::Ladder)));
    // tshark: http-close.pcap's segments carry SYN, ACK, PSH and FIN, never URG or RST.
    for flag in ["ACK", "PSH", "SYN", "FIN"] {
        assert!(texts.iter().any(|t| t == flag), "legend lacks {flag}");
    }
    for flag in ["URG", "RST"] {
        assert!(!texts.iter().any(|t| t == flag), "legend explains {flag}, which no arrow carries");
    }
    // A reset is explained where one appears.
    let reset = svg_texts(&svg(&dialog_of("tests/fixtures/abort-linger0.pcap"), &options(View::Ladder)));
    assert!(reset.iter().any(|t| t == "RST"));
    // The article's dialog: SYN; SYN, ACK; ACK; GET (PSH, ACK); ...; FIN, ACK both ways; last ACK.
    assert!(texts.iter().any(|t| t.starts_with("[SYN] Seq=0")));
    assert!(texts.iter().any(|t| t.starts_with("[SYN, ACK] Seq=0 Ack=1")));
    assert!(texts.iter().any(|t| t == "GET / HTTP/1.1"));
    assert!(texts.iter().any(|t| t == "[PSH, ACK] Seq=1 Ack=1 Len=136"));
    assert_eq!(texts.iter().filter(|t| t.starts_with("[FIN, ACK]")).count(), 2);
    assert!(texts.iter().any(|t| t.starts_with("handshake")));
    assert!(texts.iter().any(|t| t.starts_with("teardown")));
}

// ---- documents ------------------------------------------------------------------------------------------------

#[test]
fn svg_is_self_contained_accessible_and_sized() {
    let dialog = dialog_of("captures/http-keepalive.pcap");
    for view in [View::Ladder, View::Timeline] {
        let document = svg(&dialog, &options(view));
        let doc = roxmltree::Document::parse(&document).expect("well-formed");
        let root = doc.root_element();
        assert_eq!(root.attribute("role"), Some("img"));
        assert_eq!(root.attribute("aria-labelledby"), Some("d-title d-desc"));
        let width: f64 = root.attribute("width").unwrap().parse().unwrap();
        assert!(width <= 860.0, "fits a blog column");
        let height = root.attribute("height").unwrap();
        assert_eq!(root.attribute("viewBox"), Some(format!("0 0 {width} {height}").as_str()));
        assert!(root.attribute("font-family").unwrap().starts_with("'DejaVu Sans Mono'"));
        let desc = doc.descendants().find(|n| n.has_tag_name("desc")).unwrap();
        assert_eq!(desc.text(), Some(dialog.description.as_str()));
        assert_eq!(doc.descendants().find(|n| n.has_tag_name("title")).unwrap().text(), Some(dialog.title.as_str()));
        for forbidden in ["<script", "<image", "@import", "@font-face", "url(", "xlink:href"] {
            assert!(!document.contains(forbidden), "{forbidden} in a self-contained SVG");
        }
        // Coordinates have at most one decimal.
        for node in doc.descendants() {
            for attr in ["x", "y", "x1", "y1", "x2", "y2", "width", "height"] {
                if let Some(value) = node.attribute(attr) {
                    let decimals = value.split_once('.').map_or(0, |(_, d)| d.len());
                    assert!(decimals <= 1, "{attr}={value}");
                }
            }
        }
    }
}

#[test]
fn ids_and_styles_are_prefixed_so_diagrams_share_a_page() {
    let dialog = dialog_of("captures/http-close.pcap");
    let one_options = DiagramOptions { id_prefix: "one".into(), link_to_table: true, ..Default::default() };
    let one = svg(&dialog, &one_options);
    let two = svg(&dialog, &DiagramOptions { id_prefix: "two".into(), theme: Theme::Dark, ..Default::default() });
    let ids = |document: &str| -> Vec<String> {
        let doc = roxmltree::Document::parse(document).unwrap();
        doc.descendants().filter_map(|n| n.attribute("id")).map(String::from).collect()
    };
    assert!(ids(&one).iter().all(|id| id.starts_with("one")));
    assert!(ids(&two).iter().all(|id| id.starts_with("two")));
    let style =
        |document: &str| document.split("<style>").nth(1).unwrap().split("</style>").next().unwrap().to_string();
    assert!(style(&one).lines().filter(|l| !l.is_empty()).all(|l| l.starts_with("#one .")));
    assert!(style(&two).contains("#two .bg{fill:#0d1117}"), "dark background");
    let table = text_of(
        &dialog,
        &DiagramOptions { view: View::Table, id_prefix: "one".into(), table_links_back: true, ..Default::default() },
        Format::Html,
    );
    // To the arrow in the wide ladder, and (shown by a phone's stylesheet) in the compact one.
    assert!(
        table.contains(
            r##"<tr id="one-f4"><td><a class="to-wide" href="#one-a4">4</a><a class="to-compact" href="#onec-a4" hidden>4</a>"##
        ),
        "rows link to arrows"
    );
    assert!(one.contains(r##"<a href="#one-f4" id="one-a4">"##), "arrows link back to rows");
    let compact = svg(&dialog, &DiagramOptions { width: Width::Compact, ..one_options.clone() });
    assert!(compact.contains(r##"<a href="#one-f4" id="onec-a4">"##), "compact arrows link to the same rows");
    let alone = text_of(&dialog, &DiagramOptions { view: View::Table, ..Default::default() }, Format::Html);
    assert!(alone.contains(r#"<tr id="d-f4"><td>4</td>"#), "a table alone links to no arrow");
    let alone = svg(&dialog, &DiagramOptions { id_prefix: "one".into(), ..Default::default() });
    assert!(alone.contains(r#"<g id="one-a4">"#) && !alone.contains("href="), "no links without the table");
    let auto = svg(&dialog, &DiagramOptions { theme: Theme::Auto, ..Default::default() });
    assert!(auto.contains("@media (prefers-color-scheme: dark)"));
}

#[test]
fn payload_text_is_escaped_everywhere() {
    let mut dialog = dialog_of("captures/http-close.pcap");
    let evil = "GET /<script>alert('x')</script>]]>&amp;\u{1}; #end HTTP/1.1";
    let request = dialog.events.iter_mut().find(|e| !e.messages.is_empty()).unwrap();
    request.messages = vec![evil.to_string()];
    dialog.title = "<b>title</b> ]]>".into();
    dialog.description = "desc with <script> & \"quotes\"".into();
    for view in [View::Ladder, View::Timeline] {
        let document = svg(&dialog, &options(view));
        assert!(!document.contains("<script"), "{view:?}: raw markup leaked");
        assert!(!document.contains("]]>"));
        let doc = roxmltree::Document::parse(&document).expect("still well-formed");
        assert_eq!(doc.descendants().find(|n| n.has_tag_name("title")).unwrap().text(), Some("<b>title</b> ]]>"));
    }
    let texts = svg_texts(&svg(&dialog, &options(View::Ladder)));
    assert!(texts.iter().any(|t| t.starts_with("GET /<script>alert('x')")), "decoded text reads as sent");
    let table = text_of(&dialog, &options(View::Table), Format::Html);
    assert!(!table.contains("<script") && !table.contains("]]>"));
    roxmltree::Document::parse(&table).expect("the table fragment is well-formed XML too");
    let mermaid = text_of(&dialog, &options(View::Ladder), Format::Mermaid);
    assert!(!mermaid.contains("<script") && !mermaid.contains("; #end"));
    let png = render(&dialog, &options(View::Ladder), Format::Png).expect("PNG renders escaped text");
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn unsupported_combinations_are_errors() {
    let dialog = dialog_of("captures/http-close.pcap");
    for (view, format) in [
        (View::Table, Format::Svg),
        (View::Table, Format::Png),
        (View::Timeline, Format::Mermaid),
        (View::Ladder, Format::Html),
    ] {
        let error = render(&dialog, &options(view), format).unwrap_err();
        assert!(error.to_string().contains("cannot be written as"), "{error}");
    }
}

// ---- PNG ------------------------------------------------------------------------------------------------------

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    (width, height)
}

fn digest(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

#[test]
fn png_is_deterministic_and_sized_by_the_scale() {
    let dialog = dialog_of("captures/http-close.pcap");
    let first = render(&dialog, &options(View::Ladder), Format::Png).unwrap();
    let second = render(&dialog, &options(View::Ladder), Format::Png).unwrap();
    assert_eq!(digest(&first), digest(&second), "same bytes every time");
    let document = svg(&dialog, &options(View::Ladder));
    let height: f64 =
        roxmltree::Document::parse(&document).unwrap().root_element().attribute("height").unwrap().parse().unwrap();
    assert_eq!(png_size(&first), (860, height as u32));
    let retina = render(&dialog, &DiagramOptions { scale: 2.0, ..Default::default() }, Format::Png).unwrap();
    assert_eq!(png_size(&retina), (1720, 2 * height as u32));
    assert!(first.len() > 20_000, "text was drawn (a blank image compresses to almost nothing)");
    let dark = render(&dialog, &DiagramOptions { theme: Theme::Dark, ..Default::default() }, Format::Png).unwrap();
    assert_ne!(digest(&first), digest(&dark));
    let timeline = render(&dialog_of("captures/page-load.pcap"), &options(View::Timeline), Format::Png).unwrap();
    assert_eq!(png_size(&timeline).0, 860);
}

// ---- size bounds ----------------------------------------------------------------------------------------------

#[test]
fn huge_dialogs_are_capped_and_say_so() {
    let dialog = synthetic::transfer(2_000, false);
    assert!(dialog.events.len() > 2_000);
    let document = svg(&dialog, &options(View::Ladder));
    assert_eq!(arrow_ids(&document, "d").len(), 400, "at most 400 arrows");
    let texts = svg_texts(&document);
    assert!(texts.iter().any(|t| t.contains("arrows not drawn") && t.contains("at most 400")), "the cap is stated");
    let last = dialog.events.last().unwrap().frame;
    assert!(arrow_ids(&document, "d").contains(&format!("d-a{last}")), "the teardown stays visible");
    assert!(text_of(&dialog, &options(View::Ladder), Format::Text).contains("arrows not drawn"));
    assert!(text_of(&dialog, &options(View::Table), Format::Html).contains("arrows not drawn"));

    let folded = synthetic::transfer(100_000, true);
    let texts = svg_texts(&svg(&folded, &options(View::Ladder)));
    assert!(texts.iter().any(|t| t.starts_with("… 99 999 segments, 3.3 GB")), "{texts:?}");

    let many = synthetic::connections(1_000);
    let timeline = svg(&many, &options(View::Timeline));
    assert!(timeline.contains("800 more connections not drawn"));
    let height: f64 =
        roxmltree::Document::parse(&timeline).unwrap().root_element().attribute("height").unwrap().parse().unwrap();
    assert!(height < 8_000.0);
}
