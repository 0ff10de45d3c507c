//! Planning the cart's contents: exactly one project item of the spec's plan, its configurations and its options.

use super::*;
use crate::{
    api::{OvhSubsidiary, PublicCloudProjectSpec},
    controller::plan::*,
};

/// The next change to bring the cart's single project item (and its options) to the spec, if any.
pub(crate) fn configure_item(
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
            subsidiary: spec.ovh_subsidiary.map(OvhSubsidiary::code),
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
pub(crate) fn configure_options(
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

/// The cart holds a project item whose POST this status does not record as answered (the status
/// write after it was lost to a crash: the POSTs that fill a cart are not preceded by a write of
/// their own). Its POST may have been sent more than once and still commit: it is recorded as
/// posted now, so the checkout waits the grace as after a lost answer.
pub(crate) fn unanswered_item(
    input: &Input,
    cart: &crate::api::CartStatus,
    items: &[ItemSeen],
) -> Option<Step> {
    if input.checking_out() || cart.item_posted_at.is_some() {
        return None;
    }
    let item = items.iter().find(|i| i.parent_item_id.is_none())?;
    (cart.item_id != Some(item.item_id)).then(|| {
        Step::Act(Act::Item(ItemAct::RecordUnanswered {
            item_id: item.item_id,
            seen_at: input.now.to_string(),
        }))
    })
}
