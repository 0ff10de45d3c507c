//! Planning the OpenStack user: made exactly once (its intent first), found again by its marker, deleted with its project or on request.

use super::*;
use crate::{api::OpenstackUser, controller::plan::*};

pub(crate) fn create_user(input: &Input, want: &OpenstackUser, project_id: &str) -> Step {
    Step::Act(Act::User(UserAct::Create {
        project_id: project_id.into(),
        description: input.user_description(want),
        role: want.role.as_str(),
    }))
}

/// Before a deletion releases or terminates: the user to delete, if any (Terminate always;
/// Orphan with deleteOnOrphan), or the lookup that finds a user whose creation was not recorded.
pub(crate) fn delete_user(input: &Input, project_id: &str, terminate: bool) -> Option<Step> {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let wanted = terminate || spec.openstack_user.as_ref().is_some_and(|u| u.delete_on_orphan);
    let user = status.openstack_user.as_ref()?;
    if !wanted || user.deleted_at.is_some() {
        return None;
    }
    let user_id = match user.id {
        Some(id) => id,
        None => match observed.marker_users.as_deref() {
            None => {
                return Some(Step::Look(Lookup::UserByMarker {
                    project_id: project_id.into(),
                    marker: input.marker(),
                }));
            }
            Some([id, ..]) => *id,
            Some([]) => return None,
        },
    };
    Some(Step::Act(Act::User(UserAct::Delete {
        project_id: project_id.into(),
        user_id,
    })))
}

/// The next user step when it asks OVH for a password (the Secret is written with the ids first)
/// or not.
pub(crate) enum UserStep {
    AsksPassword(Step),
    Other(Step),
}

/// The recorded user's id and name, or the step that makes it (exactly once) or finds it again.
pub(crate) fn recorded_user(
    input: &Input,
    want: &OpenstackUser,
    project_id: &str,
) -> Result<(i64, Option<String>), UserStep> {
    let observed = input.observed;
    let Some(user) = input.status.openstack_user.as_ref() else {
        return Err(UserStep::AsksPassword(Step::Act(Act::User(UserAct::Begin))));
    };
    if let Some(user_id) = user.id {
        return Ok((user_id, user.username.clone()));
    }
    if input.memory.user_begun {
        return Err(UserStep::AsksPassword(create_user(input, want, project_id)));
    }
    let Some(found) = observed.marker_users.as_ref() else {
        return Err(UserStep::Other(Step::Look(Lookup::UserByMarker {
            project_id: project_id.into(),
            marker: input.marker(),
        })));
    };
    if let Some((&user_id, extra)) = found.split_first() {
        // Several: a creation sent again after a slow answer. The lowest id is kept.
        return Err(UserStep::Other(Step::Act(Act::User(UserAct::ReadFound {
            project_id: project_id.into(),
            user_id,
            extra: extra.to_vec(),
        }))));
    }
    // None found: a POST sent before may still be running at OVH (its answer lost or late).
    // Until it must have ended (the POST's timeout and a margin: --checkout-grace), nothing is
    // sent again; then the intent is stamped anew before the next attempt.
    let begun = parse_time(Some(user.requested_at.as_str()));
    if let Some(begun) = begun
        && input.now < begun + input.checkout_grace
    {
        return Err(UserStep::Other(pending(format!(
            "The creation of the OpenStack user began at {begun} and no user with this resource's \
             marker shows yet; it is looked for again, and made again only after {}",
            begun + input.checkout_grace
        ))));
    }
    Err(UserStep::AsksPassword(Step::Act(Act::User(UserAct::Begin))))
}

/// The recorded user as OVH shows it, until it is ok: None when it is.
pub(crate) fn user_not_ready(input: &Input, project_id: &str, user_id: i64) -> Option<Step> {
    match input.observed.user.as_ref() {
        None => Some(Step::Look(Lookup::User {
            project_id: project_id.into(),
            user_id,
        })),
        Some(UserSeen::NotFound) => Some(Step::Act(Act::User(UserAct::Forget))),
        Some(UserSeen::Found { status: s, .. }) if s == "creating" || s == "updating" => Some(pending(
            format!("Project {project_id} is ok; OpenStack user {user_id} is {s} at OVH"),
        )),
        Some(UserSeen::Found { status: s, .. }) if s != "ok" => Some(warn(
            Phase::NeedsAttention,
            Reason::OpenstackUserNotOk,
            format!(
                "OpenStack user {user_id} of project {project_id} is {s} at OVH; the operator does not \
                 create another one. Check it in the OVH console"
            ),
            Requeue::Resync,
        )),
        Some(UserSeen::Found { .. }) => None,
    }
}
