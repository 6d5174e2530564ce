//! The shared vocabulary of trial rules and patient files: lab names and their units, score
//! names, diagnosis codes, treatment classes, condition categories and a small drug catalogue.

use crate::units::Dimension;

mod drugs;
pub use drugs::*;

/// Numeric labs and the dimension their values are measured in.
pub const NUMERIC_LABS: &[(&str, Dimension)] = &[
    ("creatinine", Dimension::Creatinine),
    ("alt", Dimension::Enzyme),
    ("ast", Dimension::Enzyme),
    ("ck", Dimension::Enzyme),
    ("aldolase", Dimension::Enzyme),
    ("ldh", Dimension::Enzyme),
    ("tbil", Dimension::Bilirubin),
    ("wbc", Dimension::CellCount),
    ("neutrophils", Dimension::CellCount),
    ("lymphocytes", Dimension::CellCount),
    ("platelets", Dimension::CellCount),
    ("hemoglobin", Dimension::Hemoglobin),
    ("inr", Dimension::Ratio),
    ("pt", Dimension::Seconds),
    ("crp", Dimension::Crp),
    ("esr", Dimension::Esr),
    ("urine_protein_24h", Dimension::UrineProtein24h),
    ("upcr", Dimension::Upcr),
    ("fvc_pct", Dimension::PercentPredicted),
    ("dlco_pct", Dimension::PercentPredicted),
    ("serum_hcg", Dimension::Hcg),
];

/// The plausible range of each numeric lab in its canonical unit (facts: ranges wider than any
/// result a laboratory reports for a living patient). A value outside is a problem — most often
/// a value written in another unit — and is never used.
pub const LAB_RANGES: &[(&str, f64, f64)] = &[
    ("creatinine", 10.0, 2500.0),
    ("alt", 0.0, 20_000.0),
    ("ast", 0.0, 20_000.0),
    ("ck", 0.0, 500_000.0),
    ("aldolase", 0.0, 2_000.0),
    ("ldh", 0.0, 50_000.0),
    ("tbil", 0.0, 1_000.0),
    ("wbc", 0.0, 500.0),
    ("neutrophils", 0.0, 300.0),
    ("lymphocytes", 0.0, 500.0),
    ("platelets", 0.0, 3_000.0),
    ("hemoglobin", 30.0, 250.0),
    ("inr", 0.5, 20.0),
    ("pt", 5.0, 300.0),
    ("crp", 0.0, 1_000.0),
    ("esr", 0.0, 200.0),
    ("urine_protein_24h", 0.0, 60_000.0),
    ("upcr", 0.0, 60.0),
    ("fvc_pct", 5.0, 200.0),
    ("dlco_pct", 5.0, 200.0),
    ("serum_hcg", 0.0, 1_000_000.0),
];

/// The plausible range of a numeric lab in its canonical unit.
pub fn lab_range(name: &str) -> Option<(f64, f64)> {
    LAB_RANGES
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, lo, hi)| (*lo, *hi))
}

/// Every lab name, numeric ones first (ids are positions in this list).
pub const LABS: &[&str] = &[
    "creatinine",
    "alt",
    "ast",
    "ck",
    "aldolase",
    "ldh",
    "tbil",
    "wbc",
    "neutrophils",
    "lymphocytes",
    "platelets",
    "hemoglobin",
    "inr",
    "pt",
    "crp",
    "esr",
    "urine_protein_24h",
    "upcr",
    "fvc_pct",
    "dlco_pct",
    "serum_hcg",
    "ana",
    "anti_dsdna",
    "anti_sm",
    "myositis_antibody",
    "hbsag",
    "hbcab",
    "hbv_dna",
    "hcv_ab",
    "hcv_rna",
    "hiv_ab",
    "syphilis",
    "pregnancy_test",
    "anti_jo1",
    "anti_pl7",
    "anti_pl12",
    "anti_ej",
    "anti_oj",
    "anti_mi2",
    "anti_mda5",
    "anti_tif1g",
    "anti_nxp2",
    "anti_sae",
    "anti_srp",
    "anti_hmgcr",
    "anti_ro52",
    "anti_pm_scl",
    "anti_ku",
];

/// Id of creatinine in [`LABS`].
pub const CREATININE: u8 = 0;

/// Position of `name` in `list`, the id used for fast matching.
pub fn index(list: &[&str], name: &str) -> Option<u8> {
    list.iter()
        .position(|n| *n == name)
        .and_then(|i| u8::try_from(i).ok())
}

/// Bitmask of treatment classes (see [`CLASSES`]).
pub fn class_mask<'a>(classes: impl IntoIterator<Item = &'a String>) -> u32 {
    classes
        .into_iter()
        .filter_map(|c| index(CLASSES, c))
        .fold(0, |m, i| m | (1 << i))
}

/// Labs reported qualitatively (positive/negative), possibly with a value, ULN or titre: the
/// tail of [`LABS`] from serum hCG (numeric and qualitative alike) on.
pub const QUALITATIVE_LABS: &[&str] = LABS.split_at(NUMERIC_LABS.len() - 1).1;

/// The myositis-specific and -associated antibodies, each a lab of its own: the last 15 of
/// [`LABS`].
pub const MYOSITIS_ANTIBODIES: &[&str] = LABS.split_at(LABS.len() - 15).1;

/// Labs read as one group by `positive(...)`: the group's own name stands for a panel result,
/// and the group is positive when any member's latest result is (see `eval`).
pub const LAB_GROUPS: &[(&str, &[&str])] = &[("myositis_antibody", MYOSITIS_ANTIBODIES)];

/// Diagnosis codes read together by `diagnosis(GROUP, ...)`.
pub const DIAGNOSIS_GROUPS: &[(&str, &[&str])] =
    &[("myositis", &["iim", "dm", "pm", "asys", "nm"])];

/// The codes of a diagnosis group, as a bitmask over [`DIAGNOSES`].
pub fn diagnosis_group(name: &str) -> Option<u32> {
    let (_, codes) = DIAGNOSIS_GROUPS.iter().find(|(g, _)| *g == name)?;
    Some(
        codes
            .iter()
            .filter_map(|c| index(DIAGNOSES, c))
            .fold(0, |m, i| m | (1 << i)),
    )
}

/// Tags that classify a condition or diagnosis entry along one axis. An entry carrying any
/// tag of an axis is described on that axis (a tag of the axis it lacks is absent); an entry
/// with no tag of the axis cannot be classified on it, so a rule reading it stays unknown.
pub const TAG_AXES: &[&[&str]] = &[
    &["congenital", "acquired"],
    &["in_situ", "invasive"],
    &[
        "non_melanoma",
        "melanoma",
        "cervix",
        "bladder",
        "breast",
        "other_site",
    ],
    &["psychosis", "non_psychotic"],
    &["viral", "bacterial", "fungal", "other_organism"],
    &["parenteral_treatment", "oral_treatment", "no_treatment"],
    &["encephalitis", "ocular", "diffuse", "localized"],
    &["chickenpox", "shingles"],
    &["muscle_involvement", "amyopathic"],
    &["biopsy_confirmed", "not_biopsied"],
    &["mcd", "fsgs", "membranous", "other_lesion"],
    &["secondary", "primary"],
];

/// Tags that imply another: a biopsy lesion means a biopsy was done.
const TAG_IMPLIES: &[(&str, &str)] = &[
    ("mcd", "biopsy_confirmed"),
    ("fsgs", "biopsy_confirmed"),
    ("membranous", "biopsy_confirmed"),
    ("other_lesion", "biopsy_confirmed"),
];

/// Whether an entry with `tags` carries `want`: `Some(true)` when it does (or a tag implying
/// it), `Some(false)` when it carries another tag of `want`'s axis, `None` when it cannot be
/// told.
pub fn tag_state(tags: &[String], want: &str) -> Option<bool> {
    let has = |t: &str| tags.iter().any(|x| x == t);
    if has(want)
        || TAG_IMPLIES
            .iter()
            .any(|(from, to)| *to == want && has(from))
    {
        return Some(true);
    }
    let axis = TAG_AXES.iter().find(|a| a.contains(&want))?;
    if axis.iter().any(|t| has(t)) {
        return Some(false);
    }
    None
}

pub const SCORES: &[&str] = &[
    "sledai2k",
    "bilag_a",
    "bilag_b",
    "essdai",
    "das28_esr",
    "das28_crp",
    "cdai",
    "sjc66",
    "tjc68",
    "mmt8",
    "haq",
    "phga",
    "ptga",
    "extramuscular",
    "mrss",
    "mrss_change_pct",
    "fvc_change_pct",
    "dlco_change_pct",
    "sharp_change_1y",
    "egfr_decline_pct_3m",
];

pub const DIAGNOSES: &[&str] = &[
    "ra",
    "asys",
    "sle",
    "pss",
    "ssc",
    "iim",
    "dm",
    "pm",
    "nm",
    "srns",
    "igan",
    "ild",
    "lupus_nephritis",
    "drug_induced_lupus",
];

pub const CLASSES: &[&str] = &[
    "csDMARD",
    "bDMARD",
    "tsDMARD",
    "glucocorticoid",
    "immunosuppressant",
    "antimalarial",
    "calcineurin_inhibitor",
    "biologic",
    "b_cell_targeted",
    "csf",
    "ace_inhibitor",
    "arb",
    "experimental",
    "iv_antibiotic",
    "antiviral",
    "antifungal",
];

pub const OUTCOMES: &[&str] = &[
    "no_response",
    "lost_response",
    "intolerance",
    "response",
    "relapse",
    "ongoing",
];

pub const CATEGORIES: &[&str] = &[
    "bone_marrow_failure",
    "infection",
    "heart_failure",
    "unstable_angina",
    "angina",
    "myocardial_infarction",
    "arrhythmia",
    "heart_disease",
    "cns_disease",
    "malignancy",
    "bleeding_disorder",
    "immunodeficiency",
    "herpes_infection",
    "varicella_zoster",
    "skin_disease",
    "drug_induced_lupus",
    "cirrhosis",
    "aplastic_anemia",
    "mds",
    "mpd",
    "end_stage_renal_failure",
    "mental_illness",
    "cognitive_impairment",
    "drug_induced_myositis",
    "inclusion_body_myositis",
    "tumor_associated_myositis",
    "macrophage_activation_syndrome",
    "interstitial_lung_disease",
    "serious_lung_lesion",
    "gilbert_syndrome",
    "major_medical_condition",
    "secondary_igan_cause",
];

pub const STATUSES: &[&str] = &[
    "active",
    "controlled",
    "uncontrolled",
    "inactive",
    "cured",
    "resolved",
];

pub const SEVERITIES: &[&str] = &["mild", "moderate", "severe"];

/// Units a treatment's dose may be written in (recorded for display; no rule converts doses).
pub const DOSE_UNITS: &[&str] = &[
    "mg",
    "g",
    "µg",
    "ug",
    "mg/day",
    "mg/d",
    "g/day",
    "mg/kg/day",
    "mg/kg/d",
    "mg/kg",
    "mg/m2",
    "g/m2",
    "mg/week",
    "mg/month",
    "IU",
    "mL/kg",
];

/// A number standing for a short id (a criterion id such as "C-I10"): ids of up to 7 bytes are
/// packed whole (bytes and length), so equal keys mean equal ids and no text need be compared;
/// longer ids are hashed (FNV-1a) into keys marked as such (see [`key_is_exact`]).
pub fn key(s: &str) -> u64 {
    let b = s.as_bytes();
    if b.len() <= 7 {
        let packed = b
            .iter()
            .enumerate()
            .fold(0u64, |k, (i, &c)| k | u64::from(c) << (8 * i));
        return packed | (b.len() as u64) << 56;
    }
    let h = b.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
        (h ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3)
    });
    h | 0xff << 56
}

/// Whether a [`key`] holds its id whole (equal exact keys mean equal ids).
pub fn key_is_exact(k: u64) -> bool {
    k >> 56 <= 7
}

pub fn lab_dimension(name: &str) -> Option<Dimension> {
    NUMERIC_LABS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
}

pub fn is_lab(name: &str) -> bool {
    lab_dimension(name).is_some() || QUALITATIVE_LABS.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cover_every_lab() {
        assert_eq!(LABS[usize::from(CREATININE)], "creatinine");
        for (n, _) in NUMERIC_LABS {
            assert!(index(LABS, n).is_some(), "{n}");
        }
        for n in QUALITATIVE_LABS {
            assert!(index(LABS, n).is_some(), "{n}");
        }
        // The slices of LABS named above start where they should.
        assert_eq!(QUALITATIVE_LABS.first(), Some(&"serum_hcg"));
        assert_eq!(QUALITATIVE_LABS.get(1), Some(&"ana"));
        assert_eq!(MYOSITIS_ANTIBODIES.first(), Some(&"anti_jo1"));
        assert_eq!(MYOSITIS_ANTIBODIES.last(), Some(&"anti_ku"));
        assert_eq!(NUMERIC_LABS.last().map(|(n, _)| *n), Some("serum_hcg"));
        assert!(CLASSES.len() <= 32 && CATEGORIES.len() <= 64 && DRUGS.len() <= 64);
        for (n, _) in NUMERIC_LABS {
            assert!(lab_range(n).is_some(), "{n} has a plausible range");
        }
        let m = drug_mask("mycophenolate mofetil");
        assert_eq!(m.count_ones(), 2);
        assert_ne!(key("A-I6"), key("A-I9"));
        assert_ne!(key("A-I6"), key("A-I6\0"));
        assert!(key_is_exact(key("C-I10")) && key_is_exact(key("")));
        assert!(!key_is_exact(key("CRITERION-1")));
        assert_ne!(key("CRITERION-1"), key("CRITERION-2"));
    }

    #[test]
    fn catalogue_and_suggestions() {
        assert!(drug_classes("Rituximab").contains(&"b_cell_targeted"));
        assert!(drug_classes("unknownumab").is_empty());
        assert_eq!(
            crate::problem::closest("malignency", CATEGORIES),
            Some("malignancy")
        );
        assert_eq!(crate::problem::closest("zzzzzz", CATEGORIES), None);
        assert_eq!(
            crate::problem::closest("ecgo", &["ecog", "spo2"]),
            Some("ecog")
        );
        assert_eq!(crate::problem::closest("cns", CATEGORIES), None);
        assert_eq!(crate::problem::closest("csdmard", CLASSES), Some("csDMARD"));
        assert_eq!(lab_dimension("hemoglobin"), Some(Dimension::Hemoglobin));
    }
}
