use super::*;
use crate::api::{
    Approval, CartStatus, DeletionPolicy, ItemConfiguration, OnExisting, OvhSubsidiary, Payment,
    PaymentStatus, PriceStatus, RecordedOrder, TerminationStatus,
};

pub(super) const UID: &str = "0b6c1e2a-uid";

pub(super) fn spec() -> PublicCloudProjectSpec {
    serde_json::from_value(serde_json::json!({"description": "Team A"})).unwrap()
}

pub(super) struct Case {
    pub(super) spec: PublicCloudProjectSpec,
    pub(super) status: PublicCloudProjectStatus,
    pub(super) observed: Observed,
    pub(super) memory: Memory,
    pub(super) approval: Option<&'static str>,
    pub(super) order_hint: Option<i64>,
    pub(super) token: Option<&'static str>,
    pub(super) now: jiff::Timestamp,
    pub(super) paused: bool,
    pub(super) approved_by: Option<&'static str>,
    pub(super) max_price: Option<&'static str>,
    pub(super) allow_terminate: bool,
    /// Projects and orders another resource holds.
    pub(super) held: Vec<Holding>,
}

impl Case {
    pub(super) fn new() -> Self {
        Self {
            spec: spec(),
            status: PublicCloudProjectStatus::default(),
            observed: Observed::default(),
            memory: Memory::default(),
            approval: None,
            order_hint: None,
            token: None,
            now: "2026-11-27T10:00:00Z".parse().unwrap(),
            paused: false,
            approved_by: None,
            max_price: None,
            allow_terminate: true,
            held: Vec::new(),
        }
    }

    pub(super) fn input(&self) -> Input<'_> {
        Input {
            spec: &self.spec,
            status: &self.status,
            uid: UID,
            approval: self.approval,
            order_hint: self.order_hint,
            termination_token: self.token,
            observed: &self.observed,
            memory: &self.memory,
            now: self.now,
            checkout_grace: std::time::Duration::from_secs(60),
            project_404_window: std::time::Duration::from_secs(3600),
            payment_settle: std::time::Duration::from_secs(1800),
            spend_interval: std::time::Duration::from_secs(3600),
            paused: self.paused,
            approved_by: self.approved_by,
            max_price: self.max_price,
            allow_terminate: self.allow_terminate,
            holders: self,
        }
    }

    /// The day-two state (spend, quotas, alerts) read just now: none of it is due.
    pub(super) fn day_two_read(&mut self) {
        self.status.spend = Some(crate::api::SpendStatus {
            read_at: self.now.to_string(),
            ..Default::default()
        });
    }

    /// Plans; unless a test set `observed.current_price`, the cart's price read again just
    /// before the checkout is the one shown (unchanged).
    pub(super) fn plan(&self) -> Step {
        let mut observed = self.observed.clone();
        if observed.current_price.is_none() {
            observed.current_price = self.status.price.clone();
        }
        let mut input = self.input();
        input.observed = &observed;
        plan(&input)
    }

    pub(super) fn delete(&self) -> Step {
        plan_deletion(&self.input())
    }

    pub(super) fn with_cart(mut self) -> Self {
        self.status.cart = Some(CartStatus {
            id: "cart-1".into(),
            assigned: Some(true),
            // The item the fixtures' reads show (`item`), as its answered POST recorded it.
            item_id: Some(7),
            ..Default::default()
        });
        // CreateCart records the plan code it resolved.
        self.status.plan_code = Some("project.2018".into());
        self
    }

    pub(super) fn with_configured_item(mut self) -> Self {
        self.observed.cart = Some(CartSeen::Found {
            read_only: false,
            items: vec![ItemSeen {
                item_id: 7,
                plan_code: Some("project.2018".into()),
                duration: Some("P1M".into()),
                pricing_mode: Some("default".into()),
                parent_item_id: None,
                configurations: vec![(1, "description".into(), "Team A".into())],
            }],
        });
        self
    }

    pub(super) fn priced(mut self) -> Self {
        self.status.price = Some(PriceStatus {
            with_tax: "0.00".into(),
            without_tax: "0.00".into(),
            currency: "EUR".into(),
        });
        self
    }

    pub(super) fn ordered(mut self, status: Option<&str>) -> Self {
        self = self.with_cart().priced();
        self.status.phase = Some(Phase::AwaitingPayment);
        self.status.order = Some(RecordedOrder {
            id: 42,
            url: Some("http://pay/42".into()),
            status: status.map(Into::into),
            date: Some("2026-11-27T09:00:00Z".into()),
            expires_at: Some("2026-12-11T09:00:00Z".into()),
            price: self.status.price.clone(),
            endpoint: None,
        });
        self
    }
}

pub(super) fn item(configurations: &[(i64, &str, &str)]) -> ItemSeen {
    ItemSeen {
        item_id: 7,
        plan_code: Some("project.2018".into()),
        duration: Some("P1M".into()),
        pricing_mode: Some("default".into()),
        parent_item_id: None,
        configurations: configurations
            .iter()
            .map(|(i, l, v)| (*i, l.to_string(), v.to_string()))
            .collect(),
    }
}

/// An order as OVH shows it, ordering `project.2018` named `description` (and the options).
pub(super) fn order_seen(id: i64, description: &str, options: &[&str]) -> OrderSeen {
    let mut items = vec![OrderItemSeen {
        plan_code: Some("project.2018".into()),
        configurations: vec![("description".into(), description.into())],
    }];
    items.extend(options.iter().map(|o| OrderItemSeen {
        plan_code: Some(o.to_string()),
        configurations: vec![],
    }));
    OrderSeen {
        id,
        items: Some(items),
    }
}

pub(super) fn card(status: &str) -> Option<PaymentMethodSeen> {
    Some(PaymentMethodSeen {
        id: 5,
        payment_type: "CREDIT_CARD".into(),
        status: status.into(),
    })
}

mod approval;
mod cart;
mod day_two;
mod delete;
mod follow;
mod options;
mod order;
mod outputs;

impl Holders for Case {
    fn held_elsewhere(&self, holding: &Holding) -> bool {
        self.held.contains(holding)
    }
}
