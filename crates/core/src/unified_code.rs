//! The unified code (统一编码) an application receives when the district accepts it (受理):
//! `310115-YYYY-PPP-BB-NNNNN-C` — the district's division code (GB/T 2260), the year, the
//! programme's code (2–4 capitals), the batch, the serial within programme and year, and a
//! check character by ISO/IEC 7064 MOD 37-2 (GB/T 17710) over the characters without hyphens.
//!
//! Only the server mints codes (in the transaction that accepts); this module formats and
//! checks them, the same on every side.

use std::fmt;

use crate::error::{CoreError, Result};

/// Pudong New Area's division code (GB/T 2260).
pub const DISTRICT_DIVISION: &str = "310115";

/// The largest serial five digits hold.
pub const MAX_SERIAL: u32 = 99_999;

/// The 37 characters of MOD 37-2, by value: digits, capitals, and `*` (a check character only).
const ALPHABET: &[u8; 37] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ*";

fn value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        'A'..='Z' => Some(c as u32 - 'A' as u32 + 10),
        _ => None,
    }
}

/// The MOD 37-2 check character of `data` (digits and capitals), `None` for another character.
/// Pure system, radix 2: the data's weighted sum and the check's value come to 1 modulo 37.
pub fn check_character(data: &str) -> Option<char> {
    let mut p = 0u32;
    for c in data.chars() {
        p = ((p + value(c)?) * 2) % 37;
    }
    let check = (38 - p) % 37;
    ALPHABET.get(check as usize).map(|&b| b as char)
}

/// A programme's code: 2–4 capitals.
pub fn check_programme_code(code: &str) -> Result<()> {
    let fine = (2..=4).contains(&code.len()) && code.chars().all(|c| c.is_ascii_uppercase());
    if fine {
        Ok(())
    } else {
        Err(CoreError::invalid("programme_code", format!("'{code}' is not 2–4 capital letters (专项代码应为 2–4 位大写字母)")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnifiedCode {
    pub division: String,
    pub year: u16,
    pub programme: String,
    pub batch: u8,
    pub serial: u32,
}

impl UnifiedCode {
    /// The code of the `serial`-th application accepted in the district's programme and year.
    pub fn new(year: u16, programme: &str, batch: u8, serial: u32) -> Result<UnifiedCode> {
        check_programme_code(programme)?;
        if !(2000..=9999).contains(&year) || batch > 99 || !(1..=MAX_SERIAL).contains(&serial) {
            return Err(CoreError::invalid(
                "code",
                format!("year {year}, batch {batch} or serial {serial} is out of range (年份、批次或序号超出范围)"),
            ));
        }
        Ok(UnifiedCode { division: DISTRICT_DIVISION.into(), year, programme: programme.into(), batch, serial })
    }

    fn data(&self) -> String {
        format!("{}{:04}{}{:02}{:05}", self.division, self.year, self.programme, self.batch, self.serial)
    }

    pub fn check(&self) -> char {
        check_character(&self.data()).unwrap_or('*')
    }

    /// Reads a code, naming the first wrong character (its place counts the hyphens, as the
    /// user sees the code).
    pub fn parse(text: &str) -> Result<UnifiedCode> {
        let text = text.trim();
        let chars: Vec<char> = text.chars().collect();
        let wrong = |at: usize, what: &str, zh: &str| {
            let c = chars.get(at).copied().unwrap_or(' ');
            CoreError::invalid("code", format!("character {} '{c}' should be {what} (第 {} 位 '{c}' 应为{zh})", at + 1, at + 1))
        };
        let parts: Vec<&str> = text.split('-').collect();
        if parts.len() != 6 {
            return Err(CoreError::invalid(
                "code",
                format!(
                    "'{text}' has {} parts; a unified code has 6: 310115-YYYY-PPP-BB-NNNNN-C (统一编码应为 6 段)",
                    parts.len()
                ),
            ));
        }
        let expected = [6, 4, 0, 2, 5, 1];
        let kinds: [(&str, &str); 6] = [
            ("a digit of the division code", "行政区划代码的数字"),
            ("a digit of the year", "年份数字"),
            ("a capital of the programme code", "专项代码的大写字母"),
            ("a digit of the batch", "批次数字"),
            ("a digit of the serial", "序号数字"),
            ("the check character", "校验码"),
        ];
        let mut start = 0;
        for (i, part) in parts.iter().enumerate() {
            let ok_char = |c: char| match i {
                2 => c.is_ascii_uppercase(),
                5 => value(c).is_some() || c == '*',
                _ => c.is_ascii_digit(),
            };
            let chars_of: Vec<char> = part.chars().collect();
            if let Some(bad) = chars_of.iter().position(|&c| !ok_char(c)) {
                let (en, zh) = kinds[i];
                return Err(wrong(start + bad, en, zh));
            }
            let length_fits = if i == 2 { (2..=4).contains(&chars_of.len()) } else { chars_of.len() == expected[i] };
            if !length_fits {
                let want = if i == 2 { "2–4".to_string() } else { expected[i].to_string() };
                return Err(CoreError::invalid(
                    "code",
                    format!(
                        "part {} '{part}' has {} characters, it should have {want} (第 {} 段应为 {want} 位)",
                        i + 1,
                        chars_of.len(),
                        i + 1
                    ),
                ));
            }
            start += chars_of.len() + 1;
        }
        if parts[0] != DISTRICT_DIVISION {
            return Err(CoreError::invalid(
                "code",
                format!(
                    "the division code '{}' is not this district's {DISTRICT_DIVISION} (行政区划代码应为 {DISTRICT_DIVISION})",
                    parts[0]
                ),
            ));
        }
        let number = |s: &str| s.parse::<u32>().unwrap_or(0);
        let code = UnifiedCode {
            division: parts[0].into(),
            year: number(parts[1]) as u16,
            programme: parts[2].into(),
            batch: number(parts[3]) as u8,
            serial: number(parts[4]),
        };
        let given = parts[5].chars().next().unwrap_or(' ');
        let expected = code.check();
        if given != expected {
            return Err(CoreError::invalid(
                "code",
                format!(
                    "character {} '{given}' (the check character) does not match the rest, which call for '{expected}': a character was mistyped or two swapped (第 {} 位校验码应为 '{expected}'，请核对编码)",
                    chars.len(),
                    chars.len()
                ),
            ));
        }
        Ok(code)
    }
}

impl fmt::Display for UnifiedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{:04}-{}-{:02}-{:05}-{}", self.division, self.year, self.programme, self.batch, self.serial, self.check())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn reason(r: Result<UnifiedCode>) -> String {
        match r {
            Err(CoreError::Invalid { reason, .. }) => reason,
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn mod_37_2_agrees_with_the_standard_s_worked_example() {
        // ISO/IEC 7064's MOD 37-2 example: "G123489654321" has check character 'Y'.
        assert_eq!(check_character("G123489654321"), Some('Y'));
        assert_eq!(check_character("g1"), None, "lower case is not in the alphabet");
    }

    #[test]
    fn a_code_prints_and_reads_back() {
        let code = UnifiedCode::new(2026, "KJ", 1, 7).unwrap_or_else(|e| panic!("{e}"));
        let text = code.to_string();
        assert!(text.starts_with("310115-2026-KJ-01-00007-"), "{text}");
        assert_eq!(UnifiedCode::parse(&text).ok(), Some(code));
        assert!(UnifiedCode::new(2026, "kj", 1, 7).is_err() && UnifiedCode::new(2026, "KJ", 1, 0).is_err());
    }

    #[test]
    fn a_wrong_code_names_its_wrong_character() {
        assert!(reason(UnifiedCode::parse("310115-2026-K1-01-00007-A")).contains("character 14 '1'"));
        assert!(reason(UnifiedCode::parse("310115-2O26-KJ-01-00007-A")).contains("character 9 'O'"));
        assert!(reason(UnifiedCode::parse("310116-2026-KJ-01-00007-A")).contains("310116"));
        assert!(reason(UnifiedCode::parse("310115-2026-KJ-01-0007-A")).contains("part 5"));
        let good = UnifiedCode::new(2026, "KJ", 1, 7).map(|c| c.to_string()).unwrap_or_default();
        let other = if good.ends_with('0') { '1' } else { '0' };
        let bad = format!("{}{other}", &good[..good.len() - 1]);
        assert!(reason(UnifiedCode::parse(&bad)).contains(&format!("character {} '{other}'", good.len())));
    }

    /// Every code's characters without hyphens, with where each may change.
    fn positions(code: &UnifiedCode) -> Vec<(usize, bool)> {
        // (index in the hyphen-free text, is it a capital's place)
        let programme = 10..10 + code.programme.len();
        (0..code.data().len() + 1).map(|i| (i, programme.contains(&i))).collect()
    }

    proptest! {
        /// Every single-character substitution and every adjacent transposition is caught.
        #[test]
        fn the_check_character_catches_every_typo_and_swap(
            year in 2020u16..2100, programme in "[A-Z]{2,4}", batch in 0u8..100, serial in 1u32..=MAX_SERIAL,
        ) {
            let code = UnifiedCode::new(year, &programme, batch, serial).unwrap_or_else(|e| panic!("{e}"));
            let whole: Vec<char> = format!("{}{}", code.data(), code.check()).chars().collect();
            let holds = |text: &[char]| {
                let (data, check) = text.split_at(text.len() - 1);
                check_character(&data.iter().collect::<String>()) == Some(check[0])
            };
            prop_assert!(holds(&whole));
            for (i, _) in positions(&code) {
                for &b in ALPHABET.iter() {
                    let c = b as char;
                    if c == whole[i] || (c == '*' && i + 1 != whole.len()) {
                        continue;
                    }
                    let mut typo = whole.clone();
                    typo[i] = c;
                    prop_assert!(!holds(&typo), "{:?} passed", typo);
                }
                if i + 1 < whole.len() && whole[i] != whole[i + 1] {
                    let mut swapped = whole.clone();
                    swapped.swap(i, i + 1);
                    prop_assert!(!holds(&swapped), "{:?} passed", swapped);
                }
            }
        }
    }
}
