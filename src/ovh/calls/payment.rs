//! The payment family: the account's default payment method, the payment registered for an
//! order, and paying an order (`POST /me/order/{orderId}/pay…`, never retried by the client).

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /me/payment/method?default=true`: ids of the default payment method (0 or 1).
    pub async fn default_payment_methods(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/payment/method", &[]).query("default", "true"))
            .await
    }

    /// `GET /me/payment/method/{paymentMethodId}`.
    pub async fn payment_method(&self, id: i64) -> Result<PaymentMethod> {
        self.get(Route::new(
            "/me/payment/method/{paymentMethodId}",
            &[&id.to_string()],
        ))
        .await
    }

    /// `GET /me/order/{orderId}/payment` (`billing.Payment`, PRODUCTION in OVH's schema; IAM
    /// `account:apiovh:me/order/payment/get`): the payment OVH registered for the order. What
    /// it answers for an order without one is not documented (the controller treats only a
    /// 404 as "no payment").
    pub async fn order_payment(&self, order_id: i64) -> Result<BillingPayment> {
        self.get(Route::new(
            "/me/order/{orderId}/payment",
            &[&order_id.to_string()],
        ))
        .await
    }

    /// `POST /me/order/{orderId}/pay` with a registered payment method.
    pub async fn pay(&self, order_id: i64, payment_method_id: i64) -> Result<()> {
        let body = PayWithPaymentMethod {
            payment_method: PaymentMethodRef {
                id: payment_method_id,
            },
        };
        self.post(
            Route::new("/me/order/{orderId}/pay", &[&order_id.to_string()]),
            Some(&body),
        )
        .await
    }

    /// `POST /me/order/{orderId}/payWithRegisteredPaymentMean`, e.g. `fidelityAccount` for a
    /// 0-price order on an account without a payment method.
    pub async fn pay_with_registered_payment_mean(&self, order_id: i64, payment_mean: &str) -> Result<()> {
        let body = PayWithRegisteredPaymentMean {
            payment_mean: payment_mean.into(),
            payment_mean_id: None,
        };
        let route = Route::new(
            "/me/order/{orderId}/payWithRegisteredPaymentMean",
            &[&order_id.to_string()],
        );
        self.post(route, Some(&body)).await
    }
}
