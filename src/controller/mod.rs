//! The Kubernetes side: watches PublicCloudProjects (and, metadata only, the Secrets they use),
//! reconciles each with the pure planner, backs off per object on errors. Each job has its own
//! module; `reconcile` is the loop that ties them.

mod context;
pub(crate) mod credentials;
pub(crate) mod driver;
mod events;
mod failpoint;
pub(crate) mod finalizer;
pub mod holdings;
mod leader;
pub(crate) mod lookups;
mod options;
pub mod outputs;
mod pass;
#[allow(clippy::result_large_err)] // as for `stage`, below
pub mod plan;
pub mod reason;
mod reconcile;
mod shares;
// The planner's rules (plan and stage::*::plan) answer a `Step`, the next step, made once per
// step, as their Err: its size is an act's, and boxing it would buy nothing.
#[allow(clippy::result_large_err)]
pub mod stage;
pub mod status;

use std::{
    hash::{DefaultHasher, Hash, Hasher},
    net::SocketAddr,
    sync::Arc,
    time::Duration,
};

use futures::StreamExt;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::{
    Api, Client, ResourceExt,
    api::ListParams,
    runtime::{
        Controller, PredicateConfig, WatchStreamExt,
        controller::{self, Action},
        reflector::{self, reflector},
        watcher::{self, watcher},
    },
};
use rand::Rng;

pub use context::Context;
use context::SecretMeta;
pub use failpoint::CrashHook;
#[cfg(feature = "failpoints")]
pub use failpoint::CrashPoint;
pub use options::Options;
use reason::Reason;

use crate::{
    api::PublicCloudProject,
    metrics::Metrics,
    ovh::{CallStats, OvhError},
};

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

/// What of a resource, when it changes, calls for a reconcile: its spec (generation), its
/// annotations (approval, order id, pause, termination token), its labels, its deletion. Not
/// its status, which the operator writes, nor its finalizers, which it adds.
fn not_our_writes(obj: &PublicCloudProject) -> Option<u64> {
    let mut h = DefaultHasher::new();
    obj.metadata.generation.hash(&mut h);
    obj.annotations().hash(&mut h);
    obj.labels().hash(&mut h);
    obj.metadata.deletion_timestamp.is_some().hash(&mut h);
    Some(h.finish())
}

/// The items of `rx` as a stream.
fn tokio_stream_of<T: Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl futures::Stream<Item = T> + Send + 'static {
    futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) })
}

/// Runs the operator until SIGTERM/SIGINT.
pub async fn run(options: Options) -> Result<(), Error> {
    let client = Client::try_default().await.map_err(Error::Kube)?;
    start(client, options, CrashHook::default()).await
}

/// Runs the operator with `client` (tests run it in-process, with a crash hook).
pub async fn start(client: Client, options: Options, crash_hook: CrashHook) -> Result<(), Error> {
    // Secrets are watched by metadata only: the operator does not hold every Secret's data.
    let (projects, secrets): (Api<PublicCloudProject>, Api<SecretMeta>) = match options.namespace.as_deref() {
        Some(ns) => (
            Api::namespaced(client.clone(), ns),
            Api::namespaced(client.clone(), ns),
        ),
        None => (Api::all(client.clone()), Api::all(client.clone())),
    };
    if options.checkout_grace <= options.checkout_timeout.max(options.ovh_timeout) {
        return Err(Error::Options(format!(
            "--checkout-grace ({:?}) must be longer than --checkout-timeout ({:?}) and --ovh-timeout \
             ({:?}): a checkout may still be running at OVH until its timeout",
            options.checkout_grace, options.checkout_timeout, options.ovh_timeout
        )));
    }
    if options.pass_budget < options.ovh_timeout {
        return Err(Error::Options(format!(
            "--pass-budget ({:?}) must be at least --ovh-timeout ({:?}): a call that answers in \
             time must fit in a pass",
            options.pass_budget, options.ovh_timeout
        )));
    }
    projects
        .list(&ListParams::default().limit(1))
        .await
        .map_err(Error::CrdMissing)?;

    let ovh_stats = Arc::new(CallStats::default());
    let metrics = Metrics::new(ovh_stats.clone());
    if !options.metrics_addr.is_empty() {
        let addr: SocketAddr = options.metrics_addr.parse().map_err(|_| {
            Error::Options(format!(
                "--metrics-addr {:?} is not an address such as 0.0.0.0:8080",
                options.metrics_addr
            ))
        })?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Options(format!("--metrics-addr {addr} cannot be listened on: {e}")))?;
        let router = metrics.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    let instance = std::env::var("POD_NAME")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok());
    // Ready: the API server answers and the CRD is installed (checked above).
    metrics.set_ready();
    let events = events::Events::new(client.clone(), crate::api::FIELD_MANAGER.into(), instance);
    // The Secrets' metadata, cached with names and versions only (a Secret applied with kubectl
    // carries its data in an annotation): the OVH client cache reads the data only when a
    // credentials Secret's version changes.
    let (secret_store, secret_writer) = reflector::store::<SecretMeta>();
    let secret_events = reflector(
        secret_writer,
        watcher(secrets, watcher::Config::default()).modify(|s| {
            let keep = std::mem::take(&mut s.metadata);
            // An outputs Secret keeps its label and owner: they name the resource to re-make it.
            let outputs = keep
                .labels
                .as_ref()
                .is_some_and(|l| l.contains_key(outputs::OUTPUTS_OF_LABEL));
            s.metadata = ObjectMeta {
                name: keep.name,
                namespace: keep.namespace,
                resource_version: keep.resource_version,
                uid: keep.uid,
                labels: keep.labels.filter(|_| outputs),
                owner_references: keep.owner_references.filter(|_| outputs),
                ..Default::default()
            };
        }),
    )
    .touched_objects();
    let (shares, woken) = shares::Shares::new(options.credentials_share());
    let ctx = Arc::new(Context::new(
        client,
        events,
        options.clone(),
        metrics.clone(),
        ovh_stats,
        secret_store,
        shares,
        crash_hook,
    ));

    let mut watch = watcher::Config::default().any_semantic();
    if let Some(selector) = options.watch_selector.as_deref() {
        watch = watch.labels(selector);
    }
    // The projects' cache holds no managedFields (nothing reads them), and only what a person or
    // the API server changes triggers a reconcile: the events of the operator's own status
    // writes do not (the pass that wrote them has already gone on from them), nor do the
    // unchanged objects of a re-list.
    let (store, writer) = reflector::store::<PublicCloudProject>();
    let holdings = ctx.holdings.clone();
    let (gone_ctx, gone_store) = (ctx.clone(), store.clone());
    let project_events = reflector(
        writer,
        watcher(projects, watch)
            .modify(|p| p.metadata.managed_fields = None)
            .inspect(move |event| {
                if let Ok(event) = event {
                    holdings.observe(event);
                }
            }),
    )
    // A resource that leaves the watch (its finalizer removed by hand, or no longer selected)
    // leaves the operator's memory and gauges; a re-list reports no deletion: compare instead.
    .inspect(move |event| match event {
        Ok(watcher::Event::Delete(obj)) => gone_ctx.forget_gone(obj),
        Ok(watcher::Event::InitDone) => gone_ctx.forget_all_gone(&gone_store),
        _ => {}
    })
    .applied_objects()
    .predicate_filter(not_our_writes, PredicateConfig::default());
    let owner_store = store.clone();
    let controller = Controller::for_stream(project_events, store);
    // Only the Lease holder works; it stops the moment it is no longer sure to hold it, like a
    // crash (in-flight reconciles are dropped between two awaits, which the planner recovers from).
    let mut leadership = match options.leader_election_namespace.as_deref() {
        Some(ns) => Some(leader::acquire_leadership(&ctx.client, ns, &options).await?),
        None => None,
    };
    let lost = async move {
        match leadership.as_mut() {
            Some(rx) => loop {
                if rx.changed().await.is_err() || !*rx.borrow() {
                    return;
                }
            },
            None => std::future::pending::<()>().await,
        }
    };
    tracing::info!(namespace = ?options.namespace, "operator started");
    let secrets_ctx = ctx.clone();
    let run = controller
        .watches_stream(secret_events, move |secret: SecretMeta| {
            let (ns, name) = (secret.namespace().unwrap_or_default(), secret.name_any());
            let mut refs =
                secrets_ctx.secret_changed(&ns, &name, secret.metadata.resource_version.as_deref());
            // An outputs Secret (labelled, owned) brings its resource back: re-made if deleted.
            // Only while the resource exists: its deletion garbage-collects the Secret.
            refs.extend(
                outputs::owner_of(&secret)
                    .map(|p| reflector::ObjectRef::new(&p).within(&ns))
                    .filter(|r| owner_store.get(r).is_some()),
            );
            refs
        })
        // A resource deferred for its Secret's share is woken when a pass of that Secret ends.
        .reconcile_on(tokio_stream_of(woken))
        .with_config(controller::Config::default().concurrency(options.concurrency))
        .shutdown_on_signal()
        .run(reconcile::reconcile, error_policy, ctx)
        .for_each(|result| async move {
            if let Err(e) = result {
                match e {
                    controller::Error::ReconcilerFailed(..) => {} // logged by error_policy
                    other => tracing::warn!(error = %other, "controller"),
                }
            }
        });
    tokio::select! {
        _ = run => Ok(()),
        _ = lost => {
            tracing::error!("lost the leader lease; stopping");
            Err(Error::LeaderElection("lost the lease; another replica takes over".into()))
        }
    }
}
