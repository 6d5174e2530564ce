//! FHIR import inputs: every form the issue names (Bundles of any type, nested bundles, a
//! single resource, NDJSON in one file or one per resource type), every bad input as a problem
//! naming the file and the line or entry while the rest still imports, and arbitrary JSON or
//! bytes never panicking the importer.

#[path = "import_support.rs"]
mod support;

use proptest::prelude::*;
use serde_json::{Value, json};
use support::*;
use trialmatch::import::{self, Imported, Importer};

fn creatinine() -> Value {
    observation("2160-0", quantity(0.9, "mg/dL"))
}

/// The messages of the problems, with their places.
fn problems(imported: &Imported) -> Vec<String> {
    imported.problems.iter().map(|p| p.to_string()).collect()
}

#[test]
fn bundles_of_every_type_nested_bundles_and_a_single_resource() {
    for kind in [
        "collection",
        "transaction",
        "searchset",
        "batch",
        "document",
    ] {
        let mut b: Value =
            serde_json::from_slice(&bundle(&[patient(), creatinine()])).expect("json");
        b["type"] = json!(kind);
        let imported = import::import_bytes(
            "b.json",
            &serde_json::to_vec(&b).expect("json"),
            false,
            as_of(),
        );
        assert!(
            imported.problems.is_empty(),
            "{kind}: {:?}",
            imported.problems
        );
        assert!(
            lab_value(&profile(&imported), "creatinine").is_some(),
            "{kind}"
        );
    }
    // A bundle in a bundle's entry.
    let inner: Value = serde_json::from_slice(&bundle(&[creatinine()])).expect("json");
    let outer = bundle(&[patient(), inner]);
    let imported = import::import_bytes("nested.json", &outer, false, as_of());
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert!(lab_value(&profile(&imported), "creatinine").is_some());
    // A single Patient resource, pretty-printed.
    let single = serde_json::to_vec_pretty(&patient()).expect("json");
    let imported = import::import_bytes("patient.json", &single, false, as_of());
    assert_eq!(one(&imported).who.id, "MRN-0001");
    // A transaction bundle whose references are the full URLs of entries without ids.
    let mut p = patient();
    p.as_object_mut().map(|o| o.remove("id"));
    p["identifier"] = json!([]);
    let mut o = creatinine();
    o["subject"] = json!({"reference": "urn:uuid:r0"});
    let imported = import::import_bytes("tx.json", &bundle(&[p, o]), false, as_of());
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert_eq!(one(&imported).who.id, "r0");
    assert!(lab_value(&profile(&imported), "creatinine").is_some());
}

#[test]
fn bulk_data_ndjson_one_file_per_type_with_medications_read_after_their_requests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let by_reference = json!({
        "resourceType": "MedicationRequest", "status": "active", "intent": "order",
        "subject": subject(), "medicationReference": {"reference": "Medication/m1"},
        "authoredOn": "2026-02-01"
    });
    let files = [
        ("MedicationRequest.ndjson", vec![by_reference]),
        (
            "Observation.ndjson",
            vec![creatinine(), observation("1742-6", quantity(30.0, "U/L"))],
        ),
        (
            "Medication.ndjson",
            vec![json!({"resourceType": "Medication", "id": "m1",
            "code": concept(ATC, "L04AD02", "tacrolimus")})],
        ),
        ("Patient.ndjson", vec![patient()]),
    ];
    for (name, resources) in &files {
        std::fs::write(dir.path().join(name), ndjson(resources)).expect("write");
    }
    std::fs::write(dir.path().join("notes.txt"), "not read").expect("write");
    let imported = import::import_paths(&[dir.path().to_path_buf()], as_of());
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert_eq!(imported.files.len(), 4, "the folder's FHIR files only");
    let p = profile(&imported);
    assert!(lab_value(&p, "creatinine").is_some() && lab_value(&p, "alt").is_some());
    assert_eq!(
        p.data.treatment.first().map(|t| t.drug.get_ref().as_str()),
        Some("tacrolimus")
    );
    // Mixed NDJSON in one file, with a byte-order mark and blank lines.
    let mut mixed = b"\xEF\xBB\xBF".to_vec();
    mixed.extend(ndjson(&[creatinine(), patient()]));
    mixed.extend(b"\n\n");
    let imported = import::import_bytes("mixed.json", &mixed, false, as_of());
    assert!(imported.problems.is_empty(), "{:?}", imported.problems);
    assert!(lab_value(&profile(&imported), "creatinine").is_some());
}

#[test]
fn malformed_lines_are_problems_at_their_line_and_the_rest_imports() {
    let mut text = ndjson(&[patient()]);
    text.extend(b"{\"resourceType\": \"Observation\", \"status\": \n");
    text.extend(b"[1, 2, 3]\n");
    text.extend(b"{\"status\": \"final\"}\n");
    text.extend(b"{\"resourceType\": \"Observation\", \"code\": \"2160-0\", \"status\": \"final\", \"subject\": {\"reference\": \"Patient/p1\"}}\n");
    text.extend(b"\xFF\xFE not utf-8\n");
    text.extend(b"{\"resourceType\": \"Patient\", \"name\": [{\"text\": \"Nobody\"}]}\n");
    text.extend(ndjson(&[creatinine()]));
    let imported = import::import_bytes("export.ndjson", &text, true, as_of());
    let found = problems(&imported);
    let at = |line: usize, needle: &str| {
        assert!(
            imported.problems.iter().any(|p| p.file == "export.ndjson"
                && p.line == Some(line)
                && p.message.contains(needle)),
            "line {line}: {needle}\n{found:#?}"
        );
    };
    at(2, "malformed JSON");
    at(3, "not a JSON object");
    at(4, "no resourceType");
    at(5, "an Observation without a code");
    at(6, "malformed JSON");
    at(7, "a Patient without an id or a medical record number");
    assert_eq!(found.len(), 6, "{found:#?}");
    assert!(
        lab_value(&profile(&imported), "creatinine").is_some(),
        "line 8 still imports"
    );
}

#[test]
fn bundle_problems_name_the_entry() {
    let mut no_value = observation("1742-6", json!({}));
    no_value["id"] = json!("o1");
    let mut no_date = creatinine();
    no_date
        .as_object_mut()
        .map(|o| o.remove("effectiveDateTime"));
    let mut partial = creatinine();
    partial["effectiveDateTime"] = json!("2026-11");
    let mut no_subject = creatinine();
    no_subject.as_object_mut().map(|o| o.remove("subject"));
    let mut group = creatinine();
    group["subject"] = json!({"reference": "Group/7"});
    let mut no_status = creatinine();
    no_status.as_object_mut().map(|o| o.remove("status"));
    let wrong_shape =
        json!({"resourceType": "Condition", "subject": subject(), "code": "69896004"});
    let imported = run(&[
        no_value,
        no_date,
        partial,
        no_subject,
        group,
        no_status,
        wrong_shape,
        json!("a string entry"),
        creatinine(),
    ]);
    let found = problems(&imported);
    for (entry, needle) in [
        (1, "without a value"),
        (2, "without a date"),
        (3, "the date '2026-11' is not a whole day"),
        (4, "Observation without a subject"),
        (5, "is not a Patient (Group/7)"),
        (6, "an Observation without a status"),
        (7, "a Condition without a code"),
        (8, "an entry's resource is not a JSON object"),
    ] {
        let pointer = format!("/entry/{entry}/resource: ");
        assert!(
            imported.problems.iter().any(|p| p.file == "test.json"
                && p.message.starts_with(&pointer)
                && p.message.contains(needle)),
            "{pointer}{needle}\n{found:#?}"
        );
    }
    assert_eq!(found.len(), 8, "{found:#?}");
    assert!(
        lab_value(&profile(&imported), "creatinine").is_some(),
        "the rest imports"
    );
}

#[test]
fn a_bundle_without_a_patient_and_resources_of_an_unknown_patient_are_problems() {
    let imported = import::import_bytes("orphans.json", &bundle(&[creatinine()]), false, as_of());
    assert!(imported.patients.is_empty());
    let found = problems(&imported);
    assert!(
        found
            .iter()
            .any(|p| p.starts_with("orphans.json: ") && p.contains("holds no Patient resource")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|p| p.contains("refer to patient 'p1', but no Patient resource")),
        "{found:#?}"
    );
}

#[test]
fn files_that_are_not_fhir_json_are_problems_and_other_files_still_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cases: [(&str, &[u8], &str); 5] = [
        ("empty.json", b"  \n", "the file is empty"),
        ("text.json", b"hello\nworld\n", "not FHIR JSON"),
        (
            "cut.json",
            b"{\n  \"resourceType\": \"Bundle\",\n  \"entry\": [\n",
            "malformed JSON",
        ),
        (
            "two.json",
            b"{\n\"resourceType\": \"Patient\", \"id\": \"x\"\n}\n{\"a\": 1}\n",
            "trailing characters",
        ),
        (
            "entry.json",
            b"{\n\"resourceType\": \"Bundle\",\n\"entry\": {}\n}\n",
            "malformed JSON",
        ),
    ];
    let mut paths = Vec::new();
    for (name, bytes, _) in &cases {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        paths.push(p);
    }
    let good = dir.path().join("good.json");
    std::fs::write(&good, bundle(&[patient(), creatinine()])).expect("write");
    paths.push(good);
    paths.push(dir.path().join("missing.json"));
    let imported = import::import_paths(&paths, as_of());
    for (name, _, needle) in &cases {
        assert!(
            imported
                .problems
                .iter()
                .any(|p| p.file.ends_with(name) && p.message.contains(needle)),
            "{name}: {needle}\n{:#?}",
            problems(&imported)
        );
    }
    let cut = imported
        .problems
        .iter()
        .find(|p| p.file.ends_with("cut.json"))
        .expect("cut");
    assert_eq!(cut.line, Some(4), "the line where the document ends");
    assert!(
        problems(&imported)
            .iter()
            .any(|p| p.contains("missing.json: no such file or folder"))
    );
    assert!(lab_value(&profile(&imported), "creatinine").is_some());
}

#[test]
fn a_file_of_garbage_keeps_only_a_capped_number_of_problems() {
    let text: Vec<u8> = "garbage\n".repeat(5000).into_bytes();
    let imported = import::import_bytes("garbage.ndjson", &text, true, as_of());
    assert_eq!(
        imported.problems.len(),
        trialmatch::problem::MAX_PER_FILE + 1
    );
    assert!(
        imported
            .problems
            .last()
            .is_some_and(|p| p.message.contains("and 4900 more problems"))
    );
}

#[test]
fn two_patient_resources_for_one_patient_are_one_patient() {
    let mut again = patient();
    again["birthDate"] = json!("1981-01-01");
    let imported = run(&[again, creatinine()]);
    assert_eq!(imported.patients.len(), 1);
    assert!(
        problems(&imported)
            .iter()
            .any(|p| p.contains("gives another birth date; the first is kept"))
    );
}

/// JSON shaped like FHIR often enough to reach the mappings: FHIR member names, codes of the
/// tables, dates, numbers of every size, nesting.
fn fhir_like() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "resourceType",
        "id",
        "status",
        "code",
        "coding",
        "system",
        "display",
        "text",
        "subject",
        "patient",
        "reference",
        "valueQuantity",
        "value",
        "unit",
        "valueCodeableConcept",
        "valueString",
        "valueRatio",
        "numerator",
        "denominator",
        "effectiveDateTime",
        "effectivePeriod",
        "start",
        "end",
        "referenceRange",
        "high",
        "component",
        "entry",
        "resource",
        "fullUrl",
        "clinicalStatus",
        "verificationStatus",
        "onsetDateTime",
        "abatementDateTime",
        "medicationCodeableConcept",
        "medicationReference",
        "contained",
        "dosageInstruction",
        "timing",
        "repeat",
        "frequency",
        "period",
        "periodUnit",
        "doseAndRate",
        "doseQuantity",
        "route",
        "reaction",
        "severity",
        "manifestation",
        "identifier",
        "type",
        "birthDate",
        "gender",
        "name",
        "given",
        "family",
        "comparator",
        "interpretation",
        "authoredOn",
        "intent",
        "deceasedDateTime",
        "dataAbsentReason",
    ]);
    let word = prop::sample::select(vec![
        "Bundle",
        "Patient",
        "Observation",
        "Condition",
        "MedicationRequest",
        "MedicationStatement",
        "Medication",
        "AllergyIntolerance",
        "Encounter",
        "final",
        "active",
        "stopped",
        "completed",
        "refuted",
        "http://loinc.org",
        "http://snomed.info/sct",
        "http://hl7.org/fhir/sid/icd-10-cm",
        "http://www.nlm.nih.gov/research/umls/rxnorm",
        "http://unitsofmeasure.org",
        "2160-0",
        "5048-4",
        "82810-3",
        "69896004",
        "M32.14",
        "C50.9",
        "105585",
        "mg/dL",
        "{titer}",
        "1:160",
        "Patient/p1",
        "urn:uuid:p1",
        "#m1",
        "p1",
        "2026-11-20",
        "2026-11",
        "2026-02-30",
        "1990",
        "mg",
        "d",
        "wk",
        "<",
        "POS",
        "é\u{202e}",
        "",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<f64>().prop_map(|f| json!(f)),
        any::<i64>().prop_map(|i| json!(i)),
        word.prop_map(|w| json!(w)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
            }),
        ]
    })
}

/// Valid resources of every mapped kind, to be damaged at random places.
fn templates() -> Vec<Value> {
    let mut o = observation("1742-6", quantity(88.0, "U/L"));
    o["referenceRange"] = json!([{"high": {"value": 40, "unit": "U/L"}}]);
    o["component"] = json!([{"code": concept(LOINC, "5048-4", ""), "valueString": "1:160"}]);
    let mut m = request(
        concept(RXNORM, "105585", "Methotrexate 2.5 MG Oral Tablet"),
        "stopped",
    );
    m["dosageInstruction"] = json!([{"timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "wk"}},
        "doseAndRate": [{"doseQuantity": {"value": 15, "code": "mg"}}], "route": concept(SNOMED, "26643006", "")}]);
    vec![
        patient(),
        o,
        observation("82810-3", answer("77386006")),
        condition(ICD10, "C50.9", "Breast cancer"),
        m,
        json!({"resourceType": "AllergyIntolerance", "patient": subject(), "code": concept(RXNORM, "3002", "x"),
            "reaction": [{"severity": "severe", "manifestation": [concept(SNOMED, "1", "Hives")]}]}),
        json!({"resourceType": "MedicationStatement", "status": "completed", "subject": subject(),
            "medicationReference": {"reference": "#m"}, "contained": [{"resourceType": "Medication", "id": "m",
            "code": concept(ATC, "L04AX03", "")}], "effectivePeriod": {"start": "2020-01-01", "end": "2021-01-01"}}),
    ]
}

/// Replaces the nodes numbered in `at` (pre-order) of `v`.
fn damage(v: &mut Value, at: &[(usize, Value)], n: &mut usize) {
    if let Some((_, new)) = at.iter().find(|(i, _)| i == n) {
        *v = new.clone();
    }
    *n += 1;
    match v {
        Value::Object(m) => m.values_mut().for_each(|c| damage(c, at, n)),
        Value::Array(a) => a.iter_mut().for_each(|c| damage(c, at, n)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn damaged_resources_never_panic_and_their_files_pass_check(
        which in 0..7usize,
        at in prop::collection::vec((0..40usize, fhir_like()), 1..4),
    ) {
        let mut r = templates()[which].clone();
        damage(&mut r, &at, &mut 0);
        let imported = run(&[r]);
        for p in &imported.patients {
            let text = trialmatch::import::write::render(p, &imported);
            let problems = trialmatch::import::write::check_text("x.toml", &text, imported.as_of);
            prop_assert!(problems.is_empty(), "{:?}\n{}", problems, text);
        }
    }

    #[test]
    fn arbitrary_json_never_panics_the_importer(values in prop::collection::vec(fhir_like(), 1..6)) {
        let mut i = Importer::new(as_of());
        let lines: Vec<u8> = values.iter().flat_map(|v| {
            let mut l = serde_json::to_vec(v).unwrap_or_default();
            l.push(b'\n');
            l
        }).collect();
        i.read_bytes("lines.ndjson", &lines, true);
        for v in &values {
            i.read_bytes("doc.json", &serde_json::to_vec_pretty(v).unwrap_or_default(), false);
            let b = json!({"resourceType": "Bundle", "entry": [{"resource": v}, {"resource": patient()}]});
            i.read_bytes("bundle.json", &serde_json::to_vec(&b).unwrap_or_default(), false);
        }
        let imported = i.finish();
        for p in &imported.patients {
            let text = trialmatch::import::write::render(p, &imported);
            // Whatever came in, the created file passes `check`.
            let problems = trialmatch::import::write::check_text("x.toml", &text, imported.as_of);
            prop_assert!(problems.is_empty(), "{:?}\n{}", problems, text);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_importer(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = import::import_bytes("bytes.json", &bytes, false, as_of());
        let _ = import::import_bytes("bytes.ndjson", &bytes, true, as_of());
    }
}
