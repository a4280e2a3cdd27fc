//! The pages: Overzicht / Overview (`/`), Doel / Target (`/target`) and Data
//! (`/data`), rendered on the server in Dutch (default) or English (`?lang=en`).
//! Charts are drawn in the browser by ECharts from the option each figure carries.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use indmon_report::target::{ChartRow, DecompositionReport, Overview};
use maud::{Markup, html};
use serde_json::{Value, json};

use crate::data;
use crate::error::AppError;
use crate::html::{Figure, anchor, fill, href, page, source_line, table, table_head};
use crate::i18n::Lang;
pub use crate::i18n::PageQuery;
use crate::state::AppState;

/// Colours of the Rijkshuisstijl: lintblauw, hemelblauw, donkergeel, violet, groen,
/// rood, grijs.
pub(crate) const COLOURS: [&str; 7] = [
    "#154273", "#007bc7", "#e17000", "#a90061", "#39870c", "#d52b1e", "#696969",
];

/// An error shown as a page.
pub fn error_page(lang: Lang, path: &str, e: &AppError) -> Response {
    let status = e.status();
    let detail = match e {
        AppError::Internal(d) => {
            eprintln!("indmon serve: internal error: {d}");
            "—".to_string()
        }
        e => e.to_string(),
    };
    let body = html! {
        h1 class="nl-heading nl-heading--level-1" { (lang.t("error")) " " (status.as_u16()) }
        p class="nl-paragraph" { (detail) }
    };
    (status, Html(page(lang, path, lang.t("error"), body))).into_response()
}

/// The page for an unknown path.
pub async fn not_found(Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let body = html! {
        h1 class="nl-heading nl-heading--level-1" { "404" }
        p class="nl-paragraph" { (lang.t("not_found")) }
        p class="nl-paragraph" { a class="nl-link" href=(href("/", lang)) { (lang.t("overview")) } }
    };
    (StatusCode::NOT_FOUND, Html(page(lang, "/404", "404", body))).into_response()
}

pub(crate) fn round(x: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (x * f).round() / f
}

/// Percent for a chart (fraction × 100, 4 decimals), `null` when missing.
pub(crate) fn pc(x: Option<f64>) -> Value {
    x.map_or(Value::Null, |v| json!(round(100.0 * v, 4)))
}

/// The share chart: observed, both paths, the outlook band and the target line.
fn share_figure<'a>(lang: Lang, o: &'a Overview) -> Figure<'a> {
    let first = o.series.first().map_or(o.latest.year, |p| p.year);
    let rows = o.chart_rows(first);
    let years: Vec<String> = rows.iter().map(|r| r.year.to_string()).collect();
    let col =
        |f: fn(&ChartRow) -> Option<f64>| -> Vec<Value> { rows.iter().map(|r| pc(f(r))).collect() };
    let width = |f: fn(&ChartRow) -> Option<(f64, f64)>| -> Vec<Value> {
        rows.iter()
            .map(|r| pc(f(r).map(|(lo, hi)| hi - lo)))
            .collect()
    };
    let target_pct = 100.0 * o.target.share;
    let target_label = format!("{} {}", lang.t("target_line"), lang.pct(o.target.share, 0));
    let band = |name: &str, stack: &str, data: Vec<Value>, colour: &str, visible: bool| {
        json!({
            "name": name, "type": "line", "stack": stack, "data": data, "symbol": "none",
            "lineStyle": { "opacity": 0 }, "silent": true,
            "areaStyle": if visible { json!({ "color": colour }) } else { json!({ "opacity": 0 }) },
            "tooltip": { "show": false }
        })
    };
    let option = json!({
        "color": COLOURS,
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 40 },
        "legend": { "top": 0, "type": "scroll", "data": [lang.t("observed"), lang.t("linear"), lang.t("constant"), lang.t("median"), lang.t("band80"), lang.t("band95")] },
        "xAxis": { "type": "category", "data": years, "boundaryGap": false },
        "yAxis": { "type": "value", "scale": true, "name": "%" },
        "series": [
            band("lo95", "b95", col(|r| r.band95.map(|b| b.0)), "#ffffff", false),
            band(lang.t("band95"), "b95", width(|r| r.band95), "rgba(0,123,199,0.12)", true),
            band("lo80", "b80", col(|r| r.band80.map(|b| b.0)), "#ffffff", false),
            band(lang.t("band80"), "b80", width(|r| r.band80), "rgba(0,123,199,0.22)", true),
            { "name": lang.t("observed"), "type": "line", "data": col(|r| r.observed), "symbol": "circle", "symbolSize": 5,
              "lineStyle": { "width": 3, "color": COLOURS[0] }, "itemStyle": { "color": COLOURS[0] },
              "markLine": { "symbol": "none", "silent": true,
                            "lineStyle": { "color": COLOURS[5], "type": "solid", "width": 2 },
                            "label": { "formatter": target_label, "position": "insideStartTop" },
                            "data": [ { "yAxis": round(target_pct, 4), "name": target_label } ] } },
            { "name": lang.t("linear"), "type": "line", "data": col(|r| r.linear), "symbol": "none", "lineStyle": { "type": "dashed", "color": COLOURS[2] }, "itemStyle": { "color": COLOURS[2] } },
            { "name": lang.t("constant"), "type": "line", "data": col(|r| r.constant_growth), "symbol": "none", "lineStyle": { "type": "dotted", "width": 2, "color": COLOURS[3] }, "itemStyle": { "color": COLOURS[3] } },
            { "name": lang.t("median"), "type": "line", "data": col(|r| r.median), "symbol": "none", "lineStyle": { "type": "dashed", "color": COLOURS[1] }, "itemStyle": { "color": COLOURS[1] } },
        ]
    });
    let head: Vec<String> = vec![
        lang.t("year").into(),
        lang.t("observed").into(),
        lang.t("linear").into(),
        lang.t("constant").into(),
        lang.t("median").into(),
        format!("{} ↓", lang.t("band80")),
        format!("{} ↑", lang.t("band80")),
        format!("{} ↓", lang.t("band95")),
        format!("{} ↑", lang.t("band95")),
    ];
    let cell = |x: Option<f64>| x.map(|v| lang.pct(v, 2)).unwrap_or_default();
    let table_rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.year.to_string(),
                cell(r.observed),
                cell(r.linear),
                cell(r.constant_growth),
                cell(r.median),
                cell(r.band80.map(|b| b.0)),
                cell(r.band80.map(|b| b.1)),
                cell(r.band95.map(|b| b.0)),
                cell(r.band95.map(|b| b.1)),
            ]
        })
        .collect();
    Figure {
        id: "fig-share",
        title: format!(
            "{} — {}, {first}–{}",
            lang.t("fig_share"),
            o.geo,
            o.target.year
        ),
        desc: lang.t("fig_share_desc").into(),
        option,
        unit: "%",
        head,
        rows: table_rows,
        tooltip_rows: true,
        csv: format!("/api/v1/target?geo={}&format=csv", o.geo),
        filename: format!("indmon-share-{}", o.geo),
        sources: &o.sources,
        method: &o.method,
        extra: json!({ "target": { "share_pct": target_pct, "year": o.target.year } }),
    }
}

/// The peers chart: a bar per country, the focus highlighted.
fn peers_figure<'a>(lang: Lang, o: &'a Overview) -> Figure<'a> {
    let mut rows = o.peers.clone();
    rows.sort_by_key(|r| r.rank);
    let names: Vec<&str> = rows.iter().map(|r| r.geo.as_str()).collect();
    let data: Vec<Value> = rows
        .iter()
        .map(|r| {
            let colour = if r.geo == o.geo {
                COLOURS[0]
            } else {
                COLOURS[1]
            };
            json!({ "value": round(100.0 * r.share, 4), "itemStyle": { "color": colour } })
        })
        .collect();
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 24, "bottom": 40 },
        "xAxis": { "type": "category", "data": names },
        "yAxis": { "type": "value", "name": "%" },
        "series": [ { "name": lang.t("share"), "type": "bar", "data": data,
            "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "width": 2 },
                          "label": { "formatter": format!("{} {}", lang.t("target_line"), lang.pct(o.target.share, 0)), "position": "insideEndTop" },
                          "data": [ { "yAxis": round(100.0 * o.target.share, 4) } ] } } ]
    });
    let year = o.latest.year.to_string();
    let pp = |x: Option<f64>| x.map(|v| lang.pp(v, 2)).unwrap_or_default();
    Figure {
        id: "fig-peers",
        title: fill(lang.t("fig_peers"), &[("year", &year)]),
        desc: lang.t("fig_peers_desc").into(),
        option,
        unit: "%",
        head: vec![
            lang.t("country").into(),
            lang.t("share").into(),
            lang.t("rank").into(),
            fill(lang.t("gap_focus"), &[("geo", &o.geo)]),
            fill(lang.t("gap_eu"), &[("eu", "EU27")]),
            lang.t("quartile").into(),
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.geo.clone(),
                    lang.pct(r.share, 2),
                    r.rank.to_string(),
                    pp(r.gap_to_focus_pp),
                    pp(r.gap_to_eu_pp),
                    r.eu_quartile.map(|q| q.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
        tooltip_rows: true,
        csv: format!("/api/v1/target/peers?year={year}&format=csv"),
        filename: format!("indmon-peers-{year}"),
        sources: &o.sources,
        method: &o.method,
        extra: json!({}),
    }
}

/// The key figures of the overview.
fn key_figures(lang: Lang, o: &Overview) -> Markup {
    let year = o.latest.year.to_string();
    let target_year = o.target.year.to_string();
    let release = o
        .latest
        .release
        .clone()
        .unwrap_or_else(|| lang.t("not_published").into());
    let item = |dt: &str, dd: Markup, id: &str| {
        html! { div class="key-figure" id=(id) { dt { (dt) } dd { (dd) } } }
    };
    html! {
        p class="headline nl-paragraph nl-paragraph--lead" id="headline" {
            (fill(lang.t("headline"), &[("geo", &o.geo), ("year", &year)])) ": "
            data id="headline-share" value=(o.latest.share) { (lang.pct(o.latest.share, 1)) }
        }
        dl class="key-figures" {
            (item(
                lang.t("target"),
                html! { (fill(lang.t("goal"), &[("share", &lang.pct(o.target.share, 0)), ("year", &target_year)])) },
                "kf-target",
            ))
            (item(lang.t("gap"), html! { (lang.pp(o.path.gap_pp, 2)) }, "kf-gap"))
            (item(
                lang.t("required"),
                html! {
                    (fill(
                        lang.t("required_text"),
                        &[
                            ("g", &lang.pct(o.path.relative_growth, 2)),
                            ("from", &year),
                            ("to", &target_year),
                        ],
                    ))
                },
                "kf-required",
            ))
            (item(
                lang.t("release"),
                html! {
                    (release) " "
                    a class="nl-link" href={ (href("/data", lang)) "#" (anchor(&o.latest.dataset, &o.latest.vintage)) } { (o.latest.dataset) }
                },
                "kf-release",
            ))
        }
    }
}

/// The outlook in one sentence.
fn outlook_line(lang: Lang, o: &Overview) -> Markup {
    let target_year = o.target.year.to_string();
    let text = match &o.outlook {
        indmon_report::target::OutlookResult::Ok(ol) => {
            match (ol.probability, &ol.no_probability_because) {
                (Some(p), _) => fill(
                    lang.t("outlook_prob"),
                    &[
                        ("share", &lang.pct(o.target.share, 0)),
                        ("year", &target_year),
                        ("p", &lang.pct(p, 0)),
                    ],
                ),
                (None, Some(why)) => fill(lang.t("outlook_none"), &[("why", why)]),
                (None, None) => String::new(),
            }
        }
        indmon_report::target::OutlookResult::Unavailable { error } => {
            fill(lang.t("outlook_none"), &[("why", error)])
        }
    };
    html! { p class="nl-paragraph" id="outlook-line" { (text) } }
}

/// `/`: the overview.
pub async fn overview(State(s): State<Arc<AppState>>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let o = match data::overview(&s, None).await {
        Ok(o) => o,
        Err(e) => return error_page(lang, "/", &e),
    };
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (lang.t("headline_title")) }
        (key_figures(lang, &o))
        (outlook_line(lang, &o))
        (share_figure(lang, &o).render(lang))
        h2 class="nl-heading nl-heading--level-2" { (lang.t("peer_panel")) }
        (peers_figure(lang, &o).render_at(lang, 3))
    };
    Html(page(lang, "/", lang.t("overview"), main)).into_response()
}

/// `/target`: decomposition, outlook fan, required growth, revisions.
pub async fn target(State(s): State<Arc<AppState>>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let (o, d, r) = match tokio::try_join!(
        data::overview(&s, None),
        data::decomposition(&s, None, None, None),
        async {
            // the revisions of the year the overview shows
            let o = data::overview(&s, None).await?;
            data::revisions(&s, None, Some(o.latest.year)).await
        }
    ) {
        Ok(x) => x,
        Err(e) => return error_page(lang, "/target", &e),
    };
    let year = o.latest.year.to_string();
    let target_year = o.target.year.to_string();
    let ry = r.year.map(|y| y.to_string()).unwrap_or_default();
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .map(|v| {
            vec![
                v.release
                    .clone()
                    .unwrap_or_else(|| lang.t("not_published").into()),
                v.dataset.clone(),
                v.vintage.clone(),
                v.series.clone().unwrap_or_default(),
                lang.pct(v.share, 2),
                v.how.clone(),
            ]
        })
        .collect();
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (lang.t("target")) " — " (o.geo) }
        section id="required-growth" aria-labelledby="required-title" {
            h2 class="nl-heading nl-heading--level-2" id="required-title" { (lang.t("required")) }
            p class="nl-paragraph" {
                (fill(
                    lang.t("required_text"),
                    &[
                        ("g", &lang.pct(o.path.relative_growth, 2)),
                        ("from", &year),
                        ("to", &target_year)
                    ]
                ))
            }
            @if let (Some(rest), Some(need)) = (o.rest_growth_assumption.used, o.required_industry_growth) {
                p class="nl-paragraph" {
                    (fill(
                        lang.t("required_rest"),
                        &[
                            ("n", &o.rest_growth_assumption.average_years.to_string()),
                            ("r", &lang.pct(rest, 2)),
                            ("i", &lang.pct(need, 2)),
                        ]
                    ))
                }
            }
        }
        (decomposition_figure(lang, &d).render(lang))
        (outlook_figure(lang, &o).render(lang))
        section id="revisions" aria-labelledby="revisions-title" {
            h2 class="nl-heading nl-heading--level-2" id="revisions-title" { (fill(lang.t("revisions"), &[("year", &ry)])) }
            p class="nl-paragraph" { (lang.t("revisions_desc")) }
            (table(
                Some("table-revisions"),
                &fill(lang.t("revisions"), &[("year", &ry)]),
                &[
                    lang.t("release_col").into(),
                    lang.t("dataset").into(),
                    lang.t("vintage").into(),
                    lang.t("series").into(),
                    lang.t("share").into(),
                    lang.t("how").into(),
                ],
                &rows,
            ))
            p class="nl-paragraph" {
                a class="nl-link" href={ "/api/v1/target/revisions?geo=" (r.geo) "&format=csv" } download { "CSV" }
            }
            (source_line(lang, &r.sources, indmon_analytics::METHOD_VERSION))
        }
    };
    Html(page(lang, "/target", lang.t("target"), main)).into_response()
}

/// The waterfall of the whole span: start share, industry's contribution, the rest's,
/// end share.
fn decomposition_figure<'a>(lang: Lang, d: &'a DecompositionReport) -> Figure<'a> {
    let total = &d
        .rows
        .last()
        .expect("a decomposition has the whole span")
        .split;
    let s0 = 100.0 * total.share_from;
    let s1 = s0 + total.industry_pp;
    let s2 = s1 + total.rest_pp;
    let step = |from: f64, delta: f64| (from.min(from + delta), delta.abs());
    let (b1, h1) = step(s0, total.industry_pp);
    let (b2, h2) = step(s1, total.rest_pp);
    let categories = vec![
        d.from.to_string(),
        lang.t("industry_contrib").to_string(),
        lang.t("rest_contrib").to_string(),
        d.to.to_string(),
    ];
    let colour = |x: f64| if x >= 0.0 { COLOURS[4] } else { COLOURS[5] };
    let low = (s0.min(s2).min(b1).min(b2) - 1.0).floor().max(0.0);
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 24, "bottom": 40 },
        "xAxis": { "type": "category", "data": categories },
        "yAxis": { "type": "value", "name": "%", "min": low },
        "series": [
            { "name": "base", "type": "bar", "stack": "w", "silent": true, "itemStyle": { "color": "transparent" },
              "data": [0.0, round(b1, 4), round(b2, 4), 0.0], "tooltip": { "show": false } },
            { "name": lang.t("share"), "type": "bar", "stack": "w",
              "data": [
                { "value": round(s0, 4), "itemStyle": { "color": COLOURS[0] } },
                { "value": round(h1, 4), "itemStyle": { "color": colour(total.industry_pp) } },
                { "value": round(h2, 4), "itemStyle": { "color": colour(total.rest_pp) } },
                { "value": round(s2, 4), "itemStyle": { "color": COLOURS[0] } }
              ] }
        ]
    });
    let rows: Vec<Vec<String>> = d
        .rows
        .iter()
        .map(|x| {
            let x = &x.split;
            let span = if x.from == d.from && x.to == d.to && d.to - d.from > 1 {
                format!("{}–{} ({})", x.from, x.to, lang.t("whole_span"))
            } else {
                format!("{}–{}", x.from, x.to)
            };
            vec![
                span,
                lang.pct(x.share_from, 2),
                lang.pct(x.share_to, 2),
                lang.pp(x.delta_pp, 2),
                lang.pp(x.industry_pp, 2),
                lang.pp(x.rest_pp, 2),
                lang.pct(x.industry_growth, 1),
                lang.pct(x.rest_growth, 1),
            ]
        })
        .collect();
    Figure {
        id: "fig-decomposition",
        title: format!("{} — {}, {}–{}", lang.t("fig_decomp"), d.geo, d.from, d.to),
        desc: lang.t("fig_decomp_desc").into(),
        option,
        unit: "%",
        head: vec![
            lang.t("years").into(),
            format!("{} {}", lang.t("share"), d.from),
            format!("{} {}", lang.t("share"), d.to),
            lang.t("change").into(),
            lang.t("industry_contrib").into(),
            lang.t("rest_contrib").into(),
            lang.t("industry_growth").into(),
            lang.t("rest_growth").into(),
        ],
        rows,
        tooltip_rows: false,
        csv: format!(
            "/api/v1/target/decomposition?geo={}&from={}&to={}&format=csv",
            d.geo, d.from, d.to
        ),
        filename: format!("indmon-decomposition-{}-{}-{}", d.geo, d.from, d.to),
        sources: &d.sources,
        method: &d.method,
        extra: json!({}),
    }
}

/// The outlook fan: the last ten observed years, then the median and the bands.
fn outlook_figure<'a>(lang: Lang, o: &'a Overview) -> Figure<'a> {
    let Some(ol) = o.outlook.ok() else {
        let mut f = share_figure(lang, o);
        f.id = "fig-outlook";
        f.title = fill(
            lang.t("fig_outlook"),
            &[("year", &o.target.year.to_string())],
        );
        return f;
    };
    let start = (o.latest.year - 10).max(o.series.first().map_or(o.latest.year, |p| p.year));
    let years: Vec<i32> = (start..=o.target.year).collect();
    let obs = |y: i32| o.series.iter().find(|p| p.year == y).map(|p| p.share);
    let band = |y: i32| ol.bands.iter().find(|b| b.year == y);
    let series_of = |f: &dyn Fn(i32) -> Option<f64>| -> Vec<Value> {
        years.iter().map(|&y| pc(f(y))).collect()
    };
    let lo95 = series_of(&|y| band(y).map(|b| b.lo95));
    let lo80 = series_of(&|y| band(y).map(|b| b.lo80));
    let w95 = series_of(&|y| band(y).map(|b| b.hi95 - b.lo95));
    let w80 = series_of(&|y| band(y).map(|b| b.hi80 - b.lo80));
    let area = |name: &str, stack: &str, data: Vec<Value>, fill_colour: Option<&str>| {
        json!({ "name": name, "type": "line", "stack": stack, "data": data, "symbol": "none", "silent": true,
                "lineStyle": { "opacity": 0 }, "tooltip": { "show": false },
                "areaStyle": match fill_colour { Some(c) => json!({ "color": c }), None => json!({ "opacity": 0 }) } })
    };
    let target_label = format!("{} {}", lang.t("target_line"), lang.pct(o.target.share, 0));
    let option = json!({
        "color": COLOURS,
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 40 },
        "legend": { "top": 0, "data": [lang.t("observed"), lang.t("median"), lang.t("band80"), lang.t("band95")] },
        "xAxis": { "type": "category", "boundaryGap": false, "data": years.iter().map(|y| y.to_string()).collect::<Vec<_>>() },
        "yAxis": { "type": "value", "scale": true, "name": "%" },
        "series": [
            area("lo95", "b95", lo95, None),
            area(lang.t("band95"), "b95", w95, Some("rgba(0,123,199,0.12)")),
            area("lo80", "b80", lo80, None),
            area(lang.t("band80"), "b80", w80, Some("rgba(0,123,199,0.22)")),
            { "name": lang.t("observed"), "type": "line", "data": series_of(&obs), "symbolSize": 5,
              "lineStyle": { "width": 3, "color": COLOURS[0] }, "itemStyle": { "color": COLOURS[0] },
              "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "type": "solid", "width": 2 },
                            "label": { "formatter": target_label, "position": "insideStartTop" },
                            "data": [ { "yAxis": round(100.0 * o.target.share, 4) } ] } },
            { "name": lang.t("median"), "type": "line", "data": series_of(&|y| band(y).map(|b| b.median)), "symbol": "none",
              "lineStyle": { "type": "dashed", "color": COLOURS[1] }, "itemStyle": { "color": COLOURS[1] } }
        ]
    });
    let p = |x: Option<f64>| x.map(|v| lang.pct(v, 2)).unwrap_or_default();
    let rows: Vec<Vec<String>> = years
        .iter()
        .map(|&y| {
            let b = band(y);
            vec![
                y.to_string(),
                p(obs(y)),
                p(b.map(|b| b.median)),
                p(b.map(|b| b.lo80)),
                p(b.map(|b| b.hi80)),
                p(b.map(|b| b.lo95)),
                p(b.map(|b| b.hi95)),
            ]
        })
        .collect();
    let bt = &ol.backtest;
    let desc = format!(
        "{} {}: {}. {}",
        lang.t("fig_outlook_desc"),
        lang.t("model"),
        ol.model,
        fill(
            lang.t("backtest"),
            &[
                ("n", &bt.forecasts.to_string()),
                ("c80", &lang.pct(bt.coverage80, 0)),
                ("c95", &lang.pct(bt.coverage95, 0)),
                ("err", &lang.pp(bt.mean_abs_error_pp, 2)),
            ]
        )
    );
    Figure {
        id: "fig-outlook",
        title: fill(
            lang.t("fig_outlook"),
            &[("year", &o.target.year.to_string())],
        ),
        desc,
        option,
        unit: "%",
        head: vec![
            lang.t("year").into(),
            lang.t("observed").into(),
            lang.t("median").into(),
            format!("{} ↓", lang.t("band80")),
            format!("{} ↑", lang.t("band80")),
            format!("{} ↓", lang.t("band95")),
            format!("{} ↑", lang.t("band95")),
        ],
        rows,
        tooltip_rows: true,
        csv: format!("/api/v1/target?geo={}&format=csv", o.geo),
        filename: format!("indmon-outlook-{}", o.geo),
        sources: &o.sources,
        method: &o.method,
        extra: json!({ "target": { "share_pct": 100.0 * o.target.share, "year": o.target.year } }),
    }
}

/// `/data`: every dataset and vintage, with provenance, licences and downloads.
pub async fn data_page(State(s): State<Arc<AppState>>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let report = data::sources(&s);
    let sets = report.datasets;
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (lang.t("data_title")) }
        p class="nl-paragraph" { (lang.t("data_intro")) }
        @if !report.unavailable.is_empty() {
            h2 class="nl-heading nl-heading--level-2" id="unavailable" { (lang.t("unavailable_title")) }
            p class="nl-paragraph" { (lang.t("unavailable_intro")) }
            ul class="utrecht-unordered-list" {
                @for u in &report.unavailable {
                    li class="utrecht-unordered-list__item" {
                        strong { (u.dataset) } ": " code { (u.file) } " — " (u.reason)
                    }
                }
            }
        }
        table class="utrecht-table utrecht-table--html-table" id="table-sources" {
            (table_head(
                lang.t("data_title"),
                &["dataset", "vintage", "publisher", "title", "release", "licence", "rows", "input"].map(|h| lang.t(h)),
            ))
            tbody class="utrecht-table__body" {
                @for ds in &sets {
                    @for v in &ds.vintages {
                        @let src = &v.source;
                        tr class="utrecht-table__row" id=(anchor(&ds.dataset, &src.vintage)) {
                            th scope="row" class="utrecht-table__header-cell" { (ds.dataset) }
                            td class="utrecht-table__cell" { (src.vintage) }
                            td class="utrecht-table__cell" { (src.publisher) }
                            td class="utrecht-table__cell" {
                                (src.title)
                                @if src.synthetic { " " strong { "[" (lang.t("synthetic")) "]" } }
                                @if let Some(scope) = &src.scope { br; small { (scope) } }
                            }
                            td class="utrecht-table__cell" { (src.release.as_deref().unwrap_or(lang.t("not_published"))) }
                            td class="utrecht-table__cell" { (src.licence) }
                            td class="utrecht-table__cell utrecht-table__cell--numeric-column" { (lang.number(v.rows as f64, 0)) }
                            td class="utrecht-table__cell" {
                                code { (v.input) }
                                @if let Some(f) = bundled_folder(&v.input).filter(|f| provenance_text(f).is_some()) {
                                    br;
                                    a class="nl-link" href=(href(&format!("/data/provenance/{f}"), lang)) { (lang.t("provenance")) }
                                }
                                br;
                                small { "SHA-256 " (v.sha256) }
                            }
                        }
                    }
                }
            }
        }
        h2 class="nl-heading nl-heading--level-2" { (lang.t("downloads")) }
        ul class="utrecht-unordered-list downloads" {
            @for (label, url) in [
                ("CSV — sources", "/api/v1/sources?format=csv"),
                ("CSV — target", "/api/v1/target?format=csv"),
                ("CSV — share", "/api/v1/target/share?format=csv"),
                ("CSV — decomposition", "/api/v1/target/decomposition?format=csv"),
                ("CSV — peers", "/api/v1/target/peers?format=csv"),
                ("CSV — revisions", "/api/v1/target/revisions?format=csv"),
            ] {
                li class="utrecht-unordered-list__item" { a class="nl-link" href=(url) download { (label) } }
            }
            li class="utrecht-unordered-list__item" { a class="nl-link" href="/api/v1/openapi.json" { (lang.t("api")) } }
        }
    };
    Html(page(lang, "/data", lang.t("data"), main)).into_response()
}

/// The folder under `data/` of a bundled input (`bundled:data/FOLDER/FILE`).
fn bundled_folder(input: &str) -> Option<&str> {
    input
        .strip_prefix("bundled:data/")
        .and_then(|p| p.split_once('/'))
        .map(|(folder, _)| folder)
}

/// The PROVENANCE.md of a bundled folder, when the binary embeds it.
fn provenance_text(folder: &str) -> Option<String> {
    let ok = !folder.is_empty()
        && folder
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !ok {
        return None;
    }
    let bytes = indmon_reference::bundle::file(&format!("{folder}/PROVENANCE.md"))?;
    Some(String::from_utf8_lossy(bytes).into_owned())
}

/// `/data/provenance/{folder}`: where a bundled dataset comes from, as its
/// PROVENANCE.md says (shown as written).
pub async fn provenance(
    State(_): State<Arc<AppState>>,
    axum::extract::Path(folder): axum::extract::Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = q.lang();
    let path = format!("/data/provenance/{folder}");
    let Some(text) = provenance_text(&folder) else {
        return error_page(
            lang,
            &path,
            &AppError::NotFound(format!("no provenance note for {folder:?}")),
        );
    };
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" { (lang.t("provenance")) " — data/" (folder) }
        p class="nl-paragraph" { a class="nl-link" href=(href("/data", lang)) { (lang.t("data_title")) } }
        pre class="provenance" { (text) }
    };
    Html(page(lang, &path, lang.t("provenance"), main)).into_response()
}

/// The caveat of every source that is an extract of large flows only (the filter is a
/// property of the data: said wherever its figures are shown).
pub(crate) fn filter_caveats(lang: Lang, sources: &[indmon_report::Source]) -> Markup {
    html! {
        @for src in sources {
            @if let Some(min) = src.min_flow_usd {
                p class="filter-caveat nl-paragraph" role="note" {
                    strong {
                        (fill(
                            lang.t("filter_caveat"),
                            &[("m", &lang.number(min / 1e6, 0)), ("dataset", &src.dataset)]
                        ))
                    }
                }
            }
        }
    }
}

/// A banner for synthetic data and a list of the result's notes.
pub(crate) fn notes_block(lang: Lang, synthetic: bool, notes: &[String]) -> Markup {
    html! {
        @if synthetic {
            p class="synthetic-banner nl-paragraph" role="note" { strong { (lang.t("synthetic_banner")) } }
        }
        @if !notes.is_empty() {
            details class="notes" open {
                summary { (lang.t("notes")) }
                ul class="utrecht-unordered-list" {
                    @for n in notes { li class="utrecht-unordered-list__item" { (n) } }
                }
            }
        }
    }
}

/// `/markets`: the six priority markets of the target country.
pub async fn markets(State(s): State<Arc<AppState>>, Query(q): Query<PageQuery>) -> Response {
    let lang = q.lang();
    let b = match data::markets(&s, None, None).await {
        Ok(b) => b,
        Err(e) => return error_page(lang, "/markets", &e),
    };
    let year = b.year.to_string();
    let name = |m: &indmon_report::markets::MarketStatus| match lang {
        Lang::Nl => m.name_nl.clone(),
        Lang::En => m.name_en.clone(),
    };
    let names: Vec<String> = b.markets.iter().map(name).collect();
    let shares: Vec<Value> = b.markets.iter().map(|m| pc(m.world_share)).collect();
    let option = json!({
        "color": COLOURS,
        "grid": { "left": 24, "right": 32, "top": 16, "bottom": 32, "containLabel": true },
        "yAxis": { "type": "category", "data": names, "inverse": true,
                   "axisLabel": { "interval": 0, "width": 260, "overflow": "break" } },
        "xAxis": { "type": "value", "name": "%" },
        "series": [ { "name": lang.t("world_share"), "type": "bar", "data": shares, "itemStyle": { "color": COLOURS[0] } } ]
    });
    let opt = |x: Option<f64>, d: usize| x.map(|v| lang.number(v, d)).unwrap_or_default();
    let rows: Vec<Vec<String>> = b
        .markets
        .iter()
        .map(|m| {
            vec![
                name(m),
                format!("{} / {}", m.hs6_in_data, m.hs6),
                opt(m.exports_musd, 1),
                m.world_share.map(|w| lang.pct(w, 2)).unwrap_or_default(),
                opt(m.rca, 2),
                match (m.rank, m.ranked) {
                    (Some(r), Some(n)) => format!("{r} / {n}"),
                    _ => String::new(),
                },
                m.trend_text.clone(),
                m.status.clone(),
                m.risky_strategic_dependencies
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let fig = Figure {
        id: "fig-markets",
        title: fill(lang.t("fig_markets"), &[("geo", &b.geo), ("year", &year)]),
        desc: fill(lang.t("fig_markets_desc"), &[("geo", &b.geo)]),
        option,
        unit: "%",
        head: vec![
            lang.t("market").into(),
            lang.t("codes_in_data").into(),
            lang.t("exports_musd").into(),
            lang.t("world_share").into(),
            "RCA".into(),
            lang.t("rank").into(),
            lang.t("trend").into(),
            lang.t("status").into(),
            lang.t("risky_deps").into(),
        ],
        rows,
        tooltip_rows: true,
        csv: "/api/v1/markets?format=csv".into(),
        filename: format!("indmon-markets-{}-{year}", b.geo),
        sources: &b.sources,
        method: &b.method,
        extra: json!({}),
    };
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" {
            (fill(lang.t("markets_title"), &[("geo", &b.geo), ("year", &year)]))
        }
        p class="nl-paragraph" {
            (fill(
                lang.t("markets_intro"),
                &[
                    ("tax", "taxonomy/priority-markets.toml"),
                    ("version", &b.taxonomy_version)
                ]
            ))
        }
        (filter_caveats(lang, &b.sources))
        (notes_block(lang, b.synthetic, &b.notes))
        (fig.render(lang))
    };
    Html(page(lang, "/markets", lang.t("markets"), main)).into_response()
}

/// The query of the dependency page: the language and the trade dataset.
#[derive(Debug, Default, serde::Deserialize)]
pub struct DependenciesPageQuery {
    /// `nl` (default) or `en`.
    pub lang: Option<String>,
    /// The trade dataset [default: the screen's default, by its stated rule].
    pub dataset: Option<String>,
}

/// The dependency page on another trade dataset, in the same language.
fn dataset_href(dataset: &str, lang: Lang) -> String {
    match lang {
        Lang::Nl => format!("/dependencies?dataset={dataset}"),
        Lang::En => format!("/dependencies?dataset={dataset}&lang=en"),
    }
}

/// `/dependencies`: the strategic-dependency screen of the target country (`?dataset=`
/// another trade dataset of the store).
pub async fn dependencies(
    State(s): State<Arc<AppState>>,
    Query(q): Query<DependenciesPageQuery>,
) -> Response {
    use indmon_report::dependencies::Tier;
    let lang = PageQuery {
        lang: q.lang.clone(),
    }
    .lang();
    let sq = crate::params::ScreenQuery {
        dataset: q.dataset.clone(),
        ..Default::default()
    };
    let sc = match data::dependencies(&s, &sq).await {
        Ok(x) => x,
        Err(e) => return error_page(lang, "/dependencies", &e),
    };
    let trade = data::trade_datasets(&s);
    let shown_ds = sc.dataset.clone().unwrap_or_default();
    let year = sc.year.to_string();
    // the scatter: one series per tier
    let th = &s.settings.dependencies;
    let tiers = [
        (Tier::None, "tier_none", COLOURS[6]),
        (Tier::Dependency, "tier_dependency", COLOURS[1]),
        (Tier::Strategic, "tier_strategic", COLOURS[2]),
        (Tier::Risky, "tier_risky", COLOURS[5]),
    ];
    let label = |r: &indmon_report::dependencies::ScreenRow| match &r.name {
        Some(n) => format!("{} — {n}", r.hs6),
        None => r.hs6.clone(),
    };
    let mut series = Vec::new();
    for (k, (tier, key, colour)) in tiers.iter().enumerate() {
        let points: Vec<Value> = sc
            .rows
            .iter()
            .filter(|r| r.tier == *tier)
            .filter_map(|r| {
                r.outside_hhi.map(|h| {
                    json!({ "value": [round(h, 4), round(100.0 * r.outside_share, 2)], "name": label(r),
                            "url": crate::html::product_href(&r.hs6, q.dataset.as_deref(), lang) })
                })
            })
            .collect();
        let mut sr = json!({ "name": lang.t(key), "type": "scatter", "data": points, "symbolSize": if *tier == Tier::None { 6 } else { 10 },
                             "itemStyle": { "color": colour } });
        if k == 0 {
            sr["markLine"] = json!({ "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[5], "type": "dashed" },
                "data": [ { "xAxis": th.outside_hhi }, { "yAxis": 100.0 * th.outside_share } ] });
        }
        series.push(sr);
    }
    let option = json!({
        "grid": { "left": 56, "right": 24, "top": 48, "bottom": 48 },
        "legend": { "top": 0 },
        "xAxis": { "type": "value", "min": 0, "max": 1, "name": lang.t("outside_hhi"), "nameLocation": "middle", "nameGap": 28 },
        "yAxis": { "type": "value", "min": 0, "max": 100, "name": "%" },
        "series": series
    });
    let mut shown: Vec<&indmon_report::dependencies::ScreenRow> =
        sc.rows.iter().filter(|r| r.tier != Tier::None).collect();
    shown.sort_by(|a, b| b.tier.cmp(&a.tier).then(b.imports.total_cmp(&a.imports)));
    let opt = |x: Option<f64>, d: usize| x.map(|v| lang.number(v, d)).unwrap_or_default();
    let rows: Vec<Vec<String>> = shown
        .iter()
        .map(|r| {
            vec![
                label(r),
                r.tier_label.clone(),
                lang.number(r.imports / 1000.0, 1),
                lang.pct(r.outside_share, 1),
                opt(r.outside_hhi, 2),
                opt(r.import_export_ratio, 2),
                format!(
                    "{} ({})",
                    r.top_origin_iso3,
                    lang.pct(r.top_origin_share, 0)
                ),
                r.areas.join(", "),
                r.risk.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let links: Vec<Option<String>> = shown
        .iter()
        .map(|r| {
            Some(crate::html::product_href(
                &r.hs6,
                q.dataset.as_deref(),
                lang,
            ))
        })
        .collect();
    let fig = Figure {
        id: "fig-dependencies",
        title: fill(
            lang.t("fig_deps"),
            &[("geo", &sc.reporter), ("year", &year)],
        ),
        desc: lang.t("fig_deps_desc").into(),
        option,
        unit: "%",
        head: vec![
            lang.t("product").into(),
            lang.t("tier").into(),
            lang.t("imports_musd").into(),
            lang.t("outside_share").into(),
            lang.t("outside_hhi").into(),
            lang.t("ratio").into(),
            lang.t("top_origin").into(),
            lang.t("areas").into(),
            lang.t("risk").into(),
        ],
        rows,
        tooltip_rows: false,
        csv: match &q.dataset {
            Some(d) => format!("/api/v1/dependencies?dataset={d}&format=csv"),
            None => "/api/v1/dependencies?format=csv".into(),
        },
        filename: format!("indmon-dependencies-{}-{year}", sc.reporter),
        sources: &sc.sources,
        method: &sc.method,
        extra: json!({ "trigger": "item" }),
    };
    let c = &sc.counts;
    let main = html! {
        h1 class="nl-heading nl-heading--level-1" {
            (fill(lang.t("deps_title"), &[("geo", &sc.reporter), ("year", &year)]))
        }
        p class="nl-paragraph" { (lang.t("deps_intro")) }
        @if trade.len() > 1 {
            nav class="trade-datasets" aria-label=(lang.t("trade_data")) {
                p class="nl-paragraph" {
                    (lang.t("trade_data")) ": "
                    @for (k, d) in trade.iter().enumerate() {
                        @if k > 0 { " · " }
                        @if d.dataset == shown_ds {
                            strong aria-current="page" { (d.dataset) }
                        } @else {
                            a class="nl-link" href=(dataset_href(&d.dataset, lang)) { (d.dataset) }
                        }
                        @if let Some(scope) = &d.scope { " (" (scope) ")" }
                    }
                }
            }
        }
        (filter_caveats(lang, &sc.sources))
        (notes_block(lang, sc.synthetic, &sc.notes))
        dl class="key-figures" id="tier-counts" {
            @for (key, n) in [
                ("imported", c.imported),
                ("tier_dependency", c.dependency),
                ("tier_strategic", c.strategic),
                ("tier_risky", c.risky),
            ] {
                div class="key-figure" { dt { (lang.t(key)) } dd { (lang.number(n as f64, 0)) } }
            }
        }
        (fig.render_linked(lang, 2, &links))
        @if shown.is_empty() {
            p class="nl-paragraph" { (lang.t("no_dependencies")) }
        }
    };
    Html(page(lang, "/dependencies", lang.t("dependencies"), main)).into_response()
}
