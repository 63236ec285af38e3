//! Prints the messages of every capture (run with `--ignored --nocapture` to look at them).

use std::path::Path;
use tcpdialog::analyze::analyze_file;
use tcpdialog::proto::DecoderOptions;

#[test]
#[ignore = "prints, asserts nothing"]
fn dump_messages_of_every_capture() {
    for dir in ["captures", "tests/fixtures"] {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for path in files
            .iter()
            .filter(|p| p.extension().is_some_and(|e| e == "pcap" || e == "pcapng"))
        {
            println!("== {}", path.display());
            match analyze_file(Path::new(path), &DecoderOptions::default()) {
                Ok(analysis) => {
                    for m in &analysis.messages {
                        println!(
                            "{}-{} c{} {} {:?} {}",
                            m.frame,
                            m.end_frame,
                            m.conn,
                            m.dir.short(),
                            m.protocol,
                            m.summary
                        );
                    }
                }
                Err(e) => println!("error: {e}"),
            }
        }
    }
}
