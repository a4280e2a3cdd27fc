//! The dependency pages beside the screen (`/dependencies`): one product's dependency
//! story (`/dependencies/{hs6}`), where others depend on the reporter (`/mutual`), the
//! EU critical raw materials (`/crm`) and one material (`/crm/{material}`). Each renders
//! the typed result its JSON endpoint serves; no figure is computed here.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use indmon_report::dependencies::{
    Crm, CrmCode, Explanation, MaterialDetail, Mutual, Screen, ScreenRow,
};
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::data;
use crate::html::{
    Figure, encode, fill, href, material_href, page, product_href, source_line, table, table_head,
    table_linked, with_dataset,
};
use crate::i18n::Lang;
use crate::pages::{
    COLOURS, DependenciesPageQuery, PageQuery, error_page, filter_caveats, notes_block, round,
};
use crate::state::AppState;

/// The language of a dependency page's query.
fn lang_of(q: &DependenciesPageQuery) -> Lang {
    PageQuery {
        lang: q.lang.clone(),
    }
    .lang()
}

/// Yes or no in the page's language.
fn yes_no(lang: Lang, b: bool) -> String {
    lang.t(if b { "dp_yes" } else { "dp_no" }).to_string()
}

/// A value in thousand USD, as shown (no decimals).
fn kusd(lang: Lang, v: f64) -> String {
    lang.number(v, 0)
}

/// An HHI or a ratio, as shown (three decimals).
fn num3(lang: Lang, v: Option<f64>) -> String {
    v.map(|v| lang.number(v, 3)).unwrap_or_default()
}

/// A share, as shown (a percentage with one decimal).
fn share(lang: Lang, v: Option<f64>) -> String {
    v.map(|v| lang.pct(v, 1)).unwrap_or_default()
}

/// The name of a supplier's relation in the page's language, and its colour.
fn relation(lang: Lang, r: &str) -> (String, &'static str) {
    match r {
        "EU" => (lang.t("dp_rel_eu").into(), COLOURS[0]),
        "like-minded" => (lang.t("dp_rel_like_minded").into(), COLOURS[4]),
        "high-risk" => (lang.t("dp_rel_high_risk").into(), COLOURS[5]),
        "other" => (lang.t("dp_rel_other").into(), COLOURS[2]),
        other => (other.to_string(), COLOURS[6]),
    }
}

/// The method of the critical-raw-materials figures: the study's scores as published
/// and its rule.
const CRM_METHOD: &str = "EU CRM 2023 (critical: SR ≥ 1 and EI ≥ 2.8)";

/// How many suppliers the chart of imports by origin shows at once.
const SUPPLIERS_IN_VIEW: usize = 15;

/// The relations in the order of the legend.
const RELATIONS: [&str; 4] = ["EU", "like-minded", "other", "high-risk"];

/// A list of terms and their descriptions.
fn facts(id: &str, items: &[(String, String)]) -> Markup {
    html! {
        dl class="key-figures" id=(id) {
            @for (dt, dd) in items {
                div class="key-figure" { dt { (dt) } dd { (dd) } }
            }
        }
    }
}

/// A table whose columns `english` hold text of the results, which is written in
/// English: on a Dutch page those cells say so (`lang="en"`, WCAG 3.1.2).
fn table_in_english(
    lang: Lang,
    id: &str,
    caption: &str,
    english: &[usize],
    head: &[String],
    rows: &[Vec<String>],
) -> Markup {
    let mark = |k: usize| (lang != Lang::En && english.contains(&k)).then_some("en");
    html! {
        table class="utrecht-table utrecht-table--html-table" id=(id) {
            (table_head(caption, head))
            tbody class="utrecht-table__body" {
                @for r in rows {
                    tr class="utrecht-table__row" {
                        @for (k, c) in r.iter().enumerate() {
                            @if k == 0 {
                                th scope="row" class="utrecht-table__header-cell" lang=[mark(k)] { (c) }
                            } @else {
                                td class="utrecht-table__cell" lang=[mark(k)] { (c) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A step's number as the steps table shows it: values in thousand USD without
/// decimals, shares as percentages, HHIs and ratios with three decimals, years whole.
fn step_value(lang: Lang, step: &str, v: Option<f64>) -> String {
    let Some(v) = v else { return String::new() };
    match step {
        "imports" => kusd(lang, v),
        "outside" | "suppliers" | "risk" => lang.pct(v, 1),
        "persistence" => lang.number(v, 0),
        _ => lang.number(v, 3),
    }
}

/// A step's threshold as the steps table shows it (as its value).
fn step_threshold(lang: Lang, step: &str, v: Option<f64>) -> String {
    step_value(lang, step, v)
}

/// The name of a step in the page's language.
fn step_name(lang: Lang, step: &str) -> String {
    let key = format!("dp_step_{step}");
    match lang.t(&key) {
        "??" => step.to_string(),
        t => t.to_string(),
    }
}

/// The imports by origin: a bar per supplier, coloured by its relation.
fn suppliers_figure<'a>(lang: Lang, e: &'a Explanation, csv: String) -> Figure<'a> {
    let names: Vec<&str> = e.suppliers.iter().map(|s| s.label.as_str()).collect();
    let series: Vec<Value> = RELATIONS
        .iter()
        .map(|rel| {
            let (name, colour) = relation(lang, rel);
            let data: Vec<Value> = e
                .suppliers
                .iter()
                .map(|s| {
                    if s.relation == *rel {
                        json!(round(s.value, 3))
                    } else {
                        Value::Null
                    }
                })
                .collect();
            json!({ "name": name, "type": "bar", "stack": "origin", "data": data, "itemStyle": { "color": colour } })
        })
        .collect();
    let mut option = json!({
        "grid": { "left": 24, "right": 48, "top": 32, "bottom": 32, "containLabel": true },
        "legend": { "top": 0 },
        "yAxis": { "type": "category", "data": names, "inverse": true, "axisLabel": { "interval": 0 } },
        "xAxis": { "type": "value", "name": lang.t("dp_kusd") },
        "series": series
    });
    // the largest suppliers in view, the others a scroll away (all of them in the table)
    if e.suppliers.len() > SUPPLIERS_IN_VIEW {
        option["dataZoom"] = json!([
            { "type": "slider", "yAxisIndex": 0, "startValue": 0, "endValue": SUPPLIERS_IN_VIEW - 1, "right": 8, "width": 16, "showDetail": false },
            { "type": "inside", "yAxisIndex": 0, "zoomOnMouseWheel": false, "moveOnMouseWheel": true }
        ]);
    }
    Figure {
        id: "fig-suppliers",
        title: fill(
            lang.t("dp_fig_suppliers"),
            &[("geo", &e.reporter), ("year", &e.year.to_string())],
        ),
        desc: lang.t("dp_fig_suppliers_desc").into(),
        option,
        unit: lang.t("dp_kusd"),
        head: vec![
            lang.t("dp_origin").into(),
            lang.t("dp_imports_kusd").into(),
            lang.t("dp_share_of_imports").into(),
            lang.t("dp_relation").into(),
        ],
        rows: e
            .suppliers
            .iter()
            .map(|s| {
                vec![
                    s.label.clone(),
                    kusd(lang, s.value),
                    lang.pct(s.share, 1),
                    relation(lang, &s.relation).0,
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv,
        filename: format!("indmon-suppliers-{}-{}-{}", e.reporter, e.hs6, e.year),
        sources: &e.sources,
        method: &e.method,
        extra: json!({}),
    }
}

/// The three criteria in every year of the window against their thresholds.
fn criteria_figure<'a>(lang: Lang, e: &'a Explanation, csv: String) -> Figure<'a> {
    let years: Vec<String> = e.years.iter().map(|y| y.year.to_string()).collect();
    let threshold = |c: &str| {
        e.criteria
            .iter()
            .find(|k| k.criterion == c)
            .map(|k| k.threshold)
    };
    let line = |name: &str, data: Vec<Value>, colour: &str, axis: u8, th: Option<f64>| {
        let mut s = json!({ "name": name, "type": "line", "data": data, "yAxisIndex": axis,
            "symbol": "circle", "symbolSize": 8, "itemStyle": { "color": colour }, "lineStyle": { "color": colour } });
        if let Some(t) = th {
            s["markLine"] = json!({ "symbol": "none", "silent": true,
                "lineStyle": { "color": colour, "type": "dashed" },
                "label": { "formatter": format!("{} {}", lang.t("dp_threshold"), lang.number(t, 2)) },
                "data": [ { "yAxis": t } ] });
        }
        s
    };
    let opt = |x: Option<f64>| x.map_or(Value::Null, |v| json!(round(v, 6)));
    let option = json!({
        "grid": { "left": 56, "right": 56, "top": 48, "bottom": 40 },
        "legend": { "top": 0 },
        "xAxis": { "type": "category", "data": years },
        "yAxis": [ { "type": "value", "min": 0, "max": 1 }, { "type": "value", "min": 0 } ],
        "series": [
            line(lang.t("outside_hhi"), e.years.iter().map(|y| opt(y.outside_hhi)).collect(), COLOURS[0], 0, threshold("concentration")),
            line(lang.t("outside_share"), e.years.iter().map(|y| opt(Some(y.outside_share))).collect(), COLOURS[2], 0, threshold("outside")),
            line(lang.t("ratio"), e.years.iter().map(|y| opt(y.ratio_used)).collect(), COLOURS[3], 1, threshold("ratio")),
        ]
    });
    Figure {
        id: "fig-criteria",
        title: fill(lang.t("dp_fig_criteria"), &[("geo", &e.reporter)]),
        desc: lang.t("dp_fig_criteria_desc").into(),
        option,
        unit: "",
        head: vec![
            lang.t("year").into(),
            lang.t("outside_hhi").into(),
            lang.t("outside_share").into(),
            lang.t("ratio").into(),
            lang.t("dp_crit_concentration").into(),
            lang.t("dp_crit_outside").into(),
            lang.t("dp_crit_ratio").into(),
            lang.t("dp_crit_all").into(),
        ],
        rows: e
            .years
            .iter()
            .map(|y| {
                vec![
                    y.year.to_string(),
                    num3(lang, y.outside_hhi),
                    lang.pct(y.outside_share, 1),
                    num3(lang, y.ratio_used),
                    yes_no(lang, y.concentration),
                    yes_no(lang, y.outside),
                    yes_no(lang, y.ratio),
                    yes_no(lang, y.all),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv,
        filename: format!("indmon-criteria-{}-{}", e.reporter, e.hs6),
        sources: &e.sources,
        method: &e.method,
        extra: json!({}),
    }
}

/// `/dependencies/{hs6}`: one product's dependency story, every step of
/// `indmon dependencies explain` (`?dataset=` another trade dataset).
pub async fn product(
    State(s): State<Arc<AppState>>,
    Path(hs6): Path<String>,
    Query(q): Query<DependenciesPageQuery>,
) -> Response {
    let lang = lang_of(&q);
    let path = format!("/dependencies/{}", encode(&hs6));
    let sq = crate::params::ScreenQuery {
        dataset: q.dataset.clone(),
        ..Default::default()
    };
    let e = match data::explain(&s, &hs6, &sq).await {
        Ok(x) => x,
        Err(err) => return error_page(lang, &path, &err),
    };
    let ds = q.dataset.as_deref();
    let csv = with_dataset(&format!("/api/v1/dependencies/{}", e.hs6), ds, Lang::Nl);
    let csv = format!(
        "{csv}{}format=csv",
        if csv.contains('?') { '&' } else { '?' }
    );
    let year = e.year.to_string();
    let title = match &e.name {
        Some(n) => format!("HS {} — {n}", e.hs6),
        None => format!("HS {}", e.hs6),
    };
    let steps: Vec<Vec<String>> = e
        .steps
        .iter()
        .map(|st| {
            vec![
                step_name(lang, &st.step),
                step_value(lang, &st.step, st.value),
                step_threshold(lang, &st.step, st.threshold),
                st.met.map(|m| yes_no(lang, m)).unwrap_or_default(),
                st.text.trim().to_string(),
            ]
        })
        .collect();
    let p = &e.persistence;
    let w = &e.world;
    let re = &e.reexport;
    let persistence = match p.years_met {
        Some(n) => fill(
            lang.t("dp_persistence_met"),
            &[
                ("n", &n.to_string()),
                ("window", &p.window.to_string()),
                ("min", &p.min.to_string()),
            ],
        ),
        None => fill(
            lang.t("dp_persistence_unchecked"),
            &[("window", &p.window.to_string()), ("year", &year)],
        ),
    };
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (title) }
        p class="nl-paragraph nl-paragraph--lead" id="verdict" {
            (fill(lang.t("dp_story_intro"), &[("geo", &e.reporter), ("year", &year)])) " "
            strong { (lang.t("dp_verdict")) ": " span lang="en" { (e.verdict) } }
        }
        p class="nl-paragraph" {
            a class="nl-link" href=(with_dataset("/dependencies", ds, lang)) { (lang.t("dp_back_to_screen")) }
        }
        (filter_caveats(lang, &e.sources))
        (notes_block(lang, e.synthetic, &[]))
        section id="steps" aria-labelledby="steps-title" {
            h2 class="nl-heading nl-heading--level-2" id="steps-title" { (lang.t("dp_steps")) }
            (table_in_english(lang, "steps-table", &format!("{} — HS {}", lang.t("dp_steps"), e.hs6), &[4], &[
                lang.t("dp_step").into(), lang.t("dp_value").into(), lang.t("dp_threshold").into(),
                lang.t("dp_met").into(), lang.t("dp_explanation").into(),
            ], &steps))
            (source_line(lang, &e.sources, &e.method))
        }
        (suppliers_figure(lang, &e, csv.clone()).render(lang))
        (criteria_figure(lang, &e, csv.clone()).render(lang))
        section id="persistence" aria-labelledby="persistence-title" {
            h2 class="nl-heading nl-heading--level-2" id="persistence-title" { (lang.t("dp_persistence")) }
            p class="nl-paragraph" { (persistence) " " (lang.t("dp_met")) ": " (yes_no(lang, p.met)) "." }
        }
        section id="world-supply" aria-labelledby="world-title" {
            h2 class="nl-heading nl-heading--level-2" id="world-title" { (lang.t("dp_world_supply")) }
            (facts("world-facts", &[
                (lang.t("dp_world_hhi").into(), format!("{} ({} {})", num3(lang, w.hhi), lang.t("dp_threshold").to_lowercase(), lang.number(w.threshold, 3))),
                (lang.t("dp_concentrated").into(), yes_no(lang, w.concentrated)),
                (lang.t("dp_world_exports_kusd").into(), kusd(lang, w.world_exports)),
                (fill(lang.t("dp_reporter_world_share"), &[("geo", &e.reporter)]), share(lang, w.reporter_share)),
            ]))
            @if w.bloc_reporter { p class="nl-paragraph" { (lang.t("dp_bloc_share_note")) } }
        }
        section id="reexport" aria-labelledby="reexport-title" {
            h2 class="nl-heading nl-heading--level-2" id="reexport-title" { (lang.t("dp_reexport")) }
            (facts("reexport-facts", &[
                (lang.t("dp_correction").into(), re.correction.clone()),
                (lang.t("dp_ratio_before").into(), num3(lang, re.ratio_before)),
                (lang.t("dp_ratio_used").into(), num3(lang, re.ratio_used)),
                (lang.t("dp_retained_share").into(), lang.pct(re.retained_share, 1)),
                (lang.t("dp_dependency_uncorrected").into(), yes_no(lang, re.dependency_uncorrected)),
            ]))
        }
        section id="areas" aria-labelledby="areas-title" {
            h2 class="nl-heading nl-heading--level-2" id="areas-title" { (lang.t("dp_crucial_areas")) }
            @if e.area_reasons.is_empty() {
                p class="nl-paragraph" { (lang.t("dp_no_areas")) }
            } @else {
                (table_in_english(lang, "areas-table", &format!("{} — HS {}", lang.t("dp_crucial_areas"), e.hs6), &[0, 1, 2, 3, 4], &[
                    lang.t("dp_area_source").into(), lang.t("areas").into(), lang.t("dp_segment").into(),
                    lang.t("dp_confidence").into(), lang.t("dp_rationale").into(),
                ], &e.area_reasons.iter().map(|a| vec![
                    a.source.clone(), a.areas.join(", "), a.segment.clone().unwrap_or_default(),
                    a.confidence.clone().unwrap_or_default(), a.rationale.clone(),
                ]).collect::<Vec<_>>()))
            }
        }
        @if let Some(r) = &e.risk {
            section id="risk" aria-labelledby="risk-title" {
                h2 class="nl-heading nl-heading--level-2" id="risk-title" { (lang.t("risk")) }
                (facts("risk-facts", &[
                    (lang.t("dp_risk_high").into(), yes_no(lang, r.high)),
                    (lang.t("dp_high_risk_share").into(), lang.pct(r.high_risk_share, 1)),
                    (lang.t("dp_non_aligned_share").into(), lang.pct(r.non_aligned_share, 1)),
                ]))
                @if !r.reasons.is_empty() {
                    ul class="utrecht-unordered-list" {
                        @for x in &r.reasons { li class="utrecht-unordered-list__item" lang="en" { (x) } }
                    }
                }
            }
        }
        section id="explanation" aria-labelledby="explanation-title" {
            h2 class="nl-heading nl-heading--level-2" id="explanation-title" { (lang.t("dp_in_words")) }
            @for line in &e.explanation { p class="nl-paragraph explain-line" lang="en" { (line.trim()) } }
            @if !e.not_met.is_empty() {
                p class="nl-paragraph" { (lang.t("dp_not_met")) ": " span lang="en" { (e.not_met.join("; ")) } }
            }
        }
        (notes_block(lang, false, &e.notes))
    };
    Html(page(lang, &path, &title, main)).into_response()
}

/// A partner in a table: its code and the reporter's share of its imports.
fn partners_text(lang: Lang, p: &indmon_report::dependencies::MutualProduct) -> String {
    p.dependent_partners
        .iter()
        .map(|d| format!("{} ({})", d.country, lang.pct(d.share, 1)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The products of which the reporter supplies a large share of concentrated world
/// supply.
fn mutual_products_figure<'a>(lang: Lang, m: &'a Mutual, csv: &str) -> Figure<'a> {
    let names: Vec<String> = m.products.iter().map(|p| p.hs6.clone()).collect();
    let data: Vec<Value> = m
        .products
        .iter()
        .map(|p| json!(round(100.0 * p.world_share, 4)))
        .collect();
    let option = json!({
        "grid": { "left": 24, "right": 32, "top": 16, "bottom": 32, "containLabel": true },
        "yAxis": { "type": "category", "data": names, "inverse": true, "axisLabel": { "interval": 0 } },
        "xAxis": { "type": "value", "name": "%", "min": 0 },
        "series": [ { "name": lang.t("world_share"), "type": "bar", "data": data, "itemStyle": { "color": COLOURS[0] },
            "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "type": "dashed" },
                          "data": [ { "xAxis": round(100.0 * m.min_world_share, 4) } ] } } ]
    });
    Figure {
        id: "fig-mutual-products",
        title: fill(
            lang.t("dp_fig_mutual_products"),
            &[("geo", &m.reporter), ("year", &m.year.to_string())],
        ),
        desc: fill(
            lang.t("dp_fig_mutual_products_desc"),
            &[
                ("geo", &m.reporter),
                ("share", &lang.pct(m.min_world_share, 0)),
                ("hhi", &lang.number(m.min_world_hhi, 2)),
            ],
        ),
        option,
        unit: "%",
        head: vec![
            lang.t("product").into(),
            fill(lang.t("dp_reporter_world_share"), &[("geo", &m.reporter)]),
            lang.t("dp_world_hhi").into(),
            lang.t("dp_world_exports_kusd").into(),
            lang.t("dp_dependent_partners").into(),
        ],
        rows: m
            .products
            .iter()
            .map(|p| {
                vec![
                    match &p.name {
                        Some(n) => format!("{} — {n}", p.hs6),
                        None => p.hs6.clone(),
                    },
                    lang.pct(p.world_share, 1),
                    lang.number(p.world_hhi, 3),
                    kusd(lang, p.world_exports),
                    partners_text(lang, p),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: csv.to_string(),
        filename: format!("indmon-mutual-{}-{}", m.reporter, m.year),
        sources: &m.sources,
        method: &m.method,
        extra: json!({}),
    }
}

/// The countries that depend on the reporter, one bar per product and partner.
fn mutual_partners_figure<'a>(lang: Lang, m: &'a Mutual, csv: &str) -> Figure<'a> {
    let pairs: Vec<(&str, &indmon_report::dependencies::DependentPartner)> = m
        .products
        .iter()
        .flat_map(|p| p.dependent_partners.iter().map(|d| (p.hs6.as_str(), d)))
        .collect();
    let names: Vec<String> = pairs
        .iter()
        .map(|(hs6, d)| format!("{} — {hs6}", d.country))
        .collect();
    let data: Vec<Value> = pairs
        .iter()
        .map(|(_, d)| json!(round(100.0 * d.share, 4)))
        .collect();
    let option = json!({
        "grid": { "left": 24, "right": 32, "top": 16, "bottom": 32, "containLabel": true },
        "yAxis": { "type": "category", "data": names, "inverse": true, "axisLabel": { "interval": 0 } },
        "xAxis": { "type": "value", "name": "%", "min": 0, "max": 100 },
        "series": [ { "name": lang.t("dp_share_from_reporter"), "type": "bar", "data": data, "itemStyle": { "color": COLOURS[1] },
            "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "type": "dashed" },
                          "data": [ { "xAxis": round(100.0 * m.partner_share, 4) } ] } } ]
    });
    Figure {
        id: "fig-mutual-partners",
        title: fill(
            lang.t("dp_fig_mutual_partners"),
            &[("geo", &m.reporter), ("year", &m.year.to_string())],
        ),
        desc: fill(
            lang.t("dp_fig_mutual_partners_desc"),
            &[
                ("geo", &m.reporter),
                ("share", &lang.pct(m.partner_share, 0)),
                ("min", &kusd(lang, m.partner_min_value)),
            ],
        ),
        option,
        unit: "%",
        head: vec![
            lang.t("dp_partner").into(),
            lang.t("product").into(),
            fill(lang.t("dp_imports_from_reporter"), &[("geo", &m.reporter)]),
            lang.t("dp_partner_imports_kusd").into(),
            lang.t("dp_share_from_reporter").into(),
        ],
        rows: pairs
            .iter()
            .map(|(hs6, d)| {
                vec![
                    d.country.clone(),
                    hs6.to_string(),
                    kusd(lang, d.from_reporter),
                    kusd(lang, d.imports),
                    lang.pct(d.share, 1),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: csv.to_string(),
        filename: format!("indmon-mutual-partners-{}-{}", m.reporter, m.year),
        sources: &m.sources,
        method: &m.method,
        extra: json!({}),
    }
}

/// The partners with dependence both ways: how many products each way.
fn two_way_figure<'a>(lang: Lang, m: &'a Mutual, csv: &str) -> Figure<'a> {
    let names: Vec<&str> = m.two_way.iter().map(|t| t.partner.as_str()).collect();
    let count = |f: fn(&indmon_report::dependencies::TwoWay) -> usize| -> Vec<Value> {
        m.two_way.iter().map(|t| json!(f(t))).collect()
    };
    let option = json!({
        "grid": { "left": 24, "right": 32, "top": 32, "bottom": 32, "containLabel": true },
        "legend": { "top": 0 },
        "yAxis": { "type": "category", "data": names, "inverse": true, "axisLabel": { "interval": 0 } },
        "xAxis": { "type": "value", "name": lang.t("dp_products_count"), "minInterval": 1 },
        "series": [
            { "name": fill(lang.t("dp_we_depend"), &[("geo", &m.reporter)]), "type": "bar", "data": count(|t| t.we_depend_on_them.len()), "itemStyle": { "color": COLOURS[2] } },
            { "name": fill(lang.t("dp_they_depend"), &[("geo", &m.reporter)]), "type": "bar", "data": count(|t| t.they_depend_on_us.len()), "itemStyle": { "color": COLOURS[0] } },
        ]
    });
    Figure {
        id: "fig-two-way",
        title: fill(
            lang.t("dp_fig_two_way"),
            &[("geo", &m.reporter), ("year", &m.year.to_string())],
        ),
        desc: fill(lang.t("dp_fig_two_way_desc"), &[("geo", &m.reporter)]),
        option,
        unit: "",
        head: vec![
            lang.t("dp_partner").into(),
            fill(lang.t("dp_we_depend"), &[("geo", &m.reporter)]),
            fill(lang.t("dp_they_depend"), &[("geo", &m.reporter)]),
        ],
        rows: m
            .two_way
            .iter()
            .map(|t| {
                vec![
                    t.partner.clone(),
                    t.we_depend_on_them.join(", "),
                    t.they_depend_on_us.join(", "),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: csv.to_string(),
        filename: format!("indmon-two-way-{}-{}", m.reporter, m.year),
        sources: &m.sources,
        method: &m.method,
        extra: json!({}),
    }
}

/// The choice of trade dataset, as on `/dependencies`.
fn dataset_nav(s: &AppState, path: &str, shown: &str, lang: Lang) -> Markup {
    let trade = data::trade_datasets(s);
    html! {
        @if trade.len() > 1 {
            nav class="trade-datasets" aria-label=(lang.t("trade_data")) {
                p class="nl-paragraph" {
                    (lang.t("trade_data")) ": "
                    @for (k, d) in trade.iter().enumerate() {
                        @if k > 0 { " · " }
                        @if d.dataset == shown {
                            strong aria-current="page" { (d.dataset) }
                        } @else {
                            a class="nl-link" href=(with_dataset(path, Some(&d.dataset), lang)) { (d.dataset) }
                        }
                        @if let Some(scope) = &d.scope { " (" (scope) ")" }
                    }
                }
            }
        }
    }
}

/// `/mutual`: where others depend on the reporter, and the partners with dependence
/// both ways (`?dataset=` another trade dataset).
pub async fn mutual(
    State(s): State<Arc<AppState>>,
    Query(q): Query<DependenciesPageQuery>,
) -> Response {
    let lang = lang_of(&q);
    let sq = crate::params::ScreenQuery {
        dataset: q.dataset.clone(),
        ..Default::default()
    };
    let m = match data::mutual(&s, &sq).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, "/mutual", &e),
    };
    let csv = match &q.dataset {
        Some(d) => format!("/api/v1/mutual?dataset={}&format=csv", encode(d)),
        None => "/api/v1/mutual?format=csv".into(),
    };
    let year = m.year.to_string();
    let product_links: Vec<Option<String>> = m
        .products
        .iter()
        .map(|p| Some(product_href(&p.hs6, q.dataset.as_deref(), lang)))
        .collect();
    let any_partner = m.products.iter().any(|p| !p.dependent_partners.is_empty());
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" {
            (fill(lang.t("dp_mutual_title"), &[("geo", &m.reporter), ("year", &year)]))
        }
        p class="nl-paragraph" {
            (fill(lang.t("dp_mutual_intro"), &[
                ("geo", &m.reporter),
                ("share", &lang.pct(m.min_world_share, 0)),
                ("hhi", &lang.number(m.min_world_hhi, 2)),
                ("pshare", &lang.pct(m.partner_share, 0)),
                ("min", &kusd(lang, m.partner_min_value)),
            ]))
        }
        (dataset_nav(&s, "/mutual", m.dataset.as_deref().unwrap_or_default(), lang))
        (filter_caveats(lang, &m.sources))
        (notes_block(lang, m.synthetic, &m.notes))
        dl class="key-figures" id="mutual-counts" {
            div class="key-figure" { dt { (lang.t("dp_mutual_products")) } dd { (lang.number(m.products.len() as f64, 0)) } }
            div class="key-figure" { dt { (lang.t("dp_two_way_partners")) } dd { (lang.number(m.two_way.len() as f64, 0)) } }
            div class="key-figure" { dt { (fill(lang.t("dp_reporter_dependencies"), &[("geo", &m.reporter)])) } dd { (lang.number(m.dependencies as f64, 0)) } }
        }
        @if m.products.is_empty() {
            section id="mutual-products" {
                h2 class="nl-heading nl-heading--level-2" { (fill(lang.t("dp_fig_mutual_products"), &[("geo", &m.reporter), ("year", &year)])) }
                p class="nl-paragraph" { (fill(lang.t("dp_no_mutual_products"), &[("geo", &m.reporter)])) }
                (source_line(lang, &m.sources, &m.method))
            }
        } @else {
            (mutual_products_figure(lang, &m, &csv).render_linked(lang, 2, &product_links))
        }
        @if any_partner {
            (mutual_partners_figure(lang, &m, &csv).render(lang))
        } @else {
            section id="mutual-partners" {
                h2 class="nl-heading nl-heading--level-2" { (fill(lang.t("dp_fig_mutual_partners"), &[("geo", &m.reporter), ("year", &year)])) }
                p class="nl-paragraph" { (fill(lang.t("dp_no_dependent_partners"), &[("geo", &m.reporter)])) }
            }
        }
        @if m.two_way.is_empty() {
            section id="two-way" {
                h2 class="nl-heading nl-heading--level-2" { (fill(lang.t("dp_fig_two_way"), &[("geo", &m.reporter), ("year", &year)])) }
                p class="nl-paragraph" { (fill(lang.t("dp_no_two_way"), &[("geo", &m.reporter)])) }
            }
        } @else {
            (two_way_figure(lang, &m, &csv).render(lang))
        }
    };
    Html(page(lang, "/mutual", lang.t("mutual"), main)).into_response()
}

/// The SR/EI scatter of the 2023 assessment, critical and not critical apart, with
/// the thresholds.
fn crm_scatter<'a>(lang: Lang, c: &'a Crm) -> Figure<'a> {
    let series: Vec<Value> = [(true, "dp_crm_critical", COLOURS[5]), (false, "dp_crm_not_critical", COLOURS[1])]
        .iter()
        .enumerate()
        .map(|(k, (critical, key, colour))| {
            let points: Vec<Value> = c
                .materials
                .iter()
                .filter(|m| m.critical == *critical)
                .map(|m| json!({ "value": [m.ei, m.sr], "name": m.material, "url": material_href(&m.material, lang) }))
                .collect();
            let mut s = json!({ "name": lang.t(key), "type": "scatter", "data": points, "symbolSize": 9,
                                "itemStyle": { "color": colour } });
            if k == 0 {
                s["markLine"] = json!({ "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[6], "type": "dashed" },
                    "data": [ { "xAxis": 2.8 }, { "yAxis": 1.0 } ] });
            }
            s
        })
        .collect();
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 48 },
        "legend": { "top": 0 },
        "xAxis": { "type": "value", "min": 0, "name": lang.t("dp_ei"), "nameLocation": "middle", "nameGap": 28 },
        "yAxis": { "type": "value", "min": 0, "name": lang.t("dp_sr") },
        "series": series
    });
    let rows: Vec<Vec<String>> = c
        .materials
        .iter()
        .map(|m| {
            vec![
                m.material.clone(),
                lang.number(m.sr, 1),
                lang.number(m.ei, 1),
                yes_no(lang, m.critical),
                m.critical_in
                    .iter()
                    .map(|y| y.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
                m.top_global_supplier
                    .as_ref()
                    .map(|t| {
                        format!(
                            "{} {} ({})",
                            t.country,
                            lang.pct(t.share, 1),
                            stage(lang, &t.stage)
                        )
                    })
                    .unwrap_or_default(),
                m.hs6.join(", "),
            ]
        })
        .collect();
    Figure {
        id: "fig-crm",
        title: fill(lang.t("dp_fig_crm"), &[("year", &c.assessment.to_string())]),
        desc: lang.t("dp_fig_crm_desc").into(),
        option,
        unit: "",
        head: vec![
            lang.t("dp_material").into(),
            lang.t("dp_sr").into(),
            lang.t("dp_ei").into(),
            lang.t("dp_critical").into(),
            lang.t("dp_critical_in").into(),
            lang.t("dp_top_supplier").into(),
            "HS6".into(),
        ],
        rows,
        tooltip_rows: false,
        csv: "/api/v1/crm?format=csv".into(),
        filename: format!("indmon-crm-{}", c.assessment),
        sources: &c.sources,
        method: CRM_METHOD,
        extra: json!({ "trigger": "item" }),
    }
}

/// The name of a supply stage.
fn stage(lang: Lang, s: &str) -> String {
    match s {
        "extraction" => lang.t("dp_extraction").into(),
        "processing" => lang.t("dp_processing").into(),
        other => other.into(),
    }
}

/// The concentration of supply per stage: HHI of global supply and EU sourcing,
/// extraction and processing, for every material the study gives shares of.
fn concentration_figure<'a>(lang: Lang, c: &'a Crm) -> Figure<'a> {
    let ms: Vec<&indmon_report::dependencies::CrmMaterial> = c
        .materials
        .iter()
        .filter(|m| m.hhi_global_extraction.is_some() || m.hhi_global_processing.is_some())
        .collect();
    let names: Vec<&str> = ms.iter().map(|m| m.material.as_str()).collect();
    let col = |f: fn(&indmon_report::dependencies::CrmMaterial) -> Option<f64>| -> Vec<Value> {
        ms.iter()
            .map(|m| f(m).map_or(Value::Null, |v| json!(round(v, 4))))
            .collect()
    };
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 24, "containLabel": true },
        "legend": { "top": 0 },
        "xAxis": { "type": "category", "data": names, "axisLabel": { "interval": 0, "rotate": 60 } },
        "yAxis": { "type": "value", "min": 0, "max": 1 },
        "series": [
            { "name": lang.t("dp_hhi_global_extraction"), "type": "bar", "data": col(|m| m.hhi_global_extraction), "itemStyle": { "color": COLOURS[0] } },
            { "name": lang.t("dp_hhi_global_processing"), "type": "bar", "data": col(|m| m.hhi_global_processing), "itemStyle": { "color": COLOURS[2] } },
        ]
    });
    let o = |x: Option<f64>| num3(lang, x);
    Figure {
        id: "fig-crm-supply",
        title: fill(
            lang.t("dp_fig_crm_supply"),
            &[("year", &c.assessment.to_string())],
        ),
        desc: lang.t("dp_fig_crm_supply_desc").into(),
        option,
        unit: "",
        head: vec![
            lang.t("dp_material").into(),
            lang.t("dp_hhi_global_extraction").into(),
            lang.t("dp_hhi_global_processing").into(),
            lang.t("dp_hhi_eu_extraction").into(),
            lang.t("dp_hhi_eu_processing").into(),
        ],
        rows: ms
            .iter()
            .map(|m| {
                vec![
                    m.material.clone(),
                    o(m.hhi_global_extraction),
                    o(m.hhi_global_processing),
                    o(m.hhi_eu_extraction),
                    o(m.hhi_eu_processing),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: "/api/v1/crm?format=csv".into(),
        filename: format!("indmon-crm-supply-{}", c.assessment),
        sources: &c.sources,
        method: CRM_METHOD,
        extra: json!({}),
    }
}

/// The HS6 codes of the materials with the reporter's import dependency on them.
fn codes_table(lang: Lang, screen: &Screen, codes: &[CrmCode]) -> Markup {
    let cell = |r: &ScreenRow| {
        vec![
            r.tier_label.clone(),
            kusd(lang, r.imports),
            lang.pct(r.outside_share, 1),
            num3(lang, r.outside_hhi),
            num3(lang, r.import_export_ratio),
            format!(
                "{} ({})",
                r.top_origin_iso3,
                lang.pct(r.top_origin_share, 1)
            ),
        ]
    };
    let rows: Vec<Vec<String>> = codes
        .iter()
        .map(|c| {
            let mut row = vec![c.hs6.clone(), c.material.clone(), yes_no(lang, c.critical)];
            match &c.screen {
                Some(r) => row.extend(cell(r)),
                None => {
                    row.push(lang.t("dp_not_imported").into());
                    row.extend(vec![String::new(); 5]);
                }
            }
            row
        })
        .collect();
    let links: Vec<Option<String>> = codes
        .iter()
        .map(|c| c.screen.as_ref().map(|_| product_href(&c.hs6, None, lang)))
        .collect();
    let caption = fill(
        lang.t("dp_crm_codes"),
        &[
            ("geo", &screen.reporter),
            ("year", &screen.year.to_string()),
        ],
    );
    html! {
        section id="crm-codes" aria-labelledby="crm-codes-title" {
            h2 class="nl-heading nl-heading--level-2" id="crm-codes-title" { (caption) }
            p class="nl-paragraph" { (fill(lang.t("dp_crm_codes_desc"), &[("geo", &screen.reporter)])) }
            (table_linked(Some("crm-codes-table"), &caption, &[
                "HS6".into(), lang.t("dp_material").into(), lang.t("dp_critical").into(),
                lang.t("tier").into(), lang.t("dp_imports_kusd").into(), lang.t("outside_share").into(),
                lang.t("outside_hhi").into(), lang.t("ratio").into(), lang.t("top_origin").into(),
            ], &rows, &links))
            p class="nl-paragraph" {
                a class="nl-link" href="/api/v1/dependencies?format=csv" download="indmon-dependencies.csv" { "CSV — " (lang.t("dependencies")) }
            }
            (source_line(lang, &screen.sources, &screen.method))
        }
    }
}

/// `/crm`: the EU critical raw materials of the 2023 assessment, the concentration of
/// their supply, and the HS6 codes with the reporter's import dependency.
pub async fn crm(State(s): State<Arc<AppState>>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let sq = crate::params::ScreenQuery::default();
    let (c, screen) = match tokio::try_join!(data::crm(&s, false), data::dependencies(&s, &sq)) {
        Ok(x) => x,
        Err(e) => return error_page(lang, "/crm", &e),
    };
    let codes = indmon_report::dependencies::crm_codes(&c, &screen);
    let links: Vec<Option<String>> = c
        .materials
        .iter()
        .map(|m| Some(material_href(&m.material, lang)))
        .collect();
    let supply_links: Vec<Option<String>> = c
        .materials
        .iter()
        .filter(|m| m.hhi_global_extraction.is_some() || m.hhi_global_processing.is_some())
        .map(|m| Some(material_href(&m.material, lang)))
        .collect();
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (fill(lang.t("dp_crm_title"), &[("year", &c.assessment.to_string())])) }
        p class="nl-paragraph" { (lang.t("dp_crm_intro")) }
        dl class="key-figures" id="crm-counts" {
            div class="key-figure" { dt { (lang.t("dp_materials_scored")) } dd { (lang.number(c.materials_with_scores as f64, 0)) } }
            div class="key-figure" { dt { (lang.t("dp_crm_critical")) } dd { (lang.number(c.critical as f64, 0)) } }
        }
        (notes_block(lang, false, &c.notes))
        (crm_scatter(lang, &c).render_linked(lang, 2, &links))
        (concentration_figure(lang, &c).render_linked(lang, 2, &supply_links))
        (codes_table(lang, &screen, &codes))
    };
    Html(page(lang, "/crm", lang.t("crm"), main)).into_response()
}

/// The history of a material's scores: SR and EI in every assessment.
fn history_figure<'a>(lang: Lang, m: &'a MaterialDetail) -> Figure<'a> {
    let years: Vec<String> = m.history.iter().map(|h| h.year.to_string()).collect();
    let col = |f: fn(&indmon_report::dependencies::ScoreYear) -> Option<f64>| -> Vec<Value> {
        m.history
            .iter()
            .map(|h| f(h).map_or(Value::Null, |v| json!(v)))
            .collect()
    };
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 40 },
        "legend": { "top": 0 },
        "xAxis": { "type": "category", "data": years },
        "yAxis": { "type": "value", "min": 0 },
        "series": [
            { "name": lang.t("dp_sr"), "type": "line", "data": col(|h| h.sr), "symbol": "circle", "symbolSize": 8, "itemStyle": { "color": COLOURS[5] }, "lineStyle": { "color": COLOURS[5] },
              "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "type": "dashed" }, "data": [ { "yAxis": 1.0 } ] } },
            { "name": lang.t("dp_ei"), "type": "line", "data": col(|h| h.ei), "symbol": "circle", "symbolSize": 8, "itemStyle": { "color": COLOURS[0] }, "lineStyle": { "color": COLOURS[0] },
              "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[0], "type": "dashed" }, "data": [ { "yAxis": 2.8 } ] } },
        ]
    });
    let o = |x: Option<f64>| x.map(|v| lang.number(v, 1)).unwrap_or_default();
    Figure {
        id: "fig-crm-history",
        title: fill(lang.t("dp_fig_crm_history"), &[("material", &m.material)]),
        desc: lang.t("dp_fig_crm_history_desc").into(),
        option,
        unit: "",
        head: vec![
            lang.t("dp_assessment").into(),
            lang.t("dp_sr").into(),
            lang.t("dp_ei").into(),
            lang.t("dp_critical").into(),
        ],
        rows: m
            .history
            .iter()
            .map(|h| {
                vec![
                    h.year.to_string(),
                    o(h.sr),
                    o(h.ei),
                    h.critical.map(|c| yes_no(lang, c)).unwrap_or_default(),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: format!("/api/v1/crm/{}?format=csv", encode(&m.material)),
        filename: format!("indmon-crm-{}", m.material.replace(' ', "-")),
        sources: &m.sources,
        method: CRM_METHOD,
        extra: json!({}),
    }
}

/// `/crm/{material}`: one material's scores since 2011 and its supply by stage.
pub async fn material(
    State(s): State<Arc<AppState>>,
    Path(material): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = q.lang();
    let path = format!("/crm/{}", encode(&material));
    let m = match data::material(&s, &material).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, &path, &e),
    };
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (m.material) " — " (lang.t("crm")) }
        p class="nl-paragraph" { a class="nl-link" href=(href("/crm", lang)) { (lang.t("dp_back_to_crm")) } }
        (notes_block(lang, false, &m.notes))
        @if m.history.is_empty() {
            p class="nl-paragraph" { (lang.t("dp_not_scored")) }
        } @else {
            (history_figure(lang, &m).render(lang))
        }
        section id="supply" aria-labelledby="supply-title" {
            h2 class="nl-heading nl-heading--level-2" id="supply-title" { (lang.t("dp_supply_by_stage")) }
            @if m.supply.is_empty() {
                p class="nl-paragraph" { (lang.t("dp_no_supply")) }
            }
            @for (k, st) in m.supply.iter().enumerate() {
                @let caption = format!("{} — {}, HHI {}", lang.t(if st.scope == "eu" { "dp_eu_sourcing" } else { "dp_global_supply" }), stage(lang, &st.stage), lang.number(st.hhi, 3));
                (table(Some(&format!("supply-{k}")), &caption, &[lang.t("country").into(), lang.t("share").into()],
                    &st.shares.iter().map(|x| vec![x.country.clone(), lang.pct(x.share, 1)]).collect::<Vec<_>>()))
            }
            (source_line(lang, &m.sources, CRM_METHOD))
        }
        @if !m.hs6.is_empty() {
            section id="material-codes" aria-labelledby="material-codes-title" {
                h2 class="nl-heading nl-heading--level-2" id="material-codes-title" { (lang.t("dp_hs6_codes")) }
                ul class="utrecht-unordered-list" {
                    @for c in &m.hs6 {
                        li class="utrecht-unordered-list__item" { a class="nl-link" href=(product_href(c, None, lang)) { "HS " (c) } }
                    }
                }
            }
        }
    };
    Html(page(lang, &path, &m.material, main)).into_response()
}
