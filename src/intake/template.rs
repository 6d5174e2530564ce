//! `trialmatch patient template`: a patient file to fill in, listing every fact the loaded
//! studies read, grouped as a referral form. The list is not kept by hand: it is what the
//! studies say is missing for a patient of whom nothing is known yet, so a new criterion's
//! facts appear in it by themselves.

use crate::load::parse_patient;
use crate::missing::{MissingFact, missing_facts};
use crate::rank::rank;
use crate::trial::Trial;
use chrono::NaiveDate;
use std::fmt::Write;

/// One part of the form: its heading, which facts belong to it, and how such a fact is
/// written in the file (commented out).
struct Group {
    heading: &'static str,
    takes: fn(&str) -> bool,
    example: &'static str,
}

const GROUPS: &[Group] = &[
    Group {
        heading: "The patient and the referral",
        takes: |f| matches!(f, "date of birth" | "sex" | "weight" | "height"),
        example: "# name = \"...\"\n# dob = 1980-01-31\n# sex = \"female\"                 # female | male\n# weight = { value = 64.0, unit = \"kg\", date = 2026-11-12 }\n# height = { value = 163.0, unit = \"cm\" }\n# [referral]\n# clinician = \"Dr ...\"\n# contact = \"...\"\n# received = 2026-11-20",
    },
    Group {
        heading: "Diagnoses",
        takes: |f| f.ends_with(" diagnosis"),
        example: "# [[diagnosis]]\n# code = \"sle\"                   # vocabulary in docs/rules.md\n# diagnosed = 2015-06-10\n# criteria = [\"ACR 1997\"]          # classification criteria met",
    },
    Group {
        heading: "Laboratory results",
        takes: |f| f.contains(" result") || f.contains(" titre") || f == "serum creatinine",
        example: "# [[lab]]\n# name = \"alt\"\n# value = 28.0\n# unit = \"U/L\"\n# uln = 40.0                       # where a rule reads × ULN\n# date = 2026-11-12\n# [[lab]]                         # a qualitative result\n# name = \"hbsag\"\n# result = \"negative\"\n# date = 2026-11-12",
    },
    Group {
        heading: "Disease activity scores",
        takes: |f| f.ends_with(" score"),
        example: "# [[score]]\n# name = \"sledai2k\"\n# value = 12\n# date = 2026-11-13",
    },
    Group {
        heading: "Heart, general condition and consent",
        takes: |f| {
            matches!(
                f,
                "LVEF"
                    | "NYHA class"
                    | "ACR functional class"
                    | "uncontrolled bp"
                    | "ECOG"
                    | "SpO2"
                    | "ecg normal"
                    | "echo structure normal"
                    | "estimated survival"
                    | "hemodynamically stable"
                    | "consent signed"
                    | "renal replacement"
            )
        },
        example: "# [cardiac]\n# lvef = 60.0\n# nyha = 1\n# ecg_normal = true\n# echo_structure_normal = true\n# uncontrolled_bp = false\n# [status]\n# ecog = 1\n# acr_functional_class = 2\n# spo2 = 98.0\n# consent_signed = true",
    },
    Group {
        heading: "Pregnancy and contraception",
        takes: |f| {
            f.contains("childbearing")
                || f.contains("pregnan")
                || f.contains("contraception")
                || f == "lactating"
        },
        example: "# [reproductive]\n# childbearing_potential = true\n# pregnant = false\n# lactating = false\n# planning_pregnancy = false\n# contraception_agreed = true\n# contraception_period = \"1 year\"",
    },
    Group {
        heading: "Medical history (each category checked: present, or none)",
        takes: |f| f.starts_with("history: "),
        example: "# [[condition]]\n# category = \"malignancy\"\n# status = \"cured\"\n# onset = 2018-04-01\n# [checked]                       # what was asked about and found absent\n# conditions = [\"cns_disease\", \"heart_failure\"]\n# diagnoses = true                # the diagnosis list is complete\n# treatments = true               # the treatment history is complete\n# allergies = true                # allergies were asked about\n# trials = true                   # no earlier study treatment but those listed\n# date = 2026-11-19",
    },
    Group {
        heading: "Treatments, allergies and earlier studies",
        takes: |f| {
            f.starts_with("treatment history")
                || f.starts_with("complete treatment history")
                || f == "allergy history"
                || f == "prior clinical-trial treatment"
        },
        example: "# [[treatment]]\n# drug = \"methotrexate\"\n# start = 2019-01-15\n# end = 2020-03-01                 # absent = ongoing\n# outcome = \"no_response\"\n# [[allergy]]\n# substance = \"penicillin\"\n# severity = \"mild\"",
    },
    Group {
        heading: "The investigator's judgements",
        takes: |f| f.starts_with("clinician attestation for "),
        example: "# [[attestation]]\n# criterion = \"C-E12\"\n# met = false\n# by = \"Dr ...\"\n# date = 2026-11-19\n# note = \"...\"",
    },
];

/// The template for `trials` as of `as_of` (see the module doc).
pub fn template(trials: &[Trial], as_of: NaiveDate) -> String {
    let facts = match parse_patient("template", "id = \"NEW-ID\"\n", as_of) {
        Ok((p, _)) => missing_facts(trials, &rank(trials, &p, as_of)),
        Err(_) => Vec::new(),
    };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "# A new referral, as a patient file: fill in what the letter and the phone calls \
         say.\n# Every fact the {} studies read is listed below, grouped as a referral form, \
         with the\n# criteria that read it. Leave out what is not known: absent is \"not \
         recorded\", never\n# \"no\". Uncomment and fill the examples; `trialmatch check` \
         reads the result.\n\nid = \"NEW-ID\"",
        trials.len()
    );
    let mut placed = vec![false; facts.len()];
    for g in GROUPS {
        let mut mine: Vec<&MissingFact> = Vec::new();
        for (f, done) in facts.iter().zip(placed.iter_mut()) {
            if !*done && (g.takes)(&f.fact) {
                *done = true;
                mine.push(f);
            }
        }
        write_group(&mut o, g.heading, &mine, trials, g.example);
    }
    let rest: Vec<&MissingFact> = facts
        .iter()
        .zip(&placed)
        .filter(|(_, p)| !**p)
        .map(|(f, _)| f)
        .collect();
    if !rest.is_empty() {
        write_group(&mut o, "Other facts", &rest, trials, "");
    }
    o
}

fn write_group(
    o: &mut String,
    heading: &str,
    facts: &[&MissingFact],
    trials: &[Trial],
    example: &str,
) {
    let _ = writeln!(o, "\n# ── {heading} ──");
    for f in facts {
        let mut ids: Vec<&str> = f.blocks.iter().map(|(_, _, id)| id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        let studies: Vec<&str> = {
            let mut t: Vec<&str> = f
                .blocks
                .iter()
                .filter_map(|(t, _, _)| trials.get(*t).map(|t| t.short_name.as_str()))
                .collect();
            t.sort_unstable();
            t.dedup();
            t
        };
        let _ = writeln!(
            o,
            "#   - {} ({}; {})",
            f.fact,
            ids.join(", "),
            studies.join(", ")
        );
    }
    if !example.is_empty() {
        let _ = writeln!(o, "{example}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_lists_every_fact_once_and_is_a_patient_file() {
        let ws = crate::load::load_trials(&crate::load::Source::Paths(vec!["trials".into()]));
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
        let text = template(&ws.trials, as_of);
        let empty = parse_patient("t", "id = \"NEW-ID\"\n", as_of).map(|(p, _)| p);
        let Ok(empty) = empty else {
            panic!("an empty patient reads");
        };
        let facts = missing_facts(&ws.trials, &rank(&ws.trials, &empty, as_of));
        assert!(facts.len() > 50, "{}", facts.len());
        let listed: Vec<&str> = text
            .lines()
            .filter_map(|l| Some(l.strip_prefix("#   - ")?.rsplit_once(" (")?.0))
            .collect();
        for f in &facts {
            let times = listed.iter().filter(|l| **l == f.fact).count();
            assert_eq!(times, 1, "{}", f.fact);
        }
        assert_eq!(listed.len(), facts.len());
        // Nothing falls outside the referral form's groups.
        assert!(!text.contains("Other facts"), "{text}");
        // Every example, uncommented, is written as a patient file must be.
        let filled: String = text
            .lines()
            .skip_while(|l| !l.starts_with("id = "))
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if !rest.starts_with("──") && !rest.starts_with("  - ") => rest,
                _ => l,
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let read = parse_patient("t", &filled, as_of);
        assert!(
            read.as_ref()
                .is_ok_and(|(p, problems)| problems.is_empty() && p.data.lab.is_empty()),
            "{read:?}\n{filled}"
        );
        // As printed it is a patient file with nothing recorded but the id.
        let read = parse_patient("t", &text, as_of);
        assert!(read.is_ok_and(|(p, problems)| p.id() == "NEW-ID" && problems.is_empty()));
    }
}
