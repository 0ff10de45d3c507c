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
                    marker: input.user_marker(),
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
