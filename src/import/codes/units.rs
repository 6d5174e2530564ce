//! Units: the UCUM code a FHIR quantity carries (`valueQuantity.code`, or its `unit` text when
//! no code is given) → the unit as the patient file writes it. Whether that unit fits the lab
//! is the project's own unit table's to say (`crate::units::Dimension::factor`): a unit not in
//! this table, or not accepted for the lab, is not imported and is listed. No value is
//! converted here; the loader converts every unit to the lab's canonical one. A clinical score
//! has no unit: its value may carry only a score unit (`SCORE_UNITS`), or none.

/// (UCUM code or common unit text, the patient file's spelling).
#[rustfmt::skip]
pub const UCUM: &[(&str, &str)] = &[
    // Mass and substance concentration
    ("mg/dL", "mg/dL"),
    ("umol/L", "µmol/L"),
    ("µmol/L", "µmol/L"),
    ("mmol/L", "mmol/L"),
    ("g/dL", "g/dL"),
    ("g/L", "g/L"),
    ("mg/L", "mg/L"),
    // Cell counts
    ("10*9/L", "10^9/L"),
    ("10^9/L", "10^9/L"),
    ("10*3/uL", "10^3/µL"),
    ("10^3/uL", "10^3/µL"),
    ("10*3/mm3", "10^3/mm3"),
    ("/uL", "/µL"),
    ("/mm3", "/mm3"),
    // Enzymes and hormones
    ("U/L", "U/L"),
    ("[IU]/L", "IU/L"),
    ("[iU]/L", "IU/L"),
    ("IU/L", "IU/L"),
    ("m[IU]/mL", "mIU/mL"),
    ("m[iU]/mL", "mIU/mL"),
    ("mIU/mL", "mIU/mL"),
    // Rates, ratios, times
    ("mm/h", "mm/h"),
    ("mm/[HR]", "mm/h"),
    ("mg/(24.h)", "mg/24h"),
    ("g/(24.h)", "g/24h"),
    ("mg/d", "mg/day"),
    ("g/d", "g/day"),
    ("mg/mg", "mg/mg"),
    ("g/g", "g/g"),
    ("mg/g", "mg/g"),
    ("mg/mmol", "mg/mmol"),
    ("g/mmol", "g/mmol"),
    ("{INR}", "ratio"),
    ("{ratio}", "ratio"),
    ("1", "ratio"),
    ("s", "s"),
    ("%", "%"),
    // Body
    ("kg", "kg"),
    ("g", "g"),
    ("[lb_av]", "lb"),
    ("cm", "cm"),
    ("m", "m"),
    ("[in_i]", "in"),
    // Antibody and viral-load units (qualitative labs keep their value with its unit as
    // written; only the ULN is compared with it)
    ("[IU]/mL", "IU/mL"),
    ("[iU]/mL", "IU/mL"),
    ("U/mL", "U/mL"),
    ("{copies}/mL", "copies/mL"),
];

/// The units a score's value may carry (UCUM code or unit text): LOINC's example unit for its
/// score terms is `{score}` (unit text "score"); `1` is UCUM's unity. Any other unit (mm of a
/// 100 mm scale, %, ...) is not a score and the value is listed.
pub const SCORE_UNITS: &[&str] = &["{score}", "score", "1"];

/// Units that write a titre's reciprocal (160 for 1:160).
pub const TITRE_UNITS: &[&str] = &["{titer}", "{titre}", "{Titer}"];

/// The patient file's spelling of a UCUM code or unit text, when the table has it.
pub fn spelling(unit: &str) -> Option<&'static str> {
    let u = unit.trim();
    UCUM.iter().find(|(c, _)| *c == u).map(|(_, p)| *p)
}
