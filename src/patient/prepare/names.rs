//! Names as people write them: a lab, score, diagnosis or history category is matched without
//! regard to case, spaces or hyphens, and through the common synonyms a referral letter uses
//! (Hb, haemoglobin, SGPT, lupus, …), before it is checked against the vocabulary. Values are
//! never guessed: only names are forgiven, and one table holds every synonym, for files and
//! the app's forms alike.

use crate::patient::Patient;

/// What a synonym names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    Lab,
    Score,
    Diagnosis,
    Category,
}

/// (kind, a name as written — in the spelling [`spelling`] gives —, the vocabulary's name).
pub const SYNONYMS: &[(NameKind, &str, &str)] = &[
    (NameKind::Lab, "hb", "hemoglobin"),
    (NameKind::Lab, "hgb", "hemoglobin"),
    (NameKind::Lab, "haemoglobin", "hemoglobin"),
    (NameKind::Lab, "sgpt", "alt"),
    (NameKind::Lab, "alanine_aminotransferase", "alt"),
    (NameKind::Lab, "sgot", "ast"),
    (NameKind::Lab, "aspartate_aminotransferase", "ast"),
    (NameKind::Lab, "cpk", "ck"),
    (NameKind::Lab, "creatine_kinase", "ck"),
    (NameKind::Lab, "scr", "creatinine"),
    (NameKind::Lab, "serum_creatinine", "creatinine"),
    (NameKind::Lab, "bilirubin", "tbil"),
    (NameKind::Lab, "total_bilirubin", "tbil"),
    (NameKind::Lab, "white_cells", "wbc"),
    (NameKind::Lab, "white_blood_cells", "wbc"),
    (NameKind::Lab, "leukocytes", "wbc"),
    (NameKind::Lab, "anc", "neutrophils"),
    (NameKind::Lab, "neutrophil_count", "neutrophils"),
    (NameKind::Lab, "plt", "platelets"),
    (NameKind::Lab, "platelet_count", "platelets"),
    (NameKind::Lab, "prothrombin_time", "pt"),
    (NameKind::Lab, "c_reactive_protein", "crp"),
    (NameKind::Lab, "sed_rate", "esr"),
    (NameKind::Lab, "hcg", "serum_hcg"),
    (NameKind::Lab, "beta_hcg", "serum_hcg"),
    (NameKind::Lab, "hbs_ag", "hbsag"),
    (NameKind::Lab, "anti_hbc", "hbcab"),
    (NameKind::Lab, "hcv", "hcv_ab"),
    (NameKind::Lab, "anti_hcv", "hcv_ab"),
    (NameKind::Lab, "hiv", "hiv_ab"),
    (NameKind::Lab, "dsdna", "anti_dsdna"),
    (NameKind::Lab, "anti_ds_dna", "anti_dsdna"),
    (NameKind::Lab, "anti_smith", "anti_sm"),
    (NameKind::Lab, "antinuclear_antibody", "ana"),
    (NameKind::Score, "sledai", "sledai2k"),
    (NameKind::Score, "sledai_2k", "sledai2k"),
    (NameKind::Score, "das28", "das28_esr"),
    (NameKind::Diagnosis, "lupus", "sle"),
    (NameKind::Diagnosis, "systemic_lupus_erythematosus", "sle"),
    (NameKind::Diagnosis, "rheumatoid_arthritis", "ra"),
    (NameKind::Diagnosis, "antisynthetase_syndrome", "asys"),
    (NameKind::Diagnosis, "sjogren", "pss"),
    (NameKind::Diagnosis, "sjogrens", "pss"),
    (NameKind::Diagnosis, "sjögren", "pss"),
    (NameKind::Diagnosis, "sjögren's", "pss"),
    (NameKind::Diagnosis, "primary_sjogren_syndrome", "pss"),
    (NameKind::Diagnosis, "primary_sjögren's_syndrome", "pss"),
    (NameKind::Diagnosis, "scleroderma", "ssc"),
    (NameKind::Diagnosis, "systemic_sclerosis", "ssc"),
    (NameKind::Diagnosis, "dermatomyositis", "dm"),
    (NameKind::Diagnosis, "polymyositis", "pm"),
    (NameKind::Diagnosis, "iga_nephropathy", "igan"),
    (NameKind::Diagnosis, "nephrotic_syndrome", "srns"),
    (NameKind::Category, "cancer", "malignancy"),
];

/// A name as compared: trimmed, lower case, runs of spaces and hyphens as one '_'.
pub fn spelling(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for part in name
        .trim()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('_');
        }
        out.extend(part.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The vocabulary's name for `name` of `kind` written as people write it: itself in
/// [`spelling`] when that is in `known`, else a synonym's target; None when neither.
pub fn canonical(kind: NameKind, name: &str, known: &[&'static str]) -> Option<&'static str> {
    let s = spelling(name);
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(&s))
        .copied()
        .or_else(|| {
            SYNONYMS
                .iter()
                .find(|(k, alias, _)| *k == kind && *alias == s)
                .map(|(_, _, to)| *to)
        })
}

/// Rewrites the names of `p` to the vocabulary's where [`canonical`] finds one; the rest are
/// left as written, for the checks to report.
pub(super) fn forgive(p: &mut Patient) {
    use crate::vocab;
    let fix = |kind, s: &mut String, known: &[&'static str]| {
        if !known.contains(&s.as_str())
            && let Some(c) = canonical(kind, s, known)
        {
            *s = c.to_string();
        }
    };
    for l in &mut p.lab {
        fix(NameKind::Lab, &mut l.get_mut().name, vocab::LABS);
    }
    for s in &mut p.score {
        fix(NameKind::Score, s.name.get_mut(), vocab::SCORES);
    }
    for d in &mut p.diagnosis {
        fix(NameKind::Diagnosis, d.code.get_mut(), vocab::DIAGNOSES);
    }
    for c in &mut p.condition {
        fix(NameKind::Category, c.category.get_mut(), vocab::CATEGORIES);
    }
    if let Some(ch) = &mut p.checked {
        for c in &mut ch.conditions {
            fix(NameKind::Category, c.get_mut(), vocab::CATEGORIES);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab;

    #[test]
    fn names_are_forgiven_values_are_not() {
        let lab = |n| canonical(NameKind::Lab, n, vocab::LABS);
        assert_eq!(lab("Hemoglobin"), Some("hemoglobin"));
        assert_eq!(lab("  HB "), Some("hemoglobin"));
        assert_eq!(lab("haemoglobin"), Some("hemoglobin"));
        assert_eq!(lab("SGPT"), Some("alt"));
        assert_eq!(lab("Anti-dsDNA"), Some("anti_dsdna"));
        assert_eq!(lab("anti ds-DNA"), Some("anti_dsdna"));
        assert_eq!(lab("hemoglobn"), None, "a misspelling is not guessed");
        let dx = |n| canonical(NameKind::Diagnosis, n, vocab::DIAGNOSES);
        assert_eq!(dx("lupus"), Some("sle"));
        assert_eq!(dx("Systemic Lupus Erythematosus"), Some("sle"));
        assert_eq!(dx("SLE"), Some("sle"));
        assert_eq!(dx("Lupus nephritis"), Some("lupus_nephritis"));
        // A synonym of one kind is not one of another.
        assert_eq!(canonical(NameKind::Score, "lupus", vocab::SCORES), None);
    }

    #[test]
    fn every_synonym_names_a_word_of_its_vocabulary_in_its_own_spelling() {
        for (kind, alias, to) in SYNONYMS {
            let known = match kind {
                NameKind::Lab => vocab::LABS,
                NameKind::Score => vocab::SCORES,
                NameKind::Diagnosis => vocab::DIAGNOSES,
                NameKind::Category => vocab::CATEGORIES,
            };
            assert!(known.contains(to), "{alias} → {to}");
            assert_eq!(spelling(alias), *alias, "{alias} is written as compared");
            assert!(!known.contains(alias), "{alias} is already a name");
        }
    }
}
