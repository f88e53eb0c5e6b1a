//! What each figure means, in the words shown to users (French first, then English).

use jauge_model::Lang;

/// A figure's name and definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    pub key: &'static str,
    pub name_fr: &'static str,
    pub name_en: &'static str,
    pub fr: &'static str,
    pub en: &'static str,
}

impl Definition {
    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.name_fr,
            Lang::En => self.name_en,
        }
    }
    pub fn text(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Fr => self.fr,
            Lang::En => self.en,
        }
    }
}

pub const TICKETS: Definition = Definition {
    key: "tickets",
    name_fr: "Billets",
    name_en: "Tickets",
    fr: "Billets valides des représentations de la saison, gratuits compris ; billets annulés ou remboursés et représentations annulées exclus.",
    en: "Valid tickets for the season's performances, free ones included; cancelled or refunded tickets and cancelled performances excluded.",
};

pub const REVENUE: Definition = Definition {
    key: "revenue",
    name_fr: "Recette TTC",
    name_en: "Revenue incl. VAT",
    fr: "Somme payée pour les billets valides, TVA comprise.",
    en: "What valid tickets brought in, VAT included.",
};

pub const FILL_RATE: Definition = Definition {
    key: "fill_rate",
    name_fr: "Taux de remplissage",
    name_en: "Fill rate",
    fr: "Billets valides ÷ jauge mise en vente, sur les représentations non annulées de la saison (à date pour les représentations à venir).",
    en: "Valid tickets ÷ capacity on sale, over the season's performances that are not cancelled (to date for upcoming ones).",
};

pub const PAID_FILL_RATE: Definition = Definition {
    key: "paid_fill_rate",
    name_fr: "Taux de remplissage payant",
    name_en: "Paid fill rate",
    fr: "Billets payants (prix supérieur à zéro) ÷ jauge mise en vente.",
    en: "Paid tickets (price above zero) ÷ capacity on sale.",
};

pub const AVERAGE_PRICE: Definition = Definition {
    key: "average_price",
    name_fr: "Prix moyen",
    name_en: "Average price",
    fr: "Recette TTC ÷ billets payants : les billets gratuits n'entrent pas dans la moyenne.",
    en: "Revenue incl. VAT ÷ paid tickets: free tickets do not enter the average.",
};

pub const FREE_TICKET_SHARE: Definition = Definition {
    key: "free_ticket_share",
    name_fr: "Part de billets gratuits",
    name_en: "Free-ticket share",
    fr: "Billets valides à 0 € (invitations, exonérés) ÷ billets valides.",
    en: "Valid tickets at €0 (invitations, complimentary) ÷ valid tickets.",
};

pub const SUBSCRIPTION_SHARE: Definition = Definition {
    key: "subscription_share",
    name_fr: "Part de billets en abonnement",
    name_en: "Subscription share",
    fr: "Billets valides vendus à un tarif d'abonnement ou de forfait ÷ billets valides.",
    en: "Valid tickets sold at a subscription or package tariff ÷ valid tickets.",
};

pub const FIRST_TIMER_SHARE: Definition = Definition {
    key: "first_timer_share",
    name_fr: "Part de primo-spectateurs",
    name_en: "First-timer share",
    fr: "Acheteurs dont le tout premier billet valide (toutes sources) est pour une représentation de la saison ÷ acheteurs de la saison. Une personne compte une fois : ses fiches rapprochées (jauge patrons) n'en font qu'une.",
    en: "Buyers whose very first valid ticket (any source) is for a performance of the season ÷ the season's buyers. A person counts once: their linked records (jauge patrons) make one.",
};

pub const RETENTION: Definition = Definition {
    key: "retention",
    name_fr: "Taux de retour",
    name_en: "Retention",
    fr: "Acheteurs de la saison précédente qui reviennent cette saison ÷ acheteurs de la saison précédente (une personne compte une fois).",
    en: "Buyers of the previous season who came back this season ÷ buyers of the previous season (a person counts once).",
};

pub const LAPSED: Definition = Definition {
    key: "lapsed",
    name_fr: "Spectateurs perdus de vue",
    name_en: "Lapsed patrons",
    fr: "Personnes venues il y a deux saisons, et ni la saison précédente ni celle-ci : aucun billet depuis deux saisons.",
    en: "People who came two seasons ago, and neither last season nor this one: no ticket for two seasons.",
};

pub const SEGMENTS: Definition = Definition {
    key: "segments",
    name_fr: "Segments de fidélité",
    name_en: "Loyalty segments",
    fr: "Chaque personne déjà venue, pour une saison donnée : abonné (a acheté un abonnement ou un forfait de la saison), primo-spectateur (premier billet de sa vie pour cette saison), fidèle (venu cette saison et au moins deux des trois précédentes), occasionnel (les autres acheteurs de la saison) ; parmi ceux qui ne sont pas venus : absent (venu la saison précédente), perdu de vue (venu pour la dernière fois il y a deux saisons), perdu (il y a trois saisons ou plus).",
    en: "Everyone who ever came, for a given season: subscriber (bought a subscription or package for the season), first-timer (their first ticket ever is for this season), regular (came this season and in at least two of the three before), occasional (the season's other buyers); of those who did not come: absent (came the previous season), lapsed (last came two seasons before), lost (three seasons before or more).",
};

pub const RFM: Definition = Definition {
    key: "rfm",
    name_fr: "Score RFM",
    name_en: "RFM score",
    fr: "Trois notes de 1 à 5, chacune le cinquième où la personne se range parmi toutes celles déjà venues : récence (saisons depuis sa dernière venue, la plus récente notée 5), fréquence (billets des trois dernières saisons), montant (dépense TTC des trois dernières saisons). « 545 » : venue récemment, souvent, pour une dépense moyenne.",
    en: "Three marks from 1 to 5, each the fifth the person falls in among everyone who ever came: recency (seasons since they last came, the most recent marked 5), frequency (tickets over the last three seasons), monetary value (spend incl. VAT over the last three seasons). \"545\": came recently, often, for a middling spend.",
};

pub const FORECAST: Definition = Definition {
    key: "forecast",
    name_fr: "Prévision de fréquentation",
    name_en: "Attendance forecast",
    fr: "Billets vendus à la fin pour une représentation à venir : la moyenne de deux lectures — ses ventes à ce jour rapportées à celles des représentations comparables au même nombre de jours (même salle, discipline et moment de la journée, déjà jouées), et toutes les dates du même spectacle lues de la même façon. L'intervalle à 80 % contient le résultat 8 fois sur 10 sur les saisons passées. « À risque » : remplissage prévu sous 60 %.",
    en: "Final tickets for an upcoming performance: the mean of two readings — its sales to date against those of comparable performances at the same number of days (same hall, discipline and time of day, already played), and all dates of the same show read the same way. The 80% interval held the outcome 8 times out of 10 over past seasons. \"At risk\": forecast fill below 60%.",
};

pub const LAPSE_PROBABILITY: Definition = Definition {
    key: "lapse_probability",
    name_fr: "Probabilité de départ",
    name_en: "Lapse probability",
    fr: "La probabilité qu'une personne venue n'achète rien la saison suivante, d'après l'ancienneté de sa dernière venue, le nombre de saisons et de billets, et son abonnement (régression logistique apprise sur les retours de la saison précédente).",
    en: "The probability that a person who came buys nothing next season, from how long since they last came, how many seasons and tickets, and their subscription (logistic regression learnt on the previous season's returns).",
};

/// The figures of a network's hub, where a venue reads its figures beside its peers'.
pub const TICKETS_PER_PERFORMANCE: Definition = Definition {
    key: "tickets_per_performance",
    name_fr: "Billets par représentation",
    name_en: "Tickets per performance",
    fr: "Billets valides ÷ représentations non annulées de la saison.",
    en: "Valid tickets ÷ the season's performances that are not cancelled.",
};

pub const PEER_QUARTILES: Definition = Definition {
    key: "peer_quartiles",
    name_fr: "Quartiles des pairs",
    name_en: "Peers' quartiles",
    fr: "Les lieux du réseau de même discipline, même taille de salle et même région, vous compris, rangés selon leur valeur : un quart est sous le 1er quartile, la moitié sous la médiane, les trois quarts sous le 3e quartile. Secret statistique : montrés seulement s'ils viennent d'au moins 5 lieux et 11 spectateurs, sans qu'un lieu pèse plus de 85 % des billets.",
    en: "The network's venues of the same discipline, hall size and region, yours included, ranked by their value: a quarter lie below the first quartile, half below the median, three quarters below the third quartile. Statistical secrecy: shown only when at least 5 venues and 11 patrons stand behind them, no venue weighing more than 85% of the tickets.",
};

pub const SHARED_BUYERS: Definition = Definition {
    key: "shared_buyers",
    name_fr: "Spectateurs en commun",
    name_en: "Shared buyers",
    fr: "Vos acheteurs de la saison qui ont aussi acheté dans l'autre lieu, reconnus par leur jeton (une empreinte de leur courriel sous la clé du réseau : ni nom ni courriel ne quittent les lieux) ; la part se rapporte à vos acheteurs ayant un jeton. Moins de 11 personnes : non montré.",
    en: "Your season's buyers who also bought at the other venue, recognised by their token (a fingerprint of their email under the network's key: no name or email leaves the venues); the share is of your buyers with a token. Fewer than 11 people: not shown.",
};

pub const NETWORK_REACH: Definition = Definition {
    key: "network_reach",
    name_fr: "Acheteurs pour 1 000 habitants",
    name_en: "Buyers per 1,000 inhabitants",
    fr: "Acheteurs des lieux du réseau domiciliés dans la commune, pour 1 000 habitants ; une personne venue dans deux lieux compte deux fois. Secret statistique : montré seulement à partir de 5 lieux et 11 acheteurs, sans qu'un lieu pèse plus de 85 %.",
    en: "Buyers of the network's venues living in the commune, per 1,000 inhabitants; a person who came to two venues counts twice. Statistical secrecy: shown only from 5 venues and 11 buyers, no venue weighing more than 85%.",
};

/// Every definition, in the order figures are shown.
pub const ALL: [Definition; 14] = [
    TICKETS,
    REVENUE,
    FILL_RATE,
    PAID_FILL_RATE,
    AVERAGE_PRICE,
    FREE_TICKET_SHARE,
    SUBSCRIPTION_SHARE,
    FIRST_TIMER_SHARE,
    RETENTION,
    LAPSED,
    SEGMENTS,
    RFM,
    FORECAST,
    LAPSE_PROBABILITY,
];
