//! The budget alert (spec.budget): made exactly once — its intent recorded before the POST, the
//! resource's marker in its name, found again by it after a lost answer — updated when the spec
//! changes, deleted when the budget goes; extra marked alerts deleted; the alerts OVH e-mailed
//! reported as Warning events. Alerts without our marker (made in the Control Panel) are never
//! touched.

use super::*;
use crate::{
    api::{Budget, BudgetStatus},
    ovh::model::AlertingCreation,
};

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum BudgetAct {
    /// Status write only: recorded before the POST, so a restart looks for an unrecorded alert by
    /// its marker instead of making a second one.
    Begin,
    /// `POST /cloud/project/{id}/alerting`; the outcome records the id before anything else.
    Create {
        project_id: String,
        /// Ends with the marker `(ovh-publiccloud-operator:<uid>)`.
        name: String,
        budget: Budget,
    },
    /// Status write only: an alert with our marker, not in status (made, then its answer lost).
    RecordFound { id: String, applied: Budget },
    /// `PUT …/alerting/{id}`: spec.budget changed since the alert was sent.
    Update {
        project_id: String,
        id: String,
        name: String,
        budget: Budget,
    },
    /// `DELETE …/alerting/{id}`: the budget left the spec (or the alert is an extra one with our
    /// marker). A 404 counts as deleted.
    Delete {
        project_id: String,
        id: String,
        extra: bool,
    },
    /// Status write only: the recorded alert no longer exists at OVH (a new one is made).
    Forget,
    /// Status write only: OVH sent alerts newer than the last one reported.
    RecordSent { newest: i64, count: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub enum BudgetOutcome {
    Begun,
    Created { id: String, applied: Budget },
    Found { id: String, applied: Budget },
    Updated { budget: Budget },
    Deleted { id: String, extra: bool },
    Forgotten,
    Sent { newest: i64, count: usize },
}

impl BudgetAct {
    pub(super) fn status_only(&self) -> bool {
        matches!(
            self,
            BudgetAct::Begin
                | BudgetAct::RecordFound { .. }
                | BudgetAct::Forget
                | BudgetAct::RecordSent { .. }
        )
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<BudgetOutcome, OvhError> {
        Ok(match self {
            BudgetAct::Begin => BudgetOutcome::Begun,
            BudgetAct::Create {
                project_id,
                name,
                budget,
            } => {
                let made = ovh.create_alerting(project_id, &alerting(name, budget)).await?;
                BudgetOutcome::Created {
                    id: made.id,
                    applied: budget.clone(),
                }
            }
            BudgetAct::RecordFound { id, applied } => BudgetOutcome::Found {
                id: id.clone(),
                applied: applied.clone(),
            },
            BudgetAct::Update {
                project_id,
                id,
                name,
                budget,
            } => {
                ovh.update_alerting(project_id, id, &alerting(name, budget))
                    .await?;
                BudgetOutcome::Updated {
                    budget: budget.clone(),
                }
            }
            BudgetAct::Delete {
                project_id,
                id,
                extra,
            } => {
                match ovh.delete_alerting(project_id, id).await {
                    Err(e) if e.is_not_found() => {}
                    done => done?,
                }
                BudgetOutcome::Deleted {
                    id: id.clone(),
                    extra: *extra,
                }
            }
            BudgetAct::Forget => BudgetOutcome::Forgotten,
            BudgetAct::RecordSent { newest, count } => BudgetOutcome::Sent {
                newest: *newest,
                count: *count,
            },
        })
    }
}

impl BudgetOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        (observed, memory): (&mut Observed, &mut Memory),
        now: Timestamp,
    ) -> Applied {
        // What this pass read of the alerts no longer holds once one is deleted.
        if let BudgetOutcome::Deleted { id, .. } = &self
            && let Some(alerts) = observed.alerts.as_mut()
        {
            alerts.retain(|a| a.id != *id);
        }
        let recorded = status.budget.get_or_insert_with(BudgetStatus::default);
        match self {
            BudgetOutcome::Begun => {
                recorded.requested_at = Some(now.to_string());
                memory.budget_begun = true;
                applied(
                    Reason::BudgetAlertRequested,
                    "Making the budget alert at OVH".into(),
                )
            }
            BudgetOutcome::Created { id, applied: budget } => {
                let note = format!(
                    "OVH made budget alert {id}: {} a month, e-mailed to {}",
                    budget.monthly_threshold,
                    budget.emails.join(", ")
                );
                record_alert(recorded, id, budget);
                applied(Reason::BudgetAlertCreated, note)
            }
            BudgetOutcome::Found { id, applied: budget } => {
                let note =
                    format!("Found budget alert {id}, made earlier but not recorded; no other one is made");
                record_alert(recorded, id, budget);
                applied(Reason::BudgetAlertFound, note)
            }
            BudgetOutcome::Updated { budget } => {
                let note = format!("Updated the budget alert: {} a month", budget.monthly_threshold);
                recorded.applied = Some(budget);
                applied(Reason::BudgetAlertUpdated, note)
            }
            BudgetOutcome::Deleted { id, extra: true } => applied(
                Reason::BudgetAlertDeleted,
                format!("Deleted budget alert {id}, a second one with this resource's marker"),
            ),
            BudgetOutcome::Deleted { id, extra: false } => {
                status.budget = None;
                applied(
                    Reason::BudgetAlertDeleted,
                    format!("Deleted budget alert {id} (spec.budget removed)"),
                )
            }
            BudgetOutcome::Forgotten => {
                let id = recorded.id.take().unwrap_or_default();
                *recorded = BudgetStatus::default();
                applied(
                    Reason::BudgetAlertGone,
                    format!("Budget alert {id} no longer exists at OVH; a new one is made"),
                )
            }
            BudgetOutcome::Sent { newest, count } => {
                recorded.last_alert = Some(newest);
                applied(
                    Reason::BudgetAlertSent,
                    format!("OVH e-mailed {count} budget alert(s): the project's spend passed its budget"),
                )
                .warning()
            }
        }
    }
}

/// The alert's body at OVH, for its creation and its updates (the same fields; never `email`).
fn alerting(name: &str, budget: &Budget) -> AlertingCreation {
    AlertingCreation {
        name: name.to_string(),
        monthly_threshold: budget.monthly_threshold,
        delay: budget.delay,
        emails: budget.emails.clone(),
        service: budget.service.map(|s| s.as_str().to_string()),
    }
}

fn record_alert(recorded: &mut BudgetStatus, id: String, budget: Budget) {
    recorded.id = Some(id);
    recorded.applied = Some(budget);
    recorded.requested_at = None;
}
