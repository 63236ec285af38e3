//! `tcpdialog serve`: builds the site into a folder of its own (`.tcpdialog-cache/serve/`, so that `output/`
//! only ever holds what `build` wrote: no drafts, no `http://127.0.0.1` links), serves it on 127.0.0.1 with a
//! tiny HTTP/1.1 file server, and rebuilds once per real change (a file created, written, removed or renamed
//! under `content/`, `captures/` or `tcpdialog.toml`; reading them, as every build does, is not a change).
//! Pages are reloaded in the browser by a small script injected into HTML responses only.
//!
//! The server is for one person's browser: it answers only requests whose `Host` is the address it serves (a
//! page elsewhere cannot read drafts through DNS rebinding), caps connections and header sizes, streams
//! files, and never follows a link out of its folder. A failed rebuild is reported on stderr and the last good
//! build keeps being served.

use super::build::{BuildOptions, build};
use super::cache::CACHE_DIR;
use super::config::CONFIG_FILE;
use super::content::CONTENT_DIR;
use super::directive::CAPTURES_DIR;
use super::error::SiteError;
use super::output::OUTPUT_DIR;
use notify::Watcher;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// The URL the reload script polls; answers the number of the current build.
const GENERATION_PATH: &str = "/__tcpdialog/generation";
/// Changes closer together than this make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// Connections answered at once; more are told to come back (503).
const MAX_CONNECTIONS: usize = 32;
/// Longest request head (request line and headers) read.
const MAX_HEAD: u64 = 16 * 1024;
/// Largest HTML page read whole to inject the reload script; other files are streamed.
const MAX_HTML: u64 = 16 * 1024 * 1024;

const RELOAD_SCRIPT: &str = r#"<script>
(() => { let seen = null;
  setInterval(async () => {
    try { const r = await fetch("/__tcpdialog/generation", { cache: "no-store" }); const g = await r.text();
      if (seen !== null && g !== seen) location.reload(); seen = g; } catch (e) {}
  }, 1000); })();
</script>
"#;

/// What `serve` watches: the content, the captures and the config (templates are built into tcpdialog).
pub fn watch_paths(root: &Path) -> Vec<PathBuf> {
    vec![root.join(CONTENT_DIR), root.join(CAPTURES_DIR), root.join(CONFIG_FILE)]
}

/// Where `serve` builds the site it serves.
pub fn serve_dir(root: &Path) -> PathBuf {
    root.join(CACHE_DIR).join("serve")
}

/// Whether a watcher event changes what a build reads: opening, reading and metadata are not changes.
fn is_change(event: &notify::Event) -> bool {
    use notify::EventKind::{Any, Create, Modify, Remove};
    use notify::event::ModifyKind;
    match event.kind {
        Create(_) | Remove(_) | Any => true,
        Modify(kind) => !matches!(kind, ModifyKind::Metadata(_)),
        _ => false,
    }
}

/// A running server: its port and how many builds it has made.
pub struct Server {
    pub port: u16,
    generation: Arc<AtomicU64>,
    // Kept alive for as long as the server runs.
    _watcher: notify::RecommendedWatcher,
}

impl Server {
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }
}

/// Serves the site on `127.0.0.1:port` until the process ends.
pub fn serve(root: &Path, port: u16) -> Result<(), SiteError> {
    let server = start(root, port)?;
    eprintln!("serving {} on http://127.0.0.1:{}/ (Ctrl-C to stop)", root.display(), server.port);
    loop {
        std::thread::park();
    }
}

/// Builds once, then starts the file server and the watcher in background threads. Port 0 picks a free one.
pub fn start(root: &Path, port: u16) -> Result<Server, SiteError> {
    let address = format!("127.0.0.1:{port}");
    let listener = TcpListener::bind(&address).map_err(|cause| SiteError::Bind { address, cause })?;
    let port = listener.local_addr().map_err(|e| SiteError::io(OUTPUT_DIR, e))?.port();
    let served = serve_dir(root);
    let options = BuildOptions {
        base_url: Some(format!("http://127.0.0.1:{port}/")),
        clean_urls: Some(true),
        drafts: true,
        output: Some(served.clone()),
        ..BuildOptions::default()
    };
    let root = root.to_path_buf();
    let generation = Arc::new(AtomicU64::new(0));
    rebuild(&root, &options, &generation);

    let (events, changes) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event.as_ref()
            && is_change(event)
        {
            let _ = events.send(());
        }
    })
    .map_err(|cause| SiteError::Watch { path: root.clone(), cause })?;
    for path in watch_paths(&root).iter().filter(|p| p.exists()) {
        let mode = if path.is_dir() { notify::RecursiveMode::Recursive } else { notify::RecursiveMode::NonRecursive };
        watcher.watch(path, mode).map_err(|cause| SiteError::Watch { path: path.clone(), cause })?;
    }
    {
        let root = root.clone();
        let generation = Arc::clone(&generation);
        std::thread::spawn(move || {
            while changes.recv().is_ok() {
                // Let a burst of saves settle into one rebuild.
                while changes.recv_timeout(DEBOUNCE).is_ok() {}
                rebuild(&root, &options, &generation);
            }
        });
    }
    {
        let site = Site { root: served, port, generation: Arc::clone(&generation) };
        std::thread::spawn(move || accept(listener, Arc::new(site)));
    }
    Ok(Server { port, generation, _watcher: watcher })
}

fn rebuild(root: &Path, options: &BuildOptions, generation: &AtomicU64) {
    match build(root, options) {
        Ok(report) => {
            for warning in &report.warnings {
                eprintln!("warning: {warning}");
            }
            eprintln!("built {} post(s), {} page(s), {} diagram(s)", report.posts, report.pages, report.diagrams);
            generation.fetch_add(1, Ordering::SeqCst);
        }
        Err(error) => eprintln!("error: {error}\n(still serving the last good build)"),
    }
}

/// What the file server serves.
struct Site {
    root: PathBuf,
    port: u16,
    generation: Arc<AtomicU64>,
}

/// Accepts connections, each answered on a thread of its own, at most [`MAX_CONNECTIONS`] at a time.
fn accept(listener: TcpListener, site: Arc<Site>) {
    let active = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming().flatten() {
        if active.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            active.fetch_sub(1, Ordering::SeqCst);
            let _ = respond(&mut &stream, "503 Service Unavailable", "text/plain", b"busy\n", false);
            continue;
        }
        let (site, done) = (Arc::clone(&site), Arc::clone(&active));
        let spawned = std::thread::Builder::new().spawn(move || {
            let _ = answer(stream, &site);
            done.fetch_sub(1, Ordering::SeqCst);
        });
        // No thread to be had (memory is short): this connection is dropped, the server goes on.
        if spawned.is_err() {
            active.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

/// The request line and the `Host` header of a request head of at most [`MAX_HEAD`] bytes.
fn read_head(stream: &TcpStream) -> std::io::Result<Option<(String, Option<String>)>> {
    let mut reader = BufReader::new(std::io::Read::take(stream, MAX_HEAD));
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    let mut host = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 {
            return Ok(None); // the head did not end within the limit
        }
        if header.trim().is_empty() {
            return Ok(Some((request_line, host)));
        }
        if let Some((name, value)) = header.split_once(':')
            && name.eq_ignore_ascii_case("host")
        {
            host = Some(value.trim().to_string());
        }
    }
}

/// Answers one request (GET or HEAD) from the served folder.
fn answer(stream: TcpStream, site: &Site) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut writer = &stream;
    let Some((request_line, host)) = read_head(&stream)? else {
        return respond(&mut writer, "431 Request Header Fields Too Large", "text/plain", b"too long\n", false);
    };
    if !host.as_deref().is_some_and(|host| is_own_host(host, site.port)) {
        return respond(&mut writer, "421 Misdirected Request", "text/plain", b"wrong host\n", false);
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or("/"));
    if method != "GET" && method != "HEAD" {
        return respond(&mut writer, "405 Method Not Allowed", "text/plain", b"only GET and HEAD\n", false);
    }
    let head_only = method == "HEAD";
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == GENERATION_PATH {
        let body = site.generation.load(Ordering::SeqCst).to_string();
        return respond(&mut writer, "200 OK", "text/plain", body.as_bytes(), head_only);
    }
    let (status, file) = match resolve(&site.root, path) {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", site.root.join("404.html")),
    };
    let content_type = content_type(&file);
    let Ok(mut opened) = std::fs::File::open(&file) else {
        return respond(&mut writer, status, "text/plain", b"not found\n", head_only);
    };
    if content_type.starts_with("text/html") {
        let mut html = Vec::new();
        std::io::Read::read_to_end(&mut std::io::Read::take(&mut opened, MAX_HTML), &mut html)?;
        return respond(&mut writer, status, content_type, &inject_reload_script(&html), head_only);
    }
    let len = opened.metadata()?.len();
    write_head(&mut writer, status, content_type, len)?;
    if !head_only {
        std::io::copy(&mut opened, &mut writer)?;
    }
    writer.flush()
}

/// `127.0.0.1:PORT` or `localhost:PORT`, the names this server is reached by.
fn is_own_host(host: &str, port: u16) -> bool {
    [format!("127.0.0.1:{port}"), format!("localhost:{port}")].iter().any(|own| own.eq_ignore_ascii_case(host))
}

/// The file a URL path names inside the served folder: folders mean their `index.html`; nothing outside it,
/// not even through a symbolic link.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = root.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    let real = file.canonicalize().ok()?;
    (real.starts_with(root.canonicalize().ok()?) && real.is_file()).then_some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        if byte == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(byte);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn inject_reload_script(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    match text.rfind("</body>") {
        Some(at) => {
            let (head, tail) = text.split_at(at);
            format!("{head}{RELOAD_SCRIPT}{tail}").into_bytes()
        }
        None => format!("{text}{RELOAD_SCRIPT}").into_bytes(),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "pcap" | "pcapng" => "application/vnd.tcpdump.pcap",
        _ => "application/octet-stream",
    }
}

fn write_head(writer: &mut impl Write, status: &str, content_type: &str, len: u64) -> std::io::Result<()> {
    write!(
        writer,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n"
    )
}

fn respond(
    writer: &mut impl Write,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    write_head(writer, status, content_type, body.len() as u64)?;
    if !head_only {
        writer.write_all(body)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(port: u16, path: &str) -> String {
        request(port, &format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n"))
    }

    fn request(port: u16, head: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        String::from_utf8_lossy(&response).into_owned()
    }

    fn wait_for_generation(server: &Server, at_least: u64) {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while server.generation() < at_least && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    #[test]
    fn serves_pages_with_the_reload_script_and_rebuilds_on_change() {
        let dir = tempfile::tempdir().unwrap();
        crate::site::init(dir.path()).unwrap();
        let server = start(dir.path(), 0).unwrap();
        assert_eq!(server.generation(), 1);
        let home = get(server.port, "/");
        assert!(home.starts_with("HTTP/1.1 200 OK\r\n"), "{home}");
        assert!(home.contains("/__tcpdialog/generation"), "no reload script: {home}");
        assert!(!dir.path().join("output").exists(), "serve writes nothing into output/");
        assert!(get(server.port, "/posts/first-dialog/").contains("A first dialog"));
        assert!(get(server.port, "/nope/").starts_with("HTTP/1.1 404 Not Found"));
        assert!(get(server.port, "/../tcpdialog.toml").starts_with("HTTP/1.1 404"));
        let svg = get(server.port, "/posts/first-dialog/http-close-s0.svg");
        assert!(svg.contains("Content-Type: image/svg+xml") && !svg.contains("__tcpdialog"), "{svg}");

        // Serving and building read every file: that alone must not rebuild.
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(server.generation(), 1, "rebuilt with no change");

        std::fs::write(dir.path().join("content/pages/about.md"), "Title: About\n\nChanged while serving.\n").unwrap();
        wait_for_generation(&server, 2);
        assert!(get(server.port, "/pages/about/").contains("Changed while serving."));
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(get(server.port, GENERATION_PATH).rsplit("\r\n\r\n").next(), Some("2"), "one save, one build");
        assert!(!dir.path().join("output").exists(), "serve writes nothing into output/");
    }

    #[test]
    fn answers_only_its_own_host_and_bounded_requests() {
        let dir = tempfile::tempdir().unwrap();
        crate::site::init(dir.path()).unwrap();
        let server = start(dir.path(), 0).unwrap();
        let port = server.port;
        let rebinding = request(port, &format!("GET / HTTP/1.1\r\nHost: attacker.example:{port}\r\n\r\n"));
        assert!(rebinding.starts_with("HTTP/1.1 421"), "{rebinding}");
        assert!(request(port, "GET / HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 421"), "no Host");
        let localhost = request(port, &format!("GET / HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"));
        assert!(localhost.starts_with("HTTP/1.1 200"), "{localhost}");
        let huge = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX: {}\r\n\r\n", "a".repeat(64 * 1024));
        assert!(request(port, &huge).starts_with("HTTP/1.1 431"));
        // A link inside the served folder to a file outside it is not followed.
        std::os::unix::fs::symlink(dir.path().join("tcpdialog.toml"), serve_dir(dir.path()).join("config.txt"))
            .unwrap();
        assert!(get(port, "/config.txt").starts_with("HTTP/1.1 404"));
        // Files are streamed whole, with their length.
        let pcap = get(port, "/posts/first-dialog/http-close.pcap");
        let length = std::fs::metadata(dir.path().join("captures/http-close.pcap")).unwrap().len();
        assert!(pcap.contains(&format!("Content-Length: {length}\r\n")), "{pcap}");
    }

    #[test]
    fn paths_stay_inside_the_output() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a b")).unwrap();
        std::fs::write(dir.path().join("a b/index.html"), "x").unwrap();
        assert_eq!(resolve(dir.path(), "/a%20b/"), Some(dir.path().join("a b/index.html")));
        assert_eq!(resolve(dir.path(), "/a%20b/../a%20b/"), None);
        assert_eq!(resolve(dir.path(), "/%2e%2e/etc/passwd"), None);
        assert_eq!(resolve(dir.path(), "/bad%zz"), None);
    }
}
