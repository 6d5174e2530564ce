//! Evaluation of measured facts: lab results (windows, groups, titres by method), scores,
//! recorded numbers and derived values, compared with a threshold and explained.

use super::*;

/// The latest result of a lab dated `from..=as_of` (any result when `from` is `None`): the
/// last of the latest-dated results, read from the profile's latest-result index unless that
/// result is dated after the as-of date (then the results are scanned).
pub(super) fn latest_lab_in(
    p: &Profile,
    id: u8,
    from: Option<NaiveDate>,
    as_of: NaiveDate,
) -> Option<&crate::patient::LabFact> {
    let latest = p.latest_lab_id(id)?;
    let Some(from) = from else {
        return Some(latest);
    };
    match latest.date {
        Some(d) if d > as_of => p
            .labs
            .iter()
            .filter(|l| l.id == id)
            .filter(|l| l.date.is_some_and(|d| d >= from && d <= as_of))
            .max_by_key(|l| l.date),
        // Every other result of this lab is dated no later (or undated).
        Some(d) if d >= from => Some(latest),
        _ => None,
    }
}

/// A result read as positive or negative: as written, else a value above its recorded upper
/// limit of normal ("higher than normal").
pub(super) fn qual_of(l: &crate::patient::LabFact) -> Option<Qual> {
    l.qual.or(match (&l.value, l.uln) {
        (Some(Ok(v)), Some(u)) => Some(if *v > u {
            Qual::Positive
        } else {
            Qual::Negative
        }),
        _ => None,
    })
}

/// `positive(GROUP)` for a lab group (myositis antibodies): positive when any member's latest
/// result (or the panel's) is; negative when the panel's latest result is negative and no
/// member is positive; otherwise unknown.
pub(super) fn lab_group<const X: bool>(
    lab: &Key,
    members: &[&str],
    positive: bool,
    within: Option<Span>,
    cx: &Ctx,
) -> Outcome {
    let from = within.map(|w| w.before(cx.as_of));
    let read = |id: u8| {
        latest_lab_in(cx.patient, id, from, cx.as_of).and_then(|l| qual_of(l).map(|q| (q, l)))
    };
    let ids = members
        .iter()
        .filter_map(|m| crate::vocab::index(crate::vocab::LABS, m))
        .chain(std::iter::once(lab.id));
    let mut pos = Vec::new();
    let mut neg = Vec::new();
    for id in ids {
        match read(id) {
            Some((Qual::Positive, l)) => pos.push(l),
            Some((Qual::Negative, l)) => neg.push(l),
            None => {}
        }
    }
    let say = |l: &crate::patient::LabFact, word: &str| {
        format!(
            "{} {word}{}{}",
            l.name(),
            l.date.map(|d| format!(" on {d}")).unwrap_or_default(),
            l.entered_note()
        )
    };
    let all = |ls: &[&crate::patient::LabFact], word: &str| {
        ls.iter()
            .map(|l| say(l, word))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let panel_negative = neg.iter().any(|l| l.id == lab.id);
    if !pos.is_empty() {
        Outcome::known(positive, why!(X, "{}", all(&pos, "positive")))
    } else if panel_negative {
        Outcome::known(!positive, why!(X, "{}", all(&neg, "negative")))
    } else {
        let seen = if neg.is_empty() {
            String::new()
        } else {
            format!(" ({}; other antibodies not tested)", all(&neg, "negative"))
        };
        Outcome::unknown(
            why!(X, "no positive {lab} and no negative panel result{seen}"),
            miss!(X, format!("{lab} panel result")),
        )
    }
}

pub(super) fn lab_result<const X: bool>(
    lab: &Key,
    positive: bool,
    within: Option<Span>,
    cx: &Ctx,
) -> Outcome {
    if let Some((_, members)) = crate::vocab::LAB_GROUPS
        .iter()
        .find(|(g, _)| *g == lab.name)
    {
        return lab_group::<X>(lab, members, positive, within, cx);
    }
    let from = within.map(|w| w.before(cx.as_of));
    let l = latest_lab_in(cx.patient, lab.id, from, cx.as_of);
    let window = || {
        within
            .map(|w| format!(" within {}", w.text()))
            .unwrap_or_default()
    };
    let Some(l) = l else {
        // A result outside the window is never used silently: say that it is too old.
        let older = || {
            cx.patient
                .labs
                .iter()
                .filter(|l| l.id == lab.id)
                .max_by_key(|l| l.date)
                .map(|l| {
                    let date = l.date.map_or("an unknown date".into(), |d| d.to_string());
                    format!(" (latest {lab} result, from {date}, is outside the window)")
                })
                .unwrap_or_default()
        };
        return Outcome::unknown(
            why!(X, "no {lab} result{}{}", window(), older()),
            miss!(
                X,
                format!(
                    "{lab} result{}",
                    within
                        .map(|w| format!(" within {}", w.short()))
                        .unwrap_or_default()
                )
            ),
        );
    };
    let date = || {
        let on = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
        format!("{on}{}", l.entered_note())
    };
    match qual_of(l) {
        Some(q) => {
            let is_pos = q == Qual::Positive;
            Outcome::known(
                is_pos == positive,
                why!(
                    X,
                    "{lab} {}{}",
                    if is_pos { "positive" } else { "negative" },
                    date()
                ),
            )
        }
        None => Outcome::unknown(
            why!(
                X,
                "{lab} {}{}: not readable as positive/negative",
                l.written(),
                date()
            ),
            miss!(X, format!("{lab} qualitative result")),
        ),
    }
}

/// The latest score (within the window when one is given).
pub(super) fn score_entry<'a>(
    cx: &Ctx<'a>,
    score: &Key,
    within: Option<Span>,
) -> Option<&'a crate::patient::Score> {
    let latest = cx.patient.latest_score_id(score.id)?;
    let Some(w) = within else {
        return Some(latest);
    };
    let from = w.before(cx.as_of);
    match latest.date {
        Some(d) if d >= from && d <= cx.as_of => Some(latest),
        Some(d) if d < from => None,
        _ => cx
            .patient
            .data
            .score
            .iter()
            .filter(|s| s.name.get_ref() == &score.name)
            .filter(|s| s.date.is_some_and(|d| d >= from && d <= cx.as_of))
            .max_by_key(|s| s.date),
    }
}

/// The latest titre of a lab measured by one of `methods` (any method when empty), within the
/// window when one is given.
pub(super) fn titre_entry<'a>(
    cx: &Ctx<'a>,
    lab: &Key,
    methods: &[String],
    within: Option<Span>,
) -> Option<&'a crate::patient::LabFact> {
    let from = within.map(|w| w.before(cx.as_of));
    let by_method = |l: &crate::patient::LabFact| {
        methods.is_empty()
            || l.method.as_ref().is_some_and(|m| {
                let m = m.to_lowercase();
                methods.iter().any(|w| m.contains(w.as_str()))
            })
    };
    if methods.is_empty() && from.is_none() {
        return cx
            .patient
            .latest_lab_id(lab.id)
            .filter(|l| l.titre.is_some());
    }
    cx.patient
        .labs
        .iter()
        .filter(|l| l.id == lab.id && l.titre.is_some() && by_method(l))
        .filter(|l| match from {
            Some(f) => l.date.is_some_and(|d| d >= f && d <= cx.as_of),
            None => true,
        })
        .max_by_key(|l| l.date)
}

/// The latest result of a lab (within the window when one is given), as comparisons read it.
fn lab_entry<'a>(
    cx: &Ctx<'a>,
    lab: &Key,
    within: Option<Span>,
) -> Option<&'a crate::patient::LabFact> {
    latest_lab_in(
        cx.patient,
        lab.id,
        within.map(|w| w.before(cx.as_of)),
        cx.as_of,
    )
}

/// The bounds of a numeric fact, without evidence (the fast path).
#[inline(always)]
pub(super) fn value(num: &Num, cx: &Ctx) -> Option<(f64, f64)> {
    let p = cx.patient;
    let exact = |v: Option<f64>| v.map(|x| (x, x));
    match num {
        Num::Age => exact(p.facts(cx.as_of).age),
        Num::Crcl => exact(p.facts(cx.as_of).crcl),
        Num::Egfr => exact(p.facts(cx.as_of).egfr),
        Num::Xuln(lab) => exact(derive::Xuln::of(p, lab.id).value()),
        Num::Lab(lab, _, within) => match lab_entry(cx, lab, *within)?.value {
            Some(Ok(v)) => Some((v, v)),
            _ => None,
        },
        Num::Score(name, within) => {
            exact(score_entry(cx, name, *within).map(|s| *s.value.get_ref()))
        }
        Num::Titre(lab, methods, within) => exact(titre_entry(cx, lab, methods, *within)?.titre),
        Num::Recorded(r) => exact(p.recorded(*r)),
        Num::CountTreated(f) => Some(count_treated::<false>(f, cx).0),
    }
}

/// Evidence for a numeric fact and the facts missing for it (the explaining path).
pub(super) fn evidence(num: &Num, cx: &Ctx) -> (String, Vec<String>) {
    let p = cx.patient;
    let derived = |d: derive::Derived| (d.evidence, d.missing);
    match num {
        Num::Age => derived(derive::Age::of(p, cx.as_of).explain()),
        Num::Crcl => derived(derive::Kidney::of(p, cx.as_of).explain_crcl()),
        Num::Egfr => derived(derive::Kidney::of(p, cx.as_of).explain_egfr()),
        Num::Xuln(lab) => derived(derive::Xuln::of(p, lab.id).explain()),
        Num::CountTreated(f) => {
            let (_, text, missing) = count_treated::<true>(f, cx);
            (text, missing)
        }
        Num::Lab(lab, dim, within) => lab_evidence(cx, lab, *dim, *within),
        Num::Score(name, within) => score_evidence(cx, name, *within),
        Num::Titre(lab, methods, within) => titre_evidence(cx, lab, methods, *within),
        Num::Recorded(r) => {
            let fact = r.fact();
            match p.recorded(*r) {
                Some(x) => (
                    format!(
                        "{} {}{}{}",
                        fact.label,
                        fmt_num(x),
                        fact.unit,
                        p.entered_note(fact.field)
                    ),
                    vec![],
                ),
                None => (
                    format!("{} not recorded", fact.label),
                    vec![fact.label.to_string()],
                ),
            }
        }
    }
}

/// " on DATE", or nothing for an undated entry.
fn on(d: Option<NaiveDate>) -> String {
    d.map(|d| format!(" on {d}")).unwrap_or_default()
}

/// Evidence that the only entry is outside the window: "ALT 30 U/L on DATE is too old:
/// outside 4 weeks", missing "ALT result within 4w".
fn too_old(
    what: &str,
    date: Option<NaiveDate>,
    note: &str,
    w: Span,
    missing: String,
) -> (String, Vec<String>) {
    (
        format!("{what}{}{note} is too old: outside {}", on(date), w.text()),
        vec![missing],
    )
}

fn lab_evidence(
    cx: &Ctx,
    lab: &Key,
    dim: crate::units::Dimension,
    within: Option<Span>,
) -> (String, Vec<String>) {
    let found = lab_entry(cx, lab, within);
    if let (None, Some(w), Some(old)) = (found, within, cx.patient.latest_lab_id(lab.id)) {
        let what = format!("{lab} {}", old.written());
        return too_old(
            &what,
            old.date,
            &old.entered_note(),
            w,
            format!("{lab} result within {}", w.short()),
        );
    }
    let Some(l) = found else {
        return (format!("{lab} not recorded"), vec![format!("{lab} result")]);
    };
    match &l.value {
        Some(Ok(v)) => {
            let converted = if l.written().ends_with(dim.canonical()) {
                String::new()
            } else {
                format!(" (= {} {})", fmt_num(*v), dim.canonical())
            };
            (
                format!(
                    "{lab} {}{}{converted}{}",
                    l.written(),
                    on(l.date),
                    l.entered_note()
                ),
                vec![],
            )
        }
        Some(Err(e)) => (
            format!("{e}{}{}", on(l.date), l.entered_note()),
            vec![format!("{lab} in a recognised unit")],
        ),
        None => (
            format!("{lab} has no numeric value{}", l.entered_note()),
            vec![format!("{lab} value")],
        ),
    }
}

fn score_evidence(cx: &Ctx, name: &Key, within: Option<Span>) -> (String, Vec<String>) {
    let found = score_entry(cx, name, within);
    if let (None, Some(w), Some(old)) = (found, within, cx.patient.latest_score_id(name.id)) {
        let what = format!("{name} {}", fmt_num(*old.value.get_ref()));
        return too_old(
            &what,
            old.date,
            &entered_note(old.entered.as_deref()),
            w,
            format!("{name} score within {}", w.short()),
        );
    }
    match found {
        Some(s) => (
            format!(
                "{name} {}{}{}",
                fmt_num(*s.value.get_ref()),
                on(s.date),
                entered_note(s.entered.as_deref())
            ),
            vec![],
        ),
        None => (
            format!("{name} not recorded"),
            vec![format!("{name} score")],
        ),
    }
}

fn titre_evidence(
    cx: &Ctx,
    lab: &Key,
    methods: &[String],
    within: Option<Span>,
) -> (String, Vec<String>) {
    let found = titre_entry(cx, lab, methods, within);
    if found.is_none() && !methods.is_empty() {
        let others: Vec<String> = cx
            .patient
            .labs
            .iter()
            .filter(|l| l.id == lab.id && l.titre.is_some())
            .map(|l| {
                format!(
                    "{} by {}{}{}",
                    l.written(),
                    l.method.as_deref().unwrap_or("a method not recorded"),
                    on(l.date),
                    l.entered_note()
                )
            })
            .collect();
        let want = methods.join("/");
        let detail = if others.is_empty() {
            String::new()
        } else {
            format!(" ({} does not count)", others.join(", "))
        };
        return (
            format!("no {lab} titre by {want}{detail}"),
            vec![format!("{lab} titre by {want}")],
        );
    }
    match found.and_then(|l| l.titre.map(|t| (t, l))) {
        Some((t, l)) => {
            let method = l
                .method
                .as_deref()
                .map(|m| format!(" by {m}"))
                .unwrap_or_default();
            (
                format!(
                    "{lab} titre 1:{}{method}{}{}",
                    fmt_num(t),
                    on(l.date),
                    l.entered_note()
                ),
                vec![],
            )
        }
        None => (
            format!("{lab} titre not recorded"),
            vec![format!("{lab} titre")],
        ),
    }
}

pub(super) fn compare<const X: bool>(
    num: &Num,
    op: Op,
    threshold: f64,
    shown: &str,
    cx: &Ctx,
) -> Outcome {
    let bounds = value(num, cx);
    let (ev, missing) = if X {
        evidence(num, cx)
    } else {
        (String::new(), Vec::new())
    };
    let Some((lo, hi)) = bounds else {
        return Outcome::unknown(why!(X, "{ev} (needs {shown})"), missing);
    };
    // True when every possible value satisfies the comparison, false when none does.
    let (all, none) = match op {
        Op::Ge | Op::Gt => (op.holds(lo, threshold), !op.holds(hi, threshold)),
        Op::Le | Op::Lt => (op.holds(hi, threshold), !op.holds(lo, threshold)),
        Op::Eq => (
            lo == hi && op.holds(lo, threshold),
            threshold < lo || threshold > hi,
        ),
    };
    if all {
        Outcome::known(true, why!(X, "{ev} {shown}: yes"))
    } else if none {
        Outcome::known(false, why!(X, "{ev}, not {shown}"))
    } else {
        Outcome::unknown(
            why!(X, "{ev}: at least {}, needs {shown}", fmt_num(lo)),
            missing,
        )
    }
}
