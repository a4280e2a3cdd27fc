//! The six priority markets: the taxonomy that defines them in statistical codes and
//! its validation ([`validation`]), the trade behind them ([`load_trade`]), the status
//! board of a country against its peers ([`board`]) and one market in detail
//! ([`market_detail`]: segments, codes, activities, indicators per country and year,
//! status per country, value added of the market's industries).
//!
//! Every result is typed and serialisable, carries its notes, sources and the method
//! version ([`indmon_analytics::markets::METHOD_VERSION`]), and declares its columns
//! once; the command line and the API render them.

mod board;
mod parts;
mod show;
mod trade;
mod validate;
mod view;

pub use board::{Board, MarketStatus, board, board_of};
pub use parts::{MarketPart, part_header};
pub use show::{
    ActivityRow, CodeRow, MarketDetail, MarketRequest, Part, SegmentRow, ValueAddedRow,
    market_detail,
};
pub use trade::{BoardRequest, CHOICE_RULE, TradeData, Unit, load_trade, resolve_unit};
pub use validate::{FindingRow, MarketCounts, OverlapRow, Validation, validation};
pub use view::{
    IndicatorRow, MarketView, UnitStatus, data_notes, dependency_note, trend_text, unit_status,
};

pub use crate::countries::edition_of;
use crate::table::Cell;
use indmon_reference::{Reference, TaxonomyError, TaxonomyFile};

/// A user's taxonomy file from its bytes (a UTF-8 byte-order mark is allowed), read and
/// validated against the bundled classification lists. `label` names the file in every
/// message. A file that is not UTF-8, empty or malformed is an error naming the file
/// (and the line where TOML says it); one that parses but does not validate is
/// returned with its findings (see [`TaxonomyFile::valid`]).
pub fn taxonomy_file(
    reference: &Reference,
    label: &str,
    bytes: &[u8],
) -> Result<TaxonomyFile, TaxonomyError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| TaxonomyError {
        label: label.into(),
        message: format!(
            "not UTF-8 (invalid byte at offset {}); save the taxonomy as UTF-8",
            e.valid_up_to()
        ),
    })?;
    reference.taxonomy_file(label, text)
}

/// A fraction as a percentage cell (missing stays missing).
fn pc(x: Option<f64>) -> Cell {
    Cell::opt_num(x.map(|v| v * 100.0))
}

/// Thousand USD (BACI's unit) as a million-USD cell; `+ 0.0` turns the −0 of an empty
/// sum into 0.
fn musd(thousand: f64) -> Cell {
    Cell::opt_num(Some(thousand / 1000.0 + 0.0))
}
