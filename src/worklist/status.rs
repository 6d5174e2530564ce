//! The triage statuses a patient × study pair moves through, with the spellings the command
//! line, the database and the screen use.

use std::fmt;

/// Where a patient stands with one study.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    New,
    Screening,
    ContactedStudy,
    Referred,
    Enrolled,
    DeclinedByPatient,
    NotEligible,
    OnHold,
}

impl Status {
    /// Every status, in the order a referral usually moves through them.
    pub const ALL: [Status; 8] = [
        Status::New,
        Status::Screening,
        Status::ContactedStudy,
        Status::Referred,
        Status::Enrolled,
        Status::DeclinedByPatient,
        Status::NotEligible,
        Status::OnHold,
    ];

    /// The stored and typed spelling: `contacted-study`.
    pub fn key(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Screening => "screening",
            Status::ContactedStudy => "contacted-study",
            Status::Referred => "referred",
            Status::Enrolled => "enrolled",
            Status::DeclinedByPatient => "declined-by-patient",
            Status::NotEligible => "not-eligible",
            Status::OnHold => "on-hold",
        }
    }

    /// The spelling people read: `contacted study`.
    pub fn label(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Screening => "screening",
            Status::ContactedStudy => "contacted study",
            Status::Referred => "referred",
            Status::Enrolled => "enrolled",
            Status::DeclinedByPatient => "declined by patient",
            Status::NotEligible => "not eligible",
            Status::OnHold => "on hold",
        }
    }

    /// Reads a key or a label, ignoring case and treating spaces and underscores as hyphens.
    pub fn parse(s: &str) -> Option<Status> {
        let norm: String = s
            .trim()
            .chars()
            .map(|c| match c {
                ' ' | '_' => '-',
                c => c.to_ascii_lowercase(),
            })
            .collect();
        Status::ALL.into_iter().find(|st| st.key() == norm)
    }

    /// Whether the pair still waits on someone: every status but enrolled, declined and
    /// not eligible.
    pub fn is_open(self) -> bool {
        !matches!(
            self,
            Status::Enrolled | Status::DeclinedByPatient | Status::NotEligible
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl std::str::FromStr for Status {
    type Err = String;
    fn from_str(s: &str) -> Result<Status, String> {
        Status::parse(s).ok_or_else(|| {
            let keys: Vec<&str> = Status::ALL.iter().map(|s| s.key()).collect();
            format!("'{s}' is not a status; use one of: {}", keys.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels_read_back() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.key()), Some(s));
            assert_eq!(Status::parse(s.label()), Some(s));
            assert_eq!(Status::parse(&s.key().to_uppercase()), Some(s));
        }
        assert_eq!(
            Status::parse("contacted_study"),
            Some(Status::ContactedStudy)
        );
        assert_eq!(Status::parse("refered"), None);
        assert!(
            "refered"
                .parse::<Status>()
                .unwrap_err()
                .contains("declined-by-patient")
        );
    }
}
