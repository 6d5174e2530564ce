//! How a form's typed answer becomes a fragment in the patient-file format — built with
//! `toml`'s `Table` and `Value`, never by pasting text — or the reasons it cannot, each naming
//! its field, before anything is sent to be checked.

use crate::tui::intake::form::{Built, Form, Purpose};
use crate::tui::intake::kind::{FactKind, has_uln};
use chrono::NaiveDate;
use toml::{Table, Value};

impl Form {
    /// The typed answer as a fragment, or why it cannot be one (each reason naming its field).
    pub fn build(&self) -> Result<Built, Vec<String>> {
        let mut errors = Vec::new();
        let mut b = Builder {
            form: self,
            errors: &mut errors,
        };
        for f in &self.fields {
            if !f.choices.is_empty() && f.value() == super::form::UNCHOSEN {
                b.errors
                    .push(format!("{}: choose an answer (←/→)", f.label));
            }
        }
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
            FactKind::Diagnosis { .. }
            | FactKind::Treatment { .. }
            | FactKind::Allergy
            | FactKind::Flag { .. }
            | FactKind::Recorded { .. } => b.clinical(&self.kind, &mut t),
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
pub(super) struct Builder<'a> {
    pub(super) form: &'a Form,
    pub(super) errors: &'a mut Vec<String>,
}

impl Builder<'_> {
    pub(super) fn text(&mut self, key: &str, required: bool) -> String {
        let v = self.form.get(key).to_string();
        if required && v.is_empty() {
            self.errors
                .push(format!("{}: required", self.form.label(key)));
        }
        v
    }

    pub(super) fn number(&mut self, key: &str, required: bool) -> Option<f64> {
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

    pub(super) fn date(&mut self, key: &str, required: bool) -> Option<NaiveDate> {
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

pub(super) fn array(t: Table) -> Value {
    Value::Array(vec![Value::Table(t)])
}

pub(super) fn on(d: Option<NaiveDate>) -> String {
    d.map(|d| format!(" on {d}")).unwrap_or_default()
}

/// A date as a TOML date (written from the checked date, not from the text typed).
pub(super) fn insert_date(t: &mut Table, key: &str, d: Option<NaiveDate>) {
    if let Some(v) = d.and_then(|d| d.to_string().parse::<toml::value::Datetime>().ok()) {
        t.insert(key.into(), Value::Datetime(v));
    }
}
