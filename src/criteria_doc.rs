//! Generates docs/criteria.md from the loaded trial files, so the document a clinician audits
//! can never drift from the rules the engine runs (a test compares the committed copy).

use crate::trial::words::{facts, words};
use crate::trial::{NOT_STATED, Trial};
use std::fmt::Write;

fn or_not_stated(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or(NOT_STATED)
}

/// The whole criteria document as Markdown.
pub fn render(trials: &[Trial]) -> String {
    let mut s = String::new();
    let total: usize = trials.iter().map(|t| t.criteria.len()).sum();
    let _ = writeln!(s, "# Eligibility criteria as encoded\n");
    let _ = writeln!(
        s,
        "Generated from `trials/*.toml` by `trialmatch criteria-doc`; do not edit by hand. \
         {} studies, {total} criteria. Each entry shows the verbatim source text, the rule as \
         written in the trial file, the rule in words, the patient facts it reads and the \
         interpretation note. For an exclusion, the rule describes the excluding condition: the \
         criterion passes when the rule is false. See docs/rules.md for the rule language.\n",
        trials.len()
    );
    for t in trials {
        let _ = writeln!(s, "## {} — {}\n", t.id, t.short_name);
        let _ = writeln!(s, "{}\n", t.title);
        let m = &t.meta;
        let _ = writeln!(s, "- Registry id: {}", or_not_stated(&m.registry_id));
        let _ = writeln!(
            s,
            "- Phase: {}; status: {}",
            or_not_stated(&m.phase),
            or_not_stated(&m.status)
        );
        let _ = writeln!(s, "- Source files: {}", t.sources.join(", "));
        if t.cohorts.is_empty() {
            let _ = writeln!(s, "- Cohorts: one population");
        } else {
            let c: Vec<String> = t
                .cohorts
                .iter()
                .map(|c| format!("{} ({})", c.id, c.name))
                .collect();
            let _ = writeln!(s, "- Cohorts: {}", c.join(", "));
        }
        let _ = writeln!(s);
        for c in &t.criteria {
            let _ = writeln!(
                s,
                "### {} — {} — {}\n",
                c.id,
                c.kind.as_str(),
                c.cohort.as_deref().unwrap_or("common")
            );
            for line in c.text.lines() {
                let _ = writeln!(s, "> {line}");
            }
            let _ = writeln!(s);
            let _ = writeln!(
                s,
                "- Rule: `{}`",
                c.rule_text.split_whitespace().collect::<Vec<_>>().join(" ")
            );
            let _ = writeln!(s, "- In words: {}", words(&c.rule));
            let _ = writeln!(s, "- Reads: {}", facts(&c.rule).join("; "));
            if let Some(n) = &c.note {
                let _ = writeln!(
                    s,
                    "- Note: {}",
                    n.split_whitespace().collect::<Vec<_>>().join(" ")
                );
            }
            let _ = writeln!(s);
        }
    }
    s
}
