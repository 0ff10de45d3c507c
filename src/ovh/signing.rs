//! OVH's request signature for application keys (AK/AS/CK): `$1$` + SHA1 over the secret, the
//! consumer key, the method, the full URL, the body and the server timestamp. Kept apart, with
//! the SDKs' own test vectors, because one wrong byte here fails every signed call.

use sha1::{Digest, Sha1};

/// `$1$` + hex SHA1 of `AS+CK+METHOD+URL+BODY+TIMESTAMP`: OVH's request signature.
pub fn signature(
    application_secret: &str,
    consumer_key: &str,
    method: &str,
    url: &str,
    body: &str,
    timestamp: i64,
) -> String {
    let mut sha = Sha1::new();
    for (i, part) in [
        application_secret,
        consumer_key,
        method,
        url,
        body,
        &timestamp.to_string(),
    ]
    .iter()
    .enumerate()
    {
        if i > 0 {
            sha.update(b"+");
        }
        sha.update(part.as_bytes());
    }
    format!("$1${}", hex::encode(sha.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const AK_AS: &str = "9ufkBmLaTQ9nz5yMUlg79taH0GNnzDjk";
    const CK: &str = "5mBuy6SUQcRw2ZUxg0cG68BoDKpED4KY";
    const TS: i64 = 1457018875;

    /// Vectors from go-ovh `ovh_test.go` and python-ovh `test_client.py` (the last two computed
    /// independently with Python's hashlib).
    #[test]
    fn signatures_match_the_sdk_test_vectors() {
        let vectors = [
            (
                "GET",
                "https://eu.api.ovh.com/1.0/auth",
                "",
                "$1$e9556054b6309771395efa467c22e627407461ad",
            ),
            (
                "POST",
                "https://eu.api.ovh.com/1.0/auth",
                r#"{"a":"b","c":"d"}"#,
                "$1$ec2fb5c7a81f64723c77d2e5b609ae6f58a84fc1",
            ),
            (
                "PUT",
                "https://eu.api.ovh.com/1.0/auth",
                r#"{"a":"b","c":"d"}"#,
                "$1$8a75a9e7c8e7296c9dbeda6a2a735eb6bd58ec4b",
            ),
            (
                "DELETE",
                "https://eu.api.ovh.com/1.0/auth",
                "",
                "$1$a1eecd00b3b02b6cf5708b84b9ff42059a950d85",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/authTO",
                "",
                "$1$1f0958be70f095ddaba525778a9ac1dcffac89f3",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/call",
                "",
                "$1$7f2db49253edfc41891023fcd1a54cf61db05fbb",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/v1/call",
                "",
                "$1$e6e7906d385eb28adcbfbe6b66c1528a42d741ad",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/v2/call",
                "",
                "$1$bb63b132a6f84ad5433d0c534d48d3f7c3804285",
            ),
            (
                "POST",
                "https://eu.api.ovh.com/1.0/order/cart",
                r#"{"ovhSubsidiary":"FR"}"#,
                "$1$3825b99e24075550735799e9d7a76f89a1ae9c0b",
            ),
            (
                "GET",
                "https://eu.api.ovh.com/1.0/me/payment/method?default=true",
                "",
                "$1$9a41e869d6075e1666b2d2b2b8c704ff2d69524e",
            ),
        ];
        for (method, url, body, expected) in vectors {
            assert_eq!(
                signature(AK_AS, CK, method, url, body, TS),
                expected,
                "{method} {url}"
            );
        }
    }
}
