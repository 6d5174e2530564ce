//! Synthetic patient profiles for load and performance testing: realistic, plainly fictional,
//! deterministic for a seed, varied across every study's diagnoses and cohorts (ages 3-80),
//! with a realistic share of facts left unrecorded so every path of the engine is exercised.

use crate::trial::{Kind, Trial};
use chrono::{Days, NaiveDate};
use std::fmt::Write as _;

/// SplitMix64: a tiny, well-known generator whose output never changes between versions, so a
/// seed always yields the same files.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// Uniform in `lo..=hi`, rounded to `step`.
    pub fn range(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let u = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        ((lo + u * (hi - lo)) / step).round() * step
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Diagnoses the generator draws from: code, name, criteria, (min age, max age).
const DISEASES: &[(&str, &str, &str, (u64, u64))] = &[
    ("ra", "Rheumatoid arthritis", "ACR/EULAR 2010", (18, 80)),
    ("asys", "Antisynthetase syndrome", "ENMC 2020", (18, 80)),
    ("sle", "Systemic lupus erythematosus", "ACR 1997", (18, 70)),
    (
        "sle",
        "Systemic lupus erythematosus (childhood onset)",
        "EULAR/ACR 2019",
        (5, 17),
    ),
    (
        "pss",
        "Primary Sjögren's syndrome",
        "ACR/EULAR 2016",
        (18, 80),
    ),
    ("ssc", "Systemic sclerosis", "ACR/EULAR 2013", (18, 75)),
    (
        "iim",
        "Idiopathic inflammatory myopathy",
        "EULAR/ACR 2017",
        (18, 75),
    ),
    (
        "srns",
        "Steroid-resistant nephrotic syndrome",
        "KDIGO 2021",
        (3, 17),
    ),
    ("igan", "IgA nephropathy", "", (5, 17)),
];

/// Drugs drawn for treatment histories (classes from the built-in catalogue, or none at all
/// for a share of entries, so the catalogue path is exercised too).
const DRUGS: &[&str] = &[
    "methotrexate",
    "leflunomide",
    "hydroxychloroquine",
    "prednisone",
    "mycophenolate mofetil",
    "cyclophosphamide",
    "tacrolimus",
    "adalimumab",
    "tocilizumab",
    "rituximab",
    "belimumab",
    "tofacitinib",
    "enalapril",
];

const OUTCOMES: &[&str] = &["no_response", "lost_response", "intolerance", "response"];

const CONDITIONS: &[(&str, &str, &str)] = &[
    ("malignancy", "Basal cell carcinoma", "cured"),
    ("malignancy", "Breast carcinoma", "active"),
    ("infection", "Urinary tract infection", "resolved"),
    ("infection", "Pneumonia", "active"),
    ("heart_failure", "Heart failure", "controlled"),
    ("cns_disease", "Epilepsy", "controlled"),
    ("herpes_infection", "Herpes zoster", "resolved"),
    (
        "interstitial_lung_disease",
        "Interstitial lung disease",
        "active",
    ),
    ("gilbert_syndrome", "Gilbert syndrome", "active"),
];

/// Categories a generated "checked" list may name.
const CHECKABLE: &[&str] = &[
    "bone_marrow_failure",
    "infection",
    "heart_failure",
    "unstable_angina",
    "angina",
    "myocardial_infarction",
    "arrhythmia",
    "heart_disease",
    "cns_disease",
    "malignancy",
    "bleeding_disorder",
    "immunodeficiency",
    "herpes_infection",
    "varicella_zoster",
    "skin_disease",
    "cirrhosis",
    "end_stage_renal_failure",
    "mental_illness",
    "cognitive_impairment",
    "macrophage_activation_syndrome",
    "secondary_igan_cause",
];

/// A generated lab: (name, low, high, unit, ULN, high end for a fully worked-up, fit candidate).
type LabSpec = (&'static str, f64, f64, &'static str, Option<f64>, f64);

fn days_before(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_sub_days(Days::new(n)).unwrap_or(d)
}

/// The text of synthetic patient number `n` (ids `G000001`...), as of `as_of`.
pub fn patient(rng: &mut Rng, n: usize, as_of: NaiveDate, judgement: &[(&str, Kind)]) -> String {
    let mut s = String::with_capacity(4096);
    let (code, dname, criteria, (lo, hi)) = *rng.pick(DISEASES);
    let age = lo + rng.below(hi - lo + 1);
    let dob = days_before(as_of, age * 365 + rng.below(360) + age / 4);
    let female = rng.chance(if code == "sle" || code == "pss" {
        0.85
    } else {
        0.6
    });
    let child = age < 18;
    let _ = writeln!(
        s,
        "# Synthetic patient generated by `trialmatch generate`; not a real person."
    );
    let _ = writeln!(s, "id = \"G{n:06}\"");
    let _ = writeln!(s, "name = \"Synthetic Patient {n:06}\"");
    // A third of referrals arrive fully worked up; the rest miss facts here and there.
    let complete = rng.chance(0.35);
    let miss = if complete { 0.01 } else { 0.15 };
    if !rng.chance(0.03) {
        let _ = writeln!(s, "dob = {dob}");
    }
    if !rng.chance(0.03) {
        let _ = writeln!(s, "sex = \"{}\"", if female { "female" } else { "male" });
    }
    let weight = if child {
        rng.range(12.0, 60.0, 0.5)
    } else {
        rng.range(42.0, 110.0, 0.5)
    };
    if !rng.chance(miss) {
        if rng.chance(0.1) {
            let _ = writeln!(
                s,
                "weight = {{ value = {:.1}, unit = \"lb\" }}",
                weight / 0.453_592_37
            );
        } else {
            let _ = writeln!(s, "weight = {{ value = {weight:.1}, unit = \"kg\" }}");
        }
    }
    if !rng.chance(miss) {
        let h = if child {
            90.0 + age as f64 * 5.5
        } else {
            rng.range(150.0, 190.0, 1.0)
        };
        let _ = writeln!(s, "height = {{ value = {h:.0}, unit = \"cm\" }}");
    }
    let _ = writeln!(
        s,
        "\n[referral]\nclinician = \"Dr Synthetic Referrer\"\nreceived = {}",
        days_before(as_of, rng.below(30))
    );

    let diagnosed = days_before(as_of, 60 + rng.below(365 * if child { 3 } else { 12 }));
    let _ = writeln!(s, "\n[[diagnosis]]\ncode = \"{code}\"\nname = \"{dname}\"");
    if !rng.chance(miss) {
        let _ = writeln!(s, "diagnosed = {diagnosed}");
    }
    if !criteria.is_empty() && !rng.chance(miss) {
        let _ = writeln!(s, "criteria = [\"{criteria}\"]");
    }
    let mut tags = Vec::new();
    if code == "srns" {
        tags.push("biopsy_confirmed");
        tags.push(if rng.chance(0.5) { "fsgs" } else { "mcd" });
    }
    if code == "igan" {
        tags.push("biopsy_confirmed");
    }
    if code == "iim" && rng.chance(0.7) {
        tags.push("muscle_involvement");
    }
    if !tags.is_empty() {
        let _ = writeln!(
            s,
            "tags = [{}]",
            tags.iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if code == "asys" && rng.chance(0.5) {
        let _ = writeln!(
            s,
            "\n[[diagnosis]]\ncode = \"iim\"\ndiagnosed = {diagnosed}\ncriteria = [\"EULAR/ACR 2017\"]"
        );
    }

    let score_names: &[(&str, f64, f64)] = match code {
        "ra" => &[
            ("das28_esr", 2.0, 7.5),
            ("cdai", 5.0, 45.0),
            ("sjc66", 0.0, 20.0),
            ("tjc68", 0.0, 24.0),
        ],
        "sle" => &[
            ("sledai2k", 2.0, 20.0),
            ("bilag_a", 0.0, 2.0),
            ("bilag_b", 0.0, 4.0),
        ],
        "pss" => &[("essdai", 1.0, 20.0)],
        "ssc" => &[("mrss", 5.0, 40.0), ("mrss_change_pct", -5.0, 30.0)],
        "iim" | "asys" => &[("mmt8", 90.0, 150.0), ("phga", 0.0, 8.0), ("haq", 0.0, 2.5)],
        _ => &[],
    };
    for (name, lo, hi) in score_names {
        if !rng.chance(miss) {
            let step = if *hi <= 8.0 { 0.1 } else { 1.0 };
            let _ = writeln!(
                s,
                "\n[[score]]\nname = \"{name}\"\nvalue = {:.1}\ndate = {}",
                rng.range(*lo, *hi, step),
                days_before(as_of, rng.below(40))
            );
        }
    }

    let labs: &[LabSpec] = &[
        ("creatinine", 0.3, 1.8, "mg/dL", None, 0.9),
        ("alt", 8.0, 150.0, "U/L", Some(40.0), 40.0),
        ("ast", 8.0, 140.0, "U/L", Some(40.0), 40.0),
        ("tbil", 3.0, 40.0, "µmol/L", Some(21.0), 20.0),
        ("wbc", 1.5, 12.0, "10^9/L", None, 9.0),
        ("neutrophils", 0.5, 9.0, "10^9/L", None, 6.0),
        ("hemoglobin", 55.0, 160.0, "g/L", None, 150.0),
        ("inr", 0.8, 1.8, "ratio", Some(1.2), 1.1),
        ("pt", 10.0, 20.0, "s", Some(13.5), 13.0),
        ("crp", 0.5, 60.0, "mg/L", None, 60.0),
        ("esr", 2.0, 90.0, "mm/h", None, 90.0),
        ("ck", 40.0, 3000.0, "U/L", Some(200.0), 3000.0),
        ("upcr", 0.1, 4.0, "mg/mg", None, 4.0),
    ];
    for (name, lo, hi, unit, uln, fit_hi) in labs {
        if rng.chance(miss) {
            continue;
        }
        // Fit candidates' counts sit in the upper half of the range, others anywhere.
        let (lo, hi) = match (complete, *name) {
            (true, "wbc" | "neutrophils" | "hemoglobin") => ((lo + fit_hi) / 2.0, *fit_hi),
            (true, _) => (*lo, *fit_hi),
            _ => (*lo, *hi),
        };
        let mut v = rng.range(lo, hi, 0.01);
        let mut unit = *unit;
        // Exercise the unit conversions.
        if *name == "creatinine" && rng.chance(0.5) {
            v = (v * 88.42 * 10.0).round() / 10.0;
            unit = "µmol/L";
        } else if *name == "hemoglobin" && rng.chance(0.3) {
            v = (v / 10.0 * 100.0).round() / 100.0;
            unit = "g/dL";
        } else if *name == "neutrophils" && rng.chance(0.3) {
            v = (v * 1000.0).round();
            unit = "/µL";
        }
        let _ = write!(
            s,
            "\n[[lab]]\nname = \"{name}\"\nvalue = {v}\nunit = \"{unit}\"\n"
        );
        if let Some(u) = uln {
            let _ = writeln!(s, "uln = {u}");
        }
        let _ = writeln!(s, "date = {}", days_before(as_of, rng.below(60)));
    }
    for name in [
        "hbsag",
        "hcv_ab",
        "hiv_ab",
        "syphilis",
        "myositis_antibody",
        "anti_dsdna",
    ] {
        if !rng.chance(miss * 2.0) {
            let pos = rng.chance(
                if name == "myositis_antibody" && (code == "iim" || code == "asys") {
                    0.8
                } else {
                    0.05
                },
            );
            let _ = writeln!(
                s,
                "\n[[lab]]\nname = \"{name}\"\nresult = \"{}\"\ndate = {}",
                if pos { "positive" } else { "negative" },
                days_before(as_of, rng.below(90))
            );
        }
    }
    if code == "sle" && !rng.chance(miss) {
        let _ = writeln!(
            s,
            "\n[[lab]]\nname = \"ana\"\nresult = \"positive\"\ntitre = \"1:{}\"\nmethod = \"IIF\"",
            rng.pick(&[40, 80, 160, 320, 640])
        );
    }
    if female && !child && !rng.chance(miss) {
        let _ = writeln!(
            s,
            "\n[[lab]]\nname = \"serum_hcg\"\nresult = \"{}\"\ndate = {}",
            if rng.chance(0.03) {
                "positive"
            } else {
                "negative"
            },
            days_before(as_of, rng.below(14))
        );
    }

    if !rng.chance(miss) {
        let lvef = rng.range(if complete { 55.0 } else { 35.0 }, 70.0, 1.0);
        let _ = write!(s, "\n[cardiac]\nlvef = {lvef:.0}\n");
        if !rng.chance(miss) {
            let _ = writeln!(s, "echo_structure_normal = {}", rng.chance(0.9));
        }
        if !rng.chance(miss) {
            let _ = writeln!(s, "ecg_normal = {}", rng.chance(0.9));
        }
        if !rng.chance(miss) {
            let _ = writeln!(s, "nyha = {}", 1 + rng.below(4).min(rng.below(4)));
        }
        if !rng.chance(miss) {
            let _ = writeln!(s, "hemodynamically_stable = {}", rng.chance(0.95));
        }
        if code == "igan" && !rng.chance(miss) {
            let _ = writeln!(s, "uncontrolled_bp = {}", rng.chance(0.15));
        }
    }
    let _ = writeln!(s, "\n[status]");
    if !rng.chance(miss) {
        let _ = writeln!(s, "ecog = {}", rng.below(4).min(rng.below(4)));
    }
    if !rng.chance(miss) {
        let _ = writeln!(
            s,
            "spo2 = {:.0}",
            rng.range(if complete { 94.0 } else { 88.0 }, 100.0, 1.0)
        );
    }
    if !rng.chance(miss) {
        let _ = writeln!(
            s,
            "estimated_survival_weeks = {:.0}",
            rng.range(8.0, 1000.0, 1.0)
        );
    }
    if !rng.chance(miss) {
        let _ = writeln!(s, "consent_signed = {}", rng.chance(0.8));
    }
    if code == "ra" && !rng.chance(miss) {
        let _ = writeln!(s, "acr_functional_class = {}", 1 + rng.below(4));
    }
    if female && !rng.chance(miss) {
        let cbp = !child && age < 50;
        let _ = write!(s, "\n[reproductive]\nchildbearing_potential = {cbp}\n");
        let _ = writeln!(
            s,
            "pregnant = {}\nlactating = {}",
            cbp && rng.chance(0.04),
            cbp && rng.chance(0.03)
        );
        if !rng.chance(miss) {
            let _ = writeln!(
                s,
                "planning_pregnancy = {}\ncontraception_agreed = {}",
                cbp && rng.chance(0.05),
                rng.chance(0.85)
            );
        }
    }

    for _ in 0..rng.below(6) {
        let drug = *rng.pick(DRUGS);
        let start = days_before(as_of, 30 + rng.below(365 * 6));
        let _ = write!(s, "\n[[treatment]]\ndrug = \"{drug}\"\nstart = {start}\n");
        if rng.chance(0.5) {
            let classes: Vec<String> = crate::vocab::drug_classes(drug)
                .iter()
                .map(|c| format!("\"{c}\""))
                .collect();
            let _ = writeln!(s, "classes = [{}]", classes.join(", "));
        }
        if rng.chance(0.6) {
            let len = 14 + rng.below((as_of - start).num_days().max(15) as u64 - 14);
            let _ = writeln!(
                s,
                "end = {}",
                start
                    .checked_add_days(Days::new(len))
                    .unwrap_or(start)
                    .min(as_of)
            );
        }
        if !rng.chance(miss) {
            let _ = writeln!(s, "outcome = \"{}\"", rng.pick(OUTCOMES));
        }
        if drug == "prednisone" && rng.chance(0.8) {
            let _ = writeln!(s, "route = \"oral\"");
        }
    }
    let conditions = if complete {
        0
    } else {
        rng.below(3).saturating_sub(1)
    };
    for _ in 0..conditions {
        let (cat, name, status) = *rng.pick(CONDITIONS);
        let onset = days_before(as_of, 10 + rng.below(365 * 8));
        let _ = write!(
            s,
            "\n[[condition]]\ncategory = \"{cat}\"\nname = \"{name}\"\nonset = {onset}\n"
        );
        if !rng.chance(miss) {
            let _ = writeln!(s, "status = \"{status}\"");
        }
        if cat == "malignancy" && name.contains("Basal") {
            let _ = writeln!(s, "tags = [\"skin\", \"non_melanoma\"]");
        }
    }
    if rng.chance(0.1) {
        let _ = writeln!(
            s,
            "\n[[allergy]]\nsubstance = \"{}\"\nseverity = \"{}\"",
            rng.pick(&["penicillin", "sulfonamides", "cyclophosphamide"]),
            rng.pick(&["mild", "moderate", "severe"])
        );
    }
    if rng.chance(0.05) {
        let _ = writeln!(
            s,
            "\n[[trial_participation]]\ntrial = \"an earlier study\"\nlast_treatment = {}",
            days_before(as_of, rng.below(400))
        );
    }
    for (id, kind) in judgement {
        if rng.chance(if complete { 0.95 } else { 0.3 }) {
            // Mostly favourable: an inclusion met, an exclusion's condition absent.
            let favourable = rng.chance(0.9);
            let met = favourable == (*kind == Kind::Inclusion);
            let _ = writeln!(
                s,
                "\n[[attestation]]\ncriterion = \"{id}\"\nmet = {met}\nby = \"Dr Synthetic Investigator\"\ndate = {}",
                days_before(as_of, rng.below(20))
            );
        }
    }
    if !rng.chance(0.2) {
        let _ = write!(
            s,
            "\n[checked]\ndate = {}\ndiagnoses = {}\ntreatments = {}\nallergies = {}\ntrials = {}\nconditions = [",
            days_before(as_of, rng.below(10)),
            rng.chance(0.9),
            rng.chance(0.8),
            rng.chance(0.85),
            rng.chance(0.85)
        );
        let cats: Vec<String> = CHECKABLE
            .iter()
            .filter(|_| rng.chance(0.85))
            .map(|c| format!("\"{c}\""))
            .collect();
        let _ = writeln!(s, "{}]", cats.join(", "));
    }
    s
}

/// Criteria whose rule needs a clinician attestation, for generated attestations.
pub fn judgement_ids(trials: &[Trial]) -> Vec<(&str, Kind)> {
    trials
        .iter()
        .flat_map(|t| t.criteria.iter())
        .filter(|c| c.rule_text.contains("attested"))
        .map(|c| (c.id.as_str(), c.kind))
        .collect()
}

/// Generates `count` patients, calling `write(file name, text)` for each in order.
pub fn generate(
    count: usize,
    seed: u64,
    as_of: NaiveDate,
    trials: &[Trial],
    mut write: impl FnMut(&str, &str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let judgement = judgement_ids(trials);
    let mut rng = Rng::new(seed);
    for n in 1..=count {
        let text = patient(&mut rng, n, as_of, &judgement);
        write(&format!("g{n:06}.toml"), &text)?;
    }
    Ok(())
}

/// Writes `count` patients into `dir` (created owner-only if absent); files are created new,
/// owner-only, and an existing file is never overwritten.
pub fn write_dir(
    dir: &std::path::Path,
    count: usize,
    seed: u64,
    as_of: NaiveDate,
    trials: &[Trial],
) -> std::io::Result<()> {
    use std::io::Write;
    crate::fsutil::create_private_dir(dir)?;
    generate(count, seed, as_of, trials, |name, text| {
        let path = dir.join(name);
        let mut f = crate::fsutil::create_private_file(&path)
            .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        f.write_all(text.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_stable() {
        let mut r = Rng::new(1);
        // Reference values of SplitMix64 seeded with 1.
        assert_eq!(r.next_u64(), 0x910a_2dec_8902_5cc1);
        assert_eq!(r.next_u64(), 0xbeeb_8da1_658e_ec67);
    }
}
