//! The `PublicCloudProject` resource: what a user asks for (spec) and what the operator reports
//! (status, in `status.rs`). Every doc comment here is what `kubectl explain` shows, so they speak
//! to users.

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::{
    CustomResourceDefinition, JSONSchemaProps,
};
use kube::{CustomResource, CustomResourceExt, KubeSchema};
use serde::{Deserialize, Serialize};

mod day_two;
mod parts;
mod status;

pub use day_two::*;
pub use parts::*;
pub use status::*;

/// Finalizer that keeps a resource until its cart or project has been dealt with.
pub const FINALIZER: &str = "publiccloud.ovh-operator.dev/cleanup";
/// Field manager for every write the operator makes.
pub const FIELD_MANAGER: &str = "ovh-publiccloud-operator";
/// Annotation whose value (a cart id) approves the order of that cart when `approval: Manual`.
pub const APPROVE_ANNOTATION: &str = "publiccloud.ovh-operator.dev/approve";
/// Annotation naming the order a lost checkout created, when the operator could not identify it.
pub const ORDER_ID_ANNOTATION: &str = "publiccloud.ovh-operator.dev/order-id";
/// Annotation carrying the termination token a person received by e-mail.
pub const TERMINATION_TOKEN_ANNOTATION: &str = "publiccloud.ovh-operator.dev/termination-token";
/// `"true"`: the operator makes no OVH call for this resource until the annotation goes.
pub const PAUSED_ANNOTATION: &str = "publiccloud.ovh-operator.dev/paused";
/// Who approved: stamped at admission by the chart's MutatingAdmissionPolicy when the approve
/// annotation is set (never trusted from anyone else: the ValidatingAdmissionPolicy guards it).
pub const APPROVED_BY_ANNOTATION: &str = "publiccloud.ovh-operator.dev/approved-by";

/// CEL guard shared by the immutability rules: true once something may have been bought, i.e. an
/// order id is recorded or a checkout was started and its outcome may still be unknown
/// (CheckingOut, or NeedsAttention because a checkout's answer was lost: the Ready reason says
/// which NeedsAttention).
const ORDER_STARTED: &str = "has(oldSelf.status) && (has(oldSelf.status.order) || \
     (has(oldSelf.status.phase) && (oldSelf.status.phase == 'CheckingOut' || \
     (oldSelf.status.phase == 'NeedsAttention' && has(oldSelf.status.conditions) && \
     oldSelf.status.conditions.exists(c, c.type == 'Ready' && c.reason == 'NeedsAttention')))))";

/// An OVHcloud Public Cloud project, ordered through the OVH order API (cart, item, configuration,
/// checkout) and followed until delivered; or an existing project adopted by its id.
#[derive(CustomResource, KubeSchema, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[kube(
    group = "publiccloud.ovh-operator.dev",
    version = "v1alpha1",
    kind = "PublicCloudProject",
    plural = "publiccloudprojects",
    shortname = "pcp",
    category = "ovh",
    namespaced,
    status = "PublicCloudProjectStatus",
    doc = "An OVHcloud Public Cloud project ordered (or adopted) declaratively.",
    printcolumn(name = "Phase", type_ = "string", json_path = ".status.phase", description = "Where the order stands"),
    printcolumn(name = "Order", type_ = "string", json_path = ".status.order.id", description = "OVH order id"),
    printcolumn(name = "Price", type_ = "string", json_path = ".status.price.withTax", description = "Previewed price with tax"),
    printcolumn(name = "Project", type_ = "string", json_path = ".status.projectId", description = "Delivered or adopted project id"),
    printcolumn(name = "Spend", type_ = "string", json_path = ".status.spend.current", description = "Spent this month (status.spend.currency)"),
    printcolumn(name = "Ready", type_ = "string", json_path = ".status.conditions[?(@.type==\"Ready\")].status", description = "Ready condition"),
    printcolumn(name = "URL", type_ = "string", json_path = ".status.order.url", description = "Where a person pays the order", priority = 1),
    printcolumn(name = "Age", type_ = "date", json_path = ".metadata.creationTimestamp"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || self.spec.plan == oldSelf.spec.plan"))
        .message("spec.plan cannot change once an order exists; create a new PublicCloudProject to order another project")
        .field_path(".spec.plan"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(self.spec.ovhSubsidiary) == has(oldSelf.spec.ovhSubsidiary) && (!has(self.spec.ovhSubsidiary) || self.spec.ovhSubsidiary == oldSelf.spec.ovhSubsidiary))"))
        .message("spec.ovhSubsidiary cannot change once an order exists")
        .field_path(".spec.ovhSubsidiary"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(self.spec.configurations) ? self.spec.configurations : []) == (has(oldSelf.spec.configurations) ? oldSelf.spec.configurations : [])"))
        .message("spec.configurations cannot change once an order exists")
        .field_path(".spec.configurations"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(self.spec.voucher) ? self.spec.voucher : '') == (has(oldSelf.spec.voucher) ? oldSelf.spec.voucher : '')"))
        .message("spec.voucher cannot change once an order exists")
        .field_path(".spec.voucher"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(oldSelf.status.projectId) && oldSelf.status.projectId != '') || self.spec.description == oldSelf.spec.description"))
        .message("spec.description cannot change between checkout and delivery: the ordered project's name is fixed until OVH delivers it; once status.projectId is set, a change renames the project")
        .field_path(".spec.description"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(self.spec.options) ? self.spec.options : []) == (has(oldSelf.spec.options) ? oldSelf.spec.options : [])"))
        .message("spec.options cannot change once an order exists; create a new PublicCloudProject to order another project")
        .field_path(".spec.options"),
    validation = Rule::new(format!("!(({ORDER_STARTED}) || (has(oldSelf.status) && has(oldSelf.status.projectId) && oldSelf.status.projectId != '')) || (has(self.spec.credentialsSecretRef) == has(oldSelf.spec.credentialsSecretRef) && (!has(self.spec.credentialsSecretRef) || self.spec.credentialsSecretRef == oldSelf.spec.credentialsSecretRef))"))
        .message("spec.credentialsSecretRef cannot change once an order exists or a project is recorded: another account would not know the order or project (and a Terminate would release a project that stays billed); rotate the keys inside the same Secret instead")
        .field_path(".spec.credentialsSecretRef"),
    validation = Rule::new(format!("!({ORDER_STARTED}) || (has(self.spec.projectId) ? self.spec.projectId : '') == (has(oldSelf.spec.projectId) ? oldSelf.spec.projectId : '')"))
        .message("spec.projectId cannot be set once an order exists; the ordered project's id appears in status.projectId")
        .field_path(".spec.projectId"),
)]
#[x_kube(validation = Rule::new("!has(self.openstackUser) || has(self.writeOutputsTo)")
    .message("spec.openstackUser needs spec.writeOutputsTo: OVH shows the user's password once, and it is written only there")
    .field_path(".openstackUser"))]
#[x_kube(validation = Rule::new(
    "!has(self.options) || size(self.options) == 0 || !has(self.projectId) || self.projectId == ''"
).message("spec.options cannot be set with spec.projectId: options are ordered with a new project, and an adopted project is not ordered").field_path(".options"))]
#[x_kube(validation = Rule::new(
    "!has(oldSelf.projectId) || oldSelf.projectId == '' || (has(self.projectId) && self.projectId == oldSelf.projectId)"
).message("spec.projectId cannot change or be removed once set").field_path(".projectId"))]
#[serde(rename_all = "camelCase")]
pub struct PublicCloudProjectSpec {
    /// The project's name in OVHcloud (sent as the item configuration label `description`).
    /// Before the order a change reconfigures the cart; once the project is delivered or adopted
    /// (status.projectId), a change renames it (`PUT /cloud/project/{id}`); between checkout and
    /// delivery it cannot change.
    #[schemars(length(min = 1, max = 255))]
    #[x_kube(
        validation = Rule::new("self.trim() != ''").message("spec.description must not be blank"),
        validation = Rule::new(r"!self.matches('[\\x00-\\x1f\\x7f-\\x9f]')")
            .message("spec.description must not contain control characters (newlines, tabs, escapes): it is the project's name"),
    )]
    pub description: String,

    /// OVH subsidiary the cart is created for. Optional: when empty the operator reads it from the
    /// account (`GET /me`). EU API: CZ DE ES EU FI FR GB IE IT LT MA NL PL PT SN TN; CA API: ASIA
    /// AU CA IN QC SG WE WS; US API: US.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ovh_subsidiary: Option<OvhSubsidiary>,

    /// What is ordered. The defaults order a monthly Public Cloud project.
    #[serde(default)]
    pub plan: Plan,

    /// Extra item configurations, posted in this order after `description` and `voucher` (for
    /// example `infrastructure: production` or `vrack: pn-12345`). Use spec.description and
    /// spec.voucher rather than these labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 16))]
    #[x_kube(
        validation = Rule::new("self.all(c, c.label != 'description' && c.label != 'voucher')")
            .message("use spec.description and spec.voucher instead of the configuration labels 'description' and 'voucher'"),
        validation = Rule::new("self.all(c, self.exists_one(d, d.label == c.label))")
            .message("spec.configurations names a label twice: an item carries one value per label, so one would be dropped"),
    )]
    pub configurations: Vec<ItemConfiguration>,

    /// Options of the project item, such as the HDS certification `certification.hds.2018`
    /// (`certification.hds` on the US API), added to the cart with the item as terraform's
    /// `plan_option` does and priced with it. Cannot change once an order exists, nor be set
    /// with spec.projectId (an adopted project is not ordered; with spec.onExisting: Adopt they
    /// are not added to the adopted project either).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(length(max = 8))]
    #[x_kube(validation = Rule::new("self.all(o, self.exists_one(p, p.planCode == o.planCode))")
        .message("spec.options names an option twice"))]
    pub options: Vec<PlanOption>,

    /// Voucher code applied to the project (item configuration label `voucher`). Empty: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 64), regex(pattern = r"^[A-Za-z0-9_-]*$"))]
    pub voucher: Option<String>,

    /// Secret in this namespace holding OVH API credentials: `endpoint` (ovh-eu, ovh-ca, ovh-us or
    /// a base URL) and either `application_key`, `application_secret`, `consumer_key` or
    /// `client_id`, `client_secret`. Empty: the operator's `--default-credentials`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials_secret_ref: Option<SecretReference>,

    /// Automatic: check out as soon as the cart is priced. Manual: stop at AwaitingApproval with
    /// the price in status until the annotation `publiccloud.ovh-operator.dev/approve` holds the
    /// cart id shown in status.cart.id.
    #[serde(default)]
    pub approval: Approval,

    /// Manual: a person pays the order at status.order.url. Automatic: OVH charges the account's
    /// default payment method (a 0-price order is paid with the fidelity account).
    #[serde(default)]
    pub payment: Payment,

    /// What deleting this resource does to the project. Orphan: nothing, the project stays.
    /// Terminate: the project is terminated at OVH (confirmed with the e-mailed token).
    #[serde(default)]
    pub deletion_policy: DeletionPolicy,

    /// Highest price (with tax, in the account's currency, e.g. "25.00") ordered without a person's
    /// approval: a priced cart above it waits in AwaitingApproval even with approval: Automatic.
    /// The operator's --max-price caps every resource the same way.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9]{1,9}(\.[0-9]{1,2})?$"))]
    pub max_price: Option<String>,

    /// What to do when the account already has a project with this description (e.g. the same
    /// manifest applied to a second or rebuilt cluster): Stop (default: NeedsAttention, naming the
    /// project and how to adopt it), Adopt (follow that project instead of ordering), Order (order
    /// another one anyway).
    #[serde(default)]
    pub on_existing: OnExisting,

    /// Id of an existing project to adopt instead of ordering one (32 hex characters). Cannot
    /// change once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"^[0-9a-f]{32}$"))]
    pub project_id: Option<String>,

    /// Name of a Secret in this namespace that the operator writes once the project is Ready, for
    /// the tools that use the project (Terraform, OpenStack clients): `projectId`, `orderId`,
    /// `endpoint` (the OVH API), `OS_AUTH_URL` and, with spec.openstackUser, that user's `OS_*`
    /// variables and a `clouds.yaml`. The Secret is owned by this resource (deleted with it) and
    /// made again if deleted. A Secret of that name not written by the operator is left alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    )]
    pub write_outputs_to: Option<String>,

    /// An OpenStack user the operator creates in the project (`POST
    /// /cloud/project/{id}/user`), whose credentials go to spec.writeOutputsTo. Exactly one user
    /// per resource: OVH shows its password once, so a lost password is regenerated, never a
    /// second user created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub openstack_user: Option<OpenstackUser>,

    /// A budget alert OVH sends by e-mail when the project's monthly spend passes a threshold
    /// (made once the project is ok; removing it deletes the alert).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub budget: Option<Budget>,

    /// Regions the project uses, e.g. GRA11 (`POST /cloud/project/{id}/region`), checked against
    /// the regions OVH offers the project. Add-only: OVH has no way to remove a region, so one
    /// taken out of this list stays active.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(
        length(max = 32),
        inner(regex(pattern = r"^[A-Z0-9][A-Z0-9-]{1,31}$")),
        extend("x-kubernetes-list-type" = "set")
    )]
    pub regions: Vec<String>,

    /// The project's quota policy. Omitted: left as OVH has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quota: Option<QuotaPolicy>,
}

/// The CRD, with doc-comment line breaks turned into spaces so that `kubectl explain` can wrap the
/// text itself (a blank line still separates paragraphs).
pub fn crd() -> CustomResourceDefinition {
    fn unwrap_descriptions(schema: &mut JSONSchemaProps) {
        if let Some(d) = schema.description.as_mut() {
            *d = d
                .split("\n\n")
                .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect::<Vec<_>>()
                .join("\n\n");
        }
        for child in schema.properties.iter_mut().flat_map(|p| p.values_mut()) {
            unwrap_descriptions(child);
        }
        if let Some(k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::JSONSchemaPropsOrArray::Schema(items)) = schema.items.as_mut() {
            unwrap_descriptions(items);
        }
    }
    let mut crd = PublicCloudProject::crd();
    for version in &mut crd.spec.versions {
        if let Some(schema) = version
            .schema
            .as_mut()
            .and_then(|s| s.open_api_v3_schema.as_mut())
        {
            unwrap_descriptions(schema);
        }
    }
    crd
}
