//! Builders of the treatment rules — `treated(...)`, `count_treated(...)` and
//! `together(..., for=...)` — and of the treatment filter they share (classes, drugs,
//! outcomes, routes, windows, durations and dose limits).

use super::{checked_words, list, lower_strings, span, strings, to_rule};
use crate::text::fmt_num;
use crate::trial::rule::{Call, DoseLimit, Key, Num, Rule, TreatFilter, err, unknown_name};
use crate::trial::syntax::{Arg, Op, SyntaxError, Value};
use crate::vocab;

pub(in crate::trial::rule) fn treated(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    Ok(Rule::Treated(treat_filter(list(args), offset)?))
}

pub(in crate::trial::rule) fn count_treated(
    Call { args, offset, .. }: Call,
) -> Result<Num, SyntaxError> {
    Ok(Num::CountTreated(treat_filter(list(args), offset)?))
}

pub(in crate::trial::rule) fn together(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let mut filters = Vec::new();
    let mut span_for = None;
    for arg in list(args) {
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
                f.drugs = lower_strings(v, at)?;
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
            "route" => f.routes = lower_strings(v, at)?,
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
