//! The account's projects with their descriptions (what `spec.onExisting` compares), kept per
//! client: listed at most once per `max_age` by one caller at a time while the others wait for
//! that listing (single flight) — no lock is held across a call, and a waiter may give up (its
//! pass's time budget) without stopping anyone. A description is read once per project id and
//! kept across listings (and from every read of a project), also when a listing is cut short; ids
//! no longer listed are pruned, and a listing that would read more than [`MAX_PROJECTS`]
//! descriptions it does not know yet is refused rather than read.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use super::calls::MAX_LISTED_PROJECT_IDS;
use super::client::OvhClient;
use super::error::{OvhError, Result};

/// The most descriptions one listing reads (one GET each, the first time an id is seen). An
/// account may hold many more projects, whose descriptions the resyncs of their resources have
/// read: those cost the listing nothing.
pub const MAX_PROJECTS: usize = 2000;

/// The account's projects as last listed, and the listing under way.
#[derive(Default)]
pub(super) struct ProjectCache {
    listed_at: Option<Instant>,
    ids: Vec<String>,
    /// Every description read, by project id (None: the project has none).
    descriptions: HashMap<String, Option<String>>,
    /// Whether a caller is listing now; the others wait on `listed`.
    listing: bool,
    /// How the last listing failed, for the callers that waited for it.
    failed: Option<OvhError>,
    /// Bumped when a listing ends (or its caller gives up), so a waiter knows it ended.
    round: u64,
}

impl ProjectCache {
    fn fresh(&self, max_age: Duration) -> bool {
        self.listed_at.is_some_and(|at| at.elapsed() < max_age)
    }

    fn answer(&self) -> Vec<(String, Option<String>)> {
        self.ids
            .iter()
            .filter_map(|id| Some((id.clone(), self.descriptions.get(id)?.clone())))
            .collect()
    }

    /// The listed ids whose description is `description`.
    fn described(&self, description: &str) -> Vec<String> {
        self.ids
            .iter()
            .filter(|id| {
                self.descriptions
                    .get(*id)
                    .is_some_and(|d| d.as_deref() == Some(description))
            })
            .cloned()
            .collect()
    }

    /// A listing's result: `ids` replace the last ones; descriptions of projects no longer
    /// listed are dropped.
    fn listed(&mut self, ids: Vec<String>) {
        let listed: std::collections::HashSet<&String> = ids.iter().collect();
        self.descriptions.retain(|id, _| listed.contains(id));
        self.ids = ids;
        self.listed_at = Some(Instant::now());
    }
}

/// Ends the listing of the caller that holds it, however it ends (done, failed, or dropped at
/// its pass's budget), and wakes the waiters: one of them lists next if it is still needed.
struct Lister<'a> {
    client: &'a OvhClient,
    outcome: Option<Result<(), OvhError>>,
}

impl Drop for Lister<'_> {
    fn drop(&mut self) {
        let inner = &self.client.inner;
        let mut cache = inner.projects.lock().unwrap();
        cache.listing = false;
        cache.round += 1;
        cache.failed = match self.outcome.take() {
            Some(Err(e)) => Some(e),
            _ => None,
        };
        drop(cache);
        inner.projects_listed.notify_waiters();
    }
}

impl OvhClient {
    /// The account's projects as (id, description), listed at most once per `max_age`
    /// (`GET /cloud/project`, then `GET /cloud/project/{id}` for each id not seen before). A
    /// project that vanishes or expires meanwhile (404/460) is skipped.
    pub async fn project_descriptions(&self, max_age: Duration) -> Result<Vec<(String, Option<String>)>> {
        self.listed_with(max_age, &|_| false, ProjectCache::answer).await
    }

    /// The ids of the account's projects described `description`, listed as
    /// [`Self::project_descriptions`] lists (and sharing its listing), without reading the
    /// description of a project `skip` names — those the caller does not need: at 10,000
    /// projects held by resources, the operator's index says whose they are; such a project is
    /// answered only if its description was known already. Only the ids asked for are copied
    /// out: a burst of new orders on an account of 10,000 projects does not copy the account per
    /// order.
    pub async fn projects_described(
        &self,
        max_age: Duration,
        description: &str,
        skip: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<Vec<String>> {
        self.listed_with(max_age, skip, |cache| cache.described(description))
            .await
    }

    /// `answer` of the listing, fresh within `max_age`: listed by this caller, or by the one
    /// listing now (then waited for).
    async fn listed_with<T>(
        &self,
        max_age: Duration,
        skip: &(dyn Fn(&str) -> bool + Sync),
        answer: impl Fn(&ProjectCache) -> T,
    ) -> Result<T> {
        loop {
            let waited = self.inner.projects_listed.notified();
            tokio::pin!(waited);
            // Decided under the lock, acted on after it: no guard lives across an await.
            let round = {
                let mut cache = self.inner.projects.lock().unwrap();
                if cache.fresh(max_age) {
                    return Ok(answer(&cache));
                }
                if cache.listing {
                    // Registered before the lock is let go: the end of that listing is not missed.
                    waited.as_mut().enable();
                    Some(cache.round)
                } else {
                    cache.listing = true;
                    None
                }
            };
            let Some(round) = round else {
                return self.list_projects(skip, answer).await;
            };
            waited.await;
            let failed = {
                let cache = self.inner.projects.lock().unwrap();
                cache.failed.clone().filter(|_| cache.round == round + 1)
            };
            if let Some(e) = failed {
                return Err(e);
            }
        }
    }

    /// Lists as the one caller doing so: ids, then the descriptions not read before (each kept
    /// as soon as read), then the new listing replaces the last.
    async fn list_projects<T>(
        &self,
        skip: &(dyn Fn(&str) -> bool + Sync),
        answer: impl Fn(&ProjectCache) -> T,
    ) -> Result<T> {
        let mut lister = Lister {
            client: self,
            outcome: None,
        };
        let result = self.read_projects(skip).await;
        let answer = answer(&self.inner.projects.lock().unwrap());
        lister.outcome = Some(result.clone());
        drop(lister);
        result.map(|()| answer)
    }

    async fn read_projects(&self, skip: &(dyn Fn(&str) -> bool + Sync)) -> Result<()> {
        let ids = self
            .project_ids_within_cap(
                "spec.onExisting cannot compare that many projects: set spec.onExisting: Order, or \
                 spec.projectId, on this resource",
            )
            .await?;
        let new: Vec<String> = {
            let cache = self.inner.projects.lock().unwrap();
            ids.iter()
                .filter(|id| !cache.descriptions.contains_key(*id) && !skip(id))
                .cloned()
                .collect()
        };
        if new.len() > MAX_PROJECTS {
            return Err(OvhError::ListTooLong {
                route: "/cloud/project",
                count: new.len(),
                max: MAX_PROJECTS,
                hint: "spec.onExisting would read that many projects' descriptions (those not read \
                       before): set spec.onExisting: Order, or spec.projectId, on this resource",
            });
        }
        for id in new {
            match self.project(&id).await {
                Ok(p) => {
                    let mut cache = self.inner.projects.lock().unwrap();
                    cache.descriptions.insert(id, p.description);
                }
                Err(e) if e.is_not_found() || e.is_expired() => {}
                Err(e) => return Err(e),
            }
        }
        self.inner.projects.lock().unwrap().listed(ids);
        Ok(())
    }

    /// Makes the next [`Self::project_descriptions`] list again (a project was just delivered):
    /// one call, since descriptions already read are kept.
    pub async fn forget_project_list(&self) {
        self.inner.projects.lock().unwrap().listed_at = None;
    }

    /// Keeps the description of a project just read. The resyncs of Ready projects read each of
    /// them: without this, the first listing of a burst of new resources on an operator holding
    /// N of them would read N descriptions again before its first order (or refuse, past
    /// [`MAX_PROJECTS`]). At most [`MAX_LISTED_PROJECT_IDS`] are kept.
    pub(in crate::ovh) fn project_read(&self, project_id: &str, description: &Option<String>) {
        let mut cache = self.inner.projects.lock().unwrap();
        if cache.descriptions.len() < MAX_LISTED_PROJECT_IDS || cache.descriptions.contains_key(project_id) {
            cache
                .descriptions
                .insert(project_id.to_string(), description.clone());
        }
    }

    /// Records a project's new description (it was renamed), if the listing knows it.
    pub(in crate::ovh) fn project_renamed(&self, project_id: &str, description: &str) {
        let mut cache = self.inner.projects.lock().unwrap();
        if let Some(known) = cache.descriptions.get_mut(project_id) {
            *known = Some(description.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    #[test]
    fn a_listing_prunes_the_projects_no_longer_listed() {
        let mut cache = ProjectCache::default();
        for id in ids(5) {
            cache
                .descriptions
                .insert(id.clone(), Some(format!("{id} described")));
        }
        cache.listed(vec!["p1".into(), "p3".into(), "p9".into()]);
        assert_eq!(cache.descriptions.len(), 2, "only listed ids are kept");
        assert_eq!(
            cache.answer(),
            vec![
                ("p1".to_string(), Some("p1 described".to_string())),
                ("p3".to_string(), Some("p3 described".to_string())),
            ],
            "an id whose description was not read (vanished meanwhile) is not answered"
        );
        assert!(cache.fresh(Duration::from_secs(5)));
        assert!(!cache.fresh(Duration::ZERO));
    }
}
