//! Build-argument and environment substitution as BuildKit's shell lexer does it for
//! instruction arguments: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
//! `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR#pat}`, `${VAR##pat}`,
//! `${VAR%pat}`, `${VAR%%pat}` with quote removal. Single quotes suppress expansion.

/// The result of expanding a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expanded {
    /// The expanded text (unknown variables expand to the empty string, as BuildKit does).
    pub value: String,
    /// Names of variables that were referenced but have no value.
    pub unresolved: Vec<String>,
}

impl Expanded {
    /// Whether every referenced variable had a value.
    #[must_use]
    pub fn is_complete(&self) -> bool {
        self.unresolved.is_empty()
    }
}

/// Expands `word` with variables from `lookup` (`None` = unset), treating `escape` as the
/// escape character. Returns an error message for malformed `${...}` expressions.
///
/// ```
/// use kubeward_dockerfile::expand::expand;
/// let vars = |name: &str| (name == "TAG").then(|| "1.2".to_string());
/// assert_eq!(expand("alpine:${TAG}", '\\', &vars).unwrap().value, "alpine:1.2");
/// assert_eq!(expand("${BASE:-debian}:$TAG", '\\', &vars).unwrap().value, "debian:1.2");
/// assert!(!expand("$MISSING", '\\', &vars).unwrap().is_complete());
/// ```
pub fn expand(
    word: &str,
    escape: char,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Expanded, String> {
    let mut ex = Expander {
        chars: word.chars().collect(),
        pos: 0,
        escape,
        lookup,
        unresolved: Vec::new(),
        depth: 0,
    };
    let value = ex.word(None)?;
    Ok(Expanded {
        value,
        unresolved: ex.unresolved,
    })
}

struct Expander<'a> {
    chars: Vec<char>,
    pos: usize,
    escape: char,
    lookup: &'a dyn Fn(&str) -> Option<String>,
    unresolved: Vec<String>,
    depth: usize,
}

impl Expander<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Reads until `stop` (unquoted, at this nesting level) or the end.
    fn word(&mut self, stop: Option<char>) -> Result<String, String> {
        let mut out = String::new();
        while let Some(c) = self.peek() {
            if Some(c) == stop {
                return Ok(out);
            }
            self.pos += 1;
            if c == self.escape {
                if let Some(n) = self.next() {
                    out.push(n);
                }
            } else if c == '\'' {
                while let Some(n) = self.next() {
                    if n == '\'' {
                        break;
                    }
                    out.push(n);
                }
            } else if c == '"' {
                self.double_quoted(&mut out)?;
            } else if c == '$' {
                let v = self.dollar()?;
                out.push_str(&v);
            } else {
                out.push(c);
            }
        }
        if let Some(s) = stop {
            return Err(format!("missing '{s}'"));
        }
        Ok(out)
    }

    fn double_quoted(&mut self, out: &mut String) -> Result<(), String> {
        while let Some(c) = self.next() {
            if c == '"' {
                return Ok(());
            }
            if c == self.escape {
                match self.peek() {
                    Some(p) if p == '"' || p == '$' || p == self.escape => {
                        out.push(p);
                        self.pos += 1;
                    }
                    Some(_) => out.push(c),
                    None => {}
                }
            } else if c == '$' {
                let v = self.dollar()?;
                out.push_str(&v);
            } else {
                out.push(c);
            }
        }
        Ok(())
    }

    fn name(&mut self) -> String {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                self.pos += 1;
            } else {
                break;
            }
        }
        name
    }

    fn get(&mut self, name: &str) -> Option<String> {
        (self.lookup)(name)
    }

    fn note_unresolved(&mut self, name: &str) {
        if !self.unresolved.iter().any(|n| n == name) {
            self.unresolved.push(name.to_owned());
        }
    }

    /// After a `$`.
    fn dollar(&mut self) -> Result<String, String> {
        match self.peek() {
            Some('{') => {
                self.pos += 1;
                self.depth += 1;
                if self.depth > 64 {
                    return Err("substitution nested too deeply".to_owned());
                }
                let r = self.braced();
                self.depth -= 1;
                r
            }
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let name = self.name();
                Ok(self.get(&name).unwrap_or_else(|| {
                    self.note_unresolved(&name);
                    String::new()
                }))
            }
            _ => Ok("$".to_owned()),
        }
    }

    /// After `${`.
    fn braced(&mut self) -> Result<String, String> {
        let name = self.name();
        if name.is_empty() {
            return Err("missing variable name in ${}".to_owned());
        }
        let value = self.get(&name);
        let Some(op) = self.next() else {
            return Err(format!("missing '}}' after ${{{name}"));
        };
        let colon = op == ':';
        let op = if colon {
            self.next()
                .ok_or_else(|| format!("missing '}}' after ${{{name}:"))?
        } else {
            op
        };
        if op == '}' && !colon {
            return Ok(value.unwrap_or_else(|| {
                self.note_unresolved(&name);
                String::new()
            }));
        }
        match op {
            '-' | '+' | '?' => {
                let arg = self.word(Some('}'))?;
                self.pos += 1;
                let set = if colon {
                    value.as_deref().is_some_and(|v| !v.is_empty())
                } else {
                    value.is_some()
                };
                Ok(match op {
                    '-' => {
                        if set {
                            value.unwrap_or_default()
                        } else {
                            arg
                        }
                    }
                    '+' => {
                        if set {
                            arg
                        } else {
                            String::new()
                        }
                    }
                    _ => {
                        if set {
                            value.unwrap_or_default()
                        } else {
                            self.note_unresolved(&name);
                            String::new()
                        }
                    }
                })
            }
            '#' | '%' if !colon => {
                let longest = self.peek() == Some(op);
                if longest {
                    self.pos += 1;
                }
                let pat = self.word(Some('}'))?;
                self.pos += 1;
                let Some(v) = value else {
                    self.note_unresolved(&name);
                    return Ok(String::new());
                };
                Ok(trim_pattern(&v, &pat, op == '#', longest))
            }
            '/' if !colon => {
                // `${VAR/pattern/replacement}` (newer BuildKit): not evaluated here.
                let _ = self.word(Some('}'))?;
                self.pos += 1;
                self.note_unresolved(&name);
                Ok(String::new())
            }
            other => Err(format!("unsupported modifier ({other}) in substitution")),
        }
    }
}

/// Removes the shortest/longest prefix (`#`) or suffix (`%`) matching a glob with `*` and `?`.
fn trim_pattern(value: &str, pat: &str, prefix: bool, longest: bool) -> String {
    // Bounded work: very long values are returned untrimmed.
    if value.len() > 4096 || pat.len() > 256 {
        return value.to_owned();
    }
    let bounds: Vec<usize> = value
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(value.len()))
        .collect();
    let pat: Vec<char> = pat.chars().collect();
    let candidates: Box<dyn Iterator<Item = &usize>> = if prefix == longest {
        Box::new(bounds.iter().rev())
    } else {
        Box::new(bounds.iter())
    };
    for &b in candidates {
        let (part, keep) = if prefix {
            (value.get(..b), value.get(b..))
        } else {
            (value.get(b..), value.get(..b))
        };
        if let (Some(part), Some(keep)) = (part, keep)
            && glob(&pat, &part.chars().collect::<Vec<_>>())
        {
            return keep.to_owned();
        }
    }
    value.to_owned()
}

/// Glob match with `*` and `?` (iterative, O(len(p) * len(s)) worst case).
fn glob(p: &[char], s: &[char]) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        match p.get(pi) {
            Some('*') => {
                star = Some((pi, si));
                pi += 1;
            }
            Some(&c) if c == '?' || Some(&c) == s.get(si) => {
                pi += 1;
                si += 1;
            }
            _ => match star {
                Some((sp, ss)) => {
                    pi = sp + 1;
                    si = ss + 1;
                    star = Some((sp, ss + 1));
                }
                None => return false,
            },
        }
    }
    p.get(pi..)
        .is_some_and(|rest| rest.iter().all(|&c| c == '*'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(word: &str) -> Expanded {
        let vars = |n: &str| match n {
            "A" => Some("alpha".to_owned()),
            "E" => Some(String::new()),
            "V" => Some("v1.2.3".to_owned()),
            _ => None,
        };
        expand(word, '\\', &vars).unwrap()
    }

    #[test]
    fn forms() {
        assert_eq!(ex("$A-${A}").value, "alpha-alpha");
        assert_eq!(ex("${E:-d} ${E-d} ${U:-d} ${U-d}").value, "d  d d");
        assert_eq!(ex("${A:+x} ${E:+x} ${E+x} ${U+x}").value, "x  x ");
        assert_eq!(ex("'$A' \"$A\" \\$A").value, "$A alpha $A");
        assert_eq!(
            ex("${V#v} ${V%.*} ${V%%.*} ${V##*.}").value,
            "1.2.3 v1.2 v1 3"
        );
        assert_eq!(ex("${U:-${A}}").value, "alpha");
        assert_eq!(ex("$ $1 a$").value, "$ $1 a$");
        assert_eq!(ex("$U${U2}").unresolved, ["U", "U2"]);
        assert!(ex("${U:-x}").is_complete());
        assert!(glob(&['a', '*', 'c', '?'], &['a', 'b', 'b', 'c', 'd']));
        assert!(!glob(&['a', '*', 'c'], &['a', 'b', 'd']));
        assert!(glob(&['*'], &[]));
    }

    #[test]
    fn errors() {
        let none = |_: &str| None;
        assert!(expand("${", '\\', &none).is_err());
        assert!(expand("${A", '\\', &none).is_err());
        assert!(expand("${A:-x", '\\', &none).is_err());
        assert!(expand("${A?x/y}", '\\', &none).unwrap().unresolved == ["A"]);
        assert!(expand("${A!}", '\\', &none).is_err());
    }
}
