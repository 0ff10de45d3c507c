//! `GET /me`, and what a wrong key gets.

use super::*;

#[tokio::test]
async fn me_names_the_account_s_subsidiary() {
    let sim = Sim::start().await;
    assert_eq!(sim.client().me().await.unwrap().ovh_subsidiary, "FR");
    assert_eq!(sim.calls("GET /me").await, 1);
}

#[tokio::test]
async fn a_wrong_secret_or_an_unknown_key_is_a_credentials_problem() {
    let sim = Sim::start().await;
    let wrong_secret = [AK_AS_CK[0], ("application_secret", "WRONG"), AK_AS_CK[2]];
    let e = sim.client_with(&wrong_secret).me().await.unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Credentials, "Invalid signature");

    let unknown_key = [AK_AS_CK[0], AK_AS_CK[1], ("consumer_key", "no-such-key")];
    let e = sim.client_with(&unknown_key).me().await.unwrap_err();
    assert_ovh_said(&e, 403, Disposition::Credentials, "credential");
    assert_eq!(e.category(), "OvhForbidden");
}
