//! `indmon crm`: the EU critical raw materials of the 2023 assessment, or one material's
//! history and supply shares, from `indmon_report::dependencies::{crm, material}`.

use std::io::Write;

use indmon_report::Tabular;
use indmon_report::dependencies::{self as dr, CrmRequest, MaterialDetail, MaterialRequest};

use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_table, terminal_safe};

/// The EU critical raw materials (2023 assessment): supply risk (SR) and economic
/// importance (EI) as published, the critical flag (SR ≥ 1 and EI ≥ 2.8), their
/// history since 2011, and the concentration (HHI) of global supply and of EU sourcing
/// per stage (extraction, processing).
///
/// Examples:
///   indmon crm
///   indmon crm --critical
///   indmon crm --material cobalt
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only the critical materials
    #[arg(long)]
    critical: bool,
    /// One material: history and supply shares
    #[arg(long)]
    material: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let rt = ctx.runtime()?;
    let out = &mut std::io::stdout().lock();
    match &args.material {
        Some(m) => {
            let req = MaterialRequest {
                material: m.clone(),
            };
            let d = rt.block_on(dr::material(&store, &req))?;
            match args.format {
                Format::Table => print_material(out, &d),
                f => print(out, f, &d),
            }
        }
        None => {
            let req = CrmRequest {
                critical_only: args.critical,
            };
            let list = rt.block_on(dr::crm(&store, &req))?;
            print(out, args.format, &list)
        }
    }
}

/// One material in words: the heading, the scores by assessment, the supply shares, the
/// HS6 codes, the notes.
fn print_material(w: &mut dyn Write, d: &MaterialDetail) -> Result<()> {
    writeln!(w, "{}", terminal_safe(&d.heading()))?;
    if !d.history.is_empty() {
        print_table(w, &d.table(), &[])?;
    }
    for l in d.supply_lines() {
        writeln!(w, "\n{}", terminal_safe(&l))?;
    }
    if !d.hs6.is_empty() {
        writeln!(w, "\nHS6 in the bundled BACI extract: {}", d.hs6.join(", "))?;
    }
    writeln!(w)?;
    for n in d.notes() {
        writeln!(w, "{}", terminal_safe(&n))?;
    }
    Ok(())
}
