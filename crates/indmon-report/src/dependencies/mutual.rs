//! Where others depend on the reporter: products of which it supplies a large share of
//! world exports under concentrated world supply, the countries that depend on it for
//! them, and the partners with dependence both ways.

use std::collections::{BTreeMap, HashMap};

use indmon_analytics::dependencies::{self as dep, ReExport};
use indmon_core::settings::Settings;
use indmon_core::taxonomy::Taxonomy;
use indmon_reference::Reference;
use indmon_store::Store;
use serde::Serialize;

use super::{Trade, TradeRequest, classify, common_notes, hs6, load, setup, year_of};
use crate::{Cell, Col, Result, Source, Table, Tabular};

/// What mutual dependencies are asked for.
#[derive(Debug, Clone, Default)]
pub struct MutualRequest {
    /// Reporter, year and dataset.
    pub trade: TradeRequest,
    /// The re-export correction of the reporter's own dependencies [default:
    /// `[dependencies] reexport`].
    pub reexport: Option<ReExport>,
    /// The notes describe values in million USD (the command line's table).
    pub million: bool,
}

/// A country that depends on the reporter for a product.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DependentPartner {
    /// ISO alpha-3 code.
    pub country: String,
    /// BACI country code.
    pub code: u16,
    /// Its imports of the product from the reporter (thousand USD).
    pub from_reporter: f64,
    /// Its imports of the product (thousand USD).
    pub imports: f64,
    /// The reporter's share of them.
    pub share: f64,
}

/// A product of which the reporter supplies a large share of concentrated world supply.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MutualProduct {
    /// HS6 code.
    pub hs6: String,
    /// Name in the HS lists.
    pub name: Option<String>,
    /// The reporter's share of world exports, outside its own trade.
    pub world_share: f64,
    /// HHI of world exports over exporters.
    pub world_hhi: f64,
    /// World exports (thousand USD).
    pub world_exports: f64,
    /// The countries that depend on the reporter for it.
    pub dependent_partners: Vec<DependentPartner>,
}

/// A partner with dependence both ways.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TwoWay {
    /// ISO alpha-3 code.
    pub partner: String,
    /// BACI country code.
    pub code: u16,
    /// The reporter's dependencies of which it is the largest supplier from outside
    /// the bloc (HS6 codes).
    pub we_depend_on_them: Vec<String>,
    /// The products for which it depends on the reporter (HS6 codes).
    pub they_depend_on_us: Vec<String>,
}

/// Where others depend on the reporter, in one year.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mutual {
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
    /// Method version of the analytics.
    pub method: String,
    /// Products where the reporter supplies at least this share of world exports …
    pub min_world_share: f64,
    /// … and world supply has at least this HHI.
    pub min_world_hhi: f64,
    /// A partner depends on the reporter for a product when the reporter supplies at
    /// least this share of its imports …
    pub partner_share: f64,
    /// … of at least this value (thousand USD).
    pub partner_min_value: f64,
    /// The reporter's dependencies in the year.
    pub dependencies: usize,
    /// The products, the reporter's largest exports first.
    pub products: Vec<MutualProduct>,
    /// The partners with dependence both ways, the most mutual first.
    pub two_way: Vec<TwoWay>,
    /// What the figures mean and where they come from.
    pub notes: Vec<String>,
    /// The dataset vintages read.
    pub sources: Vec<Source>,
}

/// Mutual dependencies of `req.trade.reporter` on a store dataset.
pub async fn mutual(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &MutualRequest,
) -> Result<Mutual> {
    let trade = load(
        store,
        settings,
        &req.trade,
        Some(settings.dependencies.persistence_window),
    )
    .await?;
    mutual_in(&trade, settings, tax, reference, req)
}

/// Mutual dependencies on trade already read (with the persistence window);
/// `req.trade` gives the year only.
pub fn mutual_in(
    trade: &Trade,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &MutualRequest,
) -> Result<Mutual> {
    let year = year_of(trade, req.trade.year)?;
    let setup = setup(
        &settings.dependencies,
        req.reexport,
        trade.edition,
        tax,
        reference,
    )?;
    let s = &settings.dependencies;
    let rows = classify(trade, &setup);
    let is_reporter = |p: &u16| trade.reporter.codes.contains(p);
    // products where others depend on the reporter: a large share of world exports
    // under (at least moderately) concentrated world supply
    let world = world_shares(trade, year);
    let partners = trade
        .acc
        .dependent_partners(year, s.partner_share, s.partner_min_value);
    let mut by_product: HashMap<u32, Vec<DependentPartner>> = HashMap::new();
    let mut they_depend: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
    for &(k, p, from_r, all) in partners.iter().filter(|x| !is_reporter(&x.1)) {
        by_product.entry(k).or_default().push(DependentPartner {
            country: trade.countries.iso3(p),
            code: p,
            from_reporter: from_r,
            imports: all,
            share: from_r / all,
        });
        they_depend.entry(p).or_default().push(k);
    }
    let mut strong: Vec<(u32, f64, f64, f64)> = world
        .iter()
        .filter(|(_, (share, hhi, _))| *share >= s.mutual_share && *hhi >= s.mutual_world_hhi)
        .map(|(&k, &(share, hhi, w))| (k, share, hhi, w))
        .collect();
    // the largest first: the reporter's exports of the product
    strong.sort_by(|a, b| (b.1 * b.3).total_cmp(&(a.1 * a.3)).then(a.0.cmp(&b.0)));
    // partners with dependence both ways: the reporter depends on them (they are the
    // largest supplier of a dependency from outside the bloc) and they depend on it
    let mut we_depend: BTreeMap<u16, Vec<u32>> = BTreeMap::new();
    let deps: Vec<_> = rows
        .iter()
        .filter(|r| r.m.year == year && r.dependency)
        .collect();
    for r in &deps {
        if let Some(&(o, _)) = trade
            .acc
            .origins(year, r.m.product)
            .iter()
            .find(|(o, _)| !trade.reporter.bloc.contains(o))
        {
            we_depend.entry(o).or_default().push(r.m.product);
        }
    }
    let products: Vec<MutualProduct> = strong
        .iter()
        .map(|&(k, share, hhi, w)| MutualProduct {
            hs6: hs6(k),
            name: setup
                .lists
                .hs_name(trade.edition, &hs6(k))
                .map(str::to_string),
            world_share: share,
            world_hhi: hhi,
            world_exports: w,
            dependent_partners: by_product.remove(&k).unwrap_or_default(),
        })
        .collect();
    let mut pairs: Vec<(u16, &Vec<u32>, &Vec<u32>)> = we_depend
        .iter()
        .filter_map(|(p, ours)| they_depend.get(p).map(|theirs| (*p, ours, theirs)))
        .collect();
    pairs.sort_by_key(|x| std::cmp::Reverse(x.1.len().min(x.2.len())));
    let codes = |v: &Vec<u32>| v.iter().map(|k| hs6(*k)).collect::<Vec<_>>();
    let two_way: Vec<TwoWay> = pairs
        .iter()
        .map(|(p, ours, theirs)| TwoWay {
            partner: trade.countries.iso3(*p),
            code: *p,
            we_depend_on_them: codes(ours),
            they_depend_on_us: codes(theirs),
        })
        .collect();
    let name = &trade.reporter.name;
    let mut notes = vec![format!(
        "{name} {year}: {} products where {name} supplies ≥ {:.0} % of world exports and world supply has HHI ≥ {}; {} partners with dependence both ways.",
        products.len(),
        s.mutual_share * 100.0,
        s.mutual_world_hhi,
        two_way.len()
    )];
    notes.push(format!(
        "A partner depends on {name} for a product when {name} supplies ≥ {:.0} % of its imports of it (at least {} thousand USD); {name} depends on a partner when the partner is the largest supplier from outside {} of one of its dependencies ({} in {year}).",
        s.partner_share * 100.0,
        s.partner_min_value,
        trade.reporter.bloc_name,
        deps.len()
    ));
    notes.extend(common_notes(trade, &setup, year, req.million));
    Ok(Mutual {
        reporter: name.clone(),
        year,
        dataset: trade.source.as_ref().map(|s| s.dataset.clone()),
        edition: trade.edition.to_string(),
        synthetic: trade.synthetic,
        method: dep::METHOD_VERSION.to_string(),
        min_world_share: s.mutual_share,
        min_world_hhi: s.mutual_world_hhi,
        partner_share: s.partner_share,
        partner_min_value: s.partner_min_value,
        dependencies: deps.len(),
        products,
        two_way,
        notes,
        sources: trade.source.iter().cloned().collect(),
    })
}

/// The reporter's share of world exports per product (outside its own trade), the
/// world HHI and world exports, for every product it exports in `year`.
fn world_shares(trade: &Trade, year: i32) -> HashMap<u32, (f64, f64, f64)> {
    // the metrics cover imported products; exported-only products need the same
    // figures, so they are computed from the destinations and importers here
    let mut out = HashMap::new();
    for m in trade.acc.metrics().iter().filter(|m| m.year == year) {
        // exports to outside the reporter (a bloc's trade between its members is in
        // `exports` but not in its share of world exports)
        if let Some(s) = m.reporter_world_share
            && s > 0.0
        {
            out.insert(m.product, (s, m.world_hhi, m.world_exports));
        }
    }
    for (k, s, h, w) in trade.acc.export_shares(year) {
        out.entry(k).or_insert((s, h, w));
    }
    out
}

/// One line of the table: a product, or a partner with dependence both ways.
#[derive(Debug, Clone)]
enum Line {
    Product(MutualProduct),
    TwoWay(TwoWay),
}

/// `x` rounded to `d` decimals (`+ 0.0` turns a −0 into 0).
fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    (x * f).round() / f + 0.0
}

/// Up to eight codes, then how many in all.
fn list(v: &[String]) -> String {
    let mut s: Vec<String> = v.iter().take(8).cloned().collect();
    if v.len() > 8 {
        s.push(format!("… {} in all", v.len()));
    }
    s.join(" ")
}

fn product(l: &Line) -> Option<&MutualProduct> {
    match l {
        Line::Product(p) => Some(p),
        Line::TwoWay(_) => None,
    }
}

fn pair(l: &Line) -> Option<&TwoWay> {
    match l {
        Line::TwoWay(t) => Some(t),
        Line::Product(_) => None,
    }
}

/// The columns: products first (`kind` = product), then the two-way partners.
const MUTUAL: &[Col<Line>] = &[
    Col {
        name: "kind",
        unit: "",
        meaning: "product: a product others depend on the reporter for; two-way: a partner with dependence both ways.",
        decimals: None,
        get: |l| match l {
            Line::Product(_) => "product".into(),
            Line::TwoWay(_) => "two-way".into(),
        },
    },
    Col {
        name: "hs6",
        unit: "",
        meaning: "HS6 product code.",
        decimals: None,
        get: |l| Cell::opt_text(product(l).map(|p| p.hs6.clone())),
    },
    Col {
        name: "name",
        unit: "",
        meaning: "Name of the product in the HS lists.",
        decimals: None,
        get: |l| Cell::opt_text(product(l).and_then(|p| p.name.clone())),
    },
    Col {
        name: "partner",
        unit: "",
        meaning: "The partner (ISO alpha-3).",
        decimals: None,
        get: |l| Cell::opt_text(pair(l).map(|t| t.partner.clone())),
    },
    Col {
        name: "world_share_pct",
        unit: "%",
        meaning: "The reporter's share of world exports outside its own trade (one decimal).",
        decimals: Some(1),
        get: |l| Cell::opt_num(product(l).map(|p| round(p.world_share * 100.0, 1))),
    },
    Col {
        name: "world_hhi",
        unit: "",
        meaning: "HHI of world exports over exporters (two decimals).",
        decimals: Some(2),
        get: |l| Cell::opt_num(product(l).map(|p| round(p.world_hhi, 2))),
    },
    Col {
        name: "world_exports_musd",
        unit: "million USD",
        meaning: "World exports of the product (one decimal).",
        decimals: Some(1),
        get: |l| Cell::opt_num(product(l).map(|p| round(p.world_exports / 1000.0, 1))),
    },
    Col {
        name: "dependent_partners",
        unit: "",
        meaning: "How many countries depend on the reporter for the product.",
        decimals: None,
        get: |l| Cell::opt_int(product(l).map(|p| p.dependent_partners.len() as i64)),
    },
    Col {
        name: "we_depend_on_them",
        unit: "",
        meaning: "The reporter's dependencies of which the partner is the largest supplier from outside the bloc (up to eight HS6 codes).",
        decimals: None,
        get: |l| Cell::opt_text(pair(l).map(|t| list(&t.we_depend_on_them))),
    },
    Col {
        name: "they_depend_on_us",
        unit: "",
        meaning: "The products for which the partner depends on the reporter (up to eight HS6 codes).",
        decimals: None,
        get: |l| Cell::opt_text(pair(l).map(|t| list(&t.they_depend_on_us))),
    },
];

impl Tabular for Mutual {
    fn table(&self) -> Table {
        let lines: Vec<Line> = self
            .products
            .iter()
            .cloned()
            .map(Line::Product)
            .chain(self.two_way.iter().cloned().map(Line::TwoWay))
            .collect();
        Table::of(MUTUAL, &lines)
    }
    fn notes(&self) -> Vec<String> {
        self.notes.clone()
    }
    fn file_stem(&self) -> String {
        format!("indmon-mutual-{}-{}", self.reporter, self.year)
    }
}
