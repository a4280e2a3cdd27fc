//! Eurostat dissemination data: SDMX-CSV and JSON-stat 2.0, into `na_obs`.
//!
//! SDMX-CSV comes in three forms, all read here: codes (`geo` = `NL`), both
//! (`NL:Netherlands`, headers `geo:Geopolitical entity`), and label only
//! (`Netherlands`, what the data browser's "labels" download writes). Labels are mapped
//! back to codes with the code lists in `codelists/`; a label in no list is an error
//! naming the line and field. `LAST UPDATE` (dd/mm/yy) gives the release date.
//!
//! JSON-stat 2.0 is what the Eurostat statistics API returns: a sparse cube with
//! `id`, `size`, `dimension`, `value` and `status`; `updated` gives the release date.
//! A status such as `p` becomes the flag; a confidentiality marker after `|` (`|C`)
//! becomes `conf_status`.

use std::collections::HashMap;

use serde_json::Value;

use crate::codelist::codelists;
use crate::formats::na_obs::{NaObsWriter, NaRow};
use crate::formats::{Ctx, Emitter, Parsed, Sink, parse_estat_stamp};
use crate::input::{CsvHeader, check_complete, csv_error, csv_reader};
use crate::{InputError, Result};

/// The dimensions `na_obs` has a place for.
const DIMS: [&str; 4] = ["geo", "nace_r2", "na_item", "unit"];

/// Columns that SDMX-CSV carries besides dimensions and that are not data.
const ATTRIBUTES: [&str; 8] = [
    "DATAFLOW",
    "STRUCTURE",
    "STRUCTURE_ID",
    "STRUCTURE_NAME",
    "ACTION",
    "LAST UPDATE",
    "OBS_FLAG",
    "CONF_STATUS",
];

pub(crate) fn parse(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match first {
        None => Err(InputError::file(ctx.file, "the file is empty")
            .expected("Eurostat SDMX-CSV or JSON-stat 2.0")
            .into()),
        Some(b'{') => parse_jsonstat(ctx, body, parsed, sink),
        Some(b'<') => Err(InputError::file(
            ctx.file,
            "this is an XML document (an SDMX-ML message or a Eurostat error/queued response), not data",
        )
        .expected("SDMX-CSV or JSON-stat 2.0")
        .into()),
        Some(_) => parse_sdmx_csv(ctx, body, parsed, sink),
    }
}

fn expected_flow(ctx: &Ctx<'_>) -> Option<String> {
    ctx.opts
        .expected_dataset
        .clone()
        .or_else(|| ctx.spec.live.as_ref().map(|l| l.dataset.clone()))
        .map(|s| s.to_ascii_uppercase())
}

/// SDMX-CSV header names may be `code` or `code: Label`.
fn header_code(name: &str) -> &str {
    name.split(':').next().unwrap_or(name).trim()
}

fn parse_sdmx_csv(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    check_complete(ctx.file, body)?;
    let mut rdr = csv_reader(body);
    let header = CsvHeader::read(ctx.file, &mut rdr, ctx.encoding)?;
    let codes: Vec<String> = header
        .names
        .iter()
        .map(|n| header_code(n).to_string())
        .collect();
    let coded = CsvHeader {
        names: codes.clone(),
    };
    // a table without an activity dimension (e.g. nama_10_gdp) covers the whole economy
    let has_nace = coded.position("nace_r2").is_some();
    let mut wanted: Vec<&str> = DIMS
        .iter()
        .copied()
        .filter(|d| has_nace || *d != "nace_r2")
        .collect();
    wanted.extend(["TIME_PERIOD", "OBS_VALUE"]);
    let mut pos = coded.positions(ctx.file, &wanted)?;
    if !has_nace {
        pos.insert(1, usize::MAX);
    }
    let (flag_at, conf_at) = (coded.position("OBS_FLAG"), coded.position("CONF_STATUS"));
    let (freq_at, update_at) = (coded.position("freq"), coded.position("LAST UPDATE"));
    let flow_at = coded
        .position("DATAFLOW")
        .or_else(|| coded.position("STRUCTURE_ID"));
    let extra: Vec<&str> = codes
        .iter()
        .map(String::as_str)
        .filter(|c| !wanted.contains(c) && !ATTRIBUTES.contains(c) && *c != "freq")
        .collect();
    if !extra.is_empty() {
        return Err(InputError::file(
            ctx.file,
            format!(
                "the file has dimension(s) {} that indmon's national-accounts schema has no place for",
                indmon_core::quote::excerpt_list(&extra)
            ),
        )
        .at_line(1)
        .expected("dimensions freq, unit, nace_r2, na_item, geo (select one code of any other dimension when downloading)")
        .into());
    }
    let flow = expected_flow(ctx);
    let lists = codelists();
    let mut writer = NaObsWriter::new();
    let mut out = Emitter::new(writer.schema(), ctx.file, sink);
    let mut release: Option<(chrono::NaiveDate, String)> = None;
    let mut rec = csv::ByteRecord::new();
    let mut mapped: [String; 4] = Default::default();
    let mut cache: HashMap<(usize, Vec<u8>), String> = HashMap::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_error(ctx.file, e).into()),
        }
        let line = rec.position().map_or(0, |p| p.line());
        if let (Some(at), Some(flow)) = (flow_at, &flow) {
            let v = ctx.text(&rec[at], line, "DATAFLOW")?;
            let id = v
                .split(':')
                .nth(1)
                .unwrap_or(&v)
                .split('(')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_uppercase();
            if id != *flow {
                return Err(ctx.err(
                    line,
                    "DATAFLOW",
                    format!(
                        "the file holds Eurostat dataset {v}, not {}",
                        flow.to_ascii_lowercase()
                    ),
                ));
            }
        }
        if let Some(at) = freq_at {
            let v = ctx.text(&rec[at], line, "freq")?;
            if lists.estat_code("freq", &v).as_deref() != Some("A") {
                return Err(ctx
                    .err(
                        line,
                        "freq",
                        format!("frequency {} is not annual", indmon_core::quote(v)),
                    )
                    .into_annual());
            }
        }
        if let Some(at) = update_at {
            let v = ctx.text(&rec[at], line, "LAST UPDATE")?;
            let date = parse_estat_stamp(&v).ok_or_else(|| {
                ctx.err(
                    line,
                    "LAST UPDATE",
                    format!(
                        "{} is not a date (expected dd/mm/yy hh:mm:ss)",
                        indmon_core::quote(&v)
                    ),
                )
            })?;
            if release.as_ref().is_none_or(|(d, _)| date > *d) {
                release = Some((date, v.to_string()));
            }
        }
        for (k, dim) in DIMS.iter().enumerate() {
            if pos[k] == usize::MAX {
                mapped[k] = "TOTAL".to_string();
                continue;
            }
            let raw = &rec[pos[k]];
            let key = (k, raw.to_vec());
            if let Some(code) = cache.get(&key) {
                mapped[k].clone_from(code);
                continue;
            }
            let text = ctx.text(raw, line, dim)?;
            let code = lists.estat_code(dim, &text).ok_or_else(|| {
                ctx.err(
                    line,
                    dim,
                    format!("unknown {dim} label {}", indmon_core::quote(text)),
                )
                .with_expected(format!(
                    "a Eurostat {dim} code or one of the labels in indmon's code list"
                ))
            })?;
            mapped[k].clone_from(&code);
            cache.insert(key, code);
        }
        let time_txt = ctx.text(&rec[pos[4]], line, "TIME_PERIOD")?;
        let time: i32 = time_txt.trim().parse().map_err(|_| {
            ctx.err(
                line,
                "TIME_PERIOD",
                format!("{} is not a year", indmon_core::quote(time_txt)),
            )
            .with_expected("a four-digit year (annual data)")
        })?;
        let value_txt = ctx.text(&rec[pos[5]], line, "OBS_VALUE")?;
        let value_txt = value_txt.trim();
        let value = if value_txt.is_empty() || value_txt == ":" {
            None
        } else {
            Some(crate::batch::parse_float(value_txt).ok_or_else(|| {
                ctx.err(
                    line,
                    "OBS_VALUE",
                    format!("{} is not a number", indmon_core::quote(value_txt)),
                )
                .with_expected("a number with '.' as decimal separator, or empty")
            })?)
        };
        let flag = match flag_at {
            Some(at) => Some(ctx.text(&rec[at], line, "OBS_FLAG")?.trim().to_string()),
            None => None,
        };
        let conf = match conf_at {
            Some(at) => Some(ctx.text(&rec[at], line, "CONF_STATUS")?.trim().to_string()),
            None => None,
        };
        writer.push(
            ctx,
            line,
            &NaRow {
                geo: &mapped[0],
                nace: &mapped[1],
                na_item: &mapped[2],
                unit: &mapped[3],
                time,
                value,
                flag: flag.as_deref(),
                conf_status: conf.as_deref(),
                series: None,
                note: None,
            },
            &mut out,
        )?;
    }
    writer.finish(&mut out)?;
    parsed.rows = out.rows();
    if let Some((date, label)) = release {
        parsed.release = Some(date);
        parsed.release_label = Some(label);
        parsed.release_basis = Some("LAST UPDATE column of the SDMX-CSV file".into());
    }
    Ok(())
}

trait ErrExt {
    fn with_expected(self, e: impl Into<String>) -> Self;
    fn into_annual(self) -> Self;
}

impl ErrExt for crate::Error {
    fn with_expected(self, e: impl Into<String>) -> Self {
        match self {
            crate::Error::Input(mut b) => {
                b.expected = Some(e.into());
                crate::Error::Input(b)
            }
            other => other,
        }
    }
    fn into_annual(self) -> Self {
        self.with_expected(
            "annual data (freq A); indmon's national-accounts store holds yearly figures",
        )
    }
}

/// The error body the Eurostat API sends instead of data.
fn api_error(doc: &Value) -> Option<String> {
    let errs = doc.get("error")?;
    let list = errs
        .as_array()
        .cloned()
        .unwrap_or_else(|| vec![errs.clone()]);
    Some(
        list.iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e.get("status").map(|s| s.to_string()).unwrap_or_default(),
                    e.get("label")
                        .and_then(Value::as_str)
                        .unwrap_or("(no label)")
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
    )
}

fn parse_jsonstat(ctx: &Ctx<'_>, body: &[u8], parsed: &mut Parsed, sink: Sink<'_>) -> Result<()> {
    let file = ctx.file;
    let doc: Value = serde_json::from_slice(body).map_err(|e| {
        InputError::file(file, format!("not valid JSON: {e}"))
            .at_line(e.line() as u64)
            .expected("a JSON-stat 2.0 dataset")
    })?;
    if let Some(msg) = api_error(&doc) {
        return Err(InputError::file(
            file,
            format!("Eurostat returned an error instead of data: {msg}"),
        )
        .into());
    }
    if let Some(w) = doc.get("warning") {
        return Err(InputError::file(
            file,
            format!("Eurostat answered with a warning instead of data (an asynchronous extraction?): {w}"),
        )
        .into());
    }
    let bad = |what: &str| -> crate::Error {
        InputError::file(file, format!("not a JSON-stat 2.0 dataset: {what}"))
            .expected("the Eurostat statistics API's JSON-stat 2.0 response")
            .into()
    };
    if doc.get("version").and_then(Value::as_str) != Some("2.0") {
        return Err(bad("\"version\" is not \"2.0\""));
    }
    if doc.get("class").and_then(Value::as_str) != Some("dataset") {
        return Err(bad("\"class\" is not \"dataset\""));
    }
    let ids: Vec<&str> = doc
        .get("id")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no \"id\" array"))?
        .iter()
        .map(|v| v.as_str().unwrap_or(""))
        .collect();
    let sizes: Vec<usize> = doc
        .get("size")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no \"size\" array"))?
        .iter()
        .map(|v| v.as_u64().unwrap_or(0) as usize)
        .collect();
    if ids.len() != sizes.len() {
        return Err(bad("\"id\" and \"size\" differ in length"));
    }
    if let (Some(flow), Some(ext)) = (
        expected_flow(ctx),
        doc.pointer("/extension/id").and_then(Value::as_str),
    ) && ext.to_ascii_uppercase() != flow
    {
        return Err(InputError::file(
            file,
            format!(
                "the response holds Eurostat dataset {ext}, not {}",
                flow.to_ascii_lowercase()
            ),
        )
        .into());
    }
    // codes of each dimension, by position
    let mut codes: Vec<Vec<String>> = Vec::with_capacity(ids.len());
    for (d, id) in ids.iter().enumerate() {
        let index = doc
            .pointer(&format!("/dimension/{id}/category/index"))
            .ok_or_else(|| bad(&format!("dimension {id} has no category index")))?;
        // the size must be the number of categories: a list is never longer than the
        // input that names its codes
        let categories = match index {
            Value::Object(m) => m.len(),
            Value::Array(a) => a.len(),
            _ => 0,
        };
        if matches!(index, Value::Object(_) | Value::Array(_)) && categories != sizes[d] {
            return Err(bad(&format!(
                "dimension {id} has size {} but {categories} categories",
                sizes[d]
            )));
        }
        let mut list = vec![String::new(); sizes[d]];
        match index {
            Value::Object(m) => {
                for (code, pos) in m {
                    let p = pos.as_u64().ok_or_else(|| {
                        bad(&format!("dimension {id}: index of {code} is not a number"))
                    })? as usize;
                    if p >= list.len() {
                        return Err(bad(&format!(
                            "dimension {id}: index {p} of {code} is outside size {}",
                            sizes[d]
                        )));
                    }
                    list[p] = code.clone();
                }
            }
            Value::Array(a) => {
                for (p, code) in a.iter().enumerate() {
                    if p < list.len() {
                        list[p] = code.as_str().unwrap_or("").to_string();
                    }
                }
            }
            _ => {
                return Err(bad(&format!(
                    "dimension {id}: category index is neither object nor array"
                )));
            }
        }
        codes.push(list);
    }
    let pos_of = |name: &str| ids.iter().position(|i| *i == name);
    // usize::MAX: no activity dimension (e.g. nama_10_gdp), the whole economy
    let mut dim_pos = [0usize; 5];
    for (k, name) in DIMS.iter().chain(["time"].iter()).enumerate() {
        dim_pos[k] = match pos_of(name) {
            Some(p) => p,
            None if *name == "nace_r2" => usize::MAX,
            None => return Err(bad(&format!("no dimension {name}"))),
        };
    }
    for (d, id) in ids.iter().enumerate() {
        if *id == "freq" {
            if codes[d].iter().any(|c| c != "A") {
                return Err(
                    InputError::file(file, "the dataset is not annual (freq is not A)")
                        .expected("annual data; add freq=A to the query")
                        .into(),
                );
            }
        } else if !DIMS.contains(id) && *id != "time" && sizes[d] > 1 {
            return Err(InputError::file(
                file,
                format!("dimension {id} has {} codes; indmon's national-accounts schema has no place for it", sizes[d]),
            )
            .expected(format!("one code of {id} (add {id}=CODE to the query)"))
            .into());
        }
    }
    let total = sizes
        .iter()
        .try_fold(1usize, |n, s| n.checked_mul(*s))
        .ok_or_else(|| bad("the cube has more cells than can be counted"))?;
    let mut strides = vec![1usize; sizes.len()];
    for d in (0..sizes.len().saturating_sub(1)).rev() {
        // (saturating: the product fits unless the cube has no cells, and then no cell is read)
        strides[d] = strides[d + 1].saturating_mul(sizes[d + 1]);
    }
    // values and statuses, by flat index
    let read_cells = |name: &str| -> Result<HashMap<usize, Value>> {
        let mut out = HashMap::new();
        match doc.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let i: usize = k.parse().map_err(|_| {
                        bad(&format!(
                            "{name} key {} is not an index",
                            indmon_core::quote(k)
                        ))
                    })?;
                    if i >= total {
                        return Err(bad(&format!(
                            "{name} index {i} is outside the cube of {total} cells"
                        )));
                    }
                    out.insert(i, v.clone());
                }
            }
            Some(Value::Array(a)) => {
                if a.len() > total {
                    return Err(bad(&format!(
                        "{name} has {} entries, outside the cube of {total} cells",
                        a.len()
                    )));
                }
                for (i, v) in a.iter().enumerate() {
                    if !v.is_null() {
                        out.insert(i, v.clone());
                    }
                }
            }
            Some(_) => return Err(bad(&format!("\"{name}\" is neither object nor array"))),
        }
        Ok(out)
    };
    let values = read_cells("value")?;
    let statuses = read_cells("status")?;
    let mut cells: Vec<usize> = values.keys().chain(statuses.keys()).copied().collect();
    cells.sort_unstable();
    cells.dedup();
    let mut writer = NaObsWriter::new();
    let mut out = Emitter::new(writer.schema(), file, sink);
    for flat in cells {
        let at = |d: usize| (flat / strides[d]) % sizes[d];
        let code = |k: usize| {
            if dim_pos[k] == usize::MAX {
                "TOTAL"
            } else {
                codes[dim_pos[k]][at(dim_pos[k])].as_str()
            }
        };
        let time_code = code(4);
        let time: i32 = time_code.parse().map_err(|_| {
            InputError::file(
                file,
                format!(
                    "time period {} is not a year",
                    indmon_core::quote(time_code)
                ),
            )
            .in_field("time")
            .expected("annual data")
        })?;
        let value = match values.get(&flat) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) => n.as_f64(),
            Some(Value::String(s)) if s.trim() == ":" || s.starts_with(':') => None,
            Some(other) => {
                return Err(InputError::file(
                    file,
                    format!("value {other} at cell {flat} is not a number"),
                )
                .in_field("value")
                .into());
            }
        };
        let status = statuses.get(&flat).and_then(Value::as_str).unwrap_or("");
        let (flag, conf) = match status.split_once('|') {
            Some((f, c)) => (f, c),
            None => (status, ""),
        };
        writer.push(
            ctx,
            0,
            &NaRow {
                geo: code(0),
                nace: code(1),
                na_item: code(2),
                unit: code(3),
                time,
                value,
                flag: Some(flag),
                conf_status: Some(conf),
                series: None,
                note: None,
            },
            &mut out,
        )?;
    }
    writer.finish(&mut out)?;
    parsed.rows = out.rows();
    if let Some(updated) = doc.get("updated").and_then(Value::as_str) {
        let date = chrono::DateTime::parse_from_str(updated, "%Y-%m-%dT%H:%M:%S%z")
            .or_else(|_| chrono::DateTime::parse_from_rfc3339(updated))
            .map(|d| d.date_naive())
            .or_else(|_| {
                chrono::NaiveDate::parse_from_str(updated.get(..10).unwrap_or(""), "%Y-%m-%d")
            });
        if let Ok(d) = date {
            parsed.release = Some(d);
            parsed.release_label = Some(updated.to_string());
            parsed.release_basis = Some("\"updated\" of the JSON-stat response".into());
        }
    }
    Ok(())
}
