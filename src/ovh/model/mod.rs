//! OVH v1 wire types, named after their schema models and spelled as OVH sends them. Optional and
//! unknown fields are tolerated on input (OVH adds fields over time); the simulator serialises the
//! same types, so every field the schema marks non-nullable is always written.

mod account;
mod auth;
mod cart;
mod order;
mod price;
mod project;
mod user;

pub use account::*;
pub use auth::*;
pub use cart::*;
pub use order::*;
pub use price::*;
pub use project::*;
pub use user::*;

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
}
