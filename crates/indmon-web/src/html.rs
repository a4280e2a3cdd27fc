//! Writing HTML: escaping, the page frame (header, navigation, language switch,
//! footer) and the chart figure every chart uses (canvas, table alternative,
//! downloads, source line).

use std::fmt::Write as _;

use indmon_report::Source;
use serde_json::Value;

use crate::i18n::Lang;

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped so
/// that no text can close the block.
pub fn json_block(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Replaces `{name}` placeholders in a text.
pub fn fill(text: &str, args: &[(&str, &str)]) -> String {
    let mut s = text.to_string();
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

/// A page of the dashboard: its path and its name key.
pub struct PageId {
    /// URL path.
    pub path: &'static str,
    /// Text key of its name.
    pub key: &'static str,
}

/// The pages in the navigation, in order.
pub const PAGES: &[PageId] = &[
    PageId {
        path: "/",
        key: "overview",
    },
    PageId {
        path: "/target",
        key: "target",
    },
    PageId {
        path: "/markets",
        key: "markets",
    },
    PageId {
        path: "/dependencies",
        key: "dependencies",
    },
    PageId {
        path: "/programmes",
        key: "programmes",
    },
    PageId {
        path: "/data",
        key: "data",
    },
];

/// A link to `path` in `lang` (Dutch needs no parameter).
pub fn href(path: &str, lang: Lang) -> String {
    match lang {
        Lang::Nl => path.to_string(),
        Lang::En => format!("{path}?lang=en"),
    }
}

/// The whole page: `title`, the page's `path` (for the navigation and the language
/// switch) and the `main` content.
pub fn page(lang: Lang, path: &str, title: &str, main: &str) -> String {
    let mut nav = String::new();
    for p in PAGES {
        let current = if p.path == path {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = write!(
            nav,
            "<li class=\"nav__item\"><a class=\"nav__link\" href=\"{}\"{current}>{}</a></li>",
            esc(&href(p.path, lang)),
            esc(lang.t(p.key))
        );
    }
    let other = lang.other();
    format!(
        r##"<!DOCTYPE html>
<html lang="{code}" class="voorbeeld-theme">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} — indmon</title>
<link rel="icon" href="/assets/icon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/vendor/design-tokens.css">
<link rel="stylesheet" href="/assets/vendor/components.css">
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/vendor/echarts.min.js" defer></script>
<script src="/assets/app.js" defer></script>
</head>
<body class="utrecht-document">
<a class="nl-skip-link nl-skip-link--visible-on-focus" href="#main">{skip}</a>
<header class="site-header">
<div class="wrap header-row">
<a class="brand" href="{home}">indmon</a>
<nav id="main-nav" aria-label="{navlabel}"><ul class="nav">{nav}</ul></nav>
<a id="lang-toggle" class="lang-toggle" href="{other_href}" hreflang="{other_code}" lang="{other_code}">{other_name}</a>
</div>
</header>
<main id="main" class="wrap">
{main}
</main>
<footer class="site-footer"><div class="wrap"><p class="nl-paragraph">{footer}</p></div></footer>
</body>
</html>
"##,
        code = lang.code(),
        title = esc(title),
        skip = esc(lang.t("skip")),
        home = esc(&href("/", lang)),
        navlabel = esc(lang.t("nav")),
        other_href = esc(&href(path, other)),
        other_code = other.code(),
        other_name = esc(other.name()),
        footer = esc(lang.t("footer")),
    )
}

/// A table: `caption`, header cells, rows (already formatted text).
pub fn table(id: Option<&str>, caption: &str, head: &[String], rows: &[Vec<String>]) -> String {
    let mut s = String::new();
    let id = id
        .map(|i| format!(" id=\"{}\"", esc(i)))
        .unwrap_or_default();
    let _ = write!(
        s,
        "<table class=\"utrecht-table utrecht-table--html-table\"{id}><caption class=\"utrecht-table__caption\">{}</caption><thead class=\"utrecht-table__header\"><tr class=\"utrecht-table__row\">",
        esc(caption)
    );
    for h in head {
        let _ = write!(
            s,
            "<th scope=\"col\" class=\"utrecht-table__header-cell\">{}</th>",
            esc(h)
        );
    }
    s.push_str("</tr></thead><tbody class=\"utrecht-table__body\">");
    for r in rows {
        s.push_str("<tr class=\"utrecht-table__row\">");
        for (k, c) in r.iter().enumerate() {
            if k == 0 {
                let _ = write!(
                    s,
                    "<th scope=\"row\" class=\"utrecht-table__header-cell\">{}</th>",
                    esc(c)
                );
            } else {
                let _ = write!(
                    s,
                    "<td class=\"utrecht-table__cell utrecht-table__cell--numeric-column\">{}</td>",
                    esc(c)
                );
            }
        }
        s.push_str("</tr>");
    }
    s.push_str("</tbody></table>");
    s
}

/// The source line of a figure: each vintage with a link to its entry on the data
/// page, and the method version.
pub fn source_line(lang: Lang, sources: &[Source], method: &str) -> String {
    let mut s = format!(
        "<p class=\"source nl-paragraph\">{}: ",
        esc(lang.t("source"))
    );
    for (k, src) in sources.iter().enumerate() {
        if k > 0 {
            s.push_str("; ");
        }
        let release = src
            .release
            .clone()
            .unwrap_or_else(|| lang.t("not_published").to_string());
        let scope = src
            .scope
            .as_ref()
            .map(|x| format!(" ({})", esc(x)))
            .unwrap_or_default();
        let synthetic = if src.synthetic {
            format!(" <strong>[{}]</strong>", esc(lang.t("synthetic")))
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "{} — {}{scope}, {} {}, <a class=\"nl-link\" href=\"{}#{}\">{} {}</a>{synthetic}",
            esc(&src.publisher),
            esc(&src.title),
            esc(lang.t("release_col")).to_lowercase(),
            esc(&release),
            esc(&href("/data", lang)),
            esc(&anchor(&src.dataset, &src.vintage)),
            esc(&lang.t("vintage").to_lowercase()),
            esc(&src.vintage)
        );
    }
    let _ = write!(s, ". {} {}.</p>", esc(lang.t("method")), esc(method));
    s
}

/// The id of a vintage's row on the data page.
pub fn anchor(dataset: &str, vintage: &str) -> String {
    format!("v-{dataset}-{vintage}")
}

/// A chart figure.
pub struct Figure<'a> {
    /// Element id, e.g. `fig-share`.
    pub id: &'a str,
    /// Title (also the table caption).
    pub title: String,
    /// One or two sentences saying what the chart shows.
    pub desc: String,
    /// The ECharts option (series, axes, colours); the page script adds the number
    /// formats and the tooltip.
    pub option: Value,
    /// Unit of the values (`%` or `pp`), for the axis labels.
    pub unit: &'a str,
    /// The data as a table: header and rows, aligned with the chart's categories when
    /// `tooltip_rows` is set.
    pub head: Vec<String>,
    /// Rows of the table.
    pub rows: Vec<Vec<String>>,
    /// Whether row k of the table belongs to category k of the chart (the tooltip
    /// then shows that row).
    pub tooltip_rows: bool,
    /// The CSV of the data (an API URL).
    pub csv: String,
    /// File name of the downloads, without extension.
    pub filename: String,
    /// Where the figures come from.
    pub sources: &'a [Source],
    /// Method version.
    pub method: &'a str,
    /// Extra fields for the data block (e.g. the target value).
    pub extra: Value,
}

impl Figure<'_> {
    /// The HTML of the figure.
    pub fn render(&self, lang: Lang) -> String {
        let id = esc(self.id);
        let mut data = serde_json::json!({
            "option": self.option,
            "unit": self.unit,
            "lang": lang.code(),
            "filename": self.filename,
            "table": { "head": self.head, "rows": if self.tooltip_rows { serde_json::json!(self.rows) } else { Value::Null } },
        });
        if let (Some(d), Some(e)) = (data.as_object_mut(), self.extra.as_object()) {
            for (k, v) in e {
                d.insert(k.clone(), v.clone());
            }
        }
        format!(
            r#"<figure class="chart" id="{id}" aria-labelledby="{id}-title">
<figcaption><h2 class="nl-heading nl-heading--level-2" id="{id}-title">{title}</h2><p class="nl-paragraph">{desc}</p></figcaption>
<div class="chart-canvas" id="{id}-canvas" role="img" aria-label="{title}. {desc}"></div>
<script type="application/json" id="{id}-data">{data}</script>
<div class="chart-actions"><span class="chart-actions__label">{download}:</span>
<button type="button" class="utrecht-button utrecht-button--secondary-action" data-download="png" data-chart="{id}" aria-label="{png_label}">PNG</button>
<button type="button" class="utrecht-button utrecht-button--secondary-action" data-download="svg" data-chart="{id}" aria-label="{svg_label}">SVG</button>
<a class="nl-link" data-download="csv" href="{csv}" download="{filename}.csv" aria-label="{csv_label}">CSV</a></div>
<details class="chart-table"><summary>{table_label}</summary>{table}</details>
{source}
</figure>
"#,
            title = esc(&self.title),
            desc = esc(&self.desc),
            data = json_block(&data),
            download = esc(lang.t("download")),
            png_label = esc(&format!("{} — {}", lang.t("png"), self.title)),
            svg_label = esc(&format!("{} — {}", lang.t("svg"), self.title)),
            csv_label = esc(&format!("{} — {}", lang.t("csv_of"), self.title)),
            csv = esc(&self.csv),
            filename = esc(&self.filename),
            table_label = esc(&format!("{}: {}", lang.t("table"), self.title)),
            table = table(None, &self.title, &self.head, &self.rows),
            source = source_line(lang, self.sources, self.method),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_and_attributes() {
        assert_eq!(
            esc(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        let v = serde_json::json!({"t": "</script><script>alert(1)</script>"});
        let b = json_block(&v);
        assert!(!b.contains("</script"), "{b}");
        let back: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn links_keep_the_language() {
        assert_eq!(href("/target", Lang::Nl), "/target");
        assert_eq!(href("/target", Lang::En), "/target?lang=en");
        let p = page(Lang::En, "/target", "T", "<p>x</p>");
        assert!(p.contains(r#"<html lang="en""#));
        assert!(p.contains(r#"id="lang-toggle" class="lang-toggle" href="/target""#));
        assert!(p.contains(r#"href="/target?lang=en" aria-current="page""#));
    }
}
