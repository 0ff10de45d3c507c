//! Spend and standing: the totals of `usage/current` and `usage/forecast` (an answer that lists
//! every resource is bounded), and `serviceInfos`.

use super::*;

/// The project's day two as the simulator's ledger shows it.
async fn day_two(sim: &Sim, project_id: &str) -> simulator::ledger::LedgerDayTwo {
    let ledger = sim.running.sim.world.lock().await.ledger();
    ledger
        .day_two(project_id)
        .cloned()
        .expect("the project's day two")
}

#[tokio::test]
async fn spend_and_standing_are_read_as_ovh_sets_them() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    sim.running
        .sim
        .world
        .lock()
        .await
        .set_spend(&project_id, Some(1_234_000_000), Some(4_000_000_000), None)
        .unwrap();
    let current = client.usage_current(&project_id).await.unwrap();
    let price = current.total_price.unwrap();
    assert_eq!(
        (price.decimal().as_str(), price.currency_code.as_str()),
        ("12.34", "EUR")
    );
    let period = current.period.unwrap();
    assert!(period.from < period.to, "{period:?}");
    assert!(current.last_update.is_some());
    let forecast = client.usage_forecast(&project_id).await.unwrap();
    assert_eq!(forecast.total_price.unwrap().decimal(), "40.00");

    let infos = client.service_infos(&project_id).await.unwrap();
    assert_eq!(infos.status, "ok");
    sim.running
        .sim
        .world
        .lock()
        .await
        .set_service(&project_id, Some("pendingDebt".into()), Some("2027-02-01".into()))
        .unwrap();
    let infos = client.service_infos(&project_id).await.unwrap();
    assert_eq!(
        (infos.status.as_str(), infos.expiration.as_deref()),
        ("pendingDebt", Some("2027-02-01"))
    );
    let day = day_two(&sim, &project_id).await;
    assert_eq!(
        (
            day.reads_of("usage/current"),
            day.reads_of("usage/forecast"),
            day.reads_of("serviceInfos")
        ),
        (1, 1, 2)
    );
}

/// A usage answer listing many resources keeps only its totals; one past the client's bound
/// fails with an error saying so instead of growing the operator's memory.
#[tokio::test]
async fn a_long_usage_answer_keeps_its_totals_and_a_too_long_one_fails() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    let totals = r#""totalPrice":{"currencyCode":"EUR","priceInUcents":700000000,"text":"7.00 €","value":7.0},"period":{"from":"a","to":"b"},"lastUpdate":"c""#;
    sim.fault(serde_json::json!({
        "method": "GET",
        "route": "/cloud/project/{serviceName}/usage/current",
        "body": format!(r#"{{"resourcesUsage":[{{"type":"instance","resources":"{{pad:1000000}}"}}],{totals}}}"#),
        "count": 1,
    }))
    .await;
    let usage = client.usage_current(&project_id).await.unwrap();
    assert_eq!(usage.total_price.unwrap().decimal(), "7.00");
    sim.fault(serde_json::json!({
        "method": "GET",
        "route": "/cloud/project/{serviceName}/usage/forecast",
        "body": format!(r#"{{{totals},"resourcesUsage":[{{"type":"instance","resources":"{{pad:5000000}}"}}]}}"#),
        "count": 1,
    }))
    .await;
    let e = client.usage_forecast(&project_id).await.unwrap_err();
    assert!(
        matches!(&e, OvhError::Decode { reason, .. } if reason.contains("longer than 4 MiB")),
        "{e}"
    );
}
