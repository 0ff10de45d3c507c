//! What a delivered (or adopted) project does next — a budget alert, its regions, its quota
//! policy — and what the operator reads of it: spend, the service's state, quotas. Every doc
//! comment here is what `kubectl explain` shows.

use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A budget alert at OVH (`cloud.alerting.Alerting`): OVH e-mails these addresses when the
/// project's spend this month passes the threshold. OVH has no spending cap: an alert, and the
/// ForecastOverBudget condition, are the nearest thing. Made once (found again by its marker in
/// the alert's name after a lost answer); a change is sent as an update; removing the budget
/// deletes the alert. Alerts made in the OVH Control Panel are never touched.
#[derive(Serialize, Deserialize, KubeSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Budget {
    /// Monthly spend, in whole units of the account's currency, past which OVH e-mails (OVH's
    /// `monthlyThreshold`).
    #[schemars(range(min = 1, max = 1_000_000_000))]
    pub monthly_threshold: i64,

    /// Who OVH e-mails (OVH's `emails`).
    #[schemars(
        length(min = 1, max = 10),
        inner(length(max = 254), regex(pattern = r"^[^@\s]+@[^@\s]+\.[^@\s]+$")),
        extend("x-kubernetes-list-type" = "set")
    )]
    pub emails: Vec<String>,

    /// Whose spend counts (OVH's `cloud.alerting.ServiceEnum`). Omitted: all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<AlertService>,

    /// Seconds between two e-mails about one breach (OVH's `cloud.AlertingDelayEnum`); the
    /// Control Panel sends 3600.
    #[serde(default = "default_delay")]
    #[x_kube(validation = Rule::new("self in [3600, 10800, 21600, 43200, 86400, 172800, 259200, 604800]")
        .message("spec.budget.delay must be one of OVH's delays: 3600, 10800, 21600, 43200, 86400, 172800, 259200 or 604800"))]
    pub delay: i64,
}

fn default_delay() -> i64 {
    3600
}

/// The services a budget alert counts (`cloud.alerting.ServiceEnum`).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AlertService {
    AiEndpoint,
    All,
    BlockStorage,
    DataPlatform,
    Instances,
    InstancesGpu,
    InstancesWithoutGpu,
    ObjetStorage,
    Rancher,
    Snapshot,
}

impl AlertService {
    /// OVH's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AiEndpoint => "ai_endpoint",
            Self::All => "all",
            Self::BlockStorage => "block_storage",
            Self::DataPlatform => "data_platform",
            Self::Instances => "instances",
            Self::InstancesGpu => "instances_gpu",
            Self::InstancesWithoutGpu => "instances_without_gpu",
            Self::ObjetStorage => "objet_storage",
            Self::Rancher => "rancher",
            Self::Snapshot => "snapshot",
        }
    }
}

/// The project's quota policy.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuotaPolicy {
    /// Whether OVH raises the project's quotas by itself as it grows (OVH's default). false sets
    /// the project's `manualQuota` (as the Control Panel's quota page does): quotas then change
    /// only when a person asks.
    pub automatic_upgrade: bool,
}

/// What OVH bills the project this month, read on its own schedule (--spend-interval), never on
/// every pass.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SpendStatus {
    /// Spent so far this period (OVH's `usage/current` totalPrice), e.g. "12.34".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// What the period will cost at this pace (OVH's `usage/forecast` totalPrice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forecast: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    /// The billing period, `from/to`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    /// When OVH last computed the spend.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// When the operator read it.
    pub read_at: String,
    /// The service's state at OVH (`serviceInfos` status: ok, unPaid, pendingDebt, expired…):
    /// unPaid and pendingDebt come before a suspension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// When the service expires unless renewed (`serviceInfos` expiration).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

/// The budget alert the operator made at OVH.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BudgetStatus {
    /// When the operator recorded that it creates the alert (before the POST): an alert missing
    /// from status is then looked for by the marker in its name, never made twice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<String>,
    /// OVH's id of the alert.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The threshold, e-mails, service and delay the alert was last sent with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied: Option<super::Budget>,
    /// The newest alert OVH sent (e-mailed) that the operator reported as an event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_alert: Option<i64>,
}

/// The project's regions as the operator last read them, and those it asked for.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RegionsStatus {
    /// The regions OVH shows active for the project (`GET …/region`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub active: Vec<String>,
    /// Regions the operator asked OVH to add and does not see active yet, with when (OVH may
    /// add a region hours after answering 500: it is asked again only after a back-off).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requested: Vec<RegionRequest>,
    /// When `active` was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_at: Option<String>,
    /// The regions the operator added for spec.regions (one taken out of the spec is reported
    /// once as kept by OVH).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub added: Vec<String>,
}

/// A region the operator asked OVH to add.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RegionRequest {
    pub name: String,
    /// When it was (last) asked.
    pub at: String,
}

/// The project's quota policy and quotas as the operator last read them.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QuotaStatus {
    /// The project's `manualQuota` as the operator set it (true: OVH does not raise quotas by
    /// itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<bool>,
    /// Instance quotas per region (`GET …/quota`), read with the spend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionQuotaStatus>,
}

/// One region's instance quota and use.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RegionQuotaStatus {
    pub region: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_instances: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_instances: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_cores: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_cores: Option<i64>,
    /// RAM in MB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_ram: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used_ram: Option<i64>,
}
