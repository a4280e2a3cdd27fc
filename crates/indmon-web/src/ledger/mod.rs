//! The programme ledger on the dashboard.
//!
//! - [`pages`]: `/programmes`, the goal, its headline indicator against the 15 % target,
//!   the stated budget, the six programmes, the nine action types, the instruments,
//!   milestones and evaluations — readable by everyone; `/programmes/{id}`, one
//!   programme with its progress view (indicators against their targets, spending
//!   against budget), its actions by type, its instruments, evaluations, milestones and
//!   recent changes;
//! - [`auth`]: `/ledger/login`, signing in with a token (`indmon ledger token add
//!   NAME`); a session cookie (HttpOnly, SameSite=Strict, 8 hours) and a CSRF token per
//!   session. A session is keyed to the token it was opened with and checked against
//!   the ledger on every request: revoking the token (`indmon ledger token revoke
//!   NAME`, in any process) ends its sessions at once;
//! - [`forms`]: `/ledger/{entity}/new`, `/ledger/{entity}/{id}/edit`, the forms for
//!   editors, made from the ledger's field lists; every POST needs a live session, its
//!   CSRF token and, when the browser sends one, an `Origin` equal to the host; a
//!   `reader` token may sign in but not change anything;
//! - [`api`]: `/api/v1/ledger`, the whole ledger as JSON (or `format=xlsx`, or one kind
//!   of record as CSV).
//!
//! Changes go through [`indmon_ledger::Ledger`]: validated, versioned, in the audit
//! trail; a form based on an old version gets a conflict page that keeps what was
//! typed, next to the values now in the ledger.
//!
//! This module holds what the four share: the ledger connection and the session table
//! of a running server ([`LedgerState`], a field of the server's state), running work on
//! the connection, and the error page.

pub mod api;
pub mod auth;
pub mod forms;
pub mod pages;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use indmon_ledger::{Error as LedgerError, Ledger};
use maud::html;

use crate::html::{href, page};
use crate::i18n::Lang;

/// The ledger of a running server, and its editors' sessions.
pub struct LedgerState {
    conn: Mutex<Ledger>,
    sessions: Mutex<HashMap<String, Session>>,
}

/// A signed-in editor or reader.
#[derive(Clone)]
struct Session {
    /// The token's name.
    name: String,
    /// `editor` or `reader`, as the ledger said at the last check.
    role: String,
    /// The SHA-256 of the token the session was opened with: checked against the
    /// ledger on every request.
    token: String,
    /// The CSRF token of the session's forms.
    csrf: String,
    expires: Instant,
}

impl LedgerState {
    /// Wraps an open ledger.
    pub fn new(ledger: Ledger) -> Self {
        Self {
            conn: Mutex::new(ledger),
            sessions: Mutex::new(HashMap::new()),
        }
    }
}

fn tr(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// Runs `f` on the ledger connection, off the async threads.
async fn with_ledger<T: Send + 'static>(
    ledger: Option<&Arc<LedgerState>>,
    f: impl FnOnce(&mut Ledger) -> Result<T, LedgerError> + Send + 'static,
) -> Result<T, Failure> {
    let l = ledger.ok_or(Failure::NoLedger)?.clone();
    tokio::task::spawn_blocking(move || {
        let mut conn = l
            .conn
            .lock()
            .map_err(|_| Failure::Internal("ledger lock".into()))?;
        conn.ensure_connected().map_err(Failure::Ledger)?;
        f(&mut conn).map_err(Failure::Ledger)
    })
    .await
    .map_err(|e| Failure::Internal(e.to_string()))?
}

/// Why a ledger page failed.
enum Failure {
    NoLedger,
    Ledger(LedgerError),
    NotFound(String),
    Forbidden(String),
    Internal(String),
}

impl Failure {
    fn page(self, lang: Lang) -> Response {
        let (status, msg) = match self {
            Failure::NoLedger => (
                StatusCode::SERVICE_UNAVAILABLE,
                tr(
                    lang,
                    "Deze server heeft geen programmaregister.",
                    "This server has no programme ledger.",
                )
                .to_owned(),
            ),
            Failure::Ledger(LedgerError::NotFound { entity, id }) => {
                (StatusCode::NOT_FOUND, format!("{entity} '{id}'?"))
            }
            Failure::Ledger(
                e @ (LedgerError::Connect(_) | LedgerError::Db(_) | LedgerError::Io(_)),
            ) => {
                eprintln!("ledger: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    tr(
                        lang,
                        "Het programmaregister is nu niet bereikbaar.",
                        "The programme ledger cannot be reached now.",
                    )
                    .to_owned(),
                )
            }
            Failure::Ledger(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.to_string()),
            Failure::NotFound(m) => (StatusCode::NOT_FOUND, m),
            Failure::Forbidden(m) => (StatusCode::FORBIDDEN, m),
            Failure::Internal(m) => {
                eprintln!("ledger: {m}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    tr(lang, "Interne fout.", "Internal error.").to_owned(),
                )
            }
        };
        let main = html! {
            h1 class="utrecht-heading-1" { (status.as_u16()) }
            p class="nl-paragraph" { (msg) }
            p class="nl-paragraph" {
                a href=(href("/programmes", lang)) { (tr(lang, "Naar de programma's", "To the programmes")) }
            }
        };
        (
            status,
            html_page(page(lang, "/programmes", &status.to_string(), main)),
        )
            .into_response()
    }
}

/// A page of the ledger: HTML, never kept by a cache (it shows who is signed in).
fn html_page(body: String) -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
}
