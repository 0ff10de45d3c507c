//! The termination family: ask OVH to terminate a project (it e-mails a token), read the
//! account's e-mails for that token, confirm with it. The token is parsed by
//! `ovh::parse::termination_token`.

use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;
use crate::ovh::{OvhClient, OvhError};

/// The most e-mails [`OvhClient::emails_after`] lists (each is then read, for a token).
pub const MAX_EMAILS_READ: usize = 50;

impl OvhClient {
    /// `POST /cloud/project/{serviceName}/terminate`: OVH e-mails a confirmation token. Any JSON
    /// answer is accepted: once OVH took the request, a decode error must not lead to a second POST.
    pub async fn terminate_project(&self, project_id: &str) -> Result<serde_json::Value> {
        self.post::<(), serde_json::Value>(
            Route::new("/cloud/project/{serviceName}/terminate", &[project_id]),
            None,
        )
        .await
    }

    /// `POST /cloud/project/{serviceName}/confirmTermination`; any JSON answer is accepted.
    pub async fn confirm_termination(&self, project_id: &str, token: &str) -> Result<serde_json::Value> {
        let body = ConfirmTermination {
            token: token.into(),
            reason: Some("NOT_NEEDED_ANYMORE".into()),
            future_use: None,
            commentary: None,
        };
        let route = Route::new("/cloud/project/{serviceName}/confirmTermination", &[project_id]);
        self.post(route, Some(&body)).await
    }

    /// `GET /me/notification/email/history`.
    pub async fn email_history(&self) -> Result<Vec<i64>> {
        self.get(Route::new("/me/notification/email/history", &[])).await
    }

    /// Ids of the account's e-mails newer than `after`, newest first: at most [`MAX_EMAILS_READ`]
    /// (one GET each would follow), else [`OvhError::ListTooLong`] — a part could miss the one
    /// looked for.
    pub async fn emails_after(&self, after: i64) -> Result<Vec<i64>> {
        let mut ids: Vec<i64> = self
            .email_history()
            .await?
            .into_iter()
            .filter(|id| *id > after)
            .collect();
        if ids.len() > MAX_EMAILS_READ {
            return Err(OvhError::ListTooLong {
                route: "/me/notification/email/history",
                count: ids.len(),
                max: MAX_EMAILS_READ,
                hint: "more e-mails arrived since the termination request than the operator \
                       reads for its token: find OVH's termination e-mail and set the token in \
                       the annotation publiccloud.ovh-operator.dev/termination-token",
            });
        }
        ids.sort_unstable_by(|a, b| b.cmp(a));
        Ok(ids)
    }

    /// `GET /me/notification/email/history/{id}`.
    pub async fn email(&self, id: i64) -> Result<EmailNotification> {
        self.get(Route::new(
            "/me/notification/email/history/{id}",
            &[&id.to_string()],
        ))
        .await
    }
}
