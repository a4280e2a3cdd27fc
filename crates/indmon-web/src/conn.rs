//! Serving connections: each accepted TCP connection is served by hyper (HTTP/1.1)
//! with the limits that keep slow, idle or numerous clients from holding the server.
//!
//! - A request's headers must arrive within [`HEADER_TIMEOUT`] of the connection being
//!   ready for them (a new connection, or a kept-alive one after its last answer);
//!   otherwise the connection is closed. This ends slow-header ("slowloris") clients
//!   and idle kept-alive connections alike.
//! - A connection on which no byte moves either way for [`IDLE_TIMEOUT`] is closed (a
//!   client that stops reading its answer).
//! - At most [`MAX_CONNECTIONS`] connections are open. At the cap, a new connection
//!   closes the oldest one that is not being answered (waiting for a request), so idle
//!   sockets cannot lock out a client that asks something; when every connection is
//!   being answered, new ones wait in the listen queue. The cap keeps the server's file
//!   descriptors well below a limit of 256.
//! - On shutdown the server stops accepting, lets the requests in flight finish, and
//!   closes idle connections at once.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tower::Service;

/// Longest a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection on which nothing is read or written for this long is closed (longer
/// than [`crate::REQUEST_TIMEOUT`], the longest an answer may be computed).
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The most connections open at once.
pub const MAX_CONNECTIONS: usize = 128;

/// One open connection, as the registry sees it.
struct Open {
    /// Requests being answered on it.
    busy: Arc<AtomicUsize>,
    /// Told when the connection is to be closed to make room.
    close: Arc<Notify>,
    /// Told so, and not yet closed (its socket is still open).
    closing: bool,
}

/// The open connections, oldest first.
#[derive(Default)]
struct Registry {
    open: Mutex<BTreeMap<u64, Open>>,
    /// Told when a connection ends or stops being answered.
    changed: Notify,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Open>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a new connection can be taken: below the cap, or at the cap with a
    /// connection that is not being answered (to be closed for it) and none still
    /// closing (so that sockets never outnumber the cap by more than one or two).
    async fn room(&self) {
        loop {
            let changed = self.changed.notified();
            {
                let open = self.lock();
                if open.len() < MAX_CONNECTIONS
                    || (!open.values().any(|c| c.closing)
                        && open.values().any(|c| c.busy.load(Ordering::SeqCst) == 0))
                {
                    return;
                }
            }
            changed.await;
        }
    }

    /// Registers a new connection; at the cap, first tells the oldest connection that
    /// is not being answered to close.
    fn admit(&self, id: u64, conn: Open) {
        let mut open = self.lock();
        if open.len() >= MAX_CONNECTIONS
            && let Some(old) = open
                .values_mut()
                .find(|c| !c.closing && c.busy.load(Ordering::SeqCst) == 0)
        {
            old.closing = true;
            old.close.notify_one();
        }
        open.insert(id, conn);
    }

    fn leave(&self, id: u64) {
        self.lock().remove(&id);
        self.changed.notify_waiters();
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// Removes a connection from the registry when its task ends.
struct Leave(Arc<Registry>, u64);

impl Drop for Leave {
    fn drop(&mut self) {
        self.0.leave(self.1);
    }
}

/// Counts a request being answered.
struct Busy(Arc<AtomicUsize>, Arc<Registry>);

impl Drop for Busy {
    fn drop(&mut self) {
        if self.0.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.1.changed.notify_waiters();
        }
    }
}

/// A socket that notes when a byte last moved (for [`IDLE_TIMEOUT`]).
struct Watched {
    inner: TcpStream,
    start: Instant,
    last: Arc<AtomicU64>,
}

impl Watched {
    fn touch(&self) {
        self.last
            .store(self.start.elapsed().as_millis() as u64, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Completes when nothing has moved on the connection for [`IDLE_TIMEOUT`].
async fn idle(start: Instant, last: Arc<AtomicU64>) {
    loop {
        let since = start
            .elapsed()
            .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
        if since >= IDLE_TIMEOUT {
            return;
        }
        tokio::time::sleep(IDLE_TIMEOUT - since).await;
    }
}

/// Errors of `accept` that concern one connection only (the next accept may work).
fn is_connection_error(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}

/// Serves `app` on `listener` with the limits of this module until `shutdown`
/// completes; then waits for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry::default());
    let (stop, stopped) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    let mut next_id = 0u64;
    let mut complained: Option<Instant> = None;
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = async {
                registry.room().await;
                listener.accept().await
            } => match accepted {
                Ok((stream, _)) => stream,
                Err(e) if is_connection_error(&e) => continue,
                Err(e) => {
                    // out of file descriptors or the like: wait for connections to end
                    // (said at most once a minute)
                    if complained.is_none_or(|t| t.elapsed() > Duration::from_secs(60)) {
                        eprintln!("indmon serve: accepting a connection failed: {e}");
                        complained = Some(Instant::now());
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        next_id += 1;
        let id = next_id;
        let busy = Arc::new(AtomicUsize::new(0));
        let close = Arc::new(Notify::new());
        registry.admit(
            id,
            Open {
                busy: busy.clone(),
                close: close.clone(),
                closing: false,
            },
        );
        let start = Instant::now();
        let last = Arc::new(AtomicU64::new(0));
        let io = TokioIo::new(Watched {
            inner: stream,
            start,
            last: last.clone(),
        });
        let (app, reg) = (app.clone(), registry.clone());
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            busy.fetch_add(1, Ordering::SeqCst);
            let counted = Busy(busy.clone(), reg.clone());
            let answer = app.clone().call(req.map(axum::body::Body::new));
            async move {
                let _counted = counted;
                answer.await
            }
        });
        let conn = http.serve_connection(io, service);
        let leave = Leave(registry.clone(), id);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _leave = leave;
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                () = close.notified() => return,
                () = idle(start, last.clone()) => return,
                _ = stopped.wait_for(|s| *s) => {}
            }
            // shutting down: finish the request in flight (if any), then close
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = conn.as_mut() => {}
                () = idle(start, last) => {}
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    loop {
        let changed = registry.changed.notified();
        if registry.is_empty() {
            break;
        }
        changed.await;
    }
    Ok(())
}
