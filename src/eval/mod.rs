//! Three-valued (Kleene) evaluation of a compiled rule against a patient, producing the truth
//! value and — when the context asks to explain — a one-line reason with its evidence and the
//! facts that are missing. The decision logic is written once; with `explain` off no text is
//! built and nothing is allocated, which is the path bulk screening takes.

use crate::patient::derive;
use crate::patient::{Condition, Profile, Qual, Sex, Treatment, entered_note};
use crate::text::fmt_num;
use crate::trial::rule::{
    AllergyFilter, ConditionFilter, DiagnosisFilter, Flag, Key, Num, Rule, Span, TreatFilter,
    composite,
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

mod history;
mod numbers;
mod treatments;

use history::*;
use numbers::*;
use treatments::*;

/// The truth of a rule alone: composites short-circuit on plain truth values and no text is
/// built, whatever `cx.explain` says. Leaves share their decision logic with [`eval`].
pub fn truth(rule: &Rule, cx: &Ctx) -> Truth {
    match rule {
        Rule::All(parts) => fold(parts, cx, Truth::and, Truth::True),
        Rule::Any(parts) => fold(parts, cx, Truth::or, Truth::False),
        Rule::Not(inner) => part(inner, cx).negate(),
        Rule::Found(parts) => Truth::from_bool(parts.iter().any(|p| part(p, cx) == Truth::True)),
        Rule::Evidence(parts) => {
            let mut t = Truth::Unknown;
            for p in parts {
                match part(p, cx) {
                    Truth::True => return Truth::True,
                    Truth::False => t = Truth::False,
                    Truth::Unknown => {}
                }
            }
            t
        }
        Rule::KnownOrAttested { rule, part: name } => match part(rule, cx) {
            Truth::Unknown => attested::<false>(cx, name.as_deref()).truth,
            t => t,
        },
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

/// The parts combined with `op` (`and`, `or`) from its `unit`, stopping as soon as one part
/// decides the result (false for `and`, true for `or`).
#[inline(always)]
fn fold(parts: &[Rule], cx: &Ctx, op: impl Fn(Truth, Truth) -> Truth, unit: Truth) -> Truth {
    let decided = unit.negate();
    let mut t = unit;
    for p in parts {
        t = op(t, part(p, cx));
        if t == decided {
            break;
        }
    }
    t
}

/// A part of a composite: leaves are decided here, without another call through [`truth`]
/// (most parts are leaves, and the call is a good share of a leaf's cost).
#[inline(always)]
fn part(rule: &Rule, cx: &Ctx) -> Truth {
    if rule.is_composite() {
        truth(rule, cx)
    } else {
        leaf_truth(rule, cx)
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
        Rule::Found(parts) => found(parts, cx),
        Rule::Evidence(parts) => {
            let outs: Vec<Outcome> = parts.iter().map(|p| eval(p, cx)).collect();
            let pick = |t: Truth| -> Vec<&str> {
                outs.iter()
                    .filter(|o| o.truth == t)
                    .map(|o| o.reason.as_str())
                    .collect()
            };
            let yes = pick(Truth::True);
            let no = pick(Truth::False);
            if !yes.is_empty() {
                Outcome::known(true, clauses(yes))
            } else if !no.is_empty() {
                Outcome::known(false, clauses(no))
            } else {
                let mut missing = Vec::new();
                for o in &outs {
                    push_unique(&mut missing, &o.missing);
                }
                Outcome::unknown(clauses(pick(Truth::Unknown)), missing)
            }
        }
        Rule::KnownOrAttested { rule, part } => {
            let o = eval(rule, cx);
            if o.truth != Truth::Unknown {
                return o;
            }
            let a = attested::<true>(cx, part.as_deref());
            match a.truth {
                Truth::Unknown => Outcome::unknown(
                    format!("{}; {}", o.reason, a.reason),
                    [o.missing, a.missing].concat(),
                ),
                _ => Outcome {
                    reason: format!("{} ({})", a.reason, o.reason),
                    ..a
                },
            }
        }
        leaf => leaf_eval::<true>(leaf, cx),
    }
}

/// Reasons joined with "; ", each clause once: a fact that decides two parts of a rule is
/// printed once.
fn clauses<'a>(reasons: impl IntoIterator<Item = &'a str>) -> String {
    let mut out: Vec<&str> = Vec::new();
    for r in reasons {
        for clause in r.split("; ") {
            if !clause.is_empty() && !out.contains(&clause) {
                out.push(clause);
            }
        }
    }
    out.join("; ")
}

/// `found(...)`: any part true; an unknown part counts as not found.
fn found(parts: &[Rule], cx: &Ctx) -> Outcome {
    let outs: Vec<Outcome> = parts.iter().map(|p| eval(p, cx)).collect();
    let yes: Vec<&str> = outs
        .iter()
        .filter(|o| o.truth == Truth::True)
        .map(|o| o.reason.as_str())
        .collect();
    if yes.is_empty() {
        let seen: Vec<&str> = outs
            .iter()
            .filter(|o| o.truth == Truth::False)
            .map(|o| o.reason.as_str())
            .collect();
        let reason = if seen.is_empty() {
            "no record of it".to_string()
        } else {
            clauses(seen)
        };
        Outcome::known(false, reason)
    } else {
        Outcome::known(true, clauses(yes))
    }
}

/// A leaf rule, explained when `X` is set (the screening path compiles it with `X` false, so
/// no text is built and the decision is all that is left); composites go back through [`eval`].
#[inline]
fn leaf_eval<const X: bool>(rule: &Rule, cx: &Ctx) -> Outcome {
    match rule {
        // Every kind is listed (no `_`): a new kind of rule must be placed here by the compiler.
        composite!() => eval(rule, cx),
        Rule::Attested(part) => attested::<X>(cx, part.as_deref()),
        Rule::Together { a, b, span } => together::<X>(a, b, *span, cx),
        Rule::Contraception(span) => contraception::<X>(*span, cx),
        Rule::Unreadable(why) => Outcome::unknown(
            if X {
                format!("rule could not be read: {why}")
            } else {
                String::new()
            },
            miss!(
                X,
                format!("a readable rule for {} (trial file)", cx.criterion)
            ),
        ),
        Rule::Show(num) => Outcome::known(
            true,
            if X {
                format!("shown for the investigator: {}", evidence(num, cx).0)
            } else {
                String::new()
            },
        ),
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
    // Explain with the parts that decided the result, and always with the facts shown for
    // the investigator (`show(...)`).
    let shown = |i: usize| matches!(parts.get(i), Some(Rule::Show(_)));
    // An unknown `or` also says which alternatives are ruled out, so that what is asked for
    // (an exception, a judgement) reads with the reason it is needed.
    let ruled_out = truth == Truth::Unknown && unit == Truth::False;
    let deciding: Vec<&Outcome> = outs
        .iter()
        .enumerate()
        .filter(|(i, o)| match truth {
            _ if shown(*i) => true,
            Truth::Unknown => o.truth == Truth::Unknown || (ruled_out && o.truth == Truth::False),
            t if t != unit => o.truth == t,
            _ => true,
        })
        .map(|(_, o)| o)
        .collect();
    let reason = clauses(deciding.iter().map(|o| o.reason.as_str()));
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
        clauses(
            outs.iter()
                .filter(|o| o.truth == t)
                .map(|o| o.reason.as_str()),
        )
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

fn attested<const X: bool>(cx: &Ctx, part: Option<&str>) -> Outcome {
    let key = crate::vocab::key(cx.criterion);
    // Short ids are held whole in the key: the text need not be compared.
    let exact = crate::vocab::key_is_exact(key);
    let p = cx.patient;
    if !X && exact && part.is_none() {
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
        .filter(|(a, k)| {
            **k == key
                && (exact || a.criterion.get_ref() == cx.criterion)
                && a.part.as_deref() == part
        })
        .map(|(a, _)| a)
        .max_by_key(|a| a.date);
    let what = || match part {
        Some(name) => format!("{} ({})", cx.criterion, name.replace('_', " ")),
        None => cx.criterion.to_string(),
    };
    match found {
        Some(a) => Outcome::known(
            a.met,
            why!(
                X,
                "clinician attestation{} by {} on {} says {}{}{}",
                part.map(|n| format!(" ({})", n.replace('_', " ")))
                    .unwrap_or_default(),
                a.by,
                a.date,
                if a.met { "met" } else { "not met" },
                a.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default(),
                entered_note(a.entered.as_deref())
            ),
        ),
        None => Outcome::unknown(
            why!(X, "needs a clinician attestation for {}", what()),
            miss!(X, format!("clinician attestation for {}", what())),
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
                why!(
                    X,
                    "sex {}{}",
                    if is_female { "female" } else { "male" },
                    cx.patient.entered_note("sex")
                ),
            )
        }
        None => Outcome::unknown(why!(X, "sex not recorded"), miss!(X, "sex".into())),
    }
}

fn flag<const X: bool>(f: Flag, cx: &Ctx) -> Outcome {
    let name = || f.name().replace('_', " ");
    match f.read(&cx.patient.data) {
        Some(b) => Outcome::known(
            b,
            why!(
                X,
                "{}: {}{}",
                name(),
                if b { "yes" } else { "no" },
                cx.patient.entered_note(f.fact().field)
            ),
        ),
        None => Outcome::unknown(why!(X, "{} not recorded", name()), miss!(X, name())),
    }
}

/// " on DATE" when the patient file dates its checks, then where the check `what` (a field
/// of `[checked]`: "diagnoses", "conditions", …) came from when it was entered in the app.
fn checked_on(cx: &Ctx, what: &str) -> String {
    let on = cx
        .patient
        .checked()
        .and_then(|c| c.date)
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    format!(
        "{on}{}",
        cx.patient.entered_note(&format!("checked.{what}"))
    )
}

fn since(date: NaiveDate, cx: &Ctx) -> String {
    let days = (cx.as_of - date).num_days();
    if days.abs() < 60 {
        format!("{days} days before as-of")
    } else {
        format!("{:.1} months before as-of", days as f64 / 30.44)
    }
}

/// `contraception(for=...)`: agreed, for at least the period asked after the last dose.
fn contraception<const X: bool>(need: Span, cx: &Ctx) -> Outcome {
    let r = cx.patient.data.reproductive.as_ref();
    match r.and_then(|r| r.contraception_agreed) {
        Some(false) => Outcome::known(
            false,
            why!(
                X,
                "contraception not agreed{}",
                cx.patient.entered_note("reproductive.contraception_agreed")
            ),
        ),
        None => Outcome::unknown(
            why!(
                X,
                "contraception agreement not recorded (needs {})",
                need.text()
            ),
            miss!(X, format!("contraception agreed for {}", need.text())),
        ),
        Some(true) => {
            let period = r
                .and_then(|r| r.contraception_period.as_ref())
                .and_then(|p| crate::span::parse_span(p.get_ref()));
            match period {
                Some(got) => Outcome::known(
                    got.approx_days() + 0.5 >= need.approx_days(),
                    why!(
                        X,
                        "contraception agreed for {} after the last dose{} (needs {})",
                        got.text(),
                        contraception_note(cx),
                        need.text()
                    ),
                ),
                None => Outcome::unknown(
                    why!(
                        X,
                        "contraception agreed{}, for how long not recorded (needs {})",
                        cx.patient.entered_note("reproductive.contraception_agreed"),
                        need.text()
                    ),
                    miss!(X, format!("contraception period (needs {})", need.text())),
                ),
            }
        }
    }
}

/// Where the agreed contraception and its period came from, when entered in the app: one
/// note when both came from the same entry.
fn contraception_note(cx: &Ctx) -> String {
    let p = cx.patient;
    let agreed = p.entered("reproductive.contraception_agreed");
    let period = p.entered("reproductive.contraception_period");
    match (agreed, period) {
        (Some(a), Some(b)) if a != b => {
            format!("{}{}", entered_note(Some(a)), entered_note(Some(b)))
        }
        (a, b) => entered_note(a.or(b)),
    }
}
