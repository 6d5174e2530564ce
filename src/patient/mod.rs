//! Patient profiles: the file format (`model`), the facts rules read by name (`recorded`), and
//! the checked, unit-normalised form the engine evaluates (`Profile`), built by `prepare` which
//! also reports every invalid value.

pub mod date;
pub mod derive;
pub mod facts;
pub mod model;
pub mod prepare;
pub mod recorded;
pub mod shared;
pub mod spanned;

pub use facts::Facts;
pub use model::*;
pub use prepare::prepare;
pub use recorded::{Flag, Recorded};
pub use shared::Shared;

use crate::vocab;
use chrono::NaiveDate;
use std::fmt;

/// A qualitative lab reading.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qual {
    Positive,
    Negative,
}

/// A lab result with its numeric value converted to the lab's canonical unit.
#[derive(Debug, Clone)]
pub struct LabFact {
    /// Position of the lab's name in `vocab::LABS`.
    pub id: u8,
    /// Canonical value, or why it cannot be used (e.g. unrecognised unit).
    pub value: Option<Result<f64, String>>,
    /// As written, for evidence: "0.9 mg/dL" (see [`LabFact::written`]).
    pub as_written: Written,
    /// ULN in the canonical unit.
    pub uln: Option<f64>,
    pub qual: Option<Qual>,
    pub titre: Option<f64>,
    /// Method, e.g. "IIF" for ANA.
    pub method: Option<Shared>,
    pub date: Option<NaiveDate>,
    /// Where the result came from, when entered in the app (see `intake::mark`).
    pub entered: Option<Entered>,
}

/// " [entered by jdoe 2026-12-01 14:02 UTC, phone, Dr Tan]" after a fact's own text in
/// evidence, when it was entered in the app; nothing otherwise. One form everywhere; a "; "
/// in the source note is written ", " so that the clause stays one clause.
pub fn entered_note(provenance: Option<&str>) -> String {
    match provenance {
        Some(p) if !p.trim().is_empty() => format!(" [{}]", p.trim().replace("; ", ", ")),
        _ => String::new(),
    }
}

/// A lab result as written in its file, kept in parts (the unit, result word or titre shared
/// across the queue) and put into words when evidence quotes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Written {
    /// A value with its unit as written: "0.9 mg/dL".
    Measure(f64, Shared),
    /// A titre as written, after "titre ": "1:160".
    Titre(Shared),
    /// A value written without a unit.
    Number(f64),
    /// A qualitative result as written: "negative".
    Result(Shared),
    /// Nothing readable: "no value".
    Nothing,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Written::Measure(v, u) => write!(f, "{v} {u}"),
            Written::Titre(t) => write!(f, "titre {t}"),
            Written::Number(v) => write!(f, "{v}"),
            Written::Result(r) => f.write_str(r),
            Written::Nothing => f.write_str("no value"),
        }
    }
}

impl LabFact {
    /// The result as written, for evidence: "0.9 mg/dL", "titre 1:160", "negative".
    pub fn written(&self) -> String {
        self.as_written.to_string()
    }

    /// [`entered_note`] for this result.
    pub fn entered_note(&self) -> String {
        entered_note(self.entered.as_deref())
    }

    pub fn name(&self) -> &'static str {
        vocab::LABS
            .get(usize::from(self.id))
            .copied()
            .unwrap_or("lab")
    }
}

/// A patient ready for evaluation.
#[derive(Debug, Clone)]
pub struct Profile {
    pub file: String,
    /// Line and column of the `id` key in the file, for problems about the id.
    pub id_pos: Option<(usize, usize)>,
    pub data: Patient,
    /// Weight in kg and height in cm, when recorded with a valid unit.
    pub weight_kg: Option<f64>,
    pub height_cm: Option<f64>,
    /// Labs, in file order.
    pub labs: Vec<LabFact>,
    /// Vocabulary ids, index-aligned with `data.diagnosis`, `data.condition`, `data.treatment`
    /// (class bitmask), so evaluation compares numbers, not strings.
    pub diagnosis_ids: Vec<u8>,
    pub condition_ids: Vec<u8>,
    pub class_masks: Vec<u32>,
    /// `vocab::key` of each attestation's criterion id, index-aligned with `data.attestation`.
    pub attestation_keys: Vec<u64>,
    /// For each criterion with an attestation and a short id (held whole in its `vocab::key`),
    /// the key and what its latest attestation says (see [`facts::latest_attestations`]).
    attested: Box<[(u64, bool)]>,
    /// Condition categories checked absent, as a bitmask over `vocab::CATEGORIES`.
    pub checked_categories: u64,
    /// Index into `labs` / `data.score` of the latest result, by lab / score id (`NONE` when
    /// there is none; a file of at most 1 MB holds far fewer than `u32::MAX` items).
    /// Held in the profile itself, not behind pointers: most rules read them.
    latest_labs: [u32; vocab::LABS.len()],
    latest_scores: [u32; vocab::SCORES.len()],
    /// Age, CrCl and eGFR at the as-of date `prepare` was given (read through
    /// [`Profile::facts`], which falls back to computing them for any other date).
    facts: Facts,
    /// The recorded numbers by row of [`recorded::RECORDED`], each checked against its range;
    /// NaN where not recorded or impossible (a checked value is always finite). Read through
    /// [`Profile::recorded`].
    recorded: [f64; recorded::RECORDED.len()],
}

impl Profile {
    pub fn id(&self) -> &str {
        &self.data.id
    }

    pub fn name(&self) -> &str {
        self.data.name.as_deref().unwrap_or("(no name)")
    }

    /// The latest result of a lab (by date; undated results count as oldest).
    pub fn latest_lab(&self, name: &str) -> Option<&LabFact> {
        self.latest_lab_id(vocab::index(vocab::LABS, name)?)
    }

    /// As [`Profile::latest_lab`], by id in `vocab::LABS`.
    pub fn latest_lab_id(&self, id: u8) -> Option<&LabFact> {
        let i = *self.latest_labs.get(usize::from(id))?;
        self.labs.get(usize::try_from(i).ok()?)
    }

    /// Age, CrCl and eGFR at `as_of`: as computed by `prepare` when it is the same date,
    /// computed now otherwise.
    pub fn facts(&self, as_of: NaiveDate) -> Facts {
        match self.facts.at(as_of) {
            Some(f) => *f,
            None => Facts::new(self, as_of),
        }
    }

    /// A recorded number (LVEF, SpO2, …), when recorded and possible.
    pub fn recorded(&self, r: Recorded) -> Option<f64> {
        let v = self.recorded[r.index()];
        (!v.is_nan()).then_some(v)
    }

    /// What the latest attestation for the criterion with this `vocab::key` says, for short
    /// ids (`vocab::key_is_exact`); `None` when there is none.
    pub fn attested(&self, key: u64) -> Option<bool> {
        self.attested
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, met)| *met)
    }

    /// Where the value at `field` (a dotted path: "cardiac.lvef", "dob", "weight") came from,
    /// when it was entered in the app: the path's own mark, else the first mark of a value
    /// inside it ("weight.value"). See `intake::mark`.
    pub fn entered(&self, field: &str) -> Option<&str> {
        let marks = self.data.entered.as_deref()?;
        if let Some(p) = marks.get(field) {
            return Some(p);
        }
        let prefix = format!("{field}.");
        marks
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(_, p)| p.as_str())
            .next()
    }

    /// [`entered_note`] for the value at `field`.
    pub fn entered_note(&self, field: &str) -> String {
        entered_note(self.entered(field))
    }

    /// The latest score with this id in `vocab::SCORES`.
    pub fn latest_score_id(&self, id: u8) -> Option<&Score> {
        let i = *self.latest_scores.get(usize::from(id))?;
        self.data.score.get(usize::try_from(i).ok()?)
    }

    pub fn checked(&self) -> Option<&Checked> {
        self.data.checked.as_ref()
    }

    /// The first diagnosis, for one-line displays.
    pub fn main_diagnosis(&self) -> String {
        self.data
            .diagnosis
            .first()
            .map(|d| {
                d.name
                    .clone()
                    .unwrap_or_else(|| d.code.get_ref().to_uppercase())
            })
            .unwrap_or_else(|| "no diagnosis recorded".into())
    }
}
