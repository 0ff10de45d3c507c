//! A dry plan as the step loop's target: OVH reads and the acts that build, fill and price a
//! cart, on an in-memory status; anything that would buy, pay, terminate or write the cluster
//! ends the plan unexecuted.

use std::time::Duration;

use super::{MAX_STEPS, PcpError};
use crate::{
    api::{Approval, Phase, PublicCloudProject, PublicCloudProjectSpec, PublicCloudProjectStatus},
    controller::{
        driver::{self, Proceed, Target},
        lookups,
        plan::{
            self, Act, CartAct, Input, Lookup, Memory, Observed, Outputs, Policy, ProjectAct, Reason,
            SecretSeen, UserAct,
        },
        stage::{Applied, Cluster, Failed, Outcome},
    },
    ovh::OvhClient,
};

/// A dry plan as the driver's target: OVH reads and cart acts only, on an in-memory status.
pub(super) struct DryRun<'a> {
    pub(super) ovh: &'a OvhClient,
    /// The manifest's resource with approval forced to Manual and a uid of the plan's own.
    pub(super) obj: PublicCloudProject,
    pub(super) state: State,
}

#[derive(Default)]
pub(super) struct State {
    pub(super) status: PublicCloudProjectStatus,
    pub(super) observed: Observed,
    pub(super) memory: Memory,
}

/// Where the planner stopped.
pub(super) struct Stop {
    pub(super) phase: Phase,
    pub(super) reason: Reason,
    pub(super) message: String,
}

/// The settings of a dry plan: no approval ceiling, no termination; waits never reached.
pub(super) const DRY_POLICY: Policy<'static> = Policy {
    checkout_grace: Duration::ZERO,
    project_404_window: Duration::from_secs(600),
    payment_settle: Duration::from_secs(1800),
    spend_interval: Duration::from_secs(3600),
    max_price: None,
    allow_terminate: false,
};

/// The only actions a plan executes: building, configuring and pricing a cart (and status-only
/// records). Anything else — a checkout, a payment, a termination — ends the plan unexecuted.
pub(super) fn allowed(act: &Act) -> bool {
    matches!(
        act,
        Act::Cart(
            CartAct::Begin | CartAct::Create { .. } | CartAct::Assign { .. } | CartAct::PreviewPrice { .. }
        ) | Act::Item(_)
            | Act::Project(
                ProjectAct::RecordId { .. }
                    | ProjectAct::RecordStatus { .. }
                    | ProjectAct::RecordDescription(_)
            )
    )
}

/// The stop a plan reports for the followed project's outputs: written by the operator, never by
/// a plan.
pub(super) fn outputs_stop(spec: &PublicCloudProjectSpec) -> Stop {
    let secret = spec.write_outputs_to.as_deref().unwrap_or_default();
    let user = if spec.openstack_user.is_some() {
        "creates its OpenStack user and "
    } else {
        ""
    };
    Stop {
        phase: Phase::Ready,
        reason: Reason::WritingOutputs,
        message: format!("{user}writes the outputs Secret {secret}"),
    }
}

/// Why a dry plan ended before the planner waited.
pub(super) enum Ended {
    Stop(Stop),
    Failed(PcpError),
}

impl Target for DryRun<'_> {
    type Break = Ended;

    fn input(&self) -> Input<'_> {
        // A plan records nothing in the cluster: it holds no project and takes none.
        Input::new(
            &self.obj,
            &self.state.status,
            (&self.state.observed, &self.state.memory),
            DRY_POLICY,
            &plan::NoHolders,
        )
    }

    fn deleting(&self) -> bool {
        false
    }

    fn state(&mut self) -> driver::State<'_> {
        driver::State {
            status: &mut self.state.status,
            observed: &mut self.state.observed,
            memory: &mut self.state.memory,
            generation: None,
        }
    }

    async fn look(&mut self, lookup: &Lookup) -> Result<(), Ended> {
        if let Lookup::OutputsSecret(_) = lookup {
            return Err(Ended::Stop(outputs_stop(&self.obj.spec)));
        }
        match lookups::lookup_into(self.ovh, &NoCluster, lookup, &mut self.state.observed).await {
            Ok(()) => Ok(()),
            Err(e) => Err(Ended::Failed(failure(e))),
        }
    }

    async fn prepare(&mut self, act: &Act) -> Result<Proceed, Ended> {
        match act {
            Act::User(UserAct::Begin | UserAct::ReadFound { .. }) | Act::Outputs(_) => {
                Err(Ended::Stop(outputs_stop(&self.obj.spec)))
            }
            // A spec.description changed since the name was recorded renames it: said, never done
            // here (adopting a project keeps its name).
            Act::Project(ProjectAct::Rename { project_id, from, to }) => {
                let from = from.as_ref().map(|f| format!(" from {f:?}")).unwrap_or_default();
                Err(Ended::Stop(Stop {
                    phase: Phase::Ready,
                    reason: Reason::ProjectRenamed,
                    message: format!("renames project {project_id}{from} to {to:?} (spec.description)"),
                }))
            }
            act if allowed(act) => Ok(Proceed::Run),
            act => Err(Ended::Failed(PcpError::Refused(format!(
                "the plan stopped before an action it never takes: {act:?}"
            )))),
        }
    }

    async fn perform(&mut self, act: &Act) -> Result<Outcome, Ended> {
        act.execute(self.ovh, &NoCluster)
            .await
            .map_err(|e| Ended::Failed(failure(e)))
    }

    async fn applied(&mut self, _: &Act, _: Applied) -> Result<(), Ended> {
        Ok(())
    }
}

/// A dry plan has no cluster: it stops before any act that writes one ([`outputs_stop`]).
pub(super) struct NoCluster;

impl Cluster for NoCluster {
    type Error = &'static str;

    async fn read_outputs(&self, _: &str) -> Result<Option<SecretSeen>, Self::Error> {
        Err("a dry plan has no cluster")
    }

    async fn write_outputs(&self, _: &str, _: &Outputs) -> Result<SecretSeen, Self::Error> {
        Err("a dry plan has no cluster")
    }
}

/// A dry plan knows no holder (as [`plan::NoHolders`]): the account's listing reads every
/// description it needs.
impl plan::Holders for NoCluster {
    fn held_elsewhere(&self, _: &plan::Holding) -> bool {
        false
    }
}

pub(super) fn failure(e: Failed<&'static str>) -> PcpError {
    match e {
        Failed::Ovh(e) => e.into(),
        Failed::Cluster { secret, error } => PcpError::Refused(format!("Secret {secret}: {error}")),
    }
}

/// The resource as the plan drives it: approval Manual (the planner then stops at
/// AwaitingApproval with the price: never at a checkout), a uid of its own (a cart marker the
/// operator never takes for one of its resources') and no annotations (a manifest's approval,
/// pause or order id mean nothing to a plan).
pub(super) fn dry_resource(obj: &PublicCloudProject) -> PublicCloudProject {
    let mut dry = obj.clone();
    dry.spec.approval = Approval::Manual;
    dry.metadata.uid = Some(format!("kubectl-pcp-plan-{:016x}", rand::random::<u64>()));
    dry.metadata.annotations = None;
    dry
}

pub(super) async fn drive(dry: &mut DryRun<'_>) -> Result<Stop, PcpError> {
    match driver::drive(dry, MAX_STEPS).await {
        Ok(driver::Stop::Wait {
            phase,
            reason,
            message,
            ..
        }) => Ok(Stop {
            phase,
            reason,
            message,
        }),
        Ok(driver::Stop::Release { note, .. }) => Err(PcpError::Refused(note)),
        Ok(driver::Stop::OutOfSteps) => Err(PcpError::Refused(format!(
            "the plan took more than {MAX_STEPS} steps; stopped"
        ))),
        Err(Ended::Stop(stop)) => Ok(stop),
        Err(Ended::Failed(e)) => Err(e),
    }
}
