//! OVH v1 wire types, named after their schema models and spelled as OVH sends them. Optional and
//! unknown fields are tolerated on input (OVH adds fields over time); the simulator serialises the
//! same types, so every field the schema marks non-nullable is always written.

mod account;
mod alerting;
mod auth;
mod cart;
mod order;
mod price;
mod project;
mod region;
mod usage;
mod user;

pub use account::*;
pub use alerting::*;
pub use auth::*;
pub use cart::*;
pub use order::*;
pub use price::*;
pub use project::*;
pub use region::*;
pub use usage::*;
pub use user::*;

/// A field OVH may send as `null` (schema `canBeNull`) read as its default (an empty list).
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    Ok(<Option<T> as serde::Deserialize>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn models_read_ovh_shaped_samples_with_unknown_and_null_fields() {
        let cart: Cart = parse(
            json!({"cartId": "c1", "description": "d", "expire": null, "items": [1], "readOnly": false, "newField": 1}),
        );
        assert_eq!((cart.cart_id.as_str(), cart.items.as_slice()), ("c1", &[1][..]));

        let price = json!({"currencyCode": "EUR", "priceInUcents": 1_234_000_000i64, "text": "12.34 €", "value": 12.34});
        let item: Item = parse(
            json!({"cartId": "c1", "itemId": 7, "productId": "cloud", "configurations": null,
            "duration": "P1M", "offerId": null, "options": [], "parentItemId": null,
            "prices": [{"label": "TOTAL", "price": price, "promotions": null}],
            "settings": {"planCode": "project.2018", "pricingMode": "default", "quantity": 1}}),
        );
        assert_eq!(item.prices[0].price.decimal(), "12.34");

        let preview: Order = parse(
            json!({"orderId": null, "url": null, "contracts": [], "details": [],
            "prices": {"withTax": price, "withoutTax": price, "tax": price, "originalWithoutTax": null, "reduction": null}}),
        );
        assert_eq!(preview.order_id, None);

        let detail: BillingOrderDetail =
            parse(json!({"orderDetailId": 1, "description": "Public Cloud Project",
            "detailType": "DURATION", "domain": "0123456789ab4cdef0123456789abcde", "cancelled": false,
            "quantity": "1", "totalPrice": price, "unitPrice": price}));
        assert_eq!(detail.quantity, "1", "billing.OrderDetail.quantity is a string");

        let project: Project = parse(
            json!({"project_id": "p", "projectName": null, "description": "d", "status": "ok",
            "access": "full", "planCode": "project.2018", "orderId": 5, "creationDate": "2026-01-01T00:00:00+01:00",
            "expiration": null, "manualQuota": false, "unleash": false, "iam": null}),
        );
        assert_eq!(
            (project.project_id.as_str(), project.status.as_str()),
            ("p", "ok")
        );

        assert_eq!(
            parse::<OrderStatus>(json!("documentsRequested")),
            OrderStatus::DocumentsRequested
        );
        assert_eq!(
            parse::<OrderStatus>(json!("somethingNew")),
            OrderStatus::Unknown,
            "future statuses do not break"
        );
        assert_eq!(
            serde_json::to_value(OrderStatus::NotPaid).unwrap(),
            json!("notPaid")
        );
    }

    #[test]
    fn day_two_models_keep_only_what_is_read_and_never_send_email() {
        let price = json!({"currencyCode": "EUR", "priceInUcents": 1_234_000_000i64, "text": "12.34 €", "value": 12.34});
        let usage: UsageTotal = parse(json!({"hourlyUsage": {"instance": [{"region": "GRA11"}]},
            "monthlyUsage": null, "resourcesUsage": [{"type": "x"}], "lastUpdate": "2026-12-01T10:00:00+00:00",
            "period": {"from": "2026-12-01T00:00:00+00:00", "to": "2026-12-05T00:00:00+00:00"}, "totalPrice": price}));
        assert_eq!(usage.total_price.unwrap().decimal(), "12.34");
        assert_eq!(usage.period.unwrap().from, "2026-12-01T00:00:00+00:00");
        let infos: ServiceInfos =
            parse(json!({"status": "unPaid", "expiration": "2027-01-01", "serviceId": 1}));
        assert_eq!(
            (infos.status.as_str(), infos.expiration.as_deref()),
            ("unPaid", Some("2027-01-01"))
        );

        let creation = AlertingCreation {
            name: "n".into(),
            monthly_threshold: 100,
            delay: 3600,
            emails: vec!["a@example.com".into()],
            service: None,
        };
        let body = serde_json::to_value(&creation).unwrap();
        assert_eq!(
            body,
            json!({"name": "n", "monthlyThreshold": 100, "delay": 3600, "emails": ["a@example.com"]})
        );
        let update = AlertingUpdate {
            name: "n".into(),
            monthly_threshold: 200,
            delay: 3600,
            emails: vec![],
            service: Some("all".into()),
        };
        let body = serde_json::to_value(&update).unwrap();
        assert!(body.get("email").is_none() && body["service"] == "all", "{body}");
        let alert: AlertingAlert =
            parse(json!({"alertId": 3, "alertDate": "2026-12-01T00:00:00+00:00", "emails": null}));
        assert!(alert.emails.is_empty());
        let alerting: Alerting = parse(
            json!({"id": "u", "delay": 3600, "monthlyThreshold": 5, "email": "old@example.com",
            "emails": null, "creationDate": "x", "formattedMonthlyThreshold": price}),
        );
        assert_eq!((alerting.monthly_threshold, alerting.emails.len()), (5, 0));

        let region: AvailableRegion = parse(
            json!({"name": "GRA11", "type": "region", "continentCode": "EU", "datacenterLocation": "GRA"}),
        );
        assert_eq!(region.region_type.as_deref(), Some("region"));
        let quotas: Vec<Quotas> = parse(
            json!([{"region": "GRA11", "instance": {"maxCores": 20, "maxInstances": 10,
            "maxRam": 40960, "usedCores": 2, "usedInstances": 1, "usedRAM": 4096}, "volume": {"maxGigabytes": 1}},
            {"region": "SBG5", "instance": null}]),
        );
        let quotas: Vec<RegionQuota> = quotas.into_iter().map(RegionQuota::from).collect();
        assert_eq!((quotas[0].max_cores, quotas[0].used_ram), (Some(20), Some(4096)));
        assert_eq!((quotas[1].region.as_str(), quotas[1].max_cores), ("SBG5", None));
        assert_eq!(
            serde_json::to_value(ProjectQuotaUpdate { manual_quota: true }).unwrap(),
            json!({"manualQuota": true})
        );
    }
}
