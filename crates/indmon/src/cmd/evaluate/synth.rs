//! `indmon evaluate synth`: a synthetic control from a spec file or a preset on the
//! store, computed by `indmon_report::evaluate::synth`; the result can be recorded as
//! an evaluation in the ledger.

use std::io::Write;
use std::path::PathBuf;

use indmon_report::Tabular;
use indmon_report::evaluate::preset::IndustryShareRequest;
use indmon_report::evaluate::synth::{self as rs, Options, SynthResult};
use indmon_report::target::{Definition, Scope};

use crate::cmd::date_arg;

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
/// Or a preset on the store: `--preset industry-share --treated NL --treatment-year
/// 2011` compares the treated country's industry share (the target's definition) with
/// a synthetic one built from the other EU members that have the share in every year;
/// the predictors are the share averaged over three pre-treatment windows.
///
/// `--record` adds the result to the ledger as an evaluation (kind `effect`), its
/// finding the result in one sentence, scoped to `--programme` / `--goal` /
/// `--instrument`, with the strength of evidence you state (`--evidence`).
///
/// Examples:
///   indmon evaluate synth --spec basque.toml
///   indmon evaluate synth --preset industry-share --treated NL --treatment-year 2011 --placebo
///   indmon evaluate synth --preset industry-share --treated NL --treatment-year 2011 --placebo \
///       --record --goal industriebeleid --evidence weak
///   indmon evaluate synth --spec basque.toml --placebo --format json
///   indmon evaluate synth --spec basque.toml --format csv --table gaps --out gaps.csv
///   indmon evaluate synth --spec basque.toml --augment ridge
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file (TOML)
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "preset",
        conflicts_with = "preset"
    )]
    spec: Option<PathBuf>,
    /// A panel built from the store instead of a spec
    #[arg(long, value_enum, requires_all = ["treated", "treatment_year"])]
    preset: Option<Preset>,
    /// The treated country of the preset (Eurostat code, e.g. NL)
    #[arg(long, requires = "preset")]
    treated: Option<String>,
    /// The first year of the treatment (the preset's policy year, e.g. 2011)
    #[arg(long, requires = "preset")]
    treatment_year: Option<i32>,
    /// The first year of the preset's panel [default: the treated country's first]
    #[arg(long, requires = "preset")]
    from: Option<i32>,
    /// The preset's dataset: auto (Eurostat first, then CBS, UNdata) or a dataset id
    #[arg(long, default_value = "auto")]
    source: String,
    /// The preset on the releases current on this date (YYYY-MM-DD)
    #[arg(long, value_name = "DATE", requires = "preset")]
    as_of: Option<String>,
    #[command(flatten)]
    record: super::Record,
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
enum Preset {
    /// The industry share of value added of one EU country against the other members
    IndustryShare,
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

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let opts = Options {
        placebo: args.placebo,
        augment_ridge: matches!(args.augment, Some(Augment::Ridge)),
    };
    if let Some(p) = &args.out {
        crate::output::refuse_in_store(ctx, None, p)?;
    }
    if args.table == Part::Placebo && !args.placebo {
        return Err(crate::cmd::UsageError("--table placebo needs --placebo".into()).into());
    }
    let r = match (&args.spec, args.preset) {
        (Some(spec), _) => rs::evaluate_file(spec, &opts)?,
        (None, Some(Preset::IndustryShare)) => {
            let t = &ctx.settings.target;
            let req = rs::PresetRequest {
                panel: IndustryShareRequest {
                    treated: args.treated.clone().expect("clap requires --treated"),
                    treatment_year: args.treatment_year.expect("clap requires --treatment-year"),
                    from: args.from,
                    scope: Scope {
                        def: Definition::of(t),
                        source: args.source.clone(),
                        as_of: args.as_of.as_deref().map(date_arg).transpose()?,
                    },
                },
                options: opts,
            };
            let store = ctx.store()?;
            let catalog = store.catalog()?;
            ctx.runtime()?
                .block_on(rs::preset(&store, &catalog, &req))?
        }
        (None, None) => unreachable!("clap requires --spec or --preset"),
    };
    if args.record.record {
        record(ctx, &args, &r)?;
    }
    let part = r.part(args.table.into())?;
    let render = |w: &mut dyn Write| -> Result<()> {
        match args.format {
            Format::Table => print_all(w, &r),
            f => print(w, f, &part),
        }
    };
    match &args.out {
        None => render(&mut std::io::stdout().lock()),
        Some(path) => crate::output::write_whole(path, render),
    }
}

impl From<Part> for rs::SynthTable {
    fn from(p: Part) -> Self {
        match p {
            Part::Summary => rs::SynthTable::Summary,
            Part::Weights => rs::SynthTable::Weights,
            Part::V => rs::SynthTable::V,
            Part::Gaps => rs::SynthTable::Gaps,
            Part::Placebo => rs::SynthTable::Placebo,
            Part::Balance => rs::SynthTable::Balance,
        }
    }
}

/// Adds the result to the ledger as an evaluation of kind `effect`.
fn record(ctx: &Context, args: &Args, r: &SynthResult) -> Result<()> {
    // the command that reproduces the result: every flag that changes it
    let mut what = match (&args.spec, &args.treated, args.treatment_year) {
        (Some(spec), _, _) => format!("--spec {}", spec.display()),
        (None, Some(t), Some(y)) => {
            format!("--preset industry-share --treated {t} --treatment-year {y}")
        }
        _ => String::new(),
    };
    if args.spec.is_none() {
        if let Some(f) = args.from {
            what.push_str(&format!(" --from {f}"));
        }
        if args.source != "auto" {
            what.push_str(&format!(" --source {}", args.source));
        }
        if let Some(d) = &args.as_of {
            what.push_str(&format!(" --as-of {d}"));
        }
    }
    if args.augment.is_some() {
        what.push_str(" --augment ridge");
    }
    let cited: Vec<String> = r
        .sources
        .iter()
        .map(|s| format!("{} vintage {} ({})", s.dataset, s.vintage, s.title))
        .collect();
    let source = format!(
        "indmon evaluate synth {what}{} ({}){}",
        if args.placebo { " --placebo" } else { "" },
        r.method_version,
        if cited.is_empty() {
            String::new()
        } else {
            format!("; data: {}", cited.join("; "))
        }
    );
    args.record.write(ctx, r.finding(), source)
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
