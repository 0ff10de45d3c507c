//! What the operator remembers between passes: the shared clients, the OVH client per
//! credentials Secret (dropped when the Secret changes or goes), and per-object memory (last
//! status written, refusals, released resources, failure counts for backoff).

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Duration,
};

use kube::{
    Client,
    runtime::{events::Recorder, reflector::ObjectRef},
};

use super::{Error, Options, credentials, failpoint::CrashHook};
use crate::{
    api::{Phase, PublicCloudProject, PublicCloudProjectStatus},
    metrics::Metrics,
    ovh::{CallStats, ClientOptions, OvhClient},
};

/// How long a call OVH refused (400, 403, 460) waits before it is tried again, unless the spec changes.
pub(super) const REFUSAL_RETRY: Duration = Duration::from_secs(1800);

/// How long a released resource's UID is remembered (the watch delivers its deletion well
/// before that).
const RELEASED_MEMORY: Duration = Duration::from_secs(600);

/// A Secret's namespace and name.
type SecretKey = (String, String);

/// Shared by all reconciles.
pub struct Context {
    pub client: Client,
    pub recorder: Recorder,
    pub options: Options,
    pub metrics: Metrics,
    ovh_stats: Arc<CallStats>,
    /// One OVH client per credentials Secret (namespace, name), with the Secret's version.
    ovh_clients: Mutex<HashMap<SecretKey, (Option<String>, OvhClient)>>,
    /// Consecutive failures per object, for exponential backoff (kube-rs has none built in).
    failures: Mutex<HashMap<ObjectRef<PublicCloudProject>, u32>>,
    /// The status last written per resource UID, to detect a watch cache lagging our writes.
    written: Mutex<HashMap<String, PublicCloudProjectStatus>>,
    /// When OVH last refused a resource for good, per UID, with the generation it refused: the
    /// refused call is not repeated for that generation before `REFUSAL_RETRY`.
    refused: Mutex<HashMap<String, (Option<i64>, std::time::Instant)>>,
    /// UIDs whose finalizer this process released, and when.
    released: Mutex<HashMap<String, std::time::Instant>>,
    /// The phase last written per UID, for the projects-by-phase gauge.
    phases: Mutex<HashMap<String, Phase>>,
    pub(super) crash_hook: CrashHook,
}

impl Context {
    pub fn new(
        client: Client,
        recorder: Recorder,
        options: Options,
        metrics: Metrics,
        ovh_stats: Arc<CallStats>,
        crash_hook: CrashHook,
    ) -> Self {
        Self {
            client,
            recorder,
            options,
            metrics,
            ovh_stats,
            crash_hook,
            ovh_clients: Mutex::default(),
            failures: Mutex::default(),
            written: Mutex::default(),
            refused: Mutex::default(),
            released: Mutex::default(),
            phases: Mutex::default(),
        }
    }

    /// The OVH client for the resource's credentials Secret, made once per Secret version: it
    /// keeps its clock delta, OAuth2 token and rate limit across passes.
    pub(super) async fn ovh_client(&self, obj: &PublicCloudProject) -> Result<OvhClient, Error> {
        let (credentials, secret) = credentials::credentials(
            &self.client,
            obj,
            self.options.default_credentials.as_ref(),
            &self.options.default_credentials_namespaces,
        )
        .await?;
        let key = (secret.namespace.clone(), secret.name.clone());
        if let Some((version, client)) = self.ovh_clients.lock().unwrap().get(&key)
            && *version == secret.resource_version
        {
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
        self.ovh_clients
            .lock()
            .unwrap()
            .insert(key, (secret.resource_version, client.clone()));
        Ok(client)
    }

    /// Drops the client of a Secret that changed or went (a watch event with another version).
    pub(super) fn secret_changed(&self, namespace: &str, name: &str, resource_version: Option<&str>) {
        let mut clients = self.ovh_clients.lock().unwrap();
        let key = (namespace.to_string(), name.to_string());
        if clients
            .get(&key)
            .is_some_and(|(version, _)| version.as_deref() != resource_version)
        {
            clients.remove(&key);
        }
    }

    pub(super) fn last_written(&self, obj: &PublicCloudProject) -> Option<PublicCloudProjectStatus> {
        self.written
            .lock()
            .unwrap()
            .get(obj.metadata.uid.as_deref()?)
            .cloned()
    }

    pub(super) fn remember_written(&self, obj: &PublicCloudProject, status: &PublicCloudProjectStatus) {
        if let Some(uid) = obj.metadata.uid.clone() {
            self.written.lock().unwrap().insert(uid, status.clone());
        }
    }

    /// Drops what is remembered about a resource whose finalizer goes, and remembers that it
    /// went: a reconcile already queued with the watch's older copy must not act on OVH again.
    pub(super) fn forget(&self, obj: &PublicCloudProject) {
        if let Some(uid) = obj.metadata.uid.as_deref() {
            self.written.lock().unwrap().remove(uid);
            self.refused.lock().unwrap().remove(uid);
            let mut released = self.released.lock().unwrap();
            released.retain(|_, at| at.elapsed() < RELEASED_MEMORY);
            released.insert(uid.to_string(), std::time::Instant::now());
        }
    }

    /// Keeps the projects-by-phase gauge true: `phase` None when the resource is gone.
    pub(super) fn record_phase(&self, obj: &PublicCloudProject, phase: Option<Phase>) {
        let Some(uid) = obj.metadata.uid.clone() else {
            return;
        };
        let before = {
            let mut phases = self.phases.lock().unwrap();
            match phase {
                Some(p) => phases.insert(uid, p),
                None => phases.remove(&uid),
            }
        };
        let name = |p: Option<Phase>| p.map(|p| format!("{p:?}"));
        self.metrics
            .phase_changed(name(before).as_deref(), name(phase).as_deref());
    }

    /// One more consecutive failure of this object (for its backoff).
    pub(super) fn count_failure(&self, obj: &PublicCloudProject) -> u32 {
        let mut map = self.failures.lock().unwrap();
        let n = map.entry(ObjectRef::from_obj(obj)).or_default();
        *n += 1;
        *n
    }

    /// Whether this resource's finalizer was released by this process.
    pub(super) fn was_released(&self, obj: &PublicCloudProject) -> bool {
        obj.metadata
            .uid
            .as_deref()
            .is_some_and(|uid| self.released.lock().unwrap().contains_key(uid))
    }

    /// Time left before a refused resource may be tried again (None: go ahead).
    pub(super) fn refusal_pending(&self, obj: &PublicCloudProject) -> Option<Duration> {
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

    pub(super) fn remember_refusal(&self, obj: &PublicCloudProject) {
        if let Some(uid) = obj.metadata.uid.clone() {
            self.refused
                .lock()
                .unwrap()
                .insert(uid, (obj.metadata.generation, std::time::Instant::now()));
        }
    }

    pub(super) fn reset_failures(&self, obj: &PublicCloudProject) {
        self.failures.lock().unwrap().remove(&ObjectRef::from_obj(obj));
    }
}
