//! Trade read straight from BACI files (a trade CSV or a folder with one release),
//! without the store: found first ([`TradeFiles::find`], which knows the bytes to read,
//! so a caller can draw a progress bar), then streamed in one parallel pass into the
//! accumulator ([`TradeFiles::read`]).

use std::path::{Path, PathBuf};

use indmon_analytics::dependencies::Accumulator;
use indmon_sources::baci::{self, BaciFiles, BaciName};

use super::{Countries, Reporter, SYNTHETIC_NOTE, Trade, TradeRequest, edition_of_hs};
use crate::{Error, Result};

/// The BACI files of one release to read, the years the result needs only.
#[derive(Debug, Clone)]
pub struct TradeFiles {
    path: PathBuf,
    files: BaciFiles,
    reporter: String,
    total_bytes: u64,
}

/// The BACI country list bundled with indmon, for a release without its own.
const BUNDLED_COUNTRIES: &str = "baci-crm-2024/country_codes_V202601.csv";

impl TradeFiles {
    /// Finds the files at `path` (a BACI trade CSV or a folder with one release). With
    /// `window`, only the years the screen needs are kept: the year asked for (or the
    /// latest) and the persistence window before it, when every file name gives its
    /// year. The reporter defaults to `default_reporter` (the target country).
    pub fn find(
        path: &Path,
        req: &TradeRequest,
        default_reporter: &str,
        window: Option<usize>,
    ) -> Result<Self> {
        let mut files = baci::discover(path)?;
        if let Some(w) = window {
            let year_of = |p: &PathBuf| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .and_then(BaciName::parse)
                    .and_then(|n| n.year)
            };
            let years: Vec<i32> = files.trade.iter().filter_map(year_of).collect();
            if years.len() == files.trade.len() {
                let last = req
                    .year
                    .unwrap_or_else(|| years.iter().copied().max().unwrap_or(0));
                let first = last - w as i32 + 1;
                let keep: Vec<PathBuf> = files
                    .trade
                    .iter()
                    .filter(|p| year_of(p).is_some_and(|y| (first..=last).contains(&y)))
                    .cloned()
                    .collect();
                if keep.is_empty() {
                    return Err(Error::NoData(format!(
                        "no trade file for {last} in {} (years: {})",
                        path.display(),
                        years
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                files.trade = keep;
            }
        }
        let total_bytes = files
            .trade
            .iter()
            .filter_map(|p| std::fs::metadata(p).ok())
            .map(|m| m.len())
            .sum();
        Ok(Self {
            path: path.to_path_buf(),
            files,
            reporter: req
                .reporter
                .clone()
                .unwrap_or_else(|| default_reporter.to_string()),
            total_bytes,
        })
    }

    /// The bytes of trade files [`TradeFiles::read`] will read (for a progress bar).
    pub fn total_bytes(&self) -> u64 {
        self.total_bytes
    }

    /// Reads the country list (the release's own, else the bundled one), resolves the
    /// reporter and streams the trade files into the accumulator, one part per core,
    /// merged after. `progress` gets the bytes read so far. Every row is checked as the
    /// BACI parser checks it: a bad one is named with its file, line and field.
    pub fn read(&self, progress: &dyn Fn(u64)) -> Result<Trade> {
        let files = &self.files;
        let mut countries = Countries::default();
        match &files.countries {
            Some(p) => {
                let text =
                    indmon_sources::input::read_regular(p, indmon_sources::input::MAX_WHOLE_FILE)?;
                read_countries_csv(
                    &String::from_utf8_lossy(&text),
                    &p.display().to_string(),
                    &mut countries,
                )?;
            }
            None => {
                let text = indmon_reference::bundle::file(BUNDLED_COUNTRIES).ok_or_else(|| {
                    Error::Bundled(format!("the bundled {BUNDLED_COUNTRIES} is missing"))
                })?;
                read_countries_csv(
                    &String::from_utf8_lossy(text),
                    BUNDLED_COUNTRIES,
                    &mut countries,
                )?;
            }
        }
        let reporter = Reporter::resolve(&self.reporter, &countries)?;
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8));
        let mut states: Vec<Accumulator> = (0..threads)
            .map(|_| Accumulator::new(&reporter.codes, &reporter.bloc))
            .collect();
        baci::scan(
            &files.trade,
            &mut states,
            &|acc: &mut Accumulator, t, i, j, k, v| acc.add(t, i, j, k, v),
            progress,
        )?;
        let mut acc = states.swap_remove(0);
        for other in &states {
            acc.merge(other);
        }
        let products = acc.product_count();
        let synthetic = files.name.is_synthetic();
        let mut notes = Vec::new();
        if synthetic {
            notes.push(SYNTHETIC_NOTE.into());
        }
        notes.push(format!(
            "Trade: {} ({}, {} file(s), {}), read directly.",
            self.path.display(),
            files.name.hs,
            files.trade.len(),
            if synthetic {
                "synthetic".to_string()
            } else {
                format!("CEPII BACI release {}", files.name.version)
            }
        ));
        let edition = edition_of_hs(&files.name.hs)?;
        Ok(Trade {
            acc,
            reporter,
            countries,
            edition,
            synthetic,
            notes,
            products_in_data: products,
            source: None,
        })
    }
}

/// Reads a BACI country list (code, name, ISO2, ISO3) into `countries`; names spoilt by
/// a wrong encoding on the way are repaired.
fn read_countries_csv(text: &str, label: &str, countries: &mut Countries) -> Result<()> {
    let mut r = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    for rec in r.records() {
        let rec = rec.map_err(|e| Error::Input(format!("{label}: {e}")))?;
        if let (Some(c), Some(name), Some(i3)) = (rec.get(0), rec.get(1), rec.get(3))
            && let Ok(c) = c.trim().parse::<u16>()
        {
            if let Some(i2) = rec.get(2).map(str::trim).filter(|x| x.len() == 2) {
                countries.insert_iso2(i2, i3);
            }
            countries.insert(c, i3, &indmon_sources::formats::repair_mojibake(name));
        }
    }
    Ok(())
}
