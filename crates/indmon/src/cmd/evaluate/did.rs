//! `indmon evaluate did`: a staggered difference-in-differences (Callaway & Sant'Anna
//! 2021) on a panel file, computed by `indmon_report::evaluate::did`.

use std::io::Write;
use std::path::PathBuf;

use indmon_analytics::evaluate::did::{
    AggOptions, AggregationType, BasePeriod, ControlGroup, Method,
};
use indmon_report::evaluate::did::{self as report, DidRequest};

use crate::cmd::UsageError;
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, refuse_in_store, write_whole};

/// Estimates the effect of a treatment that units adopt at different times (staggered
/// difference-in-differences of Callaway & Sant'Anna 2021, as R `did` computes it):
/// the group-time average treatment effects ATT(g,t) with analytic standard errors, an
/// aggregation (simple, by group, by event time, by calendar period) and the pre-trend
/// Wald test. The panel is a CSV or Parquet file with one row per unit and period; it
/// must be balanced. The group column holds the period a unit is first treated (0 if
/// never treated); units treated in the first period are dropped (a note says so).
///
/// Examples:
///   indmon evaluate did --data mpdta.csv --outcome lemp --time year --id countyreal \
///       --group first.treat --aggregate simple
///   indmon evaluate did --data mpdta.csv --outcome lemp --time year --id countyreal \
///       --group first.treat --control notyet --method ipw --covariates lpop --format csv
///   indmon evaluate did --data panel.parquet --outcome y --time year --id region \
///       --group first_year --aggregate dynamic --max-e 3 --format json --out did.json
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The panel: a CSV file (header line, one row per unit and period) or a .parquet file
    #[arg(long, value_name = "FILE")]
    data: PathBuf,
    /// The outcome column
    #[arg(long, value_name = "COLUMN")]
    outcome: String,
    /// The period column (numbers, e.g. years)
    #[arg(long, value_name = "COLUMN")]
    time: String,
    /// The unit column
    #[arg(long, value_name = "COLUMN")]
    id: String,
    /// The column with the period each unit is first treated (0 if never treated)
    #[arg(long, value_name = "COLUMN")]
    group: String,
    /// Comparison units: `never` treated, or never and not yet treated (`notyet`)
    #[arg(long, value_enum, default_value_t = Control::Never)]
    control: Control,
    /// Estimator: doubly robust (`dr`), inverse probability weighting (`ipw`) or outcome
    /// regression (`reg`)
    #[arg(long, value_enum, default_value_t = Estimator::Dr)]
    method: Estimator,
    /// Covariates for conditional parallel trends, comma-separated (their value in the
    /// earlier period of each comparison is used)
    #[arg(long, value_name = "X,…", value_delimiter = ',')]
    covariates: Vec<String>,
    /// Base period of the pre-treatment ATT(g,t): the previous period (`varying`) or the
    /// last period before treatment (`universal`)
    #[arg(long, value_enum, default_value_t = Base::Varying)]
    base_period: Base,
    /// Periods of anticipation (treatment effects may start this many periods early)
    #[arg(long, value_name = "N", default_value_t = 0.0)]
    anticipation: f64,
    /// Show an aggregation instead of the ATT(g,t): `simple`, `group`, `dynamic` (event
    /// time) or `calendar`
    #[arg(long, value_enum, default_value_t = Aggregate::None)]
    aggregate: Aggregate,
    /// Smallest event time shown (`--aggregate dynamic`)
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    min_e: Option<f64>,
    /// Largest event time used (`dynamic`; also bounds the post-treatment periods of
    /// `simple` and `group`)
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    max_e: Option<f64>,
    /// Balance the event-time aggregation: only groups observed at least E periods after
    /// treatment (`dynamic`)
    #[arg(long, value_name = "E")]
    balance_e: Option<f64>,
    /// Output: `table`, `csv` (the ATT(g,t), or the aggregation's rows) or `json` (the
    /// whole result: ATT(g,t), aggregation, pre-trend test, notes and the file cited)
    #[arg(long, value_enum, default_value_t)]
    format: Format,
    /// Write the output to this file instead of the terminal
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    #[command(flatten)]
    record: super::Record,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Control {
    Never,
    Notyet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Estimator {
    Dr,
    Ipw,
    Reg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Base {
    Varying,
    Universal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Aggregate {
    None,
    Simple,
    Group,
    Dynamic,
    Calendar,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    if !args.anticipation.is_finite() || args.anticipation < 0.0 {
        return Err(UsageError("--anticipation must be 0 or more".into()).into());
    }
    let dynamic = args.aggregate == Aggregate::Dynamic;
    if !dynamic && (args.min_e.is_some() || args.balance_e.is_some()) {
        return Err(
            UsageError("--min-e and --balance-e apply to --aggregate dynamic".into()).into(),
        );
    }
    if args.max_e.is_some() && args.aggregate == Aggregate::None {
        return Err(UsageError("--max-e applies to an aggregation (--aggregate …)".into()).into());
    }
    let mut covariates = Vec::new();
    for c in &args.covariates {
        let c = c.trim();
        if c.is_empty() {
            return Err(UsageError("--covariates: an empty name".into()).into());
        }
        covariates.push(c.to_string());
    }
    if let Some(p) = &args.out {
        refuse_in_store(ctx, None, p)?;
    }
    if args.record.record && args.aggregate == Aggregate::None {
        return Err(UsageError(
            "--record keeps one estimate: add --aggregate simple (or group, dynamic, calendar)"
                .into(),
        )
        .into());
    }
    let req = DidRequest {
        outcome: args.outcome.clone(),
        time: args.time.clone(),
        id: args.id.clone(),
        group: args.group.clone(),
        covariates,
        control: match args.control {
            Control::Never => ControlGroup::NeverTreated,
            Control::Notyet => ControlGroup::NotYetTreated,
        },
        method: match args.method {
            Estimator::Dr => Method::Dr,
            Estimator::Ipw => Method::Ipw,
            Estimator::Reg => Method::Reg,
        },
        base_period: match args.base_period {
            Base::Varying => BasePeriod::Varying,
            Base::Universal => BasePeriod::Universal,
        },
        anticipation: args.anticipation,
        aggregate: match args.aggregate {
            Aggregate::None => None,
            Aggregate::Simple => Some(AggregationType::Simple),
            Aggregate::Group => Some(AggregationType::Group),
            Aggregate::Dynamic => Some(AggregationType::Dynamic),
            Aggregate::Calendar => Some(AggregationType::Calendar),
        },
        window: AggOptions {
            min_e: args.min_e.unwrap_or(f64::NEG_INFINITY),
            max_e: args.max_e.unwrap_or(f64::INFINITY),
            balance_e: args.balance_e,
        },
    };
    let result = report::did(&args.data, &req)?;
    if args.record.record {
        record(ctx, &args, &result)?;
    }
    match &args.out {
        Some(p) => write_whole(p, |w| print(w, args.format, &result))?,
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            print(&mut out, args.format, &result)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Adds the result to the ledger as an evaluation of kind `effect`: the finding, and
/// the command that reproduces it with the file's checksum.
fn record(ctx: &Context, args: &Args, r: &report::DidReport) -> Result<()> {
    let finding = r
        .finding()
        .expect("an aggregation was asked for (checked above)");
    let name = |v: &dyn std::fmt::Debug| format!("{v:?}").to_lowercase();
    let mut cmd = format!(
        "indmon evaluate did --data {} --outcome {} --time {} --id {} --group {} --control {} --method {} --base-period {} --anticipation {} --aggregate {}",
        args.data.display(),
        args.outcome,
        args.time,
        args.id,
        args.group,
        name(&args.control),
        name(&args.method),
        name(&args.base_period),
        args.anticipation,
        name(&args.aggregate),
    );
    if !args.covariates.is_empty() {
        cmd.push_str(&format!(" --covariates {}", args.covariates.join(",")));
    }
    for (flag, v) in [
        ("--min-e", args.min_e),
        ("--max-e", args.max_e),
        ("--balance-e", args.balance_e),
    ] {
        if let Some(v) = v {
            cmd.push_str(&format!(" {flag} {v}"));
        }
    }
    let data: Vec<String> = r.sources.iter().map(|s| s.citation.clone()).collect();
    args.record.write(
        ctx,
        finding,
        format!("{cmd} ({}); data: {}", r.method, data.join("; ")),
    )
}
