//! `indmon ledger`: the programme ledger — the goal, the programmes per priority market,
//! their actions, instruments, budget lines, indicators, evaluations and milestones.

mod args;
mod files;
mod text;

pub use args::Args;
use args::{Action, TokenAction};

use std::io::Write as _;

use indmon_ledger::schema::{self, ENTITIES, Entity};
use indmon_ledger::{Incoming, Ledger, Outcome, Record, Snapshot};
use indmon_report::Cell;
use indmon_report::ledger::{self as report, History, RecordList, Series};
use indmon_report::table;

use crate::cmd::UsageError;
use crate::config::Context;
use crate::error::Result;
use crate::output::{Format, print, print_rows};

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
            "unknown kind of record {}; expected one of {}",
            indmon_core::quote(name),
            schema::entity_names()
        ))
        .into()
    })
}

/// Who the audit trail names for a change: `--actor`, else `$USER`, `$LOGNAME` or
/// `$USERNAME`, else the operating system's name of the account running indmon, else
/// [`UNKNOWN_ACTOR`].
fn actor(flag: Option<String>) -> String {
    flag.into_iter()
        .chain(
            ["USER", "LOGNAME", "USERNAME"]
                .iter()
                .filter_map(|k| std::env::var(k).ok()),
        )
        .chain(whoami::username().ok())
        .find(|s| !s.trim().is_empty())
        .unwrap_or_else(|| UNKNOWN_ACTOR.into())
}

/// The actor when neither a flag, the environment nor the operating system names one.
const UNKNOWN_ACTOR: &str = "unknown";

fn pairs(values: &[String]) -> Result<Vec<(String, String)>> {
    values
        .iter()
        .map(|v| {
            v.split_once('=')
                .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                .ok_or_else(|| {
                    UsageError(format!(
                        "expected FIELD=VALUE, found {}",
                        indmon_core::quote(v)
                    ))
                    .into()
                })
        })
        .collect()
}

/// An effect evaluation to record ([`record_evaluation`]).
#[derive(Debug, Clone)]
pub struct EvaluationRecord {
    /// What it found, in one sentence with its numbers.
    pub finding: String,
    /// How to reproduce it: the command, the method version and the data.
    pub source: String,
    /// The strength of evidence the evaluator states.
    pub evidence: Option<String>,
    /// The programme it is about.
    pub programme: Option<String>,
    /// The goal it is about.
    pub goal: Option<String>,
    /// The instrument it is about.
    pub instrument: Option<String>,
}

/// Adds an evaluation of kind `effect`, dated today, to the ledger `flag` (or the
/// default one) and says so on standard error (standard output carries the result). A
/// bad value (an unknown programme, an evidence strength not in the list) is refused
/// and nothing is written.
pub fn record_evaluation(ctx: &Context, flag: Option<String>, e: EvaluationRecord) -> Result<()> {
    let target = target(ctx, flag)?;
    let mut ledger = Ledger::open(&target)?;
    let mut fields = vec![
        ("kind".to_string(), "effect".to_string()),
        ("finding".to_string(), e.finding),
        ("source".to_string(), e.source),
        (
            "date".to_string(),
            chrono::Utc::now().date_naive().to_string(),
        ),
    ];
    for (k, v) in [
        ("evidence", e.evidence),
        ("programme_id", e.programme),
        ("goal_id", e.goal),
        ("instrument_id", e.instrument),
    ] {
        if let Some(v) = v {
            fields.push((k.to_string(), v));
        }
    }
    let inc = Incoming {
        id: String::new(),
        version: None,
        fields,
    };
    let rec = ledger.add(entity("evaluation")?, &inc, &actor(None))?;
    // what was written, always (like `ledger add`): on standard error, as standard
    // output carries the result
    eprintln!(
        "recorded evaluation '{}' (version {}) in {target}",
        rec.id, rec.version
    );
    Ok(())
}

/// Runs `indmon ledger`.
pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let target = target(ctx, args.ledger)?;
    if let Action::Fields { entity: e } = &args.action {
        let list: Vec<&'static Entity> =
            e.as_deref().map(entity).transpose()?.into_iter().collect();
        return print(
            &mut std::io::stdout().lock(),
            Format::Table,
            &report::fields(&list),
        );
    }
    let mut ledger = Ledger::open(&target)?;
    let mut out = std::io::stdout().lock();
    match args.action {
        Action::Fields { .. } => unreachable!("handled above"),
        Action::List { entity: e, format } => {
            let e = entity(e.as_deref().unwrap_or("programme"))?;
            let list = RecordList {
                entity: e.name.into(),
                records: ledger.list(e)?,
            };
            match format {
                Format::Table => text::summary(&mut out, e, &list)?,
                f => print(&mut out, f, &list)?,
            }
        }
        Action::Show {
            id,
            entity: e,
            format,
        } => {
            let snap = ledger.snapshot()?;
            match id {
                None => {
                    let view = report::view(&snap, &linked_series(ctx), ledger.target());
                    match format {
                        Format::Json => out.write_all(table::json(&view).as_bytes())?,
                        _ => text::ledger(&mut out, &view)?,
                    }
                }
                Some(id) => {
                    let rec = find(&snap, &id, e.as_deref())?;
                    let series = if matches!(rec.entity.name, "goal" | "programme") {
                        linked_series(ctx)
                    } else {
                        Series::default()
                    };
                    let view = report::record_view(&snap, &rec, &series);
                    match format {
                        Format::Json => out.write_all(table::json(&view).as_bytes())?,
                        _ => text::record(&mut out, &view)?,
                    }
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
            files::import(&mut out, &mut ledger, &file, e, &actor(who), dry_run)?;
        }
        Action::Export {
            format,
            out: path,
            entity: e,
        } => {
            let e = e.as_deref().map(entity).transpose()?;
            files::export(ctx, &mut ledger, format, path, e)?;
        }
        Action::History {
            entity: e,
            id,
            limit,
            format,
        } => {
            let e = e.as_deref().map(entity).transpose()?;
            let history = History {
                ledger: ledger.target().into(),
                changes: ledger.history(e, id.as_deref(), limit)?,
            };
            match format {
                Format::Table => text::history(&mut out, &history)?,
                f => print(&mut out, f, &history)?,
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
                    return Err(UsageError(format!(
                        "no active token named {}",
                        indmon_core::quote(name)
                    ))
                    .into());
                }
                writeln!(out, "revoked the token of {name}")?;
            }
        },
    }
    Ok(())
}

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
            "{} is the id of a {}; say which with --entity",
            indmon_core::quote(id),
            many.iter()
                .map(|r| r.entity.name)
                .collect::<Vec<_>>()
                .join(" and of a ")
        ))
        .into()),
    }
}
