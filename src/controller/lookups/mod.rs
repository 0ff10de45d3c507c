//! The planner's reads: each [`Lookup`] becomes one or more OVH GETs whose answer is recorded
//! in the pass's [`Observed`]. Reads only: nothing here changes anything at OVH.

use std::time::Duration;

use jiff::Timestamp;

use super::plan::{
    self, CartSeen, Holders, Holding, ItemSeen, Lookup, Observed, OrderItemSeen, OrderSeen,
    PaymentMethodSeen, PaymentSeen, ProjectSeen, UserSeen,
};
use super::stage::{Cluster, Failed};

mod day_two;
use crate::ovh::{
    OvhClient, OvhError,
    order::{is_project_id, termination_token},
    orders::OrderContents,
};

/// Performs one lookup and records what OVH (or the cluster, for the outputs Secret) said.
pub async fn lookup_into<C: Cluster + Holders + Sync>(
    ovh: &OvhClient,
    cluster: &C,
    lookup: &Lookup,
    observed: &mut Observed,
) -> Result<(), Failed<C::Error>> {
    if let Lookup::ExistingProject { description } = lookup {
        // Shared by every resource of these credentials for a short while: a burst of new
        // resources makes one listing. A project another resource holds is never this one's
        // (the planner skips those), so its description need not be read: after a start, the
        // projects of an account of 10,000 are not all read yet.
        let held = |id: &str| cluster.held_elsewhere(&Holding::Project(id.to_string()));
        let named = ovh
            .projects_described(Duration::from_secs(5), description, &held)
            .await?;
        observed.existing_project = Some(named);
        return Ok(());
    }
    if let Lookup::OutputsSecret(name) = lookup {
        let seen = cluster.read_outputs(name).await;
        observed.outputs_secret = Some(seen.map_err(|error| Failed::Cluster {
            secret: name.clone(),
            error,
        })?);
        return Ok(());
    }
    Ok(read_ovh(ovh, lookup, observed).await?)
}

/// The project's reads (and its users' and termination e-mails'): the other OVH lookups are the
/// order's ([`read_ovh`]).
async fn read_project_side(
    ovh: &OvhClient,
    lookup: &Lookup,
    observed: &mut Observed,
) -> Result<(), OvhError> {
    match lookup {
        Lookup::Project(project_id) => {
            observed.project = Some(match ovh.project(project_id).await {
                Ok(p) => ProjectSeen::Found {
                    status: p.status,
                    description: p.description,
                },
                Err(e) if e.is_not_found() => ProjectSeen::NotFound,
                Err(e) if e.is_expired() => ProjectSeen::Expired,
                Err(e) => return Err(e),
            })
        }
        Lookup::NewestEmail => {
            observed.newest_email = Some(ovh.email_history().await?.into_iter().max().unwrap_or(0))
        }
        Lookup::TerminationToken { project_id, after } => {
            // Only e-mails newer than the request can carry its token (terraform-provider-ovh
            // ovh/order.go); newest first, at most MAX_EMAILS_READ of them.
            let ids = ovh.emails_after(*after).await?;
            let mut token = None;
            for id in ids {
                if let Some(t) = termination_token(&ovh.email(id).await?.body, project_id) {
                    token = Some(t);
                    break;
                }
            }
            observed.termination_token = Some(token);
        }
        Lookup::UserByMarker { project_id, marker } => {
            observed.marker_users = Some(users_by_marker(ovh, project_id, marker).await?)
        }
        Lookup::User { project_id, user_id } => {
            observed.user = Some(match ovh.user(project_id, *user_id).await {
                Ok(u) => UserSeen::Found {
                    status: u.status,
                    username: u.username,
                },
                Err(e) if e.is_not_found() => UserSeen::NotFound,
                Err(e) => return Err(e),
            })
        }
        Lookup::Openrc {
            project_id,
            user_id,
            region,
        } => {
            // terraform-provider-ovh asks with region=to_be_overriden and keeps only the auth URL,
            // tenant and user name (resource_cloud_project_user.go cloudUserGetOpenstackRC).
            let asked = region.as_deref().unwrap_or("to_be_overriden");
            let content = ovh.openrc(project_id, *user_id, asked).await?.content;
            let mut vars = plan::parse_openrc(&content);
            if region.is_none() {
                vars.remove("OS_REGION_NAME");
            }
            observed.openrc = Some(vars);
        }
        day_two => {
            day_two::read_day_two(ovh, day_two, observed).await?;
        }
    }
    Ok(())
}

/// Performs one OVH lookup.
async fn read_ovh(ovh: &OvhClient, lookup: &Lookup, observed: &mut Observed) -> Result<(), OvhError> {
    match lookup {
        Lookup::AccountSubsidiary => observed.subsidiary = Some(ovh.me().await?.ovh_subsidiary),
        Lookup::CartsByMarker(marker) => {
            observed.marker_carts = Some(ovh.carts_by_description(marker).await?)
        }
        Lookup::CartPrice(cart_id) => {
            observed.current_price = Some(super::stage::price_of(
                &ovh.checkout_preview(cart_id).await?.prices,
            ))
        }
        Lookup::Cart(cart_id) => observed.cart = Some(read_cart(ovh, cart_id).await?),
        Lookup::DefaultPaymentMethod => {
            let mut method = None;
            if let Some(id) = ovh.default_payment_methods().await?.first() {
                let m = ovh.payment_method(*id).await?;
                method = Some(PaymentMethodSeen {
                    id: m.payment_method_id,
                    payment_type: m.payment_type,
                    status: m.status,
                });
            }
            observed.default_payment_method = Some(method);
        }
        Lookup::OrderStatus(order_id) => observed.order_status = Some(ovh.order_status(*order_id).await?),
        Lookup::OrderExpiry(order_id) => {
            let order = ovh.order(*order_id).await?;
            observed.order_price = Some(super::stage::price_of_order(&order));
            observed.order_expiry = Some(order.expiration_date);
        }
        Lookup::OrderPayment(order_id) => {
            observed.order_payment = Some(match ovh.order_payment(*order_id).await {
                Ok(p) => PaymentSeen::Found {
                    date: p.payment_date,
                    mean: p.payment_type,
                },
                // Assumed: OVH documents no answer for an order without a payment; only a 404
                // reads as "none" (the planner fails closed on anything else).
                Err(e) if e.is_not_found() => PaymentSeen::NotFound,
                // Already retried by the client: the pass fails and is retried with backoff.
                Err(e) if e.is_transient() => return Err(e),
                Err(e) => PaymentSeen::Unknown(e.to_string()),
            })
        }
        Lookup::FindOrder { since } => {
            let (orders, unread) = recent_orders(ovh, since.as_deref()).await?;
            observed.recent_orders = Some(orders);
            observed.orders_left_unread = unread;
        }
        Lookup::HintedOrder(order_id) => observed.hinted_order = Some(order_seen(ovh, *order_id).await?),
        Lookup::ProjectIdFromDetails(order_id) => {
            observed.project_id_from_details = Some(project_id_of_order(ovh, *order_id).await?)
        }
        project_side => read_project_side(ovh, project_side, observed).await?,
    }
    Ok(())
}

/// The project's users whose description carries `marker`, lowest id first.
async fn users_by_marker(ovh: &OvhClient, project_id: &str, marker: &str) -> Result<Vec<i64>, OvhError> {
    // The whole list answers with each user's description: one call (cloud.user.User[]).
    let mut ids: Vec<i64> = ovh
        .users(project_id)
        .await?
        .into_iter()
        .filter(|u| u.description == *marker || u.description.ends_with(&format!("({marker})")))
        .filter(|u| u.status != "deleted" && u.status != "deleting")
        .map(|u| u.id)
        .collect();
    ids.sort_unstable();
    Ok(ids)
}

async fn read_cart(ovh: &OvhClient, cart_id: &str) -> Result<CartSeen, OvhError> {
    let cart = match ovh.cart(cart_id).await {
        Ok(c) => c,
        Err(e) if e.is_not_found() => return Ok(CartSeen::Gone),
        Err(e) => return Err(e),
    };
    let mut items = Vec::new();
    for item_id in &cart.items {
        let item = ovh.item(cart_id, *item_id).await?;
        let mut configurations = Vec::new();
        // An option item (it has a parent) carries no configuration the operator sets.
        if item.parent_item_id.is_none() {
            for id in ovh.configurations(cart_id, *item_id).await? {
                let c = ovh.configuration(cart_id, *item_id, id).await?;
                configurations.push((c.id, c.label, c.value));
            }
        }
        items.push(ItemSeen {
            item_id: *item_id,
            plan_code: item.settings.plan_code,
            duration: item.duration,
            pricing_mode: item.settings.pricing_mode,
            parent_item_id: item.parent_item_id,
            configurations,
        });
    }
    Ok(CartSeen::Found {
        read_only: cart.read_only,
        items,
    })
}

/// The project an order delivered: the detail whose domain is a project id (an order has
/// several details: terraform-provider-ovh PRs #361, #478), else, on the US API where no detail
/// names it, an operation's `resource.name` (terraform-provider-ovh resource_cloud_project.go).
async fn project_id_of_order(ovh: &OvhClient, order_id: i64) -> Result<Option<String>, OvhError> {
    let details = ovh.order_details(order_id).await?;
    for detail in &details {
        let d = ovh.order_detail(order_id, *detail).await?;
        if is_project_id(&d.domain) {
            return Ok(Some(d.domain));
        }
    }
    for detail in &details {
        let operations = match ovh.order_detail_operations(order_id, *detail).await {
            Ok(ops) => ops,
            // Not on the EU/CA API.
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e),
        };
        for op in operations {
            let name = ovh
                .order_detail_operation(order_id, *detail, op)
                .await?
                .resource
                .name;
            if is_project_id(&name) {
                return Ok(Some(name));
            }
        }
    }
    Ok(None)
}

/// The most orders one search reads that no earlier search read: the rest are read by the
/// resource's next passes (the order cache keeps what each pass read), so one pass stays short
/// and other resources' passes go on between.
const MAX_ORDERS_READ_PER_PASS: usize = 100;

/// The orders a checkout may have created, each with its contents: those placed since `since`
/// (`GET /me/order?date.from=`, with a margin for clock skew; the client refuses a list too long
/// to search), or the 20 newest without a date. The planner judges which one, if any, is ours —
/// once none is left unread (the count returned).
async fn recent_orders(ovh: &OvhClient, since: Option<&str>) -> Result<(Vec<OrderSeen>, usize), OvhError> {
    let after = since
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t - Duration::from_secs(300));
    let mut ids = match after {
        Some(after) => {
            ovh.orders_since(&after.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string())
                .await?
        }
        None => ovh.orders().await?,
    };
    ids.sort_unstable_by(|a, b| b.cmp(a));
    if after.is_none() {
        ids.truncate(20);
    }
    let (mut seen, mut reads, mut unread) = (Vec::new(), 0, 0);
    for order_id in ids {
        if !ovh.order_contents_kept(order_id) {
            if reads == MAX_ORDERS_READ_PER_PASS {
                unread += 1;
                continue;
            }
            reads += 1;
        }
        let contents = ovh.order_contents(order_id).await?;
        let date = contents.date.as_deref().and_then(|d| d.parse::<Timestamp>().ok());
        if let (Some(after), Some(date)) = (after, date)
            && date < after
        {
            continue;
        }
        seen.push(order_seen_of(&contents));
    }
    tracing::debug!(orders = ?seen, unread, "orders a lost checkout may have placed");
    Ok((seen, unread))
}

/// One order's contents (each detail's `extension`: plan and configurations; `items: None` when
/// no detail has one, the US API), read once per client and shared by every search
/// (`ovh::orders`).
async fn order_seen(ovh: &OvhClient, order_id: i64) -> Result<OrderSeen, OvhError> {
    Ok(order_seen_of(&*ovh.order_contents(order_id).await?))
}

fn order_seen_of(contents: &OrderContents) -> OrderSeen {
    let items = contents.items.as_ref().map(|items| {
        items
            .iter()
            .map(|order| OrderItemSeen {
                plan_code: order.plan.code.clone(),
                configurations: order
                    .configurations
                    .iter()
                    .map(|c| (c.label.clone(), c.value.clone()))
                    .collect(),
            })
            .collect()
    });
    OrderSeen {
        id: contents.order_id,
        items,
    }
}
