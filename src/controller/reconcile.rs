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
    plan::{self, CartSeen, Input, ItemSeen, Lookup, Observed, OrderSearch, ProjectSeen, Requeue, Step},
    status::{self, CREDENTIALS_VALID},
};
use crate::{
    api::{
        APPROVE_ANNOTATION, CartStatus, FINALIZER, ORDER_ID_ANNOTATION, OrderStatus as OrderField, Phase,
        PriceStatus, PublicCloudProject, PublicCloudProjectSpec, PublicCloudProjectStatus,
        TERMINATION_TOKEN_ANNOTATION,
    },
    ovh::{
        Credentials, OvhClient, OvhError,
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
    if deleting && !has_finalizer {
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
        Step::Pay { .. } | Step::PayWithFidelityAccount { .. } => Some(Phase::Delivering),
        Step::RequestTermination { .. } => Some(Phase::Terminating),
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
        Step::CreateCart { subsidiary, marker } => {
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
            let cart = ovh.cart(cart_id).await?;
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
        Step::AddItem { cart_id } => {
            let product = GenericProductCreation {
                plan_code: spec.plan.plan_code.clone(),
                duration: spec.plan.duration.clone(),
                pricing_mode: spec.plan.pricing_mode.clone(),
                quantity: 1,
            };
            let item = ovh.add_cloud_item(cart_id, &product).await?;
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
            let c = ovh
                .add_configuration(
                    cart_id,
                    *item_id,
                    &ItemConfigurationCreation {
                        label: label.clone(),
                        value: value.clone(),
                    },
                )
                .await?;
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
            status.price = Some(PriceStatus {
                with_tax: p.with_tax.decimal(),
                without_tax: p.without_tax.decimal(),
                currency: p.with_tax.currency_code.clone(),
            });
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
        Step::Checkout { cart_id, auto_pay } => {
            let checkout = Checkout::api_order(*auto_pay);
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
                status: None,
                date: Some(now()),
            });
            let url = order.url.unwrap_or_default();
            ("OrderPlaced", format!("Placed order {id}: {url}"))
        }
        Step::RecordOrder { order_id } => {
            let order = ovh.order(*order_id).await?;
            status.order = Some(OrderField {
                id: *order_id,
                url: Some(order.url),
                status: None,
                date: order.date.or_else(|| Some(now())),
            });
            (
                "OrderFound",
                format!("Recorded order {order_id}, placed by a checkout whose answer was lost"),
            )
        }
        Step::ForgetCart => {
            let id = status.cart.take().map(|c| c.id).unwrap_or_default();
            status.price = None;
            (
                "CartExpired",
                format!("Cart {id} expired before checkout; a new cart will be made"),
            )
        }
        Step::Pay {
            order_id,
            payment_method_id,
        } => {
            ovh.pay(*order_id, *payment_method_id).await?;
            observed.order_status = None; // read it again: never pay twice on a stale "notPaid"
            (
                "PaymentRequested",
                format!("Paid order {order_id} with the default payment method"),
            )
        }
        Step::PayWithFidelityAccount { order_id } => {
            ovh.pay_with_registered_payment_mean(*order_id, "fidelityAccount")
                .await?;
            observed.order_status = None;
            (
                "PaymentRequested",
                format!("Paid the free order {order_id} with the fidelity account"),
            )
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
        Step::RequestTermination { project_id } => {
            ovh.terminate_project(project_id).await?;
            (
                "TerminationRequested",
                format!("Asked OVH to terminate project {project_id}; waiting for the confirmation token"),
            )
        }
        Step::ConfirmTermination { project_id, token } => {
            ovh.confirm_termination(project_id, token).await?;
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
        Lookup::DefaultPaymentMethods => {
            observed.default_payment_methods = Some(ovh.default_payment_methods().await?)
        }
        Lookup::OrderStatus(order_id) => observed.order_status = Some(ovh.order_status(*order_id).await?),
        Lookup::FindOrder => observed.order_search = Some(find_order(ovh, spec, status).await?),
        Lookup::ProjectIdFromDetails(order_id) => {
            let mut found = None;
            for detail in ovh.order_details(*order_id).await? {
                let d = ovh.order_detail(*order_id, detail).await?;
                if is_project_id(&d.domain) {
                    found = Some(d.domain);
                    break;
                }
            }
            observed.project_id_from_details = Some(found);
        }
        Lookup::Project(project_id) => {
            observed.project = Some(match ovh.project(project_id).await {
                Ok(p) => ProjectSeen::Found { status: p.status },
                Err(e) if e.is_not_found() => ProjectSeen::NotFound,
                Err(e) => return Err(e),
            })
        }
        Lookup::TerminationToken(project_id) => {
            let mut ids = ovh.email_history().await?;
            ids.sort_unstable_by(|a, b| b.cmp(a));
            let mut token = None;
            for id in ids.into_iter().take(20) {
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

/// Looks for the order a lost checkout created: among the account's recent orders, those placed
/// after the cart was made whose item carries exactly this resource's plan and configurations.
async fn find_order(
    ovh: &OvhClient,
    spec: &PublicCloudProjectSpec,
    status: &PublicCloudProjectStatus,
) -> Result<OrderSearch, OvhError> {
    let after = status
        .cart
        .as_ref()
        .and_then(|c| c.created_at.as_deref())
        .and_then(|t| t.parse::<Timestamp>().ok())
        .map(|t| t - Duration::from_secs(300));
    let mut want = plan::desired_configurations(spec);
    want.sort();
    let mut ids = ovh.orders().await?;
    ids.sort_unstable_by(|a, b| b.cmp(a));
    let mut matches = Vec::new();
    for order_id in ids.into_iter().take(20) {
        let order = ovh.order(order_id).await?;
        let date = order.date.as_deref().and_then(|d| d.parse::<Timestamp>().ok());
        if let (Some(after), Some(date)) = (after, date)
            && date < after
        {
            continue;
        }
        for detail in ovh.order_details(order_id).await? {
            let extension = match ovh.order_detail_extension(order_id, detail).await {
                Ok(e) => e,
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(e),
            };
            let mut got: Vec<(String, String)> = extension
                .order
                .configurations
                .into_iter()
                .map(|c| (c.label, c.value))
                .collect();
            got.sort();
            if extension.order.plan.code.as_deref() == Some(spec.plan.plan_code.as_str()) && got == want {
                matches.push(order_id);
                break;
            }
        }
    }
    Ok(match matches.as_slice() {
        [] => OrderSearch::NotFound,
        [one] => OrderSearch::Found(*one),
        many => OrderSearch::Ambiguous(many.to_vec()),
    })
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
