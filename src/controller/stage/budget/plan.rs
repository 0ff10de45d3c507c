//! Planning the budget alert.

use super::*;
use crate::{
    api::{AlertService, Budget},
    controller::plan::*,
};

/// The next step for spec.budget, if any.
pub(crate) fn plan_budget(input: &Input, project_id: &str) -> Option<Step> {
    let recorded = input.status.budget.as_ref();
    let id = recorded.and_then(|b| b.id.clone());
    let requested = recorded.and_then(|b| b.requested_at.as_deref());
    let act = |a: BudgetAct| Some(Step::Act(Act::Budget(a)));
    match (input.spec.budget.as_ref(), id) {
        (None, Some(id)) => act(BudgetAct::Delete {
            project_id: project_id.into(),
            id,
            extra: false,
        }),
        // A creation was asked and the budget removed before its answer was recorded: an alert
        // with our marker may exist; it goes, then the intent.
        (None, None) if requested.is_some() => match marked_alerts(input, project_id) {
            Err(look) => Some(look),
            Ok(marked) => match marked.first() {
                Some(alert) => act(BudgetAct::Delete {
                    project_id: project_id.into(),
                    id: alert.id.clone(),
                    extra: true,
                }),
                None => act(BudgetAct::Forget),
            },
        },
        (None, None) => None,
        (Some(want), Some(id)) => keep_alert(input, project_id, want, id),
        (Some(want), None) => make_alert(input, project_id, want, requested),
    }
}

/// The alert's name: the resource's project name, then the marker it is found again by.
fn alert_name(input: &Input) -> String {
    let description: String = input.spec.description.chars().take(64).collect();
    format!("{description} budget ({})", input.marker())
}

/// The project's alerts that carry this resource's marker, in id order (or the lookup).
fn marked_alerts<'a>(input: &'a Input, project_id: &str) -> Result<Vec<&'a AlertSeen>, Step> {
    let Some(alerts) = input.observed.alerts.as_ref() else {
        return Err(Step::Look(Lookup::Alerts(project_id.into())));
    };
    let suffix = format!("({})", input.marker());
    let mut marked: Vec<&AlertSeen> = alerts
        .iter()
        .filter(|a| a.name.as_deref().is_some_and(|n| n.ends_with(&suffix)))
        .collect();
    marked.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(marked)
}

/// No alert recorded: its intent, then the POST — or, after a restart with the intent recorded,
/// the alert found by its marker (a POST may have run without its answer recorded).
fn make_alert(input: &Input, project_id: &str, want: &Budget, requested: Option<&str>) -> Option<Step> {
    let Some(requested) = requested else {
        return Some(Step::Act(Act::Budget(BudgetAct::Begin)));
    };
    if input.memory.budget_begun {
        return Some(Step::Act(Act::Budget(BudgetAct::Create {
            project_id: project_id.into(),
            name: alert_name(input),
            budget: want.clone(),
        })));
    }
    let marked = match marked_alerts(input, project_id) {
        Ok(marked) => marked,
        Err(look) => return Some(look),
    };
    if let Some(found) = marked.first() {
        return Some(Step::Act(Act::Budget(BudgetAct::RecordFound {
            id: found.id.clone(),
            applied: budget_of(found),
        })));
    }
    // None found: a POST sent before may still be running at OVH (its answer lost or late); it
    // is made again only once it must have ended (--checkout-grace).
    let begun = parse_time(Some(requested));
    if begun.is_some_and(|begun| input.now < begun + input.checkout_grace) {
        return None;
    }
    Some(Step::Act(Act::Budget(BudgetAct::Begin)))
}

/// The recorded alert: updated when the spec changed since it was sent; on the spend schedule,
/// checked (still there, no extra one with our marker) and its sent alerts reported.
fn keep_alert(input: &Input, project_id: &str, want: &Budget, id: String) -> Option<Step> {
    let applied = input.status.budget.as_ref().and_then(|b| b.applied.as_ref());
    if applied != Some(want) {
        return Some(Step::Act(Act::Budget(BudgetAct::Update {
            project_id: project_id.into(),
            id,
            name: alert_name(input),
            budget: want.clone(),
        })));
    }
    if !spend_due(input) {
        return None;
    }
    let marked = match marked_alerts(input, project_id) {
        Ok(marked) => marked,
        Err(look) => return Some(look),
    };
    let listed = input
        .observed
        .alerts
        .as_ref()
        .is_some_and(|all| all.iter().any(|a| a.id == id));
    if !listed {
        return Some(Step::Act(Act::Budget(BudgetAct::Forget)));
    }
    if let Some(extra) = marked.iter().find(|a| a.id != id) {
        return Some(Step::Act(Act::Budget(BudgetAct::Delete {
            project_id: project_id.into(),
            id: extra.id.clone(),
            extra: true,
        })));
    }
    sent_alerts(input, project_id, id)
}

/// Alerts OVH e-mailed since the last one reported become a Warning event.
fn sent_alerts(input: &Input, project_id: &str, id: String) -> Option<Step> {
    let Some(sent) = input.observed.alerts_sent.as_ref() else {
        return Some(Step::Look(Lookup::AlertsSent {
            project_id: project_id.into(),
            alert_id: id,
        }));
    };
    let last = input.status.budget.as_ref().and_then(|b| b.last_alert);
    let new: Vec<i64> = sent
        .iter()
        .copied()
        .filter(|a| last.is_none_or(|l| *a > l))
        .collect();
    let newest = new.iter().copied().max()?;
    Some(Step::Act(Act::Budget(BudgetAct::RecordSent {
        newest,
        count: new.len(),
    })))
}

/// The budget an alert OVH shows carries (an unknown service reads as none).
fn budget_of(alert: &AlertSeen) -> Budget {
    let service = alert
        .service
        .as_deref()
        .and_then(|s| serde_json::from_value::<AlertService>(serde_json::Value::String(s.to_string())).ok());
    Budget {
        monthly_threshold: alert.monthly_threshold,
        emails: alert.emails.clone(),
        service,
        delay: alert.delay,
    }
}
