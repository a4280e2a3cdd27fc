//! `indmon synth`: synthetic data for tests and benchmarks.

use std::path::PathBuf;

use anyhow::anyhow;

use crate::error::{Context as _, Result};
use indmon_sources::synth::{Country, SynthConfig, generate_baci};

use crate::cmd::UsageError;
use crate::config::Context;

/// Generate synthetic data (labelled SYNTHETIC in file names, in the catalog and in
/// every output). Deterministic for a given seed.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    kind: Kind,
}

#[derive(Debug, clap::Subcommand)]
enum Kind {
    /// BACI-format bilateral trade: ~220 real country codes sized by their real goods
    /// exports and imports (World Bank WDI, bundled), ~5,000 real HS6 codes,
    /// heavy-tailed values, sparse, a few dominant suppliers
    Baci {
        /// Number of trade rows over all years
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Seed of the random generator
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output folder
        #[arg(long)]
        out: PathBuf,
        /// Years, e.g. 2022-2024 or 2024
        #[arg(long, default_value = "2022-2024")]
        years: String,
    },
}

fn years(s: &str) -> Result<Vec<i32>> {
    let bad = || {
        UsageError(format!(
            "--years {s}: use a year (2024) or a range (2022-2024)"
        ))
    };
    let (a, b) = match s.split_once('-') {
        Some((a, b)) => (
            a.trim().parse::<i32>().map_err(|_| bad())?,
            b.trim().parse::<i32>().map_err(|_| bad())?,
        ),
        None => {
            let y = s.trim().parse::<i32>().map_err(|_| bad())?;
            (y, y)
        }
    };
    if !(1988..=2100).contains(&a) || b < a || b > 2100 {
        return Err(bad().into());
    }
    Ok((a..=b).collect())
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let Kind::Baci {
        rows,
        seed,
        out,
        years: ys,
    } = args.kind;
    let years = years(&ys)?;
    // real code lists from the bundled snapshot: BACI countries and HS 2012 subheadings
    let countries_csv = indmon_reference::bundle::file("baci-crm-2024/country_codes_V202601.csv")
        .ok_or_else(|| anyhow!("bundled BACI country codes missing"))?;
    let trade = wdi_goods_trade()?;
    let mut countries = Vec::new();
    let mut r = csv_reader(countries_csv);
    for rec in r.records() {
        let rec = rec?;
        let code: u16 = rec[0].parse()?;
        countries.push(Country {
            code,
            name: indmon_sources::formats::repair_mojibake(&rec[1]).into_owned(),
            iso2: rec[2].to_string(),
            iso3: rec[3].to_string(),
            exports: trade.get(&rec[3]).and_then(|t| t.0),
            imports: trade.get(&rec[3]).and_then(|t| t.1),
        });
    }
    let hs_csv = indmon_reference::bundle::file("atlas-common-data/hs12.csv")
        .ok_or_else(|| anyhow!("bundled HS12 list missing"))?;
    let mut r = csv_reader(hs_csv);
    let header = r.headers()?.clone();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| anyhow!("hs12.csv has no column {n}"))
    };
    let (code_at, level_at, name_at) = (col("code")?, col("product_level")?, col("name_short_en")?);
    let mut products = Vec::new();
    for rec in r.records() {
        let rec = rec?;
        let code = &rec[code_at];
        if &rec[level_at] == "6" && code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
            products.push((code.to_string(), rec[name_at].to_string()));
        }
    }
    let bar = if ctx.quiet {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(rows)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "synthetic rows [{bar:30}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .expect("valid template"),
    );
    let cfg = SynthConfig {
        rows,
        seed,
        years,
        hs: "HS12".into(),
    };
    let summary = generate_baci(&cfg, &countries, &products, &out, &|n| bar.set_position(n))
        .with_context(|| format!("writing synthetic BACI files to {}", out.display()))?;
    bar.finish_and_clear();
    println!(
        "Wrote SYNTHETIC BACI-format data (not statistics) to {}: {} rows, {} exporters, {} products, seed {seed}.",
        out.display(),
        summary.rows,
        summary.countries,
        summary.products
    );
    println!("Files: {}", summary.files.join(", "));
    println!("Load it with: indmon ingest baci {}", out.display());
    Ok(())
}

/// Goods exports and imports by ISO alpha-3.
type GoodsTrade = std::collections::HashMap<String, (Option<f64>, Option<f64>)>;

/// Each country's latest goods exports and imports (balance of payments, current US$)
/// from the bundled World Bank WDI extract, by ISO alpha-3: the sizes of the synthetic
/// traders.
fn wdi_goods_trade() -> Result<GoodsTrade> {
    let bytes = indmon_reference::bundle::file("atlas-common-data/wdi_macro.csv")
        .ok_or_else(|| anyhow!("bundled WDI extract missing"))?;
    let mut r = csv_reader(bytes);
    let header = r.headers()?.clone();
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h == n)
            .ok_or_else(|| anyhow!("wdi_macro.csv has no column {n}"))
    };
    let (iso, year, ex, im) = (
        col("iso3_code")?,
        col("year")?,
        col("exports_goods_bop")?,
        col("imports_goods_bop")?,
    );
    // (value, year) of the latest year with a value
    let mut latest: std::collections::HashMap<String, [Option<(f64, i32)>; 2]> =
        std::collections::HashMap::new();
    for rec in r.records() {
        let rec = rec?;
        let Ok(y) = rec[year].parse::<i32>() else {
            continue;
        };
        let e = latest.entry(rec[iso].to_string()).or_default();
        for (slot, c) in [(0, ex), (1, im)] {
            if let Ok(v) = rec[c].parse::<f64>()
                && v > 0.0
                && e[slot].is_none_or(|(_, py)| y > py)
            {
                e[slot] = Some((v, y));
            }
        }
    }
    Ok(latest
        .into_iter()
        .map(|(k, [e, i])| (k, (e.map(|x| x.0), i.map(|x| x.0))))
        .collect())
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::Reader::from_reader(bytes)
}
