//! Typed calls for ordering, following and terminating a Public Cloud project. One method per
//! OVH operation; no decisions here (those belong to the controller's planner).

use super::OvhError;
use super::client::OvhClient;
use super::error::Result;
use super::model::*;
use super::routes::Route;

/// Re-exported so `ovh::order::{is_project_id, termination_token}` keeps working.
pub use super::parse::{is_project_id, termination_token};

/// The most orders [`OvhClient::orders_since`] lists (each is then read, with its details).
pub const MAX_ORDERS_SINCE: usize = 100;

/// The most e-mails [`OvhClient::emails_after`] lists (each is then read, for a token).
pub const MAX_EMAILS_READ: usize = 50;

/// An order a checkout placed (its id is known).
#[derive(Clone, Debug, PartialEq)]
pub struct PlacedOrder {
    pub order_id: i64,
    /// Where a person pays it.
    pub url: Option<String>,
    pub prices: OrderPrices,
}

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
        reason: format!("{:?} is not an OVH cart id", super::client::clip(id, 80)),
    })
}

impl OvhClient {
    /// `GET /me`.
    pub async fn me(&self) -> Result<Me> {
        self.get(Route::new("/me", &[])).await
    }

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

    /// `GET /order/cart/{cartId}/cloud`: the Public Cloud offers and their prices.
    pub async fn cloud_offers(&self, cart_id: &str) -> Result<Vec<GenericProductDefinition>> {
        self.get(Route::new("/order/cart/{cartId}/cloud", &[cart_id]))
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

    /// `GET /order/cart/{cartId}/cloud/options?planCode=`: the options offered with a plan.
    pub async fn cloud_options(
        &self,
        cart_id: &str,
        plan_code: &str,
    ) -> Result<Vec<GenericOptionDefinition>> {
        self.get(Route::new("/order/cart/{cartId}/cloud/options", &[cart_id]).query("planCode", plan_code))
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

    /// `GET /me/order`: ids of the account's orders.
    pub async fn orders(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/order", &[])).await
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

    /// `GET /me/payment/method?default=true`: ids of the default payment method (0 or 1).
    pub async fn default_payment_methods(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/payment/method", &[]).query("default", "true"))
            .await
    }

    /// `GET /me/payment/method/{paymentMethodId}`.
    pub async fn payment_method(&self, id: i64) -> Result<PaymentMethod> {
        self.get(Route::new(
            "/me/payment/method/{paymentMethodId}",
            &[&id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/payment` (`billing.Payment`, PRODUCTION in OVH's schema; IAM
    /// `account:apiovh:me/order/payment/get`): the payment OVH registered for the order. What
    /// it answers for an order without one is not documented (the controller treats only a
    /// 404 as "no payment").
    pub async fn order_payment(&self, order_id: i64) -> Result<BillingPayment> {
        self.get(Route::new(
            "/me/order/{orderId}/payment",
            &[&order_id.to_string()],
        ))
        .await
    }

    /// `POST /me/order/{orderId}/pay` with a registered payment method.
    pub async fn pay(&self, order_id: i64, payment_method_id: i64) -> Result<()> {
        let body = PayWithPaymentMethod {
            payment_method: PaymentMethodRef {
                id: payment_method_id,
            },
        };
        self.post(
            Route::new("/me/order/{orderId}/pay", &[&order_id.to_string()]),
            Some(&body),
        )
        .await
    }

    /// `POST /me/order/{orderId}/payWithRegisteredPaymentMean`, e.g. `fidelityAccount` for a
    /// 0-price order on an account without a payment method.
    pub async fn pay_with_registered_payment_mean(&self, order_id: i64, payment_mean: &str) -> Result<()> {
        let body = PayWithRegisteredPaymentMean {
            payment_mean: payment_mean.into(),
            payment_mean_id: None,
        };
        let route = Route::new(
            "/me/order/{orderId}/payWithRegisteredPaymentMean",
            &[&order_id.to_string()],
        );
        self.post(route, Some(&body)).await
    }

    /// `GET /cloud/project/{serviceName}`.
    pub async fn project(&self, project_id: &str) -> Result<Project> {
        self.get(Route::new("/cloud/project/{serviceName}", &[project_id]))
            .await
    }

    /// `PUT /cloud/project/{serviceName}` `{description}`: renames the project (terraform-provider-ovh
    /// `resourceCloudProjectUpdate`). Idempotent. The listing of [`Self::project_descriptions`]
    /// learns the new name.
    pub async fn rename_project(&self, project_id: &str, description: &str) -> Result<()> {
        let body = ProjectUpdate {
            description: description.into(),
        };
        self.put::<_, ()>(Route::new("/cloud/project/{serviceName}", &[project_id]), &body)
            .await?;
        self.project_renamed(project_id, description);
        Ok(())
    }

    /// `POST /cloud/project/{serviceName}/terminate`: OVH e-mails a confirmation token. Any JSON
    /// answer is accepted: once OVH took the request, a decode error must not lead to a second POST.
    pub async fn terminate_project(&self, project_id: &str) -> Result<serde_json::Value> {
        self.post::<(), serde_json::Value>(
            Route::new("/cloud/project/{serviceName}/terminate", &[project_id]),
            None,
        )
        .await
    }

    /// `POST /cloud/project/{serviceName}/confirmTermination`; any JSON answer is accepted.
    pub async fn confirm_termination(&self, project_id: &str, token: &str) -> Result<serde_json::Value> {
        let body = ConfirmTermination {
            token: token.into(),
            reason: Some("NOT_NEEDED_ANYMORE".into()),
            future_use: None,
            commentary: None,
        };
        let route = Route::new("/cloud/project/{serviceName}/confirmTermination", &[project_id]);
        self.post(route, Some(&body)).await
    }

    /// `GET /cloud/project/{serviceName}/user`: the project's OpenStack users (whole objects, so
    /// a user whose creation answer was lost is found by its description in one call).
    pub async fn users(&self, project_id: &str) -> Result<Vec<User>> {
        self.get(Route::new("/cloud/project/{serviceName}/user", &[project_id]))
            .await
    }

    /// `POST /cloud/project/{serviceName}/user`. Not idempotent, and the answer is the only place
    /// OVH shows the password: find a lost user again with [`Self::users`], and get a password
    /// again with [`Self::regenerate_password`].
    pub async fn create_user(&self, project_id: &str, creation: &ProjectUserCreation) -> Result<UserDetail> {
        self.post(
            Route::new("/cloud/project/{serviceName}/user", &[project_id]),
            Some(creation),
        )
        .await
    }

    /// `GET /cloud/project/{serviceName}/user/{userId}`.
    pub async fn user(&self, project_id: &str, user_id: i64) -> Result<User> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/user/{userId}",
            &[project_id, &user_id.to_string()],
        ))
        .await
    }

    /// `DELETE /cloud/project/{serviceName}/user/{userId}`.
    pub async fn delete_user(&self, project_id: &str, user_id: i64) -> Result<()> {
        self.delete(Route::new(
            "/cloud/project/{serviceName}/user/{userId}",
            &[project_id, &user_id.to_string()],
        ))
        .await
    }

    /// `POST /cloud/project/{serviceName}/user/{userId}/regeneratePassword`: a new password (the
    /// old one stops working); terraform-provider-ovh posts it with no body.
    pub async fn regenerate_password(&self, project_id: &str, user_id: i64) -> Result<UserDetail> {
        self.post::<(), UserDetail>(
            Route::new(
                "/cloud/project/{serviceName}/user/{userId}/regeneratePassword",
                &[project_id, &user_id.to_string()],
            ),
            None,
        )
        .await
    }

    /// `GET /cloud/project/{serviceName}/user/{userId}/openrc?region=&version=v3`.
    pub async fn openrc(&self, project_id: &str, user_id: i64, region: &str) -> Result<Openrc> {
        self.get(
            Route::new(
                "/cloud/project/{serviceName}/user/{userId}/openrc",
                &[project_id, &user_id.to_string()],
            )
            .query("region", region)
            .query("version", "v3"),
        )
        .await
    }

    /// `GET /me/notification/email/history`.
    pub async fn email_history(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/notification/email/history", &[])).await
    }

    /// Ids of the account's e-mails newer than `after`, newest first: at most [`MAX_EMAILS_READ`]
    /// (one GET each would follow), else [`OvhError::ListTooLong`] — a part could miss the one
    /// looked for.
    pub async fn emails_after(&self, after: i64) -> Result<Vec<i64>> {
        let mut ids: Vec<i64> = self
            .email_history()
            .await?
            .into_iter()
            .filter(|id| *id > after)
            .collect();
        if ids.len() > MAX_EMAILS_READ {
            return Err(OvhError::ListTooLong {
                route: "/me/notification/email/history",
                count: ids.len(),
                max: MAX_EMAILS_READ,
                hint: "more e-mails arrived since the termination request than the operator \
                       reads for its token: find OVH's termination e-mail and set the token in \
                       the annotation publiccloud.ovh-operator.dev/termination-token",
            });
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        Ok(ids)
    }

    /// `GET /me/notification/email/history/{id}`.
    pub async fn email(&self, id: i64) -> Result<EmailNotification> {
        self.get(Route::new(
            "/me/notification/email/history/{id}",
            &[&id.to_string()],
        ))
        .await
    }

    /// The plan codes offered for Public Cloud in this cart's subsidiary (OVH's guide checks the
    /// offer with `GET /order/cart/{cartId}/cloud`); cached per client and subsidiary.
    pub async fn offered_plan_codes(&self, cart_id: &str, subsidiary: &str) -> Result<Vec<String>> {
        let key = format!("plans/{subsidiary}");
        if let Some(codes) = self.cached_offer(&key) {
            return Ok(codes);
        }
        let codes: Vec<String> = self
            .cloud_offers(cart_id)
            .await?
            .into_iter()
            .map(|o| o.plan_code)
            .collect();
        self.cache_offer(key, codes.clone());
        Ok(codes)
    }

    /// The option plan codes offered with `plan_code` (`GET …/cloud/options?planCode=`); cached
    /// per client and plan code, read only to explain a refusal.
    pub async fn offered_option_codes(&self, cart_id: &str, plan_code: &str) -> Result<Vec<String>> {
        let key = format!("options/{plan_code}");
        if let Some(codes) = self.cached_offer(&key) {
            return Ok(codes);
        }
        let codes: Vec<String> = self
            .cloud_options(cart_id, plan_code)
            .await?
            .into_iter()
            .map(|o| o.plan_code)
            .collect();
        self.cache_offer(key, codes.clone());
        Ok(codes)
    }

    /// The configuration labels a project item of `plan_code` accepts
    /// (`…/item/{itemId}/requiredConfiguration`); cached per client and plan code.
    pub async fn accepted_labels(&self, cart_id: &str, item_id: i64, plan_code: &str) -> Result<Vec<String>> {
        let key = format!("labels/{plan_code}");
        if let Some(labels) = self.cached_offer(&key) {
            return Ok(labels);
        }
        let labels: Vec<String> = self
            .required_configuration(cart_id, item_id)
            .await?
            .into_iter()
            .map(|r| r.label)
            .collect();
        self.cache_offer(key, labels.clone());
        Ok(labels)
    }

    /// `GET /cloud/project`: ids of the account's projects.
    pub async fn project_ids(&self) -> Result<Vec<String>> {
        self.get(Route::new("/cloud/project", &[])).await
    }

    // ---- US order operations, item requirements, orders by date (sim-real-ovh) ----------------

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

    /// `GET /me/order?date.from=`: ids of the orders dated `from` (a schema `datetime`) or later;
    /// at most [`MAX_ORDERS_SINCE`] (each is read to be compared), else
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
