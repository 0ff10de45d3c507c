//! One call's address: a path template (the name logs and metrics use), its parameters
//! percent-encoded into the path, a query string, and an optional per-route timeout.

use std::time::Duration;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// One call's path: its template (for logs and metrics) and the concrete path and query.
#[derive(Clone, Debug)]
pub struct Route {
    pub template: &'static str,
    path: String,
    query: Vec<(&'static str, String)>,
    /// Overrides the client's per-request timeout.
    pub(super) timeout: Option<Duration>,
}

/// Characters left as they are in a path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

impl Route {
    /// Fills each `{param}` of `template` with the next of `args`, percent-encoded.
    pub fn new(template: &'static str, args: &[&str]) -> Self {
        let mut path = String::with_capacity(template.len());
        let mut args = args.iter();
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            let end = rest[start..].find('}').expect("template braces balance") + start;
            path.push_str(&rest[..start]);
            let arg = args.next().expect("one argument per template parameter");
            path.extend(utf8_percent_encode(arg, SEGMENT));
            rest = &rest[end + 1..];
        }
        path.push_str(rest);
        assert!(
            args.next().is_none(),
            "more arguments than parameters in {template}"
        );
        Self {
            template,
            path,
            query: Vec::new(),
            timeout: None,
        }
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    pub fn query(mut self, key: &'static str, value: impl Into<String>) -> Self {
        self.query.push((key, value.into()));
        self
    }

    pub(super) fn path_and_query(&self) -> String {
        if self.query.is_empty() {
            return self.path.clone();
        }
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.query {
            q.append_pair(k, v);
        }
        format!("{}?{}", self.path, q.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fill_and_encode_parameters() {
        let r = Route::new("/order/cart/{cartId}/item/{itemId}", &["a b/c", "7"]);
        assert_eq!(r.path_and_query(), "/order/cart/a%20b%2Fc/item/7");
        let r = Route::new("/order/cart", &[]).query("description", "ovh-operator uid=1&x");
        assert_eq!(
            r.path_and_query(),
            "/order/cart?description=ovh-operator+uid%3D1%26x"
        );
    }
}
