//! The ledger's rules, checked before anything is written.
//!
//! - values: whole euros without separators, years 1900–2100, dates `YYYY-MM-DD`,
//!   periods `YYYY`, `YYYY-Qn` or `YYYY-MM`, codes from their lists, finite numbers;
//! - text: no control characters (Unicode's category Cc: U+0000–U+001F, U+007F–U+009F —
//!   terminal escape sequences, NUL, tabs, form feeds …), from every way in (the command
//!   line, the web forms, CSV, JSON and Excel imports); the long text fields
//!   ([`schema::LONG_TEXT`]: statement, description, finding, notes) may have line
//!   breaks, kept as `\n` (a Windows `\r\n` or a lone `\r` becomes `\n`); a tab is
//!   refused everywhere (it is invisible on the pages and in a terminal; use spaces).
//!   Text is trimmed of white space at both ends first. The same holds for who makes a
//!   change;
//! - records: required fields present; references exist; a budget line and an indicator
//!   belong to a goal or a programme; starts before ends, baselines before targets, a
//!   value with its year; an indicator has a unit; one actual per indicator and period;
//! - budget totals: a stated total (a line with `covers`) is never exceeded by the
//!   itemised lines it covers (same year, the kinds it names, within its goal or
//!   programme); what is not itemised yet is shown as such by [`crate::progress`].

use std::collections::BTreeMap;

use indmon_core::text::{code_point, control_char};

use crate::schema::{self, Field, Kind};
use crate::{Db, Error, Record, Result, Value};

/// Ids: 1–64 characters of letters, digits, `-`, `_` and `.`, starting with a letter or
/// digit (they appear in URLs and file names).
pub(crate) fn id(entity: &schema::Entity, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid {
            entity: entity.name.into(),
            id: id.into(),
            field: "id".into(),
            message:
                "expected 1 to 64 letters, digits, '-', '_' or '.', starting with a letter or digit"
                    .into(),
        })
    }
}

/// Refuses text with a control character; `multiline` lets line breaks (`\n`) through.
pub(crate) fn plain_text(s: &str, multiline: bool) -> Result<(), String> {
    let allowed: &[char] = if multiline { &['\n'] } else { &[] };
    let Some((at, c)) = control_char(s, allowed) else {
        return Ok(());
    };
    let what = match c {
        '\n' | '\r' => format!(
            "a line break; only the long text fields ({}) may have several lines",
            schema::LONG_TEXT.join(", ")
        ),
        '\t' => "a tab; use spaces".to_owned(),
        _ => "a control character; text may not contain control characters".to_owned(),
    };
    Err(format!(
        "contains {} at character {} ({what})",
        code_point(c),
        at + 1
    ))
}

/// Parses the text of one field; empty text is NULL (refused if the field is required
/// and, here, only checked later so that a change may leave it as it was). Text is
/// trimmed; a control character is refused ([`plain_text`]); line breaks in long text
/// become `\n`.
pub(crate) fn parse(field: &Field, raw: &str) -> Result<Value, String> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(Value::Null);
    }
    let lines;
    let s = if field.multiline() && s.contains('\r') {
        lines = s.replace("\r\n", "\n").replace('\r', "\n");
        lines.as_str()
    } else {
        s
    };
    plain_text(s, field.multiline())?;
    match field.kind {
        Kind::Text | Kind::Ref(_) => Ok(Value::Text(s.to_owned())),
        Kind::Int => s
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| format!("expected a whole number, found {s:?}")),
        Kind::Euro => {
            if let Ok(i) = s.parse::<i64>() {
                if i < 0 {
                    // Receipts are their own kind of line; amounts are never negative.
                    return Err(format!(
                        "expected an amount of 0 or more euros, found {s:?} (record receipts as kind receipt)"
                    ));
                }
                return Ok(Value::Int(i));
            }
            // 338300000.0 from a spreadsheet is fine; 338,3 or 338.3 million is not.
            match s.parse::<f64>() {
                Ok(x) if x.fract() == 0.0 && (0.0..9.0e15).contains(&x) => Ok(Value::Int(x as i64)),
                _ => Err(format!(
                    "expected whole euros without separators (e.g. 338300000), found {s:?}"
                )),
            }
        }
        Kind::Year => match s.parse::<i64>() {
            Ok(y) if (1900..=2100).contains(&y) => Ok(Value::Int(y)),
            Ok(y) => Err(format!("expected a year between 1900 and 2100, found {y}")),
            Err(_) => match s.parse::<f64>() {
                Ok(y) if y.fract() == 0.0 && (1900.0..=2100.0).contains(&y) => {
                    Ok(Value::Int(y as i64))
                }
                _ => Err(format!("expected a year such as 2030, found {s:?}")),
            },
        },
        Kind::Real => match s.parse::<f64>() {
            Ok(x) if x.is_finite() => Ok(Value::Real(x)),
            _ => Err(format!(
                "expected a number with a decimal point (e.g. 12.5), found {s:?}"
            )),
        },
        Kind::Date => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(|d| Value::Text(d.format("%Y-%m-%d").to_string()))
            .map_err(|_| format!("expected a date as YYYY-MM-DD, found {s:?}")),
        Kind::Period => {
            if period_ok(s) {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(format!(
                    "expected a period as YYYY, YYYY-Qn or YYYY-MM, found {s:?}"
                ))
            }
        }
        Kind::Code(codes) => {
            if codes.contains(&s) {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(format!("expected one of {}, found {s:?}", codes.join(", ")))
            }
        }
    }
}

fn period_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let year = |x: &[u8]| {
        x.len() == 4
            && x.iter().all(u8::is_ascii_digit)
            && (1900..=2100).contains(
                &std::str::from_utf8(x)
                    .unwrap_or("0")
                    .parse::<i32>()
                    .unwrap_or(0),
            )
    };
    match b.len() {
        4 => year(b),
        7 if b[4] == b'-' && b[5] == b'Q' => year(&b[..4]) && (b'1'..=b'4').contains(&b[6]),
        7 if b[4] == b'-' => {
            year(&b[..4])
                && std::str::from_utf8(&b[5..])
                    .ok()
                    .and_then(|m| m.parse::<u32>().ok())
                    .is_some_and(|m| (1..=12).contains(&m))
                && b[5].is_ascii_digit()
        }
        _ => false,
    }
}

fn invalid(rec: &Record, field: &str, message: impl Into<String>) -> Error {
    Error::Invalid {
        entity: rec.entity.name.into(),
        id: rec.id.clone(),
        field: field.into(),
        message: message.into(),
    }
}

/// Checks one record against the rules and the records it refers to.
pub(crate) fn record(db: &mut Db, rec: &Record) -> Result<()> {
    for (f, v) in rec.entity.fields.iter().zip(&rec.values) {
        if f.required && v.is_null() {
            return Err(invalid(rec, f.name, format!("required ({})", f.help)));
        }
        if let (Kind::Ref(target), Some(id)) = (f.kind, v.as_str()) {
            let sql = format!("SELECT id FROM {target} WHERE id = ?");
            if db.query(&sql, &[id.into()])?.is_empty() {
                return Err(invalid(rec, f.name, format!("there is no {target} '{id}'")));
            }
        }
    }
    let has = |name: &str| !rec.get(name).is_null();
    match rec.entity.name {
        "budget_line" | "indicator" if !has("goal_id") && !has("programme_id") => {
            return Err(invalid(
                rec,
                "programme_id",
                "give a programme_id or a goal_id: every line and indicator belongs to one",
            ));
        }
        _ => {}
    }
    if rec.entity.field("start_date").is_some()
        && let (Some(a), Some(b)) = (rec.text("start_date"), rec.text("end_date"))
        && a > b
    {
        return Err(invalid(
            rec,
            "end_date",
            format!("the end {b} is before the start {a}"),
        ));
    }
    if rec.entity.name == "indicator" {
        if rec.text("unit").is_some_and(|u| u.trim().is_empty()) {
            return Err(invalid(rec, "unit", "an indicator needs a unit"));
        }
        for which in ["baseline", "target"] {
            let value = rec.get(&format!("{which}_value")).clone();
            let year = rec.get(&format!("{which}_year")).clone();
            if !value.is_null() && year.is_null() {
                return Err(invalid(
                    rec,
                    &format!("{which}_year"),
                    format!("a {which} value needs its year"),
                ));
            }
        }
        if let (Some(b), Some(t)) = (
            rec.get("baseline_year").as_int(),
            rec.get("target_year").as_int(),
        ) && b > t
        {
            return Err(invalid(
                rec,
                "target_year",
                format!("the target year {t} is before the baseline year {b}"),
            ));
        }
    }
    if rec.entity.name == "budget_line"
        && let Some(covers) = rec.text("covers")
    {
        for k in covers.split(',') {
            if !schema::BUDGET_KINDS.contains(&k.trim()) {
                return Err(invalid(
                    rec,
                    "covers",
                    format!(
                        "expected kinds of budget line separated by commas ({}), found {k:?}",
                        schema::BUDGET_KINDS.join(", ")
                    ),
                ));
            }
        }
    }
    if rec.entity.name == "actual"
        && let (Some(ind), Some(period)) = (rec.text("indicator_id"), rec.text("period"))
    {
        let other = db.query(
            "SELECT id FROM actual WHERE indicator_id = ? AND period = ? AND id <> ?",
            &[ind.into(), period.into(), rec.id.as_str().into()],
        )?;
        if let Some(row) = other.first() {
            return Err(invalid(
                rec,
                "period",
                format!(
                    "indicator '{ind}' already has an actual for {period} (record '{}')",
                    row[0]
                ),
            ));
        }
    }
    Ok(())
}

/// Checks every stated budget total against the itemised lines it covers.
pub(crate) fn totals(db: &mut Db) -> Result<()> {
    match exceeded(db)? {
        None => Ok(()),
        Some(over) => Err(over.error),
    }
}

/// A stated total exceeded by the lines it covers.
pub(crate) struct Exceeded {
    /// The ids of the total and of the lines it covers.
    pub ids: Vec<String>,
    /// The error to report.
    pub error: Error,
}

/// The first stated total that its itemised lines exceed.
pub(crate) fn exceeded(db: &mut Db) -> Result<Option<Exceeded>> {
    let lines = crate::list(db, schema::entity("budget_line").expect("entity"))?;
    let programmes = crate::list(db, schema::entity("programme").expect("entity"))?;
    let goal_of: BTreeMap<&str, &str> = programmes
        .iter()
        .filter_map(|p| Some((p.id.as_str(), p.text("goal_id")?)))
        .collect();
    for total in lines.iter().filter(|l| l.text("covers").is_some()) {
        let Some(stated) = total.get("amount_eur").as_int() else {
            continue;
        };
        let items = covered(total, &lines, &goal_of);
        let sum: i64 = items
            .iter()
            .filter_map(|l| l.get("amount_eur").as_int())
            .sum();
        if sum > stated {
            let ids: Vec<String> = items.iter().map(|l| l.id.clone()).collect();
            let error = invalid(
                total,
                "amount_eur",
                format!(
                    "the itemised lines it covers ({}) add up to {sum} euros, more than the stated total '{}' of {stated} euros",
                    ids.join(", "),
                    total.id
                ),
            );
            let mut all = vec![total.id.clone()];
            all.extend(ids);
            return Ok(Some(Exceeded { ids: all, error }));
        }
    }
    Ok(None)
}

/// The itemised lines a stated total covers: same year, a kind it names, within its
/// programme (or, for a goal's total, the goal's own lines and its programmes' lines).
pub(crate) fn covered<'a>(
    total: &Record,
    lines: &'a [Record],
    goal_of: &BTreeMap<&str, &str>,
) -> Vec<&'a Record> {
    let kinds: Vec<&str> = total
        .text("covers")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .collect();
    let year = total.get("year").as_int();
    let in_scope = |l: &Record| match (total.text("programme_id"), total.text("goal_id")) {
        (Some(p), _) => l.text("programme_id") == Some(p),
        (None, Some(g)) => {
            l.text("goal_id") == Some(g)
                || l.text("programme_id")
                    .is_some_and(|p| goal_of.get(p) == Some(&g))
        }
        (None, None) => false,
    };
    lines
        .iter()
        .filter(|l| {
            l.text("covers").is_none()
                && l.get("year").as_int() == year
                && l.text("kind").is_some_and(|k| kinds.contains(&k))
                && in_scope(l)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::entity;

    fn field(e: &str, f: &str) -> &'static Field {
        entity(e).unwrap().field(f).unwrap()
    }

    #[test]
    fn values_parse_or_say_what_was_expected() {
        let amount = field("budget_line", "amount_eur");
        assert_eq!(parse(amount, "338300000"), Ok(Value::Int(338_300_000)));
        assert_eq!(parse(amount, "338300000.0"), Ok(Value::Int(338_300_000)));
        assert_eq!(parse(amount, ""), Ok(Value::Null));
        assert!(parse(amount, "338,3").unwrap_err().contains("whole euros"));
        assert!(parse(amount, "-5").unwrap_err().contains("0 or more"));
        let year = field("budget_line", "year");
        assert_eq!(parse(year, "2024"), Ok(Value::Int(2024)));
        assert!(parse(year, "24").is_err());
        let date = field("programme", "start_date");
        assert!(parse(date, "2026-02-30").is_err());
        assert_eq!(parse(date, "2026-01-01"), Ok(Value::from("2026-01-01")));
        let kind = field("budget_line", "kind");
        assert!(
            parse(kind, "spending")
                .unwrap_err()
                .contains("commitment, expenditure")
        );
        let value = field("actual", "value");
        assert!(parse(value, "NaN").is_err());
        assert!(parse(value, "12,0").is_err());
    }

    #[test]
    fn control_characters_are_refused_line_breaks_only_in_long_text() {
        let name = field("action", "name");
        let notes = field("action", "notes");
        let err = parse(name, "Pilot\u{1b}[2Jline").unwrap_err();
        assert!(err.contains("U+001B at character 6"), "{err}");
        assert!(err.contains("control character"), "{err}");
        let err = parse(name, "two\nlines").unwrap_err();
        assert!(
            err.contains("a line break; only the long text fields"),
            "{err}"
        );
        assert!(parse(notes, "a\tb").unwrap_err().contains("a tab"));
        assert!(parse(notes, "nul\0").is_err());
        assert!(parse(notes, "c1 \u{9b}").is_err());
        assert_eq!(
            parse(notes, "first\r\nsecond\rthird\nfourth"),
            Ok(Value::from("first\nsecond\nthird\nfourth"))
        );
        // white space at the ends is trimmed, as always
        assert_eq!(parse(name, "\tPilot\n"), Ok(Value::from("Pilot")));
        // a code or a number with a control character is refused the same way
        let kind = field("budget_line", "kind");
        assert!(
            parse(kind, "expen\u{7}diture")
                .unwrap_err()
                .contains("U+0007")
        );
    }

    #[test]
    fn periods() {
        for ok in ["2024", "2024-Q3", "2024-07", "2024-12"] {
            assert!(period_ok(ok), "{ok}");
        }
        for bad in [
            "24", "2024-Q5", "2024-13", "2024-7", "2024-00", "x024", "2024Q1",
        ] {
            assert!(!period_ok(bad), "{bad}");
        }
    }
}
