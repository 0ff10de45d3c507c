//! One reconcile pass's writes: the status (only when it changed), conditions, events, the
//! requeue that fits a wait, the finalizer's release, and how failures are reported (once, not
//! on every pass).

use std::time::Duration;

use k8s_openapi::jiff::Timestamp;
use kube::{Api, ResourceExt, runtime::controller::Action};

use super::{
    Context, Error, budget,
    context::REFUSAL_RETRY,
    finalizer,
    plan::{Holders, Holding, Input, Memory, Observed, Reason, Requeue, Severity},
    status::{self, CREDENTIALS_VALID},
};
use crate::{
    api::{Phase, PublicCloudProject, PublicCloudProjectStatus},
    ovh::{Lane, OvhClient, OvhError},
};

/// How soon a resource waiting for a person is looked at again (any change of it comes sooner,
/// through the watch).
const PERSON_POLL: Duration = Duration::from_secs(300);
/// How soon a resource that only a spec change moves is looked at again.
const SPEC_CHANGE_POLL: Duration = Duration::from_secs(3600);
/// How soon a resource whose credentials failed is tried again (a fixed Secret triggers a pass
/// through the Secret watch sooner).
const CREDENTIALS_POLL: Duration = Duration::from_secs(600);

/// One reconcile pass over one resource.
pub(super) struct Pass<'a> {
    pub(super) ctx: &'a Context,
    pub(super) obj: &'a PublicCloudProject,
    pub(super) api: Api<PublicCloudProject>,
    pub(super) status: PublicCloudProjectStatus,
    /// The status as last written (or as read).
    pub(super) persisted: PublicCloudProjectStatus,
    pub(super) observed: Observed,
    pub(super) memory: Memory,
    /// The generation the last status write of this pass left (None: none written yet).
    pub(super) written_generation: Option<i64>,
    /// The pass's OVH client, made from the credentials Secret on first use (deleting a resource
    /// that never reached OVH needs no credentials).
    pub(super) ovh: Option<OvhClient>,
    /// OVH reads are cut at this deadline; a call that may change something at OVH is never
    /// cut, only not begun past it.
    pub(super) deadline: tokio::time::Instant,
    /// How much this pass's routine intervals are stretched (see [`budget`]): computed once per
    /// pass, not on every step's input.
    stretch: f64,
    /// The pass's lane in the rate limit ([`Context::lane`]), decided as it starts.
    lane: Lane,
}

impl<'a> Pass<'a> {
    pub(super) fn new(ctx: &'a Context, obj: &'a PublicCloudProject, api: Api<PublicCloudProject>) -> Self {
        let original = obj.status.clone().unwrap_or_default();
        Pass {
            ctx,
            obj,
            api,
            persisted: original.clone(),
            status: original,
            observed: Observed::default(),
            memory: Memory::default(),
            written_generation: None,
            ovh: None,
            deadline: tokio::time::Instant::now() + ctx.options.pass_budget,
            stretch: ctx.routine_stretch(obj),
            lane: ctx.take_lane(obj),
        }
    }
}

impl Pass<'_> {
    pub(super) fn input(&self) -> Input<'_> {
        let mut policy = self.ctx.options.policy();
        policy.spend_interval = policy.spend_interval.mul_f64(self.stretch);
        Input::new(
            self.obj,
            &self.status,
            (&self.observed, &self.memory),
            policy,
            self,
        )
    }

    /// The pass's OVH client (see [`Self::ovh`]): in the rate limit's routine lane for a routine
    /// pass ([`lane_of`]), so that it does not delay a resource with work to do.
    pub(super) async fn client(&mut self) -> Result<OvhClient, Error> {
        if self.ovh.is_none() {
            let client = self.ctx.ovh_client(self.obj).await?;
            self.ovh = Some(match self.lane {
                Lane::Routine => client.routine(),
                Lane::Priority => client,
            });
        }
        Ok(self.ovh.clone().expect("just set"))
    }

    pub(super) fn name(&self) -> String {
        format!(
            "{}/{}",
            self.obj.namespace().unwrap_or_default(),
            self.obj.name_any()
        )
    }

    fn generation(&self) -> Option<i64> {
        self.obj.metadata.generation
    }

    pub(super) fn mark_credentials_valid(&mut self) {
        let generation = self.generation();
        status::set_condition(
            &mut self.status,
            CREDENTIALS_VALID,
            true,
            Reason::Authenticated,
            "OVH accepted the credentials",
            generation,
        );
    }

    /// The spec changed after this pass planned from it and before its last status write
    /// (which, marking CheckingOut, froze it from then on): the checkout would buy the old spec.
    pub(super) fn spec_changed_under_us(&self) -> bool {
        self.written_generation
            .is_some_and(|g| Some(g) != self.obj.metadata.generation)
    }

    /// No checkout is in flight after all: OVH answered it with a 4xx (it refused it, so no
    /// order was placed: a cart turns read-only only when a checkout commits), or it was not
    /// sent. The spec is not frozen any more.
    pub(super) fn checkout_not_placed(&mut self) {
        if let Some(cart) = self.status.cart.as_mut() {
            cart.checkout_started_at = None;
        }
        if self.status.phase == Some(Phase::CheckingOut) {
            self.status.phase = Some(Phase::CartReady);
        }
    }

    pub(super) async fn persist(&mut self) -> Result<(), Error> {
        self.written_generation = status::write(&self.api, &self.obj.name_any(), &self.status)
            .await
            .map_err(Error::Kube)?;
        if self.persisted.phase != self.status.phase {
            let reason = status::condition(&self.status, status::READY).map(|c| c.reason.clone());
            tracing::info!(resource = %self.name(), from = ?self.persisted.phase, to = ?self.status.phase, reason, "phase changed");
        }
        self.ctx.record_phase(self.obj, self.status.phase);
        self.ctx.record_money(self.obj, &self.status);
        self.persisted = self.status.clone();
        self.ctx.remember_written(self.obj, &self.status);
        Ok(())
    }

    pub(super) async fn write_if_changed(&mut self) -> Result<(), Error> {
        if self.persisted != self.status {
            self.persist().await?;
        }
        Ok(())
    }

    pub(super) async fn wait(
        &mut self,
        phase: Phase,
        reason: Reason,
        message: String,
        requeue: Requeue,
        severity: Severity,
    ) -> Result<Action, Error> {
        let before =
            status::condition(&self.status, status::READY).map(|c| (c.reason.clone(), c.message.clone()));
        let generation = self.generation();
        status::enter_phase(&mut self.status, phase, reason, &message, generation);
        self.write_if_changed().await?;
        let changed = before != Some((reason.as_str().to_string(), message.clone()));
        if changed && (severity.is_warning() || reason.announced_when_waiting()) {
            status::publish(&self.ctx.events, self.obj, severity, reason, message).await;
        }
        Ok(match requeue {
            Requeue::Person => Action::requeue(PERSON_POLL),
            Requeue::Progress => Action::requeue(progress_delay(&self.status)),
            Requeue::Resync => Action::requeue(budget::spread(
                self.ctx.options.resync,
                self.stretch,
                rand::random(),
            )),
            Requeue::SpecChange => Action::requeue(SPEC_CHANGE_POLL),
        })
    }

    pub(super) async fn release(&mut self, note: String, severity: Severity) -> Result<Action, Error> {
        self.ctx.forget(self.obj);
        self.ctx.record_phase(self.obj, None);
        let reason = match severity {
            Severity::Warning => Reason::LeftBehind,
            Severity::Normal => Reason::Released,
        };
        tracing::info!(resource = %self.name(), %reason, %note, "finalizer released");
        status::publish(&self.ctx.events, self.obj, severity, reason, note).await;
        finalizer::remove(&self.api, self.obj)
            .await
            .map_err(Error::Kube)?;
        Ok(Action::await_change())
    }

    /// Whether this failure is already what the status says: then neither the status (whose
    /// message would differ only by OVH's query id) nor an event is written again, so a failure
    /// does not feed itself through the watch.
    fn already_reported(&self, kind: &str, reason: Reason) -> bool {
        status::condition(&self.status, kind).is_some_and(|c| {
            c.status == "False" && c.reason == reason.as_str() && c.observed_generation == self.generation()
        })
    }

    pub(super) async fn credentials_failure(&mut self, e: Error) -> Result<Action, Error> {
        let reason = e.reason();
        self.ctx.metrics.failure(reason.as_str());
        // A fixed Secret triggers a reconcile through the Secret watch; no need to poll OVH.
        let retry = Ok(Action::requeue(CREDENTIALS_POLL));
        if self.already_reported(CREDENTIALS_VALID, reason) {
            return retry;
        }
        let message = e.to_string();
        let generation = self.generation();
        status::set_condition(
            &mut self.status,
            CREDENTIALS_VALID,
            false,
            reason,
            &message,
            generation,
        );
        status::set_ready(&mut self.status, false, reason, &message, generation);
        self.status.observed_generation = generation;
        self.write_if_changed().await?;
        self.warn(reason, message).await;
        retry
    }

    /// A Warning event about this resource.
    async fn warn(&self, reason: Reason, note: String) {
        status::publish(&self.ctx.events, self.obj, Severity::Warning, reason, note).await;
    }

    /// The pass waited on OVH past its time budget while `doing` `step` (a lookup or an act): it
    /// stops here, writes what it recorded, says so once (Ready, a Warning naming the endpoint),
    /// and goes back to the controller's backoff.
    pub(super) async fn over_budget(
        &mut self,
        ovh: &OvhClient,
        doing: &str,
        name: String,
    ) -> Result<Action, Error> {
        let e = Error::PassOverBudget {
            endpoint: ovh.base_url().to_string(),
            seconds: self.ctx.options.pass_budget.as_secs(),
            doing: format!("{doing} {name}"),
        };
        let reason = e.reason();
        if !self.already_reported(status::READY, reason) {
            let generation = self.generation();
            status::set_ready(&mut self.status, false, reason, &e.to_string(), generation);
            self.write_if_changed().await?;
            self.warn(reason, e.to_string()).await;
        }
        self.write_if_changed().await?;
        Err(e)
    }

    /// OVH refused or failed: credentials and permanent refusals become conditions and wait for a
    /// change; transient failures go back to the controller for a per-object backoff.
    pub(super) async fn ovh_failure(&mut self, e: OvhError) -> Result<Action, Error> {
        let generation = self.generation();
        if e.is_credentials_problem() {
            return self.credentials_failure(Error::Ovh(e)).await;
        }
        let message = e.to_string();
        let reason = Reason::from(&e);
        // Refused for good (Refused, Expired; Credentials went above): it waits for a change.
        if e.disposition().is_final() {
            self.ctx.metrics.failure(reason.as_str());
            self.ctx.remember_refusal(self.obj);
            if !self.already_reported(status::READY, reason) {
                status::set_ready(&mut self.status, false, reason, &message, generation);
                self.status.observed_generation = generation;
                self.write_if_changed().await?;
                self.warn(reason, message).await;
            }
            return Ok(Action::requeue(REFUSAL_RETRY));
        }
        // An answer that cannot be read will not read better on the next try: the Ready
        // condition says so (the phase stays), not only an event.
        if matches!(e, OvhError::Decode { .. }) && !self.already_reported(status::READY, reason) {
            status::set_ready(&mut self.status, false, reason, &message, generation);
        }
        // Keep what this pass achieved, then let the error policy back off.
        self.write_if_changed().await?;
        self.warn(reason, message).await;
        Err(Error::Ovh(e))
    }
}

/// The lane of a pass over `obj` (in the OVH client's rate limit and in its Secret's share):
/// routine when nothing is asked of it — Ready with its spec's generation observed, and not being
/// deleted (a resync, a spend refresh); else it has work to do and goes first.
pub(super) fn lane_of(obj: &PublicCloudProject) -> Lane {
    let settled = obj.metadata.deletion_timestamp.is_none()
        && obj.status.as_ref().is_some_and(|s| {
            s.phase == Some(Phase::Ready) && s.observed_generation == obj.metadata.generation
        });
    if settled { Lane::Routine } else { Lane::Priority }
}

/// The planner's view of [`super::holdings::Holdings`], from this pass's resource.
impl Holders for Pass<'_> {
    fn held_elsewhere(&self, holding: &Holding) -> bool {
        self.ctx
            .holdings
            .held_elsewhere(self.obj, holding, self.ovh.as_ref().map(OvhClient::base_url))
    }
}

/// Polling while OVH works: seconds right after the step this wait follows (the latest of the
/// order, the checkout, the OpenStack user's creation, the termination request), then up to two
/// minutes. Without any such date, 15 s: never a poll every second for a wait with no start.
fn progress_delay(status: &PublicCloudProjectStatus) -> Duration {
    let started = [
        status
            .termination
            .as_ref()
            .and_then(|t| t.requested_at.as_deref()),
        status.order.as_ref().and_then(|o| o.date.as_deref()),
        status
            .cart
            .as_ref()
            .and_then(|c| c.checkout_started_at.as_deref()),
        status.openstack_user.as_ref().map(|u| u.requested_at.as_str()),
        status.delivered_at.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|d| d.parse::<Timestamp>().ok())
    .max();
    let Some(started) = started else {
        return Duration::from_secs(15);
    };
    let since = Timestamp::now().duration_since(started).unsigned_abs();
    (since / 5).clamp(Duration::from_secs(1), Duration::from_secs(120))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pcp(phase: Phase, observed: i64, generation: i64) -> PublicCloudProject {
        let spec = serde_json::from_value(serde_json::json!({"description": "x"})).unwrap();
        let mut obj = PublicCloudProject::new("team-a", spec);
        obj.metadata.generation = Some(generation);
        obj.status = Some(PublicCloudProjectStatus {
            phase: Some(phase),
            observed_generation: Some(observed),
            ..Default::default()
        });
        obj
    }

    #[test]
    fn only_a_settled_ready_resource_takes_the_routine_lane() {
        assert_eq!(lane_of(&pcp(Phase::Ready, 3, 3)), Lane::Routine, "a resync");
        assert_eq!(lane_of(&pcp(Phase::Ready, 2, 3)), Lane::Priority, "a spec change");
        assert_eq!(
            lane_of(&pcp(Phase::CheckingOut, 3, 3)),
            Lane::Priority,
            "ordering"
        );
        assert_eq!(
            lane_of(&pcp(Phase::AwaitingPayment, 3, 3)),
            Lane::Priority,
            "paying"
        );
        let mut deleting = pcp(Phase::Ready, 3, 3);
        deleting.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            "2026-01-01T00:00:00Z".parse().unwrap(),
        ));
        assert_eq!(lane_of(&deleting), Lane::Priority, "deleting");
        let mut new = pcp(Phase::Ready, 1, 1);
        new.status = None;
        assert_eq!(lane_of(&new), Lane::Priority, "a new resource");
    }
}
