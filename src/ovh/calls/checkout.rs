//! The checkout (`/order/cart/{cartId}/checkout`): the price without ordering, and the one call
//! that creates an order. Never retried by the client (POSTs never are, `client`); after a lost
//! answer the caller looks at the cart's `readOnly` and the account's orders first.

use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;
use crate::ovh::{OvhClient, OvhError};

/// An order a checkout placed (its id is known).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedOrder {
    pub order_id: i64,
    /// Where a person pays it.
    pub url: Option<String>,
    pub prices: OrderPrices,
}

impl OvhClient {
    /// `GET /order/cart/{cartId}/checkout`: the price, without ordering anything.
    pub async fn checkout_preview(&self, cart_id: &str) -> Result<Order> {
        self.get(Route::new("/order/cart/{cartId}/checkout", &[cart_id]))
            .await
    }

    /// `POST /order/cart/{cartId}/checkout`: creates the order. Never retried: if the answer is
    /// lost, look at the cart's `readOnly` and the account's orders before doing anything else.
    /// Waits up to [`Self::checkout_timeout`]: OVH's SDKs give every call 180 s.
    pub async fn checkout(&self, cart_id: &str, checkout: &Checkout) -> Result<Order> {
        let route = Route::new("/order/cart/{cartId}/checkout", &[cart_id]).timeout(self.checkout_timeout());
        self.post(route, Some(checkout)).await
    }

    /// The checkout as an order that surely exists: OVH's answer must carry an `orderId`.
    pub async fn place_order(&self, cart_id: &str, checkout: &Checkout) -> Result<PlacedOrder> {
        let order = self.checkout(cart_id, checkout).await?;
        let order_id = order.order_id.ok_or_else(|| OvhError::Decode {
            method: "POST".into(),
            route: "/order/cart/{cartId}/checkout",
            expected: "order with an orderId",
            reason: "orderId is null".into(),
        })?;
        Ok(PlacedOrder {
            order_id,
            url: order.url,
            prices: order.prices,
        })
    }
}
