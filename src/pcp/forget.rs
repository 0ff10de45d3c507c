//! `kubectl pcp forget NAME`: lets Kubernetes delete a resource without the operator doing
//! anything more at OVH — the way out of a deletion that waits on something a person knows will
//! not come. Says first what stays at OVH and asks for confirmation; then pauses the resource (so
//! the operator makes no OVH call for it, whatever its deletionPolicy), deletes it and removes
//! the finalizer, each write guarded by the resourceVersion it was decided on.

use std::io::{BufRead, IsTerminal, Write};

use kube::{
    ResourceExt,
    api::{DeleteParams, Patch, PatchParams, Preconditions},
};

use super::{Cluster, PcpError, annotate_if_unchanged};
use crate::{
    api::{PAUSED_ANNOTATION, Phase, PublicCloudProject},
    controller::finalizer,
};

/// Delete a resource and remove its finalizer, leaving everything at OVH as it is.
#[derive(clap::Args, Debug)]
#[command(
    after_help = "Example:\n  kubectl pcp forget team-a          # shows what stays at OVH, asks to type the name\n  kubectl pcp forget team-a --yes    # no question (scripts)\n\n\
Nothing is deleted, terminated or paid at OVH: the cart, order and project stay as they are, and \
the project stays billed. Without a terminal to ask on, --yes is required."
)]
pub struct ForgetArgs {
    /// The PublicCloudProject.
    pub name: String,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// How many times the finalizer's removal is tried again when the operator wrote meanwhile.
const TRIES: usize = 5;

pub async fn run(cluster: &Cluster, args: &ForgetArgs) -> Result<(), PcpError> {
    let who = cluster.qualified(&args.name);
    let obj = cluster.get(&args.name).await?;
    let deleting = obj.metadata.deletion_timestamp.is_some();
    let status = obj.status.clone().unwrap_or_default();
    if !deleting && status.phase == Some(Phase::CheckingOut) {
        return Err(PcpError::Refused(format!(
            "{who} is checking out: an order may be being placed right now. Wait for its outcome \
             (kubectl pcp status {}), then forget it",
            args.name
        )));
    }
    println!("Forgetting {who} removes it from Kubernetes; the operator does nothing more at OVH.");
    println!("Stays at OVH as it is:");
    for line in left_at_ovh(&obj) {
        println!("  - {line}");
    }
    if let Some(line) = outputs_secret(&obj) {
        println!("Goes with it in Kubernetes:\n  - {line}");
    }
    if !args.yes {
        confirm(&args.name)?;
    }
    let changed = format!(
        "{who} changed since it was shown: nothing was done; run kubectl pcp forget {} again",
        args.name
    );
    if !deleting {
        annotate_if_unchanged(
            cluster,
            &obj,
            serde_json::json!({ PAUSED_ANNOTATION: "true" }),
            &changed,
        )
        .await?;
        let params = DeleteParams {
            preconditions: Some(Preconditions {
                uid: obj.uid(),
                resource_version: None,
            }),
            ..Default::default()
        };
        cluster.api().delete(&args.name, &params).await?;
    }
    remove_finalizer(cluster, &obj, deleting, &changed).await?;
    println!("Forgot {who}.");
    Ok(())
}

/// What the status says exists at OVH, for the confirmation.
fn left_at_ovh(obj: &PublicCloudProject) -> Vec<String> {
    let status = obj.status.clone().unwrap_or_default();
    let mut lines = Vec::new();
    let project = status
        .project_id
        .clone()
        .or_else(|| obj.spec.project_id.clone().filter(|p| !p.is_empty()));
    if let Some(id) = project {
        let state = status.project_status.as_deref().unwrap_or("status unknown");
        lines.push(format!(
            "project {id} ({state}): it keeps running and being billed"
        ));
    }
    if let Some(order) = &status.order {
        let url = order.url.as_deref().unwrap_or("-");
        lines.push(format!(
            "order {} ({}; {url})",
            order.id,
            order.status.as_deref().unwrap_or("status not read")
        ));
    } else if let Some(cart) = &status.cart {
        let expiry = cart.expires_at.as_deref().unwrap_or("when OVH decides");
        lines.push(format!(
            "cart {} (nothing ordered; OVH discards it at {expiry})",
            cart.id
        ));
    }
    if let Some(user) = status.openstack_user.as_ref().filter(|u| u.deleted_at.is_none())
        && let Some(id) = user.id
    {
        let name = user.username.as_deref().unwrap_or("name not recorded");
        lines.push(format!(
            "OpenStack user {id} ({name}): it keeps working with the password it has"
        ));
    }
    if status.phase == Some(Phase::NeedsAttention) && status.order.is_none() {
        lines.push(
            "a checkout whose answer was lost may have placed an order: check the OVH account's orders"
                .into(),
        );
    }
    if lines.is_empty() {
        lines.push("nothing recorded in its status".into());
    }
    lines
}

/// The outputs Secret: owned by the resource, Kubernetes deletes it with it (the OpenStack
/// user's password with it).
fn outputs_secret(obj: &PublicCloudProject) -> Option<String> {
    let name = obj.spec.write_outputs_to.as_deref()?;
    Some(format!(
        "Secret {name} (the outputs, owned by the resource): Kubernetes deletes it with the \
         resource; copy it first to keep the OpenStack user's password"
    ))
}

/// Asks on the terminal for the resource's name; refuses without a terminal.
fn confirm(name: &str) -> Result<(), PcpError> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(PcpError::Refused(
            "not confirmed: no terminal to ask on; run again with --yes to forget without asking".into(),
        ));
    }
    print!("Type the resource's name ({name}) to forget it: ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    stdin
        .lock()
        .read_line(&mut answer)
        .map_err(|e| PcpError::Input(format!("reading the answer: {e}")))?;
    if answer.trim() != name {
        return Err(PcpError::Refused("not confirmed: nothing was done".into()));
    }
    Ok(())
}

/// Removes the operator's finalizer with a patch guarded by the resourceVersion. `shown`: the
/// resource was being deleted when shown, so any change refuses; otherwise (this command
/// deleted it) the operator's own writes since are expected, and the removal is tried again.
async fn remove_finalizer(
    cluster: &Cluster,
    shown: &PublicCloudProject,
    deleting: bool,
    changed: &str,
) -> Result<(), PcpError> {
    let mut obj = shown.clone();
    for _ in 0..TRIES {
        let finalizers = finalizer::without_ours(&obj);
        let patch = serde_json::json!({
            "metadata": { "resourceVersion": obj.resource_version(), "finalizers": finalizers }
        });
        match cluster
            .api()
            .patch(&obj.name_any(), &PatchParams::default(), &Patch::Merge(&patch))
            .await
        {
            Ok(_) => return Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => return Ok(()),
            Err(kube::Error::Api(s)) if s.code == 409 && !deleting => {
                match cluster.api().get_opt(&obj.name_any()).await? {
                    Some(fresh) if fresh.uid() == shown.uid() => obj = fresh,
                    _ => return Ok(()),
                }
            }
            Err(kube::Error::Api(s)) if s.code == 409 => return Err(PcpError::Refused(changed.into())),
            Err(e) => return Err(e.into()),
        }
    }
    Err(PcpError::Refused(format!(
        "{}: the finalizer could not be removed ({TRIES} conflicts); it is deleted and paused, run kubectl pcp forget again",
        obj.name_any()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openstack_user_and_the_outputs_secret_are_named() {
        let mut obj: PublicCloudProject = serde_json::from_value(serde_json::json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": "p"},
            "spec": {"description": "P", "credentialsSecretRef": {"name": "c"}, "projectId": "abc",
                     "writeOutputsTo": "out", "openstackUser": {"role": "compute_operator"}},
            "status": {"projectId": "abc", "projectStatus": "ok",
                       "openstackUser": {"requestedAt": "2026-11-27T10:00:00Z", "id": 77, "username": "user-x"}},
        }))
        .unwrap();
        let lines = left_at_ovh(&obj);
        assert!(
            lines.contains(
                &"OpenStack user 77 (user-x): it keeps working with the password it has".to_string()
            ),
            "{lines:?}"
        );
        assert!(
            outputs_secret(&obj)
                .unwrap()
                .starts_with("Secret out (the outputs")
        );
        // Deleted already (Terminate, or deleteOnOrphan): not listed.
        obj.status
            .as_mut()
            .unwrap()
            .openstack_user
            .as_mut()
            .unwrap()
            .deleted_at = Some("2026-11-27T11:00:00Z".into());
        assert!(!left_at_ovh(&obj).iter().any(|l| l.contains("OpenStack user")));
        obj.spec.write_outputs_to = None;
        assert_eq!(outputs_secret(&obj), None);
    }
}
