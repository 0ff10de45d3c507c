//! The day-two reads: spend and service state, budget alerts, regions, quotas. Facts only: which
//! alert is ours, what is due or missing, is the planner's to decide.

use crate::{
    api::RegionQuotaStatus,
    controller::plan::{AlertSeen, Lookup, Observed, SpendSeen},
    ovh::{OvhClient, OvhError, model::UsageTotal},
};

/// Performs a day-two lookup (the others are read elsewhere).
pub(super) async fn read_day_two(
    ovh: &OvhClient,
    lookup: &Lookup,
    observed: &mut Observed,
) -> Result<(), OvhError> {
    match lookup {
        Lookup::Spend(project_id) => observed.spend = Some(spend(ovh, project_id).await?),
        Lookup::Alerts(project_id) => observed.alerts = Some(alerts(ovh, project_id).await?),
        Lookup::AlertsSent { project_id, alert_id } => {
            observed.alerts_sent = Some(ovh.alerting_alerts(project_id, alert_id).await?)
        }
        Lookup::Regions(project_id) => observed.regions = Some(ovh.regions(project_id).await?),
        Lookup::AvailableRegions(project_id) => {
            let offered = ovh.available_regions(project_id).await?;
            observed.available_regions = Some(offered.into_iter().map(|r| r.name).collect())
        }
        Lookup::Quotas(project_id) => observed.quotas = Some(quotas(ovh, project_id).await?),
        _ => {}
    }
    Ok(())
}

async fn spend(ovh: &OvhClient, project_id: &str) -> Result<SpendSeen, OvhError> {
    let current = ovh.usage_current(project_id).await?;
    let forecast = ovh.usage_forecast(project_id).await?;
    let service = ovh.service_infos(project_id).await?;
    let amount = |u: &UsageTotal| u.total_price.as_ref().map(|p| p.decimal());
    Ok(SpendSeen {
        current: amount(&current),
        forecast: amount(&forecast),
        currency: current
            .total_price
            .as_ref()
            .or(forecast.total_price.as_ref())
            .map(|p| p.currency_code.clone()),
        period: current.period.as_ref().map(|p| format!("{}/{}", p.from, p.to)),
        updated_at: current.last_update.clone(),
        service: Some(service.status),
        expires_at: service.expiration,
    })
}

/// Every budget alert of the project, as OVH shows it (`GET …/alerting`, then each).
async fn alerts(ovh: &OvhClient, project_id: &str) -> Result<Vec<AlertSeen>, OvhError> {
    let mut seen = Vec::new();
    for id in ovh.alerting_ids(project_id).await? {
        let alert = match ovh.alerting(project_id, &id).await {
            Ok(a) => a,
            // Deleted between the listing and the read.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        seen.push(AlertSeen {
            id: alert.id,
            name: alert.name,
            monthly_threshold: alert.monthly_threshold,
            delay: alert.delay,
            emails: alert.emails,
            service: alert.service,
        });
    }
    Ok(seen)
}

async fn quotas(ovh: &OvhClient, project_id: &str) -> Result<Vec<RegionQuotaStatus>, OvhError> {
    Ok(ovh
        .quotas(project_id)
        .await?
        .into_iter()
        .map(|q| RegionQuotaStatus {
            region: q.region,
            max_instances: q.max_instances,
            used_instances: q.used_instances,
            max_cores: q.max_cores,
            used_cores: q.used_cores,
            max_ram: q.max_ram,
            used_ram: q.used_ram,
        })
        .collect())
}
