//! OVH credentials looked up as OVH's SDKs look them up (python-ovh `ovh/config.py` and
//! `ovh/client.py`, v1.2): each key from the environment variable `OVH_<KEY>` first, else from
//! the INI files `/etc/ovh.conf`, `~/.ovh.conf`, `./ovh.conf` (read in that order, a later file's
//! value winning). The endpoint is `OVH_ENDPOINT` or `endpoint` in section `[default]`; the keys
//! (`application_key`, `application_secret`, `consumer_key`, `client_id`, `client_secret`) come
//! from the section named after the endpoint, e.g. `[ovh-eu]`.
//!
//! The INI reading follows Python's `RawConfigParser` defaults, on the few lines these files
//! have: `[section]` headers, `key = value` or `key: value` (split at the first delimiter, both
//! sides trimmed, keys lower-cased), whole-line comments starting with `#` or `;`, no inline
//! comments, no quotes, no escapes, no interpolation — so a secret containing `;`, `#`, `\` or
//! quotes reads as the SDK reads it. An INI crate's defaults (escapes, quotes) would differ.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
};

use crate::ovh::Credentials;

/// The keys an SDK reads from an endpoint's section.
const KEYS: [&str; 5] = [
    "application_key",
    "application_secret",
    "consumer_key",
    "client_id",
    "client_secret",
];

/// One INI file: section → key → value.
pub type Ini = BTreeMap<String, BTreeMap<String, String>>;

/// Parses an ovh.conf file (see the module comment for the subset and its rules).
pub fn parse_ini(text: &str) -> Result<Ini, String> {
    let mut ini = Ini::new();
    let mut section: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or_else(|| format!("line {}: a section header must end with ]", n + 1))?;
            section = Some(name.to_string());
            ini.entry(name.to_string()).or_default();
            continue;
        }
        let Some(at) = line.find(['=', ':']) else {
            return Err(format!("line {}: expected key = value", n + 1));
        };
        let Some(section) = section.as_ref() else {
            return Err(format!("line {}: a key before any [section]", n + 1));
        };
        let (key, value) = (line[..at].trim().to_lowercase(), line[at + 1..].trim());
        ini.entry(section.clone())
            .or_default()
            .insert(key, value.to_string());
    }
    Ok(ini)
}

/// Where the credentials came from, for the person reading `plan`'s output (never the values).
#[derive(Debug, Default, PartialEq)]
pub struct Sources {
    /// Environment variables used, e.g. OVH_ENDPOINT.
    pub env: Vec<String>,
    /// Files that supplied at least one value.
    pub files: Vec<PathBuf>,
}

impl std::fmt::Display for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts: Vec<String> = self.env.clone();
        parts.extend(self.files.iter().map(|p| p.display().to_string()));
        if parts.is_empty() {
            return f.write_str("nowhere");
        }
        f.write_str(&parts.join(", "))
    }
}

/// The SDK lookup over explicit files (in increasing priority) and environment.
pub fn lookup(
    files: &[(PathBuf, Ini)],
    env: &dyn Fn(&str) -> Option<String>,
) -> (BTreeMap<String, String>, Sources) {
    let mut sources = Sources::default();
    let from_files = |section: &str, key: &str, sources: &mut Sources| {
        let (path, value) = files
            .iter()
            .rev()
            .find_map(|(path, ini)| Some((path, ini.get(section)?.get(key)?.clone())))?;
        if !sources.files.contains(path) {
            sources.files.push(path.clone());
        }
        Some(value)
    };
    let get = |section: &str, key: &str, sources: &mut Sources| {
        let var = format!("OVH_{}", key.to_uppercase());
        if let Some(v) = env(&var) {
            sources.env.push(var);
            return Some(v);
        }
        from_files(section, key, sources)
    };
    let mut keys = BTreeMap::new();
    // python-ovh has no default endpoint (it raises InvalidRegion); ovh-eu, as the operator's
    // Secrets default to, and as go-ovh's examples use.
    let endpoint = get("default", "endpoint", &mut sources).unwrap_or_else(|| "ovh-eu".into());
    for key in KEYS {
        if let Some(v) = get(&endpoint, key, &mut sources) {
            keys.insert(key.to_string(), v);
        }
    }
    keys.insert("endpoint".into(), endpoint);
    (keys, sources)
}

/// The SDK's files, in increasing priority: `/etc/ovh.conf`, `~/.ovh.conf`, `./ovh.conf`.
pub fn sdk_files() -> Vec<PathBuf> {
    let mut files = vec![PathBuf::from("/etc/ovh.conf")];
    if let Some(home) = std::env::var_os("HOME") {
        files.push(Path::new(&home).join(".ovh.conf"));
    }
    files.push(PathBuf::from("ovh.conf"));
    files
}

/// Credentials from the environment and the SDK's files, and where they came from.
pub fn from_environment() -> Result<(Credentials, Sources), String> {
    let mut files = Vec::new();
    for path in sdk_files() {
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let ini = parse_ini(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        files.push((path, ini));
    }
    let env = |var: &str| std::env::var(var).ok();
    let (keys, sources) = lookup(&files, &env);
    let credentials = Credentials::from_keys(&keys).map_err(|e| {
        format!(
            "OVH credentials (looked up as OVH's SDKs do: OVH_* environment variables, then \
             ./ovh.conf, ~/.ovh.conf, /etc/ovh.conf; found in {sources}): {e}"
        )
    })?;
    Ok((credentials, sources))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ovh::Auth;
    use secrecy::ExposeSecret;

    #[test]
    fn ini_lines_read_as_python_configparser_reads_them() {
        let ini = parse_ini(
            "# comment\n; another\n[default]\nendpoint = ovh-ca\n\n[ovh-ca]\nApplication_Key: ak\n\
             application_secret=s;e#c\\ret \"q\"\nconsumer_key =  ck  \n",
        )
        .unwrap();
        assert_eq!(ini["default"]["endpoint"], "ovh-ca");
        assert_eq!(
            ini["ovh-ca"]["application_key"], "ak",
            "keys are lower-cased, ':' delimits"
        );
        assert_eq!(
            ini["ovh-ca"]["application_secret"], "s;e#c\\ret \"q\"",
            "no inline comments, escapes or quotes"
        );
        assert_eq!(ini["ovh-ca"]["consumer_key"], "ck");
        assert!(
            parse_ini("key=value\n")
                .unwrap_err()
                .contains("before any [section]")
        );
        assert!(parse_ini("[default\n").unwrap_err().contains("line 1"));
        assert!(parse_ini("[a]\njunk\n").unwrap_err().contains("line 2"));
    }

    #[test]
    fn the_environment_beats_files_and_later_files_beat_earlier_ones() {
        let etc = parse_ini(
            "[default]\nendpoint=ovh-ca\n[ovh-ca]\napplication_key=etc\napplication_secret=s1\nconsumer_key=c1\n",
        )
        .unwrap();
        let home = parse_ini("[ovh-ca]\napplication_key=home\n[ovh-eu]\napplication_key=other\n").unwrap();
        let files = vec![
            (PathBuf::from("/etc/ovh.conf"), etc),
            (PathBuf::from("/home/u/.ovh.conf"), home),
        ];
        let env = |var: &str| (var == "OVH_CONSUMER_KEY").then(|| "from-env".to_string());
        let (keys, sources) = lookup(&files, &env);
        let c = Credentials::from_keys(&keys).unwrap();
        assert_eq!(c.endpoint, "ovh-ca", "[default] endpoint picks the section");
        let Auth::Application {
            application_key,
            consumer_key,
            ..
        } = c.auth
        else {
            panic!("application keys")
        };
        assert_eq!(application_key, "home");
        assert_eq!(consumer_key.expose_secret(), "from-env");
        assert_eq!(sources.env, ["OVH_CONSUMER_KEY"]);
        assert_eq!(
            sources.to_string(),
            "OVH_CONSUMER_KEY, /etc/ovh.conf, /home/u/.ovh.conf"
        );
    }

    #[test]
    fn oauth2_from_the_environment_alone() {
        let env = |var: &str| match var {
            "OVH_ENDPOINT" => Some("ovh-us".to_string()),
            "OVH_CLIENT_ID" => Some("id".to_string()),
            "OVH_CLIENT_SECRET" => Some("secret".to_string()),
            _ => None,
        };
        let (keys, _) = lookup(&[], &env);
        let c = Credentials::from_keys(&keys).unwrap();
        assert_eq!(c.endpoint, "ovh-us");
        assert!(matches!(c.auth, Auth::OAuth2 { .. }));
        let (keys, sources) = lookup(&[], &|_| None);
        assert_eq!(keys["endpoint"], "ovh-eu");
        assert_eq!(sources.to_string(), "nowhere");
        assert!(Credentials::from_keys(&keys).is_err());
    }
}
