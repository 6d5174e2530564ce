//! Treatments: matching keys (the drug in lower case, its catalogue drugs, its outcome as a
//! bit), classes (from the catalogue when none are written), outcomes, doses and dates checked.

use super::Checker;
use crate::patient::{Patient, Treatment};
use crate::problem::{did_you_mean, key_pos};
use crate::vocab;

pub(super) fn check(c: &mut Checker, p: &mut Patient) {
    for t in &mut p.treatment {
        t.key = t.drug.get_ref().trim().to_lowercase();
        t.drug_mask = vocab::drug_mask(&t.key);
        classes(c, t);
        if let Some(o) = &t.outcome
            && !c.word(o, "treatment.outcome", vocab::OUTCOMES)
        {
            t.outcome = None;
        }
        t.outcome_bit = t
            .outcome
            .as_ref()
            .and_then(|o| vocab::index(vocab::OUTCOMES, o.get_ref()))
            .map_or(0, |i| 1 << i);
        dose(c, t);
        if let (Some(s), Some(e)) = (t.start, t.end)
            && e < s
        {
            let at = key_pos(c.src, t.drug.span().start, "end");
            c.at_offset(
                at,
                "treatment.end",
                format!("'{}': end {e} is before start {s}", t.drug),
            );
        }
    }
}

/// Reports unknown classes; without classes, the catalogue's for the drug.
fn classes(c: &mut Checker, t: &mut Treatment) {
    for cl in &t.classes {
        if !vocab::CLASSES.contains(&cl.as_str()) {
            let hint = did_you_mean(cl, vocab::CLASSES);
            let at = key_pos(c.src, t.drug.span().start, "classes");
            c.at_offset(
                at,
                "treatment.classes",
                format!("'{}': unknown class '{cl}'{hint}", t.drug),
            );
        }
    }
    if t.classes.is_empty() {
        t.classes = vocab::drug_classes(t.drug.get_ref())
            .iter()
            .map(|s| s.to_string())
            .collect();
    }
}

/// Drops (and reports) a dose in an unknown unit or of an impossible amount.
fn dose(c: &mut Checker, t: &mut Treatment) {
    let Some(d) = &t.dose else { return };
    let m = d.get_ref();
    let known = vocab::DOSE_UNITS
        .iter()
        .any(|u| u.eq_ignore_ascii_case(m.unit.trim()));
    if !known || !m.value.is_finite() || m.value <= 0.0 {
        let what = if known {
            format!("{} {} is impossible", m.value, m.unit)
        } else {
            format!(
                "unit '{}' is not recognised (expected one of {})",
                m.unit,
                vocab::DOSE_UNITS.join(", ")
            )
        };
        c.at(d, "treatment.dose", what);
        t.dose = None;
    }
}
