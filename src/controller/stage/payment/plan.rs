//! Planning the payment: once, like OVH's own clients; a refusal kept for a person; a payment requested again only when it cannot have charged.

use super::*;
use crate::{api::Payment, controller::plan::*};

/// Why this default payment method cannot pay, if it cannot.
pub(crate) fn unusable_method(method: Option<&PaymentMethodSeen>) -> Option<String> {
    match method {
        None => Some("the OVH account has no default payment method".into()),
        Some(m) if !m.usable() => Some(format!(
            "the default payment method {} is not VALID",
            m.describe()
        )),
        Some(_) => None,
    }
}

/// An order that is not paid: it may expire; with payment: Automatic the operator pays it like
/// OVH's own clients (the fidelity account for a 0-price order, else the default method), and
/// requests it again only when that cannot charge twice ([`requested_payment`]).
pub(crate) fn unpaid_order(input: &Input, order_id: i64) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let url = input.order_url();
    let order = status.order.as_ref();
    let expires = order.and_then(|o| o.expires_at.as_deref());
    if expires.is_none() {
        match observed.order_expiry.as_ref() {
            None => return Step::Look(Lookup::OrderExpiry(order_id)),
            Some(Some(at)) => return Step::Act(Act::Order(OrderAct::RecordExpiry(at.clone()))),
            Some(None) => {}
        }
    }
    if let Some(at) = parse_time(expires).filter(|at| input.now >= *at) {
        return warn(
            Phase::Failed,
            Reason::OrderExpired,
            format!(
                "Order {order_id} was not paid before it expired at {at}; OVH will not deliver it. \
                 Delete and recreate this resource to order again."
            ),
            Requeue::SpecChange,
        );
    }
    if spec.payment == Payment::Manual {
        return wait(
            Phase::AwaitingPayment,
            Reason::AwaitingPayment,
            format!("Order {order_id} waits for payment at {url}"),
            // Payment happens outside Kubernetes: poll (seconds at first, then minutes).
            Requeue::Progress,
        );
    }
    if let Some(payment) = status.payment.as_ref() {
        return requested_payment(input, order_id, payment);
    }
    // The order's own price, checked before any automatic payment: catalog prices move while
    // an approval waits, and a checkout may have bought more than was shown.
    let Some(ordered) = order
        .and_then(|o| o.price.as_ref())
        .or(observed.order_price.as_ref())
    else {
        return Step::Look(Lookup::OrderExpiry(order_id));
    };
    if let Some(why) = price_not_allowed(input, ordered) {
        return warn(
            Phase::AwaitingPayment,
            Reason::OrderPriceNotAllowed,
            format!(
                "Order {order_id} costs {} {} with tax, {why}: the operator does not pay it. A person \
                 who accepts that price pays it at {url}; otherwise delete and recreate this resource",
                ordered.with_tax, ordered.currency
            ),
            Requeue::Person,
        );
    }
    let free = is_zero(&ordered.with_tax);
    if free {
        return Step::Act(Act::Payment(PaymentAct::Begin { method: None }));
    }
    let Some(method) = observed.default_payment_method.as_ref() else {
        return Step::Look(Lookup::DefaultPaymentMethod);
    };
    match unusable_method(method.as_ref()) {
        Some(problem) => warn(
            Phase::AwaitingPayment,
            Reason::NoUsablePaymentMethod,
            format!("Order {order_id} is not paid and {problem}: pay it at {url}"),
            Requeue::Progress,
        ),
        None => Step::Act(Act::Payment(PaymentAct::Begin {
            method: method.clone(),
        })),
    }
}

/// A payment the operator recorded, on an order that is still notPaid (read in this pass).
pub(crate) fn requested_payment(input: &Input, order_id: i64, payment: &crate::api::PaymentStatus) -> Step {
    let url = input.order_url();
    let method = &payment.method;
    if let Some(refusal) = payment.refused.as_deref() {
        return warn(
            Phase::AwaitingPayment,
            Reason::PaymentRefused,
            format!(
                "OVH refused to pay order {order_id} with {method}: {refusal}. The operator does not \
                 try again: pay it at {url}"
            ),
            Requeue::Progress,
        );
    }
    if input.memory.payment_begun {
        return match payment.method_id {
            Some(payment_method_id) => Step::Act(Act::Payment(PaymentAct::Pay {
                order_id,
                payment_method_id,
            })),
            None => Step::Act(Act::Payment(PaymentAct::PayWithFidelityAccount { order_id })),
        };
    }
    let deferred = parse_time(payment.deferred_until.as_deref());
    let requested = parse_time(Some(&payment.requested_at));
    // Unreadable times fail closed: never due, so never sent again.
    let due = deferred.or_else(|| requested.map(|t| t + input.payment_settle));
    if let Some(until) = deferred.filter(|at| input.now < *at) {
        return wait(
            Phase::AwaitingPayment,
            Reason::PaymentDeferred,
            format!(
                "OVH answered 429 (Too Many Requests) to the payment of order {order_id} with \
                 {method}: the request was not processed; it is made again after {until}"
            ),
            Requeue::Progress,
        );
    }
    if due.is_none_or(|at| input.now < at) {
        return wait(
            Phase::AwaitingPayment,
            Reason::PaymentPending,
            format!(
                "Payment of order {order_id} with {method} was requested at {}; OVH has not \
                 registered it yet. It is requested again only if the order is still notPaid and \
                 OVH shows no payment for it {:#} after the request; a person may pay it at {url}",
                payment.requested_at,
                jiff::SignedDuration::try_from(input.payment_settle).unwrap_or_default()
            ),
            Requeue::Progress,
        );
    }
    payment_due_again(input, order_id, payment)
}

/// The settle time (or a 429's delay) has passed and the order is still notPaid: the payment is
/// requested again only if OVH shows none for it. `GET /me/order/{orderId}/payment` returns a
/// `billing.Payment` (OVH schema me.json); what it answers without a payment is not documented,
/// so only a 404 counts as "no payment" and anything else stops here (fails closed).
/// terraform-provider-ovh (`ovh/order.go`) and ovh/manager pay once and never read it back.
pub(crate) fn payment_due_again(input: &Input, order_id: i64, payment: &crate::api::PaymentStatus) -> Step {
    let url = input.order_url();
    let (method, attempts) = (&payment.method, payment.attempts());
    if attempts >= MAX_PAYMENT_ATTEMPTS {
        return warn(
            Phase::AwaitingPayment,
            Reason::PaymentNotRegistered,
            format!(
                "Payment of order {order_id} with {method} was requested {attempts} times (last at \
                 {}) and OVH has not registered it: the operator stops. Pay it at {url}",
                payment.requested_at
            ),
            Requeue::Progress,
        );
    }
    match input.observed.order_payment.as_ref() {
        None => Step::Look(Lookup::OrderPayment(order_id)),
        Some(PaymentSeen::NotFound) => Step::Act(Act::Payment(PaymentAct::BeginAgain)),
        Some(PaymentSeen::Found { date, mean }) => wait(
            Phase::AwaitingPayment,
            Reason::PaymentPending,
            format!(
                "OVH shows a payment of order {order_id} ({}, {}) while the order is still notPaid: \
                 waiting for OVH to register it; it is not requested again",
                mean.as_deref().unwrap_or("unknown mean"),
                date.as_deref().unwrap_or("no date")
            ),
            Requeue::Progress,
        ),
        Some(PaymentSeen::Unknown(answer)) => warn(
            Phase::AwaitingPayment,
            Reason::PaymentUnverified,
            format!(
                "Order {order_id} is still notPaid since its payment with {method} was requested \
                 at {}, but whether OVH registered a payment cannot be told ({answer}): it is not \
                 requested again on a guess. Check the order at {url} and pay it there if it is \
                 unpaid; the credentials need GET /me/order/*/payment \
                 (account:apiovh:me/order/payment/get)",
                payment.requested_at
            ),
            Requeue::Progress,
        ),
    }
}

/// Why the order's price may not be paid automatically: above the price shown (and approved,
/// when approval applied), above a ceiling, or unreadable (fails closed).
pub(crate) fn price_not_allowed(input: &Input, ordered: &crate::api::PriceStatus) -> Option<String> {
    let Some(paid) = cents(&ordered.with_tax) else {
        return Some("which does not read as an amount".into());
    };
    if let Some(shown) = input.status.price.as_ref() {
        let above = cents(&shown.with_tax).is_none_or(|s| paid > s) || shown.currency != ordered.currency;
        if above {
            return Some(format!(
                "more than the {} {} shown before the checkout{}",
                shown.with_tax,
                shown.currency,
                input
                    .status
                    .approved_by
                    .as_deref()
                    .map(|who| format!(" and approved by {who}"))
                    .unwrap_or_default()
            ));
        }
    }
    ceilings(input)
        .into_iter()
        .find(|(ceiling, _)| paid > *ceiling)
        .map(|(_, max)| format!("above the price ceiling of {max}"))
}
