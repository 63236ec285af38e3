//! Hugo's side of `prerender --hugo`: the code-block render hook that turns a ```` ```tcpdialog ```` block into
//! the figure prerendered for it. Hugo never runs programs while it builds (by design), so tcpdialog draws
//! first and the hook only reads a file: it computes the same name from `.Inner` that [`block_name`] computes
//! from the block, so the markdown stays exactly what a tcpdialog post holds.
//!
//! [`block_name`]: super::prerender::block_name

use super::error::IntegrateError;
use std::path::{Component, Path, PathBuf};

/// Where Hugo looks for the render hook of ```` ```tcpdialog ```` blocks, in the site's folder.
pub const RENDER_HOOK: &str = "layouts/_default/_markup/render-codeblock-tcpdialog.html";

/// The hook's text, reading figures from `out` (a folder of the Hugo site at `root`).
pub fn render_hook(root: &Path, out: &Path) -> Result<String, IntegrateError> {
    let folder = folder_in_site(root, out)?;
    Ok(format!(
        r#"{{{{- /* Written by `tcpdialog prerender --hugo`: a ```tcpdialog block becomes the figure tcpdialog drew for it.
  The file's name is the first 16 hex digits of the SHA-256 of the block's text as .Inner holds it (without
  its final line breaks), as tcpdialog names it. Run `tcpdialog prerender` again when a block or a capture
  changes. */ -}}}}
{{{{- $name := substr (sha256 .Inner) 0 16 -}}}}
{{{{- $file := printf "%s/%s.figure.html" "{folder}" $name -}}}}
{{{{- if fileExists $file -}}}}
{{{{- readFile $file | safeHTML -}}}}
{{{{- else -}}}}
{{{{- errorf "%s: no diagram was prerendered for this tcpdialog block (%s is missing): run tcpdialog prerender" .Position $file -}}}}
{{{{- end -}}}}
"#
    ))
}

/// `out` as a `/`-separated path inside the site, or an error when it is not inside.
fn folder_in_site(root: &Path, out: &Path) -> Result<String, IntegrateError> {
    let outside = || IntegrateError::HugoOutside { path: out.to_path_buf() };
    let relative: PathBuf = if out.is_absolute() {
        let root = std::fs::canonicalize(root).map_err(|e| IntegrateError::io(root, e))?;
        out.strip_prefix(&root).map_err(|_| outside())?.to_path_buf()
    } else {
        out.to_path_buf()
    };
    let mut parts = Vec::new();
    for component in relative.components() {
        match component {
            Component::Normal(part) => parts.push(part.to_string_lossy().into_owned()),
            Component::CurDir => {}
            _ => return Err(outside()),
        }
    }
    if parts.is_empty() {
        return Err(outside());
    }
    Ok(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hook_reads_from_the_folder_it_was_given() {
        let hook = render_hook(Path::new("."), Path::new("./static/tcpdialog")).unwrap();
        assert!(hook.contains(r#"printf "%s/%s.figure.html" "static/tcpdialog" $name"#), "{hook}");
        assert!(hook.contains("{{- $name := substr (sha256 .Inner) 0 16 -}}"), "{hook}");
        insta::assert_snapshot!(hook);
    }

    #[test]
    fn a_folder_outside_the_site_is_refused() {
        assert!(render_hook(Path::new("."), Path::new("../elsewhere")).is_err());
        assert!(render_hook(Path::new("."), Path::new(".")).is_err());
    }
}
