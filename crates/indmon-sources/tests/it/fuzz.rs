//! Fuzzing every parser of the crate (issue 19, item 7): real inputs — the recorded
//! fixtures of the live formats and excerpts of every bundled file — mutated with a seeded
//! generator ([`indmon_fuzz`]) and fed to the parser, which must answer `Ok` or an error
//! naming the input: never panic, hang or take memory without bound. A few hundred inputs
//! per parser here (seconds in all); `INDMON_FUZZ_SECS=S` (S seconds per test) for a long
//! run (README, "Fuzzing").

use std::path::{Path, PathBuf};
use std::sync::Arc;

use indmon_fuzz::Fuzz;
use indmon_sources::formats::cbs;
use indmon_sources::formats::panel_csv::{self, PanelOptions};
use indmon_sources::formats::{Ctx, ParseOptions, Parsed, parse};
use indmon_sources::spec::Format;
use indmon_sources::{Input, SourceSpec, baci, fetch, registry};

use crate::support::data_dir;

/// Mutated inputs per parser in an ordinary test run.
const CASES: usize = 400;

/// The recorded-format fixtures of the live sources (in the binary's tests).
fn fixture(path: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../indmon/tests/fixtures")
        .join(path);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The records of a bundled CSV file, each with its line break(s) (a quoted field may
/// span lines).
fn bundled_lines(rel: &str) -> Vec<Vec<u8>> {
    let p = data_dir().join(rel);
    let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(&bytes[..]);
    let mut starts = Vec::new();
    let mut rec = csv::ByteRecord::new();
    while r.read_byte_record(&mut rec).unwrap() {
        starts.push(rec.position().unwrap().byte() as usize);
    }
    // a record's position may be that of the line break before it: each record runs
    // from its first byte to the next record's, its line break(s) included
    let mut begins: Vec<usize> = starts
        .iter()
        .map(|&b| {
            b + bytes[b..]
                .iter()
                .take_while(|c| matches!(c, b'\r' | b'\n'))
                .count()
        })
        .collect();
    begins[0] = 0;
    begins.push(bytes.len());
    begins
        .windows(2)
        .map(|w| bytes[w[0]..w[1]].to_vec())
        .collect()
}

/// Excerpts of a bundled CSV file: its header with `n` records from the start, the
/// middle and the end (each a valid file of its own), plus `tail` (e.g. a footnote block)
/// appended to each.
fn excerpts(lines: &[Vec<u8>], n: usize, tail: &[Vec<u8>]) -> Vec<Vec<u8>> {
    let body = &lines[1..];
    let mut out = Vec::new();
    for start in [0, body.len() / 2, body.len().saturating_sub(n)] {
        let mut s = lines[0].clone();
        for l in body.iter().skip(start).take(n) {
            s.extend_from_slice(l);
        }
        for l in tail {
            s.extend_from_slice(l);
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// The words of a file's header (for the dictionary).
fn header_words(line: &[u8]) -> Vec<Vec<u8>> {
    line.split(|b| matches!(b, b',' | b'\r' | b'\n'))
        .filter(|w| !w.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// `formats::parse` of bytes as source `id`, under the input name `name`; the batches
/// are dropped.
fn parser(
    id: &str,
    name: &'static str,
) -> impl Fn(&[u8]) -> indmon_sources::Result<Parsed> + Send + Sync + 'static {
    let spec: &'static SourceSpec = registry().get(id).unwrap();
    // a source that names countries by ISO3 reads them through BACI's bundled list
    let opts = ParseOptions {
        countries: spec.country_list.as_ref().map(|l| {
            let bytes = std::fs::read(data_dir().join(l)).unwrap();
            std::sync::Arc::new(
                indmon_sources::formats::baci_iso3::CountryCodes::from_baci_list(l, &bytes)
                    .unwrap(),
            )
        }),
        ..ParseOptions::default()
    };
    move |bytes: &[u8]| {
        let input = Input::bytes(name, bytes.to_vec());
        parse(spec, &input, &opts, &mut |_| Ok(()), &|_| {})
    }
}

#[test]
fn eurostat_sdmx_csv() {
    let lines = bundled_lines(
        registry()
            .get("estat_nama_10_a64")
            .unwrap()
            .bundled
            .as_ref()
            .unwrap(),
    );
    let mut f = Fuzz::new("eurostat_sdmx_csv");
    // the bundled file writes labels ("Netherlands"); the API writes codes or both
    for s in excerpts(&lines, 40, &[]) {
        f = f.seed(s);
    }
    f = f
        .seed(
            &b"DATAFLOW,LAST UPDATE,freq,unit,nace_r2,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n\
ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2022,110000.5,p,\n\
ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2023,115740.0,,\n\
ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,TOTAL,B1G,NL,2023,962084.0,,C\n"[..],
        )
        .seed(
            &b"DATAFLOW,LAST UPDATE,freq:Time frequency,unit:Unit of measure,nace_r2:Statistical classification of economic activities in the European Community (NACE Rev. 2),na_item:National accounts indicator (ESA 2010),geo:Geopolitical entity (reporting),TIME_PERIOD:Time,OBS_VALUE:Observation value,OBS_FLAG:Observation status (Flag) V2 structure,CONF_STATUS:Confidentiality status (flag)\n\
ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A:Annual,\"CP_MEUR:Current prices, million euro\",C:Manufacturing,\"B1G:Value added, gross\",NL:Netherlands,2023,115740.0,,\n\
ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A:Annual,CP_MEUR:Current prices,TOTAL:Total - all NACE activities,B1G:Value added,DE:Germany,2023,3500000,p,\n"[..],
        )
        .dictionary(header_words(&lines[0]))
        .dictionary([&b"ESTAT:NAMA_10_GDP(1.0)"[..], b"Q", b"EU27_2020", b"12/03/25 23:00:00", b"99/99/99", b":", b"STRUCTURE_ID", b"s_adj"]);
    f.cases(CASES)
        .errors_name("nama.csv")
        .run(parser("estat_nama_10_a64", "nama.csv"));
}

#[test]
fn eurostat_json_stat() {
    Fuzz::new("eurostat_json_stat")
        .seed(fixture("eurostat/nama_10_a64_NL.json"))
        .seed(fixture("eurostat/empty.json"))
        .seed_refused(fixture("eurostat/not_found.json"))
        .dictionary([
            &b"\"size\""[..],
            b"\"id\"",
            b"\"index\"",
            b"\"value\"",
            b"\"status\"",
            b"\"time\"",
            b"\"freq\"",
            b"\"2.0\"",
            b"\"dataset\"",
            b"4294967295",
            b"18446744073709551615",
            b"1e400",
        ])
        .cases(CASES)
        .errors_name("nama.json")
        .run(parser("estat_nama_10_a64", "nama.json"));
}

#[test]
fn baci_iso3_extract() {
    let lines = bundled_lines("baci-semis-2017-2024/trade_flow.csv");
    let mut f = Fuzz::new("baci_iso3_extract");
    for s in excerpts(&lines, 30, &[]) {
        f = f.seed(s);
    }
    f.dictionary(header_words(&lines[0]))
        .dictionary([
            &b"TWN"[..],
            b"NLD",
            b"S19",
            b"848620",
            b"10000000",
            b"9999999",
        ])
        .cases(CASES)
        .errors_name("trade_flow.csv")
        .run(parser("baci_hs17_semis", "trade_flow.csv"));
}

#[test]
fn oecd_sdmx_csv() {
    let lines = bundled_lines(
        registry()
            .get("oecd_naag_iv")
            .unwrap()
            .bundled
            .as_ref()
            .unwrap(),
    );
    let mut f = Fuzz::new("oecd_sdmx_csv").seed(fixture("oecd/naag_nl.csv"));
    for s in excerpts(&lines, 30, &[]) {
        f = f.seed(s);
    }
    f.dictionary(header_words(&lines[0]))
        .dictionary([
            &b"XDC"[..],
            b"EUR",
            b"PT_B1G",
            b"_T",
            b"NLD",
            b"UNIT_MULT",
            b"PRICE_BASE",
            b"Q",
            b"LR",
        ])
        .cases(CASES)
        .errors_name("naag.csv")
        .run(parser("oecd_naag_iv", "naag.csv"));
}

#[test]
fn undata_csv() {
    let lines = bundled_lines(
        registry()
            .get("un_sna_2_4")
            .unwrap()
            .bundled
            .as_ref()
            .unwrap(),
    );
    let notes_at = lines
        .iter()
        .position(|l| l.starts_with(b"\"footnote_SeqID\""))
        .expect("the footnote block");
    // data with a few footnotes, and with the whole block
    let data = &lines[..notes_at];
    let notes = &lines[notes_at..];
    let mut f = Fuzz::new("undata_csv");
    for s in excerpts(data, 25, &notes[..notes.len().min(6)]) {
        f = f.seed(s);
    }
    let mut whole_notes = data[..20].concat();
    whole_notes.extend(notes.concat());
    f.seed(whole_notes)
        .dictionary(header_words(&lines[0]))
        .dictionary([
            &b"\"footnote_SeqID\",\"Footnote\"\n"[..],
            b"B.1g",
            b"Euro",
            b"1999 NLG Euro / Euro",
            b"2.4",
        ])
        .cases(CASES)
        .errors_name("undata.csv")
        .run(parser("un_sna_2_4", "undata.csv"));
}

#[test]
fn cbs_odata() {
    // the file form (one page or an array of pages) and the live form with the periods'
    // statuses (PeriodenCodes)
    let spec: &'static SourceSpec = registry().get("cbs_va").unwrap();
    let codes: serde_json::Value =
        serde_json::from_slice(&fixture("cbs/perioden_codes.json")).unwrap();
    let statuses: std::collections::HashMap<String, String> = codes["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["Identifier"].as_str().unwrap().into(),
                r["Status"].as_str().unwrap().into(),
            )
        })
        .collect();
    let (v4a, v4b) = (
        fixture("cbs/observations_1.json"),
        fixture("cbs/observations_2.json"),
    );
    let mut both = b"[".to_vec();
    both.extend_from_slice(&v4a);
    both.push(b',');
    both.extend_from_slice(&v4b);
    both.push(b']');
    let file = parser("cbs_va", "cbs.json");
    Fuzz::new("cbs_odata")
        .seed(v4a)
        .seed(v4b)
        .seed(both)
        .seed(fixture("cbs/v3_typed_1.json"))
        .seed(fixture("cbs/v3_typed_2.json"))
        .dictionary([
            &b"\"Measure\""[..],
            b"\"Value\"",
            b"\"Perioden\"",
            b"\"2022KW01\"",
            b"\"JJ\"",
            b"\"ValueAttribute\"",
            b"\"T001081\"",
            b"\"M006324_1\"",
        ])
        .cases(CASES)
        .errors_name("cbs.json")
        .run(move |bytes: &[u8]| {
            let parsed = file(bytes)?;
            // the live path reads the same pages with the periods' statuses
            if let Ok(doc) = serde_json::from_slice::<serde_json::Value>(bytes) {
                let pages = match doc {
                    serde_json::Value::Array(p) => p,
                    page => vec![page],
                };
                let opts = ParseOptions::default();
                let ctx = Ctx {
                    spec,
                    file: "cbs.json",
                    encoding: spec.encoding,
                    opts: &opts,
                };
                let mut live = Parsed::default();
                cbs::parse_pages(&ctx, &pages, &statuses, &mut live, &mut |_| Ok(()))?;
                assert_eq!(live.rows, parsed.rows, "the live path reads the same rows");
            }
            let _ = fetch::odata_next(bytes);
            Ok::<_, indmon_sources::Error>(parsed)
        });
}

#[test]
fn declared_csv_tables() {
    // every source described as a plain CSV table, on excerpts of its bundled file
    let specs: Vec<&SourceSpec> = registry()
        .all()
        .iter()
        .filter(|s| s.format == Format::CsvTable && s.bundled.is_some())
        .collect();
    assert!(specs.len() > 20, "{}", specs.len());
    let n = specs.len();
    for spec in specs {
        let lines = bundled_lines(spec.bundled.as_ref().unwrap());
        let mut f = Fuzz::new(&format!("csv_table_{}", spec.id));
        for s in excerpts(&lines, 20, &[]) {
            f = f.seed(s);
        }
        f.dictionary(header_words(&lines[0]))
            .cases(CASES / 4)
            .share(n)
            .errors_name("table.csv")
            .run(parser(&spec.id, "table.csv"));
    }
}

/// A BACI trade file's name (the year in it is checked against every row).
const BACI_NAME: &str = "BACI_HS17_Y2024_V202601.csv";

fn baci_seeds(f: Fuzz) -> Fuzz {
    let lines = bundled_lines(registry().get("baci").unwrap().bundled.as_ref().unwrap());
    let mut f = f;
    for s in excerpts(&lines, 40, &[]) {
        f = f.seed(s);
    }
    f.seed(&b"t,i,j,k,v,q\n2024, 4 ,\"9\",850511,2.5,\n2024,4,8,10121,1.5,NA\n"[..])
        .dictionary([
            &b"t,i,j,k,v,q\n"[..],
            b"NA",
            b"2023",
            b"999",
            b"1000",
            b"999999",
            b"1234567",
        ])
}

#[test]
fn baci_trade_file() {
    baci_seeds(Fuzz::new("baci_trade_file"))
        .cases(CASES)
        .errors_name(BACI_NAME)
        .run(parser("baci", BACI_NAME));
}

/// One scratch file per target, rewritten for each input (the parsers that read paths).
struct Scratch {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

impl Scratch {
    fn new(name: &str) -> Arc<Self> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        Arc::new(Self { _dir: dir, path })
    }

    fn write(&self, bytes: &[u8]) -> &Path {
        std::fs::write(&self.path, bytes).unwrap();
        &self.path
    }
}

#[test]
fn baci_scan_agrees_with_the_file_parser() {
    // `baci::scan` (the dependency screen's parallel reader) must accept exactly the files
    // the parser accepts, and see the same rows
    let scratch = Scratch::new(BACI_NAME);
    let file = parser("baci", BACI_NAME);
    baci_seeds(Fuzz::new("baci_scan"))
        .cases(CASES)
        .errors_name(BACI_NAME)
        .run(move |bytes: &[u8]| {
            let path = scratch.write(bytes);
            let mut states = vec![0u64; 2];
            let scanned = baci::scan(
                &[path.to_path_buf()],
                &mut states,
                &|n: &mut u64, _, _, _, _, _| *n += 1,
                &|_| {},
            );
            let parsed = file(bytes);
            match (&scanned, &parsed) {
                (Ok(()), Ok(p)) => assert_eq!(states.iter().sum::<u64>(), p.rows, "rows"),
                (Err(_), Err(_)) => {}
                (s, p) => panic!("scan and parser disagree: scan {s:?}, parser {p:?}"),
            }
            scanned
        });
}

#[test]
fn export_panel_csv() {
    let scratch = Scratch::new("panel.csv");
    let lines = bundled_lines("py-ecomplexity/trade_data_sample.csv");
    let mut f = Fuzz::new("export_panel_csv");
    for s in excerpts(&lines, 40, &[]) {
        f = f.seed(s);
    }
    f.seed(
        &b"year,location,hs92,export_val\n2024,NLD,010121,5\n2024,NLD,010122,NA\n2024,DEU,10121,\n"
            [..],
    )
    .dictionary(header_words(&lines[0]))
    .dictionary([
        &b"year"[..],
        b"location",
        b"product",
        b"value",
        b"hs92",
        b"NA",
        b"na",
    ])
    .cases(CASES)
    .errors_name("panel.csv")
    .run(move |bytes: &[u8]| {
        let path = scratch.write(bytes);
        let hs4 = bytes.len().is_multiple_of(2);
        let p = panel_csv::read(
            path,
            &PanelOptions {
                hs4,
                ..PanelOptions::default()
            },
        )?;
        assert!(
            p.rows.data.iter().all(|r| r.3.is_finite() && r.3 >= 0.0),
            "values are finite and ≥ 0"
        );
        Ok::<_, indmon_sources::Error>(p.rows.data.len())
    });
}

#[test]
fn population_csv() {
    let scratch = Scratch::new("population.csv");
    let lines = bundled_lines("py-ecomplexity/population_data_sample.csv");
    let mut f = Fuzz::new("population_csv");
    for s in excerpts(&lines, 40, &[]) {
        f = f.seed(s);
    }
    f.dictionary(header_words(&lines[0]))
        .cases(CASES)
        .errors_name("population.csv")
        .run(move |bytes: &[u8]| {
            let path = scratch.write(bytes);
            let p = panel_csv::read_population(path, Default::default())?;
            assert!(
                p.values().all(|v| v.is_finite() && *v >= 0.0),
                "populations are finite and ≥ 0"
            );
            Ok::<_, indmon_sources::Error>(p.len())
        });
}

#[test]
fn retry_after_header() {
    Fuzz::new("retry_after")
        .seed(&b"120"[..])
        .seed(&b"Wed, 21 Oct 2015 07:28:00 GMT"[..])
        .seed(&b"Fri, 31 Dec 9999 23:59:59 +0000"[..])
        .cases(CASES)
        .run(|bytes: &[u8]| {
            let _ = fetch::retry_after(&String::from_utf8_lossy(bytes));
            Ok::<_, String>(())
        });
}

// Inputs the fuzzing found, each a regression test named after it.

/// `baci::scan` read a year of more than nine digits into a 32-bit number before checking
/// its length: an overflow (a panic in a scan thread in debug builds).
#[test]
fn baci_year_of_eleven_digits_is_refused_not_an_overflow() {
    let scratch = Scratch::new(BACI_NAME);
    for line in [
        &b"20241999992,4,8,10121,1.5,NA\n"[..],
        b"2024,99999999999,8,10121,1.5,NA\n",
        b"2024,4,8,1012199999999,1.5,NA\n",
    ] {
        let mut bytes = b"t,i,j,k,v,q\n".to_vec();
        bytes.extend_from_slice(line);
        let path = scratch.write(&bytes).to_path_buf();
        let e = baci::scan(
            &[path],
            &mut [0u64; 2],
            &|n: &mut u64, _, _, _, _, _| *n += 1,
            &|_| {},
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(BACI_NAME) && e.contains("line 2, field"), "{e}");
    }
}

/// A JSON-stat `size` of 10^18 made the parser allocate a list of that many codes (a
/// capacity overflow; a smaller size fails the allocation and aborts the process); a
/// size must now equal the number of categories of its dimension.
#[test]
fn jsonstat_size_of_ten_to_the_eighteen_is_refused_not_allocated() {
    let bytes = br#"{"version":"2.0","class":"dataset","id":["geo","time"],"size":[1000000000000000000,1],
        "dimension":{"geo":{"category":{"index":{"NL":0}}},"time":{"category":{"index":{"2023":0}}}},
        "value":{"0":1.5}}"#;
    let e = crate::support::parse_err("estat_nama_10_a64", "big.json", bytes);
    assert!(
        e.contains("big.json") && e.contains("geo") && e.contains("size"),
        "{e}"
    );
}

/// A JSON-stat dimension of size 0 with values written as an array: a division by zero
/// when the cell was placed in the cube.
#[test]
fn jsonstat_size_zero_with_an_array_of_values_is_refused() {
    let bytes = br#"{"version":"2.0","class":"dataset","id":["geo","na_item","unit","time"],"size":[0,1,1,1],
        "dimension":{"geo":{"category":{"index":{}}},"na_item":{"category":{"index":{"B1G":0}}},
        "unit":{"category":{"index":{"CP_MEUR":0}}},"time":{"category":{"index":{"2023":0}}}},
        "value":[1.5]}"#;
    let e = crate::support::parse_err("estat_nama_10_a64", "zero.json", bytes);
    assert!(
        e.contains("zero.json") && e.contains("outside the cube"),
        "{e}"
    );
}

/// Five dimensions of 10,000 categories: the number of cells (10^20) overflowed.
#[test]
fn jsonstat_cube_of_ten_to_the_twenty_cells_is_refused() {
    let dims = ["geo", "nace_r2", "na_item", "unit", "time"];
    let cats: Vec<String> = (0..10_000).map(|c| format!("\"{c}\"")).collect();
    let index = format!("{{\"category\":{{\"index\":[{}]}}}}", cats.join(","));
    let bytes = format!(
        r#"{{"version":"2.0","class":"dataset","id":[{}],"size":[{}],"dimension":{{{}}},"value":{{"0":1}}}}"#,
        dims.map(|d| format!("\"{d}\"")).join(","),
        ["10000"; 5].join(","),
        dims.map(|d| format!("\"{d}\":{index}")).join(",")
    );
    let e = crate::support::parse_err("estat_nama_10_a64", "wide.json", bytes.as_bytes());
    assert!(e.contains("wide.json") && e.contains("cells"), "{e}");
}

/// A negative population was accepted (and so would have weighted RPOP); so were an
/// empty location, NaN and infinity.
#[test]
fn population_of_minus_one_is_refused() {
    let scratch = Scratch::new("population.csv");
    for (bytes, field) in [
        (&b"year,origin,population\n2020,NLD,-1\n"[..], "population"),
        (b"year,origin,population\n2020,NLD,NaN\n", "population"),
        (b"year,origin,population\n2020,NLD,inf\n", "population"),
        (b"year,origin,population\n2020,,5\n", "origin"),
    ] {
        let e = panel_csv::read_population(scratch.write(bytes), Default::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("population.csv, line 2, field '") && e.contains(field),
            "{e}"
        );
    }
}
