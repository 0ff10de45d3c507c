//! Budget alerts: made by every POST (never retried, a lost answer included), changed by a PUT
//! without `email`, deleted, and the alerts OVH has sent.

use super::*;

fn budget(threshold: i64) -> AlertingCreation {
    AlertingCreation {
        name: "Team A budget (ovh-publiccloud-operator:uid-1)".into(),
        monthly_threshold: threshold,
        delay: 3600,
        emails: vec!["team-a@example.com".into()],
        service: None,
    }
}

#[tokio::test]
async fn an_alerting_is_made_changed_read_and_deleted() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    let made = client.create_alerting(&project_id, &budget(100)).await.unwrap();
    assert_eq!((made.monthly_threshold, made.delay), (100, 3600));
    assert_eq!(made.emails, ["team-a@example.com"]);
    assert_eq!(
        (made.service.as_deref(), made.status.as_deref()),
        (Some("all"), Some("ok"))
    );
    assert_eq!(
        client.alerting_ids(&project_id).await.unwrap(),
        vec![made.id.clone()]
    );

    // A PUT never carries `email` (the simulator refuses one that does).
    let update = AlertingUpdate {
        name: budget(0).name,
        monthly_threshold: 250,
        delay: 86400,
        emails: vec!["team-a@example.com".into(), "finance@example.com".into()],
        service: Some("instances".into()),
    };
    client
        .update_alerting(&project_id, &made.id, &update)
        .await
        .unwrap();
    let read = client.alerting(&project_id, &made.id).await.unwrap();
    assert_eq!(
        (read.monthly_threshold, read.delay, read.emails.len()),
        (250, 86400, 2)
    );
    assert_eq!(read.service.as_deref(), Some("instances"));
    assert_eq!(read.name, Some(budget(0).name));

    let e = client
        .create_alerting(
            &project_id,
            &AlertingCreation {
                delay: 60,
                ..budget(1)
            },
        )
        .await
        .unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "delay");

    client.delete_alerting(&project_id, &made.id).await.unwrap();
    assert!(client.alerting_ids(&project_id).await.unwrap().is_empty());
    let e = client.alerting(&project_id, &made.id).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "does not exist");
}

#[tokio::test]
async fn the_alerts_ovh_sent_are_listed_and_read() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    let made = client.create_alerting(&project_id, &budget(10)).await.unwrap();
    assert!(
        client
            .alerting_alerts(&project_id, &made.id)
            .await
            .unwrap()
            .is_empty()
    );
    let sent = sim
        .running
        .sim
        .world
        .lock()
        .await
        .send_alert(&project_id, &made.id)
        .unwrap();
    assert_eq!(
        client.alerting_alerts(&project_id, &made.id).await.unwrap(),
        [sent]
    );
    let alert = client.alerting_alert(&project_id, &made.id, sent).await.unwrap();
    assert_eq!(
        (alert.alert_id, alert.emails.as_slice()),
        (sent, &["team-a@example.com".to_string()][..])
    );
    assert!(alert.alert_date.is_some());
    let e = client
        .alerting_alert(&project_id, &made.id, sent + 1)
        .await
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::NotFound, "{e}");
}

/// The POST's answer is lost after OVH made the alerting: the client fails and does not send it
/// again (a second POST would be a second alerting, a second e-mail per breach).
#[tokio::test]
async fn a_lost_alerting_answer_is_not_posted_again() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, &client).await;
    sim.fault(serde_json::json!({
        "method": "POST",
        "route": "/cloud/project/{serviceName}/alerting",
        "dropResponse": true,
        "count": 1,
    }))
    .await;
    let e = client
        .create_alerting(&project_id, &budget(100))
        .await
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::Transient, "{e}");
    assert_eq!(sim.calls("POST /cloud/project/{serviceName}/alerting").await, 1);
    let ids = client.alerting_ids(&project_id).await.unwrap();
    assert_eq!(ids.len(), 1, "OVH made it");
    let found = client.alerting(&project_id, &ids[0]).await.unwrap();
    assert!(found.name.unwrap().contains("ovh-publiccloud-operator:uid-1"));
}
