//! Planning an order: the cart, its item and configurations, the price, approval and the
//! checkout — and never a second checkout on a guess.

use super::*;
use crate::controller::plan::*;

/// The next step before the order exists: the cart made (or found again), assigned, filled as
/// the spec says, then judged and checked out.
pub(crate) fn prepare_order(input: &Input) -> Step {
    let (status, observed) = (input.status, input.observed);
    let Some(cart) = status.cart.as_ref() else {
        return make_cart(input);
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
    let judgement = Judgement::of(input, &cart_id);
    if let Some(step) = configure_item(input.spec, &plan_code, &cart_id, items) {
        // An approval names a cart id: once a price a person (or a ceiling) judges was shown, or
        // an approval names the cart (even one given before its price was shown), the cart is
        // never changed, or the approval would buy content at a price nobody saw. A new cart is
        // made instead (new id), priced and approved again. Only before any checkout: the CEL
        // rules refuse such spec changes from then on.
        if judgement.judged && (status.price.is_some() || judgement.approved) && !input.checking_out() {
            return Step::Act(Act::Cart(CartAct::Abandon { cart_id }));
        }
        return step;
    }
    if let Some(step) = unanswered_item(input, cart, items) {
        return step;
    }
    checkout(input, cart, judgement)
}

/// No cart recorded: one is made, its intent first — unless a checkout may have run (then its
/// order is searched for), or an earlier creation may have run (then it is found by its marker).
fn make_cart(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    if input.checking_out() {
        // A checkout may have run, but we lost the cart too: never order again on a guess.
        return find_lost_order(input, None);
    }
    // A create recorded by an earlier pass may have run without its answer recorded (a
    // crash, a lost answer): look for the cart by its marker, and only then.
    if status.cart_requested_at.is_some() && !input.memory.cart_begun {
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
    Step::Act(Act::Cart(CartAct::Create {
        subsidiary,
        marker: input.marker(),
        plan_code,
    }))
}
