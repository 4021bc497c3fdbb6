//! Runs the real compiled function as a child process against the emulated Runtime API,
//! exactly as Lambda would, with a clean environment, and captures everything it prints.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};

use super::runtime_api::RuntimeApi;

/// The function binary: `CONNECT_USER_RESOURCE_BIN` if set, else the one Cargo builds next to
/// the running program's directory: `target/<profile>/deps/<test>` (integration tests) and
/// `target/<profile>/examples/demo` both → `target/<profile>/connect-user-resource`. (This crate
/// is a library, so Cargo's `CARGO_BIN_EXE_<name>` is not set when it is compiled; Cargo
/// builds the package's binaries before running its integration tests: Cargo Book, "Cargo
/// Targets", Integration tests.)
pub fn binary() -> PathBuf {
    if let Ok(path) = std::env::var("CONNECT_USER_RESOURCE_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe
        .parent()
        .and_then(|p| p.parent())
        .expect("target profile dir");
    profile_dir.join("connect-user-resource")
}

/// A running function process; killed when dropped.
pub struct Function {
    child: Child,
    output: Arc<Mutex<String>>,
    /// The tasks copying stdout and stderr into `output`; done at end of output.
    readers: Vec<tokio::task::JoinHandle<()>>,
}

impl Function {
    /// Starts the function with Lambda's environment, pointed at `runtime` and, through the
    /// standard endpoint override, at `connect_endpoint`. `extra` adds or overrides variables.
    pub fn start(
        runtime: &RuntimeApi,
        connect_endpoint: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Self {
        Self::start_binary(&binary(), runtime, connect_endpoint, extra)
    }

    /// As [`Function::start`], with another build of the function (a release one, say).
    pub fn start_binary(
        binary: &std::path::Path,
        runtime: &RuntimeApi,
        connect_endpoint: Option<&str>,
        extra: &[(&str, &str)],
    ) -> Self {
        let mut command = Command::new(binary);
        command
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", runtime.endpoint())
            .env("AWS_LAMBDA_FUNCTION_NAME", "connect-user-resource")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "AKIDLOCALEMULATOR")
            .env("AWS_SECRET_ACCESS_KEY", "local-emulator-secret")
            .env("AWS_CONFIG_FILE", "/nonexistent/aws/config")
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                "/nonexistent/aws/credentials",
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("ALLOW_LOOPBACK_RESPONSE_URL", "true")
            .env("RUST_LOG", "info")
            // The herd's backoff (2 s, ×4, up to 36 s) is for 500 functions sharing Connect's
            // quota; one test function retrying a few injected faults uses the old, short one
            // (the bench runs the shipped backoff).
            .env("RETRY_FIRST_MS", "250")
            // A continuation never leaves the machine: the discard port refuses it unless a
            // test points the function at its Lambda Invoke API emulator.
            .env("AWS_ENDPOINT_URL_LAMBDA", "http://127.0.0.1:9")
            .env("RETRY_CAP_MS", "5000")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(endpoint) = connect_endpoint {
            command.env("AWS_ENDPOINT_URL_CONNECT", endpoint);
        }
        for (key, value) in extra {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("start the function binary");
        let output = Arc::new(Mutex::new(String::new()));
        let mut readers = Vec::new();
        if let Some(stdout) = child.stdout.take() {
            readers.push(collect(stdout, output.clone()));
        }
        if let Some(stderr) = child.stderr.take() {
            readers.push(collect(stderr, output.clone()));
        }
        Self {
            child,
            output,
            readers,
        }
    }

    /// Everything the function printed so far, stdout and stderr. Lines still in the pipes
    /// may be missing: a check that something is *not* logged needs [`Function::stop`].
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Stops the process and returns everything it printed, to the end of its output.
    pub async fn stop(&mut self) -> String {
        self.child.kill().await.ok();
        for reader in self.readers.drain(..) {
            reader.await.ok();
        }
        self.output()
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }

    /// The process's peak resident set size (VmHWM), in bytes, from /proc.
    pub fn peak_rss_bytes(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kb * 1024)
    }
}

fn collect(
    stream: impl AsyncRead + Unpin + Send + 'static,
    output: Arc<Mutex<String>>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let mut all = output.lock().unwrap();
            all.push_str(&line);
            all.push('\n');
        }
    })
}
