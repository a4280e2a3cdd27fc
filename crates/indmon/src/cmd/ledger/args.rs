//! The flags of `indmon ledger`.

use std::path::PathBuf;

use crate::output::Format;

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
    pub(super) ledger: Option<String>,
    #[command(subcommand)]
    pub(super) action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum Action {
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
        /// Who makes the change [default: $USER, $LOGNAME or $USERNAME, else the OS account name]
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
        /// Who makes the change [default: $USER, $LOGNAME or $USERNAME, else the OS account name]
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
        /// Who makes the change [default: $USER, $LOGNAME or $USERNAME, else the OS account name]
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
        /// Who makes the change [default: $USER, $LOGNAME or $USERNAME, else the OS account name]
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
pub(super) enum ExportFormat {
    Json,
    Csv,
    Xlsx,
}

#[derive(Debug, clap::Subcommand)]
pub(super) enum TokenAction {
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
