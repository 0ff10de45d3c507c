//! The disposition table.

use super::*;
use Disposition::*;

fn api(status: u16, error_code: Option<&str>) -> OvhError {
    OvhError::Api(Box::new(ApiError {
        method: "GET".into(),
        route: "/me",
        status,
        class: None,
        error_code: error_code.map(str::to_string),
        message: "m".into(),
        query_id: None,
        retry_after: None,
    }))
}

fn oauth2(status: Option<u16>) -> OvhError {
    OvhError::OAuth2 {
        token_url: "https://example.com/token".into(),
        status,
        reason: "r".into(),
    }
}

/// Each error has `disposition` and `category`, and the `is_*` methods agree with it.
#[track_caller]
fn check<const N: usize>(cases: [(OvhError, Disposition, &str); N]) {
    for (error, disposition, category) in cases {
        assert_eq!(
            (error.disposition(), error.category()),
            (disposition, category),
            "{error:?}"
        );
        assert_eq!(error.is_transient(), disposition == Transient, "{error:?}");
        assert_eq!(
            error.is_credentials_problem(),
            disposition == Credentials,
            "{error:?}"
        );
        assert_eq!(error.is_not_found(), disposition == NotFound, "{error:?}");
        assert_eq!(error.is_expired(), disposition == Expired, "{error:?}");
    }
}

/// OVH's answers: each status, with or without an authentication `errorCode`.
#[test]
fn every_answer_of_ovh_has_one_disposition() {
    check([
        (api(400, None), Refused, "OvhBadRequest"),
        (api(400, Some("INVALID_SIGNATURE")), Credentials, "OvhBadRequest"),
        (api(400, Some("QUERY_TIME_OUT")), Refused, "OvhBadRequest"),
        (api(401, None), Credentials, "OvhForbidden"),
        (api(403, None), Refused, "OvhForbidden"),
        (api(403, Some("NOT_GRANTED_CALL")), Credentials, "OvhForbidden"),
        (api(403, Some("INVALID_KEY")), Credentials, "OvhForbidden"),
        (api(404, None), NotFound, "OvhNotFound"),
        (api(405, None), Refused, "OvhError"),
        (api(409, None), Indeterminate, "OvhConflict"),
        (api(422, None), Indeterminate, "OvhError"),
        (api(429, None), Transient, "OvhRateLimited"),
        (api(460, None), Expired, "OvhServiceExpired"),
        (api(500, None), Transient, "OvhServerError"),
        (api(503, None), Transient, "OvhServerError"),
    ]);
}

/// The errors that are not OVH's answers: transport, decoding, the token endpoint, configuration.
#[test]
fn every_other_error_has_one_disposition() {
    check([
        (
            OvhError::Timeout {
                method: "GET".into(),
                route: "/me",
                seconds: 1,
            },
            Transient,
            "OvhTimeout",
        ),
        (
            OvhError::Transport {
                method: "GET".into(),
                route: "/me",
                reason: "reset".into(),
            },
            Transient,
            "OvhUnreachable",
        ),
        (
            OvhError::Decode {
                method: "GET".into(),
                route: "/me",
                expected: "Me",
                reason: "r".into(),
            },
            Indeterminate,
            "OvhInvalidResponse",
        ),
        (
            OvhError::Redirected {
                method: "GET".into(),
                route: "/me",
                status: 302,
            },
            Credentials,
            "OvhRedirected",
        ),
        (
            OvhError::ListTooLong {
                route: "/me/order",
                count: 101,
                max: 100,
                hint: "h",
            },
            Refused,
            "OvhListTooLong",
        ),
        (oauth2(Some(400)), Credentials, "OvhOAuth2Failed"),
        (oauth2(Some(401)), Credentials, "OvhOAuth2Failed"),
        (oauth2(Some(403)), Credentials, "OvhOAuth2Failed"),
        (oauth2(Some(404)), Indeterminate, "OvhOAuth2Failed"),
        (oauth2(Some(503)), Indeterminate, "OvhOAuth2Failed"),
        (oauth2(None), Indeterminate, "OvhOAuth2Failed"),
        (OvhError::Config("c".into()), Credentials, "OvhCredentialsInvalid"),
    ]);
}

#[test]
fn final_refusals_are_the_refused_the_expired_and_bad_credentials() {
    let finals: Vec<Disposition> = [Transient, Indeterminate, Refused, Credentials, NotFound, Expired]
        .into_iter()
        .filter(|d| d.is_final())
        .collect();
    assert_eq!(finals, [Refused, Credentials, Expired]);
}

/// The statuses the controller has held final so far (`400 | 403 | 405 | 460` once the
/// credentials are ruled out) are exactly the final dispositions of an API error.
#[test]
fn the_final_statuses_are_those_the_controller_held_final() {
    for status in 100..600 {
        let error = api(status, None);
        let final_before = !error.is_credentials_problem() && matches!(status, 400 | 403 | 405 | 460);
        let final_now = error.disposition().is_final() && !error.is_credentials_problem();
        assert_eq!(final_now, final_before, "HTTP {status}");
    }
}
