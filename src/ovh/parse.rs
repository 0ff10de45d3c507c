//! Pure readers of what OVH returns: whether a string is a Public Cloud project id, and the
//! termination token in a termination e-mail. No I/O, so the controller and tests can use them
//! without a client.

/// Whether `s` has the shape of a Public Cloud project id: 32 hex characters with a `4` at index
/// 12 (a dashless UUIDv4). Order details carry other `domain` values too, so check each.
pub fn is_project_id(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && s.as_bytes()[12] == b'4'
}

/// The confirmation token in a termination e-mail for `project_id`, as terraform finds it:
/// `…/billing/confirmTerminate?id=<id>&token=<token>…`.
pub fn termination_token(email_body: &str, project_id: &str) -> Option<String> {
    if !email_body.contains(project_id) {
        return None;
    }
    let after = email_body.split("/billing/confirmTerminate?").nth(1)?;
    let token = after.split('&').find_map(|kv| kv.strip_prefix("token="))?;
    let token: String = token.chars().take_while(char::is_ascii_alphanumeric).collect();
    (!token.is_empty()).then_some(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_ids_are_dashless_uuid_v4() {
        assert!(is_project_id("0123456789ab4cdef0123456789abcde"));
        assert!(
            !is_project_id("0123456789ab5cdef0123456789abcde"),
            "version nibble must be 4"
        );
        assert!(
            !is_project_id("0123456789AB4CDEF0123456789ABCDE"),
            "lower case only"
        );
        assert!(!is_project_id("*001"));
        assert!(!is_project_id("0123456789ab4cdef0123456789abcd"));
    }

    #[test]
    fn termination_token_is_found_only_for_its_project() {
        let body = "Hello,\nTo confirm the termination of 0123456789ab4cdef0123456789abcde follow \
                    https://www.ovh.com/manager/#/billing/confirmTerminate?id=0123456789ab4cdef0123456789abcde&token=Ab12Cd34 now.";
        assert_eq!(
            termination_token(body, "0123456789ab4cdef0123456789abcde").as_deref(),
            Some("Ab12Cd34")
        );
        assert_eq!(termination_token(body, "ffffffffffff4cdef0123456789abcde"), None);
        assert_eq!(
            termination_token(
                "no link 0123456789ab4cdef0123456789abcde",
                "0123456789ab4cdef0123456789abcde"
            ),
            None
        );
    }
}
