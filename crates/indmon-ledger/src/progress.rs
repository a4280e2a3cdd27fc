//! Progress of a goal or a programme: its indicators against their targets, and its
//! spending against its budget.
//!
//! - **Indicators.** The latest actual (the ledger's own actuals, or for an indicator
//!   linked to a store series the values the caller passes in, each with its source);
//!   the gap to the target (target − latest, in the indicator's unit); and, where a
//!   baseline is known, the share of the way from baseline to target covered:
//!   (latest − baseline) / (target − baseline). Without a baseline there is no share of
//!   the way; it is not guessed.
//! - **Budget per year.** The stated totals; the itemised lines by kind (commitments,
//!   expenditures, receipts, tax expenditures); lines whose amount is not known; the
//!   part of a stated total not itemised yet; the spending (a stated total of
//!   expenditures and tax expenditures where there is one, else the sum of the itemised
//!   ones); the commitments; and the spending as a share of the commitments, when both
//!   are known. Nothing is shown as 0 that is not known.

use std::collections::BTreeMap;

use crate::{Record, Snapshot, validate};

/// A value of a store series, passed in by the caller.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesValue {
    /// Its period (`YYYY`).
    pub period: String,
    /// Its value, in the indicator's unit.
    pub value: f64,
    /// Its source (dataset and vintage).
    pub source: String,
}

/// One indicator's progress.
#[derive(Debug, Clone)]
pub struct IndicatorProgress {
    /// The indicator.
    pub indicator: Record,
    /// Its actuals, oldest first: (period, value, source).
    pub actuals: Vec<(String, f64, String)>,
    /// The gap to the target: target − latest.
    pub gap: Option<f64>,
    /// The share of the way from baseline to target: (latest − baseline) / (target −
    /// baseline).
    pub share_of_way: Option<f64>,
}

impl IndicatorProgress {
    /// The latest actual.
    pub fn latest(&self) -> Option<&(String, f64, String)> {
        self.actuals.last()
    }
}

/// One year's budget.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct YearBudget {
    /// The year.
    pub year: i64,
    /// The stated totals' amount (sum over the totals of this scope and year).
    pub stated_total: Option<i64>,
    /// The sources of the stated totals.
    pub total_sources: Vec<String>,
    /// Itemised amounts by kind.
    pub itemised: BTreeMap<String, i64>,
    /// Itemised lines whose amount is not known.
    pub unknown_lines: usize,
    /// The part of the stated total not itemised yet.
    pub not_itemised: Option<i64>,
    /// Spending: the stated total of expenditures and tax expenditures, else the sum of
    /// the itemised ones; `None` when neither is known.
    pub spent: Option<i64>,
    /// Itemised commitments; `None` when none are known.
    pub committed: Option<i64>,
    /// Spending as a share of commitments.
    pub spent_share: Option<f64>,
}

/// The progress of one goal or programme.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The goal or programme.
    pub scope: Record,
    /// Its indicators.
    pub indicators: Vec<IndicatorProgress>,
    /// Its budget, by year.
    pub budget: Vec<YearBudget>,
}

/// Progress serialises with its money in whole euros: the scope record, the indicators
/// with their actuals (period, value, source), gap and share of the way, and the
/// budget per year.
impl serde::Serialize for Progress {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde_json::json;
        json!({
            "scope": self.scope.to_json(),
            "indicators": self.indicators.iter().map(|i| json!({
                "indicator": i.indicator.to_json(),
                "actuals": i.actuals.iter().map(|(p, v, s)| json!({"period": p, "value": v, "source": s})).collect::<Vec<_>>(),
                "gap": i.gap,
                "share_of_way": i.share_of_way,
            })).collect::<Vec<_>>(),
            "budget": self.budget.iter().map(|y| json!({
                "year": y.year,
                "stated_total_eur": y.stated_total,
                "total_sources": y.total_sources,
                "itemised_eur": y.itemised,
                "lines_without_amount": y.unknown_lines,
                "not_itemised_eur": y.not_itemised,
                "spent_eur": y.spent,
                "committed_eur": y.committed,
                "spent_share_of_commitments": y.spent_share,
            })).collect::<Vec<_>>(),
        })
        .serialize(s)
    }
}

/// The progress of `scope` (a goal or programme record of `snap`); `series` holds the
/// store values for indicators linked to a series (by series name).
pub fn of(
    snap: &Snapshot,
    scope: &Record,
    series: &BTreeMap<String, Vec<SeriesValue>>,
) -> Progress {
    let key = match scope.entity.name {
        "goal" => "goal_id",
        _ => "programme_id",
    };
    let indicators = snap
        .of("indicator")
        .iter()
        .filter(|i| i.text(key) == Some(scope.id.as_str()))
        .map(|i| indicator(snap, i, series))
        .collect();
    Progress {
        scope: scope.clone(),
        indicators,
        budget: budget(snap, scope),
    }
}

fn indicator(
    snap: &Snapshot,
    ind: &Record,
    series: &BTreeMap<String, Vec<SeriesValue>>,
) -> IndicatorProgress {
    let mut actuals: Vec<(String, f64, String)> = snap
        .of("actual")
        .iter()
        .filter(|a| a.text("indicator_id") == Some(ind.id.as_str()))
        .filter_map(|a| {
            Some((
                a.text("period")?.to_owned(),
                a.get("value").as_f64()?,
                a.text("source").unwrap_or_default().to_owned(),
            ))
        })
        .collect();
    if let Some(values) = ind.text("series").and_then(|s| series.get(s)) {
        for v in values {
            // The ledger's own actual for a period wins over the series.
            if !actuals.iter().any(|a| a.0 == v.period) {
                actuals.push((v.period.clone(), v.value, v.source.clone()));
            }
        }
    }
    actuals.sort_by(|a, b| a.0.cmp(&b.0));
    let latest = actuals.last().map(|a| a.1);
    let target = ind.get("target_value").as_f64();
    let baseline = ind.get("baseline_value").as_f64();
    let gap = latest.zip(target).map(|(l, t)| t - l);
    let share_of_way = match (latest, target, baseline) {
        (Some(l), Some(t), Some(b)) if t != b => Some((l - b) / (t - b)),
        _ => None,
    };
    IndicatorProgress {
        indicator: ind.clone(),
        actuals,
        gap,
        share_of_way,
    }
}

fn budget(snap: &Snapshot, scope: &Record) -> Vec<YearBudget> {
    let goal_of: BTreeMap<&str, &str> = snap
        .of("programme")
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.text("goal_id")?)))
        .collect();
    let lines = snap.of("budget_line");
    let in_scope = |l: &Record| match scope.entity.name {
        "goal" => {
            l.text("goal_id") == Some(scope.id.as_str())
                || l.text("programme_id")
                    .is_some_and(|p| goal_of.get(p) == Some(&scope.id.as_str()))
        }
        _ => l.text("programme_id") == Some(scope.id.as_str()),
    };
    // A goal's view counts the totals stated for the goal itself; a programme's, its own.
    let own_total = |l: &Record| match scope.entity.name {
        "goal" => l.text("goal_id") == Some(scope.id.as_str()) && l.text("programme_id").is_none(),
        _ => l.text("programme_id") == Some(scope.id.as_str()),
    };
    let mut years: BTreeMap<i64, YearBudget> = BTreeMap::new();
    for l in lines.iter().filter(|l| in_scope(l)) {
        let Some(year) = l.get("year").as_int() else {
            continue;
        };
        let y = years.entry(year).or_insert_with(|| YearBudget {
            year,
            ..YearBudget::default()
        });
        if l.text("covers").is_some() {
            if !own_total(l) {
                continue;
            }
            let covers_spending = l.text("covers").is_some_and(|c| c.contains("expenditure"));
            if let Some(a) = l.get("amount_eur").as_int().filter(|_| covers_spending) {
                *y.stated_total.get_or_insert(0) += a;
                let covered: i64 = validate::covered(l, lines, &goal_of)
                    .iter()
                    .filter_map(|c| c.get("amount_eur").as_int())
                    .sum();
                *y.not_itemised.get_or_insert(0) += a - covered;
            }
            if let Some(s) = l.text("source_document") {
                y.total_sources.push(s.to_owned());
            }
        } else {
            let kind = l.text("kind").unwrap_or_default().to_owned();
            match l.get("amount_eur").as_int() {
                Some(a) => *y.itemised.entry(kind).or_insert(0) += a,
                None => y.unknown_lines += 1,
            }
        }
    }
    for y in years.values_mut() {
        let itemised_spent = ["expenditure", "tax_expenditure"]
            .iter()
            .filter_map(|k| y.itemised.get(*k))
            .copied()
            .reduce(|a, b| a + b);
        y.spent = y.stated_total.or(itemised_spent);
        y.committed = y.itemised.get("commitment").copied();
        y.spent_share = y
            .spent
            .zip(y.committed.filter(|c| *c > 0))
            .map(|(s, c)| s as f64 / c as f64);
    }
    years.into_values().collect()
}
