//! `indmon vintages`: the releases of a dataset, or one figure across releases.

use anyhow::Result;

use crate::cmd::{UsageError, in_list, source_notes, sql_str};
use crate::config::Context;
use crate::output::{Cell, Format, num_column, print_rows, text_column};

/// Show the vintages (releases) of a dataset; with a selection (--geo, --nace,
/// --year), show how those figures differ between releases and sources.
///
/// DATASET is a dataset id (`indmon sources` lists them) or `va`, gross value added
/// at current prices from every national-accounts source. Example:
/// `indmon vintages va --geo NL --nace TOTAL --year 2023`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dataset id, or `va` for value added from all sources
    dataset: String,
    /// Geography codes (NL, EU27_2020, DE ...), comma-separated or repeated
    #[arg(long)]
    geo: Vec<String>,
    /// NACE codes (C = manufacturing, TOTAL = all activities ...)
    #[arg(long)]
    nace: Vec<String>,
    /// Year
    #[arg(long)]
    year: Option<i32>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let catalog = store.catalog()?;
    let mut out = std::io::stdout().lock();
    let selecting = !args.geo.is_empty() || !args.nace.is_empty() || args.year.is_some();
    let is_na = args.dataset == "va"
        || catalog
            .latest(&args.dataset)
            .is_some_and(|m| m.schema == "na_obs");
    if !selecting {
        if args.dataset == "va" {
            return Err(UsageError(
                "`indmon vintages va` needs a selection, e.g. --geo NL --nace TOTAL --year 2023"
                    .into(),
            )
            .into());
        }
        let vs = catalog.vintages(&args.dataset);
        if vs.is_empty() {
            return Err(indmon_store::Error::NotFound(format!(
                "no dataset '{}' in the store; `indmon sources` lists them",
                args.dataset
            ))
            .into());
        }
        let latest = vs.last().map(|m| m.vintage.clone());
        let rows: Vec<Vec<Cell>> = vs
            .iter()
            .rev()
            .map(|m| {
                vec![
                    Cell::from(m.vintage.clone()),
                    Cell::opt(m.release.map(|d| d.to_string())),
                    Cell::from(m.retrieved_at.format("%Y-%m-%d %H:%M").to_string()),
                    Cell::Int(m.rows as i64),
                    Cell::from(m.input.clone()),
                    Cell::from(if Some(&m.vintage) == latest.as_ref() {
                        "latest"
                    } else {
                        ""
                    }),
                ]
            })
            .collect();
        return print_rows(
            &mut out,
            args.format,
            &["vintage", "release", "retrieved", "rows", "input", ""],
            &rows,
            &[],
        );
    }
    if !is_na {
        return Err(UsageError(format!(
            "--geo/--nace/--year select national-accounts figures; '{}' is not a national-accounts dataset (use `indmon sql` for others)",
            args.dataset
        ))
        .into());
    }
    let mut conds = vec!["na_item = 'B1G'".to_string()];
    if args.dataset == "va" {
        conds.push("unit IN ('CP_MEUR', 'CP_MNAC')".into());
    } else {
        conds.push(format!("dataset = {}", sql_str(&args.dataset)));
    }
    conds.extend(in_list("geo", &args.geo));
    conds.extend(in_list("nace", &args.nace));
    if let Some(y) = args.year {
        conds.push(format!("time = {y}"));
    }
    let sql = format!(
        "SELECT dataset, vintage, geo, nace, time, value, unit, flag, series FROM na_obs__vintages WHERE {} ORDER BY geo, nace, time, dataset, vintage, series",
        conds.join(" AND ")
    );
    let batches = rt.block_on(store.query(&sql, &Default::default()))?;
    let mut rows = Vec::new();
    let mut used = std::collections::BTreeSet::new();
    for b in &batches {
        let t: Vec<Vec<Option<String>>> = (0..b.num_columns())
            .map(|c| text_column(b, c))
            .collect::<Result<_>>()?;
        let values = num_column(b, 5)?;
        for r in 0..b.num_rows() {
            let (ds, v) = (
                t[0][r].clone().unwrap_or_default(),
                t[1][r].clone().unwrap_or_default(),
            );
            let meta = catalog.vintages(&ds).iter().find(|m| m.vintage == v);
            used.insert((ds.clone(), v.clone()));
            rows.push(vec![
                Cell::from(ds),
                Cell::opt(meta.and_then(|m| m.release).map(|d| d.to_string())),
                Cell::from(v),
                Cell::opt(t[2][r].clone()),
                Cell::opt(t[3][r].clone()),
                t[4][r]
                    .as_deref()
                    .and_then(|y| y.parse().ok())
                    .map_or(Cell::Null, Cell::Int),
                values[r].map_or(Cell::Null, Cell::Num),
                Cell::opt(t[6][r].clone()),
                Cell::opt(t[7][r].clone()),
                Cell::opt(t[8][r].clone()),
            ]);
        }
    }
    // within one figure, oldest release first (a vintage without a release date by its retrieval date)
    let order = |ds: &str, v: &str| {
        catalog
            .vintages(ds)
            .iter()
            .find(|m| m.vintage == v)
            .map(|m| m.effective_date())
    };
    rows.sort_by(|a, b| {
        let key = |r: &Vec<Cell>| {
            let t = |i: usize| match &r[i] {
                Cell::Text(s) => s.clone(),
                Cell::Int(n) => format!("{n:08}"),
                _ => String::new(),
            };
            (t(3), t(4), t(5), order(&t(0), &t(2)))
        };
        key(a).cmp(&key(b))
    });
    let mut notes = source_notes(&catalog, &used, false);
    if used.len() > 1 {
        notes.push("Values differ where a later release revised the figure, or where sources differ in method (CP_MEUR = current prices, million euro; CP_MNAC = million national currency).".into());
    }
    print_rows(
        &mut out,
        args.format,
        &[
            "dataset", "release", "vintage", "geo", "nace", "year", "value", "unit", "flag",
            "series",
        ],
        &rows,
        &notes,
    )
}
