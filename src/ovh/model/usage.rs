//! What a Public Cloud project costs and whether its service is in good standing
//! (`cloud.usage.*`, `services.Service`): only the fields the operator reads.

use serde::{Deserialize, Serialize};

use super::Price;

/// The totals of `cloud.usage.UsageCurrent` (`GET …/usage/current`) and `cloud.usage.UsageForecast`
/// (`GET …/usage/forecast`). OVH's answer also lists every resource billed (`hourlyUsage`,
/// `monthlyUsage`, `resourcesUsage`), so it grows with the project: the parse keeps only these
/// three fields (serde skips the rest without keeping it), and the body read is bounded like
/// every answer by [`MAX_ANSWER_BYTES`](crate::ovh::client::MAX_ANSWER_BYTES) (4 MiB): a longer answer fails the
/// call with a decode error saying so, rather than growing the operator's memory.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct UsageTotal {
    #[serde(default)]
    pub total_price: Option<Price>,
    #[serde(default)]
    pub period: Option<UsagePeriod>,
    #[serde(default)]
    pub last_update: Option<String>,
}

/// `cloud.usage.Period`: the dates the usage covers (datetimes).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct UsagePeriod {
    pub from: String,
    pub to: String,
}

/// What the operator reads of `services.Service` (`GET …/serviceInfos`): `status`
/// (`service.StateEnum`: autorenewInProgress, expired, inCreation, ok, pendingDebt, unPaid;
/// kept as a string so a new value does not break the read) and `expiration` (a date).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ServiceInfos {
    pub status: String,
    #[serde(default)]
    pub expiration: Option<String>,
}
