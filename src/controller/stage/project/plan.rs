//! Planning the project: follow the delivered or adopted project until it is ok (and named as the spec says), and the project a new order would duplicate (spec.onExisting).

use super::*;
use crate::{api::OnExisting, controller::plan::*};

/// Before the first cart: a project of the account with this description means the manifest
/// may already have been ordered elsewhere (another cluster, a rebuilt one): spec.onExisting
/// decides. Projects another resource holds are not this manifest's: they are skipped, and no
/// message names them.
pub(crate) fn existing_project(input: &Input) -> Option<Step> {
    if input.spec.on_existing == OnExisting::Order {
        return None;
    }
    let Some(found) = input.observed.existing_project.as_ref() else {
        return Some(Step::Look(Lookup::ExistingProject {
            description: input.spec.description.clone(),
        }));
    };
    let free: Vec<&String> = found
        .iter()
        .filter(|id| !input.holders.held_elsewhere(&Holding::Project((*id).clone())))
        .collect();
    let first = free.first()?;
    Some(match input.spec.on_existing {
        OnExisting::Adopt if free.len() == 1 => input.record_project((*first).clone()),
        OnExisting::Adopt => warn(
            Phase::NeedsAttention,
            Reason::ProjectExists,
            format!(
                "The OVH account has {} projects named {:?} that no resource holds; the operator \
                 will not pick one on a guess. Set spec.projectId to the one to follow, or \
                 spec.onExisting: Order to order another",
                free.len(),
                input.spec.description
            ),
            Requeue::SpecChange,
        ),
        _ => warn(
            Phase::NeedsAttention,
            Reason::ProjectExists,
            format!(
                "The OVH account already has a project named {:?} that no resource holds; nothing \
                 was ordered. To follow it, set spec.onExisting: Adopt (or spec.projectId); to order \
                 another one anyway, set spec.onExisting: Order",
                input.spec.description
            ),
            Requeue::SpecChange,
        ),
    })
}

/// Once ok: the name's base is recorded first, without a PUT (a delivered project has the ordered
/// name, recorded at delivery; an adopted one, or one followed before this field, keeps the name
/// it has); then the outputs (a rename OVH refuses must not block them); then a rename, only when
/// spec.description changed since (never compared with OVH's live name: a console rename is left
/// alone, and a name OVH normalises is not sent again).
fn project_ok(input: &Input, project_id: &str, name_at_ovh: Option<&str>) -> Step {
    let Some(recorded) = input.status.project_description.as_deref() else {
        return Step::Act(Act::Project(ProjectAct::RecordDescription(
            input.spec.description.clone(),
        )));
    };
    if let Some(step) = plan_outputs(input, project_id) {
        return step;
    }
    if recorded != input.spec.description {
        return Step::Act(Act::Project(ProjectAct::Rename {
            project_id: project_id.into(),
            from: name_at_ovh.map(str::to_string),
            to: input.spec.description.clone(),
        }));
    }
    if let Some(step) = plan_day_two(input, project_id) {
        return step;
    }
    wait(
        Phase::Ready,
        Reason::Ready,
        format!("Project {project_id} is ok"),
        Requeue::Resync,
    )
}

pub(crate) fn follow_project(input: &Input, project_id: &str, adopted: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    if adopted && status.project_id.as_deref() != Some(project_id) {
        return input.record_project(project_id);
    }
    match observed.project.as_ref() {
        None => Step::Look(Lookup::Project(project_id.into())),
        Some(ProjectSeen::NotFound) if adopted => warn(
            Phase::Failed,
            Reason::ProjectNotFound,
            format!("OVH knows no project {project_id} for these credentials"),
            Requeue::SpecChange,
        ),
        Some(ProjectSeen::NotFound) if input.within_404_window() => wait(
            Phase::Delivering,
            Reason::ProjectNotVisibleYet,
            format!(
                "Project {project_id} is delivered but OVH does not show it yet (this takes minutes, \
                 terraform-provider-ovh#1288)"
            ),
            Requeue::Progress,
        ),
        Some(ProjectSeen::NotFound) => warn(
            Phase::NeedsAttention,
            Reason::ProjectNotFound,
            format!(
                "Project {project_id} was delivered more than {} ago and OVH still answers 404 for it: \
                 check the account's projects in the OVH console",
                jiff::SignedDuration::try_from(input.project_404_window).unwrap_or_default()
            ),
            Requeue::Person,
        ),
        Some(ProjectSeen::Expired) => warn(
            Phase::NeedsAttention,
            Reason::ProjectExpired,
            format!("Project {project_id} has expired at OVH (HTTP 460): renew it in the OVH console"),
            Requeue::Resync,
        ),
        Some(ProjectSeen::Found { status: s, .. })
            if status.project_status.as_deref() != Some(s.as_str()) =>
        {
            Step::Act(Act::Project(ProjectAct::RecordStatus { status: s.clone() }))
        }
        Some(ProjectSeen::Found {
            status: s,
            description,
        }) if s == "ok" => project_ok(input, project_id, description.as_deref()),
        Some(ProjectSeen::Found { status: s, .. }) if s == "creating" => wait(
            Phase::Delivering,
            Reason::Delivering,
            format!("Project {project_id} is being created"),
            Requeue::Progress,
        ),
        Some(ProjectSeen::Found { status: s, .. }) => warn(
            Phase::NeedsAttention,
            Reason::ProjectNotOk,
            format!("Project {project_id} is {s} at OVH"),
            Requeue::Resync,
        ),
    }
}
