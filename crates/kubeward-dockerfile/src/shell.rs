//! A small POSIX-shell reader for `RUN` scripts: splits a script into simple commands
//! (words with quotes removed) and records which ones pipe into the next. It does not
//! execute or expand anything; it is precise enough for the hardening checks.

/// One simple command of a script.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Words with quotes removed; redirections and their targets are dropped.
    pub words: Vec<String>,
    /// The command's stdout is piped (`|` or `|&`) into the next command.
    pub piped_to_next: bool,
}

impl Command {
    /// The words from the actual program on: shell keywords (`then`, `do`, ...), variable
    /// assignments and wrappers (`sudo`, `env`, `exec`, `command`, `nohup`, `time`, `nice`)
    /// are skipped. The flag says whether `sudo` was among them.
    #[must_use]
    pub fn program(&self) -> (&[String], bool) {
        let mut w: &[String] = &self.words;
        let mut sudo = false;
        loop {
            let Some((first, rest)) = w.split_first() else {
                return (w, sudo);
            };
            let name = basename(first);
            if matches!(
                name,
                "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "!" | "{" | "}"
            ) || is_assignment(first)
            {
                w = rest;
                continue;
            }
            match name {
                "sudo" | "doas" => {
                    sudo = true;
                    w = skip_options(rest, &["-u", "-g", "-C", "-h", "-p", "-U", "-r", "-t"]);
                }
                "env" => {
                    w = skip_options(rest, &["-u", "-C", "-S"]);
                }
                "exec" | "command" | "nohup" | "time" | "builtin" => {
                    w = skip_options(rest, &[]);
                }
                "nice" => {
                    w = skip_options(rest, &["-n"]);
                }
                _ => return (w, sudo),
            }
        }
    }

    /// The program name (basename of the first word after wrappers), if any.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.program().0.first().map(|w| basename(w))
    }
}

fn skip_options<'a>(mut w: &'a [String], with_value: &[&str]) -> &'a [String] {
    while let Some((first, rest)) = w.split_first() {
        if first == "--" {
            return rest;
        }
        if !first.starts_with('-') || first == "-" {
            break;
        }
        w = if with_value.contains(&first.as_str()) {
            rest.get(1..).unwrap_or(&[])
        } else {
            rest
        };
    }
    w
}

/// `NAME=value` (a shell variable assignment prefix).
#[must_use]
pub fn is_assignment(word: &str) -> bool {
    match word.split_once('=') {
        Some((name, _)) => {
            let mut c = name.chars();
            c.next()
                .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
                && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
        }
        None => false,
    }
}

/// The last path component (`/usr/bin/apt-get` -> `apt-get`).
#[must_use]
pub fn basename(word: &str) -> &str {
    word.rsplit('/').next().unwrap_or(word)
}

struct Reader {
    chars: Vec<char>,
    pos: usize,
    commands: Vec<Command>,
    current: Command,
    word: String,
    in_word: bool,
    skip_next_word: bool,
}

impl Reader {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn end_word(&mut self) {
        if self.in_word {
            let w = std::mem::take(&mut self.word);
            if self.skip_next_word {
                self.skip_next_word = false;
            } else {
                self.current.words.push(w);
            }
        }
        self.in_word = false;
    }

    fn end_command(&mut self, piped: bool) {
        self.end_word();
        if self.current.words.is_empty() {
            if piped && let Some(prev) = self.commands.last_mut() {
                prev.piped_to_next = true;
            }
            return;
        }
        self.current.piped_to_next = piped;
        self.commands.push(std::mem::take(&mut self.current));
    }

    /// Copies a balanced `(...)` group verbatim into the current word (for `$(...)`, `<(...)`).
    fn group(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            self.word.push(c);
            match c {
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                '\\' => {
                    if let Some(n) = self.peek(0) {
                        self.word.push(n);
                        self.pos += 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn run(&mut self) {
        while let Some(c) = self.peek(0) {
            match c {
                ' ' | '\t' | '\r' => {
                    self.pos += 1;
                    self.end_word();
                }
                '\n' | ';' => {
                    self.pos += 1;
                    self.end_command(false);
                }
                '&' => {
                    self.pos += 1;
                    if self.peek(0) == Some('&') {
                        self.pos += 1;
                    }
                    self.end_command(false);
                }
                '|' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some('|') => {
                            self.pos += 1;
                            self.end_command(false);
                        }
                        Some('&') => {
                            self.pos += 1;
                            self.end_command(true);
                        }
                        _ => self.end_command(true),
                    }
                }
                '(' | ')' => {
                    self.pos += 1;
                    self.end_command(false);
                }
                '#' if !self.in_word => {
                    while let Some(n) = self.peek(0) {
                        if n == '\n' {
                            break;
                        }
                        self.pos += 1;
                    }
                }
                '<' | '>' if self.peek(1) == Some('(') => {
                    self.in_word = true;
                    self.word.push(c);
                    self.pos += 1;
                    self.group();
                }
                '<' | '>' => {
                    if self.in_word && self.word.chars().all(|d| d.is_ascii_digit()) {
                        self.word.clear();
                        self.in_word = false;
                    }
                    self.end_word();
                    while let Some('<' | '>' | '&' | '-' | '|') = self.peek(0) {
                        self.pos += 1;
                    }
                    // `2>&1`: a numeric target right after `&` is a descriptor.
                    self.skip_next_word = true;
                }
                '\\' => {
                    self.pos += 1;
                    match self.peek(0) {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            self.in_word = true;
                            self.word.push(n);
                            self.pos += 1;
                        }
                        None => {}
                    }
                }
                '\'' => {
                    self.in_word = true;
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        self.pos += 1;
                        if n == '\'' {
                            break;
                        }
                        self.word.push(n);
                    }
                }
                '"' => {
                    self.in_word = true;
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        if n == '"' {
                            self.pos += 1;
                            break;
                        }
                        if n == '\\'
                            && let Some(e) = self.peek(1)
                        {
                            if !matches!(e, '"' | '\\' | '$' | '`' | '\n') {
                                self.word.push('\\');
                            }
                            if e != '\n' {
                                self.word.push(e);
                            }
                            self.pos += 2;
                            continue;
                        }
                        if n == '$' && self.peek(1) == Some('(') {
                            self.pos += 1;
                            self.word.push('$');
                            self.group();
                            continue;
                        }
                        self.word.push(n);
                        self.pos += 1;
                    }
                }
                '$' if self.peek(1) == Some('(') => {
                    self.in_word = true;
                    self.word.push('$');
                    self.pos += 1;
                    self.group();
                }
                '`' => {
                    self.in_word = true;
                    self.word.push('`');
                    self.pos += 1;
                    while let Some(n) = self.peek(0) {
                        self.pos += 1;
                        self.word.push(n);
                        if n == '`' {
                            break;
                        }
                    }
                }
                _ => {
                    self.in_word = true;
                    self.word.push(c);
                    self.pos += 1;
                }
            }
        }
        self.end_command(false);
    }
}

/// Splits a shell script into simple commands.
///
/// ```
/// use kubeward_dockerfile::shell::commands;
/// let cmds = commands("curl -fsSL https://x.sh | sudo bash && rm -rf '/tmp/a b'");
/// assert_eq!(cmds.len(), 3);
/// assert!(cmds[0].piped_to_next);
/// assert_eq!(cmds[1].program(), (&["bash".to_string()][..], true));
/// assert_eq!(cmds[2].words, ["rm", "-rf", "/tmp/a b"]);
/// ```
#[must_use]
pub fn commands(script: &str) -> Vec<Command> {
    let mut r = Reader {
        chars: script.chars().collect(),
        pos: 0,
        commands: Vec::new(),
        current: Command::default(),
        word: String::new(),
        in_word: false,
        skip_next_word: false,
    };
    r.run();
    r.commands
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn separators_and_quotes() {
        assert_eq!(
            words("a b; c \"d e\" 'f'\\\n g || h & i\n# comment\nj"),
            [
                vec!["a", "b"],
                vec!["c", "d e", "f", "g"],
                vec!["h"],
                vec!["i"],
                vec!["j"]
            ]
        );
    }

    #[test]
    fn redirections_dropped() {
        assert_eq!(
            words("echo x > /dev/null 2>&1; cat <<EOF >/f"),
            [vec!["echo", "x"], vec!["cat"]]
        );
    }

    #[test]
    fn substitutions_stay_in_words() {
        let c = commands("sh -c \"$(curl -fsSL https://x | cat)\"; bash <(wget -qO- u)");
        assert_eq!(c[0].words[2], "$(curl -fsSL https://x | cat)");
        assert_eq!(c[1].words[1], "<(wget -qO- u)");
    }

    #[test]
    fn program_skips_wrappers() {
        let c = commands(
            "if true; then DEBIAN_FRONTEND=noninteractive sudo -u root env A=b apt-get install x; fi",
        );
        let (prog, sudo) = c[1].program();
        assert!(sudo);
        assert_eq!(prog[0], "apt-get");
        assert_eq!(c[1].name(), Some("apt-get"));
    }
}
