//! Leader election through a Lease (kube-lease-manager): only the holder works, and it stops
//! the moment it is no longer sure to hold the Lease.

use kube::Client;

use super::{Error, Options};

/// Waits until this replica holds the Lease; returns the channel that says whether it still does.
pub(super) async fn acquire_leadership(
    client: &Client,
    namespace: &str,
    options: &Options,
) -> Result<tokio::sync::watch::Receiver<bool>, Error> {
    let identity = options
        .leader_election_identity
        .clone()
        .or_else(|| std::env::var("POD_NAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| format!("ovh-operator-{:08x}", rand::random::<u32>()));
    let seconds = options.leader_election_lease_seconds.max(2);
    let manager =
        kube_lease_manager::LeaseManagerBuilder::new(client.clone(), &options.leader_election_lease)
            .with_namespace(namespace)
            .with_identity(&identity)
            .with_duration(seconds)
            .with_grace((seconds / 3).max(1))
            .with_field_manager(crate::api::FIELD_MANAGER)
            .build()
            .await
            .map_err(|e| Error::LeaderElection(e.to_string()))?;
    let (mut leader, _task) = manager.watch().await;
    tracing::info!(%identity, lease = %options.leader_election_lease, %namespace, "waiting for the leader lease");
    while !*leader.borrow_and_update() {
        leader
            .changed()
            .await
            .map_err(|_| Error::LeaderElection("the lease task stopped".into()))?;
    }
    tracing::info!(%identity, "holding the leader lease");
    Ok(leader)
}
