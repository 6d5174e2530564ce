//! Which form answers a missing fact: the fact's text, as the missing-data screen shows it
//! ("hemoglobin result", "history: cns disease", "clinician attestation for C-I13 (steroid
//! dose)", "sledai2k score", "weight"), read back into a kind of fact, so that each kind gets
//! fields of its own and every other fact a form in the patient-file format.

use crate::units::Dimension;
use crate::vocab;

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
        _ => {}
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
    let known: &[(&str, &str)] = &[
        ("consent signed", "status = { consent_signed = true }"),
        ("pregnant", "reproductive = { pregnant = false }"),
        ("lactating", "reproductive = { lactating = false }"),
        (
            "planning pregnancy",
            "reproductive = { planning_pregnancy = false }",
        ),
        (
            "childbearing potential",
            "reproductive = { childbearing_potential = false }",
        ),
        ("allergy history", "checked = { allergies = true }"),
        (
            "prior clinical-trial treatment",
            "checked = { trials = true }",
        ),
        ("lvef", "cardiac = { lvef = 60.0 }"),
        ("nyha class", "cardiac = { nyha = 1 }"),
        ("ecog", "status = { ecog = 1 }"),
        ("spo2", "status = { spo2 = 98.0 }"),
    ];
    if let Some((_, e)) = known.iter().find(|(k, _)| f.eq_ignore_ascii_case(k)) {
        return (*e).to_string();
    }
    if f.starts_with("treatment history") {
        return "checked = { treatments = true }".into();
    }
    if let Some(drug) = f.strip_prefix("outcome of ") {
        return format!(
            "treatment = [{{ drug = {}, outcome = \"response\" }}]",
            toml::Value::String(drug.trim().to_string())
        );
    }
    if f.starts_with("contraception") {
        return "reproductive = { contraception_agreed = true, contraception_period = \"1 year\" }"
            .into();
    }
    if f.ends_with("diagnosis") {
        return "diagnosis = [{ code = \"sle\", diagnosed = 2020-01-01 }]".into();
    }
    "cardiac = { lvef = 60.0 }".into()
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
            FactKind::Other
        );
        assert_eq!(kind_of("history: no such thing"), FactKind::Other);
    }
}
