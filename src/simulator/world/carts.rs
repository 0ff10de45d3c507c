//! Carts (`/order/cart…`): creation, listing by description, assignment, expiry, deletion. What
//! a cart offers is in `offers.rs`, its items in `items.rs`, their configurations in
//! `configurations.rs`, the checkout in `checkout.rs`.

use std::time::Duration;

use super::*;

/// `nichandle.OvhSubsidiaryEnum` of the EU API (schema me.json) plus the CA API's values (from
/// generated typings; no CA schema at hand): the EU and CA APIs share the simulator's EU mode.
const EU_SUBSIDIARIES: &[&str] = &[
    "CZ", "DE", "ES", "EU", "FI", "FR", "GB", "IE", "IT", "LT", "MA", "NL", "PL", "PT", "SN", "TN", "ASIA",
    "AU", "CA", "IN", "QC", "SG", "WE", "WS",
];
/// The US API knows only `US` (tf issue #217, PR #455).
const US_SUBSIDIARIES: &[&str] = &["US"];

impl World {
    /// A live cart (404 once expired: assumed, OVH forgets expired carts; the error text is
    /// assumed too, docs/ovh-evidence.md#simulator).
    pub(super) fn cart_mut(&mut self, cart_id: &str) -> SimResult<&mut SimCart> {
        match self.carts.get_mut(cart_id) {
            Some(c) if c.expire > now() => Ok(c),
            _ => Err(SimError::not_found("cartId", cart_id)),
        }
    }

    /// `order.cart.Cart` (schema order.json). `items` lists option items too (assumed: the
    /// schema's `order.cart.Item` of an option is an item of the cart, with `parentItemId`).
    fn cart_view(cart: &SimCart) -> Cart {
        Cart {
            cart_id: cart.id.clone(),
            description: cart.description.clone(),
            expire: Some(datetime(cart.expire)),
            items: cart.items.keys().copied().collect(),
            read_only: cart.read_only,
        }
    }

    /// `POST /order/cart` (`order.cart.Creation`, schema order.json).
    pub fn create_cart(&mut self, creation: CartCreation) -> SimResult<Cart> {
        let subsidiaries = if self.us() {
            US_SUBSIDIARIES
        } else {
            EU_SUBSIDIARIES
        };
        if !subsidiaries.contains(&creation.ovh_subsidiary.as_str()) {
            // Message assumed; the value must be a nichandle.OvhSubsidiaryEnum of this API.
            return Err(SimError::bad_request(format!(
                "Invalid value for ovhSubsidiary: \"{}\" is not a valid nichandle.OvhSubsidiaryEnum",
                creation.ovh_subsidiary
            )));
        }
        let expire = match creation.expire.as_deref() {
            Some(e) => e
                .parse::<Timestamp>()
                .map_err(|_| SimError::bad_request(format!("Invalid datetime for expire: {e}")))?,
            // "saved for 1 day" (github.com/ovh/order-cart-examples README).
            None => now() + Duration::from_secs(self.cfg.cart_ttl_secs),
        };
        let id = format!(
            "{}-{}-4{}-{}-{}",
            self.random_hex(8),
            self.random_hex(4),
            self.random_hex(3),
            self.random_hex(4),
            self.random_hex(12)
        );
        let cart = SimCart {
            id: id.clone(),
            description: creation.description.unwrap_or_default(),
            expire,
            assigned: false,
            read_only: false,
            items: BTreeMap::new(),
            checkouts: 0,
            checkout_attempts: 0,
        };
        let view = Self::cart_view(&cart);
        self.carts.insert(id, cart);
        Ok(view)
    }

    /// `GET /order/cart?description=` (schema: "List of your OVH order carts", filter `=`).
    /// Only carts assigned to the account are listed. Assumed: no source says whether unassigned
    /// carts are; the route is authenticated and lists "your" carts, while `POST /order/cart` is
    /// `noAuthentication` and a cart belongs to the account only once assigned (which is why tf
    /// and the manager call `/assign`).
    pub fn carts_by_description(&self, description: Option<&str>) -> Vec<String> {
        let now = now();
        self.carts
            .values()
            .filter(|c| c.assigned && c.expire > now && description.is_none_or(|d| c.description == d))
            .map(|c| c.id.clone())
            .collect()
    }

    pub fn cart(&mut self, cart_id: &str) -> SimResult<Cart> {
        Ok(Self::cart_view(self.cart_mut(cart_id)?))
    }

    pub fn delete_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?;
        self.carts.remove(cart_id);
        Ok(())
    }

    /// `POST /order/cart/{cartId}/assign`: binds the cart to the account (schema; tf, mgr).
    pub fn assign_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?.assigned = true;
        Ok(())
    }

    /// Expires a cart now (test control).
    pub fn expire_cart(&mut self, cart_id: &str) -> SimResult<()> {
        self.cart_mut(cart_id)?.expire = now() - Duration::from_secs(1);
        Ok(())
    }

    /// A cart that can still change: a checked-out cart is `readOnly` (schema `order.cart.Cart`)
    /// and refuses changes (message assumed: "has already been validated", docs/ovh-evidence.md#cart).
    pub(super) fn editable_cart(&mut self, cart_id: &str) -> SimResult<&mut SimCart> {
        let cart = self.cart_mut(cart_id)?;
        if cart.read_only {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} has already been validated"
            )));
        }
        Ok(cart)
    }
}
