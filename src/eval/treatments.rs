//! Evaluation of treatments: which entries match a filter (drug, class, outcome, route,
//! windows and washouts, durations, doses in prednisone equivalents), overlapping courses and
//! counts of distinct drugs.

use super::*;

pub(super) fn treat_label(f: &TreatFilter) -> String {
    let mut parts = Vec::new();
    if !f.classes.is_empty() {
        parts.push(f.classes.join("/"));
    }
    if !f.drugs.is_empty() {
        parts.push(f.drugs.join("/"));
    }
    if !f.outcomes.is_empty() {
        parts.push(format!("with {}", f.outcomes.join("/").replace('_', " ")));
    }
    if !f.routes.is_empty() {
        parts.push(format!("route {}", f.routes.join("/")));
    }
    if let Some(d) = &f.dose {
        parts.push(format!("dose {}", d.shown));
    }
    if let Some(s) = f.min_duration {
        parts.push(format!("for ≥ {}", s.text()));
    }
    if let Some(s) = f.longer_than {
        parts.push(format!("for more than {}", s.text()));
    }
    let anchor = f
        .before_lab
        .as_ref()
        .map_or(String::new(), |l| format!(" before the {l} result"));
    if let Some(s) = f.within {
        parts.push(format!("within {}{anchor}", s.text()));
    }
    if let Some(s) = f.washout {
        parts.push(format!("less than {} ago{anchor}", s.text()));
    }
    if f.current {
        parts.push("currently".into());
    }
    if parts.is_empty() {
        "any treatment".into()
    } else {
        parts.join(" ")
    }
}

/// The last day a treatment was taken, up to the as-of date (the as-of date itself while
/// ongoing: no end and not marked ended); `Err(())` when it ended on a date not recorded.
pub(super) fn last_day(t: &Treatment, as_of: NaiveDate) -> Result<NaiveDate, ()> {
    match (t.end, t.ongoing) {
        (Some(e), _) => Ok(e.min(as_of)),
        (None, Some(false)) => Err(()),
        (None, _) => Ok(as_of),
    }
}

/// Prednisone mg per mg of a glucocorticoid (facts: standard equivalent doses — prednisone
/// 5 mg = prednisolone 5 mg = methylprednisolone 4 mg = dexamethasone 0.75 mg = hydrocortisone
/// 20 mg). Longer names first: "methylprednisolone" contains "prednisolone".
pub(super) const PREDNISONE_EQUIVALENT: &[(&str, f64)] = &[
    ("methylprednisolone", 1.25),
    ("prednisolone", 1.0),
    ("prednisone", 1.0),
    ("dexamethasone", 6.67),
    ("hydrocortisone", 0.25),
];

/// A treatment's recorded daily dose in the limit's terms (prednisone-equivalent mg/day, or
/// per kg of body weight), or why it cannot be told.
pub(super) fn daily_dose(t: &Treatment, per_kg: bool, cx: &Ctx) -> Result<f64, String> {
    let Some(d) = &t.dose else {
        return Err(format!("dose of {} not recorded", t.drug));
    };
    let m = d.get_ref();
    let unit = m.unit.trim().to_lowercase();
    let (mg, dose_per_kg) = match unit.as_str() {
        "mg/day" | "mg/d" => (m.value, false),
        "g/day" => (m.value * 1000.0, false),
        "mg/kg/day" | "mg/kg/d" => (m.value, true),
        other => {
            return Err(format!(
                "dose of {} is {} {other}, not a daily dose",
                t.drug, m.value
            ));
        }
    };
    let factor = PREDNISONE_EQUIVALENT
        .iter()
        .find(|(n, _)| t.key.contains(n))
        .map(|(_, f)| *f)
        .ok_or_else(|| format!("no prednisone equivalence known for {}", t.drug))?;
    let mg = mg * factor;
    match (per_kg, dose_per_kg) {
        (a, b) if a == b => Ok(mg),
        (true, false) => cx
            .patient
            .weight_kg
            .map(|w| mg / w)
            .ok_or_else(|| format!("weight not recorded (dose of {} per kg)", t.drug)),
        _ => cx
            .patient
            .weight_kg
            .map(|w| mg * w)
            .ok_or_else(|| format!("weight not recorded (dose of {} per day)", t.drug)),
    }
}

/// The window a treatment filter asks about: its first day, the anchor (last day), whether
/// a dose on the first day counts (inclusive) — or `Err` when the anchor is not recorded.
pub(super) fn treat_window(
    f: &TreatFilter,
    cx: &Ctx,
) -> Result<Option<(NaiveDate, NaiveDate, bool)>, String> {
    let anchor = match &f.before_lab {
        Some(lab) => match cx.patient.latest_lab_id(lab.id) {
            Some(l) => match l.date {
                Some(d) => d.min(cx.as_of),
                None => return Err(format!("date of the latest {lab} result")),
            },
            None => {
                return Err(format!(
                    "{lab} result (the window is counted from its date)"
                ));
            }
        },
        None => cx.as_of,
    };
    Ok(if let Some(w) = f.washout {
        Some((w.before(anchor), anchor, false))
    } else if let Some(w) = f.within {
        Some((w.before(anchor), anchor, true))
    } else if f.current {
        Some((cx.as_of, cx.as_of, true))
    } else {
        None
    })
}

/// Whether one treatment entry matches; names what is missing when it cannot be told.
pub(super) fn treatment_matches<const X: bool>(
    t: &Treatment,
    class_mask: u32,
    f: &TreatFilter,
    window: Option<(NaiveDate, NaiveDate, bool)>,
    cx: &Ctx,
    missing: &mut Vec<String>,
) -> Truth {
    let x = X;
    let mut truth = Truth::True;
    let unknown = |what: String, missing: &mut Vec<String>| {
        if x {
            missing.push(what);
        }
        Truth::Unknown
    };
    if !f.drugs.is_empty() && t.drug_mask & f.drug_mask == 0 {
        return Truth::False;
    }
    if f.class_mask != 0 {
        if class_mask == 0 {
            truth = unknown(format!("class of {}", t.drug), missing);
        } else if class_mask & f.class_mask == 0 {
            return Truth::False;
        }
    }
    if !f.routes.is_empty() {
        match &t.route {
            Some(r) if f.routes.iter().any(|w| w.eq_ignore_ascii_case(r)) => {}
            Some(_) => return Truth::False,
            None => truth = truth.and(unknown(format!("route of {}", t.drug), missing)),
        }
    }
    if !f.outcomes.is_empty() {
        match &t.outcome {
            // By bit once loaded (outcomes are checked against the vocabulary), else by name.
            Some(_) if t.outcome_bit & f.outcome_mask != 0 => {}
            Some(o) if t.outcome_bit == 0 && f.outcomes.contains(o.get_ref()) => {}
            Some(_) => return Truth::False,
            None => truth = truth.and(unknown(format!("outcome of {}", t.drug), missing)),
        }
    }
    let last = last_day(t, cx.as_of);
    if let Some((from, anchor, inclusive)) = window {
        let after_start = |d: NaiveDate| if inclusive { d >= from } else { d > from };
        match (t.start, last) {
            (Some(s), _) if s > anchor => return Truth::False,
            (_, Ok(e)) if !after_start(e) => return Truth::False,
            // Taken on its start date, inside the window.
            (Some(s), _) if after_start(s) => {}
            (Some(_), Ok(_)) => {}
            // The last dose is in the window but may have come after the anchor.
            // An end in the window; or ongoing (no end recorded) and so taken on the as-of date.
            (None, Ok(e)) if e <= anchor && (t.end.is_some() || anchor == cx.as_of) => {}
            (_, Err(())) => {
                truth = truth.and(unknown(
                    format!("end date of {} (marked ended)", t.drug),
                    missing,
                ))
            }
            (None, Ok(_)) => truth = truth.and(unknown(format!("dates of {}", t.drug), missing)),
        }
    }
    for (span, strict) in [(f.min_duration, false), (f.longer_than, true)] {
        let Some(d) = span else { continue };
        let long_enough = |end: NaiveDate, s: NaiveDate| {
            if strict {
                d.before(end) > s
            } else {
                d.before(end) >= s
            }
        };
        match (t.start, last) {
            (Some(s), Ok(e)) if !long_enough(e, s) => return Truth::False,
            (Some(_), Ok(_)) => {}
            // Ended on an unrecorded date: no longer than until the as-of date.
            (Some(s), Err(())) if !long_enough(cx.as_of, s) => return Truth::False,
            (Some(_), Err(())) => {
                truth = truth.and(unknown(
                    format!("end date of {} (marked ended)", t.drug),
                    missing,
                ))
            }
            (None, _) => truth = truth.and(unknown(format!("start date of {}", t.drug), missing)),
        }
    }
    if let Some(limit) = &f.dose {
        match daily_dose(t, limit.per_kg, cx) {
            Ok(v) if limit.op.holds(v, limit.value) => {}
            Ok(_) => return Truth::False,
            Err(why) => truth = truth.and(unknown(why, missing)),
        }
    }
    truth
}

/// `together(a, b, for=...)`: some course matching `a` and some course matching `b` overlap
/// for at least `span` (both treatment entries' own filters apply, durations excepted).
pub(super) fn together<const X: bool>(
    a: &TreatFilter,
    b: &TreatFilter,
    span: Span,
    cx: &Ctx,
) -> Outcome {
    let p = cx.patient;
    let mut missing = Vec::new();
    let list: Vec<(&Treatment, u32)> = p
        .data
        .treatment
        .iter()
        .zip(p.class_masks.iter().copied())
        .collect();
    let matches = |f: &TreatFilter, missing: &mut Vec<String>| -> Vec<(&Treatment, Truth)> {
        list.iter()
            .filter_map(|(t, m)| {
                let tr = treatment_matches::<X>(t, *m, f, None, cx, missing);
                (tr != Truth::False).then_some((*t, tr))
            })
            .collect()
    };
    let (left, right) = (matches(a, &mut missing), matches(b, &mut missing));
    let (mut best, mut yes, mut maybe) = (Truth::False, Vec::new(), Vec::new());
    for (ta, ma) in &left {
        for (tb, mb) in &right {
            if std::ptr::eq(*ta, *tb) {
                continue;
            }
            let start = match (ta.start, tb.start) {
                (Some(x), Some(y)) => Some(x.max(y)),
                _ => None,
            };
            let (ea, eb) = (last_day(ta, cx.as_of), last_day(tb, cx.as_of));
            // The latest the overlap can end: the earlier known end, else the as-of date.
            let end_bound = [ea.ok(), eb.ok()]
                .into_iter()
                .flatten()
                .min()
                .unwrap_or(cx.as_of);
            let ends_known = ea.is_ok() && eb.is_ok();
            let t = match start {
                Some(s) if span.before(end_bound) < s => Truth::False,
                Some(_) if ends_known => Truth::True,
                _ => {
                    if X {
                        missing.push(format!("dates of {} and {}", ta.drug, tb.drug));
                    }
                    Truth::Unknown
                }
            };
            let t = t.and(*ma).and(*mb);
            if X && t != Truth::False {
                let pair = format!("{} with {}", describe_treatment(ta), describe_treatment(tb));
                if t == Truth::True {
                    yes.push(pair);
                } else {
                    maybe.push(pair);
                }
            }
            best = best.or(t);
        }
    }
    let label = || {
        format!(
            "{} together with {} for ≥ {}",
            treat_label(a),
            treat_label(b),
            span.text()
        )
    };
    match best {
        Truth::True => Outcome::known(true, why!(X, "{}: {}", label(), yes.join("; "))),
        Truth::Unknown => Outcome::unknown(
            why!(X, "{}: cannot tell for {}", label(), maybe.join("; ")),
            missing,
        ),
        Truth::False if p.checked().is_some_and(|c| c.treatments) => Outcome::known(
            false,
            why!(
                X,
                "no {} (treatment history checked complete{})",
                label(),
                checked_on(cx, "treatments")
            ),
        ),
        Truth::False => Outcome::unknown(
            why!(
                X,
                "no {} recorded; treatment history not marked complete",
                label()
            ),
            miss!(X, format!("treatment history ({})", label())),
        ),
    }
}

pub(super) fn describe_treatment(t: &Treatment) -> String {
    let mut s = t.drug.get_ref().clone();
    match (t.start, t.end) {
        (Some(a), Some(b)) => s.push_str(&format!(" {a}→{b}")),
        (Some(a), None) => s.push_str(&format!(" since {a}")),
        (None, Some(b)) => s.push_str(&format!(" until {b}")),
        (None, None) => {}
    }
    if t.end.is_none() && t.ongoing == Some(false) {
        s.push_str(", ended (date not recorded)");
    }
    if let Some(d) = &t.dose {
        let d = d.get_ref();
        s.push_str(&format!(" {} {}", fmt_num(d.value), d.unit));
    }
    if let Some(o) = &t.outcome {
        s.push_str(&format!(" ({})", o.get_ref().replace('_', " ")));
    }
    s.push_str(&entered_note(t.entered.as_deref()));
    s
}

/// Treatments classified against a filter: counts always, texts only when explaining.
#[derive(Default)]
pub(super) struct Scan<'a> {
    pub(super) yes: usize,
    pub(super) maybe: usize,
    /// Distinct matching drugs, listed when explaining (or counting more than 64 treatments).
    pub(super) drugs: Vec<&'a str>,
    pub(super) drug_entries: Vec<&'a Treatment>,
    /// How many distinct matching drugs (when counting or explaining).
    pub(super) distinct: usize,
    pub(super) yes_text: Vec<String>,
    pub(super) maybe_text: Vec<String>,
    pub(super) missing: Vec<String>,
}

/// Whether two treatment entries are the same drug: the same catalogue drugs (so spellings
/// such as ciclosporin and cyclosporine are one), or the same name outside the catalogue.
pub(super) fn same_drug(a: &Treatment, b: &Treatment) -> bool {
    if a.drug_mask != 0 || b.drug_mask != 0 {
        a.drug_mask == b.drug_mask
    } else {
        a.key == b.key
    }
}

#[inline(always)]
pub(super) fn scan_treatments<'a, const X: bool>(
    f: &TreatFilter,
    cx: &Ctx<'a>,
    count_drugs: bool,
) -> Scan<'a> {
    let mut s = Scan::default();
    let p = cx.patient;
    // The window, the same for every treatment; a match whose window's anchor is not recorded
    // cannot be placed in it.
    let (window, anchor_missing) = match treat_window(f, cx) {
        Ok(w) => (w, None),
        Err(what) => (None, Some(what)),
    };
    // Counting without explaining marks the matches in a bitmask instead of listing names.
    let by_bits = !X && p.data.treatment.len() <= 64;
    let mut matched = 0u64;
    for (i, (t, mask)) in p.data.treatment.iter().zip(&p.class_masks).enumerate() {
        let mut t_truth = treatment_matches::<X>(t, *mask, f, window, cx, &mut s.missing);
        if let Some(what) = &anchor_missing
            && t_truth == Truth::True
        {
            t_truth = Truth::Unknown;
            if X {
                s.missing.push(what.clone());
            }
        }
        match t_truth {
            Truth::True => {
                s.yes += 1;
                if count_drugs && by_bits {
                    let seen = p.data.treatment[..i]
                        .iter()
                        .enumerate()
                        .any(|(j, u)| matched >> j & 1 == 1 && same_drug(u, t));
                    matched |= 1 << i;
                    s.distinct += usize::from(!seen);
                } else if (count_drugs || X) && !s.drug_entries.iter().any(|u| same_drug(u, t)) {
                    s.drugs.push(&t.key);
                    s.drug_entries.push(t);
                    s.distinct += 1;
                }
                if X {
                    s.yes_text.push(describe_treatment(t));
                }
                if !count_drugs && !X {
                    break;
                }
            }
            Truth::Unknown => {
                s.maybe += 1;
                if X {
                    s.maybe_text.push(describe_treatment(t));
                }
            }
            Truth::False => {}
        }
    }
    s
}

pub(super) fn treated<const X: bool>(f: &TreatFilter, cx: &Ctx) -> Outcome {
    let s = scan_treatments::<X>(f, cx, false);
    if s.yes > 0 {
        return Outcome::known(
            true,
            why!(X, "{}: {}", treat_label(f), s.yes_text.join(", ")),
        );
    }
    if s.maybe > 0 {
        return Outcome::unknown(
            why!(
                X,
                "{}: cannot tell for {}",
                treat_label(f),
                s.maybe_text.join(", ")
            ),
            s.missing,
        );
    }
    if cx.patient.checked().is_some_and(|c| c.treatments) {
        Outcome::known(
            false,
            why!(
                X,
                "no {} (treatment history checked complete{})",
                treat_label(f),
                checked_on(cx, "treatments")
            ),
        )
    } else {
        Outcome::unknown(
            why!(
                X,
                "no {} recorded; treatment history not marked complete",
                treat_label(f)
            ),
            miss!(X, format!("treatment history ({})", treat_label(f))),
        )
    }
}

/// Bounds on the number of distinct drugs matching `f`, with evidence and missing facts.
pub(super) fn count_treated<const X: bool>(
    f: &TreatFilter,
    cx: &Ctx,
) -> ((f64, f64), String, Vec<String>) {
    let mut s = scan_treatments::<X>(f, cx, true);
    let lo = s.distinct as f64;
    let hi = if cx.patient.checked().is_some_and(|c| c.treatments) {
        lo + s.maybe as f64
    } else {
        if X {
            s.missing
                .push(format!("complete treatment history ({})", treat_label(f)));
        }
        f64::INFINITY
    };
    let text = why!(
        X,
        "{} distinct {} ({})",
        s.drugs.len(),
        treat_label(f),
        if s.drugs.is_empty() {
            "none".into()
        } else {
            // Each drug as its first matching entry names it, and where that came from.
            s.drugs
                .iter()
                .zip(&s.drug_entries)
                .map(|(d, t)| format!("{d}{}", entered_note(t.entered.as_deref())))
                .collect::<Vec<_>>()
                .join(", ")
        }
    );
    ((lo, hi), text, s.missing)
}
