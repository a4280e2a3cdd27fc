//! Malformed inputs: each gives an error naming the file, line and field.

use crate::support::*;

const ESTAT_HEADER: &str = "DATAFLOW,LAST UPDATE,freq,unit,nace_r2,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG,CONF_STATUS\n";

fn estat(rows: &str) -> Vec<u8> {
    format!("{ESTAT_HEADER}{rows}").into_bytes()
}

#[test]
fn empty_file() {
    let e = parse_err("estat_nama_10_a64", "empty.csv", b"");
    assert!(e.contains("empty.csv") && e.contains("empty"), "{e}");
    let e = parse_err("wdi_macro", "empty.csv", b"");
    assert!(e.contains("empty"), "{e}");
    let e = parse_err("baci", "BACI_HS17_Y2024_V202601.csv", b"");
    assert!(e.contains("empty"), "{e}");
}

#[test]
fn wrong_columns() {
    let e = parse_err(
        "estat_nama_10_a64",
        "x.csv",
        b"geo,TIME_PERIOD,value\nNL,2023,1\n",
    );
    assert!(
        e.contains("x.csv, line 1") && e.contains("missing column"),
        "{e}"
    );
    let e = parse_err(
        "baci",
        "b.csv",
        b"year,exporter,importer,hs6,value,qty\n2024,4,8,10121,1.5,NA\n",
    );
    assert!(e.contains("line 1") && e.contains("t,i,j,k,v,q"), "{e}");
    let e = parse_err(
        "un_sna_2_4",
        "u.csv",
        b"\"Country\",\"Value\"\n\"Netherlands\",\"1\"\n",
    );
    assert!(e.contains("missing column 'Country or Area'"), "{e}");
}

#[test]
fn non_numeric_values_name_line_and_field() {
    let e = parse_err(
        "estat_nama_10_a64",
        "x.csv",
        &estat(
            "ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2023,115740.0,,\nESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2022,11x,,\n",
        ),
    );
    assert!(
        e.contains("x.csv, line 3, field 'OBS_VALUE'") && e.contains("'11x' is not a number"),
        "{e}"
    );
    let e = parse_err(
        "baci",
        "b.csv",
        b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n2024,4,8,10122,abc,1\n",
    );
    assert!(e.contains("b.csv, line 3, field 'v'"), "{e}");
    let e = parse_err("wdi_macro", "w.csv", b"iso3_code,year,gdp,gdp_const,gdp_ppp,gdp_ppp_const,gdppc,gdppc_const,gdppc_ppp,gdppc_ppp_const,current_account,exports_goods_bop,imports_goods_bop,population,country_id\nNLD,2023,1e12,,,,,,,,,,,n/a,528\n");
    assert!(
        e.contains("line 2, field 'population'") && e.contains("n/a"),
        "{e}"
    );
}

#[test]
fn unknown_labels_are_refused() {
    let e = parse_err(
        "estat_nama_10_a64",
        "x.csv",
        &estat(
            "ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,Annual,\"Current prices, million euro\",Manufacturing,\"Value added, gross\",Atlantis,2023,1.0,,\n",
        ),
    );
    assert!(
        e.contains("line 2, field 'geo'") && e.contains("Atlantis"),
        "{e}"
    );
}

#[test]
fn duplicates_name_both_lines() {
    let row = "ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2023,115740.0,,\n";
    let e = parse_err("estat_nama_10_a64", "x.csv", &estat(&format!("{row}{row}")));
    assert!(
        e.contains("line 3") && e.contains("already appeared on line 2"),
        "{e}"
    );
    let e = parse_err(
        "baci",
        "b.csv",
        b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n2024,4,8,010121,2,NA\n",
    );
    assert!(
        e.contains("line 3") && e.contains("duplicate flow") && e.contains("010121"),
        "{e}"
    );
    let e = parse_err("hs92_ps_edges", "e.csv", b"source,target\n1,2\n3,4\n1,2\n");
    assert!(
        e.contains("line 4") && e.contains("already appeared on line 2"),
        "{e}"
    );
}

#[test]
fn truncated_files_are_refused() {
    let full = estat(
        "ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2023,115740.0,,\nESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2022,111000.0,,\n",
    );
    // cut in the middle of the last value: field count is right, but no final line break
    let cut = &full[..full.len() - 6];
    let e = parse_err("estat_nama_10_a64", "x.csv", cut);
    assert!(e.contains("truncated"), "{e}");
    let e = parse_err(
        "baci",
        "b.csv",
        b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n2024,4,8,10122,3",
    );
    assert!(
        e.contains("truncated") || e.contains("fewer than 6 fields"),
        "{e}"
    );
    let e = parse_err(
        "baci",
        "b.csv",
        b"t,i,j,k,v,q\n2024,4,8,10121,1.5,NA\n2024,4,8,10122,3.25,1",
    );
    assert!(e.contains("line 3") && e.contains("truncated"), "{e}");
    // a line cut short in the middle of the file
    let e = parse_err(
        "hs92_ps_clusters",
        "c.csv",
        b"cluster_id,name_en,name_short_en\n1,a,b\n2,c\n",
    );
    assert!(
        e.contains("line 3") && e.contains("2 fields where the header has 3"),
        "{e}"
    );
}

#[test]
fn wrong_encoding_is_refused_with_a_hint() {
    // a UTF-8 source given a Windows-1252 file (Türkiye with 0xFC)
    let mut bytes =
        estat("ESTAT:NAMA_10_A64(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,T").into_bytes_mut();
    bytes.extend_from_slice(b"\xFCrkiye,2023,1.0,,\n");
    let e = parse_err("estat_nama_10_a64", "x.csv", &bytes);
    assert!(
        e.contains("line 2, field 'geo'") && e.contains("0xFC") && e.contains("cp1252"),
        "{e}"
    );
    // UTF-16 is refused outright
    let e = parse_err("wdi_macro", "w.csv", b"\xFF\xFEi\x00s\x00o\x00\n\x00");
    assert!(e.contains("UTF-16"), "{e}");
}

#[test]
fn a_bom_is_accepted() {
    let body = b"\xEF\xBB\xBFcluster_id,name_en,name_short_en\n1,Agriculture,Agri\n";
    let (b, _) = parse_input(
        "hs92_ps_clusters",
        &indmon_sources::Input::bytes("c.csv", body.to_vec()),
    )
    .unwrap();
    assert_eq!(rows(&b), 1);
}

#[test]
fn another_eurostat_dataset_is_refused() {
    let e = parse_err(
        "estat_nama_10_a64",
        "x.csv",
        b"DATAFLOW,LAST UPDATE,freq,unit,nace_r2,na_item,geo,TIME_PERIOD,OBS_VALUE,OBS_FLAG\nESTAT:NAMA_10_A10(1.0),12/03/25 23:00:00,A,CP_MEUR,C,B1G,NL,2023,1.0,\n",
    );
    assert!(
        e.contains("NAMA_10_A10") && e.contains("not nama_10_a64"),
        "{e}"
    );
}

trait IntoBytesMut {
    fn into_bytes_mut(self) -> Vec<u8>;
}
impl IntoBytesMut for Vec<u8> {
    fn into_bytes_mut(self) -> Vec<u8> {
        // drop the final line break so the row can be continued
        let mut v = self;
        v.pop();
        v
    }
}

#[test]
fn jsonstat_statuses_become_flags_and_confidentiality() {
    // a made-up two-cell cube (geo XX is not a country): one provisional value, one
    // confidential cell without a value
    let doc = br#"{"version":"2.0","class":"dataset","updated":"2026-04-20T11:00:00+0200",
      "id":["freq","unit","nace_r2","na_item","geo","time"],"size":[1,1,1,1,1,2],
      "dimension":{"freq":{"category":{"index":{"A":0}}},"unit":{"category":{"index":{"CP_MEUR":0}}},
        "nace_r2":{"category":{"index":{"C":0}}},"na_item":{"category":{"index":{"B1G":0}}},
        "geo":{"category":{"index":{"XX":0}}},"time":{"category":{"index":{"2024":0,"2025":1}}}},
      "value":{"0":10.5},"status":{"0":"p","1":"|C"}}"#;
    let (b, p) = parse_input(
        "estat_nama_10_a64",
        &indmon_sources::Input::bytes("x.json", doc.to_vec()),
    )
    .unwrap();
    assert_eq!(p.release.unwrap().to_string(), "2026-04-20");
    assert_eq!(
        lookup(&b, &[("geo", "XX")], &[("time", 2024)], "value"),
        vec![Some(10.5)]
    );
    assert_eq!(
        lookup_text(&b, &[("geo", "XX")], &[("time", 2024)], "flag"),
        vec![Some("p".to_string())]
    );
    assert_eq!(
        lookup(&b, &[("geo", "XX")], &[("time", 2025)], "value"),
        vec![None]
    );
    assert_eq!(
        lookup_text(&b, &[("geo", "XX")], &[("time", 2025)], "conf_status"),
        vec![Some("C".to_string())]
    );
    // a cube with another dimension of several codes does not fit the schema
    let wide = String::from_utf8(doc.to_vec())
        .unwrap()
        .replace(r#""freq","unit""#, r#""freq","s_adj","unit""#)
        .replace(r#""size":[1,1"#, r#""size":[1,2,1"#)
        .replace(
            r#""unit":{"category""#,
            r#""s_adj":{"category":{"index":{"NSA":0,"SA":1}}},"unit":{"category""#,
        );
    let e = parse_err("estat_nama_10_a64", "wide.json", wide.as_bytes());
    assert!(e.contains("s_adj") && e.contains("2 codes"), "{e}");
}

#[test]
fn undata_currency_and_table_checks() {
    let header = "\"Country or Area\",\"SNA93 Table Code\",\"Sub Group\",\"Item\",\"SNA93 Item Code\",\"Year\",\"Series\",\"Currency\",\"SNA System\",\"Fiscal Year Type\",\"Value\",\"Value Footnotes\"\n";
    let body = format!(
        "{header}\"Japan\",\"2.4\",\"Industries\",\"Manufacturing\",\"C\",\"2022\",\"1000\",\"Yen\",\"2008\",\"Western calendar year\",\"117000000000000\",\"\"\n\n\"footnote_SeqID\",\"Footnote\"\n\"1\",\"x\"\n"
    );
    let (b, _) = parse_input(
        "un_sna_2_4",
        &indmon_sources::Input::bytes("u.csv", body.into_bytes()),
    )
    .unwrap();
    assert_eq!(
        lookup(
            &b,
            &[("geo", "JP"), ("unit", "CP_MNAC")],
            &[("time", 2022)],
            "value"
        ),
        vec![Some(117_000_000.0)]
    );
    assert_eq!(
        lookup_text(&b, &[("geo", "JP")], &[("time", 2022)], "note"),
        vec![Some("currency: Yen; SNA 2008".to_string())]
    );
    let other = format!(
        "{header}\"Japan\",\"2.3\",\"Industries\",\"Manufacturing\",\"C\",\"2022\",\"1000\",\"Yen\",\"2008\",\"Western calendar year\",\"1\",\"\"\n"
    );
    let e = parse_err("un_sna_2_4", "u.csv", other.as_bytes());
    assert!(e.contains("line 2") && e.contains("not Table 2.4"), "{e}");
}

#[test]
fn semiconductor_extract_rows_are_refused_with_line_and_field() {
    let head = "year,exporter,importer,hs_code,value_usd,quantity_tonnes\n";
    let good = "2024,NLD,TWN,848620,5000000000,12.5\n";
    let check = |row: &str, want: &[&str]| {
        let e = parse_err(
            "baci_hs17_semis",
            "s.csv",
            format!("{head}{good}{row}").as_bytes(),
        );
        for w in want {
            assert!(e.contains(w), "{row}: {w} not in {e}");
        }
    };
    // below the extract's stated minimum: the filter is a property of the data
    check(
        "2024,NLD,USA,848620,9999999,1\n",
        &[
            "s.csv, line 3, field 'value_usd'",
            "below the smallest flow",
            "10000000",
        ],
    );
    check(
        "2024,NLD,XYZ,848620,20000000,1\n",
        &[
            "line 3, field 'importer'",
            "'XYZ' is not in BACI's country list",
        ],
    );
    check(
        "2024,nld,USA,848620,20000000,1\n",
        &["line 3, field 'exporter'", "alpha-3"],
    );
    check(
        "2024,NLD,NLD,848620,20000000,1\n",
        &["line 3, field 'importer'", "to itself"],
    );
    check(
        "2024,NLD,TWN,848620,20000000,1\n",
        &["line 3, field 'hs_code'", "already appeared on line 2"],
    );
    check(
        "2024,NLD,USA,8486,20000000,1\n",
        &["line 3, field 'hs_code'", "six digits"],
    );
    check(
        "20x4,NLD,USA,848620,20000000,1\n",
        &["line 3, field 'year'"],
    );
    check(
        "2024,NLD,USA,848620,2e7x,1\n",
        &["line 3, field 'value_usd'"],
    );
    check(
        "2024,NLD,USA,848620,20000000,-1\n",
        &["line 3, field 'quantity_tonnes'"],
    );
    check("2024,NLD,USA,848620,20000000\n", &["line 3", "fields"]);
    let e = parse_err(
        "baci_hs17_semis",
        "s.csv",
        b"year,exporter,importer,hs_code,value\n",
    );
    assert!(e.contains("missing column 'value_usd'"), "{e}");
}
