//! The simulator behaves like the real OVH where clients have been bitten: the US API (plan code
//! `project`, no order-detail `extension`, the project id in `operations`), payment methods that
//! cannot pay (bank account, not VALID), asynchronous autopay, expired services (460), late and
//! noisy e-mails, a checkout that commits after the client gave up, carts listed only once
//! assigned, item configuration requirements, order expiry, orders filtered by date, a per-call
//! latency, and a project's day two as test control drives it.

use std::time::{Duration, Instant};

mod common;

use common::sim::{
    AK_AS_CK, Sim, configured_cart, configured_cart_in, delivered_project, project_id_from_operations,
    project_id_of, wait_for_status, wait_visible,
};
use ovh_publiccloud_operator::{
    ovh::{ClientOptions, OvhClient, OvhError, Route, model::*, order::termination_token},
    simulator::Region,
};
use reqwest::Method;
use serde_json::json;

fn cart_creation(subsidiary: &str) -> CartCreation {
    CartCreation {
        ovh_subsidiary: subsidiary.into(),
        description: None,
        expire: None,
    }
}

fn product(plan_code: &str) -> GenericProductCreation {
    GenericProductCreation {
        plan_code: plan_code.into(),
        duration: "P1M".into(),
        pricing_mode: "default".into(),
        quantity: 1,
    }
}

async fn checked_out(client: &OvhClient, marker: &str, auto_pay: bool) -> i64 {
    let (cart, _) = configured_cart(client, marker).await;
    client
        .checkout(&cart.cart_id, &Checkout::api_order(auto_pay))
        .await
        .unwrap()
        .order_id
        .unwrap()
}

// ---- 1. the US API ------------------------------------------------------------------------------

#[tokio::test]
async fn us_api_orders_plan_project_and_names_the_project_only_in_operations() {
    let sim = Sim::start(|c| c.region = Region::Us).await;
    let client = sim.client();
    let me = client.me().await.unwrap();
    assert_eq!(
        (me.ovh_subsidiary.as_str(), &me.currency["code"]),
        ("US", &json!("USD"))
    );

    // Only the US subsidiary, only the `project` plan code.
    let refused = client.create_cart(&cart_creation("FR")).await.unwrap_err();
    assert_eq!(refused.status(), Some(400), "{refused}");
    let cart = client.create_cart(&cart_creation("US")).await.unwrap();
    client.assign_cart(&cart.cart_id).await.unwrap();
    let offers = client.cloud_offers(&cart.cart_id).await.unwrap();
    let codes: Vec<_> = offers.iter().map(|o| o.plan_code.as_str()).collect();
    assert_eq!(codes, ["project"]);
    assert_eq!(offers[0].prices[0].price.currency_code, "USD");
    let eu_plan = client
        .add_cloud_item(&cart.cart_id, &product("project.2018"))
        .await
        .unwrap_err();
    assert_eq!(eu_plan.status(), Some(400), "{eu_plan}");
    client.delete_cart(&cart.cart_id).await.unwrap();

    let (cart, _) = configured_cart_in(Region::Us, &client, "us-flow").await;
    let preview = client.checkout_preview(&cart.cart_id).await.unwrap();
    assert_eq!(preview.prices.with_tax.currency_code, "USD");
    let order_id = client
        .checkout(&cart.cart_id, &Checkout::api_order(false))
        .await
        .unwrap()
        .order_id
        .unwrap();
    let method = client.default_payment_methods().await.unwrap()[0];
    assert_eq!(
        project_id_from_operations(&client, order_id).await,
        None,
        "no operation before delivery"
    );
    client.pay(order_id, method).await.unwrap();
    wait_for_status(&client, order_id, OrderStatus::Delivered).await;

    // Several details, none carrying the project id; no extension; the project in operations.
    let details = client.order_details(order_id).await.unwrap();
    assert!(details.len() > 1);
    assert_eq!(project_id_of(&client, order_id).await, None);
    let extension = client
        .order_detail_extension(order_id, details[0])
        .await
        .unwrap_err();
    assert!(extension.is_not_found(), "{extension}");
    let mut named = Vec::new();
    for detail in &details {
        for op in client.order_detail_operations(order_id, *detail).await.unwrap() {
            let op = client
                .order_detail_operation(order_id, *detail, op)
                .await
                .unwrap();
            assert_eq!(op.resource.display_name.as_deref(), Some("Team A"));
            named.push(op.resource.name);
        }
    }
    assert_eq!(named.len(), 1, "exactly one operation names the project");
    let project_id = named.pop().unwrap();
    let ledger = sim.ledger().await;
    assert_eq!(ledger.orders[0].project_id.as_deref(), Some(project_id.as_str()));

    let project = wait_visible(&client, &project_id).await;
    assert_eq!(project.plan_code, "project");
    client.terminate_project(&project_id).await.unwrap();
    let newest = *client.email_history().await.unwrap().last().unwrap();
    let mail = client.email(newest).await.unwrap();
    assert!(
        mail.body
            .contains("https://us.ovhcloud.com/manager/#/billing/confirmTerminate?id="),
        "{}",
        mail.body
    );
    let token = termination_token(&mail.body, &project_id).unwrap();
    client.confirm_termination(&project_id, &token).await.unwrap();
}

#[tokio::test]
async fn eu_api_has_no_operations_and_refuses_us_values() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let us = client.create_cart(&cart_creation("US")).await.unwrap_err();
    assert_eq!(us.status(), Some(400), "{us}");
    let cart = client.create_cart(&cart_creation("FR")).await.unwrap();
    let us_plan = client
        .add_cloud_item(&cart.cart_id, &product("project"))
        .await
        .unwrap_err();
    assert_eq!(us_plan.status(), Some(400), "{us_plan}");
    let offers = client.cloud_offers(&cart.cart_id).await.unwrap();
    let codes: Vec<_> = offers.iter().map(|o| o.plan_code.as_str()).collect();
    assert_eq!(codes, ["project.2018"]);

    let (order_id, project_id) = delivered_project(&sim, Region::Eu, &client).await;
    let detail = client.order_details(order_id).await.unwrap()[0];
    let ops = client
        .order_detail_operations(order_id, detail)
        .await
        .unwrap_err();
    assert!(ops.is_not_found(), "{ops}");
    let op = client
        .order_detail_operation(order_id, detail, 1)
        .await
        .unwrap_err();
    assert!(op.is_not_found(), "{op}");
    let mail_id = {
        client.terminate_project(&project_id).await.unwrap();
        *client.email_history().await.unwrap().last().unwrap()
    };
    let body = client.email(mail_id).await.unwrap().body;
    assert!(
        body.contains("https://www.ovh.com/manager/#/billing/confirmTerminate?id="),
        "{body}"
    );
}

// ---- 2. payment methods -------------------------------------------------------------------------

#[tokio::test]
async fn a_bank_account_cannot_pay_and_ovh_says_so_in_a_message_only_body() {
    let sim = Sim::start(|c| c.payment_method_type = "BANK_ACCOUNT".into()).await;
    let client = sim.client();
    let method_id = client.default_payment_methods().await.unwrap()[0];
    let method = client.payment_method(method_id).await.unwrap();
    assert_eq!(
        (
            method.payment_type.as_str(),
            method.status.as_str(),
            method.default
        ),
        ("BANK_ACCOUNT", "VALID", true)
    );
    let order_id = checked_out(&client, "bank", false).await;

    let (status, body) = sim
        .raw(
            Method::POST,
            &format!("/me/order/{order_id}/pay"),
            Some(json!({"paymentMethod": {"id": method_id}})),
        )
        .await;
    assert_eq!(
        (status, body),
        (
            403,
            json!({"message": "This order can't be paid with 'bankAccount'"})
        )
    );
    let e = client.pay(order_id, method_id).await.unwrap_err();
    let OvhError::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(
        (api.status, api.class.as_deref(), api.error_code.as_deref()),
        (403, None, None)
    );
    assert_eq!(api.message, "This order can't be paid with 'bankAccount'");
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
    assert_eq!(sim.ledger().await.orders[0].pay_attempts, 2, "every /pay counts");

    // Filters of GET /me/payment/method.
    let by_type = client
        .get::<Vec<i64>>(Route::new("/me/payment/method", &[]).query("paymentType", "CREDIT_CARD"))
        .await
        .unwrap();
    assert!(by_type.is_empty());
    let by_status = client
        .get::<Vec<i64>>(Route::new("/me/payment/method", &[]).query("status", "VALID"))
        .await
        .unwrap();
    assert_eq!(by_status, vec![method_id]);
}

#[tokio::test]
async fn only_a_valid_payable_method_pays() {
    for (kind, status, pays) in [
        ("SEPA_DIRECT_DEBIT", "VALID", true),
        ("PAYPAL", "VALID", true),
        ("CREDIT_CARD", "EXPIRED", false),
        ("CREDIT_CARD", "VALIDATING", false),
    ] {
        let sim = Sim::start(|c| {
            c.payment_method_type = kind.into();
            c.payment_method_status = status.into();
        })
        .await;
        let client = sim.client();
        let method_id = client.default_payment_methods().await.unwrap()[0];
        assert_eq!(client.payment_method(method_id).await.unwrap().status, status);
        let order_id = checked_out(&client, "method", false).await;
        let paid = client.pay(order_id, method_id).await;
        if pays {
            paid.unwrap();
            wait_for_status(&client, order_id, OrderStatus::Delivered).await;
        } else {
            let e = paid.unwrap_err();
            assert_eq!(e.status(), Some(403), "{kind}/{status}: {e}");
            assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
        }
        assert_eq!(sim.ledger().await.orders[0].pay_attempts, 1);
    }
}

#[tokio::test]
async fn the_fidelity_account_pays_only_free_orders_and_every_attempt_counts() {
    let sim = Sim::start(|c| c.price_ucents = 500_000_000).await;
    let client = sim.client();
    let order_id = checked_out(&client, "priced", false).await;
    for mean in ["fidelityAccount", "creditCard"] {
        let (status, body) = sim
            .raw(
                Method::POST,
                &format!("/me/order/{order_id}/payWithRegisteredPaymentMean"),
                Some(json!({"paymentMean": mean})),
            )
            .await;
        assert_eq!(
            (status, body),
            (
                403,
                json!({"message": format!("This order can't be paid with '{mean}'")})
            )
        );
    }
    let method_id = client.default_payment_methods().await.unwrap()[0];
    client.pay(order_id, method_id).await.unwrap();
    let ledger = sim.ledger().await;
    assert_eq!(ledger.orders[0].pay_attempts, 3);
    assert_eq!(
        ledger.orders[0].paid_with,
        Some(format!("paymentMethod:{method_id}"))
    );
}

// ---- 3. asynchronous autopay --------------------------------------------------------------------

#[tokio::test]
async fn autopay_leaves_a_young_not_paid_order_then_pays_it() {
    let sim = Sim::start(|c| c.autopay_ms = 700).await;
    let client = sim.client();
    let order_id = checked_out(&client, "autopay", true).await;
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
    let young = sim.ledger().await.orders.remove(0);
    assert_eq!(
        (young.auto_pay_requested, young.paid_with, young.status),
        (true, None, OrderStatus::NotPaid)
    );
    let started = Instant::now();
    loop {
        let status = client.order_status(order_id).await.unwrap();
        if status != OrderStatus::NotPaid {
            assert_eq!(status, OrderStatus::Checking);
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "autopay never came");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let paid = sim.ledger().await.orders.remove(0);
    assert_eq!(paid.paid_with.as_deref(), Some("preferredPaymentMethod"));
    assert_eq!(paid.pay_attempts, 0, "autopay is no pay call");
    // A /pay on top of it is refused: the order is no longer notPaid.
    let method_id = client.default_payment_methods().await.unwrap()[0];
    assert_eq!(
        client.pay(order_id, method_id).await.unwrap_err().status(),
        Some(400)
    );
}

#[tokio::test]
async fn autopay_never_pays_without_a_payable_method() {
    let unpayable: [fn(&mut ovh_publiccloud_operator::simulator::SimConfig); 3] = [
        |c| c.no_payment_method = true,
        |c| c.payment_method_type = "BANK_ACCOUNT".into(),
        |c| c.payment_method_status = "EXPIRED".into(),
    ];
    for tune in unpayable {
        let sim = Sim::start(|c| {
            c.autopay_ms = 100;
            tune(c);
        })
        .await;
        let client = sim.client();
        let order_id = checked_out(&client, "no-autopay", true).await;
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
        assert_eq!(sim.ledger().await.orders[0].paid_with, None);
    }
}

// ---- 4. expired services (460) ------------------------------------------------------------------

#[tokio::test]
async fn an_expired_project_answers_460_with_only_a_message_everywhere() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, Region::Eu, &client).await;
    sim.control(Method::POST, &format!("/_sim/projects/{project_id}/expire"), None)
        .await;
    let expired = json!({"message": "This Service is expired"});
    let calls = [
        (Method::GET, "", None),
        (Method::PUT, "", Some(json!({"description": "x"}))),
        (Method::POST, "/terminate", None),
        (Method::POST, "/confirmTermination", Some(json!({"token": "t"}))),
        (Method::GET, "/usage/current", None),
        (Method::GET, "/serviceInfos", None),
        (Method::GET, "/quota", None),
        (Method::GET, "/regionAvailable", None),
        (Method::POST, "/region", Some(json!({"region": "SBG5"}))),
        (
            Method::POST,
            "/alerting",
            Some(json!({"monthlyThreshold": 1, "delay": 3600, "emails": ["a@example.com"]})),
        ),
    ];
    for (method, suffix, body) in calls {
        let path = format!("/cloud/project/{project_id}{suffix}");
        assert_eq!(
            sim.raw(method.clone(), &path, body).await,
            (460, expired.clone()),
            "{method} {path}"
        );
    }
    let e = client.project(&project_id).await.unwrap_err();
    assert_eq!((e.status(), e.category()), (Some(460), "OvhServiceExpired"));
    let e = client.terminate_project(&project_id).await.unwrap_err();
    assert_eq!(e.status(), Some(460), "{e}");
}

#[tokio::test]
async fn terminating_a_deleted_project_answers_460() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, Region::Eu, &client).await;
    client.terminate_project(&project_id).await.unwrap();
    let newest = *client.email_history().await.unwrap().last().unwrap();
    let token = termination_token(&client.email(newest).await.unwrap().body, &project_id).unwrap();
    client.confirm_termination(&project_id, &token).await.unwrap();
    assert_eq!(client.project(&project_id).await.unwrap().status, "deleted");
    let (status, body) = sim
        .raw(
            Method::POST,
            &format!("/cloud/project/{project_id}/terminate"),
            None,
        )
        .await;
    assert_eq!(
        (status, body),
        (460, json!({"message": "This Service is expired"}))
    );
}

// ---- 5. e-mail history --------------------------------------------------------------------------

async fn add_email(sim: &Sim, subject: &str, body: &str) -> i64 {
    sim.control(
        Method::POST,
        "/_sim/emails",
        Some(json!({"subject": subject, "body": body})),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn termination_emails_arrive_late_among_noise_and_only_the_newest_token_confirms() {
    let sim = Sim::start(|c| c.termination_email_ms = 600).await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, Region::Eu, &client).await;

    // An older termination e-mail for this project, then more than 20 unrelated ones.
    let stale = add_email(
        &sim,
        "Termination",
        &format!("https://www.ovh.com/manager/#/billing/confirmTerminate?id={project_id}&token=OLDTOKEN1"),
    )
    .await;
    let mut last = stale;
    for i in 0..25 {
        let id = add_email(&sim, &format!("Invoice {i}"), "Your invoice is ready").await;
        assert!(id > last, "ids grow with time");
        last = id;
    }
    let before = client.email_history().await.unwrap();
    assert_eq!(before.len(), 26);
    assert!(before.windows(2).all(|w| w[0] < w[1]));

    client.terminate_project(&project_id).await.unwrap();
    assert_eq!(
        client.email_history().await.unwrap(),
        before,
        "the termination e-mail takes its time"
    );
    // Noise arriving meanwhile gets a smaller id than the late termination e-mail.
    let noise = add_email(&sim, "Newsletter", "news").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let after = client.email_history().await.unwrap();
    let first_mail = *after.last().unwrap();
    assert!(first_mail > noise);
    let first = termination_token(&client.email(first_mail).await.unwrap().body, &project_id).unwrap();

    // A second request: a new token in a new e-mail; the previous one no longer confirms.
    client.terminate_project(&project_id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let second_mail = *client.email_history().await.unwrap().last().unwrap();
    assert!(second_mail > first_mail);
    let second = termination_token(&client.email(second_mail).await.unwrap().body, &project_id).unwrap();
    assert_ne!(first, second);
    for old in ["OLDTOKEN1", first.as_str()] {
        let e = client.confirm_termination(&project_id, old).await.unwrap_err();
        assert_eq!(e.status(), Some(400), "{e}");
    }
    client.confirm_termination(&project_id, &second).await.unwrap();
}

// ---- 6. a checkout that commits after the client's timeout --------------------------------------

#[tokio::test]
async fn a_checkout_committed_after_the_client_timed_out_makes_exactly_one_order() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (cart, _) = configured_cart(&client, "slow-commit").await;
    sim.fault(
        json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "commitAfterMs": 800, "count": 1}),
    )
    .await;
    let impatient = OvhClient::new(
        sim.credentials(&AK_AS_CK),
        ClientOptions {
            timeout: Duration::from_millis(200),
            checkout_timeout: Duration::from_millis(200),
            ..Default::default()
        },
    )
    .unwrap();
    let e = impatient
        .checkout(&cart.cart_id, &Checkout::api_order(false))
        .await
        .unwrap_err();
    assert!(matches!(e, OvhError::Timeout { .. }), "{e:?}");

    // Not committed yet: the cart is open and no order exists.
    assert!(!client.cart(&cart.cart_id).await.unwrap().read_only);
    assert!(client.orders().await.unwrap().is_empty());
    let ledger = sim.ledger().await;
    assert_eq!(
        (ledger.carts[0].checkouts, ledger.carts[0].checkout_attempts),
        (0, 1)
    );

    // The commit happens although the client is gone.
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert!(client.cart(&cart.cart_id).await.unwrap().read_only);
    assert_eq!(client.orders().await.unwrap().len(), 1);
    let ledger = sim.ledger().await;
    assert_eq!(ledger.carts[0].checkouts, 1);
    assert_eq!(ledger.orders.len(), 1);
    assert_eq!(sim.calls("POST /order/cart/{cartId}/checkout").await, 1);
}

// ---- 7. carts by description --------------------------------------------------------------------

#[tokio::test]
async fn carts_by_description_lists_only_assigned_carts() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let marker = "ovh-publiccloud-operator uid=7";
    let with = |d: &str| CartCreation {
        ovh_subsidiary: "FR".into(),
        description: Some(d.into()),
        expire: None,
    };
    let unassigned = client.create_cart(&with(marker)).await.unwrap();
    assert!(client.carts_by_description(marker).await.unwrap().is_empty());
    let assigned = client.create_cart(&with(marker)).await.unwrap();
    client.assign_cart(&assigned.cart_id).await.unwrap();
    let other = client.create_cart(&with("other")).await.unwrap();
    client.assign_cart(&other.cart_id).await.unwrap();
    assert_eq!(
        client.carts_by_description(marker).await.unwrap(),
        vec![assigned.cart_id.clone()]
    );
    assert_ne!(unassigned.cart_id, assigned.cart_id);
}

// ---- 10. required configuration -----------------------------------------------------------------

#[tokio::test]
async fn required_configuration_lists_the_project_labels_and_others_are_refused() {
    for region in [Region::Eu, Region::Us] {
        let sim = Sim::start(|c| c.region = region).await;
        let client = sim.client();
        let (cart, item) = configured_cart_in(region, &client, "requirements").await;
        let required = client
            .required_configuration(&cart.cart_id, item.item_id)
            .await
            .unwrap();
        let labels: Vec<_> = required.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["description", "voucher", "infrastructure", "vrack"]);
        assert!(required.iter().all(|r| !r.required && r.kind == "string"));
        for (label, value) in [("infrastructure", "production"), ("vrack", "pn-12345")] {
            client
                .add_configuration(
                    &cart.cart_id,
                    item.item_id,
                    &ItemConfigurationCreation {
                        label: label.into(),
                        value: value.into(),
                    },
                )
                .await
                .unwrap();
        }
        let e = client
            .add_configuration(
                &cart.cart_id,
                item.item_id,
                &ItemConfigurationCreation {
                    label: "flavor".into(),
                    value: "b2-7".into(),
                },
            )
            .await
            .unwrap_err();
        assert_eq!(e.status(), Some(400), "{e}");
        assert!(e.to_string().contains("\"flavor\" is not accepted"), "{e}");
        assert!(
            e.to_string()
                .contains("description, voucher, infrastructure, vrack"),
            "{e}"
        );
        let missing = client.required_configuration(&cart.cart_id, 1).await.unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
    }
}

// ---- 8. order expiry ----------------------------------------------------------------------------

#[tokio::test]
async fn an_expired_unpaid_order_cannot_be_paid_and_stays_not_paid() {
    let sim = Sim::start(|c| c.order_ttl_secs = 3600).await;
    let client = sim.client();
    let order_id = checked_out(&client, "expiring-order", false).await;
    let order = client.order(order_id).await.unwrap();
    let date: jiff::Timestamp = order.date.unwrap().parse().unwrap();
    let expiration: jiff::Timestamp = order.expiration_date.unwrap().parse().unwrap();
    assert_eq!(expiration.duration_since(date).as_secs(), 3600);

    sim.control(Method::POST, &format!("/_sim/orders/{order_id}/expire"), None)
        .await;
    let expiration: jiff::Timestamp = client
        .order(order_id)
        .await
        .unwrap()
        .expiration_date
        .unwrap()
        .parse()
        .unwrap();
    assert!(expiration < jiff::Timestamp::now());
    let method_id = client.default_payment_methods().await.unwrap()[0];
    let e = client.pay(order_id, method_id).await.unwrap_err();
    assert_eq!(e.status(), Some(403), "{e}");
    assert!(e.to_string().contains("expired"), "{e}");
    let e = sim
        .control_status(Method::POST, &format!("/_sim/orders/{order_id}/pay"))
        .await;
    assert_eq!(e, 403, "a person cannot pay it either");
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
}

#[tokio::test]
async fn an_order_expired_before_its_autopay_is_never_paid() {
    let sim = Sim::start(|c| c.autopay_ms = 300).await;
    let client = sim.client();
    let order_id = checked_out(&client, "expire-before-autopay", true).await;
    sim.control(Method::POST, &format!("/_sim/orders/{order_id}/expire"), None)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
}

// ---- 9. orders by date --------------------------------------------------------------------------

#[tokio::test]
async fn orders_are_filtered_by_date_from_and_date_to() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let first = checked_out(&client, "first", false).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let between = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string();
    let second = checked_out(&client, "second", false).await;

    assert_eq!(client.orders().await.unwrap(), vec![first, second]);
    assert_eq!(client.orders_since(&between).await.unwrap(), vec![second]);
    assert_eq!(
        client.orders_since("2000-01-01T00:00:00+00:00").await.unwrap(),
        vec![first, second]
    );
    let before: Vec<i64> = client
        .get(
            Route::new("/me/order", &[]).query(
                "date.to",
                jiff::Timestamp::from_second(between.parse::<jiff::Timestamp>().unwrap().as_second() - 1)
                    .unwrap()
                    .to_string(),
            ),
        )
        .await
        .unwrap();
    assert_eq!(before, vec![first]);
    let bad = client.orders_since("yesterday").await.unwrap_err();
    assert_eq!(bad.status(), Some(400), "{bad}");
}

// ---- 11. a per-call latency ---------------------------------------------------------------------

/// `--latency-ms` delays every OVH route (the benchmark's stand-in for the network and OVH), and
/// not test control.
#[tokio::test]
async fn latency_ms_delays_every_ovh_call_and_not_test_control() {
    let sim = Sim::start(|c| c.latency_ms = 400).await;
    let client = sim.client();
    let started = Instant::now();
    client.me().await.unwrap(); // GET /auth/time, then GET /me
    assert!(
        started.elapsed() >= Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    client.orders().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    let started = Instant::now();
    let stats = sim.stats().await;
    assert!(
        started.elapsed() < Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(stats.calls_to("GET /auth/time"), 1, "{stats:?}");
}

/// Day two through test control over HTTP: a project's standing, an alerting made in the Control
/// Panel (no name, the deprecated `email`) next to one of ours, an alert sent, the account's
/// regions, and a region POST that fails but appears after a delay.
#[tokio::test]
async fn day_two_is_driven_by_test_control() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (_, project_id) = delivered_project(&sim, Region::Eu, &client).await;
    let project = format!("/_sim/projects/{project_id}");
    let service = json!({"status": "unPaid", "expiration": "2027-03-01"});
    sim.control(Method::POST, &format!("{project}/service"), Some(service))
        .await;
    let infos = client.service_infos(&project_id).await.unwrap();
    assert_eq!(
        (infos.status.as_str(), infos.expiration.as_deref()),
        ("unPaid", Some("2027-03-01"))
    );
    let unknown = "/_sim/projects/0123456789ab4def0123456789abcdef/alerting/x/alert";
    assert_eq!(sim.control_status(Method::POST, unknown).await, 404);

    let panel = json!({"email": "owner@example.com", "monthlyThreshold": 500});
    let panel = sim
        .control(Method::POST, &format!("{project}/alerting"), Some(panel))
        .await;
    let panel_id = panel["id"].as_str().unwrap();
    let read = client.alerting(&project_id, panel_id).await.unwrap();
    assert_eq!(
        (read.name.as_deref(), read.delay, read.emails.as_slice()),
        (Some(""), 3600, &["owner@example.com".to_string()][..])
    );
    let sent = sim
        .control(
            Method::POST,
            &format!("{project}/alerting/{panel_id}/alert"),
            None,
        )
        .await;
    let alert_id = sent["alertId"].as_i64().unwrap();
    assert_eq!(
        client.alerting_alerts(&project_id, panel_id).await.unwrap(),
        [alert_id]
    );
    let ledger = sim.ledger().await;
    let day = ledger.day_two(&project_id).unwrap();
    assert_eq!(
        (day.alertings.len(), day.alertings_created),
        (1, 0),
        "made in the Control Panel"
    );
    assert_eq!(day.alertings[0].alerts, [alert_id]);

    sim.control(
        Method::POST,
        "/_sim/regions",
        Some(json!({"available": ["GRA11", "WAW1"]})),
    )
    .await;
    let available: Vec<String> = client
        .available_regions(&project_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.name)
        .collect();
    assert_eq!(available, ["WAW1"]);
    sim.fault(json!({"method": "POST", "route": "/cloud/project/{serviceName}/region", "effectAfterMs": 300, "status": 503, "count": 1}))
        .await;
    let e = client.add_region(&project_id, "WAW1").await.unwrap_err();
    assert_eq!(e.status(), Some(503), "{e}");
    assert_eq!(client.regions(&project_id).await.unwrap(), ["GRA11"]);
    tokio::time::sleep(Duration::from_millis(350)).await;
    assert_eq!(client.regions(&project_id).await.unwrap(), ["GRA11", "WAW1"]);
    assert_eq!(
        sim.ledger()
            .await
            .day_two(&project_id)
            .unwrap()
            .region_posts_of("WAW1"),
        1
    );
}
