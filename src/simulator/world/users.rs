//! OpenStack users of a project (`/cloud/project/{serviceName}/user…`), as terraform-provider-ovh
//! `ovh/resource_cloud_project_user.go` calls them: `POST …/user` `{description, role, roles}`
//! answers a `cloud.user.UserDetail` whose `password` OVH shows only there (tf sets it "only at
//! creation time"), then tf polls `GET …/user/{id}` from `creating` to `ok`; `GET
//! …/user/{id}/openrc?region=` answers `{content}` with `export OS_…=` lines (tf parses
//! OS_AUTH_URL, OS_TENANT_ID, OS_TENANT_NAME, OS_USERNAME with regexes); `POST
//! …/regeneratePassword` (no body) answers a UserDetail with a new password; `DELETE …/user/{id}`
//! then tf polls until 404.

use std::time::{Duration, Instant};

use super::*;

impl World {
    fn user_of(&mut self, project_id: &str, user_id: i64) -> SimResult<&mut SimUser> {
        self.visible_project(project_id)?;
        match self.users.get_mut(&user_id) {
            Some(u) if u.project_id == project_id && !u.deleted => Ok(u),
            _ => Err(SimError::not_found("userId", user_id)),
        }
    }

    fn user_model(u: &SimUser) -> User {
        let status = if Instant::now() >= u.ok_at {
            "ok"
        } else {
            "creating"
        };
        User {
            id: u.id,
            creation_date: datetime(u.created),
            description: u.description.clone(),
            openstack_id: Some(format!("{:032x}", u.id)),
            roles: vec![Role {
                description: format!("{} role (simulated)", u.role),
                id: format!("role-{}", u.role),
                name: u.role.clone(),
                permissions: vec![],
            }],
            status: status.into(),
            username: u.username.clone(),
        }
    }

    /// `GET /cloud/project/{serviceName}/user` → `cloud.user.User[]` (schema), deleted users
    /// left out (assumed: tf polls a deleted user until 404).
    pub fn users(&mut self, project_id: &str) -> SimResult<Vec<User>> {
        self.visible_project(project_id)?;
        Ok(self
            .users
            .values()
            .filter(|u| u.project_id == project_id && !u.deleted)
            .map(Self::user_model)
            .collect())
    }

    /// `POST /cloud/project/{serviceName}/user` (`cloud.ProjectUserCreation`: description, role,
    /// roles from `cloud.user.RoleEnum`; the schema's validation of the enum refuses others with
    /// 400, message assumed). The user name `user-` + 12 alphanumerics is assumed.
    pub fn create_user(&mut self, project_id: &str, body: ProjectUserCreation) -> SimResult<UserDetail> {
        const ROLES: &[&str] = &[
            "administrator",
            "ai_training_operator",
            "ai_training_read",
            "authentication",
            "backup_operator",
            "compute_operator",
            "image_operator",
            "infrastructure_supervisor",
            "key-manager_operator",
            "key-manager_read",
            "load-balancer_operator",
            "network_operator",
            "network_security_operator",
            "objectstore_operator",
            "quantum_operator",
            "quantum_reader",
            "share_operator",
            "volume_operator",
        ];
        self.visible_project(project_id)?;
        let role = body
            .role
            .clone()
            .or_else(|| body.roles.first().cloned())
            .unwrap_or_else(|| "administrator".into());
        for r in body.role.iter().chain(&body.roles) {
            if !ROLES.contains(&r.as_str()) {
                return Err(SimError::bad_request(format!(
                    "Invalid value for role: {r} is not a cloud.user.RoleEnum"
                )));
            }
        }
        let id = self.next_id(500_000);
        let username = format!("user-{}", self.random_hex(12));
        let password = self.random_hex(32);
        let user = SimUser {
            id,
            project_id: project_id.into(),
            description: body.description.unwrap_or_default(),
            username,
            password: password.clone(),
            role,
            created: now(),
            ok_at: Instant::now() + Duration::from_millis(self.cfg.user_creation_ms),
            deleted: false,
            passwords_issued: 1,
            passwords: vec![password.clone()],
        };
        let model = Self::user_model(&user);
        self.users.insert(id, user);
        Ok(UserDetail {
            user: model,
            password,
        })
    }

    /// `GET /cloud/project/{serviceName}/user/{userId}` → `cloud.user.User`.
    pub fn user(&mut self, project_id: &str, user_id: i64) -> SimResult<User> {
        let u = self.user_of(project_id, user_id)?;
        Ok(Self::user_model(u))
    }

    /// `DELETE /cloud/project/{serviceName}/user/{userId}`: the user is gone at once (tf then
    /// sees 404; the `deleting` step is skipped, assumed).
    pub fn delete_user(&mut self, project_id: &str, user_id: i64) -> SimResult<()> {
        self.user_of(project_id, user_id)?.deleted = true;
        Ok(())
    }

    /// `POST …/user/{userId}/regeneratePassword` → `cloud.user.UserDetail` with a new password;
    /// the old one no longer works (assumed).
    pub fn regenerate_password(&mut self, project_id: &str, user_id: i64) -> SimResult<UserDetail> {
        let password = self.random_hex(32);
        let u = self.user_of(project_id, user_id)?;
        u.password = password.clone();
        u.passwords_issued += 1;
        u.passwords.push(password.clone());
        Ok(UserDetail {
            user: Self::user_model(u),
            password,
        })
    }

    /// `GET …/user/{userId}/openrc?region=&version=` → `cloud.user.Openrc`. The script follows
    /// OVH's openrc files: the four variables tf parses plus, for `v3` (the default assumed), the
    /// identity version and domains; the password is asked for, never written. A user still
    /// `creating` has no Keystone account yet: 400 (assumed; tf waits for `ok` before reading).
    pub fn openrc(
        &mut self,
        project_id: &str,
        user_id: i64,
        region: &str,
        version: Option<&str>,
    ) -> SimResult<Openrc> {
        let auth = if self.us() {
            "https://auth.cloud.ovh.us"
        } else {
            "https://auth.cloud.ovh.net"
        };
        let u = self.user_of(project_id, user_id)?.clone();
        if Instant::now() < u.ok_at {
            return Err(SimError::bad_request("User is not ready yet"));
        }
        let tenant_name = format!("{:016}", u.id);
        let content = match version.unwrap_or("v3") {
            "v2.0" => format!(
                "#!/bin/bash\nexport OS_AUTH_URL={auth}/v2.0/\nexport OS_TENANT_ID={project_id}\n\
                 export OS_TENANT_NAME=\"{tenant_name}\"\nexport OS_USERNAME=\"{}\"\n\
                 echo \"Please enter your OpenStack Password: \"\nread -sr OS_PASSWORD_INPUT\n\
                 export OS_PASSWORD=$OS_PASSWORD_INPUT\nexport OS_REGION_NAME=\"{region}\"\n",
                u.username
            ),
            "v3" => format!(
                "#!/bin/bash\nexport OS_AUTH_URL={auth}/v3\nexport OS_IDENTITY_API_VERSION=3\n\n\
                 export OS_USER_DOMAIN_NAME=${{OS_USER_DOMAIN_NAME:-\"Default\"}}\n\
                 export OS_PROJECT_DOMAIN_NAME=${{OS_PROJECT_DOMAIN_NAME:-\"Default\"}}\n\n\
                 export OS_TENANT_ID={project_id}\nexport OS_TENANT_NAME=\"{tenant_name}\"\n\
                 export OS_USERNAME=\"{}\"\n\
                 echo \"Please enter your OpenStack Password: \"\nread -sr OS_PASSWORD_INPUT\n\
                 export OS_PASSWORD=$OS_PASSWORD_INPUT\n\nexport OS_REGION_NAME=\"{region}\"\n\
                 if [ -z \"$OS_REGION_NAME\" ]; then unset OS_REGION_NAME; fi\n",
                u.username
            ),
            other => {
                return Err(SimError::bad_request(format!(
                    "Invalid value for version: {other} is not a cloud.user.OpenrcVersionEnum"
                )));
            }
        };
        Ok(Openrc { content })
    }
}
