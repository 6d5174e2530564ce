//! Tokenizer and parser for the rule language (docs/rules.md): text to a generic syntax tree.
//! Names are not checked here; `compile.rs` turns the tree into a typed [`crate::trial::Rule`].

use std::fmt;

/// A parse or compile error at a byte offset within the rule text.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at character {})", self.message, self.offset + 1)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Ge,
    Gt,
    Le,
    Lt,
    Eq,
}

impl Op {
    pub fn symbol(self) -> &'static str {
        match self {
            Op::Ge => "≥",
            Op::Gt => ">",
            Op::Le => "≤",
            Op::Lt => "<",
            Op::Eq => "=",
        }
    }
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Ge => a >= b,
            Op::Gt => a > b,
            Op::Le => a <= b,
            Op::Lt => a < b,
            Op::Eq => (a - b).abs() < 1e-9,
        }
    }
}

/// An argument value: `3 "g/L"`, `"text"`, `name`, `[a, b]`, `true`.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Number(f64, Option<String>),
    Text(String),
    Name(String),
    List(Vec<Value>),
    Bool(bool),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Positional(Node),
    Keyword(String, Value, usize),
}

/// The generic syntax tree.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    /// A bare name or a call: `age`, `has(malignancy, status=[active])`.
    Call {
        name: String,
        args: Option<Vec<Arg>>,
        offset: usize,
    },
    /// A number literal (only meaningful as the first argument of `at_least`).
    Number(f64, usize),
    Compare {
        left: Box<Node>,
        op: Op,
        value: f64,
        unit: Option<String>,
        offset: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    Num(f64),
    Str(String),
    Op(Op),
    LParen,
    RParen,
    LBrack,
    RBrack,
    Comma,
    Assign,
}

fn tokenize(src: &str) -> Result<Vec<(Tok, usize)>, SyntaxError> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBrack),
            ']' => Some(Tok::RBrack),
            ',' => Some(Tok::Comma),
            _ => None,
        };
        if let Some(t) = single {
            out.push((t, at));
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).map(|&(_, c)| c);
        match c {
            '>' | '<' | '=' => {
                let (tok, len) = match (c, next) {
                    ('>', Some('=')) => (Tok::Op(Op::Ge), 2),
                    ('<', Some('=')) => (Tok::Op(Op::Le), 2),
                    ('=', Some('=')) => (Tok::Op(Op::Eq), 2),
                    ('>', _) => (Tok::Op(Op::Gt), 1),
                    ('<', _) => (Tok::Op(Op::Lt), 1),
                    _ => (Tok::Assign, 1),
                };
                out.push((tok, at));
                i += len;
            }
            '"' => {
                let mut j = i + 1;
                let mut s = String::new();
                while j < chars.len() && chars[j].1 != '"' {
                    s.push(chars[j].1);
                    j += 1;
                }
                if j >= chars.len() {
                    return Err(SyntaxError {
                        offset: at,
                        message: "unclosed string".into(),
                    });
                }
                out.push((Tok::Str(s), at));
                i = j + 1;
            }
            c if c.is_ascii_digit()
                || c == '.'
                || (c == '-' && chars.get(i + 1).is_some_and(|&(_, d)| d.is_ascii_digit())) =>
            {
                // A leading minus belongs to the number (a change of -10 %).
                let mut j = if c == '-' { i + 1 } else { i };
                while j < chars.len() && (chars[j].1.is_ascii_digit() || chars[j].1 == '.') {
                    j += 1;
                }
                let end = chars.get(j).map_or(src.len(), |&(b, _)| b);
                let text = &src[at..end];
                let n: f64 = text.parse().map_err(|_| SyntaxError {
                    offset: at,
                    message: format!("'{text}' is not a number"),
                })?;
                out.push((Tok::Num(n), at));
                i = j;
            }
            c if c.is_alphabetic() || c == '_' => {
                let mut j = i;
                while j < chars.len() && (chars[j].1.is_alphanumeric() || chars[j].1 == '_') {
                    j += 1;
                }
                let end = chars.get(j).map_or(src.len(), |&(b, _)| b);
                out.push((Tok::Ident(src[at..end].to_string()), at));
                i = j;
            }
            other => {
                return Err(SyntaxError {
                    offset: at,
                    message: format!("unexpected character '{other}'"),
                });
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    /// How deeply the parse is nested (brackets, calls, `not`).
    depth: usize,
}

/// The deepest nesting a rule may have: far beyond any criterion, and far below what would
/// overflow the stack when the rule is compiled or evaluated.
pub const MAX_DEPTH: usize = 64;

/// Parses a rule expression into a syntax tree.
pub fn parse(src: &str) -> Result<Node, SyntaxError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        end: src.len(),
        depth: 0,
    };
    if p.toks.is_empty() {
        return Err(SyntaxError {
            offset: 0,
            message: "empty rule".into(),
        });
    }
    let node = p.expr()?;
    if let Some((t, at)) = p.toks.get(p.pos) {
        return Err(SyntaxError {
            offset: *at,
            message: format!("unexpected {} after the end of the rule", describe(t)),
        });
    }
    Ok(node)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("'{s}'"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Op(o) => format!("'{}'", o.symbol()),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBrack => "'['".into(),
        Tok::RBrack => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Assign => "'='".into(),
    }
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }
    fn offset(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end, |(_, o)| *o)
    }
    fn err<T>(&self, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            offset: self.offset(),
            message: message.into(),
        })
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
    }
    fn expect(&mut self, want: Tok, what: &str) -> Result<(), SyntaxError> {
        match self.peek() {
            Some(t) if *t == want => {
                self.pos += 1;
                Ok(())
            }
            Some(t) => {
                let d = describe(t);
                self.err(format!("expected {what}, found {d}"))
            }
            None => self.err(format!("expected {what}, found the end of the rule")),
        }
    }

    /// Runs `f` one level deeper, refusing a rule nested beyond [`MAX_DEPTH`].
    fn nested(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<Node, SyntaxError>,
    ) -> Result<Node, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return self.err(format!(
                "the rule is nested more than {MAX_DEPTH} levels deep here"
            ));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn expr(&mut self) -> Result<Node, SyntaxError> {
        self.nested(Self::expr_inner)
    }

    fn expr_inner(&mut self) -> Result<Node, SyntaxError> {
        let mut parts = vec![self.and()?];
        while self.is_word("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Node, SyntaxError> {
        let mut parts = vec![self.unary()?];
        while self.is_word("and") {
            self.pos += 1;
            parts.push(self.unary()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Node::And(parts)
        })
    }

    fn unary(&mut self) -> Result<Node, SyntaxError> {
        if self.is_word("not") && !matches!(self.toks.get(self.pos + 1), Some((Tok::LParen, _))) {
            self.pos += 1;
            return Ok(Node::Not(Box::new(self.nested(Self::unary)?)));
        }
        let left = self.term()?;
        if let Some(Tok::Op(op)) = self.peek().cloned() {
            let offset = self.offset();
            self.pos += 1;
            let value = match self.peek() {
                Some(Tok::Num(n)) => *n,
                _ => return self.err("expected a number after the comparison"),
            };
            self.pos += 1;
            let unit = match self.peek() {
                Some(Tok::Str(s)) => {
                    let s = s.clone();
                    self.pos += 1;
                    Some(s)
                }
                _ => None,
            };
            return Ok(Node::Compare {
                left: Box::new(left),
                op,
                value,
                unit,
                offset,
            });
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Node, SyntaxError> {
        let offset = self.offset();
        match self.peek().cloned() {
            Some(Tok::LParen) => {
                self.pos += 1;
                let e = self.expr()?;
                self.expect(Tok::RParen, "')'")?;
                Ok(e)
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(Node::Number(n, offset))
            }
            Some(Tok::Ident(name)) => {
                if matches!(name.as_str(), "and" | "or") {
                    return self.err(format!("'{name}' needs a condition before it"));
                }
                self.pos += 1;
                if self.peek() != Some(&Tok::LParen) {
                    return Ok(Node::Call {
                        name,
                        args: None,
                        offset,
                    });
                }
                self.pos += 1;
                let mut args = Vec::new();
                if self.peek() == Some(&Tok::RParen) {
                    self.pos += 1;
                } else {
                    loop {
                        args.push(self.arg()?);
                        match self.peek() {
                            Some(Tok::Comma) => self.pos += 1,
                            Some(Tok::RParen) => {
                                self.pos += 1;
                                break;
                            }
                            _ => return self.err("expected ',' or ')' in the argument list"),
                        }
                    }
                }
                Ok(Node::Call {
                    name,
                    args: Some(args),
                    offset,
                })
            }
            Some(t) => {
                let d = describe(&t);
                self.err(format!("expected a condition, found {d}"))
            }
            None => self.err("expected a condition, found the end of the rule"),
        }
    }

    fn arg(&mut self) -> Result<Arg, SyntaxError> {
        if let (Some((Tok::Ident(k), at)), Some((Tok::Assign, _))) =
            (self.toks.get(self.pos), self.toks.get(self.pos + 1))
        {
            let (k, at) = (k.clone(), *at);
            self.pos += 2;
            let v = self.value()?;
            return Ok(Arg::Keyword(k, v, at));
        }
        Ok(Arg::Positional(self.expr()?))
    }

    fn value(&mut self) -> Result<Value, SyntaxError> {
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                if let Some(Tok::Str(u)) = self.peek().cloned() {
                    self.pos += 1;
                    return Ok(Value::Number(n, Some(u)));
                }
                Ok(Value::Number(n, None))
            }
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(Value::Text(s))
            }
            Some(Tok::Ident(s)) => {
                self.pos += 1;
                Ok(match s.as_str() {
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => Value::Name(s),
                })
            }
            Some(Tok::LBrack) => {
                self.pos += 1;
                let mut items = Vec::new();
                if self.peek() == Some(&Tok::RBrack) {
                    self.pos += 1;
                    return Ok(Value::List(items));
                }
                loop {
                    items.push(self.value()?);
                    match self.peek() {
                        Some(Tok::Comma) => self.pos += 1,
                        Some(Tok::RBrack) => {
                            self.pos += 1;
                            break;
                        }
                        _ => return self.err("expected ',' or ']' in the list"),
                    }
                }
                Ok(Value::List(items))
            }
            _ => self.err("expected a value: a number, a \"string\", a name or a [list]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_and_binds_tighter_than_or() {
        let n = parse("a or b and c").unwrap();
        match n {
            Node::Or(parts) => {
                assert_eq!(parts.len(), 2);
                assert!(matches!(parts[1], Node::And(_)));
            }
            other => panic!("expected or, got {other:?}"),
        }
    }

    #[test]
    fn comparison_with_unit_and_keyword_args() {
        let n = parse(r#"lab(hemoglobin) >= 60 "g/L" and has(x, status=[active, cured])"#).unwrap();
        let Node::And(parts) = n else {
            panic!("expected and")
        };
        assert!(matches!(
            &parts[0],
            Node::Compare { op: Op::Ge, value, unit: Some(u), .. } if *value == 60.0 && u == "g/L"
        ));
        let Node::Call {
            args: Some(args), ..
        } = &parts[1]
        else {
            panic!("expected call")
        };
        assert!(
            matches!(&args[1], Arg::Keyword(k, Value::List(v), _) if k == "status" && v.len() == 2)
        );
    }

    #[test]
    fn errors_carry_offsets() {
        let e = parse("age >= ").unwrap_err();
        assert_eq!(e.offset, 7);
        let e = parse("age >= 3 )").unwrap_err();
        assert_eq!(e.offset, 9);
        assert!(parse("").is_err());
        assert!(parse("\"abc").unwrap_err().message.contains("unclosed"));
    }

    #[test]
    fn not_binds_to_the_next_term() {
        let n = parse("not a and b").unwrap();
        let Node::And(parts) = n else { panic!() };
        assert!(matches!(parts[0], Node::Not(_)));
        // `not(...)` as a call form works too.
        assert!(matches!(parse("not(a)").unwrap(), Node::Call { .. }));
    }
}
