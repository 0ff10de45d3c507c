//! Orders: the checkout and the order it places (`order.*`), then that order as billing knows it
//! (`billing.*`: status, details, the operations that name the project) and how it is paid.

use serde::{Deserialize, Serialize};

use super::{ItemConfigurationCreation, Price};

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

/// `billing.Payment` (`GET /me/order/{orderId}/payment`, schema me.json: "Details about a
/// payment"): every property optional on the wire, so an answer with fewer fields still reads as
/// a payment. `paymentType` is a `billing.PaymentMeanEnum` (kept as text: new values must not
/// turn "a payment exists" into a decode error).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BillingPayment {
    #[serde(default)]
    pub payment_date: Option<String>,
    #[serde(default)]
    pub payment_identifier: Option<String>,
    #[serde(default)]
    pub payment_type: Option<String>,
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
