//! The simulated OVH v1 routes (under `/1.0`) and the OAuth2 token endpoint. Handlers only
//! translate HTTP to [`World`](super::world::World) calls.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{FromRequest, Path, Query, Request, State},
    middleware,
    routing::{MethodFilter, on, post},
};
use serde::{Serialize, de::DeserializeOwned};

use super::{Sim, gate, world::SimError};
use crate::ovh::model::*;

mod auth;
mod billing;
mod day_two;
mod users;

use auth::*;
use billing::*;
use day_two::*;
use users::*;

/// A route the simulator serves, with the schema's `noAuthentication` flag.
pub struct RouteInfo {
    pub method: &'static str,
    pub template: &'static str,
    pub no_auth: bool,
}

/// Declares the served OVH routes once, as `METHOD "template" public|signed => handler;`
/// (`public`: the schema's `noAuthentication`), and derives from that one list both [`ROUTES`]
/// (read by the gate, the schema conformance test and `simulator --print-routes`) and the router
/// that serves exactly those routes.
macro_rules! served {
    (@no_auth public) => { true };
    (@no_auth signed) => { false };
    ($($method:ident $template:literal $auth:ident => $handler:ident;)*) => {
        /// Every OVH route served; the schema conformance test checks each against OVH's schema.
        pub const ROUTES: &[RouteInfo] = &[$(RouteInfo {
            method: stringify!($method),
            template: $template,
            no_auth: served!(@no_auth $auth),
        }),*];

        /// [`ROUTES`], each template with its method and handler (one template's methods merge).
        fn served_routes() -> Router<Arc<Sim>> {
            Router::new()$(.route($template, on(MethodFilter::$method, $handler)))*
        }
    };
}

served! {
    GET "/auth/time" public => auth_time;
    GET "/auth/details" signed => auth_details;
    POST "/auth/credential" public => request_credential;
    GET "/me" signed => me;
    POST "/order/cart" public => create_cart;
    GET "/order/cart" signed => list_carts;
    GET "/order/cart/{cartId}" public => get_cart;
    DELETE "/order/cart/{cartId}" signed => delete_cart;
    POST "/order/cart/{cartId}/assign" signed => assign_cart;
    GET "/order/cart/{cartId}/cloud" public => cloud_offers;
    POST "/order/cart/{cartId}/cloud" public => add_cloud_item;
    GET "/order/cart/{cartId}/cloud/options" public => cloud_options;
    POST "/order/cart/{cartId}/cloud/options" public => add_cloud_option;
    GET "/order/cart/{cartId}/item" public => list_items;
    GET "/order/cart/{cartId}/item/{itemId}" public => get_item;
    DELETE "/order/cart/{cartId}/item/{itemId}" public => delete_item;
    GET "/order/cart/{cartId}/item/{itemId}/configuration" public => list_configurations;
    POST "/order/cart/{cartId}/item/{itemId}/configuration" public => add_configuration;
    GET "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}" public => get_configuration;
    DELETE "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}" public => delete_configuration;
    GET "/order/cart/{cartId}/item/{itemId}/requiredConfiguration" public => required_configuration;
    GET "/order/cart/{cartId}/checkout" signed => checkout_preview;
    POST "/order/cart/{cartId}/checkout" signed => checkout;
    GET "/me/order" signed => list_orders;
    GET "/me/order/{orderId}" signed => get_order;
    GET "/me/order/{orderId}/status" signed => order_status;
    GET "/me/order/{orderId}/details" signed => order_details;
    GET "/me/order/{orderId}/details/{orderDetailId}" signed => order_detail;
    GET "/me/order/{orderId}/details/{orderDetailId}/extension" signed => order_detail_extension;
    // US only (absent from the EU schema): terraform-provider-ovh `ovh/order.go`
    // `orderDetailOperations`, PR #455.
    GET "/me/order/{orderId}/details/{orderDetailId}/operations" signed => order_detail_operations;
    GET "/me/order/{orderId}/details/{orderDetailId}/operations/{operationId}" signed => order_detail_operation;
    POST "/me/order/{orderId}/pay" signed => pay;
    POST "/me/order/{orderId}/payWithRegisteredPaymentMean" signed => pay_with_registered_payment_mean;
    GET "/me/order/{orderId}/payment" signed => order_payment;
    GET "/me/payment/method" signed => payment_methods;
    GET "/me/payment/method/{paymentMethodId}" signed => payment_method;
    GET "/me/notification/email/history" signed => emails;
    GET "/me/notification/email/history/{id}" signed => email;
    GET "/cloud/project" signed => projects;
    GET "/cloud/project/{serviceName}" signed => project;
    PUT "/cloud/project/{serviceName}" signed => update_project;
    POST "/cloud/project/{serviceName}/terminate" signed => terminate_project;
    POST "/cloud/project/{serviceName}/confirmTermination" signed => confirm_termination;
    GET "/cloud/project/{serviceName}/user" signed => users;
    POST "/cloud/project/{serviceName}/user" signed => create_user;
    GET "/cloud/project/{serviceName}/user/{userId}" signed => user;
    DELETE "/cloud/project/{serviceName}/user/{userId}" signed => delete_user;
    GET "/cloud/project/{serviceName}/user/{userId}/openrc" signed => openrc;
    POST "/cloud/project/{serviceName}/user/{userId}/regeneratePassword" signed => regenerate_password;
    GET "/cloud/project/{serviceName}/usage/current" signed => usage_current;
    GET "/cloud/project/{serviceName}/usage/forecast" signed => usage_forecast;
    GET "/cloud/project/{serviceName}/serviceInfos" signed => service_infos;
    GET "/cloud/project/{serviceName}/alerting" signed => alerting_ids;
    POST "/cloud/project/{serviceName}/alerting" signed => create_alerting;
    GET "/cloud/project/{serviceName}/alerting/{id}" signed => alerting;
    PUT "/cloud/project/{serviceName}/alerting/{id}" signed => update_alerting;
    DELETE "/cloud/project/{serviceName}/alerting/{id}" signed => delete_alerting;
    GET "/cloud/project/{serviceName}/alerting/{id}/alert" signed => alerting_alerts;
    GET "/cloud/project/{serviceName}/alerting/{id}/alert/{alertId}" signed => alerting_alert;
    GET "/cloud/project/{serviceName}/region" signed => regions;
    POST "/cloud/project/{serviceName}/region" signed => add_region;
    GET "/cloud/project/{serviceName}/regionAvailable" signed => available_regions;
    GET "/cloud/project/{serviceName}/quota" signed => quotas;
}

/// The query parameters the simulator honours, per route; the schema test checks each is one of
/// the operation's query parameters in OVH's schema.
pub const QUERIES: &[(&str, &str, &[&str])] = &[
    ("GET", "/order/cart", &["description"]),
    (
        "GET",
        "/order/cart/{cartId}/item/{itemId}/configuration",
        &["label"],
    ),
    ("GET", "/order/cart/{cartId}/cloud/options", &["planCode"]),
    ("GET", "/me/order", &["date.from", "date.to"]),
    ("GET", "/me/payment/method", &["default", "paymentType", "status"]),
    (
        "GET",
        "/cloud/project/{serviceName}/user/{userId}/openrc",
        &["region", "version"],
    ),
];

type S = State<Arc<Sim>>;
type Answer<T> = Result<Json<T>, SimError>;

/// A JSON body parsed as OVH does: an empty body is `{}`, unknown and null fields are ignored,
/// and a malformed body is a 400 with OVH's error shape.
pub struct OvhBody<T>(pub T);

impl<T: DeserializeOwned, St: Send + Sync> FromRequest<St> for OvhBody<T> {
    type Rejection = SimError;

    async fn from_request(req: Request, state: &St) -> Result<Self, SimError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|_| SimError::bad_request("Unreadable body"))?;
        // tf posts `assign` and `checkout` with no body at all (tf `ovh/order.go`).
        let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        let mut value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| SimError::bad_request(format!("Invalid JSON body: {e}")))?;
        // tf sends `"itemId":null,"domain":null,"configuration":[]` with the cloud item and OVH
        // accepts it (tf `ovh/order.go`): nulls are dropped, unknown fields ignored.
        if let Some(map) = value.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        serde_json::from_value(value)
            .map(OvhBody)
            .map_err(|e| SimError::bad_request(format!("Invalid body: {e}")))
    }
}

fn ok<T: Serialize>(value: T) -> Answer<T> {
    Ok(Json(value))
}

pub fn ovh_routes(sim: Arc<Sim>) -> Router {
    let api = served_routes()
        .route_layer(middleware::from_fn_with_state(sim.clone(), gate::gate))
        .fallback(|| async { SimError::no_route() })
        .with_state(sim);
    Router::new().nest("/1.0", api)
}

pub fn oauth2_routes(sim: Arc<Sim>) -> Router {
    Router::new()
        .route("/auth/oauth2/token", post(oauth2_token))
        .with_state(sim)
}

// ---- account ------------------------------------------------------------------------------------

async fn me(State(sim): S) -> Answer<Me> {
    ok(sim.world.lock().await.me())
}

async fn payment_methods(State(sim): S, Query(q): Query<HashMap<String, String>>) -> Answer<Vec<i64>> {
    let default = match q.get("default").map(String::as_str) {
        None => None,
        Some("true") => Some(true),
        Some("false") => Some(false),
        Some(other) => {
            return Err(SimError::bad_request(format!(
                "Invalid value for default: {other} is not a boolean"
            )));
        }
    };
    ok(sim.world.lock().await.payment_method_ids(
        default,
        q.get("paymentType").map(String::as_str),
        q.get("status").map(String::as_str),
    ))
}

async fn payment_method(State(sim): S, Path(id): Path<i64>) -> Answer<PaymentMethod> {
    sim.world.lock().await.payment_method(id).map(Json)
}

async fn emails(State(sim): S) -> Answer<Vec<i64>> {
    ok(sim.world.lock().await.email_ids())
}

async fn email(State(sim): S, Path(id): Path<i64>) -> Answer<EmailNotification> {
    sim.world.lock().await.email(id).map(Json)
}

// ---- carts --------------------------------------------------------------------------------------

async fn create_cart(State(sim): S, OvhBody(body): OvhBody<CartCreation>) -> Answer<Cart> {
    sim.world.lock().await.create_cart(body).map(Json)
}

async fn list_carts(State(sim): S, Query(q): Query<HashMap<String, String>>) -> Answer<Vec<String>> {
    ok(sim
        .world
        .lock()
        .await
        .carts_by_description(q.get("description").map(String::as_str)))
}

async fn get_cart(State(sim): S, Path(cart): Path<String>) -> Answer<Cart> {
    sim.world.lock().await.cart(&cart).map(Json)
}

async fn delete_cart(State(sim): S, Path(cart): Path<String>) -> Answer<()> {
    sim.world.lock().await.delete_cart(&cart).map(Json)
}

async fn assign_cart(State(sim): S, Path(cart): Path<String>) -> Answer<()> {
    sim.world.lock().await.assign_cart(&cart).map(Json)
}

async fn cloud_offers(State(sim): S, Path(cart): Path<String>) -> Answer<Vec<GenericProductDefinition>> {
    sim.world.lock().await.cloud_offers(&cart).map(Json)
}

async fn add_cloud_item(
    State(sim): S,
    Path(cart): Path<String>,
    OvhBody(body): OvhBody<GenericProductCreation>,
) -> Answer<Item> {
    sim.world.lock().await.add_cloud_item(&cart, body).map(Json)
}

async fn cloud_options(
    State(sim): S,
    Path(cart): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Vec<GenericOptionDefinition>> {
    // `planCode` is required (schema); message assumed.
    let Some(plan_code) = q.get("planCode") else {
        return Err(SimError::bad_request("Missing parameter: planCode"));
    };
    sim.world.lock().await.cloud_options(&cart, plan_code).map(Json)
}

async fn add_cloud_option(
    State(sim): S,
    Path(cart): Path<String>,
    OvhBody(body): OvhBody<GenericOptionCreation>,
) -> Answer<Item> {
    sim.world.lock().await.add_cloud_option(&cart, body).map(Json)
}

async fn list_items(State(sim): S, Path(cart): Path<String>) -> Answer<Vec<i64>> {
    sim.world.lock().await.item_ids(&cart).map(Json)
}

async fn get_item(State(sim): S, Path((cart, item)): Path<(String, i64)>) -> Answer<Item> {
    sim.world.lock().await.item(&cart, item).map(Json)
}

async fn delete_item(State(sim): S, Path((cart, item)): Path<(String, i64)>) -> Answer<()> {
    sim.world.lock().await.delete_item(&cart, item).map(Json)
}

async fn list_configurations(
    State(sim): S,
    Path((cart, item)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer<Vec<i64>> {
    sim.world
        .lock()
        .await
        .configuration_ids(&cart, item, q.get("label").map(String::as_str))
        .map(Json)
}

async fn add_configuration(
    State(sim): S,
    Path((cart, item)): Path<(String, i64)>,
    OvhBody(body): OvhBody<ItemConfigurationCreation>,
) -> Answer<ConfigurationItem> {
    sim.world
        .lock()
        .await
        .add_configuration(&cart, item, body)
        .map(Json)
}

async fn get_configuration(
    State(sim): S,
    Path((cart, item, id)): Path<(String, i64, i64)>,
) -> Answer<ConfigurationItem> {
    sim.world.lock().await.configuration(&cart, item, id).map(Json)
}

async fn delete_configuration(State(sim): S, Path((cart, item, id)): Path<(String, i64, i64)>) -> Answer<()> {
    sim.world
        .lock()
        .await
        .delete_configuration(&cart, item, id)
        .map(Json)
}

async fn checkout_preview(State(sim): S, Path(cart): Path<String>) -> Answer<Order> {
    sim.world.lock().await.checkout_preview(&cart).map(Json)
}

async fn required_configuration(
    State(sim): S,
    Path((cart, item)): Path<(String, i64)>,
) -> Answer<Vec<ConfigurationRequirement>> {
    sim.world
        .lock()
        .await
        .required_configuration(&cart, item)
        .map(Json)
}

async fn checkout(
    State(sim): S,
    Path(cart): Path<String>,
    commit_after: Option<Extension<gate::CommitAfter>>,
    OvhBody(body): OvhBody<Checkout>,
) -> Answer<Order> {
    sim.world.lock().await.note_checkout_attempt(&cart);
    let Some(Extension(gate::CommitAfter(delay))) = commit_after else {
        return sim.world.lock().await.checkout(&cart, body).map(Json);
    };
    // Detached: a client that gives up and disconnects drops this handler, not the commit.
    let committer = tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        sim.world.lock().await.checkout(&cart, body)
    });
    committer.await.expect("the checkout commit task ran").map(Json)
}
