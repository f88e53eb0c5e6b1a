//! Word lists for believable French people, shows and companies. Invented combinations; no real
//! person's data.

pub(crate) const FIRST_NAMES_F: &[&str] = &[
    "Marie", "Nathalie", "Isabelle", "Sylvie", "Catherine", "Françoise", "Valérie", "Christine",
    "Sandrine", "Céline", "Hélène", "Anne", "Sophie", "Julie", "Camille", "Léa", "Chloé", "Manon",
    "Emma", "Inès", "Zoé", "Noémie", "Anaïs", "Élodie", "Aurélie", "Véronique", "Brigitte",
    "Martine", "Monique", "Geneviève", "Josiane", "Agnès", "Béatrice", "Claire", "Émilie", "Laure",
    "Mélanie", "Pauline", "Margaux", "Juliette", "Maëlle", "Gaëlle", "Solène", "Océane", "Clémence",
    "Marie-Claude", "Anne-Sophie", "Marie-Hélène", "Jeanne", "Louise",
];

pub(crate) const FIRST_NAMES_M: &[&str] = &[
    "Jean", "Philippe", "Michel", "Alain", "Patrick", "Nicolas", "Christophe", "Pierre",
    "Christian", "Éric", "Frédéric", "Laurent", "Stéphane", "David", "Olivier", "Julien",
    "Sébastien", "Thomas", "Antoine", "Lucas", "Hugo", "Louis", "Gabriel", "Arthur", "Mathéo",
    "Théo", "Maxime", "Jérôme", "Benoît", "François", "Gérard", "Bernard", "Daniel", "Thierry",
    "Yves", "Hervé", "Gilles", "Joël", "Raphaël", "Noël", "Loïc", "Gaël", "Clément", "Rémi",
    "Jean-Pierre", "Jean-Luc", "Jean-François", "Pierre-Yves", "Marc", "Étienne",
];

pub(crate) const SURNAMES: &[&str] = &[
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefèvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc",
    "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément",
    "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez",
    "Gérard", "Nguyen", "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche",
    "Roy", "Noël", "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour",
    "Blanchard", "Marie", "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin",
    "Fernandez", "Pierre", "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc",
    "Vidal", "Bourgeois", "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Lacroix",
    "Fabre", "Dupuis", "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles",
    "Guillot", "Rivière", "Le Gall", "Guillaume", "Adam", "Rey", "Moulin", "Gonzalez", "Berger",
    "Lecomte", "Ménard", "Fleury", "Deschamps", "Carpentier", "Julien", "Benoît", "Maillard",
    "Marchal", "Aubry", "Vasseur", "Le Roux", "Renault", "Jacquet", "Collet", "Prévost",
    "Poirier", "Charpentier", "Royer", "Huet", "Baron", "Dupuy", "Pons", "Paul", "Laine", "Carré",
    "Breton", "Rémy", "Schneider", "Perrot", "Guyot", "Barre", "Marty", "Cousin", "Le Goff",
    "Le Bihan", "de La Fontaine", "de Villiers", "Du Pont", "Saint-Martin", "Lefort-Baudry",
    "Bouvier", "Texier", "Chauvin", "Hamon", "Besnard", "Pelletier", "Tessier", "Gilbert",
];

pub(crate) const EMAIL_DOMAINS: &[(&str, u32)] = &[
    ("gmail.com", 34),
    ("orange.fr", 15),
    ("free.fr", 8),
    ("hotmail.fr", 8),
    ("yahoo.fr", 6),
    ("laposte.net", 5),
    ("sfr.fr", 5),
    ("outlook.fr", 4),
    ("wanadoo.fr", 4),
    ("icloud.com", 3),
    ("hotmail.com", 3),
    ("neuf.fr", 2),
    ("bbox.fr", 2),
    ("live.fr", 1),
];

/// Typing slips seen on email domains.
pub(crate) const DOMAIN_TYPOS: &[(&str, &str)] = &[
    ("gmail.com", "gmial.com"),
    ("gmail.com", "gmail.fr"),
    ("orange.fr", "ornage.fr"),
    ("hotmail.fr", "hotmial.fr"),
    ("yahoo.fr", "yaho.fr"),
    ("wanadoo.fr", "wanadoo.com"),
    ("laposte.net", "laposte.fr"),
    ("free.fr", "free.com"),
];

pub(crate) const TITLE_NOUNS: &[&str] = &[
    "Ombres", "Vagues", "Lumières", "Songes", "Racines", "Îles", "Saisons", "Voix", "Murmures",
    "Horizons", "Frontières", "Marées", "Éclats", "Nuits", "Passagers", "Fantômes", "Rivages",
    "Oiseaux", "Géants", "Silences", "Chimères", "Vertiges", "Corps", "Traces", "Tempêtes",
];

pub(crate) const TITLE_COMPLEMENTS: &[&str] = &[
    "du Nord", "d'hiver", "de la ville", "sans fin", "à l'envers", "en sourdine", "du dedans",
    "de papier", "au bord du monde", "de minuit", "et merveilles", "des autres", "de passage",
    "en fanfare", "sous la pluie", "de Loire", "en suspens", "d'ailleurs",
];

pub(crate) const CLASSICS: &[&str] = &[
    "Phèdre", "Le Misanthrope", "Cyrano de Bergerac", "En attendant Godot", "Les Bonnes",
    "La Cerisaie", "Le Jeu de l'amour et du hasard", "Britannicus", "Tartuffe", "Antigone",
    "Les Fourberies de Scapin", "La Mouette", "Ruy Blas", "Hamlet", "Le Songe d'une nuit d'été",
    "Fin de partie", "L'Avare", "On ne badine pas avec l'amour", "Les Trois Sœurs", "Bérénice",
];

pub(crate) const COMPANY_WORDS: &[&str] = &[
    "du Hasard", "des Lucioles", "l'Échappée", "du Fil", "la Traversée", "des Ailes", "Ricochet",
    "du Grand Large", "les Veilleurs", "la Boussole", "du Petit Matin", "Hors Champ",
    "les Arpenteurs", "du Sillon", "la Mue", "des Possibles", "Tout Ouïe", "la Brèche",
];

pub(crate) const ENSEMBLES: &[&str] = &[
    "Quatuor Ligéria", "Orchestre de chambre de Touraine", "Trio Alba", "Ensemble Faubourg",
    "Les Voix Mêlées", "Big Band de la Loire", "Duo Ardoise", "Collectif Basse Fréquence",
    "Quintette Azur", "Chœur Résonance",
];

/// Folds French accents to ASCII, as people often type in email addresses.
pub(crate) fn fold_accents(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'À' | 'Â' => 'A',
            'É' | 'È' | 'Ê' => 'E',
            'Î' => 'I',
            'Ô' => 'O',
            'Ù' | 'Û' => 'U',
            'Ç' => 'C',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn folding_removes_french_accents_only() {
        assert_eq!(super::fold_accents("Hélène Lefèvre-Noël, Ç"), "Helene Lefevre-Noel, C");
    }
}
