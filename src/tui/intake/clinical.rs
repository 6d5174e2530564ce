//! The forms of the clinical facts: a diagnosis (code completed from `vocab::DIAGNOSES`,
//! classification criteria, date diagnosed), a treatment (drug completed from the catalogue
//! `vocab::DRUGS`, start, end or ongoing, outcome), allergies, the yes/no facts of
//! `patient::recorded::FLAGS` (pregnant, consent signed, contraception with its period, …) and
//! the numbers of `patient::recorded::RECORDED` (LVEF, NYHA class, ECOG, SpO2, …) with their
//! ranges: their fields, and their fragments built with `toml` values, never pasted text.

use crate::intake::merge::AMENDS;
use crate::patient::model::{Cardiac, Patient, Status};
use crate::patient::recorded::{FLAGS, RECORDED, RecordedFact, Slot};
use crate::tui::intake::build::{Builder, array, insert_date, on};
use crate::tui::intake::form::{Field, date_field};
use crate::tui::intake::kind::FactKind;
use crate::vocab;
use crate::vocab::catalogue_drug;
use chrono::NaiveDate;
use toml::{Table, Value};

/// "Not recorded", the first choice where a choice may be left open.
const UNSTATED: &str = "not recorded";
/// The answer that completes a treatment the patient's file lists (`intake::merge::AMENDS`).
const COMPLETES: &str = "completes the listed one";
/// The first choice of a yes/no fact: nothing chosen yet (refused on save).
use super::form::UNCHOSEN as CHOOSE;
use super::form::UNCHOSEN;

/// The fields and hint of the form of a clinical fact (`fact`, as the missing-data screen
/// names it).
pub fn fields(kind: &FactKind, fact: &str) -> (Vec<Field>, String) {
    match kind {
        FactKind::Diagnosis { code } => (
            vec![
                Field::choice(
                    "answer",
                    "Answer",
                    &[UNCHOSEN, "diagnosed", "not diagnosed: list complete"],
                ),
                Field::completed(
                    "code",
                    "Diagnosis code",
                    "sle, ra, … (→ completes)",
                    code.as_deref().unwrap_or_default(),
                    vocab::DIAGNOSES,
                ),
                Field::text("criteria", "Criteria met", "ACR/EULAR 2010, … (optional)"),
                date_field("diagnosed", "Date diagnosed"),
            ],
            "Diagnosis: the code from the list; criteria separated by commas".into(),
        ),
        FactKind::Treatment { drug } => {
            // Asked about a treatment the file lists: its gaps are filled in, not a second
            // treatment added (which would leave the first one's unknown where it was).
            let completes = fact.starts_with("outcome of ") || fact.starts_with("dates of ");
            let answers: &[&str] = if completes {
                &[COMPLETES, "given"]
            } else {
                &[UNCHOSEN, "given", "no other: history complete"]
            };
            let drugs: Vec<&str> = vocab::DRUGS.iter().map(|(d, _)| *d).collect();
            let mut outcomes = vec![UNSTATED];
            outcomes.extend(vocab::OUTCOMES);
            (
                vec![
                    Field::choice("answer", "Answer", answers),
                    Field::completed(
                        "drug",
                        "Drug",
                        "from the catalogue (→ completes)",
                        drug.as_deref().unwrap_or_default(),
                        &drugs,
                    ),
                    date_field("start", "Start"),
                    date_field("end", "End (last dose)"),
                    Field::choice("ongoing", "Ongoing", &["no", "yes"]),
                    Field::choice("outcome", "Outcome", &outcomes),
                ],
                if completes {
                    "Fills in what the listed treatment lacks (dates, outcome); what the file \
                     says is kept. 'given' adds another course instead"
                        .into()
                } else {
                    "Treatment received (or: no treatment other than those listed)".into()
                },
            )
        }
        FactKind::Allergy => {
            let mut severities = vec![UNSTATED];
            severities.extend(vocab::SEVERITIES);
            (
                vec![
                    Field::choice("answer", "Answer", &[UNCHOSEN, "asked: none", "present"]),
                    Field::text("substance", "Substance if present", "penicillin"),
                    Field::choice("severity", "Severity", &severities),
                    Field::text("reaction", "Reaction", "rash (optional)"),
                    Field::choice(
                        "complete",
                        "Other allergies",
                        &[UNCHOSEN, "none other (asked)", "not asked"],
                    ),
                ],
                "Allergies".into(),
            )
        }
        FactKind::Flag { name } => {
            let mut f = vec![
                Field::choice("answer", "Answer", &[CHOOSE, "yes", "no"]),
                date_field("date", "Date assessed"),
            ];
            if *name == "contraception_agreed" {
                f.insert(
                    1,
                    Field::text("period", "For how long", "after the last dose: 6 months"),
                );
            }
            (f, format!("Yes or no: {}", name.replace('_', " ")))
        }
        FactKind::Recorded { name } => {
            let (hint, words) =
                RECORDED
                    .iter()
                    .find(|r| r.name == *name)
                    .map_or((String::new(), *name), |r| {
                        let (lo, hi) = r.range;
                        let kind = if whole(r) {
                            "a whole number"
                        } else {
                            "a number"
                        };
                        (format!("{}: {kind} from {lo} to {hi}", r.words), r.words)
                    });
            (
                vec![
                    Field::text("value", words, "a number"),
                    date_field("date", "Date assessed"),
                ],
                hint,
            )
        }
        _ => (Vec::new(), String::new()),
    }
}

/// Whether a recorded number is a whole number (a class or grade): its slot says so.
fn whole(r: &RecordedFact) -> bool {
    let mut p = Patient {
        cardiac: Some(Cardiac::default()),
        status: Some(Status::default()),
        ..Patient::default()
    };
    matches!((r.slot)(&mut p), Some(Slot::Whole(_)))
}

/// `value` at a field path ("cardiac.lvef") of `t`.
fn insert_at(t: &mut Table, path: &str, value: Value) {
    match path.split_once('.') {
        Some((table, key)) => {
            let inner = t
                .entry(table.to_string())
                .or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(inner) = inner {
                insert_at(inner, key, value);
            }
        }
        None => {
            t.insert(path.to_string(), value);
        }
    }
}

fn checked(t: &mut Table, key: &str) {
    insert_at(t, &format!("checked.{key}"), Value::Boolean(true));
}

type Said = (String, Option<NaiveDate>, Option<String>);

impl Builder<'_> {
    /// A field completed from its list: the entry that is typed, or the only one it begins.
    fn completed(&mut self, key: &str, resolve: fn(&str) -> Option<&'static str>) -> String {
        let typed = self.text(key, true);
        if typed.is_empty() {
            return typed;
        }
        if let Some(known) = resolve(&typed) {
            return known.to_string();
        }
        let field = self.form.fields.iter().find(|f| f.key == key);
        let matches = field.map(|f| f.matches()).unwrap_or_default();
        match matches.as_slice() {
            [one] => one.to_string(),
            [] => {
                self.errors.push(format!(
                    "{}: '{typed}' is not in the list",
                    self.form.label(key)
                ));
                typed
            }
            many => {
                let shown = many.iter().take(5).copied().collect::<Vec<_>>().join(", ");
                self.errors.push(format!(
                    "{}: '{typed}' could be {shown}: type more",
                    self.form.label(key)
                ));
                typed
            }
        }
    }

    /// The fragment of a clinical fact into `t`: (summary, fact date, id).
    pub(super) fn clinical(&mut self, kind: &FactKind, t: &mut Table) -> Said {
        match kind {
            FactKind::Diagnosis { .. } => self.diagnosis(t),
            FactKind::Treatment { .. } => self.treatment(t),
            FactKind::Allergy => self.allergy(t),
            FactKind::Flag { name } => self.flag(name, t),
            FactKind::Recorded { name } => self.recorded(name, t),
            _ => (String::new(), None, None),
        }
    }

    fn diagnosis(&mut self, t: &mut Table) -> Said {
        if self.form.get("answer") != "diagnosed" {
            checked(t, "diagnoses");
            return ("diagnosis list checked complete".into(), None, None);
        }
        let code = self.completed("code", |c| {
            let c = c.to_lowercase();
            vocab::DIAGNOSES.iter().find(|d| **d == c).copied()
        });
        let date = self.date("diagnosed", false);
        let criteria: Vec<String> = self
            .form
            .get("criteria")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        let mut d = Table::new();
        d.insert("code".into(), code.clone().into());
        insert_date(&mut d, "diagnosed", date);
        if !criteria.is_empty() {
            let list = criteria.iter().cloned().map(Value::String).collect();
            d.insert("criteria".into(), Value::Array(list));
        }
        t.insert("diagnosis".into(), array(d));
        let crit = if criteria.is_empty() {
            String::new()
        } else {
            format!(" ({})", criteria.join(", "))
        };
        (format!("diagnosis {code}{crit}{}", on(date)), date, None)
    }

    fn treatment(&mut self, t: &mut Table) -> Said {
        let completes = self.form.get("answer") == COMPLETES;
        if self.form.get("answer") != "given" && !completes {
            checked(t, "treatments");
            return ("treatment history checked complete".into(), None, None);
        }
        let drug = self.completed("drug", catalogue_drug);
        let start = self.date("start", false);
        let end = self.date("end", false);
        let ongoing = self.form.get("ongoing") == "yes";
        if let (Some(s), Some(e)) = (start, end)
            && e < s
        {
            self.errors
                .push(format!("End (last dose): {e} is before the start, {s}"));
        }
        if ongoing && end.is_some() {
            self.errors
                .push("Ongoing: a treatment with a last dose is not ongoing".into());
        }
        let outcome = self.form.get("outcome").to_string();
        let mut m = Table::new();
        let field = if completes { AMENDS } else { "drug" };
        m.insert(field.into(), drug.clone().into());
        insert_date(&mut m, "start", start);
        insert_date(&mut m, "end", end);
        if ongoing {
            m.insert("ongoing".into(), true.into());
        }
        if outcome != UNSTATED {
            m.insert("outcome".into(), outcome.clone().into());
        }
        if completes && m.len() == 1 {
            self.errors
                .push("Answer: nothing to fill in: give the dates, ongoing or the outcome".into());
        }
        t.insert("treatment".into(), array(m));
        let mut parts = Vec::new();
        match (start, end) {
            (Some(s), Some(e)) => parts.push(format!("from {s} to {e}")),
            (Some(s), None) => parts.push(format!("from {s}")),
            (None, Some(e)) => parts.push(format!("to {e}")),
            (None, None) => {}
        }
        if ongoing {
            parts.push("ongoing".into());
        }
        if outcome != UNSTATED {
            parts.push(outcome.replace('_', " "));
        }
        let said = match (completes, parts.is_empty()) {
            (true, _) => format!("listed treatment {drug} completed: {}", parts.join(", ")),
            (false, true) => format!("treatment {drug}"),
            (false, false) => format!("treatment {drug} {}", parts.join(", ")),
        };
        (said, start, None)
    }

    fn allergy(&mut self, t: &mut Table) -> Said {
        if self.form.get("answer") != "present" {
            checked(t, "allergies");
            return ("allergies asked: none".into(), None, None);
        }
        let substance = self.text("substance", true);
        let severity = self.form.get("severity").to_string();
        let mut a = Table::new();
        a.insert("substance".into(), substance.clone().into());
        if severity != UNSTATED {
            a.insert("severity".into(), severity.clone().into());
        }
        if !self.form.get("reaction").is_empty() {
            a.insert(
                "reaction".into(),
                self.form.get("reaction").to_string().into(),
            );
        }
        t.insert("allergy".into(), array(a));
        let complete = self.form.get("complete") != "not asked";
        if complete {
            checked(t, "allergies");
        }
        let severity = if severity == UNSTATED {
            String::new()
        } else {
            format!(" ({severity})")
        };
        let other = if complete { ", no other" } else { "" };
        (
            format!("allergy to {substance}{severity}{other}"),
            None,
            None,
        )
    }

    fn flag(&mut self, name: &str, t: &mut Table) -> Said {
        let Some(f) = FLAGS.iter().find(|f| f.name == name) else {
            self.errors.push(format!("{name}: not a recorded fact"));
            return (String::new(), None, None);
        };
        let answer = self.form.get("answer");
        let yes = answer == "yes";
        let date = self.date("date", false);
        insert_at(t, f.field, Value::Boolean(yes));
        let words = name.replace('_', " ");
        let mut said = format!("{words}: {}", if yes { "yes" } else { "no" });
        if name == "contraception_agreed" {
            let period = self.text("period", false);
            if !period.is_empty() {
                insert_at(
                    t,
                    "reproductive.contraception_period",
                    period.clone().into(),
                );
                said.push_str(&format!(" for {period}"));
            }
        }
        // An ECG or echocardiogram has a date of its own in the file.
        if let Some(at) = match name {
            "ecg_normal" => Some("cardiac.ecg_date"),
            "echo_structure_normal" => Some("cardiac.echo_date"),
            _ => None,
        } && let Some(v) = date.and_then(|d| d.to_string().parse().ok())
        {
            insert_at(t, at, Value::Datetime(v));
        }
        (format!("{said}{}", on(date)), date, None)
    }

    fn recorded(&mut self, name: &str, t: &mut Table) -> Said {
        let Some(r) = RECORDED.iter().find(|r| r.name == name) else {
            self.errors.push(format!("{name}: not a recorded fact"));
            return (String::new(), None, None);
        };
        let value = self.number("value", true);
        let date = self.date("date", false);
        let (lo, hi) = r.range;
        let label = self.form.label("value");
        match value {
            Some(v) if !(lo..=hi).contains(&v) => self
                .errors
                .push(format!("{label}: {v} is impossible (from {lo} to {hi})")),
            Some(v) if whole(r) && v.fract() != 0.0 => self
                .errors
                .push(format!("{label}: {v} is not a whole number")),
            Some(v) if whole(r) => insert_at(t, r.field, Value::Integer(v as i64)),
            Some(v) => insert_at(t, r.field, Value::Float(v)),
            None => {}
        }
        let v = value.map(|v| v.to_string()).unwrap_or_default();
        (format!("{} {v}{}{}", r.label, r.unit, on(date)), date, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_grades_are_whole_numbers_read_from_their_slots() {
        let whole_ones: Vec<&str> = RECORDED
            .iter()
            .filter(|r| whole(r))
            .map(|r| r.name)
            .collect();
        assert_eq!(whole_ones, ["nyha", "ecog", "acr_class"]);
    }

    #[test]
    fn a_field_path_becomes_nested_tables() {
        let mut t = Table::new();
        insert_at(&mut t, "cardiac.lvef", Value::Float(55.0));
        insert_at(&mut t, "cardiac.ecg_normal", Value::Boolean(true));
        let text = toml::to_string(&t).unwrap_or_default();
        assert_eq!(text, "[cardiac]\necg_normal = true\nlvef = 55.0\n");
    }

    #[test]
    fn a_drug_is_read_by_its_catalogue_name_or_another_spelling() {
        assert_eq!(catalogue_drug("Methotrexate"), Some("methotrexate"));
        assert_eq!(catalogue_drug("ciclosporin"), Some("cyclosporine"));
        assert_eq!(catalogue_drug("aspirin"), None);
    }
}
