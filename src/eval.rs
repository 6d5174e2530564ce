//! Three-valued (Kleene) evaluation of a compiled rule against a patient, producing the truth
//! value and — when the context asks to explain — a one-line reason with its evidence and the
//! facts that are missing. The decision logic is written once; with `explain` off no text is
//! built and nothing is allocated, which is the path bulk screening takes.

use crate::derive;
use crate::patient::{Condition, Profile, Qual, Sex, Treatment};
use crate::trial::rule::{
    AllergyFilter, ConditionFilter, DiagnosisFilter, Flag, Key, Num, Rule, Span, TreatFilter,
    fmt_num,
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

/// The result of evaluating a rule. `reason` and `missing` are empty unless explaining.
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
            missing: Vec::new(),
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
    /// Build reasons and missing-fact lists (for display); off for bulk screening.
    pub explain: bool,
}

/// Text built only when explaining.
macro_rules! why {
    ($x:expr, $($arg:tt)*) => {
        if $x { format!($($arg)*) } else { String::new() }
    };
}

/// A missing-fact list built only when explaining.
macro_rules! miss {
    ($x:expr, $($item:expr),+ $(,)?) => {
        if $x { vec![$($item),+] } else { Vec::new() }
    };
}

/// The truth of a rule alone: composites short-circuit on plain truth values and no text is
/// built, whatever `cx.explain` says. Leaves share their decision logic with [`eval`].
pub fn truth(rule: &Rule, cx: &Ctx) -> Truth {
    match rule {
        Rule::All(parts) => {
            let mut t = Truth::True;
            for p in parts {
                t = t.and(part(p, cx));
                if t == Truth::False {
                    break;
                }
            }
            t
        }
        Rule::Any(parts) => {
            let mut t = Truth::False;
            for p in parts {
                t = t.or(part(p, cx));
                if t == Truth::True {
                    break;
                }
            }
            t
        }
        Rule::Not(inner) => part(inner, cx).negate(),
        Rule::AtLeast(n, parts) => {
            let (mut yes, mut no) = (0, 0);
            for p in parts {
                match part(p, cx) {
                    Truth::True => yes += 1,
                    Truth::False => no += 1,
                    Truth::Unknown => {}
                }
            }
            at_least_truth(*n, parts.len(), yes, no)
        }
        leaf => leaf_truth(leaf, cx),
    }
}

/// A part of a composite: leaves are decided here, without another call through [`truth`]
/// (most parts are leaves, and the call is a good share of a leaf's cost).
#[inline(always)]
fn part(rule: &Rule, cx: &Ctx) -> Truth {
    match rule {
        Rule::All(_) | Rule::Any(_) | Rule::Not(_) | Rule::AtLeast(..) => truth(rule, cx),
        leaf => leaf_truth(leaf, cx),
    }
}

/// A leaf's truth alone: [`leaf_eval`] without explanation, returning only the truth value so
/// that no outcome is built and dropped.
#[inline(never)]
fn leaf_truth(rule: &Rule, cx: &Ctx) -> Truth {
    leaf_eval::<false>(rule, cx).truth
}

fn at_least_truth(n: usize, total: usize, yes: usize, no: usize) -> Truth {
    if yes >= n {
        Truth::True
    } else if total - no < n {
        Truth::False
    } else {
        Truth::Unknown
    }
}

/// Evaluates a rule, explaining when `cx.explain` is set.
pub fn eval(rule: &Rule, cx: &Ctx) -> Outcome {
    if !cx.explain {
        return Outcome::bare(truth(rule, cx));
    }
    match rule {
        Rule::All(parts) => combine(parts, cx, Truth::and, Truth::True),
        Rule::Any(parts) => combine(parts, cx, Truth::or, Truth::False),
        // The inner reason already states the facts found; the state shows the result.
        Rule::Not(inner) => {
            let o = eval(inner, cx);
            Outcome {
                truth: o.truth.negate(),
                ..o
            }
        }
        Rule::AtLeast(n, parts) => at_least(*n, parts, cx),
        leaf => leaf_eval::<true>(leaf, cx),
    }
}

/// A leaf rule, explained when `X` is set (the screening path compiles it with `X` false, so
/// no text is built and the decision is all that is left); composites go back through [`eval`].
#[inline]
fn leaf_eval<const X: bool>(rule: &Rule, cx: &Ctx) -> Outcome {
    match rule {
        Rule::All(_) | Rule::Any(_) | Rule::Not(_) | Rule::AtLeast(..) => eval(rule, cx),
        Rule::Attested => attested::<X>(cx),
        Rule::Female | Rule::Male => sex::<X>(matches!(rule, Rule::Female), cx),
        Rule::Flag(f) => flag::<X>(*f, cx),
        Rule::Diagnosis(f) => diagnosis::<X>(f, cx),
        Rule::Treated(f) => treated::<X>(f, cx),
        Rule::Has(f) => has::<X>(f, cx),
        Rule::Allergic(f) => allergic::<X>(f, cx),
        Rule::LabResult {
            lab,
            positive,
            within,
        } => lab_result::<X>(lab, *positive, *within, cx),
        Rule::TrialTreatment(within) => trial_treatment::<X>(*within, cx),
        Rule::Compare {
            num,
            op,
            threshold,
            shown,
        } => compare::<X>(num, *op, *threshold, shown, cx),
    }
}

fn push_unique(into: &mut Vec<String>, from: &[String]) {
    for m in from {
        if !into.contains(m) {
            into.push(m.clone());
        }
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
            push_unique(&mut missing, &o.missing);
        }
    }
    Outcome {
        truth,
        reason,
        missing,
    }
}

impl Outcome {
    /// A truth value without explanation (the screening path).
    fn bare(truth: Truth) -> Outcome {
        Outcome {
            truth,
            reason: String::new(),
            missing: Vec::new(),
        }
    }
}

fn at_least(n: usize, parts: &[Rule], cx: &Ctx) -> Outcome {
    let total = parts.len();
    let outs: Vec<Outcome> = parts.iter().map(|p| eval(p, cx)).collect();
    let yes = outs.iter().filter(|o| o.truth == Truth::True).count();
    let no = outs.iter().filter(|o| o.truth == Truth::False).count();
    let summary = format!("{yes} of {total} met, {no} not met (need {n})");
    let detail = |t: Truth| -> String {
        outs.iter()
            .filter(|o| o.truth == t)
            .map(|o| o.reason.as_str())
            .collect::<Vec<_>>()
            .join("; ")
    };
    let t = at_least_truth(n, total, yes, no);
    if t != Truth::Unknown {
        let reason = format!("{summary}: {}", detail(t));
        Outcome::known(t == Truth::True, reason)
    } else {
        let mut missing = Vec::new();
        for o in outs.iter().filter(|o| o.truth == Truth::Unknown) {
            push_unique(&mut missing, &o.missing);
        }
        Outcome::unknown(format!("{summary}: {}", detail(Truth::Unknown)), missing)
    }
}

fn attested<const X: bool>(cx: &Ctx) -> Outcome {
    let key = crate::vocab::key(cx.criterion);
    // Short ids are held whole in the key: the text need not be compared.
    let exact = crate::vocab::key_is_exact(key);
    let p = cx.patient;
    if !X && exact {
        return match p.attested(key) {
            Some(met) => Outcome::bare(Truth::from_bool(met)),
            None => Outcome::bare(Truth::Unknown),
        };
    }
    let found = p
        .data
        .attestation
        .iter()
        .zip(&p.attestation_keys)
        .filter(|(a, k)| **k == key && (exact || a.criterion.get_ref() == cx.criterion))
        .map(|(a, _)| a)
        .max_by_key(|a| a.date);
    match found {
        Some(a) => Outcome::known(
            a.met,
            why!(
                X,
                "clinician attestation by {} on {} says {}{}",
                a.by,
                a.date,
                if a.met { "met" } else { "not met" },
                a.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ),
        ),
        None => Outcome::unknown(
            why!(X, "needs a clinician attestation for {}", cx.criterion),
            miss!(X, format!("clinician attestation for {}", cx.criterion)),
        ),
    }
}

fn sex<const X: bool>(female: bool, cx: &Ctx) -> Outcome {
    let want = if female { Sex::Female } else { Sex::Male };
    match &cx.patient.data.sex {
        Some(s) => {
            let is_female = *s.get_ref() == Sex::Female;
            Outcome::known(
                *s.get_ref() == want,
                why!(X, "sex {}", if is_female { "female" } else { "male" }),
            )
        }
        None => Outcome::unknown(why!(X, "sex not recorded"), miss!(X, "sex".into())),
    }
}

fn flag<const X: bool>(f: Flag, cx: &Ctx) -> Outcome {
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
    let name = || f.name().replace('_', " ");
    match v {
        Some(b) => Outcome::known(b, why!(X, "{}: {}", name(), if b { "yes" } else { "no" })),
        None => Outcome::unknown(why!(X, "{} not recorded", name()), miss!(X, name())),
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

/// Whether one diagnosis entry meets the filter; explains into `why`/`missing` when asked.
fn diagnosis_entry<const X: bool>(
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
        let has = d.tags.contains(tag);
        if !has {
            t = t.and(Truth::Unknown);
        }
        if x {
            let tag = tag.replace('_', " ");
            if has {
                why.push(tag);
            } else {
                why.push(format!("{tag} not recorded"));
                missing.push(format!("{}: {tag}", label.to_uppercase()));
            }
        }
    }
    t
}

fn diagnosis<const X: bool>(f: &DiagnosisFilter, cx: &Ctx) -> Outcome {
    let mut best: Option<Outcome> = None;
    let mut reasons = Vec::new();
    let mut any = false;
    let p = cx.patient;
    for (d, _) in p
        .data
        .diagnosis
        .iter()
        .zip(&p.diagnosis_ids)
        .filter(|(_, id)| **id == f.code.id)
    {
        any = true;
        let mut why = Vec::new();
        let mut missing = Vec::new();
        let t = diagnosis_entry::<X>(d, f, cx, &mut why, &mut missing);
        let reason = why!(X, "{} {}", f.code.to_uppercase(), why.join(", "));
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
                    checked_on(cx)
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

fn treat_label(f: &TreatFilter) -> String {
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

/// Whether one treatment entry matches; names what is missing when it cannot be told.
fn treatment_matches<const X: bool>(
    t: &Treatment,
    class_mask: u32,
    f: &TreatFilter,
    from: Option<NaiveDate>,
    cx: &Ctx,
    missing: &mut Vec<String>,
) -> Truth {
    let x = X;
    let mut truth = Truth::True;
    if !f.drugs.is_empty()
        && t.drug_mask & f.drug_mask == 0
        && !f.other_drugs.iter().any(|d| t.key.contains(d.as_str()))
    {
        return Truth::False;
    }
    if f.class_mask != 0 {
        if class_mask == 0 {
            truth = Truth::Unknown;
            if x {
                missing.push(format!("class of {}", t.drug));
            }
        } else if class_mask & f.class_mask == 0 {
            return Truth::False;
        }
    }
    if !f.routes.is_empty() {
        match &t.route {
            Some(r) if f.routes.iter().any(|w| w.eq_ignore_ascii_case(r)) => {}
            Some(_) => return Truth::False,
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("route of {}", t.drug));
                }
            }
        }
    }
    if !f.outcomes.is_empty() {
        match &t.outcome {
            // By bit once loaded (outcomes are checked against the vocabulary), else by name.
            Some(_) if t.outcome_bit & f.outcome_mask != 0 => {}
            Some(o) if t.outcome_bit == 0 && f.outcomes.contains(o.get_ref()) => {}
            Some(_) => return Truth::False,
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("outcome of {}", t.drug));
                }
            }
        }
    }
    let end = t.end.unwrap_or(cx.as_of).min(cx.as_of);
    if let Some(from) = from {
        match t.start {
            Some(s) if s > cx.as_of => return Truth::False,
            _ if end < from => return Truth::False,
            Some(_) => {}
            None if t.end.is_some() => {}
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("dates of {}", t.drug));
                }
            }
        }
    }
    if let Some(d) = f.min_duration {
        match t.start {
            Some(s) if d.before(end) < s => return Truth::False,
            Some(_) => {}
            None => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("start date of {}", t.drug));
                }
            }
        }
    }
    truth
}

fn describe_treatment(t: &Treatment) -> String {
    let mut s = t.drug.get_ref().clone();
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

/// Treatments classified against a filter: counts always, texts only when explaining.
#[derive(Default)]
struct Scan<'a> {
    yes: usize,
    maybe: usize,
    /// Distinct matching drugs, listed when explaining (or counting more than 64 treatments).
    drugs: Vec<&'a str>,
    /// How many distinct matching drugs (when counting or explaining).
    distinct: usize,
    yes_text: Vec<String>,
    maybe_text: Vec<String>,
    missing: Vec<String>,
}

#[inline(always)]
fn scan_treatments<'a, const X: bool>(
    f: &TreatFilter,
    cx: &Ctx<'a>,
    count_drugs: bool,
) -> Scan<'a> {
    let mut s = Scan::default();
    let p = cx.patient;
    // The start of the `within` window, the same for every treatment.
    let from = f.within.map(|w| w.before(cx.as_of));
    // Counting without explaining marks the matches in a bitmask instead of listing names.
    let by_bits = !X && p.data.treatment.len() <= 64;
    let mut matched = 0u64;
    for (i, (t, mask)) in p.data.treatment.iter().zip(&p.class_masks).enumerate() {
        match treatment_matches::<X>(t, *mask, f, from, cx, &mut s.missing) {
            Truth::True => {
                s.yes += 1;
                if count_drugs && by_bits {
                    let seen = p.data.treatment[..i]
                        .iter()
                        .enumerate()
                        .any(|(j, u)| matched >> j & 1 == 1 && u.key == t.key);
                    matched |= 1 << i;
                    s.distinct += usize::from(!seen);
                } else if (count_drugs || X) && !s.drugs.contains(&t.key.as_str()) {
                    s.drugs.push(&t.key);
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

fn treated<const X: bool>(f: &TreatFilter, cx: &Ctx) -> Outcome {
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
                checked_on(cx)
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
fn count_treated<const X: bool>(f: &TreatFilter, cx: &Ctx) -> ((f64, f64), String, Vec<String>) {
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
            s.drugs.join(", ")
        }
    );
    ((lo, hi), text, s.missing)
}

/// Whether one condition entry matches; names what is missing when it cannot be told.
fn condition_matches<const X: bool>(
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
    if f.tags.iter().any(|t| !c.tags.contains(t)) || f.tags_not.iter().any(|t| c.tags.contains(t)) {
        return Truth::False;
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
    if let Some(w) = f.within {
        let from = w.before(cx.as_of);
        let over = matches!(c.status.as_deref(), Some("resolved" | "cured" | "inactive"));
        let current = matches!(
            c.status.as_deref(),
            Some("active" | "uncontrolled" | "controlled")
        );
        match (c.onset, c.resolved) {
            (Some(o), _) if o > cx.as_of => return Truth::False,
            (_, Some(r)) if r < from => return Truth::False,
            (_, Some(_)) => {}
            (Some(o), None) if !over || o >= from => {}
            (None, None) if current => {}
            _ => {
                truth = truth.and(Truth::Unknown);
                if x {
                    missing.push(format!("dates of {}", name()));
                }
            }
        }
    }
    truth
}

fn describe_condition(c: &Condition) -> String {
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

fn has<const X: bool>(f: &ConditionFilter, cx: &Ctx) -> Outcome {
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
    if checked {
        Outcome::known(
            false,
            why!(X, "no {} (checked{}){}", label(), checked_on(cx), others()),
        )
    } else {
        Outcome::unknown(
            why!(X, "{}: not recorded as checked{}", label(), others()),
            miss!(X, format!("history: {}", f.category.replace('_', " "))),
        )
    }
}

fn allergic<const X: bool>(f: &AllergyFilter, cx: &Ctx) -> Outcome {
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
                "{} ({})",
                a.substance,
                a.severity.as_deref().unwrap_or("severity not recorded")
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
            why!(X, "no {} (allergies checked{})", label(), checked_on(cx)),
        )
    } else {
        Outcome::unknown(
            why!(X, "{}: allergies not recorded as checked", label()),
            miss!(X, "allergy history".into()),
        )
    }
}

/// The latest result of a lab dated `from..=as_of` (any result when `from` is `None`): the
/// last of the latest-dated results, read from the profile's latest-result index unless that
/// result is dated after the as-of date (then the results are scanned).
fn latest_lab_in(
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

fn lab_result<const X: bool>(lab: &Key, positive: bool, within: Option<Span>, cx: &Ctx) -> Outcome {
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
            miss!(X, format!("{lab} result{}", window())),
        );
    };
    let date = || l.date.map(|d| format!(" on {d}")).unwrap_or_default();
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

fn trial_treatment<const X: bool>(within: Option<Span>, cx: &Ctx) -> Outcome {
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
                    why!(X, "clinical-trial treatment on {d}{}", window()),
                );
            }
            (None, _) => undated = true,
            (Some(d), None) => {
                return Outcome::known(true, why!(X, "clinical-trial treatment on {d}"));
            }
            _ => {}
        }
    }
    if undated {
        return Outcome::unknown(
            why!(
                X,
                "trial participation recorded without a last-treatment date"
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
                checked_on(cx)
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

fn score_entry<'a>(cx: &Ctx<'a>, score: &Key) -> Option<&'a crate::patient::Score> {
    cx.patient.latest_score_id(score.id)
}

/// A simple recorded number, by fact.
fn recorded(num: &Num, p: &Profile) -> Option<f64> {
    let d = &p.data;
    match num {
        Num::Lvef => d.cardiac.as_ref()?.lvef.as_ref().map(|v| *v.get_ref()),
        Num::Nyha => d
            .cardiac
            .as_ref()?
            .nyha
            .as_ref()
            .map(|v| *v.get_ref() as f64),
        Num::Spo2 => d.status.as_ref()?.spo2.as_ref().map(|v| *v.get_ref()),
        Num::Ecog => d
            .status
            .as_ref()?
            .ecog
            .as_ref()
            .map(|v| *v.get_ref() as f64),
        Num::AcrClass => d
            .status
            .as_ref()?
            .acr_functional_class
            .as_ref()
            .map(|v| *v.get_ref() as f64),
        Num::SurvivalWeeks => d
            .status
            .as_ref()?
            .estimated_survival_weeks
            .as_ref()
            .map(|v| *v.get_ref()),
        _ => None,
    }
}

/// The bounds of a numeric fact, without evidence (the fast path).
#[inline(always)]
fn value(num: &Num, cx: &Ctx) -> Option<(f64, f64)> {
    let p = cx.patient;
    let exact = |v: Option<f64>| v.map(|x| (x, x));
    match num {
        Num::Age => exact(p.facts(cx.as_of).age),
        Num::Crcl => exact(p.facts(cx.as_of).crcl),
        Num::Egfr => exact(p.facts(cx.as_of).egfr),
        Num::Xuln(lab) => exact(derive::xuln_value(p, lab.id)),
        Num::Lab(lab, _) => match p.latest_lab_id(lab.id)?.value {
            Some(Ok(v)) => Some((v, v)),
            _ => None,
        },
        Num::Score(name) => exact(score_entry(cx, name).map(|s| *s.value.get_ref())),
        Num::Titre(lab) => exact(p.latest_lab_id(lab.id)?.titre),
        Num::CountTreated(f) => Some(count_treated::<false>(f, cx).0),
        other => exact(recorded(other, p)),
    }
}

/// Evidence for a numeric fact and the facts missing for it (the explaining path).
fn evidence(num: &Num, cx: &Ctx) -> (String, Vec<String>) {
    let p = cx.patient;
    let derived = |d: derive::Derived| (d.evidence, d.missing);
    let on = |d: Option<NaiveDate>| d.map(|d| format!(" on {d}")).unwrap_or_default();
    let (what, unit) = match num {
        Num::Age => return derived(derive::age(p, cx.as_of)),
        Num::Crcl => return derived(derive::crcl(p, cx.as_of)),
        Num::Egfr => return derived(derive::egfr(p, cx.as_of)),
        Num::Xuln(lab) => return derived(derive::xuln(p, lab.id)),
        Num::CountTreated(f) => {
            let (_, text, missing) = count_treated::<true>(f, cx);
            return (text, missing);
        }
        Num::Lab(lab, dim) => {
            return match p.latest_lab_id(lab.id) {
                Some(l) => match &l.value {
                    Some(Ok(v)) => {
                        let converted = if l.written().ends_with(dim.canonical()) {
                            String::new()
                        } else {
                            format!(" (= {} {})", fmt_num(*v), dim.canonical())
                        };
                        (
                            format!("{lab} {}{}{converted}", l.written(), on(l.date)),
                            vec![],
                        )
                    }
                    Some(Err(e)) => (
                        format!("{e}{}", on(l.date)),
                        vec![format!("{lab} in a recognised unit")],
                    ),
                    None => (
                        format!("{lab} has no numeric value"),
                        vec![format!("{lab} value")],
                    ),
                },
                None => (format!("{lab} not recorded"), vec![format!("{lab} result")]),
            };
        }
        Num::Score(name) => {
            return match score_entry(cx, name) {
                Some(s) => (
                    format!("{name} {}{}", fmt_num(*s.value.get_ref()), on(s.date)),
                    vec![],
                ),
                None => (
                    format!("{name} not recorded"),
                    vec![format!("{name} score")],
                ),
            };
        }
        Num::Titre(lab) => {
            return match p
                .latest_lab_id(lab.id)
                .and_then(|l| l.titre.map(|t| (t, l)))
            {
                Some((t, l)) => {
                    let method = l
                        .method
                        .as_deref()
                        .map(|m| format!(" by {m}"))
                        .unwrap_or_default();
                    (
                        format!("{lab} titre 1:{}{method}{}", fmt_num(t), on(l.date)),
                        vec![],
                    )
                }
                None => (
                    format!("{lab} titre not recorded"),
                    vec![format!("{lab} titre")],
                ),
            };
        }
        Num::Lvef => ("LVEF", "%"),
        Num::Spo2 => ("SpO2", "%"),
        Num::Ecog => ("ECOG", ""),
        Num::Nyha => ("NYHA class", ""),
        Num::AcrClass => ("ACR functional class", ""),
        Num::SurvivalWeeks => ("estimated survival", " weeks"),
    };
    match recorded(num, p) {
        Some(x) => (format!("{what} {}{unit}", fmt_num(x)), vec![]),
        None => (format!("{what} not recorded"), vec![what.to_string()]),
    }
}

fn compare<const X: bool>(num: &Num, op: Op, threshold: f64, shown: &str, cx: &Ctx) -> Outcome {
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
