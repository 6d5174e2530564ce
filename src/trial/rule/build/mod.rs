//! Builds the typed rule from its syntax tree: each name found in the tables of the rule module
//! (`CONDITIONS`, `NUMBERS`) or of `patient::recorded`, each keyword argument checked against
//! the vocabulary, with the error (and a "did you mean") at the place it was written. The
//! builders are grouped by what they read: `logic` (combinations and judgements), `numbers`,
//! `treatments` and `history`.

pub(super) mod history;
pub(super) mod logic;
pub(super) mod numbers;
pub(super) mod treatments;

use super::{
    Builder, CONDITIONS, Call, Flag, NUMBERS, Num, Recorded, Rule, Span, SpanUnit, err,
    unknown_name,
};
use crate::patient::recorded::{FLAGS, RECORDED};
use crate::span::parse_span;
use crate::trial::syntax::{Arg, Node, SyntaxError, Value};

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
        } => numbers::compare(left, *op, *value, unit.as_deref(), *offset),
        Node::Call { name, args, offset } => call(name, args.as_deref(), *offset),
    }
}

/// The names of the numeric facts, in the order "did you mean" prefers.
fn number_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = NUMBERS.iter().map(|(n, _)| *n).collect();
    names.extend(RECORDED.iter().map(|r| r.name));
    names
}

/// The names of the conditions, in the order "did you mean" prefers.
fn condition_names() -> Vec<&'static str> {
    let mut names: Vec<&str> = CONDITIONS.iter().map(|(n, _)| *n).collect();
    names.extend(FLAGS.iter().map(|f| f.name));
    names
}

/// A name read by the recorded fact it names (`fact`, which takes no arguments) or by its row
/// of `table`; `None` when it is neither.
fn build<T>(
    call: Call,
    fact: Option<T>,
    table: &[(&str, Builder<T>)],
) -> Option<Result<T, SyntaxError>> {
    if let Some(v) = fact {
        return Some(call.bare(v));
    }
    let (_, builder) = table.iter().find(|(n, _)| *n == call.name)?;
    Some(builder(call))
}

/// A condition: a flag, or a row of `CONDITIONS`.
fn call(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Rule, SyntaxError> {
    let call = Call { name, args, offset };
    if let Some(rule) = build(call, Flag::named(name).map(Rule::Flag), CONDITIONS) {
        return rule;
    }
    if number_names().contains(&name) {
        return err(
            offset,
            format!("'{name}' is a number: compare it, e.g. {name} >= 1"),
        );
    }
    Err(unknown_name(offset, "condition", name, &condition_names()))
}

/// A numeric fact: a recorded number, or a row of `NUMBERS`.
pub(super) fn numeric(name: &str, args: Option<&[Arg]>, offset: usize) -> Result<Num, SyntaxError> {
    let call = Call { name, args, offset };
    if let Some(num) = build(call, Recorded::named(name).map(Num::Recorded), NUMBERS) {
        return num;
    }
    if condition_names().contains(&name) {
        err(offset, format!("'{name}' is a condition, not a number"))
    } else {
        Err(unknown_name(offset, "numeric fact", name, &number_names()))
    }
}

/// The arguments of a call, none for a bare name.
fn list(args: Option<&[Arg]>) -> &[Arg] {
    args.unwrap_or(&[])
}

/// The positional arguments of a call, each a condition.
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

/// As [`strings`], in lower case.
fn lower_strings(v: &Value, at: usize) -> Result<Vec<String>, SyntaxError> {
    Ok(strings(v, at)?
        .into_iter()
        .map(|s| s.to_lowercase())
        .collect())
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
