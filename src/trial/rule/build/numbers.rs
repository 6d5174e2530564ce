//! Builders of comparisons and of the numeric facts they read (labs, × ULN, titres, scores),
//! with thresholds converted to the fact's canonical unit; and of `show` and lab results
//! read as positive or negative.

use super::{head_name, list, lower_strings, numeric, span};
use crate::text::fmt_num;
use crate::trial::rule::{Call, Key, Num, Rule, Span, err, unknown_name};
use crate::trial::syntax::{Arg, Node, Op, SyntaxError};
use crate::vocab;

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
    let threshold = match (num.dimension(), unit) {
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

/// `show(crcl)`: a numeric fact shown beside a judgement.
pub(in crate::trial::rule) fn show(Call { args, offset, .. }: Call) -> Result<Rule, SyntaxError> {
    match list(args) {
        [
            Arg::Positional(Node::Call {
                name,
                args,
                offset: at,
            }),
        ] => Ok(Rule::Show(numeric(name, args.as_deref(), *at)?)),
        _ => err(offset, "show takes one numeric fact, e.g. show(crcl)"),
    }
}

/// The names of the numeric labs, for "did you mean".
fn numeric_labs() -> Vec<&'static str> {
    vocab::NUMERIC_LABS.iter().map(|(n, _)| *n).collect()
}

pub(in crate::trial::rule) fn lab(Call { name, args, offset }: Call) -> Result<Num, SyntaxError> {
    let (lab, within) = name_within(name, args, offset, &[])?;
    let dim = vocab::lab_dimension(&lab)
        .ok_or_else(|| unknown_name(offset, "numeric lab", &lab, &numeric_labs()))?;
    Ok(Num::Lab(
        Key::new(&lab, vocab::LABS, "lab", offset)?,
        dim,
        within.0,
    ))
}

pub(in crate::trial::rule) fn xuln(Call { name, args, offset }: Call) -> Result<Num, SyntaxError> {
    let lab = single_name(name, args, offset)?;
    if vocab::lab_dimension(&lab).is_none() {
        return Err(unknown_name(offset, "numeric lab", &lab, &numeric_labs()));
    }
    Ok(Num::Xuln(Key::new(&lab, vocab::LABS, "lab", offset)?))
}

pub(in crate::trial::rule) fn titre(Call { name, args, offset }: Call) -> Result<Num, SyntaxError> {
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

pub(in crate::trial::rule) fn score(Call { name, args, offset }: Call) -> Result<Num, SyntaxError> {
    let (sc, within) = name_within(name, args, offset, &[])?;
    Ok(Num::Score(
        Key::new(&sc, vocab::SCORES, "score", offset)?,
        within.0,
    ))
}

/// `positive(lab, within=...)` and `negative(...)`.
pub(in crate::trial::rule) fn lab_result(
    Call { name, args, offset }: Call,
) -> Result<Rule, SyntaxError> {
    let (lab, kws) = head_name(name, list(args), offset)?;
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
            "method" if extra.contains(&"method") => methods = lower_strings(&v, at)?,
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
