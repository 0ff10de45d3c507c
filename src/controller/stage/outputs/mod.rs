//! The outputs Secret: a Kubernetes write, made by the pass's Kubernetes side, not at OVH.

use super::*;

mod plan;
pub use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum OutputsAct {
    /// Kubernetes only: writes the outputs Secret (owned by the resource).
    Write { name: String, outputs: Outputs },
}

#[derive(Clone, Debug, PartialEq)]
pub enum OutputsOutcome {
    Written {
        name: String,
        /// The Secret as written (so this pass does not read it again).
        seen: SecretSeen,
    },
}

/// The cluster side of this stage: the reconcile pass reads and writes the Secret; a dry plan
/// stops before it.
#[allow(async_fn_in_trait)]
pub trait Cluster {
    type Error;

    /// What the Secret `name` holds (None: it does not exist).
    async fn read_outputs(&self, name: &str) -> Result<Option<SecretSeen>, Self::Error>;

    async fn write_outputs(&self, name: &str, outputs: &Outputs) -> Result<SecretSeen, Self::Error>;
}

impl OutputsAct {
    pub(super) async fn execute<C: Cluster>(&self, cluster: &C) -> Result<OutputsOutcome, Failed<C::Error>> {
        let OutputsAct::Write { name, outputs } = self;
        match cluster.write_outputs(name, outputs).await {
            Ok(seen) => Ok(OutputsOutcome::Written {
                name: name.clone(),
                seen,
            }),
            Err(error) => Err(Failed::Cluster {
                secret: name.clone(),
                error,
            }),
        }
    }
}

impl OutputsOutcome {
    pub(super) fn apply(self, observed: &mut Observed, memory: &mut Memory) -> Applied {
        let OutputsOutcome::Written { name, seen } = self;
        observed.outputs_secret = Some(Some(seen));
        memory.new_password = None;
        memory.outputs_writable = true;
        applied(Reason::OutputsWritten, format!("Wrote Secret {name}"))
    }
}
