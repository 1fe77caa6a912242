//! Number and text formatting for people.

/// A number rounded to a whole and grouped in thousands: `1234567.8` gives `1,234,568`.
pub fn thousands(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    let rounded = v.round();
    let digits = format!("{:.0}", rounded.abs());
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if rounded < 0.0 { format!("-{out}") } else { out }
}

/// `text` broken into lines of at most `width` characters at spaces (a longer word gets a line
/// of its own), every line starting with `indent`.
pub fn wrap(text: &str, width: usize, indent: &str) -> String {
    let start = indent.chars().count();
    let mut out = String::from(indent);
    let mut line = start;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if line > start && line + 1 + len > width {
            out.push('\n');
            out.push_str(indent);
            line = start;
        } else if line > start {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += len;
    }
    out
}

/// `word` for one, `word` with an "s" for any other number: `plural("period", 3)` gives `periods`.
pub fn plural(word: &str, n: usize) -> String {
    if n == 1 { word.to_owned() } else { format!("{word}s") }
}

/// A number and what it counts: `count(1, "channel")` gives `1 channel`, `count(3, "channel")`
/// gives `3 channels`.
pub fn count(n: usize, word: &str) -> String {
    format!("{n} {}", plural(word, n))
}

/// "a", "a and b", "a, b and c".
pub fn and_list<S: AsRef<str>>(items: &[S]) -> String {
    let items: Vec<&str> = items.iter().map(AsRef::as_ref).collect();
    match items.as_slice() {
        [rest @ .., last] if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

/// A numbered list as plain text: each title, then its text indented under it and wrapped to
/// `width` columns, with a blank line after each.
pub fn numbered<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>, width: usize) -> String {
    let mut out = String::new();
    for (n, (title, body)) in items.into_iter().enumerate() {
        let number = format!("{}. ", n + 1);
        let indent = " ".repeat(number.len());
        let title = wrap(title, width, &indent);
        out += &format!("{number}{}\n{}\n\n", &title[indent.len()..], wrap(body, width, &indent));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("one two three four", 9, "  "), "  one two\n  three\n  four");
        assert_eq!(wrap("a verylongword b", 5, ""), "a\nverylongword\nb");
        assert_eq!(wrap("  spaced   out  ", 80, ""), "spaced out");
        assert_eq!(wrap("", 10, "> "), "> ");
        // Lines never pass the width unless one word is longer.
        let text = "The data narrowed the ROI prior by less than three quarters, so these lean";
        assert!(wrap(text, 20, "   ").lines().all(|l| l.chars().count() <= 20));
    }

    #[test]
    fn counts_in_the_singular_only_for_one() {
        assert_eq!(count(1, "channel"), "1 channel");
        assert_eq!(count(0, "control"), "0 controls");
        assert_eq!(count(5, "period"), "5 periods");
        assert_eq!(plural("week", 2), "weeks");
    }

    #[test]
    fn groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-9876543.0), "-9,876,543");
        assert_eq!(thousands(-999.6), "-1,000");
    }
}
