//! A delivered project's day two, money side: what it costs (`…/usage/current`,
//! `…/usage/forecast`), its standing as a service (`…/serviceInfos`), its quotas (`…/quota`) and
//! automatic quota upgrades (`manualQuota`, written with `PUT /cloud/project/{serviceName}`).
//! Spend and standing are set by test control; the answers have the schema's shapes (cloud.json
//! `cloud.usage.UsageCurrent`, `cloud.usage.UsageForecast`, `services.Service`,
//! `cloud.quota.Quotas`). Each project's day-two state ([`SimDayTwo`]) starts on first use.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::*;

/// A project's day-two state: spend, standing, quotas, alertings, regions, and what was asked of
/// them (the ledger shows it).
#[derive(Debug, Clone, Default)]
pub struct SimDayTwo {
    /// This month's spend so far and as forecast, in micro-cents, and their currency.
    pub current_ucents: i64,
    pub forecast_ucents: i64,
    pub currency: String,
    /// `service.StateEnum` of `GET …/serviceInfos`.
    pub service_status: String,
    /// `services.Service.expiration` (a date).
    pub expiration: String,
    pub manual_quota: bool,
    /// `PUT /cloud/project/{serviceName}` calls that carried `manualQuota`.
    pub manual_quota_puts: u32,
    /// Reads per route (`usage/current`, `usage/forecast`, `serviceInfos`, `quota`, `region`,
    /// `regionAvailable`, `alerting`).
    pub reads: BTreeMap<String, u32>,
    pub alertings: BTreeMap<String, super::alertings::SimAlerting>,
    /// `POST …/alerting` calls that made an alerting.
    pub alertings_created: u32,
    pub regions: BTreeSet<String>,
    /// Regions whose POST answered an error but take effect later (a fault).
    pub pending_regions: BTreeMap<String, super::regions::PendingRegion>,
    /// `POST …/region` calls that reached OVH's logic, per region name (refused ones too).
    pub region_posts: BTreeMap<String, u32>,
}

/// `cloud.usage.UsageCurrent` / `cloud.usage.UsageForecast`: the totals, and the per-resource
/// lists (empty here: the simulator runs no resources).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UsageAnswer {
    #[serde(flatten)]
    total: UsageTotal,
    hourly_usage: Option<serde_json::Value>,
    monthly_usage: Option<serde_json::Value>,
    resources_usage: Vec<serde_json::Value>,
}

/// `services.Service`: every non-nullable field of the schema.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ServiceAnswer {
    can_delete_at_expiration: bool,
    contact_admin: String,
    contact_billing: String,
    contact_tech: String,
    creation: String,
    domain: String,
    expiration: String,
    renewal_type: &'static str,
    service_id: i64,
    status: String,
}

/// The `service.StateEnum` values (schema cloud.json).
const SERVICE_STATES: &[&str] = &[
    "autorenewInProgress",
    "expired",
    "inCreation",
    "ok",
    "pendingDebt",
    "unPaid",
];

impl World {
    /// A visible project's day-two state, made on first use: no spend, service `ok`, expiring
    /// the first day of next month (assumed: a Public Cloud project renews monthly), automatic
    /// quota upgrades on (`manualQuota: false`, as a new project reads in the manager's tests),
    /// and the first region of the account's catalog active (assumed: OVH activates some
    /// regions on a new project; which ones is not documented).
    pub(super) fn day_two(&mut self, id: &str) -> SimResult<&mut SimDayTwo> {
        self.visible_project(id)?;
        let currency = if self.us() { "USD" } else { "EUR" }.to_string();
        let first_region = self.region_catalog.first().cloned();
        let today = now().to_zoned(jiff::tz::TimeZone::UTC).date();
        let next_month = today.first_of_month().saturating_add(jiff::Span::new().months(1));
        Ok(self.day_two.entry(id.to_string()).or_insert_with(|| SimDayTwo {
            currency,
            service_status: "ok".into(),
            expiration: next_month.to_string(),
            regions: first_region.into_iter().collect(),
            ..Default::default()
        }))
    }

    /// One read of `route` of a project counted (the ledger shows it).
    pub(super) fn day_two_read(&mut self, id: &str, route: &str) -> SimResult<&mut SimDayTwo> {
        let state = self.day_two(id)?;
        *state.reads.entry(route.to_string()).or_default() += 1;
        Ok(state)
    }

    /// `GET …/usage/current` (`forecast: false`) or `…/usage/forecast`: the spend test control
    /// set, over the month so far (current) or the whole month (forecast); `lastUpdate` is now
    /// (assumed: OVH refreshes usage about hourly).
    pub fn usage(&mut self, id: &str, forecast: bool) -> SimResult<serde_json::Value> {
        let route = if forecast {
            "usage/forecast"
        } else {
            "usage/current"
        };
        let state = self.day_two_read(id, route)?;
        let (ucents, currency) = (
            if forecast {
                state.forecast_ucents
            } else {
                state.current_ucents
            },
            state.currency.clone(),
        );
        let now = now();
        let month = now.to_zoned(jiff::tz::TimeZone::UTC).date().first_of_month();
        let from = month
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| SimError::bad_request(e.to_string()))?;
        let to = if forecast {
            from.saturating_add(jiff::Span::new().months(1)).timestamp()
        } else {
            now
        };
        let answer = UsageAnswer {
            total: UsageTotal {
                total_price: Some(Price::from_ucents(ucents, &currency)),
                period: Some(UsagePeriod {
                    from: datetime(from.timestamp()),
                    to: datetime(to),
                }),
                last_update: Some(datetime(now)),
            },
            hourly_usage: None,
            monthly_usage: None,
            resources_usage: Vec::new(),
        };
        Ok(serde_json::to_value(answer).expect("a usage answer serialises"))
    }

    /// `GET …/serviceInfos` (`services.Service`): status and expiration as test control set
    /// them; the contacts are the account's nichandle, `renewalType` `automaticV2016` and
    /// `serviceId` the order id plus a constant (assumed).
    pub fn service_infos(&mut self, id: &str) -> SimResult<serde_json::Value> {
        let nic = self.me().nichandle;
        let (created, order_id) = {
            let p = self.visible_project(id)?;
            (p.created, p.order_id)
        };
        let state = self.day_two_read(id, "serviceInfos")?;
        let answer = ServiceAnswer {
            can_delete_at_expiration: false,
            contact_admin: nic.clone(),
            contact_billing: nic.clone(),
            contact_tech: nic,
            creation: created.strftime("%Y-%m-%d").to_string(),
            domain: id.to_string(),
            expiration: state.expiration.clone(),
            renewal_type: "automaticV2016",
            service_id: 100_000_000 + order_id,
            status: state.service_status.clone(),
        };
        Ok(serde_json::to_value(answer).expect("a service answer serialises"))
    }

    /// `GET …/quota` (`cloud.quota.Quotas[]`): one entry per active region with its instance
    /// quotas (20 cores, 20 instances, 40960 MB of RAM, nothing used: assumed; the other families
    /// are nullable and left out).
    pub fn quotas(&mut self, id: &str) -> SimResult<Vec<Quotas>> {
        let state = self.day_two_read(id, "quota")?;
        Ok(state
            .regions
            .iter()
            .map(|region| Quotas {
                region: region.clone(),
                instance: Some(InstanceUsageQuotas {
                    max_cores: Some(20),
                    max_instances: Some(20),
                    max_ram: Some(40960),
                    used_cores: Some(0),
                    used_instances: Some(0),
                    used_ram: Some(0),
                }),
            })
            .collect())
    }

    /// `manualQuota` of a `PUT /cloud/project/{serviceName}` body (schema `cloud.Project`:
    /// writable boolean); anything but a boolean is a 400 (message assumed). Counted.
    pub(super) fn put_manual_quota(&mut self, id: &str, value: &serde_json::Value) -> SimResult<()> {
        let manual = value
            .as_bool()
            .ok_or_else(|| SimError::bad_request("Invalid value for manualQuota: not a boolean"))?;
        let state = self.day_two(id)?;
        state.manual_quota = manual;
        state.manual_quota_puts += 1;
        Ok(())
    }

    /// `manualQuota` as `GET /cloud/project/{serviceName}` shows it.
    pub(super) fn manual_quota_of(&self, id: &str) -> bool {
        self.day_two.get(id).is_some_and(|d| d.manual_quota)
    }

    /// Test control: the project's spend this month so far and as forecast (micro-cents, each
    /// kept when `None`) and their currency (an `order.CurrencyCodeEnum`, e.g. EUR, USD).
    pub fn set_spend(
        &mut self,
        id: &str,
        current: Option<i64>,
        forecast: Option<i64>,
        currency: Option<String>,
    ) -> SimResult<()> {
        let state = self.day_two(id)?;
        state.current_ucents = current.unwrap_or(state.current_ucents);
        state.forecast_ucents = forecast.unwrap_or(state.forecast_ucents);
        state.currency = currency.unwrap_or_else(|| state.currency.clone());
        Ok(())
    }

    /// Test control: the service's standing (`service.StateEnum`, others refused) and
    /// expiration date (`YYYY-MM-DD`), each kept when `None`.
    pub fn set_service(
        &mut self,
        id: &str,
        status: Option<String>,
        expiration: Option<String>,
    ) -> SimResult<()> {
        if let Some(s) = status.as_deref().filter(|s| !SERVICE_STATES.contains(s)) {
            return Err(SimError::bad_request(format!(
                "{s} is not a service.StateEnum ({SERVICE_STATES:?})"
            )));
        }
        if let Some(e) = expiration
            .as_deref()
            .filter(|e| e.parse::<jiff::civil::Date>().is_err())
        {
            return Err(SimError::bad_request(format!("{e} is not a date (YYYY-MM-DD)")));
        }
        let state = self.day_two(id)?;
        state.service_status = status.unwrap_or_else(|| state.service_status.clone());
        state.expiration = expiration.unwrap_or_else(|| state.expiration.clone());
        Ok(())
    }
}
