//! Finding and reading `aksguard.toml`.

use super::document::{broken_at, Doc};
use super::paths::absolute;
use super::{Config, ConfigError, FILE_NAME};
use std::path::{Path, PathBuf};
use toml::de::DeTable;

impl Config {
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = crate::input::read_text(path).map_err(|error| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("cannot read the configuration: {error}"),
            span: None,
        })?;
        Config::parse(&text, path)
    }

    /// Parses `text` as if it were the file at `path` (which need not exist); the LSP uses
    /// this for an unsaved editor buffer.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let doc = Doc::new(path, text);
        let table = DeTable::parse(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            let at = broken_at(text, span.start, error.message());
            let span = if at == span.start { span } else { at..at };
            doc.error(span, format!("invalid TOML: {}", error.message()))
        })?;
        let root = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => absolute(dir),
            _ => absolute(Path::new(".")),
        };
        let mut config = Config::default_for(&root);
        config.path = Some(path.to_path_buf());
        doc.fill(&mut config, table.get_ref())?;
        Ok(config)
    }

    /// Walks up from `start` (a directory, or a file's directory) to the filesystem root
    /// and returns the first `aksguard.toml`.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = absolute(start);
        let dir = if start.is_dir() {
            start.as_path()
        } else {
            start.parent()?
        };
        dir.ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// `--config FILE` when given, else the nearest `aksguard.toml` above `scan_root`, else
    /// the defaults.
    pub fn resolve(scan_root: &Path, explicit: Option<&Path>) -> Result<Config, ConfigError> {
        match explicit
            .map(Path::to_path_buf)
            .or_else(|| Config::find(scan_root))
        {
            Some(path) => Config::load(&path),
            None => Ok(Config::default_for(scan_root)),
        }
    }
}
