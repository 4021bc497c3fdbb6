//! `make local`: the local Amazon Connect and Secrets Manager, and a ResponseURL sink, as
//! standalone servers on fixed loopback ports, for `cargo lambda watch` and `cargo lambda
//! invoke` with the sample events in `events-local/` (README, "Play the sample events with
//! cargo-lambda"). They are what `make demo` starts, kept running until Ctrl-C.
//!
//! For every answer the sink receives it prints the answer's Status, LogicalResourceId,
//! RequestId, PhysicalResourceId and Reason, and the calls Connect and Secrets Manager served
//! since the previous answer; never the URL it was sent to, whose query is a presigned URL's
//! signature.
//!
//! The emulator numbers users from `00000001-…`, and the Update and Delete events in
//! `events-local/` name that first user. Whenever a Delete leaves no user, the emulator starts
//! over, so that each example's Create, Update and Delete play in turn without a restart.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::Value;
use testkit::connect_emulator::{seed, ConnectEmulator, World};
use testkit::secrets_emulator::SecretsEmulator;
use testkit::sink::{Received, Sink};
use tokio::net::{TcpListener, TcpStream};

/// `AWS_ENDPOINT_URL_CONNECT`.
const CONNECT: &str = "127.0.0.1:9010";
/// `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
const SECRETS_MANAGER: &str = "127.0.0.1:9011";
/// The ResponseURL of every event in `events-local/` (checked by `tests/e2e/events.rs`).
const SINK: &str = "127.0.0.1:9012";

/// The secret `ChannelUser`'s events name by partial ARN (`PasswordSecretArn`), holding its
/// initial password under the key `password`, as `template.yaml`'s `AgentPasswordSecret` does.
const SECRET_NAME: &str = "connect-agents/example";
const SECRET_VALUE: &str = r#"{"password":"Ex4mpleSecretPw"}"#;

/// The commands of the README's section, printed as it shows them (`tests/cargo-lambda-flow.sh`
/// checks that the three agree).
const WATCH: &str = "cargo lambda watch --locked --invoke-address 127.0.0.1 \\
  --env-var AWS_ENDPOINT_URL_CONNECT=http://127.0.0.1:9010 \\
  --env-var AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:9011 \\
  --env-var ALLOW_LOOPBACK_RESPONSE_URL=true \\
  --env-var AWS_REGION=us-east-1 \\
  --env-var AWS_ACCESS_KEY_ID=AKIDLOCALEMULATOR \\
  --env-var AWS_SECRET_ACCESS_KEY=local-emulator-secret";
const INVOKE: &str = "cargo lambda invoke connect-user-resource --invoke-address 127.0.0.1 \\
  --data-file events-local/basic-user.create.json";

/// Binds every fixed port before anything starts, so that a port in use (another `make
/// local`, say) is reported as such rather than as a panic.
async fn bind_all() -> Result<[TcpListener; 3], String> {
    let mut listeners = Vec::new();
    for (what, address) in [
        ("Amazon Connect", CONNECT),
        ("Secrets Manager", SECRETS_MANAGER),
        ("the ResponseURL sink", SINK),
    ] {
        let listener = TcpListener::bind(address).await.map_err(|e| {
            format!("cannot listen on {address} for {what}: {e} (is `make local` already running?)")
        })?;
        listeners.push(listener);
    }
    listeners
        .try_into()
        .map_err(|_| "three listeners".to_owned())
}

/// Serves `listener` by forwarding every connection to `to`: the Secrets Manager emulator
/// listens on a port of its own choosing, this gives it the fixed one.
async fn forward(listener: TcpListener, to: SocketAddr) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        tokio::spawn(async move {
            if let Ok(mut outbound) = TcpStream::connect(to).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

/// `Operation` or `Operation (status)` for each call after the first `seen`.
fn calls_after(calls: impl Iterator<Item = (String, u16)>, seen: usize) -> Vec<String> {
    calls
        .skip(seen)
        .map(|(operation, status)| match status {
            200 => operation,
            status => format!("{operation} ({status})"),
        })
        .collect()
}

/// One answer as the sink received it: never its path or query.
fn print_answer(received: &Received) {
    let Ok(answer) = serde_json::from_slice::<Value>(&received.body) else {
        println!(
            "answer (not JSON, {} bytes; the sink answered {})",
            received.body.len(),
            received.status
        );
        return;
    };
    let field = |key: &str| answer[key].as_str().unwrap_or("-").to_owned();
    println!(
        "answer {:<7} {}  RequestId {}  PhysicalResourceId {}",
        field("Status"),
        field("LogicalResourceId"),
        field("RequestId"),
        field("PhysicalResourceId"),
    );
    if let Some(reason) = answer["Reason"].as_str() {
        println!("       Reason: {reason}");
    }
    if received.status != 200 {
        println!("       the sink answered {}", received.status);
    }
}

fn users_left(world: &World) -> usize {
    world.instances.values().map(|i| i.users.len()).sum()
}

#[tokio::main]
async fn main() -> ExitCode {
    let [connect_port, secrets_port, sink_port] = match bind_all().await {
        Ok(listeners) => listeners,
        Err(problem) => {
            eprintln!("{problem}");
            return ExitCode::from(2);
        }
    };
    // The emulator and the sink bind their own listeners: free the ports just checked.
    drop((connect_port, sink_port));
    let connect = ConnectEmulator::start_on(CONNECT).await;
    let sink = Sink::start_on(SINK).await;
    let secrets = SecretsEmulator::start().await;
    tokio::spawn(forward(secrets_port, secrets.addr));
    secrets.put_string(SECRET_NAME, SECRET_VALUE);

    println!("connect-user-resource — local servers for `cargo lambda watch`");
    println!(
        "  Amazon Connect    http://{CONNECT}  instance {} (Connect-managed identities)",
        seed::INSTANCE_MANAGED
    );
    println!("  Secrets Manager   http://{SECRETS_MANAGER}  secret {SECRET_NAME} (ChannelUser's password)");
    println!("  ResponseURL sink  http://{SINK}  the ResponseURL of every event in events-local/");
    println!();
    println!("In a second terminal, run the function:");
    println!("{WATCH}");
    println!("and in a third, play an event (then its .update.json and .delete.json):");
    println!("{INVOKE}");
    println!();
    println!("Ready. Every answer the sink receives is printed below; Ctrl-C stops.");

    let stop = tokio::signal::ctrl_c();
    tokio::pin!(stop);
    let (mut answers, mut connect_calls, mut secrets_calls) = (0, 0, 0);
    // Whether Connect made a user since it last started over.
    let mut made_users = false;
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = tokio::time::sleep(Duration::from_millis(50)) => {}
        }
        let received = sink.all();
        for one in received.iter().skip(answers) {
            print_answer(one);
            let served = connect.calls();
            made_users |= served
                .iter()
                .skip(connect_calls)
                .any(|c| c.operation == "CreateUser" && c.status == 200);
            let connect_served = calls_after(
                served.into_iter().map(|c| (c.operation, c.status)),
                connect_calls,
            );
            connect_calls += connect_served.len();
            let secrets_served = calls_after(
                secrets.calls().into_iter().map(|c| (c.operation, c.status)),
                secrets_calls,
            );
            secrets_calls += secrets_served.len();
            let mut services = vec![format!(
                "Connect: {}",
                if connect_served.is_empty() {
                    "no call".to_owned()
                } else {
                    connect_served.join(", ")
                }
            )];
            if !secrets_served.is_empty() {
                services.push(format!("Secrets Manager: {}", secrets_served.join(", ")));
            }
            println!("       {}", services.join(" · "));
            if made_users && connect.with_world(|world| users_left(world)) == 0 {
                connect.with_world(|world| *world = World::default());
                made_users = false;
                println!("       no user left: Connect starts over, the next user is 00000001-…");
            }
        }
        answers = received.len();
    }
    println!("stopped");
    ExitCode::SUCCESS
}
