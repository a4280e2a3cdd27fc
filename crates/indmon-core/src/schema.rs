//! Declared table schemas.
//!
//! Every source describes the columns it produces as data (in the TOML files of
//! `indmon-sources/specs/`): name, type, nullability, unit, and simple checks. The
//! parsers build Arrow batches from that description and every batch is checked
//! against it before anything is written to the store.

use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// The column types a source may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// UTF-8 text.
    Utf8,
    /// 32-bit signed integer (years, small codes).
    Int32,
    /// 64-bit signed integer.
    Int64,
    /// 64-bit float (values).
    Float64,
    /// true / false.
    Boolean,
}

impl ColumnType {
    /// The name used in messages and in the declared schemas.
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Utf8 => "utf8",
            ColumnType::Int32 => "int32",
            ColumnType::Int64 => "int64",
            ColumnType::Float64 => "float64",
            ColumnType::Boolean => "boolean",
        }
    }
}

/// One declared column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnSpec {
    /// Column name in the store (and in SQL).
    pub name: String,
    /// Column name in the input file, when it differs from `name`.
    #[serde(default)]
    pub from: Option<String>,
    /// Type in the store.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// Whether the column may hold missing values.
    #[serde(default)]
    pub nullable: bool,
    /// What the column holds.
    #[serde(default)]
    pub description: String,
    /// Unit of a numeric column (e.g. "million EUR", "thousand USD").
    #[serde(default)]
    pub unit: Option<String>,
    /// Smallest allowed value (numeric columns).
    #[serde(default)]
    pub min: Option<f64>,
    /// Largest allowed value (numeric columns).
    #[serde(default)]
    pub max: Option<f64>,
    /// Exact length in characters (text columns).
    #[serde(default)]
    pub len: Option<usize>,
    /// Input tokens that mean "missing" for this column (besides the empty string).
    #[serde(default)]
    pub null_tokens: Vec<String>,
}

impl ColumnSpec {
    /// The name of the column in the input file.
    pub fn input_name(&self) -> &str {
        self.from.as_deref().unwrap_or(&self.name)
    }
}

/// A declared table schema: named, versioned, with a primary key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSchema {
    /// Schema name, e.g. `na_obs`.
    pub name: String,
    /// Schema version; bumped when columns change.
    pub version: u32,
    /// What a row is.
    #[serde(default)]
    pub description: String,
    /// Columns that together identify a row; duplicates are refused at ingest.
    #[serde(default)]
    pub key: Vec<String>,
    /// The columns, in order.
    pub columns: Vec<ColumnSpec>,
}

impl TableSchema {
    /// Checks that names are unique, that key columns exist, and that checks fit the
    /// column types. (A key column may be nullable: a missing value then counts as one
    /// value of its own, as in the `series` of national-accounts observations.)
    pub fn check(&self) -> Result<()> {
        let err = |message: String| Error::Schema {
            schema: self.name.clone(),
            message,
        };
        if self.columns.is_empty() {
            return Err(err("no columns declared".into()));
        }
        for (i, c) in self.columns.iter().enumerate() {
            if self.columns[..i].iter().any(|d| d.name == c.name) {
                return Err(err(format!("column '{}' declared twice", c.name)));
            }
            if c.len.is_some() && c.ty != ColumnType::Utf8 {
                return Err(err(format!(
                    "column '{}': len applies to utf8 only",
                    c.name
                )));
            }
            if (c.min.is_some() || c.max.is_some())
                && !matches!(
                    c.ty,
                    ColumnType::Int32 | ColumnType::Int64 | ColumnType::Float64
                )
            {
                return Err(err(format!(
                    "column '{}': min/max apply to numeric columns only",
                    c.name
                )));
            }
        }
        for k in &self.key {
            if self.column(k).is_none() {
                return Err(err(format!("key column '{k}' is not declared")));
            }
        }
        Ok(())
    }

    /// The column called `name`.
    pub fn column(&self, name: &str) -> Option<&ColumnSpec> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Position of the column called `name`.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(toml_text: &str) -> TableSchema {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn a_consistent_schema_passes() {
        let s = schema(
            r#"
            name = "t"
            version = 1
            key = ["a"]
            [[columns]]
            name = "a"
            type = "utf8"
            len = 6
            [[columns]]
            name = "v"
            type = "float64"
            nullable = true
            min = 0
            "#,
        );
        s.check().unwrap();
        assert_eq!(s.index_of("v"), Some(1));
    }

    #[test]
    fn inconsistent_schemas_are_refused() {
        let missing_key =
            schema("name='t'\nversion=1\nkey=['b']\n[[columns]]\nname='a'\ntype='utf8'\n");
        assert!(
            missing_key
                .check()
                .unwrap_err()
                .to_string()
                .contains("not declared")
        );
        let twice = schema(
            "name='t'\nversion=1\n[[columns]]\nname='a'\ntype='utf8'\n[[columns]]\nname='a'\ntype='int32'\n",
        );
        assert!(
            twice
                .check()
                .unwrap_err()
                .to_string()
                .contains("declared twice")
        );
        let bad_len = schema("name='t'\nversion=1\n[[columns]]\nname='a'\ntype='int32'\nlen=3\n");
        assert!(bad_len.check().is_err());
    }
}
