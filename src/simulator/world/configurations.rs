//! An item's configurations (`…/item/{itemId}/requiredConfiguration`, `…/configuration…`).

use super::*;

/// Configuration labels a Public Cloud project item accepts: `description` and `voucher` (OVH
/// guide order-project-api; mgr `projects/new/service.js`), `infrastructure` (mgr constant
/// `PCI_PROJECT_ORDER_CART.infraConfigValue = 'production'`), `vrack` (tf
/// `docs/resources/cloud_project.md`). None is required (assumed: the manager and terraform
/// order without any).
pub const PROJECT_CONFIGURATION_LABELS: &[&str] = &["description", "voucher", "infrastructure", "vrack"];

impl World {
    /// `GET …/item/{itemId}/requiredConfiguration` → `order.cart.ConfigurationRequirements[]`
    /// (schema order.json): the labels of `PROJECT_CONFIGURATION_LABELS`, none required, all
    /// `string` (no real answer for a cloud project is known:
    /// docs/ovh-evidence.md#open-questions).
    pub fn required_configuration(
        &mut self,
        cart_id: &str,
        item_id: i64,
    ) -> SimResult<Vec<ConfigurationRequirement>> {
        self.item_mut(cart_id, item_id)?;
        Ok(PROJECT_CONFIGURATION_LABELS
            .iter()
            .map(|label| ConfigurationRequirement {
                fields: None,
                label: (*label).into(),
                required: false,
                kind: "string".into(),
            })
            .collect())
    }

    /// `POST …/item/{itemId}/configuration` (`order.cart.ItemConfigurationCreation`, schema).
    pub fn add_configuration(
        &mut self,
        cart_id: &str,
        item_id: i64,
        c: ItemConfigurationCreation,
    ) -> SimResult<ConfigurationItem> {
        self.editable_cart(cart_id)?;
        if c.label.is_empty() {
            // `label` is required (schema); message assumed.
            return Err(SimError::bad_request("Missing parameter: label"));
        }
        self.item_mut(cart_id, item_id)?;
        if !PROJECT_CONFIGURATION_LABELS.contains(&c.label.as_str()) {
            // Assumed: a label the item's requiredConfiguration does not list is refused.
            return Err(SimError::bad_request(format!(
                "Configuration label \"{}\" is not accepted for a Public Cloud project item; accepted labels: {}",
                c.label,
                PROJECT_CONFIGURATION_LABELS.join(", ")
            )));
        }
        let id = self.next_id(600_000_000);
        let item = self.item_mut(cart_id, item_id)?;
        if item.configurations.values().any(|(label, _)| *label == c.label) {
            // Assumed: one value per label.
            return Err(SimError::bad_request(format!(
                "Configuration {} already exists for this item",
                c.label
            )));
        }
        item.configurations.insert(id, (c.label.clone(), c.value.clone()));
        Ok(ConfigurationItem {
            id,
            label: c.label,
            value: c.value,
        })
    }

    /// `GET …/configuration?label=` (schema query `label`).
    pub fn configuration_ids(
        &mut self,
        cart_id: &str,
        item_id: i64,
        label: Option<&str>,
    ) -> SimResult<Vec<i64>> {
        let item = self.item_mut(cart_id, item_id)?;
        Ok(item
            .configurations
            .iter()
            .filter(|(_, (l, _))| label.is_none_or(|x| x == l))
            .map(|(id, _)| *id)
            .collect())
    }

    pub fn configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<ConfigurationItem> {
        let item = self.item_mut(cart_id, item_id)?;
        let (label, value) = item
            .configurations
            .get(&id)
            .ok_or_else(|| SimError::not_found("configurationId", id))?;
        Ok(ConfigurationItem {
            id,
            label: label.clone(),
            value: value.clone(),
        })
    }

    pub fn delete_configuration(&mut self, cart_id: &str, item_id: i64, id: i64) -> SimResult<()> {
        self.editable_cart(cart_id)?;
        let item = self.item_mut(cart_id, item_id)?;
        item.configurations
            .remove(&id)
            .map(drop)
            .ok_or_else(|| SimError::not_found("configurationId", id))
    }
}
