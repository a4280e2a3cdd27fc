//! The programme ledger on the dashboard.
//!
//! - `/programmes`: the goal, its headline indicator against the 15 % target, the
//!   stated budget, the six programmes, the nine action types, the instruments,
//!   milestones and evaluations — readable by everyone;
//! - `/programmes/{id}`: one programme with its progress view (indicators against their
//!   targets, spending against budget), its actions by type, its instruments,
//!   evaluations, milestones and recent changes;
//! - `/ledger/login`: signing in with a token (`indmon ledger token add NAME`); a
//!   session cookie (HttpOnly, SameSite=Strict, 8 hours) and a CSRF token per session;
//! - `/ledger/{entity}/new`, `/ledger/{entity}/{id}/edit`: forms for editors; every
//!   POST needs the session's CSRF token and, when the browser sends one, an `Origin`
//!   equal to the host; a `reader` token may sign in but not change anything;
//! - `/api/v1/ledger`: the whole ledger as JSON (or `format=xlsx`).
//!
//! Changes go through [`indmon_ledger::Ledger`]: validated, versioned, in the audit
//! trail; a form based on an old version gets a conflict page that keeps what was
//! typed, next to the values now in the ledger.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use indmon_ledger::progress::{self, Progress, SeriesValue};
use indmon_ledger::schema::{self, Entity, Kind};
use indmon_ledger::{Error as LedgerError, Incoming, Ledger, Record, Snapshot};
use indmon_report::shorten;
use indmon_store::QueryOptions;

use crate::html::{esc, page};
use crate::i18n::Lang;
use crate::pages::PageQuery;
use crate::state::AppState;

/// How long a session lasts.
const SESSION: Duration = Duration::from_secs(8 * 3600);
/// At most this many sessions are kept; beyond it, the oldest go first.
const MAX_SESSIONS: usize = 10_000;
const COOKIE: &str = "indmon_session";

/// The ledger of a running server, and its editors' sessions.
pub struct LedgerState {
    conn: Mutex<Ledger>,
    sessions: Mutex<HashMap<String, Session>>,
}

#[derive(Clone)]
struct Session {
    name: String,
    role: String,
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

type Series = BTreeMap<String, Vec<SeriesValue>>;

fn tr(lang: Lang, nl: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Nl => nl,
        Lang::En => en,
    }
}

/// Runs `f` on the ledger connection, off the async threads.
async fn with_ledger<T: Send + 'static>(
    state: &Arc<AppState>,
    f: impl FnOnce(&mut Ledger) -> Result<T, LedgerError> + Send + 'static,
) -> Result<T, Failure> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || {
        let l = state.ledger.get().ok_or(Failure::NoLedger)?;
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
        let main = format!(
            "<h1 class=\"utrecht-heading-1\">{}</h1><p class=\"nl-paragraph\">{}</p><p class=\"nl-paragraph\"><a href=\"{}\">{}</a></p>",
            status.as_u16(),
            esc(&msg),
            esc(&crate::html::href("/programmes", lang)),
            tr(lang, "Naar de programma's", "To the programmes")
        );
        (
            status,
            html(page(lang, "/programmes", &status.to_string(), &main)),
        )
            .into_response()
    }
}

fn html(body: String) -> impl IntoResponse {
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

fn session(state: &AppState, headers: &HeaderMap) -> Option<Session> {
    let id = session_id(headers)?;
    let l = state.ledger.get()?;
    let mut sessions = l.sessions.lock().ok()?;
    let now = Instant::now();
    sessions.retain(|_, s| s.expires > now);
    sessions.get(&id).cloned()
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

/// The store series the linked indicators read, computed once per catalog.
async fn series(state: &Arc<AppState>) -> Series {
    let r = state
        .cached("ledger:series".into(), |s| async move {
            let catalog = s.catalog();
            Ok(indmon_report::ledger::linked_series(
                &s.store,
                &QueryOptions::default(),
                &catalog,
                &s.settings.target,
            )
            .await?)
        })
        .await;
    match r {
        Ok(s) => (*s).clone(),
        Err(e) => {
            eprintln!("ledger: the linked series could not be read: {e}");
            Series::default()
        }
    }
}

fn num(lang: Lang, x: f64) -> String {
    let d = if x.fract() == 0.0 { 0 } else { 2 };
    lang.number(x, d)
}

fn euros(lang: Lang, e: i64) -> String {
    if e.abs() >= 1_000_000 {
        format!(
            "€ {} {}",
            lang.number(e as f64 / 1e6, 1),
            tr(lang, "mln", "million")
        )
    } else {
        format!("€ {}", lang.number(e as f64, 0))
    }
}

fn value_text(lang: Lang, kind: Kind, v: &indmon_ledger::Value) -> String {
    match (kind, v) {
        (_, indmon_ledger::Value::Null) => "—".into(),
        (Kind::Euro, indmon_ledger::Value::Int(e)) => euros(lang, *e),
        (Kind::Year | Kind::Int, indmon_ledger::Value::Int(i)) => i.to_string(),
        (_, indmon_ledger::Value::Real(x)) => num(lang, *x),
        (_, other) => other.to_string(),
    }
}

/// A table whose cells are HTML already (links, meters).
fn table(caption: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = format!(
        "<div class=\"table-scroll\"><table class=\"utrecht-table utrecht-table--html-table\"><caption class=\"utrecht-table__caption\">{}</caption><thead class=\"utrecht-table__header\"><tr class=\"utrecht-table__row\">",
        esc(caption)
    );
    for h in head {
        let _ = write!(
            s,
            "<th scope=\"col\" class=\"utrecht-table__header-cell\">{}</th>",
            esc(h)
        );
    }
    s.push_str("</tr></thead><tbody class=\"utrecht-table__body\">");
    if rows.is_empty() {
        let _ = write!(
            s,
            "<tr class=\"utrecht-table__row\"><td class=\"utrecht-table__cell\" colspan=\"{}\">—</td></tr>",
            head.len()
        );
    }
    for r in rows {
        s.push_str("<tr class=\"utrecht-table__row\">");
        for (k, c) in r.iter().enumerate() {
            if k == 0 {
                let _ = write!(
                    s,
                    "<th scope=\"row\" class=\"utrecht-table__header-cell\">{c}</th>"
                );
            } else {
                let _ = write!(s, "<td class=\"utrecht-table__cell\">{c}</td>");
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table></div>");
    s
}

fn link(path: &str, lang: Lang, text: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        esc(&crate::html::href(path, lang)),
        esc(text)
    )
}

fn edit_link(lang: Lang, editor: bool, r: &Record) -> String {
    if editor {
        format!(
            " <a class=\"edit-link\" href=\"{}\" aria-label=\"{} {}\">{}</a>",
            esc(&crate::html::href(
                &format!("/ledger/{}/{}/edit", r.entity.name, r.id),
                lang
            )),
            tr(lang, "Bewerk", "Edit"),
            esc(&r.id),
            tr(lang, "bewerk", "edit")
        )
    } else {
        String::new()
    }
}

fn new_link(
    lang: Lang,
    entity: &str,
    scope: &str,
    id: &str,
    text_nl: &'static str,
    text_en: &'static str,
) -> String {
    let path = format!("/ledger/{entity}/new?{scope}={id}");
    let href = match lang {
        Lang::Nl => path,
        Lang::En => format!("{path}&lang=en"),
    };
    format!(
        "<a class=\"utrecht-button-link utrecht-button-link--secondary-action\" href=\"{}\">{}</a> ",
        esc(&href),
        tr(lang, text_nl, text_en)
    )
}

fn who_bar(lang: Lang, s: Option<&Session>, back: &str) -> String {
    match s {
        Some(s) => format!(
            "<form class=\"ledger-session\" method=\"post\" action=\"/ledger/logout\"><p class=\"nl-paragraph\">{} <strong>{}</strong> ({}) <input type=\"hidden\" name=\"csrf\" value=\"{}\"><button class=\"utrecht-button utrecht-button--subtle\" type=\"submit\">{}</button></p></form>",
            tr(lang, "Ingelogd als", "Signed in as"),
            esc(&s.name),
            esc(&s.role),
            esc(&s.csrf),
            tr(lang, "Uitloggen", "Sign out")
        ),
        None => format!(
            "<p class=\"nl-paragraph ledger-session\"><a href=\"{}\">{}</a></p>",
            esc(&format!(
                "/ledger/login?next={}{}",
                pct(back),
                if lang == Lang::En { "&lang=en" } else { "" }
            )),
            tr(lang, "Inloggen om te bewerken", "Sign in to edit")
        ),
    }
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

fn indicator_rows(lang: Lang, p: &Progress) -> Vec<Vec<String>> {
    p.indicators
        .iter()
        .map(|i| {
            let ind = &i.indicator;
            let unit = ind.text("unit").unwrap_or_default();
            let with_year = |v: &str, y: &str| {
                match (ind.get(v).as_f64(), ind.get(y).as_int()) {
                    (Some(v), Some(y)) => format!("{} {} ({y})", num(lang, v), esc(unit)),
                    _ => "—".into(),
                }
            };
            let latest = i.latest().map_or_else(
                || tr(lang, "nog geen realisaties", "no actuals yet").to_owned(),
                |(p, v, s)| {
                    format!(
                        "{} {} ({}) <small class=\"source\">{}</small>",
                        num(lang, (v * 100.0).round() / 100.0),
                        esc(unit),
                        esc(p),
                        esc(s)
                    )
                },
            );
            let gap_unit = if unit == "%" { tr(lang, "procentpunt", "percentage points") } else { unit };
            let gap = i
                .gap
                .map_or_else(|| "—".into(), |g| format!("{} {}", num(lang, (g * 100.0).round() / 100.0), esc(gap_unit)));
            let way = i.share_of_way.map_or_else(
                || tr(lang, "— (geen nulmeting)", "— (no baseline)").to_owned(),
                |w| {
                    format!(
                        "<meter min=\"0\" max=\"1\" value=\"{:.3}\" aria-hidden=\"true\"></meter> {} %",
                        w.clamp(0.0, 1.0),
                        lang.number(w * 100.0, 0)
                    )
                },
            );
            vec![
                esc(ind.name(lang == Lang::En)),
                esc(ind.text("level").unwrap_or_default()),
                with_year("baseline_value", "baseline_year"),
                with_year("target_value", "target_year"),
                latest,
                gap,
                way,
            ]
        })
        .collect()
}

fn budget_rows(lang: Lang, p: &Progress) -> Vec<Vec<String>> {
    let e = |v: Option<i64>| v.map_or_else(|| "—".into(), |x| euros(lang, x));
    p.budget
        .iter()
        .map(|y| {
            let itemised = if y.itemised.is_empty() {
                tr(lang, "nog niets uitgesplitst", "nothing itemised yet").to_owned()
            } else {
                y.itemised
                    .iter()
                    .map(|(k, v)| format!("{} {}", esc(k), euros(lang, *v)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            let mut itemised = itemised;
            if y.unknown_lines > 0 {
                let _ = write!(
                    itemised,
                    "<br>{} {}",
                    y.unknown_lines,
                    tr(lang, "regel(s) zonder bedrag", "line(s) without an amount")
                );
            }
            vec![
                y.year.to_string(),
                format!(
                    "{}{}",
                    e(y.stated_total),
                    y.total_sources
                        .iter()
                        .map(|s| format!(" <small class=\"source\">{}</small>", esc(s)))
                        .collect::<String>()
                ),
                itemised,
                e(y.not_itemised),
                e(y.committed),
                e(y.spent),
                y.spent_share.map_or_else(
                    || "—".into(),
                    |s| format!("{} %", lang.number(s * 100.0, 0)),
                ),
            ]
        })
        .collect()
}

fn progress_html(lang: Lang, p: &Progress) -> String {
    format!(
        "<section aria-labelledby=\"progress-{id}\"><h2 class=\"utrecht-heading-2\" id=\"progress-{id}\">{}</h2>{}{}</section>",
        tr(lang, "Voortgang", "Progress"),
        table(
            tr(
                lang,
                "Indicatoren tegen hun doelen",
                "Indicators against their targets"
            ),
            &[
                tr(lang, "Indicator", "Indicator"),
                tr(lang, "Niveau", "Level"),
                tr(lang, "Nulmeting", "Baseline"),
                tr(lang, "Doel", "Target"),
                tr(lang, "Laatste realisatie", "Latest actual"),
                tr(lang, "Nog te gaan", "Still to go"),
                tr(lang, "Deel van de weg", "Share of the way"),
            ],
            &indicator_rows(lang, p),
        ),
        table(
            tr(
                lang,
                "Uitgaven tegen begroting (lopende prijzen)",
                "Spending against budget (current prices)"
            ),
            &[
                tr(lang, "Jaar", "Year"),
                tr(lang, "Opgegeven totaal uitgaven", "Stated spending total"),
                tr(lang, "Uitgesplitst", "Itemised"),
                tr(lang, "Niet uitgesplitst", "Not itemised"),
                tr(lang, "Verplichtingen", "Commitments"),
                tr(lang, "Uitgaven", "Spending"),
                tr(lang, "Uitgaven / verplichtingen", "Spending / commitments"),
            ],
            &budget_rows(lang, p),
        ),
        id = esc(&p.scope.id),
    )
}

/// `GET /programmes`.
pub async fn programmes(
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang();
    let snap = match with_ledger(&state, |l| l.snapshot()).await {
        Ok(s) => s,
        Err(f) => return f.page(lang),
    };
    let series = series(&state).await;
    let who = session(&state, &headers);
    let editor = who.as_ref().is_some_and(|s| s.role == "editor");
    let mut main = String::new();
    let _ = write!(
        main,
        "<h1 class=\"utrecht-heading-1\">{}</h1>{}",
        tr(
            lang,
            "Programma's industriebeleid",
            "Industrial-policy programmes"
        ),
        who_bar(lang, who.as_ref(), "/programmes")
    );
    for g in snap.of("goal") {
        let p = progress::of(&snap, g, &series);
        let _ = write!(
            main,
            "<section aria-labelledby=\"goal-{id}\"><h2 class=\"utrecht-heading-2\" id=\"goal-{id}\">{}{}</h2><p class=\"nl-paragraph\">{}</p><p class=\"nl-paragraph source\">{}: {}</p>{}</section>",
            esc(g.name(lang == Lang::En)),
            edit_link(lang, editor, g),
            esc(g.text("statement").unwrap_or_default()),
            tr(lang, "Bron", "Source"),
            esc(g.text("source").unwrap_or_default()),
            progress_html(lang, &p),
            id = esc(&g.id),
        );
    }
    let rows: Vec<Vec<String>> = snap
        .of("programme")
        .iter()
        .map(|p| {
            let count = |e: &str| snap.in_programme(e, &p.id).count();
            vec![
                link(
                    &format!("/programmes/{}", p.id),
                    lang,
                    p.name(lang == Lang::En),
                ),
                esc(p.text("status").unwrap_or("—")),
                count("action").to_string(),
                count("indicator").to_string(),
                count("budget_line").to_string(),
            ]
        })
        .collect();
    main.push_str(&table(
        tr(
            lang,
            "De programma's, één per prioritaire markt",
            "The programmes, one per priority market",
        ),
        &[
            tr(lang, "Programma", "Programme"),
            tr(lang, "Status", "Status"),
            tr(lang, "Acties", "Actions"),
            tr(lang, "Indicatoren", "Indicators"),
            tr(lang, "Begrotingsregels", "Budget lines"),
        ],
        &rows,
    ));
    let types: Vec<Vec<String>> = snap
        .of("action_type")
        .iter()
        .map(|t| {
            vec![
                format!("{}. {}", t.get("position"), esc(t.name(lang == Lang::En))),
                esc(t.text("description").unwrap_or_default()),
                snap.of("action")
                    .iter()
                    .filter(|a| a.text("action_type_id") == Some(t.id.as_str()))
                    .count()
                    .to_string(),
            ]
        })
        .collect();
    main.push_str(&table(
        tr(
            lang,
            "De negen soorten acties binnen programma's",
            "The nine types of action within programmes",
        ),
        &[
            tr(lang, "Soort actie", "Action type"),
            tr(
                lang,
                "Omschrijving (beleidspagina)",
                "Description (policy page)",
            ),
            tr(lang, "Acties", "Actions"),
        ],
        &types,
    ));
    main.push_str(&records_table(lang, editor, &snap, "instrument", |_| true));
    main.push_str(&records_table(lang, editor, &snap, "milestone", |r| {
        r.text("programme_id").is_none()
    }));
    main.push_str(&records_table(lang, editor, &snap, "evaluation", |r| {
        r.text("programme_id").is_none()
    }));
    let _ = write!(
        main,
        "<p class=\"nl-paragraph\">{}: <a href=\"/api/v1/ledger\">JSON</a> · <a href=\"/api/v1/ledger?format=xlsx\">Excel</a> · <a href=\"/api/v1/ledger?format=csv&amp;entity=budget_line\">CSV</a></p>",
        tr(
            lang,
            "Het hele register downloaden",
            "Download the whole ledger"
        )
    );
    html(page(
        lang,
        "/programmes",
        tr(lang, "Programma's", "Programmes"),
        &main,
    ))
    .into_response()
}

/// A table of the records of `entity` that `keep` selects: the fields that say most.
fn records_table(
    lang: Lang,
    editor: bool,
    snap: &Snapshot,
    entity: &str,
    keep: impl Fn(&Record) -> bool,
) -> String {
    let e = schema::entity(entity).expect("entity");
    let cols: &[&str] = match entity {
        "instrument" => &["kind", "programme_id", "notes"],
        "milestone" => &["date", "status", "notes"],
        "evaluation" => &["date", "kind", "evidence", "finding"],
        "action" => &["action_type_id", "status", "start_date", "end_date"],
        "budget_line" => &[
            "year",
            "kind",
            "covers",
            "amount_eur",
            "instrument_id",
            "source_document",
        ],
        "indicator" => &["level", "unit", "target_value", "target_year"],
        _ => &[],
    };
    let rows: Vec<Vec<String>> = snap
        .of(entity)
        .iter()
        .filter(|r| keep(r))
        .map(|r| {
            let mut row = vec![format!(
                "{}{}",
                esc(r.name(lang == Lang::En)),
                edit_link(lang, editor, r)
            )];
            for c in cols {
                let f = e.field(c).expect("field");
                row.push(esc(&value_text(lang, f.kind, r.get(c))));
            }
            row
        })
        .collect();
    let mut head = vec![tr(lang, "Naam", "Name")];
    head.extend(cols.iter().copied());
    let caption = format!("{} ({})", tr_plural(lang, e), rows.len());
    table(&caption, &head, &rows)
}

fn tr_plural(lang: Lang, e: &Entity) -> String {
    let nl = match e.name {
        "goal" => "Doelen",
        "programme" => "Programma's",
        "action_type" => "Soorten actie",
        "action" => "Acties",
        "instrument" => "Instrumenten",
        "budget_line" => "Begrotingsregels",
        "indicator" => "Indicatoren",
        "actual" => "Realisaties",
        "evaluation" => "Evaluaties",
        "milestone" => "Mijlpalen",
        _ => e.label_nl,
    };
    match lang {
        Lang::Nl => nl.to_owned(),
        Lang::En => format!("{}s", e.label_en),
    }
}

/// `GET /programmes/{id}`.
pub async fn programme(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang();
    let snap = match with_ledger(&state, |l| l.snapshot()).await {
        Ok(s) => s,
        Err(f) => return f.page(lang),
    };
    let Some(p) = snap.find("programme", &id).cloned() else {
        return Failure::NotFound(format!(
            "{} '{id}'?",
            tr(lang, "Geen programma", "No programme")
        ))
        .page(lang);
    };
    let mut ids: Vec<(String, String)> = vec![("programme".into(), p.id.clone())];
    for e in schema::PROGRAMME_PARTS.iter().copied() {
        for r in snap.in_programme(e, &p.id) {
            ids.push((e.into(), r.id.clone()));
        }
    }
    let changes = with_ledger(&state, |l| l.history(None, None, 2000))
        .await
        .unwrap_or_default();
    let series = series(&state).await;
    let who = session(&state, &headers);
    let editor = who.as_ref().is_some_and(|s| s.role == "editor");
    let prog = progress::of(&snap, &p, &series);
    let path = format!("/programmes/{}", p.id);
    let mut main = String::new();
    let _ = write!(
        main,
        "<p class=\"nl-paragraph\">{}</p><h1 class=\"utrecht-heading-1\">{}{}</h1>{}",
        link(
            "/programmes",
            lang,
            tr(lang, "← Alle programma's", "← All programmes")
        ),
        esc(p.name(lang == Lang::En)),
        edit_link(lang, editor, &p),
        who_bar(lang, who.as_ref(), &path),
    );
    let e = schema::entity("programme").expect("entity");
    let mut dl = String::from("<dl class=\"record\">");
    for f in e.fields {
        let _ = write!(
            dl,
            "<dt>{}</dt><dd>{}</dd>",
            esc(f.name),
            esc(&value_text(lang, f.kind, p.get(f.name)))
        );
    }
    let _ = write!(
        dl,
        "<dt>version</dt><dd>{} ({} {})</dd></dl>",
        p.version,
        esc(&p.updated_at),
        esc(&p.updated_by)
    );
    main.push_str(&dl);
    if p.text("market").is_some() {
        let _ = write!(
            main,
            "<p class=\"nl-paragraph\">{}</p>",
            link(
                "/markets",
                lang,
                tr(
                    lang,
                    "De status van de zes markten",
                    "The status of the six markets"
                )
            )
        );
    }
    main.push_str(&progress_html(lang, &prog));
    if editor {
        main.push_str("<p class=\"nl-paragraph ledger-actions\">");
        for (ent, nl, en) in [
            ("action", "Nieuwe actie", "New action"),
            ("indicator", "Nieuwe indicator", "New indicator"),
            ("budget_line", "Nieuwe begrotingsregel", "New budget line"),
            ("instrument", "Nieuw instrument", "New instrument"),
            ("evaluation", "Nieuwe evaluatie", "New evaluation"),
            ("milestone", "Nieuwe mijlpaal", "New milestone"),
        ] {
            main.push_str(&new_link(lang, ent, "programme_id", &p.id, nl, en));
        }
        for i in snap.in_programme("indicator", &p.id) {
            let path = format!("/ledger/actual/new?indicator_id={}", i.id);
            let _ = write!(
                main,
                "<a class=\"utrecht-button-link utrecht-button-link--secondary-action\" href=\"{}\">{}: {}</a> ",
                esc(&if lang == Lang::En {
                    format!("{path}&lang=en")
                } else {
                    path
                }),
                tr(lang, "Nieuwe realisatie", "New actual"),
                esc(i.name(lang == Lang::En))
            );
        }
        main.push_str("</p>");
    }
    // Actions by type: all nine types, with the actions of each.
    let rows: Vec<Vec<String>> = snap
        .of("action_type")
        .iter()
        .map(|t| {
            let acts: Vec<String> = snap
                .of("action")
                .iter()
                .filter(|a| {
                    a.text("programme_id") == Some(p.id.as_str())
                        && a.text("action_type_id") == Some(t.id.as_str())
                })
                .map(|a| {
                    format!(
                        "{} ({}){}",
                        esc(a.name(false)),
                        esc(a.text("status").unwrap_or("—")),
                        edit_link(lang, editor, a)
                    )
                })
                .collect();
            vec![
                esc(t.name(lang == Lang::En)),
                if acts.is_empty() {
                    "—".into()
                } else {
                    acts.join("<br>")
                },
            ]
        })
        .collect();
    main.push_str(&table(
        tr(lang, "Acties per soort", "Actions by type"),
        &[
            tr(lang, "Soort actie", "Action type"),
            tr(lang, "Acties (status)", "Actions (status)"),
        ],
        &rows,
    ));
    let mine = |r: &Record| r.text("programme_id") == Some(p.id.as_str());
    for e in ["budget_line", "instrument", "evaluation", "milestone"] {
        main.push_str(&records_table(lang, editor, &snap, e, mine));
    }
    let rows: Vec<Vec<String>> = changes
        .iter()
        .filter(|c| ids.iter().any(|(e, i)| *e == c.entity && *i == c.record_id))
        .take(20)
        .map(|c| {
            vec![
                esc(&c.changed_at),
                esc(&c.changed_by),
                format!("{} '{}' v{}", esc(&c.entity), esc(&c.record_id), c.version),
                c.diff()
                    .iter()
                    .map(|(f, b, a)| {
                        format!(
                            "{}: {} → {}",
                            esc(f),
                            esc(if b.is_empty() { "—" } else { b }),
                            esc(a)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("<br>"),
            ]
        })
        .collect();
    main.push_str(&table(
        tr(
            lang,
            "Laatste wijzigingen (audittrail)",
            "Latest changes (audit trail)",
        ),
        &[
            tr(lang, "Tijdstip", "When"),
            tr(lang, "Door", "By"),
            tr(lang, "Record", "Record"),
            tr(lang, "Wijziging", "Change"),
        ],
        &rows,
    ));
    html(page(lang, "/programmes", p.name(lang == Lang::En), &main)).into_response()
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
    let err = error.map_or_else(String::new, |e| {
        format!(
            "<p class=\"utrecht-form-field-error-message\" role=\"alert\">{}</p>",
            esc(e)
        )
    });
    let main = format!(
        "<h1 class=\"utrecht-heading-1\">{}</h1><p class=\"nl-paragraph\">{}</p>{err}\
         <form method=\"post\" action=\"/ledger/login{}\" class=\"ledger-form\">\
         <div class=\"utrecht-form-field\"><label class=\"utrecht-form-label\" for=\"token\">Token</label>\
         <input class=\"utrecht-textbox\" id=\"token\" name=\"token\" type=\"password\" autocomplete=\"off\" required></div>\
         <input type=\"hidden\" name=\"next\" value=\"{}\">\
         <button class=\"utrecht-button utrecht-button--primary-action\" type=\"submit\">{}</button></form>",
        tr(lang, "Inloggen voor redacteuren", "Sign in for editors"),
        tr(
            lang,
            "Iedereen kan de programma's lezen. Wijzigen kan alleen met een token met de rol editor (indmon ledger token add NAAM).",
            "Everyone can read the programmes. Changing them needs a token with the editor role (indmon ledger token add NAME)."
        ),
        if lang == Lang::En { "?lang=en" } else { "" },
        esc(next),
        tr(lang, "Inloggen", "Sign in"),
    );
    page(lang, "/programmes", tr(lang, "Inloggen", "Sign in"), &main)
}

/// `GET /ledger/login`.
pub async fn login_form(Query(q): Query<LoginQuery>) -> Response {
    let lang = PageQuery {
        lang: q.lang.clone(),
    }
    .lang();
    html(login_page(
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
    let token = form.token.clone();
    let who = match with_ledger(&state, move |l| l.check_token(&token)).await {
        Ok(w) => w,
        Err(f) => return f.page(lang),
    };
    let next = safe_next(&form.next);
    let Some((name, role)) = who else {
        return (
            StatusCode::UNAUTHORIZED,
            html(login_page(
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
    if let (Some(id), Some(s)) = (session_id(&headers), session(&state, &headers))
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
/// response as it is, so its size does not matter).
#[allow(clippy::result_large_err)]
fn require_editor(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    back: &str,
) -> Result<Session, Response> {
    match session(state, headers) {
        None => Err(Redirect::to(&format!(
            "/ledger/login?next={}{}",
            pct(back),
            if lang == Lang::En { "&lang=en" } else { "" }
        ))
        .into_response()),
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

#[allow(clippy::result_large_err)]
fn entity_of(name: &str, lang: Lang) -> Result<&'static Entity, Response> {
    schema::entity(name)
        .filter(|e| e.name == name)
        .ok_or_else(|| {
            Failure::NotFound(format!(
                "{} '{name}'?",
                tr(lang, "Onbekende soort", "Unknown kind")
            ))
            .page(lang)
        })
}

/// The form of one record: every field, the version it is based on, the CSRF token.
#[allow(clippy::too_many_arguments)]
fn form_page(
    lang: Lang,
    entity: &'static Entity,
    id: Option<&str>,
    version: Option<i64>,
    values: &BTreeMap<String, String>,
    snap: &Snapshot,
    csrf: &str,
    message: Option<(&str, Option<&str>)>,
    current: Option<&Record>,
) -> String {
    let action = match id {
        Some(id) => format!("/ledger/{}/{}", entity.name, id),
        None => format!("/ledger/{}", entity.name),
    };
    let title = match id {
        Some(id) => format!(
            "{} {} '{}'",
            tr(lang, "Wijzig", "Edit"),
            if lang == Lang::En {
                entity.label_en
            } else {
                entity.label_nl
            },
            id
        ),
        None => format!(
            "{}: {}",
            tr(lang, "Nieuw", "New"),
            if lang == Lang::En {
                entity.label_en
            } else {
                entity.label_nl
            }
        ),
    };
    let mut f = format!("<h1 class=\"utrecht-heading-1\">{}</h1>", esc(&title));
    if let Some((msg, _)) = message {
        let _ = write!(
            f,
            "<div class=\"utrecht-alert utrecht-alert--error\" role=\"alert\"><p class=\"nl-paragraph\">{}</p></div>",
            esc(msg)
        );
    }
    let _ = write!(
        f,
        "<form method=\"post\" action=\"{}{}\" class=\"ledger-form\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">",
        esc(&action),
        if lang == Lang::En { "?lang=en" } else { "" },
        esc(csrf)
    );
    if let Some(v) = version {
        let _ = write!(f, "<input type=\"hidden\" name=\"version\" value=\"{v}\">");
    }
    if id.is_none() {
        let _ = write!(
            f,
            "<div class=\"utrecht-form-field\"><label class=\"utrecht-form-label\" for=\"f-id\">id</label><p class=\"utrecht-form-field-description\" id=\"d-id\">{}</p><input class=\"utrecht-textbox\" id=\"f-id\" name=\"id\" aria-describedby=\"d-id\" value=\"{}\" pattern=\"[A-Za-z0-9][A-Za-z0-9._\\-]{{0,63}}\"></div>",
            tr(
                lang,
                "Leeg laten om er een te laten maken.",
                "Leave empty to have one made."
            ),
            esc(values.get("id").map_or("", String::as_str))
        );
    }
    let bad_field = message.and_then(|m| m.1);
    for field in entity.fields {
        let v = values.get(field.name).map_or("", String::as_str);
        let fid = format!("f-{}", field.name);
        let invalid = bad_field == Some(field.name);
        let req = if field.required { " required" } else { "" };
        let aria = if invalid {
            " aria-invalid=\"true\""
        } else {
            ""
        };
        let label = format!("{}{}", field.name, if field.required { " *" } else { "" });
        let control = match field.kind {
            Kind::Code(codes) => {
                let mut s = format!(
                    "<select class=\"utrecht-select\" id=\"{fid}\" name=\"{}\" aria-describedby=\"d-{}\"{req}{aria}>",
                    field.name, field.name
                );
                if !field.required {
                    s.push_str("<option value=\"\">—</option>");
                }
                for c in codes {
                    let sel = if *c == v { " selected" } else { "" };
                    let _ = write!(s, "<option value=\"{}\"{sel}>{}</option>", esc(c), esc(c));
                }
                s.push_str("</select>");
                s
            }
            Kind::Ref(target) => {
                let mut s = format!(
                    "<select class=\"utrecht-select\" id=\"{fid}\" name=\"{}\" aria-describedby=\"d-{}\"{req}{aria}>",
                    field.name, field.name
                );
                if !field.required {
                    s.push_str("<option value=\"\">—</option>");
                }
                for r in snap.of(target) {
                    let sel = if r.id == v { " selected" } else { "" };
                    let _ = write!(
                        s,
                        "<option value=\"{}\"{sel}>{} — {}</option>",
                        esc(&r.id),
                        esc(&r.id),
                        esc(&shorten(r.name(lang == Lang::En), 60))
                    );
                }
                s.push_str("</select>");
                s
            }
            Kind::Text
                if matches!(
                    field.name,
                    "statement" | "finding" | "notes" | "description"
                ) =>
            {
                format!(
                    "<textarea class=\"utrecht-textarea\" id=\"{fid}\" name=\"{}\" rows=\"3\" aria-describedby=\"d-{}\"{req}{aria}>{}</textarea>",
                    field.name,
                    field.name,
                    esc(v)
                )
            }
            kind => {
                let (ty, extra) = match kind {
                    Kind::Date => ("date", ""),
                    Kind::Int | Kind::Euro | Kind::Year => ("text", " inputmode=\"numeric\""),
                    Kind::Real => ("text", " inputmode=\"decimal\""),
                    _ => ("text", ""),
                };
                format!(
                    "<input class=\"utrecht-textbox\" type=\"{ty}\"{extra} id=\"{fid}\" name=\"{}\" value=\"{}\" aria-describedby=\"d-{}\"{req}{aria}>",
                    field.name,
                    esc(v),
                    field.name
                )
            }
        };
        let now = current
            .filter(|c| c.get(field.name).to_string() != v)
            .map(|c| {
                format!(
                    "<p class=\"utrecht-form-field-description conflict-now\">{}: {}</p>",
                    tr(lang, "Nu in het register", "Now in the ledger"),
                    esc(&c.get(field.name).to_string())
                )
            })
            .unwrap_or_default();
        let _ = write!(
            f,
            "<div class=\"utrecht-form-field\"><label class=\"utrecht-form-label\" for=\"{fid}\">{}</label><p class=\"utrecht-form-field-description\" id=\"d-{}\">{}</p>{control}{now}</div>",
            esc(&label),
            field.name,
            esc(field.help)
        );
    }
    let _ = write!(
        f,
        "<button class=\"utrecht-button utrecht-button--primary-action\" type=\"submit\">{}</button></form>",
        tr(lang, "Opslaan", "Save")
    );
    if let (Some(id), Some(v)) = (id, version) {
        let _ = write!(
            f,
            "<form method=\"post\" action=\"{}{}\" class=\"ledger-form ledger-delete\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"version\" value=\"{v}\"><button class=\"utrecht-button utrecht-button--secondary-action\" type=\"submit\">{}</button> <span class=\"source\">{}</span></form>",
            esc(&format!("/ledger/{}/{}/delete", entity.name, id)),
            if lang == Lang::En { "?lang=en" } else { "" },
            esc(csrf),
            tr(lang, "Verwijderen", "Delete"),
            tr(
                lang,
                "Kan alleen als niets meer naar dit record verwijst; de audittrail bewaart het.",
                "Only when nothing refers to this record any more; the audit trail keeps it."
            ),
        );
    }
    page(lang, "/programmes", &title, &f)
}

fn record_values(r: &Record) -> BTreeMap<String, String> {
    r.entity
        .fields
        .iter()
        .zip(&r.values)
        .map(|(f, v)| (f.name.to_owned(), v.to_string()))
        .collect()
}

/// `GET /ledger/{entity}/{id}/edit`.
pub async fn edit_form(
    State(state): State<Arc<AppState>>,
    Path((entity, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang();
    let back = format!("/ledger/{entity}/{id}/edit");
    let s = match require_editor(&state, &headers, lang, &back) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let e = match entity_of(&entity, lang) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let snap = match with_ledger(&state, |l| l.snapshot()).await {
        Ok(s) => s,
        Err(f) => return f.page(lang),
    };
    let Some(r) = snap.find(e.name, &id) else {
        return Failure::NotFound(format!("{} '{id}'?", e.name)).page(lang);
    };
    html(form_page(
        lang,
        e,
        Some(&id),
        Some(r.version),
        &record_values(r),
        &snap,
        &s.csrf,
        None,
        None,
    ))
    .into_response()
}

/// `GET /ledger/{entity}/new` (query: field values to start with, e.g. programme_id).
pub async fn new_form(
    State(state): State<Arc<AppState>>,
    Path(entity): Path<String>,
    Query(q): Query<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let lang = PageQuery {
        lang: q.get("lang").cloned(),
    }
    .lang();
    let s = match require_editor(&state, &headers, lang, &format!("/ledger/{entity}/new")) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let e = match entity_of(&entity, lang) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let snap = match with_ledger(&state, |l| l.snapshot()).await {
        Ok(s) => s,
        Err(f) => return f.page(lang),
    };
    let mut values: BTreeMap<String, String> = q
        .into_iter()
        .filter(|(k, _)| e.field(k).is_some())
        .collect();
    if e.field("prices").is_some() {
        values
            .entry("prices".into())
            .or_insert_with(|| "current".into());
    }
    html(form_page(
        lang, e, None, None, &values, &snap, &s.csrf, None, None,
    ))
    .into_response()
}

/// `POST /ledger/{entity}` (a new record).
pub async fn create(
    State(state): State<Arc<AppState>>,
    Path(entity): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    save(state, entity, None, q.lang(), headers, form).await
}

/// `POST /ledger/{entity}/{id}` (a change).
pub async fn update(
    State(state): State<Arc<AppState>>,
    Path((entity, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    save(state, entity, Some(id), q.lang(), headers, form).await
}

async fn save(
    state: Arc<AppState>,
    entity: String,
    id: Option<String>,
    lang: Lang,
    headers: HeaderMap,
    form: Vec<(String, String)>,
) -> Response {
    let back = match &id {
        Some(id) => format!("/ledger/{entity}/{id}/edit"),
        None => format!("/ledger/{entity}/new"),
    };
    let s = match require_editor(&state, &headers, lang, &back) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form_csrf = form
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !same_origin(&headers) || !same(&s.csrf, form_csrf) {
        return Failure::Forbidden(
            tr(lang, "Het formulier is verlopen of komt niet van deze site (CSRF-controle). Laad het opnieuw.", "The form has expired or does not come from this site (CSRF check). Load it again.").into(),
        )
        .page(lang);
    }
    let e = match entity_of(&entity, lang) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let mut inc = Incoming {
        id: id.clone().unwrap_or_default(),
        ..Incoming::default()
    };
    let mut values = BTreeMap::new();
    for (k, v) in &form {
        match k.as_str() {
            "csrf" => {}
            "id" if id.is_none() => inc.id = v.trim().to_owned(),
            "version" => inc.version = v.trim().parse().ok(),
            name if e.field(name).is_some() => {
                inc.fields.push((name.to_owned(), v.clone()));
                values.insert(name.to_owned(), v.clone());
            }
            _ => {}
        }
    }
    values.insert("id".into(), inc.id.clone());
    let actor = format!("{} (web)", s.name);
    let inc2 = inc.clone();
    let is_new = id.is_none();
    let result = with_ledger(&state, move |l| {
        if is_new {
            l.add(e, &inc2, &actor)
        } else {
            l.update(e, &inc2, &actor).map(|(r, _)| r)
        }
    })
    .await;
    match result {
        Ok(r) => {
            let to = r
                .text("programme_id")
                .map(|p| format!("/programmes/{p}"))
                .or_else(|| (r.entity.name == "programme").then(|| format!("/programmes/{}", r.id)))
                .unwrap_or_else(|| "/programmes".into());
            let to = if r.entity.name == "actual" {
                // An actual's page is its indicator's programme.
                let ind = r.text("indicator_id").unwrap_or_default().to_owned();
                match with_ledger(&state, move |l| {
                    l.get(schema::entity("indicator").expect("entity"), &ind)
                })
                .await
                {
                    Ok(i) => i
                        .text("programme_id")
                        .map_or("/programmes".into(), |p| format!("/programmes/{p}")),
                    Err(_) => "/programmes".into(),
                }
            } else {
                to
            };
            Redirect::to(&crate::html::href(&to, lang)).into_response()
        }
        Err(Failure::Ledger(err @ LedgerError::Conflict { .. })) => {
            // Keep what was typed; show what is in the ledger now; the next save is
            // based on the current version.
            let snap = with_ledger(&state, |l| l.snapshot())
                .await
                .unwrap_or_default();
            let current = snap.find(e.name, &inc.id).cloned();
            let msg = format!(
                "{} {}",
                err,
                tr(
                    lang,
                    "Uw invoer staat hieronder; de waarden die nu in het register staan, staan bij elk veld dat verschilt. Opslaan past uw invoer toe op de nieuwe versie.",
                    "What you typed is below; the values now in the ledger are shown at each field that differs. Saving applies your input to the new version."
                )
            );
            (
                StatusCode::CONFLICT,
                html(form_page(
                    lang,
                    e,
                    id.as_deref(),
                    current.as_ref().map(|c| c.version),
                    &values,
                    &snap,
                    &s.csrf,
                    Some((&msg, None)),
                    current.as_ref(),
                )),
            )
                .into_response()
        }
        Err(Failure::Ledger(err @ LedgerError::Invalid { .. })) => {
            let field = match &err {
                LedgerError::Invalid { field, .. } => field.clone(),
                _ => String::new(),
            };
            let snap = with_ledger(&state, |l| l.snapshot())
                .await
                .unwrap_or_default();
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                html(form_page(
                    lang,
                    e,
                    id.as_deref(),
                    inc.version,
                    &values,
                    &snap,
                    &s.csrf,
                    Some((&err.to_string(), Some(field.as_str()))),
                    None,
                )),
            )
                .into_response()
        }
        Err(f) => f.page(lang),
    }
}

/// `POST /ledger/{entity}/{id}/delete`.
pub async fn delete(
    State(state): State<Arc<AppState>>,
    Path((entity, id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
    axum::Form(form): axum::Form<Vec<(String, String)>>,
) -> Response {
    let lang = q.lang();
    let s = match require_editor(
        &state,
        &headers,
        lang,
        &format!("/ledger/{entity}/{id}/edit"),
    ) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let field = |k: &str| {
        form.iter()
            .find(|(n, _)| n == k)
            .map_or("", |(_, v)| v.as_str())
    };
    if !same_origin(&headers) || !same(&s.csrf, field("csrf")) {
        return Failure::Forbidden(
            tr(lang, "Het formulier is verlopen of komt niet van deze site (CSRF-controle). Laad het opnieuw.", "The form has expired or does not come from this site (CSRF check). Load it again.").into(),
        )
        .page(lang);
    }
    let e = match entity_of(&entity, lang) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let version = field("version").trim().parse().ok();
    let actor = format!("{} (web)", s.name);
    let id2 = id.clone();
    match with_ledger(&state, move |l| l.delete(e, &id2, version, &actor)).await {
        Ok(r) => {
            let to = r
                .text("programme_id")
                .map_or("/programmes".into(), |p| format!("/programmes/{p}"));
            Redirect::to(&crate::html::href(&to, lang)).into_response()
        }
        Err(Failure::Ledger(
            err @ (LedgerError::Conflict { .. } | LedgerError::Invalid { .. }),
        )) => {
            let status = if matches!(err, LedgerError::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let snap = with_ledger(&state, |l| l.snapshot())
                .await
                .unwrap_or_default();
            match snap.find(e.name, &id) {
                Some(cur) => (
                    status,
                    html(form_page(
                        lang,
                        e,
                        Some(&id),
                        Some(cur.version),
                        &record_values(cur),
                        &snap,
                        &s.csrf,
                        Some((&err.to_string(), None)),
                        None,
                    )),
                )
                    .into_response(),
                None => Failure::Ledger(err).page(lang),
            }
        }
        Err(f) => f.page(lang),
    }
}

/// The query of the ledger API.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    /// `json` (default, everything), `xlsx` (everything, a sheet per kind of record) or
    /// `csv` (one kind of record, see `entity`).
    pub format: Option<String>,
    /// With `format=csv`: the kind of record (`programme` by default; `goal`,
    /// `action_type`, `action`, `instrument`, `budget_line`, `indicator`, `actual`,
    /// `evaluation`, `milestone`, or their plurals).
    pub entity: Option<String>,
}

/// The whole programme ledger: the goal, programmes, action types, actions,
/// instruments, budget lines, indicators, actuals, evaluations and milestones.
#[utoipa::path(
    get,
    path = "/api/v1/ledger",
    tag = "ledger",
    operation_id = "ledger",
    params(LedgerQuery),
    responses(
        (status = 200, description = "The ledger as JSON (an array per kind of record), as an Excel workbook with format=xlsx, or one kind of record as CSV with format=csv", content_type = "application/json", body = Object),
        (status = 400, description = "Unknown format", content_type = "application/problem+json"),
        (status = 503, description = "This server has no ledger", content_type = "application/problem+json"),
    )
)]
pub async fn api(State(state): State<Arc<AppState>>, Query(q): Query<LedgerQuery>) -> Response {
    let format = q.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "xlsx" | "csv") {
        return crate::error::problem(
            StatusCode::BAD_REQUEST,
            "format: expected json, xlsx or csv",
        );
    }
    let entity = match schema::entity(q.entity.as_deref().unwrap_or("programme")) {
        Some(e) => e,
        None => {
            return crate::error::problem(
                StatusCode::BAD_REQUEST,
                &format!("entity: expected one of {}", schema::entity_names()),
            );
        }
    };
    let res = with_ledger(&state, |l| Ok((l.snapshot()?, l.target().to_owned()))).await;
    let (snap, target) = match res {
        Ok(x) => x,
        Err(Failure::NoLedger) => {
            return crate::error::problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "this server has no programme ledger",
            );
        }
        Err(_) => {
            return crate::error::problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the ledger cannot be read now",
            );
        }
    };
    // Where the ledger lives is the server's business, not the reader's.
    let from = if indmon_ledger::db::is_postgres(&target) {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    if format == "csv" {
        return match indmon_ledger::io::to_csv(entity, snap.of(entity.name)) {
            Ok(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("text/csv; charset=utf-8"),
                )],
                bytes,
            )
                .into_response(),
            Err(e) => crate::error::problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    if format == "xlsx" {
        return match indmon_ledger::io::to_xlsx(&snap, from) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        HeaderValue::from_static("attachment; filename=\"indmon-ledger.xlsx\""),
                    ),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => crate::error::problem(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
    }
    axum::Json(indmon_ledger::io::to_json(&snap, from)).into_response()
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
