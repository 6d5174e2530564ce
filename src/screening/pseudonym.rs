//! A stable pseudonym per patient for logs sent outside the site (`--deidentify`): the patient
//! id keyed-hashed (BLAKE3 in its keyed mode, a MAC) with the worklist's own random key, kept in its database
//! (schema version 5). The same patient gets the same pseudonym in every log written from the
//! same worklist — or a backup of it — so a sponsor can follow a subject from month to month;
//! without the key nobody can compute a patient's pseudonym from a guessed id, as they could
//! from a plain hash of an id like "P07". A different worklist gives different pseudonyms.

/// The pseudonyms of one worklist.
pub struct Pseudonyms {
    key: [u8; 32],
}

impl std::fmt::Debug for Pseudonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key stays out of any debug output.
        f.write_str("Pseudonyms { .. }")
    }
}

impl Pseudonyms {
    /// Pseudonyms keyed with a worklist's key (`Store::pseudonym_key`).
    pub fn new(key: [u8; 32]) -> Pseudonyms {
        Pseudonyms { key }
    }

    /// "S-" and 12 hex digits (48 bits of the keyed hash) for a patient id, whatever its case
    /// (ids are one patient whatever their case, as when the files are loaded).
    pub fn of(&self, patient_id: &str) -> String {
        let message = format!("trialmatch subject v1\0{}", patient_id.to_lowercase());
        let mac = blake3::keyed_hash(&self.key, message.as_bytes());
        let mac = mac.as_bytes();
        let hex: String = mac[..6].iter().map(|b| format!("{b:02x}")).collect();
        format!("S-{hex}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseudonyms_are_stable_per_key_and_differ_between_keys() {
        let a = Pseudonyms::new([1; 32]);
        let b = Pseudonyms::new([2; 32]);
        assert_eq!(
            a.of("P01"),
            a.of("p01"),
            "ids are one patient whatever their case"
        );
        assert_ne!(a.of("P01"), a.of("P02"));
        assert_ne!(a.of("P01"), b.of("P01"));
        let p = a.of("P01");
        assert!(p.starts_with("S-") && p.len() == 14, "{p}");
        assert!(!format!("{a:?}").contains('1'), "no key in debug output");
    }
}
