//! Just enough POSIX shell to see the commands of a `RUN` line or a pipeline script: words
//! (quotes removed) with their byte offsets, split at `;`, `&&`, `||`, `&`, newlines and
//! pipes. No expansion is performed: `$(...)` and backquotes stay inside their word.

/// One simple command: its words, and whether its output is piped into the next command.
#[derive(Clone, Debug, PartialEq)]
pub struct Command {
    pub words: Vec<Word>,
    pub piped: bool,
}

/// A word of a command, quotes removed, with its byte offsets in the script (or the file).
#[derive(Clone, Debug, PartialEq)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

impl Command {
    /// The words after leading `VAR=value` assignments and wrappers (`sudo`, `env`, ...).
    pub fn argv(&self) -> &[Word] {
        let mut i = 0;
        let mut sudo = false;
        while let Some(Word { text: w, .. }) = self.words.get(i) {
            let assignment = w.split_once('=').is_some_and(|(n, _)| {
                !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            });
            let wrapper = matches!(
                w.as_str(),
                "sudo"
                    | "env"
                    | "exec"
                    | "time"
                    | "nohup"
                    | "command"
                    | "then"
                    | "do"
                    | "else"
                    | "!"
                    | "{"
                    | "("
            );
            if assignment || wrapper || (sudo && w.starts_with('-')) {
                sudo |= w == "sudo";
                i += 1;
                continue;
            }
            break;
        }
        &self.words[i..]
    }

    /// The program's base name (`/usr/bin/curl` → `curl`).
    pub fn program(&self) -> Option<&str> {
        let w = &self.argv().first()?.text;
        Some(w.rsplit(['/', '\\']).next().unwrap_or(w))
    }

    /// The words after the program, as text.
    pub fn args(&self) -> impl Iterator<Item = &str> {
        self.argv().iter().skip(1).map(|w| w.text.as_str())
    }
}

/// The commands of a script in order.
pub fn commands(script: &str) -> Vec<Command> {
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut current: Option<(String, usize)> = None;
    let bytes = script.as_bytes();
    let mut chars = script.char_indices().peekable();
    let finish_word = |current: &mut Option<(String, usize)>, words: &mut Vec<_>, end: usize| {
        if let Some((text, start)) = current.take() {
            words.push(Word { text, start, end });
        }
    };
    let mut end_command = |words: &mut Vec<Word>, piped: bool| {
        if !words.is_empty() {
            out.push(Command {
                words: std::mem::take(words),
                piped,
            });
        }
    };
    while let Some((at, c)) = chars.next() {
        match c {
            ' ' | '\t' | '\r' => finish_word(&mut current, &mut words, at),
            '\n' | ';' | '(' | ')' => {
                finish_word(&mut current, &mut words, at);
                end_command(&mut words, false);
            }
            '&' => {
                finish_word(&mut current, &mut words, at);
                if chars.peek().is_some_and(|&(_, n)| n == '&') {
                    chars.next();
                }
                end_command(&mut words, false);
            }
            '|' => {
                finish_word(&mut current, &mut words, at);
                match chars.peek() {
                    Some(&(_, '|')) => {
                        chars.next();
                        end_command(&mut words, false);
                    }
                    Some(&(_, '&')) => {
                        chars.next();
                        end_command(&mut words, true);
                    }
                    _ => end_command(&mut words, true),
                }
            }
            '#' if current.is_none() => {
                // A comment runs to the end of the line.
                while chars.peek().is_some_and(|&(_, n)| n != '\n') {
                    chars.next();
                }
            }
            '\'' | '"' => {
                let word = current.get_or_insert_with(|| (String::new(), at));
                while let Some((_, d)) = chars.next() {
                    if d == c {
                        break;
                    }
                    if c == '"' && d == '\\' {
                        if let Some((_, n)) = chars.next() {
                            word.0.push(n);
                        }
                        continue;
                    }
                    word.0.push(d);
                }
            }
            '\\' => {
                let word = current.get_or_insert_with(|| (String::new(), at));
                if let Some((_, n)) = chars.next() {
                    if n != '\n' {
                        word.0.push(n);
                    }
                }
            }
            '$' if bytes.get(at + 1) == Some(&b'(') => {
                // `$( ... )` stays one word, nested parentheses counted.
                let word = current.get_or_insert_with(|| (String::new(), at));
                word.0.push('$');
                let mut depth = 0usize;
                for (_, d) in chars.by_ref() {
                    word.0.push(d);
                    match d {
                        '(' => depth += 1,
                        ')' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
            }
            c => current.get_or_insert_with(|| (String::new(), at)).0.push(c),
        }
    }
    finish_word(&mut current, &mut words, script.len());
    end_command(&mut words, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<(Vec<String>, bool)> {
        commands(script)
            .into_iter()
            .map(|c| (c.words.into_iter().map(|w| w.text).collect(), c.piped))
            .collect()
    }

    #[test]
    fn splits_commands_and_pipes() {
        let got = texts("apt-get update && apt-get install -y 'openssh-server' ; curl -fsSL https://x | sudo bash -s -- a # tail\nsshd");
        assert_eq!(got.len(), 5);
        assert_eq!(got[1].0, ["apt-get", "install", "-y", "openssh-server"]);
        assert!(got[2].1);
        assert_eq!(got[3].0[0], "sudo");
        assert_eq!(got[4].0, ["sshd"]);
        let c = &commands("X=1 sudo -E /usr/bin/curl $(echo a) | sh")[0];
        assert_eq!(c.program(), Some("curl"));
        assert_eq!(c.args().collect::<Vec<_>>(), ["$(echo a)"]);
    }

    #[test]
    fn offsets_point_into_the_script() {
        let script = "echo  \"a b\" | wget -qO- x";
        let cmds = commands(script);
        let Word { text, start, end } = &cmds[0].words[1];
        assert_eq!(text, "a b");
        assert_eq!(&script[*start..*end], "\"a b\"");
        assert_eq!(
            &script[cmds[1].words[0].start..cmds[1].words[0].end],
            "wget"
        );
    }
}
