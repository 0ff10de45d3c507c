//! One team cannot stall the others: a credentials Secret whose endpoint never
//! answers takes a share of the reconcile slots, not all of them, and each of its passes ends
//! within the pass's time budget with a condition that names the endpoint's slowness; an endpoint
//! that redirects is not followed.
//!
//! The deadlines are generous: they tell a stalled operator (every slot held for minutes) from one
//! that is not, and assert no speed beyond that.

mod common;

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use common::{
    eventually,
    operator::{Env, condition},
    sim::{AK_AS_CK, OAUTH2_CLIENT},
};
use kube::api::{Patch, PatchParams};
use ovh_publiccloud_operator::{api::Phase, simulator::Region};
use serde_json::json;

/// Resources of the silent team: more than the operator's 16 reconcile slots.
const SILENT_RESOURCES: usize = 24;

/// A TCP listener on loopback that accepts every connection and never answers (nor closes it):
/// the endpoint of a Secret that points where nothing answers.
async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://127.0.0.1:{port}/1.0")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_endpoint_does_not_stall_another_team() {
    let env = Env::new("fair-silent", |_| {}).await;
    let silent = silent_endpoint().await;
    let mut keys = AK_AS_CK.to_vec();
    keys.push(("endpoint", &silent));
    env.put_raw_secret("silent", &keys).await;
    for i in 0..SILENT_RESOURCES {
        // Half list the account's projects first (a read), half create a cart first (a POST).
        let mut spec =
            json!({"description": format!("Silent {i}"), "credentialsSecretRef": {"name": "silent"}});
        if i % 2 == 0 {
            spec["ovhSubsidiary"] = json!("FR");
            spec["onExisting"] = json!("Order");
        }
        env.create(&format!("silent-{i}"), spec).await;
    }
    // The operator's own timeout of one OVH call (30 s, retried 4 times for a GET): what a real
    // endpoint that never answers costs per call.
    let mut options = env.options();
    options.ovh_timeout = Duration::from_secs(30);
    options.checkout_timeout = Duration::from_secs(30);
    options.checkout_grace = Duration::from_secs(40);
    options.pass_budget = Duration::from_secs(35);
    let _operator = env.start_operator_with(options, Default::default());
    // The silent team's passes are under way (and stuck) before the other team applies.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let started = Instant::now();
    env.create(
        "other-team",
        json!({"description": "Other team", "ovhSubsidiary": "FR"}),
    )
    .await;
    env.wait_for("other-team", 60, |o| {
        o.status
            .as_ref()
            .and_then(|s| s.order.as_ref())
            .is_some_and(|order| order.url.is_some())
    })
    .await;
    println!(
        "fairness: the other team reached its order URL {:.1} s after its apply, beside {SILENT_RESOURCES} resources of a silent endpoint",
        started.elapsed().as_secs_f64()
    );
    // The silent team's passes end at the budget, with a condition that names the endpoint, both
    // where a read was cut and where a call was not begun.
    let seen = eventually("OvhTooSlow conditions of both kinds", 120, async || {
        let seen: Vec<String> = env
            .api
            .list(&Default::default())
            .await
            .unwrap()
            .items
            .iter()
            .filter_map(|o| condition(o, "Ready"))
            .filter(|c| c.status == "False" && c.reason == "OvhTooSlow")
            .map(|c| c.message)
            .collect();
        let both =
            seen.iter().any(|m| m.contains("while reading")) && seen.iter().any(|m| m.contains("before"));
        if both { Ok(seen) } else { Err(seen) }
    })
    .await;
    for message in &seen {
        assert!(
            message.contains(&silent) && message.contains("35 s (--pass-budget)"),
            "{message}"
        );
    }
    println!("fairness: {} silent resources say: {}", seen.len(), seen[0]);
}

/// A server that answers `/auth/time` and sends every other request to `target` with a 302.
async fn redirecting_endpoint(target: String) -> String {
    let app = axum::Router::new()
        .route(
            "/1.0/auth/time",
            axum::routing::get(|| async { jiff::Timestamp::now().as_second().to_string() }),
        )
        .fallback(move |uri: axum::http::Uri| {
            let to = format!("{target}{uri}");
            async move {
                (
                    axum::http::StatusCode::FOUND,
                    [(axum::http::header::LOCATION, to)],
                )
            }
        });
    serve(app).await
}

/// Serves `app` on a free loopback port; its origin.
async fn serve(app: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_redirect_is_not_followed_and_shows_as_a_condition() {
    let env = Env::new("fair-redirect", |_| {}).await;
    // Where the redirects point: it counts what reaches it, signed or not.
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = reached.clone();
    let target = serve(axum::Router::new().fallback(move || {
        counter.fetch_add(1, Ordering::SeqCst);
        async { "{}" }
    }))
    .await;
    let endpoint = format!("{}/1.0", redirecting_endpoint(target).await);
    let mut signed = AK_AS_CK.to_vec();
    signed.push(("endpoint", &endpoint));
    env.put_raw_secret("redirecting", &signed).await;
    let mut oauth2 = OAUTH2_CLIENT.to_vec();
    oauth2.push(("endpoint", &endpoint));
    env.put_raw_secret("redirecting-oauth2", &oauth2).await;
    let cases = [
        // GET /me, signed.
        (
            "lookup",
            json!({"description": "Lookup", "credentialsSecretRef": {"name": "redirecting"}}),
        ),
        // POST /order/cart, signed.
        (
            "cart",
            json!({"description": "Cart", "ovhSubsidiary": "FR", "onExisting": "Order", "credentialsSecretRef": {"name": "redirecting"}}),
        ),
        // The OAuth2 token request, with the client secret in its body.
        (
            "oauth2",
            json!({"description": "OAuth2", "credentialsSecretRef": {"name": "redirecting-oauth2"}}),
        ),
    ];
    for (name, spec) in &cases {
        env.create(name, spec.clone()).await;
    }
    let _operator = env.start_operator();
    for (name, _) in &cases {
        let obj = env
            .wait_for(name, 60, |o| {
                condition(o, "CredentialsValid").is_some_and(|c| c.status == "False")
            })
            .await;
        let said = condition(&obj, "CredentialsValid").unwrap();
        assert_eq!(said.reason, "OvhRedirected", "{name}: {said:?}");
        assert!(
            said.message.contains("HTTP 302") && said.message.contains("never follows"),
            "{name}: {}",
            said.message
        );
        let (kind, _, _) = env.wait_for_event(name, "OvhRedirected").await;
        assert_eq!(kind, "Warning");
        println!("redirect, {name}: {}", said.message);
    }
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "a request followed a redirect to the target"
    );
}

/// The account's project listing is shared by concurrent callers (one listing, one read per
/// project), holds no lock a caller that gives up would keep, and keeps what a listing cut short
/// had read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_project_listing_is_shared_and_keeps_what_a_cut_listing_read() {
    let sim = common::sim::Sim::start(|_| {}).await;
    let client = sim.client();
    for _ in 0..3 {
        common::sim::delivered_project(&sim, Region::Eu, &client).await;
    }
    sim.fault(json!({"route": "/cloud/project/{serviceName}", "latencyMs": 400, "errorRate": 0}))
        .await;
    let (lists, reads) = ("GET /cloud/project", "GET /cloud/project/{serviceName}");
    let reads_before = sim.calls(reads).await;

    // A caller that gives up mid-listing: what was read stays, nothing stays locked.
    let cut = sim.client();
    let gave_up = tokio::time::timeout(
        Duration::from_millis(700),
        cut.project_descriptions(Duration::from_secs(60)),
    )
    .await;
    assert!(gave_up.is_err(), "the listing takes longer than 700 ms");
    let listed = cut.project_descriptions(Duration::from_secs(60)).await.unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let read = sim.calls(reads).await - reads_before;
    assert!(
        read <= 4,
        "the second listing went on from the first ({read} project reads for 3)"
    );

    // Eight callers at once on a fresh client: one listing, one read per project.
    let shared = sim.client();
    let (lists_before, reads_before) = (sim.calls(lists).await, sim.calls(reads).await);
    let answers =
        futures::future::join_all((0..8).map(|_| shared.project_descriptions(Duration::from_secs(60)))).await;
    for answer in answers {
        assert_eq!(answer.unwrap().len(), 3);
    }
    assert_eq!(
        sim.calls(lists).await - lists_before,
        1,
        "one listing for eight callers"
    );
    assert_eq!(sim.calls(reads).await - reads_before, 3, "one read per project");
}

/// The value of the projects-by-phase gauge for `phase` on the operator's /metrics.
async fn projects_in_phase(metrics: &str, phase: &str) -> f64 {
    let text = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let series = format!("ovh_operator_projects{{phase=\"{phase}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&series))
        .map_or(0.0, |v| v.parse().unwrap())
}

/// A resource whose finalizer a person removes by hand vanishes without the operator's deletion
/// path: the operator forgets it all the same (the projects-by-phase gauge stops counting it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_gone_by_hand_leaves_the_phase_gauge() {
    let env = Env::new("fair-gone", |_| {}).await;
    let port = common::free_port();
    let metrics = format!("127.0.0.1:{port}");
    let mut options = env.options();
    options.metrics_addr = metrics.clone();
    let _operator = env.start_operator_with(options, Default::default());
    env.create(
        "by-hand",
        json!({"description": "By hand", "ovhSubsidiary": "FR"}),
    )
    .await;
    env.wait_for_phase("by-hand", Phase::AwaitingPayment, 60).await;
    // The gauge moves just after the write the watch showed (a race lost on a loaded machine).
    eventually("the gauge counting the resource", 10, async || {
        let counted = projects_in_phase(&metrics, "AwaitingPayment").await;
        if counted == 1.0 { Ok(()) } else { Err(counted) }
    })
    .await;
    env.api
        .patch(
            "by-hand",
            &PatchParams::default(),
            &Patch::Merge(json!({"metadata": {"finalizers": null}})),
        )
        .await
        .unwrap();
    env.delete("by-hand").await;
    env.wait_gone("by-hand", 30).await;
    eventually(
        "the gauge no longer counting the resource gone by hand",
        10,
        async || {
            let counted = projects_in_phase(&metrics, "AwaitingPayment").await;
            if counted == 0.0 { Ok(()) } else { Err(counted) }
        },
    )
    .await;
}
