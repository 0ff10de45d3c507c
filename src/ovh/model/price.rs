//! `order.Price`: an amount as OVH sends it, exact in micro-cents, shared by carts and orders.

use serde::{Deserialize, Serialize};

/// `order.Price`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    pub currency_code: String,
    #[serde(default)]
    pub price_in_ucents: Option<i64>,
    #[serde(default)]
    pub text: String,
    pub value: f64,
}

impl Price {
    /// Builds a price from micro-cents, the exact unit OVH counts in.
    pub fn from_ucents(ucents: i64, currency: &str) -> Self {
        let value = ucents as f64 / 100_000_000.0;
        let symbol = if currency == "EUR" { " €" } else { "" };
        Self {
            currency_code: currency.into(),
            price_in_ucents: Some(ucents),
            text: format!("{value:.2}{symbol}"),
            value,
        }
    }

    /// The amount with two decimals, from micro-cents when OVH sent them (no float rounding).
    pub fn decimal(&self) -> String {
        match self.price_in_ucents {
            Some(u) => format!("{}.{:02}", u / 100_000_000, (u % 100_000_000).abs() / 1_000_000),
            None => format!("{:.2}", self.value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_are_exact_in_micro_cents() {
        assert_eq!(Price::from_ucents(0, "EUR").decimal(), "0.00");
        assert_eq!(Price::from_ucents(1_250_000_000, "EUR").text, "12.50 €");
        assert_eq!(Price::from_ucents(1_000_000, "EUR").decimal(), "0.01");
        let no_ucents = Price {
            currency_code: "EUR".into(),
            price_in_ucents: None,
            text: String::new(),
            value: 3.999,
        };
        assert_eq!(no_ucents.decimal(), "4.00");
    }
}
