//! Public Cloud projects (`/cloud/project…`): the post-delivery 404 window, expiry (460) and
//! termination by e-mail token.

use std::time::{Duration, Instant};

use super::*;

impl World {
    /// A project every `/cloud/project/{serviceName}` route may act on: an expired one answers
    /// 460 (test control; py-ovh maps 460 to `ResourceExpiredError`), one still inside its
    /// post-delivery window answers 404 "This service does not exist" (tf issue #1288, #1377), as
    /// does one that left the account.
    pub(super) fn visible_project(&mut self, id: &str) -> SimResult<&mut SimProject> {
        self.deliver();
        match self.projects.get_mut(id) {
            Some(p) if p.removed => Err(SimError::class(
                404,
                "Client::NotFound",
                "This service does not exist",
            )),
            Some(p) if p.expired => Err(SimError::expired_service()),
            Some(p) if Instant::now() >= p.visible_at => Ok(p),
            _ => Err(SimError::class(
                404,
                "Client::NotFound",
                "This service does not exist",
            )),
        }
    }

    /// `GET /cloud/project` → `string[]`, "List available public cloud projects" (schema
    /// cloud.json): the projects past their 404 window, in any `status` (the Control Panel
    /// filters this listing on `status`, so it holds projects that are not `ok`:
    /// docs/ovh-evidence.md#project-listing), expired ones included (assumed: OVH lists a service
    /// until it is deleted); not a project that left the account (assumed).
    pub fn project_ids(&mut self) -> Vec<String> {
        self.deliver();
        let now = Instant::now();
        self.projects
            .values()
            .filter(|p| now >= p.visible_at && !p.removed)
            .map(|p| p.id.clone())
            .collect()
    }

    /// `cloud.ProjectWithIAM` (schema cloud.json; note the snake_case `project_id`).
    pub fn project(&mut self, id: &str) -> SimResult<Project> {
        let region = if self.us() { "us" } else { "eu" };
        let manual_quota = self.manual_quota_of(id);
        let p = self.visible_project(id)?.clone();
        Ok(Project {
            project_id: p.id.clone(),
            project_name: Some(p.description.clone()),
            description: Some(p.description.clone()),
            status: p.status.clone(),
            access: "full".into(),
            plan_code: p.plan_code.clone(),
            order_id: Some(p.order_id),
            creation_date: datetime(p.created),
            expiration: None,
            manual_quota: Some(manual_quota),
            unleash: false,
            iam: Some(serde_json::json!({
                "id": format!("{}-{}-{}-{}-{}", &p.id[..8], &p.id[8..12], &p.id[12..16], &p.id[16..20], &p.id[20..]),
                // URN region part assumed from the API's region.
                "urn": format!("urn:v1:{region}:resource:publicCloudProject:{}", p.id),
                "displayName": p.description,
                "state": "OK"
            })),
        })
    }

    /// `PUT /cloud/project/{serviceName}`: `description` and `manualQuota` are writable (schema
    /// `cloud.Project`); the Control Panel's quota app sends `{manualQuota}` alone (mgr
    /// `apps/pci-quota/src/api/data/project.ts` `toggleManualQuota`).
    pub fn update_project(&mut self, id: &str, body: serde_json::Value) -> SimResult<()> {
        self.visible_project(id)?;
        if let Some(manual) = body.get("manualQuota") {
            self.put_manual_quota(id, manual)?;
        }
        let p = self.visible_project(id)?;
        if let Some(d) = body.get("description").and_then(|d| d.as_str()) {
            p.description = d.into();
        }
        Ok(())
    }

    /// `POST /cloud/project/{serviceName}/terminate`: "Admin contact of this service will receive
    /// a termination token by email" (schema cloud.json). The e-mail arrives after
    /// `--termination-email-ms` (tf PR #295: it can take many minutes) and holds
    /// `…/billing/confirmTerminate?id=<id>&token=<token>` (tf `ovh/order.go`
    /// `reTerminateEmailToken`). A second request makes a new token and a new e-mail; only the
    /// newest token confirms (assumed). A project already deleted or being deleted answers 460
    /// like an expired one (assumed; tf treats 404 and 460 on terminate as "already gone").
    pub fn terminate_project(&mut self, id: &str) -> SimResult<String> {
        let token = self.random_hex(16);
        let us = self.us();
        let p = self.visible_project(id)?;
        if p.status == "deleted" || p.status == "deleting" {
            return Err(SimError::expired_service());
        }
        p.termination_token = Some(token.clone());
        // EU host: the link tf matched before commit a32c98a7 ("Regex for service termination
        // email was invalid in the US", PR #754, which dropped the host from the regex). The US
        // host is assumed: no source shows a US termination e-mail.
        let host = if us {
            "https://us.ovhcloud.com/manager/#"
        } else {
            "https://www.ovh.com/manager/#"
        };
        let body = format!(
            "Dear customer,\n\nYou asked to terminate your Public Cloud project {id}.\nTo confirm, open \
             {host}/billing/confirmTerminate?id={id}&token={token}\n\nOVHcloud (simulated)"
        );
        let delay = Duration::from_millis(self.cfg.termination_email_ms);
        self.send_email(delay, format!("Termination of {id}"), body);
        // Answer text assumed (schema: `string`).
        Ok("Termination request sent: the administrator received a confirmation e-mail".into())
    }

    /// `POST /cloud/project/{serviceName}/confirmTermination` `{token}` (schema
    /// `service.TerminationReasonEnum` etc. optional). A wrong or superseded token: 400
    /// (assumed message).
    pub fn confirm_termination(&mut self, id: &str, body: ConfirmTermination) -> SimResult<String> {
        let p = self.visible_project(id)?;
        if p.termination_token.as_deref() != Some(body.token.as_str()) {
            return Err(SimError::bad_request("Invalid termination token"));
        }
        // `deleted` is a cloud.project.ProjectStatusEnum value (schema); the project stays
        // readable with it (assumed).
        p.status = "deleted".into();
        p.termination_token = None;
        // A terminated project's users go with it (assumed: OVH deletes the project's OpenStack
        // tenant and its users; no source shows one outliving its project).
        for user in self.users.values_mut().filter(|u| u.project_id == id) {
            user.deleted = true;
        }
        Ok(format!("Service {id} will be terminated"))
    }

    /// Test control: what OVH does on its own (suspend a project for an unpaid bill, delete it…).
    pub fn set_project_status(&mut self, id: &str, status: String) -> SimResult<()> {
        self.deliver();
        let project = self
            .projects
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("serviceName", id))?;
        project.status = status;
        Ok(())
    }

    /// Test control: the project leaves the account (deleted for good after its termination,
    /// or by OVH): every `/cloud/project/{serviceName}` route answers 404 and `GET /cloud/project`
    /// no longer lists it (assumed: docs/ovh-evidence.md#project-listing).
    pub fn remove_project(&mut self, id: &str) -> SimResult<()> {
        self.deliver();
        let project = self
            .projects
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("serviceName", id))?;
        project.removed = true;
        Ok(())
    }

    /// Test control: the service expires; every `/cloud/project/{serviceName}` route answers 460.
    pub fn expire_project(&mut self, id: &str) -> SimResult<()> {
        self.deliver();
        let project = self
            .projects
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("serviceName", id))?;
        project.expired = true;
        Ok(())
    }
}
