//! Which resource holds which OVH project and which order (docs/security-model.md, "Who holds a project"): several
//! teams share one operator and often one OVH account, so a project id or an order id named by
//! one resource must not be followed, renamed, paid or terminated through another. As a
//! PersistentVolume is bound to one claim, the first resource to record a project or an order
//! holds it; the index is built from the operator's own watch of the resources (their status),
//! plus the claims this process made and has not seen written back yet. Project ids are unique
//! at OVH; order ids only per API (EU, CA, US), so an order is held per API: the base URL its
//! holder recorded with it (none recorded: any API, which holds more, never less).

use std::{
    collections::{HashMap, HashSet},
    sync::Mutex,
    time::{Duration, Instant},
};

use kube::runtime::watcher;

use crate::api::PublicCloudProject;

/// What a resource may hold.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Holding {
    Project(String),
    Order(i64),
}

/// How long a claim made before its status write stands without the watch showing it (the
/// write is the next step of the same pass; a crash in between frees it after this).
const CLAIM_TTL: Duration = Duration::from_secs(300);

/// Who comes first for a project or an order: a project its own order delivered comes before
/// an adopted one; then a resource that recorded it before one that asks for it; then (two
/// records of the same, from before this rule or a race between replicas) the older resource,
/// then the lower UID.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rank {
    adopted: bool,
    asking: bool,
    created: Option<k8s_openapi::jiff::Timestamp>,
    uid: String,
}

impl Rank {
    /// The rank `obj` has for `holding`.
    pub fn of(obj: &PublicCloudProject, holding: &Holding) -> Self {
        let status = obj.status.as_ref();
        let from_order = status.is_some_and(|s| !obj.spec.adopts(s));
        let recorded = match holding {
            Holding::Project(p) => status.and_then(|s| s.project_id.as_ref()) == Some(p),
            Holding::Order(o) => status.and_then(|s| s.order.as_ref()).map(|o| o.id) == Some(*o),
        };
        Self {
            adopted: matches!(holding, Holding::Project(_)) && !from_order,
            asking: !recorded,
            created: obj.metadata.creation_timestamp.as_ref().map(|t| t.0),
            uid: obj.metadata.uid.clone().unwrap_or_default(),
        }
    }
}

/// What one resource recorded, as the watch last showed it.
#[derive(Clone, Debug)]
struct Recorded {
    project: Option<(String, Rank)>,
    /// The order id, the API it was placed on, and the rank.
    order: Option<(i64, Option<String>, Rank)>,
}

/// Whether two orders' APIs may be the same one (an unknown API may be any).
fn same_api(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

#[derive(Default)]
struct Index {
    by_uid: HashMap<String, Recorded>,
    projects: HashMap<String, HashSet<String>>,
    orders: HashMap<i64, HashSet<String>>,
    claims: HashMap<Holding, (Rank, Option<String>, Instant)>,
    /// UIDs seen since the watch began a re-list (the others are gone when it ends).
    relisting: Option<HashSet<String>>,
}

/// The index of holdings, shared by every pass.
#[derive(Default)]
pub struct Holdings {
    index: Mutex<Index>,
    /// The watch's first list is complete: until then a resource not yet seen may hold what
    /// another asks for (a restart would hand it over).
    listed: std::sync::atomic::AtomicBool,
}

impl Holdings {
    /// Follows the resources' watch (before its reflector): each event updates the index.
    pub fn observe(&self, event: &watcher::Event<PublicCloudProject>) {
        let mut index = self.index.lock().unwrap();
        match event {
            watcher::Event::Init => index.relisting = Some(HashSet::new()),
            watcher::Event::InitApply(obj) => {
                if let Some(seen) = index.relisting.as_mut() {
                    seen.extend(obj.metadata.uid.clone());
                }
                index.record(obj);
            }
            watcher::Event::InitDone => {
                self.listed.store(true, std::sync::atomic::Ordering::SeqCst);
                if let Some(seen) = index.relisting.take() {
                    let gone: Vec<String> = index
                        .by_uid
                        .keys()
                        .filter(|uid| !seen.contains(*uid))
                        .cloned()
                        .collect();
                    gone.iter().for_each(|uid| index.remove(uid));
                }
            }
            watcher::Event::Apply(obj) => index.record(obj),
            watcher::Event::Delete(obj) => {
                if let Some(uid) = obj.metadata.uid.as_deref() {
                    index.remove(uid);
                }
            }
        }
    }

    /// Whether another resource holds `holding`, seen from `obj` (which would take it if free)
    /// talking to the OVH API at `endpoint`.
    pub fn held_elsewhere(
        &self,
        obj: &PublicCloudProject,
        holding: &Holding,
        endpoint: Option<&str>,
    ) -> bool {
        let rank = Rank::of(obj, holding);
        let index = self.index.lock().unwrap();
        index.holder(holding, endpoint, &rank).as_deref() != Some(rank.uid.as_str())
    }

    /// Takes `holding` for `obj` unless another resource holds it (checked and taken at once, so
    /// two passes running side by side cannot both take it). True when `obj` holds it.
    pub fn claim(&self, obj: &PublicCloudProject, holding: &Holding, endpoint: Option<&str>) -> bool {
        let rank = Rank::of(obj, holding);
        let mut index = self.index.lock().unwrap();
        if index.holder(holding, endpoint, &rank).as_deref() != Some(rank.uid.as_str()) {
            return false;
        }
        let endpoint = endpoint.map(String::from);
        index
            .claims
            .insert(holding.clone(), (rank, endpoint, Instant::now()));
        true
    }

    /// Whether the watch's first list is complete, so the index knows every holder.
    pub fn is_listed(&self) -> bool {
        self.listed.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// The number of resources the index knows.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.index.lock().unwrap().by_uid.len()
    }
}

impl Index {
    fn record(&mut self, obj: &PublicCloudProject) {
        let Some(uid) = obj.metadata.uid.clone() else {
            return;
        };
        self.remove(&uid);
        let status = obj.status.as_ref();
        let project = status
            .and_then(|s| s.project_id.clone())
            .filter(|p| !p.is_empty())
            .map(|p| {
                let rank = Rank::of(obj, &Holding::Project(p.clone()));
                (p, rank)
            });
        let order = status
            .and_then(|s| s.order.as_ref())
            .map(|o| (o.id, o.endpoint.clone(), Rank::of(obj, &Holding::Order(o.id))));
        if let Some((p, _)) = &project {
            self.projects.entry(p.clone()).or_default().insert(uid.clone());
        }
        if let Some((o, _, _)) = &order {
            self.orders.entry(*o).or_default().insert(uid.clone());
        }
        self.by_uid.insert(uid, Recorded { project, order });
    }

    fn remove(&mut self, uid: &str) {
        let Some(old) = self.by_uid.remove(uid) else {
            return;
        };
        if let Some((p, _)) = old.project
            && let Some(set) = self.projects.get_mut(&p)
        {
            set.remove(uid);
            if set.is_empty() {
                self.projects.remove(&p);
            }
        }
        if let Some((o, _, _)) = old.order
            && let Some(set) = self.orders.get_mut(&o)
        {
            set.remove(uid);
            if set.is_empty() {
                self.orders.remove(&o);
            }
        }
        self.claims.retain(|_, (rank, _, _)| rank.uid != uid);
    }

    /// The UID that holds `holding` if the resource ranked `candidate` asked for it now: the
    /// first among those that recorded it and the candidate, unless a live claim of another
    /// resource came first.
    fn holder(&self, holding: &Holding, endpoint: Option<&str>, candidate: &Rank) -> Option<String> {
        let uids = match holding {
            Holding::Project(p) => self.projects.get(p),
            Holding::Order(o) => self.orders.get(o),
        };
        let recorded = uids.into_iter().flatten().filter_map(|uid| {
            let r = self.by_uid.get(uid)?;
            match holding {
                Holding::Project(_) => r.project.as_ref().map(|(_, rank)| rank),
                Holding::Order(_) => r
                    .order
                    .as_ref()
                    .filter(|(_, api, _)| same_api(api.as_deref(), endpoint))
                    .map(|(_, _, rank)| rank),
            }
        });
        let best = recorded.chain([candidate]).min()?.uid.clone();
        if best != candidate.uid {
            return Some(best);
        }
        // A claim stands while its resource exists and its write may still come.
        match self.claims.get(holding) {
            Some((rank, api, at))
                if rank.uid != candidate.uid
                    && same_api(api.as_deref(), endpoint)
                    && at.elapsed() < CLAIM_TTL
                    && self.by_uid.contains_key(&rank.uid) =>
            {
                Some(rank.uid.clone())
            }
            _ => Some(best),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{PublicCloudProjectStatus, RecordedOrder};

    fn pcp(uid: &str, created: &str, project: Option<&str>, order: Option<i64>) -> PublicCloudProject {
        let mut obj = PublicCloudProject::new(
            uid,
            serde_json::from_value(serde_json::json!({"description": "x"})).unwrap(),
        );
        obj.metadata.uid = Some(uid.into());
        obj.metadata.creation_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
            created.parse().unwrap(),
        ));
        obj.status = Some(PublicCloudProjectStatus {
            project_id: project.map(Into::into),
            order: order.map(|id| RecordedOrder {
                id,
                ..Default::default()
            }),
            ..Default::default()
        });
        obj
    }

    fn project(p: &str) -> Holding {
        Holding::Project(p.into())
    }

    #[test]
    fn the_first_to_record_holds_and_others_see_it_held() {
        let h = Holdings::default();
        let b = pcp("b", "2026-01-02T00:00:00Z", Some("p1"), Some(7));
        h.observe(&watcher::Event::Apply(b.clone()));
        let a = pcp("a", "2026-01-01T00:00:00Z", None, None);
        h.observe(&watcher::Event::Apply(a.clone()));
        // a is older but adopts: b's own order delivered p1.
        assert!(h.held_elsewhere(&a, &project("p1"), None));
        assert!(!h.claim(&a, &project("p1"), None));
        assert!(!h.held_elsewhere(&b, &project("p1"), None));
        assert!(h.held_elsewhere(&a, &Holding::Order(7), None));
        // A free project: a claims it, then c (older still) cannot take it from the claim.
        assert!(h.claim(&a, &project("p2"), None));
        let c = pcp("c", "2025-01-01T00:00:00Z", None, None);
        h.observe(&watcher::Event::Apply(c.clone()));
        assert!(h.held_elsewhere(&c, &project("p2"), None));
        assert!(!h.held_elsewhere(&a, &project("p2"), None));
    }

    #[test]
    fn a_deleted_holder_frees_its_holdings() {
        let h = Holdings::default();
        let b = pcp("b", "2026-01-02T00:00:00Z", Some("p1"), Some(7));
        let a = pcp("a", "2026-01-01T00:00:00Z", None, None);
        h.observe(&watcher::Event::Apply(b.clone()));
        h.observe(&watcher::Event::Apply(a.clone()));
        assert!(h.held_elsewhere(&a, &project("p1"), None));
        h.observe(&watcher::Event::Delete(b));
        assert!(!h.held_elsewhere(&a, &project("p1"), None));
        assert_eq!(h.len(), 1);
    }

    #[test]
    fn a_relist_drops_resources_that_went_while_the_watch_was_down() {
        let h = Holdings::default();
        let b = pcp("b", "2026-01-02T00:00:00Z", Some("p1"), None);
        let a = pcp("a", "2026-01-01T00:00:00Z", None, None);
        h.observe(&watcher::Event::Apply(b));
        h.observe(&watcher::Event::Init);
        h.observe(&watcher::Event::InitApply(a.clone()));
        h.observe(&watcher::Event::InitDone);
        assert_eq!(h.len(), 1);
        assert!(!h.held_elsewhere(&a, &project("p1"), None));
    }

    #[test]
    fn two_adopters_from_before_the_rule_the_older_keeps_it() {
        let h = Holdings::default();
        let old = pcp("old", "2026-01-01T00:00:00Z", Some("p1"), None);
        let new = pcp("new", "2026-02-01T00:00:00Z", Some("p1"), None);
        h.observe(&watcher::Event::Apply(new.clone()));
        h.observe(&watcher::Event::Apply(old.clone()));
        assert!(h.held_elsewhere(&new, &project("p1"), None));
        assert!(!h.held_elsewhere(&old, &project("p1"), None));
    }

    #[test]
    fn an_order_is_held_per_api() {
        let h = Holdings::default();
        let mut b = pcp("b", "2026-01-02T00:00:00Z", None, Some(7));
        b.status.as_mut().unwrap().order.as_mut().unwrap().endpoint = Some("https://eu/1.0".into());
        h.observe(&watcher::Event::Apply(b));
        let a = pcp("a", "2026-01-01T00:00:00Z", None, None);
        h.observe(&watcher::Event::Apply(a.clone()));
        assert!(h.held_elsewhere(&a, &Holding::Order(7), Some("https://eu/1.0")));
        assert!(!h.held_elsewhere(&a, &Holding::Order(7), Some("https://ca/1.0")));
        assert!(
            h.held_elsewhere(&a, &Holding::Order(7), None),
            "an unknown API may be the same"
        );
        assert!(h.claim(&a, &Holding::Order(7), Some("https://ca/1.0")));
    }

    #[test]
    fn the_index_is_complete_only_once_the_first_list_is() {
        let h = Holdings::default();
        assert!(!h.is_listed());
        h.observe(&watcher::Event::Init);
        h.observe(&watcher::Event::InitApply(pcp(
            "b",
            "2026-01-02T00:00:00Z",
            Some("p1"),
            None,
        )));
        assert!(!h.is_listed(), "a holder later in the list may not be seen yet");
        h.observe(&watcher::Event::InitDone);
        assert!(h.is_listed());
    }
}
