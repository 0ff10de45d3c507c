//! The project's regions (spec.regions), add-only: OVH has no route to remove a region. Each
//! missing one is checked against the regions OVH offers the project, its request recorded
//! before the POST, and asked again only after a back-off: OVH may answer 500 and add the region
//! hours later.

use super::*;
use crate::api::{RegionRequest, RegionsStatus};

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum RegionAct {
    /// Status write only: the active regions as OVH lists them.
    RecordActive(Vec<String>),
    /// Status write only: recorded before the POST, so it is not sent again before the back-off.
    Begin { name: String },
    /// `POST /cloud/project/{id}/region` `{region}`.
    Add { project_id: String, name: String },
    /// Status write only: a region the operator added left spec.regions; OVH keeps it (an event
    /// says so).
    Unlisted { name: String },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RegionOutcome {
    ActiveRead(Vec<String>),
    Begun {
        name: String,
    },
    Added {
        name: String,
    },
    /// OVH failed (5xx): the region may still appear; it is read again on later passes.
    Pending {
        name: String,
        message: String,
    },
    Unlisted {
        name: String,
    },
}

impl RegionAct {
    pub(super) fn status_only(&self) -> bool {
        !matches!(self, RegionAct::Add { .. })
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<RegionOutcome, OvhError> {
        Ok(match self {
            RegionAct::RecordActive(active) => RegionOutcome::ActiveRead(active.clone()),
            RegionAct::Begin { name } => RegionOutcome::Begun { name: name.clone() },
            RegionAct::Unlisted { name } => RegionOutcome::Unlisted { name: name.clone() },
            RegionAct::Add { project_id, name } => match ovh.add_region(project_id, name).await {
                Ok(()) => RegionOutcome::Added { name: name.clone() },
                // Not a failure: the region may appear hours later (public-cloud-roadmap #791).
                Err(e) if e.status().is_some_and(|s| s >= 500) => RegionOutcome::Pending {
                    name: name.clone(),
                    message: e.to_string(),
                },
                Err(e) => return Err(e),
            },
        })
    }
}

impl RegionOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        (observed, memory): (&mut Observed, &mut Memory),
        now: Timestamp,
    ) -> Applied {
        // What this pass read of the active regions holds the one it just added.
        if let (RegionOutcome::Added { name }, Some(active)) = (&self, observed.regions.as_mut())
            && !active.contains(name)
        {
            active.push(name.clone());
        }
        let regions = status.regions.get_or_insert_with(RegionsStatus::default);
        match self {
            RegionOutcome::ActiveRead(active) => {
                regions.requested.retain(|r| !active.contains(&r.name));
                let note = format!("Active regions: {}", active.join(", "));
                regions.active = active;
                regions.read_at = Some(now.to_string());
                applied(Reason::RegionsRead, note)
            }
            RegionOutcome::Begun { name } => {
                regions.requested.retain(|r| r.name != name);
                regions.requested.push(RegionRequest {
                    name: name.clone(),
                    at: now.to_string(),
                });
                memory.region_begun = Some(name.clone());
                applied(Reason::RegionRequested, format!("Adding region {name}"))
            }
            RegionOutcome::Added { name } => {
                memory.region_begun = None;
                regions.requested.retain(|r| r.name != name);
                if !regions.active.contains(&name) {
                    regions.active.push(name.clone());
                }
                if !regions.added.contains(&name) {
                    regions.added.push(name.clone());
                }
                applied(
                    Reason::RegionAdded,
                    format!("OVH added region {name} to the project"),
                )
            }
            RegionOutcome::Unlisted { name } => {
                regions.added.retain(|a| *a != name);
                applied(
                    Reason::RegionKept,
                    format!(
                        "Region {name} left spec.regions but stays active: OVH has no way to remove a \
                         region from a project"
                    ),
                )
            }
            RegionOutcome::Pending { name, message } => {
                memory.region_begun = None;
                applied(
                    Reason::RegionPending,
                    format!(
                        "OVH answered {message} to adding region {name}: it may still be added; the \
                         project's regions are read again, and it is asked again only after {}",
                        REGION_RETRY_TEXT
                    ),
                )
            }
        }
    }
}
