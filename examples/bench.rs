//! `make bench`: the performance budget and the throttle storm, measured on the release
//! function binary against the local emulators. Prints a table and writes `target/bench.json`.
//!
//! - cold init: process start → first poll of the Runtime API (median of 30 starts);
//! - peak RSS (VmHWM) of one process after 100 warm events;
//! - warm Create latency, end to end (Runtime API in → Runtime API out), with the emulator's
//!   own share measured separately;
//! - the deployment zips' sizes (from `make build`);
//! - the storm: 40 function processes, each handed one event at the same moment, against one
//!   emulator throttled to 2 requests/second with a burst of 5: Creates, no-op Updates,
//!   in-place Updates, then Deletes. Every event must succeed, and the makespan must stay
//!   within 1.5 × the bound the limit itself sets, plus 5 s.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::connect_emulator::{seed, ConnectEmulator};
use support::events;
use support::examples::seed_examples;
use support::function::Function;
use support::runtime_api::{Invocation, RuntimeApi};
use support::sink::Sink;

const MB: f64 = 1024.0 * 1024.0;

fn release_binary() -> PathBuf {
    if let Ok(path) = std::env::var("CONNECT_USER_RESOURCE_BIN") {
        return PathBuf::from(path);
    }
    [
        "target/x86_64-unknown-linux-gnu/release/connect-user-resource",
        "target/release/connect-user-resource",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .unwrap_or_else(|| PathBuf::from("target/release/connect-user-resource"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[rank]
}

fn sorted(mut values: Vec<f64>) -> Vec<f64> {
    values.sort_by(|a, b| a.total_cmp(b));
    values
}

/// One row of the table.
struct Row {
    metric: String,
    value: String,
    budget: String,
    ok: Option<bool>,
}

fn row(metric: &str, value: String, budget: &str, ok: Option<bool>) -> Row {
    Row {
        metric: metric.into(),
        value,
        budget: budget.into(),
        ok,
    }
}

async fn cold_init(binary: &Path, runs: usize) -> Vec<f64> {
    let mut samples = Vec::new();
    for _ in 0..runs {
        let runtime = RuntimeApi::start().await;
        let started = Instant::now();
        let function = Function::start_binary(binary, &runtime, Some("http://127.0.0.1:9"), &[]);
        let polled = runtime
            .first_poll(Duration::from_secs(10))
            .await
            .expect("the function polls");
        samples.push(polled.duration_since(started).as_secs_f64() * 1000.0);
        drop(function);
    }
    sorted(samples)
}

fn user_properties(name: &str) -> Value {
    let mut properties = seed_examples()[0].1.clone();
    properties["Name"] = json!(name);
    events::stringify(properties)
}

struct Warm {
    create_ms: Vec<f64>,
    emulator_ms: Vec<f64>,
    peak_rss: u64,
    events: usize,
}

async fn warm(binary: &Path) -> Warm {
    let connect = ConnectEmulator::start().await;
    let sink = Sink::start().await;
    let runtime = RuntimeApi::start().await;
    let function = Function::start_binary(binary, &runtime, Some(&connect.endpoint()), &[]);
    let mut create_ms = Vec::new();
    let mut emulator_ms = Vec::new();
    let mut events_played = 0;
    for i in 0..51 {
        let name = format!("warm{i}");
        let create = events::create(
            &sink,
            &format!("warm-create-{i}"),
            "Agent",
            &user_properties(&name),
        );
        connect.clear_calls();
        let started = Instant::now();
        let Some(Invocation::Response(summary)) =
            runtime.invoke(create, Duration::from_secs(30)).await
        else {
            panic!("no answer:\n{}", function.output());
        };
        let elapsed = started.elapsed().as_secs_f64() * 1000.0;
        let id = summary["PhysicalResourceId"]
            .as_str()
            .expect("an id")
            .to_owned();
        assert_eq!(summary["Status"], "SUCCESS", "{summary}");
        let emulator: u64 = connect.calls().iter().map(|c| c.micros).sum();
        let delete = events::delete(
            &sink,
            &format!("warm-delete-{i}"),
            "Agent",
            &id,
            &user_properties(&name),
        );
        runtime
            .invoke(delete, Duration::from_secs(30))
            .await
            .expect("answered");
        if i > 0 {
            // The first pair warms the process up (the SDK client is built on first use).
            create_ms.push(elapsed);
            emulator_ms.push(emulator as f64 / 1000.0);
            events_played += 2;
        }
    }
    let peak_rss = function.peak_rss_bytes().unwrap_or(0);
    Warm {
        create_ms: sorted(create_ms),
        emulator_ms: sorted(emulator_ms),
        peak_rss,
        events: events_played,
    }
}

struct Phase {
    name: &'static str,
    calls_per_event: usize,
    makespan: f64,
    succeeded: usize,
    throttled: usize,
    served: usize,
}

/// Plays one event per function at the same moment; waits for every answer.
async fn storm_phase(
    name: &'static str,
    calls_per_event: usize,
    runtimes: &[RuntimeApi],
    connect: &ConnectEmulator,
    sink: &Sink,
    make_event: impl Fn(usize, &str) -> Value,
) -> (Phase, Vec<Value>) {
    connect.clear_calls();
    let started = Instant::now();
    let mut keys = Vec::new();
    for (i, runtime) in runtimes.iter().enumerate() {
        let slug: String = name.chars().filter(char::is_ascii_alphanumeric).collect();
        let key = format!("{slug}-{i}");
        runtime.enqueue(make_event(i, &key), Duration::from_secs(120));
        keys.push(key);
    }
    // The answers are awaited one after another, but all against one overall deadline.
    let give_up = Instant::now() + Duration::from_secs(150);
    let mut answers = Vec::new();
    let mut last = Duration::ZERO;
    for key in &keys {
        let left = give_up.saturating_duration_since(Instant::now());
        let answer = sink.answer(key, left).await;
        if answer.is_some() {
            last = last.max(started.elapsed());
        }
        answers.push(answer.map(|a| a.json()).unwrap_or(Value::Null));
    }
    let calls = connect.calls();
    let phase = Phase {
        name,
        calls_per_event,
        makespan: last.as_secs_f64(),
        succeeded: answers.iter().filter(|a| a["Status"] == "SUCCESS").count(),
        throttled: calls.iter().filter(|c| c.status == 429).count(),
        served: calls.iter().filter(|c| c.status == 200).count(),
    };
    (phase, answers)
}

async fn storm(binary: &Path, n: usize, rate: f64, burst: u32) -> Vec<Phase> {
    let connect = ConnectEmulator::start().await;
    connect.rate_limit(rate, burst);
    let sink = Sink::start().await;
    let mut runtimes = Vec::new();
    let mut functions = Vec::new();
    for _ in 0..n {
        let runtime = RuntimeApi::start().await;
        functions.push(Function::start_binary(
            binary,
            &runtime,
            Some(&connect.endpoint()),
            &[],
        ));
        runtimes.push(runtime);
    }
    for runtime in &runtimes {
        runtime
            .first_poll(Duration::from_secs(20))
            .await
            .expect("every function is up");
    }
    let name = |i: usize| format!("storm{i:03}");
    let mut phases = Vec::new();

    let (phase, answers) = storm_phase("create", 1, &runtimes, &connect, &sink, |i, key| {
        events::create(&sink, key, "Agent", &user_properties(&name(i)))
    })
    .await;
    let ids: Vec<String> = answers
        .iter()
        .map(|a| {
            a["PhysicalResourceId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    phases.push(phase);

    let (phase, _) = storm_phase("update (no-op)", 1, &runtimes, &connect, &sink, |i, key| {
        events::update(
            &sink,
            key,
            "Agent",
            &ids[i],
            &user_properties(&name(i)),
            &user_properties(&name(i)),
        )
    })
    .await;
    phases.push(phase);

    let (phase, _) = storm_phase(
        "update (in place)",
        2,
        &runtimes,
        &connect,
        &sink,
        |i, key| {
            let mut new = user_properties(&name(i));
            new["RoutingProfileId"] = json!(seed::ROUTING_PROFILES[1]);
            events::update(
                &sink,
                key,
                "Agent",
                &ids[i],
                &new,
                &user_properties(&name(i)),
            )
        },
    )
    .await;
    phases.push(phase);

    let (phase, _) = storm_phase("delete", 1, &runtimes, &connect, &sink, |i, key| {
        events::delete(&sink, key, "Agent", &ids[i], &user_properties(&name(i)))
    })
    .await;
    phases.push(phase);
    assert_eq!(
        connect.user_count(seed::INSTANCE_MANAGED),
        0,
        "the storm left users behind"
    );
    drop(functions);
    phases
}

fn zip_size(arch: &str) -> Option<u64> {
    std::fs::metadata(format!(
        "target/lambda-{arch}/connect-user-resource/bootstrap.zip"
    ))
    .ok()
    .map(|m| m.len())
}

#[tokio::main]
async fn main() -> ExitCode {
    let binary = release_binary();
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".into());
    println!(
        "connect-user-resource benchmark — function binary {}",
        binary.display()
    );
    if !binary.exists() {
        eprintln!("no release binary: run `make build` first (or set CONNECT_USER_RESOURCE_BIN)");
        return ExitCode::FAILURE;
    }
    let mut rows = Vec::new();
    let mut json = json!({ "binary": binary.display().to_string() });

    if what == "all" || what == "budget" {
        println!("» cold init: 30 process starts…");
        let cold = cold_init(&binary, 30).await;
        let median = percentile(&cold, 0.5);
        rows.push(row(
            "cold init, start → first poll (median)",
            format!("{median:.1} ms"),
            "≤ 15 ms",
            Some(median <= 15.0),
        ));
        rows.push(row(
            "cold init (p90)",
            format!("{:.1} ms", percentile(&cold, 0.9)),
            "",
            None,
        ));
        json["cold_init_ms"] =
            json!({ "median": median, "p90": percentile(&cold, 0.9), "samples": cold });

        println!("» warm events: 50 Create + 50 Delete after a warm-up pair…");
        let warm = warm(&binary).await;
        let rss_mb = warm.peak_rss as f64 / MB;
        rows.push(row(
            &format!("peak RSS after {} warm events", warm.events),
            format!("{rss_mb:.1} MB"),
            "≤ 16 MB",
            Some(warm.peak_rss > 0 && rss_mb <= 16.0),
        ));
        let create = percentile(&warm.create_ms, 0.5);
        let emulator = percentile(&warm.emulator_ms, 0.5);
        rows.push(row(
            "warm Create latency (median)",
            format!("{create:.2} ms"),
            "report",
            None,
        ));
        rows.push(row(
            "warm Create latency (p95)",
            format!("{:.2} ms", percentile(&warm.create_ms, 0.95)),
            "report",
            None,
        ));
        rows.push(row(
            "  of which the emulator (median)",
            format!("{emulator:.2} ms"),
            "report",
            None,
        ));
        rows.push(row(
            "  the function's own share (median)",
            format!("{:.2} ms", create - emulator),
            "report",
            None,
        ));
        json["warm"] = json!({
            "events": warm.events,
            "peak_rss_bytes": warm.peak_rss,
            "create_ms": { "median": create, "p95": percentile(&warm.create_ms, 0.95) },
            "emulator_ms": { "median": emulator, "p95": percentile(&warm.emulator_ms, 0.95) },
        });

        for arch in ["arm64", "x86_64"] {
            match zip_size(arch) {
                Some(bytes) => {
                    let mb = bytes as f64 / MB;
                    rows.push(row(
                        &format!("bootstrap.zip, {arch}"),
                        format!("{mb:.2} MB"),
                        "≤ 5 MB",
                        Some(mb <= 5.0),
                    ));
                    json["zip_bytes"][arch] = json!(bytes);
                }
                None => rows.push(row(
                    &format!("bootstrap.zip, {arch}"),
                    "not built (make build)".into(),
                    "≤ 5 MB",
                    Some(false),
                )),
            }
        }
    }

    if what == "all" || what == "storm" {
        let n = std::env::var("STORM_FUNCTIONS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(40usize);
        let (rate, burst) = (2.0, 5u32);
        println!("» storm: {n} functions, one event each at the same moment, Connect limited to {rate}/s burst {burst}…");
        let phases = storm(&binary, n, rate, burst).await;
        let mut storm_json = Vec::new();
        for phase in &phases {
            let calls = (n * phase.calls_per_event) as f64;
            let bound = ((calls - burst as f64) / rate).max(0.0);
            let budget = 1.5 * bound + 5.0;
            let ok = phase.succeeded == n && phase.makespan <= budget;
            rows.push(row(
                &format!(
                    "storm {}: {}/{n} ok, {} served, {} throttled",
                    phase.name, phase.succeeded, phase.served, phase.throttled
                ),
                format!("{:.1} s", phase.makespan),
                &format!("≤ {budget:.2} s (bound {bound:.1} s)"),
                Some(ok),
            ));
            storm_json.push(json!({
                "phase": phase.name, "functions": n, "succeeded": phase.succeeded, "makespan_s": phase.makespan,
                "bound_s": bound, "budget_s": budget, "served": phase.served, "throttled": phase.throttled,
            }));
        }
        json["storm"] = json!({ "rate": rate, "burst": burst, "phases": storm_json });
    }

    println!();
    println!(
        "| {:<58} | {:>12} | {:<28} | {:<4} |",
        "metric", "value", "budget", ""
    );
    println!(
        "|{}|{}|{}|{}|",
        "-".repeat(60),
        "-".repeat(14),
        "-".repeat(30),
        "-".repeat(6)
    );
    for r in &rows {
        let mark = match r.ok {
            Some(true) => "ok",
            Some(false) => "OVER",
            None => "",
        };
        println!(
            "| {:<58} | {:>12} | {:<28} | {:<4} |",
            r.metric, r.value, r.budget, mark
        );
    }
    let path = "target/bench.json";
    match std::fs::write(
        path,
        serde_json::to_string_pretty(&json).unwrap_or_default(),
    ) {
        Ok(()) => println!("\nwritten to {path}"),
        Err(e) => eprintln!("could not write {path}: {e}"),
    }
    if rows.iter().any(|r| r.ok == Some(false)) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
