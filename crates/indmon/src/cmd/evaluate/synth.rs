//! `indmon evaluate synth`: a synthetic control from a spec file, computed by
//! `indmon_report::evaluate::synth`.

use std::io::Write;
use std::path::PathBuf;

use indmon_report::Tabular;
use indmon_report::evaluate::synth::{self as rs, Options, SynthResult};

use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_table};

/// Builds a synthetic control unit — a weighted mix of donor units that tracks the
/// treated unit before the policy — and reads the policy's effect as the gap after it
/// (Abadie, Diamond & Hainmueller; as pysyncon's Synth).
///
/// The spec (TOML) names the panel file (CSV or Parquet, relative to the spec), its
/// unit, time and outcome columns, the treated unit, the donors (default: all others),
/// the predictors and their years, the years whose fit is optimised, and the ATT
/// years. Year sets are lists ([1970, 1975]) or inclusive ranges ("1971..1980").
///
///   data = "basque.csv"
///   unit = "regionname"
///   time = "year"
///   outcome = "gdpcap"
///   treated = "Basque Country (Pais Vasco)"
///   predictors = ["invest"]
///   predictor_years = "1964..1969"
///   special_predictors = [{ variable = "gdpcap", years = "1960..1969", op = "mean" }]
///   optimize_years = "1960..1969"
///   treatment_year = 1975
///   att_years = "1975..1997"
///   # placebo_year = 1970              placebo test in time
///   # [training]                      V fitted here and reused
///   # optimize_years = "1960..1964"
///
/// Examples:
///   indmon evaluate synth --spec basque.toml
///   indmon evaluate synth --spec basque.toml --placebo --format json
///   indmon evaluate synth --spec basque.toml --format csv --table gaps --out gaps.csv
///   indmon evaluate synth --spec basque.toml --augment ridge
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file (TOML)
    #[arg(long, value_name = "FILE")]
    spec: PathBuf,
    /// Also run the placebo test in space (every donor refitted as if treated) and
    /// give the permutation p-value
    #[arg(long)]
    placebo: bool,
    /// Also give the ridge-augmented synthetic control (Ben-Michael, Feller & Rothstein)
    #[arg(long, value_enum)]
    augment: Option<Augment>,
    /// Output format (table: every table; csv: the one chosen by --table; json: all)
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// The table written as CSV
    #[arg(long, value_enum, default_value_t = Part::Gaps)]
    table: Part,
    /// Write the output to this file instead of standard output
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Augment {
    /// Ridge regression on the pre-treatment outcomes (augsynth's progfunc = "Ridge")
    Ridge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    /// RMSPE, ATT and its SE, p-value
    Summary,
    /// Donor weights
    Weights,
    /// Predictor weights V
    V,
    /// Treated, synthetic and gap per period
    Gaps,
    /// The placebo test in space (needs --placebo)
    Placebo,
    /// Predictor balance
    Balance,
}

pub fn run(_ctx: &Context, args: Args) -> Result<()> {
    let opts = Options {
        placebo: args.placebo,
        augment_ridge: matches!(args.augment, Some(Augment::Ridge)),
    };
    if args.table == Part::Placebo && !args.placebo {
        return Err(crate::cmd::UsageError("--table placebo needs --placebo".into()).into());
    }
    let r = rs::evaluate_file(&args.spec, &opts)?;
    let render = |w: &mut dyn Write| -> Result<()> {
        match args.format {
            Format::Table => print_all(w, &r),
            f => match args.table {
                Part::Summary => print(w, f, &r.summary()),
                Part::Weights => print(w, f, &r.weights),
                Part::V => print(w, f, &r.v),
                Part::Gaps if f == Format::Json => print(w, f, &Whole(&r)),
                Part::Gaps => print(w, f, &r.gaps),
                Part::Placebo => print(w, f, r.placebo.as_ref().expect("checked above")),
                Part::Balance => print(w, f, &r.balance),
            },
        }
    };
    match &args.out {
        None => render(&mut std::io::stdout().lock()),
        Some(path) => crate::output::write_whole(path, render),
    }
}

/// JSON of the whole result whatever `--table` says.
struct Whole<'a>(&'a SynthResult);

impl serde::Serialize for Whole<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Tabular for Whole<'_> {
    fn table(&self) -> indmon_report::Table {
        self.0.gaps.table()
    }
    fn notes(&self) -> Vec<String> {
        self.0.notes.clone()
    }
    fn file_stem(&self) -> String {
        self.0.gaps.file_stem()
    }
}

fn print_all(w: &mut dyn Write, r: &SynthResult) -> Result<()> {
    let none: Vec<String> = Vec::new();
    writeln!(w, "Summary")?;
    print_table(w, &r.summary().table(), &none)?;
    writeln!(w, "\nDonor weights")?;
    print_table(w, &r.weights.table(), &none)?;
    writeln!(w, "\nPredictor balance and V")?;
    print_table(w, &r.balance.table(), &none)?;
    if let Some(p) = &r.placebo {
        writeln!(w, "\nPlacebo test in space")?;
        print_table(w, &p.table(), &none)?;
    }
    writeln!(w, "\nGaps")?;
    print_table(w, &r.gaps.table(), &r.notes)
}
