//! The text of `indmon ledger show`, `list` and `history` for reading: the views of
//! `indmon_report::ledger` written out (CSV and JSON are the views' own).

use std::io::Write;

use indmon_ledger::Record;
use indmon_ledger::progress::Progress;
use indmon_ledger::schema::{self, Entity, Kind};
use indmon_report::ledger::{History, LedgerView, RecordList, RecordView};
use indmon_report::{Cell, Table, Tabular, shorten};

use crate::error::Result;
use crate::output::print_table;

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

/// The whole ledger: each goal with its progress, then the programmes, action types,
/// instruments, milestones and evaluations.
pub fn ledger(out: &mut dyn Write, v: &LedgerView) -> Result<()> {
    writeln!(out, "Programme ledger ({})", v.ledger)?;
    for p in &v.goals {
        let g = &p.scope;
        writeln!(out, "\nGoal: {} [{}]", g.name(false), g.id)?;
        if let Some(s) = g.text("statement") {
            writeln!(out, "  {s}")?;
        }
        writeln!(out, "  source: {}", g.text("source").unwrap_or_default())?;
        progress(out, p)?;
    }
    writeln!(out, "\nProgrammes ({}):", v.programmes.len())?;
    for l in &v.programmes {
        let p = &l.record;
        writeln!(
            out,
            "  {:<22} {:<16} {} actions, {} budget lines, {} indicators — {}",
            p.id,
            p.text("status").unwrap_or("status unknown"),
            l.actions,
            l.budget_lines,
            l.indicators,
            shorten(p.name(false), 70),
        )?;
    }
    let types = &v.action_types;
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
    let instruments = &v.instruments;
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
    let milestones = &v.milestones;
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
    let evaluations = &v.evaluations;
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
    writeln!(out, "\nSource of the seeded records: {}", v.seed_source)?;
    Ok(())
}

/// A goal's or programme's indicators and budget.
fn progress(out: &mut dyn Write, p: &Progress) -> Result<()> {
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

/// One record, with its progress and (a programme) its parts.
pub fn record(out: &mut dyn Write, v: &RecordView) -> Result<()> {
    let rec = &v.record;
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
    if let Some(p) = &v.progress {
        writeln!(out, "\nProgress:")?;
        progress(out, p)?;
        if p.indicators.is_empty() && p.budget.is_empty() {
            writeln!(out, "  no indicators and no budget lines yet")?;
        }
    }
    for e in schema::PROGRAMME_PARTS.iter().copied() {
        let ent = schema::entity(e).expect("a programme part is an entity");
        let items: &[Record] = v.parts.get(ent.plural).map_or(&[], Vec::as_slice);
        if !items.is_empty() {
            writeln!(out, "\n{} ({}):", ent.plural, items.len())?;
            for r in items {
                writeln!(out, "  {} — {}", r.id, shorten(r.name(false), 90))?;
            }
        }
    }
    Ok(())
}

/// The columns `list` shows in a table: the id, the version and the fields that say
/// most; CSV and JSON have every field.
fn summary_fields(e: &Entity) -> &'static [&'static str] {
    match e.name {
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
    }
}

/// Some columns of a table, by name, in that order.
fn select(t: &Table, names: &[&str]) -> Table {
    let at: Vec<usize> = names
        .iter()
        .filter_map(|n| t.columns.iter().position(|c| c.name == *n))
        .collect();
    Table {
        columns: at.iter().map(|&i| t.columns[i].clone()).collect(),
        rows: t
            .rows
            .iter()
            .map(|r| at.iter().map(|&i| r[i].clone()).collect())
            .collect(),
    }
}

/// Long texts cut for a table.
fn shortened(mut t: Table, n: usize) -> Table {
    for r in &mut t.rows {
        for c in r.iter_mut() {
            if let Cell::Text(s) = c {
                *s = shorten(s, n);
            }
        }
    }
    t
}

/// The records of a kind with the fields that say most.
pub fn summary(out: &mut dyn Write, e: &Entity, list: &RecordList) -> Result<()> {
    let mut names = vec!["id", "version"];
    names.extend(summary_fields(e));
    print_table(
        out,
        &shortened(select(&list.table(), &names), 70),
        &list.notes(),
    )
}

/// The audit trail, long changes cut.
pub fn history(out: &mut dyn Write, h: &History) -> Result<()> {
    print_table(out, &shortened(h.table(), 160), &h.notes())
}
