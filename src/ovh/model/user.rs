//! OpenStack users of a Public Cloud project (`cloud.user.*`): the user a resource's outputs
//! hand to other tools, and its openrc.

use serde::{Deserialize, Serialize};

/// Body of `POST /cloud/project/{serviceName}/user` (`cloud.ProjectUserCreation`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectUserCreation {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `cloud.user.RoleEnum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<String>,
}

/// `cloud.role.Role`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub permissions: Vec<String>,
}

/// `cloud.user.User` (a listing or a read: no password).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: i64,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub openstack_id: Option<String>,
    #[serde(default)]
    pub roles: Vec<Role>,
    /// `cloud.user.UserStatusEnum`: creating, deleted, deleting, disabled, ok, updating.
    pub status: String,
    #[serde(default)]
    pub username: String,
}

/// `cloud.user.UserDetail`: a [`User`] with its password, which OVH shows only in the answer to
/// the creation and to `regeneratePassword`. Its Debug output never shows the password.
#[derive(Serialize, Deserialize, Clone, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UserDetail {
    #[serde(flatten)]
    pub user: User,
    pub password: String,
}

impl std::fmt::Debug for UserDetail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserDetail")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// `cloud.user.Openrc`: a shell script of `export OS_…=…` lines.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Openrc {
    pub content: String,
}
