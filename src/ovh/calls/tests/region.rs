//! Regions: the active ones, those that can be activated, activating one, and a POST that
//! answers 500 but takes effect later.

use super::*;

#[tokio::test]
async fn a_region_is_activated_from_those_available() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    assert_eq!(client.regions(&project_id).await.unwrap(), ["GRA11"]);
    let available = client.available_regions(&project_id).await.unwrap();
    let names: Vec<&str> = available.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["SBG5", "BHS5", "DE1", "UK1", "WAW1"]);
    let bhs = available.iter().find(|r| r.name == "BHS5").unwrap();
    assert_eq!(
        (bhs.region_type.as_deref(), bhs.continent_code.as_deref()),
        (Some("region"), Some("NA"))
    );
    client.add_region(&project_id, "SBG5").await.unwrap();
    assert_eq!(client.regions(&project_id).await.unwrap(), ["GRA11", "SBG5"]);
    let e = client.add_region(&project_id, "XX1").await.unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "XX1");
    let e = client.add_region(&project_id, "SBG5").await.unwrap_err();
    assert_ovh_said(&e, 409, Disposition::Indeterminate, "already activated");
}

#[tokio::test]
async fn a_region_post_that_fails_is_not_retried_and_may_appear_later() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    sim.fault(serde_json::json!({
        "method": "POST",
        "route": "/cloud/project/{serviceName}/region",
        "effectAfterReads": 1,
        "count": 1,
    }))
    .await;
    let e = client.add_region(&project_id, "DE1").await.unwrap_err();
    assert_ovh_said(&e, 500, Disposition::Transient, "Internal server error");
    assert_eq!(sim.calls("POST /cloud/project/{serviceName}/region").await, 1);
    assert_eq!(client.regions(&project_id).await.unwrap(), ["GRA11"], "not yet");
    assert_eq!(client.regions(&project_id).await.unwrap(), ["DE1", "GRA11"]);
    let ledger = sim.running.sim.world.lock().await.ledger();
    assert_eq!(ledger.day_two(&project_id).unwrap().region_posts_of("DE1"), 1);
}
