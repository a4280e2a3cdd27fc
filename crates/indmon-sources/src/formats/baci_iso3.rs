//! BACI flows in an extract's own layout, converted into BACI's schema (`baci_trade`):
//! `year,exporter,importer,hs_code,value_usd,quantity_tonnes`, countries by ISO 3166
//! alpha-3 code, values in US dollars (the layout of the semiconductor extract in
//! `data/baci-semis-2017-2024/`).
//!
//! The conversion: ISO3 → BACI's numeric country code through BACI's own country list
//! ([`CountryCodes`]; `TWN`, which BACI itself writes as `S19` "Other Asia, n.e.s.",
//! is looked up as `TWN` and then as `S19`); USD → thousand USD (BACI's unit); HS6
//! codes padded back to six digits; an empty quantity is missing. A row is refused,
//! naming its line and field, when a value does not parse, a country is not in the
//! list, a flow goes from a country to itself, a key (year, exporter, importer,
//! product) repeats, or a value lies below the smallest flow the source description
//! says the extract keeps (`min_flow_usd`): the filter is a property of the data, and
//! a row that contradicts it is not that data.

use std::collections::HashMap;

use crate::batch::{TableBuilder, parse_float, parse_int};
use crate::formats::{Ctx, Emitter, Parsed, Sink};
use crate::input::{CsvHeader, check_complete, csv_error, csv_reader};
use crate::validate::KeyCheck;
use crate::{InputError, Result};

/// The columns of the layout, in the order the header must name them (extra columns
/// are ignored with a warning).
pub const COLUMNS: [&str; 6] = [
    "year",
    "exporter",
    "importer",
    "hs_code",
    "value_usd",
    "quantity_tonnes",
];

/// BACI's country list by ISO3 code: the numeric code and name of each country.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CountryCodes {
    /// The list's name, for messages (e.g. `country_codes_V202601.csv`).
    pub label: String,
    by_iso3: HashMap<String, (u16, String)>,
}

impl CountryCodes {
    /// Reads a BACI country list (`country_code,country_name,country_iso2,country_iso3`,
    /// UTF-8). A code outside 0–999, or an ISO3 code given to two country codes, is an
    /// error naming the line: the conversion would be ambiguous.
    pub fn from_baci_list(label: &str, bytes: &[u8]) -> Result<Self> {
        let body = crate::input::strip_bom(label, bytes)?;
        let mut rdr = csv_reader(body);
        let header = CsvHeader::read(label, &mut rdr, crate::input::Encoding::Utf8)?;
        let pos = header.positions(label, &["country_code", "country_name", "country_iso3"])?;
        let mut by_iso3: HashMap<String, (u16, String)> = HashMap::new();
        let mut rec = csv::StringRecord::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => return Err(csv_error(label, e).into()),
            }
            let line = rec.position().map_or(0, |p| p.line());
            let code: u16 = rec[pos[0]]
                .trim()
                .parse()
                .ok()
                .filter(|c| *c < 1000)
                .ok_or_else(|| {
                    InputError::file(
                        label,
                        format!("bad country code {}", indmon_core::quote(&rec[pos[0]])),
                    )
                    .at_line(line)
                    .in_field("country_code")
                    .expected("a whole number 0-999")
                })?;
            let iso3 = rec[pos[2]].trim().to_ascii_uppercase();
            if iso3.is_empty() {
                continue;
            }
            let name = super::repair_mojibake(rec[pos[1]].trim()).into_owned();
            if let Some((other, _)) = by_iso3.get(&iso3)
                && *other != code
            {
                return Err(InputError::file(
                    label,
                    format!("ISO3 code {iso3} is given to country codes {other} and {code}"),
                )
                .at_line(line)
                .in_field("country_iso3")
                .into());
            }
            by_iso3.insert(iso3, (code, name));
        }
        Ok(Self {
            label: label.rsplit('/').next().unwrap_or(label).to_string(),
            by_iso3,
        })
    }

    /// BACI's code and name of the country with this ISO3 code; `TWN` falls back to
    /// BACI's own label for Taiwan, `S19`.
    pub fn code_of(&self, iso3: &str) -> Option<(u16, &str)> {
        let get = |k: &str| self.by_iso3.get(k).map(|(c, n)| (*c, n.as_str()));
        get(iso3).or_else(|| if iso3 == "TWN" { get("S19") } else { None })
    }

    /// The number of countries with an ISO3 code.
    pub fn len(&self) -> usize {
        self.by_iso3.len()
    }

    /// True when the list has no country with an ISO3 code.
    pub fn is_empty(&self) -> bool {
        self.by_iso3.is_empty()
    }
}

pub(crate) fn parse(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    let countries = ctx.opts.countries.as_deref().ok_or_else(|| {
        InputError::file(
            ctx.file,
            format!(
                "source {} names countries by ISO3 code and needs BACI's country list to convert them (none was given)",
                ctx.spec.id
            ),
        )
    })?;
    check_complete(ctx.file, body)?;
    let schema = ctx.spec.table();
    let mut rdr = csv_reader(body);
    let header = CsvHeader::read(ctx.file, &mut rdr, ctx.encoding)?;
    let pos = header.positions(ctx.file, &COLUMNS)?;
    let ignored: Vec<&str> = header
        .names
        .iter()
        .filter(|n| !COLUMNS.contains(&n.as_str()))
        .map(String::as_str)
        .collect();
    if !ignored.is_empty() {
        parsed.warnings.push(format!(
            "{}: column(s) not in the layout were ignored: {}",
            ctx.file,
            indmon_core::quote::excerpt_list(&ignored)
        ));
    }
    let min = ctx.spec.min_flow_usd;
    let (t_min, t_max) = (
        schema.columns[0].min.unwrap_or(f64::MIN),
        schema.columns[0].max.unwrap_or(f64::MAX),
    );
    let mut keys = KeyCheck::new();
    let mut b = TableBuilder::new(schema.clone());
    let mut out = Emitter::new(schema.clone(), ctx.file, sink);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(ctx.file, e).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize| -> Result<String> {
            Ok(ctx.text(&rec[pos[i]], line, COLUMNS[i])?.trim().to_string())
        };
        let (year, exporter, importer, hs, value, qty) = (
            field(0)?,
            field(1)?,
            field(2)?,
            field(3)?,
            field(4)?,
            field(5)?,
        );
        let bad = |i: usize, v: &str, expected: &str| -> crate::Error {
            InputError::file(ctx.file, format!("bad value {}", indmon_core::quote(v)))
                .at_line(line)
                .in_field(COLUMNS[i])
                .expected(expected)
                .into()
        };
        let t = parse_int(&year)
            .filter(|y| (*y as f64) >= t_min && (*y as f64) <= t_max)
            .ok_or_else(|| bad(0, &year, &format!("a year {t_min}-{t_max}")))?;
        let country = |i: usize, iso3: &str| -> Result<u16> {
            if iso3.len() != 3 || !iso3.bytes().all(|c| c.is_ascii_uppercase()) {
                return Err(bad(
                    i,
                    iso3,
                    "an ISO 3166 alpha-3 code (three capital letters)",
                ));
            }
            let (code, _) = countries.code_of(iso3).ok_or_else(|| {
                crate::Error::from(
                    InputError::file(
                        ctx.file,
                        format!(
                            "country {} is not in BACI's country list ({})",
                            indmon_core::quote(iso3),
                            countries.label
                        ),
                    )
                    .at_line(line)
                    .in_field(COLUMNS[i]),
                )
            })?;
            Ok(code)
        };
        let i = country(1, &exporter)?;
        let j = country(2, &importer)?;
        if i == j {
            return Err(InputError::file(
                ctx.file,
                format!(
                    "a flow from a country to itself ({exporter} to {importer}); BACI has none"
                ),
            )
            .at_line(line)
            .in_field("importer")
            .into());
        }
        let k = match hs.len() {
            5 | 6 if hs.bytes().all(|c| c.is_ascii_digit()) => format!("{hs:0>6}"),
            _ => return Err(bad(3, &hs, "an HS6 code (six digits)")),
        };
        let v = parse_float(&value)
            .filter(|v| *v >= 0.0)
            .ok_or_else(|| bad(4, &value, "a value in US dollars, 0 or more"))?;
        if let Some(m) = min
            && v < m
        {
            return Err(InputError::file(
                ctx.file,
                format!(
                    "value {} USD is below the smallest flow this extract keeps (USD {m}); the source description says smaller flows are absent",
                    indmon_core::quote(&value)
                ),
            )
            .at_line(line)
            .in_field("value_usd")
            .expected(format!("at least {m}"))
            .into());
        }
        let q = if qty.is_empty() {
            None
        } else {
            Some(
                parse_float(&qty)
                    .filter(|q| *q >= 0.0)
                    .ok_or_else(|| bad(5, &qty, "a quantity in tonnes, 0 or more, or empty"))?,
            )
        };
        let (ts, is, js) = (t.to_string(), i.to_string(), j.to_string());
        if let Some(first) = keys.insert([ts.as_str(), is.as_str(), js.as_str(), k.as_str()], line)
        {
            return Err(InputError::file(
                ctx.file,
                format!(
                    "duplicate flow: year {t}, {exporter} to {importer}, product {k} already appeared on line {first}"
                ),
            )
            .at_line(line)
            .in_field("hs_code")
            .into());
        }
        b.push_i32(0, Some(t as i32));
        b.push_i32(1, Some(i32::from(i)));
        b.push_i32(2, Some(i32::from(j)));
        b.push_str(3, Some(&k));
        // BACI stores thousands of US dollars
        b.push_f64(4, Some(v / 1000.0));
        b.push_f64(5, q);
        b.end_row();
        out.maybe_emit(&mut b)?;
    }
    out.emit(&mut b)?;
    parsed.rows = out.rows();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taiwan_falls_back_to_bacis_own_label() {
        let list = b"country_code,country_name,country_iso2,country_iso3\n490,\"Other Asia, nes\",,S19\n528,Netherlands,NL,NLD\n";
        let c = CountryCodes::from_baci_list("c.csv", list).unwrap();
        assert_eq!(c.code_of("TWN").map(|x| x.0), Some(490));
        assert_eq!(c.code_of("NLD").map(|x| x.0), Some(528));
        assert_eq!(c.code_of("XXX"), None);
        let twice = b"country_code,country_name,country_iso2,country_iso3\n1,A,,AAA\n2,B,,AAA\n";
        let e = CountryCodes::from_baci_list("c.csv", twice)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("AAA"), "{e}");
    }
}
