//! A cart's items (`/order/cart/{cartId}/cloud`, `…/cloud/options`, `…/item…`): the project
//! item, its options, reading and deleting them.

use super::*;

impl World {
    /// `POST /order/cart/{cartId}/cloud` (`order.cart.GenericProductCreation`, schema).
    pub fn add_cloud_item(&mut self, cart_id: &str, product: GenericProductCreation) -> SimResult<Item> {
        self.editable_cart(cart_id)?;
        if !self.plan_codes().contains(&product.plan_code.as_str()) {
            // The other region's plan code is refused (tf PR #455); message assumed.
            return Err(SimError::bad_request(format!(
                "Plan code {} does not exist for product cloud",
                product.plan_code
            )));
        }
        if product.duration != "P1M" {
            // OVH answered this for a bad duration (python-ovh #47; tf #230 for PT1H).
            return Err(SimError::class(
                503,
                "Server::ServiceUnavailable",
                "Service is temporarily unavailable",
            ));
        }
        if product.pricing_mode != "default" {
            // pricingMode `default` (OVH guide order-project-api); message assumed.
            return Err(SimError::bad_request(format!(
                "Pricing mode {} is not available",
                product.pricing_mode
            )));
        }
        if product.quantity != 1 {
            // Assumed: tf and the manager always send quantity 1.
            return Err(SimError::bad_request(
                "Quantity must be 1 for a Public Cloud project",
            ));
        }
        self.insert_item(cart_id, |id| SimItem {
            id,
            plan_code: product.plan_code,
            duration: product.duration,
            pricing_mode: product.pricing_mode,
            quantity: product.quantity,
            parent_item_id: None,
            configurations: BTreeMap::new(),
        })
    }

    /// `POST /order/cart/{cartId}/cloud/options` (`order.cart.GenericOptionCreation`, schema; tf
    /// `ovh/order.go` posts each `plan_option` with `itemId` = the product item and `quantity`
    /// 1): adds an option item whose `parentItemId` is that item. The same option twice is
    /// accepted (assumed: no source says OVH refuses it), so a client that posts twice shows
    /// two option items.
    pub fn add_cloud_option(&mut self, cart_id: &str, option: GenericOptionCreation) -> SimResult<Item> {
        self.editable_cart(cart_id)?;
        let parent = self.item_mut(cart_id, option.item_id)?.clone();
        if parent.parent_item_id.is_some() {
            // Assumed: an option hangs from a product item, not from another option.
            return Err(SimError::bad_request(format!(
                "Item {} is an option; options are added to a product item",
                option.item_id
            )));
        }
        if !self
            .option_codes(&parent.plan_code)
            .contains(&option.plan_code.as_str())
        {
            // Message assumed, like the plan code refusal's.
            return Err(SimError::bad_request(format!(
                "Option {} does not exist for plan {}",
                option.plan_code, parent.plan_code
            )));
        }
        if option.duration != "P1M" || option.pricing_mode != "default" {
            // Assumed: the option's only price is P1M/default (see cloud_options).
            return Err(SimError::bad_request(format!(
                "No price for option {} with duration {} and pricing mode {}",
                option.plan_code, option.duration, option.pricing_mode
            )));
        }
        if option.quantity != 1 {
            // Assumed, as for the project item.
            return Err(SimError::bad_request("Quantity must be 1 for this option"));
        }
        self.insert_item(cart_id, |id| SimItem {
            id,
            plan_code: option.plan_code,
            duration: option.duration,
            pricing_mode: option.pricing_mode,
            quantity: option.quantity,
            parent_item_id: Some(parent.id),
            configurations: BTreeMap::new(),
        })
    }

    /// Adds the item `new` makes from a fresh id to an editable cart, priced as a project or an
    /// option ([`Self::item_ucents`]).
    fn insert_item(&mut self, cart_id: &str, new: impl FnOnce(i64) -> SimItem) -> SimResult<Item> {
        let item = new(self.next_id(300_000_000));
        let id = item.id;
        let price = self.price(self.item_ucents(&item));
        let cart = self.editable_cart(cart_id)?;
        cart.items.insert(id, item);
        Ok(Self::item_view(cart_id, &cart.items[&id], &cart.items, price))
    }

    /// `order.cart.Item` (schema); tf needs `cartId` and `itemId` in it (tf `ovh/order.go`).
    /// `options` lists the items whose parent it is, `parentItemId` its parent (schema).
    fn item_view(cart_id: &str, item: &SimItem, all: &BTreeMap<i64, SimItem>, price: Price) -> Item {
        Item {
            cart_id: cart_id.into(),
            item_id: item.id,
            product_id: "cloud".into(),
            configurations: Some(item.configurations.keys().copied().collect()),
            duration: Some(item.duration.clone()),
            offer_id: None,
            options: all
                .values()
                .filter(|o| o.parent_item_id == Some(item.id))
                .map(|o| o.id)
                .collect(),
            parent_item_id: item.parent_item_id,
            prices: vec![
                CartPrice {
                    label: "PRICE".into(),
                    price: price.clone(),
                    promotions: None,
                },
                CartPrice {
                    label: "TOTAL".into(),
                    price,
                    promotions: None,
                },
            ],
            settings: ItemSettings {
                plan_code: Some(item.plan_code.clone()),
                pricing_mode: Some(item.pricing_mode.clone()),
                quantity: Some(item.quantity),
            },
        }
    }

    pub(super) fn item_mut(&mut self, cart_id: &str, item_id: i64) -> SimResult<&mut SimItem> {
        self.cart_mut(cart_id)?
            .items
            .get_mut(&item_id)
            .ok_or_else(|| SimError::not_found("itemId", item_id))
    }

    pub fn item_ids(&mut self, cart_id: &str) -> SimResult<Vec<i64>> {
        Ok(self.cart_mut(cart_id)?.items.keys().copied().collect())
    }

    pub fn item(&mut self, cart_id: &str, item_id: i64) -> SimResult<Item> {
        let item = self.item_mut(cart_id, item_id)?.clone();
        let price = self.price(self.item_ucents(&item));
        let cart = self.cart_mut(cart_id)?;
        Ok(Self::item_view(cart_id, &item, &cart.items, price))
    }

    /// Deleting a product item deletes its options with it (assumed: an option has no meaning
    /// without its parent).
    pub fn delete_item(&mut self, cart_id: &str, item_id: i64) -> SimResult<()> {
        let cart = self.editable_cart(cart_id)?;
        cart.items
            .remove(&item_id)
            .ok_or_else(|| SimError::not_found("itemId", item_id))?;
        cart.items.retain(|_, i| i.parent_item_id != Some(item_id));
        Ok(())
    }
}
