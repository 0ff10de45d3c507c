//! Projects gone from an account, noticed with one listing per credentials Secret. A Ready
//! resource's resync reads its project, but the call budget stretches that resync when a Secret
//! has many resources (×7.8 at 10,000: see `budget`). So once per --project-listing-interval,
//! never stretched, each Secret with Ready resources lists its account's project ids
//! (`GET /cloud/project`: one call, in the routine lane), and each Ready resource whose project is
//! not listed gets a pass at once, in the priority lane. That pass reads the project as any pass
//! does: the planner is not involved, the listing only triggers it. A listing that fails, or
//! misses too many projects to believe, is counted, logged when it starts failing, and tried
//! again at the next interval; it never becomes a resource's error. A project listed with another status than `ok` (the Control Panel filters
//! this listing on status: docs/ovh-evidence.md#project-listing) is seen at its own resync.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::Duration,
};

use futures::{StreamExt, stream::FuturesUnordered};
use kube::runtime::reflector::{ObjectRef, Store};
use tokio::{sync::mpsc::UnboundedSender, time::MissedTickBehavior};

use super::{Context, pass::lane_of, shares::SecretKey};
use crate::{
    api::{Phase, PublicCloudProject},
    ovh::{Lane, OvhClient, OvhError},
};

type Resource = ObjectRef<PublicCloudProject>;

/// How one Secret's listing ended: the ids, or why not.
type Listed = Result<HashSet<String>, Unlisted>;

/// Not listed is taken for gone up to this many of a Secret's Ready resources at once, or up to
/// half of them: beyond, the listing is more likely wrong (an incident answering a short list)
/// than the account emptied, and a pass for each, in the priority lane, would hold back every
/// order of the Secret. Their resyncs still read them.
const SUSPECT_BEYOND: usize = 20;

/// A listing that did not list, or not believably.
struct Unlisted {
    /// The metric's `result`: `failed`, `tooLong` or `suspect`.
    result: &'static str,
    /// What failed, stable across attempts (an error's category): said once.
    what: &'static str,
    message: String,
}

impl From<OvhError> for Unlisted {
    fn from(e: OvhError) -> Self {
        let result = match e {
            OvhError::ListTooLong { .. } => "tooLong",
            _ => "failed",
        };
        Unlisted {
            result,
            what: e.category(),
            message: e.to_string(),
        }
    }
}

/// Lists each Secret's account every --project-listing-interval (never, when it is 0) and sends
/// the resources whose project is not listed to `wake` (the controller's `reconcile_on`). Runs
/// until dropped (leadership lost, shutdown); a listing under way is dropped with it. One slow
/// account delays no other's listing, and is not listed twice at once.
pub(super) async fn run(
    ctx: Arc<Context>,
    store: Store<PublicCloudProject>,
    wake: UnboundedSender<Resource>,
) {
    let Some(every) = ctx.options.project_listing_every() else {
        return std::future::pending().await;
    };
    // The first listing one interval after the start: the start's passes read every project.
    let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut under_way = FuturesUnordered::new();
    let mut busy: HashSet<SecretKey> = HashSet::new();
    let mut failing: HashMap<SecretKey, &'static str> = HashMap::new();
    loop {
        tokio::select! {
            _ = ticks.tick() => {
                for (key, client) in ctx.listed_secrets(&store) {
                    if busy.insert(key.clone()) {
                        under_way.push(list(key, client, every));
                    }
                }
            }
            Some((key, listed)) = under_way.next() => {
                busy.remove(&key);
                let listed = listed.and_then(|ids| ctx.wake_not_listed(&store, &wake, &key, &ids));
                report(&key, failing.get(&key).copied(), listed.as_ref().err());
                match listed {
                    Ok(()) => {
                        failing.remove(&key);
                        ctx.metrics.project_listing("listed");
                    }
                    Err(unlisted) => {
                        failing.insert(key, unlisted.what);
                        ctx.metrics.project_listing(unlisted.result);
                    }
                }
            }
        }
    }
}

/// One listing of `key`'s account, given up after `every` (the next one is due then).
async fn list(key: SecretKey, client: OvhClient, every: Duration) -> (SecretKey, Listed) {
    let listed = match tokio::time::timeout(every, client.routine().listed_project_ids()).await {
        Ok(listed) => listed.map_err(Unlisted::from),
        Err(_) => Err(Unlisted {
            result: "failed",
            what: "OvhTooSlow",
            message: format!("OVH did not answer within the listing interval ({every:?})"),
        }),
    };
    (key, listed)
}

/// Logs a listing's end once per change: when it starts failing (or fails otherwise), and when
/// it lists again after failing; a listing that fails as the last one did says nothing more.
fn report(key: &SecretKey, before: Option<&'static str>, failure: Option<&Unlisted>) {
    let secret = format!("{}/{}", key.0, key.1);
    match (before, failure) {
        (Some(_), None) => tracing::info!(%secret, "the account's projects are listed again"),
        (before, Some(failure)) if before != Some(failure.what) => tracing::warn!(
            %secret, error = %failure.message, category = failure.what,
            "the account's projects could not be listed (tried again at the next interval): \
             projects gone from the account are noticed at their own resync meanwhile"
        ),
        _ => {}
    }
}

/// How many of `resources` are Ready with a project, not being deleted, and those of them whose
/// project `listed` does not show: the ones a listing of their account calls for.
fn not_listed<'a>(
    resources: impl IntoIterator<Item = &'a PublicCloudProject>,
    listed: &HashSet<String>,
) -> (usize, Vec<Resource>) {
    let ready: Vec<(&PublicCloudProject, &String)> = resources
        .into_iter()
        .filter(|obj| obj.metadata.deletion_timestamp.is_none())
        .filter_map(|obj| {
            let s = obj.status.as_ref()?;
            (s.phase == Some(Phase::Ready)).then_some((obj, s.project_id.as_ref()?))
        })
        .collect();
    let gone = ready
        .iter()
        .filter(|(_, id)| !listed.contains(*id))
        .map(|(obj, _)| ObjectRef::from_obj(*obj))
        .collect();
    (ready.len(), gone)
}

/// Whether `gone` of `ready` projects not listed is believable (see [`SUSPECT_BEYOND`]).
fn believable(ready: usize, gone: usize) -> bool {
    gone <= SUSPECT_BEYOND || gone * 2 <= ready
}

impl Context {
    /// The Secrets to list now, with their clients: those with a Ready resource and a client
    /// made (a Secret whose client went with a change of it is listed once a pass makes one).
    fn listed_secrets(&self, store: &Store<PublicCloudProject>) -> Vec<(SecretKey, OvhClient)> {
        let users = self.secret_users.lock().unwrap().clone();
        users
            .into_iter()
            .filter(|(_, refs)| {
                refs.iter()
                    .filter_map(|r| store.get(r))
                    .any(|obj| obj.status.as_ref().is_some_and(|s| s.phase == Some(Phase::Ready)))
            })
            .filter_map(|(key, _)| Some((key.clone(), self.cached_client(&key)?)))
            .collect()
    }

    /// Marks and wakes `key`'s Ready resources whose project `ids` does not show, unless they
    /// are too many to believe ([`SUSPECT_BEYOND`]).
    fn wake_not_listed(
        &self,
        store: &Store<PublicCloudProject>,
        wake: &UnboundedSender<Resource>,
        key: &SecretKey,
        ids: &HashSet<String>,
    ) -> Result<(), Unlisted> {
        let users: Vec<Resource> = self
            .secret_users
            .lock()
            .unwrap()
            .get(key)
            .map(|refs| refs.iter().cloned().collect())
            .unwrap_or_default();
        let resources: Vec<Arc<PublicCloudProject>> = users.iter().filter_map(|r| store.get(r)).collect();
        let (ready, gone) = not_listed(resources.iter().map(Arc::as_ref), ids);
        if !believable(ready, gone.len()) {
            return Err(Unlisted {
                result: "suspect",
                what: "ListingSuspect",
                message: format!(
                    "the listing does not show {} of the {ready} projects of Ready resources: \
                     taken for a wrong listing; they are read at their resyncs",
                    gone.len()
                ),
            });
        }
        if gone.is_empty() {
            return Ok(());
        }
        tracing::info!(
            secret = %format!("{}/{}", key.0, key.1),
            resources = gone.len(),
            "projects not listed by their account: their resources are looked at now"
        );
        self.metrics.projects_not_listed(gone.len());
        let mut marked = self.not_listed.lock().unwrap();
        for resource in gone {
            marked.insert(resource.clone());
            let _ = wake.send(resource);
        }
        Ok(())
    }

    /// The lane of a pass over `obj` ([`lane_of`]), except that a resource whose project its
    /// account's listing did not show has work to do.
    pub(super) fn lane(&self, obj: &PublicCloudProject) -> Lane {
        let marked = self
            .not_listed
            .lock()
            .unwrap()
            .contains(&ObjectRef::from_obj(obj));
        marked_lane(obj, marked)
    }

    /// [`Self::lane`] for the pass that starts now, which reads the project: the listing's mark
    /// is spent.
    pub(super) fn take_lane(&self, obj: &PublicCloudProject) -> Lane {
        let marked = self.not_listed.lock().unwrap().remove(&ObjectRef::from_obj(obj));
        marked_lane(obj, marked)
    }
}

fn marked_lane(obj: &PublicCloudProject, not_listed: bool) -> Lane {
    if not_listed { Lane::Priority } else { lane_of(obj) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PublicCloudProjectStatus;

    fn pcp(name: &str, phase: Phase, project: &str) -> PublicCloudProject {
        let spec = serde_json::from_value(serde_json::json!({"description": "x"})).unwrap();
        let mut obj = PublicCloudProject::new(name, spec);
        obj.metadata.namespace = Some("team".into());
        obj.status = Some(PublicCloudProjectStatus {
            phase: Some(phase),
            project_id: Some(project.into()),
            ..Default::default()
        });
        obj
    }

    #[test]
    fn only_ready_resources_whose_project_is_not_listed_are_called_for() {
        let listed: HashSet<String> = ["p1".to_string()].into();
        let mut deleting = pcp("deleting", Phase::Ready, "p4");
        deleting.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            "2026-01-01T00:00:00Z".parse().unwrap(),
        ));
        let mut ordering = pcp("ordering", Phase::AwaitingPayment, "");
        ordering.status.as_mut().unwrap().project_id = None;
        let resources = [
            pcp("listed", Phase::Ready, "p1"),
            pcp("gone", Phase::Ready, "p2"),
            pcp("delivering", Phase::Delivering, "p3"),
            deleting,
            ordering,
        ];
        let (ready, called) = not_listed(&resources, &listed);
        let called: Vec<String> = called.into_iter().map(|r| r.name).collect();
        assert_eq!((ready, called), (2, vec!["gone".to_string()]));
    }

    #[test]
    fn a_listing_missing_most_projects_is_not_believed() {
        assert!(believable(1, 1), "one resource, its project gone");
        assert!(believable(10_000, SUSPECT_BEYOND), "a few at once");
        assert!(believable(10_000, 5_000), "up to half");
        assert!(!believable(10_000, 5_001), "more: a wrong listing");
        assert!(!believable(40, 40), "an empty listing");
    }
}
