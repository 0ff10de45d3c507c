//! The cart family: create, find by description, assign, fill, configure, delete.

use super::*;

#[tokio::test]
async fn a_cart_is_created_assigned_filled_configured_and_deleted() {
    let sim = Sim::start().await;
    let client = sim.client();
    let cart_id = assigned_cart(&client, Region::Eu, "uid=1").await;
    assert!(crate::ovh::calls::is_cart_id(&cart_id), "{cart_id}");
    assert_eq!(
        client.carts_by_description("uid=1").await.unwrap(),
        [cart_id.as_str()]
    );
    assert!(client.carts_by_description("uid=2").await.unwrap().is_empty());

    let item = client
        .add_cloud_item(&cart_id, &project_item(Region::Eu))
        .await
        .unwrap();
    assert_eq!(
        (item.cart_id.as_str(), item.product_id.as_str()),
        (cart_id.as_str(), "cloud")
    );
    let option = GenericOptionCreation {
        item_id: item.item_id,
        plan_code: "certification.hds.2018".into(),
        duration: "P1M".into(),
        pricing_mode: "default".into(),
        quantity: 1,
    };
    let option = client.add_cloud_option(&cart_id, &option).await.unwrap();
    assert_eq!(option.parent_item_id, Some(item.item_id));
    let mut items = client.items(&cart_id).await.unwrap();
    items.sort_unstable();
    assert_eq!(items, [item.item_id, option.item_id]);
    assert_eq!(
        client.item(&cart_id, item.item_id).await.unwrap().options,
        [option.item_id]
    );

    let voucher = ItemConfigurationCreation {
        label: "voucher".into(),
        value: "WELCOME".into(),
    };
    let added = client
        .add_configuration(&cart_id, item.item_id, &voucher)
        .await
        .unwrap();
    assert_eq!(
        client.configurations(&cart_id, item.item_id).await.unwrap(),
        [added.id]
    );
    let read = client
        .configuration(&cart_id, item.item_id, added.id)
        .await
        .unwrap();
    assert_eq!((read.label.as_str(), read.value.as_str()), ("voucher", "WELCOME"));
    client
        .delete_configuration(&cart_id, item.item_id, added.id)
        .await
        .unwrap();
    assert!(
        client
            .configurations(&cart_id, item.item_id)
            .await
            .unwrap()
            .is_empty()
    );

    client.delete_item(&cart_id, item.item_id).await.unwrap();
    assert!(
        client.items(&cart_id).await.unwrap().is_empty(),
        "its option went with it"
    );
    client.delete_cart(&cart_id).await.unwrap();
    let e = client.cart(&cart_id).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, &cart_id);
}

#[tokio::test]
async fn an_unassigned_cart_is_not_the_account_s() {
    let sim = Sim::start().await;
    let client = sim.client();
    let creation = CartCreation {
        ovh_subsidiary: "FR".into(),
        description: Some("uid=3".into()),
        expire: None,
    };
    let cart = client.create_cart(&creation).await.unwrap();
    assert!(client.carts_by_description("uid=3").await.unwrap().is_empty());
    client.assign_cart(&cart.cart_id).await.unwrap();
    assert_eq!(
        client.carts_by_description("uid=3").await.unwrap(),
        [cart.cart_id]
    );
}

#[tokio::test]
async fn refusals_carry_ovh_s_message_and_query_id() {
    let sim = Sim::start().await;
    let client = sim.client();
    let cart_id = assigned_cart(&client, Region::Eu, "uid=4").await;
    // The US plan code on the EU API.
    let e = client
        .add_cloud_item(&cart_id, &project_item(Region::Us))
        .await
        .unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "Plan code project does not exist");
    assert_eq!(e.category(), "OvhBadRequest");

    let (cart_id, item_id) = filled_cart(&client, Region::Eu).await;
    let unknown = ItemConfigurationCreation {
        label: "colour".into(),
        value: "blue".into(),
    };
    let e = client
        .add_configuration(&cart_id, item_id, &unknown)
        .await
        .unwrap_err();
    assert_ovh_said(&e, 400, Disposition::Refused, "\"colour\" is not accepted");

    let e = client.item(&cart_id, 1).await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "itemId = 1");
    let e = client.delete_cart("no-such-cart").await.unwrap_err();
    assert_ovh_said(&e, 404, Disposition::NotFound, "no-such-cart");
}

#[tokio::test]
async fn a_checked_out_cart_refuses_changes() {
    let sim = Sim::start().await;
    let client = sim.client();
    let (cart_id, item_id) = filled_cart(&client, Region::Eu).await;
    client
        .place_order(&cart_id, &Checkout::api_order(false))
        .await
        .unwrap();
    assert!(client.cart(&cart_id).await.unwrap().read_only);
    let voucher = ItemConfigurationCreation {
        label: "voucher".into(),
        value: "LATE".into(),
    };
    let e = client
        .add_configuration(&cart_id, item_id, &voucher)
        .await
        .unwrap_err();
    assert_ovh_said(&e, 403, Disposition::Refused, "has already been validated");
}
