//! `--keylog` on the command line: every format shows what the key log decrypts and none of its secrets;
//! bad key logs are named; malformed lines are warnings naming file and line.

mod common;

use common::{capture, fixture, ok, run, stderr};

/// Every format of the ladder, then the views with their own formats.
const FORMATS: [&str; 4] = ["svg", "png", "txt", "mermaid"];

fn secrets(keys: &str) -> Vec<String> {
    let text = std::fs::read_to_string(keys).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.len() >= 64)
        .map(str::to_ascii_lowercase)
        .collect()
}

fn assert_no_secret(output: &[u8], secrets: &[String], what: &str) {
    let text = String::from_utf8_lossy(output).to_ascii_lowercase();
    for secret in secrets {
        assert!(!text.contains(&secret[..32]), "{what} holds a secret");
        assert!(!output.windows(16).any(|w| hex(w) == secret[..32]), "{what} holds a secret's bytes");
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn every_format_and_inspect_show_the_decrypted_dialog_and_no_secret() {
    let pcap = capture("https-h2.pcap");
    let keys = capture("https-h2.keys");
    let (pcap, keys) = (pcap.to_str().unwrap(), keys.to_str().unwrap());
    let secrets = secrets(keys);
    for format in FORMATS {
        let out = run(&["diagram", pcap, "--keylog", keys, "--format", format]);
        assert!(out.status.success(), "{format}: {}", stderr(&out));
        assert_no_secret(&out.stdout, &secrets, format);
        if format != "png" {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("GET /style.css"), "{format} shows the decrypted request");
        }
    }
    for (view, format) in [("timeline", "svg"), ("timeline", "txt"), ("table", "html"), ("table", "txt")] {
        let out = ok(run(&["diagram", pcap, "--keylog", keys, "--view", view, "--format", format]));
        assert_no_secret(out.as_bytes(), &secrets, &format!("{view} {format}"));
    }
    let text = ok(run(&["inspect", pcap, "--keylog", keys]));
    assert!(text.contains("HEADERS[5]: GET /icon.svg"), "{text}");
    let json = ok(run(&["inspect", pcap, "--keylog", keys, "--format", "json"]));
    assert!(json.contains("\"decrypted\": true"));
    for out in [text, json] {
        assert_no_secret(out.as_bytes(), &secrets, "inspect");
    }
}

#[test]
fn without_the_key_log_each_format_says_why_nothing_inside_is_shown() {
    let pcap = capture("https-get.pcap");
    for format in ["svg", "txt", "mermaid"] {
        let out = ok(run(&["diagram", pcap.to_str().unwrap(), "--format", format]));
        assert!(out.contains("give a key log with --keylog"), "{format}: {out}");
        assert!(!out.contains("GET /"), "{format}");
    }
    let text = ok(run(&["inspect", pcap.to_str().unwrap()]));
    assert!(text.contains("note: stream 0, frame 6: encrypted: give a key log with --keylog to see inside"), "{text}");
}

#[test]
fn an_embedded_decryption_secrets_block_needs_no_option() {
    let out = ok(run(&["inspect", fixture("tls/tls13-dsb.pcapng").to_str().unwrap()]));
    assert!(out.contains("GET / HTTP/1.1"), "{out}");
    assert!(!out.contains("note:"), "{out}");
}

#[test]
fn a_missing_key_log_is_an_error_and_a_bad_line_a_warning_with_its_line() {
    let pcap = capture("https-get.pcap");
    let out = run(&["inspect", pcap.to_str().unwrap(), "--keylog", "no-such.keys"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("cannot read key log no-such.keys"), "{}", stderr(&out));

    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("bad.keys");
    let good = std::fs::read_to_string(capture("https-get.keys")).unwrap();
    std::fs::write(&keys, format!("{good}CLIENT_RANDOM nothex secret\n")).unwrap();
    let out = run(&["inspect", pcap.to_str().unwrap(), "--keylog", keys.to_str().unwrap()]);
    assert!(out.status.success());
    let line = good.lines().count() + 1;
    let expected =
        format!("warning: {}: line {line}: CLIENT_RANDOM: the client random is not 64 hex digits", keys.display());
    assert!(stderr(&out).contains(&expected), "{}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("GET / HTTP/1.1"), "the good lines still decrypt");
}
