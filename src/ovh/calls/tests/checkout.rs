//! The checkout: a price without ordering, then the one call that orders, never repeated.

use super::*;

#[tokio::test]
async fn a_preview_orders_nothing_and_the_checkout_places_one_order() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, _) = filled_cart(&client, Region::Eu).await;
    let preview = client.checkout_preview(&cart_id).await.unwrap();
    assert_eq!(preview.order_id, None);
    assert_eq!(preview.prices.with_tax.decimal(), "0.00");
    assert!(client.orders().await.unwrap().is_empty());
    assert!(!client.cart(&cart_id).await.unwrap().read_only);

    let placed = client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap();
    assert!(placed.url.is_some_and(|u| u.starts_with("http")));
    assert_eq!(client.orders().await.unwrap(), [placed.order_id]);
    assert!(client.cart(&cart_id).await.unwrap().read_only);

    let e = client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap_err();
    assert_ovh_said(&e, 403, Disposition::Refused, "has already been validated");
    assert_eq!(
        client.orders().await.unwrap(),
        [placed.order_id],
        "still one order"
    );
}

#[tokio::test]
async fn a_failed_checkout_is_never_sent_again_by_the_client() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, _) = filled_cart(&client, Region::Eu).await;
    sim.fault(serde_json::json!({
        "method": "POST",
        "route": "/order/cart/{cartId}/checkout",
        "status": 503,
        "retryAfter": 1,
        "count": 1,
    }))
    .await;
    let e = client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap_err();
    assert_ovh_said(&e, 503, Disposition::Transient, "Internal server error");
    assert_eq!(e.retry_after(), Some(1), "Retry-After is kept for the caller");
    assert_eq!(sim.calls("POST /order/cart/{cartId}/checkout").await, 1);
    // The caller decides to send it again.
    client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap();
    assert_eq!(sim.calls("POST /order/cart/{cartId}/checkout").await, 2);
}

#[tokio::test]
async fn a_failed_read_is_retried() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, _) = filled_cart(&client, Region::Eu).await;
    sim.fault(serde_json::json!({
        "method": "GET",
        "route": "/order/cart/{cartId}/checkout",
        "status": 500,
        "count": 2,
    }))
    .await;
    client.checkout_preview(&cart_id).await.unwrap();
    assert_eq!(sim.calls("GET /order/cart/{cartId}/checkout").await, 3);
}
