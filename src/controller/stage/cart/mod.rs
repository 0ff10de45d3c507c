//! The cart: made (its intent first), found again by its marker, assigned, priced, forgotten when it expires, abandoned when what is bought changes, deleted when nothing is ordered.

use super::*;
use crate::ovh::model::CartCreation;

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum CartAct {
    /// Status write only: recorded before the cart POST, so a restart knows a cart may exist
    /// unrecorded (and looks for it by its marker only then).
    Begin,
    Create {
        subsidiary: String,
        marker: String,
        /// The plan code this cart orders (spec, or the subsidiary's default).
        plan_code: String,
    },
    /// A cart with our marker exists but is not in status (created, then the status write lost).
    ReadFound {
        cart_id: String,
    },
    Assign {
        cart_id: String,
    },
    PreviewPrice {
        cart_id: String,
    },
    /// The cart expired before checkout: forget it so a new one is made.
    Forget,
    /// What is bought changed after the cart's price was shown: delete the cart (a 404 counts as
    /// deleted) and forget it, so a new cart (a new id, which no approval names yet) is made.
    /// Deleted before it is forgotten, so the marker lookup can never find it again.
    Abandon {
        cart_id: String,
    },
    Delete {
        cart_id: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum CartOutcome {
    Begun,
    Created {
        cart_id: String,
        expires_at: Option<String>,
        subsidiary: String,
        plan_code: String,
    },
    Found {
        cart_id: String,
        expires_at: Option<String>,
    },
    /// Listed by its marker, but 404 when read: gone meanwhile.
    Forgotten {
        cart_id: String,
    },
    /// Deleted (or already gone) because the spec changed after its price was shown.
    Abandoned {
        cart_id: String,
    },
    Assigned {
        cart_id: String,
    },
    Priced {
        cart_id: String,
        price: PriceStatus,
    },
    Expired,
    Deleted {
        cart_id: String,
    },
}

impl CartAct {
    /// Whether it only writes the status (see [`Act::status_only`]).
    pub(super) fn status_only(&self) -> bool {
        matches!(self, CartAct::Begin | CartAct::Forget)
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<CartOutcome, OvhError> {
        Ok(match self {
            CartAct::Begin => CartOutcome::Begun,
            CartAct::Create {
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
                CartOutcome::Created {
                    cart_id: cart.cart_id,
                    expires_at: cart.expire,
                    subsidiary: subsidiary.clone(),
                    plan_code: plan_code.clone(),
                }
            }
            CartAct::ReadFound { cart_id } => match ovh.cart(cart_id).await {
                Ok(cart) => CartOutcome::Found {
                    cart_id: cart.cart_id,
                    expires_at: cart.expire,
                },
                // Listed by its marker but gone (expired): forget it, do not fail on every pass.
                Err(e) if e.is_not_found() => CartOutcome::Forgotten {
                    cart_id: cart_id.clone(),
                },
                Err(e) => return Err(e),
            },
            CartAct::Assign { cart_id } => {
                ovh.assign_cart(cart_id).await?;
                CartOutcome::Assigned {
                    cart_id: cart_id.clone(),
                }
            }
            CartAct::PreviewPrice { cart_id } => {
                let preview = ovh.checkout_preview(cart_id).await?;
                CartOutcome::Priced {
                    cart_id: cart_id.clone(),
                    price: price_of(&preview.prices),
                }
            }
            CartAct::Forget => CartOutcome::Expired,
            // Any other failure fails the pass: the cart stays recorded (and is never bought: the
            // planner abandons it again on the next pass) rather than forgotten while it may exist.
            CartAct::Abandon { cart_id } => {
                delete_cart(ovh, cart_id).await?;
                CartOutcome::Abandoned {
                    cart_id: cart_id.clone(),
                }
            }
            CartAct::Delete { cart_id } => {
                delete_cart(ovh, cart_id).await?;
                CartOutcome::Deleted {
                    cart_id: cart_id.clone(),
                }
            }
        })
    }
}

impl CartOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        memory: &mut Memory,
        now: Timestamp,
    ) -> Applied {
        match self {
            CartOutcome::Begun => {
                status.cart_requested_at = Some(now.to_string());
                memory.cart_begun = true;
                applied(Reason::Ordering, "Creating a cart".into()).entering(Phase::Pending, Reason::Ordering)
            }
            CartOutcome::Created {
                cart_id,
                expires_at,
                subsidiary,
                plan_code,
            } => {
                let note = format!("Created cart {cart_id} ({subsidiary})");
                let cart = CartStatus {
                    id: cart_id,
                    created_at: Some(now.to_string()),
                    expires_at,
                    ..Default::default()
                };
                created(status, observed, cart, plan_code);
                applied(Reason::CartCreated, note).preparing(status)
            }
            CartOutcome::Found { cart_id, expires_at } => {
                let note = format!("Found cart {cart_id}, created earlier but not recorded; using it");
                record_cart(
                    status,
                    CartStatus {
                        id: cart_id,
                        expires_at,
                        ..Default::default()
                    },
                );
                applied(Reason::CartFound, note).preparing(status)
            }
            CartOutcome::Forgotten { cart_id } => {
                forget_marked(observed, &cart_id);
                applied(
                    Reason::CartForgotten,
                    format!("Cart {cart_id}, created earlier, no longer exists; a new one will be made"),
                )
            }
            CartOutcome::Abandoned { cart_id } => abandoned(status, observed, cart_id),
            CartOutcome::Assigned { cart_id } => {
                if let Some(cart) = status.cart.as_mut() {
                    cart.assigned = Some(true);
                }
                applied(
                    Reason::CartAssigned,
                    format!("Assigned cart {cart_id} to the account"),
                )
                .preparing(status)
            }
            CartOutcome::Priced { cart_id, price } => {
                let note = format!(
                    "Cart {cart_id} costs {} {} with tax ({} without)",
                    price.with_tax, price.currency, price.without_tax
                );
                status.price = Some(price);
                applied(Reason::Priced, note).preparing(status)
            }
            CartOutcome::Expired => expired(status),
            CartOutcome::Deleted { cart_id } => {
                observed.cart = Some(CartSeen::Gone);
                applied(
                    Reason::CartDeleted,
                    format!("Deleted cart {cart_id}; nothing was ordered"),
                )
            }
        }
    }
}

/// The cart expired before checkout: forgotten, so a new one is made.
fn expired(status: &mut PublicCloudProjectStatus) -> Applied {
    let id = status.cart.take().map(|c| c.id).unwrap_or_default();
    status.price = None;
    let note = format!("Cart {id} expired before checkout; a new cart will be made");
    applied(Reason::CartExpired, note).entering(Phase::Pending, Reason::Ordering)
}

/// A new cart, empty as this pass knows.
fn created(
    status: &mut PublicCloudProjectStatus,
    observed: &mut Observed,
    cart: CartStatus,
    plan_code: String,
) {
    record_cart(status, cart);
    status.plan_code = Some(plan_code);
    observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
}

/// A cart made or found becomes the recorded one: no price shown for it yet, no intent pending.
fn record_cart(status: &mut PublicCloudProjectStatus, cart: CartStatus) {
    status.cart = Some(cart);
    status.price = None;
    status.cart_requested_at = None;
}

/// A cart found by its marker is not to be found again in this pass.
fn forget_marked(observed: &mut Observed, cart_id: &str) {
    if let Some(found) = observed.marker_carts.as_mut() {
        found.retain(|c| c != cart_id);
    }
}

fn abandoned(status: &mut PublicCloudProjectStatus, observed: &mut Observed, cart_id: String) -> Applied {
    let price = status
        .price
        .take()
        .map(|p| format!(" ({} {} with tax)", p.with_tax, p.currency))
        .unwrap_or_default();
    status.cart = None;
    status.cart_requested_at = None;
    status.abandoned_cart = Some(cart_id.clone());
    observed.cart = None;
    forget_marked(observed, &cart_id);
    applied(
        Reason::CartAbandoned,
        format!(
            "The spec changed after the price of cart {cart_id}{price} was shown: that cart was deleted and a \
             new cart is made for the new spec; an approval of cart {cart_id} does not apply to it"
        ),
    )
    .entering(Phase::Pending, Reason::Ordering)
}

/// `DELETE /order/cart/{cartId}`; a cart already gone (expired, deleted) counts as deleted.
async fn delete_cart(ovh: &OvhClient, cart_id: &str) -> Result<(), OvhError> {
    match ovh.delete_cart(cart_id).await {
        Err(e) if e.is_not_found() => Ok(()),
        done => done,
    }
}
