//! The two languages of the product and the labels the core itself prints
//! (CLI tables, ICS summaries, CSV reports). The desktop UI has its own catalogue.

use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// zh-CN unless the locale says English: Chinese is the product's first language.
    pub fn from_locale(locale: &str) -> Lang {
        if locale.to_ascii_lowercase().starts_with("en") { Lang::En } else { Lang::Zh }
    }
}

pub fn minutes_text(minutes: u32, lang: Lang) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (lang, h, m) {
        (Lang::Zh, 0, m) => format!("{m} 分钟"),
        (Lang::Zh, h, 0) => format!("{h} 小时"),
        (Lang::Zh, h, m) => format!("{h} 小时 {m} 分钟"),
        (Lang::En, 0, m) => format!("{m} min"),
        (Lang::En, h, 0) => format!("{h} h"),
        (Lang::En, h, m) => format!("{h} h {m} min"),
    }
}

pub fn status_label(status: &str, lang: Lang) -> &str {
    let zh = lang == Lang::Zh;
    match status {
        "requested" => {
            if zh {
                "待确认"
            } else {
                "requested"
            }
        }
        "confirmed" => {
            if zh {
                "已确认"
            } else {
                "confirmed"
            }
        }
        "declined" => {
            if zh {
                "已拒绝"
            } else {
                "declined"
            }
        }
        "cancelled" => {
            if zh {
                "已取消"
            } else {
                "cancelled"
            }
        }
        "completed" => {
            if zh {
                "已完成"
            } else {
                "completed"
            }
        }
        "no_show" => {
            if zh {
                "未到场"
            } else {
                "no-show"
            }
        }
        other => other,
    }
}

/// Expertise tags are stored by key; these are the labels in both languages, so that a
/// CSV file may use either.
pub const EXPERTISE: &[(&str, &str, &str)] = &[
    ("fundraising", "融资", "Fundraising"),
    ("legal", "法务", "Legal"),
    ("ip", "知识产权", "IP"),
    ("marketing", "市场营销", "Marketing"),
    ("product", "产品", "Product"),
    ("hardware", "硬件", "Hardware"),
    ("biomedicine", "生物医药", "Biomedicine"),
    ("ai", "人工智能", "AI"),
    ("finance", "财务", "Finance"),
    ("hr", "人力资源", "HR"),
    ("manufacturing", "生产制造", "Manufacturing"),
    ("export", "出海", "Going global"),
    ("policy", "政策申报", "Policy grants"),
    ("strategy", "战略", "Strategy"),
];

pub fn expertise_label(key: &str, lang: Lang) -> &str {
    EXPERTISE.iter().find(|(k, _, _)| *k == key).map(|(_, zh, en)| if lang == Lang::Zh { *zh } else { *en }).unwrap_or(key)
}

/// The tag key for a key or a label in either language.
pub fn expertise_key(text: &str) -> Option<&'static str> {
    let t = text.trim();
    EXPERTISE.iter().find(|(k, zh, en)| k.eq_ignore_ascii_case(t) || *zh == t || en.eq_ignore_ascii_case(t)).map(|(k, _, _)| *k)
}

/// Languages a mentor can speak, by code, with labels that a CSV file may use instead.
pub const LANGUAGES: &[(&str, &str, &str)] = &[
    ("zh", "中文", "Chinese"),
    ("en", "英语", "English"),
    ("yue", "粤语", "Cantonese"),
    ("ja", "日语", "Japanese"),
    ("ko", "韩语", "Korean"),
    ("de", "德语", "German"),
    ("fr", "法语", "French"),
];

pub fn language_code(text: &str) -> Option<&'static str> {
    let t = text.trim();
    LANGUAGES
        .iter()
        .find(|(code, zh, en)| code.eq_ignore_ascii_case(t) || *zh == t || en.eq_ignore_ascii_case(t))
        .map(|(code, _, _)| *code)
}
