//! Which form answers a missing fact: the fact's text, as the missing-data screen shows it
//! ("hemoglobin result", "history: cns disease", "clinician attestation for C-I13 (steroid
//! dose)", "sledai2k score", "weight", "RA diagnosis", "treatment history (methotrexate)",
//! "allergy history", "pregnant", "LVEF"), read back into a kind of fact, so that each kind gets
//! fields of its own and every other fact a form in the patient-file format.

use crate::patient::recorded::{FLAGS, RECORDED};
use crate::units::Dimension;
use crate::vocab;
use crate::vocab::catalogue_drug;

/// What a missing fact asks for, as far as a form of its own can answer it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FactKind {
    /// A numeric lab (vocabulary name) and the dimension its units belong to.
    Lab {
        name: String,
        dimension: Dimension,
    },
    /// A qualitative lab: positive or negative, titre, method.
    Qualitative {
        name: String,
    },
    /// A medical-history category (vocabulary name, `cns_disease`).
    History {
        category: String,
    },
    /// A clinician's judgement on a criterion, for one named part of it or the whole.
    Attestation {
        criterion: String,
        part: Option<String>,
    },
    /// A disease-activity score (vocabulary name).
    Score {
        name: String,
    },
    /// Weight or height: value with its unit.
    Measure {
        key: &'static str,
    },
    DateOfBirth,
    Sex,
    /// A diagnosis: the code when the fact names one of `vocab::DIAGNOSES`.
    Diagnosis {
        code: Option<String>,
    },
    /// A treatment received: the catalogue drug when the fact names one.
    Treatment {
        drug: Option<String>,
    },
    /// Allergies: none, or a substance with its severity.
    Allergy,
    /// A yes/no fact of `patient::recorded::FLAGS` (its rule name).
    Flag {
        name: &'static str,
    },
    /// A number of `patient::recorded::RECORDED` (its rule name).
    Recorded {
        name: &'static str,
    },
    /// Anything else: typed in the patient-file format.
    Other,
}

/// The kind of fact a missing fact's text names.
pub fn kind_of(fact: &str) -> FactKind {
    let fact = fact.trim();
    if let Some(category) = fact.strip_prefix("history: ") {
        let category = category.trim().replace(' ', "_");
        if vocab::CATEGORIES.contains(&category.as_str()) {
            return FactKind::History { category };
        }
    }
    if let Some(rest) = fact.strip_prefix("clinician attestation for ") {
        let (criterion, part) = match rest.split_once(" (") {
            Some((c, p)) => (
                c.trim(),
                Some(p.trim_end_matches(')').trim().replace(' ', "_")),
            ),
            None => (rest.trim(), None),
        };
        if !criterion.is_empty() && !criterion.contains(' ') {
            return FactKind::Attestation {
                criterion: criterion.to_string(),
                part,
            };
        }
    }
    match fact {
        "weight" => return FactKind::Measure { key: "weight" },
        "height" => return FactKind::Measure { key: "height" },
        "date of birth" => return FactKind::DateOfBirth,
        "sex" => return FactKind::Sex,
        "allergy history" | "allergy severity" => return FactKind::Allergy,
        _ => {}
    }
    if let Some(k) = clinical_kind(fact) {
        return k;
    }
    let first = fact.split_whitespace().next().unwrap_or_default();
    let rest = fact[first.len()..].trim_start();
    let lab_words = [
        "result",
        "value",
        "in a recognised unit",
        "qualitative result",
    ];
    if lab_words.iter().any(|w| rest.starts_with(w)) {
        if let Some(dimension) = vocab::lab_dimension(first) {
            return FactKind::Lab {
                name: first.to_string(),
                dimension,
            };
        }
        if vocab::QUALITATIVE_LABS.contains(&first) {
            return FactKind::Qualitative {
                name: first.to_string(),
            };
        }
    }
    if rest.starts_with("score") && vocab::SCORES.contains(&first) {
        return FactKind::Score {
            name: first.to_string(),
        };
    }
    FactKind::Other
}

/// The diagnosis, treatment, flag and recorded-number facts, or None.
fn clinical_kind(fact: &str) -> Option<FactKind> {
    if let Some(f) = FLAGS.iter().find(|f| fact == f.name.replace('_', " ")) {
        return Some(FactKind::Flag { name: f.name });
    }
    if fact.starts_with("contraception agreed for") || fact.starts_with("contraception period") {
        return Some(FactKind::Flag {
            name: "contraception_agreed",
        });
    }
    if let Some(r) = RECORDED.iter().find(|r| fact.eq_ignore_ascii_case(r.label)) {
        return Some(FactKind::Recorded { name: r.name });
    }
    let treatment = [
        "treatment history (",
        "complete treatment history (",
        "outcome of ",
        "dates of ",
    ];
    if treatment.iter().any(|w| fact.starts_with(w)) {
        let lower = fact.to_lowercase();
        let drug = vocab::DRUGS
            .iter()
            .map(|(d, _)| *d)
            .chain(vocab::DRUG_SPELLINGS.iter().map(|(s, _)| *s))
            .filter(|d| lower.contains(d))
            .max_by_key(|d| d.len())
            .and_then(catalogue_drug);
        return Some(FactKind::Treatment {
            drug: drug.map(str::to_string),
        });
    }
    let first = fact.split_whitespace().next().unwrap_or_default();
    let rest = fact[first.len()..].trim_start();
    let diagnosis = rest == "diagnosis"
        || rest == "diagnosis date"
        || rest.starts_with("classification criteria");
    if diagnosis && !first.is_empty() {
        let code = first.to_lowercase();
        let known = vocab::DIAGNOSES.contains(&code.as_str());
        if known || vocab::diagnosis_group(&code).is_some() {
            return Some(FactKind::Diagnosis {
                code: known.then_some(code),
            });
        }
    }
    None
}

/// Whether a lab's rules may read it as a multiple of its upper limit of normal.
pub fn has_uln(d: Dimension) -> bool {
    matches!(
        d,
        Dimension::Enzyme
            | Dimension::Bilirubin
            | Dimension::Creatinine
            | Dimension::Ratio
            | Dimension::Seconds
    )
}

/// For a fact without a form of its own: an example in the patient-file format that
/// answers it, to be edited (one line: inline tables).
pub fn example(fact: &str) -> String {
    let f = fact.trim();
    let example = if f == "prior clinical-trial treatment" {
        "checked = { trials = true }"
    } else if f.starts_with("date of last clinical-trial treatment") {
        "trial_participation = [{ trial = \"NCT00000000\", last_treatment = 2025-01-01 }]"
    } else if f.ends_with("diagnosis") {
        "diagnosis = [{ code = \"sle\", diagnosed = 2020-01-01 }]"
    } else {
        "cardiac = { lvef = 60.0 }"
    };
    example.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_missing_data_texts_are_read_back_into_kinds() {
        assert_eq!(
            kind_of("hemoglobin result"),
            FactKind::Lab {
                name: "hemoglobin".into(),
                dimension: Dimension::Hemoglobin
            }
        );
        assert!(
            matches!(kind_of("alt result within 28 days"), FactKind::Lab { name, .. } if name == "alt")
        );
        assert_eq!(
            kind_of("history: cns disease"),
            FactKind::History {
                category: "cns_disease".into()
            }
        );
        assert_eq!(
            kind_of("clinician attestation for C-I13 (steroid dose)"),
            FactKind::Attestation {
                criterion: "C-I13".into(),
                part: Some("steroid_dose".into())
            }
        );
        assert_eq!(
            kind_of("clinician attestation for C-E12"),
            FactKind::Attestation {
                criterion: "C-E12".into(),
                part: None
            }
        );
        assert_eq!(
            kind_of("sledai2k score"),
            FactKind::Score {
                name: "sledai2k".into()
            }
        );
        assert_eq!(
            kind_of("pregnancy_test result within the 28-day screening window"),
            FactKind::Qualitative {
                name: "pregnancy_test".into()
            }
        );
        assert_eq!(kind_of("weight"), FactKind::Measure { key: "weight" });
        assert_eq!(kind_of("date of birth"), FactKind::DateOfBirth);
        assert_eq!(
            kind_of("treatment history (cyclophosphamide)"),
            FactKind::Treatment {
                drug: Some("cyclophosphamide".into())
            }
        );
        assert_eq!(
            kind_of("treatment history (csDMARD)"),
            FactKind::Treatment { drug: None }
        );
        assert_eq!(
            kind_of("RA diagnosis"),
            FactKind::Diagnosis {
                code: Some("ra".into())
            }
        );
        assert_eq!(kind_of("allergy history"), FactKind::Allergy);
        assert_eq!(kind_of("pregnant"), FactKind::Flag { name: "pregnant" });
        assert_eq!(
            kind_of("consent signed"),
            FactKind::Flag {
                name: "consent_signed"
            }
        );
        assert_eq!(
            kind_of("contraception agreed for 6 months"),
            FactKind::Flag {
                name: "contraception_agreed"
            }
        );
        assert_eq!(kind_of("LVEF"), FactKind::Recorded { name: "lvef" });
        assert_eq!(kind_of("NYHA class"), FactKind::Recorded { name: "nyha" });
        assert_eq!(kind_of("history: no such thing"), FactKind::Other);
    }
}
