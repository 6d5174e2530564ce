//! The entry form: labelled fields shaped by the kind of fact (free text, free text completed
//! from a list, or a choice among accepted values), how keys edit them, and the forms of the
//! kinds it opens with. The fragment a form's answer becomes is built in [`super::build`]
//! (the clinical kinds' fields and fragments are in [`super::clinical`]).

use crate::tui::input::{Edit, TextInput};
use crate::tui::intake::kind::{FactKind, example, has_uln};
use crate::vocab;
use chrono::NaiveDate;

/// The first value of a choice whose answer is clinical (a result, a judgement, "checked:
/// none", sex, …): nothing is chosen until the user moves off it, and a form saved with it is
/// refused — an unthinking Enter never records "negative" or "none".
pub const UNCHOSEN: &str = "(choose with ←/→)";

/// Longest text a field accepts.
const FIELD_MAX: usize = 200;
/// Longest fragment typed in the generic form.
const FACTS_MAX: usize = 2000;

/// One labelled field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// What the fragment builder looks the field up by.
    pub key: &'static str,
    pub label: String,
    /// Free text (unused for a choice).
    pub input: TextInput,
    /// The values to choose from (empty: free text).
    pub choices: Vec<String>,
    pub choice: usize,
    /// Shown beside an empty field ("YYYY-MM-DD").
    pub hint: &'static str,
    /// Free text completed from these as it is typed (empty: none); → at the end of the
    /// text takes the first match.
    pub completions: Vec<String>,
}

impl Field {
    pub(super) fn text(key: &'static str, label: &str, hint: &'static str) -> Field {
        Field {
            key,
            label: label.to_string(),
            input: TextInput::new(FIELD_MAX),
            choices: Vec::new(),
            choice: 0,
            hint,
            completions: Vec::new(),
        }
    }

    pub(super) fn prefilled(
        key: &'static str,
        label: &str,
        hint: &'static str,
        value: &str,
    ) -> Field {
        let mut f = Field::text(key, label, hint);
        for c in value.chars() {
            f.input.apply(Edit::Insert(c));
        }
        f
    }

    pub(super) fn choice<S: AsRef<str>>(key: &'static str, label: &str, choices: &[S]) -> Field {
        Field {
            choices: choices.iter().map(|s| s.as_ref().to_string()).collect(),
            ..Field::text(key, label, "←/→ or first letter")
        }
    }

    /// A text field completed from `list`, opening with `value`.
    pub(super) fn completed<S: AsRef<str>>(
        key: &'static str,
        label: &str,
        hint: &'static str,
        value: &str,
        list: &[S],
    ) -> Field {
        Field {
            completions: list.iter().map(|s| s.as_ref().to_string()).collect(),
            ..Field::prefilled(key, label, hint, value)
        }
    }

    /// The completions that begin with what is typed (case aside), an exact one first.
    pub fn matches(&self) -> Vec<&str> {
        let typed = self.input.text().trim().to_lowercase();
        let mut m: Vec<&str> = self
            .completions
            .iter()
            .map(String::as_str)
            .filter(|c| c.to_lowercase().starts_with(&typed))
            .collect();
        m.sort_by_key(|c| (c.to_lowercase() != typed, c.len()));
        m
    }

    /// The field's value as typed or chosen, trimmed.
    pub fn value(&self) -> &str {
        if self.choices.is_empty() {
            self.input.text().trim()
        } else {
            self.choices.get(self.choice).map_or("", String::as_str)
        }
    }

    /// One edit: text for a text field; for a choice, ←/→ move through the choices and a
    /// letter jumps to the next choice starting with it.
    pub fn apply(&mut self, e: Edit) {
        if self.choices.is_empty() {
            let at_end = self.input.cursor() == self.input.len();
            if e == Edit::Right
                && at_end
                && let Some(first) = self.matches().first().map(|m| m.to_string())
            {
                self.input.apply(Edit::End);
                self.input.apply(Edit::ClearToStart);
                for c in first.chars() {
                    self.input.apply(Edit::Insert(c));
                }
                return;
            }
            self.input.apply(e);
            return;
        }
        let n = self.choices.len();
        match e {
            Edit::Left => self.choice = (self.choice + n - 1) % n,
            Edit::Right | Edit::Insert(' ') => self.choice = (self.choice + 1) % n,
            Edit::Home => self.choice = 0,
            Edit::End => self.choice = n - 1,
            Edit::Insert(c) => {
                let starts = |i: usize| {
                    self.choices[i]
                        .chars()
                        .next()
                        .is_some_and(|f| f.eq_ignore_ascii_case(&c))
                };
                if let Some(i) = (1..=n).map(|k| (self.choice + k) % n).find(|&i| starts(i)) {
                    self.choice = i;
                }
            }
            Edit::Backspace | Edit::Delete | Edit::ClearToStart => {}
        }
    }
}

/// What a form is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Purpose {
    /// A missing fact of a loaded patient (index), as the missing-data screen names it.
    Answer { patient: usize, fact: String },
    /// A new referral, with no file.
    Referral,
}

/// The entry form, open over the screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub purpose: Purpose,
    pub kind: FactKind,
    pub fields: Vec<Field>,
    /// The field with the keys.
    pub focus: usize,
    /// Why the last save was refused (shown in the form, which stays open).
    pub errors: Vec<String>,
    /// A line of guidance under the title.
    pub hint: String,
    /// The values it opened with: anything else counts as typed.
    initial: Vec<String>,
    /// Esc (or Ctrl-C) was pressed once with something typed: again discards (or quits).
    pub discard_asked: bool,
    pub quit_asked: bool,
    /// Sent to be checked and stored; the answer has not come back yet.
    pub pending: bool,
}

/// A fragment ready to be checked and stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The fact(s) in the patient-file format.
    pub fragment: String,
    /// What was entered, in words.
    pub summary: String,
    pub fact_date: Option<NaiveDate>,
    pub source: String,
    /// A new referral's id.
    pub id: Option<String>,
}

pub(super) fn source_field() -> Field {
    Field::text("source", "Source", "phone, Dr Tan")
}

pub(super) fn date_field(key: &'static str, label: &str) -> Field {
    Field::text(key, label, "YYYY-MM-DD")
}

impl Form {
    fn new(purpose: Purpose, kind: FactKind, mut fields: Vec<Field>, hint: String) -> Form {
        fields.push(source_field());
        let initial = fields.iter().map(|f| f.value().to_string()).collect();
        Form {
            purpose,
            kind,
            fields,
            focus: 0,
            errors: Vec::new(),
            hint,
            initial,
            discard_asked: false,
            quit_asked: false,
            pending: false,
        }
    }

    /// The form that answers `fact` for patient `patient` (an index), shaped by its kind.
    pub fn answer(patient: usize, fact: &str, as_of: NaiveDate) -> Form {
        let kind = crate::tui::intake::kind::kind_of(fact);
        let today = as_of.to_string();
        let (fields, hint) = match &kind {
            FactKind::Lab { name, dimension } => {
                let units: Vec<&str> = dimension.accepted_units().collect();
                let mut f = vec![
                    Field::text("value", "Value", "a number"),
                    Field::choice("unit", "Unit", &units),
                    date_field("date", "Date"),
                ];
                if has_uln(*dimension) {
                    f.push(Field::text(
                        "uln",
                        "ULN",
                        "upper limit of normal, same unit",
                    ));
                }
                (f, format!("Lab result: {name}"))
            }
            FactKind::Qualitative { name } => (
                vec![
                    Field::choice("result", "Result", &[UNCHOSEN, "negative", "positive"]),
                    Field::text("titre", "Titre", "1:160 (optional)"),
                    Field::text("method", "Method", "IIF (optional)"),
                    date_field("date", "Date"),
                ],
                format!("Lab result: {name}"),
            ),
            FactKind::History { category } => (
                vec![
                    Field::choice("answer", "Answer", &[UNCHOSEN, "checked: none", "present"]),
                    Field::choice("status", "Status if present", vocab::STATUSES),
                    date_field("onset", "Onset if present"),
                    Field::text("name", "What, if present", "optional"),
                ],
                format!("Medical history: {}", category.replace('_', " ")),
            ),
            FactKind::Attestation { criterion, part } => (
                vec![
                    Field::choice("met", "Judgement", &[UNCHOSEN, "met", "not met"]),
                    Field::text("by", "Attesting clinician", "Dr ..."),
                    Field::prefilled("date", "Date", "YYYY-MM-DD", &today),
                    Field::text("note", "Note", "optional"),
                ],
                format!(
                    "Clinician attestation for {criterion}{} (for an exclusion, met = the \
                     excluding condition is present)",
                    part.as_deref()
                        .map(|p| format!(" ({})", p.replace('_', " ")))
                        .unwrap_or_default()
                ),
            ),
            FactKind::Score { name } => (
                vec![
                    Field::text("value", "Value", "a number"),
                    date_field("date", "Date"),
                ],
                format!("Score: {name}"),
            ),
            FactKind::Measure { key } => {
                let units: &[&str] = if *key == "weight" {
                    &["kg", "lb", "g"]
                } else {
                    &["cm", "m", "in"]
                };
                (
                    vec![
                        Field::text("value", "Value", "a number"),
                        Field::choice("unit", "Unit", units),
                        date_field("date", "Date"),
                    ],
                    format!("Measure: {key}"),
                )
            }
            FactKind::DateOfBirth => (
                vec![date_field("dob", "Date of birth")],
                "Date of birth".into(),
            ),
            FactKind::Sex => (
                vec![Field::choice("sex", "Sex", &[UNCHOSEN, "female", "male"])],
                "Sex".into(),
            ),
            FactKind::Diagnosis { .. }
            | FactKind::Treatment { .. }
            | FactKind::Allergy
            | FactKind::Flag { .. }
            | FactKind::Recorded { .. } => crate::tui::intake::clinical::fields(&kind, fact),
            FactKind::Other => (
                vec![Field {
                    input: {
                        let mut t = TextInput::new(FACTS_MAX);
                        for c in example(fact).chars() {
                            t.apply(Edit::Insert(c));
                        }
                        t
                    },
                    ..Field::text("facts", "Facts", "patient-file format")
                }],
                "Type the fact as in a patient file (the example is to be edited)".into(),
            ),
        };
        Form::new(
            Purpose::Answer {
                patient,
                fact: fact.to_string(),
            },
            kind,
            fields,
            hint,
        )
    }

    /// The new-referral form.
    pub fn referral(as_of: NaiveDate) -> Form {
        let fields = vec![
            Field::text("id", "Patient id", "unique, e.g. R-2026-014"),
            Field::text("name", "Name", ""),
            date_field("dob", "Date of birth"),
            Field::choice("sex", "Sex", &["not stated", "female", "male"]),
            Field::text("clinician", "Referring clinician", ""),
            Field::text("contact", "Contact", "phone or e-mail"),
            Field::prefilled("received", "Received", "YYYY-MM-DD", &as_of.to_string()),
            Field::choice("diagnosis", "Main diagnosis", vocab::DIAGNOSES),
        ];
        Form::new(
            Purpose::Referral,
            FactKind::Other,
            fields,
            "New referral (no file needed): then ask-next walks what is missing".into(),
        )
    }

    /// Whether anything differs from what the form opened with.
    pub fn typed(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, i)| f.value() != i)
    }

    /// Tab (1) or Shift-Tab (-1): the next or previous field, wrapping.
    pub fn move_focus(&mut self, d: isize) {
        let n = self.fields.len() as isize;
        if n > 0 {
            self.focus = (self.focus as isize + d).rem_euclid(n) as usize;
        }
    }

    pub fn edit(&mut self, e: Edit) {
        if let Some(f) = self.fields.get_mut(self.focus) {
            f.apply(e);
        }
    }

    pub(super) fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", Field::value)
    }

    pub(super) fn label(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or(key.to_string(), |f| f.label.clone())
    }
}
