//! The order family (`/me/order…`): the account's orders, an order's status and details, and
//! where a delivered order names its project (the detail's `extension` on EU/CA, its
//! `operations` on US).

use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;
use crate::ovh::{OvhClient, OvhError};

/// The most orders [`OvhClient::orders_since`] lists. Each is then read once per account (the
/// order cache, `ovh::orders`), a hundred per pass at most (`controller::lookups`); the bound is
/// the cache's, which must hold a whole window for a search to end.
pub const MAX_ORDERS_SINCE: usize = 2_000;

impl OvhClient {
    /// `GET /me/order`: ids of the account's orders.
    pub async fn orders(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/order", &[])).await
    }

    /// `GET /me/order?date.from=`: ids of the orders dated `from` (a schema `datetime`) or later;
    /// at most [`MAX_ORDERS_SINCE`], else
    /// [`OvhError::ListTooLong`]: a part could miss the order looked for.
    pub async fn orders_since(&self, from: &str) -> Result<Vec<i64>> {
        let ids: Vec<i64> = self
            .get(Route::new("/me/order", &[]).query("date.from", from))
            .await?;
        if ids.len() > MAX_ORDERS_SINCE {
            return Err(OvhError::ListTooLong {
                route: "/me/order",
                count: ids.len(),
                max: MAX_ORDERS_SINCE,
                hint: "more orders were placed since this checkout began than the operator \
                       compares: find this resource's order at OVH (its cart id is in \
                       status.cart) and set it in the annotation \
                       publiccloud.ovh-operator.dev/order-id",
            });
        }
        Ok(ids)
    }

    /// `GET /me/order/{orderId}`.
    pub async fn order(&self, order_id: i64) -> Result<BillingOrder> {
        self.get(Route::new("/me/order/{orderId}", &[&order_id.to_string()]))
            .await
    }

    /// `GET /me/order/{orderId}/status`.
    pub async fn order_status(&self, order_id: i64) -> Result<OrderStatus> {
        self.get(Route::new("/me/order/{orderId}/status", &[&order_id.to_string()]))
            .await
    }

    /// `GET /me/order/{orderId}/details`.
    pub async fn order_details(&self, order_id: i64) -> Result<Vec<i64>> {
        self.get(Route::new(
            "/me/order/{orderId}/details",
            &[&order_id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/details/{orderDetailId}`.
    pub async fn order_detail(&self, order_id: i64, detail_id: i64) -> Result<BillingOrderDetail> {
        self.get(Route::new(
            "/me/order/{orderId}/details/{orderDetailId}",
            &[&order_id.to_string(), &detail_id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/details/{orderDetailId}/extension` (EU/CA only).
    pub async fn order_detail_extension(&self, order_id: i64, detail_id: i64) -> Result<ItemDetail> {
        self.get(Route::new(
            "/me/order/{orderId}/details/{orderDetailId}/extension",
            &[&order_id.to_string(), &detail_id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/details/{orderDetailId}/operations` (US only; terraform-provider-ovh
    /// `orderDetailOperations`).
    pub async fn order_detail_operations(&self, order_id: i64, detail_id: i64) -> Result<Vec<i64>> {
        self.get(Route::new(
            "/me/order/{orderId}/details/{orderDetailId}/operations",
            &[&order_id.to_string(), &detail_id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/details/{orderDetailId}/operations/{operationId}` (US only): the
    /// project id is `resource.name`.
    pub async fn order_detail_operation(
        &self,
        order_id: i64,
        detail_id: i64,
        op_id: i64,
    ) -> Result<OrderDetailOperation> {
        self.get(Route::new(
            "/me/order/{orderId}/details/{orderDetailId}/operations/{operationId}",
            &[&order_id.to_string(), &detail_id.to_string(), &op_id.to_string()],
        ))
        .await
    }
}
