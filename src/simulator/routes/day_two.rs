//! Simulated day-two routes of a delivered project: spend (`…/usage/current`,
//! `…/usage/forecast`), standing (`…/serviceInfos`), budget alerts (`…/alerting…`), regions
//! (`…/region`, `…/regionAvailable`) and quotas (`…/quota`).

use axum::{
    Extension, Json,
    extract::{Path, State},
};
use serde_json::Value;

use super::{Answer, OvhBody, S};
use crate::{
    ovh::model::*,
    simulator::{gate::LateEffect, world::AlertingBody},
};

pub(super) async fn usage_current(State(sim): S, Path(project): Path<String>) -> Answer<Value> {
    sim.world.lock().await.usage(&project, false).map(Json)
}

pub(super) async fn usage_forecast(State(sim): S, Path(project): Path<String>) -> Answer<Value> {
    sim.world.lock().await.usage(&project, true).map(Json)
}

pub(super) async fn service_infos(State(sim): S, Path(project): Path<String>) -> Answer<Value> {
    sim.world.lock().await.service_infos(&project).map(Json)
}

pub(super) async fn alerting_ids(State(sim): S, Path(project): Path<String>) -> Answer<Vec<String>> {
    sim.world.lock().await.alerting_ids(&project).map(Json)
}

pub(super) async fn create_alerting(
    State(sim): S,
    Path(project): Path<String>,
    OvhBody(body): OvhBody<AlertingBody>,
) -> Answer<Value> {
    sim.world.lock().await.create_alerting(&project, body).map(Json)
}

pub(super) async fn alerting(State(sim): S, Path((project, id)): Path<(String, String)>) -> Answer<Value> {
    sim.world.lock().await.alerting(&project, &id).map(Json)
}

pub(super) async fn update_alerting(
    State(sim): S,
    Path((project, id)): Path<(String, String)>,
    OvhBody(body): OvhBody<AlertingBody>,
) -> Answer<()> {
    sim.world
        .lock()
        .await
        .update_alerting(&project, &id, body)
        .map(Json)
}

pub(super) async fn delete_alerting(
    State(sim): S,
    Path((project, id)): Path<(String, String)>,
) -> Answer<()> {
    sim.world.lock().await.delete_alerting(&project, &id).map(Json)
}

pub(super) async fn alerting_alerts(
    State(sim): S,
    Path((project, id)): Path<(String, String)>,
) -> Answer<Vec<i64>> {
    sim.world.lock().await.alerting_alert_ids(&project, &id).map(Json)
}

pub(super) async fn alerting_alert(
    State(sim): S,
    Path((project, id, alert)): Path<(String, String, i64)>,
) -> Answer<AlertingAlert> {
    sim.world
        .lock()
        .await
        .alerting_alert(&project, &id, alert)
        .map(Json)
}

pub(super) async fn regions(State(sim): S, Path(project): Path<String>) -> Answer<Vec<String>> {
    sim.world.lock().await.regions(&project).map(Json)
}

pub(super) async fn available_regions(
    State(sim): S,
    Path(project): Path<String>,
) -> Answer<Vec<AvailableRegion>> {
    sim.world.lock().await.available_regions(&project).map(Json)
}

/// A fault may make the POST answer an error and take effect later ([`LateEffect`]).
pub(super) async fn add_region(
    State(sim): S,
    Path(project): Path<String>,
    late: Option<Extension<LateEffect>>,
    OvhBody(body): OvhBody<ProjectRegionCreation>,
) -> Answer<Value> {
    let mut world = sim.world.lock().await;
    let Some(Extension(late)) = late else {
        return world.add_region(&project, body).map(Json);
    };
    world.add_region_later(&project, body, late.reads, late.after)?;
    Err(late.error)
}

/// `categories` (schema: optional filter) is not honoured: every answer holds `instance` only.
pub(super) async fn quotas(State(sim): S, Path(project): Path<String>) -> Answer<Vec<Quotas>> {
    sim.world.lock().await.quotas(&project).map(Json)
}
