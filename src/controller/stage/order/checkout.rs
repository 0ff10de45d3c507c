//! Planning the checkout: the price shown, the approval it needs, and the checkout itself — never a second one on a guess.

use super::*;
use crate::{
    api::{Approval, Payment},
    controller::plan::*,
};

/// How the cart is judged before it is bought.
pub(crate) struct Judgement<'a> {
    /// The lowest price ceiling in force (spec.maxPrice, --max-price).
    pub(crate) ceiling: Option<(u64, &'a str)>,
    /// A person (or a ceiling) judges this cart's price before it is bought.
    pub(crate) judged: bool,
    /// The approve annotation names this cart.
    pub(crate) approved: bool,
}

impl<'a> Judgement<'a> {
    pub(crate) fn of(input: &Input<'a>, cart_id: &str) -> Self {
        let ceiling = ceilings(input).first().copied();
        Judgement {
            ceiling,
            judged: input.spec.approval == Approval::Manual || ceiling.is_some(),
            approved: input.approval == Some(cart_id),
        }
    }
}

/// The filled cart is bought: priced and judged when something depends on its price, its intent
/// recorded, then checked out — once, and again only when OVH shows none came of it.
pub(crate) fn checkout(input: &Input, cart: &CartStatus, judgement: Judgement) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let Judgement {
        ceiling,
        judged,
        approved,
    } = judgement;
    let cart_id = cart.id.clone();
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
    if input.memory.checkout_begun {
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

/// The wait for a person's approval of `cart_id`, saying why an approval given does not apply.
fn awaiting_approval(input: &Input, cart_id: &str, message: String) -> Step {
    let abandoned = input.status.abandoned_cart.as_deref();
    match (input.approval, abandoned) {
        (Some(other), Some(old)) if other == old => warn(
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            format!(
                "The spec changed after the price of cart {old} was shown, so its approval does \
                 not apply: cart {old} was deleted and cart {cart_id} made for the new spec. A new \
                 approval is needed. {message}"
            ),
            Requeue::Person,
        ),
        (Some(other), _) => warn(
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            format!("The approval names cart {other}, not the current cart. {message}"),
            Requeue::Person,
        ),
        (None, Some(old)) => wait(
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            format!(
                "The spec changed after the price of cart {old} was shown: cart {cart_id} was made \
                 for the new spec and needs its own approval. {message}"
            ),
            Requeue::Person,
        ),
        (None, None) => wait(
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            message,
            Requeue::Person,
        ),
    }
}

/// What must hold before a priced cart is bought: a person's approval (approval: Manual, or a
/// price above the ceiling) and, for payment: Automatic on a priced order, a usable method.
pub(crate) fn before_buying(
    input: &Input,
    cart_id: &str,
    price: &PriceStatus,
    ceiling: Option<(u64, &str)>,
) -> Option<Step> {
    let (spec, observed) = (input.spec, input.observed);
    let above_ceiling = ceiling.filter(|(c, _)| cents(&price.with_tax).is_none_or(|p| p > *c));
    if (spec.approval == Approval::Manual || above_ceiling.is_some()) && input.approval != Some(cart_id) {
        let why = match above_ceiling {
            Some((_, max)) if spec.approval == Approval::Automatic => {
                format!(", above the price ceiling of {max} {}", price.currency)
            }
            _ => String::new(),
        };
        // An annotation already set is replaced only with --overwrite.
        let overwrite = if input.approval.is_some() {
            " --overwrite"
        } else {
            ""
        };
        let message = format!(
            "Cart {cart_id} costs {} {} with tax{why}. To order it: kubectl annotate pcp <name> \
             publiccloud.ovh-operator.dev/approve={cart_id}{overwrite}",
            price.with_tax, price.currency
        );
        return Some(awaiting_approval(input, cart_id, message));
    }
    // A priced order with payment: Automatic needs a usable default method, or nothing is
    // ordered (terraform-provider-ovh fails the same way before checkout).
    if spec.payment == Payment::Automatic && !is_zero(&price.with_tax) {
        let Some(method) = observed.default_payment_method.as_ref() else {
            return Some(Step::Look(Lookup::DefaultPaymentMethod));
        };
        if let Some(problem) = unusable_method(method.as_ref()) {
            return Some(warn(
                Phase::Failed,
                Reason::NoPaymentMethod,
                format!(
                    "payment: Automatic, but {problem} and the order costs {} {}. Add or fix the \
                     default payment method in the OVH console, or set payment: Manual.",
                    price.with_tax, price.currency
                ),
                Requeue::Person,
            ));
        }
    }
    None
}
