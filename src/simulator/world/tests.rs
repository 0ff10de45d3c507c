//! Pure-state rules of the simulated account (no HTTP).

use std::time::Duration;

use super::*;

fn world(args: &[&str]) -> World {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Wrapper {
        #[command(flatten)]
        cfg: SimConfig,
    }
    let cfg = Wrapper::parse_from(std::iter::once("simulator").chain(args.iter().copied())).cfg;
    World::new(cfg)
}

fn assigned_cart(w: &mut World, subsidiary: &str, plan_code: &str) -> String {
    let cart = w
        .create_cart(CartCreation {
            ovh_subsidiary: subsidiary.into(),
            description: Some("d".into()),
            expire: None,
        })
        .unwrap()
        .cart_id;
    w.assign_cart(&cart).unwrap();
    w.add_cloud_item(
        &cart,
        GenericProductCreation {
            plan_code: plan_code.into(),
            duration: "P1M".into(),
            pricing_mode: "default".into(),
            quantity: 1,
        },
    )
    .unwrap();
    cart
}

#[test]
fn flags_have_the_documented_defaults_and_parse() {
    let w = world(&[]);
    assert_eq!(w.cfg.region, Region::Eu);
    assert_eq!(
        (
            w.cfg.payment_method_type.as_str(),
            w.cfg.payment_method_status.as_str()
        ),
        ("CREDIT_CARD", "VALID")
    );
    assert_eq!((w.cfg.autopay_ms, w.cfg.termination_email_ms), (1500, 0));
    assert_eq!(w.cfg.order_ttl_secs, 14 * 86_400);
    let w = world(&[
        "--region",
        "us",
        "--payment-method-type",
        "BANK_ACCOUNT",
        "--payment-method-status",
        "EXPIRED",
        "--autopay-ms",
        "10",
        "--termination-email-ms",
        "20",
        "--order-ttl-secs",
        "30",
    ]);
    assert_eq!(w.cfg.region, Region::Us);
    assert_eq!(w.me().ovh_subsidiary, "US");
    assert_eq!(w.payment_method_ids(Some(true), None, None).len(), 1);
    assert_eq!(w.payment_method_ids(None, None, Some("VALID")), Vec::<i64>::new());
    assert_eq!(w.payable_default_method(), None);
}

#[test]
fn each_region_accepts_only_its_subsidiaries_and_plan_code() {
    let mut eu = world(&[]);
    assert_eq!(eu.plan_codes(), ["project.2018"]);
    assert!(
        eu.create_cart(CartCreation {
            ovh_subsidiary: "US".into(),
            description: None,
            expire: None,
        })
        .is_err()
    );
    assign_and_refuse(&mut eu, "QC", "project");
    let mut us = world(&["--region", "us"]);
    assert_eq!(us.plan_codes(), ["project"]);
    assign_and_refuse(&mut us, "US", "project.2018");
}

fn assign_and_refuse(w: &mut World, subsidiary: &str, other_plan: &str) {
    let cart = assigned_cart(w, subsidiary, w.plan_codes()[0]);
    let refused = w
        .add_cloud_item(
            &cart,
            GenericProductCreation {
                plan_code: other_plan.into(),
                duration: "P1M".into(),
                pricing_mode: "default".into(),
                quantity: 1,
            },
        )
        .unwrap_err();
    assert_eq!(refused.status, 400);
}

#[test]
fn delayed_emails_get_ids_in_arrival_order() {
    let mut w = world(&[]);
    w.send_email(Duration::from_millis(50), "late".into(), "b".into());
    let early = w.add_email("early".into(), "b".into());
    assert_eq!(w.email_ids(), vec![early]);
    std::thread::sleep(Duration::from_millis(60));
    let ids = w.email_ids();
    assert_eq!(ids.len(), 2);
    assert!(ids[1] > early);
    assert_eq!(w.email(ids[1]).unwrap().subject, "late");
}

#[test]
fn us_orders_have_operations_and_no_extension_eu_the_reverse() {
    for (args, us) in [(&[][..], false), (&["--region", "us"][..], true)] {
        let mut w = world(args);
        let plan = w.plan_codes()[0];
        let cart = assigned_cart(&mut w, if us { "US" } else { "FR" }, plan);
        let order = w.checkout(&cart, Checkout::default()).unwrap().order_id.unwrap();
        w.force_order_status(order, Some(OrderStatus::Delivered)).unwrap();
        let detail = w.order_detail_ids(order).unwrap()[0];
        let project = w.orders[&order].project_id.clone();
        let domain = w.order_detail(order, detail).unwrap().domain;
        assert_eq!(domain == project, !us);
        assert_eq!(w.order_detail_extension(order, detail).is_ok(), !us);
        match w.order_detail_operation_ids(order, detail) {
            Ok(ops) if us => {
                let op = w.order_detail_operation(order, detail, ops[0]).unwrap();
                assert_eq!(op.resource.name, project);
            }
            Err(e) if !us => assert_eq!(e, SimError::no_route()),
            other => panic!("{other:?}"),
        }
    }
}

/// The ledger's JSON keeps the field names scripts and older tests read.
#[test]
fn the_ledger_serializes_with_its_documented_field_names() {
    let mut w = world(&[]);
    let cart = assigned_cart(&mut w, "FR", "project.2018");
    let order = w.checkout(&cart, Checkout::default()).unwrap().order_id.unwrap();
    w.force_order_status(order, Some(OrderStatus::Delivered)).unwrap();
    let ledger = serde_json::to_value(w.ledger()).unwrap();
    let keys = |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&ledger), ["carts", "emails", "orders", "projects", "users"]);
    assert_eq!(
        keys(&ledger["carts"][0]),
        [
            "assigned",
            "cartId",
            "checkoutAttempts",
            "checkouts",
            "description",
            "expired",
            "items",
            "readOnly"
        ]
    );
    assert_eq!(
        keys(&ledger["carts"][0]["items"][0]),
        [
            "configurations",
            "duration",
            "id",
            "planCode",
            "pricingMode",
            "quantity"
        ]
    );
    assert_eq!(
        keys(&ledger["orders"][0]),
        [
            "autoPayRequested",
            "cartId",
            "date",
            "expirationDate",
            "orderId",
            "paidWith",
            "payAttempts",
            "projectId",
            "status",
            "url",
            "waiveRetractationPeriod"
        ]
    );
    assert_eq!(ledger["orders"][0]["status"], "delivered");
    assert_eq!(ledger["orders"][0]["paidWith"], serde_json::Value::Null);
    assert_eq!(
        keys(&ledger["projects"][0]),
        ["description", "expired", "orderId", "projectId", "status"]
    );
}

/// Users (tf `resource_cloud_project_user.go`): the password only in the creation's and the
/// regeneration's answers, creating → ok, openrc only once ok, gone with its project.
#[test]
fn users_show_their_password_once_and_go_with_their_project() {
    let mut w = world(&[
        "--project-404-ms",
        "0",
        "--checking-ms",
        "0",
        "--delivering-ms",
        "0",
        "--user-creation-ms",
        "100",
    ]);
    let cart = assigned_cart(&mut w, "FR", "project.2018");
    let order = w.checkout(&cart, Checkout::default()).unwrap().order_id.unwrap();
    w.force_order_status(order, Some(OrderStatus::Delivered)).unwrap();
    let project = w.orders[&order].project_id.clone();
    let creation = |role: &str| ProjectUserCreation {
        description: Some("d (marker)".into()),
        role: Some(role.into()),
        roles: vec![],
    };
    assert_eq!(w.create_user(&project, creation("root")).unwrap_err().status, 400);
    let created = w.create_user(&project, creation("compute_operator")).unwrap();
    assert_eq!(created.user.status, "creating");
    assert_eq!(
        w.openrc(&project, created.user.id, "GRA11", None)
            .unwrap_err()
            .status,
        400
    );
    let listed = w.users(&project).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].description, "d (marker)");
    std::thread::sleep(Duration::from_millis(150));
    assert_eq!(w.user(&project, created.user.id).unwrap().status, "ok");
    let rc = w
        .openrc(&project, created.user.id, "GRA11", Some("v3"))
        .unwrap()
        .content;
    assert!(
        rc.contains(&format!("export OS_USERNAME=\"{}\"", created.user.username)),
        "{rc}"
    );
    assert!(!rc.contains(&created.password));
    let again = w.regenerate_password(&project, created.user.id).unwrap();
    assert_ne!(again.password, created.password);
    assert_eq!(w.ledger().users[0].passwords_issued, 2);
    let token = {
        w.terminate_project(&project).unwrap();
        w.projects[&project].termination_token.clone().unwrap()
    };
    w.confirm_termination(
        &project,
        ConfirmTermination {
            token,
            reason: None,
            future_use: None,
            commentary: None,
        },
    )
    .unwrap();
    assert!(w.ledger().users[0].deleted, "gone with its project");
    assert_eq!(w.user(&project, created.user.id).unwrap_err().status, 404);
}
