//! Evaluation of the patient's history: diagnoses, conditions (with their windows, tags read
//! by axis, and dates near a diagnosis), allergies and clinical-trial treatment.

use super::*;

/// Whether one diagnosis entry meets the filter; explains into `why`/`missing` when asked.
pub(super) fn diagnosis_entry<const X: bool>(
    d: &crate::patient::Diagnosis,
    f: &DiagnosisFilter,
    cx: &Ctx,
    why: &mut Vec<String>,
    missing: &mut Vec<String>,
) -> Truth {
    let x = X;
    let label = &f.code;
    let mut t = Truth::True;
    if !f.criteria.is_empty() {
        if d.criteria.is_empty() {
            t = Truth::Unknown;
            if x {
                why.push("classification criteria not recorded".into());
                missing.push(format!(
                    "{} classification criteria ({})",
                    label.to_uppercase(),
                    f.criteria.join(" or ")
                ));
            }
        } else if let Some(m) = d
            .criteria
            .iter()
            .find(|c| f.criteria.iter().any(|w| w.eq_ignore_ascii_case(c)))
        {
            if x {
                why.push(format!("meets {m}"));
            }
        } else {
            t = Truth::False;
            if x {
                why.push(format!(
                    "criteria {} recorded, not {}",
                    d.criteria.join(", "),
                    f.criteria.join(" or ")
                ));
            }
        }
    }
    if let Some(span) = f.for_at_least {
        match d.diagnosed {
            Some(date) => {
                t = t.and(Truth::from_bool(date <= span.before(cx.as_of)));
                if x {
                    why.push(format!(
                        "diagnosed {date} ({}; needs ≥ {})",
                        since(date, cx),
                        span.text()
                    ));
                }
            }
            None => {
                t = t.and(Truth::Unknown);
                if x {
                    why.push("diagnosis date not recorded".into());
                    missing.push(format!("{} diagnosis date", label.to_uppercase()));
                }
            }
        }
    }
    for tag in &f.tags {
        let state = crate::vocab::tag_state(&d.tags, tag);
        t = t.and(state.map_or(Truth::Unknown, Truth::from_bool));
        if x {
            let tag = tag.replace('_', " ");
            match state {
                Some(true) => why.push(tag),
                Some(false) => why.push(format!("not {tag} (recorded: {})", d.tags.join(", "))),
                None => {
                    why.push(format!("{tag} not recorded"));
                    missing.push(format!("{}: {tag}", label.to_uppercase()));
                }
            }
        }
    }
    t
}

/// The patient's diagnoses with one of the codes in `codes` (a bitmask over
/// `vocab::DIAGNOSES`).
fn diagnoses_with(p: &Profile, codes: u32) -> impl Iterator<Item = &crate::patient::Diagnosis> {
    p.data
        .diagnosis
        .iter()
        .zip(&p.diagnosis_ids)
        .filter(move |(_, id)| {
            1u32.checked_shl(u32::from(**id))
                .is_some_and(|bit| codes & bit != 0)
        })
        .map(|(d, _)| d)
}

pub(super) fn diagnosis<const X: bool>(f: &DiagnosisFilter, cx: &Ctx) -> Outcome {
    let mut best: Option<Outcome> = None;
    let mut reasons = Vec::new();
    let mut any = false;
    for d in diagnoses_with(cx.patient, f.codes) {
        any = true;
        let mut why = Vec::new();
        let mut missing = Vec::new();
        let t = diagnosis_entry::<X>(d, f, cx, &mut why, &mut missing);
        let reason = why!(
            X,
            "{} {}{}",
            d.code.get_ref().to_uppercase(),
            why.join(", "),
            entered_note(d.entered.as_deref())
        );
        if X {
            reasons.push(reason.clone());
        }
        let o = Outcome {
            truth: t,
            reason,
            missing,
        };
        // Keep the best entry: true over unknown over false.
        best = match best {
            Some(b) if b.truth == Truth::True => Some(b),
            Some(b) if b.truth == Truth::Unknown && o.truth == Truth::False => Some(b),
            _ => Some(o),
        };
        if t == Truth::True && !X {
            break;
        }
    }
    if !any {
        let label = || f.code.to_uppercase();
        return if cx.patient.checked().is_some_and(|c| c.diagnoses) {
            Outcome::known(
                false,
                why!(
                    X,
                    "no {} diagnosis (diagnosis list checked complete{})",
                    label(),
                    checked_on(cx, "diagnoses")
                ),
            )
        } else {
            Outcome::unknown(
                why!(
                    X,
                    "no {} diagnosis recorded; list not marked complete",
                    label()
                ),
                miss!(X, format!("{} diagnosis", label())),
            )
        };
    }
    let mut best = best.unwrap_or_else(|| Outcome::known(false, String::new()));
    if best.truth == Truth::False && X {
        best.reason = reasons.join("; ");
    }
    best
}

/// Whether one condition entry matches; names what is missing when it cannot be told.
pub(super) fn condition_matches<const X: bool>(
    c: &Condition,
    f: &ConditionFilter,
    cx: &Ctx,
    missing: &mut Vec<String>,
) -> Truth {
    let x = X;
    let name = || {
        c.name
            .clone()
            .unwrap_or_else(|| f.category.replace('_', " "))
    };
    let mut truth = Truth::True;
    if !f.status.is_empty() || !f.status_not.is_empty() {
        match &c.status {
            Some(s) => {
                if (!f.status.is_empty() && !f.status.contains(s)) || f.status_not.contains(s) {
                    return Truth::False;
                }
            }
            None => {
                truth = Truth::Unknown;
                if x {
                    missing.push(format!("status of {}", name()));
                }
            }
        }
    }
    // Tags are read by axis: an entry not classified on a tag's axis cannot be told.
    for (tag, want) in f
        .tags
        .iter()
        .map(|t| (t, true))
        .chain(f.tags_not.iter().map(|t| (t, false)))
    {
        match crate::vocab::tag_state(&c.tags, tag) {
            Some(has) if has != want => return Truth::False,
            Some(_) => {}
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("{}: {} or not", name(), tag.replace('_', " ")));
                }
            }
        }
    }
    if !f.severity.is_empty() {
        match &c.severity {
            Some(s) if f.severity.contains(s) => {}
            Some(_) => return Truth::False,
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("severity of {}", name()));
                }
            }
        }
    }
    if let (Some(w), Some((code, mask))) = (f.within, &f.near) {
        return truth.and(near_diagnosis::<X>(c, w, code, *mask, cx, missing));
    }
    if let Some(w) = f.within {
        let from = w.before(cx.as_of);
        let current = matches!(
            c.status.as_deref(),
            Some("active" | "uncontrolled" | "controlled")
        );
        match (c.onset, c.resolved) {
            (Some(o), _) if o > cx.as_of => return Truth::False,
            (_, Some(r)) if r < from => return Truth::False,
            // Resolved inside the window (or later): active in it.
            (_, Some(_)) => {}
            // Began inside the window.
            (Some(o), None) if o >= from => {}
            // Still going now.
            (_, None) if current => {}
            // Began before the window, and whether it was over by then is not recorded.
            _ => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("{}: status now, or the date it resolved", name()));
                }
            }
        }
    }
    truth
}

/// Whether a condition began within `w` of (before or after) a diagnosis of one of `mask`'s
/// codes.
pub(super) fn near_diagnosis<const X: bool>(
    c: &Condition,
    w: Span,
    code: &str,
    mask: u32,
    cx: &Ctx,
    missing: &mut Vec<String>,
) -> Truth {
    let p = cx.patient;
    let Some(onset) = c.onset else {
        if X {
            missing.push(format!(
                "onset date of {}",
                c.name.as_deref().unwrap_or(c.category.get_ref())
            ));
        }
        return Truth::Unknown;
    };
    let mut t = Truth::False;
    let mut any = false;
    for d in diagnoses_with(p, mask) {
        any = true;
        match d.diagnosed {
            Some(dd) => {
                let (early, late) = if dd <= onset {
                    (dd, onset)
                } else {
                    (onset, dd)
                };
                if w.before(late) <= early {
                    return Truth::True;
                }
            }
            None => {
                t = Truth::Unknown;
                if X {
                    missing.push(format!(
                        "{} diagnosis date",
                        d.code.get_ref().to_uppercase()
                    ));
                }
            }
        }
    }
    if !any && !p.checked().is_some_and(|ch| ch.diagnoses) {
        if X {
            missing.push(format!("{code} diagnosis"));
        }
        return Truth::Unknown;
    }
    t
}

pub(super) fn describe_condition(c: &Condition) -> String {
    let mut s = c
        .name
        .clone()
        .unwrap_or_else(|| c.category.get_ref().replace('_', " "));
    let mut q = Vec::new();
    if let Some(st) = &c.status {
        q.push(st.clone());
    }
    if let Some(o) = c.onset {
        q.push(format!("onset {o}"));
    }
    if let Some(r) = c.resolved {
        q.push(format!("resolved {r}"));
    }
    if let Some(sev) = &c.severity {
        q.push(sev.clone());
    }
    if !c.tags.is_empty() {
        q.push(c.tags.join(", ").replace('_', " "));
    }
    if !q.is_empty() {
        s.push_str(&format!(" ({})", q.join(", ")));
    }
    s.push_str(&entered_note(c.entered.as_deref()));
    s
}

pub(super) fn has<const X: bool>(f: &ConditionFilter, cx: &Ctx) -> Outcome {
    let x = X;
    let (mut yes, mut maybe) = (0, 0);
    let (mut yes_t, mut maybe_t, mut other_t, mut missing) = (vec![], vec![], vec![], vec![]);
    let p = cx.patient;
    for (c, _) in p
        .data
        .condition
        .iter()
        .zip(&p.condition_ids)
        .filter(|(_, id)| **id == f.category.id)
    {
        let t = condition_matches::<X>(c, f, cx, &mut missing);
        match t {
            Truth::True => yes += 1,
            Truth::Unknown => maybe += 1,
            Truth::False => {}
        }
        if x {
            match t {
                Truth::True => yes_t.push(describe_condition(c)),
                Truth::Unknown => maybe_t.push(describe_condition(c)),
                Truth::False => other_t.push(describe_condition(c)),
            }
        } else if t == Truth::True {
            break;
        }
    }
    let label = || {
        let mut l = f.category.replace('_', " ");
        if let Some(w) = f.within {
            l.push_str(&format!(" within {}", w.text()));
        }
        l
    };
    if yes > 0 {
        return Outcome::known(true, why!(X, "{}: {}", label(), yes_t.join(", ")));
    }
    if maybe > 0 {
        return Outcome::unknown(
            why!(X, "{}: cannot tell for {}", label(), maybe_t.join(", ")),
            missing,
        );
    }
    let checked = p.checked_categories & (1 << f.category.id) != 0;
    let others = || {
        if other_t.is_empty() {
            String::new()
        } else {
            format!(" (recorded but not matching: {})", other_t.join(", "))
        }
    };
    if checked && !other_t.is_empty() {
        Outcome::known(
            false,
            why!(
                X,
                "{} recorded but not matching: {} (history checked{})",
                f.category.replace('_', " "),
                other_t.join(", "),
                checked_on(cx, "conditions")
            ),
        )
    } else if checked {
        Outcome::known(
            false,
            why!(
                X,
                "no {} (checked{})",
                label(),
                checked_on(cx, "conditions")
            ),
        )
    } else {
        Outcome::unknown(
            why!(X, "{}: not recorded as checked{}", label(), others()),
            miss!(X, format!("history: {}", f.category.replace('_', " "))),
        )
    }
}

pub(super) fn allergic<const X: bool>(f: &AllergyFilter, cx: &Ctx) -> Outcome {
    let (mut yes, mut maybe) = (vec![], vec![]);
    let (mut n_yes, mut n_maybe) = (0, 0);
    for a in &cx.patient.data.allergy {
        if !f.to.is_empty() && !f.to.iter().any(|t| a.key.contains(t.as_str())) {
            continue;
        }
        let matched = match &a.severity {
            _ if f.severity.is_empty() => Truth::True,
            Some(s) if f.severity.contains(s) => Truth::True,
            Some(_) => Truth::False,
            None => Truth::Unknown,
        };
        let text = || {
            format!(
                "{} ({}){}",
                a.substance,
                a.severity.as_deref().unwrap_or("severity not recorded"),
                entered_note(a.entered.as_deref())
            )
        };
        match matched {
            Truth::True => {
                n_yes += 1;
                if X {
                    yes.push(text());
                }
            }
            Truth::Unknown => {
                n_maybe += 1;
                if X {
                    maybe.push(text());
                }
            }
            Truth::False => {}
        }
    }
    let label = || {
        let what = if f.to.is_empty() {
            "allergy".to_string()
        } else {
            format!("allergy to {}", f.to.join("/"))
        };
        if f.severity.is_empty() {
            what
        } else {
            format!("{} {what}", f.severity.join("/"))
        }
    };
    if n_yes > 0 {
        return Outcome::known(true, why!(X, "{}: {}", label(), yes.join(", ")));
    }
    if n_maybe > 0 {
        return Outcome::unknown(
            why!(X, "{}: cannot tell for {}", label(), maybe.join(", ")),
            miss!(X, "allergy severity".into()),
        );
    }
    if cx.patient.checked().is_some_and(|c| c.allergies) {
        Outcome::known(
            false,
            why!(
                X,
                "no {} (allergies checked{})",
                label(),
                checked_on(cx, "allergies")
            ),
        )
    } else {
        Outcome::unknown(
            why!(X, "{}: allergies not recorded as checked", label()),
            miss!(X, "allergy history".into()),
        )
    }
}

pub(super) fn trial_treatment<const X: bool>(within: Option<Span>, cx: &Ctx) -> Outcome {
    let from = within.map(|w| w.before(cx.as_of));
    let window = || {
        within
            .map(|w| format!(" within {}", w.text()))
            .unwrap_or_default()
    };
    let mut undated = false;
    for t in &cx.patient.data.trial_participation {
        match (t.last_treatment, from) {
            (Some(d), Some(f)) if d >= f => {
                return Outcome::known(
                    true,
                    why!(
                        X,
                        "clinical-trial treatment on {d}{}{}",
                        entered_note(t.entered.as_deref()),
                        window()
                    ),
                );
            }
            (None, _) => undated = true,
            (Some(d), None) => {
                return Outcome::known(
                    true,
                    why!(
                        X,
                        "clinical-trial treatment on {d}{}",
                        entered_note(t.entered.as_deref())
                    ),
                );
            }
            _ => {}
        }
    }
    // An investigational drug in the treatment list counts as clinical-trial treatment: each
    // entry classed experimental, placed in the window by its dates.
    let experimental = *EXPERIMENTAL;
    let filter = TreatFilter {
        class_mask: experimental,
        within,
        ..TreatFilter::default()
    };
    let window_of = treat_window(&filter, cx).unwrap_or(None);
    let (mut yes, mut maybe) = (Vec::new(), Vec::new());
    let p = cx.patient;
    for (t, mask) in p.data.treatment.iter().zip(&p.class_masks) {
        if mask & experimental == 0 {
            continue;
        }
        let mut ignored = Vec::new();
        match treatment_matches::<X>(t, *mask, &filter, window_of, cx, &mut ignored) {
            Truth::True if !X => return Outcome::bare(Truth::True),
            Truth::True => yes.push(describe_treatment(t)),
            // Counted always, described only when explaining.
            Truth::Unknown => maybe.push(if X {
                describe_treatment(t)
            } else {
                String::new()
            }),
            Truth::False => {}
        }
    }
    if !yes.is_empty() {
        return Outcome::known(
            true,
            why!(
                X,
                "investigational treatment{}: {}",
                window(),
                yes.join(", ")
            ),
        );
    }
    if undated || !maybe.is_empty() {
        return Outcome::unknown(
            why!(
                X,
                "{}",
                if undated {
                    "trial participation recorded without a last-treatment date".to_string()
                } else {
                    format!(
                        "investigational treatment, dates not recorded: {}",
                        maybe.join(", ")
                    )
                }
            ),
            miss!(X, "date of last clinical-trial treatment".into()),
        );
    }
    if cx.patient.checked().is_some_and(|c| c.trials) {
        Outcome::known(
            false,
            why!(
                X,
                "no clinical-trial treatment{} (checked{})",
                window(),
                checked_on(cx, "trials")
            ),
        )
    } else {
        Outcome::unknown(
            why!(
                X,
                "clinical-trial treatment{} not recorded as checked",
                window()
            ),
            miss!(X, "prior clinical-trial treatment".into()),
        )
    }
}

/// The experimental class as a bitmask over `vocab::CLASSES`, found once.
static EXPERIMENTAL: std::sync::LazyLock<u32> =
    std::sync::LazyLock::new(|| crate::vocab::class_mask(&["experimental".to_string()]));
