//! Planning a deletion: what stays at OVH (Orphan), what is terminated (Terminate), and never a
//! release while a billed project may still appear.

use super::*;
use crate::{api::DeletionPolicy, controller::plan::*};

/// The next step of a resource being deleted.
pub(crate) fn plan_deletion(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    if input.paused {
        return paused(
            input,
            "the deletion waits until the annotation is removed (or the finalizer is removed by hand, \
             which leaves everything at OVH as it is)",
        );
    }
    let adopted = input.adopted();
    let project_id = input
        .adopted_id()
        .map(str::to_string)
        .or_else(|| status.project_id.clone());
    let asked = spec.deletion_policy == DeletionPolicy::Terminate;
    let terminate = asked && input.allow_terminate;
    if let Some(project_id) = project_id {
        return delete_project(input, project_id, adopted, asked);
    }
    if let Some(order) = status.order.as_ref() {
        return delete_order(input, order, terminate);
    }
    if input.checking_out() {
        return delete_checking_out(input, terminate);
    }
    match status.cart.as_ref() {
        Some(cart) if observed.cart.is_none() => Step::Look(Lookup::Cart(cart.id.clone())),
        Some(cart) if matches!(observed.cart, Some(CartSeen::Found { read_only: false, .. })) => {
            Step::Act(Act::Cart(CartAct::Delete {
                cart_id: cart.id.clone(),
            }))
        }
        _ => release("Nothing was ordered".into()),
    }
}

/// The resource's project: terminated (deletionPolicy: Terminate, if the operator allows it) or
/// left at OVH, its OpenStack user deleted if asked.
fn delete_project(input: &Input, project_id: String, adopted: bool, asked: bool) -> Step {
    let terminate = asked && input.allow_terminate;
    if input
        .holders
        .held_elsewhere(&Holding::Project(project_id.clone()))
    {
        return release_held();
    }
    if !terminate && let Some(step) = delete_user(input, &project_id, false) {
        return step;
    }
    if asked && !terminate {
        return leave_behind(format!(
            "Project {project_id} stays at OVH: deletionPolicy: Terminate is disabled by the \
                 operator (--allow-terminate=false), so it is treated as Orphan"
        ));
    }
    if !terminate {
        return release(format!(
            "Project {project_id} stays at OVH (deletionPolicy: Orphan)"
        ));
    }
    terminate_project(input, project_id, adopted)
}

/// An order but no project yet: its project is awaited (to terminate it) unless nothing can come of
/// the order or the project stays.
fn delete_order(input: &Input, order: &crate::api::RecordedOrder, terminate: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    let Some(current) = observed.order_status else {
        return Step::Look(Lookup::OrderStatus(order.id));
    };
    match current {
        // A payment the operator asked for may still go through and deliver a project.
        OrderStatus::NotPaid if terminate && input.payment_in_flight() => wait(
            Phase::Terminating,
            Reason::PaymentPending,
            format!(
                "Order {} is not paid yet, but the payment requested at {} may still go through; \
                 its project is terminated if it is delivered",
                order.id,
                status
                    .payment
                    .as_ref()
                    .map(|p| p.requested_at.as_str())
                    .unwrap_or_default()
            ),
            Requeue::Progress,
        ),
        OrderStatus::NotPaid | OrderStatus::Cancelled | OrderStatus::Cancelling => release(format!(
            "Order {} is {} and delivers nothing unless paid; nothing to terminate. Do not pay \
                 it at {}",
            order.id,
            current.as_str(),
            input.order_url()
        )),
        _ if !terminate => release(format!(
            "Order {} ({}) and its project stay at OVH (deletionPolicy: Orphan)",
            order.id,
            current.as_str()
        )),
        OrderStatus::Delivered => match observed.project_id_from_details.as_ref() {
            None => Step::Look(Lookup::ProjectIdFromDetails(order.id)),
            Some(Some(p)) if input.holders.held_elsewhere(&Holding::Project(p.clone())) => release_held(),
            Some(Some(p)) => input.record_project(p.clone()),
            Some(None) => wait(
                Phase::Terminating,
                Reason::Terminating,
                "Waiting for the order to name its project",
                Requeue::Progress,
            ),
        },
        _ => wait(
            Phase::Terminating,
            Reason::Terminating,
            format!(
                "Waiting for order {} to be delivered, to terminate its project",
                order.id
            ),
            Requeue::Progress,
        ),
    }
}

/// A checkout was sent and its outcome is unknown: its order is searched for when a project may
/// have to be terminated (or a person named it); never a guess.
fn delete_checking_out(input: &Input, terminate: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    let since = status.cart.as_ref().and_then(|c| c.created_at.clone());
    if (terminate || input.order_hint.is_some()) && status.cart.is_some() && observed.cart.is_none() {
        return Step::Look(Lookup::Cart(
            status.cart.as_ref().map(|c| c.id.clone()).unwrap_or_default(),
        ));
    }
    if terminate || input.order_hint.is_some() {
        match lost_order(input, since) {
            Ok(order_id) => return Step::Act(Act::Order(OrderAct::ReadFound { order_id })),
            Err(
                step @ (Step::Look(_)
                | Step::Wait {
                    reason: Reason::SearchingOrder,
                    ..
                }),
            ) => return step,
            Err(_) => {}
        }
    }
    leave_behind(
        "A checkout was sent but its outcome is unknown: check the OVH account's orders for a project \
         named after this resource; the operator leaves it alone"
            .into(),
    )
}

/// The project this resource named is held by another resource: nothing of it is touched
/// (no user deleted, no termination), whatever deletionPolicy says.
pub(crate) fn release_held() -> Step {
    leave_behind(
        "The project this resource named is held by another PublicCloudProject: nothing was done \
         with it at OVH"
            .into(),
    )
}

pub(crate) fn terminate_project(input: &Input, project_id: String, adopted: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    match observed.project.as_ref() {
        None => return Step::Look(Lookup::Project(project_id)),
        // Our own order's project answers 404 for minutes after delivery: releasing now would
        // leave a billed project behind (terraform-provider-ovh#1288, #1377).
        Some(ProjectSeen::NotFound) if !adopted && input.within_404_window() => {
            return wait(
                Phase::Terminating,
                Reason::ProjectNotVisibleYet,
                format!(
                    "Project {project_id} was just delivered and OVH does not show it yet; it is \
                     terminated as soon as it is visible"
                ),
                Requeue::Progress,
            );
        }
        Some(ProjectSeen::NotFound) => {
            return leave_behind(format!(
                "Project {project_id} does not exist at OVH (404): nothing to terminate"
            ));
        }
        Some(ProjectSeen::Expired) => {
            return leave_behind(format!(
                "Project {project_id} has expired at OVH (460): nothing left to terminate"
            ));
        }
        Some(ProjectSeen::Found { status: s, .. }) if s == "deleted" || s == "deleting" => {
            return release(format!("Project {project_id} is {s} at OVH"));
        }
        Some(ProjectSeen::Found { .. }) => {}
    }
    // The user's credentials stop working now, not when the e-mailed token is confirmed.
    if let Some(step) = delete_user(input, &project_id, true) {
        return step;
    }
    let Some(termination) = status.termination.as_ref() else {
        return match observed.newest_email {
            None => Step::Look(Lookup::NewestEmail),
            Some(newest) => Step::Act(Act::Termination(TerminationAct::MarkEmails { newest })),
        };
    };
    if termination.requested_at.is_none() {
        return Step::Act(Act::Termination(TerminationAct::Request {
            project_id,
            again: !input.memory.termination_begun,
        }));
    }
    if let Some(token) = input.termination_token {
        return Step::Act(Act::Termination(TerminationAct::Confirm {
            project_id,
            token: token.into(),
        }));
    }
    match observed.termination_token.as_ref() {
        None => Step::Look(Lookup::TerminationToken {
            project_id,
            after: termination.emails_after,
        }),
        Some(Some(token)) => Step::Act(Act::Termination(TerminationAct::Confirm {
            project_id,
            token: token.clone().into(),
        })),
        Some(None) => wait(
            Phase::Terminating,
            Reason::Terminating,
            format!(
                "Waiting for OVH's termination e-mail for project {project_id} (it can take many \
                 minutes); or annotate this resource with \
                 publiccloud.ovh-operator.dev/termination-token=<token from the e-mail>. If OVH \
                 sends none (terraform-provider-ovh documents no termination on ovh-us), terminate \
                 the project in the OVH console, then remove the finalizer."
            ),
            Requeue::Progress,
        ),
    }
}
