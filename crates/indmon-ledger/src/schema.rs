//! What the ledger holds: its entities, their fields, and the migrations that create
//! the tables.
//!
//! The chain of the policy page: a tactical **goal** → **programmes** (one per priority
//! market, more allowed) → **actions**, each of one of the nine **action types** →
//! **instruments** → **budget lines** per year → **indicators** with baseline, target and
//! **actuals** → **evaluations** → **milestones**.
//!
//! Every record has an `id` (chosen by the user, or generated), a `version` that every
//! change raises by one (optimistic locking), and who changed it last and when. The
//! field lists here drive validation, import, export and the web forms; a test checks
//! them against the migrated tables of both databases.

/// What a field holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Free text.
    Text,
    /// A whole number.
    Int,
    /// A whole number of euros (current prices).
    Euro,
    /// A year, 1900–2100.
    Year,
    /// A real number.
    Real,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A period of an actual: `YYYY`, `YYYY-Qn` or `YYYY-MM`.
    Period,
    /// One of a fixed list of codes.
    Code(&'static [&'static str]),
    /// The id of a record of another entity.
    Ref(&'static str),
}

/// One field of an entity.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Column name (also the CSV header, the JSON key and the form field).
    pub name: &'static str,
    /// What it holds.
    pub kind: Kind,
    /// Whether it must be given.
    pub required: bool,
    /// A short explanation, shown in help and forms.
    pub help: &'static str,
}

const fn f(name: &'static str, kind: Kind, required: bool, help: &'static str) -> Field {
    Field {
        name,
        kind,
        required,
        help,
    }
}

/// One kind of record.
#[derive(Debug)]
pub struct Entity {
    /// Table name, and the name used on the command line, in files and URLs.
    pub name: &'static str,
    /// Plural, for sheet and file names.
    pub plural: &'static str,
    /// Dutch label.
    pub label_nl: &'static str,
    /// English label.
    pub label_en: &'static str,
    /// Prefix of generated ids.
    pub prefix: &'static str,
    /// The fields besides `id`, `version`, `updated_at` and `updated_by`.
    pub fields: &'static [Field],
}

/// The long text fields: text of several lines (a text area in the web forms). Only
/// these may hold line breaks; every other text is one line.
pub const LONG_TEXT: &[&str] = &["statement", "description", "finding", "notes"];

impl Field {
    /// Whether the field is long text of several lines ([`LONG_TEXT`]).
    pub fn multiline(&self) -> bool {
        self.kind == Kind::Text && LONG_TEXT.contains(&self.name)
    }
}

impl Entity {
    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Statuses of programmes and actions.
pub const STATUSES: &[&str] = &["in_preparation", "active", "ended", "stopped"];
/// Kinds of instrument.
pub const INSTRUMENT_KINDS: &[&str] = &[
    "subsidy",
    "tax_expenditure",
    "loan_guarantee",
    "procurement",
    "regulation",
    "other",
];
/// Kinds of budget line.
pub const BUDGET_KINDS: &[&str] = &["commitment", "expenditure", "receipt", "tax_expenditure"];
/// Levels of an indicator in a results framework.
pub const INDICATOR_LEVELS: &[&str] = &["output", "outcome", "impact"];
/// Kinds of evaluation.
pub const EVALUATION_KINDS: &[&str] = &["ex_ante", "process", "effect", "synthesis", "other"];
/// Strength of the evidence of an evaluation.
pub const EVIDENCE: &[&str] = &["weak", "moderate", "strong"];
/// Statuses of a milestone.
pub const MILESTONE_STATUSES: &[&str] = &["planned", "reached", "delayed", "cancelled"];
/// Price bases of a budget line.
pub const PRICES: &[&str] = &["current"];
/// Accounting bases of a budget line.
pub const BASES: &[&str] = &["cash", "commitment", "transaction"];
/// The six priority markets (ids of `taxonomy/priority-markets.toml`).
pub const MARKETS: &[&str] = &[
    "semiconductors",
    "biotechnology",
    "digital_ai",
    "machine_building",
    "innovative_chemistry",
    "defence_growth",
];

/// Every entity, parents before children (the order of import and export).
pub const ENTITIES: &[Entity] = &[
    Entity {
        name: "goal",
        plural: "goals",
        label_nl: "Doel",
        label_en: "Goal",
        prefix: "goal",
        fields: &[
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f(
                "statement",
                Kind::Text,
                false,
                "the goal as the policy states it",
            ),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "programme",
        plural: "programmes",
        label_nl: "Programma",
        label_en: "Programme",
        prefix: "prog",
        fields: &[
            f("goal_id", Kind::Ref("goal"), true, "the goal it serves"),
            f(
                "market",
                Kind::Code(MARKETS),
                false,
                "priority market, if it has one",
            ),
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f("status", Kind::Code(STATUSES), false, "status"),
            f("start_date", Kind::Date, false, "start"),
            f("end_date", Kind::Date, false, "end"),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "action_type",
        plural: "action_types",
        label_nl: "Soort actie",
        label_en: "Action type",
        prefix: "type",
        fields: &[
            f("position", Kind::Int, true, "order on the policy page"),
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f("description", Kind::Text, false, "what it covers"),
            f("source", Kind::Text, true, "where this is stated"),
        ],
    },
    Entity {
        name: "action",
        plural: "actions",
        label_nl: "Actie",
        label_en: "Action",
        prefix: "act",
        fields: &[
            f(
                "programme_id",
                Kind::Ref("programme"),
                true,
                "its programme",
            ),
            f(
                "action_type_id",
                Kind::Ref("action_type"),
                true,
                "one of the nine action types",
            ),
            f("name", Kind::Text, true, "what is done"),
            f("status", Kind::Code(STATUSES), false, "status"),
            f("start_date", Kind::Date, false, "start"),
            f("end_date", Kind::Date, false, "end"),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "instrument",
        plural: "instruments",
        label_nl: "Instrument",
        label_en: "Instrument",
        prefix: "instr",
        fields: &[
            f(
                "kind",
                Kind::Code(INSTRUMENT_KINDS),
                true,
                "kind of instrument",
            ),
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f("goal_id", Kind::Ref("goal"), false, "the goal it serves"),
            f(
                "programme_id",
                Kind::Ref("programme"),
                false,
                "its programme, if one",
            ),
            f(
                "action_id",
                Kind::Ref("action"),
                false,
                "its action, if one",
            ),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "budget_line",
        plural: "budget_lines",
        label_nl: "Begrotingsregel",
        label_en: "Budget line",
        prefix: "bud",
        fields: &[
            f(
                "goal_id",
                Kind::Ref("goal"),
                false,
                "scope: a goal (or give a programme)",
            ),
            f(
                "programme_id",
                Kind::Ref("programme"),
                false,
                "scope: a programme",
            ),
            f(
                "instrument_id",
                Kind::Ref("instrument"),
                false,
                "its instrument, if one",
            ),
            f("year", Kind::Year, true, "budget year (verslagjaar)"),
            f(
                "kind",
                Kind::Code(BUDGET_KINDS),
                true,
                "commitment, expenditure, receipt or tax expenditure",
            ),
            f(
                "covers",
                Kind::Text,
                false,
                "a stated total: the kinds it covers, e.g. expenditure,tax_expenditure; empty for an itemised line",
            ),
            f(
                "amount_eur",
                Kind::Euro,
                false,
                "euros, current prices; empty when not known",
            ),
            f("prices", Kind::Code(PRICES), true, "price basis"),
            f(
                "basis",
                Kind::Code(BASES),
                false,
                "cash, commitment or transaction basis",
            ),
            f(
                "source_document",
                Kind::Text,
                true,
                "the budget document it comes from",
            ),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "indicator",
        plural: "indicators",
        label_nl: "Indicator",
        label_en: "Indicator",
        prefix: "ind",
        fields: &[
            f(
                "goal_id",
                Kind::Ref("goal"),
                false,
                "scope: a goal (or give a programme)",
            ),
            f(
                "programme_id",
                Kind::Ref("programme"),
                false,
                "scope: a programme",
            ),
            f(
                "level",
                Kind::Code(INDICATOR_LEVELS),
                true,
                "output, outcome or impact",
            ),
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f(
                "unit",
                Kind::Text,
                true,
                "unit, e.g. %, EUR million, number of firms",
            ),
            f("baseline_value", Kind::Real, false, "baseline"),
            f("baseline_year", Kind::Year, false, "year of the baseline"),
            f("target_value", Kind::Real, false, "target"),
            f("target_year", Kind::Year, false, "year of the target"),
            f(
                "series",
                Kind::Code(SERIES),
                false,
                "a store series that supplies the actuals, e.g. industry_share",
            ),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "actual",
        plural: "actuals",
        label_nl: "Realisatie",
        label_en: "Actual",
        prefix: "val",
        fields: &[
            f(
                "indicator_id",
                Kind::Ref("indicator"),
                true,
                "its indicator",
            ),
            f("period", Kind::Period, true, "YYYY, YYYY-Qn or YYYY-MM"),
            f(
                "value",
                Kind::Real,
                true,
                "the measured value, in the indicator's unit",
            ),
            f("source", Kind::Text, true, "where it was measured"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "evaluation",
        plural: "evaluations",
        label_nl: "Evaluatie",
        label_en: "Evaluation",
        prefix: "eval",
        fields: &[
            f("goal_id", Kind::Ref("goal"), false, "scope: a goal"),
            f(
                "programme_id",
                Kind::Ref("programme"),
                false,
                "scope: a programme",
            ),
            f(
                "instrument_id",
                Kind::Ref("instrument"),
                false,
                "the instrument evaluated",
            ),
            f("date", Kind::Date, false, "date of the report"),
            f(
                "kind",
                Kind::Code(EVALUATION_KINDS),
                true,
                "kind of evaluation",
            ),
            f("finding", Kind::Text, true, "what it found"),
            f(
                "evidence",
                Kind::Code(EVIDENCE),
                false,
                "strength of the evidence",
            ),
            f("source", Kind::Text, true, "the report"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
    Entity {
        name: "milestone",
        plural: "milestones",
        label_nl: "Mijlpaal",
        label_en: "Milestone",
        prefix: "ms",
        fields: &[
            f("goal_id", Kind::Ref("goal"), false, "scope: a goal"),
            f(
                "programme_id",
                Kind::Ref("programme"),
                false,
                "scope: a programme",
            ),
            f("name_nl", Kind::Text, true, "name in Dutch"),
            f("name_en", Kind::Text, false, "name in English"),
            f("date", Kind::Date, false, "date (planned or reached)"),
            f("status", Kind::Code(MILESTONE_STATUSES), true, "status"),
            f("source", Kind::Text, true, "where this is stated"),
            f("notes", Kind::Text, false, "notes"),
        ],
    },
];

/// The entities whose records belong to a programme (by their `programme_id`), in the
/// order a programme's page lists them.
pub const PROGRAMME_PARTS: &[&str] = &[
    "action",
    "instrument",
    "budget_line",
    "indicator",
    "evaluation",
    "milestone",
];

/// Store series an indicator may take its actuals from: `industry_share` is the share
/// of industry in total value added of the configured country, as `indmon target`
/// computes it from the store.
pub const SERIES: &[&str] = &["industry_share"];

/// The entity called `name` (singular or plural).
pub fn entity(name: &str) -> Option<&'static Entity> {
    ENTITIES.iter().find(|e| e.name == name || e.plural == name)
}

/// The names of all entities, for error messages.
pub fn entity_names() -> String {
    ENTITIES
        .iter()
        .map(|e| e.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// One step of the schema. Applied in order, each in its own transaction, recorded in
/// `ledger_migrations`; a step is never edited once released, only followed by another.
pub struct Migration {
    /// Its number.
    pub version: i64,
    /// What it does.
    pub name: &'static str,
    /// Its SQL, valid in both SQLite and PostgreSQL (`;`-separated).
    pub sql: &'static str,
}

/// The migrations, in order.
pub const MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "tables of the programme ledger, the audit trail and the tokens",
    sql: include_str!("../migrations/0001_ledger.sql"),
}];
