//! Values a patient's rules read again and again, computed once when the profile is prepared
//! so that screening does not redo them for every criterion: age, CrCl and eGFR at the as-of
//! date (date and power arithmetic), and the latest attestation of each criterion.

use crate::patient::derive;
use crate::patient::{Attestation, Profile};
use crate::vocab;
use chrono::NaiveDate;

/// For each distinct short criterion id (`vocab::key_is_exact`) among `keys` (index-aligned
/// with `list`), its key and `met` of its latest attestation: the latest date wins, and among
/// equal dates the later entry in the file, as in `eval`'s scan.
pub fn latest_attestations(list: &[Attestation], keys: &[u64]) -> Box<[(u64, bool)]> {
    let mut out: Vec<(u64, NaiveDate, bool)> = Vec::new();
    for (a, &k) in list.iter().zip(keys) {
        // A part's attestation answers only that part (read by `eval` from the list).
        if !vocab::key_is_exact(k) || a.part.is_some() {
            continue;
        }
        match out.iter_mut().find(|(key, ..)| *key == k) {
            Some(slot) if slot.1 <= a.date => *slot = (k, a.date, a.met),
            Some(_) => {}
            None => out.push((k, a.date, a.met)),
        }
    }
    out.into_iter().map(|(k, _, met)| (k, met)).collect()
}

/// Age, CrCl and eGFR values (as `derive::Age` and `derive::Kidney` give them) for one as-of
/// date.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Facts {
    /// The date the values hold for; `None` until computed.
    as_of: Option<NaiveDate>,
    pub age: Option<f64>,
    pub crcl: Option<f64>,
    pub egfr: Option<f64>,
}

impl Facts {
    /// The values for `p` at `as_of`.
    pub fn new(p: &Profile, as_of: NaiveDate) -> Facts {
        let kidney = derive::Kidney::of(p, as_of);
        Facts {
            as_of: Some(as_of),
            age: derive::Age::of(p, as_of).value(),
            crcl: kidney.crcl_value(),
            egfr: kidney.egfr_value(),
        }
    }

    /// These values, when they were computed for `as_of`.
    pub fn at(&self, as_of: NaiveDate) -> Option<&Facts> {
        (self.as_of == Some(as_of)).then_some(self)
    }
}
