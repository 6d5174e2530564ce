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
        // Listed one by one (not `_`): a new kind of rule must be placed here by the compiler.
        Rule::All(_)
        | Rule::Any(_)
        | Rule::Not(_)
        | Rule::AtLeast(..)
        | Rule::Found(_)
        | Rule::Evidence(_)
        | Rule::KnownOrAttested { .. } => eval(rule, cx),
        Rule::Attested(part) => attested::<X>(cx, part.as_deref()),
        Rule::Together { a, b, span } => together::<X>(a, b, *span, cx),
        Rule::Contraception(span) => contraception::<X>(*span, cx),
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
                "clinician attestation{} by {} on {} says {}{}",
                part.map(|n| format!(" ({})", n.replace('_', " ")))
                    .unwrap_or_default(),
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
        .filter(|(_, id)| {
            1u32.checked_shl(u32::from(**id))
                .is_some_and(|bit| f.codes & bit != 0)
        })
    {
        any = true;
        let mut why = Vec::new();
        let mut missing = Vec::new();
        let t = diagnosis_entry::<X>(d, f, cx, &mut why, &mut missing);
        let reason = why!(X, "{} {}", d.code.get_ref().to_uppercase(), why.join(", "));
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
fn last_day(t: &Treatment, as_of: NaiveDate) -> Result<NaiveDate, ()> {
    match (t.end, t.ongoing) {
        (Some(e), _) => Ok(e.min(as_of)),
        (None, Some(false)) => Err(()),
        (None, _) => Ok(as_of),
    }
}

/// Prednisone mg per mg of a glucocorticoid (facts: standard equivalent doses — prednisone
/// 5 mg = prednisolone 5 mg = methylprednisolone 4 mg = dexamethasone 0.75 mg = hydrocortisone
/// 20 mg). Longer names first: "methylprednisolone" contains "prednisolone".
const PREDNISONE_EQUIVALENT: &[(&str, f64)] = &[
    ("methylprednisolone", 1.25),
    ("prednisolone", 1.0),
    ("prednisone", 1.0),
    ("dexamethasone", 6.67),
    ("hydrocortisone", 0.25),
];

/// A treatment's recorded daily dose in the limit's terms (prednisone-equivalent mg/day, or
/// per kg of body weight), or why it cannot be told.
fn daily_dose(t: &Treatment, per_kg: bool, cx: &Ctx) -> Result<f64, String> {
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
fn treat_window(f: &TreatFilter, cx: &Ctx) -> Result<Option<(NaiveDate, NaiveDate, bool)>, String> {
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
fn treatment_matches<const X: bool>(
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
fn together<const X: bool>(a: &TreatFilter, b: &TreatFilter, span: Span, cx: &Ctx) -> Outcome {
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
                checked_on(cx)
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

/// `contraception(for=...)`: agreed, for at least the period asked after the last dose.
fn contraception<const X: bool>(need: Span, cx: &Ctx) -> Outcome {
    let r = cx.patient.data.reproductive.as_ref();
    match r.and_then(|r| r.contraception_agreed) {
        Some(false) => Outcome::known(false, why!(X, "contraception not agreed")),
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
                .and_then(|p| crate::trial::rule::parse_span(p.get_ref()));
            match period {
                Some(got) => Outcome::known(
                    got.approx_days() + 0.5 >= need.approx_days(),
                    why!(
                        X,
                        "contraception agreed for {} after the last dose (needs {})",
                        got.text(),
                        need.text()
                    ),
                ),
                None => Outcome::unknown(
                    why!(
                        X,
                        "contraception agreed, for how long not recorded (needs {})",
                        need.text()
                    ),
                    miss!(X, format!("contraception period (needs {})", need.text())),
                ),
            }
        }
    }
}

fn describe_treatment(t: &Treatment) -> String {
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
    s
}

/// Treatments classified against a filter: counts always, texts only when explaining.
#[derive(Default)]
struct Scan<'a> {
    yes: usize,
    maybe: usize,
    /// Distinct matching drugs, listed when explaining (or counting more than 64 treatments).
    drugs: Vec<&'a str>,
    drug_entries: Vec<&'a Treatment>,
    /// How many distinct matching drugs (when counting or explaining).
    distinct: usize,
    yes_text: Vec<String>,
    maybe_text: Vec<String>,
    missing: Vec<String>,
}

/// Whether two treatment entries are the same drug: the same catalogue drugs (so spellings
/// such as ciclosporin and cyclosporine are one), or the same name outside the catalogue.
fn same_drug(a: &Treatment, b: &Treatment) -> bool {
    if a.drug_mask != 0 || b.drug_mask != 0 {
        a.drug_mask == b.drug_mask
    } else {
        a.key == b.key
    }
}

#[inline(always)]
fn scan_treatments<'a, const X: bool>(
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
fn near_diagnosis<const X: bool>(
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
    for (d, id) in p.data.diagnosis.iter().zip(&p.diagnosis_ids) {
        if 1u32
            .checked_shl(u32::from(*id))
            .is_none_or(|b| mask & b == 0)
        {
            continue;
        }
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
    if let Some(sev) = &c.severity {
        q.push(sev.clone());
    }
    if !c.tags.is_empty() {
        q.push(c.tags.join(", ").replace('_', " "));
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
    if checked && !other_t.is_empty() {
        Outcome::known(
            false,
            why!(
                X,
                "{} recorded but not matching: {} (history checked{})",
                f.category.replace('_', " "),
                other_t.join(", "),
                checked_on(cx)
            ),
        )
    } else if checked {
        Outcome::known(false, why!(X, "no {} (checked{})", label(), checked_on(cx)))
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

/// A result read as positive or negative: as written, else a value above its recorded upper
/// limit of normal ("higher than normal").
fn qual_of(l: &crate::patient::LabFact) -> Option<Qual> {
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
fn lab_group<const X: bool>(
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
            "{} {word}{}",
            l.name(),
            l.date.map(|d| format!(" on {d}")).unwrap_or_default()
        )
    };
    let panel_negative = neg.iter().any(|l| l.id == lab.id);
    if !pos.is_empty() {
        let text = why!(
            X,
            "{}",
            pos.iter()
                .map(|l| say(l, "positive"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Outcome::known(positive, text)
    } else if panel_negative {
        let text = why!(
            X,
            "{}",
            neg.iter()
                .map(|l| say(l, "negative"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        Outcome::known(!positive, text)
    } else {
        let seen = if neg.is_empty() {
            String::new()
        } else {
            format!(
                " ({}; other antibodies not tested)",
                neg.iter()
                    .map(|l| say(l, "negative"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Outcome::unknown(
            why!(X, "no positive {lab} and no negative panel result{seen}"),
            miss!(X, format!("{lab} panel result")),
        )
    }
}

fn lab_result<const X: bool>(lab: &Key, positive: bool, within: Option<Span>, cx: &Ctx) -> Outcome {
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
    let date = || l.date.map(|d| format!(" on {d}")).unwrap_or_default();
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
    // An investigational drug in the treatment list counts as clinical-trial treatment.
    let experimental = TreatFilter {
        class_mask: crate::vocab::class_mask(&["experimental".to_string()]),
        classes: vec!["experimental".into()],
        within,
        ..TreatFilter::default()
    };
    let s = scan_treatments::<X>(&experimental, cx, false);
    if s.yes > 0 {
        return Outcome::known(
            true,
            why!(
                X,
                "investigational treatment{}: {}",
                window(),
                s.yes_text.join(", ")
            ),
        );
    }
    let experimental_maybe = p_has_experimental(cx, &s);
    if undated || experimental_maybe {
        return Outcome::unknown(
            why!(
                X,
                "{}",
                if undated {
                    "trial participation recorded without a last-treatment date".to_string()
                } else {
                    format!(
                        "investigational treatment, dates not recorded: {}",
                        s.maybe_text.join(", ")
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

/// Whether the experimental-treatment scan left an investigational treatment that might fall
/// in the window (its class known to be experimental, its dates not).
fn p_has_experimental(cx: &Ctx, s: &Scan) -> bool {
    s.maybe > 0
        && cx
            .patient
            .class_masks
            .iter()
            .any(|m| *m & crate::vocab::class_mask(&["experimental".to_string()]) != 0)
}

/// The latest score (within the window when one is given).
fn score_entry<'a>(
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
fn titre_entry<'a>(
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
        Num::Lab(lab, _, within) => {
            let l = match within {
                None => p.latest_lab_id(lab.id)?,
                Some(w) => latest_lab_in(p, lab.id, Some(w.before(cx.as_of)), cx.as_of)?,
            };
            match l.value {
                Some(Ok(v)) => Some((v, v)),
                _ => None,
            }
        }
        Num::Score(name, within) => {
            exact(score_entry(cx, name, *within).map(|s| *s.value.get_ref()))
        }
        Num::Titre(lab, methods, within) => exact(titre_entry(cx, lab, methods, *within)?.titre),
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
        Num::Lab(lab, dim, within) => {
            let found = match within {
                None => p.latest_lab_id(lab.id),
                Some(w) => latest_lab_in(p, lab.id, Some(w.before(cx.as_of)), cx.as_of),
            };
            if let (None, Some(w), Some(old)) = (found, within, p.latest_lab_id(lab.id)) {
                return (
                    format!(
                        "{lab} {}{} is too old: outside {}",
                        old.written(),
                        on(old.date),
                        w.text()
                    ),
                    vec![format!("{lab} result within {}", w.short())],
                );
            }
            return match found {
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
        Num::Score(name, within) => {
            let found = score_entry(cx, name, *within);
            if let (None, Some(w), Some(old)) = (found, within, p.latest_score_id(name.id)) {
                return (
                    format!(
                        "{name} {}{} is too old: outside {}",
                        fmt_num(*old.value.get_ref()),
                        on(old.date),
                        w.text()
                    ),
                    vec![format!("{name} score within {}", w.short())],
                );
            }
            return match found {
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
        Num::Titre(lab, methods, within) => {
            let found = titre_entry(cx, lab, methods, *within);
            if found.is_none() && !methods.is_empty() {
                let others: Vec<String> = p
                    .labs
                    .iter()
                    .filter(|l| l.id == lab.id && l.titre.is_some())
                    .map(|l| {
                        format!(
                            "{} by {}{}",
                            l.written(),
                            l.method.as_deref().unwrap_or("a method not recorded"),
                            on(l.date)
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
            return match found.and_then(|l| l.titre.map(|t| (t, l))) {
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
