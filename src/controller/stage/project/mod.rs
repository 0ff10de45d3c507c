//! The delivered (or adopted) project: its id held by this resource, its status, its name.

use super::*;

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum ProjectAct {
    /// Status write only (the account's cached project list is dropped): the resource's project.
    RecordId {
        project_id: String,
        /// Delivered by this resource's order under this name (spec.description, fixed from
        /// checkout to delivery); None: adopted.
        delivered_as: Option<String>,
    },
    /// Status write only: forget a project id this status recorded that another resource holds
    /// (recorded before the one-holder rule): nothing more is done with that project here.
    DropHeld,
    RecordStatus {
        status: String,
    },
    /// Status write only: spec.description as status.projectDescription when the project is first
    /// seen ok without one (adopted, or followed before the field existed): the base a later spec
    /// change is told from. Never a PUT: adopting a project keeps its name.
    RecordDescription(String),
    /// `PUT /cloud/project/{serviceName}` `{description}`: spec.description differs from
    /// status.projectDescription (it changed since delivery or adoption), as terraform's update does.
    Rename {
        project_id: String,
        /// The name OVH shows now.
        from: Option<String>,
        to: String,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ProjectOutcome {
    Named {
        project_id: String,
        /// Delivered by this resource's order (not adopted): the 404 window starts now.
        delivered: bool,
        /// spec.description when delivered: the ordered name (fixed from checkout to delivery),
        /// recorded as status.projectDescription.
        ordered_name: Option<String>,
    },
    /// Another resource holds the project this status recorded.
    HeldDropped,
    StatusSeen(String),
    DescriptionRecorded(String),
    Renamed {
        project_id: String,
        from: Option<String>,
        to: String,
    },
}

impl ProjectAct {
    /// Whether it only writes the status (see [`Act::status_only`]).
    pub(super) fn status_only(&self) -> bool {
        matches!(
            self,
            ProjectAct::RecordId { .. } | ProjectAct::DropHeld | ProjectAct::RecordStatus { .. }
        )
    }

    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<ProjectOutcome, OvhError> {
        Ok(match self {
            ProjectAct::RecordId {
                project_id,
                delivered_as,
            } => {
                // The account's project list changed: the next "does it exist?" check reads it again.
                ovh.forget_project_list().await;
                ProjectOutcome::Named {
                    project_id: project_id.clone(),
                    delivered: delivered_as.is_some(),
                    ordered_name: delivered_as.clone(),
                }
            }
            ProjectAct::DropHeld => ProjectOutcome::HeldDropped,
            ProjectAct::RecordStatus { status: s } => ProjectOutcome::StatusSeen(s.clone()),
            ProjectAct::RecordDescription(name) => ProjectOutcome::DescriptionRecorded(name.clone()),
            ProjectAct::Rename { project_id, from, to } => {
                ovh.rename_project(project_id, to).await?;
                ProjectOutcome::Renamed {
                    project_id: project_id.clone(),
                    from: from.clone(),
                    to: to.clone(),
                }
            }
        })
    }
}

impl ProjectOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        now: Timestamp,
    ) -> Applied {
        let now = now.to_string();
        match self {
            ProjectOutcome::Named {
                project_id,
                delivered,
                ordered_name,
            } => {
                status.project_id = Some(project_id.clone());
                status.project_status = None;
                if delivered {
                    status.delivered_at = Some(now);
                }
                if ordered_name.is_some() {
                    status.project_description = ordered_name;
                }
                applied(Reason::ProjectDelivered, format!("Project {project_id}"))
            }
            ProjectOutcome::HeldDropped => {
                let id = status.project_id.take().unwrap_or_default();
                status.project_status = None;
                status.project_description = None;
                status.delivered_at = None;
                applied(
                    Reason::ProjectReleased,
                    format!(
                        "Project {id} is held by another PublicCloudProject: forgotten here, nothing done at OVH"
                    ),
                )
            }
            ProjectOutcome::StatusSeen(s) => {
                status.project_status = Some(s.clone());
                let id = status.project_id.as_deref().unwrap_or_default();
                applied(Reason::ProjectStatus, format!("Project {id} is {s}"))
            }
            ProjectOutcome::DescriptionRecorded(name) => {
                status.project_description = Some(name.clone());
                let id = status.project_id.as_deref().unwrap_or_default();
                applied(
                    Reason::ProjectStatus,
                    format!(
                        "Project {id} keeps its name; a change of spec.description from {name:?} renames it"
                    ),
                )
            }
            ProjectOutcome::Renamed { project_id, from, to } => {
                status.project_description = Some(to.clone());
                if let Some(ProjectSeen::Found { description, .. }) = observed.project.as_mut() {
                    *description = Some(to.clone());
                }
                let from = from.map(|f| format!(" from {f:?}")).unwrap_or_default();
                applied(
                    Reason::ProjectRenamed,
                    format!("Renamed project {project_id}{from} to {to:?} (spec.description)"),
                )
            }
        }
    }
}
