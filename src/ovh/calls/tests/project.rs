//! The cloud project family: the account's projects, one project, renaming it.

use super::*;

#[tokio::test]
async fn a_delivered_project_is_not_found_for_a_while_then_ok() {
    let sim = Sim::start_with(|cfg| cfg.project_404_ms = 500).await;
    let client = sim.client();
    let id = placed_order(&client, Region::Eu).await.order_id;
    sim.pay_as_person(id).await;
    until_delivered(&client, id).await;
    let project_id = project_id_of(&client, id).await.unwrap();
    let e = client.project(&project_id).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "does not exist");
    let project = eventually(|| client.project(&project_id), Result::is_ok)
        .await
        .unwrap();
    assert_eq!(
        (project.project_id.as_str(), project.status.as_str()),
        (project_id.as_str(), "ok")
    );
    assert_eq!(project.description.as_deref(), Some("Team A"));
    assert_eq!(client.project_ids().await.unwrap(), [project_id]);
}

#[tokio::test]
async fn a_project_is_renamed() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    client.rename_project(&project_id, "Team B").await.unwrap();
    let project = client.project(&project_id).await.unwrap();
    assert_eq!(project.description.as_deref(), Some("Team B"));
    let e = client
        .rename_project("0123456789ab4def0123456789abcdef", "x")
        .await
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::NotFound, "{e}");
}

#[tokio::test]
async fn a_project_read_is_not_read_again_by_the_listing() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    client.project(&project_id).await.unwrap(); // a resync
    let reads = || {
        client
            .stats()
            .snapshot()
            .iter()
            .filter(|((method, route, _), _)| method == "GET" && *route == "/cloud/project/{serviceName}")
            .map(|(_, n)| n)
            .sum::<u64>()
    };
    let before = reads();
    let listed = client
        .project_descriptions(std::time::Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(listed, [(project_id, Some("Team A".to_string()))]);
    assert_eq!(reads(), before, "its description was kept from the read");
}

#[tokio::test]
async fn a_project_the_caller_skips_is_not_read_by_the_listing() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, held) = delivered_project(&sim, &client).await;
    let (_, free) = delivered_project(&sim, &client).await;
    // A client that has read neither (an operator just started).
    let fresh = sim.client();
    let skip = |id: &str| id == held;
    let named = fresh
        .projects_described(std::time::Duration::from_secs(5), "Team A", &skip)
        .await
        .unwrap();
    assert_eq!(named, [free], "the skipped one is not answered");
    let none = fresh
        .projects_described(std::time::Duration::from_secs(5), "Team B", &skip)
        .await
        .unwrap();
    assert!(none.is_empty(), "{none:?}");
    let reads: Vec<String> = fresh
        .stats()
        .snapshot()
        .into_iter()
        .filter(|((method, route, _), _)| method == "GET" && *route == "/cloud/project/{serviceName}")
        .map(|((_, route, _), n)| format!("{route} x{n}"))
        .collect();
    assert_eq!(
        reads,
        ["/cloud/project/{serviceName} x1"],
        "only the project not skipped is read"
    );
}

#[tokio::test]
async fn an_expired_project_answers_460() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    sim.running
        .sim
        .world
        .lock()
        .await
        .expire_project(&project_id)
        .unwrap();
    let e = client.project(&project_id).await.unwrap_err();
    assert_ovh_said(&e, 460, Disposition::Expired, "expired");
    assert_eq!(e.category(), "OvhServiceExpired");
}
