//! Following an order once placed: payment (once, like OVH's own clients), expiry, delivery,
//! and the project until it is ok.

use super::*;
use crate::controller::plan::*;

pub(crate) fn follow_order(input: &Input, order_id: i64, recorded: Option<&str>) -> Step {
    let (status, observed) = (input.status, input.observed);
    if let Some(project_id) = status.project_id.as_deref() {
        return input
            .held_project(project_id)
            .unwrap_or_else(|| follow_project(input, project_id, false));
    }
    let Some(current) = observed.order_status else {
        return Step::Look(Lookup::OrderStatus(order_id));
    };
    if recorded != Some(current.as_str()) {
        return Step::Act(Act::Order(OrderAct::RecordStatus(current)));
    }
    let url = input.order_url();
    match current {
        OrderStatus::NotPaid => unpaid_order(input, order_id),
        OrderStatus::Checking | OrderStatus::Delivering => wait(
            Phase::Delivering,
            Reason::Delivering,
            // One message for both (status.order.status tells which): a new message is a new
            // event, and checking then delivering is one step for a person.
            format!("Order {order_id} is being checked and delivered by OVH"),
            Requeue::Progress,
        ),
        OrderStatus::Delivered => match observed.project_id_from_details.as_ref() {
            None => Step::Look(Lookup::ProjectIdFromDetails(order_id)),
            Some(Some(project_id)) => input
                .held_project(project_id)
                .unwrap_or_else(|| input.record_project(project_id.clone())),
            Some(None) => wait(
                Phase::Delivering,
                Reason::Delivering,
                format!("Order {order_id} is delivered but names no project yet"),
                Requeue::Progress,
            ),
        },
        OrderStatus::Cancelled | OrderStatus::Cancelling => warn(
            Phase::Failed,
            Reason::OrderCancelled,
            format!(
                "OVH cancelled order {order_id}. Check the account's orders and messages; delete and \
                 recreate this resource to order again."
            ),
            Requeue::SpecChange,
        ),
        OrderStatus::DocumentsRequested => warn(
            Phase::NeedsAttention,
            Reason::DocumentsRequested,
            format!(
                "OVH requests documents before delivering order {order_id}: see the OVH console and e-mails"
            ),
            // Documents are sent outside Kubernetes, like a payment: follow the order meanwhile.
            Requeue::Progress,
        ),
        OrderStatus::Unknown => warn(
            Phase::NeedsAttention,
            Reason::OrderStatusUnknown,
            format!("OVH reports order {order_id} in an unknown state: check it at {url}"),
            Requeue::Person,
        ),
    }
}
