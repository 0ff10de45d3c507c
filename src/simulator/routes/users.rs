//! Simulated OpenStack user routes (`/cloud/project/{serviceName}/user…`).

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State},
};

use super::{Answer, OvhBody, S};
use crate::{ovh::model::*, simulator::world::SimError};

pub(super) async fn users(State(sim): S, Path(project): Path<String>) -> Answer<Vec<User>> {
    sim.world.lock().await.users(&project).map(Json)
}

pub(super) async fn create_user(
    State(sim): S,
    Path(project): Path<String>,
    OvhBody(body): OvhBody<ProjectUserCreation>,
) -> Answer<UserDetail> {
    sim.world.lock().await.create_user(&project, body).map(Json)
}

pub(super) async fn user(State(sim): S, Path((project, user)): Path<(String, i64)>) -> Answer<User> {
    sim.world.lock().await.user(&project, user).map(Json)
}

pub(super) async fn delete_user(State(sim): S, Path((project, user)): Path<(String, i64)>) -> Answer<()> {
    sim.world.lock().await.delete_user(&project, user).map(Json)
}

/// `region` is required by the schema (400 without it, message assumed).
pub(super) async fn openrc(
    State(sim): S,
    Path((project, user)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Openrc> {
    let region = q
        .get("region")
        .ok_or_else(|| SimError::bad_request("Missing parameter: region"))?;
    sim.world
        .lock()
        .await
        .openrc(&project, user, region, q.get("version").map(String::as_str))
        .map(Json)
}

pub(super) async fn regenerate_password(
    State(sim): S,
    Path((project, user)): Path<(String, i64)>,
) -> Answer<UserDetail> {
    sim.world
        .lock()
        .await
        .regenerate_password(&project, user)
        .map(Json)
}
