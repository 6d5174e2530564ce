//! Patient, Condition and AllergyIntolerance resources: who the patient is (identifier, name,
//! birth date, gender), the diagnoses and history conditions their codes name, with the
//! record's clinical status, verification, severity and dates, and the allergies. Refuted and
//! entered-in-error conditions are skipped; a condition not confirmed has no status the
//! patient file can hold, so it is listed rather than written; a "no known allergy" is never
//! read as "checked: none".

use super::codes::conditions::{self, Maps};
use super::codes::{self, System};
use super::fhir::{self, Day};
use super::record::{AllergyFact, ConditionFact, DiagnosisFact, Record};
use super::summary::{NOT_IN_TABLE, Summary};
use super::{Ctx, Demographics};
use chrono::NaiveDate;
use serde_json::Value;

/// A Patient resource: the keys it is known by (its id, its full URL's id, its identifiers)
/// and its demographics; `None` (with a problem) when it has no id at all.
pub fn patient(
    cx: &mut Ctx,
    r: &Value,
    full_url: Option<&str>,
) -> Option<(Vec<String>, Demographics)> {
    let mut keys: Vec<String> = Vec::new();
    let resource_id = fhir::text(r, "id").map(str::trim).filter(|s| !s.is_empty());
    if let Some(id) = resource_id {
        keys.push(id.to_string());
    }
    let url_key = match full_url.map(|u| fhir::reference_key(u, "Patient")) {
        Some(fhir::Target::Key(k)) => Some(k),
        _ => None,
    };
    if let Some(k) = &url_key
        && !keys.contains(k)
    {
        keys.push(k.clone());
    }
    let identifiers = fhir::list(r, "identifier");
    keys.extend(identifiers.iter().filter_map(fhir::identifier_key));
    // The medical record number, else the resource's id, else its entry's full URL's.
    let id = chosen_id(identifiers)
        .or(resource_id.map(str::to_string))
        .or(url_key);
    // Invisible characters (a zero-width space) would make two spellings of one id.
    let id = id.map(|i| {
        i.chars()
            .filter(|c| !crate::text::is_invisible(*c) && !c.is_control())
            .collect::<String>()
            .trim()
            .to_string()
    });
    let Some(id) = id.filter(|i| !i.is_empty()) else {
        cx.problem("a Patient without an id or a medical record number; not imported");
        return None;
    };
    let mut summary = Summary::default();
    let mut notes = Vec::new();
    let dob = match fhir::text(r, "birthDate").map(fhir::day) {
        Some(Day::Day(d)) if super::usable(d, cx.as_of) => Some(d),
        Some(Day::Day(d)) => {
            summary.note(
                "Patient",
                "birthDate",
                &d.to_string(),
                "outside 1900 to the as-of date",
            );
            None
        }
        Some(Day::Partial(s)) => {
            summary.note("Patient", "birthDate", &s, "not a whole date");
            None
        }
        Some(Day::Bad(s)) => {
            cx.problem(format!("Patient.birthDate '{s}' is not a FHIR date"));
            None
        }
        None => None,
    };
    let sex = match fhir::text(r, "gender") {
        Some("female") => Some("female"),
        Some("male") => Some("male"),
        Some(other) => {
            summary.note(
                "Patient",
                "gender",
                other,
                "the patient file records sex as female or male only",
            );
            None
        }
        None => None,
    };
    match (r.get("deceasedBoolean"), fhir::text(r, "deceasedDateTime")) {
        (_, Some(when)) => notes.push(format!(
            "the record says the patient died ({})",
            match fhir::day(when) {
                Day::Day(d) => d.to_string(),
                Day::Partial(s) | Day::Bad(s) => s,
            }
        )),
        (Some(Value::Bool(true)), _) => notes.push("the record says the patient died".into()),
        _ => {}
    }
    Some((
        keys,
        Demographics {
            id,
            name: human_name(r),
            dob,
            sex,
            summary,
            notes,
        },
    ))
}

/// The medical record number (identifier of type MR), else an identifier without a type;
/// never a social security, passport or driver's licence number.
fn chosen_id(identifiers: &[Value]) -> Option<String> {
    let value = |i: &Value| {
        fhir::text(i, "value")
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let record_number = |i: &&Value| {
        i.get("type")
            .is_some_and(|t| fhir::codings(t).any(|c| c.code == "MR"))
    };
    identifiers
        .iter()
        .find(record_number)
        .and_then(value)
        .or_else(|| {
            identifiers
                .iter()
                .filter(|i| i.get("type").is_none())
                .find_map(value)
        })
}

/// The official name (else the first): its text, else given names and family name.
fn human_name(r: &Value) -> Option<String> {
    let names = fhir::list(r, "name");
    let n = names
        .iter()
        .find(|n| fhir::text(n, "use") == Some("official"))
        .or_else(|| names.first())?;
    if let Some(t) = fhir::text(n, "text").filter(|t| !t.trim().is_empty()) {
        return Some(t.trim().to_string());
    }
    let mut parts: Vec<&str> = fhir::list(n, "given")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if let Some(f) = fhir::text(n, "family") {
        parts.push(f);
    }
    let s = parts.join(" ");
    (!s.trim().is_empty()).then(|| s.trim().to_string())
}

/// The code of the concept at `key` of `r` for the status tables (`clinicalStatus`, ...).
fn status_code<'a>(r: &'a Value, key: &str) -> Option<&'a str> {
    r.get(key)
        .and_then(|c| fhir::codings(c).next())
        .map(|c| c.code)
}

/// Why a verification status keeps a resource out, if it does: (skipped outright?, why).
fn unverified(r: &Value) -> Option<(bool, String)> {
    match status_code(r, "verificationStatus") {
        None | Some("confirmed") => None,
        Some(s @ ("refuted" | "entered-in-error")) => Some((true, format!("{s}: skipped"))),
        Some(s) => Some((
            false,
            format!("not confirmed ({s}): the patient file has no status for a suspicion"),
        )),
    }
}

/// A date of the condition (`onset`, `abatement`): a day, or a note for the name.
fn condition_day(cx: &Ctx, r: &Value, key: &str) -> (Option<NaiveDate>, Option<String>) {
    let words = if key == "onset" { "onset" } else { "ended" };
    match fhir::first_day(r, &[&format!("{key}DateTime"), &format!("{key}Period")]) {
        Some(Day::Day(d)) if super::usable(d, cx.as_of) => (Some(d), None),
        Some(Day::Day(d)) => (None, Some(format!("{words} {d}, outside the dates read"))),
        Some(Day::Partial(s)) => (None, Some(format!("{words} {s}"))),
        Some(Day::Bad(s)) => (None, Some(format!("{words} '{s}' (not a date)"))),
        None => match fhir::text(r, &format!("{key}String")) {
            Some(s) => (None, Some(format!("{words} {}", s.trim()))),
            None => (None, None),
        },
    }
}

/// A Condition: its codes' diagnoses and history categories, or why none.
pub fn condition(cx: &mut Ctx, rec: &mut Record, r: &Value) {
    let Some(code) = r.get("code").filter(|c| c.is_object()) else {
        cx.problem("a Condition without a code; not imported");
        return;
    };
    let (label, display) = fhir::describe(code);
    if let Some((_, why)) = unverified(r) {
        rec.summary.note("Condition", &label, &display, &why);
        return;
    }
    let mut mapped: Vec<(&'static conditions::Row, fhir::Coding)> = Vec::new();
    let mut left: Option<(String, &'static str, &str)> = None;
    for c in fhir::codings(code) {
        let Some(system) = c.system else { continue };
        for row in conditions::find(system, c.code) {
            match row.maps {
                Maps::Left(why) => {
                    left.get_or_insert((c.label(), why, c.display));
                }
                _ => mapped.push((row, c)),
            }
        }
    }
    if mapped.is_empty() {
        match left {
            Some((label, why, d)) => rec.summary.note("Condition", &label, d, why),
            None => rec
                .summary
                .note("Condition", &label, &display, NOT_IN_TABLE),
        }
        return;
    }
    let (onset, onset_note) = condition_day(cx, r, "onset");
    let (resolved, end_note) = condition_day(cx, r, "abatement");
    let status = status_code(r, "clinicalStatus").and_then(|s| {
        codes::CLINICAL_STATUS
            .iter()
            .find(|(from, _)| *from == s)
            .map(|(_, to)| *to)
    });
    let severity = r
        .get("severity")
        .and_then(|s| {
            fhir::codings(s).find_map(|c| {
                (c.system == Some(System::Snomed))
                    .then(|| codes::SEVERITIES.iter().find(|(k, _)| *k == c.code))
                    .flatten()
            })
        })
        .map(|(_, v)| *v);
    let mut done: Vec<Maps> = Vec::new();
    for (row, c) in mapped {
        if done.contains(&row.maps) {
            continue;
        }
        done.push(row.maps);
        // The record's words for it: the concept's text, else this coding's display.
        let name_of = |extra: &[Option<String>]| {
            let base = [fhir::text(code, "text").unwrap_or(""), c.display, row.term]
                .into_iter()
                .map(str::trim)
                .find(|s| !s.is_empty())
                .unwrap_or(row.term)
                .to_string();
            let notes: Vec<&str> = extra.iter().flatten().map(String::as_str).collect();
            if notes.is_empty() {
                base
            } else {
                format!("{base} ({})", notes.join("; "))
            }
        };
        let source = format!("{} {}", c.label(), c.display.trim());
        match row.maps {
            Maps::Diagnosis(code, tags) => {
                let state = match status {
                    Some(s @ ("inactive" | "resolved")) => {
                        Some(format!("clinical status in the record: {s}"))
                    }
                    _ => None,
                };
                rec.add_diagnosis(DiagnosisFact {
                    code,
                    name: name_of(&[onset_note.clone(), state]),
                    diagnosed: onset,
                    tags: tags.to_vec(),
                    source,
                });
            }
            Maps::Condition(category, tags) => rec.add_condition(ConditionFact {
                category,
                name: name_of(&[onset_note.clone(), end_note.clone()]),
                onset,
                resolved,
                status,
                severity,
                tags: tags.to_vec(),
                source,
            }),
            Maps::Past(category, tags) => rec.add_condition(ConditionFact {
                category,
                name: name_of(&[Some(
                    "a history statement: when it happened is not recorded".into(),
                )]),
                onset: None,
                resolved: None,
                status: None,
                severity,
                tags: tags.to_vec(),
                source,
            }),
            Maps::Left(_) => {}
        }
    }
}

/// An AllergyIntolerance: the substance as the record names it, its severity and reaction.
pub fn allergy(cx: &mut Ctx, rec: &mut Record, r: &Value) {
    let Some(code) = r.get("code").filter(|c| c.is_object()) else {
        cx.problem("an AllergyIntolerance without a code (the substance); not imported");
        return;
    };
    let (label, display) = fhir::describe(code);
    let note = |rec: &mut Record, why: &str| {
        rec.summary
            .note("AllergyIntolerance", &label, &display, why);
    };
    if let Some((_, why)) = unverified(r) {
        return note(rec, &why);
    }
    if let Some(s @ ("inactive" | "resolved")) = status_code(r, "clinicalStatus") {
        return note(rec, &format!("clinical status {s}: no longer an allergy"));
    }
    let snomed = |c: &fhir::Coding| c.system == Some(System::Snomed);
    let codings: Vec<fhir::Coding> = fhir::codings(code).collect();
    if codings
        .iter()
        .any(|c| snomed(c) && codes::NO_ALLERGY.contains(&c.code))
    {
        return note(
            rec,
            "a statement of no allergy: not read as \"checked: none\" (absent stays unknown)",
        );
    }
    if let Some((_, why)) = codings.iter().find_map(|c| {
        codes::NOT_A_SUBSTANCE
            .iter()
            .find(|(k, _)| snomed(c) && *k == c.code)
    }) {
        return note(rec, why);
    }
    let substance = fhir::words(code).trim();
    if substance.is_empty() {
        return note(rec, "no substance named in words");
    }
    let severity = fhir::list(r, "reaction")
        .iter()
        .filter_map(|x| fhir::text(x, "severity"))
        .filter_map(|s| ["mild", "moderate", "severe"].iter().position(|k| *k == s))
        .max()
        .and_then(|i| ["mild", "moderate", "severe"].get(i).copied());
    let mut reaction: Vec<String> = fhir::list(r, "reaction")
        .iter()
        .flat_map(|x| fhir::list(x, "manifestation"))
        .map(|m| fhir::words(m).trim().to_string())
        .filter(|m| !m.is_empty())
        .collect();
    reaction.dedup();
    if let Some(c) = fhir::text(r, "criticality") {
        reaction.push(format!("criticality {c} in the record"));
    }
    rec.add_allergy(AllergyFact {
        substance: substance.to_string(),
        severity,
        reaction: (!reaction.is_empty()).then(|| reaction.join("; ")),
        source: format!("{label} {display}"),
    });
}
