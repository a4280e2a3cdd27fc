//! A synthetic-control evaluation as a typed result: the spec (TOML, mirroring
//! `pysyncon`'s `Dataprep`), the panel it names, and the fit of
//! [`indmon_analytics::evaluate::synth`] with its gaps, RMSPE, ATT, placebo tests and,
//! on request, the ridge-augmented estimate.
//!
//! The result's parts are each a [`Tabular`] with their columns declared once:
//! [`Weights`], [`VTable`], [`Gaps`], [`Summary`], [`Placebos`], [`BalanceTable`].
//! A preset builds a [`Spec`] in code and a [`PanelTable`] from the store and calls
//! [`evaluate`]; a file spec goes through [`evaluate_file`].

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use indmon_analytics::evaluate::synth::{
    self as an, Design, Op, Panel, Predictor, SynthError, Training, nelder_mead::NelderMead, ridge,
};
use serde::{Deserialize, Serialize, Serializer};

use super::data::{PanelTable, Want, read_table};
use crate::{Cell, Col, Error, Result, Source, Table, Tabular};

/// The method version shown with every result.
pub const METHOD_VERSION: &str = "evaluate-synth/1";

/// A set of years: a list (`[1970, 1975]`) or an inclusive range (`"1971..1980"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Years {
    /// The years listed.
    List(Vec<i64>),
    /// `"a..b"`, both ends included.
    Range(String),
}

impl Years {
    /// The years, or a message saying what is wrong.
    pub fn resolve(&self) -> std::result::Result<Vec<i64>, String> {
        match self {
            Years::List(v) => Ok(v.clone()),
            Years::Range(s) => {
                let (a, b) = s
                    .split_once("..")
                    .ok_or_else(|| format!("`{s}` is not a year range like \"1971..1980\""))?;
                let p = |x: &str| {
                    x.trim()
                        .parse::<i64>()
                        .map_err(|_| format!("`{s}` is not a year range like \"1971..1980\""))
                };
                let (a, b) = (p(a)?, p(b)?);
                if b < a {
                    return Err(format!("the year range `{s}` runs backwards"));
                }
                if i128::from(b) - i128::from(a) >= i128::from(MAX_RANGE_YEARS) {
                    return Err(format!(
                        "the year range `{s}` spans more than {MAX_RANGE_YEARS} years"
                    ));
                }
                Ok((a..=b).collect())
            }
        }
    }
}

/// The outer search of V (`pysyncon`'s `optim_method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OptimMethodName {
    /// Nelder–Mead (SciPy's, as `pysyncon`'s default).
    #[default]
    NelderMead,
    /// BFGS (SciPy's, with its defaults).
    Bfgs,
}

/// The starting V of the outer search (`pysyncon`'s `optim_initial`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OptimInitialName {
    /// Equal weights.
    #[default]
    Equal,
    /// From the OLS of the outcomes on the scaled predictors.
    Ols,
}

/// The statistic of a predictor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OpName {
    /// Mean.
    #[default]
    Mean,
    /// Sample standard deviation.
    Std,
    /// Median.
    Median,
}

impl From<OpName> for Op {
    fn from(o: OpName) -> Self {
        match o {
            OpName::Mean => Op::Mean,
            OpName::Std => Op::Std,
            OpName::Median => Op::Median,
        }
    }
}

/// A special predictor: a variable, its years and the statistic.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecialPredictor {
    /// The column.
    pub variable: String,
    /// Its years.
    pub years: Years,
    /// The statistic (default mean).
    #[serde(default)]
    pub op: OpName,
}

/// The training stage (Abadie, Diamond & Hainmueller 2015): its V is reused.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSpec {
    /// Years of the ordinary predictors in training.
    pub predictor_years: Option<Years>,
    /// Special predictors in training (as many as the main ones' total, in order).
    #[serde(default)]
    pub special_predictors: Vec<SpecialPredictor>,
    /// The training years whose outcome loss V minimises.
    pub optimize_years: Years,
}

/// An `indmon evaluate synth` spec (TOML; unknown keys are errors).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The panel file (CSV or Parquet), relative to the spec file. Not needed when the
    /// panel is built in code.
    pub data: Option<PathBuf>,
    /// The unit column.
    pub unit: String,
    /// The time column (whole years).
    pub time: String,
    /// The outcome column.
    pub outcome: String,
    /// The treated unit.
    pub treated: String,
    /// The donors (default: every other unit).
    pub controls: Option<Vec<String>>,
    /// Ordinary predictors (columns), each the `predictors_op` over `predictor_years`.
    #[serde(default)]
    pub predictors: Vec<String>,
    /// Their statistic (default mean).
    #[serde(default)]
    pub predictors_op: OpName,
    /// Years of the ordinary predictors.
    pub predictor_years: Option<Years>,
    /// Special predictors (a variable may appear several times).
    #[serde(default)]
    pub special_predictors: Vec<SpecialPredictor>,
    /// Years whose outcome loss V minimises.
    pub optimize_years: Years,
    /// The first treated year (default: the first ATT year).
    pub treatment_year: Option<i64>,
    /// Years of the ATT (default: the treatment year to the last year).
    pub att_years: Option<Years>,
    /// A fake treatment year for the placebo test in time.
    pub placebo_year: Option<i64>,
    /// The training stage whose V is reused.
    pub training: Option<TrainingSpec>,
    /// The outer search: "nelder-mead" (default) or "bfgs".
    #[serde(default)]
    pub optim_method: OptimMethodName,
    /// Its starting V: "equal" (default) or "ols".
    #[serde(default)]
    pub optim_initial: OptimInitialName,
}

/// What to compute beyond the fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Options {
    /// Run the placebo test in space.
    pub placebo: bool,
    /// Add the ridge-augmented estimate.
    pub augment_ridge: bool,
}

/// One donor's weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeightRow {
    /// The donor.
    pub unit: String,
    /// Its weight.
    pub weight: f64,
}

/// Donor weights; JSON `{unit: weight}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    /// The rows, in donor order.
    pub rows: Vec<WeightRow>,
    notes: Vec<String>,
    stem: String,
}

impl Serialize for Weights {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.rows.iter().map(|r| (&r.unit, r.weight)))
    }
}

const WEIGHT_COLS: &[Col<WeightRow>] = &[
    Col {
        name: "unit",
        unit: "",
        meaning: "Donor unit.",
        decimals: None,
        get: |r| (&r.unit).into(),
    },
    Col {
        name: "weight",
        unit: "",
        meaning: "Its weight in the synthetic unit (non-negative, summing to one).",
        decimals: Some(4),
        get: |r| r.weight.into(),
    },
];

impl Tabular for Weights {
    fn table(&self) -> Table {
        Table::of(WEIGHT_COLS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-weights", self.stem)
    }
}

/// One predictor's weight in V.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VRow {
    /// The predictor.
    pub predictor: String,
    /// Its weight.
    pub v: f64,
}

/// The predictor weights V; JSON `{predictor: v}`.
#[derive(Debug, Clone, PartialEq)]
pub struct VTable {
    /// The rows, in predictor order.
    pub rows: Vec<VRow>,
    notes: Vec<String>,
    stem: String,
}

impl Serialize for VTable {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.rows.iter().map(|r| (&r.predictor, r.v)))
    }
}

const V_COLS: &[Col<VRow>] = &[
    Col {
        name: "predictor",
        unit: "",
        meaning: "Predictor (special.i.variable for the i-th special predictor).",
        decimals: None,
        get: |r| (&r.predictor).into(),
    },
    Col {
        name: "v",
        unit: "",
        meaning: "Its weight in V (non-negative, summing to one).",
        decimals: Some(4),
        get: |r| r.v.into(),
    },
];

impl Tabular for VTable {
    fn table(&self) -> Table {
        Table::of(V_COLS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-v", self.stem)
    }
}

/// One period of the paths.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GapRow {
    /// The period.
    pub period: i64,
    /// The treated unit's outcome.
    pub treated: f64,
    /// The synthetic unit's outcome.
    pub synthetic: f64,
    /// treated − synthetic.
    pub gap: f64,
}

/// The paths and gaps per period; JSON `{period: gap}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Gaps {
    /// The rows, by period.
    pub rows: Vec<GapRow>,
    notes: Vec<String>,
    stem: String,
}

impl Serialize for Gaps {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_map(self.rows.iter().map(|r| (r.period.to_string(), r.gap)))
    }
}

const GAP_COLS: &[Col<GapRow>] = &[
    Col {
        name: "period",
        unit: "year",
        meaning: "Period.",
        decimals: None,
        get: |r| r.period.into(),
    },
    Col {
        name: "treated",
        unit: "",
        meaning: "Outcome of the treated unit.",
        decimals: Some(4),
        get: |r| r.treated.into(),
    },
    Col {
        name: "synthetic",
        unit: "",
        meaning: "Outcome of the synthetic unit (the weighted donors).",
        decimals: Some(4),
        get: |r| r.synthetic.into(),
    },
    Col {
        name: "gap",
        unit: "",
        meaning: "Treated minus synthetic.",
        decimals: Some(4),
        get: |r| r.gap.into(),
    },
];

impl Tabular for Gaps {
    fn table(&self) -> Table {
        Table::of(GAP_COLS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-gaps", self.stem)
    }
}

/// One figure of the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SummaryRow {
    /// What it is.
    pub measure: String,
    /// Its value (missing when not defined).
    pub value: Option<f64>,
}

/// The summary figures as a table (measure, value).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The rows.
    pub rows: Vec<SummaryRow>,
    #[serde(skip)]
    notes: Vec<String>,
    #[serde(skip)]
    stem: String,
}

const SUMMARY_COLS: &[Col<SummaryRow>] = &[
    Col {
        name: "measure",
        unit: "",
        meaning: "The figure.",
        decimals: None,
        get: |r| (&r.measure).into(),
    },
    Col {
        name: "value",
        unit: "",
        meaning: "Its value.",
        decimals: Some(4),
        get: |r| Cell::opt_num(r.value),
    },
];

impl Tabular for Summary {
    fn table(&self) -> Table {
        Table::of(SUMMARY_COLS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-summary", self.stem)
    }
}

/// One unit of the placebo test in space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceboRow {
    /// The unit.
    pub unit: String,
    /// Whether it is the treated unit.
    pub treated: bool,
    /// RMSPE before the treatment year.
    pub rmspe_pre: f64,
    /// RMSPE from the treatment year on.
    pub rmspe_post: f64,
    /// Post/pre RMSPE.
    pub ratio: f64,
    /// The gap per period.
    pub gaps: BTreeMap<i64, f64>,
}

/// The placebo test in space.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Placebos {
    /// The treated unit first, then each donor as if treated.
    pub units: Vec<PlaceboRow>,
    /// Rank of the treated unit's ratio (1 = largest).
    pub rank: usize,
    /// rank / (J + 1).
    pub p_value: f64,
    /// 1 / (J + 1): the smallest p-value this test can give.
    pub smallest_p_value: f64,
    #[serde(skip)]
    notes: Vec<String>,
    #[serde(skip)]
    stem: String,
}

const PLACEBO_COLS: &[Col<PlaceboRow>] = &[
    Col {
        name: "unit",
        unit: "",
        meaning: "Unit (the treated one, or a donor refitted as if treated).",
        decimals: None,
        get: |r| (&r.unit).into(),
    },
    Col {
        name: "treated",
        unit: "",
        meaning: "Whether it is the treated unit.",
        decimals: None,
        get: |r| r.treated.into(),
    },
    Col {
        name: "rmspe_pre",
        unit: "",
        meaning: "Root mean squared gap before the treatment year.",
        decimals: Some(4),
        get: |r| r.rmspe_pre.into(),
    },
    Col {
        name: "rmspe_post",
        unit: "",
        meaning: "Root mean squared gap from the treatment year on.",
        decimals: Some(4),
        get: |r| r.rmspe_post.into(),
    },
    Col {
        name: "ratio",
        unit: "",
        meaning: "rmspe_post / rmspe_pre.",
        decimals: Some(3),
        get: |r| r.ratio.into(),
    },
];

impl Tabular for Placebos {
    fn table(&self) -> Table {
        Table::of(PLACEBO_COLS, &self.units)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-placebo", self.stem)
    }
}

/// The predictor balance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BalanceTable {
    /// The rows.
    pub rows: Vec<an::Balance>,
    #[serde(skip)]
    notes: Vec<String>,
    #[serde(skip)]
    stem: String,
}

const BALANCE_COLS: &[Col<an::Balance>] = &[
    Col {
        name: "predictor",
        unit: "",
        meaning: "Predictor.",
        decimals: None,
        get: |r| (&r.predictor).into(),
    },
    Col {
        name: "v",
        unit: "",
        meaning: "Its weight in V.",
        decimals: Some(4),
        get: |r| r.v.into(),
    },
    Col {
        name: "treated",
        unit: "",
        meaning: "The treated unit's value.",
        decimals: Some(3),
        get: |r| r.treated.into(),
    },
    Col {
        name: "synthetic",
        unit: "",
        meaning: "The synthetic unit's value.",
        decimals: Some(3),
        get: |r| r.synthetic.into(),
    },
    Col {
        name: "sample_mean",
        unit: "",
        meaning: "The donors' mean.",
        decimals: Some(3),
        get: |r| r.sample_mean.into(),
    },
];

impl Tabular for BalanceTable {
    fn table(&self) -> Table {
        Table::of(BALANCE_COLS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("{}-balance", self.stem)
    }
}

/// The ATT and its standard error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Att {
    /// Mean gap over the ATT years.
    pub att: Option<f64>,
    /// sd(gaps, ddof 1)/√n (`pysyncon`'s `att()`).
    pub se: Option<f64>,
    /// The ATT years.
    pub years: Vec<i64>,
}

/// The placebo test in time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceboTime {
    /// The fake treatment year.
    pub year: i64,
    /// Mean gap from the fake year to the real treatment year (exclusive).
    pub att: Option<f64>,
    /// RMSPE before the fake year.
    pub rmspe_pre: Option<f64>,
    /// RMSPE from the fake year to the last period.
    pub rmspe_post: Option<f64>,
    /// The donor weights of that fit.
    pub weights: BTreeMap<String, f64>,
}

/// The ridge-augmented estimate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Augmented {
    /// The λ chosen by cross-validation.
    pub lambda: f64,
    /// The augmented weights (sum to one; may be negative).
    pub weights: BTreeMap<String, f64>,
    /// ATT over the ATT years with the augmented weights.
    pub att: Option<f64>,
    /// Estimated bias of the plain SCM estimate: ATT(SCM on pre-period outcomes) −
    /// ATT(augmented).
    pub bias: Option<f64>,
    /// L2 imbalance of the pre-period outcomes: SCM (before) and augmented (after).
    pub l2_imbalance: BTreeMap<&'static str, f64>,
    /// The same scaled by the imbalance of uniform weights.
    pub scaled_l2_imbalance: BTreeMap<&'static str, f64>,
}

/// A synthetic-control evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SynthResult {
    /// `evaluate-synth/1`.
    pub method_version: &'static str,
    /// The treated unit.
    pub treated: String,
    /// The outcome.
    pub outcome: String,
    /// The first treated year.
    pub treatment_year: i64,
    /// Donor weights.
    pub weights: Weights,
    /// Predictor weights.
    pub v: VTable,
    /// Gap per period.
    pub gaps: Gaps,
    /// RMSPE before the treatment year.
    pub rmspe_pre: Option<f64>,
    /// RMSPE from the treatment year on.
    pub rmspe_post: Option<f64>,
    /// The ATT.
    pub att: Att,
    /// The pre-period outcome loss V minimised (mean squared gap over the optimise years).
    pub mspe_optimize: f64,
    /// Whether Nelder–Mead met its tolerances (or V was given).
    pub converged: bool,
    /// Whether V came from the training stage.
    pub v_from_training: bool,
    /// The predictor balance.
    pub balance: BalanceTable,
    /// The placebo test in space, when asked for.
    pub placebo: Option<Placebos>,
    /// The placebo test in time, when the spec names a year.
    pub placebo_time: Option<PlaceboTime>,
    /// The ridge-augmented estimate, when asked for.
    pub augmented: Option<Augmented>,
    /// The caveats and what the figures are.
    pub notes: Vec<String>,
    /// The data read.
    pub sources: Vec<Source>,
}

impl SynthResult {
    /// The summary figures as a table.
    pub fn summary(&self) -> Summary {
        let mut rows = vec![
            SummaryRow {
                measure: "rmspe_pre".into(),
                value: self.rmspe_pre,
            },
            SummaryRow {
                measure: "rmspe_post".into(),
                value: self.rmspe_post,
            },
            SummaryRow {
                measure: "att".into(),
                value: self.att.att,
            },
            SummaryRow {
                measure: "att_se".into(),
                value: self.att.se,
            },
        ];
        if let Some(p) = &self.placebo {
            rows.push(SummaryRow {
                measure: "placebo_p_value".into(),
                value: Some(p.p_value),
            });
        }
        if let Some(a) = &self.augmented {
            rows.push(SummaryRow {
                measure: "augmented_lambda".into(),
                value: Some(a.lambda),
            });
            rows.push(SummaryRow {
                measure: "augmented_att".into(),
                value: a.att,
            });
            rows.push(SummaryRow {
                measure: "augmented_bias".into(),
                value: a.bias,
            });
        }
        Summary {
            rows,
            notes: self.notes.clone(),
            stem: self.weights.stem.clone(),
        }
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// The largest spec file read, in bytes.
pub const MAX_SPEC_FILE: u64 = 4 << 20;

/// The longest year range a spec may write (`"a..b"`).
pub const MAX_RANGE_YEARS: i64 = 1_000;

fn input(msg: impl Into<String>) -> Error {
    Error::Input(msg.into())
}

/// Reads a spec file (TOML) and evaluates it; `data` is taken relative to the spec.
pub fn evaluate_file(spec_path: &Path, opts: &Options) -> Result<SynthResult> {
    let bytes = indmon_sources::input::read_regular(spec_path, MAX_SPEC_FILE)?;
    let text = String::from_utf8(bytes).map_err(|e| {
        input(format!(
            "{}: the spec is not UTF-8 text: {e}",
            spec_path.display()
        ))
    })?;
    let spec: Spec =
        toml::from_str(&text).map_err(|e| input(format!("{}: {e}", spec_path.display())))?;
    let data = spec.data.as_ref().ok_or_else(|| {
        input(format!(
            "{}: the spec has no `data` (the panel file)",
            spec_path.display()
        ))
    })?;
    let data = spec_path.parent().map_or(data.clone(), |d| d.join(data));
    // the unit column holds names: no variable can be read from it as numbers
    if let Some(v) = variables(&spec).into_iter().find(|v| *v == spec.unit) {
        return Err(input(format!(
            "{}: `{v}` is the unit column (`unit`), which holds the units' names: the outcome and the predictors must be columns of numbers",
            spec_path.display()
        )));
    }
    let mut wanted: Vec<(&str, Want)> = vec![
        (spec.unit.as_str(), Want::Text),
        (spec.time.as_str(), Want::Number),
    ];
    for v in variables(&spec) {
        if !wanted.iter().any(|(n, _)| *n == v) {
            wanted.push((v, Want::Number));
        }
    }
    let table = read_table(&data, &wanted)?;
    evaluate(&table, &spec, opts).map_err(|e| match e {
        Error::Input(m) if !m.starts_with(&table.file().to_string()) => {
            input(format!("{}: {m}", spec_path.display()))
        }
        other => other,
    })
}

fn variables(spec: &Spec) -> Vec<&str> {
    let mut v = vec![spec.outcome.as_str()];
    v.extend(spec.predictors.iter().map(String::as_str));
    v.extend(spec.special_predictors.iter().map(|s| s.variable.as_str()));
    if let Some(t) = &spec.training {
        v.extend(t.special_predictors.iter().map(|s| s.variable.as_str()));
    }
    v
}

/// A year set, in order and each year once (pysyncon selects years with `isin`: a year
/// listed twice counts once).
fn years(y: &Years, what: &str) -> Result<Vec<i64>> {
    let mut v = y.resolve().map_err(|m| input(format!("{what}: {m}")))?;
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

fn predictors(
    names: &[String],
    op: OpName,
    pyears: Option<&Years>,
    special: &[SpecialPredictor],
    what: &str,
) -> Result<Vec<Predictor>> {
    let mut out = Vec::new();
    if !names.is_empty() {
        let ys = match pyears {
            Some(y) => years(y, &format!("{what}predictor_years"))?,
            None => {
                return Err(input(format!(
                    "`{what}predictor_years` is needed for the predictors"
                )));
            }
        };
        for n in names {
            out.push(Predictor {
                label: n.clone(),
                variable: n.clone(),
                years: ys.clone(),
                op: op.into(),
            });
        }
    }
    for (i, s) in special.iter().enumerate() {
        out.push(Predictor {
            label: format!("special.{}.{}", i + 1, s.variable),
            variable: s.variable.clone(),
            years: years(&s.years, &format!("{what}special_predictors[{i}].years"))?,
            op: s.op.into(),
        });
    }
    Ok(out)
}

/// The table's row of each (unit index, year).
type RowIndex = HashMap<(usize, i64), usize>;

/// Builds the analytics panel from the table: units in order of first appearance,
/// whole-year periods; a repeated (unit, year) and a time that is missing or not a
/// whole number are errors naming the line.
fn panel(table: &PanelTable, spec: &Spec, vars: &[&str]) -> Result<(Panel, RowIndex)> {
    let units_col = table.text(&spec.unit);
    let time_col = table.number(&spec.time);
    let mut units: Vec<String> = Vec::new();
    let mut unit_ix: HashMap<&str, usize> = HashMap::new();
    let mut times = Vec::with_capacity(table.rows());
    for r in 0..table.rows() {
        let u = units_col[r].as_str();
        if !unit_ix.contains_key(u) {
            unit_ix.insert(u, units.len());
            units.push(u.to_owned());
        }
        let t = match time_col[r] {
            Some(t) if t.fract() == 0.0 && t.abs() < 1e9 => t as i64,
            _ => return Err(table.error_at(r, &spec.time, "the time must be a whole year")),
        };
        times.push(t);
    }
    let mut vlist: Vec<String> = Vec::new();
    for v in vars {
        if !vlist.iter().any(|x| x == v) {
            vlist.push((*v).to_owned());
        }
    }
    let mut p = Panel::new(units, times.clone(), vlist.clone());
    let mut seen: HashMap<(usize, i64), usize> = HashMap::new();
    let cols: Vec<&[Option<f64>]> = vlist.iter().map(|v| table.number(v)).collect();
    for r in 0..table.rows() {
        let u = unit_ix[units_col[r].as_str()];
        if let Some(first) = seen.insert((u, times[r]), r) {
            return Err(table.error_at(
                r,
                &spec.unit,
                format!(
                    "unit `{}` appears twice in {} (first on line {}): a panel has one row per unit and year",
                    units_col[r],
                    times[r],
                    table.line(first)
                ),
            ));
        }
        let t = p.times().binary_search(&times[r]).expect("time was added");
        for (k, c) in cols.iter().enumerate() {
            p.set(k, u, t, c[r]);
        }
    }
    Ok((p, seen))
}

/// Evaluates a spec on a panel table (a file read by [`read_table`], or a panel built
/// in code by a preset with [`PanelTable::built`]).
pub fn evaluate(table: &PanelTable, spec: &Spec, opts: &Options) -> Result<SynthResult> {
    let vars = variables(spec);
    let (panel, rows) = panel(table, spec, &vars)?;
    if panel.unit(&spec.treated).is_none() {
        return Err(input(format!(
            "the treated unit `{}` is not in {}",
            spec.treated,
            table.file()
        )));
    }
    let controls: Vec<String> = match &spec.controls {
        Some(c) => c.clone(),
        None => panel
            .units()
            .iter()
            .filter(|u| **u != spec.treated)
            .cloned()
            .collect(),
    };
    let preds = predictors(
        &spec.predictors,
        spec.predictors_op,
        spec.predictor_years.as_ref(),
        &spec.special_predictors,
        "",
    )?;
    if preds.is_empty() {
        return Err(input(
            "the spec has no predictors (`predictors` or `special_predictors`)",
        ));
    }
    let att_years = spec
        .att_years
        .as_ref()
        .map(|y| years(y, "att_years"))
        .transpose()?;
    let treatment_year = match (spec.treatment_year, &att_years) {
        (Some(t), _) => t,
        (None, Some(a)) if !a.is_empty() => *a.iter().min().expect("non-empty"),
        _ => return Err(input("the spec needs `treatment_year` or `att_years`")),
    };
    let last = panel.times().last().copied().unwrap_or(i64::MIN);
    if treatment_year > last {
        return Err(input(format!(
            "the treatment year {treatment_year} is after the panel's last period {last}: there is nothing to compare after the treatment"
        )));
    }
    let att_years = att_years.unwrap_or_else(|| {
        panel
            .times()
            .iter()
            .copied()
            .filter(|t| *t >= treatment_year)
            .collect()
    });
    let training = match &spec.training {
        Some(t) => {
            let tp = predictors(
                &spec.predictors,
                spec.predictors_op,
                t.predictor_years.as_ref().or(spec.predictor_years.as_ref()),
                if t.special_predictors.is_empty() {
                    &spec.special_predictors
                } else {
                    &t.special_predictors
                },
                "training.",
            )?;
            Some(Training {
                predictors: tp,
                optimize_years: years(&t.optimize_years, "training.optimize_years")?,
            })
        }
        None => None,
    };
    let design = Design {
        outcome: spec.outcome.clone(),
        treated: spec.treated.clone(),
        controls,
        predictors: preds,
        optimize_years: years(&spec.optimize_years, "optimize_years")?,
        treatment_year,
        att_years,
        training,
        custom_v: None,
        outer: an::Outer {
            method: match spec.optim_method {
                OptimMethodName::NelderMead => an::OptimMethod::NelderMead,
                OptimMethodName::Bfgs => an::OptimMethod::Bfgs,
            },
            initial: match spec.optim_initial {
                OptimInitialName::Equal => an::OptimInitial::Equal,
                OptimInitialName::Ols => an::OptimInitial::Ols,
            },
        },
    };
    let nm = NelderMead::default();
    let to_err = |e: SynthError| -> Error {
        match e {
            SynthError::MissingOutcome {
                unit,
                variable,
                year,
            } => {
                let msg = format!(
                    "unit `{unit}` has no value of the outcome `{variable}` in {year}: the synthetic control needs the outcome of the treated unit and of every donor in every period of the panel (leave the unit out of `controls`, or the year out of the file)"
                );
                match panel.unit(&unit).and_then(|u| rows.get(&(u, year))) {
                    Some(&r) => table.error_at(r, &variable, msg),
                    None => input(format!("{}: no row for {msg}", table.file())),
                }
            }
            SynthError::MissingPredictor { .. } => input(format!("{}: {e}", table.file())),
            SynthError::Design(m) => input(m),
        }
    };
    let e = an::estimate(&panel, &design, &nm).map_err(to_err)?;
    let stem = format!("indmon-synth-{}", slug(&spec.treated));
    let source = table.source();
    let mut notes = vec![format!(
        "Synthetic control for {} (outcome `{}`, treatment from {}): donor weights on the simplex minimising the V-weighted distance of the predictors; V by {} from {} minimising the mean squared gap over the optimise years{} (method {METHOD_VERSION}, as pysyncon's Synth).",
        spec.treated,
        spec.outcome,
        treatment_year,
        match spec.optim_method {
            OptimMethodName::NelderMead => "Nelder–Mead",
            OptimMethodName::Bfgs => "BFGS",
        },
        match spec.optim_initial {
            OptimInitialName::Equal => "equal weights",
            OptimInitialName::Ols => "the OLS-based V",
        },
        if e.training.is_some() {
            ", fitted on the training stage and reused (Abadie, Diamond & Hainmueller 2015)"
        } else {
            ""
        }
    )];
    // Caveats: pre-fit quality, donors, the meaning of the placebo p-value.
    let pre_level: Vec<f64> = e
        .periods
        .iter()
        .zip(&e.treated_path)
        .filter(|(p, _)| **p < treatment_year)
        .map(|(_, y)| y.abs())
        .collect();
    let level = pre_level.iter().sum::<f64>() / pre_level.len().max(1) as f64;
    if level > 0.0 {
        notes.push(format!(
            "Pre-treatment fit: RMSPE {:.4} is {:.1} % of the treated unit's mean outcome level before {} ({}).",
            e.rmspe_pre,
            100.0 * e.rmspe_pre / level,
            treatment_year,
            if e.rmspe_pre / level < 0.05 { "a close fit" } else { "a loose fit: the gaps after treatment mix effect and misfit" }
        ));
    }
    let positive = e.fit.weights.iter().filter(|w| **w > 1e-6).count();
    notes.push(format!(
        "{} donors, {} with positive weight; the synthetic unit is a convex combination of them and cannot reach outcomes outside their range.",
        e.donors.len(),
        positive
    ));
    if e.fit.several_optima {
        notes.push("Several weightings match the predictors exactly; the one shown fits the pre-treatment outcome best (the smallest mean squared gap over the optimise years among them).".into());
    }
    if !e.fit.converged {
        notes.push(match spec.optim_method {
            OptimMethodName::NelderMead => "Nelder–Mead stopped at its iteration limit before meeting its tolerances: V may not be optimal.".to_string(),
            OptimMethodName::Bfgs => "BFGS stopped before meeting its gradient tolerance (its line search found no acceptable step, or the iteration limit): V may not be optimal.".to_string(),
        });
    }
    let placebo = if opts.placebo {
        let p = an::placebo_in_space(&panel, &design, &nm).map_err(to_err)?;
        let n = p.units.len();
        notes.push(format!(
            "Placebo test in space: each of the {} donors refitted as if treated; the treated unit's post/pre RMSPE ratio ranks {} of {} (p = {:.3}). With {} units the smallest attainable p-value is 1/{} = {:.3}: a permutation p-value says how unusual the treated unit's divergence is among these units, not a sampling probability.",
            n - 1,
            p.rank,
            n,
            p.p_value,
            n,
            n,
            1.0 / n as f64
        ));
        Some(Placebos {
            smallest_p_value: 1.0 / n as f64,
            rank: p.rank,
            p_value: p.p_value,
            units: p
                .units
                .into_iter()
                .map(|u| PlaceboRow {
                    gaps: e
                        .periods
                        .iter()
                        .copied()
                        .zip(u.gaps.iter().copied())
                        .collect(),
                    unit: u.unit,
                    treated: u.treated,
                    rmspe_pre: u.rmspe_pre,
                    rmspe_post: u.rmspe_post,
                    ratio: u.ratio,
                })
                .collect(),
            notes: notes.clone(),
            stem: stem.clone(),
        })
    } else {
        None
    };
    let placebo_time = match spec.placebo_year {
        Some(y) => {
            let t = an::placebo_in_time(&panel, &design, y, &nm).map_err(to_err)?;
            notes.push(format!(
                "Placebo test in time: refitted as if treatment began in {y} (every year set cut before it); mean gap {y}–{}: {:.4}.",
                treatment_year - 1,
                t.att
            ));
            Some(PlaceboTime {
                year: y,
                att: finite(t.att),
                rmspe_pre: finite(t.rmspe_pre),
                rmspe_post: finite(t.rmspe_post),
                weights: t
                    .donors
                    .iter()
                    .cloned()
                    .zip(t.fit.weights.iter().copied())
                    .collect(),
            })
        }
        None => None,
    };
    let augmented = if opts.augment_ridge {
        Some(augment(&panel, &design, &e, &mut notes)?)
    } else {
        None
    };
    if !table.is_built() {
        notes.push(format!(
            "Data: {} (sha256 {}).",
            table.file(),
            table.sha256()
        ));
    }
    let gaps = e.gaps();
    Ok(SynthResult {
        method_version: METHOD_VERSION,
        treated: spec.treated.clone(),
        outcome: spec.outcome.clone(),
        treatment_year,
        weights: Weights {
            rows: e
                .donors
                .iter()
                .zip(&e.fit.weights)
                .map(|(u, w)| WeightRow {
                    unit: u.clone(),
                    weight: *w,
                })
                .collect(),
            notes: notes.clone(),
            stem: stem.clone(),
        },
        v: VTable {
            rows: design
                .predictors
                .iter()
                .zip(&e.fit.v)
                .map(|(p, v)| VRow {
                    predictor: p.label.clone(),
                    v: *v,
                })
                .collect(),
            notes: notes.clone(),
            stem: stem.clone(),
        },
        gaps: Gaps {
            rows: (0..e.periods.len())
                .map(|i| GapRow {
                    period: e.periods[i],
                    treated: e.treated_path[i],
                    synthetic: e.synthetic_path[i],
                    gap: gaps[i],
                })
                .collect(),
            notes: notes.clone(),
            stem: stem.clone(),
        },
        rmspe_pre: finite(e.rmspe_pre),
        rmspe_post: finite(e.rmspe_post),
        att: Att {
            att: finite(e.att),
            se: finite(e.att_se),
            years: e.att_years.clone(),
        },
        mspe_optimize: e.fit.loss_v,
        converged: e.fit.converged,
        v_from_training: e.training.is_some(),
        balance: BalanceTable {
            rows: e.balance.clone(),
            notes: notes.clone(),
            stem: stem.clone(),
        },
        placebo,
        placebo_time,
        augmented,
        notes,
        sources: vec![source],
    })
}

fn augment(
    panel: &Panel,
    design: &Design,
    e: &an::Estimate,
    notes: &mut Vec<String>,
) -> Result<Augmented> {
    let out = panel.variable(&design.outcome).expect("outcome in panel");
    let pre: Vec<usize> = (0..panel.times().len())
        .filter(|&t| panel.times()[t] < design.treatment_year)
        .collect();
    let series = |u: &str, ts: &[usize]| -> Vec<f64> {
        let u = panel.unit(u).expect("unit in panel");
        ts.iter()
            .map(|&t| panel.get(out, u, t).unwrap_or(f64::NAN))
            .collect()
    };
    let x0: Vec<Vec<f64>> = e.donors.iter().map(|d| series(d, &pre)).collect();
    let x1 = series(&e.treated, &pre);
    let f = ridge::ridge_augment(&x0, &x1, None).ok_or_else(|| {
        input(
            "the ridge-augmented fit needs at least two pre-treatment periods and a regular design",
        )
    })?;
    let att_t: Vec<usize> = design
        .att_years
        .iter()
        .filter_map(|y| panel.times().binary_search(y).ok())
        .collect();
    let y1 = series(&e.treated, &att_t);
    let y0: Vec<Vec<f64>> = e.donors.iter().map(|d| series(d, &att_t)).collect();
    let att_of = |w: &[f64]| -> Option<f64> {
        if att_t.is_empty() {
            return None;
        }
        let g: f64 = (0..att_t.len())
            .map(|i| y1[i] - w.iter().zip(&y0).map(|(a, y)| a * y[i]).sum::<f64>())
            .sum();
        finite(g / att_t.len() as f64)
    };
    let att = att_of(&f.weights);
    let att_scm = att_of(&f.scm_weights);
    let bias = match (att_scm, att) {
        (Some(a), Some(b)) => Some(a - b),
        _ => None,
    };
    notes.push(format!(
        "Ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein 2021; augsynth progfunc=\"Ridge\", scm=TRUE): SCM on the {} pre-treatment outcomes with a ridge correction, λ = {:.4e} by leave-one-period-out cross-validation (largest λ within one standard error of the minimum); the augmented weights may be negative. Its SCM weights fit the pre-period outcomes only, not the predictors above.",
        pre.len(),
        f.lambda
    ));
    Ok(Augmented {
        lambda: f.lambda,
        weights: e
            .donors
            .iter()
            .cloned()
            .zip(f.weights.iter().copied())
            .collect(),
        att,
        bias,
        l2_imbalance: [("scm", f.l2_imbalance_scm), ("augmented", f.l2_imbalance)]
            .into_iter()
            .collect(),
        scaled_l2_imbalance: [
            ("scm", f.scaled_l2_imbalance_scm),
            ("augmented", f.scaled_l2_imbalance),
        ]
        .into_iter()
        .collect(),
    })
}

fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_owned()
}

// ---------------------------------------------------------------------------------
// One part of a result at a time (the command line's and the API's `--table`)

/// The part of a result written as CSV (and, except for `gaps`, as JSON: the JSON of
/// `gaps` is the whole result).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SynthTable {
    /// RMSPE, ATT and its SE, the p-value.
    Summary,
    /// Donor weights.
    Weights,
    /// Predictor weights V.
    V,
    /// Treated, synthetic and gap per period (JSON: the whole result).
    #[default]
    Gaps,
    /// The placebo test in space.
    Placebo,
    /// Predictor balance.
    Balance,
}

/// One part of a result, ready to be written ([`SynthResult::part`]).
pub enum SynthPart<'a> {
    /// The whole result (JSON), its gaps (table, CSV).
    Whole(&'a SynthResult),
    /// The summary.
    Summary(Summary),
    /// The donor weights.
    Weights(&'a Weights),
    /// V.
    V(&'a VTable),
    /// The placebo test.
    Placebo(&'a Placebos),
    /// The balance.
    Balance(&'a BalanceTable),
}

impl SynthResult {
    /// Table `p` of the result; the placebo test is there only when it was run.
    pub fn part(&self, p: SynthTable) -> Result<SynthPart<'_>> {
        Ok(match p {
            SynthTable::Gaps => SynthPart::Whole(self),
            SynthTable::Summary => SynthPart::Summary(self.summary()),
            SynthTable::Weights => SynthPart::Weights(&self.weights),
            SynthTable::V => SynthPart::V(&self.v),
            SynthTable::Balance => SynthPart::Balance(&self.balance),
            SynthTable::Placebo => SynthPart::Placebo(self.placebo.as_ref().ok_or_else(|| {
                Error::Invalid("the placebo table needs the placebo test (--placebo)".into())
            })?),
        })
    }

    /// The result in one sentence, with its numbers, for an evaluation record of the
    /// ledger: method, estimate, its standard error, the placebo p-value, the fit.
    pub fn finding(&self) -> String {
        let num = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{v:.3}"));
        let years = match (self.att.years.first(), self.att.years.last()) {
            (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
            (Some(a), _) => a.to_string(),
            _ => "no years".into(),
        };
        let mut s = format!(
            "Synthetic control ({}): average gap of {} in `{}` against its synthetic twin over {years}: {} (SE {}); pre-treatment RMSPE {}",
            self.method_version,
            self.treated,
            self.outcome,
            num(self.att.att),
            num(self.att.se),
            num(self.rmspe_pre),
        );
        if let Some(p) = &self.placebo {
            s.push_str(&format!(
                "; placebo p-value {:.3} (rank {} of {} units, smallest attainable {:.3})",
                p.p_value,
                p.rank,
                p.units.len(),
                p.smallest_p_value
            ));
        }
        let donors: Vec<String> = self
            .weights
            .rows
            .iter()
            .filter(|w| w.weight >= 0.005)
            .map(|w| format!("{} {:.2}", w.unit, w.weight))
            .collect();
        s.push_str(&format!("; donors: {}.", donors.join(", ")));
        s
    }

    /// Puts `before` ahead of the notes of the result and of each of its parts, and
    /// replaces the sources (a panel built from the store cites its vintages).
    fn cite(&mut self, before: Vec<String>, sources: Vec<Source>) {
        let mut notes = before;
        notes.append(&mut self.notes);
        for n in [
            &mut self.weights.notes,
            &mut self.v.notes,
            &mut self.gaps.notes,
            &mut self.balance.notes,
        ] {
            n.clone_from(&notes);
        }
        if let Some(p) = &mut self.placebo {
            p.notes.clone_from(&notes);
        }
        self.notes = notes;
        self.sources = sources;
    }
}

macro_rules! each_part {
    ($self:expr, $x:ident => $e:expr) => {
        match $self {
            SynthPart::Whole(r) => {
                let $x = &r.gaps;
                $e
            }
            SynthPart::Summary($x) => $e,
            SynthPart::Weights($x) => $e,
            SynthPart::V($x) => $e,
            SynthPart::Placebo($x) => $e,
            SynthPart::Balance($x) => $e,
        }
    };
}

impl Serialize for SynthPart<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            SynthPart::Whole(r) => r.serialize(s),
            other => each_part!(other, x => x.serialize(s)),
        }
    }
}

impl Tabular for SynthPart<'_> {
    fn table(&self) -> Table {
        each_part!(self, x => x.table())
    }
    fn notes(&self) -> Vec<String> {
        match self {
            SynthPart::Whole(r) => r.notes.clone(),
            other => each_part!(other, x => x.notes()),
        }
    }
    fn file_stem(&self) -> String {
        each_part!(self, x => x.file_stem())
    }
}

// ---------------------------------------------------------------------------------
// The industry-share preset

/// A synthetic control of the industry share on the store (`--preset industry-share`).
#[derive(Debug, Clone)]
pub struct PresetRequest {
    /// The panel.
    pub panel: super::preset::IndustryShareRequest,
    /// Placebos, augmentation.
    pub options: Options,
}

/// The synthetic control of the `industry-share` preset: the panel of
/// [`super::preset::industry_share_panel`], its pre-treatment windows of the share as
/// special predictors, V fitted on every pre-treatment year, the ATT over every year
/// from the treatment on; the vintages read are the sources.
pub async fn preset(
    store: &indmon_store::Store,
    catalog: &indmon_store::Catalog,
    req: &PresetRequest,
) -> Result<SynthResult> {
    let input = preset_input(store, catalog, req).await?;
    run_preset(input, &req.options)
}

/// What a preset's fit needs, read from the store ([`preset_input`]); the fit itself
/// ([`run_preset`]) reads nothing, so a server can run it on a thread of its own.
#[derive(Debug, Clone)]
pub struct PresetInput {
    panel: super::preset::PresetPanel,
    spec: Spec,
}

/// Reads the preset's panel from the store and builds its spec.
pub async fn preset_input(
    store: &indmon_store::Store,
    catalog: &indmon_store::Catalog,
    req: &PresetRequest,
) -> Result<PresetInput> {
    use super::preset::{SHARE, UNIT, YEAR, industry_share_panel};
    let p = industry_share_panel(store, catalog, &req.panel).await?;
    let years = |ys: &[i32]| Years::List(ys.iter().map(|&y| i64::from(y)).collect());
    let spec = Spec {
        data: None,
        unit: UNIT.into(),
        time: YEAR.into(),
        outcome: SHARE.into(),
        treated: p.treated.clone(),
        controls: Some(p.donors.clone()),
        predictors: Vec::new(),
        predictors_op: OpName::Mean,
        predictor_years: None,
        special_predictors: p
            .windows
            .iter()
            .map(|&(a, b)| SpecialPredictor {
                variable: SHARE.into(),
                years: Years::Range(format!("{a}..{b}")),
                op: OpName::Mean,
            })
            .collect(),
        optimize_years: years(&p.pre_years),
        treatment_year: Some(i64::from(req.panel.treatment_year)),
        att_years: Some(years(&p.post_years)),
        placebo_year: None,
        training: None,
        optim_method: OptimMethodName::default(),
        optim_initial: OptimInitialName::default(),
    };
    Ok(PresetInput { panel: p, spec })
}

/// Fits a preset read by [`preset_input`].
pub fn run_preset(input: PresetInput, options: &Options) -> Result<SynthResult> {
    let PresetInput { panel: p, spec } = input;
    let mut r = evaluate(&p.table, &spec, options)?;
    let mut before = vec![format!(
        "Outcome `{}`: {} (percent).",
        super::preset::SHARE,
        p.definition
    )];
    before.extend(p.notes);
    r.cite(before, p.sources);
    Ok(r)
}
