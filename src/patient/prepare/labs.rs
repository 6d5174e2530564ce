//! Lab results: each name checked against the vocabulary, its value converted to the lab's
//! canonical unit and checked as plausible (with a guess at the unit meant when it is not),
//! its upper limit of normal, qualitative result and titre read; kept as a [`LabFact`].

use super::Checker;
use crate::patient::spanned::Spanned;
use crate::patient::{Lab, LabFact, Patient, Qual, Shared, Written};
use crate::units::Dimension;
use crate::vocab;

/// The checked, converted facts of the file's labs, in file order; they replace the raw
/// entries, which are dropped (a large queue's memory matters).
pub(super) fn lab_facts(c: &mut Checker, p: &mut Patient) -> Vec<LabFact> {
    // Room for every lab at once (a filtered collect would grow the list step by step).
    let mut labs: Vec<LabFact> = Vec::with_capacity(p.lab.len());
    labs.extend(p.lab.iter().filter_map(|l| lab_fact(c, l)));
    labs.shrink_to_fit();
    p.lab = Vec::new();
    labs
}

/// Whether a canonical value lies within the lab's plausible range.
fn plausible(name: &str, canonical: f64) -> bool {
    vocab::lab_range(name).is_none_or(|(lo, hi)| (lo..=hi).contains(&canonical))
}

/// "hemoglobin 10.5 g/L is outside 30–250 g/L — was it g/dL?": the range, and the accepted
/// unit that would make the value plausible.
fn implausible(name: &str, value: f64, unit: &str, d: Dimension) -> String {
    let (lo, hi) = vocab::lab_range(name).unwrap_or((0.0, 0.0));
    let fmt = crate::text::fmt_num;
    let guess = d
        .accepted_units()
        .filter(|u| !u.eq_ignore_ascii_case(unit.trim()))
        .find(|u| d.to_canonical(value, u).is_ok_and(|x| plausible(name, x)))
        .map(|u| format!(" — was it {u}?"))
        .unwrap_or_default();
    format!(
        "{name} {} {unit} is outside {}–{} {}{guess}; not used",
        fmt(value),
        fmt(lo),
        fmt(hi),
        d.canonical()
    )
}

fn lab_fact(c: &mut Checker, spanned: &Spanned<Lab>) -> Option<LabFact> {
    let l = spanned.get_ref();
    if !vocab::is_lab(&l.name) {
        let mut known: Vec<&str> = vocab::NUMERIC_LABS.iter().map(|(n, _)| *n).collect();
        known.extend_from_slice(vocab::QUALITATIVE_LABS);
        let hint = super::accepted(&l.name, &known);
        c.at_key(
            spanned,
            "name",
            "lab.name",
            format!("unknown lab '{}'{hint}", l.name),
        );
        return None;
    }
    let dim = vocab::lab_dimension(&l.name);
    let mut value = None;
    let mut uln = None;
    if let Some(v) = l.value {
        if !v.is_finite() || !(0.0..=1e7).contains(&v) {
            c.at_key(
                spanned,
                "value",
                "lab.value",
                format!("{v} is impossible for {}", l.name),
            );
            value = Some(Err(format!("{} value {v} is impossible", l.name)));
        } else {
            match (dim, &l.unit) {
                (Some(d), Some(su)) => match d.to_canonical(v, su.get_ref()) {
                    Ok(x) if !plausible(&l.name, x) => {
                        let u = su.get_ref();
                        let message = implausible(&l.name, v, u, d);
                        c.at_key(spanned, "value", "lab.value", message.clone());
                        value = Some(Err(message));
                    }
                    Ok(x) => {
                        value = Some(Ok(x));
                        uln = l.uln.and_then(|x| d.to_canonical(x, su.get_ref()).ok());
                    }
                    Err(e) => {
                        let u = su.get_ref();
                        c.at(su, "lab.unit", format!("{}: {e}", l.name));
                        value = Some(Err(format!("{} unit '{u}' not recognised", l.name)));
                    }
                },
                (Some(_), None) => {
                    c.at_key(
                        spanned,
                        "value",
                        "lab.unit",
                        format!("{} has a value but no unit", l.name),
                    );
                    value = Some(Err(format!("{} recorded without a unit", l.name)));
                }
                (None, _) => {
                    // A qualitative lab with a number (e.g. anti-dsDNA IU/mL with a ULN).
                    value = Some(Ok(v));
                    uln = l.uln;
                }
            }
        }
    }
    if let Some(u) = l.uln
        && (!u.is_finite() || u <= 0.0)
    {
        c.at_key(
            spanned,
            "uln",
            "lab.uln",
            format!("{u} is not a usable upper limit of normal"),
        );
        uln = None;
    }
    let qual = match l.result.as_deref().map(|s| s.trim().to_lowercase()) {
        None => None,
        Some(r) => match r.as_str() {
            "positive" | "detected" | "reactive" => Some(Qual::Positive),
            "negative" | "not detected" | "non-reactive" | "nonreactive" => Some(Qual::Negative),
            other => {
                c.at_key(
                    spanned,
                    "result",
                    "lab.result",
                    format!("'{other}' is not positive/negative/detected/not detected"),
                );
                None
            }
        },
    };
    let titre = match &l.titre {
        None => None,
        Some(t) => {
            let parsed = t
                .trim()
                .strip_prefix("1:")
                .and_then(|n| n.trim().parse::<f64>().ok());
            if parsed.is_none() {
                c.at_key(
                    spanned,
                    "titre",
                    "lab.titre",
                    format!("'{t}' is not a titre like \"1:160\""),
                );
            }
            parsed
        }
    };
    let as_written = match (&l.value, &l.unit, &l.result, &l.titre) {
        (Some(v), Some(u), _, _) => Written::Measure(*v, Shared::new(u.get_ref())),
        (_, _, _, Some(t)) => Written::Titre(Shared::new(t)),
        (Some(v), None, _, _) => Written::Number(*v),
        (None, _, Some(r), _) => Written::Result(Shared::new(r)),
        _ => Written::Nothing,
    };
    Some(LabFact {
        id: vocab::index(vocab::LABS, &l.name).unwrap_or(u8::MAX),
        method: l.method.as_deref().map(Shared::new),
        value,
        as_written,
        uln,
        qual,
        titre,
        date: l.date,
        entered: l.entered.clone(),
    })
}
