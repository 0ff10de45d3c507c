//! The project's termination: the e-mails marked, the request, the confirmation with the token.

use super::*;

mod plan;
pub(crate) use plan::*;

#[derive(Clone, Debug, PartialEq)]
pub enum TerminationAct {
    /// Status write only: the newest e-mail before termination is asked, so only later e-mails
    /// are searched for the token.
    MarkEmails {
        newest: i64,
    },
    Request {
        project_id: String,
        /// An earlier pass may have sent it (its answer or status write lost): a refusal of this
        /// one is then taken as "already requested", and its e-mail is awaited.
        again: bool,
    },
    Confirm {
        project_id: String,
        token: Sensitive,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum TerminationOutcome {
    EmailsMarked {
        newest: i64,
    },
    /// A second termination request was refused after the first one's answer was lost.
    AlreadyRequested {
        project_id: String,
        message: String,
    },
    Requested {
        project_id: String,
    },
    /// 404 or 460 on terminate: the planner decides from what this says.
    Refused {
        project_id: String,
        expired: bool,
        message: String,
    },
    Confirmed {
        project_id: String,
    },
}

impl TerminationAct {
    pub(super) async fn execute(&self, ovh: &OvhClient) -> Result<TerminationOutcome, OvhError> {
        Ok(match self {
            TerminationAct::MarkEmails { newest } => TerminationOutcome::EmailsMarked { newest: *newest },
            TerminationAct::Request { project_id, again } => {
                // 404 or 460 means nothing is left to terminate (terraform-provider-ovh
                // resource_cloud_project.go), unless the 404 is the post-delivery window: the planner
                // decides from what was seen.
                match ovh.terminate_project(project_id).await {
                    Ok(_) => TerminationOutcome::Requested {
                        project_id: project_id.clone(),
                    },
                    // A request sent again after a lost answer, refused (assumed: OVH refuses a
                    // termination already asked for; no source says): the first one is taken as
                    // sent and its e-mail awaited, rather than being stuck on the refusal.
                    Err(e)
                        if *again
                            && matches!(e.status(), Some(400 | 403 | 409))
                            && !e.is_credentials_problem() =>
                    {
                        TerminationOutcome::AlreadyRequested {
                            project_id: project_id.clone(),
                            message: e.to_string(),
                        }
                    }
                    Err(e) if e.is_not_found() || e.is_expired() => TerminationOutcome::Refused {
                        project_id: project_id.clone(),
                        expired: e.is_expired(),
                        message: e.to_string(),
                    },
                    Err(e) => return Err(e),
                }
            }
            TerminationAct::Confirm { project_id, token } => {
                match ovh.confirm_termination(project_id, &token.0).await {
                    Ok(_) => {}
                    // Gone or expired meanwhile: nothing left to confirm.
                    Err(e) if e.is_not_found() || e.is_expired() => {}
                    Err(e) => return Err(e),
                }
                TerminationOutcome::Confirmed {
                    project_id: project_id.clone(),
                }
            }
        })
    }
}

impl TerminationOutcome {
    pub(super) fn apply(
        self,
        status: &mut PublicCloudProjectStatus,
        observed: &mut Observed,
        memory: &mut Memory,
        now: Timestamp,
    ) -> Applied {
        let now = now.to_string();
        match self {
            TerminationOutcome::EmailsMarked { newest } => {
                memory.termination_begun = true;
                status.termination = Some(TerminationStatus {
                    emails_after: newest,
                    requested_at: None,
                });
                applied(
                    Reason::Terminating,
                    format!("Terminating the project; its token is looked for in e-mails after {newest}"),
                )
                .entering(Phase::Terminating, Reason::Terminating)
            }
            TerminationOutcome::AlreadyRequested { project_id, message } => {
                if let Some(t) = status.termination.as_mut() {
                    t.requested_at = Some(now);
                }
                applied(
                    Reason::TerminationRequested,
                    format!(
                        "OVH refused to terminate project {project_id} again ({message}): the earlier request, \
                     whose answer was lost, is taken as sent; waiting for its confirmation e-mail"
                    ),
                )
            }
            TerminationOutcome::Requested { project_id } => {
                if let Some(t) = status.termination.as_mut() {
                    t.requested_at = Some(now);
                }
                applied(
                    Reason::TerminationRequested,
                    format!(
                        "Asked OVH to terminate project {project_id}; waiting for the confirmation token"
                    ),
                )
            }
            TerminationOutcome::Refused {
                project_id,
                expired,
                message,
            } => {
                observed.project = Some(if expired {
                    ProjectSeen::Expired
                } else {
                    ProjectSeen::NotFound
                });
                applied(
                    Reason::TerminationRefused,
                    format!("OVH answered {message} to the termination of project {project_id}"),
                )
            }
            TerminationOutcome::Confirmed { project_id } => {
                observed.project = Some(ProjectSeen::Found {
                    status: "deleted".into(),
                    description: None,
                });
                applied(
                    Reason::ProjectTerminated,
                    format!("Confirmed the termination of project {project_id}"),
                )
            }
        }
    }
}
