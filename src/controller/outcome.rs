//! What an executed action did, and the pure function that writes it into the status. The
//! executor does the I/O and returns an [`Outcome`]; [`apply`] decides what the status records,
//! what the event says and which phase follows — tested here without I/O, like the planner.

use super::plan::{PaymentMethodSeen, SecretSeen, Token};
use crate::{api::PriceStatus, ovh::model::OrderStatus};

/// The result of one action at OVH (or of a status-only action).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    CartBegun,
    CartCreated {
        cart_id: String,
        expires_at: Option<String>,
        subsidiary: String,
        plan_code: String,
    },
    CartFound {
        cart_id: String,
        expires_at: Option<String>,
    },
    /// Listed by its marker, but 404 when read: gone meanwhile.
    CartForgotten {
        cart_id: String,
    },
    /// Deleted (or already gone) because the spec changed after its price was shown.
    CartAbandoned {
        cart_id: String,
    },
    CartAssigned {
        cart_id: String,
    },
    ItemAdded {
        item_id: i64,
        plan_code: String,
        duration: String,
        pricing_mode: String,
    },
    ItemRemoved {
        item_id: i64,
    },
    Configured {
        item_id: i64,
        configuration_id: i64,
        label: String,
        value: String,
    },
    ConfigurationRemoved {
        item_id: i64,
        configuration_id: i64,
    },
    OptionAdded {
        /// The project item the option belongs to.
        item_id: i64,
        option_item_id: i64,
        plan_code: String,
        duration: String,
        pricing_mode: String,
    },
    Priced {
        cart_id: String,
        price: PriceStatus,
    },
    CheckoutBegun {
        approved_by: Option<String>,
    },
    OrderPlaced {
        order_id: i64,
        url: Option<String>,
        price: PriceStatus,
        /// The API's base URL.
        endpoint: String,
    },
    OrderFound {
        order_id: i64,
        url: String,
        date: Option<String>,
        expires_at: Option<String>,
        price: PriceStatus,
        endpoint: String,
    },
    OrderExpiryKnown(String),
    CartExpired,
    PaymentBegun(Option<PaymentMethodSeen>),
    Paid {
        order_id: i64,
    },
    /// The recorded payment is requested again (counted before the call).
    PaymentBegunAgain,
    /// OVH answered 429 to the payment: not processed; requested again after `retry_after`
    /// seconds (OVH's Retry-After; a default when absent).
    PaymentDeferred {
        order_id: i64,
        retry_after: Option<u64>,
        message: String,
    },
    /// OVH refused the payment (4xx other than 429): kept with OVH's message, never retried.
    PaymentRefused {
        order_id: i64,
        message: String,
    },
    OrderStatusSeen(OrderStatus),
    ProjectNamed {
        project_id: String,
        /// Delivered by this resource's order (not adopted): the 404 window starts now.
        delivered: bool,
        /// spec.description when delivered: the ordered name (fixed from checkout to delivery),
        /// recorded as status.projectDescription.
        ordered_name: Option<String>,
    },
    /// Another resource holds the project this status recorded.
    HeldProjectDropped,
    ProjectStatusSeen(String),
    ProjectDescriptionRecorded(String),
    ProjectRenamed {
        project_id: String,
        from: Option<String>,
        to: String,
    },
    CartDeleted {
        cart_id: String,
    },
    EmailsMarked {
        newest: i64,
    },
    /// A second termination request was refused after the first one's answer was lost.
    TerminationAlreadyRequested {
        project_id: String,
        message: String,
    },
    TerminationRequested {
        project_id: String,
    },
    /// 404 or 460 on terminate: the planner decides from what this says.
    TerminationRefused {
        project_id: String,
        expired: bool,
        message: String,
    },
    TerminationConfirmed {
        project_id: String,
    },
    UserBegun,
    UserCreated {
        user_id: i64,
        username: String,
        password: Token,
    },
    UserFound {
        user_id: i64,
        username: String,
        /// Other users with our marker, left for a person.
        extra: Vec<i64>,
    },
    PasswordRegenerated {
        user_id: i64,
        password: Token,
    },
    OutputsWritten {
        name: String,
        /// The Secret as written (so this pass does not read it again).
        seen: SecretSeen,
    },
    UserForgotten,
    UserDeleted {
        user_id: i64,
    },
}

mod apply;

pub use apply::{Applied, apply};

#[cfg(test)]
mod tests;
