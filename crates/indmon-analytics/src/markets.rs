//! Indicators of the priority markets: a market is a set of HS6 products (from the
//! taxonomy); its trade indicators for a reporting unit (a country, or a group such as
//! the EU27 summed over its members) follow from bilateral trade.
//!
//! For unit u, market m (its products present in the data), year t, with x the value of
//! exports, X_u the unit's exports of all products in the data, X_m the world's exports
//! of the market's products and X the world's exports of all products in the data:
//!
//! - exports x_um = Σ_{k∈m} x_uk, imports likewise, balance = exports − imports;
//! - world-export share = x_um / X_m;
//! - RCA (Balassa) = (x_um / X_u) / (X_m / X);
//! - export growth = x_um,t / x_um,t−1 − 1 (previous calendar year in the data);
//! - products with RCA ≥ 1: the number of k ∈ m with (x_uk / X_u) / (X_k / X) ≥ 1;
//! - average PCI: the unweighted mean PCI of the market's products that have one.
//!
//! A group's figures are those of the sum of its members (trade between members
//! included), so that the group and its members are on the same world denominator.
//! "World" is every exporter in the data; when the data hold only some products, the
//! totals are over those products and the caller says so.
//!
//! [`trend`] fits ln(value) on the year by least squares and tests the slope with
//! Student's t (n − 2 degrees of freedom): a direction only where the slope differs
//! from zero at the chosen level, else "no significant trend".

use crate::stats::{LineFit, line_fit};

/// Version of these formulas, shown with every result.
pub const METHOD_VERSION: &str = "markets/1";

/// The trade of some reporting units in some products over years. Flat arrays in
/// row-major order: `exports[(y · units + u) · products + p]`.
#[derive(Debug, Clone, Default)]
pub struct TradeCube {
    /// The years, ascending.
    pub years: Vec<i32>,
    /// The reporting units (country codes or group names).
    pub units: Vec<String>,
    /// The products (HS6 codes).
    pub products: Vec<String>,
    /// Exports of unit u of product p in year y.
    pub exports: Vec<f64>,
    /// Imports of unit u of product p in year y.
    pub imports: Vec<f64>,
    /// Exports of unit u of all products in the data, per year: `[y · units + u]`.
    pub unit_total: Vec<f64>,
    /// World exports of product p, per year: `[y · products + p]`.
    pub world_product: Vec<f64>,
    /// World exports of all products in the data, per year.
    pub world_total: Vec<f64>,
}

impl TradeCube {
    /// An all-zero cube of the given shape.
    pub fn zeros(years: Vec<i32>, units: Vec<String>, products: Vec<String>) -> Self {
        let (ny, nu, np) = (years.len(), units.len(), products.len());
        Self {
            exports: vec![0.0; ny * nu * np],
            imports: vec![0.0; ny * nu * np],
            unit_total: vec![0.0; ny * nu],
            world_product: vec![0.0; ny * np],
            world_total: vec![0.0; ny],
            years,
            units,
            products,
        }
    }

    /// Index into `exports` / `imports`.
    pub fn at(&self, y: usize, u: usize, p: usize) -> usize {
        (y * self.units.len() + u) * self.products.len() + p
    }

    /// RCA of unit u in product p in year y; `None` when undefined (the unit or the
    /// world exports nothing of it).
    pub fn product_rca(&self, y: usize, u: usize, p: usize) -> Option<f64> {
        let xu = self.unit_total[y * self.units.len() + u];
        let xk = self.world_product[y * self.products.len() + p];
        let x = self.world_total[y];
        (xu > 0.0 && xk > 0.0 && x > 0.0).then(|| (self.exports[self.at(y, u, p)] / xu) / (xk / x))
    }
}

/// The indicators of one market for one unit and year.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    /// The year.
    pub year: i32,
    /// Index of the unit in the cube.
    pub unit: usize,
    /// Exports of the market's products.
    pub exports: f64,
    /// Imports of the market's products.
    pub imports: f64,
    /// Exports − imports.
    pub balance: f64,
    /// Share of world exports of the market; `None` when the world exports none.
    pub world_share: Option<f64>,
    /// Balassa RCA of the market; `None` when undefined.
    pub rca: Option<f64>,
    /// Growth of exports on the previous calendar year; `None` without one or from 0.
    pub growth: Option<f64>,
    /// Market products with world exports in this year.
    pub products: usize,
    /// Of these, the products in which the unit has RCA ≥ 1.
    pub products_rca1: usize,
    /// Unweighted mean PCI of the market's products that have one.
    pub avg_pci: Option<f64>,
}

/// The indicators of the market made of the cube's products `market` (indices), for
/// every year and unit, in that order. `pci[y · products + p]`, where given, is the
/// PCI of product p in year y.
pub fn indicators(
    cube: &TradeCube,
    market: &[usize],
    pci: Option<&[Option<f64>]>,
) -> Vec<Indicator> {
    let (nu, np) = (cube.units.len(), cube.products.len());
    let mut out = Vec::with_capacity(cube.years.len() * nu);
    for (y, &year) in cube.years.iter().enumerate() {
        let world_m: f64 = market.iter().map(|&p| cube.world_product[y * np + p]).sum();
        let world = cube.world_total[y];
        let present = market
            .iter()
            .filter(|&&p| cube.world_product[y * np + p] > 0.0)
            .count();
        let avg_pci = pci.and_then(|pci| {
            let v: Vec<f64> = market.iter().filter_map(|&p| pci[y * np + p]).collect();
            crate::stats::mean(&v)
        });
        let prev = y.checked_sub(1).filter(|&py| cube.years[py] == year - 1);
        for u in 0..nu {
            let sum =
                |v: &[f64], y: usize| market.iter().map(|&p| v[cube.at(y, u, p)]).sum::<f64>();
            let exports = sum(&cube.exports, y);
            let imports = sum(&cube.imports, y);
            let xu = cube.unit_total[y * nu + u];
            let world_share = (world_m > 0.0).then(|| exports / world_m);
            let rca = (xu > 0.0 && world_m > 0.0 && world > 0.0)
                .then(|| (exports / xu) / (world_m / world));
            let growth = prev.and_then(|py| {
                let before = sum(&cube.exports, py);
                (before > 0.0).then(|| exports / before - 1.0)
            });
            let products_rca1 = market
                .iter()
                .filter(|&&p| cube.product_rca(y, u, p).is_some_and(|r| r >= 1.0))
                .count();
            out.push(Indicator {
                year,
                unit: u,
                exports,
                imports,
                balance: exports - imports,
                world_share,
                rca,
                growth,
                products: present,
                products_rca1,
                avg_pci,
            });
        }
    }
    out
}

/// The direction of a trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// A significantly positive slope.
    Rising,
    /// A significantly negative slope.
    Falling,
    /// A slope not significantly different from zero.
    NoSignificantTrend,
    /// Fewer than three positive values: no test.
    TooFewYears,
}

impl Direction {
    /// A word for it.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Rising => "rising",
            Direction::Falling => "falling",
            Direction::NoSignificantTrend => "no significant trend",
            Direction::TooFewYears => "too few years",
        }
    }

    /// The colour a status board gives it: green, red, or grey when not significant.
    pub fn colour(self) -> &'static str {
        match self {
            Direction::Rising => "green",
            Direction::Falling => "red",
            Direction::NoSignificantTrend | Direction::TooFewYears => "grey",
        }
    }
}

/// A log-linear trend with its test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    /// The fit of ln(value) on the year (`None` with fewer than two positive values).
    pub fit: Option<LineFit>,
    /// Average annual change, exp(slope) − 1.
    pub annual_change: Option<f64>,
    /// The verdict at the level `alpha`.
    pub direction: Direction,
}

/// The trend of `values` (one per year, `None` or ≤ 0 left out) at significance level
/// `alpha` (two-sided).
pub fn trend(years: &[i32], values: &[Option<f64>], alpha: f64) -> Trend {
    let (x, y): (Vec<f64>, Vec<f64>) = years
        .iter()
        .zip(values)
        .filter_map(|(&yr, v)| v.filter(|v| *v > 0.0).map(|v| (f64::from(yr), v.ln())))
        .unzip();
    let fit = line_fit(&x, &y);
    let annual_change = fit.map(|f| f.slope.exp_m1());
    let direction = match fit {
        Some(f) if f.n >= 3 && !f.p.is_nan() => {
            if f.p < alpha && f.slope > 0.0 {
                Direction::Rising
            } else if f.p < alpha && f.slope < 0.0 {
                Direction::Falling
            } else {
                Direction::NoSignificantTrend
            }
        }
        _ => Direction::TooFewYears,
    };
    Trend {
        fit,
        annual_change,
        direction,
    }
}

/// The rank (1 = largest) of `values[of]` among the values that are present, and how
/// many there are; `None` when `values[of]` is missing. Ties share the better rank.
pub fn rank(values: &[Option<f64>], of: usize) -> Option<(usize, usize)> {
    let v = values.get(of).copied().flatten().filter(|v| !v.is_nan())?;
    let present: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| !v.is_nan())
        .collect();
    let better = present.iter().filter(|&&w| w > v).count();
    Some((better + 1, present.len()))
}
