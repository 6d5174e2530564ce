//! Medications: RxNorm ingredients (and a few clinical drugs seen in records) and WHO ATC
//! codes of the drugs in the catalogue (`vocab::DRUGS`), each to the catalogue's name. A code
//! not in this table is matched by its text instead: a catalogue drug (or one of its
//! spellings) named as a whole word in the coding's display or the concept's text. Codes and
//! text that name different drugs are not guessed between: the medication is listed.
//!
//! ATC codes changed in 2022 and 2024 for several drugs of these studies (the JAK inhibitors,
//! rituximab, belimumab, ...): both the old and the new code are rows. `tests/import.rs`
//! checks every drug against the catalogue.
//!
//! Checked on 2026-12-02: the ATC codes of the 2022 and 2024 moves (rituximab, obinutuzumab,
//! leflunomide, sirolimus, belimumab, tofacitinib, baricitinib, upadacitinib: old and new code)
//! against the WHO ATC index's list of ATC level alterations, and the clinical drug 105585
//! against its RxNorm name. Not every other code could be confirmed from the sources at hand;
//! a clinical-drug code that could not be (an adalimumab syringe) was taken out, since its
//! display text names the drug anyway.

use super::System::{self, Atc as ATC, RxNorm as RX};

#[derive(Debug)]
pub struct Row {
    pub system: System,
    pub code: &'static str,
    /// The catalogue's name (`vocab::DRUGS`).
    pub drug: &'static str,
    /// The route a clinical drug's code states ("Oral Tablet"), for product rows.
    pub route: Option<&'static str>,
    /// The code system's term.
    pub term: &'static str,
}

const fn rx(code: &'static str, drug: &'static str, term: &'static str) -> Row {
    Row {
        system: RX,
        code,
        drug,
        route: None,
        term,
    }
}

/// An RxNorm clinical drug (a product with its route).
const fn product(
    code: &'static str,
    drug: &'static str,
    route: &'static str,
    term: &'static str,
) -> Row {
    Row {
        system: RX,
        code,
        drug,
        route: Some(route),
        term,
    }
}

const fn atc(code: &'static str, drug: &'static str, term: &'static str) -> Row {
    Row {
        system: ATC,
        code,
        drug,
        route: None,
        term,
    }
}

#[rustfmt::skip]
pub const DRUGS: &[Row] = &[
    // ── RxNorm ingredients ───────────────────────────────────────────────────────────────
    rx("6851", "methotrexate", "methotrexate"),
    rx("27169", "leflunomide", "leflunomide"),
    rx("9524", "sulfasalazine", "sulfasalazine"),
    rx("5521", "hydroxychloroquine", "hydroxychloroquine"),
    rx("2393", "chloroquine", "chloroquine"),
    rx("8640", "prednisone", "prednisone"),
    rx("8638", "prednisolone", "prednisolone"),
    rx("6902", "methylprednisolone", "methylprednisolone"),
    rx("3264", "dexamethasone", "dexamethasone"),
    rx("5492", "hydrocortisone", "hydrocortisone"),
    rx("3002", "cyclophosphamide", "cyclophosphamide"),
    rx("68149", "mycophenolate mofetil", "mycophenolate mofetil"),
    rx("1256", "azathioprine", "azathioprine"),
    rx("42316", "tacrolimus", "tacrolimus"),
    rx("3008", "cyclosporine", "cyclosporine"),
    rx("35302", "sirolimus", "sirolimus"),
    rx("327361", "adalimumab", "adalimumab"),
    rx("214555", "etanercept", "etanercept"),
    rx("191831", "infliximab", "infliximab"),
    rx("612865", "tocilizumab", "tocilizumab"),
    rx("614391", "abatacept", "abatacept"),
    rx("121191", "rituximab", "rituximab"),
    rx("2047232", "baricitinib", "baricitinib"),
    rx("3827", "enalapril", "enalapril"),
    rx("29046", "lisinopril", "lisinopril"),
    rx("52175", "losartan", "losartan"),
    rx("69749", "valsartan", "valsartan"),
    rx("2193", "ceftriaxone", "ceftriaxone"),
    rx("11124", "vancomycin", "vancomycin"),
    rx("281", "acyclovir", "acyclovir"),
    rx("4450", "fluconazole", "fluconazole"),
    // ── RxNorm clinical drugs seen in records ────────────────────────────────────────────
    product("105585", "methotrexate", "oral", "methotrexate 2.5 MG Oral Tablet"),
    product("312615", "prednisone", "oral", "predniSONE 20 MG Oral Tablet"),
    product("241834", "cyclosporine", "oral", "cycloSPORINE, modified 100 MG Oral Capsule"),
    product("314076", "lisinopril", "oral", "lisinopril 10 MG Oral Tablet"),
    // ── WHO ATC ──────────────────────────────────────────────────────────────────────────
    atc("L04AX03", "methotrexate", "methotrexate"),
    atc("L01BA01", "methotrexate", "methotrexate (antineoplastic)"),
    atc("L04AA13", "leflunomide", "leflunomide (before 2024)"),
    atc("L04AK01", "leflunomide", "leflunomide"),
    atc("A07EC01", "sulfasalazine", "sulfasalazine"),
    atc("P01BA02", "hydroxychloroquine", "hydroxychloroquine"),
    atc("P01BA01", "chloroquine", "chloroquine"),
    atc("H02AB07", "prednisone", "prednisone"),
    atc("H02AB06", "prednisolone", "prednisolone"),
    atc("H02AB04", "methylprednisolone", "methylprednisolone"),
    atc("H02AB02", "dexamethasone", "dexamethasone"),
    atc("H02AB09", "hydrocortisone", "hydrocortisone"),
    atc("L01AA01", "cyclophosphamide", "cyclophosphamide"),
    atc("L04AA06", "mycophenolate", "mycophenolic acid (mofetil and sodium)"),
    atc("L04AX01", "azathioprine", "azathioprine"),
    atc("L04AD02", "tacrolimus", "tacrolimus"),
    atc("L04AD01", "cyclosporine", "ciclosporin"),
    atc("L04AA10", "sirolimus", "sirolimus (before 2024)"),
    atc("L04AH01", "sirolimus", "sirolimus"),
    atc("L04AB04", "adalimumab", "adalimumab"),
    atc("L04AB01", "etanercept", "etanercept"),
    atc("L04AB02", "infliximab", "infliximab"),
    atc("L04AB06", "golimumab", "golimumab"),
    atc("L04AB05", "certolizumab", "certolizumab pegol"),
    atc("L04AC07", "tocilizumab", "tocilizumab"),
    atc("L04AC14", "sarilumab", "sarilumab"),
    atc("L04AA24", "abatacept", "abatacept"),
    atc("L01XC02", "rituximab", "rituximab (before 2022)"),
    atc("L01FA01", "rituximab", "rituximab"),
    atc("L04AA26", "belimumab", "belimumab (before 2024)"),
    atc("L04AG04", "belimumab", "belimumab"),
    atc("L01XC15", "obinutuzumab", "obinutuzumab (before 2022)"),
    atc("L01FA03", "obinutuzumab", "obinutuzumab"),
    atc("L04AA51", "anifrolumab", "anifrolumab (before 2024)"),
    atc("L04AG11", "anifrolumab", "anifrolumab"),
    atc("L04AA29", "tofacitinib", "tofacitinib (before 2024)"),
    atc("L04AF01", "tofacitinib", "tofacitinib"),
    atc("L04AA37", "baricitinib", "baricitinib (before 2024)"),
    atc("L04AF02", "baricitinib", "baricitinib"),
    atc("L04AA44", "upadacitinib", "upadacitinib (before 2024)"),
    atc("L04AF03", "upadacitinib", "upadacitinib"),
    atc("L03AA02", "filgrastim", "filgrastim"),
    atc("L03AA13", "pegfilgrastim", "pegfilgrastim"),
    atc("C09AA02", "enalapril", "enalapril"),
    atc("C09AA03", "lisinopril", "lisinopril"),
    atc("C09AA07", "benazepril", "benazepril"),
    atc("C09CA01", "losartan", "losartan"),
    atc("C09CA03", "valsartan", "valsartan"),
    atc("C09CA04", "irbesartan", "irbesartan"),
    atc("J01DD04", "ceftriaxone", "ceftriaxone"),
    atc("J01XA01", "vancomycin", "vancomycin"),
    atc("J01DH02", "meropenem", "meropenem"),
    atc("J05AB01", "acyclovir", "aciclovir"),
    atc("J05AB11", "valaciclovir", "valaciclovir"),
    atc("J02AC01", "fluconazole", "fluconazole"),
    atc("J02AC03", "voriconazole", "voriconazole"),
    atc("J02AA01", "amphotericin", "amphotericin B"),
];

/// The row of a medication code, if it is in the table.
pub fn find(system: System, code: &str) -> Option<&'static Row> {
    DRUGS
        .iter()
        .find(|r| r.system == system && r.code.eq_ignore_ascii_case(code.trim()))
}
