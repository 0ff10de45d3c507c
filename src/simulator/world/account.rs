//! The account: `GET /me`, its payment methods, and its e-mail history.

use std::time::{Duration, Instant};

use super::*;

/// The id of the account's only payment method (assumed: any long, schema `me.payment.PaymentMethod`).
const PAYMENT_METHOD_ID: i64 = 1_000_042;

impl World {
    /// `nichandle.Nichandle` (schema me.json). The subsidiary is the API's: `FR` on the EU API
    /// (docs/reference/simulator.md), `US` on the US API (tf issue #217: US accounts have subsidiary `US`).
    pub fn me(&self) -> Me {
        let (subsidiary, currency) = if self.us() {
            // Currency symbol assumed (schema: a free string).
            ("US", serde_json::json!({"code": "USD", "symbol": "US_DOLLAR"}))
        } else {
            ("FR", serde_json::json!({"code": "EUR", "symbol": "EURO"}))
        };
        Me {
            nichandle: "sim12345-ovh".into(),
            ovh_subsidiary: subsidiary.into(),
            email: "owner@example.invalid".into(),
            country: subsidiary.into(),
            currency,
            legalform: "corporation".into(),
            ovh_company: "ovh".into(),
            state: "complete".into(),
        }
    }

    fn has_payment_method(&self) -> bool {
        !self.cfg.no_payment_method
    }

    /// `GET /me/payment/method` with its schema query filters `default`, `paymentType`, `status`
    /// (schema me.json). The one method is the default (tf `ovh/order.go` reads
    /// `?default=true`; docs/reference/simulator.md: one default method unless `--no-payment-method`).
    pub fn payment_method_ids(
        &self,
        default: Option<bool>,
        payment_type: Option<&str>,
        status: Option<&str>,
    ) -> Vec<i64> {
        let matches = self.has_payment_method()
            && default.is_none_or(|d| d)
            && payment_type.is_none_or(|t| t == self.cfg.payment_method_type)
            && status.is_none_or(|s| s == self.cfg.payment_method_status);
        if matches { vec![PAYMENT_METHOD_ID] } else { vec![] }
    }

    /// `me.payment.PaymentMethod` (schema me.json): its `paymentType` and `status` come from
    /// `--payment-method-type` and `--payment-method-status` (`me.payment.method.StatusEnum`).
    pub fn payment_method(&self, id: i64) -> SimResult<PaymentMethod> {
        if !self.has_payment_method() || id != PAYMENT_METHOD_ID {
            return Err(SimError::not_found("paymentMethodId", id));
        }
        let date = datetime(self.started);
        let card = self.cfg.payment_method_type == "CREDIT_CARD";
        Ok(PaymentMethod {
            payment_method_id: id,
            payment_mean_id: None,
            payment_type: self.cfg.payment_method_type.clone(),
            payment_sub_type: card.then(|| "VISA".into()),
            status: self.cfg.payment_method_status.clone(),
            default: true,
            description: None,
            label: Some(if card {
                "4*** **** **** 4242".into()
            } else {
                format!("{} (simulated)", self.cfg.payment_method_type)
            }),
            icon: serde_json::json!({"name": self.cfg.payment_method_type.to_lowercase(), "data": null, "url": null}),
            integration: card.then(|| "IFRAME_VANTIV".into()),
            creation_date: date.clone(),
            last_update: date,
            expiration_date: None,
            billing_contact_id: None,
            oneclick: Some(card),
            merchant_id: None,
            form_session_id: None,
        })
    }

    /// Whether payment method `id` can pay an order, with OVH's refusal when it cannot.
    pub(super) fn method_can_pay(&self, id: i64) -> SimResult<()> {
        let method = self.payment_method(id)?;
        if method.payment_type == "BANK_ACCOUNT" {
            // tf #646 and #405: exactly this 403 body, message only; tf docs: "BANK_ACCOUNT is
            // not supported anymore, please update your default payment method to
            // SEPA_DIRECT_DEBIT".
            return Err(SimError::message_only(
                403,
                "This order can't be paid with 'bankAccount'",
            ));
        }
        if method.status != "VALID" {
            // Assumed: OVH's answer for a method that is not VALID is not documented; the
            // manager only offers VALID methods (mgr `useFilteredPaymentMethods.ts`).
            return Err(SimError::message_only(
                403,
                format!(
                    "This order can't be paid with payment method {id}: its status is {}",
                    method.status
                ),
            ));
        }
        Ok(())
    }

    /// The default payment method, when it can pay (autopay uses it).
    pub(super) fn payable_default_method(&self) -> Option<i64> {
        self.payment_method_ids(Some(true), None, None)
            .into_iter()
            .find(|id| self.method_can_pay(*id).is_ok())
    }

    // ---- e-mails ------------------------------------------------------------------------------

    /// Queues an e-mail that arrives after `delay` (tf PR #295: the termination e-mail can take
    /// many minutes).
    pub(super) fn send_email(&mut self, delay: Duration, subject: String, body: String) {
        self.pending_emails.push(PendingEmail {
            due: Instant::now() + delay,
            subject,
            body,
        });
        self.flush_emails();
    }

    /// Delivers the e-mails whose time has come, oldest first, so ids grow with time.
    pub(super) fn flush_emails(&mut self) {
        let instant = Instant::now();
        let mut due: Vec<PendingEmail> = Vec::new();
        self.pending_emails.retain(|e| {
            let arrived = e.due <= instant;
            if arrived {
                due.push(e.clone());
            }
            !arrived
        });
        due.sort_by_key(|e| e.due);
        for e in due {
            let id = self.next_id(900_000_000);
            let date = now() - (instant - e.due);
            self.emails.insert(
                id,
                EmailNotification {
                    id,
                    date: datetime(date),
                    subject: e.subject,
                    body: e.body,
                },
            );
        }
    }

    /// `GET /me/notification/email/history` → `long[]` (schema me.json), ascending.
    pub fn email_ids(&mut self) -> Vec<i64> {
        self.flush_emails();
        self.emails.keys().copied().collect()
    }

    /// `nichandle.EmailNotification` (schema me.json).
    pub fn email(&mut self, id: i64) -> SimResult<EmailNotification> {
        self.flush_emails();
        self.emails
            .get(&id)
            .cloned()
            .ok_or_else(|| SimError::not_found("id", id))
    }

    /// Test control: an e-mail arrives now (noise, or an old termination e-mail).
    pub fn add_email(&mut self, subject: String, body: String) -> i64 {
        self.send_email(Duration::ZERO, subject, body);
        *self.emails.keys().next_back().expect("just sent")
    }
}
