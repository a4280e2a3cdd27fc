//! `indmon complexity`: economic complexity of an export panel (a CSV file or trade
//! data in the store), computed and stored by `indmon_report::complexity`, printed here.
//! The flags that `indmon opportunities` shares are defined here too.

use std::io::Write;
use std::path::PathBuf;

use crate::error::{Context as _, Result};
use indmon_core::DatasetId;
use indmon_report::complexity::{
    self as report, ComplexityRequest, Convention, Options, PanelInput, PanelRequest, Presence,
    Proximity,
};
use indmon_sources::formats::panel_csv::{self, ColumnNames, PanelOptions};
use indmon_sources::input::Encoding;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::output::{
    Format, is_parquet, print_notes, print_table, refuse_in_store, terminal_safe, write_whole,
    year_progress,
};

/// The options every complexity computation takes.
#[derive(Debug, Clone, clap::Args)]
pub struct MethodArgs {
    /// Conventions to reproduce: `stata` (the Atlas of Economic Complexity) or `python`
    /// (the `ecomplexity` 0.5.3 package); see ARCHITECTURE.md for the differences
    #[arg(long, value_enum, default_value_t = ConventionArg::Stata)]
    convention: ConventionArg,
    /// Presence test: `rca` (Balassa), `rpop` (exports per head; needs --population),
    /// or `manual` (the values are M itself)
    #[arg(long, value_enum, default_value_t = PresenceArg::Rca)]
    presence: PresenceArg,
    /// Threshold of RCA (or RPOP) for M = 1
    #[arg(long, default_value_t = 1.0, value_name = "X")]
    rca_threshold: f64,
    /// Product proximity
    #[arg(long, value_enum, default_value_t = ProximityArg::Symmetric)]
    proximity: ProximityArg,
    /// Density over the K nearest products only (weighted by proximity)
    #[arg(long, value_name = "K")]
    knn: Option<usize>,
    /// Subtract the Atlas book's (1 − distance) · PCI term from COG
    #[arg(long)]
    atlas_cog: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ConventionArg {
    Stata,
    Python,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum PresenceArg {
    Rca,
    Rpop,
    Manual,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ProximityArg {
    Symmetric,
    Asymmetric,
    Continuous,
}

impl MethodArgs {
    /// The method the flags choose.
    pub fn options(&self) -> Options {
        Options {
            convention: match self.convention {
                ConventionArg::Stata => Convention::Stata,
                ConventionArg::Python => Convention::Python,
            },
            presence: match self.presence {
                PresenceArg::Rca => Presence::Rca,
                PresenceArg::Rpop => Presence::Rpop,
                PresenceArg::Manual => Presence::Manual,
            },
            threshold: self.rca_threshold,
            proximity: match self.proximity {
                ProximityArg::Symmetric => Proximity::Symmetric,
                ProximityArg::Asymmetric => Proximity::Asymmetric,
                ProximityArg::Continuous => Proximity::Continuous,
            },
            knn: self.knn,
            atlas_cog: self.atlas_cog,
            dense_proximity: false,
        }
    }
}

/// Where the export panel comes from.
#[derive(Debug, Clone, clap::Args)]
pub struct InputArgs {
    /// A CSV file with year, location, product and value columns (one row per
    /// location, product and year)
    #[arg(long, value_name = "PATH", conflicts_with = "dataset")]
    pub panel: Option<PathBuf>,
    /// A dataset in the store: BACI-format trade (exports summed over partners) or any
    /// table with year, location, product and value columns
    #[arg(long, value_name = "D")]
    pub dataset: Option<String>,
    /// Only this year [default: every year of the input]
    #[arg(long)]
    year: Option<i32>,
    /// Aggregate 6-digit HS products to their 4-digit heading
    #[arg(long)]
    hs4: bool,
    /// Column of the year [default: year, t, time]
    #[arg(long, value_name = "NAME")]
    year_col: Option<String>,
    /// Column of the location [default: location, origin, exporter, country, loc, i]
    #[arg(long, value_name = "NAME")]
    location_col: Option<String>,
    /// Column of the product [default: product, hs92, hs12, hs6, hs4, k, prod]
    #[arg(long, value_name = "NAME")]
    product_col: Option<String>,
    /// Column of the value [default: value, export_val, exports, v, val]
    #[arg(long, value_name = "NAME")]
    value_col: Option<String>,
    /// Population CSV (year, location, population) for `--presence rpop`
    #[arg(long, value_name = "PATH")]
    population: Option<PathBuf>,
    /// Encoding of the CSV files: utf-8 or cp1252 (a UTF-8 byte-order mark is removed)
    #[arg(long, default_value = "utf-8", value_parser = ["utf-8", "cp1252"])]
    encoding: String,
}

impl InputArgs {
    /// The panel the flags name: the population file and a CSV panel are read (and
    /// checked) here, with a line on standard error unless `quiet`; a dataset is read by
    /// the report.
    pub fn request(&self, quiet: bool) -> Result<PanelRequest> {
        let read = PanelOptions {
            columns: ColumnNames {
                year: self.year_col.clone(),
                location: self.location_col.clone(),
                product: self.product_col.clone(),
                value: self.value_col.clone(),
            },
            year: self.year,
            hs4: self.hs4,
            encoding: Encoding::parse(&self.encoding).unwrap_or_default(),
        };
        let population = self
            .population
            .as_deref()
            .map(|p| panel_csv::read_population(p, read.encoding))
            .transpose()?;
        let input = match &self.panel {
            Some(path) => {
                let start = std::time::Instant::now();
                let file = panel_csv::read(path, &read)?;
                if !quiet {
                    eprintln!(
                        "read {} rows of {} in {:.3} s",
                        file.rows.data.len(),
                        terminal_safe(&file.file),
                        start.elapsed().as_secs_f64()
                    );
                }
                PanelInput::Csv(file)
            }
            None => PanelInput::Dataset(self.dataset.clone()),
        };
        Ok(PanelRequest {
            input,
            read,
            population,
        })
    }
}

/// Compute economic complexity: RCA, M, diversity, ubiquity, ECI, PCI, proximity,
/// density, COI and COG, per year, in the Stata or Python conventions of the Growth
/// Lab's packages. The result is stored as a dataset (`complexity_<input>`) with its
/// convention and method version, unless --no-save.
///
/// Examples:
///
///   indmon complexity --panel data/py-ecomplexity/trade_data_sample.csv --format csv
///   indmon complexity --dataset baci_hs17 --year 2024
///   indmon complexity --panel exports.csv --convention python --proximity continuous
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    #[command(flatten)]
    input: InputArgs,
    #[command(flatten)]
    method: MethodArgs,
    /// Output: `table` (locations ranked by ECI), `csv` (one row per year, location and
    /// product) or `json` (the whole result: those rows, the ranking, each year's
    /// eigenvalue, notes and sources)
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write the output to this file instead of the terminal; FILE.parquet writes every
    /// row as Parquet (the columns of the CSV), whatever --format says
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Dataset id to store the result under [default: complexity_<input>]
    #[arg(long, value_name = "D")]
    save_as: Option<String>,
    /// Do not store the result
    #[arg(long, conflicts_with = "save_as")]
    no_save: bool,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if args.input.panel.is_none() && args.input.dataset.is_none() {
        return Err(UsageError("give the input: --panel FILE.csv or --dataset D".into()).into());
    }
    let store = if args.input.dataset.is_some() || !args.no_save {
        Some(ctx.store()?)
    } else {
        None
    };
    if let Some(p) = &args.out {
        if is_parquet(p) && args.format == Format::Json {
            return Err(UsageError(format!(
                "--out {}: a .parquet file holds the rows as Parquet; for JSON name a .json file",
                p.display()
            ))
            .into());
        }
        refuse_in_store(ctx, store.as_ref(), p)?;
    }
    let rt = ctx.runtime()?;
    let req = ComplexityRequest {
        panel: args.input.request(ctx.quiet)?,
        method: args.method.options(),
    };
    let result = rt.block_on(report::complexity(
        store.as_ref(),
        req,
        &year_progress(ctx.quiet),
    ))?;

    let start = std::time::Instant::now();
    // the rows written to a file, for the line that says so
    let written = match &args.out {
        Some(p) if is_parquet(p) => {
            let rows = result
                .write_parquet(p)
                .with_context(|| format!("writing {}", p.display()))?;
            print_notes(&result.notes);
            Some((p, rows))
        }
        Some(p) => {
            write_whole(p, |w| render(w, args.format, &result))?;
            (args.format == Format::Csv).then(|| (p, result.rows.len() as u64))
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            render(&mut out, args.format, &result)?;
            out.flush()?;
            None
        }
    };
    if let (Some((p, rows)), false) = (written, ctx.quiet) {
        let p = terminal_safe(&p.display().to_string());
        eprintln!(
            "wrote {rows} rows to {p} in {:.3} s",
            start.elapsed().as_secs_f64()
        );
    }

    if !args.no_save {
        let store = store.expect("opened for saving");
        let id = args
            .save_as
            .clone()
            .unwrap_or_else(|| format!("complexity_{}", result.name));
        let id = DatasetId::new(&id).map_err(|e| UsageError(format!("--save-as: {e}")))?;
        let meta = report::save(&store, &id, &result)?;
        if !ctx.quiet {
            eprintln!(
                "Stored as dataset {} (vintage {}); query it with: indmon sql \"select * from {}\"",
                meta.dataset, meta.vintage, meta.dataset
            );
        }
    }
    Ok(())
}

/// Writes the result in `format`: the ECI ranking with notes, every row as CSV
/// (streamed: a large panel has millions of rows), or the whole result as JSON.
fn render(out: &mut dyn Write, format: Format, result: &report::ComplexityReport) -> Result<()> {
    match format {
        Format::Table => print_table(out, &result.ranking_table(), &result.notes)?,
        Format::Csv => {
            result.write_csv(out)?;
            print_notes(&result.notes);
        }
        Format::Json => result.write_json(out)?,
    }
    Ok(())
}
