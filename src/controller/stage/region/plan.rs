//! Planning spec.regions.

use super::*;
use crate::controller::plan::*;

/// How long after asking for a region it is asked again when it does not show: OVH may take
/// hours (public-cloud-roadmap #791; assumed: no figure is documented).
pub(crate) const REGION_RETRY: jiff::SignedDuration = jiff::SignedDuration::from_hours(6);
pub(crate) const REGION_RETRY_TEXT: &str = "6 hours";

/// The next step for spec.regions, if any.
pub(crate) fn plan_regions(input: &Input, project_id: &str) -> Option<Step> {
    let recorded = input.status.regions.as_ref();
    let wanted = &input.spec.regions;
    if wanted.is_empty() && recorded.is_none() {
        return None;
    }
    let pending = recorded.is_some_and(|r| !r.requested.is_empty());
    let read = recorded.and_then(|r| r.read_at.as_deref());
    // The active regions are read when never read, on the spend schedule, and while a request
    // waits to show.
    if read.is_none() || spend_due(input) || pending {
        match input.observed.regions.as_ref() {
            None => return Some(Step::Look(Lookup::Regions(project_id.into()))),
            Some(active) if recorded.is_none_or(|r| &r.active != active || r.read_at.is_none()) => {
                return Some(Step::Act(Act::Region(RegionAct::RecordActive(active.clone()))));
            }
            Some(_) => {}
        }
    }
    if let Some(name) = input.memory.region_begun.as_ref() {
        return Some(Step::Act(Act::Region(RegionAct::Add {
            project_id: project_id.into(),
            name: name.clone(),
        })));
    }
    let added = recorded.map(|r| r.added.as_slice()).unwrap_or_default();
    if let Some(name) = added.iter().find(|a| !wanted.contains(a)) {
        return Some(Step::Act(Act::Region(RegionAct::Unlisted { name: name.clone() })));
    }
    let active = recorded.map(|r| r.active.as_slice()).unwrap_or_default();
    let missing = wanted
        .iter()
        .find(|w| !active.contains(w) && !asked_recently(input, w))?;
    let Some(offered) = input.observed.available_regions.as_ref() else {
        return Some(Step::Look(Lookup::AvailableRegions(project_id.into())));
    };
    if !offered.contains(missing) {
        return Some(warn(
            Phase::Ready,
            Reason::RegionNotOffered,
            format!(
                "spec.regions names {missing}, which OVH does not offer this project; it offers: {}",
                offered.join(", ")
            ),
            Requeue::SpecChange,
        ));
    }
    Some(Step::Act(Act::Region(RegionAct::Begin {
        name: missing.clone(),
    })))
}

/// Whether `name` was asked for less than [`REGION_RETRY`] ago (or at a time that does not read:
/// then it counts as just asked).
fn asked_recently(input: &Input, name: &str) -> bool {
    let requested = input
        .status
        .regions
        .as_ref()
        .map(|r| r.requested.as_slice())
        .unwrap_or_default();
    requested
        .iter()
        .filter(|r| r.name == name)
        .any(|r| parse_time(Some(&r.at)).is_none_or(|at| input.now < at + REGION_RETRY))
}
