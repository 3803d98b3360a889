//! The stdio transport: LSP base-protocol framing (`Content-Length` headers) read with bounds.
//!
//! lsp-server's own stdio transport ends the session on the first malformed message and
//! allocates whatever `Content-Length` says before reading. An editor, a misbehaving plugin
//! or anything else writing to the pipe must not be able to crash or stop the server, so
//! here every malformed message is answered with a JSON-RPC error (-32700 parse error,
//! -32600 invalid request; `id` null when it cannot be read) and reading goes on.
//!
//! After a header block that cannot be trusted (no length, a bad length, a length over
//! [`MAX_BODY`]) the body that may follow has an unknown extent; reading resumes at the next
//! `Content-Length:` in the stream, which is where the next well-formed message starts.

use crossbeam_channel::{bounded, Sender};
use lsp_server::{Connection, ErrorCode, Message};
use serde_json::{json, Value};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// The largest message body read. A scanned file is at most 16 MiB; its JSON-escaped text
/// in `didOpen` fits with room to spare.
pub const MAX_BODY: u64 = 64 << 20;
/// One header line, and the number of header lines in one message.
const MAX_HEADER_LINE: usize = 8 << 10;
const MAX_HEADERS: usize = 32;
/// Messages read ahead while the server is busy: enough for the main loop to see a burst of
/// edits (and lint once), few enough to bound memory.
const READ_AHEAD: usize = 8;

/// What the next read from the client gave.
#[derive(Debug)]
pub enum Incoming {
    Message(Message),
    /// A JSON-RPC error response (as JSON) to send back; reading goes on.
    Malformed(Value),
    /// The client closed the stream.
    End,
}

pub struct Reader<R> {
    inner: R,
    /// The last header block could not be trusted: skip to the next `Content-Length:`.
    resync: bool,
}

enum Line {
    Text(Vec<u8>),
    TooLong,
    End,
}

impl<R: BufRead> Reader<R> {
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            resync: false,
        }
    }

    pub fn read(&mut self) -> io::Result<Incoming> {
        let mut length: Option<Result<u64, String>> = None;
        let mut headers = 0;
        let mut problem: Option<String> = None;
        if std::mem::take(&mut self.resync) {
            if !skip_past(&mut self.inner, b"content-length:")? {
                return Ok(Incoming::End);
            }
            match read_line(&mut self.inner)? {
                Line::Text(rest) => length = Some(parse_length(&rest)),
                Line::TooLong => problem = Some("a header line is too long".to_string()),
                Line::End => return Ok(Incoming::End),
            }
            headers = 1;
        }
        loop {
            let line = match read_line(&mut self.inner)? {
                Line::End => return Ok(Incoming::End),
                Line::TooLong => {
                    problem.get_or_insert_with(|| "a header line is too long".to_string());
                    headers += 1;
                    continue;
                }
                Line::Text(line) => line,
            };
            if line.is_empty() {
                if headers == 0 {
                    // Blank lines between messages carry nothing.
                    continue;
                }
                break;
            }
            headers += 1;
            if headers > MAX_HEADERS {
                problem.get_or_insert_with(|| format!("more than {MAX_HEADERS} header lines"));
                self.resync = true;
                return Ok(Incoming::Malformed(error(
                    None,
                    ErrorCode::ParseError,
                    problem.unwrap_or_default(),
                )));
            }
            // Found anywhere in the line: a body sent without a valid length runs into the
            // next message's header with no line break between them.
            match find_ignore_case(&line, b"content-length:") {
                Some(at) => length = Some(parse_length(&line[at + 15..])),
                None if !line.contains(&b':') => {
                    problem.get_or_insert_with(|| "a header line without `:`".to_string());
                }
                None => {} // Content-Type or another header: nothing to act on.
            }
        }
        let length = match (problem, length) {
            (Some(problem), _) => Err(problem),
            (None, None) => Err("no Content-Length header".to_string()),
            (None, Some(Err(e))) => Err(e),
            (None, Some(Ok(n))) if n > MAX_BODY => Err(format!(
                "Content-Length {n} is over the limit of {MAX_BODY} bytes"
            )),
            (None, Some(Ok(n))) => Ok(n),
        };
        let length = match length {
            Ok(n) => n,
            Err(problem) => {
                self.resync = true;
                return Ok(Incoming::Malformed(error(
                    None,
                    ErrorCode::ParseError,
                    format!("{problem}; skipped to the next message"),
                )));
            }
        };
        let mut body = Vec::with_capacity(length as usize);
        (&mut self.inner).take(length).read_to_end(&mut body)?;
        if (body.len() as u64) < length {
            return Ok(Incoming::End);
        }
        Ok(parse_body(&body))
    }
}

/// A message body to a message, or the error response it deserves.
pub fn parse_body(body: &[u8]) -> Incoming {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Incoming::Malformed(error(
                None,
                ErrorCode::ParseError,
                format!("the message is not valid UTF-8 ({e})"),
            ))
        }
    };
    let value: Value = match serde_json::from_str(text) {
        Ok(value) => value,
        Err(e) => {
            return Incoming::Malformed(error(
                None,
                ErrorCode::ParseError,
                format!("the message is not valid JSON ({e})"),
            ))
        }
    };
    let id = match value.get("id") {
        Some(id @ Value::String(_)) => Some(id.clone()),
        Some(Value::Number(n)) if n.as_i64().is_some_and(|n| i32::try_from(n).is_ok()) => {
            Some(Value::Number(n.clone()))
        }
        _ => None,
    };
    let problem = match &value {
        Value::Array(_) => "batches are not part of the Language Server Protocol",
        Value::Object(_) => "not a JSON-RPC request, response or notification",
        _ => "a JSON-RPC message is an object",
    };
    if !value.is_object() {
        return Incoming::Malformed(error(None, ErrorCode::InvalidRequest, problem.to_string()));
    }
    // lsp-server's untagged `Message` would read `{"id": 1, "method": 5}` as a response
    // with no result: a message with a method is a request or a notification, and a
    // response has a result or an error.
    let parsed = match (value.get("method"), value.get("id")) {
        (Some(_), Some(_)) => serde_json::from_value(value).map(Message::Request),
        (Some(_), None) => serde_json::from_value(value).map(Message::Notification),
        (None, Some(_)) if value.get("result").is_some() || value.get("error").is_some() => {
            serde_json::from_value(value).map(Message::Response)
        }
        (None, _) => {
            return Incoming::Malformed(error(id, ErrorCode::InvalidRequest, problem.to_string()))
        }
    };
    match parsed {
        Ok(message) => Incoming::Message(message),
        Err(e) => Incoming::Malformed(error(
            id,
            ErrorCode::InvalidRequest,
            format!("{problem} ({e})"),
        )),
    }
}

fn error(id: Option<Value>, code: ErrorCode, message: String) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id.unwrap_or(Value::Null),
        "error": {"code": code as i32, "message": message},
    })
}

fn parse_length(value: &[u8]) -> Result<u64, String> {
    let text = String::from_utf8_lossy(value);
    let text = text.trim();
    let shown: String = text
        .chars()
        .take(24)
        .collect::<String>()
        .escape_debug()
        .to_string();
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("Content-Length `{shown}` is not a byte count"));
    }
    text.parse::<u64>()
        .map_err(|_| format!("Content-Length `{shown}` is out of range"))
}

/// One line without its `\r\n`, at most [`MAX_HEADER_LINE`] bytes (the rest of a longer
/// line is consumed and dropped).
fn read_line(r: &mut impl BufRead) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut too_long = false;
    loop {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(Line::End);
        }
        let newline = buf.iter().position(|&b| b == b'\n');
        let (length, used) = match newline {
            Some(i) => (i, i + 1),
            None => (buf.len(), buf.len()),
        };
        if line.len() + length <= MAX_HEADER_LINE {
            line.extend_from_slice(&buf[..length]);
        } else {
            too_long = true;
        }
        r.consume(used);
        if newline.is_some() {
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            return Ok(if too_long {
                Line::TooLong
            } else {
                Line::Text(line)
            });
        }
    }
}

/// Consume the stream up to and including `needle` (ASCII, matched ignoring case); false
/// at the end of the stream.
fn skip_past(r: &mut impl BufRead, needle: &[u8]) -> io::Result<bool> {
    let mut matched = 0;
    loop {
        let buf = match r.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(false);
        }
        let mut used = 0;
        for &b in buf {
            used += 1;
            if b.eq_ignore_ascii_case(&needle[matched]) {
                matched += 1;
            } else {
                matched = usize::from(b.eq_ignore_ascii_case(&needle[0]));
            }
            if matched == needle.len() {
                r.consume(used);
                return Ok(true);
            }
        }
        r.consume(used);
    }
}

fn find_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

pub struct IoThreads {
    writer: JoinHandle<()>,
}

impl IoThreads {
    /// Wait until every message sent has been written. The reader is not waited for: it
    /// may be blocked on a client that keeps the pipe open after `exit`.
    pub fn join(self) {
        let _ = self.writer.join();
    }
}

/// A connection on standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_client, outgoing) = bounded::<Message>(0);
    let (incoming, from_client) = bounded::<Message>(READ_AHEAD);
    let writer = std::thread::spawn(move || {
        for message in outgoing {
            let mut out = io::stdout().lock();
            // The client has gone when this fails; the main loop ends when its pipe closes.
            if message.write(&mut out).and_then(|()| out.flush()).is_err() {
                return;
            }
        }
    });
    std::thread::spawn(move || read_loop(io::stdin().lock(), &incoming));
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        IoThreads { writer },
    )
}

fn read_loop(input: impl BufRead, incoming: &Sender<Message>) {
    let mut reader = Reader::new(input);
    loop {
        match reader.read() {
            Ok(Incoming::Message(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                if incoming.send(message).is_err() || exit {
                    return;
                }
            }
            Ok(Incoming::Malformed(response)) => {
                let text = response.to_string();
                let mut out = io::stdout().lock();
                let written = write!(out, "Content-Length: {}\r\n\r\n{text}", text.len())
                    .and_then(|()| out.flush());
                if written.is_err() {
                    return;
                }
            }
            Ok(Incoming::End) | Err(_) => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8]) -> Vec<Incoming> {
        let mut reader = Reader::new(io::Cursor::new(input.to_vec()));
        let mut out = Vec::new();
        loop {
            match reader.read().unwrap() {
                Incoming::End => return out,
                other => out.push(other),
            }
        }
    }

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const PING: &str = r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#;

    /// The error code of each malformed reply, then the id of the request read after them.
    fn codes_then_ping(input: &[u8]) -> (Vec<i64>, Option<String>) {
        let mut codes = Vec::new();
        let mut ping = None;
        for item in frames(input) {
            match item {
                Incoming::Malformed(v) => codes.push(v["error"]["code"].as_i64().unwrap()),
                Incoming::Message(Message::Request(r)) => ping = Some(r.id.to_string()),
                other => panic!("unexpected {other:?}"),
            }
        }
        (codes, ping)
    }

    fn then_ping(first: &[u8]) -> Vec<u8> {
        let mut input = first.to_vec();
        input.extend(frame(PING));
        input
    }

    #[test]
    fn invalid_json_is_a_parse_error_and_reading_goes_on() {
        let input = then_ping(&frame("{not json"));
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
    }

    #[test]
    fn a_batch_is_an_invalid_request() {
        let input = then_ping(&frame(&format!("[{PING}]")));
        assert_eq!(codes_then_ping(&input), (vec![-32600], Some("7".into())));
    }

    #[test]
    fn a_lone_surrogate_is_a_parse_error() {
        let body = r#"{"jsonrpc":"2.0","method":"x","params":"\ud800"}"#;
        let input = then_ping(&frame(body));
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
    }

    #[test]
    fn invalid_utf8_is_a_parse_error() {
        let mut input = b"Content-Length: 4\r\n\r\n\"\xff\xfe\"".to_vec();
        input.extend(frame(PING));
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
    }

    #[test]
    fn negative_missing_and_garbage_lengths_are_parse_errors() {
        for header in [
            "Content-Length: -5\r\n",
            "Content-Length: 5x\r\n",
            "Content-Length:\r\n",
            "Content-Type: application/json\r\n",
        ] {
            let input = then_ping(format!("{header}\r\n{{\"a\":1}}").as_bytes());
            assert_eq!(
                codes_then_ping(&input),
                (vec![-32700], Some("7".into())),
                "{header}"
            );
        }
    }

    #[test]
    fn a_huge_length_is_refused_without_allocating_it() {
        let input = then_ping(b"Content-Length: 99999999999999\r\n\r\n{\"a\":1}");
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
        let input = then_ping(b"Content-Length: 999999999999999999999999\r\n\r\n{}");
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
    }

    #[test]
    fn an_object_that_is_no_message_keeps_its_id() {
        let input = then_ping(&frame(r#"{"jsonrpc":"2.0","id":3,"method":5}"#));
        let replies = frames(&input);
        let Incoming::Malformed(reply) = &replies[0] else {
            panic!("{replies:?}")
        };
        assert_eq!(reply["id"], 3);
        assert_eq!(reply["error"]["code"], -32600);
        let input = then_ping(&frame("42"));
        assert_eq!(codes_then_ping(&input), (vec![-32600], Some("7".into())));
    }

    #[test]
    fn an_endless_header_line_is_bounded() {
        let mut input = b"X-Junk: ".to_vec();
        input.extend(std::iter::repeat_n(b'a', 1 << 20));
        input.extend(b"\r\n\r\n");
        let input = then_ping(&input);
        assert_eq!(codes_then_ping(&input), (vec![-32700], Some("7".into())));
    }

    #[test]
    fn a_truncated_body_ends_the_stream() {
        assert!(frames(b"Content-Length: 100\r\n\r\n{}").is_empty());
    }
}
