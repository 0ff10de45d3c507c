//! Planning an order: the cart, its item and configurations, the price, approval and the
//! checkout — and never a second checkout on a guess.

use super::*;
use crate::{
    api::{Approval, Payment},
    controller::plan::*,
};

pub(crate) fn prepare_order(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let Some(cart) = status.cart.as_ref() else {
        if input.checking_out() {
            // A checkout may have run, but we lost the cart too: never order again on a guess.
            return find_lost_order(input, None);
        }
        // A create recorded by an earlier pass may have run without its answer recorded (a
        // crash, a lost answer): look for the cart by its marker, and only then.
        if status.cart_requested_at.is_some() && !observed.cart_begun {
            let Some(found) = observed.marker_carts.as_ref() else {
                return Step::Look(Lookup::CartsByMarker(input.marker()));
            };
            // Never a cart abandoned after its price was shown (deleted before it was forgotten,
            // but a listing may lag behind a deletion).
            let abandoned = status.abandoned_cart.as_deref();
            if let Some(cart_id) = found.iter().find(|c| Some(c.as_str()) != abandoned) {
                return Step::Act(Act::Cart(CartAct::ReadFound {
                    cart_id: cart_id.clone(),
                }));
            }
        }
        if let Some(step) = existing_project(input) {
            return step;
        }
        let subsidiary = match input.subsidiary() {
            Ok(s) => s,
            Err(look) => return look,
        };
        if status.cart_requested_at.is_none() {
            return Step::Act(Act::Cart(CartAct::Begin));
        }
        let plan_code = spec
            .plan
            .plan_code
            .clone()
            .unwrap_or_else(|| default_plan_code(&subsidiary).to_string());
        return Step::Act(Act::Cart(CartAct::Create {
            subsidiary,
            marker: input.marker(),
            plan_code,
        }));
    };
    let cart_id = cart.id.clone();
    if cart.assigned != Some(true) && !input.checking_out() {
        return Step::Act(Act::Cart(CartAct::Assign { cart_id }));
    }
    let Some(seen) = observed.cart.as_ref() else {
        return Step::Look(Lookup::Cart(cart_id));
    };
    let since = cart.created_at.clone();
    let items = match seen {
        CartSeen::Gone if input.checking_out() => return find_lost_order(input, since),
        CartSeen::Gone => return Step::Act(Act::Cart(CartAct::Forget)),
        CartSeen::Found { read_only: true, .. } => return find_lost_order(input, since),
        CartSeen::Found { items, .. } => items,
    };
    let plan_code = match input.plan_code() {
        Ok(code) => code,
        Err(look) => return look,
    };
    let ceiling = ceilings(input).first().copied();
    // A person (or a ceiling) judges this cart's price before it is bought.
    let judged = spec.approval == Approval::Manual || ceiling.is_some();
    // The approve annotation names this cart.
    let approved = input.approval == Some(cart_id.as_str());
    if let Some(step) = configure_item(spec, &plan_code, &cart_id, items) {
        // An approval names a cart id: once a price a person (or a ceiling) judges was shown, or
        // an approval names the cart (even one given before its price was shown), the cart is
        // never changed, or the approval would buy content at a price nobody saw. A new cart is
        // made instead (new id), priced and approved again. Only before any checkout: the CEL
        // rules refuse such spec changes from then on.
        if judged && (status.price.is_some() || approved) && !input.checking_out() {
            return Step::Act(Act::Cart(CartAct::Abandon { cart_id }));
        }
        return step;
    }
    // The price is read before buying only when something depends on it: a person's approval, a
    // ceiling, or paying it automatically. Otherwise the checkout's answer carries it (one call
    // fewer per order).
    let price_needed =
        spec.approval == Approval::Manual || ceiling.is_some() || spec.payment == Payment::Automatic;
    if status.phase != Some(Phase::CheckingOut) {
        if let Some(wait) = item_post_unsettled(input, cart) {
            return wait;
        }
        if price_needed {
            let Some(price) = status.price.as_ref() else {
                return Step::Act(Act::Cart(CartAct::PreviewPrice { cart_id }));
            };
            if let Some(wait) = before_buying(input, &cart_id, price, ceiling) {
                return wait;
            }
            // Catalog prices change while an approval waits: the price a person or a ceiling
            // judged is read again just before buying; a change makes a new cart, judged anew.
            match observed.current_price.as_ref() {
                None if judged => return Step::Look(Lookup::CartPrice(cart_id)),
                Some(now) if now != price => return Step::Act(Act::Cart(CartAct::Abandon { cart_id })),
                _ => {}
            }
        }
        // Who approved is recorded only where an approval is judged: there the cart was not
        // changed since the approval named it. Without approval or ceiling the cart is changed
        // in place, so an approve annotation naming it may predate its content.
        return Step::Act(Act::Order(OrderAct::BeginCheckout {
            approved_by: (judged && approved).then(|| input.approved_by.unwrap_or("(unknown)").to_string()),
        }));
    }
    if observed.checkout_begun {
        return Step::Act(Act::Order(OrderAct::Checkout { cart_id }));
    }
    // A checkout that began in an earlier pass may still be running at OVH (its answer lost or
    // late): the cart only turns read-only when OVH is done. Wait before sending it again.
    let started = parse_time(cart.checkout_started_at.as_deref());
    if let Some(started) = started
        && input.now < started + input.checkout_grace
    {
        return wait(
            Phase::CheckingOut,
            Reason::Ordering,
            format!(
                "A checkout of cart {cart_id} began at {started} and its outcome is not known yet; \
                 the cart is still open, so it is sent again after {}",
                started + input.checkout_grace
            ),
            Requeue::Progress,
        );
    }
    // The grace is longer than any checkout may run, and this pass read the cart open: OVH
    // turns a cart read-only when a checkout commits, so no order came of it. Any order the
    // account shows meanwhile is someone else's. Only now may a withdrawn approval or a lowered
    // ceiling count (before, the checkout may still commit): then send it again.
    if price_needed
        && let Some(price) = status.price.as_ref()
        && let Some(wait) = before_buying(input, &cart_id, price, ceiling)
    {
        return wait;
    }
    Step::Act(Act::Order(OrderAct::Checkout { cart_id }))
}

/// An item or option POST whose answer was lost may still commit at OVH until the grace has
/// passed: checking out before would buy what this pass's read of the cart did not show.
pub(crate) fn item_post_unsettled(input: &Input, cart: &crate::api::CartStatus) -> Option<Step> {
    let posted = cart.item_posted_at.as_deref()?;
    // A time that does not read counts as now: wait (a checkout cannot be taken back).
    let posted = posted.parse::<jiff::Timestamp>().unwrap_or(input.now);
    let until = posted + input.checkout_grace;
    (input.now < until).then(|| {
        wait(
            input.status.phase.unwrap_or(Phase::Pending),
            Reason::Ordering,
            format!(
                "An item posted to cart {} at {posted} has no recorded answer and may still be added \
                 at OVH; the cart is read again and checked out after {until}",
                cart.id
            ),
            Requeue::Progress,
        )
    })
}
