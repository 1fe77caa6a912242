//! Plain-text summaries of a model for the terminal.

use mmm_core::ModelDocument;
use std::fmt::Write;

/// Formats a number with thousands separators and no decimals (money, KPI totals).
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

/// The channel table and fit metrics.
pub fn summary(doc: &ModelDocument) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} model of {} ({}, {} to {}, {} periods)",
        match doc.method {
            mmm_core::document::Method::Map => "MAP",
        },
        doc.kpi,
        doc.frequency,
        doc.start,
        doc.end,
        doc.periods
    );
    let _ = writeln!(
        s,
        "\n{:<14} {:>14} {:>14} {:>7} {:>7} {:>7}",
        "channel", "spend", "contribution", "ROI", "mROI", "share"
    );
    let _ = writeln!(s, "{}", "-".repeat(68));
    for c in &doc.channels {
        let _ = writeln!(
            s,
            "{:<14} {:>14} {:>14} {:>7.2} {:>7.2} {:>6.1}%",
            c.name,
            thousands(c.spend),
            thousands(c.contribution),
            c.roi,
            c.mroi,
            100.0 * c.share
        );
    }
    let spend: f64 = doc.channels.iter().map(|c| c.spend).sum();
    let contribution: f64 = doc.channels.iter().map(|c| c.contribution).sum();
    let _ = writeln!(s, "{}", "-".repeat(68));
    let _ = writeln!(
        s,
        "{:<14} {:>14} {:>14} {:>7.2}",
        "all media",
        thousands(spend),
        thousands(contribution),
        if spend > 0.0 { contribution / spend } else { 0.0 }
    );
    let f = &doc.fit;
    let _ = writeln!(
        s,
        "\nfit: R² {:.3}  MAPE {:.1}%  NRMSE {:.3}  residual sd {}",
        f.r2,
        100.0 * f.mape,
        f.nrmse,
        thousands(f.sigma)
    );
    if let Some(h) = &f.holdout {
        let _ = writeln!(
            s,
            "holdout ({} periods): R² {:.3}  MAPE {:.1}%  NRMSE {:.3}",
            h.periods,
            h.r2,
            100.0 * h.mape,
            h.nrmse
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0.0), "0");
        assert_eq!(thousands(999.4), "999");
        assert_eq!(thousands(1000.0), "1,000");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-9876543.0), "-9,876,543");
    }
}
