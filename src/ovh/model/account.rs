//! The account (`nichandle`, `me.payment`): who the credentials belong to, its payment methods,
//! the e-mails OVH sent it, and the OAuth2 token answer.

use serde::{Deserialize, Serialize};

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
