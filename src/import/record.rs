//! One patient's facts as the import holds them while the inputs stream by: only what was
//! mapped (never the raw JSON), the latest result of each lab and of each score (the studies
//! read the latest; older ones are counted and said), and what was left out. Memory grows with the mapped facts
//! of the patients, not with the size of the export.

use super::summary::Summary;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// Where a resource was read: the file (an index into the import's list of files), the line
/// of an NDJSON file, and a JSON pointer inside a bundle ("/entry/3/resource").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub file: u32,
    pub line: Option<usize>,
    pub pointer: String,
}

/// A lab result as the patient file will write it.
#[derive(Debug, Clone, PartialEq)]
pub struct LabFact {
    pub name: &'static str,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub uln: Option<f64>,
    pub result: Option<&'static str>,
    pub titre: Option<String>,
    pub method: Option<String>,
    pub date: NaiveDate,
    /// The code it came from, written as a comment above it.
    pub source: String,
}

/// A clinical score as the patient file will write it (`[[score]]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreFact {
    /// A name of `vocab::SCORES`.
    pub name: &'static str,
    pub value: f64,
    pub date: NaiveDate,
    /// The code it came from, written as a comment above it.
    pub source: String,
}

/// A measured value with its unit and date (weight, height, LVEF, SpO2).
#[derive(Debug, Clone, PartialEq)]
pub struct Dated {
    pub value: f64,
    pub unit: &'static str,
    pub date: NaiveDate,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct DiagnosisFact {
    pub code: &'static str,
    pub name: String,
    pub diagnosed: Option<NaiveDate>,
    pub tags: Vec<&'static str>,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ConditionFact {
    pub category: &'static str,
    pub name: String,
    pub onset: Option<NaiveDate>,
    pub resolved: Option<NaiveDate>,
    pub status: Option<&'static str>,
    pub severity: Option<&'static str>,
    pub tags: Vec<&'static str>,
    pub source: String,
}

/// A course of a drug, its drug still to be found when the medication is a reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Course {
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    pub ongoing: Option<bool>,
    pub dose: Option<(f64, &'static str)>,
    pub route: Option<&'static str>,
    /// "MedicationRequest, stopped" and the like, for the comment above the course.
    pub how: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TreatmentFact {
    pub drug: &'static str,
    pub course: Course,
    pub source: String,
}

/// A course whose medication is a reference (`Medication/9`), resolved when every input has
/// been read (a Bulk Data export may list the medications after the requests).
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub medication: String,
    pub resource: &'static str,
    pub course: Course,
    pub place: Place,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AllergyFact {
    pub substance: String,
    pub severity: Option<&'static str>,
    pub reaction: Option<String>,
    pub source: String,
}

/// One patient's mapped facts and what was left out.
#[derive(Debug, Clone, Default)]
pub struct Record {
    /// Where the patient was first referred to.
    pub first: Place,
    /// How many resources were about this patient.
    pub resources: u32,
    pub diagnoses: Vec<DiagnosisFact>,
    pub conditions: Vec<ConditionFact>,
    pub labs: Vec<LabFact>,
    /// Results older than the one kept, per lab.
    pub older: BTreeMap<&'static str, u32>,
    pub scores: Vec<ScoreFact>,
    /// Scores older than the one kept, per score.
    pub older_scores: BTreeMap<&'static str, u32>,
    pub weight: Option<Dated>,
    pub height: Option<Dated>,
    pub lvef: Option<Dated>,
    pub spo2: Option<Dated>,
    pub treatments: Vec<TreatmentFact>,
    pub pending: Vec<Pending>,
    pub allergies: Vec<AllergyFact>,
    pub summary: Summary,
    /// Things the coordinator should know that are not facts ("the record says the patient
    /// died on ...").
    pub notes: Vec<String>,
}

impl Record {
    pub fn new(first: Place) -> Self {
        Record {
            first,
            ..Record::default()
        }
    }

    /// Keeps the latest result of each lab (and method: an ANA by immunofluorescence is kept
    /// beside one by another method, since a rule may ask for the method); a result of the
    /// same day read later replaces the earlier one, as the engine reads the last of them.
    pub fn keep_lab(&mut self, fact: LabFact) {
        let same = |l: &LabFact| l.name == fact.name && l.method == fact.method;
        match self.labs.iter_mut().find(|l| same(l)) {
            Some(kept) => {
                *self.older.entry(fact.name).or_default() += 1;
                if fact.date >= kept.date {
                    *kept = fact;
                }
            }
            None => self.labs.push(fact),
        }
    }

    /// Keeps the latest of each score; one of the same day read later replaces the earlier
    /// one, as for labs.
    pub fn keep_score(&mut self, fact: ScoreFact) {
        match self.scores.iter_mut().find(|s| s.name == fact.name) {
            Some(kept) => {
                *self.older_scores.entry(fact.name).or_default() += 1;
                if fact.date >= kept.date {
                    *kept = fact;
                }
            }
            None => self.scores.push(fact),
        }
    }

    /// Keeps the later of two dated values.
    pub fn keep_latest(slot: &mut Option<Dated>, new: Dated) {
        match slot {
            Some(old) if old.date > new.date => {}
            _ => *slot = Some(new),
        }
    }

    /// Adds a diagnosis unless the same one (code and date) is there.
    pub fn add_diagnosis(&mut self, d: DiagnosisFact) {
        if !self
            .diagnoses
            .iter()
            .any(|x| x.code == d.code && x.diagnosed == d.diagnosed && x.tags == d.tags)
        {
            self.diagnoses.push(d);
        }
    }

    /// Adds a condition unless the same one is there.
    pub fn add_condition(&mut self, c: ConditionFact) {
        if !self.conditions.contains(&c) {
            self.conditions.push(c);
        }
    }

    /// Adds a course unless the same one (drug, dates, dose, route) is there.
    pub fn add_treatment(&mut self, t: TreatmentFact) {
        let same = |x: &TreatmentFact| {
            x.drug == t.drug
                && x.course.start == t.course.start
                && x.course.end == t.course.end
                && x.course.ongoing == t.course.ongoing
                && x.course.dose == t.course.dose
                && x.course.route == t.course.route
        };
        if !self.treatments.iter().any(same) {
            self.treatments.push(t);
        }
    }

    /// Adds an allergy unless the same substance with the same severity is there.
    pub fn add_allergy(&mut self, a: AllergyFact) {
        if !self
            .allergies
            .iter()
            .any(|x| x.substance.eq_ignore_ascii_case(&a.substance) && x.severity == a.severity)
        {
            self.allergies.push(a);
        }
    }

    /// Takes in everything of `other` (the same patient, reached by another key).
    pub fn merge(&mut self, other: Record) {
        self.resources += other.resources;
        for d in other.diagnoses {
            self.add_diagnosis(d);
        }
        for c in other.conditions {
            self.add_condition(c);
        }
        for (lab, n) in other.older {
            *self.older.entry(lab).or_default() += n;
        }
        for l in other.labs {
            self.keep_lab(l);
        }
        for (score, n) in other.older_scores {
            *self.older_scores.entry(score).or_default() += n;
        }
        for s in other.scores {
            self.keep_score(s);
        }
        for (slot, new) in [
            (&mut self.weight, other.weight),
            (&mut self.height, other.height),
            (&mut self.lvef, other.lvef),
            (&mut self.spo2, other.spo2),
        ] {
            if let Some(n) = new {
                Record::keep_latest(slot, n);
            }
        }
        for t in other.treatments {
            self.add_treatment(t);
        }
        self.pending.extend(other.pending);
        for a in other.allergies {
            self.add_allergy(a);
        }
        self.summary.merge(other.summary);
        self.notes.extend(other.notes);
    }

    /// How many facts will be written.
    pub fn fact_count(&self) -> usize {
        self.diagnoses.len()
            + self.conditions.len()
            + self.labs.len()
            + self.scores.len()
            + self.treatments.len()
            + self.allergies.len()
            + [&self.weight, &self.height, &self.lvef, &self.spo2]
                .iter()
                .filter(|s| s.is_some())
                .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(name: &'static str, day: u32, value: f64) -> LabFact {
        LabFact {
            name,
            value: Some(value),
            unit: Some("mg/dL".into()),
            uln: None,
            result: None,
            titre: None,
            method: None,
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default(),
            source: String::new(),
        }
    }

    #[test]
    fn the_latest_result_of_each_lab_is_kept_and_older_ones_counted() {
        let mut r = Record::default();
        r.keep_lab(lab("creatinine", 10, 1.0));
        r.keep_lab(lab("creatinine", 12, 1.2));
        r.keep_lab(lab("creatinine", 11, 1.1));
        r.keep_lab(lab("alt", 1, 20.0));
        r.keep_lab(lab("creatinine", 12, 1.3));
        assert_eq!(r.labs.len(), 2);
        assert_eq!(r.labs[0].value, Some(1.3), "the later of one day's results");
        assert_eq!(r.older.get("creatinine"), Some(&3));
        let mut other = Record::default();
        other.keep_lab(lab("creatinine", 20, 2.0));
        r.merge(other);
        assert_eq!(r.labs[0].value, Some(2.0));
        assert_eq!(r.older.get("creatinine"), Some(&4));
    }

    fn score(name: &'static str, day: u32, value: f64) -> ScoreFact {
        ScoreFact {
            name,
            value,
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap_or_default(),
            source: String::new(),
        }
    }

    #[test]
    fn the_latest_of_each_score_is_kept_and_older_ones_counted() {
        let mut r = Record::default();
        r.keep_score(score("cdai", 12, 20.0));
        r.keep_score(score("cdai", 10, 30.0));
        r.keep_score(score("haq", 1, 1.5));
        assert_eq!(r.scores.len(), 2);
        assert_eq!(
            r.scores[0].value, 20.0,
            "the later, whatever the order read"
        );
        assert_eq!(r.older_scores.get("cdai"), Some(&1));
        let mut other = Record::default();
        other.keep_score(score("cdai", 20, 8.0));
        r.merge(other);
        assert_eq!((r.scores[0].value, r.fact_count()), (8.0, 2));
        assert_eq!(r.older_scores.get("cdai"), Some(&2));
    }
}
