//! Builds the typed rule from its syntax tree: each name and keyword argument checked against
//! the vocabulary, with the error (and a "did you mean") at the place it was written.

use super::*;
use crate::text::fmt_num;

pub(super) const BOOLEAN_NAMES: &[&str] = &[
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

pub(super) const NUMERIC_NAMES: &[&str] = &[
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

pub(super) fn to_rule(node: &Node) -> Result<Rule, SyntaxError> {
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

pub(super) fn compare(
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

pub(super) fn numeric(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Num, SyntaxError> {
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
pub(super) type WithinMethods = (Option<Span>, Vec<String>);

/// `f(name, within="...")` (and, when `extra` names it, `method=[..]`): the name, the window
/// and the methods.
pub(super) fn name_within(
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

pub(super) fn single_name(
    func: &str,
    args: Option<&[Arg]>,
    offset: usize,
) -> Result<String, SyntaxError> {
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

pub(super) fn call(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Rule, SyntaxError> {
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

pub(super) fn positional_rules(list: &[Arg], offset: usize) -> Result<Vec<Rule>, SyntaxError> {
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

pub(super) type Keywords = Vec<(String, Value, usize)>;

/// Splits `f(name, k=v, ...)` into the leading name and the keyword arguments.
pub(super) fn head_name(
    func: &str,
    list: &[Arg],
    offset: usize,
) -> Result<(String, Keywords), SyntaxError> {
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

pub(super) const TREAT_KEYWORDS: &[&str] = &[
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
pub(super) fn dose_limit(key: &str, v: &Value, at: usize) -> Result<DoseLimit, SyntaxError> {
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
pub(super) fn part_name(v: &Value, at: usize) -> Result<String, SyntaxError> {
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

pub(super) fn treat_filter(list: &[Arg], offset: usize) -> Result<TreatFilter, SyntaxError> {
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

pub(super) fn strings(v: &Value, at: usize) -> Result<Vec<String>, SyntaxError> {
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

pub(super) fn checked_words(
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

pub(super) fn span(v: &Value, at: usize) -> Result<Span, SyntaxError> {
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
