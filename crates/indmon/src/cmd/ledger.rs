//! `indmon ledger`: the programme ledger — the goal, the programmes per priority market,
//! their actions, instruments, budget lines, indicators, evaluations and milestones.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;

use crate::error::{Context as _, Result};
use indmon_ledger::io::{self as lio, Format as FileFormat};
use indmon_ledger::progress::{self, Progress, SeriesValue};
use indmon_ledger::schema::{self, ENTITIES, Entity, Kind};
use indmon_ledger::{Incoming, Ledger, Outcome, Record, Snapshot, seed};
use serde_json::json;

use indmon_report::shorten;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::output::{Format, print_rows};
use indmon_report::Cell;

/// The programme ledger: which programmes serve the industrial-policy goal, what they
/// do (actions of the nine types of the policy page), with which instruments and money
/// (budget lines per year, including tax expenditures), what they aim at (indicators
/// with baseline, target and actuals) and what evaluations found.
///
/// A new ledger starts with what the policy page states: the goal, the six programmes,
/// the nine action types, TKIs and the PPS innovation scheme, the 2024 total of about
/// €338.3 million (draft budget 2026, including tax expenditures), the end of the
/// top-sector policy on 2026-01-01 and the headline indicator (industry share, 15 % in
/// 2030), whose actuals come from the store. Unknown amounts stay empty.
///
/// The ledger is a SQLite file in the data directory (`ledger.sqlite`), or, for a team,
/// a PostgreSQL database: `--ledger "host=… user=… dbname=…"` or `postgres://…`
/// (or INDMON_LEDGER). Every change is versioned and kept in the audit trail
/// (`history`); a change based on an old version is refused (exit 6), nothing is lost.
///
/// Examples:
///   indmon ledger show
///   indmon ledger show semiconductors
///   indmon ledger list budget_lines
///   indmon ledger fields budget_line
///   indmon ledger add action programme_id=semiconductors action_type_id=finance name="Pilot line" source="Kamerbrief …"
///   indmon ledger update programme semiconductors --expect-version 1 status=active
///   indmon ledger export --format xlsx --out ledger.xlsx
///   indmon ledger import ledger.xlsx --dry-run
///   indmon ledger history programme semiconductors
///   indmon ledger delete milestone ms-1f2e3d4c --expect-version 2
///   indmon ledger token add alice --role editor
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The ledger: a SQLite file, or a PostgreSQL connection string [default: ledger.sqlite in the data directory]
    #[arg(long, global = true, env = "INDMON_LEDGER", value_name = "TARGET")]
    ledger: Option<String>,
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, clap::Subcommand)]
enum Action {
    /// List the records of one kind (default: programmes)
    List {
        /// goal, programme, action_type, action, instrument, budget_line, indicator, actual, evaluation, milestone (or their plurals)
        entity: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The goal and its programmes, action types, instruments, budget and headline
    /// indicator; or, with an ID, one record (a programme with its progress)
    Show {
        /// A record's id (a programme's id is its market, e.g. semiconductors)
        id: Option<String>,
        /// The kind of record, when an id is used by more than one
        #[arg(long)]
        entity: Option<String>,
        /// Output format (table or json)
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// The fields of one kind of record: name, kind, required, meaning
    Fields {
        /// The kind of record (all kinds without it)
        entity: Option<String>,
    },
    /// Add a record: FIELD=VALUE pairs (`indmon ledger fields ENTITY` lists them)
    Add {
        /// The kind of record
        entity: String,
        /// Its id [default: generated, e.g. act-1f2e3d4c]
        #[arg(long)]
        id: Option<String>,
        /// FIELD=VALUE pairs
        #[arg(value_name = "FIELD=VALUE")]
        values: Vec<String>,
        /// Who makes the change [default: $USER]
        #[arg(long)]
        actor: Option<String>,
    },
    /// Change a record: FIELD=VALUE pairs; FIELD= clears a field
    Update {
        /// The kind of record
        entity: String,
        /// Its id
        id: String,
        /// Refuse the change if the record is no longer at this version (as read with
        /// `show` or an export) [default: the version current when the change is made]
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
        /// FIELD=VALUE pairs
        #[arg(value_name = "FIELD=VALUE", required = true)]
        values: Vec<String>,
        /// Who makes the change [default: $USER]
        #[arg(long)]
        actor: Option<String>,
    },
    /// Delete a record (refused while others refer to it; the audit trail keeps it)
    Delete {
        /// The kind of record
        entity: String,
        /// Its id
        id: String,
        /// Refuse if the record is no longer at this version
        #[arg(long, value_name = "N")]
        expect_version: Option<i64>,
        /// Who makes the change [default: $USER]
        #[arg(long)]
        actor: Option<String>,
    },
    /// Import records from a .csv (one kind, named by the file or --entity), .json or
    /// .xlsx file: all or nothing
    Import {
        /// The file
        file: PathBuf,
        /// The kind of record in a CSV file [default: from its name, e.g. budget_lines.csv]
        #[arg(long)]
        entity: Option<String>,
        /// Check everything, change nothing
        #[arg(long)]
        dry_run: bool,
        /// Who makes the change [default: $USER]
        #[arg(long)]
        actor: Option<String>,
    },
    /// Export the ledger: json or xlsx (everything), csv (one kind to standard output,
    /// or every kind into the --out directory)
    Export {
        /// File format
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// Output file (json, xlsx) or directory (csv) [default: standard output; required for xlsx]
        #[arg(long, short)]
        out: Option<PathBuf>,
        /// Only this kind of record (csv)
        #[arg(long)]
        entity: Option<String>,
    },
    /// The audit trail: who changed what, when, before and after (newest first)
    History {
        /// The kind of record
        entity: Option<String>,
        /// Its id
        id: Option<String>,
        /// At most this many changes
        #[arg(long, default_value_t = 50)]
        limit: usize,
        /// Output format
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Tokens of the editors of the web pages
    #[command(subcommand)]
    Token(TokenAction),
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, clap::Subcommand)]
enum TokenAction {
    /// Make a token (shown once; only its hash is kept)
    Add {
        /// Who it is for
        name: String,
        /// editor (may change records) or reader (may sign in, may not change)
        #[arg(long, default_value = "editor")]
        role: String,
    },
    /// List the tokens (names, roles, dates; never the tokens)
    List,
    /// Revoke a token
    Revoke {
        /// Whose token
        name: String,
    },
}

/// The ledger the flags, the environment or the default name.
pub fn target(ctx: &Context, flag: Option<String>) -> Result<String> {
    if let Some(t) = flag {
        return Ok(t);
    }
    // The store marks the data directory as its own first; the ledger file sits beside it.
    ctx.open_store()?;
    Ok(ctx.data_dir.join("ledger.sqlite").display().to_string())
}

fn entity(name: &str) -> Result<&'static Entity> {
    schema::entity(name).ok_or_else(|| {
        UsageError(format!(
            "unknown kind of record '{name}'; expected one of {}",
            schema::entity_names()
        ))
        .into()
    })
}

fn actor(flag: Option<String>) -> String {
    flag.or_else(|| {
        ["USER", "LOGNAME", "USERNAME"]
            .iter()
            .find_map(|k| std::env::var(k).ok())
    })
    .filter(|s| !s.trim().is_empty())
    .unwrap_or_else(|| "unknown".into())
}

fn pairs(values: &[String]) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| UsageError(format!("expected FIELD=VALUE, found {v:?}")).into())
        })
        .collect()
}

/// Runs `indmon ledger`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let target = target(ctx, args.ledger)?;
    if let Action::Fields { entity: e } = &args.action {
        return fields(e.as_deref());
    }
    let mut ledger = Ledger::open(&target)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        Action::Fields { .. } => unreachable!("handled above"),
        Action::List { entity: e, format } => {
            let e = entity(e.as_deref().unwrap_or("programme"))?;
            let records = ledger.list(e)?;
            list(&mut out, e, &records, format)?;
        }
        Action::Show {
            id,
            entity: e,
            format,
        } => {
            let snap = ledger.snapshot()?;
            match id {
                None => {
                    let series = linked_series(ctx);
                    show_goal(&mut out, &snap, &series, ledger.target(), format)?;
                }
                Some(id) => {
                    let rec = find(&snap, &id, e.as_deref())?;
                    let series = if matches!(rec.entity.name, "goal" | "programme") {
                        linked_series(ctx)
                    } else {
                        Series::default()
                    };
                    show_record(&mut out, &snap, &rec, &series, format)?;
                }
            }
        }
        Action::Add {
            entity: e,
            id,
            values,
            actor: who,
        } => {
            let e = entity(&e)?;
            let inc = Incoming {
                id: id.unwrap_or_default(),
                version: None,
                fields: pairs(&values)?,
            };
            let rec = ledger.add(e, &inc, &actor(who))?;
            writeln!(
                out,
                "added {} '{}' (version {})",
                e.name, rec.id, rec.version
            )?;
        }
        Action::Update {
            entity: e,
            id,
            expect_version,
            values,
            actor: who,
        } => {
            let e = entity(&e)?;
            let inc = Incoming {
                id,
                version: expect_version,
                fields: pairs(&values)?,
            };
            let (rec, outcome) = ledger.update(e, &inc, &actor(who))?;
            match outcome {
                Outcome::Unchanged => writeln!(
                    out,
                    "{} '{}' already had these values; nothing changed (version {})",
                    e.name, rec.id, rec.version
                )?,
                _ => writeln!(
                    out,
                    "changed {} '{}' (now version {})",
                    e.name, rec.id, rec.version
                )?,
            }
        }
        Action::Delete {
            entity: e,
            id,
            expect_version,
            actor: who,
        } => {
            let e = entity(&e)?;
            let gone = ledger.delete(e, &id, expect_version, &actor(who))?;
            writeln!(
                out,
                "deleted {} '{}' (it was version {}; `indmon ledger history {} {}` keeps its fields)",
                e.name, gone.id, gone.version, e.name, gone.id
            )?;
        }
        Action::Import {
            file,
            entity: e,
            dry_run,
            actor: who,
        } => {
            let e = e.as_deref().map(entity).transpose()?;
            let batch = lio::read(&file, e)?;
            let places = batch.places.clone();
            let report =
                ledger.apply(&batch.items, &actor(who), &|i| places[i].clone(), dry_run)?;
            let rows: Vec<Vec<Cell>> = report
                .per_entity
                .iter()
                .map(|(k, (i, u, s))| {
                    vec![
                        (*k).into(),
                        Cell::Int(*i as i64),
                        Cell::Int(*u as i64),
                        Cell::Int(*s as i64),
                    ]
                })
                .collect();
            let (i, u, s) = report.totals();
            let note = if dry_run {
                format!(
                    "dry run: {i} would be added, {u} changed, {s} unchanged; nothing was written"
                )
            } else {
                format!(
                    "imported {}: {i} added, {u} changed, {s} unchanged",
                    file.display()
                )
            };
            print_rows(
                &mut out,
                Format::Table,
                &["entity", "added", "changed", "unchanged"],
                &rows,
                &[note],
            )?;
        }
        Action::Export {
            format,
            out: path,
            entity: e,
        } => {
            export(&mut ledger, format, path, e.as_deref())?;
        }
        Action::History {
            entity: e,
            id,
            limit,
            format,
        } => {
            let e = e.as_deref().map(entity).transpose()?;
            let changes = ledger.history(e, id.as_deref(), limit)?;
            if format == Format::Json {
                serde_json::to_writer_pretty(&mut out, &changes)?;
                writeln!(out)?;
            } else {
                let rows: Vec<Vec<Cell>> = changes
                    .iter()
                    .map(|c| {
                        let diff = c
                            .diff()
                            .iter()
                            .map(|(f, b, a)| {
                                if c.operation != "update" {
                                    format!("{f}={a}")
                                } else {
                                    format!("{f}: {b:?} → {a:?}")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; ");
                        vec![
                            c.changed_at.clone().into(),
                            c.changed_by.clone().into(),
                            c.entity.clone().into(),
                            c.record_id.clone().into(),
                            Cell::Int(c.version),
                            c.operation.clone().into(),
                            shorten(&diff, 160).into(),
                        ]
                    })
                    .collect();
                print_rows(
                    &mut out,
                    format,
                    &[
                        "changed_at",
                        "by",
                        "entity",
                        "id",
                        "version",
                        "operation",
                        "changes",
                    ],
                    &rows,
                    &[format!("ledger: {}", ledger.target())],
                )?;
            }
        }
        Action::Token(t) => match t {
            TokenAction::Add { name, role } => {
                let token = ledger.create_token(&name, &role)?;
                writeln!(out, "{token}")?;
                if !ctx.quiet {
                    eprintln!(
                        "token for {name} ({role}); it is shown this once — only its SHA-256 is kept. Sign in at /ledger/login of `indmon serve`."
                    );
                }
            }
            TokenAction::List => {
                let rows: Vec<Vec<Cell>> = ledger
                    .tokens()?
                    .into_iter()
                    .map(|(n, r, c, rv)| vec![n.into(), r.into(), c.into(), rv.into()])
                    .collect();
                print_rows(
                    &mut out,
                    Format::Table,
                    &["name", "role", "created_at", "revoked_at"],
                    &rows,
                    &[],
                )?;
            }
            TokenAction::Revoke { name } => {
                if !ledger.revoke_token(&name)? {
                    return Err(UsageError(format!("no active token named '{name}'")).into());
                }
                writeln!(out, "revoked the token of {name}")?;
            }
        },
    }
    Ok(())
}

type Series = BTreeMap<String, Vec<SeriesValue>>;

/// The store series linked indicators read (the industry share); on a store that
/// cannot give it, a note and no actuals.
fn linked_series(ctx: &Context) -> Series {
    let run = || -> Result<Series> {
        let store = ctx.store()?;
        let catalog = store.catalog()?;
        let rt = ctx.runtime()?;
        let opts = indmon_store::QueryOptions::default();
        Ok(rt.block_on(indmon_report::ledger::linked_series(
            &store,
            &opts,
            &catalog,
            &ctx.settings.target,
        ))?)
    };
    run().unwrap_or_else(|e| {
        eprintln!("note: the store series of the indicators could not be read: {e:#}");
        Series::default()
    })
}

fn fields(e: Option<&str>) -> Result<()> {
    let list: Vec<&Entity> = match e {
        Some(n) => vec![entity(n)?],
        None => ENTITIES.iter().collect(),
    };
    let mut rows = Vec::new();
    for e in list {
        rows.push(vec![
            e.name.into(),
            "id".into(),
            "id".into(),
            "no".into(),
            format!("letters, digits, - _ . [default: {}-…]", e.prefix).into(),
        ]);
        for f in e.fields {
            let kind = match f.kind {
                Kind::Text => "text".to_owned(),
                Kind::Int => "whole number".into(),
                Kind::Euro => "euros (whole)".into(),
                Kind::Year => "year".into(),
                Kind::Real => "number".into(),
                Kind::Date => "date YYYY-MM-DD".into(),
                Kind::Period => "YYYY, YYYY-Qn, YYYY-MM".into(),
                Kind::Code(c) => format!("one of {}", c.join("|")),
                Kind::Ref(r) => format!("id of a {r}"),
            };
            rows.push(vec![
                e.name.into(),
                f.name.into(),
                kind.into(),
                (if f.required { "yes" } else { "no" }).into(),
                f.help.into(),
            ]);
        }
    }
    print_rows(
        &mut std::io::stdout().lock(),
        Format::Table,
        &["entity", "field", "kind", "required", "meaning"],
        &rows,
        &[],
    )
}

/// The columns `list` shows in a table: the id, the version and the fields that say
/// most; CSV and JSON have every field.
fn summary_fields(e: &Entity) -> Vec<&'static str> {
    let wanted: &[&str] = match e.name {
        "goal" => &["name_nl"],
        "programme" => &["market", "status", "start_date", "end_date", "name_nl"],
        "action_type" => &["position", "name_nl", "name_en"],
        "action" => &["programme_id", "action_type_id", "status", "name"],
        "instrument" => &["kind", "programme_id", "name_nl"],
        "budget_line" => &[
            "year",
            "kind",
            "covers",
            "amount_eur",
            "programme_id",
            "goal_id",
            "source_document",
        ],
        "indicator" => &[
            "level",
            "unit",
            "baseline_value",
            "baseline_year",
            "target_value",
            "target_year",
            "series",
            "name_nl",
        ],
        "actual" => &["indicator_id", "period", "value", "source"],
        "evaluation" => &["date", "kind", "evidence", "finding"],
        "milestone" => &["date", "status", "programme_id", "name_nl"],
        _ => &[],
    };
    wanted.to_vec()
}

fn cell(v: &indmon_ledger::Value) -> Cell {
    match v {
        indmon_ledger::Value::Null => Cell::Null,
        indmon_ledger::Value::Int(i) => Cell::Int(*i),
        indmon_ledger::Value::Real(x) => Cell::Num(*x),
        indmon_ledger::Value::Text(s) => Cell::Text(s.clone()),
    }
}

fn list(
    out: &mut dyn std::io::Write,
    e: &'static Entity,
    records: &[Record],
    format: Format,
) -> Result<()> {
    let names: Vec<&str> = match format {
        Format::Table => summary_fields(e),
        _ => e.fields.iter().map(|f| f.name).collect(),
    };
    let mut header = vec!["id", "version"];
    header.extend(&names);
    let rows: Vec<Vec<Cell>> = records
        .iter()
        .map(|r| {
            let mut row = vec![r.id.clone().into(), Cell::Int(r.version)];
            row.extend(names.iter().map(|n| match cell(r.get(n)) {
                Cell::Text(s) if format == Format::Table => Cell::Text(shorten(&s, 70)),
                c => c,
            }));
            row
        })
        .collect();
    print_rows(
        out,
        format,
        &header,
        &rows,
        &[format!("{} {}", records.len(), e.plural)],
    )
}

fn find(snap: &Snapshot, id: &str, e: Option<&str>) -> Result<Record> {
    let hits: Vec<&Record> = match e {
        Some(n) => {
            let e = entity(n)?;
            snap.find(e.name, id).into_iter().collect()
        }
        None => ENTITIES
            .iter()
            .filter_map(|e| snap.find(e.name, id))
            .collect(),
    };
    match hits.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(indmon_ledger::Error::NotFound {
            entity: e.unwrap_or("record").into(),
            id: id.into(),
        }
        .into()),
        many => Err(UsageError(format!(
            "'{id}' is the id of a {}; say which with --entity",
            many.iter()
                .map(|r| r.entity.name)
                .collect::<Vec<_>>()
                .join(" and of a ")
        ))
        .into()),
    }
}

/// Euros as "€338.3 million (338,300,000 euros)".
pub fn euros(e: i64) -> String {
    let grouped = {
        let s = e.abs().to_string();
        let mut g = String::new();
        for (i, ch) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                g.push(',');
            }
            g.push(ch);
        }
        if e < 0 { format!("-{g}") } else { g }
    };
    if e.abs() >= 1_000_000 {
        format!("€{:.1} million ({grouped} euros)", e as f64 / 1e6)
    } else {
        format!("€{grouped}")
    }
}

fn show_goal(
    out: &mut dyn std::io::Write,
    snap: &Snapshot,
    series: &Series,
    target: &str,
    format: Format,
) -> Result<()> {
    let goals = snap.of("goal");
    if format == Format::Json {
        let doc = json!({
            "ledger": target,
            "goals": goals.iter().map(|g| progress_json(&progress::of(snap, g, series))).collect::<Vec<_>>(),
            "programmes": snap.of("programme").iter().map(Record::to_json).collect::<Vec<_>>(),
            "action_types": snap.of("action_type").iter().map(Record::to_json).collect::<Vec<_>>(),
            "instruments": snap.of("instrument").iter().map(Record::to_json).collect::<Vec<_>>(),
            "milestones": snap.of("milestone").iter().map(Record::to_json).collect::<Vec<_>>(),
            "evaluations": snap.of("evaluation").iter().map(Record::to_json).collect::<Vec<_>>(),
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(out, "Programme ledger ({target})")?;
    for g in goals {
        writeln!(out, "\nGoal: {} [{}]", g.name(false), g.id)?;
        if let Some(s) = g.text("statement") {
            writeln!(out, "  {s}")?;
        }
        writeln!(out, "  source: {}", g.text("source").unwrap_or_default())?;
        let p = progress::of(snap, g, series);
        print_progress(out, &p)?;
    }
    let programmes = snap.of("programme");
    writeln!(out, "\nProgrammes ({}):", programmes.len())?;
    for p in programmes {
        let count = |e: &str| snap.in_programme(e, &p.id).count();
        writeln!(
            out,
            "  {:<22} {:<16} {} actions, {} budget lines, {} indicators — {}",
            p.id,
            p.text("status").unwrap_or("status unknown"),
            count("action"),
            count("budget_line"),
            count("indicator"),
            shorten(p.name(false), 70),
        )?;
    }
    let types = snap.of("action_type");
    writeln!(out, "\nAction types ({}):", types.len())?;
    for t in types {
        writeln!(
            out,
            "  {}. {} ({}) [{}]",
            t.get("position"),
            t.name(false),
            t.text("name_en").unwrap_or_default(),
            t.id
        )?;
    }
    let instruments = snap.of("instrument");
    writeln!(out, "\nInstruments ({}):", instruments.len())?;
    for i in instruments {
        writeln!(
            out,
            "  {} — {} [{}]",
            i.name(false),
            i.text("kind").unwrap_or_default(),
            i.id
        )?;
    }
    let milestones = snap.of("milestone");
    writeln!(out, "\nMilestones ({}):", milestones.len())?;
    for m in milestones {
        writeln!(
            out,
            "  {:<10} {} ({})",
            m.text("date").unwrap_or("date n/a"),
            m.name(false),
            m.text("status").unwrap_or_default()
        )?;
    }
    let evaluations = snap.of("evaluation");
    writeln!(out, "\nEvaluations ({}):", evaluations.len())?;
    for e in evaluations {
        writeln!(
            out,
            "  {} {}: {}",
            e.text("date").unwrap_or("date n/a"),
            e.text("kind").unwrap_or_default(),
            e.text("finding").unwrap_or_default()
        )?;
    }
    writeln!(out, "\nSource of the seeded records: {}", seed::SOURCE)?;
    Ok(())
}

fn print_progress(out: &mut dyn std::io::Write, p: &Progress) -> Result<()> {
    for i in &p.indicators {
        let ind = &i.indicator;
        let unit = ind.text("unit").unwrap_or_default();
        let with_year = |v: &str, y: &str| match (ind.get(v).as_f64(), ind.get(y).as_int()) {
            (Some(v), Some(y)) => format!("{v} {unit} in {y}"),
            _ => "not set".to_owned(),
        };
        writeln!(
            out,
            "  indicator ({}): {} [{}] — baseline {}, target {}",
            ind.text("level").unwrap_or_default(),
            ind.name(false),
            ind.id,
            with_year("baseline_value", "baseline_year"),
            with_year("target_value", "target_year"),
        )?;
        match i.latest() {
            Some((period, value, source)) => {
                write!(out, "    latest {value:.2} {unit} ({period})")?;
                if let Some(gap) = i.gap {
                    let u = if unit == "%" {
                        "percentage points"
                    } else {
                        unit
                    };
                    write!(out, ", {gap:.2} {u} to go")?;
                }
                if let Some(w) = i.share_of_way {
                    write!(out, ", {:.0} % of the way from the baseline", w * 100.0)?;
                }
                writeln!(out, "\n    source: {source}")?;
            }
            None => writeln!(out, "    no actuals yet")?,
        }
    }
    for y in &p.budget {
        write!(out, "  budget {}:", y.year)?;
        if let Some(t) = y.stated_total {
            write!(out, " stated spending {}", euros(t))?;
        }
        let itemised: i64 = y.itemised.values().sum();
        if !y.itemised.is_empty() {
            let parts: Vec<String> = y
                .itemised
                .iter()
                .map(|(k, v)| format!("{k} {}", euros(*v)))
                .collect();
            write!(out, "; itemised: {}", parts.join(", "))?;
        } else if itemised == 0 {
            write!(out, "; nothing itemised yet")?;
        }
        if let Some(n) = y.not_itemised.filter(|n| *n > 0 && !y.itemised.is_empty()) {
            write!(out, "; not itemised {}", euros(n))?;
        }
        if y.unknown_lines > 0 {
            write!(out, "; {} lines without an amount", y.unknown_lines)?;
        }
        if let Some(s) = y.spent_share {
            write!(out, "; spent {:.0} % of commitments", s * 100.0)?;
        }
        writeln!(out)?;
        for s in &y.total_sources {
            writeln!(out, "    source: {s}")?;
        }
    }
    Ok(())
}

fn progress_json(p: &Progress) -> serde_json::Value {
    json!({
        "scope": p.scope.to_json(),
        "indicators": p.indicators.iter().map(|i| json!({
            "indicator": i.indicator.to_json(),
            "actuals": i.actuals.iter().map(|(p, v, s)| json!({"period": p, "value": v, "source": s})).collect::<Vec<_>>(),
            "gap": i.gap,
            "share_of_way": i.share_of_way,
        })).collect::<Vec<_>>(),
        "budget": p.budget.iter().map(|y| json!({
            "year": y.year,
            "stated_total_eur": y.stated_total,
            "total_sources": y.total_sources,
            "itemised_eur": y.itemised,
            "lines_without_amount": y.unknown_lines,
            "not_itemised_eur": y.not_itemised,
            "spent_eur": y.spent,
            "committed_eur": y.committed,
            "spent_share_of_commitments": y.spent_share,
        })).collect::<Vec<_>>(),
    })
}

fn show_record(
    out: &mut dyn std::io::Write,
    snap: &Snapshot,
    rec: &Record,
    series: &Series,
    format: Format,
) -> Result<()> {
    let progress =
        matches!(rec.entity.name, "goal" | "programme").then(|| progress::of(snap, rec, series));
    if format == Format::Json {
        let mut doc = json!({ "record": rec.to_json() });
        if let Some(p) = &progress {
            doc["progress"] = progress_json(p);
        }
        if rec.entity.name == "programme" {
            for e in schema::PROGRAMME_PARTS.iter().copied() {
                let ent = schema::entity(e).expect("entity");
                doc[ent.plural] = snap.in_programme(e, &rec.id).map(Record::to_json).collect();
            }
        }
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        return Ok(());
    }
    writeln!(
        out,
        "{} '{}' — version {}, changed {} by {}",
        rec.entity.name, rec.id, rec.version, rec.updated_at, rec.updated_by
    )?;
    for (f, v) in rec.entity.fields.iter().zip(&rec.values) {
        let shown = match (f.kind, v.as_int()) {
            (Kind::Euro, Some(e)) => euros(e),
            _ => v.to_string(),
        };
        writeln!(
            out,
            "  {:<16} {}",
            f.name,
            if v.is_null() { "—".to_owned() } else { shown }
        )?;
    }
    if let Some(p) = &progress {
        writeln!(out, "\nProgress:")?;
        print_progress(out, p)?;
        if p.indicators.is_empty() && p.budget.is_empty() {
            writeln!(out, "  no indicators and no budget lines yet")?;
        }
    }
    if rec.entity.name == "programme" {
        for e in schema::PROGRAMME_PARTS.iter().copied() {
            let ent = schema::entity(e).expect("entity");
            let items: Vec<&Record> = snap.in_programme(e, &rec.id).collect();
            if !items.is_empty() {
                writeln!(out, "\n{} ({}):", ent.plural, items.len())?;
                for r in items {
                    writeln!(out, "  {} — {}", r.id, shorten(r.name(false), 90))?;
                }
            }
        }
    }
    Ok(())
}

fn export(
    ledger: &mut Ledger,
    format: ExportFormat,
    path: Option<PathBuf>,
    e: Option<&str>,
) -> Result<()> {
    let snap = ledger.snapshot()?;
    let write = |p: &std::path::Path, bytes: &[u8]| -> Result<()> {
        // Written next to the destination, then renamed: never a half-written file.
        let tmp = p.with_extension("partial");
        std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, p).with_context(|| format!("writing {}", p.display()))?;
        Ok(())
    };
    match format {
        ExportFormat::Json => {
            let bytes = serde_json::to_vec_pretty(&lio::to_json(&snap, ledger.target()))?;
            match path {
                Some(p) => write(&p, &bytes)?,
                None => {
                    let mut o = std::io::stdout().lock();
                    o.write_all(&bytes)?;
                    writeln!(o)?;
                }
            }
        }
        ExportFormat::Xlsx => {
            let p =
                path.ok_or_else(|| UsageError("an Excel export needs --out FILE.xlsx".into()))?;
            if FileFormat::of(&p) != Some(FileFormat::Xlsx) {
                return Err(UsageError(format!(
                    "{}: an Excel file's name ends in .xlsx",
                    p.display()
                ))
                .into());
            }
            write(&p, &lio::to_xlsx(&snap, ledger.target())?)?;
            eprintln!("wrote {}", p.display());
        }
        ExportFormat::Csv => match (e, path) {
            (Some(e), None) => {
                let e = entity(e)?;
                std::io::stdout()
                    .lock()
                    .write_all(&lio::to_csv(e, snap.of(e.name))?)?;
            }
            (Some(e), Some(p)) => {
                let e = entity(e)?;
                write(&p, &lio::to_csv(e, snap.of(e.name))?)?;
            }
            (None, Some(dir)) => {
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("creating {}", dir.display()))?;
                for e in ENTITIES {
                    write(
                        &dir.join(format!("{}.csv", e.plural)),
                        &lio::to_csv(e, snap.of(e.name))?,
                    )?;
                }
                eprintln!("wrote {} CSV files into {}", ENTITIES.len(), dir.display());
            }
            (None, None) => {
                return Err(UsageError(
                    "a CSV export is one kind of record (--entity programme) or every kind into a directory (--out DIR)".into(),
                )
                .into());
            }
        },
    }
    Ok(())
}
