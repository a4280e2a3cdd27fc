//! `indmon target` as text for reading: the overview's figures, paths, outlook and
//! peers written out (CSV and JSON are the result's own).

use std::io::Write;

use indmon_core::settings::TargetSettings;
use indmon_report::Tabular;
use indmon_report::target::{self as report, Overview, OverviewRequest};

use crate::error::Result;

fn pct(x: f64) -> String {
    format!("{:.2} %", 100.0 * x)
}

/// The overview as text for reading.
pub fn overview(
    o: &mut dyn Write,
    ov: &Overview,
    assume: &OverviewRequest,
    t: &TargetSettings,
) -> Result<()> {
    let (focus, target) = (ov.geo.as_str(), ov.target);
    let last = &ov.latest;
    let path = &ov.path;
    let series = &ov.series;
    let rest_growth = ov.rest_growth_assumption.used;
    let (industry_needed, rest_allowed) = (ov.required_industry_growth, ov.allowed_rest_growth);
    let outlook = ov.outlook.ok();
    let peer = &ov.peers;
    let source_line = last.source.clone();
    writeln!(
        o,
        "Industry share of value added — {focus}: {}",
        ov.definition
    )?;
    writeln!(o)?;
    writeln!(
        o,
        "Latest       {} {}{}   ({source_line})",
        last.year,
        pct(last.share),
        last.flag
            .as_ref()
            .map(|f| format!(" [{f}]"))
            .unwrap_or_default()
    )?;
    writeln!(
        o,
        "Target       {} in {} — gap {:.2} pp",
        pct(target.share),
        target.year,
        path.gap_pp
    )?;
    writeln!(
        o,
        "Required     industry value added growing {:.2} % a year faster than the rest ({}→{}: (1+g_industry)/(1+g_rest) = {:.4})",
        100.0 * path.relative_growth,
        last.year,
        target.year,
        1.0 + path.relative_growth
    )?;
    match (assume.rest_growth, rest_growth, industry_needed) {
        (Some(g), _, Some(need)) => writeln!(
            o,
            "             if the rest grows {:.2} % a year (stated), industry needs {:.2} % a year",
            100.0 * g,
            100.0 * need
        )?,
        (None, Some(g), Some(need)) => writeln!(
            o,
            "             if the rest grows as over {}–{} ({:.2} % a year), industry needs {:.2} % a year",
            last.year - t.rest_growth_years as i32,
            last.year,
            100.0 * g,
            100.0 * need
        )?,
        _ => writeln!(
            o,
            "             (no {}-year history of the rest to base a growth assumption on; state one with --rest-growth)",
            t.rest_growth_years
        )?,
    }
    if let (Some(gi), Some(allowed)) = (assume.industry_growth, rest_allowed) {
        writeln!(
            o,
            "             if industry grows {:.2} % a year, the rest may grow at most {:.2} % a year",
            100.0 * gi,
            100.0 * allowed
        )?;
    }
    writeln!(o)?;
    writeln!(
        o,
        "year  observed  straight line  constant growth  outlook median  80 % band        95 % band"
    )?;
    for (k, (year, lin)) in path.linear.iter().enumerate() {
        let band = outlook.and_then(|ol| ol.bands.iter().find(|b| b.year == *year));
        let observed = series
            .iter()
            .find(|s| s.year == *year)
            .map(|s| pct(s.share))
            .unwrap_or_default();
        let b = |x: Option<String>| x.unwrap_or_default();
        writeln!(
            o,
            "{year}  {observed:>8}  {:>13}  {:>15}  {:>14}  {:>15}  {:>15}",
            pct(*lin),
            pct(path.constant_growth[k].1),
            b(band.map(|x| pct(x.median))),
            b(band.map(|x| format!("{:.1}–{:.1} %", 100.0 * x.lo80, 100.0 * x.hi80))),
            b(band.map(|x| format!("{:.1}–{:.1} %", 100.0 * x.lo95, 100.0 * x.hi95))),
        )?;
    }
    writeln!(o)?;
    match &ov.outlook {
        report::OutlookResult::Ok(ol) => {
            let p = match (ol.probability, &ol.no_probability_because) {
                (Some(p), _) => format!(
                    "probability of at least {} in {}: {:.0} %",
                    pct(target.share),
                    target.year,
                    100.0 * p
                ),
                (None, Some(why)) => format!("no probability given: {why}"),
                (None, None) => String::new(),
            };
            writeln!(o, "Outlook      {p}")?;
            writeln!(
                o,
                "             model: {}, fitted on {} yearly changes {}–{}",
                ol.model, ol.changes, ol.fitted_from, ol.base_year
            )?;
            let bt = &ol.backtest;
            writeln!(
                o,
                "             backtest on history: {} forecasts up to {} years ahead; the plain model's 80 % band covered {:.0} % of outcomes, its 95 % band {:.0} %{}; mean error {:.2} pp",
                bt.forecasts,
                target.year - ol.base_year,
                100.0 * bt.coverage80,
                100.0 * bt.coverage95,
                bt.coverage80_at_horizon
                    .map(|c| format!(
                        " (at {} years: {:.0} % of {})",
                        target.year - ol.base_year,
                        100.0 * c,
                        bt.at_horizon
                    ))
                    .unwrap_or_default(),
                bt.mean_abs_error_pp
            )?;
            if ol.calibrated {
                writeln!(
                    o,
                    "             bands widened ×{:.2} to match the backtest errors; checked out of sample the widened 80 % band covered {} and the 95 % band {} of {} forecasts",
                    ol.calibration,
                    bt.calibrated_coverage80
                        .map(|c| format!("{:.0} %", 100.0 * c))
                        .unwrap_or_else(|| "—".into()),
                    bt.calibrated_coverage95
                        .map(|c| format!("{:.0} %", 100.0 * c))
                        .unwrap_or_else(|| "—".into()),
                    bt.calibrated_forecasts
                )?;
            } else {
                writeln!(
                    o,
                    "             bands not calibrated: too few backtest forecasts"
                )?;
            }
        }
        report::OutlookResult::Unavailable { error } => {
            writeln!(o, "Outlook      not available: {error}")?
        }
    }
    writeln!(o)?;
    writeln!(
        o,
        "Peers {}     share   rank  gap to {focus}  gap to {}  EU quartile",
        last.year, t.eu
    )?;
    for r in peer {
        writeln!(
            o,
            "  {:<10} {:>6.2} %  {:>4}  {:>9}  {:>9}  {:>11}",
            r.geo,
            100.0 * r.share,
            r.rank,
            r.gap_to_focus_pp
                .map(|g| format!("{g:+.2} pp"))
                .unwrap_or_default(),
            r.gap_to_eu_pp
                .map(|g| format!("{g:+.2} pp"))
                .unwrap_or_default(),
            r.eu_quartile.map(|q| q.to_string()).unwrap_or_default()
        )?;
    }
    writeln!(o)?;
    for n in ov.notes().iter().skip(1) {
        writeln!(o, "{n}")?;
    }
    Ok(())
}
