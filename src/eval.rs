//! Three-valued (Kleene) evaluation of a compiled rule against a patient, producing the truth
//! value, a one-line reason with its evidence, and the facts that are missing.

use crate::derive;
use crate::patient::{Profile, Qual, Sex, Treatment};
use crate::trial::rule::{
    AllergyFilter, ConditionFilter, DiagnosisFilter, Flag, Num, Rule, Span, TreatFilter, fmt_num,
};
use crate::trial::syntax::Op;
use chrono::NaiveDate;

/// Kleene truth value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    pub fn from_bool(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }
    pub fn negate(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
    pub fn and(self, o: Truth) -> Truth {
        match (self, o) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }
    pub fn or(self, o: Truth) -> Truth {
        match (self, o) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }
}

/// The result of evaluating a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub truth: Truth,
    pub reason: String,
    pub missing: Vec<String>,
}

impl Outcome {
    fn known(truth: bool, reason: String) -> Self {
        Outcome {
            truth: Truth::from_bool(truth),
            reason,
            missing: vec![],
        }
    }
    fn unknown(reason: String, missing: Vec<String>) -> Self {
        Outcome {
            truth: Truth::Unknown,
            reason,
            missing,
        }
    }
}

/// What a rule is evaluated against.
pub struct Ctx<'a> {
    pub patient: &'a Profile,
    pub as_of: NaiveDate,
    /// The criterion whose attestation `attested` reads.
    pub criterion: &'a str,
}

pub fn eval(rule: &Rule, cx: &Ctx) -> Outcome {
    match rule {
        Rule::All(parts) => combine(parts, cx, Truth::and, Truth::True),
        Rule::Any(parts) => combine(parts, cx, Truth::or, Truth::False),
        Rule::Not(inner) => {
            let o = eval(inner, cx);
            // The inner reason already states the facts found; the state shows the result.
            Outcome {
                truth: o.truth.negate(),
                reason: o.reason,
                missing: o.missing,
            }
        }
        Rule::AtLeast(n, parts) => at_least(*n, parts, cx),
        Rule::Attested => attested(cx),
        Rule::Female | Rule::Male => {
            let want = if matches!(rule, Rule::Female) {
                Sex::Female
            } else {
                Sex::Male
            };
            match &cx.patient.data.sex {
                Some(s) => Outcome::known(
                    *s.get_ref() == want,
                    format!(
                        "sex {}",
                        if *s.get_ref() == Sex::Female {
                            "female"
                        } else {
                            "male"
                        }
                    ),
                ),
                None => Outcome::unknown("sex not recorded".into(), vec!["sex".into()]),
            }
        }
        Rule::Flag(f) => flag(*f, cx),
        Rule::Diagnosis(f) => diagnosis(f, cx),
        Rule::Treated(f) => treated(f, cx),
        Rule::Has(f) => has(f, cx),
        Rule::Allergic(f) => allergic(f, cx),
        Rule::LabResult {
            lab,
            positive,
            within,
        } => lab_result(lab, *positive, *within, cx),
        Rule::TrialTreatment(within) => trial_treatment(*within, cx),
        Rule::Compare {
            num,
            op,
            threshold,
            shown,
        } => compare(num, *op, *threshold, shown, cx),
    }
}

fn combine(parts: &[Rule], cx: &Ctx, op: fn(Truth, Truth) -> Truth, unit: Truth) -> Outcome {
    let outs: Vec<Outcome> = parts.iter().map(|p| eval(p, cx)).collect();
    let truth = outs.iter().fold(unit, |acc, o| op(acc, o.truth));
    // Explain with the parts that decided the result.
    let deciding: Vec<&Outcome> = match truth {
        Truth::Unknown => outs.iter().filter(|o| o.truth == Truth::Unknown).collect(),
        t if t != unit => outs.iter().filter(|o| o.truth == t).collect(),
        _ => outs.iter().collect(),
    };
    let reason = deciding
        .iter()
        .map(|o| o.reason.as_str())
        .collect::<Vec<_>>()
        .join("; ");
    let mut missing = Vec::new();
    if truth == Truth::Unknown {
        for o in &deciding {
            for m in &o.missing {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
        }
    }
    Outcome {
        truth,
        reason,
        missing,
    }
}

fn at_least(n: usize, parts: &[Rule], cx: &Ctx) -> Outcome {
    let outs: Vec<Outcome> = parts.iter().map(|p| eval(p, cx)).collect();
    let yes = outs.iter().filter(|o| o.truth == Truth::True).count();
    let no = outs.iter().filter(|o| o.truth == Truth::False).count();
    let total = parts.len();
    let summary = format!("{yes} of {total} met, {no} not met (need {n})");
    let detail = |t: Truth| -> String {
        outs.iter()
            .filter(|o| o.truth == t)
            .map(|o| o.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    if yes >= n {
        Outcome::known(true, format!("{summary}: {}", detail(Truth::True)))
    } else if total - no < n {
        Outcome::known(false, format!("{summary}: {}", detail(Truth::False)))
    } else {
        let mut missing = Vec::new();
        for o in outs.iter().filter(|o| o.truth == Truth::Unknown) {
            for m in &o.missing {
                if !missing.contains(m) {
                    missing.push(m.clone());
                }
            }
        }
        Outcome::unknown(format!("{summary}: {}", detail(Truth::Unknown)), missing)
    }
}

fn attested(cx: &Ctx) -> Outcome {
    let found = cx
        .patient
        .data
        .attestation
        .iter()
        .filter(|a| a.criterion.get_ref() == cx.criterion)
        .max_by_key(|a| a.date);
    match found {
        Some(a) => {
            let note = a
                .note
                .as_deref()
                .map(|n| format!(": {n}"))
                .unwrap_or_default();
            Outcome::known(
                a.met,
                format!(
                    "clinician attestation by {} on {} says {}{note}",
                    a.by,
                    a.date,
                    if a.met { "met" } else { "not met" }
                ),
            )
        }
        None => Outcome::unknown(
            format!("needs a clinician attestation for {}", cx.criterion),
            vec![format!("clinician attestation for {}", cx.criterion)],
        ),
    }
}

fn flag(f: Flag, cx: &Ctx) -> Outcome {
    let d = &cx.patient.data;
    let r = d.reproductive.as_ref();
    let c = d.cardiac.as_ref();
    let s = d.status.as_ref();
    let v = match f {
        Flag::Pregnant => r.and_then(|r| r.pregnant),
        Flag::Lactating => r.and_then(|r| r.lactating),
        Flag::PlanningPregnancy => r.and_then(|r| r.planning_pregnancy),
        Flag::ChildbearingPotential => r.and_then(|r| r.childbearing_potential),
        Flag::ContraceptionAgreed => r.and_then(|r| r.contraception_agreed),
        Flag::PartnerChildbearingPotential => r.and_then(|r| r.partner_childbearing_potential),
        Flag::ConsentSigned => s.and_then(|s| s.consent_signed),
        Flag::EchoStructureNormal => c.and_then(|c| c.echo_structure_normal),
        Flag::EcgNormal => c.and_then(|c| c.ecg_normal),
        Flag::HemodynamicallyStable => c.and_then(|c| c.hemodynamically_stable),
        Flag::UncontrolledBp => c.and_then(|c| c.uncontrolled_bp),
        Flag::RenalReplacement => s.and_then(|s| s.renal_replacement),
    };
    let name = f.name().replace('_', " ");
    match v {
        Some(b) => Outcome::known(b, format!("{name}: {}", if b { "yes" } else { "no" })),
        None => Outcome::unknown(format!("{name} not recorded"), vec![name]),
    }
}

/// " on DATE" when the patient file dates its checks.
fn checked_on(cx: &Ctx) -> String {
    cx.patient
        .checked()
        .and_then(|c| c.date)
        .map(|d| format!(" on {d}"))
        .unwrap_or_default()
}

fn since(date: NaiveDate, cx: &Ctx) -> String {
    let days = (cx.as_of - date).num_days();
    if days.abs() < 60 {
        format!("{days} days before as-of")
    } else {
        format!("{:.1} months before as-of", days as f64 / 30.44)
    }
}

fn diagnosis(f: &DiagnosisFilter, cx: &Ctx) -> Outcome {
    let list: Vec<_> = cx
        .patient
        .data
        .diagnosis
        .iter()
        .filter(|d| *d.code.get_ref() == f.code)
        .collect();
    let label = f.code.to_uppercase();
    if list.is_empty() {
        let checked = cx.patient.checked().is_some_and(|c| c.diagnoses);
        return if checked {
            Outcome::known(
                false,
                format!(
                    "no {label} diagnosis (diagnosis list checked complete{})",
                    checked_on(cx)
                ),
            )
        } else {
            Outcome::unknown(
                format!("no {label} diagnosis recorded; list not marked complete"),
                vec![format!("{label} diagnosis")],
            )
        };
    }
    let mut best = Outcome::known(false, String::new());
    let mut reasons = Vec::new();
    for d in list {
        let mut t = Truth::True;
        let mut why = vec![format!("{label}")];
        let mut missing = Vec::new();
        if !f.criteria.is_empty() {
            if d.criteria.is_empty() {
                t = t.and(Truth::Unknown);
                why.push("classification criteria not recorded".into());
                missing.push(format!(
                    "{label} classification criteria ({})",
                    f.criteria.join(" or ")
                ));
            } else if let Some(m) = d
                .criteria
                .iter()
                .find(|c| f.criteria.iter().any(|w| w.eq_ignore_ascii_case(c)))
            {
                why.push(format!("meets {m}"));
            } else {
                t = Truth::False;
                why.push(format!(
                    "criteria {} recorded, not {}",
                    d.criteria.join(", "),
                    f.criteria.join(" or ")
                ));
            }
        }
        if let Some(span) = f.for_at_least {
            match d.diagnosed {
                Some(date) => {
                    let ok = date <= span.before(cx.as_of);
                    t = t.and(Truth::from_bool(ok));
                    why.push(format!(
                        "diagnosed {date} ({}; needs ≥ {})",
                        since(date, cx),
                        span.text()
                    ));
                }
                None => {
                    t = t.and(Truth::Unknown);
                    why.push("diagnosis date not recorded".into());
                    missing.push(format!("{label} diagnosis date"));
                }
            }
        }
        for tag in &f.tags {
            if d.tags.contains(tag) {
                why.push(tag.replace('_', " "));
            } else {
                t = t.and(Truth::Unknown);
                why.push(format!("{} not recorded", tag.replace('_', " ")));
                missing.push(format!("{label}: {}", tag.replace('_', " ")));
            }
        }
        let o = Outcome {
            truth: t,
            reason: why.join(", "),
            missing,
        };
        reasons.push(o.reason.clone());
        best = match (best.truth, o.truth) {
            (Truth::True, _) => best,
            (_, Truth::True) => o,
            (Truth::Unknown, _) => best,
            (_, Truth::Unknown) => o,
            _ => best,
        };
    }
    if best.truth == Truth::False {
        best.reason = reasons.join("; ");
    }
    best
}

fn list_text(v: &[String]) -> String {
    v.join("/")
}

fn treat_label(f: &TreatFilter) -> String {
    let mut parts = Vec::new();
    if !f.classes.is_empty() {
        parts.push(list_text(&f.classes));
    }
    if !f.drugs.is_empty() {
        parts.push(list_text(&f.drugs));
    }
    if !f.outcomes.is_empty() {
        parts.push(format!("with {}", list_text(&f.outcomes).replace('_', " ")));
    }
    if !f.routes.is_empty() {
        parts.push(format!("route {}", list_text(&f.routes)));
    }
    if let Some(s) = f.min_duration {
        parts.push(format!("for ≥ {}", s.text()));
    }
    if let Some(s) = f.within {
        parts.push(format!("within {}", s.text()));
    }
    if parts.is_empty() {
        "any treatment".into()
    } else {
        parts.join(" ")
    }
}

/// Whether one treatment entry matches, with what is missing when it cannot be told.
fn treatment_matches(t: &Treatment, f: &TreatFilter, cx: &Ctx) -> (Truth, Vec<String>) {
    let mut truth = Truth::True;
    let mut missing = Vec::new();
    let drug = t.drug.to_lowercase();
    if !f.drugs.is_empty() && !f.drugs.iter().any(|d| drug.contains(d.as_str())) {
        return (Truth::False, missing);
    }
    if !f.classes.is_empty() {
        if t.classes.is_empty() {
            truth = Truth::Unknown;
            missing.push(format!("class of {}", t.drug));
        } else if !t.classes.iter().any(|c| f.classes.contains(c)) {
            return (Truth::False, missing);
        }
    }
    if !f.routes.is_empty() {
        match &t.route {
            Some(r) if f.routes.contains(&r.to_lowercase()) => {}
            Some(_) => return (Truth::False, missing),
            None => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("route of {}", t.drug));
            }
        }
    }
    if !f.outcomes.is_empty() {
        match &t.outcome {
            Some(o) if f.outcomes.contains(o.get_ref()) => {}
            Some(_) => return (Truth::False, missing),
            None => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("outcome of {}", t.drug));
            }
        }
    }
    let end = t.end.unwrap_or(cx.as_of).min(cx.as_of);
    if let Some(w) = f.within {
        let from = w.before(cx.as_of);
        match t.start {
            Some(s) if s > cx.as_of => return (Truth::False, missing),
            _ if end < from => return (Truth::False, missing),
            Some(_) => {}
            None if t.end.is_some() => {}
            None => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("dates of {}", t.drug));
            }
        }
    }
    if let Some(d) = f.min_duration {
        match t.start {
            Some(s) => {
                if d.before(end) < s {
                    return (Truth::False, missing);
                }
            }
            None => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("start date of {}", t.drug));
            }
        }
    }
    (truth, missing)
}

fn describe_treatment(t: &Treatment) -> String {
    let mut s = t.drug.clone();
    match (t.start, t.end) {
        (Some(a), Some(b)) => s.push_str(&format!(" {a}→{b}")),
        (Some(a), None) => s.push_str(&format!(" since {a}")),
        (None, Some(b)) => s.push_str(&format!(" until {b}")),
        (None, None) => {}
    }
    if let Some(o) = &t.outcome {
        s.push_str(&format!(" ({})", o.get_ref().replace('_', " ")));
    }
    s
}

/// Matching treatments: (definitely matching drugs, undetermined entries, missing facts).
fn scan_treatments<'a>(
    f: &TreatFilter,
    cx: &Ctx<'a>,
) -> (Vec<&'a Treatment>, Vec<&'a Treatment>, Vec<String>) {
    let mut yes = Vec::new();
    let mut maybe = Vec::new();
    let mut missing = Vec::new();
    for t in &cx.patient.data.treatment {
        match treatment_matches(t, f, cx) {
            (Truth::True, _) => yes.push(t),
            (Truth::Unknown, m) => {
                maybe.push(t);
                missing.extend(m);
            }
            (Truth::False, _) => {}
        }
    }
    (yes, maybe, missing)
}

fn treated(f: &TreatFilter, cx: &Ctx) -> Outcome {
    let label = treat_label(f);
    let (yes, maybe, missing) = scan_treatments(f, cx);
    if !yes.is_empty() {
        let list: Vec<String> = yes.iter().map(|t| describe_treatment(t)).collect();
        return Outcome::known(true, format!("{label}: {}", list.join(", ")));
    }
    if !maybe.is_empty() {
        let list: Vec<String> = maybe.iter().map(|t| describe_treatment(t)).collect();
        return Outcome::unknown(
            format!("{label}: cannot tell for {}", list.join(", ")),
            missing,
        );
    }
    if cx.patient.checked().is_some_and(|c| c.treatments) {
        Outcome::known(
            false,
            format!(
                "no {label} (treatment history checked complete{})",
                checked_on(cx)
            ),
        )
    } else {
        Outcome::unknown(
            format!("no {label} recorded; treatment history not marked complete"),
            vec![format!("treatment history ({label})")],
        )
    }
}

fn count_treated(f: &TreatFilter, cx: &Ctx) -> (f64, f64, String, Vec<String>) {
    let (yes, maybe, mut missing) = scan_treatments(f, cx);
    let mut drugs: Vec<String> = yes.iter().map(|t| t.drug.to_lowercase()).collect();
    drugs.sort();
    drugs.dedup();
    let lo = drugs.len() as f64;
    let complete = cx.patient.checked().is_some_and(|c| c.treatments);
    let hi = if complete {
        lo + maybe.len() as f64
    } else {
        missing.push(format!("complete treatment history ({})", treat_label(f)));
        f64::INFINITY
    };
    let text = format!(
        "{} distinct {} ({})",
        drugs.len(),
        treat_label(f),
        if drugs.is_empty() {
            "none".into()
        } else {
            drugs.join(", ")
        }
    );
    (lo, hi, text, missing)
}

fn condition_matches(
    c: &crate::patient::Condition,
    f: &ConditionFilter,
    cx: &Ctx,
) -> (Truth, Vec<String>) {
    let mut truth = Truth::True;
    let mut missing = Vec::new();
    let name = c
        .name
        .clone()
        .unwrap_or_else(|| f.category.replace('_', " "));
    if !f.status.is_empty() || !f.status_not.is_empty() {
        match &c.status {
            Some(s) => {
                if (!f.status.is_empty() && !f.status.contains(s)) || f.status_not.contains(s) {
                    return (Truth::False, missing);
                }
            }
            None => {
                truth = Truth::Unknown;
                missing.push(format!("status of {name}"));
            }
        }
    }
    if f.tags.iter().any(|t| !c.tags.contains(t)) || f.tags_not.iter().any(|t| c.tags.contains(t)) {
        return (Truth::False, missing);
    }
    if !f.severity.is_empty() {
        match &c.severity {
            Some(s) if f.severity.contains(s) => {}
            Some(_) => return (Truth::False, missing),
            None => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("severity of {name}"));
            }
        }
    }
    if let Some(w) = f.within {
        let from = w.before(cx.as_of);
        let over = matches!(c.status.as_deref(), Some("resolved" | "cured" | "inactive"));
        match (c.onset, c.resolved) {
            (Some(o), _) if o > cx.as_of => return (Truth::False, missing),
            (_, Some(r)) if r < from => return (Truth::False, missing),
            (_, Some(_)) => {}
            (Some(o), None) if !over || o >= from => {}
            (None, None)
                if matches!(
                    c.status.as_deref(),
                    Some("active" | "uncontrolled" | "controlled")
                ) => {}
            _ => {
                truth = truth.and(Truth::Unknown);
                missing.push(format!("dates of {name}"));
            }
        }
    }
    (truth, missing)
}

fn describe_condition(c: &crate::patient::Condition) -> String {
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
    if !q.is_empty() {
        s.push_str(&format!(" ({})", q.join(", ")));
    }
    s
}

fn has(f: &ConditionFilter, cx: &Ctx) -> Outcome {
    let mut label = f.category.replace('_', " ");
    if let Some(w) = f.within {
        label.push_str(&format!(" within {}", w.text()));
    }
    let mut yes = Vec::new();
    let mut maybe = Vec::new();
    let mut missing = Vec::new();
    let mut other = Vec::new();
    for c in cx
        .patient
        .data
        .condition
        .iter()
        .filter(|c| *c.category.get_ref() == f.category)
    {
        match condition_matches(c, f, cx) {
            (Truth::True, _) => yes.push(describe_condition(c)),
            (Truth::Unknown, m) => {
                maybe.push(describe_condition(c));
                missing.extend(m);
            }
            (Truth::False, _) => other.push(describe_condition(c)),
        }
    }
    if !yes.is_empty() {
        return Outcome::known(true, format!("{label}: {}", yes.join(", ")));
    }
    if !maybe.is_empty() {
        return Outcome::unknown(
            format!("{label}: cannot tell for {}", maybe.join(", ")),
            missing,
        );
    }
    let checked = cx
        .patient
        .checked()
        .is_some_and(|ch| ch.conditions.iter().any(|c| *c.get_ref() == f.category));
    let others = if other.is_empty() {
        String::new()
    } else {
        format!(" (recorded but not matching: {})", other.join(", "))
    };
    if checked {
        Outcome::known(
            false,
            format!("no {label} (checked{}){others}", checked_on(cx)),
        )
    } else {
        Outcome::unknown(
            format!("{label}: not recorded as checked{others}"),
            vec![format!("history: {}", f.category.replace('_', " "))],
        )
    }
}

fn allergic(f: &AllergyFilter, cx: &Ctx) -> Outcome {
    let mut label = if f.to.is_empty() {
        "allergy".to_string()
    } else {
        format!("allergy to {}", f.to.join("/"))
    };
    if !f.severity.is_empty() {
        label = format!("{} {label}", f.severity.join("/"));
    }
    let mut yes = Vec::new();
    let mut maybe = Vec::new();
    for a in &cx.patient.data.allergy {
        let sub = a.substance.to_lowercase();
        if !f.to.is_empty() && !f.to.iter().any(|t| sub.contains(t.as_str())) {
            continue;
        }
        let text = format!(
            "{} ({})",
            a.substance,
            a.severity.as_deref().unwrap_or("severity not recorded")
        );
        match &a.severity {
            _ if f.severity.is_empty() => yes.push(text),
            Some(s) if f.severity.contains(s) => yes.push(text),
            Some(_) => {}
            None => maybe.push(text),
        }
    }
    if !yes.is_empty() {
        return Outcome::known(true, format!("{label}: {}", yes.join(", ")));
    }
    if !maybe.is_empty() {
        return Outcome::unknown(
            format!("{label}: cannot tell for {}", maybe.join(", ")),
            vec!["allergy severity".into()],
        );
    }
    if cx.patient.checked().is_some_and(|c| c.allergies) {
        Outcome::known(
            false,
            format!("no {label} (allergies checked{})", checked_on(cx)),
        )
    } else {
        Outcome::unknown(
            format!("{label}: allergies not recorded as checked"),
            vec!["allergy history".into()],
        )
    }
}

fn lab_result(lab: &str, positive: bool, within: Option<Span>, cx: &Ctx) -> Outcome {
    let from = within.map(|w| w.before(cx.as_of));
    let l = cx
        .patient
        .labs
        .iter()
        .filter(|l| l.name == lab)
        .filter(|l| match (from, l.date) {
            (None, _) => true,
            (Some(f), Some(d)) => d >= f && d <= cx.as_of,
            (Some(_), None) => false,
        })
        .max_by_key(|l| l.date);
    let window = within
        .map(|w| format!(" within {}", w.text()))
        .unwrap_or_default();
    let Some(l) = l else {
        return Outcome::unknown(
            format!("no {lab} result{window}"),
            vec![format!("{lab} result{window}")],
        );
    };
    let date = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
    let qual = l.qual.or(match (&l.value, l.uln) {
        (Some(Ok(v)), Some(u)) => Some(if *v > u {
            Qual::Positive
        } else {
            Qual::Negative
        }),
        _ => None,
    });
    match qual {
        Some(q) => {
            let is_pos = q == Qual::Positive;
            Outcome::known(
                is_pos == positive,
                format!(
                    "{lab} {}{date}",
                    if is_pos { "positive" } else { "negative" }
                ),
            )
        }
        None => Outcome::unknown(
            format!(
                "{lab} {}{date}: not readable as positive/negative",
                l.written
            ),
            vec![format!("{lab} qualitative result")],
        ),
    }
}

fn trial_treatment(within: Option<Span>, cx: &Ctx) -> Outcome {
    let from = within.map(|w| w.before(cx.as_of));
    let window = within
        .map(|w| format!(" within {}", w.text()))
        .unwrap_or_default();
    let mut undated = false;
    for t in &cx.patient.data.trial_participation {
        match (t.last_treatment, from) {
            (Some(d), Some(f)) if d >= f => {
                return Outcome::known(true, format!("clinical-trial treatment on {d}{window}"));
            }
            (None, _) => undated = true,
            (Some(d), None) => {
                return Outcome::known(true, format!("clinical-trial treatment on {d}"));
            }
            _ => {}
        }
    }
    if undated {
        return Outcome::unknown(
            "trial participation recorded without a last-treatment date".into(),
            vec!["date of last clinical-trial treatment".into()],
        );
    }
    if cx.patient.checked().is_some_and(|c| c.trials) {
        Outcome::known(
            false,
            format!(
                "no clinical-trial treatment{window} (checked{})",
                checked_on(cx)
            ),
        )
    } else {
        Outcome::unknown(
            format!("clinical-trial treatment{window} not recorded as checked"),
            vec!["prior clinical-trial treatment".into()],
        )
    }
}

/// The value of a numeric fact: (lower, upper) bounds, evidence, missing.
fn numeric(num: &Num, cx: &Ctx) -> (Option<(f64, f64)>, String, Vec<String>) {
    let exact = |d: derive::Derived| (d.value.map(|v| (v, v)), d.evidence, d.missing);
    let p = cx.patient;
    let simple = |v: Option<f64>, what: &str, unit: &str| match v {
        Some(x) => (Some((x, x)), format!("{what} {}{unit}", fmt_num(x)), vec![]),
        None => (None, format!("{what} not recorded"), vec![what.to_string()]),
    };
    match num {
        Num::Age => exact(derive::age(p, cx.as_of)),
        Num::Crcl => exact(derive::crcl(p, cx.as_of)),
        Num::Egfr => exact(derive::egfr(p, cx.as_of)),
        Num::Xuln(lab) => exact(derive::xuln(p, lab)),
        Num::Lab(lab, dim) => match p.latest_lab(lab) {
            Some(l) => {
                let date = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
                match &l.value {
                    Some(Ok(v)) => (
                        Some((*v, *v)),
                        format!("{lab} {}{date}", l.written)
                            + &if l.written.ends_with(dim.canonical()) {
                                String::new()
                            } else {
                                format!(" (= {} {})", fmt_num(*v), dim.canonical())
                            },
                        vec![],
                    ),
                    Some(Err(e)) => (
                        None,
                        format!("{e}{date}"),
                        vec![format!("{lab} in a recognised unit")],
                    ),
                    None => (
                        None,
                        format!("{lab} has no numeric value"),
                        vec![format!("{lab} value")],
                    ),
                }
            }
            None => (
                None,
                format!("{lab} not recorded"),
                vec![format!("{lab} result")],
            ),
        },
        Num::Score(name) => {
            let s = p
                .data
                .score
                .iter()
                .filter(|s| s.name.get_ref() == name)
                .max_by_key(|s| s.date);
            match s {
                Some(s) => {
                    let v = *s.value.get_ref();
                    let date = s.date.map(|d| format!(" on {d}")).unwrap_or_default();
                    (Some((v, v)), format!("{name} {}{date}", fmt_num(v)), vec![])
                }
                None => (
                    None,
                    format!("{name} not recorded"),
                    vec![format!("{name} score")],
                ),
            }
        }
        Num::Lvef => simple(
            p.data
                .cardiac
                .as_ref()
                .and_then(|c| c.lvef.as_ref())
                .map(|v| *v.get_ref()),
            "LVEF",
            "%",
        ),
        Num::Spo2 => simple(
            p.data
                .status
                .as_ref()
                .and_then(|c| c.spo2.as_ref())
                .map(|v| *v.get_ref()),
            "SpO2",
            "%",
        ),
        Num::Ecog => simple(
            p.data
                .status
                .as_ref()
                .and_then(|c| c.ecog.as_ref())
                .map(|v| *v.get_ref() as f64),
            "ECOG",
            "",
        ),
        Num::Nyha => simple(
            p.data
                .cardiac
                .as_ref()
                .and_then(|c| c.nyha.as_ref())
                .map(|v| *v.get_ref() as f64),
            "NYHA class",
            "",
        ),
        Num::AcrClass => simple(
            p.data
                .status
                .as_ref()
                .and_then(|c| c.acr_functional_class.as_ref())
                .map(|v| *v.get_ref() as f64),
            "ACR functional class",
            "",
        ),
        Num::SurvivalWeeks => simple(
            p.data
                .status
                .as_ref()
                .and_then(|c| c.estimated_survival_weeks.as_ref())
                .map(|v| *v.get_ref()),
            "estimated survival",
            " weeks",
        ),
        Num::Titre(lab) => match p.latest_lab(lab).and_then(|l| l.titre.map(|t| (t, l))) {
            Some((t, l)) => {
                let date = l.date.map(|d| format!(" on {d}")).unwrap_or_default();
                let method = p
                    .data
                    .lab
                    .iter()
                    .find(|x| x.get_ref().name == *lab && x.get_ref().date == l.date)
                    .and_then(|x| x.get_ref().method.clone())
                    .map(|m| format!(" by {m}"))
                    .unwrap_or_default();
                (
                    Some((t, t)),
                    format!("{lab} titre 1:{}{method}{date}", fmt_num(t)),
                    vec![],
                )
            }
            None => (
                None,
                format!("{lab} titre not recorded"),
                vec![format!("{lab} titre")],
            ),
        },
        Num::CountTreated(f) => {
            let (lo, hi, text, missing) = count_treated(f, cx);
            (Some((lo, hi)), text, missing)
        }
    }
}

fn compare(num: &Num, op: Op, threshold: f64, shown: &str, cx: &Ctx) -> Outcome {
    let (bounds, evidence, missing) = numeric(num, cx);
    let Some((lo, hi)) = bounds else {
        return Outcome::unknown(format!("{evidence} (needs {shown})"), missing);
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
        Outcome::known(true, format!("{evidence} {shown}: yes"))
    } else if none {
        Outcome::known(false, format!("{evidence}, not {shown}"))
    } else {
        Outcome::unknown(
            format!("{evidence}: at least {}, needs {shown}", fmt_num(lo)),
            missing,
        )
    }
}
