//! Text that people wrote, made inert inside the markdown the bot writes, and bodies cut to what GitHub accepts.
//! Every escape of user text goes through here, so the job summary, the report and the comments treat it alike.
//!
//! Inert means: no HTML (so no comment that could open or close, and no hidden marker), no `@user` or `@org/team`
//! that notifies anyone, and no link or image (no `[text](url)`, no `<url>`, no bare `https://…` that GitHub links).

/// A zero-width space: placed after `@` or inside `://` it keeps the text as it reads while GitHub finds no mention
/// and no address in it (Renovate and Dependabot break mentions the same way).
const BREAK: char = '\u{200B}';

/// GitHub refuses issue and comment bodies longer than this many characters.
pub const BODY_LIMIT: usize = 65_536;

/// Pushes `ch` of plain text, breaking what would notify or link: `@name`, `scheme://`, `www.`.
fn push_defused(out: &mut String, ch: char, rest: &str) {
    let starts_word = !out.chars().last().is_some_and(char::is_alphanumeric);
    out.push(ch);
    let www = matches!(ch, 'w' | 'W')
        && starts_word
        && rest.get(..3).is_some_and(|r| r.eq_ignore_ascii_case("ww."));
    if ch == '@' || (ch == ':' && rest.starts_with("//")) || www {
        out.push(BREAK);
    }
}

/// Text shown as written in one line of markdown: no HTML, no emphasis, code, links, tables or line breaks.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, ch) in s.char_indices() {
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
            _ => push_defused(&mut out, ch, &s[i + ch.len_utf8()..]),
        }
    }
    out
}

/// A block of markdown that people wrote (a section of an issue body), made inert but kept readable: paragraphs,
/// lists, emphasis, tables and code stay as written. Fenced and inline code are copied as they are (GitHub renders
/// nothing in them), except that a fence left open is closed, so it cannot swallow what the bot writes after it.
pub fn inert(block: &str) -> String {
    let mut out = String::with_capacity(block.len() + 16);
    let mut fence: Option<String> = None;
    for line in block.lines() {
        let trimmed = line.trim_start();
        if let Some(open) = &fence {
            out.push_str(line);
            out.push('\n');
            if trimmed.starts_with(open.as_str())
                && trimmed
                    .trim_end()
                    .chars()
                    .all(|c| c == open.as_bytes()[0] as char)
            {
                fence = None;
            }
            continue;
        }
        if let Some(marks) = fence_start(trimmed) {
            fence = Some(marks);
            out.push_str(line);
            out.push('\n');
            continue;
        }
        inert_line(&mut out, line);
        out.push('\n');
    }
    if let Some(open) = fence {
        out.push_str(&open);
        out.push('\n');
    }
    out
}

/// The fence (three or more backticks or tildes) that opens a code block on this line, if any.
fn fence_start(trimmed: &str) -> Option<String> {
    let first = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let run: String = trimmed.chars().take_while(|c| *c == first).collect();
    (run.len() >= 3).then_some(run)
}

/// One line outside code blocks: inline code spans as written, everything else defused.
fn inert_line(out: &mut String, line: &str) {
    let mut i = 0;
    while i < line.len() {
        let rest = &line[i..];
        let Some(ch) = rest.chars().next() else { break };
        if ch == '`' {
            let run = rest.chars().take_while(|c| *c == '`').count();
            let ticks = &rest[..run];
            // A code span ends at the next run of exactly as many backticks.
            if let Some(end) = find_run(&rest[run..], ticks) {
                let span = run + end + run;
                out.push_str(&rest[..span]);
                i += span;
                continue;
            }
            for _ in 0..run {
                out.push_str("\\`");
            }
            i += run;
            continue;
        }
        match ch {
            '<' => out.push_str("&lt;"),
            '>' if out.ends_with("--") => out.push_str("&gt;"),
            '[' | ']' | '\\' => {
                out.push('\\');
                out.push(ch);
            }
            _ => push_defused(out, ch, &rest[ch.len_utf8()..]),
        }
        i += ch.len_utf8();
    }
}

/// Where in `text` a run of exactly `ticks` starts.
fn find_run(text: &str, ticks: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = text[from..].find(ticks) {
        let start = from + at;
        let end = start + ticks.len();
        let before = text[..start].ends_with('`');
        let after = text[end..].starts_with('`');
        if !before && !after {
            return Some(start);
        }
        from = end + text[end..].chars().take_while(|c| *c == '`').count();
    }
    None
}

/// `text` cut to at most `max` characters, at a line break or else a word boundary, with `…` where it was cut.
pub fn shorten(text: &str, max: usize) -> String {
    let Some((cut_at, _)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let head = &text[..cut_at];
    let keep = head
        .rfind('\n')
        .filter(|at| *at > cut_at / 2)
        .or_else(|| {
            head.rfind(char::is_whitespace)
                .filter(|at| *at > cut_at / 2)
        })
        .unwrap_or(cut_at);
    let mut out = head[..keep].trim_end().to_string();
    out.push_str(" …");
    out
}

/// A block people wrote as short inert lines for a list: cut to `max_chars` and `max_lines` (a last `…` line saying
/// so), blank lines dropped, and a leading list marker or task box taken off, since the caller writes its own bullet.
pub fn inert_lines(block: &str, max_chars: usize, max_lines: usize) -> Vec<String> {
    let shown = inert(&shorten(block.trim(), max_chars));
    let mut lines: Vec<String> = shown
        .lines()
        .map(|l| strip_list_marker(l.trim()).to_string())
        .filter(|l| !l.is_empty())
        .collect();
    if lines.len() > max_lines {
        lines.truncate(max_lines);
        lines.push("…".to_string());
    }
    lines
}

/// `- a`, `* a`, `+ a`, `1. a`, `- [ ] a` (after [`inert`]: `- \[ \] a`) → `a`.
fn strip_list_marker(line: &str) -> &str {
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = match line.as_bytes().get(digits) {
        Some(b'-' | b'*' | b'+') if digits == 0 => &line[1..],
        Some(b'.' | b')') if digits > 0 => &line[digits + 1..],
        _ => return line,
    };
    // A marker needs a space after it: `-5 %` and `**fet**` are text.
    let Some(item) = rest.strip_prefix([' ', '\t']) else {
        return line;
    };
    let item = item.trim_start();
    for task in ["\\[ \\]", "\\[x\\]", "\\[X\\]"] {
        if let Some(after) = item.strip_prefix(task) {
            return after.trim_start();
        }
    }
    item
}

/// A body cut to fit in [`BODY_LIMIT`]: the head that fits (at a line or word boundary, an open code fence closed),
/// then `note` saying it was cut, then `tail` (the footer), which is always kept.
pub fn fit(head: &str, tail: &str, note: &str) -> String {
    let whole = head.chars().count() + tail.chars().count();
    if whole <= BODY_LIMIT {
        return format!("{head}{tail}");
    }
    // Room for the note, a closing fence and the line breaks around them.
    let room = BODY_LIMIT.saturating_sub(tail.chars().count() + note.chars().count() + 16);
    let mut cut = shorten(head, room);
    if cut
        .lines()
        .filter(|l| fence_start(l.trim_start()).is_some())
        .count()
        % 2
        == 1
    {
        cut.push_str("\n```");
    }
    format!("{cut}\n\n{note}\n\n{tail}")
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
    fn text_notifies_no_one_and_links_nothing() {
        let shown = text("@kari and @digdir/team at https://evil.example or www.evil.example");
        assert!(!shown.contains("@k") && !shown.contains("@d"), "{shown}");
        assert!(!shown.contains("://") && !shown.contains("www."), "{shown}");
        assert_eq!(
            shown.replace(BREAK, ""),
            "@kari and @digdir/team at https://evil.example or www.evil.example"
        );
    }

    #[test]
    fn inert_blocks_keep_their_shape_and_lose_their_power() {
        let block = "Se [lenke](https://evil.example/login) og ![bilde](x.png)\n\
                     <!-- portfolio-sync:rejected -->\n\
                     Hei @kari, ring @digdir/team-a -->\n\
                     | a | b |\n|---|---|\n| `x|y` | 2 |\n\
                     ```\n<!-- kode --> @ingen [a](b)\n```\n\
                     Slutt `<b>` her";
        let shown = inert(block);
        // Outside the code block (GitHub renders nothing inside one).
        let (prose, _) = shown.split_once("```").unwrap_or((&shown, ""));
        assert!(!prose.contains("<!--") && !prose.contains("-->"), "{shown}");
        assert!(!prose.contains("](https://"), "{shown}");
        assert!(!prose.contains("@k") && !prose.contains("@d"), "{shown}");
        assert!(
            shown.contains("| a | b |\n|---|---|\n| `x|y` | 2 |"),
            "tables stay: {shown}"
        );
        assert!(
            shown.contains("```\n<!-- kode --> @ingen [a](b)\n```"),
            "code stays: {shown}"
        );
        assert!(shown.contains("`<b>`"), "inline code stays: {shown}");
        let lines: Vec<&str> = shown.lines().collect();
        assert!(lines[2].ends_with("--&gt;"), "{shown}");
    }

    #[test]
    fn an_open_fence_is_closed() {
        assert_eq!(inert("```\n@a"), "```\n@a\n```\n");
        assert_eq!(inert("~~~~\nx\n~~~~\ny"), "~~~~\nx\n~~~~\ny\n");
    }

    #[test]
    fn bodies_fit_githubs_limit_whatever_the_input() {
        let huge = format!(
            "{}\n```\n{}",
            "ord ".repeat(200_000),
            "kode".repeat(100_000)
        );
        let body = fit(&huge, "<sub>bunn</sub>\n", "_Forkortet._");
        assert!(
            body.chars().count() <= BODY_LIMIT,
            "{}",
            body.chars().count()
        );
        assert!(body.ends_with("<sub>bunn</sub>\n"));
        assert!(body.contains("_Forkortet._"));
        let small = fit("liten\n", "bunn\n", "_Forkortet._");
        assert_eq!(small, "liten\nbunn\n");
        assert_eq!(shorten("en to tre fire", 9), "en to …");
        assert_eq!(shorten("æøå", 5), "æøå");
    }

    #[test]
    fn inert_lines_are_one_item_each_without_their_own_bullets() {
        let block = "- Fellesmidler 2026: **2 MNOK**\n\n* [lenke](https://evil.example)\n\
                     1. Egen ramme @digdir/alle\n- [x] Vedtatt <!-- x -->\n-5 % i 2027\n";
        let lines = inert_lines(block, 1_000, 10);
        assert_eq!(lines[0], "Fellesmidler 2026: **2 MNOK**");
        assert_eq!(lines[1], "\\[lenke\\](https:\u{200B}//evil.example)");
        assert_eq!(lines[2], "Egen ramme @\u{200B}digdir/alle");
        assert_eq!(lines[3], "Vedtatt &lt;!-- x --&gt;");
        assert_eq!(lines[4], "-5 % i 2027");
        assert_eq!(lines.len(), 5);
        assert_eq!(inert_lines("a\nb\nc", 1_000, 2), ["a", "b", "…"]);
        assert_eq!(inert_lines("ord ".repeat(1_000).as_str(), 20, 5).len(), 1);
        assert!(inert_lines(" \n\n", 100, 5).is_empty());
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
