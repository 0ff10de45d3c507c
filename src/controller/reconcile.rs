//! The reconcile loop: plan a step from spec, status and what OVH said; look it up, act on it,
//! wait or release; repeat until the planner waits. Each action is one OVH call (or none); what
//! it changed in the status is written before the next OVH call, or when the pass ends.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use jiff::Timestamp;
use kube::{Api, ResourceExt, runtime::controller::Action};

use super::{
    Context, Error, executor, finalizer, lookups,
    outcome::{self, Applied},
    outputs,
    pass::Pass,
    plan::{self, Act, Observed, Step},
    status,
};
use crate::{
    api::PublicCloudProject,
    ovh::{OvhClient, OvhError},
};

/// Steps one pass may take before handing back to the controller (which requeues at once).
const MAX_STEPS_PER_PASS: usize = 40;

/// The latest a resource deferred for its Secret's share comes back by itself (it is woken
/// sooner, when a pass of its Secret ends).
const DEFERRED_RETRY: Duration = Duration::from_secs(30);

pub async fn reconcile(obj: Arc<PublicCloudProject>, ctx: Arc<Context>) -> Result<Action, Error> {
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
        return Ok(Action::requeue(std::time::Duration::from_secs(1)));
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
    let original = obj.status.clone().unwrap_or_default();
    let mut pass = Pass {
        ctx,
        obj,
        api,
        persisted: original.clone(),
        status: original,
        observed: Observed::default(),
        written_generation: None,
        ovh: None,
    };
    // OVH reads are cut at the deadline; a call that may change something at OVH is never cut,
    // only not begun past it (see `budget`).
    let deadline = tokio::time::Instant::now() + ctx.options.pass_budget;
    for _ in 0..MAX_STEPS_PER_PASS {
        let input = pass.input();
        let step = if deleting {
            plan::plan_deletion(&input)
        } else {
            plan::plan(&input)
        };
        tracing::debug!(resource = %pass.name(), ?step, "planned");
        let act = match step {
            Step::Wait {
                phase,
                reason,
                message,
                requeue,
                warning,
            } => return pass.wait(phase, reason, message, requeue, warning).await,
            Step::ReleaseFinalizer { note, warning } => return pass.release(note, warning).await,
            Step::Look(plan::Lookup::OutputsSecret(name)) => {
                let secrets = Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
                let seen = outputs::read(&secrets, obj, &name).await.map_err(Error::Kube)?;
                pass.observed.outputs_secret = Some(seen);
                continue;
            }
            Step::Look(lookup) => {
                let ovh = match pass.client().await {
                    Ok(c) => c,
                    Err(e) => return pass.credentials_failure(e).await,
                };
                let read = lookups::lookup_into(&ovh, &lookup, &mut pass.observed);
                match tokio::time::timeout_at(deadline, read).await {
                    Err(_) => return pass.over_budget(&ovh, "while reading", &lookup).await,
                    Ok(Err(e)) => return pass.ovh_failure(e).await,
                    Ok(Ok(())) => {}
                }
                pass.mark_credentials_valid();
                continue;
            }
            Step::Act(act) => act,
        };
        let ovh = match pass.client().await {
            Ok(c) => c,
            Err(e) => return pass.credentials_failure(e).await,
        };
        // Another pass took it between the plan and now: plan again (it is held elsewhere now).
        if let Some(holding) = act.takes()
            && !ctx.holdings.claim(obj, &holding, Some(ovh.base_url()))
        {
            continue;
        }
        ctx.crash_hook.before_write(&act).await;
        executor::record_intent(&act, &mut pass.status, Timestamp::now().to_string());
        if !executor::status_only(&act) {
            // What earlier steps recorded is written before the next OVH call (docs/explanation/exactly-once.md).
            pass.write_if_changed().await?;
            if let Err(e) = budget(&ovh, &act, deadline).await {
                return match e {
                    None => pass.over_budget(&ovh, "before", &act).await,
                    Some(e) => pass.ovh_failure(e).await,
                };
            }
        }
        // The write that marked CheckingOut froze the spec (CEL); one changed before it is seen
        // in the generation it returned: the checkout would buy the spec this pass planned from,
        // so it is not sent, and the next pass plans from the new spec.
        if matches!(act, Act::Checkout { .. }) && pass.spec_changed_under_us() {
            pass.checkout_not_placed();
            pass.write_if_changed().await?;
            return Ok(Action::requeue(std::time::Duration::from_secs(1)));
        }
        ctx.crash_hook.before(&act).await;
        let started = Instant::now();
        let outcome = if let Act::WriteOutputs { name, outputs } = &act {
            let secrets = Api::namespaced(ctx.client.clone(), &obj.namespace().unwrap_or_default());
            match outputs::write(&secrets, obj, name, outputs, ovh.base_url()).await {
                Ok(seen) => outcome::Outcome::OutputsWritten {
                    name: name.clone(),
                    seen,
                },
                // A condition, not a bare error: the planner asks OVH for no password until a
                // write of this Secret succeeds in the pass (Observed::outputs_writable).
                Err(e) => {
                    let said = match &e {
                        kube::Error::Api(s) => format!("{} ({})", s.message, s.code),
                        e => e.to_string(),
                    };
                    let message = format!(
                        "The operator cannot write Secret {name}: the Kubernetes API answered: {said}. \
                         No OpenStack password is asked of OVH until it can; check the operator's \
                         RBAC and admission policies on Secrets"
                    );
                    return pass
                        .wait(
                            crate::api::Phase::NeedsAttention,
                            plan::Reason::OutputsSecretUnwritable,
                            message,
                            plan::Requeue::Resync,
                            true,
                        )
                        .await;
                }
            }
        } else {
            match executor::execute(&ovh, &act, &obj.spec, &pass.status).await {
                Ok(outcome) => outcome,
                Err(e) => {
                    if matches!(act, Act::Checkout { .. })
                        && e.status().is_some_and(|s| (400..500).contains(&s))
                    {
                        pass.checkout_not_placed();
                    }
                    return pass.ovh_failure(e).await;
                }
            }
        };
        tracing::info!(resource = %pass.name(), ?act, duration_ms = started.elapsed().as_millis() as u64, "executed");
        ctx.crash_hook.after_call(&act).await;
        pass.mark_credentials_valid();
        let placed = matches!(outcome, outcome::Outcome::OrderPlaced { .. });
        let Applied {
            reason,
            note,
            phase,
            warning,
        } = outcome::apply(outcome, &mut pass.status, &mut pass.observed, Timestamp::now());
        if let Some((phase, ready_reason)) = phase {
            status::enter_phase(
                &mut pass.status,
                phase,
                ready_reason,
                &note,
                obj.metadata.generation,
            );
        }
        // The status is written before the next OVH call (above) or when the pass ends (a wait,
        // a failure, the steps' limit): one write for an OVH call's result and the status-only
        // steps that follow it, before anything depends on it at OVH.
        if placed {
            ctx.metrics.order_placed();
        }
        // Events for what a person follows, not for every step (the log has each one): the
        // pass's wait publishes the phase it ends in. Warnings always.
        if warning || !reason.routine() {
            status::publish(&ctx.events, obj, warning, reason, note).await;
        }
    }
    pass.write_if_changed().await?;
    Ok(Action::requeue(std::time::Duration::from_secs(1)))
}

/// Whether `act`, which calls OVH, may begin within the pass's time budget: the deadline has not
/// passed, and the signature's clock or the OAuth2 token (reads, which may be cut) are at hand
/// before it, so that the call itself starts at once. Err(None): past the deadline.
async fn budget(ovh: &OvhClient, act: &Act, deadline: tokio::time::Instant) -> Result<(), Option<OvhError>> {
    if tokio::time::Instant::now() >= deadline {
        return Err(None);
    }
    if matches!(act, Act::WriteOutputs { .. }) {
        return Ok(());
    }
    match tokio::time::timeout_at(deadline, ovh.authenticate_ahead()).await {
        Err(_) => Err(None),
        Ok(result) => result.map_err(Some),
    }
}
