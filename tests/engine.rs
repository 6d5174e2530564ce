//! The evaluation engine on small inline profiles: Kleene truth tables, "checked: none" versus
//! "not recorded", derived values with their formulas, unit conversion inside rules, windows,
//! verdicts and ranking.

use chrono::NaiveDate;
use trialmatch::eval::{Ctx, Truth, eval};
use trialmatch::load::parse_patient;
use trialmatch::patient::Profile;
use trialmatch::rank::{Counts, State, Verdict};
use trialmatch::trial::Kind;
use trialmatch::trial::rule::compile;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).expect("date")
}

fn patient(toml: &str) -> Profile {
    let (p, problems) = parse_patient("inline.toml", toml, as_of()).expect("parses");
    assert!(problems.is_empty(), "{problems:?}");
    p
}

fn run(rule: &str, p: &Profile) -> trialmatch::eval::Outcome {
    let r = compile(rule).unwrap_or_else(|e| panic!("{rule}: {e}"));
    let ctx = |explain| Ctx {
        patient: p,
        as_of: as_of(),
        criterion: "X-1",
        explain,
    };
    let explained = eval(&r, &ctx(true));
    let fast = eval(&r, &ctx(false));
    assert_eq!(
        fast.truth, explained.truth,
        "{rule}: fast and explained paths agree"
    );
    assert!(fast.reason.is_empty() && fast.missing.is_empty());
    explained
}

fn truth(rule: &str, p: &Profile) -> Truth {
    run(rule, p).truth
}

const T: Truth = Truth::True;
const F: Truth = Truth::False;
const U: Truth = Truth::Unknown;

#[test]
fn kleene_truth_tables() {
    let all = [T, F, U];
    for a in all {
        assert_eq!(a.negate().negate(), a);
        for b in all {
            let and = a.and(b);
            let or = a.or(b);
            let expect_and = if a == F || b == F {
                F
            } else if a == T && b == T {
                T
            } else {
                U
            };
            let expect_or = if a == T || b == T {
                T
            } else if a == F && b == F {
                F
            } else {
                U
            };
            assert_eq!(and, expect_and, "{a:?} and {b:?}");
            assert_eq!(or, expect_or, "{a:?} or {b:?}");
            // De Morgan holds in Kleene logic.
            assert_eq!(a.and(b).negate(), a.negate().or(b.negate()));
        }
    }
    assert_eq!(U.negate(), U);
}

#[test]
fn rules_follow_the_truth_tables_with_real_facts() {
    // pregnant = true (T), lactating = false (F), planning_pregnancy absent (U).
    let p = patient("id = \"k\"\n[reproductive]\npregnant = true\nlactating = false\n");
    let cases = [
        ("pregnant and lactating", F),
        ("pregnant and planning_pregnancy", U),
        ("lactating and planning_pregnancy", F),
        ("pregnant or planning_pregnancy", T),
        ("lactating or planning_pregnancy", U),
        ("lactating or lactating", F),
        ("not planning_pregnancy", U),
        ("not lactating", T),
        ("at_least(2, pregnant, lactating, planning_pregnancy)", U),
        ("at_least(1, pregnant, lactating, planning_pregnancy)", T),
        ("at_least(2, pregnant, lactating, lactating)", F),
    ];
    for (rule, want) in cases {
        assert_eq!(truth(rule, &p), want, "{rule}");
    }
}

#[test]
fn absent_is_unknown_and_only_checked_none_passes_an_exclusion() {
    let not_recorded = patient("id = \"a\"");
    let o = run("has(cns_disease)", &not_recorded);
    assert_eq!(o.truth, U);
    assert_eq!(o.missing, vec!["history: cns disease".to_string()]);
    assert_eq!(State::from_truth(Kind::Exclusion, o.truth), State::Unknown);

    let checked = patient("id = \"b\"\n[checked]\nconditions = [\"cns_disease\"]\n");
    let o = run("has(cns_disease)", &checked);
    assert_eq!(o.truth, F);
    assert_eq!(State::from_truth(Kind::Exclusion, o.truth), State::Pass);

    let present = patient(
        "id = \"c\"\n[checked]\nconditions = [\"cns_disease\"]\n[[condition]]\ncategory = \"cns_disease\"\nname = \"Epilepsy\"\nstatus = \"controlled\"\n",
    );
    assert_eq!(truth("has(cns_disease)", &present), T);
    assert_eq!(State::from_truth(Kind::Exclusion, T), State::Fail);
    assert_eq!(State::from_truth(Kind::Inclusion, T), State::Pass);
    assert_eq!(State::from_truth(Kind::Inclusion, F), State::Fail);
}

#[test]
fn treatments_windows_and_completeness() {
    let base = "id = \"t\"\n[[treatment]]\ndrug = \"rituximab\"\nstart = 2026-10-01\nend = 2026-11-05\noutcome = \"no_response\"\n";
    let p = patient(base);
    // Catalogue supplies the class when the file gives none.
    assert_eq!(
        truth("treated(class=[b_cell_targeted], within=\"1 month\")", &p),
        T
    );
    assert_eq!(
        truth("treated(class=[b_cell_targeted], within=\"7 days\")", &p),
        U
    );
    let complete = patient(&format!("{base}[checked]\ntreatments = true\n"));
    assert_eq!(
        truth(
            "treated(class=[b_cell_targeted], within=\"7 days\")",
            &complete
        ),
        F
    );
    assert_eq!(truth("treated(class=[tsDMARD])", &complete), F);
    // Counting: a lower bound until the history is complete.
    assert_eq!(truth("count_treated(class=[bDMARD]) >= 1", &p), T);
    assert_eq!(truth("count_treated(class=[bDMARD]) >= 2", &p), U);
    assert_eq!(truth("count_treated(class=[bDMARD]) >= 2", &complete), F);
    assert_eq!(truth("count_treated(class=[bDMARD]) <= 3", &p), U);
    assert_eq!(truth("count_treated(class=[bDMARD]) <= 3", &complete), T);
    // Minimum duration: 2026-10-01 to 2026-11-05 is over one month, under two.
    assert_eq!(
        truth("treated(drug=[rituximab], min_duration=\"1 month\")", &p),
        T
    );
    assert_eq!(
        truth(
            "treated(drug=[rituximab], min_duration=\"2 months\")",
            &complete
        ),
        F
    );
}

#[test]
fn diagnosis_duration_is_measured_from_the_as_of_date() {
    let p = patient(
        "id = \"d\"\n[[diagnosis]]\ncode = \"ra\"\ndiagnosed = 2026-08-22\ncriteria = [\"ACR/EULAR 2010\"]\n",
    );
    assert_eq!(truth("diagnosis(ra, for=\"3 months\")", &p), T);
    assert_eq!(truth("diagnosis(ra, for=\"6 months\")", &p), F);
    assert_eq!(truth("diagnosis(ra, criteria=[\"ACR/EULAR 2010\"])", &p), T);
    assert_eq!(truth("diagnosis(ra, criteria=[\"ENMC 2020\"])", &p), F);
    // Not listed and the list is not marked complete: unknown.
    assert_eq!(truth("diagnosis(sle)", &p), U);
    let o = run("diagnosis(ra, for=\"3 months\")", &p);
    assert!(o.reason.contains("diagnosed 2026-08-22"), "{}", o.reason);
}

#[test]
fn derived_values_show_their_formula_and_name_missing_inputs() {
    // Female, 50 y, 60 kg, creatinine 0.8 mg/dL: (140-50)*60*0.85/(72*0.8) = 79.69 mL/min.
    let p = patient(
        "id = \"g\"\ndob = 1976-11-22\nsex = \"female\"\nweight = { value = 60, unit = \"kg\" }\n[[lab]]\nname = \"creatinine\"\nvalue = 0.8\nunit = \"mg/dL\"\ndate = 2026-11-01\n",
    );
    let o = run("crcl >= 60 \"mL/min\"", &p);
    assert_eq!(o.truth, T);
    assert!(
        o.reason
            .contains("CrCl 80 mL/min = (140 − 50) × 60 kg × 0.85 / (72 × 0.8 mg/dL)"),
        "{}",
        o.reason
    );
    assert_eq!(truth("crcl >= 80 \"mL/min\"", &p), F);
    // The same creatinine in µmol/L gives the same answer.
    let q = patient(
        "id = \"h\"\ndob = 1976-11-22\nsex = \"female\"\nweight = { value = 132.277, unit = \"lb\" }\n[[lab]]\nname = \"creatinine\"\nvalue = 70.736\nunit = \"µmol/L\"\n",
    );
    assert_eq!(
        truth("crcl >= 79.5 \"mL/min\" and crcl <= 79.9 \"mL/min\"", &q),
        T
    );
    // Missing weight: unknown, naming the input.
    let r = patient(
        "id = \"i\"\ndob = 1976-11-22\nsex = \"female\"\n[[lab]]\nname = \"creatinine\"\nvalue = 0.8\nunit = \"mg/dL\"\n",
    );
    let o = run("crcl >= 60 \"mL/min\"", &r);
    assert_eq!(o.truth, U);
    assert_eq!(o.missing, vec!["weight".to_string()]);
    // CKD-EPI 2021 for this adult: 142 × (0.8/0.7)^−1.2 × 0.9938^50 × 1.012 = 89.6
    let o = run(
        "egfr >= 89 \"mL/min/1.73m2\" and egfr < 90 \"mL/min/1.73m2\"",
        &p,
    );
    assert_eq!(o.truth, T, "{}", o.reason);
    assert!(o.reason.contains("CKD-EPI 2021"));
}

#[test]
fn child_egfr_uses_bedside_schwartz() {
    // 8 y, 125 cm, creatinine 35.4 µmol/L = 0.4004 mg/dL: 0.413 × 125 / 0.4004 = 128.9
    let p = patient(
        "id = \"c\"\ndob = 2018-01-10\nsex = \"male\"\nheight = { value = 125, unit = \"cm\" }\n[[lab]]\nname = \"creatinine\"\nvalue = 35.4\nunit = \"umol/L\"\n",
    );
    let o = run(
        "egfr >= 128 \"mL/min/1.73m2\" and egfr <= 130 \"mL/min/1.73m2\"",
        &p,
    );
    assert_eq!(o.truth, T, "{}", o.reason);
    assert!(o.reason.contains("bedside Schwartz"));
    let no_height = patient(
        "id = \"c\"\ndob = 2018-01-10\n[[lab]]\nname = \"creatinine\"\nvalue = 35.4\nunit = \"umol/L\"\n",
    );
    assert_eq!(
        run("egfr >= 30 \"mL/min/1.73m2\"", &no_height).missing,
        vec!["height".to_string()]
    );
}

#[test]
fn lab_units_are_converted_and_uln_multiples_computed() {
    let p = patient(
        "id = \"l\"\n[[lab]]\nname = \"hemoglobin\"\nvalue = 6.5\nunit = \"g/dL\"\n[[lab]]\nname = \"neutrophils\"\nvalue = 950\nunit = \"/µL\"\n[[lab]]\nname = \"alt\"\nvalue = 120\nunit = \"U/L\"\nuln = 40\n",
    );
    assert_eq!(truth("lab(hemoglobin) >= 60 \"g/L\"", &p), T);
    assert_eq!(truth("lab(hemoglobin) >= 66 \"g/L\"", &p), F);
    assert_eq!(truth("lab(neutrophils) >= 1 \"10^9/L\"", &p), F);
    assert_eq!(truth("lab(neutrophils) >= 0.95 \"10^9/L\"", &p), T);
    assert_eq!(truth("xuln(alt) <= 3", &p), T);
    assert_eq!(truth("xuln(alt) < 3", &p), F);
    assert_eq!(truth("xuln(ast) <= 3", &p), U);
}

#[test]
fn latest_result_wins_and_windows_apply_to_qualitative_labs() {
    let p = patient(
        "id = \"q\"\n[[lab]]\nname = \"serum_hcg\"\nresult = \"positive\"\ndate = 2026-09-01\n[[lab]]\nname = \"serum_hcg\"\nresult = \"negative\"\ndate = 2026-11-20\n",
    );
    assert_eq!(truth("negative(serum_hcg)", &p), T);
    assert_eq!(truth("negative(serum_hcg, within=\"7 days\")", &p), T);
    let o = run("negative(serum_hcg, within=\"1 day\")", &p);
    assert_eq!(o.truth, U);
    assert!(
        o.reason
            .contains("latest serum_hcg result, from 2026-11-20, is outside the window"),
        "{}",
        o.reason
    );
    assert_eq!(o.missing, vec!["serum_hcg result within 1 day".to_string()]);
}

#[test]
fn attestation_is_the_only_way_judgement_resolves() {
    let none = patient("id = \"n\"");
    let o = run("attested", &none);
    assert_eq!(o.truth, U);
    assert_eq!(o.missing, vec!["clinician attestation for X-1".to_string()]);
    let yes = patient(
        "id = \"y\"\n[[attestation]]\ncriterion = \"X-1\"\nmet = true\nby = \"Dr Test\"\ndate = 2026-11-01\n",
    );
    let o = run("attested", &yes);
    assert_eq!(o.truth, T);
    assert!(o.reason.contains("Dr Test on 2026-11-01"));
    let other = patient(
        "id = \"o\"\n[[attestation]]\ncriterion = \"X-2\"\nmet = true\nby = \"Dr Test\"\ndate = 2026-11-01\n",
    );
    assert_eq!(truth("attested", &other), U);
}

#[test]
fn verdicts_and_scores() {
    let c = |pass, fail, unknown| Counts {
        pass,
        fail,
        unknown,
    };
    assert_eq!(c(5, 0, 0).verdict(), Verdict::Eligible);
    assert_eq!(c(4, 0, 1).verdict(), Verdict::Possible);
    assert_eq!(c(4, 1, 0).verdict(), Verdict::Ineligible);
    assert_eq!(c(0, 1, 4).verdict(), Verdict::Ineligible);
    assert!((c(3, 0, 1).score() - 75.0).abs() < 1e-9);
    assert!(Verdict::Eligible < Verdict::Possible && Verdict::Possible < Verdict::Ineligible);
}

#[test]
fn an_unconvertible_unit_leaves_the_criterion_unknown_with_the_reason() {
    let text = "id = \"u\"\n[[lab]]\nname = \"hemoglobin\"\nvalue = 7.1\nunit = \"mmol/L\"\ndate = 2026-11-01\n";
    let (p, problems) = parse_patient("u.toml", text, as_of()).expect("parses");
    assert_eq!(problems.len(), 1, "the unit is reported as a problem");
    let o = run("lab(hemoglobin) >= 60 \"g/L\"", &p);
    assert_eq!(o.truth, U, "never pass or fail on an unconverted value");
    assert!(
        o.reason.contains("unit 'mmol/L' not recognised"),
        "{}",
        o.reason
    );
    assert_eq!(
        o.missing,
        vec!["hemoglobin in a recognised unit".to_string()]
    );
}

/// A patient file with one value written at a field path such as "cardiac.lvef".
fn with_field(field: &str, value: &str) -> String {
    let (table, key) = field.split_once('.').expect("table.key");
    format!("id = \"f\"\n[{table}]\n{key} = {value}\n")
}

/// The guard against the silent unknown: every recorded number of the table is read from the
/// field its row names — a rule naming it passes, fails, and reads unknown (with the label as
/// the missing fact) when the field is absent or impossible, the value reported as a problem.
#[test]
fn every_recorded_number_is_read_from_its_field() {
    use trialmatch::patient::recorded::RECORDED;
    for fact in RECORDED {
        let (lo, hi) = fact.range;
        let mid = ((lo + hi) / 2.0).floor();
        let p = patient(&with_field(fact.field, &mid.to_string()));
        let name = fact.name;
        assert_eq!(truth(&format!("{name} >= {mid}"), &p), T, "{name}");
        assert_eq!(truth(&format!("{name} > {mid}"), &p), F, "{name}");
        let shown = run(&format!("{name} >= {mid}"), &p).reason;
        assert!(shown.starts_with(fact.label), "{name}: {shown}");
        let absent = run(&format!("{name} >= {mid}"), &patient("id = \"a\"\n"));
        assert_eq!(absent.truth, U, "{name}");
        assert_eq!(absent.missing, vec![fact.label.to_string()], "{name}");
        let text = with_field(fact.field, &(hi + 1.0).to_string());
        let (bad, problems) = parse_patient("bad.toml", &text, as_of()).expect("parses");
        assert_eq!(problems.len(), 1, "{name}: {problems:?}");
        assert!(
            problems[0]
                .message
                .starts_with(&format!("{}: ", fact.field)),
            "{}",
            problems[0].message
        );
        assert_eq!(truth(&format!("{name} >= {lo}"), &bad), U, "{name}");
    }
}

/// As above for the flags: each is read from the field its row names.
#[test]
fn every_flag_is_read_from_its_field() {
    use trialmatch::patient::recorded::FLAGS;
    for flag in FLAGS {
        let name = flag.name;
        assert_eq!(truth(name, &patient(&with_field(flag.field, "true"))), T);
        assert_eq!(truth(name, &patient(&with_field(flag.field, "false"))), F);
        let absent = run(name, &patient("id = \"a\"\n"));
        assert_eq!(absent.truth, U, "{name}");
        assert_eq!(absent.missing, vec![name.replace('_', " ")], "{name}");
    }
}
