//! The dashboard: the built single-page app (`web/dist`) served as static files at `/`.
//!
//! The API does not depend on it: when the assets were not built, `/` answers with a page that
//! says how to build them, and every API route works as before. Unknown paths under `/api` keep
//! the JSON 404 of the API.

use crate::error::ApiError;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Path, PathBuf};

/// Where the built dashboard lives.
#[derive(Debug, Clone)]
pub struct Site {
    dir: PathBuf,
}

impl Site {
    /// The dashboard in `dir` (normally `web/dist`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Whether the assets were built.
    pub fn is_built(&self) -> bool {
        self.dir.join("index.html").is_file()
    }
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>mmm</title></head><body style=\"font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto\">\
<h1>mmm</h1><p>The API is running, but the dashboard was not built.</p>\
<p>Build it with <code>make build</code> (or <code>make run</code>), which runs \
<code>npm ci &amp;&amp; npm run build</code> in <code>web/</code>, or point <code>WEB_DIR</code> at a built copy.</p>\
<p>The API is under <a href=\"/api/v1\">/api/v1</a>; try it in <a href=\"/docs/\">Swagger UI</a>.</p>\
</body></html>";

/// Content security policy of the dashboard page (stricter than the API-wide one).
pub const DASHBOARD_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        Some("json") => "application/json",
        Some("map") => "application/json",
        _ => "application/octet-stream",
    }
}

/// A request path as a file under the site, if it is a plain relative path (no `..`, no hidden
/// segments, only safe characters).
fn relative_file(path: &str) -> Option<PathBuf> {
    let rel = path.trim_start_matches('/');
    let rel = if rel.is_empty() { "index.html" } else { rel };
    let safe = rel.split('/').all(|seg| {
        !seg.is_empty()
            && !seg.starts_with('.')
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
    });
    safe.then(|| PathBuf::from(rel))
}

/// Serves the dashboard's files for GET and HEAD requests outside the API; everything else is the API's
/// JSON 404 (or 405 for a documented path with a method it does not take).
pub async fn fallback(req: HttpRequest, site: web::Data<Site>) -> Result<HttpResponse, ApiError> {
    let path = req.path().to_owned();
    let not_found = || ApiError::no_route(req.method().as_str(), &path);
    let readable =
        matches!(*req.method(), actix_web::http::Method::GET | actix_web::http::Method::HEAD);
    if !readable || path.starts_with("/api/") || path == "/api" {
        return Err(not_found());
    }
    if !site.is_built() {
        return if path == "/" || path == "/index.html" {
            Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(NOT_BUILT))
        } else {
            Err(not_found())
        };
    }
    let Some(rel) = relative_file(&path) else { return Err(not_found()) };
    let file = site.dir.join(&rel);
    let gzip_ok = req
        .headers()
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    // The build writes a gzip copy of each asset next to it.
    let (bytes, gzipped) = web::block(move || {
        let gz = file.with_file_name(format!(
            "{}.gz",
            file.file_name().map(|n| n.to_string_lossy()).unwrap_or_default()
        ));
        match (gzip_ok, std::fs::read(&gz)) {
            (true, Ok(bytes)) => Ok((bytes, true)),
            _ => std::fs::read(&file).map(|b| (b, false)),
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|_| not_found())?;
    // Built assets carry a content hash in their names; the page itself must be revalidated.
    let cache = if rel.as_os_str() == "index.html" {
        "no-cache"
    } else {
        "public, max-age=31536000, immutable"
    };
    let mut response = HttpResponse::Ok();
    response
        .content_type(content_type(&rel))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::VARY, "Accept-Encoding"));
    if gzipped {
        response.insert_header((header::CONTENT_ENCODING, "gzip"));
    }
    if rel.as_os_str() == "index.html" {
        // The page loads only its own bundle; ECharts sets inline styles on its tooltips.
        response.insert_header((header::CONTENT_SECURITY_POLICY, DASHBOARD_CSP));
    }
    Ok(response.body(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_served() {
        assert_eq!(relative_file("/"), Some(PathBuf::from("index.html")));
        assert_eq!(relative_file("/assets/app-X1.js"), Some(PathBuf::from("assets/app-X1.js")));
        for bad in ["/../etc/passwd", "/assets/../../x", "/.env", "/a//b", "/a%2e%2e/b", "/a\\b"] {
            assert_eq!(relative_file(bad), None, "{bad}");
        }
    }
}
