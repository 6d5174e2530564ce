//! Pins every sample patient's result for each study (as of 2026-11-22): the ranking order,
//! the best cohort, the verdict, and the criteria that decide it (the failing ones for an
//! ineligible study, the unknown ones for a possible one).

use chrono::NaiveDate;
use std::path::PathBuf;
use trialmatch::load::{Source, load};
use trialmatch::rank::{State, Verdict, rank};

type Row = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Verdict,
    &'static [&'static str],
);

/// Patient, study, best cohort, verdict, deciding criteria; studies in ranked order.
const EXPECTED: &[Row] = &[
    ("P01", "CHEC2024-181", Some("RA"), Verdict::Eligible, &[]),
    ("P01", "NCT06613490", Some("RA"), Verdict::Eligible, &[]),
    (
        "P01",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I10"],
    ),
    ("P01", "KN5501-SLE", None, Verdict::Ineligible, &["S-I2"]),
    ("P02", "CHEC2024-181", Some("IIM"), Verdict::Eligible, &[]),
    ("P02", "NCT06613490", Some("ASyS"), Verdict::Eligible, &[]),
    (
        "P02",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Ineligible,
        &["P-I19", "P-I20"],
    ),
    ("P02", "KN5501-SLE", None, Verdict::Ineligible, &["S-I2"]),
    ("P03", "KN5501-SLE", None, Verdict::Eligible, &[]),
    (
        "P03",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Possible,
        &["P-I4", "P-I9"],
    ),
    (
        "P03",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    (
        "P03",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I11", "C-I13"],
    ),
    (
        "P04",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I8"],
    ),
    ("P04", "KN5501-SLE", None, Verdict::Ineligible, &["S-E10"]),
    (
        "P04",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9", "A-E9"],
    ),
    (
        "P04",
        "CHEC2024-181",
        Some("SSc"),
        Verdict::Ineligible,
        &["C-I9", "C-I14", "C-I16", "C-E11"],
    ),
    ("P05", "NCT06613490", Some("RA"), Verdict::Eligible, &[]),
    (
        "P05",
        "CHEC2024-181",
        Some("RA"),
        Verdict::Ineligible,
        &["C-I1"],
    ),
    (
        "P05",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Ineligible,
        &["P-I4", "P-I19", "P-I20"],
    ),
    (
        "P05",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I1", "S-I2", "S-I8", "S-I9"],
    ),
    (
        "P06",
        "NCT06613490",
        Some("ASyS"),
        Verdict::Ineligible,
        &["A-I4"],
    ),
    (
        "P06",
        "CHEC2024-181",
        Some("IIM"),
        Verdict::Ineligible,
        &["C-I1", "C-I21"],
    ),
    (
        "P06",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Ineligible,
        &["P-I19", "P-I20"],
    ),
    (
        "P06",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I1", "S-I2"],
    ),
    ("P07", "CHEC2024-181", Some("pSS"), Verdict::Eligible, &[]),
    (
        "P07",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I10"],
    ),
    (
        "P07",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    ("P07", "KN5501-SLE", None, Verdict::Ineligible, &["S-I2"]),
    ("P08", "KN5501-SLE", None, Verdict::Eligible, &[]),
    (
        "P08",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I4"],
    ),
    (
        "P08",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    (
        "P08",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I11", "C-I13"],
    ),
    ("P09", "CHEC2024-181", Some("SSc"), Verdict::Eligible, &[]),
    (
        "P09",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I10"],
    ),
    (
        "P09",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    (
        "P09",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I2", "S-E11"],
    ),
    (
        "P10",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-E6"],
    ),
    (
        "P10",
        "CHEC2024-181",
        Some("RA"),
        Verdict::Ineligible,
        &["C-E6", "C-E12"],
    ),
    (
        "P10",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Ineligible,
        &["P-I19", "P-I20"],
    ),
    (
        "P10",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I2", "S-I9", "S-E7"],
    ),
    (
        "P11",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I4"],
    ),
    (
        "P11",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I8", "S-E4", "S-E9"],
    ),
    (
        "P11",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I11", "C-I13", "C-E4"],
    ),
    (
        "P11",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I8", "A-I9", "A-E4", "A-E8"],
    ),
    (
        "P12",
        "CHEC2024-181",
        Some("IIM"),
        Verdict::Ineligible,
        &["C-E2", "C-E8"],
    ),
    (
        "P12",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I10"],
    ),
    (
        "P12",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    (
        "P12",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I2", "S-E11"],
    ),
    (
        "P13",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Possible,
        &[
            "C-I2", "C-I3", "C-I4", "C-I5", "C-I6", "C-I7", "C-I8", "C-I9", "C-I10", "C-I11",
            "C-I13", "C-E1", "C-E2", "C-E3", "C-E4", "C-E5", "C-E6", "C-E7", "C-E8", "C-E9",
            "C-E10", "C-E11", "C-E12", "C-E13", "C-E14",
        ],
    ),
    (
        "P13",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2"],
    ),
    (
        "P13",
        "PAED-CD19-BCMA",
        Some("MDR-SRNS"),
        Verdict::Ineligible,
        &["P-I16", "P-I17"],
    ),
    ("P13", "KN5501-SLE", None, Verdict::Ineligible, &["S-I2"]),
    (
        "P14",
        "PAED-CD19-BCMA",
        Some("MDR-SRNS"),
        Verdict::Eligible,
        &[],
    ),
    (
        "P14",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I4", "A-I9"],
    ),
    (
        "P14",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I1", "C-I11", "C-I13"],
    ),
    (
        "P14",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I1", "S-I2", "S-I9"],
    ),
    (
        "P15",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Eligible,
        &[],
    ),
    (
        "P15",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I1", "C-I11", "C-I13"],
    ),
    (
        "P15",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I4", "A-I9"],
    ),
    (
        "P15",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I1", "S-I2"],
    ),
    ("P16", "PAED-CD19-BCMA", Some("SLE"), Verdict::Eligible, &[]),
    (
        "P16",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I4", "A-I9"],
    ),
    (
        "P16",
        "KN5501-SLE",
        None,
        Verdict::Ineligible,
        &["S-I1", "S-I2"],
    ),
    (
        "P16",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I1", "C-I11", "C-I13"],
    ),
    ("P17", "KN5501-SLE", None, Verdict::Ineligible, &["S-E13"]),
    (
        "P17",
        "PAED-CD19-BCMA",
        Some("SLE"),
        Verdict::Ineligible,
        &["P-I10"],
    ),
    (
        "P17",
        "NCT06613490",
        Some("RA"),
        Verdict::Ineligible,
        &["A-I2", "A-I9"],
    ),
    (
        "P17",
        "CHEC2024-181",
        Some("pSS"),
        Verdict::Ineligible,
        &["C-I11", "C-I13"],
    ),
    (
        "P18",
        "CHEC2024-181",
        Some("RA"),
        Verdict::Possible,
        &["C-I10", "C-I25", "C-E1", "C-E12"],
    ),
    (
        "P18",
        "NCT06613490",
        Some("RA"),
        Verdict::Possible,
        &["A-I1", "A-I2", "A-I6", "A-E1"],
    ),
    (
        "P18",
        "PAED-CD19-BCMA",
        Some("IgAN"),
        Verdict::Ineligible,
        &["P-I19", "P-I20"],
    ),
    ("P18", "KN5501-SLE", None, Verdict::Ineligible, &["S-I2"]),
];

#[test]
fn every_sample_patient_has_its_pinned_verdicts() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![PathBuf::from("sample-patients")]),
        as_of,
    );
    assert!(ws.problems.is_empty(), "{:?}", ws.problems);
    assert!(ws.patients.len() >= 12);
    assert_eq!(
        EXPECTED.len(),
        ws.patients.len() * 4,
        "every patient × four studies is pinned"
    );
    for p in &ws.patients {
        let want: Vec<&Row> = EXPECTED.iter().filter(|r| r.0 == p.id()).collect();
        let got = rank(&ws.trials, p, as_of);
        assert_eq!(got.len(), 4);
        for (m, w) in got.iter().zip(&want) {
            let t = &ws.trials[m.trial];
            let best = m.best();
            assert_eq!(t.id, w.1, "{}: ranked order", p.id());
            assert_eq!(
                best.cohort.as_deref(),
                w.2,
                "{} {}: best cohort",
                p.id(),
                t.id
            );
            assert_eq!(best.verdict(), w.3, "{} {}: verdict", p.id(), t.id);
            let deciding = if w.3 == Verdict::Ineligible {
                State::Fail
            } else {
                State::Unknown
            };
            let ids: Vec<&str> = best
                .results
                .iter()
                .filter(|r| r.state == deciding)
                .map(|r| t.criteria[r.index].id.as_str())
                .collect();
            assert_eq!(ids, w.4.to_vec(), "{} {}: deciding criteria", p.id(), t.id);
        }
    }
}

#[test]
fn the_samples_cover_every_study_and_cohort_and_the_boundaries() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![PathBuf::from("sample-patients")]),
        as_of,
    );
    // Every cohort of every study is some patient's best cohort there.
    for t in &ws.trials {
        for c in t.cohort_ids() {
            assert!(
                EXPECTED.iter().any(|r| r.1 == t.id && r.2 == c),
                "{} cohort {c:?} is nobody's best cohort",
                t.id
            );
        }
        assert!(
            EXPECTED
                .iter()
                .any(|r| r.1 == t.id && r.3 == Verdict::Eligible),
            "{}: no eligible patient",
            t.id
        );
    }
    let ages: Vec<i32> = ws
        .patients
        .iter()
        .filter_map(|p| {
            p.data
                .dob
                .as_ref()
                .map(|d| trialmatch::patient::derive::age_years(d.get_ref().0, as_of))
        })
        .collect();
    for a in [3, 5, 18, 65, 70] {
        assert!(ages.contains(&a), "no patient aged exactly {a}");
    }
    let lvefs: Vec<f64> = ws
        .patients
        .iter()
        .filter_map(|p| {
            p.data
                .cardiac
                .as_ref()
                .and_then(|c| c.lvef.as_ref())
                .map(|v| *v.get_ref())
        })
        .collect();
    for v in [45.0, 50.0, 55.0] {
        assert!(lvefs.contains(&v), "no patient with LVEF {v}");
    }
    assert!(
        ws.patients
            .iter()
            .any(|p| p.data.reproductive.as_ref().and_then(|r| r.pregnant) == Some(true))
    );
    // An adult eligible for two studies.
    let multi = ws.patients.iter().any(|p| {
        EXPECTED
            .iter()
            .filter(|r| r.0 == p.id() && r.3 == Verdict::Eligible)
            .count()
            >= 2
    });
    assert!(multi, "no patient fits more than one study");
}

#[test]
fn fast_screening_agrees_with_explained_results() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 22).expect("date");
    let ws = load(
        &Source::Paths(vec![PathBuf::from("trials")]),
        &Source::Paths(vec![PathBuf::from("sample-patients")]),
        as_of,
    );
    for p in &ws.patients {
        for (i, t) in ws.trials.iter().enumerate() {
            let slow = trialmatch::rank::match_trial_with(i, t, p, as_of, true);
            let fast = trialmatch::rank::match_trial_with(i, t, p, as_of, false);
            for (a, b) in slow.cohorts.iter().zip(&fast.cohorts) {
                assert_eq!(a.cohort, b.cohort, "{} {}: cohort order", p.id(), t.id);
                assert_eq!(a.counts, b.counts, "{} {}", p.id(), t.id);
                assert!(b.results.is_empty(), "the fast path keeps counts only");
                // Explained unknowns always name what is missing.
                for r in &a.results {
                    assert_eq!(
                        r.state == State::Unknown,
                        !r.missing.is_empty(),
                        "{} {}",
                        p.id(),
                        t.criteria[r.index].id
                    );
                }
            }
        }
    }
}
