//! Economic complexity of an export panel and what follows from it for one country.
//!
//! - [`complexity`]: RCA, M, diversity, ubiquity, ECI, PCI, density, COI and COG per
//!   year of a panel (a CSV file read by `indmon_sources::formats::panel_csv`, or
//!   trade data in the store), in the Stata or Python conventions of the Growth Lab's
//!   packages ([`indmon_analytics::complexity`]); [`save`] stores the result as a
//!   dataset (`complexity_<input>`) with its convention and method.
//! - [`opportunities`]: the products a country does not yet export with comparative
//!   advantage, ranked by outlook gain (COG), density or PCI.
//! - [`neighbourhood`]: a product's nearest products in the product space, with the
//!   country's presence in each.
//!
//! Every result carries its notes (what the figures are, the input, the method line),
//! the vintages read ([`Source`](crate::Source)) and the method.

mod opportunities;
mod panel;
mod results;

pub use indmon_analytics::complexity::{Convention, METHOD_VERSION, Options, Presence, Proximity};
pub use indmon_sources::formats::panel_csv::PanelOptions;
pub use opportunities::{
    NEIGHBOURS, Neighbour, Neighbourhood, NeighbourhoodRequest, OPPORTUNITIES, OpportunitiesReport,
    OpportunitiesRequest, Opportunity, RankBy, neighbourhood, opportunities,
};
pub use panel::{Panel, PanelInput, PanelRequest, YearPanel, load_panel};
pub use results::{
    COLUMNS, ComplexityReport, ComplexityRequest, ComplexityRow, EciRank, Measures, RANKING,
    YearMeasures, YearProgress, YearSummary, complexity, compute, save,
};

/// The convention's name: `stata` or `python`.
pub fn convention_name(c: Convention) -> &'static str {
    match c {
        Convention::Stata => "stata",
        Convention::Python => "python",
    }
}

/// The method in one line, e.g. `complexity/1 (stata convention; M = RCA > 1; symmetric
/// proximity)`; shown as `Method: …` with every result and stored with the results.
pub fn method_line(o: &Options) -> String {
    let conv = convention_name(o.convention);
    let cmp = if o.convention == Convention::Stata {
        ">"
    } else {
        "≥"
    };
    let presence = match o.presence {
        Presence::Rca => format!("M = RCA {cmp} {}", o.threshold),
        Presence::Rpop => format!("M = RPOP {cmp} {}", o.threshold),
        Presence::Manual => "M given".to_string(),
    };
    let prox = match o.proximity {
        Proximity::Symmetric => "symmetric",
        Proximity::Asymmetric => "asymmetric",
        Proximity::Continuous => "continuous",
    };
    let knn = o
        .knn
        .map_or(String::new(), |k| format!(", density over {k} nearest"));
    let atlas = if o.atlas_cog { ", Atlas COG" } else { "" };
    format!("{METHOD_VERSION} ({conv} convention; {presence}; {prox} proximity{knn}{atlas})")
}

/// A number rounded to 4 decimals (as the rankings show them).
fn round4(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

/// A number, `None` when missing (NaN).
fn opt(v: f64) -> Option<f64> {
    (!v.is_nan()).then_some(v)
}
