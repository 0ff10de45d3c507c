//! The order planner: a pure function from what the user asked (spec), what was done (status) and
//! what OVH said in this pass (observations) to the one next step. No I/O here: every rule of
//! DESIGN §4 — one order per resource, never a checkout on a guess — is decided and tested here.

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
    NotFound,
    Found { status: String },
}

/// Result of looking for the order a lost checkout created.
#[derive(Clone, Debug, PartialEq)]
pub enum OrderSearch {
    Found(i64),
    NotFound,
    Ambiguous(Vec<i64>),
}

/// Facts read from OVH during this reconcile pass (reads only; each is looked up when needed).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observed {
    pub subsidiary: Option<String>,
    pub marker_carts: Option<Vec<String>>,
    pub cart: Option<CartSeen>,
    pub default_payment_methods: Option<Vec<i64>>,
    pub order_status: Option<OrderStatus>,
    pub order_search: Option<OrderSearch>,
    pub project_id_from_details: Option<Option<String>>,
    pub project: Option<ProjectSeen>,
    pub termination_token: Option<Option<String>>,
    /// This pass itself began the checkout (so no earlier attempt can be in flight).
    pub checkout_begun: bool,
}

/// A read the planner needs before it can decide.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookup {
    AccountSubsidiary,
    CartsByMarker(String),
    Cart(String),
    DefaultPaymentMethods,
    OrderStatus(i64),
    /// The order of a checked-out cart whose checkout answer was lost.
    FindOrder,
    ProjectIdFromDetails(i64),
    Project(String),
    TerminationToken(String),
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
    Checkout {
        cart_id: String,
        auto_pay: bool,
    },
    RecordOrder {
        order_id: i64,
    },
    /// The cart expired before checkout: forget it so a new one is made.
    ForgetCart,
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
    pub checkout_grace: std::time::Duration,
}

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
}

/// The next step of a resource that is not being deleted.
pub fn plan(input: &Input) -> Step {
    let (status, observed) = (input.status, input.observed);
    if let Some(project_id) = input.spec.project_id.as_deref().filter(|p| !p.is_empty()) {
        return follow_project(project_id, status, observed, true);
    }
    match status.order.as_ref() {
        Some(order) => follow_order(input, order.id, order.status.as_deref()),
        None => prepare_order(input),
    }
}

fn prepare_order(input: &Input) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    let Some(cart) = status.cart.as_ref() else {
        if input.checking_out() {
            // A checkout may have run, but we lost the cart too: never order again on a guess.
            return find_lost_order(input);
        }
        let Some(found) = observed.marker_carts.as_ref() else {
            return Step::Look(Lookup::CartsByMarker(input.marker()));
        };
        if let Some(cart_id) = found.first() {
            return Step::RecordFoundCart {
                cart_id: cart_id.clone(),
            };
        }
        let subsidiary = match spec.ovh_subsidiary {
            Some(s) => format!("{s:?}"),
            None => match observed.subsidiary.as_ref() {
                Some(s) => s.clone(),
                None => return Step::Look(Lookup::AccountSubsidiary),
            },
        };
        return Step::CreateCart {
            subsidiary,
            marker: input.marker(),
        };
    };
    let cart_id = cart.id.clone();
    if cart.assigned != Some(true) && !input.checking_out() {
        return Step::AssignCart { cart_id };
    }
    let Some(seen) = observed.cart.as_ref() else {
        return Step::Look(Lookup::Cart(cart_id));
    };
    let items = match seen {
        CartSeen::Gone if input.checking_out() => return find_lost_order(input),
        CartSeen::Gone => return Step::ForgetCart,
        CartSeen::Found { read_only: true, .. } => return find_lost_order(input),
        CartSeen::Found { items, .. } => items,
    };
    if let Some(step) = configure_item(spec, &cart_id, items) {
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
    let auto_pay = spec.payment == Payment::Automatic;
    if auto_pay {
        let Some(methods) = observed.default_payment_methods.as_ref() else {
            return Step::Look(Lookup::DefaultPaymentMethods);
        };
        if methods.is_empty() && !is_zero(&price.with_tax) {
            return warn(
                Phase::Failed,
                "NoPaymentMethod",
                format!(
                    "payment: Automatic, but the OVH account has no default payment method and the order \
                     costs {} {}. Add a payment method in the OVH console, or set payment: Manual.",
                    price.with_tax, price.currency
                ),
                Requeue::Person,
            );
        }
    }
    if status.phase != Some(Phase::CheckingOut) {
        return Step::BeginCheckout;
    }
    // A checkout that began in an earlier pass may still be running at OVH (its answer lost or
    // late): the cart only turns read-only when OVH is done. Wait before sending it again.
    let started = cart
        .checkout_started_at
        .as_deref()
        .and_then(|t| t.parse::<jiff::Timestamp>().ok());
    if let Some(started) = started.filter(|_| !observed.checkout_begun)
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
    Step::Checkout { cart_id, auto_pay }
}

/// The next change to bring the cart's single project item to the spec, if any.
fn configure_item(spec: &PublicCloudProjectSpec, cart_id: &str, items: &[ItemSeen]) -> Option<Step> {
    let cart_id = cart_id.to_string();
    let matches_plan = |i: &ItemSeen| {
        i.plan_code.as_deref() == Some(spec.plan.plan_code.as_str())
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
        return Some(Step::AddItem { cart_id });
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
fn find_lost_order(input: &Input) -> Step {
    if let Some(order_id) = input.order_hint {
        return Step::RecordOrder { order_id };
    }
    match input.observed.order_search.as_ref() {
        None => Step::Look(Lookup::FindOrder),
        Some(OrderSearch::Found(order_id)) => Step::RecordOrder { order_id: *order_id },
        Some(search) => {
            let cart = input
                .status
                .cart
                .as_ref()
                .map(|c| c.id.as_str())
                .unwrap_or("(unknown)");
            let seen = match search {
                OrderSearch::Ambiguous(ids) => format!("several orders match it: {ids:?}"),
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
    }
}

fn follow_order(input: &Input, order_id: i64, recorded: Option<&str>) -> Step {
    let (spec, status, observed) = (input.spec, input.status, input.observed);
    if let Some(project_id) = status.project_id.as_deref() {
        return follow_project(project_id, status, observed, false);
    }
    let Some(current) = observed.order_status else {
        return Step::Look(Lookup::OrderStatus(order_id));
    };
    if recorded != Some(current.as_str()) {
        return Step::RecordOrderStatus(current);
    }
    let url = status
        .order
        .as_ref()
        .and_then(|o| o.url.as_deref())
        .unwrap_or("the OVH console");
    match current {
        OrderStatus::NotPaid if spec.payment == Payment::Automatic => {
            let Some(methods) = observed.default_payment_methods.as_ref() else {
                return Step::Look(Lookup::DefaultPaymentMethods);
            };
            let free = status.price.as_ref().is_some_and(|p| is_zero(&p.with_tax));
            match methods.first() {
                Some(id) => Step::Pay {
                    order_id,
                    payment_method_id: *id,
                },
                None if free => Step::PayWithFidelityAccount { order_id },
                None => warn(
                    Phase::AwaitingPayment,
                    "NoPaymentMethod",
                    format!("The account has no default payment method: pay order {order_id} at {url}"),
                    Requeue::Person,
                ),
            }
        }
        OrderStatus::NotPaid => wait(
            Phase::AwaitingPayment,
            "AwaitingPayment",
            format!("Order {order_id} waits for payment at {url}"),
            // Payment happens outside Kubernetes: poll (seconds at first, then minutes).
            Requeue::Progress,
        ),
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

fn follow_project(
    project_id: &str,
    status: &PublicCloudProjectStatus,
    observed: &Observed,
    adopted: bool,
) -> Step {
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
        Some(ProjectSeen::NotFound) => wait(
            Phase::Delivering,
            "Delivering",
            format!("Project {project_id} is delivered but OVH does not show it yet"),
            Requeue::Progress,
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
    let project_id = spec
        .project_id
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| status.project_id.clone());
    let terminate = spec.deletion_policy == DeletionPolicy::Terminate;
    if let Some(project_id) = project_id {
        if !terminate {
            return release(
                format!("Project {project_id} stays at OVH (deletionPolicy: Orphan)"),
                false,
            );
        }
        return terminate_project(input, project_id);
    }
    if let Some(order) = status.order.as_ref() {
        let Some(current) = observed.order_status else {
            return Step::Look(Lookup::OrderStatus(order.id));
        };
        return match current {
            OrderStatus::NotPaid | OrderStatus::Cancelled | OrderStatus::Cancelling => release(
                format!(
                    "Order {} is {} and delivers nothing; nothing to terminate",
                    order.id,
                    current.as_str()
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
        if terminate && input.order_hint.is_none() && observed.order_search.is_none() {
            return Step::Look(Lookup::FindOrder);
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

fn terminate_project(input: &Input, project_id: String) -> Step {
    let (status, observed) = (input.status, input.observed);
    match observed.project.as_ref() {
        None => return Step::Look(Lookup::Project(project_id)),
        Some(ProjectSeen::NotFound) => {
            return release(format!("Project {project_id} no longer exists at OVH"), false);
        }
        Some(ProjectSeen::Found { status: s }) if s == "deleted" || s == "deleting" => {
            return release(format!("Project {project_id} is {s} at OVH"), false);
        }
        Some(ProjectSeen::Found { .. }) => {}
    }
    if status.phase != Some(Phase::Terminating) {
        return Step::RequestTermination { project_id };
    }
    if let Some(token) = input.termination_token {
        return Step::ConfirmTermination {
            project_id,
            token: token.into(),
        };
    }
    match observed.termination_token.as_ref() {
        None => Step::Look(Lookup::TerminationToken(project_id)),
        Some(Some(token)) => Step::ConfirmTermination {
            project_id,
            token: token.clone(),
        },
        Some(None) => wait(
            Phase::Terminating,
            "Terminating",
            format!(
                "Waiting for OVH's termination e-mail for project {project_id}; or annotate this resource \
                 with publiccloud.ovh-operator.dev/termination-token=<token from the e-mail>"
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
