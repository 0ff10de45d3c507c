//! `kubectl pcp resolve NAME --order-id N`: a person's answer to NeedsAttention after a lost
//! checkout — the order it created is N. Written as the order-id annotation, which the operator
//! reads (and checks at OVH) before anything else; guarded by the resourceVersion.

use super::{Cluster, PcpError, annotate_if_unchanged};
use crate::{
    api::{ORDER_ID_ANNOTATION, Phase},
    controller::reason::Reason,
};

/// Name the OVH order of a checkout whose answer was lost (NeedsAttention).
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  kubectl pcp resolve team-a --order-id 123456789\n\n\
Use it when kubectl pcp status says the checkout's answer was lost and the operator cannot tell \
which order is this resource's: find the order in the OVH account (a Public Cloud project named \
after spec.description) and name it. If no order exists, delete and recreate the resource instead."
)]
pub struct ResolveArgs {
    /// The PublicCloudProject.
    pub name: String,
    /// The OVH order id the lost checkout created.
    #[arg(long, value_name = "N")]
    pub order_id: i64,
}

pub async fn run(cluster: &Cluster, args: &ResolveArgs) -> Result<(), PcpError> {
    let who = cluster.qualified(&args.name);
    if args.order_id <= 0 {
        return Err(PcpError::Input(format!(
            "--order-id {} is not an OVH order id",
            args.order_id
        )));
    }
    let obj = cluster.get(&args.name).await?;
    let status = obj.status.clone().unwrap_or_default();
    if let Some(order) = &status.order {
        return Err(PcpError::Refused(format!(
            "{who} already follows order {}: nothing to resolve",
            order.id
        )));
    }
    let lost_checkout = match status.phase {
        Some(Phase::CheckingOut) => true,
        Some(Phase::NeedsAttention) => {
            super::ready(&status).is_some_and(|(r, _)| r == Reason::NeedsAttention.as_str())
        }
        _ => false,
    };
    if !lost_checkout {
        let phase = status
            .phase
            .map(|p| format!("{p:?}"))
            .unwrap_or_else(|| "no phase yet".into());
        return Err(PcpError::Refused(format!(
            "{who} is in {phase}: only a checkout whose answer was lost (NeedsAttention, or CheckingOut) \
             takes an order id"
        )));
    }
    let changed = format!(
        "{who} changed meanwhile: nothing was written; look at it again with kubectl pcp status {}",
        args.name
    );
    annotate_if_unchanged(
        cluster,
        &obj,
        serde_json::json!({ ORDER_ID_ANNOTATION: args.order_id.to_string() }),
        &changed,
    )
    .await?;
    println!(
        "{who}: {ORDER_ID_ANNOTATION}={}. The operator reads order {} at OVH and follows it; \
         check with kubectl pcp status {}",
        args.order_id, args.order_id, args.name
    );
    Ok(())
}
