//! The payment family: the default payment method, paying an order, and its payment.

use super::*;

#[tokio::test]
async fn an_order_is_paid_with_the_default_method_once() {
    let sim = Sim::start().await;
    let client = sim.client();
    let methods = client.default_payment_methods().await.unwrap();
    assert_eq!(methods.len(), 1);
    let method = client.payment_method(methods[0]).await.unwrap();
    assert_eq!((method.status.as_str(), method.default), ("VALID", true));

    let id = placed_order(&client, Region::Eu).await.order_id;
    let e = client.order_payment(id).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "payment of order");
    client.pay(id, methods[0]).await.unwrap();
    let payment = client.order_payment(id).await.unwrap();
    assert!(payment.payment_date.is_some());
    until_delivered(&client, id).await;

    let e = client.pay(id, methods[0]).await.unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "is not payable");
    assert_eq!(sim.calls("POST /me/order/{orderId}/pay").await, 2);
}

#[tokio::test]
async fn a_bank_account_cannot_pay_and_ovh_says_so() {
    let sim = Sim::start_with(|cfg| cfg.payment_method_type = "BANK_ACCOUNT".into()).await;
    let client = sim.client();
    let method = client.default_payment_methods().await.unwrap()[0];
    let id = placed_order(&client, Region::Eu).await.order_id;
    let e = client.pay(id, method).await.unwrap_err();
    assert_ovh_said(&e, 403, Disposition::Refused, "can't be paid");
    assert_eq!(client.order_status(id).await.unwrap(), OrderStatus::NotPaid);
}

#[tokio::test]
async fn a_free_order_is_paid_with_the_fidelity_account() {
    let sim = Sim::start_with(|cfg| cfg.no_payment_method = true).await;
    let client = sim.client();
    assert!(client.default_payment_methods().await.unwrap().is_empty());
    let id = placed_order(&client, Region::Eu).await.order_id;
    let e = client
        .pay_with_registered_payment_mean(id, "ovhAccount")
        .await
        .unwrap_err();
    assert_ovh_said(&e, 403, Disposition::Refused, "can't be paid with 'ovhAccount'");
    client
        .pay_with_registered_payment_mean(id, "fidelityAccount")
        .await
        .unwrap();
    until_delivered(&client, id).await;
}
