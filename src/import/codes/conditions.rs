//! Conditions: SNOMED CT and ICD-10 codes of the diseases the four studies name (each a
//! `[[diagnosis]]` code) and of the history categories their exclusions read (each a
//! `[[condition]]` category), with the tags a code states outright (a carcinoma *in situ*, a
//! zoster *ocular* disease). A code known but deliberately left out says why, and is listed.
//!
//! To add a code: one row, with the code system's own term. ICD-10 rows may name every code
//! that begins so (`"M05*"`) or a range of categories (`"C81-C96"`); the most specific row
//! wins, so an exception is a longer row (`"M06.0*"` is RA, the rest of `"M06*"` is not).
//! `tests/import.rs` checks every target against the vocabulary.
//!
//! Checked on 2026-12-02: the SNOMED CT codes of the studies' diseases and of most history
//! categories against the codes and displays of Synthea's modules and published code lists
//! (no code found meaning other than its row says); the ICD-10-CM M33 subcodes with and
//! without myopathy (M33.02, M33.03, M33.12) against their ICD-10-CM titles. Not every row could
//! be confirmed from the sources at hand (most ICD-10 rows among them).

use super::System::{self, Icd10 as ICD, Snomed as SCT};

/// What a condition code becomes in the patient file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Maps {
    /// A diagnosis code of the studies (`vocab::DIAGNOSES`), with tags.
    Diagnosis(&'static str, &'static [&'static str]),
    /// A history category (`vocab::CATEGORIES`), with tags.
    Condition(&'static str, &'static [&'static str]),
    /// A past event stated as history ("History of myocardial infarction"): the category, but
    /// not the record's clinical status or onset, which describe the statement, not the event.
    Past(&'static str, &'static [&'static str]),
    /// Known, and left out on purpose: why.
    Left(&'static str),
}

#[derive(Debug)]
pub struct Row {
    pub system: System,
    pub code: &'static str,
    pub maps: Maps,
    /// The code system's term, for the reader of this table and the import summary.
    pub term: &'static str,
}

const fn dx(
    system: System,
    code: &'static str,
    d: &'static str,
    tags: &'static [&'static str],
    term: &'static str,
) -> Row {
    Row {
        system,
        code,
        maps: Maps::Diagnosis(d, tags),
        term,
    }
}

const fn cat(
    system: System,
    code: &'static str,
    c: &'static str,
    tags: &'static [&'static str],
    term: &'static str,
) -> Row {
    Row {
        system,
        code,
        maps: Maps::Condition(c, tags),
        term,
    }
}

const fn past(system: System, code: &'static str, c: &'static str, term: &'static str) -> Row {
    Row {
        system,
        code,
        maps: Maps::Past(c, &[]),
        term,
    }
}

const fn left(system: System, code: &'static str, why: &'static str, term: &'static str) -> Row {
    Row {
        system,
        code,
        maps: Maps::Left(why),
        term,
    }
}

const SUSPECTED: &str = "a suspicion, not a diagnosis";
const STEROID_RESPONSE: &str =
    "nephrotic syndrome: the response to steroids is not coded (SRNS needs steroid resistance)";

/// Every condition code the importer maps, grouped as the studies read them.
#[rustfmt::skip]
pub const CONDITIONS: &[Row] = &[
    // ── The studies' diseases ────────────────────────────────────────────────────────────
    dx(SCT, "69896004", "ra", &[], "Rheumatoid arthritis"),
    dx(ICD, "M05*", "ra", &[], "Rheumatoid arthritis with rheumatoid factor"),
    dx(ICD, "M06.0*", "ra", &[], "Rheumatoid arthritis without rheumatoid factor"),
    dx(ICD, "M06.8*", "ra", &[], "Other specified rheumatoid arthritis"),
    dx(ICD, "M06.9", "ra", &[], "Rheumatoid arthritis, unspecified"),
    left(ICD, "M06*", "not rheumatoid arthritis (adult-onset Still's disease, rheumatoid bursitis or nodule, inflammatory polyarthropathy)", "Other rheumatoid arthritis"),
    dx(SCT, "55464009", "sle", &[], "Systemic lupus erythematosus"),
    dx(ICD, "M32*", "sle", &[], "Systemic lupus erythematosus"),
    dx(SCT, "68815009", "sle", &[], "Systemic lupus erythematosus glomerulonephritis syndrome"),
    dx(SCT, "68815009", "lupus_nephritis", &[], "Systemic lupus erythematosus glomerulonephritis syndrome"),
    dx(ICD, "M32.14", "sle", &[], "Glomerular disease in systemic lupus erythematosus"),
    dx(ICD, "M32.14", "lupus_nephritis", &[], "Glomerular disease in systemic lupus erythematosus"),
    dx(SCT, "201436003", "drug_induced_lupus", &[], "Drug-induced systemic lupus erythematosus"),
    dx(ICD, "M32.0", "drug_induced_lupus", &[], "Drug-induced systemic lupus erythematosus"),
    left(SCT, "200936003", "lupus erythematosus may be cutaneous only: a code for systemic lupus (SLE) is needed", "Lupus erythematosus"),
    dx(SCT, "83901003", "pss", &[], "Sjögren's syndrome"),
    dx(ICD, "M35.0*", "pss", &[], "Sicca syndrome [Sjögren]"),
    dx(SCT, "89155008", "ssc", &[], "Systemic sclerosis"),
    dx(ICD, "M34*", "ssc", &[], "Systemic sclerosis"),
    left(ICD, "M34.2", "systemic sclerosis induced by a drug or chemical", "Systemic sclerosis induced by drug and chemical"),
    dx(SCT, "396230008", "dm", &[], "Dermatomyositis"),
    dx(ICD, "M33.0*", "dm", &[], "Juvenile dermatomyositis"),
    dx(ICD, "M33.1*", "dm", &[], "Other dermatomyositis"),
    dx(ICD, "M33.02", "dm", &["muscle_involvement"], "Juvenile dermatomyositis with myopathy"),
    dx(ICD, "M33.12", "dm", &["muscle_involvement"], "Other dermatomyositis with myopathy"),
    dx(ICD, "M33.03", "dm", &["amyopathic"], "Juvenile dermatomyositis without myopathy"),
    dx(ICD, "M33.13", "dm", &["amyopathic"], "Other dermatomyositis without myopathy"),
    dx(SCT, "31384009", "pm", &[], "Polymyositis"),
    dx(ICD, "M33.2*", "pm", &[], "Polymyositis"),
    dx(ICD, "M33.22", "pm", &["muscle_involvement"], "Polymyositis with myopathy"),
    dx(ICD, "M33.9*", "iim", &[], "Dermatopolymyositis, unspecified"),
    dx(ICD, "M33.92", "iim", &["muscle_involvement"], "Dermatopolymyositis, unspecified, with myopathy"),
    dx(ICD, "M33.93", "iim", &["amyopathic"], "Dermatopolymyositis, unspecified, without myopathy"),
    dx(SCT, "236407003", "igan", &[], "Immunoglobulin A nephropathy"),
    dx(SCT, "445404003", "igan", &[], "Familial immunoglobulin A nephropathy"),
    dx(SCT, "282364005", "igan", &["secondary"], "Immunoglobulin A nephropathy associated with liver disease"),
    dx(ICD, "N02.B*", "igan", &[], "IgA nephropathy"),
    dx(SCT, "449820008", "srns", &[], "Steroid resistant nephrotic syndrome of childhood"),
    left(SCT, "445119005", "steroid-sensitive, not steroid-resistant", "Steroid sensitive nephrotic syndrome of childhood"),
    left(SCT, "52254009", STEROID_RESPONSE, "Nephrotic syndrome"),
    left(ICD, "N04*", STEROID_RESPONSE, "Nephrotic syndrome"),
    cat(ICD, "G72.41", "inclusion_body_myositis", &[], "Inclusion body myositis"),
    // ── Lungs ────────────────────────────────────────────────────────────────────────────
    cat(SCT, "233703007", "interstitial_lung_disease", &[], "Interstitial lung disease"),
    cat(SCT, "700250006", "interstitial_lung_disease", &[], "Idiopathic pulmonary fibrosis"),
    cat(SCT, "64667001", "interstitial_lung_disease", &[], "Interstitial pneumonia"),
    cat(SCT, "129452008", "interstitial_lung_disease", &[], "Nonspecific interstitial pneumonia"),
    cat(SCT, "711379004", "interstitial_lung_disease", &[], "Interstitial lung disease due to connective tissue disease"),
    cat(SCT, "427123006", "interstitial_lung_disease", &[], "Interstitial lung disease due to collagen vascular disease"),
    cat(SCT, "870573008", "interstitial_lung_disease", &[], "Interstitial pneumonia with autoimmune features"),
    cat(ICD, "J84.1*", "interstitial_lung_disease", &[], "Other interstitial pulmonary diseases with fibrosis"),
    cat(ICD, "J84.2", "interstitial_lung_disease", &[], "Lymphoid interstitial pneumonia"),
    cat(ICD, "J84.8*", "interstitial_lung_disease", &[], "Other specified interstitial pulmonary diseases"),
    cat(ICD, "J84.9", "interstitial_lung_disease", &[], "Interstitial pulmonary disease, unspecified"),
    // ── Malignancy: site and in situ as the code states them ─────────────────────────────
    cat(SCT, "363346000", "malignancy", &[], "Malignant neoplastic disease"),
    cat(SCT, "254837009", "malignancy", &["invasive", "breast"], "Malignant neoplasm of breast"),
    cat(SCT, "363406005", "malignancy", &["invasive", "other_site"], "Malignant neoplasm of colon"),
    cat(SCT, "93761005", "malignancy", &["invasive", "other_site"], "Primary malignant neoplasm of colon"),
    cat(SCT, "109838007", "malignancy", &["invasive", "other_site"], "Overlapping malignant neoplasm of colon"),
    cat(SCT, "94260004", "malignancy", &["invasive", "other_site"], "Metastatic malignant neoplasm to colon"),
    cat(SCT, "399068003", "malignancy", &["invasive", "other_site"], "Malignant tumor of prostate"),
    cat(SCT, "94503003", "malignancy", &["invasive", "other_site"], "Metastatic malignant neoplasm to prostate"),
    cat(SCT, "92691004", "malignancy", &["in_situ", "other_site"], "Carcinoma in situ of prostate"),
    cat(SCT, "254637007", "malignancy", &["invasive", "other_site"], "Non-small cell lung cancer"),
    cat(SCT, "424132000", "malignancy", &["invasive", "other_site"], "Non-small cell carcinoma of lung, TNM stage 1"),
    cat(SCT, "425048006", "malignancy", &["invasive", "other_site"], "Non-small cell carcinoma of lung, TNM stage 2"),
    cat(SCT, "422968005", "malignancy", &["invasive", "other_site"], "Non-small cell carcinoma of lung, TNM stage 3"),
    cat(SCT, "423121009", "malignancy", &["invasive", "other_site"], "Non-small cell carcinoma of lung, TNM stage 4"),
    cat(SCT, "254632001", "malignancy", &["invasive", "other_site"], "Small cell carcinoma of lung"),
    cat(SCT, "94222008", "malignancy", &["invasive", "other_site"], "Secondary malignant neoplasm of bone"),
    cat(SCT, "93143009", "malignancy", &["other_site"], "Leukemia, disease"),
    cat(SCT, "91861009", "malignancy", &["other_site"], "Acute myeloid leukemia"),
    cat(SCT, "109989006", "malignancy", &["other_site"], "Multiple myeloma"),
    left(SCT, "126906006", "a neoplasm not stated to be malignant", "Neoplasm of prostate"),
    left(SCT, "162573006", SUSPECTED, "Suspected lung cancer"),
    left(SCT, "315268008", SUSPECTED, "Suspected prostate cancer"),
    cat(ICD, "C*", "malignancy", &["invasive", "other_site"], "Malignant neoplasms"),
    cat(ICD, "C43*", "malignancy", &["invasive", "melanoma"], "Malignant melanoma of skin"),
    cat(ICD, "C44*", "malignancy", &["invasive", "non_melanoma"], "Other malignant neoplasms of skin"),
    cat(ICD, "C4A*", "malignancy", &["invasive", "non_melanoma"], "Merkel cell carcinoma"),
    cat(ICD, "C50*", "malignancy", &["invasive", "breast"], "Malignant neoplasm of breast"),
    cat(ICD, "C53*", "malignancy", &["invasive", "cervix"], "Malignant neoplasm of cervix uteri"),
    cat(ICD, "C67*", "malignancy", &["invasive", "bladder"], "Malignant neoplasm of bladder"),
    cat(ICD, "C81-C96", "malignancy", &["other_site"], "Malignant neoplasms of lymphoid, haematopoietic and related tissue"),
    cat(ICD, "D00-D02", "malignancy", &["in_situ", "other_site"], "Carcinoma in situ"),
    cat(ICD, "D03*", "malignancy", &["in_situ", "melanoma"], "Melanoma in situ"),
    cat(ICD, "D04*", "malignancy", &["in_situ", "non_melanoma"], "Carcinoma in situ of skin"),
    cat(ICD, "D05*", "malignancy", &["in_situ", "breast"], "Carcinoma in situ of breast"),
    cat(ICD, "D06*", "malignancy", &["in_situ", "cervix"], "Carcinoma in situ of cervix uteri"),
    cat(ICD, "D07*", "malignancy", &["in_situ", "other_site"], "Carcinoma in situ of other genital organs"),
    cat(ICD, "D09*", "malignancy", &["in_situ", "other_site"], "Carcinoma in situ of other sites"),
    cat(ICD, "D09.0", "malignancy", &["in_situ", "bladder"], "Carcinoma in situ of bladder"),
    // ── Blood and marrow ─────────────────────────────────────────────────────────────────
    cat(SCT, "109995007", "mds", &[], "Myelodysplastic syndrome"),
    cat(ICD, "D46*", "mds", &[], "Myelodysplastic syndromes"),
    cat(ICD, "D45", "mpd", &[], "Polycythaemia vera"),
    cat(ICD, "D47.1", "mpd", &[], "Chronic myeloproliferative disease"),
    cat(ICD, "D47.3", "mpd", &[], "Essential (haemorrhagic) thrombocythaemia"),
    cat(SCT, "306058006", "aplastic_anemia", &[], "Aplastic anemia"),
    cat(ICD, "D61.0*", "aplastic_anemia", &[], "Constitutional aplastic anaemia"),
    cat(ICD, "D61.1", "aplastic_anemia", &[], "Drug-induced aplastic anaemia"),
    cat(ICD, "D61.2", "aplastic_anemia", &[], "Aplastic anaemia due to other external agents"),
    cat(ICD, "D61.3", "aplastic_anemia", &[], "Idiopathic aplastic anaemia"),
    cat(ICD, "D61.89", "aplastic_anemia", &[], "Other specified aplastic anemias"),
    cat(ICD, "D61.9", "aplastic_anemia", &[], "Aplastic anaemia, unspecified"),
    cat(SCT, "64779008", "bleeding_disorder", &["coagulation"], "Blood coagulation disorder"),
    cat(SCT, "234466008", "bleeding_disorder", &["coagulation", "acquired"], "Acquired coagulation disorder"),
    cat(ICD, "D66", "bleeding_disorder", &["coagulation", "congenital"], "Hereditary factor VIII deficiency"),
    cat(ICD, "D67", "bleeding_disorder", &["coagulation", "congenital"], "Hereditary factor IX deficiency"),
    cat(ICD, "D68*", "bleeding_disorder", &["coagulation"], "Other coagulation defects"),
    cat(ICD, "D80-D84", "immunodeficiency", &[], "Certain disorders involving the immune mechanism"),
    // ── Heart ────────────────────────────────────────────────────────────────────────────
    cat(SCT, "84114007", "heart_failure", &[], "Heart failure"),
    cat(SCT, "88805009", "heart_failure", &[], "Chronic congestive heart failure"),
    cat(ICD, "I50*", "heart_failure", &[], "Heart failure"),
    cat(ICD, "I11.0", "heart_failure", &[], "Hypertensive heart disease with heart failure"),
    cat(SCT, "22298006", "myocardial_infarction", &[], "Myocardial infarction"),
    cat(SCT, "401303003", "myocardial_infarction", &[], "Acute ST segment elevation myocardial infarction"),
    cat(SCT, "401314000", "myocardial_infarction", &[], "Acute non-ST segment elevation myocardial infarction"),
    past(SCT, "399211009", "myocardial_infarction", "History of myocardial infarction"),
    cat(ICD, "I21*", "myocardial_infarction", &[], "Acute myocardial infarction"),
    cat(ICD, "I22*", "myocardial_infarction", &[], "Subsequent myocardial infarction"),
    past(ICD, "I25.2", "myocardial_infarction", "Old myocardial infarction"),
    cat(SCT, "4557003", "unstable_angina", &[], "Preinfarction syndrome (unstable angina)"),
    cat(ICD, "I20.0", "unstable_angina", &[], "Unstable angina"),
    cat(ICD, "I20*", "angina", &[], "Angina pectoris"),
    cat(SCT, "49436004", "arrhythmia", &[], "Atrial fibrillation"),
    cat(ICD, "I47*", "arrhythmia", &[], "Paroxysmal tachycardia"),
    cat(ICD, "I48*", "arrhythmia", &[], "Atrial fibrillation and flutter"),
    cat(ICD, "I49*", "arrhythmia", &[], "Other cardiac arrhythmias"),
    cat(SCT, "414545008", "heart_disease", &[], "Ischemic heart disease"),
    cat(SCT, "60573004", "heart_disease", &[], "Aortic valve stenosis"),
    cat(SCT, "60234000", "heart_disease", &[], "Aortic valve regurgitation"),
    cat(SCT, "79619009", "heart_disease", &[], "Mitral valve stenosis"),
    cat(SCT, "48724000", "heart_disease", &[], "Mitral valve regurgitation"),
    cat(ICD, "I25*", "heart_disease", &[], "Chronic ischaemic heart disease"),
    // ── Brain and mind ───────────────────────────────────────────────────────────────────
    cat(SCT, "84757009", "cns_disease", &["epilepsy"], "Epilepsy"),
    cat(SCT, "128613002", "cns_disease", &[], "Seizure disorder"),
    cat(SCT, "230690007", "cns_disease", &[], "Cerebrovascular accident"),
    cat(SCT, "24700007", "cns_disease", &[], "Multiple sclerosis"),
    cat(SCT, "49049000", "cns_disease", &[], "Parkinson's disease"),
    cat(SCT, "26929004", "cns_disease", &[], "Alzheimer's disease"),
    cat(SCT, "26929004", "cognitive_impairment", &[], "Alzheimer's disease"),
    cat(SCT, "230265002", "cns_disease", &[], "Familial Alzheimer's disease of early onset"),
    cat(SCT, "230265002", "cognitive_impairment", &[], "Familial Alzheimer's disease of early onset"),
    cat(ICD, "G00-G09", "cns_disease", &[], "Inflammatory diseases of the central nervous system"),
    cat(ICD, "G20*", "cns_disease", &[], "Parkinson's disease"),
    cat(ICD, "G30*", "cns_disease", &[], "Alzheimer's disease"),
    cat(ICD, "G35*", "cns_disease", &[], "Multiple sclerosis"),
    cat(ICD, "G40*", "cns_disease", &["epilepsy"], "Epilepsy"),
    cat(ICD, "I60-I64", "cns_disease", &[], "Stroke and intracranial haemorrhage"),
    cat(ICD, "F01-F03", "cognitive_impairment", &[], "Dementia"),
    cat(SCT, "58214004", "mental_illness", &["psychosis"], "Schizophrenia"),
    cat(SCT, "13746004", "mental_illness", &[], "Bipolar disorder"),
    cat(SCT, "9340000", "mental_illness", &[], "Bipolar I disorder, single manic episode"),
    cat(SCT, "370143000", "mental_illness", &[], "Major depressive disorder"),
    cat(SCT, "36923009", "mental_illness", &[], "Major depression, single episode"),
    cat(SCT, "47505003", "mental_illness", &[], "Posttraumatic stress disorder"),
    cat(ICD, "F20*", "mental_illness", &["psychosis"], "Schizophrenia"),
    cat(ICD, "F22*", "mental_illness", &["psychosis"], "Persistent delusional disorders"),
    cat(ICD, "F23*", "mental_illness", &["psychosis"], "Acute and transient psychotic disorders"),
    cat(ICD, "F25*", "mental_illness", &["psychosis"], "Schizoaffective disorders"),
    cat(ICD, "F29", "mental_illness", &["psychosis"], "Unspecified nonorganic psychosis"),
    cat(ICD, "F31*", "mental_illness", &[], "Bipolar affective disorder"),
    cat(ICD, "F32*", "mental_illness", &[], "Depressive episode"),
    cat(ICD, "F33*", "mental_illness", &[], "Recurrent depressive disorder"),
    cat(ICD, "F32.3", "mental_illness", &["psychosis"], "Severe depressive episode with psychotic symptoms"),
    cat(ICD, "F33.3", "mental_illness", &["psychosis"], "Recurrent depressive disorder, current episode severe with psychotic symptoms"),
    // ── Infection ────────────────────────────────────────────────────────────────────────
    cat(SCT, "66071002", "infection", &["viral"], "Viral hepatitis type B"),
    cat(SCT, "61977001", "infection", &["viral"], "Chronic type B viral hepatitis"),
    cat(SCT, "50711007", "infection", &["viral"], "Viral hepatitis type C"),
    cat(SCT, "128302006", "infection", &["viral"], "Chronic hepatitis C"),
    cat(SCT, "86406008", "infection", &["viral"], "Human immunodeficiency virus infection"),
    cat(SCT, "86406008", "immunodeficiency", &["acquired"], "Human immunodeficiency virus infection"),
    // Synthea's HIV module codes a diagnosis made before 1993 as AIDS instead.
    cat(SCT, "62479008", "infection", &["viral"], "Acquired immune deficiency syndrome"),
    cat(SCT, "62479008", "immunodeficiency", &["acquired"], "Acquired immune deficiency syndrome"),
    cat(SCT, "56717001", "infection", &["bacterial"], "Tuberculosis"),
    cat(SCT, "427099000", "infection", &["bacterial"], "Active tuberculosis"),
    cat(SCT, "840539006", "infection", &["viral"], "Disease caused by SARS-CoV-2"),
    left(SCT, "840544004", SUSPECTED, "Suspected disease caused by SARS-CoV-2"),
    cat(SCT, "444814009", "infection", &["viral"], "Viral sinusitis"),
    cat(SCT, "195662009", "infection", &["viral"], "Acute viral pharyngitis"),
    cat(SCT, "43878008", "infection", &["bacterial"], "Streptococcal sore throat"),
    cat(SCT, "75498004", "infection", &["bacterial"], "Acute bacterial sinusitis"),
    cat(SCT, "10509002", "infection", &[], "Acute bronchitis"),
    cat(SCT, "307426000", "infection", &[], "Acute infective cystitis"),
    cat(SCT, "68566005", "infection", &[], "Urinary tract infectious disease"),
    cat(SCT, "197927001", "infection", &[], "Recurrent urinary tract infection"),
    cat(SCT, "233604007", "infection", &[], "Pneumonia"),
    cat(SCT, "91302008", "infection", &[], "Sepsis"),
    cat(SCT, "448813005", "infection", &["bacterial"], "Sepsis caused by Pseudomonas"),
    cat(SCT, "448417001", "infection", &["bacterial"], "Sepsis caused by Staphylococcus aureus"),
    cat(SCT, "770349000", "infection", &["viral"], "Sepsis caused by virus"),
    cat(SCT, "11218009", "infection", &["bacterial"], "Infection caused by Pseudomonas aeruginosa"),
    cat(SCT, "406602003", "infection", &["bacterial"], "Infection caused by Staphylococcus aureus"),
    cat(SCT, "427898007", "infection", &[], "Infection of tooth"),
    cat(ICD, "A15-A19", "infection", &["bacterial"], "Tuberculosis"),
    cat(ICD, "A40*", "infection", &["bacterial"], "Streptococcal sepsis"),
    cat(ICD, "A41*", "infection", &[], "Other sepsis"),
    cat(ICD, "B16*", "infection", &["viral"], "Acute hepatitis B"),
    cat(ICD, "B17.1*", "infection", &["viral"], "Acute hepatitis C"),
    cat(ICD, "B18.0", "infection", &["viral"], "Chronic viral hepatitis B with delta-agent"),
    cat(ICD, "B18.1", "infection", &["viral"], "Chronic viral hepatitis B without delta-agent"),
    cat(ICD, "B18.2", "infection", &["viral"], "Chronic viral hepatitis C"),
    cat(ICD, "B19.1*", "infection", &["viral"], "Unspecified viral hepatitis B"),
    cat(ICD, "B19.2*", "infection", &["viral"], "Unspecified viral hepatitis C"),
    cat(ICD, "B20*", "infection", &["viral"], "Human immunodeficiency virus [HIV] disease"),
    cat(ICD, "B20*", "immunodeficiency", &["acquired"], "Human immunodeficiency virus [HIV] disease"),
    cat(ICD, "Z21", "infection", &["viral"], "Asymptomatic HIV infection status"),
    cat(ICD, "B37*", "infection", &["fungal"], "Candidiasis"),
    cat(ICD, "B44*", "infection", &["fungal"], "Aspergillosis"),
    cat(ICD, "B45*", "infection", &["fungal"], "Cryptococcosis"),
    cat(ICD, "J12*", "infection", &["viral"], "Viral pneumonia"),
    cat(ICD, "J13-J15", "infection", &["bacterial"], "Bacterial pneumonia"),
    cat(ICD, "J18*", "infection", &[], "Pneumonia, organism unspecified"),
    cat(ICD, "N39.0", "infection", &[], "Urinary tract infection, site not specified"),
    cat(ICD, "U07.1", "infection", &["viral"], "COVID-19"),
    cat(ICD, "B00*", "herpes_infection", &[], "Herpesviral [herpes simplex] infections"),
    cat(ICD, "B00.4", "herpes_infection", &["encephalitis"], "Herpesviral encephalitis"),
    cat(ICD, "B00.5*", "herpes_infection", &["ocular"], "Herpesviral ocular disease"),
    cat(ICD, "B00.7", "herpes_infection", &["diffuse"], "Disseminated herpesviral disease"),
    cat(SCT, "4740000", "varicella_zoster", &["shingles"], "Herpes zoster"),
    cat(SCT, "38907003", "varicella_zoster", &["chickenpox"], "Varicella"),
    cat(ICD, "B01*", "varicella_zoster", &["chickenpox"], "Varicella [chickenpox]"),
    cat(ICD, "B01.1*", "varicella_zoster", &["chickenpox", "encephalitis"], "Varicella encephalitis"),
    cat(ICD, "B02*", "varicella_zoster", &["shingles"], "Zoster [herpes zoster]"),
    cat(ICD, "B02.0", "varicella_zoster", &["shingles", "encephalitis"], "Zoster encephalitis"),
    cat(ICD, "B02.3*", "varicella_zoster", &["shingles", "ocular"], "Zoster ocular disease"),
    cat(ICD, "B02.7", "varicella_zoster", &["shingles", "diffuse"], "Disseminated zoster"),
    // ── Liver, kidney, skin ──────────────────────────────────────────────────────────────
    cat(SCT, "19943007", "cirrhosis", &[], "Cirrhosis of liver"),
    cat(ICD, "K70.3*", "cirrhosis", &[], "Alcoholic cirrhosis of liver"),
    cat(ICD, "K71.7", "cirrhosis", &[], "Toxic liver disease with fibrosis and cirrhosis"),
    cat(ICD, "K74.3", "cirrhosis", &[], "Primary biliary cirrhosis"),
    cat(ICD, "K74.4", "cirrhosis", &[], "Secondary biliary cirrhosis"),
    cat(ICD, "K74.5", "cirrhosis", &[], "Biliary cirrhosis, unspecified"),
    cat(ICD, "K74.6*", "cirrhosis", &[], "Other and unspecified cirrhosis of liver"),
    cat(ICD, "E80.4", "gilbert_syndrome", &[], "Gilbert syndrome"),
    cat(SCT, "46177005", "end_stage_renal_failure", &[], "End stage renal disease"),
    cat(ICD, "N18.6", "end_stage_renal_failure", &[], "End stage renal disease"),
    cat(SCT, "9014002", "skin_disease", &[], "Psoriasis"),
    cat(SCT, "24079001", "skin_disease", &[], "Atopic dermatitis"),
    cat(SCT, "40275004", "skin_disease", &[], "Contact dermatitis"),
    cat(ICD, "L20*", "skin_disease", &[], "Atopic dermatitis"),
    cat(ICD, "L40*", "skin_disease", &[], "Psoriasis"),
];

/// The most specific rows for a code (none when the code is not in the table).
pub fn find(system: System, code: &str) -> Vec<&'static Row> {
    super::best(CONDITIONS, system, code, |r| (r.system, r.code))
}
