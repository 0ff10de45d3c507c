//! The operator fails fast, with a clear message, on a cluster without the CRD. (Its own test
//! binary, so its control plane never gets the CRD installed.)

mod common;

use ovh_publiccloud_operator::controller::{self, CrashHook, Error, Options};

#[tokio::test]
async fn the_operator_refuses_to_start_without_the_crd() {
    let client = common::client().await;
    let mut options = Options::defaults();
    options.metrics_addr = String::new();
    let started = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        controller::start(client, options, CrashHook::default()),
    )
    .await
    .expect("fails fast instead of waiting");
    let error = started.expect_err("no CRD, no operator");
    assert!(matches!(error, Error::CrdMissing(_)), "{error:?}");
    assert_eq!(error.category(), "CrdMissing");
    assert!(
        error
            .to_string()
            .contains("CRD is not installed (kubectl apply -f crds/)"),
        "{error}"
    );
}
