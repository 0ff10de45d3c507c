//! Orders' contents (date, and each detail's plan and configurations), kept per client: an
//! order's contents never change once OVH lists its details, so each order is read once per
//! account and shared by every search that compares it (the search for the order of a lost
//! checkout reads every order placed since the checkout began, per searching resource). Read by
//! one caller at a time per order while the others wait for that read (single flight); an order
//! whose details are not listed yet is not kept (read again next time); at most
//! [`MAX_ORDERS_KEPT`] orders are kept, then the cache starts again.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use tokio::sync::OnceCell;

use super::client::OvhClient;
use super::error::{OvhError, Result};
use super::model::ItemDetailOrder;

/// The most orders one client keeps (a few hundred bytes each): twice what one search may list
/// (`MAX_ORDERS_SINCE`), so that a search read over several passes is not forgotten midway.
pub const MAX_ORDERS_KEPT: usize = 2 * super::calls::MAX_ORDERS_SINCE;

/// What an order holds, as OVH shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderContents {
    pub order_id: i64,
    /// `GET /me/order/{orderId}` `date`.
    pub date: Option<String>,
    /// Each detail's `extension.order` (plan and configurations); None when no detail has an
    /// extension (the US API).
    pub items: Option<Vec<ItemDetailOrder>>,
}

/// The orders read, each behind its own single-flight cell.
#[derive(Default)]
pub(super) struct OrderCache {
    orders: Mutex<HashMap<i64, Arc<OnceCell<Arc<OrderContents>>>>>,
}

/// Why a read is not kept.
enum NotKept {
    Failed(OvhError),
    /// The order lists no details yet: what it shows may still grow.
    Incomplete(Arc<OrderContents>),
}

impl OrderCache {
    fn cell(&self, order_id: i64) -> Arc<OnceCell<Arc<OrderContents>>> {
        let mut orders = self.orders.lock().unwrap();
        if orders.len() >= MAX_ORDERS_KEPT && !orders.contains_key(&order_id) {
            orders.clear();
        }
        orders.entry(order_id).or_default().clone()
    }
}

impl OvhClient {
    /// Whether the order's contents are kept: reading them costs no call.
    pub fn order_contents_kept(&self, order_id: i64) -> bool {
        let orders = self.inner.orders.orders.lock().unwrap();
        orders.get(&order_id).is_some_and(|cell| cell.initialized())
    }

    /// An order's contents, read once per client (`GET /me/order/{orderId}`, `…/details`, and
    /// each detail's `…/extension`; a detail without one, 404, is skipped).
    pub async fn order_contents(&self, order_id: i64) -> Result<Arc<OrderContents>> {
        let cell = self.inner.orders.cell(order_id);
        let read = cell.get_or_try_init(|| async {
            let (contents, details) = self
                .read_order_contents(order_id)
                .await
                .map_err(NotKept::Failed)?;
            let contents = Arc::new(contents);
            if details == 0 {
                return Err(NotKept::Incomplete(contents));
            }
            Ok(contents)
        });
        match read.await {
            Ok(contents) => Ok(contents.clone()),
            Err(NotKept::Incomplete(contents)) => Ok(contents),
            Err(NotKept::Failed(e)) => Err(e),
        }
    }

    /// The order's contents, and how many details it lists.
    async fn read_order_contents(&self, order_id: i64) -> Result<(OrderContents, usize)> {
        let date = self.order(order_id).await?.date;
        let details = self.order_details(order_id).await?;
        let mut items = Vec::new();
        let mut shown = false;
        for detail in &details {
            match self.order_detail_extension(order_id, *detail).await {
                Ok(extension) => {
                    shown = true;
                    items.push(extension.order);
                }
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            }
        }
        let contents = OrderContents {
            order_id,
            date,
            items: shown.then_some(items),
        };
        Ok((contents, details.len()))
    }
}
