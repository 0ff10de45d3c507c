//! The order family: the account's orders, an order's status and details, and where a delivered
//! order names its project on EU/CA (a detail's `domain`) and on US (a detail's operation).

use super::*;

#[tokio::test]
async fn an_order_is_listed_followed_and_names_its_project_once_delivered() {
    let sim = Sim::start().await;
    let client = sim.client();
    let placed = placed_order(&client, Region::Eu).await;
    let id = placed.order_id;
    assert_eq!(client.orders().await.unwrap(), [id]);
    let order = client.order(id).await.unwrap();
    assert_eq!(Some(order.url), placed.url);
    let date = order.date.expect("an order is dated");
    assert_eq!(client.orders_since(&date).await.unwrap(), [id]);
    assert!(
        client
            .orders_since("2999-01-01T00:00:00Z")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(client.order_status(id).await.unwrap(), OrderStatus::NotPaid);
    assert_eq!(
        project_id_of(&client, id).await,
        None,
        "no project before delivery"
    );

    sim.pay_as_person(id).await;
    until_delivered(&client, id).await;
    let project_id = project_id_of(&client, id).await.expect("delivered: a project id");
    let mut plans = Vec::new();
    for detail in client.order_details(id).await.unwrap() {
        let extension = client.order_detail_extension(id, detail).await.unwrap();
        plans.extend(extension.order.plan.code);
    }
    assert!(plans.iter().any(|p| p == "project.2018"), "{plans:?}");
    // Operations are the US API's: on EU the route does not exist.
    let detail = client.order_details(id).await.unwrap()[0];
    let e = client.order_detail_operations(id, detail).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "invalid (or empty) URL");
    assert!(is_project_id(&project_id));
}

#[tokio::test]
async fn on_the_us_api_the_project_id_is_an_operation_s_resource() {
    let sim = Sim::start_with(|cfg| cfg.region = Region::Us).await;
    let client = sim.client();
    let id = placed_order(&client, Region::Us).await.order_id;
    sim.pay_as_person(id).await;
    until_delivered(&client, id).await;
    let mut names = Vec::new();
    for detail in client.order_details(id).await.unwrap() {
        for op in client.order_detail_operations(id, detail).await.unwrap() {
            let op = client.order_detail_operation(id, detail, op).await.unwrap();
            names.push(op.resource.name);
        }
        let e = client.order_detail_extension(id, detail).await.unwrap_err();
        assert_ovh_said(&e, 404, Disposition::NotFound, "invalid (or empty) URL");
    }
    assert!(names.iter().any(|n| is_project_id(n)), "{names:?}");
}

#[tokio::test]
async fn an_unknown_order_is_not_found() {
    let sim = Sim::start().await;
    let e = sim.client().order_status(1).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "1");
    assert_eq!(e.category(), "OvhNotFound");
}
