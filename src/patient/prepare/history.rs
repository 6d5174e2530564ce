//! The history a patient file lists — scores, diagnoses, conditions, allergies and the
//! condition categories checked absent — each name checked against the vocabulary; an entry
//! with an unknown name is reported and left out.

use super::Checker;
use crate::patient::Patient;
use crate::vocab;

/// Scores with a known name and a possible value (a signed score: a `_pct` or a change).
pub(super) fn scores(c: &mut Checker, p: &mut Patient) {
    p.score.retain(|s| {
        let known = c.word(&s.name, "score.name", vocab::SCORES);
        let v = *s.value.get_ref();
        let signed = s.name.get_ref().ends_with("_pct") || s.name.get_ref().contains("change");
        let ok = v.is_finite() && (signed || v >= 0.0) && v.abs() < 1e6;
        if !ok {
            c.at(
                &s.value,
                "score.value",
                format!("{v} is impossible for {}", s.name.get_ref()),
            );
        }
        known && ok
    });
}

pub(super) fn diagnoses(c: &mut Checker, p: &mut Patient) {
    p.diagnosis
        .retain(|d| c.word(&d.code, "diagnosis.code", vocab::DIAGNOSES));
}

pub(super) fn conditions(c: &mut Checker, p: &mut Patient) {
    p.condition
        .retain(|d| c.word(&d.category, "condition.category", vocab::CATEGORIES));
}

/// Each allergy's substance in lower case, for matching.
pub(super) fn allergies(p: &mut Patient) {
    for a in &mut p.allergy {
        a.key = a.substance.trim().to_lowercase();
    }
}

/// The categories `[checked]` lists as absent must be known categories.
pub(super) fn checked_categories(c: &mut Checker, p: &Patient) {
    if let Some(ch) = &p.checked {
        for cat in &ch.conditions {
            c.word(cat, "checked.conditions", vocab::CATEGORIES);
        }
    }
}
