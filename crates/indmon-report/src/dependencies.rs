//! The strategic-dependency screen: the flows of a BACI-format dataset accumulated per
//! product and country, the EU 2021 criteria, persistence, the re-export correction and
//! the three tiers (dependency → strategic → risky strategic). Also the countries of a
//! BACI country list and the resolution of a reporter's name, which the market board
//! shares.

use std::collections::{BTreeMap, HashMap, HashSet};

use indmon_analytics::dependencies::{
    self as dep, Accumulator, Criteria, Metric, ReExport, Relation, Risk, RiskRule, Thresholds,
};
use indmon_core::settings::{DependencySettings, Settings};
use indmon_core::taxonomy::{Criticality, Taxonomy};
use indmon_reference::{Lists, Reference};
use indmon_store::{Agg, Catalog, Cond, QueryOptions, Rows, Select, Store};
use serde::Serialize;

pub use crate::countries::{Countries, Reporter, edition_of_hs, is_eu27};
use crate::{Error, Result, Source};

// ---------------------------------------------------------------------------------
// The trade

/// The trade of one run, accumulated.
pub struct Trade {
    /// The flows per product, country and year.
    pub acc: Accumulator,
    /// The reporter.
    pub reporter: Reporter,
    /// The country list.
    pub countries: Countries,
    /// HS edition of the product codes.
    pub edition: &'static str,
    /// Synthetic data.
    pub synthetic: bool,
    /// What the trade is (source lines).
    pub notes: Vec<String>,
    /// Distinct products in the data read.
    pub products_in_data: usize,
    /// The dataset vintage read, when from the store.
    pub source: Option<Source>,
}

/// Which trade to read from the store.
#[derive(Debug, Clone, Default)]
pub struct TradeRequest {
    /// Reporter: a country (ISO alpha-2 or alpha-3) or EU27 [default: `[target] geo`].
    pub reporter: Option<String>,
    /// Year [default: the latest in the data].
    pub year: Option<i32>,
    /// Trade dataset [default: real before synthetic, most rows].
    pub dataset: Option<String>,
}

/// The BACI-format dataset the screen reads by default: real before synthetic, then
/// the one with most rows.
pub fn default_trade_dataset(catalog: &Catalog) -> Option<String> {
    catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .max_by_key(|m| (!m.synthetic, m.rows))
        .map(|m| m.dataset.as_str().to_string())
}

/// The note that says the trade is synthetic.
pub const SYNTHETIC_NOTE: &str = "SYNTHETIC data (generated, not statistics): the screen shows how it works, not real dependencies.";

/// Reads the flows of a store dataset into an accumulator, streamed. With `window`,
/// only the years the screen needs are read: the year asked for (or the latest) and
/// the persistence window before it.
pub async fn load(
    store: &Store,
    settings: &Settings,
    req: &TradeRequest,
    window: Option<usize>,
) -> Result<Trade> {
    let reporter_name = req
        .reporter
        .clone()
        .unwrap_or_else(|| settings.target.geo.clone());
    let catalog = store.catalog()?;
    let dataset = match &req.dataset {
        Some(d) => d.clone(),
        None => default_trade_dataset(&catalog).ok_or_else(|| {
            Error::NoData("no trade data in the store: run `indmon init` or `indmon ingest baci DIR`, or give --trade PATH".into())
        })?,
    };
    let meta = catalog.latest(&dataset).cloned().ok_or_else(|| {
        indmon_store::Error::NotFound(format!("dataset {dataset} is not in the store"))
    })?;
    if meta.schema != "baci_trade" {
        return Err(Error::Invalid(format!(
            "dataset {dataset} is not BACI-format trade"
        )));
    }
    let ctable =
        if dataset.starts_with("synth_") && catalog.latest("synth_baci_countries").is_some() {
            "synth_baci_countries"
        } else {
            "baci_countries"
        };
    let countries = if catalog.latest(ctable).is_some() {
        Countries::read(store, ctable).await?
    } else {
        Countries::default()
    };
    let reporter = Reporter::resolve(&reporter_name, &countries)?;
    let mut acc = Accumulator::new(&reporter.codes, &reporter.bloc);
    let mut products = HashSet::new();
    let mut flows = Select::from(&dataset).columns(["t", "i", "j", "k", "v"]);
    if let Some(w) = window {
        let last = match req.year {
            Some(y) => y,
            None => store
                .fetch(
                    &Select::from(&dataset).agg(Agg::Max("t".into())),
                    &QueryOptions::default(),
                )
                .await?
                .i64s(0)?
                .first()
                .copied()
                .flatten()
                .map_or(0, |v| v as i32),
        };
        flows = flows
            .filter(Cond::ge("t", last - w as i32 + 1))
            .filter(Cond::le("t", last));
    }
    store
        .scan(&flows, &QueryOptions::default(), |rows| {
            feed(&mut acc, rows, &mut products)
                .map_err(|e| indmon_store::Error::Query(e.to_string()))
        })
        .await?;
    let mut notes = Vec::new();
    if meta.synthetic {
        notes.push(SYNTHETIC_NOTE.into());
    }
    notes.push(format!("Trade: dataset {dataset}: {}.", meta.source_line()));
    let edition = edition_of_hs(&dataset)?;
    Ok(Trade {
        acc,
        reporter,
        countries,
        edition,
        synthetic: meta.synthetic,
        notes,
        products_in_data: products.len(),
        source: Some(Source::of(&meta)),
    })
}

/// Adds rows of (t, i, j, k, v) to the accumulator, and their products to `products`.
pub fn feed(acc: &mut Accumulator, rows: &Rows, products: &mut HashSet<u32>) -> Result<()> {
    let (t, i, j, k, v) = (
        rows.i64s(0)?,
        rows.i64s(1)?,
        rows.i64s(2)?,
        rows.texts(3)?,
        rows.f64s(4)?,
    );
    for r in 0..rows.len() {
        let (Some(ti), Some(ii), Some(ji), Some(code), Some(v)) = (t[r], i[r], j[r], &k[r], v[r])
        else {
            continue;
        };
        let kk: u32 = code
            .parse()
            .ok()
            .filter(|&x: &u32| x < 1_000_000)
            .ok_or_else(|| Error::Invalid(format!("product code {code:?} is not an HS6 code")))?;
        if !(0..1000).contains(&ii) || !(0..1000).contains(&ji) {
            return Err(Error::Invalid(format!(
                "country code {ii} or {ji} is outside BACI's range 0-999"
            )));
        }
        products.insert(kk);
        acc.add(ti as i32, ii as u16, ji as u16, kk, v);
    }
    Ok(())
}

/// The year of the screen: the one asked for, which the data must have, or the latest.
pub fn year_of(trade: &Trade, year: Option<i32>) -> Result<i32> {
    let mut years: Vec<i32> = trade.acc.years().to_vec();
    years.sort();
    match year {
        Some(y) if years.contains(&y) => Ok(y),
        Some(y) => Err(Error::NoData(format!(
            "no trade for {y} (years: {})",
            years
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => years
            .last()
            .copied()
            .ok_or_else(|| Error::NoData("the trade data have no rows".into())),
    }
}

// ---------------------------------------------------------------------------------
// Classification

/// The tiers, each within the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Not a dependency.
    None,
    /// The EU 2021 criteria (and persistence) are met.
    Dependency,
    /// A dependency on a product crucial for public interests.
    Strategic,
    /// A strategic dependency with high disruption risk.
    Risky,
}

impl Tier {
    /// The name printed ("" for none).
    pub fn label(self) -> &'static str {
        match self {
            Tier::None => "",
            Tier::Dependency => "dependency",
            Tier::Strategic => "strategic dependency",
            Tier::Risky => "risky strategic dependency",
        }
    }
}

/// One product and year, classified.
#[derive(Debug, Clone)]
pub struct Row {
    /// The EU 2021 inputs.
    pub m: Metric,
    /// The criteria met (after the correction chosen).
    pub crit: Criteria,
    /// Years met in the window, when the data have the window.
    pub persist: Option<usize>,
    /// Criteria and persistence met.
    pub dependency: bool,
    /// The same without the re-export correction (to show its effect).
    pub dependency_uncorrected: bool,
    /// Areas crucial for public interests the product belongs to.
    pub areas: Vec<String>,
    /// Disruption risk, for dependencies in an area.
    pub risk: Option<Risk>,
    /// The tier.
    pub tier: Tier,
}

/// The rules, mapping and relations a screen applies.
pub struct Setup<'a> {
    /// Thresholds of the criteria.
    pub th: Thresholds,
    /// The disruption-risk rule.
    pub rule: RiskRule,
    /// The re-export correction.
    pub re: ReExport,
    /// HS6 → areas (area names) for the data's edition.
    pub areas: HashMap<u32, Vec<String>>,
    /// ISO3 → relation.
    pub relations: HashMap<String, Relation>,
    /// The overrides from the settings.
    pub overrides: BTreeMap<String, String>,
    /// Which relations apply, in words.
    pub relations_note: String,
    /// Which mapping applies, in words.
    pub criticality_note: String,
    /// The priority-market taxonomy (validated by the caller).
    pub tax: &'a Taxonomy,
    /// The criticality mapping.
    pub crit: Criticality,
    /// The classification lists.
    pub lists: &'a Lists,
}

/// The re-export correction the settings name (`net`, else none).
pub fn reexport_of(s: &DependencySettings) -> ReExport {
    if s.reexport == "net" {
        ReExport::Net
    } else {
        ReExport::None
    }
}

/// Sets up the screen for the data's `edition`: thresholds and relations from the
/// settings (`re` overrides the settings' correction), the criticality mapping and the
/// core and partial codes of `tax` (which the caller has validated against the lists).
pub fn setup<'a>(
    s: &DependencySettings,
    re: Option<ReExport>,
    edition: &str,
    tax: &'a Taxonomy,
    reference: &'a Reference,
) -> Result<Setup<'a>> {
    let th = Thresholds {
        outside_hhi: s.outside_hhi,
        outside_share: s.outside_share,
        ratio: s.import_export_ratio,
        world_hhi: s.world_hhi,
        persist_min: s.persistence_min,
        persist_window: s.persistence_window,
    };
    let rule = RiskRule {
        high_risk_share: s.risk_high_risk_share,
        non_aligned_share: s.risk_non_aligned_share,
    };
    let re = re.unwrap_or_else(|| reexport_of(s));
    let crit = reference.criticality.clone();
    let area_name: HashMap<&str, &str> = crit
        .areas
        .iter()
        .map(|a| (a.id.get_ref().as_str(), a.name_en.as_str()))
        .collect();
    let mut areas: HashMap<u32, Vec<String>> = HashMap::new();
    for e in crit
        .entries
        .iter()
        .filter(|e| e.editions.iter().any(|x| x == edition))
    {
        if let Ok(k) = e.code.get_ref().parse::<u32>() {
            for a in &e.areas {
                areas
                    .entry(k)
                    .or_default()
                    .push(area_name.get(a.as_str()).copied().unwrap_or(a).to_string());
            }
        }
    }
    for mk in &tax.markets {
        // core and partial codes: a proxy stands in for a market, it is not part of it
        for (_, h) in mk
            .hs_in(edition)
            .into_iter()
            .filter(|(_, h)| h.confidence.get_ref() != "proxy")
        {
            if let Ok(k) = h.code.get_ref().parse::<u32>() {
                let a = format!("priority market {}", mk.name_en.to_lowercase());
                let v = areas.entry(k).or_default();
                if !v.contains(&a) {
                    v.push(a);
                }
            }
        }
    }
    let rel = &reference.relations;
    let mut classes = reference.relation_classes.clone();
    for (k, v) in &s.relations {
        classes.insert(k.clone(), v.clone());
    }
    let relations = classes
        .into_iter()
        .map(|(k, v)| {
            let r = match v.as_str() {
                "eu" => Relation::Eu,
                "like_minded" => Relation::LikeMinded,
                "high_risk" => Relation::HighRisk,
                _ => Relation::Other,
            };
            (k, r)
        })
        .collect();
    Ok(Setup {
        th,
        rule,
        re,
        areas,
        relations,
        overrides: s.relations.clone(),
        relations_note: format!(
            "Relations: taxonomy/country-relations.toml version {} (EU; like-minded = OECD members outside the EU; high-risk = broad EU sanctions regimes; others: other){}.",
            rel.version,
            if s.relations.is_empty() {
                String::new()
            } else {
                format!(
                    ", overridden in the settings for {}",
                    s.relations.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            }
        ),
        criticality_note: format!(
            "Crucial for public interests: taxonomy/criticality.toml version {} ({} products) and the core and partial codes of the priority-market taxonomy version {}.",
            crit.version,
            crit.entries.len(),
            tax.version
        ),
        tax,
        crit,
        lists: &reference.lists,
    })
}

/// The relation of a supplier to the reporter.
pub fn relation_of(setup: &Setup, trade: &Trade, code: u16) -> Relation {
    if trade.reporter.bloc.contains(&code) {
        return Relation::Eu;
    }
    setup
        .relations
        .get(&trade.countries.iso3(code))
        .copied()
        // outside the reporter's bloc an "eu" country is a partner like the like-minded
        // ones (the reporter is not in the EU, or the class was set by hand)
        .map(|r| {
            if r == Relation::Eu {
                Relation::LikeMinded
            } else {
                r
            }
        })
        .unwrap_or(Relation::Other)
}

/// Every product and year of the trade, classified.
pub fn classify(trade: &Trade, setup: &Setup) -> Vec<Row> {
    let metrics = trade.acc.metrics();
    let persist = dep::persistence(&metrics, &setup.th, setup.re);
    let persist_raw = dep::persistence(&metrics, &setup.th, ReExport::None);
    metrics
        .into_iter()
        .zip(persist.into_iter().zip(persist_raw))
        .map(|(m, (persist, persist_raw))| {
            let crit = dep::criteria(&m, &setup.th, setup.re);
            let dependency = crit.all() && persist.is_none_or(|n| n >= setup.th.persist_min);
            let dependency_uncorrected = dep::criteria(&m, &setup.th, ReExport::None).all()
                && persist_raw.is_none_or(|n| n >= setup.th.persist_min);
            let areas = setup.areas.get(&m.product).cloned().unwrap_or_default();
            let risk = (dependency && !areas.is_empty()).then(|| {
                let origins = trade.acc.origins(m.year, m.product);
                dep::risk(
                    &origins,
                    |c| relation_of(setup, trade, c),
                    |c| trade.countries.label(c),
                    &trade.reporter.bloc_name,
                    m.world_hhi,
                    &setup.th,
                    &setup.rule,
                )
            });
            let tier = match (
                dependency,
                areas.is_empty(),
                risk.as_ref().is_some_and(|r| r.high),
            ) {
                (false, _, _) => Tier::None,
                (true, true, _) => Tier::Dependency,
                (true, false, false) => Tier::Strategic,
                (true, false, true) => Tier::Risky,
            };
            Row {
                m,
                crit,
                persist,
                dependency,
                dependency_uncorrected,
                areas,
                risk,
                tier,
            }
        })
        .collect()
}

/// A product code with its leading zeros.
pub fn hs6(k: u32) -> String {
    format!("{k:06}")
}

/// The notes every output of the screen carries: the trade, its scope, the method, the
/// mapping, the relations and overrides that cannot act, the risk rule. `million`: the
/// values shown are in million USD (else thousand USD, as BACI).
pub fn common_notes(trade: &Trade, setup: &Setup, year: i32, million: bool) -> Vec<String> {
    let mut notes = trade.notes.clone();
    if trade.products_in_data < 1000 {
        notes.push(format!(
            "Scope: the trade data hold only {} products; the screen covers those alone.",
            trade.products_in_data
        ));
    }
    let th = &setup.th;
    notes.push(format!(
        "Method {}: EU 2021 criteria — HHI of imports from outside {bloc} > {}, their share > {}, imports from outside {bloc} / exports > {} (no exports: met); persistence: met in {} of the {} years to {year} where the data have them; re-export correction: {}; values in {}.",
        dep::METHOD_VERSION,
        th.outside_hhi,
        th.outside_share,
        th.ratio,
        th.persist_min,
        th.persist_window,
        match setup.re {
            ReExport::None => "none",
            ReExport::Net => "net (re-exports taken as min(imports, exports): retained imports over own exports)",
        },
        if million {
            "million USD"
        } else {
            "thousand USD, as BACI (ratio_used: the ratio after the re-export correction)"
        },
        bloc = trade.reporter.bloc_name,
    ));
    notes.push(setup.criticality_note.clone());
    notes.push(setup.relations_note.clone());
    // overrides that cannot act: a member of the reporter's bloc is always "EU", and
    // "eu" outside the bloc counts as like-minded
    for (iso, class) in &setup.overrides {
        let in_bloc = trade
            .countries
            .codes_of(iso)
            .iter()
            .any(|c| trade.reporter.bloc.contains(c) || trade.reporter.codes.contains(c));
        if in_bloc && class != "eu" {
            notes.push(format!(
                "Note: the setting {iso} = \"{class}\" has no effect here: {iso} is in {}, whose imports from it are not imports from outside.",
                trade.reporter.bloc_name
            ));
        } else if !in_bloc && class == "eu" {
            notes.push(format!(
                "Note: the setting {iso} = \"eu\" counts as like-minded here: {iso} is not in {}.",
                trade.reporter.bloc_name
            ));
        }
    }
    notes.push(format!(
        "Risk is high when the largest supplier outside {} is high-risk, high-risk countries supply ≥ {:.0} % of those imports, or world supply is concentrated (HHI > {}) and countries that are not like-minded supply ≥ {:.0} %.",
        trade.reporter.bloc_name,
        setup.rule.high_risk_share * 100.0,
        setup.th.world_hhi,
        setup.rule.non_aligned_share * 100.0
    ));
    notes
}

// ---------------------------------------------------------------------------------
// The screen

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
    /// Imports from outside the reporter.
    pub imports: f64,
    /// Imports from outside the bloc.
    pub imports_outside_bloc: f64,
    /// Exports to outside the reporter.
    pub exports: f64,
    /// HHI of imports over origins.
    pub import_hhi: f64,
    /// HHI of imports from outside the bloc over their origins.
    pub outside_hhi: Option<f64>,
    /// Imports from outside the bloc / imports.
    pub outside_share: f64,
    /// Imports from outside the bloc / exports (none without exports).
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

/// The screen of `req.trade.reporter` on a store dataset, with the bundled taxonomy's
/// codes given in `tax` (validated against the lists).
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
    let year = year_of(&trade, req.trade.year)?;
    let setup = setup(
        &settings.dependencies,
        req.reexport,
        trade.edition,
        tax,
        reference,
    )?;
    Ok(screen_of(&trade, &setup, year, req.tier, req.million))
}

/// The screen of trade already read (see [`load`]).
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

/// The tier of every product `reporter` imports in `year` in the store dataset
/// `dataset` (products that are none are left out): the market board counts them per
/// market.
pub async fn tiers_for(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    dataset: &str,
    reporter: &str,
    year: i32,
) -> Result<HashMap<u32, Tier>> {
    let req = TradeRequest {
        reporter: Some(reporter.to_string()),
        year: Some(year),
        dataset: Some(dataset.to_string()),
    };
    let trade = load(
        store,
        settings,
        &req,
        Some(settings.dependencies.persistence_window),
    )
    .await?;
    let setup = setup(&settings.dependencies, None, trade.edition, tax, reference)?;
    Ok(classify(&trade, &setup)
        .into_iter()
        .filter(|r| r.m.year == year && r.tier != Tier::None)
        .map(|r| (r.m.product, r.tier))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn countries() -> Countries {
        let mut c = Countries::default();
        for (code, i2, i3, name) in [
            (528, "NL", "NLD", "Netherlands"),
            (300, "GR", "GRC", "Greece"),
            (381, "", "ITA", "Italy"),
            (842, "US", "USA", "USA"),
            (251, "FR", "FRA", "France"),
        ] {
            c.insert(code, i3, name);
            if !i2.is_empty() {
                c.insert_iso2(i2, i3);
            }
        }
        c
    }

    #[test]
    fn countries_resolve_by_either_iso_code_and_eurostat_spelling() {
        let c = countries();
        assert_eq!(c.codes_of("NL"), [528]);
        assert_eq!(c.codes_of("nld"), [528]);
        assert_eq!(c.codes_of("EL"), [300]);
        // a list without the alpha-2 code still finds the member state
        assert_eq!(c.codes_of("IT"), [381]);
        assert!(c.codes_of("XX").is_empty());
        assert!(c.same("GR", "EL") && c.same("NL", "NLD") && !c.same("NL", "FR"));
        assert_eq!(c.iso2_of("GRC").as_deref(), Some("GR"));
        assert_eq!(crate::countries::eurostat_of_iso2("GR"), "EL");
        assert_eq!(c.eu27(), [300, 251, 381, 528], "in the order of EU27");
    }

    #[test]
    fn a_member_state_reports_inside_the_eu_bloc_and_others_alone() {
        let c = countries();
        let nl = Reporter::resolve("nl", &c).unwrap();
        assert_eq!((nl.name.as_str(), nl.codes.as_slice()), ("NL", &[528][..]));
        assert_eq!(nl.bloc_name, "the EU");
        let us = Reporter::resolve("USA", &c).unwrap();
        assert!(us.bloc.is_empty() && us.bloc_name == "USA");
        let eu = Reporter::resolve("EU27", &c).unwrap();
        assert_eq!(eu.codes, eu.bloc);
        assert!(matches!(
            Reporter::resolve("XX", &c),
            Err(Error::Invalid(_))
        ));
    }
}
