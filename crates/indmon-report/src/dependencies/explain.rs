//! One product explained end to end: its imports by origin, the three criteria against
//! their thresholds over the years, persistence, the re-export correction, world
//! supply, the areas crucial for public interests, the relations of the suppliers, the
//! disruption risk, and the tier with why — as typed steps with their numbers and as
//! the sentences the command line prints.

use indmon_analytics::dependencies::{self as dep, ReExport};
use indmon_core::settings::Settings;
use indmon_core::taxonomy::Taxonomy;
use indmon_reference::Reference;
use indmon_store::Store;
use serde::Serialize;

use super::{
    Setup, Tier, Trade, TradeRequest, classify, common_notes, hs6, load, relation_of, setup,
    year_of,
};
use crate::{Cell, Col, Error, Result, Source, Table, Tabular};

/// Which product to explain.
#[derive(Debug, Clone)]
pub struct ExplainRequest {
    /// Reporter, year and dataset.
    pub trade: TradeRequest,
    /// The HS6 code (leading zeros may be left out).
    pub hs6: String,
    /// The re-export correction [default: `[dependencies] reexport`].
    pub reexport: Option<ReExport>,
    /// The notes describe values in million USD (the sentences) rather than thousand
    /// USD (the JSON and CSV).
    pub million: bool,
}

/// One of the three EU 2021 criteria in the year explained.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Criterion {
    /// `concentration`, `outside` or `ratio`.
    pub criterion: String,
    /// What is measured.
    pub measure: String,
    /// Its value (the ratio after the re-export correction; none without exports, or
    /// without imports from outside the bloc).
    pub value: Option<f64>,
    /// The threshold it must exceed.
    pub threshold: f64,
    /// Met.
    pub met: bool,
}

/// The criteria in one year of the persistence window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CriteriaYear {
    /// Year.
    pub year: i32,
    /// HHI of imports from outside the bloc.
    pub outside_hhi: Option<f64>,
    /// Imports from outside the bloc / imports.
    pub outside_share: f64,
    /// Import/export ratio after the re-export correction.
    pub ratio_used: Option<f64>,
    /// Criterion 1 met.
    pub concentration: bool,
    /// Criterion 2 met.
    pub outside: bool,
    /// Criterion 3 met.
    pub ratio: bool,
    /// All three met.
    pub all: bool,
}

/// Persistence: the criteria met in enough years of the window.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Persistence {
    /// Years of the window in which all three criteria are met (none when the data do
    /// not have every year of the window: not checked).
    pub years_met: Option<usize>,
    /// Years in the window.
    pub window: usize,
    /// Years needed.
    pub min: usize,
    /// Reached (or not checked).
    pub met: bool,
}

/// The re-export correction and its effect on the third criterion.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReExportStep {
    /// `none` or `net`.
    pub correction: String,
    /// Imports from outside the bloc / exports, uncorrected.
    pub ratio_before: Option<f64>,
    /// The ratio after the correction.
    pub ratio_used: Option<f64>,
    /// The share of imports retained for domestic use.
    pub retained_share: f64,
    /// Whether the product is a dependency without the correction.
    pub dependency_uncorrected: bool,
}

/// One country the product comes from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Supplier {
    /// ISO alpha-3 code.
    pub country: String,
    /// BACI country code.
    pub code: u16,
    /// "Name (ISO3)".
    pub label: String,
    /// Imports from it (thousand USD).
    pub value: f64,
    /// Its share of the imports.
    pub share: f64,
    /// Its relation to the reporter: EU, like-minded, other, high-risk.
    pub relation: String,
}

/// World supply of the product.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct WorldSupply {
    /// HHI of world exports over exporters.
    pub hhi: Option<f64>,
    /// Above this, world supply counts as concentrated.
    pub threshold: f64,
    /// Concentrated.
    pub concentrated: bool,
    /// World exports (thousand USD).
    pub world_exports: f64,
    /// The reporter's share of world exports (outside its own trade).
    pub reporter_share: Option<f64>,
    /// The reporter is a bloc of several countries: its share leaves out the bloc's own
    /// trade.
    pub bloc_reporter: bool,
}

/// Why the product is crucial for public interests: an entry of the criticality
/// mapping or a code of a priority market.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AreaReason {
    /// `criticality mapping` or `priority market`.
    pub source: String,
    /// The areas (criticality) or the market's name.
    pub areas: Vec<String>,
    /// The market's segment.
    pub segment: Option<String>,
    /// The code's confidence in the market (core, partial).
    pub confidence: Option<String>,
    /// The rationale given.
    pub rationale: String,
}

/// The disruption risk of a strategic dependency.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RiskStep {
    /// High.
    pub high: bool,
    /// The reasons when high.
    pub reasons: Vec<String>,
    /// Share of imports from outside the bloc from high-risk countries.
    pub high_risk_share: f64,
    /// Share of imports from outside the bloc from countries that are not like-minded.
    pub non_aligned_share: f64,
}

/// One step of the explanation, as a table row.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExplainStep {
    /// `product`, `imports`, `concentration`, `outside`, `ratio`, `persistence`,
    /// `suppliers`, `world_supply`, `crucial`, `risk`, `verdict`.
    pub step: String,
    /// The step's number (see the sentence).
    pub value: Option<f64>,
    /// The threshold it is held against.
    pub threshold: Option<f64>,
    /// Whether the step's condition holds (criterion met, persistence reached, world
    /// supply concentrated, crucial, risk high, a dependency).
    pub met: Option<bool>,
    /// The sentence.
    pub text: String,
}

/// One product of the screen explained.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Explanation {
    /// Reporter.
    pub reporter: String,
    /// HS6 code.
    pub hs6: String,
    /// Name in the HS lists.
    pub name: Option<String>,
    /// Year.
    pub year: i32,
    /// The reporter's bloc in texts ("the EU" for a member state).
    pub bloc: String,
    /// The dataset read (none when read from a file).
    pub dataset: Option<String>,
    /// HS edition.
    pub edition: String,
    /// Synthetic data.
    pub synthetic: bool,
    /// Method version of the analytics.
    pub method: String,
    /// Imports from everywhere but the reporter itself (thousand USD; for the EU27 total
    /// EU imports, the trade between the member states included).
    pub imports: f64,
    /// Of which from outside the bloc.
    pub imports_outside_bloc: f64,
    /// Of which between the members of the reporter (0 for a country); part of the
    /// exports too.
    pub within_reporter: f64,
    /// Their share.
    pub outside_share: f64,
    /// Exports to everywhere but the reporter itself (thousand USD; for the EU27 total
    /// EU exports, the trade between the member states included).
    pub exports: f64,
    /// Imports by origin, the largest first, with their relations.
    pub suppliers: Vec<Supplier>,
    /// The three criteria in the year.
    pub criteria: Vec<Criterion>,
    /// The criteria in every year of the window the data have.
    pub years: Vec<CriteriaYear>,
    /// Persistence.
    pub persistence: Persistence,
    /// The re-export correction.
    pub reexport: ReExportStep,
    /// World supply.
    pub world: WorldSupply,
    /// Areas crucial for public interests (names).
    pub areas: Vec<String>,
    /// Why it is crucial.
    pub area_reasons: Vec<AreaReason>,
    /// Disruption risk (assessed for dependencies in an area).
    pub risk: Option<RiskStep>,
    /// Criteria and persistence met.
    pub dependency: bool,
    /// The tier.
    pub tier: Tier,
    /// The tier's name ("" for none).
    pub tier_label: String,
    /// What is not met, for a product that is no dependency.
    pub not_met: Vec<String>,
    /// The verdict in words.
    pub verdict: String,
    /// The steps with their numbers (the table).
    pub steps: Vec<ExplainStep>,
    /// The explanation in sentences.
    pub explanation: Vec<String>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages read.
    pub sources: Vec<Source>,
}

/// The product of `req` explained on a store dataset.
pub async fn explain(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &ExplainRequest,
) -> Result<Explanation> {
    let code = parse_hs6(&req.hs6)?;
    let trade = load(
        store,
        settings,
        &req.trade,
        Some(settings.dependencies.persistence_window),
    )
    .await?;
    explain_of(&trade, settings, tax, reference, req, code)
}

/// The product of `req` explained on trade already read (with the persistence window);
/// `req.trade` gives the year only.
pub fn explain_in(
    trade: &Trade,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &ExplainRequest,
) -> Result<Explanation> {
    let code = parse_hs6(&req.hs6)?;
    explain_of(trade, settings, tax, reference, req, code)
}

/// An HS6 code as a number (leading zeros may be left out).
fn parse_hs6(code: &str) -> Result<u32> {
    let c = code.trim();
    c.parse()
        .ok()
        .filter(|&k: &u32| k < 1_000_000 && !c.is_empty() && c.len() <= 6)
        .ok_or_else(|| Error::Invalid(format!("{} is not an HS6 code", indmon_core::quote(code))))
}

fn explain_of(
    trade: &Trade,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &ExplainRequest,
    k: u32,
) -> Result<Explanation> {
    let year = year_of(trade, req.trade.year)?;
    let setup = setup(
        &settings.dependencies,
        req.reexport,
        trade.edition,
        tax,
        reference,
    )?;
    let rows = classify(trade, &setup);
    let r = rows
        .iter()
        .find(|r| r.m.product == k && r.m.year == year)
        .ok_or_else(|| {
            Error::NoData(format!(
                "{} has no imports of {} in {year} in this data",
                trade.reporter.name,
                hs6(k)
            ))
        })?;
    let m = &r.m;
    let th = &setup.th;
    let bloc = trade.reporter.bloc_name.clone();
    let code = hs6(k);
    let name = setup
        .lists
        .hs_name(trade.edition, &code)
        .map(str::to_string);

    let origins = trade.acc.origins(year, k);
    let total: f64 = origins.iter().map(|x| x.1).sum();
    let suppliers: Vec<Supplier> = origins
        .iter()
        .map(|&(o, v)| Supplier {
            country: trade.countries.iso3(o),
            code: o,
            label: trade.countries.label(o),
            value: v,
            share: v / total,
            relation: relation_of(&setup, trade, o).label().to_string(),
        })
        .collect();

    let ratio_used = dep::corrected_ratio(m, setup.re);
    let criteria = vec![
        Criterion {
            criterion: "concentration".into(),
            measure: format!("HHI of imports from outside {bloc}"),
            value: m.outside_hhi,
            threshold: th.outside_hhi,
            met: r.crit.concentration,
        },
        Criterion {
            criterion: "outside".into(),
            measure: format!("share of imports from outside {bloc}"),
            value: Some(m.outside_share),
            threshold: th.outside_share,
            met: r.crit.outside,
        },
        Criterion {
            criterion: "ratio".into(),
            measure: format!("imports from outside {bloc} / exports"),
            value: ratio_used,
            threshold: th.ratio,
            met: r.crit.ratio,
        },
    ];
    let first = year - th.persist_window as i32 + 1;
    let years: Vec<CriteriaYear> = rows
        .iter()
        .filter(|x| x.m.product == k && (first..=year).contains(&x.m.year))
        .map(|x| CriteriaYear {
            year: x.m.year,
            outside_hhi: x.m.outside_hhi,
            outside_share: x.m.outside_share,
            ratio_used: dep::corrected_ratio(&x.m, setup.re),
            concentration: x.crit.concentration,
            outside: x.crit.outside,
            ratio: x.crit.ratio,
            all: x.crit.all(),
        })
        .collect();
    let persistence = Persistence {
        years_met: r.persist,
        window: th.persist_window,
        min: th.persist_min,
        met: r.persist.is_none_or(|n| n >= th.persist_min),
    };
    let reexport = ReExportStep {
        correction: match setup.re {
            ReExport::None => "none",
            ReExport::Net => "net",
        }
        .into(),
        ratio_before: m.import_export_ratio,
        ratio_used,
        retained_share: dep::retained_share(m, setup.re),
        dependency_uncorrected: r.dependency_uncorrected,
    };
    let world = WorldSupply {
        hhi: Some(m.world_hhi).filter(|x| !x.is_nan()),
        threshold: th.world_hhi,
        concentrated: m.world_hhi > th.world_hhi,
        world_exports: m.world_exports,
        reporter_share: m.reporter_world_share,
        bloc_reporter: trade.reporter.bloc.len() > 1 && trade.reporter.codes.len() > 1,
    };
    let area_reasons = if r.areas.is_empty() {
        Vec::new()
    } else {
        area_reasons(&setup, tax, trade.edition, &code)
    };
    let risk = r.risk.as_ref().map(|k| RiskStep {
        high: k.high,
        reasons: k.reasons.clone(),
        high_risk_share: k.high_risk_share,
        non_aligned_share: k.non_aligned_share,
    });
    let not_met: Vec<String> = if r.tier == Tier::None {
        [
            (!r.crit.concentration).then_some("concentration"),
            (!r.crit.outside).then_some("share from outside"),
            (!r.crit.ratio).then_some("imports/exports"),
            (r.crit.all() && !r.dependency).then_some("persistence"),
        ]
        .into_iter()
        .flatten()
        .map(str::to_string)
        .collect()
    } else {
        Vec::new()
    };
    let verdict = match r.tier {
        Tier::None => format!("not a dependency (not met: {})", not_met.join(", ")),
        t => t.label().to_string(),
    };

    let mut e = Explanation {
        reporter: trade.reporter.name.clone(),
        hs6: code,
        name,
        year,
        bloc,
        dataset: trade.source.as_ref().map(|s| s.dataset.clone()),
        edition: trade.edition.to_string(),
        synthetic: trade.synthetic,
        method: dep::METHOD_VERSION.to_string(),
        imports: m.imports,
        imports_outside_bloc: m.imports_outside_bloc,
        within_reporter: m.within_reporter,
        outside_share: m.outside_share,
        exports: m.exports,
        suppliers,
        criteria,
        years,
        persistence,
        reexport,
        world,
        areas: r.areas.clone(),
        area_reasons,
        risk,
        dependency: r.dependency,
        tier: r.tier,
        tier_label: r.tier.label().to_string(),
        not_met,
        verdict,
        steps: Vec::new(),
        explanation: Vec::new(),
        notes: common_notes(trade, &setup, year, req.million),
        sources: trade.source.iter().cloned().collect(),
    };
    e.steps = steps(&e, setup.re);
    e.explanation = sentences(&e);
    Ok(e)
}

/// Why a code is crucial: its entry in the criticality mapping and the priority
/// markets that hold it as a core or partial code.
fn area_reasons(setup: &Setup, tax: &Taxonomy, edition: &str, code: &str) -> Vec<AreaReason> {
    let mut out = Vec::new();
    if let Some(e) = setup.crit.entries.iter().find(|e| e.code.get_ref() == code) {
        out.push(AreaReason {
            source: "criticality mapping".into(),
            areas: e
                .areas
                .iter()
                .map(|a| {
                    setup
                        .crit
                        .areas
                        .iter()
                        .find(|x| x.id.get_ref() == a)
                        .map_or(a.as_str(), |x| x.name_en.as_str())
                        .to_string()
                })
                .collect(),
            segment: None,
            confidence: None,
            rationale: e.rationale.trim_end_matches('.').to_string(),
        });
    }
    for mk in &tax.markets {
        if let Some((s, h)) = mk
            .hs_in(edition)
            .into_iter()
            .find(|(_, h)| h.code.get_ref() == code && h.confidence.get_ref() != "proxy")
        {
            out.push(AreaReason {
                source: "priority market".into(),
                areas: vec![mk.name_en.to_lowercase()],
                segment: Some(s.name_en.clone()),
                confidence: Some(h.confidence.get_ref().clone()),
                rationale: h.rationale.trim_end_matches('.').to_string(),
            });
        }
    }
    out
}

/// "met" or "not met".
fn yes(b: bool) -> &'static str {
    if b { "met" } else { "not met" }
}

/// The steps with their numbers and sentences.
fn steps(e: &Explanation, re: ReExport) -> Vec<ExplainStep> {
    let bloc = &e.bloc;
    let year = e.year;
    let step = |step: &str, value, threshold, met, text: String| ExplainStep {
        step: step.into(),
        value,
        threshold,
        met,
        text,
    };
    let mut out = vec![
        step(
            "product",
            None,
            None,
            None,
            format!(
                "HS {} — {}",
                e.hs6,
                e.name.as_deref().unwrap_or("(no name in the HS lists)")
            ),
        ),
        step(
            "imports",
            Some(e.imports),
            None,
            None,
            if e.within_reporter > 0.0 {
                format!(
                    "{} imports in {year}: {:.1} million USD, of which {:.0} % from outside {bloc} and {:.1} million USD between its members; exports {:.1} million USD, the trade between its members included.",
                    e.reporter,
                    e.imports / 1000.0,
                    e.outside_share * 100.0,
                    e.within_reporter / 1000.0,
                    e.exports / 1000.0
                )
            } else {
                format!(
                    "{} imports in {year}: {:.1} million USD, of which {:.0} % from outside {bloc}; exports {:.1} million USD.",
                    e.reporter,
                    e.imports / 1000.0,
                    e.outside_share * 100.0,
                    e.exports / 1000.0
                )
            },
        ),
    ];
    let [c1, c2, c3] = &e.criteria[..] else {
        unreachable!("three criteria")
    };
    out.push(step(
        "concentration",
        c1.value,
        Some(c1.threshold),
        Some(c1.met),
        format!(
            "  1. concentration of imports from outside {bloc}: HHI {} > {} — {}",
            c1.value.map_or("–".to_string(), |h| format!("{h:.2}")),
            c1.threshold,
            yes(c1.met)
        ),
    ));
    out.push(step(
        "outside",
        c2.value,
        Some(c2.threshold),
        Some(c2.met),
        format!(
            "  2. share of imports from outside {bloc}: {:.0} % > {:.0} % — {}",
            e.outside_share * 100.0,
            c2.threshold * 100.0,
            yes(c2.met)
        ),
    ));
    let rx = &e.reexport;
    let ratio_text = match (rx.ratio_before, re) {
        (None, _) => "no exports".to_string(),
        (Some(x), ReExport::None) => format!("{x:.2}"),
        (Some(x), ReExport::Net) => format!(
            "{:.2} after the re-export correction (retained share {:.0} %; {x:.2} before)",
            rx.ratio_used.unwrap_or(f64::NAN),
            rx.retained_share * 100.0
        ),
    };
    out.push(step(
        "ratio",
        c3.value,
        Some(c3.threshold),
        Some(c3.met),
        format!(
            "  3. imports from outside {bloc} / exports: {ratio_text} > {} — {}",
            c3.threshold,
            yes(c3.met)
        ),
    ));
    let p = &e.persistence;
    out.push(step(
        "persistence",
        p.years_met.map(|n| n as f64),
        Some(p.min as f64),
        p.years_met.map(|_| p.met),
        match p.years_met {
            Some(n) => format!(
                "Persistence: the three criteria are met in {n} of the {} years to {year} (need {}).",
                p.window, p.min
            ),
            None => format!(
                "Persistence: not checked (the data do not have the {} years to {year}).",
                p.window
            ),
        },
    ));
    out.push(step(
        "suppliers",
        e.suppliers.first().map(|s| s.share),
        None,
        None,
        format!(
            "Suppliers: {}.",
            e.suppliers
                .iter()
                .take(6)
                .map(|s| format!("{} {:.0} % ({})", s.label, s.share * 100.0, s.relation))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
    let w = &e.world;
    let whhi = w.hhi.unwrap_or(f64::NAN);
    out.push(step(
        "world_supply",
        w.hhi,
        Some(w.threshold),
        Some(w.concentrated),
        format!(
            "World supply: HHI {whhi:.2} ({}) over {:.1} million USD of world exports; {} supplies {:.1} % of world exports{}.",
            if w.concentrated { "concentrated" } else { "not concentrated" },
            w.world_exports / 1000.0,
            e.reporter,
            w.reporter_share.unwrap_or(0.0) * 100.0,
            if w.bloc_reporter { " (outside the bloc's own trade)" } else { "" }
        ),
    ));
    out.push(step(
        "crucial",
        None,
        None,
        Some(!e.areas.is_empty()),
        if e.areas.is_empty() {
            "Crucial for public interests: not listed in the criticality mapping or the priority markets.".into()
        } else {
            let why: Vec<String> = e
                .area_reasons
                .iter()
                .map(|a| match &a.segment {
                    None => format!(
                        "{} (criticality mapping: {})",
                        a.areas.join(", "),
                        a.rationale
                    ),
                    Some(s) => format!(
                        "priority market {} — segment {s}, {} ({})",
                        a.areas.join(", "),
                        a.confidence.as_deref().unwrap_or_default(),
                        a.rationale
                    ),
                })
                .collect();
            format!("Crucial for public interests: {}.", why.join("; "))
        },
    ));
    if let Some(k) = &e.risk {
        out.push(step(
            "risk",
            Some(k.non_aligned_share),
            None,
            Some(k.high),
            if k.high {
                format!("Disruption risk: high — {}.", k.reasons.join("; "))
            } else {
                format!(
                    "Disruption risk: not high (high-risk suppliers {:.0} %, not like-minded {:.0} % of imports from outside {bloc}).",
                    k.high_risk_share * 100.0,
                    k.non_aligned_share * 100.0
                )
            },
        ));
    }
    out.push(step(
        "verdict",
        None,
        None,
        Some(e.dependency),
        format!("Verdict: {}.", e.verdict),
    ));
    out
}

/// The sentences: the steps' texts, with the heading of the criteria.
fn sentences(e: &Explanation) -> Vec<String> {
    let mut lines = Vec::new();
    for s in &e.steps {
        if s.step == "concentration" {
            lines.push("EU 2021 criteria:".to_string());
        }
        lines.push(s.text.clone());
    }
    lines
}

/// The columns of the explanation's table: one row per step.
const STEPS: &[Col<ExplainStep>] = &[
    Col {
        name: "step",
        unit: "",
        meaning: "The step: product, imports, concentration, outside, ratio, persistence, suppliers, world_supply, crucial, risk, verdict.",
        decimals: None,
        get: |r| (&r.step).into(),
    },
    Col {
        name: "value",
        unit: "",
        meaning: "The step's number: imports in thousand USD, an HHI, a share (fraction), a ratio, years met.",
        decimals: Some(3),
        get: |r| Cell::opt_num(r.value),
    },
    Col {
        name: "threshold",
        unit: "",
        meaning: "The threshold the number is held against.",
        decimals: Some(2),
        get: |r| Cell::opt_num(r.threshold),
    },
    Col {
        name: "met",
        unit: "",
        meaning: "Whether the step's condition holds (criterion met, persistence reached, world supply concentrated, crucial, risk high, a dependency).",
        decimals: None,
        get: |r| r.met.map_or(Cell::Null, Cell::Bool),
    },
    Col {
        name: "text",
        unit: "",
        meaning: "The step in words.",
        decimals: None,
        get: |r| (&r.text).into(),
    },
];

impl Tabular for Explanation {
    fn table(&self) -> Table {
        Table::of(STEPS, &self.steps)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!(
            "indmon-dependency-{}-{}-{}",
            self.reporter, self.hs6, self.year
        )
    }
}
