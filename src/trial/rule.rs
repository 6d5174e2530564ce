//! The typed rule tree a criterion evaluates, compiled once from the rule text at load time so
//! that evaluation never re-parses or looks names up.

use crate::trial::syntax::{Arg, Node, Op, SyntaxError, Value, parse};
use crate::units::Dimension;
use crate::vocab;
use chrono::{Months, NaiveDate};

/// A window or minimum duration such as "3 months".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub n: u32,
    pub unit: SpanUnit,
    /// Written `within=screening`: the trial's screening window, a site setting (resolved
    /// when the trial file is loaded, see [`Rule::resolve_screening`]).
    pub screening: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpanUnit {
    Days,
    Weeks,
    Months,
    Years,
}

impl Span {
    /// The date `self` before `date` (calendar months and years).
    pub fn before(self, date: NaiveDate) -> NaiveDate {
        let back = match self.unit {
            SpanUnit::Days => date.checked_sub_days(chrono::Days::new(u64::from(self.n))),
            SpanUnit::Weeks => date.checked_sub_days(chrono::Days::new(u64::from(self.n) * 7)),
            SpanUnit::Months => date.checked_sub_months(Months::new(self.n)),
            SpanUnit::Years => date.checked_sub_months(Months::new(self.n * 12)),
        };
        back.unwrap_or(NaiveDate::MIN)
    }

    /// Roughly how many days the span holds (months 30.44 days, years 365.25), for comparing
    /// two spans written in different units.
    pub fn approx_days(self) -> f64 {
        let n = f64::from(self.n);
        match self.unit {
            SpanUnit::Days => n,
            SpanUnit::Weeks => n * 7.0,
            SpanUnit::Months => n * 365.25 / 12.0,
            SpanUnit::Years => n * 365.25,
        }
    }

    /// Shorter than [`Span::text`], for lists of missing facts: "the 28-day screening window".
    pub fn short(self) -> String {
        if self.screening {
            format!("the {}-{} screening window", self.n, self.unit_word())
        } else {
            self.text()
        }
    }

    pub fn text(self) -> String {
        if self.screening {
            return format!(
                "{} {}{} (screening window: a site setting, not stated in source)",
                self.n,
                self.unit_word(),
                if self.n == 1 { "" } else { "s" }
            );
        }
        let word = match self.unit {
            SpanUnit::Days => "day",
            SpanUnit::Weeks => "week",
            SpanUnit::Months => "month",
            SpanUnit::Years => "year",
        };
        format!("{} {}{}", self.n, word, if self.n == 1 { "" } else { "s" })
    }

    fn unit_word(self) -> &'static str {
        match self.unit {
            SpanUnit::Days => "day",
            SpanUnit::Weeks => "week",
            SpanUnit::Months => "month",
            SpanUnit::Years => "year",
        }
    }
}

pub fn parse_span(s: &str) -> Option<Span> {
    let mut it = s.split_whitespace();
    let n: u32 = it.next()?.parse().ok()?;
    let unit = match it.next()?.trim_end_matches('s') {
        "day" => SpanUnit::Days,
        "week" => SpanUnit::Weeks,
        "month" => SpanUnit::Months,
        "year" => SpanUnit::Years,
        _ => return None,
    };
    if it.next().is_some() {
        return None;
    }
    Some(Span {
        n,
        unit,
        screening: false,
    })
}

/// A vocabulary name with its id (its position in the vocabulary list), compared by id when
/// evaluating and shown by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub id: u8,
}

impl Key {
    /// The key for `name` in `list`, or the "unknown ..." error with a suggestion.
    fn new(name: &str, list: &[&str], what: &str, offset: usize) -> Result<Key, SyntaxError> {
        match vocab::index(list, name) {
            Some(id) => Ok(Key {
                name: name.to_string(),
                id,
            }),
            None => Err(unknown_name(offset, what, name, list)),
        }
    }
}

impl std::ops::Deref for Key {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Pregnant,
    Lactating,
    PlanningPregnancy,
    ChildbearingPotential,
    ContraceptionAgreed,
    PartnerChildbearingPotential,
    ConsentSigned,
    EchoStructureNormal,
    EcgNormal,
    HemodynamicallyStable,
    UncontrolledBp,
    RenalReplacement,
}

pub const FLAGS: &[(&str, Flag)] = &[
    ("pregnant", Flag::Pregnant),
    ("lactating", Flag::Lactating),
    ("planning_pregnancy", Flag::PlanningPregnancy),
    ("childbearing_potential", Flag::ChildbearingPotential),
    ("contraception_agreed", Flag::ContraceptionAgreed),
    (
        "partner_childbearing_potential",
        Flag::PartnerChildbearingPotential,
    ),
    ("consent_signed", Flag::ConsentSigned),
    ("echo_structure_normal", Flag::EchoStructureNormal),
    ("ecg_normal", Flag::EcgNormal),
    ("hemodynamically_stable", Flag::HemodynamicallyStable),
    ("uncontrolled_bp", Flag::UncontrolledBp),
    ("renal_replacement", Flag::RenalReplacement),
];

impl Flag {
    pub fn name(self) -> &'static str {
        FLAGS
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("flag", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct DiagnosisFilter {
    /// The code (or group of codes, e.g. `myositis`) as written; shown in reasons.
    pub code: Key,
    /// The diagnosis codes that match, as a bitmask over `vocab::DIAGNOSES`.
    pub codes: u32,
    pub criteria: Vec<String>,
    pub for_at_least: Option<Span>,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TreatFilter {
    pub classes: Vec<String>,
    /// `classes` as a bitmask over `vocab::CLASSES`.
    pub class_mask: u32,
    pub drugs: Vec<String>,
    /// `drugs` as a bitmask over `vocab::DRUGS` (every name in a rule is a catalogue drug, a
    /// spelling of one, or a documented source reading: see `vocab::rule_drug`).
    pub drug_mask: u64,
    pub outcomes: Vec<String>,
    /// `outcomes` as a bitmask over `vocab::OUTCOMES`.
    pub outcome_mask: u8,
    pub routes: Vec<String>,
    /// Taken at any time in the span before the anchor (inclusive: a last dose exactly the
    /// span before is within).
    pub within: Option<Span>,
    /// The washout of this span after the last dose is not complete: taken less than the span
    /// before the anchor (a last dose exactly the span before has completed it).
    pub washout: Option<Span>,
    /// Taken on the as-of date (ongoing).
    pub current: bool,
    /// The window's anchor: the date of this lab's latest result instead of the as-of date
    /// ("no colony-stimulating factor within 2 weeks before examination").
    pub before_lab: Option<Key>,
    /// Given for at least this long (start to end, or to the as-of date while ongoing).
    pub min_duration: Option<Span>,
    /// Given for more than this long (exactly this long is not enough).
    pub longer_than: Option<Span>,
    /// A bound on the recorded dose (glucocorticoids in prednisone equivalents).
    pub dose: Option<DoseLimit>,
}

/// `dose_above=1 "mg/kg/day"` and friends: the recorded daily dose compared with a limit.
#[derive(Debug, Clone, PartialEq)]
pub struct DoseLimit {
    pub op: Op,
    /// The limit in mg/day, or in mg/kg/day when `per_kg`.
    pub value: f64,
    pub per_kg: bool,
    /// As written, e.g. "> 1 mg/kg/day".
    pub shown: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConditionFilter {
    pub category: Key,
    pub status: Vec<String>,
    pub status_not: Vec<String>,
    pub tags: Vec<String>,
    pub tags_not: Vec<String>,
    pub severity: Vec<String>,
    pub within: Option<Span>,
    /// `near=CODE`: `within` is measured from the date of a diagnosis with one of these codes
    /// (bitmask over `vocab::DIAGNOSES`), before or after it, instead of back from the as-of
    /// date ("myositis occurring within 2 years of tumor diagnosis").
    pub near: Option<(String, u32)>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AllergyFilter {
    pub to: Vec<String>,
    pub severity: Vec<String>,
}

/// A numeric fact a comparison reads (tagged explicitly, as [`Rule`]).
#[derive(Debug, Clone, PartialEq)]
#[repr(u8)]
pub enum Num {
    Age,
    /// The latest result (within the window, when one is given).
    Lab(Key, Dimension, Option<Span>),
    Xuln(Key),
    Crcl,
    Egfr,
    Score(Key, Option<Span>),
    Lvef,
    Spo2,
    Ecog,
    Nyha,
    AcrClass,
    SurvivalWeeks,
    CountTreated(TreatFilter),
    /// The titre of the latest result measured by one of the methods (any method when the list
    /// is empty), within the window when one is given.
    Titre(Key, Vec<String>, Option<Span>),
}

/// A compiled rule. An explicit tag byte (rather than a niche in a field) keeps dispatch on
/// the kind of node to one load.
#[derive(Debug, Clone, PartialEq)]
#[repr(u8)]
pub enum Rule {
    All(Vec<Rule>),
    Any(Vec<Rule>),
    Not(Box<Rule>),
    AtLeast(usize, Vec<Rule>),
    /// True when any part is true, false otherwise: an unknown part counts as not found. Only
    /// for supplementary evidence beside a part that is unknown on absence (a positive hCG
    /// beside the pregnancy flag).
    Found(Vec<Rule>),
    /// The first decisive answer among the parts: true when any part is true, else false when
    /// any part is false, else unknown ("any evidence of pregnancy": the flag, or a test).
    Evidence(Vec<Rule>),
    /// The inner rule where the data decide it; otherwise the clinician's judgement for `part`.
    KnownOrAttested {
        rule: Box<Rule>,
        /// The part the attestation answers (`None`: the criterion's only judgement).
        part: Option<String>,
    },
    /// A clinician's judgement for this criterion: the whole of it (`part` None) or one named
    /// part of it.
    Attested(Option<String>),
    Female,
    Male,
    Flag(Flag),
    Diagnosis(DiagnosisFilter),
    Treated(TreatFilter),
    Has(ConditionFilter),
    Allergic(AllergyFilter),
    LabResult {
        lab: Key,
        positive: bool,
        within: Option<Span>,
    },
    TrialTreatment(Option<Span>),
    /// Two treatments given together (their courses overlapping) for at least the span.
    Together {
        a: TreatFilter,
        b: TreatFilter,
        span: Span,
    },
    /// Contraception agreed for at least the span after the last study dose.
    Contraception(Span),
    /// Always true: shows a numeric fact as evidence beside a judgement (never decides).
    Show(Num),
    /// `num op threshold`, the threshold in the fact's canonical unit; `shown` is as written.
    Compare {
        num: Num,
        op: Op,
        threshold: f64,
        shown: String,
    },
}

/// Parses and compiles rule text. Each clinician judgement in one rule must be its own:
/// `attested` at most once, and each `part=` name once (an attestation answers only the
/// judgement it is for).
pub fn compile(src: &str) -> Result<Rule, SyntaxError> {
    let rule = to_rule(&parse(src)?)?;
    let mut parts: Vec<Option<&str>> = Vec::new();
    let mut repeated = None;
    rule.visit(&mut |r| {
        let part = match r {
            Rule::Attested(p) => p.as_deref(),
            Rule::KnownOrAttested { part, .. } => part.as_deref(),
            _ => return,
        };
        if parts.contains(&part) && repeated.is_none() {
            repeated = Some(part.map_or("attested".to_string(), |p| format!("part \"{p}\"")));
        }
        parts.push(part);
    });
    if let Some(what) = repeated {
        return err(
            0,
            format!(
                "{what} is used twice in one rule: one attestation would then answer both \
                 places; give each judgement its own part, e.g. attested(part=\"activity\")"
            ),
        );
    }
    Ok(rule)
}

impl Rule {
    /// Whether the rule combines others (its truth is computed from theirs).
    #[inline(always)]
    pub fn is_composite(&self) -> bool {
        matches!(
            self,
            Rule::All(_)
                | Rule::Any(_)
                | Rule::Not(_)
                | Rule::AtLeast(..)
                | Rule::Found(_)
                | Rule::Evidence(_)
                | Rule::KnownOrAttested { .. }
        )
    }

    /// The rules directly inside a composite (none for a leaf): the one place that knows
    /// which kinds of rule hold others.
    pub fn children(&self) -> &[Rule] {
        match self {
            Rule::All(v)
            | Rule::Any(v)
            | Rule::AtLeast(_, v)
            | Rule::Found(v)
            | Rule::Evidence(v) => v,
            Rule::Not(r) | Rule::KnownOrAttested { rule: r, .. } => std::slice::from_ref(r),
            _ => &[],
        }
    }

    fn children_mut(&mut self) -> &mut [Rule] {
        match self {
            Rule::All(v)
            | Rule::Any(v)
            | Rule::AtLeast(_, v)
            | Rule::Found(v)
            | Rule::Evidence(v) => v,
            Rule::Not(r) | Rule::KnownOrAttested { rule: r, .. } => std::slice::from_mut(r),
            _ => &mut [],
        }
    }

    /// Calls `f` on this rule and every rule inside it.
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&'a Rule)) {
        f(self);
        for r in self.children() {
            r.visit(f);
        }
    }

    /// Every span in the rule, for resolving `within=screening`.
    fn spans_mut(&mut self, f: &mut impl FnMut(&mut Span)) {
        fn treat(t: &mut TreatFilter, f: &mut impl FnMut(&mut Span)) {
            for s in [
                &mut t.within,
                &mut t.washout,
                &mut t.min_duration,
                &mut t.longer_than,
            ]
            .into_iter()
            .flatten()
            {
                f(s);
            }
        }
        fn num(n: &mut Num, f: &mut impl FnMut(&mut Span)) {
            match n {
                Num::Lab(_, _, Some(s)) | Num::Score(_, Some(s)) | Num::Titre(_, _, Some(s)) => {
                    f(s)
                }
                Num::CountTreated(t) => treat(t, f),
                _ => {}
            }
        }
        for r in self.children_mut() {
            r.spans_mut(f);
        }
        match self {
            Rule::Diagnosis(d) => {
                if let Some(s) = &mut d.for_at_least {
                    f(s);
                }
            }
            Rule::Treated(t) => treat(t, f),
            Rule::Together { a, b, span } => {
                treat(a, f);
                treat(b, f);
                f(span);
            }
            Rule::Has(c) => {
                if let Some(s) = &mut c.within {
                    f(s);
                }
            }
            Rule::LabResult {
                within: Some(s), ..
            }
            | Rule::TrialTreatment(Some(s))
            | Rule::Contraception(s) => f(s),
            Rule::Compare { num: n, .. } | Rule::Show(n) => num(n, f),
            _ => {}
        }
    }

    /// Puts the trial's screening window where the rule says `within=screening`; false when
    /// the rule uses it and the trial sets none.
    pub fn resolve_screening(&mut self, window: Option<Span>) -> bool {
        let mut ok = true;
        self.spans_mut(&mut |s| {
            if s.screening {
                match window {
                    Some(w) => {
                        *s = Span {
                            screening: true,
                            ..w
                        }
                    }
                    None => ok = false,
                }
            }
        });
        ok
    }

    /// Whether the rule uses the screening window.
    pub fn uses_screening(&mut self) -> bool {
        let mut used = false;
        self.spans_mut(&mut |s| used |= s.screening);
        used
    }
}

fn err<T>(offset: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
    Err(SyntaxError {
        offset,
        message: message.into(),
    })
}

fn unknown_name(offset: usize, what: &str, name: &str, known: &[&str]) -> SyntaxError {
    let hint = vocab::suggest(name, known)
        .map(|s| format!(" (did you mean '{s}'?)"))
        .unwrap_or_default();
    SyntaxError {
        offset,
        message: format!("unknown {what} '{name}'{hint}"),
    }
}

const BOOLEAN_NAMES: &[&str] = &[
    "found",
    "evidence",
    "known_or_attested",
    "show",
    "together",
    "contraception",
    "all",
    "any",
    "not",
    "at_least",
    "attested",
    "female",
    "male",
    "diagnosis",
    "treated",
    "has",
    "allergic",
    "positive",
    "negative",
    "trial_treatment",
];

const NUMERIC_NAMES: &[&str] = &[
    "age",
    "lab",
    "xuln",
    "crcl",
    "egfr",
    "score",
    "lvef",
    "spo2",
    "ecog",
    "nyha",
    "acr_class",
    "survival_weeks",
    "count_treated",
    "titre",
];

fn to_rule(node: &Node) -> Result<Rule, SyntaxError> {
    match node {
        Node::And(parts) => Ok(Rule::All(
            parts.iter().map(to_rule).collect::<Result<_, _>>()?,
        )),
        Node::Or(parts) => Ok(Rule::Any(
            parts.iter().map(to_rule).collect::<Result<_, _>>()?,
        )),
        Node::Not(inner) => Ok(Rule::Not(Box::new(to_rule(inner)?))),
        Node::Number(_, offset) => err(*offset, "a number is not a condition"),
        Node::Compare {
            left,
            op,
            value,
            unit,
            offset,
        } => compare(left, *op, *value, unit.as_deref(), *offset),
        Node::Call { name, args, offset } => call(name, args.as_deref(), *offset),
    }
}

fn compare(
    left: &Node,
    op: Op,
    value: f64,
    unit: Option<&str>,
    offset: usize,
) -> Result<Rule, SyntaxError> {
    let Node::Call {
        name,
        args,
        offset: at,
    } = left
    else {
        return err(
            offset,
            "the left side of a comparison must be a numeric fact",
        );
    };
    let num = numeric(name, args.as_deref(), *at)?;
    let dim = match &num {
        Num::Lab(_, d, _) => Some(*d),
        Num::Crcl => Some(Dimension::Crcl),
        Num::Egfr => Some(Dimension::Egfr),
        _ => None,
    };
    let threshold = match (dim, unit) {
        (Some(d), Some(u)) => d
            .to_canonical(value, u)
            .map_err(|m| SyntaxError { offset, message: m })?,
        (Some(d), None) => {
            return err(
                offset,
                format!("this comparison needs a unit, e.g. \"{}\"", d.canonical()),
            );
        }
        (None, Some(u)) => {
            return err(
                offset,
                format!("'{name}' has no unit; remove \"{u}\" from the comparison"),
            );
        }
        (None, None) => value,
    };
    let shown = match unit {
        Some(u) => format!("{} {} {}", op.symbol(), fmt_num(value), u),
        None => format!("{} {}", op.symbol(), fmt_num(value)),
    };
    Ok(Rule::Compare {
        num,
        op,
        threshold,
        shown,
    })
}

/// The error for `within=screening` in a trial that sets no `screening_window`.
pub fn no_screening_window() -> SyntaxError {
    SyntaxError {
        offset: 0,
        message: "within=screening needs the trial's screening_window (a site setting, e.g. \
                  screening_window = \"28 days\")"
            .into(),
    }
}

/// Formats a number without trailing zeros.
pub fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

fn numeric(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Num, SyntaxError> {
    let plain = |n: Num| -> Result<Num, SyntaxError> {
        if args.is_some() {
            err(offset, format!("'{name}' takes no arguments"))
        } else {
            Ok(n)
        }
    };
    match name {
        "age" => plain(Num::Age),
        "crcl" => plain(Num::Crcl),
        "egfr" => plain(Num::Egfr),
        "lvef" => plain(Num::Lvef),
        "spo2" => plain(Num::Spo2),
        "ecog" => plain(Num::Ecog),
        "nyha" => plain(Num::Nyha),
        "acr_class" => plain(Num::AcrClass),
        "survival_weeks" => plain(Num::SurvivalWeeks),
        "lab" => {
            let (lab, within) = name_within(name, args, offset, &[])?;
            let dim = vocab::lab_dimension(&lab).ok_or_else(|| {
                let known: Vec<&str> = vocab::NUMERIC_LABS.iter().map(|(n, _)| *n).collect();
                unknown_name(offset, "numeric lab", &lab, &known)
            })?;
            Ok(Num::Lab(
                Key::new(&lab, vocab::LABS, "lab", offset)?,
                dim,
                within.0,
            ))
        }
        "xuln" => {
            let lab = single_name(name, args, offset)?;
            if vocab::lab_dimension(&lab).is_none() {
                let known: Vec<&str> = vocab::NUMERIC_LABS.iter().map(|(n, _)| *n).collect();
                return Err(unknown_name(offset, "numeric lab", &lab, &known));
            }
            Ok(Num::Xuln(Key::new(&lab, vocab::LABS, "lab", offset)?))
        }
        "titre" => {
            let (lab, (within, methods)) = name_within(name, args, offset, &["method"])?;
            if !vocab::QUALITATIVE_LABS.contains(&lab.as_str()) {
                return Err(unknown_name(offset, "lab", &lab, vocab::QUALITATIVE_LABS));
            }
            Ok(Num::Titre(
                Key::new(&lab, vocab::LABS, "lab", offset)?,
                methods,
                within,
            ))
        }
        "score" => {
            let (sc, within) = name_within(name, args, offset, &[])?;
            Ok(Num::Score(
                Key::new(&sc, vocab::SCORES, "score", offset)?,
                within.0,
            ))
        }
        "count_treated" => Ok(Num::CountTreated(treat_filter(
            args.unwrap_or(&[]),
            offset,
        )?)),
        other => {
            let mut known = NUMERIC_NAMES.to_vec();
            known.extend_from_slice(BOOLEAN_NAMES);
            if BOOLEAN_NAMES.contains(&other) || FLAGS.iter().any(|(n, _)| *n == other) {
                err(offset, format!("'{other}' is a condition, not a number"))
            } else {
                Err(unknown_name(offset, "numeric fact", other, NUMERIC_NAMES))
            }
        }
    }
}

/// A window and a list of methods, as `name_within` reads them.
type WithinMethods = (Option<Span>, Vec<String>);

/// `f(name, within="...")` (and, when `extra` names it, `method=[..]`): the name, the window
/// and the methods.
fn name_within(
    func: &str,
    args: Option<&[Arg]>,
    offset: usize,
    extra: &[&str],
) -> Result<(String, WithinMethods), SyntaxError> {
    let Some(list) = args else {
        return err(offset, format!("'{func}' takes a name, e.g. {func}(alt)"));
    };
    let (name, kws) = head_name(func, list, offset)?;
    let mut within = None;
    let mut methods = Vec::new();
    for (k, v, at) in kws {
        match k.as_str() {
            "within" => within = Some(span(&v, at)?),
            "method" if extra.contains(&"method") => {
                methods = strings(&v, at)?
                    .into_iter()
                    .map(|m| m.to_lowercase())
                    .collect()
            }
            _ => {
                let mut known = vec!["within"];
                known.extend_from_slice(extra);
                return Err(unknown_name(at, &format!("argument of {func}"), &k, &known));
            }
        }
    }
    Ok((name, (within, methods)))
}

fn single_name(func: &str, args: Option<&[Arg]>, offset: usize) -> Result<String, SyntaxError> {
    match args {
        Some(
            [
                Arg::Positional(Node::Call {
                    name, args: None, ..
                }),
            ],
        ) => Ok(name.clone()),
        _ => err(offset, format!("'{func}' takes one name, e.g. {func}(alt)")),
    }
}

fn call(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Rule, SyntaxError> {
    if let Some((_, flag)) = FLAGS.iter().find(|(n, _)| *n == name) {
        if args.is_some() {
            return err(offset, format!("'{name}' takes no arguments"));
        }
        return Ok(Rule::Flag(*flag));
    }
    let list = args.unwrap_or(&[]);
    match name {
        "female" | "male" if args.is_some() => err(offset, format!("'{name}' takes no arguments")),
        "attested" => {
            let mut part = None;
            for arg in list {
                match arg {
                    Arg::Keyword(k, v, at) if k == "part" => part = Some(part_name(v, *at)?),
                    _ => return err(offset, "attested takes only part=\"name\""),
                }
            }
            Ok(Rule::Attested(part))
        }
        "known_or_attested" => {
            let (mut rule, mut part) = (None, None);
            for arg in list {
                match arg {
                    Arg::Positional(n) if rule.is_none() => rule = Some(to_rule(n)?),
                    Arg::Keyword(k, v, at) if k == "part" => part = Some(part_name(v, *at)?),
                    _ => {
                        return err(
                            offset,
                            "known_or_attested takes one condition and optionally part=\"name\"",
                        );
                    }
                }
            }
            match (rule, part) {
                (Some(rule), part) => Ok(Rule::KnownOrAttested {
                    rule: Box::new(rule),
                    part,
                }),
                (None, _) => err(
                    offset,
                    "known_or_attested needs a condition (and part=\"name\" for one of several judgements), e.g. \
                     known_or_attested(treated(class=[glucocorticoid], dose_above=1 \"mg/kg/day\"), part=\"steroid_dose\")",
                ),
            }
        }
        "found" | "evidence" => {
            let parts = positional_rules(list, offset)?;
            if parts.is_empty() {
                return err(offset, format!("'{name}' needs at least one condition"));
            }
            Ok(if name == "found" {
                Rule::Found(parts)
            } else {
                Rule::Evidence(parts)
            })
        }
        "show" => match list {
            [
                Arg::Positional(Node::Call {
                    name,
                    args,
                    offset: at,
                }),
            ] => Ok(Rule::Show(numeric(name, args.as_deref(), *at)?)),
            _ => err(offset, "show takes one numeric fact, e.g. show(crcl)"),
        },
        "together" => {
            let mut filters = Vec::new();
            let mut span_for = None;
            for arg in list {
                match arg {
                    Arg::Positional(n) => match to_rule(n)? {
                        Rule::Treated(f) => filters.push(f),
                        _ => return err(offset, "together takes two treated(...) conditions"),
                    },
                    Arg::Keyword(k, v, at) if k == "for" => span_for = Some(span(v, *at)?),
                    Arg::Keyword(k, _, at) => {
                        return Err(unknown_name(*at, "argument of together", k, &["for"]));
                    }
                }
            }
            match (<[TreatFilter; 2]>::try_from(filters), span_for) {
                (Ok([a, b]), Some(span)) => Ok(Rule::Together { a, b, span }),
                _ => err(
                    offset,
                    "together needs two treated(...) conditions and for=\"6 months\"",
                ),
            }
        }
        "contraception" => match list {
            [Arg::Keyword(k, v, at)] if k == "for" => Ok(Rule::Contraception(span(v, *at)?)),
            _ => err(
                offset,
                "contraception takes for=\"90 days\" (the period asked)",
            ),
        },
        "female" => Ok(Rule::Female),
        "male" => Ok(Rule::Male),
        "all" | "any" | "not" => {
            let parts = positional_rules(list, offset)?;
            if parts.is_empty() {
                return err(offset, format!("'{name}' needs at least one condition"));
            }
            Ok(match name {
                "all" => Rule::All(parts),
                "any" => Rule::Any(parts),
                _ if parts.len() == 1 => Rule::Not(Box::new(
                    parts.into_iter().next().unwrap_or(Rule::Attested(None)),
                )),
                _ => return err(offset, "'not' takes exactly one condition"),
            })
        }
        "at_least" => {
            let Some(Arg::Positional(Node::Number(n, _))) = list.first() else {
                return err(
                    offset,
                    "at_least needs a count first, e.g. at_least(2, a, b, c)",
                );
            };
            let parts = positional_rules(&list[1..], offset)?;
            let n = *n as usize;
            if n == 0 || n > parts.len() {
                return err(
                    offset,
                    format!(
                        "at_least({n}, ...) needs between 1 and {} conditions",
                        parts.len()
                    ),
                );
            }
            Ok(Rule::AtLeast(n, parts))
        }
        "diagnosis" => {
            let (code, kws) = head_name(name, list, offset)?;
            let (key, codes) = match vocab::diagnosis_group(&code) {
                Some(mask) => (
                    Key {
                        name: code.clone(),
                        id: u8::MAX,
                    },
                    mask,
                ),
                None => {
                    let mut known = vocab::DIAGNOSES.to_vec();
                    known.extend(vocab::DIAGNOSIS_GROUPS.iter().map(|(g, _)| *g));
                    let k = Key::new(&code, &known, "diagnosis code", offset)?;
                    let mask = 1u32 << k.id;
                    (k, mask)
                }
            };
            let mut f = DiagnosisFilter {
                code: key,
                codes,
                ..Default::default()
            };
            for (k, v, at) in kws {
                match k.as_str() {
                    "criteria" => f.criteria = strings(&v, at)?,
                    "for" => f.for_at_least = Some(span(&v, at)?),
                    "tags" => f.tags = strings(&v, at)?,
                    _ => {
                        return Err(unknown_name(
                            at,
                            "argument of diagnosis",
                            &k,
                            &["criteria", "for", "tags"],
                        ));
                    }
                }
            }
            Ok(Rule::Diagnosis(f))
        }
        "treated" => Ok(Rule::Treated(treat_filter(list, offset)?)),
        "has" => {
            let (category, kws) = head_name(name, list, offset)?;
            let mut f = ConditionFilter {
                category: Key::new(&category, vocab::CATEGORIES, "condition category", offset)?,
                ..Default::default()
            };
            for (k, v, at) in kws {
                match k.as_str() {
                    "status" => f.status = checked_words(&v, at, "status", vocab::STATUSES)?,
                    "status_not" => {
                        f.status_not = checked_words(&v, at, "status", vocab::STATUSES)?
                    }
                    "tags" => f.tags = strings(&v, at)?,
                    "tags_not" => f.tags_not = strings(&v, at)?,
                    "severity" => {
                        f.severity = checked_words(&v, at, "severity", vocab::SEVERITIES)?
                    }
                    "within" => f.within = Some(span(&v, at)?),
                    "near" => {
                        let code = strings(&v, at)?.into_iter().next().unwrap_or_default();
                        let mask = match vocab::diagnosis_group(&code) {
                            Some(m) => m,
                            None => {
                                1u32 << Key::new(&code, vocab::DIAGNOSES, "diagnosis code", at)?.id
                            }
                        };
                        f.near = Some((code, mask));
                    }
                    _ => {
                        return Err(unknown_name(
                            at,
                            "argument of has",
                            &k,
                            &[
                                "status",
                                "status_not",
                                "tags",
                                "tags_not",
                                "severity",
                                "within",
                                "near",
                            ],
                        ));
                    }
                }
            }
            if f.near.is_some() && f.within.is_none() {
                return err(
                    offset,
                    "near=... needs within=\"...\" (how far from the diagnosis)",
                );
            }
            Ok(Rule::Has(f))
        }
        "allergic" => {
            let mut f = AllergyFilter::default();
            for arg in list {
                let Arg::Keyword(k, v, at) = arg else {
                    return err(offset, "allergic takes only to=[..] and severity=[..]");
                };
                match k.as_str() {
                    "to" => {
                        f.to = strings(v, *at)?
                            .into_iter()
                            .map(|s| s.to_lowercase())
                            .collect()
                    }
                    "severity" => {
                        f.severity = checked_words(v, *at, "severity", vocab::SEVERITIES)?
                    }
                    _ => {
                        return Err(unknown_name(
                            *at,
                            "argument of allergic",
                            k,
                            &["to", "severity"],
                        ));
                    }
                }
            }
            Ok(Rule::Allergic(f))
        }
        "positive" | "negative" => {
            let (lab, kws) = head_name(name, list, offset)?;
            if !vocab::is_lab(&lab) {
                return Err(unknown_name(offset, "lab", &lab, vocab::QUALITATIVE_LABS));
            }
            let mut within = None;
            for (k, v, at) in kws {
                match k.as_str() {
                    "within" => within = Some(span(&v, at)?),
                    _ => return Err(unknown_name(at, "argument", &k, &["within"])),
                }
            }
            Ok(Rule::LabResult {
                lab: Key::new(&lab, vocab::LABS, "lab", offset)?,
                positive: name == "positive",
                within,
            })
        }
        "trial_treatment" => {
            let mut within = None;
            for arg in list {
                match arg {
                    Arg::Keyword(k, v, at) if k == "within" => within = Some(span(v, *at)?),
                    _ => return err(offset, "trial_treatment takes only within=\"...\""),
                }
            }
            Ok(Rule::TrialTreatment(within))
        }
        other => {
            if NUMERIC_NAMES.contains(&other) {
                return err(
                    offset,
                    format!("'{other}' is a number: compare it, e.g. {other} >= 1"),
                );
            }
            let mut known = BOOLEAN_NAMES.to_vec();
            known.extend(FLAGS.iter().map(|(n, _)| *n));
            Err(unknown_name(offset, "condition", other, &known))
        }
    }
}

fn positional_rules(list: &[Arg], offset: usize) -> Result<Vec<Rule>, SyntaxError> {
    list.iter()
        .map(|a| match a {
            Arg::Positional(n) => to_rule(n),
            Arg::Keyword(k, _, at) => err(*at, format!("unexpected '{k}=' here")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            if e.offset == 0 {
                SyntaxError { offset, ..e }
            } else {
                e
            }
        })
}

type Keywords = Vec<(String, Value, usize)>;

/// Splits `f(name, k=v, ...)` into the leading name and the keyword arguments.
fn head_name(func: &str, list: &[Arg], offset: usize) -> Result<(String, Keywords), SyntaxError> {
    let Some(Arg::Positional(Node::Call {
        name, args: None, ..
    })) = list.first()
    else {
        return err(
            offset,
            format!("'{func}' needs a name first, e.g. {func}(something, ...)"),
        );
    };
    let mut kws = Vec::new();
    for a in &list[1..] {
        match a {
            Arg::Keyword(k, v, at) => kws.push((k.clone(), v.clone(), *at)),
            Arg::Positional(_) => {
                return err(
                    offset,
                    format!("'{func}' takes one name, then key=value arguments"),
                );
            }
        }
    }
    Ok((name.clone(), kws))
}

const TREAT_KEYWORDS: &[&str] = &[
    "class",
    "drug",
    "outcome",
    "route",
    "within",
    "washout",
    "current",
    "before_lab",
    "min_duration",
    "longer_than",
    "dose_above",
    "dose_at_least",
    "dose_below",
    "dose_at_most",
];

/// `dose_above=1 "mg/kg/day"`: a limit on the daily dose, per kg of body weight or not.
fn dose_limit(key: &str, v: &Value, at: usize) -> Result<DoseLimit, SyntaxError> {
    let Value::Number(n, Some(unit)) = v else {
        return err(
            at,
            format!("{key} takes a number and a unit, e.g. {key}=1 \"mg/kg/day\""),
        );
    };
    let (value, per_kg) = match unit.as_str() {
        "mg/day" | "mg/d" => (*n, false),
        "mg/kg/day" | "mg/kg/d" => (*n, true),
        other => {
            return err(
                at,
                format!("dose unit '{other}' is not recognised (mg/day or mg/kg/day)"),
            );
        }
    };
    let op = match key {
        "dose_above" => Op::Gt,
        "dose_at_least" => Op::Ge,
        "dose_below" => Op::Lt,
        _ => Op::Le,
    };
    Ok(DoseLimit {
        op,
        value,
        per_kg,
        shown: format!("{} {} {unit}", op.symbol(), fmt_num(*n)),
    })
}

/// A judgement's part name: lower-case letters, digits and underscores.
fn part_name(v: &Value, at: usize) -> Result<String, SyntaxError> {
    match v {
        Value::Text(s) | Value::Name(s)
            if !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            Ok(s.clone())
        }
        _ => err(
            at,
            "part takes a name of lower-case letters, digits and underscores, e.g. part=\"activity\"",
        ),
    }
}

fn treat_filter(list: &[Arg], offset: usize) -> Result<TreatFilter, SyntaxError> {
    let mut f = TreatFilter::default();
    for arg in list {
        let Arg::Keyword(k, v, at) = arg else {
            return err(
                offset,
                format!(
                    "treated takes key=value arguments: {}",
                    TREAT_KEYWORDS.join(", ")
                ),
            );
        };
        let at = *at;
        match k.as_str() {
            "class" => {
                f.classes = checked_words(v, at, "treatment class", vocab::CLASSES)?;
                f.class_mask = vocab::class_mask(&f.classes);
            }
            "drug" => {
                f.drugs = strings(v, at)?
                    .into_iter()
                    .map(|s| s.to_lowercase())
                    .collect();
                for d in &f.drugs {
                    let name = vocab::rule_drug(d).map_err(|m| SyntaxError {
                        offset: at,
                        message: m,
                    })?;
                    if let Some(i) = vocab::DRUGS.iter().position(|(n, _)| *n == name) {
                        f.drug_mask |= 1 << i;
                    }
                }
            }
            "outcome" => {
                f.outcomes = checked_words(v, at, "treatment outcome", vocab::OUTCOMES)?;
                f.outcome_mask = f
                    .outcomes
                    .iter()
                    .filter_map(|o| vocab::index(vocab::OUTCOMES, o))
                    .fold(0, |m, i| m | (1 << i));
            }
            "route" => {
                f.routes = strings(v, at)?
                    .into_iter()
                    .map(|s| s.to_lowercase())
                    .collect()
            }
            "within" => f.within = Some(span(v, at)?),
            "washout" => f.washout = Some(span(v, at)?),
            "current" => match v {
                Value::Bool(b) => f.current = *b,
                _ => return err(at, "current takes true or false"),
            },
            "before_lab" => {
                let lab = strings(v, at)?.into_iter().next().unwrap_or_default();
                f.before_lab = Some(Key::new(&lab, vocab::LABS, "lab", at)?);
            }
            "min_duration" => f.min_duration = Some(span(v, at)?),
            "longer_than" => f.longer_than = Some(span(v, at)?),
            "dose_above" | "dose_at_least" | "dose_below" | "dose_at_most" => {
                f.dose = Some(dose_limit(k, v, at)?)
            }
            _ => {
                return Err(unknown_name(at, "argument of treated", k, TREAT_KEYWORDS));
            }
        }
    }
    Ok(f)
}

fn strings(v: &Value, at: usize) -> Result<Vec<String>, SyntaxError> {
    match v {
        Value::Text(s) | Value::Name(s) => Ok(vec![s.clone()]),
        Value::List(items) => items
            .iter()
            .map(|i| match i {
                Value::Text(s) | Value::Name(s) => Ok(s.clone()),
                _ => err(at, "expected a list of names or \"strings\""),
            })
            .collect(),
        _ => err(at, "expected a name, a \"string\" or a list of them"),
    }
}

fn checked_words(
    v: &Value,
    at: usize,
    what: &str,
    known: &[&str],
) -> Result<Vec<String>, SyntaxError> {
    let words = strings(v, at)?;
    for w in &words {
        if !known.contains(&w.as_str()) {
            return Err(unknown_name(at, what, w, known));
        }
    }
    Ok(words)
}

fn span(v: &Value, at: usize) -> Result<Span, SyntaxError> {
    match v {
        Value::Name(n) if n == "screening" => Ok(Span {
            n: 0,
            unit: SpanUnit::Days,
            screening: true,
        }),
        Value::Text(s) => parse_span(s).ok_or_else(|| SyntaxError {
            offset: at,
            message: format!(
                "'{s}' is not a duration like \"3 months\", \"2 weeks\" or \"7 days\""
            ),
        }),
        _ => err(
            at,
            "expected a duration string like \"3 months\", or screening (the trial's screening window)",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_thresholds_are_converted_to_canonical_units() {
        let r = compile(r#"lab(hemoglobin) >= 6 "g/dL""#).unwrap();
        let Rule::Compare {
            threshold, shown, ..
        } = r
        else {
            panic!()
        };
        assert!((threshold - 60.0).abs() < 1e-9);
        assert_eq!(shown, "≥ 6 g/dL");
    }

    #[test]
    fn unknown_names_get_suggestions() {
        let e = compile("has(malignency)").unwrap_err();
        assert!(
            e.message.contains("did you mean 'malignancy'"),
            "{}",
            e.message
        );
        let e = compile("lab(hemoglobin) >= 60").unwrap_err();
        assert!(e.message.contains("needs a unit"), "{}", e.message);
        let e = compile(r#"lab(hemoglobin) >= 60 "furlongs""#).unwrap_err();
        assert!(e.message.contains("not recognised"), "{}", e.message);
        assert!(compile("treated(within=\"3 fortnights\")").is_err());
        assert!(compile("agee >= 3").is_err());
    }

    #[test]
    fn spans_count_back_calendar_months() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        let s = parse_span("1 month").unwrap();
        assert_eq!(s.before(d), NaiveDate::from_ymd_opt(2026, 2, 28).unwrap());
        assert_eq!(
            parse_span("2 weeks").unwrap().before(d),
            NaiveDate::from_ymd_opt(2026, 3, 17).unwrap()
        );
        assert_eq!(
            parse_span("1 years").unwrap().before(d),
            NaiveDate::from_ymd_opt(2025, 3, 31).unwrap()
        );
        assert!(parse_span("three months").is_none());
    }
}
