//! Billing alerts of a Public Cloud project (`cloud.alerting.*`): OVH e-mails `emails` when the
//! month's spend passes `monthlyThreshold`, at most once per `delay` seconds. The deprecated
//! `email` field is never sent (the bodies have no such field).

use serde::{Deserialize, Serialize};

/// `cloud.alerting.Alerting`, as read. `id` is a uuid; `service` a `cloud.alerting.ServiceEnum`
/// (e.g. `all`, `instances`), `status` a `cloud.alerting.StatusEnum` (deleted, disabled, ok).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Alerting {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    pub monthly_threshold: i64,
    pub delay: i64,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub emails: Vec<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
}

/// Body of `POST /cloud/project/{serviceName}/alerting` (schema: a `cloud.alerting.Alerting`,
/// `delay` and `monthlyThreshold` required). Sends `emails`, never the deprecated `email`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertingCreation {
    pub name: String,
    pub monthly_threshold: i64,
    pub delay: i64,
    pub emails: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Body of `PUT /cloud/project/{serviceName}/alerting/{id}` (`cloud.alerting.AlertingUpdate`,
/// every field optional at OVH): the creation's fields, all but `service` always sent. Never
/// `email`.
pub type AlertingUpdate = AlertingCreation;

/// `cloud.alerting.Alert`: one alert OVH has sent for an alerting.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertingAlert {
    pub alert_id: i64,
    #[serde(default)]
    pub alert_date: Option<String>,
    #[serde(default, deserialize_with = "super::null_as_default")]
    pub emails: Vec<String>,
}
