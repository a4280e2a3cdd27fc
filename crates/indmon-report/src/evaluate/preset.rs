//! Panels for evaluations built from the store rather than a file.
//!
//! `industry-share`: the target monitor's industry share of value added (the
//! definition in `[target]` of the settings, read as `indmon target share` reads it) of
//! one treated country and the other EU27 members as donors, over the years the treated
//! country has. A member without a share in every one of those years is left out of the
//! donor pool, with the years it lacks (synthetic control needs a balanced panel). The
//! predictors are the share itself averaged over three windows of the pre-treatment
//! years (an earlier, a middle and a late one), the way Abadie, Diamond & Hainmueller
//! use lagged outcomes when no covariates are at hand; the predictor weights are fitted
//! on the whole pre-treatment period.

use std::collections::BTreeSet;

use indmon_analytics::peers::EU27;
use indmon_store::{Catalog, Store};

use crate::evaluate::data::{Built, PanelTable};
use crate::target::{Scope, ShareRequest, share};
use crate::{Error, Result, Source};

/// Fewest pre-treatment years a preset accepts.
pub const MIN_PRE_YEARS: usize = 5;

/// What the `industry-share` preset is asked for.
#[derive(Debug, Clone)]
pub struct IndustryShareRequest {
    /// The treated country (Eurostat code, e.g. `NL`).
    pub treated: String,
    /// The first year of the treatment (the policy's first year in force).
    pub treatment_year: i32,
    /// The first year used (default: the treated country's first year).
    pub from: Option<i32>,
    /// What is read (definition, dataset, releases).
    pub scope: Scope,
}

/// A panel built for an evaluation, with what it was built from.
#[derive(Debug, Clone)]
pub struct PresetPanel {
    /// The panel: columns `unit` (text), `year` and `share_pct` (numbers).
    pub table: PanelTable,
    /// The treated unit.
    pub treated: String,
    /// The donors kept, in order.
    pub donors: Vec<String>,
    /// Members left out of the donor pool, each with the reason.
    pub dropped: Vec<(String, String)>,
    /// The years of the panel, in order.
    pub years: Vec<i32>,
    /// The pre-treatment years.
    pub pre_years: Vec<i32>,
    /// The post-treatment years.
    pub post_years: Vec<i32>,
    /// The windows of pre-treatment years whose mean share is a predictor.
    pub windows: Vec<(i32, i32)>,
    /// What the outcome measures, in words.
    pub definition: String,
    /// Every vintage read.
    pub sources: Vec<Source>,
    /// How the panel was built, for the notes.
    pub notes: Vec<String>,
}

/// The column names of a preset panel.
pub const UNIT: &str = "unit";
/// The year column.
pub const YEAR: &str = "year";
/// The outcome column of `industry-share` (percent).
pub const SHARE: &str = "share_pct";

/// The three windows the pre-treatment years are split into (as equal as the years
/// allow, the later windows taking the extra years); fewer when there are fewer than
/// three years.
pub fn windows(pre: &[i32]) -> Vec<(i32, i32)> {
    let k = pre.len().min(3);
    let mut out = Vec::with_capacity(k);
    let mut start = 0;
    for i in 0..k {
        let len = pre.len() / k + usize::from(i >= k - pre.len() % k);
        out.push((pre[start], pre[start + len - 1]));
        start += len;
    }
    out
}

/// The `industry-share` panel of `req.treated` and the other EU27 members.
pub async fn industry_share_panel(
    store: &Store,
    catalog: &Catalog,
    req: &IndustryShareRequest,
) -> Result<PresetPanel> {
    let treated = req.treated.trim().to_uppercase();
    let mut geos = vec![treated.clone()];
    geos.extend(EU27.iter().map(|g| g.to_string()).filter(|g| *g != treated));
    let shares = share(
        store,
        catalog,
        &ShareRequest {
            geos,
            from: req.from,
            to: None,
            scope: req.scope.clone(),
        },
    )
    .await?;
    let Some(t) = shares.geos.iter().find(|g| g.geo == treated) else {
        return Err(Error::NoData(format!(
            "no industry share for {treated} in the store (see `indmon target share --geo {treated}`)"
        )));
    };
    let years: Vec<i32> = t.series.iter().map(|p| p.year).collect();
    let pre_years: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| *y < req.treatment_year)
        .collect();
    let post_years: Vec<i32> = years
        .iter()
        .copied()
        .filter(|y| *y >= req.treatment_year)
        .collect();
    if pre_years.len() < MIN_PRE_YEARS {
        return Err(Error::Invalid(format!(
            "{treated} has {} year(s) of the share before {} ({}); a synthetic control needs at least {MIN_PRE_YEARS}",
            pre_years.len(),
            req.treatment_year,
            span(&pre_years)
        )));
    }
    if post_years.is_empty() {
        return Err(Error::Invalid(format!(
            "{treated} has no share from {} on (its last year is {}): nothing to compare after the treatment",
            req.treatment_year,
            years.last().copied().unwrap_or_default()
        )));
    }
    let mut donors = Vec::new();
    let mut dropped = Vec::new();
    let mut unit = Vec::new();
    let mut year = Vec::new();
    let mut value = Vec::new();
    let mut used = BTreeSet::new();
    for g in &shares.geos {
        let have: BTreeSet<i32> = g.series.iter().map(|p| p.year).collect();
        let lacks: Vec<i32> = years
            .iter()
            .copied()
            .filter(|y| !have.contains(y))
            .collect();
        if g.geo != treated {
            if !lacks.is_empty() {
                dropped.push((g.geo.clone(), format!("no share for {}", span(&lacks))));
                continue;
            }
            donors.push(g.geo.clone());
        }
        for p in g.series.iter().filter(|p| years.contains(&p.year)) {
            unit.push(g.geo.clone());
            year.push(Some(f64::from(p.year)));
            value.push(Some(p.share * 100.0));
            used.insert((p.dataset.clone(), p.vintage.clone()));
        }
    }
    for g in &shares.missing {
        if *g != treated {
            dropped.push((g.clone(), "no share in the store".into()));
        }
    }
    if donors.len() < 2 {
        return Err(Error::NoData(format!(
            "only {} EU member(s) besides {treated} have the share in every year {}: too few donors",
            donors.len(),
            span(&years)
        )));
    }
    let sources = Source::list(catalog, &used);
    let id: String = used
        .iter()
        .map(|(d, v)| format!("{d}@{v}"))
        .collect::<Vec<_>>()
        .join(",");
    let sha = indmon_sources::input::sha256_hex(id.as_bytes());
    let table = PanelTable::built(
        &format!("industry-share panel ({treated} and EU27 donors)"),
        &sha,
        vec![
            (UNIT.into(), Built::Text(unit)),
            (YEAR.into(), Built::Number(year)),
            (SHARE.into(), Built::Number(value)),
        ],
    );
    let windows = windows(&pre_years);
    let mut notes = shares.notes.clone();
    notes.push(format!(
        "Panel: {treated} and {} EU member(s) as donors, {}; treatment from {}.",
        donors.len(),
        span(&years),
        req.treatment_year
    ));
    if !dropped.is_empty() {
        notes.push(format!(
            "Left out of the donor pool: {}.",
            dropped
                .iter()
                .map(|(g, why)| format!("{g} ({why})"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    notes.push(format!(
        "Predictors: the share averaged over {}; weights fitted on the pre-treatment years {}.",
        windows
            .iter()
            .map(|(a, b)| if a == b {
                a.to_string()
            } else {
                format!("{a}–{b}")
            })
            .collect::<Vec<_>>()
            .join(", "),
        span(&pre_years)
    ));
    Ok(PresetPanel {
        table,
        treated,
        donors,
        dropped,
        years,
        pre_years,
        post_years,
        windows,
        definition: shares.definition,
        sources,
        notes,
    })
}

/// Years as runs: `1995–1999, 2003`.
fn span(years: &[i32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < years.len() {
        let mut j = i;
        while j + 1 < years.len() && years[j + 1] == years[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            years[i].to_string()
        } else {
            format!("{}–{}", years[i], years[j])
        });
        i = j + 1;
    }
    if out.is_empty() {
        "no years".into()
    } else {
        out.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pre_years_split_into_three_windows_covering_each_year_once() {
        for n in 1..40 {
            let pre: Vec<i32> = (1990..1990 + n).collect();
            let w = windows(&pre);
            assert_eq!(w.len(), pre.len().min(3));
            assert_eq!(w[0].0, 1990);
            assert_eq!(w.last().unwrap().1, 1990 + n - 1);
            for k in 1..w.len() {
                assert_eq!(w[k].0, w[k - 1].1 + 1, "{w:?}");
            }
            let lens: Vec<i32> = w.iter().map(|(a, b)| b - a + 1).collect();
            assert!(
                lens.iter().max().unwrap() - lens.iter().min().unwrap() <= 1,
                "{lens:?}"
            );
        }
        assert_eq!(
            windows(&(1995..2011).collect::<Vec<_>>()),
            [(1995, 1999), (2000, 2004), (2005, 2010)]
        );
    }

    #[test]
    fn years_are_written_as_runs() {
        assert_eq!(
            span(&[1995, 1996, 1997, 2001, 2003, 2004]),
            "1995–1997, 2001, 2003–2004"
        );
        assert_eq!(span(&[]), "no years");
    }
}
