//! Public Cloud projects (`cloud.*`): a delivered project and the confirmation of its termination.

use serde::{Deserialize, Serialize};

/// The body of `PUT /cloud/project/{serviceName}` (schema: a `cloud.Project`, of which only
/// `description` and `manualQuota` are writable); only the description is sent, as
/// terraform-provider-ovh's `CloudProjectUpdateOpts` does (`manualQuota` alone:
/// [`ProjectQuotaUpdate`](super::ProjectQuotaUpdate)).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProjectUpdate {
    pub description: String,
}

/// `cloud.ProjectWithIAM`. OVH spells `project_id` in snake case.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    #[serde(rename = "project_id")]
    pub project_id: String,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub status: String,
    #[serde(default)]
    pub access: String,
    #[serde(default)]
    pub plan_code: String,
    #[serde(default)]
    pub order_id: Option<i64>,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default)]
    pub expiration: Option<String>,
    /// `manualQuota`: automatic quota upgrades are off (set by
    /// [`OvhClient::set_manual_quota`](crate::ovh::OvhClient::set_manual_quota)). Non-nullable
    /// in the schema; `None` when an answer lacks it.
    #[serde(default)]
    pub manual_quota: Option<bool>,
    #[serde(default)]
    pub unleash: bool,
    #[serde(default)]
    pub iam: Option<serde_json::Value>,
}

/// Body of `POST /cloud/project/{serviceName}/confirmTermination`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmTermination {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commentary: Option<String>,
}
