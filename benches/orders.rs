//! The operator against terraform-provider-ovh's flow, side by side on one simulator. N PublicCloudProjects (`ovhSubsidiary: FR`, a description, `payment: Automatic`) are
//! created at once through the API of a real kube-apiserver; the operator binary runs as a
//! separate process; the in-process OVH simulator answers every OVH call after a fixed latency.
//! Then, on the same simulator with the same settings, `benches/terraform_flow.py` runs
//! terraform's `ovh_cloud_project` create flow with OVH's Python SDK, 10 at a time. Prints one
//! JSON line, then a table. Asserts only correctness (one order and one cart per resource, no
//! POST sent twice); the figures are figures: these machines are noisy.
//!
//! `cargo bench --bench orders`, tuned by environment variables:
//!
//! | variable | default | |
//! |---|---|---|
//! | `BENCH_ORDERS` | 200 | resources (N) |
//! | `BENCH_LATENCY_MS` | 20 | the simulator's latency on every OVH call (`--latency-ms`) |
//! | `BENCH_TF_ORDERS` | N | creates of the terraform flow; 0 skips it |
//! | `BENCH_TF_TIME_SCALE` | 0.1 | factor on every terraform timing (1: terraform's real ones) |
//! | `BENCH_CONCURRENCY` | 16 | the operator's `--concurrency` (its default) |
//! | `BENCH_OVH_RATE_LIMIT` | 0 | the operator's `--ovh-rate-limit` (0: none, as terraform's default) |
//! | `BENCH_APPLY_CONCURRENCY` | 64 | creates in flight against the API server |
//! | `BENCH_CHECKING_MS`, `BENCH_DELIVERING_MS`, `BENCH_PROJECT_404_MS` | 1000, 1000, 2000 | the simulator's order timings (its defaults) |
//! | `BENCH_ON_EXISTING` | (unset: the CRD's default, Stop) | `spec.onExisting`; `Order` skips the account's project listing |
//! | `BENCH_TIMEOUT_S` | 600 + N/5 | give up waiting for Ready |
//! | `OVH_SDK_PYTHON` | `target/sdk-venv/bin/python` | a Python with the `ovh` package (scripts/test makes it) |
//! | `BENCH_STEADY` | unset | `1`: the steady-state mode instead (`benches/steady/mod.rs`, its own variables) |

#[path = "../tests/common/mod.rs"]
mod common;
#[path = "steady/mod.rs"]
mod steady;

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::operator::Env;
use futures::{StreamExt, TryStreamExt};
use kube::{
    Client, ResourceExt,
    runtime::{WatchStreamExt, watcher},
};
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    simulator::ledger::Stats,
};
use serde_json::{Value, json};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} does not parse")),
        Err(_) => default,
    }
}

struct Settings {
    n: usize,
    latency_ms: u64,
    tf_n: usize,
    tf_time_scale: f64,
    concurrency: u16,
    rate_limit: f64,
    apply_concurrency: usize,
    checking_ms: u64,
    delivering_ms: u64,
    project_404_ms: u64,
    on_existing: Option<String>,
    timeout: Duration,
}

impl Settings {
    fn from_env() -> Self {
        let n = env_or("BENCH_ORDERS", 200usize);
        Self {
            n,
            latency_ms: env_or("BENCH_LATENCY_MS", 20),
            tf_n: env_or("BENCH_TF_ORDERS", n),
            tf_time_scale: env_or("BENCH_TF_TIME_SCALE", 0.1),
            concurrency: env_or("BENCH_CONCURRENCY", 16),
            rate_limit: env_or("BENCH_OVH_RATE_LIMIT", 0.0),
            apply_concurrency: env_or("BENCH_APPLY_CONCURRENCY", 64),
            checking_ms: env_or("BENCH_CHECKING_MS", 1000),
            delivering_ms: env_or("BENCH_DELIVERING_MS", 1000),
            project_404_ms: env_or("BENCH_PROJECT_404_MS", 2000),
            on_existing: std::env::var("BENCH_ON_EXISTING").ok(),
            timeout: Duration::from_secs(env_or("BENCH_TIMEOUT_S", 600 + n as u64 / 5)),
        }
    }
}

// ---- the operator process -----------------------------------------------------------------------

/// A field of /proc/<pid>/status, in KiB (VmRSS, VmHWM).
fn proc_status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        .unwrap_or_default()
}

/// utime + stime of /proc/<pid>/stat, in seconds.
fn cpu_seconds(pid: u32) -> f64 {
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
            Some((f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?) as f64 / ticks)
        })
        .unwrap_or_default()
}

// ---- what the API server saw --------------------------------------------------------------------

/// `apiserver_request_total` of the API server's /metrics, summed by `VERB resource[/subresource]`
/// for the resources the operator touches (server-side apply counts as verb APPLY).
async fn apiserver_requests(client: &Client) -> BTreeMap<String, f64> {
    let request = http::Request::get("/metrics").body(Vec::new()).unwrap();
    let text = client
        .request_text(request)
        .await
        .expect("scrape the API server's /metrics");
    let mut by_key = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("apiserver_request_total{")) {
        let Some((labels, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let label = |name: &str| {
            labels
                .split(&format!("{name}=\""))
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .unwrap_or_default()
                .to_string()
        };
        let resource = label("resource");
        if !["publiccloudprojects", "secrets", "events", "leases"].contains(&resource.as_str()) {
            continue;
        }
        let subresource = label("subresource");
        let key = match subresource.as_str() {
            "" => format!("{} {resource}", label("verb")),
            s => format!("{} {resource}/{s}", label("verb")),
        };
        *by_key.entry(key).or_default() += value.parse::<f64>().unwrap_or_default();
    }
    by_key
}

fn delta(after: &BTreeMap<String, f64>, before: &BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    after
        .iter()
        .map(|(k, v)| (k.clone(), v - before.get(k).copied().unwrap_or_default()))
        .filter(|(_, v)| *v > 0.0)
        .collect()
}

// ---- following the resources --------------------------------------------------------------------

#[derive(Default)]
struct Track {
    created: Option<Instant>,
    url: Option<Instant>,
    ready: Option<Instant>,
    last_rv: String,
    /// resourceVersions seen after the first one: every write to the object.
    writes: u32,
    phase: Option<Phase>,
}

type Tracks = Arc<Mutex<HashMap<String, Track>>>;

/// Watches the namespace and records, per resource, when its order URL and Ready appeared.
fn follow(env: &Env) -> Tracks {
    let tracks: Tracks = Default::default();
    let stream = watcher(env.api.clone(), watcher::Config::default()).applied_objects();
    let t = tracks.clone();
    tokio::spawn(async move {
        futures::pin_mut!(stream);
        while let Ok(Some(obj)) = stream.try_next().await {
            let now = Instant::now();
            let obj: PublicCloudProject = obj;
            let mut tracks = t.lock().unwrap();
            let track = tracks.entry(obj.name_any()).or_default();
            let rv = obj.resource_version().unwrap_or_default();
            if rv != track.last_rv {
                if !track.last_rv.is_empty() {
                    track.writes += 1;
                }
                track.last_rv = rv;
            }
            let status = obj.status.as_ref();
            track.phase = status.and_then(|s| s.phase);
            if track.url.is_none() && status.and_then(|s| s.order.as_ref()?.url.as_ref()).is_some() {
                track.url = Some(now);
            }
            if track.ready.is_none() && track.phase == Some(Phase::Ready) {
                track.ready = Some(now);
            }
        }
    });
    tracks
}

/// Nearest-rank percentile of `values` (milliseconds).
fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    if values.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * values.len() as f64).ceil().max(1.0) as usize;
    values[rank.min(values.len()) - 1]
}

fn percentiles(mut values: Vec<f64>) -> Value {
    let mut p = |q| (percentile(&mut values, q) * 10.0).round() / 10.0;
    json!({"p50": p(50.0), "p95": p(95.0), "p99": p(99.0)})
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

// ---- the terraform flow -------------------------------------------------------------------------

fn python() -> std::path::PathBuf {
    std::env::var_os("OVH_SDK_PYTHON")
        .map(Into::into)
        .unwrap_or_else(|| common::repo_root().join("target/sdk-venv/bin/python"))
}

async fn terraform_flow(env: &Env, s: &Settings) -> Value {
    let out = tokio::process::Command::new(python())
        .arg(common::repo_root().join("benches/terraform_flow.py"))
        .arg(&env.sim.running.base_url)
        .arg(s.tf_n.to_string())
        .args(["--time-scale", &s.tf_time_scale.to_string()])
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "run {} (scripts/test makes target/sdk-venv with the ovh package): {e}",
                python().display()
            )
        });
    assert!(
        out.status.success(),
        "benches/terraform_flow.py failed:\n{}",
        common::output_text(&out)
    );
    serde_json::from_slice(&out.stdout).expect("terraform_flow.py prints one JSON line")
}

// ---- the run ------------------------------------------------------------------------------------

/// The OVH routes called before the order URL exists (the rest follow the order and the project).
fn before_url(route: &str) -> bool {
    route.contains(" /auth/")
        || route == "GET /me"
        || route.contains(" /order/cart")
        || route == "GET /cloud/project"
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    if std::env::var("BENCH_STEADY").is_ok_and(|v| v == "1") {
        steady::run().await;
        return;
    }
    let s = Settings::from_env();
    let n = s.n;
    let env = Env::new("bench", |c| {
        c.latency_ms = s.latency_ms;
        c.checking_ms = s.checking_ms;
        c.delivering_ms = s.delivering_ms;
        c.project_404_ms = s.project_404_ms;
    })
    .await;
    let tracks = follow(&env);
    let mut operator = std::process::Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
        .args(["run", "--namespace", &env.ns, "--metrics-addr", ""])
        .args(["--ovh-rate-limit", &s.rate_limit.to_string()])
        .args(["--concurrency", &s.concurrency.to_string()])
        .env("KUBECONFIG", &common::control_plane().kubeconfig)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start the operator binary");
    let pid = operator.id();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let idle_rss = proc_status_kib(pid, "VmRSS:");
    let idle_cpu = cpu_seconds(pid);
    let kube_before = apiserver_requests(&env.client).await;

    // Apply: every resource created concurrently through the API.
    let started = Instant::now();
    let names: Vec<String> = (0..n).map(|i| format!("b{i:05}")).collect();
    futures::stream::iter(names.iter())
        .map(|name| {
            let (env, tracks, s) = (&env, &tracks, &s);
            async move {
                let mut spec = json!({"description": name, "ovhSubsidiary": "FR", "payment": "Automatic"});
                if let Some(on_existing) = &s.on_existing {
                    spec["onExisting"] = json!(on_existing);
                }
                env.create(name, spec).await;
                let now = Instant::now();
                tracks.lock().unwrap().entry(name.clone()).or_default().created = Some(now);
            }
        })
        .buffer_unordered(s.apply_concurrency)
        .collect::<Vec<()>>()
        .await;
    let applied = started.elapsed();

    let mut peak_rss_sampled = idle_rss;
    let mut stats_at_all_urls: Option<Stats> = None;
    loop {
        peak_rss_sampled = peak_rss_sampled.max(proc_status_kib(pid, "VmRSS:"));
        let (urls, ready, stuck) = {
            let tracks = tracks.lock().unwrap();
            let urls = tracks.values().filter(|t| t.url.is_some()).count();
            let ready = tracks.values().filter(|t| t.ready.is_some()).count();
            let stuck: Vec<String> = tracks
                .iter()
                .filter(|(_, t)| matches!(t.phase, Some(Phase::Failed | Phase::NeedsAttention)))
                .map(|(name, t)| format!("{name}: {:?}", t.phase))
                .collect();
            (urls, ready, stuck)
        };
        assert!(stuck.is_empty(), "resources stopped: {stuck:?}");
        if urls == n && stats_at_all_urls.is_none() {
            stats_at_all_urls = Some(env.sim.stats().await);
        }
        if ready == n {
            break;
        }
        assert!(
            started.elapsed() < s.timeout,
            "only {ready}/{n} Ready ({urls} with an order URL) after {:?}",
            s.timeout
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let wall = started.elapsed();
    // A moment for the last writes and events, then the process's figures.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let hwm = proc_status_kib(pid, "VmHWM:");
    let end_rss = proc_status_kib(pid, "VmRSS:");
    let cpu = cpu_seconds(pid);
    operator.kill().ok();
    operator.wait().ok();
    let kube = delta(&apiserver_requests(&env.client).await, &kube_before);

    let ledger = env.sim.ledger().await;
    assert_eq!(ledger.orders.len(), n, "exactly one order per resource");
    assert_eq!(ledger.carts.len(), n, "exactly one cart per resource");
    assert_eq!(ledger.checkouts() as usize, n, "one checkout per cart");
    let stats = env.sim.stats().await;
    let posts: BTreeMap<&String, u64> = stats
        .calls
        .iter()
        .filter(|(route, _)| route.starts_with("POST "))
        .map(|(route, &calls)| (route, calls))
        .collect();
    // Every POST route is one step of one resource's order: more than N calls is a POST sent twice.
    let post_retries: u64 = posts.values().map(|&c| c.saturating_sub(n as u64)).sum();
    assert_eq!(post_retries, 0, "a POST was sent twice: {posts:?}");

    let (mut to_url, mut to_ready, mut from_apply_to_url) = (vec![], vec![], vec![]);
    let mut writes = 0u64;
    for t in tracks.lock().unwrap().values() {
        let created = t.created.expect("every resource was created");
        let (url, ready) = (t.url.unwrap(), t.ready.unwrap());
        to_url.push(ms(url.saturating_duration_since(created)));
        to_ready.push(ms(ready.saturating_duration_since(created)));
        from_apply_to_url.push(ms(url.saturating_duration_since(started)));
        writes += u64::from(t.writes);
    }
    let per = |x: f64| (x / n as f64 * 100.0).round() / 100.0;
    let calls_by_route: BTreeMap<&String, f64> =
        stats.calls.iter().map(|(r, &c)| (r, per(c as f64))).collect();
    let calls_before_url: u64 = stats
        .calls
        .iter()
        .filter(|(r, _)| before_url(r))
        .map(|(_, c)| c)
        .sum();
    let kube_per: BTreeMap<&String, f64> = kube.iter().map(|(k, &v)| (k, per(v))).collect();
    let status_writes = kube
        .iter()
        .filter(|(k, _)| k.ends_with("publiccloudprojects/status"))
        .map(|(_, v)| v)
        .sum::<f64>();
    let operator = json!({
        "n": n,
        "wall_s": (wall.as_secs_f64() * 1000.0).round() / 1000.0,
        "apply_s": (applied.as_secs_f64() * 1000.0).round() / 1000.0,
        "projects_per_minute": (n as f64 / wall.as_secs_f64() * 60.0 * 10.0).round() / 10.0,
        "calls_per_project": per(stats.total() as f64),
        "calls_before_url_per_project": per(calls_before_url as f64),
        "calls_until_all_urls_per_project": stats_at_all_urls.map(|s| per(s.total() as f64)),
        "post_retries": post_retries,
        "calls_by_route_per_project": calls_by_route,
        "create_to_url_ms": percentiles(to_url),
        "apply_to_url_ms": percentiles(from_apply_to_url),
        "create_to_ready_ms": percentiles(to_ready),
        "status_writes_per_project": per(status_writes),
        "object_writes_per_project": per(writes as f64),
        "kube_requests_per_project": kube_per,
        "idle_rss_kib": idle_rss,
        "peak_rss_kib": hwm.max(peak_rss_sampled),
        "end_rss_kib": end_rss,
        "cpu_s": (cpu * 1000.0).round() / 1000.0,
        "cpu_ms_per_project": ((cpu - idle_cpu) * 1000.0 / n as f64 * 100.0).round() / 100.0,
    });

    let terraform = if s.tf_n > 0 {
        Some(terraform_flow(&env, &s).await)
    } else {
        None
    };
    let ratios = terraform.as_ref().map(|tf| {
        let f = |v: &Value| v.as_f64().unwrap_or(f64::NAN);
        let r = |x: f64| (x * 100.0).round() / 100.0;
        json!({
            "calls_per_project_tf_over_operator": r(f(&tf["calls_per_project"]) / f(&operator["calls_per_project"])),
            "calls_before_url_tf_over_operator": r(f(&tf["calls_before_url_per_project"]) / f(&operator["calls_before_url_per_project"])),
            "p50_apply_to_url_tf_over_operator": r(f(&tf["apply_to_url_ms"]["p50"]) / f(&operator["apply_to_url_ms"]["p50"])),
            "projects_per_minute_operator_over_tf": r(f(&operator["projects_per_minute"]) / f(&tf["projects_per_minute"])),
        })
    });
    let result = json!({
        "bench": "orders",
        "settings": {
            "n": n, "latency_ms": s.latency_ms, "payment": "Automatic", "ovh_subsidiary": "FR",
            "concurrency": s.concurrency, "ovh_rate_limit": s.rate_limit,
            "apply_concurrency": s.apply_concurrency, "checking_ms": s.checking_ms,
            "delivering_ms": s.delivering_ms, "project_404_ms": s.project_404_ms,
            "on_existing": s.on_existing,
            "tf_n": s.tf_n, "tf_time_scale": s.tf_time_scale,
        },
        "operator": operator,
        "terraform": terraform,
        "ratios": ratios,
    });
    println!("{result}");
    print_table(&result);
}

fn print_table(r: &Value) {
    let (o, tf) = (&r["operator"], &r["terraform"]);
    let lat = r["settings"]["latency_ms"].as_f64().unwrap_or_default();
    let cell = |v: &Value| match v {
        Value::Null => "—".to_string(),
        Value::Number(x) => x.to_string(),
        v => v.to_string(),
    };
    println!();
    println!(
        "{} resources, OVH latency {lat} ms per call, payment Automatic, onExisting {}; terraform flow: {} creates, 10 at a time, timings × {}",
        o["n"],
        r["settings"]["on_existing"].as_str().unwrap_or("Stop (default)"),
        r["settings"]["tf_n"],
        r["settings"]["tf_time_scale"]
    );
    println!("{:<40} {:>14} {:>14}   target", "", "operator", "terraform");
    let row = |name: &str, a: &Value, b: &Value, target: &str| {
        println!("{name:<40} {:>14} {:>14}   {target}", cell(a), cell(b));
    };
    row(
        "OVH calls per project, all",
        &o["calls_per_project"],
        &tf["calls_per_project"],
        "",
    );
    row(
        "OVH calls per project, to the order URL*",
        &o["calls_before_url_per_project"],
        &tf["calls_before_url_per_project"],
        "5 (6 with a price preview)",
    );
    row("POST retries", &o["post_retries"], &tf["post_retries"], "0");
    for p in ["p50", "p95", "p99"] {
        row(
            &format!("apply → order URL {p} (ms)"),
            &o["apply_to_url_ms"][p],
            &tf["apply_to_url_ms"][p],
            "",
        );
    }
    let target = format!("≤ {} (10 × latency + 100)", 10.0 * lat + 100.0);
    for p in ["p50", "p95", "p99"] {
        row(
            &format!("create → order URL {p} (ms)"),
            &o["create_to_url_ms"][p],
            &tf["create_to_url_ms"][p],
            if p == "p50" { &target } else { "" },
        );
    }
    for p in ["p50", "p95", "p99"] {
        row(
            &format!("create → Ready {p} (ms)"),
            &o["create_to_ready_ms"][p],
            &tf["create_to_done_ms"][p],
            "",
        );
    }
    row("wall time (s)", &o["wall_s"], &tf["wall_s"], "");
    row(
        "projects per minute",
        &o["projects_per_minute"],
        &tf["projects_per_minute"],
        "operator ≥ 5 × terraform",
    );
    row(
        "status writes per project",
        &o["status_writes_per_project"],
        &Value::Null,
        "",
    );
    row(
        "object writes per project (watch)",
        &o["object_writes_per_project"],
        &Value::Null,
        "",
    );
    row(
        "operator idle RSS (KiB)",
        &o["idle_rss_kib"],
        &Value::Null,
        "< 16384",
    );
    row(
        "operator peak RSS (KiB)",
        &o["peak_rss_kib"],
        &Value::Null,
        "< 32768 at 1,000",
    );
    row("operator CPU (s)", &o["cpu_s"], &Value::Null, "");
    row(
        "operator CPU per project (ms)",
        &o["cpu_ms_per_project"],
        &Value::Null,
        "< 5",
    );
    println!(
        "* routes used only before the checkout's answer (/auth, GET /me, /order/cart…, GET /cloud/project); \
         GET /cloud/project/{{serviceName}} counts in \"all\" only: the operator's listing reads every project \
         before a first cart, and both read the delivered project"
    );
    println!("\nOVH calls per project by route      operator      terraform");
    let mut routes: std::collections::BTreeSet<String> = Default::default();
    if let Some(m) = o["calls_by_route_per_project"].as_object() {
        routes.extend(m.keys().cloned());
    }
    let tf_n = tf["n"].as_f64().unwrap_or(f64::NAN);
    if let Some(m) = tf["calls_by_route"].as_object() {
        routes.extend(m.keys().cloned());
    }
    for route in routes {
        let op = o["calls_by_route_per_project"][&route].as_f64();
        let t = tf["calls_by_route"][&route].as_f64().map(|c| c / tf_n);
        let f = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.2}"));
        println!("  {route:<58} {:>8} {:>8}", f(op), f(t));
    }
    println!("\nKubernetes API requests per project (all clients, the benchmark's creates and watch too)");
    if let Some(m) = o["kube_requests_per_project"].as_object() {
        for (k, v) in m {
            println!("  {k:<58} {v:>8}");
        }
    }
    if !r["ratios"].is_null() {
        println!("\nratios: {}", r["ratios"]);
    }
}
