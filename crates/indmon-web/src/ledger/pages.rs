//! The programme pages: `/programmes` (the goal with its progress, the programmes, the
//! action types, instruments, milestones and evaluations) and `/programmes/{id}` (one
//! programme: its record, progress, actions by type, budget lines, instruments,
//! evaluations, milestones and latest changes). Readable by everyone; an editor sees
//! links to the forms.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use indmon_ledger::progress::{self, Progress, SeriesValue};
use indmon_ledger::schema::{self, Entity, Kind};
use indmon_ledger::{Record, Snapshot};
use indmon_store::QueryOptions;
use maud::{Markup, html};

use super::auth::{session, who_bar};
use super::{Failure, html_page, tr, with_ledger};
use crate::html::{href, page, table_head, table_rows};
use crate::i18n::{Lang, PageQuery};
use crate::state::AppState;

type Series = BTreeMap<String, Vec<SeriesValue>>;

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

/// A table whose cells are markup (links, meters); the first cell of a row is its
/// header; an empty table has one row with a dash.
fn table(caption: &str, head: &[&str], rows: &[Vec<Markup>]) -> Markup {
    html! {
        div class="table-scroll" {
            table class="utrecht-table utrecht-table--html-table" {
                (table_head(caption, head))
                tbody class="utrecht-table__body" {
                    @if rows.is_empty() {
                        tr class="utrecht-table__row" {
                            td class="utrecht-table__cell" colspan=(head.len()) { "—" }
                        }
                    }
                    (table_rows(rows, "utrecht-table__cell"))
                }
            }
        }
    }
}

/// Text as a table cell.
fn text(s: impl AsRef<str>) -> Markup {
    html! { (s.as_ref()) }
}

fn link(path: &str, lang: Lang, text: &str) -> Markup {
    html! { a href=(href(path, lang)) { (text) } }
}

/// A link to the form of `r`, for an editor (nothing for anyone else).
fn edit_link(lang: Lang, editor: bool, r: &Record) -> Markup {
    html! {
        @if editor {
            " "
            a class="edit-link"
                href=(href(&format!("/ledger/{}/{}/edit", r.entity.name, r.id), lang))
                aria-label={ (tr(lang, "Bewerk", "Edit")) " " (r.id) } {
                (tr(lang, "bewerk", "edit"))
            }
        }
    }
}

/// A link to the form of a new record of `entity` with the field `scope` set to `id`.
fn new_link(lang: Lang, entity: &str, scope: &str, id: &str, text: &str) -> Markup {
    let path = format!("/ledger/{entity}/new?{scope}={id}");
    let href = match lang {
        Lang::Nl => path,
        Lang::En => format!("{path}&lang=en"),
    };
    html! {
        a class="utrecht-button-link utrecht-button-link--secondary-action" href=(href) { (text) }
        " "
    }
}

fn indicator_rows(lang: Lang, p: &Progress) -> Vec<Vec<Markup>> {
    p.indicators
        .iter()
        .map(|i| {
            let ind = &i.indicator;
            let unit = ind.text("unit").unwrap_or_default();
            let with_year = |v: &str, y: &str| match (ind.get(v).as_f64(), ind.get(y).as_int()) {
                (Some(v), Some(y)) => html! { (num(lang, v)) " " (unit) " (" (y) ")" },
                _ => text("—"),
            };
            let latest = match i.latest() {
                None => text(tr(lang, "nog geen realisaties", "no actuals yet")),
                Some((p, v, s)) => html! {
                    (num(lang, (v * 100.0).round() / 100.0)) " " (unit) " (" (p) ") "
                    small class="source" { (s) }
                },
            };
            let gap_unit = if unit == "%" {
                tr(lang, "procentpunt", "percentage points")
            } else {
                unit
            };
            let gap = match i.gap {
                None => text("—"),
                Some(g) => html! { (num(lang, (g * 100.0).round() / 100.0)) " " (gap_unit) },
            };
            let way = match i.share_of_way {
                None => text(tr(lang, "— (geen nulmeting)", "— (no baseline)")),
                Some(w) => html! {
                    meter min="0" max="1" value=(format!("{:.3}", w.clamp(0.0, 1.0))) aria-hidden="true" {}
                    " " (lang.number(w * 100.0, 0)) " %"
                },
            };
            vec![
                text(ind.name(lang == Lang::En)),
                text(ind.text("level").unwrap_or_default()),
                with_year("baseline_value", "baseline_year"),
                with_year("target_value", "target_year"),
                latest,
                gap,
                way,
            ]
        })
        .collect()
}

fn budget_rows(lang: Lang, p: &Progress) -> Vec<Vec<Markup>> {
    let e = |v: Option<i64>| v.map_or_else(|| "—".into(), |x| euros(lang, x));
    p.budget
        .iter()
        .map(|y| {
            let itemised = html! {
                @if y.itemised.is_empty() {
                    (tr(lang, "nog niets uitgesplitst", "nothing itemised yet"))
                }
                @for (k, (name, v)) in y.itemised.iter().enumerate() {
                    @if k > 0 { br; }
                    (name) " " (euros(lang, *v))
                }
                @if y.unknown_lines > 0 {
                    br;
                    (y.unknown_lines) " " (tr(lang, "regel(s) zonder bedrag", "line(s) without an amount"))
                }
            };
            vec![
                text(y.year.to_string()),
                html! {
                    (e(y.stated_total))
                    @for s in &y.total_sources { " " small class="source" { (s) } }
                },
                itemised,
                text(e(y.not_itemised)),
                text(e(y.committed)),
                text(e(y.spent)),
                text(y.spent_share.map_or_else(
                    || "—".into(),
                    |s| format!("{} %", lang.number(s * 100.0, 0)),
                )),
            ]
        })
        .collect()
}

fn progress_html(lang: Lang, p: &Progress) -> Markup {
    let id = format!("progress-{}", p.scope.id);
    html! {
        section aria-labelledby=(id) {
            h2 class="utrecht-heading-2" id=(id) { (tr(lang, "Voortgang", "Progress")) }
            (table(
                tr(lang, "Indicatoren tegen hun doelen", "Indicators against their targets"),
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
            ))
            (table(
                tr(lang, "Uitgaven tegen begroting (lopende prijzen)", "Spending against budget (current prices)"),
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
            ))
        }
    }
}

/// `GET /programmes`.
pub async fn programmes(
    State(state): State<Arc<AppState>>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q.lang();
    let snap = match with_ledger(state.ledger.get(), |l| l.snapshot()).await {
        Ok(s) => s,
        Err(f) => return f.page(lang),
    };
    let series = series(&state).await;
    let who = session(&state, &headers).await;
    let editor = who.as_ref().is_some_and(|s| s.role == "editor");
    let en = lang == Lang::En;
    let programmes: Vec<Vec<Markup>> = snap
        .of("programme")
        .iter()
        .map(|p| {
            let count = |e: &str| snap.in_programme(e, &p.id).count();
            vec![
                link(&format!("/programmes/{}", p.id), lang, p.name(en)),
                text(p.text("status").unwrap_or("—")),
                text(count("action").to_string()),
                text(count("indicator").to_string()),
                text(count("budget_line").to_string()),
            ]
        })
        .collect();
    let types: Vec<Vec<Markup>> = snap
        .of("action_type")
        .iter()
        .map(|t| {
            vec![
                html! { (t.get("position").to_string()) ". " (t.name(en)) },
                text(t.text("description").unwrap_or_default()),
                text(
                    snap.of("action")
                        .iter()
                        .filter(|a| a.text("action_type_id") == Some(t.id.as_str()))
                        .count()
                        .to_string(),
                ),
            ]
        })
        .collect();
    let main = html! {
        h1 class="utrecht-heading-1" { (tr(lang, "Programma's industriebeleid", "Industrial-policy programmes")) }
        (who_bar(lang, who.as_ref(), "/programmes"))
        @for g in snap.of("goal") {
            @let id = format!("goal-{}", g.id);
            section aria-labelledby=(id) {
                h2 class="utrecht-heading-2" id=(id) { (g.name(en)) (edit_link(lang, editor, g)) }
                p class="nl-paragraph" { (g.text("statement").unwrap_or_default()) }
                p class="nl-paragraph source" { (tr(lang, "Bron", "Source")) ": " (g.text("source").unwrap_or_default()) }
                (progress_html(lang, &progress::of(&snap, g, &series)))
            }
        }
        (table(
            tr(lang, "De programma's, één per prioritaire markt", "The programmes, one per priority market"),
            &[
                tr(lang, "Programma", "Programme"),
                tr(lang, "Status", "Status"),
                tr(lang, "Acties", "Actions"),
                tr(lang, "Indicatoren", "Indicators"),
                tr(lang, "Begrotingsregels", "Budget lines"),
            ],
            &programmes,
        ))
        (table(
            tr(lang, "De negen soorten acties binnen programma's", "The nine types of action within programmes"),
            &[
                tr(lang, "Soort actie", "Action type"),
                tr(lang, "Omschrijving (beleidspagina)", "Description (policy page)"),
                tr(lang, "Acties", "Actions"),
            ],
            &types,
        ))
        (records_table(lang, editor, &snap, "instrument", |_| true))
        (records_table(lang, editor, &snap, "milestone", |r| r.text("programme_id").is_none()))
        (records_table(lang, editor, &snap, "evaluation", |r| r.text("programme_id").is_none()))
        p class="nl-paragraph" {
            (tr(lang, "Het hele register downloaden", "Download the whole ledger")) ": "
            a href="/api/v1/ledger" { "JSON" }
            " · "
            a href="/api/v1/ledger?format=xlsx" { "Excel" }
            " · "
            a href="/api/v1/ledger?format=csv&entity=budget_line" { "CSV" }
        }
    };
    html_page(page(
        lang,
        "/programmes",
        tr(lang, "Programma's", "Programmes"),
        main,
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
) -> Markup {
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
    let rows: Vec<Vec<Markup>> = snap
        .of(entity)
        .iter()
        .filter(|r| keep(r))
        .map(|r| {
            let mut row = vec![html! { (r.name(lang == Lang::En)) (edit_link(lang, editor, r)) }];
            for c in cols {
                let f = e.field(c).expect("field");
                row.push(text(value_text(lang, f.kind, r.get(c))));
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
    let en = lang == Lang::En;
    let snap = match with_ledger(state.ledger.get(), |l| l.snapshot()).await {
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
    let changes = with_ledger(state.ledger.get(), |l| l.history(None, None, 2000))
        .await
        .unwrap_or_default();
    let series = series(&state).await;
    let who = session(&state, &headers).await;
    let editor = who.as_ref().is_some_and(|s| s.role == "editor");
    let prog = progress::of(&snap, &p, &series);
    let path = format!("/programmes/{}", p.id);
    let fields = schema::entity("programme").expect("entity").fields;
    // Actions by type: all nine types, with the actions of each.
    let by_type: Vec<Vec<Markup>> = snap
        .of("action_type")
        .iter()
        .map(|t| {
            let acts: Vec<&Record> = snap
                .of("action")
                .iter()
                .filter(|a| {
                    a.text("programme_id") == Some(p.id.as_str())
                        && a.text("action_type_id") == Some(t.id.as_str())
                })
                .collect();
            vec![
                text(t.name(en)),
                html! {
                    @if acts.is_empty() { "—" }
                    @for (k, a) in acts.iter().enumerate() {
                        @if k > 0 { br; }
                        (a.name(false)) " (" (a.text("status").unwrap_or("—")) ")" (edit_link(lang, editor, a))
                    }
                },
            ]
        })
        .collect();
    let mine = |r: &Record| r.text("programme_id") == Some(p.id.as_str());
    let latest: Vec<Vec<Markup>> = changes
        .iter()
        .filter(|c| ids.iter().any(|(e, i)| *e == c.entity && *i == c.record_id))
        .take(20)
        .map(|c| {
            vec![
                text(&c.changed_at),
                text(&c.changed_by),
                html! { (c.entity) " '" (c.record_id) "' v" (c.version) },
                html! {
                    @for (k, (f, b, a)) in c.diff().iter().enumerate() {
                        @if k > 0 { br; }
                        (f) ": " (if b.is_empty() { "—" } else { b }) " → " (a)
                    }
                },
            ]
        })
        .collect();
    let main = html! {
        p class="nl-paragraph" { (link("/programmes", lang, tr(lang, "← Alle programma's", "← All programmes"))) }
        h1 class="utrecht-heading-1" { (p.name(en)) (edit_link(lang, editor, &p)) }
        (who_bar(lang, who.as_ref(), &path))
        dl class="record" {
            @for f in fields {
                dt { (f.name) }
                dd { (value_text(lang, f.kind, p.get(f.name))) }
            }
            dt { "version" }
            dd { (p.version) " (" (p.updated_at) " " (p.updated_by) ")" }
        }
        @if p.text("market").is_some() {
            p class="nl-paragraph" {
                (link("/markets", lang, tr(lang, "De status van de zes markten", "The status of the six markets")))
            }
        }
        (progress_html(lang, &prog))
        @if editor {
            p class="nl-paragraph ledger-actions" {
                @for (ent, text_nl, text_en) in [
                    ("action", "Nieuwe actie", "New action"),
                    ("indicator", "Nieuwe indicator", "New indicator"),
                    ("budget_line", "Nieuwe begrotingsregel", "New budget line"),
                    ("instrument", "Nieuw instrument", "New instrument"),
                    ("evaluation", "Nieuwe evaluatie", "New evaluation"),
                    ("milestone", "Nieuwe mijlpaal", "New milestone"),
                ] {
                    (new_link(lang, ent, "programme_id", &p.id, tr(lang, text_nl, text_en)))
                }
                @for i in snap.in_programme("indicator", &p.id) {
                    (new_link(
                        lang,
                        "actual",
                        "indicator_id",
                        &i.id,
                        &format!("{}: {}", tr(lang, "Nieuwe realisatie", "New actual"), i.name(en)),
                    ))
                }
            }
        }
        (table(
            tr(lang, "Acties per soort", "Actions by type"),
            &[
                tr(lang, "Soort actie", "Action type"),
                tr(lang, "Acties (status)", "Actions (status)"),
            ],
            &by_type,
        ))
        @for e in ["budget_line", "instrument", "evaluation", "milestone"] {
            (records_table(lang, editor, &snap, e, mine))
        }
        (table(
            tr(lang, "Laatste wijzigingen (audittrail)", "Latest changes (audit trail)"),
            &[
                tr(lang, "Tijdstip", "When"),
                tr(lang, "Door", "By"),
                tr(lang, "Record", "Record"),
                tr(lang, "Wijziging", "Change"),
            ],
            &latest,
        ))
    };
    html_page(page(lang, "/programmes", p.name(en), main)).into_response()
}
