//! A project's regions and quotas (`cloud.AvailableRegion`, `cloud.ProjectRegionCreation`,
//! `cloud.quota.*`), and the body that turns automatic quota upgrades off.

use serde::{Deserialize, Serialize};

/// `cloud.AvailableRegion`: a region that can be activated on the project
/// (`GET …/regionAvailable`). `type` is a `cloud.RegionTypeEnum` (localzone, region,
/// region-3-az), `continentCode` a `cloud.RegionContinentEnum`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AvailableRegion {
    pub name: String,
    #[serde(default, rename = "type")]
    pub region_type: Option<String>,
    #[serde(default)]
    pub continent_code: Option<String>,
    #[serde(default)]
    pub datacenter_location: Option<String>,
}

/// Body of `POST /cloud/project/{serviceName}/region` (`cloud.ProjectRegionCreation`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ProjectRegionCreation {
    pub region: String,
}

/// `cloud.quota.Quotas`, one region's quotas as OVH sends them (`GET …/quota`); only `region`
/// and `instance` are read (the other families, `volume`, `network`…, are skipped).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Quotas {
    pub region: String,
    #[serde(default)]
    pub instance: Option<InstanceUsageQuotas>,
}

/// `cloud.quota.InstanceUsageQuotas` (note OVH's `usedRAM`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct InstanceUsageQuotas {
    #[serde(default)]
    pub max_cores: Option<i64>,
    #[serde(default)]
    pub max_instances: Option<i64>,
    #[serde(default)]
    pub max_ram: Option<i64>,
    #[serde(default)]
    pub used_cores: Option<i64>,
    #[serde(default)]
    pub used_instances: Option<i64>,
    #[serde(default, rename = "usedRAM")]
    pub used_ram: Option<i64>,
}

/// One region's instance quotas, flattened from `cloud.quota.Quotas[].instance` (all `None` when
/// OVH sends no `instance`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[serde(rename_all = "camelCase")]
pub struct RegionQuota {
    pub region: String,
    pub max_cores: Option<i64>,
    pub max_instances: Option<i64>,
    pub max_ram: Option<i64>,
    pub used_cores: Option<i64>,
    pub used_instances: Option<i64>,
    pub used_ram: Option<i64>,
}

impl From<Quotas> for RegionQuota {
    fn from(q: Quotas) -> Self {
        let i = q.instance.unwrap_or_default();
        Self {
            region: q.region,
            max_cores: i.max_cores,
            max_instances: i.max_instances,
            max_ram: i.max_ram,
            used_cores: i.used_cores,
            used_instances: i.used_instances,
            used_ram: i.used_ram,
        }
    }
}

/// Body of `PUT /cloud/project/{serviceName}` that turns automatic quota upgrades off (`true`)
/// or on (`false`): `{"manualQuota": bool}` alone (schema: `cloud.Project.manualQuota`, "Manual
/// quota prevent automatic quota upgrade", writable), as the Control Panel's quota app sends it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProjectQuotaUpdate {
    pub manual_quota: bool,
}
