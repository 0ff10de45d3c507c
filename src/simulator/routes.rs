//! The simulated OVH v1 routes (under `/1.0`) and the OAuth2 token endpoint. Handlers only
//! translate HTTP to [`World`](super::world::World) calls.

use std::{collections::HashMap, sync::Arc};

use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{FromRequest, Path, Query, Request, State},
    http::HeaderMap,
    middleware,
    response::{IntoResponse, Response},
    routing::{MethodFilter, on, post},
};
use base64::Engine;
use serde::{Serialize, de::DeserializeOwned};

use super::{Sim, gate, world::SimError};
use crate::ovh::model::*;

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
    GET "/me/payment/method" signed => payment_methods;
    GET "/me/payment/method/{paymentMethodId}" signed => payment_method;
    GET "/me/notification/email/history" signed => emails;
    GET "/me/notification/email/history/{id}" signed => email;
    GET "/cloud/project" signed => projects;
    GET "/cloud/project/{serviceName}" signed => project;
    PUT "/cloud/project/{serviceName}" signed => update_project;
    POST "/cloud/project/{serviceName}/terminate" signed => terminate_project;
    POST "/cloud/project/{serviceName}/confirmTermination" signed => confirm_termination;
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
    ("GET", "/me/order", &["date.from", "date.to"]),
    ("GET", "/me/payment/method", &["default", "paymentType", "status"]),
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

// ---- auth ---------------------------------------------------------------------------------------

/// A bare integer (schema auth.json `long`; go-ovh and py-ovh compute their clock delta from it).
async fn auth_time(State(sim): S) -> Json<i64> {
    Json(sim.server_time())
}

/// `auth.Details` (schema auth.json); tf calls it at start-up (tf `ovh/config.go`).
async fn auth_details(headers: HeaderMap) -> Json<serde_json::Value> {
    let method = if headers.contains_key("authorization") {
        "oauth2_client_credentials"
    } else {
        "account"
    };
    Json(serde_json::json!({
        "account": "sim12345-ovh", "method": method, "identities": [], "allowedRoutes": null,
        "roles": [], "user": null, "description": null,
    }))
}

/// A new consumer key with the requested access rules, `pendingValidation` until a person
/// validates it at `validationUrl` (schema auth.json; `credentials.rs`). Unsigned, but the
/// application must be known: an unknown `X-Ovh-Application` is 403 INVALID_KEY "This application
/// key is invalid" (py-ovh maps INVALID_KEY; the message as for signed calls, `gate.rs`).
async fn request_credential(
    State(sim): S,
    headers: HeaderMap,
    OvhBody(body): OvhBody<ApiCredentialRequestParams>,
) -> Answer<ApiCredentialRequest> {
    let application = headers.get("x-ovh-application").and_then(|v| v.to_str().ok());
    if application != Some(sim.cfg.application_key.as_str()) {
        return Err(SimError::code(
            403,
            "INVALID_KEY",
            "This application key is invalid",
        ));
    }
    let origin = sim.cfg.public_origin();
    sim.consumer_keys.lock().unwrap().issue(body, &origin).map(Json)
}

/// Client-credentials grant; client id and secret in the form or as HTTP Basic (both are what
/// OAuth2 libraries send).
async fn oauth2_token(State(sim): S, headers: HeaderMap, body: Bytes) -> Response {
    sim.count_call(&axum::http::Method::POST, "/auth/oauth2/token");
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| {
            s.split_once(':')
                .map(|(i, p)| (percent_decode(i), percent_decode(p)))
        });
    let (id, secret) = basic.unwrap_or_else(|| {
        (
            form.get("client_id").cloned().unwrap_or_default(),
            form.get("client_secret").cloned().unwrap_or_default(),
        )
    });
    let error = |status: u16, error: &str, description: &str| {
        let status = axum::http::StatusCode::from_u16(status).unwrap();
        (
            status,
            Json(serde_json::json!({"error": error, "error_description": description})),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("client_credentials") {
        return error(
            400,
            "unsupported_grant_type",
            "only client_credentials is supported",
        );
    }
    if id != sim.cfg.client_id {
        // go-ovh `ovh/ovh_test.go`: `{"error":"invalid_client","error_description":"ovhcloud
        // oauth2 client does not exists"}`; the secret message is assumed.
        return error(401, "invalid_client", "ovhcloud oauth2 client does not exists");
    }
    if secret != sim.cfg.client_secret {
        return error(401, "invalid_client", "ovhcloud oauth2 client secret is invalid");
    }
    Json(TokenResponse {
        access_token: sim.issue_token(),
        token_type: "Bearer".into(),
        expires_in: sim.cfg.token_ttl_secs,
        scope: Some("all".into()),
    })
    .into_response()
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
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

// ---- orders -------------------------------------------------------------------------------------

async fn list_orders(State(sim): S, Query(q): Query<HashMap<String, String>>) -> Answer<Vec<i64>> {
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

async fn get_order(State(sim): S, Path(order): Path<i64>) -> Answer<BillingOrder> {
    sim.world.lock().await.order(order).map(Json)
}

async fn order_status(State(sim): S, Path(order): Path<i64>) -> Answer<OrderStatus> {
    sim.world.lock().await.order_status(order).map(Json)
}

async fn order_details(State(sim): S, Path(order): Path<i64>) -> Answer<Vec<i64>> {
    sim.world.lock().await.order_detail_ids(order).map(Json)
}

async fn order_detail(State(sim): S, Path((order, detail)): Path<(i64, i64)>) -> Answer<BillingOrderDetail> {
    sim.world.lock().await.order_detail(order, detail).map(Json)
}

async fn order_detail_extension(
    State(sim): S,
    Path((order, detail)): Path<(i64, i64)>,
) -> Answer<ItemDetail> {
    sim.world
        .lock()
        .await
        .order_detail_extension(order, detail)
        .map(Json)
}

async fn pay(
    State(sim): S,
    Path(order): Path<i64>,
    OvhBody(body): OvhBody<PayWithPaymentMethod>,
) -> Answer<()> {
    sim.world.lock().await.pay(order, body).map(Json)
}

async fn pay_with_registered_payment_mean(
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

async fn order_detail_operations(State(sim): S, Path((order, detail)): Path<(i64, i64)>) -> Answer<Vec<i64>> {
    sim.world
        .lock()
        .await
        .order_detail_operation_ids(order, detail)
        .map(Json)
}

async fn order_detail_operation(
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

async fn projects(State(sim): S) -> Answer<Vec<String>> {
    ok(sim.world.lock().await.project_ids())
}

async fn project(State(sim): S, Path(id): Path<String>) -> Answer<Project> {
    sim.world.lock().await.project(&id).map(Json)
}

async fn update_project(
    State(sim): S,
    Path(id): Path<String>,
    OvhBody(body): OvhBody<serde_json::Value>,
) -> Answer<()> {
    sim.world.lock().await.update_project(&id, body).map(Json)
}

async fn terminate_project(State(sim): S, Path(id): Path<String>) -> Answer<String> {
    sim.world.lock().await.terminate_project(&id).map(Json)
}

async fn confirm_termination(
    State(sim): S,
    Path(id): Path<String>,
    OvhBody(body): OvhBody<ConfirmTermination>,
) -> Answer<String> {
    sim.world.lock().await.confirm_termination(&id, body).map(Json)
}
