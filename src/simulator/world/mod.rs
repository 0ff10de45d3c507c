//! The simulated OVH account: carts, orders, projects, payment methods and e-mails, with OVH's
//! rules (carts expire and lock at checkout, orders move through their statuses, projects answer
//! 404 for a while after delivery). Pure state: no HTTP here. All randomness comes from one seeded
//! generator, so a run is reproducible from `--seed`.
//!
//! The simulator is a witness, not a mirror: every behaviour a test relies on names its evidence
//! in a comment ("schema" = OVH's v1 schema files, trimmed in tests/fixtures/ovh-schema.json;
//! "tf" = github.com/ovh/terraform-provider-ovh; "mgr" = github.com/ovh/manager; "py-ovh" /
//! "go-ovh" = OVH's SDKs; each pinned in docs/ovh-evidence.md#sources), or says "assumed" when no
//! source states it.
//!
//! Sections: `account` (me, payment methods, e-mails), `carts` (carts), `offers` (plan
//! codes, options, prices), `items` (a cart's items), `configurations` (an item's
//! configurations), `checkout`, `orders` (orders, details, operations, payment), `projects`
//! (projects and their termination), `users` (OpenStack users), day two after delivery: `spend`
//! (usage, service standing, quotas, manualQuota), `alertings` (budget alerts), `regions`;
//! `ledger` (what test control shows). Here: the shared types and helpers.

mod account;
mod alertings;
mod carts;
mod checkout;
mod configurations;
mod items;
mod ledger;
mod offers;
mod orders;
mod projects;
mod regions;
mod spend;
mod users;

pub use alertings::{ALERTING_DELAYS, AlertingBody};
pub use regions::DEFAULT_REGIONS;
pub use spend::SimDayTwo;

use std::{collections::BTreeMap, time::Instant};

use jiff::Timestamp;
use rand::{Rng, SeedableRng, rngs::StdRng};
use serde::{Deserialize, Serialize};

use super::{Region, SimConfig};
use crate::ovh::model::*;

/// An OVH error answer: HTTP status plus the body OVH would send.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    pub status: u16,
    pub body: serde_json::Value,
}

impl SimError {
    /// Application error body `{"class","message"}` (go-ovh `ovh/error_test.go`).
    pub fn class(status: u16, class: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            body: serde_json::json!({"class": class, "message": message.into()}),
        }
    }

    /// Authentication-layer body `{"errorCode","httpCode","message"}` (php-ovh #62, #80, #97).
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

    /// A body with only `message`, as OVH sends for some payment refusals
    /// (`{"message":"This order can't be paid with 'bankAccount'"}`, tf #646; php-ovh #136) and
    /// for expired services (`{"message":"This Service is expired"}`, toorop/ovh-cli #1, linked
    /// from python-ovh PR #48).
    pub fn message_only(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            body: serde_json::json!({"message": message.into()}),
        }
    }

    /// The message is assumed (no source quotes OVH's text for a missing object).
    pub fn not_found(what: &str, id: impl std::fmt::Display) -> Self {
        Self::class(
            404,
            "Client::NotFound",
            format!("The requested object ({what} = {id}) does not exist"),
        )
    }

    /// What OVH answers for a path it does not serve (message assumed). Also used for the routes
    /// one region has and the other has not.
    pub fn no_route() -> Self {
        Self::class(404, "Client::NotFound", "Got an invalid (or empty) URL")
    }

    /// HTTP 460 with only a message: the service is expired (py-ovh `ResourceExpiredError` for
    /// 460; body from toorop/ovh-cli #1: `{"message":"This Service is expired"}`).
    pub fn expired_service() -> Self {
        Self::message_only(460, "This Service is expired")
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::class(400, "Client::BadRequest", message)
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::class(403, "Client::Forbidden", message)
    }
}

pub type SimResult<T> = Result<T, SimError>;

/// An item in a cart (also shown as is in the ledger).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SimItem {
    pub id: i64,
    pub plan_code: String,
    pub duration: String,
    pub pricing_mode: String,
    pub quantity: i64,
    /// The item this one is an option of (`order.cart.Item.parentItemId`, schema: "Id of parent
    /// item (if item is an option)"); None for a project item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_item_id: Option<i64>,
    /// `(label, value)` by configuration id, in the order they were added.
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
    /// `billing.Order.expirationDate`: an unpaid order past it cannot be paid.
    pub expires: Timestamp,
    pub password: String,
    pub price_ucents: i64,
    /// Paid by a call (`/pay`, `payWithRegisteredPaymentMean`, the order page).
    pub paid_at: Option<Instant>,
    pub paid_with: Option<String>,
    /// When the preferred payment method pays it (checkout with autoPay and a payable method).
    pub autopay_at: Option<Instant>,
    pub forced_status: Option<OrderStatus>,
    pub auto_pay_requested: bool,
    pub waive_retractation: bool,
    /// `POST /pay` and `POST /payWithRegisteredPaymentMean` calls received, refused ones too.
    pub pay_attempts: u32,
    pub project_id: String,
    pub item: SimItem,
    /// The option items ordered with the project item (one detail each).
    pub options: Vec<SimItem>,
}

impl SimOrder {
    /// When and how the order was paid: by a call, or by autopay once its delay has passed.
    fn payment(&self) -> Option<(Instant, &str)> {
        if let Some(at) = self.paid_at {
            return Some((at, self.paid_with.as_deref().unwrap_or("unknown")));
        }
        self.autopay_at
            .filter(|at| *at <= Instant::now())
            .map(|at| (at, "preferredPaymentMethod"))
    }
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
    /// The newest termination token; an older one no longer confirms.
    pub termination_token: Option<String>,
    /// Set by test control: every `/cloud/project/{serviceName}` route answers 460.
    pub expired: bool,
    /// Set by test control: the project left the account (404, and not listed).
    pub removed: bool,
}

/// An OpenStack user of a project (`cloud.user.User`).
#[derive(Debug, Clone)]
pub struct SimUser {
    pub id: i64,
    pub project_id: String,
    pub description: String,
    pub username: String,
    pub password: String,
    pub role: String,
    pub created: Timestamp,
    /// Until then the user is `creating`.
    pub ok_at: Instant,
    /// `deleted` once deleted (by its route or with its project's termination).
    pub deleted: bool,
    /// Passwords OVH has handed out for this user: the creation's and each regeneration's.
    pub passwords_issued: u32,
    /// Those passwords, oldest first (test control only: a test checks none leaked).
    pub passwords: Vec<String>,
}

/// An e-mail OVH has not sent yet (termination e-mails can take minutes, tf PR #295).
#[derive(Debug, Clone)]
struct PendingEmail {
    due: Instant,
    subject: String,
    body: String,
}

pub struct World {
    cfg: SimConfig,
    rng: StdRng,
    carts: BTreeMap<String, SimCart>,
    orders: BTreeMap<i64, SimOrder>,
    projects: BTreeMap<String, SimProject>,
    users: BTreeMap<i64, SimUser>,
    emails: BTreeMap<i64, EmailNotification>,
    pending_emails: Vec<PendingEmail>,
    /// Each project's day two (spend, alertings, regions…), made on first use.
    day_two: BTreeMap<String, SimDayTwo>,
    /// The regions the account offers (test control; default [`DEFAULT_REGIONS`]).
    region_catalog: Vec<String>,
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
            users: BTreeMap::new(),
            emails: BTreeMap::new(),
            pending_emails: Vec::new(),
            day_two: BTreeMap::new(),
            region_catalog: DEFAULT_REGIONS.iter().map(|r| r.to_string()).collect(),
            next_id: 0,
            started: now(),
        }
    }

    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }

    fn us(&self) -> bool {
        self.cfg.region == Region::Us
    }

    /// Ids grow with time across every kind of object, so e-mail ids do too (newest = largest),
    /// which terraform relies on to find new e-mails (tf `ovh/notification_email.go`: `id >
    /// lastOldId`).
    fn next_id(&mut self, base: i64) -> i64 {
        self.next_id += 1;
        base + self.next_id
    }

    fn random_hex(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from_digit(self.rng.random_range(0..16), 16).unwrap())
            .collect()
    }

    /// Prices in the account's currency: EUR on the EU API, USD on the US API (assumed from the
    /// subsidiary; `order.CurrencyCodeEnum` has both).
    fn price(&self, ucents: i64) -> Price {
        Price::from_ucents(ucents, if self.us() { "USD" } else { "EUR" })
    }
}

#[cfg(test)]
mod tests;
