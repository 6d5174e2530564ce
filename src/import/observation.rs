//! Observation resources (and their components): the labs, vital signs and clinical scores
//! the LOINC table names. A quantity keeps the value as reported, its UCUM unit spelled as the
//! patient file writes it and checked against the project's unit table and the lab's plausible
//! range; `referenceRange.high` becomes the upper limit of normal; a coded answer, a result
//! word or the interpretation (POS, NEG, DET, ND) becomes the qualitative result; a titre is
//! read from a ratio, "1:160" or a `{titer}` quantity. A score is a number without a unit or
//! in a score unit, on the scale its term states; a panel's scores are read from its
//! components. Anything else is listed, not guessed.

use super::codes::observations::{self, Target};
use super::codes::{self, System, units};
use super::fhir::{self, Coding, Day};
use super::record::{Dated, LabFact, Record, ScoreFact};
use super::summary::NOT_IN_TABLE;
use super::{Ctx, usable};
use crate::units::Dimension;
use crate::vocab;
use chrono::NaiveDate;
use serde_json::Value;

/// The statuses of a result that stands: final, or changed after it was final.
const FINAL: &[&str] = &["final", "amended", "corrected"];

/// An Observation: the observation's own code and each component's, mapped or listed.
pub fn observation(cx: &mut Ctx, rec: &mut Record, r: &Value) {
    let Some(code) = r.get("code").filter(|c| c.is_object()) else {
        cx.problem("an Observation without a code; not imported");
        return;
    };
    let Some(status) = fhir::text(r, "status") else {
        cx.problem("an Observation without a status; not imported");
        return;
    };
    let mut parts: Vec<(String, &Value, &Value)> = vec![(String::new(), r, code)];
    for (i, c) in fhir::list(r, "component").iter().enumerate() {
        if let Some(cc) = c.get("code").filter(|c| c.is_object()) {
            parts.push((format!("component {i}: "), c, cc));
        }
    }
    let mut any = false;
    let mut left: Option<(String, &str, &'static str)> = None;
    // Components known and left out on purpose (a panel's 28-joint count beside its score):
    // listed even when another part is imported, each as often as it occurs.
    let mut left_parts: Vec<(String, &str, &'static str)> = Vec::new();
    for (at, part, concept) in parts {
        let mut targets: Vec<(&'static observations::Row, Coding)> = Vec::new();
        let mut part_left = None;
        for c in fhir::codings(concept) {
            let Some(row) = c.system.and_then(|s| observations::find(s, c.code)) else {
                continue;
            };
            match row.target {
                Target::Left(why) => {
                    left.get_or_insert((c.label(), c.display, why));
                    part_left.get_or_insert((c.label(), c.display, why));
                }
                t if targets.iter().any(|(r, _)| r.target == t) => {}
                _ => targets.push((row, c)),
            }
        }
        if targets.is_empty() {
            if let Some(l) = part_left.filter(|_| !at.is_empty()) {
                left_parts.push(l);
            }
            continue;
        }
        any = true;
        let (label, display) = fhir::describe(concept);
        if !FINAL.contains(&status) {
            let why = format!("status {status}: not a final result");
            rec.summary.note("Observation", &label, &display, &why);
            continue;
        }
        let Some(date) = when(cx, rec, r, &at, &label, &display) else {
            continue;
        };
        for (row, coding) in targets {
            let source = format!(
                "{} {}",
                coding.label(),
                if coding.display.trim().is_empty() {
                    row.term
                } else {
                    coding.display.trim()
                }
            );
            let read = Read {
                part,
                label: &label,
                display: &display,
                date,
                source,
                at: &at,
            };
            one(cx, rec, row, read);
        }
    }
    if any {
        for (label, d, why) in left_parts {
            rec.summary.note("Observation", &label, d, why);
        }
    } else {
        match left {
            Some((label, d, why)) => rec.summary.note("Observation", &label, d, why),
            None => {
                let (label, display) = fhir::describe(code);
                rec.summary
                    .note("Observation", &label, &display, NOT_IN_TABLE);
            }
        }
    }
}

/// The day of the result, or `None` (with a problem, or listed when it is after the as-of
/// date or before 1900).
fn when(
    cx: &mut Ctx,
    rec: &mut Record,
    r: &Value,
    at: &str,
    label: &str,
    display: &str,
) -> Option<NaiveDate> {
    match fhir::first_day(
        r,
        &["effectiveDateTime", "effectivePeriod", "effectiveInstant"],
    ) {
        Some(Day::Day(d)) if usable(d, cx.as_of) => Some(d),
        Some(Day::Day(d)) => {
            let why = if d > cx.as_of {
                format!("dated {d}, after the as-of date {}", cx.as_of)
            } else {
                format!("dated {d}, before 1900")
            };
            rec.summary.note("Observation", label, display, &why);
            None
        }
        Some(Day::Partial(s) | Day::Bad(s)) => {
            cx.problem(format!(
                "{at}{label} \"{display}\": the date '{s}' is not a whole day; not imported"
            ));
            None
        }
        None => {
            cx.problem(format!(
                "{at}{label} \"{display}\" without a date (effective[x]); not imported"
            ));
            None
        }
    }
}

/// One mapped part of an observation, as read.
struct Read<'a> {
    part: &'a Value,
    label: &'a str,
    display: &'a str,
    date: NaiveDate,
    source: String,
    at: &'a str,
}

/// The value of an observation or component.
enum Val<'a> {
    Quantity(&'a Value),
    Concept(&'a Value),
    Text(&'a str),
    Ratio(&'a Value),
    Number(f64),
    Other(&'static str),
    Absent,
}

fn value_of(v: &Value) -> Val<'_> {
    if let Some(q) = v.get("valueQuantity") {
        return Val::Quantity(q);
    }
    if let Some(c) = v.get("valueCodeableConcept") {
        return Val::Concept(c);
    }
    if let Some(s) = fhir::text(v, "valueString") {
        return Val::Text(s);
    }
    if let Some(r) = v.get("valueRatio") {
        return Val::Ratio(r);
    }
    if let Some(n) = v.get("valueInteger").and_then(Value::as_f64) {
        return Val::Number(n);
    }
    for (key, kind) in [
        ("valueBoolean", "a yes/no value"),
        ("valueRange", "a range"),
        ("valueSampledData", "sampled data"),
        ("valueTime", "a time"),
        ("valueDateTime", "a date"),
        ("valuePeriod", "a period"),
    ] {
        if v.get(key).is_some() {
            return Val::Other(kind);
        }
    }
    Val::Absent
}

/// Maps one coded part to its row's target.
fn one(cx: &mut Ctx, rec: &mut Record, row: &observations::Row, read: Read) {
    let target = row.target;
    let val = value_of(read.part);
    let list = |rec: &mut Record, why: &str| {
        rec.summary
            .note("Observation", read.label, read.display, why);
    };
    if let Val::Absent = val {
        if let Some(reason) = read.part.get("dataAbsentReason") {
            return list(rec, &format!("no value ({})", fhir::words(reason)));
        }
        if interpretation(read.part).is_none() {
            cx.problem(format!(
                "{}{} \"{}\" without a value; not imported",
                read.at, read.label, read.display
            ));
            return;
        }
    }
    if let Val::Other(kind) = val {
        return list(
            rec,
            &format!("{kind} is not a value the patient file reads"),
        );
    }
    match target {
        Target::Lab(name) => lab(rec, name, None, val, read),
        Target::ByMethod(name, method) => lab(rec, name, Some(method), val, read),
        Target::Weight | Target::Height => {
            let (dim, lo, hi, slot) = if target == Target::Weight {
                (Dimension::Mass, 0.5, 400.0, &mut rec.weight)
            } else {
                (Dimension::Length, 30.0, 250.0, &mut rec.height)
            };
            match measured(&val, Some(dim), (lo, hi)) {
                Ok((value, unit)) => Record::keep_latest(
                    slot,
                    Dated {
                        value,
                        unit,
                        date: read.date,
                        source: read.source,
                    },
                ),
                Err(why) => list(rec, &why),
            }
        }
        Target::Lvef | Target::Spo2 => match measured(&val, None, (0.0, 100.0)) {
            Ok((value, "%")) => {
                let slot = if target == Target::Lvef {
                    &mut rec.lvef
                } else {
                    &mut rec.spo2
                };
                Record::keep_latest(
                    slot,
                    Dated {
                        value,
                        unit: "%",
                        date: read.date,
                        source: read.source,
                    },
                );
            }
            Ok((_, unit)) => list(rec, &format!("unit '{unit}' is not a percentage")),
            Err(why) => list(rec, &why),
        },
        Target::Score(name) => score(rec, name, row.scale, val, read),
        Target::Left(why) => list(rec, why),
    }
}

/// A clinical score: a number, unitless or in a score unit, on its term's scale when it states
/// one.
fn score(rec: &mut Record, name: &'static str, scale: Option<(f64, f64)>, val: Val, read: Read) {
    let list = |rec: &mut Record, why: &str| {
        rec.summary
            .note("Observation", read.label, read.display, why);
    };
    let value = match val {
        Val::Quantity(q) => {
            let value = match quantity_value(q) {
                Ok(v) => v,
                Err(why) => return list(rec, &why),
            };
            if let Err(why) = score_unit(q) {
                return list(rec, &why);
            }
            value
        }
        Val::Number(n) => n,
        Val::Concept(_) => return list(rec, "a coded answer, not a score's number"),
        Val::Text(t) => {
            return list(
                rec,
                &format!("the text '{}' is not read", super::summary::clean(t.trim())),
            );
        }
        Val::Ratio(_) => return list(rec, "a ratio is not a score"),
        Val::Other(_) | Val::Absent => return list(rec, "no value the patient file reads"),
    };
    if !value.is_finite() || !(0.0..1e6).contains(&value) {
        return list(
            rec,
            &format!("{value} is outside what the patient file holds for {name}"),
        );
    }
    if let Some((lo, hi)) = scale
        && !(lo..=hi).contains(&value)
    {
        return list(
            rec,
            &format!(
                "{value} is outside the {}-{} scale of this code",
                crate::text::fmt_num(lo),
                crate::text::fmt_num(hi)
            ),
        );
    }
    rec.keep_score(ScoreFact {
        name,
        value,
        date: read.date,
        source: read.source,
    });
}

/// Whether a score's quantity carries no unit or a score unit: the UCUM code when given, else
/// the unit text, else a code of another system (which is not a score unit).
fn score_unit(q: &Value) -> Result<(), String> {
    let code = fhir::text(q, "code");
    let ucum = match fhir::text(q, "system").and_then(codes::system_of) {
        Some(System::Ucum) | None => code,
        Some(_) => None,
    };
    match ucum.or(fhir::text(q, "unit")).or(code) {
        None => Ok(()),
        Some(u) if units::SCORE_UNITS.contains(&u.trim()) => Ok(()),
        Some(u) => Err(format!(
            "unit '{}' is not a score unit",
            super::summary::clean(u)
        )),
    }
}

/// A value with a unit, as the patient file writes it, checked against `dim` (when given) and
/// the plausible range `(lo, hi)` in the dimension's canonical unit (or as written).
fn measured(
    val: &Val,
    dim: Option<Dimension>,
    (lo, hi): (f64, f64),
) -> Result<(f64, &'static str), String> {
    let q = match val {
        Val::Quantity(q) => *q,
        _ => return Err("not a measured quantity".into()),
    };
    let value = quantity_value(q)?;
    let unit = project_unit(q, dim)?;
    let canonical = match dim {
        Some(d) => d.factor(unit).map_or(f64::NAN, |f| value * f),
        None => value,
    };
    if !(lo..=hi).contains(&canonical) {
        return Err(format!("{value} {unit} is outside the plausible range"));
    }
    Ok((value, unit))
}

/// The number of a quantity, unless it has a comparator ("<20") or none.
fn quantity_value(q: &Value) -> Result<f64, String> {
    if let Some(c) = fhir::text(q, "comparator") {
        let v = q.get("value").map_or(String::new(), Value::to_string);
        return Err(format!("value reported as '{c} {v}', not a measured value"));
    }
    match q.get("value").and_then(Value::as_f64) {
        Some(v) if v.is_finite() => Ok(v),
        _ => Err("a quantity without a number".into()),
    }
}

/// The unit of a quantity as the patient file writes it, when the unit table knows it and (for
/// a lab with a dimension) the project's unit table accepts it for that lab.
fn project_unit(q: &Value, dim: Option<Dimension>) -> Result<&'static str, String> {
    let ucum = match fhir::text(q, "system").and_then(codes::system_of) {
        Some(System::Ucum) | None => fhir::text(q, "code"),
        Some(_) => None,
    };
    let written = [ucum, fhir::text(q, "unit")];
    let fits = |u: &str| dim.is_none_or(|d| d.factor(u).is_some());
    let mut known = None;
    for w in written.iter().flatten() {
        if let Some(p) = units::spelling(w) {
            if fits(p) {
                return Ok(p);
            }
            known = Some(*w);
        }
    }
    if dim == Some(Dimension::Ratio) && written.iter().all(Option::is_none) {
        return Ok("ratio");
    }
    let shown = written.iter().flatten().next().copied().unwrap_or("");
    Err(match known {
        Some(u) => format!("unit '{u}' does not fit this value"),
        None if shown.is_empty() => "a value without a unit".into(),
        None => format!("unit '{shown}' is not in the unit table"),
    })
}

/// The qualitative result the interpretation states (POS, NEG, DET, ND), if any.
fn interpretation(part: &Value) -> Option<codes::Word> {
    fhir::list(part, "interpretation").iter().find_map(|i| {
        fhir::codings(i).find_map(|c| c.system.and_then(|s| codes::answer(s, c.code)))
    })
}

/// The upper limit of normal of a part in `unit` (the value's): its reference range's high
/// end, converted within `dim`, or written in the same unit for a lab without one.
fn uln(part: &Value, unit: &str, dim: Option<Dimension>) -> Option<f64> {
    let range = fhir::list(part, "referenceRange")
        .iter()
        .find(|r| r.get("high").is_some() && r.get("appliesTo").is_none())?;
    let high = range.get("high")?;
    let v = quantity_value(high).ok()?;
    let u = project_unit(high, dim).ok()?;
    let in_unit = match dim {
        Some(d) => v * d.factor(u)? / d.factor(unit)?,
        None if u == unit => v,
        None => return None,
    };
    (in_unit.is_finite() && in_unit > 0.0).then_some(in_unit)
}

/// A titre written "1:N" from N.
fn titre_of(n: f64) -> Option<String> {
    (n.is_finite() && n > 0.0).then(|| format!("1:{}", crate::text::fmt_num(n)))
}

/// A lab result: numeric with its unit, qualitative, or a titre.
fn lab(rec: &mut Record, name: &'static str, method: Option<&'static str>, val: Val, read: Read) {
    let list = |rec: &mut Record, why: &str| {
        rec.summary
            .note("Observation", read.label, read.display, why);
    };
    let dim = vocab::lab_dimension(name);
    let qualitative = vocab::QUALITATIVE_LABS.contains(&name);
    let titres = name == "ana";
    let mut fact = LabFact {
        name,
        value: None,
        unit: None,
        uln: None,
        result: if qualitative {
            interpretation(read.part)
        } else {
            None
        },
        titre: None,
        method: method.map(str::to_string).or_else(|| {
            read.part
                .get("method")
                .map(|m| fhir::words(m).trim().to_string())
                .filter(|m| !m.is_empty())
        }),
        date: read.date,
        source: read.source.clone(),
    };
    match val {
        Val::Quantity(q) if titres && q_is_titre(q) => match quantity_value(q) {
            Ok(n) => fact.titre = titre_of(n),
            Err(why) => return list(rec, &why),
        },
        Val::Quantity(q) => {
            let value = match quantity_value(q) {
                Ok(v) => v,
                Err(why) => return list(rec, &why),
            };
            match dim {
                Some(d) => {
                    let unit = match project_unit(q, Some(d)) {
                        Ok(u) => u,
                        Err(why) => return list(rec, &why),
                    };
                    let canonical = d.factor(unit).map_or(f64::NAN, |f| value * f);
                    let (lo, hi) = vocab::lab_range(name).unwrap_or((0.0, 1e7));
                    if !(lo..=hi).contains(&canonical) || !(0.0..=1e7).contains(&value) {
                        return list(
                            rec,
                            &format!("{value} {unit} is outside the plausible range for {name}"),
                        );
                    }
                    fact.uln = uln(read.part, unit, Some(d));
                    fact.value = Some(value);
                    fact.unit = Some(unit.to_string());
                }
                None => {
                    if !(0.0..=1e7).contains(&value) {
                        return list(
                            rec,
                            &format!("{value} is outside what the patient file holds"),
                        );
                    }
                    let unit = project_unit(q, None)
                        .map(str::to_string)
                        .unwrap_or_else(|_| {
                            fhir::text(q, "unit")
                                .or(fhir::text(q, "code"))
                                .unwrap_or("")
                                .to_string()
                        });
                    fact.uln = uln(read.part, &unit, None);
                    fact.value = Some(value);
                    fact.unit = (!unit.is_empty()).then_some(unit);
                }
            }
        }
        Val::Concept(c) => {
            let word =
                fhir::codings(c).find_map(|k| k.system.and_then(|s| codes::answer(s, k.code)));
            match word {
                Some(w) if qualitative => fact.result = Some(w),
                Some(_) => return list(rec, "a coded result for a numeric lab"),
                None => {
                    let (l, d) = fhir::describe(c);
                    return list(rec, &format!("result {l} \"{d}\" is not a result word"));
                }
            }
        }
        Val::Text(t) => {
            let t = t.trim();
            if let Some(w) = codes::RESULT_WORDS
                .iter()
                .find(|w| w.eq_ignore_ascii_case(t))
                .filter(|_| qualitative)
            {
                fact.result = Some(w);
            } else if let Some(n) = t
                .strip_prefix("1:")
                .and_then(|n| n.trim().parse::<f64>().ok())
                .filter(|_| titres)
            {
                fact.titre = titre_of(n);
            } else {
                return list(
                    rec,
                    &format!("the text '{}' is not read", super::summary::clean(t)),
                );
            }
        }
        Val::Ratio(r) if titres => {
            let part = |k: &str| {
                r.get(k)
                    .and_then(|q| q.get("value"))
                    .and_then(Value::as_f64)
            };
            match (part("numerator"), part("denominator")) {
                (Some(1.0), Some(d)) => fact.titre = titre_of(d),
                _ => return list(rec, "a ratio that is not a titre 1:N"),
            }
        }
        Val::Ratio(_) => return list(rec, "a ratio is not a value of this lab"),
        Val::Number(n) if dim == Some(Dimension::Ratio) && (0.5..=20.0).contains(&n) => {
            fact.value = Some(n);
            fact.unit = Some("ratio".into());
        }
        Val::Number(_) => return list(rec, "a number without a unit"),
        Val::Other(_) | Val::Absent => {}
    }
    if fact.value.is_none() && fact.result.is_none() && fact.titre.is_none() {
        return list(rec, "no value the patient file reads");
    }
    rec.keep_lab(fact);
}

/// Whether a quantity is a titre's reciprocal (`{titer}`).
fn q_is_titre(q: &Value) -> bool {
    [fhir::text(q, "code"), fhir::text(q, "unit")]
        .iter()
        .flatten()
        .any(|u| units::TITRE_UNITS.contains(u))
}
