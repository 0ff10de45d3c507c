//! What the planner decides from: the resource (spec, status, annotations), what this pass read
//! and did, the operator's settings, and who holds what — and the questions about them the
//! rules share.

use std::time::Duration;

use super::*;
use crate::api::{
    APPROVE_ANNOTATION, APPROVED_BY_ANNOTATION, ORDER_ID_ANNOTATION, PAUSED_ANNOTATION, PublicCloudProject,
    TERMINATION_TOKEN_ANNOTATION,
};

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
