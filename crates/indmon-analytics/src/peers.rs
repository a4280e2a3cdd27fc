//! A panel of countries compared on one figure (the industry share): ranks, gaps to
//! a focus country and to the EU aggregate, and each country's quartile among the EU
//! member states.

use serde::Serialize;

use crate::stats::quantile_sorted;

/// One country of the panel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerRow {
    /// Geography code.
    pub geo: String,
    /// The share (fraction).
    pub share: f64,
    /// Rank in the panel, 1 = highest share.
    pub rank: usize,
    /// This share minus the focus country's, percentage points.
    pub gap_to_focus_pp: Option<f64>,
    /// This share minus the EU aggregate's, percentage points.
    pub gap_to_eu_pp: Option<f64>,
    /// Quartile among the EU member states (1 = lowest 25 %, 4 = highest), by the
    /// members' type-7 quartiles; `None` when fewer than 4 members have a value.
    pub eu_quartile: Option<u8>,
}

/// Ranks the panel (`geo`, share) by share, highest first, with gaps to `focus` and
/// to `eu` (codes that should be in the panel) and quartiles among `eu_members`
/// (the member states' shares in the same year).
pub fn peers(panel: &[(String, f64)], focus: &str, eu: &str, eu_members: &[f64]) -> Vec<PeerRow> {
    let mut rows: Vec<(String, f64)> = panel
        .iter()
        .filter(|(_, s)| s.is_finite())
        .cloned()
        .collect();
    rows.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let focus_share = rows.iter().find(|(g, _)| g == focus).map(|r| r.1);
    let eu_share = rows.iter().find(|(g, _)| g == eu).map(|r| r.1);
    let mut members: Vec<f64> = eu_members
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    members.sort_by(f64::total_cmp);
    let cuts: Option<Vec<f64>> = (members.len() >= 4).then(|| {
        [0.25, 0.5, 0.75]
            .iter()
            .filter_map(|p| quantile_sorted(&members, *p))
            .collect()
    });
    rows.iter()
        .enumerate()
        .map(|(k, (geo, s))| PeerRow {
            geo: geo.clone(),
            share: *s,
            rank: k + 1,
            gap_to_focus_pp: focus_share.map(|f| 100.0 * (s - f)),
            gap_to_eu_pp: eu_share.map(|e| 100.0 * (s - e)),
            eu_quartile: cuts
                .as_ref()
                .map(|c| 1 + c.iter().filter(|cut| *s > **cut).count() as u8),
        })
        .collect()
}

/// The EU member states (EU27 since 1 February 2020), as Eurostat geo codes.
pub const EU27: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];
