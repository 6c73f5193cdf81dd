//! The sample's feedback both ways on its past mentor sessions: most founders rate the
//! session, many mentors rate how the startup is doing, and each pair's first session says
//! whether the pairing fits — so that the yearly figures, the mean rating and the at-risk
//! flag have something to show. Drawn from a generator of its own, so the rest of the sample
//! is the same as without it.

use std::collections::HashSet;

use rand::seq::IndexedRandom;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::{Connection, params};

use crate::error::Result;
use crate::feedback::Side;

const FOUNDER_SAYS: &[&str] = &["很有帮助，思路清晰了很多", "建议很具体", "时间有点紧", "下次想深入聊融资条款", ""];
const MENTOR_SAYS: &[&str] = &["团队执行力强", "需要补充市场数据", "商业模式还需打磨", "进展顺利", "下次带上财务模型", ""];

/// A rating from weights of 5, 4, 3, 2 and 1 stars.
fn rating(rng: &mut ChaCha8Rng, weights: [u32; 5]) -> u8 {
    let mut roll = rng.random_range(0..weights.iter().sum::<u32>());
    for (k, w) in weights.iter().enumerate() {
        if roll < *w {
            return 5 - k as u8;
        }
        roll -= w;
    }
    1
}

pub(super) fn generate_feedback(tx: &Connection, seed: u64, now: i64) -> Result<()> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x0fee_dbac);
    let mut stmt = tx.prepare(
        "SELECT b.id, b.booker_id, b.resource_id, m.person_id, b.end_at,
                (SELECT s.startup_id FROM startup_member s WHERE s.person_id = b.booker_id)
         FROM booking b JOIN mentor m ON m.resource_id = b.resource_id
         WHERE b.status = 'completed' AND b.end_at <= ?1 ORDER BY b.start_at, b.id",
    )?;
    type Row = (String, String, String, String, i64, Option<String>);
    let sessions: Vec<Row> = stmt
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut met: HashSet<(String, String)> = HashSet::new();
    for (booking, booker, resource, mentor, end, startup) in sessions {
        let first = met.insert((booker.clone(), resource));
        for (side, author, chance, weights, says) in [
            (Side::Founder, &booker, 0.7, [45, 35, 12, 5, 3], FOUNDER_SAYS),
            (Side::Mentor, &mentor, 0.55, [25, 35, 25, 10, 5], MENTOR_SAYS),
        ] {
            if !rng.random_bool(chance) {
                continue;
            }
            let stars = rating(&mut rng, weights);
            let fits = first.then(|| stars >= 3 || rng.random_bool(0.3));
            let at = (end + rng.random_range(1..72) * 3600).min(now);
            let comment = says.choose(&mut rng).copied().unwrap_or_default();
            tx.prepare_cached(crate::store::insert_feedback_sql(side))?
                .execute(params![booking, author, stars, comment, fits, startup, at])?;
        }
    }
    Ok(())
}
