//! The module graph of `src/`: no cycles between modules, and the layers point one way (the command line on top,
//! the use cases under it, the server beside the command line, never importing it).
//!
//! Read from the source text: every `crate::…` and `super::…` path names the module it uses. Paths into a module's
//! own parent or children are not counted (a `mod.rs` declares and re-exports its children).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Module path (`github::client`) → the source text.
fn modules() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&root).expect("under src/");
            let mut parts: Vec<String> = rel
                .with_extension("")
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            if matches!(
                parts.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                parts.pop();
            }
            let text = std::fs::read_to_string(&path).expect("a source file is readable");
            out.insert(parts.join("::"), text);
        }
    }
    out
}

/// The code of a file without its `#[cfg(test)]` module (tests may reach anywhere) and without comments.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path that starts at `crate::` or `super::`, expanded through `{…}` groups: `crate::{a, b::c}` gives
/// `a` and `b::c`.
fn paths(code: &str) -> Vec<(bool, Vec<String>)> {
    let mut out = Vec::new();
    for (start, is_super) in [("crate::", false), ("super::", true)] {
        let mut rest = code;
        while let Some(at) = rest.find(start) {
            let before = rest[..at].chars().last();
            rest = &rest[at + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            for path in expand(rest) {
                out.push((is_super, path));
            }
        }
    }
    out
}

/// The paths at the start of `text`: one identifier path, or a `{…}` group of them.
fn expand(text: &str) -> Vec<Vec<String>> {
    let ident: String = text
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if !ident.is_empty() {
        let after = &text[ident.len()..];
        if let Some(more) = after.strip_prefix("::") {
            let mut tails = expand(more);
            if tails.is_empty() {
                tails.push(Vec::new());
            }
            for t in &mut tails {
                t.insert(0, ident.clone());
            }
            return tails;
        }
        return vec![vec![ident]];
    }
    let Some(group) = text.strip_prefix('{') else {
        return Vec::new();
    };
    // Split the group at its top-level commas.
    let mut depth = 0;
    let mut parts = Vec::new();
    let mut current = String::new();
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => break,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    parts.push(current);
    parts.iter().flat_map(|p| expand(p.trim())).collect()
}

/// The module a path lands in: the longest prefix that is a module.
fn target(
    modules: &BTreeMap<String, String>,
    from: &str,
    is_super: bool,
    path: &[String],
) -> String {
    let mut full: Vec<String> = Vec::new();
    if is_super {
        full.extend(from.split("::").map(String::from));
        full.pop();
    }
    full.extend(path.iter().cloned());
    while !full.is_empty() && !modules.contains_key(&full.join("::")) {
        full.pop();
    }
    full.join("::")
}

fn related(a: &str, b: &str) -> bool {
    a.is_empty()
        || b.is_empty()
        || a == b
        || a.starts_with(&format!("{b}::"))
        || b.starts_with(&format!("{a}::"))
}

/// Module → the modules it uses (parents and children left out).
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (name, text) in &modules {
        let uses = graph.entry(name.clone()).or_default();
        for (is_super, path) in paths(&code(text)) {
            let to = target(&modules, name, is_super, &path);
            if !related(name, &to) {
                uses.insert(to);
            }
        }
    }
    graph
}

/// The graph seen at one level: every module folded into its ancestor `depth` segments deep.
fn folded(
    graph: &BTreeMap<String, BTreeSet<String>>,
    within: &str,
    depth: usize,
) -> BTreeMap<String, BTreeSet<String>> {
    let fold = |m: &str| -> Option<String> {
        let rest = if within.is_empty() {
            m
        } else {
            m.strip_prefix(&format!("{within}::"))?
        };
        let head: Vec<&str> = rest.split("::").take(depth).collect();
        Some(head.join("::"))
    };
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in graph {
        let Some(f) = fold(from) else { continue };
        for to in tos {
            if let Some(t) = fold(to) {
                if t != f {
                    out.entry(f.clone()).or_default().insert(t);
                }
            }
        }
    }
    out
}

/// A cycle in the graph, if any, as the modules on it.
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut c = path[at..].to_vec();
            c.push(node.to_string());
            return Some(c);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

#[test]
fn no_module_uses_a_module_that_uses_it_back() {
    let graph = graph();
    // Top-level modules, then the files inside each folder.
    let mut levels = vec![String::new()];
    levels.extend(
        graph
            .keys()
            .filter_map(|m| m.rsplit_once("::").map(|(parent, _)| parent.to_string())),
    );
    levels.sort();
    levels.dedup();
    for within in levels {
        let g = folded(&graph, &within, 1);
        if let Some(c) = cycle(&g) {
            let place = if within.is_empty() {
                "src/".to_string()
            } else {
                format!("src/{}/", within.replace("::", "/"))
            };
            panic!("module cycle in {place}: {}", c.join(" → "));
        }
    }
}

#[test]
fn the_server_and_the_use_cases_never_reach_for_the_command_line() {
    let graph = graph();
    for (module, uses) in &graph {
        if module == "cli" {
            continue;
        }
        assert!(
            !uses.contains("cli"),
            "{module} uses cli: the command line is the top layer, nothing below it may use it"
        );
    }
}

#[test]
fn the_graph_reader_sees_uses_and_cycles() {
    // The checks above are only as good as the reader: it must see grouped and nested imports and `super`.
    let found: Vec<Vec<String>> = paths("use crate::{a::{B, c}, d};\nlet x = super::e::f();")
        .into_iter()
        .map(|(_, p)| p)
        .collect();
    let want: Vec<Vec<String>> = [vec!["a", "B"], vec!["a", "c"], vec!["d"], vec!["e", "f"]]
        .iter()
        .map(|p| p.iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(found, want);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    g.entry("a".into()).or_default().insert("b".into());
    g.entry("b".into()).or_default().insert("a".into());
    assert!(cycle(&g).is_some());
    g.entry("b".into()).or_default().remove("a");
    assert!(cycle(&g).is_none());
    // The real graph is read at all: cli uses config.
    assert!(graph().get("cli").is_some_and(|u| u.contains("config")));
}

#[test]
fn the_command_line_stays_a_thin_layer() {
    // Arguments, logging, dispatch and exit codes fit in a few hundred lines; more means a use case moved in.
    let cli = modules().remove("cli").expect("src/cli.rs");
    let lines = cli.lines().count();
    assert!(
        lines < 350,
        "src/cli.rs has {lines} lines: move what is not the command line into src/run/"
    );
}
