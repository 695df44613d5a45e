//! Image patterns of the `images:` policy.
//!
//! Signature policies match the normalised `registry/repository` (no tag, no digest): `*`
//! matches within one path segment, `**` any number of segments, and a pattern without a
//! wildcard covers that repository and everything below it (`ghcr.io/acme` covers
//! `ghcr.io/acme/web`, not `ghcr.io/acme-evil/web`). SBOM mappings match the whole normalised
//! reference, where `*` matches any run of characters.

/// Whether the repository pattern `pattern` covers `repository` (`registry/path`).
///
/// ```
/// use kubeward_imagepolicy::pattern::repository_matches;
/// assert!(repository_matches("ghcr.io/acme", "ghcr.io/acme/web"));
/// assert!(!repository_matches("ghcr.io/acme", "ghcr.io/acme-evil/web"));
/// assert!(repository_matches("ghcr.io/*/web", "ghcr.io/acme/web"));
/// assert!(!repository_matches("ghcr.io/*", "ghcr.io/acme/web"));
/// assert!(repository_matches("ghcr.io/**", "ghcr.io/acme/team/web"));
/// assert!(repository_matches("**", "docker.io/library/nginx"));
/// ```
#[must_use]
pub fn repository_matches(pattern: &str, repository: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    if !pattern.contains('*') {
        return repository == pattern
            || repository
                .strip_prefix(pattern)
                .is_some_and(|rest| rest.starts_with('/'));
    }
    let pat: Vec<&str> = pattern.split('/').collect();
    let path: Vec<&str> = repository.split('/').collect();
    segments_match(&pat, &path)
}

fn segments_match(pat: &[&str], path: &[&str]) -> bool {
    match pat.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| {
            path.get(skip..)
                .is_some_and(|tail| segments_match(rest, tail))
        }),
        Some((first, rest)) => match path.split_first() {
            Some((segment, tail)) => glob(first, segment) && segments_match(rest, tail),
            None => false,
        },
    }
}

/// `*` matches any run of characters (including none); everything else literally.
///
/// ```
/// use kubeward_imagepolicy::pattern::glob;
/// assert!(glob("ghcr.io/acme/app:1.4.*", "ghcr.io/acme/app:1.4.2"));
/// assert!(!glob("ghcr.io/acme/app:1.4.*", "ghcr.io/acme/app:1.5.0"));
/// assert!(glob("*", ""));
/// ```
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with one backtrack point: linear in practice, never
    // exponential on hostile patterns.
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if Some(c) == t.get(ti) => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn double_star_in_the_middle() {
        assert!(repository_matches("ghcr.io/**/web", "ghcr.io/web"));
        assert!(repository_matches("ghcr.io/**/web", "ghcr.io/a/b/web"));
        assert!(!repository_matches("ghcr.io/**/web", "ghcr.io/a/b/api"));
    }

    #[test]
    fn star_stays_in_its_segment() {
        assert!(repository_matches("ghcr.io/acme/*", "ghcr.io/acme/web"));
        assert!(!repository_matches(
            "ghcr.io/acme/*",
            "ghcr.io/acme/team/web"
        ));
        assert!(repository_matches(
            "*.example.com/app",
            "eu.example.com/app"
        ));
    }

    #[test]
    fn glob_backtracks() {
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("a*b*c", "axxbyy"));
        assert!(glob("**", "x"));
        assert!(!glob("", "x"));
    }
}
