//! Billing alerts of a project (`/cloud/project/{serviceName}/alerting…`, schema cloud.json
//! `cloud.alerting.Alerting`): OVH e-mails `emails` when the month's spend passes
//! `monthlyThreshold`, at most once per `delay` seconds. Every POST makes a new alerting (tf
//! `resource_cloud_project_alerting.go` creates with one POST and keeps the answer's `id`; nothing
//! deduplicates). The Control Panel posts `{delay: 3600, email, monthlyThreshold}` (mgr
//! `pci/…/billing/estimate/alert/add/controller.js`: "user cannot choose one so we use a default
//! value"), so the deprecated `email` is accepted on a POST; ovhcloud-cli
//! `cloud_alerting.go` drops `email` before a PUT ("it should never be sent in PUT requests"),
//! and the simulator refuses it there (400, assumed) so a client that sends it is caught.
//! Alerts OVH has sent are made by test control.

use serde::{Deserialize, Serialize};

use super::*;

/// `delay` values: `cloud.AlertingDelayEnum` (schema cloud.json, the older `cloud.Alerting`
/// model) and tf's validator of `delay`; ovhcloud-cli says "minimum 3600".
pub const ALERTING_DELAYS: &[i64] = &[3600, 10800, 21600, 43200, 86400, 172800, 259200, 604800];

/// `cloud.alerting.ServiceEnum` (schema).
const ALERTING_SERVICES: &[&str] = &[
    "ai_endpoint",
    "all",
    "block_storage",
    "data_platform",
    "instances",
    "instances_gpu",
    "instances_without_gpu",
    "objet_storage",
    "rancher",
    "snapshot",
];

/// `cloud.alerting.StatusEnum` (schema).
const ALERTING_STATUSES: &[&str] = &["deleted", "disabled", "ok"];

/// One alerting as the simulator holds it.
#[derive(Debug, Clone)]
pub struct SimAlerting {
    pub id: String,
    pub name: String,
    pub monthly_threshold: i64,
    pub delay: i64,
    pub emails: Vec<String>,
    pub service: String,
    pub status: String,
    pub created: Timestamp,
    /// The alerts OVH has sent for it, by `alertId`.
    pub alerts: BTreeMap<i64, (Timestamp, Vec<String>)>,
    /// `PUT`s received.
    pub updates: u32,
}

/// A POST or PUT body (`cloud.alerting.Alerting` / `cloud.alerting.AlertingUpdate`), every field
/// optional here; what a POST requires is checked in [`World::create_alerting`].
#[derive(Deserialize, Debug, Clone, Default)]
#[serde(rename_all = "camelCase")]
pub struct AlertingBody {
    pub name: Option<String>,
    pub monthly_threshold: Option<i64>,
    pub delay: Option<i64>,
    pub emails: Option<Vec<String>>,
    /// Deprecated (schema: "DEPRECATED: use emails").
    pub email: Option<String>,
    pub service: Option<String>,
    pub status: Option<String>,
}

/// `cloud.alerting.Alerting` with every non-nullable field. `email` (deprecated) shows the
/// first of `emails` (assumed).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AlertingAnswer {
    #[serde(flatten)]
    alerting: Alerting,
    creation_date: String,
    email: String,
    formatted_monthly_threshold: Price,
}

/// The checks of a body's fields against the schema's enums (400, messages assumed).
fn check(body: &AlertingBody) -> SimResult<()> {
    if let Some(d) = body.delay.filter(|d| !ALERTING_DELAYS.contains(d)) {
        return Err(SimError::bad_request(format!(
            "Invalid value for delay: {d} is not one of {ALERTING_DELAYS:?}"
        )));
    }
    if let Some(t) = body.monthly_threshold.filter(|t| *t < 0) {
        return Err(SimError::bad_request(format!(
            "Invalid value for monthlyThreshold: {t}"
        )));
    }
    if let Some(s) = body.service.as_deref().filter(|s| !ALERTING_SERVICES.contains(s)) {
        return Err(SimError::bad_request(format!(
            "Invalid value for service: {s} is not one of {ALERTING_SERVICES:?}"
        )));
    }
    if let Some(s) = body.status.as_deref().filter(|s| !ALERTING_STATUSES.contains(s)) {
        return Err(SimError::bad_request(format!(
            "Invalid value for status: {s} is not one of {ALERTING_STATUSES:?}"
        )));
    }
    Ok(())
}

impl World {
    fn alerting_of(&mut self, project_id: &str, id: &str) -> SimResult<&mut SimAlerting> {
        self.day_two(project_id)?
            .alertings
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("id", id))
    }

    fn alerting_answer(&self, project_id: &str, a: &SimAlerting) -> serde_json::Value {
        let currency = self
            .day_two
            .get(project_id)
            .map_or("EUR", |d| d.currency.as_str());
        let answer = AlertingAnswer {
            alerting: Alerting {
                id: a.id.clone(),
                name: Some(a.name.clone()),
                monthly_threshold: a.monthly_threshold,
                delay: a.delay,
                emails: a.emails.clone(),
                service: Some(a.service.clone()),
                status: Some(a.status.clone()),
            },
            creation_date: datetime(a.created),
            email: a.emails.first().cloned().unwrap_or_default(),
            formatted_monthly_threshold: Price::from_ucents(a.monthly_threshold * 100_000_000, currency),
        };
        serde_json::to_value(answer).expect("an alerting serialises")
    }

    /// A uuid (`cloud.alerting.Alerting.id` is a `uuid`), drawn from the seed.
    fn random_uuid(&mut self) -> String {
        let h = self.random_hex(32);
        format!(
            "{}-{}-4{}-a{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..]
        )
    }

    /// `GET …/alerting` → `uuid[]`.
    pub fn alerting_ids(&mut self, project_id: &str) -> SimResult<Vec<String>> {
        let state = self.day_two_read(project_id, "alerting")?;
        Ok(state.alertings.keys().cloned().collect())
    }

    /// `GET …/alerting/{id}`; an unknown or deleted one is a 404.
    pub fn alerting(&mut self, project_id: &str, id: &str) -> SimResult<serde_json::Value> {
        let a = self.alerting_of(project_id, id)?.clone();
        Ok(self.alerting_answer(project_id, &a))
    }

    /// `POST …/alerting`: always a new alerting ([`Self::new_alerting`]), counted.
    pub fn create_alerting(&mut self, project_id: &str, body: AlertingBody) -> SimResult<serde_json::Value> {
        let answer = self.new_alerting(project_id, body)?;
        self.day_two(project_id)?.alertings_created += 1;
        Ok(answer)
    }

    /// Test control: an alerting made in the Control Panel (the manager's body: `email`, no
    /// name, `delay` 3600 when absent), not counted as a `POST`.
    pub fn control_panel_alerting(
        &mut self,
        project_id: &str,
        mut body: AlertingBody,
    ) -> SimResult<serde_json::Value> {
        body.delay = body.delay.or(Some(3600));
        self.new_alerting(project_id, body)
    }

    /// A new alerting: `delay` and `monthlyThreshold` are required (schema), and at least one
    /// recipient in `emails` or the deprecated `email` (ovhcloud-cli requires `emails`; a 400
    /// without any is assumed). `name` defaults to "" and `service` to `all` (assumed).
    fn new_alerting(&mut self, project_id: &str, body: AlertingBody) -> SimResult<serde_json::Value> {
        check(&body)?;
        let (Some(delay), Some(threshold)) = (body.delay, body.monthly_threshold) else {
            return Err(SimError::bad_request(
                "Missing parameter: delay and monthlyThreshold are required",
            ));
        };
        let emails = match (body.emails, body.email) {
            (Some(e), _) if !e.is_empty() => e,
            (_, Some(e)) if !e.is_empty() => vec![e],
            _ => return Err(SimError::bad_request("Missing parameter: emails")),
        };
        self.day_two(project_id)?;
        let alerting = SimAlerting {
            id: self.random_uuid(),
            name: body.name.unwrap_or_default(),
            monthly_threshold: threshold,
            delay,
            emails,
            service: body.service.unwrap_or_else(|| "all".into()),
            status: body.status.unwrap_or_else(|| "ok".into()),
            created: now(),
            alerts: BTreeMap::new(),
            updates: 0,
        };
        let answer = self.alerting_answer(project_id, &alerting);
        let state = self.day_two(project_id)?;
        state.alertings.insert(alerting.id.clone(), alerting);
        Ok(answer)
    }

    /// `PUT …/alerting/{id}` (`cloud.alerting.AlertingUpdate`, every field optional): the fields
    /// sent replace the alerting's. `email` is refused (see the module's comment).
    pub fn update_alerting(&mut self, project_id: &str, id: &str, body: AlertingBody) -> SimResult<()> {
        check(&body)?;
        if body.email.is_some() {
            return Err(SimError::bad_request(
                "email is deprecated: use emails (simulator: a PUT never sends email)",
            ));
        }
        let a = self.alerting_of(project_id, id)?;
        a.name = body.name.unwrap_or_else(|| a.name.clone());
        a.monthly_threshold = body.monthly_threshold.unwrap_or(a.monthly_threshold);
        a.delay = body.delay.unwrap_or(a.delay);
        a.emails = body.emails.unwrap_or_else(|| a.emails.clone());
        a.service = body.service.unwrap_or_else(|| a.service.clone());
        a.status = body.status.unwrap_or_else(|| a.status.clone());
        a.updates += 1;
        Ok(())
    }

    /// `DELETE …/alerting/{id}`: gone (a later read is a 404, assumed).
    pub fn delete_alerting(&mut self, project_id: &str, id: &str) -> SimResult<()> {
        self.alerting_of(project_id, id)?;
        self.day_two(project_id)?.alertings.remove(id);
        Ok(())
    }

    /// `GET …/alerting/{id}/alert` → `long[]`: the alerts sent.
    pub fn alerting_alert_ids(&mut self, project_id: &str, id: &str) -> SimResult<Vec<i64>> {
        Ok(self.alerting_of(project_id, id)?.alerts.keys().copied().collect())
    }

    /// `GET …/alerting/{id}/alert/{alertId}` (`cloud.alerting.Alert`).
    pub fn alerting_alert(&mut self, project_id: &str, id: &str, alert_id: i64) -> SimResult<AlertingAlert> {
        let a = self.alerting_of(project_id, id)?;
        let (date, emails) = a
            .alerts
            .get(&alert_id)
            .ok_or_else(|| SimError::not_found("alertId", alert_id))?;
        Ok(AlertingAlert {
            alert_id,
            alert_date: Some(datetime(*date)),
            emails: emails.clone(),
        })
    }

    /// Test control: OVH sends an alert for this alerting now (to its `emails`); its id.
    pub fn send_alert(&mut self, project_id: &str, id: &str) -> SimResult<i64> {
        let alert_id = self.next_id(9_000_000);
        let a = self.alerting_of(project_id, id)?;
        a.alerts.insert(alert_id, (now(), a.emails.clone()));
        Ok(alert_id)
    }
}
