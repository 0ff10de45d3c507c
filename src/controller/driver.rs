//! The step loop, written once: plan a step from spec, status and what OVH said; look it up, act
//! on it and apply its outcome; repeat until the planner waits or releases. Where the steps go is
//! a [`Target`]: the reconcile pass (OVH, and Kubernetes for the outputs Secret, with the intent
//! of each call written before it) or a dry plan (`kubectl pcp plan`: OVH reads and cart acts
//! only, nothing in a cluster).

use jiff::Timestamp;

use super::{
    plan::{self, Act, Input, Lookup, Requeue, Step},
    stage::{self, Applied, Outcome},
    status,
};
use crate::api::{Phase, PublicCloudProjectStatus};

/// Where the planner stopped the loop.
#[derive(Clone, Debug, PartialEq)]
pub enum Stop {
    /// Nothing to do now: stay in `phase` with this condition.
    Wait {
        phase: Phase,
        reason: plan::Reason,
        message: String,
        requeue: Requeue,
        warning: bool,
    },
    /// Nothing (more) to do at OVH for a resource being deleted.
    Release { note: String, warning: bool },
    /// The step limit of one pass was reached with work left.
    OutOfSteps,
}

/// What outcomes are applied to: the status, what this pass read and what it did, and the
/// resource's generation (stamped on conditions).
pub struct State<'a> {
    pub status: &'a mut PublicCloudProjectStatus,
    pub observed: &'a mut plan::Observed,
    pub memory: &'a mut plan::Memory,
    pub generation: Option<i64>,
}

/// What to do with an act the planner chose.
pub enum Proceed {
    Run,
    /// Not now (e.g. another pass took what it records): plan again.
    PlanAgain,
}

/// Where the steps go. Each method may end the loop early with `Err` (a failure, or a stop
/// decided by the target, such as a refused act in a dry plan).
#[allow(async_fn_in_trait)]
pub trait Target {
    type Break;

    /// The planner's input from the target's current state.
    fn input(&self) -> Input<'_>;

    /// Whether the resource is being deleted.
    fn deleting(&self) -> bool;

    /// The status and observations outcomes are applied to.
    fn state(&mut self) -> State<'_>;

    async fn look(&mut self, lookup: &Lookup) -> Result<(), Self::Break>;

    /// Everything that must happen before `act` runs (claims, its intent written, the budget).
    async fn prepare(&mut self, act: &Act) -> Result<Proceed, Self::Break>;

    async fn perform(&mut self, act: &Act) -> Result<Outcome, Self::Break>;

    /// After the outcome is in the status: metrics and events.
    async fn applied(&mut self, act: &Act, applied: Applied) -> Result<(), Self::Break>;
}

/// Runs the loop for at most `max_steps` steps.
pub async fn drive<T: Target>(target: &mut T, max_steps: usize) -> Result<Stop, T::Break> {
    for _ in 0..max_steps {
        let step = {
            let input = target.input();
            if target.deleting() {
                plan::plan_deletion(&input)
            } else {
                plan::plan(&input)
            }
        };
        tracing::debug!(?step, "planned");
        match step {
            Step::Wait {
                phase,
                reason,
                message,
                requeue,
                warning,
            } => {
                return Ok(Stop::Wait {
                    phase,
                    reason,
                    message,
                    requeue,
                    warning,
                });
            }
            Step::ReleaseFinalizer { note, warning } => return Ok(Stop::Release { note, warning }),
            Step::Look(lookup) => target.look(&lookup).await?,
            Step::Act(act) => {
                if let Proceed::PlanAgain = target.prepare(&act).await? {
                    continue;
                }
                let outcome = target.perform(&act).await?;
                let State {
                    status,
                    observed,
                    memory,
                    generation,
                } = target.state();
                let applied = stage::apply(outcome, status, (observed, memory), Timestamp::now());
                if let Some((phase, ready)) = applied.phase {
                    status::enter_phase(status, phase, ready, &applied.note, generation);
                }
                target.applied(&act, applied).await?;
            }
        }
    }
    Ok(Stop::OutOfSteps)
}
