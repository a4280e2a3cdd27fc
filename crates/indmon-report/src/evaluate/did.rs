//! A staggered difference-in-differences evaluation as a typed result: the panel read
//! from a CSV or Parquet file ([`super::data::read_table`]), checked, and handed to
//! [`indmon_analytics::evaluate::did`] (Callaway & Sant'Anna 2021, as R `did` computes it).
//!
//! Checks, each an input error naming the file (and the line and column where one is at
//! fault): a missing or non-finite value in the outcome, time, group or a covariate; a
//! unit observed twice in a period; a group that changes within a unit; a negative
//! group; an unbalanced panel (a unit without a row in some period — `did` would drop
//! the unit, this names it); a treated group of a single unit; and, from the estimator,
//! a singular design (collinear covariates, too few comparison units) or failing overlap
//! in some ATT(g, t).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use indmon_analytics::evaluate::did::{
    self as est, AggOptions, AggregationType, BasePeriod, ControlGroup, Method, Options, Panel,
};
use serde::Serialize;

use super::data::{PanelTable, Want, read_table};
use crate::{Cell, Col, Error, Result, Source, Table, Tabular};

/// Method version of the result.
pub const METHOD_VERSION: &str = est::METHOD_VERSION;

/// What to estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct DidRequest {
    /// The outcome column.
    pub outcome: String,
    /// The period column (numbers).
    pub time: String,
    /// The unit column.
    pub id: String,
    /// The column with the period a unit is first treated (0: never).
    pub group: String,
    /// Covariate columns (their values in the earlier period of each comparison are used).
    pub covariates: Vec<String>,
    /// The comparison units.
    pub control: ControlGroup,
    /// The two-period estimator.
    pub method: Method,
    /// The base period.
    pub base_period: BasePeriod,
    /// Periods of anticipation.
    pub anticipation: f64,
    /// The aggregation shown; `None` shows the ATT(g, t).
    pub aggregate: Option<AggregationType>,
    /// The event-time window and balancing of the aggregation.
    pub window: AggOptions,
}

impl DidRequest {
    /// The request with `did`'s defaults: never-treated comparison, doubly robust,
    /// varying base period, no anticipation, no covariates, no aggregation.
    pub fn new(outcome: &str, time: &str, id: &str, group: &str) -> Self {
        Self {
            outcome: outcome.into(),
            time: time.into(),
            id: id.into(),
            group: group.into(),
            covariates: vec![],
            control: ControlGroup::NeverTreated,
            method: Method::Dr,
            base_period: BasePeriod::Varying,
            anticipation: 0.0,
            aggregate: None,
            window: AggOptions::default(),
        }
    }
}

/// One group-time average treatment effect.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AttGtRow {
    /// The group: the period its units are first treated.
    pub group: f64,
    /// The period.
    pub t: f64,
    /// ATT(g, t).
    pub att: f64,
    /// Its analytic standard error (missing at the universal base period).
    pub se: Option<f64>,
    /// `pre` (t < g) or `post` (t ≥ g).
    pub period: String,
    /// The base period the change is measured from.
    pub base: f64,
    /// Units of the group.
    pub n_treated: usize,
    /// Comparison units.
    pub n_control: usize,
}

/// One row of an aggregation, as R `did`'s `aggte` reports it.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AggteRow {
    /// `simple`, `group`, `dynamic` or `calendar`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The group, event time or period (missing for `simple`).
    pub egt: Option<f64>,
    /// Its ATT.
    pub att_egt: Option<f64>,
    /// Its standard error.
    pub se_egt: Option<f64>,
    /// The overall ATT of the aggregation.
    pub overall_att: f64,
    /// Its standard error.
    pub overall_se: Option<f64>,
}

/// The pre-trend Wald test: every pre-treatment ATT(g, t) zero.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct WaldTest {
    /// W = n · âᵀ V̂⁻¹ â.
    pub statistic: f64,
    /// Degrees of freedom (number of pre-treatment ATT(g, t)).
    pub df: usize,
    /// The χ² p-value.
    pub p_value: f64,
}

/// Units per group.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct GroupSize {
    /// The group (0: never treated).
    pub group: f64,
    /// Its units.
    pub units: usize,
}

/// A staggered difference-in-differences evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DidReport {
    /// Method version (`evaluate-did/1`).
    pub method: String,
    /// The outcome column.
    pub outcome: String,
    /// The period column.
    pub time: String,
    /// The unit column.
    pub id: String,
    /// The group column.
    pub group: String,
    /// The covariates.
    pub covariates: Vec<String>,
    /// `never` or `notyet`.
    pub control_group: String,
    /// `dr`, `ipw` or `reg`.
    pub estimator: String,
    /// `varying` or `universal`.
    pub base_period: String,
    /// Periods of anticipation.
    pub anticipation: f64,
    /// Units used.
    pub units: usize,
    /// Periods used.
    pub periods: Vec<f64>,
    /// Units per group (0: never treated).
    pub units_per_group: Vec<GroupSize>,
    /// The ATT(g, t), by group then period.
    pub att_gt: Vec<AttGtRow>,
    /// The aggregation asked for.
    pub aggregation: Option<Vec<AggteRow>>,
    /// The pre-trend test (missing when it cannot be computed; the notes say why).
    pub pretest: Option<WaldTest>,
    /// What the figures are, what was dropped, the test and the source.
    pub notes: Vec<String>,
    /// The file read.
    pub sources: Vec<Source>,
}

impl DidReport {
    /// The result in one sentence, with its numbers, for an evaluation record of the
    /// ledger: method, estimator, comparison units, the overall ATT of the aggregation
    /// with its standard error, the units, the pre-trend test. `None` without an
    /// aggregation (the ATT(g, t) alone have no single estimate to record).
    pub fn finding(&self) -> Option<String> {
        let rows = self.aggregation.as_ref()?;
        let first = rows.first()?;
        let se = first
            .overall_se
            .map_or("n/a".to_string(), |s| format!("{s:.4}"));
        // the groups estimated (a cohort kept only as comparison has no ATT(g,t))
        let estimated: Vec<f64> = self.att_gt.iter().map(|r| r.group).collect();
        let groups: Vec<&GroupSize> = self
            .units_per_group
            .iter()
            .filter(|g| g.group != 0.0 && estimated.contains(&g.group))
            .collect();
        let treated: usize = groups.iter().map(|g| g.units).sum();
        let mut s = format!(
            "Staggered difference-in-differences ({}, Callaway & Sant'Anna; estimator {}, {} comparison units, base period {}): {} aggregation of `{}`, overall ATT {:.4} (SE {se}); {} units, {treated} of them treated in {} groups",
            self.method,
            self.estimator,
            if self.control_group == "never" {
                "never-treated"
            } else {
                "never- and not-yet-treated"
            },
            self.base_period,
            first.kind,
            self.outcome,
            first.overall_att,
            self.units,
            groups.len(),
        );
        if !self.covariates.is_empty() {
            s.push_str(&format!("; covariates {}", self.covariates.join(", ")));
        }
        match &self.pretest {
            Some(w) => s.push_str(&format!(
                "; pre-trend Wald test p = {:.3} ({} pre-treatment ATT(g,t)).",
                w.p_value, w.df
            )),
            None => s.push_str("; no pre-trend test."),
        }
        Some(s)
    }
}

fn control_name(c: ControlGroup) -> &'static str {
    match c {
        ControlGroup::NeverTreated => "never",
        ControlGroup::NotYetTreated => "notyet",
    }
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Dr => "dr",
        Method::Ipw => "ipw",
        Method::Reg => "reg",
    }
}

/// Reads the panel file at `path` and estimates.
pub fn did(path: &Path, req: &DidRequest) -> Result<DidReport> {
    let mut wanted: Vec<(&str, Want)> = vec![
        (req.id.as_str(), Want::Text),
        (req.time.as_str(), Want::Number),
        (req.group.as_str(), Want::Number),
        (req.outcome.as_str(), Want::Number),
    ];
    for c in &req.covariates {
        wanted.push((c.as_str(), Want::Number));
    }
    for (i, (w, _)) in wanted.iter().enumerate() {
        if wanted[..i].iter().any(|(v, _)| v == w) {
            return Err(Error::Invalid(format!(
                "column '{w}' is named for two roles (outcome, time, id, group and covariates must differ)"
            )));
        }
    }
    let table = read_table(path, &wanted)?;
    did_on(&table, req)
}

/// Estimates on a panel table already read (or built).
#[allow(clippy::needless_range_loop)] // a row indexes several columns and the lines
pub fn did_on(table: &PanelTable, req: &DidRequest) -> Result<DidReport> {
    let file = table.file().to_string();
    let ids = table.text(&req.id);
    let times = table.number(&req.time);
    let groups = table.number(&req.group);
    let ys = table.number(&req.outcome);
    let covs: Vec<&[Option<f64>]> = req.covariates.iter().map(|c| table.number(c)).collect();
    let need = |col: &str, vals: &[Option<f64>], row: usize| -> Result<f64> {
        vals[row].ok_or_else(|| {
            table.error_at(
                row,
                col,
                "the value is missing (the panel must be complete: every unit has the outcome, period, group and covariates in every period)",
            )
        })
    };
    if table.rows() == 0 {
        return Err(Error::Input(format!("{file}: the panel has no rows")));
    }

    // Units in the order of their ids, periods ascending.
    let mut unit_of: HashMap<&str, usize> = HashMap::new();
    let mut unit_names: Vec<&str> = Vec::new();
    let mut unit_group: Vec<(f64, usize)> = Vec::new(); // (group, row it came from)
    let mut period_set: Vec<f64> = Vec::new();
    for row in 0..table.rows() {
        let t = need(&req.time, times, row)?;
        let g = need(&req.group, groups, row)?;
        need(&req.outcome, ys, row)?;
        for (c, v) in req.covariates.iter().zip(&covs) {
            need(c, v, row)?;
        }
        if g < 0.0 {
            return Err(table.error_at(
                row,
                &req.group,
                format!("the group is {g}: it must be the period the unit is first treated, or 0 if never treated"),
            ));
        }
        period_set.push(t);
        let id = ids[row].as_str();
        match unit_of.get(id) {
            Some(&u) => {
                let (g0, r0) = unit_group[u];
                if g0 != g {
                    return Err(table.error_at(
                        row,
                        &req.group,
                        format!(
                            "unit {id} has group {g} here but {g0} on line {}: the group (first treated period) must be the same in every period of a unit",
                            table.line(r0)
                        ),
                    ));
                }
            }
            None => {
                unit_of.insert(id, unit_names.len());
                unit_names.push(id);
                unit_group.push((g, row));
            }
        }
    }
    period_set.sort_by(f64::total_cmp);
    period_set.dedup();
    let nt = period_set.len();
    let n = unit_names.len();
    if nt < 2 {
        return Err(Error::Input(format!(
            "{file}: the panel has {nt} period(s) in column '{}': at least two are needed",
            req.time
        )));
    }
    let k = req.covariates.len();
    let mut seen: Vec<Option<usize>> = vec![None; n * nt];
    let mut y = vec![0.0; n * nt];
    let mut x = vec![0.0; n * nt * k];
    for row in 0..table.rows() {
        let u = unit_of[ids[row].as_str()];
        let t = times[row].expect("checked");
        let s = period_set.partition_point(|p| *p < t);
        if let Some(r0) = seen[u * nt + s] {
            return Err(table.error_at(
                row,
                &req.time,
                format!(
                    "unit {} is observed twice in period {t} (also on line {})",
                    ids[row],
                    table.line(r0)
                ),
            ));
        }
        seen[u * nt + s] = Some(row);
        y[u * nt + s] = ys[row].expect("checked");
        for (j, v) in covs.iter().enumerate() {
            x[(u * nt + s) * k + j] = v[row].expect("checked");
        }
    }
    for u in 0..n {
        let missing: Vec<String> = (0..nt)
            .filter(|&s| seen[u * nt + s].is_none())
            .map(|s| period_set[s].to_string())
            .collect();
        if !missing.is_empty() {
            return Err(Error::Input(format!(
                "{file}: the panel is not balanced: unit {} (first on line {}) has no row for period {} of column '{}'; every unit must be observed in every period (drop the unit or fill the period)",
                unit_names[u],
                table.line(unit_group[u].1),
                missing.join(", "),
                req.time
            )));
        }
    }
    // A treated group of one unit, among the groups that are estimated (a unit treated
    // in the first period is dropped, one treated after the last is never treated, as
    // in did's pre-processing).
    let first = period_set.first().copied().unwrap_or(0.0);
    let last = period_set.last().copied().unwrap_or(0.0);
    let delta = req.anticipation;
    let mut members: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (u, (g, _)) in unit_group.iter().enumerate() {
        if *g > first + delta && *g <= last + delta {
            members.entry(g.to_string()).or_default().push(u);
        }
    }
    if let Some((g, us)) = members.iter().find(|(_, us)| us.len() == 1) {
        return Err(Error::Input(format!(
            "{file}: group {g} has a single unit ({}): its ATT(g,t) would rest on one unit and its influence-function standard error is not meaningful; merge it with a neighbouring group or drop it",
            unit_names[us[0]]
        )));
    }

    let panel = Panel {
        times: period_set.clone(),
        group: unit_group.iter().map(|(g, _)| *g).collect(),
        y,
        k,
        x,
    };
    let options = Options {
        control: req.control,
        base_period: req.base_period,
        method: req.method,
        anticipation: req.anticipation,
    };
    let res = est::att_gt(&panel, &options).map_err(|e| Error::Input(format!("{file}: {e}")))?;

    let att_gt: Vec<AttGtRow> = res
        .rows
        .iter()
        .map(|r| AttGtRow {
            group: r.group,
            t: r.time,
            att: r.att,
            se: r.se,
            period: if r.post { "post" } else { "pre" }.into(),
            base: r.base,
            n_treated: r.n_treated,
            n_control: r.n_control,
        })
        .collect();
    let aggregation = req.aggregate.map(|kind| {
        let a = est::aggregate(&res, kind, &req.window);
        let name = kind.as_str().to_string();
        if kind == AggregationType::Simple {
            vec![AggteRow {
                kind: name,
                egt: None,
                att_egt: None,
                se_egt: None,
                overall_att: a.overall_att,
                overall_se: a.overall_se,
            }]
        } else {
            a.rows
                .iter()
                .map(|r| AggteRow {
                    kind: name.clone(),
                    egt: Some(r.egt),
                    att_egt: r.att.is_finite().then_some(r.att),
                    se_egt: r.se,
                    overall_att: a.overall_att,
                    overall_se: a.overall_se,
                })
                .collect()
        }
    });
    let units_per_group: Vec<GroupSize> = res
        .units_per_group()
        .into_iter()
        .map(|(group, units)| GroupSize { group, units })
        .collect();
    let pretest = res.wald.as_ref().map(|w| WaldTest {
        statistic: w.statistic,
        df: w.df,
        p_value: w.p_value,
    });

    let mut notes = vec![format!(
        "Staggered difference-in-differences (Callaway & Sant'Anna 2021, as R did 2.x att_gt/aggte computes it), method {METHOD_VERSION}: comparison units {}, estimator {}, base period {}, anticipation {}{}.",
        match req.control {
            ControlGroup::NeverTreated => "never treated",
            ControlGroup::NotYetTreated => "never or not yet treated",
        },
        match req.method {
            Method::Dr => "doubly robust (DRDID drdid_panel)",
            Method::Ipw => "normalised inverse probability weighting (DRDID std_ipw_did_panel)",
            Method::Reg => "outcome regression (DRDID reg_did_panel)",
        },
        match req.base_period {
            BasePeriod::Varying => "varying",
            BasePeriod::Universal => "universal",
        },
        req.anticipation,
        if k == 0 {
            String::new()
        } else {
            format!(", covariates {}", req.covariates.join(", "))
        }
    )];
    notes.push(format!(
        "Units: {} ({}). Standard errors are analytic, from the influence function (did's bstrap = FALSE); no uniform confidence bands.",
        res.n(),
        units_per_group
            .iter()
            .map(|g| if g.group == 0.0 {
                format!("never treated: {}", g.units)
            } else {
                format!("group {}: {}", g.group, g.units)
            })
            .collect::<Vec<_>>()
            .join(", ")
    ));
    if let Some(kind) = req.aggregate {
        notes.push(match kind {
            AggregationType::Simple => "Aggregation simple: post-treatment ATT(g,t) weighted by group size.".to_string(),
            AggregationType::Group => "Aggregation group: per group, the mean of its post-treatment ATT(g,t); overall, weighted by group size.".to_string(),
            AggregationType::Dynamic => "Aggregation dynamic: per event time e = t − g, ATT(g,t) weighted by group size; overall, the mean over e ≥ 0.".to_string(),
            AggregationType::Calendar => "Aggregation calendar: per period, post-treatment ATT(g,t) weighted by group size; overall, the mean over periods.".to_string(),
        });
    }
    if let Some(w) = &pretest {
        notes.push(format!(
            "Pre-trend test (all {} pre-treatment ATT(g,t) zero): Wald χ² = {:.4}, p = {:.5}{}.",
            w.df,
            w.statistic,
            w.p_value,
            if w.p_value < 0.05 {
                " — parallel trends before treatment are rejected at 5%"
            } else {
                ""
            }
        ));
    }
    notes.extend(res.notes.iter().map(|n| format!("Note: {n}.")));
    let source = table.source();
    notes.push(source.line.clone());

    Ok(DidReport {
        method: METHOD_VERSION.into(),
        outcome: req.outcome.clone(),
        time: req.time.clone(),
        id: req.id.clone(),
        group: req.group.clone(),
        covariates: req.covariates.clone(),
        control_group: control_name(req.control).into(),
        estimator: method_name(req.method).into(),
        base_period: match req.base_period {
            BasePeriod::Varying => "varying",
            BasePeriod::Universal => "universal",
        }
        .into(),
        anticipation: req.anticipation,
        units: res.n(),
        periods: res.times.clone(),
        units_per_group,
        att_gt,
        aggregation,
        pretest,
        notes,
        sources: vec![source],
    })
}

const ATT_GT_COLUMNS: &[Col<AttGtRow>] = &[
    Col {
        name: "group",
        unit: "period",
        meaning: "The group: the period its units are first treated.",
        decimals: None,
        get: |r| Cell::Num(r.group),
    },
    Col {
        name: "t",
        unit: "period",
        meaning: "The period.",
        decimals: None,
        get: |r| Cell::Num(r.t),
    },
    Col {
        name: "att",
        unit: "outcome",
        meaning: "ATT(g,t): the average effect on the group's units in period t.",
        decimals: Some(4),
        get: |r| Cell::Num(r.att),
    },
    Col {
        name: "se",
        unit: "outcome",
        meaning: "Its analytic standard error (influence function).",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.se),
    },
    Col {
        name: "period",
        unit: "",
        meaning: "pre (t < g: a placebo, expected near 0) or post (t ≥ g).",
        decimals: None,
        get: |r| Cell::Text(r.period.clone()),
    },
    Col {
        name: "base",
        unit: "period",
        meaning: "The base period the change is measured from.",
        decimals: None,
        get: |r| Cell::Num(r.base),
    },
    Col {
        name: "n_treated",
        unit: "units",
        meaning: "Units of the group.",
        decimals: None,
        get: |r| Cell::Int(r.n_treated as i64),
    },
    Col {
        name: "n_control",
        unit: "units",
        meaning: "Comparison units.",
        decimals: None,
        get: |r| Cell::Int(r.n_control as i64),
    },
];

const AGGTE_COLUMNS: &[Col<AggteRow>] = &[
    Col {
        name: "type",
        unit: "",
        meaning: "The aggregation: simple, group, dynamic or calendar.",
        decimals: None,
        get: |r| Cell::Text(r.kind.clone()),
    },
    Col {
        name: "egt",
        unit: "",
        meaning: "The group, the event time t − g, or the period (empty for simple).",
        decimals: None,
        get: |r| Cell::opt_num(r.egt),
    },
    Col {
        name: "att_egt",
        unit: "outcome",
        meaning: "The aggregated ATT of this group, event time or period.",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.att_egt),
    },
    Col {
        name: "se_egt",
        unit: "outcome",
        meaning: "Its analytic standard error.",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.se_egt),
    },
    Col {
        name: "overall_att",
        unit: "outcome",
        meaning: "The overall ATT of the aggregation.",
        decimals: Some(4),
        get: |r| Cell::Num(r.overall_att),
    },
    Col {
        name: "overall_se",
        unit: "outcome",
        meaning: "Its analytic standard error.",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.overall_se),
    },
];

impl DidReport {
    /// The ATT(g, t) as a table (also when an aggregation is shown).
    pub fn att_gt_table(&self) -> Table {
        Table::of(ATT_GT_COLUMNS, &self.att_gt)
    }
}

impl Tabular for DidReport {
    /// The aggregation when one was asked for, else the ATT(g, t).
    fn table(&self) -> Table {
        match &self.aggregation {
            Some(rows) => Table::of(AGGTE_COLUMNS, rows),
            None => self.att_gt_table(),
        }
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-did-{}", self.outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::data::Built;

    fn table(rows: &[(&str, f64, f64, f64)]) -> PanelTable {
        PanelTable::built(
            "test panel",
            "00",
            vec![
                (
                    "id".into(),
                    Built::Text(rows.iter().map(|r| r.0.to_string()).collect()),
                ),
                (
                    "t".into(),
                    Built::Number(rows.iter().map(|r| Some(r.1)).collect()),
                ),
                (
                    "g".into(),
                    Built::Number(rows.iter().map(|r| Some(r.2)).collect()),
                ),
                (
                    "y".into(),
                    Built::Number(rows.iter().map(|r| Some(r.3)).collect()),
                ),
            ],
        )
    }

    fn req() -> DidRequest {
        DidRequest::new("y", "t", "id", "g")
    }

    #[test]
    fn evaluate_did_names_the_unit_of_an_unbalanced_panel() {
        let t = table(&[
            ("a", 1.0, 2.0, 1.0),
            ("a", 2.0, 2.0, 2.0),
            ("b", 1.0, 0.0, 1.0),
        ]);
        let e = did_on(&t, &req()).unwrap_err().to_string();
        assert!(
            e.contains("not balanced") && e.contains("unit b") && e.contains("period 2"),
            "{e}"
        );
    }

    #[test]
    fn evaluate_did_refuses_a_group_that_changes_within_a_unit() {
        let t = table(&[
            ("a", 1.0, 2.0, 1.0),
            ("a", 2.0, 0.0, 2.0),
            ("b", 1.0, 0.0, 1.0),
            ("b", 2.0, 0.0, 1.0),
        ]);
        let e = did_on(&t, &req()).unwrap_err().to_string();
        assert!(
            e.contains("line 2") && e.contains("same in every period"),
            "{e}"
        );
    }

    #[test]
    fn evaluate_did_refuses_a_duplicate_unit_period_and_a_single_unit_group() {
        let t = table(&[
            ("a", 1.0, 2.0, 1.0),
            ("a", 2.0, 2.0, 1.0),
            ("a", 1.0, 2.0, 2.0),
        ]);
        let e = did_on(&t, &req()).unwrap_err().to_string();
        assert!(e.contains("observed twice") && e.contains("line 1"), "{e}");
        let mut rows = vec![("a", 1.0, 2.0, 1.0), ("a", 2.0, 2.0, 3.0)];
        let names: Vec<String> = (0..6).map(|i| format!("c{i}")).collect();
        for n in &names {
            rows.push((n, 1.0, 0.0, 1.0));
            rows.push((n, 2.0, 0.0, 1.5));
        }
        let e = did_on(&table(&rows), &req()).unwrap_err().to_string();
        assert!(e.contains("group 2 has a single unit (a)"), "{e}");
    }

    #[test]
    fn evaluate_did_two_periods_is_the_difference_of_mean_changes() {
        // two treated units gaining 2 and 4, six comparison units gaining 0.5: ATT = 2.5
        let mut rows = vec![];
        let names: Vec<String> = (0..8).map(|i| format!("u{i}")).collect();
        for (i, n) in names.iter().enumerate() {
            let (g, gain) = match i {
                0 => (2.0, 2.0),
                1 => (2.0, 4.0),
                _ => (0.0, 0.5),
            };
            rows.push((n.as_str(), 1.0, g, 1.0));
            rows.push((n.as_str(), 2.0, g, 1.0 + gain));
        }
        for method in [Method::Dr, Method::Ipw, Method::Reg] {
            let r = did_on(&table(&rows), &DidRequest { method, ..req() }).unwrap();
            assert_eq!(r.att_gt.len(), 1);
            assert!((r.att_gt[0].att - 2.5).abs() < 1e-12, "{method:?}");
            assert!(r.pretest.is_none());
        }
    }
}
