//! The one thing a person should do next about a resource, from its phase and Ready reason (the
//! [`Reason`] vocabulary and its health). Pure, so each case is tested without a cluster.

use crate::{
    api::{PAUSED_ANNOTATION, Phase, PublicCloudProject, TERMINATION_TOKEN_ANNOTATION},
    controller::reason::{Health, Reason},
};

/// The reason named `name`, if it is one of ours.
fn reason(name: &str) -> Option<Reason> {
    Reason::ALL.iter().copied().find(|r| r.as_str() == name)
}

/// What a person should do next (`name`: the resource's name, for the commands printed).
pub fn next_action(obj: &PublicCloudProject, name: &str) -> String {
    let status = obj.status.clone().unwrap_or_default();
    let ready = super::ready(&status);
    let reason = ready.and_then(|(r, _)| reason(r));
    let deleting = obj.metadata.deletion_timestamp.is_some();
    let forget = format!("; to stop waiting and leave everything at OVH as it is: kubectl pcp forget {name}");
    let Some(phase) = status.phase else {
        return match reason {
            Some(r) if r.health() == Health::Degraded => fix(r, name),
            _ => "wait: the operator has not handled this resource yet (if this lasts, check that \
                  it runs and watches this namespace)"
                .into(),
        };
    };
    if let Some(r) = reason.filter(|r| is_credentials(*r)) {
        return fix(r, name);
    }
    let order = status.order.as_ref();
    let url = order.and_then(|o| o.url.as_deref()).unwrap_or("the OVH console");
    let step = match (phase, reason) {
        (_, Some(Reason::Paused)) => {
            format!("resume it by removing the annotation: kubectl annotate pcp {name} {PAUSED_ANNOTATION}-")
        }
        (Phase::AwaitingApproval, _) => {
            let max = status
                .price
                .as_ref()
                .map(|p| p.with_tax.as_str())
                .unwrap_or("PRICE");
            let cart = status.cart.as_ref().map(|c| c.id.as_str()).unwrap_or("CART_ID");
            format!(
                "review the price and approve it: kubectl pcp approve {name} --cart {cart} --max-price {max}"
            )
        }
        (Phase::AwaitingPayment, _) => format!(
            "pay order {} at {url}",
            order.map(|o| o.id.to_string()).unwrap_or_default()
        ),
        (Phase::NeedsAttention, Some(Reason::NeedsAttention)) => format!(
            "find this resource's order among the OVH account's orders (see the message above); if \
             one is, name it: kubectl pcp resolve {name} --order-id ORDER_ID; if none is, delete and \
             recreate the resource"
        ),
        (_, Some(Reason::ProjectExists)) => "adopt the existing project (spec.onExisting: Adopt, or \
            spec.projectId as the message says) or order another one (spec.onExisting: Order)"
            .into(),
        (_, Some(Reason::NoPaymentMethod)) => "add a VALID default payment method to the OVH \
            account, or set spec.payment: Manual and pay the order yourself"
            .into(),
        (_, Some(Reason::DocumentsRequested | Reason::OrderDocumentsRequested)) => format!(
            "send OVH the documents it requests for order {} (OVH account, orders)",
            order.map(|o| o.id.to_string()).unwrap_or_default()
        ),
        (Phase::Failed, _) => "nothing more will happen: read the message above; delete and \
            recreate the resource to order again"
            .into(),
        (Phase::Terminating, Some(Reason::TerminationRequested)) => format!(
            "wait: the operator reads OVH's termination e-mail; if it cannot, annotate the token: \
             kubectl annotate pcp {name} {TERMINATION_TOKEN_ANNOTATION}=TOKEN{forget}"
        ),
        (Phase::Ready, _) if !deleting => {
            if obj.spec.project_id.as_deref().is_none_or(str::is_empty) && status.project_id.is_some() {
                format!("nothing: the project is ready (to keep its id in Git: kubectl pcp pin {name})")
            } else {
                "nothing: the project is ready".into()
            }
        }
        (_, Some(r)) if r.health() == Health::Degraded => fix(r, name),
        _ => "wait: the operator or OVH is working; run this again later".into(),
    };
    if deleting && !matches!(phase, Phase::Terminating) {
        return format!("{step} (the resource is being deleted{forget})");
    }
    step
}

fn is_credentials(r: Reason) -> bool {
    matches!(
        r,
        Reason::NoCredentials
            | Reason::SecretNotFound
            | Reason::SecretInvalid
            | Reason::DefaultCredentialsRefused
            | Reason::OvhForbidden
            | Reason::OvhOAuth2Failed
            | Reason::OvhCredentialsInvalid
    )
}

fn fix(r: Reason, name: &str) -> String {
    if is_credentials(r) {
        return format!(
            "fix the OVH credentials ({r}: see the message above; \
             `ovh-publiccloud-operator credentials` makes keys with the operator's rights); the \
             operator retries when the Secret changes"
        );
    }
    format!(
        "fix what the message above says ({r}: {}); the operator retries after a spec change \
         (kubectl edit pcp {name})",
        r.meaning()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{CartStatus, PriceStatus, PublicCloudProjectStatus, RecordedOrder};
    use crate::controller::status::enter_phase;

    fn obj(
        phase: Phase,
        reason: Reason,
        tune: impl FnOnce(&mut PublicCloudProjectStatus),
    ) -> PublicCloudProject {
        let mut o: PublicCloudProject = serde_json::from_value(serde_json::json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": "p"}, "spec": {"description": "P"},
        }))
        .unwrap();
        let mut status = PublicCloudProjectStatus::default();
        enter_phase(&mut status, phase, reason, "m", None);
        tune(&mut status);
        o.status = Some(status);
        o
    }

    #[test]
    fn each_waiting_phase_names_the_persons_step() {
        let approve = next_action(
            &obj(Phase::AwaitingApproval, Reason::AwaitingApproval, |s| {
                s.cart = Some(CartStatus {
                    id: "c1".into(),
                    ..Default::default()
                });
                s.price = Some(PriceStatus {
                    with_tax: "12.00".into(),
                    without_tax: "10.00".into(),
                    currency: "EUR".into(),
                });
            }),
            "p",
        );
        assert_eq!(
            approve,
            "review the price and approve it: kubectl pcp approve p --cart c1 --max-price 12.00"
        );
        let pay = next_action(
            &obj(Phase::AwaitingPayment, Reason::AwaitingPayment, |s| {
                s.order = Some(RecordedOrder {
                    id: 7,
                    url: Some("https://pay/7".into()),
                    ..Default::default()
                })
            }),
            "p",
        );
        assert_eq!(pay, "pay order 7 at https://pay/7");
        let attention = next_action(&obj(Phase::NeedsAttention, Reason::NeedsAttention, |_| {}), "p");
        assert!(
            attention.contains("kubectl pcp resolve p --order-id"),
            "{attention}"
        );
        let creds = next_action(&obj(Phase::Pending, Reason::SecretNotFound, |_| {}), "p");
        assert!(
            creds.starts_with("fix the OVH credentials (SecretNotFound"),
            "{creds}"
        );
        let paused = next_action(&obj(Phase::CartReady, Reason::Paused, |_| {}), "p");
        assert!(
            paused.contains("publiccloud.ovh-operator.dev/paused-"),
            "{paused}"
        );
        let ready = next_action(
            &obj(Phase::Ready, Reason::Ready, |s| {
                s.project_id = Some("a".repeat(32))
            }),
            "p",
        );
        assert!(ready.contains("kubectl pcp pin p"), "{ready}");
        let working = next_action(&obj(Phase::Delivering, Reason::OrderDelivering, |_| {}), "p");
        assert!(working.starts_with("wait:"), "{working}");
        let refused = next_action(&obj(Phase::CartReady, Reason::OvhBadRequest, |_| {}), "p");
        assert!(
            refused.starts_with("fix what the message above says (OvhBadRequest"),
            "{refused}"
        );
        let exists = next_action(&obj(Phase::NeedsAttention, Reason::ProjectExists, |_| {}), "p");
        assert!(exists.contains("spec.onExisting: Adopt"), "{exists}");
    }
}
