//! OECD SDMX-CSV (`format=csvfile`, or `csvfilewithlabels` where every code column
//! is followed by its label column), into `na_obs`.
//!
//! Mapping: REF_AREA (ISO alpha-3) → indmon geo code; ACTIVITY (ISIC Rev. 4 section,
//! `_T` = total) → nace; MEASURE → na_item; UNIT_MEASURE through the source's unit
//! map (PT_B1G → PC_TOT); OBS_STATUS A (normal value) → no flag, any other status
//! kept; CONF_STATUS kept. Only annual data at current prices (PRICE_BASE V) fits the
//! schema; anything else is refused with the line.

use crate::codelist::codelists;
use crate::formats::na_obs::{NaObsWriter, NaRow};
use crate::formats::{Ctx, Emitter, Parsed, Sink};
use crate::input::{CsvHeader, check_complete, csv_error, csv_reader};
use crate::{InputError, Result};

pub(crate) fn parse(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    check_complete(ctx.file, body)?;
    let mut rdr = csv_reader(body);
    let header = CsvHeader::read(ctx.file, &mut rdr, ctx.encoding)?;
    let pos = header.positions(
        ctx.file,
        &[
            "REF_AREA",
            "ACTIVITY",
            "MEASURE",
            "UNIT_MEASURE",
            "TIME_PERIOD",
            "OBS_VALUE",
        ],
    )?;
    let opt = |n: &str| header.position(n);
    let (freq_at, status_at, conf_at, price_at, mult_at) = (
        opt("FREQ"),
        opt("OBS_STATUS"),
        opt("CONF_STATUS"),
        opt("PRICE_BASE"),
        opt("UNIT_MULT"),
    );
    let flow_at =
        opt("STRUCTURE_ID").or_else(|| opt("DATAFLOW").filter(|_| opt("STRUCTURE").is_none()));
    let expected_flow = ctx
        .opts
        .expected_dataset
        .clone()
        .or_else(|| ctx.spec.live.as_ref().map(|l| l.dataset.clone()));
    let unit_map = ctx.spec.maps.get("unit");
    let activity_map = ctx.spec.maps.get("activity");
    let lists = codelists();
    let mut writer = NaObsWriter::new();
    let mut out = Emitter::new(writer.schema(), ctx.file, sink);
    let mut rec = csv::ByteRecord::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(ctx.file, e).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        let field = |i: usize, name: &str| -> Result<String> {
            Ok(ctx.text(&rec[i], line, name)?.trim().to_string())
        };
        if let (Some(at), Some(flow)) = (flow_at, &expected_flow) {
            // "OECD.SDD.NAD:DSD_NAAG_IV@DF_NAAG_IV(1.0)" vs "OECD.SDD.NAD,DSD_NAAG_IV@DF_NAAG_IV,1.0"
            let got = field(at, "STRUCTURE_ID")?;
            let norm = |s: &str| {
                s.replace([':', ','], " ")
                    .split_whitespace()
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .split('(')
                    .next()
                    .unwrap_or("")
                    .to_string()
            };
            if norm(&got) != norm(flow) {
                return Err(ctx.err(
                    line,
                    "STRUCTURE_ID",
                    format!("the file holds OECD dataflow {got}, not {flow}"),
                ));
            }
        }
        if let Some(at) = freq_at {
            let f = field(at, "FREQ")?;
            if f != "A" {
                return Err(InputError::file(
                    ctx.file,
                    format!("frequency {} is not annual", indmon_core::quote(f)),
                )
                .at_line(line)
                .in_field("FREQ")
                .expected("annual data (FREQ A)")
                .into());
            }
        }
        if let Some(at) = price_at {
            let p = field(at, "PRICE_BASE")?;
            if !(p.is_empty() || p == "V" || p == "_Z") {
                return Err(InputError::file(
                    ctx.file,
                    format!("price base {} is not current prices", indmon_core::quote(p)),
                )
                .at_line(line)
                .in_field("PRICE_BASE")
                .expected("current prices (PRICE_BASE V)")
                .into());
            }
        }
        let area = field(pos[0], "REF_AREA")?;
        let geo = match lists.geo_from_iso3(&area) {
            Some(g) => g.to_string(),
            None if !area.is_empty()
                && area
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') =>
            {
                area.clone()
            }
            None => {
                return Err(ctx.err(
                    line,
                    "REF_AREA",
                    format!("{} is not an area code", indmon_core::quote(area)),
                ));
            }
        };
        let activity = field(pos[1], "ACTIVITY")?;
        let nace = activity_map
            .and_then(|m| m.get(&activity))
            .cloned()
            .unwrap_or_else(|| activity.clone());
        let measure = field(pos[2], "MEASURE")?;
        let unit_raw = field(pos[3], "UNIT_MEASURE")?;
        let mult: i32 = match mult_at {
            Some(at) => {
                let m = field(at, "UNIT_MULT")?;
                if m.is_empty() {
                    0
                } else {
                    m.parse().map_err(|_| {
                        ctx.err(
                            line,
                            "UNIT_MULT",
                            format!("{} is not a power of ten", indmon_core::quote(m)),
                        )
                    })?
                }
            }
            None => 0,
        };
        let (unit, scale) = match unit_map.and_then(|m| m.get(&unit_raw)) {
            Some(u) => (u.clone(), 10f64.powi(mult)),
            // national currency and euro amounts are stored in millions
            None if unit_raw == "XDC" => ("CP_MNAC".to_string(), 10f64.powi(mult - 6)),
            None if unit_raw == "EUR" => ("CP_MEUR".to_string(), 10f64.powi(mult - 6)),
            None => (unit_raw.clone(), 10f64.powi(mult)),
        };
        let time_txt = field(pos[4], "TIME_PERIOD")?;
        let time: i32 = time_txt.parse().map_err(|_| {
            ctx.err(
                line,
                "TIME_PERIOD",
                format!(
                    "{} is not a year (annual data expected)",
                    indmon_core::quote(time_txt)
                ),
            )
        })?;
        let value_txt = field(pos[5], "OBS_VALUE")?;
        let value = if value_txt.is_empty() {
            None
        } else {
            Some(
                crate::batch::parse_float(&value_txt).ok_or_else(|| {
                    ctx.err(
                        line,
                        "OBS_VALUE",
                        format!("{} is not a number", indmon_core::quote(value_txt)),
                    )
                })? * scale,
            )
        };
        let status = match status_at {
            Some(at) => field(at, "OBS_STATUS")?,
            None => String::new(),
        };
        let flag = (status != "A" && !status.is_empty()).then_some(status.as_str());
        let conf = match conf_at {
            Some(at) => Some(field(at, "CONF_STATUS")?),
            None => None,
        };
        writer.push(
            ctx,
            line,
            &NaRow {
                geo: &geo,
                nace: &nace,
                na_item: &measure,
                unit: &unit,
                time,
                value,
                flag,
                conf_status: conf.as_deref(),
                series: None,
                note: None,
            },
            &mut out,
        )?;
    }
    writer.finish(&mut out)?;
    parsed.rows = out.rows();
    Ok(())
}
