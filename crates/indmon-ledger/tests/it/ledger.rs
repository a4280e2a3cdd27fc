//! One suite, run on SQLite and on PostgreSQL (see `main.rs`).

use std::collections::BTreeMap;

use indmon_ledger::progress::{self, SeriesValue};
use indmon_ledger::schema::{ENTITIES, entity};
use indmon_ledger::{Error, Incoming, Ledger, Outcome, Value, io, seed};

use crate::TestDb;

macro_rules! on_both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(&crate::TestDb::sqlite()) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(&crate::TestDb::postgres()) } )*
        }
    };
}

on_both!(
    seed_holds_what_the_policy_page_states,
    tables_match_the_field_lists,
    changes_are_versioned_and_audited,
    invalid_records_are_refused_and_change_nothing,
    stale_version_is_a_conflict_and_nothing_is_lost,
    simultaneous_editors_one_wins,
    malformed_csv_imports_name_the_row_and_change_nothing,
    exports_import_back_unchanged,
    xlsx_export_reads_back_with_a_spreadsheet_reader,
    dry_run_keeps_nothing,
    tokens_are_hashed_and_revocable,
    progress_against_targets_and_budget,
    deletes_are_audited_and_refused_while_referenced,
    simultaneous_writers_cannot_together_exceed_a_total,
    simultaneous_first_opens_seed_once,
    formulas_are_neutralised_on_export_and_restored_on_import,
    control_characters_are_refused_and_change_nothing,
);

fn inc(id: &str, fields: &[(&str, &str)]) -> Incoming {
    Incoming {
        id: id.into(),
        version: None,
        fields: fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// Everything in the ledger, as comparable text: every record and the audit trail.
fn state(l: &mut Ledger) -> String {
    let snap = l.snapshot().unwrap();
    let mut out = String::new();
    for e in ENTITIES {
        for r in snap.of(e.name) {
            out.push_str(&r.to_json().to_string());
            out.push('\n');
        }
    }
    for c in l.history(None, None, 100_000).unwrap() {
        out.push_str(&serde_json::to_string(&c).unwrap());
        out.push('\n');
    }
    out
}

fn seed_holds_what_the_policy_page_states(t: &TestDb) {
    let mut l = t.open();
    let snap = l.snapshot().unwrap();
    let goal = snap.find("goal", seed::GOAL).expect("goal");
    assert!(goal.text("statement").unwrap().contains("15 procent"));
    let programmes: Vec<&str> = snap.of("programme").iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        programmes,
        [
            "biotechnology",
            "defence_growth",
            "digital_ai",
            "innovative_chemistry",
            "machine_building",
            "semiconductors"
        ]
    );
    let types: Vec<&str> = snap
        .of("action_type")
        .iter()
        .map(|r| r.name(false))
        .collect();
    assert_eq!(
        types,
        [
            "Capaciteit en kennis",
            "Ecosystemen bouwen",
            "Financiering",
            "Regelgeving",
            "Ruimte, infrastructuur, water en gebouwen",
            "Internationalisering en acquisitie",
            "Menselijk kapitaal",
            "Marktcreatie",
            "Kennis en onderzoek"
        ]
    );
    let total = snap.find("budget_line", "totaal-2024").expect("2024 total");
    assert_eq!(total.get("amount_eur"), &Value::Int(338_300_000));
    assert_eq!(total.get("year"), &Value::Int(2024));
    assert_eq!(total.text("covers"), Some("expenditure,tax_expenditure"));
    assert!(
        total
            .text("source_document")
            .unwrap()
            .contains("Ontwerpbegroting 2026")
    );
    let instruments: Vec<&str> = snap
        .of("instrument")
        .iter()
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(instruments, ["pps_innovatieregeling", "tki"]);
    let ind = snap.find("indicator", "industry_share").unwrap();
    assert_eq!(ind.get("target_value"), &Value::Real(15.0));
    assert_eq!(ind.get("target_year"), &Value::Int(2030));
    assert_eq!(ind.text("series"), Some("industry_share"));
    assert_eq!(ind.text("unit"), Some("%"));
    assert!(
        ind.get("baseline_value").is_null(),
        "no baseline is invented"
    );
    let end = snap.find("milestone", "einde-topsectorenbeleid").unwrap();
    assert_eq!(end.text("date"), Some("2026-01-01"));
    // Nothing beyond the page: no actions, no actuals, no amounts but the total.
    assert!(snap.of("action").is_empty());
    assert!(snap.of("actual").is_empty());
    assert_eq!(snap.of("budget_line").len(), 1);
    // Every seeded record is version 1, by the seed, in the audit trail.
    let history = l.history(None, None, 1000).unwrap();
    let records: usize = ENTITIES.iter().map(|e| snap.of(e.name).len()).sum();
    assert_eq!(history.len(), records);
    assert!(
        history
            .iter()
            .all(|c| c.version == 1 && c.changed_by == seed::ACTOR)
    );
    // Opening again neither migrates nor seeds again.
    let before = state(&mut l);
    drop(l);
    let mut again = t.open();
    assert_eq!(state(&mut again), before);
    assert_eq!(again.migrations().unwrap().len(), 1);
}

fn tables_match_the_field_lists(t: &TestDb) {
    let mut l = t.open();
    // One record of each kind the seed has none of, so every table has a row.
    l.add(
        entity("action").unwrap(),
        &inc(
            "a1",
            &[
                ("programme_id", "biotechnology"),
                ("action_type_id", "research"),
                ("name", "x"),
                ("source", "s"),
            ],
        ),
        "t",
    )
    .unwrap();
    l.add(
        entity("actual").unwrap(),
        &inc(
            "v1",
            &[
                ("indicator_id", "industry_share"),
                ("period", "2023"),
                ("value", "12.03"),
                ("source", "s"),
            ],
        ),
        "t",
    )
    .unwrap();
    for e in ENTITIES {
        let cols = io::header(e).join(", ");
        l.db()
            .query(&format!("SELECT {cols} FROM {} WHERE 1 = 0", e.name), &[])
            .unwrap_or_else(|err| panic!("{}: {err}", e.name));
        // …and no column beyond them: a whole row has exactly as many values.
        let rows = l
            .db()
            .query(&format!("SELECT * FROM {}", e.name), &[])
            .unwrap();
        assert!(!rows.is_empty(), "{}", e.name);
        assert_eq!(
            rows[0].len(),
            io::header(e).len(),
            "{}: columns beyond the field list",
            e.name
        );
    }
}

fn changes_are_versioned_and_audited(t: &TestDb) {
    let mut l = t.open();
    let action = entity("action").unwrap();
    let made = l
        .add(
            action,
            &inc(
                "chips-act-nl",
                &[
                    ("programme_id", "semiconductors"),
                    ("action_type_id", "finance"),
                    ("name", "Co-financing of a pilot line"),
                    ("status", "in_preparation"),
                    ("start_date", "2026-03-01"),
                    ("source", "test"),
                ],
            ),
            "alice",
        )
        .unwrap();
    assert_eq!(made.version, 1);
    let mut change = inc("chips-act-nl", &[("status", "active")]);
    change.version = Some(1);
    let (changed, outcome) = l.update(action, &change, "bob").unwrap();
    assert_eq!(outcome, Outcome::Updated);
    assert_eq!(changed.version, 2);
    assert_eq!(changed.text("status"), Some("active"));
    assert_eq!(
        changed.text("start_date"),
        Some("2026-03-01"),
        "untouched fields stay"
    );
    // The same values again write nothing.
    let mut same = inc("chips-act-nl", &[("status", "active")]);
    same.version = Some(2);
    assert_eq!(
        l.update(action, &same, "bob").unwrap().1,
        Outcome::Unchanged
    );
    let history = l.history(Some(action), Some("chips-act-nl"), 10).unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].version, 2);
    assert_eq!(history[0].changed_by, "bob");
    assert_eq!(
        history[0].diff(),
        [(
            "status".to_owned(),
            "in_preparation".to_owned(),
            "active".to_owned()
        )]
    );
    assert_eq!(history[1].operation, "insert");
    assert!(history[1].before.is_none());
    // A generated id has the entity's prefix.
    let generated = l
        .add(
            entity("milestone").unwrap(),
            &inc(
                "",
                &[
                    ("programme_id", "semiconductors"),
                    ("name_nl", "Pilotlijn open"),
                    ("status", "planned"),
                    ("date", "2027-06-30"),
                    ("source", "test"),
                ],
            ),
            "alice",
        )
        .unwrap();
    assert!(generated.id.starts_with("ms-"), "{}", generated.id);
}

fn invalid_records_are_refused_and_change_nothing(t: &TestDb) {
    let mut l = t.open();
    let before = state(&mut l);
    let cases: &[(&str, Incoming, &str, &str)] = &[
        (
            "action",
            inc(
                "a1",
                &[
                    ("programme_id", "nope"),
                    ("action_type_id", "finance"),
                    ("name", "x"),
                    ("source", "s"),
                ],
            ),
            "programme_id",
            "there is no programme 'nope'",
        ),
        (
            "action",
            inc(
                "a1",
                &[
                    ("programme_id", "semiconductors"),
                    ("action_type_id", "finance"),
                    ("source", "s"),
                ],
            ),
            "name",
            "required",
        ),
        (
            "programme",
            inc(
                "p1",
                &[
                    ("goal_id", seed::GOAL),
                    ("name_nl", "x"),
                    ("source", "s"),
                    ("start_date", "2027-01-01"),
                    ("end_date", "2026-01-01"),
                ],
            ),
            "end_date",
            "before the start",
        ),
        (
            "indicator",
            inc(
                "i1",
                &[
                    ("programme_id", "biotechnology"),
                    ("level", "output"),
                    ("name_nl", "x"),
                    ("unit", " "),
                    ("source", "s"),
                ],
            ),
            "unit",
            "required",
        ),
        (
            "indicator",
            inc(
                "i1",
                &[
                    ("programme_id", "biotechnology"),
                    ("level", "output"),
                    ("name_nl", "x"),
                    ("unit", "n"),
                    ("target_value", "3"),
                    ("source", "s"),
                ],
            ),
            "target_year",
            "needs its year",
        ),
        (
            "budget_line",
            inc(
                "b1",
                &[
                    ("year", "2024"),
                    ("kind", "expenditure"),
                    ("prices", "current"),
                    ("source_document", "d"),
                    ("amount_eur", "5"),
                ],
            ),
            "programme_id",
            "give a programme_id or a goal_id",
        ),
        (
            // Itemised lines may not exceed the stated 2024 total of 338.3 million.
            "budget_line",
            inc(
                "b1",
                &[
                    ("programme_id", "semiconductors"),
                    ("year", "2024"),
                    ("kind", "tax_expenditure"),
                    ("prices", "current"),
                    ("source_document", "d"),
                    ("amount_eur", "400000000"),
                ],
            ),
            "amount_eur",
            "more than the stated total 'totaal-2024' of 338300000 euros",
        ),
        (
            "budget_line",
            inc(
                "b1",
                &[
                    ("programme_id", "semiconductors"),
                    ("year", "2024"),
                    ("kind", "expenditure"),
                    ("prices", "current"),
                    ("source_document", "d"),
                    ("amount_eur", "12,5"),
                ],
            ),
            "amount_eur",
            "whole euros",
        ),
        (
            "goal",
            inc("bad id!", &[("name_nl", "x"), ("source", "s")]),
            "id",
            "letters, digits",
        ),
        (
            "goal",
            inc(seed::GOAL, &[("name_nl", "x"), ("source", "s")]),
            "id",
            "taken",
        ),
    ];
    for (e, incoming, field, needle) in cases {
        let err = l.add(entity(e).unwrap(), incoming, "alice").unwrap_err();
        match &err {
            Error::Invalid {
                field: f, message, ..
            } => {
                assert_eq!(f, field, "{err}");
                assert!(message.contains(needle), "{err}");
            }
            other => panic!("{e} {}: expected Invalid, got {other}", incoming.id),
        }
    }
    assert_eq!(
        state(&mut l),
        before,
        "a refused change leaves the ledger as it was"
    );
}

fn stale_version_is_a_conflict_and_nothing_is_lost(t: &TestDb) {
    let programme = entity("programme").unwrap();
    let mut alice = t.open();
    let mut bob = t.open();
    let read_by_alice = alice.get(programme, "biotechnology").unwrap();
    let read_by_bob = bob.get(programme, "biotechnology").unwrap();
    assert_eq!(read_by_alice.version, read_by_bob.version);
    let mut a = inc(
        "biotechnology",
        &[("status", "active"), ("start_date", "2026-02-01")],
    );
    a.version = Some(read_by_alice.version);
    alice.update(programme, &a, "alice").unwrap();
    let mut b = inc("biotechnology", &[("notes", "Bob's note")]);
    b.version = Some(read_by_bob.version);
    let err = bob.update(programme, &b, "bob").unwrap_err();
    match &err {
        Error::Conflict {
            expected,
            current,
            by,
            ..
        } => {
            assert_eq!(*expected, read_by_bob.version);
            assert_eq!(*current, read_by_bob.version + 1);
            assert_eq!(by, "alice");
        }
        other => panic!("expected a conflict, got {other}"),
    }
    assert!(err.to_string().contains("was not saved"), "{err}");
    // Alice's change is there; Bob's is not half-applied.
    let now = bob.get(programme, "biotechnology").unwrap();
    assert_eq!(now.text("status"), Some("active"));
    assert_eq!(now.text("start_date"), Some("2026-02-01"));
    assert_eq!(now.text("notes"), read_by_bob.text("notes"));
    // Bob reloads and applies again: both changes stand.
    b.version = Some(now.version);
    let (merged, _) = bob.update(programme, &b, "bob").unwrap();
    assert_eq!(merged.text("status"), Some("active"));
    assert_eq!(merged.text("notes"), Some("Bob's note"));
    assert_eq!(merged.version, read_by_bob.version + 2);
}

fn simultaneous_editors_one_wins(t: &TestDb) {
    let programme = entity("programme").unwrap();
    let start = t.open().get(programme, "machine_building").unwrap().version;
    let editors = 6;
    let barrier = std::sync::Barrier::new(editors);
    let results: Vec<Result<(), Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..editors)
            .map(|i| {
                let barrier = &barrier;
                s.spawn(move || {
                    let mut l = t.open();
                    barrier.wait();
                    let mut c = inc("machine_building", &[("notes", &format!("editor {i}"))]);
                    c.version = Some(start);
                    l.update(programme, &c, &format!("editor-{i}")).map(|_| ())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let wins = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{results:?}");
    assert!(
        results
            .iter()
            .filter_map(|r| r.as_ref().err())
            .all(|e| matches!(e, Error::Conflict { .. })),
        "{results:?}"
    );
    let mut l = t.open();
    let after = l.get(programme, "machine_building").unwrap();
    assert_eq!(after.version, start + 1);
    let history = l
        .history(Some(programme), Some("machine_building"), 10)
        .unwrap();
    assert_eq!(history.len(), 2, "one insert, one winning update");
    assert_eq!(history[0].changed_by, after.updated_by);
}

fn malformed_csv_imports_name_the_row_and_change_nothing(t: &TestDb) {
    let mut l = t.open();
    let before = state(&mut l);
    let dir = tempfile::tempdir().unwrap();
    let head = "id,programme_id,year,kind,amount_eur,prices,source_document\n";
    let good = "b1,semiconductors,2025,expenditure,1000000,current,Begroting 2025\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "empty"),
        (
            "wrong columns",
            b"id,programme,amount\nb1,x,1\n".to_vec(),
            "unknown column \"programme\"",
        ),
        (
            "no id column",
            b"programme_id,year\nsemiconductors,2025\n".to_vec(),
            "no id column",
        ),
        (
            "cp1252",
            [
                head.as_bytes(),
                good.as_bytes(),
                b"b2,semiconductors,2025,expenditure,5,current,Begroting \xe9\xe9n\n",
            ]
            .concat(),
            "line 3: not UTF-8",
        ),
        (
            "bad number",
            format!("{head}{good}b2,semiconductors,2025,expenditure,\"1.000.000\",current,x\n")
                .into_bytes(),
            "line 3, field amount_eur: expected whole euros",
        ),
        (
            "bad code",
            format!("{head}{good}b2,semiconductors,2025,spending,5,current,x\n").into_bytes(),
            "line 3, field kind: expected one of",
        ),
        (
            "duplicate id",
            format!("{head}{good}{good}").into_bytes(),
            "line 3, field id: budget_line 'b1' appears twice (also at",
        ),
        (
            "truncated download",
            format!("{head}{good}b2,semiconductors,2025,expend").into_bytes(),
            "line 3: 4 fields where the header has 7",
        ),
        (
            "missing reference",
            format!("{head}{good}b2,quantum,2025,expenditure,5,current,x\n").into_bytes(),
            "line 3, field programme_id: there is no programme 'quantum'",
        ),
        (
            "missing required",
            format!("{head}{good}b2,semiconductors,,expenditure,5,current,x\n").into_bytes(),
            "line 3, field year: required",
        ),
        (
            "over the stated total",
            format!("{head}{good}b2,semiconductors,2024,expenditure,338300001,current,x\n")
                .into_bytes(),
            "budget_lines.csv, line 3, field amount_eur: the itemised lines it covers (b2)",
        ),
        (
            "stale version",
            format!("id,version,notes\n{},0,x\n", seed::GOAL).into_bytes(),
            "field version: expected a version number of 1 or more",
        ),
    ];
    for (what, bytes, needle) in cases {
        let file = if what == "stale version" {
            "goals.csv"
        } else {
            "budget_lines.csv"
        };
        let path = dir.path().join(file);
        std::fs::write(&path, &bytes).unwrap();
        let err = match io::read(&path, None) {
            Err(e) => e,
            Ok(batch) => {
                let places = batch.places.clone();
                l.apply(&batch.items, "importer", &|i| places[i].clone(), false)
                    .expect_err(what)
            }
        };
        let msg = err.to_string();
        assert!(msg.contains(needle), "{what}: {msg}");
        assert!(msg.contains("nothing was imported"), "{what}: {msg}");
        assert!(
            msg.contains("budget_lines.csv") || msg.contains("goals.csv"),
            "{what}: the file is named: {msg}"
        );
        assert_eq!(state(&mut l), before, "{what}: the ledger is unchanged");
    }
    // A byte-order mark is fine, and so is the good row.
    let path = dir.path().join("budget_lines.csv");
    std::fs::write(
        &path,
        [b"\xEF\xBB\xBF".as_slice(), head.as_bytes(), good.as_bytes()].concat(),
    )
    .unwrap();
    let batch = io::read(&path, None).unwrap();
    let report = l
        .apply(&batch.items, "importer", &|_| String::new(), false)
        .unwrap();
    assert_eq!(report.totals(), (1, 0, 0));
}

fn exports_import_back_unchanged(t: &TestDb) {
    let mut l = t.open();
    l.add(
        entity("actual").unwrap(),
        &inc(
            "share-2023",
            &[
                ("indicator_id", "industry_share"),
                ("period", "2023"),
                ("value", "12.03"),
                ("source", "Eurostat nama_10_a64"),
            ],
        ),
        "alice",
    )
    .unwrap();
    let snap = l.snapshot().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("ledger.json");
    std::fs::write(
        &json,
        serde_json::to_vec_pretty(&io::to_json(&snap, l.target())).unwrap(),
    )
    .unwrap();
    let xlsx = dir.path().join("ledger.xlsx");
    std::fs::write(&xlsx, io::to_xlsx(&snap, l.target()).unwrap()).unwrap();
    let records: usize = ENTITIES.iter().map(|e| snap.of(e.name).len()).sum();
    for path in [&json, &xlsx] {
        let batch = io::read(path, None).unwrap();
        assert_eq!(batch.items.len(), records);
        let places = batch.places.clone();
        let report = l
            .apply(&batch.items, "importer", &|i| places[i].clone(), false)
            .unwrap();
        assert_eq!(report.totals(), (0, 0, records), "{}", path.display());
    }
    for e in ENTITIES {
        let csv = dir.path().join(format!("{}.csv", e.plural));
        std::fs::write(&csv, io::to_csv(e, snap.of(e.name)).unwrap()).unwrap();
        let batch = io::read(&csv, None).unwrap();
        let report = l
            .apply(&batch.items, "importer", &|_| String::new(), false)
            .unwrap();
        assert_eq!(report.totals(), (0, 0, snap.of(e.name).len()), "{}", e.name);
    }
    // Into an empty database of the other kind: the same records.
    let other = crate::TestDb::sqlite();
    let mut fresh = other.open();
    let batch = io::read(&json, None).unwrap();
    let report = fresh
        .apply(&batch.items, "importer", &|_| String::new(), false)
        .unwrap();
    assert_eq!(
        report.totals().0,
        1,
        "only the actual is new; the seed is there"
    );
    let a = fresh.snapshot().unwrap();
    for e in ENTITIES {
        let left: Vec<_> = a
            .of(e.name)
            .iter()
            .map(|r| (r.id.clone(), r.values.clone()))
            .collect();
        let right: Vec<_> = snap
            .of(e.name)
            .iter()
            .map(|r| (r.id.clone(), r.values.clone()))
            .collect();
        assert_eq!(left, right, "{}", e.name);
    }
    // A re-import of an old export after somebody changed a record is a conflict.
    let programme = entity("programme").unwrap();
    let mut c = inc("digital_ai", &[("status", "active")]);
    c.version = Some(1);
    l.update(programme, &c, "alice").unwrap();
    let batch = io::read(&json, None).unwrap();
    let places = batch.places.clone();
    let err = l
        .apply(&batch.items, "importer", &|i| places[i].clone(), false)
        .unwrap_err();
    assert!(
        err.to_string().contains("programmes[2], field version"),
        "{err}"
    );
    // issue 19: a conflict, as `--expect-version` is (exit 6), not bad input
    assert_eq!(err.kind(), indmon_core::ErrorKind::Conflict, "{err}");
}

fn xlsx_export_reads_back_with_a_spreadsheet_reader(t: &TestDb) {
    use calamine::{Data, Reader, Xlsx};
    let mut l = t.open();
    let bytes = io::to_xlsx(&l.snapshot().unwrap(), l.target()).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "about");
    for e in ENTITIES {
        assert!(names.iter().any(|n| n == e.plural), "{}", e.plural);
    }
    let lines = wb.worksheet_range("budget_lines").unwrap();
    let head: Vec<String> = lines
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let row = lines.rows().nth(1).unwrap();
    assert_eq!(row[col("id")], Data::String("totaal-2024".into()));
    assert_eq!(row[col("amount_eur")], Data::Float(338_300_000.0));
    assert_eq!(row[col("year")], Data::Float(2024.0));
    let types = wb.worksheet_range("action_types").unwrap();
    assert_eq!(
        types.rows().count(),
        10,
        "a header and the nine action types"
    );
}

fn dry_run_keeps_nothing(t: &TestDb) {
    let mut l = t.open();
    let before = state(&mut l);
    let batch = vec![(
        entity("action").unwrap(),
        inc(
            "a1",
            &[
                ("programme_id", "biotechnology"),
                ("action_type_id", "research"),
                ("name", "x"),
                ("source", "s"),
            ],
        ),
    )];
    let report = l
        .apply(&batch, "importer", &|_| String::new(), true)
        .unwrap();
    assert_eq!(report.totals(), (1, 0, 0));
    assert_eq!(state(&mut l), before);
}

fn tokens_are_hashed_and_revocable(t: &TestDb) {
    let mut l = t.open();
    let token = l.create_token("alice", "editor").unwrap();
    assert!(token.starts_with("imt_") && token.len() == 68);
    assert_eq!(
        l.check_token(&token).unwrap(),
        Some(("alice".into(), "editor".into()))
    );
    assert_eq!(l.check_token("imt_wrong").unwrap(), None);
    assert!(
        l.create_token("alice", "editor").is_err(),
        "names are unique"
    );
    assert!(l.create_token("bob", "root").is_err(), "roles are checked");
    let stored = l
        .db()
        .query("SELECT token_sha256 FROM ledger_token", &[])
        .unwrap();
    assert!(
        stored.iter().all(|r| r[0].as_str() != Some(token.as_str())),
        "only the hash is kept"
    );
    assert!(l.revoke_token("alice").unwrap());
    assert_eq!(l.check_token(&token).unwrap(), None);
}

fn progress_against_targets_and_budget(t: &TestDb) {
    let mut l = t.open();
    let e = |n| entity(n).unwrap();
    l.add(
        e("instrument"),
        &inc(
            "pilot-grant",
            &[
                ("kind", "subsidy"),
                ("name_nl", "Pilotlijnsubsidie"),
                ("programme_id", "semiconductors"),
                ("source", "s"),
            ],
        ),
        "a",
    )
    .unwrap();
    for (id, year, kind, amount) in [
        ("c25", "2025", "commitment", "40000000"),
        ("e25", "2025", "expenditure", "25000000"),
        ("t25", "2025", "tax_expenditure", "5000000"),
        ("u25", "2025", "expenditure", ""),
        ("e24", "2024", "expenditure", "100000000"),
    ] {
        l.add(
            e("budget_line"),
            &inc(
                id,
                &[
                    ("programme_id", "semiconductors"),
                    ("instrument_id", "pilot-grant"),
                    ("year", year),
                    ("kind", kind),
                    ("amount_eur", amount),
                    ("prices", "current"),
                    ("source_document", "d"),
                ],
            ),
            "a",
        )
        .unwrap();
    }
    l.add(
        e("indicator"),
        &inc(
            "firms",
            &[
                ("programme_id", "semiconductors"),
                ("level", "output"),
                ("name_nl", "Bedrijven in pilotlijn"),
                ("unit", "number"),
                ("baseline_value", "10"),
                ("baseline_year", "2024"),
                ("target_value", "30"),
                ("target_year", "2028"),
                ("source", "s"),
            ],
        ),
        "a",
    )
    .unwrap();
    for (id, period, value) in [("f25", "2025", "16"), ("f26", "2026-Q1", "18")] {
        l.add(
            e("actual"),
            &inc(
                id,
                &[
                    ("indicator_id", "firms"),
                    ("period", period),
                    ("value", value),
                    ("source", "s"),
                ],
            ),
            "a",
        )
        .unwrap();
    }
    let snap = l.snapshot().unwrap();
    let prog = progress::of(
        &snap,
        snap.find("programme", "semiconductors").unwrap(),
        &BTreeMap::new(),
    );
    let firms = &prog.indicators[0];
    assert_eq!(firms.latest().unwrap().0, "2026-Q1");
    assert_eq!(firms.gap, Some(12.0));
    assert_eq!(firms.share_of_way, Some(0.4), "(18 - 10) / (30 - 10)");
    let y25 = prog.budget.iter().find(|y| y.year == 2025).unwrap();
    assert_eq!(y25.committed, Some(40_000_000));
    assert_eq!(y25.spent, Some(30_000_000));
    assert_eq!(y25.unknown_lines, 1);
    assert_eq!(y25.spent_share, Some(0.75));
    // The goal: the stated 2024 total, of which 100 million is itemised now.
    let series = BTreeMap::from([(
        "industry_share".to_owned(),
        vec![
            SeriesValue {
                period: "2022".into(),
                value: 12.4,
                source: "store".into(),
            },
            SeriesValue {
                period: "2023".into(),
                value: 12.03,
                source: "Eurostat".into(),
            },
        ],
    )]);
    let goal = progress::of(&snap, snap.find("goal", seed::GOAL).unwrap(), &series);
    let share = &goal.indicators[0];
    assert_eq!(share.latest().unwrap().2, "Eurostat");
    assert!((share.gap.unwrap() - 2.97).abs() < 1e-12);
    assert_eq!(share.share_of_way, None, "no baseline, no share of the way");
    let y24 = goal.budget.iter().find(|y| y.year == 2024).unwrap();
    assert_eq!(y24.stated_total, Some(338_300_000));
    assert_eq!(y24.not_itemised, Some(238_300_000));
    assert_eq!(y24.spent, Some(338_300_000));
    assert_eq!(y24.spent_share, None, "no commitments known");
    let _ = Value::Null;
}

fn deletes_are_audited_and_refused_while_referenced(t: &TestDb) {
    let mut l = t.open();
    let before = state(&mut l);
    // The goal is referred to by the programmes (and more): refused, nothing changed.
    let err = l
        .delete(entity("goal").unwrap(), seed::GOAL, None, "alice")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("still referred to by programme 'biotechnology'"),
        "{err}"
    );
    assert_eq!(state(&mut l), before);
    let ms = entity("milestone").unwrap();
    // A stale version is a conflict.
    let err = l
        .delete(ms, "einde-topsectorenbeleid", Some(7), "alice")
        .unwrap_err();
    assert!(matches!(err, Error::Conflict { current: 1, .. }), "{err}");
    let gone = l
        .delete(ms, "einde-topsectorenbeleid", Some(1), "alice")
        .unwrap();
    assert_eq!(gone.text("date"), Some("2026-01-01"));
    assert!(matches!(
        l.get(ms, "einde-topsectorenbeleid"),
        Err(Error::NotFound { .. })
    ));
    let h = l
        .history(Some(ms), Some("einde-topsectorenbeleid"), 10)
        .unwrap();
    assert_eq!(h[0].operation, "delete");
    assert_eq!(h[0].version, 2);
    assert_eq!(
        h[0].before.as_ref().unwrap()["date"],
        "2026-01-01",
        "the last fields are kept"
    );
    // The id used again continues its versions.
    let again = l
        .add(
            ms,
            &inc(
                "einde-topsectorenbeleid",
                &[
                    ("goal_id", seed::GOAL),
                    ("name_nl", "Topsectorenbeleid afgerond"),
                    ("date", "2026-01-01"),
                    ("status", "reached"),
                    ("source", "s"),
                ],
            ),
            "alice",
        )
        .unwrap();
    assert_eq!(again.version, 3);
}

/// Processes that open a new SQLite ledger at the same moment (the server and the command
/// line) all get it: switching the new file to the WAL journal answers "database is
/// locked" at once to all but one, which must be waited out, not reported.
#[test]
fn simultaneous_opens_of_a_new_sqlite_ledger_all_succeed() {
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.sqlite").display().to_string();
        let barrier = std::sync::Barrier::new(8);
        let failures: Vec<String> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let (barrier, path) = (&barrier, &path);
                    s.spawn(move || {
                        barrier.wait();
                        Ledger::open(path).err().map(|e| e.to_string())
                    })
                })
                .collect();
            handles
                .into_iter()
                .filter_map(|h| h.join().unwrap())
                .collect()
        });
        assert!(failures.is_empty(), "round {round}: {failures:?}");
    }
}

/// Stated totals: any set of itemised lines is accepted exactly when its sum stays
/// within the total, and the part not itemised is the total less that sum.
#[test]
fn stated_totals_bound_the_itemised_lines() {
    use proptest::prelude::*;
    let db = crate::TestDb::sqlite();
    let l = std::cell::RefCell::new(db.open());
    let config = ProptestConfig {
        cases: 48,
        ..ProptestConfig::default()
    };
    proptest!(config, |(amounts in proptest::collection::vec(0i64..200_000_000, 0..5), which in 0usize..6)| {
        let programmes = ["semiconductors", "biotechnology", "digital_ai", "machine_building", "innovative_chemistry", "defence_growth"];
        let batch: Vec<_> = amounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                (
                    entity("budget_line").unwrap(),
                    inc(&format!("p{i}"), &[("programme_id", programmes[(which + i) % 6]), ("year", "2024"), ("kind", if i % 2 == 0 { "expenditure" } else { "tax_expenditure" }), ("amount_eur", &a.to_string()), ("prices", "current"), ("source_document", "d")]),
                )
            })
            .collect();
        let sum: i64 = amounts.iter().sum();
        // Dry runs: every case starts from the seed alone.
        let result = l.borrow_mut().apply(&batch, "prop", &|i| format!("row {i}"), true);
        prop_assert_eq!(result.is_ok(), sum <= seed::TOTAL_2024_EUR, "{:?} {:?}", amounts, result.err());
        if sum <= seed::TOTAL_2024_EUR && !amounts.is_empty() {
            let scratch = crate::TestDb::sqlite();
            let mut s = scratch.open();
            s.apply(&batch, "prop", &|i| format!("row {i}"), false).unwrap();
            let snap = s.snapshot().unwrap();
            let goal = progress::of(&snap, snap.find("goal", seed::GOAL).unwrap(), &BTreeMap::new());
            let y = goal.budget.iter().find(|y| y.year == 2024).unwrap();
            prop_assert_eq!(y.not_itemised, Some(seed::TOTAL_2024_EUR - sum));
            prop_assert_eq!(y.itemised.values().sum::<i64>(), sum);
        }
    });
}

fn simultaneous_writers_cannot_together_exceed_a_total(t: &TestDb) {
    // Each line alone fits in the stated 2024 total; both together do not.
    let barrier = std::sync::Barrier::new(2);
    let results: Vec<Result<(), Error>> = std::thread::scope(|s| {
        let handles: Vec<_> = ["semiconductors", "biotechnology"]
            .into_iter()
            .map(|p| {
                let barrier = &barrier;
                s.spawn(move || {
                    // opened before the barrier, unwrapped after it: a failed open must
                    // fail the test, not leave the other thread waiting for ever
                    let l = Ledger::open(&t.target);
                    barrier.wait();
                    let mut l = l.expect("open ledger");
                    l.add(
                        entity("budget_line").unwrap(),
                        &inc(
                            &format!("{p}-2024"),
                            &[
                                ("programme_id", p),
                                ("year", "2024"),
                                ("kind", "expenditure"),
                                ("amount_eur", "200000000"),
                                ("prices", "current"),
                                ("source_document", "d"),
                            ],
                        ),
                        p,
                    )
                    .map(|_| ())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let mut l = t.open();
    let lines = l.list(entity("budget_line").unwrap()).unwrap();
    let itemised: i64 = lines
        .iter()
        .filter(|r| r.text("covers").is_none())
        .filter_map(|r| r.get("amount_eur").as_int())
        .sum();
    assert_eq!(itemised, 200_000_000);
}

fn simultaneous_first_opens_seed_once(t: &TestDb) {
    let barrier = std::sync::Barrier::new(4);
    std::thread::scope(|s| {
        for _ in 0..4 {
            let barrier = &barrier;
            s.spawn(move || {
                barrier.wait();
                t.open();
            });
        }
    });
    let mut l = t.open();
    assert_eq!(l.migrations().unwrap().len(), 1);
    assert_eq!(l.list(entity("programme").unwrap()).unwrap().len(), 6);
    assert_eq!(
        l.history(None, None, 1000).unwrap().len(),
        23,
        "the seed, once"
    );
}

/// Issue 19: text that a spreadsheet would run as a formula is neutralised in the CSV
/// export (a leading apostrophe, also for text that begins with one), carries Excel's
/// quote prefix in the workbook, and imports back as exactly the stored text.
fn formulas_are_neutralised_on_export_and_restored_on_import(t: &TestDb) {
    use calamine::{Data, Reader, Xlsx};
    let mut l = t.open();
    let action = entity("action").unwrap();
    l.add(
        action,
        &inc(
            "formula",
            &[
                ("programme_id", "semiconductors"),
                ("action_type_id", "finance"),
                ("name", "=1+1"),
                ("source", "'quoted"),
                ("notes", "@SUM(A1)\n-2\n+3"),
            ],
        ),
        "=cmd|' /C calc'!A0",
    )
    .unwrap();
    // a negative number stays a number
    l.add(
        entity("actual").unwrap(),
        &inc(
            "share-neg",
            &[
                ("indicator_id", "industry_share"),
                ("period", "2023"),
                ("value", "-0.5"),
                ("source", "-"),
            ],
        ),
        "alice",
    )
    .unwrap();
    let snap = l.snapshot().unwrap();
    let before = state(&mut l);

    let csv = String::from_utf8(io::to_csv(action, snap.of("action")).unwrap()).unwrap();
    let row = csv.lines().find(|r| r.starts_with("formula,")).unwrap();
    assert!(row.contains(",'=1+1,"), "{row}");
    assert!(row.contains(",''quoted,"), "{row}");
    assert!(row.contains(",'=cmd|' /C calc'!A0,"), "{row}");
    assert!(csv.contains("\"'@SUM(A1)\n-2\n+3\""), "{csv}");
    // as a spreadsheet reads it: no cell begins with a formula character
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    for rec in reader.records() {
        for cell in rec.unwrap().iter() {
            assert!(!indmon_core::text::is_formula_like(cell), "{cell:?}");
        }
    }
    let actual = entity("actual").unwrap();
    let csv_actual = String::from_utf8(io::to_csv(actual, snap.of("actual")).unwrap()).unwrap();
    assert!(csv_actual.contains(",-0.5,'-,"), "{csv_actual}");

    // CSV back in: nothing changes, the stored text is the original
    let dir = tempfile::tempdir().unwrap();
    for (e, text) in [(action, &csv), (actual, &csv_actual)] {
        let path = dir.path().join(format!("{}.csv", e.plural));
        std::fs::write(&path, text).unwrap();
        let batch = io::read(&path, None).unwrap();
        let report = l
            .apply(&batch.items, "importer", &|_| String::new(), false)
            .unwrap();
        assert_eq!(report.totals(), (0, 0, snap.of(e.name).len()), "{}", e.name);
    }
    assert_eq!(state(&mut l), before);
    // …and into an empty ledger, the same text
    let other = crate::TestDb::sqlite();
    let mut fresh = other.open();
    let path = dir.path().join("actions.csv");
    let batch = io::read(&path, None).unwrap();
    fresh
        .apply(&batch.items, "importer", &|_| String::new(), false)
        .unwrap();
    let r = fresh.get(action, "formula").unwrap();
    assert_eq!(r.text("name"), Some("=1+1"));
    assert_eq!(r.text("source"), Some("'quoted"));
    assert_eq!(r.text("notes"), Some("@SUM(A1)\n-2\n+3"));

    // Excel: a text cell with the exact text, never a formula, with the quote prefix
    let bytes = io::to_xlsx(&snap, l.target()).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let sheet = wb.worksheet_range("actions").unwrap();
    let head: Vec<String> = sheet
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let row = sheet
        .rows()
        .find(|r| r[0] == Data::String("formula".into()))
        .unwrap();
    assert_eq!(row[col("name")], Data::String("=1+1".into()));
    assert_eq!(row[col("source")], Data::String("'quoted".into()));
    let formulas = wb.worksheet_formula("actions").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formulas"
    );
    // the quote prefix: one cell style has it, and exactly the formula-like text cells
    // of the actions sheet use it (name, notes and updated_by of the record)
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.clone())).unwrap();
    let part = |zip: &mut zip::ZipArchive<_>, name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let styles = part(&mut zip, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs").unwrap()..styles.find("</cellXfs>").unwrap()];
    let quoted: Vec<usize> = xfs
        .split("<xf ")
        .skip(1)
        .enumerate()
        .filter(|(_, xf)| xf.contains("quotePrefix=\"1\""))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(quoted.len(), 1, "{xfs}");
    let n = ENTITIES.iter().position(|e| e.name == "action").unwrap() + 2;
    let sheet_xml = part(&mut zip, &format!("xl/worksheets/sheet{n}.xml"));
    assert_eq!(
        sheet_xml.matches(&format!(" s=\"{}\"", quoted[0])).count(),
        3,
        "{sheet_xml}"
    );
    // Excel back in: nothing changes (no apostrophe is taken off a typed cell)
    let path = dir.path().join("ledger.xlsx");
    std::fs::write(&path, &bytes).unwrap();
    let batch = io::read(&path, None).unwrap();
    let report = l
        .apply(&batch.items, "importer", &|_| String::new(), false)
        .unwrap();
    assert_eq!(report.totals().0 + report.totals().1, 0);
    assert_eq!(state(&mut l), before);
}

/// Issue 19: a control character in text is refused from every way in, naming the field
/// (and the file and line of an import), and the ledger is unchanged; line breaks are
/// kept in long text only.
fn control_characters_are_refused_and_change_nothing(t: &TestDb) {
    let mut l = t.open();
    let before = state(&mut l);
    let action = entity("action").unwrap();
    let fields = |name: &str, notes: &str| {
        inc(
            "ctl",
            &[
                ("programme_id", "semiconductors"),
                ("action_type_id", "finance"),
                ("name", name),
                ("source", "s"),
                ("notes", notes),
            ],
        )
    };
    for (name, notes, field, needle) in [
        ("Pilot\u{1b}]0;x\u{7}", "", "name", "U+001B at character 6"),
        (
            "two\nlines",
            "",
            "name",
            "a line break; only the long text fields",
        ),
        (
            "ok",
            "tab\there",
            "notes",
            "U+0009 at character 4 (a tab; use spaces)",
        ),
        ("ok", "nul\0", "notes", "U+0000"),
    ] {
        let err = l.add(action, &fields(name, notes), "alice").unwrap_err();
        match &err {
            Error::Invalid {
                field: f, message, ..
            } => {
                assert_eq!(f, field, "{err}");
                assert!(message.contains(needle), "{err}");
            }
            other => panic!("{other}"),
        }
        assert_eq!(err.kind(), indmon_core::ErrorKind::Input);
    }
    // a change of an existing record, and who makes it
    let err = l
        .update(
            entity("programme").unwrap(),
            &inc("semiconductors", &[("name_en", "Chips\u{9b}")]),
            "alice",
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("field name_en: contains U+009B"),
        "{err}"
    );
    let err = l
        .add(action, &fields("ok", ""), "mallory\u{1b}[2J")
        .unwrap_err();
    assert!(err.to_string().contains("field updated_by"), "{err}");
    assert!(l.create_token("eve\u{1b}", "editor").is_err());
    assert_eq!(state(&mut l), before);

    // imports: CSV, JSON and Excel name the file, the line or row, and the field
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("actions.csv");
    std::fs::write(
        &csv,
        "id,programme_id,action_type_id,name,source\na1,semiconductors,finance,ok,s\na2,semiconductors,finance,\"bell\u{7}\",s\n",
    )
    .unwrap();
    let json = dir.path().join("ledger.json");
    std::fs::write(
        &json,
        r#"{"actions": [{"id": "a1", "programme_id": "semiconductors", "action_type_id": "finance", "name": "ok", "source": "s\u001b[31m"}]}"#,
    )
    .unwrap();
    let xlsx = dir.path().join("ledger.xlsx");
    {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("actions").unwrap();
        for (c, v) in ["id", "programme_id", "action_type_id", "name", "source"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *v).unwrap();
        }
        for (c, v) in ["a1", "semiconductors", "finance", "form\u{c}feed", "s"]
            .iter()
            .enumerate()
        {
            ws.write_string(1, c as u16, *v).unwrap();
        }
        wb.save(&xlsx).unwrap();
    }
    for (path, needle) in [
        (&csv, "actions.csv, line 3, field name: contains U+0007"),
        (
            &json,
            "ledger.json, actions[0], field source: contains U+001B",
        ),
        (
            &xlsx,
            "ledger.xlsx, sheet actions, row 2, field name: contains U+000C",
        ),
    ] {
        let batch = io::read(path, None).unwrap();
        let places = batch.places.clone();
        let err = l
            .apply(&batch.items, "importer", &|i| places[i].clone(), false)
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains(needle), "{msg}");
        assert!(msg.contains("nothing was imported"), "{msg}");
        assert_eq!(state(&mut l), before, "{}", path.display());
    }

    // line breaks in long text: kept, as \n; back unchanged through CSV
    let rec = l
        .add(action, &fields("ok", "first\r\nsecond\rthird"), "alice")
        .unwrap();
    assert_eq!(rec.text("notes"), Some("first\nsecond\nthird"));
    let snap = l.snapshot().unwrap();
    std::fs::write(&csv, io::to_csv(action, snap.of("action")).unwrap()).unwrap();
    let batch = io::read(&csv, None).unwrap();
    let report = l
        .apply(&batch.items, "importer", &|_| String::new(), false)
        .unwrap();
    assert_eq!(report.totals(), (0, 0, snap.of("action").len()));
}
