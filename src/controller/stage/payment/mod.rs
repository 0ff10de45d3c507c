//! The payment of the order: its intent first, the payment itself, a 429 deferred, a refusal kept for a person.

use super::*;

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum PaymentAct {
    /// Status write only: recorded before the payment call, so a restart never pays twice.
    Begin {
        /// `None`: the fidelity account.
        method: Option<PaymentMethodSeen>,
    },
    /// Status write only: the recorded payment is requested again (with the recorded method),
    /// counted and recorded before the call like the first.
    BeginAgain,
    Pay {
        order_id: i64,
        payment_method_id: i64,
    },
    PayWithFidelityAccount {
        order_id: i64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum PaymentOutcome {
    Begun(Option<PaymentMethodSeen>),
    Paid {
        order_id: i64,
    },
    /// The recorded payment is requested again (counted before the call).
    BegunAgain,
    /// OVH answered 429 to the payment: not processed; requested again after `retry_after`
    /// seconds (OVH's Retry-After; a default when absent).
    Deferred {
        order_id: i64,
        retry_after: Option<u64>,
        message: String,
    },
    /// OVH refused the payment (4xx other than 429): kept with OVH's message, never retried.
    Refused {
        order_id: i64,
        message: String,
    },
}

impl PaymentAct {
    /// Whether it only writes the status (see [`Act::status_only`]).
    pub(super) fn status_only(&self) -> bool {
        matches!(self, PaymentAct::Begin { .. } | PaymentAct::BeginAgain)
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<PaymentOutcome, OvhError> {
        Ok(match self {
            PaymentAct::Begin { method } => PaymentOutcome::Begun(method.clone()),
            PaymentAct::BeginAgain => PaymentOutcome::BegunAgain,
            PaymentAct::Pay {
                order_id,
                payment_method_id,
            } => payment(*order_id, ovh.pay(*order_id, *payment_method_id).await)?,
            PaymentAct::PayWithFidelityAccount { order_id } => {
                let paid = ovh
                    .pay_with_registered_payment_mean(*order_id, FIDELITY_ACCOUNT)
                    .await;
                payment(*order_id, paid)?
            }
        })
    }
}

impl PaymentOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        memory: &mut Memory,
        now: Timestamp,
    ) -> Applied {
        let clock = now;
        let now = now.to_string();
        match self {
            PaymentOutcome::Begun(method) => {
                let label = method
                    .as_ref()
                    .map_or_else(|| FIDELITY_ACCOUNT.to_string(), PaymentMethodSeen::label);
                status.payment = Some(PaymentStatus {
                    method: label.clone(),
                    method_id: method.as_ref().map(|m| m.id),
                    requested_at: now,
                    ..Default::default()
                });
                memory.payment_begun = true;
                applied(Reason::PaymentBegun, format!("Paying the order with {label}"))
            }
            PaymentOutcome::Paid { order_id } => {
                memory.payment_begun = false;
                // Read it again: it moves on once OVH registers the payment.
                observed.order_status = None;
                let method = payment_method(status);
                applied(
                    Reason::PaymentRequested,
                    format!("Paid order {order_id} with {method}"),
                )
            }
            PaymentOutcome::BegunAgain => begun_again(status, memory, now),
            PaymentOutcome::Deferred {
                order_id,
                retry_after,
                message,
            } => {
                memory.payment_begun = false;
                let until = deferral_end(clock, retry_after);
                if let Some(p) = status.payment.as_mut() {
                    p.deferred_until = Some(until.clone());
                }
                applied(
                    Reason::PaymentDeferred,
                    format!(
                        "OVH did not process the payment of order {order_id} ({message}): requested again after {until}"
                    ),
                )
            }
            PaymentOutcome::Refused { order_id, message } => {
                memory.payment_begun = false;
                if let Some(p) = status.payment.as_mut() {
                    p.refused = Some(message.clone());
                }
                let method = payment_method(status);
                applied(
                    Reason::PaymentRefused,
                    format!("OVH refused to pay order {order_id} with {method}: {message}"),
                )
            }
        }
    }
}

/// A payment attempt's outcome. A 429 is deferred, not refused: "Too Many Requests" says the
/// request was rejected for its rate, not processed (RFC 6585 §4: the server "is refusing to
/// service the request"), and OVH's SDKs leave its retry to the caller; the planner requests it
/// again after Retry-After. Another refusal (4xx, e.g. 403 "This order can't be paid with
/// 'bankAccount'", terraform-provider-ovh#646) is kept with OVH's message and never retried: a
/// person must fix it. Any other failure (5xx, timeout, a lost answer: the payment may have
/// been made) is returned; the payment stays "requested" and the planner decides after the
/// settle time from what OVH shows.
fn payment(order_id: i64, paid: Result<(), OvhError>) -> Result<PaymentOutcome, OvhError> {
    match paid {
        Ok(()) => Ok(PaymentOutcome::Paid { order_id }),
        Err(e) if e.status() == Some(429) => Ok(PaymentOutcome::Deferred {
            order_id,
            retry_after: e.retry_after(),
            message: e.to_string(),
        }),
        Err(e) if matches!(e.status(), Some(400..=499)) && !e.is_credentials_problem() => {
            Ok(PaymentOutcome::Refused {
                order_id,
                message: e.to_string(),
            })
        }
        Err(e) => Err(e),
    }
}

/// When a payment answered 429 is requested again: after OVH's Retry-After (at most
/// [`PAYMENT_DEFER_MAX`]), else after [`PAYMENT_DEFER_DEFAULT`].
fn deferral_end(now: Timestamp, retry_after: Option<u64>) -> String {
    let delay = retry_after
        .map(std::time::Duration::from_secs)
        .unwrap_or(PAYMENT_DEFER_DEFAULT)
        .min(PAYMENT_DEFER_MAX);
    (now + jiff::SignedDuration::try_from(delay).unwrap_or_default()).to_string()
}

/// The recorded payment is requested again: counted and recorded before the call, like the first.
fn begun_again(status: &mut PublicCloudProjectStatus, memory: &mut Memory, now: String) -> Applied {
    let Some(p) = status.payment.as_mut() else {
        return applied(
            Reason::PaymentRequestedAgain,
            "No payment to request again".into(),
        );
    };
    p.attempts = Some(p.attempts() + 1);
    p.requested_at = now;
    p.deferred_until = None;
    memory.payment_begun = true;
    let note = format!(
        "OVH shows no payment for the order, still notPaid: paying it again with {} (attempt {})",
        p.method,
        p.attempts()
    );
    applied(Reason::PaymentRequestedAgain, note)
}

fn payment_method(status: &PublicCloudProjectStatus) -> String {
    status
        .payment
        .as_ref()
        .map(|p| p.method.clone())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ovh::error::ApiError;

    fn answered(status: u16, retry_after: Option<u64>) -> Result<(), OvhError> {
        Err(OvhError::Api(Box::new(ApiError {
            method: "POST".into(),
            route: "/me/order/{orderId}/pay",
            status,
            class: None,
            error_code: None,
            message: "m".into(),
            query_id: None,
            retry_after,
        })))
    }

    #[test]
    fn a_429_defers_the_payment_another_4xx_refuses_it_and_anything_else_fails_the_pass() {
        assert!(matches!(
            payment(42, answered(429, Some(7))),
            Ok(PaymentOutcome::Deferred {
                order_id: 42,
                retry_after: Some(7),
                ..
            })
        ));
        assert!(matches!(
            payment(42, answered(403, None)),
            Ok(PaymentOutcome::Refused { order_id: 42, .. })
        ));
        assert!(payment(42, answered(500, Some(3))).is_err(), "may have been made");
        let lost = OvhError::Transport {
            method: "POST".into(),
            route: "/me/order/{orderId}/pay",
            reason: "connection closed".into(),
        };
        assert!(payment(42, Err(lost)).is_err());
    }
}
