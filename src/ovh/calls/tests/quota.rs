//! Quotas per region, and turning automatic quota upgrades off with `manualQuota`.

use super::*;

#[tokio::test]
async fn quotas_are_read_per_region_and_manual_quota_is_set() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    client.add_region(&project_id, "UK1").await.unwrap();
    let quotas = client.quotas(&project_id).await.unwrap();
    let regions: Vec<&str> = quotas.iter().map(|q| q.region.as_str()).collect();
    assert_eq!(regions, ["GRA11", "UK1"]);
    assert_eq!((quotas[0].max_cores, quotas[0].used_ram), (Some(20), Some(0)));

    assert_eq!(
        client.project(&project_id).await.unwrap().manual_quota,
        Some(false)
    );
    client.set_manual_quota(&project_id, true).await.unwrap();
    let project = client.project(&project_id).await.unwrap();
    assert_eq!(project.manual_quota, Some(true));
    assert_eq!(
        project.description.as_deref(),
        Some("Team A"),
        "only manualQuota changed"
    );
    let ledger = sim.running.sim.world.lock().await.ledger();
    assert_eq!(ledger.day_two(&project_id).unwrap().manual_quota_puts, 1);
    client.set_manual_quota(&project_id, false).await.unwrap();
    assert_eq!(
        client.project(&project_id).await.unwrap().manual_quota,
        Some(false)
    );
}
