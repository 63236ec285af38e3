//! An existing Pelican blog builds unchanged: its metadata block, `{filename}` image and post links,
//! semicolon-separated tags; and the HTML of a post page, as a reviewed snapshot.

mod site_harness;

use site_harness::TestSite;

/// A post written for Pelican, as such posts look in the wild: the metadata block, a trailing semicolon in
/// the tags, images under `content/images/<post>/` linked with `{filename}`, a link to another post.
const PELICAN_POST: &str = "Title: TCP clients communication
Lang: en
Date: 2020-08-31 09:00
Author: Ann Example
Tags: tcp; http; websocket; keepalive; 2020;
Slug: tcp-clients-communication
Summary: How web clients talk to servers, one packet at a time.

I wanted to see how web clients talk to servers below HTTP.

## Connection: close

![Wireshark packet list]({filename}/images/tcp-clients/close-wireshark.png)

The schematic dialog:

![Dialog]({filename}/images/tcp-clients/close-dialog.png)

An older note: [first steps]({filename}first-steps.md).

| Step | C | S |
|------|---|---|
| 1 | SYN | |
| 2 | | SYN, ACK |
";

const OLDER_POST: &str = "Title: First steps
Date: 2020-08-01 10:00
Category: Notes
Tags: tcp

Installing Wireshark on Ubuntu.
";

fn pelican_site() -> TestSite {
    let site = TestSite::new();
    site.file("content/2020-08-31-tcp-clients.md", PELICAN_POST);
    site.file("content/first-steps.md", OLDER_POST);
    // Tiny but real PNG bytes (a 1×1 image), standing in for the screenshots.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1,
        8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4, 0x89, 0, 0, 0, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0x0f, 0,
        1, 1, 1, 0, 0x18, 0xdd, 0x8d, 0xb0, 0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
    ];
    for name in ["close-wireshark.png", "close-dialog.png"] {
        let path = site.root().join("content/images/tcp-clients").join(name);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, png).expect("write png");
    }
    site
}

#[test]
fn a_pelican_post_builds_unchanged() {
    let site = pelican_site();
    let report = site.build_ok();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let html = site.read("posts/tcp-clients-communication/index.html");
    assert!(html.contains("src=\"../../images/tcp-clients/close-wireshark.png\""), "{html}");
    assert!(html.contains("href=\"../../posts/first-steps/index.html\""), "{html}");
    assert!(site.exists("images/tcp-clients/close-wireshark.png"));
    assert!(html.contains("<time datetime=\"2020-08-31T09:00:00Z\">31 August 2020</time>"), "{html}");
    assert!(html.contains("Ann Example"));
    for tag in ["tcp", "http", "websocket", "keepalive", "2020"] {
        assert!(site.exists(&format!("tags/{tag}/index.html")), "no page for tag {tag}");
    }
    assert!(!site.exists("tags/index.html/index.html"));
    assert!(site.exists("categories/notes/index.html"));
    assert!(site.check().is_ok());
}

#[test]
fn a_post_page_snapshot() {
    let site = pelican_site();
    site.build_ok();
    insta::assert_snapshot!("pelican_post_page", site.read("posts/tcp-clients-communication/index.html"));
}

#[test]
fn metadata_errors_name_file_and_line() {
    let site = TestSite::new();
    site.file("content/posts/a.md", "Title: A\nTags: x\nDate: the 31st of August\n\nbody\n");
    site.file("content/posts/b.md", "Date: 2020-08-31\nTags: x\n\nno title\n");
    site.file("content/posts/c.md", "---\ntitle: C\ndate: 2020-08-31\ntags: [a, b\n---\nbody\n");
    let error = site.build().expect_err("bad metadata fails the build").to_string();
    assert!(error.contains("content/posts/a.md:3: cannot read date \"the 31st of August\""), "{error}");
    assert!(error.contains("content/posts/b.md:1: the post has no title"), "{error}");
    assert!(error.contains("content/posts/c.md:"), "{error}");
    assert!(error.starts_with("the site has 3 error(s):"), "{error}");
}
