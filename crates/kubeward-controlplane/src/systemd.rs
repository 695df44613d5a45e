//! Just enough of systemd's unit-file semantics to rebuild the kubelet command line.
//!
//! kubeadm installs `kubelet.service` plus the drop-in `10-kubeadm.conf`, which sets
//! `Environment=` variables, reads `EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env` and
//! `EnvironmentFile=-/etc/default/kubelet` (`KUBELET_EXTRA_ARGS`), resets `ExecStart=` and runs
//! `/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS
//! $KUBELET_EXTRA_ARGS`. systemd rules followed here: drop-ins apply in file-name order; an
//! empty `ExecStart=` clears earlier ones; variables from `EnvironmentFile=` override
//! `Environment=`; `$VAR` expands to several words (split on whitespace), `${VAR}` to one word.
//!
//! ```
//! use kubeward_controlplane::systemd::{UnitSettings, expand_exec};
//! let mut unit = UnitSettings::default();
//! unit.apply_text("[Service]\nEnvironment=\"A=--x=1 --y\"\nExecStart=\nExecStart=/usr/bin/kubelet $A ${A}\n");
//! let env = unit.environment(&[]);
//! let argv = expand_exec(unit.exec_start.as_deref().unwrap(), &env);
//! assert_eq!(argv, vec!["/usr/bin/kubelet", "--x=1", "--y", "--x=1 --y"]);
//! ```

use std::collections::BTreeMap;

/// Settings accumulated from a unit file and its drop-ins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UnitSettings {
    /// `Environment=` assignments in order.
    pub environment: Vec<(String, String)>,
    /// `EnvironmentFile=` entries in order: `(path, optional)` (a leading `-` makes it optional).
    pub environment_files: Vec<(String, bool)>,
    /// The effective `ExecStart=` command line (after resets), unexpanded.
    pub exec_start: Option<String>,
}

fn logical_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if cur.is_empty() && (trimmed.starts_with('#') || trimmed.starts_with(';')) {
            continue;
        }
        if let Some(stripped) = trimmed.strip_suffix('\\') {
            cur.push_str(stripped);
            cur.push(' ');
            continue;
        }
        cur.push_str(trimmed);
        out.push(std::mem::take(&mut cur));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Splits a systemd value into words, honouring double and single quotes and backslash escapes.
#[must_use]
pub fn split_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut have = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), '\\') | (None, '\\') => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    have = true;
                }
            }
            (Some(_), c) => cur.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                have = true;
            }
            (None, c) if c.is_whitespace() => {
                if have {
                    words.push(std::mem::take(&mut cur));
                    have = false;
                }
            }
            (None, c) => {
                cur.push(c);
                have = true;
            }
        }
    }
    if have {
        words.push(cur);
    }
    words
}

impl UnitSettings {
    /// Applies one unit file or drop-in (only the `[Service]` section is read).
    pub fn apply_text(&mut self, text: &str) {
        let mut in_service = false;
        for line in logical_lines(text) {
            if line.starts_with('[') {
                in_service = line == "[Service]";
                continue;
            }
            if !in_service {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = value.trim();
            match key.trim() {
                "Environment" => {
                    if value.is_empty() {
                        self.environment.clear();
                    }
                    for word in split_words(value) {
                        if let Some((k, v)) = word.split_once('=') {
                            self.environment.push((k.to_string(), v.to_string()));
                        }
                    }
                }
                "EnvironmentFile" => {
                    if value.is_empty() {
                        self.environment_files.clear();
                    } else if let Some(p) = value.strip_prefix('-') {
                        self.environment_files.push((p.trim().to_string(), true));
                    } else {
                        self.environment_files.push((value.to_string(), false));
                    }
                }
                "ExecStart" => {
                    if value.is_empty() {
                        self.exec_start = None;
                    } else {
                        let cmd = value.trim_start_matches(['-', '@', ':', '+', '!']);
                        self.exec_start = Some(cmd.to_string());
                    }
                }
                _ => {}
            }
        }
    }

    /// The environment: `Environment=` values overridden by the given parsed environment files
    /// (in the order they were read).
    #[must_use]
    pub fn environment(&self, files: &[BTreeMap<String, String>]) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = self.environment.iter().cloned().collect();
        for f in files {
            env.extend(f.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        env
    }
}

/// Parses an environment file (`KEY=value` lines, `#` comments, optional quotes).
#[must_use]
pub fn parse_env_file(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in logical_lines(text) {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = if v.len() >= 2
            && ((v.starts_with('"') && v.ends_with('"'))
                || (v.starts_with('\'') && v.ends_with('\'')))
        {
            v.get(1..v.len() - 1).unwrap_or("")
        } else {
            v
        };
        out.insert(k.trim().to_string(), v.to_string());
    }
    out
}

/// Expands `$VAR` (split into words) and `${VAR}` (one word) in an `ExecStart=` line.
#[must_use]
pub fn expand_exec(cmd: &str, env: &BTreeMap<String, String>) -> Vec<String> {
    let mut out = Vec::new();
    for word in split_words(cmd) {
        if let Some(name) = word.strip_prefix("${").and_then(|w| w.strip_suffix('}')) {
            out.push(env.get(name).cloned().unwrap_or_default());
        } else if let Some(name) = word.strip_prefix('$') {
            if let Some(v) = env.get(name) {
                out.extend(split_words(v));
            }
        } else {
            out.push(word);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubeadm_dropin() {
        let text = r#"# Note: This dropin only works with kubeadm and kubelet v1.11+
[Service]
Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=/etc/kubernetes/kubelet.conf"
Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"
EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env
EnvironmentFile=-/etc/default/kubelet
ExecStart=
ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS
"#;
        let mut u = UnitSettings::default();
        u.apply_text("[Service]\nExecStart=/usr/bin/kubelet --old\n");
        u.apply_text(text);
        assert_eq!(u.environment_files.len(), 2);
        let flags = parse_env_file(
            "KUBELET_KUBEADM_ARGS=\"--container-runtime-endpoint=unix:///run/containerd/containerd.sock\"\n",
        );
        let extra =
            parse_env_file("KUBELET_EXTRA_ARGS=--read-only-port=10255 --anonymous-auth=true\n");
        let env = u.environment(&[flags, extra]);
        let argv = expand_exec(u.exec_start.as_deref().unwrap(), &env);
        assert_eq!(argv.first().map(String::as_str), Some("/usr/bin/kubelet"));
        assert!(argv.contains(&"--config=/var/lib/kubelet/config.yaml".to_string()));
        assert!(argv.contains(&"--read-only-port=10255".to_string()));
        assert!(!argv.contains(&"--old".to_string()));
    }

    #[test]
    fn continuation_and_quotes() {
        let mut u = UnitSettings::default();
        u.apply_text("[Service]\nExecStart=/usr/bin/kubelet \\\n  --a=1 \\\n  \"--b=x y\"\n");
        let argv = expand_exec(u.exec_start.as_deref().unwrap(), &BTreeMap::new());
        assert_eq!(argv, vec!["/usr/bin/kubelet", "--a=1", "--b=x y"]);
    }

    #[test]
    fn env_file_overrides_environment() {
        let mut u = UnitSettings::default();
        u.apply_text("[Service]\nEnvironment=X=1\n");
        let env = u.environment(&[parse_env_file("X=2\n")]);
        assert_eq!(env.get("X").map(String::as_str), Some("2"));
    }
}
