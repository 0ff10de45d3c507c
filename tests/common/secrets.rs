//! Secrets as the tests write and read them: credentials Secrets (the keys the operator reads),
//! the outputs Secret (the keys it writes), and base64 for values that are not text.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Secret;
use kube::{
    Api, Client,
    api::{DeleteParams, Patch, PatchParams},
};
use serde_json::{Map, Value, json};

/// `bytes` in base64 (standard alphabet, padded), as a Secret's `data` holds its values.
pub fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Creates or replaces the Secret `name` in `ns` with exactly these keys (server-side apply).
pub async fn put(client: &Client, ns: &str, name: &str, keys: &[(&str, &str)]) {
    let data: Map<String, Value> = keys.iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    apply(client, ns, name, json!({"stringData": data})).await;
}

/// Creates or replaces the Secret `name` in `ns` with exactly these keys, whose values need not
/// be text.
pub async fn put_bytes(client: &Client, ns: &str, name: &str, keys: &[(&str, &[u8])]) {
    let data: Map<String, Value> = keys
        .iter()
        .map(|(k, v)| (k.to_string(), json!(base64(v))))
        .collect();
    apply(client, ns, name, json!({"data": data})).await;
}

async fn apply(client: &Client, ns: &str, name: &str, content: Value) {
    let mut secret = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}});
    secret
        .as_object_mut()
        .unwrap()
        .extend(content.as_object().unwrap().clone());
    Api::<Secret>::namespaced(client.clone(), ns)
        .patch(name, &PatchParams::apply("tests").force(), &Patch::Apply(&secret))
        .await
        .unwrap();
}

/// The Secret's data as text (`None`: no such Secret); every value must be UTF-8.
pub async fn data(client: &Client, ns: &str, name: &str) -> Option<BTreeMap<String, String>> {
    let secret = Api::<Secret>::namespaced(client.clone(), ns)
        .get_opt(name)
        .await
        .unwrap()?;
    Some(
        secret
            .data
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8(v.0).unwrap()))
            .collect(),
    )
}

/// Deletes the Secret `name` in `ns`, which must exist.
pub async fn delete(client: &Client, ns: &str, name: &str) {
    Api::<Secret>::namespaced(client.clone(), ns)
        .delete(name, &DeleteParams::default())
        .await
        .unwrap();
}
