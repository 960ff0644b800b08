//! Exact money arithmetic: amounts are `Decimal`, rounded half-even to the currency's minor
//! unit at each step a customer could see (discounted price, converted price, line total).

use async_graphql::{Enum, SimpleObject};
use rust_decimal::{Decimal, RoundingStrategy};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Enum)]
pub enum CurrencyCode {
    Usd,
    Eur,
    Gbp,
}

impl CurrencyCode {
    pub fn code(self) -> &'static str {
        match self {
            CurrencyCode::Usd => "USD",
            CurrencyCode::Eur => "EUR",
            CurrencyCode::Gbp => "GBP",
        }
    }

    /// Digits after the decimal point of the currency's minor unit.
    pub fn minor_digits(self) -> u32 {
        2
    }
}

/// An amount in a currency, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, SimpleObject)]
pub struct Money {
    pub amount: Decimal,
    pub currency_code: CurrencyCode,
}

impl Money {
    /// `amount` rounded half-even to the currency's minor unit, always shown with all its digits.
    pub fn new(amount: Decimal, currency_code: CurrencyCode) -> Self {
        Self {
            amount: round(amount, currency_code),
            currency_code,
        }
    }
}

impl Money {
    /// This amount `quantity` times; exact, as both factors are.
    pub fn times(&self, quantity: i32) -> Money {
        Money::new(self.amount * Decimal::from(quantity), self.currency_code)
    }
}

/// A USD list price in cents with `percent_off` taken off, rounded to the cent.
pub fn discounted_usd(list_cents: i64, percent_off: u32) -> Decimal {
    let list = Decimal::new(list_cents, 2);
    let kept = Decimal::from(100u32.saturating_sub(percent_off.min(100))) / Decimal::ONE_HUNDRED;
    round(list * kept, CurrencyCode::Usd)
}

/// Converts a USD amount at `per_usd` units of `currency` per dollar.
pub fn convert(usd: Decimal, currency: CurrencyCode, per_usd: Decimal) -> Money {
    Money::new(usd * per_usd, currency)
}

fn round(amount: Decimal, currency: CurrencyCode) -> Decimal {
    let digits = currency.minor_digits();
    let mut rounded = amount.round_dp_with_strategy(digits, RoundingStrategy::MidpointNearestEven);
    rounded.rescale(digits);
    rounded
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn discounts_round_half_even_to_the_cent() {
        // 10% off 0.25 is 0.225: the midpoint goes to the even cent, 0.22.
        assert_eq!(discounted_usd(25, 10), dec("0.22"));
        // 10% off 0.35 is 0.315: the even neighbour is 0.32.
        assert_eq!(discounted_usd(35, 10), dec("0.32"));
        assert_eq!(discounted_usd(1999, 0), dec("19.99"));
        assert_eq!(discounted_usd(1999, 100), dec("0.00"));
    }

    #[test]
    fn amounts_always_show_minor_digits() {
        assert_eq!(
            Money::new(dec("20"), CurrencyCode::Usd).amount.to_string(),
            "20.00"
        );
        assert_eq!(
            Money::new(dec("19.9"), CurrencyCode::Eur)
                .amount
                .to_string(),
            "19.90"
        );
    }

    #[test]
    fn conversion_is_exact_then_rounded() {
        let money = convert(dec("19.99"), CurrencyCode::Eur, dec("0.9215"));
        // 19.99 * 0.9215 = 18.420785
        assert_eq!(money.amount, dec("18.42"));
        assert_eq!(money.currency_code, CurrencyCode::Eur);
        // 0.10 * 0.125 = 0.0125 -> half-even at the cent: 0.01
        assert_eq!(
            convert(dec("0.10"), CurrencyCode::Gbp, dec("0.125")).amount,
            dec("0.01")
        );
    }
}
