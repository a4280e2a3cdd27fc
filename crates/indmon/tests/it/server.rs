//! A scripted HTTP/1.1 server on 127.0.0.1 for the live-source tests: each path
//! answers with a list of replies in turn (the last one repeats), so a test can
//! script "500, then the data" or "cut off, then complete".

use std::collections::{HashMap, VecDeque};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One scripted reply.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send only this many bytes of the body (announcing the full length), then close.
    pub cut_at: Option<usize>,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Reply {
    pub fn ok(content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            cut_at: None,
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16, body: &str) -> Self {
        Self {
            status,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: body.as_bytes().to_vec(),
            cut_at: None,
            delay: Duration::ZERO,
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
    pub fn cut_at(mut self, n: usize) -> Self {
        self.cut_at = Some(n);
        self
    }
    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

type Routes = Arc<Mutex<HashMap<String, VecDeque<Reply>>>>;

pub struct TestServer {
    pub base: String,
    routes: Routes,
    hits: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
    addr: std::net::SocketAddr,
}

impl TestServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let routes: Routes = Arc::default();
        let hits: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, h, s, b) = (routes.clone(), hits.clone(), stop.clone(), base.clone());
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                let (r, h, b) = (r.clone(), h.clone(), b.clone());
                std::thread::spawn(move || handle(conn, &r, &h, &b));
            }
        });
        Self {
            base,
            routes,
            hits,
            stop,
            addr,
        }
    }

    /// Scripts the replies for a path (without query) or a full target (with query).
    pub fn route(&self, target: &str, replies: Vec<Reply>) {
        self.routes
            .lock()
            .unwrap()
            .insert(target.to_string(), replies.into());
    }

    /// How often a path (without query), or a full target (with query), was requested.
    pub fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
    }
}

fn handle(mut conn: TcpStream, routes: &Routes, hits: &Mutex<HashMap<String, usize>>, base: &str) {
    let mut reader = BufReader::new(conn.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let target = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let path = target.split('?').next().unwrap_or("/").to_string();
    {
        let mut h = hits.lock().unwrap();
        *h.entry(path.clone()).or_default() += 1;
        if target != path {
            *h.entry(target.clone()).or_default() += 1;
        }
    }
    let reply = {
        let mut routes = routes.lock().unwrap();
        let key = if routes.contains_key(&target) {
            target.clone()
        } else {
            path.clone()
        };
        match routes.get_mut(&key) {
            Some(q) if q.len() > 1 => q.pop_front().unwrap(),
            Some(q) => q.front().cloned().unwrap(),
            None => Reply::status(404, "no such route in the test server"),
        }
    };
    std::thread::sleep(reply.delay);
    let body = String::from_utf8(reply.body.clone())
        .map(|t| t.replace("http://HOST", base).into_bytes())
        .unwrap_or(reply.body.clone());
    let mut head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {}\r\nConnection: close\r\n",
        reply.status,
        body.len()
    );
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = conn.write_all(head.as_bytes());
    let n = reply.cut_at.unwrap_or(body.len()).min(body.len());
    let _ = conn.write_all(&body[..n]);
    let _ = conn.flush();
    let _ = conn.shutdown(std::net::Shutdown::Both);
}
