//! The Kubernetes side: watches PublicCloudProjects (and, metadata only, the Secrets they use),
//! reconciles each with the pure planner, backs off per object on errors. Each job has its own
//! module; `reconcile` is the loop that ties them.

mod budget;
mod context;
pub(crate) mod credentials;
pub(crate) mod driver;
mod events;
mod failpoint;
pub(crate) mod finalizer;
mod gauges;
pub mod holdings;
mod leader;
mod listing;
pub(crate) mod lookups;
mod options;
pub mod outputs;
mod pass;
#[allow(clippy::result_large_err)] // as for `stage`, below
pub mod plan;
pub mod reason;
mod reconcile;
mod run;
mod shares;
// The planner's rules (plan and stage::*::plan) answer a `Step`, the next step, made once per
// step, as their Err: its size is an act's, and boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub mod stage;
pub mod status;

use std::{sync::Arc, time::Duration};

use kube::{ResourceExt, runtime::controller::Action};
use rand::Rng;

pub use context::Context;
pub use failpoint::CrashHook;
#[cfg(feature = "failpoints")]
pub use failpoint::CrashPoint;
pub use options::Options;
use reason::Reason;
pub use run::{run, start};

use crate::{api::PublicCloudProject, ovh::OvhError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API: {0}")]
    Kube(#[source] kube::Error),

    #[error(transparent)]
    Ovh(#[from] OvhError),

    #[error("the PublicCloudProject CRD is not installed (kubectl apply -f crds/): {0}")]
    CrdMissing(#[source] kube::Error),

    #[error(
        "no OVH credentials: set spec.credentialsSecretRef or start the operator with --default-credentials"
    )]
    NoCredentials,

    #[error("credentials Secret {namespace}/{name} not found")]
    SecretNotFound { namespace: String, name: String },

    #[error("credentials Secret {namespace}/{name} is unusable: {reason}")]
    SecretInvalid {
        namespace: String,
        name: String,
        reason: String,
    },

    #[error("leader election: {0}")]
    LeaderElection(String),

    #[error("invalid options: {0}")]
    Options(String),

    #[error(
        "OVH at {endpoint} did not answer within the pass's time budget of {seconds} s \
         (--pass-budget): the endpoint is slow or does not answer. The pass stopped {doing}, \
         keeping what it recorded, and is retried with backoff"
    )]
    PassOverBudget {
        endpoint: String,
        seconds: u64,
        doing: String,
    },

    #[error(
        "the operator's default credentials may not be used from namespace {namespace} (see \
         --default-credentials-namespaces): set spec.credentialsSecretRef to a Secret of this namespace"
    )]
    DefaultCredentialsRefused { namespace: String },
}

impl Error {
    /// Stable category: the Warning event reason, the condition reason and the metric label.
    pub fn reason(&self) -> Reason {
        match self {
            Self::Kube(_) => Reason::KubernetesError,
            Self::Ovh(e) => Reason::from(e),
            Self::CrdMissing(_) => Reason::CrdMissing,
            Self::NoCredentials => Reason::NoCredentials,
            Self::SecretNotFound { .. } => Reason::SecretNotFound,
            Self::SecretInvalid { .. } => Reason::SecretInvalid,
            Self::LeaderElection(_) => Reason::LeaderElection,
            Self::Options(_) => Reason::InvalidOptions,
            Self::DefaultCredentialsRefused { .. } => Reason::DefaultCredentialsRefused,
            Self::PassOverBudget { .. } => Reason::OvhTooSlow,
        }
    }

    /// [`Self::reason`] as text.
    pub fn category(&self) -> &'static str {
        self.reason().as_str()
    }
}

/// Exponential backoff per object: 1 s, 2 s, 4 s … capped at 5 minutes, with jitter.
fn error_policy(obj: Arc<PublicCloudProject>, error: &Error, ctx: Arc<Context>) -> Action {
    let failures = ctx.count_failure(&obj);
    ctx.metrics.failure(error.category());
    let base = Duration::from_secs(1u64 << (failures - 1).min(9)).min(Duration::from_secs(300));
    let delay = base.mul_f64(rand::rng().random_range(0.8..1.2));
    tracing::warn!(
        resource = %format!("{}/{}", obj.namespace().unwrap_or_default(), obj.name_any()),
        category = error.category(), error = %error, failures, retry_in_ms = delay.as_millis() as u64,
        "reconcile failed"
    );
    Action::requeue(delay)
}
