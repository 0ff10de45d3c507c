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
    assert_eq!(
        keys(&ledger),
        ["carts", "dayTwo", "emails", "orders", "projects", "users"]
    );
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

/// A delivered project, visible now, in a world without waits.
fn delivered(w: &mut World) -> String {
    let cart = assigned_cart(w, "FR", "project.2018");
    let order = w.checkout(&cart, Checkout::default()).unwrap().order_id.unwrap();
    w.force_order_status(order, Some(OrderStatus::Delivered)).unwrap();
    w.orders[&order].project_id.clone()
}

fn no_waits() -> World {
    world(&[
        "--project-404-ms",
        "0",
        "--checking-ms",
        "0",
        "--delivering-ms",
        "0",
    ])
}

fn budget(name: &str) -> AlertingBody {
    AlertingBody {
        name: Some(name.into()),
        monthly_threshold: Some(100),
        delay: Some(3600),
        emails: Some(vec!["a@example.com".into()]),
        ..Default::default()
    }
}

/// Alertings: every POST makes one; `delay` from OVH's enum; the deprecated `email` accepted on a
/// POST (the Control Panel's) and refused on a PUT; alerts sent listed; gone once deleted.
#[test]
fn alertings_are_made_by_every_post_and_take_email_only_on_a_post() {
    let mut w = no_waits();
    let project = delivered(&mut w);
    let first = w.create_alerting(&project, budget("b (marker)")).unwrap();
    let second = w.create_alerting(&project, budget("b (marker)")).unwrap();
    assert_ne!(first["id"], second["id"], "a POST is never deduplicated");
    assert_eq!(first["email"], "a@example.com", "{first}");
    let bad_delay = AlertingBody {
        delay: Some(60),
        ..budget("x")
    };
    assert_eq!(w.create_alerting(&project, bad_delay).unwrap_err().status, 400);
    let no_recipient = AlertingBody {
        emails: None,
        ..budget("x")
    };
    assert_eq!(w.create_alerting(&project, no_recipient).unwrap_err().status, 400);
    let panel = AlertingBody {
        email: Some("owner@example.com".into()),
        monthly_threshold: Some(50),
        ..Default::default()
    };
    let panel = w.control_panel_alerting(&project, panel).unwrap();
    assert_eq!(
        (panel["name"].as_str(), panel["delay"].as_i64()),
        (Some(""), Some(3600))
    );
    let id = first["id"].as_str().unwrap().to_string();
    let with_email = AlertingBody {
        email: Some("a@example.com".into()),
        ..Default::default()
    };
    assert_eq!(
        w.update_alerting(&project, &id, with_email).unwrap_err().status,
        400
    );
    let raise = AlertingBody {
        monthly_threshold: Some(300),
        ..Default::default()
    };
    w.update_alerting(&project, &id, raise).unwrap();
    assert_eq!(w.alerting(&project, &id).unwrap()["monthlyThreshold"], 300);
    let alert = w.send_alert(&project, &id).unwrap();
    assert_eq!(w.alerting_alert_ids(&project, &id).unwrap(), [alert]);
    assert_eq!(
        w.alerting_alert(&project, &id, alert).unwrap().emails,
        ["a@example.com"]
    );
    let ledger = w.ledger();
    let day = ledger.day_two(&project).unwrap();
    assert_eq!(
        (day.alertings_created, day.alertings_marked("(marker)").len()),
        (2, 2)
    );
    assert_eq!(day.alertings.len(), 3, "the Control Panel's too");
    w.delete_alerting(&project, &id).unwrap();
    assert_eq!(w.alerting(&project, &id).unwrap_err().status, 404);
    assert_eq!(w.alerting_ids(&project).unwrap().len(), 2);
}

/// Regions: the first of the catalog active, `regionAvailable` the others, an unknown one 400,
/// an active one 409, and a POST that failed but takes effect after N reads.
#[test]
fn regions_activate_once_and_a_late_one_appears_after_its_reads() {
    let mut w = no_waits();
    let project = delivered(&mut w);
    assert_eq!(w.regions(&project).unwrap(), ["GRA11"]);
    let available: Vec<String> = w
        .available_regions(&project)
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(available, ["SBG5", "BHS5", "DE1", "UK1", "WAW1"]);
    let region = |name: &str| ProjectRegionCreation { region: name.into() };
    assert_eq!(w.add_region(&project, region("XX9")).unwrap_err().status, 400);
    assert_eq!(w.add_region(&project, region("GRA11")).unwrap_err().status, 409);
    assert_eq!(w.add_region(&project, region("SBG5")).unwrap()["status"], "UP");
    w.add_region_later(&project, region("DE1"), Some(2), None)
        .unwrap();
    assert_eq!(w.regions(&project).unwrap(), ["GRA11", "SBG5"]);
    assert_eq!(w.regions(&project).unwrap(), ["GRA11", "SBG5"]);
    assert_eq!(
        w.regions(&project).unwrap(),
        ["DE1", "GRA11", "SBG5"],
        "after 2 reads"
    );
    let ledger = w.ledger();
    let day = ledger.day_two(&project).unwrap();
    assert_eq!((day.region_posts_of("DE1"), day.region_posts_of("GRA11")), (1, 1));
    assert_eq!(day.reads_of("region"), 4);
    w.set_region_catalog(vec!["GRA11".into(), "EU-WEST-PAR".into()])
        .unwrap();
    let available = w.available_regions(&project).unwrap();
    assert_eq!(available[0].name, "EU-WEST-PAR");
    assert_eq!(available[0].region_type.as_deref(), Some("region-3-az"));
}

/// Spend and standing as test control sets them; `manualQuota` written by the project's PUT,
/// counted.
#[test]
fn spend_standing_and_manual_quota_read_back() {
    let mut w = no_waits();
    let project = delivered(&mut w);
    w.set_spend(&project, Some(1_234_000_000), Some(5_678_000_000), None)
        .unwrap();
    let current = w.usage(&project, false).unwrap();
    assert_eq!(current["totalPrice"]["value"], 12.34);
    assert_eq!(current["totalPrice"]["currencyCode"], "EUR");
    assert_eq!(
        w.usage(&project, true).unwrap()["totalPrice"]["priceInUcents"],
        5_678_000_000i64
    );
    assert_eq!(w.service_infos(&project).unwrap()["status"], "ok");
    w.set_service(&project, Some("unPaid".into()), Some("2027-01-31".into()))
        .unwrap();
    let infos = w.service_infos(&project).unwrap();
    assert_eq!(
        (infos["status"].as_str(), infos["expiration"].as_str()),
        (Some("unPaid"), Some("2027-01-31"))
    );
    assert_eq!(
        w.set_service(&project, Some("late".into()), None)
            .unwrap_err()
            .status,
        400
    );
    assert_eq!(w.project(&project).unwrap().manual_quota, Some(false));
    w.update_project(&project, serde_json::json!({"manualQuota": true}))
        .unwrap();
    let refused = w.update_project(&project, serde_json::json!({"manualQuota": "yes"}));
    assert_eq!(refused.unwrap_err().status, 400);
    assert_eq!(w.project(&project).unwrap().manual_quota, Some(true));
    assert_eq!(w.quotas(&project).unwrap()[0].region, "GRA11");
    let ledger = w.ledger();
    let day = ledger.day_two(&project).unwrap();
    assert_eq!((day.manual_quota_puts, day.spend_current.as_str()), (1, "12.34"));
    assert_eq!(
        (day.reads_of("usage/current"), day.reads_of("usage/forecast")),
        (1, 1)
    );
}

#[test]
fn the_listing_keeps_a_deleted_project_and_drops_one_gone_from_the_account() {
    let mut w = no_waits();
    let (deleted, removed) = (delivered(&mut w), delivered(&mut w));
    w.set_project_status(&deleted, "deleted".into()).unwrap();
    w.remove_project(&removed).unwrap();
    assert_eq!(
        w.project_ids(),
        vec![deleted.clone()],
        "a deleted project stays listed"
    );
    assert_eq!(w.project(&deleted).unwrap().status, "deleted");
    assert_eq!(w.project(&removed).unwrap_err().status, 404);
}
