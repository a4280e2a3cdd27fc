//! What complexity says about one country: the products within its reach
//! ([`opportunities`]) and the product-space neighbourhood of one product
//! ([`neighbourhood`]), in the latest year of the panel, with product names from the
//! store's code list of the input's classification.

use std::collections::{HashMap, HashSet};

use indmon_analytics::complexity::Options;
use indmon_core::VintageMeta;
use indmon_sources::InputError;
use indmon_sources::formats::panel_csv::hs4;
use indmon_store::{QueryOptions, Select, Store};
use serde::Serialize;

use super::panel::{PanelRequest, load_panel};
use super::results::{ComplexityReport, YearProgress, compute};
use super::{opt, round4};
use crate::table::{Cell, Col, Table, Tabular};
use crate::{Error, Result, Source};

/// What the opportunities are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum RankBy {
    /// Complexity outlook gain (COG).
    Cog,
    /// Density: closeness to what the country exports now.
    Density,
    /// Product complexity (PCI).
    Pci,
}

impl RankBy {
    fn words(self) -> &'static str {
        match self {
            RankBy::Cog => "outlook gain (COG)",
            RankBy::Density => "density",
            RankBy::Pci => "PCI",
        }
    }
}

/// Which opportunities to show.
#[derive(Debug, Clone)]
pub struct OpportunitiesRequest {
    /// The country: ISO alpha-2 or alpha-3, or the code the input uses.
    pub geo: String,
    /// The panel (its latest year is used).
    pub panel: PanelRequest,
    /// The complexity method.
    pub method: Options,
    /// Only products with PCI at least this.
    pub min_pci: Option<f64>,
    /// The ranking.
    pub by: RankBy,
    /// Number of products shown.
    pub top: usize,
}

/// Which neighbourhood to show.
#[derive(Debug, Clone)]
pub struct NeighbourhoodRequest {
    /// The country whose presence is shown.
    pub geo: String,
    /// The panel (its latest year is used).
    pub panel: PanelRequest,
    /// The complexity method.
    pub method: Options,
    /// The product (its HS4 heading is accepted when the panel is aggregated to HS4).
    pub product: String,
    /// Number of neighbours shown.
    pub top: usize,
}

/// One product within the country's reach. Figures rounded to 4 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Opportunity {
    /// Rank.
    pub rank: usize,
    /// Product code.
    pub product: String,
    /// Product name, where the store's code list has it.
    pub name: Option<String>,
    /// Complexity outlook gain.
    pub cog: Option<f64>,
    /// Density.
    pub density: Option<f64>,
    /// Distance (1 − density).
    pub distance: Option<f64>,
    /// PCI.
    pub pci: Option<f64>,
    /// The country's RCA in the product (below the threshold).
    pub rca: Option<f64>,
}

/// The columns of the opportunities.
pub const OPPORTUNITIES: &[Col<Opportunity>] = &[
    Col {
        name: "rank",
        unit: "",
        meaning: "Rank by the chosen measure.",
        decimals: None,
        get: |r| r.rank.into(),
    },
    Col {
        name: "product",
        unit: "",
        meaning: "Product code.",
        decimals: None,
        get: |r| r.product.as_str().into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "Product name from the code list of the input's classification.",
        decimals: None,
        get: |r| Cell::opt_text(r.name.clone()),
    },
    Col {
        name: "cog",
        unit: "",
        meaning: "Complexity outlook gain: how much the country's outlook would rise with the product.",
        decimals: None,
        get: |r| Cell::opt_num(r.cog),
    },
    Col {
        name: "density",
        unit: "",
        meaning: "How close the product is to what the country exports now (0 to 1).",
        decimals: None,
        get: |r| Cell::opt_num(r.density),
    },
    Col {
        name: "distance",
        unit: "",
        meaning: "1 − density.",
        decimals: None,
        get: |r| Cell::opt_num(r.distance),
    },
    Col {
        name: "pci",
        unit: "",
        meaning: "Product complexity index.",
        decimals: None,
        get: |r| Cell::opt_num(r.pci),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "The country's revealed comparative advantage in the product.",
        decimals: None,
        get: |r| Cell::opt_num(r.rca),
    },
];

/// The products a country does not yet export with comparative advantage, ranked.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OpportunitiesReport {
    /// The country as asked for.
    pub geo: String,
    /// Its code in the input.
    pub location: String,
    /// The year (the panel's latest, or the one asked for).
    pub year: i32,
    /// The country's diversity.
    pub diversity: u32,
    /// The country's ECI.
    pub eci: Option<f64>,
    /// The country's COI.
    pub coi: Option<f64>,
    /// Locations in the panel that year.
    pub locations: usize,
    /// Products in the panel that year.
    pub products: usize,
    /// The ranking.
    pub by: RankBy,
    /// The lowest PCI shown, when asked.
    pub min_pci: Option<f64>,
    /// Products not exported with comparative advantage (that pass `min_pci`), of
    /// which the first `rows` are shown.
    pub candidates: usize,
    /// `stata` or `python`.
    pub convention: String,
    /// The complexity method.
    pub method: String,
    /// The products, best first.
    pub rows: Vec<Opportunity>,
    /// What is ranked, the country's figures, the source, the method, product names.
    pub notes: Vec<String>,
    /// The trade vintage and the product list read.
    pub sources: Vec<Source>,
}

impl Tabular for OpportunitiesReport {
    fn table(&self) -> Table {
        Table::of(OPPORTUNITIES, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-opportunities-{}", self.location)
    }
}

/// One product near the product asked for. Figures rounded to 4 decimals.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Neighbour {
    /// Product code.
    pub product: String,
    /// Product name, where the store's code list has it.
    pub name: Option<String>,
    /// Proximity to the product asked for.
    pub proximity: Option<f64>,
    /// 1 where the country exports it with comparative advantage.
    pub mcp: u8,
    /// The country's RCA.
    pub rca: Option<f64>,
    /// PCI.
    pub pci: Option<f64>,
}

/// The columns of a neighbourhood.
pub const NEIGHBOURS: &[Col<Neighbour>] = &[
    Col {
        name: "product",
        unit: "",
        meaning: "Product code.",
        decimals: None,
        get: |r| r.product.as_str().into(),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "Product name from the code list of the input's classification.",
        decimals: None,
        get: |r| Cell::opt_text(r.name.clone()),
    },
    Col {
        name: "proximity",
        unit: "",
        meaning: "Proximity to the product asked for (0 to 1).",
        decimals: None,
        get: |r| Cell::opt_num(r.proximity),
    },
    Col {
        name: "mcp",
        unit: "",
        meaning: "1 where the country exports the product with comparative advantage.",
        decimals: None,
        get: |r| i64::from(r.mcp).into(),
    },
    Col {
        name: "rca",
        unit: "",
        meaning: "The country's revealed comparative advantage in the product.",
        decimals: None,
        get: |r| Cell::opt_num(r.rca),
    },
    Col {
        name: "pci",
        unit: "",
        meaning: "Product complexity index.",
        decimals: None,
        get: |r| Cell::opt_num(r.pci),
    },
];

/// A product's nearest products in the product space, with the country's presence.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Neighbourhood {
    /// The country as asked for.
    pub geo: String,
    /// Its code in the input.
    pub location: String,
    /// The year.
    pub year: i32,
    /// The product asked for.
    pub product: String,
    /// Its name, where the store's code list has it.
    pub name: Option<String>,
    /// `stata` or `python`.
    pub convention: String,
    /// The complexity method.
    pub method: String,
    /// The nearest products, nearest first.
    pub rows: Vec<Neighbour>,
    /// What is shown, the country's figures, the source, the method, product names.
    pub notes: Vec<String>,
    /// The trade vintage and the product list read.
    pub sources: Vec<Source>,
}

impl Tabular for Neighbourhood {
    fn table(&self) -> Table {
        Table::of(NEIGHBOURS, &self.rows)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-neighbourhood-{}-{}", self.product, self.location)
    }
}

/// One country in one year's complexity.
struct Focus {
    /// The complexity of the year (one year only).
    report: ComplexityReport,
    /// The country's row.
    loc: usize,
    /// The country's figures, then the source and method lines.
    notes: Vec<String>,
}

impl Focus {
    fn year(&self) -> &super::results::YearMeasures {
        &self.report.rows.years[0]
    }
}

/// The latest year of the panel computed, and the country found in it.
async fn focus(
    store: Option<&Store>,
    geo: &str,
    panel: PanelRequest,
    method: &Options,
    progress: YearProgress<'_>,
) -> Result<Focus> {
    let panel = load_panel(store, panel).await?.latest_year();
    let report = compute(panel, method, progress)?;
    if let Some(s) = report.years.iter().find(|s| s.undefined.is_some()) {
        let why = format!("{}: {}", s.year, s.undefined.as_deref().unwrap_or_default());
        return Err(Error::Input(
            InputError::file(&report.input, format!("no opportunities: {why}"))
                .expected("a panel whose locations and products are connected by shared exports")
                .to_string(),
        ));
    }
    let y = &report.rows.years[0];
    let year = y.year;
    let aliases = geo_aliases(store, geo).await;
    let loc = y
        .locations
        .iter()
        .position(|l| aliases.iter().any(|a| a.eq_ignore_ascii_case(l)))
        .ok_or_else(|| {
            Error::Invalid(format!(
                "{} is not among the {} locations of the input in {year} (e.g. {})",
                indmon_core::quote(geo),
                y.locations.len(),
                y.locations
                    .iter()
                    .take(8)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
    let c = &y.measures;
    let mut notes = vec![format!(
        "{} in {year}: diversity {}, ECI {:.3}, COI {:.3} ({} locations × {} products).",
        y.locations[loc], c.diversity[loc], c.eci[loc], c.coi[loc], c.locations, c.products
    )];
    notes.extend(report.notes.iter().cloned());
    Ok(Focus { report, loc, notes })
}

/// Names of `codes` from the code list of the input's classification, if the store has
/// it; adds the note and the source when it named any.
async fn names_for(
    store: Option<&Store>,
    f: &Focus,
    codes: &[&str],
    notes: &mut Vec<String>,
    sources: &mut Vec<Source>,
) -> HashMap<String, String> {
    let (Some(store), Some(table)) = (store, f.report.nomenclature.as_deref()) else {
        return HashMap::new();
    };
    let (names, meta) = product_names(store, table, codes).await;
    if let Some(m) = meta.filter(|_| !names.is_empty()) {
        notes.push(format!("Product names: {table}, {}", m.source_line()));
        sources.push(Source::of(&m));
    }
    names
}

/// The products `req.geo` does not yet export with comparative advantage in the
/// panel's latest year, ranked by COG, density or PCI (highest first; products without
/// PCI or without the measure left out), the first `req.top` shown. `store` gives
/// country codes and product names (and the panel, for a dataset).
pub async fn opportunities(
    store: Option<&Store>,
    req: OpportunitiesRequest,
    progress: YearProgress<'_>,
) -> Result<OpportunitiesReport> {
    let f = focus(store, &req.geo, req.panel, &req.method, progress).await?;
    let (y, loc) = (f.year(), f.loc);
    let c = &y.measures;
    let np = c.products;
    let key = |p: usize| match req.by {
        RankBy::Cog => c.cog[loc * np + p],
        RankBy::Density => c.density[loc * np + p],
        RankBy::Pci => c.pci[p],
    };
    let mut cands: Vec<usize> = (0..np)
        .filter(|&p| c.mcp[loc * np + p] == 0 && !c.pci[p].is_nan() && !key(p).is_nan())
        .filter(|&p| req.min_pci.is_none_or(|m| c.pci[p] >= m))
        .collect();
    cands.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    let total = cands.len();
    cands.truncate(req.top);
    let shown: Vec<&str> = cands.iter().map(|&p| y.products[p].as_str()).collect();
    let mut notes = f.notes.clone();
    let mut sources = f.report.sources.clone();
    let names = names_for(store, &f, &shown, &mut notes, &mut sources).await;
    let rows: Vec<Opportunity> = cands
        .iter()
        .enumerate()
        .map(|(r, &p)| {
            let i = loc * np + p;
            Opportunity {
                rank: r + 1,
                product: y.products[p].clone(),
                name: names.get(&y.products[p]).cloned(),
                cog: opt(round4(c.cog[i])),
                density: opt(round4(c.density[i])),
                distance: opt(round4(1.0 - c.density[i])),
                pci: opt(round4(c.pci[p])),
                rca: opt(round4(c.rca[i])),
            }
        })
        .collect();
    notes.insert(
        0,
        format!(
            "{} of {total} products {} does not export with comparative advantage, ranked by {}{}.",
            rows.len(),
            y.locations[loc],
            req.by.words(),
            req.min_pci
                .map_or(String::new(), |m| format!(", PCI ≥ {m}"))
        ),
    );
    Ok(OpportunitiesReport {
        geo: req.geo,
        location: y.locations[loc].clone(),
        year: y.year,
        diversity: c.diversity[loc],
        eci: opt(c.eci[loc]),
        coi: opt(c.coi[loc]),
        locations: c.locations,
        products: np,
        by: req.by,
        min_pci: req.min_pci,
        candidates: total,
        convention: f.report.convention.clone(),
        method: f.report.method.clone(),
        rows,
        notes,
        sources,
    })
}

/// The `req.top` products nearest to `req.product` by proximity in the panel's latest
/// year, with `req.geo`'s presence and RCA in each.
pub async fn neighbourhood(
    store: Option<&Store>,
    req: NeighbourhoodRequest,
    progress: YearProgress<'_>,
) -> Result<Neighbourhood> {
    let hs4_panel = req.panel.read.hs4;
    let f = focus(store, &req.geo, req.panel, &req.method, progress).await?;
    let (y, loc) = (f.year(), f.loc);
    let c = &y.measures;
    let np = c.products;
    let near = req.product.as_str();
    let p = y
        .products
        .iter()
        .position(|q| q == near || (hs4_panel && q == &hs4(near)))
        .ok_or_else(|| {
            Error::Invalid(format!("product {near} is not in the input in {}", y.year))
        })?;
    let phi = c.proximity_row(p);
    let mut nbrs: Vec<usize> = (0..np).filter(|&q| q != p && !phi[q].is_nan()).collect();
    nbrs.sort_by(|&a, &b| phi[b].total_cmp(&phi[a]));
    nbrs.truncate(req.top);
    let shown: Vec<&str> = nbrs
        .iter()
        .map(|&q| y.products[q].as_str())
        .chain([y.products[p].as_str()])
        .collect();
    let mut notes = f.notes.clone();
    let mut sources = f.report.sources.clone();
    let names = names_for(store, &f, &shown, &mut notes, &mut sources).await;
    let rows = nbrs
        .iter()
        .map(|&q| {
            let i = loc * np + q;
            Neighbour {
                product: y.products[q].clone(),
                name: names.get(&y.products[q]).cloned(),
                proximity: opt(round4(phi[q])),
                mcp: c.mcp[i],
                rca: opt(round4(c.rca[i])),
                pci: opt(round4(c.pci[q])),
            }
        })
        .collect();
    let name = names.get(near).cloned();
    notes.insert(
        0,
        format!(
            "Nearest products to {near}{} by proximity; mcp = 1 where {} already exports it with comparative advantage.",
            name.as_ref().map_or(String::new(), |n| format!(" ({n})")),
            y.locations[loc]
        ),
    );
    Ok(Neighbourhood {
        geo: req.geo,
        location: y.locations[loc].clone(),
        year: y.year,
        product: req.product,
        name,
        convention: f.report.convention.clone(),
        method: f.report.method.clone(),
        rows,
        notes,
        sources,
    })
}

/// Names of the given product codes from one code list in the store, with the
/// vintage they come from.
async fn product_names(
    store: &Store,
    table: &str,
    codes: &[&str],
) -> (HashMap<String, String>, Option<VintageMeta>) {
    let mut names = HashMap::new();
    let meta = store.catalog().ok().and_then(|c| c.latest(table).cloned());
    let name_col = if table == "baci_products" {
        "description"
    } else {
        "name_short_en"
    };
    if meta.is_none() || codes.is_empty() {
        return (names, meta);
    }
    let wanted: HashSet<&str> = codes.iter().copied().collect();
    let q = Select::from(table).columns(["code", name_col]);
    if let Ok(b) = store.fetch(&q, &QueryOptions::default()).await
        && let (Ok(c), Ok(n)) = (b.texts(0), b.texts(1))
    {
        for (c, n) in c.into_iter().zip(n) {
            if let (Some(c), Some(n)) = (c, n)
                && wanted.contains(c.as_str())
            {
                names.insert(c, n);
            }
        }
    }
    (names, meta)
}

/// Codes that may name the country in the input: `geo` itself and, from the country
/// list in the store, its alpha-2/alpha-3 and BACI codes.
async fn geo_aliases(store: Option<&Store>, geo: &str) -> Vec<String> {
    let mut out = vec![geo.to_string()];
    let Some(store) = store else { return out };
    let Ok(catalog) = store.catalog() else {
        return out;
    };
    if catalog.latest("baci_countries").is_some() {
        let g = geo.to_ascii_uppercase();
        let q = Select::from("baci_countries").columns([
            "country_iso2",
            "country_iso3",
            "country_code",
        ]);
        if let Ok(b) = store.fetch(&q, &QueryOptions::default()).await
            && let (Ok(i2), Ok(i3), Ok(code)) = (b.texts(0), b.texts(1), b.texts(2))
        {
            for r in 0..b.len() {
                let row = [&i2[r], &i3[r], &code[r]];
                if row.iter().any(|v| {
                    v.as_deref()
                        .is_some_and(|v| v.trim().to_ascii_uppercase() == g)
                }) {
                    out.extend(row.into_iter().flatten().cloned());
                }
            }
        }
    }
    out
}
