//! `check`: the same loading and verification as `build`, every problem listed with file:line, nothing
//! written. Missing link targets are warnings in `build` and errors in `check`.

mod site_harness;

use site_harness::TestSite;

#[test]
fn check_lists_every_problem_and_writes_nothing() {
    let site = TestSite::new();
    site.file("content/posts/good.md", "Title: Good\nDate: 2024-01-01\n\nSee [gone]({filename}/gone.md).\n");
    site.file(
        "content/posts/blocks.md",
        "Title: Blocks\nDate: 2024-01-02\n\n```tcpdialog\ncapture = \"nope.pcap\"\n```\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstreem = 0\n```\n\n```tcpdialog\ncapture = \"http-close.pcap\"\nstream = 9\n```\n",
    );
    site.file("content/posts/dateless.md", "Title: No date\n\nbody\n");
    let report = site.check();
    let errors: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 5, "{errors:#?}");
    let expected = [
        "content/posts/dateless.md:1: the post has no date",
        "content/posts/blocks.md:5: tcpdialog block: capture \"nope.pcap\" not found (captures/nope.pcap)",
        "content/posts/blocks.md:10: tcpdialog block: unknown key `streem`",
        "content/posts/blocks.md:14: tcpdialog block: stream 9 does not exist",
        "content/posts/good.md:4: link target \"{filename}/gone.md\" does not exist (content/gone.md)",
    ];
    for want in expected {
        assert!(errors.iter().any(|e| e.starts_with(want)), "missing {want:?} in {errors:#?}");
    }
    assert!(!site.root().join("output").exists(), "check wrote output/");
    assert!(!site.root().join(".tcpdialog-cache").exists(), "check wrote the cache");
}

#[test]
fn a_missing_link_target_only_warns_in_build() {
    let site = TestSite::new();
    site.file("content/posts/a.md", "Title: A\nDate: 2024-01-01\n\n![shot]({static}/images/missing.png)\n");
    let report = site.build_ok();
    assert_eq!(
        report.warnings,
        [
            "content/posts/a.md:4: link target \"{static}/images/missing.png\" does not exist (content/images/missing.png)"
        ]
    );
    assert!(!site.check().is_ok());
}

#[test]
fn a_capture_link_to_a_missing_file_is_an_error_in_both() {
    let site = TestSite::new();
    site.file("content/posts/a.md", "Title: A\nDate: 2024-01-01\n\nDownload [the capture]({capture}/missing.pcap).\n");
    let error = site.build().expect_err("missing capture").to_string();
    assert!(
        error.contains(
            "content/posts/a.md:4: link target \"{capture}/missing.pcap\" does not exist (captures/missing.pcap)"
        ),
        "{error}"
    );
    assert_eq!(site.check().errors.len(), 1);
}

#[test]
fn captures_cannot_leave_the_site() {
    let site = TestSite::new();
    site.file(
        "content/posts/a.md",
        "Title: A\nDate: 2024-01-01\n\n```tcpdialog\ncapture = \"../tcpdialog.toml\"\n```\n",
    );
    let errors: Vec<String> = site.check().errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        errors,
        ["content/posts/a.md:5: tcpdialog block: capture \"../tcpdialog.toml\" leaves the captures/ folder"]
    );
}

#[test]
fn the_example_site_checks_clean() {
    let site = TestSite::example();
    let report = site.check();
    assert!(report.is_ok(), "{:#?}", report.errors);
    assert_eq!(report.posts, 14);
}
