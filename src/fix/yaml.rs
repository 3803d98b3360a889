//! YAML (Kubernetes manifests): replace a scalar, or add `key: value` (and the mappings it
//! needs) as the first entry of a block mapping, indented like its entries.

use super::{line_indent, Literal, Syntax};

pub struct Yaml;

impl Syntax for Yaml {
    fn value_span(&self, text: &str, (start, end): (usize, usize)) -> Option<(usize, usize)> {
        let entry = text.get(start..end)?;
        // The first `:` followed by a blank ends a plain or quoted key.
        let colon = entry
            .char_indices()
            .find(|(i, c)| {
                *c == ':'
                    && entry[i + 1..]
                        .chars()
                        .next()
                        .is_none_or(|n| n == ' ' || n == '\n' || n == '\t')
            })?
            .0;
        let value = &entry[colon + 1..];
        let value = value.split('\n').next().unwrap_or("");
        let value_start = start + colon + 1 + (value.len() - value.trim_start().len());
        let value_end = start + colon + 1 + value.trim_end().len();
        (value_start < value_end).then_some((value_start, value_end))
    }

    fn is_literal(&self, value: &str) -> bool {
        let value = value.trim();
        !value.is_empty()
            && !value.contains(" #")
            && !value.starts_with(['*', '&', '!', '|', '>', '[', '{', '#'])
    }

    fn render(&self, value: &Literal) -> String {
        match value {
            Literal::Bool(b) => b.to_string(),
            Literal::Str(s) => {
                let plain = !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
                    && !matches!(
                        s.to_ascii_lowercase().as_str(),
                        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
                    )
                    && s.parse::<f64>().is_err();
                if plain {
                    s.clone()
                } else {
                    serde_json::Value::String(s.clone()).to_string()
                }
            }
        }
    }

    fn insert(
        &self,
        text: &str,
        anchor: usize,
        path: &[&str],
        value: &Literal,
    ) -> Option<(usize, String)> {
        // The anchor must be a `key:` line opening a block mapping (or a `- ` list item that
        // starts one); the new entry goes right below it, indented like the next line.
        let line_end = text[anchor..].find('\n').map(|i| anchor + i)?;
        let line = text[anchor..line_end].trim_end();
        let outer = line_indent(text, anchor);
        let (first_key, indent) = if let Some(item) = line.strip_prefix("- ") {
            // `- name: app`: the item's keys are indented past the dash.
            let key = item.split(':').next()?.trim();
            (key, format!("{outer}  "))
        } else {
            if !line.ends_with(':') {
                return None;
            }
            let key = line.trim_end_matches(':').trim();
            let next = text[line_end + 1..]
                .lines()
                .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))?;
            let indent = &next[..next.len() - next.trim_start().len()];
            if indent.len() <= outer.len() || next.trim_start().starts_with("- ") {
                return None;
            }
            (key, indent.to_string())
        };
        let remaining = match path.iter().position(|s| *s == first_key) {
            Some(i) => &path[i + 1..],
            None => path,
        };
        if remaining.is_empty() {
            return None;
        }
        let mut out = String::new();
        let mut level = indent;
        for (i, key) in remaining.iter().enumerate() {
            if i + 1 == remaining.len() {
                out.push_str(&format!("{level}{key}: {}\n", self.render(value)));
            } else {
                out.push_str(&format!("{level}{key}:\n"));
                level.push_str("  ");
            }
        }
        Some((line_end + 1, out))
    }
}
