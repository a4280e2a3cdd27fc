//! `/evaluation`: a synthetic control of the industry share — did the treated country's
//! share diverge from a synthetic one built from the other EU members after a policy
//! year? The treated and synthetic paths, the gaps with the placebo gaps of every donor,
//! the donor weights, and the caveats in words. Computed by
//! `indmon_report::evaluate::synth::preset` (the figures of
//! `indmon evaluate synth --preset industry-share --placebo`).

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use indmon_report::evaluate::synth::SynthResult;
use maud::html;
use serde_json::{Value, json};

use crate::data;
use crate::html::{Figure, fill, page, table};
use crate::i18n::Lang;
use crate::pages::{COLOURS, error_page, notes_block, round};
use crate::state::AppState;

/// The query of the evaluation page.
#[derive(Debug, Default, serde::Deserialize)]
pub struct EvaluationQuery {
    /// `nl` (default) or `en`.
    pub lang: Option<String>,
    /// The treated country [default: the target country].
    pub treated: Option<String>,
    /// The first year of the treatment [default: 2011, the top-sector policy].
    pub year: Option<i32>,
}

/// `/evaluation`: the industry-share synthetic control with placebos.
pub async fn evaluation(
    State(s): State<Arc<AppState>>,
    Query(q): Query<EvaluationQuery>,
) -> Response {
    let lang = crate::i18n::PageQuery {
        lang: q.lang.clone(),
    }
    .lang();
    let r = match data::evaluation(&s, q.treated.as_deref(), q.year, true).await {
        Ok(r) => r,
        Err(e) => return error_page(lang, "/evaluation", &e),
    };
    Html(page(
        lang,
        "/evaluation",
        lang.t("evaluation"),
        body(lang, &r),
    ))
    .into_response()
}

fn body(lang: Lang, r: &SynthResult) -> maud::Markup {
    let year = r.treatment_year.to_string();
    let args = [("geo", r.treated.as_str()), ("year", year.as_str())];
    let periods: Vec<String> = r.gaps.rows.iter().map(|g| g.period.to_string()).collect();
    let treatment_line = json!({ "symbol": "none", "silent": true,
        "lineStyle": { "color": COLOURS[6], "type": "dashed" },
        "label": { "formatter": year },
        "data": [ { "xAxis": year } ] });
    let csv = format!(
        "/api/v1/evaluate/synth?treated={}&treatment_year={}&format=csv",
        r.treated, r.treatment_year
    );
    let stem = format!("indmon-synth-{}-{}", r.treated, r.treatment_year);

    // 1. the treated country and its synthetic twin
    let paths = Figure {
        id: "fig-synth-paths",
        title: fill(lang.t("fig_synth_paths"), &args),
        desc: fill(lang.t("fig_synth_paths_desc"), &args),
        option: json!({
            "color": [COLOURS[0], COLOURS[2]],
            "grid": { "left": 48, "right": 24, "top": 48, "bottom": 32, "containLabel": true },
            "legend": { "top": 0 },
            "tooltip": { "trigger": "axis" },
            "xAxis": { "type": "category", "data": periods },
            "yAxis": { "type": "value", "name": "%", "scale": true },
            "series": [
                { "name": r.treated, "type": "line", "data": r.gaps.rows.iter().map(|g| round(g.treated, 3)).collect::<Vec<_>>(),
                  "lineStyle": { "width": 3 }, "markLine": treatment_line },
                { "name": lang.t("synthetic_unit"), "type": "line", "data": r.gaps.rows.iter().map(|g| round(g.synthetic, 3)).collect::<Vec<_>>(),
                  "lineStyle": { "type": "dashed", "width": 2 } }
            ]
        }),
        unit: "%",
        head: vec![
            lang.t("year").into(),
            r.treated.clone(),
            lang.t("synthetic_unit").into(),
            lang.t("gap_synth").into(),
        ],
        rows: r
            .gaps
            .rows
            .iter()
            .map(|g| {
                vec![
                    g.period.to_string(),
                    lang.number(g.treated, 2),
                    lang.number(g.synthetic, 2),
                    lang.number(g.gap, 2),
                ]
            })
            .collect(),
        tooltip_rows: false,
        csv: csv.clone(),
        filename: format!("{stem}-paths"),
        sources: &r.sources,
        method: r.method_version,
        extra: json!({}),
    };

    // 2. the gaps, the treated country's against every donor's placebo
    let mut series: Vec<Value> = Vec::new();
    let mut rows: Vec<Vec<String>> = Vec::new();
    if let Some(p) = &r.placebo {
        for u in p.units.iter().filter(|u| !u.treated) {
            series.push(json!({ "name": u.unit, "type": "line", "symbol": "none", "silent": true,
                "data": r.gaps.rows.iter().map(|g| u.gaps.get(&g.period).map(|v| round(*v, 3))).collect::<Vec<_>>(),
                "lineStyle": { "width": 1, "color": "#b4b4b4" }, "itemStyle": { "color": "#b4b4b4" },
                "z": 1 }));
        }
        for u in &p.units {
            rows.push(vec![
                u.unit.clone(),
                lang.number(u.rmspe_pre, 3),
                lang.number(u.rmspe_post, 3),
                lang.number(u.ratio, 2),
                if u.treated {
                    lang.t("treated").into()
                } else {
                    lang.t("placebo").into()
                },
            ]);
        }
    }
    series.push(json!({ "name": r.treated, "type": "line", "data": r.gaps.rows.iter().map(|g| round(g.gap, 3)).collect::<Vec<_>>(),
        "lineStyle": { "width": 3, "color": COLOURS[0] }, "itemStyle": { "color": COLOURS[0] }, "z": 3,
        "markLine": { "symbol": "none", "silent": true, "lineStyle": { "color": COLOURS[6], "type": "dashed" },
                      "data": [ { "xAxis": year }, { "yAxis": 0 } ] } }));
    let gaps = Figure {
        id: "fig-synth-gaps",
        title: fill(lang.t("fig_synth_gaps"), &args),
        desc: fill(lang.t("fig_synth_gaps_desc"), &args),
        option: json!({
            "grid": { "left": 48, "right": 24, "top": 24, "bottom": 32, "containLabel": true },
            "tooltip": { "trigger": "item" },
            "xAxis": { "type": "category", "data": periods },
            "yAxis": { "type": "value", "name": lang.t("pp_unit") },
            "series": series
        }),
        unit: "pp",
        head: vec![
            lang.t("unit").into(),
            lang.t("rmspe_pre").into(),
            lang.t("rmspe_post").into(),
            lang.t("rmspe_ratio").into(),
            lang.t("role").into(),
        ],
        rows,
        tooltip_rows: false,
        csv: format!("{csv}&table=placebo"),
        filename: format!("{stem}-placebo"),
        sources: &r.sources,
        method: r.method_version,
        extra: json!({}),
    };

    // 3. who makes up the synthetic country
    let mut w: Vec<&indmon_report::evaluate::synth::WeightRow> = r
        .weights
        .rows
        .iter()
        .filter(|w| w.weight >= 0.0005)
        .collect();
    w.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let weights = Figure {
        id: "fig-synth-weights",
        title: fill(lang.t("fig_synth_weights"), &args),
        desc: fill(lang.t("fig_synth_weights_desc"), &args),
        option: json!({
            "grid": { "left": 24, "right": 32, "top": 16, "bottom": 32, "containLabel": true },
            "yAxis": { "type": "category", "inverse": true, "data": w.iter().map(|x| x.unit.clone()).collect::<Vec<_>>() },
            "xAxis": { "type": "value", "max": 1 },
            "series": [ { "type": "bar", "name": lang.t("weight"), "itemStyle": { "color": COLOURS[1] },
                          "data": w.iter().map(|x| round(x.weight, 4)).collect::<Vec<_>>() } ]
        }),
        unit: "",
        head: vec![lang.t("unit").into(), lang.t("weight").into()],
        rows: r
            .weights
            .rows
            .iter()
            .map(|x| vec![x.unit.clone(), lang.number(x.weight, 3)])
            .collect(),
        tooltip_rows: false,
        csv: format!("{csv}&table=weights"),
        filename: format!("{stem}-weights"),
        sources: &r.sources,
        method: r.method_version,
        extra: json!({}),
    };

    let opt = |x: Option<f64>, d: usize| x.map_or("—".to_string(), |v| lang.number(v, d));
    let donors = r.weights.rows.len();
    let placebo_p = r.placebo.as_ref().map(|p| {
        (
            lang.number(p.p_value, 3),
            p.rank.to_string(),
            p.units.len().to_string(),
            lang.number(p.smallest_p_value, 3),
        )
    });
    let v_rows: Vec<Vec<String>> =
        r.v.rows
            .iter()
            .map(|v| vec![v.predictor.clone(), lang.number(v.v, 3)])
            .collect();
    html! {
        h1 class="nl-heading nl-heading--level-1" { (fill(lang.t("eval_title"), &args)) }
        p class="nl-paragraph" { (fill(lang.t("eval_intro"), &args)) }
        dl class="key-figures" id="synth-key-figures" {
            div class="key-figure" {
                dt { (lang.t("att")) }
                dd id="synth-att" { (opt(r.att.att, 2)) " " (lang.t("pp_unit")) }
            }
            div class="key-figure" {
                dt { (lang.t("att_se")) }
                dd { (opt(r.att.se, 2)) }
            }
            div class="key-figure" {
                dt { (lang.t("rmspe_pre")) }
                dd { (opt(r.rmspe_pre, 3)) }
            }
            @if let Some((p, rank, n, _)) = &placebo_p {
                div class="key-figure" {
                    dt { (lang.t("placebo_p")) }
                    dd id="synth-p" { (p) " (" (rank) " / " (n) ")" }
                }
            }
            div class="key-figure" {
                dt { (lang.t("donors")) }
                dd { (donors) }
            }
        }
        section class="caveats" aria-labelledby="caveats-title" {
            h2 class="nl-heading nl-heading--level-2" id="caveats-title" { (lang.t("caveats")) }
            ul class="utrecht-unordered-list" {
                li class="utrecht-unordered-list__item" { (lang.t("caveat_fit")) }
                li class="utrecht-unordered-list__item" { (fill(lang.t("caveat_donors"), &[("n", &donors.to_string())])) }
                @if let Some((_, _, n, smallest)) = &placebo_p {
                    li class="utrecht-unordered-list__item" { (fill(lang.t("caveat_p"), &[("n", n), ("p", smallest)])) }
                }
                li class="utrecht-unordered-list__item" { (lang.t("caveat_causal")) }
            }
        }
        (notes_block(lang, r.sources.iter().any(|s| s.synthetic), &r.notes))
        (paths.render(lang))
        (gaps.render(lang))
        (weights.render(lang))
        (table(Some("synth-v"), lang.t("v_weights"), &[lang.t("predictor").into(), lang.t("weight").into()], &v_rows))
    }
}
