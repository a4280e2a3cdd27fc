//! Downloads from the live sources: the only network code of indmon.
//!
//! Every request has a timeout; connection failures, timeouts, HTTP 408, 429 and 5xx
//! and bodies shorter than announced are retried with exponential backoff, and a
//! `Retry-After` header (seconds or an HTTP date) is honoured (a zero one — OECD sends
//! those — is treated as absent). A response of the wrong content type (an HTML error
//! page, a proxy login) is refused, not parsed. Gzip is undone whether or not the server
//! says so (Eurostat sends some bodies gzipped without `Content-Encoding`).
//!
//! Paged downloads (CBS OData) go through a [`Session`]: each page is kept in the
//! download cache under the SHA-256 of its content, and the session records the pages
//! fetched so far and the link to the next one, so an interrupted download resumes
//! where it stopped instead of starting over.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use indmon_core::settings::FetchSettings;
use serde::{Deserialize, Serialize};

use crate::input::sha256_hex;

/// A failed download, after retries where retrying made sense.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The server answered with an error status.
    #[error("{url}: HTTP {status}{}", detail.as_ref().map(|d| format!(": {d}")).unwrap_or_default())]
    Status {
        /// The URL.
        url: String,
        /// The status code.
        status: u16,
        /// What the body says, shortened.
        detail: Option<String>,
    },
    /// The server sent something other than what was asked for.
    #[error(
        "{url}: expected {expected}, the server sent {got} (an error page or a proxy in between?)"
    )]
    ContentType {
        /// The URL.
        url: String,
        /// What was acceptable.
        expected: String,
        /// What came.
        got: String,
    },
    /// No usable answer after all retries.
    #[error("{url}: {message} (after {attempts} attempts)")]
    GaveUp {
        /// The URL.
        url: String,
        /// The last problem.
        message: String,
        /// Attempts made.
        attempts: u32,
    },
    /// The server asked to wait longer than indmon is set to.
    #[error(
        "{url}: the server asks to retry after {seconds} s, longer than the {max} s indmon waits (fetch.max_retry_after_secs)"
    )]
    TooLongRetryAfter {
        /// The URL.
        url: String,
        /// What the server asked.
        seconds: u64,
        /// The setting.
        max: u64,
    },
    /// The server says no data matches the selection.
    #[error("{url}: the server has no data for this selection{}", detail.as_ref().map(|d| format!(" ({d})")).unwrap_or_default())]
    NoData {
        /// The URL.
        url: String,
        /// What it said.
        detail: Option<String>,
    },
    /// The download cache could not be used.
    #[error("download cache {path}: {message}")]
    Cache {
        /// The path.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl FetchError {
    /// A failed download.
    pub fn kind(&self) -> indmon_core::ErrorKind {
        indmon_core::ErrorKind::Download
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The URL.
    pub url: String,
    /// The body (decompressed).
    pub body: Vec<u8>,
    /// The Content-Type header.
    pub content_type: Option<String>,
    /// The Last-Modified header.
    pub last_modified: Option<String>,
    /// True when served from the cache of an interrupted session.
    pub from_cache: bool,
}

/// The content types a request accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// JSON (JSON-stat, OData).
    Json,
    /// CSV (SDMX-CSV).
    Csv,
}

impl Expect {
    fn accept_header(self) -> &'static str {
        match self {
            Expect::Json => "application/json",
            Expect::Csv => {
                "text/csv, application/vnd.sdmx.data+csv;version=1.0.0, text/plain;q=0.5"
            }
        }
    }

    fn accepts(self, content_type: &str) -> bool {
        let ct = content_type.to_ascii_lowercase();
        match self {
            Expect::Json => ct.contains("json"),
            Expect::Csv => {
                ct.contains("csv") || ct.starts_with("text/plain") || ct.contains("octet-stream")
            }
        }
    }

    fn name(self) -> &'static str {
        match self {
            Expect::Json => "JSON",
            Expect::Csv => "CSV",
        }
    }
}

/// A configured HTTP client.
pub struct Fetcher {
    agent: ureq::Agent,
    settings: FetchSettings,
    cache_dir: PathBuf,
}

fn is_retryable(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Parses a `Retry-After` value: seconds, or an HTTP date. Zero counts as absent.
pub fn retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return (secs > 0).then(|| Duration::from_secs(secs));
    }
    let when = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (when.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    (secs > 0).then(|| Duration::from_secs(secs as u64))
}

/// A short, single-line excerpt of an error body (JSON error labels, SOAP fault strings, text).
fn excerpt(body: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(body);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        let labels: Vec<String> = v
            .get("error")
            .map(|e| match e {
                serde_json::Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            })
            .unwrap_or_default()
            .iter()
            .filter_map(|e| {
                e.get("label")
                    .or_else(|| e.get("message"))
                    .and_then(|l| l.as_str())
                    .map(str::to_string)
            })
            .collect();
        if !labels.is_empty() {
            return Some(labels.join("; "));
        }
    }
    if let Some(start) = text.find("<faultstring>") {
        let rest = &text[start + 13..];
        return Some(
            rest.split("</faultstring>")
                .next()
                .unwrap_or(rest)
                .trim()
                .to_string(),
        );
    }
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    (!t.is_empty()).then(|| t.chars().take(200).collect())
}

fn gunzip_if_needed(body: Vec<u8>) -> std::io::Result<Vec<u8>> {
    if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        flate2::read::MultiGzDecoder::new(&body[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(body)
    }
}

impl Fetcher {
    /// A client with the given settings, keeping its cache in `cache_dir`.
    pub fn new(settings: &FetchSettings, cache_dir: impl Into<PathBuf>) -> Self {
        let timeout = Duration::from_secs(settings.timeout_secs.max(1));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .timeout_connect(Some(timeout.min(Duration::from_secs(30))))
            .http_status_as_error(false)
            .user_agent(format!(
                "indmon/{} (industrial-policy monitor)",
                indmon_core::INDMON_VERSION
            ))
            .build()
            .into();
        Self {
            agent,
            settings: settings.clone(),
            cache_dir: settings
                .cache_dir
                .clone()
                .unwrap_or_else(|| cache_dir.into()),
        }
    }

    /// The cache folder.
    pub fn cache_dir(&self) -> &Path {
        &self.cache_dir
    }

    /// GETs `url`, retrying what is worth retrying. `on_retry` hears about each wait.
    pub fn get(
        &self,
        url: &str,
        expect: Expect,
        on_retry: &dyn Fn(&str),
    ) -> Result<Fetched, FetchError> {
        let attempts = self.settings.retries + 1;
        let mut last = String::new();
        for attempt in 1..=attempts {
            let mut wait = Duration::from_millis(
                self.settings
                    .backoff_ms
                    .saturating_mul(1 << (attempt - 1).min(16)),
            );
            match self.once(url, expect) {
                Ok(f) => return Ok(f),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry {
                    message,
                    retry_after,
                }) => {
                    last = message;
                    if let Some(ra) = retry_after {
                        if ra.as_secs() > self.settings.max_retry_after_secs {
                            return Err(FetchError::TooLongRetryAfter {
                                url: url.to_string(),
                                seconds: ra.as_secs(),
                                max: self.settings.max_retry_after_secs,
                            });
                        }
                        wait = ra;
                    }
                }
            }
            if attempt < attempts {
                on_retry(&format!(
                    "{last}; retrying in {:.1} s (attempt {}/{attempts})",
                    wait.as_secs_f64(),
                    attempt + 1
                ));
                std::thread::sleep(wait);
            }
        }
        Err(FetchError::GaveUp {
            url: url.to_string(),
            message: last,
            attempts,
        })
    }

    fn once(&self, url: &str, expect: Expect) -> Result<Fetched, Attempt> {
        let resp = self
            .agent
            .get(url)
            .header("Accept", expect.accept_header())
            .header("Accept-Language", "en")
            .call()
            .map_err(|e| Attempt::Retry {
                message: describe(&e),
                retry_after: None,
            })?;
        let status = resp.status().as_u16();
        let header = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let content_type = header("content-type");
        let last_modified = header("last-modified");
        let retry_after_h = header("retry-after");
        let mut body = resp.into_body();
        let read = body.with_config().limit(u64::MAX).read_to_vec();
        if is_retryable(status) {
            return Err(Attempt::Retry {
                message: format!(
                    "HTTP {status}{}",
                    read.ok()
                        .and_then(|b| excerpt(&b))
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default()
                ),
                retry_after: retry_after_h.as_deref().and_then(retry_after),
            });
        }
        let bytes = read.map_err(|e| Attempt::Retry {
            message: format!("the response body broke off: {}", describe(&e)),
            retry_after: None,
        })?;
        if !(200..300).contains(&status) {
            let detail = excerpt(&bytes);
            if status == 404
                && detail
                    .as_deref()
                    .is_some_and(|d| d.contains("NoResultsFound") || d.contains("No results found"))
            {
                return Err(Attempt::Fatal(FetchError::NoData {
                    url: url.to_string(),
                    detail,
                }));
            }
            return Err(Attempt::Fatal(FetchError::Status {
                url: url.to_string(),
                status,
                detail,
            }));
        }
        let ct = content_type.clone().unwrap_or_default();
        if !ct.is_empty() && !expect.accepts(&ct) && !bytes.starts_with(&[0x1f, 0x8b]) {
            return Err(Attempt::Fatal(FetchError::ContentType {
                url: url.to_string(),
                expected: expect.name().to_string(),
                got: ct,
            }));
        }
        let body = gunzip_if_needed(bytes).map_err(|e| Attempt::Retry {
            message: format!("the gzip body is damaged: {e}"),
            retry_after: None,
        })?;
        Ok(Fetched {
            url: url.to_string(),
            body,
            content_type,
            last_modified,
            from_cache: false,
        })
    }
}

enum Attempt {
    Retry {
        message: String,
        retry_after: Option<Duration>,
    },
    Fatal(FetchError),
}

fn describe(e: &ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("no answer within the timeout ({t})"),
        ureq::Error::Io(io) => format!("connection error: {io}"),
        ureq::Error::ConnectionFailed => "could not connect".into(),
        ureq::Error::HostNotFound => "host not found".into(),
        other => other.to_string(),
    }
}

/// The state of a paged download, kept in the cache so that it can resume.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SessionState {
    /// The first URL.
    pub start: String,
    /// The pages fetched so far: URL and content SHA-256.
    pub pages: Vec<(String, String)>,
    /// The next page's URL, while the download is not complete.
    pub next: Option<String>,
    /// True when the last page has been fetched.
    pub complete: bool,
}

/// A paged download whose pages are cached by content checksum.
pub struct Session<'a> {
    fetcher: &'a Fetcher,
    state_path: PathBuf,
    /// Where the download stands.
    pub state: SessionState,
    /// Pages reused from an interrupted earlier run.
    pub resumed_pages: usize,
}

impl<'a> Session<'a> {
    /// Starts a download at `start`, or resumes an unfinished one with the same start.
    pub fn open(fetcher: &'a Fetcher, start: &str) -> Result<Self, FetchError> {
        let dir = fetcher.cache_dir.join("sessions");
        std::fs::create_dir_all(&dir).map_err(|e| cache_err(&dir, e))?;
        let state_path = dir.join(format!("{}.json", &sha256_hex(start.as_bytes())[..24]));
        let state = std::fs::read_to_string(&state_path)
            .ok()
            .and_then(|t| serde_json::from_str::<SessionState>(&t).ok())
            .filter(|s| !s.complete && s.start == start && s.next.is_some())
            .unwrap_or_else(|| SessionState {
                start: start.to_string(),
                next: Some(start.to_string()),
                ..Default::default()
            });
        let resumed_pages = state.pages.len();
        Ok(Self {
            fetcher,
            state_path,
            state,
            resumed_pages,
        })
    }

    fn blob_path(&self, sha: &str) -> PathBuf {
        self.fetcher.cache_dir.join("blobs").join(sha)
    }

    /// The pages fetched in an earlier, interrupted run.
    pub fn cached_pages(&self) -> Result<Vec<Fetched>, FetchError> {
        self.state
            .pages
            .iter()
            .map(|(url, sha)| {
                let p = self.blob_path(sha);
                let body = std::fs::read(&p).map_err(|e| cache_err(&p, e))?;
                if sha256_hex(&body) != *sha {
                    return Err(FetchError::Cache {
                        path: p.display().to_string(),
                        message: "cached page does not match its checksum".into(),
                    });
                }
                Ok(Fetched {
                    url: url.clone(),
                    body,
                    content_type: None,
                    last_modified: None,
                    from_cache: true,
                })
            })
            .collect()
    }

    /// Fetches the next page and records it; `next_of` finds the following page's
    /// link in a page. Returns `None` when the download is complete.
    pub fn next_page(
        &mut self,
        expect: Expect,
        next_of: &dyn Fn(&[u8]) -> Option<String>,
        on_retry: &dyn Fn(&str),
    ) -> Result<Option<Fetched>, FetchError> {
        let Some(url) = self.state.next.clone() else {
            return Ok(None);
        };
        let page = self.fetcher.get(&url, expect, on_retry)?;
        let sha = sha256_hex(&page.body);
        let blob = self.blob_path(&sha);
        if let Some(parent) = blob.parent() {
            std::fs::create_dir_all(parent).map_err(|e| cache_err(parent, e))?;
        }
        write_file(&blob, &page.body)?;
        self.state.pages.push((url, sha));
        self.state.next = next_of(&page.body);
        self.state.complete = self.state.next.is_none();
        let json = serde_json::to_vec_pretty(&self.state).expect("session state serialises");
        write_file(&self.state_path, &json)?;
        Ok(Some(page))
    }

    /// The checksum of the whole download: SHA-256 of the pages' checksums, one per
    /// line, in order.
    pub fn checksum(&self) -> String {
        sha256_hex(
            self.state
                .pages
                .iter()
                .map(|(_, s)| s.as_str())
                .collect::<Vec<_>>()
                .join("\n")
                .as_bytes(),
        )
    }
}

fn cache_err(p: &Path, e: std::io::Error) -> FetchError {
    FetchError::Cache {
        path: p.display().to_string(),
        message: e.to_string(),
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FetchError> {
    let tmp = path.with_extension("partial");
    std::fs::write(&tmp, bytes).map_err(|e| cache_err(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| cache_err(path, e))
}

/// URL of a Eurostat statistics-API request returning JSON-stat 2.0.
pub fn eurostat_url(base: &str, dataset: &str, filters: &[(String, String)]) -> String {
    let mut url = format!(
        "{}/statistics/1.0/data/{dataset}?format=JSON&lang=EN",
        base.trim_end_matches('/')
    );
    for (dim, codes) in filters {
        for code in codes.split(',') {
            url.push_str(&format!("&{dim}={}", percent(code.trim())));
        }
    }
    url
}

/// URL of an OECD SDMX REST request returning SDMX-CSV with labels.
pub fn oecd_url(base: &str, flow: &str, key: &str, start: Option<&str>) -> String {
    let key = if key.is_empty() { "all" } else { key };
    let mut url = format!(
        "{}/data/{flow}/{key}?format=csvfilewithlabels",
        base.trim_end_matches('/')
    );
    if let Some(s) = start {
        url.push_str(&format!("&startPeriod={s}"));
    }
    url
}

/// Minimal percent-encoding for query values.
pub fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The `@odata.nextLink` (v4) or `odata.nextLink` (v3) of an OData page.
pub fn odata_next(page: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(page).ok()?;
    v.get("@odata.nextLink")
        .or_else(|| v.get("odata.nextLink"))
        .and_then(|l| l.as_str())
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_and_dates() {
        assert_eq!(retry_after("3"), Some(Duration::from_secs(3)));
        assert_eq!(retry_after("0"), None);
        assert_eq!(retry_after("soon"), None);
        let later = (chrono::Utc::now() + chrono::Duration::seconds(120)).to_rfc2822();
        let d = retry_after(&later).unwrap().as_secs();
        assert!((110..=120).contains(&d), "{d}");
    }

    #[test]
    fn error_bodies_are_summarised() {
        let eurostat = br#"{"error":[{"status":404,"id":100,"label":"ERR_NOT_FOUND_4: NAMA_10_X is not available"}]}"#;
        assert_eq!(
            excerpt(eurostat).unwrap(),
            "ERR_NOT_FOUND_4: NAMA_10_X is not available"
        );
        let soap = b"<S:Fault><faultcode>413</faultcode><faultstring>EXTRACTION_TOO_BIG: too big</faultstring></S:Fault>";
        assert_eq!(excerpt(soap).unwrap(), "EXTRACTION_TOO_BIG: too big");
        assert_eq!(excerpt(b"  NoResultsFound \n").unwrap(), "NoResultsFound");
    }

    #[test]
    fn urls() {
        assert_eq!(
            eurostat_url(
                "https://x/api/dissemination/",
                "nama_10_a64",
                &[
                    ("geo".into(), "NL,DE".into()),
                    ("unit".into(), "CP_MEUR".into())
                ]
            ),
            "https://x/api/dissemination/statistics/1.0/data/nama_10_a64?format=JSON&lang=EN&geo=NL&geo=DE&unit=CP_MEUR"
        );
        assert_eq!(
            oecd_url(
                "https://sdmx.oecd.org/public/rest",
                "OECD.SDD.NAD,DSD_NAAG_IV@DF_NAAG_IV,1.0",
                "",
                None
            ),
            "https://sdmx.oecd.org/public/rest/data/OECD.SDD.NAD,DSD_NAAG_IV@DF_NAAG_IV,1.0/all?format=csvfilewithlabels"
        );
        assert_eq!(percent("Measure eq 'M1'"), "Measure%20eq%20%27M1%27");
        assert_eq!(
            odata_next(br#"{"value":[],"@odata.nextLink":"http://h/p2"}"#).as_deref(),
            Some("http://h/p2")
        );
        assert_eq!(
            odata_next(br#"{"odata.nextLink":"http://h/p3","value":[]}"#).as_deref(),
            Some("http://h/p3")
        );
        assert_eq!(odata_next(br#"{"value":[]}"#), None);
    }
}
