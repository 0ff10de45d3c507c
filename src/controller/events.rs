//! Kubernetes events (events.k8s.io/v1), published with memory and cost that do not grow with
//! the cluster. kube's `Recorder` keeps every event it published for six minutes and scans that
//! whole cache on each publish: with N resources that is O(N) work and memory per event, which
//! the benchmark saw as CPU per project growing with N. Here only the last event of each object
//! is remembered (to count a repeat as a series, like `kubectl describe` shows "x3"), and it is
//! forgotten with the object.

use std::{
    collections::HashMap,
    hash::{DefaultHasher, Hash, Hasher},
    sync::Mutex,
};

use k8s_openapi::{
    api::{core::v1::ObjectReference, events::v1::Event as K8sEvent},
    apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta},
    jiff::{SignedDuration, Timestamp},
};
use kube::{
    Api, Client,
    api::{Patch, PatchParams, PostParams},
};
use serde_json::json;

/// A repeat of an object's last event within this time is counted on it, not created anew
/// (kube's `Recorder` uses the same window).
const SERIES_WINDOW: SignedDuration = SignedDuration::from_mins(6);

/// The last event published for an object.
struct Last {
    /// Hash of type, reason and note: the same event again.
    key: u64,
    /// The event object's name.
    name: String,
    count: i32,
    at: Timestamp,
}

/// Publishes events on behalf of one controller instance.
pub struct Events {
    client: Client,
    controller: String,
    instance: String,
    /// By object UID.
    last: Mutex<HashMap<String, Last>>,
}

impl Events {
    pub fn new(client: Client, controller: String, instance: Option<String>) -> Self {
        Self {
            instance: instance.unwrap_or_else(|| controller.clone()),
            client,
            controller,
            last: Mutex::default(),
        }
    }

    /// Creates the event, or counts it on the object's last event when it is the same again.
    pub async fn publish(
        &self,
        regarding: &ObjectReference,
        warning: bool,
        reason: &str,
        note: &str,
    ) -> kube::Result<()> {
        let namespace = regarding.namespace.clone().unwrap_or_else(|| "default".into());
        let uid = regarding.uid.clone().unwrap_or_default();
        let type_ = if warning { "Warning" } else { "Normal" };
        let key = {
            let mut h = DefaultHasher::new();
            (type_, reason, note).hash(&mut h);
            h.finish()
        };
        let now = Timestamp::now();
        let api: Api<K8sEvent> = Api::namespaced(self.client.clone(), &namespace);
        let repeat = self.last.lock().unwrap().get(&uid).and_then(|last| {
            (last.key == key && last.at + SERIES_WINDOW > now).then(|| (last.name.clone(), last.count + 1))
        });
        if let Some((name, count)) = repeat {
            let series = json!({"series": {"count": count, "lastObservedTime": MicroTime(now)}});
            match api
                .patch(&name, &PatchParams::default(), &Patch::Merge(&series))
                .await
            {
                Ok(_) => {
                    self.remember(uid, key, name, count, now);
                    return Ok(());
                }
                // Expired or deleted by the API server: create it anew.
                Err(kube::Error::Api(e)) if e.code == 404 => {}
                Err(e) => return Err(e),
            }
        }
        let name = format!(
            "{}.{:x}",
            regarding.name.as_deref().unwrap_or(&self.controller),
            now.as_nanosecond()
        );
        let event = K8sEvent {
            action: Some("Reconcile".into()),
            reason: Some(reason.into()),
            event_time: Some(MicroTime(now)),
            regarding: Some(regarding.clone()),
            note: Some(note.into()),
            metadata: ObjectMeta {
                namespace: Some(namespace),
                name: Some(name.clone()),
                ..Default::default()
            },
            reporting_controller: Some(self.controller.clone()),
            reporting_instance: Some(self.instance.clone()),
            type_: Some(type_.into()),
            ..Default::default()
        };
        api.create(&PostParams::default(), &event).await?;
        self.remember(uid, key, name, 1, now);
        Ok(())
    }

    fn remember(&self, uid: String, key: u64, name: String, count: i32, at: Timestamp) {
        if !uid.is_empty() {
            self.last
                .lock()
                .unwrap()
                .insert(uid, Last { key, name, count, at });
        }
    }

    /// Forgets a resource that is gone.
    pub fn forget(&self, uid: &str) {
        self.last.lock().unwrap().remove(uid);
    }
}
