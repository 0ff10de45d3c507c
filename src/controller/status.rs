//! Conditions, the status write, and events. Every reason is a [`Reason`], whose health says how
//! GitOps tools read it.

use k8s_openapi::{
    apimachinery::pkg::apis::meta::v1::{Condition, Time},
    jiff::Timestamp,
};
use kube::{
    Api, Resource, ResourceExt,
    api::{Patch, PatchParams},
    runtime::events::{Event, EventType, Recorder},
};
use serde_json::json;

use super::reason::Reason;
use crate::api::{FIELD_MANAGER, Phase, PublicCloudProject, PublicCloudProjectStatus};

pub const READY: &str = "Ready";
pub const ORDER_PLACED: &str = "OrderPlaced";
pub const CREDENTIALS_VALID: &str = "CredentialsValid";

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
        _ => Time(Timestamp::now()),
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
    set_condition(status, READY, phase == Phase::Ready, reason, message, generation);
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

/// Writes the whole status with server-side apply (the operator owns `.status`).
pub async fn write(
    api: &Api<PublicCloudProject>,
    name: &str,
    status: &PublicCloudProjectStatus,
) -> kube::Result<()> {
    let patch = json!({
        "apiVersion": PublicCloudProject::api_version(&()),
        "kind": PublicCloudProject::kind(&()),
        "status": status,
    });
    api.patch_status(
        name,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&patch),
    )
    .await?;
    Ok(())
}

/// Publishes an event; failures to publish are logged, never fatal.
pub async fn publish(
    recorder: &Recorder,
    obj: &PublicCloudProject,
    warning: bool,
    reason: Reason,
    note: String,
) {
    let event = Event {
        type_: if warning {
            EventType::Warning
        } else {
            EventType::Normal
        },
        reason: reason.as_str().into(),
        note: Some(note.chars().take(1000).collect()),
        action: "Reconcile".into(),
        secondary: None,
    };
    if let Err(e) = recorder.publish(&event, &obj.object_ref(&())).await {
        tracing::warn!(name = %obj.name_any(), error = %e, "could not publish event");
    }
}
