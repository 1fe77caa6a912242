//! How a CSV file's bytes become cells and numbers: the text encoding, the separator, the
//! decimal mark and the line a spreadsheet shows for each record.
//!
//! Spreadsheets in many European locales save "CSV" separated by semicolons, with a decimal
//! comma (`1234,56`), and tab-separated exports are common too. The loader takes the separator
//! from the header line, so such a file loads as it is, and names the fix when a number is
//! written with a currency symbol, thousands separators or a percent sign.

use super::shorten;
use std::borrow::Cow;

/// Windows-1252 (what Excel's plain "CSV" uses in western locales) for bytes 0x80-0x9F; the
/// other bytes are their Latin-1 code points. The five unassigned ones map to C1 controls.
const WINDOWS_1252_HIGH: [char; 32] = [
    '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž', '\u{8F}',
    '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}', 'ž', 'Ÿ',
];

/// The text of a file: UTF-8 (a byte-order mark dropped), UTF-16 with a byte-order mark (Excel's
/// "Unicode Text"), or else Windows-1252 (Excel's plain "CSV" in western locales), which maps
/// every byte. `None` for UTF-16 that does not decode.
pub fn decode(bytes: &[u8]) -> Option<Cow<'_, str>> {
    let utf16 = |bytes: &[u8], unit: fn([u8; 2]) -> u16| {
        let units = bytes.chunks(2).map(|c| unit([c[0], c.get(1).copied().unwrap_or(0)]));
        char::decode_utf16(units).collect::<Result<String, _>>().ok().map(Cow::Owned)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Some(String::from_utf8_lossy(rest));
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        return if rest.len() % 2 == 0 { utf16(rest, u16::from_le_bytes) } else { None };
    }
    if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        return if rest.len() % 2 == 0 { utf16(rest, u16::from_be_bytes) } else { None };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(Cow::Borrowed(text)),
        Err(_) => Some(Cow::Owned(
            bytes
                .iter()
                .map(|&b| match b {
                    0x80..=0x9F => WINDOWS_1252_HIGH[usize::from(b - 0x80)],
                    _ => char::from(b),
                })
                .collect(),
        )),
    }
}

/// The separator and decimal mark of one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// Field separator: `,`, `;` or a tab.
    pub delimiter: u8,
    /// Whether numbers may use a decimal comma (semicolon-separated files).
    pub decimal_comma: bool,
}

impl Dialect {
    /// The dialect of a file: the separator that occurs most often, outside quotes, in its
    /// first non-blank line (a comma when there is none, and on ties); semicolon-separated
    /// files may write numbers with a decimal comma.
    pub fn sniff(bytes: &[u8]) -> Self {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
        let mut counts = [0usize; 3];
        let mut quoted = false;
        for &b in &bytes[start..] {
            match b {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted => break,
                b',' if !quoted => counts[0] += 1,
                b';' if !quoted => counts[1] += 1,
                b'\t' if !quoted => counts[2] += 1,
                _ => {}
            }
        }
        let delimiter = if counts[1] > counts[0] && counts[1] >= counts[2] {
            b';'
        } else if counts[2] > counts[0] && counts[2] > counts[1] {
            b'\t'
        } else {
            b','
        };
        Self { delimiter, decimal_comma: delimiter == b';' }
    }

    /// A numeric cell's value, if it is one.
    pub fn number(&self, cell: &str) -> Option<f64> {
        let s = cell.trim();
        match s.parse::<f64>() {
            Ok(v) => Some(v),
            // `1234,56`: one comma, no point.
            Err(_) if self.decimal_comma && s.matches(',').count() == 1 && !s.contains('.') => {
                s.replacen(',', ".", 1).parse().ok()
            }
            Err(_) => None,
        }
    }

    /// Parses a numeric cell; the error is the reason to report.
    pub fn parse_number(&self, cell: &str) -> Result<f64, String> {
        let s = cell.trim();
        if s.is_empty() {
            return Err("empty value".to_owned());
        }
        match self.number(s) {
            Some(v) if v.is_nan() => Err("NaN is not allowed".to_owned()),
            Some(v) if v.is_infinite() => Err(format!("infinite value '{}'", shorten(s))),
            Some(v) => Ok(v),
            None => Err(format!("not a number: '{}'{}", shorten(s), self.hint(s))),
        }
    }

    /// What to change when a cell is a number written the way a spreadsheet displays it: with
    /// a currency symbol, a percent sign, thousands separators, or (in a comma-separated file)
    /// a decimal comma.
    fn hint(&self, s: &str) -> String {
        let plain: String = s.chars().filter(|c| !"$€£¥%".contains(*c)).collect();
        let plain = plain.trim();
        let (thousands, decimal) = if self.decimal_comma { ('.', ',') } else { (',', '.') };
        let (whole, fraction) = plain.split_once(decimal).unwrap_or((plain, ""));
        let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
        let unsigned = whole.strip_prefix('-').unwrap_or(whole);
        let mut groups = unsigned.split(thousands);
        let grouped = groups.next().is_some_and(|g| digits(g) && g.len() <= 3)
            && groups.all(|g| digits(g) && g.len() == 3)
            && (fraction.is_empty() || digits(fraction));
        let value = |t: String| t.parse::<f64>().ok().filter(|v| v.is_finite());
        let fixed = if grouped {
            value(format!("{}.{fraction}", whole.replace(thousands, "")))
        } else {
            None
        };
        let decimal_comma = if self.decimal_comma {
            None
        } else {
            plain.split_once(',').and_then(|(w, f)| {
                let w = w.strip_prefix('-').unwrap_or(w);
                (digits(w) && digits(f)).then(|| value(plain.replacen(',', ".", 1))).flatten()
            })
        };
        match (fixed, decimal_comma) {
            (Some(v), _) if s.contains('%') => {
                format!(" (write percentages as plain numbers, without '%': {v})")
            }
            (Some(v), _) if plain != s.trim() || plain.contains(thousands) => format!(
                " (write plain numbers, without currency symbols or thousands separators: {v})"
            ),
            (_, Some(v)) => {
                format!(" (this file is separated by commas, so numbers need a decimal point: {v})")
            }
            _ => String::new(),
        }
    }
}

/// Line numbers of byte offsets in a file, counted forward from the last offset asked for.
///
/// The csv reader's own line count is wrong after CRLF line ends (it counts the `\n` of a
/// record's terminator towards the next record) and at blank lines, which it skips after
/// taking a record's position; counting `\n`, `\r\n` and a lone `\r` here names the line a
/// spreadsheet shows.
pub(super) struct Lines<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0, line: 1 }
    }

    /// The line of the first byte at or after `offset` that does not end a line: where the
    /// record that the reader places at `offset` starts. Offsets must not go backwards.
    pub(super) fn of(&mut self, offset: u64) -> u64 {
        let target = usize::try_from(offset).unwrap_or(usize::MAX).min(self.bytes.len());
        let mut end = target.max(self.offset);
        while end < self.bytes.len() && matches!(self.bytes[end], b'\r' | b'\n') {
            end += 1;
        }
        for i in self.offset..end {
            match self.bytes[i] {
                b'\n' => self.line += 1,
                b'\r' if self.bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.offset = end;
        self.line
    }
}
