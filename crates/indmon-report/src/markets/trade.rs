//! The trade a market output is computed from: the reporting units (the country, its
//! peers, the markets' extra peers), the trade cube of the taxonomy's codes — world,
//! unit and product totals and the codes' exports and imports — from four grouped
//! queries over a BACI-format dataset, PCI from `complexity_<dataset>` where it exists,
//! and the country's dependency tiers.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use indmon_analytics::markets::TradeCube;
use indmon_core::VintageMeta;
use indmon_core::settings::Settings;
use indmon_core::taxonomy::{Market, Taxonomy};
use indmon_reference::Reference;
use indmon_store::{Agg, Cond, QueryOptions, Rows, Select, Store};

use crate::countries::{Countries, edition_of, is_eu27};
use crate::dependencies::{self, Tier};
use crate::{Error, Result, Source};

// ---------------------------------------------------------------------------------
// The trade data

/// Every HS6 code of the taxonomy that exists in `edition`, sorted.
fn codes_of(tax: &Taxonomy, edition: &str) -> Vec<String> {
    let set: BTreeSet<String> = tax
        .markets
        .iter()
        .flat_map(|m| m.hs_in(edition))
        .map(|(_, h)| h.code.get_ref().clone())
        .collect();
    set.into_iter().collect()
}

async fn fetch(store: &Store, q: Select) -> Result<Rows> {
    Ok(store.fetch(&q, &QueryOptions::default()).await?)
}

/// The number of distinct products `k` of `dataset` (among `codes`, when given).
async fn distinct_products(
    store: &Store,
    dataset: &str,
    codes: Option<&[String]>,
) -> Result<usize> {
    let mut q = Select::from(dataset).agg(Agg::CountDistinct("k".into()));
    if let Some(codes) = codes {
        q = q.filter(Cond::is_in("k", codes));
    }
    Ok(fetch(store, q)
        .await?
        .i64s(0)?
        .first()
        .copied()
        .flatten()
        .unwrap_or(0) as usize)
}

/// How a market output picks its trade dataset when none is named.
pub const CHOICE_RULE: &str = "the dataset with most of the market's HS6 codes, then most years, then complete data before an extract of large flows only, then real before synthetic, then most rows (a market whose codes no dataset holds takes the dependency screen's default)";

/// A BACI-format dataset that could serve a market output, with its years.
struct Candidate<'a> {
    meta: &'a VintageMeta,
    edition: &'static str,
    years: BTreeSet<i32>,
}

/// The trade datasets of the store a market output could read.
pub(crate) struct Candidates<'a>(Vec<Candidate<'a>>);

/// The dataset chosen and why.
pub(crate) struct Chosen<'a> {
    pub meta: &'a VintageMeta,
    /// The dataset with its coverage, in words.
    pub pick: String,
    /// The note: the dataset, the rule, the other candidates.
    pub note: String,
}

impl<'a> Candidates<'a> {
    /// Every trade dataset with an HS edition of the taxonomy, with its years.
    pub(crate) async fn read(store: &Store, trade: &[&'a VintageMeta]) -> Result<Self> {
        let mut v = Vec::new();
        for m in trade {
            let Ok(edition) = edition_of(m.dataset.as_str()) else {
                continue;
            };
            let b = fetch(
                store,
                Select::from(m.dataset.as_str())
                    .group_by(["t"])
                    .agg(Agg::Count),
            )
            .await?;
            let years = b.i64s(0)?.iter().flatten().map(|&t| t as i32).collect();
            v.push(Candidate {
                meta: m,
                edition,
                years,
            });
        }
        Ok(Self(v))
    }

    /// The dataset for `market` (all the taxonomy's codes without one) by
    /// [`CHOICE_RULE`]; with `year`, only datasets that have it.
    pub(crate) async fn choose(
        &self,
        store: &Store,
        tax: &Taxonomy,
        market: Option<&Market>,
        year: Option<i32>,
    ) -> Result<Chosen<'a>> {
        type Key = (usize, usize, bool, bool, u64);
        let mut scored: Vec<(Key, &Candidate<'a>)> = Vec::new();
        for c in &self.0 {
            if year.is_some_and(|y| !c.years.contains(&y)) {
                continue;
            }
            let codes: Vec<String> = match market {
                Some(mk) => mk
                    .hs_in(c.edition)
                    .into_iter()
                    .map(|(_, h)| h.code.get_ref().clone())
                    .collect(),
                None => codes_of(tax, c.edition),
            };
            let n = distinct_products(store, c.meta.dataset.as_str(), Some(&codes)).await?;
            let key = (
                n,
                c.years.len(),
                c.meta.min_flow_usd.is_none(),
                !c.meta.synthetic,
                c.meta.rows,
            );
            scored.push((key, c));
        }
        // the best first; ties keep the catalog's order
        scored.sort_by_key(|b| std::cmp::Reverse(b.0));
        let Some(&(best_key, best)) = scored.first() else {
            return Err(Error::NoData(match year {
                Some(y) => {
                    let years: BTreeSet<i32> =
                        self.0.iter().flat_map(|c| c.years.iter().copied()).collect();
                    let years: Vec<String> = years.iter().map(i32::to_string).collect();
                    format!(
                        "no trade for {y} in the store (BACI-format trade in HS 1992/2012/2017/2022; years: {})",
                        if years.is_empty() { "none".to_string() } else { years.join(", ") }
                    )
                }
                None => "no BACI-format trade in HS 1992/2012/2017/2022 in the store: run `indmon init` (bundled BACI extracts), or `indmon synth baci --out DIR` and `indmon ingest baci DIR`".into(),
            }));
        };
        let what = market.map_or_else(
            || "the taxonomy".to_string(),
            |mk| format!("market {}", mk.id.get_ref()),
        );
        if best_key.0 == 0 {
            // no dataset has trade in the codes: the screen's default, complete data
            // first (its figures are "no data" whichever dataset it is)
            let (_, c) = scored
                .iter()
                .max_by_key(|(k, _)| (k.3, k.2, k.4))
                .expect("not empty");
            let d = c.meta.dataset.as_str();
            return Ok(Chosen {
                meta: c.meta,
                pick: format!("{d} (no trade dataset has its codes: the default one)"),
                note: format!(
                    "Trade data for {what}: no trade dataset in the store has its HS6 codes; dataset {d}, chosen as {}.",
                    crate::dependencies::DEFAULT_TRADE_RULE
                ),
            });
        }
        let describe = |(k, c): &(Key, &Candidate<'_>)| {
            let span = match (c.years.first(), c.years.last()) {
                (Some(a), Some(b)) if a != b => format!("{a}-{b}"),
                (Some(a), _) => a.to_string(),
                _ => "no years".into(),
            };
            let mut d = format!(
                "{} ({} code(s), {} year(s) {span}",
                c.meta.dataset.as_str(),
                k.0,
                k.1
            );
            if let Some(min) = c.meta.min_flow_usd {
                d.push_str(&format!(
                    ", flows of at least {} only",
                    indmon_core::catalog::usd_words(min)
                ));
            }
            if c.meta.synthetic {
                d.push_str(", generated data, not statistics");
            }
            d.push(')');
            d
        };
        let mut note = format!(
            "Trade data for {what}: {}, chosen as {CHOICE_RULE}",
            describe(&(best_key, best))
        );
        if scored.len() > 1 {
            note.push_str(&format!(
                "; also in the store: {}",
                scored[1..]
                    .iter()
                    .map(describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        note.push_str("; name another with --dataset.");
        Ok(Chosen {
            meta: best.meta,
            pick: describe(&(best_key, best)),
            note,
        })
    }
}

/// A reporting unit: a country or the EU27, and its BACI country codes.
#[derive(Debug, Clone)]
pub struct Unit {
    /// As named (upper case), or `EU27`.
    pub name: String,
    /// Its BACI codes.
    pub members: Vec<u16>,
    /// The Eurostat geo code, for value added.
    pub eurostat: Option<String>,
}

/// Resolves a reporting unit: a country (ISO alpha-2 or alpha-3) or the EU27.
pub fn resolve_unit(c: &Countries, name: &str) -> Result<Unit> {
    let up = name.trim().to_ascii_uppercase();
    if is_eu27(&up) {
        return Ok(Unit {
            name: "EU27".into(),
            members: c.eu27(),
            eurostat: Some("EU27_2020".into()),
        });
    }
    let members = c.codes_of(&up);
    if members.is_empty() {
        return Err(Error::Invalid(format!(
            "{}: not a country code in BACI's country list (use ISO 3166 alpha-2 or alpha-3, e.g. NL or NLD, or EU27)",
            indmon_core::quote(name)
        )));
    }
    Ok(Unit {
        eurostat: c
            .iso2_of(&up)
            .map(|i| crate::countries::eurostat_of_iso2(&i)),
        name: up,
        members,
    })
}

/// The trade a board is computed from.
pub struct TradeData {
    /// The trade dataset's vintage.
    pub meta: VintageMeta,
    /// How it was chosen, in words (a note).
    pub choice: String,
    /// Its HS edition.
    pub edition: &'static str,
    /// Distinct products in the whole dataset.
    pub products_in_data: usize,
    /// Exports, imports and totals of the taxonomy's codes per year, unit and product.
    pub cube: TradeCube,
    /// Units: 0 is the country, then the peers, then markets' extra peers.
    pub units: Vec<Unit>,
    /// How many units are the default peers (after the country).
    pub peers: usize,
    /// PCI by `[y · products + p]` and the vintage it comes from.
    pub pci: Option<(Vec<Option<f64>>, VintageMeta)>,
    /// The year of the status.
    pub year: i32,
    /// The country's dependency tier per HS6 code in that year (the dependency screen on
    /// the same trade), or why there is none.
    pub tiers: std::result::Result<HashMap<u32, Tier>, String>,
}

/// What the board is asked for.
#[derive(Debug, Clone, Default)]
pub struct BoardRequest {
    /// Trade dataset, BACI format [default: per market, by [`CHOICE_RULE`]].
    pub dataset: Option<String>,
    /// Country [default: `[target] geo`].
    pub geo: Option<String>,
    /// Peers [default: `[markets] peers`].
    pub peers: Vec<String>,
    /// Year of the status [default: the latest year in the data].
    pub year: Option<i32>,
}

/// Reads the trade cube of the taxonomy's codes (validated against the lists by the
/// caller), the PCI where the store has it, and the dependency tiers. Without a dataset
/// in `req`, the one chosen for `market` (or for all the taxonomy's codes) by
/// [`CHOICE_RULE`].
pub async fn load_trade(
    store: &Store,
    settings: &Settings,
    tax: &Taxonomy,
    reference: &Reference,
    req: &BoardRequest,
    market: Option<&Market>,
) -> Result<TradeData> {
    let catalog = store.catalog()?;
    let trade: Vec<&VintageMeta> = catalog
        .datasets()
        .filter_map(|d| catalog.latest(d))
        .filter(|m| m.schema == "baci_trade")
        .collect();
    let (meta, choice) = match &req.dataset {
        Some(d) => {
            let m = catalog.latest(d).ok_or_else(|| {
                indmon_store::Error::NotFound(format!(
                    "dataset {d} is not in the store (trade datasets: {})",
                    trade
                        .iter()
                        .map(|m| m.dataset.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            if m.schema != "baci_trade" {
                return Err(Error::Invalid(format!(
                    "dataset {d} is not BACI-format trade"
                )));
            }
            (m.clone(), format!("Trade data: dataset {d}, as asked."))
        }
        None => {
            let cands = Candidates::read(store, &trade).await?;
            let c = cands.choose(store, tax, market, req.year).await?;
            (c.meta.clone(), c.note)
        }
    };
    let ds = meta.dataset.as_str().to_string();
    let edition = edition_of(&ds).map_err(Error::Invalid)?;
    let codes = codes_of(tax, edition);

    // units: the country, the peers, then every market's extra peers
    if !catalog.holds("baci_countries") {
        return Err(Error::NoData(
            "the store has no BACI country list (baci_countries): run `indmon init` or ingest BACI's country_codes file".into(),
        ));
    }
    let countries = Countries::read(store, "baci_countries").await?;
    let geo = req
        .geo
        .clone()
        .unwrap_or_else(|| settings.target.geo.clone());
    let peers: Vec<String> = if req.peers.is_empty() {
        settings.markets.peers.clone()
    } else {
        req.peers.clone()
    };
    let mut names: Vec<String> = vec![geo.clone()];
    for p in &peers {
        if !names.iter().any(|n| countries.same(n, p)) {
            names.push(p.clone());
        }
    }
    let n_peers = names.len() - 1;
    for mk in &tax.markets {
        for p in &mk.extra_peers {
            if !names.iter().any(|n| countries.same(n, p)) {
                names.push(p.clone());
            }
        }
    }
    let units = names
        .iter()
        .map(|n| resolve_unit(&countries, n))
        .collect::<Result<Vec<_>>>()?;

    // totals per exporter and year
    let mut years: BTreeSet<i32> = BTreeSet::new();
    // summed in a fixed order below, so that the same data give the same bits
    let mut totals: BTreeMap<(i32, u16), f64> = BTreeMap::new();
    {
        let b = fetch(
            store,
            Select::from(&ds)
                .group_by(["t", "i"])
                .agg(Agg::Sum("v".into())),
        )
        .await?;
        let (t, i, v) = (b.i64s(0)?, b.i64s(1)?, b.f64s(2)?);
        for r in 0..b.len() {
            if let (Some(t), Some(i)) = (t[r], i[r]) {
                years.insert(t as i32);
                *totals.entry((t as i32, i as u16)).or_default() += v[r].unwrap_or(0.0);
            }
        }
    }
    let year = match req.year {
        Some(y) if years.contains(&y) => y,
        Some(y) => {
            return Err(Error::NoData(format!(
                "dataset {ds} has no trade for {y} (years: {})",
                years
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        None => *years
            .last()
            .ok_or_else(|| Error::NoData(format!("dataset {ds} has no rows")))?,
    };
    let years: Vec<i32> = years.into_iter().filter(|&y| y <= year).collect();
    let y_at: HashMap<i32, usize> = years.iter().enumerate().map(|(i, &y)| (y, i)).collect();
    let mut cube = TradeCube::zeros(
        years.clone(),
        units.iter().map(|u| u.name.clone()).collect(),
        codes.clone(),
    );
    let (nu, np) = (units.len(), codes.len());
    let p_at: HashMap<&str, usize> = codes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let mut member_of: HashMap<u16, Vec<usize>> = HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        for &mcode in &unit.members {
            member_of.entry(mcode).or_default().push(u);
        }
    }
    for (&(t, i), &v) in &totals {
        let Some(&y) = y_at.get(&t) else { continue };
        cube.world_total[y] += v;
        for &u in member_of.get(&i).map(Vec::as_slice).unwrap_or_default() {
            cube.unit_total[y * nu + u] += v;
        }
    }
    let products_in_data = distinct_products(store, &ds, None).await?;
    if !codes.is_empty() {
        {
            let b = fetch(
                store,
                Select::from(&ds)
                    .filter(Cond::is_in("k", &codes))
                    .group_by(["t", "k"])
                    .agg(Agg::Sum("v".into())),
            )
            .await?;
            let (t, k, v) = (b.i64s(0)?, b.texts(1)?, b.f64s(2)?);
            for r in 0..b.len() {
                if let (Some(t), Some(k)) = (t[r], &k[r])
                    && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                {
                    cube.world_product[y * np + p] += v[r].unwrap_or(0.0);
                }
            }
        }
        let members: BTreeSet<u16> = member_of.keys().copied().collect();
        for (col, imports) in [("i", false), ("j", true)] {
            {
                let b = fetch(
                    store,
                    Select::from(&ds)
                        .filter(Cond::is_in("k", &codes))
                        .filter(Cond::is_in(col, members.iter().copied()))
                        .group_by(["t", col, "k"])
                        .agg(Agg::Sum("v".into()))
                        .order_by(["t", col, "k"]),
                )
                .await?;
                let (t, who, k, v) = (b.i64s(0)?, b.i64s(1)?, b.texts(2)?, b.f64s(3)?);
                for r in 0..b.len() {
                    let (Some(t), Some(who), Some(k)) = (t[r], who[r], &k[r]) else {
                        continue;
                    };
                    let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str())) else {
                        continue;
                    };
                    for &u in member_of
                        .get(&(who as u16))
                        .map(Vec::as_slice)
                        .unwrap_or_default()
                    {
                        let at = cube.at(y, u, p);
                        if imports {
                            cube.imports[at] += v[r].unwrap_or(0.0);
                        } else {
                            cube.exports[at] += v[r].unwrap_or(0.0);
                        }
                    }
                }
            }
        }
    }
    // PCI from the complexity results of the same dataset, where they exist
    let cx = format!("complexity_{ds}");
    let pci = match catalog.latest(&cx) {
        Some(cm) if !codes.is_empty() => {
            let mut v = vec![None; years.len() * np];
            let mut any = false;
            {
                let b = fetch(
                    store,
                    Select::from(&cx)
                        .filter(Cond::is_in("product", &codes))
                        .group_by(["year", "product"])
                        .agg(Agg::Max("pci".into())),
                )
                .await?;
                let (t, k, x) = (b.i64s(0)?, b.texts(1)?, b.f64s(2)?);
                for r in 0..b.len() {
                    if let (Some(t), Some(k), Some(x)) = (t[r], &k[r], x[r])
                        && let (Some(&y), Some(&p)) = (y_at.get(&(t as i32)), p_at.get(k.as_str()))
                    {
                        v[y * np + p] = Some(x);
                        any = true;
                    }
                }
            }
            any.then(|| (v, cm.clone()))
        }
        _ => None,
    };
    let tiers = dependencies::tiers_for(store, settings, tax, reference, &ds, &units[0].name, year)
        .await
        .map_err(|e| e.to_string());
    Ok(TradeData {
        tiers,
        choice,
        meta,
        edition,
        products_in_data,
        cube,
        units,
        peers: n_peers,
        pci,
        year,
    })
}

impl TradeData {
    /// Whether unit `u` is a benchmark rather than a competitor: a group of countries
    /// (the EU27) other than the country itself. Benchmarks are shown, not ranked.
    pub fn is_benchmark(&self, u: usize) -> bool {
        u != 0 && self.units[u].members.len() > 1
    }

    /// The dataset vintages behind the figures: the trade and the PCI.
    pub fn sources(&self) -> Vec<Source> {
        let mut v = vec![Source::of(&self.meta)];
        if let Some((_, cm)) = &self.pci {
            v.push(Source::of(cm));
        }
        v
    }
}
