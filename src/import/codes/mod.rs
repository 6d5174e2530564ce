//! The code mapping, kept as data: which standard codes stand for which patient-file fact. The
//! tables are in the files beside this one — `conditions` (SNOMED CT, ICD-10), `observations`
//! (LOINC), `drugs` (RxNorm, ATC), `units` (UCUM) — one row per code, each with the code
//! system's own term, so that a clinician can read and extend them without reading the
//! importer. This file names the code systems, says how a row's code matches a coded value, and
//! holds the small tables of coded answers and statuses the resources carry.

pub mod conditions;
pub mod drugs;
pub mod observations;
pub mod units;

/// A code system the importer reads, whatever URI (or OID) a record names it by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum System {
    Snomed,
    Loinc,
    /// ICD-10, WHO or US clinical modification: codes are compared without their dot.
    Icd10,
    RxNorm,
    Atc,
    Ucum,
    /// HL7 observation interpretation (v3 and v2 table 0078): POS, NEG, DET, ND, ...
    Interpretation,
}

/// The URIs and OIDs a FHIR `Coding.system` names each code system by.
pub const SYSTEMS: &[(&str, System)] = &[
    ("http://snomed.info/sct", System::Snomed),
    ("urn:oid:2.16.840.1.113883.6.96", System::Snomed),
    ("http://loinc.org", System::Loinc),
    ("urn:oid:2.16.840.1.113883.6.1", System::Loinc),
    ("http://hl7.org/fhir/sid/icd-10", System::Icd10),
    ("http://hl7.org/fhir/sid/icd-10-cm", System::Icd10),
    ("urn:oid:2.16.840.1.113883.6.3", System::Icd10),
    ("urn:oid:2.16.840.1.113883.6.90", System::Icd10),
    (
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        System::RxNorm,
    ),
    ("urn:oid:2.16.840.1.113883.6.88", System::RxNorm),
    ("http://www.whocc.no/atc", System::Atc),
    ("urn:oid:2.16.840.1.113883.6.73", System::Atc),
    ("http://unitsofmeasure.org", System::Ucum),
    (
        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
        System::Interpretation,
    ),
    (
        "http://terminology.hl7.org/CodeSystem/v2-0078",
        System::Interpretation,
    ),
];

/// The code system a `Coding.system` URI names (trailing slash and case ignored).
pub fn system_of(uri: &str) -> Option<System> {
    let u = uri.trim().trim_end_matches('/');
    SYSTEMS
        .iter()
        .find(|(s, _)| s.eq_ignore_ascii_case(u))
        .map(|(_, sys)| *sys)
}

impl System {
    /// The name people know the system by, as the import summary writes it.
    pub fn label(self) -> &'static str {
        match self {
            System::Snomed => "SNOMED CT",
            System::Loinc => "LOINC",
            System::Icd10 => "ICD-10",
            System::RxNorm => "RxNorm",
            System::Atc => "ATC",
            System::Ucum => "UCUM",
            System::Interpretation => "HL7 interpretation",
        }
    }
}

/// How specifically a table's `pattern` matches `code` of `system`: `None` when it does not.
/// ICD-10 patterns may end in `*` (every code that begins so: `"M05*"`) or name a range of
/// three-character categories (`"C81-C96"`); they are compared without dots or case. Codes of
/// other systems match exactly. A longer match is more specific, so `"M06.0*"` wins over
/// `"M06*"`, and an exact code over both.
pub fn specificity(system: System, pattern: &str, code: &str) -> Option<usize> {
    if system != System::Icd10 {
        return (pattern == code.trim()).then_some(usize::MAX);
    }
    let code: String = icd_form(code);
    if let Some(prefix) = pattern.strip_suffix('*') {
        let prefix = icd_form(prefix);
        return code.starts_with(&prefix).then_some(prefix.len());
    }
    if let Some((lo, hi)) = pattern.split_once('-') {
        let cat = code.get(..3)?;
        let (lo, hi) = (icd_form(lo), icd_form(hi));
        return (lo.as_str() <= cat && cat <= hi.as_str()).then_some(3);
    }
    (icd_form(pattern) == code).then_some(usize::MAX)
}

/// An ICD-10 code as compared: no dots or spaces, upper case.
fn icd_form(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '.' && !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The rows of `table` that match `code` of `system` most specifically (several rows of one
/// code each give a fact: lupus nephritis is both SLE and lupus nephritis).
pub fn best<'a, R>(
    table: &'a [R],
    system: System,
    code: &str,
    row: impl Fn(&R) -> (System, &'static str),
) -> Vec<&'a R> {
    let mut found: Vec<(usize, &R)> = table
        .iter()
        .filter_map(|r| {
            let (s, pattern) = row(r);
            (s == system)
                .then(|| specificity(system, pattern, code))
                .flatten()
                .map(|n| (n, r))
        })
        .collect();
    let top = found.iter().map(|(n, _)| *n).max().unwrap_or(0);
    found.retain(|(n, _)| *n == top);
    found.into_iter().map(|(_, r)| r).collect()
}

/// A qualitative result as the patient file writes it (`lab.result`).
pub type Word = &'static str;

/// Coded answers that are a qualitative result: (system, code, the patient file's word).
pub const ANSWERS: &[(System, &str, Word)] = &[
    (System::Snomed, "10828004", "positive"),
    (System::Snomed, "260385009", "negative"),
    (System::Snomed, "260373001", "detected"),
    (System::Snomed, "260415000", "not detected"),
    (System::Snomed, "11214006", "reactive"),
    (System::Snomed, "131194007", "non-reactive"),
    (System::Loinc, "LA6576-8", "positive"),
    (System::Loinc, "LA6577-6", "negative"),
    (System::Loinc, "LA11882-0", "detected"),
    (System::Loinc, "LA11883-8", "not detected"),
    (System::Interpretation, "POS", "positive"),
    (System::Interpretation, "NEG", "negative"),
    (System::Interpretation, "DET", "detected"),
    (System::Interpretation, "ND", "not detected"),
];

/// Result words read from a text value as written (`valueString`), compared without case;
/// the same words the patient file takes.
pub const RESULT_WORDS: &[Word] = &[
    "positive",
    "negative",
    "detected",
    "not detected",
    "reactive",
    "non-reactive",
];

/// Condition.clinicalStatus (condition-clinical) → the patient file's condition status.
pub const CLINICAL_STATUS: &[(&str, &str)] = &[
    ("active", "active"),
    ("recurrence", "active"),
    ("relapse", "active"),
    ("inactive", "inactive"),
    ("remission", "inactive"),
    ("resolved", "resolved"),
];

/// Condition.severity (SNOMED CT) → the patient file's severity.
pub const SEVERITIES: &[(&str, &str)] = &[
    ("255604002", "mild"),
    ("6736007", "moderate"),
    ("24484000", "severe"),
];

/// Routes of administration (SNOMED CT) → the patient file's route; `None` for a local route
/// (on the skin, in the eye, ...), whose treatment is not a systemic course and is listed.
pub const ROUTES: &[(&str, Option<&str>)] = &[
    ("26643006", Some("oral")),
    ("47625008", Some("iv")),
    ("34206005", Some("subcutaneous")),
    ("78421000", Some("intramuscular")),
    ("6064005", None),
];

/// Words of a product's name that say its route ("Oral Tablet", "Topical Cream"): a local
/// route (`None`) means the treatment is not a systemic course.
pub const ROUTE_WORDS: &[(&str, Option<&str>)] = &[
    ("oral", Some("oral")),
    ("topical", None),
    ("ophthalmic", None),
    ("otic", None),
    ("nasal", None),
    ("inhalation", None),
    ("inhaler", None),
    ("inhalant", None),
    ("vaginal", None),
    ("rectal", None),
    ("cream", None),
    ("ointment", None),
    ("lotion", None),
    ("eye drops", None),
];

/// Codes that say "no allergy": FHIR's way to say none, which is never read as
/// `checked.allergies` (absent stays unknown).
pub const NO_ALLERGY: &[&str] = &["716186003", "409137002"];

/// Codes of an AllergyIntolerance that name no substance: (SNOMED CT code, why).
pub const NOT_A_SUBSTANCE: &[(&str, &str)] =
    &[("609328004", "an allergic disposition, not a substance")];

/// The qualitative result a coding states, if any.
pub fn answer(system: System, code: &str) -> Option<Word> {
    ANSWERS
        .iter()
        .find(|(s, c, _)| *s == system && c.eq_ignore_ascii_case(code.trim()))
        .map(|(_, _, r)| *r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icd_patterns_match_by_prefix_range_and_exactly() {
        let s = System::Icd10;
        assert!(specificity(s, "M05*", "M05.79").is_some());
        assert!(specificity(s, "M05*", "M0579").is_some());
        assert!(specificity(s, "M06.0*", "M06.07") > specificity(s, "M06*", "M06.07"));
        assert_eq!(specificity(s, "M06.0*", "M06.1"), None);
        assert_eq!(specificity(s, "C81-C96", "C91.00"), Some(3));
        assert_eq!(specificity(s, "C81-C96", "C97"), None);
        assert_eq!(specificity(s, "M32.14", "m32.14"), Some(usize::MAX));
        // Other systems match exactly: a LOINC code's hyphen is not a range.
        assert!(specificity(System::Loinc, "2160-0", "2160-0").is_some());
        assert_eq!(specificity(System::Loinc, "2160-0", "2160"), None);
        assert_eq!(system_of("http://snomed.info/sct/"), Some(System::Snomed));
        assert_eq!(system_of("http://example.org/local"), None);
    }
}
