//! The project's OpenStack user: its intent first, the user, found again by its marker, its password, its deletion.

use super::*;
use crate::ovh::model::ProjectUserCreation;

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum UserAct {
    /// Status write only: recorded before the user POST, so a restart looks for an unrecorded
    /// user by its marker instead of creating a second one.
    Begin,
    /// `POST /cloud/project/{id}/user`; the outcome records the id before anything else.
    Create {
        project_id: String,
        /// Ends with the marker `ovh-publiccloud-operator:<uid>`.
        description: String,
        role: String,
    },
    /// A user with our marker exists but is not in status (created, then the status write lost).
    ReadFound {
        project_id: String,
        /// The lowest id with our marker: the one kept.
        user_id: i64,
        /// Other users with our marker (a creation sent again after a slow answer): named in a
        /// Warning for a person to delete, never used.
        extra: Vec<i64>,
    },
    /// The password was lost before it reached the Secret: OVH makes a new one.
    RegeneratePassword {
        project_id: String,
        user_id: i64,
    },
    /// The recorded user no longer exists at OVH: forget it (a new one is made).
    Forget,
    Delete {
        project_id: String,
        user_id: i64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum UserOutcome {
    Begun,
    Created {
        user_id: i64,
        username: String,
        password: Sensitive,
    },
    Found {
        user_id: i64,
        username: String,
        /// Other users with our marker, left for a person.
        extra: Vec<i64>,
    },
    PasswordRegenerated {
        user_id: i64,
        password: Sensitive,
    },
    Forgotten,
    Deleted {
        user_id: i64,
    },
}

impl UserAct {
    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<UserOutcome, OvhError> {
        Ok(match self {
            UserAct::Begin => UserOutcome::Begun,
            UserAct::Create {
                project_id,
                description,
                role,
            } => {
                let creation = ProjectUserCreation {
                    description: Some(description.clone()),
                    role: Some(role.clone()),
                    roles: vec![],
                };
                let user = ovh.create_user(project_id, &creation).await?;
                UserOutcome::Created {
                    user_id: user.user.id,
                    username: user.user.username,
                    password: Sensitive(user.password),
                }
            }
            UserAct::ReadFound {
                project_id,
                user_id,
                extra,
            } => match ovh.user(project_id, *user_id).await {
                Ok(user) => UserOutcome::Found {
                    user_id: user.id,
                    username: user.username,
                    extra: extra.clone(),
                },
                Err(e) if e.is_not_found() => UserOutcome::Forgotten,
                Err(e) => return Err(e),
            },
            UserAct::RegeneratePassword { project_id, user_id } => {
                match ovh.regenerate_password(project_id, *user_id).await {
                    Ok(user) => UserOutcome::PasswordRegenerated {
                        user_id: *user_id,
                        password: Sensitive(user.password),
                    },
                    // Deleted at OVH meanwhile: forget it, a new one is made.
                    Err(e) if e.is_not_found() => UserOutcome::Forgotten,
                    Err(e) => return Err(e),
                }
            }
            UserAct::Forget => UserOutcome::Forgotten,
            UserAct::Delete { project_id, user_id } => {
                match ovh.delete_user(project_id, *user_id).await {
                    Ok(()) => {}
                    // Gone already (or with its project).
                    Err(e) if e.is_not_found() || e.is_expired() => {}
                    Err(e) => return Err(e),
                }
                UserOutcome::Deleted { user_id: *user_id }
            }
        })
    }
}

impl UserOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        memory: &mut Memory,
        now: Timestamp,
    ) -> Applied {
        let now = now.to_string();
        match self {
            UserOutcome::Begun => {
                status.openstack_user = Some(OpenstackUserStatus {
                    requested_at: now,
                    ..Default::default()
                });
                memory.user_begun = true;
                applied(
                    Reason::OpenstackUserRequested,
                    "Creating the project's OpenStack user".into(),
                )
            }
            UserOutcome::Created {
                user_id,
                username,
                password,
            } => {
                record_user(status, now, user_id, &username);
                memory.new_password = Some(password);
                observed.user = None;
                applied(
                    Reason::OpenstackUserCreated,
                    format!("OVH created OpenStack user {user_id} ({username})"),
                )
            }
            UserOutcome::Found {
                user_id,
                username,
                extra,
            } => {
                record_user(status, now, user_id, &username);
                found(user_id, &username, &extra)
            }
            UserOutcome::PasswordRegenerated { user_id, password } => {
                memory.new_password = Some(password);
                applied(
                    Reason::PasswordRegenerated,
                    format!(
                        "The password of OpenStack user {user_id} was not in the outputs Secret: OVH made \
                     a new one"
                    ),
                )
            }
            UserOutcome::Forgotten => {
                let id = status.openstack_user.take().and_then(|u| u.id);
                observed.user = None;
                observed.openrc = None;
                applied(
                    Reason::OpenstackUserGone,
                    format!(
                        "OpenStack user {} no longer exists at OVH; a new one is made",
                        id.map(|i| i.to_string()).unwrap_or_default()
                    ),
                )
            }
            UserOutcome::Deleted { user_id } => {
                if let Some(user) = status.openstack_user.as_mut() {
                    user.deleted_at = Some(now);
                }
                applied(
                    Reason::OpenstackUserDeleted,
                    format!("Deleted OpenStack user {user_id}"),
                )
            }
        }
    }
}

/// The user OVH made (or that carries our marker) becomes the recorded one.
fn record_user(status: &mut PublicCloudProjectStatus, now: String, user_id: i64, username: &str) {
    let user = status.openstack_user.get_or_insert_with(|| OpenstackUserStatus {
        requested_at: now,
        ..Default::default()
    });
    user.id = Some(user_id);
    user.username = Some(username.to_string());
}

/// A user with our marker, created earlier but not recorded (and others, if a creation was sent
/// again).
fn found(user_id: i64, username: &str, extra: &[i64]) -> Applied {
    if !extra.is_empty() {
        return extra_users(user_id, username, extra);
    }
    applied(
        Reason::OpenstackUserFound,
        format!(
            "Found OpenStack user {user_id} ({username}), created earlier but not recorded; its password \
             is regenerated, no other user is created"
        ),
    )
}

fn extra_users(user_id: i64, username: &str, extra: &[i64]) -> Applied {
    let ids: Vec<String> = extra.iter().map(i64::to_string).collect();
    applied(
        Reason::ExtraOpenstackUsers,
        format!(
            "Found OpenStack users {user_id} and {} with this resource's marker (a creation sent again \
             after a slow answer): {user_id} ({username}) is kept and its password regenerated; the \
             operator never uses the others: delete them in the OVH console",
            ids.join(", ")
        ),
    )
    .warning()
}
