//! Planning the checkout: the price shown, the approval it needs, and the checkout itself — never a second one on a guess.

use super::*;
use crate::{
    api::{Approval, Payment},
    controller::plan::*,
};

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
        let abandoned = input.status.abandoned_cart.as_deref();
        return Some(match (input.approval, abandoned) {
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
        });
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
