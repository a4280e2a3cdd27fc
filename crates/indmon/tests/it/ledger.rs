//! `indmon ledger` end to end: the policy page's facts, the Excel export read back by a
//! spreadsheet reader, a malformed import and a stale change refused with nothing
//! changed, and the same output from SQLite and PostgreSQL.

use crate::support::Indmon;

/// The ledger as JSON without the export time: equal means nothing changed.
fn ledger_state(m: &Indmon, extra: &[&str]) -> String {
    let mut args = vec!["ledger", "export", "--format", "json"];
    args.extend(extra);
    let run = m.run(&args).ok();
    let mut doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    doc.as_object_mut().unwrap().remove("exported_at");
    let mut hargs = vec!["ledger", "history", "--format", "json", "--limit", "100000"];
    hargs.extend(extra);
    format!("{doc}\n{}", m.run(&hargs).ok().stdout)
}

fn check_show(stdout: &str) {
    for needle in [
        "Goal: Industriebeleid",
        "15 procent",
        "target 15 % in 2030",
        // the actual from the store: Eurostat's 2023 share, 12.03 %
        "latest 12.03 % (2023)",
        "€338.3 million (338,300,000 euros)",
        "source: Ontwerpbegroting 2026 van het ministerie van Economische Zaken, verslagjaar 2024",
        "Programmes (6):",
        "Action types (9):",
        "1. Capaciteit en kennis",
        "9. Kennis en onderzoek",
        "Topconsortia voor Kennis en Innovatie (TKI's)",
        "PPS-Innovatieregeling",
        "2026-01-01 Topsectorenbeleid afgerond (reached)",
    ] {
        assert!(stdout.contains(needle), "missing {needle:?} in:\n{stdout}");
    }
    for id in [
        "semiconductors",
        "biotechnology",
        "digital_ai",
        "machine_building",
        "innovative_chemistry",
        "defence_growth",
    ] {
        assert!(
            stdout.contains(&format!("\n  {id} ")),
            "programme {id}:\n{stdout}"
        );
    }
}

#[test]
fn ledger_show_prints_the_goal_programmes_action_types_and_the_2024_total() {
    let m = Indmon::new();
    let run = m.run(&["ledger", "show"]).ok();
    check_show(&run.stdout);
    assert!(m.data().join("ledger.sqlite").exists());
}

#[test]
fn the_same_ledger_on_postgresql() {
    let m = Indmon::new();
    let pg = indmon_ledger::testing::ScratchPostgres::new().unwrap_or_else(|e| panic!("{e}"));
    let on_pg = m.run(&["ledger", "--ledger", pg.target(), "show"]).ok();
    check_show(&on_pg.stdout);
    assert!(
        !on_pg.stdout.contains("password=indmon_test"),
        "the password is not shown"
    );
    let on_sqlite = m.run(&["ledger", "show"]).ok();
    // Apart from the line naming the ledger, the same text.
    let body = |s: &str| s.lines().skip(1).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&on_pg.stdout), body(&on_sqlite.stdout));
    // A stale change is refused there too, with exit 6.
    m.run(&[
        "ledger",
        "--ledger",
        pg.target(),
        "update",
        "programme",
        "biotechnology",
        "--expect-version",
        "1",
        "status=active",
        "--actor",
        "alice",
    ])
    .ok();
    let stale = m.run(&[
        "ledger",
        "--ledger",
        pg.target(),
        "update",
        "programme",
        "biotechnology",
        "--expect-version",
        "1",
        "notes=x",
        "--actor",
        "bob",
    ]);
    assert_eq!(stale.code, 6, "{}", stale.stderr);
    assert!(
        stale.stderr.contains("was changed by alice"),
        "{}",
        stale.stderr
    );
}

#[test]
fn xlsx_export_opens_in_a_spreadsheet_reader() {
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let m = Indmon::new();
    m.run(&[
        "ledger",
        "add",
        "action",
        "--id",
        "pilot",
        "programme_id=semiconductors",
        "action_type_id=finance",
        "name=Pilotlijn",
        "source=test",
    ])
    .ok();
    let path = m.dir.path().join("ledger.xlsx");
    m.run(&[
        "ledger",
        "export",
        "--format",
        "xlsx",
        "--out",
        path.to_str().unwrap(),
    ])
    .ok();
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let budget = wb.worksheet_range("budget_lines").unwrap();
    let head: Vec<String> = budget
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let row = budget.rows().nth(1).unwrap();
    assert_eq!(row[col("amount_eur")], Data::Float(338_300_000.0));
    assert_eq!(row[col("year")], Data::Float(2024.0));
    assert!(
        row[col("source_document")]
            .to_string()
            .contains("Ontwerpbegroting 2026")
    );
    let programmes = wb.worksheet_range("programmes").unwrap();
    assert_eq!(programmes.rows().count(), 7, "a header and six programmes");
    let actions = wb.worksheet_range("actions").unwrap();
    assert_eq!(
        actions.rows().nth(1).unwrap()[0],
        Data::String("pilot".into())
    );
    // …and imports back as it was.
    let again = m.run(&["ledger", "import", path.to_str().unwrap()]).ok();
    assert!(
        again.stdout.contains("0 added, 0 changed, 24 unchanged"),
        "{}",
        again.stdout
    );
    // An Excel export needs a file name ending in .xlsx.
    let bad = m.run(&["ledger", "export", "--format", "xlsx"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
}

#[test]
fn a_malformed_csv_import_names_the_row_and_changes_nothing() {
    let m = Indmon::new();
    let before = ledger_state(&m, &[]);
    let dir = m.dir.path();
    let cases: &[(&str, &[u8], &str)] = &[
        ("budget_lines.csv", b"", "budget_lines.csv: the file is empty"),
        ("budget_lines.csv", b"id,programme,year\nb1,semiconductors,2025\n", "unknown column \"programme\""),
        (
            "budget_lines.csv",
            b"id,programme_id,year,kind,amount_eur,prices,source_document\nb1,semiconductors,2025,expenditure,1000,current,x\nb2,semiconductors,2025,expenditure,12.5,current,x\n",
            "budget_lines.csv, line 3, field amount_eur: expected whole euros",
        ),
        (
            "budget_lines.csv",
            b"id,programme_id,year,kind,amount_eur,prices,source_document\nb1,semiconductors,2025,expenditure,1000,current,Begroting \xe9\xe9n\n",
            "budget_lines.csv, line 2: not UTF-8",
        ),
        ("actions.csv", b"id,programme_id,action_type_id,name,source\na1,semiconductors,lobbying,x,s\n", "actions.csv, line 2, field action_type_id: there is no action_type 'lobbying'"),
        ("indicators.csv", b"id,programme_id,level,name_nl,unit,source\ni1,semiconductors,output,Bedrijven,,s\n", "indicators.csv, line 2, field unit: required"),
        ("notes.csv", b"id\nx\n", "which records are these?"),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let run = m.run(&["ledger", "import", path.to_str().unwrap()]);
        assert_eq!(run.code, 3, "{name}: {}", run.stderr);
        assert!(run.stderr.contains(needle), "{name}: {}", run.stderr);
        assert!(
            run.stderr.contains("nothing was imported"),
            "{}",
            run.stderr
        );
        assert_eq!(ledger_state(&m, &[]), before, "{name}: the ledger changed");
    }
}

#[test]
fn add_update_and_history_on_the_command_line() {
    let m = Indmon::new();
    let add = m
        .run(&[
            "ledger",
            "add",
            "indicator",
            "--id",
            "firms",
            "programme_id=semiconductors",
            "level=output",
            "name_nl=Bedrijven",
            "unit=number",
            "baseline_value=10",
            "baseline_year=2024",
            "target_value=30",
            "target_year=2028",
            "source=test",
            "--actor",
            "alice",
        ])
        .ok();
    assert!(
        add.stdout.contains("added indicator 'firms' (version 1)"),
        "{}",
        add.stdout
    );
    m.run(&[
        "ledger",
        "add",
        "actual",
        "--id",
        "firms-2025",
        "indicator_id=firms",
        "period=2025",
        "value=18",
        "source=test",
        "--actor",
        "alice",
    ])
    .ok();
    let upd = m
        .run(&[
            "ledger",
            "update",
            "indicator",
            "firms",
            "--expect-version",
            "1",
            "target_value=40",
            "--actor",
            "bob",
        ])
        .ok();
    assert!(upd.stdout.contains("now version 2"), "{}", upd.stdout);
    let show = m.run(&["ledger", "show", "semiconductors"]).ok();
    // (18 − 10) / (40 − 10) = 26.7 % of the way; 22 to go
    assert!(
        show.stdout
            .contains("latest 18.00 number (2025), 22.00 number to go, 27 % of the way"),
        "{}",
        show.stdout
    );
    let history = m.run(&["ledger", "history", "indicator", "firms"]).ok();
    assert!(
        history.stdout.contains("target_value: \"30\" → \"40\""),
        "{}",
        history.stdout
    );
    assert!(history.stdout.contains(" bob "), "{}", history.stdout);
    let stale = m.run(&[
        "ledger",
        "delete",
        "actual",
        "firms-2025",
        "--expect-version",
        "3",
    ]);
    assert_eq!(stale.code, 6, "{}", stale.stderr);
    let referred = m.run(&["ledger", "delete", "indicator", "firms"]);
    assert_eq!(referred.code, 3, "{}", referred.stderr);
    assert!(
        referred
            .stderr
            .contains("still referred to by actual 'firms-2025'"),
        "{}",
        referred.stderr
    );
    m.run(&[
        "ledger",
        "delete",
        "actual",
        "firms-2025",
        "--expect-version",
        "1",
    ])
    .ok();
    let history = m.run(&["ledger", "history", "actual", "firms-2025"]).ok();
    assert!(history.stdout.contains("delete"), "{}", history.stdout);
    let unknown = m.run(&["ledger", "show", "nothing-here"]);
    assert_eq!(unknown.code, 2, "{}", unknown.stderr);
    let bad = m.run(&["ledger", "add", "action", "programme_id=semiconductors"]);
    assert_eq!(bad.code, 3, "{}", bad.stderr);
    assert!(
        bad.stderr.contains("field action_type_id: required"),
        "{}",
        bad.stderr
    );
}

/// Issue 19: a record named `=1+1` is neutralised in the CSV export (and one that begins
/// with an apostrophe gets one more), and the export imports back as the stored text.
#[test]
fn formulas_in_a_csv_export_are_neutralised_and_import_back() {
    let m = Indmon::new();
    m.run(&[
        "ledger",
        "add",
        "action",
        "--id",
        "formula",
        "programme_id=semiconductors",
        "action_type_id=finance",
        "name==1+1",
        "source='quoted",
        "--actor",
        "alice",
    ])
    .ok();
    let before = ledger_state(&m, &[]);
    let csv = m
        .run(&["ledger", "export", "--format", "csv", "--entity", "action"])
        .ok()
        .stdout;
    let row = csv.lines().find(|l| l.starts_with("formula,")).unwrap();
    assert!(row.contains(",'=1+1,"), "{row}");
    assert!(row.contains(",''quoted,"), "{row}");
    let path = m.dir.path().join("actions.csv");
    std::fs::write(&path, &csv).unwrap();
    let again = m.run(&["ledger", "import", path.to_str().unwrap()]).ok();
    assert!(
        again.stdout.contains("0 added, 0 changed, 1 unchanged"),
        "{}",
        again.stdout
    );
    assert_eq!(ledger_state(&m, &[]), before);
    let json = m.run(&["ledger", "export", "--format", "json"]).ok().stdout;
    assert!(json.contains("\"name\": \"=1+1\""), "{json}");
    assert!(json.contains("\"source\": \"'quoted\""), "{json}");
}

/// Issue 19: a control character on the command line is refused, naming the field, and
/// the ledger is unchanged; the terminal shows it escaped.
#[test]
fn control_characters_are_refused_on_the_command_line() {
    let m = Indmon::new();
    let before = ledger_state(&m, &[]);
    let add = m.run(&[
        "ledger",
        "add",
        "action",
        "programme_id=semiconductors",
        "action_type_id=finance",
        "name=Pilot\u{1b}[2J",
        "source=s",
    ]);
    assert_eq!(add.code, 3, "{}", add.stderr);
    assert!(
        add.stderr.contains("field name: contains U+001B"),
        "{}",
        add.stderr
    );
    assert!(!add.stderr.contains('\u{1b}'), "{}", add.stderr);
    let upd = m.run(&[
        "ledger",
        "update",
        "programme",
        "semiconductors",
        "notes=bell\u{7}",
    ]);
    assert_eq!(upd.code, 3, "{}", upd.stderr);
    assert!(
        upd.stderr.contains("field notes: contains U+0007"),
        "{}",
        upd.stderr
    );
    let path = m.dir.path().join("actions.csv");
    std::fs::write(
        &path,
        "id,programme_id,action_type_id,name,source\na1,semiconductors,finance,ok,\"s\u{8}\"\n",
    )
    .unwrap();
    let import = m.run(&["ledger", "import", path.to_str().unwrap()]);
    assert_eq!(import.code, 3, "{}", import.stderr);
    assert!(
        import
            .stderr
            .contains("actions.csv, line 2, field source: contains U+0008"),
        "{}",
        import.stderr
    );
    assert_eq!(ledger_state(&m, &[]), before, "the ledger changed");
}

/// Issue 19: an import whose `version` column is behind the ledger is a conflict (exit
/// 6), as `--expect-version` is, and changes nothing.
#[test]
fn a_stale_import_exits_6() {
    let m = Indmon::new();
    let path = m.dir.path().join("programmes.csv");
    m.run(&[
        "ledger",
        "export",
        "--format",
        "csv",
        "--entity",
        "programme",
        "--out",
        path.to_str().unwrap(),
    ])
    .ok();
    m.run(&[
        "ledger",
        "update",
        "programme",
        "biotechnology",
        "status=active",
        "--actor",
        "alice",
    ])
    .ok();
    let before = ledger_state(&m, &[]);
    let csv = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Biotechnologie,", "Biotech,");
    std::fs::write(&path, csv).unwrap();
    let stale = m.run(&["ledger", "import", path.to_str().unwrap()]);
    assert_eq!(stale.code, 6, "{}", stale.stderr);
    assert!(
        stale
            .stderr
            .contains("field version: programme 'biotechnology' was changed by alice"),
        "{}",
        stale.stderr
    );
    assert!(
        stale.stderr.contains("nothing was imported"),
        "{}",
        stale.stderr
    );
    assert_eq!(ledger_state(&m, &[]), before, "the ledger changed");
}

/// Issue 19: without `$USER`, `$LOGNAME` and `$USERNAME` the audit trail names the
/// operating system's account, not "unknown".
#[test]
fn the_actor_without_user_in_the_environment_is_the_os_account() {
    let m = Indmon::new();
    let id = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let account = String::from_utf8(id.stdout).unwrap().trim().to_owned();
    assert!(!account.is_empty());
    let run = m
        .command()
        .env_remove("USER")
        .env_remove("LOGNAME")
        .env_remove("USERNAME")
        .args([
            "ledger",
            "update",
            "programme",
            "biotechnology",
            "status=active",
        ])
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let history = m
        .run(&[
            "ledger",
            "history",
            "programme",
            "biotechnology",
            "--format",
            "json",
        ])
        .ok()
        .stdout;
    let changes: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(
        changes["changes"][0]["changed_by"],
        account.as_str(),
        "{history}"
    );
}

/// Issue 19: a file that is not there is named once, and the system's reason is said
/// once.
#[test]
fn a_missing_file_is_named_once_with_its_reason_once() {
    let m = Indmon::new();
    let missing = m.dir.path().join("missing");
    let out = missing.join("x.csv");
    let dir = m.dir.path().join("a-folder");
    std::fs::create_dir(&dir).unwrap();
    let import = missing.join("budget_lines.csv");
    for (args, reason) in [
        (
            vec!["sql", "SELECT 1", "--out", out.to_str().unwrap()],
            "No such file",
        ),
        (
            // refused before it is opened (only regular files are read): no system error
            vec!["ingest", "un_sna_2_4", dir.to_str().unwrap()],
            "is a folder, not a regular file",
        ),
        (
            vec!["ledger", "import", import.to_str().unwrap()],
            "No such file",
        ),
        (
            vec![
                "ledger",
                "export",
                "--format",
                "json",
                "--out",
                out.to_str().unwrap(),
            ],
            "No such file",
        ),
    ] {
        let run = m.run(&args);
        assert_ne!(run.code, 0, "{args:?}");
        assert_eq!(
            run.stderr.matches(reason).count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.matches("os error").count(),
            usize::from(!reason.contains("regular file")),
            "{args:?}: {}",
            run.stderr
        );
        assert!(
            run.stderr.contains(m.dir.path().to_str().unwrap()),
            "{}",
            run.stderr
        );
    }
}
