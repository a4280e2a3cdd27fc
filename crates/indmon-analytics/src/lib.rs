//! The computations of indmon. Pure functions over plain numbers: no IO, no
//! failures for IO reasons. Each function documents its formula, its source and its
//! edge cases; the tests check them against published figures and identities.
//!
//! - [`target`]: the industry share of value added against a target — paths to the
//!   target, the growth required, and the exact decomposition of a change.
//! - [`peers`]: ranks, gaps and EU quartiles of a panel of countries.
//! - [`outlook`]: a projection of the share with an uncertainty band, the probability
//!   of reaching the target, and a backtest of the model on history.
//! - [`complexity`]: economic complexity (RCA, ECI/PCI, proximity, density, COI,
//!   COG) in the Stata and Python conventions of the Growth Lab packages.
//! - [`dependencies`]: the strategic-dependency screen — import concentration, the EU
//!   2021 criteria, persistence, re-export correction, disruption risk, mutual dependence.
//! - [`markets`]: trade indicators of the priority markets (exports, world share, RCA,
//!   growth, specialised products) and the significance of their trends.
//! - [`stats`]: the normal distribution and summary statistics they use.

pub mod complexity;
pub mod dependencies;
pub mod evaluate;
pub mod markets;
pub mod outlook;
pub mod peers;
pub mod stats;
pub mod target;

/// Version of the methods, shown with every result; bumped when a formula changes.
pub const METHOD_VERSION: &str = "target-methods/1";
