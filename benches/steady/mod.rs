//! The steady-state mode of `benches/orders.rs` (`BENCH_STEADY=1`): what an operator holding N
//! Ready projects on one credentials Secret lives with, and how a burst of new orders fares on it.
//!
//! 1. The burst alone: M resources ordered at once on an empty operator (its own namespace and
//!    simulator): create → order URL, OVH calls and API requests per ordered project.
//! 2. N projects delivered in a second simulator, adopted by N resources (`spec.projectId`) under
//!    an operator without a rate limit, until all are Ready; that operator is stopped.
//! 3. The measured operator starts on them with `--ovh-rate-limit` (10, its default), `--resync`
//!    shortened in proportion (10 min × N / 10,000: the same calls per second as 10,000 projects
//!    read every 10 minutes) and a long `--spend-interval` (24 h: the day-two reads are outside
//!    this measure unless `BENCH_STEADY_SPEND_INTERVAL` says otherwise). After a warm-up (N /
//!    limit seconds, a first round at the limit, then one window; its calls per second are
//!    printed: the first passes after a start are spread), a window of one resync interval (at
//!    most 2 minutes) is measured: OVH calls per second against
//!    the limit, the effective resync interval (N over the project reads per second), CPU.
//! 4. The same burst of M new orders on it: create → order URL against step 1 (the ratio), API
//!    requests per ordered project, CPU, peak RSS.
//!
//! | variable | default | |
//! |---|---|---|
//! | `BENCH_STEADY_N` | 10000 | Ready projects (N) |
//! | `BENCH_STEADY_ORDERS` | 100 | new orders of the burst (M) |
//! | `BENCH_STEADY_RESYNC_S` | 600 × N / 10,000 (at least 5) | the operator's `--resync` |
//! | `BENCH_STEADY_WINDOW_S` | the resync, at most 120 | the measured window (the warm-up is N / limit seconds longer) |
//! | `BENCH_STEADY_SPEND_INTERVAL` | 24h | the operator's `--spend-interval` |
//! | `BENCH_OVH_RATE_LIMIT` | 10 | the operator's `--ovh-rate-limit` |
//! | `BENCH_LATENCY_MS` | 20 | the simulators' latency on every OVH call |
//! | `BENCH_OPERATOR_BIN` | this build's | the operator binary (another build: the "before") |

use std::{
    collections::BTreeMap,
    process::Child,
    time::{Duration, Instant},
};

use futures::StreamExt;
use ovh_publiccloud_operator::{
    api::Phase,
    ovh::{ClientOptions, OvhClient, model::Checkout},
    simulator::{Region, ledger::Stats},
};
use serde_json::{Value, json};

use super::common::{self, operator::Env, sim};
use super::{
    Tracks, apiserver_requests, cpu_seconds, delta, env_or, follow, ms, percentiles, proc_status_kib,
};

struct Steady {
    n: usize,
    m: usize,
    resync_s: u64,
    window_s: u64,
    spend_interval: String,
    rate_limit: f64,
    latency_ms: u64,
    bin: String,
}

impl Steady {
    fn from_env() -> Self {
        let n = env_or("BENCH_STEADY_N", 10_000usize);
        let resync_s = env_or("BENCH_STEADY_RESYNC_S", (600 * n as u64 / 10_000).max(5));
        Self {
            n,
            m: env_or("BENCH_STEADY_ORDERS", 100),
            resync_s,
            window_s: env_or("BENCH_STEADY_WINDOW_S", resync_s.min(120)),
            spend_interval: env_or("BENCH_STEADY_SPEND_INTERVAL", "24h".to_string()),
            rate_limit: env_or("BENCH_OVH_RATE_LIMIT", 10.0),
            latency_ms: env_or("BENCH_LATENCY_MS", 20),
            bin: env_or(
                "BENCH_OPERATOR_BIN",
                env!("CARGO_BIN_EXE_ovh-publiccloud-operator").to_string(),
            ),
        }
    }

    fn operator(&self, env: &Env, rate_limit: f64, resync_s: u64) -> Child {
        std::process::Command::new(&self.bin)
            .args(["run", "--namespace", &env.ns, "--metrics-addr", ""])
            .args(["--ovh-rate-limit", &rate_limit.to_string()])
            .args(["--resync", &format!("{resync_s}s")])
            .args(["--spend-interval", &self.spend_interval])
            .env("KUBECONFIG", &common::control_plane().kubeconfig)
            .env("RUST_LOG", "warn")
            .spawn()
            .expect("start the operator binary")
    }
}

async fn new_env(prefix: &str, s: &Steady) -> Env {
    let latency_ms = s.latency_ms;
    Env::new(prefix, |c| {
        c.latency_ms = latency_ms;
        c.checking_ms = 1000;
        c.delivering_ms = 1000;
        c.project_404_ms = 2000;
    })
    .await
}

/// Creates `names` at once (64 in flight) with `spec(name)`, recording each creation time.
async fn create_all(env: &Env, tracks: &Tracks, names: &[String], spec: impl Fn(&str) -> Value) {
    futures::stream::iter(names)
        .map(|name| {
            let spec = spec(name);
            async move {
                env.create(name, spec).await;
                tracks.lock().unwrap().entry(name.clone()).or_default().created = Some(Instant::now());
            }
        })
        .buffer_unordered(64)
        .collect::<Vec<()>>()
        .await;
}

/// Waits until every one of `names` is Ready (asserting none stops), within `timeout`.
async fn until_ready(tracks: &Tracks, names: &[String], timeout: Duration, mut sample: impl FnMut()) {
    let started = Instant::now();
    loop {
        sample();
        let (ready, stuck) = {
            let tracks = tracks.lock().unwrap();
            let of = |n: &String| tracks.get(n);
            let ready = names
                .iter()
                .filter(|n| of(n).is_some_and(|t| t.ready.is_some()))
                .count();
            let stuck: Vec<_> = names
                .iter()
                .filter(|n| {
                    of(n).is_some_and(|t| matches!(t.phase, Some(Phase::Failed | Phase::NeedsAttention)))
                })
                .cloned()
                .collect();
            (ready, stuck)
        };
        assert!(stuck.is_empty(), "resources stopped: {stuck:?}");
        if ready == names.len() {
            return;
        }
        assert!(
            started.elapsed() < timeout,
            "{ready}/{} Ready after {timeout:?}",
            names.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A burst of `m` new orders (payment Automatic): creates them, waits until all are Ready, and
/// returns the figures per ordered project.
async fn burst(env: &Env, tracks: &Tracks, pid: u32, m: usize, peak: &mut u64) -> Value {
    let names: Vec<String> = (0..m).map(|i| format!("new{i:04}")).collect();
    let (kube_before, ovh_before, cpu_before) = (
        apiserver_requests(&env.client).await,
        env.sim.stats().await,
        cpu_seconds(pid),
    );
    let started = Instant::now();
    create_all(
        env,
        tracks,
        &names,
        |name| json!({"description": name, "ovhSubsidiary": "FR", "payment": "Automatic"}),
    )
    .await;
    until_ready(tracks, &names, Duration::from_secs(1800), || {
        *peak = (*peak).max(proc_status_kib(pid, "VmRSS:"));
    })
    .await;
    let wall = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let cpu = cpu_seconds(pid) - cpu_before;
    let kube = delta(&apiserver_requests(&env.client).await, &kube_before);
    let ovh = env.sim.stats().await.total() - ovh_before.total();
    let to_url: Vec<f64> = {
        let tracks = tracks.lock().unwrap();
        names
            .iter()
            .map(|n| {
                let t = &tracks[n];
                ms(t.url.unwrap().saturating_duration_since(t.created.unwrap()))
            })
            .collect()
    };
    let per = |x: f64| (x / m as f64 * 100.0).round() / 100.0;
    let kube_per: BTreeMap<&String, f64> = kube.iter().map(|(k, &v)| (k, per(v))).collect();
    json!({
        "m": m,
        "wall_s": round3(wall.as_secs_f64()),
        "create_to_url_ms": percentiles(to_url),
        "ovh_calls_during_burst_per_ordered_project": per(ovh as f64),
        "kube_requests_during_burst_per_ordered_project": kube_per,
        "cpu_ms_during_burst_per_ordered_project": per(cpu * 1000.0),
    })
}

/// Waits `d`, keeping the operator's highest RSS seen in `peak`.
async fn sample_for(pid: u32, d: Duration, peak: &mut u64) {
    let until = Instant::now() + d;
    while Instant::now() < until {
        *peak = (*peak).max(proc_status_kib(pid, "VmRSS:"));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// N projects delivered in `env`'s simulator (checkouts and payments 64 at a time, then their
/// ids once delivered): what the adopted resources name.
async fn delivered_projects(env: &Env, n: usize) -> Vec<String> {
    let options = ClientOptions {
        rate_limit: None,
        ..Default::default()
    };
    let client = OvhClient::new(env.sim.credentials(&sim::AK_AS_CK), options).unwrap();
    let orders: Vec<i64> = futures::stream::iter(0..n)
        .map(|i| {
            let client = &client;
            async move {
                let (cart, _) = sim::configured_cart_in(Region::Eu, client, &format!("seed-{i}")).await;
                let order = client
                    .checkout(&cart.cart_id, &Checkout::api_order(false))
                    .await
                    .unwrap();
                let order_id = order.order_id.unwrap();
                env.sim
                    .control(
                        reqwest::Method::POST,
                        &format!("/_sim/orders/{order_id}/pay"),
                        None,
                    )
                    .await;
                order_id
            }
        })
        .buffer_unordered(64)
        .collect()
        .await;
    tokio::time::sleep(Duration::from_secs(5)).await; // checking, delivering, the 404 window
    futures::stream::iter(orders)
        .map(|order_id| {
            let client = &client;
            async move { sim::project_id_of(client, order_id).await.expect("delivered") }
        })
        .buffer_unordered(64)
        .collect()
        .await
}

/// Step 3: the steady state of the operator `pid` just started on `env` (whose simulator had
/// counted `at_start` calls): a warm-up, then one measured window.
async fn measure_steady(env: &Env, s: &Steady, pid: u32, at_start: u64, peak: &mut u64) -> Value {
    let n = s.n;
    let started = Instant::now();
    let interval = Duration::from_secs(s.window_s);
    // The warm-up outlasts a first round at the limit (N calls, as before the call budget spread
    // the first passes after a start over the stretched interval), then one window more.
    let first_round = Duration::from_secs_f64(n as f64 / s.rate_limit.max(1.0));
    sample_for(pid, first_round + interval, peak).await;
    let warm_up_calls_per_s =
        (env.sim.stats().await.total() - at_start) as f64 / started.elapsed().as_secs_f64();
    let (ovh_before, cpu_before, kube_before) = (
        env.sim.stats().await,
        cpu_seconds(pid),
        apiserver_requests(&env.client).await,
    );
    let measured = Instant::now();
    sample_for(pid, interval, peak).await;
    let window = measured.elapsed().as_secs_f64();
    let ovh_after = env.sim.stats().await;
    let steady_cpu = cpu_seconds(pid) - cpu_before;
    let steady_kube = delta(&apiserver_requests(&env.client).await, &kube_before);
    let route = |stats: &Stats, r: &str| stats.calls.get(r).copied().unwrap_or_default();
    let reads = route(&ovh_after, "GET /cloud/project/{serviceName}")
        - route(&ovh_before, "GET /cloud/project/{serviceName}");
    let calls = ovh_after.total() - ovh_before.total();
    let calls_by_route: BTreeMap<&String, f64> = ovh_after
        .calls
        .iter()
        .map(|(r, &c)| (r, round3((c - route(&ovh_before, r)) as f64 / window)))
        .filter(|(_, v)| *v > 0.0)
        .collect();
    let steady = json!({
        "n": n,
        "resync_s": s.resync_s,
        "warm_up_s": round3(measured.duration_since(started).as_secs_f64()),
        "warm_up_ovh_calls_per_s": round3(warm_up_calls_per_s),
        "window_s": round3(window),
        "ovh_calls_per_s": round3(calls as f64 / window),
        "ovh_rate_limit": s.rate_limit,
        "share_of_limit": round3(calls as f64 / window / s.rate_limit),
        "ovh_calls_per_s_by_route": calls_by_route,
        "project_reads_per_s": round3(reads as f64 / window),
        "effective_resync_s": if reads > 0 { json!(round3(n as f64 * window / reads as f64)) } else { Value::Null },
        "cpu_ms_per_s": round3(steady_cpu * 1000.0 / window),
        "cpu_ms_per_project_read": if reads > 0 { json!(round3(steady_cpu * 1000.0 / reads as f64)) } else { Value::Null },
        "kube_requests_per_s": steady_kube.iter().map(|(k, v)| (k.clone(), round3(v / window))).collect::<BTreeMap<_, _>>(),
    });

    steady
}

pub async fn run() {
    let s = Steady::from_env();
    let (n, m) = (s.n, s.m);
    let timeout = Duration::from_secs(1800 + n as u64 / 2);

    // 1. The burst on an empty operator.
    let empty = new_env("steady-empty", &s).await;
    let tracks = follow(&empty);
    let mut operator = s.operator(&empty, s.rate_limit, s.resync_s);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mut peak_empty = 0;
    let idle = burst(&empty, &tracks, operator.id(), m, &mut peak_empty).await;
    operator.kill().ok();
    operator.wait().ok();

    // 2. N Ready projects, adopted without a rate limit.
    let env = new_env("steady", &s).await;
    let tracks = follow(&env);
    let seeding = Instant::now();
    let projects = delivered_projects(&env, n).await;
    let mut operator = s.operator(&env, 0.0, 3600);
    let names: Vec<String> = (0..n).map(|i| format!("r{i:05}")).collect();
    let project_of: BTreeMap<&String, &String> = names.iter().zip(&projects).collect();
    create_all(
        &env,
        &tracks,
        &names,
        |name| json!({"description": "Team A", "projectId": project_of[&name.to_string()]}),
    )
    .await;
    until_ready(&tracks, &names, timeout, || {}).await;
    operator.kill().ok();
    operator.wait().ok();
    let setup_s = seeding.elapsed().as_secs_f64();

    // 3. The measured operator: a warm-up interval, then one measured interval.
    let at_start = env.sim.stats().await.total();
    let mut operator = s.operator(&env, s.rate_limit, s.resync_s);
    let pid = operator.id();
    let mut peak = 0;
    let steady = measure_steady(&env, &s, pid, at_start, &mut peak).await;

    // 4. The burst on it.
    let loaded = burst(&env, &tracks, pid, m, &mut peak).await;
    let peak_rss = proc_status_kib(pid, "VmHWM:").max(peak);
    operator.kill().ok();
    operator.wait().ok();
    let p = |v: &Value, q: &str| v["create_to_url_ms"][q].as_f64().unwrap_or(f64::NAN);
    let ratio = json!({
        "p50": ((p(&loaded, "p50") / p(&idle, "p50")) * 100.0).round() / 100.0,
        "p95": ((p(&loaded, "p95") / p(&idle, "p95")) * 100.0).round() / 100.0,
    });
    let result = json!({
        "bench": "orders-steady",
        "settings": {"n": n, "m": m, "resync_s": s.resync_s, "spend_interval": s.spend_interval,
            "ovh_rate_limit": s.rate_limit, "latency_ms": s.latency_ms, "operator_bin": s.bin,
            "setup_s": round3(setup_s)},
        "steady": steady,
        "burst_on_empty_operator": idle,
        "burst_on_steady_operator": loaded,
        "create_to_url_steady_over_empty": ratio,
        "peak_rss_kib": peak_rss,
        "peak_rss_kib_empty_operator": peak_empty,
    });
    println!("{result}");
    print_table(&result);
}

fn print_table(r: &Value) {
    let (st, idle, loaded) = (
        &r["steady"],
        &r["burst_on_empty_operator"],
        &r["burst_on_steady_operator"],
    );
    println!();
    println!(
        "{} Ready projects on one Secret, --resync {} s, --spend-interval {}, --ovh-rate-limit {}; bursts of {} new orders",
        st["n"],
        st["resync_s"],
        r["settings"]["spend_interval"].as_str().unwrap_or_default(),
        st["ovh_rate_limit"],
        idle["m"]
    );
    let row = |name: &str, v: &Value| match v {
        Value::String(text) => println!("  {name:<52} {text}"),
        v => println!("  {name:<52} {v}"),
    };
    row(
        "steady OVH calls/s (against the limit)",
        &json!(format!(
            "{} / {} ({} of it)",
            st["ovh_calls_per_s"], st["ovh_rate_limit"], st["share_of_limit"]
        )),
    );
    row(
        "OVH calls/s in the warm-up after the start",
        &st["warm_up_ovh_calls_per_s"],
    );
    row("effective resync interval (s)", &st["effective_resync_s"]);
    row("steady operator CPU (ms/s)", &st["cpu_ms_per_s"]);
    for q in ["p50", "p95"] {
        row(
            &format!("create → URL {q} (ms): empty / steady / ratio"),
            &json!(format!(
                "{} / {} / {}",
                idle["create_to_url_ms"][q],
                loaded["create_to_url_ms"][q],
                r["create_to_url_steady_over_empty"][q]
            )),
        );
    }
    row(
        "CPU per ordered project, burst (ms): empty / steady",
        &json!(format!(
            "{} / {}",
            idle["cpu_ms_during_burst_per_ordered_project"],
            loaded["cpu_ms_during_burst_per_ordered_project"]
        )),
    );
    row(
        "peak RSS (KiB): empty / steady",
        &json!(format!(
            "{} / {}",
            r["peak_rss_kib_empty_operator"], r["peak_rss_kib"]
        )),
    );
    println!("\n  API requests per ordered project during the burst      empty   steady");
    let mut keys: std::collections::BTreeSet<String> = Default::default();
    for b in [idle, loaded] {
        if let Some(m) = b["kube_requests_during_burst_per_ordered_project"].as_object() {
            keys.extend(m.keys().cloned());
        }
    }
    for k in keys {
        let f = |b: &Value| {
            b["kube_requests_during_burst_per_ordered_project"][&k]
                .as_f64()
                .map_or("—".into(), |v| format!("{v:.2}"))
        };
        println!("  {k:<52} {:>7} {:>8}", f(idle), f(loaded));
    }
}
