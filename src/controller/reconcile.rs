//! The reconcile pass: the driver's target for a resource in the cluster. Each act is one OVH
//! call (or none, or the outputs Secret's write); what earlier steps recorded is written before
//! the next OVH call, or when the pass ends.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use jiff::Timestamp;
use kube::{Api, ResourceExt, runtime::controller::Action};

use super::{
    Context, Error,
    driver::{self, Proceed, State, Stop, Target},
    finalizer, lookups, outputs,
    pass::Pass,
    plan::{self, Act, Input, Lookup, OrderAct, Outputs, Requeue, SecretSeen},
    stage::{Applied, Cluster, Failed, Outcome, Severity},
    status,
};
use crate::{
    api::{Payment, Phase, PublicCloudProject},
    ovh::{OvhClient, OvhError},
};

/// Steps one pass may take before handing back to the controller (which requeues at once).
const MAX_STEPS_PER_PASS: usize = 40;

/// The latest a resource deferred for its Secret's share comes back by itself (it is woken
/// sooner, when a pass of its Secret ends).
const DEFERRED_RETRY: Duration = Duration::from_secs(30);

/// The requeue after a pass that ended with work left (the steps' limit, a spec changed under a
/// checkout): at once, give or take the controller's queue.
const AT_ONCE: Duration = Duration::from_secs(1);

pub async fn reconcile(obj: Arc<PublicCloudProject>, ctx: Arc<Context>) -> Result<Action, Error> {
    if let Some(later) = ctx.first_pass_delay(&obj) {
        tracing::debug!(resource = %obj.name_any(), ?later, "first resync spread over the stretched interval");
        return Ok(Action::requeue(later));
    }
    // Held until the pass ends: its Secret's other resources wait for it without a slot.
    let Ok(_share) = ctx.enter_share(&obj) else {
        ctx.metrics.pass_deferred();
        return Ok(Action::requeue(DEFERRED_RETRY));
    };
    let _timer = ctx.metrics.reconcile_timer();
    let result = reconcile_inner(&obj, &ctx).await;
    if result.is_ok() {
        ctx.reset_failures(&obj);
    }
    result
}

async fn reconcile_inner(obj: &PublicCloudProject, ctx: &Context) -> Result<Action, Error> {
    let api: Api<PublicCloudProject> =
        Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
    // The watch cache can lag our own status writes; then plan from a fresh read.
    let fresh;
    let obj = if ctx.lags_our_write(obj) {
        match api.get_opt(&obj.name_any()).await.map_err(Error::Kube)? {
            Some(o) => {
                fresh = o;
                &fresh
            }
            None => return Ok(Action::await_change()),
        }
    } else {
        obj
    };
    // Until the watch has listed every resource, one not seen yet may hold the project or order
    // this one names: nothing is planned before the index of holdings is complete.
    if !ctx.holdings.is_listed() {
        return Ok(Action::requeue(AT_ONCE));
    }
    let deleting = obj.metadata.deletion_timestamp.is_some();
    let has_finalizer = finalizer::has_finalizer(obj);
    if deleting && (!has_finalizer || ctx.was_released(obj)) {
        return Ok(Action::await_change());
    }
    if !has_finalizer {
        finalizer::add(&api, obj).await.map_err(Error::Kube)?;
    }
    if !deleting && let Some(wait) = ctx.refusal_pending(obj) {
        return Ok(Action::requeue(wait));
    }
    let mut pass = Pass::new(ctx, obj, api);
    match driver::drive(&mut pass, MAX_STEPS_PER_PASS).await {
        Err(ended) => ended,
        Ok(Stop::Wait {
            phase,
            reason,
            message,
            requeue,
            warning,
        }) => {
            pass.wait(phase, reason, message, requeue, Severity::from(warning))
                .await
        }
        Ok(Stop::Release { note, warning }) => pass.release(note, Severity::from(warning)).await,
        Ok(Stop::OutOfSteps) => {
            pass.write_if_changed().await?;
            Ok(Action::requeue(AT_ONCE))
        }
    }
}

/// The pass ends early with the controller's answer (a failure reported, a stop).
type Ended = Result<Action, Error>;

impl Target for Pass<'_> {
    type Break = Ended;

    fn input(&self) -> Input<'_> {
        Pass::input(self)
    }

    fn deleting(&self) -> bool {
        self.obj.metadata.deletion_timestamp.is_some()
    }

    fn state(&mut self) -> State<'_> {
        State {
            status: &mut self.status,
            observed: &mut self.observed,
            memory: &mut self.memory,
            generation: self.obj.metadata.generation,
        }
    }

    async fn look(&mut self, lookup: &Lookup) -> Result<(), Ended> {
        // An order just placed reaches the status (its URL: where a person pays) before anything
        // else is read about it. Paid by the operator, it is written with the payment's intent.
        if self.status.order.is_some()
            && self.persisted.order.is_none()
            && self.obj.spec.payment == Payment::Manual
        {
            self.write_if_changed().await.map_err(Err)?;
        }
        let ovh = self.ovh_or_stop().await?;
        let mut observed = std::mem::take(&mut self.observed);
        let read = lookups::lookup_into(&ovh, &*self, lookup, &mut observed);
        let read = tokio::time::timeout_at(self.deadline, read).await;
        self.observed = observed;
        match read {
            Err(_) => Err(self.over_budget(&ovh, "while reading", lookup.name()).await),
            Ok(Err(Failed::Ovh(e))) => Err(self.ovh_failure(e).await),
            Ok(Err(Failed::Cluster { error, .. })) => Err(Err(Error::Kube(error))),
            Ok(Ok(())) => {
                self.mark_credentials_valid();
                Ok(())
            }
        }
    }

    async fn prepare(&mut self, act: &Act) -> Result<Proceed, Ended> {
        let ovh = self.ovh_or_stop().await?;
        // Another pass took it between the plan and now: plan again (it is held elsewhere now).
        if let Some(holding) = act.takes()
            && !self.ctx.holdings.claim(self.obj, &holding, Some(ovh.base_url()))
        {
            return Ok(Proceed::PlanAgain);
        }
        self.ctx.crash_hook.before_write(act).await;
        act.record_intent(&mut self.status, Timestamp::now());
        if act.writes_first() {
            // What earlier steps recorded is written before a call that a restart could not
            // find again or repeat safely from an older status (docs/explanation/exactly-once.md).
            self.write_if_changed().await.map_err(Err)?;
        }
        if !act.status_only()
            && let Err(e) = budget(&ovh, act, self.deadline).await
        {
            return Err(match e {
                None => self.over_budget(&ovh, "before", act.name()).await,
                Some(e) => self.ovh_failure(e).await,
            });
        }
        // The write that marked CheckingOut froze the spec (CEL); one changed before it is seen
        // in the generation it returned: the checkout would buy the spec this pass planned from,
        // so it is not sent, and the next pass plans from the new spec.
        if matches!(act, Act::Order(OrderAct::Checkout { .. })) && self.spec_changed_under_us() {
            self.checkout_not_placed();
            self.write_if_changed().await.map_err(Err)?;
            return Err(Ok(Action::requeue(AT_ONCE)));
        }
        self.ctx.crash_hook.before(act).await;
        Ok(Proceed::Run)
    }

    async fn perform(&mut self, act: &Act) -> Result<Outcome, Ended> {
        let ovh = self.ovh_or_stop().await?;
        let started = Instant::now();
        let outcome = match act.execute(&ovh, &*self).await {
            Ok(outcome) => outcome,
            Err(Failed::Cluster { secret, error }) => {
                return Err(self.outputs_unwritable(&secret, error).await);
            }
            Err(Failed::Ovh(e)) => {
                // A 4xx refused the checkout: no order was placed (a cart turns read-only only
                // when a checkout commits).
                if matches!(act, Act::Order(OrderAct::Checkout { .. }))
                    && e.status().is_some_and(|s| (400..500).contains(&s))
                {
                    self.checkout_not_placed();
                }
                return Err(self.ovh_failure(e).await);
            }
        };
        let duration_ms = started.elapsed().as_millis() as u64;
        tracing::info!(resource = %self.name(), ?act, duration_ms, "executed");
        self.ctx.crash_hook.after_call(act).await;
        self.mark_credentials_valid();
        Ok(outcome)
    }

    async fn applied(&mut self, act: &Act, applied: Applied) -> Result<(), Ended> {
        if matches!(act, Act::Order(OrderAct::Checkout { .. })) {
            self.ctx.metrics.order_placed();
        }
        // Events for what a person follows, not for every step (the log has each one): the
        // pass's wait publishes the phase it ends in. Warnings always. The status is written
        // before the next OVH call or when the pass ends: one write for an OVH call's result and
        // the status-only steps that follow it.
        if applied.severity.is_warning() || !applied.reason.routine() {
            status::publish(
                &self.ctx.events,
                self.obj,
                applied.severity,
                applied.reason,
                applied.note,
            )
            .await;
        }
        Ok(())
    }
}

impl Cluster for Pass<'_> {
    type Error = kube::Error;

    async fn read_outputs(&self, name: &str) -> kube::Result<Option<SecretSeen>> {
        outputs::read(&self.secrets(), self.obj, name).await
    }

    async fn write_outputs(&self, name: &str, outputs: &Outputs) -> kube::Result<SecretSeen> {
        let endpoint = self.ovh.as_ref().map(OvhClient::base_url).unwrap_or_default();
        outputs::write(&self.secrets(), self.obj, name, outputs, endpoint).await
    }
}

impl Pass<'_> {
    /// The pass's OVH client, or the end of the pass with the credentials' failure reported.
    async fn ovh_or_stop(&mut self) -> Result<OvhClient, Ended> {
        match self.client().await {
            Ok(c) => Ok(c),
            Err(e) => Err(self.credentials_failure(e).await),
        }
    }

    fn secrets(&self) -> Api<k8s_openapi::api::core::v1::Secret> {
        Api::namespaced(self.ctx.client.clone(), &self.obj.namespace().unwrap_or_default())
    }

    /// A condition, not a bare error: the planner asks OVH for no password until a write of this
    /// Secret succeeds in the pass (Observed::outputs_writable).
    async fn outputs_unwritable(&mut self, name: &str, e: kube::Error) -> Ended {
        let said = match &e {
            kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
            e => e.to_string(),
        };
        let message = format!(
            "The operator cannot write Secret {name}: the Kubernetes API answered: {said}. No OpenStack \
             password is asked of OVH until it can; check the operator's RBAC and admission policies on \
             Secrets"
        );
        let reason = plan::Reason::OutputsSecretUnwritable;
        self.wait(
            Phase::NeedsAttention,
            reason,
            message,
            Requeue::Resync,
            Severity::Warning,
        )
        .await
    }
}

/// Whether `act`, which calls OVH, may begin within the pass's time budget: the deadline has not
/// passed, and the signature's clock or the OAuth2 token (reads, which may be cut) are at hand
/// before it, so that the call itself starts at once. Err(None): past the deadline.
async fn budget(ovh: &OvhClient, act: &Act, deadline: tokio::time::Instant) -> Result<(), Option<OvhError>> {
    if tokio::time::Instant::now() >= deadline {
        return Err(None);
    }
    if act.is_kubernetes() {
        return Ok(());
    }
    match tokio::time::timeout_at(deadline, ovh.authenticate_ahead()).await {
        Err(_) => Err(None),
        Ok(result) => result.map_err(Some),
    }
}
