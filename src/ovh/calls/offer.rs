//! What a cart is offered (`…/cloud`, `…/cloud/options`, `…/requiredConfiguration`): read to
//! explain a refusal (a plan code, an option, a configuration label the account is not offered),
//! never on the common path; the answers are kept per client.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /order/cart/{cartId}/cloud`: the Public Cloud offers and their prices.
    pub async fn cloud_offers(&self, cart_id: &str) -> Result<Vec<GenericProductDefinition>> {
        self.get(Route::new("/order/cart/{cartId}/cloud", &[cart_id]))
            .await
    }

    /// `GET /order/cart/{cartId}/cloud/options?planCode=`: the options offered with a plan.
    pub async fn cloud_options(
        &self,
        cart_id: &str,
        plan_code: &str,
    ) -> Result<Vec<GenericOptionDefinition>> {
        self.get(Route::new("/order/cart/{cartId}/cloud/options", &[cart_id]).query("planCode", plan_code))
            .await
    }

    /// `GET /order/cart/{cartId}/item/{itemId}/requiredConfiguration`: the configuration labels
    /// the item accepts.
    pub async fn required_configuration(
        &self,
        cart_id: &str,
        item_id: i64,
    ) -> Result<Vec<ConfigurationRequirement>> {
        self.get(Route::new(
            "/order/cart/{cartId}/item/{itemId}/requiredConfiguration",
            &[cart_id, &item_id.to_string()],
        ))
        .await
    }

    /// The plan codes offered for Public Cloud in this cart's subsidiary (OVH's guide checks the
    /// offer with `GET /order/cart/{cartId}/cloud`); cached per client and subsidiary.
    pub async fn offered_plan_codes(&self, cart_id: &str, subsidiary: &str) -> Result<Vec<String>> {
        let read = async {
            let offers = self.cloud_offers(cart_id).await?;
            Ok(offers.into_iter().map(|o| o.plan_code).collect())
        };
        self.offer_cached(format!("plans/{subsidiary}"), read).await
    }

    /// The option plan codes offered with `plan_code` (`GET …/cloud/options?planCode=`); cached
    /// per client and plan code, read only to explain a refusal.
    pub async fn offered_option_codes(&self, cart_id: &str, plan_code: &str) -> Result<Vec<String>> {
        let read = async {
            let options = self.cloud_options(cart_id, plan_code).await?;
            Ok(options.into_iter().map(|o| o.plan_code).collect())
        };
        self.offer_cached(format!("options/{plan_code}"), read).await
    }

    /// The configuration labels a project item of `plan_code` accepts
    /// (`…/item/{itemId}/requiredConfiguration`); cached per client and plan code.
    pub async fn accepted_labels(&self, cart_id: &str, item_id: i64, plan_code: &str) -> Result<Vec<String>> {
        let read = async {
            let required = self.required_configuration(cart_id, item_id).await?;
            Ok(required.into_iter().map(|r| r.label).collect())
        };
        self.offer_cached(format!("labels/{plan_code}"), read).await
    }

    /// The answer kept under `key`, else `read`'s (awaited only then), kept for next time.
    async fn offer_cached(
        &self,
        key: String,
        read: impl Future<Output = Result<Vec<String>>>,
    ) -> Result<Vec<String>> {
        if let Some(values) = self.cached_offer(&key) {
            return Ok(values);
        }
        let values = read.await?;
        self.cache_offer(key, values.clone());
        Ok(values)
    }
}
