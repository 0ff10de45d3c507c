//! One test's world: a namespace on the shared control plane, its own OVH simulator, a
//! credentials Secret pointing at it, and the operator running in-process on that namespace.

use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Event, Secret};
use kube::{
    Api, Client,
    api::{DeleteParams, ListParams, Patch, PatchParams, PostParams},
};
use ovh_publiccloud_operator::{
    api::PublicCloudProject,
    controller::{self, CrashHook, Options},
    simulator::SimConfig,
};
use serde_json::{Value, json};

use super::sim::Sim;

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
        env.put_secret(
            "ovh-credentials",
            &[
                ("application_key", "sim-ak"),
                ("application_secret", "sim-as"),
                ("consumer_key", "sim-ck"),
            ],
        )
        .await;
        env
    }

    /// Creates or replaces a credentials Secret pointing at this test's simulator.
    pub async fn put_secret(&self, name: &str, keys: &[(&str, &str)]) {
        let mut data: serde_json::Map<String, Value> =
            keys.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
        data.insert("endpoint".into(), json!(self.sim.running.base_url));
        let secret =
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": data});
        Api::<Secret>::namespaced(self.client.clone(), &self.ns)
            .patch(name, &PatchParams::apply("tests").force(), &Patch::Apply(&secret))
            .await
            .unwrap();
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

    pub async fn annotate(&self, name: &str, key: &str, value: &str) {
        let patch = json!({"metadata": {"annotations": {key: value}}});
        self.api
            .patch(name, &PatchParams::default(), &Patch::Merge(&patch))
            .await
            .unwrap();
    }

    pub async fn delete(&self, name: &str) {
        self.api.delete(name, &DeleteParams::default()).await.unwrap();
    }

    /// Polls until `done` holds for the resource; panics with its last state after `seconds`.
    pub async fn wait_for(
        &self,
        name: &str,
        seconds: u64,
        done: impl Fn(&PublicCloudProject) -> bool,
    ) -> PublicCloudProject {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        loop {
            let obj = self.api.get(name).await.unwrap();
            if done(&obj) {
                return obj;
            }
            if Instant::now() > deadline {
                panic!(
                    "{name}: condition not reached in {seconds} s; status: {:#?}\nevents: {:#?}",
                    obj.status,
                    self.events(name).await
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn wait_for_phase(&self, name: &str, phase: &str, seconds: u64) -> PublicCloudProject {
        self.wait_for(name, seconds, |o| phase_of(o) == phase).await
    }

    pub async fn wait_gone(&self, name: &str, seconds: u64) {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        while self.api.get_opt(name).await.unwrap().is_some() {
            assert!(
                Instant::now() < deadline,
                "{name} still exists after {seconds} s: {:#?}",
                self.events(name).await
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits (10 s at most) for an event with `reason` about `name`.
    pub async fn wait_for_event(&self, name: &str, reason: &str) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let events = self.events(name).await;
            if events.iter().any(|(_, r, _)| r == reason) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no {reason} event about {name}: {events:#?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
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

pub fn phase_of(obj: &PublicCloudProject) -> String {
    obj.status
        .as_ref()
        .and_then(|s| s.phase)
        .map(|p| format!("{p:?}"))
        .unwrap_or_default()
}

pub fn condition(obj: &PublicCloudProject, kind: &str) -> Option<(String, String, String)> {
    let c = obj.status.as_ref()?.conditions.iter().find(|c| c.type_ == kind)?;
    Some((c.status.clone(), c.reason.clone(), c.message.clone()))
}
