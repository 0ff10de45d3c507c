//! Kubernetes operator that orders OVHcloud Public Cloud projects declaratively.

pub mod api;
pub mod controller;
pub mod credentials_cmd;
pub mod docs_reference;
pub mod metrics;
pub mod ovh;
pub mod pcp;
pub mod simulator;
pub mod telemetry;

pub use api::{PublicCloudProject, PublicCloudProjectSpec, PublicCloudProjectStatus};

/// The CRD as YAML, exactly as committed in `crds/publiccloudproject.yaml`.
pub fn crd_yaml() -> String {
    serde_yaml::to_string(&api::crd()).expect("the CRD always serialises")
}

#[cfg(test)]
mod tests {
    #[test]
    fn committed_crd_matches_the_rust_types() {
        let committed = include_str!("../crds/publiccloudproject.yaml");
        assert!(
            committed == super::crd_yaml(),
            "crds/publiccloudproject.yaml is stale: run `cargo run -q -- crd > crds/publiccloudproject.yaml`"
        );
    }
}
