//! Billing alerts (`/cloud/project/{serviceName}/alerting…`): list, read, create, change,
//! delete, and the alerts OVH has sent. The POST makes a new alerting every time: the
//! controller marks what it creates and finds it again by that mark (no retry here).

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project/{serviceName}/alerting`: the ids (uuids) of the project's alertings,
    /// those made in the Control Panel too.
    pub async fn alerting_ids(&self, project_id: &str) -> Result<Vec<String>> {
        self.get(Route::new("/cloud/project/{serviceName}/alerting", &[project_id]))
            .await
    }

    /// `GET /cloud/project/{serviceName}/alerting/{id}`.
    pub async fn alerting(&self, project_id: &str, id: &str) -> Result<Alerting> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/alerting/{id}",
            &[project_id, id],
        ))
        .await
    }

    /// `POST /cloud/project/{serviceName}/alerting`. Not idempotent (a second POST makes a second
    /// alerting, and a second e-mail per breach) and never retried, like every POST.
    pub async fn create_alerting(&self, project_id: &str, a: &AlertingCreation) -> Result<Alerting> {
        self.post(
            Route::new("/cloud/project/{serviceName}/alerting", &[project_id]),
            Some(a),
        )
        .await
    }

    /// `PUT /cloud/project/{serviceName}/alerting/{id}` (`cloud.alerting.AlertingUpdate`).
    pub async fn update_alerting(&self, project_id: &str, id: &str, a: &AlertingUpdate) -> Result<()> {
        self.put(
            Route::new("/cloud/project/{serviceName}/alerting/{id}", &[project_id, id]),
            a,
        )
        .await
    }

    /// `DELETE /cloud/project/{serviceName}/alerting/{id}`.
    pub async fn delete_alerting(&self, project_id: &str, id: &str) -> Result<()> {
        self.delete(Route::new(
            "/cloud/project/{serviceName}/alerting/{id}",
            &[project_id, id],
        ))
        .await
    }

    /// `GET /cloud/project/{serviceName}/alerting/{id}/alert`: ids of the alerts OVH has sent.
    pub async fn alerting_alerts(&self, project_id: &str, id: &str) -> Result<Vec<i64>> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/alerting/{id}/alert",
            &[project_id, id],
        ))
        .await
    }

    /// `GET /cloud/project/{serviceName}/alerting/{id}/alert/{alertId}`.
    pub async fn alerting_alert(&self, project_id: &str, id: &str, alert_id: i64) -> Result<AlertingAlert> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/alerting/{id}/alert/{alertId}",
            &[project_id, id, &alert_id.to_string()],
        ))
        .await
    }
}
