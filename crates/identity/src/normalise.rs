//! How the same person's details are written differently, undone: case, accents, particles and
//! hyphens in names, typos in email domains, phone formats, postcodes that lost their leading
//! zero, abbreviated communes.
//!
//! Every function is total: any text gives a value (possibly empty), never a panic.

/// Lower case, French accents and ligatures folded to ASCII, anything but letters and digits
/// turned into single spaces, trimmed.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded: &str = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' | 'ø' => "o",
            'ù' | 'û' | 'ü' | 'ú' => "u",
            'ÿ' | 'ý' => "y",
            'ç' => "c",
            'ñ' => "n",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                space = false;
                continue;
            }
            c if c.is_alphanumeric() => {
                out.push(c);
                space = false;
                continue;
            }
            _ => {
                if !space {
                    out.push(' ');
                    space = true;
                }
                continue;
            }
        };
        out.push_str(folded);
        space = false;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// Particles that French names carry or drop: "de Villepin", "Villepin"; "Le Goff", "Legoff".
const PARTICLES: [&str; 9] = ["de", "du", "des", "d", "le", "la", "les", "l", "van"];

/// A name for comparison: folded, its separators dropped, so that "de La Tour" and "DELATOUR"
/// agree, as do "Jean-Pierre" and "Jean Pierre".
pub fn name(text: &str) -> String {
    fold(text).split(' ').collect()
}

/// A name without its particles, for names written with or without them: "d'Artagnan" and
/// "Artagnan". A name made only of particles ("Le") is kept whole.
pub fn name_core(text: &str) -> String {
    let folded = fold(text);
    let tokens: Vec<&str> = folded.split(' ').filter(|t| !t.is_empty()).collect();
    if tokens.iter().all(|t| PARTICLES.contains(t)) {
        return tokens.concat();
    }
    tokens
        .into_iter()
        .filter(|t| !PARTICLES.contains(t))
        .collect()
}

/// Common slips in the domains of French email addresses, and the domain meant.
const DOMAIN_FIXES: [(&str, &str); 22] = [
    ("gmial.com", "gmail.com"),
    ("gmal.com", "gmail.com"),
    ("gmail.fr", "gmail.com"),
    ("gmai.com", "gmail.com"),
    ("gnail.com", "gmail.com"),
    ("gmail.con", "gmail.com"),
    ("hotmial.fr", "hotmail.fr"),
    ("hotmal.fr", "hotmail.fr"),
    ("hotmail.con", "hotmail.com"),
    ("hotmial.com", "hotmail.com"),
    ("ornage.fr", "orange.fr"),
    ("orange.com", "orange.fr"),
    ("orage.fr", "orange.fr"),
    ("wanadoo.com", "wanadoo.fr"),
    ("wanado.fr", "wanadoo.fr"),
    ("yaho.fr", "yahoo.fr"),
    ("yahooo.fr", "yahoo.fr"),
    ("yahou.fr", "yahoo.fr"),
    ("laposte.fr", "laposte.net"),
    ("free.com", "free.fr"),
    ("sfr.com", "sfr.fr"),
    ("outlok.fr", "outlook.fr"),
];

/// An email for comparison: trimmed, lower case, its domain's common slips corrected. `None`
/// when it is not an address.
pub fn email(text: &str) -> Option<String> {
    let lowered: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let (local, domain) = lowered.split_once('@')?;
    if local.is_empty() || !domain.contains('.') || domain.contains('@') {
        return None;
    }
    let domain = DOMAIN_FIXES
        .iter()
        .find(|(wrong, _)| *wrong == domain)
        .map_or(domain, |(_, right)| right);
    Some(format!("{local}@{domain}"))
}

/// A phone number in E.164 (`+33612345678`), French unless it says otherwise. `None` when it
/// does not have the digits of a number.
pub fn phone(text: &str) -> Option<String> {
    let international = text.trim_start().starts_with('+') || text.trim_start().starts_with("00");
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    let digits = if international {
        digits.trim_start_matches("00").to_owned()
    } else {
        digits
    };
    match digits.len() {
        // 06 12 34 56 78 → +33 6 12 34 56 78
        10 if !international && digits.starts_with('0') => Some(format!("+33{}", &digits[1..])),
        // 6 12 34 56 78: a leading zero lost in a spreadsheet.
        9 if !international && !digits.starts_with('0') => Some(format!("+33{digits}")),
        // +33 (0)6 12 34 56 78
        12 if digits.starts_with("330") => Some(format!("+33{}", &digits[3..])),
        8..=15 if international => Some(format!("+{digits}")),
        _ => None,
    }
}

/// A French postcode: five digits, the leading zero a spreadsheet dropped put back ("1000" is
/// Bourg-en-Bresse's "01000"). Other text is kept folded, for foreign codes.
pub fn postcode(text: &str) -> Option<String> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return None;
    }
    if compact.chars().all(|c| c.is_ascii_digit()) {
        return match compact.len() {
            4 => Some(format!("0{compact}")),
            _ => Some(compact),
        };
    }
    let folded = fold(&compact);
    (!folded.is_empty()).then_some(folded)
}

/// A commune for comparison: folded, "St" and "Ste" read as "Saint" and "Sainte", separators
/// dropped, so that "ST-CYR-SUR-LOIRE" and "Saint-Cyr-sur-Loire" agree.
pub fn commune(text: &str) -> String {
    fold(text)
        .split(' ')
        .filter(|t| !t.is_empty())
        .map(|t| match t {
            "st" => "saint",
            "ste" => "sainte",
            t => t,
        })
        .collect::<Vec<_>>()
        .concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_agree_whatever_their_case_accents_particles_and_hyphens() {
        for (a, b) in [
            ("Hélène", "HELENE"),
            ("Jean-Pierre", "jean pierre"),
            ("de La Tour", "DELATOUR"),
            ("Le Goff", "Legoff"),
            ("d'Artagnan", "Artagnan"),
            ("Du Pont", "dupont"),
            ("Cœur", "COEUR"),
            ("N'Diaye", "ndiaye"),
        ] {
            let same = name(a) == name(b) || name_core(a) == name_core(b);
            assert!(same, "{a} / {b}: {} {}", name(a), name(b));
        }
        assert_eq!(name_core("de Villepin"), name_core("Villepin"));
        assert_eq!(name_core("Le"), "le", "a name of particles only is kept");
        assert_ne!(name("Martin"), name("Martine"));
        assert_eq!(fold("  Zoé  LEFÈVRE-Dupré "), "zoe lefevre dupre");
    }

    #[test]
    fn emails_lose_case_spaces_and_domain_slips() {
        assert_eq!(
            email(" Ana.Martin@GMIAL.com ").as_deref(),
            Some("ana.martin@gmail.com")
        );
        assert_eq!(email("a@ornage.fr").as_deref(), Some("a@orange.fr"));
        assert_eq!(email("a@wanadoo.com").as_deref(), Some("a@wanadoo.fr"));
        assert_eq!(email("a@orange.fr").as_deref(), Some("a@orange.fr"));
        for wrong in ["", "ana", "@gmail.com", "ana@", "ana@gmail", "a@b@c.fr"] {
            assert_eq!(email(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn phones_are_written_in_e164_french_by_default() {
        for raw in [
            "06 12 34 56 78",
            "0612345678",
            "06.12.34.56.78",
            "+33 6 12 34 56 78",
            "+33 (0)6 12 34 56 78",
            "0033 6 12 34 56 78",
            "612345678",
        ] {
            assert_eq!(phone(raw).as_deref(), Some("+33612345678"), "{raw}");
        }
        assert_eq!(phone("+32 2 123 45 67").as_deref(), Some("+3221234567"));
        assert_eq!(phone("12"), None);
        assert_eq!(phone(""), None);
    }

    #[test]
    fn postcodes_get_back_their_leading_zero() {
        assert_eq!(postcode("1000").as_deref(), Some("01000"));
        assert_eq!(postcode(" 37 000 ").as_deref(), Some("37000"));
        assert_eq!(postcode("SW1A 1AA").as_deref(), Some("sw1a1aa"));
        assert_eq!(postcode("  "), None);
    }

    #[test]
    fn communes_agree_whatever_their_case_accents_and_abbreviations() {
        assert_eq!(commune("ST-CYR-SUR-LOIRE"), commune("Saint-Cyr-sur-Loire"));
        assert_eq!(commune("Joué-lès-Tours"), commune("JOUE LES TOURS"));
        assert_eq!(commune("Ste Maure"), commune("Sainte-Maure"));
    }

    proptest! {
        #[test]
        fn normalising_any_text_never_panics_and_is_stable(text in "\\PC{0,40}") {
            let n = name(&text);
            prop_assert_eq!(name(&n), n.clone());
            let _ = name_core(&text);
            let _ = email(&text);
            let _ = phone(&text);
            let _ = postcode(&text);
            let c = commune(&text);
            prop_assert_eq!(commune(&c), c);
        }
    }
}
