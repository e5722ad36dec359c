//! The benchmark (`scripts/bench.sh`): the release component in wasmtime, set up as Spin sets
//! it up (pooling allocator, precompiled component, a fresh instance per request), side by
//! side with the same work natively in the same run. Prints medians and 99th percentiles.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use e2e::{Call, Context, Result, SlackScript, TestHost, fixture_config, repo_root, run_command};
use ecs_deploy_alerts::memory::MemoryHost;

/// The event every timed request carries: a realistic failure (long ARN, `clusterArn`).
const FIXTURE: &str = "ecs-deployment-failed-production.json";

fn main() -> Result<()> {
    // Latency is measured one request at a time on a single-threaded runtime, where the
    // guest, the scripted Slack and the reader of the answer never wait for another thread.
    let latency = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let (host, request, config) = latency.block_on(latencies())?;
    // Throughput uses both cores.
    let throughput_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let (requests, clients) = (20_000, 32);
    let rate =
        throughput_runtime.block_on(throughput(&host, &request, &config, requests, clients))?;
    println!(
        "| sustained throughput ({clients} concurrent clients, {requests} requests, 2 worker threads) | {rate:.0} requests/s | | | |"
    );
    latency.block_on(pure_core())
}

async fn latencies() -> Result<(TestHost, Call, HashMap<String, String>)> {
    let wasm = e2e::read_component()?;
    let body = std::fs::read(repo_root().join("fixtures").join(FIXTURE))
        .with_context(|| format!("reading fixtures/{FIXTURE}"))?;
    let config = fixture_config();
    let request = Call::eventbridge(body.clone()).with_header("x-api-key", &config["api_key"]);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    println!(
        "component: {} bytes; machine: {cores} cores; event: {FIXTURE}",
        wasm.len()
    );
    println!();
    println!("| figure | median | p99 | natively | ratio |");
    println!("|---|---|---|---|---|");

    let engine = TestHost::engine()?;
    let started = Instant::now();
    let precompiled = engine.precompile_component(&wasm)?;
    let compile = started.elapsed();

    // What Spin does at start: load the cached compilation, link, serve the first request.
    let mut first = Vec::new();
    for _ in 0..30 {
        let started = Instant::now();
        let host = TestHost::from_precompiled(&engine, &precompiled)?;
        let exchange = host.call(&request, &config, SlackScript::OK).await?;
        first.push(started.elapsed());
        assert_eq!(exchange.status, 200);
    }
    row(
        "first request after loading the precompiled component",
        &mut first,
        None,
    );

    // One request at a time: instantiate, handle a failure event, mocked Slack answers.
    let host = TestHost::from_precompiled(&engine, &precompiled)?;
    let mut in_wasm = Vec::new();
    let mut in_guest = Vec::new();
    for i in 0..5_200 {
        let started = Instant::now();
        let exchange = host.call(&request, &config, SlackScript::OK).await?;
        let took = started.elapsed();
        assert_eq!(exchange.sent.len(), 1);
        if i >= 200 {
            in_wasm.push(took);
            let log: serde_json::Value = serde_json::from_str(exchange.stdout.trim())?;
            in_guest.push(Duration::from_micros(
                log["duration_us"].as_u64().unwrap_or_default(),
            ));
        }
    }
    row(
        "  of which inside the handler (its own log's duration)",
        &mut in_guest,
        None,
    );
    let settings: Vec<(&str, &str)> = config
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let mut natively = Vec::new();
    for i in 0..5_200 {
        let mut memory = MemoryHost::new(&settings, body.clone());
        let started = Instant::now();
        let handled = memory.handle("POST", "/", &[("x-api-key", &config["api_key"])]);
        let took = started.elapsed();
        assert_eq!(handled.reply.status, 200);
        if i >= 200 {
            natively.push(took);
        }
    }
    row(
        "per request: instantiate + handle + mocked Slack",
        &mut in_wasm,
        Some(&mut natively),
    );

    // The same alert as a dry run: everything but the claim's 15 ms wait and the post, so
    // the figure is the host's and the guest's work alone.
    let mut dry = config.clone();
    dry.insert("dry_run".into(), "true".into());
    let mut dry_in_wasm = Vec::new();
    for i in 0..5_200 {
        let started = Instant::now();
        let exchange = host.call(&request, &dry, SlackScript::OK).await?;
        let took = started.elapsed();
        assert_eq!(exchange.status, 200);
        if i >= 200 {
            dry_in_wasm.push(took);
        }
    }
    row(
        "per request: instantiate + handle the same alert as a dry run",
        &mut dry_in_wasm,
        None,
    );
    println!(
        "| compiling the component with Cranelift (once; Spin caches it) | {} | | | |",
        micros(compile)
    );
    Ok((host, request, config))
}

/// The pure core (parse → alert → Slack JSON bytes), natively and built for wasm32-wasip2,
/// in alternating rounds so that both see the same machine; the median round is reported.
async fn pure_core() -> Result<()> {
    const ROUNDS: usize = 5;
    let engine = TestHost::engine()?;
    let core_wasm =
        std::fs::read(repo_root().join("target/core-bench/wasm32-wasip2/release/core-bench.wasm"))
            .map_err(|e| anyhow::anyhow!("core-bench.wasm ({e}); scripts/bench.sh builds it"))?;
    let mut native = Vec::new();
    let mut wasm = Vec::new();
    for _ in 0..ROUNDS {
        native.push(core_bench::measure(200, 200));
        let printed = run_command(&engine, &core_wasm).await?;
        let figures: serde_json::Value = serde_json::from_str(printed.trim())?;
        wasm.push((
            figures["median_ns"].as_f64().unwrap_or(f64::NAN),
            figures["p99_ns"].as_f64().unwrap_or(f64::NAN),
        ));
    }
    native.sort_by(|a, b| a.0.total_cmp(&b.0));
    wasm.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ((native_median, native_p99), (wasm_median, wasm_p99)) =
        (native[ROUNDS / 2], wasm[ROUNDS / 2]);
    println!(
        "| pure core per failure event (parse → alert → Slack JSON), in wasm | {} | {} | {} / {} | {:.2}× |",
        nanos(wasm_median),
        nanos(wasm_p99),
        nanos(native_median),
        nanos(native_p99),
        wasm_median / native_median
    );
    Ok(())
}

async fn throughput(
    host: &TestHost,
    request: &Call,
    config: &HashMap<String, String>,
    requests: usize,
    clients: usize,
) -> Result<f64> {
    let shared = Arc::new((host.clone(), request.clone(), config.clone()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            let shared = shared.clone();
            tokio::spawn(async move {
                let (host, request, config) = &*shared;
                for _ in 0..requests / clients {
                    let exchange = host.call(request, config, SlackScript::OK).await?;
                    assert_eq!((exchange.status, exchange.sent.len()), (200, 1));
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for task in tasks {
        task.await??;
    }
    Ok((requests / clients * clients) as f64 / started.elapsed().as_secs_f64())
}

fn percentile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn micros(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn nanos(ns: f64) -> String {
    format!("{:.2} µs", ns / 1000.0)
}

fn row(figure: &str, times: &mut [Duration], native: Option<&mut [Duration]>) {
    times.sort();
    let (median, p99) = (percentile(times, 0.5), percentile(times, 0.99));
    let (natively, ratio) = match native {
        Some(native) => {
            native.sort();
            let native_median = percentile(native, 0.5);
            (
                format!(
                    "{} / {}",
                    micros(native_median),
                    micros(percentile(native, 0.99))
                ),
                format!("{:.1}×", median.as_secs_f64() / native_median.as_secs_f64()),
            )
        }
        None => (String::new(), String::new()),
    };
    println!(
        "| {figure} | {} | {} | {natively} | {ratio} |",
        micros(median),
        micros(p99)
    );
}
