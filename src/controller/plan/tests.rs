use super::*;
use crate::api::{
    CartStatus, ItemConfiguration, OrderStatus as OrderStatusField, OvhSubsidiary, PaymentStatus,
    PriceStatus, TerminationStatus,
};

const UID: &str = "0b6c1e2a-uid";

fn spec() -> PublicCloudProjectSpec {
    serde_json::from_value(serde_json::json!({"description": "Team A"})).unwrap()
}

struct Case {
    spec: PublicCloudProjectSpec,
    status: PublicCloudProjectStatus,
    observed: Observed,
    approval: Option<&'static str>,
    order_hint: Option<i64>,
    token: Option<&'static str>,
    now: jiff::Timestamp,
}

impl Case {
    fn new() -> Self {
        Self {
            spec: spec(),
            status: PublicCloudProjectStatus::default(),
            observed: Observed::default(),
            approval: None,
            order_hint: None,
            token: None,
            now: "2026-11-27T10:00:00Z".parse().unwrap(),
        }
    }

    fn input(&self) -> Input<'_> {
        Input {
            spec: &self.spec,
            status: &self.status,
            uid: UID,
            approval: self.approval,
            order_hint: self.order_hint,
            termination_token: self.token,
            observed: &self.observed,
            now: self.now,
            checkout_grace: std::time::Duration::from_secs(60),
            project_404_window: std::time::Duration::from_secs(3600),
        }
    }

    fn plan(&self) -> Step {
        plan(&self.input())
    }

    fn delete(&self) -> Step {
        plan_deletion(&self.input())
    }

    fn with_cart(mut self) -> Self {
        self.status.cart = Some(CartStatus {
            id: "cart-1".into(),
            assigned: Some(true),
            ..Default::default()
        });
        // CreateCart records the plan code it resolved.
        self.status.plan_code = Some("project.2018".into());
        self
    }

    fn with_configured_item(mut self) -> Self {
        self.observed.cart = Some(CartSeen::Found {
            read_only: false,
            items: vec![ItemSeen {
                item_id: 7,
                plan_code: Some("project.2018".into()),
                duration: Some("P1M".into()),
                pricing_mode: Some("default".into()),
                configurations: vec![(1, "description".into(), "Team A".into())],
            }],
        });
        self
    }

    fn priced(mut self) -> Self {
        self.status.price = Some(PriceStatus {
            with_tax: "0.00".into(),
            without_tax: "0.00".into(),
            currency: "EUR".into(),
        });
        self
    }

    fn ordered(mut self, status: Option<&str>) -> Self {
        self = self.with_cart().priced();
        self.status.phase = Some(Phase::AwaitingPayment);
        self.status.order = Some(OrderStatusField {
            id: 42,
            url: Some("http://pay/42".into()),
            status: status.map(Into::into),
            date: Some("2026-11-27T09:00:00Z".into()),
            expires_at: Some("2026-12-11T09:00:00Z".into()),
        });
        self
    }
}

fn item(configurations: &[(i64, &str, &str)]) -> ItemSeen {
    ItemSeen {
        item_id: 7,
        plan_code: Some("project.2018".into()),
        duration: Some("P1M".into()),
        pricing_mode: Some("default".into()),
        configurations: configurations
            .iter()
            .map(|(i, l, v)| (*i, l.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn a_new_resource_first_looks_for_a_cart_it_may_have_lost() {
    let case = Case::new();
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::CartsByMarker(format!("{CART_MARKER_PREFIX}{UID}")))
    );
}

#[test]
fn a_found_cart_is_recorded_instead_of_creating_another() {
    let mut case = Case::new();
    case.observed.marker_carts = Some(vec!["lost-cart".into()]);
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordFoundCart {
            cart_id: "lost-cart".into()
        })
    );
}

#[test]
fn the_subsidiary_comes_from_the_spec_or_the_account() {
    let mut case = Case::new();
    case.observed.marker_carts = Some(vec![]);
    assert_eq!(case.plan(), Step::Look(Lookup::AccountSubsidiary));
    case.observed.subsidiary = Some("IE".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::CreateCart {
            subsidiary: "IE".into(),
            marker: format!("{CART_MARKER_PREFIX}{UID}"),
            plan_code: "project.2018".into(),
        })
    );
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::DE);
    assert!(matches!(case.plan(), Step::Act(Act::CreateCart { subsidiary, .. }) if subsidiary == "DE"));
}

#[test]
fn the_plan_code_follows_the_endpoint_unless_the_spec_names_one() {
    let mut case = Case::new();
    case.observed.marker_carts = Some(vec![]);
    case.spec.ovh_subsidiary = Some(OvhSubsidiary::US);
    assert!(
        matches!(case.plan(), Step::Act(Act::CreateCart { plan_code, .. }) if plan_code == "project"),
        "US: project (terraform-provider-ovh PR #455)"
    );
    case.spec.plan.plan_code = Some("project.discovery".into());
    assert!(
        matches!(case.plan(), Step::Act(Act::CreateCart { plan_code, .. }) if plan_code == "project.discovery")
    );

    // Once the cart recorded it, the resolved code is used without asking the account again.
    let mut case = Case::new().with_cart();
    case.status.plan_code = None;
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(case.plan(), Step::Look(Lookup::AccountSubsidiary));
    case.status.plan_code = Some("project".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::AddItem {
            cart_id: "cart-1".into(),
            plan_code: "project".into()
        })
    );
    // An item of another plan goes.
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[])],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::DeleteItem {
            cart_id: "cart-1".into(),
            item_id: 7
        })
    );
}

#[test]
fn an_unassigned_cart_is_assigned_then_read() {
    let mut case = Case::new().with_cart();
    case.status.cart.as_mut().unwrap().assigned = None;
    assert_eq!(
        case.plan(),
        Step::Act(Act::AssignCart {
            cart_id: "cart-1".into()
        })
    );
    case.status.cart.as_mut().unwrap().assigned = Some(true);
    assert_eq!(case.plan(), Step::Look(Lookup::Cart("cart-1".into())));
}

#[test]
fn the_item_is_added_then_configured_in_spec_order() {
    let mut case = Case::new().with_cart();
    case.spec.voucher = Some("WELCOME".into());
    case.spec.configurations = vec![ItemConfiguration {
        label: "infrastructure".into(),
        value: "production".into(),
    }];
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::AddItem {
            cart_id: "cart-1".into(),
            plan_code: "project.2018".into()
        })
    );

    let mut posted = vec![];
    for (label, value) in [
        ("description", "Team A"),
        ("voucher", "WELCOME"),
        ("infrastructure", "production"),
    ] {
        case.observed.cart = Some(CartSeen::Found {
            read_only: false,
            items: vec![item(&posted)],
        });
        let expected = Step::Act(Act::AddConfiguration {
            cart_id: "cart-1".into(),
            item_id: 7,
            label: label.into(),
            value: value.into(),
        });
        assert_eq!(case.plan(), expected);
        posted.push((posted.len() as i64 + 1, label, value));
    }
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&posted)],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::PreviewPrice {
            cart_id: "cart-1".into()
        })
    );
}

#[test]
fn a_cart_is_brought_back_to_the_spec_before_checkout() {
    let mut case = Case::new().with_cart();
    // A configuration whose value changed in the spec, and a duplicate label, are removed.
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[(1, "description", "Old name")])],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::DeleteConfiguration {
            cart_id: "cart-1".into(),
            item_id: 7,
            configuration_id: 1
        })
    );
    // An item of another plan (the spec changed) is removed, then the right one added.
    let mut other = item(&[]);
    other.duration = Some("P1Y".into());
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![other],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::DeleteItem {
            cart_id: "cart-1".into(),
            item_id: 7
        })
    );
    // A second item of the right plan (an AddItem whose answer was lost) is removed.
    let mut twin = item(&[]);
    twin.item_id = 8;
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![item(&[(1, "description", "Team A")]), twin],
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::DeleteItem {
            cart_id: "cart-1".into(),
            item_id: 8
        })
    );
}

#[test]
fn checkout_is_recorded_before_it_is_sent() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    assert_eq!(case.plan(), Step::Act(Act::BeginCheckout));
    case.status.phase = Some(Phase::CheckingOut);
    case.observed.checkout_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        })
    );
}

#[test]
fn manual_approval_waits_for_the_current_cart_id() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.approval = Approval::Manual;
    let Step::Wait {
        phase,
        reason,
        message,
        warning,
        requeue,
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, warning, requeue),
        (
            Phase::AwaitingApproval,
            Reason::AwaitingApproval,
            false,
            Requeue::Person
        )
    );
    assert!(
        message.contains("publiccloud.ovh-operator.dev/approve=cart-1"),
        "{message}"
    );
    assert!(message.contains("0.00 EUR"), "{message}");

    case.approval = Some("old-cart");
    let Step::Wait { warning, message, .. } = case.plan() else {
        panic!()
    };
    assert!(
        warning && message.contains("old-cart"),
        "a stale approval is a warning: {message}"
    );

    case.approval = Some("cart-1");
    assert_eq!(case.plan(), Step::Act(Act::BeginCheckout));
}

fn card(status: &str) -> Option<PaymentMethodSeen> {
    Some(PaymentMethodSeen {
        id: 5,
        payment_type: "CREDIT_CARD".into(),
        status: status.into(),
    })
}

#[test]
fn automatic_payment_needs_a_usable_method_unless_the_order_is_free() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.spec.payment = Payment::Automatic;
    case.status.phase = Some(Phase::CheckingOut);
    case.observed.checkout_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        }),
        "free: no method needed, the fidelity account pays (and never autopay)"
    );
    case.status.price.as_mut().unwrap().with_tax = "12.00".into();
    assert_eq!(case.plan(), Step::Look(Lookup::DefaultPaymentMethod));
    for (method, problem) in [
        (None, "no default payment method"),
        (card("EXPIRED"), "CREDIT_CARD 5 (EXPIRED) is not VALID"),
    ] {
        case.observed.default_payment_method = Some(method);
        let Step::Wait {
            phase,
            reason,
            message,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!((phase, reason), (Phase::Failed, Reason::NoPaymentMethod));
        assert!(
            message.contains(problem) && message.contains("12.00 EUR"),
            "{message}"
        );
    }
    case.observed.default_payment_method = Some(card("VALID"));
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        })
    );
}

#[test]
fn an_expired_cart_is_replaced_before_checkout_only() {
    let mut case = Case::new().with_cart();
    case.observed.cart = Some(CartSeen::Gone);
    assert_eq!(case.plan(), Step::Act(Act::ForgetCart));
    case.status.phase = Some(Phase::CheckingOut);
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::FindOrder { since: None }),
        "a vanished cart in CheckingOut may have an order"
    );
}

#[test]
fn a_restart_in_checking_out_never_checks_out_a_read_only_cart() {
    let mut case = Case::new().with_cart().priced();
    case.status.phase = Some(Phase::CheckingOut);
    case.observed.cart = Some(CartSeen::Found {
        read_only: true,
        items: vec![item(&[(1, "description", "Team A")])],
    });
    case.status.cart.as_mut().unwrap().created_at = Some("2026-11-27T09:00:00Z".into());
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::FindOrder {
            since: Some("2026-11-27T09:00:00Z".into())
        }),
        "orders placed since the cart was made"
    );
    case.observed.order_search = Some(OrderSearch::Found(99));
    assert_eq!(case.plan(), Step::Act(Act::RecordOrder { order_id: 99 }));

    for search in [
        OrderSearch::NotFound,
        OrderSearch::Ambiguous(vec![1, 2]),
        OrderSearch::Unverifiable(vec![1]),
    ] {
        case.observed.order_search = Some(search);
        let Step::Wait {
            phase,
            warning,
            message,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!(phase, Phase::NeedsAttention);
        assert!(warning);
        assert!(
            message.contains("publiccloud.ovh-operator.dev/order-id"),
            "says what a person can do: {message}"
        );
    }
    case.order_hint = Some(1);
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordOrder { order_id: 1 }),
        "a person's answer is taken"
    );
}

#[test]
fn a_restart_in_checking_out_with_an_open_cart_looks_for_an_order_then_checks_out() {
    // The cart is not read-only, but a slow checkout may still have committed: look first.
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.phase = Some(Phase::CheckingOut);
    assert_eq!(case.plan(), Step::Look(Lookup::FindOrder { since: None }));
    case.observed.order_search = Some(OrderSearch::Found(8));
    assert_eq!(case.plan(), Step::Act(Act::RecordOrder { order_id: 8 }));
    case.observed.order_search = Some(OrderSearch::Unverifiable(vec![8]));
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::NeedsAttention,
                ..
            }
        ),
        "an order that cannot be checked is never ordered again on a guess"
    );
    case.observed.order_search = Some(OrderSearch::NotFound);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        })
    );
}

#[test]
fn a_lost_cart_in_checking_out_is_searched_for_not_recreated() {
    let mut case = Case::new();
    case.status.phase = Some(Phase::CheckingOut);
    assert_eq!(case.plan(), Step::Look(Lookup::FindOrder { since: None }));
}

#[test]
fn orders_are_followed_to_delivery() {
    let mut case = Case::new().ordered(None);
    assert_eq!(case.plan(), Step::Look(Lookup::OrderStatus(42)));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordOrderStatus(OrderStatus::NotPaid))
    );

    let mut case = Case::new().ordered(Some("notPaid"));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    let Step::Wait {
        phase,
        message,
        requeue,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!((phase, requeue), (Phase::AwaitingPayment, Requeue::Progress));
    assert!(message.contains("http://pay/42"));

    for (s, status) in [
        ("checking", OrderStatus::Checking),
        ("delivering", OrderStatus::Delivering),
    ] {
        let mut case = Case::new().ordered(Some(s));
        case.observed.order_status = Some(status);
        assert!(matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::Delivering,
                requeue: Requeue::Progress,
                ..
            }
        ));
    }

    let mut case = Case::new().ordered(Some("delivered"));
    case.observed.order_status = Some(OrderStatus::Delivered);
    assert_eq!(case.plan(), Step::Look(Lookup::ProjectIdFromDetails(42)));
    case.observed.project_id_from_details = Some(Some("p".into()));
    assert_eq!(case.plan(), Step::Act(Act::RecordProjectId("p".into())));

    case.status.project_id = Some("p".into());
    assert_eq!(case.plan(), Step::Look(Lookup::Project("p".into())));
    case.observed.project = Some(ProjectSeen::NotFound);
    case.status.delivered_at = Some("2026-11-27T09:30:00Z".into());
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::Delivering,
                reason: Reason::ProjectNotVisibleYet,
                ..
            }
        ),
        "404 window after delivery"
    );
    case.now = "2026-11-27T10:31:00Z".parse().unwrap();
    assert!(
        matches!(
            case.plan(),
            Step::Wait {
                phase: Phase::NeedsAttention,
                reason: Reason::ProjectNotFound,
                warning: true,
                ..
            }
        ),
        "a 404 long after delivery needs a person"
    );
    case.observed.project = Some(ProjectSeen::Expired);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            reason: Reason::ProjectExpired,
            ..
        }
    ));
    case.observed.project = Some(ProjectSeen::Found { status: "ok".into() });
    assert_eq!(case.plan(), Step::Act(Act::RecordProject { status: "ok".into() }));
    case.status.project_status = Some("ok".into());
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Ready,
            requeue: Requeue::Resync,
            ..
        }
    ));
    case.observed.project = Some(ProjectSeen::Found {
        status: "suspended".into(),
    });
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordProject {
            status: "suspended".into()
        }),
        "drift is reported"
    );
}

#[test]
fn automatic_payment_pays_once_free_orders_with_the_fidelity_account() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(
        case.plan(),
        Step::Act(Act::BeginPayment { method: None }),
        "0.00: the fidelity account, whatever the methods (ovh/manager)"
    );
    case.status.payment = Some(PaymentStatus {
        method: FIDELITY_ACCOUNT.into(),
        method_id: None,
        requested_at: "2026-11-27T09:59:00Z".into(),
        refused: None,
    });
    case.observed.payment_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::PayWithFidelityAccount { order_id: 42 })
    );
}

#[test]
fn automatic_payment_of_a_priced_order_uses_a_valid_default_method_once() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.status.price.as_mut().unwrap().with_tax = "12.00".into();
    case.spec.payment = Payment::Automatic;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert_eq!(case.plan(), Step::Look(Lookup::DefaultPaymentMethod));
    case.observed.default_payment_method = Some(card("EXPIRED"));
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::AwaitingPayment,
            reason: Reason::NoUsablePaymentMethod,
            warning: true,
            ..
        }
    ));
    case.observed.default_payment_method = Some(card("VALID"));
    assert_eq!(
        case.plan(),
        Step::Act(Act::BeginPayment {
            method: card("VALID")
        })
    );

    // Recorded and begun in this pass: sent.
    case.status.payment = Some(PaymentStatus {
        method: "CREDIT_CARD 5".into(),
        method_id: Some(5),
        requested_at: "2026-11-27T09:59:00Z".into(),
        refused: None,
    });
    case.observed.payment_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Pay {
            order_id: 42,
            payment_method_id: 5
        })
    );
    // Recorded by an earlier pass (answer lost, crash): never sent again; polled.
    case.observed.payment_begun = false;
    let Step::Wait {
        phase,
        reason,
        requeue,
        message,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue),
        (Phase::AwaitingPayment, Reason::PaymentPending, Requeue::Progress)
    );
    assert!(message.contains("http://pay/42"), "{message}");
    // Refused: OVH's message and the URL, polled, not retried.
    case.status.payment.as_mut().unwrap().refused =
        Some("This order can't be paid with 'bankAccount'".into());
    let Step::Wait {
        phase,
        reason,
        requeue,
        message,
        warning,
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue, warning),
        (
            Phase::AwaitingPayment,
            Reason::PaymentRefused,
            Requeue::Progress,
            true
        )
    );
    assert!(
        message.contains("bankAccount") && message.contains("http://pay/42"),
        "{message}"
    );
}

#[test]
fn an_unpaid_order_past_its_expiration_date_fails() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.order.as_mut().unwrap().expires_at = None;
    assert_eq!(case.plan(), Step::Look(Lookup::OrderExpiry(42)));
    case.observed.order_expiry = Some(Some("2026-11-27T09:30:00Z".into()));
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordOrderExpiry("2026-11-27T09:30:00Z".into()))
    );
    case.status.order.as_mut().unwrap().expires_at = Some("2026-11-27T09:30:00Z".into());
    let Step::Wait {
        phase,
        reason,
        requeue,
        ..
    } = case.plan()
    else {
        panic!()
    };
    assert_eq!(
        (phase, reason, requeue),
        (Phase::Failed, Reason::OrderExpired, Requeue::SpecChange),
        "polling stops"
    );
    // Without an expiration date from OVH, the order is simply followed.
    case.status.order.as_mut().unwrap().expires_at = None;
    case.observed.order_expiry = Some(None);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::AwaitingPayment,
            ..
        }
    ));
}

#[test]
fn failed_orders_stop_with_a_reason() {
    for (s, status, phase, reason) in [
        (
            "cancelled",
            OrderStatus::Cancelled,
            Phase::Failed,
            Reason::OrderCancelled,
        ),
        (
            "documentsRequested",
            OrderStatus::DocumentsRequested,
            Phase::NeedsAttention,
            Reason::DocumentsRequested,
        ),
        (
            "unknown",
            OrderStatus::Unknown,
            Phase::NeedsAttention,
            Reason::OrderStatusUnknown,
        ),
    ] {
        let mut case = Case::new().ordered(Some(s));
        case.observed.order_status = Some(status);
        let Step::Wait {
            phase: p,
            reason: r,
            warning,
            ..
        } = case.plan()
        else {
            panic!()
        };
        assert_eq!((p, r, warning), (phase, reason, true), "{s}");
    }
}

#[test]
fn adoption_orders_nothing() {
    let mut case = Case::new();
    case.spec.project_id = Some("0123456789ab4cdef0123456789abcde".into());
    assert_eq!(
        case.plan(),
        Step::Act(Act::RecordProjectId("0123456789ab4cdef0123456789abcde".into()))
    );
    case.status.project_id = case.spec.project_id.clone();
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::Project("0123456789ab4cdef0123456789abcde".into()))
    );
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(matches!(
        case.plan(),
        Step::Wait {
            phase: Phase::Failed,
            reason: Reason::ProjectNotFound,
            ..
        }
    ));
}

#[test]
fn deletion_orphans_by_default_and_never_terminates_without_being_told() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.status.project_id = Some("p".into());
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: false, .. }
    ));

    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::Project("p".into())));
    case.observed.project = Some(ProjectSeen::Found { status: "ok".into() });
    assert_eq!(
        case.delete(),
        Step::Look(Lookup::NewestEmail),
        "the newest e-mail is recorded before termination is asked"
    );
    case.observed.newest_email = Some(900);
    assert_eq!(case.delete(), Step::Act(Act::MarkEmails { newest: 900 }));
    case.status.termination = Some(TerminationStatus {
        emails_after: 900,
        requested_at: None,
    });
    assert_eq!(
        case.delete(),
        Step::Act(Act::RequestTermination {
            project_id: "p".into()
        })
    );
    case.status.termination.as_mut().unwrap().requested_at = Some("2026-11-27T10:00:00Z".into());
    case.status.phase = Some(Phase::Terminating);
    assert_eq!(
        case.delete(),
        Step::Look(Lookup::TerminationToken {
            project_id: "p".into(),
            after: 900
        }),
        "only e-mails newer than the request"
    );
    case.observed.termination_token = Some(None);
    assert!(matches!(
        case.delete(),
        Step::Wait {
            phase: Phase::Terminating,
            ..
        }
    ));
    case.token = Some("from-annotation");
    assert_eq!(
        case.delete(),
        Step::Act(Act::ConfirmTermination {
            project_id: "p".into(),
            token: "from-annotation".into()
        })
    );
    case.observed.project = Some(ProjectSeen::Found {
        status: "deleted".into(),
    });
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn a_404_inside_the_delivery_window_never_releases_a_project_to_terminate() {
    let mut case = Case::new().ordered(Some("delivered"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.status.project_id = Some("p".into());
    case.status.delivered_at = Some("2026-11-27T09:55:00Z".into());
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                phase: Phase::Terminating,
                reason: Reason::ProjectNotVisibleYet,
                requeue: Requeue::Progress,
                ..
            }
        ),
        "terraform-provider-ovh#1288: not visible yet"
    );
    case.status.delivered_at = None;
    case.status.order.as_mut().unwrap().date = None;
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                reason: Reason::ProjectNotVisibleYet,
                ..
            }
        ),
        "without a delivery date, waiting is the safe side"
    );
    // After the window, a 404 is final, and said loudly.
    case.status.delivered_at = Some("2026-11-27T08:00:00Z".into());
    let Step::ReleaseFinalizer { note, warning } = case.delete() else {
        panic!("{:?}", case.delete())
    };
    assert!(warning && note.contains('p'), "{note}");
    // An adopted project's 404 is final at once.
    let mut case = Case::new();
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.spec.project_id = Some("0123456789ab4cdef0123456789abcde".into());
    case.status.project_id = case.spec.project_id.clone();
    case.observed.project = Some(ProjectSeen::NotFound);
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: true, .. }
    ));
    // 460: expired, nothing left to terminate.
    case.observed.project = Some(ProjectSeen::Expired);
    let Step::ReleaseFinalizer { note, .. } = case.delete() else {
        panic!()
    };
    assert!(note.contains("expired"), "{note}");
}

#[test]
fn deleting_while_a_payment_may_still_go_through_waits_to_terminate() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    case.status.payment = Some(PaymentStatus {
        method: "CREDIT_CARD 5".into(),
        method_id: Some(5),
        requested_at: "2026-11-27T09:58:00Z".into(),
        refused: None,
    });
    assert!(matches!(
        case.delete(),
        Step::Wait {
            phase: Phase::Terminating,
            reason: Reason::PaymentPending,
            ..
        }
    ));
    case.status.payment.as_mut().unwrap().refused = Some("refused".into());
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "a refused payment pays nothing"
    );
    case.status.payment.as_mut().unwrap().refused = None;
    case.now = "2026-11-27T11:00:00Z".parse().unwrap();
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "after the settle time the unpaid order is left"
    );
    case.now = "2026-11-27T10:00:00Z".parse().unwrap();
    case.spec.deletion_policy = DeletionPolicy::Orphan;
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_before_an_order_deletes_only_the_cart() {
    let mut case = Case::new().with_cart();
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::Cart("cart-1".into())));
    case.observed.cart = Some(CartSeen::Found {
        read_only: false,
        items: vec![],
    });
    assert_eq!(
        case.delete(),
        Step::Act(Act::DeleteCart {
            cart_id: "cart-1".into()
        })
    );
    case.observed.cart = Some(CartSeen::Gone);
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
    assert!(matches!(Case::new().delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_an_unpaid_or_undelivered_order() {
    let mut case = Case::new().ordered(Some("notPaid"));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    case.observed.order_status = Some(OrderStatus::NotPaid);
    assert!(
        matches!(case.delete(), Step::ReleaseFinalizer { .. }),
        "an unpaid order delivers nothing"
    );
    case.observed.order_status = Some(OrderStatus::Delivering);
    assert!(
        matches!(
            case.delete(),
            Step::Wait {
                phase: Phase::Terminating,
                ..
            }
        ),
        "terminate once delivered"
    );
    case.spec.deletion_policy = DeletionPolicy::Orphan;
    assert!(matches!(case.delete(), Step::ReleaseFinalizer { .. }));
}

#[test]
fn deleting_with_an_unknown_checkout_outcome_warns() {
    let mut case = Case::new().with_cart();
    case.status.phase = Some(Phase::CheckingOut);
    assert!(matches!(
        case.delete(),
        Step::ReleaseFinalizer { warning: true, .. }
    ));
    case.spec.deletion_policy = DeletionPolicy::Terminate;
    assert_eq!(case.delete(), Step::Look(Lookup::FindOrder { since: None }));
    case.observed.order_search = Some(OrderSearch::Found(3));
    assert_eq!(case.delete(), Step::Act(Act::RecordOrder { order_id: 3 }));
}

#[test]
fn an_open_cart_is_not_checked_out_again_while_an_earlier_checkout_may_run() {
    let mut case = Case::new().with_cart().with_configured_item().priced();
    case.status.phase = Some(Phase::CheckingOut);
    case.status.cart.as_mut().unwrap().checkout_started_at = Some("2026-11-27T09:59:30Z".into());
    let Step::Wait {
        phase,
        requeue,
        message,
        ..
    } = case.plan()
    else {
        panic!("{:?}", case.plan())
    };
    assert_eq!((phase, requeue), (Phase::CheckingOut, Requeue::Progress));
    assert!(message.contains("cart-1"), "{message}");
    // The same pass that began the checkout sends it at once.
    case.observed.checkout_begun = true;
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        })
    );
    // After the grace, orders placed since the checkout began are looked for first: a slow
    // checkout may have committed after its answer was given up.
    case.observed.checkout_begun = false;
    case.now = "2026-11-27T10:00:31Z".parse().unwrap();
    assert_eq!(
        case.plan(),
        Step::Look(Lookup::FindOrder {
            since: Some("2026-11-27T09:59:30Z".into())
        })
    );
    case.observed.order_search = Some(OrderSearch::Found(77));
    assert_eq!(case.plan(), Step::Act(Act::RecordOrder { order_id: 77 }));
    case.observed.order_search = Some(OrderSearch::NotFound);
    assert_eq!(
        case.plan(),
        Step::Act(Act::Checkout {
            cart_id: "cart-1".into()
        })
    );
}
