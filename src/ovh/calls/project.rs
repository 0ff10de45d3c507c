//! The cloud project family (`/cloud/project…`): the account's project ids, one project, and
//! renaming it. The cached listing with descriptions (`spec.onExisting`) is `ovh::projects`.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project`: ids of the account's projects.
    pub async fn project_ids(&self) -> Result<Vec<String>> {
        self.get(Route::new("/cloud/project", &[])).await
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
