//! Planning the day-two reads and writes of a project that is ok: its quota policy, its budget
//! alert, its regions, then — on the spend schedule only — what it costs.

use super::*;
use crate::controller::plan::*;

/// Whether the spend (and the rest of the day-two state read with it) is due: never read, or
/// read longer ago than --spend-interval.
pub(crate) fn spend_due(input: &Input) -> bool {
    let read = input
        .status
        .spend
        .as_ref()
        .and_then(|s| parse_time(Some(&s.read_at)));
    read.is_none_or(|at| input.now >= at + input.spend_interval)
}

/// The next day-two step of a project that is ok, if any.
pub(crate) fn plan_day_two(input: &Input, project_id: &str) -> Option<Step> {
    plan_quota(input, project_id)
        .or_else(|| plan_budget(input, project_id))
        .or_else(|| plan_regions(input, project_id))
        .or_else(|| plan_spend(input, project_id))
}

/// The spend read and recorded, when due.
fn plan_spend(input: &Input, project_id: &str) -> Option<Step> {
    if !spend_due(input) {
        return None;
    }
    match input.observed.spend.as_ref() {
        None => Some(Step::Look(Lookup::Spend(project_id.into()))),
        Some(seen) => Some(Step::Act(Act::Spend(SpendAct::Record(seen.clone())))),
    }
}
