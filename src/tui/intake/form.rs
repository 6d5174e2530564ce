//! The entry form: labelled fields shaped by the kind of fact (free text, or a choice among
//! accepted values), how keys edit them, and how the typed answer becomes a fragment in the
//! patient-file format — built with `toml`'s `Table` and `Value`, never by pasting text — or
//! the reasons it cannot, before anything is sent to be checked.

use crate::tui::input::{Edit, TextInput};
use crate::tui::intake::kind::{FactKind, example, has_uln};
use crate::vocab;
use chrono::NaiveDate;
use toml::{Table, Value};

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
}

impl Field {
    fn text(key: &'static str, label: &str, hint: &'static str) -> Field {
        Field {
            key,
            label: label.to_string(),
            input: TextInput::new(FIELD_MAX),
            choices: Vec::new(),
            choice: 0,
            hint,
        }
    }

    fn prefilled(key: &'static str, label: &str, hint: &'static str, value: &str) -> Field {
        let mut f = Field::text(key, label, hint);
        for c in value.chars() {
            f.input.apply(Edit::Insert(c));
        }
        f
    }

    fn choice<S: AsRef<str>>(key: &'static str, label: &str, choices: &[S]) -> Field {
        Field {
            choices: choices.iter().map(|s| s.as_ref().to_string()).collect(),
            ..Field::text(key, label, "←/→ or first letter")
        }
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

fn source_field() -> Field {
    Field::text("source", "Source", "phone, Dr Tan")
}

fn date_field(key: &'static str, label: &str) -> Field {
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
                    Field::choice("result", "Result", &["negative", "positive"]),
                    Field::text("titre", "Titre", "1:160 (optional)"),
                    Field::text("method", "Method", "IIF (optional)"),
                    date_field("date", "Date"),
                ],
                format!("Lab result: {name}"),
            ),
            FactKind::History { category } => (
                vec![
                    Field::choice("answer", "Answer", &["checked: none", "present"]),
                    Field::choice("status", "Status if present", vocab::STATUSES),
                    date_field("onset", "Onset if present"),
                    Field::text("name", "What, if present", "optional"),
                ],
                format!("Medical history: {}", category.replace('_', " ")),
            ),
            FactKind::Attestation { criterion, part } => (
                vec![
                    Field::choice("met", "Judgement", &["met", "not met"]),
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
                vec![Field::choice("sex", "Sex", &["female", "male"])],
                "Sex".into(),
            ),
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

    fn get(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", Field::value)
    }

    fn label(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or(key.to_string(), |f| f.label.clone())
    }

    /// The typed answer as a fragment, or why it cannot be one (each reason naming its field).
    pub fn build(&self) -> Result<Built, Vec<String>> {
        let mut errors = Vec::new();
        let mut b = Builder {
            form: self,
            errors: &mut errors,
        };
        let mut t = Table::new();
        let (summary, fact_date, id) = match &self.kind {
            _ if self.purpose == Purpose::Referral => b.referral(&mut t),
            FactKind::Lab { name, dimension } => {
                let value = b.number("value", true);
                let unit = self.get("unit").to_string();
                let date = b.date("date", false);
                let uln = if has_uln(*dimension) {
                    b.number("uln", false)
                } else {
                    None
                };
                let mut lab = Table::new();
                lab.insert("name".into(), name.clone().into());
                if let Some(v) = value {
                    lab.insert("value".into(), v.into());
                }
                lab.insert("unit".into(), unit.clone().into());
                insert_date(&mut lab, "date", date);
                if let Some(u) = uln {
                    lab.insert("uln".into(), u.into());
                }
                t.insert("lab".into(), array(lab));
                let uln = uln.map(|u| format!(" (ULN {u})")).unwrap_or_default();
                let v = value.map(|v| v.to_string()).unwrap_or_default();
                (format!("{name} {v} {unit}{uln}{}", on(date)), date, None)
            }
            FactKind::Qualitative { name } => {
                let result = self.get("result").to_string();
                let date = b.date("date", false);
                let mut lab = Table::new();
                lab.insert("name".into(), name.clone().into());
                lab.insert("result".into(), result.clone().into());
                for k in ["titre", "method"] {
                    if !self.get(k).is_empty() {
                        lab.insert(k.into(), self.get(k).to_string().into());
                    }
                }
                insert_date(&mut lab, "date", date);
                t.insert("lab".into(), array(lab));
                (format!("{name} {result}{}", on(date)), date, None)
            }
            FactKind::History { category } => {
                let words = category.replace('_', " ");
                if self.get("answer") == "present" {
                    let onset = b.date("onset", false);
                    let status = self.get("status").to_string();
                    let mut c = Table::new();
                    c.insert("category".into(), category.clone().into());
                    c.insert("status".into(), status.clone().into());
                    insert_date(&mut c, "onset", onset);
                    if !self.get("name").is_empty() {
                        c.insert("name".into(), self.get("name").to_string().into());
                    }
                    t.insert("condition".into(), array(c));
                    (
                        format!("history: {words} present, {status}{}", on(onset)),
                        onset,
                        None,
                    )
                } else {
                    let mut c = Table::new();
                    c.insert(
                        "conditions".into(),
                        Value::Array(vec![category.clone().into()]),
                    );
                    t.insert("checked".into(), Value::Table(c));
                    (format!("history: {words} checked, none"), None, None)
                }
            }
            FactKind::Attestation { criterion, part } => {
                let met = self.get("met") == "met";
                let by = b.text("by", true);
                let date = b.date("date", true);
                let mut a = Table::new();
                a.insert("criterion".into(), criterion.clone().into());
                if let Some(p) = part {
                    a.insert("part".into(), p.clone().into());
                }
                a.insert("met".into(), met.into());
                a.insert("by".into(), by.clone().into());
                insert_date(&mut a, "date", date);
                if !self.get("note").is_empty() {
                    a.insert("note".into(), self.get("note").to_string().into());
                }
                t.insert("attestation".into(), array(a));
                let said = if met { "met" } else { "not met" };
                (
                    format!("{criterion} {said}, attested by {by}{}", on(date)),
                    date,
                    None,
                )
            }
            FactKind::Score { name } => {
                let value = b.number("value", true);
                let date = b.date("date", false);
                let mut s = Table::new();
                s.insert("name".into(), name.clone().into());
                if let Some(v) = value {
                    s.insert("value".into(), v.into());
                }
                insert_date(&mut s, "date", date);
                t.insert("score".into(), array(s));
                let v = value.map(|v| v.to_string()).unwrap_or_default();
                (format!("{name} {v}{}", on(date)), date, None)
            }
            FactKind::Measure { key } => {
                let value = b.number("value", true);
                let unit = self.get("unit").to_string();
                let date = b.date("date", false);
                let mut m = Table::new();
                if let Some(v) = value {
                    m.insert("value".into(), v.into());
                }
                m.insert("unit".into(), unit.clone().into());
                insert_date(&mut m, "date", date);
                t.insert((*key).into(), Value::Table(m));
                let v = value.map(|v| v.to_string()).unwrap_or_default();
                (format!("{key} {v} {unit}{}", on(date)), date, None)
            }
            FactKind::DateOfBirth => {
                let dob = b.date("dob", true);
                insert_date(&mut t, "dob", dob);
                (format!("date of birth{}", on(dob)), None, None)
            }
            FactKind::Sex => {
                let sex = self.get("sex").to_string();
                t.insert("sex".into(), sex.clone().into());
                (format!("sex {sex}"), None, None)
            }
            FactKind::Other => {
                let text = self.get("facts");
                match text.parse::<Table>() {
                    Ok(parsed) if parsed.contains_key("id") => errors.push(
                        "Facts: an entry does not change a patient's id; leave `id` out".into(),
                    ),
                    Ok(parsed) if parsed.is_empty() => {
                        errors.push("Facts: nothing to store: write a fact".into())
                    }
                    Ok(parsed) => t = parsed,
                    Err(e) => errors.push(format!(
                        "Facts: not in the patient-file format: {}",
                        e.message().trim()
                    )),
                }
                (
                    text.split_whitespace().collect::<Vec<_>>().join(" "),
                    None,
                    None,
                )
            }
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let fragment = toml::to_string(&t).map_err(|e| vec![e.to_string()])?;
        Ok(Built {
            fragment,
            summary,
            fact_date,
            source: self.get("source").to_string(),
            id,
        })
    }
}

/// Reads fields, noting what is wrong with each.
struct Builder<'a> {
    form: &'a Form,
    errors: &'a mut Vec<String>,
}

impl Builder<'_> {
    fn text(&mut self, key: &str, required: bool) -> String {
        let v = self.form.get(key).to_string();
        if required && v.is_empty() {
            self.errors
                .push(format!("{}: required", self.form.label(key)));
        }
        v
    }

    fn number(&mut self, key: &str, required: bool) -> Option<f64> {
        let v = self.text(key, required);
        if v.is_empty() {
            return None;
        }
        match v.parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.errors
                    .push(format!("{}: '{v}' is not a number", self.form.label(key)));
                None
            }
        }
    }

    fn date(&mut self, key: &str, required: bool) -> Option<NaiveDate> {
        let v = self.text(key, required);
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(&v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.errors.push(format!(
                    "{}: '{v}' is not a date (YYYY-MM-DD)",
                    self.form.label(key)
                ));
                None
            }
        }
    }

    /// The referral's fields into `t`: (summary, fact date, id).
    fn referral(&mut self, t: &mut Table) -> (String, Option<NaiveDate>, Option<String>) {
        let id = self.text("id", true);
        if id.chars().any(char::is_whitespace) {
            self.errors.push("Patient id: no spaces".into());
        }
        let name = self.text("name", false);
        let dob = self.date("dob", false);
        let received = self.date("received", false);
        t.insert("id".into(), id.clone().into());
        if !name.is_empty() {
            t.insert("name".into(), name.clone().into());
        }
        insert_date(t, "dob", dob);
        let sex = self.form.get("sex");
        if sex != "not stated" {
            t.insert("sex".into(), sex.to_string().into());
        }
        let mut referral = Table::new();
        for k in ["clinician", "contact"] {
            let v = self.form.get(k);
            if !v.is_empty() {
                referral.insert(k.into(), v.to_string().into());
            }
        }
        insert_date(&mut referral, "received", received);
        if !referral.is_empty() {
            t.insert("referral".into(), Value::Table(referral));
        }
        let code = self.form.get("diagnosis").to_string();
        let mut d = Table::new();
        d.insert("code".into(), code.clone().into());
        t.insert("diagnosis".into(), array(d));
        let summary = format!(
            "new referral {id}{}, main diagnosis {code}",
            if name.is_empty() {
                String::new()
            } else {
                format!(" ({name})")
            }
        );
        (summary, received, Some(id))
    }
}

fn array(t: Table) -> Value {
    Value::Array(vec![Value::Table(t)])
}

fn on(d: Option<NaiveDate>) -> String {
    d.map(|d| format!(" on {d}")).unwrap_or_default()
}

/// A date as a TOML date (written from the checked date, not from the text typed).
fn insert_date(t: &mut Table, key: &str, d: Option<NaiveDate>) {
    if let Some(v) = d.and_then(|d| d.to_string().parse::<toml::value::Datetime>().ok()) {
        t.insert(key.into(), Value::Datetime(v));
    }
}
