//! Typed reads: what a caller wants from one table — columns, conditions, groups and
//! aggregates — as a value, turned into a DataFusion plan with its expression API.
//! No SQL text is built, so no value is ever quoted: a country code with a quote in it
//! is a literal like any other.
//!
//! ```
//! use indmon_store::{Agg, Cond, Select};
//! let q = Select::from("na_obs")
//!     .columns(["geo", "time", "value"])
//!     .filter(Cond::is_in("geo", ["NL", "DE"]))
//!     .filter(Cond::eq("nace", "C"))
//!     .filter(Cond::not_null("value"))
//!     .order_by(["geo", "time"]);
//! let totals = Select::from("baci_hs17").group_by(["t", "i"]).agg(Agg::Sum("v".into()));
//! # let _ = (q, totals);
//! ```

use datafusion::common::Column;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct, max, min, sum};
use datafusion::logical_expr::{Expr, SortExpr, lit};
use datafusion::prelude::DataFrame;

use crate::Result;

/// A literal compared with a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number.
    Float(f64),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<&String> for Value {
    fn from(s: &String) -> Self {
        Value::Text(s.clone())
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v.into())
    }
}
impl From<u16> for Value {
    fn from(v: u16) -> Self {
        Value::Int(v.into())
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(v.into())
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl Value {
    fn expr(&self) -> Expr {
        match self {
            Value::Text(s) => lit(s.clone()),
            Value::Int(v) => lit(*v),
            Value::Float(v) => lit(*v),
        }
    }
}

/// A condition on one column; a selection keeps the rows that meet all of its
/// conditions.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// column = value
    Eq(String, Value),
    /// column is one of the values (an empty list keeps no row)
    In(String, Vec<Value>),
    /// column ≥ value
    Ge(String, Value),
    /// column ≤ value
    Le(String, Value),
    /// column is not missing
    NotNull(String),
}

impl Cond {
    /// `column = value`.
    pub fn eq(column: &str, value: impl Into<Value>) -> Self {
        Cond::Eq(column.to_owned(), value.into())
    }
    /// `column` is one of `values`.
    pub fn is_in<V: Into<Value>>(column: &str, values: impl IntoIterator<Item = V>) -> Self {
        Cond::In(
            column.to_owned(),
            values.into_iter().map(Into::into).collect(),
        )
    }
    /// `column ≥ value`.
    pub fn ge(column: &str, value: impl Into<Value>) -> Self {
        Cond::Ge(column.to_owned(), value.into())
    }
    /// `column ≤ value`.
    pub fn le(column: &str, value: impl Into<Value>) -> Self {
        Cond::Le(column.to_owned(), value.into())
    }
    /// `column` is not missing.
    pub fn not_null(column: &str) -> Self {
        Cond::NotNull(column.to_owned())
    }

    fn expr(&self) -> Expr {
        match self {
            Cond::Eq(c, v) => col(c).eq(v.expr()),
            Cond::In(c, vs) if vs.is_empty() => lit(false),
            Cond::In(c, vs) => col(c).in_list(vs.iter().map(Value::expr).collect(), false),
            Cond::Ge(c, v) => col(c).gt_eq(v.expr()),
            Cond::Le(c, v) => col(c).lt_eq(v.expr()),
            Cond::NotNull(c) => col(c).is_not_null(),
        }
    }
}

/// An aggregate over the rows of a group.
#[derive(Debug, Clone, PartialEq)]
pub enum Agg {
    /// Sum of a column.
    Sum(String),
    /// Largest value of a column.
    Max(String),
    /// Smallest value of a column.
    Min(String),
    /// Number of distinct values of a column.
    CountDistinct(String),
    /// Number of rows.
    Count,
}

impl Agg {
    fn expr(&self, i: usize) -> Expr {
        let e = match self {
            Agg::Sum(c) => sum(col(c)),
            Agg::Max(c) => max(col(c)),
            Agg::Min(c) => min(col(c)),
            Agg::CountDistinct(c) => count_distinct(col(c)),
            Agg::Count => count(lit(1)),
        };
        e.alias(format!("agg_{i}"))
    }
}

/// A column by its exact name (never parsed: `a.b` is a column named `a.b`).
fn col(name: &str) -> Expr {
    Expr::Column(Column::from_name(name))
}

/// One read from one table: the rows that meet every condition, as the listed columns;
/// or, with groups or aggregates, one row per group: the group columns, then the
/// aggregates in the order given.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub(crate) table: String,
    columns: Vec<String>,
    grouped: bool,
    aggs: Vec<Agg>,
    conds: Vec<Cond>,
    order: Vec<String>,
    limit: Option<usize>,
}

impl Select {
    /// Every column of `table` (a dataset id, `<dataset>__vintages`, `na_obs`,
    /// `na_obs__vintages` or `indmon_catalog`; see [`crate::query`]).
    pub fn from(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            columns: Vec::new(),
            grouped: false,
            aggs: Vec::new(),
            conds: Vec::new(),
            order: Vec::new(),
            limit: None,
        }
    }

    /// The columns to return, in this order.
    pub fn columns<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.columns = columns.into_iter().map(|c| c.as_ref().to_owned()).collect();
        self
    }

    /// Groups by these columns (returned first, in this order).
    pub fn group_by<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.grouped = true;
        self.columns(columns)
    }

    /// Adds an aggregate (with no groups: one row over all selected rows).
    pub fn agg(mut self, a: Agg) -> Self {
        self.aggs.push(a);
        self
    }

    /// Adds a condition.
    pub fn filter(mut self, c: Cond) -> Self {
        self.conds.push(c);
        self
    }

    /// Sorts by these columns, ascending, missing values last.
    pub fn order_by<S: AsRef<str>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.order = columns.into_iter().map(|c| c.as_ref().to_owned()).collect();
        self
    }

    /// At most `n` rows.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n);
        self
    }

    /// The plan on a table already opened as a data frame.
    pub(crate) fn plan(&self, mut df: DataFrame) -> Result<DataFrame> {
        if let Some(cond) = self.conds.iter().map(Cond::expr).reduce(Expr::and) {
            df = df.filter(cond)?;
        }
        if self.grouped || !self.aggs.is_empty() {
            let groups: Vec<Expr> = self.columns.iter().map(|c| col(c)).collect();
            let aggs: Vec<Expr> = self
                .aggs
                .iter()
                .enumerate()
                .map(|(i, a)| a.expr(i))
                .collect();
            df = df.aggregate(groups, aggs)?;
        } else if !self.columns.is_empty() {
            df = df.select(self.columns.iter().map(|c| col(c)).collect::<Vec<_>>())?;
        }
        if !self.order.is_empty() {
            let sort: Vec<SortExpr> = self
                .order
                .iter()
                .map(|c| col(c).sort(true, false))
                .collect();
            df = df.sort(sort)?;
        }
        if let Some(n) = self.limit {
            df = df.limit(0, Some(n))?;
        }
        Ok(df)
    }
}
