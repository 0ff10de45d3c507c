//! One test's world: a namespace on the shared control plane, its own OVH simulator, a
//! credentials Secret pointing at it, and the operator running in-process on that namespace.

use std::{collections::BTreeMap, time::Duration};

use k8s_openapi::{api::core::v1::Event, apimachinery::pkg::apis::meta::v1::Condition};
use kube::{
    Api, Client,
    api::{DeleteParams, ListParams, Patch, PatchParams, PostParams},
};
use ovh_publiccloud_operator::{
    api::{Phase, PublicCloudProject},
    controller::{self, CrashHook, Options},
    simulator::SimConfig,
};
use serde_json::{Value, json};

use super::sim::{AK_AS_CK, Sim};

pub struct Env {
    pub client: Client,
    pub ns: String,
    pub sim: Sim,
    pub api: Api<PublicCloudProject>,
}

pub struct Operator(tokio::task::JoinHandle<()>);

impl Operator {
    /// Kills the operator where it stands (as a crash would: nothing runs after this).
    pub fn kill(self) {
        self.0.abort();
    }
}

impl Drop for Operator {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Env {
    pub async fn new(prefix: &str, tune: impl FnOnce(&mut SimConfig)) -> Self {
        ovh_publiccloud_operator::telemetry::init();
        let client = super::client().await;
        super::install_crd(&client).await;
        let ns = super::namespace(&client, prefix).await;
        let sim = Sim::start(tune).await;
        let env = Self {
            api: Api::namespaced(client.clone(), &ns),
            client,
            ns,
            sim,
        };
        env.put_secret("ovh-credentials", &AK_AS_CK).await;
        env
    }

    /// Creates or replaces a credentials Secret pointing at this test's simulator.
    pub async fn put_secret(&self, name: &str, keys: &[(&str, &str)]) {
        let endpoint = self.sim.running.base_url.clone();
        let mut all = keys.to_vec();
        all.push(("endpoint", &endpoint));
        self.put_raw_secret(name, &all).await;
    }

    /// Creates or replaces a Secret with exactly these keys (no endpoint added).
    pub async fn put_raw_secret(&self, name: &str, keys: &[(&str, &str)]) {
        super::secrets::put(&self.client, &self.ns, name, keys).await;
    }

    /// The data of the test namespace's Secret `name`, as text (`None`: no such Secret).
    pub async fn secret_data(&self, name: &str) -> Option<BTreeMap<String, String>> {
        super::secrets::data(&self.client, &self.ns, name).await
    }

    /// Deletes the test namespace's Secret `name`, which must exist.
    pub async fn delete_secret(&self, name: &str) {
        super::secrets::delete(&self.client, &self.ns, name).await;
    }

    pub fn options(&self) -> Options {
        let mut options = Options::defaults();
        options.namespace = Some(self.ns.clone());
        options.metrics_addr = String::new();
        options.ovh_rate_limit = 0.0;
        // Short, so that restarts in CheckingOut (the crash test) wait it out quickly; the grace
        // must exceed the checkout's timeout, which must be long enough for a loaded simulator.
        options.ovh_timeout = Duration::from_secs(5);
        options.checkout_timeout = Duration::from_secs(5);
        options.checkout_grace = Duration::from_secs(6);
        options
    }

    pub fn start_operator(&self) -> Operator {
        self.start_operator_with(self.options(), CrashHook::default())
    }

    pub fn start_operator_with(&self, options: Options, hook: CrashHook) -> Operator {
        let client = self.client.clone();
        Operator(tokio::spawn(async move {
            if let Err(e) = controller::start(client, options, hook).await {
                panic!("operator failed: {e}");
            }
        }))
    }

    /// Creates a PublicCloudProject from a spec (JSON) with the test's credentials.
    pub async fn create(&self, name: &str, mut spec: Value) -> PublicCloudProject {
        if spec.get("credentialsSecretRef").is_none() {
            spec["credentialsSecretRef"] = json!({"name": "ovh-credentials"});
        }
        let obj: PublicCloudProject = serde_json::from_value(json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": name}, "spec": spec,
        }))
        .unwrap();
        self.api.create(&PostParams::default(), &obj).await.unwrap()
    }

    /// Writes the resource as the operator left it to `target/status-dumps/<file>.yaml`. The
    /// testdata of Argo CD's health script and of the kstatus check (gitops/) are these dumps,
    /// copied by `scripts/refresh-gitops-testdata`: statuses the operator really wrote.
    pub async fn dump(&self, name: &str, file: &str) {
        let mut value = serde_json::to_value(self.api.get(name).await.unwrap()).unwrap();
        let metadata = value["metadata"].as_object_mut().unwrap();
        // What varies from run to run and says nothing about health.
        for key in ["managedFields", "uid", "resourceVersion", "creationTimestamp"] {
            metadata.remove(key);
        }
        metadata.insert("namespace".into(), json!("default"));
        if let Some(ts) = metadata.get_mut("deletionTimestamp") {
            *ts = json!("2026-01-01T00:00:00Z");
        }
        let dir = super::repo_root().join("target/status-dumps");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join(format!("{file}.yaml")),
            serde_yaml::to_string(&value).unwrap(),
        )
        .unwrap();
    }

    pub async fn annotate(&self, name: &str, key: &str, value: &str) {
        let patch = json!({"metadata": {"annotations": {key: value}}});
        self.api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    }

    pub async fn remove_annotation(&self, name: &str, key: &str) {
        let patch = json!({"metadata": {"annotations": {key: null}}});
        self.api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    }

    pub async fn delete(&self, name: &str) {
        self.api.delete(name, &DeleteParams::default()).await.unwrap();
    }

    /// Watches the resource until `done` holds for it (`None`: it does not exist), and returns it
    /// then; panics with its last status and its events after `seconds`.
    async fn wait_until(
        &self,
        name: &str,
        seconds: u64,
        what: &str,
        done: impl Fn(Option<&PublicCloudProject>) -> bool,
    ) -> Option<PublicCloudProject> {
        match super::wait_for(&self.api, name, seconds, done).await {
            Ok(obj) => obj,
            Err(super::TimedOut) => {
                let last = self.api.get_opt(name).await.unwrap();
                panic!(
                    "{name}: {what} not reached in {seconds} s; status: {:#?}\nevents: {:#?}",
                    last.map(|o| o.status),
                    self.events(name).await
                );
            }
        }
    }

    /// Waits until `done` holds for the resource; panics with its last state after `seconds`.
    pub async fn wait_for(
        &self,
        name: &str,
        seconds: u64,
        done: impl Fn(&PublicCloudProject) -> bool,
    ) -> PublicCloudProject {
        self.wait_until(name, seconds, "condition", |o| o.is_some_and(&done))
            .await
            .expect("the condition held for an existing resource")
    }

    pub async fn wait_for_phase(&self, name: &str, phase: Phase, seconds: u64) -> PublicCloudProject {
        let what = format!("phase {phase:?}");
        self.wait_until(name, seconds, &what, |o| {
            o.is_some_and(|o| phase_of(o) == Some(phase))
        })
        .await
        .expect("the phase was reached by an existing resource")
    }

    /// Waits until the resource no longer exists.
    pub async fn wait_gone(&self, name: &str, seconds: u64) {
        self.wait_until(name, seconds, "deletion", |o| o.is_none()).await;
    }

    /// Waits (10 s at most) for an event with `reason` about `name`, and returns it (type,
    /// reason, message).
    pub async fn wait_for_event(&self, name: &str, reason: &str) -> (String, String, String) {
        let what = format!("a {reason} event about {name}");
        super::eventually(&what, 10, async || {
            let events = self.events(name).await;
            events.iter().find(|(_, r, _)| r == reason).cloned().ok_or(events)
        })
        .await
    }

    /// (type, reason, note) of the events about `name`.
    pub async fn events(&self, name: &str) -> Vec<(String, String, String)> {
        let events: Api<Event> = Api::namespaced(self.client.clone(), &self.ns);
        let list = events.list(&ListParams::default()).await.unwrap();
        list.items
            .into_iter()
            .filter(|e| e.involved_object.name.as_deref() == Some(name))
            .map(|e| {
                (
                    e.type_.unwrap_or_default(),
                    e.reason.unwrap_or_default(),
                    e.message.unwrap_or_default(),
                )
            })
            .collect()
    }
}

/// The phase in the resource's status, if it has one.
pub fn phase_of(obj: &PublicCloudProject) -> Option<Phase> {
    obj.status.as_ref()?.phase
}

/// The condition of type `kind` (`Ready`, `OrderPlaced`, `CredentialsValid`) in the status.
pub fn condition(obj: &PublicCloudProject, kind: &str) -> Option<Condition> {
    obj.status
        .as_ref()?
        .conditions
        .iter()
        .find(|c| c.type_ == kind)
        .cloned()
}
