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
            // The sign apart: -0.50 must not read 0.50 (then it would pass a price ceiling).
            Some(u) => {
                let (sign, u) = (if u < 0 { "-" } else { "" }, u.unsigned_abs());
                format!("{sign}{}.{:02}", u / 100_000_000, u % 100_000_000 / 1_000_000)
            }
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
        assert_eq!(Price::from_ucents(-50_000_000, "EUR").decimal(), "-0.50");
        assert_eq!(Price::from_ucents(-150_000_000, "EUR").decimal(), "-1.50");
        assert_eq!(Price::from_ucents(i64::MIN, "EUR").decimal(), "-92233720368.54");
        let no_ucents = Price {
            currency_code: "EUR".into(),
            price_in_ucents: None,
            text: String::new(),
            value: 3.999,
        };
        assert_eq!(no_ucents.decimal(), "4.00");
    }
}
