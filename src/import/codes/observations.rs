//! Observations: the LOINC codes of every lab, vital sign, clinical score and status the
//! studies' rules read, several per analyte where methods or specimens differ (creatinine by
//! mass and by moles, ALT with and without pyridoxal phosphate, ...). Whether a lab is numeric
//! or qualitative is the vocabulary's (`vocab::NUMERIC_LABS`); the value's unit is checked
//! against the project's own unit table (`units.rs` of the crate) through the UCUM table beside
//! this file. A score is a total score term (never a panel or an item) whose scale is the one
//! the rules read; its value must be unitless or in a score unit (`units::SCORE_UNITS`) and,
//! where the term states its scale (a "0-10" rating, HAQ-DI's 0-3), on that scale.
//!
//! To add a code: one row with LOINC's long common name, and for a score the page it was
//! confirmed from. `tests/import.rs` checks every lab and score name against the vocabulary.

use super::System;

/// What an observation code becomes in the patient file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A `[[lab]]` of this name (numeric or qualitative as the vocabulary says).
    Lab(&'static str),
    /// A `[[lab]]` measured by the method the code names (ANA by immunofluorescence: its
    /// titre, "1:160", or its qualitative result).
    ByMethod(&'static str, &'static str),
    /// `weight` (with its date).
    Weight,
    /// `height` (with its date).
    Height,
    /// `cardiac.lvef`, percent.
    Lvef,
    /// `status.spo2`, percent.
    Spo2,
    /// A `[[score]]` of this name (`vocab::SCORES`), with its date.
    Score(&'static str),
    /// Known, and left out on purpose: why.
    Left(&'static str),
}

#[derive(Debug)]
pub struct Row {
    pub loinc: &'static str,
    pub target: Target,
    /// LOINC's long common name.
    pub term: &'static str,
    /// For a score: the range of its scale when the term states one (a value outside it is
    /// listed, not written).
    pub scale: Option<(f64, f64)>,
}

const fn lab(loinc: &'static str, name: &'static str, term: &'static str) -> Row {
    Row {
        loinc,
        target: Target::Lab(name),
        term,
        scale: None,
    }
}

const fn row(loinc: &'static str, target: Target, term: &'static str) -> Row {
    Row {
        loinc,
        target,
        term,
        scale: None,
    }
}

/// A score's total: `scale` is the range the term itself states, `None` where it states none.
const fn score(
    loinc: &'static str,
    name: &'static str,
    scale: Option<(f64, f64)>,
    term: &'static str,
) -> Row {
    Row {
        loinc,
        target: Target::Score(name),
        term,
        scale,
    }
}

/// The patient file's `reproductive.pregnant` is "pregnant now" and has no date; a status
/// taken from a record would be carried over as current however old it is, and no source
/// says how recent is recent enough. A dated hCG test is imported as a lab, which the rules
/// read within their own windows.
const NO_PREGNANCY_STATUS: &str = "pregnancy status: the patient file holds `pregnant` \
     without a date, so a recorded status is not carried over as current; ask (a dated hCG \
     test is imported as a lab)";
const NO_COMPLEMENT: &str = "no complement (C3/C4) lab in the vocabulary (src/vocab.rs)";
/// LOINC's joint counts count the joints their form names; the CDAI's are the 28-joint counts
/// (shoulders, elbows, wrists, MCPs, PIPs, knees). The rules' `sjc66`/`tjc68` are the 66/68-joint
/// counts, which a 28-joint count is not.
const JOINT_COUNT_28: &str = "a joint count of the joints its form names (the CDAI's are 28), \
     not the 66/68-joint count the rules read (sjc66, tjc68)";
/// The CDAI's patient global asks how the patient's arthritis affects them; the myositis core
/// set's PtGA (the only rule that reads `ptga`) rates the myositis.
const ARTHRITIS_GLOBAL: &str = "the CDAI's patient global of arthritis, not the global of \
     the myositis the rules read (ptga)";
const A_PANEL: &str = "a panel: its scores are read from its components, or from their own \
     Observations";

#[rustfmt::skip]
pub const OBSERVATIONS: &[Row] = &[
    // ── Kidney ───────────────────────────────────────────────────────────────────────────
    lab("2160-0", "creatinine", "Creatinine [Mass/volume] in Serum or Plasma"),
    lab("38483-4", "creatinine", "Creatinine [Mass/volume] in Blood"),
    lab("14682-9", "creatinine", "Creatinine [Moles/volume] in Serum or Plasma"),
    lab("77140-2", "creatinine", "Creatinine [Moles/volume] in Serum, Plasma or Blood"),
    lab("21232-4", "creatinine", "Creatinine [Mass/volume] in Arterial blood"),
    lab("2889-4", "urine_protein_24h", "Protein [Mass/time] in 24 hour Urine"),
    lab("2890-2", "upcr", "Protein/Creatinine [Mass Ratio] in Urine"),
    // ── Liver ────────────────────────────────────────────────────────────────────────────
    lab("1742-6", "alt", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    lab("1743-4", "alt", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma by With P-5'-P"),
    lab("1744-2", "alt", "Alanine aminotransferase [Enzymatic activity/volume] in Serum or Plasma by No addition of P-5'-P"),
    lab("1920-8", "ast", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma"),
    lab("30239-8", "ast", "Aspartate aminotransferase [Enzymatic activity/volume] in Serum or Plasma by With P-5'-P"),
    lab("1975-2", "tbil", "Bilirubin.total [Mass/volume] in Serum or Plasma"),
    lab("14631-6", "tbil", "Bilirubin.total [Moles/volume] in Serum or Plasma"),
    // ── Muscle ───────────────────────────────────────────────────────────────────────────
    lab("2157-6", "ck", "Creatine kinase [Enzymatic activity/volume] in Serum or Plasma"),
    lab("2532-0", "ldh", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma"),
    lab("14804-9", "ldh", "Lactate dehydrogenase [Enzymatic activity/volume] in Serum or Plasma by Lactate to pyruvate reaction"),
    // ── Blood count and clotting ─────────────────────────────────────────────────────────
    lab("718-7", "hemoglobin", "Hemoglobin [Mass/volume] in Blood"),
    lab("20509-6", "hemoglobin", "Hemoglobin [Mass/volume] in Blood by calculation"),
    lab("59260-0", "hemoglobin", "Hemoglobin [Moles/volume] in Blood"),
    lab("6690-2", "wbc", "Leukocytes [#/volume] in Blood by Automated count"),
    lab("26464-8", "wbc", "Leukocytes [#/volume] in Blood"),
    lab("804-5", "wbc", "Leukocytes [#/volume] in Blood by Manual count"),
    lab("751-8", "neutrophils", "Neutrophils [#/volume] in Blood by Automated count"),
    lab("26499-4", "neutrophils", "Neutrophils [#/volume] in Blood"),
    lab("753-4", "neutrophils", "Neutrophils [#/volume] in Blood by Manual count"),
    lab("731-0", "lymphocytes", "Lymphocytes [#/volume] in Blood by Automated count"),
    lab("26474-7", "lymphocytes", "Lymphocytes [#/volume] in Blood"),
    lab("777-3", "platelets", "Platelets [#/volume] in Blood by Automated count"),
    lab("26515-7", "platelets", "Platelets [#/volume] in Blood"),
    lab("778-1", "platelets", "Platelets [#/volume] in Blood by Manual count"),
    lab("6301-6", "inr", "INR in Platelet poor plasma by Coagulation assay"),
    lab("34714-6", "inr", "INR in Blood by Coagulation assay"),
    lab("46418-0", "inr", "INR in Capillary blood by Coagulation assay"),
    lab("5902-2", "pt", "Prothrombin time (PT)"),
    lab("5964-2", "pt", "Prothrombin time (PT) in Blood by Coagulation assay"),
    // ── Inflammation and immunology ──────────────────────────────────────────────────────
    lab("1988-5", "crp", "C reactive protein [Mass/volume] in Serum or Plasma"),
    lab("30522-7", "crp", "C reactive protein [Mass/volume] in Serum or Plasma by High sensitivity method"),
    lab("4537-7", "esr", "Erythrocyte sedimentation rate by Westergren method"),
    lab("30341-2", "esr", "Erythrocyte sedimentation rate"),
    lab("8061-4", "ana", "Nuclear Ab [Presence] in Serum"),
    row("42254-3", Target::ByMethod("ana", "IIF"), "Nuclear Ab [Presence] in Serum by Immunofluorescence"),
    row("5048-4", Target::ByMethod("ana", "IIF"), "Nuclear Ab [Titer] in Serum by Immunofluorescence"),
    lab("5130-0", "anti_dsdna", "DNA double strand Ab [Units/volume] in Serum"),
    lab("11090-8", "anti_sm", "Smith extractable nuclear Ab [Units/volume] in Serum"),
    row("4485-9", Target::Left(NO_COMPLEMENT), "Complement C3 [Mass/volume] in Serum or Plasma"),
    row("4498-2", Target::Left(NO_COMPLEMENT), "Complement C4 [Mass/volume] in Serum or Plasma"),
    // ── Infection screening ──────────────────────────────────────────────────────────────
    lab("5195-3", "hbsag", "Hepatitis B virus surface Ag [Presence] in Serum"),
    lab("5196-1", "hbsag", "Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay"),
    lab("16933-4", "hbcab", "Hepatitis B virus core Ab [Presence] in Serum"),
    lab("13952-7", "hbcab", "Hepatitis B virus core Ab [Presence] in Serum or Plasma by Immunoassay"),
    lab("29610-3", "hbv_dna", "Hepatitis B virus DNA [Presence] in Serum or Plasma by NAA with probe detection"),
    lab("29615-2", "hbv_dna", "Hepatitis B virus DNA [#/volume] (viral load) in Serum or Plasma by Probe and target amplification method"),
    lab("16128-1", "hcv_ab", "Hepatitis C virus Ab [Presence] in Serum"),
    lab("13955-0", "hcv_ab", "Hepatitis C virus Ab [Presence] in Serum or Plasma by Immunoassay"),
    lab("11259-9", "hcv_rna", "Hepatitis C virus RNA [Presence] in Serum or Plasma by NAA with probe detection"),
    lab("11011-4", "hcv_rna", "Hepatitis C virus RNA [Units/volume] (viral load) in Serum or Plasma by Probe and target amplification method"),
    lab("31201-7", "hiv_ab", "HIV 1+2 Ab [Presence] in Serum or Plasma by Immunoassay"),
    lab("56888-1", "hiv_ab", "HIV 1+2 Ab and HIV1 p24 Ag [Presence] in Serum or Plasma by Immunoassay"),
    lab("20507-0", "syphilis", "Reagin Ab [Presence] in Serum by RPR"),
    lab("5292-8", "syphilis", "Reagin Ab [Presence] in Serum by VDRL"),
    lab("24110-9", "syphilis", "Treponema pallidum Ab [Presence] in Serum by Immunoassay"),
    // ── Pregnancy ────────────────────────────────────────────────────────────────────────
    lab("2118-8", "serum_hcg", "Choriogonadotropin (pregnancy test) [Presence] in Serum or Plasma"),
    lab("21198-7", "serum_hcg", "Choriogonadotropin.beta subunit [Units/volume] in Serum or Plasma"),
    lab("19080-1", "serum_hcg", "Choriogonadotropin [Units/volume] in Serum or Plasma"),
    lab("2106-3", "pregnancy_test", "Choriogonadotropin (pregnancy test) [Presence] in Urine"),
    row("82810-3", Target::Left(NO_PREGNANCY_STATUS), "Pregnancy status"),
    // ── Vital signs and heart ────────────────────────────────────────────────────────────
    row("29463-7", Target::Weight, "Body weight"),
    row("3141-9", Target::Weight, "Body weight Measured"),
    row("8302-2", Target::Height, "Body height"),
    row("8306-3", Target::Height, "Body height --lying"),
    row("59408-5", Target::Spo2, "Oxygen saturation in Arterial blood by Pulse oximetry"),
    row("2708-6", Target::Spo2, "Oxygen saturation in Arterial blood"),
    row("10230-1", Target::Lvef, "Left ventricular Ejection fraction"),
    row("8806-2", Target::Lvef, "Left ventricular Ejection fraction by 2D echo"),
    row("18043-0", Target::Lvef, "Left ventricular Ejection fraction by US"),
    // ── Clinical scores ──────────────────────────────────────────────────────────────────
    // Each confirmed (number and long common name) on the page named beside it. No LOINC
    // term was found on loinc.org or its mirrors for SLEDAI-2K, BILAG, ESSDAI, DAS28-ESR,
    // DAS28-CRP, the 66/68-joint counts, MMT-8, the MDAAT extramuscular score or the mRSS:
    // those are entered by hand. Derived changes (`*_change_pct`, ...) are never imported.
    // https://loinc.org/75842-5 (the CDAI panel) and findacode.com/loinc/75842-5
    score("75847-4", "cdai", None, "Total score [CDAI]"),
    row("75842-5", Target::Left(A_PANEL), "Clinical disease activity index [CDAI]"),
    row("88982-4", Target::Left("a disease activity level (a category), not the CDAI score (75847-4)"), "Rheumatoid arthritis disease activity level [CDAI]"),
    row("88980-8", Target::Left(JOINT_COUNT_28), "Swollen joint #"),
    row("88981-6", Target::Left(JOINT_COUNT_28), "Tender joint #"),
    // https://loinc.org/75843-3 (the SDAI panel)
    row("75845-8", Target::Left("no SDAI score in the vocabulary (src/vocab.rs)"), "Total score [SDAI]"),
    // Global assessments rated 0-10 (0 very well, 10 very poor): the scale of the IIM core-set
    // PhGA and PtGA (IMACS: a 10 cm visual analogue scale, niehs.nih.gov/research/resources/
    // imacs) that trials/chec2024-181.toml reads as `>= 2` points. Confirmed on
    // healthassure.in/codes/loinc-75846-6-... and loinc-75844-1-..., and in the CDAI panel
    // (findacode.com/loinc/75842-5). 75894-6 is the CDAI's item, asked of the patient's
    // arthritis ("Considering all the ways your arthritis affects you"), not of the myositis
    // the rule's PtGA rates: listed.
    score("75846-6", "phga", Some((0.0, 10.0)), "Evaluator global assessment of disease activity - 0-10 (0.5 increments) numeric rating [Observed]"),
    score("75844-1", "ptga", Some((0.0, 10.0)), "Patient global assessment of disease activity - 0-10 numeric rating [Reported]"),
    row("75894-6", Target::Left(ARTHRITIS_GLOBAL), "Patient global assessment of disease activity - 0-10 (0.5 increments) numeric rating [Reported]"),
    // https://autoicdapi.com/loinc/75874-8: "The HAQ-DI score will be between 0-3"
    score("75874-8", "haq", Some((0.0, 3.0)), "Total score [HAQ-DI]"),
    // healthassure.in/codes/loinc-71950-0-health-assessment-questionnaire-haq
    row("71950-0", Target::Left(A_PANEL), "Health Assessment Questionnaire [HAQ]"),
];

/// The row of a LOINC code, if it is in the table.
pub fn find(system: System, code: &str) -> Option<&'static Row> {
    if system != System::Loinc {
        return None;
    }
    OBSERVATIONS.iter().find(|r| r.loinc == code.trim())
}
