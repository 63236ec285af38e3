//! The `tcpdialog` command line: thin wrappers around the library's pipeline.

fn main() {
    println!("tcpdialog: not wired yet");
}
