//! A consumer key made before the day-two routes (the operator's access rules without them) is
//! refused them with 403 NOT_GRANTED_CALL; one made with today's rules is granted every call.

use super::*;
use crate::ovh::access::{ACCESS_RULES, credential_request};

/// The rules the day-two calls added (their reads, the alerting's PUT and `manualQuota`'s PUT
/// were already granted by `GET /cloud/project/*` and `PUT /cloud/project/*`).
const DAY_TWO_RULES: &[(&str, &str)] = &[
    ("POST", "/cloud/project/*/alerting"),
    ("DELETE", "/cloud/project/*/alerting/*"),
    ("POST", "/cloud/project/*/region"),
];

/// A validated consumer key with the operator's rules but `without`, and a client using it.
fn client_with_rules(sim: &Sim, without: &[(&str, &str)]) -> OvhClient {
    let mut params = credential_request(None, vec![]);
    params
        .access_rules
        .retain(|r| !without.contains(&(r.method.as_str(), r.path.as_str())));
    let mut keys = sim.running.sim.consumer_keys.lock().unwrap();
    let issued = keys.issue(params, &sim.origin()).unwrap();
    keys.validate(&issued.consumer_key).unwrap();
    sim.client_with(&[
        ("application_key", "sim-ak"),
        ("application_secret", "sim-as"),
        ("consumer_key", &issued.consumer_key),
    ])
}

#[tokio::test]
async fn a_key_made_before_the_day_two_rules_is_refused_their_writes() {
    for rule in DAY_TWO_RULES {
        assert!(ACCESS_RULES.contains(rule), "{rule:?} is an access rule");
    }
    let sim = Sim::start().await;
    let full = sim.client();
    let (_, project_id) = delivered_project(&sim, &full).await;
    let budget = AlertingCreation {
        name: "b".into(),
        monthly_threshold: 10,
        delay: 3600,
        emails: vec!["a@example.com".into()],
        service: None,
    };
    let made = full.create_alerting(&project_id, &budget).await.unwrap();

    let old = client_with_rules(&sim, DAY_TWO_RULES);
    old.usage_current(&project_id).await.unwrap();
    old.alerting(&project_id, &made.id).await.unwrap();
    old.set_manual_quota(&project_id, true).await.unwrap();
    let refusals = [
        old.create_alerting(&project_id, &budget).await.unwrap_err(),
        old.delete_alerting(&project_id, &made.id).await.unwrap_err(),
        old.add_region(&project_id, "SBG5").await.unwrap_err(),
    ];
    for e in &refusals {
        assert_ovh_said(e, 403, Disposition::Credentials, "has not been granted");
        let code = match e {
            OvhError::Api(api) => api.error_code.as_deref(),
            _ => None,
        };
        assert_eq!(code, Some("NOT_GRANTED_CALL"), "{e}");
    }

    let new = client_with_rules(&sim, &[]);
    new.create_alerting(&project_id, &budget).await.unwrap();
    new.delete_alerting(&project_id, &made.id).await.unwrap();
    new.add_region(&project_id, "SBG5").await.unwrap();
}
