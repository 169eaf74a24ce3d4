//! Text that people wrote, made safe inside the markdown the bot writes. Every escape of user text goes through
//! here, so the job summary, the report and the comments treat it alike.

/// Text shown as written in one line of markdown: no HTML, no emphasis, code, links, tables or line breaks.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' => {}
            '\n' | '\t' => out.push(' '),
            _ => out.push(ch),
        }
    }
    out
}

/// Text in a table cell: [`text`] per line, lines joined with `<br>`, so a cell never ends its row.
pub fn cell(s: &str) -> String {
    s.trim().lines().map(text).collect::<Vec<_>>().join("<br>")
}

/// Text Mermaid shows as written in a label. `"` would end the label, `\` escapes in newer parsers, `#…;` is
/// Mermaid's own entity syntax (so a literal `#` is written as one), `%%` starts a comment, and a line break ends
/// the statement.
pub fn mermaid_label(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '\\' => out.push_str("#92;"),
            '%' => out.push_str("#37;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_cannot_format_link_or_open_html() {
        assert_eq!(
            text("a *b* _c_ `d` [e](f) <g> & h|i ~j~ \\"),
            "a \\*b\\* \\_c\\_ \\`d\\` \\[e\\](f) &lt;g&gt; &amp; h\\|i \\~j\\~ \\\\"
        );
        assert_eq!(text("two\r\nlines"), "two lines");
    }

    #[test]
    fn cells_keep_tables_whole() {
        assert_eq!(cell(" a | b\nc <x> [l] "), "a \\| b<br>c &lt;x&gt; \\[l\\]");
    }

    #[test]
    fn mermaid_labels_cannot_break_out() {
        assert_eq!(
            mermaid_label("Fase \"A\" #1\\ 50%"),
            "Fase #quot;A#quot; #35;1#92; 50#37;"
        );
        assert_eq!(mermaid_label("two\nlines"), "two lines");
        assert_eq!(mermaid_label("Utført æøå"), "Utført æøå");
    }
}
