//! Planning an order: the cart, its item and configurations, the price, approval and the
//! checkout — and never a second checkout on a guess.

use super::{lost_order::find_lost_order, *};
use crate::api::PriceStatus;

pub(super) fn prepare_order(input: &Input) -> Step {
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
fn item_post_unsettled(input: &Input, cart: &crate::api::CartStatus) -> Option<Step> {
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

/// Before the first cart: a project of the account with this description means the manifest
/// may already have been ordered elsewhere (another cluster, a rebuilt one): spec.onExisting
/// decides. Projects another resource holds are not this manifest's: they are skipped, and no
/// message names them.
fn existing_project(input: &Input) -> Option<Step> {
    if input.spec.on_existing == OnExisting::Order {
        return None;
    }
    let Some(found) = input.observed.existing_project.as_ref() else {
        return Some(Step::Look(Lookup::ExistingProject {
            description: input.spec.description.clone(),
        }));
    };
    let free: Vec<&String> = found
        .iter()
        .filter(|id| !input.holders.held_elsewhere(&Holding::Project((*id).clone())))
        .collect();
    let first = free.first()?;
    Some(match input.spec.on_existing {
        OnExisting::Adopt if free.len() == 1 => input.record_project((*first).clone()),
        OnExisting::Adopt => warn(
            Phase::NeedsAttention,
            Reason::ProjectExists,
            format!(
                "The OVH account has {} projects named {:?} that no resource holds; the operator \
                 will not pick one on a guess. Set spec.projectId to the one to follow, or \
                 spec.onExisting: Order to order another",
                free.len(),
                input.spec.description
            ),
            Requeue::SpecChange,
        ),
        _ => warn(
            Phase::NeedsAttention,
            Reason::ProjectExists,
            format!(
                "The OVH account already has a project named {:?} that no resource holds; nothing \
                 was ordered. To follow it, set spec.onExisting: Adopt (or spec.projectId); to order \
                 another one anyway, set spec.onExisting: Order",
                input.spec.description
            ),
            Requeue::SpecChange,
        ),
    })
}

/// What must hold before a priced cart is bought: a person's approval (approval: Manual, or a
/// price above the ceiling) and, for payment: Automatic on a priced order, a usable method.
fn before_buying(
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

/// Why this default payment method cannot pay, if it cannot.
pub(super) fn unusable_method(method: Option<&PaymentMethodSeen>) -> Option<String> {
    match method {
        None => Some("the OVH account has no default payment method".into()),
        Some(m) if !m.usable() => Some(format!(
            "the default payment method {} is not VALID",
            m.describe()
        )),
        Some(_) => None,
    }
}

/// The next change to bring the cart's single project item (and its options) to the spec, if any.
fn configure_item(
    spec: &PublicCloudProjectSpec,
    plan_code: &str,
    cart_id: &str,
    items: &[ItemSeen],
) -> Option<Step> {
    let cart_id = cart_id.to_string();
    let matches_plan = |i: &ItemSeen| {
        i.plan_code.as_deref() == Some(plan_code)
            && i.duration.as_deref().is_none_or(|d| d == spec.plan.duration)
            && i.pricing_mode
                .as_deref()
                .is_none_or(|p| p == spec.plan.pricing_mode)
    };
    // Option items hang from a project item (`parentItemId`); they are dealt with after it.
    let (projects, options): (Vec<&ItemSeen>, Vec<&ItemSeen>) =
        items.iter().partition(|i| i.parent_item_id.is_none());
    // Exactly one item, of the spec's plan: anything else goes (left by a spec change or a crash).
    let keep = projects.iter().copied().find(|i| matches_plan(i));
    if let Some(extra) = projects
        .iter()
        .find(|i| Some(i.item_id) != keep.map(|k| k.item_id))
    {
        return Some(Step::Act(Act::Item(ItemAct::Delete {
            cart_id,
            item_id: extra.item_id,
        })));
    }
    let Some(item) = keep else {
        return Some(Step::Act(Act::Item(ItemAct::Add {
            cart_id,
            plan_code: plan_code.to_string(),
            duration: spec.plan.duration.clone(),
            pricing_mode: spec.plan.pricing_mode.clone(),
            subsidiary: spec.ovh_subsidiary.map(|s| format!("{s:?}")),
        })));
    };
    let desired = desired_configurations(spec);
    if let Some((id, _, _)) = item.configurations.iter().find(|(_, label, value)| {
        !desired.iter().any(|(l, v)| l == label && v == value)
            || item.configurations.iter().filter(|(_, l, _)| l == label).count() > 1
    }) {
        return Some(Step::Act(Act::Item(ItemAct::DeleteConfiguration {
            cart_id,
            item_id: item.item_id,
            configuration_id: *id,
        })));
    }
    if let Some((label, value)) = desired
        .into_iter()
        .find(|(label, _)| !item.configurations.iter().any(|(_, l, _)| l == label))
    {
        return Some(Step::Act(Act::Item(ItemAct::AddConfiguration {
            cart_id,
            item_id: item.item_id,
            label,
            value,
            item_plan_code: plan_code.to_string(),
        })));
    }
    configure_options(spec, (cart_id, item.item_id, plan_code), &options)
}

/// The next change to bring the option items of project item `item_id` to spec.options: an
/// option of another item, not in the spec or twice goes; a missing one is added. The cart is
/// read on every pass before this, so an option whose POST succeeded but whose answer was lost
/// is seen and never added twice.
fn configure_options(
    spec: &PublicCloudProjectSpec,
    (cart_id, item_id, item_plan_code): (String, i64, &str),
    options: &[&ItemSeen],
) -> Option<Step> {
    let desired = desired_options(spec);
    let mut kept: Vec<&str> = Vec::new();
    for option in options {
        let code = option.plan_code.as_deref().unwrap_or_default();
        let wanted = option.parent_item_id == Some(item_id)
            && !kept.contains(&code)
            && desired.iter().any(|(c, duration, pricing_mode)| {
                c == code
                    && option.duration.as_deref().is_none_or(|d| d == duration)
                    && option.pricing_mode.as_deref().is_none_or(|p| p == pricing_mode)
            });
        if !wanted {
            return Some(Step::Act(Act::Item(ItemAct::Delete {
                cart_id,
                item_id: option.item_id,
            })));
        }
        kept.push(code);
    }
    desired
        .into_iter()
        .find(|(code, _, _)| !kept.contains(&code.as_str()))
        .map(|(plan_code, duration, pricing_mode)| {
            Step::Act(Act::Item(ItemAct::AddOption {
                cart_id,
                item_id,
                plan_code,
                duration,
                pricing_mode,
                item_plan_code: item_plan_code.to_string(),
            }))
        })
}
