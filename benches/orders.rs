//! Throughput and memory of the operator: N PublicCloudProjects (payment Automatic) applied at
//! once against a real kube-apiserver and the simulator (no artificial OVH delays), with the
//! operator binary running as a separate process. Prints figures; asserts only correctness.
//!
//! `cargo bench --bench orders` (N from BENCH_ORDERS, default 100).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::operator::{Env, phase_of};
use kube::api::ListParams;
use ovh_publiccloud_operator::api::Phase;

fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n: usize = std::env::var("BENCH_ORDERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let env = Env::new("bench", |c| {
        c.checking_ms = 0;
        c.delivering_ms = 0;
        c.project_404_ms = 0;
    })
    .await;
    let mut operator = std::process::Command::new(env!("CARGO_BIN_EXE_ovh-publiccloud-operator"))
        .args([
            "run",
            "--namespace",
            &env.ns,
            "--metrics-addr",
            "",
            "--ovh-rate-limit",
            "0",
            "--concurrency",
            "16",
        ])
        .env("KUBECONFIG", &common::control_plane().kubeconfig)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("start the operator binary");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle_rss = proc_status_kib(operator.id(), "VmRSS:").unwrap_or_default();

    let started = Instant::now();
    let names: Vec<String> = (0..n).map(|i| format!("b{i:04}")).collect();
    for chunk in names.chunks(25) {
        futures::future::join_all(chunk.iter().map(|name| {
            env.create(
                name,
                serde_json::json!({"description": name, "payment": "Automatic"}),
            )
        }))
        .await;
    }
    let mut peak_rss = idle_rss;
    loop {
        peak_rss = peak_rss.max(proc_status_kib(operator.id(), "VmRSS:").unwrap_or_default());
        let list = env.api.list(&ListParams::default()).await.unwrap();
        let ready = list
            .items
            .iter()
            .filter(|p| phase_of(p) == Some(Phase::Ready))
            .count();
        if ready == n {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "only {ready}/{n} Ready after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let elapsed = started.elapsed();
    let hwm = proc_status_kib(operator.id(), "VmHWM:").unwrap_or_default();
    let cpu = std::fs::read_to_string(format!("/proc/{}/stat", operator.id()))
        .ok()
        .and_then(|s| {
            let f: Vec<&str> = s.rsplit(')').next()?.split_whitespace().collect();
            Some((f[11].parse::<u64>().ok()? + f[12].parse::<u64>().ok()?) as f64 / 100.0)
        })
        .unwrap_or_default();
    operator.kill().ok();
    operator.wait().ok();

    let orders = env.sim.ledger().await.orders.len();
    assert_eq!(orders, n, "exactly one order per resource");
    let calls = env.sim.stats().await.total();

    println!("orders: {n} resources applied at once, {orders} orders placed (one each)");
    println!(
        "time to all Ready: {:.2} s ({:.1} orders/s, {:.0} ms per order)",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_millis() as f64 / n as f64
    );
    println!(
        "OVH calls: {calls} in all, {:.1} per order",
        calls as f64 / n as f64
    );
    println!(
        "operator memory: {} KiB RSS idle, {} KiB peak RSS sampled, {} KiB high-water mark",
        idle_rss, peak_rss, hwm
    );
    println!(
        "operator CPU time: {cpu:.2} s ({:.1} ms per order)",
        cpu * 1000.0 / n as f64
    );
}
