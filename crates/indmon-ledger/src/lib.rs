//! The programme ledger (capability C6): which programmes serve the industrial-policy
//! goal, what they do, with which instruments and money, what they aim at and achieve,
//! and what evaluations found.
//!
//! - [`schema`]: the entities and fields, and the migrations;
//! - [`db`]: one SQL layer over SQLite (embedded, the default) and PostgreSQL (shared);
//! - [`Ledger`]: reading, adding and changing records, each change versioned and written
//!   to the audit trail, with optimistic locking ([`Error::Conflict`]);
//! - [`io`]: import and export as CSV, JSON and Excel;
//! - [`progress`]: indicators against targets, spending against budget;
//! - [`seed`]: what the policy page states, loaded into a new ledger, and nothing more.
//!
//! Every write runs in one transaction and is validated before it commits: a refused
//! change or a malformed import leaves the ledger exactly as it was.

pub mod db;
pub mod io;
pub mod progress;
pub mod schema;
pub mod seed;
pub mod testing;
mod validate;

use std::collections::BTreeMap;
use std::fmt::Write as _;

pub use db::{Db, Dialect, Value};
pub use schema::{ENTITIES, Entity, Field, Kind};

/// What can go wrong.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be opened or reached.
    #[error("cannot open the ledger: {0}")]
    Connect(String),
    /// The database refused a statement (a bug, or a damaged database).
    #[error("ledger database: {0}")]
    Db(String),
    /// A value or record is not valid; nothing was changed.
    #[error("{entity} '{id}', field {field}: {message}")]
    Invalid {
        /// The entity.
        entity: String,
        /// The record's id.
        id: String,
        /// The field at fault.
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A row of an imported file is not valid; nothing was changed.
    #[error("{location}, field {field}: {message}; nothing was imported")]
    Import {
        /// File and line, row or record.
        location: String,
        /// The field at fault.
        field: String,
        /// What is wrong and what was expected.
        message: String,
    },
    /// A row of an imported file is based on an older version of its record than the
    /// ledger's (somebody changed the record after the file was exported); nothing was
    /// changed.
    #[error("{location}, field version: {message}; nothing was imported")]
    ImportConflict {
        /// File and line, row or record.
        location: String,
        /// The conflict: who changed the record, when, and its versions.
        message: String,
    },
    /// The file cannot be read as a ledger file at all; nothing was changed.
    #[error("{0}; nothing was imported")]
    Format(String),
    /// Somebody else changed the record since it was read; this change was not saved.
    #[error(
        "{entity} '{id}' was changed by {by} at {at} (now version {current}) after you read version {expected}; your change was not saved — reload, compare and apply it again"
    )]
    Conflict {
        /// The entity.
        entity: String,
        /// The record's id.
        id: String,
        /// The version the change was based on.
        expected: i64,
        /// The version in the ledger now.
        current: i64,
        /// Who made the current version.
        by: String,
        /// When.
        at: String,
    },
    /// No such record.
    #[error("there is no {entity} '{id}'")]
    NotFound {
        /// The entity.
        entity: String,
        /// The id looked for.
        id: String,
    },
    /// A file could not be read or written.
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// The kind of failure: a refused record or file is bad input, a stale version (also
    /// in an imported file) a conflict, a missing record a usage error; the database and
    /// the files our problem.
    pub fn kind(&self) -> indmon_core::ErrorKind {
        use indmon_core::ErrorKind;
        match self {
            Error::Invalid { .. } | Error::Import { .. } | Error::Format(_) => ErrorKind::Input,
            Error::NotFound { .. } => ErrorKind::Usage,
            Error::Conflict { .. } | Error::ImportConflict { .. } => ErrorKind::Conflict,
            Error::Connect(_) | Error::Db(_) | Error::Io(_) => ErrorKind::Internal,
        }
    }
}

/// Result with the ledger's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// One record of any entity.
#[derive(Debug, Clone)]
pub struct Record {
    /// Its entity.
    pub entity: &'static Entity,
    /// Its id.
    pub id: String,
    /// Its version: 1 when made, raised by one by every change.
    pub version: i64,
    /// When it was last changed (RFC 3339, UTC).
    pub updated_at: String,
    /// Who changed it last.
    pub updated_by: String,
    /// The values of `entity.fields`, in that order.
    pub values: Vec<Value>,
}

impl Record {
    /// The value of field `name` (NULL for an unknown name).
    pub fn get(&self, name: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.entity
            .fields
            .iter()
            .position(|f| f.name == name)
            .map_or(&NULL, |i| &self.values[i])
    }

    /// The text of field `name`, if it has text.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).as_str()
    }

    /// The record as a JSON object: id, version, updated_at, updated_by and the fields.
    pub fn to_json(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        m.insert("id".into(), self.id.clone().into());
        m.insert("version".into(), self.version.into());
        m.insert("updated_at".into(), self.updated_at.clone().into());
        m.insert("updated_by".into(), self.updated_by.clone().into());
        for (f, v) in self.entity.fields.iter().zip(&self.values) {
            m.insert(f.name.into(), v.to_json());
        }
        serde_json::Value::Object(m)
    }

    /// The fields only, as JSON (what the audit trail keeps as before and after).
    fn fields_json(&self) -> String {
        let mut m = serde_json::Map::new();
        for (f, v) in self.entity.fields.iter().zip(&self.values) {
            m.insert(f.name.into(), v.to_json());
        }
        serde_json::Value::Object(m).to_string()
    }

    /// The Dutch or English name, whichever the record has (Dutch first unless `en`).
    pub fn name(&self, en: bool) -> &str {
        let nl = self.text("name_nl").or(self.text("name"));
        let e = self.text("name_en");
        let pick = if en { e.or(nl) } else { nl.or(e) };
        pick.unwrap_or(&self.id)
    }
}

/// A record serialises as [`Record::to_json`]: id, version, who changed it last and
/// when, and every field.
impl serde::Serialize for Record {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// One change in the audit trail.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Change {
    /// The entity.
    pub entity: String,
    /// The record's id.
    pub record_id: String,
    /// The version this change made.
    pub version: i64,
    /// `insert`, `update` or `delete`.
    pub operation: String,
    /// When (RFC 3339, UTC).
    pub changed_at: String,
    /// Who.
    pub changed_by: String,
    /// The fields before (absent for an insert).
    pub before: Option<serde_json::Value>,
    /// The fields after (null for a delete).
    pub after: serde_json::Value,
}

impl Change {
    /// The fields that differ between before and after: (field, before, after), as text.
    pub fn diff(&self) -> Vec<(String, String, String)> {
        let empty = serde_json::Map::new();
        let before = self
            .before
            .as_ref()
            .and_then(|b| b.as_object())
            .unwrap_or(&empty);
        let after = self.after.as_object().unwrap_or(&empty);
        let show = |v: Option<&serde_json::Value>| match v {
            None | Some(serde_json::Value::Null) => String::new(),
            Some(serde_json::Value::String(s)) => s.clone(),
            // 30.0 reads as 30, as in the ledger's CSV
            Some(serde_json::Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => i.to_string(),
                (None, Some(f)) => f.to_string(),
                _ => n.to_string(),
            },
            Some(v) => v.to_string(),
        };
        after
            .iter()
            .filter(|(k, v)| before.get(*k).unwrap_or(&serde_json::Value::Null) != *v)
            .map(|(k, v)| (k.clone(), show(before.get(k)), show(Some(v))))
            .collect()
    }
}

/// A record as it arrives: from the command line, a form or a file, values as text.
#[derive(Debug, Clone, Default)]
pub struct Incoming {
    /// Its id; empty for a new record whose id is generated.
    pub id: String,
    /// The version it was based on; `None` to change whatever version is current.
    pub version: Option<i64>,
    /// Field values as text, by field name; fields not given keep their value (on a
    /// change) or stay empty (on a new record). An empty text clears a field.
    pub fields: Vec<(String, String)>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new record was made.
    Inserted,
    /// A record was changed.
    Updated,
    /// The values were already as given; nothing was written.
    Unchanged,
}

/// The ledger: a database connection, migrated and seeded on first open.
pub struct Ledger {
    db: Db,
    target: String,
    connect: String,
}

impl Ledger {
    /// Opens the ledger at `target` (a SQLite file path, or a PostgreSQL connection
    /// string), applies any migrations it lacks, and seeds a new ledger with what the
    /// policy page states ([`seed`]).
    pub fn open(target: &str) -> Result<Self> {
        let db = Db::open(target)?;
        let mut ledger = Ledger {
            db,
            target: redact(target),
            connect: target.to_owned(),
        };
        ledger.migrate()?;
        Ok(ledger)
    }

    /// Where the ledger is, with any password removed.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The database's dialect.
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }

    /// Applies the migrations the database lacks, and seeds a new ledger, in one
    /// transaction (two processes opening a new ledger at once: one migrates and seeds,
    /// the other waits and finds it done); returns the versions applied.
    pub fn migrate(&mut self) -> Result<Vec<i64>> {
        self.db.transaction(|db| {
            db.batch(
                "CREATE TABLE IF NOT EXISTS ledger_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
            )?;
            let done: Vec<i64> = db
                .query("SELECT version FROM ledger_migrations", &[])?
                .into_iter()
                .filter_map(|r| r[0].as_int())
                .collect();
            let mut applied = Vec::new();
            for m in schema::MIGRATIONS {
                if done.contains(&m.version) {
                    continue;
                }
                db.batch(m.sql)?;
                db.execute(
                    "INSERT INTO ledger_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    &[Value::Int(m.version), m.name.into(), now().into()],
                )?;
                applied.push(m.version);
            }
            if applied.contains(&1) {
                let batch = seed::batch();
                apply_in(db, &batch, seed::ACTOR, &|i| format!("seed record {i}"))?;
            }
            Ok(applied)
        })
    }

    /// The applied migrations: (version, name, applied at).
    pub fn migrations(&mut self) -> Result<Vec<(i64, String, String)>> {
        Ok(self
            .db
            .query(
                "SELECT version, name, applied_at FROM ledger_migrations ORDER BY version",
                &[],
            )?
            .into_iter()
            .map(|r| {
                (
                    r[0].as_int().unwrap_or_default(),
                    r[1].to_string(),
                    r[2].to_string(),
                )
            })
            .collect())
    }

    /// All records of `entity`, ordered by id (action types by their position).
    pub fn list(&mut self, entity: &'static Entity) -> Result<Vec<Record>> {
        list(&mut self.db, entity)
    }

    /// The record `id` of `entity`.
    pub fn get(&mut self, entity: &'static Entity, id: &str) -> Result<Record> {
        get(&mut self.db, entity, id)?.ok_or_else(|| Error::NotFound {
            entity: entity.name.into(),
            id: id.into(),
        })
    }

    /// Every record of every entity.
    pub fn snapshot(&mut self) -> Result<Snapshot> {
        let mut records = BTreeMap::new();
        for e in ENTITIES {
            records.insert(e.name, self.list(e)?);
        }
        Ok(Snapshot { records })
    }

    /// Makes a new record; its id is `incoming.id` or, if empty, generated. Fails with
    /// [`Error::Invalid`] (nothing changed) if a value is malformed, a required field
    /// is missing, a reference does not exist, or the id is taken.
    pub fn add(
        &mut self,
        entity: &'static Entity,
        incoming: &Incoming,
        actor: &str,
    ) -> Result<Record> {
        self.db.transaction(|db| {
            if !incoming.id.is_empty() && get(db, entity, &incoming.id)?.is_some() {
                return Err(Error::Invalid {
                    entity: entity.name.into(),
                    id: incoming.id.clone(),
                    field: "id".into(),
                    message: "this id is taken; choose another or change the existing record"
                        .into(),
                });
            }
            let (rec, _) = write(db, entity, incoming, actor)?;
            validate::totals(db)?;
            Ok(rec)
        })
    }

    /// Changes record `incoming.id`. With `incoming.version` set, the change is refused
    /// with [`Error::Conflict`] if the record is no longer at that version (optimistic
    /// locking: nothing is lost, nothing overwritten unseen).
    pub fn update(
        &mut self,
        entity: &'static Entity,
        incoming: &Incoming,
        actor: &str,
    ) -> Result<(Record, Outcome)> {
        self.db.transaction(|db| {
            if get(db, entity, &incoming.id)?.is_none() {
                return Err(Error::NotFound {
                    entity: entity.name.into(),
                    id: incoming.id.clone(),
                });
            }
            let out = write(db, entity, incoming, actor)?;
            validate::totals(db)?;
            Ok(out)
        })
    }

    /// Deletes record `id`. With `expected` set, refused with [`Error::Conflict`] if the
    /// record is no longer at that version; refused with [`Error::Invalid`] while other
    /// records refer to it (they are named). The audit trail keeps its last fields
    /// (operation `delete`); an id used again continues its version count.
    pub fn delete(
        &mut self,
        entity: &'static Entity,
        id: &str,
        expected: Option<i64>,
        actor: &str,
    ) -> Result<Record> {
        check_actor(entity, id, actor)?;
        self.db.transaction(|db| {
            let cur = get(db, entity, id)?.ok_or_else(|| Error::NotFound {
                entity: entity.name.into(),
                id: id.into(),
            })?;
            let conflict = |cur: &Record| Error::Conflict {
                entity: entity.name.into(),
                id: id.into(),
                expected: expected.unwrap_or(cur.version),
                current: cur.version,
                by: cur.updated_by.clone(),
                at: cur.updated_at.clone(),
            };
            if expected.is_some_and(|v| v != cur.version) {
                return Err(conflict(&cur));
            }
            let mut users = Vec::new();
            for e in ENTITIES {
                for f in e.fields {
                    if f.kind == Kind::Ref(entity.name) {
                        let sql = format!("SELECT id FROM {} WHERE {} = ? ORDER BY id", e.name, f.name);
                        for row in db.query(&sql, &[id.into()])? {
                            users.push(format!("{} '{}'", e.name, row[0]));
                        }
                    }
                }
            }
            if !users.is_empty() {
                let more = users.len().saturating_sub(5);
                users.truncate(5);
                return Err(Error::Invalid {
                    entity: entity.name.into(),
                    id: id.into(),
                    field: "id".into(),
                    message: format!(
                        "still referred to by {}{}; change or delete those first",
                        users.join(", "),
                        if more > 0 { format!(" and {more} more") } else { String::new() }
                    ),
                });
            }
            let sql = format!("DELETE FROM {} WHERE id = ? AND version = ?", entity.name);
            if db.execute(&sql, &[id.into(), Value::Int(cur.version)])? == 0 {
                return Err(conflict(&cur));
            }
            db.execute(
                "INSERT INTO change_log (entity, record_id, version, operation, changed_at, changed_by, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    entity.name.into(),
                    id.into(),
                    Value::Int(cur.version + 1),
                    "delete".into(),
                    now().into(),
                    actor.into(),
                    cur.fields_json().into(),
                    "null".into(),
                ],
            )?;
            validate::totals(db)?;
            Ok(cur)
        })
    }

    /// Reconnects if the database connection was lost (a restarted PostgreSQL server);
    /// a SQLite file never loses it.
    pub fn ensure_connected(&mut self) -> Result<()> {
        if let Db::Postgres(c) = &self.db
            && c.is_closed()
        {
            self.db = Db::open(&self.connect)?;
        }
        Ok(())
    }

    /// Applies a batch (an import) in one transaction: every record is validated and
    /// written, or, at the first error, nothing is. `locate(i)` names the file and line
    /// of batch item `i` for the error.
    pub fn apply(
        &mut self,
        batch: &[(&'static Entity, Incoming)],
        actor: &str,
        locate: &dyn Fn(usize) -> String,
        dry_run: bool,
    ) -> Result<ImportReport> {
        let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        for (i, (e, inc)) in batch.iter().enumerate() {
            if inc.id.is_empty() {
                continue;
            }
            if let Some(first) = seen.insert((e.name, inc.id.as_str()), i) {
                return Err(Error::Import {
                    location: locate(i),
                    field: "id".into(),
                    message: format!(
                        "{} '{}' appears twice (also at {})",
                        e.name,
                        inc.id,
                        locate(first)
                    ),
                });
            }
        }
        self.db
            .transaction_or_trial(!dry_run, |db| apply_in(db, batch, actor, locate))
    }

    /// The audit trail, newest first: of one record, of one entity, or of everything.
    pub fn history(
        &mut self,
        entity: Option<&'static Entity>,
        id: Option<&str>,
        limit: usize,
    ) -> Result<Vec<Change>> {
        let mut sql = String::from(
            "SELECT entity, record_id, version, operation, changed_at, changed_by, before_json, after_json FROM change_log",
        );
        let mut params = Vec::new();
        if let Some(e) = entity {
            sql.push_str(" WHERE entity = ?");
            params.push(Value::from(e.name));
            if let Some(id) = id {
                sql.push_str(" AND record_id = ?");
                params.push(Value::from(id));
            }
        }
        let _ = write!(
            sql,
            " ORDER BY changed_at DESC, entity, record_id, version DESC LIMIT {limit}"
        );
        let rows = self.db.query(&sql, &params)?;
        Ok(rows
            .into_iter()
            .map(|r| Change {
                entity: r[0].to_string(),
                record_id: r[1].to_string(),
                version: r[2].as_int().unwrap_or_default(),
                operation: r[3].to_string(),
                changed_at: r[4].to_string(),
                changed_by: r[5].to_string(),
                before: r[6].as_str().and_then(|s| serde_json::from_str(s).ok()),
                after: r[7]
                    .as_str()
                    .and_then(|s| serde_json::from_str(s).ok())
                    .unwrap_or_default(),
            })
            .collect())
    }

    /// Makes an editor's token for the web pages and returns it; only its SHA-256 is
    /// kept, so it is shown this once. `role` is `editor` (may change records) or
    /// `reader` (may sign in, may not change anything).
    pub fn create_token(&mut self, name: &str, role: &str) -> Result<String> {
        if !ROLES.contains(&role) {
            return Err(Error::Invalid {
                entity: "token".into(),
                id: name.into(),
                field: "role".into(),
                message: format!("expected one of {}", ROLES.join(", ")),
            });
        }
        if name.trim().is_empty() || name.len() > 100 {
            return Err(Error::Invalid {
                entity: "token".into(),
                id: name.into(),
                field: "name".into(),
                message: "give a name of 1 to 100 characters".into(),
            });
        }
        // The name becomes the author of the holder's changes.
        validate::plain_text(name.trim(), false).map_err(|message| Error::Invalid {
            entity: "token".into(),
            id: name.into(),
            field: "name".into(),
            message,
        })?;
        let token = format!("imt_{}", random_hex(32)?);
        let name = name.trim().to_owned();
        self.db.transaction(|db| {
            if !db
                .query("SELECT name FROM ledger_token WHERE name = ?", &[name.as_str().into()])?
                .is_empty()
            {
                return Err(Error::Invalid {
                    entity: "token".into(),
                    id: name.clone(),
                    field: "name".into(),
                    message: "a token with this name exists; revoke it first".into(),
                });
            }
            db.execute(
                "INSERT INTO ledger_token (name, role, token_sha256, created_at) VALUES (?, ?, ?, ?)",
                &[name.as_str().into(), role.into(), sha256(&token).into(), now().into()],
            )?;
            Ok(())
        })?;
        Ok(token)
    }

    /// The name and role of a valid, unrevoked token.
    pub fn check_token(&mut self, token: &str) -> Result<Option<(String, String)>> {
        self.token_holder(&token_digest(token))
    }

    /// The name and role of the unrevoked token whose digest ([`token_digest`]) is
    /// `digest`: what a web session, which keeps the digest and not the token, checks
    /// on every request (one lookup by a unique key), so that revoking a token ends its
    /// sessions at once, whichever process revoked it.
    pub fn token_holder(&mut self, digest: &str) -> Result<Option<(String, String)>> {
        let rows = self.db.query(
            "SELECT name, role FROM ledger_token WHERE token_sha256 = ? AND revoked_at IS NULL",
            &[digest.into()],
        )?;
        Ok(rows
            .into_iter()
            .next()
            .map(|r| (r[0].to_string(), r[1].to_string())))
    }

    /// Revokes the token called `name`; false if there is none.
    pub fn revoke_token(&mut self, name: &str) -> Result<bool> {
        let n = self.db.execute(
            "UPDATE ledger_token SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            &[now().into(), name.into()],
        )?;
        Ok(n > 0)
    }

    /// The tokens: (name, role, created at, revoked at).
    pub fn tokens(&mut self) -> Result<Vec<(String, String, String, String)>> {
        Ok(self
            .db
            .query(
                "SELECT name, role, created_at, revoked_at FROM ledger_token ORDER BY name",
                &[],
            )?
            .into_iter()
            .map(|r| {
                (
                    r[0].to_string(),
                    r[1].to_string(),
                    r[2].to_string(),
                    r[3].to_string(),
                )
            })
            .collect())
    }

    /// The underlying connection (for tests that inspect tables).
    pub fn db(&mut self) -> &mut Db {
        &mut self.db
    }
}

/// The roles a token can have.
pub const ROLES: &[&str] = &["editor", "reader"];

/// What an import did (or, on a dry run, would do), per entity: (inserted, updated,
/// unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Counts per entity name.
    pub per_entity: BTreeMap<&'static str, (usize, usize, usize)>,
}

impl ImportReport {
    /// Totals over all entities: (inserted, updated, unchanged).
    pub fn totals(&self) -> (usize, usize, usize) {
        self.per_entity
            .values()
            .fold((0, 0, 0), |a, v| (a.0 + v.0, a.1 + v.1, a.2 + v.2))
    }
}

/// Every record of every entity, as read at one moment.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Records per entity name, ordered as [`Ledger::list`] orders them.
    pub records: BTreeMap<&'static str, Vec<Record>>,
}

impl Snapshot {
    /// The records of entity `name`.
    pub fn of(&self, name: &str) -> &[Record] {
        self.records.get(name).map_or(&[], Vec::as_slice)
    }

    /// The record of entity `name` with id `id`.
    pub fn find(&self, name: &str, id: &str) -> Option<&Record> {
        self.of(name).iter().find(|r| r.id == id)
    }

    /// The records of entity `name` that belong to programme `programme`.
    pub fn in_programme<'a>(
        &'a self,
        name: &str,
        programme: &'a str,
    ) -> impl Iterator<Item = &'a Record> + 'a {
        self.of(name)
            .iter()
            .filter(move |r| r.text("programme_id") == Some(programme))
    }
}

/// Writes a batch inside the caller's transaction; the totals are checked at the end.
fn apply_in(
    db: &mut Db,
    batch: &[(&'static Entity, Incoming)],
    actor: &str,
    locate: &dyn Fn(usize) -> String,
) -> Result<ImportReport> {
    let mut report = ImportReport::default();
    for (i, (e, inc)) in batch.iter().enumerate() {
        let (_, outcome) = write(db, e, inc, actor).map_err(|err| at(err, locate(i)))?;
        let counts = report.per_entity.entry(e.name).or_default();
        match outcome {
            Outcome::Inserted => counts.0 += 1,
            Outcome::Updated => counts.1 += 1,
            Outcome::Unchanged => counts.2 += 1,
        }
    }
    if let Some(over) = validate::exceeded(db)? {
        // Name the last row of the file that takes part: the total or a line it covers.
        let row = batch
            .iter()
            .rposition(|(e, inc)| e.name == "budget_line" && over.ids.contains(&inc.id));
        let location = row.map_or_else(|| "the budget lines".to_owned(), locate);
        return Err(at(over.error, location));
    }
    Ok(report)
}

fn at(err: Error, location: String) -> Error {
    match err {
        Error::Invalid { field, message, .. } => Error::Import {
            location,
            field,
            message,
        },
        Error::NotFound { entity, id } => Error::Import {
            location,
            field: "id".into(),
            message: format!("there is no {entity} '{id}'"),
        },
        Error::Conflict { .. } => Error::ImportConflict {
            location,
            message: err.to_string(),
        },
        other => other,
    }
}

const COMMON: &str = "id, version, updated_at, updated_by";

fn columns(entity: &Entity) -> String {
    let mut s = String::from(COMMON);
    for f in entity.fields {
        s.push_str(", ");
        s.push_str(f.name);
    }
    s
}

fn record(entity: &'static Entity, row: Vec<Value>) -> Record {
    let mut it = row.into_iter();
    let id = it.next().map(|v| v.to_string()).unwrap_or_default();
    let version = it.next().and_then(|v| v.as_int()).unwrap_or_default();
    let updated_at = it.next().map(|v| v.to_string()).unwrap_or_default();
    let updated_by = it.next().map(|v| v.to_string()).unwrap_or_default();
    Record {
        entity,
        id,
        version,
        updated_at,
        updated_by,
        values: it.collect(),
    }
}

fn list(db: &mut Db, entity: &'static Entity) -> Result<Vec<Record>> {
    let order = if entity.name == "action_type" {
        "position, id"
    } else {
        "id"
    };
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {order}",
        columns(entity),
        entity.name
    );
    Ok(db
        .query(&sql, &[])?
        .into_iter()
        .map(|r| record(entity, r))
        .collect())
}

fn get(db: &mut Db, entity: &'static Entity, id: &str) -> Result<Option<Record>> {
    let sql = format!(
        "SELECT {} FROM {} WHERE id = ?",
        columns(entity),
        entity.name
    );
    Ok(db
        .query(&sql, &[id.into()])?
        .into_iter()
        .next()
        .map(|r| record(entity, r)))
}

/// Inserts or changes one record, validated, versioned and written to the audit trail.
/// Runs inside the caller's transaction.
fn write(
    db: &mut Db,
    entity: &'static Entity,
    incoming: &Incoming,
    actor: &str,
) -> Result<(Record, Outcome)> {
    check_actor(entity, &incoming.id, actor)?;
    let current = if incoming.id.is_empty() {
        None
    } else {
        get(db, entity, &incoming.id)?
    };
    let id = if incoming.id.is_empty() {
        new_id(entity)?
    } else {
        validate::id(entity, &incoming.id)?;
        incoming.id.clone()
    };
    if let (Some(cur), Some(expected)) = (&current, incoming.version)
        && cur.version != expected
    {
        return Err(Error::Conflict {
            entity: entity.name.into(),
            id,
            expected,
            current: cur.version,
            by: cur.updated_by.clone(),
            at: cur.updated_at.clone(),
        });
    }
    // Start from the current values (a change) or empty ones (a new record).
    let mut values = match &current {
        Some(c) => c.values.clone(),
        None => vec![Value::Null; entity.fields.len()],
    };
    for (name, raw) in &incoming.fields {
        let Some(pos) = entity.fields.iter().position(|f| f.name == name.as_str()) else {
            return Err(Error::Invalid {
                entity: entity.name.into(),
                id,
                field: name.clone(),
                message: format!(
                    "no such field; {} has: {}",
                    entity.name,
                    entity
                        .fields
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        };
        let field = &entity.fields[pos];
        values[pos] = validate::parse(field, raw).map_err(|message| Error::Invalid {
            entity: entity.name.into(),
            id: id.clone(),
            field: name.clone(),
            message,
        })?;
    }
    // A new record whose id was used before (and deleted) continues that id's versions.
    let version = match &current {
        Some(c) => c.version + 1,
        None => db
            .query(
                "SELECT version FROM change_log WHERE entity = ? AND record_id = ? ORDER BY version DESC LIMIT 1",
                &[entity.name.into(), id.as_str().into()],
            )?
            .first()
            .and_then(|r| r[0].as_int())
            .map_or(1, |v| v + 1),
    };
    let candidate = Record {
        entity,
        id: id.clone(),
        version,
        updated_at: now(),
        updated_by: actor.to_owned(),
        values,
    };
    validate::record(db, &candidate)?;
    let stamp = Value::from(candidate.updated_at.as_str());
    match &current {
        Some(cur) if cur.values == candidate.values => Ok((cur.clone(), Outcome::Unchanged)),
        Some(cur) => {
            let sets: Vec<String> = entity
                .fields
                .iter()
                .map(|f| format!("{} = ?", f.name))
                .collect();
            let sql = format!(
                "UPDATE {} SET version = ?, updated_at = ?, updated_by = ?, {} WHERE id = ? AND version = ?",
                entity.name,
                sets.join(", ")
            );
            let mut params = vec![Value::Int(candidate.version), stamp.clone(), actor.into()];
            params.extend(candidate.values.iter().cloned());
            params.push(id.as_str().into());
            params.push(Value::Int(cur.version));
            if db.execute(&sql, &params)? == 0 {
                // Another writer got there between our read and our write.
                let now_rec = get(db, entity, &id)?;
                return Err(Error::Conflict {
                    entity: entity.name.into(),
                    id,
                    expected: cur.version,
                    current: now_rec.as_ref().map_or(0, |r| r.version),
                    by: now_rec
                        .as_ref()
                        .map_or_else(String::new, |r| r.updated_by.clone()),
                    at: now_rec.map_or_else(String::new, |r| r.updated_at),
                });
            }
            log(db, &candidate, Some(cur), "update")?;
            Ok((candidate, Outcome::Updated))
        }
        None => {
            let marks = vec!["?"; entity.fields.len() + 4].join(", ");
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({marks})",
                entity.name,
                columns(entity)
            );
            let mut params = vec![
                id.as_str().into(),
                Value::Int(candidate.version),
                stamp,
                actor.into(),
            ];
            params.extend(candidate.values.iter().cloned());
            db.execute(&sql, &params)?;
            log(db, &candidate, None, "insert")?;
            Ok((candidate, Outcome::Inserted))
        }
    }
}

/// Who makes a change is text like any other: no control characters.
fn check_actor(entity: &Entity, id: &str, actor: &str) -> Result<()> {
    validate::plain_text(actor, false).map_err(|message| Error::Invalid {
        entity: entity.name.into(),
        id: id.into(),
        field: "updated_by".into(),
        message: format!("the name of who makes the change {message}"),
    })
}

fn log(db: &mut Db, after: &Record, before: Option<&Record>, op: &str) -> Result<()> {
    db.execute(
        "INSERT INTO change_log (entity, record_id, version, operation, changed_at, changed_by, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        &[
            after.entity.name.into(),
            after.id.as_str().into(),
            Value::Int(after.version),
            op.into(),
            after.updated_at.as_str().into(),
            after.updated_by.as_str().into(),
            before.map(Record::fields_json).into(),
            after.fields_json().into(),
        ],
    )?;
    Ok(())
}

fn new_id(entity: &Entity) -> Result<String> {
    Ok(format!("{}-{}", entity.prefix, random_hex(4)?))
}

/// `n` random bytes from the operating system, as hex (tokens, session ids).
pub fn random_hex(n: usize) -> Result<String> {
    let mut raw = vec![0u8; n];
    getrandom::fill(&mut raw).map_err(|e| Error::Io(format!("no randomness: {e}")))?;
    Ok(hex(&raw))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn sha256(s: &str) -> String {
    use sha2::Digest as _;
    hex(&sha2::Sha256::digest(s.as_bytes()))
}

/// The digest of a token as the ledger keeps it (SHA-256 of the token without
/// surrounding white space, as hex).
pub fn token_digest(token: &str) -> String {
    sha256(token.trim())
}

/// Now, as RFC 3339 UTC with microseconds (so changes in one second still order).
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true)
}

/// A connection string without its password.
pub(crate) fn redact(target: &str) -> String {
    if !db::is_postgres(target) {
        return target.to_owned();
    }
    let mut out = Vec::new();
    for part in target.split_whitespace() {
        if part.starts_with("password=") {
            out.push("password=***".to_owned());
        } else {
            out.push(part.to_owned());
        }
    }
    let joined = out.join(" ");
    // postgres://user:secret@host → postgres://user:***@host
    if let Some(scheme_end) = joined.find("://")
        && let Some(at) = joined[scheme_end + 3..].find('@')
    {
        let userinfo = &joined[scheme_end + 3..scheme_end + 3 + at];
        if let Some(colon) = userinfo.find(':') {
            return format!(
                "{}{}:***{}",
                &joined[..scheme_end + 3],
                &userinfo[..colon],
                &joined[scheme_end + 3 + at..]
            );
        }
    }
    joined
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("host=h user=u password=secret dbname=d"),
            "host=h user=u password=*** dbname=d"
        );
        assert_eq!(redact("postgres://u:secret@h/d"), "postgres://u:***@h/d");
        assert_eq!(redact("/tmp/ledger.sqlite"), "/tmp/ledger.sqlite");
    }
}
