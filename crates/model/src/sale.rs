use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Cents, ExternalId, InvalidValue, Lang, Name, PatronKey, VatRate};

/// Declares a fieldless enum with a stable storage code for each variant, `code()` and `FromStr`.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $field:literal { $($(#[$vmeta:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in storage and APIs.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(InvalidValue::new($field, s, concat!("one of:" $(, " ", $code)+))),
                }
            }
        }
    };
}
pub(crate) use coded_enum;

coded_enum!(
    /// The normalised kind of a tariff, whatever the source calls it. SIBIL declares full-price,
    /// subscription-or-package and free (*exonéré*) tickets apart.
    TariffCategory, "tariff category" {
        FullPrice => "full_price",
        Reduced => "reduced",
        /// Subscriptions, passes and packages (abonnement, forfait).
        Subscription => "subscription",
        /// Free tickets: invitations, complimentary seats (exonérés).
        Free => "free",
        /// School and group bookings.
        SchoolOrGroup => "school_or_group",
        Other => "other",
    }
);

impl TariffCategory {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            TariffCategory::FullPrice => lang.pick("Plein tarif", "Full price"),
            TariffCategory::Reduced => lang.pick("Tarif réduit", "Reduced"),
            TariffCategory::Subscription => {
                lang.pick("Abonnement ou forfait", "Subscription or package")
            }
            TariffCategory::Free => {
                lang.pick("Exonéré (gratuit, invitation)", "Free (complimentary)")
            }
            TariffCategory::SchoolOrGroup => lang.pick("Scolaire ou groupe", "School or group"),
            TariffCategory::Other => lang.pick("Autre", "Other"),
        }
    }
}

/// A tariff as the source names it (`Tarif réduit -26 ans`), with its normalised category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tariff {
    pub id: ExternalId,
    pub label: Name,
    pub category: TariffCategory,
}

coded_enum!(
    /// Where an order was taken.
    Channel, "sales channel" {
        BoxOffice => "box_office",
        Online => "online",
        Phone => "phone",
        Reseller => "reseller",
        Other => "other",
    }
);

impl Channel {
    pub fn label(self, lang: Lang) -> &'static str {
        match self {
            Channel::BoxOffice => lang.pick("Guichet", "Box office"),
            Channel::Online => lang.pick("En ligne", "Online"),
            Channel::Phone => lang.pick("Téléphone", "Phone"),
            Channel::Reseller => lang.pick("Revendeur", "Reseller"),
            Channel::Other => lang.pick("Autre", "Other"),
        }
    }
}

coded_enum!(
    /// The state of an order.
    OrderStatus, "order status" {
        Pending => "pending",
        Paid => "paid",
        Cancelled => "cancelled",
    }
);

/// An order (commande): one purchase by one buyer, holding one or more tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub id: ExternalId,
    pub channel: Channel,
    pub created_at: DateTime<Utc>,
    /// The buyer, unless the sale was anonymous (a cash sale at the door).
    pub buyer: Option<PatronKey>,
    pub status: OrderStatus,
}

coded_enum!(
    /// The state of a ticket. Only valid tickets count in sales figures.
    TicketStatus, "ticket status" {
        Valid => "valid",
        Cancelled => "cancelled",
        Refunded => "refunded",
        // Held by an order not paid yet (a pending order, an option): not sold.
        Reserved => "reserved",
    }
);

/// A ticket (billet): one seat at one performance, bought in an order at a tariff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ticket {
    pub id: ExternalId,
    pub order: ExternalId,
    pub performance: ExternalId,
    pub tariff: ExternalId,
    /// What the buyer paid, VAT included.
    pub amount_paid: Cents,
    /// The price printed on the ticket, VAT included.
    pub face_value: Cents,
    pub vat_rate: VatRate,
    pub status: TicketStatus,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Who attends, when not the buyer.
    pub attendee: Option<PatronKey>,
}

impl Ticket {
    /// Whether the ticket counts in sales figures: valid, neither cancelled, refunded nor only
    /// reserved.
    pub fn counts_as_sold(&self) -> bool {
        self.status == TicketStatus::Valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_codes_say_what_is_allowed() {
        for c in TariffCategory::ALL {
            assert_eq!(c.code().parse::<TariffCategory>().unwrap(), *c);
        }
        for s in TicketStatus::ALL {
            assert_eq!(s.code().parse::<TicketStatus>().unwrap(), *s);
        }
        let err = "gratis".parse::<TariffCategory>().unwrap_err();
        assert!(err.to_string().contains("full_price"), "{err}");
        assert!(err.to_string().contains("\"gratis\""), "{err}");
    }
}
