//! Simulated order and project routes (`/me/order…`, `/cloud/project…`).

use std::collections::HashMap;

use axum::{
    Json,
    extract::{Path, Query, State},
};

use super::{Answer, OvhBody, S, ok};
use crate::{ovh::model::*, simulator::world::SimError};

// ---- orders -------------------------------------------------------------------------------------

pub(super) async fn list_orders(State(sim): S, Query(q): Query<HashMap<String, String>>) -> Answer<Vec<i64>> {
    let from = q
        .get("date.from")
        .map(|v| parse_datetime("date.from", v))
        .transpose()?;
    let to = q
        .get("date.to")
        .map(|v| parse_datetime("date.to", v))
        .transpose()?;
    ok(sim.world.lock().await.order_ids(from, to))
}

/// A schema `datetime` query value: RFC 3339 with an offset, or a bare date or date-time taken as
/// UTC (assumed leniency).
fn parse_datetime(name: &str, value: &str) -> Result<jiff::Timestamp, SimError> {
    value
        .parse::<jiff::Timestamp>()
        .or_else(|_| {
            value
                .parse::<jiff::civil::DateTime>()
                .and_then(|d| d.to_zoned(jiff::tz::TimeZone::UTC))
                .map(|z| z.timestamp())
        })
        .map_err(|_| SimError::bad_request(format!("Invalid value for {name}: {value} is not a datetime")))
}

pub(super) async fn get_order(State(sim): S, Path(order): Path<i64>) -> Answer<BillingOrder> {
    sim.world.lock().await.order(order).map(Json)
}

pub(super) async fn order_status(State(sim): S, Path(order): Path<i64>) -> Answer<OrderStatus> {
    sim.world.lock().await.order_status(order).map(Json)
}

pub(super) async fn order_details(State(sim): S, Path(order): Path<i64>) -> Answer<Vec<i64>> {
    sim.world.lock().await.order_detail_ids(order).map(Json)
}

pub(super) async fn order_detail(
    State(sim): S,
    Path((order, detail)): Path<(i64, i64)>,
) -> Answer<BillingOrderDetail> {
    sim.world.lock().await.order_detail(order, detail).map(Json)
}

pub(super) async fn order_detail_extension(
    State(sim): S,
    Path((order, detail)): Path<(i64, i64)>,
) -> Answer<ItemDetail> {
    sim.world
        .lock()
        .await
        .order_detail_extension(order, detail)
        .map(Json)
}

pub(super) async fn pay(
    State(sim): S,
    Path(order): Path<i64>,
    OvhBody(body): OvhBody<PayWithPaymentMethod>,
) -> Answer<()> {
    sim.world.lock().await.pay(order, body).map(Json)
}

pub(super) async fn order_payment(State(sim): S, Path(order): Path<i64>) -> Answer<BillingPayment> {
    sim.world.lock().await.order_payment(order).map(Json)
}

pub(super) async fn pay_with_registered_payment_mean(
    State(sim): S,
    Path(order): Path<i64>,
    OvhBody(body): OvhBody<PayWithRegisteredPaymentMean>,
) -> Answer<()> {
    sim.world
        .lock()
        .await
        .pay_with_registered_payment_mean(order, body)
        .map(Json)
}

pub(super) async fn order_detail_operations(
    State(sim): S,
    Path((order, detail)): Path<(i64, i64)>,
) -> Answer<Vec<i64>> {
    sim.world
        .lock()
        .await
        .order_detail_operation_ids(order, detail)
        .map(Json)
}

pub(super) async fn order_detail_operation(
    State(sim): S,
    Path((order, detail, operation)): Path<(i64, i64, i64)>,
) -> Answer<OrderDetailOperation> {
    sim.world
        .lock()
        .await
        .order_detail_operation(order, detail, operation)
        .map(Json)
}

// ---- projects -----------------------------------------------------------------------------------

pub(super) async fn projects(State(sim): S) -> Answer<Vec<String>> {
    ok(sim.world.lock().await.project_ids())
}

pub(super) async fn project(State(sim): S, Path(id): Path<String>) -> Answer<Project> {
    sim.world.lock().await.project(&id).map(Json)
}

pub(super) async fn update_project(
    State(sim): S,
    Path(id): Path<String>,
    OvhBody(body): OvhBody<serde_json::Value>,
) -> Answer<()> {
    sim.world.lock().await.update_project(&id, body).map(Json)
}

pub(super) async fn terminate_project(State(sim): S, Path(id): Path<String>) -> Answer<String> {
    sim.world.lock().await.terminate_project(&id).map(Json)
}

pub(super) async fn confirm_termination(
    State(sim): S,
    Path(id): Path<String>,
    OvhBody(body): OvhBody<ConfirmTermination>,
) -> Answer<String> {
    sim.world.lock().await.confirm_termination(&id, body).map(Json)
}
