//! Find the line and column of a value inside a JSON text by path
//! (serde_json reports positions only for errors; this gives positions to
//! semantic issues such as a malformed OSV range event).

/// One step of a JSON path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

struct Scan<'a> {
    b: &'a [u8],
    i: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }
    fn eat(&mut self, c: u8) -> Option<()> {
        self.ws();
        (self.peek()? == c).then(|| self.i += 1)
    }
    /// A string starting at the current `"`; returns its raw (still escaped) body.
    fn string(&mut self) -> Option<&[u8]> {
        self.ws();
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let start = self.i;
        loop {
            match self.peek()? {
                b'\\' => self.i += 2,
                b'"' => {
                    let s = self.b.get(start..self.i)?;
                    self.i += 1;
                    return Some(s);
                }
                _ => self.i += 1,
            }
        }
    }
    /// Skip one value of any kind.
    fn skip(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.i += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, b',' | b'}' | b']') && !c.is_ascii_whitespace())
                {
                    self.i += 1;
                }
                Some(())
            }
        }
    }
}

/// The 1-based (line, column) of the value at `path` in `text`; columns count characters.
pub(crate) fn locate(text: &[u8], path: &[Seg<'_>]) -> Option<(usize, usize)> {
    let mut s = Scan { b: text, i: 0 };
    for seg in path {
        match *seg {
            Seg::Key(k) => {
                s.eat(b'{')?;
                loop {
                    let matched = s.string()? == k.as_bytes();
                    s.eat(b':')?;
                    if matched {
                        break;
                    }
                    s.skip()?;
                    s.eat(b',')?;
                }
            }
            Seg::Index(n) => {
                s.eat(b'[')?;
                for _ in 0..n {
                    s.skip()?;
                    s.eat(b',')?;
                }
            }
        }
    }
    s.ws();
    let before = text.get(..s.i)?;
    let line = before.iter().filter(|&&c| c == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(before.get(line_start..)?)
        .chars()
        .count()
        + 1;
    Some((line, col))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values() {
        let t = br#"{
  "id": "X", "s": "a\"}]",
  "affected": [
    {"package": {}},
    {"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"bogus": "1"}]}]}
  ]
}"#;
        let p = [
            Seg::Key("affected"),
            Seg::Index(1),
            Seg::Key("ranges"),
            Seg::Index(0),
            Seg::Key("events"),
            Seg::Index(1),
        ];
        assert_eq!(locate(t, &p), Some((5, 71)));
        assert_eq!(locate(t, &[Seg::Key("id")]), Some((2, 9)));
        assert_eq!(locate(t, &[Seg::Key("nope")]), None);
        assert_eq!(locate(b"[1", &[Seg::Index(3)]), None);
    }
}
