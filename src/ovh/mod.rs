//! The OVH v1 API. Knows nothing of Kubernetes.

pub mod client;
pub mod error;
pub mod model;
pub mod order;

pub use client::{Auth, CallStats, ClientOptions, Credentials, OvhClient, Route};
pub use error::{ApiError, OvhError};
