//! The account family: who the account is (`GET /me`), read for its subsidiary when a resource
//! names none.

use crate::ovh::OvhClient;
use crate::ovh::error::Result;
use crate::ovh::model::*;
use crate::ovh::routes::Route;

impl OvhClient {
    /// `GET /me`.
    pub async fn me(&self) -> Result<Me> {
        self.get(Route::new("/me", &[])).await
    }
}
