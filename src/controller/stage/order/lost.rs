//! A checkout whose answer was lost: which order, if any, is this resource's — never one another
//! resource holds, never one on a guess.

use super::*;
use crate::controller::plan::*;

/// The checkout may have happened: identify its order, or stop and say what to check.
pub(crate) fn find_lost_order(input: &Input, since: Option<String>) -> Step {
    match lost_order(input, since) {
        Ok(order_id) => Step::Act(Act::Order(OrderAct::ReadFound { order_id })),
        Err(step) => step,
    }
}

/// The order a lost checkout placed, as far as the planner can be sure of it
/// (docs/explanation/exactly-once.md, docs/security-model.md): the order-id annotation once its contents match the spec and no other
/// resource holds it; else, only when this cart reads `readOnly` (its checkout committed), the
/// one order of the window whose contents match and that no other resource holds. Otherwise the
/// step to take (a read, or a stop that says what to check).
pub(crate) fn lost_order(input: &Input, since: Option<String>) -> Result<i64, Step> {
    if let Some(hint) = input.order_hint {
        return hinted_order(input, hint);
    }
    let committed = matches!(input.observed.cart, Some(CartSeen::Found { read_only: true, .. }));
    let search = if committed {
        let Some(orders) = input.observed.recent_orders.as_ref() else {
            return Err(Step::Look(Lookup::FindOrder { since }));
        };
        let unread = input.observed.orders_left_unread;
        if unread > 0 {
            // Judged only whole: a match among part of the window could have a twin in the rest.
            let phase = match input.status.phase {
                Some(Phase::Terminating) => Phase::Terminating,
                _ => Phase::CheckingOut,
            };
            return Err(wait(
                phase,
                Reason::SearchingOrder,
                format!(
                    "The checkout's answer was lost: its order is searched for among the orders placed \
                     since it began; {} read, {unread} left (a hundred more each pass)",
                    orders.len()
                ),
                Requeue::Progress,
            ));
        }
        match judge_orders(input, orders) {
            OrderSearch::Found(order_id) => return Ok(order_id),
            other => other,
        }
    } else {
        OrderSearch::NotFound
    };
    let cart = input
        .status
        .cart
        .as_ref()
        .map(|c| c.id.as_str())
        .unwrap_or("(unknown)");
    let seen = match search {
        _ if !committed => "the cart is gone, so whether it was checked out cannot be read".into(),
        OrderSearch::Ambiguous(ids) => format!("several orders no other resource holds match it: {ids:?}"),
        OrderSearch::Unverifiable(ids) => format!(
            "orders {ids:?} were placed since, but OVH does not show what they contain on this \
             endpoint (no /extension on the US API), so the operator cannot tell whether one is \
             this resource's"
        ),
        _ => "no order of the account that no other resource holds matches it".into(),
    };
    Err(warn(
        Phase::NeedsAttention,
        Reason::NeedsAttention,
        format!(
            "The checkout of cart {cart} was sent but its answer was lost, and {seen}. The operator \
             will not check out again on a guess. Check the orders of your OVH account \
             (https://www.ovh.com/manager/#/billing/orders) for a Public Cloud project named \
             {:?}: annotate this resource with publiccloud.ovh-operator.dev/order-id=<order id> \
             if one exists, or delete and recreate the resource if none does.",
            input.spec.description
        ),
        Requeue::Person,
    ))
}

/// The order a person named: recorded only if no other resource holds it and it orders what
/// the spec asks (a typo, or another team's order, is refused with what it contains).
pub(crate) fn hinted_order(input: &Input, hint: i64) -> Result<i64, Step> {
    let refuse = |why: String| {
        Err(warn(
            Phase::NeedsAttention,
            Reason::OrderHintRefused,
            format!(
                "The annotation publiccloud.ovh-operator.dev/order-id names order {hint}, which {why}; \
                 it is not recorded. Fix or remove the annotation"
            ),
            Requeue::Person,
        ))
    };
    if input.holders.held_elsewhere(&Holding::Order(hint)) {
        return refuse("another PublicCloudProject holds".into());
    }
    let Some(order) = input.observed.hinted_order.as_ref() else {
        return Err(Step::Look(Lookup::HintedOrder(hint)));
    };
    match order.items.as_deref() {
        // The US API shows no order content: a person's word is all there is.
        None => Ok(hint),
        Some(items) if contents_match(input, items) => Ok(hint),
        Some(items) => refuse(format!(
            "does not order what this resource's spec asks ({})",
            describe(items)
        )),
    }
}

/// The one order among `orders` (placed since the checkout began) that is this resource's.
pub(crate) fn judge_orders(input: &Input, orders: &[OrderSeen]) -> OrderSearch {
    let (mut matches, mut unverifiable) = (Vec::new(), Vec::new());
    for order in orders {
        if input.holders.held_elsewhere(&Holding::Order(order.id)) {
            continue;
        }
        match order.items.as_deref() {
            None => unverifiable.push(order.id),
            Some(items) if contents_match(input, items) => matches.push(order.id),
            Some(_) => {}
        }
    }
    match (matches.as_slice(), unverifiable.is_empty()) {
        ([one], true) => OrderSearch::Found(*one),
        ([], true) => OrderSearch::NotFound,
        ([], false) => OrderSearch::Unverifiable(unverifiable),
        (many, _) => OrderSearch::Ambiguous([many, &unverifiable].concat()),
    }
}

/// Whether an order's details carry exactly what the spec orders: one project item of the
/// plan with exactly the spec's configurations, and exactly the spec's options.
pub(crate) fn contents_match(input: &Input, items: &[OrderItemSeen]) -> bool {
    let Ok(plan_code) = input.plan_code() else {
        return false;
    };
    let mut want = desired_configurations(input.spec);
    want.sort();
    let project = items.iter().any(|i| {
        let mut got = i.configurations.clone();
        got.sort();
        i.plan_code.as_deref() == Some(plan_code.as_str()) && got == want
    });
    let mut options: Vec<&str> = items
        .iter()
        .filter_map(|i| i.plan_code.as_deref())
        .filter(|code| *code != plan_code)
        .collect();
    options.sort_unstable();
    let mut wanted: Vec<String> = desired_options(input.spec)
        .into_iter()
        .map(|(code, _, _)| code)
        .collect();
    wanted.sort_unstable();
    project && options == wanted
}

/// An order's contents in a few words, for a refusal.
pub(crate) fn describe(items: &[OrderItemSeen]) -> String {
    items
        .iter()
        .map(|i| {
            let configurations: Vec<String> = i
                .configurations
                .iter()
                .map(|(l, v)| format!("{l}={v:?}"))
                .collect();
            format!(
                "{} [{}]",
                i.plan_code.as_deref().unwrap_or("?"),
                configurations.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
