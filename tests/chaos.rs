//! The chaos run: resources ordered while OVH fails about 10 % of calls (500, 503, 429 with
//! Retry-After, calls stalled beyond the operator's timeout), about 2 % of checkouts
//! commit and lose their answer, the operator is killed at random moments and restarted, and the
//! kube-apiserver itself is restarted twice (status writes fail after an OVH call succeeded). At
//! the end every resource is Ready or NeedsAttention with a reason, the Terminate ones are gone
//! with their projects terminated, and the simulator's ledger holds at most one order per
//! resource, each named by its resource: none lost.
//!
//! A test binary of its own: restarting the kube-apiserver would hurt tests sharing it.
//!
//! Size (environment): `CHAOS_RESOURCES` (default 12), `CHAOS_KILLS` (default 6),
//! `CHAOS_SEED` (default random, printed), `CHAOS_DEADLINE_SECS` (default 240). The full run:
//! `CHAOS_RESOURCES=200 CHAOS_KILLS=20 cargo test --features failpoints --test chaos -- --nocapture`.

mod common;

use std::{
    collections::{BTreeMap, BTreeSet, HashMap},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use common::{
    eventually,
    operator::{Env, condition, phase_of},
};
use kube::{Client, ResourceExt};
use ovh_publiccloud_operator::{
    api::{Payment, Phase, PublicCloudProject},
    controller::{
        self, CrashHook, Options,
        plan::{MARKER_PREFIX, Reason},
        reason::Health,
    },
    simulator::routes::ROUTES,
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde_json::{Value, json};

/// The operator's log lines, counted by what they say instead of printed: how often each kind
/// of failure happened (`"category":"KubernetesError"` is a status write or read that failed).
#[derive(Clone, Default)]
struct LogCounts(Arc<Mutex<BTreeMap<String, u64>>>);

impl std::io::Write for LogCounts {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        let line = String::from_utf8_lossy(line);
        let mut counts = self.0.lock().unwrap();
        if line.contains("reconcile failed")
            && let Some(category) = line
                .split("\"category\":\"")
                .nth(1)
                .and_then(|r| r.split('"').next())
        {
            *counts.entry(category.to_string()).or_default() += 1;
        }
        for what in ["retrying OVH call", "operator started", "executed"] {
            if line.contains(what) {
                *counts.entry(what.to_string()).or_default() += 1;
            }
        }
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogCounts {
    type Writer = LogCounts;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The operator as a Deployment runs it: started again (after a second) whenever it stops, e.g.
/// when it cannot reach the API server at start-up.
fn spawn_operator(client: Client, options: Options) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            match controller::start(client.clone(), options.clone(), CrashHook::default()).await {
                Ok(()) => return,
                Err(e) => {
                    eprintln!("chaos: the operator stopped ({e}); starting it again in 1 s");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
    })
}

/// What the chaos did.
#[derive(Default, Debug)]
struct Havoc {
    kills: u32,
    apiserver_restarts: Vec<Duration>,
}

/// Kills the operator `kills` times at random moments (1 to 4 s apart) and starts it again, and
/// restarts the kube-apiserver twice while the operator runs (at once, while the resources are
/// being ordered, and after half the kills). Just before each restart the next POSTs at OVH are
/// slowed (0.7 s, within the timeout), so that calls succeed at OVH while the API server is gone
/// and their status writes fail. Returns the operator left running.
async fn monkey(
    client: Client,
    options: Options,
    sim_origin: String,
    kills: u32,
    seed: u64,
) -> (tokio::task::JoinHandle<()>, Havoc) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut havoc = Havoc::default();
    let mut operator = spawn_operator(client.clone(), options.clone());
    let restarts_after = [0, kills / 2];
    let http = reqwest::Client::new();
    for k in 0..=kills {
        for _ in restarts_after.iter().filter(|at| **at == k) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(500..2500))).await;
            let slow: Vec<Value> = ROUTES
                .iter()
                .filter(|r| r.method == "POST")
                .map(|r| json!({"method": "POST", "route": r.template, "stallMs": 700, "count": 3}))
                .collect();
            http.post(format!("{sim_origin}/_sim/faults"))
                .json(&slow)
                .send()
                .await
                .unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
            let outage = tokio::task::spawn_blocking(common::restart_apiserver)
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("restarting the kube-apiserver: {e}"));
            eprintln!("chaos: kube-apiserver restarted ({outage:?} without it)");
            havoc.apiserver_restarts.push(outage);
        }
        if k == kills {
            break;
        }
        tokio::time::sleep(Duration::from_millis(rng.random_range(1000..4000))).await;
        // As SIGKILL: the task stops at its current await; nothing of it runs after this.
        operator.abort();
        let _ = operator.await;
        havoc.kills += 1;
        tokio::time::sleep(Duration::from_millis(rng.random_range(0..500))).await;
        operator = spawn_operator(client.clone(), options.clone());
    }
    (operator, havoc)
}

/// About 10 % of the calls to every OVH route fail (500, 503, 429 with Retry-After, or a stall
/// beyond the timeout); about 2 % of checkouts commit and then lose their answer, and for sure
/// one checkout's answer is dropped and one commits after the client's timeout.
fn faults(stall_ms: u64, late_commit_ms: u64) -> Vec<Value> {
    let checkout = "/order/cart/{cartId}/checkout";
    let mut faults = vec![
        json!({"method": "POST", "route": checkout, "dropResponse": true, "count": 1}),
        json!({"method": "POST", "route": checkout, "commitAfterMs": late_commit_ms, "count": 1}),
        json!({"method": "POST", "route": checkout, "dropResponse": true, "errorRate": 0.01}),
        json!({"method": "POST", "route": checkout, "commitAfterMs": late_commit_ms, "errorRate": 0.01}),
    ];
    for route in ROUTES {
        let base = json!({"method": route.method, "route": route.template, "errorRate": 0.026});
        for extra in [
            json!({"status": 500}),
            json!({"status": 503}),
            json!({"status": 429, "retryAfter": 1}),
            json!({"stallMs": stall_ms}),
        ] {
            let mut fault = base.clone();
            fault
                .as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            faults.push(fault);
        }
    }
    faults
}

/// Whether the resource's Ready reason asks a person to act (health Suspended, e.g.
/// PaymentRefused, PaymentUnverified, PaymentNotRegistered).
fn asks_a_person(obj: &PublicCloudProject) -> bool {
    condition(obj, "Ready").is_some_and(|c| {
        Reason::ALL
            .iter()
            .any(|r| r.as_str() == c.reason && r.health() == Health::Suspended)
    })
}

/// Pays an order on its page as a person does, if it is still unpaid there.
async fn pay(http: &reqwest::Client, url: &str) -> bool {
    let Ok(page) = http.get(url).send().await else {
        return false;
    };
    let Ok(page) = page.text().await else { return false };
    if !page.contains("id=\"pay\"") {
        return false;
    }
    let (Some(action), Some(password)) = (url.split('?').next(), url.split("password=").nth(1)) else {
        return false;
    };
    http.post(action)
        .form(&[("password", password)])
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chaos_every_resource_settles_with_at_most_one_order() {
    let resources = env_or("CHAOS_RESOURCES", 12) as usize;
    let kills = env_or("CHAOS_KILLS", 6) as u32;
    let seed = env_or("CHAOS_SEED", rand::random::<u32>() as u64);
    let deadline_secs = env_or("CHAOS_DEADLINE_SECS", 240);
    println!(
        "chaos: {resources} resources, {kills} operator kills, seed {seed} (CHAOS_SEED={seed} repeats it)"
    );

    let counts = LogCounts::default();
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter("info")
        .with_writer(counts.clone())
        .try_init();
    let env = Env::new("chaos", |c| c.seed = seed).await;
    let mut options = env.options();
    // Short timeouts, so that stalled calls time out quickly; the grace outlives a late commit.
    options.ovh_timeout = Duration::from_secs(1);
    options.checkout_timeout = Duration::from_secs(2);
    options.checkout_grace = Duration::from_secs(4);
    // Short too: a payment whose answer was lost is verified (and requested again if OVH shows
    // none) within the run.
    options.payment_settle = Duration::from_secs(8);
    env.sim.fault(json!(faults(2500, 2500))).await;

    let terminate_from = resources - (resources / 4).max(1);
    let mut uids: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..resources {
        let name = format!("c{i:03}");
        let mut spec = json!({
            "description": format!("Chaos {i}"),
            "payment": if i % 3 == 0 { "Automatic" } else { "Manual" },
        });
        if i % 2 == 0 {
            spec["ovhSubsidiary"] = json!("FR");
        }
        if i >= terminate_from {
            spec["deletionPolicy"] = json!("Terminate");
        }
        let obj = env.create(&name, spec).await;
        uids.insert(name, obj.uid().unwrap());
    }
    let terminated: BTreeSet<String> = uids.keys().skip(terminate_from).cloned().collect();

    let started = Instant::now();
    let chaos = tokio::spawn(monkey(
        env.client.clone(),
        options.clone(),
        env.sim.origin(),
        kills,
        seed,
    ));
    let http = reqwest::Client::new();
    let mut paid = BTreeSet::new();
    let mut handed_over = BTreeSet::new();
    let mut deleted = BTreeSet::new();
    let mut last: Vec<PublicCloudProject> = Vec::new();
    let mut last_progress = Instant::now();
    let what = "every resource settled and the chaos over";
    eventually(what, deadline_secs, async || {
        // The API server may be restarting: then try again.
        if let Ok(list) = env.api.list(&Default::default()).await {
            last = list.items;
        }
        for obj in &last {
            let name = obj.name_any();
            let status = obj.status.clone().unwrap_or_default();
            // A person pays a Manual order at once, an Automatic one only when the operator
            // hands it over (its reason asks a person); those are counted.
            let automatic = obj.spec.payment == Payment::Automatic;
            if status.phase == Some(Phase::AwaitingPayment)
                && (!automatic || asks_a_person(obj))
                && let Some(order) = &status.order
                && let Some(url) = &order.url
                && !paid.contains(&order.id)
                && pay(&http, url).await
            {
                paid.insert(order.id);
                if automatic {
                    handed_over.insert(name.clone());
                }
            }
            if terminated.contains(&name)
                && status.phase == Some(Phase::Ready)
                && !deleted.contains(&name)
                && env.api.delete(&name, &Default::default()).await.is_ok()
            {
                deleted.insert(name);
            }
        }
        // Terminate resources are deleted once Ready and must go; the others settle.
        let settled = last.len() == resources - deleted.len()
            && last.iter().all(|o| match phase_of(o) {
                Some(Phase::Ready) => !terminated.contains(&o.name_any()),
                Some(Phase::NeedsAttention) => true,
                _ => false,
            });
        if settled && chaos.is_finished() {
            return Ok(());
        }
        if last_progress.elapsed() > Duration::from_secs(30) {
            last_progress = Instant::now();
            let mut phases: BTreeMap<String, usize> = BTreeMap::new();
            for o in &last {
                *phases.entry(format!("{:?}", phase_of(o))).or_default() += 1;
            }
            println!(
                "chaos: {} s: {phases:?}, {} deleted, chaos over: {}",
                started.elapsed().as_secs(),
                deleted.len(),
                chaos.is_finished()
            );
        }
        let phases: Vec<_> = last
            .iter()
            .map(|o| {
                (
                    o.name_any(),
                    phase_of(o),
                    condition(o, "Ready").map(|c| c.message),
                )
            })
            .collect();
        Err((format!("chaos over: {}", chaos.is_finished()), phases))
    })
    .await;
    let (_operator, havoc) = chaos.await.unwrap();
    let elapsed = started.elapsed();
    let automatic = uids
        .keys()
        .filter(|n| n[1..].parse::<usize>().is_ok_and(|i| i % 3 == 0))
        .count();
    println!(
        "chaos: {} of {automatic} payment: Automatic resources were left to a person to pay: {handed_over:?}",
        handed_over.len()
    );

    // The ledger: orders → carts → the resource UID in the cart's description marker.
    let ledger = env.sim.ledger().await;
    let uid_of_cart: HashMap<&str, &str> = ledger
        .carts
        .iter()
        .filter_map(|c| {
            let uid = c.description.strip_prefix(MARKER_PREFIX)?;
            Some((c.cart_id.as_str(), uid))
        })
        .collect();
    let mut orders_of: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for order in &ledger.orders {
        let uid = uid_of_cart
            .get(order.cart_id.as_str())
            .unwrap_or_else(|| panic!("order {} comes from a cart without a marker", order.order_id));
        orders_of.entry(uid).or_default().push(order.order_id);
    }
    let known: BTreeSet<&str> = uids.values().map(String::as_str).collect();
    for (uid, orders) in &orders_of {
        assert!(
            known.contains(uid),
            "orders {orders:?} of an unknown resource {uid}"
        );
        assert_eq!(
            orders.len(),
            1,
            "resource {uid} ordered more than once: {orders:?}"
        );
    }
    for cart in &ledger.carts {
        assert!(cart.checkouts <= 1, "a cart checked out twice: {cart:#?}");
    }

    let (mut ready, mut attention) = (0, Vec::new());
    for obj in &last {
        let uid = obj.uid().unwrap();
        let status = obj.status.clone().unwrap_or_default();
        let ordered = orders_of.get(uid.as_str()).map(|o| o[0]);
        let ready_condition = condition(obj, "Ready").expect("a Ready condition");
        match status.phase {
            Some(Phase::Ready) => {
                ready += 1;
                assert_eq!(
                    status.order.as_ref().map(|o| o.id),
                    ordered,
                    "{}: the status names its one order",
                    obj.name_any()
                );
                let project = status.project_id.clone().unwrap();
                assert_eq!(
                    ledger.project(&project).map(|p| p.order_id),
                    ordered,
                    "{}: the project is the order's",
                    obj.name_any()
                );
            }
            _ => {
                // NeedsAttention: the reason and the message say what a person must check.
                assert!(
                    !ready_condition.reason.is_empty() && !ready_condition.message.is_empty(),
                    "{}: NeedsAttention without a reason: {ready_condition:?}",
                    obj.name_any()
                );
                attention.push((obj.name_any(), ready_condition.reason, ready_condition.message));
            }
        }
    }
    // None lost: every order is its resource's (in its status), or a NeedsAttention names the doubt.
    let attention_uids: BTreeSet<String> = last
        .iter()
        .filter(|o| phase_of(o) == Some(Phase::NeedsAttention))
        .map(|o| o.uid().unwrap())
        .collect();
    for name in &deleted {
        let uid = &uids[name];
        let order = orders_of
            .get(uid.as_str())
            .unwrap_or_else(|| panic!("{name} was Ready, so it was ordered"))[0];
        let project = ledger
            .orders
            .iter()
            .find(|o| o.order_id == order)
            .and_then(|o| o.project_id.clone())
            .unwrap();
        assert_eq!(
            ledger.project(&project).map(|p| p.status.as_str()),
            Some("deleted"),
            "{name}: deletionPolicy Terminate terminated its project"
        );
    }
    let unnamed: Vec<_> = orders_of
        .iter()
        .filter(|(uid, _)| {
            let in_status = last.iter().any(|o| {
                o.uid().as_deref() == Some(**uid)
                    && o.status.as_ref().and_then(|s| s.order.as_ref()).is_some()
            });
            let gone = deleted.iter().any(|n| uids[n] == **uid);
            !in_status && !gone && !attention_uids.contains(**uid)
        })
        .collect();
    assert!(unnamed.is_empty(), "orders no resource knows of: {unnamed:?}");

    let stats = env.sim.stats().await;
    let summary = json!({
        "resources": resources,
        "ready": ready,
        "needsAttention": attention.len(),
        "terminated": deleted.len(),
        "orders": ledger.orders.len(),
        "checkouts": ledger.checkouts(),
        "checkoutPosts": stats.calls_to("POST /order/cart/{cartId}/checkout"),
        "carts": ledger.carts.len(),
        "paidByTest": paid.len(),
        "operatorKills": havoc.kills,
        "apiserverRestarts": havoc.apiserver_restarts.len(),
        "apiserverOutageMs": havoc.apiserver_restarts.iter().map(|d| d.as_millis() as u64).collect::<Vec<_>>(),
        "ovhCalls": stats.total(),
        "operatorLog": &*counts.0.lock().unwrap(),
        "seconds": elapsed.as_secs_f64().round(),
        "seed": seed,
    });
    println!("chaos: {summary}");
    for (name, reason, message) in &attention {
        println!("chaos: {name} NeedsAttention ({reason}): {message}");
    }
    assert_eq!(
        havoc.apiserver_restarts.len(),
        2,
        "the kube-apiserver restarted twice"
    );
    assert_eq!(ready + attention.len() + deleted.len(), resources, "none lost");
}
