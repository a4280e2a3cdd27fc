//! `indmon mutual`: where others depend on the reporter, and the partners with
//! dependence both ways, from `indmon_report::dependencies::mutual_in`. The trade flags
//! and the output are those of `indmon dependencies`.

use indmon_report::dependencies::{self as dr, MutualRequest};
use indmon_report::{Cell, Table, Tabular, shorten};

use crate::cmd::UsageError;
use crate::cmd::dependencies::Common;
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_table};

/// Where others depend on the reporter: products of which it supplies a large share of
/// world exports under concentrated world supply, the countries that depend on it for
/// them, and the partners with dependence both ways.
///
/// Examples:
///   indmon mutual
///   indmon mutual --reporter EU27 --format csv
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    common: Common,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let c = &args.common;
    if c.tier.is_some() {
        return Err(UsageError(
            "`mutual` lists products and partners, not tiers: --tier does not apply".into(),
        )
        .into());
    }
    let store = c.store(ctx)?;
    let trade = c.trade(
        ctx,
        store.as_ref(),
        Some(ctx.settings.dependencies.persistence_window),
    )?;
    let r = indmon_report::Reference::bundled()?;
    let req = MutualRequest {
        trade: c.trade_request(),
        reexport: c.reexport(),
        million: c.million(),
    };
    let m = dr::mutual_in(&trade, &ctx.settings, &r.taxonomy.taxonomy, r, &req)?;
    c.emit(|w| match c.format {
        Format::Table => print_table(w, &short_names(m.table()), &m.notes()),
        f => print(w, f, &m),
    })
}

/// The table with product names cut to 50 characters, for reading.
fn short_names(mut t: Table) -> Table {
    if let Some(i) = t.columns.iter().position(|c| c.name == "name") {
        for row in &mut t.rows {
            if let Cell::Text(s) = &row[i] {
                row[i] = Cell::Text(shorten(s, 50));
            }
        }
    }
    t
}
