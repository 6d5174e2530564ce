//! A compiled rule in plain words, and the list of patient facts it reads, for the criteria
//! document a clinician audits the encoding from.

use crate::trial::rule::{Num, Rule, TreatFilter};

fn list(v: &[String], sep: &str) -> String {
    v.join(sep)
}

fn treat_words(f: &TreatFilter) -> String {
    let mut s = String::from("treated with ");
    let mut what = Vec::new();
    if !f.classes.is_empty() {
        what.push(format!("a {}", list(&f.classes, " or ")));
    }
    if !f.drugs.is_empty() {
        what.push(list(&f.drugs, " or "));
    }
    s.push_str(&if what.is_empty() {
        "anything".into()
    } else {
        what.join(" that is ")
    });
    if !f.outcomes.is_empty() {
        s.push_str(&format!(
            " with outcome {}",
            list(&f.outcomes, " or ").replace('_', " ")
        ));
    }
    if !f.routes.is_empty() {
        s.push_str(&format!(" by route {}", list(&f.routes, " or ")));
    }
    if let Some(d) = &f.dose {
        s.push_str(&format!(
            " at a daily dose {} (glucocorticoids as prednisone equivalents)",
            d.shown
        ));
    }
    if let Some(d) = f.min_duration {
        s.push_str(&format!(" for at least {}", d.text()));
    }
    if let Some(d) = f.longer_than {
        s.push_str(&format!(" for more than {}", d.text()));
    }
    let anchor = f
        .before_lab
        .as_ref()
        .map_or("the as-of date".to_string(), |l| {
            format!("the date of the latest {l} result")
        });
    if let Some(w) = f.within {
        s.push_str(&format!(
            " at any time in the {} before {anchor} (inclusive)",
            w.text()
        ));
    }
    if let Some(w) = f.washout {
        s.push_str(&format!(
            " with the last dose less than {} before {anchor} (washout not complete)",
            w.text()
        ));
    }
    if f.current {
        s.push_str(" on the as-of date (ongoing)");
    }
    s
}

fn window_words(w: &Option<crate::trial::rule::Span>) -> String {
    w.map(|w| format!(" from the last {}", w.text()))
        .unwrap_or_default()
}

fn num_words(n: &Num) -> String {
    match n {
        Num::Age => "age in years".into(),
        Num::Lab(l, _, w) => format!("latest {l}{}", window_words(w)),
        Num::Xuln(l) => format!("latest {l} as a multiple of its ULN"),
        Num::Crcl => "creatinine clearance (Cockcroft-Gault)".into(),
        Num::Egfr => "eGFR (CKD-EPI 2021 from 18 years, bedside Schwartz below)".into(),
        Num::Score(s, w) => format!("latest {s} score{}", window_words(w)),
        Num::Recorded(r) => r.fact().words.into(),
        Num::CountTreated(f) => format!("number of distinct drugs {}", treat_words(f)),
        Num::Titre(l, m, w) => format!(
            "{l} titre (reciprocal){}{}",
            if m.is_empty() {
                String::new()
            } else {
                format!(" measured by {}", m.join(" or "))
            },
            window_words(w)
        ),
    }
}

/// The rule in words.
pub fn words(r: &Rule) -> String {
    let join = |parts: &[Rule], sep: &str| {
        parts
            .iter()
            .map(|p| match p {
                Rule::All(_) | Rule::Any(_) | Rule::AtLeast(..) => format!("({})", words(p)),
                _ => words(p),
            })
            .collect::<Vec<_>>()
            .join(sep)
    };
    match r {
        Rule::All(p) => join(p, " AND "),
        Rule::Any(p) => join(p, " OR "),
        Rule::Not(p) => format!("NOT ({})", words(p)),
        Rule::AtLeast(n, p) => format!("at least {n} of: {}", join(p, "; ")),
        Rule::Attested(None) => "a clinician attests that it is met".into(),
        Rule::Attested(Some(p)) => format!(
            "a clinician attests to the part \"{}\"",
            p.replace('_', " ")
        ),
        Rule::KnownOrAttested { rule, part } => format!(
            "{} (where the record cannot tell: a clinician attests {})",
            words(rule),
            part.as_deref().map_or("it".to_string(), |p| format!(
                "to the part \"{}\"",
                p.replace('_', " ")
            ))
        ),
        Rule::Evidence(p) => format!(
            "the first decisive of: {} (true if any is true, else false if any is false)",
            join(p, "; ")
        ),
        Rule::Found(p) => format!(
            "any record of: {} (a fact not recorded counts as no record)",
            join(p, "; ")
        ),
        Rule::Together { a, b, span } => format!(
            "{} together with {} (courses overlapping) for at least {}",
            treat_words(a),
            treat_words(b),
            span.text()
        ),
        Rule::Contraception(span) => format!(
            "agrees to contraception for at least {} after the last study dose",
            span.text()
        ),
        Rule::Show(n) => format!("(shown for the investigator: {})", num_words(n)),
        Rule::Unreadable(why) => format!("(the rule could not be read: {why}; always unknown)"),
        Rule::Female => "female".into(),
        Rule::Male => "male".into(),
        Rule::Flag(f) => f.name().replace('_', " "),
        Rule::Diagnosis(f) => {
            let mut s = match crate::vocab::DIAGNOSIS_GROUPS
                .iter()
                .find(|(g, _)| *g == f.code.name)
            {
                Some((g, codes)) => format!(
                    "diagnosis {g} ({})",
                    codes
                        .iter()
                        .map(|c| c.to_uppercase())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => format!("diagnosis {}", f.code.to_uppercase()),
            };
            if !f.criteria.is_empty() {
                s.push_str(&format!(" meeting {}", list(&f.criteria, " or ")));
            }
            if let Some(d) = f.for_at_least {
                s.push_str(&format!(
                    ", diagnosed at least {} before the as-of date",
                    d.text()
                ));
            }
            if !f.tags.is_empty() {
                s.push_str(&format!(", with {}", list(&f.tags, ", ").replace('_', " ")));
            }
            s
        }
        Rule::Treated(f) => treat_words(f),
        Rule::Has(f) => {
            let mut s = format!("history of {}", f.category.replace('_', " "));
            if !f.status.is_empty() {
                s.push_str(&format!(" with status {}", list(&f.status, " or ")));
            }
            if !f.status_not.is_empty() {
                s.push_str(&format!(
                    " whose status is not {}",
                    list(&f.status_not, " or ")
                ));
            }
            if !f.tags.is_empty() {
                s.push_str(&format!(" tagged {}", list(&f.tags, " and ")));
            }
            if !f.tags_not.is_empty() {
                s.push_str(&format!(" not tagged {}", list(&f.tags_not, " or ")));
            }
            if !f.severity.is_empty() {
                s.push_str(&format!(" of severity {}", list(&f.severity, " or ")));
            }
            match (&f.within, &f.near) {
                (Some(w), Some((code, _))) => s.push_str(&format!(
                    ", beginning within {} before or after a {code} diagnosis",
                    w.text()
                )),
                (Some(w), None) => {
                    s.push_str(&format!(", present at some time in the last {}", w.text()))
                }
                _ => {}
            }
            s
        }
        Rule::Allergic(f) => {
            let mut s = String::from("allergy");
            if !f.to.is_empty() {
                s.push_str(&format!(" to {}", list(&f.to, " or ")));
            }
            if !f.severity.is_empty() {
                s.push_str(&format!(" of severity {}", list(&f.severity, " or ")));
            }
            s
        }
        Rule::LabResult {
            lab,
            positive,
            within,
        } => {
            let mut s = format!(
                "latest {lab} is {}",
                if *positive { "positive" } else { "negative" }
            );
            if let Some(w) = within {
                s.push_str(&format!(" (result from the last {})", w.text()));
            }
            s
        }
        Rule::TrialTreatment(w) => match w {
            Some(w) => format!("received clinical-trial treatment in the last {}", w.text()),
            None => "received clinical-trial treatment".into(),
        },
        Rule::Compare { num, shown, .. } => format!("{} {shown}", num_words(num)),
    }
}

/// The patient facts a rule reads, without repeats.
pub fn facts(r: &Rule) -> Vec<String> {
    let mut out = Vec::new();
    collect(r, &mut out);
    out
}

fn push(out: &mut Vec<String>, s: impl Into<String>) {
    let s = s.into();
    if !out.contains(&s) {
        out.push(s);
    }
}

fn collect(r: &Rule, out: &mut Vec<String>) {
    match r {
        Rule::All(p) | Rule::Any(p) | Rule::AtLeast(_, p) | Rule::Found(p) | Rule::Evidence(p) => {
            p.iter().for_each(|x| collect(x, out))
        }
        Rule::Not(p) => collect(p, out),
        Rule::KnownOrAttested { rule, part } => {
            collect(rule, out);
            match part {
                Some(part) => push(out, format!("attestation (part {part})")),
                None => push(out, "attestation"),
            }
        }
        Rule::Attested(None) => push(out, "attestation"),
        Rule::Attested(Some(part)) => push(out, format!("attestation (part {part})")),
        Rule::Unreadable(_) => push(out, "nothing (the rule could not be read)"),
        Rule::Together { .. } => push(out, "treatment (drug, classes, dates); checked.treatments"),
        Rule::Contraception(_) => push(
            out,
            "reproductive.contraception_agreed, reproductive.contraception_period",
        ),
        Rule::Show(n) => collect(
            &Rule::Compare {
                num: n.clone(),
                op: crate::trial::syntax::Op::Ge,
                threshold: 0.0,
                shown: String::new(),
            },
            out,
        ),
        Rule::Female | Rule::Male => push(out, "sex"),
        Rule::Flag(f) => push(out, f.name()),
        Rule::Diagnosis(_) => push(
            out,
            "diagnosis (code, criteria, date, tags); checked.diagnoses",
        ),
        Rule::Treated(_) => push(
            out,
            "treatment (drug, classes, dates, outcome); checked.treatments",
        ),
        Rule::Has(f) => push(out, format!("condition {}; checked.conditions", f.category)),
        Rule::Allergic(_) => push(out, "allergy; checked.allergies"),
        Rule::LabResult { lab, .. } => push(out, format!("lab {lab} (result, date)")),
        Rule::TrialTreatment(_) => push(out, "trial_participation; checked.trials"),
        Rule::Compare { num, .. } => match num {
            Num::Age => push(out, "dob"),
            Num::Lab(l, ..) => push(out, format!("lab {l} (value, unit, date)")),
            Num::Xuln(l) => push(out, format!("lab {l} (value, unit, ULN)")),
            Num::Crcl => {
                for f in ["dob", "sex", "weight", "lab creatinine (value, unit, date)"] {
                    push(out, f);
                }
            }
            Num::Egfr => {
                for f in [
                    "dob",
                    "sex",
                    "height (under 18)",
                    "lab creatinine (value, unit, date)",
                ] {
                    push(out, f);
                }
            }
            Num::Score(s, _) => push(out, format!("score {s}")),
            Num::Recorded(r) => push(out, r.fact().field),
            Num::CountTreated(_) => push(
                out,
                "treatment (drug, classes, dates, outcome); checked.treatments",
            ),
            Num::Titre(l, ..) => push(out, format!("lab {l} (titre, method)")),
        },
    }
}
