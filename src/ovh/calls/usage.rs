//! What a project costs and its standing as a service (`/cloud/project/{serviceName}/usage…`,
//! `…/serviceInfos`): read on the spend's own schedule, never on every pass.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project/{serviceName}/usage/current`: the month's spend so far. Only the
    /// totals are kept ([`UsageTotal`] says how the answer, which lists every resource, is
    /// bounded).
    pub async fn usage_current(&self, project_id: &str) -> Result<UsageTotal> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/usage/current",
            &[project_id],
        ))
        .await
    }

    /// `GET /cloud/project/{serviceName}/usage/forecast`: the month's spend as OVH forecasts it.
    pub async fn usage_forecast(&self, project_id: &str) -> Result<UsageTotal> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/usage/forecast",
            &[project_id],
        ))
        .await
    }

    /// `GET /cloud/project/{serviceName}/serviceInfos`: the service's status (`unPaid` and
    /// `pendingDebt` come before a suspension) and expiration.
    pub async fn service_infos(&self, project_id: &str) -> Result<ServiceInfos> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/serviceInfos",
            &[project_id],
        ))
        .await
    }
}
