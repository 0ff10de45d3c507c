//! The planner's reads: each [`Lookup`] becomes one or more OVH GETs whose answer is recorded
//! in the pass's [`Observed`]. Reads only: nothing here changes anything at OVH.

use std::time::Duration;

use jiff::Timestamp;

use super::plan::{
    self, CartSeen, ItemSeen, Lookup, Observed, OrderSearch, PaymentMethodSeen, ProjectSeen, UserSeen,
};
use crate::{
    api::{PublicCloudProjectSpec, PublicCloudProjectStatus},
    ovh::{
        OvhClient, OvhError,
        order::{is_project_id, termination_token},
    },
};

/// Performs one lookup and records what OVH said.
pub async fn lookup_into(
    ovh: &OvhClient,
    lookup: &Lookup,
    spec: &PublicCloudProjectSpec,
    status: &PublicCloudProjectStatus,
    observed: &mut Observed,
) -> Result<(), OvhError> {
    match lookup {
        Lookup::AccountSubsidiary => observed.subsidiary = Some(ovh.me().await?.ovh_subsidiary),
        Lookup::CartsByMarker(marker) => {
            observed.marker_carts = Some(ovh.carts_by_description(marker).await?)
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
            observed.order_expiry = Some(ovh.order(*order_id).await?.expiration_date)
        }
        Lookup::FindOrder { since } => {
            observed.order_search = Some(find_order(ovh, spec, status, since.as_deref()).await?)
        }
        Lookup::ProjectIdFromDetails(order_id) => {
            observed.project_id_from_details = Some(project_id_of_order(ovh, *order_id).await?)
        }
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
        Lookup::ExistingProject { description } => {
            // Shared by every resource of these credentials for a short while: a burst of new
            // resources makes one listing.
            let projects = ovh.project_descriptions(Duration::from_secs(5)).await?;
            observed.existing_project = Some(
                projects
                    .into_iter()
                    .find(|(_, d)| d.as_deref() == Some(description.as_str()))
                    .map(|(id, _)| id),
            );
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
            observed.marker_users = Some(ids);
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
        // Kubernetes: the reconcile loop reads it.
        Lookup::OutputsSecret(_) => unreachable!("the reconcile loop reads the outputs Secret"),
    }
    Ok(())
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

/// Looks for the order a checkout may have created: among the orders placed since `since`
/// (`GET /me/order?date.from=`, with a margin for clock skew), those whose item carries exactly
/// this resource's plan and configurations. Orders whose content OVH does not show (no
/// `/extension` on the US API) cannot be told apart and are reported as such.
async fn find_order(
    ovh: &OvhClient,
    spec: &PublicCloudProjectSpec,
    status: &PublicCloudProjectStatus,
    since: Option<&str>,
) -> Result<OrderSearch, OvhError> {
    let after = since
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t - Duration::from_secs(300));
    let plan_code = spec.plan.plan_code.as_ref().or(status.plan_code.as_ref());
    let mut want = plan::desired_configurations(spec);
    want.sort();
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
    let (mut matches, mut unverifiable) = (Vec::new(), Vec::new());
    for order_id in ids {
        let order = ovh.order(order_id).await?;
        let date = order.date.as_deref().and_then(|d| d.parse::<Timestamp>().ok());
        if let (Some(after), Some(date)) = (after, date)
            && date < after
        {
            continue;
        }
        let mut shown = false;
        for detail in ovh.order_details(order_id).await? {
            let extension = match ovh.order_detail_extension(order_id, detail).await {
                Ok(e) => e,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            shown = true;
            let mut got: Vec<(String, String)> = extension
                .order
                .configurations
                .into_iter()
                .map(|c| (c.label, c.value))
                .collect();
            got.sort();
            let same_plan = plan_code.is_none_or(|p| extension.order.plan.code.as_ref() == Some(p));
            if same_plan && got == want {
                matches.push(order_id);
                break;
            }
        }
        if !shown {
            unverifiable.push(order_id);
        }
    }
    Ok(match (matches.as_slice(), unverifiable.is_empty()) {
        ([one], true) => OrderSearch::Found(*one),
        ([], true) => OrderSearch::NotFound,
        ([], false) => OrderSearch::Unverifiable(unverifiable),
        (many, _) => OrderSearch::Ambiguous([many, &unverifiable].concat()),
    })
}
