//! `indmon serve`: the dashboard and the JSON API on a local web server.

use std::net::SocketAddr;

use crate::error::{Context as _, Result};

use crate::config::Context;

/// Serve the dashboard and the JSON API: the industry share against the target, its
/// decomposition, outlook, peers and revisions, the priority markets, the dependency
/// screen, the programme ledger, and the sources of every figure, in Dutch (default)
/// or English.
///
/// Open the address it prints in a browser. The API is described at
/// /api/v1/openapi.json. The server only reads the store. The programme pages
/// (/programmes) can be edited by holders of an editor token (`indmon ledger token add
/// NAME`), who sign in at /ledger/login. Ctrl-C stops it.
///
/// Its limits are the [server] settings of indmon.toml: request headers within
/// header_timeout_secs (10), a connection silent for idle_timeout_secs (60) is closed,
/// a request not answered within request_timeout_secs (30) gets 503, at most
/// max_connections (128) open.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address to listen on (use 127.0.0.1:0 for any free port)
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR:PORT")]
    bind: SocketAddr,
    /// The programme ledger: a SQLite file, or a PostgreSQL connection string [default: ledger.sqlite in the data directory]
    #[arg(long, env = "INDMON_LEDGER", value_name = "TARGET")]
    ledger: Option<String>,
}

pub fn run(ctx: &Context, args: Args) -> Result<()> {
    let store = ctx.store()?;
    let state = indmon_web::AppState::new(store, ctx.settings.clone())
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let target = crate::cmd::ledger::target(ctx, args.ledger.clone())?;
    let ledger = indmon_ledger::Ledger::open(&target)?;
    if !ctx.quiet {
        eprintln!(
            "programme ledger: {} ({})",
            ledger.target(),
            ledger.dialect()
        );
    }
    state.attach_ledger(ledger);
    let rt = ctx.runtime()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.bind)
            .await
            .with_context(|| format!("listening on {}", args.bind))?;
        let addr = listener.local_addr()?;
        if !addr.ip().is_loopback() {
            eprintln!(
                "note: listening on {} — anyone who can reach this address can read the dashboard (it is read-only)",
                addr.ip()
            );
        }
        // the first line of standard output is the address (scripts and tests read it)
        println!("indmon dashboard: http://{addr}/");
        if !ctx.quiet {
            eprintln!("API: http://{addr}/api/v1/openapi.json — Ctrl-C stops the server");
        }
        let warm = state.clone();
        tokio::spawn(async move {
            if let Err(e) = indmon_web::warm(&warm).await {
                eprintln!("note: the overview could not be prepared: {e}");
            }
        });
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        indmon_web::serve(listener, state, shutdown)
            .await
            .context("serving")
    })
}
