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

pub use crate::countries::CountryCodes;

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
    parsed
        .warnings
        .extend(header.ignored_warning(ctx.file, &COLUMNS, "the layout"));
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
            let code = countries.code_of(iso3).ok_or_else(|| {
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
