//! Byte offsets ↔ LSP positions in the negotiated encoding, and file paths ↔ `file:` URIs.
//! The only place where the server leaves byte offsets (STYLE: spans until the edge).

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
    Utf32,
}

impl Encoding {
    /// The client's preference order decides among what we support; UTF-16 when the
    /// client says nothing (the protocol's mandatory default).
    pub fn negotiate(offered: Option<&[lsp_types::PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or(&[]);
        offered
            .iter()
            .find_map(|kind| match kind.as_str() {
                "utf-8" => Some(Encoding::Utf8),
                "utf-16" => Some(Encoding::Utf16),
                "utf-32" => Some(Encoding::Utf32),
                _ => None,
            })
            .unwrap_or(Encoding::Utf16)
    }

    pub fn kind(self) -> lsp_types::PositionEncodingKind {
        match self {
            Encoding::Utf8 => lsp_types::PositionEncodingKind::UTF8,
            Encoding::Utf16 => lsp_types::PositionEncodingKind::UTF16,
            Encoding::Utf32 => lsp_types::PositionEncodingKind::UTF32,
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
            Encoding::Utf32 => 1,
        }
    }
}

/// The position of a byte offset (clamped to the text, moved back to a char boundary).
pub fn position(text: &str, offset: usize, encoding: Encoding) -> Position {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..line_start].matches('\n').count() as u32;
    let character = text[line_start..offset]
        .chars()
        .map(|c| encoding.width(c))
        .sum();
    Position { line, character }
}

pub fn range(text: &str, start: usize, end: usize, encoding: Encoding) -> Range {
    Range {
        start: position(text, start, encoding),
        end: position(text, end, encoding),
    }
}

/// The byte offset of a position; past the end of a line means the line's end.
pub fn offset(text: &str, position: Position, encoding: Encoding) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let mut counted = 0;
    for (i, c) in text[line_start..line_end].char_indices() {
        if counted >= position.character {
            return line_start + i;
        }
        counted += encoding.width(c);
    }
    line_end
}

pub fn path_of(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path` names a remote host; only local files are ours.
    let path = rest.strip_prefix("localhost").unwrap_or(rest);
    if !path.starts_with('/') {
        return None;
    }
    let mut bytes = Vec::with_capacity(path.len());
    let raw = path.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' && i + 2 < raw.len() {
            let hex = std::str::from_utf8(&raw[i + 1..i + 3]).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(bytes).ok()?;
    // Windows clients send `file:///c%3A/x`.
    let text = match text.as_bytes() {
        [b'/', drive, b':', ..] if drive.is_ascii_alphabetic() && cfg!(windows) => {
            text[1..].to_string()
        }
        _ => text,
    };
    Some(PathBuf::from(text))
}

pub fn uri_of(path: &Path) -> Option<Uri> {
    let text = path.to_str()?.replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Uri::from_str(&out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_code_units_of_the_negotiated_encoding() {
        // "é" is 2 bytes, 1 UTF-16 unit; "𝄞" is 4 bytes, 2 UTF-16 units.
        let text = "a\né𝄞x = 1\n";
        let x = text.find('x').unwrap();
        assert_eq!(position(text, x, Encoding::Utf8), Position::new(1, 6));
        assert_eq!(position(text, x, Encoding::Utf16), Position::new(1, 3));
        assert_eq!(position(text, x, Encoding::Utf32), Position::new(1, 2));
        for encoding in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            assert_eq!(offset(text, position(text, x, encoding), encoding), x);
        }
        assert_eq!(offset(text, Position::new(0, 99), Encoding::Utf16), 1);
        assert_eq!(
            offset(text, Position::new(9, 0), Encoding::Utf16),
            text.len()
        );
    }

    #[test]
    fn uris_round_trip_with_escapes() {
        let path = Path::new("/tmp/my dir/ä.tf");
        let uri = uri_of(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/my%20dir/%C3%A4.tf");
        assert_eq!(path_of(&uri).unwrap(), path);
        assert!(path_of(&Uri::from_str("untitled:Untitled-1").unwrap()).is_none());
    }
}
