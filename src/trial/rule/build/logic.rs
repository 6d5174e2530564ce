//! Builders of the rules that combine others (`all`, `any`, `not`, `at_least`, `found`,
//! `evidence`) and of the clinician's judgements (`attested`, `known_or_attested`).

use super::{list, positional_rules, to_rule};
use crate::trial::rule::{Call, Rule, err};
use crate::trial::syntax::{Arg, Node, SyntaxError, Value};

/// `all`, `any`, `not`, `found` and `evidence`: conditions combined.
pub(in crate::trial::rule) fn combination(
    Call { name, args, offset }: Call,
) -> Result<Rule, SyntaxError> {
    let parts = positional_rules(list(args), offset)?;
    if parts.is_empty() {
        return err(offset, format!("'{name}' needs at least one condition"));
    }
    Ok(match name {
        "all" => Rule::All(parts),
        "any" => Rule::Any(parts),
        "found" => Rule::Found(parts),
        "evidence" => Rule::Evidence(parts),
        _ if parts.len() == 1 => Rule::Not(Box::new(
            parts.into_iter().next().unwrap_or(Rule::Attested(None)),
        )),
        _ => return err(offset, "'not' takes exactly one condition"),
    })
}

pub(in crate::trial::rule) fn at_least(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let list = list(args);
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

pub(in crate::trial::rule) fn attested(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let mut part = None;
    for arg in list(args) {
        match arg {
            Arg::Keyword(k, v, at) if k == "part" => part = Some(part_name(v, *at)?),
            _ => return err(offset, "attested takes only part=\"name\""),
        }
    }
    Ok(Rule::Attested(part))
}

pub(in crate::trial::rule) fn known_or_attested(
    Call { args, offset, .. }: Call,
) -> Result<Rule, SyntaxError> {
    let (mut rule, mut part) = (None, None);
    for arg in list(args) {
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
