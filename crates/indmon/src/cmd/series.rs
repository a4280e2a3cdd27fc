//! `indmon series`: a selection of national-accounts figures with their source.

use anyhow::Result;
use indmon_store::QueryOptions;

use crate::cmd::{UsageError, date_arg, in_list, source_notes, sql_str};
use crate::config::Context;
use crate::output::{Cell, Format, num_column, print_rows, text_column};

/// Print a selection of value-added figures with source, release and flags.
///
/// WHAT is `va` (gross value added at current prices, in million euro or national
/// currency), `va-share` (an activity's share of total value added, %), or a
/// national-accounts dataset id. Examples:
///
///   indmon series va --geo NL --nace C --year 2023
///   indmon series va --geo NL,DE --nace C,TOTAL --from 2015 --to 2023
///   indmon series va --geo NL --nace TOTAL --year 2023 --source un_sna_2_4
///   indmon series va --geo NL --nace C --as-of 2024-06-30
#[derive(Debug, clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// `va`, `va-share`, or a dataset id
    what: String,
    /// Geography codes (NL, EU27_2020, DE, BE, DK, SE ...), comma-separated or repeated
    #[arg(long)]
    geo: Vec<String>,
    /// NACE codes: C = manufacturing, B = mining, TOTAL = all activities ...
    #[arg(long)]
    nace: Vec<String>,
    /// One year
    #[arg(long, conflicts_with_all = ["from", "to"])]
    year: Option<i32>,
    /// First year
    #[arg(long)]
    from: Option<i32>,
    /// Last year
    #[arg(long)]
    to: Option<i32>,
    /// Unit code (CP_MEUR, CP_MNAC, PC_TOT); default: all units of WHAT
    #[arg(long)]
    unit: Option<String>,
    /// Dataset to read: `auto` (the first of Eurostat, CBS, UNdata, OECD that has the
    /// selection), `all`, or a dataset id
    #[arg(long, default_value = "auto")]
    source: String,
    /// Use the releases that were current on this date (YYYY-MM-DD) instead of the latest
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

/// Order in which `auto` tries national-accounts datasets.
fn priority(ds: &str) -> u8 {
    match ds {
        d if d.starts_with("estat_") => 0,
        d if d.starts_with("cbs_") => 1,
        d if d.starts_with("un_") => 2,
        d if d.starts_with("oecd_") => 3,
        _ => 4,
    }
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    let as_of = args.as_of.as_deref().map(date_arg).transpose()?;
    let opts = QueryOptions {
        as_of,
        ..Default::default()
    };
    let na_datasets: Vec<String> = {
        let mut v: Vec<String> = catalog
            .datasets()
            .filter(|d| {
                catalog
                    .select(d, as_of)
                    .is_some_and(|m| m.schema == "na_obs")
            })
            .map(str::to_string)
            .collect();
        v.sort_by_key(|d| (priority(d), d.clone()));
        v
    };
    let mut conds = vec!["na_item = 'B1G'".to_string()];
    let default_units: &[&str] = match args.what.as_str() {
        "va" => &["CP_MEUR", "CP_MNAC"],
        "va-share" => &["PC_TOT"],
        ds if na_datasets.iter().any(|d| d == ds) => &[],
        other => {
            return Err(UsageError(format!(
                "unknown series '{other}': use va, va-share or one of the national-accounts datasets {}",
                na_datasets.join(", ")
            ))
            .into());
        }
    };
    match &args.unit {
        Some(u) => conds.push(format!("unit = {}", sql_str(u))),
        None => conds.extend(in_list(
            "unit",
            &default_units
                .iter()
                .map(|u| u.to_string())
                .collect::<Vec<_>>(),
        )),
    }
    conds.extend(in_list("geo", &args.geo));
    conds.extend(in_list("nace", &args.nace));
    match (args.year, args.from, args.to) {
        (Some(y), _, _) => conds.push(format!("time = {y}")),
        (None, f, t) => {
            if let Some(f) = f {
                conds.push(format!("time >= {f}"));
            }
            if let Some(t) = t {
                conds.push(format!("time <= {t}"));
            }
        }
    }
    let candidates: Vec<String> = match args.source.as_str() {
        _ if na_datasets.contains(&args.what) => vec![args.what.clone()],
        "auto" | "all" => na_datasets.clone(),
        ds if na_datasets.iter().any(|d| d == ds) => vec![ds.to_string()],
        ds => {
            return Err(UsageError(format!(
                "--source {ds}: not a national-accounts dataset in the store; choose auto, all or one of {}",
                na_datasets.join(", ")
            ))
            .into());
        }
    };
    let mut batches = Vec::new();
    for ds in &candidates {
        let sql = format!(
            "SELECT geo, nace, time, value, unit, flag, series, dataset, vintage FROM na_obs WHERE dataset = {} AND {} ORDER BY geo, nace, time, series",
            sql_str(ds),
            conds.join(" AND ")
        );
        let got = rt.block_on(store.query(&sql, &opts))?;
        let n: usize = got.iter().map(|b| b.num_rows()).sum();
        if n > 0 {
            batches.extend(got);
            if args.source == "auto" {
                break;
            }
        }
    }
    let mut rows = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for b in &batches {
        let t: Vec<Vec<Option<String>>> = (0..b.num_columns())
            .map(|c| text_column(b, c))
            .collect::<Result<_>>()?;
        let values = num_column(b, 3)?;
        for r in 0..b.num_rows() {
            used.insert((
                t[7][r].clone().unwrap_or_default(),
                t[8][r].clone().unwrap_or_default(),
            ));
            rows.push(vec![
                Cell::opt(t[0][r].clone()),
                Cell::opt(t[1][r].clone()),
                t[2][r]
                    .as_deref()
                    .and_then(|y| y.parse().ok())
                    .map_or(Cell::Null, Cell::Int),
                values[r].map_or(Cell::Null, Cell::Num),
                Cell::opt(t[4][r].clone()),
                Cell::opt(t[5][r].clone()),
                Cell::opt(t[6][r].clone()),
                Cell::opt(t[7][r].clone()),
            ]);
        }
    }
    let mut notes = source_notes(&catalog, &used, true);
    if rows.is_empty() {
        notes.push(format!(
            "No figures match this selection in {} (`indmon sql \"SELECT DISTINCT geo, nace, unit FROM na_obs\"` shows what there is).",
            if candidates.len() == 1 { candidates[0].clone() } else { "any national-accounts dataset".into() }
        ));
    } else {
        notes.push("Units: CP_MEUR = current prices, million euro; CP_MNAC = million national currency; PC_TOT = % of total value added. Flags: p provisional, e estimated, b break in series.".into());
    }
    if let Some(d) = as_of {
        notes.push(format!(
            "As published on {d} (the releases current on that date)."
        ));
    }
    print_rows(
        &mut std::io::stdout().lock(),
        args.format,
        &[
            "geo", "nace", "year", "value", "unit", "flag", "series", "dataset",
        ],
        &rows,
        &notes,
    )
}
