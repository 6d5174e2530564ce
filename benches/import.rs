//! FHIR import at Bulk Data scale: a ~100 MB export (one NDJSON file per resource type, as a
//! Bulk Data server writes it; synthetic, deterministic, shaped like Synthea's resources) is
//! generated in a temporary folder and imported — read, mapped, grouped per patient, written
//! and checked — in this process (median of 3 runs), then once by the release binary under
//! `/usr/bin/time -v` for its peak memory. Run: `cargo bench --bench import`
//! (IMPORT_MB=N for another size).

use serde_json::{Value, json};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};
use trialmatch::generate::Rng;

const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";
const UCUM: &str = "http://unitsofmeasure.org";

/// (LOINC, display, UCUM unit, low, high): mapped labs and vitals, and codes the import
/// leaves out (heart rate, sodium, ...), as an export mixes them.
const OBS: &[(&str, &str, &str, f64, f64)] = &[
    (
        "2160-0",
        "Creatinine [Mass/volume] in Serum or Plasma",
        "mg/dL",
        0.5,
        2.0,
    ),
    (
        "1742-6",
        "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        8.0,
        90.0,
    ),
    (
        "1920-8",
        "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma",
        "U/L",
        8.0,
        90.0,
    ),
    (
        "1975-2",
        "Bilirubin.total [Mass/volume] in Serum or Plasma",
        "mg/dL",
        0.2,
        2.0,
    ),
    (
        "718-7",
        "Hemoglobin [Mass/volume] in Blood",
        "g/dL",
        9.0,
        16.0,
    ),
    (
        "6690-2",
        "Leukocytes [#/volume] in Blood by Automated count",
        "10*3/uL",
        3.0,
        11.0,
    ),
    (
        "777-3",
        "Platelets [#/volume] in Blood by Automated count",
        "10*3/uL",
        120.0,
        420.0,
    ),
    (
        "1988-5",
        "C reactive protein [Mass/volume] in Serum or Plasma",
        "mg/L",
        0.5,
        60.0,
    ),
    ("29463-7", "Body Weight", "kg", 45.0, 110.0),
    ("8302-2", "Body Height", "cm", 150.0, 190.0),
    (
        "2708-6",
        "Oxygen saturation in Arterial blood",
        "%",
        92.0,
        99.0,
    ),
    ("8867-4", "Heart rate", "/min", 55.0, 100.0),
    ("9279-1", "Respiratory rate", "/min", 12.0, 20.0),
    (
        "2947-0",
        "Sodium [Moles/volume] in Blood",
        "mmol/L",
        135.0,
        145.0,
    ),
    (
        "2339-0",
        "Glucose [Mass/volume] in Blood",
        "mg/dL",
        70.0,
        140.0,
    ),
];

const CONDITIONS: &[(&str, &str)] = &[
    ("69896004", "Rheumatoid arthritis (disorder)"),
    ("55464009", "Systemic lupus erythematosus (disorder)"),
    ("444814009", "Viral sinusitis (disorder)"),
    ("66383009", "Gingivitis (disorder)"),
    ("314529007", "Medication review due (situation)"),
    ("61977001", "Chronic type B viral hepatitis (disorder)"),
];

const MEDS: &[(&str, &str)] = &[
    ("105585", "Methotrexate 2.5 MG Oral Tablet"),
    ("312615", "predniSONE 20 MG Oral Tablet"),
    ("198051", "omeprazole 20 MG Delayed Release Oral Capsule"),
];

fn day(rng: &mut Rng) -> String {
    format!(
        "{}-{:02}-{:02}T10:{:02}:00+00:00",
        2010 + rng.below(16),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(60)
    )
}

fn line(out: &mut impl Write, v: &Value) -> std::io::Result<usize> {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    out.write_all(&bytes)?;
    out.write_all(b"\n")?;
    Ok(bytes.len() + 1)
}

/// Writes about `mb` MB of NDJSON into `dir`, one file per resource type; the patient count.
fn generate(dir: &Path, mb: usize) -> std::io::Result<usize> {
    let file = |name: &str| std::fs::File::create(dir.join(name)).map(BufWriter::new);
    let (mut pat, mut obs, mut cond, mut med) = (
        file("Patient.ndjson")?,
        file("Observation.ndjson")?,
        file("Condition.ndjson")?,
        file("MedicationRequest.ndjson")?,
    );
    let mut rng = Rng::new(14);
    let (mut bytes, mut n) = (0usize, 0usize);
    while bytes < mb * 1_000_000 {
        n += 1;
        let id = format!("pat-{n:06}");
        let subject = json!({"reference": format!("Patient/{id}")});
        bytes += line(
            &mut pat,
            &json!({
                "resourceType": "Patient", "id": id,
                "identifier": [{"type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                                "system": "urn:oid:2.16.840.1.113883.19.5", "value": format!("MRN{n:07}")}],
                "name": [{"use": "official", "family": format!("Family{n}"), "given": [format!("Given{}", n % 97)]}],
                "gender": if rng.chance(0.7) { "female" } else { "male" },
                "birthDate": format!("{}-{:02}-{:02}", 1950 + rng.below(50), 1 + rng.below(12), 1 + rng.below(28)),
            }),
        )?;
        for i in 0..(60 + rng.below(60)) {
            let (code, display, unit, lo, hi) = *rng.pick(OBS);
            bytes += line(
                &mut obs,
                &json!({
                    "resourceType": "Observation", "id": format!("{id}-o{i}"), "status": "final",
                    "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}],
                    "code": {"coding": [{"system": LOINC, "code": code, "display": display}], "text": display},
                    "subject": subject, "effectiveDateTime": day(&mut rng), "issued": day(&mut rng),
                    "valueQuantity": {"value": rng.range(lo, hi, 0.01), "unit": unit, "system": UCUM, "code": unit},
                    "referenceRange": [{"high": {"value": hi, "unit": unit, "system": UCUM, "code": unit}}],
                }),
            )?;
        }
        for i in 0..(4 + rng.below(8)) {
            let (code, display) = *rng.pick(CONDITIONS);
            bytes += line(
                &mut cond,
                &json!({
                    "resourceType": "Condition", "id": format!("{id}-c{i}"),
                    "clinicalStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-clinical", "code": "active"}]},
                    "verificationStatus": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/condition-ver-status", "code": "confirmed"}]},
                    "code": {"coding": [{"system": SNOMED, "code": code, "display": display}], "text": display},
                    "subject": subject, "onsetDateTime": day(&mut rng),
                }),
            )?;
        }
        for i in 0..(2 + rng.below(6)) {
            let (code, display) = *rng.pick(MEDS);
            bytes += line(
                &mut med,
                &json!({
                    "resourceType": "MedicationRequest", "id": format!("{id}-m{i}"),
                    "status": if rng.chance(0.3) { "active" } else { "stopped" }, "intent": "order",
                    "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code, "display": display}], "text": display},
                    "subject": subject, "authoredOn": day(&mut rng),
                }),
            )?;
        }
    }
    for mut w in [pat, obs, cond, med] {
        w.flush()?;
    }
    Ok(n)
}

/// The peak resident memory (MiB) and wall time of the binary importing `dir`.
fn binary_peak(dir: &Path, out: &Path) -> Option<(f64, String)> {
    if !Path::new("/usr/bin/time").exists() {
        return None;
    }
    let o = std::process::Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO_BIN_EXE_trialmatch"))
        .args(["import", "--as-of", "2026-11-30", "--out"])
        .arg(out)
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .output()
        .ok()?;
    let err = String::from_utf8_lossy(&o.stderr);
    let field = |name: &str| {
        err.lines()
            .find(|l| l.contains(name))
            .and_then(|l| l.rsplit_once(": "))
            .map(|(_, v)| v.trim().to_string())
    };
    let kb: f64 = field("Maximum resident set size")?.parse().ok()?;
    Some((kb / 1024.0, field("Elapsed (wall clock)")?))
}

fn main() {
    let mb: usize = std::env::var("IMPORT_MB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let Ok(tmp) = tempfile::tempdir() else {
        eprintln!("import bench: no temporary folder");
        return;
    };
    let input = tmp.path().join("export");
    let started = Instant::now();
    let patients = std::fs::create_dir_all(&input).and_then(|()| generate(&input, mb));
    let Ok(patients) = patients else {
        eprintln!("import bench: the export could not be written");
        return;
    };
    let size: u64 = std::fs::read_dir(&input)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    println!(
        "import: generated {:.1} MB of NDJSON ({patients} patients) in {:.1} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap_or_default();
    let mut times: Vec<Duration> = Vec::new();
    let mut resources = 0;
    for run in 0..3 {
        let out = tmp.path().join(format!("out-{run}"));
        let t = Instant::now();
        let imported = trialmatch::import::import_paths(std::slice::from_ref(&input), as_of);
        let written = trialmatch::import::write::write_all(&imported, &out);
        times.push(t.elapsed());
        resources = imported.resources;
        assert_eq!(
            written.files.len(),
            patients,
            "{:?}",
            written.problems.first()
        );
        assert!(
            imported.problems.is_empty(),
            "{:?}",
            imported.problems.first()
        );
        let _ = std::fs::remove_dir_all(&out);
    }
    times.sort();
    let median = times[1].as_secs_f64();
    println!(
        "import (read, map, group, write and check {patients} files) median of 3: {median:.2} s, \
         {:.1} MB/s, {:.0} resources/s",
        size as f64 / 1e6 / median,
        resources as f64 / median
    );
    match binary_peak(&input, &tmp.path().join("out-binary")) {
        Some((mib, wall)) => println!("release binary: peak memory {mib:.0} MiB, wall time {wall}"),
        None => println!("release binary: /usr/bin/time not found; peak memory not measured"),
    }
}
