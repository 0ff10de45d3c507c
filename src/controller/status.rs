//! Conditions, the status write, and events. Every reason is a [`Reason`], whose health says how
//! GitOps tools read it.

use k8s_openapi::{
    apimachinery::pkg::apis::meta::v1::{Condition, Time},
    jiff::Timestamp,
};
use kube::{
    Api, Resource, ResourceExt,
    api::{Patch, PatchParams},
};
use serde_json::json;

use super::{
    events::Events,
    reason::{Health, Reason},
    stage::Severity,
};
use crate::api::{FIELD_MANAGER, Phase, PublicCloudProject, PublicCloudProjectStatus};

/// True once the project is there and ok; its reason is the phase's (see the reasons).
pub const READY: &str = "Ready";
/// True once an order id is recorded (reason OrderPlaced); False before, with the reason of the
/// step the order waits on.
pub const ORDER_PLACED: &str = "OrderPlaced";
/// True once OVH accepted the credentials in a pass (reason Authenticated); False with the
/// credentials' problem (SecretNotFound, SecretInvalid, OvhForbidden, …).
pub const CREDENTIALS_VALID: &str = "CredentialsValid";
/// kstatus (Flux, `kubectl wait`): True while the operator or a person still has to act.
pub const RECONCILING: &str = "Reconciling";
/// kstatus: True when it will not get better by waiting (a failure, a refusal, a person to check).
pub const STALLED: &str = "Stalled";
/// With spec.budget: True when OVH's forecast for the month passes the budget's threshold.
pub const FORECAST_OVER_BUDGET: &str = "ForecastOverBudget";

/// Every condition type the operator writes, with what it means (the reference's conditions
/// page is generated from this list).
pub const CONDITIONS: &[(&str, &str)] = &[
    (
        READY,
        "True once the project is there and ok; its reason is the phase's reason (see Reasons), its message says what the resource waits for",
    ),
    (
        ORDER_PLACED,
        "True once an order id is recorded (reason OrderPlaced); False before, with the reason of the step the order waits on",
    ),
    (
        CREDENTIALS_VALID,
        "True once OVH accepted the credentials in a pass (reason Authenticated); False with the credentials' problem (SecretNotFound, SecretInvalid, OvhForbidden, OvhRedirected, …)",
    ),
    (
        RECONCILING,
        "kstatus (Flux, kubectl wait): True while the operator or a person still has to act (a Progressing or Suspended reason)",
    ),
    (
        STALLED,
        "kstatus: True when waiting will not help (a Degraded reason: a failure, a refusal, something a person must check)",
    ),
    (
        FORECAST_OVER_BUDGET,
        "With spec.budget: True when OVH's forecast of the month's spend passes spec.budget.monthlyThreshold (reason ForecastOverBudget), False when within it (ForecastWithinBudget); read on the spend schedule (--spend-interval). Alertmanager can page on it before OVH's e-mail, which comes only once the spend itself passes the threshold",
    ),
];

/// Sets Ready and, following kstatus, Reconciling (Progressing or Suspended reasons: the project
/// is not there yet) and Stalled (Degraded reasons), from the reason's health.
pub fn set_ready(
    status: &mut PublicCloudProjectStatus,
    ready: bool,
    reason: Reason,
    message: &str,
    generation: Option<i64>,
) {
    set_condition(status, READY, ready, reason, message, generation);
    let health = reason.health();
    let reconciling = !ready && matches!(health, Health::Progressing | Health::Suspended);
    let stalled = !ready && health == Health::Degraded;
    set_condition(status, RECONCILING, reconciling, reason, message, generation);
    set_condition(status, STALLED, stalled, reason, message, generation);
}

/// Sets a condition, keeping its transition time when its status does not change.
pub fn set_condition(
    status: &mut PublicCloudProjectStatus,
    kind: &str,
    value: bool,
    reason: Reason,
    message: &str,
    generation: Option<i64>,
) {
    let value = if value { "True" } else { "False" };
    let existing = status.conditions.iter().position(|c| c.type_ == kind);
    let last_transition_time = match existing.map(|i| &status.conditions[i]) {
        Some(c) if c.status == value => c.last_transition_time.clone(),
        // Whole seconds, as the API server stores it: the status remembered as written then
        // equals the status read back (a difference means the watch cache lags our writes).
        _ => Time(Timestamp::from_second(Timestamp::now().as_second()).expect("now is a valid time")),
    };
    let condition = Condition {
        type_: kind.into(),
        status: value.into(),
        reason: reason.as_str().into(),
        // Condition messages are limited to 32768 bytes by the API server.
        message: message.chars().take(4000).collect(),
        observed_generation: generation,
        last_transition_time,
    };
    match existing {
        Some(i) => status.conditions[i] = condition,
        None => status.conditions.push(condition),
    }
}

pub fn condition<'a>(status: &'a PublicCloudProjectStatus, kind: &str) -> Option<&'a Condition> {
    status.conditions.iter().find(|c| c.type_ == kind)
}

/// Moves to `phase` and sets Ready (and OrderPlaced once an order exists) accordingly.
pub fn enter_phase(
    status: &mut PublicCloudProjectStatus,
    phase: Phase,
    reason: Reason,
    message: &str,
    generation: Option<i64>,
) {
    status.phase = Some(phase);
    status.observed_generation = generation;
    set_ready(status, phase == Phase::Ready, reason, message, generation);
    match status.order.as_ref() {
        Some(order) => {
            let message = format!("Order {} placed", order.id);
            set_condition(
                status,
                ORDER_PLACED,
                true,
                Reason::OrderPlaced,
                &message,
                generation,
            )
        }
        None if status.project_id.is_none() => {
            set_condition(status, ORDER_PLACED, false, reason, message, generation)
        }
        None => {}
    }
}

/// Writes the whole status with server-side apply (the operator owns `.status`). Returns the
/// resource's generation as the write left it (its spec's version at that moment).
pub async fn write(
    api: &Api<PublicCloudProject>,
    name: &str,
    status: &PublicCloudProjectStatus,
) -> kube::Result<Option<i64>> {
    let patch = json!({
        "apiVersion": PublicCloudProject::api_version(&()),
        "kind": PublicCloudProject::kind(&()),
        "status": status,
    });
    let written = api
        .patch_status(
            name,
            &PatchParams::apply(FIELD_MANAGER).force(),
            &Patch::Apply(&patch),
        )
        .await?;
    Ok(written.metadata.generation)
}

/// Publishes an event; failures to publish are logged, never fatal.
pub async fn publish(
    events: &Events,
    obj: &PublicCloudProject,
    severity: Severity,
    reason: Reason,
    note: String,
) {
    let note: String = note.chars().take(1000).collect();
    if let Err(e) = events
        .publish(
            &obj.object_ref(&()),
            severity.is_warning(),
            reason.as_str(),
            &note,
        )
        .await
    {
        tracing::warn!(name = %obj.name_any(), error = %e, "could not publish event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(status: &PublicCloudProjectStatus, kind: &str) -> String {
        condition(status, kind).unwrap().status.clone()
    }

    #[test]
    fn kstatus_conditions_follow_the_reasons_health() {
        let mut status = PublicCloudProjectStatus::default();
        for (phase, reason, reconciling, stalled) in [
            (Phase::CartReady, Reason::Ordering, "True", "False"),
            (Phase::AwaitingPayment, Reason::AwaitingPayment, "True", "False"),
            (Phase::Failed, Reason::OrderCancelled, "False", "True"),
            (Phase::NeedsAttention, Reason::NeedsAttention, "False", "True"),
            (Phase::Ready, Reason::Ready, "False", "False"),
        ] {
            enter_phase(&mut status, phase, reason, "m", Some(3));
            assert_eq!(
                (state(&status, RECONCILING), state(&status, STALLED)),
                (reconciling.to_string(), stalled.to_string()),
                "{reason}"
            );
            assert_eq!(status.observed_generation, Some(3));
        }
        assert_eq!(state(&status, READY), "True");
        set_ready(&mut status, false, Reason::OvhForbidden, "refused", Some(3));
        assert_eq!(state(&status, STALLED), "True", "credentials refused");
    }
}
