//! What the operator remembers between passes: the shared clients, the OVH client per
//! credentials Secret (dropped when the Secret changes or goes), and per-object memory (last
//! status written, refusals, released resources, failure counts for backoff).

use std::{
    collections::{HashMap, HashSet},
    hash::{Hash, Hasher},
    sync::{Arc, Mutex},
    time::Duration,
};

use k8s_openapi::api::core::v1::Secret;
use kube::{
    Client,
    core::PartialObjectMeta,
    runtime::reflector::{ObjectRef, Store},
};

use super::{
    Error, Options, budget, credentials,
    events::Events,
    failpoint::CrashHook,
    holdings::Holdings,
    shares::{Permit, SecretKey, Shares},
};
use crate::{
    api::{Phase, PublicCloudProject, PublicCloudProjectStatus},
    metrics::{Metrics, Money},
    ovh::{CallStats, ClientOptions, Lane, OvhClient},
};

/// How long a call OVH refused for good (`Disposition::is_final`: 400, 403, 405, 460, a listing
/// too long) waits before it is tried again, unless the spec changes.
pub(super) const REFUSAL_RETRY: Duration = Duration::from_secs(1800);

/// How long a released resource's UID is remembered (the watch delivers its deletion well
/// before that).
const RELEASED_MEMORY: Duration = Duration::from_secs(600);

/// What the operator keeps of a Secret: its metadata, stripped to names and version.
pub type SecretMeta = PartialObjectMeta<Secret>;

type Resource = ObjectRef<PublicCloudProject>;

/// A pass of a credentials Secret's share of the reconcile slots.
pub(super) type SharePermit<'a> = Permit<'a, Resource>;

/// The resource's Secret has used its share: the pass does not start (it is woken later).
pub(super) struct Deferred;

/// Shared by all reconciles.
pub struct Context {
    pub client: Client,
    pub events: Events,
    pub options: Options,
    pub metrics: Metrics,
    ovh_stats: Arc<CallStats>,
    /// The metadata of Secrets (the watch's cache, names and versions only: no data, no
    /// annotations, no managedFields).
    secrets: Store<SecretMeta>,
    /// One OVH client per credentials Secret (namespace, name), with the Secret's version.
    ovh_clients: Mutex<HashMap<SecretKey, (Option<String>, OvhClient)>>,
    /// Held while a credentials Secret is read and its client made.
    secret_reading: tokio::sync::Mutex<()>,
    /// The resources that read each credentials Secret: a Secret event reconciles those, without
    /// a scan of every resource for each Secret of the cluster.
    pub(super) secret_users: Mutex<HashMap<SecretKey, HashSet<ObjectRef<PublicCloudProject>>>>,
    /// Consecutive failures per object, for exponential backoff (kube-rs has none built in).
    failures: Mutex<HashMap<ObjectRef<PublicCloudProject>, u32>>,
    /// The status last written per resource UID, to detect a watch cache lagging our writes.
    /// (A hash, not a copy: the watch cache already holds every status.)
    written: Mutex<HashMap<String, u64>>,
    /// When OVH last refused a resource for good, per UID, with the generation it refused: the
    /// refused call is not repeated for that generation before `REFUSAL_RETRY`.
    refused: Mutex<HashMap<String, (Option<i64>, std::time::Instant)>>,
    /// UIDs whose finalizer this process released, and when.
    released: Mutex<HashMap<String, std::time::Instant>>,
    /// The phase last written per UID, for the projects-by-phase gauge.
    pub(super) phases: Mutex<HashMap<String, Phase>>,
    /// Each resource's money gauges as last set (namespace, name, values), by UID.
    pub(super) money: Mutex<HashMap<String, (String, String, Money)>>,
    /// Each credentials Secret's share of the reconcile slots.
    shares: Shares<Resource>,
    pub(super) crash_hook: CrashHook,
    /// Which resource holds which project and order (fed by the resources' watch).
    pub holdings: Arc<Holdings>,
    /// Ready resources whose project their account's listing did not show: their next pass has
    /// work to do (`listing`).
    pub(super) not_listed: Mutex<HashSet<Resource>>,
    /// The resources (a hash of their UID: 10,000 cost 160 KiB, not a megabyte of strings) whose
    /// first pass in this process came: it is spread over the stretched interval only once.
    first_passes: Mutex<HashSet<u64>>,
}

impl Context {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn new(
        client: Client,
        events: Events,
        options: Options,
        metrics: Metrics,
        ovh_stats: Arc<CallStats>,
        secrets: Store<SecretMeta>,
        shares: Shares<Resource>,
        crash_hook: CrashHook,
    ) -> Self {
        Self {
            shares,
            secrets,
            client,
            events,
            options,
            metrics,
            ovh_stats,
            crash_hook,
            ovh_clients: Mutex::default(),
            secret_users: Mutex::default(),
            secret_reading: tokio::sync::Mutex::default(),
            failures: Mutex::default(),
            written: Mutex::default(),
            refused: Mutex::default(),
            released: Mutex::default(),
            phases: Mutex::default(),
            money: Mutex::default(),
            holdings: Arc::default(),
            not_listed: Mutex::default(),
            first_passes: Mutex::default(),
        }
    }

    /// Records `obj` as a user of its credentials Secret, from the watch as soon as it is seen
    /// (and again by its passes): the call budget stretches a Secret's routine intervals by how
    /// many resources use it, which must be known from the start, not only once each resource's
    /// first pass has run (in the first round after a start the early passes would not stretch,
    /// come back unstretched, and hold the Secret at its rate limit for an hour at 10,000).
    pub(super) fn note_secret_user(&self, obj: &PublicCloudProject) -> Result<SecretKey, Error> {
        let key = credentials::secret_ref(
            obj,
            self.options.default_credentials.as_ref(),
            &self.options.default_credentials_namespaces,
        )?;
        self.secret_users
            .lock()
            .unwrap()
            .entry(key.clone())
            .or_default()
            .insert(ObjectRef::from_obj(obj));
        Ok(key)
    }

    /// How long the first pass of `obj` in this process waits, if it is routine (a Ready
    /// resource with nothing to do but read its project) and its Secret's budget is stretched
    /// (`budget::first_pass_delay`); None for every later pass.
    pub(super) fn first_pass_delay(&self, obj: &PublicCloudProject) -> Option<Duration> {
        let uid = obj.metadata.uid.as_deref()?;
        if !self.first_passes.lock().unwrap().insert(uid_hash(uid)) {
            return None;
        }
        if self.lane(obj) != Lane::Routine {
            return None;
        }
        let factor = self.routine_stretch(obj);
        budget::first_pass_delay(self.options.resync, factor, rand::random())
    }

    /// The OVH client for the resource's credentials Secret, made once per Secret version: it
    /// keeps its clock delta, OAuth2 token and rate limit across passes. The Secret's data is
    /// read (one GET) only when the metadata-only Secret watch shows a version this cache does
    /// not hold, or has not seen the Secret yet: passes over unchanged credentials read nothing.
    pub(super) async fn ovh_client(&self, obj: &PublicCloudProject) -> Result<OvhClient, Error> {
        let key = self.note_secret_user(obj)?;
        let seen = self
            .secrets
            .get(&ObjectRef::new(&key.1).within(&key.0))
            .and_then(|s| s.metadata.resource_version.clone());
        let cached = || {
            let seen = seen.as_deref()?;
            let clients = self.ovh_clients.lock().unwrap();
            let (version, client) = clients.get(&key)?;
            (version.as_deref() == Some(seen)).then(|| client.clone())
        };
        if let Some(client) = cached() {
            return Ok(client);
        }
        // One read at a time: the passes a Secret change wakes all wait for the first one's.
        let _reading = self.secret_reading.lock().await;
        if let Some(client) = cached() {
            return Ok(client);
        }
        self.metrics.secret_read();
        let (credentials, secret) = credentials::credentials(&self.client, key.clone()).await?;
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

    /// The OVH client made for the Secret `key`, if one is (a pass makes it).
    pub(super) fn cached_client(&self, key: &SecretKey) -> Option<OvhClient> {
        let clients = self.ovh_clients.lock().unwrap();
        clients.get(key).map(|(_, client)| client.clone())
    }

    /// A watch event of the Secret `namespace/name`: drops its client when the version differs
    /// (it changed or went), and returns the resources to reconcile — those that read it, unless
    /// their client is of this very version (a re-list, or an unrelated event).
    pub(super) fn secret_changed(
        &self,
        namespace: &str,
        name: &str,
        resource_version: Option<&str>,
    ) -> Vec<ObjectRef<PublicCloudProject>> {
        let key = (namespace.to_string(), name.to_string());
        {
            let mut clients = self.ovh_clients.lock().unwrap();
            match clients.get(&key) {
                Some((version, _)) if version.as_deref() == resource_version => return Vec::new(),
                Some(_) => {
                    clients.remove(&key);
                }
                None => {}
            }
        }
        self.secret_users
            .lock()
            .unwrap()
            .get(&key)
            .map(|users| users.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Whether the status of `obj` (as the watch cache has it) differs from the status this
    /// process last wrote for it: then the cache lags our write.
    pub(super) fn lags_our_write(&self, obj: &PublicCloudProject) -> bool {
        let Some(uid) = obj.metadata.uid.as_deref() else {
            return false;
        };
        let written = self.written.lock().unwrap().get(uid).copied();
        written.is_some_and(|w| Some(w) != obj.status.as_ref().map(status_hash))
    }

    pub(super) fn remember_written(&self, obj: &PublicCloudProject, status: &PublicCloudProjectStatus) {
        if let Some(uid) = obj.metadata.uid.clone() {
            self.written.lock().unwrap().insert(uid, status_hash(status));
        }
    }

    /// Whether a pass of `obj` may start: with a pass of its credentials Secret's share (None:
    /// it names no usable Secret, and the pass says so without calling OVH), or `Deferred`.
    pub(super) fn enter_share(&self, obj: &PublicCloudProject) -> Result<Option<SharePermit<'_>>, Deferred> {
        let Ok(key) = credentials::secret_ref(
            obj,
            self.options.default_credentials.as_ref(),
            &self.options.default_credentials_namespaces,
        ) else {
            return Ok(None);
        };
        self.shares
            .enter(&key, &ObjectRef::from_obj(obj), self.lane(obj))
            .map(Some)
            .ok_or(Deferred)
    }

    /// Drops what is remembered about a resource whose finalizer goes, and remembers that it
    /// went: a reconcile already queued with the watch's older copy must not act on OVH again.
    pub(super) fn forget(&self, obj: &PublicCloudProject) {
        self.forget_ref(&ObjectRef::from_obj(obj));
        if let Some(uid) = obj.metadata.uid.as_deref() {
            self.forget_uid(uid, false);
            let mut released = self.released.lock().unwrap();
            released.retain(|_, at| at.elapsed() < RELEASED_MEMORY);
            released.insert(uid.to_string(), std::time::Instant::now());
        }
    }

    /// A resource left the watch (deleted, also after its finalizer was removed by hand, or no
    /// longer selected): nothing of it is kept, and the projects-by-phase gauge stops counting it.
    pub(super) fn forget_gone(&self, obj: &PublicCloudProject) {
        self.forget_ref(&ObjectRef::from_obj(obj));
        if let Some(uid) = obj.metadata.uid.as_deref() {
            self.forget_uid(uid, true);
        }
    }

    /// After a re-list of the watch (which reports no deletion of its own): forgets every
    /// resource the watch's store no longer holds.
    pub(super) fn forget_all_gone(&self, store: &Store<PublicCloudProject>) {
        let present: HashSet<String> = store
            .state()
            .iter()
            .filter_map(|o| o.metadata.uid.clone())
            .collect();
        let gone = |uids: &mut HashSet<String>, keys: Vec<&String>| {
            uids.extend(keys.into_iter().filter(|u| !present.contains(*u)).cloned())
        };
        let mut uids = HashSet::new();
        gone(&mut uids, self.phases.lock().unwrap().keys().collect());
        gone(&mut uids, self.written.lock().unwrap().keys().collect());
        gone(&mut uids, self.refused.lock().unwrap().keys().collect());
        for uid in uids {
            self.forget_uid(&uid, true);
        }
        let refs: Vec<Resource> = self.failures.lock().unwrap().keys().cloned().collect();
        let users = self
            .secret_users
            .lock()
            .unwrap()
            .values()
            .flatten()
            .cloned()
            .collect();
        for r in [refs, users].concat() {
            if store.get(&r).is_none() {
                self.forget_ref(&r);
            }
        }
    }

    /// The entries of a resource's name in the per-resource maps.
    fn forget_ref(&self, this: &Resource) {
        self.secret_users.lock().unwrap().retain(|_, users| {
            users.remove(this);
            !users.is_empty()
        });
        self.failures.lock().unwrap().remove(this);
        self.not_listed.lock().unwrap().remove(this);
        self.shares.forget(this);
    }

    /// The entries of a resource's UID; with `phase`, its count in the projects-by-phase gauge.
    fn forget_uid(&self, uid: &str, phase: bool) {
        self.written.lock().unwrap().remove(uid);
        self.first_passes.lock().unwrap().remove(&uid_hash(uid));
        self.events.forget(uid);
        self.refused.lock().unwrap().remove(uid);
        if phase {
            let before = self.phases.lock().unwrap().remove(uid);
            self.metrics
                .phase_changed(before.map(|p| format!("{p:?}")).as_deref(), None);
        }
        if let Some((ns, name, before)) = self.money.lock().unwrap().remove(uid) {
            self.metrics.project_money(&ns, &name, None, Some(&before));
        }
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

/// A UID's hash (the same in every call: `DefaultHasher::new` has fixed keys).
fn uid_hash(uid: &str) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    uid.hash(&mut h);
    h.finish()
}

/// A hash of a status's JSON form (the status types do not implement `Hash`).
fn status_hash(status: &PublicCloudProjectStatus) -> u64 {
    let mut h = std::hash::DefaultHasher::new();
    serde_json::to_vec(status).unwrap_or_default().hash(&mut h);
    h.finish()
}
