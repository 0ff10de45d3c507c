//! The termination family: ask, find the e-mailed token, confirm.

use super::*;
use crate::ovh::calls::termination_token;

#[tokio::test]
async fn a_project_is_terminated_with_the_e_mailed_token() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (_, project) = delivered_project(&sim, &client).await;
    let before = client
        .email_history()
        .await
        .unwrap()
        .into_iter()
        .max()
        .unwrap_or(0);
    client.terminate_project(&project).await.unwrap();
    let emails = client.emails_after(before).await.unwrap();
    let mut token = None;
    for id in emails {
        let email = client.email(id).await.unwrap();
        token = token.or(termination_token(&email.body, &project));
    }
    let token = token.expect("the termination e-mail carries a token");

    let e = client.confirm_termination(&project, "WRONG").await.unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "Invalid termination token");
    client.confirm_termination(&project, &token).await.unwrap();
    assert_eq!(client.project(&project).await.unwrap().status, "deleted");

    let e = client.terminate_project(&project).await.unwrap_err();
    assert_ovh_said(&e, 460, Disposition::Expired, "expired");
}

#[tokio::test]
async fn an_unknown_project_cannot_be_terminated() {
    let sim = Sim::start().await;
    let e = sim
        .client()
        .terminate_project("0123456789ab4def0123456789abcdef")
        .await
        .unwrap_err();
    assert_eq!(e.disposition(), Disposition::NotFound, "{e}");
    assert!(e.query_id().is_some(), "{e}");
}
