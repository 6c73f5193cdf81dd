//! Half-open spans of UTC seconds and the sort-merge arithmetic on sorted, disjoint lists
//! of them. Every function here is linear (after one sort), never per minute.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: i64,
    pub end: i64,
}

impl Span {
    pub fn new(start: i64, end: i64) -> Span {
        Span { start, end }
    }

    pub fn len(&self) -> i64 {
        self.end - self.start
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }

    pub fn overlaps(&self, other: &Span) -> bool {
        self.start < other.end && other.start < self.end
    }

    pub fn intersection(&self, other: &Span) -> Span {
        Span::new(self.start.max(other.start), self.end.min(other.end))
    }
}

/// Sorts, drops empty spans, and merges spans that overlap or touch.
pub fn normalize(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| !s.is_empty());
    if spans.windows(2).any(|w| w[0].start > w[1].start) {
        spans.sort_unstable();
    }
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

/// `a − b`, both normalized.
pub fn subtract(a: &[Span], b: &[Span]) -> Vec<Span> {
    let mut out = Vec::with_capacity(a.len());
    let mut j = 0;
    for &s in a {
        let mut cur = s.start;
        while j < b.len() && b[j].end <= cur {
            j += 1;
        }
        let mut k = j;
        while k < b.len() && b[k].start < s.end {
            if b[k].start > cur {
                out.push(Span::new(cur, b[k].start));
            }
            cur = cur.max(b[k].end);
            k += 1;
        }
        if cur < s.end {
            out.push(Span::new(cur, s.end));
        }
    }
    out
}

/// `a ∩ b`, both normalized.
pub fn intersect(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        let s = a[i].intersection(&b[j]);
        if !s.is_empty() {
            out.push(s);
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The normalized spans where at least `capacity` of the given (possibly overlapping,
/// unsorted) spans are in force at once.
pub fn saturated(spans: &[Span], capacity: u32) -> Vec<Span> {
    if capacity <= 1 {
        return normalize(spans.to_vec());
    }
    let mut events: Vec<(i64, i32)> = Vec::with_capacity(spans.len() * 2);
    for s in spans.iter().filter(|s| !s.is_empty()) {
        events.push((s.start, 1));
        events.push((s.end, -1));
    }
    // Ends sort before starts at the same instant: back-to-back use is not overlap.
    events.sort_unstable();
    let mut load = 0i64;
    let mut open_at = None;
    let mut out = Vec::new();
    for (t, delta) in events {
        load += i64::from(delta);
        match open_at {
            None if load >= i64::from(capacity) => open_at = Some(t),
            Some(from) if load < i64::from(capacity) => {
                out.push(Span::new(from, t));
                open_at = None;
            }
            _ => {}
        }
    }
    normalize(out)
}

/// Widens every span by `before` and `after` seconds and merges the result.
pub fn widen(spans: &[Span], before: i64, after: i64) -> Vec<Span> {
    normalize(spans.iter().map(|s| Span::new(s.start - before, s.end + after)).collect())
}

/// Whether `s` lies inside one span of the normalized list.
pub fn covers(spans: &[Span], s: Span) -> bool {
    let i = spans.partition_point(|x| x.end < s.end);
    spans.get(i).is_some_and(|x| x.start <= s.start && s.end <= x.end)
}

/// Whether `s` overlaps any span of the normalized list.
pub fn touches(spans: &[Span], s: Span) -> bool {
    let i = spans.partition_point(|x| x.end <= s.start);
    spans.get(i).is_some_and(|x| x.start < s.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(list: &[(i64, i64)]) -> Vec<Span> {
        list.iter().map(|&(a, b)| Span::new(a, b)).collect()
    }

    #[test]
    fn normalize_merges_touching_and_drops_empty() {
        assert_eq!(normalize(v(&[(5, 7), (0, 2), (2, 3), (9, 9)])), v(&[(0, 3), (5, 7)]));
    }

    #[test]
    fn subtract_cuts_holes() {
        assert_eq!(subtract(&v(&[(0, 10), (20, 30)]), &v(&[(2, 4), (8, 22), (29, 40)])), v(&[(0, 2), (4, 8), (22, 29)]));
    }

    #[test]
    fn intersect_keeps_common_parts() {
        assert_eq!(intersect(&v(&[(0, 10), (20, 30)]), &v(&[(5, 25)])), v(&[(5, 10), (20, 25)]));
    }

    #[test]
    fn saturated_counts_load() {
        let s = v(&[(0, 10), (5, 15), (10, 20)]);
        assert_eq!(saturated(&s, 2), v(&[(5, 15)]));
        assert_eq!(saturated(&s, 3), Vec::<Span>::new());
        assert_eq!(saturated(&s, 1), v(&[(0, 20)]));
    }

    #[test]
    fn covers_and_touches() {
        let s = v(&[(0, 10), (20, 30)]);
        assert!(covers(&s, Span::new(20, 30)));
        assert!(!covers(&s, Span::new(5, 25)));
        assert!(touches(&s, Span::new(9, 12)));
        assert!(!touches(&s, Span::new(10, 20)));
    }
}
