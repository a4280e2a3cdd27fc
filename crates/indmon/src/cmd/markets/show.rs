//! `indmon markets show MARKET`: prints a market's detail — every part as an aligned
//! table for reading, one part as CSV, the whole detail as JSON.

use std::io::Write;

use indmon_report::markets::{self as rm, MarketDetail};
use indmon_report::{Cell, Table, shorten};

use super::columns;
use crate::error::Result;
use crate::output::{Format, print, print_table, terminal_safe};

/// The part printed as CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(super) enum Part {
    /// Segments with their code counts and why a segment has no clean code
    Segments,
    /// HS6 codes with the country's exports, world share and RCA
    Codes,
    /// NACE and CPA codes
    Activities,
    /// Indicators per country and year
    Indicators,
    /// Rank and trend per country
    Status,
    /// Value added of the market's A*64 industries per country
    ValueAdded,
}

impl From<Part> for rm::Part {
    fn from(p: Part) -> Self {
        match p {
            Part::Segments => rm::Part::Segments,
            Part::Codes => rm::Part::Codes,
            Part::Activities => rm::Part::Activities,
            Part::Indicators => rm::Part::Indicators,
            Part::Status => rm::Part::Status,
            Part::ValueAdded => rm::Part::ValueAdded,
        }
    }
}

/// Prints the detail in `format`: CSV is the table of `part`, JSON the whole detail.
pub(super) fn render(
    out: &mut dyn Write,
    d: &MarketDetail,
    part: rm::Part,
    format: Format,
) -> Result<()> {
    match format {
        Format::Table => print_all(out, d),
        Format::Csv => print(out, format, &d.part(part)),
        Format::Json => print(out, format, d),
    }
}

/// Every part, names shortened to fit a terminal, then the notes.
fn print_all(out: &mut dyn Write, d: &MarketDetail) -> Result<()> {
    writeln!(
        out,
        "{} — {} ({}), {}\n",
        terminal_safe(&d.name_en),
        d.geo,
        d.year,
        terminal_safe(&d.name_nl)
    )?;
    writeln!(out, "Segments:")?;
    let segments = columns(
        d.table_of(rm::Part::Segments),
        &["segment", "name_en", "hs6", "nace", "cpa"],
    );
    print_table(out, &segments, &[])?;
    writeln!(out, "\nHS6 codes ({} trade in {}):", d.geo, d.year)?;
    print_table(
        out,
        &shortened(d.table_of(rm::Part::Codes), "name", 60),
        &[],
    )?;
    writeln!(out, "\nActivities (NACE) and products (CPA):")?;
    let activities = columns(
        d.table_of(rm::Part::Activities),
        &["segment", "kind", "code", "confidence", "name"],
    );
    print_table(out, &shortened(activities, "name", 90), &[])?;
    writeln!(out, "\nIndicators:")?;
    print_table(out, &d.table_of(rm::Part::Indicators), &[])?;
    writeln!(out, "\nStatus:")?;
    print_table(out, &d.table_of(rm::Part::Status), &[])?;
    writeln!(out)?;
    for n in &d.notes {
        writeln!(out, "{}", terminal_safe(n))?;
    }
    Ok(())
}

/// `t` with the text of column `name` cut to `n` characters.
fn shortened(mut t: Table, name: &str, n: usize) -> Table {
    if let Some(c) = t.columns.iter().position(|c| c.name == name) {
        for r in &mut t.rows {
            if let Cell::Text(s) = &r[c] {
                r[c] = Cell::Text(shorten(s, n));
            }
        }
    }
    t
}
