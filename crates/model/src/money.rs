use std::fmt;
use std::iter::Sum;
use std::ops::Add;

use serde::{Deserialize, Serialize};

use crate::InvalidValue;

/// An amount of money in euro cents, never negative. Refunds are a ticket status, not a
/// negative amount, so sums of amounts are always meaningful.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Cents(u64);

impl Cents {
    pub const ZERO: Cents = Cents(0);

    pub const fn new(cents: u64) -> Cents {
        Cents(cents)
    }

    /// From a signed amount as stores and files carry it; negative amounts are refused.
    pub fn from_signed(cents: i64) -> Result<Cents, InvalidValue> {
        u64::try_from(cents)
            .map(Cents)
            .map_err(|_| InvalidValue::new("amount", cents, "an amount of zero or more cents"))
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// The amount as a signed integer, for stores whose integers are signed.
    pub fn as_i64(self) -> i64 {
        i64::try_from(self.0).expect("amounts above 92 million billion euros do not occur")
    }

    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// `amount × rate / 10_000`, rounded half up (used for reductions expressed in basis points).
    pub fn scaled_bp(self, basis_points: u32) -> Cents {
        Cents((self.0 * u64::from(basis_points) + 5_000) / 10_000)
    }
}

impl Add for Cents {
    type Output = Cents;
    fn add(self, rhs: Cents) -> Cents {
        Cents(self.0 + rhs.0)
    }
}

impl Sum for Cents {
    fn sum<I: Iterator<Item = Cents>>(iter: I) -> Cents {
        iter.fold(Cents::ZERO, Add::add)
    }
}

/// `12,50 €`-style plain rendering (no thousands separator); the UI formats for a language.
impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} €", self.0 / 100, self.0 % 100)
    }
}

/// A VAT rate in basis points (5.5 % is 550). French live-performance tickets are taxed at
/// 2.1 %, 5.5 % or 20 %; any rate from 0 to 100 % is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct VatRate(u16);

impl VatRate {
    /// The reduced rate for live performances (spectacles vivants), 5.5 %.
    pub const LIVE_PERFORMANCE: VatRate = VatRate(550);

    pub fn from_basis_points(bp: u16) -> Result<VatRate, InvalidValue> {
        if bp <= 10_000 {
            Ok(VatRate(bp))
        } else {
            Err(InvalidValue::new(
                "VAT rate",
                bp,
                "a rate between 0 and 10000 basis points (0–100 %)",
            ))
        }
    }

    pub const fn basis_points(self) -> u16 {
        self.0
    }
}

impl TryFrom<u16> for VatRate {
    type Error = InvalidValue;
    fn try_from(bp: u16) -> Result<Self, Self::Error> {
        VatRate::from_basis_points(bp)
    }
}

impl From<VatRate> for u16 {
    fn from(rate: VatRate) -> u16 {
        rate.0
    }
}

impl fmt::Display for VatRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        if frac == 0 {
            write!(f, "{whole} %")
        } else {
            write!(f, "{whole}.{frac:02} %")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn negative_amounts_are_refused() {
        assert!(Cents::from_signed(-1).is_err());
        assert_eq!(Cents::from_signed(0).unwrap(), Cents::ZERO);
        assert_eq!(Cents::from_signed(1250).unwrap().to_string(), "12.50 €");
    }

    #[test]
    fn vat_rates_above_100_percent_are_refused() {
        assert!(VatRate::from_basis_points(10_001).is_err());
        assert_eq!(VatRate::LIVE_PERFORMANCE.to_string(), "5.50 %");
        assert_eq!(
            VatRate::from_basis_points(2000).unwrap().to_string(),
            "20 %"
        );
    }

    proptest! {
        #[test]
        fn signed_roundtrip_keeps_every_non_negative_amount(c in 0i64..i64::MAX) {
            prop_assert_eq!(Cents::from_signed(c).unwrap().as_i64(), c);
        }

        #[test]
        fn every_negative_amount_is_refused(c in i64::MIN..0) {
            prop_assert!(Cents::from_signed(c).is_err());
        }

        #[test]
        fn sum_is_order_independent(v in proptest::collection::vec(0u64..1_000_000, 0..50)) {
            let forward: Cents = v.iter().copied().map(Cents::new).sum();
            let backward: Cents = v.iter().rev().copied().map(Cents::new).sum();
            prop_assert_eq!(forward, backward);
            prop_assert_eq!(forward.get(), v.iter().sum::<u64>());
        }
    }
}
