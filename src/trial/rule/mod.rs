//! The typed rule tree a criterion evaluates, compiled once from the rule text at load time so
//! that evaluation never re-parses or looks names up.

use crate::trial::syntax::{Arg, Node, Op, SyntaxError, Value, parse};
use crate::units::Dimension;
use crate::vocab;

mod build;

use build::*;

pub use crate::span::{Span, SpanUnit, parse_span};

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
    /// A rule that could not be read from its trial file (the message says why): always
    /// unknown, so the criterion stays listed and never passes or fails.
    Unreadable(String),
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

    /// The judgements the rule asks a clinician for: `None` for an unnamed `attested`,
    /// `Some(part)` for each named part.
    pub fn judgements(&self) -> Vec<Option<&str>> {
        let mut out = Vec::new();
        self.visit(&mut |r| match r {
            Rule::Attested(part) | Rule::KnownOrAttested { part, .. } => out.push(part.as_deref()),
            _ => {}
        });
        out
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
    let hint = crate::problem::did_you_mean(name, known);
    SyntaxError {
        offset,
        message: format!("unknown {what} '{name}'{hint}"),
    }
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
}
