//! The cart family (`/order/cart…`): create a cart, find a lost one again by its description,
//! assign it to the account, add the project item and its options, configure the item, delete.
//! What the cart is offered is in `offer`, its checkout in `checkout`.

use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;
use crate::ovh::{OvhClient, OvhError};

/// Whether `id` can be an OVH cart id (OVH's are UUIDs): 1 to 64 letters, digits, `-` or `_`.
/// Anything else (`..`, a path, an endless string) is never put into a URL or the status.
pub fn is_cart_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn check_cart_id(method: &str, id: &str) -> Result<()> {
    if is_cart_id(id) {
        return Ok(());
    }
    Err(OvhError::Decode {
        method: method.into(),
        route: "/order/cart",
        expected: "cart id",
        reason: format!("{:?} is not an OVH cart id", crate::ovh::client::clip(id, 80)),
    })
}

impl OvhClient {
    /// `POST /order/cart`. Not idempotent: find a lost cart again with [`Self::carts_by_description`].
    pub async fn create_cart(&self, creation: &CartCreation) -> Result<Cart> {
        let cart: Cart = self.post(Route::new("/order/cart", &[]), Some(creation)).await?;
        check_cart_id("POST", &cart.cart_id)?;
        Ok(cart)
    }

    /// `GET /order/cart?description=`: ids of this account's carts carrying `description`.
    pub async fn carts_by_description(&self, description: &str) -> Result<Vec<String>> {
        let ids: Vec<String> = self
            .get(Route::new("/order/cart", &[]).query("description", description))
            .await?;
        for id in &ids {
            check_cart_id("GET", id)?;
        }
        Ok(ids)
    }

    /// `GET /order/cart/{cartId}`.
    pub async fn cart(&self, cart_id: &str) -> Result<Cart> {
        self.get(Route::new("/order/cart/{cartId}", &[cart_id])).await
    }

    /// `DELETE /order/cart/{cartId}`.
    pub async fn delete_cart(&self, cart_id: &str) -> Result<()> {
        self.delete(Route::new("/order/cart/{cartId}", &[cart_id])).await
    }

    /// `POST /order/cart/{cartId}/assign`: binds the cart to the authenticated account.
    pub async fn assign_cart(&self, cart_id: &str) -> Result<()> {
        self.post::<(), ()>(Route::new("/order/cart/{cartId}/assign", &[cart_id]), None)
            .await
    }

    /// `POST /order/cart/{cartId}/cloud`: adds the project item.
    pub async fn add_cloud_item(&self, cart_id: &str, product: &GenericProductCreation) -> Result<Item> {
        self.post(
            Route::new("/order/cart/{cartId}/cloud", &[cart_id]),
            Some(product),
        )
        .await
    }

    /// `POST /order/cart/{cartId}/cloud/options`: adds an option of the project item (its id in
    /// the body, as terraform-provider-ovh `ovh/order.go` posts `plan_option`s).
    pub async fn add_cloud_option(&self, cart_id: &str, option: &GenericOptionCreation) -> Result<Item> {
        self.post(
            Route::new("/order/cart/{cartId}/cloud/options", &[cart_id]),
            Some(option),
        )
        .await
    }

    /// `GET /order/cart/{cartId}/item`.
    pub async fn items(&self, cart_id: &str) -> Result<Vec<i64>> {
        self.get(Route::new("/order/cart/{cartId}/item", &[cart_id]))
            .await
    }

    /// `GET /order/cart/{cartId}/item/{itemId}`.
    pub async fn item(&self, cart_id: &str, item_id: i64) -> Result<Item> {
        self.get(Route::new(
            "/order/cart/{cartId}/item/{itemId}",
            &[cart_id, &item_id.to_string()],
        ))
        .await
    }

    /// `DELETE /order/cart/{cartId}/item/{itemId}`.
    pub async fn delete_item(&self, cart_id: &str, item_id: i64) -> Result<()> {
        self.delete(Route::new(
            "/order/cart/{cartId}/item/{itemId}",
            &[cart_id, &item_id.to_string()],
        ))
        .await
    }

    /// `POST /order/cart/{cartId}/item/{itemId}/configuration`.
    pub async fn add_configuration(
        &self,
        cart_id: &str,
        item_id: i64,
        configuration: &ItemConfigurationCreation,
    ) -> Result<ConfigurationItem> {
        let route = Route::new(
            "/order/cart/{cartId}/item/{itemId}/configuration",
            &[cart_id, &item_id.to_string()],
        );
        self.post(route, Some(configuration)).await
    }

    /// `GET /order/cart/{cartId}/item/{itemId}/configuration`.
    pub async fn configurations(&self, cart_id: &str, item_id: i64) -> Result<Vec<i64>> {
        self.get(Route::new(
            "/order/cart/{cartId}/item/{itemId}/configuration",
            &[cart_id, &item_id.to_string()],
        ))
        .await
    }

    /// `GET /order/cart/{cartId}/item/{itemId}/configuration/{configurationId}`.
    pub async fn configuration(
        &self,
        cart_id: &str,
        item_id: i64,
        configuration_id: i64,
    ) -> Result<ConfigurationItem> {
        self.get(Route::new(
            "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}",
            &[cart_id, &item_id.to_string(), &configuration_id.to_string()],
        ))
        .await
    }

    /// `DELETE /order/cart/{cartId}/item/{itemId}/configuration/{configurationId}`.
    pub async fn delete_configuration(
        &self,
        cart_id: &str,
        item_id: i64,
        configuration_id: i64,
    ) -> Result<()> {
        self.delete(Route::new(
            "/order/cart/{cartId}/item/{itemId}/configuration/{configurationId}",
            &[cart_id, &item_id.to_string(), &configuration_id.to_string()],
        ))
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_cart_ids() {
        assert!(is_cart_id("ec4ed4a6-3b2c-4b9f-bd5d-0c1b1b1b1b1b"));
        for hostile in ["", ".", "..", "../../me", "a/b", "a b", "a%2e", &"a".repeat(65)] {
            assert!(!is_cart_id(hostile), "{hostile:?}");
        }
        let said = check_cart_id("POST", "../../me").unwrap_err().to_string();
        assert!(said.contains("not an OVH cart id"), "{said}");
    }
}
