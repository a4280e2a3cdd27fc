//! The export panel: read from a CSV file (parsed by `indmon-sources`) or from the
//! store (BACI-format trade summed over partners, or any table with year, location,
//! product and value columns), as one location × product matrix per year.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use indmon_core::VintageMeta;
use indmon_sources::formats::panel_csv::{
    LOC_COLS, LongPanel, PROD_COLS, PanelFile, PanelOptions, Population, VALUE_COLS, YEAR_COLS,
    hs4, nomenclature_of, pick_column,
};
use indmon_store::{Agg, Cond, QueryOptions, Select, Store};

use crate::countries::Countries;
use crate::dependencies::default_trade_dataset;
use crate::{Error, Result};

/// Where the panel comes from.
#[derive(Debug, Clone)]
pub enum PanelInput {
    /// A CSV panel read by
    /// [`indmon_sources::formats::panel_csv::read`] (the year and HS4 options were applied
    /// when it was read).
    Csv(PanelFile),
    /// A dataset of the store: BACI-format trade (exports summed over partners) or any
    /// table with year, location, product and value columns; `None`: the BACI-format
    /// dataset with real data and the most rows.
    Dataset(Option<String>),
}

/// What panel to read.
#[derive(Debug, Clone)]
pub struct PanelRequest {
    /// The input.
    pub input: PanelInput,
    /// Column names, year and HS4 aggregation (for a dataset; a CSV panel was read with
    /// them already). The encoding is not used here.
    pub read: PanelOptions,
    /// Population by year and location, for `Presence::Rpop`.
    pub population: Option<Population>,
}

/// One year of the panel: locations and products sorted, values row-major
/// (`values[l * products + p]`, zero where nothing was exported).
#[derive(Debug, Clone)]
pub struct YearPanel {
    /// Location codes.
    pub locations: Vec<String>,
    /// Product codes.
    pub products: Vec<String>,
    /// Exports, locations × products.
    pub values: Vec<f64>,
    /// Population per location (NaN where the population file has none).
    pub population: Option<Vec<f64>>,
}

/// The export panel and where it came from.
#[derive(Debug, Clone)]
pub struct Panel {
    /// The name results are stored under (`complexity_<name>`): the dataset id, or the
    /// file's stem made a valid id.
    pub name: String,
    /// How the catalog records the input: the file, or `dataset:<id>@<vintage>`.
    pub input: String,
    /// The matrices by year.
    pub years: BTreeMap<i32, YearPanel>,
    /// The vintage it was read from (store input).
    pub vintage: Option<VintageMeta>,
    /// Checksum of the input.
    pub sha256: String,
    /// The code list in the store that names its products (`hs92`, `hs12`, `hs22`,
    /// `baci_products`), when the input says which classification it uses.
    pub nomenclature: Option<String>,
}

/// Builds the per-year matrices (locations and products sorted; absent cells 0).
fn assemble(rows: LongPanel, population: Option<&Population>) -> BTreeMap<i32, YearPanel> {
    let mut by_year: BTreeMap<i32, Vec<(u32, u32, f64)>> = BTreeMap::new();
    for (y, l, p, v) in rows.data {
        by_year.entry(y).or_default().push((l, p, v));
    }
    let codes = &rows.codes;
    // The codes used in a year, sorted, and the position of each code id among them.
    let order = |ids: &mut dyn Iterator<Item = u32>| -> (Vec<String>, Vec<u32>) {
        let mut used = vec![false; codes.len()];
        for id in ids {
            used[id as usize] = true;
        }
        let mut ids: Vec<u32> = (0..codes.len() as u32)
            .filter(|&i| used[i as usize])
            .collect();
        ids.sort_unstable_by(|a, b| codes[*a as usize].cmp(&codes[*b as usize]));
        let mut pos = vec![u32::MAX; codes.len()];
        for (i, &id) in ids.iter().enumerate() {
            pos[id as usize] = i as u32;
        }
        (
            ids.iter().map(|&id| codes[id as usize].clone()).collect(),
            pos,
        )
    };
    by_year
        .into_iter()
        .map(|(y, data)| {
            let (locations, lpos) = order(&mut data.iter().map(|r| r.0));
            let (products, ppos) = order(&mut data.iter().map(|r| r.1));
            let np = products.len();
            let mut values = vec![0.0; locations.len() * np];
            for (l, p, v) in data {
                values[lpos[l as usize] as usize * np + ppos[p as usize] as usize] += v;
            }
            let population = population.map(|pop| {
                locations
                    .iter()
                    .map(|l| pop.get(&(y, l.clone())).copied().unwrap_or(f64::NAN))
                    .collect()
            });
            (
                y,
                YearPanel {
                    locations,
                    products,
                    values,
                    population,
                },
            )
        })
        .collect()
}

/// A dataset id made of a file name: lower-case letters, digits and single
/// underscores, starting with a letter.
fn sanitize(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while out.contains("__") {
        out = out.replace("__", "_");
    }
    let out = out.trim_matches('_').to_string();
    if out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out
    } else {
        format!("p_{out}")
    }
}

/// Reads the panel `req` names: a CSV panel as it was read, or a dataset of the store
/// (`store` is needed then).
pub async fn load_panel(store: Option<&Store>, req: PanelRequest) -> Result<Panel> {
    let population = req.population.as_ref();
    let a = &req.read;
    let dataset = match req.input {
        PanelInput::Csv(file) => {
            let stem = Path::new(&file.file)
                .file_stem()
                .map(|s| s.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            return Ok(Panel {
                name: sanitize(&stem),
                nomenclature: file.nomenclature(),
                input: file.file,
                years: assemble(file.rows, population),
                vintage: None,
                sha256: file.sha256,
            });
        }
        PanelInput::Dataset(d) => d,
    };
    let store = store.ok_or_else(|| Error::NoData("no store to read the panel from".into()))?;
    let catalog = store.catalog()?;
    let dataset = match dataset {
        Some(d) => d,
        None => default_trade_dataset(&catalog).ok_or_else(|| {
            Error::NoData(
                "no trade data in the store: run `indmon init` (bundled BACI extract) or `indmon ingest baci DIR`, or give --panel FILE".into(),
            )
        })?,
    };
    let meta = catalog.latest(&dataset).cloned().ok_or_else(|| {
        indmon_store::Error::NotFound(format!(
            "dataset {dataset} is not in the store (see `indmon sql \"select dataset from indmon_catalog\"`)"
        ))
    })?;
    // BACI's own product list (same release) names 6-digit codes; otherwise the HS
    // revision the dataset id or product column names.
    let mut nomenclature =
        if meta.schema == "baci_trade" && !a.hs4 && catalog.latest("baci_products").is_some() {
            Some("baci_products".to_string())
        } else {
            nomenclature_of(&dataset)
        };
    let opts = QueryOptions::default();
    // (year, location, product, value) summed over partners
    let (q, iso3) = if meta.schema == "baci_trade" {
        let mut q = Select::from(&dataset)
            .group_by(["t", "i", "k"])
            .agg(Agg::Sum("v".into()));
        if let Some(y) = a.year {
            q = q.filter(Cond::eq("t", y));
        }
        let countries = if catalog.holds("baci_countries") {
            Countries::read(store, "baci_countries").await?
        } else {
            Countries::default()
        };
        (q, Some(countries))
    } else {
        let header: Vec<String> = store
            .columns(&dataset, &opts)
            .await?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        let label = format!("dataset {dataset}");
        let c = &a.columns;
        let col = |flag: &Option<String>, defaults: &[&str], what: &str| {
            pick_column(&header, flag.as_deref(), defaults, what, &label)
                .map(|i| header[i].clone())
                .map_err(|e| Error::Input(e.to_string()))
        };
        let y = col(&c.year, YEAR_COLS, "year")?;
        let l = col(&c.location, LOC_COLS, "location")?;
        let p = col(&c.product, PROD_COLS, "product")?;
        let v = col(&c.value, VALUE_COLS, "value")?;
        nomenclature = nomenclature.or_else(|| nomenclature_of(&p));
        let mut q = Select::from(&dataset)
            .group_by([y.as_str(), l.as_str(), p.as_str()])
            .agg(Agg::Sum(v.clone()));
        if let Some(yy) = a.year {
            q = q.filter(Cond::eq(&y, yy));
        }
        (q, None)
    };
    let got = store.fetch(&q, &opts).await?;
    let (ys, ls, ps, vs) = (got.i64s(0)?, got.texts(1)?, got.texts(2)?, got.f64s(3)?);
    let mut rows = LongPanel::default();
    let mut hs4_sums: HashMap<(i32, u32, u32), f64> = HashMap::new();
    for i in 0..got.len() {
        let (Some(y), Some(l), Some(p)) = (ys[i], &ls[i], &ps[i]) else {
            continue;
        };
        let l = match (&iso3, l.parse::<u16>()) {
            (Some(c), Ok(code)) => c.iso3(code),
            _ => l.clone(),
        };
        let p = if a.hs4 { hs4(p) } else { p.clone() };
        let (l, p) = (rows.intern(&l), rows.intern(&p));
        if a.hs4 {
            *hs4_sums.entry((y as i32, l, p)).or_default() += vs[i].unwrap_or(0.0);
        } else {
            rows.data.push((y as i32, l, p, vs[i].unwrap_or(0.0)));
        }
    }
    let mut summed: Vec<_> = hs4_sums.into_iter().collect();
    summed.sort_by_key(|(k, _)| *k);
    rows.data
        .extend(summed.into_iter().map(|((y, l, p), v)| (y, l, p, v)));
    if rows.data.is_empty() {
        return Err(Error::NoData(format!(
            "dataset {dataset} has no rows{}",
            a.year.map_or(String::new(), |y| format!(" for {y}"))
        )));
    }
    Ok(Panel {
        name: dataset.clone(),
        input: format!("dataset:{dataset}@{}", meta.vintage),
        years: assemble(rows, population),
        sha256: meta.sha256.clone(),
        vintage: Some(meta),
        nomenclature,
    })
}

impl Panel {
    /// The panel of its latest year only.
    pub fn latest_year(mut self) -> Self {
        if let Some((&y, _)) = self.years.iter().next_back() {
            self.years.retain(|k, _| *k == y);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_become_dataset_ids() {
        assert_eq!(sanitize("trade_data_sample"), "trade_data_sample");
        assert_eq!(sanitize("2024 Exports--NL"), "p_2024_exports_nl");
    }

    #[test]
    fn matrices_are_sorted_and_summed() {
        let mut rows = LongPanel::default();
        let (b, a, x) = (rows.intern("b"), rows.intern("a"), rows.intern("x"));
        rows.data = vec![(2020, b, x, 1.0), (2020, a, x, 2.0), (2020, a, x, 3.0)];
        let years = assemble(rows, None);
        let y = &years[&2020];
        assert_eq!(y.locations, ["a", "b"]);
        assert_eq!(y.products, ["x"]);
        assert_eq!(y.values, [5.0, 1.0]);
    }
}
