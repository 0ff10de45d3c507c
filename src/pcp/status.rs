//! `kubectl pcp status NAME`: where the order stands (phase, price, order and where to pay it,
//! project), the conditions, the timeline of the resource's events, and the next thing a person
//! must do.

use std::fmt::Write as _;

use k8s_openapi::api::core::v1::Event;
use kube::{Api, ResourceExt, api::ListParams};

use super::{Cluster, PcpError, next::next_action};
use crate::api::{PublicCloudProject, PublicCloudProjectStatus as Status};

/// Show a resource's order, project, conditions, event timeline and next step.
#[derive(clap::Args, Debug)]
#[command(after_help = "Example:\n  kubectl pcp status team-a -n team-a\n\n\
The timeline is the resource's events (kept by Kubernetes for an hour by default); the last line \
says what a person must do next, if anything.")]
pub struct StatusArgs {
    /// The PublicCloudProject.
    pub name: String,
}

pub async fn run(cluster: &Cluster, args: &StatusArgs) -> Result<(), PcpError> {
    let obj = cluster.get(&args.name).await?;
    let events: Api<Event> = Api::namespaced(cluster.client.clone(), &cluster.namespace);
    let selector = format!("involvedObject.uid={}", obj.uid().unwrap_or_default());
    let mut events = events.list(&ListParams::default().fields(&selector)).await?.items;
    // Stable: events of the same second keep the API server's order.
    events.sort_by_key(time);
    print!("{}", render(&obj, &cluster.namespace, &events));
    Ok(())
}

/// When an event last happened: its series' last time, else its last, first or event time.
fn time(e: &Event) -> String {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0.to_string()))
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0.to_string()))
        .or_else(|| e.event_time.as_ref().map(|t| t.0.to_string()))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0.to_string()))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0.to_string()))
        .unwrap_or_default()
}

fn render(obj: &PublicCloudProject, namespace: &str, events: &[Event]) -> String {
    let name = obj.name_any();
    let status = obj.status.clone().unwrap_or_default();
    let mut out = String::new();
    write_resource(&mut out, obj, &name, namespace, &status);
    write_purchase(&mut out, &status);
    write_day_two(&mut out, obj, &status);
    write_conditions(&mut out, &status);
    write_timeline(&mut out, events);
    let _ = writeln!(out, "Next: {}", next_action(obj, &name));
    out
}

/// One `Label:  value` line, the values aligned.
fn line(out: &mut String, label: &str, value: String) {
    let _ = writeln!(out, "{:<18}{value}", format!("{label}:"));
}

/// The resource: name, description, phase, plan code and cart.
fn write_resource(out: &mut String, obj: &PublicCloudProject, name: &str, namespace: &str, status: &Status) {
    line(out, "Name", format!("{name} (namespace {namespace})"));
    line(out, "Description", obj.spec.description.clone());
    let phase = status
        .phase
        .map(|p| format!("{p:?}"))
        .unwrap_or_else(|| "-".into());
    let deleting = if obj.metadata.deletion_timestamp.is_some() {
        " (being deleted)"
    } else {
        ""
    };
    line(out, "Phase", format!("{phase}{deleting}"));
    if let Some(code) = &status.plan_code {
        line(out, "Plan code", format!("{code} ({})", obj.spec.plan.duration));
    }
    if let Some(cart) = &status.cart {
        let expiry = cart
            .expires_at
            .as_deref()
            .map(|t| format!(" (expires {t})"))
            .unwrap_or_default();
        line(out, "Cart", format!("{}{expiry}", cart.id));
    }
}

/// What is bought and how far: price, approver, order and where to pay it, project.
fn write_purchase(out: &mut String, status: &Status) {
    line(
        out,
        "Price",
        status
            .price
            .as_ref()
            .map(|p| {
                format!(
                    "{} {} with tax, {} {} without tax",
                    p.with_tax, p.currency, p.without_tax, p.currency
                )
            })
            .unwrap_or_else(|| "-".into()),
    );
    if let Some(by) = &status.approved_by {
        line(out, "Approved by", by.clone());
    }
    match &status.order {
        Some(order) => {
            line(
                out,
                "Order",
                format!(
                    "{} ({})",
                    order.id,
                    order.status.as_deref().unwrap_or("status not read yet")
                ),
            );
            line(out, "Order URL", order.url.clone().unwrap_or_else(|| "-".into()));
        }
        None => line(out, "Order", "-".into()),
    }
    line(
        out,
        "Project",
        match (&status.project_id, &status.project_status) {
            (Some(id), Some(s)) => format!("{id} ({s})"),
            (Some(id), None) => id.clone(),
            _ => "-".into(),
        },
    );
}

/// After delivery: spend, budget, regions (only what the resource uses or the operator read).
fn write_day_two(out: &mut String, obj: &PublicCloudProject, status: &Status) {
    if let Some(spend) = &status.spend {
        let currency = spend.currency.as_deref().unwrap_or_default();
        let service = spend
            .service
            .as_deref()
            .filter(|s| *s != "ok")
            .map(|s| format!("; service {s}"))
            .unwrap_or_default();
        line(
            out,
            "Spend",
            format!(
                "{} {currency} this month, {} forecast (read {}){service}",
                spend.current.as_deref().unwrap_or("?"),
                spend.forecast.as_deref().unwrap_or("?"),
                spend.read_at
            ),
        );
    }
    if let Some(budget) = &obj.spec.budget {
        let alert = status
            .budget
            .as_ref()
            .and_then(|b| b.id.as_deref())
            .map(|id| format!("alert {id}"))
            .unwrap_or_else(|| "alert not made yet".into());
        line(
            out,
            "Budget",
            format!(
                "{} a month, to {} ({alert})",
                budget.monthly_threshold,
                budget.emails.join(", ")
            ),
        );
    }
    if let Some(regions) = &status.regions {
        let asked: Vec<&str> = regions.requested.iter().map(|r| r.name.as_str()).collect();
        let asked = if asked.is_empty() {
            String::new()
        } else {
            format!("; asked, not active yet: {}", asked.join(", "))
        };
        line(out, "Regions", format!("{}{asked}", regions.active.join(", ")));
    }
}

/// The conditions, a message that repeats Ready's shown as `(as Ready)`.
fn write_conditions(out: &mut String, status: &Status) {
    if status.conditions.is_empty() {
        return;
    }
    let _ = writeln!(out, "Conditions:");
    let ready_message = super::ready(status).map(|(_, m)| m);
    for c in &status.conditions {
        // kstatus' Reconciling and Stalled (and often OrderPlaced) repeat Ready's message.
        let message = if c.type_ != "Ready" && Some(c.message.as_str()) == ready_message {
            "(as Ready)"
        } else {
            c.message.as_str()
        };
        let _ = writeln!(out, "  {:<17} {:<6} {}: {message}", c.type_, c.status, c.reason);
    }
}

/// The events, one a line: time, type, reason, message and how often it happened.
fn write_timeline(out: &mut String, events: &[Event]) {
    let _ = writeln!(out, "Timeline:");
    if events.is_empty() {
        let _ = writeln!(out, "  (no events: none yet, or older than the cluster keeps)");
    }
    for e in events {
        let count = e
            .series
            .as_ref()
            .and_then(|s| s.count)
            .or(e.count)
            .filter(|c| *c > 1)
            .map(|c| format!(" (×{c})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<20} {:<7} {:<20} {}{count}",
            time(e).chars().take(19).collect::<String>().replace('T', " "),
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            e.message.as_deref().unwrap_or("")
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivered_project_shows_its_spend_budget_and_regions() {
        let mut obj: PublicCloudProject = serde_json::from_value(serde_json::json!({
            "apiVersion": "publiccloud.ovh-operator.dev/v1alpha1", "kind": "PublicCloudProject",
            "metadata": {"name": "team-a"},
            "spec": {"description": "Team A", "budget": {"monthlyThreshold": 500, "emails": ["finops@example.com"]}},
            "status": {
                "phase": "Ready", "projectId": "p",
                "spend": {"current": "12.34", "forecast": "40.00", "currency": "EUR", "readAt": "2026-12-05T00:00:00Z", "service": "unPaid"},
                "budget": {"id": "b-1"},
                "regions": {"active": ["GRA11"], "requested": [{"name": "BHS5", "at": "2026-12-05T00:00:00Z"}]}
            }
        }))
        .unwrap();
        let out = render(&obj, "team-a", &[]);
        assert!(out.contains("Spend:            12.34 EUR this month, 40.00 forecast (read 2026-12-05T00:00:00Z); service unPaid"), "{out}");
        assert!(
            out.contains("Budget:           500 a month, to finops@example.com (alert b-1)"),
            "{out}"
        );
        assert!(
            out.contains("Regions:          GRA11; asked, not active yet: BHS5"),
            "{out}"
        );
        obj.spec.budget = None;
        obj.status.as_mut().unwrap().spend = None;
        let out = render(&obj, "team-a", &[]);
        assert!(!out.contains("Spend:") && !out.contains("Budget:"), "{out}");
    }
}
