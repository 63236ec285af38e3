//! Headless Chromium for the site's browser test, driven over the DevTools protocol by the `headless_chrome` crate:
//! find Debian's Chromium (or skip when a developer has none), launch it so that it talks to nobody but us, record
//! every console error, exception and failed or outside request of a tab, and read facts from pages.

#![allow(dead_code)]

pub mod server;

use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::protocol::cdp::{Emulation, Log, Network, Page, Runtime};
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The Chromium to drive: `$TCPDIALOG_CHROMIUM`, else Debian's `/usr/bin/chromium`. `None` when there is none,
/// which fails under CI (`CI` set, as `.ci/run` runs) and skips elsewhere.
pub fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let path = std::env::var_os("TCPDIALOG_CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if path.is_file() {
        return Some(path);
    }
    let message = format!("{test}: no Chromium at {} (apt-get install chromium fonts-dejavu-core)", path.display());
    if std::env::var("CI").is_ok_and(|value| !["", "0", "false"].contains(&value.as_str())) {
        panic!("{message}; CI must run the browser test");
    }
    eprintln!("SKIPPED {message}; set CI=1 to make this a failure");
    None
}

/// A headless Chromium with a fresh profile that is removed with it.
pub struct Chromium {
    pub browser: Browser,
    _profile: tempfile::TempDir,
}

impl Chromium {
    pub fn launch(path: &Path) -> Chromium {
        let profile = tempfile::tempdir().expect("a profile folder");
        let args: Vec<&OsStr> = [
            "--disable-quic",
            "--disable-component-update",
            "--disable-background-networking",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            // A safety belt for "no outside requests": every host name but the loopback fails to resolve, so a
            // stray request fails here (and is reported) instead of leaving the machine.
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        ]
        .iter()
        .map(OsStr::new)
        .collect();
        let options = LaunchOptions::default_builder()
            .path(Some(path.to_path_buf()))
            .headless(true)
            .sandbox(false) // CI runs as root, where Chromium's sandbox refuses to start
            .enable_gpu(false)
            .user_data_dir(Some(profile.path().to_path_buf()))
            .window_size(Some((1280, 800)))
            .idle_browser_timeout(Duration::from_secs(120))
            .args(args)
            .build()
            .expect("launch options");
        let browser = Browser::new(options).unwrap_or_else(|error| panic!("{}: {error:#}", path.display()));
        Chromium { browser, _profile: profile }
    }

    /// A new tab whose console, exceptions and network are watched from its first request on.
    pub fn watched_tab(&self, origin: &str) -> (Arc<Tab>, Problems) {
        let tab = self.browser.new_tab().expect("a tab");
        tab.set_default_timeout(Duration::from_secs(20));
        let problems = Problems::default();
        let listener = problems.listener(origin.to_string());
        tab.add_event_listener(Arc::new(move |event: &Event| listener(event))).expect("listen to the tab");
        tab.enable_runtime().expect("Runtime.enable");
        tab.enable_log().expect("Log.enable");
        tab.call_method(Network::Enable {
            max_total_buffer_size: None,
            max_resource_buffer_size: None,
            max_post_data_size: None,
            report_direct_socket_traffic: None,
            enable_durable_messages: None,
        })
        .expect("Network.enable");
        (tab, problems)
    }
}

/// What went wrong in a tab, one line each, in the order Chromium reported it.
#[derive(Clone, Default)]
pub struct Problems {
    lines: Arc<Mutex<Vec<String>>>,
    page: Arc<Mutex<String>>,
}

impl Problems {
    /// The page being loaded, named in the lines that follow.
    pub fn now_on(&self, page: &str) {
        *self.page.lock().expect("page lock") = page.to_string();
    }

    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().expect("problems lock"))
    }

    fn push(&self, what: String) {
        let page = self.page.lock().expect("page lock").clone();
        self.lines.lock().expect("problems lock").push(format!("{page}: {what}"));
    }

    fn listener(&self, origin: String) -> impl Fn(&Event) + Send + Sync + 'static {
        let problems = self.clone();
        move |event: &Event| match event {
            Event::RuntimeConsoleAPICalled(called)
                if matches!(
                    called.params.Type,
                    Runtime::ConsoleAPICalledEventTypeOption::Error | Runtime::ConsoleAPICalledEventTypeOption::Assert
                ) =>
            {
                let words: Vec<String> = called
                    .params
                    .args
                    .iter()
                    .map(|arg| arg.value.as_ref().map_or_else(|| format!("{:?}", arg.description), |v| v.to_string()))
                    .collect();
                problems.push(format!("console.{:?}: {}", called.params.Type, words.join(" ")));
            }
            Event::RuntimeExceptionThrown(thrown) => {
                let details = &thrown.params.exception_details;
                let description = details.exception.as_ref().and_then(|exception| exception.description.clone());
                problems.push(format!("exception: {} {}", details.text, description.unwrap_or_default()));
            }
            Event::LogEntryAdded(added) if added.params.entry.level == Log::LogEntryLevel::Error => {
                let entry = &added.params.entry;
                problems.push(format!(
                    "log error ({:?}): {} {}",
                    entry.source,
                    entry.text,
                    entry.url.clone().unwrap_or_default()
                ));
            }
            Event::NetworkRequestWillBeSent(sent) => {
                let url = &sent.params.request.url;
                let own = url.starts_with(&format!("{origin}/")) || url == &origin;
                if !own && !url.starts_with("data:") && !url.starts_with("about:") {
                    problems.push(format!("request outside the site: {url}"));
                }
            }
            Event::NetworkLoadingFailed(failed) => {
                problems.push(format!(
                    "request failed ({:?}): {} {:?}",
                    failed.params.Type, failed.params.error_text, failed.params.blocked_reason
                ));
            }
            Event::NetworkResponseReceived(received) if received.params.response.status >= 400 => {
                let response = &received.params.response;
                problems.push(format!("HTTP {} for {}", response.status, response.url));
            }
            _ => {}
        }
    }
}

/// Loads `url` and waits until it has fired `load`, its fonts are ready and its images decoded. (Waiting for the
/// crate's "network almost idle" costs half a second of silence per page: this is faster and as sure.)
pub fn load(tab: &Tab, url: &str) {
    // The page being left is marked, so that its own `readyState` is not taken for the new page's.
    tab.evaluate("window.tcpdialogLeaving = true", false).unwrap_or_else(|error| panic!("{url}: {error:#}"));
    tab.navigate_to(url).unwrap_or_else(|error| panic!("{url}: {error:#}"));
    let deadline = Instant::now() + Duration::from_secs(20);
    let loaded = "!window.tcpdialogLeaving && document.readyState === 'complete'";
    while !tab.evaluate(loaded, false).is_ok_and(|result| result.value == Some(serde_json::Value::Bool(true))) {
        assert!(Instant::now() < deadline, "{url}: not loaded after 20 s");
        std::thread::sleep(Duration::from_millis(20));
    }
    evaluate_json(
        tab,
        "document.fonts.ready
            .then(() => Promise.all([...document.images].map(image => image.decode().catch(() => null))))
            .then(() => JSON.stringify(location.href))",
    );
}

/// Lets the events Chromium has sent reach the listener (it runs on the crate's own thread).
pub fn settle() {
    std::thread::sleep(Duration::from_millis(250));
}

/// The value of a script that returns `JSON.stringify(...)` (or a promise of it), parsed.
pub fn evaluate_json(tab: &Tab, script: &str) -> serde_json::Value {
    let result = tab.evaluate(script, true).unwrap_or_else(|error| panic!("{script}: {error:#}"));
    let text = result.value.as_ref().and_then(|value| value.as_str()).unwrap_or_else(|| panic!("{script}: {result:?}"));
    serde_json::from_str(text).unwrap_or_else(|error| panic!("{script}: {error}: {text}"))
}

/// Lays the tab out as a screen `width` CSS pixels wide (`mobile`: a phone's viewport and text rules).
pub fn set_viewport(tab: &Tab, width: u32, height: u32, mobile: bool) {
    tab.call_method(Emulation::SetDeviceMetricsOverride {
        width,
        height,
        device_scale_factor: 1.0,
        mobile,
        scale: None,
        screen_width: None,
        screen_height: None,
        position_x: None,
        position_y: None,
        dont_set_visible_size: None,
        screen_orientation: None,
        viewport: None,
        display_feature: None,
        device_posture: None,
    })
    .expect("Emulation.setDeviceMetricsOverride");
}

/// A PNG of the whole page (not only the viewport) at the current viewport width.
pub fn full_page_png(tab: &Tab) -> Vec<u8> {
    let size = evaluate_json(
        tab,
        "JSON.stringify([document.documentElement.clientWidth, document.documentElement.scrollHeight])",
    );
    let width = size[0].as_f64().expect("page width");
    let height = size[1].as_f64().expect("page height");
    let screenshot = tab
        .call_method(Page::CaptureScreenshot {
            format: Some(Page::CaptureScreenshotFormatOption::Png),
            quality: None,
            clip: Some(Page::Viewport { x: 0.0, y: 0.0, width, height, scale: 1.0 }),
            from_surface: Some(true),
            capture_beyond_viewport: Some(true),
            optimize_for_speed: None,
        })
        .expect("Page.captureScreenshot");
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(screenshot.data).expect("base64 screenshot")
}

/// Width and height of a PNG, from its IHDR chunk.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.get(..8)? != b"\x89PNG\r\n\x1a\n" || png.get(12..16)? != b"IHDR" {
        return None;
    }
    let width = u32::from_be_bytes(png.get(16..20)?.try_into().ok()?);
    let height = u32::from_be_bytes(png.get(20..24)?.try_into().ok()?);
    Some((width, height))
}

/// Emulates `prefers-color-scheme: dark` (or light) for the pages the tab shows next.
pub fn set_color_scheme(tab: &Tab, dark: bool) {
    let value = if dark { "dark" } else { "light" };
    tab.call_method(Emulation::SetEmulatedMedia {
        media: None,
        features: Some(vec![Emulation::MediaFeature { name: "prefers-color-scheme".into(), value: value.into() }]),
    })
    .expect("Emulation.setEmulatedMedia");
}
