//! What test control shows of the simulated account: the ledger (`GET /_sim/ledger`: carts,
//! orders, projects, users, e-mails, each project's day two) and the call statistics (`GET /_sim/stats`). The simulator
//! serializes these structs and tests deserialize the same ones, so both sides agree on every
//! field. [`World::ledger`](super::world::World::ledger) builds the ledger.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::world::SimItem;
use crate::ovh::model::OrderStatus;

/// Everything the account holds, as test control sees it.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Ledger {
    /// Every cart ever created and not deleted, expired ones included.
    pub carts: Vec<LedgerCart>,
    pub orders: Vec<LedgerOrder>,
    pub projects: Vec<LedgerProject>,
    /// Every OpenStack user ever created, deleted ones included.
    #[serde(default)]
    pub users: Vec<LedgerUser>,
    /// How many e-mails the account has received.
    pub emails: usize,
    /// Each delivered project's day two, once one of its day-two routes (or test control) has
    /// touched it.
    #[serde(default)]
    pub day_two: Vec<LedgerDayTwo>,
}

/// A project's day two: spend and standing as test control set them, what was read, the
/// alertings, regions and `manualQuota`, and how often each was written.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerDayTwo {
    pub project_id: String,
    /// This month's spend so far and as forecast, with two decimals (e.g. `12.34`).
    pub spend_current: String,
    pub spend_forecast: String,
    pub currency: String,
    /// `service.StateEnum` of `serviceInfos`, and its expiration date.
    pub service_status: String,
    pub expiration: String,
    pub manual_quota: bool,
    /// `PUT /cloud/project/{serviceName}` calls that carried `manualQuota`.
    pub manual_quota_puts: u32,
    /// Reads per route: `usage/current`, `usage/forecast`, `serviceInfos`, `quota`, `region`,
    /// `regionAvailable`, `alerting` (the listing).
    pub reads: BTreeMap<String, u32>,
    /// The alertings that exist (deleted ones are gone).
    pub alertings: Vec<LedgerAlerting>,
    /// `POST …/alerting` calls that made an alerting (a lost answer counts: it made one).
    pub alertings_created: u32,
    pub regions: Vec<String>,
    /// Regions whose POST answered an error but that will appear later (a fault).
    pub pending_regions: Vec<String>,
    /// `POST …/region` calls per region name that reached OVH's logic, refused ones too.
    pub region_posts: BTreeMap<String, u32>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerAlerting {
    pub id: String,
    pub name: String,
    pub monthly_threshold: i64,
    pub delay: i64,
    pub emails: Vec<String>,
    pub service: String,
    pub status: String,
    /// `PUT`s received.
    pub updates: u32,
    /// Ids of the alerts OVH has sent for it.
    pub alerts: Vec<i64>,
}

impl LedgerDayTwo {
    /// Reads of one route (`usage/current`, `region`…).
    pub fn reads_of(&self, route: &str) -> u32 {
        self.reads.get(route).copied().unwrap_or(0)
    }

    /// `POST …/region` calls for one region.
    pub fn region_posts_of(&self, region: &str) -> u32 {
        self.region_posts.get(region).copied().unwrap_or(0)
    }

    /// The alertings whose name contains `marker`.
    pub fn alertings_marked(&self, marker: &str) -> Vec<&LedgerAlerting> {
        self.alertings
            .iter()
            .filter(|a| a.name.contains(marker))
            .collect()
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerCart {
    pub cart_id: String,
    pub description: String,
    pub read_only: bool,
    pub assigned: bool,
    pub expired: bool,
    /// Successful checkouts (orders created from this cart): must never exceed 1.
    pub checkouts: u32,
    /// Checkout POSTs that reached OVH's logic, refused ones included (not those an injected
    /// fault answered first).
    pub checkout_attempts: u32,
    /// The cart's items as the simulator holds them.
    pub items: Vec<SimItem>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerOrder {
    pub order_id: i64,
    pub cart_id: String,
    pub status: OrderStatus,
    /// The delivered project; `None` until the order is delivered.
    pub project_id: Option<String>,
    /// How the order was paid (`orderPage`, `fidelityAccount`, `paymentMethod:<id>`,
    /// `preferredPaymentMethod`); `None` while unpaid.
    pub paid_with: Option<String>,
    /// The checkout asked for `autoPayWithPreferredPaymentMethod`.
    pub auto_pay_requested: bool,
    pub waive_retractation_period: bool,
    /// `POST /pay` and `POST /payWithRegisteredPaymentMean` calls received, refused ones too.
    pub pay_attempts: u32,
    /// The page where a person pays the order.
    pub url: String,
    pub date: String,
    pub expiration_date: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerProject {
    pub project_id: String,
    pub order_id: i64,
    /// `cloud.project.ProjectStatusEnum`: creating, deleted, deleting, ok, suspended.
    pub status: String,
    pub description: String,
    /// Every `/cloud/project/{serviceName}` route answers 460.
    pub expired: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct LedgerUser {
    pub user_id: i64,
    pub project_id: String,
    pub description: String,
    pub username: String,
    pub role: String,
    pub deleted: bool,
    /// Passwords handed out: 1 at creation, plus one per regeneration.
    pub passwords_issued: u32,
    /// The current password (test control only: to check what the Secret holds).
    pub password: String,
    /// Every password issued for the user, oldest first (test control only: no earlier password
    /// may show anywhere either).
    #[serde(default)]
    pub passwords: Vec<String>,
}

impl Ledger {
    /// The users of one project, deleted ones included.
    pub fn users_of(&self, project_id: &str) -> Vec<&LedgerUser> {
        self.users.iter().filter(|u| u.project_id == project_id).collect()
    }

    /// Successful checkouts over every cart.
    pub fn checkouts(&self) -> u32 {
        self.carts.iter().map(|c| c.checkouts).sum()
    }

    pub fn cart(&self, cart_id: &str) -> Option<&LedgerCart> {
        self.carts.iter().find(|c| c.cart_id == cart_id)
    }

    pub fn project(&self, project_id: &str) -> Option<&LedgerProject> {
        self.projects.iter().find(|p| p.project_id == project_id)
    }

    /// A project's day two; `None` until one of its day-two routes or test control touched it.
    pub fn day_two(&self, project_id: &str) -> Option<&LedgerDayTwo> {
        self.day_two.iter().find(|d| d.project_id == project_id)
    }
}

/// Calls the simulator has received.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// Calls per `METHOD /path/template` (e.g. `POST /order/cart/{cartId}/checkout`).
    pub calls: BTreeMap<String, u64>,
}

impl Stats {
    /// Calls to one `METHOD /path/template`.
    pub fn calls_to(&self, route: &str) -> u64 {
        self.calls.get(route).copied().unwrap_or(0)
    }

    /// Calls to every route.
    pub fn total(&self) -> u64 {
        self.calls.values().sum()
    }

    /// Calls with one HTTP method, e.g. every `POST`.
    pub fn total_of(&self, method: &str) -> u64 {
        self.calls
            .iter()
            .filter(|(route, _)| route.split(' ').next() == Some(method))
            .map(|(_, n)| n)
            .sum()
    }
}
