//! The user's settings file, `config.toml` in the platform config folder (or the file named by
//! `TRIALMATCH_CONFIG`): the sender block of referral summaries — who sends them, from which
//! site, and the phone number the study team calls back. Read only; a file that cannot be read
//! is a problem naming the file, the line and the field, never a crash.

use serde::Deserialize;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// The environment variable that names another settings file (tests, shared set-ups).
pub const ENV: &str = "TRIALMATCH_CONFIG";

/// The settings file's name in the platform config folder.
pub const FILE_NAME: &str = "config.toml";

/// A settings file is a few lines; anything larger is not one.
const MAX_BYTES: u64 = 64 * 1024;

/// What `trialmatch config` shows as an example.
pub const EXAMPLE: &str = "\
# trialmatch settings: the sender block of referral summaries
[sender]
name = \"Alex Example\"
site = \"Example Hospital, Rheumatology Department\"
phone = \"+44 20 7946 0000\"
";

/// What `trialmatch config --init` writes: the fields, empty, to be filled in.
pub const TEMPLATE: &str = "\
# trialmatch settings (`trialmatch config` shows this file and an example).
# The sender block of referral summaries: fill in all three.
[sender]
name = \"\"    # the coordinator who sends the summaries
site = \"\"    # the clinic or hospital
phone = \"\"   # the number the study team calls back
";

/// The sender block of a referral summary; a field left out or empty is `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sender {
    pub name: Option<String>,
    pub site: Option<String>,
    pub phone: Option<String>,
}

impl Sender {
    /// The fields as (name in the file, words for a reader, value).
    pub fn fields(&self) -> [(&'static str, &'static str, Option<&str>); 3] {
        [
            ("name", "Coordinator", self.name.as_deref()),
            ("site", "Site", self.site.as_deref()),
            ("phone", "Phone", self.phone.as_deref()),
        ]
    }

    /// Whether every field is given.
    pub fn is_complete(&self) -> bool {
        self.fields().iter().all(|(_, _, v)| v.is_some())
    }
}

/// Where the settings file is, and why there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    /// Named by [`ENV`] rather than the platform's config folder.
    pub from_env: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no config folder is known for this user; name a settings file with {ENV}=PATH")]
    NoConfigDir,
    #[error("{}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}: larger than 64 KiB; not a trialmatch settings file", path.display())]
    TooLarge { path: PathBuf },
    #[error(
        "{}: line {line}{}: {message} (`trialmatch config` shows an example)",
        path.display(),
        field.as_deref().map(|f| format!(", field `{f}`")).unwrap_or_default()
    )]
    Malformed {
        path: PathBuf,
        line: usize,
        field: Option<String>,
        message: String,
    },
}

/// The settings file: [`ENV`] when set and not empty, else `config.toml` in the platform
/// config folder (on Linux `$XDG_CONFIG_HOME/trialmatch` or `~/.config/trialmatch`), the
/// same qualifier, organisation and application names as the worklist's data folder.
pub fn location() -> Result<Location, ConfigError> {
    if let Some(p) = std::env::var_os(ENV).filter(|p| !p.is_empty()) {
        return Ok(Location {
            path: PathBuf::from(p),
            from_env: true,
        });
    }
    directories::ProjectDirs::from("", "", "trialmatch")
        .map(|d| Location {
            path: d.config_dir().join(FILE_NAME),
            from_env: false,
        })
        .ok_or(ConfigError::NoConfigDir)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileBody {
    #[serde(default)]
    sender: Option<SenderBody>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SenderBody {
    name: Option<String>,
    site: Option<String>,
    phone: Option<String>,
}

/// Reads the settings at `path`: `Ok(None)` when there is no such file.
pub fn load_from(path: &Path) -> Result<Option<Sender>, ConfigError> {
    let read_err = |source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    };
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(read_err(e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(ConfigError::TooLarge {
            path: path.to_path_buf(),
        });
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = 1 + good.iter().filter(|b| **b == b'\n').count();
            return Err(ConfigError::Malformed {
                path: path.to_path_buf(),
                line,
                field: None,
                message: "not UTF-8 text".into(),
            });
        }
    };
    parse(&text)
        .map(Some)
        .map_err(|(line, field, message)| ConfigError::Malformed {
            path: path.to_path_buf(),
            line,
            field,
            message,
        })
}

/// Parses a settings file's text; an error is (line, field, message).
fn parse(text: &str) -> Result<Sender, (usize, Option<String>, String)> {
    let body: FileBody = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        let (line, _) = crate::problem::Lines::new(text).line_col(offset);
        (line, field_at(text, line), e.message().trim().to_string())
    })?;
    let keep = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(match body.sender {
        Some(s) => Sender {
            name: keep(s.name),
            site: keep(s.site),
            phone: keep(s.phone),
        },
        None => Sender::default(),
    })
}

/// The field on 1-based `line` of `text`: `table.key` for `key = ...` under `[table]`, or the
/// table of a `[table]` line.
fn field_at(text: &str, line: usize) -> Option<String> {
    let mut table: Option<String> = None;
    for (i, l) in text.lines().enumerate() {
        let l = l.split('#').next().unwrap_or("").trim();
        let header = l
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .map(|h| h.trim_matches(['[', ']']).trim().to_string());
        if i + 1 == line {
            if let Some(h) = header {
                return Some(h);
            }
            let key = l.split_once('=')?.0.trim().trim_matches(['"', '\'']);
            if key.is_empty() {
                return None;
            }
            return Some(match &table {
                Some(t) => format!("{t}.{key}"),
                None => key.to_string(),
            });
        }
        if header.is_some() {
            table = header;
        }
    }
    None
}

/// The sender block for summaries written now: from the settings file, or all fields unset
/// when there is none (or no config folder is known). A file that cannot be read is an error.
pub fn sender() -> Result<Sender, ConfigError> {
    match location() {
        Ok(loc) => Ok(load_from(&loc.path)?.unwrap_or_default()),
        Err(ConfigError::NoConfigDir) => Ok(Sender::default()),
        Err(e) => Err(e),
    }
}

/// `trialmatch config`: where the settings file is, whether it exists, its values and an
/// example. Returns false when the file exists but cannot be read.
pub fn describe(out: &mut impl Write) -> io::Result<bool> {
    let loc = match location() {
        Ok(l) => l,
        Err(e) => {
            writeln!(out, "Settings file: none ({e})")?;
            write_example(out)?;
            return Ok(true);
        }
    };
    let from = if loc.from_env {
        format!("named by {ENV}")
    } else {
        format!("the platform config folder; {ENV}=PATH names another")
    };
    writeln!(out, "Settings file: {} ({from})", show_path(&loc.path))?;
    let ok = match load_from(&loc.path) {
        Ok(None) => {
            writeln!(
                out,
                "Exists: no — referral summaries say \"sender not configured\"; create it \
                 owner-only with `trialmatch config --init`, or write it by hand"
            )?;
            true
        }
        Ok(Some(s)) => {
            writeln!(out, "Exists: yes")?;
            writeln!(out, "[sender]")?;
            for (key, _, value) in s.fields() {
                match value {
                    Some(v) => writeln!(out, "  {key:<6}= {}", crate::text::sanitize(v))?,
                    None => writeln!(out, "  {key:<6}  not set")?,
                }
            }
            if !s.is_complete() {
                writeln!(
                    out,
                    "Referral summaries say \"sender not configured\" for the fields not set."
                )?;
            }
            true
        }
        Err(e) => {
            writeln!(out, "Exists: yes, but it cannot be used")?;
            writeln!(out, "Problem: {}", crate::text::sanitize(&e.to_string()))?;
            false
        }
    };
    write_example(out)?;
    Ok(ok)
}

fn show_path(p: &Path) -> String {
    crate::text::sanitize(&p.display().to_string())
}

fn write_example(out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "\nExample file:\n")?;
    write!(out, "{EXAMPLE}")
}

/// `trialmatch config --init`: creates the settings file from [`TEMPLATE`], owner-only (its
/// folder 0700), never over an existing file. Returns the path written.
pub fn init() -> Result<PathBuf, String> {
    let loc = location().map_err(|e| e.to_string())?;
    let path = loc.path;
    if std::fs::symlink_metadata(&path).is_ok() {
        return Err(format!(
            "{}: already exists and was not replaced",
            show_path(&path)
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        crate::fsutil::create_private_dir(dir)
            .map_err(|e| format!("{}: {e}; nothing was written", dir.display()))?;
    }
    crate::fsutil::write_new_private(&path, crate::fsutil::Durability::Synced, |f, _| {
        f.write_all(TEMPLATE.as_bytes())
    })
    .map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            format!("{}: already exists and was not replaced", show_path(&path))
        } else {
            format!("{}: {e}; nothing was written", show_path(&path))
        }
    })?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_gives_every_field() {
        let s = parse(EXAMPLE).unwrap_or_default();
        assert_eq!(s.name.as_deref(), Some("Alex Example"));
        assert_eq!(s.phone.as_deref(), Some("+44 20 7946 0000"));
        assert!(s.is_complete());
    }

    #[test]
    fn the_template_sets_nothing() {
        assert_eq!(parse(TEMPLATE), Ok(Sender::default()));
        assert_eq!(parse(""), Ok(Sender::default()));
    }

    #[test]
    fn problems_name_the_line_and_the_field() {
        let bad = "[sender]\nname = \"A\"\nphone = 5\n";
        let (line, field, msg) = parse(bad).err().unwrap_or_default();
        assert_eq!((line, field.as_deref()), (3, Some("sender.phone")), "{msg}");
        let typo = "[sender]\nname = \"A\"\n\nphnoe = \"1\"\n";
        let (line, field, msg) = parse(typo).err().unwrap_or_default();
        assert_eq!((line, field.as_deref()), (4, Some("sender.phnoe")), "{msg}");
        assert!(msg.contains("phnoe"), "{msg}");
        let syntax = "[sender]\nname = \"A\nsite = \"B\"\n";
        let (line, _, _) = parse(syntax).err().unwrap_or_default();
        assert_eq!(line, 2);
    }
}
