//! Trials: the file format (`model`), the rule language (`syntax` → `rule`), and `load_trial`,
//! which turns one trial file into a compiled [`Trial`] or a list of problems.

pub mod model;
pub mod rule;
pub mod syntax;
pub mod words;

pub use model::*;
pub use rule::Rule;

use crate::problem::Problem;
use crate::problem::line_col;
use std::collections::HashSet;

/// Parses and compiles one trial file. A criterion whose rule does not compile (or whose id or
/// cohort is wrong) is reported and kept as unknown ("rule could not be read"), so a typo
/// never hides the rest and never makes a verdict more permissive.
pub fn load_trial(file: &str, src: &str) -> (Option<Trial>, Vec<Problem>) {
    let mut problems = Vec::new();
    let parsed: TrialFile = match toml::from_str(src) {
        Ok(t) => t,
        Err(e) => {
            problems.push(crate::problem::toml_problem(file, src, &e));
            return (None, problems);
        }
    };
    let screening_window = match &parsed.screening_window {
        None => None,
        Some(w) => match rule::parse_span(w.get_ref()) {
            Some(span) => Some(span),
            None => {
                let (l, cl) = line_col(src, w.span().start);
                problems.push(Problem::at(
                    file,
                    l,
                    cl,
                    format!(
                        "screening_window: '{}' is not a duration like \"28 days\"",
                        w.get_ref()
                    ),
                ));
                None
            }
        },
    };
    let mut cohorts = parsed.cohort.clone();
    for c in &mut cohorts {
        if let Some(text) = &c.disease {
            match rule::compile(text) {
                Ok(r) => c.disease_rule = Some(r),
                Err(e) => {
                    let at = crate::problem::key_line(src, "disease").unwrap_or(0);
                    let (l, cl) = line_col(src, at);
                    problems.push(Problem::at(
                        file,
                        l,
                        cl,
                        format!("cohort {} disease: {}", c.id, e.message),
                    ));
                }
            }
        }
    }
    let cohort_ids: HashSet<&str> = parsed.cohort.iter().map(|c| c.id.as_str()).collect();
    let mut seen = HashSet::new();
    let mut criteria = Vec::new();
    for c in &parsed.criterion {
        let (line, col) = line_col(src, c.rule.span().start);
        // A criterion whose id or cohort is wrong stays, unknown, in every cohort: it must be
        // fixed, and until then no verdict is made more permissive by its absence.
        let mut unreadable = None;
        if !seen.insert(c.id.to_lowercase()) {
            let message = format!("criterion {}: duplicate id", c.id);
            problems.push(Problem::at(file, line, col, message.clone()));
            unreadable = Some(format!("line {line}, column {col}: {message}"));
        }
        let cohort = c.cohort.get_ref();
        let cohort = if cohort == "common" {
            None
        } else if cohort_ids.contains(cohort.as_str()) {
            Some(cohort.clone())
        } else {
            let (l, cl) = line_col(src, c.cohort.span().start);
            let message = format!(
                "criterion {}: cohort '{cohort}' is not declared in a [[cohort]] table",
                c.id
            );
            problems.push(Problem::at(file, l, cl, message.clone()));
            unreadable = Some(format!("line {l}, column {cl}: {message}"));
            None
        };
        // The criterion as written, with the rule it evaluates.
        let criterion = |cohort: Option<String>, rule: Rule| Criterion {
            id: c.id.clone(),
            kind: c.kind,
            cohort,
            text: c.text.clone(),
            rule_text: c.rule.get_ref().clone(),
            rule,
            note: c.note.clone(),
        };
        if let Some(why) = unreadable {
            criteria.push(criterion(cohort, Rule::Unreadable(why)));
            continue;
        }
        let compiled = rule::compile(c.rule.get_ref()).and_then(|mut r| {
            if r.resolve_screening(screening_window) {
                Ok(r)
            } else {
                Err(rule::no_screening_window())
            }
        });
        match compiled {
            Ok(r) => criteria.push(criterion(cohort, r)),
            Err(e) => {
                // The string's opening quote(s) come before the rule text.
                let quote = if src[c.rule.span().start..].starts_with("'''")
                    || src[c.rule.span().start..].starts_with("\"\"\"")
                {
                    3
                } else {
                    1
                };
                let (l, cl) = line_col(src, c.rule.span().start + quote + e.offset);
                problems.push(Problem::at(
                    file,
                    l,
                    cl,
                    format!("criterion {} rule: {}", c.id, e.message),
                ));
                // The criterion stays, unknown: a rule that cannot be read never makes a
                // verdict more permissive by disappearing.
                criteria.push(criterion(
                    cohort,
                    Rule::Unreadable(format!("line {l}, column {cl}: {}", e.message)),
                ));
            }
        }
    }
    if criteria.is_empty() {
        let message = "the trial file has no [[criterion]] tables: every patient would be eligible";
        problems.push(Problem::file(file, message.into()));
        criteria.push(Criterion {
            id: "(none)".into(),
            kind: Kind::Inclusion,
            cohort: None,
            text: "(no criteria in the trial file)".into(),
            rule_text: String::new(),
            rule: Rule::Unreadable(message.into()),
            note: None,
        });
    }
    let meta = parsed.meta();
    let trial = Trial {
        id: parsed.id.get_ref().clone(),
        short_name: parsed.short_name,
        title: parsed.title,
        file: file.to_string(),
        sources: parsed.sources,
        meta,
        sites: parsed.site,
        contacts: parsed.contact,
        external_facts: parsed.external_fact,
        cohorts,
        criteria,
        screening_window,
        signoffs: parsed.signoff,
    };
    crate::problem::cap(file, &mut problems);
    (Some(trial), problems)
}
