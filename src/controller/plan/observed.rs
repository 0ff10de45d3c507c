//! What the planner reads: OVH's answers gathered during one pass ([`Observed`]), and the reads
//! it may ask for ([`Lookup`]).

use super::*;

/// What OVH showed of the cart in this pass.
#[derive(Clone, Debug, PartialEq)]
pub enum CartSeen {
    /// 404: expired or deleted.
    Gone,
    Found {
        read_only: bool,
        items: Vec<ItemSeen>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ItemSeen {
    pub item_id: i64,
    pub plan_code: Option<String>,
    pub duration: Option<String>,
    pub pricing_mode: Option<String>,
    /// The item this one is an option of (`order.cart.Item.parentItemId`); None for a project
    /// item.
    pub parent_item_id: Option<i64>,
    /// (configuration id, label, value)
    pub configurations: Vec<(i64, String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProjectSeen {
    /// 404: not visible yet (minutes after delivery, terraform-provider-ovh#1288) or gone.
    NotFound,
    /// 460: the service expired; OVH answers it on every call about it (python-ovh
    /// `ResourceExpiredError`).
    Expired,
    Found {
        status: String,
        /// The project's name at OVH (`cloud.Project.description`, may be null).
        description: Option<String>,
    },
}

/// What OVH bills a project, and its service's state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SpendSeen {
    pub current: Option<String>,
    pub forecast: Option<String>,
    pub currency: Option<String>,
    pub period: Option<String>,
    pub updated_at: Option<String>,
    pub service: Option<String>,
    pub expires_at: Option<String>,
}

/// A budget alert of the project as OVH shows it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AlertSeen {
    pub id: String,
    pub name: Option<String>,
    pub monthly_threshold: i64,
    pub delay: i64,
    pub emails: Vec<String>,
    pub service: Option<String>,
}

/// An order of the account as OVH shows it (`GET /me/order/{id}` and its details' `extension`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderSeen {
    pub id: i64,
    /// What its details contain, one entry per detail with an `extension`; `None` when OVH shows
    /// none (no `/extension` on the US API).
    pub items: Option<Vec<OrderItemSeen>>,
}

/// One detail's content: the plan ordered and the configurations sent with it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OrderItemSeen {
    pub plan_code: Option<String>,
    pub configurations: Vec<(String, String)>,
}

/// The planner's judgement of the orders a checkout may have created.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderSearch {
    Found(i64),
    NotFound,
    Ambiguous(Vec<i64>),
    /// Orders placed in the window whose content OVH does not show (no `/extension` on the US
    /// API): they may be ours, so nothing is ordered on a guess.
    Unverifiable(Vec<i64>),
}

/// The account's default payment method.
#[derive(Clone, Debug, PartialEq)]
pub struct PaymentMethodSeen {
    pub id: i64,
    /// `me.payment.PaymentMethod.paymentType`, e.g. CREDIT_CARD, SEPA_DIRECT_DEBIT, BANK_ACCOUNT.
    pub payment_type: String,
    /// `me.payment.method.StatusEnum`; only VALID can pay (ovh/manager filters on it).
    pub status: String,
}

impl PaymentMethodSeen {
    pub(crate) fn usable(&self) -> bool {
        self.status == "VALID"
    }

    pub(crate) fn describe(&self) -> String {
        format!("{} ({})", self.label(), self.status)
    }

    /// How the status names it, e.g. "CREDIT_CARD 1000042".
    pub fn label(&self) -> String {
        format!("{} {}", self.payment_type, self.id)
    }
}

/// What OVH shows of an order's payment (`GET /me/order/{orderId}/payment`, `billing.Payment`).
#[derive(Clone, Debug, PartialEq)]
pub enum PaymentSeen {
    /// 404: OVH shows no payment for the order.
    NotFound,
    /// A `billing.Payment`: a payment exists, whatever the order's status says yet.
    Found {
        date: Option<String>,
        mean: Option<String>,
    },
    /// Any other answer (a 403 for a key without the right, a 5xx, an unreadable body): a payment
    /// may exist. The text says what OVH answered.
    Unknown(String),
}

/// The fidelity account pays 0-price orders (terraform-provider-ovh PR #540, ovh/manager).
pub const FIDELITY_ACCOUNT: &str = "fidelityAccount";

/// The plan code of a Public Cloud project when the spec names none: `project` on the US API,
/// `project.2018` elsewhere (terraform-provider-ovh PR #455, issue #217). The US API is the one
/// whose accounts have the subsidiary US.
pub fn default_plan_code(subsidiary: &str) -> &'static str {
    if subsidiary == "US" {
        "project"
    } else {
        "project.2018"
    }
}

/// Facts read from OVH during this reconcile pass (reads only; each is looked up when needed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    pub subsidiary: Option<String>,
    pub marker_carts: Option<Vec<String>>,
    pub cart: Option<CartSeen>,
    /// The default payment method, `Some(None)` when the account has none.
    pub default_payment_method: Option<Option<PaymentMethodSeen>>,
    pub order_status: Option<OrderStatus>,
    /// The order's `expirationDate` (`Some(None)`: OVH gives none).
    pub order_expiry: Option<Option<String>>,
    /// The cart's price read again just before the checkout.
    pub current_price: Option<crate::api::PriceStatus>,
    /// The order's own price (read with its expiry).
    pub order_price: Option<crate::api::PriceStatus>,
    /// The order's payment as OVH shows it (read only before a payment is requested again).
    pub order_payment: Option<PaymentSeen>,
    /// The orders placed in the window a lost checkout may have used (`FindOrder`).
    pub recent_orders: Option<Vec<OrderSeen>>,
    /// Orders of that window not read yet (a search reads a hundred new ones per pass).
    pub orders_left_unread: usize,
    /// The order the order-id annotation names, as OVH shows it.
    pub hinted_order: Option<OrderSeen>,
    pub project_id_from_details: Option<Option<String>>,
    pub project: Option<ProjectSeen>,
    pub termination_token: Option<Option<String>>,
    /// The projects of the account with this resource's description (`Some(vec![])`: none).
    pub existing_project: Option<Vec<String>>,
    /// The newest e-mail id of the account (0 when it has none).
    pub newest_email: Option<i64>,
    /// The outputs Secret (`Some(None)`: it does not exist).
    pub outputs_secret: Option<Option<SecretSeen>>,
    /// The ids of the project's live users carrying this resource's marker, lowest first
    /// (`Some(vec![])`: none).
    pub marker_users: Option<Vec<i64>>,
    /// The recorded user as OVH shows it.
    pub user: Option<UserSeen>,
    /// The recorded user's openrc variables.
    pub openrc: Option<std::collections::BTreeMap<String, String>>,
    /// The project's spend and service state, read on the spend schedule.
    pub spend: Option<SpendSeen>,
    /// The project's budget alerts (all of them: the planner tells ours by the marker).
    pub alerts: Option<Vec<AlertSeen>>,
    /// The ids of the alerts OVH sent for the recorded budget alert.
    pub alerts_sent: Option<Vec<i64>>,
    /// The project's active regions.
    pub regions: Option<Vec<String>>,
    /// The regions OVH offers the project.
    pub available_regions: Option<Vec<String>>,
    /// The project's instance quotas per region.
    pub quotas: Option<Vec<crate::api::RegionQuotaStatus>>,
}

/// What this pass itself did (status writes of intents, a password OVH gave): the planner's
/// memory of the pass, not a read.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Memory {
    /// This pass itself recorded the budget alert's creation.
    pub budget_begun: bool,
    /// The region this pass itself recorded as asked for (so it is sent now, once).
    pub region_begun: Option<String>,
    /// This pass itself recorded the cart's creation (so no earlier create can be unrecorded).
    pub cart_begun: bool,
    /// This pass itself began the checkout (so no earlier attempt can be in flight).
    pub checkout_begun: bool,
    /// This pass itself recorded the termination as begun (no earlier request can be unrecorded).
    pub termination_begun: bool,
    /// This pass itself recorded the payment as begun and has not sent it yet.
    pub payment_begun: bool,
    /// A password OVH gave in this pass (creation or regeneration) not yet in the Secret. Held
    /// in memory only; redacted in Debug.
    pub new_password: Option<Sensitive>,
    /// This pass itself recorded the user's creation (so no earlier create can be unrecorded).
    pub user_begun: bool,
    /// This pass wrote the outputs Secret: a password OVH gives now can be written too. No
    /// password is asked of OVH (user creation, regeneration) before this holds.
    pub outputs_writable: bool,
}

/// A read the planner needs before it can decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    AccountSubsidiary,
    CartsByMarker(String),
    Cart(String),
    DefaultPaymentMethod,
    /// The cart's price now (the checkout's dry run), just before buying.
    CartPrice(String),
    OrderStatus(i64),
    OrderExpiry(i64),
    /// `GET /me/order/{orderId}/payment`: whether OVH registered a payment for the order.
    OrderPayment(i64),
    /// The order a checkout may have placed since `since` (RFC 3339; None: the recent orders).
    FindOrder {
        since: Option<String>,
    },
    /// The order the order-id annotation names, with its contents.
    HintedOrder(i64),
    ProjectIdFromDetails(i64),
    Project(String),
    NewestEmail,
    /// A project of the account whose description is this one.
    ExistingProject {
        description: String,
    },
    /// The token of the termination e-mail for the project among e-mails newer than `after`.
    TerminationToken {
        project_id: String,
        after: i64,
    },
    /// Kubernetes only: the outputs Secret of this name.
    OutputsSecret(String),
    /// The project's user whose description carries `marker`.
    UserByMarker {
        project_id: String,
        marker: String,
    },
    User {
        project_id: String,
        user_id: i64,
    },
    /// The user's openrc (v3) for `region` (None: terraform-provider-ovh's placeholder, whose
    /// OS_REGION_NAME is then not kept).
    Openrc {
        project_id: String,
        user_id: i64,
        region: Option<String>,
    },
    /// The project's spend this month (`usage/current`, `usage/forecast`) and `serviceInfos`.
    Spend(String),
    /// The project's budget alerts (`…/alerting` and each one).
    Alerts(String),
    /// The alerts OVH sent for one budget alert (`…/alerting/{id}/alert`).
    AlertsSent {
        project_id: String,
        alert_id: String,
    },
    /// The project's active regions (`…/region`).
    Regions(String),
    /// The regions OVH offers the project (`…/regionAvailable`).
    AvailableRegions(String),
    /// The project's quotas per region (`…/quota`).
    Quotas(String),
}

impl Lookup {
    /// The variant's name only (`Cart`): its fields are ids and the spec's words.
    pub fn name(&self) -> String {
        let debug = format!("{self:?}");
        debug
            .split(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or_default()
            .to_string()
    }
}
