//! The pure half of executing an action: [`apply`] records an [`Outcome`] in the status and
//! the pass's observations, and says which event and phase follow.

use jiff::Timestamp;

use super::Outcome;
use crate::{
    api::{
        CartStatus, OpenstackUserStatus, OrderStatus as OrderField, PaymentStatus, Phase,
        PublicCloudProjectStatus, TerminationStatus,
    },
    controller::plan::{
        CartSeen, FIDELITY_ACCOUNT, ItemSeen, Observed, PAYMENT_DEFER_DEFAULT, PAYMENT_DEFER_MAX,
        PaymentMethodSeen, ProjectSeen, Reason,
    },
    ovh::model::OrderStatus,
};

/// What applying an outcome means for the event and the phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub reason: Reason,
    pub note: String,
    /// The phase to enter, with the Ready condition's reason (None: unchanged).
    pub phase: Option<(Phase, Reason)>,
    /// The event is a Warning: a person should look.
    pub warning: bool,
}

fn applied(reason: Reason, note: String) -> Applied {
    Applied {
        reason,
        note,
        phase: None,
        warning: false,
    }
}

/// Records `outcome` in the status (and in this pass's observations, so the planner does not
/// read again what it just did). Preparing the cart moves a resource to CartReady unless a
/// checkout is under way.
pub fn apply(
    outcome: Outcome,
    status: &mut PublicCloudProjectStatus,
    observed: &mut Observed,
    now: Timestamp,
) -> Applied {
    let preparing = |mut a: Applied, status: &PublicCloudProjectStatus| {
        if status.phase != Some(Phase::CheckingOut) {
            a.phase = Some((Phase::CartReady, Reason::Ordering));
        }
        a
    };
    let clock = now;
    let now = now.to_string();
    match outcome {
        Outcome::CartBegun => {
            status.cart_requested_at = Some(now);
            observed.cart_begun = true;
            Applied {
                reason: Reason::Ordering,
                note: "Creating a cart".into(),
                phase: Some((Phase::Pending, Reason::Ordering)),
                warning: false,
            }
        }
        Outcome::CartCreated {
            cart_id,
            expires_at,
            subsidiary,
            plan_code,
        } => {
            status.cart = Some(CartStatus {
                id: cart_id.clone(),
                created_at: Some(now),
                expires_at,
                ..Default::default()
            });
            status.price = None;
            status.cart_requested_at = None;
            status.plan_code = Some(plan_code);
            observed.cart = Some(CartSeen::Found {
                read_only: false,
                items: vec![],
            });
            let a = applied(
                Reason::CartCreated,
                format!("Created cart {cart_id} ({subsidiary})"),
            );
            preparing(a, status)
        }
        Outcome::CartFound { cart_id, expires_at } => {
            status.cart = Some(CartStatus {
                id: cart_id.clone(),
                expires_at,
                ..Default::default()
            });
            status.cart_requested_at = None;
            status.price = None;
            let a = applied(
                Reason::CartFound,
                format!("Found cart {cart_id}, created earlier but not recorded; using it"),
            );
            preparing(a, status)
        }
        Outcome::CartForgotten { cart_id } => {
            if let Some(found) = observed.marker_carts.as_mut() {
                found.retain(|c| *c != cart_id);
            }
            applied(
                Reason::CartForgotten,
                format!("Cart {cart_id}, created earlier, no longer exists; a new one will be made"),
            )
        }
        Outcome::CartAbandoned { cart_id } => {
            let price = status
                .price
                .take()
                .map(|p| format!(" ({} {} with tax)", p.with_tax, p.currency))
                .unwrap_or_default();
            status.cart = None;
            status.cart_requested_at = None;
            status.abandoned_cart = Some(cart_id.clone());
            observed.cart = None;
            if let Some(found) = observed.marker_carts.as_mut() {
                found.retain(|c| *c != cart_id);
            }
            Applied {
                reason: Reason::CartAbandoned,
                note: format!(
                    "The spec changed after the price of cart {cart_id}{price} was shown: that cart was \
                     deleted and a new cart is made for the new spec; an approval of cart {cart_id} \
                     does not apply to it"
                ),
                phase: Some((Phase::Pending, Reason::Ordering)),
                warning: false,
            }
        }
        Outcome::CartAssigned { cart_id } => {
            if let Some(cart) = status.cart.as_mut() {
                cart.assigned = Some(true);
            }
            let a = applied(
                Reason::CartAssigned,
                format!("Assigned cart {cart_id} to the account"),
            );
            preparing(a, status)
        }
        Outcome::ItemAdded {
            item_id,
            plan_code,
            duration,
            pricing_mode,
        } => {
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut() {
                items.push(ItemSeen {
                    item_id,
                    plan_code: Some(plan_code.clone()),
                    duration: Some(duration.clone()),
                    pricing_mode: Some(pricing_mode),
                    parent_item_id: None,
                    configurations: vec![],
                });
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.item_id = Some(item_id);
                cart.configuration_ids.clear();
                cart.item_posted_at = None;
            }
            status.price = None;
            status.plan_code = Some(plan_code.clone());
            let a = applied(
                Reason::ItemAdded,
                format!("Added {plan_code} ({duration}) as item {item_id}"),
            );
            preparing(a, status)
        }
        Outcome::ItemRemoved { item_id } => {
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut() {
                // Its options too (assumed: OVH removes an item's options with it; if not, the
                // next read shows them and they go as strays).
                items.retain(|i| i.item_id != item_id && i.parent_item_id != Some(item_id));
            }
            if let Some(cart) = status.cart.as_mut().filter(|c| c.item_id == Some(item_id)) {
                cart.item_id = None;
                cart.configuration_ids.clear();
            }
            status.price = None;
            let a = applied(
                Reason::ItemRemoved,
                format!("Removed item {item_id}, which no longer matches the spec"),
            );
            preparing(a, status)
        }
        Outcome::Configured {
            item_id,
            configuration_id,
            label,
            value,
        } => {
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut()
                && let Some(item) = items.iter_mut().find(|i| i.item_id == item_id)
            {
                item.configurations.push((configuration_id, label.clone(), value));
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.configuration_ids.push(configuration_id);
            }
            status.price = None;
            let a = applied(Reason::Configured, format!("Set {label} on item {item_id}"));
            preparing(a, status)
        }
        Outcome::ConfigurationRemoved {
            item_id,
            configuration_id,
        } => {
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut()
                && let Some(item) = items.iter_mut().find(|i| i.item_id == item_id)
            {
                item.configurations.retain(|(id, _, _)| *id != configuration_id);
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.configuration_ids.retain(|id| *id != configuration_id);
            }
            status.price = None;
            let a = applied(
                Reason::Configured,
                format!("Removed configuration {configuration_id}, which no longer matches the spec"),
            );
            preparing(a, status)
        }
        Outcome::OptionAdded {
            item_id,
            option_item_id,
            plan_code,
            duration,
            pricing_mode,
        } => {
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut() {
                items.push(ItemSeen {
                    item_id: option_item_id,
                    plan_code: Some(plan_code.clone()),
                    duration: Some(duration.clone()),
                    pricing_mode: Some(pricing_mode),
                    parent_item_id: Some(item_id),
                    configurations: vec![],
                });
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.item_posted_at = None;
            }
            status.price = None;
            let a = applied(
                Reason::OptionAdded,
                format!("Added option {plan_code} ({duration}) to item {item_id} as item {option_item_id}"),
            );
            preparing(a, status)
        }
        Outcome::Priced { cart_id, price } => {
            let note = format!(
                "Cart {cart_id} costs {} {} with tax ({} without)",
                price.with_tax, price.currency, price.without_tax
            );
            status.price = Some(price);
            preparing(applied(Reason::Priced, note), status)
        }
        Outcome::CheckoutBegun { approved_by } => {
            if let Some(cart) = status.cart.as_mut() {
                cart.checkout_started_at = Some(now);
            }
            status.approved_by = approved_by;
            observed.checkout_begun = true;
            Applied {
                reason: Reason::CheckingOut,
                note: "Checking out".into(),
                phase: Some((Phase::CheckingOut, Reason::Ordering)),
                warning: false,
            }
        }
        Outcome::OrderPlaced {
            order_id,
            url,
            price,
            endpoint,
        } => {
            if let Some(CartSeen::Found { read_only, .. }) = observed.cart.as_mut() {
                *read_only = true;
            }
            status.order = Some(OrderField {
                id: order_id,
                url: url.clone(),
                date: Some(now),
                price: Some(price.clone()),
                endpoint: Some(endpoint),
                ..Default::default()
            });
            // The checkout answer carries the price: a 0-price order is paid with the fidelity
            // account. The price shown before (if any) stays: the order's is checked against it.
            status.price.get_or_insert(price);
            // After checkout the phase follows the order status, read next in the same pass.
            let approved = status
                .approved_by
                .as_deref()
                .map(|who| format!(" (approved by {who})"))
                .unwrap_or_default();
            applied(
                Reason::OrderPlaced,
                format!("Placed order {order_id}{approved}: {}", url.unwrap_or_default()),
            )
        }
        Outcome::OrderFound {
            order_id,
            url,
            date,
            expires_at,
            price,
            endpoint,
        } => {
            status.order = Some(OrderField {
                id: order_id,
                url: Some(url),
                date: date.or(Some(now)),
                expires_at,
                price: Some(price),
                endpoint: Some(endpoint),
                ..Default::default()
            });
            applied(
                Reason::OrderFound,
                format!("Recorded order {order_id}, placed by a checkout whose answer was lost"),
            )
        }
        Outcome::OrderExpiryKnown(at) => {
            if let Some(order) = status.order.as_mut() {
                order.expires_at = Some(at.clone());
            }
            let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
            applied(
                Reason::OrderExpiry,
                format!("Order {id} expires at {at} unless paid"),
            )
        }
        Outcome::CartExpired => {
            let id = status.cart.take().map(|c| c.id).unwrap_or_default();
            status.price = None;
            Applied {
                reason: Reason::CartExpired,
                note: format!("Cart {id} expired before checkout; a new cart will be made"),
                phase: Some((Phase::Pending, Reason::Ordering)),
                warning: false,
            }
        }
        Outcome::PaymentBegun(method) => {
            let label = method
                .as_ref()
                .map_or_else(|| FIDELITY_ACCOUNT.to_string(), PaymentMethodSeen::label);
            status.payment = Some(PaymentStatus {
                method: label.clone(),
                method_id: method.as_ref().map(|m| m.id),
                requested_at: now,
                ..Default::default()
            });
            observed.payment_begun = true;
            applied(Reason::PaymentBegun, format!("Paying the order with {label}"))
        }
        Outcome::Paid { order_id } => {
            observed.payment_begun = false;
            // Read it again: it moves on once OVH registers the payment.
            observed.order_status = None;
            let method = payment_method(status);
            applied(
                Reason::PaymentRequested,
                format!("Paid order {order_id} with {method}"),
            )
        }
        Outcome::PaymentBegunAgain => {
            let Some(p) = status.payment.as_mut() else {
                return applied(
                    Reason::PaymentRequestedAgain,
                    "No payment to request again".into(),
                );
            };
            p.attempts = Some(p.attempts() + 1);
            p.requested_at = now;
            p.deferred_until = None;
            observed.payment_begun = true;
            let note = format!(
                "OVH shows no payment for the order, still notPaid: paying it again with {} \
                 (attempt {})",
                p.method,
                p.attempts()
            );
            applied(Reason::PaymentRequestedAgain, note)
        }
        Outcome::PaymentDeferred {
            order_id,
            retry_after,
            message,
        } => {
            observed.payment_begun = false;
            let until = deferral_end(clock, retry_after);
            if let Some(p) = status.payment.as_mut() {
                p.deferred_until = Some(until.clone());
            }
            applied(
                Reason::PaymentDeferred,
                format!(
                    "OVH did not process the payment of order {order_id} ({message}): requested again after {until}"
                ),
            )
        }
        Outcome::PaymentRefused { order_id, message } => {
            observed.payment_begun = false;
            if let Some(p) = status.payment.as_mut() {
                p.refused = Some(message.clone());
            }
            let method = payment_method(status);
            applied(
                Reason::PaymentRefused,
                format!("OVH refused to pay order {order_id} with {method}: {message}"),
            )
        }
        Outcome::OrderStatusSeen(s) => {
            if let Some(order) = status.order.as_mut() {
                order.status = Some(s.as_str().into());
            }
            let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
            // One reason per status: events with one reason are aggregated into one series.
            let reason = match s {
                OrderStatus::NotPaid => Reason::OrderNotPaid,
                OrderStatus::Checking => Reason::OrderChecking,
                OrderStatus::Delivering => Reason::OrderDelivering,
                OrderStatus::Delivered => Reason::OrderDelivered,
                OrderStatus::Cancelled | OrderStatus::Cancelling => Reason::OrderCancelled,
                OrderStatus::DocumentsRequested => Reason::OrderDocumentsRequested,
                OrderStatus::Unknown => Reason::OrderStatusUnknown,
            };
            applied(reason, format!("Order {id} is {}", s.as_str()))
        }
        Outcome::ProjectNamed {
            project_id,
            delivered,
            ordered_name,
        } => {
            status.project_id = Some(project_id.clone());
            status.project_status = None;
            if delivered {
                status.delivered_at = Some(now);
            }
            if ordered_name.is_some() {
                status.project_description = ordered_name;
            }
            applied(Reason::ProjectDelivered, format!("Project {project_id}"))
        }
        Outcome::HeldProjectDropped => {
            let id = status.project_id.take().unwrap_or_default();
            status.project_status = None;
            status.project_description = None;
            status.delivered_at = None;
            applied(
                Reason::ProjectReleased,
                format!(
                    "Project {id} is held by another PublicCloudProject: forgotten here, nothing done at OVH"
                ),
            )
        }
        Outcome::ProjectStatusSeen(s) => {
            status.project_status = Some(s.clone());
            let id = status.project_id.as_deref().unwrap_or_default();
            applied(Reason::ProjectStatus, format!("Project {id} is {s}"))
        }
        Outcome::ProjectDescriptionRecorded(name) => {
            status.project_description = Some(name.clone());
            let id = status.project_id.as_deref().unwrap_or_default();
            applied(
                Reason::ProjectStatus,
                format!("Project {id} keeps its name; a change of spec.description from {name:?} renames it"),
            )
        }
        Outcome::ProjectRenamed { project_id, from, to } => {
            status.project_description = Some(to.clone());
            if let Some(ProjectSeen::Found { description, .. }) = observed.project.as_mut() {
                *description = Some(to.clone());
            }
            let from = from.map(|f| format!(" from {f:?}")).unwrap_or_default();
            applied(
                Reason::ProjectRenamed,
                format!("Renamed project {project_id}{from} to {to:?} (spec.description)"),
            )
        }
        Outcome::CartDeleted { cart_id } => {
            observed.cart = Some(CartSeen::Gone);
            applied(
                Reason::CartDeleted,
                format!("Deleted cart {cart_id}; nothing was ordered"),
            )
        }
        Outcome::EmailsMarked { newest } => {
            observed.termination_begun = true;
            status.termination = Some(TerminationStatus {
                emails_after: newest,
                requested_at: None,
            });
            Applied {
                reason: Reason::Terminating,
                note: format!("Terminating the project; its token is looked for in e-mails after {newest}"),
                phase: Some((Phase::Terminating, Reason::Terminating)),
                warning: false,
            }
        }
        Outcome::TerminationAlreadyRequested { project_id, message } => {
            if let Some(t) = status.termination.as_mut() {
                t.requested_at = Some(now);
            }
            applied(
                Reason::TerminationRequested,
                format!(
                    "OVH refused to terminate project {project_id} again ({message}): the earlier request, \
                     whose answer was lost, is taken as sent; waiting for its confirmation e-mail"
                ),
            )
        }
        Outcome::TerminationRequested { project_id } => {
            if let Some(t) = status.termination.as_mut() {
                t.requested_at = Some(now);
            }
            applied(
                Reason::TerminationRequested,
                format!("Asked OVH to terminate project {project_id}; waiting for the confirmation token"),
            )
        }
        Outcome::TerminationRefused {
            project_id,
            expired,
            message,
        } => {
            observed.project = Some(if expired {
                ProjectSeen::Expired
            } else {
                ProjectSeen::NotFound
            });
            applied(
                Reason::TerminationRefused,
                format!("OVH answered {message} to the termination of project {project_id}"),
            )
        }
        Outcome::TerminationConfirmed { project_id } => {
            observed.project = Some(ProjectSeen::Found {
                status: "deleted".into(),
                description: None,
            });
            applied(
                Reason::ProjectTerminated,
                format!("Confirmed the termination of project {project_id}"),
            )
        }
        Outcome::UserBegun => {
            status.openstack_user = Some(OpenstackUserStatus {
                requested_at: now,
                ..Default::default()
            });
            observed.user_begun = true;
            applied(
                Reason::OpenstackUserRequested,
                "Creating the project's OpenStack user".into(),
            )
        }
        Outcome::UserCreated {
            user_id,
            username,
            password,
        } => {
            record_user(status, now, user_id, &username);
            observed.new_password = Some(password);
            observed.user = None;
            applied(
                Reason::OpenstackUserCreated,
                format!("OVH created OpenStack user {user_id} ({username})"),
            )
        }
        Outcome::UserFound {
            user_id,
            username,
            extra,
        } => {
            record_user(status, now, user_id, &username);
            if !extra.is_empty() {
                let ids: Vec<String> = extra.iter().map(i64::to_string).collect();
                return Applied {
                    warning: true,
                    ..applied(
                        Reason::ExtraOpenstackUsers,
                        format!(
                            "Found OpenStack users {user_id} and {} with this resource's marker (a \
                             creation sent again after a slow answer): {user_id} ({username}) is kept \
                             and its password regenerated; the operator never uses the others: delete \
                             them in the OVH console",
                            ids.join(", ")
                        ),
                    )
                };
            }
            applied(
                Reason::OpenstackUserFound,
                format!(
                    "Found OpenStack user {user_id} ({username}), created earlier but not recorded; \
                     its password is regenerated, no other user is created"
                ),
            )
        }
        Outcome::PasswordRegenerated { user_id, password } => {
            observed.new_password = Some(password);
            applied(
                Reason::PasswordRegenerated,
                format!(
                    "The password of OpenStack user {user_id} was not in the outputs Secret: OVH made \
                     a new one"
                ),
            )
        }
        Outcome::OutputsWritten { name, seen } => {
            observed.outputs_secret = Some(Some(seen));
            observed.new_password = None;
            observed.outputs_writable = true;
            applied(Reason::OutputsWritten, format!("Wrote Secret {name}"))
        }
        Outcome::UserForgotten => {
            let id = status.openstack_user.take().and_then(|u| u.id);
            observed.user = None;
            observed.openrc = None;
            applied(
                Reason::OpenstackUserGone,
                format!(
                    "OpenStack user {} no longer exists at OVH; a new one is made",
                    id.map(|i| i.to_string()).unwrap_or_default()
                ),
            )
        }
        Outcome::UserDeleted { user_id } => {
            if let Some(user) = status.openstack_user.as_mut() {
                user.deleted_at = Some(now);
            }
            applied(
                Reason::OpenstackUserDeleted,
                format!("Deleted OpenStack user {user_id}"),
            )
        }
    }
}

/// When a payment answered 429 is requested again: after OVH's Retry-After (at most
/// [`PAYMENT_DEFER_MAX`]), else after [`PAYMENT_DEFER_DEFAULT`].
fn deferral_end(now: Timestamp, retry_after: Option<u64>) -> String {
    let delay = retry_after
        .map(std::time::Duration::from_secs)
        .unwrap_or(PAYMENT_DEFER_DEFAULT)
        .min(PAYMENT_DEFER_MAX);
    (now + jiff::SignedDuration::try_from(delay).unwrap_or_default()).to_string()
}

fn payment_method(status: &PublicCloudProjectStatus) -> String {
    status
        .payment
        .as_ref()
        .map(|p| p.method.clone())
        .unwrap_or_default()
}

/// The user OVH made (or that carries our marker) becomes the recorded one.
fn record_user(status: &mut PublicCloudProjectStatus, now: String, user_id: i64, username: &str) {
    let user = status.openstack_user.get_or_insert_with(|| OpenstackUserStatus {
        requested_at: now,
        ..Default::default()
    });
    user.id = Some(user_id);
    user.username = Some(username.to_string());
}
