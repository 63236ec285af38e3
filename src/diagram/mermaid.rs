//! The ladder as a Mermaid `sequenceDiagram`, for Markdown hosts that render Mermaid.
//!
//! Phases become notes spanning every lifeline; payload-derived text is written with Mermaid's entity codes
//! (`#35;`, `#59;`, `#lt;`...) so no message can break the diagram's syntax.

use super::DiagramOptions;
use super::arrows::{self, Mark};
use crate::dialog::{Dialog, PhaseKind};

pub fn sequence(dialog: &Dialog, options: &DiagramOptions) -> String {
    let shown = arrows::shown(dialog);
    let mut out = String::from("sequenceDiagram\n");
    // Mermaid's grammar wants text after `title`: an empty title is left out rather than written empty.
    if !escape(&dialog.title).trim().is_empty() {
        out.push_str(&format!("    title {}\n", escape(&dialog.title)));
    }
    for (i, participant) in dialog.participants.iter().enumerate() {
        let name = escape(&participant.name);
        let address = escape(&participant.address);
        match (name.trim().is_empty(), address.trim().is_empty()) {
            (false, false) => out.push_str(&format!("    participant p{i} as {name}<br/>{address}\n")),
            (false, true) => out.push_str(&format!("    participant p{i} as {name}\n")),
            (true, false) => out.push_str(&format!("    participant p{i} as {address}\n")),
            (true, true) => out.push_str(&format!("    participant p{i}\n")),
        }
    }
    let last = dialog.participants.len().saturating_sub(1);
    let note = |text: &str| format!("    Note over p0,p{last}: {}\n", escape(text));
    let decrypted = shown.events.iter().any(|&i| dialog.events.get(i).is_some_and(|e| e.any_decrypted()));
    for text in arrows::notes(dialog, decrypted) {
        out.push_str(&note(&text));
    }
    let several = dialog.connections.len() > 1;
    let mut in_highlight = false;
    for (pos, &index) in shown.events.iter().enumerate() {
        let Some(event) = dialog.events.get(index) else {
            continue;
        };
        if let Some(omitted) = shown.omitted.as_ref().filter(|o| o.at == pos) {
            out.push_str(&note(&format!("⋮ {}", omitted.note())));
        }
        for phase in &dialog.phases {
            let starts = if phase.kind == PhaseKind::Idle { phase.last == index } else { phase.first == index };
            if starts {
                let conn = if several { format!("#{} ", phase.conn) } else { String::new() };
                out.push_str(&note(&format!("{conn}{}", phase.label)));
            }
        }
        let text = arrows::arrow_text_in(dialog, event, options.labels);
        let arrow = match (arrows::is_transfer(event), text.mark) {
            (true, _) => "-)",
            (false, Some(Mark::Reset)) => "-x",
            (false, Some(Mark::Retransmission)) => "-->>",
            _ => "->>",
        };
        let symbol = text.mark.map(|m| format!("{} ", m.symbol())).unwrap_or_default();
        // Every message of the segment on a line of its own, as in the SVG ladder (but never cut short).
        let main = if event.fold.is_none() && event.messages.len() > 1 {
            (0..event.messages.len()).map(|i| escape(&arrows::message_text(event, i))).collect::<Vec<_>>().join("<br/>")
        } else if event.fold.is_none() && event.any_decrypted() {
            escape(&arrows::message_text(event, 0))
        } else {
            escape(&text.main)
        };
        let mut label = if text.detail.is_empty() {
            format!("{symbol}{main}")
        } else {
            format!("{symbol}{main}<br/>{}", escape(&text.detail))
        };
        for line in &event.annotations {
            label.push_str(&format!("<br/>{}", escape(line)));
        }
        // A highlighted run of arrows sits in one shaded box.
        let lit = event.highlighted == Some(true);
        if lit && !in_highlight {
            out.push_str("    rect rgba(255, 200, 0, 0.25)\n");
        } else if !lit && in_highlight {
            out.push_str("    end\n");
        }
        in_highlight = lit;
        out.push_str(&format!("    p{}{arrow}p{}: {} {label}\n", event.from, event.to, event.frame));
    }
    if in_highlight {
        out.push_str("    end\n");
    }
    out
}

/// Mermaid entity codes for the characters its grammar treats specially; line breaks become spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '#' => out.push_str("#35;"),
            ';' => out.push_str("#59;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '&' => out.push_str("#amp;"),
            '"' => out.push_str("#quot;"),
            '%' => out.push_str("#37;"),
            '{' => out.push_str("#123;"),
            '}' => out.push_str("#125;"),
            c if crate::proto::is_hidden_control(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn payload_cannot_break_the_syntax() {
        assert_eq!(escape("<script>a;b</script>\n%%"), "#lt;script#gt;a#59;b#lt;/script#gt; #37;#37;");
        assert_eq!(escape("WS Text \"#1\""), "WS Text #quot;#35;1#quot;");
    }
}
