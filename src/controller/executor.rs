//! Carries out one planned action: at most one OVH call (a status-only action makes none), and
//! returns what happened as an [`Outcome`]. No status edits here: [`super::outcome::apply`]
//! records outcomes. Refusals that only a person can fix are explained with what OVH offers.

use super::{
    outcome::Outcome,
    plan::{Act, Token},
};
use crate::{
    api::{PriceStatus, PublicCloudProjectSpec, PublicCloudProjectStatus},
    ovh::{
        OvhClient, OvhError,
        model::{
            BillingOrder, CartCreation, Checkout, GenericOptionCreation, GenericProductCreation,
            ItemConfigurationCreation, OrderPrices, ProjectUserCreation,
        },
    },
};

/// Whether `act` makes no OVH call: it only records an intent or what a lookup saw. The status
/// it changes may be written together with later ones, as long as it is written before the next
/// OVH call (the reconcile loop flushes before every call) — that is all exactly-once needs.
pub fn status_only(act: &Act) -> bool {
    matches!(
        act,
        Act::BeginCart
            | Act::BeginCheckout { .. }
            | Act::BeginPayment { .. }
            | Act::BeginPaymentAgain
            | Act::RecordOrderExpiry(_)
            | Act::ForgetCart
            | Act::RecordOrderStatus(_)
            | Act::RecordProjectId(_)
            | Act::DropHeldProject
            | Act::RecordProject { .. }
            | Act::MarkEmails { .. }
    )
}

/// What `act` records in the status before it is sent (written with the flush that precedes
/// every OVH call): an item or option POST is not idempotent and a late commit adds to the cart.
pub fn record_intent(act: &Act, status: &mut PublicCloudProjectStatus, now: String) {
    if matches!(act, Act::AddItem { .. } | Act::AddOption { .. })
        && let Some(cart) = status.cart.as_mut()
    {
        cart.item_posted_at = Some(now);
    }
}

/// Performs `act`; an error is an OVH failure the pass reports (nothing was recorded).
pub async fn execute(
    ovh: &OvhClient,
    act: &Act,
    spec: &PublicCloudProjectSpec,
    status: &PublicCloudProjectStatus,
) -> Result<Outcome, OvhError> {
    Ok(match act {
        Act::BeginCart => Outcome::CartBegun,
        Act::CreateCart {
            subsidiary,
            marker,
            plan_code,
        } => {
            let creation = CartCreation {
                ovh_subsidiary: subsidiary.clone(),
                description: Some(marker.clone()),
                expire: None,
            };
            let cart = ovh.create_cart(&creation).await?;
            Outcome::CartCreated {
                cart_id: cart.cart_id,
                expires_at: cart.expire,
                subsidiary: subsidiary.clone(),
                plan_code: plan_code.clone(),
            }
        }
        Act::RecordFoundCart { cart_id } => match ovh.cart(cart_id).await {
            Ok(cart) => Outcome::CartFound {
                cart_id: cart.cart_id,
                expires_at: cart.expire,
            },
            // Listed by its marker but gone (expired): forget it, do not fail on every pass.
            Err(e) if e.is_not_found() => Outcome::CartForgotten {
                cart_id: cart_id.clone(),
            },
            Err(e) => return Err(e),
        },
        Act::AssignCart { cart_id } => {
            ovh.assign_cart(cart_id).await?;
            Outcome::CartAssigned {
                cart_id: cart_id.clone(),
            }
        }
        Act::AddItem { cart_id, plan_code } => {
            let product = GenericProductCreation {
                plan_code: plan_code.clone(),
                duration: spec.plan.duration.clone(),
                pricing_mode: spec.plan.pricing_mode.clone(),
                quantity: 1,
            };
            let item = match ovh.add_cloud_item(cart_id, &product).await {
                Ok(item) => item,
                Err(e) if e.status() == Some(400) => {
                    return Err(explain_plan_refusal(ovh, spec, cart_id, plan_code, e).await);
                }
                Err(e) => return Err(e),
            };
            Outcome::ItemAdded {
                item_id: item.item_id,
                plan_code: product.plan_code,
                duration: product.duration,
                pricing_mode: product.pricing_mode,
            }
        }
        Act::DeleteItem { cart_id, item_id } => {
            ovh.delete_item(cart_id, *item_id).await?;
            Outcome::ItemRemoved { item_id: *item_id }
        }
        Act::AddConfiguration {
            cart_id,
            item_id,
            label,
            value,
        } => {
            let configuration = ItemConfigurationCreation {
                label: label.clone(),
                value: value.clone(),
            };
            let c = match ovh.add_configuration(cart_id, *item_id, &configuration).await {
                Ok(c) => c,
                Err(e) if e.status() == Some(400) => {
                    let plan_code = status.plan_code.clone().unwrap_or_default();
                    return Err(explain_label_refusal(ovh, (cart_id, *item_id), &plan_code, label, e).await);
                }
                Err(e) => return Err(e),
            };
            Outcome::Configured {
                item_id: *item_id,
                configuration_id: c.id,
                label: label.clone(),
                value: value.clone(),
            }
        }
        Act::DeleteConfiguration {
            cart_id,
            item_id,
            configuration_id,
        } => {
            ovh.delete_configuration(cart_id, *item_id, *configuration_id)
                .await?;
            Outcome::ConfigurationRemoved {
                item_id: *item_id,
                configuration_id: *configuration_id,
            }
        }
        Act::AddOption {
            cart_id,
            item_id,
            plan_code,
            duration,
            pricing_mode,
        } => {
            let option = GenericOptionCreation {
                item_id: *item_id,
                plan_code: plan_code.clone(),
                duration: duration.clone(),
                pricing_mode: pricing_mode.clone(),
                quantity: 1,
            };
            let added = match ovh.add_cloud_option(cart_id, &option).await {
                Ok(item) => item,
                Err(e) if e.status() == Some(400) => {
                    let plan = status.plan_code.clone().unwrap_or_default();
                    return Err(explain_option_refusal(ovh, cart_id, &plan, plan_code, e).await);
                }
                Err(e) => return Err(e),
            };
            Outcome::OptionAdded {
                item_id: *item_id,
                option_item_id: added.item_id,
                plan_code: plan_code.clone(),
                duration: duration.clone(),
                pricing_mode: pricing_mode.clone(),
            }
        }
        Act::PreviewPrice { cart_id } => {
            let preview = ovh.checkout_preview(cart_id).await?;
            Outcome::Priced {
                cart_id: cart_id.clone(),
                price: price_of(&preview.prices),
            }
        }
        Act::BeginCheckout { approved_by } => Outcome::CheckoutBegun {
            approved_by: approved_by.clone(),
        },
        Act::Checkout { cart_id } => {
            let order = ovh.place_order(cart_id, &Checkout::api_order(false)).await?;
            Outcome::OrderPlaced {
                order_id: order.order_id,
                url: order.url,
                price: price_of(&order.prices),
                endpoint: ovh.base_url().to_string(),
            }
        }
        Act::RecordOrder { order_id } => {
            let order = ovh.order(*order_id).await?;
            let price = price_of_order(&order);
            Outcome::OrderFound {
                order_id: *order_id,
                url: order.url,
                date: order.date,
                expires_at: order.expiration_date,
                price,
                endpoint: ovh.base_url().to_string(),
            }
        }
        Act::RecordOrderExpiry(at) => Outcome::OrderExpiryKnown(at.clone()),
        Act::ForgetCart => Outcome::CartExpired,
        // Any other failure fails the pass: the cart stays recorded (and is never bought: the
        // planner abandons it again on the next pass) rather than forgotten while it may exist.
        Act::AbandonCart { cart_id } => {
            delete_cart(ovh, cart_id).await?;
            Outcome::CartAbandoned {
                cart_id: cart_id.clone(),
            }
        }
        Act::BeginPayment { method } => Outcome::PaymentBegun(method.clone()),
        Act::BeginPaymentAgain => Outcome::PaymentBegunAgain,
        Act::Pay {
            order_id,
            payment_method_id,
        } => payment(*order_id, ovh.pay(*order_id, *payment_method_id).await)?,
        Act::PayWithFidelityAccount { order_id } => {
            let paid = ovh
                .pay_with_registered_payment_mean(*order_id, super::plan::FIDELITY_ACCOUNT)
                .await;
            payment(*order_id, paid)?
        }
        Act::RecordOrderStatus(s) => Outcome::OrderStatusSeen(*s),
        Act::RecordProjectId(project_id) => {
            // The account's project list changed: the next "does it exist?" check reads it again.
            ovh.forget_project_list().await;
            // Delivered by our order (not adopted by spec.projectId or spec.onExisting).
            let delivered = spec.project_id.as_deref().is_none_or(str::is_empty) && status.order.is_some();
            Outcome::ProjectNamed {
                project_id: project_id.clone(),
                delivered,
                ordered_name: delivered.then(|| spec.description.clone()),
            }
        }
        Act::DropHeldProject => Outcome::HeldProjectDropped,
        Act::RecordProject { status: s } => Outcome::ProjectStatusSeen(s.clone()),
        Act::RecordProjectDescription(name) => Outcome::ProjectDescriptionRecorded(name.clone()),
        Act::RenameProject { project_id, from, to } => {
            ovh.rename_project(project_id, to).await?;
            Outcome::ProjectRenamed {
                project_id: project_id.clone(),
                from: from.clone(),
                to: to.clone(),
            }
        }
        Act::DeleteCart { cart_id } => {
            delete_cart(ovh, cart_id).await?;
            Outcome::CartDeleted {
                cart_id: cart_id.clone(),
            }
        }
        Act::MarkEmails { newest } => Outcome::EmailsMarked { newest: *newest },
        Act::RequestTermination { project_id, again } => {
            // 404 or 460 means nothing is left to terminate (terraform-provider-ovh
            // resource_cloud_project.go), unless the 404 is the post-delivery window: the planner
            // decides from what was seen.
            match ovh.terminate_project(project_id).await {
                Ok(_) => Outcome::TerminationRequested {
                    project_id: project_id.clone(),
                },
                // A request sent again after a lost answer, refused (assumed: OVH refuses a
                // termination already asked for; no source says): the first one is taken as
                // sent and its e-mail awaited, rather than being stuck on the refusal.
                Err(e)
                    if *again
                        && matches!(e.status(), Some(400 | 403 | 409))
                        && !e.is_credentials_problem() =>
                {
                    Outcome::TerminationAlreadyRequested {
                        project_id: project_id.clone(),
                        message: e.to_string(),
                    }
                }
                Err(e) if e.is_not_found() || e.is_expired() => Outcome::TerminationRefused {
                    project_id: project_id.clone(),
                    expired: e.is_expired(),
                    message: e.to_string(),
                },
                Err(e) => return Err(e),
            }
        }
        Act::ConfirmTermination { project_id, token } => {
            match ovh.confirm_termination(project_id, &token.0).await {
                Ok(_) => {}
                // Gone or expired meanwhile: nothing left to confirm.
                Err(e) if e.is_not_found() || e.is_expired() => {}
                Err(e) => return Err(e),
            }
            Outcome::TerminationConfirmed {
                project_id: project_id.clone(),
            }
        }
        Act::BeginUser => Outcome::UserBegun,
        Act::CreateUser {
            project_id,
            description,
            role,
        } => {
            let creation = ProjectUserCreation {
                description: Some(description.clone()),
                role: Some(role.clone()),
                roles: vec![],
            };
            let user = ovh.create_user(project_id, &creation).await?;
            Outcome::UserCreated {
                user_id: user.user.id,
                username: user.user.username,
                password: Token(user.password),
            }
        }
        Act::RecordFoundUser {
            project_id,
            user_id,
            extra,
        } => match ovh.user(project_id, *user_id).await {
            Ok(user) => Outcome::UserFound {
                user_id: user.id,
                username: user.username,
                extra: extra.clone(),
            },
            Err(e) if e.is_not_found() => Outcome::UserForgotten,
            Err(e) => return Err(e),
        },
        Act::RegeneratePassword { project_id, user_id } => {
            match ovh.regenerate_password(project_id, *user_id).await {
                Ok(user) => Outcome::PasswordRegenerated {
                    user_id: *user_id,
                    password: Token(user.password),
                },
                // Deleted at OVH meanwhile: forget it, a new one is made.
                Err(e) if e.is_not_found() => Outcome::UserForgotten,
                Err(e) => return Err(e),
            }
        }
        Act::ForgetUser => Outcome::UserForgotten,
        Act::DeleteUser { project_id, user_id } => {
            match ovh.delete_user(project_id, *user_id).await {
                Ok(()) => {}
                // Gone already (or with its project).
                Err(e) if e.is_not_found() || e.is_expired() => {}
                Err(e) => return Err(e),
            }
            Outcome::UserDeleted { user_id: *user_id }
        }
        // A Kubernetes write: the reconcile loop does it (super::outputs::write).
        Act::WriteOutputs { .. } => unreachable!("the reconcile loop writes the outputs Secret"),
    })
}

/// `DELETE /order/cart/{cartId}`; a cart already gone (expired, deleted) counts as deleted.
async fn delete_cart(ovh: &OvhClient, cart_id: &str) -> Result<(), OvhError> {
    match ovh.delete_cart(cart_id).await {
        Err(e) if e.is_not_found() => Ok(()),
        done => done,
    }
}

/// A payment attempt's outcome. A 429 is deferred, not refused: "Too Many Requests" says the
/// request was rejected for its rate, not processed (RFC 6585 §4: the server "is refusing to
/// service the request"), and OVH's SDKs leave its retry to the caller; the planner requests it
/// again after Retry-After. Another refusal (4xx, e.g. 403 "This order can't be paid with
/// 'bankAccount'", terraform-provider-ovh#646) is kept with OVH's message and never retried: a
/// person must fix it. Any other failure (5xx, timeout, a lost answer: the payment may have
/// been made) is returned; the payment stays "requested" and the planner decides after the
/// settle time from what OVH shows.
fn payment(order_id: i64, paid: Result<(), OvhError>) -> Result<Outcome, OvhError> {
    match paid {
        Ok(()) => Ok(Outcome::Paid { order_id }),
        Err(e) if e.status() == Some(429) => Ok(Outcome::PaymentDeferred {
            order_id,
            retry_after: e.retry_after(),
            message: e.to_string(),
        }),
        Err(e) if matches!(e.status(), Some(400..=499)) && !e.is_credentials_problem() => {
            Ok(Outcome::PaymentRefused {
                order_id,
                message: e.to_string(),
            })
        }
        Err(e) => Err(e),
    }
}

/// The status's price of an order as `GET /me/order/{id}` shows it.
pub(super) fn price_of_order(order: &BillingOrder) -> PriceStatus {
    PriceStatus {
        with_tax: order.price_with_tax.decimal(),
        without_tax: order.price_without_tax.decimal(),
        currency: order.price_with_tax.currency_code.clone(),
    }
}

/// The status's price, from an order or a checkout preview.
pub(super) fn price_of(p: &OrderPrices) -> PriceStatus {
    PriceStatus {
        with_tax: p.with_tax.decimal(),
        without_tax: p.without_tax.decimal(),
        currency: p.with_tax.currency_code.clone(),
    }
}

/// A refused plan code, explained with the codes OVH offers (read once per client, only here).
async fn explain_plan_refusal(
    ovh: &OvhClient,
    spec: &PublicCloudProjectSpec,
    cart_id: &str,
    plan_code: &str,
    refusal: OvhError,
) -> OvhError {
    let subsidiary = spec.ovh_subsidiary.map(|s| format!("{s:?}")).unwrap_or_default();
    match ovh.offered_plan_codes(cart_id, &subsidiary).await {
        Ok(codes) if !codes.iter().any(|c| c == plan_code) => refusal.with_hint(&format!(
            "Plan code {plan_code} is not offered to this account; OVH offers: {}. Set spec.plan.planCode \
             to one of them",
            codes.join(", ")
        )),
        _ => refusal,
    }
}

/// A refused option, explained with the options OVH offers with the plan
/// (`GET …/cloud/options?planCode=`, as terraform's `ovh_order_cart_product_options` reads them).
async fn explain_option_refusal(
    ovh: &OvhClient,
    cart_id: &str,
    plan_code: &str,
    option: &str,
    refusal: OvhError,
) -> OvhError {
    match ovh.offered_option_codes(cart_id, plan_code).await {
        Ok(codes) if !codes.iter().any(|c| c == option) => {
            let offered = if codes.is_empty() {
                "none".to_string()
            } else {
                codes.join(", ")
            };
            refusal.with_hint(&format!(
                "Option {option} is not offered with plan {plan_code}; OVH offers: {offered}. Fix spec.options"
            ))
        }
        _ => refusal,
    }
}

/// A refused configuration label, explained with the labels the item accepts.
async fn explain_label_refusal(
    ovh: &OvhClient,
    (cart_id, item_id): (&str, i64),
    plan_code: &str,
    label: &str,
    refusal: OvhError,
) -> OvhError {
    match ovh.accepted_labels(cart_id, item_id, plan_code).await {
        Ok(labels) if !labels.iter().any(|l| l == label) => refusal.with_hint(&format!(
            "OVH does not accept the configuration label {label:?} for {plan_code}; it accepts: {}",
            labels.join(", ")
        )),
        _ => refusal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ovh::error::ApiError;

    fn answered(status: u16, retry_after: Option<u64>) -> Result<(), OvhError> {
        Err(OvhError::Api(Box::new(ApiError {
            method: "POST".into(),
            route: "/me/order/{orderId}/pay",
            status,
            class: None,
            error_code: None,
            message: "m".into(),
            query_id: None,
            retry_after,
        })))
    }

    #[test]
    fn a_429_defers_the_payment_another_4xx_refuses_it_and_anything_else_fails_the_pass() {
        assert!(matches!(
            payment(42, answered(429, Some(7))),
            Ok(Outcome::PaymentDeferred {
                order_id: 42,
                retry_after: Some(7),
                ..
            })
        ));
        assert!(matches!(
            payment(42, answered(403, None)),
            Ok(Outcome::PaymentRefused { order_id: 42, .. })
        ));
        assert!(payment(42, answered(500, Some(3))).is_err(), "may have been made");
        let lost = OvhError::Transport {
            method: "POST".into(),
            route: "/me/order/{orderId}/pay",
            reason: "connection closed".into(),
        };
        assert!(payment(42, Err(lost)).is_err());
    }
}
