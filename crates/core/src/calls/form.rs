//! A call's small form: the fields a district operator asks, and the answers an application
//! gives, checked alike on the desktop (before submission) and on the server (at receipt).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::domain::Fen;
use crate::error::{CoreError, Result};
use crate::validate::check_text;

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text {
        max_chars: u32,
    },
    Number {
        min: i64,
        max: i64,
    },
    /// An amount in fen.
    Money {
        max_fen: Fen,
    },
    Choice {
        options: Vec<String>,
    },
    Date,
}

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormField {
    /// Lower-case letters, digits and `_`: the answer's key.
    pub key: String,
    pub label_zh: String,
    pub label_en: String,
    pub kind: FieldKind,
    pub required: bool,
}

/// One answer, as the applicant gives it.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    Number(i64),
    Text(String),
}

/// The longest text answer a call may allow.
pub const MAX_TEXT_ANSWER: u32 = 20_000;

/// A key of a form field or an attachment kind: 1–40 of `a-z`, `0-9`, `_`.
pub fn check_key(field: &'static str, key: &str) -> Result<()> {
    let fine = (1..=40).contains(&key.len()) && key.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if fine { Ok(()) } else { Err(CoreError::invalid(field, format!("'{key}' is not a key (a-z, 0-9, _; at most 40)"))) }
}

/// The form with its labels trimmed, or what is wrong with it.
pub fn check_form(fields: &[FormField]) -> Result<Vec<FormField>> {
    if fields.len() > super::MAX_FORM_FIELDS {
        return Err(CoreError::invalid("form", format!("at most {} fields", super::MAX_FORM_FIELDS)));
    }
    let mut kept: Vec<FormField> = Vec::with_capacity(fields.len());
    for f in fields {
        check_key("form", &f.key)?;
        if kept.iter().any(|k| k.key == f.key) {
            return Err(CoreError::invalid("form", format!("'{}' is asked twice", f.key)));
        }
        check_text("form", &f.label_zh, 100, true)?;
        check_text("form", &f.label_en, 200, false)?;
        let kind_fits = match &f.kind {
            FieldKind::Text { max_chars } => (1..=MAX_TEXT_ANSWER).contains(max_chars),
            FieldKind::Number { min, max } => min <= max,
            FieldKind::Money { max_fen } => (1..=super::MAX_BUDGET_FEN).contains(max_fen),
            FieldKind::Choice { options } => {
                (1..=30).contains(&options.len())
                    && options.iter().all(|o| check_text("form", o, 100, true).is_ok())
                    && options.iter().enumerate().all(|(i, o)| !options[..i].contains(o))
            }
            FieldKind::Date => true,
        };
        if !kind_fits {
            return Err(CoreError::invalid("form", format!("the field '{}' has no sensible bounds or options", f.key)));
        }
        kept.push(FormField { label_zh: f.label_zh.trim().into(), label_en: f.label_en.trim().into(), ..f.clone() });
    }
    Ok(kept)
}

/// What is wrong with one answer, naming its field in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerProblem {
    pub key: String,
    pub zh: String,
    pub en: String,
}

/// Every problem of the answers against the form: missing required answers, answers of the
/// wrong kind or out of bounds, and answers to no field. Empty when complete.
pub fn check_answers(fields: &[FormField], answers: &BTreeMap<String, Answer>) -> Vec<AnswerProblem> {
    let mut problems = Vec::new();
    let mut problem = |f: &FormField, zh: String, en: String| {
        problems.push(AnswerProblem {
            key: f.key.clone(),
            zh: format!("{}：{zh}", f.label_zh),
            en: format!("{}: {en}", if f.label_en.is_empty() { &f.key } else { &f.label_en }),
        })
    };
    for f in fields {
        let answer = answers.get(&f.key).filter(|a| !matches!(a, Answer::Text(t) if t.trim().is_empty()));
        let Some(answer) = answer else {
            if f.required {
                problem(f, "必填".into(), "required".into());
            }
            continue;
        };
        match (&f.kind, answer) {
            (FieldKind::Text { max_chars }, Answer::Text(t)) => {
                let n = t.trim().chars().count();
                if n > *max_chars as usize {
                    problem(f, format!("最多 {max_chars} 字，此处 {n} 字"), format!("at most {max_chars} characters, {n} given"));
                } else if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                    problem(f, "含有控制字符".into(), "contains control characters".into());
                }
            }
            (FieldKind::Number { min, max }, Answer::Number(n)) if n < min || n > max => {
                problem(f, format!("应在 {min} 至 {max} 之间"), format!("must be between {min} and {max}"));
            }
            (FieldKind::Money { max_fen }, Answer::Number(n)) if *n < 0 || n > max_fen => {
                problem(f, format!("应在 0 至 {max_fen} 分之间"), format!("must be between 0 and {max_fen} fen"));
            }
            (FieldKind::Choice { options }, Answer::Text(t)) if !options.contains(t) => {
                problem(f, format!("“{t}”不是可选项"), format!("'{t}' is not one of the options"));
            }
            (FieldKind::Date, Answer::Text(t)) if NaiveDate::parse_from_str(t, "%Y-%m-%d").is_err() => {
                problem(f, "日期格式应为 YYYY-MM-DD".into(), "a date is written YYYY-MM-DD".into());
            }
            (FieldKind::Number { .. } | FieldKind::Money { .. }, Answer::Number(_))
            | (FieldKind::Choice { .. } | FieldKind::Date, Answer::Text(_)) => {}
            (FieldKind::Number { .. } | FieldKind::Money { .. }, Answer::Text(_)) => {
                problem(f, "应为数字".into(), "must be a number".into());
            }
            (FieldKind::Text { .. } | FieldKind::Choice { .. } | FieldKind::Date, Answer::Number(_)) => {
                problem(f, "应为文字".into(), "must be text".into());
            }
        }
    }
    for key in answers.keys().filter(|k| !fields.iter().any(|f| &f.key == *k)) {
        problems.push(AnswerProblem {
            key: key.clone(),
            zh: format!("“{key}”不是本指南的字段"),
            en: format!("'{key}' is not a field of this call"),
        });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Vec<FormField> {
        let field = |key: &str, kind, required| FormField {
            key: key.into(),
            label_zh: key.to_uppercase(),
            label_en: key.into(),
            kind,
            required,
        };
        vec![
            field("summary", FieldKind::Text { max_chars: 10 }, true),
            field("staff", FieldKind::Number { min: 1, max: 500 }, true),
            field("cost", FieldKind::Money { max_fen: 10_000_000 }, false),
            field("track", FieldKind::Choice { options: vec!["硬科技".into(), "生物医药".into()] }, true),
            field("founded", FieldKind::Date, false),
        ]
    }

    fn keys(answers: &[(&str, Answer)]) -> Vec<String> {
        let answers: BTreeMap<String, Answer> = answers.iter().map(|(k, a)| (k.to_string(), a.clone())).collect();
        check_answers(&form(), &answers).into_iter().map(|p| p.key).collect()
    }

    #[test]
    fn complete_answers_pass_and_each_problem_names_its_field() {
        let good = [
            ("summary", Answer::Text("量子传感".into())),
            ("staff", Answer::Number(12)),
            ("track", Answer::Text("硬科技".into())),
            ("founded", Answer::Text("2024-05-01".into())),
        ];
        assert!(keys(&good).is_empty());
        assert_eq!(keys(&[("summary", Answer::Text("  ".into())), ("staff", Answer::Number(12))]), ["summary", "track"]);
        let wrong = [
            ("summary", Answer::Text("一二三四五六七八九十一".into())),
            ("staff", Answer::Text("twelve".into())),
            ("cost", Answer::Number(-1)),
            ("track", Answer::Text("其他".into())),
            ("founded", Answer::Text("2024/05/01".into())),
            ("extra", Answer::Number(1)),
        ];
        assert_eq!(keys(&wrong), ["summary", "staff", "cost", "track", "founded", "extra"]);
    }

    #[test]
    fn a_form_with_a_repeated_key_or_no_options_is_refused() {
        assert!(check_form(&form()).is_ok());
        let mut twice = form();
        twice.push(twice[0].clone());
        assert!(check_form(&twice).is_err());
        let mut empty_choice = form();
        empty_choice[3].kind = FieldKind::Choice { options: Vec::new() };
        assert!(check_form(&empty_choice).is_err());
        assert!(check_key("form", "Summary").is_err() && check_key("form", "").is_err());
    }
}
