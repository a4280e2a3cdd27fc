//! The static files of the pages, embedded in the binary: the page script and style,
//! and the pinned third-party files in `assets/vendor/` (see its VERSIONS.md for the
//! versions, licences and the refresh script). Only these names are served; any other
//! path under `/assets/` is a 404, so no request can reach the file system.

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::problem;

/// (name under /assets/, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../assets/icon.svg"),
    ),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "vendor/design-tokens.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/design-tokens.css"),
    ),
    (
        "vendor/components.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/components.css"),
    ),
    (
        "vendor/NOTICES.txt",
        "text/plain; charset=utf-8",
        include_bytes!("../assets/vendor/NOTICES.txt"),
    ),
];

/// The embedded file `name`, if there is one.
pub fn file(name: &str) -> Option<(&'static str, &'static [u8])> {
    FILES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, t, b)| (*t, *b))
}

/// `GET /assets/{*path}`.
pub async fn serve(Path(path): Path<String>) -> Response {
    match file(&path) {
        Some((content_type, bytes)) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("public, max-age=3600"),
                ),
            ],
            bytes,
        )
            .into_response(),
        None => problem(StatusCode::NOT_FOUND, "no such asset"),
    }
}
