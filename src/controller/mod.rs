//! The Kubernetes side: watches PublicCloudProjects (and the Secrets they use), reconciles each
//! with the planner, backs off per object on errors.

pub mod plan;
mod reconcile;
pub mod status;

use std::{
    collections::HashMap,
    net::SocketAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use futures::StreamExt;
use k8s_openapi::api::core::v1::Secret;
use kube::{
    Api, Client, ResourceExt,
    api::ListParams,
    runtime::{
        Controller,
        controller::{self, Action},
        events::{Recorder, Reporter},
        reflector::ObjectRef,
        watcher,
    },
};
use rand::Rng;

use crate::{
    api::{PublicCloudProject, PublicCloudProjectStatus},
    metrics::Metrics,
    ovh::{CallStats, ClientOptions, OvhClient, OvhError},
};
use plan::Step;

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
}

impl Error {
    /// Stable PascalCase category: the Warning event reason and the metric label.
    pub fn category(&self) -> &'static str {
        match self {
            Self::Kube(_) => "KubernetesError",
            Self::Ovh(e) => e.category(),
            Self::CrdMissing(_) => "CrdMissing",
            Self::NoCredentials => "NoCredentials",
            Self::SecretNotFound { .. } => "SecretNotFound",
            Self::SecretInvalid { .. } => "SecretInvalid",
            Self::LeaderElection(_) => "LeaderElection",
            Self::Options(_) => "InvalidOptions",
        }
    }
}

/// Settings of the `run` subcommand.
#[derive(clap::Args, Clone, Debug)]
pub struct Options {
    /// Watch only this namespace (default: all namespaces).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Credentials Secret (NAMESPACE/NAME) for resources without spec.credentialsSecretRef.
    #[arg(long, value_parser = parse_secret_ref)]
    pub default_credentials: Option<(String, String)>,
    /// How often a Ready project's status is read again from OVH (drift: suspended, deleted).
    #[arg(long, default_value = "10m", value_parser = parse_duration)]
    pub resync: Duration,
    /// Address of the /metrics, /healthz and /readyz server; empty to disable.
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub metrics_addr: String,
    /// Resources reconciled at the same time.
    #[arg(long, default_value_t = 16)]
    pub concurrency: u16,
    /// Timeout of one OVH call.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub ovh_timeout: Duration,
    /// Timeout of the checkout call. OVH's SDKs wait 180 s for any answer, and a checkout can
    /// commit after a shorter timeout gave up.
    #[arg(long, default_value = "180s", value_parser = parse_duration)]
    pub checkout_timeout: Duration,
    /// How long an open cart in CheckingOut waits after a checkout began before it is checked out
    /// again (an earlier checkout may still be running at OVH). Must exceed --checkout-timeout;
    /// before checking out again, the orders placed since are searched for it.
    #[arg(long, default_value = "240s", value_parser = parse_duration)]
    pub checkout_grace: Duration,
    /// How long after delivery a 404 on the ordered project means "not visible yet" rather than
    /// "gone": OVH takes minutes to show a new project (terraform-provider-ovh#1288 waits 10
    /// minutes, #1377 says that is sometimes too short).
    #[arg(long, default_value = "1h", value_parser = parse_duration)]
    pub project_404_window: Duration,
    /// Namespace of the Lease that elects the one replica allowed to work; without it, no
    /// election (run exactly one operator).
    #[arg(long)]
    pub leader_election_namespace: Option<String>,
    /// Name of that Lease.
    #[arg(long, default_value = "ovh-publiccloud-operator")]
    pub leader_election_lease: String,
    /// This replica's identity in the Lease (default: POD_NAME, HOSTNAME, or a random id).
    #[arg(long)]
    pub leader_election_identity: Option<String>,
    /// Seconds a Lease lasts without renewal; a new leader waits this long after a crash.
    #[arg(long, default_value_t = 30)]
    pub leader_election_lease_seconds: u64,
    /// OVH calls per second per credentials Secret (0: unlimited).
    #[arg(long, default_value_t = 10.0)]
    pub ovh_rate_limit: f64,
}

fn parse_secret_ref(s: &str) -> Result<(String, String), String> {
    match s.split_once('/') {
        Some((ns, name)) if !ns.is_empty() && !name.is_empty() => Ok((ns.into(), name.into())),
        _ => Err(format!("expected NAMESPACE/NAME, got {s:?}")),
    }
}

/// `90s`, `10m`, `1h` or plain seconds.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let (number, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map(|i| s.split_at(i))
        .unwrap_or((s, "s"));
    let n: u64 = number.parse().map_err(|_| format!("not a duration: {s:?}"))?;
    let secs = match unit {
        "ms" => return Ok(Duration::from_millis(n)),
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        _ => return Err(format!("not a duration: {s:?} (use ms, s, m or h)")),
    };
    Ok(Duration::from_secs(secs))
}

impl Options {
    /// Defaults, for tests and embedding.
    pub fn defaults() -> Self {
        use clap::Parser;
        #[derive(clap::Parser)]
        struct Wrapper {
            #[command(flatten)]
            options: Options,
        }
        Wrapper::parse_from(["run"]).options
    }
}

/// A failpoint for crash tests: freezes the reconcile at the n-th executed step, before its OVH
/// call or between the call and the status write, so a test can kill the operator exactly there.
/// Inert unless a test arms it.
#[derive(Clone, Default)]
pub struct CrashHook(Option<Arc<CrashPoint>>);

pub struct CrashPoint {
    /// 1-based index of the step to freeze at.
    pub step: usize,
    /// Freeze after the OVH call (before the status write) rather than before the call.
    pub after_call: bool,
    seen: AtomicUsize,
    /// Notified when the operator froze.
    pub reached: tokio::sync::Notify,
    /// Name of the step it froze at.
    pub frozen_at: Mutex<Option<String>>,
}

impl CrashHook {
    pub fn at(step: usize, after_call: bool) -> (Self, Arc<CrashPoint>) {
        let point = Arc::new(CrashPoint {
            step,
            after_call,
            seen: AtomicUsize::new(0),
            reached: tokio::sync::Notify::new(),
            frozen_at: Mutex::new(None),
        });
        (Self(Some(point.clone())), point)
    }

    async fn before(&self, step: &Step) {
        self.maybe_freeze(step, false).await
    }

    async fn after_call(&self, step: &Step) {
        self.maybe_freeze(step, true).await
    }

    async fn maybe_freeze(&self, step: &Step, after_call: bool) {
        let Some(point) = self.0.as_ref() else { return };
        if after_call != point.after_call {
            return;
        }
        if point.seen.fetch_add(1, Ordering::SeqCst) + 1 == point.step {
            let name = format!("{step:?}");
            *point.frozen_at.lock().unwrap() =
                Some(name.split([' ', '(']).next().unwrap_or_default().to_string());
            point.reached.notify_one();
            std::future::pending::<()>().await;
        }
    }
}

/// How long a call OVH refused (400, 403, 460) waits before it is tried again, unless the spec changes.
const REFUSAL_RETRY: Duration = Duration::from_secs(1800);

/// How long a released resource's UID is remembered (the watch delivers its deletion well
/// before that).
const RELEASED_MEMORY: Duration = Duration::from_secs(600);

/// Shared by all reconciles.
pub struct Context {
    pub client: Client,
    pub recorder: Recorder,
    pub options: Options,
    pub metrics: Metrics,
    ovh_stats: Arc<CallStats>,
    /// One OVH client per credentials Secret version: keeps its clock delta, token and rate limit.
    ovh_clients: Mutex<HashMap<String, OvhClient>>,
    /// Consecutive failures per object, for exponential backoff (kube-rs has none built in).
    failures: Mutex<HashMap<ObjectRef<PublicCloudProject>, u32>>,
    /// The status last written per resource UID, to detect a watch cache lagging our writes.
    written: Mutex<HashMap<String, PublicCloudProjectStatus>>,
    /// When OVH last refused a resource for good, per UID, with the generation it refused: the
    /// refused call is not repeated for that generation before `REFUSAL_RETRY`.
    refused: Mutex<HashMap<String, (Option<i64>, std::time::Instant)>>,
    /// UIDs whose finalizer this process released, and when.
    released: Mutex<HashMap<String, std::time::Instant>>,
    crash_hook: CrashHook,
}

impl Context {
    async fn ovh_client(&self, obj: &PublicCloudProject) -> Result<OvhClient, Error> {
        let (credentials, version) =
            reconcile::credentials(&self.client, obj, self.options.default_credentials.as_ref()).await?;
        if let Some(client) = self.ovh_clients.lock().unwrap().get(&version) {
            return Ok(client.clone());
        }
        let options = ClientOptions {
            timeout: self.options.ovh_timeout,
            checkout_timeout: self.options.checkout_timeout,
            rate_limit: Some(self.options.ovh_rate_limit),
            stats: self.ovh_stats.clone(),
            ..Default::default()
        };
        let client = OvhClient::new(credentials, options)?;
        self.ovh_clients.lock().unwrap().insert(version, client.clone());
        Ok(client)
    }

    fn last_written(&self, obj: &PublicCloudProject) -> Option<PublicCloudProjectStatus> {
        self.written
            .lock()
            .unwrap()
            .get(obj.metadata.uid.as_deref()?)
            .cloned()
    }

    fn remember_written(&self, obj: &PublicCloudProject, status: &PublicCloudProjectStatus) {
        if let Some(uid) = obj.metadata.uid.clone() {
            self.written.lock().unwrap().insert(uid, status.clone());
        }
    }

    /// Drops what is remembered about a resource whose finalizer goes, and remembers that it
    /// went: a reconcile already queued with the watch's older copy must not act on OVH again.
    fn forget(&self, obj: &PublicCloudProject) {
        if let Some(uid) = obj.metadata.uid.as_deref() {
            self.written.lock().unwrap().remove(uid);
            self.refused.lock().unwrap().remove(uid);
            let mut released = self.released.lock().unwrap();
            released.retain(|_, at| at.elapsed() < RELEASED_MEMORY);
            released.insert(uid.to_string(), std::time::Instant::now());
        }
    }

    /// Whether this resource's finalizer was released by this process.
    fn was_released(&self, obj: &PublicCloudProject) -> bool {
        obj.metadata
            .uid
            .as_deref()
            .is_some_and(|uid| self.released.lock().unwrap().contains_key(uid))
    }

    /// Time left before a refused resource may be tried again (None: go ahead).
    fn refusal_pending(&self, obj: &PublicCloudProject) -> Option<Duration> {
        let uid = obj.metadata.uid.as_deref()?;
        let mut refused = self.refused.lock().unwrap();
        let (generation, at) = *refused.get(uid)?;
        let left = REFUSAL_RETRY
            .checked_sub(at.elapsed())
            .filter(|_| generation == obj.metadata.generation);
        if left.is_none() {
            refused.remove(uid);
        }
        left
    }

    fn remember_refusal(&self, obj: &PublicCloudProject) {
        if let Some(uid) = obj.metadata.uid.clone() {
            self.refused
                .lock()
                .unwrap()
                .insert(uid, (obj.metadata.generation, std::time::Instant::now()));
        }
    }

    fn reset_failures(&self, obj: &PublicCloudProject) {
        self.failures.lock().unwrap().remove(&ObjectRef::from_obj(obj));
    }
}

/// Exponential backoff per object: 1 s, 2 s, 4 s … capped at 5 minutes, with jitter.
fn error_policy(obj: Arc<PublicCloudProject>, error: &Error, ctx: Arc<Context>) -> Action {
    let failures = {
        let mut map = ctx.failures.lock().unwrap();
        let n = map.entry(ObjectRef::from_obj(obj.as_ref())).or_default();
        *n += 1;
        *n
    };
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

/// Whether `obj` uses the Secret `namespace/name`.
fn uses_secret(
    obj: &PublicCloudProject,
    namespace: &str,
    name: &str,
    default: Option<&(String, String)>,
) -> bool {
    match obj.spec.credentials_secret_ref.as_ref() {
        Some(r) => r.name == name && obj.namespace().as_deref() == Some(namespace),
        None => default.is_some_and(|(ns, n)| ns == namespace && n == name),
    }
}

/// Runs the operator until SIGTERM/SIGINT.
pub async fn run(options: Options) -> Result<(), Error> {
    let client = Client::try_default().await.map_err(Error::Kube)?;
    start(client, options, CrashHook::default()).await
}

/// Runs the operator with `client` (tests run it in-process, with a crash hook).
pub async fn start(client: Client, options: Options, crash_hook: CrashHook) -> Result<(), Error> {
    let (projects, secrets): (Api<PublicCloudProject>, Api<Secret>) = match options.namespace.as_deref() {
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
    projects
        .list(&ListParams::default().limit(1))
        .await
        .map_err(Error::CrdMissing)?;

    let ovh_stats = Arc::new(CallStats::default());
    let metrics = Metrics::new(ovh_stats.clone());
    if !options.metrics_addr.is_empty() {
        let addr: SocketAddr = options.metrics_addr.parse().map_err(|_| {
            Error::Kube(kube::Error::Service(
                format!("bad --metrics-addr {:?}", options.metrics_addr).into(),
            ))
        })?;
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Error::Kube(kube::Error::Service(format!("--metrics-addr {addr}: {e}").into())))?;
        let router = metrics.router();
        tokio::spawn(async move { axum::serve(listener, router).await });
    }
    let reporter = Reporter {
        controller: crate::api::FIELD_MANAGER.into(),
        instance: std::env::var("POD_NAME")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok()),
    };
    // Ready: the API server answers and the CRD is installed (checked above).
    metrics.set_ready();
    let ctx = Arc::new(Context {
        recorder: Recorder::new(client.clone(), reporter),
        client,
        metrics: metrics.clone(),
        ovh_stats,
        ovh_clients: Mutex::default(),
        failures: Mutex::default(),
        written: Mutex::default(),
        refused: Mutex::default(),
        released: Mutex::default(),
        crash_hook,
        options: options.clone(),
    });

    let controller = Controller::new(projects, watcher::Config::default().any_semantic());
    let store = controller.store();
    let default = options.default_credentials.clone();
    // Only the Lease holder works; it stops the moment it is no longer sure to hold it, like a
    // crash (in-flight reconciles are dropped between two awaits, which the planner recovers from).
    let mut leadership = match options.leader_election_namespace.as_deref() {
        Some(ns) => Some(acquire_leadership(&ctx.client, ns, &options).await?),
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
    let run = controller
        .watches(secrets, watcher::Config::default(), move |secret: Secret| {
            let (ns, name) = (secret.namespace().unwrap_or_default(), secret.name_any());
            store
                .state()
                .into_iter()
                .filter(|p| uses_secret(p, &ns, &name, default.as_ref()))
                .map(|p| ObjectRef::from_obj(p.as_ref()))
                .collect::<Vec<_>>()
        })
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

/// Waits until this replica holds the Lease; returns the channel that says whether it still does.
async fn acquire_leadership(
    client: &Client,
    namespace: &str,
    options: &Options,
) -> Result<tokio::sync::watch::Receiver<bool>, Error> {
    let identity = options
        .leader_election_identity
        .clone()
        .or_else(|| std::env::var("POD_NAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| format!("ovh-operator-{:08x}", rand::random::<u32>()));
    let seconds = options.leader_election_lease_seconds.max(2);
    let manager =
        kube_lease_manager::LeaseManagerBuilder::new(client.clone(), &options.leader_election_lease)
            .with_namespace(namespace)
            .with_identity(&identity)
            .with_duration(seconds)
            .with_grace((seconds / 3).max(1))
            .with_field_manager(crate::api::FIELD_MANAGER)
            .build()
            .await
            .map_err(|e| Error::LeaderElection(e.to_string()))?;
    let (mut leader, _task) = manager.watch().await;
    tracing::info!(%identity, lease = %options.leader_election_lease, %namespace, "waiting for the leader lease");
    while !*leader.borrow_and_update() {
        leader
            .changed()
            .await
            .map_err(|_| Error::LeaderElection("the lease task stopped".into()))?;
    }
    tracing::info!(%identity, "holding the leader lease");
    Ok(leader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_secret_refs_parse() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("10m").unwrap(), Duration::from_secs(600));
        assert_eq!(parse_duration("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("soon").is_err());
        assert_eq!(parse_secret_ref("ops/ovh").unwrap(), ("ops".into(), "ovh".into()));
        assert!(parse_secret_ref("ovh").is_err());
    }
}
