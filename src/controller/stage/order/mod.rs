//! The order: the checkout (its intent first), an order found again after a lost answer, its expiry and status.

use super::*;
use crate::ovh::model::{BillingOrder, Checkout, OrderPrices};

mod checkout;
mod lost;
mod plan;
pub(crate) use checkout::*;
pub(crate) use lost::*;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum OrderAct {
    /// Status write only: recorded before the checkout POST, so a restart knows one may have run.
    BeginCheckout {
        /// Who approved this cart (approval or price ceiling), when it needed approval.
        approved_by: Option<String>,
    },
    /// Never with autopay: payment follows as its own step, as terraform-provider-ovh does.
    Checkout {
        cart_id: String,
    },
    ReadFound {
        order_id: i64,
    },
    RecordExpiry(String),
    RecordStatus(OrderStatus),
}

#[derive(Clone, Debug, PartialEq)]
pub enum OrderOutcome {
    CheckoutBegun {
        approved_by: Option<String>,
    },
    Placed {
        order_id: i64,
        url: Option<String>,
        price: PriceStatus,
        /// The API's base URL.
        endpoint: String,
    },
    Found {
        order_id: i64,
        url: String,
        date: Option<String>,
        expires_at: Option<String>,
        price: PriceStatus,
        endpoint: String,
    },
    ExpiryKnown(String),
    StatusSeen(OrderStatus),
}

impl OrderAct {
    /// Whether it only writes the status (see [`Act::status_only`]).
    pub(super) fn status_only(&self) -> bool {
        matches!(
            self,
            OrderAct::BeginCheckout { .. } | OrderAct::RecordExpiry(_) | OrderAct::RecordStatus(_)
        )
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<OrderOutcome, OvhError> {
        Ok(match self {
            OrderAct::BeginCheckout { approved_by } => OrderOutcome::CheckoutBegun {
                approved_by: approved_by.clone(),
            },
            OrderAct::Checkout { cart_id } => {
                let order = ovh.place_order(cart_id, &Checkout::api_order(false)).await?;
                OrderOutcome::Placed {
                    order_id: order.order_id,
                    url: order.url,
                    price: price_of(&order.prices),
                    endpoint: ovh.base_url().to_string(),
                }
            }
            OrderAct::ReadFound { order_id } => {
                let order = ovh.order(*order_id).await?;
                let price = price_of_order(&order);
                OrderOutcome::Found {
                    order_id: *order_id,
                    url: order.url,
                    date: order.date,
                    expires_at: order.expiration_date,
                    price,
                    endpoint: ovh.base_url().to_string(),
                }
            }
            OrderAct::RecordExpiry(at) => OrderOutcome::ExpiryKnown(at.clone()),
            OrderAct::RecordStatus(s) => OrderOutcome::StatusSeen(*s),
        })
    }
}

impl OrderOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        memory: &mut Memory,
        now: Timestamp,
    ) -> Applied {
        let now = now.to_string();
        match self {
            OrderOutcome::CheckoutBegun { approved_by } => {
                if let Some(cart) = status.cart.as_mut() {
                    cart.checkout_started_at = Some(now);
                }
                status.approved_by = approved_by;
                memory.checkout_begun = true;
                applied(Reason::CheckingOut, "Checking out".into())
                    .entering(Phase::CheckingOut, Reason::Ordering)
            }
            OrderOutcome::Placed {
                order_id,
                url,
                price,
                endpoint,
            } => {
                let order = RecordedOrder {
                    id: order_id,
                    url,
                    date: Some(now),
                    price: Some(price),
                    endpoint: Some(endpoint),
                    ..Default::default()
                };
                placed(status, observed, order)
            }
            OrderOutcome::Found {
                order_id,
                url,
                date,
                expires_at,
                price,
                endpoint,
            } => {
                status.order = Some(RecordedOrder {
                    id: order_id,
                    url: Some(url),
                    date: date.or(Some(now)),
                    expires_at,
                    price: Some(price),
                    endpoint: Some(endpoint),
                    ..Default::default()
                });
                applied(
                    Reason::OrderFound,
                    format!("Recorded order {order_id}, placed by a checkout whose answer was lost"),
                )
            }
            OrderOutcome::ExpiryKnown(at) => {
                if let Some(order) = status.order.as_mut() {
                    order.expires_at = Some(at.clone());
                }
                let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
                applied(
                    Reason::OrderExpiry,
                    format!("Order {id} expires at {at} unless paid"),
                )
            }
            OrderOutcome::StatusSeen(s) => {
                if let Some(order) = status.order.as_mut() {
                    order.status = Some(s.as_str().into());
                }
                let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
                let reason = status_reason(s);
                applied(reason, format!("Order {id} is {}", s.as_str()))
            }
        }
    }
}

/// An order placed by this pass's checkout. After checkout the phase follows the order status,
/// read next in the same pass.
fn placed(status: &mut PublicCloudProjectStatus, observed: &mut Observed, order: RecordedOrder) -> Applied {
    if let Some(CartSeen::Found { read_only, .. }) = observed.cart.as_mut() {
        *read_only = true;
    }
    // The checkout answer carries the price: a 0-price order is paid with the fidelity account.
    // The price shown before (if any) stays: the order's is checked against it.
    if let Some(price) = &order.price {
        status.price.get_or_insert(price.clone());
    }
    let approved = status
        .approved_by
        .as_deref()
        .map(|who| format!(" (approved by {who})"))
        .unwrap_or_default();
    let note = format!(
        "Placed order {}{approved}: {}",
        order.id,
        order.url.as_deref().unwrap_or_default()
    );
    status.order = Some(order);
    applied(Reason::OrderPlaced, note)
}

/// One reason per status: events with one reason are aggregated into one series.
fn status_reason(s: OrderStatus) -> Reason {
    match s {
        OrderStatus::NotPaid => Reason::OrderNotPaid,
        OrderStatus::Checking => Reason::OrderChecking,
        OrderStatus::Delivering => Reason::OrderDelivering,
        OrderStatus::Delivered => Reason::OrderDelivered,
        OrderStatus::Cancelled | OrderStatus::Cancelling => Reason::OrderCancelled,
        OrderStatus::DocumentsRequested => Reason::OrderDocumentsRequested,
        OrderStatus::Unknown => Reason::OrderStatusUnknown,
    }
}

/// The status's price of an order as `GET /me/order/{id}` shows it.
pub fn price_of_order(order: &BillingOrder) -> PriceStatus {
    PriceStatus {
        with_tax: order.price_with_tax.decimal(),
        without_tax: order.price_without_tax.decimal(),
        currency: order.price_with_tax.currency_code.clone(),
    }
}

/// The status's price, from an order or a checkout preview.
pub fn price_of(p: &OrderPrices) -> PriceStatus {
    PriceStatus {
        with_tax: p.with_tax.decimal(),
        without_tax: p.without_tax.decimal(),
        currency: p.with_tax.currency_code.clone(),
    }
}
