//! The project's spend and service state, read on their own schedule (--spend-interval) and
//! recorded in status.spend, with the ForecastOverBudget condition and a Warning when OVH says
//! the service is unpaid, in debt or expired. Reads only: nothing here changes anything at OVH.

use super::*;
use crate::{
    api::SpendStatus,
    controller::{
        plan::{SpendSeen, cents},
        status::{self, FORECAST_OVER_BUDGET},
    },
};

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum SpendAct {
    /// Status write only: what the spend lookup read.
    Record(SpendSeen),
}

#[derive(Clone, Debug, PartialEq)]
pub enum SpendOutcome {
    Recorded(SpendSeen),
}

/// `serviceInfos` states that come before a suspension or follow it.
const UNHEALTHY_SERVICE: &[&str] = &["unPaid", "pendingDebt", "expired"];

impl SpendAct {
    pub(super) fn execute(&self) -> SpendOutcome {
        let SpendAct::Record(seen) = self;
        SpendOutcome::Recorded(seen.clone())
    }
}

impl SpendOutcome {
    pub(super) fn apply(self, status: &mut PublicCloudProjectStatus, now: Timestamp) -> Applied {
        let SpendOutcome::Recorded(seen) = self;
        let currency = seen.currency.clone().unwrap_or_default();
        let note = format!(
            "Spent {} {currency} this month, {} forecast",
            seen.current.as_deref().unwrap_or("?"),
            seen.forecast.as_deref().unwrap_or("?")
        );
        forecast_condition(status, &seen);
        let service = seen.service.clone();
        status.spend = Some(SpendStatus {
            current: seen.current,
            forecast: seen.forecast,
            currency: seen.currency,
            period: seen.period,
            updated_at: seen.updated_at,
            read_at: now.to_string(),
            service: seen.service,
            expires_at: seen.expires_at,
        });
        match service.filter(|s| UNHEALTHY_SERVICE.contains(&s.as_str())) {
            Some(state) => applied(
                Reason::ServiceNotOk,
                format!(
                    "OVH shows the project's service as {state}: an unpaid or indebted project is \
                     suspended. Settle it in the OVH console (Billing)"
                ),
            )
            .warning(),
            None => applied(Reason::SpendRead, note),
        }
    }
}

/// ForecastOverBudget: True when the forecast passes spec.budget's threshold (as last applied to
/// the alert), False otherwise; absent without a budget.
fn forecast_condition(status: &mut PublicCloudProjectStatus, seen: &SpendSeen) {
    let threshold = status
        .budget
        .as_ref()
        .and_then(|b| b.applied.as_ref())
        .map(|b| b.monthly_threshold);
    let generation = status.observed_generation;
    let Some(threshold) = threshold else {
        status.conditions.retain(|c| c.type_ != FORECAST_OVER_BUDGET);
        return;
    };
    let forecast = seen.forecast.as_deref().and_then(cents);
    let over = forecast.is_some_and(|f| f > (threshold as u64).saturating_mul(100));
    let currency = seen.currency.as_deref().unwrap_or_default();
    let (reason, message) = if over {
        let f = seen.forecast.as_deref().unwrap_or_default();
        (
            Reason::ForecastOverBudget,
            format!("OVH forecasts {f} {currency} this month, over the budget of {threshold} {currency}"),
        )
    } else {
        (
            Reason::ForecastWithinBudget,
            format!("The forecast is within the budget of {threshold} {currency}"),
        )
    };
    status::set_condition(status, FORECAST_OVER_BUDGET, over, reason, &message, generation);
}
