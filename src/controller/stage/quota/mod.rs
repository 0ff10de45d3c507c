//! The project's quota policy (spec.quota.automaticUpgrade, sent as the project's `manualQuota`
//! with the body the Control Panel's quota page sends) and its quotas per region, read with the
//! spend.

use super::*;
use crate::{
    api::{QuotaStatus, RegionQuotaStatus},
    controller::plan::{Input, Lookup, Step},
};

#[derive(Clone, Debug, PartialEq)]
pub enum QuotaAct {
    /// `PUT /cloud/project/{id}` `{manualQuota}`: idempotent.
    SetManual { project_id: String, manual: bool },
    /// Status write only: the quotas a lookup read.
    Record(Vec<RegionQuotaStatus>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum QuotaOutcome {
    ManualSet(bool),
    Recorded(Vec<RegionQuotaStatus>),
}

impl QuotaAct {
    pub(super) fn status_only(&self) -> bool {
        matches!(self, QuotaAct::Record(_))
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<QuotaOutcome, OvhError> {
        Ok(match self {
            QuotaAct::SetManual { project_id, manual } => {
                ovh.set_manual_quota(project_id, *manual).await?;
                QuotaOutcome::ManualSet(*manual)
            }
            QuotaAct::Record(quotas) => QuotaOutcome::Recorded(quotas.clone()),
        })
    }
}

impl QuotaOutcome {
    pub(super) fn apply(self, status: &mut PublicCloudProjectStatus) -> Applied {
        let quota = status.quota.get_or_insert_with(QuotaStatus::default);
        match self {
            QuotaOutcome::ManualSet(manual) => {
                quota.manual = Some(manual);
                let how = if manual {
                    "OVH no longer raises the project's quotas by itself (manualQuota)"
                } else {
                    "OVH raises the project's quotas by itself as it grows"
                };
                applied(Reason::QuotaPolicySet, how.into())
            }
            QuotaOutcome::Recorded(regions) => {
                let note = format!("Read the quotas of {} region(s)", regions.len());
                quota.regions = regions;
                applied(Reason::QuotasRead, note)
            }
        }
    }
}

/// The next step for spec.quota, if any: the policy sent once when it differs from what was
/// sent; the quotas read on the spend schedule.
pub(crate) fn plan_quota(input: &Input, project_id: &str) -> Option<Step> {
    let recorded = input.status.quota.as_ref();
    if let Some(policy) = input.spec.quota.as_ref() {
        let manual = !policy.automatic_upgrade;
        if recorded.and_then(|q| q.manual) != Some(manual) {
            return Some(Step::Act(Act::Quota(QuotaAct::SetManual {
                project_id: project_id.into(),
                manual,
            })));
        }
    }
    if !spend_due(input) {
        return None;
    }
    match input.observed.quotas.as_ref() {
        None => Some(Step::Look(Lookup::Quotas(project_id.into()))),
        Some(read) if recorded.is_none_or(|q| &q.regions != read) => {
            Some(Step::Act(Act::Quota(QuotaAct::Record(read.clone()))))
        }
        Some(_) => None,
    }
}
