//! Carts (`order.cart.*`): a cart, its cloud item and settings, the offers and configuration
//! labels an item accepts. Everything before a checkout.

use serde::{Deserialize, Serialize};

use super::Price;

/// `order.cart.Creation`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CartCreation {
    pub ovh_subsidiary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire: Option<String>,
}

/// `order.cart.Cart`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Cart {
    pub cart_id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub expire: Option<String>,
    #[serde(default)]
    pub items: Vec<i64>,
    #[serde(default)]
    pub read_only: bool,
}

/// `order.cart.GenericProductCreation`: the cloud project item.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenericProductCreation {
    pub plan_code: String,
    pub duration: String,
    pub pricing_mode: String,
    pub quantity: i64,
}

/// `order.cart.Item`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Item {
    pub cart_id: String,
    pub item_id: i64,
    #[serde(default)]
    pub product_id: String,
    #[serde(default)]
    pub configurations: Option<Vec<i64>>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub offer_id: Option<String>,
    #[serde(default)]
    pub options: Vec<i64>,
    #[serde(default)]
    pub parent_item_id: Option<i64>,
    #[serde(default)]
    pub prices: Vec<CartPrice>,
    #[serde(default)]
    pub settings: ItemSettings,
}

/// `order.cart.ItemSettings`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemSettings {
    #[serde(default)]
    pub plan_code: Option<String>,
    #[serde(default)]
    pub pricing_mode: Option<String>,
    #[serde(default)]
    pub quantity: Option<i64>,
}

/// `order.cart.Price`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CartPrice {
    pub label: String,
    pub price: Price,
    #[serde(default)]
    pub promotions: Option<Vec<serde_json::Value>>,
}

/// `order.cart.ItemConfigurationCreation`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ItemConfigurationCreation {
    pub label: String,
    pub value: String,
}

/// `order.cart.ConfigurationItem`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConfigurationItem {
    pub id: i64,
    pub label: String,
    pub value: String,
}

/// `order.cart.GenericProductDefinition`: one offer of `GET /order/cart/{cartId}/cloud`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenericProductDefinition {
    pub plan_code: String,
    pub product_name: String,
    pub product_type: String,
    pub prices: Vec<GenericProductPricing>,
}

/// `order.cart.GenericProductPricing`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenericProductPricing {
    pub capacities: Vec<String>,
    pub description: String,
    pub duration: String,
    pub interval: i64,
    #[serde(default)]
    pub maximum_quantity: Option<i64>,
    #[serde(default)]
    pub maximum_repeat: Option<i64>,
    pub minimum_quantity: i64,
    pub minimum_repeat: i64,
    pub price: Price,
    pub price_in_ucents: i64,
    pub pricing_mode: String,
    pub pricing_type: String,
}

/// `order.cart.ConfigurationRequirements`: a configuration label an item accepts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ConfigurationRequirement {
    #[serde(default)]
    pub fields: Option<Vec<String>>,
    pub label: String,
    pub required: bool,
    #[serde(rename = "type")]
    pub kind: String,
}

/// `order.cart.GenericOptionCreation`: an option of a cart item (all fields required by the
/// schema; terraform-provider-ovh `ovh/order.go` sets `itemId` to the product item's id and
/// `quantity` to 1).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenericOptionCreation {
    pub item_id: i64,
    pub plan_code: String,
    pub duration: String,
    pub pricing_mode: String,
    pub quantity: i64,
}

/// `order.cart.GenericOptionDefinition`: one option of `GET /order/cart/{cartId}/cloud/options`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GenericOptionDefinition {
    pub plan_code: String,
    #[serde(default)]
    pub product_name: String,
    #[serde(default)]
    pub product_type: String,
    #[serde(default)]
    pub family: Option<String>,
    #[serde(default)]
    pub exclusive: bool,
    #[serde(default)]
    pub mandatory: bool,
    #[serde(default)]
    pub prices: Vec<GenericProductPricing>,
}
