//! The OVH v1 API. Knows nothing of Kubernetes. The transport is `client` (with `auth`, `signing`,
//! `endpoint`, `routes`, `options`), the typed calls by family are `calls`, the wire model
//! `model`, errors and their disposition `error`, the rights the calls need `access`. What OVH
//! answers, and where that is known from: docs/ovh-evidence.md.

pub mod access;
mod auth;
pub mod calls;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod model;
pub mod options;
pub mod orders;
/// The calls' former module, kept so that `ovh::order::{is_project_id, termination_token, …}`
/// paths keep working; the calls themselves are in [`calls`], one module per family.
pub mod order {
    pub use super::calls::*;
}
pub mod parse;
pub mod projects;
pub mod routes;
pub mod signing;

pub use client::{HOLD_OFF, Lane, OvhClient};
pub use credentials::{Auth, Credentials};
pub use endpoint::resolve_endpoint;
pub use error::{ApiError, Disposition, OvhError};
pub use options::{CallStats, ClientOptions};
pub use routes::Route;
pub use signing::signature;
