//! Column names written as text: a comma separated list (`--media`, the upload's `media` and
//! `controls` fields) and media-unit pairs (`--media-units`, `media_units`).
//!
//! A name that holds a comma, an equals sign or a double quote, or starts or ends with a space,
//! is written in double quotes, a quote inside doubled, as in a CSV file: `"tv, national_spend"`.

use std::collections::BTreeMap;

/// A name as read, and the separator after it (`None` at the end of the text).
type Token = (String, Option<char>);

/// Splits `text` into names at any of `separators` outside double quotes. Spaces around a name
/// are trimmed; a quoted name is taken as written.
fn tokens(text: &str, separators: &[char]) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() && !separators.contains(c)).is_some() {}
        let mut name = String::new();
        if chars.next_if_eq(&'"').is_some() {
            loop {
                match chars.next() {
                    Some('"') if chars.next_if_eq(&'"').is_some() => name.push('"'),
                    Some('"') => break,
                    Some(c) => name.push(c),
                    None => return Err(format!("the quote before '{name}' is not closed")),
                }
            }
            while chars.next_if(|c| c.is_whitespace() && !separators.contains(c)).is_some() {}
            if let Some(c) = chars.peek().filter(|c| !separators.contains(c)) {
                return Err(format!("'{c}' follows the quoted name \"{name}\""));
            }
        } else {
            while let Some(c) = chars.next_if(|c| !separators.contains(c)) {
                if c == '"' {
                    return Err(format!(
                        "a name with a quote in it is written in quotes, the quote doubled: \
                         '{}{c}...'",
                        name.trim()
                    ));
                }
                name.push(c);
            }
            name = name.trim().to_owned();
        }
        let separator = chars.next();
        out.push((name, separator));
        if separator.is_none() {
            return Ok(out);
        }
    }
}

/// Reads a comma separated list of column names (`tv_spend, radio_spend`); empty items are
/// skipped, and a name with a comma in it is written in double quotes.
pub fn parse_column_list(text: &str) -> Result<Vec<String>, String> {
    Ok(tokens(text, &[','])?.into_iter().map(|(name, _)| name).filter(|n| !n.is_empty()).collect())
}

/// Reads media-unit pairs written `tv_spend=tv_exposure,radio_spend=radio_grps` (spaces around
/// names are trimmed; a name with a comma or an equals sign in it is written in double quotes)
/// into [`super::LoadOptions::media_units`]. An empty text pairs nothing, which fits every
/// channel on its spend. The error says which pair is wrong and why.
pub fn parse_media_units(text: &str) -> Result<BTreeMap<String, String>, String> {
    let mut pairs = BTreeMap::new();
    let mut items = tokens(text, &[',', '='])?.into_iter();
    while let Some((media, after)) = items.next() {
        let units = match after {
            Some('=') => items.next(),
            _ => None,
        };
        let written = match &units {
            Some((u, _)) => format!("{media}={u}"),
            None => media.clone(),
        };
        match units {
            None if media.is_empty() && after != Some('=') => continue,
            Some((units, Some(',') | None)) if !media.is_empty() && !units.is_empty() => {
                if pairs.insert(media.clone(), units).is_some() {
                    return Err(format!("'{media}' is given media units twice"));
                }
            }
            _ => {
                return Err(format!(
                    "'{written}' is not a pair of a media column and its units column \
                     (media_column=units_column)"
                ));
            }
        }
    }
    Ok(pairs)
}

/// `name` as [`parse_column_list`] and [`parse_media_units`] read it back: in double quotes when
/// it holds a comma, an equals sign or a quote, or starts or ends with a space.
pub fn quote_name(name: &str) -> String {
    if name.contains([',', '=', '"']) || name.trim() != name {
        format!("\"{}\"", name.replace('"', "\"\""))
    } else {
        name.to_owned()
    }
}
