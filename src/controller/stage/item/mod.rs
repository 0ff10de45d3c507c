//! The cart's contents: the project item, its configurations and its options, each matched to the spec.

use super::*;
use crate::ovh::model::{GenericOptionCreation, GenericProductCreation, ItemConfigurationCreation};

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum ItemAct {
    /// `POST /order/cart/{cartId}/cloud` with the spec's plan.
    Add {
        cart_id: String,
        plan_code: String,
        duration: String,
        pricing_mode: String,
        /// spec.ovhSubsidiary, if set: a refused plan code is explained with what OVH offers it.
        subsidiary: Option<String>,
    },
    Delete {
        cart_id: String,
        item_id: i64,
    },
    AddConfiguration {
        cart_id: String,
        item_id: i64,
        label: String,
        value: String,
        /// The item's plan: a refused label is explained with the labels it accepts.
        item_plan_code: String,
    },
    DeleteConfiguration {
        cart_id: String,
        item_id: i64,
        configuration_id: i64,
    },
    /// `POST /order/cart/{cartId}/cloud/options` with the project item's id (terraform's
    /// `plan_option`). A stray option item goes with [`ItemAct::Delete`].
    AddOption {
        cart_id: String,
        item_id: i64,
        plan_code: String,
        duration: String,
        pricing_mode: String,
        /// The project item's plan: a refused option is explained with those offered with it.
        item_plan_code: String,
    },
    /// Status only: the cart holds a project item whose POST the status does not record as
    /// answered (the write after it was lost to a crash). Recorded as posted `seen_at` (the
    /// latest it can have been sent), so the checkout waits the grace as for a lost answer.
    RecordUnanswered {
        item_id: i64,
        seen_at: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ItemOutcome {
    Added {
        item_id: i64,
        plan_code: String,
        duration: String,
        pricing_mode: String,
    },
    Removed {
        item_id: i64,
    },
    Configured {
        item_id: i64,
        configuration_id: i64,
        label: String,
        value: String,
    },
    ConfigurationRemoved {
        item_id: i64,
        configuration_id: i64,
    },
    Unanswered {
        item_id: i64,
        seen_at: String,
    },
    OptionAdded {
        /// The project item the option belongs to.
        item_id: i64,
        option_item_id: i64,
        plan_code: String,
        duration: String,
        pricing_mode: String,
    },
}

impl ItemAct {
    pub(super) fn status_only(&self) -> bool {
        matches!(self, ItemAct::RecordUnanswered { .. })
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<ItemOutcome, OvhError> {
        match self {
            ItemAct::Add {
                cart_id,
                plan_code,
                duration,
                pricing_mode,
                subsidiary,
            } => {
                let product = GenericProductCreation {
                    plan_code: plan_code.clone(),
                    duration: duration.clone(),
                    pricing_mode: pricing_mode.clone(),
                    quantity: 1,
                };
                add_item(ovh, cart_id, product, subsidiary.as_deref()).await
            }
            ItemAct::Delete { cart_id, item_id } => {
                ovh.delete_item(cart_id, *item_id).await?;
                Ok(ItemOutcome::Removed { item_id: *item_id })
            }
            ItemAct::AddConfiguration {
                cart_id,
                item_id,
                label,
                value,
                item_plan_code,
            } => {
                let configuration = ItemConfigurationCreation {
                    label: label.clone(),
                    value: value.clone(),
                };
                configure(ovh, (cart_id, *item_id), configuration, item_plan_code).await
            }
            ItemAct::DeleteConfiguration {
                cart_id,
                item_id,
                configuration_id,
            } => {
                ovh.delete_configuration(cart_id, *item_id, *configuration_id)
                    .await?;
                Ok(ItemOutcome::ConfigurationRemoved {
                    item_id: *item_id,
                    configuration_id: *configuration_id,
                })
            }
            ItemAct::AddOption {
                cart_id,
                item_id,
                plan_code,
                duration,
                pricing_mode,
                item_plan_code,
            } => {
                let option = GenericOptionCreation {
                    item_id: *item_id,
                    plan_code: plan_code.clone(),
                    duration: duration.clone(),
                    pricing_mode: pricing_mode.clone(),
                    quantity: 1,
                };
                add_option(ovh, cart_id, option, item_plan_code).await
            }
            ItemAct::RecordUnanswered { item_id, seen_at } => Ok(ItemOutcome::Unanswered {
                item_id: *item_id,
                seen_at: seen_at.clone(),
            }),
        }
    }
}

async fn add_item(
    ovh: &OvhClient,
    cart_id: &str,
    product: GenericProductCreation,
    subsidiary: Option<&str>,
) -> Result<ItemOutcome, OvhError> {
    let item = match ovh.add_cloud_item(cart_id, &product).await {
        Err(e) if e.status() == Some(400) => {
            let subsidiary = subsidiary.unwrap_or_default();
            let plan_code = &product.plan_code;
            return Err(explain_plan_refusal(ovh, subsidiary, cart_id, plan_code, e).await);
        }
        added => added?,
    };
    Ok(ItemOutcome::Added {
        item_id: item.item_id,
        plan_code: product.plan_code,
        duration: product.duration,
        pricing_mode: product.pricing_mode,
    })
}

async fn configure(
    ovh: &OvhClient,
    (cart_id, item_id): (&str, i64),
    configuration: ItemConfigurationCreation,
    item_plan_code: &str,
) -> Result<ItemOutcome, OvhError> {
    let c = match ovh.add_configuration(cart_id, item_id, &configuration).await {
        Err(e) if e.status() == Some(400) => {
            let label = &configuration.label;
            return Err(explain_label_refusal(ovh, (cart_id, item_id), item_plan_code, label, e).await);
        }
        added => added?,
    };
    Ok(ItemOutcome::Configured {
        item_id,
        configuration_id: c.id,
        label: configuration.label,
        value: configuration.value,
    })
}

async fn add_option(
    ovh: &OvhClient,
    cart_id: &str,
    option: GenericOptionCreation,
    item_plan_code: &str,
) -> Result<ItemOutcome, OvhError> {
    let added = match ovh.add_cloud_option(cart_id, &option).await {
        Err(e) if e.status() == Some(400) => {
            return Err(explain_option_refusal(ovh, cart_id, item_plan_code, &option.plan_code, e).await);
        }
        added => added?,
    };
    Ok(ItemOutcome::OptionAdded {
        item_id: option.item_id,
        option_item_id: added.item_id,
        plan_code: option.plan_code,
        duration: option.duration,
        pricing_mode: option.pricing_mode,
    })
}

impl ItemOutcome {
    /// Any change to the cart's contents voids the price shown for it, and leaves the resource
    /// preparing its cart.
    pub(super) fn apply(self, status: &mut PublicCloudProjectStatus, observed: &mut Observed) -> Applied {
        status.price = None;
        let cart = status.cart.as_mut();
        let (reason, note) = match self {
            ItemOutcome::Added {
                item_id,
                plan_code,
                duration,
                pricing_mode,
            } => {
                let note = format!("Added {plan_code} ({duration}) as item {item_id}");
                if let Some(cart) = cart {
                    cart.item_id = Some(item_id);
                    cart.configuration_ids.clear();
                    cart.item_posted_at = None;
                }
                status.plan_code = Some(plan_code.clone());
                push_seen(observed, seen(item_id, plan_code, duration, pricing_mode, None));
                (Reason::ItemAdded, note)
            }
            ItemOutcome::Removed { item_id } => {
                removed(cart, observed, item_id);
                (
                    Reason::ItemRemoved,
                    format!("Removed item {item_id}, which no longer matches the spec"),
                )
            }
            ItemOutcome::Configured {
                item_id,
                configuration_id,
                label,
                value,
            } => {
                let note = format!("Set {label} on item {item_id}");
                if let Some(i) = seen_item(observed, item_id) {
                    i.configurations.push((configuration_id, label, value));
                }
                if let Some(c) = cart {
                    c.configuration_ids.push(configuration_id);
                }
                (Reason::Configured, note)
            }
            ItemOutcome::ConfigurationRemoved {
                item_id,
                configuration_id,
            } => {
                if let Some(i) = seen_item(observed, item_id) {
                    i.configurations.retain(|(id, _, _)| *id != configuration_id);
                }
                if let Some(c) = cart {
                    c.configuration_ids.retain(|id| *id != configuration_id);
                }
                let note =
                    format!("Removed configuration {configuration_id}, which no longer matches the spec");
                (Reason::Configured, note)
            }
            ItemOutcome::Unanswered { item_id, seen_at } => {
                if let Some(cart) = cart {
                    cart.item_id = Some(item_id);
                    cart.item_posted_at = Some(seen_at);
                }
                (
                    Reason::ItemUnanswered,
                    format!("Item {item_id} is in the cart but its answer was not recorded"),
                )
            }
            ItemOutcome::OptionAdded {
                item_id,
                option_item_id,
                plan_code,
                duration,
                pricing_mode,
            } => {
                let note = format!(
                    "Added option {plan_code} ({duration}) to item {item_id} as item {option_item_id}"
                );
                push_seen(
                    observed,
                    seen(option_item_id, plan_code, duration, pricing_mode, Some(item_id)),
                );
                if let Some(c) = cart {
                    c.item_posted_at = None;
                }
                (Reason::OptionAdded, note)
            }
        };
        applied(reason, note).preparing(status)
    }
}

fn removed(cart: Option<&mut CartStatus>, observed: &mut Observed, item_id: i64) {
    // Its options too (assumed: OVH removes an item's options with it; if not, the next read
    // shows them and they go as strays).
    if let Some(items) = seen_items(observed) {
        items.retain(|i| i.item_id != item_id && i.parent_item_id != Some(item_id));
    }
    if let Some(cart) = cart.filter(|c| c.item_id == Some(item_id)) {
        cart.item_id = None;
        cart.configuration_ids.clear();
    }
}

/// The cart's items as this pass read them, if it did.
fn seen_items(observed: &mut Observed) -> Option<&mut Vec<ItemSeen>> {
    match observed.cart.as_mut() {
        Some(CartSeen::Found { items, .. }) => Some(items),
        _ => None,
    }
}

fn push_seen(observed: &mut Observed, item: ItemSeen) {
    if let Some(items) = seen_items(observed) {
        items.push(item);
    }
}

fn seen_item(observed: &mut Observed, item_id: i64) -> Option<&mut ItemSeen> {
    seen_items(observed)?.iter_mut().find(|i| i.item_id == item_id)
}

/// An item this pass added, as a read of the cart would show it.
fn seen(
    item_id: i64,
    plan_code: String,
    duration: String,
    pricing_mode: String,
    parent: Option<i64>,
) -> ItemSeen {
    ItemSeen {
        item_id,
        plan_code: Some(plan_code),
        duration: Some(duration),
        pricing_mode: Some(pricing_mode),
        parent_item_id: parent,
        configurations: vec![],
    }
}

/// A refused plan code, explained with the codes OVH offers (read once per client, only here).
async fn explain_plan_refusal(
    ovh: &OvhClient,
    subsidiary: &str,
    cart_id: &str,
    plan_code: &str,
    refusal: OvhError,
) -> OvhError {
    match ovh.offered_plan_codes(cart_id, subsidiary).await {
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
