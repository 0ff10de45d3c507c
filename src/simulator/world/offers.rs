//! What a cart offers (`…/cloud`, `…/cloud/options`): this API's plan codes and options, with
//! their prices.

use super::*;

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

impl World {
    pub(super) fn plan_codes(&self) -> &'static [&'static str] {
        if self.us() { US_PLAN_CODES } else { EU_PLAN_CODES }
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

    /// `GET /order/cart/{cartId}/cloud/options?planCode=` → `order.cart.GenericOptionDefinition[]`
    /// (schema): the options of `EU_OPTIONS`/`US_OPTIONS` for that plan, each with a `renew`
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
    pub(super) fn option_codes(&self, plan_code: &str) -> Vec<&'static str> {
        let table = if self.us() { US_OPTIONS } else { EU_OPTIONS };
        table
            .iter()
            .filter(|(plan, _)| *plan == plan_code)
            .map(|(_, option)| *option)
            .collect()
    }

    /// Test control: the project plan's price from now on.
    pub fn set_price(&mut self, ucents: i64) {
        self.cfg.price_ucents = ucents;
    }

    /// The price of an item without tax: the project's, or an option's (`--option-price`).
    pub(super) fn item_ucents(&self, item: &SimItem) -> i64 {
        if item.parent_item_id.is_some() {
            self.cfg.option_price_ucents
        } else {
            self.cfg.price_ucents
        }
    }
}
