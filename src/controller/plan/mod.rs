//! The order planner: a pure function from what the user asked (spec), what was done (status) and
//! what OVH said in this pass (observations) to the one next step. No I/O here: every rule of
//! docs/explanation/exactly-once.md — one order per resource, never a checkout on a guess — is
//! decided and tested here.

use std::time::Duration;

pub use super::{
    holdings::Holding,
    reason::Reason,
    stage::{
        Act, BudgetAct, CartAct, ItemAct, OrderAct, OutputsAct, PaymentAct, ProjectAct, QuotaAct, RegionAct,
        Severity, SpendAct, TerminationAct, UserAct,
    },
};
use crate::{
    api::{Phase, PublicCloudProjectSpec, PublicCloudProjectStatus},
    ovh::model::OrderStatus,
};

/// The marker of what the operator makes at OVH for a resource, followed by its UID: the cart's
/// description, the end of its OpenStack user's description and of its budget alert's name.
/// After a lost answer, the thing is found again by it, never made twice.
pub const MARKER_PREFIX: &str = "ovh-publiccloud-operator:";

/// The configurations the project item must carry, in the order they are posted.
pub fn desired_configurations(spec: &PublicCloudProjectSpec) -> Vec<(String, String)> {
    let mut all = vec![("description".to_string(), spec.description.clone())];
    if let Some(v) = spec.voucher.as_deref().filter(|v| !v.is_empty()) {
        all.push(("voucher".into(), v.into()));
    }
    all.extend(
        spec.configurations
            .iter()
            .map(|c| (c.label.clone(), c.value.clone())),
    );
    all
}

/// An option the project item must carry: (plan code, duration, pricing mode), the plan's
/// duration and pricing mode when the spec names none (terraform's `plan_option` requires both;
/// OVH's `order.cart.GenericOptionCreation` too).
pub fn desired_options(spec: &PublicCloudProjectSpec) -> Vec<(String, String, String)> {
    spec.options
        .iter()
        .map(|o| {
            (
                o.plan_code.clone(),
                o.duration.clone().unwrap_or_else(|| spec.plan.duration.clone()),
                o.pricing_mode
                    .clone()
                    .unwrap_or_else(|| spec.plan.pricing_mode.clone()),
            )
        })
        .collect()
}

/// How soon to look again while waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requeue {
    /// A person must act (approve, pay, fix): slow, and on any change of the resource.
    Person,
    /// OVH or a payer is working (payment, checking, delivering, 404 window): seconds at first,
    /// then minutes.
    Progress,
    /// Everything is done: the periodic resync.
    Resync,
    /// Nothing will change without a spec or Secret change.
    SpecChange,
}

/// The next thing to do: a read, an action at OVH (or a status write), a wait, or the release of
/// the finalizer. Only actions are executed; the other three end or feed the pass.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Look(Lookup),
    Act(Act),
    /// Remove the finalizer: nothing (more) to do at OVH. The note says what was left and why.
    ReleaseFinalizer {
        note: String,
        warning: bool,
    },
    /// Nothing to do now; stay in `phase` with this condition reason and message.
    Wait {
        phase: Phase,
        reason: Reason,
        message: String,
        requeue: Requeue,
        warning: bool,
    },
}

/// A termination token: whoever holds it can confirm the termination, so it never shows in
/// Debug output (logs of planned steps).
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(pub String);

impl std::fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl From<&str> for Sensitive {
    fn from(s: &str) -> Self {
        Self(s.to_string())
    }
}

impl From<String> for Sensitive {
    fn from(s: String) -> Self {
        Self(s)
    }
}

/// How many times in all the operator requests one order's payment. A request is made again
/// only when it cannot have charged (a 429, or past the settle time the order is still notPaid
/// and `GET /me/order/{orderId}/payment` answers 404), so this bound is not what keeps a payment
/// single: it ends the operator's attempts when paying keeps failing (an incident at OVH, a
/// method the bank declines after accepting the request), and it caps the harm should OVH's
/// undocumented 404 for "no payment" ever be wrong. Three attempts with the default settle time
/// span about an hour; then a person pays at the order URL.
pub const MAX_PAYMENT_ATTEMPTS: u32 = 3;

/// How long a payment answered 429 without Retry-After waits before it is requested again
/// (assumed: OVH documents no rate limit for these routes), and the longest Retry-After honoured.
pub const PAYMENT_DEFER_DEFAULT: Duration = Duration::from_secs(30);
pub const PAYMENT_DEFER_MAX: Duration = Duration::from_secs(3600);

pub(crate) fn wait(phase: Phase, reason: Reason, message: impl Into<String>, requeue: Requeue) -> Step {
    Step::Wait {
        phase,
        reason,
        message: message.into(),
        requeue,
        warning: false,
    }
}

pub(crate) fn warn(phase: Phase, reason: Reason, message: impl Into<String>, requeue: Requeue) -> Step {
    Step::Wait {
        phase,
        reason,
        message: message.into(),
        requeue,
        warning: true,
    }
}

pub(crate) fn parse_time(t: Option<&str>) -> Option<jiff::Timestamp> {
    t.and_then(|t| t.parse().ok())
}

/// The next step of a resource that is not being deleted.
pub fn plan(input: &Input) -> Step {
    if input.paused {
        return paused(input, "no OVH call is made until the annotation is removed");
    }
    if let Some(project_id) = input.adopted_id() {
        return input
            .held_project(project_id)
            .unwrap_or_else(|| follow_project(input, project_id, true));
    }
    // A project taken over because it already existed (spec.onExisting: Adopt): no order of ours.
    if let (None, Some(project_id)) = (input.status.order.as_ref(), input.status.project_id.as_deref()) {
        return input
            .held_project(project_id)
            .unwrap_or_else(|| follow_project(input, project_id, true));
    }
    match input.status.order.as_ref() {
        Some(order) => follow_order(input, order.id, order.status.as_deref()),
        None => prepare_order(input),
    }
}

pub(crate) fn paused(input: &Input, what: &str) -> Step {
    wait(
        input.status.phase.unwrap_or(Phase::Pending),
        Reason::Paused,
        format!("Paused by the annotation publiccloud.ovh-operator.dev/paused=true: {what}"),
        Requeue::SpecChange,
    )
}

/// An amount such as "12.50" in cents (None if it is not one).
/// Checked: an amount too large for a u64 of cents is None (never wrapped to a small one),
/// and so are signs, spaces and exponents.
pub fn cents(amount: &str) -> Option<u64> {
    let (units, decimals) = amount.split_once('.').unwrap_or((amount, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if units.is_empty() || !digits(units) || decimals.len() > 2 || !digits(decimals) {
        return None;
    }
    let units: u64 = units.parse().ok()?;
    let decimals: u64 = format!("{decimals:0<2}").parse().ok()?;
    units.checked_mul(100)?.checked_add(decimals)
}

/// The price ceilings in force (spec.maxPrice, --max-price) in cents, lowest first. One that
/// does not read as an amount counts as 0: it fails closed (a person approves).
pub(crate) fn ceilings<'a>(input: &Input<'a>) -> Vec<(u64, &'a str)> {
    let mut all: Vec<(u64, &str)> = [input.spec.max_price.as_deref(), input.max_price]
        .into_iter()
        .flatten()
        .map(|p| (cents(p).unwrap_or(0), p))
        .collect();
    all.sort_unstable();
    all
}

/// The finalizer goes: nothing (more) to do at OVH.
pub(crate) fn release(note: String) -> Step {
    Step::ReleaseFinalizer { note, warning: false }
}

/// The finalizer goes, leaving something at OVH a person should look at (a Warning).
pub(crate) fn leave_behind(note: String) -> Step {
    Step::ReleaseFinalizer { note, warning: true }
}

pub(crate) fn is_zero(amount: &str) -> bool {
    cents(amount) == Some(0)
}

mod input;
mod observed;

pub use input::*;

pub use observed::*;

pub(crate) use super::stage::plan_deletion;
pub use super::stage::{
    CLOUD_NAME, CLOUDS_YAML_KEY, OPENRC_KEYS, ORDER_ID_KEY, Outputs, PASSWORD_KEY, PROJECT_ID_KEY,
    SecretSeen, USER_ID_KEY, UserSeen, clouds_yaml, parse_openrc,
};
use super::stage::{follow_order, follow_project, prepare_order};

#[cfg(test)]
mod tests;
