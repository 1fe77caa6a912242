//! Number formatting for people.

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

#[cfg(test)]
mod tests {
    use super::*;

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
