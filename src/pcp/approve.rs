//! `kubectl pcp approve NAME`: approves the priced cart a resource waits on, by writing the cart
//! id into the approve annotation — after reading the status again, and only if the resource is
//! still the one shown (a patch guarded by its resourceVersion: any change meanwhile, such as a
//! new cart, refuses the approval).

use k8s_openapi::api::authentication::v1::SelfSubjectReview;
use kube::{Api, ResourceExt, api::PostParams};

use super::{Cluster, PcpError, annotate_if_unchanged};
use crate::{
    api::{
        APPROVE_ANNOTATION, APPROVED_BY_ANNOTATION, CartStatus, Phase, PriceStatus, PublicCloudProject,
        PublicCloudProjectStatus,
    },
    controller::plan::cents,
};

/// Approve the priced cart of a resource in AwaitingApproval.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  kubectl pcp approve team-b --max-price 25.00\n  kubectl pcp approve team-b --cart 3f6c…  # only the cart you looked at\n\n\
The status is read again; the approval is refused if the resource is not AwaitingApproval, if its \
price with tax is above --max-price, if its cart is not --cart, or if the resource changes before \
the annotation is written. The operator checks out only the cart whose id the annotation holds."
)]
pub struct ApproveArgs {
    /// The PublicCloudProject.
    pub name: String,
    /// Refuse if the price with tax is above this amount (e.g. 25.00, in the status' currency).
    #[arg(long, value_name = "PRICE")]
    pub max_price: Option<String>,
    /// Refuse unless the resource still waits on this cart id (the one you reviewed).
    #[arg(long, value_name = "CART_ID")]
    pub cart: Option<String>,
}

pub async fn run(cluster: &Cluster, args: &ApproveArgs) -> Result<(), PcpError> {
    let who = cluster.qualified(&args.name);
    let ceiling = ceiling(args)?;
    let obj = cluster.get(&args.name).await?;
    let status = obj.status.clone().unwrap_or_default();
    let (cart, price) = approvable(&who, args, ceiling, &status)?;
    print_cart(&who, &obj, &status, cart, price);
    if obj.annotations().get(APPROVE_ANNOTATION) == Some(&cart.id) {
        println!("Already approved: the operator checks this cart out.");
        return Ok(());
    }
    approve(cluster, &who, args, &obj, &cart.id).await
}

/// `--max-price` in cents, if given.
fn ceiling(args: &ApproveArgs) -> Result<Option<u64>, PcpError> {
    match args.max_price.as_deref() {
        Some(p) => Ok(Some(cents(p).ok_or_else(|| {
            PcpError::Input(format!("--max-price {p:?} is not an amount such as 25.00"))
        })?)),
        None => Ok(None),
    }
}

/// The cart and price to approve, or why there is none: not AwaitingApproval, no cart or price
/// shown yet, not the cart reviewed (`--cart`), or a price that is not an amount or is above
/// `--max-price`.
fn approvable<'a>(
    who: &str,
    args: &ApproveArgs,
    ceiling: Option<u64>,
    status: &'a PublicCloudProjectStatus,
) -> Result<(&'a CartStatus, &'a PriceStatus), PcpError> {
    if status.phase != Some(Phase::AwaitingApproval) {
        let phase = status
            .phase
            .map(|p| format!("{p:?}"))
            .unwrap_or_else(|| "no phase yet".into());
        return Err(PcpError::Refused(format!(
            "{who} is in {phase}, not AwaitingApproval: there is no priced cart to approve (kubectl pcp status {})",
            args.name
        )));
    }
    let (Some(cart), Some(price)) = (status.cart.as_ref(), status.price.as_ref()) else {
        return Err(PcpError::Refused(format!(
            "{who} waits for approval but its status shows no cart or price; run again in a moment"
        )));
    };
    if let Some(expected) = args.cart.as_deref().filter(|c| *c != cart.id) {
        return Err(PcpError::Refused(format!(
            "the cart changed: {who} now waits on cart {} (you reviewed {expected}); look at it again with kubectl pcp status {}",
            cart.id, args.name
        )));
    }
    let Some(with_tax) = cents(&price.with_tax) else {
        return Err(PcpError::Refused(format!(
            "{who}'s price {:?} is not an amount this command can compare: not approved",
            price.with_tax
        )));
    };
    if let (Some(ceiling), Some(max)) = (ceiling, args.max_price.as_deref())
        && with_tax > ceiling
    {
        return Err(PcpError::Refused(format!(
            "{who} costs {} {} with tax, above --max-price {max}: not approved",
            price.with_tax, price.currency
        )));
    }
    Ok((cart, price))
}

/// What is being approved: the resource, its plan, cart and price.
fn print_cart(
    who: &str,
    obj: &PublicCloudProject,
    status: &PublicCloudProjectStatus,
    cart: &CartStatus,
    price: &PriceStatus,
) {
    println!("PublicCloudProject {who}");
    println!("  Description:      {}", obj.spec.description);
    if let Some(code) = &status.plan_code {
        println!("  Plan code:        {code} ({})", obj.spec.plan.duration);
    }
    println!("  Cart:             {}", cart.id);
    println!(
        "  Price:            {} {} without tax, {} {} with tax",
        price.without_tax, price.currency, price.with_tax, price.currency
    );
}

/// Writes the cart id into the approve annotation (and the approver's name), refused if the
/// resource changed since it was read.
async fn approve(
    cluster: &Cluster,
    who: &str,
    args: &ApproveArgs,
    obj: &PublicCloudProject,
    cart_id: &str,
) -> Result<(), PcpError> {
    let changed = format!(
        "{who} changed while it was being approved (a new cart or price?): nothing was approved; \
         look at it again with kubectl pcp status {}",
        args.name
    );
    // The approver's own name, which the chart's ValidatingAdmissionPolicy accepts (and its
    // MutatingAdmissionPolicy stamps anyway): status.approvedBy then names them even on clusters
    // without the mutating policy. Any earlier approver's name is replaced in the same change.
    let approver = whoami(cluster).await;
    let mut annotations = serde_json::json!({ APPROVE_ANNOTATION: cart_id });
    annotations[APPROVED_BY_ANNOTATION] = approver.clone().map_or(serde_json::Value::Null, Into::into);
    annotate_if_unchanged(cluster, obj, annotations, &changed).await?;
    if let Some(name) = approver {
        println!("  Approved by:      {name}");
    }
    println!(
        "Approved: {APPROVE_ANNOTATION}={}. The operator checks out this cart; follow it with kubectl pcp status {}",
        cart_id, args.name
    );
    Ok(())
}

/// Who this command runs as, as `kubectl auth whoami` asks (a SelfSubjectReview); `None` when the
/// API server cannot say.
async fn whoami(cluster: &Cluster) -> Option<String> {
    let api: Api<SelfSubjectReview> = Api::all(cluster.client.clone());
    let review = api
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .ok()?;
    review.status?.user_info?.username.filter(|u| !u.is_empty())
}
