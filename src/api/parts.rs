//! The parts of the spec: the plan and its options, item configurations, the OpenStack user, the
//! Secret reference and the policies (approval, payment, existing projects, deletion). Every doc
//! comment here is what `kubectl explain` shows.

use kube::KubeSchema;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The OpenStack user of a project (`cloud.ProjectUserCreation`).
#[derive(Serialize, Deserialize, KubeSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct OpenstackUser {
    /// The user's role in the project (OVH's `cloud.user.RoleEnum`).
    pub role: UserRole,

    /// The user's description at OVH; the operator appends its marker
    /// `ovh-publiccloud-operator:<resource UID>`, by which it finds its user again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 128))]
    #[x_kube(validation = Rule::new(r"!self.matches('[\\x00-\\x1f\\x7f-\\x9f]')")
        .message("spec.openstackUser.description must not contain control characters"))]
    pub description: Option<String>,

    /// OpenStack region written as `OS_REGION_NAME` and `region_name` (e.g. GRA11). Omitted:
    /// none is written and clients name the region themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 32), regex(pattern = r"^[A-Za-z0-9-]+$"))]
    pub region: Option<String>,

    /// Delete the user at OVH when this resource is deleted with deletionPolicy: Orphan (the
    /// project stays; its other users are untouched). With Terminate the user always goes with
    /// the project.
    #[serde(default)]
    pub delete_on_orphan: bool,
}

/// An OpenStack role of a Public Cloud user (`cloud.user.RoleEnum`).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserRole {
    #[serde(rename = "administrator")]
    Administrator,
    #[serde(rename = "ai_training_operator")]
    AiTrainingOperator,
    #[serde(rename = "ai_training_read")]
    AiTrainingRead,
    #[serde(rename = "authentication")]
    Authentication,
    #[serde(rename = "backup_operator")]
    BackupOperator,
    #[serde(rename = "compute_operator")]
    ComputeOperator,
    #[serde(rename = "image_operator")]
    ImageOperator,
    #[serde(rename = "infrastructure_supervisor")]
    InfrastructureSupervisor,
    #[serde(rename = "key-manager_operator")]
    KeyManagerOperator,
    #[serde(rename = "key-manager_read")]
    KeyManagerRead,
    #[serde(rename = "load-balancer_operator")]
    LoadBalancerOperator,
    #[serde(rename = "network_operator")]
    NetworkOperator,
    #[serde(rename = "network_security_operator")]
    NetworkSecurityOperator,
    #[serde(rename = "objectstore_operator")]
    ObjectstoreOperator,
    #[serde(rename = "quantum_operator")]
    QuantumOperator,
    #[serde(rename = "quantum_reader")]
    QuantumReader,
    #[serde(rename = "share_operator")]
    ShareOperator,
    #[serde(rename = "volume_operator")]
    VolumeOperator,
}

impl UserRole {
    /// OVH's name of the role.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default()
    }
}

/// OVH subsidiary (`nichandle.OvhSubsidiaryEnum`).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::upper_case_acronyms)]
pub enum OvhSubsidiary {
    CZ,
    DE,
    ES,
    EU,
    FI,
    FR,
    GB,
    IE,
    IT,
    LT,
    MA,
    NL,
    PL,
    PT,
    SN,
    TN,
    ASIA,
    AU,
    CA,
    IN,
    QC,
    SG,
    WE,
    WS,
    US,
}

impl OvhSubsidiary {
    /// OVH's code for it (`FR`, `US`, …): the variants are named after the codes.
    pub fn code(self) -> String {
        format!("{self:?}")
    }
}

/// The OVH offer: plan code, duration and pricing mode of the cart item.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// OVH plan code. Omitted: project.2018 on the EU and CA APIs, project on the US API
    /// (terraform-provider-ovh PR #455); the operator resolves it and shows it in status.planCode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub plan_code: Option<String>,

    /// Billing period as an ISO-8601 duration such as P1M or P1Y.
    #[serde(default = "default_duration")]
    #[schemars(length(min = 3, max = 16), regex(pattern = r"^P([0-9]+[YMWD])+$"))]
    pub duration: String,

    /// OVH pricing mode; Public Cloud projects use `default`.
    #[serde(default = "default_pricing_mode")]
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub pricing_mode: String,
}

impl Default for Plan {
    fn default() -> Self {
        Self {
            plan_code: None,
            duration: default_duration(),
            pricing_mode: default_pricing_mode(),
        }
    }
}

fn default_duration() -> String {
    "P1M".into()
}
fn default_pricing_mode() -> String {
    "default".into()
}

/// An option of the project item (`order.cart.GenericOptionCreation`, posted with the item's id).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PlanOption {
    /// The option's plan code, one of those OVH offers for the plan
    /// (`GET /order/cart/{cartId}/cloud/options?planCode=…`), e.g. certification.hds.2018.
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub plan_code: String,

    /// Billing period as an ISO-8601 duration. Omitted: spec.plan.duration.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 3, max = 16), regex(pattern = r"^P([0-9]+[YMWD])+$"))]
    pub duration: Option<String>,

    /// OVH pricing mode. Omitted: spec.plan.pricingMode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"))]
    pub pricing_mode: Option<String>,
}

/// One OVH cart item configuration (`order.cart.ItemConfigurationCreation`).
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct ItemConfiguration {
    /// Configuration label, e.g. infrastructure or vrack.
    #[schemars(length(min = 1, max = 64), regex(pattern = r"^[A-Za-z][A-Za-z0-9_.-]*$"))]
    pub label: String,
    /// Configuration value.
    #[schemars(length(min = 1, max = 1024))]
    pub value: String,
}

/// A Secret in the resource's own namespace.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Debug, PartialEq)]
pub struct SecretReference {
    /// Name of the Secret.
    #[schemars(
        length(min = 1, max = 253),
        regex(pattern = r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
    )]
    pub name: String,
}

/// Whether a person must approve the priced cart before checkout.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Approval {
    #[default]
    Automatic,
    Manual,
}

/// Who pays the order.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Payment {
    #[default]
    Manual,
    Automatic,
}

/// What to do when a project with the same description already exists.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnExisting {
    #[default]
    Stop,
    Adopt,
    Order,
}

/// What happens to the OVH project when the resource is deleted.
#[derive(Serialize, Deserialize, JsonSchema, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeletionPolicy {
    #[default]
    Orphan,
    Terminate,
}
