//! The screen (every imported product with its criteria, tier and why) and the metrics
//! (the EU 2021 inputs of every imported product, before any criterion).

use indmon_analytics::dependencies::{self as dep, Metric, ReExport};
use indmon_core::settings::Settings;
use indmon_core::taxonomy::Taxonomy;
use indmon_reference::Reference;
use indmon_store::Store;
use serde::Serialize;

use super::classify::bloc_note;
use super::{
    Row, Setup, Tier, Trade, TradeRequest, classify, common_notes, hs6, load, setup, year_of,
};
use crate::{Cell, Col, Result, Source, Table, Tabular, shorten};

/// What the screen is asked for.
#[derive(Debug, Clone)]
pub struct ScreenRequest {
    /// Reporter, year and dataset.
    pub trade: TradeRequest,
    /// The re-export correction [default: `[dependencies] reexport`].
    pub reexport: Option<ReExport>,
    /// The products shown: those from this tier up (`None`: every imported product).
    pub tier: Tier,
    /// The notes describe values in million USD (the command line's table) rather than
    /// the rows' thousand USD.
    pub million: bool,
}

impl Default for ScreenRequest {
    fn default() -> Self {
        Self {
            trade: TradeRequest::default(),
            reexport: None,
            tier: Tier::Dependency,
            million: false,
        }
    }
}

/// One product in the screen: the EU 2021 inputs (values in thousand USD, as BACI),
/// the criteria, the tier and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScreenRow {
    /// Reporter.
    pub reporter: String,
    /// HS6 code.
    pub hs6: String,
    /// Name of the product in the HS lists.
    pub name: Option<String>,
    /// Year.
    pub year: i32,
    /// Imports from everywhere but the reporter itself (for the EU27: total EU imports,
    /// the trade between the member states included).
    pub imports: f64,
    /// Imports from outside the bloc (for a member state and the EU27: extra-EU).
    pub imports_outside_bloc: f64,
    /// Exports to everywhere but the reporter itself (for the EU27: total EU exports,
    /// the trade between the member states included).
    pub exports: f64,
    /// HHI of imports over origins (for the EU27 the member states are origins too).
    pub import_hhi: f64,
    /// HHI of imports from outside the bloc over their origins.
    pub outside_hhi: Option<f64>,
    /// Imports from outside the bloc / imports (for the EU27: extra-EU / total EU
    /// imports).
    pub outside_share: f64,
    /// Imports from outside the bloc / exports (for the EU27: extra-EU imports / total
    /// EU exports; none without exports).
    pub import_export_ratio: Option<f64>,
    /// HHI of world exports over exporters.
    pub world_hhi: Option<f64>,
    /// The largest origin (BACI country code).
    pub top_origin: u16,
    /// The largest origin (ISO alpha-3).
    pub top_origin_iso3: String,
    /// Its share of the imports.
    pub top_origin_share: f64,
    /// The share of imports retained for domestic use under the correction.
    pub retained_share: f64,
    /// The ratio after the correction.
    pub ratio_used: Option<f64>,
    /// The criteria met: `concentration`, `outside`, `ratio`, space-separated.
    pub criteria_met: String,
    /// Years the criteria are met in the persistence window, when the data have it.
    pub persistence: Option<usize>,
    /// The tier.
    pub tier: Tier,
    /// The tier's name ("" for none).
    pub tier_label: String,
    /// Areas crucial for public interests.
    pub areas: Vec<String>,
    /// Disruption risk: the reasons when high, "not high", none when not assessed.
    pub risk: Option<String>,
}

/// How many of the year's imported products reach each tier.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TierCounts {
    /// Products imported.
    pub imported: usize,
    /// Dependencies (the correction chosen).
    pub dependency: usize,
    /// Strategic dependencies.
    pub strategic: usize,
    /// Risky strategic dependencies.
    pub risky: usize,
    /// Dependencies without the re-export correction.
    pub dependency_uncorrected: usize,
    /// Dependencies with the net re-export correction.
    pub dependency_net: usize,
}

/// The strategic-dependency screen of a reporter in a year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Screen {
    /// Reporter (a country code as named, or EU27).
    pub reporter: String,
    /// Year.
    pub year: i32,
    /// The dataset read (none when read from a file).
    pub dataset: Option<String>,
    /// HS edition.
    pub edition: String,
    /// Synthetic data.
    pub synthetic: bool,
    /// Distinct products in the data read (the screen covers only those).
    pub products_in_data: usize,
    /// Whether persistence could be checked (the data have the window).
    pub persistence_checked: bool,
    /// Method version of the analytics.
    pub method: String,
    /// Products per tier.
    pub counts: TierCounts,
    /// The products from the tier asked for up.
    pub rows: Vec<ScreenRow>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages read.
    pub sources: Vec<Source>,
}

/// The screen of `req.trade.reporter` on a store dataset, with the taxonomy's codes
/// given in `tax` (validated against the lists).
pub async fn screen(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &ScreenRequest,
) -> Result<Screen> {
    let trade = load(
        store,
        settings,
        &req.trade,
        Some(settings.dependencies.persistence_window),
    )
    .await?;
    screen_in(&trade, settings, tax, reference, req)
}

/// The screen of trade already read ([`load`] or [`super::TradeFiles::read`], with the
/// persistence window); `req.trade` gives the year only.
pub fn screen_in(
    trade: &Trade,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &ScreenRequest,
) -> Result<Screen> {
    let year = year_of(trade, req.trade.year)?;
    let setup = setup(
        &settings.dependencies,
        req.reexport,
        trade.edition,
        tax,
        reference,
    )?;
    Ok(screen_of(trade, &setup, year, req.tier, req.million))
}

/// The screen of trade already read, with the rules set up, in `year`: the products
/// from tier `want` up. `million`: the notes describe values in million USD.
pub fn screen_of(trade: &Trade, setup: &Setup, year: i32, want: Tier, million: bool) -> Screen {
    let rows = classify(trade, setup);
    let this: Vec<&Row> = rows.iter().filter(|r| r.m.year == year).collect();
    let count = |t: Tier| this.iter().filter(|r| r.tier >= t).count();
    let raw = this.iter().filter(|r| r.dependency_uncorrected).count();
    let net = {
        let th = &setup.th;
        let metrics: Vec<Metric> = rows.iter().map(|r| r.m.clone()).collect();
        let p = dep::persistence(&metrics, th, ReExport::Net);
        rows.iter()
            .zip(p)
            .filter(|(r, p)| {
                r.m.year == year
                    && dep::criteria(&r.m, th, ReExport::Net).all()
                    && p.is_none_or(|n| n >= th.persist_min)
            })
            .count()
    };
    let counts = TierCounts {
        imported: this.len(),
        dependency: count(Tier::Dependency),
        strategic: count(Tier::Strategic),
        risky: count(Tier::Risky),
        dependency_uncorrected: raw,
        dependency_net: net,
    };
    let persistence_checked = !this.iter().all(|r| r.persist.is_none());
    let mut notes = common_notes(trade, setup, year, million);
    notes.insert(
        0,
        format!(
            "{} {year}: {} products imported; {} dependencies, {} strategic, {} risky strategic.",
            trade.reporter.name, counts.imported, counts.dependency, counts.strategic, counts.risky
        ),
    );
    notes.insert(
        1,
        format!(
            "Re-export correction: {raw} dependencies on all imports, {net} on imports less exports (the transit-hub proxy; `--reexport net`)."
        ),
    );
    if !persistence_checked {
        notes.insert(
            2,
            format!(
                "Persistence not checked: the data do not have the {} years to {year}.",
                setup.th.persist_window
            ),
        );
    } else {
        notes.insert(
            2,
            format!(
                "Persistence checked over {}-{year}: a dependency meets the criteria in at least {} of those {} years.",
                year - setup.th.persist_window as i32 + 1,
                setup.th.persist_min,
                setup.th.persist_window
            ),
        );
    }
    let out = this
        .iter()
        .filter(|r| r.tier >= want)
        .map(|r| {
            let m = &r.m;
            let met = [
                ("concentration", r.crit.concentration),
                ("outside", r.crit.outside),
                ("ratio", r.crit.ratio),
            ]
            .iter()
            .filter(|x| x.1)
            .map(|x| x.0)
            .collect::<Vec<_>>()
            .join(" ");
            ScreenRow {
                reporter: trade.reporter.name.clone(),
                hs6: hs6(m.product),
                name: setup
                    .lists
                    .hs_name(trade.edition, &hs6(m.product))
                    .map(str::to_string),
                year: m.year,
                imports: m.imports,
                imports_outside_bloc: m.imports_outside_bloc,
                exports: m.exports,
                import_hhi: m.import_hhi,
                outside_hhi: m.outside_hhi,
                outside_share: m.outside_share,
                import_export_ratio: m.import_export_ratio,
                world_hhi: Some(m.world_hhi).filter(|x| !x.is_nan()),
                top_origin: m.top_origin,
                top_origin_iso3: trade.countries.iso3(m.top_origin),
                top_origin_share: m.top_origin_share,
                retained_share: dep::retained_share(m, setup.re),
                ratio_used: dep::corrected_ratio(m, setup.re),
                criteria_met: met,
                persistence: r.persist,
                tier: r.tier,
                tier_label: r.tier.label().to_string(),
                areas: r.areas.clone(),
                risk: r.risk.as_ref().map(|k| {
                    if k.high {
                        k.reasons.join("; ")
                    } else {
                        "not high".to_string()
                    }
                }),
            }
        })
        .collect();
    Screen {
        reporter: trade.reporter.name.clone(),
        year,
        dataset: trade.source.as_ref().map(|s| s.dataset.clone()),
        edition: trade.edition.to_string(),
        synthetic: trade.synthetic,
        products_in_data: trade.products_in_data,
        persistence_checked,
        method: dep::METHOD_VERSION.to_string(),
        counts,
        rows: out,
        notes,
        sources: trade.source.iter().cloned().collect(),
    }
}

/// The columns of the screen (CSV, the API and the JSON of a table): the EU 2021 inputs
/// in thousand USD as BACI gives them, the criteria, the tier and why.
const SCREEN: &[Col<ScreenRow>] = &[
    Col {
        name: "reporter",
        unit: "",
        meaning: "Reporter: a country code as named, or EU27.",
        decimals: None,
        get: |r| (&r.reporter).into(),
    },
    Col {
        name: "hs6",
        unit: "",
        meaning: "HS6 product code.",
        decimals: None,
        get: |r| (&r.hs6).into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "Name of the product in the HS lists.",
        decimals: None,
        get: |r| Cell::opt_text(r.name.clone()),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "imports",
        unit: "thousand USD",
        meaning: "Imports from everywhere but the reporter itself; for the EU27 total EU imports, the trade between the member states included.",
        decimals: Some(0),
        get: |r| r.imports.into(),
    },
    Col {
        name: "imports_outside_bloc",
        unit: "thousand USD",
        meaning: "Imports from outside the reporter's bloc (for a member state and the EU27: extra-EU imports).",
        decimals: Some(0),
        get: |r| r.imports_outside_bloc.into(),
    },
    Col {
        name: "exports",
        unit: "thousand USD",
        meaning: "Exports to everywhere but the reporter itself; for the EU27 total EU exports, the trade between the member states included.",
        decimals: Some(0),
        get: |r| r.exports.into(),
    },
    Col {
        name: "import_hhi",
        unit: "",
        meaning: "Herfindahl-Hirschman index of imports over their origins (0-1; for the EU27 the member states are origins too).",
        decimals: Some(3),
        get: |r| r.import_hhi.into(),
    },
    Col {
        name: "outside_hhi",
        unit: "",
        meaning: "HHI of imports from outside the bloc over their origins (criterion 1: above the threshold).",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.outside_hhi),
    },
    Col {
        name: "outside_share",
        unit: "fraction",
        meaning: "Imports from outside the bloc / imports (criterion 2: above the threshold); for the EU27 extra-EU / total EU imports.",
        decimals: Some(3),
        get: |r| r.outside_share.into(),
    },
    Col {
        name: "import_export_ratio",
        unit: "",
        meaning: "Imports from outside the bloc / exports, before any re-export correction (empty without exports); for the EU27 extra-EU imports / total EU exports.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.import_export_ratio),
    },
    Col {
        name: "world_hhi",
        unit: "",
        meaning: "HHI of world exports over exporters.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.world_hhi),
    },
    Col {
        name: "top_origin",
        unit: "",
        meaning: "The largest origin of the imports (BACI country code).",
        decimals: None,
        get: |r| i64::from(r.top_origin).into(),
    },
    Col {
        name: "top_origin_iso3",
        unit: "",
        meaning: "The largest origin of the imports (ISO alpha-3).",
        decimals: None,
        get: |r| (&r.top_origin_iso3).into(),
    },
    Col {
        name: "top_origin_share",
        unit: "fraction",
        meaning: "The largest origin's share of the imports.",
        decimals: Some(3),
        get: |r| r.top_origin_share.into(),
    },
    Col {
        name: "retained_share",
        unit: "fraction",
        meaning: "The share of imports retained for domestic use under the re-export correction (1 without it).",
        decimals: Some(3),
        get: |r| r.retained_share.into(),
    },
    Col {
        name: "ratio_used",
        unit: "",
        meaning: "The import/export ratio after the re-export correction (criterion 3; empty without own exports).",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.ratio_used),
    },
    Col {
        name: "criteria_met",
        unit: "",
        meaning: "The criteria met: concentration, outside, ratio (space-separated).",
        decimals: None,
        get: |r| (&r.criteria_met).into(),
    },
    Col {
        name: "persistence",
        unit: "years",
        meaning: "Years of the persistence window in which all three criteria are met (empty when the data lack the window).",
        decimals: None,
        get: |r| Cell::opt_int(r.persistence.map(|n| n as i64)),
    },
    Col {
        name: "tier",
        unit: "",
        meaning: "The tier: dependency, strategic dependency, risky strategic dependency (empty for none).",
        decimals: None,
        get: |r| (&r.tier_label).into(),
    },
    Col {
        name: "areas",
        unit: "",
        meaning: "Areas crucial for public interests the product belongs to (separated by \"; \").",
        decimals: None,
        get: |r| r.areas.join("; ").into(),
    },
    Col {
        name: "risk",
        unit: "",
        meaning: "Disruption risk: the reasons when high, \"not high\", empty when not assessed.",
        decimals: None,
        get: |r| Cell::opt_text(r.risk.clone()),
    },
];

/// The screen's reading view (the command line's table): values in million USD and
/// percent, names and areas shortened.
const SCREEN_VIEW: &[Col<ScreenRow>] = &[
    Col {
        name: "hs6",
        unit: "",
        meaning: "HS6 product code.",
        decimals: None,
        get: |r| (&r.hs6).into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "Name of the product (shortened).",
        decimals: None,
        get: |r| Cell::opt_text(r.name.as_deref().map(|n| shorten(n, 40))),
    },
    Col {
        name: "imports_musd",
        unit: "million USD",
        meaning: "Imports from everywhere but the reporter itself (for the EU27 including the trade between the member states).",
        decimals: Some(1),
        get: |r| (r.imports / 1000.0).into(),
    },
    Col {
        name: "outside_pct",
        unit: "%",
        meaning: "Share of imports from outside the bloc (for the EU27 in total EU imports).",
        decimals: Some(0),
        get: |r| (r.outside_share * 100.0).into(),
    },
    Col {
        name: "outside_hhi",
        unit: "",
        meaning: "HHI of imports from outside the bloc.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.outside_hhi),
    },
    Col {
        name: "ratio",
        unit: "",
        meaning: "Import/export ratio after the re-export correction.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.ratio_used),
    },
    Col {
        name: "world_hhi",
        unit: "",
        meaning: "HHI of world exports.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.world_hhi),
    },
    Col {
        name: "top_origin",
        unit: "",
        meaning: "The largest origin (ISO alpha-3).",
        decimals: None,
        get: |r| (&r.top_origin_iso3).into(),
    },
    Col {
        name: "top_pct",
        unit: "%",
        meaning: "The largest origin's share of the imports.",
        decimals: Some(0),
        get: |r| (r.top_origin_share * 100.0).into(),
    },
    Col {
        name: "tier",
        unit: "",
        meaning: "The tier.",
        decimals: None,
        get: |r| (&r.tier_label).into(),
    },
    Col {
        name: "areas",
        unit: "",
        meaning: "Areas crucial for public interests (shortened).",
        decimals: None,
        get: |r| shorten(&r.areas.join(", "), 50).into(),
    },
];

impl Screen {
    /// The reading view of the rows (the command line's table): million USD, percent,
    /// names shortened. CSV and JSON carry [`Tabular::table`].
    pub fn view(&self) -> Table {
        Table::of(SCREEN_VIEW, &self.rows)
    }
}

impl Tabular for Screen {
    fn table(&self) -> Table {
        Table::of(SCREEN, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        // the trade line names the dataset vintage and its release
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-dependencies-{}-{}", self.reporter, self.year)
    }
}

// ---------------------------------------------------------------------------------
// The metrics

/// What metrics are asked for.
#[derive(Debug, Clone, Default)]
pub struct MetricsRequest {
    /// Reporter, dataset, and the year (none: every year of the data).
    pub trade: TradeRequest,
}

/// The EU 2021 inputs of one imported product in one year (values in thousand USD, as
/// BACI).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MetricRow {
    /// Reporter.
    pub reporter: String,
    /// HS6 code.
    pub hs6: String,
    /// Year.
    pub year: i32,
    /// Imports from everywhere but the reporter itself (for the EU27: total EU imports,
    /// the trade between the member states included).
    pub imports: f64,
    /// Imports from outside the bloc (for a member state and the EU27: extra-EU).
    pub imports_outside_bloc: f64,
    /// Exports to everywhere but the reporter itself (for the EU27: total EU exports,
    /// the trade between the member states included).
    pub exports: f64,
    /// HHI of imports over origins (for the EU27 the member states are origins too).
    pub import_hhi: f64,
    /// HHI of imports from outside the bloc over their origins.
    pub outside_hhi: Option<f64>,
    /// Imports from outside the bloc / imports (for the EU27: extra-EU / total EU
    /// imports).
    pub outside_share: f64,
    /// Imports from outside the bloc / exports (for the EU27: extra-EU imports / total
    /// EU exports; none without exports).
    pub import_export_ratio: Option<f64>,
    /// HHI of world exports over exporters.
    pub world_hhi: Option<f64>,
    /// The largest origin (BACI country code).
    pub top_origin: u16,
    /// Its share of the imports.
    pub top_origin_share: f64,
}

impl MetricRow {
    fn of(reporter: &str, m: &Metric) -> Self {
        Self {
            reporter: reporter.to_string(),
            hs6: hs6(m.product),
            year: m.year,
            imports: m.imports,
            imports_outside_bloc: m.imports_outside_bloc,
            exports: m.exports,
            import_hhi: m.import_hhi,
            outside_hhi: m.outside_hhi,
            outside_share: m.outside_share,
            import_export_ratio: m.import_export_ratio,
            world_hhi: Some(m.world_hhi).filter(|x| !x.is_nan()),
            top_origin: m.top_origin,
            top_origin_share: m.top_origin_share,
        }
    }
}

/// The metrics of every product the reporter imports: the inputs of the EU 2021
/// criteria before any criterion, correction, mapping or relation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Metrics {
    /// Reporter (a country code as named, or EU27).
    pub reporter: String,
    /// The year asked for (none: every year of the data).
    pub year: Option<i32>,
    /// The dataset read (none when read from a file).
    pub dataset: Option<String>,
    /// HS edition.
    pub edition: String,
    /// Synthetic data.
    pub synthetic: bool,
    /// Method version of the analytics.
    pub method: String,
    /// One row per product and year.
    pub rows: Vec<MetricRow>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages read.
    pub sources: Vec<Source>,
}

/// The metrics of `req.trade.reporter` on a store dataset (every year it has, or the
/// one asked for).
pub async fn metrics(store: &Store, settings: &Settings, req: &MetricsRequest) -> Result<Metrics> {
    let trade = load(store, settings, &req.trade, None).await?;
    metrics_in(&trade, req)
}

/// The metrics of trade already read; `req.trade` gives the year only.
pub fn metrics_in(trade: &Trade, req: &MetricsRequest) -> Result<Metrics> {
    let want = req.trade.year;
    // a year the data lack is refused, as for the screen
    year_of(trade, want)?;
    let rows = trade
        .acc
        .metrics()
        .iter()
        .filter(|m| want.is_none_or(|y| m.year == y))
        .map(|m| MetricRow::of(&trade.reporter.name, m))
        .collect();
    let mut notes = trade.notes.clone();
    notes.push(format!(
        "Method {}: values in thousand USD (as BACI); top_origin is a BACI country code; outside = outside {}.",
        dep::METHOD_VERSION,
        trade.reporter.bloc_name
    ));
    notes.extend(bloc_note(trade));
    Ok(Metrics {
        reporter: trade.reporter.name.clone(),
        year: want,
        dataset: trade.source.as_ref().map(|s| s.dataset.clone()),
        edition: trade.edition.to_string(),
        synthetic: trade.synthetic,
        method: dep::METHOD_VERSION.to_string(),
        rows,
        notes,
        sources: trade.source.iter().cloned().collect(),
    })
}

/// The columns of the metrics.
const METRICS: &[Col<MetricRow>] = &[
    Col {
        name: "reporter",
        unit: "",
        meaning: "Reporter: a country code as named, or EU27.",
        decimals: None,
        get: |r| (&r.reporter).into(),
    },
    Col {
        name: "hs6",
        unit: "",
        meaning: "HS6 product code.",
        decimals: None,
        get: |r| (&r.hs6).into(),
    },
    Col {
        name: "year",
        unit: "year",
        meaning: "Year.",
        decimals: None,
        get: |r| r.year.into(),
    },
    Col {
        name: "imports",
        unit: "thousand USD",
        meaning: "Imports from everywhere but the reporter itself; for the EU27 total EU imports, the trade between the member states included.",
        decimals: Some(0),
        get: |r| r.imports.into(),
    },
    Col {
        name: "imports_outside_bloc",
        unit: "thousand USD",
        meaning: "Imports from outside the reporter's bloc (for a member state and the EU27: extra-EU imports).",
        decimals: Some(0),
        get: |r| r.imports_outside_bloc.into(),
    },
    Col {
        name: "exports",
        unit: "thousand USD",
        meaning: "Exports to everywhere but the reporter itself; for the EU27 total EU exports, the trade between the member states included.",
        decimals: Some(0),
        get: |r| r.exports.into(),
    },
    Col {
        name: "import_hhi",
        unit: "",
        meaning: "HHI of imports over their origins (for the EU27 the member states are origins too).",
        decimals: Some(3),
        get: |r| r.import_hhi.into(),
    },
    Col {
        name: "outside_hhi",
        unit: "",
        meaning: "HHI of imports from outside the bloc over their origins.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.outside_hhi),
    },
    Col {
        name: "outside_share",
        unit: "fraction",
        meaning: "Imports from outside the bloc / imports; for the EU27 extra-EU / total EU imports.",
        decimals: Some(3),
        get: |r| r.outside_share.into(),
    },
    Col {
        name: "import_export_ratio",
        unit: "",
        meaning: "Imports from outside the bloc / exports (empty without exports); for the EU27 extra-EU imports / total EU exports.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.import_export_ratio),
    },
    Col {
        name: "world_hhi",
        unit: "",
        meaning: "HHI of world exports over exporters.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.world_hhi),
    },
    Col {
        name: "top_origin",
        unit: "",
        meaning: "The largest origin (BACI country code).",
        decimals: None,
        get: |r| i64::from(r.top_origin).into(),
    },
    Col {
        name: "top_origin_share",
        unit: "fraction",
        meaning: "The largest origin's share of the imports.",
        decimals: Some(3),
        get: |r| r.top_origin_share.into(),
    },
];

impl Tabular for Metrics {
    fn table(&self) -> Table {
        Table::of(METRICS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        match self.year {
            Some(y) => format!("indmon-dependency-metrics-{}-{y}", self.reporter),
            None => format!("indmon-dependency-metrics-{}", self.reporter),
        }
    }
}
