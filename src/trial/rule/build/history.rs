//! Builders of the rules about the patient's history: diagnoses, conditions (`has`),
//! allergies, clinical-trial treatment, and contraception agreed after the last study dose.

use super::{checked_words, head_name, list, lower_strings, span, strings};
use crate::trial::rule::{
    AllergyFilter, Call, ConditionFilter, DiagnosisFilter, Key, Rule, err, unknown_name,
};
use crate::trial::syntax::{Arg, SyntaxError};
use crate::vocab;

pub(in crate::trial::rule) fn diagnosis(
    Call { name, args, offset }: Call,
) -> Result<Rule, SyntaxError> {
    let (code, kws) = head_name(name, list(args), offset)?;
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

const HAS_KEYWORDS: &[&str] = &[
    "status",
    "status_not",
    "tags",
    "tags_not",
    "severity",
    "within",
    "near",
];

pub(in crate::trial::rule) fn has(Call { name, args, offset }: Call) -> Result<Rule, SyntaxError> {
    let (category, kws) = head_name(name, list(args), offset)?;
    let mut f = ConditionFilter {
        category: Key::new(&category, vocab::CATEGORIES, "condition category", offset)?,
        ..Default::default()
    };
    for (k, v, at) in kws {
        match k.as_str() {
            "status" => f.status = checked_words(&v, at, "status", vocab::STATUSES)?,
            "status_not" => f.status_not = checked_words(&v, at, "status", vocab::STATUSES)?,
            "tags" => f.tags = strings(&v, at)?,
            "tags_not" => f.tags_not = strings(&v, at)?,
            "severity" => f.severity = checked_words(&v, at, "severity", vocab::SEVERITIES)?,
            "within" => f.within = Some(span(&v, at)?),
            "near" => {
                let code = strings(&v, at)?.into_iter().next().unwrap_or_default();
                let mask = match vocab::diagnosis_group(&code) {
                    Some(m) => m,
                    None => 1u32 << Key::new(&code, vocab::DIAGNOSES, "diagnosis code", at)?.id,
                };
                f.near = Some((code, mask));
            }
            _ => return Err(unknown_name(at, "argument of has", &k, HAS_KEYWORDS)),
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

pub(in crate::trial::rule) fn allergic(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let mut f = AllergyFilter::default();
    for arg in list(args) {
        let Arg::Keyword(k, v, at) = arg else {
            return err(offset, "allergic takes only to=[..] and severity=[..]");
        };
        match k.as_str() {
            "to" => f.to = lower_strings(v, *at)?,
            "severity" => f.severity = checked_words(v, *at, "severity", vocab::SEVERITIES)?,
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

pub(in crate::trial::rule) fn trial_treatment(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let mut within = None;
    for arg in list(args) {
        match arg {
            Arg::Keyword(k, v, at) if k == "within" => within = Some(span(v, *at)?),
            _ => return err(offset, "trial_treatment takes only within=\"...\""),
        }
    }
    Ok(Rule::TrialTreatment(within))
}

pub(in crate::trial::rule) fn contraception(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    match list(args) {
        [Arg::Keyword(k, v, at)] if k == "for" => Ok(Rule::Contraception(span(v, *at)?)),
        _ => err(
            offset,
            "contraception takes for=\"90 days\" (the period asked)",
        ),
    }
}
