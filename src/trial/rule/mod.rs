//! The typed rule tree a criterion evaluates, compiled once from the rule text at load time so
//! that evaluation never re-parses or looks names up.
//!
//! Every word a rule can use has one home: a condition is a row of `CONDITIONS` (its name
//! and builder), a numeric fact a row of `NUMBERS`, and the facts recorded in the patient
//! file (LVEF, pregnant, …) rows of `patient::recorded` (adding one of those touches no file
//! here). **Adding a kind of criterion** touches three files: a variant of [`Rule`] (or
//! [`Num`]) and its row here, the builder a closure in the row (a kind that reads arguments
//! has its builder in `build/`, by what it reads); its evaluation in `eval` (a `leaf_eval`
//! arm, or `numbers::value` and `numbers::evidence` for a number); its words and the facts it
//! reads in `trial/words.rs`. The compiler's exhaustive matches name each place a new kind
//! must go; a kind holding a span also adds it to `walk.rs` (the screening window).

use crate::trial::syntax::{Arg, Op, SyntaxError, parse};
use crate::units::Dimension;
use crate::vocab;

mod build;
mod walk;

pub use crate::patient::recorded::{Flag, Recorded};
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
    /// A number recorded in the patient file (LVEF, SpO2, ECOG, …: `patient::recorded`).
    Recorded(Recorded),
    CountTreated(TreatFilter),
    /// The titre of the latest result measured by one of the methods (any method when the list
    /// is empty), within the window when one is given.
    Titre(Key, Vec<String>, Option<Span>),
}

impl Num {
    /// The dimension a comparison's threshold is converted in (`None`: a plain number).
    pub fn dimension(&self) -> Option<Dimension> {
        match self {
            Num::Lab(_, d, _) => Some(*d),
            Num::Crcl => Some(Dimension::Crcl),
            Num::Egfr => Some(Dimension::Egfr),
            // Listed one by one (not `_`): a new number must say whether it has a unit.
            Num::Age
            | Num::Xuln(_)
            | Num::Score(..)
            | Num::Recorded(_)
            | Num::CountTreated(_)
            | Num::Titre(..) => None,
        }
    }
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

/// A name as a rule writes it, with its arguments (`None` for a bare name) and the offset it
/// was written at.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    pub name: &'a str,
    pub args: Option<&'a [Arg]>,
    pub offset: usize,
}

impl<'a> Call<'a> {
    /// A name that takes no arguments.
    fn bare<T>(self, value: T) -> Result<T, SyntaxError> {
        match self.args {
            Some(_) => err(self.offset, format!("'{}' takes no arguments", self.name)),
            None => Ok(value),
        }
    }
}

/// What the compiler makes of a name: the compiled value or the error.
pub(crate) type Builder<T> = fn(Call) -> Result<T, SyntaxError>;

/// Every condition a rule can name, with its builder, in the order "did you mean" prefers
/// (the flags of `patient::recorded::FLAGS` are conditions too).
pub(crate) const CONDITIONS: &[(&str, Builder<Rule>)] = &[
    ("found", build::logic::combination),
    ("evidence", build::logic::combination),
    ("known_or_attested", build::logic::known_or_attested),
    ("show", build::numbers::show),
    ("together", build::treatments::together),
    ("contraception", build::history::contraception),
    ("all", build::logic::combination),
    ("any", build::logic::combination),
    ("not", build::logic::combination),
    ("at_least", build::logic::at_least),
    ("attested", build::logic::attested),
    ("female", |c| c.bare(Rule::Female)),
    ("male", |c| c.bare(Rule::Male)),
    ("diagnosis", build::history::diagnosis),
    ("treated", build::treatments::treated),
    ("has", build::history::has),
    ("allergic", build::history::allergic),
    ("positive", build::numbers::lab_result),
    ("negative", build::numbers::lab_result),
    ("trial_treatment", build::history::trial_treatment),
];

/// Every numeric fact a rule can compare, with its builder, in the order "did you mean"
/// prefers (the numbers of `patient::recorded::RECORDED` are numeric facts too).
pub(crate) const NUMBERS: &[(&str, Builder<Num>)] = &[
    ("age", |c| c.bare(Num::Age)),
    ("lab", build::numbers::lab),
    ("xuln", build::numbers::xuln),
    ("crcl", |c| c.bare(Num::Crcl)),
    ("egfr", |c| c.bare(Num::Egfr)),
    ("score", build::numbers::score),
    ("count_treated", build::treatments::count_treated),
    ("titre", build::numbers::titre),
];

/// Parses and compiles rule text. Each clinician judgement in one rule must be its own:
/// `attested` at most once, and each `part=` name once (an attestation answers only the
/// judgement it is for).
pub fn compile(src: &str) -> Result<Rule, SyntaxError> {
    let rule = build::to_rule(&parse(src)?)?;
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

/// The pattern of every composite rule (one whose truth is computed from the rules inside it):
/// the one list of them, for [`Rule::is_composite`] and the evaluator's dispatch. Their
/// children are listed beside it, in `walk.rs`.
macro_rules! composite {
    () => {
        $crate::trial::rule::Rule::All(_)
            | $crate::trial::rule::Rule::Any(_)
            | $crate::trial::rule::Rule::Not(_)
            | $crate::trial::rule::Rule::AtLeast(..)
            | $crate::trial::rule::Rule::Found(_)
            | $crate::trial::rule::Rule::Evidence(_)
            | $crate::trial::rule::Rule::KnownOrAttested { .. }
    };
}
pub(crate) use composite;

impl Rule {
    /// Whether the rule combines others (its truth is computed from theirs).
    #[inline(always)]
    pub fn is_composite(&self) -> bool {
        matches!(self, composite!())
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
