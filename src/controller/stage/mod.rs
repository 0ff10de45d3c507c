//! The stages of a resource's life, one module each: the acts the planner may choose in that
//! stage, how each is carried out (at most one OVH call; a status-only act makes none) and how
//! its outcome is written into the status. Adding a step to a stage touches that stage's module,
//! the planner rule that chooses it and, when it says something new, the reasons table.
//!
//! Execution does I/O and returns an outcome; applying an outcome is pure (tested without I/O,
//! like the planner): it records what happened in the status and in the pass's observations, and
//! says which event and phase follow.

use jiff::Timestamp;

pub use self::{
    budget::{BudgetAct, BudgetOutcome},
    cart::{CartAct, CartOutcome},
    item::{ItemAct, ItemOutcome},
    order::{OrderAct, OrderOutcome, price_of, price_of_order},
    outputs::{
        CLOUD_NAME, CLOUDS_YAML_KEY, Cluster, OPENRC_KEYS, ORDER_ID_KEY, Outputs, OutputsAct, OutputsOutcome,
        PASSWORD_KEY, PROJECT_ID_KEY, SecretSeen, USER_ID_KEY, UserSeen, clouds_yaml, parse_openrc,
    },
    payment::{PaymentAct, PaymentOutcome},
    project::{ProjectAct, ProjectOutcome},
    quota::{QuotaAct, QuotaOutcome},
    region::{RegionAct, RegionOutcome},
    spend::{SpendAct, SpendOutcome},
    termination::{TerminationAct, TerminationOutcome},
    user::{UserAct, UserOutcome},
};
// The planner's rules, stage by stage: each decides its stage's next step, or hands over to the
// next stage's.
pub(crate) use self::{
    budget::plan_budget,
    cart::prepare_order,
    item::{configure_item, item_post_unsettled, unanswered_item},
    order::{Judgement, checkout, find_lost_order, follow_order, lost_order},
    outputs::{pending, plan_outputs},
    payment::{unpaid_order, unusable_method},
    project::{existing_project, follow_project},
    quota::plan_quota,
    region::plan_regions,
    spend::{plan_day_two, spend_due},
    termination::plan_deletion,
    user::{UserStep, delete_user, recorded_user, user_not_ready},
};
use super::plan::{
    CartSeen, FIDELITY_ACCOUNT, Holding, ItemSeen, Memory, Observed, PAYMENT_DEFER_DEFAULT,
    PAYMENT_DEFER_MAX, PaymentMethodSeen, ProjectSeen, Reason, Sensitive,
};
use crate::{
    api::{
        CartStatus, OpenstackUserStatus, PaymentStatus, Phase, PriceStatus, PublicCloudProjectStatus,
        RecordedOrder, TerminationStatus,
    },
    ovh::{OvhClient, OvhError, model::OrderStatus},
};

mod budget;
mod cart;
mod item;
mod order;
mod outputs;
mod payment;
mod project;
mod quota;
mod region;
mod spend;
mod termination;
mod user;

/// One step the planner chose: one OVH call (or none, or one Kubernetes write), then one status
/// write.
#[derive(Clone, Debug, PartialEq)]
pub enum Act {
    Cart(CartAct),
    Item(ItemAct),
    Order(OrderAct),
    Payment(PaymentAct),
    Project(ProjectAct),
    Termination(TerminationAct),
    User(UserAct),
    Outputs(OutputsAct),
    Budget(BudgetAct),
    Region(RegionAct),
    Quota(QuotaAct),
    Spend(SpendAct),
}

/// What an executed act did.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Cart(CartOutcome),
    Item(ItemOutcome),
    Order(OrderOutcome),
    Payment(PaymentOutcome),
    Project(ProjectOutcome),
    Termination(TerminationOutcome),
    User(UserOutcome),
    Outputs(OutputsOutcome),
    Budget(BudgetOutcome),
    Region(RegionOutcome),
    Quota(QuotaOutcome),
    Spend(SpendOutcome),
}

impl Act {
    /// The project or order this act records as the resource's: taken in the holdings (checked
    /// and taken at once) just before it runs, so two resources never both record it.
    pub fn takes(&self) -> Option<Holding> {
        match self {
            Act::Project(ProjectAct::RecordId { project_id, .. }) => {
                Some(Holding::Project(project_id.clone()))
            }
            Act::Order(OrderAct::ReadFound { order_id }) => Some(Holding::Order(*order_id)),
            _ => None,
        }
    }

    /// Whether this act makes no OVH call: it only records an intent or what a lookup saw. The
    /// status it changes is written with a later write ([`Self::writes_first`]).
    pub fn status_only(&self) -> bool {
        match self {
            Act::Cart(a) => a.status_only(),
            Act::Order(a) => a.status_only(),
            Act::Payment(a) => a.status_only(),
            Act::Project(a) => a.status_only(),
            Act::Termination(a) => matches!(a, TerminationAct::MarkEmails { .. }),
            Act::Budget(a) => a.status_only(),
            Act::Region(a) => a.status_only(),
            Act::Quota(a) => a.status_only(),
            Act::Spend(_) => true,
            Act::Item(a) => a.status_only(),
            Act::User(_) | Act::Outputs(_) => false,
        }
    }

    /// Whether what earlier steps recorded must reach the API server before this act's call:
    /// true for every call but those that fill a cart before its checkout, which a restart finds
    /// again from an older status at no cost. A cart's creation: an unassigned cart is found by
    /// nothing (and costs nothing), and its id is written before its assignment — or with the
    /// failure a lost answer reports, which records the intent the marker lookup needs. Its price:
    /// a read. Its item and configurations: the cart is read before every change of its contents,
    /// and an item seen there but not recorded waits the grace ([`ItemAct::RecordUnanswered`]).
    /// So an order costs one write before the assignment, the checkout and the payment, not one
    /// per call (docs/explanation/exactly-once.md).
    pub fn writes_first(&self) -> bool {
        match self {
            Act::Cart(CartAct::Create { .. } | CartAct::PreviewPrice { .. })
            | Act::Item(ItemAct::Add { .. } | ItemAct::AddConfiguration { .. }) => false,
            act => !act.status_only(),
        }
    }

    /// Whether this act is a Kubernetes write rather than an OVH call.
    pub fn is_kubernetes(&self) -> bool {
        matches!(self, Act::Outputs(_))
    }

    /// What this act records in the status before it is sent (written with the flush that
    /// precedes every OVH call): an item or option POST is not idempotent and a late commit adds
    /// to the cart.
    pub fn record_intent(&self, status: &mut PublicCloudProjectStatus, now: Timestamp) {
        if let Act::Item(ItemAct::Add { .. } | ItemAct::AddOption { .. }) = self
            && let Some(cart) = status.cart.as_mut()
        {
            cart.item_posted_at = Some(now.to_string());
        }
    }

    /// Performs the act: at OVH, or for the outputs stage in the cluster. An error is a failure
    /// the pass reports (nothing was recorded).
    pub async fn execute<C: Cluster>(
        &self,
        ovh: &OvhClient,
        cluster: &C,
    ) -> Result<Outcome, Failed<C::Error>> {
        Ok(match self {
            Act::Cart(a) => a.execute(ovh).await?.into(),
            Act::Item(a) => a.execute(ovh).await?.into(),
            Act::Order(a) => a.execute(ovh).await?.into(),
            Act::Payment(a) => a.execute(ovh).await?.into(),
            Act::Project(a) => a.execute(ovh).await?.into(),
            Act::Termination(a) => a.execute(ovh).await?.into(),
            Act::User(a) => a.execute(ovh).await?.into(),
            Act::Outputs(a) => a.execute(cluster).await?.into(),
            Act::Budget(a) => a.execute(ovh).await?.into(),
            Act::Region(a) => a.execute(ovh).await?.into(),
            Act::Quota(a) => a.execute(ovh).await?.into(),
            Act::Spend(a) => a.execute().into(),
        })
    }

    /// The variant's name (`Order::Checkout`): its fields are ids and the spec's words, which a
    /// log line or a failpoint needs not.
    pub fn name(&self) -> String {
        let debug = format!("{self:?}");
        let mut parts = debug
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty());
        let stage = parts.next().unwrap_or_default();
        let step = parts.next().unwrap_or_default();
        format!("{stage}::{step}")
    }
}

/// Why an act or a lookup failed: OVH's answer, or the cluster's for the outputs Secret.
#[derive(Debug)]
pub enum Failed<E> {
    Ovh(OvhError),
    Cluster { secret: String, error: E },
}

impl<E> From<OvhError> for Failed<E> {
    fn from(e: OvhError) -> Self {
        Failed::Ovh(e)
    }
}

macro_rules! from_stage {
    ($($stage:ident: $act:ty, $outcome:ty;)*) => {$(
        impl From<$act> for Act {
            fn from(a: $act) -> Self {
                Act::$stage(a)
            }
        }
        impl From<$outcome> for Outcome {
            fn from(o: $outcome) -> Self {
                Outcome::$stage(o)
            }
        }
    )*};
}

from_stage! {
    Cart: CartAct, CartOutcome;
    Item: ItemAct, ItemOutcome;
    Order: OrderAct, OrderOutcome;
    Payment: PaymentAct, PaymentOutcome;
    Project: ProjectAct, ProjectOutcome;
    Termination: TerminationAct, TerminationOutcome;
    User: UserAct, UserOutcome;
    Outputs: OutputsAct, OutputsOutcome;
    Budget: BudgetAct, BudgetOutcome;
    Region: RegionAct, RegionOutcome;
    Quota: QuotaAct, QuotaOutcome;
    Spend: SpendAct, SpendOutcome;
}

/// Whether an event is one a person should look at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    Normal,
    Warning,
}

impl From<bool> for Severity {
    /// `true`: a warning (the planner's `Step` fields say `warning`).
    fn from(warning: bool) -> Self {
        if warning {
            Severity::Warning
        } else {
            Severity::Normal
        }
    }
}

impl Severity {
    pub fn is_warning(self) -> bool {
        self == Severity::Warning
    }
}

/// What applying an outcome means for the event and the phase.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub reason: Reason,
    pub note: String,
    /// The phase to enter, with the Ready condition's reason (None: unchanged).
    pub phase: Option<(Phase, Reason)>,
    pub severity: Severity,
}

impl Applied {
    fn new(reason: Reason, note: String) -> Self {
        Applied {
            reason,
            note,
            phase: None,
            severity: Severity::Normal,
        }
    }

    fn entering(self, phase: Phase, ready: Reason) -> Self {
        Applied {
            phase: Some((phase, ready)),
            ..self
        }
    }

    fn warning(self) -> Self {
        Applied {
            severity: Severity::Warning,
            ..self
        }
    }

    /// Preparing the cart moves a resource to CartReady unless a checkout is under way.
    fn preparing(self, status: &PublicCloudProjectStatus) -> Self {
        if status.phase == Some(Phase::CheckingOut) {
            return self;
        }
        self.entering(Phase::CartReady, Reason::Ordering)
    }
}

fn applied(reason: Reason, note: String) -> Applied {
    Applied::new(reason, note)
}

/// Records `outcome` in the status (and in this pass's observations, so the planner does not
/// read again what it just did).
pub fn apply(
    outcome: Outcome,
    status: &mut PublicCloudProjectStatus,
    (observed, memory): (&mut Observed, &mut Memory),
    now: Timestamp,
) -> Applied {
    match outcome {
        Outcome::Cart(o) => o.apply(status, observed, memory, now),
        Outcome::Item(o) => o.apply(status, observed),
        Outcome::Order(o) => o.apply(status, observed, memory, now),
        Outcome::Payment(o) => o.apply(status, observed, memory, now),
        Outcome::Project(o) => o.apply(status, observed, now),
        Outcome::Termination(o) => o.apply(status, observed, memory, now),
        Outcome::User(o) => o.apply(status, observed, memory, now),
        Outcome::Outputs(o) => o.apply(observed, memory),
        Outcome::Budget(o) => o.apply(status, (observed, memory), now),
        Outcome::Region(o) => o.apply(status, (observed, memory), now),
        Outcome::Quota(o) => o.apply(status),
        Outcome::Spend(o) => o.apply(status, now),
    }
}

#[cfg(test)]
mod tests;
