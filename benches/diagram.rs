//! Time and output size of SVG and PNG rendering for a small real dialog, a 100 000-segment transfer (folded
//! as the dialog builder folds it, and unfolded to exercise the 400-arrow cap) and 1 000 connections.
//!
//! `cargo bench --bench diagram`; the output sizes are printed once before the timings.

#[path = "../tests/diagram_support/mod.rs"]
mod diagram_support;

use criterion::{Criterion, criterion_group, criterion_main};
use diagram_support::{dialog_of, synthetic};
use std::hint::black_box;
use tcpdialog::diagram::{DiagramOptions, Format, View, render};
use tcpdialog::dialog::Dialog;

fn cases() -> Vec<(&'static str, Dialog, View)> {
    vec![
        ("http-close", dialog_of("captures/http-close.pcap"), View::Ladder),
        ("transfer-100k-folded", synthetic::transfer(100_000, true), View::Ladder),
        ("transfer-100k-unfolded", synthetic::transfer(100_000, false), View::Ladder),
        ("connections-1000-ladder", synthetic::connections(1_000), View::Ladder),
        ("connections-1000-timeline", synthetic::connections(1_000), View::Timeline),
    ]
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("diagram");
    group.sample_size(10);
    for (name, dialog, view) in cases() {
        let options = DiagramOptions { view, ..Default::default() };
        for format in [Format::Svg, Format::Png] {
            let bytes = render(&dialog, &options, format).expect("renders");
            println!("{name} {format:?}: {} events -> {} bytes", dialog.events.len(), bytes.len());
            group.bench_function(format!("{name}/{format:?}"), |b| {
                b.iter(|| render(black_box(&dialog), &options, format).expect("renders"))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
