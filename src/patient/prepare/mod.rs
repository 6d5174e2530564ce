//! `prepare`: a parsed patient file checked against the vocabulary and physical limits, fact kind
//! by fact kind (one file each), then indexed for evaluation. Every invalid value is reported
//! as a problem at its line and column and dropped, so that it reads as not recorded. The
//! steps run in a fixed order, which is the order the problems are listed in.

mod dates;
mod history;
mod identity;
mod index;
mod labs;
mod measures;
pub mod names;
mod reproductive;
mod treatments;

use super::{Patient, Profile};
use crate::patient::spanned::Spanned;
use crate::problem::{Lines, Problem, did_you_mean, key_pos};
use chrono::NaiveDate;

/// Checks a parsed patient against the vocabulary and physical limits, converts units, and
/// drops every invalid value (so it reads as not recorded), reporting each as a problem.
pub fn prepare(file: &str, src: &str, mut p: Patient, as_of: NaiveDate) -> (Profile, Vec<Problem>) {
    let mut c = Checker {
        file,
        src,
        lines: Lines::new(src),
        problems: Vec::new(),
    };
    identity::normalise_id(&mut c, &mut p);
    names::forgive(&mut p);
    dates::check_dates(&mut c, &mut p, as_of);
    let body = measures::body(&mut c, &p);
    let recorded = measures::recorded(&mut c, &mut p);
    history::scores(&mut c, &mut p);
    history::diagnoses(&mut c, &mut p);
    history::conditions(&mut c, &mut p);
    reproductive::contraception_period(&mut c, &mut p);
    history::allergies(&mut p);
    treatments::check(&mut c, &mut p);
    history::checked_categories(&mut c, &p);
    let labs = labs::lab_facts(&mut c, &mut p);
    let profile = index::profile(file, src, p, labs, body, recorded, as_of);
    crate::problem::cap(file, &mut c.problems);
    (profile, c.problems)
}

/// " (did you mean 'x'?)" for a close known word; else the accepted words, when few enough to
/// read in a message, or where they are listed.
fn accepted(word: &str, known: &[&str]) -> String {
    let hint = did_you_mean(word, known);
    if !hint.is_empty() {
        hint
    } else if known.len() <= 30 {
        format!("; accepted: {}", known.join(", "))
    } else {
        "; the accepted values are listed in docs/rules.md".into()
    }
}

/// Collects the problems of one file, each at its line and column.
pub(super) struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    lines: Lines<'a>,
    problems: Vec<Problem>,
}

impl Checker<'_> {
    fn at<T>(&mut self, span: &Spanned<T>, field: &str, message: String) {
        self.at_offset(span.span().start, field, message);
    }

    fn at_offset(&mut self, offset: usize, field: &str, message: String) {
        let (line, col) = self.lines.line_col(offset);
        self.problems.push(Problem::at(
            self.file,
            line,
            col,
            format!("{field}: {message}"),
        ));
    }

    /// A problem with one field of the table at `span`, placed on that field's line.
    fn at_key<T>(&mut self, span: &Spanned<T>, key: &str, field: &str, message: String) {
        let at = key_pos(self.src, span.span().start, key);
        self.at_offset(at, field, message);
    }

    /// Whether `s` is one of the `known` words; a problem (with a "did you mean") otherwise.
    fn word(&mut self, s: &Spanned<String>, field: &str, known: &[&str]) -> bool {
        if known.contains(&s.get_ref().as_str()) {
            return true;
        }
        let hint = accepted(s.get_ref(), known);
        self.at(s, field, format!("unknown value '{}'{hint}", s.get_ref()));
        false
    }
}
