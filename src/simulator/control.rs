//! Test controls under `/_sim/` (never under OVH's paths), the order page a person pays on and
//! the page where a person validates a consumer key.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Form, Json, Router,
    extract::{Path, Query, State},
    response::{Html, IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{
    Sim,
    gate::Fault,
    ledger::{Ledger, Stats},
    world::{AlertingBody, SimError},
};
use crate::ovh::model::OrderStatus;

type S = State<Arc<Sim>>;

pub fn routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/_sim/ledger", get(ledger))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders/{orderId}/pay", post(pay))
        .route("/_sim/orders/{orderId}/status", post(force_status))
        .route("/_sim/orders/{orderId}/expire", post(expire_order))
        .route("/_sim/carts/{cartId}/expire", post(expire_cart))
        .route("/_sim/projects/{serviceName}/status", post(set_project_status))
        .route("/_sim/projects/{serviceName}/expire", post(expire_project))
        .route("/_sim/projects/{serviceName}/remove", post(remove_project))
        .route("/_sim/projects/{serviceName}/spend", post(set_spend))
        .route("/_sim/projects/{serviceName}/service", post(set_service))
        .route(
            "/_sim/projects/{serviceName}/alerting",
            post(control_panel_alerting),
        )
        .route(
            "/_sim/projects/{serviceName}/alerting/{id}/alert",
            post(send_alert),
        )
        .route("/_sim/regions", post(set_regions))
        .route("/_sim/emails", post(add_email))
        .route("/_sim/price", post(set_price))
        .route("/_sim/faults", post(add_faults).delete(clear_faults))
        .route(
            "/_sim/credentials/{consumerKey}/validate",
            post(validate_credential),
        )
        .route("/auth/", get(credential_page).post(validate_on_page))
        .route("/payment/order/{orderId}", get(order_page).post(pay_on_page))
        .with_state(sim)
}

async fn ledger(State(sim): S) -> Json<Ledger> {
    Json(sim.world.lock().await.ledger())
}

/// Calls per `METHOD /path/template`.
async fn stats(State(sim): S) -> Json<Stats> {
    Json(sim.stats.lock().unwrap().clone())
}

async fn pay(State(sim): S, Path(order): Path<i64>) -> Result<Json<()>, SimError> {
    sim.world.lock().await.pay_as_person(order).map(Json)
}

#[derive(Deserialize)]
struct ForcedStatus {
    /// An OVH order status, or null to let the clock drive it again.
    status: Option<OrderStatus>,
}

async fn force_status(
    State(sim): S,
    Path(order): Path<i64>,
    Json(body): Json<ForcedStatus>,
) -> Result<Json<()>, SimError> {
    sim.world
        .lock()
        .await
        .force_order_status(order, body.status)
        .map(Json)
}

#[derive(Deserialize)]
struct ProjectStatus {
    /// cloud.project.ProjectStatusEnum: creating, deleted, deleting, ok, suspended.
    status: String,
}

/// What OVH does on its own: suspend a project (unpaid bill), delete it…
async fn set_project_status(
    State(sim): S,
    Path(id): Path<String>,
    Json(body): Json<ProjectStatus>,
) -> Result<Json<()>, SimError> {
    sim.world
        .lock()
        .await
        .set_project_status(&id, body.status)
        .map(Json)
}

/// The order's `expirationDate` passes now: paying it is refused from then on.
async fn expire_order(State(sim): S, Path(order): Path<i64>) -> Result<Json<()>, SimError> {
    sim.world.lock().await.expire_order(order).map(Json)
}

/// The project leaves the account: 404 on its routes, absent from `GET /cloud/project`.
async fn remove_project(State(sim): S, Path(id): Path<String>) -> Result<Json<()>, SimError> {
    sim.world.lock().await.remove_project(&id).map(Json)
}

/// The service expires: every `/cloud/project/{serviceName}` route answers 460.
async fn expire_project(State(sim): S, Path(id): Path<String>) -> Result<Json<()>, SimError> {
    sim.world.lock().await.expire_project(&id).map(Json)
}

#[derive(Deserialize)]
struct Spend {
    /// This month's spend so far, e.g. `"12.34"` (kept when absent).
    current: Option<String>,
    /// The month's forecast spend (kept when absent).
    forecast: Option<String>,
    /// `order.CurrencyCodeEnum`, e.g. EUR (kept when absent).
    currency: Option<String>,
}

/// The project's spend as `…/usage/current` and `…/usage/forecast` show it (`totalPrice`).
async fn set_spend(
    State(sim): S,
    Path(id): Path<String>,
    Json(body): Json<Spend>,
) -> Result<Json<()>, SimError> {
    let ucents = |p: Option<String>| {
        p.map(|p| super::parse_price_ucents(&p).map_err(SimError::bad_request))
            .transpose()
    };
    let (current, forecast) = (ucents(body.current)?, ucents(body.forecast)?);
    sim.world
        .lock()
        .await
        .set_spend(&id, current, forecast, body.currency)
        .map(Json)
}

#[derive(Deserialize)]
struct Service {
    /// `service.StateEnum`: ok, unPaid, pendingDebt, expired, autorenewInProgress, inCreation.
    status: Option<String>,
    /// `YYYY-MM-DD`.
    expiration: Option<String>,
}

/// The project's standing as `…/serviceInfos` shows it (what OVH's billing does on its own).
async fn set_service(
    State(sim): S,
    Path(id): Path<String>,
    Json(body): Json<Service>,
) -> Result<Json<()>, SimError> {
    sim.world
        .lock()
        .await
        .set_service(&id, body.status, body.expiration)
        .map(Json)
}

/// An alerting made in the Control Panel: the manager's body `{delay, email, monthlyThreshold}`
/// (no name; `delay` 3600 when absent, as the manager always sends). Answers the alerting.
async fn control_panel_alerting(
    State(sim): S,
    Path(id): Path<String>,
    Json(body): Json<AlertingBody>,
) -> Result<Json<serde_json::Value>, SimError> {
    sim.world.lock().await.control_panel_alerting(&id, body).map(Json)
}

/// OVH sends an alert for an alerting now (listed by `…/alerting/{id}/alert`); answers
/// `{"alertId"}`.
async fn send_alert(
    State(sim): S,
    Path((project, id)): Path<(String, String)>,
) -> Result<Json<serde_json::Value>, SimError> {
    let alert_id = sim.world.lock().await.send_alert(&project, &id)?;
    Ok(Json(serde_json::json!({ "alertId": alert_id })))
}

#[derive(Deserialize)]
struct Regions {
    /// Region names the account offers, e.g. `["GRA11", "SBG5"]`.
    available: Vec<String>,
}

/// The regions the account offers (`…/regionAvailable` lists those not active on a project).
async fn set_regions(State(sim): S, Json(body): Json<Regions>) -> Result<Json<()>, SimError> {
    sim.world
        .lock()
        .await
        .set_region_catalog(body.available)
        .map(Json)
}

#[derive(Deserialize)]
struct NewEmail {
    subject: String,
    body: String,
}

/// An e-mail arrives now (noise, many e-mails, an old termination e-mail); answers `{"id"}`.
async fn add_email(State(sim): S, Json(e): Json<NewEmail>) -> Json<serde_json::Value> {
    let id = sim.world.lock().await.add_email(e.subject, e.body);
    Json(serde_json::json!({ "id": id }))
}

async fn expire_cart(State(sim): S, Path(cart): Path<String>) -> Result<Json<()>, SimError> {
    sim.world.lock().await.expire_cart(&cart).map(Json)
}

/// Test control: the project plan's catalog price changes (without tax, e.g. `{"price":
/// "20.00"}`), for carts priced or checked out from now on (catalog prices change while an
/// approval waits: assumed, OVH publishes price changes ahead).
async fn set_price(State(sim): S, Json(body): Json<serde_json::Value>) -> Result<Json<()>, SimError> {
    let price = body["price"].as_str().unwrap_or_default();
    let ucents = super::parse_price_ucents(price).map_err(SimError::bad_request)?;
    sim.world.lock().await.set_price(ucents);
    Ok(Json(()))
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Box<Fault>),
    Many(Vec<Fault>),
}

async fn add_faults(State(sim): S, Json(body): Json<OneOrMany>) -> Json<()> {
    let faults = match body {
        OneOrMany::One(f) => vec![*f],
        OneOrMany::Many(v) => v,
    };
    let mut registry = sim.faults.lock().await;
    for f in faults {
        registry.add(f);
    }
    Json(())
}

async fn clear_faults(State(sim): S) -> Json<()> {
    sim.faults.lock().await.clear();
    Json(())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The order URL is a page where a person pays (docs/reference/simulator.md): the manager sends people to
/// `order.url` to pay a priced order (ovh/manager `useProjectCreation.tsx` `handleCreditAndPay`).
async fn order_page(
    State(sim): S,
    Path(order_id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let password = q.get("password").cloned().unwrap_or_default();
    let (order, status) = match sim.world.lock().await.order_page(order_id, &password) {
        Ok(found) => found,
        Err(e) => {
            return (
                axum::http::StatusCode::from_u16(e.status).unwrap(),
                Html(format!("<h1>{}</h1>", escape(&e.body["message"].to_string()))),
            )
                .into_response();
        }
    };
    let action = if status == OrderStatus::NotPaid {
        format!(
            r#"<form method="post" action="/payment/order/{order_id}"><input type="hidden" name="password" value="{}"><button type="submit" id="pay">Pay {}</button></form>"#,
            escape(&password),
            escape(&order.price_with_tax.text)
        )
    } else {
        "<p id=\"paid\">This order is paid.</p>".into()
    };
    Html(format!(
        "<!doctype html><html><head><title>Order {order_id}</title></head><body>\
         <h1>OVHcloud order {order_id} (simulated)</h1>\
         <p>Total with tax: <b>{}</b> (without tax {})</p><p>Status: <b id=\"status\">{}</b></p>{action}</body></html>",
        escape(&order.price_with_tax.text),
        escape(&order.price_without_tax.text),
        status.as_str()
    ))
    .into_response()
}

async fn pay_on_page(
    State(sim): S,
    Path(order_id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let password = form.get("password").cloned().unwrap_or_default();
    let mut world = sim.world.lock().await;
    if let Err(e) = world
        .order_page(order_id, &password)
        .and_then(|_| world.pay_as_person(order_id))
    {
        return e.into_response();
    }
    Redirect::to(&format!("/payment/order/{order_id}?password={password}")).into_response()
}

/// Validates a pending consumer key, as the person who opens its validation URL does.
async fn validate_credential(State(sim): S, Path(ck): Path<String>) -> Result<Json<()>, SimError> {
    sim.consumer_keys.lock().unwrap().validate(&ck).map(Json)
}

/// The validation URL (`/auth/?credentialToken=…`, docs/ovh-evidence.md#consumer-keys) is a page listing the rules the
/// application asks for, with a button that validates the key. OVH's page also asks the person
/// to log in and to choose the key's validity; the simulator has one account and keys that do not
/// expire (assumed).
async fn credential_page(State(sim): S, Query(q): Query<HashMap<String, String>>) -> Response {
    let token = q.get("credentialToken").cloned().unwrap_or_default();
    let keys = sim.consumer_keys.lock().unwrap();
    let Some((_, key)) = keys.by_token(&token) else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            Html("<h1>This credential request does not exist</h1>".to_string()),
        )
            .into_response();
    };
    let rules: String = key
        .rules
        .iter()
        .map(|(m, p)| format!("<li><code>{} {}</code></li>", escape(m), escape(p)))
        .collect();
    let action = if key.state == "validated" {
        "<p id=\"validated\">This key is validated.</p>".to_string()
    } else {
        format!(
            r#"<form method="post" action="/auth/"><input type="hidden" name="credentialToken" value="{}"><button type="submit" id="validate">Log in and validate</button></form>"#,
            escape(&token)
        )
    };
    Html(format!(
        "<!doctype html><html><head><title>Validate an API key</title></head><body>\
         <h1>An application asks for access to your OVHcloud account (simulated)</h1>\
         <ul id=\"rules\">{rules}</ul><p>State: <b id=\"state\">{}</b></p>{action}</body></html>",
        key.state
    ))
    .into_response()
}

/// The page's button: validates the key, then goes to the request's `redirection` if it had one.
async fn validate_on_page(State(sim): S, Form(form): Form<HashMap<String, String>>) -> Response {
    let token = form.get("credentialToken").cloned().unwrap_or_default();
    let mut keys = sim.consumer_keys.lock().unwrap();
    let Some((ck, key)) = keys.by_token(&token).map(|(ck, k)| (ck.clone(), k.clone())) else {
        return SimError::class(404, "Client::NotFound", "This credential request does not exist")
            .into_response();
    };
    if let Err(e) = keys.validate(&ck) {
        return e.into_response();
    }
    match key.redirection {
        Some(url) => Redirect::to(&url).into_response(),
        None => Redirect::to(&format!("/auth/?credentialToken={token}")).into_response(),
    }
}
