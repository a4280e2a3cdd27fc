//! Queries over the store with DataFusion: every dataset as a table (its latest
//! vintage, or the one current on an "as of" date), every dataset's full history as
//! `<dataset>__vintages` (with a `vintage` column), the catalog as `indmon_catalog`,
//! and the national-accounts datasets together as `na_obs` and `na_obs__vintages`.
//!
//! National-accounts datasets (schema `na_obs`) are read per observation: each value
//! comes from the newest vintage (up to the "as of" date) that has it, and the
//! `vintage` column says which. So a download of one country's figures updates that
//! country and leaves the rest of the release in view. Other datasets are whole
//! releases: the table is one vintage.
//! User SQL is read-only: one SELECT (or EXPLAIN, SHOW) at a time, with expressions
//! nested at most [`MAX_EXPR_DEPTH`] deep.
//!
//! Every query runs under the store's [`QueryLimits`]: a memory pool that sorts, joins,
//! groups and collected results draw from (shared by the queries of one store; nothing
//! is spilled to disk), and a time limit. A query over either fails with
//! [`Error::Limit`], which names the setting. The pool counts only what those
//! operators reserve (DataFusion's design: the batches streaming between operators are
//! not accounted): the rows a scan reads and the arrays a scalar function, a
//! projection or a filter computes are not counted. They are bounded by the batch size
//! (8,192 rows per batch and partition) and the time limit, not by the pool; a function
//! that builds very large values can allocate more than the limit before the query
//! fails or is stopped.

use std::future::Future;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use datafusion::arrow::array::{
    ArrayRef, BooleanArray, Int64Array, StringArray, UInt32Array, UInt64Array,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::error::DataFusionError;
use datafusion::execution::disk_manager::{DiskManagerBuilder, DiskManagerMode};
use datafusion::execution::memory_pool::MemoryConsumer;
use datafusion::execution::runtime_env::{RuntimeEnv, RuntimeEnvBuilder};
use datafusion::prelude::{
    DataFrame, ParquetReadOptions, SQLOptions, SessionConfig, SessionContext, lit,
};
use datafusion::sql::parser::{DFParser, Statement as DfStatement};
use datafusion::sql::resolve::resolve_table_references;
use datafusion::sql::sqlparser::ast::{
    Expr as SqlExpr, Query as SqlQuery, SetExpr, Statement as SqlStatement, Visit, Visitor,
};

use std::path::Path;

use datafusion::common::TableReference;
use datafusion::parquet::arrow::ArrowWriter;
use futures_util::StreamExt;

use crate::rows::{ColumnType, Rows};
use crate::select::Select;
use crate::{Catalog, Error, Result, Store, io_err};

/// How tables are bound for a query.
#[derive(Debug, Clone, Default)]
pub struct QueryOptions {
    /// Bind each dataset to the vintage current on this date instead of the latest.
    pub as_of: Option<NaiveDate>,
    /// Memory this query may use, in bytes, in a pool of its own (default: the store's
    /// shared pool, see [`QueryLimits`]).
    pub memory_limit: Option<usize>,
    /// Longest this query may run (default: the store's [`QueryLimits`]).
    pub time_limit: Option<Duration>,
}

/// The limits every query of a store runs under (`[query]` in the settings; see
/// [`Store::with_limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Memory the store's queries may hold together, in bytes: the query engine's
    /// memory pool, which sorts, joins, groups and the rows a query collects draw from.
    /// Nothing is spilled to disk: a query that needs more fails. Not counted: the
    /// batches streaming between operators (what a scan reads, what a scalar function or
    /// a projection computes; see the module docs).
    pub memory: usize,
    /// Longest one query may run.
    pub time: Duration,
}

impl QueryLimits {
    /// The limits the settings ask for.
    pub fn from_settings(q: &indmon_core::settings::QuerySettings) -> Self {
        Self {
            memory: q.memory_bytes(),
            time: q.timeout(),
        }
    }
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self::from_settings(&Default::default())
    }
}

/// The limits of a store and the memory pool its queries share.
#[derive(Debug, Clone)]
pub(crate) struct Engine {
    limits: QueryLimits,
    runtime: Arc<RuntimeEnv>,
}

impl Engine {
    pub(crate) fn new(limits: QueryLimits) -> Result<Self> {
        Ok(Self {
            limits,
            runtime: runtime_env(limits.memory)?,
        })
    }
}

/// A runtime with a memory pool of `memory` bytes and no spilling to disk.
fn runtime_env(memory: usize) -> Result<Arc<RuntimeEnv>> {
    Ok(RuntimeEnvBuilder::new()
        .with_memory_limit(memory, 1.0)
        .with_disk_manager_builder(
            DiskManagerBuilder::default().with_mode(DiskManagerMode::Disabled),
        )
        .build_arc()?)
}

/// The runtime that keeps the deadlines of queries, on a thread of its own.
fn timer() -> &'static tokio::runtime::Handle {
    static TIMER: std::sync::OnceLock<tokio::runtime::Handle> = std::sync::OnceLock::new();
    TIMER.get_or_init(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("a runtime for the query deadlines");
        let handle = rt.handle().clone();
        std::thread::Builder::new()
            .name("indmon-query-timer".into())
            .spawn(move || rt.block_on(std::future::pending::<()>()))
            .expect("a thread for the query deadlines");
        handle
    })
}

/// Cancels a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A size in bytes for a message (`512 KiB`, `4 MiB`, `4.5 GiB`).
fn human_bytes(n: usize) -> String {
    let n = n as f64;
    let (v, unit) = if n >= (1u64 << 30) as f64 {
        (n / (1u64 << 30) as f64, "GiB")
    } else if n >= (1u64 << 20) as f64 {
        (n / (1u64 << 20) as f64, "MiB")
    } else {
        (n / 1024.0, "KiB")
    };
    if v.fract() == 0.0 {
        format!("{v:.0} {unit}")
    } else {
        format!("{v:.1} {unit}")
    }
}

/// The start of the message of a query that ran out of memory (the limit is put in
/// by [`Store::limited`], which knows it).
const OUT_OF_MEMORY: &str = "the query needs more memory than it may use";
/// The end of the message of a query over a limit.
const NARROW: &str = "; narrow it down (WHERE, LIMIT, fewer columns) or raise the limit";

/// The store error for a DataFusion error: running out of the memory pool is
/// [`Error::Limit`], everything else [`Error::Query`].
pub(crate) fn from_datafusion(e: DataFusionError) -> Error {
    if let DataFusionError::ResourcesExhausted(detail) = e.find_root() {
        // "… Failed to allocate additional 1.2 MB for ExternalSorter[0] with …": the
        // part that says what wanted the memory (the rest lists the pool's consumers)
        let what = detail
            .find("Failed to allocate additional ")
            .map(|at| {
                let rest = &detail[at + "Failed to allocate additional ".len()..];
                rest.split(" with ").next().unwrap_or(rest)
            })
            .map(|w| format!("{w} more was needed"))
            .unwrap_or_else(|| indmon_core::excerpt(detail.lines().next().unwrap_or_default()));
        return Error::Limit(format!("{OUT_OF_MEMORY} ({what}){NARROW}"));
    }
    Error::Query(e.strip_backtrace().to_string())
}

/// The deepest nesting of expressions a statement may have. A chain of operators
/// (`1+1+…`, `a OR b OR …`, `x || y || …`) nests one level per operator; deeper
/// statements are refused before they are planned (planning and running them would
/// recurse that deep and could exhaust the stack). Long lists of alternatives belong
/// in `IN (…)`, which does not nest.
pub const MAX_EXPR_DEPTH: usize = 1000;

/// Measures the nesting of expressions, stopping beyond [`MAX_EXPR_DEPTH`].
struct Depth(usize);

impl Visitor for Depth {
    type Break = ();

    fn pre_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
        self.0 += 1;
        if self.0 > MAX_EXPR_DEPTH {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn post_visit_expr(&mut self, _: &SqlExpr) -> ControlFlow<()> {
        self.0 -= 1;
        ControlFlow::Continue(())
    }

    /// A chain of set operations (`SELECT … UNION SELECT … EXCEPT …`) parses in a loop
    /// into a tree as deep as it is long, and so does a chain of joins in the plan: both
    /// count as nesting, measured without recursion.
    fn pre_visit_query(&mut self, query: &SqlQuery) -> ControlFlow<()> {
        let mut levels = 0usize;
        let mut todo: Vec<&SetExpr> = vec![&query.body];
        while let Some(e) = todo.pop() {
            match e {
                SetExpr::SetOperation { left, right, .. } => {
                    levels += 1;
                    todo.push(left);
                    todo.push(right);
                }
                SetExpr::Select(select) => {
                    levels += select.from.iter().map(|t| t.joins.len()).sum::<usize>();
                }
                // a parenthesised query is visited as a query of its own
                _ => {}
            }
            if self.0 + levels > MAX_EXPR_DEPTH {
                return ControlFlow::Break(());
            }
        }
        ControlFlow::Continue(())
    }
}

/// Why a statement was refused by the read-only guard.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SqlGuardError {
    /// The statement would change or write something.
    #[error(
        "indmon sql is read-only: {0} is refused. The store changes only through `indmon ingest`; to save a result use --out FILE.parquet or --format csv|json"
    )]
    NotReadOnly(String),
    /// More than one statement.
    #[error("indmon sql runs one statement at a time; found {0}")]
    Several(usize),
    /// Not SQL.
    #[error("SQL syntax error: {0}")]
    Syntax(String),
    /// Nothing to run.
    #[error("no SQL statement given")]
    Empty,
    /// Expressions nested deeper than [`MAX_EXPR_DEPTH`].
    #[error(
        "the statement nests expressions more than {MAX_EXPR_DEPTH} levels deep (a chain of operators such as 1+1+…, OR, ||, UNION or JOIN nests one level per operator) and is refused; use IN (…) for long lists of alternatives, or split the query"
    )]
    TooDeep,
    /// A statement longer than [`MAX_SQL_BYTES`].
    #[error("the statement is {0} bytes long; indmon sql takes at most {MAX_SQL_BYTES}")]
    TooLong(usize),
}

/// The longest statement accepted, in bytes.
pub const MAX_SQL_BYTES: usize = 1 << 20;

fn keyword(sql: &str) -> String {
    sql.split_whitespace()
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// Accepts one read-only statement: a query, EXPLAIN of a query, or SHOW TABLES /
/// SHOW COLUMNS. Everything else — INSERT, UPDATE, DELETE, CREATE, DROP, COPY, SET,
/// ATTACH ... — is refused before planning.
///
/// The statement is parsed on a thread of its own with a large stack: a flat chain of
/// operators parses without deep recursion but makes a tree as deep as it is long,
/// which is measured (and dropped) recursively.
pub fn check_read_only(sql: &str) -> Result<(), SqlGuardError> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(SqlGuardError::TooLong(sql.len()));
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("indmon-sql-guard".into())
            .stack_size(GUARD_STACK)
            .spawn_scoped(s, || check_parsed(sql))
            .map_err(|e| SqlGuardError::Syntax(format!("cannot start the SQL check: {e}")))?
            .join()
            .unwrap_or_else(|_| Err(SqlGuardError::Syntax("the SQL check failed".into())))
    })
}

/// Stack of the thread that parses and checks a statement (reserved, not used, unless
/// the statement is deep): enough for the deepest tree [`MAX_SQL_BYTES`] can make.
const GUARD_STACK: usize = 256 << 20;

fn check_parsed(sql: &str) -> Result<(), SqlGuardError> {
    let stmts = DFParser::parse_sql(sql)
        .map_err(|e| SqlGuardError::Syntax(e.strip_backtrace().to_string()))?;
    match stmts.len() {
        0 => return Err(SqlGuardError::Empty),
        1 => {}
        n => return Err(SqlGuardError::Several(n)),
    }
    fn check(s: &DfStatement, sql: &str) -> Result<(), SqlGuardError> {
        match s {
            DfStatement::Statement(inner) if inner.visit(&mut Depth(0)).is_break() => {
                Err(SqlGuardError::TooDeep)
            }
            DfStatement::Statement(inner) => match inner.as_ref() {
                SqlStatement::Query(_)
                | SqlStatement::ShowTables { .. }
                | SqlStatement::ShowColumns { .. } => Ok(()),
                SqlStatement::Explain { statement, .. } => match statement.as_ref() {
                    SqlStatement::Query(_) => Ok(()),
                    other => Err(SqlGuardError::NotReadOnly(format!(
                        "EXPLAIN {}",
                        keyword(&other.to_string())
                    ))),
                },
                SqlStatement::ExplainTable { .. } => Ok(()),
                other => Err(SqlGuardError::NotReadOnly(keyword(&other.to_string()))),
            },
            DfStatement::Explain(e) => check(&e.statement, sql),
            DfStatement::CopyTo(_) => Err(SqlGuardError::NotReadOnly("COPY".into())),
            DfStatement::CreateExternalTable(_) => {
                Err(SqlGuardError::NotReadOnly("CREATE EXTERNAL TABLE".into()))
            }
            DfStatement::Reset(_) => Err(SqlGuardError::NotReadOnly(keyword(sql))),
        }
    }
    check(&stmts[0], sql)
}

/// The rows' file of the vintage in `dir` (the one file whose checksum its record holds).
fn data_file(dir: &std::path::Path) -> String {
    dir.join("data.parquet").display().to_string()
}

/// The tables a statement reads (as DataFusion resolves their names); nothing when it
/// does not parse (planning then says why).
fn tables_read(sql: &str) -> Vec<String> {
    let Ok(mut stmts) = DFParser::parse_sql(sql) else {
        return Vec::new();
    };
    let Some(stmt) = stmts.pop_front() else {
        return Vec::new();
    };
    resolve_table_references(&stmt, true)
        .map(|(tables, _)| {
            tables
                .into_iter()
                .filter(|t| t.schema().is_none_or(|s| s == "public"))
                .map(|t| t.table().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A national-accounts dataset's part of the `na_obs` views: its vintages up to the
/// chosen one, ranked oldest to newest.
struct NaPart {
    dataset: String,
    vintages: Vec<String>,
}

impl Store {
    /// The vintages a read of `tables` needs, by dataset: the chosen vintage of a whole
    /// release, the vintages up to the chosen one of national accounts (and of
    /// `na_obs`), every vintage for `<dataset>__vintages`. A table of a dataset that
    /// cannot be read is an error naming its file.
    fn needed<'c>(
        &self,
        catalog: &'c Catalog,
        tables: &[String],
        as_of: Option<NaiveDate>,
    ) -> Result<std::collections::BTreeMap<String, Vec<&'c indmon_core::VintageMeta>>> {
        let mut needed = std::collections::BTreeMap::new();
        let upto = |ds: &str| -> Vec<&'c indmon_core::VintageMeta> {
            let Some(chosen) = catalog.select(ds, as_of) else {
                return Vec::new();
            };
            let all = catalog.vintages(ds);
            let n = all
                .iter()
                .position(|m| m.vintage == chosen.vintage)
                .map_or(0, |i| i + 1);
            all[..n].iter().collect()
        };
        for t in tables {
            let (base, every) = match t.strip_suffix("__vintages") {
                Some(b) => (b, true),
                None => (t.as_str(), false),
            };
            let datasets: Vec<&str> = if base == "na_obs" {
                catalog
                    .datasets()
                    .filter(|ds| {
                        catalog
                            .select(ds, as_of)
                            .is_some_and(|m| m.schema == "na_obs")
                    })
                    .collect()
            } else {
                vec![base]
            };
            for ds in datasets {
                if let Some(u) = catalog.unavailable_dataset(ds) {
                    return Err(Error::Unavailable(u.clone()));
                }
                let Some(chosen) = catalog.select(ds, as_of) else {
                    continue;
                };
                let vintages = if every && base != "na_obs" {
                    catalog.vintages(ds).iter().collect()
                } else if chosen.schema == "na_obs" {
                    upto(ds)
                } else {
                    vec![chosen]
                };
                let e: &mut Vec<_> = needed.entry(ds.to_string()).or_default();
                for m in vintages {
                    if !e
                        .iter()
                        .any(|x: &&indmon_core::VintageMeta| x.vintage == m.vintage)
                    {
                        e.push(m);
                    }
                }
            }
        }
        Ok(needed)
    }

    /// A DataFusion session with the store's tables registered (see the module docs),
    /// for a statement that reads `tables`: the files of those tables are checked
    /// against their recorded checksums first (once per file per process), and a
    /// dataset that cannot be read fails the statement only when the statement reads
    /// it (other datasets are left out of the session).
    ///
    /// `parallel`: the plan may run on every core. Typed reads ([`Store::fetch`],
    /// [`Store::scan`]) run on one partition instead: the rows then arrive in the file's
    /// order and sums are added in one order, so a figure is the same to the last bit on
    /// every run (with several partitions, batches are dealt out round-robin and
    /// partial sums merged as they finish, which changes the last bits of a sum from
    /// run to run).
    pub(crate) async fn session(
        &self,
        opts: &QueryOptions,
        parallel: bool,
        tables: &[String],
    ) -> Result<(SessionContext, Catalog)> {
        let catalog = self.catalog()?;
        let needed = self.needed(&catalog, tables, opts.as_of)?;
        for (ds, vintages) in &needed {
            for m in vintages {
                self.check_vintage(&catalog.dir(self, ds, &m.vintage), m)?;
            }
        }
        let partitions = if parallel {
            std::thread::available_parallelism().map_or(2, |n| n.get())
        } else {
            1
        };
        let config = SessionConfig::new()
            .with_information_schema(true)
            .with_target_partitions(partitions);
        let runtime = match opts.memory_limit {
            Some(memory) => runtime_env(memory)?,
            None => self.engine.runtime.clone(),
        };
        let ctx = SessionContext::new_with_config_rt(config, runtime);
        let mut na_parts: Vec<NaPart> = Vec::new();
        for ds in catalog.datasets() {
            let Some(chosen) = catalog.select(ds, opts.as_of) else {
                continue;
            };
            match self.register(&ctx, &catalog, ds, chosen).await {
                Ok(Some(part)) => na_parts.push(part),
                Ok(None) => {}
                Err(e) => {
                    let _ = ctx.deregister_table(ds);
                    let _ = ctx.deregister_table(format!("{ds}__vintages").as_str());
                    if needed.contains_key(ds) {
                        let dir = catalog.dir(self, ds, &chosen.vintage);
                        return Err(Error::Unavailable(crate::Unavailable::new(
                            self,
                            ds,
                            &dir,
                            format!("the Parquet files cannot be opened: {e}"),
                        )));
                    }
                }
            }
        }
        ctx.register_table(
            "indmon_catalog",
            Arc::new(catalog_table(&catalog, opts.as_of)?),
        )?;
        if !na_parts.is_empty() {
            let mut ranks: Vec<(String, String, i64)> = Vec::new();
            let mut all = Vec::new();
            for p in &na_parts {
                for (rank, v) in p.vintages.iter().enumerate() {
                    ranks.push((p.dataset.clone(), v.clone(), rank as i64));
                }
                let ids: Vec<String> = p.vintages.iter().map(|v| format!("'{v}'")).collect();
                all.push(format!(
                    "SELECT '{ds}' AS dataset, vintage, geo, nace, na_item, unit, time, value, flag, conf_status, series, note FROM {ds}__vintages WHERE vintage IN ({})",
                    ids.join(", "),
                    ds = p.dataset,
                ));
            }
            ctx.register_table("indmon_vintage_rank", Arc::new(rank_table(&ranks)?))?;
            ctx.sql(&format!(
                "CREATE VIEW na_obs__vintages AS {}",
                all.join(" UNION ALL ")
            ))
            .await?;
            ctx.sql(
                "CREATE VIEW na_obs AS SELECT dataset, vintage, geo, nace, na_item, unit, time, value, flag, conf_status, series, note FROM ( \
                   SELECT v.*, ROW_NUMBER() OVER (PARTITION BY v.dataset, v.geo, v.nace, v.na_item, v.unit, v.time, v.series ORDER BY r.rank DESC) AS rn \
                   FROM na_obs__vintages v JOIN indmon_vintage_rank r ON v.dataset = r.dataset AND v.vintage = r.vintage) \
                 WHERE rn = 1",
            )
            .await?;
            for p in &na_parts {
                ctx.sql(&format!(
                    "CREATE VIEW {ds} AS SELECT vintage, geo, nace, na_item, unit, time, value, flag, conf_status, series, note FROM na_obs WHERE dataset = '{ds}'",
                    ds = p.dataset
                ))
                .await?;
            }
        }
        Ok((ctx, catalog))
    }

    /// Runs `fut` under the time limit of the query (`opts`, else the store's).
    async fn limited<T>(
        &self,
        opts: &QueryOptions,
        fut: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let limit = opts.time_limit.unwrap_or(self.engine.limits.time);
        // the deadline is kept by a thread of its own: the runtime's own timers are
        // driven by its workers, which a query may keep busy past the deadline
        // (the sleep is made on the timer's runtime: made here, it would use this one's)
        let deadline = timer().spawn(async move { tokio::time::sleep(limit).await });
        let _cancel = AbortOnDrop(deadline.abort_handle());
        // the deadline is polled first, each time: polled after the query, it would
        // find the task budget spent by the query and never be seen to expire
        let deadline = tokio::task::unconstrained(deadline);
        let fut = std::pin::pin!(fut);
        let done = match futures_util::future::select(deadline, fut).await {
            futures_util::future::Either::Left(_) => Err(()),
            futures_util::future::Either::Right((r, _)) => Ok(r),
        };
        match done {
            Ok(Err(Error::Limit(m))) if m.starts_with(OUT_OF_MEMORY) => {
                let memory = opts.memory_limit.unwrap_or(self.engine.limits.memory);
                Err(Error::Limit(m.replacen(
                    OUT_OF_MEMORY,
                    &format!(
                        "the query needs more memory than its limit of {} ([query] memory_mb in indmon.toml)",
                        human_bytes(memory)
                    ),
                    1,
                )))
            }
            Ok(r) => r,
            Err(_) => Err(Error::Limit(format!(
                "the query ran longer than its limit of {} s ([query] timeout_secs in indmon.toml) and was stopped{NARROW}",
                limit.as_secs_f64()
            ))),
        }
    }

    /// The limits the store's queries run under.
    pub fn limits(&self) -> QueryLimits {
        self.engine.limits
    }

    /// Registers a dataset's tables: `<dataset>__vintages` (every vintage, with a
    /// `vintage` column) and, for a whole release, `<dataset>` (the chosen vintage).
    /// National accounts get their views later; their part is returned.
    async fn register(
        &self,
        ctx: &SessionContext,
        catalog: &Catalog,
        ds: &str,
        chosen: &indmon_core::VintageMeta,
    ) -> Result<Option<NaPart>> {
        let all = format!("{ds}__vintages");
        // exactly the catalog's vintages, each from its own (checked) file: a vintage
        // released after the catalog was read is not shown, though it is in the folder
        let vintages = catalog.vintages(ds);
        let mut schemas = Vec::with_capacity(vintages.len());
        for m in vintages {
            let file = data_file(&catalog.dir(self, ds, &m.vintage));
            let one = ctx
                .read_parquet(file.as_str(), ParquetReadOptions::default())
                .await?;
            schemas.push((m.vintage.as_str(), file, one.schema().as_arrow().clone()));
        }
        // one schema for all (a column missing from an older vintage reads as null)
        let merged = Schema::try_merge(schemas.iter().map(|(_, _, s)| s.clone()))
            .map_err(|e| Error::Query(e.to_string()))?;
        let mut history: Option<DataFrame> = None;
        for (vintage, file, _) in &schemas {
            // a condition on `vintage` leaves out the other vintages' files when the
            // query is planned (the column is a constant in each part)
            let one = ctx
                .read_parquet(file.as_str(), ParquetReadOptions::default().schema(&merged))
                .await?
                .with_column("vintage", lit(*vintage))?;
            history = Some(match history {
                None => one,
                Some(h) => h.union(one)?,
            });
        }
        if let Some(h) = history {
            ctx.register_table(all.as_str(), h.into_view())?;
        }
        if chosen.schema != "na_obs" {
            // a whole release: the latest vintage (or the one current "as of")
            ctx.register_parquet(
                ds,
                data_file(&catalog.dir(self, ds, &chosen.vintage)),
                ParquetReadOptions::default(),
            )
            .await?;
            return Ok(None);
        }
        // national accounts: vintages up to the chosen one, ranked oldest to newest;
        // each observation is taken from the newest vintage that has it (a download of
        // one country updates that country and leaves the others as they were)
        let vintages = catalog.vintages(ds);
        let upto = vintages
            .iter()
            .position(|m| m.vintage == chosen.vintage)
            .unwrap_or(0);
        Ok(Some(NaPart {
            dataset: ds.to_string(),
            vintages: vintages[..=upto]
                .iter()
                .map(|m| m.vintage.clone())
                .collect(),
        }))
    }

    /// The rows `q` selects (see [`Select`]).
    pub async fn fetch(&self, q: &Select, opts: &QueryOptions) -> Result<Rows> {
        self.limited(opts, async {
            let (ctx, _) = self
                .session(opts, false, std::slice::from_ref(&q.table))
                .await?;
            let df = q.plan(ctx.table(TableReference::bare(q.table.as_str())).await?)?;
            collect(df).await
        })
        .await
    }

    /// The rows `q` selects, handed to `each` a chunk at a time as they are read (for
    /// scans too large to hold: a whole trade dataset). `each` stops the scan with an
    /// error.
    pub async fn scan(
        &self,
        q: &Select,
        opts: &QueryOptions,
        mut each: impl FnMut(&Rows) -> Result<()>,
    ) -> Result<()> {
        self.limited(opts, async {
            let (ctx, _) = self
                .session(opts, false, std::slice::from_ref(&q.table))
                .await?;
            let df = q.plan(ctx.table(TableReference::bare(q.table.as_str())).await?)?;
            let schema = df.schema().as_arrow().clone();
            let mut stream = df.execute_stream().await?;
            while let Some(batch) = stream.next().await {
                each(&Rows::new(&schema, vec![batch?]))?;
            }
            Ok(())
        })
        .await
    }

    /// The column names and types of a table, without reading its rows.
    pub async fn columns(
        &self,
        table: &str,
        opts: &QueryOptions,
    ) -> Result<Vec<(String, ColumnType)>> {
        let (ctx, _) = self.session(opts, false, &[table.to_string()]).await?;
        let df = ctx.table(TableReference::bare(table)).await?;
        let rows = Rows::new(df.schema().as_arrow(), Vec::new());
        Ok(rows
            .names()
            .iter()
            .cloned()
            .zip(rows.types().iter().copied())
            .collect())
    }

    /// The planned data frame of one read-only SQL statement (see [`check_read_only`]).
    async fn plan_sql(&self, sql: &str, opts: &QueryOptions) -> Result<DataFrame> {
        check_read_only(sql)?;
        let (ctx, _) = self.session(opts, true, &tables_read(sql)).await?;
        let guard = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        Ok(ctx.sql_with_options(sql, guard).await?)
    }

    /// Runs one read-only SQL statement of a user (`indmon sql`) and collects the result.
    pub async fn sql(&self, sql: &str, opts: &QueryOptions) -> Result<Rows> {
        self.limited(opts, async {
            collect(self.plan_sql(sql, opts).await?).await
        })
        .await
    }

    /// Runs one read-only SQL statement and streams its result into a file, Parquet
    /// (`.parquet`) or CSV (`.csv`), through a temporary file beside it that is renamed
    /// into place: a failed query never leaves a partial file. A path inside the data
    /// directory is refused, so nothing a read does can change the store. Returns the
    /// number of rows written.
    pub async fn export(&self, sql: &str, opts: &QueryOptions, path: &Path) -> Result<u64> {
        self.refuse_inside(path)?;
        let kind = export_kind(path)?;
        self.limited(opts, self.export_unlimited(sql, opts, path, kind))
            .await
    }

    async fn export_unlimited(
        &self,
        sql: &str,
        opts: &QueryOptions,
        path: &Path,
        kind: ExportKind,
    ) -> Result<u64> {
        let df = self.plan_sql(sql, opts).await?;
        let schema = std::sync::Arc::new(df.schema().as_arrow().clone());
        let mut stream = df.execute_stream().await?;
        let file = crate::OutFile::create(path)?;
        let perr = |e: &dyn std::fmt::Display| Error::Parquet {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        // on an error the unfinished file is dropped, which removes it
        let mut rows = 0u64;
        let file = match kind {
            ExportKind::Parquet => {
                let mut w = ArrowWriter::try_new(file, schema, None).map_err(|e| perr(&e))?;
                while let Some(batch) = stream.next().await {
                    let batch = batch?;
                    rows += batch.num_rows() as u64;
                    w.write(&batch).map_err(|e| perr(&e))?;
                }
                w.into_inner().map_err(|e| perr(&e))?
            }
            ExportKind::Csv => {
                let mut buf = std::io::BufWriter::new(file);
                {
                    let mut w = datafusion::arrow::csv::WriterBuilder::new()
                        .with_header(true)
                        .build(&mut buf);
                    while let Some(batch) = stream.next().await {
                        let batch = batch?;
                        rows += batch.num_rows() as u64;
                        w.write(&batch).map_err(|e| perr(&e))?;
                    }
                }
                buf.into_inner().map_err(|e| perr(&e))?
            }
        };
        file.finish()?;
        Ok(rows)
    }

    /// Refuses an output path inside the data directory (an output file must never
    /// land among, or replace, the store's own files).
    pub fn refuse_inside(&self, path: &Path) -> Result<()> {
        let root = std::fs::canonicalize(self.root()).map_err(io_err(self.root()))?;
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = std::fs::canonicalize(parent).map_err(io_err(parent))?;
        let target = match path.file_name() {
            Some(n) => dir.join(n),
            None => dir.clone(),
        };
        // a symbolic link at the target is followed too
        let resolved = std::fs::canonicalize(&target).unwrap_or(target);
        if dir.starts_with(&root) || resolved.starts_with(&root) {
            return Err(Error::Refused(format!(
                "{}: an output file cannot be written inside the data directory {} (it holds the store); choose a path outside it",
                path.display(),
                root.display()
            )));
        }
        Ok(())
    }
}

#[derive(Clone, Copy)]
enum ExportKind {
    Parquet,
    Csv,
}

fn export_kind(path: &Path) -> Result<ExportKind> {
    match path.extension().and_then(|e| e.to_str()) {
        Some("parquet") => Ok(ExportKind::Parquet),
        Some("csv") => Ok(ExportKind::Csv),
        _ => Err(Error::Refused(format!(
            "{}: the file name must end in .parquet or .csv",
            path.display()
        ))),
    }
}

/// The rows of `df`, held against the memory pool of its session: a result larger
/// than the memory limit fails instead of exhausting the machine.
async fn collect(df: DataFrame) -> Result<Rows> {
    let schema = df.schema().as_arrow().clone();
    let pool = df.task_ctx().memory_pool().clone();
    let held = MemoryConsumer::new("indmon query result").register(&pool);
    let mut stream = df.execute_stream().await?;
    let mut batches = Vec::new();
    while let Some(batch) = stream.next().await {
        let batch = batch?;
        held.try_grow(batch.get_array_memory_size())?;
        batches.push(batch);
    }
    Ok(Rows::new(&schema, batches))
}

/// Ranks of the national-accounts vintages (higher = newer) as a table.
fn rank_table(rows: &[(String, String, i64)]) -> Result<MemTable> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("dataset", DataType::Utf8, false),
        Field::new("vintage", DataType::Utf8, false),
        Field::new("rank", DataType::Int64, false),
    ]));
    let cols: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from(
            rows.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        )),
        Arc::new(Int64Array::from(
            rows.iter().map(|r| r.2).collect::<Vec<_>>(),
        )),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols)
        .map_err(|e| crate::Error::Query(e.to_string()))?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

/// The catalog as a table.
fn catalog_table(catalog: &Catalog, as_of: Option<NaiveDate>) -> Result<MemTable> {
    let text = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
    let schema = Arc::new(Schema::new(vec![
        text("dataset", false),
        text("vintage", false),
        text("title", false),
        text("publisher", false),
        text("source", false),
        text("input", false),
        text("retrieved_at", false),
        text("release", true),
        text("release_label", true),
        text("release_basis", true),
        text("sha256", false),
        Field::new("input_bytes", DataType::UInt64, false),
        Field::new("rows", DataType::UInt64, false),
        text("schema", false),
        Field::new("schema_version", DataType::UInt32, false),
        text("parser", false),
        text("licence", false),
        text("citation", false),
        text("scope", true),
        Field::new("synthetic", DataType::Boolean, false),
        Field::new("is_latest", DataType::Boolean, false),
        Field::new("is_selected", DataType::Boolean, false),
        text("indmon_version", false),
    ]));
    let all: Vec<_> = catalog.all().collect();
    let s = |f: &dyn Fn(&indmon_core::VintageMeta) -> Option<String>| -> ArrayRef {
        Arc::new(StringArray::from(
            all.iter().map(|m| f(m)).collect::<Vec<_>>(),
        ))
    };
    let cols: Vec<ArrayRef> = vec![
        s(&|m| Some(m.dataset.to_string())),
        s(&|m| Some(m.vintage.clone())),
        s(&|m| Some(m.title.clone())),
        s(&|m| Some(m.publisher.clone())),
        s(&|m| Some(m.source.clone())),
        s(&|m| Some(m.input.clone())),
        s(&|m| Some(m.retrieved_at.to_rfc3339())),
        s(&|m| m.release.map(|d| d.to_string())),
        s(&|m| m.release_label.clone()),
        s(&|m| m.release_basis.clone()),
        s(&|m| Some(m.sha256.clone())),
        Arc::new(UInt64Array::from(
            all.iter().map(|m| m.input_bytes).collect::<Vec<_>>(),
        )),
        Arc::new(UInt64Array::from(
            all.iter().map(|m| m.rows).collect::<Vec<_>>(),
        )),
        s(&|m| Some(m.schema.clone())),
        Arc::new(UInt32Array::from(
            all.iter().map(|m| m.schema_version).collect::<Vec<_>>(),
        )),
        s(&|m| Some(m.parser.clone())),
        s(&|m| Some(m.licence.clone())),
        s(&|m| Some(m.citation.clone())),
        s(&|m| m.scope.clone()),
        Arc::new(BooleanArray::from(
            all.iter().map(|m| m.synthetic).collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            all.iter()
                .map(|m| {
                    catalog
                        .latest(m.dataset.as_str())
                        .is_some_and(|l| l.vintage == m.vintage)
                })
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            all.iter()
                .map(|m| {
                    catalog
                        .select(m.dataset.as_str(), as_of)
                        .is_some_and(|l| l.vintage == m.vintage)
                })
                .collect::<Vec<_>>(),
        )),
        s(&|m| Some(m.indmon_version.clone())),
    ];
    let batch = RecordBatch::try_new(schema.clone(), cols)
        .map_err(|e| crate::Error::Query(e.to_string()))?;
    Ok(MemTable::try_new(schema, vec![vec![batch]])?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::Float64Array;

    /// Commits a vintage of `ds` with one row of `value`; returns its id.
    fn put(store: &Store, ds: &str, release: &str, value: f64) -> String {
        use chrono::TimeZone;
        let schema = Arc::new(Schema::new(vec![
            Field::new("geo", DataType::Utf8, false),
            Field::new("value", DataType::Float64, true),
        ]));
        let batch = RecordBatch::try_new(
            schema,
            vec![
                Arc::new(StringArray::from(vec!["NL"])),
                Arc::new(Float64Array::from(vec![value])),
            ],
        )
        .unwrap();
        let id = indmon_core::DatasetId::new(ds).unwrap();
        let release = NaiveDate::parse_from_str(release, "%Y-%m-%d").unwrap();
        let sha = format!("{:064x}", value as u64);
        let meta = indmon_core::VintageMeta {
            dataset: id.clone(),
            vintage: indmon_core::VintageMeta::make_id(release, &sha),
            title: "Test".into(),
            publisher: "Test".into(),
            source: "test".into(),
            input: "test.csv".into(),
            retrieved_at: chrono::Utc.with_ymd_and_hms(2026, 11, 1, 12, 0, 0).unwrap(),
            release: Some(release),
            release_label: None,
            release_basis: None,
            sha256: sha,
            input_bytes: 10,
            rows: 1,
            schema: "test".into(),
            schema_version: 1,
            parser: "test/1".into(),
            licence: "CC BY 4.0".into(),
            citation: "Test".into(),
            scope: None,
            synthetic: false,
            min_flow_usd: None,
            indmon_version: "0".into(),
            data_sha256: None,
        };
        let mut w = store.writer(&id).unwrap();
        w.write(batch).unwrap();
        w.commit(&meta, false).unwrap().vintage
    }

    /// issue 19: `<dataset>__vintages` was the dataset's folder as listed when the
    /// query was planned, so a release committed after the catalog was read showed in
    /// it (a vintage the catalog did not list, whose file was never checked).
    #[test]
    fn the_history_shows_exactly_the_catalogs_vintages() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = put(&store, "va", "2024-01-01", 1.0);
        let b = put(&store, "va", "2025-01-01", 2.0);
        let catalog = store.catalog().unwrap();
        // a release lands between the catalog read and the planning
        let c = put(&store, "va", "2026-01-01", 3.0);
        assert!(store.vintage_dir("va", &c).join("data.parquet").exists());
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let ctx = SessionContext::new();
            let chosen = catalog.select("va", None).unwrap();
            assert_eq!(chosen.vintage, b);
            store.register(&ctx, &catalog, "va", chosen).await.unwrap();
            let batches = ctx
                .sql("SELECT vintage, value FROM va__vintages ORDER BY vintage")
                .await
                .unwrap()
                .collect()
                .await
                .unwrap();
            let mut shown = Vec::new();
            for batch in &batches {
                let v = batch
                    .column(0)
                    .as_any()
                    .downcast_ref::<StringArray>()
                    .unwrap();
                let x = batch
                    .column(1)
                    .as_any()
                    .downcast_ref::<Float64Array>()
                    .unwrap();
                for i in 0..batch.num_rows() {
                    shown.push((v.value(i).to_string(), x.value(i)));
                }
            }
            assert_eq!(shown, vec![(a.clone(), 1.0), (b.clone(), 2.0)]);
            // the latest vintage is the catalog's too
            let latest = ctx
                .sql("SELECT value FROM va")
                .await
                .unwrap()
                .collect()
                .await
                .unwrap();
            let x = latest[0]
                .column(0)
                .as_any()
                .downcast_ref::<Float64Array>()
                .unwrap();
            assert_eq!((latest[0].num_rows(), x.value(0)), (1, 2.0));
            // a condition on the vintage reads that vintage's file only
            let plan = ctx
                .sql(&format!(
                    "SELECT value FROM va__vintages WHERE vintage = '{a}'"
                ))
                .await
                .unwrap()
                .create_physical_plan()
                .await
                .unwrap();
            let text = datafusion::physical_plan::displayable(plan.as_ref())
                .indent(true)
                .to_string();
            assert!(
                text.contains(&format!("vintage={a}/data.parquet")),
                "{text}"
            );
            assert!(!text.contains(&format!("vintage={b}")), "{text}");
            assert!(!text.contains(&format!("vintage={c}")), "{text}");
        });
    }

    #[test]
    fn queries_pass_the_guard() {
        for ok in [
            "SELECT 1",
            "select * from estat_nama_10_a64 where geo = 'NL'",
            "WITH x AS (SELECT 1 AS a) SELECT a FROM x",
            "EXPLAIN SELECT 1",
            "SHOW TABLES",
            "SELECT 1;",
        ] {
            check_read_only(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
    }

    #[test]
    fn writes_are_refused_by_name() {
        for (sql, word) in [
            ("INSERT INTO t VALUES (1)", "INSERT"),
            ("DROP TABLE estat_nama_10_a64", "DROP"),
            ("COPY (SELECT 1) TO '/tmp/x.parquet'", "COPY"),
            (
                "COPY estat_nama_10_a64 TO '/tmp/x.csv' STORED AS CSV",
                "COPY",
            ),
            ("CREATE TABLE t AS SELECT 1", "CREATE"),
            (
                "CREATE EXTERNAL TABLE t STORED AS CSV LOCATION '/etc/passwd'",
                "CREATE EXTERNAL TABLE",
            ),
            ("DELETE FROM t", "DELETE"),
            ("UPDATE t SET a = 1", "UPDATE"),
            ("SET datafusion.execution.batch_size = 1", "SET"),
            ("EXPLAIN INSERT INTO t VALUES (1)", "INSERT"),
            ("CREATE VIEW v AS SELECT 1", "CREATE"),
        ] {
            let e = check_read_only(sql).unwrap_err();
            assert_eq!(e, SqlGuardError::NotReadOnly(word.into()), "{sql}");
            assert!(e.to_string().contains("read-only"), "{e}");
        }
        assert_eq!(
            check_read_only("SELECT 1; DROP TABLE t").unwrap_err(),
            SqlGuardError::Several(2)
        );
        assert!(matches!(
            check_read_only("SELEC 1").unwrap_err(),
            SqlGuardError::Syntax(_)
        ));
        assert_eq!(check_read_only("  ").unwrap_err(), SqlGuardError::Empty);
    }
}
