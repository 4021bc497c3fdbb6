//! A local AWS Secrets Manager that answers `GetSecretValue`, and nothing else, over the real
//! awsJson1_1 wire protocol (`POST /`, `X-Amz-Target`, `x-amzn-ErrorType` and `{"__type"}`), so
//! that the real `aws-sdk-secretsmanager` client can be pointed at it through
//! `AWS_ENDPOINT_URL_SECRETS_MANAGER` and every error path can be exercised without AWS.
//!
//! Secret values are test data but are treated as real ones: they never reach the call log, a
//! `Debug` output or a panic message, so a test that prints the emulator cannot leak them.
//!
//! It lives with the tests, never in the Lambda artifact.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// Every secret lives in one fixed account and region, as the ARNs in the fixtures do.
const ARN_PREFIX: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:";
const JSON_1_1: &str = "application/x-amz-json-1.1";

/// One call as the emulator saw it. Deliberately without the `SecretId` or any value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub operation: String,
    pub status: u16,
    /// Time the emulator spent on the call, from arrival to answer.
    pub micros: u64,
}

/// The current version only. No `Debug`, so that the value cannot be printed by accident.
struct Secret {
    arn: String,
    version_id: String,
    /// When the current version was made, in epoch seconds, as `CreatedDate` reports it.
    created: f64,
    /// The answer's member and its value as sent: `SecretString`, or `SecretBinary` in base64.
    value: (&'static str, String),
}

/// Keyed by name. Deletion and denial are kept apart from the secrets so that they hold
/// whatever order a test sets them up in, and survive a later `put_*`.
#[derive(Default)]
struct Store {
    secrets: HashMap<String, Secret>,
    deleted: HashSet<String>,
    denied: HashSet<String>,
}

struct Shared {
    store: Mutex<Store>,
    calls: Mutex<Vec<Call>>,
}

/// A running emulator on loopback.
#[derive(Clone)]
pub struct SecretsEmulator {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

/// Shows where it listens, never what it holds.
impl fmt::Debug for SecretsEmulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SecretsEmulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl SecretsEmulator {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared {
            store: Mutex::new(Store::default()),
            calls: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/", post(dispatch))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind secrets manager emulator");
        let addr = listener.local_addr().expect("emulator address");
        tokio::spawn(async move { axum::serve(listener, app).await.ok() });
        Self { addr, shared }
    }

    /// The URL for `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Creates the secret, or gives it a new current version; returns its ARN, which a
    /// replacement keeps, as in AWS.
    pub fn put_string(&self, name: &str, value: &str) -> String {
        self.put(name, ("SecretString", value.to_owned()))
    }

    /// As [`Self::put_string`], for a secret stored as `SecretBinary`.
    pub fn put_binary(&self, name: &str, value: &[u8]) -> String {
        self.put(name, ("SecretBinary", base64(value)))
    }

    /// Later reads of `name` fail with `InvalidRequestException`, as during the recovery window.
    pub fn schedule_deletion(&self, name: &str) {
        self.store().deleted.insert(name.to_owned());
    }

    /// Later reads of `name` fail with `AccessDeniedException`, as when IAM forbids them.
    pub fn deny(&self, name: &str) {
        self.store().denied.insert(name.to_owned());
    }

    /// Every call so far, in order, failed ones included.
    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// How many `GetSecretValue` calls returned a secret: what a cache is judged by.
    pub fn reads(&self) -> usize {
        let calls = self.shared.calls.lock().unwrap();
        let served = |c: &&Call| c.operation == "GetSecretValue" && c.status == 200;
        calls.iter().filter(served).count()
    }

    fn store(&self) -> MutexGuard<'_, Store> {
        self.shared.store.lock().unwrap()
    }

    fn put(&self, name: &str, value: (&'static str, String)) -> String {
        let mut store = self.store();
        let suffix: String = (0..6).map(|_| fastrand::alphanumeric()).collect();
        let fresh = format!("{ARN_PREFIX}{name}-{suffix}");
        let arn = store.secrets.get(name).map_or(fresh, |s| s.arn.clone());
        let secret = Secret {
            arn: arn.clone(),
            version_id: version_id(),
            created: epoch_seconds(),
            value,
        };
        store.secrets.insert(name.to_owned(), secret);
        arn
    }
}

/// Status, `__type` code and message.
type ApiError = (u16, &'static str, String);

/// A client error: Secrets Manager answers all of them with 400.
fn error(code: &'static str, message: impl Into<String>) -> ApiError {
    (400, code, message.into())
}

/// Every awsJson1_1 request arrives here; `X-Amz-Target` names the operation.
async fn dispatch(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Bytes) -> Response {
    let started = Instant::now();
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let target = target.unwrap_or_default();
    let signed = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256 Credential="));
    let result = if !signed {
        let code = "MissingAuthenticationTokenException";
        Err((403, code, "Missing Authentication Token".to_owned()))
    } else if !super::iam::is_granted(
        "secretsmanager",
        target.strip_prefix("secretsmanager.").unwrap_or(target),
    ) {
        // An action the function's IAM source of truth does not grant is denied, as IAM
        // would (Secrets Manager's AccessDeniedException, 400, in its common errors).
        Err(error(
            "AccessDeniedException",
            "not granted by permissions.json",
        ))
    } else if target == "secretsmanager.GetSecretValue" {
        get_secret_value(&s.store.lock().unwrap(), &body)
    } else {
        Err(error("UnknownOperationException", "no such operation"))
    };
    // The SDK reads the error's code from `x-amzn-ErrorType` first, then from `__type`.
    let (status, error_type, answer) = match result {
        Ok(answer) => (200, None, answer),
        Err((status, code, message)) => {
            let answer = json!({ "__type": code, "message": message });
            (status, Some([("x-amzn-ErrorType", code)]), answer)
        }
    };
    let operation = target.strip_prefix("secretsmanager.").unwrap_or(target);
    let micros = started.elapsed().as_micros() as u64;
    let call = Call {
        operation: operation.to_owned(),
        status,
        micros,
    };
    s.calls.lock().unwrap().push(call);
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST);
    let content_type = [("content-type", JSON_1_1)];
    (status, content_type, error_type, answer.to_string()).into_response()
}

/// Checks in the service's order: the request's shape, IAM, existence, then the version asked.
fn get_secret_value(store: &Store, body: &Bytes) -> Result<Value, ApiError> {
    let request: Value = serde_json::from_slice(body)
        .map_err(|_| error("SerializationException", "the body is not valid JSON"))?;
    let id = request["SecretId"].as_str().unwrap_or_default();
    if id.is_empty() || id.chars().count() > 2048 {
        let message = "Invalid SecretId: it must be 1 to 2048 characters long.";
        return Err(error("InvalidParameterException", message));
    }
    // By name, full ARN, or partial ARN (the ARN without its random six-character suffix).
    let found = store.secrets.iter().find(|(name, secret)| {
        id == name.as_str()
            || id == secret.arn
            || id.strip_prefix(ARN_PREFIX) == Some(name.as_str())
    });
    let name = found.map_or(id, |(name, _)| name.as_str());
    if store.denied.contains(name) {
        let message = format!(
            "User: arn:aws:sts::123456789012:assumed-role/test/test is not authorized to \
             perform: secretsmanager:GetSecretValue on resource: {id}"
        );
        return Err(error("AccessDeniedException", message));
    }
    let not_found = "Secrets Manager can't find the specified secret.";
    let (name, secret) = found.ok_or_else(|| error("ResourceNotFoundException", not_found))?;
    if store.deleted.contains(name) {
        let message = "You can't perform this operation on the secret because it was marked \
                       for deletion.";
        return Err(error("InvalidRequestException", message));
    }
    // Only the current version is kept, so any other version or label is missing, and AWS
    // answers a missing version, even one asked by label, as a missing resource.
    let other = |key: &str, current: &str| request[key].as_str().filter(|v| *v != current);
    let version = other("VersionId", &secret.version_id).map(|v| ("VersionId", v));
    let stage = other("VersionStage", "AWSCURRENT").map(|v| ("staging label", v));
    if let Some((what, asked)) = version.or(stage) {
        let text = "Secrets Manager can't find the specified secret value for";
        return Err(error(
            "ResourceNotFoundException",
            format!("{text} {what}: {asked}"),
        ));
    }
    let mut answer = json!({
        "ARN": secret.arn,
        "Name": name,
        "VersionId": secret.version_id,
        "VersionStages": ["AWSCURRENT"],
        "CreatedDate": secret.created,
    });
    answer[secret.value.0] = json!(secret.value.1);
    Ok(answer)
}

/// A random UUID, the form AWS gives `VersionId`.
fn version_id() -> String {
    let mut id = format!("{:032x}", fastrand::u128(..));
    for at in [8, 13, 18, 23] {
        id.insert(at, '-');
    }
    id
}

/// Millisecond precision, as AWS reports `CreatedDate`.
fn epoch_seconds() -> f64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH);
    since.map_or(0.0, |d| d.as_millis() as f64 / 1000.0)
}

/// Standard-alphabet, padded base64: how awsJson carries a `Blob`. Hand-written to spare a crate.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        out.push_str(&"=="[chunk.len() - 1..]);
    }
    out
}
