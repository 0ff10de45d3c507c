//! OVH v1 wire types, named after their schema models and spelled as OVH sends them. Optional and
//! unknown fields are tolerated on input (OVH adds fields over time); the simulator serialises the
//! same types, so every field the schema marks non-nullable is always written.

use serde::{Deserialize, Serialize};

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

/// `order.Price`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub currency_code: String,
    #[serde(default)]
    pub price_in_ucents: Option<i64>,
    #[serde(default)]
    pub text: String,
    pub value: f64,
}

impl Price {
    /// Builds a price from micro-cents, the exact unit OVH counts in.
    pub fn from_ucents(ucents: i64, currency: &str) -> Self {
        let value = ucents as f64 / 100_000_000.0;
        let symbol = if currency == "EUR" { " €" } else { "" };
        Self {
            currency_code: currency.into(),
            price_in_ucents: Some(ucents),
            text: format!("{value:.2}{symbol}"),
            value,
        }
    }

    /// The amount with two decimals, from micro-cents when OVH sent them (no float rounding).
    pub fn decimal(&self) -> String {
        match self.price_in_ucents {
            Some(u) => format!("{}.{:02}", u / 100_000_000, (u % 100_000_000).abs() / 1_000_000),
            None => format!("{:.2}", self.value),
        }
    }
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

/// `order.cart.Checkout`.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Checkout {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_pay_with_preferred_payment_method: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waive_retractation_period: Option<bool>,
}

impl Checkout {
    /// The checkout of an API order: OVH's guide requires waiving the retractation period for
    /// orders placed through the API; `auto_pay` charges the default payment method.
    pub fn api_order(auto_pay: bool) -> Self {
        Self {
            auto_pay_with_preferred_payment_method: Some(auto_pay),
            waive_retractation_period: Some(true),
        }
    }
}

/// `order.Order`: a checkout preview (`orderId` null) or the order a checkout created.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    #[serde(default)]
    pub order_id: Option<i64>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub contracts: Vec<Contract>,
    #[serde(default)]
    pub details: Vec<OrderDetail>,
    pub prices: OrderPrices,
}

/// `order.Contract`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Contract {
    pub name: String,
    pub url: String,
    pub content: String,
}

/// `order.OrderPrices`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderPrices {
    pub with_tax: Price,
    pub without_tax: Price,
    pub tax: Price,
    #[serde(default)]
    pub original_without_tax: Option<Price>,
    #[serde(default)]
    pub reduction: Option<Price>,
}

/// `order.OrderDetail` (inside a checkout).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetail {
    #[serde(default, rename = "cartItemID")]
    pub cart_item_id: Option<i64>,
    pub description: String,
    #[serde(default)]
    pub detail_type: Option<String>,
    pub domain: String,
    pub quantity: i64,
    pub unit_price: Price,
    pub total_price: Price,
    pub original_total_price: Price,
    pub reduction_total_price: Price,
    #[serde(default)]
    pub reductions: Vec<serde_json::Value>,
}

/// `nichandle.Nichandle`: its non-nullable fields (the many optional contact fields are left out).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub nichandle: String,
    pub ovh_subsidiary: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub currency: serde_json::Value,
    #[serde(default)]
    pub legalform: String,
    #[serde(default)]
    pub ovh_company: String,
    #[serde(default)]
    pub state: String,
}

/// `me.payment.PaymentMethod`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PaymentMethod {
    pub payment_method_id: i64,
    #[serde(default)]
    pub payment_mean_id: Option<i64>,
    pub payment_type: String,
    #[serde(default)]
    pub payment_sub_type: Option<String>,
    pub status: String,
    pub default: bool,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub icon: serde_json::Value,
    #[serde(default)]
    pub integration: Option<String>,
    pub creation_date: String,
    pub last_update: String,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub billing_contact_id: Option<i64>,
    #[serde(default)]
    pub oneclick: Option<bool>,
    #[serde(default)]
    pub merchant_id: Option<String>,
    #[serde(default)]
    pub form_session_id: Option<String>,
}

/// `billing.Order` (`GET /me/order/{orderId}`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BillingOrder {
    pub order_id: i64,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub expiration_date: Option<String>,
    #[serde(default)]
    pub retraction_date: Option<String>,
    #[serde(default)]
    pub metadatas: Option<Vec<String>>,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub pdf_url: String,
    pub url: String,
    pub price_with_tax: Price,
    pub price_without_tax: Price,
    pub tax: Price,
}

/// `billing.order.OrderStatusEnum`. Unknown future values map to `Unknown` rather than failing.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum OrderStatus {
    NotPaid,
    Checking,
    Delivering,
    Delivered,
    Cancelled,
    Cancelling,
    DocumentsRequested,
    #[serde(other)]
    Unknown,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotPaid => "notPaid",
            Self::Checking => "checking",
            Self::Delivering => "delivering",
            Self::Delivered => "delivered",
            Self::Cancelled => "cancelled",
            Self::Cancelling => "cancelling",
            Self::DocumentsRequested => "documentsRequested",
            Self::Unknown => "unknown",
        }
    }
}

/// `billing.OrderDetail` (`GET /me/order/{orderId}/details/{orderDetailId}`). Note `quantity` is a
/// string here, unlike in `order.OrderDetail`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BillingOrderDetail {
    pub order_detail_id: i64,
    pub description: String,
    #[serde(default)]
    pub detail_type: Option<String>,
    pub domain: String,
    #[serde(default)]
    pub cancelled: bool,
    pub quantity: String,
    pub total_price: Price,
    pub unit_price: Price,
}

/// `billing.ItemDetail` (`…/details/{orderDetailId}/extension`).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ItemDetail {
    pub order: ItemDetailOrder,
}

/// `billing.ItemDetail.Order`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ItemDetailOrder {
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub configurations: Vec<ItemConfigurationCreation>,
    pub plan: ItemDetailPlan,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
}

/// `billing.ItemDetail.OrderPlan`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ItemDetailPlan {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub duration: Option<String>,
    #[serde(default)]
    pub pricing_mode: Option<String>,
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub product: serde_json::Value,
}

/// An operation of an order detail (`GET /me/order/{orderId}/details/{orderDetailId}/operations/{id}`).
/// US only: there the project id is `resource.name`, since US orders have no `/extension`
/// (terraform-provider-ovh `ovh/types_me_order.go` `MeOrderDetailOperation`, PR #455).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailOperation {
    pub id: i64,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub quantity: Option<serde_json::Value>,
    pub resource: OrderDetailOperationResource,
}

/// The service an order operation made.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OrderDetailOperationResource {
    pub name: String,
    #[serde(default)]
    pub state: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
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

/// Body of `POST /me/order/{orderId}/pay`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PayWithPaymentMethod {
    pub payment_method: PaymentMethodRef,
}

/// `billing.order.PaymentMethod`: a reference by id.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PaymentMethodRef {
    pub id: i64,
}

/// Body of `POST /me/order/{orderId}/payWithRegisteredPaymentMean`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PayWithRegisteredPaymentMean {
    pub payment_mean: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_mean_id: Option<i64>,
}

/// `cloud.ProjectWithIAM`. OVH spells `project_id` in snake case.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Project {
    #[serde(rename = "project_id")]
    pub project_id: String,
    #[serde(default)]
    pub project_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub status: String,
    #[serde(default)]
    pub access: String,
    #[serde(default)]
    pub plan_code: String,
    #[serde(default)]
    pub order_id: Option<i64>,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default)]
    pub expiration: Option<String>,
    #[serde(default)]
    pub manual_quota: bool,
    #[serde(default)]
    pub unleash: bool,
    #[serde(default)]
    pub iam: Option<serde_json::Value>,
}

/// Body of `POST /cloud/project/{serviceName}/confirmTermination`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmTermination {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub future_use: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commentary: Option<String>,
}

/// `nichandle.EmailNotification`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EmailNotification {
    pub id: i64,
    pub date: String,
    pub subject: String,
    pub body: String,
}

/// OAuth2 token endpoint answer.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TokenResponse {
    pub access_token: String,
    pub token_type: String,
    pub expires_in: u64,
    #[serde(default)]
    pub scope: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn models_read_ovh_shaped_samples_with_unknown_and_null_fields() {
        let cart: Cart = parse(
            json!({"cartId": "c1", "description": "d", "expire": null, "items": [1], "readOnly": false, "newField": 1}),
        );
        assert_eq!((cart.cart_id.as_str(), cart.items.as_slice()), ("c1", &[1][..]));

        let price = json!({"currencyCode": "EUR", "priceInUcents": 1_234_000_000i64, "text": "12.34 €", "value": 12.34});
        let item: Item = parse(
            json!({"cartId": "c1", "itemId": 7, "productId": "cloud", "configurations": null,
            "duration": "P1M", "offerId": null, "options": [], "parentItemId": null,
            "prices": [{"label": "TOTAL", "price": price, "promotions": null}],
            "settings": {"planCode": "project.2018", "pricingMode": "default", "quantity": 1}}),
        );
        assert_eq!(item.prices[0].price.decimal(), "12.34");

        let preview: Order = parse(
            json!({"orderId": null, "url": null, "contracts": [], "details": [],
            "prices": {"withTax": price, "withoutTax": price, "tax": price, "originalWithoutTax": null, "reduction": null}}),
        );
        assert_eq!(preview.order_id, None);

        let detail: BillingOrderDetail =
            parse(json!({"orderDetailId": 1, "description": "Public Cloud Project",
            "detailType": "DURATION", "domain": "0123456789ab4cdef0123456789abcde", "cancelled": false,
            "quantity": "1", "totalPrice": price, "unitPrice": price}));
        assert_eq!(detail.quantity, "1", "billing.OrderDetail.quantity is a string");

        let project: Project = parse(
            json!({"project_id": "p", "projectName": null, "description": "d", "status": "ok",
            "access": "full", "planCode": "project.2018", "orderId": 5, "creationDate": "2026-01-01T00:00:00+01:00",
            "expiration": null, "manualQuota": false, "unleash": false, "iam": null}),
        );
        assert_eq!(
            (project.project_id.as_str(), project.status.as_str()),
            ("p", "ok")
        );

        assert_eq!(
            parse::<OrderStatus>(json!("documentsRequested")),
            OrderStatus::DocumentsRequested
        );
        assert_eq!(
            parse::<OrderStatus>(json!("somethingNew")),
            OrderStatus::Unknown,
            "future statuses do not break"
        );
        assert_eq!(
            serde_json::to_value(OrderStatus::NotPaid).unwrap(),
            json!("notPaid")
        );
    }

    #[test]
    fn prices_are_exact_in_micro_cents() {
        assert_eq!(Price::from_ucents(0, "EUR").decimal(), "0.00");
        assert_eq!(Price::from_ucents(1_250_000_000, "EUR").text, "12.50 €");
        assert_eq!(Price::from_ucents(1_000_000, "EUR").decimal(), "0.01");
        let no_ucents = Price {
            currency_code: "EUR".into(),
            price_in_ucents: None,
            text: String::new(),
            value: 3.999,
        };
        assert_eq!(no_ucents.decimal(), "4.00");
    }
}
