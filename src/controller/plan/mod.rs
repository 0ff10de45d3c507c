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
    api::{
        APPROVE_ANNOTATION, APPROVED_BY_ANNOTATION, ORDER_ID_ANNOTATION, PAUSED_ANNOTATION, Phase,
        PublicCloudProject, PublicCloudProjectSpec, PublicCloudProjectStatus, TERMINATION_TOKEN_ANNOTATION,
    },
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

/// Everything the planner decides from.
pub struct Input<'a> {
    pub spec: &'a PublicCloudProjectSpec,
    pub status: &'a PublicCloudProjectStatus,
    pub uid: &'a str,
    /// Value of the approve annotation (a cart id).
    pub approval: Option<&'a str>,
    /// Value of the order-id annotation: a person's answer to NeedsAttention.
    pub order_hint: Option<i64>,
    /// Value of the termination-token annotation.
    pub termination_token: Option<&'a str>,
    pub observed: &'a Observed,
    pub memory: &'a Memory,
    pub now: jiff::Timestamp,
    /// How long an open cart in CheckingOut waits after a checkout began, before it is sent again.
    pub checkout_grace: Duration,
    /// How long after delivery a 404 on the ordered project means "not visible yet".
    pub project_404_window: Duration,
    /// How long a payment the operator requested may take to show (--payment-settle): deletion
    /// waits that long for it, and only then may an unregistered payment be requested again.
    pub payment_settle: Duration,
    /// How often a Ready project's spend and the rest of its day-two state are read
    /// (--spend-interval).
    pub spend_interval: Duration,
    /// The paused annotation is "true": no OVH call at all.
    pub paused: bool,
    /// Who set the approve annotation (stamped at admission).
    pub approved_by: Option<&'a str>,
    /// The operator's price ceiling (--max-price), on top of spec.maxPrice.
    pub max_price: Option<&'a str>,
    /// --allow-terminate: false turns every deletionPolicy: Terminate into Orphan.
    pub allow_terminate: bool,
    /// Whether another resource holds this project or order (docs/security-model.md: the first to record
    /// it holds it). Such a project or order is never followed, paid, renamed or terminated here.
    pub holders: &'a (dyn Holders + Sync),
}

/// The operator's settings the planner decides with (its `run` flags; fixed for a dry plan).
#[derive(Clone, Copy, Debug)]
pub struct Policy<'a> {
    pub checkout_grace: Duration,
    pub project_404_window: Duration,
    pub payment_settle: Duration,
    pub spend_interval: Duration,
    pub max_price: Option<&'a str>,
    pub allow_terminate: bool,
}

impl<'a> Input<'a> {
    /// The input for `obj` (its spec, uid and annotations) with this status and observations.
    pub fn new(
        obj: &'a PublicCloudProject,
        status: &'a PublicCloudProjectStatus,
        (observed, memory): (&'a Observed, &'a Memory),
        policy: Policy<'a>,
        holders: &'a (dyn Holders + Sync),
    ) -> Self {
        let annotation = |key: &str| {
            obj.metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(key))
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        Input {
            spec: &obj.spec,
            status,
            uid: obj.metadata.uid.as_deref().unwrap_or_default(),
            approval: annotation(APPROVE_ANNOTATION),
            order_hint: annotation(ORDER_ID_ANNOTATION).and_then(|v| v.parse().ok()),
            termination_token: annotation(TERMINATION_TOKEN_ANNOTATION),
            observed,
            memory,
            now: jiff::Timestamp::now(),
            checkout_grace: policy.checkout_grace,
            project_404_window: policy.project_404_window,
            payment_settle: policy.payment_settle,
            spend_interval: policy.spend_interval,
            paused: annotation(PAUSED_ANNOTATION) == Some("true"),
            approved_by: annotation(APPROVED_BY_ANNOTATION),
            max_price: policy.max_price,
            allow_terminate: policy.allow_terminate,
            holders,
        }
    }
}

/// Who holds what, as the planner asks it (docs/security-model.md: the first resource to record a project
/// or an order holds it).
pub trait Holders {
    /// Whether another resource than the one planned holds `holding`.
    fn held_elsewhere(&self, holding: &Holding) -> bool;
}

/// No other resource holds anything (a dry plan, which records nothing).
pub struct NoHolders;

impl Holders for NoHolders {
    fn held_elsewhere(&self, _: &Holding) -> bool {
        false
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

impl Input<'_> {
    pub(crate) fn marker(&self) -> String {
        format!("{MARKER_PREFIX}{}", self.uid)
    }

    /// A checkout may have placed an order: CheckingOut, or NeedsAttention because a checkout's
    /// answer was lost (not every NeedsAttention: e.g. ProjectExists stops before any cart).
    pub(crate) fn checking_out(&self) -> bool {
        self.status.checkout_may_have_run()
    }

    /// The account's subsidiary: from the spec, or read from `GET /me`.
    pub(crate) fn subsidiary(&self) -> Result<String, Step> {
        match (self.spec.ovh_subsidiary, self.observed.subsidiary.as_ref()) {
            (Some(s), _) => Ok(s.code()),
            (None, Some(s)) => Ok(s.clone()),
            (None, None) => Err(Step::Look(Lookup::AccountSubsidiary)),
        }
    }

    /// The plan code to order: the spec's, else the one resolved when the cart was made, else
    /// the subsidiary's default.
    pub(crate) fn plan_code(&self) -> Result<String, Step> {
        if let Some(code) = self
            .spec
            .plan
            .plan_code
            .as_ref()
            .or(self.status.plan_code.as_ref())
        {
            return Ok(code.clone());
        }
        self.subsidiary().map(|s| default_plan_code(&s).to_string())
    }

    pub(crate) fn order_url(&self) -> &str {
        self.status
            .order
            .as_ref()
            .and_then(|o| o.url.as_deref())
            .unwrap_or("the OVH console")
    }

    /// Whether a 404 on this ordered project may still mean "not visible yet".
    pub(crate) fn within_404_window(&self) -> bool {
        let delivered = self
            .status
            .delivered_at
            .as_deref()
            .or(self.status.order.as_ref().and_then(|o| o.date.as_deref()))
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        // Without a date, assume delivery just happened: waiting is safe, releasing is not.
        delivered.is_none_or(|d| self.now < d + self.project_404_window)
    }

    /// The stop for a project another resource holds: its id is dropped from this status if
    /// recorded there (from before the rule), then nothing is done with it. The message names no
    /// other resource: a namespace learns nothing of another's.
    pub(crate) fn held_project(&self, project_id: &str) -> Option<Step> {
        if !self
            .holders
            .held_elsewhere(&Holding::Project(project_id.to_string()))
        {
            return None;
        }
        if self.status.project_id.as_deref() == Some(project_id) {
            return Some(Step::Act(Act::Project(ProjectAct::DropHeld)));
        }
        Some(warn(
            Phase::NeedsAttention,
            Reason::ProjectHeld,
            format!(
                "Project {project_id} is held by another PublicCloudProject (the first resource to \
                 order or adopt a project holds it): this resource makes no call about it. Name \
                 another project, or have the holder deleted (deletionPolicy: Orphan) first"
            ),
            Requeue::Person,
        ))
    }

    /// Records `project_id` as the resource's project. Delivered by this resource's order (not
    /// adopted by spec.projectId or spec.onExisting): the 404 window starts, and the ordered name
    /// (fixed from checkout to delivery) is recorded as status.projectDescription.
    pub(crate) fn record_project(&self, project_id: impl Into<String>) -> Step {
        Step::Act(Act::Project(ProjectAct::RecordId {
            project_id: project_id.into(),
            delivered_as: (!self.adopted()).then(|| self.spec.description.clone()),
        }))
    }

    pub(crate) fn adopted_id(&self) -> Option<&str> {
        self.spec.adopted_id()
    }

    pub(crate) fn adopted(&self) -> bool {
        self.spec.adopts(self.status)
    }

    /// A payment the operator requested that may still go through.
    pub(crate) fn payment_in_flight(&self) -> bool {
        self.status.payment.as_ref().is_some_and(|p| {
            p.refused.is_none()
                && p.requested_at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|t| self.now < t + self.payment_settle)
        })
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

mod observed;

pub use observed::*;

pub(crate) use super::stage::plan_deletion;
pub use super::stage::{
    CLOUD_NAME, CLOUDS_YAML_KEY, OPENRC_KEYS, ORDER_ID_KEY, Outputs, PASSWORD_KEY, PROJECT_ID_KEY,
    SecretSeen, USER_ID_KEY, UserSeen, clouds_yaml, parse_openrc,
};
use super::stage::{follow_order, follow_project, prepare_order};

#[cfg(test)]
mod tests;
