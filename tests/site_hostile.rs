//! A site that stays inside its folder: captures and key logs that are links out of the site, devices or
//! pipes are errors naming the post, the line and the file (never copied, never read, never a hang); two
//! captures published under one name are an error; capture names are percent-encoded in links; a folder with
//! no site is an error for `build` and `check`.

mod site_harness;

use site_harness::TestSite;

/// A post titled after its capture whose block names the capture on line 7.
fn block(capture: &str) -> String {
    format!("Title: {capture}\nDate: 2024-01-01\n\nText.\n\n```tcpdialog\ncapture = \"{capture}\"\n```\n")
}

#[test]
fn a_capture_that_links_out_of_the_site_is_refused_and_never_copied() {
    let site = TestSite::new();
    std::os::unix::fs::symlink("/etc/passwd", site.root().join("captures/passwd.pcap")).unwrap();
    site.file("content/posts/a.md", &block("passwd.pcap"));
    site.file("content/posts/b.md", "Title: B\nDate: 2024-01-02\n\n[get it]({capture}/passwd.pcap)\n");
    let error = site.build().expect_err("a link out of the site").to_string();
    let expected =
        "content/posts/a.md:7: tcpdialog block: capture \"passwd.pcap\" is not a regular file inside captures/";
    assert!(error.contains(expected), "{error}");
    assert!(
        error.contains("content/posts/b.md:4: tcpdialog block: capture \"passwd.pcap\" is not a regular file"),
        "{error}"
    );
    assert!(!site.root().join("output").exists());
    assert_eq!(site.check().errors.len(), 2);
}

#[test]
fn devices_and_pipes_are_refused_without_reading_them() {
    let site = TestSite::new();
    std::os::unix::fs::symlink("/dev/zero", site.root().join("captures/zero.pcap")).unwrap();
    let fifo = site.root().join("captures/pipe.pcap");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    site.file("content/posts/a.md", &block("zero.pcap"));
    site.file("content/posts/b.md", &block("pipe.pcap"));
    // A pipe would block a reader forever: the build must end, with both problems named.
    let errors: Vec<String> = site.check().errors.iter().map(ToString::to_string).collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("\"zero.pcap\" is not a regular file")), "{errors:#?}");
    assert!(errors.iter().any(|e| e.contains("\"pipe.pcap\" is not a regular file")), "{errors:#?}");
}

#[test]
fn two_captures_published_under_one_name_are_an_error() {
    let site = TestSite::new();
    let close = site_harness::repo().join("captures/http-close.pcap");
    site.copy(&close, "captures/sub/x.pcap").copy(&close, "captures/sub-x.pcap");
    site.file("content/posts/a.md", &format!("{}\n```tcpdialog\ncapture = \"sub-x.pcap\"\n```\n", block("sub/x.pcap")));
    let error = site.build().expect_err("a name collision").to_string();
    assert!(
        error.contains("captures \"sub/x.pcap\" and \"sub-x.pcap\" would both be published as \"sub-x.pcap\""),
        "{error}"
    );
}

#[test]
fn capture_names_are_percent_encoded_in_links() {
    let site = TestSite::new();
    site.copy(&site_harness::repo().join("captures/http-close.pcap"), "captures/a b#c?d.pcap");
    site.file("content/posts/a.md", &format!("{}\n[download]({{capture}}/a b#c?d.pcap)\n", block("a b#c?d.pcap")));
    site.build_ok();
    let html = site.read("posts/a-b-c-d-pcap/index.html");
    assert!(html.contains("href=\"a%20b%23c%3Fd.pcap\""), "{html}");
    assert!(site.exists("posts/a-b-c-d-pcap/a b#c?d.pcap"));
}

#[test]
fn a_folder_with_no_site_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    for result in [
        tcpdialog::site::build(empty.path(), &Default::default()).map(|_| ()),
        tcpdialog::site::check(empty.path()).map(|_| ()),
    ] {
        let error = result.expect_err("no site here").to_string();
        assert!(error.contains("is not a tcpdialog site"), "{error}");
    }
    assert!(!empty.path().join("output").exists());
}

#[test]
fn control_characters_in_a_post_never_reach_the_feed_or_the_pages() {
    let site = TestSite::new();
    site.file(
        "content/posts/a.md",
        "Title: Bell\u{7} and escape\u{1b}[31m\u{2028}here\nDate: 2024-01-01\nSummary: zero\u{200B}width\u{feff}\n\nBody \u{1} with \u{b} controls\u{2029}.\n",
    );
    site.file("tcpdialog.toml", "title = \"T\"\nauthor = \"A\"\nbase_url = \"https://example.org/\"\n");
    site.build_ok();
    let feed = site.read("feed.xml");
    roxmltree::Document::parse(&feed).expect("feed.xml is valid XML");
    for (path, bytes) in site.output() {
        if path.ends_with(".html") || path.ends_with(".xml") {
            let text = String::from_utf8_lossy(&bytes);
            let bad = text.chars().find(|c| {
                (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
                    || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200B}')
            });
            assert_eq!(bad, None, "{path}");
        }
    }
    assert!(feed.contains("Bell and escape[31m here"), "{feed}");
}
