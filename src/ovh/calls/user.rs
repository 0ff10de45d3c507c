//! The OpenStack user family (`/cloud/project/{serviceName}/user…`): list, create, read,
//! delete, a new password, and the openrc of a region.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /cloud/project/{serviceName}/user`: the project's OpenStack users (whole objects, so
    /// a user whose creation answer was lost is found by its description in one call).
    pub async fn users(&self, project_id: &str) -> Result<Vec<User>> {
        self.get(Route::new("/cloud/project/{serviceName}/user", &[project_id]))
            .await
    }

    /// `POST /cloud/project/{serviceName}/user`. Not idempotent, and the answer is the only place
    /// OVH shows the password: find a lost user again with [`Self::users`], and get a password
    /// again with [`Self::regenerate_password`].
    pub async fn create_user(&self, project_id: &str, creation: &ProjectUserCreation) -> Result<UserDetail> {
        self.post(
            Route::new("/cloud/project/{serviceName}/user", &[project_id]),
            Some(creation),
        )
        .await
    }

    /// `GET /cloud/project/{serviceName}/user/{userId}`.
    pub async fn user(&self, project_id: &str, user_id: i64) -> Result<User> {
        self.get(Route::new(
            "/cloud/project/{serviceName}/user/{userId}",
            &[project_id, &user_id.to_string()],
        ))
        .await
    }

    /// `DELETE /cloud/project/{serviceName}/user/{userId}`.
    pub async fn delete_user(&self, project_id: &str, user_id: i64) -> Result<()> {
        self.delete(Route::new(
            "/cloud/project/{serviceName}/user/{userId}",
            &[project_id, &user_id.to_string()],
        ))
        .await
    }

    /// `POST /cloud/project/{serviceName}/user/{userId}/regeneratePassword`: a new password (the
    /// old one stops working); terraform-provider-ovh posts it with no body.
    pub async fn regenerate_password(&self, project_id: &str, user_id: i64) -> Result<UserDetail> {
        self.post::<(), UserDetail>(
            Route::new(
                "/cloud/project/{serviceName}/user/{userId}/regeneratePassword",
                &[project_id, &user_id.to_string()],
            ),
            None,
        )
        .await
    }

    /// `GET /cloud/project/{serviceName}/user/{userId}/openrc?region=&version=v3`.
    pub async fn openrc(&self, project_id: &str, user_id: i64, region: &str) -> Result<Openrc> {
        self.get(
            Route::new(
                "/cloud/project/{serviceName}/user/{userId}/openrc",
                &[project_id, &user_id.to_string()],
            )
            .query("region", region)
            .query("version", "v3"),
        )
        .await
    }
}
