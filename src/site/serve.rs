//! `tcpdialog serve`: builds the site, serves `output/` on 127.0.0.1 with a tiny HTTP/1.1 file server, and
//! rebuilds when `content/`, `captures/` or `tcpdialog.toml` change. Pages are reloaded in the browser by a
//! small script that is injected into HTML responses only here, never written into `output/`.
//!
//! A failed rebuild is reported on stderr and the last good output keeps being served (the build never
//! touches `output/` unless it succeeds).

use super::build::{BuildOptions, build};
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
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The URL the reload script polls; answers the number of the current build.
const GENERATION_PATH: &str = "/__tcpdialog/generation";
/// Changes closer together than this make one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(200);

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
    let listener = TcpListener::bind(&address).map_err(|source| SiteError::Bind { address, source })?;
    let port = listener.local_addr().map_err(|e| SiteError::io(OUTPUT_DIR, e))?.port();
    let options = BuildOptions {
        base_url: Some(format!("http://127.0.0.1:{port}/")),
        clean_urls: Some(true),
        drafts: true,
        ..BuildOptions::default()
    };
    let root = root.to_path_buf();
    let generation = Arc::new(AtomicU64::new(0));
    rebuild(&root, &options, &generation);

    let (events, changes) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            let _ = events.send(event);
        }
    })
    .map_err(|source| SiteError::Watch { path: root.clone(), source })?;
    for path in watch_paths(&root).iter().filter(|p| p.exists()) {
        let mode = if path.is_dir() { notify::RecursiveMode::Recursive } else { notify::RecursiveMode::NonRecursive };
        watcher.watch(path, mode).map_err(|source| SiteError::Watch { path: path.clone(), source })?;
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
        let output = root.join(OUTPUT_DIR);
        let generation = Arc::clone(&generation);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let output = output.clone();
                let generation = Arc::clone(&generation);
                std::thread::spawn(move || {
                    let _ = answer(stream, &output, &generation);
                });
            }
        });
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

/// Answers one request (GET or HEAD) from `output/`.
fn answer(stream: TcpStream, output: &Path, generation: &AtomicU64) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Skip the headers; nothing in them changes the answer.
    let mut header = String::new();
    while reader.read_line(&mut header)? > 2 {
        header.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or("/"));
    let mut writer = &stream;
    if method != "GET" && method != "HEAD" {
        return respond(&mut writer, "405 Method Not Allowed", "text/plain", b"only GET and HEAD\n", false);
    }
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if path == GENERATION_PATH {
        let body = generation.load(Ordering::SeqCst).to_string();
        return respond(&mut writer, "200 OK", "text/plain", body.as_bytes(), method == "HEAD");
    }
    let (status, file) = match resolve(output, path) {
        Some(file) => ("200 OK", file),
        None => ("404 Not Found", output.join("404.html")),
    };
    let mut body = std::fs::read(&file).unwrap_or_else(|_| b"not found\n".to_vec());
    let content_type = content_type(&file);
    if content_type.starts_with("text/html") {
        body = inject_reload_script(&body);
    }
    respond(&mut writer, status, content_type, &body, method == "HEAD")
}

/// The file a URL path names inside `output/`: folders mean their `index.html`; nothing outside `output/`.
fn resolve(output: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = output.join(relative);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
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

fn respond(
    writer: &mut impl Write,
    status: &str,
    content_type: &str,
    body: &[u8],
    head_only: bool,
) -> std::io::Result<()> {
    write!(
        writer,
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
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
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        response
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
        assert!(!std::fs::read_to_string(dir.path().join("output/index.html")).unwrap().contains("__tcpdialog"));
        assert!(get(server.port, "/posts/first-dialog/").contains("A first dialog"));
        assert!(get(server.port, "/nope/").starts_with("HTTP/1.1 404 Not Found"));
        assert!(get(server.port, "/../tcpdialog.toml").starts_with("HTTP/1.1 404"));
        let svg = get(server.port, "/posts/first-dialog/http-close-s0.svg");
        assert!(svg.contains("Content-Type: image/svg+xml") && !svg.contains("__tcpdialog"), "{svg}");

        std::fs::write(dir.path().join("content/pages/about.md"), "Title: About\n\nChanged while serving.\n").unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while server.generation() < 2 && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(get(server.port, "/pages/about/").contains("Changed while serving."));
        assert_eq!(get(server.port, GENERATION_PATH).rsplit("\r\n\r\n").next(), Some("2"));
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
