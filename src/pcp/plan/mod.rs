//! `kubectl pcp plan -f FILE`: what applying a manifest would buy, priced by OVH, without a
//! cluster. It drives the operator's own planner, lookups and executor on an in-memory status,
//! with approval forced to Manual so the planner stops at AwaitingApproval with the price; only
//! cart-building actions are ever executed (an allow-list: never a checkout or a payment), and
//! the cart is deleted at the end, on errors and on Ctrl-C too.

use std::{fmt::Write as _, path::PathBuf, time::Duration};

use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;

use super::{PcpError, sdk_config};
use crate::{
    api::{
        Approval, OvhSubsidiary, Payment, Phase, PublicCloudProject, PublicCloudProjectSpec,
        PublicCloudProjectStatus,
    },
    controller::{
        credentials::secret_keys,
        plan::{self, Reason, desired_configurations},
        reason::Health,
    },
    ovh::{ClientOptions, Credentials, OvhClient},
};

/// Preview an order at OVH: build the cart, print what it holds and its price, delete it.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  OVH_ENDPOINT=ovh-eu OVH_APPLICATION_KEY=… OVH_APPLICATION_SECRET=… OVH_CONSUMER_KEY=… \\\n    kubectl pcp plan -f team-a.yaml\n  kubectl pcp plan -f team-a.yaml --credentials-secret ovh-credentials.yaml\n\nNo cluster is used. Credentials: --credentials-secret (a Secret manifest with the keys the \
operator reads), else as OVH's SDKs find them: OVH_ENDPOINT, OVH_APPLICATION_KEY, \
OVH_APPLICATION_SECRET, OVH_CONSUMER_KEY (or OVH_CLIENT_ID, OVH_CLIENT_SECRET), then ./ovh.conf, \
~/.ovh.conf, /etc/ovh.conf. Nothing is ordered: the cart is deleted at the end. The manifest is \
not validated as the API server does (kubectl apply --dry-run=server does that)."
)]
pub struct PlanArgs {
    /// Manifest with one or more PublicCloudProjects (`-`: standard input).
    #[arg(short = 'f', long = "filename", value_name = "FILE")]
    pub file: PathBuf,
    /// A Secret manifest (YAML) holding the OVH credentials, with the operator's keys: endpoint,
    /// application_key, application_secret, consumer_key (or client_id, client_secret).
    #[arg(long, value_name = "FILE")]
    pub credentials_secret: Option<PathBuf>,
    /// Timeout of each OVH call, in seconds.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
}

mod dry_run;

use dry_run::{DryRun, State, Stop, drive, dry_resource};

/// Steps one plan may take (the operator allows 40 per pass; a cart takes about 8).
const MAX_STEPS: usize = 40;

pub async fn run(args: &PlanArgs) -> Result<(), PcpError> {
    let text = if args.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| PcpError::Input(format!("standard input: {e}")))?
    } else {
        std::fs::read_to_string(&args.file)
            .map_err(|e| PcpError::Input(format!("{}: {e}", args.file.display())))?
    };
    let resources = resources(&text).map_err(|e| PcpError::Input(format!("{}: {e}", args.file.display())))?;
    let (credentials, source) = match &args.credentials_secret {
        Some(path) => (secret_file(path)?, path.display().to_string()),
        None => {
            let (c, sources) = sdk_config::from_environment().map_err(PcpError::Input)?;
            (c, sources.to_string())
        }
    };
    let endpoint = credentials.endpoint.clone();
    let options = ClientOptions {
        timeout: Duration::from_secs(args.timeout),
        ..Default::default()
    };
    let ovh = OvhClient::new(credentials, options)?;
    let mut failed = None;
    for (i, obj) in resources.iter().enumerate() {
        if i > 0 {
            println!();
        }
        println!("PublicCloudProject {}", obj.name_any());
        println!("  OVH API:          {endpoint} (credentials from {source})");
        if let Err(e) = plan_one(&ovh, obj).await {
            if resources.len() > 1 {
                eprintln!("kubectl pcp plan: {}: {e}", obj.name_any());
            }
            failed = Some(e);
        }
    }
    match failed {
        None => Ok(()),
        Some(e) if resources.len() == 1 => Err(e),
        Some(_) => Err(PcpError::Refused("some plans failed (see above)".into())),
    }
}

/// The PublicCloudProjects of a (multi-document) YAML manifest; other kinds are skipped.
fn resources(text: &str) -> Result<Vec<PublicCloudProject>, String> {
    use serde::Deserialize;
    let mut found = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = serde_json::Value::deserialize(document).map_err(|e| e.to_string())?;
        if value.is_null() || value["kind"] != "PublicCloudProject" {
            continue;
        }
        let obj: PublicCloudProject =
            serde_json::from_value(value).map_err(|e| format!("a PublicCloudProject does not read: {e}"))?;
        found.push(obj);
    }
    if found.is_empty() {
        return Err("no PublicCloudProject in it".into());
    }
    Ok(found)
}

/// Credentials from a Secret manifest (`data` base64, or `stringData`).
fn secret_file(path: &std::path::Path) -> Result<Credentials, PcpError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| PcpError::Input(format!("{}: {e}", path.display())))?;
    let secret: Secret = serde_yaml::from_str(&text)
        .map_err(|e| PcpError::Input(format!("{}: not a Secret manifest: {e}", path.display())))?;
    Credentials::from_keys(&secret_keys(secret))
        .map_err(|e| PcpError::Input(format!("{}: {e}", path.display())))
}

/// Plans one resource and deletes its cart, whatever happened.
async fn plan_one(ovh: &OvhClient, obj: &PublicCloudProject) -> Result<(), PcpError> {
    let mut dry = DryRun {
        ovh,
        obj: dry_resource(obj),
        state: State::default(),
    };
    let driven = tokio::select! {
        r = drive(&mut dry) => r,
        _ = tokio::signal::ctrl_c() => Err(PcpError::Refused("interrupted".into())),
    };
    let (state, uid) = (&dry.state, dry.obj.uid().unwrap_or_default());
    let had_cart = state.status.cart.is_some() || state.status.cart_requested_at.is_some();
    let cleanup = delete_carts(ovh, &state.status, &uid).await;
    let stop = driven?;
    print!("{}", report(&obj.spec, state, &stop));
    cleanup?;
    if had_cart {
        println!("  Cart deleted:     yes; nothing was ordered");
    } else {
        println!("  No cart was made; nothing was ordered");
    }
    if stop.phase != Phase::AwaitingApproval && stop.reason.health() == Health::Degraded {
        return Err(PcpError::Refused(format!(
            "the operator would stop in {:?} ({}): nothing would be ordered",
            stop.phase, stop.reason
        )));
    }
    Ok(())
}

/// Deletes the plan's cart: the recorded one, or — when a cart creation's answer was lost —
/// any cart carrying this plan's marker.
async fn delete_carts(ovh: &OvhClient, status: &PublicCloudProjectStatus, uid: &str) -> Result<(), PcpError> {
    let ids = match (&status.cart, &status.cart_requested_at) {
        (Some(cart), _) => vec![cart.id.clone()],
        (None, Some(_)) => ovh
            .carts_by_description(&format!("{}{uid}", plan::MARKER_PREFIX))
            .await
            .map_err(|e| {
                PcpError::Refused(format!("could not look for the plan's cart to delete it: {e}"))
            })?,
        (None, None) => vec![],
    };
    for id in ids {
        match ovh.delete_cart(&id).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                let expiry = status
                    .cart
                    .as_ref()
                    .and_then(|c| c.expires_at.as_deref())
                    .map(|t| format!(" (OVH discards it at {t})"))
                    .unwrap_or_default();
                return Err(PcpError::Refused(format!(
                    "could not delete cart {id}{expiry}: {e}; nothing was ordered"
                )));
            }
        }
    }
    Ok(())
}

/// What the plan found, for people.
fn report(spec: &PublicCloudProjectSpec, state: &State, stop: &Stop) -> String {
    let status = &state.status;
    let mut out = String::new();
    let subsidiary = spec.ovh_subsidiary.map(OvhSubsidiary::code).or_else(|| {
        state
            .observed
            .subsidiary
            .as_ref()
            .map(|s| format!("{s} (the account's)"))
    });
    if let Some(s) = subsidiary {
        let _ = writeln!(out, "  Subsidiary:       {s}");
    }
    if let Some(code) = &status.plan_code {
        let _ = writeln!(
            out,
            "  Plan code:        {code} ({}, pricing mode {})",
            spec.plan.duration, spec.plan.pricing_mode
        );
        let configurations: Vec<String> = desired_configurations(spec)
            .into_iter()
            .map(|(label, value)| format!("{label}={value:?}"))
            .collect();
        let _ = writeln!(out, "  Configurations:   {}", configurations.join(", "));
        if !spec.options.is_empty() {
            let options: Vec<&str> = spec.options.iter().map(|o| o.plan_code.as_str()).collect();
            let _ = writeln!(out, "  Options:          {}", options.join(", "));
        }
    }
    if let Some(price) = &status.price {
        let _ = writeln!(
            out,
            "  Price:            {} {} without tax",
            price.without_tax, price.currency
        );
        let _ = writeln!(
            out,
            "                    {} {} with tax",
            price.with_tax, price.currency
        );
    }
    if let Some(cart) = &status.cart {
        let _ = writeln!(
            out,
            "  Cart:             {} (expires {})",
            cart.id,
            cart.expires_at.as_deref().unwrap_or("when OVH decides")
        );
    }
    if let (Phase::Ready, Some(id)) = (stop.phase, status.project_id.as_deref()) {
        let _ = writeln!(
            out,
            "  Once applied:     the operator follows project {id} (ok): nothing is bought"
        );
        if matches!(stop.reason, Reason::ProjectRenamed | Reason::WritingOutputs) {
            let _ = writeln!(out, "                    and {}", stop.message);
        }
    } else if stop.phase == Phase::AwaitingApproval {
        let _ = writeln!(out, "  Once applied:     {}", once_applied(spec, status));
    } else {
        let _ = writeln!(
            out,
            "  Once applied:     the operator stops in {:?} ({}): {}",
            stop.phase, stop.reason, stop.message
        );
    }
    out
}

/// What the operator does with this priced cart once the manifest is applied.
fn once_applied(spec: &PublicCloudProjectSpec, status: &PublicCloudProjectStatus) -> String {
    let price = status.price.as_ref();
    let above = spec.max_price.as_deref().and_then(|max| {
        let with_tax = plan::cents(&price?.with_tax)?;
        (with_tax > plan::cents(max)?).then(|| max.to_string())
    });
    let approval = match (spec.approval, above) {
        (Approval::Manual, _) => "waits for approval (kubectl pcp approve NAME)".to_string(),
        (Approval::Automatic, Some(max)) => {
            format!("waits for approval: the price is above spec.maxPrice {max} (kubectl pcp approve NAME)")
        }
        (Approval::Automatic, None) => {
            "checks out at once (approval: Automatic; the operator's --max-price may still hold it)".into()
        }
    };
    let payment = match spec.payment {
        Payment::Manual => "a person pays the order at its URL",
        Payment::Automatic => "the operator pays with the account's default payment method",
    };
    format!("{approval}; then {payment}")
}

#[cfg(test)]
mod tests {
    use super::{dry_run::allowed, *};
    use crate::controller::plan::{Act, CartAct};
    use crate::controller::plan::{OrderAct, PaymentAct, TerminationAct};

    #[test]
    fn only_cart_building_is_ever_executed() {
        assert!(allowed(&Act::Cart(CartAct::PreviewPrice { cart_id: "c".into() })));
        assert!(allowed(&Act::Cart(CartAct::Begin)));
        for never in [
            Act::Order(OrderAct::BeginCheckout { approved_by: None }),
            Act::Order(OrderAct::Checkout { cart_id: "c".into() }),
            Act::Payment(PaymentAct::Pay {
                order_id: 1,
                payment_method_id: 2,
            }),
            Act::Payment(PaymentAct::PayWithFidelityAccount { order_id: 1 }),
            Act::Termination(TerminationAct::Request {
                project_id: "p".into(),
                again: false,
            }),
            Act::Cart(CartAct::Delete { cart_id: "c".into() }),
        ] {
            assert!(!allowed(&never), "{never:?}");
        }
    }

    #[test]
    fn a_manifest_yields_its_publiccloudprojects() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n---\n\
                    apiVersion: publiccloud.ovh-operator.dev/v1alpha1\nkind: PublicCloudProject\n\
                    metadata: {name: a}\nspec: {description: A}\n---\n";
        let found = resources(text).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].spec.description, "A");
        assert_eq!(
            found[0].spec.plan.duration, "P1M",
            "defaults as the API server sets them"
        );
        assert!(
            resources("kind: ConfigMap\n")
                .unwrap_err()
                .contains("no PublicCloudProject")
        );
        assert!(resources("kind: PublicCloudProject\nspec: {}\n").is_err());
    }
}
