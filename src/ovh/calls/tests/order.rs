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

/// The search for a lost checkout's order compares every order placed since: two searches over
/// the same orders (at once, then a third later) read each order's contents once.
#[tokio::test]
async fn an_order_s_contents_are_read_once_per_client_and_shared_by_searches() {
    let sim = Sim::start().await;
    let client = sim.client();
    let mut placed = Vec::new();
    for _ in 0..3 {
        placed.push(placed_order(&client, Region::Eu).await.order_id);
    }
    let search = || async {
        let mut seen = Vec::new();
        for id in client.orders_since("2000-01-01T00:00:00Z").await.unwrap() {
            seen.push(client.order_contents(id).await.unwrap());
        }
        seen
    };
    let (first, second) = tokio::join!(search(), search());
    let third = search().await;
    assert_eq!(first, second);
    assert_eq!(first, third);
    assert_eq!(first.len(), 3);
    for contents in &first {
        assert!(placed.contains(&contents.order_id));
        assert!(contents.date.is_some(), "{contents:?}");
        let items = contents.items.as_ref().expect("EU details have an extension");
        assert!(
            items
                .iter()
                .any(|i| i.plan.code.as_deref() == Some("project.2018")),
            "{items:?}"
        );
    }
    let details = sim.calls("GET /me/order/{orderId}/details").await;
    assert_eq!(details, 3, "each order's details listed once");
    assert_eq!(
        sim.calls("GET /me/order/{orderId}").await,
        3,
        "each order read once"
    );
    let extensions = sim
        .calls("GET /me/order/{orderId}/details/{orderDetailId}/extension")
        .await;
    let per_order = first
        .iter()
        .map(|c| c.items.as_ref().unwrap().len() as u64)
        .sum::<u64>();
    assert_eq!(extensions, per_order, "each detail's extension read once");
    // Another client (other credentials, or a Secret changed) reads them again.
    sim.client().order_contents(placed[0]).await.unwrap();
    assert_eq!(sim.calls("GET /me/order/{orderId}/details").await, 4);
}
