//! Carries out the planner's steps: a lookup is one or more OVH reads; a step is one OVH call (or
//! none), then one status write, before the planner is asked again.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use k8s_openapi::{api::core::v1::Secret, jiff::Timestamp};
use kube::{
    Api, ResourceExt,
    api::{Patch, PatchParams},
    runtime::controller::Action,
};
use serde_json::json;

use super::{
    Context, Error,
    plan::{
        self, CartSeen, FIDELITY_ACCOUNT, Input, ItemSeen, Lookup, Observed, OrderSearch, PaymentMethodSeen,
        ProjectSeen, Requeue, Step,
    },
    status::{self, CREDENTIALS_VALID},
};
use crate::{
    api::{
        APPROVE_ANNOTATION, CartStatus, FINALIZER, ORDER_ID_ANNOTATION, OrderStatus as OrderField,
        PaymentStatus, Phase, PriceStatus, PublicCloudProject, PublicCloudProjectSpec,
        PublicCloudProjectStatus, TERMINATION_TOKEN_ANNOTATION, TerminationStatus,
    },
    ovh::{
        Credentials, OvhClient, OvhError,
        model::OrderPrices,
        model::{CartCreation, Checkout, GenericProductCreation, ItemConfigurationCreation, OrderStatus},
        order::{is_project_id, termination_token},
    },
};

/// Steps one pass may take before handing back to the controller (which requeues at once).
const MAX_STEPS_PER_PASS: usize = 40;

pub async fn reconcile(obj: Arc<PublicCloudProject>, ctx: Arc<Context>) -> Result<Action, Error> {
    let _timer = ctx.metrics.reconcile_timer();
    let result = reconcile_inner(&obj, &ctx).await;
    if result.is_ok() {
        ctx.reset_failures(&obj);
    }
    result
}

async fn reconcile_inner(obj: &PublicCloudProject, ctx: &Context) -> Result<Action, Error> {
    let ns = obj.namespace().unwrap_or_default();
    let name = obj.name_any();
    let api: Api<PublicCloudProject> = Api::namespaced(ctx.client.clone(), &ns);
    // The watch cache can lag our own status writes; then plan from a fresh read.
    let fresh;
    let obj = match ctx.last_written(obj) {
        Some(last) if obj.status.as_ref() != Some(&last) => {
            match api.get_opt(&name).await.map_err(Error::Kube)? {
                Some(o) => {
                    fresh = o;
                    &fresh
                }
                None => return Ok(Action::await_change()),
            }
        }
        _ => obj,
    };
    let deleting = obj.metadata.deletion_timestamp.is_some();
    let has_finalizer = obj.finalizers().iter().any(|f| f == FINALIZER);
    if deleting && (!has_finalizer || ctx.was_released(obj)) {
        return Ok(Action::await_change());
    }
    if !has_finalizer {
        // Before the first OVH write: from now on deletion waits for our cleanup. The `test` op
        // makes the patch fail if someone else changed the list meanwhile.
        let mut finalizers = obj.metadata.finalizers.clone().unwrap_or_default();
        finalizers.push(FINALIZER.to_string());
        let patch: json_patch::Patch = serde_json::from_value(json!([
            {"op": "test", "path": "/metadata/finalizers", "value": obj.metadata.finalizers},
            {"op": "add", "path": "/metadata/finalizers", "value": finalizers},
        ]))
        .expect("valid JSON patch");
        api.patch(&name, &PatchParams::default(), &Patch::Json::<()>(patch))
            .await
            .map_err(Error::Kube)?;
    }

    if !deleting && let Some(wait) = ctx.refusal_pending(obj) {
        return Ok(Action::requeue(wait));
    }
    let original = obj.status.clone().unwrap_or_default();
    let mut pass = Pass {
        ctx,
        obj,
        api,
        persisted: original.clone(),
        status: original,
        observed: Observed::default(),
    };
    // Made on first use: deleting a resource that never reached OVH needs no credentials.
    let mut ovh: Option<OvhClient> = None;
    for _ in 0..MAX_STEPS_PER_PASS {
        let input = pass.input();
        let step = if deleting {
            plan::plan_deletion(&input)
        } else {
            plan::plan(&input)
        };
        tracing::debug!(resource = %name, ?step, "planned");
        match step {
            Step::Look(lookup) => {
                let ovh = match client(ctx, obj, &mut ovh).await {
                    Ok(c) => c,
                    Err(e) => return pass.credentials_failure(e).await,
                };
                if let Err(e) = lookup_into(&ovh, &lookup, &obj.spec, &pass.status, &mut pass.observed).await
                {
                    return pass.ovh_failure(e).await;
                }
                pass.mark_credentials_valid();
            }
            Step::Wait {
                phase,
                reason,
                message,
                requeue,
                warning,
            } => {
                return pass.wait(phase, reason, message, requeue, warning).await;
            }
            Step::ReleaseFinalizer { note, warning } => return pass.release(note, warning).await,
            step => {
                let ovh = match client(ctx, obj, &mut ovh).await {
                    Ok(c) => c,
                    Err(e) => return pass.credentials_failure(e).await,
                };
                ctx.crash_hook.before(&step).await;
                let outcome = execute(&ovh, &step, &obj.spec, &mut pass.status, &mut pass.observed).await;
                let note = match outcome {
                    Ok(note) => note,
                    Err(e) => return pass.ovh_failure(e).await,
                };
                ctx.crash_hook.after_call(&step).await;
                pass.mark_credentials_valid();
                if let Some(phase) = phase_after(&step, pass.status.phase) {
                    let reason = status::phase_reason(phase);
                    status::enter_phase(&mut pass.status, phase, reason, &note.1, obj.metadata.generation);
                }
                pass.persist().await?;
                if matches!(step, Step::Checkout { .. }) {
                    ctx.metrics.order_placed();
                }
                status::publish(&ctx.recorder, obj, false, note.0, note.1).await;
            }
        }
    }
    Ok(Action::requeue(Duration::from_secs(1)))
}

/// The pass's OVH client, made from the credentials Secret on first use.
async fn client(
    ctx: &Context,
    obj: &PublicCloudProject,
    slot: &mut Option<OvhClient>,
) -> Result<OvhClient, Error> {
    if slot.is_none() {
        *slot = Some(ctx.ovh_client(obj).await?);
    }
    Ok(slot.clone().expect("just set"))
}

/// One reconcile pass over one resource.
struct Pass<'a> {
    ctx: &'a Context,
    obj: &'a PublicCloudProject,
    api: Api<PublicCloudProject>,
    status: PublicCloudProjectStatus,
    /// The status as last written (or as read).
    persisted: PublicCloudProjectStatus,
    observed: Observed,
}

impl Pass<'_> {
    fn input(&self) -> Input<'_> {
        let annotation = |key: &str| {
            self.obj
                .annotations()
                .get(key)
                .map(|v| v.trim())
                .filter(|v| !v.is_empty())
        };
        Input {
            spec: &self.obj.spec,
            status: &self.status,
            uid: self.obj.metadata.uid.as_deref().unwrap_or_default(),
            approval: annotation(APPROVE_ANNOTATION),
            order_hint: annotation(ORDER_ID_ANNOTATION).and_then(|v| v.parse().ok()),
            termination_token: annotation(TERMINATION_TOKEN_ANNOTATION),
            observed: &self.observed,
            now: Timestamp::now(),
            checkout_grace: self.ctx.options.checkout_grace,
            project_404_window: self.ctx.options.project_404_window,
        }
    }

    fn generation(&self) -> Option<i64> {
        self.obj.metadata.generation
    }

    fn mark_credentials_valid(&mut self) {
        let generation = self.generation();
        status::set_condition(
            &mut self.status,
            CREDENTIALS_VALID,
            true,
            "Authenticated",
            "OVH accepted the credentials",
            generation,
        );
    }

    async fn persist(&mut self) -> Result<(), Error> {
        status::write(&self.api, &self.obj.name_any(), &self.status)
            .await
            .map_err(Error::Kube)?;
        self.persisted = self.status.clone();
        self.ctx.remember_written(self.obj, &self.status);
        Ok(())
    }

    async fn write_if_changed(&mut self) -> Result<(), Error> {
        if self.persisted != self.status {
            self.persist().await?;
        }
        Ok(())
    }

    async fn wait(
        mut self,
        phase: Phase,
        reason: &str,
        message: String,
        requeue: Requeue,
        warning: bool,
    ) -> Result<Action, Error> {
        let before =
            status::condition(&self.status, status::READY).map(|c| (c.reason.clone(), c.message.clone()));
        let generation = self.generation();
        status::enter_phase(&mut self.status, phase, reason, &message, generation);
        self.write_if_changed().await?;
        if before != Some((reason.to_string(), message.clone())) {
            status::publish(&self.ctx.recorder, self.obj, warning, reason, message).await;
        }
        Ok(match requeue {
            Requeue::Person => Action::requeue(Duration::from_secs(300)),
            Requeue::Progress => Action::requeue(progress_delay(&self.status)),
            Requeue::Resync => Action::requeue(self.ctx.options.resync),
            Requeue::SpecChange => Action::requeue(Duration::from_secs(3600)),
        })
    }

    async fn release(self, note: String, warning: bool) -> Result<Action, Error> {
        self.ctx.forget(self.obj);
        status::publish(
            &self.ctx.recorder,
            self.obj,
            warning,
            if warning { "LeftBehind" } else { "Released" },
            note,
        )
        .await;
        let finalizers: Vec<&String> = self.obj.finalizers().iter().filter(|f| *f != FINALIZER).collect();
        let patch: json_patch::Patch = serde_json::from_value(json!([
            {"op": "test", "path": "/metadata/finalizers", "value": self.obj.metadata.finalizers},
            {"op": "replace", "path": "/metadata/finalizers", "value": finalizers},
        ]))
        .expect("valid JSON patch");
        match self
            .api
            .patch(
                &self.obj.name_any(),
                &PatchParams::default(),
                &Patch::Json::<()>(patch),
            )
            .await
        {
            Ok(_) => Ok(Action::await_change()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(Action::await_change()),
            Err(e) => Err(Error::Kube(e)),
        }
    }

    /// Whether this failure is already what the status says: then neither the status (whose
    /// message would differ only by OVH's query id) nor an event is written again, so a failure
    /// does not feed itself through the watch.
    fn already_reported(&self, kind: &str, reason: &str) -> bool {
        status::condition(&self.status, kind).is_some_and(|c| {
            c.status == "False" && c.reason == reason && c.observed_generation == self.generation()
        })
    }

    async fn credentials_failure(mut self, e: Error) -> Result<Action, Error> {
        let reason = e.category();
        self.ctx.metrics.failure(reason);
        // A fixed Secret triggers a reconcile through the Secret watch; no need to poll OVH.
        let retry = Ok(Action::requeue(Duration::from_secs(600)));
        if self.already_reported(CREDENTIALS_VALID, reason) {
            return retry;
        }
        let message = e.to_string();
        let generation = self.generation();
        status::set_condition(
            &mut self.status,
            CREDENTIALS_VALID,
            false,
            reason,
            &message,
            generation,
        );
        status::set_condition(
            &mut self.status,
            status::READY,
            false,
            reason,
            &message,
            generation,
        );
        self.status.observed_generation = generation;
        self.write_if_changed().await?;
        status::publish(&self.ctx.recorder, self.obj, true, reason, message).await;
        retry
    }

    /// OVH refused or failed: credentials and permanent refusals become conditions and wait for a
    /// change; transient failures go back to the controller for a per-object backoff.
    async fn ovh_failure(mut self, e: OvhError) -> Result<Action, Error> {
        let generation = self.generation();
        if e.is_credentials_problem() {
            return self.credentials_failure(Error::Ovh(e)).await;
        }
        let message = e.to_string();
        let permanent = matches!(e.status(), Some(400 | 403 | 405 | 460));
        if permanent {
            self.ctx.metrics.failure(e.category());
            self.ctx.remember_refusal(self.obj);
            if !self.already_reported(status::READY, e.category()) {
                status::set_condition(
                    &mut self.status,
                    status::READY,
                    false,
                    e.category(),
                    &message,
                    generation,
                );
                self.status.observed_generation = generation;
                self.write_if_changed().await?;
                status::publish(&self.ctx.recorder, self.obj, true, e.category(), message).await;
            }
            return Ok(Action::requeue(super::REFUSAL_RETRY));
        }
        // Keep what this pass achieved, then let the error policy back off.
        self.write_if_changed().await?;
        status::publish(&self.ctx.recorder, self.obj, true, e.category(), message).await;
        Err(Error::Ovh(e))
    }
}

/// Polling while OVH works: seconds right after the order, then up to two minutes.
fn progress_delay(status: &PublicCloudProjectStatus) -> Duration {
    let since = status
        .order
        .as_ref()
        .and_then(|o| o.date.as_deref())
        .and_then(|d| d.parse::<Timestamp>().ok())
        .map(|t| Timestamp::now().duration_since(t).unsigned_abs())
        .unwrap_or_default();
    (since / 5).clamp(Duration::from_secs(1), Duration::from_secs(120))
}

/// The phase a completed step leaves the resource in (None: unchanged).
fn phase_after(step: &Step, current: Option<Phase>) -> Option<Phase> {
    match step {
        Step::CreateCart { .. }
        | Step::RecordFoundCart { .. }
        | Step::AssignCart { .. }
        | Step::AddItem { .. }
        | Step::DeleteItem { .. }
        | Step::AddConfiguration { .. }
        | Step::DeleteConfiguration { .. }
        | Step::PreviewPrice { .. }
            if current != Some(Phase::CheckingOut) =>
        {
            Some(Phase::CartReady)
        }
        Step::ForgetCart => Some(Phase::Pending),
        Step::BeginCheckout => Some(Phase::CheckingOut),
        // After checkout the phase follows the order status, read next in the same pass.
        Step::Checkout { .. } | Step::RecordOrder { .. } => None,
        // After a payment the phase follows the order status, read again in the same pass.
        Step::MarkEmails { .. } => Some(Phase::Terminating),
        _ => None,
    }
}

fn now() -> String {
    Timestamp::now().to_string()
}

/// Performs one step; returns the event (reason, note) that tells what happened.
async fn execute(
    ovh: &OvhClient,
    step: &Step,
    spec: &PublicCloudProjectSpec,
    status: &mut PublicCloudProjectStatus,
    observed: &mut Observed,
) -> Result<(&'static str, String), OvhError> {
    Ok(match step {
        Step::CreateCart {
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
            status.cart = Some(CartStatus {
                id: cart.cart_id.clone(),
                created_at: Some(now()),
                expires_at: cart.expire,
                ..Default::default()
            });
            status.price = None;
            status.plan_code = Some(plan_code.clone());
            observed.cart = Some(CartSeen::Found {
                read_only: false,
                items: vec![],
            });
            (
                "CartCreated",
                format!("Created cart {} ({subsidiary})", cart.cart_id),
            )
        }
        Step::RecordFoundCart { cart_id } => {
            let cart = match ovh.cart(cart_id).await {
                Ok(cart) => cart,
                // Listed by its marker but gone (expired): forget it, do not fail on every pass.
                Err(e) if e.is_not_found() => {
                    if let Some(found) = observed.marker_carts.as_mut() {
                        found.retain(|c| c != cart_id);
                    }
                    return Ok((
                        "CartForgotten",
                        format!("Cart {cart_id}, created earlier, no longer exists; a new one will be made"),
                    ));
                }
                Err(e) => return Err(e),
            };
            status.cart = Some(CartStatus {
                id: cart.cart_id.clone(),
                expires_at: cart.expire,
                ..Default::default()
            });
            status.price = None;
            (
                "CartFound",
                format!("Found cart {cart_id}, created earlier but not recorded; using it"),
            )
        }
        Step::AssignCart { cart_id } => {
            ovh.assign_cart(cart_id).await?;
            if let Some(cart) = status.cart.as_mut() {
                cart.assigned = Some(true);
            }
            ("CartAssigned", format!("Assigned cart {cart_id} to the account"))
        }
        Step::AddItem { cart_id, plan_code } => {
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
            status.plan_code = Some(plan_code.clone());
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut() {
                items.push(ItemSeen {
                    item_id: item.item_id,
                    plan_code: Some(product.plan_code.clone()),
                    duration: Some(product.duration.clone()),
                    pricing_mode: Some(product.pricing_mode.clone()),
                    configurations: vec![],
                });
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.item_id = Some(item.item_id);
                cart.configuration_ids.clear();
            }
            status.price = None;
            (
                "ItemAdded",
                format!(
                    "Added {} ({}) as item {}",
                    product.plan_code, product.duration, item.item_id
                ),
            )
        }
        Step::DeleteItem { cart_id, item_id } => {
            ovh.delete_item(cart_id, *item_id).await?;
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut() {
                items.retain(|i| i.item_id != *item_id);
            }
            if let Some(cart) = status.cart.as_mut().filter(|c| c.item_id == Some(*item_id)) {
                cart.item_id = None;
                cart.configuration_ids.clear();
            }
            status.price = None;
            (
                "ItemRemoved",
                format!("Removed item {item_id}, which no longer matches the spec"),
            )
        }
        Step::AddConfiguration {
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
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut()
                && let Some(item) = items.iter_mut().find(|i| i.item_id == *item_id)
            {
                item.configurations.push((c.id, label.clone(), value.clone()));
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.configuration_ids.push(c.id);
            }
            status.price = None;
            ("Configured", format!("Set {label} on item {item_id}"))
        }
        Step::DeleteConfiguration {
            cart_id,
            item_id,
            configuration_id,
        } => {
            ovh.delete_configuration(cart_id, *item_id, *configuration_id)
                .await?;
            if let Some(CartSeen::Found { items, .. }) = observed.cart.as_mut()
                && let Some(item) = items.iter_mut().find(|i| i.item_id == *item_id)
            {
                item.configurations.retain(|(id, _, _)| id != configuration_id);
            }
            if let Some(cart) = status.cart.as_mut() {
                cart.configuration_ids.retain(|id| id != configuration_id);
            }
            status.price = None;
            (
                "Configured",
                format!("Removed configuration {configuration_id}, which no longer matches the spec"),
            )
        }
        Step::PreviewPrice { cart_id } => {
            let preview = ovh.checkout_preview(cart_id).await?;
            let p = &preview.prices;
            status.price = Some(price_of(p));
            (
                "Priced",
                format!(
                    "Cart {cart_id} costs {} {} with tax ({} without)",
                    p.with_tax.decimal(),
                    p.with_tax.currency_code,
                    p.without_tax.decimal()
                ),
            )
        }
        Step::BeginCheckout => {
            if let Some(cart) = status.cart.as_mut() {
                cart.checkout_started_at = Some(now());
            }
            observed.checkout_begun = true;
            ("CheckingOut", "Checking out".to_string())
        }
        Step::Checkout { cart_id } => {
            let checkout = Checkout::api_order(false);
            let order = ovh.checkout(cart_id, &checkout).await?;
            if let Some(CartSeen::Found { read_only, .. }) = observed.cart.as_mut() {
                *read_only = true;
            }
            let id = order.order_id.ok_or_else(|| OvhError::Decode {
                method: "POST".into(),
                route: "/order/cart/{cartId}/checkout",
                expected: "order with an orderId",
                reason: "orderId is null".into(),
            })?;
            status.order = Some(OrderField {
                id,
                url: order.url.clone(),
                date: Some(now()),
                ..Default::default()
            });
            // The checkout answer carries the price: a 0-price order is paid with the fidelity account.
            status.price.get_or_insert_with(|| price_of(&order.prices));
            let url = order.url.unwrap_or_default();
            ("OrderPlaced", format!("Placed order {id}: {url}"))
        }
        Step::RecordOrder { order_id } => {
            let order = ovh.order(*order_id).await?;
            status.order = Some(OrderField {
                id: *order_id,
                url: Some(order.url),
                date: order.date.or_else(|| Some(now())),
                expires_at: order.expiration_date,
                ..Default::default()
            });
            (
                "OrderFound",
                format!("Recorded order {order_id}, placed by a checkout whose answer was lost"),
            )
        }
        Step::RecordOrderExpiry(at) => {
            if let Some(order) = status.order.as_mut() {
                order.expires_at = Some(at.clone());
            }
            let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
            ("OrderExpiry", format!("Order {id} expires at {at} unless paid"))
        }
        Step::ForgetCart => {
            let id = status.cart.take().map(|c| c.id).unwrap_or_default();
            status.price = None;
            (
                "CartExpired",
                format!("Cart {id} expired before checkout; a new cart will be made"),
            )
        }
        Step::BeginPayment { method } => {
            status.payment = Some(PaymentStatus {
                method: method
                    .as_ref()
                    .map_or_else(|| FIDELITY_ACCOUNT.to_string(), PaymentMethodSeen::label),
                method_id: method.as_ref().map(|m| m.id),
                requested_at: now(),
                refused: None,
            });
            observed.payment_begun = true;
            let method = status
                .payment
                .as_ref()
                .map(|p| p.method.clone())
                .unwrap_or_default();
            ("PaymentBegun", format!("Paying the order with {method}"))
        }
        Step::Pay {
            order_id,
            payment_method_id,
        } => {
            observed.payment_begun = false;
            let paid = ovh.pay(*order_id, *payment_method_id).await;
            payment_outcome(status, observed, *order_id, paid)?
        }
        Step::PayWithFidelityAccount { order_id } => {
            observed.payment_begun = false;
            let paid = ovh
                .pay_with_registered_payment_mean(*order_id, FIDELITY_ACCOUNT)
                .await;
            payment_outcome(status, observed, *order_id, paid)?
        }
        Step::RecordOrderStatus(s) => {
            if let Some(order) = status.order.as_mut() {
                order.status = Some(s.as_str().into());
            }
            let id = status.order.as_ref().map(|o| o.id).unwrap_or_default();
            // One reason per status: events with one reason are aggregated into one series.
            let reason = match s {
                OrderStatus::NotPaid => "OrderNotPaid",
                OrderStatus::Checking => "OrderChecking",
                OrderStatus::Delivering => "OrderDelivering",
                OrderStatus::Delivered => "OrderDelivered",
                OrderStatus::Cancelled | OrderStatus::Cancelling => "OrderCancelled",
                OrderStatus::DocumentsRequested => "OrderDocumentsRequested",
                OrderStatus::Unknown => "OrderStatusUnknown",
            };
            (reason, format!("Order {id} is {}", s.as_str()))
        }
        Step::RecordProjectId(project_id) => {
            status.project_id = Some(project_id.clone());
            status.project_status = None;
            if spec.project_id.as_deref().is_none_or(str::is_empty) {
                // Delivered by our order: its 404 window counts from now.
                status.delivered_at = Some(now());
            }
            ("ProjectDelivered", format!("Project {project_id}"))
        }
        Step::RecordProject { status: s } => {
            status.project_status = Some(s.clone());
            (
                "ProjectStatus",
                format!(
                    "Project {} is {s}",
                    status.project_id.as_deref().unwrap_or_default()
                ),
            )
        }
        Step::DeleteCart { cart_id } => {
            match ovh.delete_cart(cart_id).await {
                Ok(()) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
            observed.cart = Some(CartSeen::Gone);
            (
                "CartDeleted",
                format!("Deleted cart {cart_id}; nothing was ordered"),
            )
        }
        Step::MarkEmails { newest } => {
            status.termination = Some(TerminationStatus {
                emails_after: *newest,
                requested_at: None,
            });
            (
                "Terminating",
                format!("Terminating the project; its token is looked for in e-mails after {newest}"),
            )
        }
        Step::RequestTermination { project_id } => {
            // 404 or 460 means nothing is left to terminate (terraform-provider-ovh
            // resource_cloud_project.go), unless the 404 is the post-delivery window: the planner
            // decides from what was seen.
            match ovh.terminate_project(project_id).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() || e.is_expired() => {
                    observed.project = Some(if e.is_expired() {
                        ProjectSeen::Expired
                    } else {
                        ProjectSeen::NotFound
                    });
                    return Ok((
                        "TerminationRefused",
                        format!("OVH answered {e} to the termination of project {project_id}"),
                    ));
                }
                Err(e) => return Err(e),
            }
            if let Some(t) = status.termination.as_mut() {
                t.requested_at = Some(now());
            }
            (
                "TerminationRequested",
                format!("Asked OVH to terminate project {project_id}; waiting for the confirmation token"),
            )
        }
        Step::ConfirmTermination { project_id, token } => {
            match ovh.confirm_termination(project_id, token).await {
                Ok(_) => {}
                // Gone or expired meanwhile: nothing left to confirm.
                Err(e) if e.is_not_found() || e.is_expired() => {}
                Err(e) => return Err(e),
            }
            observed.project = Some(ProjectSeen::Found {
                status: "deleted".into(),
            });
            (
                "ProjectTerminated",
                format!("Confirmed the termination of project {project_id}"),
            )
        }
        Step::Look(_) | Step::Wait { .. } | Step::ReleaseFinalizer { .. } => {
            unreachable!("handled by the pass")
        }
    })
}

/// Performs one lookup and records what OVH said.
async fn lookup_into(
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
                Ok(p) => ProjectSeen::Found { status: p.status },
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
            // ovh/order.go); newest first, all of them.
            let mut ids: Vec<i64> = ovh
                .email_history()
                .await?
                .into_iter()
                .filter(|id| id > after)
                .collect();
            ids.sort_unstable_by(|a, b| b.cmp(a));
            let mut token = None;
            for id in ids {
                if let Some(t) = termination_token(&ovh.email(id).await?.body, project_id) {
                    token = Some(t);
                    break;
                }
            }
            observed.termination_token = Some(token);
        }
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
        for id in ovh.configurations(cart_id, *item_id).await? {
            let c = ovh.configuration(cart_id, *item_id, id).await?;
            configurations.push((c.id, c.label, c.value));
        }
        items.push(ItemSeen {
            item_id: *item_id,
            plan_code: item.settings.plan_code,
            duration: item.duration,
            pricing_mode: item.settings.pricing_mode,
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

/// The status's price, from an order or a checkout preview.
fn price_of(p: &OrderPrices) -> PriceStatus {
    PriceStatus {
        with_tax: p.with_tax.decimal(),
        without_tax: p.without_tax.decimal(),
        currency: p.with_tax.currency_code.clone(),
    }
}

/// Records what came of the one payment attempt: a refusal (4xx) is kept with OVH's message and
/// never retried; any other failure is returned (the payment stays "requested", so it is not
/// sent again either).
fn payment_outcome(
    status: &mut PublicCloudProjectStatus,
    observed: &mut Observed,
    order_id: i64,
    paid: Result<(), OvhError>,
) -> Result<(&'static str, String), OvhError> {
    let method = status
        .payment
        .as_ref()
        .map(|p| p.method.clone())
        .unwrap_or_default();
    match paid {
        Ok(()) => {
            observed.order_status = None; // read it again: it moves on once OVH registers the payment
            Ok(("PaymentRequested", format!("Paid order {order_id} with {method}")))
        }
        Err(e) if matches!(e.status(), Some(400..=499)) && !e.is_credentials_problem() => {
            if let Some(p) = status.payment.as_mut() {
                p.refused = Some(e.to_string());
            }
            Ok((
                "PaymentRefused",
                format!("OVH refused to pay order {order_id} with {method}: {e}"),
            ))
        }
        Err(e) => Err(e),
    }
}

/// Reads the credentials Secret named by the resource (or the operator's default).
pub(super) async fn credentials(
    client: &kube::Client,
    obj: &PublicCloudProject,
    default: Option<&(String, String)>,
) -> Result<(Credentials, String), Error> {
    let (ns, name) = match obj.spec.credentials_secret_ref.as_ref() {
        Some(r) => (obj.namespace().unwrap_or_default(), r.name.clone()),
        None => default.cloned().ok_or(Error::NoCredentials)?,
    };
    let secret = match Api::<Secret>::namespaced(client.clone(), &ns)
        .get_opt(&name)
        .await
        .map_err(Error::Kube)?
    {
        Some(s) => s,
        None => return Err(Error::SecretNotFound { namespace: ns, name }),
    };
    let keys: BTreeMap<String, String> = secret
        .data
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v.0).into_owned()))
        .chain(secret.string_data.unwrap_or_default())
        .collect();
    let credentials = Credentials::from_keys(&keys).map_err(|e| Error::SecretInvalid {
        namespace: ns.clone(),
        name: name.clone(),
        reason: e.to_string(),
    })?;
    let version = format!(
        "{ns}/{name}@{}",
        secret.metadata.resource_version.unwrap_or_default()
    );
    Ok((credentials, version))
}
