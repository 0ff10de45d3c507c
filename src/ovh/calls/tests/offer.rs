//! What a cart is offered, read to explain a refusal and kept per client.

use super::*;

#[tokio::test]
async fn the_offers_are_this_api_s_plans_options_and_labels() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, item_id) = filled_cart(&client, Region::Eu).await;
    let offers = client.cloud_offers(&cart_id).await.unwrap();
    let plans: Vec<&str> = offers.iter().map(|o| o.plan_code.as_str()).collect();
    assert_eq!(plans, ["project.2018"]);
    assert!(
        offers[0]
            .prices
            .iter()
            .any(|p| p.capacities.iter().any(|c| c == "renew"))
    );
    let options = client.cloud_options(&cart_id, "project.2018").await.unwrap();
    assert_eq!(options[0].plan_code, "certification.hds.2018");
    assert!(
        client
            .cloud_options(&cart_id, "project")
            .await
            .unwrap()
            .is_empty()
    );
    let labels: Vec<String> = client
        .required_configuration(&cart_id, item_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.label)
        .collect();
    assert!(labels.iter().any(|l| l == "description"), "{labels:?}");
    assert!(labels.iter().any(|l| l == "voucher"), "{labels:?}");
}

#[tokio::test]
async fn offers_are_read_once_per_client_and_key() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, item_id) = filled_cart(&client, Region::Eu).await;
    for _ in 0..2 {
        assert_eq!(
            client.offered_plan_codes(&cart_id, "FR").await.unwrap(),
            ["project.2018"]
        );
        assert_eq!(
            client
                .offered_option_codes(&cart_id, "project.2018")
                .await
                .unwrap(),
            ["certification.hds.2018"]
        );
        let labels = client
            .accepted_labels(&cart_id, item_id, "project.2018")
            .await
            .unwrap();
        assert!(labels.contains(&"infrastructure".to_string()), "{labels:?}");
    }
    assert_eq!(sim.calls("GET /order/cart/{cartId}/cloud").await, 1);
    assert_eq!(sim.calls("GET /order/cart/{cartId}/cloud/options").await, 1);
    let required = "GET /order/cart/{cartId}/item/{itemId}/requiredConfiguration";
    assert_eq!(sim.calls(required).await, 1);
    // Another client reads again.
    sim.client().offered_plan_codes(&cart_id, "FR").await.unwrap();
    assert_eq!(sim.calls("GET /order/cart/{cartId}/cloud").await, 2);
}

#[tokio::test]
async fn an_offer_of_an_unknown_cart_is_not_found() {
    let sim = Sim::start().await;
    let e = sim.client().cloud_offers("no-such-cart").await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "no-such-cart");
}
