//! Carts (`/order/cart…`): creation, assignment, the cloud item and its configurations (the
//! checkout is in `checkout.rs`).

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

/// Public Cloud plan codes: `project.2018` on EU/CA, `project` on US (tf
/// `docs/resources/cloud_project.md`: "It's `project.2018` for `ovh-{eu,ca}` and `project` when
/// using `ovh-us`"; PR #455, issue #217; mgr constant `PCI_PROJECT_ORDER_CART.planCode`).
const EU_PLAN_CODES: &[&str] = &["project.2018"];
const US_PLAN_CODES: &[&str] = &["project"];

/// Options offered with each plan code: the HDS certification, `certification.hds.2018` with
/// `project.2018` and `certification.hds` with `project` on the US API (tf
/// `docs/resources/cloud_project.md` "HDS Certification"; tf
/// `ovh/data_order_cart_product_options_plan_test.go` reads `certification.hds` for `project`,
/// with product type `delivery` and a `P1M` price).
const EU_OPTIONS: &[(&str, &str)] = &[("project.2018", "certification.hds.2018")];
const US_OPTIONS: &[(&str, &str)] = &[("project", "certification.hds")];

/// Configuration labels a Public Cloud project item accepts: `description` and `voucher` (OVH
/// guide order-project-api; mgr `projects/new/service.js`), `infrastructure` (mgr constant
/// `PCI_PROJECT_ORDER_CART.infraConfigValue = 'production'`), `vrack` (tf
/// `docs/resources/cloud_project.md`). None is required (assumed: the manager and terraform
/// order without any).
pub const PROJECT_CONFIGURATION_LABELS: &[&str] = &["description", "voucher", "infrastructure", "vrack"];

impl World {
    pub(super) fn plan_codes(&self) -> &'static [&'static str] {
        if self.us() { US_PLAN_CODES } else { EU_PLAN_CODES }
    }

    /// A live cart (404 once expired: assumed, OVH forgets expired carts; the error text is
    /// assumed too, notes §5).
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
    /// and refuses changes (message assumed: "has already been validated", notes §2.1).
    fn editable_cart(&mut self, cart_id: &str) -> SimResult<&mut SimCart> {
        let cart = self.cart_mut(cart_id)?;
        if cart.read_only {
            return Err(SimError::forbidden(format!(
                "The cart {cart_id} has already been validated"
            )));
        }
        Ok(cart)
    }

    /// `GET /order/cart/{cartId}/cloud` → `order.cart.GenericProductDefinition[]` (schema): this
    /// API's plan code, with a `renew` price of `P1M`/`default` (OVH guide order-project-api; mgr
    /// `cart.ts` picks the price whose capacities include `renew`).
    pub fn cloud_offers(&mut self, cart_id: &str) -> SimResult<Vec<GenericProductDefinition>> {
        self.cart_mut(cart_id)?;
        let pricing = self.monthly_price(self.cfg.price_ucents);
        Ok(self
            .plan_codes()
            .iter()
            .map(|code| GenericProductDefinition {
                plan_code: (*code).into(),
                product_name: "Public Cloud Project".into(),
                product_type: "cloud_service".into(),
                prices: vec![pricing.clone()],
            })
            .collect())
    }

    /// A monthly `renew` price on `P1M`/`default` (OVH guide order-project-api; mgr `cart.ts`
    /// picks the price whose capacities include `renew`).
    fn monthly_price(&self, ucents: i64) -> GenericProductPricing {
        GenericProductPricing {
            capacities: vec!["installation".into(), "renew".into()],
            description: "Monthly fees".into(),
            duration: "P1M".into(),
            interval: 1,
            maximum_quantity: Some(1),
            maximum_repeat: None,
            minimum_quantity: 1,
            minimum_repeat: 1,
            price: self.price(ucents),
            price_in_ucents: ucents,
            pricing_mode: "default".into(),
            pricing_type: "rental".into(),
        }
    }

    /// The options offered with `plan_code` on this API.
    fn option_codes(&self, plan_code: &str) -> Vec<&'static str> {
        let table = if self.us() { US_OPTIONS } else { EU_OPTIONS };
        table
            .iter()
            .filter(|(plan, _)| *plan == plan_code)
            .map(|(_, option)| *option)
            .collect()
    }

    /// The price of an item without tax: the project's, or an option's (`--option-price`).
    /// Test control: the project plan's price from now on.
    pub fn set_price(&mut self, ucents: i64) {
        self.cfg.price_ucents = ucents;
    }

    pub(super) fn item_ucents(&self, item: &SimItem) -> i64 {
        if item.parent_item_id.is_some() {
            self.cfg.option_price_ucents
        } else {
            self.cfg.price_ucents
        }
    }

    /// `GET /order/cart/{cartId}/cloud/options?planCode=` → `order.cart.GenericOptionDefinition[]`
    /// (schema): the options of [`EU_OPTIONS`]/[`US_OPTIONS`] for that plan, each with a `renew`
    /// price of `P1M`/`default` like the plan's (tf reads `selected_price` by capacity). A plan
    /// code without options answers an empty list (assumed).
    pub fn cloud_options(
        &mut self,
        cart_id: &str,
        plan_code: &str,
    ) -> SimResult<Vec<GenericOptionDefinition>> {
        self.cart_mut(cart_id)?;
        let pricing = self.monthly_price(self.cfg.option_price_ucents);
        Ok(self
            .option_codes(plan_code)
            .into_iter()
            .map(|code| GenericOptionDefinition {
                plan_code: code.into(),
                product_name: "HDS certification".into(),
                product_type: "delivery".into(),
                // Family and flags assumed.
                family: Some("certification".into()),
                exclusive: false,
                mandatory: false,
                prices: vec![pricing.clone()],
            })
            .collect())
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
        let id = self.next_id(300_000_000);
        let item = SimItem {
            id,
            plan_code: option.plan_code,
            duration: option.duration,
            pricing_mode: option.pricing_mode,
            quantity: option.quantity,
            parent_item_id: Some(parent.id),
            configurations: BTreeMap::new(),
        };
        let price = self.price(self.item_ucents(&item));
        let cart = self.editable_cart(cart_id)?;
        cart.items.insert(id, item);
        let view = Self::item_view(cart_id, &cart.items[&id], &cart.items, price);
        Ok(view)
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
        let id = self.next_id(300_000_000);
        let item = SimItem {
            id,
            plan_code: product.plan_code,
            duration: product.duration,
            pricing_mode: product.pricing_mode,
            quantity: product.quantity,
            parent_item_id: None,
            configurations: BTreeMap::new(),
        };
        let price = self.price(self.cfg.price_ucents);
        let cart = self.editable_cart(cart_id)?;
        cart.items.insert(id, item);
        Ok(Self::item_view(cart_id, &cart.items[&id], &cart.items, price))
    }

    fn item_mut(&mut self, cart_id: &str, item_id: i64) -> SimResult<&mut SimItem> {
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

    /// `GET …/item/{itemId}/requiredConfiguration` → `order.cart.ConfigurationRequirements[]`
    /// (schema order.json): the labels of [`PROJECT_CONFIGURATION_LABELS`], none required, all
    /// `string` (no real answer for a cloud project is known: notes §7, evidence §6).
    pub fn required_configuration(
        &mut self,
        cart_id: &str,
        item_id: i64,
    ) -> SimResult<Vec<ConfigurationRequirement>> {
        self.item_mut(cart_id, item_id)?;
        Ok(PROJECT_CONFIGURATION_LABELS
            .iter()
            .map(|label| ConfigurationRequirement {
                fields: None,
                label: (*label).into(),
                required: false,
                kind: "string".into(),
            })
            .collect())
    }

    /// `POST …/item/{itemId}/configuration` (`order.cart.ItemConfigurationCreation`, schema).
    pub fn add_configuration(
        &mut self,
        cart_id: &str,
        item_id: i64,
        c: ItemConfigurationCreation,
    ) -> SimResult<ConfigurationItem> {
        self.editable_cart(cart_id)?;
        if c.label.is_empty() {
            // `label` is required (schema); message assumed.
            return Err(SimError::bad_request("Missing parameter: label"));
        }
        self.item_mut(cart_id, item_id)?;
        if !PROJECT_CONFIGURATION_LABELS.contains(&c.label.as_str()) {
            // Assumed: a label the item's requiredConfiguration does not list is refused.
            return Err(SimError::bad_request(format!(
                "Configuration label \"{}\" is not accepted for a Public Cloud project item; accepted labels: {}",
                c.label,
                PROJECT_CONFIGURATION_LABELS.join(", ")
            )));
        }
        let id = self.next_id(600_000_000);
        let item = self.item_mut(cart_id, item_id)?;
        if item.configurations.values().any(|(label, _)| *label == c.label) {
            // Assumed: one value per label.
            return Err(SimError::bad_request(format!(
                "Configuration {} already exists for this item",
                c.label
            )));
        }
        item.configurations.insert(id, (c.label.clone(), c.value.clone()));
        Ok(ConfigurationItem {
            id,
            label: c.label,
            value: c.value,
        })
    }

    /// `GET …/configuration?label=` (schema query `label`).
    pub fn configuration_ids(
        &mut self,
        cart_id: &str,
        item_id: i64,
        label: Option<&str>,
    ) -> SimResult<Vec<i64>> {
        let item = self.item_mut(cart_id, item_id)?;
        Ok(item
            .configurations
            .iter()
            .filter(|(_, (l, _))| label.is_none_or(|x| x == l))
            .map(|(id, _)| *id)
            .collect())
    }

    pub fn configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<ConfigurationItem> {
        let item = self.item_mut(cart_id, item_id)?;
        let (label, value) = item
            .configurations
            .get(&id)
            .ok_or_else(|| SimError::not_found("configurationId", id))?;
        Ok(ConfigurationItem {
            id,
            label: label.clone(),
            value: value.clone(),
        })
    }

    pub fn delete_configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<()> {
        self.editable_cart(cart_id)?;
        let item = self.item_mut(cart_id, item_id)?;
        item.configurations
            .remove(&id)
            .map(drop)
            .ok_or_else(|| SimError::not_found("configurationId", id))
    }
}
