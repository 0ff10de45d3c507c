//! A project's regions (`/cloud/project/{serviceName}/region`, `…/regionAvailable`): which are
//! active, which may be, and activating one. OVH has no route to remove a region.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project/{serviceName}/region`: names of the project's active regions.
    pub async fn regions(&self, project_id: &str) -> Result<Vec<String>> {
        self.get(Route::new("/cloud/project/{serviceName}/region", &[project_id]))
            .await
    }

    /// `GET /cloud/project/{serviceName}/regionAvailable`: the regions that can be activated.
    pub async fn available_regions(&self, project_id: &str) -> Result<Vec<AvailableRegion>> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/regionAvailable",
            &[project_id],
        ))
        .await
    }

    /// `POST /cloud/project/{serviceName}/region` `{region}` (terraform-provider-ovh
    /// `resourceCloudProjectRegionCreate`). The answer (`cloud.Region`) is not read. Never
    /// retried; a 5xx may still take effect later, so the caller re-reads [`Self::regions`]
    /// before posting again.
    pub async fn add_region(&self, project_id: &str, region: &str) -> Result<()> {
        let body = ProjectRegionCreation {
            region: region.into(),
        };
        self.post::<_, serde::de::IgnoredAny>(
            Route::new("/cloud/project/{serviceName}/region", &[project_id]),
            Some(&body),
        )
        .await?;
        Ok(())
    }
}
