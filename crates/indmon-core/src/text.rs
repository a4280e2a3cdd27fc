//! Text at indmon's edges: cells that leave for a spreadsheet, and text that enters the
//! ledger.
//!
//! **Formulas in CSV (OWASP's CSV-injection rule).** A spreadsheet program that opens a
//! CSV file reads a cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
//! as a formula, and runs it. Every text cell indmon writes to CSV (the results' tables,
//! the ledger's exports) goes through [`csv_text`]: such a cell is written with a leading
//! apostrophe, which makes it plain text; so is a cell that already begins with an
//! apostrophe, so that the rule can be undone without doubt: [`csv_text_restore`] takes
//! exactly one leading apostrophe off, and gives back the original text whatever it was
//! (`=1+1` → `'=1+1` → `=1+1`; `'quoted` → `''quoted` → `'quoted`; `NL` → `NL`). Numbers
//! are not text cells: a negative number is written as a number.
//!
//! In an Excel workbook cells have types: text is written as a text cell, which is never
//! evaluated, so it keeps its exact value; a writer may mark text that
//! [`is_formula_like`] with Excel's quote prefix, so that editing the cell keeps it text.
//!
//! **Control characters.** [`control_char`] finds the first character of Unicode's
//! control category (U+0000–U+001F, U+007F–U+009F): escape sequences that rewrite a
//! terminal, NUL bytes, form feeds. The ledger refuses text that has one (line breaks
//! only in its long text fields).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
pub const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The mark that neutralises a CSV cell.
pub const QUOTE: char = '\'';

/// Whether a spreadsheet would take text `s` for a formula (it begins with one of
/// [`FORMULA_STARTS`]).
pub fn is_formula_like(s: &str) -> bool {
    s.starts_with(FORMULA_STARTS)
}

/// A text cell as CSV writes it: with a leading apostrophe if it begins with one of
/// [`FORMULA_STARTS`] or with an apostrophe; otherwise as it is.
pub fn csv_text(s: &str) -> Cow<'_, str> {
    if is_formula_like(s) || s.starts_with(QUOTE) {
        Cow::Owned(format!("{QUOTE}{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// The original text of a CSV cell written by [`csv_text`]: one leading apostrophe
/// removed, if there is one.
pub fn csv_text_restore(cell: &str) -> &str {
    cell.strip_prefix(QUOTE).unwrap_or(cell)
}

/// The first control character of `s` that `allowed` does not let through, with its
/// position in characters (from 0).
pub fn control_char(s: &str, allowed: &[char]) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|(_, c)| c.is_control() && !allowed.contains(c))
}

/// A control character as people name it: `U+001B`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralised_and_restored() {
        for s in [
            "=1+1", "+31 20", "-1", "@SUM(A1)", "\tx", "\rx", "'quoted", "''", "'",
        ] {
            let cell = csv_text(s);
            assert!(cell.starts_with('\''), "{s:?}");
            assert_eq!(&cell[1..], s);
            assert_eq!(csv_text_restore(&cell), s, "{s:?}");
        }
        for s in ["NL", "", "a=b", "1-2", "x'"] {
            assert_eq!(csv_text(s), s);
            assert_eq!(csv_text_restore(&csv_text(s)), s);
        }
        assert!(is_formula_like("=x"));
        assert!(!is_formula_like("'=x"));
    }

    #[test]
    fn control_characters_are_found() {
        assert_eq!(control_char("plain text, é ✓", &[]), None);
        assert_eq!(control_char("a\u{1b}[31m", &[]), Some((1, '\u{1b}')));
        assert_eq!(control_char("a\nb", &['\n']), None);
        assert_eq!(control_char("a\nb\tc", &['\n']), Some((3, '\t')));
        assert_eq!(control_char("\u{85}", &[]), Some((0, '\u{85}')));
        assert_eq!(control_char("x\u{7f}", &[]), Some((1, '\u{7f}')));
        assert_eq!(code_point('\u{1b}'), "U+001B");
    }
}
