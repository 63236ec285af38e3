//! Several connections in one diagram stay readable: text and Mermaid name each arrow's connection (tshark's
//! `tcp.stream` of its frame), and `--lanes` gives each connection a client lifeline of its own.

mod common;

use common::*;
use std::collections::BTreeSet;

/// tshark's `tcp.stream` of each frame of page-load.pcap (six connections to one server).
fn streams() -> Vec<(String, String)> {
    tshark_rows(&capture("page-load.pcap"))
        .into_iter()
        .map(|r| (r["frame.number"].clone(), r["tcp.stream"].clone()))
        .collect()
}

fn diagram(args: &[&str]) -> String {
    let path = capture("page-load.pcap");
    let mut all = vec!["diagram", path.to_str().unwrap()];
    all.extend_from_slice(args);
    ok(run(&all))
}

#[test]
fn text_and_mermaid_name_the_connection_of_each_arrow() {
    let expected = streams();
    let text = diagram(&["--format", "text"]);
    let mermaid = diagram(&["--format", "mermaid"]);
    for (frame, stream) in &expected {
        let line = text
            .lines()
            .find(|l| {
                let mut cells = l.split_whitespace();
                cells.next() == Some(frame.as_str()) && cells.next().is_some_and(|t| t.parse::<f64>().is_ok())
            })
            .unwrap();
        let comment = line.rsplit_once("|  ").map_or("", |(_, c)| c);
        assert!(comment.starts_with(&format!("#{stream} ")), "frame {frame}: {line}");
        let arrow = mermaid.lines().find(|l| l.contains(&format!(": {frame} "))).unwrap();
        assert!(arrow.contains(&format!("#35;{stream} ")), "frame {frame}: {arrow}");
    }
}

#[test]
fn lanes_give_each_connection_its_own_client_lifeline() {
    let expected = streams();
    let connections: BTreeSet<&String> = expected.iter().map(|(_, s)| s).collect();
    let shared = diagram(&["--format", "mermaid"]);
    assert_eq!(shared.matches("participant ").count(), 2, "{shared}");
    let lanes = diagram(&["--format", "mermaid", "--lanes"]);
    assert_eq!(lanes.matches("participant ").count(), connections.len() + 1, "{lanes}");
    // Each connection's arrows run between its own lifeline and the server's.
    let server = format!("p{}", connections.len());
    let mut lifeline_of: Vec<(String, String)> = Vec::new();
    for (frame, stream) in &expected {
        let arrow = lanes.lines().find(|l| l.contains(&format!(": {frame} "))).unwrap();
        let ends = arrow.trim().split(':').next().unwrap();
        let client =
            ends.split(|c: char| !c.is_ascii_alphanumeric()).find(|p| p.starts_with('p') && *p != server).unwrap();
        lifeline_of.push((stream.clone(), client.to_string()));
    }
    lifeline_of.sort();
    lifeline_of.dedup();
    assert_eq!(lifeline_of.len(), connections.len(), "one lifeline per connection: {lifeline_of:?}");
}
