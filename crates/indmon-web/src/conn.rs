//! Serving connections: each accepted TCP connection is served by hyper (HTTP/1.1)
//! with the limits that keep slow, idle or numerous clients from holding the server
//! (the `[server]` settings, see [`Limits`]).
//!
//! - A request's headers must arrive within the header timeout (10 s by default) of the
//!   connection being ready for them (a new connection, or a kept-alive one after its
//!   last answer); otherwise the connection is closed. This ends slow-header
//!   ("slowloris") clients and idle kept-alive connections alike.
//! - A connection on which no byte moves either way for the idle timeout (60 s) is
//!   closed (a client that stops reading its answer).
//! - At most `max_connections` (128) connections are open. At the cap, a new connection
//!   closes the oldest one that is waiting for a new request with nothing in flight
//!   either way: no request being answered, no request body still to be read, no part
//!   of an answer still to be handed to the system (a slow upload or download is never
//!   cut off to make room). Connections on which no byte of a next request has arrived
//!   go first; one whose next request's headers are partly read (a slow-header client,
//!   which the header timeout ends anyway) only when there is none. So idle sockets
//!   cannot lock out a client that asks something; when every connection has something
//!   in flight, new ones wait in the listen queue. The default cap keeps the server's
//!   file descriptors well below a limit of 256.
//! - On shutdown the server stops accepting, lets the requests in flight finish, and
//!   closes idle connections at once.

use std::collections::BTreeMap;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use indmon_core::settings::ServerSettings;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, watch};
use tower::Service;

/// The connection limits a server runs under (`[server]` in the settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest a client may take to send a request's headers.
    pub header_timeout: Duration,
    /// A connection on which nothing is read or written for this long is closed
    /// (longer than the request timeout, the longest an answer may be computed).
    pub idle_timeout: Duration,
    /// The most connections open at once (at least 1).
    pub max_connections: usize,
}

impl Limits {
    /// The limits of `[server]` (checked when the settings were read).
    pub fn from_settings(s: &ServerSettings) -> Self {
        Self {
            header_timeout: s.header_timeout(),
            idle_timeout: s.idle_timeout(),
            max_connections: s.max_connections.max(1),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::from_settings(&ServerSettings::default())
    }
}

/// What moves on one connection, as its socket and its requests report it.
#[derive(Default)]
struct Traffic {
    /// Requests in flight: from the moment a request's headers are read until its
    /// handler has answered and both its body and its answer's body are done with
    /// (read to the end, or dropped).
    busy: AtomicUsize,
    /// Bytes were written since hyper last flushed (which it does with its write buffer
    /// empty), or a request ended since: part of an answer may still be on its way out.
    unflushed: AtomicBool,
    /// Bytes of a next request have arrived and its headers are not complete yet.
    heard: AtomicBool,
}

/// Whether a connection may be closed to make room, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Room {
    /// Waiting for a new request, no byte of it arrived: closed first.
    Idle,
    /// Waiting for the rest of a new request's headers: closed when no connection is idle.
    Started,
    /// Something in flight either way: never closed to make room.
    InFlight,
}

impl Traffic {
    fn room(&self) -> Room {
        if self.busy.load(Ordering::SeqCst) > 0 || self.unflushed.load(Ordering::SeqCst) {
            Room::InFlight
        } else if self.heard.load(Ordering::SeqCst) {
            Room::Started
        } else {
            Room::Idle
        }
    }
}

/// One open connection, as the registry sees it.
struct Open {
    /// What moves on it.
    traffic: Arc<Traffic>,
    /// Told when the connection is to be closed to make room.
    close: Arc<Notify>,
    /// Told so, and not yet closed (its socket is still open).
    closing: bool,
}

/// The open connections, oldest first.
struct Registry {
    open: Mutex<BTreeMap<u64, Open>>,
    /// Told when a connection ends or has nothing in flight any more.
    changed: Notify,
    /// The most connections open at once.
    max: usize,
}

impl Registry {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Open>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until a new connection can be taken: below the cap, or at the cap with a
    /// connection that has nothing in flight (to be closed for it) and none still
    /// closing (so that sockets never outnumber the cap by more than one or two).
    async fn room(&self) {
        loop {
            let changed = self.changed.notified();
            {
                let open = self.lock();
                if open.len() < self.max
                    || (!open.values().any(|c| c.closing)
                        && open.values().any(|c| c.traffic.room() != Room::InFlight))
                {
                    return;
                }
            }
            changed.await;
        }
    }

    /// Registers a new connection; at the cap, first tells the oldest idle connection
    /// (else the oldest with a request's headers partly read) to close.
    fn admit(&self, id: u64, conn: Open) {
        let mut open = self.lock();
        if open.len() >= self.max
            && let Some((_, old)) = open
                .values_mut()
                .filter(|c| !c.closing)
                .map(|c| (c.traffic.room(), c))
                .filter(|(room, _)| *room != Room::InFlight)
                .min_by_key(|(room, _)| *room)
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

/// Counts a request in flight; shared by the handler's future, the request's body and
/// the answer's body, and let go when all three are done.
struct Busy(Arc<Traffic>);

impl Busy {
    fn enter(traffic: &Arc<Traffic>) -> Arc<Self> {
        traffic.busy.fetch_add(1, Ordering::SeqCst);
        // the headers are complete: no longer a request that is starting
        traffic.heard.store(false, Ordering::SeqCst);
        Arc::new(Self(traffic.clone()))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        // what hyper still holds of the answer is written out before its next flush
        self.0.unflushed.store(true, Ordering::SeqCst);
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A request's or an answer's body that holds its request in flight until it ends or
/// is dropped.
struct Counted<B> {
    inner: B,
    busy: Option<Arc<Busy>>,
}

impl<B: HttpBody + Unpin> HttpBody for Counted<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let r = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(r, Poll::Ready(None)) {
            self.busy = None;
        }
        r
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A socket that notes when a byte last moved (for the idle timeout) and whether an
/// answer may still be on its way out or a new request on its way in.
struct Watched {
    inner: TcpStream,
    start: Instant,
    last: Arc<AtomicU64>,
    traffic: Arc<Traffic>,
    registry: Arc<Registry>,
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
            if self.traffic.busy.load(Ordering::SeqCst) == 0 {
                self.traffic.heard.store(true, Ordering::SeqCst);
            }
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
            self.traffic.unflushed.store(true, Ordering::SeqCst);
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
            self.traffic.unflushed.store(true, Ordering::SeqCst);
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // hyper flushes the socket only once its own write buffer is empty: everything
        // written so far is with the system, which sends it even if the socket is closed
        let r = Pin::new(&mut self.inner).poll_flush(cx);
        if matches!(r, Poll::Ready(Ok(())))
            && self.traffic.unflushed.swap(false, Ordering::SeqCst)
            && self.traffic.room() != Room::InFlight
        {
            self.registry.changed.notify_waiters();
        }
        r
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Completes when nothing has moved on the connection for `timeout`.
async fn idle(start: Instant, last: Arc<AtomicU64>, timeout: Duration) {
    loop {
        let since = start
            .elapsed()
            .saturating_sub(Duration::from_millis(last.load(Ordering::Relaxed)));
        if since >= timeout {
            return;
        }
        tokio::time::sleep(timeout - since).await;
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

/// Serves `app` on `listener` under `limits` (see the module docs) until `shutdown`
/// completes; then waits for the requests in flight.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let registry = Arc::new(Registry {
        open: Mutex::new(BTreeMap::new()),
        changed: Notify::new(),
        max: limits.max_connections.max(1),
    });
    let (stop, stopped) = watch::channel(false);
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
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
        let traffic = Arc::new(Traffic::default());
        let close = Arc::new(Notify::new());
        registry.admit(
            id,
            Open {
                traffic: traffic.clone(),
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
            traffic: traffic.clone(),
            registry: registry.clone(),
        });
        let app = app.clone();
        let service = hyper::service::service_fn(move |req: Request<Incoming>| {
            let busy = Busy::enter(&traffic);
            let body = busy.clone();
            let answer = app.clone().call(req.map(|inner| {
                axum::body::Body::new(Counted {
                    inner,
                    busy: Some(body),
                })
            }));
            async move {
                let response = answer.await?;
                Ok::<_, std::convert::Infallible>(response.map(|inner| Counted {
                    inner,
                    busy: Some(busy),
                }))
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
                () = idle(start, last.clone(), limits.idle_timeout) => return,
                _ = stopped.wait_for(|s| *s) => {}
            }
            // shutting down: finish the request in flight (if any), then close
            conn.as_mut().graceful_shutdown();
            tokio::select! {
                _ = conn.as_mut() => {}
                () = idle(start, last, limits.idle_timeout) => {}
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};
    use std::net::{SocketAddr, TcpStream as Client};

    /// The size of the slow download: more than the system buffers of both ends hold.
    const BIG: usize = 32 << 20;

    /// A server with three routes (a small answer, an upload read to its end, a big
    /// download) under `limits`, on a runtime of its own.
    fn server(limits: Limits) -> (tokio::runtime::Runtime, SocketAddr) {
        use axum::routing::{get, post};
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = Router::new()
            .route("/small", get(|| async { "ok" }))
            .route(
                "/upload",
                post(|body: axum::body::Bytes| async move { format!("got {}", body.len()) }),
            )
            .route("/big", get(|| async { vec![b'x'; BIG] }));
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("binding a local port");
        let addr = listener.local_addr().unwrap();
        rt.spawn(serve(listener, app, limits, std::future::pending()));
        (rt, addr)
    }

    fn connect(addr: SocketAddr) -> Client {
        let c = Client::connect(addr).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        c
    }

    /// How long after connecting the server closed a connection that sent part of a
    /// request's headers; `None` when it is still open after `wait`.
    fn cut_off_after(addr: SocketAddr, wait: Duration) -> Option<Duration> {
        // timed from before connecting: the server's timer starts after that
        let t = Instant::now();
        let mut c = connect(addr);
        c.write_all(b"GET /small HTTP/1.1\r\nHost: x\r\n").unwrap();
        c.set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        while t.elapsed() < wait {
            let mut buf = [0u8; 64];
            match c.read(&mut buf) {
                Ok(0) => return Some(t.elapsed()),
                Ok(n) => panic!("an answer to unfinished headers: {:?}", &buf[..n]),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => return Some(t.elapsed()),
            }
        }
        None
    }

    /// Whether the server closed `c` within `wait` (nothing is expected on it).
    fn closed_within(c: &mut Client, wait: Duration) -> bool {
        c.set_read_timeout(Some(wait)).unwrap();
        let mut buf = [0u8; 64];
        match c.read(&mut buf) {
            Ok(0) => true,
            Ok(n) => panic!("unexpected bytes: {:?}", &buf[..n]),
            Err(e) => !matches!(
                e.kind(),
                std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
            ),
        }
    }

    /// Reads one answer to its end on a kept-alive connection (`Content-Length`).
    fn read_answer(c: &mut Client) -> String {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = c.read(&mut buf).unwrap();
            assert!(
                n > 0,
                "closed mid-answer: {}",
                String::from_utf8_lossy(&got)
            );
            got.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&got).into_owned();
            if let Some(end) = text.find("\r\n\r\n") {
                let len: usize = text[..end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .expect("a content length");
                if got.len() >= end + 4 + len {
                    return text;
                }
            }
        }
    }

    #[test]
    fn the_header_timeout_is_the_setting() {
        let (_rt, addr) = server(Limits {
            header_timeout: Duration::from_secs(1),
            ..Limits::default()
        });
        let after = cut_off_after(addr, Duration::from_secs(10)).expect("never cut off");
        assert!(
            after >= Duration::from_millis(900) && after < Duration::from_secs(5),
            "cut off after {after:?} with a header timeout of 1 s"
        );
        // with the default (10 s) the same client is still connected after 2.5 s
        let (_rt, addr) = server(Limits::default());
        assert_eq!(cut_off_after(addr, Duration::from_millis(2500)), None);
    }

    #[test]
    fn at_the_cap_an_idle_connection_is_closed_not_a_slow_upload_or_download() {
        let (_rt, addr) = server(Limits {
            max_connections: 4,
            ..Limits::default()
        });
        // an upload whose body arrives slowly: 10 of 1,000 bytes so far
        let mut upload = connect(addr);
        upload
            .write_all(b"POST /upload HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 1000\r\n\r\n")
            .unwrap();
        upload.write_all(&[b'u'; 10]).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // a download read slowly: its handler has answered long ago, most of the body
        // is still to be sent
        let mut download = connect(addr);
        download
            .write_all(b"GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut head = [0u8; 1024];
        download.read_exact(&mut head).unwrap();
        assert!(head.starts_with(b"HTTP/1.1 200"));
        std::thread::sleep(Duration::from_millis(300));
        // a client whose next request's headers are partly sent (closed only when no
        // connection is idle)
        let mut starting = connect(addr);
        starting
            .write_all(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n")
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        // a kept-alive connection that asked something and waits
        let mut idle = connect(addr);
        idle.write_all(b"GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        assert!(read_answer(&mut idle).starts_with("HTTP/1.1 200"));
        std::thread::sleep(Duration::from_millis(300));
        // one more connection: the idle one makes room for it
        let mut fourth = connect(addr);
        fourth
            .write_all(b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .unwrap();
        let mut answer = String::new();
        fourth.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        // the download arrives whole
        let mut rest = Vec::new();
        let _ = download.read_to_end(&mut rest);
        let total = head.len() + rest.len();
        let all = [&head[..], &rest[..]].concat();
        let end = all
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("the end of the headers")
            + 4;
        assert_eq!(total - end, BIG, "the download was cut off");
        assert!(
            closed_within(&mut idle, Duration::from_secs(5)),
            "the idle connection was not closed"
        );
        // the upload finishes and is answered
        upload.write_all(&[b'u'; 990]).unwrap();
        let mut answer = String::new();
        upload.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with("got 1000"), "{answer}");
        // the client that was sending its headers finishes them and is answered
        starting.write_all(b"\r\n").unwrap();
        let mut answer = String::new();
        starting.read_to_string(&mut answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
}
