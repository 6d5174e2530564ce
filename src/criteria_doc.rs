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
    signoff(&mut s, trials);
    s
}

/// The clinical sign-off list: every judgement call the sources leave open, with the reading
/// encoded, the alternative, and where a site changes it; then the drug words read from the
/// sources, and the site settings.
fn signoff(s: &mut String, trials: &[Trial]) {
    let flat = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(
        s,
        "## Clinical sign-off list
"
    );
    let _ = writeln!(
        s,
        "Judgement calls the source documents leave open. Each needs a clinician's sign-off: \
         the reading encoded now, the alternative, and where in the trial file a site changes \
         it. Generated from the `[[signoff]]` tables of `trials/*.toml`.\n"
    );
    for t in trials {
        for (i, o) in t.signoffs.iter().enumerate() {
            let _ = writeln!(
                s,
                "### {} {} — {}\n",
                t.short_name,
                i + 1,
                o.criteria.join(", ")
            );
            let _ = writeln!(s, "- Question: {}", flat(&o.question));
            let _ = writeln!(s, "- Current reading: {}", flat(&o.reading));
            let _ = writeln!(s, "- Alternative: {}", flat(&o.alternative));
            let _ = writeln!(s, "- Where to change: {}\n", flat(&o.change));
        }
    }
    let _ = writeln!(s, "### Site settings\n");
    for t in trials {
        match t.screening_window {
            Some(w) => {
                let _ = writeln!(
                    s,
                    "- {}: screening window {} before the as-of date (`screening_window`; not \
                     stated in source), read by rules as `within=screening`.",
                    t.short_name,
                    w.text().split(" (").next().unwrap_or_default()
                );
            }
            None => {
                let _ = writeln!(s, "- {}: no screening window set.", t.short_name);
            }
        }
    }
    let _ = writeln!(s, "\n### Drug words read from the sources\n");
    for (word, drug, why) in crate::vocab::SOURCE_READINGS {
        let _ = writeln!(s, "- \"{word}\" is read as {drug}: {why}.");
    }
    for (word, drug) in crate::vocab::DRUG_SPELLINGS {
        let _ = writeln!(s, "- \"{word}\" is a spelling of {drug}.");
    }
    for (word, candidates, why) in crate::vocab::UNCLEAR_DRUGS {
        let _ = writeln!(
            s,
            "- \"{word}\" is unclear ({why}): a patient treated with {} needs an attestation \
             (part {word}).",
            candidates.join(" or ")
        );
    }
}
