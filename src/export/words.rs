//! Vocabulary codes in plain words for the referral summary: the engine's reasons and missing
//! facts carry codes (`b_cell_targeted`, `DRUG_INDUCED_LUPUS`), a reader wants words.

/// Vocabulary codes in the engine's reasons and missing facts as a reader says them.
const WORDS: &[(&str, &str)] = &[
    // Labs.
    ("alt", "ALT"),
    ("ast", "AST"),
    ("ck", "CK"),
    ("ldh", "LDH"),
    ("tbil", "total bilirubin"),
    ("wbc", "WBC"),
    ("inr", "INR"),
    ("pt", "PT"),
    ("crp", "CRP"),
    ("esr", "ESR"),
    ("urine_protein_24h", "24-hour urine protein"),
    ("upcr", "UPCR"),
    ("fvc_pct", "FVC % predicted"),
    ("dlco_pct", "DLCO % predicted"),
    ("serum_hcg", "serum hCG"),
    ("ana", "ANA"),
    ("iif", "IIF"),
    ("ifa", "IFA"),
    ("anti_dsdna", "anti-dsDNA"),
    ("anti_sm", "anti-Sm"),
    ("myositis_antibody", "myositis antibody"),
    ("hbsag", "HBsAg"),
    ("hbcab", "HBcAb"),
    ("hbv_dna", "HBV DNA"),
    ("hcv_ab", "HCV antibody"),
    ("hcv_rna", "HCV RNA"),
    ("hiv_ab", "HIV antibody"),
    ("pregnancy_test", "pregnancy test"),
    ("anti_jo1", "anti-Jo-1"),
    ("anti_pl7", "anti-PL-7"),
    ("anti_pl12", "anti-PL-12"),
    ("anti_ej", "anti-EJ"),
    ("anti_oj", "anti-OJ"),
    ("anti_mi2", "anti-Mi-2"),
    ("anti_mda5", "anti-MDA5"),
    ("anti_tif1g", "anti-TIF1-gamma"),
    ("anti_nxp2", "anti-NXP2"),
    ("anti_sae", "anti-SAE"),
    ("anti_srp", "anti-SRP"),
    ("anti_hmgcr", "anti-HMGCR"),
    ("anti_ro52", "anti-Ro52"),
    ("anti_pm_scl", "anti-PM-Scl"),
    ("anti_ku", "anti-Ku"),
    // Scores.
    ("sledai2k", "SLEDAI-2K"),
    ("bilag_a", "BILAG A"),
    ("bilag_b", "BILAG B"),
    ("essdai", "ESSDAI"),
    ("das28_esr", "DAS28-ESR"),
    ("das28_crp", "DAS28-CRP"),
    ("cdai", "CDAI"),
    ("sjc66", "swollen joint count (66 joints)"),
    ("tjc68", "tender joint count (68 joints)"),
    ("mmt8", "MMT-8"),
    ("haq", "HAQ"),
    ("phga", "physician global assessment"),
    ("ptga", "patient global assessment"),
    ("mrss", "mRSS"),
    ("mrss_change_pct", "mRSS change (%)"),
    ("fvc_change_pct", "FVC change (%)"),
    ("dlco_change_pct", "DLCO change (%)"),
    ("sharp_change_1y", "Sharp score change in 1 year"),
    ("egfr_decline_pct_3m", "eGFR decline in 3 months (%)"),
    // Treatment classes and outcomes.
    ("calcineurin_inhibitor", "calcineurin inhibitor"),
    ("b_cell_targeted", "B-cell-targeted"),
    ("csf", "colony-stimulating factor"),
    ("ace_inhibitor", "ACE inhibitor"),
    ("arb", "ARB"),
    ("iv_antibiotic", "IV antibiotic"),
    // Conditions and tags.
    ("drug_induced_lupus", "drug-induced lupus"),
    ("drug_induced_myositis", "drug-induced myositis"),
    ("tumor_associated_myositis", "tumor-associated myositis"),
    ("end_stage_renal_failure", "end-stage renal failure"),
    ("cns_disease", "CNS disease"),
    ("cns", "CNS"),
    ("gilbert", "Gilbert"),
    ("gilbert_syndrome", "Gilbert syndrome"),
    ("secondary_igan_cause", "secondary cause of IgA nephropathy"),
    ("mds", "MDS"),
    ("mpd", "MPD"),
    ("non_melanoma", "non-melanoma"),
    ("non_psychotic", "non-psychotic"),
    ("biopsy_confirmed", "biopsy-confirmed"),
    ("mcd", "MCD"),
    ("fsgs", "FSGS"),
    ("lupus_nephritis", "lupus nephritis"),
];

/// Diagnosis codes as clinicians write them.
const DIAGNOSIS_WORDS: &[(&str, &str)] = &[
    ("ra", "RA"),
    ("asys", "ASyS"),
    ("sle", "SLE"),
    ("pss", "pSS"),
    ("ssc", "SSc"),
    ("iim", "IIM"),
    ("dm", "dermatomyositis"),
    ("pm", "polymyositis"),
    ("nm", "necrotising myopathy"),
    ("srns", "SRNS"),
    ("igan", "IgA nephropathy"),
    ("ild", "ILD"),
    ("lupus_nephritis", "lupus nephritis"),
    ("drug_induced_lupus", "drug-induced lupus"),
];

/// The shared vocabulary's lists (labs, scores, diagnoses, classes, outcomes, conditions,
/// statuses and tags).
fn vocabulary() -> impl Iterator<Item = &'static [&'static str]> {
    use crate::vocab as v;
    [
        v::LABS,
        v::SCORES,
        v::DIAGNOSES,
        v::CLASSES,
        v::OUTCOMES,
        v::CATEGORIES,
        v::STATUSES,
    ]
    .into_iter()
    .chain(v::TAG_AXES.iter().copied())
}

/// The words `table` gives for `code` (as written).
fn lookup(table: &[(&str, &str)], code: &str) -> Option<String> {
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, w)| (*w).to_string())
}

/// A vocabulary code with an underscore, its underscores read as spaces (`heart_failure` →
/// "heart failure"): the words of a code no table names.
fn spaced(code: &str) -> Option<String> {
    let known = code.contains('_') && vocabulary().any(|list| list.contains(&code));
    known.then(|| code.replace('_', " "))
}

/// A vocabulary code (any case) in plain words, or `None` when `code` is not one.
fn code_words(code: &str) -> Option<String> {
    let lower = code.to_ascii_lowercase();
    lookup(DIAGNOSIS_WORDS, &lower)
        .or_else(|| lookup(WORDS, &lower))
        .or_else(|| spaced(&lower))
}

/// A diagnosis entry's code as a label, when the patient file gives no name.
pub(super) fn diagnosis_label(code: &str) -> String {
    code_words(code).unwrap_or_else(|| code.to_string())
}

/// The engine's words (a reason, a missing fact) with the vocabulary codes they carry in plain
/// words: `b_cell_targeted` → "B-cell-targeted", `DRUG_INDUCED_LUPUS` → "drug-induced lupus",
/// `serum_hcg` → "serum hCG". Lower-case codes are changed wherever they stand; an upper-case
/// code with an underscore likewise; a short upper-case diagnosis code (DM, SSC) only where the
/// engine puts one — starting a clause, after "no ", or before " diagnosis" or " meets" — so
/// patient text quoted inside a reason ("DM type 2") keeps its own words.
pub(super) fn plain(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut done = 0;
    let is_code_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = s.char_indices().peekable();
    while let Some((a, c)) = chars.next() {
        if !is_code_char(c) {
            continue;
        }
        let mut b = a + c.len_utf8();
        while let Some(&(j, d)) = chars.peek() {
            if !is_code_char(d) {
                break;
            }
            b = j + d.len_utf8();
            chars.next();
        }
        let tok = &s[a..b];
        let lower = tok.bytes().all(|x| !x.is_ascii_uppercase());
        let upper = tok.bytes().all(|x| !x.is_ascii_lowercase());
        let words = if lower {
            lookup(WORDS, tok).or_else(|| spaced(tok))
        } else if upper && tok.contains('_') {
            code_words(tok)
        } else if upper {
            let before = s[..a].trim_end_matches(' ');
            let after = &s[b..];
            let engine = before.is_empty()
                || before.ends_with(';')
                || s[..a].ends_with("no ")
                || after.starts_with(" diagnosis")
                || after.starts_with(" meets")
                || after.starts_with(" classification");
            lookup(DIAGNOSIS_WORDS, &tok.to_ascii_lowercase()).filter(|_| engine)
        } else {
            None
        };
        if let Some(w) = words {
            out.push_str(&s[done..a]);
            out.push_str(&w);
            done = b;
        }
    }
    out.push_str(&s[done..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_read_as_words() {
        for (reason, words) in [
            (
                "b_cell_targeted within 1 month: belimumab",
                "B-cell-targeted within 1 month: belimumab",
            ),
            (
                "no DRUG_INDUCED_LUPUS diagnosis (diagnosis list checked complete)",
                "no drug-induced lupus diagnosis (diagnosis list checked complete)",
            ),
            (
                "no DM diagnosis; SSC meets ACR; DM muscle involvement",
                "no dermatomyositis diagnosis; SSc meets ACR; dermatomyositis muscle involvement",
            ),
            ("serum_hcg negative", "serum hCG negative"),
            (
                "immunosuppressant/calcineurin_inhibitor/b_cell_targeted",
                "immunosuppressant/calcineurin inhibitor/B-cell-targeted",
            ),
            (
                "bilag_a not recorded (needs ≥ 1)",
                "BILAG A not recorded (needs ≥ 1)",
            ),
            // Patient text inside a reason keeps its own words.
            (
                "recorded but not matching: DM type 2 (PM clinic)",
                "recorded but not matching: DM type 2 (PM clinic)",
            ),
        ] {
            assert_eq!(plain(reason), words, "{reason}");
        }
        assert_eq!(diagnosis_label("lupus_nephritis"), "lupus nephritis");
        assert_eq!(diagnosis_label("x_unknown"), "x_unknown");
    }

    #[test]
    fn every_vocabulary_code_with_an_underscore_has_words() {
        for code in vocabulary().flatten() {
            let words = plain(code);
            assert!(!words.contains('_'), "{code} -> {words}");
            assert!(!plain(&code.to_uppercase()).contains('_') || !code.contains('_'));
        }
    }
}
