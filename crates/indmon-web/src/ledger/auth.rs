//! Signing in and sessions: the sign-in page, the session cookie, the session bar of
//! the ledger's pages, and the checks every change passes (a live session with the
//! editor role, its CSRF token, this site's `Origin`).
//!
//! A session holds the SHA-256 of the token it was opened with, never the token, and
//! is checked against the ledger on every request (one lookup by a unique key): a token
//! revoked or deleted in the ledger, by this server or by `indmon ledger token revoke`
//! in another process, ends its sessions at the next request.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{Markup, html};

use super::{Failure, Session, html_page, tr, with_ledger};
use crate::html::page;
use crate::i18n::{Lang, PageQuery};
use crate::state::AppState;

/// How long a session lasts.
const SESSION: Duration = Duration::from_secs(8 * 3600);
/// At most this many sessions are kept; beyond it, the oldest go first.
const MAX_SESSIONS: usize = 10_000;
const COOKIE: &str = "indmon_session";

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The live session of this request: its cookie names a session that has not expired,
/// and the token it was opened with is still valid in the ledger. A session whose
/// token was revoked or deleted is removed.
pub(super) async fn session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let id = session_id(headers)?;
    let l = state.ledger.get()?;
    let s = {
        let mut sessions = l.sessions.lock().ok()?;
        let now = Instant::now();
        sessions.retain(|_, s| s.expires > now);
        sessions.get(&id).cloned()?
    };
    let token = s.token.clone();
    match with_ledger(Some(l), move |l| l.token_holder(&token)).await {
        Ok(Some((name, role))) => Some(Session { name, role, ..s }),
        Ok(None) => {
            if let Ok(mut sessions) = l.sessions.lock() {
                sessions.remove(&id);
            }
            None
        }
        Err(_) => None,
    }
}

/// Equal without telling by its timing how much of it matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A POST comes from our own pages: the Origin, when sent, is this host.
fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/') == host)
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The path of the sign-in page that comes back to `back`.
fn login_href(lang: Lang, back: &str) -> String {
    format!(
        "/ledger/login?next={}{}",
        pct(back),
        if lang == Lang::En { "&lang=en" } else { "" }
    )
}

/// Who is signed in, with a sign-out button; or a link to sign in and come back to
/// `back`.
pub(super) fn who_bar(lang: Lang, s: Option<&Session>, back: &str) -> Markup {
    html! {
        @match s {
            Some(s) => form class="ledger-session" method="post" action="/ledger/logout" {
                p class="nl-paragraph" {
                    (tr(lang, "Ingelogd als", "Signed in as")) " " strong { (s.name) } " (" (s.role) ") "
                    input type="hidden" name="csrf" value=(s.csrf);
                    button class="utrecht-button utrecht-button--subtle" type="submit" { (tr(lang, "Uitloggen", "Sign out")) }
                }
            },
            None => p class="nl-paragraph ledger-session" {
                a href=(login_href(lang, back)) { (tr(lang, "Inloggen om te bewerken", "Sign in to edit")) }
            },
        }
    }
}

/// What the login form sends.
#[derive(serde::Deserialize)]
pub struct LoginForm {
    token: String,
    #[serde(default)]
    next: String,
}

/// Where to go after signing in: a path of this site only (no other host, no control
/// characters that could not go into a `Location` header).
fn safe_next(next: &str) -> String {
    if next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && next.chars().all(|c| c.is_ascii_graphic())
    {
        next.to_owned()
    } else {
        "/programmes".into()
    }
}

/// The query of the login page.
#[derive(serde::Deserialize, Default)]
pub struct LoginQuery {
    lang: Option<String>,
    next: Option<String>,
}

fn login_page(lang: Lang, next: &str, error: Option<&str>) -> String {
    let main = html! {
        h1 class="utrecht-heading-1" { (tr(lang, "Inloggen voor redacteuren", "Sign in for editors")) }
        p class="nl-paragraph" {
            (tr(
                lang,
                "Iedereen kan de programma's lezen. Wijzigen kan alleen met een token met de rol editor (indmon ledger token add NAAM).",
                "Everyone can read the programmes. Changing them needs a token with the editor role (indmon ledger token add NAME)."
            ))
        }
        @if let Some(e) = error {
            p class="utrecht-form-field-error-message" role="alert" { (e) }
        }
        form method="post" action=(if lang == Lang::En { "/ledger/login?lang=en" } else { "/ledger/login" }) class="ledger-form" {
            div class="utrecht-form-field" {
                label class="utrecht-form-label" for="token" { "Token" }
                input class="utrecht-textbox" id="token" name="token" type="password" autocomplete="off" required;
            }
            input type="hidden" name="next" value=(next);
            button class="utrecht-button utrecht-button--primary-action" type="submit" { (tr(lang, "Inloggen", "Sign in")) }
        }
    };
    page(lang, "/programmes", tr(lang, "Inloggen", "Sign in"), main)
}

/// `GET /ledger/login`.
pub async fn login_form(Query(q): Query<LoginQuery>) -> Response {
    let lang = PageQuery {
        lang: q.lang.clone(),
    }
    .lang();
    html_page(login_page(
        lang,
        &safe_next(q.next.as_deref().unwrap_or("/programmes")),
        None,
    ))
    .into_response()
}

/// `POST /ledger/login`.
pub async fn login(
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<LoginForm>,
) -> Response {
    let lang = q.lang();
    if !same_origin(&headers) {
        return Failure::Forbidden(
            tr(
                lang,
                "Verzoek van een andere site geweigerd.",
                "Request from another site refused.",
            )
            .into(),
        )
        .page(lang);
    }
    let token = indmon_ledger::token_digest(&form.token);
    let digest = token.clone();
    let who = match with_ledger(state.ledger.get(), move |l| l.token_holder(&digest)).await {
        Ok(w) => w,
        Err(f) => return f.page(lang),
    };
    let next = safe_next(&form.next);
    let Some((name, role)) = who else {
        return (
            StatusCode::UNAUTHORIZED,
            html_page(login_page(
                lang,
                &next,
                Some(tr(
                    lang,
                    "Onbekend of ingetrokken token.",
                    "Unknown or revoked token.",
                )),
            )),
        )
            .into_response();
    };
    let (Ok(id), Ok(csrf)) = (indmon_ledger::random_hex(32), indmon_ledger::random_hex(32)) else {
        return Failure::Internal("no randomness".into()).page(lang);
    };
    if let Some(l) = state.ledger.get()
        && let Ok(mut s) = l.sessions.lock()
    {
        let now = Instant::now();
        s.retain(|_, v| v.expires > now);
        if s.len() >= MAX_SESSIONS
            && let Some(oldest) = s
                .iter()
                .min_by_key(|(_, v)| v.expires)
                .map(|(k, _)| k.clone())
        {
            s.remove(&oldest);
        }
        s.insert(
            id.clone(),
            Session {
                name,
                role,
                token,
                csrf,
                expires: now + SESSION,
            },
        );
    }
    // Behind a TLS-terminating proxy the cookie only travels over HTTPS.
    let https = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"));
    let cookie = format!(
        "{COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
        SESSION.as_secs(),
        if https { "; Secure" } else { "" }
    );
    let mut r = Redirect::to(&next).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

/// What the logout form sends.
#[derive(serde::Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /ledger/logout`.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<CsrfForm>,
) -> Response {
    if let (Some(id), Some(s)) = (session_id(&headers), session(&state, &headers).await)
        && same(&s.csrf, &form.csrf)
        && let Some(l) = state.ledger.get()
        && let Ok(mut map) = l.sessions.lock()
    {
        map.remove(&id);
    }
    let mut r = Redirect::to("/programmes").into_response();
    r.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_static("indmon_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"),
    );
    r
}

/// The editor of this request, or the response refusing it (a handler returns that
/// response as it is, so its size does not matter). Without a live session a form
/// (GET) sends the visitor to sign in and come back to `back`; a change (POST) is
/// refused with 401 and the sign-in page. A reader's session gets 403.
#[allow(clippy::result_large_err)]
pub(super) async fn require_editor(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    back: &str,
    change: bool,
) -> Result<Session, Response> {
    match session(state, headers).await {
        None if change => Err((
            StatusCode::UNAUTHORIZED,
            html_page(login_page(
                lang,
                back,
                Some(tr(
                    lang,
                    "Niet opgeslagen: u bent niet (meer) ingelogd. De sessie is afgelopen, afgemeld of het token is ingetrokken.",
                    "Not saved: you are not signed in (any more). The session ended, was signed out, or its token was revoked.",
                )),
            )),
        )
            .into_response()),
        None => Err(Redirect::to(&login_href(lang, back)).into_response()),
        Some(s) if s.role != "editor" => Err(Failure::Forbidden(
            tr(
                lang,
                "Uw token heeft de rol reader: lezen mag, wijzigen niet.",
                "Your token has the reader role: you may read, not change.",
            )
            .into(),
        )
        .page(lang)),
        Some(s) => Ok(s),
    }
}

/// The editor of a change (a POST whose form carries `csrf`), or the response refusing
/// it: no live session (401), a reader (403), a wrong CSRF token or another site's
/// `Origin` (403).
#[allow(clippy::result_large_err)]
pub(super) async fn require_change(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    back: &str,
    csrf: &str,
) -> Result<Session, Response> {
    let s = require_editor(state, headers, lang, back, true).await?;
    if !same_origin(headers) || !same(&s.csrf, csrf) {
        return Err(Failure::Forbidden(
            tr(lang, "Het formulier is verlopen of komt niet van deze site (CSRF-controle). Laad het opnieuw.", "The form has expired or does not come from this site (CSRF check). Load it again.").into(),
        )
        .page(lang));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_in_goes_back_only_to_this_site() {
        assert_eq!(
            safe_next("/programmes/biotechnology"),
            "/programmes/biotechnology"
        );
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "/\\evil",
            "/a\r\nSet-Cookie: x=1",
            "",
            "programmes",
        ] {
            assert_eq!(safe_next(bad), "/programmes", "{bad:?}");
        }
    }

    #[test]
    fn posts_from_other_origins_are_told_apart() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h), "no Origin: the CSRF token decides");
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn tokens_compare_in_full() {
        assert!(same("abc", "abc"));
        assert!(!same("abc", "abd"));
        assert!(!same("abc", "ab"));
        assert!(!same("", "a"));
    }
}
