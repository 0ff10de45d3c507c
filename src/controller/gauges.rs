//! The operator's gauges that follow each resource: its phase, its money (spend, forecast,
//! budget), and the stretch of the routine intervals of its credentials Secret.

use std::collections::HashSet;

use kube::ResourceExt;

use super::{Context, credentials};
use crate::{
    api::{Phase, PublicCloudProject, PublicCloudProjectStatus},
    metrics::Money,
};

impl Context {
    /// How much the routine intervals of `obj`'s credentials Secret are stretched to keep its
    /// routine reads within the call budget (see [`super::budget`]).
    pub(super) fn routine_stretch(&self, obj: &PublicCloudProject) -> f64 {
        let key = credentials::secret_ref(
            obj,
            self.options.default_credentials.as_ref(),
            &self.options.default_credentials_namespaces,
        );
        let resources = key
            .ok()
            .and_then(|k| self.secret_users.lock().unwrap().get(&k).map(HashSet::len))
            .unwrap_or(0);
        let o = &self.options;
        let factor = super::budget::stretch(resources, o.ovh_rate_limit, o.resync, o.spend_interval);
        self.metrics.routine_stretch(factor);
        factor
    }
    /// Keeps the money gauges (spend, forecast, budget) as the status says.
    pub(super) fn record_money(&self, obj: &PublicCloudProject, status: &PublicCloudProjectStatus) {
        let Some(uid) = obj.metadata.uid.clone() else {
            return;
        };
        let number = |v: Option<&String>| v.and_then(|v| v.parse::<f64>().ok());
        let spend = status.spend.as_ref();
        let money = Money {
            currency: spend.and_then(|s| s.currency.clone()).unwrap_or_default(),
            current: number(spend.and_then(|s| s.current.as_ref())),
            forecast: number(spend.and_then(|s| s.forecast.as_ref())),
            budget: obj.spec.budget.as_ref().map(|b| b.monthly_threshold as f64),
        };
        let mut all = self.money.lock().unwrap();
        let before = all.get(&uid).map(|(_, _, m)| m.clone());
        if before.as_ref() == Some(&money) {
            return;
        }
        let (ns, name) = (obj.namespace().unwrap_or_default(), obj.name_any());
        self.metrics
            .project_money(&ns, &name, Some(&money), before.as_ref());
        all.insert(uid, (ns, name, money));
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
}
