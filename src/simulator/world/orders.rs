//! Orders (`/me/order…`): statuses, details, the US-only operations, payment, expiry.

use std::time::{Duration, Instant};

use super::*;

impl World {
    fn order_ref(&self, order_id: i64) -> SimResult<&SimOrder> {
        self.orders
            .get(&order_id)
            .ok_or_else(|| SimError::not_found("orderId", order_id))
    }

    fn order_mut(&mut self, order_id: i64) -> SimResult<&mut SimOrder> {
        self.orders
            .get_mut(&order_id)
            .ok_or_else(|| SimError::not_found("orderId", order_id))
    }

    /// `GET /me/order` with the schema's query filters `date.from` (>=) and `date.to` (<=) on the
    /// order's `date` (schema me.json).
    pub fn order_ids(&self, from: Option<Timestamp>, to: Option<Timestamp>) -> Vec<i64> {
        self.orders
            .values()
            .filter(|o| from.is_none_or(|f| o.date >= f) && to.is_none_or(|t| o.date <= t))
            .map(|o| o.id)
            .collect()
    }

    /// The status follows the clock once paid: checking → delivering → delivered
    /// (`billing.order.OrderStatusEnum`, schema; tf `waitOrderCompletion` waits through
    /// `checking`/`delivering` for `delivered`). Unpaid orders stay `notPaid`, expired or not
    /// (assumed; OVH's guide "managing_ovh_orders" calls them "Unpaid" until they disappear).
    pub fn order_status(&self, order_id: i64) -> SimResult<OrderStatus> {
        let order = self.order_ref(order_id)?;
        if let Some(forced) = order.forced_status {
            return Ok(forced);
        }
        let Some((paid_at, _)) = order.payment() else {
            return Ok(OrderStatus::NotPaid);
        };
        let elapsed = paid_at.elapsed();
        let checking = Duration::from_millis(self.cfg.checking_ms);
        let delivering = checking + Duration::from_millis(self.cfg.delivering_ms);
        Ok(if elapsed < checking {
            OrderStatus::Checking
        } else if elapsed < delivering {
            OrderStatus::Delivering
        } else {
            OrderStatus::Delivered
        })
    }

    /// Brings delivered orders' projects into existence; they then answer 404 for
    /// `--project-404-ms` (tf issue #1288, PR #1295: "After order delivery, the project may not
    /// be immediately available in the API").
    pub(super) fn deliver(&mut self) {
        let delivered: Vec<i64> = self
            .orders
            .keys()
            .copied()
            .filter(|id| self.order_status(*id) == Ok(OrderStatus::Delivered))
            .collect();
        for id in delivered {
            let order = &self.orders[&id];
            if self.projects.contains_key(&order.project_id) {
                continue;
            }
            // A status forced to delivered by test control counts as delivered now.
            let delivered_at = order.payment().map_or_else(Instant::now, |(at, _)| at)
                + Duration::from_millis(self.cfg.checking_ms + self.cfg.delivering_ms);
            let project = SimProject {
                id: order.project_id.clone(),
                order_id: id,
                description: Self::item_description(&order.item).unwrap_or_default(),
                plan_code: order.item.plan_code.clone(),
                created: now(),
                visible_at: delivered_at + Duration::from_millis(self.cfg.project_404_ms),
                status: "ok".into(),
                termination_token: None,
                expired: false,
                removed: false,
            };
            self.projects.insert(project.id.clone(), project);
        }
    }

    fn item_description(item: &SimItem) -> Option<String> {
        item.configurations
            .values()
            .find(|(l, _)| l == "description")
            .map(|(_, v)| v.clone())
    }

    /// `billing.Order` (schema me.json); `expirationDate` is `--order-ttl-secs` after `date`
    /// unless test control expired it.
    pub fn order(&self, order_id: i64) -> SimResult<BillingOrder> {
        let order = self.order_ref(order_id)?;
        let u = order.price_ucents;
        Ok(BillingOrder {
            order_id,
            date: Some(datetime(order.date)),
            expiration_date: Some(datetime(order.expires)),
            retraction_date: None,
            metadatas: None,
            password: order.password.clone(),
            pdf_url: format!("{}/payment/order/{}.pdf", self.cfg.public_origin(), order.id),
            url: self.order_url(order),
            price_with_tax: self.price(u + u / 5),
            price_without_tax: self.price(u),
            tax: self.price(u / 5),
        })
    }

    /// Test control: the order's `expirationDate` passes now; a pending autopay no longer
    /// happens.
    pub fn expire_order(&mut self, order_id: i64) -> SimResult<()> {
        let order = self.order_mut(order_id)?;
        order.expires = now() - Duration::from_secs(1);
        if order.autopay_at.is_some_and(|at| at > Instant::now()) {
            order.autopay_at = None;
        }
        Ok(())
    }

    /// Two details, like real cloud orders (an order has several details and only one names the
    /// project: tf PR #361, PR #478, which scans all details because some carry `*001`).
    /// Options follow, one detail each (assumed, as in the checkout answer).
    pub fn order_detail_ids(&self, order_id: i64) -> SimResult<Vec<i64>> {
        let options = self.order_ref(order_id)?.options.len() as i64;
        Ok((1..=2 + options).map(|k| order_id * 10 + k).collect())
    }

    /// The option item of detail `detail_id`, if it is an option's.
    fn option_of_detail(&self, order_id: i64, detail_id: i64) -> SimResult<Option<&SimItem>> {
        let order = self.order_ref(order_id)?;
        let k = detail_id - order_id * 10;
        Ok(usize::try_from(k - 3).ok().and_then(|i| order.options.get(i)))
    }

    /// `billing.OrderDetail` (schema me.json). On EU/CA the project detail's `domain` is the
    /// project id once delivered (tf `ovh/resource_cloud_project.go` matches it), `*001` before
    /// (tf PR #478). On US no detail's `domain` carries the project id ("For OVHcloud US,
    /// resource_name are not stored inside order detail", tf `ovh/resource_cloud_project.go`).
    pub fn order_detail(&self, order_id: i64, detail_id: i64) -> SimResult<BillingOrderDetail> {
        let order = self.order_ref(order_id)?;
        let delivered = self.order_status(order_id)? == OrderStatus::Delivered;
        let price = self.price(order.price_ucents);
        match detail_id - order_id * 10 {
            1 => Ok(BillingOrderDetail {
                order_detail_id: detail_id,
                description: "Public Cloud Project".into(),
                detail_type: Some("DURATION".into()),
                domain: if delivered && !self.us() {
                    order.project_id.clone()
                } else {
                    "*001".into()
                },
                cancelled: false,
                quantity: "1".into(),
                total_price: price.clone(),
                unit_price: price,
            }),
            2 => Ok(BillingOrderDetail {
                order_detail_id: detail_id,
                description: "Public Cloud voucher".into(),
                detail_type: Some("VOUCHER".into()),
                domain: "*001".into(),
                cancelled: false,
                quantity: "1".into(),
                total_price: self.price(0),
                unit_price: self.price(0),
            }),
            _ => match self.option_of_detail(order_id, detail_id)? {
                Some(option) => Ok(BillingOrderDetail {
                    order_detail_id: detail_id,
                    description: format!("Option {}", option.plan_code),
                    detail_type: Some("DURATION".into()),
                    domain: "*001".into(),
                    cancelled: false,
                    quantity: "1".into(),
                    total_price: self.price(self.item_ucents(option)),
                    unit_price: self.price(self.item_ucents(option)),
                }),
                None => Err(SimError::not_found("orderDetailId", detail_id)),
            },
        }
    }

    /// `billing.ItemDetail` (schema me.json, BETA). Absent on US: "the US where route
    /// `/me/order/{orderId}/details/{detailId}/extension` does not exist" (tf `ovh/order.go`
    /// `serviceNameFromOrder`; PR #455), so it answers as an absent route does.
    pub fn order_detail_extension(&self, order_id: i64, detail_id: i64) -> SimResult<ItemDetail> {
        if self.us() {
            return Err(SimError::no_route());
        }
        self.order_detail(order_id, detail_id)?;
        let item = match self.option_of_detail(order_id, detail_id)? {
            Some(option) => option,
            None => &self.order_ref(order_id)?.item,
        };
        Ok(ItemDetail {
            order: ItemDetailOrder {
                action: Some("installation".into()),
                configurations: item
                    .configurations
                    .values()
                    .map(|(label, value)| ItemConfigurationCreation {
                        label: label.clone(),
                        value: value.clone(),
                    })
                    .collect(),
                plan: ItemDetailPlan {
                    code: Some(item.plan_code.clone()),
                    duration: Some(item.duration.clone()),
                    pricing_mode: Some(item.pricing_mode.clone()),
                    quantity: Some(item.quantity),
                    product: serde_json::json!({"name": "cloud"}),
                },
                kind: Some("plan".into()),
            },
        })
    }

    /// `GET …/details/{orderDetailId}/operations` → `long[]`: US only (absent from the EU schema;
    /// tf `ovh/order.go` `orderDetailOperations`, PR #455, #478). The project detail has one
    /// operation once delivered (assumed: none before, as the project does not exist yet); the
    /// other detail has none. On EU the route answers as an absent route does.
    pub fn order_detail_operation_ids(&self, order_id: i64, detail_id: i64) -> SimResult<Vec<i64>> {
        if !self.us() {
            return Err(SimError::no_route());
        }
        self.order_detail(order_id, detail_id)?;
        let delivered = self.order_status(order_id)? == OrderStatus::Delivered;
        Ok(if delivered && detail_id == order_id * 10 + 1 {
            vec![detail_id * 10 + 1]
        } else {
            vec![]
        })
    }

    /// `GET …/operations/{operationId}`: `{id, status, type, quantity, resource: {name, state,
    /// displayName}}` (tf `ovh/types_me_order.go` `MeOrderDetailOperation`, PR #455), with the
    /// project id as `resource.name` (tf `ovh/resource_cloud_project.go`). The values of
    /// `status`, `type` and `resource.state` are assumed.
    pub fn order_detail_operation(
        &self,
        order_id: i64,
        detail_id: i64,
        operation_id: i64,
    ) -> SimResult<OrderDetailOperation> {
        if !self
            .order_detail_operation_ids(order_id, detail_id)?
            .contains(&operation_id)
        {
            return Err(SimError::not_found("operationId", operation_id));
        }
        let order = self.order_ref(order_id)?;
        Ok(OrderDetailOperation {
            id: operation_id,
            status: Some("done".into()),
            kind: Some("installation".into()),
            quantity: Some(serde_json::json!(1)),
            resource: OrderDetailOperationResource {
                name: order.project_id.clone(),
                state: Some("ok".into()),
                display_name: Self::item_description(&order.item),
            },
        })
    }

    /// An order that can be paid now: `notPaid` (message of the refusal assumed) and not past its
    /// `expirationDate` (assumed: 403, and the order stays `notPaid`; OVH's guide
    /// "managing_ovh_orders": "If it has expired, you will have to reorder").
    fn payable(&mut self, order_id: i64) -> SimResult<&mut SimOrder> {
        let status = self.order_status(order_id)?;
        let order = self.orders.get_mut(&order_id).expect("status found it");
        if status != OrderStatus::NotPaid {
            return Err(SimError::bad_request(format!(
                "Order {order_id} is not payable: its status is {}",
                status.as_str()
            )));
        }
        if order.expires <= now() {
            return Err(SimError::forbidden(format!(
                "Order {order_id} has expired and can no longer be paid"
            )));
        }
        Ok(order)
    }

    /// `POST /me/order/{orderId}/pay` `{"paymentMethod":{"id"}}` (schema
    /// `billing.order.PayWithPaymentMethod`; tf `ovh/order.go`). A bank account is refused with
    /// tf #646's body; a method that is not VALID is refused (assumed). Every call counts in the
    /// ledger's `payAttempts`.
    pub fn pay(&mut self, order_id: i64, body: PayWithPaymentMethod) -> SimResult<()> {
        self.order_mut(order_id)?.pay_attempts += 1;
        self.method_can_pay(body.payment_method.id)?;
        let order = self.payable(order_id)?;
        order.paid_at = Some(Instant::now());
        order.paid_with = Some(format!("paymentMethod:{}", body.payment_method.id));
        Ok(())
    }

    /// `POST /me/order/{orderId}/payWithRegisteredPaymentMean` (schema; `paymentMean` is a
    /// `billing.ReusablePaymentMeanEnum`). Only `fidelityAccount` for a 0-price order is
    /// accepted (tf PR #540 and the manager use it exactly then); anything else is refused with
    /// the message-only body of tf #646 / php-ovh #136. Counts in `payAttempts`.
    pub fn pay_with_registered_payment_mean(
        &mut self,
        order_id: i64,
        body: PayWithRegisteredPaymentMean,
    ) -> SimResult<()> {
        self.order_mut(order_id)?.pay_attempts += 1;
        let order = self.payable(order_id)?;
        if body.payment_mean != "fidelityAccount" || order.price_ucents != 0 {
            return Err(SimError::message_only(
                403,
                format!("This order can't be paid with '{}'", body.payment_mean),
            ));
        }
        order.paid_at = Some(Instant::now());
        order.paid_with = Some("fidelityAccount".into());
        Ok(())
    }

    /// `GET /me/order/{orderId}/payment`: `billing.Payment` (schema me.json: `paymentDate`,
    /// `paymentIdentifier`, `paymentType` a `billing.PaymentMeanEnum`) once the order is paid (by
    /// a call, autopay or a person). An order without a payment answers 404 like any missing
    /// object: assumed (OVH documents no answer for it). The identifier's format and the mean
    /// names (the default method's type as `creditCard`, the fidelity account as
    /// `fidelityPoints`) are assumed too; only "present or 404" is relied on.
    pub fn order_payment(&self, order_id: i64) -> SimResult<BillingPayment> {
        let order = self.order_ref(order_id)?;
        let Some((at, with)) = order.payment() else {
            return Err(SimError::class(
                404,
                "Client::NotFound",
                format!("The requested object (payment of order {order_id}) does not exist"),
            ));
        };
        let paid = now() - jiff::SignedDuration::try_from(at.elapsed()).unwrap_or_default();
        let mean = if with == "fidelityAccount" {
            "fidelityPoints"
        } else {
            "creditCard"
        };
        Ok(BillingPayment {
            payment_date: Some(datetime(paid)),
            payment_identifier: Some(format!("SIM-PAY-{order_id}")),
            payment_type: Some(mean.into()),
        })
    }

    /// What a person paying at the order URL does (docs/reference/simulator.md).
    pub fn pay_as_person(&mut self, order_id: i64) -> SimResult<()> {
        let order = self.payable(order_id)?;
        order.paid_at = Some(Instant::now());
        order.paid_with = Some("orderPage".into());
        Ok(())
    }

    /// Test control: an OVH-side status (`cancelled` for tf #554, `documentsRequested` for the
    /// anti-fraud check of mgr `useAntiFraud`), or null to let the clock drive it again.
    pub fn force_order_status(&mut self, order_id: i64, status: Option<OrderStatus>) -> SimResult<()> {
        self.order_mut(order_id)?.forced_status = status;
        Ok(())
    }

    pub fn order_page(&self, order_id: i64, password: &str) -> SimResult<(BillingOrder, OrderStatus)> {
        let order = self.order_ref(order_id)?;
        if order.password != password {
            return Err(SimError::forbidden("Wrong order password"));
        }
        Ok((self.order(order_id)?, self.order_status(order_id)?))
    }
}
