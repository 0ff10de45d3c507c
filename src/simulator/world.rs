//! The simulated OVH account: carts, orders, projects, payment methods and e-mails, with OVH's
//! rules (carts expire and lock at checkout, orders move through their statuses, projects answer
//! 404 for a while after delivery). Pure state: no HTTP here. All randomness comes from one seeded
//! generator, so a run is reproducible from `--seed`.

use std::{
    collections::BTreeMap,
    time::{Duration, Instant},
};

use jiff::Timestamp;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::Serialize;

use super::SimConfig;
use crate::ovh::model::*;

/// An OVH error answer: HTTP status plus the body OVH would send.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    pub status: u16,
    pub body: serde_json::Value,
}

impl SimError {
    /// Application error body `{"class","message"}`.
    pub fn class(status: u16, class: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: serde_json::json!({"class": class, "message": message.into()}),
        }
    }

    /// Authentication-layer body `{"errorCode","httpCode","message"}`.
    pub fn code(status: u16, code: &str, message: &str) -> Self {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        Self {
            status,
            body: serde_json::json!({"errorCode": code, "httpCode": format!("{status} {reason}"), "message": message}),
        }
    }

    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::class(
            404,
            "Client::NotFound",
            format!("The requested object ({what} = {id}) does not exist"),
        )
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::class(400, "Client::BadRequest", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::class(403, "Client::Forbidden", message)
    }
}

pub type SimResult<T> = Result<T, SimError>;

/// `nichandle.OvhSubsidiaryEnum` of the EU API, plus the CA and US values.
const SUBSIDIARIES: &[&str] = &[
    "CZ", "DE", "ES", "EU", "FI", "FR", "GB", "IE", "IT", "LT", "MA", "NL", "PL", "PT", "SN", "TN", "ASIA",
    "AU", "CA", "IN", "QC", "SG", "WE", "WS", "US",
];
const PLAN_CODES: &[&str] = &["project.2018", "project"];
const PAYMENT_METHOD_ID: i64 = 1_000_042;

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimItem {
    pub id: i64,
    pub plan_code: String,
    pub duration: String,
    pub pricing_mode: String,
    pub quantity: i64,
    pub configurations: BTreeMap<i64, (String, String)>,
}

#[derive(Debug, Clone)]
pub struct SimCart {
    pub id: String,
    pub description: String,
    pub expire: Timestamp,
    pub assigned: bool,
    pub read_only: bool,
    pub items: BTreeMap<i64, SimItem>,
    /// Successful checkouts (orders created from this cart): must never exceed 1.
    pub checkouts: u32,
    /// Checkout POSTs received, including refused ones.
    pub checkout_attempts: u32,
}

#[derive(Debug, Clone)]
pub struct SimOrder {
    pub id: i64,
    pub cart_id: String,
    pub date: Timestamp,
    pub password: String,
    pub price_ucents: i64,
    pub paid_at: Option<Instant>,
    pub paid_with: Option<String>,
    pub forced_status: Option<OrderStatus>,
    pub auto_pay_requested: bool,
    pub waive_retractation: bool,
    pub project_id: String,
    pub item: SimItem,
}

#[derive(Debug, Clone)]
pub struct SimProject {
    pub id: String,
    pub order_id: i64,
    pub description: String,
    pub plan_code: String,
    pub created: Timestamp,
    /// Delivery time plus the 404 window: before this, `GET /cloud/project/{id}` answers 404.
    pub visible_at: Instant,
    pub status: String,
    pub termination_token: Option<String>,
}

pub struct World {
    cfg: SimConfig,
    rng: StdRng,
    carts: BTreeMap<String, SimCart>,
    orders: BTreeMap<i64, SimOrder>,
    projects: BTreeMap<String, SimProject>,
    emails: BTreeMap<i64, EmailNotification>,
    next_id: i64,
    started: Timestamp,
}

fn now() -> Timestamp {
    Timestamp::from_second(Timestamp::now().as_second()).expect("now is in range")
}

/// OVH's datetime format: RFC 3339 with an offset.
fn datetime(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

impl World {
    pub fn new(cfg: SimConfig) -> Self {
        Self {
            rng: StdRng::seed_from_u64(cfg.seed),
            cfg,
            carts: BTreeMap::new(),
            orders: BTreeMap::new(),
            projects: BTreeMap::new(),
            emails: BTreeMap::new(),
            next_id: 0,
            started: now(),
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    fn next_id(&mut self, base: i64) -> i64 {
        self.next_id += 1;
        base + self.next_id
    }

    fn random_hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap())
            .collect()
    }

    fn price(&self, ucents: i64) -> Price {
        Price::from_ucents(ucents, "EUR")
    }

    // ---- account ------------------------------------------------------------------------------

    pub fn me(&self) -> Me {
        Me {
            nichandle: "sim12345-ovh".into(),
            ovh_subsidiary: "FR".into(),
            email: "owner@example.invalid".into(),
            country: "FR".into(),
            currency: serde_json::json!({"code": "EUR", "symbol": "EURO"}),
            legalform: "corporation".into(),
            ovh_company: "ovh".into(),
            state: "complete".into(),
        }
    }

    pub fn payment_method_ids(&self) -> Vec<i64> {
        if self.cfg.no_payment_method {
            vec![]
        } else {
            vec![PAYMENT_METHOD_ID]
        }
    }

    pub fn payment_method(&self, id: i64) -> SimResult<PaymentMethod> {
        if !self.payment_method_ids().contains(&id) {
            return Err(SimError::not_found("paymentMethodId", id));
        }
        let date = datetime(self.started);
        Ok(PaymentMethod {
            payment_method_id: id,
            payment_mean_id: None,
            payment_type: "CREDIT_CARD".into(),
            payment_sub_type: Some("VISA".into()),
            status: "VALID".into(),
            default: true,
            description: None,
            label: Some("4*** **** **** 4242".into()),
            icon: serde_json::json!({"name": "visa", "data": null, "url": null}),
            integration: Some("IFRAME_VANTIV".into()),
            creation_date: date.clone(),
            last_update: date,
            expiration_date: None,
            billing_contact_id: None,
            oneclick: Some(true),
            merchant_id: None,
            form_session_id: None,
        })
    }

    // ---- carts --------------------------------------------------------------------------------

    /// A live cart (404 once expired, as OVH forgets expired carts).
    fn cart_mut(&mut self, cart_id: &str) -> SimResult<&mut SimCart> {
        match self.carts.get_mut(cart_id) {
            Some(c) if c.expire > now() => Ok(c),
            _ => Err(SimError::not_found("cartId", cart_id)),
        }
    }

    fn cart_view(cart: &SimCart) -> Cart {
        Cart {
            cart_id: cart.id.clone(),
            description: cart.description.clone(),
            expire: Some(datetime(cart.expire)),
            items: cart.items.keys().copied().collect(),
            read_only: cart.read_only,
        }
    }

    pub fn create_cart(&mut self, creation: CartCreation) -> SimResult<Cart> {
        if !SUBSIDIARIES.contains(&creation.ovh_subsidiary.as_str()) {
            return Err(SimError::bad_request(format!(
                "Invalid value for ovhSubsidiary: \"{}\" is not a valid nichandle.OvhSubsidiaryEnum",
                creation.ovh_subsidiary
            )));
        }
        let expire = match creation.expire.as_deref() {
            Some(e) => e
                .parse::<Timestamp>()
                .map_err(|_| SimError::bad_request(format!("Invalid datetime for expire: {e}")))?,
            None => now() + Duration::from_secs(self.cfg.cart_ttl_secs),
        };
        let id = format!(
            "{}-{}-4{}-{}-{}",
            self.random_hex(8),
            self.random_hex(4),
            self.random_hex(3),
            self.random_hex(4),
            self.random_hex(12)
        );
        let cart = SimCart {
            id: id.clone(),
            description: creation.description.unwrap_or_default(),
            expire,
            assigned: false,
            read_only: false,
            items: BTreeMap::new(),
            checkouts: 0,
            checkout_attempts: 0,
        };
        let view = Self::cart_view(&cart);
        self.carts.insert(id, cart);
        Ok(view)
    }

    pub fn carts_by_description(&self, description: Option<&str>) -> Vec<String> {
        let now = now();
        self.carts
            .values()
            // OVH does not say whether carts not yet assigned are listed; listing them lets a
            // client find a cart whose creation answer it lost before assigning it.
            .filter(|c| c.expire > now && description.is_none_or(|d| c.description == d))
            .map(|c| c.id.clone())
            .collect()
    }

    pub fn cart(&mut self, cart_id: &str) -> SimResult<Cart> {
        Ok(Self::cart_view(self.cart_mut(cart_id)?))
    }

    pub fn delete_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?;
        self.carts.remove(cart_id);
        Ok(())
    }

    pub fn assign_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?.assigned = true;
        Ok(())
    }

    /// Expires a cart now (test control).
    pub fn expire_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?.expire = now() - Duration::from_secs(1);
        Ok(())
    }

    fn editable_cart(&mut self, cart_id: &str) -> SimResult<&mut SimCart> {
        let cart = self.cart_mut(cart_id)?;
        if cart.read_only {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} has already been validated"
            )));
        }
        Ok(cart)
    }

    pub fn cloud_offers(&mut self, cart_id: &str) -> SimResult<Vec<GenericProductDefinition>> {
        self.cart_mut(cart_id)?;
        let price = self.price(self.cfg.price_ucents);
        Ok(PLAN_CODES
            .iter()
            .map(|code| GenericProductDefinition {
                plan_code: (*code).into(),
                product_name: "Public Cloud Project".into(),
                product_type: "cloud_service".into(),
                prices: vec![GenericProductPricing {
                    capacities: vec!["installation".into(), "renew".into()],
                    description: "Monthly fees".into(),
                    duration: "P1M".into(),
                    interval: 1,
                    maximum_quantity: Some(1),
                    maximum_repeat: None,
                    minimum_quantity: 1,
                    minimum_repeat: 1,
                    price: price.clone(),
                    price_in_ucents: self.cfg.price_ucents,
                    pricing_mode: "default".into(),
                    pricing_type: "rental".into(),
                }],
            })
            .collect())
    }

    fn item_view(cart_id: &str, item: &SimItem, price: Price) -> Item {
        Item {
            cart_id: cart_id.into(),
            item_id: item.id,
            product_id: "cloud".into(),
            configurations: Some(item.configurations.keys().copied().collect()),
            duration: Some(item.duration.clone()),
            offer_id: None,
            options: vec![],
            parent_item_id: None,
            prices: vec![
                CartPrice {
                    label: "PRICE".into(),
                    price: price.clone(),
                    promotions: None,
                },
                CartPrice {
                    label: "TOTAL".into(),
                    price,
                    promotions: None,
                },
            ],
            settings: ItemSettings {
                plan_code: Some(item.plan_code.clone()),
                pricing_mode: Some(item.pricing_mode.clone()),
                quantity: Some(item.quantity),
            },
        }
    }

    pub fn add_cloud_item(&mut self, cart_id: &str, product: GenericProductCreation) -> SimResult<Item> {
        self.editable_cart(cart_id)?;
        if !PLAN_CODES.contains(&product.plan_code.as_str()) {
            return Err(SimError::bad_request(format!(
                "Plan code {} does not exist for product cloud",
                product.plan_code
            )));
        }
        if product.duration != "P1M" {
            // OVH answered this for a bad duration (python-ovh#47).
            return Err(SimError::class(
                503,
                "Server::ServiceUnavailable",
                "Service is temporarily unavailable",
            ));
        }
        if product.pricing_mode != "default" {
            return Err(SimError::bad_request(format!(
                "Pricing mode {} is not available",
                product.pricing_mode
            )));
        }
        if product.quantity != 1 {
            return Err(SimError::bad_request(
                "Quantity must be 1 for a Public Cloud project",
            ));
        }
        let id = self.next_id(300_000_000);
        let item = SimItem {
            id,
            plan_code: product.plan_code,
            duration: product.duration,
            pricing_mode: product.pricing_mode,
            quantity: product.quantity,
            configurations: BTreeMap::new(),
        };
        let view = Self::item_view(cart_id, &item, self.price(self.cfg.price_ucents));
        self.editable_cart(cart_id)?.items.insert(id, item);
        Ok(view)
    }

    fn item_mut(&mut self, cart_id: &str, item_id: i64) -> SimResult<&mut SimItem> {
        self.cart_mut(cart_id)?
            .items
            .get_mut(&item_id)
            .ok_or_else(|| SimError::not_found("itemId", item_id))
    }

    pub fn item_ids(&mut self, cart_id: &str) -> SimResult<Vec<i64>> {
        Ok(self.cart_mut(cart_id)?.items.keys().copied().collect())
    }

    pub fn item(&mut self, cart_id: &str, item_id: i64) -> SimResult<Item> {
        let price = self.price(self.cfg.price_ucents);
        Ok(Self::item_view(cart_id, self.item_mut(cart_id, item_id)?, price))
    }

    pub fn delete_item(&mut self, cart_id: &str, item_id: i64) -> SimResult<()> {
        let cart = self.editable_cart(cart_id)?;
        cart.items
            .remove(&item_id)
            .map(drop)
            .ok_or_else(|| SimError::not_found("itemId", item_id))
    }

    pub fn add_configuration(
        &mut self,
        cart_id: &str,
        item_id: i64,
        c: ItemConfigurationCreation,
    ) -> SimResult<ConfigurationItem> {
        self.editable_cart(cart_id)?;
        if c.label.is_empty() {
            return Err(SimError::bad_request("Missing parameter: label"));
        }
        let id = self.next_id(600_000_000);
        let item = self.item_mut(cart_id, item_id)?;
        if item.configurations.values().any(|(label, _)| *label == c.label) {
            return Err(SimError::bad_request(format!(
                "Configuration {} already exists for this item",
                c.label
            )));
        }
        item.configurations.insert(id, (c.label.clone(), c.value.clone()));
        Ok(ConfigurationItem {
            id,
            label: c.label,
            value: c.value,
        })
    }

    pub fn configuration_ids(
        &mut self,
        cart_id: &str,
        item_id: i64,
        label: Option<&str>,
    ) -> SimResult<Vec<i64>> {
        let item = self.item_mut(cart_id, item_id)?;
        Ok(item
            .configurations
            .iter()
            .filter(|(_, (l, _))| label.is_none_or(|x| x == l))
            .map(|(id, _)| *id)
            .collect())
    }

    pub fn configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<ConfigurationItem> {
        let item = self.item_mut(cart_id, item_id)?;
        let (label, value) = item
            .configurations
            .get(&id)
            .ok_or_else(|| SimError::not_found("configurationId", id))?;
        Ok(ConfigurationItem {
            id,
            label: label.clone(),
            value: value.clone(),
        })
    }

    pub fn delete_configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<()> {
        self.editable_cart(cart_id)?;
        let item = self.item_mut(cart_id, item_id)?;
        item.configurations
            .remove(&id)
            .map(drop)
            .ok_or_else(|| SimError::not_found("configurationId", id))
    }

    // ---- checkout -----------------------------------------------------------------------------

    fn order_prices(&self, ucents: i64) -> OrderPrices {
        OrderPrices {
            with_tax: self.price(ucents + ucents / 5),
            without_tax: self.price(ucents),
            tax: self.price(ucents / 5),
            original_without_tax: Some(self.price(ucents)),
            reduction: Some(self.price(0)),
        }
    }

    fn checkout_view(&self, cart: &SimCart, order: Option<&SimOrder>) -> Order {
        let ucents = self.cfg.price_ucents;
        let details = cart
            .items
            .values()
            .map(|item| OrderDetail {
                cart_item_id: Some(item.id),
                description: "Public Cloud Project".into(),
                detail_type: Some("DURATION".into()),
                domain: "*001".into(),
                quantity: item.quantity,
                unit_price: self.price(ucents),
                total_price: self.price(ucents),
                original_total_price: self.price(ucents),
                reduction_total_price: self.price(0),
                reductions: vec![],
            })
            .collect();
        Order {
            order_id: order.map(|o| o.id),
            url: order.map(|o| self.order_url(o)),
            contracts: vec![Contract {
                name: "Public Cloud Special Conditions".into(),
                url: format!("{}/contracts/public-cloud.pdf", self.cfg.public_origin()),
                content: "The simulated conditions of the simulated Public Cloud.".into(),
            }],
            details,
            prices: self.order_prices(ucents),
        }
    }

    fn order_url(&self, order: &SimOrder) -> String {
        format!(
            "{}/payment/order/{}?password={}",
            self.cfg.public_origin(),
            order.id,
            order.password
        )
    }

    fn checkable_cart(&mut self, cart_id: &str) -> SimResult<SimCart> {
        let cart = self.cart_mut(cart_id)?;
        if !cart.assigned {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} is not assigned to your account"
            )));
        }
        if cart.items.is_empty() {
            return Err(SimError::bad_request(format!("The cart {cart_id} is empty")));
        }
        Ok(cart.clone())
    }

    pub fn checkout_preview(&mut self, cart_id: &str) -> SimResult<Order> {
        let cart = self.checkable_cart(cart_id)?;
        Ok(self.checkout_view(&cart, None))
    }

    pub fn checkout(&mut self, cart_id: &str, checkout: Checkout) -> SimResult<Order> {
        if let Ok(cart) = self.cart_mut(cart_id) {
            cart.checkout_attempts += 1;
        }
        let cart = self.checkable_cart(cart_id)?;
        if cart.read_only {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} has already been validated"
            )));
        }
        let id = self.next_id(200_000_000);
        let password = self.random_hex(8);
        let project_id = format!("{}4{}", self.random_hex(12), self.random_hex(19));
        let auto_pay = checkout.auto_pay_with_preferred_payment_method.unwrap_or(false);
        let pays_now = auto_pay && !self.payment_method_ids().is_empty();
        let order = SimOrder {
            id,
            cart_id: cart_id.into(),
            date: now(),
            password,
            price_ucents: self.cfg.price_ucents,
            paid_at: pays_now.then(Instant::now),
            paid_with: pays_now.then(|| "preferredPaymentMethod".into()),
            forced_status: None,
            auto_pay_requested: auto_pay,
            waive_retractation: checkout.waive_retractation_period.unwrap_or(false),
            project_id,
            item: cart
                .items
                .values()
                .next()
                .cloned()
                .expect("checkable carts have an item"),
        };
        let view = self.checkout_view(&cart, Some(&order));
        let cart = self.cart_mut(cart_id)?;
        cart.read_only = true;
        cart.checkouts += 1;
        self.orders.insert(id, order);
        Ok(view)
    }

    // ---- orders -------------------------------------------------------------------------------

    fn order_ref(&self, order_id: i64) -> SimResult<&SimOrder> {
        self.orders
            .get(&order_id)
            .ok_or_else(|| SimError::not_found("orderId", order_id))
    }

    pub fn order_ids(&self) -> Vec<i64> {
        self.orders.keys().copied().collect()
    }

    /// The status follows the clock: paid → checking → delivering → delivered.
    pub fn order_status(&self, order_id: i64) -> SimResult<OrderStatus> {
        let order = self.order_ref(order_id)?;
        if let Some(forced) = order.forced_status {
            return Ok(forced);
        }
        let Some(paid_at) = order.paid_at else {
            return Ok(OrderStatus::NotPaid);
        };
        let elapsed = paid_at.elapsed();
        let checking = Duration::from_millis(self.cfg.checking_ms);
        let delivering = checking + Duration::from_millis(self.cfg.delivering_ms);
        Ok(if elapsed < checking {
            OrderStatus::Checking
        } else if elapsed < delivering {
            OrderStatus::Delivering
        } else {
            OrderStatus::Delivered
        })
    }

    /// Brings delivered orders' projects into existence (they then answer 404 for a while).
    fn deliver(&mut self) {
        let delivered: Vec<i64> = self
            .orders
            .keys()
            .copied()
            .filter(|id| self.order_status(*id) == Ok(OrderStatus::Delivered))
            .collect();
        for id in delivered {
            let order = &self.orders[&id];
            if self.projects.contains_key(&order.project_id) {
                continue;
            }
            // A status forced to delivered by test control counts as delivered now.
            let delivered_at = order.paid_at.unwrap_or_else(Instant::now)
                + Duration::from_millis(self.cfg.checking_ms + self.cfg.delivering_ms);
            let description = order
                .item
                .configurations
                .values()
                .find(|(l, _)| l == "description")
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            let project = SimProject {
                id: order.project_id.clone(),
                order_id: id,
                description,
                plan_code: order.item.plan_code.clone(),
                created: now(),
                visible_at: delivered_at + Duration::from_millis(self.cfg.project_404_ms),
                status: "ok".into(),
                termination_token: None,
            };
            self.projects.insert(project.id.clone(), project);
        }
    }

    pub fn order(&self, order_id: i64) -> SimResult<BillingOrder> {
        let order = self.order_ref(order_id)?;
        let u = order.price_ucents;
        Ok(BillingOrder {
            order_id,
            date: Some(datetime(order.date)),
            expiration_date: Some(datetime(order.date + Duration::from_secs(14 * 86_400))),
            retraction_date: None,
            metadatas: None,
            password: order.password.clone(),
            pdf_url: format!("{}/payment/order/{}.pdf", self.cfg.public_origin(), order.id),
            url: self.order_url(order),
            price_with_tax: self.price(u + u / 5),
            price_without_tax: self.price(u),
            tax: self.price(u / 5),
        })
    }

    /// Two details, like real cloud orders: the project (its domain is the project id once
    /// delivered, `*001` before) and a voucher line with an unrelated domain.
    pub fn order_detail_ids(&self, order_id: i64) -> SimResult<Vec<i64>> {
        self.order_ref(order_id)?;
        Ok(vec![order_id * 10 + 1, order_id * 10 + 2])
    }

    pub fn order_detail(&self, order_id: i64, detail_id: i64) -> SimResult<BillingOrderDetail> {
        let order = self.order_ref(order_id)?;
        let delivered = self.order_status(order_id)? == OrderStatus::Delivered;
        let price = self.price(order.price_ucents);
        match detail_id - order_id * 10 {
            1 => Ok(BillingOrderDetail {
                order_detail_id: detail_id,
                description: "Public Cloud Project".into(),
                detail_type: Some("DURATION".into()),
                domain: if delivered {
                    order.project_id.clone()
                } else {
                    "*001".into()
                },
                cancelled: false,
                quantity: "1".into(),
                total_price: price.clone(),
                unit_price: price,
            }),
            2 => Ok(BillingOrderDetail {
                order_detail_id: detail_id,
                description: "Public Cloud voucher".into(),
                detail_type: Some("VOUCHER".into()),
                domain: "*001".into(),
                cancelled: false,
                quantity: "1".into(),
                total_price: self.price(0),
                unit_price: self.price(0),
            }),
            _ => Err(SimError::not_found("orderDetailId", detail_id)),
        }
    }

    pub fn order_detail_extension(&self, order_id: i64, detail_id: i64) -> SimResult<ItemDetail> {
        self.order_detail(order_id, detail_id)?;
        let item = &self.order_ref(order_id)?.item;
        Ok(ItemDetail {
            order: ItemDetailOrder {
                action: Some("installation".into()),
                configurations: item
                    .configurations
                    .values()
                    .map(|(label, value)| ItemConfigurationCreation {
                        label: label.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                plan: ItemDetailPlan {
                    code: Some(item.plan_code.clone()),
                    duration: Some(item.duration.clone()),
                    pricing_mode: Some(item.pricing_mode.clone()),
                    quantity: Some(item.quantity),
                    product: serde_json::json!({"name": "cloud"}),
                },
                kind: Some("plan".into()),
            },
        })
    }

    fn payable(&mut self, order_id: i64) -> SimResult<&mut SimOrder> {
        let status = self.order_status(order_id)?;
        let order = self.orders.get_mut(&order_id).expect("status found it");
        if status != OrderStatus::NotPaid {
            return Err(SimError::bad_request(format!(
                "Order {order_id} is not payable: its status is {}",
                status.as_str()
            )));
        }
        Ok(order)
    }

    pub fn pay(&mut self, order_id: i64, body: PayWithPaymentMethod) -> SimResult<()> {
        if !self.payment_method_ids().contains(&body.payment_method.id) {
            return Err(SimError::not_found("paymentMethodId", body.payment_method.id));
        }
        let order = self.payable(order_id)?;
        order.paid_at = Some(Instant::now());
        order.paid_with = Some(format!("paymentMethod:{}", body.payment_method.id));
        Ok(())
    }

    pub fn pay_with_registered_payment_mean(
        &mut self,
        order_id: i64,
        body: PayWithRegisteredPaymentMean,
    ) -> SimResult<()> {
        let order = self.payable(order_id)?;
        // A 0-price order is settled from the fidelity account; anything else needs a real mean.
        if body.payment_mean != "fidelityAccount" || order.price_ucents != 0 {
            return Err(SimError::class(
                403,
                "Client::Forbidden",
                format!("This order can't be paid with '{}'", body.payment_mean),
            ));
        }
        order.paid_at = Some(Instant::now());
        order.paid_with = Some("fidelityAccount".into());
        Ok(())
    }

    /// What a person paying at the order URL does.
    pub fn pay_as_person(&mut self, order_id: i64) -> SimResult<()> {
        let order = self.payable(order_id)?;
        order.paid_at = Some(Instant::now());
        order.paid_with = Some("orderPage".into());
        Ok(())
    }

    pub fn force_order_status(&mut self, order_id: i64, status: Option<OrderStatus>) -> SimResult<()> {
        self.order_ref(order_id)?;
        self.orders.get_mut(&order_id).unwrap().forced_status = status;
        Ok(())
    }

    pub fn order_page(&self, order_id: i64, password: &str) -> SimResult<(BillingOrder, OrderStatus)> {
        let order = self.order_ref(order_id)?;
        if order.password != password {
            return Err(SimError::forbidden("Wrong order password"));
        }
        Ok((self.order(order_id)?, self.order_status(order_id)?))
    }

    // ---- projects -----------------------------------------------------------------------------

    fn visible_project(&mut self, id: &str) -> SimResult<&mut SimProject> {
        self.deliver();
        match self.projects.get_mut(id) {
            Some(p) if Instant::now() >= p.visible_at => Ok(p),
            _ => Err(SimError::class(
                404,
                "Client::NotFound",
                "This service does not exist",
            )),
        }
    }

    pub fn project_ids(&mut self) -> Vec<String> {
        self.deliver();
        let ids: Vec<String> = self.projects.keys().cloned().collect();
        ids.into_iter()
            .filter(|id| self.visible_project(id).is_ok())
            .collect()
    }

    pub fn project(&mut self, id: &str) -> SimResult<Project> {
        let p = self.visible_project(id)?.clone();
        Ok(Project {
            project_id: p.id.clone(),
            project_name: Some(p.description.clone()),
            description: Some(p.description.clone()),
            status: p.status.clone(),
            access: "full".into(),
            plan_code: p.plan_code.clone(),
            order_id: Some(p.order_id),
            creation_date: datetime(p.created),
            expiration: None,
            manual_quota: false,
            unleash: false,
            iam: Some(serde_json::json!({
                "id": format!("{}-{}-{}-{}-{}", &p.id[..8], &p.id[8..12], &p.id[12..16], &p.id[16..20], &p.id[20..]),
                "urn": format!("urn:v1:eu:resource:publicCloudProject:{}", p.id),
                "displayName": p.description,
                "state": "OK"
            })),
        })
    }

    pub fn update_project(&mut self, id: &str, body: serde_json::Value) -> SimResult<()> {
        let p = self.visible_project(id)?;
        if let Some(d) = body.get("description").and_then(|d| d.as_str()) {
            p.description = d.into();
        }
        Ok(())
    }

    pub fn terminate_project(&mut self, id: &str) -> SimResult<String> {
        let token = self.random_hex(16);
        let p = self.visible_project(id)?;
        if p.status != "ok" && p.status != "suspended" {
            return Err(SimError::class(
                460,
                "Client::Gone",
                format!("Service {id} is {}", p.status),
            ));
        }
        p.termination_token = Some(token.clone());
        let body = format!(
            "Dear customer,\n\nYou asked to terminate your Public Cloud project {id}.\nTo confirm, open \
             https://www.ovh.com/manager/#/billing/confirmTerminate?id={id}&token={token}\n\nOVHcloud (simulated)"
        );
        let email_id = self.next_id(900_000_000);
        self.emails.insert(
            email_id,
            EmailNotification {
                id: email_id,
                date: datetime(now()),
                subject: format!("Termination of {id}"),
                body,
            },
        );
        Ok("Termination request sent: the administrator received a confirmation e-mail".into())
    }

    pub fn confirm_termination(&mut self, id: &str, body: ConfirmTermination) -> SimResult<String> {
        let p = self.visible_project(id)?;
        if p.termination_token.as_deref() != Some(body.token.as_str()) {
            return Err(SimError::bad_request("Invalid termination token"));
        }
        p.status = "deleted".into();
        p.termination_token = None;
        Ok(format!("Service {id} will be terminated"))
    }

    pub fn set_project_status(&mut self, id: &str, status: String) -> SimResult<()> {
        self.deliver();
        let project = self
            .projects
            .get_mut(id)
            .ok_or_else(|| SimError::not_found("serviceName", id))?;
        project.status = status;
        Ok(())
    }

    pub fn email_ids(&self) -> Vec<i64> {
        self.emails.keys().copied().collect()
    }

    pub fn email(&self, id: i64) -> SimResult<EmailNotification> {
        self.emails
            .get(&id)
            .cloned()
            .ok_or_else(|| SimError::not_found("id", id))
    }

    // ---- test control -------------------------------------------------------------------------

    pub fn ledger(&mut self) -> serde_json::Value {
        self.deliver();
        let now = now();
        let carts: Vec<_> = self
            .carts
            .values()
            .map(|c| {
                serde_json::json!({
                    "cartId": c.id, "description": c.description, "readOnly": c.read_only,
                    "assigned": c.assigned, "expired": c.expire <= now, "checkouts": c.checkouts,
                    "checkoutAttempts": c.checkout_attempts, "items": c.items.values().collect::<Vec<_>>(),
                })
            })
            .collect();
        let orders: Vec<_> = self
            .orders
            .values()
            .map(|o| {
                let status = self.order_status(o.id).map(|s| s.as_str()).unwrap_or("unknown");
                let delivered = status == "delivered";
                serde_json::json!({
                    "orderId": o.id, "cartId": o.cart_id, "status": status,
                    "projectId": delivered.then(|| o.project_id.clone()),
                    "paidWith": o.paid_with, "autoPayRequested": o.auto_pay_requested,
                    "waiveRetractationPeriod": o.waive_retractation, "url": self.order_url(o),
                })
            })
            .collect();
        let projects: Vec<_> = self
            .projects
            .values()
            .map(|p| serde_json::json!({"projectId": p.id, "orderId": p.order_id, "status": p.status, "description": p.description}))
            .collect();
        serde_json::json!({"carts": carts, "orders": orders, "projects": projects})
    }
}
