//! Conformance tables: every criterion of the shipped trial files against cases written from
//! its *source sentence* (tests/conformance/*.toml), each a minimal profile and the expected
//! state with the source phrase it exercises. Fails when a case disagrees (or its reason
//! repeats a clause), and when any criterion lacks a pass, a fail or an unknown case.

use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use trialmatch::eval::{Ctx, eval, truth};
use trialmatch::load::{Source, load_trials, parse_patient};
use trialmatch::rank::State;
use trialmatch::trial::Trial;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    case: Vec<Case>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    criterion: String,
    expect: State,
    source: String,
    why: String,
    #[serde(default)]
    as_of: Option<toml::value::Datetime>,
    patient: String,
    #[serde(default)]
    disputed: Option<String>,
}

fn trials() -> Vec<Trial> {
    let w = load_trials(&Source::default_for("trials"));
    assert!(w.problems.is_empty(), "{:?}", w.problems);
    w.trials
}

fn cases() -> Vec<(String, Case)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        let parsed: File = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
        for c in parsed.case {
            out.push((name.clone().unwrap_or_default(), c));
        }
    }
    out
}

fn date(d: &Option<toml::value::Datetime>) -> NaiveDate {
    d.as_ref()
        .and_then(|d| d.date)
        .and_then(|d| NaiveDate::from_ymd_opt(i32::from(d.year), d.month.into(), d.day.into()))
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(2026, 11, 22).expect("date"))
}

#[test]
fn every_case_matches_its_source_reading() {
    let trials = trials();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() > 500, "only {} cases", all.len());
    for (file, c) in &all {
        let as_of = date(&c.as_of);
        let Some(crit) = trials
            .iter()
            .flat_map(|t| &t.criteria)
            .find(|k| k.id == c.criterion)
        else {
            failures.push(format!("{file}: {} is not a criterion", c.criterion));
            continue;
        };
        let src = format!("id = \"case\"\n{}", c.patient);
        let p = match parse_patient("case.toml", &src, as_of) {
            Ok((p, problems)) if problems.is_empty() => p,
            Ok((_, problems)) => {
                failures.push(format!("{file}: {} ({}): {problems:?}", c.criterion, c.why));
                continue;
            }
            Err(e) => {
                failures.push(format!("{file}: {} ({}): {e:?}", c.criterion, c.why));
                continue;
            }
        };
        let cx = |explain| Ctx {
            patient: &p,
            as_of,
            criterion: &crit.id,
            explain,
        };
        let explained = eval(&crit.rule, &cx(true));
        let fast = truth(&crit.rule, &cx(false));
        if fast != explained.truth {
            failures.push(format!(
                "{file}: {} fast path {fast:?} but explained {:?} ({})",
                c.criterion, explained.truth, c.why
            ));
        }
        let mut seen = BTreeSet::new();
        if let Some(clause) = explained
            .reason
            .split("; ")
            .find(|c| !c.is_empty() && !seen.insert(*c))
        {
            failures.push(format!(
                "{file}: {} reason repeats \"{clause}\": {}",
                c.criterion, explained.reason
            ));
        }
        let got = State::from_truth(crit.kind, explained.truth);
        if got != c.expect {
            failures.push(format!(
                "{file}: {} expected {} got {} — source \"{}\" — {}{} — reason: {}",
                c.criterion,
                c.expect.as_str(),
                got.as_str(),
                c.source,
                c.why,
                c.disputed
                    .as_deref()
                    .map(|d| format!(" [disputed: {d}]"))
                    .unwrap_or_default(),
                explained.reason
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases disagree:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

#[test]
fn every_criterion_has_pass_fail_and_unknown_cases() {
    let trials = trials();
    let mut seen: BTreeMap<&str, BTreeSet<&'static str>> = BTreeMap::new();
    let all = cases();
    for (_, c) in &all {
        if let Some(id) = trials
            .iter()
            .flat_map(|t| &t.criteria)
            .map(|k| k.id.as_str())
            .find(|id| *id == c.criterion)
        {
            seen.entry(id).or_default().insert(c.expect.as_str());
        }
    }
    let mut lacking = Vec::new();
    let mut total = 0;
    for crit in trials.iter().flat_map(|t| &t.criteria) {
        total += 1;
        let states = seen.get(crit.id.as_str()).cloned().unwrap_or_default();
        for s in ["pass", "fail", "unknown"] {
            if !states.contains(s) {
                lacking.push(format!("{} has no {s} case", crit.id));
            }
        }
    }
    assert_eq!(total, 107, "the inventory lists 107 criteria");
    assert!(lacking.is_empty(), "{}", lacking.join("\n"));
}
