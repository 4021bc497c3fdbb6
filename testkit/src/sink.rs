//! A ResponseURL sink: it plays S3's presigned-URL endpoint, records every PUT (headers and
//! body), and can be told to fail the next attempts, to answer slowly, or to drop its first
//! connections unanswered (counting them).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::routing::put;
use axum::Router;
use serde_json::Value;
use tokio::sync::Notify;

/// One PUT as the sink saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub query: String,
    pub content_type: Option<String>,
    pub content_length: Option<String>,
    pub transfer_encoding: Option<String>,
    pub body: Vec<u8>,
    /// The status the sink answered.
    pub status: u16,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("answer body is JSON")
    }
}

/// How the sink treats one attempt.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    Status(u16),
    Delay(Duration),
}

#[derive(Default)]
struct Shared {
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Behaviour>>,
    /// Whether any fault was ever scripted: only then may one delivery be answered twice.
    scripted: std::sync::atomic::AtomicBool,
    /// Connections still to drop unanswered, and how many were dropped.
    to_refuse: AtomicUsize,
    refused: AtomicUsize,
    arrived: Notify,
}

/// The sink's listener: drops the first connections it is told to, before any byte is read,
/// as a sink that is not up yet would refuse them; then serves as usual.
struct RefusingListener {
    inner: tokio::net::TcpListener,
    shared: Arc<Shared>,
}

impl axum::serve::Listener for RefusingListener {
    type Io = tokio::net::TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let Ok((stream, addr)) = self.inner.accept().await else {
                continue;
            };
            let refuse = self
                .shared
                .to_refuse
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if refuse {
                drop(stream);
                self.shared.refused.fetch_add(1, Ordering::SeqCst);
                self.shared.arrived.notify_waiters();
                continue;
            }
            return (stream, addr);
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

pub struct Sink {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl Sink {
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0").await
    }

    /// A sink on a given address (to come up late, after a refused connection).
    pub async fn start_on(address: &str) -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new()
            .route("/{*path}", put(receive))
            .with_state(shared.clone());
        let inner = tokio::net::TcpListener::bind(address)
            .await
            .expect("bind sink");
        let addr = inner.local_addr().expect("sink address");
        let listener = RefusingListener {
            inner,
            shared: shared.clone(),
        };
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { addr, shared }
    }

    /// The next `n` connections are dropped unanswered (counted by [`Sink::refused`]).
    pub fn refuse_connections(&self, n: usize) {
        self.shared.scripted.store(true, Ordering::SeqCst);
        self.shared.to_refuse.fetch_add(n, Ordering::SeqCst);
    }

    /// How many connections were dropped unanswered.
    pub fn refused(&self) -> usize {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Whether a fault was ever scripted (so that a delivery may legitimately be answered
    /// more than once: an attempt the function gave up on can still land).
    pub fn was_scripted(&self) -> bool {
        self.shared.scripted.load(Ordering::SeqCst)
    }

    /// A presigned-looking URL for `key`, with a signature that must never reach a log.
    pub fn url(&self, key: &str) -> String {
        Self::url_at(self.addr, key)
    }

    /// [`Sink::url`] for a sink that is not (yet) listening at `addr`.
    pub fn url_at(addr: SocketAddr, key: &str) -> String {
        format!(
            "http://{}/cfn-response/{key}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature={}",
            addr,
            Self::signature(key)
        )
    }

    /// The secret part of [`Sink::url`]'s query.
    pub fn signature(key: &str) -> String {
        format!("SIGNATURE-SECRET-{key}")
    }

    /// The next attempts are treated as listed, then 200 as usual.
    pub fn script(&self, behaviours: &[Behaviour]) {
        self.shared.scripted.store(true, Ordering::SeqCst);
        self.shared
            .script
            .lock()
            .unwrap()
            .extend(behaviours.iter().copied());
    }

    /// Every attempt made for `key`, in order.
    pub fn attempts(&self, key: &str) -> Vec<Received> {
        let path = format!("/cfn-response/{key}");
        self.shared
            .received
            .lock()
            .unwrap()
            .iter()
            .filter(|r| r.path == path)
            .cloned()
            .collect()
    }

    /// All attempts for every key.
    pub fn all(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    /// Waits up to `wait` for the accepted (2xx) answer for `key`.
    pub async fn answer(&self, key: &str, wait: Duration) -> Option<Received> {
        let until = tokio::time::Instant::now() + wait;
        loop {
            let notified = self.shared.arrived.notified();
            if let Some(found) = self.attempts(key).into_iter().find(|r| r.status == 200) {
                return Some(found);
            }
            if tokio::time::timeout_at(until, notified).await.is_err() {
                return None;
            }
        }
    }
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let behaviour = shared.script.lock().unwrap().pop_front();
    let status = match behaviour {
        Some(Behaviour::Status(status)) => status,
        Some(Behaviour::Delay(pause)) => {
            tokio::time::sleep(pause).await;
            200
        }
        None => 200,
    };
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    shared.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        query: uri.query().unwrap_or_default().to_owned(),
        content_type: header("content-type"),
        content_length: header("content-length"),
        transfer_encoding: header("transfer-encoding"),
        body: body.to_vec(),
        status,
    });
    shared.arrived.notify_waiters();
    StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
}
