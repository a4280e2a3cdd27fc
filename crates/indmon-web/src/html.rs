//! Writing HTML: the page frame (header, navigation, language switch, footer), tables
//! and the chart figure every chart uses (canvas, table alternative, downloads, source
//! line).
//!
//! Every page is built with [`maud`]'s `html!` templates, which escape every value they
//! interpolate: text and attribute values alike. A [`Markup`] is HTML built that way and
//! is inserted as it is; the only other unescaped output is [`JsonScript`], JSON written
//! for a `<script type="application/json">` block with `<`, `>` and `&` escaped so that
//! no data can close the block.

use indmon_report::Source;
use maud::{DOCTYPE, Markup, Render, html};
use serde_json::Value;

use crate::i18n::Lang;

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` escaped so
/// that no text can close the block.
pub fn json_block(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A JSON value rendered into a `<script type="application/json">` element: the
/// content of a script element is not entity-decoded, so the value is escaped for that
/// context ([`json_block`]) instead of as HTML text.
pub struct JsonScript<'a>(pub &'a Value);

impl Render for JsonScript<'_> {
    fn render_to(&self, buffer: &mut String) {
        buffer.push_str(&json_block(self.0));
    }
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
        path: "/mutual",
        key: "mutual",
    },
    PageId {
        path: "/crm",
        key: "crm",
    },
    PageId {
        path: "/programmes",
        key: "programmes",
    },
    PageId {
        path: "/evaluation",
        key: "evaluation",
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

/// `path` with the trade dataset (when one is named) and the language.
pub(crate) fn with_dataset(path: &str, dataset: Option<&str>, lang: Lang) -> String {
    let mut query = Vec::new();
    if let Some(d) = dataset {
        query.push(format!("dataset={}", encode(d)));
    }
    if lang == Lang::En {
        query.push("lang=en".to_string());
    }
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query.join("&"))
    }
}

/// The page of a product's dependency story, on `dataset` (when named), in `lang`.
pub(crate) fn product_href(hs6: &str, dataset: Option<&str>, lang: Lang) -> String {
    with_dataset(&format!("/dependencies/{}", encode(hs6)), dataset, lang)
}

/// The page of a critical raw material, in `lang`.
pub(crate) fn material_href(material: &str, lang: Lang) -> String {
    href(&format!("/crm/{}", encode(material)), lang)
}

/// Percent-encodes everything but unreserved characters (RFC 3986), for a path
/// segment or a query value.
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The whole page: `title`, the page's `path` (for the navigation and the language
/// switch) and the `main` content.
pub fn page(lang: Lang, path: &str, title: &str, main: Markup) -> String {
    let other = lang.other();
    html! {
        (DOCTYPE) "\n"
        html lang=(lang.code()) class="voorbeeld-theme" {
            "\n"
            head {
                "\n"
                meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                title { (title) " — indmon" } "\n"
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml"; "\n"
                link rel="stylesheet" href="/assets/vendor/design-tokens.css"; "\n"
                link rel="stylesheet" href="/assets/vendor/components.css"; "\n"
                link rel="stylesheet" href="/assets/app.css"; "\n"
                script src="/assets/vendor/echarts.min.js" defer {} "\n"
                script src="/assets/app.js" defer {} "\n"
            }
            "\n"
            body class="utrecht-document" {
                "\n"
                a class="nl-skip-link nl-skip-link--visible-on-focus" href="#main" { (lang.t("skip")) } "\n"
                header class="site-header" {
                    "\n"
                    div class="wrap header-row" {
                        "\n"
                        a class="brand" href=(href("/", lang)) { "indmon" } "\n"
                        nav id="main-nav" aria-label=(lang.t("nav")) {
                            ul class="nav" {
                                @for p in PAGES {
                                    li class="nav__item" {
                                        a class="nav__link" href=(href(p.path, lang)) aria-current=[(p.path == path).then_some("page")] { (lang.t(p.key)) }
                                    }
                                }
                            }
                        }
                        "\n"
                        a id="lang-toggle" class="lang-toggle" href=(href(path, other)) hreflang=(other.code()) lang=(other.code()) { (other.name()) } "\n"
                    }
                    "\n"
                }
                "\n"
                main id="main" class="wrap" { "\n" (main) "\n" }
                "\n"
                footer class="site-footer" { div class="wrap" { p class="nl-paragraph" { (lang.t("footer")) } } }
                "\n"
            }
            "\n"
        }
        "\n"
    }
    .into_string()
}

/// The caption and the header row of a table.
pub fn table_head(caption: &str, head: &[impl AsRef<str>]) -> Markup {
    html! {
        caption class="utrecht-table__caption" { (caption) }
        thead class="utrecht-table__header" {
            tr class="utrecht-table__row" {
                @for h in head { th scope="col" class="utrecht-table__header-cell" { (h.as_ref()) } }
            }
        }
    }
}

/// The rows of a table body: the first cell of a row is its header, the others are
/// cells of `td_class`. A cell is text (escaped) or markup.
pub fn table_rows(rows: &[Vec<impl Render>], td_class: &str) -> Markup {
    html! {
        @for r in rows {
            tr class="utrecht-table__row" {
                @for (k, c) in r.iter().enumerate() {
                    @if k == 0 {
                        th scope="row" class="utrecht-table__header-cell" { (c) }
                    } @else {
                        td class=(td_class) { (c) }
                    }
                }
            }
        }
    }
}

/// A table of text: `caption`, header cells, rows (the first cell of a row is its
/// header, the others are numbers).
pub fn table(id: Option<&str>, caption: &str, head: &[String], rows: &[Vec<String>]) -> Markup {
    html! {
        table class="utrecht-table utrecht-table--html-table" id=[id] {
            (table_head(caption, head))
            tbody class="utrecht-table__body" {
                (table_rows(rows, "utrecht-table__cell utrecht-table__cell--numeric-column"))
            }
        }
    }
}

/// A table of text whose row headers may be links: `links[k]`, when given, is the
/// target of the first cell of row `k` (the cell stays a row header holding a link, so
/// the table reads the same to assistive technology).
pub fn table_linked(
    id: Option<&str>,
    caption: &str,
    head: &[String],
    rows: &[Vec<String>],
    links: &[Option<String>],
) -> Markup {
    let cells: Vec<Vec<Markup>> = rows
        .iter()
        .enumerate()
        .map(|(k, r)| {
            r.iter()
                .enumerate()
                .map(|(j, c)| match links.get(k).and_then(|l| l.as_deref()) {
                    Some(url) if j == 0 => html! { a class="nl-link" href=(url) { (c) } },
                    _ => html! { (c) },
                })
                .collect()
        })
        .collect();
    html! {
        table class="utrecht-table utrecht-table--html-table" id=[id] {
            (table_head(caption, head))
            tbody class="utrecht-table__body" {
                (table_rows(&cells, "utrecht-table__cell utrecht-table__cell--numeric-column"))
            }
        }
    }
}

/// The source line of a figure: each vintage with a link to its entry on the data
/// page, and the method version.
pub fn source_line(lang: Lang, sources: &[Source], method: &str) -> Markup {
    html! {
        p class="source nl-paragraph" {
            (lang.t("source")) ": "
            @for (k, src) in sources.iter().enumerate() {
                @if k > 0 { "; " }
                (src.publisher) " — " (src.title)
                @if let Some(scope) = &src.scope { " (" (scope) ")" }
                ", " (lang.t("release_col").to_lowercase()) " "
                (src.release.as_deref().unwrap_or(lang.t("not_published"))) ", "
                a class="nl-link" href={ (href("/data", lang)) "#" (anchor(&src.dataset, &src.vintage)) } {
                    (lang.t("vintage").to_lowercase()) " " (src.vintage)
                }
                @if src.synthetic { " " strong { "[" (lang.t("synthetic")) "]" } }
            }
            ". " (lang.t("method")) " " (method) "."
        }
    }
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
    /// The HTML of the figure, its title a level-2 heading.
    pub fn render(&self, lang: Lang) -> Markup {
        self.render_at(lang, 2)
    }

    /// The HTML of the figure, its title a heading of `level` (2 or 3).
    pub fn render_at(&self, lang: Lang, level: u8) -> Markup {
        self.render_linked(lang, level, &[])
    }

    /// The HTML of the figure, its title a heading of `level` (2 or 3), the first
    /// cell of row `k` of its table a link to `links[k]` when that is given.
    pub fn render_linked(&self, lang: Lang, level: u8, links: &[Option<String>]) -> Markup {
        let id = self.id;
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
        let title = &self.title;
        let title_id = format!("{id}-title");
        html! {
            figure class="chart" id=(id) aria-labelledby=(title_id) {
                "\n"
                figcaption {
                    @if level == 3 {
                        h3 class="nl-heading nl-heading--level-3" id=(title_id) { (title) }
                    } @else {
                        h2 class="nl-heading nl-heading--level-2" id=(title_id) { (title) }
                    }
                    p class="nl-paragraph" { (self.desc) }
                }
                "\n"
                div class="chart-canvas" id={ (id) "-canvas" } role="img" aria-label={ (title) ". " (self.desc) } {}
                "\n"
                script type="application/json" id={ (id) "-data" } { (JsonScript(&data)) }
                "\n"
                div class="chart-actions" {
                    span class="chart-actions__label" { (lang.t("download")) ":" }
                    "\n"
                    button type="button" class="utrecht-button utrecht-button--secondary-action" data-download="png" data-chart=(id) aria-label={ (lang.t("png")) " — " (title) } { "PNG" }
                    "\n"
                    button type="button" class="utrecht-button utrecht-button--secondary-action" data-download="svg" data-chart=(id) aria-label={ (lang.t("svg")) " — " (title) } { "SVG" }
                    "\n"
                    a class="nl-link" data-download="csv" href=(self.csv) download={ (self.filename) ".csv" } aria-label={ (lang.t("csv_of")) " — " (title) } { "CSV" }
                }
                "\n"
                details class="chart-table" {
                    summary { (lang.t("table")) ": " (title) }
                    (table_linked(None, title, &self.head, &self.rows, links))
                }
                "\n"
                (source_line(lang, self.sources, self.method))
                "\n"
            }
            "\n"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_is_escaped_and_json_cannot_close_its_block() {
        let m = html! { p title=(r#"x" onload="y"#) { (r#"<a href="x">'&'</a>"#) } };
        assert_eq!(
            m.into_string(),
            r#"<p title="x&quot; onload=&quot;y">&lt;a href=&quot;x&quot;&gt;'&amp;'&lt;/a&gt;</p>"#
        );
        let v = serde_json::json!({"t": "</script><script>alert(1)</script>"});
        let b = html! { script type="application/json" { (JsonScript(&v)) } }.into_string();
        assert!(!b[1..].contains("<script"), "{b}");
        assert_eq!(b.matches("</script").count(), 1, "{b}");
        let inner = b
            .trim_start_matches("<script type=\"application/json\">")
            .trim_end_matches("</script>");
        let back: Value = serde_json::from_str(inner).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn a_figure_shows_hostile_text_as_text() {
        let evil = "</script><script>alert(1)</script> =1+1";
        let f = Figure {
            id: "fig-x",
            title: evil.into(),
            desc: evil.into(),
            option: serde_json::json!({ "series": [{ "name": evil }] }),
            unit: "%",
            head: vec![evil.into(), "b".into()],
            rows: vec![vec![evil.into(), "1".into()]],
            tooltip_rows: true,
            csv: "/api/v1/x?a=1&b=\"2\"".into(),
            filename: evil.into(),
            sources: &[],
            method: evil,
            extra: serde_json::json!({}),
        }
        .render(Lang::En)
        .into_string();
        assert!(!f.contains("<script>alert"), "{f}");
        assert_eq!(f.matches("<script").count(), 1, "only the data block: {f}");
        assert_eq!(f.matches("</script>").count(), 1, "{f}");
        assert!(f.contains("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; =1+1"));
        assert!(
            f.contains(r#"href="/api/v1/x?a=1&amp;b=&quot;2&quot;""#),
            "{f}"
        );
        let block = f
            .split(r#"<script type="application/json" id="fig-x-data">"#)
            .nth(1)
            .and_then(|b| b.split("</script>").next())
            .unwrap();
        let data: Value = serde_json::from_str(block).unwrap();
        assert_eq!(data["option"]["series"][0]["name"], evil);
        assert_eq!(data["table"]["rows"][0][0], evil);
    }

    #[test]
    fn a_table_row_header_may_be_a_link_and_stays_a_row_header() {
        let rows = vec![
            vec!["850511 — <magnets>".to_string(), "1".to_string()],
            vec!["280461".to_string(), "2".to_string()],
        ];
        let links = vec![Some("/dependencies/850511?a=1&lang=en".to_string()), None];
        let t = table_linked(None, "c", &["p".into(), "v".into()], &rows, &links).into_string();
        assert!(
            t.contains(r#"<th scope="row" class="utrecht-table__header-cell"><a class="nl-link" href="/dependencies/850511?a=1&amp;lang=en">850511 — &lt;magnets&gt;</a></th>"#),
            "{t}"
        );
        assert!(t.contains(r#"<th scope="row" class="utrecht-table__header-cell">280461</th>"#));
        // no links: the plain table
        assert_eq!(
            table_linked(None, "c", &["p".into()], &rows, &[]).into_string(),
            table(None, "c", &["p".into()], &rows).into_string()
        );
    }

    #[test]
    fn links_keep_the_language() {
        assert_eq!(href("/target", Lang::Nl), "/target");
        assert_eq!(href("/target", Lang::En), "/target?lang=en");
        let p = page(Lang::En, "/target", "T", html! { p { "x" } });
        assert!(p.contains(r#"<html lang="en""#));
        assert!(p.contains(r#"id="lang-toggle" class="lang-toggle" href="/target""#));
        assert!(p.contains(r#"href="/target?lang=en" aria-current="page""#));
    }
}
