//! The OpenStack user family: create (the one answer with the password), list, read, openrc, a
//! new password, delete.

use super::*;

fn creation(description: &str) -> ProjectUserCreation {
    ProjectUserCreation {
        description: Some(description.into()),
        role: Some("administrator".into()),
        roles: vec![],
    }
}

#[tokio::test]
async fn a_user_is_created_read_given_a_new_password_and_deleted() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project) = delivered_project(&sim, &client).await;
    let created = client.create_user(&project, &creation("uid=5")).await.unwrap();
    assert!(!created.password.is_empty(), "the creation shows the password");
    let id = created.user.id;
    let listed = client.users(&project).await.unwrap();
    assert!(
        listed.iter().any(|u| u.id == id && u.description == "uid=5"),
        "{listed:?}"
    );

    let user = eventually(
        || client.user(&project, id),
        |u| u.as_ref().is_ok_and(|u| u.status == "ok"),
    )
    .await
    .unwrap();
    let openrc = client.openrc(&project, id, "GRA11").await.unwrap();
    assert!(openrc.content.contains(&user.username), "{}", openrc.content);
    assert!(
        openrc.content.contains("OS_REGION_NAME=\"GRA11\""),
        "{}",
        openrc.content
    );
    assert!(
        !openrc.content.contains(&created.password),
        "the openrc holds no password"
    );

    let again = client.regenerate_password(&project, id).await.unwrap();
    assert_ne!(again.password, created.password);

    client.delete_user(&project, id).await.unwrap();
    let e = client.user(&project, id).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "does not exist");
}

#[tokio::test]
async fn a_refused_user_carries_ovh_s_message() {
    let sim = Sim::start_with(|cfg| cfg.user_creation_ms = 60_000).await;
    let client = sim.client();
    let (_, project) = delivered_project(&sim, &client).await;
    let mut bad = creation("uid=6");
    bad.role = Some("root".into());
    let e = client.create_user(&project, &bad).await.unwrap_err();
    assert_eq!(
        (e.status(), e.disposition()),
        (Some(400), Disposition::Refused),
        "{e}"
    );
    assert!(e.query_id().is_some(), "{e}");
    let created = client.create_user(&project, &creation("uid=6")).await.unwrap();
    let e = client
        .openrc(&project, created.user.id, "GRA11")
        .await
        .unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "not ready yet");
}
