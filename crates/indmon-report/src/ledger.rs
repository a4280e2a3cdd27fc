//! The programme ledger as shown: the whole ledger with each goal's progress, one
//! record with its progress and parts, lists of records, the audit trail and the field
//! lists (the ledger computes the progress; this module assembles the views); and the
//! store series the ledger's indicators link to.
//!
//! `industry_share`: the share of industry in total value added of the configured
//! country, as `indmon target` measures it (the settings' definition, the preferred
//! dataset), in per cent, one value per year, each with the source line of its vintage
//! and the method version.

use std::collections::BTreeMap;

use indmon_core::settings::TargetSettings;
use indmon_ledger::progress::{self, Progress, SeriesValue};
use indmon_ledger::schema::{self, Entity, Kind};
use indmon_ledger::{Change, Record, Snapshot, Value};
use indmon_store::{Catalog, QueryOptions, Store};
use serde::Serialize;

use crate::Result;
use crate::table::{Cell, Col, Column, Table, Tabular};
use crate::target::{Definition, load};

/// The linked series, by name; a series the store has no data for is absent.
pub async fn linked_series(
    store: &Store,
    opts: &QueryOptions,
    catalog: &Catalog,
    settings: &TargetSettings,
) -> Result<BTreeMap<String, Vec<SeriesValue>>> {
    let def = Definition::of(settings);
    let data = load(
        store,
        opts,
        std::slice::from_ref(&settings.geo),
        &def,
        "auto",
    )
    .await?;
    let mut out = BTreeMap::new();
    if let Some(series) = data.get(&settings.geo) {
        let values = series
            .iter()
            .map(|o| {
                let line = catalog
                    .vintages(&o.dataset)
                    .iter()
                    .find(|m| m.vintage == o.vintage)
                    .map_or_else(
                        || format!("{} {}", o.dataset, o.vintage),
                        |m| m.source_line(),
                    );
                SeriesValue {
                    period: o.year.to_string(),
                    value: o.share() * 100.0,
                    source: format!(
                        "{line}; {} {}; indmon {}",
                        settings.geo,
                        def.describe(),
                        indmon_analytics::METHOD_VERSION
                    ),
                }
            })
            .collect();
        out.insert("industry_share".to_owned(), values);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------
// The ledger's views: what `indmon ledger show|list|history|fields` and the API show

/// The store values of the linked indicators, by series name.
pub type Series = BTreeMap<String, Vec<SeriesValue>>;

/// A programme with the number of its parts.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeLine {
    /// The programme.
    #[serde(flatten)]
    pub record: Record,
    /// Its actions.
    pub actions: usize,
    /// Its budget lines.
    pub budget_lines: usize,
    /// Its indicators.
    pub indicators: usize,
}

/// The whole ledger at a glance: each goal with its progress, the programmes, the
/// action types, instruments, milestones and evaluations.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    /// The ledger (SQLite path or PostgreSQL target, without password).
    pub ledger: String,
    /// Each goal's progress (indicators against targets, spending against budget).
    pub goals: Vec<Progress>,
    /// The programmes.
    pub programmes: Vec<ProgrammeLine>,
    /// The nine action types.
    pub action_types: Vec<Record>,
    /// The instruments.
    pub instruments: Vec<Record>,
    /// The milestones.
    pub milestones: Vec<Record>,
    /// The evaluations.
    pub evaluations: Vec<Record>,
    /// Where the seeded records come from.
    pub seed_source: String,
}

/// The ledger at a glance, from a snapshot and the linked store series.
pub fn view(snap: &Snapshot, series: &Series, ledger: &str) -> LedgerView {
    let records = |e: &str| snap.of(e).to_vec();
    LedgerView {
        ledger: ledger.to_owned(),
        goals: snap
            .of("goal")
            .iter()
            .map(|g| progress::of(snap, g, series))
            .collect(),
        programmes: snap
            .of("programme")
            .iter()
            .map(|p| {
                let count = |e: &str| snap.in_programme(e, &p.id).count();
                ProgrammeLine {
                    actions: count("action"),
                    budget_lines: count("budget_line"),
                    indicators: count("indicator"),
                    record: p.clone(),
                }
            })
            .collect(),
        action_types: records("action_type"),
        instruments: records("instrument"),
        milestones: records("milestone"),
        evaluations: records("evaluation"),
        seed_source: indmon_ledger::seed::SOURCE.to_owned(),
    }
}

/// One record; for a goal or programme with its progress, for a programme with its
/// parts (actions, instruments, budget lines, indicators … by kind).
#[derive(Debug, Clone, Serialize)]
pub struct RecordView {
    /// The record.
    pub record: Record,
    /// Its progress (goals and programmes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    /// A programme's parts by kind (plural name).
    #[serde(flatten)]
    pub parts: BTreeMap<String, Vec<Record>>,
}

/// The view of `rec` (a record of `snap`).
pub fn record_view(snap: &Snapshot, rec: &Record, series: &Series) -> RecordView {
    let progress =
        matches!(rec.entity.name, "goal" | "programme").then(|| progress::of(snap, rec, series));
    let mut parts = BTreeMap::new();
    if rec.entity.name == "programme" {
        for e in schema::PROGRAMME_PARTS.iter().copied() {
            let ent = schema::entity(e).expect("a programme part is an entity");
            parts.insert(
                ent.plural.to_owned(),
                snap.in_programme(e, &rec.id).cloned().collect(),
            );
        }
    }
    RecordView {
        record: rec.clone(),
        progress,
        parts,
    }
}

fn cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Null,
        Value::Int(i) => Cell::Int(*i),
        Value::Real(x) => Cell::Num(*x),
        Value::Text(s) => Cell::Text(s.clone()),
    }
}

fn column(name: &str, unit: &str, meaning: &str) -> Column {
    Column {
        name: name.to_owned(),
        unit: unit.to_owned(),
        meaning: meaning.to_owned(),
        decimals: None,
    }
}

/// The records of one kind, every field.
#[derive(Debug, Clone, Serialize)]
pub struct RecordList {
    /// The kind (entity name).
    pub entity: String,
    /// The records.
    pub records: Vec<Record>,
}

impl Tabular for RecordList {
    /// The columns are the entity's field list (declared once in
    /// `indmon_ledger::schema`), after the id and the version.
    fn table(&self) -> Table {
        let Some(e) = schema::entity(&self.entity) else {
            return Table {
                columns: Vec::new(),
                rows: Vec::new(),
            };
        };
        let mut columns = vec![
            column("id", "", "The record's id."),
            column("version", "", "Its version: raised by one by every change."),
        ];
        columns.extend(e.fields.iter().map(|f| {
            column(
                f.name,
                if matches!(f.kind, Kind::Euro) {
                    "EUR"
                } else {
                    ""
                },
                f.help,
            )
        }));
        let rows = self
            .records
            .iter()
            .map(|r| {
                let mut row = vec![Cell::Text(r.id.clone()), Cell::Int(r.version)];
                row.extend(r.values.iter().map(cell));
                row
            })
            .collect();
        Table { columns, rows }
    }
    fn notes(&self) -> Vec<String> {
        let plural = schema::entity(&self.entity).map_or(self.entity.as_str(), |e| e.plural);
        vec![format!("{} {plural}", self.records.len())]
    }
    fn file_stem(&self) -> String {
        format!("indmon-ledger-{}", self.entity)
    }
}

/// Changes from the audit trail, newest first.
#[derive(Debug, Clone, Serialize)]
pub struct History {
    /// The ledger.
    pub ledger: String,
    /// The changes.
    pub changes: Vec<Change>,
}

const HISTORY: &[Col<Change>] = &[
    Col {
        name: "changed_at",
        unit: "",
        meaning: "When (RFC 3339, UTC).",
        decimals: None,
        get: |c| (&c.changed_at).into(),
    },
    Col {
        name: "by",
        unit: "",
        meaning: "Who.",
        decimals: None,
        get: |c| (&c.changed_by).into(),
    },
    Col {
        name: "entity",
        unit: "",
        meaning: "The kind of record.",
        decimals: None,
        get: |c| (&c.entity).into(),
    },
    Col {
        name: "id",
        unit: "",
        meaning: "The record's id.",
        decimals: None,
        get: |c| (&c.record_id).into(),
    },
    Col {
        name: "version",
        unit: "",
        meaning: "The version this change made.",
        decimals: None,
        get: |c| Cell::Int(c.version),
    },
    Col {
        name: "operation",
        unit: "",
        meaning: "insert, update or delete.",
        decimals: None,
        get: |c| (&c.operation).into(),
    },
    Col {
        name: "changes",
        unit: "",
        meaning: "The fields that changed: field=value (insert, delete) or field: before → after.",
        decimals: None,
        get: |c| {
            c.diff()
                .iter()
                .map(|(f, b, a)| {
                    if c.operation != "update" {
                        format!("{f}={a}")
                    } else {
                        format!("{f}: {b:?} → {a:?}")
                    }
                })
                .collect::<Vec<_>>()
                .join("; ")
                .into()
        },
    },
];

impl Tabular for History {
    fn table(&self) -> Table {
        Table::of(HISTORY, &self.changes)
    }
    fn notes(&self) -> Vec<String> {
        vec![format!("ledger: {}", self.ledger)]
    }
    fn file_stem(&self) -> String {
        "indmon-ledger-history".into()
    }
}

/// One field of a kind of record, as the field lists declare it.
#[derive(Debug, Clone, Serialize)]
pub struct FieldInfo {
    /// The kind of record.
    pub entity: String,
    /// The field.
    pub field: String,
    /// What values it takes.
    pub kind: String,
    /// Whether it must be given.
    pub required: bool,
    /// What it means.
    pub meaning: String,
}

/// The fields of some kinds of record.
#[derive(Debug, Clone, Serialize)]
pub struct FieldList {
    /// The fields, kind by kind.
    pub fields: Vec<FieldInfo>,
}

/// The fields of `entities` (every kind when empty).
pub fn fields(entities: &[&'static Entity]) -> FieldList {
    let list: Vec<&Entity> = if entities.is_empty() {
        schema::ENTITIES.iter().collect()
    } else {
        entities.to_vec()
    };
    let mut fields = Vec::new();
    for e in list {
        fields.push(FieldInfo {
            entity: e.name.into(),
            field: "id".into(),
            kind: "id".into(),
            required: false,
            meaning: format!("letters, digits, - _ . [default: {}-…]", e.prefix),
        });
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
            fields.push(FieldInfo {
                entity: e.name.into(),
                field: f.name.into(),
                kind,
                required: f.required,
                meaning: f.help.into(),
            });
        }
    }
    FieldList { fields }
}

const FIELDS: &[Col<FieldInfo>] = &[
    Col {
        name: "entity",
        unit: "",
        meaning: "The kind of record.",
        decimals: None,
        get: |f| (&f.entity).into(),
    },
    Col {
        name: "field",
        unit: "",
        meaning: "The field.",
        decimals: None,
        get: |f| (&f.field).into(),
    },
    Col {
        name: "kind",
        unit: "",
        meaning: "What values it takes.",
        decimals: None,
        get: |f| (&f.kind).into(),
    },
    Col {
        name: "required",
        unit: "",
        meaning: "Whether it must be given.",
        decimals: None,
        get: |f| (if f.required { "yes" } else { "no" }).into(),
    },
    Col {
        name: "meaning",
        unit: "",
        meaning: "What it means.",
        decimals: None,
        get: |f| (&f.meaning).into(),
    },
];

impl Tabular for FieldList {
    fn table(&self) -> Table {
        Table::of(FIELDS, &self.fields)
    }
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    fn file_stem(&self) -> String {
        "indmon-ledger-fields".into()
    }
}
