//! The indmon dashboard: the pages (Dutch and English), the JSON API under `/api/v1`
//! with its OpenAPI document, and the embedded assets, served by axum.
//!
//! The server is read-only: it answers GET requests from the store and never writes to
//! it. Requests are limited in size (URI, headers, body) and time; connections in time
//! (headers, idleness) and number (see [`conn`]; the times and the number are the
//! `[server]` settings); computations run on their own
//! runtime under the query limits of the settings and are cached per distinct request
//! (see [`state`]). Every response carries a Content-Security-Policy without
//! `unsafe-inline`.

pub mod api;
pub mod assets;
pub mod conn;
pub mod data;
pub mod error;
pub mod evaluation;
pub mod html;
pub mod i18n;
pub mod ledger;
pub mod pages;
pub mod pages_deps;
pub mod params;
pub mod state;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

pub use state::AppState;

/// Longest request target accepted (path and query), in bytes.
pub const MAX_URI: usize = 4096;
/// Largest request body accepted, in bytes (the API takes no bodies).
pub const MAX_BODY: usize = 16 * 1024;

/// The Content-Security-Policy of every response: only this origin's scripts and
/// styles, no inline code, no framing.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The application: every route and layer (a request is answered within `[server]`
/// `request_timeout_secs` of the settings).
pub fn router(state: Arc<AppState>) -> Router {
    let request_timeout = state.settings.server.request_timeout();
    let pages = Router::new()
        .route("/", get(pages::overview))
        .route("/target", get(pages::target))
        .route("/markets", get(pages::markets))
        .route("/dependencies", get(pages::dependencies))
        .route("/dependencies/{hs6}", get(pages_deps::product))
        .route("/mutual", get(pages_deps::mutual))
        .route("/crm", get(pages_deps::crm))
        .route("/crm/{material}", get(pages_deps::material))
        .route("/evaluation", get(evaluation::evaluation))
        .route("/data", get(pages::data_page))
        .route("/data/provenance/{folder}", get(pages::provenance))
        .route_layer(middleware::from_fn_with_state(state.clone(), page_cache));
    Router::new()
        .merge(pages)
        .route("/api/v1/openapi.json", get(api::openapi))
        .route("/api/v1/target", get(api::target))
        .route("/api/v1/target/share", get(api::share))
        .route("/api/v1/target/decomposition", get(api::decomposition))
        .route("/api/v1/target/peers", get(api::peers))
        .route("/api/v1/target/revisions", get(api::revisions))
        .route("/api/v1/markets", get(api::markets))
        .route("/api/v1/markets/taxonomy", get(api::taxonomy))
        .route("/api/v1/markets/{market}", get(api::market))
        .route("/api/v1/dependencies", get(api::dependencies))
        .route("/api/v1/dependencies/metrics", get(api::metrics))
        .route("/api/v1/dependencies/{hs6}", get(api::explain))
        .route("/api/v1/mutual", get(api::mutual))
        .route("/api/v1/crm", get(api::crm))
        .route("/api/v1/crm/{material}", get(api::material))
        .route("/api/v1/complexity", get(api::complexity))
        .route("/api/v1/opportunities", get(api::opportunities))
        .route("/api/v1/opportunities/{product}", get(api::neighbourhood))
        .route("/api/v1/evaluate/synth", get(api::synth))
        .route("/api/v1/sources", get(api::sources))
        .route("/api/v1/series", get(api::series))
        .route("/api/v1/vintages", get(api::vintages))
        .route("/api/v1/ledger", get(ledger::api::api))
        .route("/programmes", get(ledger::pages::programmes))
        .route("/programmes/{id}", get(ledger::pages::programme))
        .route(
            "/ledger/login",
            get(ledger::auth::login_form).post(ledger::auth::login),
        )
        .route("/ledger/logout", post(ledger::auth::logout))
        .route("/ledger/{entity}", post(ledger::forms::create))
        .route("/ledger/{entity}/new", get(ledger::forms::new_form))
        .route("/ledger/{entity}/{id}", post(ledger::forms::update))
        .route("/ledger/{entity}/{id}/edit", get(ledger::forms::edit_form))
        .route("/ledger/{entity}/{id}/delete", post(ledger::forms::delete))
        .route("/assets/{*path}", get(assets::serve))
        .fallback(fallback)
        .with_state(state)
        .layer(middleware::from_fn_with_state(request_timeout, guard))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
}

/// Serves a page rendered before for the same request target; keeps what it renders
/// (a page depends only on its results, which are cached and emptied together).
async fn page_cache(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
    req: Request,
    next: Next,
) -> Response {
    let key = req.uri().to_string();
    let html = HeaderValue::from_static("text/html; charset=utf-8");
    if let Some(body) = state.page(&key) {
        return ([(header::CONTENT_TYPE, html)], body).into_response();
    }
    let r = next.run(req).await;
    if r.status() != StatusCode::OK {
        return r;
    }
    let (parts, body) = r.into_parts();
    match axum::body::to_bytes(body, 16 << 20).await {
        Ok(bytes) => {
            state.keep_page(key, bytes.clone());
            Response::from_parts(parts, axum::body::Body::from(bytes))
        }
        Err(e) => {
            error::AppError::Internal(format!("reading a rendered page: {e}")).into_response()
        }
    }
}

/// Unknown paths: problem details under `/api/`, a page elsewhere.
async fn fallback(req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        error::problem(
            StatusCode::NOT_FOUND,
            "no such API path; see /api/v1/openapi.json",
        )
    } else {
        let q = axum::extract::Query::<pages::PageQuery>::try_from_uri(req.uri())
            .map(|q| q.0)
            .unwrap_or_default();
        pages::not_found(axum::extract::Query(q)).await
    }
}

/// Refuses what the server never needs (long URIs, bodies, methods other than
/// GET/HEAD), bounds the time of every request (to `timeout`), and sets the security
/// headers.
async fn guard(
    axum::extract::State(timeout): axum::extract::State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI {
        return secure(error::problem(
            StatusCode::URI_TOO_LONG,
            &format!("the request target is longer than {MAX_URI} bytes"),
        ));
    }
    // Only the ledger's forms post; everything else is read-only.
    let form = req.method() == Method::POST && req.uri().path().starts_with("/ledger/");
    if req.method() != Method::GET && req.method() != Method::HEAD && !form {
        let mut r = error::problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "indmon serve is read-only here: GET and HEAD only (the ledger's forms post to /ledger/)",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return secure(r);
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if declared > MAX_BODY as u64 {
        return secure(error::problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("request bodies are limited to {MAX_BODY} bytes"),
        ));
    }
    let r = match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => error::problem(
            StatusCode::SERVICE_UNAVAILABLE,
            "the request took too long; try again shortly",
        ),
    };
    secure(r)
}

/// Adds the security headers.
fn secure(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    r
}

/// Serves `router(state)` on `listener` until `shutdown` completes, with the
/// connection limits of [`conn`] set by the `[server]` settings; then lets the
/// requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    state.watch(Duration::from_secs(5));
    let limits = conn::Limits::from_settings(&state.settings.server);
    conn::serve(listener, router(state), limits, shutdown).await
}

/// Computes the results the overview and target pages need, so the first visitor
/// does not wait for them.
pub async fn warm(state: &Arc<AppState>) -> Result<(), error::AppError> {
    let o = data::overview(state, None).await?;
    data::decomposition(state, None, None, None).await?;
    data::revisions(state, None, Some(o.latest.year)).await?;
    data::peers(state, None, None).await?;
    data::share(state, &[], None, None).await?;
    Ok(())
}
