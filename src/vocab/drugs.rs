//! The drug catalogue the rules and patient files name: each drug with its classes, the other
//! spellings read as it, the source readings of drug words, and the bitmask of catalogue drugs
//! a treatment's name contains (what evaluation compares instead of text).

use std::collections::HashMap;

/// Drug names (lower case) and the classes they belong to, used when a treatment entry in a
/// patient file gives no classes of its own.
pub const DRUGS: &[(&str, &[&str])] = &[
    ("methotrexate", &["csDMARD", "immunosuppressant"]),
    ("leflunomide", &["csDMARD", "immunosuppressant"]),
    ("sulfasalazine", &["csDMARD"]),
    ("hydroxychloroquine", &["csDMARD", "antimalarial"]),
    ("chloroquine", &["csDMARD", "antimalarial"]),
    ("iguratimod", &["csDMARD"]),
    ("prednisone", &["glucocorticoid"]),
    ("prednisolone", &["glucocorticoid"]),
    ("methylprednisolone", &["glucocorticoid"]),
    ("dexamethasone", &["glucocorticoid"]),
    ("hydrocortisone", &["glucocorticoid"]),
    ("cyclophosphamide", &["immunosuppressant"]),
    ("mycophenolate mofetil", &["immunosuppressant"]),
    ("mycophenolate", &["immunosuppressant"]),
    ("azathioprine", &["immunosuppressant"]),
    (
        "tacrolimus",
        &["immunosuppressant", "calcineurin_inhibitor"],
    ),
    (
        "cyclosporine",
        &["immunosuppressant", "calcineurin_inhibitor"],
    ),
    ("sirolimus", &["immunosuppressant"]),
    ("adalimumab", &["bDMARD", "biologic"]),
    ("etanercept", &["bDMARD", "biologic"]),
    ("infliximab", &["bDMARD", "biologic"]),
    ("golimumab", &["bDMARD", "biologic"]),
    ("certolizumab", &["bDMARD", "biologic"]),
    ("tocilizumab", &["bDMARD", "biologic"]),
    ("sarilumab", &["bDMARD", "biologic"]),
    ("abatacept", &["bDMARD", "biologic"]),
    ("rituximab", &["bDMARD", "biologic", "b_cell_targeted"]),
    ("belimumab", &["biologic", "b_cell_targeted"]),
    ("telitacicept", &["biologic", "b_cell_targeted"]),
    ("obinutuzumab", &["biologic", "b_cell_targeted"]),
    ("anifrolumab", &["biologic"]),
    ("tofacitinib", &["tsDMARD"]),
    ("baricitinib", &["tsDMARD"]),
    ("upadacitinib", &["tsDMARD"]),
    ("filgrastim", &["csf"]),
    ("pegfilgrastim", &["csf"]),
    ("enalapril", &["ace_inhibitor"]),
    ("lisinopril", &["ace_inhibitor"]),
    ("benazepril", &["ace_inhibitor"]),
    ("losartan", &["arb"]),
    ("valsartan", &["arb"]),
    ("irbesartan", &["arb"]),
    ("ceftriaxone", &["iv_antibiotic"]),
    ("vancomycin", &["iv_antibiotic"]),
    ("meropenem", &["iv_antibiotic"]),
    ("piperacillin", &["iv_antibiotic"]),
    ("acyclovir", &["antiviral"]),
    ("valaciclovir", &["antiviral"]),
    ("fluconazole", &["antifungal"]),
    ("voriconazole", &["antifungal"]),
    ("amphotericin", &["antifungal"]),
];

/// Other spellings of catalogue drugs, read the same wherever a drug is named (patient files
/// and trial rules alike): (spelling, catalogue name).
pub const DRUG_SPELLINGS: &[(&str, &str)] = &[
    ("ciclosporin", "cyclosporine"),
    ("cyclosporin", "cyclosporine"),
    ("aciclovir", "acyclovir"),
    ("mmf", "mycophenolate mofetil"),
];

/// The catalogue name of a drug written `word` (its name or another spelling of it).
pub fn catalogue_drug(word: &str) -> Option<&'static str> {
    let w = word.trim().to_lowercase();
    DRUGS.iter().map(|(d, _)| *d).find(|d| *d == w).or_else(|| {
        DRUG_SPELLINGS
            .iter()
            .find(|(s, _)| *s == w)
            .map(|(_, d)| *d)
    })
}

/// Words a source document uses for a catalogue drug that are not its spelling anywhere else
/// (typos and mistranslations): read only in trial rules, each reading documented here.
/// (source word, catalogue name, why).
pub const SOURCE_READINGS: &[(&str, &str, &str)] = &[
    (
        "beliumab",
        "belimumab",
        "paediatric P-I11 lists \"Beliumab\" beside rituximab and telitacicept: a typo of belimumab",
    ),
    (
        "taitacept",
        "telitacicept",
        "paediatric P-I16 \"Taitacept\": most likely telitacicept (criteria inventory reading note)",
    ),
];

/// Words a source uses for a drug that cannot be read with confidence: naming one in a rule's
/// drug list is an error; the rule must ask a clinician instead (an attestation part).
/// (source word, plausible catalogue drugs, why).
pub const UNCLEAR_DRUGS: &[(&str, &[&str], &str)] = &[(
    "mertiomate",
    &["mycophenolate"],
    "CHEC2024-181 lists \"mertiomate\" among immunomodulators: unclear (perhaps mycophenolate)",
)];

/// The catalogue name a rule's drug word stands for, or why it stands for none.
pub fn rule_drug(word: &str) -> Result<&'static str, String> {
    let w = word.trim().to_lowercase();
    if let Some((n, _)) = DRUGS.iter().find(|(n, _)| *n == w) {
        return Ok(n);
    }
    if let Some((_, n)) = DRUG_SPELLINGS.iter().find(|(s, _)| *s == w) {
        return Ok(n);
    }
    if let Some((_, n, _)) = SOURCE_READINGS.iter().find(|(s, ..)| *s == w) {
        return Ok(n);
    }
    if let Some((_, cands, why)) = UNCLEAR_DRUGS.iter().find(|(s, ..)| *s == w) {
        return Err(format!(
            "drug '{word}': {why}; name the plausible drug ({}) in its own branch with a \
             judgement, e.g. treated(drug=[\"{}\"]) and attested(part=\"{w}\")",
            cands.join(", "),
            cands.first().copied().unwrap_or("...")
        ));
    }
    let names: Vec<&str> = DRUGS
        .iter()
        .map(|(n, _)| *n)
        .chain(DRUG_SPELLINGS.iter().map(|(s, _)| *s))
        .collect();
    let hint = crate::problem::did_you_mean(&w, &names);
    Err(format!(
        "unknown drug '{word}'{hint}: add it to the catalogue in src/vocab/drugs.rs, or name its class"
    ))
}

/// Catalogue drugs named inside `name` (lower case), as a bitmask over [`DRUGS`]: a treatment
/// of "mycophenolate mofetil" names both "mycophenolate mofetil" and "mycophenolate".
pub fn drug_mask(name: &str) -> u64 {
    // Treatment names repeat across a queue; each loading thread remembers the masks it found
    // (up to a bound, then starts again).
    thread_local! {
        static SEEN: std::cell::RefCell<HashMap<Box<str>, u64>> = Default::default();
    }
    const SEEN_MAX: usize = 4096;
    if let Some(m) = SEEN.with(|s| s.borrow().get(name).copied()) {
        return m;
    }
    let m = find_drugs(name);
    SEEN.with(|s| {
        let mut s = s.borrow_mut();
        if s.len() >= SEEN_MAX {
            s.clear();
        }
        s.insert(name.into(), m);
    });
    m
}

/// [`drug_mask`] worked out: every catalogue name and spelling searched for in `name`.
fn find_drugs(name: &str) -> u64 {
    let by_name = DRUGS
        .iter()
        .enumerate()
        .filter(|(_, (d, _))| name.contains(d))
        .fold(0, |m, (i, _)| m | (1 << i));
    DRUG_SPELLINGS
        .iter()
        .filter(|(s, _)| name.contains(s))
        .filter_map(|(_, d)| DRUGS.iter().position(|(n, _)| n == d))
        .fold(by_name, |m, i| m | (1 << i))
}

/// Classes of a drug from the catalogue (case-insensitive), empty when unknown.
pub fn drug_classes(drug: &str) -> &'static [&'static str] {
    let d = drug.trim().to_lowercase();
    let d = DRUG_SPELLINGS
        .iter()
        .find(|(s, _)| *s == d)
        .map_or(d.as_str(), |(_, n)| n);
    DRUGS
        .iter()
        .find(|(name, _)| *name == d)
        .map_or(&[], |(_, c)| c)
}
