//! Paying under faults, end to end (a real kube-apiserver, the OVH simulator, the operator
//! in-process): a payment is requested again only when it cannot have charged, and never after
//! one that took effect.

mod common;

use std::time::Duration;

use common::operator::{Env, condition};
use ovh_publiccloud_operator::{api::Phase, simulator::ledger::Ledger};
use serde_json::json;

const PAY: &str = "POST /me/order/{orderId}/pay";
const PAYMENT: &str = "GET /me/order/{orderId}/payment";

/// A priced order (so it is paid with the default method through `/pay`), with the simulator's
/// default VALID method, a fault on the pay route, and a short settle time.
async fn priced_with_fault(prefix: &str, fault: serde_json::Value) -> (Env, common::operator::Operator) {
    let env = Env::new(prefix, |c| c.price_ucents = 500_000_000).await;
    env.sim.fault(fault).await;
    let mut options = env.options();
    options.payment_settle = Duration::from_secs(3);
    let operator = env.start_operator_with(options, Default::default());
    env.create(
        "p",
        json!({"description": "Paid under faults", "payment": "Automatic", "ovhSubsidiary": "FR"}),
    )
    .await;
    (env, operator)
}

/// One order, paid once with the default method.
fn assert_paid_once(ledger: &Ledger) {
    assert_eq!(ledger.orders.len(), 1, "one order: {ledger:#?}");
    let order = &ledger.orders[0];
    assert_eq!(
        order.paid_with.as_deref(),
        Some("paymentMethod:1000042"),
        "{ledger:#?}"
    );
    assert_eq!(order.pay_attempts, 1, "one payment reached OVH: {ledger:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_answered_429_is_requested_again_after_retry_after() {
    let (env, _operator) = priced_with_fault(
        "pay429",
        json!({"method": "POST", "route": "/me/order/{orderId}/pay", "status": 429, "retryAfter": 2, "count": 1}),
    )
    .await;
    env.wait_for_event("p", "PaymentDeferred").await;
    let obj = env.wait_for_phase("p", Phase::Ready, 60).await;
    assert_paid_once(&env.sim.ledger().await);
    assert_eq!(env.sim.calls(PAY).await, 2, "the 429, then the payment");
    let payment = obj.status.unwrap().payment.unwrap();
    assert_eq!(payment.attempts, Some(2), "{payment:?}");
    assert!(payment.refused.is_none(), "a 429 is not a refusal: {payment:?}");
    env.wait_for_event("p", "PaymentRequestedAgain").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_answered_500_before_it_took_effect_is_requested_again_after_the_settle_time() {
    // The gate answers 500 before the handler runs: nothing was paid.
    let (env, _operator) = priced_with_fault(
        "pay500",
        json!({"method": "POST", "route": "/me/order/{orderId}/pay", "status": 500, "count": 1}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::Ready, 60).await;
    assert_paid_once(&env.sim.ledger().await);
    assert_eq!(env.sim.calls(PAY).await, 2, "the 500, then the payment");
    assert!(
        env.sim.calls(PAYMENT).await >= 1,
        "OVH was asked whether a payment exists before the second request"
    );
    let payment = obj.status.unwrap().payment.unwrap();
    assert_eq!(payment.attempts, Some(2), "{payment:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_whose_answer_is_lost_after_it_took_effect_is_never_requested_again() {
    // The payment is made, then the connection drops: the operator sees a transport error.
    let (env, _operator) = priced_with_fault(
        "paydrop",
        json!({"method": "POST", "route": "/me/order/{orderId}/pay", "dropResponse": true, "count": 1}),
    )
    .await;
    let obj = env.wait_for_phase("p", Phase::Ready, 60).await;
    // Past the settle time several times over: still one request.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_paid_once(&env.sim.ledger().await);
    assert_eq!(env.sim.calls(PAY).await, 1, "never a second payment request");
    let payment = obj.status.clone().unwrap().payment.unwrap();
    assert_eq!(payment.attempts(), 1, "{payment:?}");
    assert_eq!(condition(&obj, "Ready").unwrap().status, "True");
}
