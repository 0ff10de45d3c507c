//! The OVH v1 API. Knows nothing of Kubernetes.

pub mod access;
mod auth;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod model;
pub mod options;
pub mod order;
pub mod parse;
pub mod projects;
pub mod routes;
pub mod signing;

pub use client::OvhClient;
pub use credentials::{Auth, Credentials};
pub use endpoint::resolve_endpoint;
pub use error::{ApiError, OvhError};
pub use options::{CallStats, ClientOptions};
pub use routes::Route;
pub use signing::signature;
