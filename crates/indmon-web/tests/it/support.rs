//! The fixture: a store with the bundled snapshot (loaded once per test binary), a fresh
//! SQLite ledger per application, and requests sent to the router in process.

use std::path::PathBuf;
use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use indmon_core::Settings;
use indmon_ledger::Ledger;
use indmon_store::Store;
use indmon_web::AppState;
use tower::ServiceExt as _;

/// The host every request names (a POST's Origin must match it).
pub const HOST: &str = "indmon.test";

/// The data directory with every bundled dataset loaded (shared, read only).
pub fn data_dir() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let store = Store::open(&data).unwrap();
        indmon_ingest::load_bundle(&store, false, &indmon_ingest::Quiet).unwrap();
        (dir, data)
    })
    .1
}

/// An application: the router on the shared store and its own ledger.
pub struct App {
    router: Router,
    /// Where the ledger is (a SQLite file in `_dir`).
    pub ledger: PathBuf,
    _dir: tempfile::TempDir,
}

/// An answer.
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: axum::http::HeaderMap,
    /// The body as text.
    pub text: String,
}

impl Reply {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `name=value` of the session cookie this answer sets.
    pub fn cookie(&self) -> String {
        let set = self.header("set-cookie").expect("a cookie");
        set.split(';').next().unwrap().to_owned()
    }

    /// The value of the form field `name` (`name="NAME" value="…"`).
    pub fn form_value(&self, name: &str) -> String {
        let key = format!("name=\"{name}\" value=\"");
        let at = self
            .text
            .find(&key)
            .unwrap_or_else(|| panic!("no {name} in {}", self.text))
            + key.len();
        self.text[at..].split('"').next().unwrap().to_owned()
    }
}

/// Percent-encodes a form value.
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl App {
    /// A new application with a freshly seeded ledger.
    pub fn new() -> Self {
        Self::on(data_dir())
    }

    /// A new application on the store in `data` (with a freshly seeded ledger).
    pub fn on(data: &std::path::Path) -> Self {
        let store = Store::open(data).unwrap();
        let state = AppState::new(store, Settings::default()).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let ledger = dir.path().join("ledger.sqlite");
        assert!(state.attach_ledger(Ledger::open(ledger.to_str().unwrap()).unwrap()));
        Self {
            router: indmon_web::router(state),
            ledger,
            _dir: dir,
        }
    }

    /// The ledger, opened a second time (as `indmon ledger …` in another process would).
    pub fn ledger(&self) -> Ledger {
        Ledger::open(self.ledger.to_str().unwrap()).unwrap()
    }

    /// A token for `name` with `role`, made in the ledger.
    pub fn token(&self, name: &str, role: &str) -> String {
        self.ledger().create_token(name, role).unwrap()
    }

    /// Sends `req` to the router.
    pub async fn send(&self, req: Request<Body>) -> Reply {
        let r = self.router.clone().oneshot(req).await.unwrap();
        let (parts, body) = r.into_parts();
        let bytes = axum::body::to_bytes(body, 64 << 20).await.unwrap();
        Reply {
            status: parts.status,
            headers: parts.headers,
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    /// A GET, with a cookie when given.
    pub async fn get(&self, target: &str, cookie: &str) -> Reply {
        let mut b = Request::get(target).header(header::HOST, HOST);
        if !cookie.is_empty() {
            b = b.header(header::COOKIE, cookie);
        }
        self.send(b.body(Body::empty()).unwrap()).await
    }

    /// A form POST from this site (`Origin` names this host), with a cookie when given.
    pub async fn post(&self, target: &str, form: &str, cookie: &str) -> Reply {
        self.post_from(target, form, cookie, Some(&format!("http://{HOST}")))
            .await
    }

    /// A form POST with the given `Origin` (none when `None`).
    pub async fn post_from(
        &self,
        target: &str,
        form: &str,
        cookie: &str,
        origin: Option<&str>,
    ) -> Reply {
        let mut b = Request::post(target)
            .header(header::HOST, HOST)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if !cookie.is_empty() {
            b = b.header(header::COOKIE, cookie);
        }
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        self.send(b.body(Body::from(form.to_owned())).unwrap())
            .await
    }

    /// Signs in with `token`; the session cookie.
    pub async fn sign_in(&self, token: &str) -> String {
        let r = self
            .post(
                "/ledger/login",
                &format!("token={token}&next=%2Fprogrammes"),
                "",
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text);
        r.cookie()
    }
}
