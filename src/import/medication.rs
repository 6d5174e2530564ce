//! MedicationRequest, MedicationStatement and Medication resources: the catalogue drug a
//! medication names (by RxNorm or ATC code, else by a catalogue name in its text; codes and
//! text that disagree are not chosen between), a course with its dates (authoredOn or the
//! dosage's bounds, the statement's effective period), whether it goes on (status active) or
//! ended (completed, stopped: on a date not recorded unless one is given), its route and its
//! daily dose when the dosage states one in mg. A local treatment (a cream, eye drops) is not
//! a systemic course and is listed.

use super::codes::{self, System, drugs};
use super::fhir::{self, Day, Target};
use super::record::{Course, Pending, Record, TreatmentFact};
use super::summary::NOT_IN_TABLE;
use super::{Ctx, MedInfo, usable};
use crate::vocab;
use serde_json::Value;
use std::collections::HashMap;

/// A Medication resource, kept by its id and its full URL's id for the courses that refer to
/// it (which may come before it, in another file of a Bulk Data export).
pub fn medication(meds: &mut HashMap<String, MedInfo>, r: &Value, full_url: Option<&str>) {
    let info = match r.get("code").filter(|c| c.is_object()) {
        Some(c) => drug_of(c),
        None => MedInfo::Unmapped {
            code: String::new(),
            display: String::new(),
            why: "a Medication without a code".into(),
        },
    };
    let mut keys: Vec<String> = fhir::text(r, "id")
        .map(str::to_string)
        .into_iter()
        .collect();
    if let Some(Target::Key(k)) = full_url.map(|u| fhir::reference_key(u, "Medication")) {
        keys.push(k);
    }
    for k in keys {
        meds.insert(k, info.clone());
    }
}

/// Whether `needle` stands in `hay` as whole words (both lower case).
fn whole_word(hay: &str, needle: &str) -> bool {
    hay.match_indices(needle).any(|(at, _)| {
        let before = hay[..at].chars().next_back();
        let after = hay[at + needle.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

/// The catalogue drugs a text names as whole words (a spelling names its drug), the longer
/// name kept where one contains another ("mycophenolate mofetil", not also "mycophenolate").
pub fn named(text: &str) -> Vec<&'static str> {
    let t = text.to_lowercase();
    let mut found: Vec<&'static str> = vocab::DRUGS
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| whole_word(&t, name))
        .collect();
    found.extend(
        vocab::DRUG_SPELLINGS
            .iter()
            .filter(|(spelling, _)| whole_word(&t, spelling))
            .map(|(_, name)| *name),
    );
    found.sort_unstable();
    found.dedup();
    let all = found.clone();
    found.retain(|a| !all.iter().any(|b| b != a && b.contains(a)));
    found
}

/// Whether two catalogue names stand for one drug (one is the other, or contains it).
fn same_drug(a: &str, b: &str) -> bool {
    a == b || a.contains(b) || b.contains(a)
}

/// The route a text states ("Oral Tablet", "Topical Cream"): `Some(None)` for a local route.
fn route_in_text(text: &str) -> Option<Option<&'static str>> {
    let t = text.to_lowercase();
    codes::ROUTE_WORDS
        .iter()
        .find(|(w, _)| whole_word(&t, w))
        .map(|(_, r)| *r)
}

/// The drug a medication concept names, or why it names none.
pub fn drug_of(concept: &Value) -> MedInfo {
    let (label, display) = fhir::describe(concept);
    let unmapped = |why: String| MedInfo::Unmapped {
        code: label.clone(),
        display: display.clone(),
        why,
    };
    let mut texts: Vec<&str> = fhir::codings(concept).map(|c| c.display).collect();
    texts.push(fhir::text(concept, "text").unwrap_or(""));
    let text = texts.join(" ");
    let by_text = named(&text);
    let mut by_code: Vec<(&'static drugs::Row, fhir::Coding)> = Vec::new();
    for c in fhir::codings(concept) {
        if let Some(row) = c.system.and_then(|s| drugs::find(s, c.code))
            && !by_code.iter().any(|(r, _)| r.drug == row.drug)
        {
            by_code.push((row, c));
        }
    }
    let text_route = route_in_text(&text);
    match by_code.as_slice() {
        [(row, c)] => {
            if let Some(other) = by_text.iter().find(|t| !same_drug(t, row.drug))
                && !by_text.iter().any(|t| same_drug(t, row.drug))
            {
                return unmapped(format!(
                    "its code names {}, its text {other}: not chosen between",
                    row.drug
                ));
            }
            MedInfo::Drug {
                drug: row.drug,
                route: row.route.or(text_route.flatten()),
                local: text_route == Some(None) && row.route.is_none(),
                source: format!(
                    "{} {}",
                    c.label(),
                    if c.display.trim().is_empty() {
                        row.term
                    } else {
                        c.display.trim()
                    }
                ),
            }
        }
        [] => match by_text.as_slice() {
            [drug] => MedInfo::Drug {
                drug,
                route: text_route.flatten(),
                local: text_route == Some(None),
                source: format!("{label} {display} (the catalogue drug named in its text)"),
            },
            [] => unmapped(format!(
                "{NOT_IN_TABLE}, and its text names no catalogue drug"
            )),
            several => unmapped(format!(
                "its text names several drugs ({})",
                several.join(", ")
            )),
        },
        several => {
            let names: Vec<&str> = several.iter().map(|(r, _)| r.drug).collect();
            unmapped(format!(
                "its codes name different drugs ({})",
                names.join(", ")
            ))
        }
    }
}

/// The route the first dosage states: `Some(None)` for a local route, `None` when unstated or
/// not one the table knows.
fn dosage_route(dosage: Option<&Value>) -> Option<Option<&'static str>> {
    let route = dosage?.get("route")?;
    fhir::codings(route).find_map(|c| {
        (c.system == Some(System::Snomed))
            .then(|| codes::ROUTES.iter().find(|(k, _)| *k == c.code))
            .flatten()
            .map(|(_, r)| *r)
    })
}

/// The dose a dosage states in mg or g: per day, week or month when its timing is once per
/// such period (× frequency), else per dose when it has no timing; `None` otherwise.
fn dose(dosage: Option<&Value>) -> Option<(f64, &'static str)> {
    let dosage = dosage?;
    let q = fhir::list(dosage, "doseAndRate")
        .first()?
        .get("doseQuantity")?;
    let v = q
        .get("value")?
        .as_f64()
        .filter(|v| v.is_finite() && *v > 0.0)?;
    let unit = fhir::text(q, "code").or(fhir::text(q, "unit"))?.trim();
    let Some(repeat) = dosage.get("timing").and_then(|t| t.get("repeat")) else {
        return match unit {
            "mg" => Some((v, "mg")),
            "g" => Some((v, "g")),
            _ => None,
        };
    };
    if repeat.get("frequencyMax").is_some() || repeat.get("periodMax").is_some() {
        return None;
    }
    let f = repeat.get("frequency").map_or(Some(1.0), Value::as_f64)?;
    let p = repeat.get("period").map_or(Some(1.0), Value::as_f64)?;
    if p != 1.0 || f <= 0.0 || !f.is_finite() {
        return None;
    }
    let per = match (unit, fhir::text(repeat, "periodUnit")?) {
        ("mg", "d") => "mg/day",
        ("g", "d") => "g/day",
        ("mg", "wk") => "mg/week",
        ("mg", "mo") => "mg/month",
        _ => return None,
    };
    Some((v * f, per))
}

/// The medication of a request or statement: a concept, a contained Medication, or the key of
/// one to resolve later.
enum Med {
    Info(MedInfo),
    Later(String),
}

fn med_of(r: &Value) -> Option<Med> {
    if let Some(c) = r.get("medicationCodeableConcept").filter(|c| c.is_object()) {
        return Some(Med::Info(drug_of(c)));
    }
    match fhir::reference(r.get("medicationReference")?, "Medication")? {
        Target::Contained(id) => {
            let m = fhir::list(r, "contained")
                .iter()
                .find(|c| fhir::text(c, "id") == Some(id.as_str()))?;
            Some(Med::Info(match m.get("code").filter(|c| c.is_object()) {
                Some(c) => drug_of(c),
                None => MedInfo::Unmapped {
                    code: String::new(),
                    display: String::new(),
                    why: "a contained Medication without a code".into(),
                },
            }))
        }
        Target::Key(k) | Target::Other(k) => Some(Med::Later(k)),
    }
}

/// A MedicationRequest or MedicationStatement: a course of a catalogue drug, or listed.
pub fn course(cx: &mut Ctx, rec: &mut Record, r: &Value, rtype: &str) {
    let resource: &'static str = if rtype == "MedicationRequest" {
        "MedicationRequest"
    } else {
        "MedicationStatement"
    };
    let Some(status) = fhir::text(r, "status") else {
        cx.problem(format!("a {resource} without a status; not imported"));
        return;
    };
    let Some(med) = med_of(r) else {
        cx.problem(format!(
            "a {resource} without a medication (or whose contained Medication is missing); \
             not imported"
        ));
        return;
    };
    let list = |rec: &mut Record, why: &str| {
        let (code, display) = match &med {
            Med::Info(MedInfo::Drug { drug, .. }) => (String::new(), drug.to_string()),
            Med::Info(MedInfo::Unmapped { code, display, .. }) => (code.clone(), display.clone()),
            Med::Later(k) => (format!("Medication/{k}"), String::new()),
        };
        rec.summary.note(resource, &code, &display, why);
    };
    let ended = match status {
        "active" | "on-hold" => false,
        "completed" | "stopped" => true,
        other => return list(rec, &format!("status {other}: not a course taken")),
    };
    if resource == "MedicationRequest"
        && let Some(i @ ("proposal" | "plan" | "directive" | "option")) = fhir::text(r, "intent")
    {
        return list(rec, &format!("intent {i}: not an order"));
    }
    let dosage = fhir::list(r, "dosageInstruction")
        .first()
        .or_else(|| fhir::list(r, "dosage").first());
    let bounds = dosage
        .and_then(|d| d.get("timing"))
        .and_then(|t| t.get("repeat"))
        .and_then(|t| t.get("boundsPeriod"));
    let (start, end) = if resource == "MedicationRequest" {
        let start = bounds
            .and_then(|b| fhir::text(b, "start"))
            .or(fhir::text(r, "authoredOn"));
        (start, bounds.and_then(|b| fhir::text(b, "end")))
    } else {
        match r.get("effectivePeriod") {
            Some(p) => (fhir::text(p, "start"), fhir::text(p, "end")),
            None => (fhir::text(r, "effectiveDateTime"), None),
        }
    };
    let mut how = vec![format!("{resource}, {status}")];
    let start = match start.map(fhir::day) {
        Some(Day::Day(d)) if usable(d, cx.as_of) => Some(d),
        Some(Day::Day(d)) if d > cx.as_of => {
            return list(
                rec,
                &format!("starts {d}, after the as-of date {}", cx.as_of),
            );
        }
        Some(Day::Day(d)) => {
            how.push(format!("start {d} not read"));
            None
        }
        Some(Day::Partial(s) | Day::Bad(s)) => {
            how.push(format!("start {s}"));
            None
        }
        None => None,
    };
    let end = match end.map(fhir::day) {
        Some(Day::Day(d)) if ended && usable(d, cx.as_of) && start.is_none_or(|s| s <= d) => {
            Some(d)
        }
        Some(Day::Day(d)) if ended => {
            how.push(format!("end {d} not read"));
            None
        }
        _ => None,
    };
    let course = Course {
        start,
        end,
        ongoing: match (ended, end) {
            (false, _) => Some(true),
            (true, None) => Some(false),
            (true, Some(_)) => None,
        },
        dose: dose(dosage),
        route: None,
        how: how.join("; "),
    };
    let stated = dosage_route(dosage);
    if stated == Some(None) {
        return list(
            rec,
            "a local route (on the skin, in the eye, ...): not a systemic course",
        );
    }
    match med {
        Med::Info(info) => give(rec, resource, info, course, stated),
        Med::Later(medication) => rec.pending.push(Pending {
            medication,
            resource,
            course: Course {
                route: stated.flatten(),
                ..course
            },
            place: cx.place.clone(),
        }),
    }
}

/// Writes the course of `info`'s drug, or lists why not.
fn give(
    rec: &mut Record,
    resource: &str,
    info: MedInfo,
    mut course: Course,
    stated: Option<Option<&'static str>>,
) {
    match info {
        MedInfo::Drug {
            drug,
            route,
            local,
            source,
        } => {
            if stated == Some(None) || (stated.is_none() && local) {
                let why = "a local treatment (on the skin, in the eye, ...): not a systemic course";
                return rec.summary.note(resource, "", drug, why);
            }
            course.route = stated.flatten().or(route);
            rec.add_treatment(TreatmentFact {
                drug,
                course,
                source,
            });
        }
        MedInfo::Unmapped { code, display, why } => {
            rec.summary.note(resource, &code, &display, &why)
        }
    }
}

/// Resolves the courses whose medication was a reference, once every input has been read.
pub fn resolve(rec: &mut Record, meds: &HashMap<String, MedInfo>) {
    for p in std::mem::take(&mut rec.pending) {
        let route = p.course.route;
        match meds.get(&p.medication) {
            Some(info) => give(rec, p.resource, info.clone(), p.course, route.map(Some)),
            None => rec.summary.note(
                p.resource,
                &format!("Medication/{}", p.medication),
                "",
                "the Medication it refers to is not in the inputs",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drugs_are_named_by_whole_words_and_the_longer_name() {
        assert_eq!(named("predniSONE 20 MG Oral Tablet"), ["prednisone"]);
        assert_eq!(named("methylprednisolone 4 MG"), ["methylprednisolone"]);
        assert_eq!(
            named("Mycophenolate mofetil 500 MG"),
            ["mycophenolate mofetil"]
        );
        assert_eq!(named("valacyclovir 1 G"), Vec::<&str>::new());
        assert_eq!(named("Ciclosporin 25 mg"), ["cyclosporine"]);
        assert_eq!(named("hydroxychloroquine"), ["hydroxychloroquine"]);
        assert!(whole_word("x oral tablet", "oral") && !whole_word("chloral", "oral"));
    }
}
