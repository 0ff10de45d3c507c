//! The cloud project family (`/cloud/project…`): the account's project ids, one project, and
//! renaming it. The cached listing with descriptions (`spec.onExisting`) is `ovh::projects`.

use std::collections::HashSet;

use crate::ovh::OvhClient;
use crate::ovh::error::{OvhError, Result};
use crate::ovh::model::*;
use crate::ovh::routes::Route;

/// The most ids [`OvhClient::listed_project_ids`] reads: some 1.8 MB of JSON, within the
/// client's answer limit (`MAX_ANSWER_BYTES`), for five times the 10,000 projects one account is
/// planned for.
pub const MAX_LISTED_PROJECT_IDS: usize = 50_000;

impl OvhClient {
    /// `GET /cloud/project`: ids of the account's projects.
    pub async fn project_ids(&self) -> Result<Vec<String>> {
        self.get(Route::new("/cloud/project", &[])).await
    }

    /// [`Self::project_ids`], at most [`MAX_LISTED_PROJECT_IDS`] of them; longer:
    /// [`OvhError::ListTooLong`] with `hint` (what a listing cut short would get wrong).
    pub(in crate::ovh) async fn project_ids_within_cap(&self, hint: &'static str) -> Result<Vec<String>> {
        let ids = self.project_ids().await?;
        if ids.len() > MAX_LISTED_PROJECT_IDS {
            return Err(OvhError::ListTooLong {
                route: "/cloud/project",
                count: ids.len(),
                max: MAX_LISTED_PROJECT_IDS,
                hint,
            });
        }
        Ok(ids)
    }

    /// `GET /cloud/project` read whole, as a set, for noticing projects gone from the account:
    /// one call, nothing read per id, so its cap ([`MAX_LISTED_PROJECT_IDS`]) is far above the
    /// descriptions a listing reads. Longer: [`OvhError::ListTooLong`] (a set cut short would
    /// show projects as gone that are not).
    pub async fn listed_project_ids(&self) -> Result<HashSet<String>> {
        let hint = "projects gone from the account are noticed at each project's own resync only";
        Ok(self.project_ids_within_cap(hint).await?.into_iter().collect())
    }

    /// `GET /cloud/project/{serviceName}`. The description it answers is kept for the listing of
    /// [`Self::project_descriptions`], which then need not read it again.
    pub async fn project(&self, project_id: &str) -> Result<Project> {
        let project: Project = self
            .get(Route::new("/cloud/project/{serviceName}", &[project_id]))
            .await?;
        self.project_read(project_id, &project.description);
        Ok(project)
    }

    /// `PUT /cloud/project/{serviceName}` `{description}`: renames the project (terraform-provider-ovh
    /// `resourceCloudProjectUpdate`). Idempotent. The listing of [`Self::project_descriptions`]
    /// learns the new name.
    pub async fn rename_project(&self, project_id: &str, description: &str) -> Result<()> {
        let body = ProjectUpdate {
            description: description.into(),
        };
        self.put::<_, ()>(Route::new("/cloud/project/{serviceName}", &[project_id]), &body)
            .await?;
        self.project_renamed(project_id, description);
        Ok(())
    }
}
