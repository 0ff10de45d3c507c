//! The OVH client against the simulator, in-process on loopback: the whole order flow with both
//! authentication methods, retries that respect Retry-After, POSTs that are never repeated, lost
//! responses, wrong credentials, clock skew, cart expiry and the fidelity-account payment.

use std::time::{Duration, Instant};

mod common;

use common::sim::{AK_AS_CK, OAUTH2_CLIENT, Sim, configured_cart, project_id_of, wait_for_status, with_key};
use ovh_publiccloud_operator::ovh::{ClientOptions, OvhClient, OvhError, model::*, order::termination_token};
use serde_json::json;

/// Runs the whole order flow; returns the delivered project id.
async fn order_flow(sim: &Sim, client: &OvhClient) -> String {
    assert_eq!(client.me().await.unwrap().ovh_subsidiary, "FR");
    let marker = format!("ovh-publiccloud-operator uid={}", rand::random::<u32>());
    let (cart, item) = configured_cart(client, &marker).await;
    assert_eq!(
        client.carts_by_description(&marker).await.unwrap(),
        vec![cart.cart_id.clone()]
    );
    let offers = client.cloud_offers(&cart.cart_id).await.unwrap();
    assert!(offers.iter().any(|o| o.plan_code == "project.2018"));
    assert_eq!(client.items(&cart.cart_id).await.unwrap(), vec![item.item_id]);
    assert_eq!(
        client
            .configurations(&cart.cart_id, item.item_id)
            .await
            .unwrap()
            .len(),
        2
    );

    let preview = client.checkout_preview(&cart.cart_id).await.unwrap();
    assert_eq!(preview.order_id, None, "a preview orders nothing");
    assert_eq!(preview.prices.with_tax.decimal(), "0.00");
    assert!(sim.ledger().await.orders.is_empty());

    let order = client
        .checkout(&cart.cart_id, &Checkout::api_order(false))
        .await
        .unwrap();
    let order_id = order.order_id.expect("checkout creates an order");
    let url = order.url.expect("order url");
    assert!(
        client.cart(&cart.cart_id).await.unwrap().read_only,
        "checked-out carts are read-only"
    );
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
    assert_eq!(
        project_id_of(client, order_id).await,
        None,
        "no project before delivery"
    );

    // A person pays on the order page.
    let after = sim.pay_on_order_page(&url).await;
    assert!(after.contains("This order is paid"), "{after}");

    wait_for_status(client, order_id, OrderStatus::Delivered).await;
    let project_id = project_id_of(client, order_id)
        .await
        .expect("delivered orders name their project");
    // Right after delivery the project answers 404 for a while (terraform-provider-ovh#1288).
    let early = client.project(&project_id).await.unwrap_err();
    assert!(early.is_not_found(), "{early}");
    let deadline = Instant::now() + Duration::from_secs(10);
    let project = loop {
        match client.project(&project_id).await {
            Ok(p) => break p,
            Err(e) if e.is_not_found() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await
            }
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(
        (project.status.as_str(), project.description.as_deref()),
        ("ok", Some("Team A"))
    );
    let extension = client
        .order_detail_extension(order_id, client.order_details(order_id).await.unwrap()[0])
        .await
        .unwrap();
    assert_eq!(extension.order.plan.code.as_deref(), Some("project.2018"));

    let ledger = sim.ledger().await;
    let orders = &ledger.orders;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].project_id.as_deref(), Some(project_id.as_str()));
    assert!(orders[0].waive_retractation_period);
    assert_eq!(ledger.carts[0].checkouts, 1);
    project_id
}

#[tokio::test]
async fn whole_order_flow_signed_with_application_keys() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let project_id = order_flow(&sim, &client).await;

    // Termination: the token arrives by e-mail.
    let before = client.email_history().await.unwrap();
    client.terminate_project(&project_id).await.unwrap();
    let after = client.email_history().await.unwrap();
    let new_id = *after
        .iter()
        .find(|id| !before.contains(id))
        .expect("a termination e-mail");
    let mail = client.email(new_id).await.unwrap();
    let token = termination_token(&mail.body, &project_id).expect("token in the e-mail");
    let wrong = client
        .confirm_termination(&project_id, "wrong")
        .await
        .unwrap_err();
    assert_eq!(wrong.status(), Some(400));
    client.confirm_termination(&project_id, &token).await.unwrap();
    assert_eq!(client.project(&project_id).await.unwrap().status, "deleted");

    // One clock-delta lookup for the client's lifetime.
    assert_eq!(sim.calls("GET /auth/time").await, 1);
}

#[tokio::test]
async fn whole_order_flow_with_an_oauth2_service_account() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client_with(&OAUTH2_CLIENT);
    order_flow(&sim, &client).await;
    assert_eq!(
        sim.calls("POST /auth/oauth2/token").await,
        1,
        "the token is cached"
    );
    assert_eq!(sim.calls("GET /auth/time").await, 0, "bearer calls need no clock");
}

#[tokio::test]
async fn oauth2_token_is_renewed_before_it_expires() {
    // Lifetime 11 s: renewed 10 s early, i.e. after 1 s.
    let sim = Sim::start(|c| c.token_ttl_secs = 11).await;
    let client = sim.client_with(&OAUTH2_CLIENT);
    client.me().await.unwrap();
    client.me().await.unwrap();
    assert_eq!(sim.calls("POST /auth/oauth2/token").await, 1);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.me().await.unwrap();
    assert_eq!(sim.calls("POST /auth/oauth2/token").await, 2);
}

#[tokio::test]
async fn wrong_oauth2_secret_is_a_clear_credentials_error() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client_with(&with_key(OAUTH2_CLIENT, "client_secret", "not-the-secret"));
    let e = client.me().await.unwrap_err();
    assert!(
        matches!(
            e,
            OvhError::OAuth2 {
                status: Some(401),
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.is_credentials_problem());
    assert!(e.to_string().contains("invalid_client"), "{e}");
    assert!(
        !e.to_string().contains("not-the-secret"),
        "secrets stay out of errors: {e}"
    );
}

#[tokio::test]
async fn wrong_application_credentials_carry_ovh_message_and_query_id() {
    let sim = Sim::start(|_| {}).await;
    let bad_secret = sim.client_with(&with_key(AK_AS_CK, "application_secret", "WRONG-AS"));
    let e = bad_secret.me().await.unwrap_err();
    let OvhError::Api(api) = &e else { panic!("{e:?}") };
    assert_eq!(
        (api.status, api.error_code.as_deref(), api.message.as_str()),
        (400, Some("INVALID_SIGNATURE"), "Invalid signature")
    );
    assert!(
        api.query_id.as_deref().is_some_and(|q| q.starts_with("SIM.")),
        "{api:?}"
    );
    assert!(e.is_credentials_problem() && !e.is_transient());
    assert!(!e.to_string().contains("WRONG-AS"));

    let bad_ck = sim.client_with(&with_key(AK_AS_CK, "consumer_key", "nope"));
    let e = bad_ck.me().await.unwrap_err();
    assert_eq!((e.status(), e.category()), (Some(403), "OvhForbidden"));
    assert!(e.to_string().contains("This credential does not exist"), "{e}");

    let bad_ak = sim.client_with(&with_key(AK_AS_CK, "application_key", "nope"));
    assert!(
        bad_ak
            .me()
            .await
            .unwrap_err()
            .to_string()
            .contains("This application key is invalid")
    );
    assert_eq!(sim.calls("GET /me").await, 3, "credential errors are not retried");
}

#[tokio::test]
async fn signatures_use_the_server_clock() {
    let sim = Sim::start(|c| c.clock_skew_secs = 3600).await;
    let client = sim.client();
    assert_eq!(client.me().await.unwrap().nichandle, "sim12345-ovh");
}

#[tokio::test]
async fn gets_are_retried_through_server_errors() {
    let sim = Sim::start(|_| {}).await;
    sim.fault(json!({"method": "GET", "route": "/me", "status": 500, "count": 2}))
        .await;
    let client = sim.client();
    assert_eq!(client.me().await.unwrap().ovh_subsidiary, "FR");
    assert_eq!(sim.calls("GET /me").await, 3);

    // Retries are bounded: a route that always fails is surfaced after max_retries + 1 calls.
    sim.fault(json!({"method": "GET", "route": "/me/order", "status": 503}))
        .await;
    let e = client.orders().await.unwrap_err();
    assert_eq!((e.status(), e.category()), (Some(503), "OvhServerError"));
    assert_eq!(sim.calls("GET /me/order").await, 5);
}

#[tokio::test]
async fn rate_limited_gets_wait_for_retry_after() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    client.me().await.unwrap(); // warm the clock delta
    sim.fault(json!({"route": "/me", "status": 429, "retryAfter": 1, "count": 1}))
        .await;
    let started = Instant::now();
    client.me().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
    assert_eq!(sim.calls("GET /me").await, 3);
}

#[tokio::test]
async fn a_failed_post_is_surfaced_and_never_repeated() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (cart, _) = configured_cart(&client, "post-fails").await;
    sim.fault(json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "status": 500, "count": 1}))
        .await;
    let e = client
        .checkout(&cart.cart_id, &Checkout::default())
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(500));
    assert!(e.query_id().is_some());
    assert_eq!(
        sim.calls("POST /order/cart/{cartId}/checkout").await,
        1,
        "no retry of a POST"
    );
    let ledger = sim.ledger().await;
    assert_eq!(
        ledger.carts[0].checkout_attempts, 0,
        "the injected error came before OVH's logic"
    );
    assert!(ledger.orders.is_empty());
}

#[tokio::test]
async fn a_lost_checkout_response_leaves_one_order_and_a_read_only_cart() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (cart, _) = configured_cart(&client, "dropped").await;
    sim.fault(
        json!({"method": "POST", "route": "/order/cart/{cartId}/checkout", "dropResponse": true, "count": 1}),
    )
    .await;
    let e = client
        .checkout(&cart.cart_id, &Checkout::default())
        .await
        .unwrap_err();
    assert!(matches!(e, OvhError::Transport { .. }), "{e:?}");
    assert_eq!(sim.calls("POST /order/cart/{cartId}/checkout").await, 1);
    // What a careful caller looks at: the cart is locked and the order exists.
    assert!(client.cart(&cart.cart_id).await.unwrap().read_only);
    assert_eq!(client.orders().await.unwrap().len(), 1);
    // A second checkout is refused by OVH: exactly one order.
    let again = client
        .checkout(&cart.cart_id, &Checkout::default())
        .await
        .unwrap_err();
    assert_eq!(again.status(), Some(403), "{again}");
    let ledger = sim.ledger().await;
    assert_eq!(ledger.carts[0].checkouts, 1);
    assert_eq!(ledger.orders.len(), 1);
}

#[tokio::test]
async fn timeouts_are_reported_as_such() {
    let sim = Sim::start(|_| {}).await;
    sim.fault(json!({"route": "/me", "latencyMs": 1500, "errorRate": 0}))
        .await;
    let credentials = sim.credentials(&AK_AS_CK);
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        max_retries: 1,
        retry_base_delay: Duration::from_millis(10),
        ..Default::default()
    };
    let client = OvhClient::new(credentials, options).unwrap();
    let e = client.me().await.unwrap_err();
    assert!(matches!(e, OvhError::Timeout { .. }), "{e:?}");
    assert_eq!(e.category(), "OvhTimeout");
    assert_eq!(
        sim.calls("GET /me").await,
        2,
        "a GET that timed out is retried (bounded)"
    );
}

#[tokio::test]
async fn expired_carts_are_gone() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let (cart, _) = configured_cart(&client, "expiring").await;
    sim.control(
        reqwest::Method::POST,
        &format!("/_sim/carts/{}/expire", cart.cart_id),
        None,
    )
    .await;
    let e = client.cart(&cart.cart_id).await.unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert!(client.carts_by_description("expiring").await.unwrap().is_empty());
}

#[tokio::test]
async fn automatic_payment_and_the_fidelity_account() {
    // With a default payment method, autoPay pays shortly after checkout (a young notPaid first).
    let sim = Sim::start(|c| c.autopay_ms = 300).await;
    let client = sim.client();
    assert_eq!(client.default_payment_methods().await.unwrap().len(), 1);
    let (cart, _) = configured_cart(&client, "autopay").await;
    let order = client
        .checkout(&cart.cart_id, &Checkout::api_order(true))
        .await
        .unwrap();
    let order_id = order.order_id.unwrap();
    assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
    wait_for_status(&client, order_id, OrderStatus::Delivered).await;
    assert_eq!(
        sim.ledger().await.orders[0].paid_with.as_deref(),
        Some("preferredPaymentMethod")
    );

    // Without one, a 0-price order is paid with the fidelity account; a priced one cannot be.
    for (price, payable) in [("0.00", true), ("3.00", false)] {
        let sim = Sim::start(|c| {
            c.no_payment_method = true;
            c.price_ucents = if price == "0.00" { 0 } else { 300_000_000 };
        })
        .await;
        let client = sim.client();
        assert!(client.default_payment_methods().await.unwrap().is_empty());
        let (cart, _) = configured_cart(&client, "fidelity").await;
        let order_id = client
            .checkout(&cart.cart_id, &Checkout::api_order(true))
            .await
            .unwrap()
            .order_id
            .unwrap();
        assert_eq!(client.order_status(order_id).await.unwrap(), OrderStatus::NotPaid);
        let paid = client
            .pay_with_registered_payment_mean(order_id, "fidelityAccount")
            .await;
        if payable {
            paid.unwrap();
            wait_for_status(&client, order_id, OrderStatus::Delivered).await;
        } else {
            let e = paid.unwrap_err();
            assert!(
                e.to_string()
                    .contains("This order can't be paid with 'fidelityAccount'"),
                "{e}"
            );
        }
    }
}

#[tokio::test]
async fn simulator_accepts_unknown_and_null_fields_like_ovh() {
    let sim = Sim::start(|_| {}).await;
    let client = sim.client();
    let cart: Cart = client
        .post(
            ovh_publiccloud_operator::ovh::Route::new("/order/cart", &[]),
            Some(&json!({"ovhSubsidiary": "FR"})),
        )
        .await
        .unwrap();
    // Terraform's exact body for the item.
    let body = json!({"configuration": [], "duration": "P1M", "itemId": null, "planCode": "project.2018", "pricingMode": "default", "quantity": 1, "domain": null});
    let item: Item = client
        .post(
            ovh_publiccloud_operator::ovh::Route::new("/order/cart/{cartId}/cloud", &[&cart.cart_id]),
            Some(&body),
        )
        .await
        .unwrap();
    assert_eq!(item.settings.plan_code.as_deref(), Some("project.2018"));
    let bad = client
        .create_cart(&CartCreation {
            ovh_subsidiary: "XX".into(),
            description: None,
            expire: None,
        })
        .await
        .unwrap_err();
    assert_eq!(bad.status(), Some(400));
    assert!(bad.to_string().contains("ovhSubsidiary"), "{bad}");
}

#[tokio::test]
async fn rate_limit_spaces_requests() {
    let sim = Sim::start(|_| {}).await;
    let credentials = sim.credentials(&OAUTH2_CLIENT);
    let options = ClientOptions {
        rate_limit: Some(5.0),
        ..Default::default()
    };
    let client = OvhClient::new(credentials, options).unwrap();
    let started = Instant::now();
    for _ in 0..6 {
        client.me().await.unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1000),
        "6 calls at 5/s take at least 1 s"
    );
    let stats = client.stats().snapshot();
    assert_eq!(stats.get(&("GET".to_string(), "/me", 200)), Some(&6));
}
