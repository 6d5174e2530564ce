//! The facts missing for one patient, each with the criteria and studies it blocks, ordered by
//! how many study verdicts it could change, so the coordinator knows what to ask for first.

use crate::rank::{State, TrialMatch, Verdict};
use crate::trial::Trial;

/// One missing fact and what it blocks.
#[derive(Debug, Clone, PartialEq)]
pub struct MissingFact {
    pub fact: String,
    /// (trial index, cohort, criterion id) of every unknown criterion that names this fact.
    pub blocks: Vec<(usize, Option<String>, String)>,
    /// Studies whose verdict could change once the fact is known: those where it blocks a
    /// criterion of a cohort with no failing criterion (that cohort is "possible").
    pub decisive_for: Vec<usize>,
}

impl MissingFact {
    /// Whether the fact only concerns studies or cohorts already ruled out: knowing it changes
    /// no verdict (the missing-data screen folds these away).
    pub fn only_ruled_out(&self) -> bool {
        self.decisive_for.is_empty()
    }
}

/// Every missing fact for a patient's matches, most decisive first, then most criteria blocked.
pub fn missing_facts(trials: &[Trial], matches: &[TrialMatch]) -> Vec<MissingFact> {
    let mut out: Vec<MissingFact> = Vec::new();
    for m in matches {
        for cohort in &m.cohorts {
            let open = cohort.verdict() == Verdict::Possible;
            for r in cohort.results.iter().filter(|r| r.state == State::Unknown) {
                let cid = trials[m.trial].criteria[r.index].id.clone();
                for fact in &r.missing {
                    let i = match out.iter().position(|f| &f.fact == fact) {
                        Some(i) => i,
                        None => {
                            out.push(MissingFact {
                                fact: fact.clone(),
                                blocks: Vec::new(),
                                decisive_for: Vec::new(),
                            });
                            out.len() - 1
                        }
                    };
                    let f = &mut out[i];
                    let entry = (m.trial, cohort.cohort.clone(), cid.clone());
                    // Common criteria appear in every cohort: list each once per study.
                    if !f.blocks.iter().any(|(t, _, c)| *t == m.trial && *c == cid) {
                        f.blocks.push(entry);
                    }
                    if open && !f.decisive_for.contains(&m.trial) {
                        f.decisive_for.push(m.trial);
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| {
        b.decisive_for
            .len()
            .cmp(&a.decisive_for.len())
            .then(b.blocks.len().cmp(&a.blocks.len()))
            .then(a.fact.cmp(&b.fact))
    });
    out
}
