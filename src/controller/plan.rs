//! The order planner: a pure function from what the user asked (spec), what was done (status) and
//! what OVH said in this pass (observations) to the one next step. No I/O here: every rule of
//! DESIGN §4 — one order per resource, never a checkout on a guess — is decided and tested here.

use std::time::Duration;

use crate::{
    api::{Approval, DeletionPolicy, Payment, Phase, PublicCloudProjectSpec, PublicCloudProjectStatus},
    ovh::model::OrderStatus,
};

/// Prefix of the cart description that marks a cart as this resource's (followed by its UID).
pub const CART_MARKER_PREFIX: &str = "ovh-publiccloud-operator:";

/// The configurations the project item must carry, in the order they are posted.
pub fn desired_configurations(spec: &PublicCloudProjectSpec) -> Vec<(String, String)> {
    let mut all = vec![("description".to_string(), spec.description.clone())];
    if let Some(v) = spec.voucher.as_deref().filter(|v| !v.is_empty()) {
        all.push(("voucher".into(), v.into()));
    }
    all.extend(
        spec.configurations
            .iter()
            .map(|c| (c.label.clone(), c.value.clone())),
    );
    all
}

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
    },
}

/// Result of looking for the order a checkout may have created.
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
    fn usable(&self) -> bool {
        self.status == "VALID"
    }

    fn describe(&self) -> String {
        format!("{} ({})", self.label(), self.status)
    }

    /// How the status names it, e.g. "CREDIT_CARD 1000042".
    pub fn label(&self) -> String {
        format!("{} {}", self.payment_type, self.id)
    }
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
    pub order_search: Option<OrderSearch>,
    pub project_id_from_details: Option<Option<String>>,
    pub project: Option<ProjectSeen>,
    pub termination_token: Option<Option<String>>,
    /// The newest e-mail id of the account (0 when it has none).
    pub newest_email: Option<i64>,
    /// This pass itself began the checkout (so no earlier attempt can be in flight).
    pub checkout_begun: bool,
    /// This pass itself recorded the payment as begun and has not sent it yet.
    pub payment_begun: bool,
}

/// A read the planner needs before it can decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    AccountSubsidiary,
    CartsByMarker(String),
    Cart(String),
    DefaultPaymentMethod,
    OrderStatus(i64),
    OrderExpiry(i64),
    /// The order a checkout may have placed since `since` (RFC 3339; None: the recent orders).
    FindOrder {
        since: Option<String>,
    },
    ProjectIdFromDetails(i64),
    Project(String),
    NewestEmail,
    /// The token of the termination e-mail for the project among e-mails newer than `after`.
    TerminationToken {
        project_id: String,
        after: i64,
    },
}

/// How soon to look again while waiting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Requeue {
    /// A person must act (approve, pay, fix): slow, and on any change of the resource.
    Person,
    /// OVH or a payer is working (payment, checking, delivering, 404 window): seconds at first,
    /// then minutes.
    Progress,
    /// Everything is done: the periodic resync.
    Resync,
    /// Nothing will change without a spec or Secret change.
    SpecChange,
}

/// The next thing to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Look(Lookup),
    // ---- ordering: each is one OVH call (or none), then one status write ----
    CreateCart {
        subsidiary: String,
        marker: String,
        /// The plan code this cart orders (spec, or the subsidiary's default).
        plan_code: String,
    },
    /// A cart with our marker exists but is not in status (created, then the status write lost).
    RecordFoundCart {
        cart_id: String,
    },
    AssignCart {
        cart_id: String,
    },
    AddItem {
        cart_id: String,
        plan_code: String,
    },
    DeleteItem {
        cart_id: String,
        item_id: i64,
    },
    AddConfiguration {
        cart_id: String,
        item_id: i64,
        label: String,
        value: String,
    },
    DeleteConfiguration {
        cart_id: String,
        item_id: i64,
        configuration_id: i64,
    },
    PreviewPrice {
        cart_id: String,
    },
    /// Status write only: recorded before the checkout POST, so a restart knows one may have run.
    BeginCheckout,
    /// Never with autopay: payment follows as its own step, as terraform-provider-ovh does.
    Checkout {
        cart_id: String,
    },
    RecordOrder {
        order_id: i64,
    },
    RecordOrderExpiry(String),
    /// The cart expired before checkout: forget it so a new one is made.
    ForgetCart,
    /// Status write only: recorded before the payment call, so a restart never pays twice.
    BeginPayment {
        /// `None`: the fidelity account.
        method: Option<PaymentMethodSeen>,
    },
    Pay {
        order_id: i64,
        payment_method_id: i64,
    },
    PayWithFidelityAccount {
        order_id: i64,
    },
    RecordOrderStatus(OrderStatus),
    RecordProjectId(String),
    RecordProject {
        status: String,
    },
    // ---- deletion ----
    DeleteCart {
        cart_id: String,
    },
    /// Status write only: the newest e-mail before termination is asked, so only later e-mails
    /// are searched for the token.
    MarkEmails {
        newest: i64,
    },
    RequestTermination {
        project_id: String,
    },
    ConfirmTermination {
        project_id: String,
        token: String,
    },
    /// Remove the finalizer: nothing (more) to do at OVH. The note says what was left and why.
    ReleaseFinalizer {
        note: String,
        warning: bool,
    },
    /// Nothing to do now; stay in `phase` with this condition reason and message.
    Wait {
        phase: Phase,
        reason: &'static str,
        message: String,
        requeue: Requeue,
        warning: bool,
    },
}

/// Everything the planner decides from.
pub struct Input<'a> {
    pub spec: &'a PublicCloudProjectSpec,
    pub status: &'a PublicCloudProjectStatus,
    pub uid: &'a str,
    /// Value of the approve annotation (a cart id).
    pub approval: Option<&'a str>,
    /// Value of the order-id annotation: a person's answer to NeedsAttention.
    pub order_hint: Option<i64>,
    /// Value of the termination-token annotation.
    pub termination_token: Option<&'a str>,
    pub observed: &'a Observed,
    pub now: jiff::Timestamp,
    /// How long an open cart in CheckingOut waits after a checkout began, before it is sent again.
    pub checkout_grace: Duration,
    /// How long after delivery a 404 on the ordered project means "not visible yet".
    pub project_404_window: Duration,
}

/// How long a payment the operator requested may take to show before deletion stops waiting
/// for it (assumed: OVH documents no figure).
pub const PAYMENT_SETTLE: Duration = Duration::from_secs(1800);

fn wait(phase: Phase, reason: &'static str, message: impl Into<String>, requeue: Requeue) -> Step {
    Step::Wait {
        phase,
        reason,
        message: message.into(),
        requeue,
        warning: false,
    }
}

fn warn(phase: Phase, reason: &'static str, message: impl Into<String>, requeue: Requeue) -> Step {
    Step::Wait {
        phase,
        reason,
        message: message.into(),
        requeue,
        warning: true,
    }
}

impl Input<'_> {
    fn marker(&self) -> String {
        format!("{CART_MARKER_PREFIX}{}", self.uid)
    }

    fn checking_out(&self) -> bool {
        matches!(
            self.status.phase,
            Some(Phase::CheckingOut | Phase::NeedsAttention)
        )
    }

    /// The account's subsidiary: from the spec, or read from `GET /me`.
    fn subsidiary(&self) -> Result<String, Step> {
        match (self.spec.ovh_subsidiary, self.observed.subsidiary.as_ref()) {
            (Some(s), _) => Ok(format!("{s:?}")),
            (None, Some(s)) => Ok(s.clone()),
            (None, None) => Err(Step::Look(Lookup::AccountSubsidiary)),
        }
    }

    /// The plan code to order: the spec's, else the one resolved when the cart was made, else
    /// the subsidiary's default.
    fn plan_code(&self) -> Result<String, Step> {
        if let Some(code) = self
            .spec
            .plan
            .plan_code
            .as_ref()
            .or(self.status.plan_code.as_ref())
        {
            return Ok(code.clone());
        }
        self.subsidiary().map(|s| default_plan_code(&s).to_string())
    }

    fn order_url(&self) -> &str {
        self.status
            .order
            .as_ref()
            .and_then(|o| o.url.as_deref())
            .unwrap_or("the OVH console")
    }

    /// Whether a 404 on this ordered project may still mean "not visible yet".
    fn within_404_window(&self) -> bool {
        let delivered = self
            .status
            .delivered_at
            .as_deref()
            .or(self.status.order.as_ref().and_then(|o| o.date.as_deref()))
            .and_then(|t| t.parse::<jiff::Timestamp>().ok());
        // Without a date, assume delivery just happened: waiting is safe, releasing is not.
        delivered.is_none_or(|d| self.now < d + self.project_404_window)
    }

    /// A payment the operator requested that may still go through.
    fn payment_in_flight(&self) -> bool {
        self.status.payment.as_ref().is_some_and(|p| {
            p.refused.is_none()
                && p.requested_at
                    .parse::<jiff::Timestamp>()
                    .is_ok_and(|t| self.now < t + PAYMENT_SETTLE)
        })
    }
}

fn parse_time(t: Option<&str>) -> Option<jiff::Timestamp> {
    t.and_then(|t| t.parse().ok())
}

/// The next step of a resource that is not being deleted.
pub fn plan(input: &Input) -> Step {
    if let Some(project_id) = input.spec.project_id.as_deref().filter(|p| !p.is_empty()) {
        return follow_project(input, project_id, true);
    }
    match input.status.order.as_ref() {
        Some(order) => follow_order(input, order.id, order.status.as_deref()),
        None => prepare_order(input),
    }
}

fn prepare_order(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let Some(cart) = status.cart.as_ref() else {
        if input.checking_out() {
            // A checkout may have run, but we lost the cart too: never order again on a guess.
            return find_lost_order(input, None);
        }
        let Some(found) = observed.marker_carts.as_ref() else {
            return Step::Look(Lookup::CartsByMarker(input.marker()));
        };
        if let Some(cart_id) = found.first() {
            return Step::RecordFoundCart {
                cart_id: cart_id.clone(),
            };
        }
        let subsidiary = match input.subsidiary() {
            Ok(s) => s,
            Err(look) => return look,
        };
        let plan_code = spec
            .plan
            .plan_code
            .clone()
            .unwrap_or_else(|| default_plan_code(&subsidiary).to_string());
        return Step::CreateCart {
            subsidiary,
            marker: input.marker(),
            plan_code,
        };
    };
    let cart_id = cart.id.clone();
    if cart.assigned != Some(true) && !input.checking_out() {
        return Step::AssignCart { cart_id };
    }
    let Some(seen) = observed.cart.as_ref() else {
        return Step::Look(Lookup::Cart(cart_id));
    };
    let since = cart.created_at.clone();
    let items = match seen {
        CartSeen::Gone if input.checking_out() => return find_lost_order(input, since),
        CartSeen::Gone => return Step::ForgetCart,
        CartSeen::Found { read_only: true, .. } => return find_lost_order(input, since),
        CartSeen::Found { items, .. } => items,
    };
    let plan_code = match input.plan_code() {
        Ok(code) => code,
        Err(look) => return look,
    };
    if let Some(step) = configure_item(spec, &plan_code, &cart_id, items) {
        return step;
    }
    let Some(price) = status.price.as_ref() else {
        return Step::PreviewPrice { cart_id };
    };
    if spec.approval == Approval::Manual && input.approval != Some(cart_id.as_str()) {
        let message = format!(
            "Cart {cart_id} costs {} {} with tax. To order it: kubectl annotate pcp <name> \
             publiccloud.ovh-operator.dev/approve={cart_id}",
            price.with_tax, price.currency
        );
        return match input.approval {
            Some(other) => warn(
                Phase::AwaitingApproval,
                "AwaitingApproval",
                format!("The approval names cart {other}, not the current cart. {message}"),
                Requeue::Person,
            ),
            None => wait(
                Phase::AwaitingApproval,
                "AwaitingApproval",
                message,
                Requeue::Person,
            ),
        };
    }
    // A priced order with payment: Automatic needs a usable default method, or nothing is
    // ordered (terraform-provider-ovh fails the same way before checkout).
    if spec.payment == Payment::Automatic && !is_zero(&price.with_tax) {
        let Some(method) = observed.default_payment_method.as_ref() else {
            return Step::Look(Lookup::DefaultPaymentMethod);
        };
        if let Some(problem) = unusable_method(method.as_ref()) {
            return warn(
                Phase::Failed,
                "NoPaymentMethod",
                format!(
                    "payment: Automatic, but {problem} and the order costs {} {}. Add or fix the \
                     default payment method in the OVH console, or set payment: Manual.",
                    price.with_tax, price.currency
                ),
                Requeue::Person,
            );
        }
    }
    if status.phase != Some(Phase::CheckingOut) {
        return Step::BeginCheckout;
    }
    if observed.checkout_begun {
        return Step::Checkout { cart_id };
    }
    // A checkout that began in an earlier pass may still be running at OVH (its answer lost or
    // late): the cart only turns read-only when OVH is done. Wait before sending it again.
    let started = parse_time(cart.checkout_started_at.as_deref());
    if let Some(started) = started
        && input.now < started + input.checkout_grace
    {
        return wait(
            Phase::CheckingOut,
            "Ordering",
            format!(
                "A checkout of cart {cart_id} began at {started} and its outcome is not known yet; \
                 the cart is still open, so it is sent again after {}",
                started + input.checkout_grace
            ),
            Requeue::Progress,
        );
    }
    // Before sending it again, look for an order placed since that checkout began: a slow
    // checkout may have committed after its answer was given up.
    match observed.order_search.as_ref() {
        None => Step::Look(Lookup::FindOrder {
            since: cart.checkout_started_at.clone(),
        }),
        Some(OrderSearch::NotFound) => Step::Checkout { cart_id },
        Some(_) => find_lost_order(input, cart.checkout_started_at.clone()),
    }
}

/// Why this default payment method cannot pay, if it cannot.
fn unusable_method(method: Option<&PaymentMethodSeen>) -> Option<String> {
    match method {
        None => Some("the OVH account has no default payment method".into()),
        Some(m) if !m.usable() => Some(format!(
            "the default payment method {} is not VALID",
            m.describe()
        )),
        Some(_) => None,
    }
}

/// The next change to bring the cart's single project item to the spec, if any.
fn configure_item(
    spec: &PublicCloudProjectSpec,
    plan_code: &str,
    cart_id: &str,
    items: &[ItemSeen],
) -> Option<Step> {
    let cart_id = cart_id.to_string();
    let matches_plan = |i: &ItemSeen| {
        i.plan_code.as_deref() == Some(plan_code)
            && i.duration.as_deref().is_none_or(|d| d == spec.plan.duration)
            && i.pricing_mode
                .as_deref()
                .is_none_or(|p| p == spec.plan.pricing_mode)
    };
    // Exactly one item, of the spec's plan: anything else goes (left by a spec change or a crash).
    let keep = items.iter().find(|i| matches_plan(i));
    if let Some(extra) = items.iter().find(|i| Some(i.item_id) != keep.map(|k| k.item_id)) {
        return Some(Step::DeleteItem {
            cart_id,
            item_id: extra.item_id,
        });
    }
    let Some(item) = keep else {
        return Some(Step::AddItem {
            cart_id,
            plan_code: plan_code.to_string(),
        });
    };
    let desired = desired_configurations(spec);
    if let Some((id, _, _)) = item.configurations.iter().find(|(_, label, value)| {
        !desired.iter().any(|(l, v)| l == label && v == value)
            || item.configurations.iter().filter(|(_, l, _)| l == label).count() > 1
    }) {
        return Some(Step::DeleteConfiguration {
            cart_id,
            item_id: item.item_id,
            configuration_id: *id,
        });
    }
    desired
        .into_iter()
        .find(|(label, _)| !item.configurations.iter().any(|(_, l, _)| l == label))
        .map(|(label, value)| Step::AddConfiguration {
            cart_id,
            item_id: item.item_id,
            label,
            value,
        })
}

fn is_zero(amount: &str) -> bool {
    amount.parse::<f64>().is_ok_and(|v| v == 0.0)
}

/// The checkout may have happened: identify its order, or stop and say what to check.
fn find_lost_order(input: &Input, since: Option<String>) -> Step {
    if let Some(order_id) = input.order_hint {
        return Step::RecordOrder { order_id };
    }
    let search = match input.observed.order_search.as_ref() {
        None => return Step::Look(Lookup::FindOrder { since }),
        Some(OrderSearch::Found(order_id)) => return Step::RecordOrder { order_id: *order_id },
        Some(search) => search,
    };
    let cart = input
        .status
        .cart
        .as_ref()
        .map(|c| c.id.as_str())
        .unwrap_or("(unknown)");
    let seen = match search {
        OrderSearch::Ambiguous(ids) => format!("several orders match it: {ids:?}"),
        OrderSearch::Unverifiable(ids) => format!(
            "orders {ids:?} were placed since, but OVH does not show what they contain on this \
             endpoint (no /extension on the US API), so the operator cannot tell whether one is \
             this resource's"
        ),
        _ => "no order of the account matches it".into(),
    };
    warn(
        Phase::NeedsAttention,
        "NeedsAttention",
        format!(
            "The checkout of cart {cart} was sent but its answer was lost, and {seen}. The operator \
             will not check out again on a guess. Check the orders of your OVH account \
             (https://www.ovh.com/manager/#/billing/orders) for a Public Cloud project named \
             {:?}: annotate this resource with publiccloud.ovh-operator.dev/order-id=<order id> \
             if one exists, or delete and recreate the resource if none does.",
            input.spec.description
        ),
        Requeue::Person,
    )
}

fn follow_order(input: &Input, order_id: i64, recorded: Option<&str>) -> Step {
    let (status, observed) = (input.status, input.observed);
    if let Some(project_id) = status.project_id.as_deref() {
        return follow_project(input, project_id, false);
    }
    let Some(current) = observed.order_status else {
        return Step::Look(Lookup::OrderStatus(order_id));
    };
    if recorded != Some(current.as_str()) {
        return Step::RecordOrderStatus(current);
    }
    let url = input.order_url();
    match current {
        OrderStatus::NotPaid => unpaid_order(input, order_id),
        OrderStatus::Checking | OrderStatus::Delivering => wait(
            Phase::Delivering,
            "Delivering",
            format!("Order {order_id} is {} at OVH", current.as_str()),
            Requeue::Progress,
        ),
        OrderStatus::Delivered => match observed.project_id_from_details.as_ref() {
            None => Step::Look(Lookup::ProjectIdFromDetails(order_id)),
            Some(Some(project_id)) => Step::RecordProjectId(project_id.clone()),
            Some(None) => wait(
                Phase::Delivering,
                "Delivering",
                format!("Order {order_id} is delivered but names no project yet"),
                Requeue::Progress,
            ),
        },
        OrderStatus::Cancelled | OrderStatus::Cancelling => warn(
            Phase::Failed,
            "OrderCancelled",
            format!(
                "OVH cancelled order {order_id}. Check the account's orders and messages; delete and \
                 recreate this resource to order again."
            ),
            Requeue::SpecChange,
        ),
        OrderStatus::DocumentsRequested => warn(
            Phase::NeedsAttention,
            "DocumentsRequested",
            format!(
                "OVH requests documents before delivering order {order_id}: see the OVH console and e-mails"
            ),
            Requeue::Person,
        ),
        OrderStatus::Unknown => warn(
            Phase::NeedsAttention,
            "OrderStatusUnknown",
            format!("OVH reports order {order_id} in an unknown state: check it at {url}"),
            Requeue::Person,
        ),
    }
}

/// An order that is not paid: it may expire; with payment: Automatic the operator pays it once,
/// like OVH's own clients (the fidelity account for a 0-price order, else the default method).
fn unpaid_order(input: &Input, order_id: i64) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let url = input.order_url();
    let order = status.order.as_ref();
    let expires = order.and_then(|o| o.expires_at.as_deref());
    if expires.is_none() {
        match observed.order_expiry.as_ref() {
            None => return Step::Look(Lookup::OrderExpiry(order_id)),
            Some(Some(at)) => return Step::RecordOrderExpiry(at.clone()),
            Some(None) => {}
        }
    }
    if let Some(at) = parse_time(expires).filter(|at| input.now >= *at) {
        return warn(
            Phase::Failed,
            "OrderExpired",
            format!(
                "Order {order_id} was not paid before it expired at {at}; OVH will not deliver it. \
                 Delete and recreate this resource to order again."
            ),
            Requeue::SpecChange,
        );
    }
    if spec.payment == Payment::Manual {
        return wait(
            Phase::AwaitingPayment,
            "AwaitingPayment",
            format!("Order {order_id} waits for payment at {url}"),
            // Payment happens outside Kubernetes: poll (seconds at first, then minutes).
            Requeue::Progress,
        );
    }
    if let Some(payment) = status.payment.as_ref() {
        if let Some(refusal) = payment.refused.as_deref() {
            return warn(
                Phase::AwaitingPayment,
                "PaymentRefused",
                format!(
                    "OVH refused to pay order {order_id} with {}: {refusal}. The operator does not \
                     try again: pay it at {url}",
                    payment.method
                ),
                Requeue::Progress,
            );
        }
        if observed.payment_begun {
            return match status.payment.as_ref().and_then(|p| p.method_id) {
                Some(payment_method_id) => Step::Pay {
                    order_id,
                    payment_method_id,
                },
                None => Step::PayWithFidelityAccount { order_id },
            };
        }
        return wait(
            Phase::AwaitingPayment,
            "PaymentPending",
            format!(
                "Payment of order {order_id} with {} was requested at {}; OVH has not registered it \
                 yet. It is never requested twice: if the order stays unpaid, pay it at {url}",
                payment.method, payment.requested_at
            ),
            Requeue::Progress,
        );
    }
    let free = status.price.as_ref().is_some_and(|p| is_zero(&p.with_tax));
    if free {
        return Step::BeginPayment { method: None };
    }
    let Some(method) = observed.default_payment_method.as_ref() else {
        return Step::Look(Lookup::DefaultPaymentMethod);
    };
    match unusable_method(method.as_ref()) {
        Some(problem) => warn(
            Phase::AwaitingPayment,
            "NoPaymentMethod",
            format!("Order {order_id} is not paid and {problem}: pay it at {url}"),
            Requeue::Progress,
        ),
        None => Step::BeginPayment {
            method: method.clone(),
        },
    }
}

fn follow_project(input: &Input, project_id: &str, adopted: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    if adopted && status.project_id.as_deref() != Some(project_id) {
        return Step::RecordProjectId(project_id.into());
    }
    match observed.project.as_ref() {
        None => Step::Look(Lookup::Project(project_id.into())),
        Some(ProjectSeen::NotFound) if adopted => warn(
            Phase::Failed,
            "ProjectNotFound",
            format!("OVH knows no project {project_id} for these credentials"),
            Requeue::SpecChange,
        ),
        Some(ProjectSeen::NotFound) if input.within_404_window() => wait(
            Phase::Delivering,
            "ProjectNotVisibleYet",
            format!(
                "Project {project_id} is delivered but OVH does not show it yet (this takes minutes, \
                 terraform-provider-ovh#1288)"
            ),
            Requeue::Progress,
        ),
        Some(ProjectSeen::NotFound) => warn(
            Phase::NeedsAttention,
            "ProjectNotFound",
            format!(
                "Project {project_id} was delivered more than {} ago and OVH still answers 404 for it: \
                 check the account's projects in the OVH console",
                jiff::SignedDuration::try_from(input.project_404_window).unwrap_or_default()
            ),
            Requeue::Person,
        ),
        Some(ProjectSeen::Expired) => warn(
            Phase::NeedsAttention,
            "ProjectExpired",
            format!("Project {project_id} has expired at OVH (HTTP 460): renew it in the OVH console"),
            Requeue::Resync,
        ),
        Some(ProjectSeen::Found { status: s }) if status.project_status.as_deref() != Some(s.as_str()) => {
            Step::RecordProject { status: s.clone() }
        }
        Some(ProjectSeen::Found { status: s }) if s == "ok" => wait(
            Phase::Ready,
            "Ready",
            format!("Project {project_id} is ok"),
            Requeue::Resync,
        ),
        Some(ProjectSeen::Found { status: s }) if s == "creating" => wait(
            Phase::Delivering,
            "Delivering",
            format!("Project {project_id} is being created"),
            Requeue::Progress,
        ),
        Some(ProjectSeen::Found { status: s }) => warn(
            Phase::NeedsAttention,
            "ProjectNotOk",
            format!("Project {project_id} is {s} at OVH"),
            Requeue::Resync,
        ),
    }
}

/// The next step of a resource being deleted.
pub fn plan_deletion(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let adopted = spec.project_id.clone().filter(|p| !p.is_empty());
    let project_id = adopted.clone().or_else(|| status.project_id.clone());
    let terminate = spec.deletion_policy == DeletionPolicy::Terminate;
    if let Some(project_id) = project_id {
        if !terminate {
            return release(
                format!("Project {project_id} stays at OVH (deletionPolicy: Orphan)"),
                false,
            );
        }
        return terminate_project(input, project_id, adopted.is_some());
    }
    if let Some(order) = status.order.as_ref() {
        let Some(current) = observed.order_status else {
            return Step::Look(Lookup::OrderStatus(order.id));
        };
        return match current {
            // A payment the operator asked for may still go through and deliver a project.
            OrderStatus::NotPaid if terminate && input.payment_in_flight() => wait(
                Phase::Terminating,
                "PaymentPending",
                format!(
                    "Order {} is not paid yet, but the payment requested at {} may still go through; \
                     its project is terminated if it is delivered",
                    order.id,
                    status
                        .payment
                        .as_ref()
                        .map(|p| p.requested_at.as_str())
                        .unwrap_or_default()
                ),
                Requeue::Progress,
            ),
            OrderStatus::NotPaid | OrderStatus::Cancelled | OrderStatus::Cancelling => release(
                format!(
                    "Order {} is {} and delivers nothing unless paid; nothing to terminate. Do not pay \
                     it at {}",
                    order.id,
                    current.as_str(),
                    input.order_url()
                ),
                false,
            ),
            _ if !terminate => release(
                format!(
                    "Order {} ({}) and its project stay at OVH (deletionPolicy: Orphan)",
                    order.id,
                    current.as_str()
                ),
                false,
            ),
            OrderStatus::Delivered => match observed.project_id_from_details.as_ref() {
                None => Step::Look(Lookup::ProjectIdFromDetails(order.id)),
                Some(Some(p)) => Step::RecordProjectId(p.clone()),
                Some(None) => wait(
                    Phase::Terminating,
                    "Terminating",
                    "Waiting for the order to name its project",
                    Requeue::Progress,
                ),
            },
            _ => wait(
                Phase::Terminating,
                "Terminating",
                format!(
                    "Waiting for order {} to be delivered, to terminate its project",
                    order.id
                ),
                Requeue::Progress,
            ),
        };
    }
    if input.checking_out() {
        let since = status.cart.as_ref().and_then(|c| c.created_at.clone());
        if terminate && input.order_hint.is_none() && observed.order_search.is_none() {
            return Step::Look(Lookup::FindOrder { since });
        }
        if let Some(order_id) = input.order_hint {
            return Step::RecordOrder { order_id };
        }
        if let Some(OrderSearch::Found(order_id)) = observed.order_search.as_ref() {
            return Step::RecordOrder { order_id: *order_id };
        }
        return release(
            "A checkout was sent but its outcome is unknown: check the OVH account's orders for a project \
             named after this resource; the operator leaves it alone"
                .into(),
            true,
        );
    }
    match status.cart.as_ref() {
        Some(cart) if observed.cart.is_none() => Step::Look(Lookup::Cart(cart.id.clone())),
        Some(cart) if matches!(observed.cart, Some(CartSeen::Found { read_only: false, .. })) => {
            Step::DeleteCart {
                cart_id: cart.id.clone(),
            }
        }
        _ => release("Nothing was ordered".into(), false),
    }
}

fn terminate_project(input: &Input, project_id: String, adopted: bool) -> Step {
    let (status, observed) = (input.status, input.observed);
    match observed.project.as_ref() {
        None => return Step::Look(Lookup::Project(project_id)),
        // Our own order's project answers 404 for minutes after delivery: releasing now would
        // leave a billed project behind (terraform-provider-ovh#1288, #1377).
        Some(ProjectSeen::NotFound) if !adopted && input.within_404_window() => {
            return wait(
                Phase::Terminating,
                "ProjectNotVisibleYet",
                format!(
                    "Project {project_id} was just delivered and OVH does not show it yet; it is \
                     terminated as soon as it is visible"
                ),
                Requeue::Progress,
            );
        }
        Some(ProjectSeen::NotFound) => {
            return release(
                format!("Project {project_id} does not exist at OVH (404): nothing to terminate"),
                true,
            );
        }
        Some(ProjectSeen::Expired) => {
            return release(
                format!("Project {project_id} has expired at OVH (460): nothing left to terminate"),
                true,
            );
        }
        Some(ProjectSeen::Found { status: s }) if s == "deleted" || s == "deleting" => {
            return release(format!("Project {project_id} is {s} at OVH"), false);
        }
        Some(ProjectSeen::Found { .. }) => {}
    }
    let Some(termination) = status.termination.as_ref() else {
        return match observed.newest_email {
            None => Step::Look(Lookup::NewestEmail),
            Some(newest) => Step::MarkEmails { newest },
        };
    };
    if termination.requested_at.is_none() {
        return Step::RequestTermination { project_id };
    }
    if let Some(token) = input.termination_token {
        return Step::ConfirmTermination {
            project_id,
            token: token.into(),
        };
    }
    match observed.termination_token.as_ref() {
        None => Step::Look(Lookup::TerminationToken {
            project_id,
            after: termination.emails_after,
        }),
        Some(Some(token)) => Step::ConfirmTermination {
            project_id,
            token: token.clone(),
        },
        Some(None) => wait(
            Phase::Terminating,
            "Terminating",
            format!(
                "Waiting for OVH's termination e-mail for project {project_id} (it can take many \
                 minutes); or annotate this resource with \
                 publiccloud.ovh-operator.dev/termination-token=<token from the e-mail>. If OVH \
                 sends none (terraform-provider-ovh documents no termination on ovh-us), terminate \
                 the project in the OVH console, then remove the finalizer."
            ),
            Requeue::Progress,
        ),
    }
}

fn release(note: String, warning: bool) -> Step {
    Step::ReleaseFinalizer { note, warning }
}

#[cfg(test)]
mod tests;
