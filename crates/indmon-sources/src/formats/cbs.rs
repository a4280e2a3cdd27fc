//! CBS (Statistics Netherlands) OData, v4 (`datasets.cbs.nl`, long format: one row
//! per observation with `Measure`, `Value`, `ValueAttribute`) and v3
//! (`opendata.cbs.nl` TypedDataSet: one column per measure), into `na_obs`.
//!
//! The source description names the dimensions (`maps.dimension`), maps measures to
//! ESA items (`maps.measure`) and units (`maps.measure_unit`), SBI industry keys to
//! NACE (`maps.industry`; an unmapped key is kept as `cbs:KEY`), and period statuses
//! to flags (`maps.period_status`: Voorlopig → p). Only yearly periods (`2022JJ00`)
//! fit the schema; quarters and months are skipped and counted in a warning. v3 keys
//! are space-padded and trimmed.

use std::collections::HashMap;

use serde_json::Value;

use crate::formats::na_obs::{NaObsWriter, NaRow};
use crate::formats::{Ctx, Emitter, Parsed, Sink};
use crate::{InputError, Result};

/// Reads a saved OData response: one page (`{"value": [...]}`) or an array of pages.
pub(crate) fn parse_file(
    ctx: &Ctx<'_>,
    body: &[u8],
    parsed: &mut Parsed,
    sink: Sink<'_>,
) -> Result<()> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        InputError::file(ctx.file, format!("not valid JSON: {e}"))
            .at_line(e.line() as u64)
            .expected("a CBS OData JSON response")
    })?;
    let pages = match doc {
        Value::Array(pages) => pages,
        page => vec![page],
    };
    parse_pages(ctx, &pages, &HashMap::new(), parsed, sink)
}

/// Reads OData pages. `period_status` maps period codes to CBS status texts (from
/// the table's `PeriodenCodes`, v4) where the caller fetched them.
pub fn parse_pages(
    ctx: &Ctx<'_>,
    pages: &[Value],
    period_status: &HashMap<String, String>,
    parsed: &mut Parsed,
    sink: Sink<'_>,
) -> Result<()> {
    let spec = ctx.spec;
    let map = |name: &str| spec.maps.get(name);
    let dim = |k: &str, default: &str| -> String {
        map("dimension")
            .and_then(|m| m.get(k))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let (industry_dim, period_dim) = (
        dim("industry", "BedrijfstakkenBranchesSBI2008"),
        dim("period", "Perioden"),
    );
    let empty = Default::default();
    let measures = map("measure").unwrap_or(&empty);
    let units = map("measure_unit").unwrap_or(&empty);
    let industries = map("industry").unwrap_or(&empty);
    let statuses = map("period_status").unwrap_or(&empty);
    let mut writer = NaObsWriter::new();
    let mut out = Emitter::new(writer.schema(), ctx.file, sink);
    let mut skipped_periods = 0u64;
    let mut row_no = 0u64;
    for (p, page) in pages.iter().enumerate() {
        let rows = page.get("value").and_then(Value::as_array).ok_or_else(|| {
            InputError::file(ctx.file, format!("page {} has no \"value\" array", p + 1))
                .expected("an OData response ({\"value\": [...]})")
        })?;
        for row in rows {
            row_no += 1;
            let obj = row.as_object().ok_or_else(|| {
                InputError::file(ctx.file, format!("row {row_no} is not an object"))
            })?;
            let text = |k: &str| -> Result<String> {
                match obj.get(k) {
                    Some(Value::String(s)) => Ok(s.trim().to_string()),
                    Some(Value::Number(n)) => Ok(n.to_string()),
                    _ => Err(
                        InputError::file(ctx.file, format!("row {row_no} has no {k}"))
                            .in_field(k)
                            .expected(format!("a {k} code in every row"))
                            .into(),
                    ),
                }
            };
            let period = text(&period_dim)?;
            if period.get(4..6) != Some("JJ") {
                skipped_periods += 1;
                continue;
            }
            let time: i32 = period
                .get(..4)
                .and_then(|y| y.parse().ok())
                .ok_or_else(|| {
                    InputError::file(
                        ctx.file,
                        format!(
                            "row {row_no}: period {} does not start with a year",
                            indmon_core::quote(&period)
                        ),
                    )
                    .in_field(&period_dim)
                })?;
            let key = text(&industry_dim)?;
            let nace = industries
                .get(&key)
                .cloned()
                .unwrap_or_else(|| format!("cbs:{key}"));
            let period_flag = period_status
                .get(&period)
                .and_then(|s| statuses.get(s).or(Some(s)));
            // v4: one row per observation; v3: one column per measure
            let cells: Vec<(String, Option<f64>, Option<String>)> = if obj.contains_key("Measure") {
                let measure = text("Measure")?;
                let value = match obj.get("Value") {
                    Some(Value::Number(n)) => n.as_f64(),
                    None | Some(Value::Null) => None,
                    Some(other) => {
                        return Err(InputError::file(
                            ctx.file,
                            format!("row {row_no}: Value {other} is not a number"),
                        )
                        .in_field("Value")
                        .into());
                    }
                };
                let attr = obj
                    .get("ValueAttribute")
                    .and_then(Value::as_str)
                    .filter(|a| *a != "None" && !a.is_empty())
                    .map(str::to_string);
                vec![(measure, value, attr)]
            } else {
                measures
                    .keys()
                    .filter_map(|m| obj.get(m).map(|v| (m.clone(), v.as_f64(), None)))
                    .collect()
            };
            if cells.is_empty() {
                return Err(InputError::file(
                    ctx.file,
                    format!(
                        "row {row_no} holds none of the measures {}",
                        measures.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .into());
            }
            for (measure, value, attr) in cells {
                let Some(item) = measures.get(&measure) else {
                    continue;
                };
                let unit = units.get(&measure).map(String::as_str).unwrap_or("CP_MEUR");
                let flag = match (attr.as_deref(), period_flag) {
                    (Some(a), Some(p)) => Some(format!("{p};{a}")),
                    (Some(a), None) => Some(a.to_string()),
                    (None, Some(p)) => Some(p.clone()),
                    (None, None) => None,
                };
                writer.push(
                    ctx,
                    0,
                    &NaRow {
                        geo: "NL",
                        nace: &nace,
                        na_item: item,
                        unit,
                        time,
                        value,
                        flag: flag.as_deref(),
                        conf_status: None,
                        series: None,
                        note: None,
                    },
                    &mut out,
                )?;
            }
        }
    }
    writer.finish(&mut out)?;
    parsed.rows = out.rows();
    if skipped_periods > 0 {
        parsed.warnings.push(format!(
            "{skipped_periods} rows of quarterly or monthly periods were skipped (the store holds yearly figures)"
        ));
    }
    Ok(())
}
