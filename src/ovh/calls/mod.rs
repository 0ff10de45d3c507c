//! Typed calls for ordering, following and terminating a Public Cloud project: one module per
//! family of OVH calls, one method on [`OvhClient`](crate::ovh::OvhClient) per OVH operation,
//! no decisions (those belong to the controller's planner). Every route called here must be
//! granted by `ovh::access::ACCESS_RULES`; a test of `access` reads these files to check it.
//!
//! The life of an order crosses them in this order: `account` (the subsidiary), `cart` (and
//! `offer`, read only to explain a refusal), `checkout`, `order`, `payment`, `project`, `user`,
//! `termination`. After delivery (day two): `usage` (spend and service standing), `alerting`
//! (budget alerts), `region`, `quota`.

mod account;
mod alerting;
mod cart;
mod checkout;
mod offer;
mod order;
mod payment;
mod project;
mod quota;
mod region;
mod termination;
mod usage;
mod user;

#[cfg(test)]
mod tests;

pub use super::parse::{is_project_id, termination_token};
pub use cart::is_cart_id;
pub use checkout::PlacedOrder;
pub use order::MAX_ORDERS_SINCE;
pub use project::MAX_LISTED_PROJECT_IDS;
pub use termination::MAX_EMAILS_READ;
