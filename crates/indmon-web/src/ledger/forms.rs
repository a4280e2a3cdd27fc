//! The forms of the ledger, made from its field lists: a new record, a change, a
//! deletion; and what a refused change shows — the conflict page (409) that keeps what
//! was typed next to the values now in the ledger, the invalid page (422) that names
//! the field.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use indmon_ledger::schema::{self, Entity, Kind};
use indmon_ledger::{Error as LedgerError, Incoming, Record, Snapshot};
use indmon_report::shorten;
use maud::{Markup, html};

use super::auth::{require_change, require_editor};
use super::{Failure, Session, html_page, tr, with_ledger};
use crate::html::{href, page};
use crate::i18n::{Lang, PageQuery};
use crate::state::AppState;

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
struct Form<'a> {
    lang: Lang,
    entity: &'static Entity,
    /// The record's id; `None` for a new record.
    id: Option<&'a str>,
    /// The version the form is based on.
    version: Option<i64>,
    /// The values in the fields.
    values: &'a BTreeMap<String, String>,
    /// The ledger, for the choices of the fields that refer to other records.
    snap: &'a Snapshot,
    csrf: &'a str,
    /// Why the last save was refused, and the field that was wrong, if one.
    message: Option<(&'a str, Option<&'a str>)>,
    /// The record as it is now in the ledger (after a conflict): its values are shown
    /// at the fields where they differ from the form's.
    current: Option<&'a Record>,
}

impl<'a> Form<'a> {
    /// The form of a new record with `values`, as first shown.
    fn new(
        lang: Lang,
        entity: &'static Entity,
        values: &'a BTreeMap<String, String>,
        snap: &'a Snapshot,
        csrf: &'a str,
    ) -> Self {
        Self {
            lang,
            entity,
            id: None,
            version: None,
            values,
            snap,
            csrf,
            message: None,
            current: None,
        }
    }

    /// The page.
    fn page(&self) -> String {
        let (lang, entity) = (self.lang, self.entity);
        let label = if lang == Lang::En {
            entity.label_en
        } else {
            entity.label_nl
        };
        let title = match self.id {
            Some(id) => format!("{} {label} '{id}'", tr(lang, "Wijzig", "Edit")),
            None => format!("{}: {label}", tr(lang, "Nieuw", "New")),
        };
        let action = match self.id {
            Some(id) => format!("/ledger/{}/{id}", entity.name),
            None => format!("/ledger/{}", entity.name),
        };
        let main = html! {
            h1 class="utrecht-heading-1" { (title) }
            @if let Some((msg, _)) = self.message {
                div class="utrecht-alert utrecht-alert--error" role="alert" { p class="nl-paragraph" { (msg) } }
            }
            form method="post" action=(href(&action, lang)) class="ledger-form" {
                input type="hidden" name="csrf" value=(self.csrf);
                @if let Some(v) = self.version {
                    input type="hidden" name="version" value=(v);
                }
                @if self.id.is_none() {
                    div class="utrecht-form-field" {
                        label class="utrecht-form-label" for="f-id" { "id" }
                        p class="utrecht-form-field-description" id="d-id" {
                            (tr(lang, "Leeg laten om er een te laten maken.", "Leave empty to have one made."))
                        }
                        input class="utrecht-textbox" id="f-id" name="id" aria-describedby="d-id"
                            value=(self.values.get("id").map_or("", String::as_str))
                            pattern="[A-Za-z0-9][A-Za-z0-9._\\-]{0,63}";
                    }
                }
                @for field in entity.fields {
                    (self.field(field))
                }
                button class="utrecht-button utrecht-button--primary-action" type="submit" { (tr(lang, "Opslaan", "Save")) }
            }
            @if let (Some(id), Some(v)) = (self.id, self.version) {
                form method="post" action=(href(&format!("/ledger/{}/{id}/delete", entity.name), lang)) class="ledger-form ledger-delete" {
                    input type="hidden" name="csrf" value=(self.csrf);
                    input type="hidden" name="version" value=(v);
                    button class="utrecht-button utrecht-button--secondary-action" type="submit" { (tr(lang, "Verwijderen", "Delete")) }
                    " "
                    span class="source" {
                        (tr(
                            lang,
                            "Kan alleen als niets meer naar dit record verwijst; de audittrail bewaart het.",
                            "Only when nothing refers to this record any more; the audit trail keeps it."
                        ))
                    }
                }
            }
        };
        page(lang, "/programmes", &title, main)
    }

    /// One field: its label, its help, its control with the form's value, and the
    /// value now in the ledger when that differs.
    fn field(&self, field: &indmon_ledger::schema::Field) -> Markup {
        let lang = self.lang;
        let name = field.name;
        let v = self.values.get(name).map_or("", String::as_str);
        let fid = format!("f-{name}");
        let described = format!("d-{name}");
        let invalid = (self.message.and_then(|m| m.1) == Some(name)).then_some("true");
        let req = field.required;
        let control = match field.kind {
            Kind::Code(codes) => html! {
                select class="utrecht-select" id=(fid) name=(name) aria-describedby=(described) required[req] aria-invalid=[invalid] {
                    @if !req { option value="" { "—" } }
                    @for c in codes {
                        option value=(c) selected[*c == v] { (c) }
                    }
                }
            },
            Kind::Ref(target) => html! {
                select class="utrecht-select" id=(fid) name=(name) aria-describedby=(described) required[req] aria-invalid=[invalid] {
                    @if !req { option value="" { "—" } }
                    @for r in self.snap.of(target) {
                        option value=(r.id) selected[r.id == v] {
                            (r.id) " — " (shorten(r.name(lang == Lang::En), 60))
                        }
                    }
                }
            },
            Kind::Text if field.multiline() => {
                html! {
                    textarea class="utrecht-textarea" id=(fid) name=(name) rows="3" aria-describedby=(described) required[req] aria-invalid=[invalid] { (v) }
                }
            }
            kind => {
                let (ty, inputmode) = match kind {
                    Kind::Date => ("date", None),
                    Kind::Int | Kind::Euro | Kind::Year => ("text", Some("numeric")),
                    Kind::Real => ("text", Some("decimal")),
                    _ => ("text", None),
                };
                html! {
                    input class="utrecht-textbox" type=(ty) inputmode=[inputmode] id=(fid) name=(name) value=(v) aria-describedby=(described) required[req] aria-invalid=[invalid];
                }
            }
        };
        let now = self
            .current
            .map(|c| c.get(name).to_string())
            .filter(|now| now != v);
        html! {
            div class="utrecht-form-field" {
                label class="utrecht-form-label" for=(fid) { (name) @if req { " *" } }
                p class="utrecht-form-field-description" id=(described) { (field.help) }
                (control)
                @if let Some(now) = now {
                    p class="utrecht-form-field-description conflict-now" {
                        (tr(lang, "Nu in het register", "Now in the ledger")) ": " (now)
                    }
                }
            }
        }
    }
}

/// What a form needs before it is shown: the editor, the kind of record and the
/// ledger; or the response refusing it.
#[allow(clippy::result_large_err)]
async fn prepare(
    state: &AppState,
    headers: &HeaderMap,
    lang: Lang,
    entity: &str,
    back: &str,
) -> Result<(Session, &'static Entity, Snapshot), Response> {
    let s = require_editor(state, headers, lang, back, false).await?;
    let e = entity_of(entity, lang)?;
    let snap = with_ledger(state.ledger.get(), |l| l.snapshot())
        .await
        .map_err(|f| f.page(lang))?;
    Ok((s, e, snap))
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
    let (s, e, snap) = match prepare(&state, &headers, lang, &entity, &back).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(r) = snap.find(e.name, &id) else {
        return Failure::NotFound(format!("{} '{id}'?", e.name)).page(lang);
    };
    let values = record_values(r);
    let form = Form {
        id: Some(&id),
        version: Some(r.version),
        ..Form::new(lang, e, &values, &snap, &s.csrf)
    };
    html_page(form.page()).into_response()
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
    let back = format!("/ledger/{entity}/new");
    let (s, e, snap) = match prepare(&state, &headers, lang, &entity, &back).await {
        Ok(x) => x,
        Err(r) => return r,
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
    html_page(Form::new(lang, e, &values, &snap, &s.csrf).page()).into_response()
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

/// The value of `name` in a posted form ("" when absent).
fn posted<'a>(form: &'a [(String, String)], name: &str) -> &'a str {
    form.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// Where a saved record is shown: its programme's page, or the list of programmes.
async fn shown_at(state: &AppState, r: &Record) -> String {
    if r.entity.name == "actual" {
        // An actual's page is its indicator's programme.
        let ind = r.text("indicator_id").unwrap_or_default().to_owned();
        return match with_ledger(state.ledger.get(), move |l| {
            l.get(schema::entity("indicator").expect("entity"), &ind)
        })
        .await
        {
            Ok(i) => i
                .text("programme_id")
                .map_or("/programmes".into(), |p| format!("/programmes/{p}")),
            Err(_) => "/programmes".into(),
        };
    }
    r.text("programme_id")
        .map(|p| format!("/programmes/{p}"))
        .or_else(|| (r.entity.name == "programme").then(|| format!("/programmes/{}", r.id)))
        .unwrap_or_else(|| "/programmes".into())
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
    let s = match require_change(&state, &headers, lang, &back, posted(&form, "csrf")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
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
    let result = with_ledger(state.ledger.get(), move |l| {
        if is_new {
            l.add(e, &inc2, &actor)
        } else {
            l.update(e, &inc2, &actor).map(|(r, _)| r)
        }
    })
    .await;
    let form = |snap, version, message, current| {
        Form {
            id: id.as_deref(),
            version,
            message,
            current,
            ..Form::new(lang, e, &values, snap, &s.csrf)
        }
        .page()
    };
    match result {
        Ok(r) => Redirect::to(&href(&shown_at(&state, &r).await, lang)).into_response(),
        Err(Failure::Ledger(err @ LedgerError::Conflict { .. })) => {
            // Keep what was typed; show what is in the ledger now; the next save is
            // based on the current version.
            let snap = with_ledger(state.ledger.get(), |l| l.snapshot())
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
            let page = form(
                &snap,
                current.as_ref().map(|c| c.version),
                Some((&msg, None)),
                current.as_ref(),
            );
            (StatusCode::CONFLICT, html_page(page)).into_response()
        }
        Err(Failure::Ledger(err @ LedgerError::Invalid { .. })) => {
            let field = match &err {
                LedgerError::Invalid { field, .. } => field.clone(),
                _ => String::new(),
            };
            let snap = with_ledger(state.ledger.get(), |l| l.snapshot())
                .await
                .unwrap_or_default();
            let msg = err.to_string();
            let page = form(&snap, inc.version, Some((&msg, Some(&field))), None);
            (StatusCode::UNPROCESSABLE_ENTITY, html_page(page)).into_response()
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
    let back = format!("/ledger/{entity}/{id}/edit");
    let s = match require_change(&state, &headers, lang, &back, posted(&form, "csrf")).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let e = match entity_of(&entity, lang) {
        Ok(e) => e,
        Err(r) => return r,
    };
    let version = posted(&form, "version").trim().parse().ok();
    let actor = format!("{} (web)", s.name);
    let id2 = id.clone();
    match with_ledger(state.ledger.get(), move |l| {
        l.delete(e, &id2, version, &actor)
    })
    .await
    {
        Ok(r) => {
            let to = r
                .text("programme_id")
                .map_or("/programmes".into(), |p| format!("/programmes/{p}"));
            Redirect::to(&href(&to, lang)).into_response()
        }
        Err(Failure::Ledger(
            err @ (LedgerError::Conflict { .. } | LedgerError::Invalid { .. }),
        )) => {
            let status = if matches!(err, LedgerError::Conflict { .. }) {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let snap = with_ledger(state.ledger.get(), |l| l.snapshot())
                .await
                .unwrap_or_default();
            match snap.find(e.name, &id) {
                Some(cur) => {
                    let values = record_values(cur);
                    let msg = err.to_string();
                    let page = Form {
                        id: Some(&id),
                        version: Some(cur.version),
                        message: Some((&msg, None)),
                        ..Form::new(lang, e, &values, &snap, &s.csrf)
                    }
                    .page();
                    (status, html_page(page)).into_response()
                }
                None => Failure::Ledger(err).page(lang),
            }
        }
        Err(f) => f.page(lang),
    }
}
