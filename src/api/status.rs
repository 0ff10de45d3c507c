//! What the operator reports in `.status`: phase, conditions, and what it did at OVH (cart,
//! price, order, payment, project, termination). Every doc comment is what `kubectl explain`
//! shows.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the operator observed and did. Written only by the operator.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PublicCloudProjectStatus {
    /// Where the order stands: Pending, CartReady, AwaitingApproval, CheckingOut,
    /// AwaitingPayment, Delivering, Ready, Failed, NeedsAttention or Terminating.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<Phase>,

    /// The metadata.generation this status was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_generation: Option<i64>,

    /// When the operator recorded that it creates a cart (before `POST /order/cart`): a cart
    /// missing from status is then looked for by its marker, in case the answer was lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart_requested_at: Option<String>,

    /// The OVH cart holding the project item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cart: Option<CartStatus>,

    /// Price of the cart as previewed by OVH before checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<PriceStatus>,

    /// A cart given up before checkout because what is bought (plan, configurations, voucher,
    /// description, options) changed after its price was shown: it was deleted at OVH and a new
    /// cart made. An approval naming it does not apply to the new cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub abandoned_cart: Option<String>,

    /// The OVH order created by checkout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<RecordedOrder>,

    /// Who approved the checkout (the approve annotation's author, stamped at admission).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,

    /// Id of the delivered (or adopted) Public Cloud project.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_id: Option<String>,

    /// The project's status at OVH: creating, ok, suspended, deleting or deleted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_status: Option<String>,

    /// The spec.description the project's name (OVH's description) was last reconciled from:
    /// the ordered name at delivery, the spec's when the project was adopted or first followed,
    /// the new name after each rename. A spec.description differing from it renames the project;
    /// a rename made elsewhere (the OVH console) is left alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_description: Option<String>,

    /// The plan code ordered: spec.plan.planCode, or the endpoint's default when it is omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_code: Option<String>,

    /// The operator's payment of the order (payment: Automatic). A payment is requested again
    /// only when it cannot have been charged: after a 429, or when the order is still notPaid
    /// and OVH shows no payment for it once --payment-settle has passed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentStatus>,

    /// When the delivered order named its project. OVH answers 404 on a new project for minutes
    /// (terraform-provider-ovh#1288); until --project-404-window after this, a 404 means "not
    /// visible yet", never "gone".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivered_at: Option<String>,

    /// Termination of the project (deletionPolicy: Terminate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub termination: Option<TerminationStatus>,

    /// The OpenStack user of spec.openstackUser. Its password is never here: only in the
    /// spec.writeOutputsTo Secret.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openstack_user: Option<OpenstackUserStatus>,

    /// What OVH bills the project this month, and the service's state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<super::SpendStatus>,

    /// The budget alert the operator made at OVH (spec.budget).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<super::BudgetStatus>,

    /// The project's regions (spec.regions).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<super::RegionsStatus>,

    /// The project's quota policy and quotas (spec.quota).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<super::QuotaStatus>,

    /// Ready, OrderPlaced and CredentialsValid.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

impl PublicCloudProjectStatus {
    /// A checkout may have placed an order whose id is not recorded: CheckingOut, or
    /// NeedsAttention because a checkout's answer was lost (the Ready reason says which
    /// NeedsAttention; e.g. ProjectExists stops before any cart).
    pub fn checkout_may_have_run(&self) -> bool {
        match self.phase {
            Some(Phase::CheckingOut) => true,
            Some(Phase::NeedsAttention) => self
                .conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.reason == "NeedsAttention"),
            _ => false,
        }
    }

    /// Something may have been bought: an order id is recorded, or a checkout may have run.
    /// The CRD's rules freeze what is bought from then on; the same rule is written in CEL
    /// (`ORDER_STARTED` in the resource's definition), and tests/crd.rs checks both agree.
    pub fn order_may_exist(&self) -> bool {
        self.order.is_some() || self.checkout_may_have_run()
    }
}

impl super::PublicCloudProjectSpec {
    /// The project spec.projectId names, when it names one.
    pub fn adopted_id(&self) -> Option<&str> {
        self.project_id.as_deref().filter(|p| !p.is_empty())
    }

    /// The resource's project is not delivered by an order of its own: adopted by spec.projectId,
    /// or by spec.onExisting (no order recorded).
    pub fn adopts(&self, status: &PublicCloudProjectStatus) -> bool {
        self.adopted_id().is_some() || status.order.is_none()
    }
}

/// Phase of a PublicCloudProject.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Pending,
    CartReady,
    AwaitingApproval,
    CheckingOut,
    AwaitingPayment,
    Delivering,
    Ready,
    Failed,
    NeedsAttention,
    Terminating,
}

/// The OVH cart.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CartStatus {
    /// OVH cart id.
    pub id: String,
    /// When the operator created (or found) the cart; orders of a lost checkout are looked for after it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the operator began checking the cart out. After a restart, an open cart is not checked
    /// out again before the operator's --checkout-grace has passed: an earlier checkout may still be
    /// in progress at OVH.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_started_at: Option<String>,
    /// Whether the cart is bound to the account (POST /order/cart/{id}/assign succeeded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<bool>,
    /// When OVH discards the cart if it is not checked out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// Id of the project item in the cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_id: Option<i64>,
    /// Ids of the item configurations posted so far, in spec order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub configuration_ids: Vec<i64>,
    /// When an item or option was posted whose answer was not recorded (a timeout, a lost answer,
    /// a crash); cleared by the answer. The cart is not checked out before --checkout-grace has
    /// passed since: a late commit would add a second project to the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_posted_at: Option<String>,
}

/// A price previewed by OVH.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PriceStatus {
    /// Total with tax, e.g. "0.00".
    pub with_tax: String,
    /// Total without tax.
    pub without_tax: String,
    /// ISO currency code, e.g. EUR.
    pub currency: String,
}

/// The OVH order.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RecordedOrder {
    /// OVH order id.
    pub id: i64,
    /// Page where a person pays the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// OVH order status: notPaid, checking, delivering, delivered, cancelled, documentsRequested…
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// When OVH created the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// When an unpaid order expires (OVH's expirationDate): past it, the order is Failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The OVH API the order was placed on (its base URL): order ids are unique per API only, so
    /// which resource holds an order is told by both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// The order's own price, as OVH placed it (the checkout's answer, or the order read back):
    /// never paid automatically above status.price (the price shown and approved) or a ceiling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price: Option<PriceStatus>,
}

/// A payment the operator attempted.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PaymentStatus {
    /// What pays: fidelityAccount (a 0-price order) or the default payment method, e.g.
    /// "CREDIT_CARD 1000042".
    pub method: String,
    /// Id of the payment method used (none for the fidelity account).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_id: Option<i64>,
    /// When the payment was last recorded as begun (before each call, so a restart never sends
    /// one the status does not know of).
    pub requested_at: String,
    /// How many times the payment was requested (absent: once). It is requested again only
    /// after a 429, or when, past --payment-settle, the order is still notPaid and OVH shows no
    /// payment for it; at most 3 times in all.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts: Option<u32>,
    /// OVH answered 429 (Too Many Requests): the request was not processed, and is made again
    /// after this time (OVH's Retry-After, or a short default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deferred_until: Option<String>,
    /// OVH's answer when it refused the payment; a person then pays at status.order.url.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl PaymentStatus {
    /// How many times the payment was requested (a status from before `attempts`: once).
    pub fn attempts(&self) -> u32 {
        self.attempts.unwrap_or(1)
    }
}

/// Where a termination stands.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TerminationStatus {
    /// The newest e-mail id of the account before termination was asked: only later e-mails
    /// can carry its token (terraform-provider-ovh ovh/order.go does the same).
    pub emails_after: i64,
    /// When OVH accepted the termination request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_at: Option<String>,
}

/// The project's OpenStack user, as the operator made it.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OpenstackUserStatus {
    /// When the operator recorded that it creates the user (before the POST): a user missing
    /// from status is then looked for by its description marker, never created twice.
    pub requested_at: String,
    /// OVH's id of the user (recorded right after OVH's answer, before anything else).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The OpenStack user name (OS_USERNAME).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    /// When the user was deleted at OVH (deletion of this resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<String>,
}
