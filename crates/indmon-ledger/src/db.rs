//! One SQL layer over the two databases the ledger runs on: SQLite (embedded, the
//! default) and PostgreSQL (a shared deployment).
//!
//! Every statement of the ledger is written once, in the subset both databases share:
//! `TEXT`, `BIGINT` and `DOUBLE PRECISION` columns, `?` placeholders (rewritten to `$1,
//! $2, …` for PostgreSQL), no `RETURNING`, no upsert syntax, no aggregates whose result
//! type differs between the two (sums are taken in Rust). Dates are ISO `YYYY-MM-DD`
//! text, times RFC 3339 UTC text, so they compare the same way in both.

use std::collections::HashMap;
use std::fmt;

use crate::{Error, Result};

/// A value in or out of a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL: not known, or not applicable.
    Null,
    /// A whole number (`BIGINT`): amounts in euros, years, versions.
    Int(i64),
    /// A real number (`DOUBLE PRECISION`): indicator values.
    Real(f64),
    /// Text: identifiers, names, dates, codes.
    Text(String),
}

impl Value {
    /// Whether this is NULL.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The text, if this is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }

    /// The whole number, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The number (whole or real), if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Real(f) => Some(*f),
            _ => None,
        }
    }

    /// The value as JSON: numbers, strings, or null.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Real(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Text(s) => serde_json::Value::String(s.clone()),
        }
    }
}

impl fmt::Display for Value {
    /// Plain text as it goes into a CSV cell: empty for NULL, shortest round-trip for reals.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => Ok(()),
            Value::Int(i) => write!(f, "{i}"),
            Value::Real(x) => write!(f, "{x}"),
            Value::Text(s) => f.write_str(s),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(o: Option<T>) -> Self {
        o.map_or(Value::Null, Into::into)
    }
}

/// Which database a connection talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL, over the network.
    Postgres,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
        })
    }
}

/// How long a SQLite connection waits for another connection's lock.
const SQLITE_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Foreign keys on and the WAL journal. Switching a new file to WAL takes an exclusive
/// lock, and SQLite answers "database is locked" at once (without waiting in the busy
/// handler) when another connection opening the same new file holds it — two processes
/// opening a fresh ledger together, e.g. the server and the command line. So the journal
/// mode is set only when it is not WAL already, and a busy answer is retried until the
/// busy timeout has passed.
fn sqlite_setup(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch("PRAGMA foreign_keys = ON;")?;
    let start = std::time::Instant::now();
    loop {
        let attempt = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
            .and_then(|mode| {
                if mode.eq_ignore_ascii_case("wal") {
                    Ok(())
                } else {
                    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
                }
            });
        match attempt {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < SQLITE_BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// An open connection.
pub enum Db {
    /// SQLite: one file, foreign keys on, WAL journal, a 5 s busy timeout.
    Sqlite(rusqlite::Connection),
    /// PostgreSQL: a synchronous client.
    Postgres(Box<Pg>),
}

impl Db {
    /// Opens `target`: a PostgreSQL connection string (`postgres://…`, `postgresql://…`
    /// or `host=… user=… dbname=…`), or else a path to a SQLite file (created if absent).
    pub fn open(target: &str) -> Result<Self> {
        if is_postgres(target) {
            let client = postgres::Client::connect(target, postgres::NoTls)
                .map_err(|e| Error::Connect(format!("PostgreSQL: {e}")))?;
            Ok(Db::Postgres(Box::new(Pg {
                client,
                statements: HashMap::new(),
            })))
        } else {
            let conn = rusqlite::Connection::open(target)
                .map_err(|e| Error::Connect(format!("SQLite {target}: {e}")))?;
            conn.busy_timeout(SQLITE_BUSY_TIMEOUT)
                .map_err(|e| Error::Connect(format!("SQLite {target}: {e}")))?;
            sqlite_setup(&conn).map_err(|e| Error::Connect(format!("SQLite {target}: {e}")))?;
            Ok(Db::Sqlite(conn))
        }
    }

    /// The database's dialect.
    pub fn dialect(&self) -> Dialect {
        match self {
            Db::Sqlite(_) => Dialect::Sqlite,
            Db::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs statements without parameters, separated by `;`.
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(c) => c.execute_batch(sql).map_err(db_err),
            Db::Postgres(c) => c.client.batch_execute(sql).map_err(pg_err),
        }
    }

    /// Runs one statement; returns the number of rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(db_err)?;
                let n = stmt
                    .execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(db_err)?;
                Ok(n as u64)
            }
            Db::Postgres(c) => {
                let stmt = c.statement(sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                c.client.execute(&stmt, &refs).map_err(pg_err)
            }
        }
    }

    /// Runs a query; returns its rows as values, in column order.
    pub fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Vec<Value>>> {
        match self {
            Db::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql).map_err(db_err)?;
                let n = stmt.column_count();
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(db_err)?;
                let mut out = Vec::new();
                while let Some(row) = rows.next().map_err(db_err)? {
                    let mut vals = Vec::with_capacity(n);
                    for i in 0..n {
                        use rusqlite::types::ValueRef;
                        vals.push(match row.get_ref(i).map_err(db_err)? {
                            ValueRef::Null => Value::Null,
                            ValueRef::Integer(i) => Value::Int(i),
                            ValueRef::Real(f) => Value::Real(f),
                            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into()),
                            ValueRef::Blob(_) => {
                                return Err(Error::Db("unexpected binary column".into()));
                            }
                        });
                    }
                    out.push(vals);
                }
                Ok(out)
            }
            Db::Postgres(c) => {
                let stmt = c.statement(sql)?;
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> =
                    params.iter().map(|p| p as _).collect();
                let rows = c.client.query(&stmt, &refs).map_err(pg_err)?;
                rows.iter().map(pg_row).collect()
            }
        }
    }

    /// Runs `f` in a transaction: committed if it returns `Ok`, rolled back otherwise,
    /// so a failed import or a refused change leaves the ledger exactly as it was.
    /// SQLite takes the write lock at the start (`BEGIN IMMEDIATE`), so two writers
    /// queue instead of failing half-way.
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Db) -> Result<T>) -> Result<T> {
        self.transaction_or_trial(true, f)
    }

    /// As [`Db::transaction`], but with `commit` false everything is rolled back even
    /// when `f` succeeds: a dry run that checks every constraint and keeps nothing.
    pub fn transaction_or_trial<T>(
        &mut self,
        commit: bool,
        f: impl FnOnce(&mut Db) -> Result<T>,
    ) -> Result<T> {
        let begin = match self.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        };
        self.batch(begin)?;
        if self.dialect() == Dialect::Postgres {
            // Writers to one PostgreSQL ledger take turns (a transaction-scoped advisory
            // lock), so the checks that span records — stated totals, one actual per
            // period — see every committed change; SQLite's BEGIN IMMEDIATE does the same.
            if let Err(e) = self.batch("SELECT pg_advisory_xact_lock(7216042613)") {
                let _ = self.batch("ROLLBACK");
                return Err(e);
            }
        }
        match f(self) {
            Ok(v) => {
                self.batch(if commit { "COMMIT" } else { "ROLLBACK" })?;
                Ok(v)
            }
            Err(e) => {
                // The original error matters more than a failed rollback.
                let _ = self.batch("ROLLBACK");
                Err(e)
            }
        }
    }
}

/// A PostgreSQL connection and the statements it has prepared, by their SQL: a
/// statement is parsed once per connection, not on every call (half the round trips).
pub struct Pg {
    client: postgres::Client,
    statements: HashMap<String, postgres::Statement>,
}

impl Pg {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let stmt = self.client.prepare(&numbered(sql)).map_err(pg_err)?;
        // Bounded: the ledger's statements are a few dozen; user-made SQL never comes here.
        if self.statements.len() >= 256 {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    /// Whether the connection was lost.
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}

/// Whether `target` names a PostgreSQL server rather than a SQLite file.
pub fn is_postgres(target: &str) -> bool {
    target.starts_with("postgres://")
        || target.starts_with("postgresql://")
        || (target.contains('=') && target.contains("host") && !target.contains('/'))
        || target.starts_with("host=")
}

/// `?` → `$1, $2, …` (the ledger's SQL has no `?` inside string literals).
fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push('$');
            out.push_str(&n.to_string());
        } else {
            out.push(ch);
        }
    }
    out
}

fn to_sqlite(v: &Value) -> rusqlite::types::Value {
    match v {
        Value::Null => rusqlite::types::Value::Null,
        Value::Int(i) => rusqlite::types::Value::Integer(*i),
        Value::Real(f) => rusqlite::types::Value::Real(*f),
        Value::Text(s) => rusqlite::types::Value::Text(s.clone()),
    }
}

fn db_err(e: rusqlite::Error) -> Error {
    Error::Db(e.to_string())
}

fn pg_err(e: postgres::Error) -> Error {
    match e.as_db_error() {
        Some(db) => Error::Db(format!("{} ({})", db.message(), db.code().code())),
        None => Error::Db(e.to_string()),
    }
}

fn pg_row(row: &postgres::Row) -> Result<Vec<Value>> {
    use postgres::types::Type;
    let mut vals = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let t = col.type_();
        let v = if *t == Type::INT8 {
            row.try_get::<_, Option<i64>>(i).map(Value::from)
        } else if *t == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)
                .map(|o| o.map_or(Value::Null, |x| Value::Int(x.into())))
        } else if *t == Type::FLOAT8 {
            row.try_get::<_, Option<f64>>(i)
                .map(|o| o.map_or(Value::Null, Value::Real))
        } else if *t == Type::TEXT || *t == Type::VARCHAR || *t == Type::NAME {
            row.try_get::<_, Option<String>>(i).map(Value::from)
        } else {
            return Err(Error::Db(format!(
                "column {} has type {t}, which the ledger does not use",
                col.name()
            )));
        };
        vals.push(v.map_err(pg_err)?);
    }
    Ok(vals)
}

impl postgres::types::ToSql for Value {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>>
    {
        use postgres::types::Type;
        match self {
            Value::Null => Ok(postgres::types::IsNull::Yes),
            Value::Int(i) if *ty == Type::INT8 => i.to_sql(ty, out),
            Value::Int(i) if *ty == Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
            Value::Int(i) if *ty == Type::FLOAT8 => (*i as f64).to_sql(ty, out),
            Value::Real(f) if *ty == Type::FLOAT8 => f.to_sql(ty, out),
            Value::Text(s) if *ty == Type::TEXT || *ty == Type::VARCHAR => s.to_sql(ty, out),
            other => Err(format!("a {other:?} cannot go into a {ty} parameter").into()),
        }
    }

    fn accepts(_ty: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_in_order() {
        assert_eq!(
            numbered("UPDATE t SET a = ?, b = ? WHERE id = ?"),
            "UPDATE t SET a = $1, b = $2 WHERE id = $3"
        );
    }

    #[test]
    fn postgres_targets_are_told_apart_from_files() {
        assert!(is_postgres("postgres://u@h/db"));
        assert!(is_postgres("host=127.0.0.1 user=x dbname=y"));
        assert!(!is_postgres("/var/lib/indmon/ledger.sqlite"));
        assert!(!is_postgres("ledger.sqlite"));
    }
}
