//! The patient profile as written in `sample-patients/*.toml`: every item optional, so that
//! "not recorded" (absent) can always be told apart from "checked: none" (see [`Checked`]).

use crate::patient::date::Date;
use crate::patient::shared::Shared;
use crate::patient::spanned::Spanned;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One patient profile file.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Patient {
    /// Stable identifier, unique across the queue.
    pub id: String,
    /// Display name (sample files are plainly fictional).
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub dob: Option<Spanned<Date>>,
    /// "female" or "male".
    #[serde(default)]
    pub sex: Option<Spanned<Sex>>,
    #[serde(default)]
    pub weight: Option<Spanned<Measure>>,
    #[serde(default)]
    pub height: Option<Spanned<Measure>>,
    #[serde(default)]
    pub referral: Option<Referral>,
    #[serde(default)]
    pub diagnosis: Vec<Diagnosis>,
    #[serde(default)]
    pub score: Vec<Score>,
    #[serde(default)]
    /// Lab results as written; `patient::prepare` turns them into `Profile::labs` (checked,
    /// converted) and empties this list.
    pub lab: Vec<Spanned<Lab>>,
    #[serde(default)]
    pub cardiac: Option<Cardiac>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub reproductive: Option<Reproductive>,
    #[serde(default)]
    pub treatment: Vec<Treatment>,
    #[serde(default)]
    pub condition: Vec<Condition>,
    #[serde(default)]
    pub allergy: Vec<Allergy>,
    #[serde(default)]
    pub trial_participation: Vec<TrialParticipation>,
    #[serde(default)]
    pub attestation: Vec<Attestation>,
    #[serde(default)]
    pub checked: Option<Checked>,
    /// Facts entered in the app, by dotted path ("cardiac.lvef", "dob", "weight.value"), with
    /// where each came from; read by evidence through `Profile::entered` (see `intake::mark`).
    /// Boxed: most patients have none, and every profile holds the field.
    #[serde(default)]
    pub entered: Option<Box<std::collections::BTreeMap<String, String>>>,
}

/// Where a list item came from when it was entered in the app ("entered by jdoe 2026-12-01
/// 14:02 UTC, phone, Dr Tan"); reads as a `&str`. Held behind one thin pointer, so that the
/// items without one (nearly all) grow by 8 bytes only.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Entered(Box<Shared>);

impl std::ops::Deref for Entered {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// Written "female" or "male", in any case, or "F" / "M".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
}

impl Serialize for Sex {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Sex::Female => "female",
            Sex::Male => "male",
        })
    }
}

impl<'de> Deserialize<'de> for Sex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Sex, D::Error> {
        let s = String::deserialize(d)?;
        match s.trim().to_lowercase().as_str() {
            "female" | "f" => Ok(Sex::Female),
            "male" | "m" => Ok(Sex::Male),
            _ => Err(serde::de::Error::custom(format!(
                "unknown sex '{s}'; write female or male (F or M)"
            ))),
        }
    }
}

/// A measured value with an explicit unit and, optionally, the date it was measured.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Measure {
    pub value: f64,
    pub unit: String,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    #[serde(default)]
    pub clinician: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub received: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A diagnosis, identified by a code from the vocabulary in `vocab.rs` (e.g. "ra", "sle").
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnosis {
    pub code: Spanned<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub diagnosed: Option<NaiveDate>,
    /// Classification criteria met, e.g. "ACR/EULAR 2010" (see `vocab.rs` for the spellings).
    #[serde(default)]
    pub criteria: Vec<String>,
    /// Free-text qualifiers: "biopsy_confirmed", "mcd", "fsgs", "refractory", ...
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

/// A disease-activity or functional score (SLEDAI-2K, ESSDAI, DAS28-ESR, ...).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Score {
    pub name: Spanned<String>,
    pub value: Spanned<f64>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub date: Option<NaiveDate>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

/// A laboratory result: numeric with a unit, or qualitative ("positive"/"negative").
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lab {
    pub name: String,
    #[serde(default)]
    pub value: Option<f64>,
    #[serde(default)]
    pub unit: Option<Spanned<String>>,
    /// Upper limit of normal, in the same unit as `value`.
    #[serde(default)]
    pub uln: Option<f64>,
    /// Qualitative result: "positive", "negative" (also "detected", "not detected").
    #[serde(default)]
    pub result: Option<String>,
    /// A titre such as "1:160" (ANA).
    #[serde(default)]
    pub titre: Option<String>,
    /// Method, e.g. "IIF" (immunofluorescence) for ANA.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub date: Option<NaiveDate>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Cardiac {
    /// Left ventricular ejection fraction, percent.
    #[serde(default)]
    pub lvef: Option<Spanned<f64>>,
    /// Echocardiogram shows essentially normal heart structure.
    #[serde(default)]
    pub echo_structure_normal: Option<bool>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub echo_date: Option<NaiveDate>,
    /// ECG without obvious abnormality.
    #[serde(default)]
    pub ecg_normal: Option<bool>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub ecg_date: Option<NaiveDate>,
    /// NYHA functional class 1-4.
    #[serde(default)]
    pub nyha: Option<Spanned<i64>>,
    /// Haemodynamically stable (clinician's assessment).
    #[serde(default)]
    pub hemodynamically_stable: Option<bool>,
    /// Uncontrolled blood pressure.
    #[serde(default)]
    pub uncontrolled_bp: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Status {
    /// ECOG performance status 0-5.
    #[serde(default)]
    pub ecog: Option<Spanned<i64>>,
    /// Oxygen saturation, percent.
    #[serde(default)]
    pub spo2: Option<Spanned<f64>>,
    /// Estimated survival in weeks (clinician's estimate).
    #[serde(default)]
    pub estimated_survival_weeks: Option<Spanned<f64>>,
    /// ACR functional class of RA, 1-4.
    #[serde(default)]
    pub acr_functional_class: Option<Spanned<i64>>,
    /// Informed consent signed (patient or guardian).
    #[serde(default)]
    pub consent_signed: Option<bool>,
    /// On renal replacement therapy (dialysis).
    #[serde(default)]
    pub renal_replacement: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Reproductive {
    #[serde(default)]
    pub childbearing_potential: Option<bool>,
    #[serde(default)]
    pub pregnant: Option<bool>,
    #[serde(default)]
    pub lactating: Option<bool>,
    #[serde(default)]
    pub planning_pregnancy: Option<bool>,
    /// Agrees to use effective contraception (for `contraception_period`).
    #[serde(default)]
    pub contraception_agreed: Option<bool>,
    /// How long after the last study dose the patient agreed to contraception, e.g.
    /// "6 months" (studies ask 90 days, 6 months or a year).
    #[serde(default)]
    pub contraception_period: Option<Spanned<String>>,
    /// Partner is a woman of childbearing potential (for male subjects).
    #[serde(default)]
    pub partner_childbearing_potential: Option<bool>,
}

/// A treatment received: a drug with its classes, dates, dose and outcome.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Treatment {
    pub drug: Spanned<String>,
    /// The drug name in lower case, for matching (set when the file is loaded).
    #[serde(skip)]
    pub key: String,
    /// Catalogue drugs the name contains, as a bitmask over `vocab::DRUGS` (set on load).
    #[serde(skip)]
    pub drug_mask: u64,
    /// Classes from `vocab.rs` (csDMARD, bDMARD, tsDMARD, glucocorticoid, immunosuppressant,
    /// antimalarial, calcineurin_inhibitor, b_cell_targeted, csf, ace_inhibitor, arb, experimental,
    /// parenteral_antimicrobial). When empty, the built-in drug catalogue supplies them.
    /// `patient::prepare` keeps them as `Profile::class_masks` and empties this list.
    #[serde(default)]
    pub classes: Vec<String>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub start: Option<NaiveDate>,
    /// Last dose; absent while ongoing.
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub end: Option<NaiveDate>,
    #[serde(default)]
    pub ongoing: Option<bool>,
    #[serde(default)]
    pub dose: Option<Spanned<Measure>>,
    /// no_response | lost_response | intolerance | response | relapse | ongoing
    #[serde(default)]
    pub outcome: Option<Spanned<String>>,
    /// `outcome` as one bit over `vocab::OUTCOMES` (set on load; 0 when there is none).
    #[serde(skip)]
    pub outcome_bit: u8,
    #[serde(default)]
    pub route: Option<String>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

/// A past or current medical condition (history), in a category from `vocab.rs`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub category: Spanned<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub onset: Option<NaiveDate>,
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub resolved: Option<NaiveDate>,
    /// active | controlled | uncontrolled | inactive | cured | resolved
    #[serde(default)]
    pub status: Option<String>,
    /// mild | moderate | severe
    #[serde(default)]
    pub severity: Option<String>,
    /// Free qualifiers, e.g. "in_situ", "skin", "congenital", "parenteral_treatment".
    #[serde(default)]
    pub tags: Vec<String>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Allergy {
    pub substance: String,
    /// The substance in lower case, for matching (set when the file is loaded).
    #[serde(skip)]
    pub key: String,
    /// mild | moderate | severe
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub reaction: Option<String>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrialParticipation {
    #[serde(default)]
    pub trial: Option<String>,
    /// Date of the last investigational treatment.
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub last_treatment: Option<NaiveDate>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

/// A clinician's recorded judgement on one criterion: the only way a criterion that depends
/// on "the investigator" or on unstated thresholds can resolve.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    /// Criterion id from the inventory, e.g. "A-I6".
    pub criterion: Spanned<Shared>,
    /// The named judgement within the criterion this answers (e.g. "problematic" for C-I25's
    /// item 2), for criteria with more than one; absent for a criterion's only judgement.
    #[serde(default)]
    pub part: Option<String>,
    /// Whether the criterion's condition holds, as the source words it (for an exclusion,
    /// `true` means the excluding condition is present).
    pub met: bool,
    pub by: Shared,
    #[serde(deserialize_with = "crate::patient::date::req")]
    pub date: NaiveDate,
    #[serde(default)]
    pub note: Option<String>,
    /// Where the item came from, when entered in the app (see `intake::mark`).
    #[serde(default)]
    pub entered: Option<Entered>,
}

/// What was asked and found absent. Only a check lets an exclusion pass.
#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Checked {
    /// When the checks were made.
    #[serde(default, deserialize_with = "crate::patient::date::opt")]
    pub date: Option<NaiveDate>,
    /// The diagnosis list is complete: an unlisted diagnosis is absent.
    #[serde(default)]
    pub diagnoses: bool,
    /// The treatment history is complete: an unlisted treatment was not given.
    #[serde(default)]
    pub treatments: bool,
    /// Allergies were asked about; unlisted allergies are absent.
    #[serde(default)]
    pub allergies: bool,
    /// No clinical-trial treatment other than those listed.
    #[serde(default)]
    pub trials: bool,
    /// Condition categories asked about and absent unless listed ("cns_disease", ...).
    /// `patient::prepare` keeps them as `Profile::checked_categories` and empties this list.
    #[serde(default)]
    pub conditions: Vec<Spanned<String>>,
}
