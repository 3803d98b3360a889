//! The ARM template expression language: the text between the outer brackets of
//! `"[concat('a', parameters('b'))]"`. Literals are single-quoted strings (`''` escapes a
//! quote) and integers; `true`, `false` and `null` are functions, not keywords. Calls may
//! carry a namespace (`__bicep.fn()`), and any expression can be followed by `.property`
//! or `[index]`.

/// Deeper nesting is treated as unparseable (the value becomes unknown) so that a
/// pathological string cannot exhaust the stack.
const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Expr {
    pub kind: ExprKind,
    /// Byte range in the expression text, to name an unknown result by its source.
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ExprKind {
    String(String),
    Number(f64),
    /// `name` is as written, possibly `namespace.function`.
    Call {
        name: String,
        args: Vec<Expr>,
    },
    Member {
        target: Box<Expr>,
        name: String,
    },
    Index {
        target: Box<Expr>,
        index: Box<Expr>,
    },
}

/// What a JSON string means to ARM.
#[derive(Debug, PartialEq)]
pub(crate) enum StringForm<'a> {
    Literal(&'a str),
    /// The text inside the outer brackets.
    Expression(&'a str),
}

/// `[...]` is an expression; `[[...]` is the escape for a literal string starting with `[`.
pub(crate) fn classify_string(s: &str) -> StringForm<'_> {
    if s.len() >= 2 && s.starts_with('[') && s.ends_with(']') {
        if s.starts_with("[[") {
            return StringForm::Literal(&s[1..]);
        }
        return StringForm::Expression(&s[1..s.len() - 1]);
    }
    StringForm::Literal(s)
}

/// Parses an expression; `None` when it is not valid (the caller makes it unknown).
pub(crate) fn parse(text: &str) -> Option<Expr> {
    let mut parser = Parser {
        text: text.as_bytes(),
        src: text,
        pos: 0,
    };
    let expr = parser.expr(0)?;
    parser.skip_ws();
    (parser.pos == parser.text.len()).then_some(expr)
}

struct Parser<'a> {
    text: &'a [u8],
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn ident(&mut self) -> Option<String> {
        self.skip_ws();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        {
            self.pos += 1;
        }
        (self.pos > start).then(|| self.src[start..self.pos].to_string())
    }

    fn expr(&mut self, depth: usize) -> Option<Expr> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let start = self.pos;
        let mut expr = self.primary(depth)?;
        loop {
            if self.eat(b'.') {
                let name = self.ident()?;
                expr = Expr {
                    kind: ExprKind::Member {
                        target: Box::new(expr),
                        name,
                    },
                    start,
                    end: self.pos,
                };
            } else if self.eat(b'[') {
                let index = self.expr(depth + 1)?;
                if !self.eat(b']') {
                    return None;
                }
                expr = Expr {
                    kind: ExprKind::Index {
                        target: Box::new(expr),
                        index: Box::new(index),
                    },
                    start,
                    end: self.pos,
                };
            } else {
                return Some(expr);
            }
        }
    }

    fn primary(&mut self, depth: usize) -> Option<Expr> {
        self.skip_ws();
        let start = self.pos;
        let kind = match self.peek()? {
            b'\'' => ExprKind::String(self.string()?),
            b'-' | b'0'..=b'9' => ExprKind::Number(self.number()?),
            _ => {
                let mut name = self.ident()?;
                // `namespace.function(`: only a call may follow an identifier.
                if self.eat(b'.') {
                    name.push('.');
                    name.push_str(&self.ident()?);
                }
                if !self.eat(b'(') {
                    return None;
                }
                let mut args = Vec::new();
                if !self.eat(b')') {
                    loop {
                        args.push(self.expr(depth + 1)?);
                        if self.eat(b')') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                ExprKind::Call { name, args }
            }
        };
        Some(Expr {
            kind,
            start,
            end: self.pos,
        })
    }

    fn string(&mut self) -> Option<String> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        loop {
            let rest = self.src.get(self.pos..)?;
            let quote = rest.find('\'')?;
            out.push_str(&rest[..quote]);
            self.pos += quote + 1;
            if self.peek() == Some(b'\'') {
                out.push('\'');
                self.pos += 1;
            } else {
                return Some(out);
            }
        }
    }

    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit() || b == b'.') {
            self.pos += 1;
        }
        self.src[start..self.pos].parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, expr: &Expr) -> bool {
        matches!(&expr.kind, ExprKind::Call { name: n, .. } if n == name)
    }

    #[test]
    fn parses_calls_members_and_indexes() {
        let text = "resourceGroup().location";
        let e = parse(text).unwrap();
        let ExprKind::Member { target, name } = &e.kind else {
            panic!("{e:?}")
        };
        assert_eq!(name, "location");
        assert!(call("resourceGroup", target));
        assert_eq!(&text[e.start..e.end], text);

        let e = parse(" parameters( 'a' )[0] ['b'].c ").unwrap();
        assert!(matches!(e.kind, ExprKind::Member { .. }));

        let e = parse("__bicep.myFn(1, -2, 'it''s')").unwrap();
        let ExprKind::Call { name, args } = &e.kind else {
            panic!()
        };
        assert_eq!(name, "__bicep.myFn");
        assert_eq!(args[1].kind, ExprKind::Number(-2.0));
        assert_eq!(args[2].kind, ExprKind::String("it's".into()));
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "", "(", "'open", "f(", "f(a", "f(1,)", "x", "f() g()", "f().", "f()[", "f()[1", "ü(",
            "-", "1..2", "'é''",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
        let deep = format!("{}{}", "f(".repeat(200), ")".repeat(200));
        assert!(parse(&deep).is_none());
    }

    #[test]
    fn string_forms() {
        assert_eq!(classify_string("[f()]"), StringForm::Expression("f()"));
        assert_eq!(classify_string("[[f()]"), StringForm::Literal("[f()]"));
        assert_eq!(classify_string("[x"), StringForm::Literal("[x"));
        assert_eq!(classify_string("["), StringForm::Literal("["));
        assert_eq!(classify_string("plain"), StringForm::Literal("plain"));
    }
}
