//! A sample district of Pudong makerspaces: people with Chinese names, mentors with
//! expertise, labs with instruments, and past and future bookings that obey every rule.
//! `year` is for exploring by hand: `small`'s district with a year of its instruments at work;
//! `small` alone is the tests' fixture; `district` is the benchmark load.

mod calls;
mod events;
mod feedback;
mod history;
mod office;
mod startups;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::availability::{Calendar, Days, open_spans};
use crate::domain::{Id, Lab, Makerspace, Policy, ResourceKind, Role, Visibility, WeeklyHours};
use crate::error::{CoreError, Result};
use crate::interval::Span;
use crate::store::{NewEquipment, NewMentor, Store};
use crate::usage::{Purpose, Rates, UserClass};

#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Small,
    Year,
    District,
}

impl Scale {
    pub fn parse(text: &str) -> Result<Scale> {
        match text {
            "small" => Ok(Scale::Small),
            "year" => Ok(Scale::Year),
            "district" => Ok(Scale::District),
            other => Err(CoreError::invalid("scale", format!("'{other}' is not small, year or district"))),
        }
    }

    fn sizes(self) -> Sizes {
        match self {
            Scale::Small => Sizes { history_days: 0, ..Scale::Year.sizes() },
            Scale::Year => Sizes {
                makerspaces: 3,
                mentors_each: 5,
                founders_each: 6,
                labs_each: 1,
                equipment_total: 12,
                bookings: 120,
                history_days: 365,
            },
            Scale::District => Sizes {
                makerspaces: 500,
                mentors_each: 10,
                founders_each: 10,
                labs_each: 1,
                equipment_total: 2000,
                bookings: 200_000,
                history_days: 0,
            },
        }
    }
}

struct Sizes {
    makerspaces: usize,
    mentors_each: usize,
    founders_each: usize,
    labs_each: usize,
    equipment_total: usize,
    bookings: usize,
    /// Days before today over which the instruments were used (a year for exploring; none
    /// for the benchmark load, whose figures count bookings).
    history_days: i64,
}

/// What was loaded, and a few people to act as when exploring.
#[cfg_attr(feature = "ts-rs", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct SampleSummary {
    pub makerspaces: usize,
    pub people: usize,
    pub mentors: usize,
    pub labs: usize,
    pub equipment: usize,
    pub bookings: usize,
    pub space_admin_id: Id,
    pub founder_id: Id,
    pub mentor_person_id: Id,
    pub lab_manager_id: Id,
}

const AREAS: &[&str] = &[
    "张江",
    "陆家嘴",
    "金桥",
    "外高桥",
    "川沙",
    "惠南",
    "周浦",
    "康桥",
    "三林",
    "花木",
    "洋泾",
    "北蔡",
    "高行",
    "高桥",
    "曹路",
    "唐镇",
    "合庆",
    "祝桥",
    "新场",
    "航头",
    "临港",
    "世博",
    "御桥",
    "塘桥",
    "潍坊",
    "南码头",
    "周家渡",
    "上钢",
    "东明",
    "金杨",
];
const SPACE_KINDS: &[&str] = &["众创空间", "创业孵化器", "科创中心", "创新工场", "加速器", "双创基地"];
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑",
    "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡", "蒋", "余", "于", "杜",
    "叶", "程", "魏", "苏", "吕", "丁", "沈", "欧阳",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英",
    "建华", "晓东", "志强", "丽华", "海燕", "子涵", "思远", "雨萱", "浩然", "欣怡", "梓轩", "一鸣", "嘉怡", "俊杰", "佳琪",
    "文博", "若曦", "天佑", "晨曦", "语桐",
];
const TITLES: &[&str] = &[
    "前红杉中国投资经理",
    "执业律师，知识产权方向",
    "资深产品总监",
    "连续创业者",
    "三甲医院临床专家",
    "硬件供应链顾问",
    "市场营销总监",
    "注册会计师",
    "人工智能算法专家",
    "跨境电商顾问",
    "高校教授、博士生导师",
    "政府项目申报顾问",
];
const INDUSTRIES: &[&str] =
    &["人工智能", "集成电路", "生物医药", "智能制造", "新能源", "消费品", "企业服务", "金融科技", "文化创意", "航空航天"];
const STAGES: &[&str] = &["创意阶段", "种子轮", "天使轮", "Pre-A 轮", "A 轮"];
const STARTUP_HEADS: &[&str] =
    &["智", "芯", "云", "星", "源", "启", "未来", "深蓝", "极光", "灵犀", "量子", "微光", "青禾", "远航"];
const STARTUP_TAILS: &[&str] = &["科技", "智能", "生物", "机器人", "医疗", "新材料", "数据", "动力"];
const TOPICS: &[&str] = &[
    "天使轮融资路演准备",
    "商业计划书修改",
    "专利布局咨询",
    "产品市场定位",
    "股权结构设计",
    "硬件量产方案",
    "临床试验设计",
    "政策申报材料",
];
const PURPOSES: &[&str] = &["样机外壳打印", "电路板调试", "细胞样本检测", "材料断面观察", "零件加工", "小批量试制"];

struct Instrument {
    category: &'static str,
    name: &'static str,
    model: &'static str,
    capacity: u32,
    granularity_min: u32,
    min_min: u32,
    max_min: u32,
    qualification: bool,
    approval: bool,
    fee_yuan: i64,
    subsidy_pct: u8,
}

const INSTRUMENTS: &[Instrument] = &[
    Instrument {
        category: "3d_printer",
        name: "3D 打印机",
        model: "拓竹 X1 Carbon",
        capacity: 1,
        granularity_min: 30,
        min_min: 30,
        max_min: 480,
        qualification: false,
        approval: false,
        fee_yuan: 50,
        subsidy_pct: 30,
    },
    Instrument {
        category: "laser_cutter",
        name: "激光切割机",
        model: "大族 CMA1390",
        capacity: 1,
        granularity_min: 30,
        min_min: 30,
        max_min: 180,
        qualification: true,
        approval: false,
        fee_yuan: 120,
        subsidy_pct: 30,
    },
    Instrument {
        category: "pcr",
        name: "PCR 仪",
        model: "Bio-Rad CFX96",
        capacity: 1,
        granularity_min: 60,
        min_min: 60,
        max_min: 240,
        qualification: true,
        approval: true,
        fee_yuan: 80,
        subsidy_pct: 50,
    },
    Instrument {
        category: "sem",
        name: "扫描电子显微镜",
        model: "蔡司 Sigma 300",
        capacity: 1,
        granularity_min: 60,
        min_min: 60,
        max_min: 240,
        qualification: true,
        approval: true,
        fee_yuan: 600,
        subsidy_pct: 50,
    },
    Instrument {
        category: "oscilloscope",
        name: "示波器",
        model: "是德 DSOX3054T",
        capacity: 4,
        granularity_min: 30,
        min_min: 30,
        max_min: 480,
        qualification: false,
        approval: false,
        fee_yuan: 20,
        subsidy_pct: 0,
    },
    Instrument {
        category: "cnc",
        name: "数控铣床",
        model: "哈斯 VF-2",
        capacity: 1,
        granularity_min: 60,
        min_min: 60,
        max_min: 480,
        qualification: true,
        approval: false,
        fee_yuan: 200,
        subsidy_pct: 30,
    },
    Instrument {
        category: "soldering",
        name: "焊接工作站",
        model: "快克 QUICK 204H",
        capacity: 6,
        granularity_min: 30,
        min_min: 30,
        max_min: 240,
        qualification: false,
        approval: false,
        fee_yuan: 10,
        subsidy_pct: 0,
    },
    Instrument {
        category: "biosafety_cabinet",
        name: "生物安全柜",
        model: "海尔 HR40-IIA2",
        capacity: 2,
        granularity_min: 60,
        min_min: 60,
        max_min: 240,
        qualification: true,
        approval: false,
        fee_yuan: 40,
        subsidy_pct: 50,
    },
];

/// Ids built from the seeded generator, so a seed gives the same district every time.
struct IdSource {
    rng: ChaCha8Rng,
    millis: u64,
}

impl IdSource {
    fn next(&mut self) -> Id {
        let bytes: [u8; 10] = self.rng.random();
        self.millis += 1;
        uuid::Builder::from_unix_timestamp_millis(self.millis, &bytes).into_uuid().to_string()
    }
}

fn weekly(days: std::ops::Range<u8>, spans: &[(u16, u16)]) -> Vec<WeeklyHours> {
    days.flat_map(|d| spans.iter().map(move |&(s, e)| WeeklyHours { weekday: d, start_min: s, end_min: e })).collect()
}

struct SampleResource {
    id: Id,
    makerspace: usize,
    policy: Policy,
    weekly: Vec<WeeklyHours>,
    /// Only members of the home makerspace may book (own-makerspace mentors).
    home_only: bool,
    /// Founders allowed to book it (qualified ones), by index.
    bookers: Option<Vec<usize>>,
    kind: ResourceKind,
    /// An instrument's rates.
    rates: Option<Rates>,
    /// The zone its hours are in: an overseas mentor's own, else the district's.
    tz: chrono_tz::Tz,
    /// A mentor's default places (JSON of each, by format), which their sessions take.
    places: Vec<(crate::place::SessionFormat, String)>,
}

/// A mentor's default places: overseas mentors meet on Zoom; the others in a meeting room of
/// their makerspace or on 腾讯会议.
fn sample_places(code: &str, address: &str, m: usize, overseas: bool) -> crate::place::PlaceDefaults {
    use crate::place::{MeetingProvider, SessionPlace};
    let space: u64 = code.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0);
    // Nine digits that look like a meeting number, the same for the same mentor every time.
    let number = format!("{}", 100_000_000 + (space * 7_919 + m as u64 * 104_729 + 31_337) * 2_654_435 % 900_000_000);
    let spaced = format!("{} {} {}", &number[..3], &number[3..6], &number[6..]);
    let places = if overseas {
        vec![SessionPlace::Online {
            provider: MeetingProvider::Zoom,
            join_url: format!("https://zoom.us/j/8{number}"),
            meeting_id: format!("8{spaced}"),
            passcode: format!("{:04}", m * 37 % 10_000),
        }]
    } else {
        vec![
            SessionPlace::InPerson { room: format!("{}号会议室", m % 6 + 1), address: address.to_string() },
            SessionPlace::Online {
                provider: MeetingProvider::TencentMeeting,
                join_url: format!("https://meeting.tencent.com/dm/{number}"),
                meeting_id: spaced,
                passcode: String::new(),
            },
        ]
    };
    crate::place::PlaceDefaults { places }
}

/// A past instrument booking that was used: its session is written after the bookings.
struct PastUse {
    booking_id: Id,
    resource: usize,
    booker: usize,
    span: Span,
}

/// Loads the sample district into an empty database.
pub fn load(store: &mut Store, scale: Scale, seed: u64, now: DateTime<Utc>) -> Result<SampleSummary> {
    let empty: bool = store.conn().query_row("SELECT NOT EXISTS(SELECT 1 FROM person WHERE deleted = 0)", [], |r| r.get(0))?;
    if !empty {
        return Err(CoreError::Conflict("the database has data already; load the sample into a new one (--data-dir)".into()));
    }
    store.with_fast_writes(|store| store.write(|tx| generate(tx, scale, seed, now)))
}

fn person_name(rng: &mut ChaCha8Rng) -> String {
    format!("{}{}", SURNAMES.choose(rng).unwrap_or(&"王"), GIVEN.choose(rng).unwrap_or(&"伟"))
}

fn insert_person(
    tx: &Connection,
    ids: &mut IdSource,
    name: &str,
    n: usize,
    founder: Option<(&str, &str, &str)>,
    now: i64,
) -> Result<Id> {
    let id = ids.next();
    let (startup, industry, stage) = match founder {
        Some((s, i, st)) => (Some(s), Some(i), Some(st)),
        None => (None, None, None),
    };
    tx.prepare_cached("INSERT INTO person(id, name, phone, email, startup_name, industry, stage, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")?
        .execute(params![id, name, format!("139{:08}", n), format!("user{n}@example.cn"), startup, industry, stage, now])?;
    Ok(id)
}

fn grant(tx: &Connection, person: &str, makerspace: &str, role: Role) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO person_role(person_id, makerspace_id, role) VALUES (?1, ?2, ?3)")?
        .execute(params![person, makerspace, role.as_str()])?;
    Ok(())
}

fn generate(tx: &Connection, scale: Scale, seed: u64, now: DateTime<Utc>) -> Result<SampleSummary> {
    let sizes = scale.sizes();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut ids = IdSource { rng: ChaCha8Rng::seed_from_u64(seed ^ 0x5eed), millis: 1_767_225_600_000 };
    let now_s = now.timestamp();
    let created = now_s - (sizes.history_days + 120) * 86_400;
    let mut person_n = 0usize;
    let mut spaces: Vec<Makerspace> = Vec::new();
    let mut founders: Vec<(Id, usize)> = Vec::new();
    // (founder, startup name, industry, stage, makerspace)
    let mut startups: Vec<(Id, String, &str, &str, Id)> = Vec::new();
    let mut resources: Vec<SampleResource> = Vec::new();
    let mut first_admin = None;
    let mut first_mentor = None;
    let mut first_manager = None;
    let mut labs = 0;
    let mut mentors = 0;

    for i in 0..sizes.makerspaces {
        let area = AREAS[i % AREAS.len()];
        let kind = SPACE_KINDS[(i / AREAS.len()) % SPACE_KINDS.len()];
        let round = i / (AREAS.len() * SPACE_KINDS.len());
        let name = if round == 0 { format!("浦东{area}{kind}") } else { format!("浦东{area}{kind}{}号", round + 1) };
        let ms = Makerspace {
            id: ids.next(),
            code: format!("PD-{:04}", i + 1),
            name,
            address: format!("上海市浦东新区{area}路{}号", rng.random_range(1..999)),
            timezone: "Asia/Shanghai".into(),
        };
        crate::store::insert_makerspace(tx, &ms)?;

        person_n += 1;
        let admin = insert_person(tx, &mut ids, &person_name(&mut rng), person_n, None, created)?;
        grant(tx, &admin, &ms.id, Role::SpaceAdmin)?;
        first_admin.get_or_insert(admin.clone());

        person_n += 1;
        let manager = insert_person(tx, &mut ids, &person_name(&mut rng), person_n, None, created)?;
        grant(tx, &manager, &ms.id, Role::LabManager)?;
        first_manager.get_or_insert(manager.clone());

        for _ in 0..sizes.founders_each {
            person_n += 1;
            let startup = format!(
                "{}{}",
                STARTUP_HEADS.choose(&mut rng).unwrap_or(&"智"),
                STARTUP_TAILS.choose(&mut rng).unwrap_or(&"科技")
            );
            let industry = *INDUSTRIES.choose(&mut rng).unwrap_or(&"人工智能");
            let stage = *STAGES.choose(&mut rng).unwrap_or(&"种子轮");
            let f = insert_person(tx, &mut ids, &person_name(&mut rng), person_n, Some((&startup, industry, stage)), created)?;
            grant(tx, &f, &ms.id, Role::Founder)?;
            startups.push((f.clone(), startup, industry, stage, ms.id.clone()));
            founders.push((f, i));
        }

        for m in 0..sizes.mentors_each {
            person_n += 1;
            let pname = person_name(&mut rng);
            let person = insert_person(tx, &mut ids, &pname, person_n, None, created)?;
            grant(tx, &person, &ms.id, Role::Mentor)?;
            first_mentor.get_or_insert(person.clone());
            let n_tags = rng.random_range(1..=3);
            let tags: Vec<String> = crate::i18n::EXPERTISE.sample(&mut rng, n_tags).map(|(k, _, _)| k.to_string()).collect();
            let n_industries = rng.random_range(1..=2);
            let industries: Vec<String> = INDUSTRIES.sample(&mut rng, n_industries).map(|s| s.to_string()).collect();
            let mut languages = vec!["zh".to_string()];
            if rng.random_bool(0.4) {
                languages.push("en".into());
            }
            // The New York mentor confirms each session: a founder's evening is his morning.
            let approval = m % 3 == 0 || (i, m) == (1, 1);
            let policy = Policy {
                capacity: 1,
                granularity_min: 30,
                min_duration_min: 30,
                max_duration_min: 90,
                durations_min: vec![30, 60, 90],
                min_notice_min: 12 * 60,
                horizon_days: 45,
                cancel_cutoff_min: 24 * 60,
                buffer_before_min: 0,
                buffer_after_min: if m % 2 == 0 { 15 } else { 0 },
                max_per_day: Some(4),
                max_per_week: Some(12),
                max_per_person: None,
                approval_required: approval,
                qualification_required: false,
            };
            // The second makerspace's second and third mentors are overseas (海外导师): their
            // hours are mornings and evenings in New York and Berlin, online.
            let overseas = match (i, m) {
                (1, 1) => Some((chrono_tz::America::New_York, weekly(0..5, &[(480, 660), (1140, 1260)]))),
                (1, 2) => Some((chrono_tz::Europe::Berlin, weekly(0..5, &[(540, 720), (840, 1020)]))),
                _ => None,
            };
            let hours = match (&overseas, m % 4) {
                (Some((_, hours)), _) => hours.clone(),
                (None, 0) => weekly(0..5, &[(540, 720), (840, 1080)]),
                (None, 1) => weekly(0..5, &[(780, 1260)]),
                (None, 2) => weekly(1..4, &[(600, 1020)]),
                (None, _) => weekly(5..7, &[(540, 1020)]),
            };
            let tz = overseas.as_ref().map_or(chrono_tz::Asia::Shanghai, |(tz, _)| *tz);
            if overseas.is_some() && !languages.iter().any(|l| l == "en") {
                languages.push("en".into());
            }
            let visibility = if m % 5 == 4 { Visibility::Makerspace } else { Visibility::District };
            let new = NewMentor {
                full_time: m % 3 == 0,
                person_id: person.clone(),
                makerspace_code: ms.code.clone(),
                title: if overseas.is_some() {
                    "海外导师".to_string()
                } else {
                    TITLES.choose(&mut rng).unwrap_or(&"连续创业者").to_string()
                },
                bio: format!("{pname}，专注于{}，已辅导创业团队 {} 家。", industries.join("、"), rng.random_range(5..120)),
                tags: tags.clone(),
                industries: industries.clone(),
                languages: languages.clone(),
                formats: if overseas.is_some() { vec!["online".into()] } else { vec!["in_person".into(), "online".into()] },
                visibility,
                timezone: overseas.as_ref().map(|(tz, _)| tz.name().to_string()),
                policy: policy.clone(),
                weekly_hours: hours.clone(),
            };
            let id = ids.next();
            crate::store::insert_mentor(tx, &id, &ms.id, &pname, tz.name(), &new)?;
            let defaults = sample_places(&ms.code, &ms.address, m, overseas.is_some());
            tx.prepare_cached(crate::store::SET_PLACE_DEFAULTS_SQL)?
                .execute(params![crate::store::defaults_json(&defaults)?, id])?;
            let mut places = Vec::new();
            for place in &defaults.places {
                places.push((place.format(), crate::store::place_json(Some(place))?.unwrap_or_default()));
            }
            mentors += 1;
            resources.push(SampleResource {
                id,
                makerspace: i,
                policy,
                weekly: hours,
                home_only: visibility == Visibility::Makerspace,
                bookers: None,
                kind: ResourceKind::Mentor,
                rates: None,
                tz,
                places,
            });
        }

        for l in 0..sizes.labs_each {
            let lab = Lab {
                id: ids.next(),
                makerspace_code: ms.code.clone(),
                name: format!("{area}公共技术服务平台{}", if l == 0 { String::new() } else { format!("（{}）", l + 1) }),
                description: "数字制造、电子测试与生物医药公共实验室，面向区内创业团队开放共享。".into(),
                manager_ids: vec![manager.clone()],
            };
            crate::store::insert_lab(tx, &lab, &ms.id)?;
            labs += 1;
        }
        spaces.push(ms);
    }

    // Equipment goes round the makerspaces' labs until the total is reached.
    let lab_ids: Vec<(Id, usize)> = {
        let mut stmt =
            tx.prepare("SELECT l.id, m.code FROM lab l JOIN makerspace m ON m.id = l.makerspace_id ORDER BY m.code, l.name")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, code) = row?;
            let index = spaces.iter().position(|s| s.code == code).unwrap_or(0);
            out.push((id, index));
        }
        out
    };
    for e in 0..sizes.equipment_total {
        let Some((lab_id, space)) = lab_ids.get(e % lab_ids.len().max(1)).cloned() else { break };
        let ins = &INSTRUMENTS[e % INSTRUMENTS.len()];
        let policy = Policy {
            capacity: ins.capacity,
            granularity_min: ins.granularity_min,
            min_duration_min: ins.min_min,
            max_duration_min: ins.max_min,
            durations_min: Vec::new(),
            min_notice_min: 60,
            horizon_days: 30,
            cancel_cutoff_min: 120,
            buffer_before_min: 0,
            buffer_after_min: if ins.category == "sem" { 30 } else { 0 },
            max_per_day: None,
            max_per_week: None,
            max_per_person: None,
            approval_required: ins.approval,
            qualification_required: ins.qualification,
        };
        let hours = weekly(0..5, &[(540, 1260)]).into_iter().chain(weekly(5..6, &[(600, 1020)])).collect::<Vec<_>>();
        let new = NewEquipment {
            lab_id: lab_id.clone(),
            name: format!("{} {}号", ins.name, e / INSTRUMENTS.len() + 1),
            category: ins.category.into(),
            model: ins.model.into(),
            hourly_fee_cents: ins.fee_yuan * 100,
            subsidy_pct: ins.subsidy_pct,
            policy: policy.clone(),
            weekly_hours: hours.clone(),
        };
        let id = ids.next();
        crate::store::insert_equipment(tx, &id, &spaces[space].id, &spaces[space].timezone, &new)?;
        // Members pay the subsidised price, the district the listed one, companies half again.
        let fee = new.hourly_fee_cents;
        let rates = Rates {
            internal_fen_per_hour: fee * (100 - i64::from(new.subsidy_pct)) / 100,
            external_fen_per_hour: fee,
            enterprise_fen_per_hour: fee * 3 / 2,
            ..Rates::default()
        };
        tx.prepare_cached(crate::store::SET_RATES_SQL)?.execute(params![
            rates.internal_fen_per_hour,
            rates.external_fen_per_hour,
            rates.enterprise_fen_per_hour,
            crate::store::basis_text(rates.basis),
            rates.minimum_fen,
            rates.rounding_min,
            id
        ])?;
        let bookers = if ins.qualification {
            // Half of the makerspace's founders and a few from elsewhere are qualified.
            let mut q: Vec<usize> =
                founders.iter().enumerate().filter(|(_, (_, s))| *s == space).map(|(k, _)| k).step_by(2).collect();
            for _ in 0..2 {
                q.push(rng.random_range(0..founders.len()));
            }
            q.sort_unstable();
            q.dedup();
            for &k in &q {
                let manager: String =
                    tx.query_row("SELECT person_id FROM lab_manager WHERE lab_id = ?1 LIMIT 1", [&lab_id], |r| r.get(0))?;
                tx.prepare_cached("INSERT OR IGNORE INTO qualification(person_id, resource_id, granted_by, granted_at, expires_at) VALUES (?1, ?2, ?3, ?4, NULL)")?
                    .execute(params![founders[k].0, id, manager, created])?;
            }
            Some(q)
        } else {
            None
        };
        resources.push(SampleResource {
            id,
            makerspace: space,
            policy,
            weekly: hours,
            home_only: false,
            bookers,
            kind: ResourceKind::Equipment,
            rates: Some(rates),
            tz: chrono_tz::Asia::Shanghai,
            places: Vec::new(),
        });
    }

    let mut used = Vec::new();
    let mut bookings = generate_bookings(tx, (&mut ids, &mut rng), &resources, &founders, (sizes.bookings, &mut used), now_s)?;
    bookings += history::generate_history(tx, seed, (&resources, &founders), (sizes.history_days, now_s), &mut used)?;
    generate_sessions(tx, seed, &resources, &founders, &used)?;
    let sample_founders: Vec<startups::SampleFounder<'_>> = startups
        .iter()
        .map(|(person, startup, industry, stage, makerspace)| startups::SampleFounder {
            person,
            startup,
            industry,
            stage,
            makerspace,
        })
        .collect();
    startups::insert_startups(tx, &sample_founders, created)?;
    feedback::generate_feedback(tx, seed, now_s)?;
    office::generate_office_hours(tx, (&resources, &founders), now_s)?;
    events::generate_events(tx, &spaces, &founders, now_s)?;
    // Each makerspace has a founder who joined lately and is in no startup yet: a space admin
    // registers one for them, or they make their own. Made last, so that the rest of the
    // sample is the same for a seed as before.
    for ms in &spaces {
        person_n += 1;
        let f = insert_person(tx, &mut ids, &person_name(&mut rng), person_n, None, now_s - 7 * 86_400)?;
        grant(tx, &f, &ms.id, Role::Founder)?;
    }
    // The district's operator, its programmes and calls, and applications in every state.
    person_n += 1;
    let operator = ids.next();
    calls::insert_operator(tx, &operator, created)?;
    let leads: Vec<(Id, Id)> = tx
        .prepare("SELECT person_id, startup_id FROM startup_member WHERE lead = 1 ORDER BY startup_id")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    calls::generate_calls(tx, &operator, &leads, now)?;
    crate::store::audit(tx, now_s, None, "load_sample", "district", "sample", serde_json::json!({"scale": scale, "seed": seed}))?;

    Ok(SampleSummary {
        makerspaces: spaces.len(),
        people: person_n,
        mentors,
        labs,
        equipment: resources.len() - mentors,
        bookings,
        space_admin_id: first_admin.unwrap_or_default(),
        founder_id: founders.first().map(|f| f.0.clone()).unwrap_or_default(),
        mentor_person_id: first_mentor.unwrap_or_default(),
        lab_manager_id: first_manager.unwrap_or_default(),
    })
}

/// Bookings from 90 days ago to 30 days ahead, placed inside open hours, one per
/// resource per day at most (so caps and capacities always hold).
fn generate_bookings(
    tx: &Connection,
    (ids, rng): (&mut IdSource, &mut ChaCha8Rng),
    resources: &[SampleResource],
    founders: &[(Id, usize)],
    (total, used): (usize, &mut Vec<PastUse>),
    now: i64,
) -> Result<usize> {
    let tz = chrono_tz::Asia::Shanghai;
    let range = Span::new(now - 90 * 86_400, now + 30 * 86_400);
    let days = Days::covering(tz, range);
    // Aim a little high: resources open few days a week place fewer, the rest make up.
    let per_resource = total.div_ceil(resources.len().max(1)) * 5 / 4;
    let mut founders_by_space: HashMap<usize, Vec<usize>> = HashMap::new();
    for (k, (_, s)) in founders.iter().enumerate() {
        founders_by_space.entry(*s).or_default().push(k);
    }
    let mut written = 0;
    let mut insert = tx.prepare_cached(
        "INSERT INTO booking(id, resource_id, booker_id, start_at, end_at, status, topic, reason, created_at, updated_at, place_format, place) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    let overseas: HashMap<chrono_tz::Tz, Days> =
        resources.iter().filter(|r| r.tz != tz).map(|r| (r.tz, Days::covering(r.tz, range))).collect();
    for (resource, r) in resources.iter().enumerate() {
        if written >= total {
            break;
        }
        let days = overseas.get(&r.tz).unwrap_or(&days);
        let day_count = days.days.len();
        let calendar = Calendar { tz: r.tz, weekly: &r.weekly, overrides: &[], blackouts: &[] };
        let mut used_days = vec![false; day_count];
        let mut placed = 0;
        let mut attempts = 0;
        while placed < per_resource && attempts < per_resource * 4 && written < total {
            attempts += 1;
            let d = rng.random_range(0..day_count);
            if used_days[d] {
                continue;
            }
            let day = &days.days[d];
            let open = open_spans(&calendar, days, Span::new(day.midnight, day.next_midnight));
            let Some(window) = open.choose(rng) else { continue };
            let minutes = if r.policy.durations_min.is_empty() {
                let steps = (r.policy.max_duration_min.min(240) / r.policy.granularity_min).max(1);
                r.policy.granularity_min * rng.random_range(r.policy.min_duration_min / r.policy.granularity_min..=steps).max(1)
            } else {
                *r.policy.durations_min.choose(rng).unwrap_or(&60)
            };
            let len = i64::from(minutes) * 60;
            let step = i64::from(r.policy.granularity_min) * 60;
            let slots = (window.len() - len) / step;
            if slots < 0 {
                continue;
            }
            let start = window.start + step * rng.random_range(0..=slots);
            let end = start + len;
            // Future bookings must have respected notice and horizon when they were made.
            if start > now && start < now + i64::from(r.policy.min_notice_min) * 60 {
                continue;
            }
            if end > now + i64::from(r.policy.horizon_days) * 86_400 {
                continue;
            }
            let booker = match (&r.bookers, r.home_only) {
                (Some(q), _) => q.choose(rng).copied(),
                (None, true) => founders_by_space.get(&r.makerspace).and_then(|f| f.choose(rng).copied()),
                (None, false) => Some(rng.random_range(0..founders.len())),
            };
            let Some(booker) = booker else { continue };
            used_days[d] = true;
            let past = end <= now;
            let roll = rng.random_range(0..100);
            let (status, reason) = match (past, roll) {
                (true, 0..=79) => ("completed", None),
                (true, 80..=87) => ("no_show", None),
                (true, _) => ("cancelled", Some("行程冲突 / schedule conflict")),
                (false, 0..=9) => ("cancelled", Some("行程冲突 / schedule conflict")),
                (false, _) if r.policy.approval_required && roll < 40 => ("requested", None),
                (false, _) => ("confirmed", None),
            };
            let created_at = (start - rng.random_range(1..10) * 86_400).min(now - 3600);
            // A request still waiting was made within the 72 hours a mentor has to answer.
            let created_at = if status == "requested" { created_at.max(now - 2 * 86_400) } else { created_at };
            let topic = match r.kind {
                ResourceKind::Mentor => TOPICS.choose(rng).unwrap_or(&""),
                ResourceKind::Equipment => PURPOSES.choose(rng).unwrap_or(&""),
            };
            let booking_id = ids.next();
            if status == "completed" && r.kind == ResourceKind::Equipment {
                used.push(PastUse { booking_id: booking_id.clone(), resource, booker, span: Span::new(start, end) });
            }
            // A mentor's sessions go round their formats (with no draw, so that the rest of
            // the sample stays as it was).
            let place = (!r.places.is_empty()).then(|| &r.places[written % r.places.len()]);
            insert.execute(params![
                booking_id,
                r.id,
                founders[booker].0,
                start,
                end,
                status,
                topic,
                reason,
                created_at,
                created_at,
                place.map(|(format, _)| format.as_str()),
                place.map(|(_, json)| json),
            ])?;
            placed += 1;
            written += 1;
        }
    }
    Ok(written)
}

/// The usage sessions of the past instrument bookings that were used: checked in a few
/// minutes either side of the start, out before the end, for research, tests or teaching
/// (now and then certification or inspection), charged at the instrument's rates. Drawn
/// from a generator of their own, so the rest of the sample is the same as without them.
fn generate_sessions(
    tx: &Connection,
    seed: u64,
    resources: &[SampleResource],
    founders: &[(Id, usize)],
    used: &[PastUse],
) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5e55_1015);
    let mut ids = IdSource { rng: ChaCha8Rng::seed_from_u64(seed ^ 0x1d5), millis: 1_767_225_600_000 };
    let mut insert = tx.prepare_cached(
        "INSERT INTO usage_session(id, resource_id, booking_id, person_id, started_at, ended_at, user_class, purpose, samples, fee_fen)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for u in used {
        let r = &resources[u.resource];
        let (person, home) = &founders[u.booker];
        let started = u.span.start + rng.random_range(-5..=10) * 60;
        let ended = (u.span.end - rng.random_range(0..=20) * 60).max(started + 600);
        let class = if *home == r.makerspace { UserClass::Internal } else { UserClass::External };
        let purpose = match rng.random_range(0..100) {
            0..=39 => Purpose::Research,
            40..=74 => Purpose::Testing,
            75..=89 => Purpose::Teaching,
            90..=94 => Purpose::Certification,
            _ => Purpose::CommercialInspection,
        };
        let rates = r.rates.clone().unwrap_or_default();
        let fee = rates.fee(class, rates.charged_seconds(Span::new(started, ended), Some(u.span)));
        let (class, purpose): (&str, &str) = (class.into(), purpose.into());
        let samples = rng.random_range(0..12);
        insert.execute(params![ids.next(), r.id, u.booking_id, person, started, ended, class, purpose, samples, fee])?;
    }
    Ok(())
}
