//! The checkout (`GET`/`POST /order/cart/{cartId}/checkout`): the price preview and the order it
//! creates, at most once per cart.

use std::time::{Duration, Instant};

use super::*;

impl World {
    /// `order.OrderPrices` (schema); a 20 % tax is assumed.
    fn order_prices(&self, ucents: i64) -> OrderPrices {
        OrderPrices {
            with_tax: self.price(ucents + ucents / 5),
            without_tax: self.price(ucents),
            tax: self.price(ucents / 5),
            original_without_tax: Some(self.price(ucents)),
            reduction: Some(self.price(0)),
        }
    }

    /// `order.Order` (schema): `orderId` and `url` are null on the GET dry run.
    fn checkout_view(&self, cart: &SimCart, order: Option<&SimOrder>) -> Order {
        // One detail per item, options included, and their sum as the price (assumed, as the
        // manager shows an option's price in the order's total).
        let ucents = Self::cart_ucents(self, cart);
        let details = cart
            .items
            .values()
            .map(|item| {
                let each = self.item_ucents(item);
                OrderDetail {
                    cart_item_id: Some(item.id),
                    description: if item.parent_item_id.is_some() {
                        format!("Option {}", item.plan_code)
                    } else {
                        "Public Cloud Project".into()
                    },
                    detail_type: Some("DURATION".into()),
                    domain: "*001".into(),
                    quantity: item.quantity,
                    unit_price: self.price(each),
                    total_price: self.price(each),
                    original_total_price: self.price(each),
                    reduction_total_price: self.price(0),
                    reductions: vec![],
                }
            })
            .collect();
        Order {
            order_id: order.map(|o| o.id),
            url: order.map(|o| self.order_url(o)),
            contracts: vec![Contract {
                name: "Public Cloud Special Conditions".into(),
                url: format!("{}/contracts/public-cloud.pdf", self.cfg.public_origin()),
                content: "The simulated conditions of the simulated Public Cloud.".into(),
            }],
            details,
            prices: self.order_prices(ucents),
        }
    }

    /// The cart's price without tax: every item's, options included.
    fn cart_ucents(&self, cart: &SimCart) -> i64 {
        cart.items.values().map(|i| self.item_ucents(i)).sum()
    }

    /// A real page where a person can pay (docs/reference/simulator.md; the manager redirects there, mgr
    /// `useProjectCreation.tsx` `handleCreditAndPay`).
    pub(super) fn order_url(&self, order: &SimOrder) -> String {
        format!(
            "{}/payment/order/{}?password={}",
            self.cfg.public_origin(),
            order.id,
            order.password
        )
    }

    /// Checkout needs an assigned, non-empty cart (assumed messages: the schema's IAM action
    /// `order:apiovh:cart/checkout/execute` is an account action, hence the assignment).
    fn checkable_cart(&mut self, cart_id: &str) -> SimResult<SimCart> {
        let cart = self.cart_mut(cart_id)?;
        if !cart.assigned {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} is not assigned to your account"
            )));
        }
        if cart.items.is_empty() {
            return Err(SimError::bad_request(format!("The cart {cart_id} is empty")));
        }
        Ok(cart.clone())
    }

    /// `GET /order/cart/{cartId}/checkout`: the price, no order (schema; tf reads
    /// `prices.withoutTax.value`, the manager `prices.withTax.value`).
    pub fn checkout_preview(&mut self, cart_id: &str) -> SimResult<Order> {
        let cart = self.checkable_cart(cart_id)?;
        Ok(self.checkout_view(&cart, None))
    }

    /// Counts a checkout POST as it arrives, before it is processed (test control's ledger).
    pub fn note_checkout_attempt(&mut self, cart_id: &str) {
        if let Ok(cart) = self.cart_mut(cart_id) {
            cart.checkout_attempts += 1;
        }
    }

    /// `POST /order/cart/{cartId}/checkout` (`order.cart.Checkout`, schema): creates the order
    /// and locks the cart (`readOnly`, schema `order.cart.Cart`); a second checkout is refused
    /// (403, assumed message). With `autoPayWithPreferredPaymentMethod` ("Indicates that order
    /// will be automatically paid with preferred payment method", schema) and a default method
    /// that can pay, the order is paid `--autopay-ms` later; until then it is `notPaid`
    /// (assumed: OVH pays asynchronously). Without a payable method it is never paid (assumed).
    pub fn checkout(&mut self, cart_id: &str, checkout: Checkout) -> SimResult<Order> {
        let cart = self.checkable_cart(cart_id)?;
        if cart.read_only {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} has already been validated"
            )));
        }
        let id = self.next_id(200_000_000);
        let password = self.random_hex(8);
        // A dashless UUIDv4, the shape tf matches: ^[0-9a-f]{12}4[0-9a-f]{19}$ (tf
        // `ovh/resource_cloud_project.go`).
        let project_id = format!("{}4{}", self.random_hex(12), self.random_hex(19));
        let auto_pay = checkout.auto_pay_with_preferred_payment_method.unwrap_or(false);
        let autopays = auto_pay && self.payable_default_method().is_some();
        let date = now();
        // Assumed: an unpaid order expires `--order-ttl-secs` after its date (OVH's guide
        // "managing_ovh_orders": an unpaid order "will disappear on its expiry date").
        let expires = date + Duration::from_secs(self.cfg.order_ttl_secs);
        let autopay_delay = Duration::from_millis(self.cfg.autopay_ms);
        let order = SimOrder {
            id,
            cart_id: cart_id.into(),
            date,
            expires,
            password,
            price_ucents: self.cart_ucents(&cart),
            paid_at: None,
            paid_with: None,
            autopay_at: (autopays && autopay_delay.as_secs() < self.cfg.order_ttl_secs)
                .then(|| Instant::now() + autopay_delay),
            forced_status: None,
            auto_pay_requested: auto_pay,
            waive_retractation: checkout.waive_retractation_period.unwrap_or(false),
            pay_attempts: 0,
            project_id,
            // Options: one detail each after the project's and the voucher's, whose extension
            // names the option's plan (assumed, as the checkout answer has a detail per item).
            options: cart
                .items
                .values()
                .filter(|i| i.parent_item_id.is_some())
                .cloned()
                .collect(),
            // The project item.
            item: cart
                .items
                .values()
                .find(|i| i.parent_item_id.is_none())
                .or_else(|| cart.items.values().next())
                .cloned()
                .expect("checkable carts have an item"),
        };
        let view = self.checkout_view(&cart, Some(&order));
        let cart = self.cart_mut(cart_id)?;
        cart.read_only = true;
        cart.checkouts += 1;
        self.orders.insert(id, order);
        Ok(view)
    }
}
