//! What the FHIR import tests share: minimal hand-written resources (one patient, `p1`, and
//! its conditions, observations, medications and allergies), the import run in memory, and the
//! created file read back as `trialmatch check` reads it. Included by `tests/import*.rs`.
#![allow(dead_code)]

use chrono::NaiveDate;
use serde_json::{Value, json};
use trialmatch::import::{self, Imported, ImportedPatient, write};
use trialmatch::patient::Profile;

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).expect("date")
}

pub const SNOMED: &str = "http://snomed.info/sct";
pub const LOINC: &str = "http://loinc.org";
pub const ICD10: &str = "http://hl7.org/fhir/sid/icd-10-cm";
pub const RXNORM: &str = "http://www.nlm.nih.gov/research/umls/rxnorm";
pub const ATC: &str = "http://www.whocc.no/atc";
pub const UCUM: &str = "http://unitsofmeasure.org";

/// The patient every test resource is about.
pub fn patient() -> Value {
    json!({
        "resourceType": "Patient",
        "id": "p1",
        "identifier": [
            {"system": "urn:oid:1.2.3", "value": "000-11-2222",
             "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "SS"}]}},
            {"system": "urn:oid:1.2.4", "value": "MRN-0001",
             "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]}}
        ],
        "name": [{"use": "official", "given": ["Ada"], "family": "Example"}],
        "birthDate": "1980-04-02",
        "gender": "female"
    })
}

pub fn subject() -> Value {
    json!({"reference": "Patient/p1"})
}

pub fn concept(system: &str, code: &str, display: &str) -> Value {
    json!({"coding": [{"system": system, "code": code, "display": display}]})
}

/// A confirmed, active Condition with one coding.
pub fn condition(system: &str, code: &str, display: &str) -> Value {
    json!({
        "resourceType": "Condition",
        "subject": subject(),
        "code": concept(system, code, display),
        "clinicalStatus": concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
        "verificationStatus": concept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"),
        "onsetDateTime": "2019-03-04"
    })
}

/// A final Observation of a LOINC code dated 2026-11-20 with `value` (a `value[x]` member).
pub fn observation(loinc: &str, value: Value) -> Value {
    let mut o = json!({
        "resourceType": "Observation",
        "status": "final",
        "subject": subject(),
        "code": concept(LOINC, loinc, ""),
        "effectiveDateTime": "2026-11-20T08:30:00+01:00"
    });
    if let (Some(o), Some(v)) = (o.as_object_mut(), value.as_object()) {
        o.extend(v.clone());
    }
    o
}

pub fn quantity(value: f64, ucum: &str) -> Value {
    json!({"valueQuantity": {"value": value, "unit": ucum, "system": UCUM, "code": ucum}})
}

pub fn answer(code: &str) -> Value {
    json!({"valueCodeableConcept": concept(SNOMED, code, "")})
}

/// A MedicationRequest of a medication concept.
pub fn request(medication: Value, status: &str) -> Value {
    json!({
        "resourceType": "MedicationRequest",
        "status": status,
        "intent": "order",
        "subject": subject(),
        "medicationCodeableConcept": medication,
        "authoredOn": "2025-01-15"
    })
}

/// A collection Bundle of `resources` (full URLs `urn:uuid:r<i>`).
pub fn bundle(resources: &[Value]) -> Vec<u8> {
    let entries: Vec<Value> = resources
        .iter()
        .enumerate()
        .map(|(i, r)| json!({"fullUrl": format!("urn:uuid:r{i}"), "resource": r}))
        .collect();
    serde_json::to_vec_pretty(
        &json!({"resourceType": "Bundle", "type": "collection", "entry": entries}),
    )
    .expect("json")
}

/// Resources as NDJSON, one per line.
pub fn ndjson(resources: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    for r in resources {
        out.extend(serde_json::to_vec(r).expect("json"));
        out.push(b'\n');
    }
    out
}

/// Imports the patient and `resources` as one bundle.
pub fn run(resources: &[Value]) -> Imported {
    let mut all = vec![patient()];
    all.extend_from_slice(resources);
    import::import_bytes("test.json", &bundle(&all), false, as_of())
}

/// The one patient imported.
pub fn one(imported: &Imported) -> &ImportedPatient {
    assert_eq!(imported.patients.len(), 1, "{:?}", imported.problems);
    &imported.patients[0]
}

/// The created file's text, after checking it reads back without a problem (as `check`).
pub fn file_text(imported: &Imported) -> String {
    let text = write::render(one(imported), imported);
    let problems = write::check_text("created.toml", &text, imported.as_of);
    assert!(problems.is_empty(), "{problems:?}\n{text}");
    assert!(
        !text.contains("[checked]"),
        "nothing is ever marked checked"
    );
    text
}

/// The created file as the engine reads it.
pub fn profile(imported: &Imported) -> Profile {
    let text = file_text(imported);
    let (p, problems) =
        trialmatch::load::parse_patient("created.toml", &text, imported.as_of).expect("reads");
    assert!(problems.is_empty(), "{problems:?}");
    p
}

/// The summary lines of the one patient (what was left out).
pub fn left_out(imported: &Imported) -> String {
    one(imported).record.summary.lines(1000).join("\n")
}

/// The canonical value of the latest result of `lab`.
pub fn lab_value(p: &Profile, lab: &str) -> Option<f64> {
    p.latest_lab(lab)?.value.clone()?.ok()
}
