//! A project's quotas (`/cloud/project/{serviceName}/quota`) and automatic quota upgrades
//! (`manualQuota` on the project).

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project/{serviceName}/quota`: each region's instance quotas.
    pub async fn quotas(&self, project_id: &str) -> Result<Vec<RegionQuota>> {
        let quotas: Vec<Quotas> = self
            .get(Route::new("/cloud/project/{serviceName}/quota", &[project_id]))
            .await?;
        Ok(quotas.into_iter().map(RegionQuota::from).collect())
    }

    /// `PUT /cloud/project/{serviceName}` `{"manualQuota": manual}`: `true` stops OVH's automatic
    /// quota upgrades. Idempotent. The same route as the rename, with only this field.
    pub async fn set_manual_quota(&self, project_id: &str, manual: bool) -> Result<()> {
        let body = ProjectQuotaUpdate { manual_quota: manual };
        self.put::<_, ()>(Route::new("/cloud/project/{serviceName}", &[project_id]), &body)
            .await
    }
}
